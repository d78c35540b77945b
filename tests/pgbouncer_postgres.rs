//! PostgreSQL through PgBouncer in transaction pooling mode (`pgbouncer=true`): a load of short
//! statements on 8 threads with no "prepared statement … already exists / does not exist",
//! nothing left prepared or set on the server sessions, isolation levels given to `BEGIN`, and
//! streamed results inside transactions only. The bouncer is the test binary's own
//! (`tests/common/pgbouncer.rs`), its server connections handed round robin.
//!
//! The load runs `SQLCORE_PGBOUNCER_STATEMENTS` statements (default 10,000; the acceptance run
//! is 100,000: `SQLCORE_PGBOUNCER_STATEMENTS=100000 cargo test --test pgbouncer_postgres --
//! --nocapture`).
#![cfg(all(feature = "postgres", feature = "async"))]

mod common;

use common::backend::TestDb;
use sqlcore::*;
use std::sync::atomic::{AtomicUsize, Ordering};

fn statements() -> usize {
    std::env::var("SQLCORE_PGBOUNCER_STATEMENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

fn items() -> Table {
    Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("worker", SqlType::Integer).not_null())
        .column(Column::new("n", SqlType::Integer).not_null())
}

/// One statement of the load, the `i`th of its worker: autocommit reads, commit-as-you-go
/// writes, text() reads with no row, updates through execute_many, a streamed read inside a
/// transaction and an isolation level of its own, in turn.
fn one(engine: &Engine, auto: &Engine, worker: i32, i: usize) -> Result<usize> {
    let t = items();
    match i % 8 {
        0 | 1 => {
            let n: i64 = auto
                .connect()?
                .execute(
                    select([count(t.c("id"))]).filter(t.c("worker").eq(worker)),
                    (),
                )?
                .scalar_one()?;
            let _ = n;
            Ok(1)
        }
        2 | 3 => engine.transaction(|conn| {
            conn.execute(insert(&t), params! { "worker" => worker, "n" => i as i32 })?;
            Ok(1)
        }),
        4 => {
            let mut conn = engine.connect()?;
            let mut r = conn.execute(
                text("SELECT id, n FROM items WHERE worker = :w AND n < 0"),
                params! { "w" => worker },
            )?;
            assert_eq!(
                r.keys().iter().map(|k| &**k).collect::<Vec<_>>(),
                ["id", "n"]
            );
            assert!(r.fetchone()?.is_none());
            drop(r);
            conn.commit()?;
            Ok(1)
        }
        5 => engine.transaction(|conn| {
            conn.execute_many(
                update(&t)
                    .filter(t.c("id").eq(bindparam("target")))
                    .values([("n", bindparam("value"))]),
                [
                    params! { "target" => -1, "value" => 1 },
                    params! { "target" => -2, "value" => 2 },
                ],
            )?;
            Ok(2)
        }),
        6 => {
            let mut conn = engine.connect()?;
            conn.execution_options(
                ExecutionOptions::default()
                    .stream_results(true)
                    .max_row_buffer(2),
            )?;
            let mut tx = conn.begin()?;
            let rows = tx
                .execute(
                    select([t.c("n")]).filter(t.c("worker").eq(worker)).limit(5),
                    (),
                )?
                .all()?;
            assert!(rows.len() <= 5);
            tx.commit()?;
            Ok(1)
        }
        _ => {
            let mut conn = engine.connect()?;
            conn.execution_options(
                ExecutionOptions::default().isolation_level(IsolationLevel::RepeatableRead),
            )?;
            let level: String = conn
                .execute(text("SELECT current_setting('transaction_isolation')"), ())?
                .scalar_one()?;
            assert_eq!(level, "repeatable read");
            conn.commit()?;
            Ok(1)
        }
    }
}

#[test]
fn a_load_on_8_threads_never_meets_a_prepared_statement_error() {
    let Some(db) = TestDb::pgbouncer("load") else {
        return;
    };
    let engine = Engine::builder(&db.url()).pool_size(8).build().unwrap();
    let auto = engine
        .execution_options(ExecutionOptions::default().isolation_level(IsolationLevel::Autocommit));
    let mut md = MetaData::new();
    md.add(items()).unwrap();
    md.create_all(&engine).unwrap();
    let total = statements();
    let done = AtomicUsize::new(0);
    let errors = std::sync::Mutex::new(Vec::<String>::new());
    let started = std::time::Instant::now();
    std::thread::scope(|scope| {
        for worker in 0..8 {
            let (engine, auto, done, errors) = (&engine, &auto, &done, &errors);
            scope.spawn(move || {
                let mut i = worker as usize;
                while done.load(Ordering::Relaxed) < total {
                    match one(engine, auto, worker, i) {
                        Ok(n) => {
                            done.fetch_add(n, Ordering::Relaxed);
                        }
                        Err(e) => errors.lock().unwrap().push(e.to_string()),
                    }
                    i += 1;
                }
            });
        }
    });
    let errors = errors.into_inner().unwrap();
    let ran = done.load(Ordering::Relaxed);
    println!(
        "{ran} statements through PgBouncer on 8 threads in {:.1?}, {} errors",
        started.elapsed(),
        errors.len()
    );
    assert!(
        errors.is_empty(),
        "{} errors, the first: {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
    assert!(ran >= total);
    // Nothing prepared is left on any of the bouncer's server sessions (handed round robin).
    let mut conn = engine.connect().unwrap();
    for _ in 0..8 {
        let left: i64 = conn
            .execute(text("SELECT count(*) FROM pg_prepared_statements"), ())
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(left, 0);
        conn.commit().unwrap();
    }
}

#[test]
fn the_same_load_with_a_statement_cache_fails_so_the_harness_can_tell() {
    let Some(db) = TestDb::pgbouncer("cached") else {
        return;
    };
    // pgbouncer=false: statements prepared and kept per connection, as for a direct server.
    let url = db.url().replace("pgbouncer=true", "pgbouncer=false");
    let engine = Engine::builder(&url).pool_size(8).build().unwrap();
    let failures = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for worker in 0..8 {
            let (engine, failures) = (&engine, &failures);
            scope.spawn(move || {
                for i in 0..50 {
                    let ran = engine.transaction(|conn| {
                        conn.execute(text("SELECT :w + :i"), params! { "w" => worker, "i" => i })
                            .map(drop)
                    });
                    if let Err(e) = ran {
                        assert!(e.to_string().contains("prepared statement"), "{e}");
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert!(
        failures.load(Ordering::Relaxed) > 0,
        "statements kept across transactions meet other server sessions"
    );
}

#[test]
fn isolation_levels_are_given_to_begin_and_leave_no_session_setting() {
    let Some(db) = TestDb::pgbouncer("isolation") else {
        return;
    };
    let engine = Engine::builder(&db.url())
        .isolation_level(IsolationLevel::Serializable)
        .pool_size(1)
        .build()
        .unwrap();
    let mut conn = engine.connect().unwrap();
    assert_eq!(
        conn.get_isolation_level().unwrap(),
        IsolationLevel::Serializable
    );
    for _ in 0..8 {
        let (level, default): (String, String) = {
            let row = conn
                .execute(
                    text(
                        "SELECT current_setting('transaction_isolation'), current_setting('default_transaction_isolation')",
                    ),
                    (),
                )
                .unwrap()
                .one()
                .unwrap();
            (row.get(0).unwrap(), row.get(1).unwrap())
        };
        assert_eq!(level, "serializable");
        assert_eq!(
            default, "read committed",
            "no session setting is left behind"
        );
        conn.commit().unwrap();
    }
    // A connection without the level, through the same server sessions.
    let plain = create_engine(&db.url()).unwrap();
    let mut other = plain.connect().unwrap();
    for _ in 0..8 {
        let level: String = other
            .execute(text("SELECT current_setting('transaction_isolation')"), ())
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(level, "read committed");
        other.commit().unwrap();
    }
}

#[test]
fn streamed_results_need_a_transaction() {
    let Some(db) = TestDb::pgbouncer("stream") else {
        return;
    };
    let engine = create_engine(&db.url()).unwrap();
    let auto = engine.execution_options(
        ExecutionOptions::default()
            .isolation_level(IsolationLevel::Autocommit)
            .stream_results(true),
    );
    let err = auto
        .connect()
        .unwrap()
        .execute(text("SELECT generate_series(1, 10)"), ())
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("inside a transaction")),
        "{err}"
    );
    // Inside one (commit-as-you-go begins it), the rows stream as usual.
    let mut conn = engine.connect().unwrap();
    conn.execution_options(
        ExecutionOptions::default()
            .stream_results(true)
            .max_row_buffer(3),
    )
    .unwrap();
    let n: Vec<i32> = conn
        .execute(text("SELECT generate_series(1, 10)"), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(n, (1..=10).collect::<Vec<_>>());
}

#[test]
fn a_statement_cache_beside_pgbouncer_is_an_argument_error() {
    for url in [
        "postgresql://app@db:6432/app?pgbouncer=true&prepared_statement_cache_size=5",
        "postgresql://app@db:6432/app?pgbouncer=maybe",
        "postgresql://app@db:6432/app?prepared_statement_cache_size=-1",
    ] {
        let err = create_engine(url).unwrap_err();
        assert!(matches!(err, Error::Argument(_)), "{url}: {err}");
    }
    let err = Engine::builder("postgresql://app@db:6432/app")
        .pgbouncer(true)
        .statement_cache_size(10)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Argument(_)), "{err}");
    assert!(create_engine("postgresql://app@db:6432/app?prepared_statement_cache_size=0").is_ok());
}

/// The async engine's native connection through the bouncer: 8 tasks of autocommit reads,
/// transactions, executemany, isolation levels and streams inside transactions, with no
/// prepared-statement error; a stream outside a transaction is refused as on the sync engine.
#[test]
fn the_async_engine_goes_through_the_bouncer_too() {
    // The database is set up (and dropped) with the sync client, outside the runtime.
    let Some(db) = TestDb::pgbouncer("async") else {
        return;
    };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async_load(&db.url()));
}

async fn async_load(url: &str) {
    use futures_util::TryStreamExt;
    let engine = AsyncEngine::builder(url)
        .pool_size(8)
        .build_async()
        .unwrap();
    let t = items();
    {
        let mut conn = engine.connect().await.unwrap();
        conn.execute_batch(
            "CREATE TABLE items (id SERIAL PRIMARY KEY, worker INTEGER NOT NULL, n INTEGER NOT NULL)",
        )
        .await
        .unwrap();
        conn.commit().await.unwrap();
        // A text() query with no row names its columns, as on the sync engine (the load's
        // fourth statement), though nothing is prepared to describe them ahead.
        let mut r = conn
            .execute(text("SELECT id, n FROM items WHERE n < 0"), ())
            .await
            .unwrap();
        assert_eq!(
            r.keys().iter().map(|k| &**k).collect::<Vec<_>>(),
            ["id", "n"]
        );
        assert!(r.next().is_none());
        conn.rollback().await.unwrap();
    }
    let tasks = (0..8).map(|worker: i32| {
        let (engine, t) = (engine.clone(), t.clone());
        tokio::spawn(async move {
            for i in 0..200 {
                let mut conn = engine.connect().await?;
                match i % 5 {
                    0 => {
                        conn.execute(insert(&t), params! { "worker" => worker, "n" => i })
                            .await?;
                        conn.commit().await?;
                    }
                    1 => {
                        let _: i64 = conn
                            .execute(
                                select([count(t.c("id"))]).filter(t.c("worker").eq(worker)),
                                (),
                            )
                            .await?
                            .scalar_one()?;
                        conn.commit().await?;
                    }
                    2 => {
                        conn.execute_many(
                            update(&t)
                                .filter(t.c("id").eq(bindparam("target")))
                                .values([("n", bindparam("value"))]),
                            [
                                params! { "target" => -1, "value" => 1 },
                                params! { "target" => -2, "value" => 2 },
                            ],
                        )
                        .await?;
                        conn.commit().await?;
                    }
                    3 => {
                        conn.execution_options(
                            ExecutionOptions::default()
                                .isolation_level(IsolationLevel::RepeatableRead),
                        )
                        .await?;
                        let level: String = conn
                            .execute(text("SELECT current_setting('transaction_isolation')"), ())
                            .await?
                            .scalar_one()?;
                        assert_eq!(level, "repeatable read");
                        conn.commit().await?;
                    }
                    _ => {
                        conn.execution_options(ExecutionOptions::default().max_row_buffer(2))
                            .await?;
                        let mut tx = conn.begin().await?;
                        let rows: Vec<Row> = tx
                            .stream(
                                select([t.c("n")]).filter(t.c("worker").eq(worker)).limit(5),
                                (),
                            )
                            .await?
                            .try_collect()
                            .await?;
                        assert!(rows.len() <= 5);
                        tx.commit().await?;
                    }
                }
            }
            Ok::<_, Error>(())
        })
    });
    for task in futures_util::future::join_all(tasks.collect::<Vec<_>>()).await {
        task.unwrap().unwrap();
    }
    let mut conn = engine.connect().await.unwrap();
    let n: i64 = conn
        .execute(select([count(t.c("id"))]), ())
        .await
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 8 * 40);
    conn.commit().await.unwrap();
    // No isolation level was left set on any server session.
    for _ in 0..8 {
        let default: String = conn
            .execute(
                text("SELECT current_setting('default_transaction_isolation')"),
                (),
            )
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(default, "read committed");
        conn.commit().await.unwrap();
    }
    // Outside a transaction a stream is refused, as on the sync engine.
    let auto = engine
        .execution_options(ExecutionOptions::default().isolation_level(IsolationLevel::Autocommit));
    let mut conn = auto.connect().await.unwrap();
    let err = match conn.stream(text("SELECT generate_series(1, 10)"), ()).await {
        Ok(_) => panic!("a stream outside a transaction went through the bouncer"),
        Err(e) => e,
    };
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("inside a transaction")),
        "{err}"
    );
}
