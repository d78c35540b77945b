//! Prepared statements (looked up in the compiled-statement cache once) and rows read in
//! place with `query_row`, on every backend — SQLite (a file per test) and PostgreSQL (a
//! schema per test).

mod common;

use common::backend::TestDb;
use common::people::*;
use sqlcore::*;

fn by_id() -> Statement {
    let users = users();
    select([users.c("id"), users.c("name"), users.c("active")])
        .filter(users.c("id").eq(bindparam("id")))
        .into()
}

fn add_users(conn: &mut Connection, names: &[&str]) {
    let users = users();
    for (i, name) in names.iter().enumerate() {
        conn.execute(
            insert(&users).values([("id", Value::from(i as i32 + 1)), ("name", (*name).into())]),
            (),
        )
        .unwrap();
    }
}

fn a_prepared_statement_skips_the_cache_and_reads_like_the_statement(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let mut conn = engine.connect().unwrap();
    add_users(&mut conn, &["a", "b", "c"]);
    let prepared = engine.prepare(by_id()).unwrap();
    assert!(prepared.is_compiled());
    assert_eq!(prepared.statement(), &by_id());
    let before = engine.cache_stats();
    for (id, name) in [(1, "a"), (2, "b"), (3, "c"), (1, "a")] {
        // The same row as the statement itself gives, read in place or as a Row.
        let read: (i32, String, bool) = conn
            .query_row(&prepared, params! { "id" => id }, |row| {
                Ok((row.get(0)?, row.get("name")?, row.get("active")?))
            })
            .unwrap();
        assert_eq!(read, (id, name.to_owned(), true));
        let row = conn
            .execute(&prepared, params! { "id" => id })
            .unwrap()
            .one()
            .unwrap();
        let plain = conn
            .execute(by_id(), params! { "id" => id })
            .unwrap()
            .one()
            .unwrap();
        assert_eq!(row, plain);
    }
    // The prepared executions never touched the cache; the plain ones hit it every time.
    let after = engine.cache_stats();
    assert_eq!(after.misses, before.misses);
    assert_eq!(after.hits, before.hits + 4);
    assert_eq!(after.size, before.size);
    // A missing parameter is the compiler's error; options of its own still apply.
    assert!(matches!(
        conn.execute(&prepared, ()),
        Err(Error::Compile(CompileError::MissingParameter { .. }))
    ));
    let streamed = Executable::from(&prepared).execution_options(|o| o.stream_results(true));
    let rows = conn
        .execute(streamed, params! { "id" => 2 })
        .unwrap()
        .all()
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<String>("name").unwrap(), "b");
}

fn query_row_reads_the_first_row_or_says_why_there_is_none(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let mut conn = engine.connect().unwrap();
    add_users(&mut conn, &["a", "b", "c"]);
    conn.commit().unwrap();
    let users = users();
    // The first row only, in the statement's order.
    let last: String = conn
        .query_row(
            select([users.c("name")]).order_by([users.c("id").desc()]),
            (),
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(last, "c");
    // Streamed (a server-side cursor on PostgreSQL): the first row, and the connection goes
    // on as before once the rest is left unread.
    let streamed = select([users.c("name")])
        .order_by([users.c("id")])
        .execution_options(|o| o.stream_results(true).max_row_buffer(1));
    let first: String = conn.query_row(streamed, (), |row| row.get(0)).unwrap();
    assert_eq!(first, "a");
    assert_eq!(rows_in(&mut conn, "users"), 3);
    // No row; a wrong type or a column that is not there, named.
    let none = conn.query_row(by_id(), params! { "id" => 99 }, |row| row.get::<i32>(0));
    assert!(matches!(none, Err(Error::NoResultFound)), "{none:?}");
    let wrong = conn.query_row(by_id(), params! { "id" => 1 }, |row| row.get::<i32>("name"));
    assert!(
        matches!(&wrong, Err(Error::Conversion { column, .. }) if column == "name"),
        "{wrong:?}"
    );
    let missing = conn.query_row(by_id(), params! { "id" => 1 }, |row| row.get::<i32>(7));
    assert!(
        matches!(missing, Err(Error::NoSuchColumn(_))),
        "{missing:?}"
    );
    let nameless = conn.query_row(by_id(), params! { "id" => 1 }, |row| row.get::<i32>("nope"));
    assert!(matches!(nameless, Err(Error::NoSuchColumn(c)) if c == "nope"));
    // The whole row, and its keys, when wanted.
    let row = conn
        .query_row(by_id(), params! { "id" => 2 }, |row| {
            assert_eq!(row.keys().len(), 3);
            assert_eq!(row.len(), 3);
            Ok(row.to_row())
        })
        .unwrap();
    assert_eq!(row.get::<String>("name").unwrap(), "b");
    assert_eq!(row.keys()[2].as_ref(), "active");
    // A statement that returns no rows runs, and says so; RETURNING reads what it changed.
    let renamed = conn.query_row(
        update(&users)
            .values([("name", "z")])
            .filter(users.c("id").eq(3)),
        (),
        |row| row.get::<i32>(0),
    );
    assert!(
        matches!(renamed, Err(Error::ResourceClosed(_))),
        "{renamed:?}"
    );
    assert_eq!(
        scalar::<String>(&mut conn, "SELECT name FROM users WHERE id = 3"),
        "z"
    );
    let returned: (i32, String) = conn
        .query_row(
            insert(&users)
                .values([("id", Value::from(4)), ("name", "d".into())])
                .returning([users.c("id"), users.c("name")]),
            (),
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(returned, (4, "d".to_owned()));
    // A text() statement's columns are named by the database.
    let n: i64 = conn
        .query_row(text("SELECT count(*) AS n FROM users"), (), |row| {
            row.get("n")
        })
        .unwrap();
    assert_eq!(n, 4);
    // Commit-as-you-go applies: the statements above are in the open transaction.
    assert!(conn.in_transaction());
    conn.rollback().unwrap();
    assert_eq!(rows_in(&mut conn, "users"), 3);
}

fn query_row_converts_declared_types_and_reads_wide_rows(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let mut conn = engine.connect().unwrap();
    let users = users();
    let joined = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let balance = rust_decimal::Decimal::new(1250, 2);
    conn.execute(
        insert(&users).values([
            ("id", Value::from(1)),
            ("name", "ed".into()),
            ("active", false.into()),
            ("balance", balance.into()),
            ("joined", joined.into()),
        ]),
        (),
    )
    .unwrap();
    // Booleans, decimals and dates come back as their types (SQLite stores them as
    // integers, numbers and text), the same read in place as from a Row, and a column read
    // twice reads the same.
    let stmt = engine.prepare(select(&users)).unwrap();
    let expected = conn.execute(&stmt, ()).unwrap().one().unwrap();
    let read = conn
        .query_row(&stmt, (), |row| {
            let first: Option<rust_decimal::Decimal> = row.get("balance")?;
            assert_eq!(row.get::<Option<rust_decimal::Decimal>>("balance")?, first);
            assert_eq!(row.get::<Value>("active")?, Value::Bool(false));
            Ok((
                row.get::<bool>("active")?,
                first,
                row.get::<chrono::NaiveDate>("joined")?,
                row.to_row(),
            ))
        })
        .unwrap();
    assert_eq!(read, (false, Some(balance), joined, expected));
    // More columns than are kept on the stack: every one is read.
    let wide: Vec<Expr> = (0..12)
        .map(|i| (users.c("id") + i).label(format!("c{i}")))
        .collect();
    let last: i64 = conn
        .query_row(select(wide), (), |row| {
            assert_eq!(row.len(), 12);
            row.get("c11")
        })
        .unwrap();
    assert_eq!(last, 12);
}

fn a_database_error_in_query_row_carries_the_statement(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let mut conn = engine.connect().unwrap();
    add_users(&mut conn, &["a"]);
    let users = users();
    let duplicate = conn.query_row(
        insert(&users)
            .values([("id", Value::from(1)), ("name", "again".into())])
            .returning([users.c("id")]),
        (),
        |row| row.get::<i32>(0),
    );
    let Err(Error::Db(db)) = duplicate else {
        panic!("expected a database error, got {duplicate:?}");
    };
    assert_eq!(db.kind, DbErrorKind::Integrity);
    assert!(
        db.sql
            .as_deref()
            .is_some_and(|s| s.starts_with("INSERT INTO"))
    );
}

fn prepared_inserts_bind_their_values_and_report_the_key(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let mut conn = engine.connect().unwrap();
    let users = users();
    // Values given as bind parameters: the INSERT keeps its compiled form (on PostgreSQL its
    // primary key comes back through a RETURNING added at execution).
    let add = engine
        .prepare(insert(&users).values([("id", bindparam("id")), ("name", bindparam("name"))]))
        .unwrap();
    assert!(add.is_compiled());
    for (id, name) in [(7, "g"), (8, "h")] {
        let result = conn
            .execute(&add, params! { "id" => id, "name" => name })
            .unwrap();
        assert_eq!(
            result
                .inserted_primary_key()
                .unwrap()
                .get::<i32>("id")
                .unwrap(),
            id
        );
    }
    // Columns taken from each execution's parameters: not compiled ahead, still right.
    let from_params = engine.prepare(insert(&users)).unwrap();
    assert!(!from_params.is_compiled());
    conn.execute(&from_params, params! { "id" => 9, "name" => "i" })
        .unwrap();
    conn.execute(&from_params, params! { "name" => "j", "id" => 10 })
        .unwrap();
    let names: Vec<String> = conn
        .execute(select([users.c("name")]).order_by([users.c("id")]), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(names, ["g", "h", "i", "j"]);
    // execute_many takes the prepared statement as its statement.
    let n = conn
        .execute_many(
            &add,
            [
                params! { "id" => 11, "name" => "k" },
                params! { "id" => 12, "name" => "l" },
            ],
        )
        .unwrap()
        .rowcount();
    assert_eq!(n, 2);
    assert_eq!(rows_in(&mut conn, "users"), 6);
}

fn a_statement_that_cannot_be_prepared_is_an_error_or_compiled_each_time(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let users = users();
    // An invalid statement fails when it is prepared.
    let invalid = engine.prepare(select([users.c("nope")]));
    assert!(matches!(invalid, Err(Error::Compile(_))), "{invalid:?}");
    // With the cache turned off, each execution compiles it, and nothing is stored.
    let uncached = engine.execution_options(ExecutionOptions::default().compiled_cache(None));
    let prepared = uncached.prepare(by_id()).unwrap();
    assert!(!prepared.is_compiled());
    let mut conn = uncached.connect().unwrap();
    add_users(&mut conn, &["a"]);
    let size = engine.cache_stats().size;
    let name: String = conn
        .query_row(&prepared, params! { "id" => 1 }, |row| row.get("name"))
        .unwrap();
    assert_eq!(name, "a");
    assert_eq!(engine.cache_stats().size, size);
    // Prepared for another dialect: compiled for this one when executed.
    let other: &'static dyn Dialect = if b.is_postgres() {
        &SQLite
    } else {
        &PostgreSQL
    };
    let cache = CompiledCache::new(10);
    let foreign = Engine::builder(if b.is_postgres() {
        "sqlite://"
    } else {
        "postgresql://localhost/unused"
    })
    .compiled_cache(cache)
    .build()
    .unwrap();
    assert_eq!(foreign.dialect().name(), other.name());
    let foreign_prepared = foreign.prepare(by_id()).unwrap();
    assert!(foreign_prepared.is_compiled());
    let name: String = conn
        .query_row(&foreign_prepared, params! { "id" => 1 }, |row| {
            row.get("name")
        })
        .unwrap();
    assert_eq!(name, "a");
}

fn a_prepared_statement_is_echoed_as_cached_and_shared_by_threads(b: &TestDb) {
    fn shared<T: Send + Sync>(_: &T) {}
    let engine = engine_with_schema(&b.url());
    let mut conn = engine.connect().unwrap();
    add_users(&mut conn, &["a", "b"]);
    conn.commit().unwrap();
    let prepared = engine.prepare(by_id()).unwrap();
    shared(&prepared);
    // Threads of their own, one prepared statement.
    std::thread::scope(|scope| {
        for (id, name) in [(1, "a"), (2, "b")] {
            let (engine, prepared) = (engine.clone(), &prepared);
            scope.spawn(move || {
                let mut conn = engine.connect().unwrap();
                let read: String = conn
                    .query_row(prepared, params! { "id" => id }, |row| row.get("name"))
                    .unwrap();
                assert_eq!(read, name);
            });
        }
    });
    let ((), log) = common::with_captured_logs(|| {
        let echoing = Engine::builder(&b.url()).echo(true).build().unwrap();
        let prepared = echoing.prepare(by_id()).unwrap();
        let mut conn = echoing.connect().unwrap();
        conn.query_row(&prepared, params! { "id" => 1 }, |row| row.get::<String>(1))
            .unwrap();
        // Cached since it was prepared, not looked up again.
        assert_eq!(echoing.cache_stats().hits, 0);
    });
    assert!(log.contains("WHERE users.id = "), "{log}");
    assert!(log.contains("[cached since "), "{log}");
    assert!(log.contains("[parameters: [I32(1)]]"), "{log}");
}

crate::on_every_backend!(
    a_prepared_statement_skips_the_cache_and_reads_like_the_statement,
    query_row_reads_the_first_row_or_says_why_there_is_none,
    query_row_converts_declared_types_and_reads_wide_rows,
    a_database_error_in_query_row_carries_the_statement,
    prepared_inserts_bind_their_values_and_report_the_key,
    a_statement_that_cannot_be_prepared_is_an_error_or_compiled_each_time,
    a_prepared_statement_is_echoed_as_cached_and_shared_by_threads,
);
