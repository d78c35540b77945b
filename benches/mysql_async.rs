//! sqlcore's async engine against the raw `mysql_async` crate, in one run, on the local
//! MariaDB/MySQL server (`SQLCORE_TEST_MYSQL_URL`, default `mysql://root@127.0.0.1:3306/test`;
//! a database of its own, dropped at the end), both on one current-thread tokio runtime: a point
//! select by primary key and a 1,000,000-row streamed (unbuffered) read, alternating rounds, with
//! the client CPU per point select. The point select runs in three sqlcore styles beside the raw
//! crate's statement prepared once: a `select()` built per call (through the compiled cache),
//! and the statement prepared once with `engine.prepare`, run with `execute(..).one()` and
//! with `query_row`. Run with `cargo bench --bench mysql_async`.
//!
//! For profiling, `SQLCORE_BENCH_POINT_ONLY=raw` (or `=sqlcore` for the built style,
//! `=prepared`, `=query_row`) runs only that contender's point selects, once, and prints
//! nothing; `SQLCORE_BENCH_POINT_COUNT=N` runs N of them (at most 20,000). Under
//! `valgrind --tool=callgrind`, the difference between two counts divided by the difference of
//! the counts is one select's client instructions, without the set-up.

mod common;

use common::{Best, Style, compare};
use futures_util::TryStreamExt;
use mysql_async::prelude::Queryable;
use sqlcore::*;
use std::hint::black_box;
use std::time::Duration;

const POINT_SELECTS: i32 = 20_000;
const STREAM_ROWS: i32 = 1_000_000;

fn url() -> String {
    std::env::var("SQLCORE_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned())
}

/// The raw point selects.
async fn raw_point_selects(raw: &mut mysql_async::Conn, stmt: &mysql_async::Statement, n: i32) {
    for i in 1..=n {
        let row: Option<(i32, String)> = raw.exec_first(stmt, (i,)).await.unwrap();
        black_box(row.unwrap());
    }
}

/// sqlcore's point selects in `style` (`by_id` is the statement prepared once).
async fn core_point_selects(
    conn: &mut AsyncConnection,
    users: &Table,
    by_id: &Prepared,
    style: Style,
    n: i32,
) {
    match style {
        Style::Built => {
            for i in 1..=n {
                let row = conn
                    .execute(select(users).filter(users.c("id").eq(i)), ())
                    .await
                    .unwrap()
                    .one()
                    .unwrap();
                black_box(row.get::<String>(1).unwrap());
            }
        }
        Style::PreparedOne => {
            for i in 1..=n {
                let row = conn
                    .execute(by_id, params! { "id" => i })
                    .await
                    .unwrap()
                    .one()
                    .unwrap();
                black_box(row.get::<String>(1).unwrap());
            }
        }
        Style::PreparedQueryRow => {
            for i in 1..=n {
                let name = conn
                    .query_row(by_id, params! { "id" => i }, |row| row.get::<String>(1))
                    .await
                    .unwrap();
                black_box(name);
            }
        }
    }
}

async fn raw_stream(raw: &mut mysql_async::Conn, query: &str) {
    let stmt = raw.prep(query).await.unwrap();
    let mut result = raw.exec_iter(&stmt, ()).await.unwrap();
    let mut count = 0;
    while let Some(row) = result.next().await.unwrap() {
        let (n, label): (i64, String) = mysql_async::from_row(row);
        black_box((n, label));
        count += 1;
    }
    assert_eq!(count, STREAM_ROWS);
}

async fn core_stream(conn: &mut AsyncConnection, query: &str) {
    let mut rows = conn.stream(text(query), ()).await.unwrap();
    let mut count = 0;
    while let Some(row) = rows.try_next().await.unwrap() {
        black_box((row.get::<i64>(0).unwrap(), row.get::<String>(1).unwrap()));
        count += 1;
    }
    drop(rows);
    assert_eq!(count, STREAM_ROWS);
    conn.rollback().await.unwrap();
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let database = format!("sqlcore_bench_async_{}", std::process::id());
    let base = url();
    let authority = base
        .split_once("://")
        .map_or(base.as_str(), |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let db_url = format!("mysql://{authority}/{database}");
    let users = Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).not_null());
    let (mut admin, mut raw, engine) = rt.block_on(async {
        let mut admin = mysql_async::Conn::from_url(&base).await.expect("connect");
        admin
            .query_drop(format!(
                "DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database}"
            ))
            .await
            .expect("create the database");
        // Over TCP as sqlcore connects.
        let opts = mysql_async::Opts::from_url(&db_url).unwrap();
        let opts = mysql_async::OptsBuilder::from_opts(opts).prefer_socket(false);
        let mut raw = mysql_async::Conn::new(opts).await.expect("connect");
        raw.query_drop("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            .await
            .expect("set up");
        raw.query_drop(format!(
            "INSERT INTO users SELECT seq, CONCAT('user ', seq) FROM seq_1_to_{POINT_SELECTS}"
        ))
        .await
        .expect("users (MariaDB's sequence engine)");
        let engine = create_async_engine(&db_url).expect("engine");
        (admin, raw, engine)
    });

    // 1. Point select by primary key: the raw statement prepared once; sqlcore's built per
    // call (through the compiled cache) and prepared once (`engine.prepare`).
    let (stmt, mut conn) = rt.block_on(async {
        let stmt = raw
            .prep("SELECT users.id, users.name FROM users WHERE users.id = ?")
            .await
            .unwrap();
        (stmt, engine.connect().await.unwrap())
    });
    let by_id = engine
        .prepare(select(&users).filter(users.c("id").eq(bindparam("id"))))
        .unwrap();
    assert!(by_id.is_compiled());
    if let Ok(only) = std::env::var("SQLCORE_BENCH_POINT_ONLY") {
        let n = std::env::var("SQLCORE_BENCH_POINT_COUNT")
            .ok()
            .and_then(|n| n.parse().ok())
            .map_or(POINT_SELECTS, |n: i32| n.clamp(0, POINT_SELECTS));
        rt.block_on(async {
            match Style::named(&only) {
                Some(style) => core_point_selects(&mut conn, &users, &by_id, style, n).await,
                None => raw_point_selects(&mut raw, &stmt, n).await,
            }
            drop(conn);
            let _ = admin.query_drop(format!("DROP DATABASE {database}")).await;
        });
        return;
    }
    // Alternating rounds: every contender sees the same machine load.
    let mut raw_point = Best::NONE;
    let mut core_point = [Best::NONE; Style::ALL.len()];
    for _ in 0..5 {
        raw_point.round(|| rt.block_on(raw_point_selects(&mut raw, &stmt, POINT_SELECTS)));
        for (style, best) in Style::ALL.into_iter().zip(&mut core_point) {
            best.round(|| {
                rt.block_on(core_point_selects(
                    &mut conn,
                    &users,
                    &by_id,
                    style,
                    POINT_SELECTS,
                ))
            });
        }
    }
    rt.block_on(conn.rollback()).unwrap();

    // 2. 1,000,000 rows read unbuffered.
    let query = format!("SELECT seq, CONCAT('row ', seq) FROM seq_1_to_{STREAM_ROWS}");
    rt.block_on(conn.update_execution_options(|o| o.max_row_buffer(1000)))
        .unwrap();
    let (raw_streamed, core_streamed) = compare(
        3,
        || rt.block_on(raw_stream(&mut raw, &query)),
        || rt.block_on(core_stream(&mut conn, &query)),
    );
    drop(conn);
    rt.block_on(async {
        let _ = admin.query_drop(format!("DROP DATABASE {database}")).await;
    });

    println!(
        "{:<60} {:>12} {:>12} {:>10}",
        "benchmark (best of alternating runs)", "raw", "sqlcore", "ratio"
    );
    let line = |name: &str, raw: Duration, core: Duration| {
        println!(
            "{:<60} {:>10.1}ms {:>10.1}ms {:>9.3}x",
            name,
            raw.as_secs_f64() * 1000.0,
            core.as_secs_f64() * 1000.0,
            core.as_secs_f64() / raw.as_secs_f64(),
        );
    };
    for (style, core) in Style::ALL.into_iter().zip(&core_point) {
        line(
            &format!("async point select x{POINT_SELECTS}, {}", style.label()),
            raw_point.wall,
            core.wall,
        );
    }
    line(
        &format!("async stream {STREAM_ROWS} rows"),
        raw_streamed,
        core_streamed,
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
}
