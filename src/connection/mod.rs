//! [`Connection`]: executes statements on one pooled connection, with commit-as-you-go and
//! explicit transactions.

use crate::driver::DriverConnection;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::events::{EventSource, TransactionOp};
use crate::options::{ExecutionOptions, IsolationLevel, SqliteBegin};
use crate::pool::{Pool, PoolRecord};
use crate::replicas::Routing;
use crate::transaction::{NestedTransaction, Transaction};
use sqlcore_compiler::{Dialect, Params};
use tx_state::TxState;

pub(crate) mod call;
pub(crate) mod display_params;
pub(crate) mod execute;
mod many;
mod observe;
mod route;
pub(crate) mod tx_state;

/// Parameters for [`Connection::execute`]: [`Params`] (by value or reference) or `()` for none.
pub trait IntoParams {
    /// The parameters.
    fn into_params(self) -> Params;
}

impl IntoParams for Params {
    fn into_params(self) -> Params {
        self
    }
}

impl IntoParams for &Params {
    fn into_params(self) -> Params {
        self.clone()
    }
}

impl IntoParams for () {
    fn into_params(self) -> Params {
        Params::new()
    }
}

/// One connection from the engine's pool. Dropping it returns it to the pool (rolled back).
///
/// Commit-as-you-go: the first statement begins a transaction, which lasts until `commit()` or
/// `rollback()`. Or use [`Connection::begin`] / [`Connection::begin_nested`] guards.
///
/// ```
/// use sqlcore::*;
/// let engine = create_engine("sqlite://")?;
/// let mut conn = engine.connect()?;
/// conn.execute(text("CREATE TABLE t (x INTEGER)"), ())?;
/// conn.execute(text("INSERT INTO t VALUES (:x)"), params! { "x" => 1 })?;
/// assert!(conn.in_transaction());
/// conn.commit()?;
/// {
///     let mut tx = conn.begin()?;
///     tx.execute(text("INSERT INTO t VALUES (2)"), ())?;
///     let mut sp = tx.begin_nested()?;
///     sp.execute(text("INSERT INTO t VALUES (3)"), ())?;
///     sp.rollback()?; // only 3 goes
///     tx.commit()?;
/// }
/// let all: Vec<i64> = conn.execute(text("SELECT x FROM t ORDER BY x"), ())?.scalars().all()?;
/// assert_eq!(all, [1, 2]);
/// # Ok::<(), sqlcore::Error>(())
/// ```
pub struct Connection {
    engine: Engine,
    record: Option<PoolRecord>,
    tx: TxState,
    options: ExecutionOptions,
    /// The driver's isolation level before this connection changed it, to restore at checkin.
    restore_isolation: Option<IsolationLevel>,
    closed: bool,
    /// Where its statements go, with read replicas.
    routing: Routing<Box<dyn Pool>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("engine", &self.engine)
            .field("in_transaction", &self.tx.in_transaction())
            .field("savepoints", &self.tx.savepoints())
            .field("closed", &self.closed)
            .field("invalidated", &self.tx.invalidated())
            .finish()
    }
}

impl Connection {
    pub(crate) fn new(engine: Engine) -> Result<Self> {
        let record = crate::pool::check_out(engine.pool())?;
        let options = engine.get_execution_options().clone();
        let mut conn = Connection {
            engine,
            record: Some(record),
            tx: TxState::default(),
            options: ExecutionOptions::default(),
            restore_isolation: None,
            closed: false,
            routing: Routing::default(),
        };
        if options != conn.options {
            conn.execution_options(options)?;
        }
        Ok(conn)
    }

    #[cfg(feature = "async")]
    /// A connection over `record`, lent by the async engine for
    /// [`AsyncConnection::run_sync`](crate::AsyncConnection::run_sync): its options and
    /// transaction as the async connection has them (see [`Connection::unlend`]).
    pub(crate) fn lent(
        engine: Engine,
        record: PoolRecord,
        options: ExecutionOptions,
        in_tx: bool,
    ) -> Self {
        let mut tx = TxState::default();
        if in_tx {
            tx.begun();
        }
        Connection {
            engine,
            record: Some(record),
            tx,
            options,
            restore_isolation: None,
            closed: false,
            routing: Routing::default(),
        }
    }

    #[cfg(feature = "async")]
    /// Ends a lent connection without closing what it was lent: the database connection
    /// (none if it was invalidated), whether a transaction is open (or must be rolled back),
    /// and the isolation level to restore at checkin.
    pub(crate) fn unlend(&mut self) -> (Option<PoolRecord>, bool, Option<IsolationLevel>) {
        self.closed = true;
        let in_tx = self.tx.in_transaction() || self.tx.pending_rollback();
        self.tx.ended();
        (self.record.take(), in_tx, self.restore_isolation.take())
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The SQL dialect.
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.engine.dialect()
    }

    /// The current execution options.
    pub fn get_execution_options(&self) -> &ExecutionOptions {
        &self.options
    }

    fn effective_isolation(&self) -> Option<IsolationLevel> {
        self.options
            .isolation_level
            .or(self.engine.isolation_level())
    }

    fn autocommit(&self) -> bool {
        self.effective_isolation() == Some(IsolationLevel::Autocommit)
    }

    /// How a transaction begun under `options` begins on SQLite.
    fn sqlite_begin(&self, options: &ExecutionOptions) -> SqliteBegin {
        options
            .sqlite_begin
            .or(self.engine.sqlite_begin())
            .unwrap_or_default()
    }

    /// The driver connection, checking one out again after an invalidation.
    #[inline]
    fn raw(&mut self) -> Result<&mut dyn DriverConnection> {
        if self.closed || self.tx.pending_rollback() || self.record.is_none() {
            return self.checked_out();
        }
        match self.record.as_mut() {
            Some(record) => Ok(record.driver_connection()),
            None => Err(no_database_connection()),
        }
    }

    /// [`Connection::raw`]'s other cases: an error when closed or awaiting a rollback, a
    /// connection checked out again after an invalidation.
    #[cold]
    fn checked_out(&mut self) -> Result<&mut dyn DriverConnection> {
        if self.closed {
            return Err(Error::ResourceClosed("this connection is closed".into()));
        }
        if self.tx.pending_rollback() {
            return Err(self.tx.pending_rollback_error(
                "can't reconnect until the invalid transaction is rolled back",
            ));
        }
        if self.record.is_none() {
            let record = crate::pool::check_out(self.engine.pool())?;
            self.record = Some(record);
            self.tx.reconnected();
            if let Some(level) = self.options.isolation_level {
                self.apply_isolation(level)?;
            }
        }
        match self.record.as_mut() {
            Some(record) => Ok(record.driver_connection()),
            None => Err(no_database_connection()),
        }
    }

    /// Sets the execution options, replacing the current set (see
    /// [`Connection::update_execution_options`] to change some and keep the rest). Changing the
    /// isolation level while a transaction is open is an [`Error::InvalidRequest`].
    pub fn execution_options(&mut self, options: ExecutionOptions) -> Result<&mut Self> {
        if options.isolation_level != self.options.isolation_level {
            if self.tx.in_transaction() {
                return Err(Error::InvalidRequest(
                    "the isolation level cannot change while a transaction is open; commit() or rollback() first".into(),
                ));
            }
            if let Some(level) = options.isolation_level {
                self.apply_isolation(level)?;
            } else if let Some(previous) = self.restore_isolation.take() {
                self.driver_call(|raw| raw.set_isolation_level(previous))?;
            }
        }
        self.options = options;
        Ok(self)
    }

    /// Changes some execution options, keeping the others (SQLAlchemy's merging
    /// `execution_options(**kw)`).
    ///
    /// ```
    /// use sqlcore::*;
    /// let engine = create_engine("sqlite://")?;
    /// let mut conn = engine.connect()?;
    /// conn.update_execution_options(|o| o.isolation_level(IsolationLevel::ReadUncommitted))?;
    /// conn.update_execution_options(|o| o.stream_results(true))?;
    /// assert_eq!(conn.get_execution_options().isolation_level, Some(IsolationLevel::ReadUncommitted));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn update_execution_options(
        &mut self,
        change: impl FnOnce(ExecutionOptions) -> ExecutionOptions,
    ) -> Result<&mut Self> {
        let options = change(self.options.clone());
        self.execution_options(options)
    }

    fn apply_isolation(&mut self, level: IsolationLevel) -> Result<()> {
        if level == IsolationLevel::Autocommit {
            return Ok(());
        }
        let raw = self.raw()?;
        if !raw.supported_isolation_levels().contains(&level) {
            return Err(Error::Argument(format!(
                "isolation level {level} is not supported by this database; it supports {} and AUTOCOMMIT",
                raw.supported_isolation_levels()
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let previous = self.driver_call(|raw| raw.isolation_level())?;
        if previous != level {
            self.driver_call(|raw| raw.set_isolation_level(level))?;
            self.restore_isolation.get_or_insert(previous);
        }
        Ok(())
    }

    /// The isolation level in effect, read from the database (`AUTOCOMMIT` when set so).
    pub fn get_isolation_level(&mut self) -> Result<IsolationLevel> {
        if self.autocommit() {
            return Ok(IsolationLevel::Autocommit);
        }
        self.driver_call(|raw| raw.isolation_level())
    }

    /// The pool's number for the database connection in use (`None` after an invalidation,
    /// until the next statement checks out a new one).
    pub fn connection_id(&self) -> Option<u64> {
        self.record.as_ref().map(PoolRecord::id)
    }

    /// The driver connection (SQLAlchemy's `conn.connection`); `as_any_mut()` reaches the
    /// driver's own object.
    pub fn driver_connection(&mut self) -> Result<&mut dyn DriverConnection> {
        self.raw()
    }

    /// Whether a transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.tx.in_transaction()
    }

    /// Whether a savepoint is open.
    pub fn in_nested_transaction(&self) -> bool {
        !self.tx.savepoints().is_empty()
    }

    /// The innermost open savepoint's name.
    pub fn get_nested_transaction(&self) -> Option<&str> {
        self.tx.savepoints().last().map(String::as_str)
    }

    /// Whether the connection is closed.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// Whether the database connection was invalidated (and not yet replaced).
    pub fn invalidated(&self) -> bool {
        self.tx.invalidated()
    }

    fn begin_root(&mut self, mode: SqliteBegin) -> Result<()> {
        self.pin_to_primary();
        if !self.autocommit() {
            let begun = self.driver_call(|raw| raw.begin_with(mode));
            self.stepped(TransactionOp::Begin, 0, None, &begun);
            begun?;
        } else {
            self.raw()?;
            self.transaction_step(TransactionOp::Begin, 0, None, None);
        }
        self.tx.begun();
        Ok(())
    }

    /// Runs a call on the driver connection: every statement sqlcore sends goes through here
    /// or through [`Connection::lost`], so a lost connection is always invalidated.
    fn driver_call<T>(
        &mut self,
        mut call: impl FnMut(&mut dyn DriverConnection) -> Result<T>,
    ) -> Result<T> {
        let mut result = call(self.raw()?);
        if self.replaced_when_lost_before_use(&result)? {
            result = call(self.raw()?);
        }
        self.watch(result)
    }

    /// Runs `request` on the driver connection, once more on a new one should the first fail
    /// with the connection lost before the call used it (see
    /// [`Connection::replaced_when_lost_before_use`]).
    fn execute_request(
        &mut self,
        request: &crate::driver::Request<'_>,
    ) -> Result<crate::driver::Execution> {
        let mut result = self.raw()?.execute(request);
        if self.replaced_when_lost_before_use(&result)? {
            result = self.raw()?.execute(request);
        }
        result
    }

    /// Whether `result`, a driver call's, failed with the connection lost before the call
    /// could use it (see [`DriverConnection::lost_before_use`]: the reset of its previous
    /// checkout failed, or it was found gone before anything was sent): nothing of the call
    /// committed, so the connection is replaced — invalidated through the pool, as a lost one
    /// is — the transaction this connection had begun (nothing of it reached the server)
    /// begins on the new one, and the call may run again there. The caller never sees that
    /// failure.
    #[inline]
    fn replaced_when_lost_before_use<T>(&mut self, result: &Result<T>) -> Result<bool> {
        match result {
            Err(e) if e.connection_invalidated() => self.replaced_when_lost(e),
            _ => Ok(false),
        }
    }

    /// [`Connection::replaced_when_lost_before_use`] for a call that failed with `error`, a
    /// connection invalidated.
    #[cold]
    fn replaced_when_lost(&mut self, error: &Error) -> Result<bool> {
        let Some(mut record) = self.record.take() else {
            return Ok(false);
        };
        if !record.conn.lost_before_use() {
            self.record = Some(record);
            return Ok(false);
        }
        tracing::info!(target: "sqlcore.pool", id = record.id(), error = %error, "the connection was lost before this call used it; replacing the connection");
        self.engine.pool().factory().bump_generation();
        self.engine.pool().discard(record);
        self.restore_isolation = None;
        self.raw()?;
        if self.tx.in_transaction() && !self.autocommit() {
            let mode = self.sqlite_begin(&self.options);
            self.raw()?.begin_with(mode)?;
        }
        Ok(true)
    }

    /// Passes a driver call's result through; a lost connection is invalidated on the way.
    fn watch<T>(&mut self, result: Result<T>) -> Result<T> {
        if let Err(e) = &result {
            if e.connection_invalidated() {
                self.lost(e.clone());
            }
        }
        result
    }

    /// The database connection was found dead: it is invalidated with `cause`, and so is
    /// every connection the pool opened before it.
    fn lost(&mut self, cause: Error) {
        self.engine.pool().factory().bump_generation();
        self.invalidate_because(Some(cause));
    }

    /// Begins a transaction (in `mode` on SQLite) unless one is open or under AUTOCOMMIT.
    #[inline]
    fn autobegin(&mut self, mode: SqliteBegin) -> Result<()> {
        // Called before every statement run on the primary, in AUTOCOMMIT too.
        self.pin_to_primary();
        if !self.tx.in_transaction() && !self.autocommit() {
            self.begin_root(mode)?;
        }
        Ok(())
    }

    /// Begins a transaction; the guard commits on `commit()` and rolls back when dropped.
    /// An error if a transaction is already open (including an autobegun one).
    pub fn begin(&mut self) -> Result<Transaction<'_>> {
        if self.tx.in_transaction() {
            return Err(Error::InvalidRequest(
                "a transaction is already begun on this connection; commit() or rollback() it first".into(),
            ));
        }
        self.begin_root(self.sqlite_begin(&self.options))?;
        Ok(Transaction::new(self))
    }

    /// Opens a savepoint (beginning a transaction first if none is open); the guard releases
    /// it on `commit()` and rolls back to it when dropped.
    pub fn begin_nested(&mut self) -> Result<NestedTransaction<'_>> {
        if !self.tx.in_transaction() {
            self.begin_root(self.sqlite_begin(&self.options))?;
        }
        let name = self.tx.next_savepoint();
        let opened = self.driver_call(|raw| raw.savepoint(&name));
        let depth = self.tx.savepoints().len() + 1;
        self.stepped(TransactionOp::Savepoint, depth, Some(&name), &opened);
        opened?;
        self.tx.savepoint_opened(name.clone());
        Ok(NestedTransaction::new(self, name))
    }

    pub(crate) fn release_savepoint(&mut self, name: &str) -> Result<()> {
        let depth = self.tx.savepoint_depth(name);
        self.tx.pop_savepoint(name);
        let released = if self.tx.pending_rollback() {
            Err(self
                .tx
                .pending_rollback_error("can't release the savepoint"))
        } else {
            self.driver_call(|raw| raw.release_savepoint(name))
        };
        self.stepped(TransactionOp::Release, depth, Some(name), &released);
        released
    }

    pub(crate) fn rollback_to_savepoint(&mut self, name: &str) -> Result<()> {
        let depth = self.tx.savepoint_depth(name);
        self.tx.pop_savepoint(name);
        // Invalidated: the savepoint went with the connection (the enclosing transaction
        // still has to be rolled back).
        let rolled_back = if self.record.is_some() {
            self.driver_call(|raw| raw.rollback_to_savepoint(name))
        } else {
            Ok(())
        };
        let op = TransactionOp::RollbackToSavepoint;
        self.stepped(op, depth, Some(name), &rolled_back);
        rolled_back
    }

    /// Commits the open transaction, if any (savepoints included).
    ///
    /// After the connection was invalidated inside the transaction (a disconnect, or
    /// [`Connection::invalidate`]) this is [`Error::PendingRollback`]: nothing was committed,
    /// and `rollback()` ends the transaction. A connection lost while the COMMIT was in flight
    /// is [`Error::CommitOutcomeUnknown`]: the transaction may or may not have been committed.
    pub fn commit(&mut self) -> Result<()> {
        if self.tx.pending_rollback() {
            return Err(self.tx.pending_rollback_error("can't commit"));
        }
        let driver_tx = self
            .record
            .as_ref()
            .is_some_and(|r| r.conn.in_transaction());
        if !self.tx.in_transaction() && !driver_tx {
            return Ok(());
        }
        if driver_tx {
            // Also under AUTOCOMMIT, where a savepoint opened a transaction of its own.
            // State changes only once the COMMIT succeeded: a failed one can be rolled back.
            if let Err(e) = self.raw()?.commit() {
                let still_open = self
                    .record
                    .as_ref()
                    .is_some_and(|r| r.conn.in_transaction());
                let (e, lost) = self.tx.commit_failed(e, still_open);
                if let Some(cause) = lost {
                    self.lost(cause);
                }
                self.transaction_step(TransactionOp::Commit, 0, None, Some(&e));
                return Err(e);
            }
        }
        self.tx.ended();
        self.transaction_step(TransactionOp::Commit, 0, None, None);
        Ok(())
    }

    /// Rolls back the open transaction, if any; also clears the pending-rollback state of an
    /// invalidated connection.
    pub fn rollback(&mut self) -> Result<()> {
        self.rollback_with(false)
    }

    /// [`Connection::rollback`]; `on_checkin`: as the connection goes back to the pool, where
    /// the driver need not wait for the reply (see [`DriverConnection::rollback_on_checkin`]).
    fn rollback_with(&mut self, on_checkin: bool) -> Result<()> {
        let open = self.tx.in_transaction() || self.tx.pending_rollback();
        self.tx.rolled_back();
        let rolled_back = match self.record.as_mut() {
            Some(record) if record.conn.in_transaction() => {
                let conn = record.driver_connection();
                Some(if on_checkin {
                    conn.rollback_on_checkin()
                } else {
                    conn.rollback()
                })
            }
            _ => None,
        };
        let sent = rolled_back.is_some();
        let rolled_back = self.watch(rolled_back.unwrap_or(Ok(())));
        if open || sent {
            self.stepped(TransactionOp::Rollback, 0, None, &rolled_back);
        }
        rolled_back
    }

    /// Discards the database connection: it is closed, never reused. A transaction that was
    /// open must be rolled back before the connection is used again; then a new database
    /// connection is checked out.
    pub fn invalidate(&mut self) {
        self.invalidate_because(None);
    }

    fn invalidate_because(&mut self, cause: Option<Error>) {
        if let Some(record) = self.record.take() {
            self.engine.pool().discard(record);
        }
        self.restore_isolation = None;
        self.tx.invalidate(cause);
    }

    /// Returns the database connection to the pool (rolled back) and closes this connection.
    pub fn close(&mut self) {
        if self.closed {
            return;
        }
        // As SQLAlchemy: closing rolls back this connection's own transaction; the pool's
        // reset-on-return then deals with anything begun on the driver connection directly.
        if self.tx.in_transaction() {
            if let Err(e) = self.rollback_with(true) {
                tracing::warn!(target: "sqlcore.engine", error = %e, "rollback at close failed; discarding the connection");
                self.invalidate();
            }
        }
        self.closed = true;
        self.tx.ended();
        self.release_replica();
        if let Some(mut record) = self.record.take() {
            if let Some(previous) = self.restore_isolation.take() {
                if record
                    .driver_connection()
                    .set_isolation_level(previous)
                    .is_err()
                {
                    return self.engine.pool().discard(record);
                }
            }
            crate::pool::return_connection(self.engine.pool(), record);
        }
    }

    /// The names of the tables in `schema` (the default schema when `None`), in one query.
    pub fn table_names(&mut self, schema: Option<&str>) -> Result<Vec<String>> {
        self.driver_call(|raw| raw.table_names(schema))
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.close();
    }
}

/// The error of a connection left without a database connection.
#[cold]
fn no_database_connection() -> Error {
    Error::ResourceClosed("this connection has no database connection".into())
}
