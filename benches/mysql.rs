//! sqlcore against the raw `mysql` crate, in one run, on the local MariaDB/MySQL server
//! (`SQLCORE_TEST_MYSQL_URL`, default `mysql://root@127.0.0.1:3306/test`; a database of its
//! own, dropped at the end): a point select by primary key, a 100,000-row `execute_many`
//! insert, and a 1,000,000-row streamed (unbuffered) read. Run with
//! `cargo bench --bench mysql`.
//!
//! The point select runs in three sqlcore styles beside the raw crate's statement prepared
//! once: a `select()` built per call (through the compiled cache), and the statement prepared
//! once with `engine.prepare`, run with `execute(..).one()` and with `query_row`.
//!
//! For profiling, `SQLCORE_BENCH_POINT_ONLY=raw` (or `=sqlcore` for the built style,
//! `=prepared`, `=query_row`) runs only that contender's point selects, once, and prints
//! nothing; `SQLCORE_BENCH_POINT_COUNT=N` runs N of them (at most
//! 20,000). Under `valgrind --tool=callgrind`, the difference between two counts divided by
//! the difference of the counts is one select's client instructions, without the set-up.
//! `SQLCORE_BENCH_INSERT_ONLY=raw` (or `=sqlcore`) with `SQLCORE_BENCH_INSERT_ROWS=N` does
//! the same for the insert of N rows, and `SQLCORE_BENCH_STREAM_ONLY` with
//! `SQLCORE_BENCH_STREAM_ROWS=N` for the streamed read of N rows. The insert's report gives the client's CPU time per
//! row beside the wall time, which the server's own pace moves.

mod common;

use common::{Best, Style, compare};
use mysql::prelude::Queryable;
use sqlcore::*;
use std::hint::black_box;
use std::time::Duration;

const POINT_SELECTS: i32 = 20_000;
const INSERT_ROWS: i32 = 100_000;
const STREAM_ROWS: i32 = 1_000_000;

fn url() -> String {
    std::env::var("SQLCORE_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned())
}

/// The count a profiling mode's variable `name` asks for, within `min..=max` (`max` unset).
fn count_from_env(name: &str, min: i32, max: i32) -> i32 {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .map_or(max, |n: i32| n.clamp(min, max))
}

/// The raw point selects.
fn raw_point_selects(raw: &mut mysql::Conn, stmt: &mysql::Statement, n: i32) {
    for i in 1..=n {
        let row: Option<(i32, String)> = raw.exec_first(stmt, (i,)).unwrap();
        black_box(row.unwrap());
    }
}

fn main() {
    let database = format!("sqlcore_bench_{}", std::process::id());
    let base = url();
    let authority = base
        .split_once("://")
        .map_or(base.as_str(), |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let mut admin = mysql::Conn::new(mysql::Opts::from_url(&base).expect("URL")).expect("connect");
    admin
        .query_drop(format!(
            "DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database}"
        ))
        .expect("create the database");
    let db_url = format!("mysql://{authority}/{database}");
    // Over TCP as sqlcore connects (the crate's default would switch a loopback address to
    // the server's unix socket).
    let raw_opts =
        mysql::OptsBuilder::from_opts(mysql::Opts::from_url(&db_url).unwrap()).prefer_socket(false);
    let mut raw = mysql::Conn::new(raw_opts).expect("connect");
    raw.query_drop(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         CREATE TABLE items (id INTEGER AUTO_INCREMENT PRIMARY KEY, n INTEGER NOT NULL, label TEXT)",
    )
    .expect("set up");
    raw.query_drop(format!(
        "INSERT INTO users SELECT seq, CONCAT('user ', seq) FROM seq_1_to_{POINT_SELECTS}"
    ))
    .expect("users (MariaDB's sequence engine)");
    let engine = create_engine(&db_url).expect("engine");
    let users = Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).not_null());
    let items = Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("n", SqlType::Integer).not_null())
        .column(Column::new("label", SqlType::Text));

    // 1. Point select by primary key: the raw statement prepared once; sqlcore's built per
    // call (through the compiled cache) and prepared once (`engine.prepare`).
    let stmt = raw
        .prep("SELECT users.id, users.name FROM users WHERE users.id = ?")
        .unwrap();
    let by_id = engine
        .prepare(select(&users).filter(users.c("id").eq(bindparam("id"))))
        .unwrap();
    assert!(by_id.is_compiled());
    let mut conn = engine.connect().unwrap();
    let core_point_selects = |conn: &mut Connection, style: Style, n: i32| match style {
        Style::Built => {
            for i in 1..=n {
                let row = conn
                    .execute(select(&users).filter(users.c("id").eq(i)), ())
                    .unwrap()
                    .one()
                    .unwrap();
                black_box(row.get::<String>(1).unwrap());
            }
        }
        Style::PreparedOne => {
            for i in 1..=n {
                let row = conn
                    .execute(&by_id, params! { "id" => i })
                    .unwrap()
                    .one()
                    .unwrap();
                black_box(row.get::<String>(1).unwrap());
            }
        }
        Style::PreparedQueryRow => {
            for i in 1..=n {
                let name = conn
                    .query_row(&by_id, params! { "id" => i }, |row| row.get::<String>(1))
                    .unwrap();
                black_box(name);
            }
        }
    };
    if let Ok(only) = std::env::var("SQLCORE_BENCH_POINT_ONLY") {
        let n = count_from_env("SQLCORE_BENCH_POINT_COUNT", 0, POINT_SELECTS);
        match Style::named(&only) {
            Some(style) => core_point_selects(&mut conn, style, n),
            None => raw_point_selects(&mut raw, &stmt, n),
        }
        drop(conn);
        let _ = admin.query_drop(format!("DROP DATABASE {database}"));
        return;
    }
    // Alternating rounds: every contender sees the same machine load.
    let mut raw_point = Best::NONE;
    let mut core_point = [Best::NONE; Style::ALL.len()];
    // (None when the insert or the stream alone is profiled.)
    let profiling = |mode: &str| std::env::var_os(mode).is_some();
    let rounds = |n: usize, skipped: bool| if skipped { 0 } else { n };
    let point_rounds = rounds(
        5,
        profiling("SQLCORE_BENCH_INSERT_ONLY") || profiling("SQLCORE_BENCH_STREAM_ONLY"),
    );
    for _ in 0..point_rounds {
        raw_point.round(|| raw_point_selects(&mut raw, &stmt, POINT_SELECTS));
        for (style, best) in Style::ALL.into_iter().zip(&mut core_point) {
            best.round(|| core_point_selects(&mut conn, style, POINT_SELECTS));
        }
    }
    conn.rollback().unwrap();

    // 2. 100,000-row insert: raw multi-row VALUES in batches of 1,000 against execute_many.
    let batch: i32 = 1000;
    let values = vec!["(?, ?)"; batch as usize].join(", ");
    let insert_stmt = raw
        .prep(format!("INSERT INTO items (n, label) VALUES {values}"))
        .unwrap();
    let labels: Vec<String> = (0..INSERT_ROWS).map(|i| format!("row {i}")).collect();
    let raw_insert = |raw: &mut mysql::Conn, rows: i32| {
        let mut tx = raw.start_transaction(mysql::TxOpts::default()).unwrap();
        for chunk in 0..(rows + batch - 1) / batch {
            let mut params = Vec::with_capacity(2 * batch as usize);
            for i in chunk * batch..((chunk + 1) * batch).min(rows) {
                params.push(mysql::Value::from(i));
                params.push(mysql::Value::from(labels[i as usize].as_str()));
            }
            if params.len() == 2 * batch as usize {
                tx.exec_drop(&insert_stmt, params).unwrap();
            } else {
                let short = vec!["(?, ?)"; params.len() / 2].join(", ");
                tx.exec_drop(
                    format!("INSERT INTO items (n, label) VALUES {short}"),
                    params,
                )
                .unwrap();
            }
        }
        tx.rollback().unwrap();
    };
    let core_insert = |rows: i32| {
        let mut tx = engine.begin().unwrap();
        let sets = (0..rows).map(|i| params! { "n" => i, "label" => labels[i as usize].as_str() });
        let n = tx.execute_many(insert(&items), sets).unwrap().rowcount();
        assert_eq!(n, i64::from(rows));
        tx.rollback().unwrap();
    };
    if let Ok(only) = std::env::var("SQLCORE_BENCH_INSERT_ONLY") {
        // For profiling, as the point selects' mode: one contender's insert of
        // SQLCORE_BENCH_INSERT_ROWS rows (at most 100,000).
        let rows = count_from_env("SQLCORE_BENCH_INSERT_ROWS", 0, INSERT_ROWS);
        match only.as_str() {
            "raw" => raw_insert(&mut raw, rows),
            _ => core_insert(rows),
        }
        let _ = admin.query_drop(format!("DROP DATABASE {database}"));
        return;
    }
    let (mut raw_insert_best, mut core_insert_best) = (Best::NONE, Best::NONE);
    for _ in 0..rounds(5, profiling("SQLCORE_BENCH_STREAM_ONLY")) {
        raw_insert_best.round(|| raw_insert(&mut raw, INSERT_ROWS));
        core_insert_best.round(|| core_insert(INSERT_ROWS));
    }

    // 3. 1,000,000 rows read unbuffered: the raw result iterated against stream_results.
    let query = |rows: i32| format!("SELECT seq, CONCAT('row ', seq) FROM seq_1_to_{rows}");
    let mut conn = engine.connect().unwrap();
    conn.execution_options(
        ExecutionOptions::default()
            .stream_results(true)
            .max_row_buffer(1000),
    )
    .unwrap();
    let raw_stream = |raw: &mut mysql::Conn, rows: i32| {
        let mut count = 0;
        let stmt = raw.prep(query(rows)).unwrap();
        for row in raw.exec_iter(&stmt, ()).unwrap() {
            let (n, label): (i64, String) = mysql::from_row(row.unwrap());
            black_box((n, label));
            count += 1;
        }
        assert_eq!(count, rows);
    };
    let core_stream = |conn: &mut Connection, rows: i32| {
        let mut count = 0;
        for row in conn.execute(text(&query(rows)), ()).unwrap() {
            let row = row.unwrap();
            black_box((row.get::<i64>(0).unwrap(), row.get::<String>(1).unwrap()));
            count += 1;
        }
        assert_eq!(count, rows);
        conn.rollback().unwrap();
    };
    if let Ok(only) = std::env::var("SQLCORE_BENCH_STREAM_ONLY") {
        // For profiling, as the point selects' mode: one contender reads
        // SQLCORE_BENCH_STREAM_ROWS rows (at most 1,000,000).
        let rows = count_from_env("SQLCORE_BENCH_STREAM_ROWS", 1, STREAM_ROWS);
        match only.as_str() {
            "raw" => raw_stream(&mut raw, rows),
            _ => core_stream(&mut conn, rows),
        }
        drop(conn);
        let _ = admin.query_drop(format!("DROP DATABASE {database}"));
        return;
    }
    let (raw_stream, core_stream) = compare(
        3,
        || raw_stream(&mut raw, STREAM_ROWS),
        || core_stream(&mut conn, STREAM_ROWS),
    );
    drop(conn);
    let _ = admin.query_drop(format!("DROP DATABASE {database}"));

    println!(
        "{:<60} {:>12} {:>12} {:>10} {:>8}",
        "benchmark (best of alternating runs)", "raw", "sqlcore", "ratio", "target"
    );
    let line = |name: &str, raw: Duration, core: Duration, target: &str| {
        println!(
            "{:<60} {:>10.1}ms {:>10.1}ms {:>9.3}x {:>8}",
            name,
            raw.as_secs_f64() * 1000.0,
            core.as_secs_f64() * 1000.0,
            core.as_secs_f64() / raw.as_secs_f64(),
            target
        );
    };
    for (style, core) in Style::ALL.into_iter().zip(&core_point) {
        line(
            &format!("point select by PK x{POINT_SELECTS}, {}", style.label()),
            raw_point.wall,
            core.wall,
            "<=1.10x",
        );
    }
    line(
        &format!("insert {INSERT_ROWS} rows (raw: VALUES x1000)"),
        raw_insert_best.wall,
        core_insert_best.wall,
        "<=1.11x",
    );
    line(
        &format!("stream {STREAM_ROWS} rows (unbuffered)"),
        raw_stream,
        core_stream,
        "-",
    );
    let per_select = |cpu: Duration| cpu.as_secs_f64() * 1e6 / f64::from(POINT_SELECTS);
    println!(
        "client CPU per point select (best round): raw {:.2} µs",
        per_select(raw_point.cpu)
    );
    for (style, core) in Style::ALL.into_iter().zip(&core_point) {
        println!(
            "  sqlcore, {:<40} {:.2} µs ({:.3}x)",
            style.label(),
            per_select(core.cpu),
            core.cpu.as_secs_f64() / raw_point.cpu.as_secs_f64(),
        );
    }
    let per_row = |cpu: Duration| cpu.as_secs_f64() * 1e6 / f64::from(INSERT_ROWS);
    println!(
        "client CPU per inserted row (best round): raw {:.2} µs, sqlcore {:.2} µs ({:.3}x)",
        per_row(raw_insert_best.cpu),
        per_row(core_insert_best.cpu),
        core_insert_best.cpu.as_secs_f64() / raw_insert_best.cpu.as_secs_f64(),
    );
}
