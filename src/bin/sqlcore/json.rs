//! `--format json`: a stable description of the reflected tables.
//!
//! ```text
//! { "format": "sqlcore-schema/1", "backend": "postgresql", "dialect": "postgresql",
//!   "tables": [ { "schema": null | "s", "name": "t", "comment": null | "…",
//!     "columns": [ { "name", "type" (sqlcore's SqlType), "sql_type" (the dialect's name),
//!                    "nullable", "primary_key", "identity" (bool), "autoincrement" ("auto":
//!                    SQLAlchemy's, generated for a sole integer primary key, "yes" or "no"),
//!                    "default" (SQL text or null), "computed" (SQL or null), "comment" } ],
//!     "primary_key": null | { "name", "columns" },
//!     "foreign_keys": [ { "name", "columns", "referred_schema", "referred_table",
//!                         "referred_columns", "on_delete", "on_update" } ],
//!     "indexes": [ { "name", "unique", "columns": [ { "column": c } | { "expression": sql } ],
//!                    "where": null | sql } ],
//!     "unique_constraints": [ { "name", "columns" } ],
//!     "check_constraints": [ { "name", "sql" } ] } ] }
//! ```
//!
//! Tables are sorted by schema and name; columns keep the table's order. A type the dialect
//! cannot render has a `sql_type` of null. New keys may be added; existing ones keep their
//! meaning while the format is `sqlcore-schema/1`.

use serde_json::{Value, json};
use sqlcore::{
    Autoincrement, Backend, Column, CompileError, Dialect, Expr, IndexElement, MetaData,
    ReferentialAction, ServerDefault, Table,
};

/// The JSON description, pretty-printed, ending in a newline.
pub fn describe(
    metadata: &MetaData,
    backend: Backend,
    dialect: &dyn Dialect,
) -> Result<String, CompileError> {
    let tables = crate::by_name(metadata)
        .into_iter()
        .map(|t| table(t, dialect))
        .collect::<Result<Vec<_>, _>>()?;
    let doc = json!({
        "format": "sqlcore-schema/1",
        "backend": backend_name(backend),
        "dialect": dialect.name(),
        "tables": tables,
    });
    Ok(format!("{doc:#}\n"))
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::PostgreSql => "postgresql",
        Backend::MySql => "mysql",
        Backend::MariaDb => "mariadb",
    }
}

fn table(t: &Table, dialect: &dyn Dialect) -> Result<Value, CompileError> {
    let columns = t
        .columns
        .values()
        .map(|c| column(c, dialect))
        .collect::<Result<Vec<_>, _>>()?;
    let primary_key = (!t.primary_key.columns.is_empty())
        .then(|| json!({ "name": t.primary_key.name, "columns": names(&t.primary_key.columns) }));
    let foreign_keys: Vec<Value> = t
        .foreign_keys
        .iter()
        .map(|fk| {
            json!({
                "name": fk.name,
                "columns": names(&fk.columns),
                "referred_schema": fk.referred_schema,
                "referred_table": fk.referred_table,
                "referred_columns": names(&fk.referred_columns),
                "on_delete": fk.on_delete.map(ReferentialAction::as_sql),
                "on_update": fk.on_update.map(ReferentialAction::as_sql),
            })
        })
        .collect();
    let indexes: Vec<Value> = t
        .indexes
        .iter()
        .map(|ix| {
            let elements: Vec<Value> = ix
                .elements
                .iter()
                .map(|e| match e {
                    IndexElement::Column(c) => json!({ "column": c.as_ref() }),
                    IndexElement::Expr(e) => json!({ "expression": raw_sql(e) }),
                })
                .collect();
            json!({
                "name": ix.name,
                "unique": ix.unique,
                "columns": elements,
                "where": ix.predicate.as_ref().map(raw_sql),
            })
        })
        .collect();
    let uniques: Vec<Value> = t
        .unique_constraints
        .iter()
        .map(|u| json!({ "name": u.name, "columns": names(&u.columns) }))
        .collect();
    let checks: Vec<Value> = t
        .check_constraints
        .iter()
        .map(|c| json!({ "name": c.name, "sql": c.sql }))
        .collect();
    Ok(json!({
        "schema": t.schema,
        "name": t.name,
        "comment": t.comment,
        "columns": columns,
        "primary_key": primary_key,
        "foreign_keys": foreign_keys,
        "indexes": indexes,
        "unique_constraints": uniques,
        "check_constraints": checks,
    }))
}

fn column(c: &Column, dialect: &dyn Dialect) -> Result<Value, CompileError> {
    Ok(json!({
        "name": c.name.as_ref(),
        "type": c.sql_type.to_string(),
        "sql_type": dialect.type_sql(&c.sql_type).ok(),
        "nullable": c.nullable,
        "primary_key": c.primary_key,
        "identity": c.identity.is_some(),
        "autoincrement": match c.autoincrement {
            Autoincrement::Auto => "auto",
            Autoincrement::Yes => "yes",
            Autoincrement::No => "no",
        },
        "default": default_sql(c, dialect)?,
        "computed": c.computed.as_ref().map(|g| g.sql.clone()),
        "comment": c.comment,
    }))
}

/// A column's server default as SQL text on `dialect`.
pub fn default_sql(c: &Column, dialect: &dyn Dialect) -> Result<Option<String>, CompileError> {
    Ok(match &c.server_default {
        None => None,
        Some(ServerDefault::Sql(sql)) => Some(sql.clone()),
        Some(ServerDefault::Value(v)) => Some(dialect.literal_sql(v)?),
    })
}

/// The SQL of a reflected expression (reflection gives them as raw SQL text).
fn raw_sql(e: &Expr) -> Option<&str> {
    match e {
        Expr::Raw(sql) => Some(sql),
        _ => None,
    }
}

fn names(columns: &[std::sync::Arc<str>]) -> Vec<&str> {
    columns.iter().map(AsRef::as_ref).collect()
}
