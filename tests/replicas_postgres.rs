//! Read replicas on a streaming replication pair of the test's own (`tests/common/replication.rs`:
//! a primary on a free port and a `pg_basebackup` standby on another): reads land on the
//! standby and everything else on the primary, proved statement by statement with
//! `pg_is_in_recovery()`; a connection that has written stays on the primary; a standby
//! stopped mid-load costs no failed read and is tried again after its backoff. Each test runs
//! on the sync and on the async engine, from one definition.
#![cfg(all(feature = "postgres", feature = "async"))]

mod common;

use common::engines::{TestConn, TestEngine};
use common::replication::{Pair, shared};
use sqlcore::events::{ConnectionEvents, Executed, Failure, StatementEvent};
use sqlcore::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::block_in_place;

on_sync_and_async!(
    reads_go_to_the_standby_and_writes_and_transactions_to_the_primary,
    a_read_on_the_standby_fires_its_events_naming_the_standby,
    a_stopped_standby_costs_no_failed_read_and_is_tried_again_after_its_backoff,
);

/// `SELECT pg_is_in_recovery()` as a Core select: true on the standby.
fn on_standby() -> Statement {
    select([func("pg_is_in_recovery", ())]).into()
}

async fn in_recovery(
    conn: &mut impl TestConn,
    stmt: impl Into<Executable<'static>> + Send,
) -> bool {
    conn.one_value(stmt, Params::new()).await.unwrap() == Value::Bool(true)
}

fn items() -> Table {
    Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).not_null())
}

fn item(id: i64) -> Params {
    params! { "id" => id, "name" => format!("n{id}") }
}

async fn reads_go_to_the_standby_and_writes_and_transactions_to_the_primary<E: TestEngine>() {
    // The pair's set-up is sync code with a runtime of its own: outside this one.
    let Some(pair) = block_in_place(shared) else {
        return;
    };
    let (_, search_path) = block_in_place(|| pair.schema(&format!("routing_{}", E::NAME)));
    // The table and its rows, made on the primary.
    let setup = create_engine(&pair.url(true, &search_path)).unwrap();
    let mut md = MetaData::new();
    md.add(items()).unwrap();
    md.create_all(&setup).unwrap();
    setup
        .transaction(|conn| conn.execute_many(insert(&items()), (1..=3).map(item)))
        .unwrap();

    let engine = E::build(
        Engine::builder(&pair.url(true, &search_path)).replica(&pair.url(false, &search_path)),
    )
    .unwrap();
    // Core selects outside a transaction: each on the standby, and the connection stays
    // outside a transaction.
    let mut conn = engine.conn().await.unwrap();
    for _ in 0..20 {
        assert!(
            in_recovery(&mut conn, on_standby()).await,
            "a read on the standby"
        );
        assert!(!conn.in_tx());
    }
    // The standby has the rows committed on the primary (commits wait for it to apply them).
    let names: Vec<String> = conn
        .exec(
            select([items().c("name")]).order_by([items().c("id")]),
            Params::new(),
        )
        .await
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(names, ["n1", "n2", "n3"]);
    // text() is a read only when marked so.
    let marked = text("SELECT pg_is_in_recovery()").execution_options(|o| o.read_only(true));
    assert!(in_recovery(&mut conn, marked).await);
    // read_only(false) keeps a select on the primary.
    let kept = on_standby().execution_options(|o| o.read_only(false));
    assert!(!in_recovery(&mut engine.conn().await.unwrap(), kept).await);
    // An unmarked text() may write: the primary.
    assert!(
        !in_recovery(
            &mut engine.conn().await.unwrap(),
            text("SELECT pg_is_in_recovery()")
        )
        .await
    );
    // Transactions run on the primary.
    let in_tx = engine
        .conn()
        .await
        .unwrap()
        .value_in_transaction(on_standby())
        .await
        .unwrap();
    assert_eq!(in_tx, Value::Bool(false));
    // A connection-wide read_only(true) sends its text() reads to the standby too.
    let readers = engine.with_options(ExecutionOptions::default().read_only(true));
    assert!(
        in_recovery(
            &mut readers.conn().await.unwrap(),
            text("SELECT pg_is_in_recovery()")
        )
        .await
    );
    // Writes go to the primary, and the connection that wrote stays there, after its commit
    // too: it reads its own writes.
    let mut writer = engine.conn().await.unwrap();
    assert!(in_recovery(&mut writer, on_standby()).await);
    writer.exec(insert(&items()), item(4)).await.unwrap();
    assert!(!in_recovery(&mut writer, on_standby()).await);
    writer.commit().await.unwrap();
    assert!(
        !in_recovery(&mut writer, on_standby()).await,
        "read-your-writes"
    );
    let n = writer
        .one_value(select([count(items().c("id"))]), Params::new())
        .await
        .unwrap();
    assert_eq!(n, Value::I64(4));
    // So does one in AUTOCOMMIT, where no transaction is begun.
    let auto = engine
        .with_options(ExecutionOptions::default().isolation_level(IsolationLevel::Autocommit));
    let mut writer = auto.conn().await.unwrap();
    assert!(in_recovery(&mut writer, on_standby()).await);
    writer.exec(insert(&items()), item(5)).await.unwrap();
    assert!(
        !in_recovery(&mut writer, on_standby()).await,
        "read-your-writes"
    );
    // So does one that ran executemany.
    let mut writer = engine.conn().await.unwrap();
    assert!(in_recovery(&mut writer, on_standby()).await);
    writer
        .exec_many(insert(&items()), vec![item(6), item(7)])
        .await
        .unwrap();
    assert!(
        !in_recovery(&mut writer, on_standby()).await,
        "read-your-writes"
    );
    writer.rollback().await.unwrap();
    // A read on the standby is refused a write, as the server refuses it there.
    let err = engine
        .conn()
        .await
        .unwrap()
        .exec(
            text("INSERT INTO items VALUES (9, 'x')").execution_options(|o| o.read_only(true)),
            Params::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.as_db_error().and_then(|e| e.sqlstate.as_deref()),
        Some("25006"),
        "{err}"
    );
    assert!(engine.replicas().iter().all(|r| !r.down));
}

#[test]
fn a_replica_of_another_backend_is_an_argument_error_on_either_engine() {
    let sqlite_primary = || Engine::builder("sqlite://").replica("postgresql://db/app");
    let sqlite_replica = || Engine::builder("postgresql://db/app").replica("sqlite://");
    for err in [
        sqlite_primary().build().map(drop).unwrap_err(),
        sqlite_primary().build_async().map(drop).unwrap_err(),
        sqlite_replica().build().map(drop).unwrap_err(),
        sqlite_replica().build_async().map(drop).unwrap_err(),
    ] {
        assert!(matches!(err, Error::Argument(_)), "{err}");
    }
    // The async engine takes replicas as the sync one does (connecting lazily).
    let engine = AsyncEngine::builder("postgresql://db/app")
        .replica("postgresql://app:secret@replica/app")
        .build_async()
        .unwrap();
    let status = engine.replica_status();
    assert_eq!(status.len(), 1);
    assert!(!status[0].down && !status[0].url.contains("secret"));
}

/// A statement event as the test below compares it: the server's port, whether a
/// connection id was given, and what came of it.
#[derive(Debug, PartialEq)]
enum Seen {
    Before {
        port: Option<u16>,
        id: bool,
    },
    After {
        port: Option<u16>,
        returned: Option<usize>,
    },
    Error {
        port: Option<u16>,
        invalidates: bool,
    },
}

#[derive(Default)]
struct Seeing(Mutex<Vec<Seen>>);

impl Seeing {
    fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl ConnectionEvents for Seeing {
    fn before_execute(&self, s: &StatementEvent<'_>) {
        let seen = Seen::Before {
            port: s.url.port(),
            id: s.connection_id.is_some(),
        };
        self.0.lock().unwrap().push(seen);
    }

    fn after_execute(&self, s: &StatementEvent<'_>, done: &Executed) {
        let seen = Seen::After {
            port: s.url.port(),
            returned: done.rows_returned,
        };
        self.0.lock().unwrap().push(seen);
    }

    fn handle_error(&self, s: &StatementEvent<'_>, failure: &Failure<'_>) -> events::ErrorVerdict {
        let seen = Seen::Error {
            port: s.url.port(),
            invalidates: failure.invalidates_connection,
        };
        self.0.lock().unwrap().push(seen);
        events::ErrorVerdict::AsReported
    }
}

/// A read sent to the standby fires its events as one on the primary does, naming the standby
/// (its server and connection); its error is the read's, and leaves the primary alone.
async fn a_read_on_the_standby_fires_its_events_naming_the_standby<E: TestEngine>() {
    let Some(pair) = block_in_place(shared) else {
        return;
    };
    let (_, search_path) = block_in_place(|| pair.schema(&format!("events_{}", E::NAME)));
    let seeing = Arc::new(Seeing::default());
    let engine = E::build(
        Engine::builder(&pair.url(true, &search_path))
            .replica(&pair.url(false, &search_path))
            .events(seeing.clone()),
    )
    .unwrap();
    let (primary, standby) = (Some(pair.primary_port), Some(pair.standby_port));
    let mut conn = engine.conn().await.unwrap();
    assert!(in_recovery(&mut conn, on_standby()).await);
    let before = |port| Seen::Before { port, id: true };
    let after = |port| Seen::After {
        port,
        returned: Some(1),
    };
    assert_eq!(seeing.take(), [before(standby), after(standby)]);
    // A read the standby refuses: its error, the standby's; the connection goes on.
    let write = text("CREATE TABLE refused (id int)").execution_options(|o| o.read_only(true));
    conn.exec(write, Params::new()).await.unwrap_err();
    let refused = Seen::Error {
        port: standby,
        invalidates: false,
    };
    assert_eq!(seeing.take(), [before(standby), refused]);
    assert!(in_recovery(&mut conn, on_standby()).await);
    seeing.take();
    // The primary's statements name the primary.
    let kept = on_standby().execution_options(|o| o.read_only(false));
    assert!(!in_recovery(&mut conn, kept).await);
    assert_eq!(seeing.take(), [before(primary), after(primary)]);
    assert!(engine.replicas().iter().all(|r| !r.down));
}

/// How many readers the load below runs at once.
const READERS: usize = 8;

/// Reads and how they went, counted by the readers of the load below.
#[derive(Default)]
struct Load {
    stop: AtomicBool,
    reads: AtomicUsize,
    failed: AtomicUsize,
    on_primary: AtomicUsize,
}

impl Load {
    /// Reads on connections of `engine`, one at a time, until stopped.
    async fn read<E: TestEngine>(&self, engine: &E) {
        while !self.stop.load(Ordering::Relaxed) {
            let read = match engine.conn().await {
                Ok(mut conn) => conn.one_value(on_standby(), Params::new()).await,
                Err(e) => Err(e),
            };
            match read {
                Ok(standby) => {
                    self.reads.fetch_add(1, Ordering::Relaxed);
                    if standby != Value::Bool(true) {
                        self.on_primary.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Err(e) => {
                    eprintln!("failed read: {e}");
                    self.failed.fetch_add(1, Ordering::Relaxed);
                }
            }
            // The other readers' (and, on the sync engine, whose calls block, the driver's) turn.
            tokio::task::yield_now().await;
        }
    }

    /// Waits until `n` reads more than `from` are done.
    async fn until(&self, from: usize, n: usize) {
        while self.reads.load(Ordering::Relaxed) < from + n {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

async fn a_stopped_standby_costs_no_failed_read_and_is_tried_again_after_its_backoff<
    E: TestEngine,
>() {
    let Some(pair) = block_in_place(|| Pair::start(&format!("stop_{}", E::NAME))) else {
        return;
    };
    let engine = E::build(
        Engine::builder(&pair.url(true, ""))
            .replica(&pair.url(false, "connect_timeout=2"))
            .replica_backoff(Duration::from_millis(500))
            .pool_size(8),
    )
    .unwrap();
    let load = Load::default();
    // Eight readers; mid-load, the standby goes away.
    let stopper = async {
        load.until(0, 400).await;
        assert_eq!(
            load.on_primary.load(Ordering::Relaxed),
            0,
            "reads on the standby"
        );
        pair.pg_ctl("standby", "stop");
        load.until(load.reads.load(Ordering::Relaxed), 400).await;
        load.stop.store(true, Ordering::Relaxed);
    };
    let readers = futures_util::future::join_all((0..READERS).map(|_| load.read(&engine)));
    futures_util::future::join(stopper, readers).await;
    println!(
        "{}: {} reads, {} on the primary after the standby stopped, {} failed",
        E::NAME,
        load.reads.load(Ordering::Relaxed),
        load.on_primary.load(Ordering::Relaxed),
        load.failed.load(Ordering::Relaxed)
    );
    assert_eq!(load.failed.load(Ordering::Relaxed), 0, "no read failed");
    // While the standby stops (a blocking call), the async engine's connection tasks go on:
    // each reader may have one read answered by the standby before it stopped and counted
    // only after, so up to READERS of the 400 later reads may still say "standby".
    let on_primary = load.on_primary.load(Ordering::Relaxed);
    assert!(
        on_primary >= 400 - READERS,
        "{on_primary} reads on the primary"
    );
    if !engine.replicas()[0].down {
        // Tried again after the backoff, and down again.
        tokio::time::sleep(Duration::from_millis(600)).await;
        let _ = engine
            .conn()
            .await
            .unwrap()
            .one_value(on_standby(), Params::new())
            .await;
        assert!(engine.replicas()[0].down);
    }
    // Back up: once the backoff has passed, reads return to it.
    pair.pg_ctl("standby", "start");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !in_recovery(&mut engine.conn().await.unwrap(), on_standby()).await {
        assert!(
            Instant::now() < deadline,
            "reads did not return to the standby"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!engine.replicas()[0].down);
}
