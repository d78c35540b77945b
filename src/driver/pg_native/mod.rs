//! The native async PostgreSQL connection: `tokio-postgres` on the caller's runtime, its socket
//! driven by the task awaiting the call ([`driver`]), with no thread or task between that task
//! and the server. It runs the
//! sync driver's round trips (`pg_ops`), decoding (`pg_decode`), statement cache
//! (`pg_stmt_cache`) and error mapping, so both engines behave alike.
//!
//! Cancellation: every round trip marks the connection busy before it sends and clears the mark
//! once the answer is complete. A future dropped mid-call leaves the mark set, and the pool
//! [`recover`s](AsyncDriverConnection::recover) such a connection before anyone else gets it:
//! tokio-postgres discards the answers nobody waits for, in order, so a `ROLLBACK` sent then is
//! answered once everything before it has finished — after it the session is idle, outside any
//! transaction. A call still running after [`RECOVER_TIMEOUT`] is cancelled and the connection
//! closed: a cancel request is not acknowledged by the server, so one sent to a connection that
//! is kept could land on its next user's query.

mod blocking;
mod connect;
mod cursor;
mod driver;
mod portal;
mod query;

pub(crate) use connect::connect;

use super::pg_decode::{
    buffered_rows, declared_types, decodes_lazily, described_without_rows, fits, result_names,
    streams,
};
use super::pg_error::{aborted_commit, fail};
use super::pg_ops::{self, PING_TIMEOUT};
use super::pg_result_types::{Plan, ResultTypes};
use super::pg_stmt_cache::{Lookup, StatementCache};
use super::{AsyncDriverConnection, AsyncRowCursor, Chunked, Execution, Request, ResultNames};
use crate::error::{DbError, DbErrorKind, Error, Result};
use crate::options::{IsolationLevel, SqliteBegin};
use cursor::{BufferedCursor, NativeCursor, Pending};
use futures_util::future::BoxFuture;
use parking_lot::Mutex;
use sqlcore_compiler::{SqlType, Value};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::runtime::Handle;
use tokio_postgres::types::Type;
use tokio_postgres::{CancelToken, Client, Statement};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How long recovering a connection whose call was dropped waits for that call to finish
/// before cancelling it and closing the connection.
pub const RECOVER_TIMEOUT: Duration = Duration::from_secs(2);

/// How long closing a connection waits for its socket to say goodbye to the server.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// What a connection shares with its streamed results.
#[derive(Default)]
pub(super) struct ConnState {
    /// The connection's socket, driven by whoever waits for an answer.
    driver: driver::Driver,
    /// A round trip was sent and its answer is not complete yet.
    busy: AtomicBool,
    /// Bumped when a transaction ends or rolls back to a savepoint (closing its cursors).
    tx_epoch: AtomicU64,
    /// Bumped when the connection goes back to the pool.
    checkout_epoch: AtomicU64,
    /// A FETCH inside a transaction failed (so PostgreSQL has aborted it).
    fetch_failed: AtomicBool,
    /// What dropped cursors left to finish: a FETCH sent ahead, a CLOSE.
    pending: Mutex<Vec<Pending>>,
}

/// A PostgreSQL connection driven natively on the caller's tokio runtime. It is the async
/// engine's connection for PostgreSQL URLs; pool hooks reach it with
/// `conn.as_any_mut().downcast_mut::<PgAsyncConnection>()`.
pub struct PgAsyncConnection {
    client: Option<Arc<Client>>,
    cancel: CancelToken,
    tls: Option<MakeRustlsConnect>,
    cache: StatementCache,
    /// Behind a transaction-pooling proxy: the engine's plans for results of user types.
    result_types: Option<Arc<ResultTypes>>,
    /// Behind a transaction-pooling proxy: the isolation level each `BEGIN` asks for (the
    /// session's own is left alone).
    isolation: Option<IsolationLevel>,
    state: Arc<ConnState>,
    in_tx: bool,
    /// A statement failed inside the transaction: PostgreSQL has aborted it.
    tx_failed: bool,
    /// Open WITH HOLD cursors (declared outside a transaction).
    hold_cursors: usize,
    /// Cursors declared so far (their names).
    cursors: u64,
    /// The runtime the connection was opened on.
    handle: Handle,
}

impl std::fmt::Debug for PgAsyncConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgAsyncConnection")
            .field("in_transaction", &self.in_tx)
            .field("busy", &self.state.busy.load(Ordering::Acquire))
            .finish()
    }
}

/// The error of a call on a closed connection.
fn closed() -> Error {
    let mut e = DbError::new(DbErrorKind::Interface, "the connection is closed");
    e.connection_invalidated = true;
    Error::Db(e)
}

/// Runs one round trip, driving the connection, which is marked busy until the answer is
/// complete.
async fn tracked<F: Future>(state: &ConnState, call: F) -> F::Output {
    state.busy.store(true, Ordering::Release);
    let answer = state.driver.run(call).await;
    state.busy.store(false, Ordering::Release);
    answer
}

impl PgAsyncConnection {
    fn client(&self) -> Result<&Arc<Client>> {
        self.client.as_ref().ok_or_else(closed)
    }

    /// Maps a round trip's error; a failure inside a transaction marks it aborted.
    fn note<T>(&mut self, answer: std::result::Result<T, tokio_postgres::Error>) -> Result<T> {
        answer.map_err(|e| {
            if self.in_tx {
                self.tx_failed = true;
            }
            fail(e)
        })
    }

    /// Runs `sql` (one or more statements without parameters).
    async fn simple(&mut self, sql: &str) -> Result<()> {
        self.settle().await?;
        let client = self.client()?.clone();
        let answer = tracked(&self.state, client.batch_execute(sql)).await;
        self.note(answer)
    }

    /// Whether dropped cursors left something for [`settle`](Self::settle) to finish.
    fn unsettled(&self) -> bool {
        self.state.fetch_failed.load(Ordering::Acquire) || !self.state.pending.lock().is_empty()
    }

    /// Finishes what dropped cursors left: the FETCH sent ahead is waited for, the cursor
    /// closed if it still exists.
    async fn settle(&mut self) -> Result<()> {
        if self.state.fetch_failed.swap(false, Ordering::AcqRel) && self.in_tx {
            self.tx_failed = true;
        }
        let pending = std::mem::take(&mut *self.state.pending.lock());
        for p in pending {
            let p = match p {
                Pending::Cursor(p) => p,
                Pending::Portal(rest) => {
                    if rest.finish(&self.state).await? {
                        self.tx_failed = true;
                    }
                    continue;
                }
            };
            if let Some(ahead) = p.ahead {
                // Only its effect on the transaction matters: its rows are nobody's.
                if tracked(&self.state, ahead).await.is_err() && self.in_tx {
                    self.tx_failed = true;
                }
            }
            if p.hold {
                self.hold_cursors = self.hold_cursors.saturating_sub(1);
            }
            let alive = p.checkout_epoch == self.state.checkout_epoch.load(Ordering::Acquire)
                && (p.hold || p.tx_epoch == self.state.tx_epoch.load(Ordering::Acquire));
            if alive && !self.tx_failed {
                let client = self.client()?.clone();
                let close = format!("CLOSE {}", p.name);
                let answer = tracked(&self.state, client.batch_execute(&close)).await;
                self.note(answer)?;
            }
        }
        Ok(())
    }

    /// Behind a transaction-pooling proxy: the plan for `request`'s result (see
    /// `pg_result_types`), kept or described now.
    async fn plan(&mut self, request: &Request<'_>, types: &[Type]) -> Result<Option<Arc<Plan>>> {
        let Some(result_types) = self.result_types.clone() else {
            return Ok(None);
        };
        if let Some(plan) = result_types.kept(request, types) {
            return Ok(Some(plan));
        }
        if self.tx_failed {
            // The statement fails as it is: nothing to describe.
            return Ok(None);
        }
        let client = self.client()?.clone();
        let call = result_types.plan(&client, request, types, self.in_tx);
        let answer = tracked(&self.state, call).await;
        self.note(answer)
    }

    /// The prepared statement for `request`, from the cache or prepared now (and cached).
    async fn statement(&mut self, request: &Request<'_>) -> Result<Statement> {
        match self.cache.get(request) {
            Some(stmt) => Ok(stmt),
            None => self.prepare_kept(request).await,
        }
    }

    /// Prepares `request`'s statement and keeps it.
    async fn prepare_kept(&mut self, request: &Request<'_>) -> Result<Statement> {
        let types = declared_types(request);
        let client = self.client()?.clone();
        let answer = tracked(&self.state, pg_ops::prepare(&client, request.sql, &types)).await;
        let stmt = self.note(answer)?;
        // Evicting drops the oldest statement, which closes it on the server.
        self.cache.put(request.sql, stmt.clone());
        Ok(stmt)
    }

    async fn execute_inner(&mut self, request: &Request<'_>) -> Result<Execution> {
        // The common case (nothing to settle, the statement cached) awaits no inner future:
        // each would be built and moved into this one's state at every call.
        if self.unsettled() {
            self.settle().await?;
        }
        let stmt = match self.cache.lookup(request) {
            Lookup::Kept(stmt) => stmt,
            Lookup::Admit => self.prepare_kept(request).await?,
            // Without a cache, or not admitted to it: in one flight.
            Lookup::Unnamed => return self.execute_unnamed(request).await,
        };
        self.run_prepared(&stmt, request).await
    }

    /// Runs `request` as an unnamed statement, its parameter types the ones the request
    /// declares, in one flight (Parse, Bind, Execute): nothing outlives the call on the server.
    async fn execute_unnamed(&mut self, request: &Request<'_>) -> Result<Execution> {
        let client = self.client()?.clone();
        let types = declared_types(request);
        let plan = self.plan(request, &types).await?;
        let sql = plan.as_ref().map_or(request.sql, |p| p.sql(request.sql));
        let call = pg_ops::query_unnamed(&client, sql, request.params, types);
        let answer = tracked(&self.state, call).await;
        if let (Err(_), Some(result_types)) = (&answer, &self.result_types) {
            // A type may have changed: the statement is described afresh next time.
            result_types.forget(request.sql);
        }
        let (rows, rowcount) = self.note(answer)?;
        // Without a row the names are the compiled ones, or a description's (as on the sync
        // driver).
        let (columns, lazy) = match rows.first() {
            Some(row) => (
                result_names(row.columns(), request)?,
                decodes_lazily(row.columns()),
            ),
            None if described_without_rows(request, self.in_tx) => match &plan {
                Some(plan) => (plan.result_names(request)?, false),
                None => {
                    let client = self.client()?.clone();
                    let types = declared_types(request);
                    let call = pg_ops::prepare(&client, request.sql, &types);
                    let answer = tracked(&self.state, call).await;
                    let described = self.note(answer)?;
                    (result_names(described.columns(), request)?, false)
                }
            },
            None => (ResultNames::Expected, false),
        };
        buffered(columns, rows, lazy, rowcount.map_or(-1, |n| n as i64))
    }

    /// A streamed result: read as it arrives when `portal` (the stream holds the connection),
    /// else through a declared cursor.
    async fn stream_with(
        &mut self,
        request: &Request<'_>,
        portal: bool,
    ) -> Result<(ResultNames, Box<dyn AsyncRowCursor>)> {
        let result = self.open_stream(request, portal).await;
        if let Err(e) = &result {
            // A schema change invalidates a cached plan: prepare it afresh next time.
            self.cache.forget_if_stale(request.sql, e);
        }
        result
    }

    async fn open_stream(
        &mut self,
        request: &Request<'_>,
        portal: bool,
    ) -> Result<(ResultNames, Box<dyn AsyncRowCursor>)> {
        if !streams(request.sql) {
            return self.stream_buffered(request).await;
        }
        self.settle().await?;
        self.cache.check_stream(self.in_tx)?;
        // Behind a proxy, a query's plan describes it: a cursor is declared over the planned
        // query with its declared parameter types, never prepared (so no type lookup).
        if self.result_types.is_some() {
            let types = declared_types(request);
            if let Some(plan) = self.plan(request, &types).await? {
                let columns = plan.result_names(request)?;
                let cursor = self
                    .declare_cursor(request, plan.sql(request.sql), types, false)
                    .await?;
                return Ok((columns, cursor));
            }
        }
        let stmt = self.statement(request).await?;
        let columns = result_names(stmt.columns(), request)?;
        let cursor = if portal {
            self.open_portal(request, &stmt).await?
        } else {
            let lazy = decodes_lazily(stmt.columns());
            self.declare_cursor(request, request.sql, stmt.params().to_vec(), lazy)
                .await?
        };
        Ok((columns, cursor))
    }

    /// Runs a query whose rows are read as the stream is polled, on a connection that runs
    /// nothing else until the stream is dropped (see `portal`).
    async fn open_portal(
        &mut self,
        request: &Request<'_>,
        stmt: &Statement,
    ) -> Result<Box<dyn AsyncRowCursor>> {
        let client = self.client()?.clone();
        let unnamed = !self.cache.enabled();
        let call = pg_ops::query_portal(&client, request.sql, stmt, request.params, unnamed);
        let answer = tracked(&self.state, call).await;
        let rows = self.note(answer)?;
        let lazy = decodes_lazily(stmt.columns());
        let cursor = portal::PortalCursor::new(rows, self.state.clone(), lazy, self.in_tx);
        Ok(Box::new(cursor))
    }

    /// The rows of a statement that cannot feed a cursor or portal stream (DML with
    /// RETURNING), read now and handed out a chunk at a time.
    async fn stream_buffered(
        &mut self,
        request: &Request<'_>,
    ) -> Result<(ResultNames, Box<dyn AsyncRowCursor>)> {
        let exec = self.execute_inner(request).await?;
        let mut source = exec.rows;
        let mut rows = VecDeque::new();
        while let Some(row) = source.next_row()? {
            rows.push_back(row);
        }
        Ok((exec.columns, Box::new(BufferedCursor(rows))))
    }

    /// Declares a server-side cursor over `sql` (the request's, or its plan's behind a proxy)
    /// with parameters of `types`, fetched `request.stream` rows at a time, for a result its
    /// connection may run other statements beside (sync code, see `blocking`, and PgBouncer).
    async fn declare_cursor(
        &mut self,
        request: &Request<'_>,
        sql: &str,
        types: Vec<Type>,
        lazy: bool,
    ) -> Result<Box<dyn AsyncRowCursor>> {
        let chunk = request.stream.unwrap_or(1000).max(1);
        self.cursors += 1;
        let name = format!("sqlcore_cursor_{}", self.cursors);
        // Outside a transaction the cursor must outlive the implicit one of its DECLARE.
        let hold = !self.in_tx;
        let declare = format!(
            "DECLARE {name} NO SCROLL CURSOR {} FOR {}",
            if hold { "WITH HOLD" } else { "WITHOUT HOLD" },
            sql
        );
        let fetch_sql = format!("FETCH {chunk} FROM {name}");
        let client = self.client()?.clone();
        let unnamed = !self.cache.enabled();
        let call = pg_ops::declare_cursor(
            &client,
            &declare,
            types,
            request.params,
            &fetch_sql,
            unnamed,
        );
        let answer = tracked(&self.state, call).await;
        let fetch = self.note(answer)?;
        if hold {
            self.hold_cursors += 1;
        }
        // The first chunk is on its way while the result is handed over.
        let ahead = cursor::send_fetch(client.clone(), self.state.clone(), fetch.clone());
        let cursor = NativeCursor::new(cursor::Open {
            client,
            state: self.state.clone(),
            name,
            fetch,
            chunk,
            tx_epoch: self.state.tx_epoch.load(Ordering::Acquire),
            checkout_epoch: self.state.checkout_epoch.load(Ordering::Acquire),
            hold,
            lazy,
            in_tx: self.in_tx,
            ahead: Some(ahead),
        });
        Ok(Box::new(Chunked::new(cursor)))
    }

    async fn execute_many_inner(
        &mut self,
        sql: &str,
        param_types: &[Option<SqlType>],
        param_sets: Vec<Vec<Value>>,
    ) -> Result<i64> {
        self.settle().await?;
        let client = self.client()?.clone();
        let mut total = 0i64;
        let mut stmt: Option<Statement> = None;
        for params in &param_sets {
            let params: Vec<&Value> = params.iter().collect();
            let request = Request {
                sql,
                statement_id: None,
                params: &params,
                param_types,
                result_columns: &[],
                stream: None,
            };
            if !self.cache.enabled() {
                // Unnamed, one round trip per set: nothing prepared outlives the call.
                let types = declared_types(&request);
                let call = pg_ops::query_unnamed(&client, sql, &params, types);
                let (_, n) = self.note(tracked(&self.state, call).await)?;
                total += n.unwrap_or(0) as i64;
                continue;
            }
            let current = match stmt.take() {
                Some(s) if fits(&s, &request) => s,
                _ => self.statement(&request).await?,
            };
            let answer = tracked(&self.state, pg_ops::execute(&client, &current, &params)).await;
            total += self.note(answer)? as i64;
            stmt = Some(current);
        }
        Ok(total)
    }

    async fn end_transaction(&mut self, commit: bool) -> Result<()> {
        // A FETCH sent ahead completes inside the transaction it belongs to.
        self.settle().await?;
        self.state.tx_epoch.fetch_add(1, Ordering::AcqRel);
        self.in_tx = false;
        let failed = std::mem::take(&mut self.tx_failed);
        let client = self.client()?.clone();
        if commit && failed {
            // PostgreSQL would answer COMMIT with a silent ROLLBACK. Nothing commits, whether
            // or not the ROLLBACK gets through.
            let answer = tracked(&self.state, client.batch_execute("ROLLBACK")).await;
            let lost = answer.is_err_and(|e| fail(e).connection_invalidated());
            return Err(aborted_commit(lost));
        }
        if commit {
            // What the server sent meanwhile (its goodbye, if it closed the session) is read.
            self.state.driver.catch_up().await;
        }
        if commit && client.is_closed() {
            return Err(Error::Db(DbError::connection_does_not_exist(
                "the connection was lost before COMMIT was sent; nothing was committed",
            )));
        }
        let sql = if commit { "COMMIT" } else { "ROLLBACK" };
        let answer = tracked(&self.state, client.batch_execute(sql)).await;
        answer.map_err(fail)
    }

    /// Loads rows through binary COPY (see `pg_ops::copy_in`).
    pub(super) async fn copy_in(
        &mut self,
        sql: &str,
        types: &[Type],
        rows: &mut (dyn Iterator<Item = Result<Vec<Value>>> + Send),
    ) -> Result<i64> {
        self.settle().await?;
        let client = self.client()?.clone();
        let answer = tracked(&self.state, pg_ops::copy_in(&client, sql, types, rows)).await;
        let result = self.note(answer).and_then(|rows| rows);
        if result.is_err() && self.in_tx {
            self.tx_failed = true;
        }
        result
    }

    /// The connection goes back to the pool: results still reading from it stop, and WITH
    /// HOLD cursors are closed.
    async fn release_inner(&mut self) -> Result<()> {
        // What dropped cursors left is finished while they still belong to this checkout.
        self.settle().await?;
        self.state.checkout_epoch.fetch_add(1, Ordering::AcqRel);
        if self.hold_cursors > 0 {
            self.hold_cursors = 0;
            self.simple("CLOSE ALL").await?;
        }
        Ok(())
    }

    /// See the module's documentation.
    async fn recover_inner(&mut self) -> Result<()> {
        let client = self.client()?.clone();
        let drained = tokio::time::timeout(RECOVER_TIMEOUT, async {
            tracked(&self.state, client.batch_execute("ROLLBACK")).await
        })
        .await;
        match drained {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(fail(e)),
            Err(_) => {
                self.cancel_running().await;
                let mut e = DbError::new(
                    DbErrorKind::Operational,
                    format!(
                        "a cancelled call was still running after {RECOVER_TIMEOUT:?}; it was cancelled and the connection is closed"
                    ),
                );
                e.connection_invalidated = true;
                return Err(Error::Db(e));
            }
        }
        // The session is idle outside a transaction: cursors and everything queued are gone.
        self.state.pending.lock().clear();
        self.state.tx_epoch.fetch_add(1, Ordering::AcqRel);
        self.in_tx = false;
        self.tx_failed = false;
        if self.hold_cursors > 0 {
            self.hold_cursors = 0;
            let answer = tracked(&self.state, client.batch_execute("CLOSE ALL")).await;
            answer.map_err(fail)?;
        }
        Ok(())
    }

    /// Asks the server to cancel what the connection runs (for a connection about to close).
    async fn cancel_running(&self) {
        let sent = match &self.tls {
            Some(tls) => self.cancel.cancel_query(tls.clone()).await,
            None => self.cancel.cancel_query(tokio_postgres::NoTls).await,
        };
        if let Err(e) = sent {
            tracing::debug!(target: "sqlcore.postgres", error = %e, "cancel request failed");
        }
    }

    /// Closes the connection: a call still running is cancelled first, then the client goes
    /// and the connection is driven to its end (so the server has seen the session end).
    async fn close_inner(&mut self) {
        if self.state.busy.load(Ordering::Acquire) {
            self.cancel_running().await;
            self.state.busy.store(false, Ordering::Release);
        }
        self.state.pending.lock().clear();
        self.client = None;
        if let Some(connection) = self.state.driver.take() {
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, connection).await;
        }
    }

    /// Whether a call was dropped before its answer was complete.
    fn is_busy(&self) -> bool {
        self.state.busy.load(Ordering::Acquire)
    }

    /// Runs `f` with this connection's `tokio_postgres::Client` and waits for it: for pool
    /// event hooks, which the async engine runs off the runtime's workers (a blocking thread).
    pub fn with_client<T: Send>(
        &mut self,
        f: impl AsyncFnOnce(&Client) -> std::result::Result<T, tokio_postgres::Error> + Send,
    ) -> Result<T> {
        let client = self.client()?.clone();
        let handle = self.handle.clone();
        let state = self.state.clone();
        let answer = blocking::block_on(&handle, async move { tracked(&state, f(&client)).await });
        self.note(answer)
    }
}

/// A buffered result of `rows`.
fn buffered(
    columns: ResultNames,
    rows: Vec<tokio_postgres::Row>,
    lazy: bool,
    rowcount: i64,
) -> Result<Execution> {
    Ok(Execution {
        columns,
        rows: buffered_rows(rows, lazy)?,
        rowcount,
        last_insert_id: None,
    })
}

impl Drop for PgAsyncConnection {
    fn drop(&mut self) {
        if self.client.is_some() && self.is_busy() {
            // A query may still run on the server: cancel it, as the session ends.
            let (cancel, tls) = (self.cancel.clone(), self.tls.clone());
            self.handle.spawn(async move {
                let _ = match tls {
                    Some(tls) => cancel.cancel_query(tls).await,
                    None => cancel.cancel_query(tokio_postgres::NoTls).await,
                };
            });
        }
        // Not closed: the connection ends on its own, once its clients are gone.
        self.client = None;
        if let Some(connection) = self.state.driver.take() {
            self.handle.spawn(connection);
        }
    }
}

const LEVELS: &[IsolationLevel] = &[
    IsolationLevel::Serializable,
    IsolationLevel::RepeatableRead,
    IsolationLevel::ReadCommitted,
    IsolationLevel::ReadUncommitted,
];

impl AsyncDriverConnection for PgAsyncConnection {
    fn execute<'a>(&'a mut self, request: &'a Request<'a>) -> BoxFuture<'a, Result<Execution>> {
        // The (far) smaller future of the common call first; the general one otherwise.
        if let Some(stmt) = self.ready_statement(request) {
            return Box::pin(self.execute_cached(stmt, request));
        }
        Box::pin(async move {
            let result = self.execute_inner(request).await;
            if let Err(e) = &result {
                // A schema change invalidates a cached plan: prepare it afresh next time.
                self.cache.forget_if_stale(request.sql, e);
            }
            result
        })
    }

    fn execute_streamed<'a>(
        &'a mut self,
        request: &'a Request<'a>,
    ) -> BoxFuture<'a, Result<(ResultNames, Box<dyn AsyncRowCursor>)>> {
        Box::pin(self.stream_with(request, true))
    }

    fn execute_many<'a>(
        &'a mut self,
        sql: &str,
        param_types: &[Option<SqlType>],
        param_sets: Vec<Vec<Value>>,
    ) -> BoxFuture<'a, Result<i64>> {
        let (sql, types) = (sql.to_owned(), param_types.to_vec());
        Box::pin(async move { self.execute_many_inner(&sql, &types, param_sets).await })
    }

    fn execute_batch<'a>(&'a mut self, sql: &str) -> BoxFuture<'a, Result<()>> {
        let sql = sql.to_owned();
        Box::pin(async move { self.simple(&sql).await })
    }

    fn begin_with(&mut self, _mode: SqliteBegin) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.simple(&pg_ops::begin_sql(self.isolation)).await?;
            self.in_tx = true;
            Ok(())
        })
    }

    fn commit(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.end_transaction(true))
    }

    fn rollback(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.end_transaction(false))
    }

    fn savepoint<'a>(&'a mut self, name: &str) -> BoxFuture<'a, Result<()>> {
        let sql = format!("SAVEPOINT {name}");
        Box::pin(async move { self.simple(&sql).await })
    }

    fn release_savepoint<'a>(&'a mut self, name: &str) -> BoxFuture<'a, Result<()>> {
        let sql = format!("RELEASE SAVEPOINT {name}");
        Box::pin(async move { self.simple(&sql).await })
    }

    fn rollback_to_savepoint<'a>(&'a mut self, name: &str) -> BoxFuture<'a, Result<()>> {
        let sql = format!("ROLLBACK TO SAVEPOINT {name}");
        Box::pin(async move {
            self.simple(&sql).await?;
            // The transaction is usable again; cursors declared since the savepoint are gone
            // (conservatively, every cursor of the transaction stops).
            self.tx_failed = false;
            self.state.tx_epoch.fetch_add(1, Ordering::AcqRel);
            Ok(())
        })
    }

    fn in_transaction(&self) -> bool {
        self.in_tx
    }

    fn set_isolation_level(&mut self, level: IsolationLevel) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let pooling = self.cache.transaction_pooling();
            match pg_ops::isolation_setting(level, pooling, &mut self.isolation)? {
                Some(sql) => self.simple(&sql).await,
                None => Ok(()),
            }
        })
    }

    fn isolation_level(&mut self) -> BoxFuture<'_, Result<IsolationLevel>> {
        Box::pin(async move {
            if let Some(level) = self.isolation.filter(|_| !self.in_tx) {
                return Ok(level);
            }
            self.settle().await?;
            let client = self.client()?.clone();
            let answer = tracked(&self.state, pg_ops::isolation_level(&client)).await;
            self.note(answer)?.parse()
        })
    }

    fn supported_isolation_levels(&self) -> &'static [IsolationLevel] {
        LEVELS
    }

    fn ping(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.settle().await?;
            let client = self.client()?.clone();
            let answer = tracked(&self.state, pg_ops::ping(&client)).await;
            if self.note(answer)? {
                return Ok(());
            }
            let mut err = DbError::new(
                DbErrorKind::Operational,
                format!("the server did not answer a ping within {PING_TIMEOUT:?}"),
            );
            err.connection_invalidated = true;
            Err(Error::Db(err))
        })
    }

    fn table_names<'a>(&'a mut self, schema: Option<&str>) -> BoxFuture<'a, Result<Vec<String>>> {
        let schema = schema.map(str::to_owned);
        Box::pin(async move {
            self.settle().await?;
            let client = self.client()?.clone();
            let call = pg_ops::table_names(&client, schema.as_deref());
            let answer = tracked(&self.state, call).await;
            self.note(answer)
        })
    }

    fn busy(&self) -> bool {
        self.is_busy()
    }

    fn needs_reset(&self) -> bool {
        self.is_busy()
            || self.in_tx
            || self.hold_cursors > 0
            || !self.state.pending.lock().is_empty()
    }

    fn recover(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.recover_inner())
    }

    fn release(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.release_inner())
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(self.close_inner())
    }
}
