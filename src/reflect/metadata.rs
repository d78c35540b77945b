//! Reflecting into a [`MetaData`]: [`Autoload::autoload`] for one table and
//! [`MetaDataExt::reflect`](crate::MetaDataExt::reflect) for many, with the tables their
//! foreign keys refer to.

use super::inspector::Inspector;
use crate::ddl::Bind;
use crate::error::{Error, Result};
use sqlcore_compiler::{MetaData, Table};
use std::collections::BTreeMap;

/// What [`MetaDataExt::reflect_with`](crate::MetaDataExt::reflect_with) reads.
///
/// ```
/// use sqlcore::ReflectOptions;
/// let options = ReflectOptions::new().schema("app").only(["users", "orders"]).views(true);
/// assert_eq!(options.only.as_deref(), Some(&["users".to_owned(), "orders".to_owned()][..]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReflectOptions {
    /// The schema to read; default `None`, the default schema.
    pub schema: Option<String>,
    /// Only these tables (or views); default `None`, every table.
    pub only: Option<Vec<String>>,
    /// Also reflect the schema's views when `only` is not given; default false.
    pub views: bool,
    /// Also reflect the tables foreign keys refer to (as SQLAlchemy does); default true.
    pub referred_tables: bool,
}

impl Default for ReflectOptions {
    fn default() -> Self {
        ReflectOptions {
            schema: None,
            only: None,
            views: false,
            referred_tables: true,
        }
    }
}

impl ReflectOptions {
    /// Every table of the default schema, with the tables they refer to.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `schema` instead of the default schema.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// Reads only these tables or views; a name the schema lacks is an
    /// [`Error::NoSuchTable`](crate::Error::NoSuchTable).
    pub fn only<I>(mut self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.only = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Also reflects views (when `only` is not given).
    pub fn views(mut self, views: bool) -> Self {
        self.views = views;
        self
    }

    /// Whether to reflect the tables foreign keys refer to as well.
    pub fn referred_tables(mut self, on: bool) -> Self {
        self.referred_tables = on;
        self
    }
}

/// Reflects into `metadata`; tables it already holds are kept as they are. Returns the tables
/// asked for (new or already present), in the catalog's order.
pub(crate) fn reflect_into(
    metadata: &mut MetaData,
    inspector: &mut Inspector<'_>,
    options: &ReflectOptions,
) -> Result<Vec<Table>> {
    let schema = options.schema.as_deref();
    let only: Option<Vec<String>> = match (&options.only, options.views) {
        (Some(only), _) => Some(only.clone()),
        (None, true) => {
            let mut names = inspector.table_names(schema)?;
            names.extend(inspector.view_names(schema)?);
            Some(names)
        }
        (None, false) => None,
    };
    let asked = match &only {
        // Tables already present are not read again.
        Some(only) => {
            let missing: Vec<&str> = only
                .iter()
                .filter(|n| metadata.table(&fullname(schema, n)).is_none())
                .map(String::as_str)
                .collect();
            let mut found = if missing.is_empty() {
                Vec::new()
            } else {
                inspector.reflect_tables(schema, Some(&missing))?
            };
            for name in only {
                if let Some(existing) = metadata.table(&fullname(schema, name)) {
                    found.push(existing.clone());
                }
            }
            found
        }
        None => inspector.reflect_tables(schema, None)?,
    };
    let mut result = Vec::with_capacity(asked.len());
    let mut added = Vec::new();
    for table in asked {
        match metadata.table(&table.fullname()) {
            Some(existing) => result.push(existing.clone()),
            None => {
                metadata.add(table.clone())?;
                added.push(table.clone());
                result.push(table);
            }
        }
    }
    if options.referred_tables {
        add_referred(metadata, inspector, added)?;
    }
    Ok(result)
}

fn fullname(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(s) => format!("{s}.{name}"),
        None => name.to_owned(),
    }
}

/// Adds the tables the foreign keys of `added` refer to, and theirs in turn: one bulk read per
/// schema and round.
fn add_referred(
    metadata: &mut MetaData,
    inspector: &mut Inspector<'_>,
    mut added: Vec<Table>,
) -> Result<()> {
    while !added.is_empty() {
        let mut wanted: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
        for table in &added {
            for fk in &table.foreign_keys {
                let schema = fk.referred_schema.clone();
                let name = &fk.referred_table;
                if metadata.table(&fullname(schema.as_deref(), name)).is_none() {
                    let names = wanted.entry(schema).or_default();
                    if !names.contains(name) {
                        names.push(name.clone());
                    }
                }
            }
        }
        added.clear();
        for (schema, names) in wanted {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            for table in inspector.reflect_tables(schema.as_deref(), Some(&names))? {
                metadata.add(table.clone())?;
                added.push(table);
            }
        }
    }
    Ok(())
}

/// `Table::autoload`: a table read from the database into a [`MetaData`] (SQLAlchemy's
/// `Table("users", metadata, autoload_with=engine)`), with the tables its foreign keys refer to.
///
/// Types come back as the database declares them, and some distinctions are lost: on SQLite a
/// `DATETIME` column reflects as `DateTime { timezone: false }` and `TIMESTAMP` (what sqlcore
/// creates for `timezone: true`) as `timezone: true`, but SQLAlchemy creates both kinds as
/// `DATETIME`, so its aware columns reflect naive (the stored text is the same either way);
/// on PostgreSQL `json` and `jsonb` both reflect as `SqlType::Json`.
///
/// ```
/// use sqlcore::*;
/// let engine = create_engine("sqlite://")?;
/// engine.transaction(|conn| {
///     conn.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"), ())?;
///     conn.execute(text("CREATE TABLE posts (id INTEGER PRIMARY KEY, \
///                        user_id INTEGER REFERENCES users (id), title TEXT)"), ())
/// })?;
/// let mut metadata = MetaData::new();
/// let posts = Table::autoload("posts", &mut metadata, &engine)?;
/// assert!(metadata.table("users").is_some(), "the referred table came along");
/// let stmt = select(&posts).filter(posts.c("user_id").eq(1));
/// assert_eq!(engine.connect()?.execute(stmt, ())?.all()?.len(), 0);
/// # Ok::<(), Error>(())
/// ```
pub trait Autoload: Sized {
    /// Reads table `name` of the default schema into `metadata` (or returns the one it already
    /// holds); a missing table is an [`Error::NoSuchTable`](crate::Error::NoSuchTable).
    fn autoload<'a>(name: &str, metadata: &mut MetaData, bind: impl Into<Bind<'a>>)
    -> Result<Self>;
    /// The same, for a table of `schema`.
    fn autoload_schema<'a>(
        name: &str,
        schema: &str,
        metadata: &mut MetaData,
        bind: impl Into<Bind<'a>>,
    ) -> Result<Self>;
}

fn autoload(
    name: &str,
    schema: Option<&str>,
    metadata: &mut MetaData,
    bind: Bind<'_>,
) -> Result<Table> {
    if let Some(table) = metadata.table(&fullname(schema, name)) {
        return Ok(table.clone());
    }
    let mut inspector = Inspector::new(bind)?;
    let options = ReflectOptions {
        schema: schema.map(str::to_owned),
        only: Some(vec![name.to_owned()]),
        ..ReflectOptions::default()
    };
    let tables = reflect_into(metadata, &mut inspector, &options)?;
    tables.into_iter().next().ok_or_else(|| Error::NoSuchTable {
        schema: schema.map(str::to_owned),
        table: name.to_owned(),
    })
}

impl Autoload for Table {
    fn autoload<'a>(
        name: &str,
        metadata: &mut MetaData,
        bind: impl Into<Bind<'a>>,
    ) -> Result<Self> {
        autoload(name, None, metadata, bind.into())
    }

    fn autoload_schema<'a>(
        name: &str,
        schema: &str,
        metadata: &mut MetaData,
        bind: impl Into<Bind<'a>>,
    ) -> Result<Self> {
        autoload(name, Some(schema), metadata, bind.into())
    }
}
