//! sqlcore against the raw `postgres` crate, in one run, on the local server
//! (`SQLCORE_TEST_PG_URL`, default `postgresql://postgres@127.0.0.1:5432/test`):
//! a point select by primary key; a 100,000-row `execute_many` insert against raw multi-row
//! VALUES and against raw binary COPY, and with RETURNING id against raw multi-row VALUES
//! with RETURNING id; and a 1,000,000-row streamed read; and sqlcore over TLS (`sslmode=require`) against plain: the point select
//! and the time to connect; and through a PgBouncer of its own in transaction pooling mode
//! (`pgbouncer=true`) against direct: the point select and the time to connect; and a
//! one-statement request (check out, select by key, check in) against one raw round trip
//! (`SELECT 1`). Run with `cargo bench --bench postgres` (`-- requests` for the last alone).
//!
//! For instructions, `-- count STYLE N` runs N point selects of one style and nothing else
//! (see [`count`]), or N rows inserted with RETURNING (`raw-insert-returning`,
//! `insert-returning`); under `valgrind --tool=callgrind` the difference between two N,
//! divided by the operations it adds, is one operation's client instructions without the
//! set-up.

mod common;

use common::{compare, thread_cpu};
use sqlcore::*;
use std::hint::black_box;
use std::time::Duration;

const POINT_SELECTS: i32 = 20_000;
const INSERT_ROWS: i32 = 100_000;
const STREAM_ROWS: i32 = 1_000_000;
const CONNECTS: usize = 200;
const REQUESTS: i32 = 10_000;

fn url() -> String {
    std::env::var("SQLCORE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".to_owned())
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0)
}

/// Raw multi-row `INSERT INTO items (n, label) VALUES …` of 1,000 rows a statement, prepared
/// once, with an optional suffix (`RETURNING id`).
struct RawValues {
    stmt: postgres::Statement,
    returning: bool,
}

impl RawValues {
    const BATCH: i32 = 1000;

    fn prepare(raw: &mut postgres::Client, suffix: &str) -> Self {
        let values: String = (0..Self::BATCH)
            .map(|r| format!("(${}, ${})", 2 * r + 1, 2 * r + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("INSERT INTO items (n, label) VALUES {values}{suffix}");
        RawValues {
            stmt: raw.prepare(&sql).unwrap(),
            returning: !suffix.is_empty(),
        }
    }

    /// Inserts `labels.len()` rows in one transaction, rolled back; the number of ids read
    /// back (0 without RETURNING).
    fn insert(&self, raw: &mut postgres::Client, labels: &[String]) -> usize {
        let mut tx = raw.transaction().unwrap();
        let mut ids = 0;
        let rows = labels.len() as i32;
        for chunk in 0..rows / Self::BATCH {
            let ns: Vec<i32> = (0..Self::BATCH).map(|r| chunk * Self::BATCH + r).collect();
            let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                Vec::with_capacity(2 * Self::BATCH as usize);
            for r in 0..Self::BATCH as usize {
                params.push(&ns[r]);
                params.push(&labels[(chunk * Self::BATCH) as usize + r]);
            }
            if self.returning {
                let returned = tx.query(&self.stmt, &params).unwrap();
                ids += returned
                    .iter()
                    .map(|row| row.get::<_, i32>(0))
                    .filter(|id| *id > 0)
                    .count();
            } else {
                tx.execute(&self.stmt, &params).unwrap();
            }
        }
        tx.rollback().unwrap();
        ids
    }
}

/// One-statement requests, each checking a connection out, selecting a row by key and
/// checking it back in (`BEGIN` travels with the statement, the `ROLLBACK` is not waited
/// for), against the raw driver's prepared `SELECT 1` (one round trip), alternated in one
/// run: the best of 5 rounds of [`REQUESTS`] each.
fn one_statement_requests(
    raw: &mut postgres::Client,
    engine: &Engine,
    users: &Table,
) -> (Duration, Duration) {
    let one = raw.prepare("SELECT 1").unwrap();
    let by_id: Statement = select(users)
        .filter(users.c("id").eq(bindparam("id")))
        .into();
    compare(
        5,
        || {
            for _ in 0..REQUESTS {
                let row = raw.query_one(&one, &[]).unwrap();
                black_box(row.get::<_, i32>(0));
            }
        },
        || {
            for i in 1..=REQUESTS {
                let mut conn = engine.connect().unwrap();
                let row = conn
                    .execute(&by_id, params! { "id" => i })
                    .unwrap()
                    .one()
                    .unwrap();
                black_box(row.get::<String>(1).unwrap());
            }
        },
    )
}

/// The raw point selects, the client's own CPU time they took.
fn raw_point_selects(raw: &mut postgres::Client, stmt: &postgres::Statement) -> Duration {
    let cpu = thread_cpu();
    for i in 1..=POINT_SELECTS {
        let rows = raw.query(stmt, &[&i]).unwrap();
        let _: &str = rows[0].get(1);
    }
    thread_cpu() - cpu
}

/// The table the inserts fill.
fn items_table() -> Table {
    Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("n", SqlType::Integer).not_null())
        .column(Column::new("label", SqlType::Text))
}

/// The point select styles `-- count STYLE N` runs.
#[derive(Clone, Copy, PartialEq)]
enum CountStyle {
    /// The raw `postgres` crate: a prepared statement, `query`, the name read.
    Raw,
    /// sqlcore, the statement built per call: `conn.execute(stmt, ())?.one()?` on one
    /// connection (a transaction begun by the first).
    Point,
    /// sqlcore, `engine.prepare` + `query_row` on one connection.
    Prepared,
    /// `Point` on an AUTOCOMMIT engine: every call outside a transaction.
    PointAutocommit,
    /// A one-statement request: check out, select by key, check in.
    Request,
    /// Not a point select: N rows inserted with RETURNING id by raw multi-row VALUES of
    /// 1,000 (N a multiple of 1,000), in one transaction rolled back.
    RawInsertReturning,
    /// The same N rows through `execute_many(insert(items).returning(id))`.
    InsertReturning,
}

impl CountStyle {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "raw" => CountStyle::Raw,
            "point" => CountStyle::Point,
            "prepared" => CountStyle::Prepared,
            "point-autocommit" => CountStyle::PointAutocommit,
            "request" => CountStyle::Request,
            "raw-insert-returning" => CountStyle::RawInsertReturning,
            "insert-returning" => CountStyle::InsertReturning,
            _ => return None,
        })
    }
}

/// `-- count STYLE N`: N point selects of `style` in the schema `main` set up, nothing else
/// (ids cycle through the table's rows).
fn count(style: CountStyle, n: i32, raw: &mut postgres::Client, engine_url: &str, users: &Table) {
    let id = |i: i32| i % POINT_SELECTS + 1;
    let builder = Engine::builder(engine_url).pool_size(1);
    let builder = if style == CountStyle::PointAutocommit {
        builder.isolation_level(IsolationLevel::Autocommit)
    } else {
        builder
    };
    let engine = builder.build().expect("engine");
    let by_id: Statement = select(users)
        .filter(users.c("id").eq(bindparam("id")))
        .into();
    match style {
        CountStyle::Raw => {
            let stmt = raw
                .prepare("SELECT users.id, users.name FROM users WHERE users.id = $1")
                .unwrap();
            for i in 0..n {
                let rows = raw.query(&stmt, &[&id(i)]).unwrap();
                black_box(rows[0].get::<_, &str>(1));
            }
        }
        CountStyle::Point | CountStyle::PointAutocommit => {
            let mut conn = engine.connect().unwrap();
            for i in 0..n {
                let row = conn
                    .execute(select(users).filter(users.c("id").eq(id(i))), ())
                    .unwrap()
                    .one()
                    .unwrap();
                black_box(row.get::<String>(1).unwrap());
            }
        }
        CountStyle::Prepared => {
            let prepared = engine.prepare(by_id).unwrap();
            let mut conn = engine.connect().unwrap();
            for i in 0..n {
                let name: String = conn
                    .query_row(&prepared, params! { "id" => id(i) }, |row| row.get(1))
                    .unwrap();
                black_box(name);
            }
        }
        CountStyle::RawInsertReturning => {
            let labels: Vec<String> = (0..n).map(|i| format!("row {i}")).collect();
            let values = RawValues::prepare(raw, " RETURNING id");
            black_box(values.insert(raw, &labels));
        }
        CountStyle::InsertReturning => {
            let items = items_table();
            let labels: Vec<String> = (0..n).map(|i| format!("row {i}")).collect();
            let mut tx = engine.begin().unwrap();
            let rows = (0..n).map(|i| params! { "n" => i, "label" => labels[i as usize].as_str() });
            let ids = tx
                .execute_many(insert(&items).returning([items.c("id")]), rows)
                .unwrap()
                .all()
                .unwrap();
            black_box(ids);
            tx.rollback().unwrap();
        }
        CountStyle::Request => {
            for i in 0..n {
                let mut conn = engine.connect().unwrap();
                let row = conn
                    .execute(&by_id, params! { "id" => id(i) })
                    .unwrap()
                    .one()
                    .unwrap();
                black_box(row.get::<String>(1).unwrap());
            }
        }
    }
}

fn main() {
    let schema = format!("sqlcore_bench_{}", std::process::id());
    let mut raw = postgres::Client::connect(
        &url().replace("postgresql://", "postgres://"),
        postgres::NoTls,
    )
    .expect("connect");
    raw.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path TO {schema};
         CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, {POINT_SELECTS}) g;
         CREATE TABLE items (id SERIAL PRIMARY KEY, n INTEGER NOT NULL, label TEXT);"
    ))
    .expect("set up");
    let sep = if url().contains('?') { '&' } else { '?' };
    let engine = Engine::builder(&format!(
        "{}{sep}options=-c%20search_path%3D{schema}",
        url()
    ))
    .build()
    .expect("engine");
    let users = Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).not_null());
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "count") {
        let style = args.get(pos + 1).and_then(|s| CountStyle::parse(s));
        let style = style.expect(
            "-- count raw|point|prepared|point-autocommit|request|raw-insert-returning|insert-returning N",
        );
        let n = args
            .get(pos + 2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(2_000);
        let engine_url = format!("{}{sep}options=-c%20search_path%3D{schema}", url());
        count(style, n, &mut raw, &engine_url, &users);
        let _ = raw.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
        return;
    }
    // 0. One-statement requests against one raw round trip (alone: `-- requests`).
    let (raw_round_trip, request) = one_statement_requests(&mut raw, &engine, &users);
    let request_line = || {
        println!(
            "one-statement request (check out, SELECT by key, check in) x{REQUESTS}: raw SELECT 1 {:.1} µs, sqlcore {:.1} µs, ratio {:.3}x (target <=1.3x)",
            raw_round_trip.as_secs_f64() * 1e6 / f64::from(REQUESTS),
            request.as_secs_f64() * 1e6 / f64::from(REQUESTS),
            request.as_secs_f64() / raw_round_trip.as_secs_f64()
        );
    };
    if std::env::args().any(|a| a == "requests") {
        request_line();
        let _ = raw.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
        return;
    }
    let items = items_table();

    // 1. Point select by primary key, statement prepared once.
    let stmt = raw
        .prepare("SELECT users.id, users.name FROM users WHERE users.id = $1")
        .unwrap();
    let mut conn = engine.connect().unwrap();
    let (mut raw_cpu, mut core_cpu) = (Duration::MAX, Duration::MAX);
    let (raw_point, core_point) = compare(
        5,
        || raw_cpu = raw_cpu.min(raw_point_selects(&mut raw, &stmt)),
        || {
            let cpu = thread_cpu();
            for i in 1..=POINT_SELECTS {
                let row = conn
                    .execute(select(&users).filter(users.c("id").eq(i)), ())
                    .unwrap()
                    .one()
                    .unwrap();
                let _: String = row.get(1).unwrap();
            }
            core_cpu = core_cpu.min(thread_cpu() - cpu);
        },
    );
    // The same, prepared once and its row read in place.
    let by_id = engine
        .prepare(select(&users).filter(users.c("id").eq(bindparam("id"))))
        .unwrap();
    let (mut raw_cpu2, mut prepared_cpu) = (Duration::MAX, Duration::MAX);
    let (raw_point2, prepared_point) = compare(
        5,
        || raw_cpu2 = raw_cpu2.min(raw_point_selects(&mut raw, &stmt)),
        || {
            let cpu = thread_cpu();
            for i in 1..=POINT_SELECTS {
                let _: String = conn
                    .query_row(&by_id, params! { "id" => i }, |row| row.get(1))
                    .unwrap();
            }
            prepared_cpu = prepared_cpu.min(thread_cpu() - cpu);
        },
    );
    conn.rollback().unwrap();

    // 2. 100,000-row insert: raw multi-row VALUES in batches of 1,000 against execute_many.
    let labels: Vec<String> = (0..INSERT_ROWS).map(|i| format!("row {i}")).collect();
    let plain_values = RawValues::prepare(&mut raw, "");
    let (raw_insert, core_insert) = compare(
        5,
        || assert_eq!(plain_values.insert(&mut raw, &labels), 0),
        || {
            let mut tx = engine.begin().unwrap();
            let rows = (0..INSERT_ROWS)
                .map(|i| params! { "n" => i, "label" => labels[i as usize].as_str() });
            let n = tx.execute_many(insert(&items), rows).unwrap().rowcount();
            assert_eq!(n, i64::from(INSERT_ROWS));
            tx.rollback().unwrap();
        },
    );

    // 2b. The same rows with RETURNING id, against raw multi-row VALUES with RETURNING id (the
    //     ids read back): sqlcore sends multi-row VALUES too, ids back in input order.
    let returning_values = RawValues::prepare(&mut raw, " RETURNING id");
    let (mut raw_returning_cpu, mut core_returning_cpu) = (Duration::MAX, Duration::MAX);
    let (raw_returning, core_returning) = compare(
        3,
        || {
            let cpu = thread_cpu();
            let ids = returning_values.insert(&mut raw, &labels);
            assert_eq!(ids, INSERT_ROWS as usize);
            raw_returning_cpu = raw_returning_cpu.min(thread_cpu() - cpu);
        },
        || {
            let cpu = thread_cpu();
            let mut tx = engine.begin().unwrap();
            let rows = (0..INSERT_ROWS)
                .map(|i| params! { "n" => i, "label" => labels[i as usize].as_str() });
            let ids = tx
                .execute_many(insert(&items).returning([items.c("id")]), rows)
                .unwrap()
                .all()
                .unwrap();
            assert_eq!(ids.len(), INSERT_ROWS as usize);
            tx.rollback().unwrap();
            core_returning_cpu = core_returning_cpu.min(thread_cpu() - cpu);
        },
    );

    // 2c. Raw binary COPY, the raw driver's fastest path, against the plain execute_many
    //     (which sends COPY).
    let (raw_copy, core_insert_vs_copy) = compare(
        3,
        || {
            let mut tx = raw.transaction().unwrap();
            let sink = tx
                .copy_in("COPY items (n, label) FROM STDIN (FORMAT binary)")
                .unwrap();
            let types = [postgres::types::Type::INT4, postgres::types::Type::TEXT];
            let mut writer = postgres::binary_copy::BinaryCopyInWriter::new(sink, &types);
            for i in 0..INSERT_ROWS {
                writer.write(&[&i, &labels[i as usize]]).unwrap();
            }
            writer.finish().unwrap();
            tx.rollback().unwrap();
        },
        || {
            let mut tx = engine.begin().unwrap();
            let rows = (0..INSERT_ROWS)
                .map(|i| params! { "n" => i, "label" => labels[i as usize].as_str() });
            let n = tx.execute_many(insert(&items), rows).unwrap().rowcount();
            assert_eq!(n, i64::from(INSERT_ROWS));
            tx.rollback().unwrap();
        },
    );

    // 3. 1,000,000 rows streamed 1,000 at a time: a raw portal against stream_results.
    let query = format!("SELECT g, 'row ' || g FROM generate_series(1, {STREAM_ROWS}) g");
    let rss_before = peak_rss_kib();
    let mut conn = engine.connect().unwrap();
    conn.execution_options(
        ExecutionOptions::default()
            .stream_results(true)
            .max_row_buffer(1000),
    )
    .unwrap();
    let (raw_stream, core_stream) = compare(
        3,
        || {
            let mut tx = raw.transaction().unwrap();
            let portal = tx.bind(query.as_str(), &[]).unwrap();
            let mut count = 0;
            loop {
                let rows = tx.query_portal(&portal, 1000).unwrap();
                if rows.is_empty() {
                    break;
                }
                // Both columns read into owned values, as on the sqlcore side.
                for r in &rows {
                    black_box((r.get::<_, i32>(0), r.get::<_, String>(1)));
                    count += 1;
                }
            }
            assert_eq!(count, STREAM_ROWS);
            tx.rollback().unwrap();
        },
        || {
            let mut count = 0;
            for row in conn.execute(text(&query), ()).unwrap() {
                let row = row.unwrap();
                black_box((row.get::<i32>(0).unwrap(), row.get::<String>(1).unwrap()));
                count += 1;
            }
            assert_eq!(count, STREAM_ROWS);
            conn.rollback().unwrap();
        },
    );
    let rss_after = peak_rss_kib();
    drop(conn);

    // 4. TLS against plain: the point select on one connection each, and connecting.
    let with = |query: &str| format!("{}{sep}options=-c%20search_path%3D{schema}{query}", url());
    let tls_engine = Engine::builder(&with("&sslmode=require"))
        .build()
        .expect("engine");
    let point_selects = |engine: &Engine| {
        let mut conn = engine.connect().unwrap();
        let users = &users;
        move || {
            for i in 1..=POINT_SELECTS {
                let row = conn
                    .execute(select(users).filter(users.c("id").eq(i)), ())
                    .unwrap()
                    .one()
                    .unwrap();
                let _: String = row.get(1).unwrap();
            }
            conn.rollback().unwrap();
        }
    };
    let (plain_point, tls_point) = compare(5, point_selects(&engine), point_selects(&tls_engine));
    let connects = |query: &'static str| {
        let engine = Engine::builder(&with(query))
            .poolclass(PoolClass::Null)
            .build()
            .expect("engine");
        move || {
            for _ in 0..CONNECTS {
                drop(black_box(engine.connect().unwrap()));
            }
        }
    };
    let (plain_connect, tls_connect) = compare(3, connects(""), connects("&sslmode=require"));

    // 5. Through PgBouncer (transaction pooling, statements unnamed) against direct: the point
    // select on a table named with its schema (PgBouncer passes no search_path option).
    let server: Url = url().parse().expect("the server's URL");
    let bouncer = common::pgbouncer::start(
        server.host().unwrap_or("127.0.0.1"),
        server.port().unwrap_or(5432),
        server.username().unwrap_or("postgres"),
    );
    let bounced = bouncer.as_ref().map(|b| {
        let qualified = Table::new("users")
            .schema(schema.clone())
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("name", SqlType::Text).not_null());
        let through = format!(
            "postgresql://{}@127.0.0.1:{}/{}?pgbouncer=true",
            server.username().unwrap_or("postgres"),
            b.port,
            server.database().unwrap_or("postgres")
        );
        let direct = Engine::builder(&url()).build().expect("engine");
        let direct_unnamed = Engine::builder(&url())
            .statement_cache_size(0)
            .build()
            .expect("engine");
        let bounced = Engine::builder(&through).build().expect("engine");
        let selects = |engine: &Engine| {
            let mut conn = engine.connect().unwrap();
            let users = qualified.clone();
            move || {
                for i in 1..=POINT_SELECTS {
                    let row = conn
                        .execute(select(&users).filter(users.c("id").eq(i)), ())
                        .unwrap()
                        .one()
                        .unwrap();
                    let _: String = row.get(1).unwrap();
                }
                conn.rollback().unwrap();
            }
        };
        let (direct_point, bounced_point) = compare(5, selects(&direct), selects(&bounced));
        let (unnamed_point, bounced_point2) =
            compare(5, selects(&direct_unnamed), selects(&bounced));
        let connects = |url: String| {
            let engine = Engine::builder(&url)
                .poolclass(PoolClass::Null)
                .build()
                .expect("engine");
            move || {
                for _ in 0..CONNECTS {
                    drop(black_box(engine.connect().unwrap()));
                }
            }
        };
        let (direct_connect, bounced_connect) =
            compare(3, connects(url()), connects(through.clone()));
        (
            direct_point,
            bounced_point,
            unnamed_point,
            bounced_point2,
            direct_connect,
            bounced_connect,
        )
    });
    let _ = raw.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));

    println!(
        "{:<44} {:>12} {:>12} {:>10} {:>8}",
        "benchmark (best of alternating runs)", "raw", "sqlcore", "ratio", "target"
    );
    let line = |name: &str, raw: Duration, core: Duration, target: &str| {
        println!(
            "{:<44} {:>10.1}ms {:>10.1}ms {:>9.3}x {:>8}",
            name,
            raw.as_secs_f64() * 1000.0,
            core.as_secs_f64() * 1000.0,
            core.as_secs_f64() / raw.as_secs_f64(),
            target
        );
    };
    line(
        &format!("point select by PK x{POINT_SELECTS}"),
        raw_point,
        core_point,
        "<=1.05x",
    );
    line(
        &format!("point select, prepared + query_row x{POINT_SELECTS}"),
        raw_point2,
        prepared_point,
        "-",
    );
    line(
        &format!("insert {INSERT_ROWS} rows (raw: VALUES x1000)"),
        raw_insert,
        core_insert,
        "<=1.11x",
    );
    line(
        &format!("insert {INSERT_ROWS} RETURNING id (raw: VALUES RETURNING id)"),
        raw_returning,
        core_returning,
        "<=1.11x",
    );
    line(
        &format!("insert {INSERT_ROWS} rows (raw: binary COPY)"),
        raw_copy,
        core_insert_vs_copy,
        "<=1.11x",
    );
    line(
        &format!("stream {STREAM_ROWS} rows, 1000 per fetch"),
        raw_stream,
        core_stream,
        "<=1.25x",
    );
    println!(
        "rows/s: insert raw VALUES {:.0}, raw VALUES RETURNING {:.0}, raw COPY {:.0}, sqlcore {:.0} / {:.0} (beside VALUES / COPY), sqlcore RETURNING {:.0}; stream raw {:.0}, sqlcore {:.0}",
        f64::from(INSERT_ROWS) / raw_insert.as_secs_f64(),
        f64::from(INSERT_ROWS) / raw_returning.as_secs_f64(),
        f64::from(INSERT_ROWS) / raw_copy.as_secs_f64(),
        f64::from(INSERT_ROWS) / core_insert.as_secs_f64(),
        f64::from(INSERT_ROWS) / core_insert_vs_copy.as_secs_f64(),
        f64::from(INSERT_ROWS) / core_returning.as_secs_f64(),
        f64::from(STREAM_ROWS) / raw_stream.as_secs_f64(),
        f64::from(STREAM_ROWS) / core_stream.as_secs_f64()
    );
    let per_select = |cpu: Duration| cpu.as_secs_f64() * 1e6 / f64::from(POINT_SELECTS);
    println!(
        "client CPU per point select (best round): raw {:.2} µs, sqlcore {:.2} µs ({:.3}x); raw {:.2} µs, sqlcore prepared + query_row {:.2} µs ({:.3}x)",
        per_select(raw_cpu),
        per_select(core_cpu),
        core_cpu.as_secs_f64() / raw_cpu.as_secs_f64(),
        per_select(raw_cpu2),
        per_select(prepared_cpu),
        prepared_cpu.as_secs_f64() / raw_cpu2.as_secs_f64()
    );
    let per_row = |cpu: Duration| cpu.as_secs_f64() * 1e6 / f64::from(INSERT_ROWS);
    println!(
        "client CPU per row inserted with RETURNING (best round): raw VALUES {:.2} µs, sqlcore {:.2} µs ({:.3}x)",
        per_row(raw_returning_cpu),
        per_row(core_returning_cpu),
        core_returning_cpu.as_secs_f64() / raw_returning_cpu.as_secs_f64()
    );
    println!("peak RSS before the streamed reads {rss_before} KiB, after {rss_after} KiB");
    request_line();
    println!(
        "{:<44} {:>12} {:>12} {:>10}",
        "sqlcore, TLS (sslmode=require) against plain", "plain", "TLS", "ratio"
    );
    line(
        &format!("point select by PK x{POINT_SELECTS}"),
        plain_point,
        tls_point,
        "-",
    );
    line(
        &format!("connect x{CONNECTS}"),
        plain_connect,
        tls_connect,
        "-",
    );
    println!(
        "{:<44} {:>12} {:>12} {:>10}",
        "sqlcore, through PgBouncer against direct", "direct", "PgBouncer", "ratio"
    );
    match bounced {
        Some((direct_point, bounced_point, unnamed_point, bounced_point2, dc, bc)) => {
            line(
                &format!("point select by PK x{POINT_SELECTS}"),
                direct_point,
                bounced_point,
                "-",
            );
            line(
                &format!("point select, direct unnamed x{POINT_SELECTS}"),
                unnamed_point,
                bounced_point2,
                "-",
            );
            line(&format!("connect x{CONNECTS}"), dc, bc, "-");
        }
        None => println!("(pgbouncer is not installed: no PgBouncer rows)"),
    }
}
