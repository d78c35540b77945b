//! `create_all` / `drop_all`: a `MetaData`'s DDL run on a database, checking which tables
//! exist with one query per schema.

use crate::connection::Connection;
use crate::engine::Engine;
use crate::error::Result;
use crate::options::{ExecutionOptions, IsolationLevel};
use crate::reflect::{Inspector, ReflectOptions, catalog_of, reflect_into};
use sqlcore_compiler::{Ddl, MetaData, Statement};
use std::collections::{HashMap, HashSet};

/// Where DDL runs: an engine (in a transaction of its own) or an open connection.
pub enum Bind<'a> {
    /// An engine.
    Engine(&'a Engine),
    /// A connection (its transaction is the caller's to commit).
    Connection(&'a mut Connection),
}

impl<'a> From<&'a Engine> for Bind<'a> {
    fn from(e: &'a Engine) -> Self {
        Bind::Engine(e)
    }
}

impl<'a> From<&'a mut Connection> for Bind<'a> {
    fn from(c: &'a mut Connection) -> Self {
        Bind::Connection(c)
    }
}

/// Runs a `MetaData`'s DDL (SQLAlchemy's `metadata.create_all(engine)`).
///
/// ```
/// use sqlcore::*;
/// let mut md = MetaData::new();
/// md.add(Table::new("t").column(Column::new("id", SqlType::Integer).primary_key()))?;
/// let engine = create_engine("sqlite://")?;
/// md.create_all(&engine)?;
/// md.create_all(&engine)?; // checkfirst: nothing to do the second time
/// md.drop_all(&engine)?;
/// # Ok::<(), sqlcore::Error>(())
/// ```
pub trait MetaDataExt {
    /// Creates the tables (with their indexes and comments) that do not exist yet, referred
    /// tables first, after the enums and domains they use that do not exist yet (PostgreSQL).
    fn create_all<'a>(&self, bind: impl Into<Bind<'a>>) -> Result<()>;
    /// Creates every table; `checkfirst = false` fails on a table that exists.
    fn create_all_checkfirst<'a>(&self, bind: impl Into<Bind<'a>>, checkfirst: bool) -> Result<()>;
    /// Drops the tables that exist, referring tables first; then the enums and domains they
    /// used (PostgreSQL) that exist and that nothing else uses any more.
    fn drop_all<'a>(&self, bind: impl Into<Bind<'a>>) -> Result<()>;
    /// Drops every table; `checkfirst = false` fails on a table that does not exist.
    fn drop_all_checkfirst<'a>(&self, bind: impl Into<Bind<'a>>, checkfirst: bool) -> Result<()>;
    /// Reads every table of the default schema from the database, and the tables their
    /// foreign keys refer to (SQLAlchemy's `metadata.reflect(engine)`); tables already present
    /// are kept. Costs a fixed number of catalog queries however many tables there are.
    fn reflect<'a>(&mut self, bind: impl Into<Bind<'a>>) -> Result<()>;
    /// [`MetaDataExt::reflect`] with options: a schema, `only` some tables, views.
    fn reflect_with<'a>(
        &mut self,
        bind: impl Into<Bind<'a>>,
        options: &ReflectOptions,
    ) -> Result<()>;
}

/// The existing tables and sequences of each schema the metadata uses: one query per schema
/// and kind.
fn existing(md: &MetaData, conn: &mut Connection) -> Result<Existing> {
    let mut by_schema: HashMap<Option<String>, ()> = HashMap::new();
    for t in md.tables() {
        by_schema.insert(t.schema.clone(), ());
    }
    let sequences = md.all_sequences();
    let mut sequence_schemas: HashSet<Option<String>> = HashSet::new();
    if sequences.iter().any(|s| s.applies_to(conn.dialect())) {
        for s in &sequences {
            sequence_schemas.insert(s.schema.as_deref().map(str::to_owned));
        }
    }
    // Under a schema_translate_map the tables live in the translated schemas.
    let map = conn.get_execution_options().schema_translate_map.clone();
    let mut out = Existing::default();
    for schema in by_schema.into_keys() {
        let target = match &map {
            Some(map) => map.effective(schema.as_deref()),
            None => schema.as_deref(),
        };
        for name in conn.table_names(target)? {
            out.tables.insert((schema.clone(), name));
        }
    }
    if !sequence_schemas.is_empty() {
        let mut inspector = Inspector::new(&mut *conn)?;
        for schema in sequence_schemas {
            for name in inspector.sequence_names(schema.as_deref())? {
                out.sequences.insert((schema.clone(), name));
            }
        }
    }
    Ok(out)
}

/// What exists already, by the metadata's schema names (before translation).
#[derive(Default)]
struct Existing {
    tables: HashSet<(Option<String>, String)>,
    sequences: HashSet<(Option<String>, String)>,
}

/// Runs the DDL; a `CREATE INDEX CONCURRENTLY` is returned rather than run when `defer` is
/// set (it cannot run inside the transaction the rest runs in).
fn run(
    md: &MetaData,
    conn: &mut Connection,
    create: bool,
    checkfirst: bool,
    defer: bool,
) -> Result<Vec<Ddl>> {
    let exists = if checkfirst {
        Some(existing(md, conn)?)
    } else {
        None
    };
    let mut deferred = Vec::new();
    let statements = if create {
        md.create_all_ddl(conn.dialect(), false)?
    } else {
        md.drop_all_ddl(conn.dialect(), false)?
    };
    for ddl in statements {
        let (set, key) = match &ddl {
            Ddl::CreateTable(s) => (Kind::Table, table_key(&s.table)),
            Ddl::CreateIndex(s) => (Kind::Table, table_key(&s.table)),
            Ddl::SetComment(s) => (Kind::Table, table_key(&s.table)),
            Ddl::DropTable(s) => (Kind::Table, table_key(&s.table)),
            Ddl::DropIndex(s) => (Kind::Table, table_key(&s.table)),
            Ddl::CreateSequence(s) => (Kind::Sequence, sequence_key(&s.sequence)),
            Ddl::DropSequence(s) => (Kind::Sequence, sequence_key(&s.sequence)),
            Ddl::CreateType(s) => {
                if checkfirst && type_in_use(conn, s.schema.as_deref(), s.ty.name())?.is_some() {
                    continue;
                }
                conn.execute(Statement::Ddl(ddl), ())?;
                continue;
            }
            Ddl::DropType(s) => {
                // Dropped when it exists and nothing uses it any more (another MetaData's
                // table, a domain built on it): the tables dropped before no longer do.
                if checkfirst && type_in_use(conn, s.schema.as_deref(), s.ty.name())? != Some(false)
                {
                    continue;
                }
                conn.execute(Statement::Ddl(ddl), ())?;
                continue;
            }
        };
        if let Some(exists) = &exists {
            let present = match set {
                Kind::Table => exists.tables.contains(&key),
                Kind::Sequence => exists.sequences.contains(&key),
            };
            // Create what is missing; drop what is there.
            if present == create {
                continue;
            }
        }
        if defer && matches!(&ddl, Ddl::CreateIndex(ci) if ci.index.concurrently) {
            deferred.push(ddl);
            continue;
        }
        conn.execute(Statement::Ddl(ddl), ())?;
    }
    Ok(deferred)
}

/// Whether a named type exists where a statement of this connection would create it (through
/// its `schema_translate_map`), and if so whether anything uses it.
fn type_in_use(conn: &mut Connection, schema: Option<&str>, name: &str) -> Result<Option<bool>> {
    let map = conn.get_execution_options().schema_translate_map.clone();
    let target = match &map {
        Some(map) => map.effective(schema),
        None => schema,
    };
    catalog_of(conn).type_in_use(conn, target, name)
}

enum Kind {
    Table,
    Sequence,
}

fn table_key(table: &sqlcore_compiler::Table) -> (Option<String>, String) {
    (table.schema.clone(), table.name.clone())
}

fn sequence_key(seq: &sqlcore_compiler::Sequence) -> (Option<String>, String) {
    (
        seq.schema.as_deref().map(str::to_owned),
        seq.name.to_string(),
    )
}

/// Runs the DDL through `bind`: on an engine in a transaction of its own, then each
/// `CREATE INDEX CONCURRENTLY` on a connection in AUTOCOMMIT; on a connection, all of it in
/// the caller's transaction (a concurrent index then needs an AUTOCOMMIT connection).
fn run_through(bind: Bind<'_>, md: &MetaData, create: bool, checkfirst: bool) -> Result<()> {
    match bind {
        Bind::Engine(engine) => {
            let deferred = engine.transaction(|conn| run(md, conn, create, checkfirst, true))?;
            if deferred.is_empty() {
                return Ok(());
            }
            let mut conn = engine.connect()?;
            let options = ExecutionOptions {
                isolation_level: Some(IsolationLevel::Autocommit),
                ..conn.get_execution_options().clone()
            };
            conn.execution_options(options)?;
            for ddl in deferred {
                conn.execute(Statement::Ddl(ddl), ())?;
            }
            Ok(())
        }
        Bind::Connection(conn) => run(md, conn, create, checkfirst, false).map(drop),
    }
}

impl MetaDataExt for MetaData {
    fn create_all<'a>(&self, bind: impl Into<Bind<'a>>) -> Result<()> {
        self.create_all_checkfirst(bind, true)
    }

    fn create_all_checkfirst<'a>(&self, bind: impl Into<Bind<'a>>, checkfirst: bool) -> Result<()> {
        run_through(bind.into(), self, true, checkfirst)
    }

    fn drop_all<'a>(&self, bind: impl Into<Bind<'a>>) -> Result<()> {
        self.drop_all_checkfirst(bind, true)
    }

    fn drop_all_checkfirst<'a>(&self, bind: impl Into<Bind<'a>>, checkfirst: bool) -> Result<()> {
        run_through(bind.into(), self, false, checkfirst)
    }

    fn reflect<'a>(&mut self, bind: impl Into<Bind<'a>>) -> Result<()> {
        self.reflect_with(bind, &ReflectOptions::default())
    }

    fn reflect_with<'a>(
        &mut self,
        bind: impl Into<Bind<'a>>,
        options: &ReflectOptions,
    ) -> Result<()> {
        let mut inspector = Inspector::new(bind)?;
        reflect_into(self, &mut inspector, options).map(drop)
    }
}
