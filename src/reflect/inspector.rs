//! [`Inspector`]: what a database holds — schemas, tables, views and each table's definition.

use super::assemble::{Naming, table};
use super::{Catalog, Relation, catalog_of};
use crate::connection::Connection;
use crate::ddl::Bind;
use crate::error::{Error, Result};
use sqlcore_compiler::{
    CheckConstraint, Column, ForeignKey, Index, PrimaryKey, Sequence, Table, UniqueConstraint,
};
use std::collections::HashMap;

enum Held<'a> {
    Owned(Box<Connection>),
    Borrowed(&'a mut Connection),
}

/// Reads schemas, tables and their definitions from a database (SQLAlchemy's `Inspector`).
///
/// Tables come back as [`Table`]s, ready for every builder. A connection's
/// `schema_translate_map` applies: the inspector reads the translated schema and names the
/// tables with the schema as asked. Reflected tables are remembered until
/// [`Inspector::clear_cache`], so asking for a table's columns, then its indexes, queries once.
///
/// ```
/// use sqlcore::*;
/// let engine = create_engine("sqlite://")?;
/// let mut conn = engine.connect()?;
/// conn.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL)"), ())?;
/// let mut inspector = inspect(&mut conn)?;
/// assert_eq!(inspector.table_names(None)?, ["users"]);
/// let columns = inspector.columns("users", None)?;
/// assert_eq!(columns[1].sql_type, SqlType::String(Some(30)));
/// assert!(!columns[1].nullable);
/// assert!(matches!(inspector.columns("nope", None), Err(Error::NoSuchTable { .. })));
/// # Ok::<(), Error>(())
/// ```
pub struct Inspector<'a> {
    conn: Held<'a>,
    catalog: &'static dyn Catalog,
    default_schema: Option<String>,
    tables: HashMap<(Option<String>, String), Table>,
}

/// An [`Inspector`] on an engine (on a connection of its own) or on an open connection.
pub fn inspect<'a>(bind: impl Into<Bind<'a>>) -> Result<Inspector<'a>> {
    Inspector::new(bind)
}

impl<'a> Inspector<'a> {
    /// An inspector on an engine (on a connection of its own) or on an open connection.
    pub fn new(bind: impl Into<Bind<'a>>) -> Result<Self> {
        let conn = match bind.into() {
            Bind::Engine(engine) => Held::Owned(Box::new(engine.connect()?)),
            Bind::Connection(conn) => Held::Borrowed(conn),
        };
        let catalog = match &conn {
            Held::Owned(conn) => catalog_of(conn),
            Held::Borrowed(conn) => catalog_of(conn),
        };
        Ok(Inspector {
            conn,
            catalog,
            default_schema: None,
            tables: HashMap::new(),
        })
    }

    fn conn(&mut self) -> &mut Connection {
        match &mut self.conn {
            Held::Owned(conn) => conn,
            Held::Borrowed(conn) => conn,
        }
    }

    /// The schema unqualified names resolve to (PostgreSQL's `current_schema()`, SQLite's
    /// `main`).
    pub fn default_schema_name(&mut self) -> Result<String> {
        if let Some(name) = &self.default_schema {
            return Ok(name.clone());
        }
        let catalog = self.catalog;
        let name = catalog.default_schema_name(self.conn())?;
        self.default_schema = Some(name.clone());
        Ok(name)
    }

    /// The database schema a table of `schema` lives in: translated by the connection's
    /// `schema_translate_map`, and the default schema for `None`.
    fn read_schema(&mut self, schema: Option<&str>) -> Result<String> {
        let map = self
            .conn()
            .get_execution_options()
            .schema_translate_map
            .clone();
        let target = match &map {
            Some(map) => map.effective(schema),
            None => schema,
        };
        match target {
            Some(s) => Ok(s.to_owned()),
            None => self.default_schema_name(),
        }
    }

    /// The schemas (PostgreSQL) or attached databases (SQLite), without system ones.
    pub fn schema_names(&mut self) -> Result<Vec<String>> {
        let catalog = self.catalog;
        catalog.schema_names(self.conn())
    }

    /// The tables of `schema` (`None`: the default schema), sorted by name.
    pub fn table_names(&mut self, schema: Option<&str>) -> Result<Vec<String>> {
        let read = self.read_schema(schema)?;
        let catalog = self.catalog;
        catalog.relation_names(self.conn(), &read, Relation::Table)
    }

    /// The views of `schema`, sorted by name (materialized views included on PostgreSQL).
    pub fn view_names(&mut self, schema: Option<&str>) -> Result<Vec<String>> {
        let read = self.read_schema(schema)?;
        let catalog = self.catalog;
        catalog.relation_names(self.conn(), &read, Relation::View)
    }

    /// The sequences of `schema` (`None`: the default schema), sorted by name (SQLAlchemy's
    /// `get_sequence_names`): every sequence, those behind SERIAL and identity columns
    /// included. Empty on SQLite, which has no sequences. One query.
    pub fn sequence_names(&mut self, schema: Option<&str>) -> Result<Vec<String>> {
        Ok(self
            .sequences(schema)?
            .into_iter()
            .map(|s| s.name.to_string())
            .collect())
    }

    /// The sequences of `schema` with their options (start, increment, min, max, cycle,
    /// cache), sorted by name; each carries `schema` as given. One query.
    pub fn sequences(&mut self, schema: Option<&str>) -> Result<Vec<Sequence>> {
        let read = self.read_schema(schema)?;
        let catalog = self.catalog;
        let mut out = catalog.sequences(self.conn(), &read)?;
        for seq in &mut out {
            seq.schema = schema.map(Into::into);
        }
        Ok(out)
    }

    /// Whether `schema` has a table or view named `name`.
    pub fn has_table(&mut self, name: &str, schema: Option<&str>) -> Result<bool> {
        match self.reflect_table(name, schema) {
            Ok(_) => Ok(true),
            Err(Error::NoSuchTable { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The bulk form (SQLAlchemy's `get_multi_*`): the whole definition of every table of
    /// `schema`, or of the tables and views named in `only`, in a fixed number of queries
    /// however many there are. A name in `only` the schema lacks is a
    /// [`Error::NoSuchTable`].
    pub fn reflect_tables(
        &mut self,
        schema: Option<&str>,
        only: Option<&[&str]>,
    ) -> Result<Vec<Table>> {
        let read = self.read_schema(schema)?;
        let default = self.default_schema_name()?;
        let only: Option<Vec<String>> = only.map(|o| o.iter().map(|s| (*s).to_owned()).collect());
        let catalog = self.catalog;
        let parts = catalog.read(self.conn(), &read, only.as_deref())?;
        if let Some(only) = &only {
            if let Some(missing) = only.iter().find(|n| !parts.iter().any(|p| &p.name == *n)) {
                return Err(Error::NoSuchTable {
                    schema: schema.map(str::to_owned),
                    table: missing.clone(),
                });
            }
        }
        let translate = self
            .conn()
            .get_execution_options()
            .schema_translate_map
            .clone();
        let naming = Naming {
            requested: schema,
            read: &read,
            default: &default,
            translate: translate.as_deref(),
        };
        let tables: Vec<Table> = parts.into_iter().map(|p| table(p, &naming)).collect();
        for t in &tables {
            self.tables
                .insert((schema.map(str::to_owned), t.name.clone()), t.clone());
        }
        Ok(tables)
    }

    /// The whole definition of table (or view) `name` in `schema`, or [`Error::NoSuchTable`].
    pub fn reflect_table(&mut self, name: &str, schema: Option<&str>) -> Result<Table> {
        let key = (schema.map(str::to_owned), name.to_owned());
        if let Some(table) = self.tables.get(&key) {
            return Ok(table.clone());
        }
        let mut tables = self.reflect_tables(schema, Some(&[name]))?;
        tables.pop().ok_or(Error::NoSuchTable {
            schema: key.0,
            table: key.1,
        })
    }

    /// The columns of a table, in order: name, type, nullable, server default,
    /// autoincrement/identity and comment.
    pub fn columns(&mut self, name: &str, schema: Option<&str>) -> Result<Vec<Column>> {
        let table = self.reflect_table(name, schema)?;
        Ok(table.columns.values().map(|c| (**c).clone()).collect())
    }

    /// The primary key: its name and columns (empty when the table has none).
    pub fn pk_constraint(&mut self, name: &str, schema: Option<&str>) -> Result<PrimaryKey> {
        Ok(self.reflect_table(name, schema)?.primary_key.clone())
    }

    /// The foreign keys: name, columns, referred schema, table and columns, ON DELETE/UPDATE.
    pub fn foreign_keys(&mut self, name: &str, schema: Option<&str>) -> Result<Vec<ForeignKey>> {
        Ok(self.reflect_table(name, schema)?.foreign_keys.clone())
    }

    /// The indexes (not those behind a primary key or unique constraint): name, columns or
    /// expressions, unique, and the predicate of a partial index.
    pub fn indexes(&mut self, name: &str, schema: Option<&str>) -> Result<Vec<Index>> {
        Ok(self.reflect_table(name, schema)?.indexes.clone())
    }

    /// The unique constraints.
    pub fn unique_constraints(
        &mut self,
        name: &str,
        schema: Option<&str>,
    ) -> Result<Vec<UniqueConstraint>> {
        Ok(self.reflect_table(name, schema)?.unique_constraints.clone())
    }

    /// The check constraints: name and SQL text.
    pub fn check_constraints(
        &mut self,
        name: &str,
        schema: Option<&str>,
    ) -> Result<Vec<CheckConstraint>> {
        Ok(self.reflect_table(name, schema)?.check_constraints.clone())
    }

    /// The table comment (always `None` on SQLite, which does not store comments).
    pub fn table_comment(&mut self, name: &str, schema: Option<&str>) -> Result<Option<String>> {
        Ok(self.reflect_table(name, schema)?.comment.clone())
    }

    /// Forgets the tables reflected so far, so the next request reads the catalog again.
    pub fn clear_cache(&mut self) {
        self.tables.clear();
        self.default_schema = None;
    }
}
