//! The async pool keeps the sync pools' options and events (they share the same `Factory`):
//! FIFO and LIFO reuse, `pool_recycle`, `pool_reset_on_return`, `dispose`, and the
//! connect/checkout/checkin/reset/close events, on a SQLite file.
#![cfg(all(feature = "sqlite", feature = "async"))]

mod common;

use common::backend::TestDb;
use sqlcore::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Waits until every connection is back in the pool (their threads put them back).
async fn all_back(engine: &AsyncEngine) -> PoolStatus {
    common::engines::status_when(engine, |s| s.checked_out == 0).await
}

/// The pool's numbers of the connections two checkouts in a row get, after `a` then `b` went
/// back (in that order).
async fn reuse_order(lifo: bool) -> (u64, u64, Option<u64>) {
    let db = TestDb::sqlite(if lifo { "async_lifo" } else { "async_fifo" });
    let engine = AsyncEngine::builder(&db.url())
        .pool_use_lifo(lifo)
        .build_async()
        .unwrap();
    let a = engine.connect().await.unwrap();
    let b = engine.connect().await.unwrap();
    let (id_a, id_b) = (a.connection_id().unwrap(), b.connection_id().unwrap());
    drop(a);
    common::engines::status_when(&engine, |s| s.checked_out == 1).await;
    drop(b);
    all_back(&engine).await;
    let next = engine.connect().await.unwrap();
    (id_a, id_b, next.connection_id())
}

#[test]
fn idle_connections_are_reused_first_in_first_out_or_last_in_first_out() {
    common::engines::run(async {
        let (a, _, next) = reuse_order(false).await;
        assert_eq!(next, Some(a), "FIFO: the one returned first");
        let (_, b, next) = reuse_order(true).await;
        assert_eq!(next, Some(b), "LIFO: the one returned last");
    });
}

#[test]
fn recycle_replaces_old_connections_and_dispose_closes_idle_ones() {
    let db = TestDb::sqlite("async_recycle");
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url())
            .pool_recycle(Duration::ZERO)
            .build_async()
            .unwrap();
        let first = engine.connect().await.unwrap().connection_id();
        all_back(&engine).await;
        let second = engine.connect().await.unwrap().connection_id();
        assert_ne!(first, second, "recycled at checkout");

        let engine = create_async_engine(&db.url()).unwrap();
        let first = engine.connect().await.unwrap().connection_id();
        let status = all_back(&engine).await;
        assert_eq!(status.checked_in, 1);
        engine.dispose();
        let status = common::engines::status_when(&engine, |s| s.checked_in == 0).await;
        assert_eq!(status.checked_in, 0, "{status}");
        assert_ne!(engine.connect().await.unwrap().connection_id(), first);
    });
}

#[test]
fn reset_on_return_commit_keeps_what_was_left_open() {
    let db = TestDb::sqlite("async_reset_commit");
    common::engines::run(async {
        let engine = AsyncEngine::builder(&db.url())
            .pool_reset_on_return(ResetOnReturn::Commit)
            .build_async()
            .unwrap();
        let mut conn = engine.connect().await.unwrap();
        conn.execute(text("CREATE TABLE t (x INTEGER)"), ())
            .await
            .unwrap();
        conn.commit().await.unwrap();
        // The connection's own transaction is rolled back when it is dropped, as when it is
        // closed, whatever the pool does next.
        conn.execute(text("INSERT INTO t VALUES (1)"), ())
            .await
            .unwrap();
        drop(conn);
        all_back(&engine).await;
        let mut conn = engine.connect().await.unwrap();
        // A transaction begun on the driver connection itself is the pool's to reset.
        conn.run_sync(|c| {
            c.driver_connection()?
                .execute_batch("BEGIN; INSERT INTO t VALUES (2)")
        })
        .await
        .unwrap();
        drop(conn);
        all_back(&engine).await;
        let n: i64 = engine
            .connect()
            .await
            .unwrap()
            .execute(text("SELECT count(*) FROM t"), ())
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(
            n, 1,
            "only the driver's own transaction, committed by the pool's reset"
        );
    });
}

#[test]
fn pool_events_fire_as_on_the_sync_engine() {
    let db = TestDb::sqlite("async_events");
    common::engines::run(async {
        let counts: Arc<[AtomicUsize; 5]> = Arc::new(Default::default());
        let hook = |i: usize| {
            let counts = counts.clone();
            move |_: &mut dyn driver::DriverConnection| {
                counts[i].fetch_add(1, Ordering::AcqRel);
                Ok(())
            }
        };
        let engine = AsyncEngine::builder(&db.url())
            .pool_size(1)
            .max_overflow(0)
            .on_connect(hook(0))
            .on_checkout(hook(1))
            .on_checkin(hook(2))
            .on_reset(hook(3))
            .on_close(hook(4))
            .on_connect(|conn| conn.execute_batch("PRAGMA foreign_keys = ON"))
            .build_async()
            .unwrap();
        for _ in 0..3 {
            let mut conn = engine.connect().await.unwrap();
            let fk: i64 = conn
                .execute(text("PRAGMA foreign_keys"), ())
                .await
                .unwrap()
                .scalar_one()
                .unwrap();
            assert_eq!(fk, 1, "the connect hook ran on this connection");
            drop(conn);
            all_back(&engine).await;
        }
        let seen: Vec<usize> = counts.iter().map(|c| c.load(Ordering::Acquire)).collect();
        assert_eq!(
            seen,
            [1, 3, 3, 3, 0],
            "connect, checkout, checkin, reset, close"
        );
        engine.dispose();
        common::engines::status_when(&engine, |s| s.checked_in == 0).await;
        for _ in 0..5_000 {
            if counts[4].load(Ordering::Acquire) == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        assert_eq!(counts[4].load(Ordering::Acquire), 1, "closed at dispose");
    });
}
