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
use smallvec::SmallVec;
use sqlcore_compiler::{
    CheckConstraint, Column, ForeignKey, Index, Params, PartitionBound, PartitionBy, PrimaryKey,
    Sequence, UniqueConstraint, Value, ValueRef,
};
use std::borrow::Cow;
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

/// Reading catalog rows, whose values come back as the backend stores them: as [`Value`]s of
/// a result, or as [`ValueRef`]s where the driver holds them.
pub(crate) mod read {
    use super::*;

    /// A catalog value as read.
    pub trait CatalogValue {
        /// The value, borrowed.
        fn catalog_ref(&self) -> ValueRef<'_>;
    }

    impl CatalogValue for Value {
        #[inline]
        fn catalog_ref(&self) -> ValueRef<'_> {
            ValueRef::from(self)
        }
    }

    impl CatalogValue for ValueRef<'_> {
        #[inline]
        fn catalog_ref(&self) -> ValueRef<'_> {
            match self {
                ValueRef::Text(s) => ValueRef::Text(s),
                ValueRef::Bytes(b) => ValueRef::Bytes(b),
                ValueRef::Value(v) => ValueRef::from(v.as_ref()),
                ValueRef::Null => ValueRef::Null,
                ValueRef::I64(n) => ValueRef::I64(*n),
                ValueRef::F64(f) => ValueRef::F64(*f),
            }
        }
    }

    fn unexpected_ref(what: &str, value: &ValueRef<'_>) -> Error {
        unexpected(what, &value.to_value())
    }

    #[inline]
    pub fn text<'v>(v: &'v impl CatalogValue, what: &str) -> Result<&'v str> {
        match v.catalog_ref() {
            ValueRef::Text(s) => Ok(s),
            other => Err(unexpected_ref(what, &other)),
        }
    }

    #[inline]
    pub fn opt_text<'v>(v: &'v impl CatalogValue, what: &str) -> Result<Option<&'v str>> {
        match v.catalog_ref() {
            ValueRef::Null => Ok(None),
            _ => text(v, what).map(Some),
        }
    }

    #[inline]
    pub fn int(v: &impl CatalogValue, what: &str) -> Result<i64> {
        match v.catalog_ref() {
            ValueRef::I64(n) => Ok(n),
            ValueRef::Value(value) => match value.as_ref() {
                Value::I16(n) => Ok(i64::from(*n)),
                Value::I32(n) => Ok(i64::from(*n)),
                other => Err(unexpected(what, other)),
            },
            other => Err(unexpected_ref(what, &other)),
        }
    }

    #[inline]
    pub fn opt_int(v: &impl CatalogValue, what: &str) -> Result<Option<i64>> {
        match v.catalog_ref() {
            ValueRef::Null => Ok(None),
            _ => int(v, what).map(Some),
        }
    }

    #[inline]
    pub fn flag(v: &impl CatalogValue, what: &str) -> Result<bool> {
        match v.catalog_ref() {
            ValueRef::Value(value) if matches!(value.as_ref(), Value::Bool(_)) => {
                Ok(matches!(value.as_ref(), Value::Bool(true)))
            }
            _ => int(v, what).map(|n| n != 0),
        }
    }

    pub fn names(v: &impl CatalogValue, what: &str) -> Result<Vec<Arc<str>>> {
        match v.catalog_ref() {
            ValueRef::Value(value) => match value.as_ref() {
                Value::Array(items) => items.iter().map(|i| text(i, what).map(Arc::from)).collect(),
                other => Err(unexpected(what, other)),
            },
            other => Err(unexpected_ref(what, &other)),
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
/// them (`[]`, ` with time zone`): `"NUMERIC(10, 2)"` → `("numeric", [10, 2], "")`. A name
/// in lower case already is not copied.
pub(crate) fn split_type_name(name: &str) -> (Cow<'_, str>, SmallVec<[u32; 2]>, &str) {
    fn lower(s: &str) -> Cow<'_, str> {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(s.to_ascii_lowercase())
        } else {
            Cow::Borrowed(s)
        }
    }
    let name = name.trim();
    let bytes = name.as_bytes();
    let find = |from: usize, byte: u8| {
        bytes[from..]
            .iter()
            .position(|&b| b == byte)
            .map(|i| from + i)
    };
    let Some(open) = find(0, b'(') else {
        let end = find(0, b'[').unwrap_or(name.len());
        return (lower(name[..end].trim()), SmallVec::new(), &name[end..]);
    };
    let Some(close) = find(open, b')') else {
        return (lower(name), SmallVec::new(), "");
    };
    let args: Option<SmallVec<[u32; 2]>> = name[open + 1..close]
        .split(',')
        .map(|a| a.trim().parse().ok())
        .collect();
    match args {
        Some(args) => (lower(name[..open].trim()), args, &name[close + 1..]),
        None => (lower(name), SmallVec::new(), ""),
    }
}

#[cfg(test)]
mod tests {
    use super::split_type_name;

    #[test]
    fn type_names_split() {
        let split = |name| {
            let (base, args, rest) = split_type_name(name);
            (base.into_owned(), args.to_vec(), rest)
        };
        assert_eq!(split("NUMERIC(10, 2)"), ("numeric".into(), vec![10, 2], ""));
        assert_eq!(
            split("character varying(20)"),
            ("character varying".into(), vec![20], "")
        );
        assert_eq!(split("integer[]"), ("integer".into(), vec![], "[]"));
        assert_eq!(
            split("timestamp(3) with time zone"),
            ("timestamp".into(), vec![3], " with time zone")
        );
        assert_eq!(split(" Text "), ("text".into(), vec![], ""));
        assert_eq!(split("x(a)"), ("x(a)".into(), vec![], ""));
        assert!(matches!(
            split_type_name("text").0,
            std::borrow::Cow::Borrowed("text")
        ));
    }
}
