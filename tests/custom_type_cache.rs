//! User types and the compiled-statement cache: two decorators alike but for their cache key
//! never share an entry, and a statement found in the cache (or prepared) still converts its
//! values and rows through its types. Also a reflected table whose column is given a user
//! type, and the async engine's row stream. SQLite and PostgreSQL.

#[macro_use]
mod common;

use common::backend::TestDb;
use sqlcore::*;

/// Text stored with a tag before it (`a:x`), read back with the tag after it (`x!a`).
#[derive(Debug)]
struct Tagged(&'static str);

impl TypeDecorator for Tagged {
    fn name(&self) -> &str {
        "tagged"
    }
    fn impl_type(&self) -> SqlType {
        SqlType::Text
    }
    fn cache_key(&self) -> String {
        self.0.to_owned()
    }
    fn process_bind_param(&self, value: Value) -> Result<Value, BoxError> {
        Ok(match value {
            Value::Text(s) => Value::Text(format!("{}:{s}", self.0)),
            other => other,
        })
    }
    fn process_result_value(&self, value: Value) -> Result<Value, BoxError> {
        Ok(match value {
            Value::Text(s) => {
                let bare = s.split_once(':').map_or(s.as_str(), |(_, rest)| rest);
                Value::Text(format!("{bare}!{}", self.0))
            }
            other => other,
        })
    }
}

fn items(tag: &'static str) -> Table {
    Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("v", SqlType::custom(Tagged(tag))))
}

fn setup(engine: &Engine) {
    let mut conn = engine.connect().unwrap();
    conn.execute(
        text("CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)"),
        (),
    )
    .unwrap();
    conn.execute(
        text("INSERT INTO items (id, v) VALUES (1, 'a:x'), (2, 'b:x'), (3, 'a:y')"),
        (),
    )
    .unwrap();
    conn.commit().unwrap();
}

/// The (id, v) rows of `t` whose `v` is `value` as `t`'s type binds it.
fn find(conn: &mut Connection, t: &Table, value: &str) -> Vec<(i64, String)> {
    conn.execute(
        select([t.c("id"), t.c("v")])
            .filter(t.c("v").eq(value.to_owned()))
            .order_by(t.c("id")),
        (),
    )
    .unwrap()
    .all()
    .unwrap()
    .iter()
    .map(|r| (r.get("id").unwrap(), r.get("v").unwrap()))
    .collect()
}

fn decorators_never_share_an_entry_and_hits_convert(db: &TestDb) {
    let engine = Engine::builder(&db.url()).build().unwrap();
    setup(&engine);
    let mut conn = engine.connect().unwrap();
    let (a, b) = (items("a"), items("b"));
    let before = engine.cache_stats();
    assert_eq!(find(&mut conn, &a, "x"), [(1, "x!a".to_owned())]);
    let after_a = engine.cache_stats();
    assert_eq!(after_a.misses, before.misses + 1);
    // The same shape with the other decorator: an entry of its own, converting its way.
    assert_eq!(find(&mut conn, &b, "x"), [(2, "x!b".to_owned())]);
    let after_b = engine.cache_stats();
    assert_eq!(after_b.misses, after_a.misses + 1);
    assert_eq!(after_b.hits, after_a.hits);
    // Found in the cache, with another value: bound and read through the type.
    assert_eq!(find(&mut conn, &a, "y"), [(3, "y!a".to_owned())]);
    assert_eq!(find(&mut conn, &b, "x"), [(2, "x!b".to_owned())]);
    let after_hits = engine.cache_stats();
    assert_eq!(after_hits.hits, after_b.hits + 2);
    assert_eq!(after_hits.misses, after_b.misses);
    // Prepared: the values given at each execution are converted; rows read in place too.
    let by_v = engine
        .prepare(
            select([a.c("id"), a.c("v")])
                .filter(a.c("v").eq(bindparam("v")))
                .order_by(a.c("id")),
        )
        .unwrap();
    assert!(by_v.is_compiled());
    let got: (i64, String) = conn
        .query_row(&by_v, params! { "v" => "y" }, |row| {
            Ok((row.get("id")?, row.get("v")?))
        })
        .unwrap();
    assert_eq!(got, (3, "y!a".to_owned()));
    let rows = conn
        .execute(&by_v, params! { "v" => "x" })
        .unwrap()
        .all()
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["v"], Value::from("x!a"));
    let insert_a = engine
        .prepare(insert(&a).values([("id", bindparam("id")), ("v", bindparam("v"))]))
        .unwrap();
    conn.execute(&insert_a, params! { "id" => 4, "v" => "z" })
        .unwrap();
    let stored: String = conn
        .query_row(text("SELECT v FROM items WHERE id = 4"), (), |r| r.get(0))
        .unwrap();
    assert_eq!(stored, "a:z");
}

fn a_reflected_column_takes_a_user_type(db: &TestDb) {
    let engine = Engine::builder(&db.url()).build().unwrap();
    setup(&engine);
    let mut md = MetaData::new();
    let reflected = Table::autoload("items", &mut md, &engine).unwrap();
    let t = reflected
        .clone()
        .column_type("v", SqlType::custom(Tagged("b")));
    assert_eq!(
        t.get_column("v").unwrap().sql_type,
        SqlType::custom(Tagged("b"))
    );
    let mut conn = engine.connect().unwrap();
    assert_eq!(find(&mut conn, &t, "x"), [(2, "x!b".to_owned())]);
    // An unknown column is an error when the table is used.
    let wrong = reflected.column_type("nope", SqlType::Text);
    let err = conn.execute(select(&wrong), ()).unwrap_err();
    assert!(
        matches!(err, Error::Compile(CompileError::NoSuchColumn { .. })),
        "{err:?}"
    );
}

on_every_backend!(
    decorators_never_share_an_entry_and_hits_convert,
    a_reflected_column_takes_a_user_type,
);

#[cfg(all(feature = "async", any(feature = "sqlite", feature = "postgres")))]
async fn the_async_row_stream_reads_through_user_types(db: &TestDb) {
    use futures_util::TryStreamExt;
    setup(&create_engine(&db.url()).unwrap());
    let engine = create_async_engine(&db.url()).unwrap();
    let mut conn = engine.connect().await.unwrap();
    conn.update_execution_options(|o| o.max_row_buffer(1))
        .await
        .unwrap();
    let t = items("a");
    let mut rows = conn
        .stream(select([t.c("v")]).order_by(t.c("id")), ())
        .await
        .unwrap();
    let mut read = Vec::new();
    while let Some(row) = rows.try_next().await.unwrap() {
        read.push(row.get::<String>("v").unwrap());
    }
    // Read as type "a" reads them, whatever tag they were stored with.
    assert_eq!(read, ["x!a", "x!a", "y!a"]);
}

#[cfg(all(feature = "sqlite", feature = "async"))]
#[test]
fn sqlite_the_async_row_stream_reads_through_user_types() {
    let db = TestDb::sqlite("custom_type_async_stream");
    common::engines::run(the_async_row_stream_reads_through_user_types(&db));
}

#[cfg(all(feature = "postgres", feature = "async"))]
#[test]
fn postgres_the_async_row_stream_reads_through_user_types() {
    if let Some(db) = TestDb::postgres("custom_type_async_stream") {
        common::engines::run(the_async_row_stream_reads_through_user_types(&db));
    }
}
