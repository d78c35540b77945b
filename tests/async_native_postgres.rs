//! The async engine's native PostgreSQL connection (`PgAsyncConnection`, tokio-postgres on the
//! caller's runtime): pool events reach it (on a multi-thread and on a current-thread
//! runtime); a query still running when its future is dropped is cancelled on the server and
//! its connection closed; streams dropped or cancelled mid-fetch leave the connection
//! consistent (an error in a dropped stream's unread rows fails the commit; one running on past
//! the recover timeout is cancelled and its connection closed); its prepared-statement cache is bounded (or off); its socket, read by the
//! awaiting call, takes notices and a close by the server.
#![cfg(all(feature = "postgres", feature = "async"))]

mod common;

use common::backend::TestDb;
use futures_util::TryStreamExt;
use sqlcore::driver::{PgAsyncConnection, RECOVER_TIMEOUT};
use sqlcore::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn app_name(test: &str) -> String {
    format!("sqlcore_{test}_{}", std::process::id())
}

/// Waits (yielding) until every connection of `engine` is back in its pool.
async fn all_back(engine: &AsyncEngine) {
    for _ in 0..10_000 {
        if engine.pool_status().checked_out == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("connections never came back: {}", engine.pool_status());
}

/// Counts of the events fired: connect, checkout, checkin, reset, close.
#[derive(Default)]
struct Fired([AtomicUsize; 5]);

impl Fired {
    fn get(&self, i: usize) -> usize {
        self.0[i].load(Ordering::Acquire)
    }
}

fn count(
    fired: &Arc<Fired>,
    i: usize,
) -> impl Fn(&mut dyn driver::DriverConnection) -> Result<()> + Send + Sync + 'static {
    let fired = fired.clone();
    move |conn| {
        // Every hook gets the native connection itself.
        if conn
            .as_any_mut()
            .downcast_mut::<PgAsyncConnection>()
            .is_none()
        {
            return Err(Error::InvalidRequest("not the native connection".into()));
        }
        fired.0[i].fetch_add(1, Ordering::AcqRel);
        Ok(())
    }
}

async fn hooks_reach_the_native_connection_on(db: &TestDb) {
    let fired = Arc::new(Fired::default());
    let engine = AsyncEngine::builder(&db.url())
        .pool_size(1)
        .max_overflow(0)
        .on_connect(|conn| {
            let pg = conn
                .as_any_mut()
                .downcast_mut::<PgAsyncConnection>()
                .ok_or_else(|| Error::InvalidRequest("not the native connection".into()))?;
            pg.with_client(async |client| {
                client
                    .batch_execute("SET application_name = 'sqlcore_native_hooked'")
                    .await
            })
        })
        .on_connect(count(&fired, 0))
        .on_checkout(count(&fired, 1))
        .on_checkin(count(&fired, 2))
        .on_reset(count(&fired, 3))
        .on_close(count(&fired, 4))
        .build_async()
        .unwrap();
    let first = {
        let mut conn = engine.connect().await.unwrap();
        let app: String = conn
            .execute(text("SELECT current_setting('application_name')"), ())
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(app, "sqlcore_native_hooked", "the connect hook ran on it");
        conn.connection_id()
    };
    all_back(&engine).await;
    assert_eq!((fired.get(0), fired.get(1)), (1, 1));
    assert_eq!((fired.get(2), fired.get(3)), (1, 1), "checkin and reset");
    {
        let conn = engine.connect().await.unwrap();
        assert_eq!(conn.connection_id(), first, "the idle connection is reused");
    }
    all_back(&engine).await;
    assert_eq!((fired.get(0), fired.get(1), fired.get(2)), (1, 2, 2));
    engine.dispose();
    for _ in 0..10_000 {
        if fired.get(4) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(fired.get(4), 1, "the disposed connection was closed");
}

#[test]
fn hooks_reach_the_native_connection() {
    if let Some(db) = TestDb::postgres("native_hooks") {
        common::engines::run(hooks_reach_the_native_connection_on(&db));
    }
}

#[test]
fn hooks_reach_the_native_connection_on_a_current_thread_runtime() {
    if let Some(db) = TestDb::postgres("native_hooks_ct") {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(hooks_reach_the_native_connection_on(&db));
    }
}

async fn backend_pid(conn: &mut AsyncConnection) -> i32 {
    conn.execute(text("SELECT pg_backend_pid()"), ())
        .await
        .unwrap()
        .scalar_one()
        .unwrap()
}

/// Whether the server still has a backend `pid`, asked on a blocking thread.
async fn backend_alive(pid: i32) -> bool {
    tokio::task::spawn_blocking(move || {
        let mut client = common::pg::connect().expect("server");
        let n: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                &[&pid],
            )
            .unwrap()
            .get(0);
        n > 0
    })
    .await
    .unwrap()
}

#[test]
fn a_query_still_running_when_dropped_is_cancelled_and_its_connection_closed() {
    let Some(db) = TestDb::postgres("native_long_cancel") else {
        return;
    };
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url())
            .connect_arg("application_name", app_name("long_cancel"))
            .pool_size(1)
            .max_overflow(0)
            .build_async()
            .unwrap();
        let mut conn = engine.connect().await.unwrap();
        let pid = backend_pid(&mut conn).await;
        let slow = conn.execute(text("SELECT pg_sleep(60)"), ());
        assert!(
            tokio::time::timeout(Duration::from_millis(200), slow)
                .await
                .is_err()
        );
        drop(conn);
        // The pool's only place frees once the query is cancelled (it outlives
        // RECOVER_TIMEOUT) and its connection closed: the next checkout gets a new one.
        let mut conn = engine.connect().await.unwrap();
        let next = backend_pid(&mut conn).await;
        assert_ne!(next, pid, "the connection of the running query was closed");
        let n: i64 = conn
            .execute(text("SELECT 41 + 1"), ())
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(n, 42);
        let mut alive = true;
        for _ in 0..100 {
            alive = backend_alive(pid).await;
            if !alive {
                break;
            }
            tokio::time::sleep(RECOVER_TIMEOUT / 20).await;
        }
        assert!(
            !alive,
            "the server still runs the cancelled query's backend"
        );
    });
}

#[test]
fn streams_dropped_or_cancelled_mid_fetch_leave_the_connection_consistent() {
    let Some(db) = TestDb::postgres("native_stream_cancel") else {
        return;
    };
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url())
            .pool_size(2)
            .max_overflow(0)
            // 200 tasks queue for 2 connections: on a loaded machine the last one waits
            // longer than the default 30 s, which says nothing about consistency.
            .pool_timeout(Duration::from_secs(600))
            .build_async()
            .unwrap();
        let tasks: Vec<_> = (0..200i64)
            .map(|tag| {
                let engine = engine.clone();
                tokio::spawn(async move {
                    let mut conn = engine.connect().await.unwrap();
                    conn.update_execution_options(|o| o.max_row_buffer(100))
                        .await
                        .unwrap();
                    let sql =
                        "SELECT i, CAST(:tag AS BIGINT) AS tag FROM generate_series(1, 20000) AS i";
                    if tag % 2 == 0 {
                        // Dropped with its next FETCH on its way: the transaction goes on.
                        let mut rows = conn
                            .stream(text(sql), params! { "tag" => tag })
                            .await
                            .unwrap();
                        for want in 1..=150i64 {
                            let row = rows.try_next().await.unwrap().unwrap();
                            assert_eq!(row.get::<i64>(0).unwrap(), want);
                            assert_eq!(row.get::<i64>(1).unwrap(), tag);
                        }
                        drop(rows);
                        assert!(conn.in_transaction());
                    } else {
                        let budget = Duration::from_micros(fastrand::u64(0..4_000));
                        let read = async {
                            let mut rows = conn.stream(text(sql), params! { "tag" => tag }).await?;
                            while let Some(row) = rows.try_next().await? {
                                assert_eq!(row.get::<i64>(1)?, tag, "another task's row");
                            }
                            Ok::<_, Error>(())
                        };
                        if let Ok(done) = tokio::time::timeout(budget, read).await {
                            done.unwrap();
                        }
                        conn.rollback().await.unwrap();
                    }
                    let read: i64 = conn
                        .execute(
                            text("SELECT CAST(:tag AS BIGINT)"),
                            params! { "tag" => tag },
                        )
                        .await
                        .unwrap()
                        .scalar_one()
                        .unwrap();
                    assert_eq!(read, tag, "a task read another task's row");
                    conn.commit().await.unwrap();
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        all_back(&engine).await;
        let mut conn = engine.connect().await.unwrap();
        let open: i64 = conn
            .execute(
                text("SELECT count(*) FROM pg_cursors WHERE name LIKE 'sqlcore_cursor_%'"),
                (),
            )
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(open, 0, "no cursor is left open");
    });
}

/// Runs `count` distinct statements on `conn`, checking each answer, and returns how many
/// statements the server keeps prepared for the session.
async fn run_distinct_statements(conn: &mut AsyncConnection, count: i64) -> i64 {
    for i in 0..count {
        let sql = format!("SELECT {i} + CAST(:x AS INTEGER)");
        let n: i64 = conn
            .execute(text(&sql), params! { "x" => 1 })
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(n, i + 1);
    }
    conn.execute(text("SELECT count(*) FROM pg_prepared_statements"), ())
        .await
        .unwrap()
        .scalar_one()
        .unwrap()
}

#[test]
fn the_prepared_statement_cache_is_bounded() {
    let Some(db) = TestDb::postgres("native_stmt_cache") else {
        return;
    };
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url())
            .statement_cache_size(4)
            .build_async()
            .unwrap();
        let mut conn = engine.connect().await.unwrap();
        let kept = run_distinct_statements(&mut conn, 20).await;
        assert!(kept <= 4, "{kept} statements kept prepared");
        assert!(kept >= 1);
        drop(conn);
        // A cache of 0 (transaction-pooling proxies): every statement is sent unnamed.
        let engine = AsyncEngine::builder(&db.url())
            .statement_cache_size(0)
            .build_async()
            .unwrap();
        let mut conn = engine.connect().await.unwrap();
        let kept = run_distinct_statements(&mut conn, 5).await;
        assert_eq!(kept, 0, "nothing is kept prepared");
    });
}

#[test]
fn a_stream_dropped_under_autocommit_leaves_nothing_open() {
    let Some(db) = TestDb::postgres("native_hold_cursor") else {
        return;
    };
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url())
            .pool_size(1)
            .max_overflow(0)
            .build_async()
            .unwrap();
        let open_cursors = "SELECT count(*) FROM pg_cursors WHERE name LIKE 'sqlcore_cursor_%'";
        let mut conn = engine.connect().await.unwrap();
        conn.update_execution_options(|o| {
            o.isolation_level(IsolationLevel::Autocommit)
                .max_row_buffer(10)
        })
        .await
        .unwrap();
        {
            // Outside a transaction: the portal's rows are read to their end before the
            // next statement.
            let mut rows = conn
                .stream(text("SELECT g FROM generate_series(1, 1000) AS g"), ())
                .await
                .unwrap();
            let first = rows.try_next().await.unwrap().unwrap();
            assert_eq!(first.get::<i64>(0).unwrap(), 1);
        }
        let open: i64 = conn
            .execute(text(open_cursors), ())
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(
            open, 0,
            "the dropped stream left no cursor before the next statement"
        );
        {
            let mut rows = conn
                .stream(text("SELECT g FROM generate_series(1, 1000) AS g"), ())
                .await
                .unwrap();
            rows.try_next().await.unwrap().unwrap();
        }
        drop(conn);
        all_back(&engine).await;
        // Returned to the pool with its stream dropped: nothing is left there either.
        let mut conn = engine.connect().await.unwrap();
        let open: i64 = conn
            .execute(text(open_cursors), ())
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(open, 0);
    });
}

/// A stream dropped before an error among its unread rows: the server has aborted the
/// transaction, so its commit is an error, and nothing of it is committed.
#[test]
fn an_error_in_a_dropped_streams_unread_rows_fails_the_commit() {
    let Some(db) = TestDb::postgres("native_stream_rest_error") else {
        return;
    };
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url()).build_async().unwrap();
        let mut conn = engine.connect().await.unwrap();
        conn.execute(text("CREATE TABLE kept (n INTEGER)"), ())
            .await
            .unwrap();
        conn.commit().await.unwrap();
        conn.update_execution_options(|o| o.max_row_buffer(10))
            .await
            .unwrap();
        conn.execute(text("INSERT INTO kept VALUES (1)"), ())
            .await
            .unwrap();
        {
            // Row 5,000 divides by zero.
            let sql = "SELECT 100 / (5000 - g) FROM generate_series(1, 10000) AS g";
            let mut rows = conn.stream(text(sql), ()).await.unwrap();
            for _ in 0..5 {
                rows.try_next().await.unwrap().unwrap();
            }
        }
        let failed = conn.commit().await;
        assert!(
            failed.is_err(),
            "the aborted transaction reported committed"
        );
        let kept: i64 = conn
            .execute(text("SELECT count(*) FROM kept"), ())
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(kept, 0);
        conn.rollback().await.unwrap();
    });
}

/// A stream dropped while its query runs on: its rows are read to their end for at most
/// `RECOVER_TIMEOUT`, then the query is cancelled and its connection closed; the next
/// statement gets a fresh connection.
#[test]
fn a_dropped_stream_still_running_after_the_recover_timeout_closes_its_connection() {
    let Some(db) = TestDb::postgres("native_stream_rest_slow") else {
        return;
    };
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url()).build_async().unwrap();
        let mut conn = engine.connect().await.unwrap();
        conn.update_execution_options(|o| o.max_row_buffer(10))
            .await
            .unwrap();
        let first_pid: i32 = conn
            .execute(text("SELECT pg_backend_pid()"), ())
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        {
            // 1,000 rows a few milliseconds apart: far longer than the timeout.
            let sql = "SELECT g, pg_sleep(0.005)::text FROM generate_series(1, 1000) AS g";
            let mut rows = conn.stream(text(sql), ()).await.unwrap();
            rows.try_next().await.unwrap().unwrap();
        }
        let started = std::time::Instant::now();
        let lost = conn
            .execute(text("SELECT 1"), ())
            .await
            .expect_err("the drain did not time out");
        assert!(lost.connection_invalidated(), "{lost:?}");
        assert!(
            started.elapsed() < RECOVER_TIMEOUT * 3,
            "{:?}",
            started.elapsed()
        );
        conn.rollback().await.unwrap();
        let pid: i32 = conn
            .execute(text("SELECT pg_backend_pid()"), ())
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_ne!(pid, first_pid, "a fresh connection");
        // The old session's query was cancelled and the session ended.
        let mut gone = false;
        for _ in 0..500 {
            let alive: i64 = conn
                .execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                    params! { "pid" => first_pid },
                )
                .await
                .unwrap()
                .scalar_one()
                .unwrap();
            if alive == 0 {
                gone = true;
                break;
            }
            conn.rollback().await.unwrap();
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(gone, "the dropped stream's session still runs");
    });
}

#[test]
fn the_socket_read_by_the_awaiting_call_takes_notices_and_a_server_side_close() {
    let Some(db) = TestDb::postgres("native_inline_socket") else {
        return;
    };
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url()).build_async().unwrap();
        let mut conn = engine.connect().await.unwrap();
        // Notices in the middle of an answer and before the next one are read and logged.
        conn.execute_batch(
            "CREATE FUNCTION noisy(n INTEGER) RETURNS INTEGER AS $$
             BEGIN RAISE NOTICE 'row %', n; RETURN n; END $$ LANGUAGE plpgsql",
        )
        .await
        .unwrap();
        for _ in 0..3 {
            let sum: i64 = conn
                .execute(
                    text("SELECT sum(noisy(g))::BIGINT FROM generate_series(1, 500) AS g"),
                    (),
                )
                .await
                .unwrap()
                .scalar_one()
                .unwrap();
            assert_eq!(sum, 125_250);
        }
        conn.commit().await.unwrap();
        // The server ends the session while nobody reads the socket: the next call says so,
        // the connection is invalidated and the pool's next one works.
        let pid = backend_pid(&mut conn).await;
        conn.commit().await.unwrap();
        tokio::task::spawn_blocking(move || {
            let mut client = common::pg::connect().expect("server");
            client
                .execute("SELECT pg_terminate_backend($1)", &[&pid])
                .unwrap();
        })
        .await
        .unwrap();
        while backend_alive(pid).await {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let err = conn.execute(text("SELECT 1"), ()).await.unwrap_err();
        assert!(err.connection_invalidated(), "{err}");
        drop(conn);
        let mut conn = engine.connect().await.unwrap();
        assert_ne!(backend_pid(&mut conn).await, pid);
    });
}
