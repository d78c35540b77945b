//! User types that convert values (`TypeDecorator::process_bind_param` /
//! `process_result_value`) and wrap SQL (`bind_expression` / `column_expression`), on SQLite
//! and PostgreSQL with both engines: insert (one row, from parameters, executemany), select,
//! filter (`=`, IN), update, RETURNING, streamed results and `query_row`; conversion errors;
//! the compiled-statement cache (two decorators never share an entry, a hit still converts).

mod common;

use common::backend::TestDb;
use common::engines::{TestConn, TestEngine};
use sqlcore::*;

/// A list of words stored as TEXT, comma-separated: bound from a `Value::Array` of texts, read
/// back as one.
#[derive(Debug)]
struct WordList;

impl TypeDecorator for WordList {
    fn name(&self) -> &str {
        "word_list"
    }
    fn impl_type(&self) -> SqlType {
        SqlType::Text
    }
    fn process_bind_param(&self, value: Value) -> Result<Value, BoxError> {
        match value {
            Value::Null => Ok(Value::Null),
            Value::Array(items) => {
                let mut words = Vec::with_capacity(items.len());
                for item in &items {
                    match item {
                        Value::Text(w) if !w.contains(',') => words.push(w.as_str()),
                        other => return Err(format!("not a word: {other:?}").into()),
                    }
                }
                Ok(Value::Text(words.join(",")))
            }
            other => Err(format!("a word list, not a {} value", other.kind_name()).into()),
        }
    }
    fn process_result_value(&self, value: Value) -> Result<Value, BoxError> {
        match value {
            Value::Text(s) if s.is_empty() => Ok(Value::Array(Vec::new())),
            Value::Text(s) => Ok(Value::Array(s.split(',').map(Value::from).collect())),
            Value::Null => Ok(Value::Null),
            other => Err(format!("stored as {}", other.kind_name()).into()),
        }
    }
}

/// An e-mail address, lower-cased when bound.
#[derive(Debug)]
struct Email;

impl TypeDecorator for Email {
    fn name(&self) -> &str {
        "email"
    }
    fn impl_type(&self) -> SqlType {
        SqlType::String(Some(320))
    }
    fn process_bind_param(&self, value: Value) -> Result<Value, BoxError> {
        Ok(match value {
            Value::Text(s) => Value::Text(s.to_lowercase()),
            other => other,
        })
    }
}

/// Text stored lower-cased by SQL (`lower(?)`) and read upper-cased by SQL (`upper(col)`).
#[derive(Debug)]
struct Shout;

impl TypeDecorator for Shout {
    fn name(&self) -> &str {
        "shout"
    }
    fn impl_type(&self) -> SqlType {
        SqlType::Text
    }
    fn bind_expression(&self, bind: Expr) -> Option<Expr> {
        Some(lower(bind))
    }
    fn column_expression(&self, column: Expr) -> Option<Expr> {
        Some(upper(column))
    }
}

/// Text that refuses "forbidden" when bound and "poison" when read.
#[derive(Debug)]
struct Strict;

impl TypeDecorator for Strict {
    fn name(&self) -> &str {
        "strict"
    }
    fn impl_type(&self) -> SqlType {
        SqlType::Text
    }
    fn process_bind_param(&self, value: Value) -> Result<Value, BoxError> {
        match value {
            Value::Text(s) if s == "forbidden" => Err("forbidden is not allowed".into()),
            other => Ok(other),
        }
    }
    fn process_result_value(&self, value: Value) -> Result<Value, BoxError> {
        match value {
            Value::Text(s) if s == "poison" => Err("poison cannot be read".into()),
            other => Ok(other),
        }
    }
}

fn posts() -> Table {
    Table::new("posts")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("tags", SqlType::custom(WordList)))
        .column(Column::new("author", SqlType::custom(Email)))
}

fn words(ws: &[&str]) -> Value {
    Value::Array(ws.iter().map(|w| Value::from(*w)).collect())
}

async fn create<C: TestConn>(conn: &mut C, t: &Table) {
    conn.exec(create_table(t), Params::new()).await.unwrap();
    conn.commit().await.unwrap();
}

/// The stored text of `column` for the row `id`, read without the type.
async fn stored<C: TestConn>(conn: &mut C, table: &str, column: &str, id: i64) -> Value {
    let sql = format!("SELECT {column} FROM {table} WHERE id = :id");
    conn.one_value(text(&sql), params! { "id" => id })
        .await
        .unwrap()
}

async fn conversions_round_trip<E: TestEngine>(engine: &E, db: &TestDb) {
    let t = posts();
    let mut conn = engine.conn().await.unwrap();
    create(&mut conn, &t).await;
    // One row, the values in the statement.
    conn.exec(
        insert(&t).values(params! {
            "id" => 1, "tags" => words(&["rust", "sql"]), "author" => "Ann@Example.COM"
        }),
        Params::new(),
    )
    .await
    .unwrap();
    assert_eq!(
        stored(&mut conn, "posts", "tags", 1).await,
        Value::from("rust,sql")
    );
    assert_eq!(
        stored(&mut conn, "posts", "author", 1).await,
        Value::from("ann@example.com")
    );
    // One row, the values as parameters.
    conn.exec(
        insert(&t),
        params! { "id" => 2, "tags" => words(&["db"]), "author" => "BOB@example.com" },
    )
    .await
    .unwrap();
    assert_eq!(
        stored(&mut conn, "posts", "tags", 2).await,
        Value::from("db")
    );
    // executemany.
    let sets: Vec<Params> = (3..=5)
        .map(|i: i64| {
            params! {
                "id" => i,
                "tags" => words(&["many", &format!("n{i}")]),
                "author" => format!("User{i}@Example.com"),
            }
        })
        .collect();
    assert_eq!(
        conn.exec_many(insert(&t), sets).await.unwrap().rowcount(),
        3
    );
    assert_eq!(
        stored(&mut conn, "posts", "tags", 4).await,
        Value::from("many,n4")
    );
    assert_eq!(
        stored(&mut conn, "posts", "author", 5).await,
        Value::from("user5@example.com")
    );
    // Read back through the type; filtered with a value converted as it is bound.
    let rows = conn
        .exec(
            select([t.c("id"), t.c("tags")])
                .filter(t.c("tags").eq(words(&["rust", "sql"])))
                .order_by(t.c("id")),
            Params::new(),
        )
        .await
        .unwrap()
        .all()
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["tags"], words(&["rust", "sql"]));
    // A named parameter meeting the column, and an IN list: each element converted.
    let by_author: Statement = select([t.c("id")])
        .filter(t.c("author").eq(bindparam("who")))
        .into();
    let id = conn
        .one_value(&by_author, params! { "who" => "BOB@EXAMPLE.COM" })
        .await
        .unwrap();
    assert!(matches!(id, Value::I32(2) | Value::I64(2)), "{id:?}");
    let ids: Vec<i64> = conn
        .exec(
            select([t.c("id")])
                .filter(t.c("author").in_(["ANN@example.com", "user3@EXAMPLE.com"]))
                .order_by(t.c("id")),
            Params::new(),
        )
        .await
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(ids, [1, 3]);
    // The first row read in place (query_row on the sync engine).
    let first = conn
        .one_value(select([t.c("tags")]).filter(t.c("id").eq(4)), Params::new())
        .await
        .unwrap();
    assert_eq!(first, words(&["many", "n4"]));
    // UPDATE and INSERT with RETURNING: converted both ways (MariaDB has no UPDATE …
    // RETURNING: the row is read back instead).
    let update = update(&t)
        .filter(t.c("id").eq(2))
        .values(params! { "tags" => words(&["db", "updated"]) });
    let back = if db.is_mysql() {
        conn.exec(update, Params::new()).await.unwrap();
        conn.exec(select([t.c("tags")]).filter(t.c("id").eq(2)), Params::new())
            .await
    } else {
        conn.exec(update.returning([t.c("tags")]), Params::new())
            .await
    }
    .unwrap()
    .one()
    .unwrap();
    assert_eq!(back["tags"], words(&["db", "updated"]));
    let inserted = conn
        .exec(
            insert(&t)
                .values(params! { "id" => 6, "tags" => words(&["r"]), "author" => "X@Y" })
                .returning([t.c("tags"), t.c("author")]),
            Params::new(),
        )
        .await
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(inserted["tags"], words(&["r"]));
    assert_eq!(inserted["author"], Value::from("x@y"));
    assert_eq!(
        stored(&mut conn, "posts", "tags", 2).await,
        Value::from("db,updated")
    );
    // Streamed: each row converted as it is read.
    conn.set_options(
        ExecutionOptions::default()
            .stream_results(true)
            .max_row_buffer(2),
    )
    .await
    .unwrap();
    let streamed = conn
        .exec(select([t.c("tags")]).order_by(t.c("id")), Params::new())
        .await
        .unwrap()
        .scalars::<Value>()
        .all()
        .unwrap();
    assert_eq!(streamed[0], words(&["rust", "sql"]));
    assert_eq!(streamed[4], words(&["many", "n5"]));
    conn.commit().await.unwrap();
}

fn shouts() -> Table {
    Table::new("shouts")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("word", SqlType::custom(Shout)))
}

async fn expressions_round_trip<E: TestEngine>(engine: &E, _db: &TestDb) {
    let t = shouts();
    let mut conn = engine.conn().await.unwrap();
    create(&mut conn, &t).await;
    conn.exec(insert(&t), params! { "id" => 1, "word" => "MiXeD" })
        .await
        .unwrap();
    conn.exec_many(
        insert(&t),
        vec![
            params! { "id" => 2, "word" => "Quiet" },
            params! { "id" => 3, "word" => "LOUD" },
        ],
    )
    .await
    .unwrap();
    // Stored through lower(?).
    assert_eq!(
        stored(&mut conn, "shouts", "word", 1).await,
        Value::from("mixed")
    );
    assert_eq!(
        stored(&mut conn, "shouts", "word", 3).await,
        Value::from("loud")
    );
    // Read through upper(col), still keyed by the column's name; compared through lower(?).
    let rows = conn
        .exec(
            select(&t)
                .filter(t.c("word").eq("QUIET"))
                .order_by(t.c("word")),
            Params::new(),
        )
        .await
        .unwrap()
        .all()
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].keys()[1].as_ref(), "word");
    assert_eq!(rows[0].get::<String>("word").unwrap(), "QUIET");
    // IN and NOT IN lists (of values, of an expanding parameter, empty): each value compared
    // through lower(?).
    let ids = |rows: Vec<Row>| -> Vec<i64> { rows.iter().map(|r| r.get("id").unwrap()).collect() };
    let listed = |list: Vec<&str>| Value::Array(list.into_iter().map(Value::from).collect());
    for (stmt, list, expected) in [
        (
            select([t.c("id")]).filter(t.c("word").in_(["QUIET", "Loud", "none"])),
            listed(vec![]),
            vec![2, 3],
        ),
        (
            select([t.c("id")]).filter(t.c("word").in_(bindparam("ws"))),
            listed(vec!["Mixed", "LOUD"]),
            vec![1, 3],
        ),
        (
            select([t.c("id")]).filter(t.c("word").not_in(bindparam("ws"))),
            listed(vec!["mIxEd"]),
            vec![2, 3],
        ),
        (
            select([t.c("id")]).filter(t.c("word").in_(bindparam("ws"))),
            listed(vec![]),
            vec![],
        ),
        (
            select([t.c("id")]).filter(t.c("word").not_in(bindparam("ws"))),
            listed(vec![]),
            vec![1, 2, 3],
        ),
    ] {
        let rows = conn
            .exec(stmt.order_by(t.c("id")), params! { "ws" => list })
            .await
            .unwrap()
            .all()
            .unwrap();
        assert_eq!(ids(rows), expected);
    }
    // UPDATE through lower(?).
    conn.exec(
        update(&t)
            .filter(t.c("id").eq(3))
            .values(params! { "word" => "Soft" }),
        Params::new(),
    )
    .await
    .unwrap();
    assert_eq!(
        stored(&mut conn, "shouts", "word", 3).await,
        Value::from("soft")
    );
    conn.commit().await.unwrap();
}

async fn conversion_errors<E: TestEngine>(engine: &E, _db: &TestDb) {
    let t = Table::new("strict_values")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("v", SqlType::custom(Strict)));
    let mut conn = engine.conn().await.unwrap();
    create(&mut conn, &t).await;
    let err = conn
        .exec(insert(&t), params! { "id" => 1, "v" => "forbidden" })
        .await
        .unwrap_err();
    match err {
        Error::TypeConversion(e) => {
            assert_eq!(e.type_name, "strict");
            assert_eq!(e.site, ConversionSite::Parameter("v".into()));
            assert!(e.message.contains("forbidden is not allowed"), "{e}");
        }
        other => panic!("expected a type conversion error, got {other:?}"),
    }
    let err = conn
        .exec_many(
            insert(&t),
            vec![
                params! { "id" => 1, "v" => "fine" },
                params! { "id" => 2, "v" => "forbidden" },
            ],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TypeConversion(_)), "{err:?}");
    let _ = conn.rollback().await;
    // An executemany UPDATE runs its sets one by one: those before the first set that fails
    // run, and the error is that set's, whichever way it fails.
    conn.exec(insert(&t), params! { "id" => 1, "v" => "a" })
        .await
        .unwrap();
    let set_v = || {
        update(&t)
            .values([("v", bindparam("v"))])
            .filter(t.c("id").eq(bindparam("key")))
    };
    let err = conn
        .exec_many(
            set_v(),
            vec![
                params! { "key" => 1, "v" => "b" },
                params! { "key" => 1, "v" => "forbidden" },
                params! { "v" => "c" },
            ],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TypeConversion(_)), "{err:?}");
    assert_eq!(
        stored(&mut conn, "strict_values", "v", 1).await,
        Value::from("b")
    );
    let err = conn
        .exec_many(
            set_v(),
            vec![
                params! { "key" => 1, "v" => "c" },
                params! { "v" => "d" },
                params! { "key" => 1, "v" => "forbidden" },
            ],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Compile(CompileError::MissingParameter { .. })),
        "{err:?}"
    );
    assert_eq!(
        stored(&mut conn, "strict_values", "v", 1).await,
        Value::from("c")
    );
    let _ = conn.rollback().await;
    // A stored value the type refuses to read: the error names the column.
    conn.exec(
        text("INSERT INTO strict_values (id, v) VALUES (3, 'poison')"),
        Params::new(),
    )
    .await
    .unwrap();
    let err = conn
        .exec(select([t.c("v")]), Params::new())
        .await
        .and_then(|r| r.all())
        .unwrap_err();
    match err {
        Error::TypeConversion(e) => {
            assert_eq!(e.type_name, "strict");
            assert_eq!(e.site, ConversionSite::Column("v".into()));
            assert!(e.message.contains("poison cannot be read"), "{e}");
        }
        other => panic!("expected a type conversion error, got {other:?}"),
    }
    let err = conn
        .one_value(select([t.c("v")]), Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TypeConversion(_)), "{err:?}");
    let _ = conn.rollback().await;
}

on_both_engines!(
    conversions_round_trip,
    expressions_round_trip,
    conversion_errors
);
