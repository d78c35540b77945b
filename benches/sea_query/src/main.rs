//! sqlcore's cold compile against sea-query (issue #28): the same select / insert / update
//! built and rendered for PostgreSQL and SQLite, in one run.
//!
//! For each statement and backend, five cases:
//! - `sea-cold`: sea-query builds the statement and renders it (SQL + values);
//! - `core-cold`: sqlcore builds it, compiles it (no cache) and binds its values;
//! - `sea-render` / `core-render`: the same with the statement built beforehand;
//! - `core-hit`: sqlcore builds it, finds its compiled form in a compiled-statement cache and
//!   binds its values (what an engine does for a statement it has seen).
//!
//! Modes:
//! - no argument: wall time, the median of rounds that alternate the five cases; prints one
//!   Markdown table with the ratios;
//! - `--instructions`: instructions per operation, each case counted by `valgrind
//!   --tool=callgrind` in a process of its own (only the measured calls are collected), a
//!   figure that load on the machine does not move;
//! - `--only <case> [--iterations N]`: runs one case N times through [`measured_op`] and
//!   nothing else, for `valgrind --tool=callgrind --collect-atstart=no
//!   --toggle-collect='*measured_op*'` by hand (and `callgrind_annotate` for the profile).
//!
//! Case names are `<statement>-<backend>-<case>`, e.g. `select-pg-core-cold`.

mod statements;

use sqlcore::{CompiledCache, Params, Statement, extract};
use statements::{Backend, Shape, Tables, sea_build};
use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

const KINDS: [&str; 5] = [
    "sea-cold",
    "core-cold",
    "sea-render",
    "core-render",
    "core-hit",
];
const ROUNDS: usize = 9;
const WALL_ITERATIONS: usize = 20_000;
const COUNT_ITERATIONS: usize = 2_000;

/// One measured operation; gives a number that depends on its whole result.
type Op<'a> = Box<dyn FnMut(i64) -> usize + 'a>;

/// The one function whose calls the instruction count collects.
#[inline(never)]
fn measured_op(op: &mut Op<'_>, n: i64) -> usize {
    op(n)
}

/// sqlcore's compile with the cache bypassed, then bind: the SQL to run and its values.
fn core_compile(stmt: &Statement, backend: Backend) -> usize {
    let compiled = sqlcore::Compile::compile(stmt, backend.dialect()).expect("compiles");
    let bound = compiled.bind(&Params::new()).expect("binds");
    bound.sql.len() + bound.values.len()
}

/// sqlcore's cache hit: the statement's key and values, the lookup, and bind.
fn core_cache_hit(stmt: &Statement, cache: &CompiledCache, backend: Backend) -> usize {
    let dialect = backend.dialect();
    let extracted = extract(stmt, dialect).expect("cacheable");
    let lookup = cache.lookup(stmt, &extracted, dialect).expect("compiles");
    let entry = lookup.entry().expect("cached");
    let bound = entry
        .cached()
        .bind(&extracted, &Params::new(), None)
        .expect("binds");
    bound.sql.len() + bound.values.len()
}

/// The operation of case `kind` for `shape` on `backend`.
fn op<'a>(kind: &str, shape: Shape, backend: Backend, tables: &'a Tables) -> Op<'a> {
    match kind {
        "sea-cold" => Box::new(move |n| {
            let (sql, values) = sea_build(shape, n).render(backend);
            sql.len() + values.0.len()
        }),
        "sea-render" => {
            let stmt = sea_build(shape, 1);
            Box::new(move |_| {
                let (sql, values) = stmt.render(backend);
                sql.len() + values.0.len()
            })
        }
        "core-cold" => Box::new(move |n| core_compile(&tables.build(shape, n), backend)),
        "core-render" => {
            let stmt = tables.build(shape, 1);
            Box::new(move |_| core_compile(&stmt, backend))
        }
        "core-hit" => {
            let cache = CompiledCache::new(16);
            core_cache_hit(&tables.build(shape, 0), &cache, backend);
            Box::new(move |n| core_cache_hit(&tables.build(shape, n), &cache, backend))
        }
        other => panic!("no case {other:?}: one of {KINDS:?}"),
    }
}

fn case_name(shape: Shape, backend: Backend, kind: &str) -> String {
    format!("{}-{}-{kind}", shape.name(), backend.name())
}

fn parse_case(name: &str) -> (Shape, Backend, &str) {
    for shape in Shape::ALL {
        for backend in Backend::ALL {
            let prefix = format!("{}-{}-", shape.name(), backend.name());
            if let Some(kind) = name.strip_prefix(&prefix) {
                return (shape, backend, kind);
            }
        }
    }
    panic!("no case {name:?} (e.g. select-pg-core-cold)")
}

fn arg_after(args: &[String], flag: &str) -> Option<String> {
    let pos = args.iter().position(|a| a == flag)?;
    args.get(pos + 1).cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let tables = Tables::new();
    if let Some(case) = arg_after(&args, "--only") {
        let iterations = arg_after(&args, "--iterations")
            .map(|n| n.parse().expect("--iterations N"))
            .unwrap_or(COUNT_ITERATIONS);
        let (shape, backend, kind) = parse_case(&case);
        let mut op = op(kind, shape, backend, &tables);
        // Warm up outside the measured function (first allocations, lazy statics).
        for n in 0..10 {
            black_box(op(n));
        }
        let mut check = 0;
        for n in 0..iterations {
            check += measured_op(&mut op, black_box(n as i64 % 1000));
        }
        black_box(check);
        return;
    }
    show_statements(&tables);
    if args.iter().any(|a| a == "--instructions") {
        instructions(&args[0]);
    } else {
        wall(&tables);
    }
}

/// Prints what each library renders, once.
fn show_statements(tables: &Tables) {
    for backend in Backend::ALL {
        for shape in Shape::ALL {
            let core = sqlcore::Compile::compile(&tables.build(shape, 5), backend.dialect())
                .expect("compiles");
            let (sea, values) = sea_build(shape, 5).render(backend);
            assert_eq!(
                core.params.len(),
                values.0.len(),
                "both bind the same values"
            );
            println!("{} {}:", backend.name(), shape.name());
            println!("  sqlcore:   {}", core.sql);
            println!("  sea-query: {sea}");
        }
    }
    println!();
}

/// Wall time per operation, each case the median of rounds that alternate the five.
fn wall(tables: &Tables) {
    println!("wall time per operation, median of {ROUNDS} alternating rounds of {WALL_ITERATIONS}");
    print_header("µs");
    for backend in Backend::ALL {
        for shape in Shape::ALL {
            let mut ops: Vec<Op<'_>> = KINDS
                .iter()
                .map(|k| op(k, shape, backend, tables))
                .collect();
            let mut times: Vec<Vec<Duration>> = vec![Vec::new(); KINDS.len()];
            for _ in 0..ROUNDS {
                for (op, times) in ops.iter_mut().zip(&mut times) {
                    let t = Instant::now();
                    let mut check = 0;
                    for n in 0..WALL_ITERATIONS {
                        check += op(black_box((n % 1000) as i64));
                    }
                    black_box(check);
                    times.push(t.elapsed() / WALL_ITERATIONS as u32);
                }
            }
            let medians: Vec<f64> = times
                .iter_mut()
                .map(|t| {
                    t.sort();
                    t[t.len() / 2].as_secs_f64() * 1e6
                })
                .collect();
            print_row(shape, backend, &medians, 3);
        }
    }
}

/// Instructions per operation of every case, each counted under callgrind.
fn instructions(exe: &str) {
    println!(
        "instructions per operation (valgrind --tool=callgrind, {COUNT_ITERATIONS} calls of each case)"
    );
    print_header("Ir");
    let out_file =
        std::env::temp_dir().join(format!("sqlcore-sea-query-{}.out", std::process::id()));
    for backend in Backend::ALL {
        for shape in Shape::ALL {
            let counts: Vec<f64> = KINDS
                .iter()
                .map(|kind| {
                    let output = Command::new("valgrind")
                        .arg("--tool=callgrind")
                        .arg("--collect-atstart=no")
                        .arg("--toggle-collect=*measured_op*")
                        .arg(format!("--callgrind-out-file={}", out_file.display()))
                        .arg(exe)
                        .args(["--only", &case_name(shape, backend, kind)])
                        .output()
                        .expect("valgrind runs (is it installed?)");
                    assert!(
                        output.status.success(),
                        "{}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                    let text = std::fs::read_to_string(&out_file).expect("callgrind output");
                    let total = text
                        .lines()
                        .find_map(|l| {
                            l.strip_prefix("totals: ")
                                .or_else(|| l.strip_prefix("summary: "))
                        })
                        .and_then(|t| t.split_whitespace().next()?.parse::<u64>().ok())
                        .expect("a callgrind total");
                    total as f64 / COUNT_ITERATIONS as f64
                })
                .collect();
            print_row(shape, backend, &counts, 0);
        }
    }
    let _ = std::fs::remove_file(out_file);
}

fn print_header(unit: &str) {
    println!(
        "| statement | sea-query build + render ({unit}) | sqlcore build + compile + bind ({unit}) | ratio (goal ≤ 1.0) | sea-query render ({unit}) | sqlcore compile + bind, prebuilt ({unit}) | ratio (goal ≤ 1.5) | sqlcore build + cache hit + bind ({unit}) | of sqlcore's cold (goal ≤ 0.3) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
}

/// One table row: `v` in the order of [`KINDS`].
fn print_row(shape: Shape, backend: Backend, v: &[f64], decimals: usize) {
    println!(
        "| {} {} | {:.d$} | {:.d$} | {:.2}× | {:.d$} | {:.d$} | {:.2}× | {:.d$} | {:.2}× |",
        backend.name(),
        shape.name(),
        v[0],
        v[1],
        v[1] / v[0],
        v[2],
        v[3],
        v[3] / v[2],
        v[4],
        v[4] / v[1],
        d = decimals
    );
}
