//! The compiled-statement cache, in one run: compiling a point select with the cache off,
//! finding it in the cache, and a full cached execution on in-memory SQLite against raw
//! `rusqlite` with `prepare_cached`. Run with `cargo bench --bench cache`.

mod common;

use sqlcore::*;
use std::hint::black_box;
use std::time::{Duration, Instant};

const ROWS: i64 = 10_000;
const COMPILES: u32 = 200_000;
const EXECUTIONS: i64 = 200_000;
const ROUNDS: usize = 7;

/// The best time of `f` over the rounds, per iteration.
fn best(iterations: u32, mut f: impl FnMut()) -> Duration {
    (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed() / iterations
        })
        .min()
        .unwrap_or_default()
}

/// The best times of `raw` and `core` over rounds that alternate them, per iteration.
fn compare(iterations: u32, raw: impl FnMut(), core: impl FnMut()) -> (Duration, Duration) {
    let (raw, core) = common::compare(ROUNDS, raw, core);
    (raw / iterations, core / iterations)
}

/// The best times per point select of the raw one and of `core` (which gives the id it read),
/// over rounds that alternate them; both must read the same rows.
fn against_raw(
    raw: &rusqlite::Connection,
    mut core: impl FnMut(i64) -> i64,
) -> (Duration, Duration) {
    let mut check = (0i64, 0i64);
    let times = compare(
        EXECUTIONS as u32,
        || {
            for id in 1..=EXECUTIONS {
                check.0 += raw_point_select(raw, id % ROWS + 1).0;
            }
        },
        || {
            for id in 1..=EXECUTIONS {
                check.1 += core(id % ROWS + 1);
            }
        },
    );
    assert_eq!(check.0, check.1, "both read the same rows");
    times
}

/// The raw point select: `rusqlite`'s statement cache, one row read into owned values (not
/// inlined: `--toggle-collect='*raw_point_select*'` profiles it alone).
#[inline(never)]
fn raw_point_select(raw: &rusqlite::Connection, id: i64) -> (i64, String, Option<i64>) {
    raw.prepare_cached("SELECT users.id, users.name, users.score FROM users WHERE users.id = ?1")
        .unwrap()
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
}

/// The same row read through sqlcore.
fn core_point_select(
    conn: &mut Connection,
    stmt: Executable<'_>,
    params: Params,
) -> (i64, String, Option<i64>) {
    let row = conn.execute(stmt, params).unwrap().one().unwrap();
    (
        row.get(0).unwrap(),
        row.get(1).unwrap(),
        row.get(2).unwrap(),
    )
}

fn users() -> Table {
    Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).not_null())
        .column(Column::new("score", SqlType::Integer))
}

/// A join with GROUP BY, HAVING and ORDER BY: the everyday reporting query.
fn report_select(users: &Table) -> Statement {
    let orders = Table::new("orders")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("user_id", SqlType::Integer).references("users.id"))
        .column(Column::new("total", SqlType::Integer));
    let total = sum(orders.c("total")).label("total");
    select([users.c("name"), total])
        .join_from_on(users, &orders, users.c("id").eq(orders.c("user_id")))
        .filter(orders.c("total").gt(10))
        .group_by(users.c("name"))
        .having(sum(orders.c("total")).gt(100))
        .order_by(users.c("name").desc())
        .limit(20)
        .into()
}

fn point_select(users: &Table, id: i64) -> Statement {
    select(users).filter(users.c("id").eq(id)).into()
}

fn main() {
    // `cargo bench --bench cache -- execute` runs only the executions (for profiling).
    let only_execute = std::env::args().any(|a| a == "execute");
    let users = users();
    // `-- count <case>` runs one case 10,000 times and nothing else, for counting instructions
    // (`valgrind --tool=callgrind`): a figure that load on the machine does not move.
    let args: Vec<String> = std::env::args().collect();
    let setup = format!(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score INTEGER);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS})
         INSERT INTO users SELECT i, 'user ' || i, i % 100 FROM n;"
    );
    if let Some(pos) = args.iter().position(|a| a == "count") {
        let case = args.get(pos + 1).map_or("", String::as_str);
        // `-- count STYLE N` for a point select style (see `PointSelect`): N point selects;
        // the difference between two values of N is the cost of one, without the set-up.
        // `prepared-traced`: `prepared` with a `tracing` subscriber that records every
        // span's fields.
        let n = args
            .get(pos + 2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(10_000);
        if case == "prepared-traced" {
            use tracing_subscriber::layer::SubscriberExt;
            let subscriber = tracing_subscriber::registry().with(SpanFields);
            let style = PointSelect::Prepared { listened: false };
            tracing::subscriber::with_default(subscriber, || {
                count_point_selects(style, &users, &setup, n)
            });
        } else {
            match PointSelect::parse(case) {
                Some(style) => count_point_selects(style, &users, &setup, n),
                None => count_one(case, &users),
            }
        }
        return;
    }

    // Compile: cold (no cache) against a cache hit (key walk, lookup, values bound).
    let stmt = point_select(&users, 42);
    let compiles = if only_execute { 1 } else { COMPILES };
    let cold = best(compiles, || {
        for _ in 0..compiles {
            black_box(stmt.compile(&SQLite).unwrap());
        }
    });
    let cache = CompiledCache::new(500);
    let hit = best(compiles, || {
        for _ in 0..compiles {
            black_box(cache_hit(&stmt, &cache));
        }
    });
    let report = report_select(&users);
    let report_cold = best(compiles, || {
        for _ in 0..compiles {
            black_box(report.compile(&PostgreSQL).unwrap());
        }
    });
    let report_hit = best(compiles, || {
        for _ in 0..compiles {
            black_box(cache_hit(&report, &cache));
        }
    });

    // Execution: a point select by primary key, one statement per id, cached.
    let raw = rusqlite::Connection::open_in_memory().unwrap();
    raw.execute_batch(&setup).unwrap();
    let engine = create_engine("sqlite://").unwrap();
    let mut conn = engine.connect().unwrap();
    for sql in setup.split(";\n") {
        if !sql.trim().is_empty() {
            conn.execute(text(sql), ()).unwrap();
        }
    }
    let (raw_time, core_time) = against_raw(&raw, |id| {
        let stmt = point_select(&users, id);
        core_point_select(&mut conn, stmt.into(), Params::new()).0
    });
    let stats = engine.cache_stats();

    // The same with a bindparam statement built once and executed by reference.
    let by_param = select(&users).filter(users.c("id").eq(bindparam("id")));
    let by_param = Statement::from(by_param);
    let (raw_time2, param_time) = against_raw(&raw, |id| {
        core_point_select(&mut conn, (&by_param).into(), params! { "id" => id }).0
    });

    // The same statement prepared (looked up in the cache once), its row read in place.
    let prepared = engine.prepare(by_param.clone()).unwrap();
    let (raw_time3, prepared_time) = against_raw(&raw, |id| {
        let row: (i64, String, Option<i64>) = conn
            .query_row(&prepared, params! { "id" => id }, |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .unwrap();
        row.0
    });

    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!("| benchmark | time per statement | ratio |");
    println!("|---|---|---|");
    println!("| compile, cache off | {:.3} µs | 1 |", us(cold));
    println!(
        "| cache hit (key walk + lookup + bind) | {:.3} µs | {:.3} of a cold compile (target ≤ 0.2) |",
        us(hit),
        us(hit) / us(cold)
    );
    println!(
        "| compile, cache off: join, GROUP BY, HAVING, ORDER BY, LIMIT | {:.3} µs | 1 |",
        us(report_cold)
    );
    println!(
        "| cache hit: the same | {:.3} µs | {:.3} of its cold compile |",
        us(report_hit),
        us(report_hit) / us(report_cold)
    );
    println!(
        "| raw rusqlite point select, prepare_cached | {:.3} µs | 1 |",
        us(raw_time)
    );
    println!(
        "| sqlcore point select, statement built per id, cached (build, key walk, lookup, result) | {:.3} µs | {:.3}× raw |",
        us(core_time),
        us(core_time) / us(raw_time)
    );
    println!(
        "| raw rusqlite point select (second round) | {:.3} µs | 1 |",
        us(raw_time2)
    );
    println!(
        "| sqlcore point select, one bindparam statement by reference, cached | {:.3} µs | {:.3}× raw |",
        us(param_time),
        us(param_time) / us(raw_time2)
    );
    println!(
        "| raw rusqlite point select (third round) | {:.3} µs | 1 |",
        us(raw_time3)
    );
    println!(
        "| sqlcore point select, prepared statement (compiled form from the cache), `query_row` | {:.3} µs | {:.3}× raw (target ≤ 1.15) |",
        us(prepared_time),
        us(prepared_time) / us(raw_time3)
    );
    println!(
        "\ncache after the runs: {} entries, {} hits, {} misses",
        stats.size, stats.hits, stats.misses
    );
}

/// Runs one case 10,000 times: `cold`, `hit`, `report-cold` or `report-hit`.
fn count_one(case: &str, users: &Table) {
    const N: usize = 10_000;
    let cache = CompiledCache::new(10);
    let (stmt, dialect): (Statement, &dyn Dialect) = match case {
        "cold" | "hit" => (point_select(users, 42), &SQLite),
        _ => (report_select(users), &PostgreSQL),
    };
    for _ in 0..N {
        if case.ends_with("cold") {
            black_box(stmt.compile(dialect).unwrap());
        } else {
            let extracted = extract(&stmt, dialect).unwrap();
            let entry = cache
                .lookup(&stmt, &extracted, dialect)
                .unwrap()
                .entry()
                .unwrap();
            let bound = entry.cached().bind(&extracted, &Params::new(), None);
            black_box(bound.unwrap().values.len());
        }
    }
}

/// A `tracing` layer that records every span's fields as text (what an exporter does at the
/// least): what tracing the statements costs.
struct SpanFields;

/// A span's fields, written out.
struct Written(String);

impl tracing::field::Visit for Written {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl<S> tracing_subscriber::Layer<S> for SpanFields
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut written = Written(String::new());
        attrs.record(&mut written);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(written);
        }
    }

    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if let Some(span) = ctx.span(id)
            && let Some(written) = span.extensions_mut().get_mut::<Written>()
        {
            values.record(written);
        }
    }
}

/// An event listener that does nothing: what listening costs.
struct Listener;

impl sqlcore::events::ConnectionEvents for Listener {}

/// The styles of point select `-- count STYLE N` runs, each reading the row's three columns.
#[derive(Clone, Copy, PartialEq)]
enum PointSelect {
    /// `raw`: rusqlite's `prepare_cached` + `query_row`, by position.
    Raw,
    /// `built`: the statement built per call, `execute(stmt, ()).one()`, columns by name.
    Built,
    /// `by-ref`: one bindparam statement by reference, `execute(&stmt, params).one()`.
    ByRef,
    /// `prepared-one`: `engine.prepare`, `execute(&prepared, params).one()`.
    PreparedOne,
    /// `prepared`: `engine.prepare`, `query_row` (`prepared-listened`: with an event
    /// listener that does nothing).
    Prepared { listened: bool },
}

impl PointSelect {
    fn parse(case: &str) -> Option<Self> {
        Some(match case {
            "raw" => PointSelect::Raw,
            "built" => PointSelect::Built,
            "by-ref" => PointSelect::ByRef,
            "prepared-one" => PointSelect::PreparedOne,
            "prepared" => PointSelect::Prepared { listened: false },
            "prepared-listened" => PointSelect::Prepared { listened: true },
            _ => return None,
        })
    }
}

/// The row's columns read by name, as an application reads them.
fn by_name(row: &Row) -> (i64, String, Option<i64>) {
    (
        row.get("id").unwrap(),
        row.get("name").unwrap(),
        row.get("score").unwrap(),
    )
}

/// Runs `n` point selects of `style` on in-memory SQLite, after the set-up.
fn count_point_selects(style: PointSelect, users: &Table, setup: &str, n: i64) {
    let mut sum = 0i64;
    if style == PointSelect::Raw {
        let raw = rusqlite::Connection::open_in_memory().unwrap();
        raw.execute_batch(setup).unwrap();
        for id in 0..n {
            sum += raw_point_select(&raw, id % ROWS + 1).0;
        }
        black_box(sum);
        return;
    }
    let mut builder = Engine::builder("sqlite://");
    if style == (PointSelect::Prepared { listened: true }) {
        builder = builder.events(std::sync::Arc::new(Listener));
    }
    let engine = builder.build().unwrap();
    let mut conn = engine.connect().unwrap();
    for sql in setup.split(";\n") {
        if !sql.trim().is_empty() {
            conn.execute(text(sql), ()).unwrap();
        }
    }
    let by_param: Statement = select(users)
        .filter(users.c("id").eq(bindparam("id")))
        .into();
    let prepared = engine.prepare(by_param.clone()).unwrap();
    let statements = (&by_param, &prepared);
    for id in 0..n {
        sum += measured_point_select(style, &mut conn, users, statements, id % ROWS + 1);
    }
    black_box(sum);
}

/// One point select of `style` (not `Raw`), giving the id it read: the only function whose
/// calls `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured*'`
/// collects, for a profile of the point select alone.
#[inline(never)]
fn measured_point_select(
    style: PointSelect,
    conn: &mut Connection,
    users: &Table,
    (by_param, prepared): (&Statement, &Prepared),
    id: i64,
) -> i64 {
    match style {
        PointSelect::Built => {
            let stmt = point_select(users, id);
            by_name(&conn.execute(stmt, ()).unwrap().one().unwrap()).0
        }
        PointSelect::ByRef => {
            let row = conn.execute(by_param, params! { "id" => id });
            by_name(&row.unwrap().one().unwrap()).0
        }
        PointSelect::PreparedOne => {
            let row = conn.execute(prepared, params! { "id" => id });
            by_name(&row.unwrap().one().unwrap()).0
        }
        _ => {
            let read = |row: &RowRef<'_>| {
                Ok((
                    row.get::<i64>("id")?,
                    row.get::<String>("name")?,
                    row.get::<Option<i64>>("score")?,
                ))
            };
            conn.query_row(prepared, params! { "id" => id }, read)
                .unwrap()
                .0
        }
    }
}

/// What a cache hit costs: the statement's key and values, the lookup, and binding.
fn cache_hit(stmt: &Statement, cache: &CompiledCache) -> usize {
    let extracted = extract(stmt, &SQLite).unwrap();
    let entry = cache
        .lookup(stmt, &extracted, &SQLite)
        .unwrap()
        .entry()
        .unwrap();
    let bound = entry
        .cached()
        .bind(&extracted, &Params::new(), None)
        .unwrap();
    bound.values.len()
}
