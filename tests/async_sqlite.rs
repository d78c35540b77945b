//! The async engine on SQLite: a slow statement runs off the runtime's threads (other tasks go
//! on meanwhile, even on a current-thread runtime), `:memory:` is one database shared in turn,
//! a future dropped mid-statement leaves the connection to be invalidated (its transaction
//! rolled back first), the NullPool, and the pool classes the async engine refuses.
#![cfg(all(feature = "sqlite", feature = "async"))]

mod common;

use common::backend::TestDb;
use sqlcore::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// A statement SQLite takes a while over (a few hundred thousand rows counted).
const SLOW: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) FROM n";

#[tokio::test(flavor = "current_thread")]
async fn a_slow_statement_does_not_stall_other_tasks() {
    let engine = create_async_engine("sqlite://").unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let ticks = Arc::new(AtomicUsize::new(0));
    let ticker = {
        let (done, ticks) = (done.clone(), ticks.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Acquire) {
                ticks.fetch_add(1, Ordering::AcqRel);
                tokio::task::yield_now().await;
            }
        })
    };
    let mut conn = engine.connect().await.unwrap();
    let before = ticks.load(Ordering::Acquire);
    let n: i64 = conn
        .execute(text(SLOW), ())
        .await
        .unwrap()
        .scalar_one()
        .unwrap();
    let during = ticks.load(Ordering::Acquire) - before;
    done.store(true, Ordering::Release);
    ticker.await.unwrap();
    assert_eq!(n, 3_000_000);
    // On this one-thread runtime the other task ran only because the statement did not
    // block the runtime's thread.
    assert!(during > 0, "the runtime stalled while SQLite worked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_database_is_one_database_shared_in_turn() {
    let engine = create_async_engine("sqlite://").unwrap();
    assert_eq!(engine.pool_status().size, 1);
    {
        let mut conn = engine.connect().await.unwrap();
        conn.execute(text("CREATE TABLE t (x INTEGER)"), ())
            .await
            .unwrap();
        conn.commit().await.unwrap();
    }
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let engine = engine.clone();
            tokio::spawn(async move {
                let mut conn = engine.connect().await.unwrap();
                conn.execute(text("INSERT INTO t VALUES (:x)"), params! { "x" => i })
                    .await
                    .unwrap();
                conn.commit().await.unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let mut conn = engine.connect().await.unwrap();
    let n: i64 = conn
        .execute(text("SELECT count(*) FROM t"), ())
        .await
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 20);
}

#[test]
fn a_future_dropped_mid_statement_invalidates_its_connection() {
    let db = TestDb::sqlite("async_dropped_future");
    common::engines::run(async {
        let engine = create_async_engine(&db.url()).unwrap();
        let mut conn = engine.connect().await.unwrap();
        conn.execute(text("CREATE TABLE t (x INTEGER)"), ())
            .await
            .unwrap();
        conn.commit().await.unwrap();
        conn.execute(text("INSERT INTO t VALUES (1)"), ())
            .await
            .unwrap();
        let first = conn.connection_id();
        let cancelled =
            tokio::time::timeout(Duration::from_millis(1), conn.execute(text(SLOW), ())).await;
        assert!(cancelled.is_err(), "the statement finished within 1 ms");
        // What the dropped statement did is unknown here: the connection is invalidated, and
        // its transaction must be rolled back first.
        let refused = conn.execute(text("SELECT 1"), ()).await;
        assert!(
            matches!(refused, Err(Error::PendingRollback { .. })),
            "{refused:?}"
        );
        assert!(conn.invalidated());
        conn.rollback().await.unwrap();
        let n: i64 = conn
            .execute(text("SELECT count(*) FROM t"), ())
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(n, 0, "the INSERT went with the invalidated connection");
        assert_ne!(conn.connection_id(), first);
        // Outside a transaction the next statement simply runs on a new connection.
        conn.commit().await.unwrap();
        let cancelled =
            tokio::time::timeout(Duration::from_millis(1), conn.execute(text(SLOW), ())).await;
        assert!(cancelled.is_err());
        conn.rollback().await.unwrap();
        let one: i64 = conn
            .execute(text("SELECT 1"), ())
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(one, 1);
    });
}

#[test]
fn null_pool_opens_a_connection_per_checkout() {
    let db = TestDb::sqlite("async_null_pool");
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url())
            .poolclass(PoolClass::Null)
            .build_async()
            .unwrap();
        let mut a = engine.connect().await.unwrap();
        let b = engine.connect().await.unwrap();
        assert_ne!(a.connection_id(), b.connection_id());
        let status = engine.pool_status();
        assert_eq!((status.kind, status.checked_out), ("NullPool", 2));
        a.execute(text("SELECT 1"), ()).await.unwrap();
        drop((a, b));
        for _ in 0..10_000 {
            if engine.pool_status().checked_out == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let status = engine.pool_status();
        assert_eq!((status.checked_out, status.checked_in), (0, 0));
    });
}

#[test]
fn sync_only_pool_classes_are_refused() {
    for class in [PoolClass::Static, PoolClass::SingletonThread] {
        let refused = AsyncEngine::builder("sqlite://")
            .poolclass(class)
            .build_async();
        assert!(matches!(refused, Err(Error::Argument(_))), "{class:?}");
    }
}

/// Every future of the async API is `Send` (a handler's future must be, to be spawned).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_future_is_send_and_spawns() {
    use futures_util::TryStreamExt;
    let engine = create_async_engine("sqlite://").unwrap();
    let task = tokio::spawn(async move {
        let mut conn = engine.connect().await?;
        conn.execute_batch("CREATE TABLE t (x INTEGER)").await?;
        {
            let mut tx = conn.begin().await?;
            tx.execute_many(
                text("INSERT INTO t VALUES (:x)"),
                (1..=3).map(|x: i64| params! { "x" => x }),
            )
            .await?;
            let mut sp = tx.begin_nested().await?;
            sp.execute(text("INSERT INTO t VALUES (4)"), ()).await?;
            sp.rollback().await?;
            tx.commit().await?;
        }
        let first: i64 = conn
            .query_row(text("SELECT x FROM t ORDER BY x"), (), |row| row.get(0))
            .await?;
        let tables = conn.run_sync(|c| c.table_names(None)).await?;
        let mut rows = conn.stream(text("SELECT x FROM t ORDER BY x"), ()).await?;
        let mut all = Vec::new();
        while let Some(row) = rows.try_next().await? {
            all.push(row.get::<i64>(0)?);
        }
        drop(rows);
        conn.rollback().await?;
        conn.update_execution_options(|o| o.isolation_level(IsolationLevel::Serializable))
            .await?;
        let level = conn.get_isolation_level().await?;
        // `:memory:` is one connection: give it back before the engine's transaction.
        conn.close().await;
        drop(conn);
        let mut tx = engine.begin().await?;
        tx.execute(text("DELETE FROM t"), ()).await?;
        tx.rollback().await?;
        Ok::<_, Error>((first, tables, all, level))
    });
    let (first, tables, all, level) = task.await.unwrap().unwrap();
    assert_eq!(first, 1);
    assert_eq!(tables, ["t"]);
    assert_eq!(all, [1, 2, 3]);
    assert_eq!(level, IsolationLevel::Serializable);
}
