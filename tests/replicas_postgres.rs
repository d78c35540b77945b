//! Read replicas on a streaming replication pair of the test's own (`tests/common/replication.rs`:
//! a primary on a free port and a `pg_basebackup` standby on another): reads land on the
//! standby and everything else on the primary, proved statement by statement with
//! `pg_is_in_recovery()`; a connection that has written stays on the primary; a standby
//! stopped mid-load costs no failed read and is tried again after its backoff.

mod common;

use common::replication::{Pair, shared};
use sqlcore::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// `SELECT pg_is_in_recovery()` as a Core select: true on the standby.
fn on_standby() -> Statement {
    select([func("pg_is_in_recovery", ())]).into()
}

fn in_recovery(conn: &mut Connection, stmt: impl Into<Executable<'static>>) -> bool {
    conn.execute(stmt, ()).unwrap().scalar_one().unwrap()
}

fn items() -> Table {
    Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).not_null())
}

#[test]
fn reads_go_to_the_standby_and_writes_and_transactions_to_the_primary() {
    let Some(pair) = shared() else {
        return;
    };
    let (_, search_path) = pair.schema("routing");
    let engine = Engine::builder(&pair.url(true, &search_path))
        .replica(&pair.url(false, &search_path))
        .build()
        .unwrap();
    let mut md = MetaData::new();
    md.add(items()).unwrap();
    md.create_all(&engine).unwrap();
    engine
        .transaction(|conn| {
            conn.execute_many(
                insert(&items()),
                (1..=3).map(|i| params! { "id" => i, "name" => format!("n{i}") }),
            )
        })
        .unwrap();

    // Core selects outside a transaction: each on the standby, and the connection stays
    // outside a transaction.
    let mut conn = engine.connect().unwrap();
    for _ in 0..20 {
        assert!(
            in_recovery(&mut conn, on_standby()),
            "a read on the standby"
        );
        assert!(!conn.in_transaction());
    }
    // The standby has the rows committed on the primary (commits wait for it to apply them).
    let names: Vec<String> = conn
        .execute(select([items().c("name")]).order_by([items().c("id")]), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(names, ["n1", "n2", "n3"]);
    // text() is a read only when marked so.
    let marked = text("SELECT pg_is_in_recovery()").execution_options(|o| o.read_only(true));
    assert!(in_recovery(&mut conn, marked));
    // read_only(false) keeps a select on the primary.
    let kept = on_standby().execution_options(|o| o.read_only(false));
    assert!(!in_recovery(&mut engine.connect().unwrap(), kept));
    // An unmarked text() may write: the primary.
    assert!(!in_recovery(
        &mut engine.connect().unwrap(),
        text("SELECT pg_is_in_recovery()")
    ));
    // Transactions run on the primary.
    {
        let mut tx = engine.begin().unwrap();
        assert!(!in_recovery(&mut tx, on_standby()));
    }
    engine
        .transaction(|conn| {
            assert!(!in_recovery(conn, on_standby()));
            Ok(())
        })
        .unwrap();
    // A connection-wide read_only(true) sends its text() reads to the standby too.
    let readers = engine.execution_options(ExecutionOptions::default().read_only(true));
    assert!(in_recovery(
        &mut readers.connect().unwrap(),
        text("SELECT pg_is_in_recovery()")
    ));
    // Writes go to the primary, and the connection that wrote stays there, after its commit
    // too: it reads its own writes.
    let mut writer = engine.connect().unwrap();
    assert!(in_recovery(&mut writer, on_standby()));
    writer
        .execute(insert(&items()), params! { "id" => 4, "name" => "n4" })
        .unwrap();
    assert!(!in_recovery(&mut writer, on_standby()));
    writer.commit().unwrap();
    assert!(!in_recovery(&mut writer, on_standby()), "read-your-writes");
    let n: i64 = writer
        .execute(select([count(items().c("id"))]), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 4);
    // So does one in AUTOCOMMIT, where no transaction is begun.
    let auto = engine
        .execution_options(ExecutionOptions::default().isolation_level(IsolationLevel::Autocommit));
    let mut writer = auto.connect().unwrap();
    assert!(in_recovery(&mut writer, on_standby()));
    writer
        .execute(insert(&items()), params! { "id" => 5, "name" => "n5" })
        .unwrap();
    assert!(!in_recovery(&mut writer, on_standby()), "read-your-writes");
    // A read on the standby is refused a write, as the server refuses it there.
    let err = engine
        .connect()
        .unwrap()
        .execute(
            text("INSERT INTO items VALUES (9, 'x')").execution_options(|o| o.read_only(true)),
            (),
        )
        .unwrap_err();
    assert_eq!(
        err.as_db_error().and_then(|e| e.sqlstate.as_deref()),
        Some("25006"),
        "{err}"
    );
    assert!(engine.replica_status().iter().all(|r| !r.down));
}

#[test]
fn a_replica_of_another_backend_or_on_the_async_engine_is_an_argument_error() {
    let err = Engine::builder("sqlite://")
        .replica("postgresql://db/app")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Argument(_)), "{err}");
    let err = Engine::builder("postgresql://db/app")
        .replica("sqlite://")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Argument(_)), "{err}");
    let err = AsyncEngine::builder("postgresql://db/app")
        .replica("postgresql://replica/app")
        .build_async()
        .map(drop)
        .unwrap_err();
    assert!(matches!(err, Error::Argument(_)), "{err}");
}

#[test]
fn a_stopped_standby_costs_no_failed_read_and_is_tried_again_after_its_backoff() {
    let Some(pair) = Pair::start("stop") else {
        return;
    };
    let engine = Engine::builder(&pair.url(true, ""))
        .replica(&pair.url(false, "connect_timeout=2"))
        .replica_backoff(Duration::from_millis(500))
        .pool_size(8)
        .build()
        .unwrap();
    let stop = AtomicBool::new(false);
    let (reads, failed, on_primary) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    let stopped_at = std::sync::Mutex::new(None::<Instant>);
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let read = engine
                        .connect()
                        .and_then(|mut conn| conn.execute(on_standby(), ())?.scalar_one::<bool>());
                    match read {
                        Ok(standby) => {
                            reads.fetch_add(1, Ordering::Relaxed);
                            if !standby {
                                on_primary.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Err(e) => {
                            eprintln!("failed read: {e}");
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
        // Mid-load: the standby goes away.
        while reads.load(Ordering::Relaxed) < 400 {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            on_primary.load(Ordering::Relaxed),
            0,
            "reads on the standby"
        );
        pair.pg_ctl("standby", "stop");
        *stopped_at.lock().unwrap() = Some(Instant::now());
        let before = reads.load(Ordering::Relaxed);
        while reads.load(Ordering::Relaxed) < before + 400 {
            std::thread::sleep(Duration::from_millis(5));
        }
        stop.store(true, Ordering::Relaxed);
    });
    println!(
        "{} reads, {} on the primary after the standby stopped, {} failed",
        reads.load(Ordering::Relaxed),
        on_primary.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed)
    );
    assert_eq!(failed.load(Ordering::Relaxed), 0, "no read failed");
    assert!(on_primary.load(Ordering::Relaxed) >= 400);
    assert!(
        engine.replica_status()[0].down || {
            // Tried again after the backoff, and down again.
            std::thread::sleep(Duration::from_millis(600));
            let _ = engine.connect().unwrap().execute(on_standby(), ());
            engine.replica_status()[0].down
        }
    );
    // Back up: once the backoff has passed, reads return to it.
    pair.pg_ctl("standby", "start");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if in_recovery(&mut engine.connect().unwrap(), on_standby()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "reads did not return to the standby"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!engine.replica_status()[0].down);
}
