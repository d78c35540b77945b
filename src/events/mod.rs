//! Execution and transaction events: a [`ConnectionEvents`] listener registered with
//! [`EngineBuilder::events`](crate::EngineBuilder::events) hears every statement sqlcore sends
//! and every transaction step, on the sync [`Engine`](crate::Engine) and the
//! [`AsyncEngine`](crate::AsyncEngine) alike, on every backend (SQLAlchemy's
//! `before_cursor_execute`, `after_cursor_execute`, `handle_error` and transaction events).
//!
//! **Order.** For each statement sent to the database: [`before_execute`], then either
//! [`after_execute`] or [`handle_error`], once each. A statement that begins a transaction
//! (commit-as-you-go) is preceded by its [`TransactionOp::Begin`]. An `execute_many` fires one
//! pair per statement sent: once for the whole set (`batch_size` the number of sets), or once
//! per batch of a multi-row `INSERT … VALUES` (`batch_size` the rows in that batch).
//! `after_execute` fires when the driver has answered: for a streamed result that is when the
//! first rows are in, and [`Executed::rows_returned`] is `None` (the rows are still to come;
//! the sync engine on SQLite buffers them, and counts them).
//!
//! **Panics.** A listener that panics never leaves a connection in an unknown state: the
//! connection's database connection is invalidated (closed, its place in the pool freed) and
//! the panic goes on, as with the pool's hooks. (The async engine runs an `execute_many` on
//! the connection's thread, whose panic comes back as an error of a lost connection.)
//!
//! **Not observed:** set-up SQL run with `execute_batch`, and what a driver asks on its own
//! (isolation levels, reflection's catalog queries). **Not yet observed:** reads sent to a
//! read replica
//! ([`EngineBuilder::replica`](crate::EngineBuilder::replica)), and the rollback the async
//! pool makes of a connection dropped in a transaction (the sync connection's `Drop` rolls
//! back itself, and fires [`TransactionOp::Rollback`]).
//!
//! **Spans and metrics.** The same emission point opens each statement's `tracing` span
//! (target `sqlcore.statement`, named and attributed as the OpenTelemetry database
//! conventions say; see the README's "Observability") and, with the `metrics` feature,
//! records its `db.client.operation.duration`.
//!
//! **Cost.** With no listener, no
//! [`slow_statement_threshold`](crate::EngineBuilder::slow_statement_threshold), no `tracing`
//! subscriber that wants the spans and no `metrics` feature, nothing is allocated and no clock
//! is read.
//!
//! ```
//! use sqlcore::*;
//! use sqlcore::events::{ConnectionEvents, Executed, StatementEvent, TransactionEvent};
//! use std::sync::{Arc, Mutex};
//!
//! #[derive(Default)]
//! struct Log(Mutex<Vec<String>>);
//! impl ConnectionEvents for Log {
//!     fn before_execute(&self, statement: &StatementEvent<'_>) {
//!         self.0.lock().unwrap().push(format!("before {}", statement.sql));
//!     }
//!     fn after_execute(&self, _: &StatementEvent<'_>, done: &Executed) {
//!         self.0.lock().unwrap().push(format!("after {:?}", done.rows_returned));
//!     }
//!     fn transaction(&self, event: &TransactionEvent<'_>) {
//!         self.0.lock().unwrap().push(format!("{:?}", event.op));
//!     }
//! }
//! let log = Arc::new(Log::default());
//! let engine = Engine::builder("sqlite://").events(log.clone()).build()?;
//! let mut conn = engine.connect()?;
//! conn.execute(text("SELECT 1"), ())?;
//! conn.commit()?;
//! assert_eq!(*log.0.lock().unwrap(), ["Begin", "before SELECT 1", "after Some(1)", "Commit"]);
//! # Ok::<(), sqlcore::Error>(())
//! ```
//!
//! [`before_execute`]: ConnectionEvents::before_execute
//! [`after_execute`]: ConnectionEvents::after_execute
//! [`handle_error`]: ConnectionEvents::handle_error

mod emit;
mod source;
mod span;

pub(crate) use emit::{Described, Observers, Panic, RowCounts, Sending, Watch};
pub(crate) use source::{EventSource, Observed, OnReplica};
pub(crate) use span::error_type;

use crate::error::Error;
use crate::options::ExecutionOptions;
use crate::url::Url;
use sqlcore_compiler::{Params, Value};
use std::time::Duration;

/// A listener of execution and transaction events; every method has a default that does
/// nothing. Listeners run on the thread that runs the statement (for the async engine, a
/// task's thread or a connection's blocking thread), in the order they were registered.
pub trait ConnectionEvents: Send + Sync {
    /// A statement is about to be sent.
    fn before_execute(&self, statement: &StatementEvent<'_>) {
        let _ = statement;
    }

    /// A statement was run (see the [module](self) for when, for a streamed result).
    fn after_execute(&self, statement: &StatementEvent<'_>, executed: &Executed) {
        let _ = (statement, executed);
    }

    /// A statement failed. Returning [`ErrorVerdict::Disconnect`] declares the error a
    /// disconnect (SQLAlchemy's `handle_error` setting `is_disconnect`, for proxies that phrase
    /// disconnects their own way): the connection is then invalidated, and every connection
    /// the pool opened before it, exactly as for a disconnect the driver recognised, and the
    /// error says [`connection_invalidated`](Error::connection_invalidated). Only a database
    /// error ([`Error::Db`]) can be declared so.
    fn handle_error(&self, statement: &StatementEvent<'_>, failure: &Failure<'_>) -> ErrorVerdict {
        let _ = (statement, failure);
        ErrorVerdict::AsReported
    }

    /// A transaction step was taken (or tried: see [`TransactionEvent::error`]).
    fn transaction(&self, event: &TransactionEvent<'_>) {
        let _ = event;
    }
}

/// Where a statement's compiled form came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheUse {
    /// Found in the compiled-statement cache.
    Hit,
    /// Compiled now and stored in the cache.
    Miss,
    /// A [`Prepared`](crate::Prepared) statement's, looked up when it was prepared.
    Prepared,
    /// Compiled for this execution only (the cache off, or a statement it cannot hold, such
    /// as an `execute_many`'s or a multi-row INSERT batch).
    Uncached,
}

impl CacheUse {
    /// Whether the compiled form was not compiled for this execution.
    pub fn is_hit(self) -> bool {
        matches!(self, CacheUse::Hit | CacheUse::Prepared)
    }
}

/// The values a statement is sent with.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Values<'a> {
    /// One set, in placeholder order.
    Bound(&'a [&'a Value]),
    /// An `execute_many`'s parameter sets, by name.
    Sets(&'a [Params]),
    /// Not at hand: a bulk copy (PostgreSQL's `COPY`) takes them as it sends them.
    Streamed,
}

/// A statement sent to the database.
#[derive(Debug)]
#[non_exhaustive]
pub struct StatementEvent<'a> {
    /// The SQL as sent (parameterised: values are never part of it).
    pub sql: &'a str,
    /// The values, by reference.
    pub values: Values<'a>,
    /// The execution options in effect for this statement.
    pub options: &'a ExecutionOptions,
    /// Where the compiled form came from.
    pub cache: CacheUse,
    /// The parameter sets (or rows) this one statement carries, for an `execute_many`.
    pub batch_size: Option<usize>,
    /// The operation (`SELECT`, `INSERT`, `UPDATE`, `DELETE`), when the statement is a Core
    /// statement of one (not for `text()` or DDL).
    pub operation: Option<&'static str>,
    /// The table an INSERT, UPDATE or DELETE writes, or a SELECT reads when it reads one only.
    pub collection: Option<&'a str>,
    /// The dialect's name: `sqlite`, `postgresql`, `mysql` or `mariadb`.
    pub system: &'static str,
    /// The engine's URL (its password is never rendered): server address, port and database.
    pub url: &'a Url,
    /// The pool's number for the database connection (see
    /// [`Connection::connection_id`](crate::Connection::connection_id)).
    pub connection_id: Option<u64>,
}

/// What a statement's run gave.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Executed {
    /// From just before the statement was sent to the driver's answer.
    pub duration: Duration,
    /// Rows the statement changed, where the database reports it (DML).
    pub rows_affected: Option<i64>,
    /// Rows a buffered result holds; for `query_row` 1 or 0 (only the first row is read).
    /// `None` for a statement without result columns and for a streamed result.
    pub rows_returned: Option<usize>,
}

/// A statement's failure, for [`ConnectionEvents::handle_error`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Failure<'a> {
    /// The error (with the statement attached).
    pub error: &'a Error,
    /// Whether the error invalidates the connection (a disconnect, found by the driver or
    /// declared by a listener before this one).
    pub invalidates_connection: bool,
    /// From just before the statement was sent to the error.
    pub duration: Duration,
}

/// What [`ConnectionEvents::handle_error`] makes of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorVerdict {
    /// As the driver reported it.
    AsReported,
    /// A disconnect: the connection and the pool are invalidated.
    Disconnect,
}

/// A transaction step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransactionOp {
    /// A transaction began (`begin()`, or the first statement under commit-as-you-go).
    Begin,
    /// The transaction was committed.
    Commit,
    /// The transaction was rolled back.
    Rollback,
    /// A savepoint was opened (`begin_nested()`).
    Savepoint,
    /// A savepoint was released.
    Release,
    /// The transaction was rolled back to a savepoint.
    RollbackToSavepoint,
}

/// A transaction step, after it was taken.
#[derive(Debug)]
#[non_exhaustive]
pub struct TransactionEvent<'a> {
    /// The step.
    pub op: TransactionOp,
    /// 0 for the transaction itself, 1 for the outermost savepoint, 2 for one inside it, …
    pub depth: usize,
    /// The savepoint's name.
    pub savepoint: Option<&'a str>,
    /// The step's error, when it failed.
    pub error: Option<&'a Error>,
    /// The dialect's name.
    pub system: &'static str,
    /// The pool's number for the database connection.
    pub connection_id: Option<u64>,
}
