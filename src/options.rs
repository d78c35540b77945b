//! Execution options and their value types: isolation levels, SQLite begin modes,
//! reset-on-return, pool classes.

use crate::cache::CompiledCache;
use crate::error::{Error, Result};
use sqlcore_compiler::SchemaTranslateMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// A transaction isolation level, or AUTOCOMMIT (no transaction at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IsolationLevel {
    /// `SERIALIZABLE`.
    Serializable,
    /// `REPEATABLE READ`.
    RepeatableRead,
    /// `READ COMMITTED`.
    ReadCommitted,
    /// `READ UNCOMMITTED`.
    ReadUncommitted,
    /// Every statement commits on its own; no transaction is begun.
    Autocommit,
}

impl IsolationLevel {
    /// The SQL name (`"READ COMMITTED"`, `"AUTOCOMMIT"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            IsolationLevel::Serializable => "SERIALIZABLE",
            IsolationLevel::RepeatableRead => "REPEATABLE READ",
            IsolationLevel::ReadCommitted => "READ COMMITTED",
            IsolationLevel::ReadUncommitted => "READ UNCOMMITTED",
            IsolationLevel::Autocommit => "AUTOCOMMIT",
        }
    }
}

impl fmt::Display for IsolationLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IsolationLevel {
    type Err = Error;
    /// Parses SQLAlchemy's names, case-insensitively, with `_` or space.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_uppercase().replace('_', " ").as_str() {
            "SERIALIZABLE" => Ok(IsolationLevel::Serializable),
            "REPEATABLE READ" => Ok(IsolationLevel::RepeatableRead),
            "READ COMMITTED" => Ok(IsolationLevel::ReadCommitted),
            "READ UNCOMMITTED" => Ok(IsolationLevel::ReadUncommitted),
            "AUTOCOMMIT" => Ok(IsolationLevel::Autocommit),
            _ => Err(Error::Argument(format!(
                "invalid isolation level {s:?}; expected SERIALIZABLE, REPEATABLE READ, READ COMMITTED, READ UNCOMMITTED or AUTOCOMMIT"
            ))),
        }
    }
}

/// How SQLite begins a transaction: `BEGIN` (deferred), `BEGIN IMMEDIATE` or `BEGIN EXCLUSIVE`
/// (see [`ExecutionOptions::sqlite_begin`]).
///
/// A deferred transaction takes a read lock at its first read and a write lock at its first
/// write. One that reads and then writes while another connection writes cannot upgrade its
/// read lock: SQLite fails it at once with `database is locked`, since waiting (the busy
/// timeout) could deadlock. An IMMEDIATE transaction takes the write lock when it begins,
/// waiting for it up to the busy timeout, so its statements never fail for a lock; other
/// connections still read meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SqliteBegin {
    /// `BEGIN`: locks are taken as statements need them (SQLite's default).
    #[default]
    Deferred,
    /// `BEGIN IMMEDIATE`: the write lock at once; other connections may still read.
    Immediate,
    /// `BEGIN EXCLUSIVE`: the write lock at once, and (outside WAL mode) no other connection
    /// reads until the transaction ends.
    Exclusive,
}

impl SqliteBegin {
    /// The mode's name: `"DEFERRED"`, `"IMMEDIATE"` or `"EXCLUSIVE"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SqliteBegin::Deferred => "DEFERRED",
            SqliteBegin::Immediate => "IMMEDIATE",
            SqliteBegin::Exclusive => "EXCLUSIVE",
        }
    }
}

impl fmt::Display for SqliteBegin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SqliteBegin {
    type Err = Error;
    /// Parses `deferred`, `immediate` or `exclusive`, case-insensitively.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "DEFERRED" => Ok(SqliteBegin::Deferred),
            "IMMEDIATE" => Ok(SqliteBegin::Immediate),
            "EXCLUSIVE" => Ok(SqliteBegin::Exclusive),
            _ => Err(Error::Argument(format!(
                "invalid sqlite begin mode {s:?}; expected deferred, immediate or exclusive"
            ))),
        }
    }
}

/// What the pool does to a connection that comes back (SQLAlchemy's `pool_reset_on_return`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ResetOnReturn {
    /// Roll back any open transaction (the default).
    #[default]
    Rollback,
    /// Commit any open transaction.
    Commit,
    /// Leave the connection as it is.
    None,
}

/// Which pool an engine uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolClass {
    /// A bounded pool with overflow and fair waiting (the default, except for `:memory:`).
    Queue,
    /// No pooling: a new connection per checkout, closed at checkin.
    Null,
    /// One connection for every checkout (the default for SQLite `:memory:`).
    Static,
    /// One connection per thread.
    SingletonThread,
}

/// Which compiled-statement cache statements go through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CacheChoice {
    /// The engine's own cache (`query_cache_size` entries).
    #[default]
    Engine,
    /// None: every statement is compiled (SQLAlchemy's `compiled_cache=None`).
    Disabled,
    /// A cache of the caller's, e.g. one shared by several engines of the same dialect.
    Cache(CompiledCache),
}

impl CacheChoice {
    /// The cache chosen, where `engine` is the engine's own.
    pub(crate) fn resolve<'a>(&'a self, engine: &'a CompiledCache) -> Option<&'a CompiledCache> {
        match self {
            CacheChoice::Engine => Some(engine),
            CacheChoice::Disabled => None,
            CacheChoice::Cache(cache) => Some(cache),
        }
    }
}

/// Options of a connection (SQLAlchemy's `execution_options`).
///
/// ```
/// use sqlcore::{ExecutionOptions, IsolationLevel};
/// let opts = ExecutionOptions::default().isolation_level(IsolationLevel::Autocommit).stream_results(true);
/// assert_eq!(opts.max_row_buffer, 1000);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionOptions {
    /// The isolation level for the connection's next transactions.
    pub isolation_level: Option<IsolationLevel>,
    /// Fetch rows in chunks of `max_row_buffer` instead of buffering the whole result
    /// (server-side cursors on PostgreSQL; SQLite results are produced in process).
    ///
    /// On PostgreSQL the next chunk is fetched while the current one is read, so at most two
    /// chunks are held. The server therefore runs a query up to one chunk ahead of the rows
    /// read: an error it raises there (a division by zero in a later row) aborts the
    /// transaction even if those rows are never read, and a later `commit()` reports it.
    pub stream_results: bool,
    /// The chunk size of streamed results (default 1000).
    pub max_row_buffer: usize,
    /// The compiled-statement cache to use (default: the engine's).
    pub compiled_cache: CacheChoice,
    /// Schemas to re-target at execution time (Core statements and DDL; not `text()`).
    pub schema_translate_map: Option<Arc<SchemaTranslateMap>>,
    /// How the connection's next SQLite transaction begins (default: the engine's
    /// [`EngineBuilder::sqlite_begin`](crate::EngineBuilder::sqlite_begin), else deferred).
    /// Ignored by other backends, as SQLAlchemy's dialect-specific execution options are.
    pub sqlite_begin: Option<SqliteBegin>,
    /// Whether the work is read-only, for an engine with read replicas (see
    /// [`EngineBuilder::replica`](crate::EngineBuilder::replica)): `Some(true)` sends a
    /// statement run outside a transaction to a replica (`text()` reads need it; Core
    /// selects go there anyway), `Some(false)` keeps it on the primary. Default `None`.
    /// Ignored without replicas.
    pub read_only: Option<bool>,
}

impl Default for ExecutionOptions {
    fn default() -> Self {
        ExecutionOptions {
            isolation_level: None,
            stream_results: false,
            max_row_buffer: 1000,
            compiled_cache: CacheChoice::Engine,
            schema_translate_map: None,
            sqlite_begin: None,
            read_only: None,
        }
    }
}

impl ExecutionOptions {
    /// Sets the isolation level.
    pub fn isolation_level(mut self, level: IsolationLevel) -> Self {
        self.isolation_level = Some(level);
        self
    }

    /// Sets `stream_results`.
    pub fn stream_results(mut self, on: bool) -> Self {
        self.stream_results = on;
        self
    }

    /// Sets `max_row_buffer`.
    pub fn max_row_buffer(mut self, rows: usize) -> Self {
        self.max_row_buffer = rows.max(1);
        self
    }

    /// The compiled-statement cache: `None` compiles every statement (SQLAlchemy's
    /// `compiled_cache=None`), `Some(cache)` uses a cache of the caller's.
    pub fn compiled_cache(mut self, cache: impl Into<Option<CompiledCache>>) -> Self {
        self.compiled_cache = match cache.into() {
            Some(cache) => CacheChoice::Cache(cache),
            None => CacheChoice::Disabled,
        };
        self
    }

    /// Begins the connection's SQLite transactions as `mode` says (`BEGIN IMMEDIATE` for
    /// [`SqliteBegin::Immediate`]): the transaction the connection begins next, explicitly
    /// (`begin()`, `begin_nested()` outside a transaction) or automatically at its next
    /// statement. Set on a statement, it applies when that statement begins the transaction;
    /// a transaction already open keeps the mode it began with. Ignored by other backends,
    /// as SQLAlchemy's dialect-specific execution options (`postgresql_readonly`) are.
    ///
    /// ```
    /// use sqlcore::*;
    /// let engine = create_engine("sqlite://")?;
    /// let mut conn = engine.connect()?;
    /// conn.update_execution_options(|o| o.sqlite_begin(SqliteBegin::Immediate))?;
    /// conn.execute(text("CREATE TABLE counter (n INTEGER)"), ())?; // after BEGIN IMMEDIATE
    /// conn.commit()?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn sqlite_begin(mut self, mode: SqliteBegin) -> Self {
        self.sqlite_begin = Some(mode);
        self
    }

    /// Marks the work read-only (`true`: to a replica, outside a transaction) or not
    /// (`false`: to the primary): see [`ExecutionOptions::read_only`](Self#structfield.read_only).
    pub fn read_only(mut self, on: bool) -> Self {
        self.read_only = Some(on);
        self
    }

    /// Sets the `schema_translate_map`.
    pub fn schema_translate_map(mut self, map: SchemaTranslateMap) -> Self {
        self.schema_translate_map = (!map.is_empty()).then(|| Arc::new(map));
        self
    }
}
