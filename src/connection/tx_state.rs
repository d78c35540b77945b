//! [`TxState`]: a connection's transaction bookkeeping — the open transaction, its savepoints,
//! and what follows an invalidation — kept the same way by the sync
//! [`Connection`](super::Connection) and the async
//! [`AsyncConnection`](crate::aio::AsyncConnection).

use crate::error::{DbError, Error};

/// The transaction state of one connection, apart from the driver calls that change it.
#[derive(Debug, Default)]
pub(crate) struct TxState {
    /// A transaction is open (begun by the connection, or autobegun).
    in_tx: bool,
    /// Open savepoints, outermost first.
    savepoints: Vec<String>,
    savepoint_seq: u32,
    /// The database connection was invalidated (and not yet replaced).
    invalidated: bool,
    /// The connection was invalidated inside a transaction: only `rollback()` may follow.
    pending_rollback: bool,
    /// The disconnect that invalidated the connection (`None` for an explicit `invalidate()`).
    invalidation_cause: Option<Error>,
}

impl TxState {
    /// Whether a transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.in_tx
    }

    /// The open savepoints, outermost first.
    pub fn savepoints(&self) -> &[String] {
        &self.savepoints
    }

    /// Whether the database connection was invalidated (and not yet replaced).
    pub fn invalidated(&self) -> bool {
        self.invalidated
    }

    /// Whether only a rollback may follow (the connection was invalidated in a transaction).
    pub fn pending_rollback(&self) -> bool {
        self.pending_rollback
    }

    /// A transaction began.
    pub fn begun(&mut self) {
        self.in_tx = true;
    }

    /// The name of the next savepoint (SQLAlchemy's `sa_savepoint_N`).
    pub fn next_savepoint(&mut self) -> String {
        self.savepoint_seq += 1;
        format!("sa_savepoint_{}", self.savepoint_seq)
    }

    /// Savepoint `name` was opened.
    pub fn savepoint_opened(&mut self, name: String) {
        self.savepoints.push(name);
    }

    /// The depth of the open savepoint `name` (1 for the outermost; 0 when not open).
    pub fn savepoint_depth(&self, name: &str) -> usize {
        self.savepoints
            .iter()
            .position(|n| n == name)
            .map_or(0, |i| i + 1)
    }

    /// Savepoint `name` (and any opened inside it) ends.
    pub fn pop_savepoint(&mut self, name: &str) {
        if let Some(pos) = self.savepoints.iter().position(|s| s == name) {
            self.savepoints.truncate(pos);
        }
    }

    /// The transaction ended (committed, or ended by the database).
    pub fn ended(&mut self) {
        self.savepoints.clear();
        self.in_tx = false;
    }

    /// The transaction was rolled back: also clears the pending-rollback state of an
    /// invalidated connection.
    pub fn rolled_back(&mut self) {
        self.ended();
        self.pending_rollback = false;
        self.invalidation_cause = None;
    }

    /// The database connection was invalidated, with the disconnect that caused it: a
    /// transaction that was open must be rolled back before anything else.
    pub fn invalidate(&mut self, cause: Option<Error>) {
        self.invalidated = true;
        if self.in_tx {
            self.pending_rollback = true;
            self.invalidation_cause = cause;
        }
    }

    /// A new database connection replaced the invalidated one.
    pub fn reconnected(&mut self) {
        self.invalidated = false;
        self.invalidation_cause = None;
    }

    /// Why `refused` cannot happen while a rollback is pending.
    pub fn pending_rollback_error(&self, refused: &str) -> Error {
        let why = match &self.invalidation_cause {
            Some(_) => "its connection was lost",
            None => "its connection was invalidated",
        };
        Error::PendingRollback {
            message: format!(
                "{refused}: this connection's transaction cannot go on because {why}; nothing was committed. Call rollback() to end it"
            ),
            cause: self.invalidation_cause.clone().map(Box::new),
        }
    }

    /// A COMMIT failed with `e`; `still_open` says whether the driver's transaction is still
    /// open. The transaction ends when the connection went (committed or not) or the database
    /// ended it (PostgreSQL does on a failed COMMIT). Gives the error to report and, when the
    /// connection was lost, the disconnect to invalidate it with: a lost connection is
    /// [`Error::CommitOutcomeUnknown`] unless the COMMIT provably never ran.
    pub fn commit_failed(&mut self, e: Error, still_open: bool) -> (Error, Option<Error>) {
        let lost: Option<DbError> = e
            .as_db_error()
            .filter(|db| db.connection_invalidated)
            .cloned();
        if lost.is_some() || !still_open {
            self.ended();
        }
        match lost {
            Some(db) if !db.proves_not_committed() => {
                (Error::CommitOutcomeUnknown(db), Some(e.clone()))
            }
            Some(_) => (e.clone(), Some(e)),
            None => (e, None),
        }
    }
}
