//! Reading 1,000,000 rows into structs with `#[derive(FromRow)]` (`all_as`; on SQLite also
//! `query_all_as`, which reads each row where SQLite holds it) against reading
//! them into tuples by position with the raw driver (`rusqlite`; the `postgres` crate on the
//! local server, `SQLCORE_TEST_PG_URL`, default `postgresql://postgres@127.0.0.1:5432/test`),
//! both collected into a `Vec`, best of 3 alternating rounds. Run with `cargo bench --bench
//! from_row`.
//!
//! `cargo bench --bench from_row -- count BACKEND CASE N` sets up N rows on `sqlite` or
//! `postgres` and reads them once by CASE (`raw`, `all_as`, `query_all_as`, `iter`, `all`,
//! `scalars`, `mappings`) inside `measured`, for counting instructions, which load on the machine does
//! not move: `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured*'`;
//! the difference between two values of N, divided by theirs, is the cost of one row.

mod common;

use common::compare;
use sqlcore::*;
use std::hint::black_box;
use std::time::Duration;

const ROWS: i64 = 1_000_000;
const ROUNDS: usize = 3;

#[derive(FromRow)]
#[allow(dead_code)]
struct Item {
    id: i64,
    label: String,
    score: f64,
}

fn report(backend: &str, what: &str, (raw, core): (Duration, Duration)) {
    println!(
        "{backend}: raw driver into tuples {raw:.2?}, sqlcore {what} {core:.2?}: {:.3}x",
        core.as_secs_f64() / raw.as_secs_f64()
    );
}

/// sqlcore's other ways to read the rows, timed against the same raw reading: `all_as` with
/// `stream_results` (chunks of 1,000 rows), and the `Row` API read by position.
fn references(backend: &str, conn: &mut Connection, query: &str, mut raw: impl FnMut()) {
    let streamed =
        || text(query).execution_options(|o| o.stream_results(true).max_row_buffer(1000));
    let timings = compare(ROUNDS, &mut raw, || {
        let rows: Vec<Item> = conn.execute(streamed(), ()).unwrap().all_as().unwrap();
        assert_eq!(black_box(rows).len() as i64, ROWS);
        conn.rollback().unwrap();
    });
    report(backend, "all_as::<Item>() streamed", timings);
    let timings = compare(ROUNDS, &mut raw, || {
        let rows: Vec<(i64, String, f64)> = conn
            .execute(text(query), ())
            .unwrap()
            .map(|row| {
                let row = row.unwrap();
                (
                    row.get(0).unwrap(),
                    row.get(1).unwrap(),
                    row.get(2).unwrap(),
                )
            })
            .collect();
        assert_eq!(black_box(rows).len() as i64, ROWS);
        conn.rollback().unwrap();
    });
    report(backend, "Row::get by position", timings);
    let timings = compare(ROUNDS, &mut raw, || {
        let rows = conn.execute(text(query), ()).unwrap().all().unwrap();
        let decoded: Vec<(i64, String, f64)> = rows
            .iter()
            .map(|row| {
                (
                    row.get(0).unwrap(),
                    row.get(1).unwrap(),
                    row.get(2).unwrap(),
                )
            })
            .collect();
        assert_eq!(black_box(decoded).len() as i64, ROWS);
        conn.rollback().unwrap();
    });
    report(backend, "all() then Row::get", timings);
    let timings = compare(ROUNDS, &mut raw, || {
        let rows = conn
            .execute(text(query), ())
            .unwrap()
            .mappings()
            .all()
            .unwrap();
        assert_eq!(black_box(rows).len() as i64, ROWS);
        conn.rollback().unwrap();
    });
    report(backend, "mappings().all()", timings);
}

/// A SQLite file of `rows` items, opened raw and by an engine; removed with [`SqliteFile`].
fn sqlite_setup(rows: i64) -> (SqliteFile, rusqlite::Connection, Engine) {
    let path = std::env::temp_dir().join(format!("sqlcore_from_row_{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let raw = rusqlite::Connection::open(&path).expect("open");
    raw.execute_batch(&format!(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL, score REAL NOT NULL);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
         INSERT INTO items SELECT i, 'item ' || i, i * 0.5 FROM n;"
    ))
    .expect("set up");
    let engine = create_engine(&format!("sqlite:///{}", path.display())).expect("engine");
    (SqliteFile(path), raw, engine)
}

/// The benchmark's SQLite file, removed when dropped.
struct SqliteFile(std::path::PathBuf);

impl Drop for SqliteFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn sqlite() {
    let (_file, raw, engine) = sqlite_setup(ROWS);
    let mut conn = engine.connect().expect("connect");
    let query = "SELECT id, label, score FROM items";
    let mut raw_read = || {
        let mut stmt = raw.prepare_cached(query).unwrap();
        let rows: Vec<(i64, String, f64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(black_box(rows).len() as i64, ROWS);
    };
    let timings = compare(ROUNDS, &mut raw_read, || {
        let rows: Vec<Item> = conn.execute(text(query), ()).unwrap().all_as().unwrap();
        assert_eq!(black_box(rows).len() as i64, ROWS);
    });
    report("SQLite", "all_as::<Item>()", timings);
    let timings = compare(ROUNDS, &mut raw_read, || {
        let rows: Vec<Item> = conn.query_all_as(text(query), ()).unwrap();
        assert_eq!(black_box(rows).len() as i64, ROWS);
    });
    report("SQLite", "query_all_as::<Item>()", timings);
    references("SQLite", &mut conn, query, raw_read);
}

/// A schema of its own with `rows` items on the PostgreSQL server, the raw client and an
/// engine whose connections work in it.
fn postgres_setup(rows: i64) -> (postgres::Client, String, Engine) {
    let url = std::env::var("SQLCORE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".to_owned());
    let schema = format!("sqlcore_bench_from_row_{}", std::process::id());
    let mut raw = postgres::Client::connect(
        &url.replace("postgresql://", "postgres://"),
        postgres::NoTls,
    )
    .expect("connect");
    raw.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path TO {schema};
         CREATE TABLE items (id BIGINT PRIMARY KEY, label TEXT NOT NULL, score FLOAT8 NOT NULL);
         INSERT INTO items SELECT g, 'item ' || g, g * 0.5 FROM generate_series(1, {rows}) g;"
    ))
    .expect("set up");
    let sep = if url.contains('?') { '&' } else { '?' };
    let engine =
        create_engine(&format!("{url}{sep}options=-c%20search_path%3D{schema}")).expect("engine");
    (raw, schema, engine)
}

fn postgres() {
    let (mut raw, schema, engine) = postgres_setup(ROWS);
    let mut conn = engine.connect().expect("connect");
    let query = "SELECT id, label, score FROM items";
    let stmt = raw.prepare(query).unwrap();
    let mut raw_read = || {
        let rows: Vec<(i64, String, f64)> = raw
            .query(&stmt, &[])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        assert_eq!(black_box(rows).len() as i64, ROWS);
    };
    let timings = compare(ROUNDS, &mut raw_read, || {
        let rows: Vec<Item> = conn.execute(text(query), ()).unwrap().all_as().unwrap();
        assert_eq!(black_box(rows).len() as i64, ROWS);
        conn.rollback().unwrap();
    });
    report("PostgreSQL", "all_as::<Item>()", timings);
    references("PostgreSQL", &mut conn, query, raw_read);
    drop(conn);
    raw.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .expect("clean up");
}

/// Reads the rows once (the only code counted with `--toggle-collect='*measured*'`).
#[inline(never)]
fn measured(read: impl FnOnce()) {
    read();
}

/// One way of reading the rows, by name: `raw` with the driver, or sqlcore's.
fn count_case(case: &str, conn: &mut Connection, query: &str, rows: i64, raw: impl FnOnce()) {
    let check = |n: usize| assert_eq!(n as i64, rows);
    match case {
        "raw" => measured(raw),
        "all_as" => measured(|| {
            let items: Vec<Item> = conn.execute(text(query), ()).unwrap().all_as().unwrap();
            check(black_box(items).len());
        }),
        "query_all_as" => measured(|| {
            let items: Vec<Item> = conn.query_all_as(text(query), ()).unwrap();
            check(black_box(items).len());
        }),
        "iter" => measured(|| {
            let items: Vec<(i64, String, f64)> = conn
                .execute(text(query), ())
                .unwrap()
                .map(|row| {
                    let row = row.unwrap();
                    (
                        row.get(0).unwrap(),
                        row.get(1).unwrap(),
                        row.get(2).unwrap(),
                    )
                })
                .collect();
            check(black_box(items).len());
        }),
        "all" => measured(|| {
            let rows = conn.execute(text(query), ()).unwrap().all().unwrap();
            check(black_box(rows).len());
        }),
        "scalars" => measured(|| {
            let ids: Vec<i64> = conn
                .execute(text(query), ())
                .unwrap()
                .scalars()
                .all()
                .unwrap();
            check(black_box(ids).len());
        }),
        "mappings" => measured(|| {
            let maps = conn
                .execute(text(query), ())
                .unwrap()
                .mappings()
                .all()
                .unwrap();
            check(black_box(maps).len());
        }),
        other => panic!(
            "unknown case {other:?}: raw, all_as, query_all_as, iter, all, scalars or mappings"
        ),
    }
}

/// `-- count BACKEND CASE N` (see the module's doc).
fn count(backend: &str, case: &str, rows: i64) {
    let query = "SELECT id, label, score FROM items";
    match backend {
        "sqlite" => {
            let (_file, raw, engine) = sqlite_setup(rows);
            let mut conn = engine.connect().expect("connect");
            count_case(case, &mut conn, query, rows, || {
                let mut stmt = raw.prepare(query).unwrap();
                let items: Vec<(i64, String, f64)> = stmt
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                assert_eq!(black_box(items).len() as i64, rows);
            });
        }
        "postgres" => {
            let (mut raw, schema, engine) = postgres_setup(rows);
            let mut conn = engine.connect().expect("connect");
            count_case(case, &mut conn, query, rows, || {
                let items: Vec<(i64, String, f64)> = raw
                    .query(query, &[])
                    .unwrap()
                    .iter()
                    .map(|r| (r.get(0), r.get(1), r.get(2)))
                    .collect();
                assert_eq!(black_box(items).len() as i64, rows);
            });
            drop(conn);
            raw.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
                .expect("clean up");
        }
        other => panic!("unknown backend {other:?}: sqlite or postgres"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "count") {
        let arg = |i: usize| args.get(pos + i).map_or("", String::as_str);
        let rows = arg(3).parse().unwrap_or(20_000);
        count(arg(1), arg(2), rows);
        return;
    }
    sqlite();
    postgres();
}
