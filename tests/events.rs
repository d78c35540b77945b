//! Execution and transaction events and the slow-statement warning, each behaviour written once
//! and run on SQLite, PostgreSQL and MariaDB with both engines (see `on_both_engines!`): the
//! order and content of the events for execute, executemany, a streamed result, commit,
//! rollback, savepoints and a disconnect; an error a listener declares a disconnect; a
//! panicking listener; slow statements logged without their values.

mod common;

use common::Captured;
use common::backend::TestDb;
use common::engines::{End, TestConn, TestEngine};
use sqlcore::events::{
    CacheUse, ConnectionEvents, ErrorVerdict, Executed, Failure, StatementEvent, TransactionEvent,
    TransactionOp, Values,
};
use sqlcore::*;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// One event, as a test compares it.
#[derive(Debug, Clone, PartialEq)]
enum Ev {
    Before {
        operation: Option<&'static str>,
        table: Option<String>,
        cache: CacheUse,
        batch: Option<usize>,
        /// Values bound (one set) or parameter sets; `None` when streamed to a COPY.
        values: Option<usize>,
    },
    After {
        returned: Option<usize>,
        affected: Option<i64>,
    },
    Error {
        invalidates: bool,
    },
    Tx(TransactionOp, usize),
}

/// Records every event; declares errors a disconnect when told to, panics before a statement
/// whose SQL holds `panic_here`.
#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<Ev>>,
    declare_disconnect: bool,
}

impl Recorder {
    fn take(&self) -> Vec<Ev> {
        std::mem::take(&mut *self.events.lock().unwrap())
    }

    fn push(&self, ev: Ev) {
        self.events.lock().unwrap().push(ev);
    }
}

impl ConnectionEvents for Recorder {
    fn before_execute(&self, s: &StatementEvent<'_>) {
        if s.sql.contains("panic_here") {
            panic!("a listener that panics");
        }
        let values = match s.values {
            Values::Bound(v) => Some(v.len()),
            Values::Sets(sets) => Some(sets.len()),
            _ => None,
        };
        assert!(!s.system.is_empty());
        self.push(Ev::Before {
            operation: s.operation,
            table: s.collection.map(str::to_owned),
            cache: s.cache,
            batch: s.batch_size,
            values,
        });
    }

    fn after_execute(&self, _: &StatementEvent<'_>, done: &Executed) {
        self.push(Ev::After {
            returned: done.rows_returned,
            affected: done.rows_affected,
        });
    }

    fn handle_error(&self, _: &StatementEvent<'_>, failure: &Failure<'_>) -> ErrorVerdict {
        self.push(Ev::Error {
            invalidates: failure.invalidates_connection,
        });
        if self.declare_disconnect {
            ErrorVerdict::Disconnect
        } else {
            ErrorVerdict::AsReported
        }
    }

    fn transaction(&self, event: &TransactionEvent<'_>) {
        self.push(Ev::Tx(event.op, event.depth));
    }
}

/// An engine of `E`'s kind on `db` with `recorder` listening.
fn engine_with<E: TestEngine>(db: &TestDb, recorder: &Arc<Recorder>) -> E {
    E::build(Engine::builder(&db.url()).events(recorder.clone())).expect("engine")
}

fn items() -> Table {
    Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).nullable(false))
}

/// Creates `items` with rows 1..=n, and forgets the events that made them.
async fn items_with<C: TestConn>(conn: &mut C, n: i64, recorder: &Recorder) {
    conn.exec(
        text("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
        Params::new(),
    )
    .await
    .unwrap();
    for id in 1..=n {
        let row = params! { "id" => id, "name" => format!("item {id}") };
        conn.exec(insert(&items()), row).await.unwrap();
    }
    conn.commit().await.unwrap();
    recorder.take();
}

fn before(cache: CacheUse, values: usize) -> Ev {
    Ev::Before {
        operation: Some("SELECT"),
        table: Some("items".into()),
        cache,
        batch: None,
        values: Some(values),
    }
}

/// `execute`: begin (commit-as-you-go), then before and after once each, the compiled form
/// from the cache the second time; commit and rollback.
async fn execute_events<E: TestEngine>(_: &E, db: &TestDb) {
    let recorder = Arc::new(Recorder::default());
    let engine: E = engine_with(db, &recorder);
    let mut conn = engine.conn().await.unwrap();
    items_with(&mut conn, 3, &recorder).await;
    let t = items();
    let by_id: Statement = select(&t).filter(t.c("id").le(bindparam("id"))).into();
    for _ in 0..2 {
        let rows = conn
            .exec(&by_id, params! { "id" => 2 })
            .await
            .unwrap()
            .all()
            .unwrap();
        assert_eq!(rows.len(), 2);
    }
    conn.commit().await.unwrap();
    let returned = |ev: &Ev| match ev {
        Ev::After { returned, .. } => *returned,
        other => panic!("{other:?}"),
    };
    let events = recorder.take();
    assert_eq!(events.len(), 6, "{events:#?}");
    assert_eq!(events[0], Ev::Tx(TransactionOp::Begin, 0));
    assert_eq!(events[1], before(CacheUse::Miss, 1));
    assert_eq!(returned(&events[2]), Some(2));
    assert_eq!(events[3], before(CacheUse::Hit, 1));
    assert_eq!(returned(&events[4]), Some(2));
    assert_eq!(events[5], Ev::Tx(TransactionOp::Commit, 0));

    // A write reports the rows it changed; rollback ends the transaction it began.
    let changed = update(&t)
        .filter(t.c("id").ge(2))
        .values(params! { "name" => "x" });
    conn.exec(changed, Params::new()).await.unwrap();
    conn.rollback().await.unwrap();
    let events = recorder.take();
    assert_eq!(events.len(), 4, "{events:#?}");
    assert_eq!(events[0], Ev::Tx(TransactionOp::Begin, 0));
    assert!(
        matches!(&events[1], Ev::Before { operation: Some("UPDATE"), table: Some(t), .. } if t == "items"),
        "{events:#?}"
    );
    assert!(
        matches!(
            events[2],
            Ev::After {
                affected: Some(2),
                ..
            }
        ),
        "{events:#?}"
    );
    assert_eq!(events[3], Ev::Tx(TransactionOp::Rollback, 0));
    // Nothing open: nothing to report.
    conn.rollback().await.unwrap();
    conn.commit().await.unwrap();
    assert_eq!(recorder.take(), []);
}

/// `execute_many`: one statement sent for the set, its batch size the number of sets.
async fn execute_many_events<E: TestEngine>(_: &E, db: &TestDb) {
    let recorder = Arc::new(Recorder::default());
    let engine: E = engine_with(db, &recorder);
    let mut conn = engine.conn().await.unwrap();
    items_with(&mut conn, 0, &recorder).await;
    let t = items();
    let rows: Vec<Params> = (1..=3)
        .map(|id| params! { "id" => id, "name" => format!("n{id}") })
        .collect();
    let inserted = conn.exec_many(insert(&t), rows).await.unwrap();
    assert_eq!(inserted.rowcount(), 3);
    let renames: Vec<Params> = (1..=3)
        .map(|id| params! { "id" => id, "new_name" => format!("r{id}") })
        .collect();
    let renamed = update(&t)
        .filter(t.c("id").eq(bindparam("id")))
        .values([("name", bindparam("new_name"))]);
    conn.exec_many(renamed, renames).await.unwrap();
    conn.commit().await.unwrap();
    let events = recorder.take();
    assert_eq!(events.len(), 6, "{events:#?}");
    assert_eq!(events[0], Ev::Tx(TransactionOp::Begin, 0));
    // An INSERT goes as PostgreSQL's COPY (its values streamed), one multi-row VALUES on
    // MySQL, or one prepared statement per set on SQLite (like the UPDATE below).
    let values = if db.is_postgres() {
        None
    } else if db.is_mysql() {
        Some(6)
    } else {
        Some(3)
    };
    assert_eq!(
        events[1],
        Ev::Before {
            operation: Some("INSERT"),
            table: Some("items".into()),
            cache: CacheUse::Uncached,
            batch: Some(3),
            values,
        }
    );
    assert!(
        matches!(
            events[2],
            Ev::After {
                affected: Some(3),
                ..
            }
        ),
        "{events:#?}"
    );
    assert_eq!(
        events[3],
        Ev::Before {
            operation: Some("UPDATE"),
            table: Some("items".into()),
            cache: CacheUse::Uncached,
            batch: Some(3),
            values: Some(3),
        }
    );
    assert!(
        matches!(
            events[4],
            Ev::After {
                affected: Some(3),
                returned: None
            }
        ),
        "{events:#?}"
    );
    assert_eq!(events[5], Ev::Tx(TransactionOp::Commit, 0));
}

/// A streamed result: before and after once, `after` when the statement answered, with no
/// row count (the rows are still to come) unless the driver buffered them (sync SQLite).
async fn streamed_events<E: TestEngine>(_: &E, db: &TestDb) {
    let recorder = Arc::new(Recorder::default());
    let engine: E = engine_with(db, &recorder);
    let mut conn = engine.conn().await.unwrap();
    items_with(&mut conn, 5, &recorder).await;
    let t = items();
    let ids: Vec<(i64,)> = conn
        .streamed_as(select([t.c("id")]).order_by(t.c("id")), Params::new(), 2)
        .await
        .unwrap();
    assert_eq!(ids.len(), 5);
    conn.rollback().await.unwrap();
    let events = recorder.take();
    assert_eq!(events.len(), 4, "{events:#?}");
    assert_eq!(events[0], Ev::Tx(TransactionOp::Begin, 0));
    assert!(matches!(events[1], Ev::Before { .. }), "{events:#?}");
    assert!(
        matches!(
            events[2],
            Ev::After {
                returned: None | Some(5),
                ..
            }
        ),
        "{events:#?}"
    );
    assert_eq!(events[3], Ev::Tx(TransactionOp::Rollback, 0));
}

/// Transactions and savepoints, with their depth.
async fn transaction_events<E: TestEngine>(_: &E, db: &TestDb) {
    let recorder = Arc::new(Recorder::default());
    let engine: E = engine_with(db, &recorder);
    let mut conn = engine.conn().await.unwrap();
    items_with(&mut conn, 0, &recorder).await;
    let add = |id: i64| -> Statement {
        insert(&items())
            .values(params! { "id" => id, "name" => "n" })
            .into()
    };
    conn.begin_then(vec![add(1)], End::Commit).await.unwrap();
    conn.begin_then(vec![], End::Rollback).await.unwrap();
    use TransactionOp::*;
    let txs = |events: Vec<Ev>| -> Vec<Ev> {
        events
            .into_iter()
            .filter(|e| matches!(e, Ev::Tx(..)))
            .collect()
    };
    assert_eq!(
        txs(recorder.take()),
        [
            Ev::Tx(Begin, 0),
            Ev::Tx(Commit, 0),
            Ev::Tx(Begin, 0),
            Ev::Tx(Rollback, 0)
        ]
    );
    // A savepoint begins the transaction it needs; released, rolled back to, nested.
    conn.nested_then(vec![add(2)], End::Commit).await.unwrap();
    conn.nested_then(vec![add(3)], End::Rollback).await.unwrap();
    conn.commit().await.unwrap();
    let events = recorder.take();
    assert_eq!(
        txs(events.clone()),
        [
            Ev::Tx(Begin, 0),
            Ev::Tx(Savepoint, 1),
            Ev::Tx(Release, 1),
            Ev::Tx(Savepoint, 1),
            Ev::Tx(RollbackToSavepoint, 1),
            Ev::Tx(Commit, 0),
        ]
    );
    // The statements ran inside their savepoints.
    assert!(matches!(events[2], Ev::Before { .. }), "{events:#?}");
    assert!(matches!(events[6], Ev::Before { .. }), "{events:#?}");
}

/// The backend's id of the connection `conn` uses, and a statement that ends it from another.
async fn backend_id<C: TestConn>(conn: &mut C, db: &TestDb) -> i64 {
    let sql = if db.is_postgres() {
        "SELECT pg_backend_pid()"
    } else {
        "SELECT CONNECTION_ID()"
    };
    match conn.one_value(text(sql), Params::new()).await.unwrap() {
        Value::I32(n) => n.into(),
        Value::I64(n) => n,
        other => panic!("{other:?}"),
    }
}

/// Ends the backend `id` from another connection, and waits until it is gone.
async fn kill<E: TestEngine>(engine: &E, db: &TestDb, id: i64) {
    let mut admin = engine.conn().await.unwrap();
    if db.is_postgres() {
        admin
            .exec(
                text("SELECT pg_terminate_backend(:id)"),
                params! { "id" => id as i32 },
            )
            .await
            .unwrap();
        for _ in 0..100 {
            let gone = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :id");
            let left = admin
                .one_value(gone, params! { "id" => id as i32 })
                .await
                .unwrap();
            if left == Value::I64(0) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    } else {
        admin
            .exec(text(&format!("KILL {id}")), Params::new())
            .await
            .unwrap();
    }
    admin.rollback().await.unwrap();
}

/// A disconnect inside a transaction: before, then the error, which invalidates; the
/// connection recovers after the rollback (PostgreSQL and MariaDB: SQLite has no server to
/// lose).
async fn disconnect_events<E: TestEngine>(_: &E, db: &TestDb) {
    if !db.is_postgres() && !db.is_mysql() {
        return;
    }
    let recorder = Arc::new(Recorder::default());
    let engine: E = engine_with(db, &recorder);
    let mut conn = engine.conn().await.unwrap();
    // The transaction stays open, so the next statement is the first to meet the disconnect.
    let id = backend_id(&mut conn, db).await;
    kill(&engine, db, id).await;
    recorder.take();
    let err = conn
        .exec(text("SELECT 1"), Params::new())
        .await
        .unwrap_err();
    assert!(err.connection_invalidated(), "{err}");
    assert!(conn.is_invalidated());
    let events = recorder.take();
    let tail = &events[events.len() - 2..];
    assert!(matches!(tail[0], Ev::Before { .. }), "{events:#?}");
    assert_eq!(tail[1], Ev::Error { invalidates: true }, "{events:#?}");
    conn.rollback().await.unwrap();
    assert_eq!(recorder.take(), [Ev::Tx(TransactionOp::Rollback, 0)]);
    assert_ne!(backend_id(&mut conn, db).await, id);
}

/// A listener declaring an error a disconnect: the connection is invalidated, and every
/// connection the pool opened before it, as a real disconnect does.
async fn declared_disconnect<E: TestEngine>(_: &E, db: &TestDb) {
    let recorder = Arc::new(Recorder {
        declare_disconnect: true,
        ..Recorder::default()
    });
    let engine: E = engine_with(db, &recorder);
    let mut conn = engine.conn().await.unwrap();
    let mut idle = engine.conn().await.unwrap();
    idle.exec(text("SELECT 1"), Params::new()).await.unwrap();
    let idle_id = idle.id();
    drop(idle);
    let first = conn.id();
    let err = conn
        .exec(text("SELECT * FROM no_such_table"), Params::new())
        .await
        .unwrap_err();
    assert!(err.connection_invalidated(), "{err}");
    assert!(conn.is_invalidated());
    let events = recorder.take();
    assert!(
        events.ends_with(&[Ev::Error { invalidates: false }]),
        "the driver did not see a disconnect: {events:#?}"
    );
    conn.rollback().await.unwrap();
    conn.exec(text("SELECT 1"), Params::new()).await.unwrap();
    assert_ne!(conn.id(), first);
    drop(conn);
    // The connection that was idle is stale: a checkout gets a new one.
    let mut next = engine.conn().await.unwrap();
    next.exec(text("SELECT 1"), Params::new()).await.unwrap();
    assert_ne!(next.id(), idle_id);
    assert_ne!(next.id(), first);
}

/// A listener that panics: the panic goes on, the connection's place in the pool is freed,
/// the next checkout works.
async fn panicking_listener<E: TestEngine>(_: &E, db: &TestDb) {
    let recorder = Arc::new(Recorder::default());
    let engine: E = engine_with(db, &recorder);
    let mut conn = engine.conn().await.unwrap();
    items_with(&mut conn, 1, &recorder).await;
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current()
                .block_on(conn.exec(text("SELECT 1 AS panic_here"), Params::new()))
        })
    }));
    assert!(panicked.is_err(), "the listener's panic goes on");
    assert!(conn.is_invalidated());
    drop(conn);
    let status = common::engines::status_when(&engine, |s| s.checked_out == 0).await;
    assert_eq!(status.checked_out, 0, "{status}");
    let mut next = engine.conn().await.unwrap();
    let n = next
        .one_value(select([count_all()]).select_from(items()), Params::new())
        .await
        .unwrap();
    assert_eq!(n, Value::I64(1));

    // In an executemany, which the async engine runs on the connection's thread: there the
    // panic ends that thread's call, and comes back as an error of a lost connection.
    let sets = vec![params! { "id" => 2, "name" => "two" }];
    let many = text("INSERT INTO items (id, name) VALUES (:id, :name) -- panic_here");
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(next.exec_many(many, sets))
        })
    }));
    match outcome {
        Err(_) => assert!(!E::ASYNC, "the sync engine's panic goes on"),
        Ok(result) => {
            assert!(
                E::ASYNC,
                "only the async engine turns the panic into an error"
            );
            let err = result.unwrap_err();
            assert!(err.connection_invalidated(), "{err}");
        }
    }
    assert!(next.is_invalidated());
    next.rollback().await.unwrap();
    drop(next);
    let status = common::engines::status_when(&engine, |s| s.checked_out == 0).await;
    assert_eq!(status.checked_out, 0, "{status}");
    let mut last = engine.conn().await.unwrap();
    let n = last
        .one_value(select([count_all()]).select_from(items()), Params::new())
        .await
        .unwrap();
    assert_eq!(
        n,
        Value::I64(1),
        "the panicking executemany inserted nothing"
    );
}

/// What the warnings wrote, from every test of this binary: the statements of the async
/// engine run on other threads, so the subscriber is the global one.
fn slow_log() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        log
    })
}

/// Statements at or over the threshold are logged as warnings with their SQL and time, never
/// their values; those under it are not.
async fn slow_statements<E: TestEngine>(_: &E, db: &TestDb) {
    let log = slow_log();
    let marker = format!("slow_{}_{}", E::NAME, fastrand::u64(..));
    let fast_marker = format!("fast_{}_{}", E::NAME, fastrand::u64(..));
    let secret = format!("s3cret-{}", fastrand::u64(..));
    let slow: E = E::build(Engine::builder(&db.url()).slow_statement_threshold(Duration::ZERO))
        .expect("engine");
    let fast: E =
        E::build(Engine::builder(&db.url()).slow_statement_threshold(Duration::from_secs(3600)))
            .expect("engine");
    let sql = format!("SELECT :v AS {marker}");
    let mut conn = slow.conn().await.unwrap();
    conn.exec(text(&sql), params! { "v" => secret.clone() })
        .await
        .unwrap();
    let fast_sql = format!("SELECT :v AS {fast_marker}");
    let mut conn = fast.conn().await.unwrap();
    conn.exec(text(&fast_sql), params! { "v" => secret.clone() })
        .await
        .unwrap();
    let written = log.text();
    let line = written
        .lines()
        .find(|l| l.contains(&marker))
        .unwrap_or_else(|| panic!("no warning for {marker}: {written}"));
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains("slow statement"), "{line}");
    assert!(line.contains("elapsed="), "{line}");
    assert!(!written.contains(&secret), "a value was logged: {written}");
    assert!(
        !written.contains(&fast_marker),
        "a statement under the threshold was logged: {written}"
    );
}

on_both_engines!(
    execute_events,
    execute_many_events,
    streamed_events,
    transaction_events,
    disconnect_events,
    declared_disconnect,
    panicking_listener,
    slow_statements,
);
