//! [`Error`]: every failure of sqlcore, with SQLAlchemy's distinctions.

use sqlcore_compiler::{CompileError, TypeConversionError, ValueConversionError};
use std::sync::Arc;

/// The family of a database error, as DB-API (PEP 249) and SQLAlchemy classify them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DbErrorKind {
    /// A constraint was violated (unique, foreign key, not null, check).
    Integrity,
    /// The database could not do its job: connection lost, locked, disk full, ... On SQLite
    /// also a statement it refuses (syntax error, no such table or column), as pysqlite and
    /// SQLAlchemy report SQLite's generic `SQLITE_ERROR`.
    Operational,
    /// The SQL is wrong: syntax error, missing table or column (PostgreSQL's SQLSTATE class
    /// 42 and the like).
    Programming,
    /// A value does not fit: out of range, invalid text representation.
    Data,
    /// The database does not support what was asked.
    NotSupported,
    /// The database's internal error.
    Internal,
    /// The driver interface itself failed.
    Interface,
    /// Any other database error.
    Database,
}

/// A more precise reason for some errors, where the driver tells it (SQLSTATE classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DbErrorReason {
    /// A UNIQUE or PRIMARY KEY constraint.
    UniqueViolation,
    /// A FOREIGN KEY constraint.
    ForeignKeyViolation,
    /// A NOT NULL constraint.
    NotNullViolation,
    /// A CHECK constraint.
    CheckViolation,
    /// A serialization failure; retry the transaction.
    SerializationFailure,
    /// A deadlock was detected; retry the transaction.
    Deadlock,
    /// TLS could not be set up with the server (PostgreSQL's `sslmode`): its certificate did
    /// not verify, or the handshake failed, or the server does not offer TLS. The error is
    /// [`DbErrorKind::Operational`]; its message names the host and the reason (unknown
    /// issuer, name mismatch, expired, ...).
    Tls,
}

/// An error the database or its driver raised (SQLAlchemy's `DBAPIError`).
///
/// It carries the statement and the *names* of its parameters — never their values.
#[derive(Debug, Clone, thiserror::Error)]
#[error("({kind:?}) {message}{}", sql.as_deref().map(|s| format!("\n[SQL: {s}]")).unwrap_or_default())]
pub struct DbError {
    /// The family of the error.
    pub kind: DbErrorKind,
    /// A precise reason, when known.
    pub reason: Option<DbErrorReason>,
    /// The SQLSTATE code, when the database reports one.
    pub sqlstate: Option<String>,
    /// The driver's message.
    pub message: String,
    /// The statement that failed, if any.
    pub sql: Option<String>,
    /// The names of the statement's parameters (not their values).
    pub param_names: Vec<Arc<str>>,
    /// Whether the connection was found dead and has been invalidated.
    pub connection_invalidated: bool,
}

impl DbError {
    /// A new error of `kind` with `message`.
    pub fn new(kind: DbErrorKind, message: impl Into<String>) -> Self {
        DbError {
            kind,
            reason: None,
            sqlstate: None,
            message: message.into(),
            sql: None,
            param_names: Vec::new(),
            connection_invalidated: false,
        }
    }

    #[cfg(any(feature = "postgres", feature = "mysql"))]
    /// A connection known to be gone before the statement was sent (SQLSTATE 08003,
    /// `connection_does_not_exist`): the statement did not run.
    pub(crate) fn connection_does_not_exist(message: impl Into<String>) -> Self {
        let mut err = DbError::new(DbErrorKind::Operational, message);
        err.sqlstate = Some("08003".into());
        err.connection_invalidated = true;
        err
    }

    /// Whether a failed COMMIT is known to have committed nothing: it never reached the
    /// database (08003), or the transaction had been aborted (25P02).
    pub(crate) fn proves_not_committed(&self) -> bool {
        matches!(self.sqlstate.as_deref(), Some("08003" | "25P02"))
    }

    /// Whether the connection was invalidated by this error (SQLAlchemy's
    /// `DBAPIError.connection_invalidated`).
    pub fn connection_invalidated(&self) -> bool {
        self.connection_invalidated
    }
}

/// Everything that can go wrong in sqlcore.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A bad argument: a malformed URL, an unknown option, an unsupported isolation level
    /// (SQLAlchemy's `ArgumentError`).
    #[error("ArgumentError: {0}")]
    Argument(String),
    /// A statement could not be compiled.
    #[error("CompileError: {0}")]
    Compile(CompileError),
    /// A user type ([`TypeDecorator`](crate::TypeDecorator)) refused a value bound to it or
    /// read from one of its columns; names the type and the parameter or column.
    #[error("TypeConversionError: {0}")]
    TypeConversion(#[from] TypeConversionError),
    /// The URL or an option needs a part of sqlcore this build leaves out (a backend, TLS);
    /// the message names the Cargo feature that compiles it in (SQLAlchemy's
    /// `NoSuchModuleError` for a dialect it cannot load).
    #[error("NoSuchModuleError: {what} is not compiled in; enable sqlcore's `{feature}` feature")]
    NotCompiledIn {
        /// What is missing (`the postgres backend`, `TLS (ssl_mode=REQUIRED)`).
        what: String,
        /// The Cargo feature of sqlcore that compiles it in.
        feature: &'static str,
    },
    /// The database or its driver failed (SQLAlchemy's `DBAPIError` family).
    #[error("{0}")]
    Db(#[from] DbError),
    /// No connection became available in time (SQLAlchemy's pool `TimeoutError`).
    #[error(
        "TimeoutError: QueuePool limit of size {pool_size} overflow {max_overflow} reached, connection timed out, timeout {timeout_secs:.2}"
    )]
    Timeout {
        /// The pool's `pool_size`.
        pool_size: usize,
        /// The pool's `max_overflow`.
        max_overflow: usize,
        /// The pool's `pool_timeout`, in seconds.
        timeout_secs: f64,
    },
    /// A result expected to have a row had none.
    #[error("NoResultFound: no row was found when one was required")]
    NoResultFound,
    /// A result expected to have at most one row had more.
    #[error("MultipleResultsFound: multiple rows were found when exactly one was required")]
    MultipleResultsFound,
    /// The result or connection is closed.
    #[error("ResourceClosedError: {0}")]
    ResourceClosed(String),
    /// The connection was invalidated (or lost) inside a transaction, which must be rolled back
    /// before the connection is used again (SQLAlchemy's `PendingRollbackError`). Committing
    /// or releasing a savepoint of that transaction is this error: nothing was committed.
    #[error("PendingRollbackError: {message}")]
    PendingRollback {
        /// What was refused, and what to do.
        message: String,
        /// Why the connection was invalidated: the disconnect, or `None` after an explicit
        /// [`Connection::invalidate`](crate::Connection::invalidate).
        #[source]
        cause: Option<Box<Error>>,
    },
    /// The connection was lost while COMMIT was in flight: the transaction may or may not have
    /// been committed. The connection has been invalidated; the error is the disconnect.
    #[error(
        "CommitOutcomeUnknownError: the connection was lost during COMMIT; the transaction may or may not have been committed: {0}"
    )]
    CommitOutcomeUnknown(DbError),
    /// An operation that is not allowed in the current state.
    #[error("InvalidRequestError: {0}")]
    InvalidRequest(String),
    /// A row value could not be converted to the Rust type asked for.
    #[error("cannot read column {column:?} ({found}) as {expected}")]
    Conversion {
        /// The column's name or index.
        column: String,
        /// The Rust type asked for.
        expected: &'static str,
        /// The kind of value found.
        found: &'static str,
    },
    /// Reflection found no table (or view) of that name (SQLAlchemy's `NoSuchTableError`).
    #[error("NoSuchTableError: no table {table:?} in {}", schema.as_deref().map(|s| format!("schema {s:?}")).unwrap_or_else(|| "the default schema".to_owned()))]
    NoSuchTable {
        /// The schema looked in; `None` for the default schema.
        schema: Option<String>,
        /// The table's name.
        table: String,
    },
    /// A row has no column of that name or index.
    #[error("NoSuchColumnError: no column {0:?} in the row")]
    NoSuchColumn(String),
    /// A result lacks a column the Rust type its rows are read into needs
    /// ([`FromRow`](crate::FromRow)).
    #[error("NoSuchColumnError: no column {column:?} in the result, which {target} reads")]
    MissingColumn {
        /// The column's name.
        column: String,
        /// The Rust type read into.
        target: &'static str,
    },
    /// A result read by position into a Rust type has another number of columns than it reads
    /// ([`FromRow`](crate::FromRow)).
    #[error("InvalidRequestError: the result has {found} columns; {target} reads {expected}")]
    ColumnCount {
        /// The columns the type reads.
        expected: usize,
        /// The result's columns.
        found: usize,
        /// The Rust type read into.
        target: &'static str,
    },
}

impl From<CompileError> for Error {
    /// A user type's conversion is an [`Error::TypeConversion`]; anything else an
    /// [`Error::Compile`].
    fn from(e: CompileError) -> Self {
        match e {
            CompileError::TypeConversion(e) => Error::TypeConversion(e),
            e => Error::Compile(e),
        }
    }
}

impl Error {
    /// The database error, if this is one.
    pub fn as_db_error(&self) -> Option<&DbError> {
        match self {
            Error::Db(e) | Error::CommitOutcomeUnknown(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the connection was invalidated by this error.
    pub fn connection_invalidated(&self) -> bool {
        self.as_db_error()
            .is_some_and(DbError::connection_invalidated)
    }

    pub(crate) fn conversion(column: impl ToString, e: ValueConversionError) -> Self {
        Error::Conversion {
            column: column.to_string(),
            expected: e.to,
            found: e.from,
        }
    }
}

/// `Result` with sqlcore's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
