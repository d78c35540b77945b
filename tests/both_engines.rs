//! The engine behaviours the sync and async engines share, each written once and run on SQLite
//! and PostgreSQL with both engines (see `on_both_engines!`): execution and results,
//! commit/rollback and dropped guards, savepoints, isolation levels (AUTOCOMMIT included),
//! `schema_translate_map`, the compiled-statement cache, and errors with their kinds.

mod common;

use common::backend::TestDb;
use common::engines::{End, TestConn, TestEngine};
use sqlcore::*;

fn items() -> Table {
    Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).nullable(false))
}

async fn create_items<E: TestEngine>(engine: &E) {
    let mut conn = engine.conn().await.unwrap();
    conn.exec(
        text("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
        Params::new(),
    )
    .await
    .unwrap();
    conn.commit().await.unwrap();
}

async fn count<C: TestConn>(conn: &mut C) -> i64 {
    let t = items();
    match conn
        .one_value(select([count_all()]).select_from(&t), Params::new())
        .await
        .unwrap()
    {
        Value::I64(n) => n,
        other => panic!("count is {other:?}"),
    }
}

fn insert_item(id: i64, name: &str) -> Statement {
    insert(&items())
        .values(params! { "id" => id, "name" => name.to_owned() })
        .into()
}

async fn execute_and_results<E: TestEngine>(engine: &E, _db: &TestDb) {
    create_items(engine).await;
    let t = items();
    let mut conn = engine.conn().await.unwrap();
    let inserted = conn
        .exec(insert(&t), params! { "id" => 1, "name" => "one" })
        .await
        .unwrap();
    assert_eq!(inserted.rowcount(), 1);
    assert_eq!(
        inserted
            .inserted_primary_key()
            .unwrap()
            .get::<i64>("id")
            .unwrap(),
        1
    );
    let sets: Vec<Params> = (2..=10)
        .map(|i: i64| params! { "id" => i, "name" => format!("item {i}") })
        .collect();
    assert_eq!(
        conn.exec_many(insert(&t), sets).await.unwrap().rowcount(),
        9
    );
    assert_eq!(count(&mut conn).await, 10);
    let by_id: Statement = select(&t)
        .filter(t.c("id").le(bindparam("top")))
        .order_by(t.c("id"))
        .into();
    let mut result = conn.exec(&by_id, params! { "top" => 3 }).await.unwrap();
    assert_eq!(
        result.keys().iter().map(|k| &**k).collect::<Vec<_>>(),
        ["id", "name"]
    );
    let rows = result.fetchall().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].get::<String>("name").unwrap(), "one");
    assert_eq!(rows[2].get::<String>(1).unwrap(), "item 3");
    let names: Vec<String> = conn
        .exec(
            select([t.c("name")])
                .filter(t.c("id").gt(8))
                .order_by(t.c("id")),
            Params::new(),
        )
        .await
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(names, ["item 9", "item 10"]);
    let updated = conn
        .exec(
            update(&t)
                .filter(t.c("id").gt(5))
                .values(params! { "name" => "big" }),
            Params::new(),
        )
        .await
        .unwrap();
    assert_eq!(updated.rowcount(), 5);
    let none = conn
        .one_value(select([t.c("id")]).filter(t.c("id").eq(99)), Params::new())
        .await;
    assert!(matches!(none, Err(Error::NoResultFound)), "{none:?}");
    conn.commit().await.unwrap();
    // The same statement shape again is a cache hit, whichever engine ran it.
    let hits = engine.cache().hits;
    conn.exec(&by_id, params! { "top" => 7 }).await.unwrap();
    assert_eq!(engine.cache().hits, hits + 1);
}

/// A result with no row still names its columns: a `text()` query's from the server's
/// description, a compiled one's from the compiler, with PostgreSQL's statement cache on, off,
/// and behind a transaction-pooling proxy (`pgbouncer`, where the description comes from the
/// query's plan).
async fn results_without_rows_name_their_columns<E: TestEngine>(engine: &E, db: &TestDb) {
    create_items(engine).await;
    let t = items();
    let mut engines = Vec::new();
    if db.is_postgres() {
        let uncached = Engine::builder(&db.url()).statement_cache_size(0);
        engines.push(E::build(uncached).unwrap());
        engines.push(E::build(Engine::builder(&db.url()).pgbouncer(true)).unwrap());
    }
    for engine in std::iter::once(engine).chain(&engines) {
        let mut conn = engine.conn().await.unwrap();
        for stmt in [
            text("SELECT id, name AS label FROM items WHERE id < :top").into(),
            Statement::from(
                select([t.c("id"), t.c("name").label("label")])
                    .filter(t.c("id").lt(bindparam("top"))),
            ),
        ] {
            let mut result = conn.exec(stmt, params! { "top" => 0 }).await.unwrap();
            assert_eq!(
                result.keys().iter().map(|k| &**k).collect::<Vec<_>>(),
                ["id", "label"]
            );
            assert!(result.fetchone().unwrap().is_none());
        }
        conn.commit().await.unwrap();
    }
}

async fn commit_and_rollback<E: TestEngine>(engine: &E, _db: &TestDb) {
    create_items(engine).await;
    let mut conn = engine.conn().await.unwrap();
    let mut other = engine.conn().await.unwrap();
    conn.exec(insert_item(1, "rolled back"), Params::new())
        .await
        .unwrap();
    assert!(conn.in_tx(), "the first statement begins a transaction");
    conn.rollback().await.unwrap();
    assert!(!conn.in_tx());
    assert_eq!(count(&mut conn).await, 0);
    conn.exec(insert_item(2, "committed"), Params::new())
        .await
        .unwrap();
    conn.commit().await.unwrap();
    assert_eq!(count(&mut other).await, 1);
    other.rollback().await.unwrap();

    conn.begin_then(vec![insert_item(3, "guard committed")], End::Commit)
        .await
        .unwrap();
    conn.begin_then(vec![insert_item(4, "guard rolled back")], End::Rollback)
        .await
        .unwrap();
    conn.begin_then(vec![insert_item(5, "guard dropped")], End::Drop)
        .await
        .unwrap();
    // The dropped guard's transaction is rolled back before the next statement runs.
    assert_eq!(count(&mut conn).await, 2);
    conn.rollback().await.unwrap();
    assert_eq!(count(&mut other).await, 2);
    other.rollback().await.unwrap();

    // A connection dropped inside a transaction goes back rolled back.
    conn.exec(insert_item(6, "dropped with its connection"), Params::new())
        .await
        .unwrap();
    drop(conn);
    let mut again = engine.conn().await.unwrap();
    assert!(!again.in_tx());
    assert_eq!(count(&mut again).await, 2);
}

async fn savepoints<E: TestEngine>(engine: &E, _db: &TestDb) {
    create_items(engine).await;
    let mut conn = engine.conn().await.unwrap();
    conn.exec(insert_item(1, "outer"), Params::new())
        .await
        .unwrap();
    conn.nested_then(vec![insert_item(2, "released")], End::Commit)
        .await
        .unwrap();
    conn.nested_then(vec![insert_item(3, "rolled back to")], End::Rollback)
        .await
        .unwrap();
    conn.nested_then(vec![insert_item(4, "dropped")], End::Drop)
        .await
        .unwrap();
    assert_eq!(count(&mut conn).await, 2);
    assert!(conn.in_tx());
    assert!(!conn.in_nested());
    conn.commit().await.unwrap();
    let mut other = engine.conn().await.unwrap();
    assert_eq!(count(&mut other).await, 2);
    // A savepoint opened outside a transaction begins one.
    other.rollback().await.unwrap();
    other
        .nested_then(vec![insert_item(5, "in its own transaction")], End::Commit)
        .await
        .unwrap();
    assert!(other.in_tx());
    other.rollback().await.unwrap();
    assert_eq!(count(&mut other).await, 2);
}

async fn isolation_levels<E: TestEngine>(engine: &E, _db: &TestDb) {
    create_items(engine).await;
    let mut conn = engine.conn().await.unwrap();
    let default = conn.isolation().await.unwrap();
    conn.rollback().await.unwrap();
    conn.set_options(ExecutionOptions::default().isolation_level(IsolationLevel::Serializable))
        .await
        .unwrap();
    assert_eq!(
        conn.isolation().await.unwrap(),
        IsolationLevel::Serializable
    );
    conn.exec(insert_item(1, "serializable"), Params::new())
        .await
        .unwrap();
    // Not while a transaction is open.
    let refused = conn
        .set_options(ExecutionOptions::default().isolation_level(IsolationLevel::Autocommit))
        .await;
    assert!(
        matches!(refused, Err(Error::InvalidRequest(_))),
        "{refused:?}"
    );
    conn.commit().await.unwrap();
    conn.set_options(ExecutionOptions::default().isolation_level(IsolationLevel::Autocommit))
        .await
        .unwrap();
    assert_eq!(conn.isolation().await.unwrap(), IsolationLevel::Autocommit);
    conn.exec(insert_item(2, "autocommitted"), Params::new())
        .await
        .unwrap();
    assert!(!conn.in_tx(), "no transaction under AUTOCOMMIT");
    let mut other = engine.conn().await.unwrap();
    assert_eq!(count(&mut other).await, 2, "visible without a commit");
    other.rollback().await.unwrap();
    drop(other);
    drop(conn);
    // Connections go back with the level they came with.
    for _ in 0..3 {
        let mut conn = engine.conn().await.unwrap();
        assert_eq!(conn.isolation().await.unwrap(), default);
    }
}

async fn schema_translate_map<E: TestEngine>(engine: &E, db: &TestDb) {
    create_items(engine).await;
    let real = db.schema().unwrap_or("main");
    let tenant_items = items().schema("tenant");
    let mut conn = engine.conn().await.unwrap();
    conn.set_options(
        ExecutionOptions::default()
            .schema_translate_map(SchemaTranslateMap::new().map(Some("tenant"), real)),
    )
    .await
    .unwrap();
    conn.exec(
        insert(&tenant_items),
        params! { "id" => 1, "name" => "through the map" },
    )
    .await
    .unwrap();
    let name = conn
        .one_value(
            select([tenant_items.c("name")]).filter(tenant_items.c("id").eq(1)),
            Params::new(),
        )
        .await
        .unwrap();
    assert_eq!(name, Value::Text("through the map".into()));
    conn.commit().await.unwrap();
    // Without the map, the schema named is not there.
    let mut plain = engine.conn().await.unwrap();
    let missing = plain.exec(select(&tenant_items), Params::new()).await;
    assert!(missing.is_err());
}

async fn errors_with_kinds<E: TestEngine>(engine: &E, db: &TestDb) {
    create_items(engine).await;
    let mut conn = engine.conn().await.unwrap();
    conn.exec(insert_item(1, "first"), Params::new())
        .await
        .unwrap();
    conn.commit().await.unwrap();
    let duplicate = conn.exec(insert_item(1, "again"), Params::new()).await;
    let Err(Error::Db(e)) = duplicate else {
        panic!("expected a database error, got {duplicate:?}");
    };
    assert_eq!(e.kind, DbErrorKind::Integrity);
    assert_eq!(e.reason, Some(DbErrorReason::UniqueViolation));
    assert!(
        e.sql.as_deref().is_some_and(|s| s.contains("INSERT INTO")),
        "{e}"
    );
    assert!(!e.connection_invalidated);
    conn.rollback().await.unwrap();
    let bad = conn.exec(text("SELEC 1"), Params::new()).await;
    let Err(Error::Db(e)) = bad else {
        panic!("expected a database error, got {bad:?}");
    };
    // A syntax error is Programming on PostgreSQL and MySQL (PyMySQL's 1064), Operational on
    // SQLite (pysqlite's SQLITE_ERROR).
    let expected = if db.is_postgres() || db.is_mysql() {
        DbErrorKind::Programming
    } else {
        DbErrorKind::Operational
    };
    assert_eq!(e.kind, expected);
    conn.rollback().await.unwrap();
    // The connection is fine afterwards.
    assert_eq!(count(&mut conn).await, 1);
    // An invalidated connection inside a transaction must be rolled back first.
    conn.exec(insert_item(2, "lost"), Params::new())
        .await
        .unwrap();
    conn.invalidate_now();
    let refused = conn.exec(insert_item(3, "refused"), Params::new()).await;
    assert!(
        matches!(refused, Err(Error::PendingRollback { .. })),
        "{refused:?}"
    );
    assert!(matches!(
        conn.commit().await,
        Err(Error::PendingRollback { .. })
    ));
    conn.rollback().await.unwrap();
    assert_eq!(count(&mut conn).await, 1);
    // (The async pool takes a discarded connection back on its thread, a moment later.)
    let status = common::engines::status_when(engine, |s| s.checked_out == 1).await;
    assert_eq!(status.checked_out, 1, "{status}");
}

on_both_engines!(
    execute_and_results,
    results_without_rows_name_their_columns,
    commit_and_rollback,
    savepoints,
    isolation_levels,
    schema_translate_map,
    errors_with_kinds,
);
