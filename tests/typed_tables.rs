//! Typed tables (`sqlcore::table!`): column handles compile to the same SQL and cache key as
//! the dynamic API, typed and dynamic parts mix in one statement, and a typed table runs on
//! every backend with both engines (created, filled with typed inserts, queried with typed
//! filters, its rows read into a `FromRow` struct).

mod common;

use common::backend::TestDb;
use common::engines::{TestConn, TestEngine};
use sqlcore::*;

sqlcore::table! {
    /// Accounts.
    accounts (id) {
        id -> Integer,
        name -> Text,
        email -> Nullable<Text>,
        balance -> Double,
        active -> Bool,
    }
}

sqlcore::table! {
    transfers (id) {
        id -> Integer,
        account_id -> Integer,
        amount -> Double,
    }
}

sqlcore::table! {
    /// A table in a schema of its own, with columns named with Rust keywords.
    analytics.events (id) {
        id -> BigInt,
        r#type -> Text,
        r#match -> Nullable<Integer>,
    }
}

#[derive(Debug, Clone, PartialEq, FromRow)]
struct Account {
    id: i64,
    name: String,
    email: Option<String>,
    balance: f64,
    active: bool,
}

fn all_dialects() -> [&'static dyn Dialect; 3] {
    [&PostgreSQL, &SQLite, &MySQL]
}

/// `typed` and `dynamic` compile alike on every dialect and share one cache key.
fn assert_same(typed: impl Into<Statement>, dynamic: impl Into<Statement>) {
    let (typed, dynamic) = (typed.into(), dynamic.into());
    for dialect in all_dialects() {
        let (a, b) = (
            typed.compile(dialect).unwrap(),
            dynamic.compile(dialect).unwrap(),
        );
        assert_eq!(
            (&a.sql, &a.params, &a.columns),
            (&b.sql, &b.params, &b.columns)
        );
        let key = extract(&dynamic, dialect).expect("a cache key").to_key();
        assert!(
            extract(&typed, dialect).expect("a cache key").matches(&key),
            "{}: the typed statement has another cache key",
            dialect.name()
        );
    }
}

#[test]
fn handles_compile_as_the_dynamic_api() {
    let t: &Table = &accounts::table;
    assert_eq!(t.name, "accounts");
    assert_same(
        select(accounts::table)
            .filter(accounts::name.eq("ed").and(accounts::balance.ge(10.5)))
            .order_by(accounts::id.desc()),
        select(t)
            .filter(t.c("name").eq("ed").and(t.c("balance").ge(10.5)))
            .order_by(t.c("id").desc()),
    );
    assert_same(
        select((accounts::id, accounts::email)).filter(
            accounts::email
                .eq(None::<&str>)
                .or(accounts::email.is_null()),
        ),
        select((t.c("id"), t.c("email")))
            .filter(t.c("email").eq(None::<&str>).or(t.c("email").is_null())),
    );
    assert_same(
        select(accounts::table).filter(accounts::id.in_([1, 2, 3])),
        select(t).filter(t.c("id").in_(vec![1, 2, 3])),
    );
    assert_same(
        typed::insert_into(accounts::table)
            .value(accounts::id, 1)
            .value(accounts::name, "ed")
            .value(accounts::email, Some("ed@example.com")),
        insert(t).values([
            ("id", Expr::from(1)),
            ("name", "ed".into()),
            ("email", Some("ed@example.com").into()),
        ]),
    );
}

/// `schema.table` places the table in the schema; `r#type` names the column `type`.
#[test]
fn schema_and_keyword_columns_compile_as_the_dynamic_api() {
    let t: &Table = &events::table;
    assert_eq!(
        (t.schema.as_deref(), t.name.as_str()),
        (Some("analytics"), "events")
    );
    assert_eq!(events::r#type.name(), "type");
    let names: Vec<&str> = t.columns.keys().map(|k| &**k).collect();
    assert_eq!(names, ["id", "type", "match"]);
    assert_eq!(t.primary_key.columns.len(), 1);
    let dynamic = Table::new("events")
        .schema("analytics")
        .column(Column::new("id", SqlType::BigInteger).primary_key())
        .column(Column::new("type", SqlType::Text).not_null())
        .column(Column::new("match", SqlType::Integer));
    assert_same(
        select(events::table).filter(events::r#type.eq("click").and(events::r#match.eq(Some(3)))),
        select(&dynamic).filter(
            dynamic
                .c("type")
                .eq("click")
                .and(dynamic.c("match").eq(Some(3))),
        ),
    );
    let sql = select(events::table)
        .filter(events::r#type.eq("click"))
        .compile(&PostgreSQL)
        .unwrap()
        .sql;
    assert!(sql.contains("FROM analytics.events"), "{sql}");
}

#[test]
fn typed_update_compiles_as_the_dynamic_one() {
    let t: &Table = &accounts::table;
    assert_same(
        typed::update_table(accounts::table)
            .set(accounts::balance, 0.0)
            .set(accounts::email, None::<String>)
            .filter(accounts::id.eq(4)),
        update(t)
            .values([
                ("balance", Expr::from(0.0)),
                ("email", None::<String>.into()),
            ])
            .filter(t.c("id").eq(4)),
    );
}

#[test]
fn typed_and_dynamic_parts_mix() {
    let t: &Table = &accounts::table;
    let x: &Table = &transfers::table;
    // A typed join condition across tables, a dynamic filter, a typed bound parameter.
    let mixed = select((accounts::name, transfers::amount))
        .select_from(t.join(x, Some(transfers::account_id.eq(accounts::id))))
        .filter(t.c("active").eq(true))
        .filter(accounts::balance.gt(bindparam("floor")));
    let dynamic = select((t.c("name"), x.c("amount")))
        .select_from(t.join(x, Some(x.c("account_id").eq(t.c("id")))))
        .filter(t.c("active").eq(true))
        .filter(t.c("balance").gt(bindparam("floor")));
    assert_same(mixed, dynamic);
}

fn account(id: i64) -> Account {
    Account {
        id,
        name: format!("account {id}"),
        email: (id % 2 == 1).then(|| format!("a{id}@example.com")),
        balance: id as f64 * 10.0,
        active: id != 3,
    }
}

async fn typed_table_end_to_end<E: TestEngine>(engine: &E, _db: &TestDb) {
    let mut conn = engine.conn().await.unwrap();
    conn.exec(create_table(&accounts::table), Params::new())
        .await
        .unwrap();
    for id in 1..=4 {
        let a = account(id);
        let stmt = typed::insert_into(accounts::table)
            .value(accounts::id, a.id)
            .value(accounts::name, a.name.as_str())
            .value(accounts::email, a.email.clone())
            .value(accounts::balance, a.balance)
            .value(accounts::active, a.active);
        assert_eq!(conn.exec(stmt, Params::new()).await.unwrap().rowcount(), 1);
    }
    conn.commit().await.unwrap();

    let rich: Vec<Account> = conn
        .exec(
            select(accounts::table)
                .filter(accounts::balance.gt(15.0).and(accounts::active.eq(true)))
                .order_by(accounts::id.asc()),
            Params::new(),
        )
        .await
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(rich, vec![account(2), account(4)]);

    let emptied = typed::update_table(accounts::table)
        .set(accounts::balance, 0.0)
        .set(accounts::email, None::<&str>)
        .filter(accounts::id.eq(1));
    assert_eq!(
        conn.exec(emptied, Params::new()).await.unwrap().rowcount(),
        1
    );
    let one: Account = conn
        .row_as(
            select(accounts::table).filter(accounts::id.eq(1)),
            Params::new(),
        )
        .await
        .unwrap();
    assert_eq!((one.balance, one.email), (0.0, None));
    conn.commit().await.unwrap();

    // The typed statement and its dynamic twin share one compiled form in the engine's cache.
    let t: &Table = &accounts::table;
    let typed_stmt =
        select(accounts::id).filter(accounts::email.is_not_null().and(accounts::name.ne("x")));
    let dynamic_stmt =
        select(t.c("id")).filter(t.c("email").is_not_null().and(t.c("name").ne("y")));
    let before = engine.cache();
    let a: Vec<(i64,)> = conn
        .exec(typed_stmt, Params::new())
        .await
        .unwrap()
        .all_as()
        .unwrap();
    let b: Vec<(i64,)> = conn
        .exec(dynamic_stmt, Params::new())
        .await
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(a.len(), b.len());
    let after = engine.cache();
    assert_eq!(
        (after.misses - before.misses, after.hits - before.hits),
        (1, 1),
        "the typed and dynamic statements should share a cache entry"
    );
}

on_both_engines!(typed_table_end_to_end);
