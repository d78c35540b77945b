//! The statements a SQLite connection keeps prepared under their compiled form's identity:
//! one prepared statement serves every execution of a cached compiled form, it is left reset
//! after a failure, follows schema changes, the number kept is bounded, and they are
//! finalized when a hook reaches the `rusqlite::Connection` mutably. Counted on the
//! connection itself, through SQLite's list of its prepared statements.
#![cfg(feature = "sqlite")]

mod common;

use common::backend::TestDb;
use rusqlite::ffi;
use sqlcore::*;
use std::ffi::CStr;
use std::sync::{Arc, Mutex};

/// The `sqlite3` handle of the engine's connection, taken when it was opened.
#[derive(Clone, Default)]
struct Handle(Arc<Mutex<usize>>);

impl Handle {
    /// How many times each statement prepared on the connection with SQL `sql` has run
    /// (`None`: every statement prepared on it).
    fn runs(&self, sql: Option<&str>) -> Vec<i32> {
        // SAFETY: `stmt` is a statement of the open connection.
        self.each(sql, |stmt| unsafe {
            ffi::sqlite3_stmt_status(stmt, ffi::SQLITE_STMTSTATUS_RUN, 0)
        })
    }

    /// The SQL of each statement prepared with SQL `sql`, with the values bound to it.
    fn expanded(&self, sql: &str) -> Vec<String> {
        // SAFETY: `stmt` is a statement of the open connection; the text SQLite allocates is
        // copied, then freed.
        self.each(Some(sql), |stmt| unsafe {
            let text = ffi::sqlite3_expanded_sql(stmt);
            let expanded = CStr::from_ptr(text).to_str().unwrap().to_owned();
            ffi::sqlite3_free(text.cast());
            expanded
        })
    }

    /// `f` of each statement prepared on the connection with SQL `sql` (`None`: every one).
    fn each<T>(&self, sql: Option<&str>, mut f: impl FnMut(*mut ffi::sqlite3_stmt) -> T) -> Vec<T> {
        let db = *self.0.lock().unwrap() as *mut ffi::sqlite3;
        assert!(!db.is_null(), "the connection was opened");
        let mut found = Vec::new();
        // SAFETY: the engine keeps the connection open, and this thread is its only user.
        unsafe {
            let mut stmt = ffi::sqlite3_next_stmt(db, std::ptr::null_mut());
            while !stmt.is_null() {
                let text = CStr::from_ptr(ffi::sqlite3_sql(stmt)).to_str().unwrap();
                if sql.is_none_or(|sql| sql == text) {
                    found.push(f(stmt));
                }
                stmt = ffi::sqlite3_next_stmt(db, stmt);
            }
        }
        found
    }
}

/// An engine on `url` whose connection's handle is taken as it opens, with a `users` table
/// of three rows.
fn engine(url: &str) -> (Engine, Handle) {
    let handle = Handle::default();
    let taken = handle.clone();
    let engine = Engine::builder(url)
        .on_connect(move |conn| {
            let raw = conn
                .as_any_mut()
                .downcast_mut::<rusqlite::Connection>()
                .expect("rusqlite");
            // SAFETY: only read as a pointer, while the connection is open.
            *taken.0.lock().unwrap() = unsafe { raw.handle() } as usize;
            Ok(())
        })
        .build()
        .unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(
        text("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
        (),
    )
    .unwrap();
    conn.execute(
        text("INSERT INTO users VALUES (1, 'a'), (2, 'b'), (3, 'c')"),
        (),
    )
    .unwrap();
    conn.commit().unwrap();
    (engine, handle)
}

fn users() -> Table {
    Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).not_null())
}

fn by_id() -> Statement {
    let users = users();
    select(&users)
        .filter(users.c("id").eq(bindparam("id")))
        .into()
}

fn name_of(conn: &mut Connection, stmt: &Prepared, id: i64) -> Result<String> {
    conn.query_row(stmt, params! { "id" => id }, |row| row.get("name"))
}

#[test]
fn one_prepared_statement_serves_every_execution_of_a_compiled_form() {
    let (engine, handle) = engine("sqlite://");
    let sql = by_id().compile(&SQLite).unwrap().sql;
    let prepared = engine.prepare(by_id()).unwrap();
    let mut conn = engine.connect().unwrap();
    for i in 0..30 {
        let id = i % 3 + 1;
        let expected = ["a", "b", "c"][id as usize - 1];
        assert_eq!(name_of(&mut conn, &prepared, id).unwrap(), expected);
        // The statement itself, found in the cache, runs the same SQLite statement.
        let row = conn
            .execute(by_id(), params! { "id" => id })
            .unwrap()
            .one()
            .unwrap();
        assert_eq!(row.get::<String>("name").unwrap(), expected);
    }
    assert_eq!(handle.runs(Some(&sql)), [60], "prepared once, run 60 times");
    // A number stays bound until the next run binds over it (SQLite holds no copy of it)…
    assert_eq!(handle.expanded(&sql), [sql.replace("?1", "3")]);
    // …text and bytes do not stay with it: SQLite's copy is released after the run.
    let users = users();
    let by_name: Statement = select(&users)
        .filter(users.c("name").eq(bindparam("name")))
        .into();
    let by_name_sql = by_name.compile(&SQLite).unwrap().sql;
    let by_name = engine.prepare(by_name).unwrap();
    let id: i64 = conn
        .query_row(&by_name, params! { "name" => "c" }, |row| row.get("id"))
        .unwrap();
    assert_eq!(id, 3);
    assert_eq!(
        handle.expanded(&by_name_sql),
        [by_name_sql.replace("?1", "NULL")]
    );

    // Reaching the rusqlite connection mutably finalizes the kept statements first; the next
    // execution prepares the statement again.
    let raw = conn.driver_connection().unwrap().as_any_mut();
    assert!(raw.downcast_mut::<rusqlite::Connection>().is_some());
    assert_eq!(handle.runs(Some(&sql)), [0; 0]);
    assert_eq!(name_of(&mut conn, &prepared, 2).unwrap(), "b");
    assert_eq!(handle.runs(Some(&sql)), [1]);
}

#[test]
fn a_kept_statement_is_reset_after_a_failure_or_a_partial_read() {
    let db = TestDb::sqlite("kept_reset");
    // No waiting for locks: a statement left holding one makes the other connection fail.
    let url = format!("{}?timeout=0", db.url());
    let (engine, _) = engine(&url);
    let users = users();
    let add = engine
        .prepare(insert(&users).values([("id", bindparam("id")), ("name", bindparam("name"))]))
        .unwrap();
    let all = engine
        .prepare(select(&users).order_by([users.c("id")]))
        .unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(&add, params! { "id" => 4, "name" => "d" })
        .unwrap();
    let Err(Error::Db(err)) = conn.execute(&add, params! { "id" => 4, "name" => "e" }) else {
        panic!("a duplicate key is an error")
    };
    assert_eq!(err.reason, Some(DbErrorReason::UniqueViolation), "{err}");
    let Err(Error::Db(err)) = conn.execute(&add, params! { "id" => 5, "name" => Value::Null })
    else {
        panic!("a missing NOT NULL value is an error")
    };
    assert_eq!(err.reason, Some(DbErrorReason::NotNullViolation), "{err}");
    conn.execute(&add, params! { "id" => 5, "name" => "e" })
        .unwrap();
    // A reader's error, and a read of the first of five rows, leave the statement reset.
    let wrong = conn.query_row(&all, (), |row| row.get::<i64>("name"));
    assert!(matches!(wrong, Err(Error::Conversion { .. })), "{wrong:?}");
    let first: i64 = conn.query_row(&all, (), |row| row.get("id")).unwrap();
    assert_eq!(first, 1);
    conn.commit().unwrap();
    drop(conn);

    // No statement of the engine's connection holds a lock: another connection writes.
    let other = create_engine(&url).unwrap();
    let mut writer = other.connect().unwrap();
    writer
        .execute(text("INSERT INTO users VALUES (6, 'f')"), ())
        .unwrap();
    writer.commit().unwrap();
    let mut conn = engine.connect().unwrap();
    let names: Vec<String> = conn
        .execute(&all, ())
        .unwrap()
        .all()
        .unwrap()
        .iter()
        .map(|row| row.get("name").unwrap())
        .collect();
    assert_eq!(names, ["a", "b", "c", "d", "e", "f"]);
}

#[test]
fn a_kept_statement_follows_schema_changes() {
    let (engine, _) = engine("sqlite://");
    let prepared = engine.prepare(by_id()).unwrap();
    let mut conn = engine.connect().unwrap();
    assert_eq!(name_of(&mut conn, &prepared, 1).unwrap(), "a");
    conn.execute(text("DROP TABLE users"), ()).unwrap();
    let gone = name_of(&mut conn, &prepared, 1).unwrap_err();
    assert!(gone.to_string().contains("no such table"), "{gone}");
    // Made again with its columns the other way round: the statement names its columns.
    conn.execute(
        text("CREATE TABLE users (name TEXT NOT NULL, id INTEGER PRIMARY KEY)"),
        (),
    )
    .unwrap();
    conn.execute(text("INSERT INTO users VALUES ('z', 1)"), ())
        .unwrap();
    assert_eq!(name_of(&mut conn, &prepared, 1).unwrap(), "z");
    let row = conn
        .execute(&prepared, params! { "id" => 1 })
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(
        (row.get::<i64>(0).unwrap(), row.get::<String>(1).unwrap()),
        (1, "z".into())
    );
}

#[test]
fn kept_statements_are_bounded_and_an_evicted_one_is_prepared_again() {
    let (engine, handle) = engine("sqlite://");
    let mut conn = engine.connect().unwrap();
    let shapes = 300;
    let before = engine.cache_stats().size;
    let shape = |k: i64| text(&format!("SELECT :x + {k}"));
    let sql = |k: i64| Statement::from(shape(k)).compile(&SQLite).unwrap().sql;
    let sum = |conn: &mut Connection, k: i64| -> i64 {
        conn.query_row(shape(k), params! { "x" => 1 }, |row| row.get(0))
            .unwrap()
    };
    for k in 0..shapes {
        assert_eq!(sum(&mut conn, k), k + 1);
    }
    // Every shape is cached by the engine; the connection keeps the most recent 128.
    assert_eq!(engine.cache_stats().size, before + shapes as usize);
    let kept = handle.runs(None).len();
    assert!((128..=132).contains(&kept), "{kept} statements prepared");
    assert_eq!(handle.runs(Some(&sql(shapes - 1))), [1]);
    assert_eq!(handle.runs(Some(&sql(0))), [0; 0], "evicted");
    assert_eq!(sum(&mut conn, 0), 1);
    assert_eq!(handle.runs(Some(&sql(0))), [1]);
}
