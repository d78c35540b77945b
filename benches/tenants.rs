//! Tenants at scale (issue #28): one statement shape for 10, 1,000 and 10,000 tenant schemas
//! through `schema_translate_map`.
//!
//! 1. Switching tenant, no server: the compiled-cache lookup and the SQL translated for the
//!    tenant (what an execution does before the driver), tenants taken in turn — the compiled
//!    entries, the compiles, the bytes the cache holds per tenant and the time per switch.
//! 2. On PostgreSQL (`SQLCORE_TEST_PG_URL`, default `postgresql://postgres@127.0.0.1:5432/test`),
//!    in a database of its own with 10,000 schemas of one table each, created once and dropped
//!    at the end: a one-statement request (check out, select by key, check in) for one tenant
//!    against requests taking 1,000 and 10,000 tenants in turn, alternated in one run.
//!
//! Run with `cargo bench --bench tenants`. For instructions, `-- count switch TENANTS N`
//! (part 1) and `-- count request TENANTS N` (part 2, TENANTS of the 10,000 schemas) run N
//! switches or requests and nothing else; under `valgrind --tool=callgrind` the difference
//! between two N, divided by the operations it adds, is one operation without the set-up.

mod common;

use sqlcore::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

/// The most tenants: schemas `t0` to `t9999`.
const TENANTS: usize = 10_000;
/// Tenant counts the benchmark reports.
const SIZES: [usize; 3] = [10, 1_000, 10_000];
/// Switches timed per round (part 1).
const SWITCHES: usize = 200_000;
/// Requests per round (part 2).
const REQUESTS: usize = 10_000;
/// Schemas created per transaction (each takes a few locks).
const CREATE_BATCH: usize = 500;

/// The bytes allocated and not freed, process-wide.
static LIVE: AtomicIsize = AtomicIsize::new(0);

/// The system allocator, counting the bytes it holds.
struct Counting;

// SAFETY: every call is the system allocator's own, with the caller's layout; the count is
// only a number beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` came from `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: as `realloc`'s caller promises, for `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn url() -> String {
    std::env::var("SQLCORE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".to_owned())
}

/// Every tenant's table, declared without a schema: the map says where it lives.
fn users() -> Table {
    Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).not_null())
}

/// The request's statement: a row by key.
fn by_id(users: &Table) -> Statement {
    select(users)
        .filter(users.c("id").eq(bindparam("id")))
        .into()
}

/// The first `n` tenants' maps: the default schema to `t{i}`.
fn maps(n: usize) -> Vec<SchemaTranslateMap> {
    (0..n)
        .map(|i| SchemaTranslateMap::new().map(None, format!("t{i}").as_str()))
        .collect()
}

/// One switch: the statement's compiled form found in `cache` and its SQL for `map`.
fn switch(cache: &CompiledCache, stmt: &Statement, map: &SchemaTranslateMap) -> usize {
    let extracted = extract(stmt, &PostgreSQL).expect("a cacheable statement");
    let entry = cache
        .lookup(stmt, &extracted, &PostgreSQL)
        .expect("compiles")
        .entry()
        .expect("cached");
    entry
        .translated(map, &PostgreSQL)
        .expect("translates")
        .len()
}

/// Part 1 for `tenants`: (compiled entries, compiles, bytes held per tenant, time per
/// switch — the best of 5 rounds of [`SWITCHES`]).
fn switches(stmt: &Statement, tenants: usize) -> (usize, u64, f64, Duration) {
    let maps = maps(tenants);
    let cache = CompiledCache::new(100);
    let before = LIVE.load(Ordering::Relaxed);
    for map in &maps {
        black_box(switch(&cache, stmt, map));
    }
    let held = LIVE.load(Ordering::Relaxed) - before;
    let best = (0..5)
        .map(|_| {
            let start = Instant::now();
            for i in 0..SWITCHES {
                black_box(switch(&cache, stmt, &maps[i % tenants]));
            }
            start.elapsed() / SWITCHES as u32
        })
        .min()
        .unwrap_or_default();
    let stats = cache.stats();
    (stats.size, stats.misses, held as f64 / tenants as f64, best)
}

/// The bench database's name and URL (its own, so 10,000 schemas never touch the test one).
fn bench_database() -> (String, String) {
    let name = format!("sqlcore_bench_tenants_{}", std::process::id());
    let base = url();
    let (root, query) = base.split_once('?').unwrap_or((&base, ""));
    let root = root.rsplit_once('/').map_or(root, |(r, _)| r);
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    (name.clone(), format!("{root}/{name}{query}"))
}

/// Creates the bench database with [`TENANTS`] schemas `t{i}`, each with `users` holding one
/// row (`1`, `'tenant {i}'`).
fn create_tenants(admin: &mut postgres::Client, name: &str, db_url: &str) {
    // One statement each: neither may run inside a transaction block.
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        admin
            .batch_execute(&sql)
            .expect("create the bench database");
    }
    let mut db = postgres::Client::connect(db_url, postgres::NoTls).expect("connect");
    for first in (0..TENANTS).step_by(CREATE_BATCH) {
        let last = (first + CREATE_BATCH).min(TENANTS) - 1;
        db.batch_execute(&format!(
            "DO $$ BEGIN FOR i IN {first}..{last} LOOP
                 EXECUTE format('CREATE SCHEMA t%s', i);
                 EXECUTE format('CREATE TABLE t%s.users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)', i);
                 EXECUTE format('INSERT INTO t%s.users VALUES (1, %L)', i, 'tenant ' || i);
             END LOOP; END $$"
        ))
        .expect("create the tenants");
    }
}

/// `requests` one-statement requests on `engine`, tenant `i % tenants` for the i-th (starting
/// at `start`): each checks out, selects the tenant's row by key and checks in.
fn tenant_requests(
    engine: &Engine,
    stmt: &Statement,
    tenants: &[ExecutionOptions],
    start: usize,
    requests: usize,
) {
    for i in start..start + requests {
        let mut conn = engine.connect().unwrap();
        conn.execution_options(tenants[i % tenants.len()].clone())
            .unwrap();
        let row = conn
            .execute(stmt, params! { "id" => 1 })
            .unwrap()
            .one()
            .unwrap();
        black_box(row.get::<String>(1).unwrap());
    }
}

/// `-- count switch|request TENANTS N`.
fn count(args: &[String]) {
    let what = args.first().map_or("", String::as_str);
    let tenants: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(TENANTS);
    let n: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(2_000);
    let users = users();
    let stmt = by_id(&users);
    match what {
        "switch" => {
            let maps = maps(tenants);
            let cache = CompiledCache::new(100);
            for i in 0..n {
                black_box(switch(&cache, &stmt, &maps[i % tenants]));
            }
        }
        "request" => {
            let (name, db_url) = bench_database();
            let mut admin = postgres::Client::connect(&url(), postgres::NoTls).expect("connect");
            create_tenants(&mut admin, &name, &db_url);
            let engine = Engine::builder(&db_url).pool_size(1).build().unwrap();
            let options: Vec<ExecutionOptions> = maps(tenants)
                .into_iter()
                .map(|m| ExecutionOptions::default().schema_translate_map(m))
                .collect();
            // Every tenant once first: the connection's kept statements settle.
            tenant_requests(&engine, &stmt, &options, 0, tenants);
            tenant_requests(&engine, &stmt, &options, tenants, n);
            drop(engine);
            let _ = admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"));
        }
        _ => panic!("-- count switch|request TENANTS N"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "count") {
        count(&args[pos + 1..]);
        return;
    }
    let users = users();
    let stmt = by_id(&users);

    println!(
        "{:<34} {:>9} {:>9} {:>16} {:>12}",
        "switching tenant (no server)", "entries", "compiles", "bytes per tenant", "per switch"
    );
    for tenants in SIZES {
        let (entries, compiles, bytes, per_switch) = switches(&stmt, tenants);
        println!(
            "{:<34} {entries:>9} {compiles:>9} {bytes:>16.0} {:>9.0} ns",
            format!("{tenants} tenants in turn"),
            per_switch.as_secs_f64() * 1e9
        );
    }

    let (name, db_url) = bench_database();
    let mut admin = postgres::Client::connect(&url(), postgres::NoTls).expect("connect");
    let created = Instant::now();
    create_tenants(&mut admin, &name, &db_url);
    println!(
        "created {TENANTS} tenant schemas in {:.1} s",
        created.elapsed().as_secs_f64()
    );
    let engine = Engine::builder(&db_url).pool_size(1).build().unwrap();
    let options: Vec<ExecutionOptions> = maps(TENANTS)
        .into_iter()
        .map(|m| ExecutionOptions::default().schema_translate_map(m))
        .collect();
    println!(
        "{:<44} {:>12} {:>12} {:>10}",
        "one-statement request (best of 5 rounds)", "one tenant", "in turn", "ratio"
    );
    for tenants in [1_000, TENANTS] {
        let cycled = &options[..tenants];
        // Every tenant once first: the connection's kept statements settle.
        tenant_requests(&engine, &stmt, cycled, 0, tenants);
        let mut next = 0;
        let (one, many) = common::compare(
            5,
            || tenant_requests(&engine, &stmt, &options[..1], 0, REQUESTS),
            || {
                tenant_requests(&engine, &stmt, cycled, next, REQUESTS);
                next += REQUESTS;
            },
        );
        println!(
            "{:<44} {:>9.1} µs {:>9.1} µs {:>9.3}x (target <=1.1x)",
            format!("{tenants} tenants in turn x{REQUESTS}"),
            one.as_secs_f64() * 1e6 / REQUESTS as f64,
            many.as_secs_f64() * 1e6 / REQUESTS as f64,
            many.as_secs_f64() / one.as_secs_f64()
        );
    }
    drop(engine);
    let _ = admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"));
}
