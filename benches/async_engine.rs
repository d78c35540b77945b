//! The async engine against the sync one, in one run: a prepared point select by primary key,
//! one after another on one connection, on in-memory SQLite and on the local PostgreSQL server
//! (`SQLCORE_TEST_PG_URL`; skipped when unreachable), and a pool checkout and return. On SQLite
//! it shows what the hop to a connection's thread costs; PostgreSQL connections are native.
//! On PostgreSQL the async engine's point select is also set against raw tokio-postgres (a
//! prepared statement on one client, its connection task on the same runtime): the physical
//! limit. Run with `cargo bench --bench async_engine`.

mod common;

use common::compare;
use sqlcore::*;
use std::time::Duration;

const SELECTS: i64 = 5_000;
const ROUNDS: usize = 5;

fn per(d: Duration, n: i64) -> f64 {
    d.as_secs_f64() * 1e6 / n as f64
}

fn row(what: &str, sync: Duration, asynch: Duration, n: i64) {
    let (s, a) = (per(sync, n), per(asynch, n));
    println!("| {what} | {s:.2} µs | {a:.2} µs | {:.2}× |", a / s);
}

fn point_selects(url: &str, setup: &[&str], runtime: &tokio::runtime::Runtime) {
    let sync = create_engine(url).unwrap();
    let asynch = AsyncEngine::builder(url).build_async().unwrap();
    let mut conn = sync.connect().unwrap();
    for sql in setup {
        conn.execute(text(sql), ()).unwrap();
    }
    conn.commit().unwrap();
    let users = Table::new("bench_users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text));
    let by_id = sync
        .prepare(select(&users).filter(users.c("id").eq(bindparam("id"))))
        .unwrap();
    let by_id_async = asynch
        .prepare(select(&users).filter(users.c("id").eq(bindparam("id"))))
        .unwrap();
    let mut aconn = runtime.block_on(asynch.connect()).unwrap();
    let (s, a) = compare(
        ROUNDS,
        || {
            for id in 1..=SELECTS {
                let name: String = conn
                    .query_row(&by_id, params! { "id" => id % 1000 + 1 }, |r| r.get(1))
                    .unwrap();
                std::hint::black_box(name);
            }
        },
        || {
            runtime.block_on(async {
                for id in 1..=SELECTS {
                    let name: String = aconn
                        .query_row(&by_id_async, params! { "id" => id % 1000 + 1 }, |r| {
                            r.get(1)
                        })
                        .await
                        .unwrap();
                    std::hint::black_box(name);
                }
            })
        },
    );
    row(
        &format!("point select, prepared ({})", sync.dialect().name()),
        s,
        a,
        SELECTS,
    );
    drop(aconn);
    let (s, a) = compare(
        ROUNDS,
        || {
            for _ in 0..SELECTS {
                drop(sync.connect().unwrap());
            }
        },
        || {
            runtime.block_on(async {
                for _ in 0..SELECTS {
                    drop(asynch.connect().await.unwrap());
                }
            })
        },
    );
    row(
        &format!("pool checkout + return ({})", sync.dialect().name()),
        s,
        a,
        SELECTS,
    );
}

/// The async engine's prepared point select against raw tokio-postgres on the same runtime
/// (the statement prepared once, its connection task spawned there), one run.
fn raw_point_selects(url: &str, runtime: &tokio::runtime::Runtime) {
    let asynch = AsyncEngine::builder(url).build_async().unwrap();
    let users = Table::new("bench_users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text));
    let by_id = asynch
        .prepare(select(&users).filter(users.c("id").eq(bindparam("id"))))
        .unwrap();
    let mut aconn = runtime.block_on(asynch.connect()).unwrap();
    let (client, stmt) = runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        let stmt = client
            .prepare("SELECT bench_users.id, bench_users.name FROM bench_users WHERE bench_users.id = $1")
            .await
            .unwrap();
        (client, stmt)
    });
    let (raw, a) = compare(
        ROUNDS,
        || {
            runtime.block_on(async {
                for id in 1..=SELECTS {
                    let key = (id % 1000 + 1) as i32;
                    let row = client.query_one(&stmt, &[&key]).await.unwrap();
                    std::hint::black_box(row.get::<_, String>(1));
                }
            })
        },
        || {
            runtime.block_on(async {
                for id in 1..=SELECTS {
                    let name: String = aconn
                        .query_row(&by_id, params! { "id" => id % 1000 + 1 }, |r| r.get(1))
                        .await
                        .unwrap();
                    std::hint::black_box(name);
                }
            })
        },
    );
    let (r, s) = (per(raw, SELECTS), per(a, SELECTS));
    println!();
    println!("| baseline | raw tokio-postgres | async engine | async / raw |");
    println!("|---|---|---|---|");
    println!(
        "| point select, prepared (postgresql) | {r:.2} µs | {s:.2} µs | {:.2}× |",
        s / r
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("| benchmark | sync engine | async engine | async / sync |");
    println!("|---|---|---|---|");
    let dir = std::env::temp_dir().join(format!("sqlcore-bench-async-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = format!("sqlite:///{}", dir.join("bench.db").display());
    let fill = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO bench_users SELECT i, 'user ' || i FROM n";
    point_selects(
        &file,
        &[
            "CREATE TABLE bench_users (id INTEGER PRIMARY KEY, name TEXT)",
            fill,
        ],
        &runtime,
    );
    let _ = std::fs::remove_dir_all(&dir);
    let pg = std::env::var("SQLCORE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".to_owned());
    if create_engine(&pg)
        .and_then(|e| e.connect().map(drop))
        .is_err()
    {
        eprintln!("PostgreSQL at {pg} is unreachable: its rows are left out");
        return;
    }
    point_selects(
        &pg,
        &[
            "DROP TABLE IF EXISTS bench_users",
            "CREATE TABLE bench_users (id INTEGER PRIMARY KEY, name TEXT)",
            "INSERT INTO bench_users SELECT g, 'user ' || g FROM generate_series(1, 1000) AS g",
        ],
        &runtime,
    );
    raw_point_selects(&pg, &runtime);
    let engine = create_engine(&pg).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("DROP TABLE bench_users"), ()).unwrap();
    conn.commit().unwrap();
}
