//! Failover: 8 threads commit numbered rows through a multi-host URL with
//! `target_session_attrs=read-write` while the primary of a replication pair of the test's own
//! goes away and its standby is promoted. Every commit that returned `Ok` must be on the new
//! primary, nothing may be there that was not acknowledged (or reported of unknown outcome),
//! the pool must replace its connections, and new checkouts must reach the new primary. The
//! time from the promotion to the first commit on the new primary is printed.
//!
//! Commits wait for the standby (`synchronous_commit = remote_apply`, see
//! `tests/common/replication.rs`): with asynchronous replication a commit acknowledged just
//! before the primary goes away may never reach the standby, whatever the client does.
#![cfg(feature = "postgres")]

mod common;

use common::replication::Pair;
use sqlcore::*;
use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What happened to each row a worker tried to commit.
#[derive(Default)]
struct Outcomes {
    acknowledged: HashSet<(i32, i32)>,
    unknown: HashSet<(i32, i32)>,
    failed: usize,
}

#[test]
fn promoting_the_standby_mid_load_loses_no_acknowledged_commit() {
    let Some(pair) = Pair::start("failover") else {
        return;
    };
    pair.client(true)
        .batch_execute("CREATE TABLE acked (worker integer, n integer, PRIMARY KEY (worker, n))")
        .unwrap();
    let url = format!(
        "postgresql://postgres@127.0.0.1:{},127.0.0.1:{}/postgres?target_session_attrs=read-write&connect_timeout=2",
        pair.primary_port, pair.standby_port
    );
    let engine = Engine::builder(&url)
        .pool_size(4)
        .max_overflow(2)
        .pool_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let acked = Table::new("acked")
        .column(Column::new("worker", SqlType::Integer).primary_key())
        .column(Column::new("n", SqlType::Integer).primary_key());
    let outcomes = Mutex::new(Outcomes::default());
    let (stop, promoted) = (AtomicBool::new(false), AtomicBool::new(false));
    let commits = AtomicUsize::new(0);
    let first_after_promotion = Mutex::new(None::<Instant>);
    let promoted_at = Mutex::new(None::<Instant>);
    std::thread::scope(|scope| {
        for worker in 0..8 {
            let (engine, acked, outcomes) = (&engine, &acked, &outcomes);
            let (stop, promoted, commits) = (&stop, &promoted, &commits);
            let first_after_promotion = &first_after_promotion;
            scope.spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let after_promotion = promoted.load(Ordering::Relaxed);
                    let done = engine.transaction(|conn| {
                        conn.execute(insert(acked), params! { "worker" => worker, "n" => n })
                    });
                    let mut o = outcomes.lock().unwrap();
                    match done {
                        Ok(_) => {
                            o.acknowledged.insert((worker, n));
                            commits.fetch_add(1, Ordering::Relaxed);
                            if after_promotion {
                                first_after_promotion
                                    .lock()
                                    .unwrap()
                                    .get_or_insert_with(Instant::now);
                            }
                        }
                        Err(Error::CommitOutcomeUnknown { .. }) => {
                            o.unknown.insert((worker, n));
                        }
                        Err(_) => {
                            o.failed += 1;
                            drop(o);
                            std::thread::sleep(Duration::from_millis(20));
                        }
                    }
                }
            });
        }
        let wait_for = |count: usize, what: &str| {
            let deadline = Instant::now() + Duration::from_secs(120);
            while commits.load(Ordering::Relaxed) < count {
                assert!(Instant::now() < deadline, "{what}: no commits");
                std::thread::sleep(Duration::from_millis(10));
            }
        };
        wait_for(300, "before the failover");
        // The primary goes away mid-load, and the standby is promoted.
        pair.pg_ctl("primary", "stop");
        *promoted_at.lock().unwrap() = Some(Instant::now());
        promoted.store(true, Ordering::Relaxed);
        pair.pg_ctl("standby", "promote");
        let before = commits.load(Ordering::Relaxed);
        wait_for(before + 300, "after the promotion");
        stop.store(true, Ordering::Relaxed);
    });
    let o = outcomes.into_inner().unwrap();
    let recovery = first_after_promotion
        .into_inner()
        .unwrap()
        .zip(promoted_at.into_inner().unwrap())
        .map(|(first, promoted)| first.duration_since(promoted));
    println!(
        "failover: {} commits acknowledged, {} of unknown outcome, {} failed; first commit on the new primary {recovery:?} after the promotion began",
        o.acknowledged.len(),
        o.unknown.len(),
        o.failed
    );
    let recovery = recovery.expect("a commit on the new primary");
    assert!(
        recovery < Duration::from_secs(60),
        "recovery took {recovery:?}"
    );
    // Every acknowledged commit is on the new primary, and nothing else but unknowns.
    let rows: HashSet<(i32, i32)> = pair
        .client(false)
        .query("SELECT worker, n FROM acked", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let lost: Vec<_> = o.acknowledged.difference(&rows).collect();
    assert!(lost.is_empty(), "acknowledged commits lost: {lost:?}");
    let phantom: Vec<_> = rows
        .iter()
        .filter(|r| !o.acknowledged.contains(r) && !o.unknown.contains(r))
        .collect();
    assert!(phantom.is_empty(), "rows never acknowledged: {phantom:?}");
    // New checkouts reach the new primary.
    let mut conn = engine.connect().unwrap();
    let row = conn
        .execute(text("SELECT inet_server_port(), pg_is_in_recovery()"), ())
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row.get::<i32>(0).unwrap(), i32::from(pair.standby_port));
    assert!(!row.get::<bool>(1).unwrap());
    let s = engine.pool_status();
    assert!(
        s.checked_out <= 1 && s.waiting == 0,
        "the pool is whole: {s}"
    );
}
