//! How SQLite transactions begin (`SqliteBegin`): read-then-write transactions on a file
//! database from several threads, which deferred `BEGIN` loses to `database is locked` and
//! `BEGIN IMMEDIATE` does not; the builder, URL, connection and statement spellings, and where
//! the option is refused.
#![cfg(feature = "sqlite")]

mod common;

use common::backend::TestDb;
use sqlcore::*;
use std::sync::Arc;
use std::time::Duration;

const THREADS: usize = 6;
const ROUNDS: usize = 15;

/// `THREADS` threads each run `ROUNDS` read-then-write transactions on one counter (begin,
/// SELECT it, UPDATE it to the value read + 1, commit), none retried. Returns the transactions
/// committed, those lost to `database is locked`, and the counter's final value.
fn counter_workload(engine: &Engine) -> (usize, usize, i64) {
    engine
        .transaction(|conn| {
            conn.execute(text("DROP TABLE IF EXISTS counter"), ())?;
            conn.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"), ())?;
            conn.execute(text("INSERT INTO counter VALUES (0)"), ())
                .map(drop)
        })
        .unwrap();
    let start = Arc::new(std::sync::Barrier::new(THREADS));
    let outcomes: Vec<(usize, usize)> = (0..THREADS)
        .map(|_| {
            let (engine, start) = (engine.clone(), start.clone());
            std::thread::spawn(move || {
                let mut conn = engine.connect().unwrap();
                start.wait();
                let (mut committed, mut locked) = (0, 0);
                for _ in 0..ROUNDS {
                    let attempt = (|| {
                        let mut tx = conn.begin()?;
                        let n: i64 = tx
                            .execute(text("SELECT n FROM counter"), ())?
                            .scalar_one()?;
                        // Widens the window in which another transaction writes.
                        std::thread::sleep(Duration::from_millis(1));
                        tx.execute(text("UPDATE counter SET n = :n"), params! { "n" => n + 1 })?;
                        tx.commit()
                    })();
                    match attempt {
                        Ok(()) => committed += 1,
                        Err(e) => {
                            let db = e.as_db_error().unwrap_or_else(|| panic!("{e}"));
                            assert_eq!(db.kind, DbErrorKind::Operational, "{e}");
                            assert!(db.message.contains("database is locked"), "{e}");
                            conn.rollback().unwrap();
                            locked += 1;
                        }
                    }
                }
                (committed, locked)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    let committed = outcomes.iter().map(|o| o.0).sum();
    let locked = outcomes.iter().map(|o| o.1).sum();
    let mut conn = engine.connect().unwrap();
    let n: i64 = conn
        .execute(text("SELECT n FROM counter"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    (committed, locked, n)
}

#[test]
fn read_then_write_transactions_lose_none_to_locks_with_begin_immediate() {
    let db = TestDb::sqlite("begin_immediate");
    let url = format!("{}?timeout=5", db.url());
    // Deferred (SQLite's default): a transaction that read cannot take the write lock while
    // another writes, and fails at once; the busy timeout cannot help it. Lock conflicts need
    // two transactions to overlap, which the scheduler decides, so the workload runs up to
    // three times before the test says it never saw one.
    let deferred = Engine::builder(&url).build().unwrap();
    let mut lost = 0;
    for _ in 0..3 {
        let (committed, locked, n) = counter_workload(&deferred);
        assert_eq!(committed + locked, THREADS * ROUNDS);
        assert_eq!(n, committed as i64, "every commit counted once");
        lost += locked;
        if lost > 0 {
            break;
        }
    }
    assert!(lost > 0, "deferred transactions never met a lock");
    // IMMEDIATE: each transaction takes the write lock at BEGIN, waiting its turn.
    let immediate = Engine::builder(&url)
        .sqlite_begin(SqliteBegin::Immediate)
        .build()
        .unwrap();
    assert_eq!(
        counter_workload(&immediate),
        (THREADS * ROUNDS, 0, (THREADS * ROUNDS) as i64)
    );
}

/// Whether another connection can write to the database right now (without waiting).
fn writable_by_another(url: &str) -> bool {
    let probe = Engine::builder(&format!("{url}?timeout=0"))
        .poolclass(PoolClass::Null)
        .build()
        .unwrap();
    let mut conn = probe.connect().unwrap();
    let wrote = conn.execute(text("UPDATE counter SET n = n"), ());
    conn.rollback().unwrap();
    match wrote {
        Ok(_) => true,
        Err(e) if e.to_string().contains("database is locked") => false,
        Err(e) => panic!("{e}"),
    }
}

/// Whether another connection can read the database right now (without waiting).
fn readable_by_another(url: &str) -> bool {
    let probe = Engine::builder(&format!("{url}?timeout=0"))
        .poolclass(PoolClass::Null)
        .build()
        .unwrap();
    let read = probe
        .connect()
        .unwrap()
        .execute(text("SELECT n FROM counter"), ());
    match read {
        Ok(_) => true,
        Err(e) if e.to_string().contains("database is locked") => false,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn sqlite_begin_applies_to_the_next_transaction_however_it_is_set() {
    let db = TestDb::sqlite("sqlite_begin");
    let url = db.url();
    let deferred = create_engine(&url).unwrap();
    deferred
        .transaction(|conn| {
            conn.execute(text("CREATE TABLE counter (n INTEGER)"), ())
                .map(drop)
        })
        .unwrap();
    // SQLite's default: BEGIN takes no lock.
    assert_eq!(deferred.sqlite_begin(), None);
    let mut conn = deferred.connect().unwrap();
    let tx = conn.begin().unwrap();
    assert!(writable_by_another(&url));
    drop(tx);

    // The engine's setting, from the builder or the URL.
    for engine in [
        Engine::builder(&url)
            .sqlite_begin(SqliteBegin::Immediate)
            .build()
            .unwrap(),
        create_engine(&format!("{url}?begin=IMMEDIATE")).unwrap(),
        // The builder wins over the URL.
        Engine::builder(&format!("{url}?begin=exclusive"))
            .sqlite_begin(SqliteBegin::Immediate)
            .build()
            .unwrap(),
    ] {
        assert_eq!(engine.sqlite_begin(), Some(SqliteBegin::Immediate));
        let tx = engine.begin().unwrap();
        assert!(!writable_by_another(&url), "{engine:?}");
        assert!(
            readable_by_another(&url),
            "{engine:?}: IMMEDIATE lets readers in"
        );
        drop(tx);
        assert!(writable_by_another(&url));
    }

    // A connection's option: autobegin, explicit begin and begin_nested alike.
    let mut conn = deferred.connect().unwrap();
    conn.update_execution_options(|o| o.sqlite_begin(SqliteBegin::Immediate))
        .unwrap();
    conn.execute(text("SELECT 1"), ()).unwrap();
    assert!(!writable_by_another(&url), "autobegun IMMEDIATE");
    // Changing it in a transaction changes the next one.
    conn.update_execution_options(|o| o.sqlite_begin(SqliteBegin::Deferred))
        .unwrap();
    assert!(
        !writable_by_another(&url),
        "the open transaction keeps its mode"
    );
    conn.rollback().unwrap();
    let tx = conn.begin().unwrap();
    assert!(writable_by_another(&url), "the next one is deferred");
    drop(tx);
    conn.update_execution_options(|o| o.sqlite_begin(SqliteBegin::Exclusive))
        .unwrap();
    let sp = conn.begin_nested().unwrap();
    assert!(!readable_by_another(&url), "EXCLUSIVE keeps readers out");
    drop(sp);
    conn.rollback().unwrap();
    assert!(readable_by_another(&url));

    // A statement's option applies when the statement begins the transaction.
    let mut conn = deferred.connect().unwrap();
    conn.execute(
        text("SELECT 1").execution_options(|o| o.sqlite_begin(SqliteBegin::Immediate)),
        (),
    )
    .unwrap();
    assert!(!writable_by_another(&url), "begun by the statement");
    conn.rollback().unwrap();
    conn.execute(text("SELECT 1"), ()).unwrap();
    assert!(writable_by_another(&url), "only by that statement");
    conn.rollback().unwrap();

    // The engine's execution options, and an engine's copy with other options.
    let immediate = deferred
        .execution_options(ExecutionOptions::default().sqlite_begin(SqliteBegin::Immediate));
    immediate
        .transaction(|_| {
            assert!(!writable_by_another(&url));
            Ok(())
        })
        .unwrap();
    let engine = Engine::builder(&url)
        .execution_options(ExecutionOptions::default().sqlite_begin(SqliteBegin::Immediate))
        .build()
        .unwrap();
    let tx = engine.begin().unwrap();
    assert!(!writable_by_another(&url));
    drop(tx);

    // Under AUTOCOMMIT there is no transaction to begin.
    let mut conn = deferred.connect().unwrap();
    conn.update_execution_options(|o| {
        o.isolation_level(IsolationLevel::Autocommit)
            .sqlite_begin(SqliteBegin::Immediate)
    })
    .unwrap();
    conn.execute(text("SELECT 1"), ()).unwrap();
    assert!(writable_by_another(&url));
}

#[test]
fn sqlite_begin_is_refused_where_it_cannot_apply() {
    let argument = |r: Result<Engine>| match r {
        Err(Error::Argument(m)) => m,
        other => panic!("expected an ArgumentError, got {other:?}"),
    };
    let m = argument(create_engine("sqlite:///x.db?begin=later"));
    assert!(m.contains("later") && m.contains("immediate"), "{m}");
    let m = argument(
        Engine::builder("postgresql://postgres@127.0.0.1:5432/test")
            .sqlite_begin(SqliteBegin::Immediate)
            .build(),
    );
    assert!(m.contains("SQLite only") && m.contains("postgresql"), "{m}");
    assert_eq!(
        "Exclusive".parse::<SqliteBegin>().unwrap(),
        SqliteBegin::Exclusive
    );
}
