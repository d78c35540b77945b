//! The async engine's native MySQL / MariaDB connection (`MySqlAsyncConnection`, mysql_async on
//! the caller's runtime), on the MariaDB test server: pool events reach it; a query still
//! running when its future is dropped has its session killed and its connection closed; tasks
//! dropped mid-query or mid-stream leave their connections consistent (the next checkout works
//! and never reads another task's rows); a dropped stream's unread rows are read before the
//! connection runs anything else; a killed session invalidates its connection (and pre-ping
//! replaces one killed while idle); the prepared-statement cache is bounded (or off).
#![cfg(feature = "mysql-async")]

mod common;

use common::backend::TestDb;
use futures_util::TryStreamExt;
use sqlcore::driver::MySqlAsyncConnection;
use sqlcore::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

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

async fn scalar_i64(conn: &mut AsyncConnection, sql: &str) -> i64 {
    conn.execute(text(sql), ())
        .await
        .unwrap()
        .scalar_one()
        .unwrap()
}

#[test]
fn hooks_reach_the_native_connection() {
    let Some(db) = TestDb::mariadb("native_my_hooks") else {
        return;
    };
    common::engines::run(async {
        let checkouts = Arc::new(AtomicUsize::new(0));
        let counted = checkouts.clone();
        let engine = AsyncEngine::builder(&db.url())
            .pool_size(1)
            .max_overflow(0)
            .on_connect(|conn| {
                let my = conn
                    .as_any_mut()
                    .downcast_mut::<MySqlAsyncConnection>()
                    .ok_or_else(|| Error::InvalidRequest("not the native connection".into()))?;
                use mysql_async::prelude::Queryable;
                my.with_conn(|raw| raw.query_drop("SET @sqlcore_hooked = 42"))
            })
            .on_checkout(move |conn| {
                assert!(
                    conn.as_any_mut()
                        .downcast_mut::<MySqlAsyncConnection>()
                        .is_some()
                );
                counted.fetch_add(1, Ordering::AcqRel);
                Ok(())
            })
            .build_async()
            .unwrap();
        let first = {
            let mut conn = engine.connect().await.unwrap();
            assert_eq!(scalar_i64(&mut conn, "SELECT @sqlcore_hooked").await, 42);
            scalar_i64(&mut conn, "SELECT CONNECTION_ID()").await
        };
        all_back(&engine).await;
        let mut conn = engine.connect().await.unwrap();
        assert_eq!(
            scalar_i64(&mut conn, "SELECT CONNECTION_ID()").await,
            first,
            "the idle connection is reused"
        );
        assert_eq!(checkouts.load(Ordering::Acquire), 2);
    });
}

/// Whether the server still has a session `id`.
async fn session_alive(id: i64) -> bool {
    tokio::task::spawn_blocking(move || {
        use mysql::prelude::Queryable;
        let mut conn = common::mysql::connect().expect("server");
        let n: Option<i64> = conn
            .exec_first(
                "SELECT COUNT(*) FROM information_schema.processlist WHERE id = ?",
                (id,),
            )
            .unwrap();
        n.unwrap_or(0) > 0
    })
    .await
    .unwrap()
}

#[test]
fn a_query_still_running_when_dropped_has_its_session_killed_and_its_connection_closed() {
    let Some(db) = TestDb::mariadb("native_my_long_cancel") else {
        return;
    };
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url())
            .pool_size(1)
            .max_overflow(0)
            .build_async()
            .unwrap();
        let mut conn = engine.connect().await.unwrap();
        let id = scalar_i64(&mut conn, "SELECT CONNECTION_ID()").await;
        let slow = conn.execute(text("SELECT SLEEP(60)"), ());
        assert!(
            tokio::time::timeout(Duration::from_millis(200), slow)
                .await
                .is_err()
        );
        drop(conn);
        // The pool's only place frees once the session is killed (the query outlives
        // RECOVER_TIMEOUT) and the connection closed: the next checkout gets a new one.
        let mut conn = engine.connect().await.unwrap();
        let next = scalar_i64(&mut conn, "SELECT CONNECTION_ID()").await;
        assert_ne!(next, id, "the connection of the running query was closed");
        assert_eq!(scalar_i64(&mut conn, "SELECT 41 + 1").await, 42);
        let mut alive = true;
        for _ in 0..100 {
            alive = session_alive(id).await;
            if !alive {
                break;
            }
            tokio::time::sleep(MySqlAsyncConnection::RECOVER_TIMEOUT / 20).await;
        }
        assert!(
            !alive,
            "the server still runs the cancelled query's session"
        );
    });
}

#[test]
fn tasks_dropped_mid_query_or_mid_stream_leave_their_connections_consistent() {
    let Some(db) = TestDb::mariadb("native_my_task_cancel") else {
        return;
    };
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url())
            .pool_size(2)
            .max_overflow(0)
            // 120 tasks queue for 2 connections: on a loaded machine the last one waits
            // longer than the default 30 s, which says nothing about consistency.
            .pool_timeout(Duration::from_secs(600))
            .build_async()
            .unwrap();
        let sql = "SELECT seq, CAST(:tag AS SIGNED) AS tag FROM seq_1_to_20000";
        let tasks: Vec<_> = (0..120i64)
            .map(|tag| {
                let engine = engine.clone();
                tokio::spawn(async move {
                    let budget = Duration::from_micros(fastrand::u64(0..4_000));
                    match tag % 3 {
                        0 => {
                            // A whole task dropped mid-query: its connection goes back to the
                            // pool with the call unfinished.
                            let engine = engine.clone();
                            let query = tokio::spawn(async move {
                                let mut conn = engine.connect().await?;
                                conn.execute(text(sql), params! { "tag" => tag }).await?;
                                Ok::<_, Error>(())
                            });
                            let abort = query.abort_handle();
                            tokio::time::sleep(budget).await;
                            abort.abort();
                            let _ = query.await;
                        }
                        1 => {
                            // A stream dropped after some of its rows: the transaction goes on.
                            let mut conn = engine.connect().await.unwrap();
                            conn.update_execution_options(|o| o.max_row_buffer(100))
                                .await
                                .unwrap();
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
                            let read = scalar_after(&mut conn, tag).await;
                            assert_eq!(read, tag, "a task read another task's row");
                            conn.commit().await.unwrap();
                        }
                        _ => {
                            // A stream read under a deadline, cut off mid-fetch.
                            let mut conn = engine.connect().await.unwrap();
                            conn.update_execution_options(|o| o.max_row_buffer(100))
                                .await
                                .unwrap();
                            let read = async {
                                let mut rows =
                                    conn.stream(text(sql), params! { "tag" => tag }).await?;
                                while let Some(row) = rows.try_next().await? {
                                    assert_eq!(row.get::<i64>(1)?, tag, "another task's row");
                                }
                                Ok::<_, Error>(())
                            };
                            if let Ok(done) = tokio::time::timeout(budget, read).await {
                                done.unwrap();
                            }
                            drop(conn);
                        }
                    }
                    // Whatever the task left, the next checkout works and reads its own rows.
                    let mut conn = engine.connect().await.unwrap();
                    let read = scalar_after(&mut conn, tag).await;
                    assert_eq!(read, tag, "a task read another task's row");
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        all_back(&engine).await;
    });
}

/// `tag`, read back through the connection.
async fn scalar_after(conn: &mut AsyncConnection, tag: i64) -> i64 {
    conn.execute(
        text("SELECT CAST(:tag AS SIGNED)"),
        params! { "tag" => tag },
    )
    .await
    .unwrap()
    .scalar_one()
    .unwrap()
}

#[test]
fn a_dropped_streams_rows_are_read_before_anything_else_runs() {
    let Some(db) = TestDb::mariadb("native_my_stream_then") else {
        return;
    };
    common::engines::run(async {
        let engine = create_async_engine(&db.url()).unwrap();
        let mut conn = engine.connect().await.unwrap();
        conn.update_execution_options(|o| o.max_row_buffer(10))
            .await
            .unwrap();
        let mut rows = conn
            .stream(text("SELECT seq FROM seq_1_to_5000"), ())
            .await
            .unwrap();
        assert_eq!(
            rows.try_next()
                .await
                .unwrap()
                .unwrap()
                .get::<i64>(0)
                .unwrap(),
            1
        );
        drop(rows);
        assert_eq!(scalar_i64(&mut conn, "SELECT 7").await, 7);
        // A second stream after the first was closed reads from its start.
        let rows: Vec<Row> = conn
            .stream(text("SELECT seq FROM seq_1_to_250"), ())
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(rows.len(), 250);
        assert_eq!(rows[249].get::<i64>(0).unwrap(), 250);
    });
}

#[test]
fn a_killed_connection_is_invalidated_and_replaced() {
    use ::mysql::prelude::Queryable;
    let Some(db) = TestDb::mariadb("native_my_killed") else {
        return;
    };
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url())
            .pool_pre_ping(true)
            .build_async()
            .unwrap();
        let kill = |id: i64| async move {
            tokio::task::spawn_blocking(move || {
                let mut admin = common::mysql::connect().unwrap();
                admin.query_drop(format!("KILL {id}")).unwrap();
            })
            .await
            .unwrap();
        };
        let mut conn = engine.connect().await.unwrap();
        let id = scalar_i64(&mut conn, "SELECT CONNECTION_ID()").await;
        conn.commit().await.unwrap();
        kill(id).await;
        let err = conn.execute(text("SELECT 1"), ()).await.unwrap_err();
        assert!(err.connection_invalidated(), "{err}");
        conn.rollback().await.unwrap();
        let again = scalar_i64(&mut conn, "SELECT CONNECTION_ID()").await;
        assert_ne!(again, id);
        drop(conn);
        all_back(&engine).await;
        // Pre-ping: a pooled connection killed while idle is replaced at checkout.
        let mut conn = engine.connect().await.unwrap();
        let id = scalar_i64(&mut conn, "SELECT CONNECTION_ID()").await;
        drop(conn);
        all_back(&engine).await;
        kill(id).await;
        let mut conn = engine.connect().await.unwrap();
        let fresh = scalar_i64(&mut conn, "SELECT CONNECTION_ID()").await;
        assert_ne!(fresh, id);
    });
}

/// The session's value of a status counter.
async fn status(conn: &mut AsyncConnection, name: &str) -> i64 {
    let v: String = conn
        .execute(text(&format!("SHOW SESSION STATUS LIKE '{name}'")), ())
        .await
        .unwrap()
        .one()
        .unwrap()
        .get(1)
        .unwrap();
    v.parse().unwrap()
}

#[test]
fn the_prepared_statement_cache_is_bounded_or_off() {
    let Some(db) = TestDb::mariadb("native_my_stmt_cache") else {
        return;
    };
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url())
            .statement_cache_size(2)
            .build_async()
            .unwrap();
        let mut conn = engine.connect().await.unwrap();
        let prepared = status(&mut conn, "Com_stmt_prepare").await;
        for _ in 0..10 {
            assert_eq!(scalar_i64(&mut conn, "SELECT 1 + 1").await, 2);
        }
        let after = status(&mut conn, "Com_stmt_prepare").await;
        assert!(after - prepared <= 3, "prepared {} times", after - prepared);
        let closed = status(&mut conn, "Com_stmt_close").await;
        for i in 0..5 {
            assert_eq!(scalar_i64(&mut conn, &format!("SELECT {i}")).await, i);
        }
        let closed_after = status(&mut conn, "Com_stmt_close").await;
        assert!(
            closed_after - closed >= 4,
            "evicted statements are closed: {}",
            closed_after - closed
        );
        // Off: each statement is closed once run.
        let engine = AsyncEngine::builder(&db.url())
            .statement_cache_size(0)
            .build_async()
            .unwrap();
        let mut conn = engine.connect().await.unwrap();
        let closed = status(&mut conn, "Com_stmt_close").await;
        for _ in 0..5 {
            assert_eq!(scalar_i64(&mut conn, "SELECT 1 + 1").await, 2);
        }
        let closed_after = status(&mut conn, "Com_stmt_close").await;
        assert!(
            closed_after - closed >= 5,
            "statements are closed: {}",
            closed_after - closed
        );
    });
}

#[test]
fn the_statement_run_last_is_reused_only_until_another_runs() {
    let Some(db) = TestDb::mariadb("native_my_last_stmt") else {
        return;
    };
    common::engines::run(async {
        // One statement kept: each statement in turn evicts (and closes) the other.
        let engine = AsyncEngine::builder(&db.url())
            .statement_cache_size(1)
            .build_async()
            .unwrap();
        let mut conn = engine.connect().await.unwrap();
        for _ in 0..3 {
            assert_eq!(scalar_i64(&mut conn, "SELECT 1 + 1").await, 2);
            assert_eq!(scalar_i64(&mut conn, "SELECT 2 + 2").await, 4);
        }
        let prepared = status(&mut conn, "Com_stmt_prepare").await;
        for _ in 0..10 {
            assert_eq!(scalar_i64(&mut conn, "SELECT 3 + 3").await, 6);
        }
        let after = status(&mut conn, "Com_stmt_prepare").await;
        // `SELECT 3 + 3` once, the status query once more.
        assert!(after - prepared <= 2, "prepared {} times", after - prepared);
    });
}
