//! sqlcore's async engine against sqlx, its async peer, and raw tokio-postgres on the local
//! PostgreSQL server (`SQLCORE_TEST_PG_URL`): a prepared point select by primary key (also
//! against raw tokio-postgres), a pool acquire + release, a 100,000-row insert, and a
//! 1,000,000-row streamed fetch.
//!
//! Modes:
//! - no argument, or the rows to run (`select`, `acquire`, `insert`, `stream`): wall time, one
//!   run on a multi-thread runtime (two workers), each row the best of a few rounds that
//!   alternate the libraries; prints one Markdown table;
//! - `--instructions`: the client's instructions per operation, each case counted by
//!   `valgrind --tool=callgrind` in processes of its own, a figure that load on the machine
//!   does not move (the server is another process: its work is not counted). Every thread of
//!   the process is counted — the runtime's own work, tokio-postgres' connection task and
//!   sqlcore's blocking threads included — and set-up cancels out: a case is run with `N` and
//!   with `2N` operations, and the difference divided by `N`. Every case runs on a
//!   current-thread runtime, so all compare like for like;
//! - `--only <case> [--iterations N]`: runs one case `N` times and nothing else (see
//!   [`COUNTED`]; e.g. `select-core`), for `valgrind --tool=callgrind` and `callgrind_annotate`
//!   by hand.
//!
//!   cargo run --release --manifest-path benches/peers/Cargo.toml --target-dir target -- --instructions

use futures_util::TryStreamExt;
use sqlcore::*;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection as _, QueryBuilder, Row as _};
use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

const SELECTS: i64 = 5_000;
const ACQUIRES: i64 = 5_000;
const INSERTED: i64 = 100_000;
/// Rows of the wall run's streamed fetch, unless `PEERS_FETCHED` says otherwise.
const FETCHED: i64 = 1_000_000;
/// The largest number of rows sqlx inserts with one multi-row VALUES (its parameters stay
/// within PostgreSQL's 65,535).
const SQLX_BATCH: usize = 30_000;

/// The rows of the instruction count: what is counted, its cases' prefix, and `N` (each case
/// also runs `2N` times). A case is `<prefix>-<library>`: `sqlx`, `core`, and for the point
/// select `raw` (tokio-postgres).
const COUNTED: [(&str, &str, i64); 4] = [
    ("point select by primary key, prepared", "select", 1_000),
    ("pool acquire + release", "acquire", 1_000),
    ("insert (per row)", "insert", 10_000),
    ("streamed fetch (per row)", "stream", 20_000),
];

/// The best timing of each body over `rounds` rounds that run them in turn.
macro_rules! best_of {
    ($rounds:expr, $($body:block),+ $(,)?) => {{
        let mut best = [$({ let _ = stringify!($body); Duration::MAX }),+];
        for _ in 0..$rounds {
            let mut i = 0;
            $(
                let t = Instant::now();
                $body;
                best[i] = best[i].min(t.elapsed());
                i += 1;
            )+
            let _ = i;
        }
        best
    }};
}

fn row(what: &str, peer: Duration, core: Duration, n: i64) {
    let (x, c) = (
        peer.as_secs_f64() * 1e6 / n as f64,
        core.as_secs_f64() * 1e6 / n as f64,
    );
    println!("| {what} | {x:.2} µs | {c:.2} µs | {:.2}× |", c / x);
}

fn arg_after(args: &[String], flag: &str) -> Option<String> {
    let pos = args.iter().position(|a| a == flag)?;
    args.get(pos + 1).cloned()
}

fn main() {
    let url = std::env::var("SQLCORE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".to_owned());
    let args: Vec<String> = std::env::args().collect();
    if let Some(case) = arg_after(&args, "--only") {
        let n = arg_after(&args, "--iterations").map_or(1_000, |n| n.parse().expect("a count"));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(only(&url, &case, n));
    } else if args.iter().any(|a| a == "--instructions") {
        instructions(&args[0]);
    } else {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(wall(&url));
    }
}

/// Whether the row `name` is to run (see the crate's documentation).
fn wanted(name: &str) -> bool {
    let mut asked = std::env::args().skip(1).peekable();
    asked.peek().is_none() || asked.any(|a| a == name)
}

/// The benchmark's tables, created afresh.
async fn set_up(engine: &AsyncEngine) {
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

async fn clean_up(engine: &AsyncEngine) {
    let mut conn = engine.connect().await.expect("connect");
    conn.execute_batch("DROP TABLE peers_users, peers_sink_core, peers_sink_sqlx")
        .await
        .expect("clean-up");
    conn.commit().await.expect("commit");
}

/// As sqlcore's pool (no pre-ping by default): sqlx pings at every acquire unless told not to.
async fn sqlx_pool(url: &str) -> sqlx::PgPool {
    PgPoolOptions::new()
        .max_connections(15)
        .test_before_acquire(false)
        .connect(url)
        .await
        .expect("sqlx pool")
}

fn users() -> Table {
    Table::new("peers_users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text))
}

const SELECT_SQL: &str =
    "SELECT peers_users.id, peers_users.name FROM peers_users WHERE peers_users.id = $1";

/// One connection of each library, for the point select.
struct Selects {
    by_id: Prepared,
    core: AsyncConnection,
    sqlx: sqlx::PgConnection,
    raw: tokio_postgres::Client,
    raw_stmt: tokio_postgres::Statement,
}

impl Selects {
    async fn new(engine: &AsyncEngine, url: &str) -> Self {
        let users = users();
        let by_id = engine
            .prepare(select(&users).filter(users.c("id").eq(bindparam("id"))))
            .expect("prepare");
        let core = engine.connect().await.expect("connect");
        let sqlx = sqlx::PgConnection::connect(url)
            .await
            .expect("sqlx connect");
        // Its connection task on the same runtime, as users run it.
        let (raw, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("tokio-postgres connect");
        tokio::spawn(connection);
        let raw_stmt = raw.prepare(SELECT_SQL).await.expect("prepare");
        Selects {
            by_id,
            core,
            sqlx,
            raw,
            raw_stmt,
        }
    }

    async fn sqlx(&mut self, n: i64) {
        for id in 1..=n {
            let row = sqlx::query(SELECT_SQL)
                .bind((id % 1000 + 1) as i32)
                .fetch_one(&mut self.sqlx)
                .await
                .expect("sqlx select");
            black_box(row.get::<String, _>(1));
        }
    }

    async fn core(&mut self, n: i64) {
        for id in 1..=n {
            let name: String = self
                .core
                .query_row(&self.by_id, params! { "id" => id % 1000 + 1 }, |r| r.get(1))
                .await
                .expect("select");
            black_box(name);
        }
    }

    async fn raw(&self, n: i64) {
        for id in 1..=n {
            let key = (id % 1000 + 1) as i32;
            let row = self
                .raw
                .query_one(&self.raw_stmt, &[&key])
                .await
                .expect("raw select");
            black_box(row.get::<_, String>(1));
        }
    }
}

async fn sqlx_acquires(pool: &sqlx::PgPool, n: i64) {
    for _ in 0..n {
        drop(pool.acquire().await.expect("acquire"));
    }
}

async fn core_acquires(engine: &AsyncEngine, n: i64) {
    for _ in 0..n {
        drop(engine.connect().await.expect("connect"));
    }
}

/// `n` rows inserted in one transaction with sqlx's multi-row VALUES (QueryBuilder, batches
/// within the parameter limit).
async fn sqlx_insert(pool: &sqlx::PgPool, n: i64) {
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query("TRUNCATE peers_sink_sqlx")
        .execute(&mut *tx)
        .await
        .expect("truncate");
    let ids: Vec<i64> = (1..=n).collect();
    for batch in ids.chunks(SQLX_BATCH) {
        let mut insert = QueryBuilder::new("INSERT INTO peers_sink_sqlx (id, name) ");
        insert.push_values(batch, |mut b, id| {
            b.push_bind(*id as i32).push_bind(format!("user {id}"));
        });
        insert.build().execute(&mut *tx).await.expect("insert");
    }
    tx.commit().await.expect("commit");
}

/// `n` rows inserted in one transaction with sqlcore's execute_many (binary COPY).
async fn core_insert(engine: &AsyncEngine, n: i64) {
    let sink = Table::new("peers_sink_core")
        .column(Column::new("id", SqlType::Integer))
        .column(Column::new("name", SqlType::Text));
    let mut conn = engine.connect().await.expect("connect");
    conn.execute(text("TRUNCATE peers_sink_core"), ())
        .await
        .expect("truncate");
    let rows = (1..=n).map(|id| params! { "id" => id, "name" => format!("user {id}") });
    conn.execute_many(insert(&sink), rows)
        .await
        .expect("insert");
    conn.commit().await.expect("commit");
}

fn fetch_sql(n: i64) -> String {
    format!("SELECT g, 'user ' || g FROM generate_series(1, {n}) AS g")
}

/// `n` rows streamed, each row's first column read.
async fn sqlx_stream(pool: &sqlx::PgPool, n: i64) {
    let fetch = fetch_sql(n);
    let mut conn = pool.acquire().await.expect("acquire");
    let mut rows = sqlx::query(fetch.as_str()).fetch(&mut *conn);
    let mut odd = 0i64;
    while let Some(row) = rows.try_next().await.expect("fetch") {
        odd += row.get::<i32, _>(0) as i64 & 1;
    }
    black_box(odd);
}

async fn core_stream(engine: &AsyncEngine, n: i64) {
    let fetch = fetch_sql(n);
    let mut conn = engine.connect().await.expect("connect");
    conn.update_execution_options(|o| o.max_row_buffer(10_000))
        .await
        .expect("options");
    let mut rows = conn.stream(text(fetch.as_str()), ()).await.expect("stream");
    let mut odd = 0i64;
    while let Some(row) = rows.try_next().await.expect("fetch") {
        odd += row.get::<i64>(0).expect("g") & 1;
    }
    black_box(odd);
}

/// Runs `case` `n` times (its set-up and clean-up around it), for the instruction count.
async fn only(url: &str, case: &str, n: i64) {
    let engine = AsyncEngine::builder(url).build_async().expect("engine");
    set_up(&engine).await;
    let (what, lib) = case.split_once('-').expect("a case named <row>-<library>");
    if what == "select" {
        let mut selects = Selects::new(&engine, url).await;
        match lib {
            "sqlx" => selects.sqlx(n).await,
            "core" => selects.core(n).await,
            "raw" => selects.raw(n).await,
            _ => panic!("no case {case}"),
        }
        selects.core.rollback().await.expect("rollback");
    } else {
        let pool = sqlx_pool(url).await;
        match case {
            "acquire-sqlx" => sqlx_acquires(&pool, n).await,
            "acquire-core" => core_acquires(&engine, n).await,
            "insert-sqlx" => sqlx_insert(&pool, n).await,
            "insert-core" => core_insert(&engine, n).await,
            "stream-sqlx" => sqlx_stream(&pool, n).await,
            "stream-core" => core_stream(&engine, n).await,
            _ => panic!("no case {case}"),
        }
        pool.close().await;
    }
    clean_up(&engine).await;
}

/// The instructions of `exe --only case --iterations n` under callgrind, every thread counted.
fn counted(exe: &str, case: &str, n: i64) -> u64 {
    let out_file = std::env::temp_dir().join(format!("sqlcore-peers-{}.out", std::process::id()));
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(exe)
        .args(["--only", case, "--iterations", &n.to_string()])
        .output()
        .expect("valgrind runs (is it installed?)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // One file per thread with `--separate-threads`; one for the process here.
    let text = std::fs::read_to_string(&out_file).expect("callgrind output");
    let _ = std::fs::remove_file(&out_file);
    text.lines()
        .find_map(|l| {
            l.strip_prefix("totals: ")
                .or_else(|| l.strip_prefix("summary: "))
        })
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .expect("a callgrind total")
}

/// Instructions per operation of every case (see the crate's documentation).
fn instructions(exe: &str) {
    let per = |case: &str, n: i64| {
        let (once, twice) = (counted(exe, case, n), counted(exe, case, 2 * n));
        twice.saturating_sub(once) as f64 / n as f64
    };
    println!(
        "client instructions per operation (valgrind --tool=callgrind, every thread; the difference between N and 2N operations, divided by N; current-thread runtime)"
    );
    println!();
    println!("| benchmark (PostgreSQL) | N | sqlx 0.8 | sqlcore async | sqlcore / sqlx |");
    println!("|---|---|---|---|---|");
    let mut raw = None;
    for (what, prefix, n) in COUNTED {
        let (x, c) = (
            per(&format!("{prefix}-sqlx"), n),
            per(&format!("{prefix}-core"), n),
        );
        println!("| {what} | {n} | {x:.0} | {c:.0} | {:.2}× |", c / x);
        if prefix == "select" {
            raw = Some((per("select-raw", n), c, n));
        }
    }
    if let Some((r, c, n)) = raw {
        println!();
        println!(
            "| baseline (PostgreSQL) | N | raw tokio-postgres | sqlcore async | sqlcore / raw |"
        );
        println!("|---|---|---|---|---|");
        println!(
            "| point select by primary key, prepared | {n} | {r:.0} | {c:.0} | {:.2}× |",
            c / r
        );
    }
}

async fn wall(url: &str) {
    let engine = AsyncEngine::builder(url).build_async().expect("engine");
    let pool = sqlx_pool(url).await;
    set_up(&engine).await;
    println!("| benchmark (PostgreSQL) | sqlx 0.8 | sqlcore async | sqlcore / sqlx |");
    println!("|---|---|---|---|");
    let mut raw = None;
    if wanted("select") {
        let mut s = Selects::new(&engine, url).await;
        let [x, c, r] = best_of!(5, { s.sqlx(SELECTS).await }, { s.core(SELECTS).await }, {
            s.raw(SELECTS).await
        });
        row("point select by primary key, prepared", x, c, SELECTS);
        raw = Some((r, c));
        s.core.rollback().await.expect("rollback");
    }
    if wanted("acquire") {
        let [x, c] = best_of!(5, { sqlx_acquires(&pool, ACQUIRES).await }, {
            core_acquires(&engine, ACQUIRES).await
        });
        row("pool acquire + release", x, c, ACQUIRES);
    }
    if wanted("insert") {
        let [x, c] = best_of!(3, { sqlx_insert(&pool, INSERTED).await }, {
            core_insert(&engine, INSERTED).await
        });
        row("100,000-row insert (per row)", x, c, INSERTED);
    }
    if wanted("stream") {
        let fetched: i64 =
            std::env::var("PEERS_FETCHED").map_or(FETCHED, |n| n.parse().expect("a row count"));
        let [x, c] = best_of!(5, { sqlx_stream(&pool, fetched).await }, {
            core_stream(&engine, fetched).await
        });
        row("1,000,000-row streamed fetch (per row)", x, c, fetched);
    }
    if let Some((r, c)) = raw {
        println!();
        println!("| baseline (PostgreSQL) | raw tokio-postgres | sqlcore async | sqlcore / raw |");
        println!("|---|---|---|---|");
        row("point select by primary key, prepared", r, c, SELECTS);
    }
    clean_up(&engine).await;
}
