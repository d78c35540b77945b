//! Engines and pools on every backend — SQLite (a file per test) and PostgreSQL (a schema per
//! test): concurrency limits, fairness, timeouts, reuse order, recycling, resets, hooks,
//! invalidation and panics.

mod common;

use common::backend::TestDb;
use common::people::*;
use sqlcore::*;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

fn two_threads_get_two_connections(b: &TestDb) {
    let engine = create_engine(&b.url()).unwrap();
    let barrier = Arc::new(Barrier::new(2));
    let ids: Vec<u64> = (0..2)
        .map(|_| {
            let (engine, barrier) = (engine.clone(), barrier.clone());
            std::thread::spawn(move || {
                let conn = engine.connect().unwrap();
                let id = conn.connection_id().unwrap();
                barrier.wait(); // both hold a connection at once
                id
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    assert_ne!(ids[0], ids[1]);
}

fn queue_pool_bounds_connections_under_contention(b: &TestDb) {
    let open = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (o1, o2, p1) = (open.clone(), open.clone(), peak.clone());
    let engine = Engine::builder(&b.url())
        .pool_size(2)
        .max_overflow(2)
        .pool_timeout(Duration::from_secs(60))
        .on_connect(move |_| {
            let now = o1.fetch_add(1, Ordering::SeqCst) + 1;
            p1.fetch_max(now, Ordering::SeqCst);
            Ok(())
        })
        .on_close(move |_| {
            o2.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        })
        .build()
        .unwrap();
    let in_use = Arc::new(AtomicUsize::new(0));
    let max_in_use = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let (engine, in_use, max_in_use) = (engine.clone(), in_use.clone(), max_in_use.clone());
            std::thread::spawn(move || {
                for _ in 0..200 {
                    let mut conn = engine.connect().unwrap();
                    let now = in_use.fetch_add(1, Ordering::SeqCst) + 1;
                    max_in_use.fetch_max(now, Ordering::SeqCst);
                    let one: i64 = scalar(&mut conn, "SELECT 1");
                    assert_eq!(one, 1);
                    in_use.fetch_sub(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert!(
        peak.load(Ordering::SeqCst) <= 4,
        "peak open {}",
        peak.load(Ordering::SeqCst)
    );
    assert!(max_in_use.load(Ordering::SeqCst) <= 4);
    let status = engine.pool_status();
    assert_eq!(status.checked_out, 0);
    assert!(
        status.checked_in <= 2,
        "idle connections beyond pool_size are closed: {status}"
    );
    assert_eq!(open.load(Ordering::SeqCst), status.checked_in);
}

fn waiting_callers_are_served_in_arrival_order(b: &TestDb) {
    let engine = Engine::builder(&b.url())
        .pool_size(1)
        .max_overflow(0)
        .build()
        .unwrap();
    let holder = engine.connect().unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut handles = Vec::new();
    for i in 0..5 {
        let (e, order) = (engine.clone(), order.clone());
        handles.push(std::thread::spawn(move || {
            let _conn = e.connect().unwrap();
            order.lock().unwrap().push(i);
        }));
        // Each waiter is queued before the next arrives.
        while engine.pool_status().waiting < i + 1 {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    drop(holder);
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4]);
}

fn timeout_error_states_the_limits_and_fires_after_pool_timeout(b: &TestDb) {
    let engine = Engine::builder(&b.url())
        .pool_size(1)
        .max_overflow(1)
        .pool_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let _a = engine.connect().unwrap();
    let _b = engine.connect().unwrap();
    let started = Instant::now();
    let err = engine.connect().unwrap_err();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(300), "waited {waited:?}");
    assert!(waited < Duration::from_secs(10), "waited {waited:?}");
    assert!(matches!(
        err,
        Error::Timeout {
            pool_size: 1,
            max_overflow: 1,
            ..
        }
    ));
    let msg = err.to_string();
    assert!(
        msg.contains("size 1") && msg.contains("overflow 1") && msg.contains("timeout 0.30"),
        "{msg}"
    );
}

fn fifo_and_lifo_order_are_observable(b: &TestDb) {
    for lifo in [false, true] {
        let engine = Engine::builder(&b.url())
            .pool_size(3)
            .pool_use_lifo(lifo)
            .build()
            .unwrap();
        let conns: Vec<Connection> = (0..3).map(|_| engine.connect().unwrap()).collect();
        let ids: Vec<u64> = conns.iter().map(|c| c.connection_id().unwrap()).collect();
        drop(conns); // returned in order ids[0], ids[1], ids[2]
        let next = engine.connect().unwrap().connection_id().unwrap();
        assert_eq!(next, if lifo { ids[2] } else { ids[0] }, "lifo = {lifo}");
    }
}

fn recycle_replaces_old_connections(b: &TestDb) {
    let engine = Engine::builder(&b.url())
        .pool_recycle(Duration::from_millis(50))
        .build()
        .unwrap();
    let first = engine.connect().unwrap().connection_id().unwrap();
    assert_eq!(
        engine.connect().unwrap().connection_id().unwrap(),
        first,
        "reused while young"
    );
    std::thread::sleep(Duration::from_millis(80));
    assert_ne!(
        engine.connect().unwrap().connection_id().unwrap(),
        first,
        "replaced when old"
    );
}

fn reset_on_return_rolls_back_commits_or_leaves_alone(b: &TestDb) {
    // A Connection rolls its own transaction back when it closes (as SQLAlchemy); the pool's
    // reset-on-return deals with a transaction begun on the driver connection directly.
    for (reset, expect) in [(ResetOnReturn::Rollback, 0), (ResetOnReturn::Commit, 1)] {
        let engine = Engine::builder(&b.url())
            .pool_reset_on_return(reset)
            .build()
            .unwrap();
        {
            let mut conn = engine.connect().unwrap();
            conn.execute(text("DROP TABLE IF EXISTS t"), ()).unwrap();
            conn.execute(text("CREATE TABLE t (x INTEGER)"), ())
                .unwrap();
            conn.commit().unwrap();
            let raw = conn.driver_connection().unwrap();
            raw.begin().unwrap();
            raw.execute_batch("INSERT INTO t VALUES (1)").unwrap();
        }
        let mut conn = engine.connect().unwrap();
        assert_eq!(rows_in(&mut conn, "t"), expect, "{reset:?}");
        conn.execute(
            insert(&Table::new("t").column(Column::new("x", SqlType::Integer))),
            params! { "x" => 2 },
        )
        .unwrap();
        drop(conn); // the Connection's own transaction is rolled back, whatever the reset
        let mut conn = engine.connect().unwrap();
        assert_eq!(rows_in(&mut conn, "t"), expect, "{reset:?}");
    }
    // With no reset, the driver connection comes back as it was left: inside its transaction.
    let engine = Engine::builder(&b.url())
        .pool_size(1)
        .pool_reset_on_return(ResetOnReturn::None)
        .build()
        .unwrap();
    {
        let mut conn = engine.connect().unwrap();
        conn.driver_connection().unwrap().begin().unwrap();
    }
    let mut conn = engine.connect().unwrap();
    let raw = conn.driver_connection().unwrap();
    assert!(raw.in_transaction(), "left alone at checkin");
    raw.rollback().unwrap();
}

fn extreme_pool_settings_do_not_panic(b: &TestDb) {
    let engine = Engine::builder(&b.url())
        .max_overflow(usize::MAX)
        .pool_timeout(Duration::MAX)
        .build()
        .unwrap();
    let conns: Vec<Connection> = (0..8).map(|_| engine.connect().unwrap()).collect();
    assert_eq!(engine.pool_status().checked_out, 8);
    drop(conns);
    let huge = Engine::builder(&b.url())
        .pool_size(usize::MAX)
        .max_overflow(usize::MAX)
        .build()
        .unwrap();
    let conns: Vec<Connection> = (0..3).map(|_| huge.connect().unwrap()).collect();
    let s = huge.pool_status();
    assert_eq!((s.checked_out, s.overflow), (3, isize::MIN), "{s}");
    drop(conns);
    assert_eq!(huge.pool_status().checked_in, 3);
    let one = Engine::builder(&b.url())
        .pool_size(1)
        .max_overflow(0)
        .pool_timeout(Duration::MAX)
        .build()
        .unwrap();
    let held = one.connect().unwrap();
    let e = one.clone();
    let waiter = std::thread::spawn(move || e.connect().map(|c| c.connection_id()));
    std::thread::sleep(Duration::from_millis(50));
    drop(held);
    assert!(
        waiter.join().unwrap().is_ok(),
        "a waiter without deadline is served"
    );
}

/// Checks out `n` connections at once, each proven alive; their pool ids.
fn hold(engine: &Engine, n: usize) -> (Vec<Connection>, HashSet<u64>) {
    let mut conns: Vec<Connection> = (0..n)
        .map(|i| {
            engine
                .connect()
                .unwrap_or_else(|e| panic!("checkout {i} of {n}: {e}"))
        })
        .collect();
    for conn in &mut conns {
        assert_eq!(scalar::<i64>(conn, "SELECT 1"), 1);
    }
    let ids = conns.iter().map(|c| c.connection_id().unwrap()).collect();
    (conns, ids)
}

fn pool_size_zero_is_no_limit(b: &TestDb) {
    // SQLAlchemy's QueuePool: pool_size=0 puts no limit on the pool (max_overflow no longer
    // applies), and every connection that comes back is kept.
    for max_overflow in [None, Some(0)] {
        let mut builder = Engine::builder(&b.url())
            .pool_size(0)
            .pool_timeout(Duration::from_millis(200));
        if let Some(n) = max_overflow {
            builder = builder.max_overflow(n);
        }
        let engine = builder.build().unwrap();
        let (conns, ids) = hold(&engine, 20);
        assert_eq!(ids.len(), 20, "{max_overflow:?}");
        let s = engine.pool_status();
        assert_eq!(
            (s.size, s.checked_in, s.checked_out, s.overflow),
            (0, 0, 20, 0),
            "{max_overflow:?}: {s}"
        );
        drop(conns);
        let s = engine.pool_status();
        assert_eq!(
            (s.checked_in, s.checked_out, s.overflow),
            (20, 0, 0),
            "{max_overflow:?}: every connection is kept: {s}"
        );
        let (again, reused) = hold(&engine, 20);
        assert_eq!(reused, ids, "{max_overflow:?}: and reused");
        drop(again);
    }
}

fn max_overflow_usize_max_is_unlimited(b: &TestDb) {
    let engine = Engine::builder(&b.url())
        .pool_size(2)
        .max_overflow(usize::MAX)
        .pool_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let (conns, ids) = hold(&engine, 20);
    assert_eq!(ids.len(), 20);
    let s = engine.pool_status();
    assert_eq!(
        (s.size, s.checked_in, s.checked_out, s.overflow),
        (2, 0, 20, 18),
        "{s}"
    );
    drop(conns);
    let s = engine.pool_status();
    assert_eq!(
        (s.checked_in, s.checked_out, s.overflow),
        (2, 0, 0),
        "the overflow is closed as it comes back: {s}"
    );
}

fn failing_hooks_close_the_connection_and_free_the_slot(b: &TestDb) {
    let closed = Arc::new(AtomicUsize::new(0));
    let c = closed.clone();
    let fail = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let f = fail.clone();
    let engine = Engine::builder(&b.url())
        .pool_size(1)
        .max_overflow(0)
        .pool_timeout(Duration::from_millis(200))
        .on_checkout(move |_| {
            if f.load(Ordering::SeqCst) {
                Err(Error::InvalidRequest("no".into()))
            } else {
                Ok(())
            }
        })
        .on_close(move |_| {
            c.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
        .build()
        .unwrap();
    for _ in 0..3 {
        assert!(matches!(engine.connect(), Err(Error::InvalidRequest(_))));
    }
    assert_eq!(
        closed.load(Ordering::SeqCst),
        3,
        "each failed connection was closed"
    );
    fail.store(false, Ordering::SeqCst);
    assert!(engine.connect().is_ok(), "the slot was given back");
}

fn null_pool_opens_and_closes_per_checkout(b: &TestDb) {
    let engine = Engine::builder(&b.url())
        .poolclass(PoolClass::Null)
        .build()
        .unwrap();
    let a = engine.connect().unwrap().connection_id().unwrap();
    let b = engine.connect().unwrap().connection_id().unwrap();
    assert_ne!(a, b);
    assert_eq!(engine.pool_status().checked_in, 0);
}

fn singleton_thread_pool_keeps_one_connection_per_thread(b: &TestDb) {
    let engine = Engine::builder(&b.url())
        .poolclass(PoolClass::SingletonThread)
        .build()
        .unwrap();
    let here_a = engine.connect().unwrap().connection_id().unwrap();
    let here_b = engine.connect().unwrap().connection_id().unwrap();
    assert_eq!(here_a, here_b);
    let e = engine.clone();
    let there = std::thread::spawn(move || e.connect().unwrap().connection_id().unwrap())
        .join()
        .unwrap();
    assert_ne!(there, here_a);
    // pool_size 0 keeps every thread's connection.
    let engine = Engine::builder(&b.url())
        .poolclass(PoolClass::SingletonThread)
        .pool_size(0)
        .build()
        .unwrap();
    for _ in 0..3 {
        let e = engine.clone();
        std::thread::spawn(move || drop(e.connect().unwrap()))
            .join()
            .unwrap();
    }
    assert_eq!(engine.pool_status().checked_in, 3);
}

fn dispose_closes_idle_connections(b: &TestDb) {
    let engine = create_engine(&b.url()).unwrap();
    let first = engine.connect().unwrap().connection_id().unwrap();
    assert_eq!(engine.pool_status().checked_in, 1);
    engine.dispose();
    assert_eq!(engine.pool_status().checked_in, 0);
    assert_ne!(engine.connect().unwrap().connection_id().unwrap(), first);
}

// ---- connections and transactions ----------------------------------------------------------------------

fn invalidate_discards_and_requires_rollback_inside_a_transaction(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let mut conn = engine.connect().unwrap();
    let first = conn.connection_id().unwrap();
    conn.execute(insert(&users()), params! { "name" => "lost" })
        .unwrap();
    conn.invalidate();
    assert!(conn.invalidated());
    assert!(matches!(
        conn.execute(text("SELECT 1"), ()),
        Err(Error::PendingRollback { .. })
    ));
    conn.rollback().unwrap();
    assert_eq!(
        rows_in(&mut conn, "users"),
        0,
        "the invalidated transaction's work is gone"
    );
    assert!(!conn.invalidated());
    assert_ne!(conn.connection_id().unwrap(), first, "a new connection");
    drop(conn);
    let ids: HashSet<u64> = (0..3)
        .map(|_| engine.connect().unwrap().connection_id().unwrap())
        .collect();
    assert!(
        !ids.contains(&first),
        "the discarded connection is never reused"
    );
}

fn a_panic_returns_the_connection_rolled_back(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let e = engine.clone();
    let result = std::thread::spawn(move || {
        let mut conn = e.connect().unwrap();
        conn.execute(insert(&users()), params! { "name" => "conn" })
            .unwrap();
        let mut tx = e.begin().unwrap();
        tx.execute(insert(&users()), params! { "name" => "tx" })
            .unwrap();
        panic!("user code failed");
    })
    .join();
    assert!(result.is_err());
    let status = engine.pool_status();
    assert_eq!(status.checked_out, 0, "{status}");
    assert_eq!(status.checked_in, 2);
    let e = engine.clone();
    let closure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        e.transaction(|c| -> Result<()> {
            c.execute(insert(&users()), params! { "name" => "closure" })?;
            panic!("inside the closure");
        })
    }));
    assert!(closure.is_err());
    let mut conn = engine.connect().unwrap();
    assert_eq!(rows_in(&mut conn, "users"), 0);
    assert_eq!(engine.pool_status().checked_out, 1);
}

/// After `invalidate()` inside a transaction nothing commits: every commit and release is
/// `PendingRollback` (with no cause: the invalidation was asked for), rollback ends it, and
/// the rows are absent.
fn an_invalidated_transaction_never_commits(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let pending = |r: &Result<()>| matches!(r, Err(Error::PendingRollback { cause: None, .. }));
    let mut conn = engine.connect().unwrap();

    // A transaction guard.
    let mut tx = conn.begin().unwrap();
    tx.execute(insert(&users()), params! { "name" => "guard" })
        .unwrap();
    tx.invalidate();
    assert!(
        pending(&tx.commit()),
        "commit of an invalidated transaction"
    );
    assert!(conn.in_transaction(), "still to be rolled back");
    assert!(pending(&conn.commit()), "and again");
    conn.rollback().unwrap();

    // Commit-as-you-go.
    conn.execute(insert(&users()), params! { "name" => "autobegun" })
        .unwrap();
    conn.invalidate();
    assert!(pending(&conn.commit()));
    conn.rollback().unwrap();

    // A savepoint rolled back after the invalidation; the enclosing commit still fails.
    let mut tx = conn.begin().unwrap();
    tx.execute(insert(&users()), params! { "name" => "outer" })
        .unwrap();
    let mut sp = tx.begin_nested().unwrap();
    sp.execute(insert(&users()), params! { "name" => "inner" })
        .unwrap();
    sp.invalidate();
    sp.rollback().unwrap();
    assert!(pending(&tx.commit()));
    conn.rollback().unwrap();

    // A savepoint released after the invalidation.
    let mut tx = conn.begin().unwrap();
    let mut sp = tx.begin_nested().unwrap();
    sp.execute(insert(&users()), params! { "name" => "released" })
        .unwrap();
    sp.invalidate();
    assert!(pending(&sp.commit()), "release of a savepoint");
    assert!(pending(&tx.commit()));
    drop(conn);

    // engine.transaction() whose closure invalidated and carried on.
    let outcome = engine.transaction(|c| {
        c.execute(insert(&users()), params! { "name" => "closure" })?;
        c.invalidate();
        Ok(())
    });
    assert!(pending(&outcome), "{outcome:?}");
    let outcome = engine.begin().and_then(|mut tx| {
        tx.execute(insert(&users()), params! { "name" => "engine.begin" })?;
        tx.invalidate();
        tx.commit()
    });
    assert!(pending(&outcome), "{outcome:?}");

    let mut conn = engine.connect().unwrap();
    assert_eq!(rows_in(&mut conn, "users"), 0, "nothing was committed");
    // The connection goes on once rolled back.
    conn.execute(insert(&users()), params! { "name" => "kept" })
        .unwrap();
    conn.commit().unwrap();
    assert_eq!(rows_in(&mut conn, "users"), 1);
    assert_eq!(engine.pool_status().checked_out, 1);
}

/// A `checkin` or `reset` hook that panics discards the connection and frees its place in the
/// pool; the panic reaches the caller.
fn a_panicking_checkin_hook_frees_the_slot(b: &TestDb) {
    for (hook, class) in [
        ("checkin", PoolClass::Queue),
        ("reset", PoolClass::Queue),
        ("checkin", PoolClass::Static),
        ("checkin", PoolClass::Null),
        ("checkin", PoolClass::SingletonThread),
    ] {
        let panics = Arc::new(AtomicUsize::new(2));
        let closed = Arc::new(AtomicUsize::new(0));
        let (p, c) = (panics.clone(), closed.clone());
        let panicking = move |_: &mut dyn sqlcore::driver::DriverConnection| -> Result<()> {
            if p.fetch_sub(1, Ordering::SeqCst) > 0 {
                panic!("hook failed");
            }
            Ok(())
        };
        let builder = Engine::builder(&b.url())
            .poolclass(class)
            .pool_size(1)
            .max_overflow(0)
            .pool_timeout(Duration::from_millis(300))
            .on_close(move |_| {
                c.fetch_add(1, Ordering::SeqCst);
                Ok(())
            });
        let engine = match hook {
            "checkin" => builder.on_checkin(panicking),
            _ => builder.on_reset(panicking),
        }
        .build()
        .unwrap();
        for round in 0..2 {
            let conn = engine.connect().unwrap();
            let returned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(conn)));
            assert!(
                returned.is_err(),
                "{hook} {class:?} {round}: the panic goes on"
            );
            assert_eq!(engine.pool_status().checked_out, 0, "{hook} {class:?}");
        }
        assert_eq!(
            closed.load(Ordering::SeqCst),
            2,
            "{hook} {class:?}: discarded"
        );
        let mut conn = engine.connect().unwrap();
        assert_eq!(scalar::<i64>(&mut conn, "SELECT 1"), 1, "{hook} {class:?}");
        drop(conn);
        // A panic while the thread already unwinds is logged, not a second panic (an abort).
        panics.store(1, Ordering::SeqCst);
        let unwinding = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _conn = engine.connect().unwrap();
            panic!("user code failed");
        }));
        assert!(unwinding.is_err());
        assert!(
            engine.connect().is_ok(),
            "{hook} {class:?}: the slot is free"
        );
    }
}

/// A statement with more parameters than the dialect carries is refused before it is sent:
/// a clear error naming the limit, the connection and the pool untouched.
fn too_many_parameters_are_refused_before_sending(b: &TestDb) {
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let id = conn.connection_id();
    let limit = engine.dialect().max_parameters();
    let sql = format!(
        "SELECT {}",
        (0..=limit)
            .map(|i| format!(":p{i}"))
            .collect::<Vec<_>>()
            .join("\n + ")
    );
    let mut params = Params::new();
    for i in 0..=limit {
        params.insert(format!("p{i}"), 1);
    }
    let err = conn.execute(text(&sql), &params).unwrap_err();
    assert!(
        matches!(err, Error::Compile(CompileError::TooManyParameters { count, limit: l, .. }) if count == limit + 1 && l == limit),
        "{err}"
    );
    assert!(err.to_string().contains(&limit.to_string()), "{err}");
    assert!(!err.connection_invalidated());
    assert!(!conn.invalidated() && conn.connection_id() == id);
    assert_eq!(scalar::<i64>(&mut conn, "SELECT 1"), 1);
    let other = engine.connect().unwrap().connection_id();
    drop(conn);
    assert_eq!(
        engine.connect().unwrap().connection_id(),
        other,
        "pooled connections were kept (no pool-wide invalidation)"
    );
}

crate::on_every_backend!(
    two_threads_get_two_connections,
    queue_pool_bounds_connections_under_contention,
    waiting_callers_are_served_in_arrival_order,
    timeout_error_states_the_limits_and_fires_after_pool_timeout,
    fifo_and_lifo_order_are_observable,
    recycle_replaces_old_connections,
    reset_on_return_rolls_back_commits_or_leaves_alone,
    extreme_pool_settings_do_not_panic,
    pool_size_zero_is_no_limit,
    max_overflow_usize_max_is_unlimited,
    failing_hooks_close_the_connection_and_free_the_slot,
    null_pool_opens_and_closes_per_checkout,
    singleton_thread_pool_keeps_one_connection_per_thread,
    dispose_closes_idle_connections,
    invalidate_discards_and_requires_rollback_inside_a_transaction,
    a_panic_returns_the_connection_rolled_back,
    an_invalidated_transaction_never_commits,
    a_panicking_checkin_hook_frees_the_slot,
    too_many_parameters_are_refused_before_sending,
);

// The suite through PgBouncer in transaction pooling mode, but for two tests that hold 20
// transactions open at once (`pool_size_zero_is_no_limit`, `max_overflow_usize_max_is_unlimited`):
// the bouncer has 4 server connections per database and, as transaction pooling does, makes
// the 5th open transaction wait until one of those ends.
crate::through_pgbouncer!(
    two_threads_get_two_connections,
    queue_pool_bounds_connections_under_contention,
    waiting_callers_are_served_in_arrival_order,
    timeout_error_states_the_limits_and_fires_after_pool_timeout,
    fifo_and_lifo_order_are_observable,
    recycle_replaces_old_connections,
    reset_on_return_rolls_back_commits_or_leaves_alone,
    extreme_pool_settings_do_not_panic,
    failing_hooks_close_the_connection_and_free_the_slot,
    null_pool_opens_and_closes_per_checkout,
    singleton_thread_pool_keeps_one_connection_per_thread,
    dispose_closes_idle_connections,
    invalidate_discards_and_requires_rollback_inside_a_transaction,
    a_panic_returns_the_connection_rolled_back,
    an_invalidated_transaction_never_commits,
    a_panicking_checkin_hook_frees_the_slot,
    too_many_parameters_are_refused_before_sending,
);
