//! PostgreSQL types sqlcore has no value kind for are read as the text PostgreSQL prints for
//! them: each value read through sqlcore equals the server's own output of it (tsvector,
//! tsquery, inet, cidr, macaddr, bit strings, pg_lsn, timetz, point, xml, jsonpath, ranges, and
//! the citext / hstore / ltree extensions), `money` reads as a decimal, and a type none of
//! these covers is an error that says to cast it — never the wire's bytes.
#![cfg(feature = "postgres")]

mod common;

use sqlcore::*;

/// A database of its own (the extensions are created in it), dropped at the end.
struct Database {
    name: String,
}

impl Database {
    fn new(test: &str) -> Option<Self> {
        let mut admin = common::pg::connect()?;
        let name = format!("sqlcore_{test}_{}", std::process::id());
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        Some(Database { name })
    }

    fn url(&self) -> String {
        let base = common::pg::url();
        let (server, _) = base.rsplit_once('/').unwrap();
        format!("{server}/{}?options=-c%20TimeZone%3DUTC", self.name)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some(mut admin) = common::pg::connect() {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// Each expression's value read through sqlcore, beside the server's text of it.
fn read_as_text(conn: &mut Connection, exprs: &[&str]) {
    for expr in exprs {
        let row = conn
            .execute(
                text(&format!(
                    "SELECT v, format('%s', v) AS t FROM (SELECT {expr} AS v) AS s"
                )),
                (),
            )
            .unwrap_or_else(|e| panic!("{expr}: {e}"))
            .one()
            .unwrap();
        let read: String = row.get(0).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let server: String = row.get(1).unwrap();
        assert_eq!(read, server, "{expr}");
    }
}

#[test]
fn types_without_a_value_kind_read_as_their_text() {
    let Some(db) = Database::new("pg_text_builtin") else {
        return;
    };
    let engine = create_engine(&db.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    read_as_text(
        &mut conn,
        &[
            "to_tsvector('english', 'The fat rats ate the fat cat''s food')",
            "'a:1A,2B b:3C c d:4'::tsvector",
            r"$$'it''s' 'back\\slash' 'two words'$$::tsvector",
            "''::tsvector",
            "'a & b'::tsquery",
            "'a | b & c'::tsquery",
            "'(a | b) & c'::tsquery",
            "'a & (b | c) & !d'::tsquery",
            "'!a'::tsquery",
            "'!(a & b)'::tsquery",
            "'a <-> b'::tsquery",
            "'a <2> (b <-> c)'::tsquery",
            "'(a <-> b) <-> c'::tsquery",
            "'a <-> (b & c)'::tsquery",
            "'super:*AB & nova:C'::tsquery",
            "to_tsquery('english', 'fat & (rat | cat)')",
            "'192.168.1.5'::inet",
            "'192.168.1.5/24'::inet",
            "'10.0.0.0/8'::cidr",
            "'::1'::inet",
            "'2001:db8::/32'::cidr",
            "'::ffff:1.2.3.4'::inet",
            "'08:00:2b:01:02:03'::macaddr",
            "'08:00:2b:01:02:03:04:05'::macaddr8",
            "B'1010'::bit(4)",
            "B'101100111'::varbit",
            "''::varbit",
            "'16/B374D848'::pg_lsn",
            "'12:30:15.5+02'::timetz",
            "'04:05:06-08:30'::timetz",
            "'00:00:00+00'::timetz",
            "point(1.5, -2)",
            "'<a href=\"x\">b &amp; c</a>'::xml",
            "'$.a[*] ? (@ > 1)'::jsonpath",
            "int4range(1, 5)",
            "'[1,5]'::int4range",
            "'empty'::int4range",
            "int8range(NULL, 3)",
            "numrange(1.5, 2.25, '[]')",
            "daterange('2024-01-01', '2024-02-01')",
            "tsrange('2024-01-01 00:00', '2024-01-02 12:30')",
            "tstzrange('2024-01-01 00:00+00', NULL)",
        ],
    );
    let cents: rust_decimal::Decimal = conn
        .execute(text("SELECT '12.34'::money"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(cents, rust_decimal::Decimal::new(1234, 2));
    // OID aliases read as their number.
    let row = conn
        .execute(
            text("SELECT 'pg_class'::regclass, 'pg_class'::regclass::oid::bigint"),
            (),
        )
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row.get::<i64>(0).unwrap(), row.get::<i64>(1).unwrap());
    // Arrays and domains of these types read the same way.
    let lexemes: Vec<Value> = conn
        .execute(text("SELECT ARRAY['a:1'::tsvector, 'b'::tsvector]"), ())
        .unwrap()
        .one()
        .unwrap()
        .get::<Value>(0)
        .map(|v| match v {
            Value::Array(items) => items,
            other => panic!("{other:?}"),
        })
        .unwrap();
    assert_eq!(lexemes, [Value::from("'a':1"), Value::from("'b'")]);
}

#[test]
fn extension_types_read_as_their_text() {
    let Some(db) = Database::new("pg_text_extensions") else {
        return;
    };
    let engine = create_engine(&db.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    for ext in ["citext", "hstore", "ltree"] {
        conn.execute(text(&format!("CREATE EXTENSION {ext}")), ())
            .unwrap();
    }
    conn.commit().unwrap();
    read_as_text(
        &mut conn,
        &[
            "'MiXeD Case'::citext",
            r#"'a=>1, "b c"=>NULL, "q\"uote"=>"x\\y"'::hstore"#,
            "''::hstore",
            "'Top.Science.Astronomy'::ltree",
            "'*.Astronomy.*'::lquery",
        ],
    );
}

#[test]
fn a_type_without_a_reading_is_an_error_that_says_to_cast() {
    let Some(db) = Database::new("pg_text_unread") else {
        return;
    };
    let engine = create_engine(&db.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let err = conn
        .execute(text("SELECT '((1,2),(3,4))'::box"), ())
        .and_then(|r| r.scalar_one::<Value>())
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("box") && message.contains("::text"),
        "{message}"
    );
    // Cast, it reads.
    let boxed: String = conn
        .execute(text("SELECT '((1,2),(3,4))'::box::text"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(boxed, "(3,4),(1,2)");
}
