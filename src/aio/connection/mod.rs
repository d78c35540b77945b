//! [`AsyncConnection`]: executes statements on one pooled connection, with commit-as-you-go
//! and explicit transactions — the sync [`Connection`](crate::Connection)'s behaviour, from the
//! same shared pieces (the call step, the transaction state), awaited.

mod execute;
mod route;

use super::AsyncReplicaPool;
use super::engine::AsyncEngine;
use super::pool::PooledConnection;
use super::transaction::{AsyncNestedTransaction, AsyncTransaction};
use crate::connection::tx_state::TxState;
use crate::driver::AsyncDriverConnection;
use crate::error::{Error, Result};
use crate::events::{EventSource, Observed, Observers, TransactionOp};
use crate::options::{ExecutionOptions, IsolationLevel, SqliteBegin};
use crate::replicas::Routing;
use futures_util::future::BoxFuture;
use sqlcore_compiler::Dialect;

/// How a transaction guard dropped without `commit()`/`rollback()` is ended.
#[derive(Debug)]
pub(crate) enum GuardEnd {
    /// The transaction is rolled back.
    Rollback,
    /// The connection rolls back to the savepoint.
    RollbackTo(String),
}

/// One connection from the async engine's pool. Dropping it returns it to the pool, where it
/// is rolled back before anyone else gets it.
///
/// Commit-as-you-go as the sync [`Connection`](crate::Connection): the first statement begins
/// a transaction, which lasts until `commit()` or `rollback()`; or use the
/// [`begin`](AsyncConnection::begin) / [`begin_nested`](AsyncConnection::begin_nested) guards.
///
/// Cancellation: a future of this connection dropped before it completes (a timeout,
/// `tokio::select!`) leaves the connection not knowing its transaction's state, so it is
/// invalidated at its next use (a transaction that was open must be rolled back first, as
/// after a disconnect), and the pool resets or discards it before anyone else gets it: on
/// PostgreSQL what the dropped call sent is finished and rolled back (or, if it still runs
/// after [`RECOVER_TIMEOUT`](crate::driver::RECOVER_TIMEOUT), cancelled and the connection
/// closed); a SQLite call finishes on the connection's thread.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sqlcore::Error> {
/// use sqlcore::*;
/// let engine = create_async_engine("sqlite://")?;
/// let mut conn = engine.connect().await?;
/// conn.execute(text("CREATE TABLE t (x INTEGER)"), ()).await?;
/// conn.commit().await?;
/// {
///     let mut tx = conn.begin().await?;
///     tx.execute(text("INSERT INTO t VALUES (1)"), ()).await?;
///     let mut sp = tx.begin_nested().await?;
///     sp.execute(text("INSERT INTO t VALUES (2)"), ()).await?;
///     sp.rollback().await?; // only 2 goes
///     tx.commit().await?;
/// }
/// let all: Vec<i64> = conn.execute(text("SELECT x FROM t"), ()).await?.scalars().all()?;
/// assert_eq!(all, [1]);
/// # Ok(())
/// # }
/// ```
pub struct AsyncConnection {
    engine: AsyncEngine,
    pooled: Option<PooledConnection>,
    tx: TxState,
    options: ExecutionOptions,
    /// The driver's isolation level before this connection changed it, to restore at checkin.
    restore_isolation: Option<IsolationLevel>,
    closed: bool,
    /// A driver call's future was dropped before it completed: what it did is unknown here.
    busy: bool,
    /// A guard was dropped without `commit()`/`rollback()`: its end, before anything else.
    guard_end: Option<GuardEnd>,
    /// Where its statements go, with read replicas.
    routing: Routing<AsyncReplicaPool>,
}

impl std::fmt::Debug for AsyncConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncConnection")
            .field("engine", &self.engine)
            .field("in_transaction", &self.tx.in_transaction())
            .field("savepoints", &self.tx.savepoints())
            .field("closed", &self.closed)
            .field("invalidated", &self.tx.invalidated())
            .finish()
    }
}

impl AsyncConnection {
    pub(crate) async fn new(engine: AsyncEngine) -> Result<Self> {
        let pooled = engine.pool().checkout().await?;
        let options = engine.get_execution_options().clone();
        let mut conn = AsyncConnection {
            engine,
            pooled: Some(pooled),
            tx: TxState::default(),
            options: ExecutionOptions::default(),
            restore_isolation: None,
            closed: false,
            busy: false,
            guard_end: None,
            routing: Routing::default(),
        };
        if options != conn.options {
            conn.execution_options(options).await?;
        }
        Ok(conn)
    }

    /// The engine.
    pub fn engine(&self) -> &AsyncEngine {
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

    /// The pool's number for the database connection in use (`None` after an invalidation,
    /// until the next statement checks out a new one).
    pub fn connection_id(&self) -> Option<u64> {
        self.pooled.as_ref().map(PooledConnection::id)
    }

    fn effective_isolation(&self) -> Option<IsolationLevel> {
        self.options
            .isolation_level
            .or(self.engine.isolation_level())
    }

    fn autocommit(&self) -> bool {
        self.effective_isolation() == Some(IsolationLevel::Autocommit)
    }

    pub(crate) fn guard_dropped(&mut self, end: GuardEnd) {
        if !matches!(self.guard_end, Some(GuardEnd::Rollback)) {
            self.guard_end = Some(end);
        }
    }

    /// Ends what a dropped guard left open (before anything else runs).
    async fn settle(&mut self) -> Result<()> {
        match self.guard_end.take() {
            None => Ok(()),
            // Seldom needed: boxed, so that its future does not weigh on every call's.
            Some(end) => Box::pin(self.end_guard(end)).await,
        }
    }

    async fn end_guard(&mut self, end: GuardEnd) -> Result<()> {
        match end {
            GuardEnd::Rollback => self.rollback_now().await,
            // Unless the savepoint ended already (its transaction ended through the connection).
            GuardEnd::RollbackTo(name) if self.tx.savepoints().contains(&name) => {
                self.rollback_to_savepoint_now(&name).await
            }
            GuardEnd::RollbackTo(_) => Ok(()),
        }
    }

    /// The connection is ready for a call: open, no rollback pending, and a database
    /// connection checked out (again, after an invalidation). One found busy (a call's future
    /// was dropped) is invalidated first.
    async fn ready(&mut self) -> Result<&mut PooledConnection> {
        if self.closed {
            return Err(Error::ResourceClosed("this connection is closed".into()));
        }
        if self.busy {
            self.abandon_busy();
        }
        if self.tx.pending_rollback() {
            return Err(self.tx.pending_rollback_error(
                "can't reconnect until the invalid transaction is rolled back",
            ));
        }
        if self.pooled.is_none() {
            // Seldom needed: boxed, so that its future does not weigh on every call's.
            Box::pin(self.check_out_again()).await?;
        }
        self.pooled.as_mut().ok_or_else(|| {
            Error::ResourceClosed("this connection has no database connection".into())
        })
    }

    /// A database connection checked out after an invalidation, under the connection's
    /// isolation level.
    async fn check_out_again(&mut self) -> Result<()> {
        self.pooled = Some(self.engine.pool().checkout().await?);
        self.tx.reconnected();
        if let Some(level) = self.options.isolation_level {
            self.set_isolation_now(level).await?;
        }
        Ok(())
    }

    /// Runs a call on the driver connection, marked busy while it runs (see
    /// [`AsyncConnection::ready`]); the result as the driver gave it.
    async fn raw_call<T>(
        &mut self,
        f: impl for<'a> FnOnce(&'a mut dyn AsyncDriverConnection) -> BoxFuture<'a, Result<T>>,
    ) -> Result<T> {
        self.ready().await?;
        let Some(pooled) = self.pooled.as_mut() else {
            return Err(Error::ResourceClosed(
                "this connection has no database connection".into(),
            ));
        };
        let conn = pooled.driver()?;
        self.busy = true;
        let result = f(conn).await;
        self.busy = false;
        result
    }

    /// Runs a call on the driver connection: a lost connection is invalidated on the way.
    async fn driver_call<T>(
        &mut self,
        f: impl for<'a> FnOnce(&'a mut dyn AsyncDriverConnection) -> BoxFuture<'a, Result<T>>,
    ) -> Result<T> {
        let result = self.raw_call(f).await;
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

    /// A call's future was dropped, so what it did is unknown: this connection lets its
    /// database connection go, invalidated as far as this connection knows (a transaction that
    /// was open must be rolled back first). A native one goes back to the pool, which
    /// recovers it (finishing what the dropped call sent, rolling back) or closes it; a
    /// blocking one is discarded.
    fn abandon_busy(&mut self) {
        self.busy = false;
        if let Some(mut pooled) = self.pooled.take() {
            if pooled.worker().is_some() {
                pooled.discard();
            } else if let Some(previous) = self.restore_isolation.take() {
                if pooled.restore_isolation(previous).is_err() {
                    pooled.discard();
                }
            }
        }
        self.restore_isolation = None;
        self.tx.invalidate(None);
    }

    /// Discards the database connection: it is closed, never reused. A transaction that was
    /// open must be rolled back before the connection is used again; then a new database
    /// connection is checked out.
    pub fn invalidate(&mut self) {
        self.invalidate_because(None);
    }

    fn invalidate_because(&mut self, cause: Option<Error>) {
        if let Some(pooled) = self.pooled.take() {
            pooled.discard();
        }
        self.restore_isolation = None;
        self.tx.invalidate(cause);
    }

    /// Sets the execution options, replacing the current set. Changing the isolation level
    /// while a transaction is open is an [`Error::InvalidRequest`].
    pub async fn execution_options(&mut self, options: ExecutionOptions) -> Result<&mut Self> {
        self.settle().await?;
        if options.isolation_level != self.options.isolation_level {
            if self.tx.in_transaction() {
                return Err(Error::InvalidRequest(
                    "the isolation level cannot change while a transaction is open; commit() or rollback() first".into(),
                ));
            }
            if let Some(level) = options.isolation_level {
                self.apply_isolation(level).await?;
            } else if let Some(previous) = self.restore_isolation.take() {
                self.driver_call(|c| c.set_isolation_level(previous))
                    .await?;
            }
        }
        self.options = options;
        Ok(self)
    }

    /// Changes some execution options, keeping the others.
    pub async fn update_execution_options(
        &mut self,
        change: impl FnOnce(ExecutionOptions) -> ExecutionOptions,
    ) -> Result<&mut Self> {
        let options = change(self.options.clone());
        self.execution_options(options).await
    }

    async fn apply_isolation(&mut self, level: IsolationLevel) -> Result<()> {
        self.ready().await?;
        self.set_isolation_now(level).await
    }

    /// Sets `level` on the database connection checked out (unless it has it already),
    /// keeping the level it had to restore at checkin.
    async fn set_isolation_now(&mut self, level: IsolationLevel) -> Result<()> {
        if level == IsolationLevel::Autocommit {
            return Ok(());
        }
        let Some(pooled) = self.pooled.as_mut() else {
            return Ok(());
        };
        let supported = pooled.supported_isolation_levels();
        if !supported.contains(&level) {
            return Err(Error::Argument(format!(
                "isolation level {level} is not supported by this database; it supports {} and AUTOCOMMIT",
                supported
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let conn = pooled.driver()?;
        self.busy = true;
        let set: Result<Option<IsolationLevel>> = async {
            let previous = conn.isolation_level().await?;
            if previous != level {
                conn.set_isolation_level(level).await?;
                return Ok(Some(previous));
            }
            Ok(None)
        }
        .await;
        self.busy = false;
        match set {
            Ok(previous) => {
                if let Some(previous) = previous {
                    self.restore_isolation.get_or_insert(previous);
                }
                Ok(())
            }
            Err(e) => {
                if e.connection_invalidated() {
                    self.lost(e.clone());
                }
                Err(e)
            }
        }
    }

    /// The isolation level in effect, read from the database (`AUTOCOMMIT` when set so).
    pub async fn get_isolation_level(&mut self) -> Result<IsolationLevel> {
        if self.autocommit() {
            return Ok(IsolationLevel::Autocommit);
        }
        self.driver_call(|c| c.isolation_level()).await
    }

    pub(crate) async fn begin_root(&mut self) -> Result<()> {
        let mode = self.sqlite_begin();
        self.begin_in(mode).await
    }

    fn sqlite_begin(&self) -> SqliteBegin {
        self.engine.context().sqlite_begin(&self.options)
    }

    async fn begin_in(&mut self, mode: SqliteBegin) -> Result<()> {
        self.pin_to_primary();
        if !self.autocommit() {
            let begun = self.driver_call(|c| c.begin_with(mode)).await;
            self.stepped(TransactionOp::Begin, 0, None, &begun);
            begun?;
        } else {
            self.ready().await?;
            self.transaction_step(TransactionOp::Begin, 0, None, None);
        }
        self.tx.begun();
        Ok(())
    }

    /// Begins a transaction unless one is open or under AUTOCOMMIT.
    async fn autobegin(&mut self, mode: SqliteBegin) -> Result<()> {
        // Called before every statement run on the primary, in AUTOCOMMIT too.
        self.pin_to_primary();
        if !self.tx.in_transaction() && !self.autocommit() {
            // Once per transaction: boxed, so that its future does not weigh on every call's.
            Box::pin(self.begin_in(mode)).await?;
        }
        Ok(())
    }

    /// Begins a transaction; the guard commits on `commit()` and rolls back when dropped
    /// (before the connection's next statement, or by the pool). An error if a transaction is
    /// already open (including an autobegun one).
    pub async fn begin(&mut self) -> Result<AsyncTransaction<'_>> {
        self.settle().await?;
        if self.tx.in_transaction() {
            return Err(Error::InvalidRequest(
                "a transaction is already begun on this connection; commit() or rollback() it first".into(),
            ));
        }
        self.begin_root().await?;
        Ok(AsyncTransaction::new(self))
    }

    /// Opens a savepoint (beginning a transaction first if none is open); the guard releases
    /// it on `commit()` and rolls back to it when dropped.
    pub async fn begin_nested(&mut self) -> Result<AsyncNestedTransaction<'_>> {
        self.settle().await?;
        if !self.tx.in_transaction() {
            self.begin_root().await?;
        }
        let name = self.tx.next_savepoint();
        let sql_name = name.clone();
        let opened = self.driver_call(move |c| c.savepoint(&sql_name)).await;
        let depth = self.tx.savepoints().len() + 1;
        self.stepped(TransactionOp::Savepoint, depth, Some(&name), &opened);
        opened?;
        self.tx.savepoint_opened(name.clone());
        Ok(AsyncNestedTransaction::new(self, name))
    }

    pub(crate) async fn release_savepoint(&mut self, name: &str) -> Result<()> {
        self.settle().await?;
        let depth = self.tx.savepoint_depth(name);
        self.tx.pop_savepoint(name);
        let released = if self.tx.pending_rollback() {
            Err(self
                .tx
                .pending_rollback_error("can't release the savepoint"))
        } else {
            self.driver_call(|c| c.release_savepoint(name)).await
        };
        self.stepped(TransactionOp::Release, depth, Some(name), &released);
        released
    }

    pub(crate) async fn rollback_to_savepoint(&mut self, name: &str) -> Result<()> {
        self.settle().await?;
        self.rollback_to_savepoint_now(name).await
    }

    async fn rollback_to_savepoint_now(&mut self, name: &str) -> Result<()> {
        let depth = self.tx.savepoint_depth(name);
        self.tx.pop_savepoint(name);
        // Invalidated (or about to be): the savepoint went with the connection (the enclosing
        // transaction still has to be rolled back).
        let rolled_back = if self.pooled.is_none() || self.busy {
            Ok(())
        } else {
            self.driver_call(|c| c.rollback_to_savepoint(name)).await
        };
        let op = TransactionOp::RollbackToSavepoint;
        self.stepped(op, depth, Some(name), &rolled_back);
        rolled_back
    }

    /// Commits the open transaction, if any (savepoints included), with the sync
    /// connection's rules: [`Error::PendingRollback`] after an invalidation inside the
    /// transaction, [`Error::CommitOutcomeUnknown`] when the connection was lost while the
    /// COMMIT was in flight.
    pub async fn commit(&mut self) -> Result<()> {
        self.settle().await?;
        if self.busy {
            // A call's future was dropped: the connection goes (see `ready`).
            self.ready().await?;
        }
        if self.tx.pending_rollback() {
            return Err(self.tx.pending_rollback_error("can't commit"));
        }
        let driver_tx = self.pooled.as_ref().is_some_and(|p| p.in_transaction());
        if !self.tx.in_transaction() && !driver_tx {
            return Ok(());
        }
        if driver_tx {
            if let Err(e) = self.raw_call(|c| c.commit()).await {
                let still_open = self.pooled.as_ref().is_some_and(|p| p.in_transaction());
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
    pub async fn rollback(&mut self) -> Result<()> {
        self.guard_end = None;
        self.rollback_now().await
    }

    async fn rollback_now(&mut self) -> Result<()> {
        if self.busy {
            // What the dropped call did is unknown: the connection goes, and its transaction.
            self.abandon_busy();
        }
        let began = self.tx.in_transaction() || self.tx.pending_rollback();
        self.tx.rolled_back();
        let open = self.pooled.as_ref().is_some_and(|p| p.in_transaction());
        let rolled_back = if open {
            self.driver_call(|c| c.rollback()).await
        } else {
            Ok(())
        };
        if began || open {
            self.stepped(TransactionOp::Rollback, 0, None, &rolled_back);
        }
        rolled_back
    }

    /// Returns the database connection to the pool (rolled back there) and closes this
    /// connection.
    pub async fn close(&mut self) {
        if self.closed {
            return;
        }
        self.guard_end = None;
        if self.tx.in_transaction() {
            if let Err(e) = self.rollback_now().await {
                tracing::warn!(target: "sqlcore.engine", error = %e, "rollback at close failed; discarding the connection");
                self.invalidate();
            }
        }
        self.closed = true;
        self.tx.ended();
        self.give_back();
    }

    /// Gives the database connection back to the pool, its isolation level restored first
    /// (on its thread; a failure there discards it).
    fn give_back(&mut self) {
        self.routing.release(self.engine.replicas());
        let Some(mut pooled) = self.pooled.take() else {
            return;
        };
        if self.busy {
            // The pool's reset runs after the call still running, and cleans up after it.
            self.busy = false;
        }
        // As `close()`: this connection's own transaction is rolled back (the pool's reset
        // then deals with anything begun on the driver connection directly).
        if self.tx.in_transaction() && pooled.rollback_before_return().is_err() {
            return pooled.discard();
        }
        self.tx.ended();
        if let Some(previous) = self.restore_isolation.take() {
            if pooled.restore_isolation(previous).is_err() {
                return pooled.discard();
            }
        }
        drop(pooled);
    }
}

impl EventSource for AsyncConnection {
    #[inline]
    fn observers(&self) -> &Observers {
        &self.engine.settings().observers
    }

    #[inline]
    fn observed(&self) -> Observed<'_> {
        Observed::new(self.engine.settings(), &self.options, self.connection_id())
    }

    fn invalidate_for_panic(&mut self) {
        self.invalidate();
    }

    fn lost_connection(&mut self, cause: Error) {
        self.lost(cause);
    }
}

impl Drop for AsyncConnection {
    fn drop(&mut self) {
        // No await here: the pool's reset (on the connection's thread) rolls back whatever
        // is open, including a dropped guard's transaction.
        self.give_back();
    }
}
