//! Execution options and their value types: isolation levels, reset-on-return, pool classes.

use crate::error::{Error, Result};
use indexmap::IndexMap;
use std::fmt;
use std::str::FromStr;

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

/// A `schema_translate_map`: `None` stands for tables without a schema.
pub type SchemaTranslateMap = IndexMap<Option<String>, String>;

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
    pub stream_results: bool,
    /// The chunk size of streamed results (default 1000).
    pub max_row_buffer: usize,
    /// Use the engine's compiled-statement cache (default true).
    pub compiled_cache: bool,
    /// Schema names to substitute at execution time.
    pub schema_translate_map: Option<SchemaTranslateMap>,
}

impl Default for ExecutionOptions {
    fn default() -> Self {
        ExecutionOptions {
            isolation_level: None,
            stream_results: false,
            max_row_buffer: 1000,
            compiled_cache: true,
            schema_translate_map: None,
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

    /// Turns the compiled cache on or off.
    pub fn compiled_cache(mut self, on: bool) -> Self {
        self.compiled_cache = on;
        self
    }

    /// Sets the `schema_translate_map`.
    pub fn schema_translate_map(mut self, map: SchemaTranslateMap) -> Self {
        self.schema_translate_map = Some(map);
        self
    }
}
