//! User types (`SqlType::Custom`, the declaring half of SQLAlchemy's `TypeDecorator`): created
//! as their implementation type, bound and read as it (one row, executemany, RETURNING),
//! filtered, on SQLite and PostgreSQL; their identity in the compiled-statement cache key.

#[macro_use]
mod common;

use common::backend::TestDb;
use sqlcore::*;

/// An e-mail address stored as VARCHAR(320).
#[derive(Debug)]
struct Email;

impl TypeDecorator for Email {
    fn name(&self) -> &str {
        "email"
    }
    fn impl_type(&self) -> SqlType {
        SqlType::String(Some(320))
    }
}

/// A money amount stored as NUMERIC(precision, 2); the precision is its cache key.
#[derive(Debug)]
struct Money(u32);

impl TypeDecorator for Money {
    fn name(&self) -> &str {
        "money"
    }
    fn impl_type(&self) -> SqlType {
        SqlType::Numeric(Some(self.0), Some(2))
    }
    fn cache_key(&self) -> String {
        self.0.to_string()
    }
}

/// Another Rust type with Email's name, stored as TEXT.
#[derive(Debug)]
struct OtherEmail;

impl TypeDecorator for OtherEmail {
    fn name(&self) -> &str {
        "email"
    }
    fn impl_type(&self) -> SqlType {
        SqlType::Text
    }
}

/// Text tagged by a key: alike in name and implementation type whatever the tag.
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
}

/// Another Rust type with Tagged's name, implementation type and key.
#[derive(Debug)]
struct Twin;

impl TypeDecorator for Twin {
    fn name(&self) -> &str {
        "tagged"
    }
    fn impl_type(&self) -> SqlType {
        SqlType::Text
    }
    fn cache_key(&self) -> String {
        "a".to_owned()
    }
}

fn accounts() -> Table {
    Table::new("accounts")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("email", SqlType::custom(Email)).not_null())
        .column(Column::new("balance", SqlType::custom(Money(10))))
}

fn custom_columns_round_trip(b: &TestDb) {
    let engine = Engine::builder(&b.url()).build().unwrap();
    let mut md = MetaData::new();
    md.add(accounts()).unwrap();
    md.create_all(&engine).unwrap();
    let t = accounts();
    let mut conn = engine.connect().unwrap();
    let cents = |n: i64| Value::Decimal(rust_decimal::Decimal::new(n, 2));
    conn.execute(
        insert(&t)
            .values(params! { "id" => 1, "email" => "a@example.com", "balance" => cents(1050) }),
        (),
    )
    .unwrap();
    conn.execute_many(
        insert(&t),
        [
            params! { "id" => 2, "email" => "b@example.com", "balance" => cents(-1) },
            params! { "id" => 3, "email" => "c@example.com", "balance" => Value::Null },
        ],
    )
    .unwrap();
    let back: Value = conn
        .execute(
            insert(&t)
                .values(params! { "id" => 4, "email" => "d@example.com", "balance" => cents(7) })
                .returning([t.c("balance")]),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(back, cents(7));
    let rows = conn
        .execute(
            select(&t)
                .filter(t.c("balance").gt(cents(0)))
                .order_by(t.c("id")),
            (),
        )
        .unwrap()
        .all()
        .unwrap();
    let got: Vec<(String, Value)> = rows
        .iter()
        .map(|r| (r.get::<String>("email").unwrap(), r["balance"].clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("a@example.com".to_owned(), cents(1050)),
            ("d@example.com".to_owned(), cents(7))
        ]
    );
    // CAST to a user type is a CAST to its implementation type.
    let n: Value = conn
        .execute(
            select([cast(literal("12.345"), SqlType::custom(Money(10))).label("m")]),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, cents(1235));
}

on_every_backend!(custom_columns_round_trip);

#[test]
fn a_user_type_renders_its_implementation_type() {
    let ddl = |d: &dyn Dialect| create_table(&accounts()).compile(d).unwrap().sql;
    assert_eq!(
        ddl(&PostgreSQL),
        "CREATE TABLE accounts (id SERIAL NOT NULL, email VARCHAR(320) NOT NULL, \
         balance NUMERIC(10, 2), PRIMARY KEY (id))"
    );
    assert_eq!(
        ddl(&SQLite),
        "CREATE TABLE accounts (id INTEGER NOT NULL PRIMARY KEY, email VARCHAR(320) NOT NULL, \
         balance NUMERIC(10, 2))"
    );
    assert_eq!(SqlType::custom(Email).to_string(), "Custom(email)");
}

#[test]
fn user_types_are_equal_and_share_a_cache_key_only_when_alike() {
    assert_eq!(SqlType::custom(Money(10)), SqlType::custom(Money(10)));
    assert_ne!(SqlType::custom(Money(10)), SqlType::custom(Money(12)));
    assert_ne!(SqlType::custom(Email), SqlType::custom(OtherEmail));
    assert_ne!(SqlType::custom(Email), SqlType::String(Some(320)));

    let stmt =
        |ty: SqlType, v: &str| -> Statement { select([cast(literal(v), ty).label("x")]).into() };
    let base = stmt(SqlType::custom(Money(10)), "1");
    let key = extract(&base, &PostgreSQL).unwrap();
    let cached = CachedCompiled::new(base.compile(&PostgreSQL).unwrap(), &key).unwrap();
    // The same type, another value: one compiled form.
    let same = stmt(SqlType::custom(Money(10)), "2");
    assert!(extract(&same, &PostgreSQL).unwrap().matches(cached.key()));
    // Another cache key, another Rust type of the same name, the implementation type itself:
    // three other shapes, although two of them render the same SQL.
    for other in [
        stmt(SqlType::custom(Money(12)), "1"),
        stmt(SqlType::custom(Email), "1"),
        stmt(SqlType::custom(OtherEmail), "1"),
        stmt(SqlType::Numeric(Some(10), Some(2)), "1"),
    ] {
        assert!(!extract(&other, &PostgreSQL).unwrap().matches(cached.key()));
    }
    // Alike in name and implementation type, rendering the same SQL: the cache key and the
    // Rust type still tell them apart.
    assert_eq!(SqlType::custom(Tagged("a")), SqlType::custom(Tagged("a")));
    assert_ne!(SqlType::custom(Tagged("a")), SqlType::custom(Tagged("b")));
    assert_ne!(SqlType::custom(Tagged("a")), SqlType::custom(Twin));
    let tagged = stmt(SqlType::custom(Tagged("a")), "1");
    let key = extract(&tagged, &PostgreSQL).unwrap();
    let cached = CachedCompiled::new(tagged.compile(&PostgreSQL).unwrap(), &key).unwrap();
    assert!(
        extract(&stmt(SqlType::custom(Tagged("a")), "2"), &PostgreSQL)
            .unwrap()
            .matches(cached.key())
    );
    for other in [SqlType::custom(Tagged("b")), SqlType::custom(Twin)] {
        assert!(
            !extract(&stmt(other, "1"), &PostgreSQL)
                .unwrap()
                .matches(cached.key())
        );
    }
    let email = stmt(SqlType::custom(Email), "1");
    let key = extract(&email, &PostgreSQL).unwrap();
    let cached = CachedCompiled::new(email.compile(&PostgreSQL).unwrap(), &key).unwrap();
    assert!(
        !extract(&stmt(SqlType::custom(OtherEmail), "1"), &PostgreSQL)
            .unwrap()
            .matches(cached.key())
    );
}

/// Text wrapped in SQL on both sides; `Broken` drops the expression it is given.
#[derive(Debug)]
struct Wrapped(bool);

impl TypeDecorator for Wrapped {
    fn name(&self) -> &str {
        "wrapped"
    }
    fn impl_type(&self) -> SqlType {
        SqlType::Text
    }
    fn cache_key(&self) -> String {
        self.0.to_string()
    }
    fn bind_expression(&self, bind: Expr) -> Option<Expr> {
        Some(if self.0 {
            lower(bind)
        } else {
            literal_column("'x'")
        })
    }
    fn column_expression(&self, column: Expr) -> Option<Expr> {
        Some(if self.0 {
            upper(column)
        } else {
            func("concat", (column.clone(), column))
        })
    }
}

#[test]
fn user_type_expressions_apply_where_sqlalchemy_applies_them() {
    let t = Table::new("w")
        .column(Column::new("id", SqlType::Integer))
        .column(Column::new("v", SqlType::custom(Wrapped(true))));
    // Not in a subquery's, an EXISTS', WHERE's or ORDER BY's columns; in a scalar subquery
    // compared with the type, around its bound value.
    let inner = select([t.c("v")]).filter(t.c("id").eq(1)).subquery("s");
    let q = select([t.c("id"), t.c("v").label("vv")])
        .filter(t.c("v").in_(select([inner.c("v")])))
        .order_by(t.c("v"));
    assert_eq!(
        q.compile(&PostgreSQL).unwrap().sql,
        "SELECT w.id, upper(w.v) AS vv FROM w WHERE w.v IN (SELECT s.v FROM (SELECT w.v FROM w \
         WHERE w.id = $1) AS s) ORDER BY w.v"
    );
    // A named parameter meeting the type, used twice: one parameter, wrapped at each place.
    let q = select([t.c("id")]).filter(or_([
        t.c("v").eq(bindparam("x")),
        t.c("id").gt(1).and(t.c("v").ne(bindparam("x"))),
    ]));
    assert_eq!(
        q.compile(&SQLite).unwrap().sql,
        "SELECT w.id FROM w WHERE w.v = lower(?1) OR w.id > ?2 AND w.v <> lower(?1)"
    );
    // Each value of an IN list inside the bind expression, on every dialect; an empty list
    // still compares with a value of the type.
    let q = select([t.c("id")]).filter(t.c("v").in_(bindparam("vs")));
    for (dialect, sql) in [
        (&PostgreSQL as &dyn Dialect, "lower($1), lower($2)"),
        (&SQLite, "lower(?1), lower(?2)"),
        (&MySQL, "lower(?), lower(?)"),
    ] {
        let compiled = q.compile(dialect).unwrap();
        let list = params! { "vs" => Value::Array(vec!["A".into(), "B".into()]) };
        assert_eq!(
            compiled.bind(&list).unwrap().sql,
            format!("SELECT w.id FROM w WHERE w.v IN ({sql})")
        );
        let empty = params! { "vs" => Value::Array(vec![]) };
        assert!(
            compiled
                .bind(&empty)
                .unwrap()
                .sql
                .ends_with("w.v IN (SELECT lower(NULL) FROM (SELECT 1) AS empty_set WHERE 1 != 1)"),
            "{}",
            dialect.name()
        );
    }
}

#[test]
fn a_user_type_expression_must_use_its_argument_once() {
    let t = Table::new("w").column(Column::new("v", SqlType::custom(Wrapped(false))));
    for stmt in [
        Statement::from(select([t.c("v")])),
        select([literal_column("1")])
            .filter(t.c("v").eq("a"))
            .into(),
    ] {
        let err = stmt.compile(&PostgreSQL).unwrap_err();
        assert!(
            err.to_string().contains("user type \"wrapped\"")
                && err.to_string().contains("exactly once"),
            "{err}"
        );
    }
}
