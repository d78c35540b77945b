//! The execution layer on SQLite, in memory and in files: engines, URLs, pools, connections,
//! transactions and results.

use sqlcore::*;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

/// A fresh database file in a temporary directory, removed on drop.
struct TempDb {
    dir: std::path::PathBuf,
}

impl TempDb {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "sqlcore-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDb { dir }
    }

    fn url(&self) -> String {
        format!("sqlite:///{}", self.dir.join("test.db").display())
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn users() -> Table {
    Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::String(Some(30))).not_null())
        .column(Column::new("active", SqlType::Boolean).default(true))
        .column(Column::new("balance", SqlType::Numeric(Some(10), Some(2))))
        .column(Column::new("joined", SqlType::Date))
}

fn addresses() -> Table {
    Table::new("addresses")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(
            Column::new("user_id", SqlType::Integer)
                .not_null()
                .references("users.id"),
        )
        .column(Column::new("email", SqlType::Text).not_null())
}

fn metadata() -> MetaData {
    let mut md = MetaData::new();
    md.add(users()).unwrap();
    md.add(addresses()).unwrap();
    md
}

fn engine_with_schema(url: &str) -> Engine {
    let engine = Engine::builder(url)
        .on_connect(|c| c.execute_batch("PRAGMA foreign_keys = ON"))
        .build()
        .unwrap();
    metadata().create_all(&engine).unwrap();
    engine
}

fn rows_in(conn: &mut Connection, table: &str) -> i64 {
    conn.execute(text(&format!("SELECT count(*) FROM {table}")), ())
        .unwrap()
        .scalar_one()
        .unwrap()
}

// ---- URLs ---------------------------------------------------------------------------------------

#[test]
fn urls_parse_in_sqlalchemy_forms() {
    let u: Url = "sqlite://".parse().unwrap();
    assert_eq!(u.sqlite_path(), Some(&SqlitePath::Memory));
    let u: Url = "sqlite:///:memory:".parse().unwrap();
    assert_eq!(u.sqlite_path(), Some(&SqlitePath::Memory));
    let u: Url = "sqlite:///rel/app.db".parse().unwrap();
    assert_eq!(
        u.sqlite_path(),
        Some(&SqlitePath::File("rel/app.db".into()))
    );
    let u: Url = "sqlite:////abs/app.db?timeout=2".parse().unwrap();
    assert_eq!(
        u.sqlite_path(),
        Some(&SqlitePath::File("/abs/app.db".into()))
    );
    let u: Url =
        "postgresql://us%40er:p%3Ass@db.local:6543/my%20db?sslmode=disable&application_name=x"
            .parse()
            .unwrap();
    assert_eq!(u.backend(), Backend::PostgreSql);
    assert_eq!(
        (u.username(), u.password(), u.host(), u.port(), u.database()),
        (
            Some("us@er"),
            Some("p:ss"),
            Some("db.local"),
            Some(6543),
            Some("my db")
        )
    );
    assert_eq!(
        u.query().get("sslmode").map(String::as_str),
        Some("disable")
    );
    let u: Url = "postgresql://[::1]:5432/test".parse().unwrap();
    assert_eq!(u.host(), Some("::1"));
}

#[test]
fn bad_urls_are_argument_errors_that_quote_the_part() {
    let err = |s: &str| match s.parse::<Url>() {
        Err(Error::Argument(m)) => m,
        other => panic!("{s}: expected ArgumentError, got {other:?}"),
    };
    assert!(err("nonsense").contains("nonsense"));
    assert!(err("oracle://x/y").contains("oracle"));
    assert!(err("sqlite:///x.db?bogus=1").contains("bogus"));
    assert!(err("postgresql://u:secret@h:notaport/db").contains("notaport"));
    assert!(err("sqlite://host/x.db").contains("no host"));
    assert!(
        matches!(create_engine("sqlite:///x.db?mode=sideways"), Err(Error::Argument(m)) if m.contains("sideways"))
    );
}

#[test]
fn passwords_never_show() {
    let url = "postgresql://scott:tiger-secret@localhost/test?bogus=1";
    let e = url.parse::<Url>().unwrap_err().to_string();
    assert!(!e.contains("tiger-secret"), "{e}");
    let u: Url = "postgresql://scott:tiger-secret@localhost/test"
        .parse()
        .unwrap();
    assert!(!u.to_string().contains("tiger-secret"));
    assert!(!format!("{u:?}").contains("tiger-secret"));
    let e = "postgresql://scott:tiger-secret@localhost:xx/test"
        .parse::<Url>()
        .unwrap_err()
        .to_string();
    assert!(!e.contains("tiger-secret"), "{e}");
    for url in [
        "postgresql://u:se/cret@h/db",
        "postgresql://u:se?cret@h:99999/db",
        "postgresql://u@h/db?password=tiger-secret&bogus=1",
        "postgresql://u@h:xx/db?password=tiger-secret",
    ] {
        let shown = match url.parse::<Url>() {
            Ok(u) => format!("{u} {u:?}"),
            Err(e) => e.to_string(),
        };
        assert!(
            !shown.contains("secret") && !shown.contains("se/cret") && !shown.contains("se?cret"),
            "{shown}"
        );
    }
    let u: Url = "postgresql://u:se/cr?et@h/db".parse().unwrap();
    assert_eq!(
        (u.password(), u.host(), u.database()),
        (Some("se/cr?et"), Some("h"), Some("db"))
    );
    let u: Url = "postgresql://u@h/db?password=pw".parse().unwrap();
    assert_eq!(u.to_string(), "postgresql://u@h/db?password=***");
}

// ---- engines and pools ---------------------------------------------------------------------------------

#[test]
fn engines_are_lazy_and_report_real_connect_errors_at_once() {
    let opened = Arc::new(AtomicUsize::new(0));
    let o = opened.clone();
    let engine = Engine::builder("sqlite:////nonexistent-dir/sub/x.db")
        .pool_timeout(Duration::from_secs(30))
        .on_connect(move |_| {
            o.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
        .build()
        .unwrap();
    assert_eq!(
        engine.pool_status().checked_in + engine.pool_status().checked_out,
        0
    );
    let started = Instant::now();
    let err = engine.connect().unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "failed fast");
    match err {
        Error::Db(db) => assert!(
            db.message.contains("unable to open database file"),
            "{}",
            db.message
        ),
        other => panic!("expected the connect error, got {other}"),
    }
    assert_eq!(opened.load(Ordering::SeqCst), 0);
}

#[test]
fn default_pools_match_sqlalchemy() {
    assert_eq!(
        create_engine("sqlite://").unwrap().pool_class(),
        PoolClass::Static
    );
    assert_eq!(
        create_engine("sqlite:///:memory:").unwrap().pool_class(),
        PoolClass::Static
    );
    let db = TempDb::new("defaults");
    let e = create_engine(&db.url()).unwrap();
    assert_eq!(e.pool_class(), PoolClass::Queue);
    let status = e.pool_status();
    assert_eq!(
        (status.size, status.checked_in, status.checked_out),
        (5, 0, 0)
    );
}

#[test]
fn two_threads_get_two_connections() {
    let db = TempDb::new("two");
    let engine = create_engine(&db.url()).unwrap();
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

#[test]
fn queue_pool_bounds_connections_under_contention() {
    let db = TempDb::new("contention");
    let open = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (o1, o2, p1) = (open.clone(), open.clone(), peak.clone());
    let engine = Engine::builder(&db.url())
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
                    let one: i64 = conn
                        .execute(text("SELECT 1"), ())
                        .unwrap()
                        .scalar_one()
                        .unwrap();
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

#[test]
fn waiting_callers_are_served_in_arrival_order() {
    let db = TempDb::new("fair");
    let engine = Engine::builder(&db.url())
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

#[test]
fn timeout_error_states_the_limits_and_fires_after_pool_timeout() {
    let db = TempDb::new("timeout");
    let engine = Engine::builder(&db.url())
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

#[test]
fn fifo_and_lifo_order_are_observable() {
    for lifo in [false, true] {
        let db = TempDb::new(if lifo { "lifo" } else { "fifo" });
        let engine = Engine::builder(&db.url())
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

#[test]
fn recycle_replaces_old_connections() {
    let db = TempDb::new("recycle");
    let engine = Engine::builder(&db.url())
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

#[test]
fn pre_ping_replaces_a_dead_connection_silently() {
    let db = TempDb::new("preping");
    let engine = Engine::builder(&db.url())
        .pool_pre_ping(true)
        .on_checkin(|conn| {
            // Break the connection behind the pool's back: no statement can be prepared on it,
            // so the ping at the next checkout fails.
            let raw = conn
                .as_any_mut()
                .downcast_mut::<rusqlite::Connection>()
                .unwrap();
            raw.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_SQL_LENGTH, 1)
                .unwrap();
            Ok(())
        })
        .build()
        .unwrap();
    let first = engine.connect().unwrap().connection_id().unwrap();
    let mut conn = engine.connect().unwrap();
    assert_ne!(
        conn.connection_id().unwrap(),
        first,
        "the dead connection was replaced"
    );
    let one: i64 = conn
        .execute(text("SELECT 1"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(one, 1);
}

#[test]
fn reset_on_return_rolls_back_commits_or_leaves_alone() {
    // A Connection rolls its own transaction back when it closes (as SQLAlchemy); the pool's
    // reset-on-return deals with a transaction begun on the driver connection directly.
    for (reset, expect) in [(ResetOnReturn::Rollback, 0), (ResetOnReturn::Commit, 1)] {
        let db = TempDb::new(&format!("reset{expect}"));
        let engine = Engine::builder(&db.url())
            .pool_reset_on_return(reset)
            .build()
            .unwrap();
        {
            let mut conn = engine.connect().unwrap();
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
}

#[test]
fn a_failed_commit_can_be_rolled_back() {
    let engine = Engine::builder("sqlite://")
        .on_connect(|c| c.execute_batch("PRAGMA foreign_keys = ON"))
        .build()
        .unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE p (id INTEGER PRIMARY KEY)"), ())
        .unwrap();
    conn.execute(
        text("CREATE TABLE c (pid INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)"),
        (),
    )
    .unwrap();
    conn.commit().unwrap();
    // The violation surfaces at COMMIT, which fails and leaves the transaction open.
    conn.execute(text("INSERT INTO c VALUES (42)"), ()).unwrap();
    let err = conn.commit().unwrap_err();
    assert_eq!(
        err.as_db_error().map(|e| e.kind),
        Some(DbErrorKind::Integrity)
    );
    assert!(
        conn.in_transaction(),
        "still in the transaction the COMMIT could not end"
    );
    conn.rollback().unwrap();
    assert!(!conn.in_transaction());
    conn.execute(text("INSERT INTO p VALUES (1)"), ()).unwrap();
    conn.commit().unwrap();
    assert_eq!(rows_in(&mut conn, "p"), 1);
    assert_eq!(rows_in(&mut conn, "c"), 0);
}

#[test]
fn autocommit_savepoints_do_not_swallow_later_writes() {
    let engine = engine_with_schema("sqlite://");
    let mut conn = engine.connect().unwrap();
    conn.execution_options(ExecutionOptions::default().isolation_level(IsolationLevel::Autocommit))
        .unwrap();
    {
        let mut sp = conn.begin_nested().unwrap();
        sp.execute(insert(&users()), params! { "name" => "undone" })
            .unwrap();
    }
    conn.commit().unwrap();
    conn.execute(insert(&users()), params! { "name" => "kept" })
        .unwrap();
    drop(conn);
    let mut conn = engine.connect().unwrap();
    let names: Vec<String> = conn
        .execute(select([users().c("name")]), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(names, ["kept"]);
}

#[test]
fn inserted_primary_key_is_null_when_nothing_was_inserted() {
    let engine = engine_with_schema("sqlite://");
    let mut conn = engine.connect().unwrap();
    conn.execute(insert(&users()), params! { "id" => 7, "name" => "a" })
        .unwrap();
    conn.execute(insert(&users()), params! { "name" => "b" })
        .unwrap();
    let r = conn
        .execute(
            insert(&users())
                .values(params! { "name" => "c" })
                .on_conflict_do_nothing(Vec::<&str>::new()),
            (),
        )
        .unwrap();
    assert_eq!(r.inserted_primary_key().unwrap()["id"], Value::I64(9));
    let r = conn
        .execute(
            insert(&users())
                .values(params! { "id" => 7, "name" => "dup" })
                .on_conflict_do_nothing(["id"]),
            (),
        )
        .unwrap();
    assert_eq!(r.rowcount(), 0);
}

#[test]
fn events_fire_with_the_driver_connection() {
    let db = TempDb::new("events");
    let log = Arc::new(Mutex::new(Vec::<&'static str>::new()));
    let hook = |name: &'static str, log: &Arc<Mutex<Vec<&'static str>>>| {
        let log = log.clone();
        move |_: &mut dyn sqlcore::driver::DriverConnection| -> Result<()> {
            log.lock().unwrap().push(name);
            Ok(())
        }
    };
    let engine = Engine::builder(&db.url())
        .on_connect(|conn| {
            let raw = conn
                .as_any_mut()
                .downcast_mut::<rusqlite::Connection>()
                .expect("rusqlite");
            raw.pragma_update(None, "foreign_keys", true)
                .map_err(|e| Error::Argument(e.to_string()))
        })
        .on_connect(hook("connect", &log))
        .on_checkout(hook("checkout", &log))
        .on_checkin(hook("checkin", &log))
        .on_reset(hook("reset", &log))
        .on_invalidate(hook("invalidate", &log))
        .on_close(hook("close", &log))
        .build()
        .unwrap();
    {
        let mut conn = engine.connect().unwrap();
        let fk: i64 = conn
            .execute(text("PRAGMA foreign_keys"), ())
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(fk, 1, "the connect hook ran PRAGMA foreign_keys = ON");
    }
    {
        let mut conn = engine.connect().unwrap();
        conn.invalidate();
    }
    engine.dispose();
    assert_eq!(
        *log.lock().unwrap(),
        [
            "connect",
            "checkout",
            "reset",
            "checkin",
            "checkout",
            "invalidate",
            "close"
        ]
    );
}

#[test]
fn extreme_pool_settings_do_not_panic() {
    let db = TempDb::new("extreme");
    let engine = Engine::builder(&db.url())
        .max_overflow(usize::MAX)
        .pool_timeout(Duration::MAX)
        .build()
        .unwrap();
    let conns: Vec<Connection> = (0..8).map(|_| engine.connect().unwrap()).collect();
    assert_eq!(engine.pool_status().checked_out, 8);
    drop(conns);
    let one = Engine::builder(&db.url())
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

#[test]
fn failing_hooks_close_the_connection_and_free_the_slot() {
    let db = TempDb::new("hookfail");
    let closed = Arc::new(AtomicUsize::new(0));
    let c = closed.clone();
    let fail = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let f = fail.clone();
    let engine = Engine::builder(&db.url())
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

#[test]
fn null_pool_opens_and_closes_per_checkout() {
    let db = TempDb::new("null");
    let engine = Engine::builder(&db.url())
        .poolclass(PoolClass::Null)
        .build()
        .unwrap();
    let a = engine.connect().unwrap().connection_id().unwrap();
    let b = engine.connect().unwrap().connection_id().unwrap();
    assert_ne!(a, b);
    assert_eq!(engine.pool_status().checked_in, 0);
}

#[test]
fn static_pool_shares_one_memory_database_across_threads() {
    let engine = create_engine("sqlite://").unwrap();
    engine
        .transaction(|c| c.execute(text("CREATE TABLE t (x INTEGER)"), ()).map(drop))
        .unwrap();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                for j in 0..25 {
                    engine
                        .transaction(|c| {
                            c.execute(
                                text("INSERT INTO t VALUES (:x)"),
                                params! { "x" => i * 100 + j },
                            )
                            .map(drop)
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut conn = engine.connect().unwrap();
    assert_eq!(rows_in(&mut conn, "t"), 100);
    // The same thread asking again gets an error, not a deadlock.
    assert!(matches!(engine.connect(), Err(Error::InvalidRequest(_))));
}

#[test]
fn singleton_thread_pool_keeps_one_connection_per_thread() {
    let db = TempDb::new("singleton");
    let engine = Engine::builder(&db.url())
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
}

#[test]
fn dispose_closes_idle_connections() {
    let db = TempDb::new("dispose");
    let engine = create_engine(&db.url()).unwrap();
    let first = engine.connect().unwrap().connection_id().unwrap();
    assert_eq!(engine.pool_status().checked_in, 1);
    engine.dispose();
    assert_eq!(engine.pool_status().checked_in, 0);
    assert_ne!(engine.connect().unwrap().connection_id().unwrap(), first);
}

// ---- connections and transactions ----------------------------------------------------------------------

#[test]
fn commit_as_you_go() {
    for url in ["sqlite://".to_owned(), TempDb::new("cayg").url()] {
        let engine = engine_with_schema(&url);
        let mut conn = engine.connect().unwrap();
        assert!(!conn.in_transaction());
        conn.execute(insert(&users()), params! { "name" => "ed" })
            .unwrap();
        assert!(
            conn.in_transaction(),
            "the first statement begins a transaction"
        );
        conn.rollback().unwrap();
        assert!(!conn.in_transaction());
        assert_eq!(rows_in(&mut conn, "users"), 0);
        conn.execute(insert(&users()), params! { "name" => "ed" })
            .unwrap();
        conn.commit().unwrap();
        conn.rollback().unwrap();
        assert_eq!(rows_in(&mut conn, "users"), 1);
    }
}

#[test]
fn begin_guard_commits_or_rolls_back_on_drop() {
    let engine = engine_with_schema("sqlite://");
    let mut conn = engine.connect().unwrap();
    {
        let mut tx = conn.begin().unwrap();
        tx.execute(insert(&users()), params! { "name" => "kept" })
            .unwrap();
        tx.commit().unwrap();
    }
    {
        let mut tx = conn.begin().unwrap();
        tx.execute(insert(&users()), params! { "name" => "dropped" })
            .unwrap();
    }
    {
        let tx = conn.begin().unwrap();
        tx.rollback().unwrap();
    }
    let names: Vec<String> = conn
        .execute(select([users().c("name")]), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(names, ["kept"]);
    conn.execute(text("SELECT 1"), ()).unwrap();
    assert!(
        matches!(conn.begin(), Err(Error::InvalidRequest(_))),
        "autobegun transaction is open"
    );
}

#[test]
fn savepoints_nest_and_roll_back_alone() {
    let engine = engine_with_schema("sqlite://");
    let mut conn = engine.connect().unwrap();
    let mut tx = conn.begin().unwrap();
    tx.execute(insert(&users()), params! { "name" => "outer" })
        .unwrap();
    {
        let mut sp1 = tx.begin_nested().unwrap();
        assert!(sp1.in_nested_transaction());
        let name = sp1.name().to_owned();
        assert_eq!(sp1.get_nested_transaction(), Some(name.as_str()));
        sp1.execute(insert(&users()), params! { "name" => "sp1" })
            .unwrap();
        {
            let mut sp2 = sp1.begin_nested().unwrap();
            sp2.execute(insert(&users()), params! { "name" => "sp2" })
                .unwrap();
            sp2.rollback().unwrap();
        }
        {
            let mut sp3 = sp1.begin_nested().unwrap();
            sp3.execute(insert(&users()), params! { "name" => "sp3" })
                .unwrap();
            sp3.commit().unwrap();
        }
        sp1.commit().unwrap();
    }
    {
        let mut sp4 = tx.begin_nested().unwrap();
        sp4.execute(insert(&users()), params! { "name" => "sp4" })
            .unwrap();
        // dropped: rolled back to the savepoint
    }
    assert!(!tx.in_nested_transaction());
    tx.commit().unwrap();
    let mut names: Vec<String> = conn
        .execute(select([users().c("name")]), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    names.sort();
    assert_eq!(names, ["outer", "sp1", "sp3"]);
}

#[test]
fn begin_nested_without_a_transaction_begins_one() {
    let engine = engine_with_schema("sqlite://");
    let mut conn = engine.connect().unwrap();
    {
        let mut sp = conn.begin_nested().unwrap();
        sp.execute(insert(&users()), params! { "name" => "a" })
            .unwrap();
        sp.commit().unwrap();
    }
    assert!(conn.in_transaction());
    conn.rollback().unwrap();
    assert_eq!(rows_in(&mut conn, "users"), 0);
}

#[test]
fn engine_begin_commits_and_rolls_back() {
    let engine = engine_with_schema("sqlite://");
    {
        let mut tx = engine.begin().unwrap();
        tx.execute(insert(&users()), params! { "name" => "a" })
            .unwrap();
        tx.commit().unwrap();
    }
    {
        let mut tx = engine.begin().unwrap();
        tx.execute(insert(&users()), params! { "name" => "b" })
            .unwrap();
    }
    let err = engine.transaction(|c| {
        c.execute(insert(&users()), params! { "name" => "c" })?;
        c.execute(insert(&users()), params! { "id" => 1, "name" => "dup" })?;
        Ok(())
    });
    let db = err.unwrap_err();
    let db = db.as_db_error().expect("a database error");
    assert_eq!(db.kind, DbErrorKind::Integrity);
    assert_eq!(db.reason, Some(DbErrorReason::UniqueViolation));
    assert!(db.sql.as_deref().unwrap().starts_with("INSERT INTO users"));
    assert_eq!(
        db.param_names.iter().map(|p| &**p).collect::<Vec<_>>(),
        ["id", "name", "param_1"]
    );
    assert!(
        !db.to_string().contains("dup"),
        "values never appear in errors"
    );
    let mut conn = engine.connect().unwrap();
    assert_eq!(rows_in(&mut conn, "users"), 1);
}

#[test]
fn a_panic_returns_the_connection_rolled_back() {
    let db = TempDb::new("panic");
    let engine = engine_with_schema(&db.url());
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

#[test]
fn isolation_levels() {
    let db = TempDb::new("iso");
    let engine = engine_with_schema(&db.url());
    let mut conn = engine.connect().unwrap();
    assert_eq!(
        conn.get_isolation_level().unwrap(),
        IsolationLevel::Serializable
    );
    conn.execution_options(
        ExecutionOptions::default().isolation_level(IsolationLevel::ReadUncommitted),
    )
    .unwrap();
    assert_eq!(
        conn.get_isolation_level().unwrap(),
        IsolationLevel::ReadUncommitted
    );
    conn.execute(text("SELECT 1"), ()).unwrap();
    let err = conn.execution_options(
        ExecutionOptions::default().isolation_level(IsolationLevel::Serializable),
    );
    assert!(
        matches!(err, Err(Error::InvalidRequest(_))),
        "no change inside a transaction"
    );
    conn.rollback().unwrap();
    let err = conn.execution_options(
        ExecutionOptions::default().isolation_level(IsolationLevel::RepeatableRead),
    );
    assert!(matches!(err, Err(Error::Argument(m)) if m.contains("REPEATABLE READ")));
    let id = conn.connection_id();
    drop(conn);
    // Restored at checkin.
    let mut conn = engine.connect().unwrap();
    assert_eq!(conn.connection_id(), id);
    assert_eq!(
        conn.get_isolation_level().unwrap(),
        IsolationLevel::Serializable
    );

    // AUTOCOMMIT: no transaction is begun, every statement is durable at once.
    conn.execution_options(ExecutionOptions::default().isolation_level(IsolationLevel::Autocommit))
        .unwrap();
    assert_eq!(
        conn.get_isolation_level().unwrap(),
        IsolationLevel::Autocommit
    );
    conn.execute(insert(&users()), params! { "name" => "auto" })
        .unwrap();
    assert!(!conn.driver_connection().unwrap().in_transaction());
    conn.rollback().unwrap();
    assert_eq!(rows_in(&mut conn, "users"), 1);

    let engine = Engine::builder(&db.url())
        .isolation_level(IsolationLevel::ReadUncommitted)
        .build()
        .unwrap();
    assert_eq!(
        engine.connect().unwrap().get_isolation_level().unwrap(),
        IsolationLevel::ReadUncommitted
    );
    let engine = Engine::builder(&db.url())
        .isolation_level(IsolationLevel::Autocommit)
        .build()
        .unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(insert(&users()), params! { "name" => "auto2" })
        .unwrap();
    assert!(!conn.in_transaction());
}

#[test]
fn invalidate_discards_and_requires_rollback_inside_a_transaction() {
    let db = TempDb::new("invalidate");
    let engine = engine_with_schema(&db.url());
    let mut conn = engine.connect().unwrap();
    let first = conn.connection_id().unwrap();
    conn.execute(insert(&users()), params! { "name" => "lost" })
        .unwrap();
    conn.invalidate();
    assert!(conn.invalidated());
    assert!(matches!(
        conn.execute(text("SELECT 1"), ()),
        Err(Error::PendingRollback(_))
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

#[test]
fn close_and_closed() {
    let engine = create_engine("sqlite://").unwrap();
    let mut conn = engine.connect().unwrap();
    assert!(!conn.closed());
    conn.close();
    assert!(conn.closed());
    assert!(matches!(
        conn.execute(text("SELECT 1"), ()),
        Err(Error::ResourceClosed(_))
    ));
    assert_eq!(conn.dialect().name(), "sqlite");
    assert_eq!(conn.engine().url().to_string(), "sqlite:///");
    assert!(
        engine.connect().is_ok(),
        "close returned the only StaticPool connection"
    );
}

// ---- statements and results ---------------------------------------------------------------------------------

#[test]
fn core_statements_round_trip_with_types() {
    let engine = engine_with_schema("sqlite://");
    let (u, a) = (users(), addresses());
    let mut conn = engine.connect().unwrap();
    let r = conn
        .execute(
            insert(&u).values(params! {
                "name" => "ed",
                "balance" => rust_decimal::Decimal::new(1050, 2),
                "joined" => chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
            }),
            (),
        )
        .unwrap();
    assert_eq!(r.rowcount(), 1);
    let pk = r.inserted_primary_key().unwrap().clone();
    assert_eq!(pk.get::<i64>("id").unwrap(), 1);
    drop(r);
    let n = conn
        .execute_many(
            insert(&a),
            [
                params! { "user_id" => 1, "email" => "ed@x.org" },
                params! { "user_id" => 1, "email" => "ed@y.org" },
            ],
        )
        .unwrap();
    assert_eq!(n.rowcount(), 2);
    let row = conn
        .execute(
            select([
                u.c("name"),
                u.c("active"),
                u.c("balance"),
                u.c("joined"),
                count(a.c("id")).label("n"),
            ])
            .join(&a)
            .group_by([u.c("id")]),
            (),
        )
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row.get::<String>("name").unwrap(), "ed");
    assert!(
        row.get::<bool>("active").unwrap(),
        "client default applied, read back as bool"
    );
    assert_eq!(
        row.get::<rust_decimal::Decimal>("balance").unwrap(),
        rust_decimal::Decimal::new(1050, 2)
    );
    assert_eq!(
        row.get::<chrono::NaiveDate>("joined").unwrap(),
        chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
    );
    assert_eq!(row.get::<i64>("n").unwrap(), 2);
    let err = row.get::<i64>("name").unwrap_err();
    assert!(
        matches!(&err, Error::Conversion { column, expected, found } if column == "name" && *expected == "i64" && *found == "text"),
        "{err}"
    );

    let r = conn
        .execute(
            update(&u)
                .filter(u.c("id").eq(1))
                .values([("name", u.c("name").concat("!"))])
                .returning([u.c("name")]),
            (),
        )
        .unwrap();
    assert_eq!(r.scalar_one::<String>().unwrap(), "ed!");
    let r = conn
        .execute(delete(&a).filter(a.c("email").endswith("@y.org")), ())
        .unwrap();
    assert_eq!(r.rowcount(), 1);
    let emails: Vec<String> = conn
        .execute(
            select([a.c("email")]).filter(a.c("user_id").in_([1, 2, 3])),
            (),
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(emails, ["ed@x.org"]);
    let none: Vec<String> = conn
        .execute(
            select([a.c("email")]).filter(a.c("user_id").in_(Vec::<i32>::new())),
            (),
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert!(none.is_empty());
}

#[test]
fn result_methods() {
    let engine = create_engine("sqlite://").unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE t (id INTEGER, name TEXT)"), ())
        .unwrap();
    conn.execute_many(
        text("INSERT INTO t VALUES (:id, :name)"),
        (1..=3).map(|i| params! { "id" => i, "name" => format!("n{i}") }),
    )
    .unwrap();
    let q = || text("SELECT id, name FROM t ORDER BY id");

    let mut r = conn.execute(q(), ()).unwrap();
    assert_eq!(
        r.keys().iter().map(|k| &**k).collect::<Vec<_>>(),
        ["id", "name"]
    );
    assert!(r.returns_rows());
    assert_eq!(r.rowcount(), -1);
    assert_eq!(r.fetchone().unwrap().unwrap()["id"], Value::I64(1));
    assert_eq!(r.fetchmany(5).unwrap().len(), 2);
    assert!(r.fetchone().unwrap().is_none());
    drop(r);

    let rows: Vec<Row> = conn
        .execute(q(), ())
        .unwrap()
        .collect::<Result<_>>()
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2][1], Value::from("n3"));
    assert_eq!(rows[0].mapping().get("name"), Some(&Value::from("n1")));
    assert_eq!(
        rows[0]
            .clone()
            .into_map()
            .keys()
            .map(|k| &**k)
            .collect::<Vec<_>>(),
        ["id", "name"]
    );
    assert!(matches!(
        rows[0].get::<i64>("nope"),
        Err(Error::NoSuchColumn(_))
    ));

    assert_eq!(
        conn.execute(q(), ())
            .unwrap()
            .first()
            .unwrap()
            .unwrap()
            .get::<i64>(0)
            .unwrap(),
        1
    );
    assert!(matches!(
        conn.execute(q(), ()).unwrap().one(),
        Err(Error::MultipleResultsFound)
    ));
    assert!(matches!(
        conn.execute(text("SELECT 1 WHERE 0"), ()).unwrap().one(),
        Err(Error::NoResultFound)
    ));
    assert!(
        conn.execute(text("SELECT 1 WHERE 0"), ())
            .unwrap()
            .one_or_none()
            .unwrap()
            .is_none()
    );
    assert_eq!(
        conn.execute(q(), ()).unwrap().scalar::<i64>().unwrap(),
        Some(1)
    );
    assert_eq!(
        conn.execute(text("SELECT 1 WHERE 0"), ())
            .unwrap()
            .scalar::<i64>()
            .unwrap(),
        None
    );
    assert_eq!(
        conn.execute(text("SELECT 7"), ())
            .unwrap()
            .scalar_one_or_none::<i64>()
            .unwrap(),
        Some(7)
    );
    assert!(matches!(
        conn.execute(q(), ()).unwrap().scalar_one::<i64>(),
        Err(Error::MultipleResultsFound)
    ));
    let ids: Vec<i64> = conn.execute(q(), ()).unwrap().scalars().all().unwrap();
    assert_eq!(ids, [1, 2, 3]);
    let maps = conn.execute(q(), ()).unwrap().mappings().all().unwrap();
    assert_eq!(maps[1]["name"], Value::from("n2"));
    let all = conn.execute(q(), ()).unwrap().all().unwrap();
    assert_eq!(all.len(), 3);

    let mut closed = conn.execute(q(), ()).unwrap();
    closed.close();
    assert!(matches!(closed.fetchone(), Err(Error::ResourceClosed(_))));
    drop(closed);
    let mut no_rows = conn
        .execute(text("UPDATE t SET name = 'x' WHERE id > 1"), ())
        .unwrap();
    assert_eq!(no_rows.rowcount(), 2);
    assert!(!no_rows.returns_rows());
    assert!(matches!(no_rows.fetchone(), Err(Error::ResourceClosed(_))));
    drop(no_rows);
    let dup = conn
        .execute(text("SELECT 1 AS a, 2 AS a"), ())
        .unwrap()
        .one()
        .unwrap();
    assert!(
        matches!(dup.get::<i64>("a"), Err(Error::InvalidRequest(_))),
        "ambiguous names are an error"
    );
}

#[test]
fn text_parameters_are_bound() {
    let engine = create_engine("sqlite://").unwrap();
    let mut conn = engine.connect().unwrap();
    let row = conn
        .execute(
            text("SELECT :a AS a, :b AS b, :a || ':not' AS c"),
            params! { "a" => "x'; DROP TABLE t; --", "b" => None::<i32> },
        )
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row.get::<String>("a").unwrap(), "x'; DROP TABLE t; --");
    assert_eq!(row.get::<Option<i32>>("b").unwrap(), None);
    assert_eq!(row.get::<String>("c").unwrap(), "x'; DROP TABLE t; --:not");
    let err = conn.execute(text("SELECT :missing"), ()).unwrap_err();
    assert!(matches!(
        err,
        Error::Compile(CompileError::MissingParameter { .. })
    ));
}

#[test]
fn create_all_checks_existing_tables_with_one_query() {
    let db = TempDb::new("ddl");
    let statements = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = statements.clone();
    let engine = Engine::builder(&db.url())
        .on_connect(move |conn| {
            let log = log.clone();
            let raw = conn
                .as_any_mut()
                .downcast_mut::<rusqlite::Connection>()
                .unwrap();
            raw.trace_v2(
                rusqlite::trace::TraceEventCodes::SQLITE_TRACE_STMT,
                Some(move |e: rusqlite::trace::TraceEvent<'_>| {
                    if let rusqlite::trace::TraceEvent::Stmt(_, sql) = e {
                        log.lock().unwrap().push(sql.to_owned());
                    }
                }),
            )
            .unwrap();
            Ok(())
        })
        .build()
        .unwrap();
    let mut md = metadata();
    for i in 0..20 {
        md.add(
            Table::new(format!("extra_{i}"))
                .column(Column::new("id", SqlType::Integer).primary_key()),
        )
        .unwrap();
    }
    md.create_all(&engine).unwrap();
    let catalog = |log: &Mutex<Vec<String>>| {
        log.lock()
            .unwrap()
            .iter()
            .filter(|s| s.contains("sqlite_master"))
            .count()
    };
    assert_eq!(catalog(&statements), 1, "one catalog query for 22 tables");
    statements.lock().unwrap().clear();
    md.create_all(&engine).unwrap();
    assert_eq!(catalog(&statements), 1);
    assert!(
        !statements
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.starts_with("CREATE")),
        "nothing to create the second time"
    );
    let mut conn = engine.connect().unwrap();
    let mut tables = conn.table_names(None).unwrap();
    tables.sort();
    assert_eq!(tables.len(), 22);
    assert!(matches!(
        md.create_all_checkfirst(&mut conn, false),
        Err(Error::Db(_))
    ));
    conn.rollback().unwrap();
    md.drop_all(&mut conn).unwrap();
    conn.commit().unwrap();
    assert!(conn.table_names(None).unwrap().is_empty());
    md.drop_all(&engine).unwrap();
}

/// A `tracing` writer that keeps what it is given.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn echo_logs_sql_parameters_and_timing_but_no_password() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let engine = Engine::builder("sqlite://").echo(true).build().unwrap();
        assert!(engine.echo());
        let mut conn = engine.connect().unwrap();
        let n: i64 = conn
            .execute(text("SELECT :x + 1"), params! { "x" => 41 })
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(n, 42);
        let quiet = create_engine("sqlite://").unwrap();
        quiet
            .connect()
            .unwrap()
            .execute(text("SELECT 'not logged'"), ())
            .unwrap();
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("SELECT ?1 + 1"), "{log}");
    assert!(log.contains("[parameters: [I32(41)]]"), "{log}");
    assert!(log.contains("executed in"), "{log}");
    assert!(!log.contains("not logged"), "{log}");
    let url = "postgresql://scott:tiger-secret@127.0.0.1:1/x";
    assert!(!format!("{:?}", url.parse::<Url>().unwrap()).contains("tiger-secret"));
}

#[test]
fn execution_options_are_kept() {
    let engine = create_engine("sqlite://").unwrap();
    let mut conn = engine.connect().unwrap();
    let mut map = SchemaTranslateMap::new();
    map.insert(None, "tenant_1".to_owned());
    let opts = ExecutionOptions::default()
        .stream_results(true)
        .max_row_buffer(10)
        .compiled_cache(false)
        .schema_translate_map(map);
    conn.execution_options(opts.clone()).unwrap();
    assert_eq!(conn.get_execution_options(), &opts);
    // SQLite produces rows in process: streamed results read the same rows.
    let rows: Vec<i64> = conn.execute(text("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 25) SELECT x FROM n"), ()).unwrap().scalars().all().unwrap();
    assert_eq!(rows.len(), 25);
    assert_eq!(
        "read committed".parse::<IsolationLevel>().unwrap(),
        IsolationLevel::ReadCommitted
    );
    assert!("sometimes".parse::<IsolationLevel>().is_err());
}
