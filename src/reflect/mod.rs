//! Reflection: tables read back from a live database — the [`Inspector`],
//! [`Autoload::autoload`] and [`MetaDataExt::reflect`](crate::MetaDataExt::reflect).
//!
//! Each backend answers with a fixed number of catalog queries for any number of tables
//! (PostgreSQL: `pg_catalog`; SQLite: the table-valued PRAGMA functions joined to
//! `sqlite_master`, and the table's own CREATE statement parsed with sqlparser for what the
//! pragmas omit; MySQL/MariaDB: `information_schema`).

mod assemble;
mod inspector;
mod metadata;
mod mysql;
mod mysql_sequences;
mod mysql_types;
mod pg_type_names;
mod pg_types;
mod postgres;
mod sequence_defaults;
mod sqlite;

pub use inspector::{Inspector, inspect};
pub(crate) use metadata::reflect_into;
pub use metadata::{Autoload, ReflectOptions};

use crate::connection::Connection;
use crate::error::{DbError, DbErrorKind, Error, Result};
use crate::url::Backend;
use sqlcore_compiler::{
    CheckConstraint, Column, ForeignKey, Index, Params, PartitionBound, PartitionBy, PrimaryKey,
    Sequence, UniqueConstraint, Value,
};
use std::sync::Arc;

/// Which relations a name listing returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    Table,
    View,
}

/// One backend's catalog. Every method costs a fixed number of queries, whatever the number of
/// tables. Schemas are the database's own names (already translated, never "the default").
pub(crate) trait Catalog: Sync {
    /// The schema unqualified names resolve to.
    fn default_schema_name(&self, conn: &mut Connection) -> Result<String>;
    /// Every schema (PostgreSQL) or attached database (SQLite), system ones left out.
    fn schema_names(&self, conn: &mut Connection) -> Result<Vec<String>>;
    /// The names of the tables or views of `schema`, sorted.
    fn relation_names(
        &self,
        conn: &mut Connection,
        schema: &str,
        kind: Relation,
    ) -> Result<Vec<String>>;
    /// The sequences of `schema`, sorted by name (none where the database has no sequences).
    fn sequences(&self, conn: &mut Connection, schema: &str) -> Result<Vec<Sequence>> {
        let _ = (conn, schema);
        Ok(Vec::new())
    }
    /// The whole definition of each table of `schema` named in `only` (tables and views), or
    /// of every table (no views) when `only` is `None`, sorted by name.
    fn read(
        &self,
        conn: &mut Connection,
        schema: &str,
        only: Option<&[String]>,
    ) -> Result<Vec<TableParts>>;
    /// Whether the named type (enum or domain) `name` exists in `schema` (`None`: the schema
    /// new objects go to), and if so whether anything still uses it: `None` when it does not
    /// exist, or on a backend without named types.
    fn type_in_use(
        &self,
        conn: &mut Connection,
        schema: Option<&str>,
        name: &str,
    ) -> Result<Option<bool>> {
        let _ = (conn, schema, name);
        Ok(None)
    }
}

/// The catalog of a connection's backend.
pub(crate) fn catalog_of(conn: &Connection) -> &'static dyn Catalog {
    match conn.engine().url().backend() {
        Backend::PostgreSql => &postgres::PgCatalog,
        Backend::Sqlite => &sqlite::SqliteCatalog,
        Backend::MySql | Backend::MariaDb => &mysql::MySqlCatalog,
    }
}

/// A table as a catalog describes it, before it becomes a [`Table`](sqlcore_compiler::Table).
#[derive(Debug, Default)]
pub(crate) struct TableParts {
    pub name: String,
    pub comment: Option<String>,
    pub columns: Vec<ColumnParts>,
    pub primary_key: PrimaryKey,
    /// Referred schemas are the database's names (`Some` always).
    pub foreign_keys: Vec<ForeignKey>,
    pub unique_constraints: Vec<UniqueConstraint>,
    pub check_constraints: Vec<CheckConstraint>,
    pub indexes: Vec<Index>,
    /// The partition key of a partitioned table.
    pub partition_by: Option<PartitionBy>,
    /// The parent and bound of a partition.
    pub partition_of: Option<PartitionParts>,
}

/// A partition's parent, by the database's schema name, and its bound.
#[derive(Debug)]
pub(crate) struct PartitionParts {
    pub parent_schema: String,
    pub parent: String,
    pub bound: PartitionBound,
}

/// A column, with whether the database generates its values (serial, identity, rowid alias).
/// An explicit `Autoincrement::Yes` (identity, SQLite's AUTOINCREMENT) is already set on it.
#[derive(Debug)]
pub(crate) struct ColumnParts {
    pub column: Column,
    pub generated: bool,
    /// The sequence a `nextval(...)` default draws from when the column does not own it,
    /// its schema the database's name.
    pub sequence: Option<Sequence>,
}

fn unexpected(what: &str, value: &Value) -> Error {
    Error::Db(DbError::new(
        DbErrorKind::Interface,
        format!("unexpected catalog value for {what}: {value:?}"),
    ))
}

/// Reading catalog rows, whose values come back as the backend stores them.
pub(crate) mod read {
    use super::*;

    pub fn text<'v>(v: &'v Value, what: &str) -> Result<&'v str> {
        match v {
            Value::Text(s) => Ok(s),
            other => Err(unexpected(what, other)),
        }
    }

    pub fn opt_text<'v>(v: &'v Value, what: &str) -> Result<Option<&'v str>> {
        match v {
            Value::Null => Ok(None),
            other => text(other, what).map(Some),
        }
    }

    pub fn int(v: &Value, what: &str) -> Result<i64> {
        match v {
            Value::I16(n) => Ok(i64::from(*n)),
            Value::I32(n) => Ok(i64::from(*n)),
            Value::I64(n) => Ok(*n),
            other => Err(unexpected(what, other)),
        }
    }

    pub fn opt_int(v: &Value, what: &str) -> Result<Option<i64>> {
        match v {
            Value::Null => Ok(None),
            other => int(other, what).map(Some),
        }
    }

    pub fn flag(v: &Value, what: &str) -> Result<bool> {
        match v {
            Value::Bool(b) => Ok(*b),
            other => int(other, what).map(|n| n != 0),
        }
    }

    pub fn names(v: &Value, what: &str) -> Result<Vec<Arc<str>>> {
        match v {
            Value::Array(items) => items.iter().map(|i| text(i, what).map(Arc::from)).collect(),
            other => Err(unexpected(what, other)),
        }
    }
}

/// `:schema`, and `:only` as a JSON array of the names asked for (NULL for every table): the
/// parameters of the catalogs whose SQL reads a name list from JSON (SQLite, MySQL).
pub(crate) fn schema_and_json_names(schema: &str, only: Option<&[String]>) -> Params {
    let mut params = Params::with_capacity(2);
    params.insert("schema", schema);
    params.insert(
        "only",
        match only {
            Some(names) => Value::Text(serde_json::Value::from(names.to_vec()).to_string()),
            None => Value::Null,
        },
    );
    params
}

/// A type name split into its lower-cased words, its `(n[, m])` arguments and what follows
/// them (`[]`, ` with time zone`): `"NUMERIC(10, 2)"` → `("numeric", [10, 2], "")`.
pub(crate) fn split_type_name(name: &str) -> (String, Vec<u32>, &str) {
    let name = name.trim();
    let Some(open) = name.find('(') else {
        let end = name.find('[').unwrap_or(name.len());
        return (
            name[..end].trim().to_ascii_lowercase(),
            Vec::new(),
            &name[end..],
        );
    };
    let base = name[..open].trim().to_ascii_lowercase();
    let Some(close) = name[open..].find(')').map(|i| open + i) else {
        return (name.to_ascii_lowercase(), Vec::new(), "");
    };
    let args: Option<Vec<u32>> = name[open + 1..close]
        .split(',')
        .map(|a| a.trim().parse().ok())
        .collect();
    match args {
        Some(args) => (base, args, &name[close + 1..]),
        None => (name.to_ascii_lowercase(), Vec::new(), ""),
    }
}

#[cfg(test)]
mod tests {
    use super::split_type_name;

    #[test]
    fn type_names_split() {
        assert_eq!(
            split_type_name("NUMERIC(10, 2)"),
            ("numeric".into(), vec![10, 2], "")
        );
        assert_eq!(
            split_type_name("character varying(20)"),
            ("character varying".into(), vec![20], "")
        );
        assert_eq!(
            split_type_name("integer[]"),
            ("integer".into(), vec![], "[]")
        );
        assert_eq!(
            split_type_name("timestamp(3) with time zone"),
            ("timestamp".into(), vec![3], " with time zone")
        );
        assert_eq!(split_type_name(" Text "), ("text".into(), vec![], ""));
        assert_eq!(split_type_name("x(a)"), ("x(a)".into(), vec![], ""));
    }
}
