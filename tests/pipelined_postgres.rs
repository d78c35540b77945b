//! Round trips on PostgreSQL: a transaction's `BEGIN` travels with its first statement, and
//! the `ROLLBACK` a connection gets as it goes back to the pool is not waited for (its reply is
//! read in the flight of the connection's next call). Counted through a relay that counts the
//! client's flights and can hold a reply back until the client sends again (see
//! `common::relay`); and the semantics kept: an error in the first statement aborts the
//! transaction, isolation levels, savepoints, AUTOCOMMIT, and a reset that failed replaces the
//! connection unseen.
#![cfg(feature = "postgres")]

mod common;

use common::backend::TestDb;
use common::relay::Relay;
use sqlcore::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The test server's `host:port`, as its URL names it.
fn server() -> String {
    let url: Url = common::pg::url().parse().expect("the server's URL");
    format!(
        "{}:{}",
        url.host().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(5432)
    )
}

fn users() -> Table {
    Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).not_null())
}

/// A schema with `users` (ids 1 to 3) and a relay to its server.
fn fixture(name: &str) -> Option<(TestDb, Relay)> {
    let db = TestDb::postgres(name)?;
    let engine = create_engine(&db.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    for sql in [
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
        "INSERT INTO users VALUES (1, 'one'), (2, 'two'), (3, 'three')",
    ] {
        conn.execute(text(sql), ()).unwrap();
    }
    conn.commit().unwrap();
    Some((db, Relay::start(&server())))
}

#[test]
fn a_one_statement_request_is_one_flight() {
    let Some((db, relay)) = fixture("pipelined_one") else {
        return;
    };
    let url = relay.url(&db.url(), &server());
    let engine = Engine::builder(&url).pool_size(1).build().unwrap();
    let users = users();
    let by_id: Statement = select(&users)
        .filter(users.c("id").eq(bindparam("id")))
        .into();
    const CALLS: usize = 5;

    // The raw driver's prepared SELECT 1: one flight each (the relay counts as it should).
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let one = raw.prepare("SELECT 1").unwrap();
    let raw_flights = relay.flights_per(CALLS, || {
        raw.query_one(&one, &[]).unwrap();
    });
    assert_eq!(raw_flights, CALLS, "raw SELECT 1");

    // Check out, BEGIN + SELECT, check in (the ROLLBACK not waited for, its reply read with
    // the next request's statement): one flight a request. (The first call connects and
    // prepares the statement.)
    let request = |id: i32, name: &str| {
        let mut conn = engine.connect().unwrap();
        let row = conn
            .execute(&by_id, params! { "id" => id })
            .unwrap()
            .one()
            .unwrap();
        assert_eq!(row.get::<String>("name").unwrap(), name);
        relay.check_in_unanswered(conn);
    };
    assert_eq!(relay.flights_per(CALLS, || request(2, "two")), CALLS);

    // query_row, the same.
    let row_flights = relay.flights_per(CALLS, || {
        let mut conn = engine.connect().unwrap();
        let name: String = conn
            .query_row(&by_id, params! { "id" => 3 }, |row| row.get("name"))
            .unwrap();
        assert_eq!(name, "three");
        relay.check_in_unanswered(conn);
    });
    assert_eq!(row_flights, CALLS, "query_row");

    // A transaction that commits: BEGIN + UPDATE, then COMMIT (nothing at check-in).
    let commit_flights = relay.flights_per(CALLS, || {
        let mut conn = engine.connect().unwrap();
        conn.execute(text("UPDATE users SET name = name WHERE id = 1"), ())
            .unwrap();
        conn.commit().unwrap();
    });
    assert_eq!(
        commit_flights,
        2 * CALLS,
        "BEGIN with the statement, then COMMIT"
    );

    // A transaction with no statement sends nothing.
    let empty_flights = relay.flights_per(CALLS, || {
        let mut conn = engine.connect().unwrap();
        conn.begin().unwrap().commit().unwrap();
    });
    assert_eq!(empty_flights, 0, "nothing sent");

    // AUTOCOMMIT: no BEGIN, no ROLLBACK, one flight.
    let autocommit = Engine::builder(&url)
        .pool_size(1)
        .isolation_level(IsolationLevel::Autocommit)
        .build()
        .unwrap();
    let auto_flights = relay.flights_per(CALLS, || {
        let mut conn = autocommit.connect().unwrap();
        let name: String = conn
            .execute(&by_id, params! { "id" => 2 })
            .unwrap()
            .one()
            .unwrap()
            .get("name")
            .unwrap();
        assert_eq!(name, "two");
        assert!(!conn.in_transaction());
    });
    assert_eq!(auto_flights, CALLS, "AUTOCOMMIT");
    drop(db);
}

#[test]
fn an_error_in_the_first_statement_aborts_its_transaction() {
    let Some(db) = TestDb::postgres("pipelined_first_error") else {
        return;
    };
    let engine = create_engine(&db.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let e = conn.execute(text("SELECT 1 / 0"), ()).unwrap_err();
    let db_error = e.as_db_error().expect("a database error");
    assert_eq!(db_error.sqlstate.as_deref(), Some("22012"), "{e}");
    assert!(!e.connection_invalidated());
    // The BEGIN went first: the transaction is aborted, not an autocommitted statement.
    assert!(conn.in_transaction());
    let e = conn.execute(text("SELECT 1"), ()).unwrap_err();
    assert_eq!(
        e.as_db_error().and_then(|d| d.sqlstate.as_deref()),
        Some("25P02"),
        "{e}"
    );
    conn.rollback().unwrap();
    let one: i32 = conn
        .execute(text("SELECT 1"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(one, 1);
    // A transaction begun explicitly, its first statement failing, commits nothing.
    conn.rollback().unwrap();
    conn.execute(text("CREATE TABLE t (x INTEGER PRIMARY KEY)"), ())
        .unwrap();
    conn.commit().unwrap();
    {
        let mut tx = conn.begin().unwrap();
        assert!(
            tx.execute(text("INSERT INTO t VALUES (1), (1)"), ())
                .is_err()
        );
        let e = tx.commit().unwrap_err();
        assert!(!e.connection_invalidated(), "{e}");
    }
    let n: i64 = conn
        .execute(text("SELECT count(*) FROM t"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn isolation_levels_and_savepoints_keep_their_meaning() {
    let Some(db) = TestDb::postgres("pipelined_isolation") else {
        return;
    };
    let show = |conn: &mut Connection| -> String {
        conn.execute(text("SHOW transaction_isolation"), ())
            .unwrap()
            .scalar_one()
            .unwrap()
    };
    // Set on the session, and given to each BEGIN (pgbouncer=true).
    let sep = if db.url().contains('?') { '&' } else { '?' };
    for url in [db.url(), format!("{}{sep}pgbouncer=true", db.url())] {
        let engine = Engine::builder(&url)
            .isolation_level(IsolationLevel::Serializable)
            .build()
            .unwrap();
        let mut conn = engine.connect().unwrap();
        assert_eq!(show(&mut conn), "serializable", "{url}");
        conn.rollback().unwrap();
        conn.execution_options(
            ExecutionOptions::default().isolation_level(IsolationLevel::RepeatableRead),
        )
        .unwrap();
        let mut tx = conn.begin().unwrap();
        assert_eq!(show(&mut tx), "repeatable read", "{url}");
        tx.rollback().unwrap();
    }

    // A savepoint as the transaction's first statement.
    let engine = create_engine(&db.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE s (x INTEGER)"), ())
        .unwrap();
    conn.commit().unwrap();
    {
        let mut tx = conn.begin().unwrap();
        {
            let mut sp = tx.begin_nested().unwrap();
            sp.execute(text("INSERT INTO s VALUES (1)"), ()).unwrap();
            sp.rollback().unwrap();
        }
        tx.execute(text("INSERT INTO s VALUES (2)"), ()).unwrap();
        tx.commit().unwrap();
    }
    let xs: Vec<i32> = conn
        .execute(text("SELECT x FROM s"), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(xs, [2]);
}

#[test]
fn a_failed_reset_replaces_the_connection_unseen() {
    let Some((db, relay)) = fixture("pipelined_failed_reset") else {
        return;
    };
    let url = relay.url(&db.url(), &server());
    let connects = Arc::new(AtomicUsize::new(0));
    let invalidations = Arc::new(AtomicUsize::new(0));
    let engine = {
        let (connects, invalidations) = (connects.clone(), invalidations.clone());
        Engine::builder(&url)
            .pool_size(1)
            .on_connect(move |_| {
                connects.fetch_add(1, Ordering::Relaxed);
                Ok(())
            })
            .on_invalidate(move |_| {
                invalidations.fetch_add(1, Ordering::Relaxed);
                Ok(())
            })
            .build()
            .unwrap()
    };
    let users = users();
    let name_of = |conn: &mut Connection, id: i32| -> Result<String> {
        conn.execute(select(&users).filter(users.c("id").eq(id)), ())?
            .one()?
            .get("name")
    };

    // A request; its ROLLBACK's reply is held back when the connection is cut, so it is lost.
    let read_then_cut = || {
        let mut conn = engine.connect().unwrap();
        assert_eq!(name_of(&mut conn, 1).unwrap(), "one");
        relay.check_in_unanswered(conn);
        relay.cut();
    };
    read_then_cut();
    // The next request gets a new connection, and its answer.
    let mut conn = engine.connect().unwrap();
    assert_eq!(name_of(&mut conn, 2).unwrap(), "two");
    drop(conn);
    assert_eq!(connects.load(Ordering::Relaxed), 2);
    assert_eq!(invalidations.load(Ordering::Relaxed), 1);

    // A write as the first statement after a failed reset runs once, on the new connection.
    read_then_cut();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("INSERT INTO users VALUES (4, 'four')"), ())
        .unwrap();
    conn.commit().unwrap();
    drop(conn);
    // A savepoint as the first statement after a failed reset.
    read_then_cut();
    let mut conn = engine.connect().unwrap();
    {
        let mut tx = conn.begin().unwrap();
        let mut sp = tx.begin_nested().unwrap();
        sp.execute(text("INSERT INTO users VALUES (5, 'five')"), ())
            .unwrap();
        sp.commit().unwrap();
        tx.commit().unwrap();
    }
    let n: i64 = conn
        .execute(text("SELECT count(*) FROM users WHERE id IN (4, 5)"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 2);
    drop(conn);
    assert_eq!(connects.load(Ordering::Relaxed), 4);
    assert_eq!(invalidations.load(Ordering::Relaxed), 3);
    assert_eq!(engine.pool_status().checked_out, 0);
}
