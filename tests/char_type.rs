//! `SqlType::Char(n)` (SQLAlchemy's `CHAR`): created, bound, read, filtered and reflected on
//! every backend. PostgreSQL keeps a `character(n)` value blank-padded and returns it so, as
//! SQLAlchemy does; MariaDB strips the padding when read; SQLite stores the text as given.

#[macro_use]
mod common;

use common::backend::TestDb;
use sqlcore::*;

fn codes() -> Table {
    Table::new("codes")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("code", SqlType::Char(Some(5))).not_null())
        .column(Column::new("flag", SqlType::Char(Some(1))))
}

fn char_columns_round_trip(b: &TestDb) {
    let engine = Engine::builder(&b.url()).build().unwrap();
    let mut md = MetaData::new();
    md.add(codes()).unwrap();
    md.create_all(&engine).unwrap();
    let t = codes();
    let mut conn = engine.connect().unwrap();
    conn.execute(
        insert(&t).values([
            ("id", literal(1)),
            ("code", literal("ab")),
            ("flag", literal("y")),
        ]),
        (),
    )
    .unwrap();
    conn.execute_many(
        insert(&t),
        [
            params! { "id" => 2, "code" => "abcde", "flag" => None::<String> },
            params! { "id" => 3, "code" => "xy", "flag" => "n" },
        ],
    )
    .unwrap();
    conn.commit().unwrap();

    // Read back: PostgreSQL pads to the declared length, MariaDB strips the padding, SQLite
    // keeps what was stored.
    let rows: Vec<(i32, String, Option<String>)> = conn
        .execute(select(&t).order_by(t.c("id")), ())
        .unwrap()
        .all()
        .unwrap()
        .iter()
        .map(|r| (r.get(0).unwrap(), r.get(1).unwrap(), r.get(2).unwrap()))
        .collect();
    let padded = |s: &str| {
        if b.is_postgres() {
            format!("{s:<5}")
        } else {
            s.to_owned()
        }
    };
    assert_eq!(
        rows,
        [
            (1, padded("ab"), Some("y".to_owned())),
            (2, "abcde".to_owned(), None),
            (3, padded("xy"), Some("n".to_owned())),
        ]
    );

    // Filtered by a bound value: on PostgreSQL the value is bound as `bpchar`, whose
    // comparison ignores trailing blanks, so the unpadded value finds the padded row.
    let id: i32 = conn
        .execute(select([t.c("id")]).filter(t.c("code").eq("xy")), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(id, 3);
    let n: i64 = conn
        .execute(
            select([count_all()]).filter(t.c("code").in_(["ab", "abcde"])),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 2);

    // Reflected as CHAR(n), not as a type of another name.
    let reflected = Table::autoload("codes", &mut MetaData::new(), &engine).unwrap();
    let types: Vec<SqlType> = reflected
        .columns
        .values()
        .map(|c| c.sql_type.clone())
        .collect();
    assert_eq!(
        types,
        [
            SqlType::Integer,
            SqlType::Char(Some(5)),
            SqlType::Char(Some(1))
        ]
    );

    // A value longer than the column: PostgreSQL and MariaDB (strict mode) refuse it, SQLite
    // stores it.
    let long = conn.execute(
        insert(&t).values([("id", literal(4)), ("code", literal("abcdef"))]),
        (),
    );
    if b.is_postgres() || b.is_mysql() {
        let err = long.unwrap_err();
        let sqlstate = err.as_db_error().and_then(|e| e.sqlstate.clone());
        assert_eq!(sqlstate.as_deref(), Some("22001"), "{err}");
    } else {
        long.unwrap();
    }
}

on_every_backend!(char_columns_round_trip);

#[test]
fn char_renders_on_every_dialect() {
    let t = codes().column(Column::new("one", SqlType::Char(None)));
    let ddl = create_table(&t);
    for (dialect, expected) in [
        (&PostgreSQL as &dyn Dialect, "CHAR(5)"),
        (&SQLite, "CHAR(5)"),
        (&MySQL, "CHAR(5)"),
    ] {
        let sql = ddl.compile(dialect).unwrap().sql;
        assert!(sql.contains(&format!("code {expected} NOT NULL")), "{sql}");
        assert!(
            sql.contains("one CHAR") && !sql.contains("one CHAR("),
            "{sql}"
        );
    }
    assert_eq!(SqlType::Char(Some(5)).to_string(), "Char(5)");
    assert!(SqlType::Char(None).is_string());
    // A CAST to CHAR(n) on MySQL, whose CAST takes few types.
    let cast = select([cast(literal("abc"), SqlType::Char(Some(2))).label("c")]);
    assert_eq!(
        cast.compile(&MySQL).unwrap().sql,
        "SELECT CAST(? AS CHAR(2)) AS c"
    );
    assert_eq!(
        cast.compile(&PostgreSQL).unwrap().sql,
        "SELECT CAST($1 AS CHAR(2)) AS c"
    );
}
