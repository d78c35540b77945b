//! `schema_translate_map` renderings, snapshotted per dialect in `snapshots/<dialect>/`
//! (`translated_*`) and parsed back with sqlparser: Core statements, an expanding IN list and
//! the DDL of `create_all`, for a map that re-targets tables without a schema, re-targets a
//! named schema, and moves a schema to none.

mod common;

use sqlcore::*;

fn shared_plans() -> Table {
    Table::new("plans")
        .schema("shared")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).not_null())
}

fn accounts() -> Table {
    Table::new("accounts")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("plan_id", SqlType::Integer).references("shared.plans.id"))
        .column(Column::new("email", SqlType::String(Some(80))).not_null())
        .index(Index::new("ix_accounts_email", ["email"]).unique())
}

fn map() -> SchemaTranslateMap {
    SchemaTranslateMap::new()
        .map(None, "tenant_7")
        .map(Some("shared"), "shared_v2")
        .map(Some("legacy"), None)
}

/// Renders `stmt` translated through [`map`] for every dialect (expanding IN lists bound),
/// parses each rendering back, and snapshots it.
fn check(case: &str, stmt: impl Into<Statement>) {
    let stmt = stmt.into();
    for (dialect, parser_dialect) in common::dialects() {
        let compiled = stmt.compile(dialect).unwrap();
        let sql = if compiled.needs_expansion() {
            compiled
                .bind_translated(&[], &Params::new(), Some((&map(), dialect)))
                .unwrap()
                .sql
                .into_owned()
        } else {
            compiled.translate(&map(), dialect).unwrap()
        };
        let parsed = sqlparser::parser::Parser::parse_sql(&*parser_dialect, &sql)
            .unwrap_or_else(|e| panic!("{case} on {}: {e}\n{sql}", dialect.name()));
        assert_eq!(parsed.len(), 1, "{sql}");
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(format!("../snapshots/{}", dialect.name()));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(format!("translated_{case}"), sql));
    }
}

#[test]
fn select_join_across_schemas() {
    let (a, p) = (accounts(), shared_plans());
    check(
        "select_join",
        select([a.c("email"), p.c("name")])
            .join(&p)
            .filter(a.c("id").in_([1, 2, 3])),
    );
}

#[test]
fn insert_update_delete() {
    let a = accounts();
    check(
        "insert",
        insert(&a).values([("id", literal(1)), ("email", literal("x@example.com"))]),
    );
    check(
        "update",
        update(&a)
            .values([("email", "y@example.com")])
            .filter(a.c("id").eq(1)),
    );
    check("delete", delete(&a).filter(a.c("id").eq(1)));
}

#[test]
fn a_schema_mapped_to_none() {
    let legacy = Table::new("old")
        .schema("legacy")
        .column(Column::new("id", SqlType::Integer));
    check("to_default_schema", select(&legacy));
}

#[test]
fn create_all_ddl() {
    let mut md = MetaData::new();
    md.add(shared_plans()).unwrap();
    md.add(accounts()).unwrap();
    for (dialect, _) in common::dialects() {
        for (i, ddl) in md
            .create_all_ddl(dialect, false)
            .unwrap()
            .into_iter()
            .enumerate()
        {
            let sql = Statement::Ddl(ddl)
                .compile(dialect)
                .unwrap()
                .translate(&map(), dialect)
                .unwrap();
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path(format!("../snapshots/{}", dialect.name()));
            settings.set_prepend_module_to_snapshot(false);
            settings.set_omit_expression(true);
            settings.bind(|| insta::assert_snapshot!(format!("translated_ddl_{i}"), sql));
        }
    }
}
