//! Bad input gives a typed error naming the problem — never a panic, never wrong SQL.

mod common;

use common::fixtures::*;
use sqlcore::*;

fn err(stmt: impl Into<Statement>) -> CompileError {
    let stmt = stmt.into();
    let e = stmt
        .compile(&PostgreSQL)
        .expect_err("expected a CompileError");
    // The same kind of error on SQLite (MySQL lacks some constructs outright).
    let other = stmt.compile(&SQLite).expect_err("expected a CompileError");
    assert_eq!(std::mem::discriminant(&other), std::mem::discriminant(&e));
    e
}

#[test]
fn unknown_column_is_reported_at_compile_time() {
    let u = users();
    assert_eq!(
        err(select([u.c("nope")])),
        CompileError::NoSuchColumn {
            source_name: "users".into(),
            column: "nope".into()
        }
    );
    assert!(matches!(
        err(select(&u).filter(u.c("id").eq(u.c("missing")))),
        CompileError::NoSuchColumn { .. }
    ));
    assert!(u.try_c("missing").is_err());
    let alias = u.alias("u2");
    assert!(
        matches!(err(select([alias.c("missing")])), CompileError::NoSuchColumn { source_name, .. } if source_name == "u2")
    );
    let sq = select([u.c("id")]).subquery("sq");
    assert!(
        matches!(err(select([sq.c("name")])), CompileError::NoSuchColumn { source_name, .. } if source_name == "sq")
    );
    assert!(matches!(
        err(insert(&u).values(params! { "nope" => 1 })),
        CompileError::NoSuchColumn { column, .. } if column == "nope"
    ));
    assert!(matches!(
        err(update(&u).values(params! { "nope" => 1 })),
        CompileError::NoSuchColumn { .. }
    ));
}

#[test]
fn inconsistent_tables_are_reported() {
    let dup = Table::new("t")
        .column(Column::new("a", SqlType::Integer))
        .column(Column::new("a", SqlType::Text));
    assert!(
        matches!(err(select(&dup)), CompileError::InvalidTable { table, reason } if table == "t" && reason.contains("twice"))
    );
    let bad_pk = Table::new("t")
        .column(Column::new("a", SqlType::Integer))
        .primary_key(["b"]);
    assert!(matches!(
        err(create_table(&bad_pk)),
        CompileError::InvalidTable { .. }
    ));
    let bad_fk = Table::new("t")
        .column(Column::new("a", SqlType::Integer))
        .foreign_key(ForeignKey::new(["x"], "users", ["id"]));
    assert!(matches!(
        bad_fk.validate(),
        Err(CompileError::InvalidTable { .. })
    ));
    let bad_ref = Table::new("t").column(Column::new("a", SqlType::Integer).references("users"));
    assert!(bad_ref.validate().is_err());
    let no_columns = Table::new("empty");
    assert!(matches!(
        err(create_table(&no_columns)),
        CompileError::InvalidTable { .. }
    ));
}

#[test]
fn metadata_orders_tables_and_rejects_duplicates_and_cycles() {
    let md = metadata();
    let order: Vec<String> = md
        .sorted_tables()
        .unwrap()
        .iter()
        .map(|t| t.fullname())
        .collect();
    let pos = |name: &str| order.iter().position(|n| n == name).unwrap();
    assert!(pos("users") < pos("addresses"));
    assert!(pos("users") < pos("orders"));
    let drops: Vec<String> = md
        .drop_all_ddl(&PostgreSQL, true)
        .unwrap()
        .iter()
        .map(|d| d.compile(&PostgreSQL).unwrap().sql)
        .collect();
    let dpos = |name: &str| {
        drops
            .iter()
            .position(|s| s == &format!("DROP TABLE IF EXISTS {name}"))
            .unwrap()
    };
    assert!(dpos("addresses") < dpos("users"));

    let mut md = MetaData::new();
    md.add(users()).unwrap();
    assert_eq!(
        md.add(users()).unwrap_err(),
        CompileError::DuplicateTable {
            name: "users".into()
        }
    );

    let mut cyclic = MetaData::new();
    cyclic
        .add(Table::new("a").column(Column::new("b_id", SqlType::Integer).references("b.id")))
        .unwrap();
    cyclic
        .add(Table::new("b").column(Column::new("a_id", SqlType::Integer).references("a.id")))
        .unwrap();
    assert!(
        matches!(cyclic.sorted_tables(), Err(CompileError::DependencyCycle { tables }) if tables.len() == 2)
    );
}

#[test]
fn parameters_are_checked_when_bound() {
    let u = users();
    let compiled = select([u.c("id")])
        .filter(u.c("name").eq(bindparam("n")))
        .compile(&SQLite)
        .unwrap();
    assert_eq!(
        compiled.bind(&Params::new()).unwrap_err(),
        CompileError::MissingParameter { name: "n".into() }
    );
    let listed = select([u.c("id")])
        .filter(u.c("id").in_(bindparam("ids")))
        .compile(&SQLite)
        .unwrap();
    assert!(matches!(
        listed.bind(&params! { "ids" => 1 }),
        Err(CompileError::InvalidStatement(_))
    ));
    let both = select([u.c("id")]).filter(
        u.c("id")
            .in_(bindparam("x"))
            .or(u.c("score").eq(bindparam("x"))),
    );
    assert!(matches!(err(both), CompileError::InvalidStatement(m) if m.contains("list")));
    assert!(matches!(
        err(select([u.c("id")]).filter(u.c("id").in_(u.c("score")))),
        CompileError::InvalidStatement(_)
    ));
}

#[test]
fn malformed_statements_are_errors() {
    let u = users();
    assert!(matches!(
        err(select(Vec::<Expr>::new())),
        CompileError::InvalidStatement(_)
    ));
    assert!(matches!(
        err(update(&u).filter(u.c("id").eq(1))),
        CompileError::InvalidStatement(_)
    ));
    let ragged = insert(&u).values_many([params! { "name" => "a" }, params! { "fullname" => "b" }]);
    assert!(matches!(err(ragged), CompileError::InvalidStatement(m) if m.contains("row 2")));
    let no_target = insert(&kv())
        .values(params! { "k" => "a" })
        .on_conflict_do_update(Vec::<&str>::new(), [("v", excluded("v"))]);
    assert!(matches!(err(no_target), CompileError::InvalidStatement(_)));
    assert!(matches!(
        err(select([literal(1)]).join(&u)),
        CompileError::InvalidStatement(_)
    ));
    let (a, o) = (addresses(), orders());
    let multi = delete(&a).filter(a.c("user_id").eq(o.c("user_id")));
    // DELETE ... USING exists on PostgreSQL and MySQL only.
    assert!(multi.compile(&PostgreSQL).is_ok());
    assert!(matches!(
        multi.compile(&SQLite),
        Err(CompileError::Unsupported { .. })
    ));
    let both_correlated = select([u.c("id")]).filter(exists(
        select([u.c("id")]).filter(u.c("id").eq(u.c("score"))),
    ));
    // One FROM element: not correlated (as SQLAlchemy), so this compiles.
    assert!(both_correlated.compile(&PostgreSQL).is_ok());
}

#[test]
fn unsupported_constructs_name_the_construct_and_dialect() {
    let u = users();
    let e = select([u.c("id")])
        .distinct_on([u.c("name")])
        .compile(&SQLite)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "DISTINCT ON is not supported by the sqlite dialect"
    );
    let e = insert(&u)
        .values(params! { "name" => "x" })
        .returning([u.c("id")])
        .compile(&MySQL)
        .unwrap_err();
    assert_eq!(
        e,
        CompileError::Unsupported {
            construct: "RETURNING".into(),
            dialect: "mysql"
        }
    );
    let e = create_table(&Table::new("t").column(Column::new("s", SqlType::String(None))))
        .compile(&MySQL)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "VARCHAR without a length is not supported by the mysql dialect"
    );
}

#[test]
fn compiled_statements_carry_result_columns_and_typed_slots() {
    let (u, a) = (users(), addresses());
    let c = select([u.c("id"), count(a.c("id")), u.c("name").label("who")])
        .outerjoin(&a)
        .group_by([u.c("id"), u.c("name")])
        .filter(u.c("score").gt(5))
        .compile(&PostgreSQL)
        .unwrap();
    let cols: Vec<(&str, Option<SqlType>)> = c
        .columns
        .iter()
        .map(|c| (&*c.name, c.sql_type.clone()))
        .collect();
    assert_eq!(
        cols,
        [
            ("id", Some(SqlType::Integer)),
            ("count_1", Some(SqlType::BigInteger)),
            ("who", Some(SqlType::String(Some(30))))
        ]
    );
    assert_eq!(c.params.len(), 1);
    assert_eq!(c.params[0].sql_type, Some(SqlType::Integer));
    assert_eq!(c.params[0].source, ParamSource::Literal(0));
    assert_eq!(c.literals, vec![Value::I32(5)]);

    let r = insert(&u)
        .values(params! { "name" => "x" })
        .returning([u.c("id")])
        .compile(&SQLite)
        .unwrap();
    assert_eq!(r.columns[0].name.as_ref(), "id");
}

#[test]
fn one_compiled_form_serves_every_in_list_length() {
    let u = users();
    let q = |ids: Vec<i32>| select([u.c("id")]).filter(u.c("id").in_(ids));
    for dialect in [&PostgreSQL as &dyn Dialect, &SQLite, &MySQL] {
        let one = q(vec![1]).compile(dialect).unwrap();
        let five = q(vec![1, 2, 3, 4, 5]).compile(dialect).unwrap();
        assert_eq!(one.sql, five.sql, "{}", dialect.name());
        assert_eq!(one.params, five.params, "{}", dialect.name());
    }
}

#[test]
fn type_names_with_sql_in_them_are_refused() {
    for bad in [
        "INTEGER) AS a FROM secrets UNION SELECT (password",
        "INT, is_admin BOOLEAN",
        "INT--",
        "a b(",
        "VARCHAR(10",
    ] {
        let t = Table::new("t").column(Column::new("c", SqlType::Other(bad.into())));
        assert!(create_table(&t).compile(&PostgreSQL).is_err(), "{bad}");
        let cast_sql = select([cast(t.c("c"), SqlType::Other(bad.into()))]).compile(&SQLite);
        assert!(cast_sql.is_err(), "{bad}");
    }
    for good in [
        "CIDR",
        "DOUBLE PRECISION",
        "VARCHAR(10)[]",
        "NUMERIC(10, 2)",
        "INT[3][]",
        "TIMESTAMP(3) WITH TIME ZONE",
    ] {
        let t = Table::new("t").column(Column::new("c", SqlType::Other(good.into())));
        let res = create_table(&t).compile(&PostgreSQL);
        if good == "TIMESTAMP(3) WITH TIME ZONE" {
            assert!(
                res.is_err(),
                "words after a length are not accepted: {good}"
            );
        } else {
            assert_eq!(res.unwrap().sql, format!("CREATE TABLE t (c {good})"));
        }
    }
}

#[test]
fn format_paramstyle_doubles_percent_signs() {
    let u = users();
    let c = select([(u.c("score") % 2).label("odd")])
        .filter(u.c("name").like("a%"))
        .compile(&MySQL::format())
        .unwrap();
    assert_eq!(
        c.sql,
        "SELECT users.score %% %s AS odd FROM users WHERE users.name LIKE %s"
    );
    let t = text("SELECT '100%', :p").compile(&MySQL::format()).unwrap();
    assert_eq!(t.sql, "SELECT '100%%', %s");
}

#[test]
fn compound_selects_need_two_members() {
    let u = users();
    let mut c = select([u.c("id")]).union(select([u.c("id")]));
    c.selects.clear();
    assert!(matches!(
        c.compile(&PostgreSQL),
        Err(CompileError::InvalidStatement(_))
    ));
    assert!(c.result_columns().is_err());
}

#[test]
fn postgresql_backslashes_use_escape_strings() {
    let t = Table::new("t").column(Column::new("c", SqlType::Text).server_default("a\\'b"));
    assert_eq!(
        create_table(&t).compile(&PostgreSQL).unwrap().sql,
        "CREATE TABLE t (c TEXT DEFAULT E'a\\\\''b')"
    );
    assert_eq!(
        create_table(&t).compile(&SQLite).unwrap().sql,
        "CREATE TABLE t (c TEXT DEFAULT 'a\\''b')"
    );
    assert_eq!(
        create_table(&t).compile(&MySQL).unwrap().sql,
        "CREATE TABLE t (c TEXT DEFAULT 'a\\\\''b')"
    );
}

/// A name `bytes` bytes long.
fn name_of(bytes: usize) -> String {
    "n".repeat(bytes)
}

fn too_long(result: Result<Compiled, CompileError>) -> (String, &'static str, usize, usize) {
    match result {
        Err(CompileError::IdentifierTooLong {
            identifier,
            dialect,
            length,
            max,
            unit: _,
        }) => (identifier, dialect, length, max),
        other => panic!("expected IdentifierTooLong, got {other:?}"),
    }
}

#[test]
fn identifiers_longer_than_postgresql_keeps_are_errors() {
    // PostgreSQL keeps 63 bytes of a name and silently drops the rest.
    let t = |name: &str| Table::new(name).column(Column::new("id", SqlType::Integer));
    let long = name_of(64);
    let e = create_table(&t(&long)).compile(&PostgreSQL).unwrap_err();
    assert_eq!(
        e,
        CompileError::IdentifierTooLong {
            identifier: long.clone(),
            dialect: "postgresql",
            length: 64,
            max: 63,
            unit: "bytes",
        }
    );
    let message = e.to_string();
    assert!(
        message.contains(&long) && message.contains("postgresql") && message.contains("63"),
        "{message}"
    );
    // Every statement that names the table says so (drop_all's DROP TABLE included).
    assert_eq!(too_long(drop_table(&t(&long)).compile(&PostgreSQL)).3, 63);
    assert_eq!(too_long(select(&t(&long)).compile(&PostgreSQL)).0, long);
    assert_eq!(too_long(insert(&t(&long)).compile(&PostgreSQL)).0, long);
    // 63 bytes is fine.
    let ok = name_of(63);
    let sql = create_table(&t(&ok)).compile(&PostgreSQL).unwrap().sql;
    assert_eq!(sql, format!("CREATE TABLE {ok} (id INTEGER)"));
    select(&t(&ok)).compile(&PostgreSQL).unwrap();
    drop_table(&t(&ok)).compile(&PostgreSQL).unwrap();
}

#[test]
fn postgresql_measures_names_in_bytes_and_mysql_in_characters() {
    let t = |name: &str| Table::new(name).column(Column::new("id", SqlType::Integer));
    // 32 × 'é' is 32 characters but 64 bytes.
    let accented = "é".repeat(32);
    let (identifier, dialect, length, max) = too_long(select(&t(&accented)).compile(&PostgreSQL));
    assert_eq!(
        (identifier, dialect, length, max),
        (accented.clone(), "postgresql", 64, 63)
    );
    select(&t(&format!("{}a", "é".repeat(31))))
        .compile(&PostgreSQL)
        .unwrap(); // 63 bytes
    select(&t(&accented)).compile(&MySQL).unwrap();
    // MySQL: 64 characters, however many bytes.
    select(&t(&"é".repeat(64))).compile(&MySQL).unwrap();
    select(&t(&name_of(64))).compile(&MySQL).unwrap();
    let e = select(&t(&name_of(65))).compile(&MySQL).unwrap_err();
    assert!(matches!(
        &e,
        CompileError::IdentifierTooLong {
            dialect: "mysql",
            length: 65,
            max: 64,
            unit: "characters",
            ..
        }
    ));
    assert!(e.to_string().contains("64 characters"), "{e}");
    // SQLite has no limit.
    let sql = create_table(&t(&name_of(200)))
        .compile(&SQLite)
        .unwrap()
        .sql;
    assert!(sql.contains(&name_of(200)));
    select(&t(&"é".repeat(200))).compile(&SQLite).unwrap();
}

#[test]
fn every_kind_of_identifier_is_checked() {
    let long = name_of(64);
    let base = || Table::new("t").column(Column::new("id", SqlType::Integer).primary_key());
    let wide = |col: &str| base().column(Column::new(col, SqlType::Integer));
    let cases: Vec<(&str, Statement)> = vec![
        ("column", create_table(&wide(&long)).into()),
        ("column in SELECT", select(&wide(&long)).into()),
        (
            "column in UPDATE",
            update(&wide(&long))
                .values(params! { long.clone() => 1 })
                .into(),
        ),
        ("schema", select(&base().schema(long.clone())).into()),
        ("alias", select([base().alias(long.clone()).c("id")]).into()),
        ("label", select([base().c("id").label(long.clone())]).into()),
        (
            "subquery",
            select([select(&base()).subquery(long.clone()).c("id")]).into(),
        ),
        (
            "CTE",
            select([select(&base()).cte(long.clone()).c("id")]).into(),
        ),
        (
            "index",
            create_index(&base(), &Index::new(long.clone(), ["id"])).into(),
        ),
        ("DROP INDEX", drop_index(&base(), &long).into()),
        (
            "constraint",
            create_table(&wide("u").unique(UniqueConstraint::new(["u"]).name(long.clone()))).into(),
        ),
        (
            "check constraint",
            create_table(&wide("u").check(CheckConstraint::new("u > 0").name(long.clone()))).into(),
        ),
        (
            "primary key name",
            create_table(&base().primary_key_name(long.clone())).into(),
        ),
        (
            "foreign key",
            create_table(&wide("u").foreign_key(ForeignKey::new(["u"], &long, ["id"]).name("fk")))
                .into(),
        ),
    ];
    for (what, stmt) in cases {
        let (identifier, dialect, _, max) = too_long(stmt.compile(&PostgreSQL));
        assert_eq!(
            (identifier.as_str(), dialect, max),
            (long.as_str(), "postgresql", 63),
            "{what}"
        );
        // 64 bytes of ASCII: within MySQL's 64 characters, and SQLite has no limit.
        for dialect in [&MySQL as &dyn Dialect, &SQLite] {
            if let Err(e) = stmt.compile(dialect) {
                panic!("{what} on {}: {e}", dialect.name());
            }
        }
    }
    // A schema_translate_map target is an identifier too.
    let compiled = select(&base()).compile(&PostgreSQL).unwrap();
    let map = SchemaTranslateMap::new().map(None, long.as_str());
    assert!(matches!(
        compiled.translate(&map, &PostgreSQL),
        Err(CompileError::IdentifierTooLong { .. })
    ));
}

#[test]
fn text_is_user_sql_and_not_checked() {
    let sql = format!(
        "SELECT {} FROM {} WHERE id = :id",
        name_of(100),
        name_of(200)
    );
    let compiled = text(&sql).compile(&PostgreSQL).unwrap();
    assert_eq!(compiled.sql, sql.replace(":id", "$1"));
    text(&sql).compile(&MySQL).unwrap();
}

#[test]
fn generated_names_are_shortened_not_refused() {
    // Two columns of one name: the second is labelled `name_1`, two bytes past the limit.
    let col = name_of(63);
    let a = Table::new("a").column(Column::new(col.as_str(), SqlType::Integer));
    let b = Table::new("b").column(Column::new(col.as_str(), SqlType::Integer));
    let stmt = select([a.c(&col), b.c(&col)]);
    let pg = stmt.compile(&PostgreSQL).unwrap();
    let label = PostgreSQL
        .max_identifier_length()
        .truncate(&format!("{col}_1"))
        .into_owned();
    assert_eq!(label.len(), 63);
    assert_ne!(label, col);
    assert_eq!(
        pg.sql,
        format!("SELECT a.{col}, b.{col} AS {label} FROM a, b")
    );
    // Result keys keep the full names.
    let keys: Vec<&str> = pg.columns.iter().map(|c| &*c.name).collect();
    assert_eq!(keys, [col.clone(), format!("{col}_1")]);
    // SQLite has no limit; MySQL's 64 characters leave `name_1` a character too long.
    let lite = stmt.compile(&SQLite).unwrap();
    assert!(lite.sql.contains(&format!("AS {col}_1")), "{}", lite.sql);
    let my = stmt.compile(&MySQL).unwrap();
    assert!(!my.sql.contains(&format!("{col}_1")), "{}", my.sql);

    // A subquery's generated label and the references to it agree.
    let sq = stmt.subquery("sq");
    let outer = select([sq.c(&format!("{col}_1"))])
        .filter(sq.c(&format!("{col}_1")).gt(1))
        .compile(&PostgreSQL)
        .unwrap();
    assert_eq!(outer.sql.matches(&label).count(), 3, "{}", outer.sql);
    assert!(outer.sql.contains(&format!("sq.{label}")), "{}", outer.sql);
    assert!(outer.sql.contains(&format!("AS {label}")), "{}", outer.sql);

    // The index a column's `index()` asks for is named `ix_<table>_<column>`: shortened.
    let t = Table::new(name_of(40))
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new(name_of(30), SqlType::Integer).index());
    let index_sql = |dialect: &dyn Dialect| {
        create_table_ddl(&t, dialect, false)
            .iter()
            .map(|d| d.compile(dialect).unwrap().sql)
            .find(|sql| sql.starts_with("CREATE INDEX"))
            .unwrap()
    };
    let full = format!("ix_{}_{}", name_of(40), name_of(30));
    let short = PostgreSQL
        .max_identifier_length()
        .truncate(&full)
        .into_owned();
    assert_eq!(short.len(), 63);
    assert!(index_sql(&PostgreSQL).starts_with(&format!("CREATE INDEX {short} ON ")));
    assert_eq!(index_sql(&PostgreSQL), index_sql(&PostgreSQL)); // the same every time
    assert!(index_sql(&SQLite).starts_with(&format!("CREATE INDEX {full} ON ")));
    // A user's label of that length is still an error.
    assert!(matches!(
        select([a.c(&col).label(format!("{col}_1"))]).compile(&PostgreSQL),
        Err(CompileError::IdentifierTooLong { .. })
    ));
}

#[test]
fn misused_arrays_are_reported() {
    // An array of arrays is declared with dimensions.
    let nested = Table::new("t").column(Column::new(
        "g",
        SqlType::array(SqlType::array(SqlType::Integer)),
    ));
    let e = create_table(&nested).compile(&PostgreSQL).unwrap_err();
    assert!(
        matches!(&e, CompileError::InvalidStatement(m) if m.contains("dimensions")),
        "{e}"
    );
    // set_element takes an element of a column of the updated table.
    let a = arrays();
    let e = update(&a)
        .set_element(literal(1).item(1), 2)
        .compile(&PostgreSQL)
        .unwrap_err();
    assert!(
        matches!(&e, CompileError::InvalidStatement(m) if m.contains("set_element")),
        "{e}"
    );
    // Every array construct names the dialect that has no arrays.
    for d in [&SQLite as &dyn Dialect, &MySQL] {
        for stmt in [
            Statement::from(select([a.c("id")]).filter(a.c("ints").array_contains([1]))),
            select([literal(1)])
                .filter(literal(1).eq(any_(a.c("ints"))))
                .into(),
            update(&a).set_element(a.c("ints").item(1), 5).into(),
            create_table(&a).into(),
        ] {
            let e = stmt.compile(d).unwrap_err();
            assert!(
                matches!(&e, CompileError::Unsupported { dialect, .. } if *dialect == d.name()),
                "{e}"
            );
            assert!(
                e.to_string().contains("array") || e.to_string().contains("ARRAY"),
                "{e}"
            );
        }
    }
}
