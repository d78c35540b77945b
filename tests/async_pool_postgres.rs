//! The async engine's pool on PostgreSQL: 1,000 concurrent tasks on a pool of 10 (without and
//! with overflow) never open more connections than allowed (checked on `pg_stat_activity`)
//! and each reads its own rows; waiters are served in arrival order; `pool_timeout`; pre-ping
//! replacing a connection the server killed; invalidation on a disconnect; and tasks cancelled
//! mid-query at random points leave the pool healthy (1,000 times here,
//! `SQLCORE_CANCEL_ITERATIONS` for more).
#![cfg(all(feature = "postgres", feature = "async"))]

mod common;

use common::backend::TestDb;
use sqlcore::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// An engine on `db` whose connections carry `app` as their application name.
fn builder(db: &TestDb, app: &str) -> EngineBuilder {
    AsyncEngine::builder(&db.url()).connect_arg("application_name", app)
}

fn app_name(test: &str) -> String {
    format!("sqlcore_{test}_{}", std::process::id())
}

/// Connections the server has for `app`.
fn server_connections(client: &mut postgres::Client, app: &str) -> i64 {
    client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
            &[&app],
        )
        .expect("pg_stat_activity")
        .get(0)
}

/// The most connections the server had for `app` while `run` ran, sampled on a thread of
/// its own.
async fn most_connections_during<T>(app: &str, run: impl Future<Output = T>) -> (T, i64) {
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (stop, app) = (stop.clone(), app.to_owned());
        std::thread::spawn(move || {
            let mut client = common::pg::connect().expect("server");
            let mut most = 0;
            while !stop.load(Ordering::Acquire) {
                most = most.max(server_connections(&mut client, &app));
                std::thread::sleep(Duration::from_millis(2));
            }
            most
        })
    };
    let out = run.await;
    stop.store(true, Ordering::Release);
    (out, watcher.join().expect("watcher"))
}

async fn thousand_tasks(db: &TestDb, test: &str, max_overflow: usize) {
    let app = app_name(test);
    let engine = builder(db, &app)
        .pool_size(10)
        .max_overflow(max_overflow)
        .build_async()
        .unwrap();
    let read = Arc::new(AtomicUsize::new(0));
    let (results, most) = most_connections_during(&app, async {
        let tasks: Vec<_> = (0..1000i64)
            .map(|i| {
                let (engine, read) = (engine.clone(), read.clone());
                tokio::spawn(async move {
                    let mut conn = engine.connect().await?;
                    let tag: i64 = conn
                        .execute(
                            text(
                                "SELECT CAST(:tag AS BIGINT) AS tag, CAST(pg_sleep(0.001) AS TEXT)",
                            ),
                            params! { "tag" => i },
                        )
                        .await?
                        .scalar_one()?;
                    assert_eq!(tag, i, "a task read another task's row");
                    read.fetch_add(1, Ordering::AcqRel);
                    let status = engine.pool_status();
                    assert!(
                        status.checked_out + status.checked_in <= 10 + max_overflow,
                        "{status}"
                    );
                    Ok::<_, Error>(())
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.expect("task"));
        }
        results
    })
    .await;
    for result in results {
        result.unwrap();
    }
    assert_eq!(read.load(Ordering::Acquire), 1000);
    assert!(most >= 1, "the watcher saw the pool's connections");
    assert!(
        most <= (10 + max_overflow) as i64,
        "{most} connections open on a pool of 10 + {max_overflow}"
    );
    let status = engine.pool_status();
    assert_eq!(status.waiting, 0);
}

#[test]
fn thousand_tasks_on_a_pool_of_ten() {
    if let Some(db) = TestDb::postgres("async_thousand") {
        common::engines::run(thousand_tasks_on_a_pool_of_ten_on(&db));
    }
}

async fn thousand_tasks_on_a_pool_of_ten_on(db: &TestDb) {
    thousand_tasks(db, "thousand", 0).await;
}

#[test]
fn thousand_tasks_on_a_pool_of_ten_with_overflow() {
    if let Some(db) = TestDb::postgres("async_thousand_overflow") {
        common::engines::run(thousand_tasks_on_a_pool_of_ten_with_overflow_on(&db));
    }
}

async fn thousand_tasks_on_a_pool_of_ten_with_overflow_on(db: &TestDb) {
    thousand_tasks(db, "thousand_overflow", 5).await;
}

/// Waits until every connection is back in the pool (their threads put them back).
async fn all_back(engine: &AsyncEngine) {
    for _ in 0..10_000 {
        if engine.pool_status().checked_out == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Waits (yielding) until `engine` has `n` callers waiting for a connection.
async fn until_waiting(engine: &AsyncEngine, n: usize) {
    for _ in 0..100_000 {
        if engine.pool_status().waiting == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("never {n} waiting: {}", engine.pool_status());
}

#[test]
fn waiters_are_served_in_arrival_order() {
    if let Some(db) = TestDb::postgres("async_fifo") {
        common::engines::run(waiters_are_served_in_arrival_order_on(&db));
    }
}

async fn waiters_are_served_in_arrival_order_on(db: &TestDb) {
    let engine = builder(db, &app_name("fifo"))
        .pool_size(1)
        .max_overflow(0)
        .build_async()
        .unwrap();
    let held = engine.connect().await.unwrap();
    let served = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (engine2, served) = (engine.clone(), served.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = engine2.connect().await.unwrap();
            served.lock().push(i);
            conn.execute(text("SELECT 1"), ()).await.unwrap();
        }));
        // The next one arrives once this one waits.
        until_waiting(&engine, i + 1).await;
    }
    drop(held);
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(*served.lock(), (0..20).collect::<Vec<_>>());
}

#[test]
fn pool_timeout_is_a_timeout_error() {
    if let Some(db) = TestDb::postgres("async_timeout") {
        common::engines::run(pool_timeout_is_a_timeout_error_on(&db));
    }
}

async fn pool_timeout_is_a_timeout_error_on(db: &TestDb) {
    let engine = builder(db, &app_name("timeout"))
        .pool_size(1)
        .max_overflow(0)
        .pool_timeout(Duration::from_millis(100))
        .build_async()
        .unwrap();
    let held = engine.connect().await.unwrap();
    let refused = engine.connect().await;
    assert!(
        matches!(
            refused,
            Err(Error::Timeout {
                pool_size: 1,
                max_overflow: 0,
                ..
            })
        ),
        "{refused:?}"
    );
    assert_eq!(engine.pool_status().waiting, 0);
    drop(held);
    let mut conn = engine.connect().await.unwrap();
    conn.execute(text("SELECT 1"), ()).await.unwrap();
}

async fn backend_pid(conn: &mut AsyncConnection) -> i32 {
    let pid = conn
        .execute(text("SELECT pg_backend_pid()"), ())
        .await
        .unwrap()
        .scalar_one()
        .unwrap();
    conn.rollback().await.unwrap();
    pid
}

fn terminate(pid: i32) {
    let mut client = common::pg::connect().expect("server");
    let killed: bool = client
        .query_one("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap()
        .get(0);
    assert!(killed);
    // Until the server has let it go.
    while client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
            &[&pid],
        )
        .unwrap()
        .get::<_, i64>(0)
        > 0
    {
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn pre_ping_replaces_a_connection_the_server_killed() {
    if let Some(db) = TestDb::postgres("async_pre_ping") {
        common::engines::run(pre_ping_replaces_a_connection_the_server_killed_on(&db));
    }
}

async fn pre_ping_replaces_a_connection_the_server_killed_on(db: &TestDb) {
    let engine = builder(db, &app_name("pre_ping"))
        .pool_size(1)
        .pool_pre_ping(true)
        .build_async()
        .unwrap();
    let mut conn = engine.connect().await.unwrap();
    let first = backend_pid(&mut conn).await;
    let id = conn.connection_id();
    drop(conn);
    tokio::task::spawn_blocking(move || terminate(first))
        .await
        .unwrap();
    let mut conn = engine.connect().await.unwrap();
    assert_ne!(conn.connection_id(), id, "a new connection");
    let second = backend_pid(&mut conn).await;
    assert_ne!(first, second);
}

#[test]
fn a_disconnect_invalidates_the_connection_and_older_ones() {
    if let Some(db) = TestDb::postgres("async_disconnect") {
        common::engines::run(a_disconnect_invalidates_the_connection_and_older_ones_on(
            &db,
        ));
    }
}

async fn a_disconnect_invalidates_the_connection_and_older_ones_on(db: &TestDb) {
    let engine = builder(db, &app_name("disconnect"))
        .pool_size(2)
        .build_async()
        .unwrap();
    let mut a = engine.connect().await.unwrap();
    let mut b = engine.connect().await.unwrap();
    let pid_a = backend_pid(&mut a).await;
    let pid_b = backend_pid(&mut b).await;
    let id_b = b.connection_id();
    drop(b);
    tokio::task::spawn_blocking(move || terminate(pid_a))
        .await
        .unwrap();
    let lost = a.execute(text("SELECT 1"), ()).await;
    let Err(Error::Db(e)) = &lost else {
        panic!("expected a disconnect, got {lost:?}");
    };
    assert!(e.connection_invalidated, "{e}");
    assert!(a.invalidated());
    // The next statement runs on a new connection.
    let pid = backend_pid(&mut a).await;
    assert_ne!(pid, pid_a);
    // The idle connection opened before the disconnect is replaced at its next checkout.
    let mut b = engine.connect().await.unwrap();
    assert_ne!(b.connection_id(), id_b);
    assert_ne!(backend_pid(&mut b).await, pid_b);
}

#[test]
fn tasks_cancelled_mid_query_leave_the_pool_healthy() {
    if let Some(db) = TestDb::postgres("async_cancel") {
        common::engines::run(tasks_cancelled_mid_query_leave_the_pool_healthy_on(&db));
    }
}

async fn tasks_cancelled_mid_query_leave_the_pool_healthy_on(db: &TestDb) {
    let iterations: usize = std::env::var("SQLCORE_CANCEL_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let app = app_name("cancel");
    let engine = builder(db, &app)
        .pool_size(4)
        .max_overflow(2)
        .build_async()
        .unwrap();
    {
        let mut conn = engine.connect().await.unwrap();
        conn.execute(text("CREATE TABLE marks (tag BIGINT)"), ())
            .await
            .unwrap();
        conn.commit().await.unwrap();
    }
    let (cancelled, completed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let tasks: Vec<_> = (0..iterations as i64)
        .map(|tag| {
            let (engine, cancelled, completed) =
                (engine.clone(), cancelled.clone(), completed.clone());
            tokio::spawn(async move {
                let mut conn = engine.connect().await.unwrap();
                // Random short budgets cancel at random points; every tenth task has time to
                // finish however busy the machine is, so some always complete.
                let budget = if tag % 10 == 0 {
                    Duration::from_secs(60)
                } else {
                    Duration::from_micros(fastrand::u64(0..12_000))
                };
                let work = async {
                    conn.execute(
                        text("INSERT INTO marks VALUES (:tag)"),
                        params! { "tag" => tag },
                    )
                    .await?;
                    let read: i64 = conn
                        .execute(
                            text("SELECT CAST(:tag AS BIGINT), CAST(pg_sleep(:s) AS TEXT)"),
                            params! { "tag" => tag, "s" => fastrand::f64() * 0.002 },
                        )
                        .await?
                        .scalar_one()?;
                    assert_eq!(read, tag, "a task read another task's row");
                    Ok::<_, Error>(())
                };
                match tokio::time::timeout(budget, work).await {
                    Ok(done) => {
                        done.unwrap();
                        completed.fetch_add(1, Ordering::AcqRel);
                    }
                    Err(_) => {
                        cancelled.fetch_add(1, Ordering::AcqRel);
                    }
                }
                // Whatever the cancelled future left, the connection answers for this task
                // only, once its transaction is rolled back.
                conn.rollback().await.unwrap();
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
                // Half the tasks drop the connection mid-transaction.
                if tag % 2 == 0 {
                    conn.rollback().await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let (cancelled, completed) = (
        cancelled.load(Ordering::Acquire),
        completed.load(Ordering::Acquire),
    );
    eprintln!("{cancelled} cancelled, {completed} completed");
    assert!(
        cancelled > 0,
        "no future was cancelled: the test proves nothing"
    );
    assert!(
        completed > 0,
        "every future was cancelled: the test proves little"
    );
    // Every connection comes back (their threads put them back), and none is left with a
    // transaction: every marker was rolled back.
    all_back(&engine).await;
    let status = engine.pool_status();
    assert_eq!(status.checked_out, 0, "{status}");
    assert!(status.checked_in <= 4, "{status}");
    let mut conns = Vec::new();
    for _ in 0..6 {
        let mut conn = engine.connect().await.unwrap();
        assert!(!conn.in_transaction());
        let marks: i64 = conn
            .execute(text("SELECT count(*) FROM marks"), ())
            .await
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(marks, 0, "every INSERT was rolled back");
        conns.push(conn);
    }
    let count_app = app.clone();
    let open = tokio::task::spawn_blocking(move || {
        server_connections(&mut common::pg::connect().unwrap(), &count_app)
    })
    .await
    .unwrap();
    assert!(open <= 6, "{open} connections");
    // No session of the pool is left inside a transaction on the server.
    drop(conns);
    all_back(&engine).await;
    let idle_in_tx: i64 = tokio::task::spawn_blocking(move || {
        common::pg::connect()
            .unwrap()
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state LIKE 'idle in transaction%'",
                &[&app],
            )
            .unwrap()
            .get(0)
    })
    .await
    .unwrap();
    assert_eq!(idle_in_tx, 0);
}
