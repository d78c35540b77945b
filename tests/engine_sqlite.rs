//! The execution layer on SQLite, in memory and in files: engines, URLs, pools, connections,
//! transactions and results.
#![cfg(feature = "sqlite")]

mod common;

use common::backend::TestDb;
use common::people::*;
use sqlcore::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    let db = TestDb::sqlite("defaults");
    let e = create_engine(&db.url()).unwrap();
    assert_eq!(e.pool_class(), PoolClass::Queue);
    let status = e.pool_status();
    assert_eq!(
        (status.size, status.checked_in, status.checked_out),
        (5, 0, 0)
    );
}

#[test]
fn pre_ping_replaces_a_dead_connection_silently() {
    let db = TestDb::sqlite("preping");
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
    let one: i64 = scalar(&mut conn, "SELECT 1");
    assert_eq!(one, 1);
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
fn events_fire_with_the_driver_connection() {
    let db = TestDb::sqlite("events");
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
        let fk: i64 = scalar(&mut conn, "PRAGMA foreign_keys");
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
fn isolation_levels() {
    let db = TestDb::sqlite("iso");
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
fn create_all_checks_existing_tables_with_one_query() {
    let db = TestDb::sqlite("ddl");
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

#[test]
fn text_that_is_not_utf8_comes_back_as_its_bytes() {
    // SQLite stores whatever bytes it is given as TEXT; they come back unaltered.
    let engine = create_engine("sqlite://").unwrap();
    let mut conn = engine.connect().unwrap();
    let row = conn
        .execute(
            text("SELECT CAST(X'66FF6F' AS TEXT) AS bad, CAST(X'C3A9' AS TEXT) AS good"),
            (),
        )
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row["bad"], Value::Bytes(vec![0x66, 0xFF, 0x6F]));
    assert_eq!(row.get::<String>("good").unwrap(), "é");
    assert!(
        row.get::<String>("bad").is_err(),
        "not read as altered text"
    );
}

// ---- errors -----------------------------------------------------------------------------------

#[test]
fn sql_errors_are_operational_with_sqlites_own_message() {
    // As pysqlite classifies SQLITE_ERROR (and SQLAlchemy reports it): OperationalError, with
    // SQLite's message; the statement is attached as `sql`, not repeated in the message.
    let engine = create_engine("sqlite://").unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE t (x INTEGER)"), ())
        .unwrap();
    let cases = [
        ("SELEC x FROM t", "near \"SELEC\": syntax error"),
        ("SELECT nope FROM t", "no such column: nope"),
        (
            "SELECT x FROM missing_table",
            "no such table: missing_table",
        ),
        // Raised while stepping, with no token to point at.
        ("SELECT json('{')", "malformed JSON"),
    ];
    for (sql, expected) in cases {
        let err = conn.execute(text(sql), ()).unwrap_err();
        let db = err
            .as_db_error()
            .unwrap_or_else(|| panic!("{sql}: {err:?}"));
        assert_eq!(db.kind, DbErrorKind::Operational, "{sql}: {db:?}");
        assert!(db.message.starts_with(expected), "{sql}: {:?}", db.message);
        assert!(!db.message.contains(sql), "{sql}: {:?}", db.message);
        assert_eq!(db.sql.as_deref(), Some(sql));
        assert_eq!(
            err.to_string().matches(sql).count(),
            1,
            "the statement shows once: {err}"
        );
    }
    // A Core statement on a table that is not there, through both execution paths.
    let missing = Table::new("missing_table").column(Column::new("x", SqlType::Integer));
    let err = conn.execute(select(&missing), ()).unwrap_err();
    let db = err.as_db_error().unwrap();
    assert_eq!(db.kind, DbErrorKind::Operational, "{db:?}");
    assert!(
        db.message.starts_with("no such table: missing_table"),
        "{db:?}"
    );
    let sql = db.sql.clone().unwrap();
    assert!(
        sql.starts_with("SELECT missing_table.x FROM missing_table"),
        "{sql}"
    );
    assert!(!db.message.contains(&sql), "{db:?}");
    let err = conn
        .query_row(select(&missing), (), |row| row.get::<i64>(0))
        .unwrap_err();
    assert_eq!(
        err.as_db_error().map(|e| e.kind),
        Some(DbErrorKind::Operational)
    );
    // The set-up path (`execute_batch`, used by hooks) keeps the statement too.
    let raw = conn.driver_connection().unwrap();
    let err = raw
        .execute_batch("PRAGMA foreign_keys = ON; SELEC 1")
        .unwrap_err();
    let db = err.as_db_error().unwrap();
    assert_eq!(db.kind, DbErrorKind::Operational, "{db:?}");
    assert!(
        db.message.starts_with("near \"SELEC\": syntax error"),
        "{db:?}"
    );
    assert!(
        db.sql.as_deref().is_some_and(|s| s.contains("SELEC 1")),
        "{db:?}"
    );
}

/// Foreign keys are enforced by default (sqlcore's documented choice); `foreign_keys=off`
/// gives SQLite's own default back; another value is an ArgumentError.
#[test]
fn foreign_keys_are_enforced_unless_the_url_says_off() {
    let orphan = |url: &str| {
        let engine = create_engine(url).unwrap();
        engine.transaction(|c| {
            c.execute(text("CREATE TABLE p (id INTEGER PRIMARY KEY)"), ())?;
            c.execute(
                text("CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id))"),
                (),
            )?;
            c.execute(text("INSERT INTO c (id, p_id) VALUES (1, 99)"), ())
                .map(drop)
        })
    };
    let err = orphan("sqlite://").unwrap_err();
    let db = err.as_db_error().expect("a database error");
    assert_eq!(db.kind, DbErrorKind::Integrity, "{err}");
    assert_eq!(db.reason, Some(DbErrorReason::ForeignKeyViolation), "{err}");
    orphan("sqlite://?foreign_keys=on").unwrap_err();
    orphan("sqlite://?foreign_keys=off").unwrap();
    assert!(matches!(
        create_engine("sqlite://?foreign_keys=maybe"),
        Err(Error::Argument(m)) if m.contains("foreign_keys")
    ));
}
