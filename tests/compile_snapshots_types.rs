//! Enums and domains, snapshotted per dialect in `snapshots/<dialect>/types_*` and parsed back
//! with sqlparser: the DDL of `create_all` and `drop_all` (also through a
//! `schema_translate_map`), casts, and the statements that bind enum values.

mod common;

use common::named_types::{self, mood};
use sqlcore::*;
use sqlparser::parser::Parser;

fn snapshot(dialect: &dyn Dialect, name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("../snapshots/{}", dialect.name()));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(format!("types_{name}"), text));
}

/// Compiles each statement (translated through `map` if given), parses it back and
/// snapshots them all, one per line.
fn check_ddl(
    name: &str,
    statements: impl Fn(&dyn Dialect) -> Vec<Ddl>,
    map: Option<&SchemaTranslateMap>,
) {
    for (dialect, parser_dialect) in common::dialects() {
        let mut lines = Vec::new();
        for ddl in statements(dialect) {
            let compiled = Statement::Ddl(ddl).compile(dialect).unwrap();
            let sql = match map {
                Some(map) => compiled.translate(map, dialect).unwrap(),
                None => compiled.sql,
            };
            let parsed = Parser::parse_sql(&*parser_dialect, &sql)
                .unwrap_or_else(|e| panic!("{name} on {}: {e}\n{sql}", dialect.name()));
            assert_eq!(parsed.len(), 1, "{sql}");
            lines.push(sql);
        }
        snapshot(dialect, name, &lines.join(";\n"));
    }
}

#[test]
fn create_all_creates_types_first() {
    let md = named_types::metadata();
    check_ddl("create_all", |d| md.create_all_ddl(d, false).unwrap(), None);
}

#[test]
fn drop_all_drops_types_last() {
    let md = named_types::metadata();
    check_ddl("drop_all", |d| md.drop_all_ddl(d, true).unwrap(), None);
}

#[test]
fn create_all_in_a_schema_and_translated() {
    // Types without a schema of their own follow their table's schema, which the map moves.
    let mut md = MetaData::new();
    md.add(
        Table::new("people")
            .schema("app")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("feeling", SqlType::Enum(mood())))
            .column(Column::new(
                "rank",
                SqlType::Enum(EnumType::new("rank", ["a", "b"]).schema("shared")),
            ))
            .column(Column::new(
                "score",
                SqlType::Domain(named_types::positive_int()),
            )),
    )
    .unwrap();
    let map = SchemaTranslateMap::new()
        .map(Some("app"), "tenant_7")
        .map(Some("shared"), "shared_v2");
    check_ddl(
        "create_all_schema",
        |d| md.create_all_ddl(d, false).unwrap(),
        None,
    );
    check_ddl(
        "create_all_translated",
        |d| md.create_all_ddl(d, false).unwrap(),
        Some(&map),
    );
}

/// A CAST to an enum or a domain names the type on PostgreSQL (with a schema token) and the
/// storage type elsewhere.
#[test]
fn casts_to_named_types() {
    let stmt = select([
        cast(literal("happy"), SqlType::Enum(mood())).label("m"),
        cast(literal(3), SqlType::Domain(named_types::positive_int())).label("n"),
    ]);
    for (dialect, parser_dialect) in common::dialects() {
        let compiled = stmt.compile(dialect).unwrap();
        Parser::parse_sql(&*parser_dialect, &compiled.sql).unwrap();
        let translated = compiled
            .translate(&SchemaTranslateMap::new().map(None, "t1"), dialect)
            .unwrap();
        snapshot(
            dialect,
            "cast",
            &format!("{}\n-- translated: {translated}", compiled.sql),
        );
    }
}

/// Statements binding enum values: INSERT, WHERE =, IN and UPDATE; their values are checked.
#[test]
fn statements_binding_enum_values() {
    let md = named_types::metadata();
    let people = md.table("people").unwrap();
    let statements: Vec<(&str, Statement)> = vec![
        (
            "insert",
            insert(people)
                .values(params! {"id" => 1, "name" => "Ann", "feeling" => "happy", "prio" => "low"})
                .into(),
        ),
        (
            "where",
            select(people).filter(people.c("feeling").eq("ok")).into(),
        ),
        (
            "in",
            select(people)
                .filter(people.c("feeling").in_(["ok", "happy"]))
                .into(),
        ),
        (
            "update",
            update(people)
                .values([("prio", "urgent")])
                .filter(people.c("feeling").eq("sad"))
                .into(),
        ),
    ];
    for (dialect, parser_dialect) in common::dialects() {
        let mut out = Vec::new();
        for (case, stmt) in &statements {
            let compiled = stmt.compile(dialect).unwrap();
            let bound = compiled.bind(&Params::new()).unwrap();
            Parser::parse_sql(&*parser_dialect, &bound.sql)
                .unwrap_or_else(|e| panic!("{case} on {}: {e}\n{}", dialect.name(), bound.sql));
            out.push(format!(
                "-- {case}\n{}\n-- params: {:?}",
                bound.sql, bound.values
            ));
        }
        snapshot(dialect, "dml", &out.join("\n"));
    }
}

#[test]
fn a_value_outside_the_enum_is_refused_before_binding() {
    let md = named_types::metadata();
    let people = md.table("people").unwrap();
    for (dialect, _) in common::dialects() {
        let err = select(people)
            .filter(people.c("feeling").eq("meh"))
            .compile(dialect)
            .unwrap()
            .bind(&Params::new())
            .unwrap_err();
        assert!(
            matches!(&err, CompileError::InvalidEnumValue { type_name, value, .. } if type_name == "mood" && value == "\"meh\""),
            "{err:?}"
        );
        // In a list, and as a named parameter.
        let err = select(people)
            .filter(people.c("feeling").in_(["ok", "fine"]))
            .compile(dialect)
            .unwrap()
            .bind(&Params::new())
            .unwrap_err();
        assert!(
            matches!(err, CompileError::InvalidEnumValue { .. }),
            "{err:?}"
        );
        let compiled = select(people)
            .filter(people.c("feeling").eq(bindparam("f")))
            .compile(dialect)
            .unwrap();
        assert!(compiled.bind(&params! {"f" => "ok"}).is_ok());
        let err = compiled.bind(&params! {"f" => 3}).unwrap_err();
        assert!(
            matches!(&err, CompileError::InvalidEnumValue { value, .. } if value == "a i32 value"),
            "{err:?}"
        );
    }
}

/// The type's name and values are part of the key of the DDL that uses it: two enums that
/// differ only in their values never share a compiled CREATE.
#[test]
fn type_definitions_are_part_of_the_cache_key() {
    let a = create_type(NamedType::Enum(EnumType::new("e", ["x", "y"])), None);
    let b = create_type(NamedType::Enum(EnumType::new("e", ["x", "z"])), None);
    let (a, b) = (
        Statement::Ddl(Ddl::CreateType(a)),
        Statement::Ddl(Ddl::CreateType(b)),
    );
    let ka = extract(&a, &PostgreSQL).unwrap().to_key();
    assert!(extract(&a, &PostgreSQL).unwrap().matches(&ka));
    assert!(!extract(&b, &PostgreSQL).unwrap().matches(&ka));
    let t = |e: EnumType| {
        Statement::Ddl(Ddl::CreateTable(create_table(
            &Table::new("t").column(Column::new("c", SqlType::Enum(e))),
        )))
    };
    let kt = extract(&t(EnumType::new("e", ["x"])), &SQLite)
        .unwrap()
        .to_key();
    assert!(
        !extract(&t(EnumType::new("e", ["longer"])), &SQLite)
            .unwrap()
            .matches(&kt)
    );
    // A query binding a value to the column: the enum's values are checked by the compiled
    // form, so a table whose enum differs never shares it.
    let q = |e: EnumType| {
        let t = Table::new("t").column(Column::new("c", SqlType::Enum(e)));
        Statement::from(select(&t).filter(t.c("c").eq("x")))
    };
    let kq = extract(&q(EnumType::new("e", ["x"])), &PostgreSQL)
        .unwrap()
        .to_key();
    assert!(
        !extract(&q(EnumType::new("e", ["x", "y"])), &PostgreSQL)
            .unwrap()
            .matches(&kq)
    );
}

/// Creating or dropping a type on a dialect without it is an error naming it.
#[test]
fn named_type_ddl_is_postgresql_only() {
    let create = create_type(NamedType::Enum(mood()), None);
    let err = create.compile(&SQLite).unwrap_err();
    assert!(matches!(err, CompileError::Unsupported { .. }), "{err}");
    let drop = drop_type(NamedType::Domain(named_types::positive_int()), None);
    let err = drop.compile(&MySQL).unwrap_err();
    assert!(matches!(err, CompileError::Unsupported { .. }), "{err}");
}
