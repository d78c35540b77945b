//! sqlcore's async engine against sqlx on the local PostgreSQL server (`SQLCORE_TEST_PG_URL`),
//! one run, same runtime (two workers): a prepared point select by primary key, a pool
//! acquire + release, a 100,000-row insert, and a 1,000,000-row streamed fetch. Each row is
//! the best of a few rounds that alternate the two. Prints one Markdown table. Arguments name
//! the rows to run (`select`, `acquire`, `insert`, `stream`); none runs them all:
//!   cargo run --release --manifest-path benches/peers/Cargo.toml --target-dir target -- stream

use futures_util::TryStreamExt;
use sqlcore::*;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection as _, QueryBuilder, Row as _};
use std::time::{Duration, Instant};

const SELECTS: i64 = 5_000;
const ACQUIRES: usize = 5_000;
const INSERTED: i64 = 100_000;
/// Rows of the streamed fetch, unless `PEERS_FETCHED` says otherwise (fewer, to run it under
/// callgrind).
const FETCHED: i64 = 1_000_000;

/// The best timings of the two bodies over `rounds` alternating rounds.
macro_rules! compare {
    ($rounds:expr, $a:block, $b:block) => {{
        let (mut best_a, mut best_b) = (Duration::MAX, Duration::MAX);
        for _ in 0..$rounds {
            let t = Instant::now();
            $a;
            best_a = best_a.min(t.elapsed());
            let t = Instant::now();
            $b;
            best_b = best_b.min(t.elapsed());
        }
        (best_a, best_b)
    }};
}

fn row(what: &str, sqlx: Duration, core: Duration, unit: &str, n: f64) {
    let (x, c) = (sqlx.as_secs_f64() * 1e6 / n, core.as_secs_f64() * 1e6 / n);
    println!(
        "| {what} | {x:.2} µs{unit} | {c:.2} µs{unit} | {:.2}× |",
        c / x
    );
}

fn main() {
    let url = std::env::var("SQLCORE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".to_owned());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(&url));
}

/// Whether the row `name` is to run (see the crate's documentation).
fn wanted(name: &str) -> bool {
    let mut asked = std::env::args().skip(1).peekable();
    asked.peek().is_none() || asked.any(|a| a == name)
}

async fn run(url: &str) {
    let engine = AsyncEngine::builder(url).build_async().expect("engine");
    // As sqlcore's pool (no pre-ping by default): sqlx pings at every acquire unless told not to.
    let pool = PgPoolOptions::new()
        .max_connections(15)
        .test_before_acquire(false)
        .connect(url)
        .await
        .expect("sqlx pool");
    {
        let mut conn = engine.connect().await.expect("connect");
        conn.execute_batch(
            "DROP TABLE IF EXISTS peers_users, peers_sink_core, peers_sink_sqlx;
             CREATE TABLE peers_users (id INTEGER PRIMARY KEY, name TEXT);
             INSERT INTO peers_users SELECT g, 'user ' || g FROM generate_series(1, 1000) AS g;
             CREATE TABLE peers_sink_core (id INTEGER, name TEXT);
             CREATE TABLE peers_sink_sqlx (id INTEGER, name TEXT);",
        )
        .await
        .expect("set-up");
        conn.commit().await.expect("commit");
    }
    println!("| benchmark (PostgreSQL) | sqlx 0.8 | sqlcore async | sqlcore / sqlx |");
    println!("|---|---|---|---|");

    if wanted("select") {
        point_select(&engine, url).await;
    }
    if wanted("acquire") {
        acquire(&engine, &pool).await;
    }
    if wanted("insert") {
        insert_rows(&engine, &pool).await;
    }
    if wanted("stream") {
        streamed_fetch(&engine, &pool).await;
    }

    let mut conn = engine.connect().await.expect("connect");
    conn.execute_batch("DROP TABLE peers_users, peers_sink_core, peers_sink_sqlx")
        .await
        .expect("clean-up");
    conn.commit().await.expect("commit");
}

/// Point select by primary key, prepared, one connection.
async fn point_select(engine: &AsyncEngine, url: &str) {
    let users = Table::new("peers_users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text));
    let by_id = engine
        .prepare(select(&users).filter(users.c("id").eq(bindparam("id"))))
        .expect("prepare");
    let mut core = engine.connect().await.expect("connect");
    let mut sqlx_conn = sqlx::PgConnection::connect(url)
        .await
        .expect("sqlx connect");
    let sql = "SELECT peers_users.id, peers_users.name FROM peers_users WHERE peers_users.id = $1";
    let (x, c) = compare!(
        5,
        {
            for id in 1..=SELECTS {
                let row = sqlx::query(sql)
                    .bind((id % 1000 + 1) as i32)
                    .fetch_one(&mut sqlx_conn)
                    .await
                    .expect("sqlx select");
                std::hint::black_box(row.get::<String, _>(1));
            }
        },
        {
            for id in 1..=SELECTS {
                let name: String = core
                    .query_row(&by_id, params! { "id" => id % 1000 + 1 }, |r| r.get(1))
                    .await
                    .expect("select");
                std::hint::black_box(name);
            }
        }
    );
    row(
        "point select by primary key, prepared",
        x,
        c,
        "",
        SELECTS as f64,
    );
    core.rollback().await.expect("rollback");
}

/// Pool acquire + release.
async fn acquire(engine: &AsyncEngine, pool: &sqlx::PgPool) {
    let (x, c) = compare!(
        5,
        {
            for _ in 0..ACQUIRES {
                drop(pool.acquire().await.expect("acquire"));
            }
        },
        {
            for _ in 0..ACQUIRES {
                drop(engine.connect().await.expect("connect"));
            }
        }
    );
    row("pool acquire + release", x, c, "", ACQUIRES as f64);
}

/// 100,000-row insert in one transaction: sqlx's multi-row VALUES (QueryBuilder, batches
/// within the parameter limit); sqlcore's execute_many (binary COPY).
async fn insert_rows(engine: &AsyncEngine, pool: &sqlx::PgPool) {
    let sink = Table::new("peers_sink_core")
        .column(Column::new("id", SqlType::Integer))
        .column(Column::new("name", SqlType::Text));
    let (x, c) = compare!(
        3,
        {
            let mut tx = pool.begin().await.expect("begin");
            sqlx::query("TRUNCATE peers_sink_sqlx")
                .execute(&mut *tx)
                .await
                .expect("truncate");
            let ids: Vec<i64> = (1..=INSERTED).collect();
            for batch in ids.chunks(30_000) {
                let mut insert = QueryBuilder::new("INSERT INTO peers_sink_sqlx (id, name) ");
                insert.push_values(batch, |mut b, id| {
                    b.push_bind(*id as i32).push_bind(format!("user {id}"));
                });
                insert.build().execute(&mut *tx).await.expect("insert");
            }
            tx.commit().await.expect("commit");
        },
        {
            let mut conn = engine.connect().await.expect("connect");
            conn.execute(text("TRUNCATE peers_sink_core"), ())
                .await
                .expect("truncate");
            let rows =
                (1..=INSERTED).map(|id| params! { "id" => id, "name" => format!("user {id}") });
            conn.execute_many(insert(&sink), rows)
                .await
                .expect("insert");
            conn.commit().await.expect("commit");
        }
    );
    row("100,000-row insert (per row)", x, c, "", INSERTED as f64);
}

/// 1,000,000-row streamed fetch.
async fn streamed_fetch(engine: &AsyncEngine, pool: &sqlx::PgPool) {
    let fetched: i64 = std::env::var("PEERS_FETCHED").map_or(FETCHED, |n| n.parse().expect("a row count"));
    let fetch = format!("SELECT g, 'user ' || g FROM generate_series(1, {fetched}) AS g");
    let (x, c) = compare!(
        5,
        {
            let mut conn = pool.acquire().await.expect("acquire");
            let mut rows = sqlx::query(fetch.as_str()).fetch(&mut *conn);
            let mut n = 0i64;
            while let Some(row) = rows.try_next().await.expect("fetch") {
                n += row.get::<i32, _>(0) as i64 & 1;
            }
            std::hint::black_box(n);
        },
        {
            let mut conn = engine.connect().await.expect("connect");
            conn.update_execution_options(|o| o.max_row_buffer(10_000))
                .await
                .expect("options");
            let mut rows = conn.stream(text(fetch.as_str()), ()).await.expect("stream");
            let mut n = 0i64;
            while let Some(row) = rows.try_next().await.expect("fetch") {
                n += row.get::<i64>(0).expect("g") & 1;
            }
            std::hint::black_box(n);
        }
    );
    row(
        "1,000,000-row streamed fetch (per row)",
        x,
        c,
        "",
        fetched as f64,
    );
}
