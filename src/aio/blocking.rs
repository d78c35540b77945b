//! A blocking [`DriverConnection`] as an [`AsyncDriverConnection`]: the connection lives on a
//! thread of its own, which runs the calls sent to it one after another, each answering on a
//! oneshot channel. The runtime's workers never block on the database, and a slow statement
//! stalls no other task.
//!
//! A dropped future never desynchronises the connection: its call still runs to completion on
//! the thread (its answer is dropped), and calls sent later run after it. Serves every blocking
//! driver (SQLite); PostgreSQL has a native async connection.

use crate::driver::{
    AsyncDriverConnection, AsyncRowCursor, Chunked, DriverConnection, DriverRow, Execution,
    FetchChunk, Request, ResultNames, RowSource,
};
use crate::error::{DbError, DbErrorKind, Error, Result};
use crate::options::{IsolationLevel, SqliteBegin};
use futures_util::future::BoxFuture;
use sqlcore_compiler::{ResultColumn, SqlType, Value};
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// What a connection thread holds: a driver connection, once open, until it is closed, and
/// the rows of the result streamed from it, if one is.
pub(crate) trait Holder: Send + 'static {
    /// The driver connection, while there is one.
    fn conn(&mut self) -> Option<&mut dyn DriverConnection>;
    /// A call panicked on the connection: its state is unknown, so it is dropped.
    fn poisoned(&mut self);
    /// The streamed result's rows, with the id of their cursor.
    fn streamed(&mut self) -> &mut Option<(u64, RowSource)>;
}

type Job<S> = Box<dyn FnOnce(&mut S) + Send>;

/// A thread holding `S` (a driver connection and what goes with it), running the jobs sent to
/// it in order. The thread ends, dropping `S`, when the last handle is gone and every job sent
/// has run.
pub(crate) struct Worker<S: Holder> {
    jobs: mpsc::Sender<Job<S>>,
    /// Whether a transaction is open on the connection, as of the last job that ran.
    in_tx: Arc<AtomicBool>,
}

impl<S: Holder> Clone for Worker<S> {
    fn clone(&self) -> Self {
        Worker {
            jobs: self.jobs.clone(),
            in_tx: self.in_tx.clone(),
        }
    }
}

/// The error of a call whose connection thread is gone (its connection closed or a driver
/// call panicked on it): the connection is lost.
fn thread_gone() -> Error {
    let mut e = DbError::new(
        DbErrorKind::Interface,
        "the connection's thread has ended (the connection was closed or a driver call panicked on it)",
    );
    e.connection_invalidated = true;
    Error::Db(e)
}

/// The error of a call on a thread holding no connection (closed after a failure).
fn no_connection() -> Error {
    let mut e = DbError::new(
        DbErrorKind::Interface,
        "the connection is closed (a driver call failed or panicked on it)",
    );
    e.connection_invalidated = true;
    Error::Db(e)
}

impl<S: Holder> Worker<S> {
    /// Starts a thread holding `state`; `on_exit` runs there with it once no handle is left.
    pub fn spawn(name: String, state: S, on_exit: impl FnOnce(S) + Send + 'static) -> Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job<S>>();
        let in_tx = Arc::new(AtomicBool::new(false));
        let seen = in_tx.clone();
        std::thread::Builder::new()
            .name(name)
            .spawn(move || {
                let mut state = state;
                while let Ok(job) = queue.recv() {
                    job(&mut state);
                    let open = state.conn().is_some_and(|c| c.in_transaction());
                    seen.store(open, Ordering::Release);
                }
                on_exit(state);
            })
            .map_err(|e| {
                Error::Db(DbError::new(
                    DbErrorKind::Operational,
                    format!("could not start a connection thread: {e}"),
                ))
            })?;
        Ok(Worker { jobs, in_tx })
    }

    /// Runs `f` on the thread with its state, without waiting for it.
    pub fn send(&self, f: impl FnOnce(&mut S) + Send + 'static) -> Result<()> {
        self.jobs.send(Box::new(f)).map_err(|_| thread_gone())
    }

    /// Runs `f` on the thread with its state; the answer. A panic in `f` is an error, and so
    /// is the thread's end.
    pub fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut S) -> Result<T> + Send + 'static,
    ) -> impl Future<Output = Result<T>> + Send + 'static {
        let (reply, answer) = oneshot::channel();
        let in_tx = self.in_tx.clone();
        let sent = self.send(move |state| {
            let result = catch_unwind(AssertUnwindSafe(|| f(state)));
            if result.is_err() {
                state.poisoned();
            }
            // Known before the answer is.
            let open = state.conn().is_some_and(|c| c.in_transaction());
            in_tx.store(open, Ordering::Release);
            // The caller may be gone (its future dropped): the call ran all the same.
            let _ = reply.send(result);
        });
        async move {
            sent?;
            match answer.await {
                Ok(Ok(result)) => result,
                Ok(Err(_panic)) => Err(no_connection()),
                Err(_) => Err(thread_gone()),
            }
        }
    }

    /// Runs `f` with the driver connection on the thread; the answer.
    pub fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn DriverConnection) -> Result<T> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        Box::pin(self.run(move |state: &mut S| match state.conn() {
            Some(conn) => f(conn),
            None => Err(no_connection()),
        }))
    }

    /// Whether a transaction was open after the last job.
    pub fn in_transaction(&self) -> bool {
        self.in_tx.load(Ordering::Acquire)
    }
}

/// A [`Request`] with everything it borrows owned, to cross to the connection's thread.
struct OwnedRequest {
    sql: String,
    statement_id: Option<crate::driver::StatementId>,
    params: Vec<Value>,
    param_types: Vec<Option<SqlType>>,
    result_columns: Vec<ResultColumn>,
}

impl OwnedRequest {
    fn new(request: &Request<'_>) -> Self {
        OwnedRequest {
            sql: request.sql.to_owned(),
            statement_id: request.statement_id,
            params: request.params.iter().map(|v| (*v).clone()).collect(),
            param_types: request.param_types.to_vec(),
            result_columns: request.result_columns.to_vec(),
        }
    }

    /// Runs the request with its rows buffered (read on the thread), or streamed in chunks
    /// of `stream` rows.
    fn execute(self, conn: &mut dyn DriverConnection, stream: Option<usize>) -> Result<Execution> {
        let params: Vec<&Value> = self.params.iter().collect();
        let request = Request {
            sql: &self.sql,
            statement_id: self.statement_id,
            params: &params,
            param_types: &self.param_types,
            result_columns: &self.result_columns,
            stream,
        };
        if stream.is_some() {
            return conn.execute(&request);
        }
        let exec = conn.execute(&request)?;
        Self::buffered(exec)
    }

    /// Reads the rows of `exec` into a buffer.
    fn buffered(exec: Execution) -> Result<Execution> {
        if !exec.rows.is_streamed() {
            return Ok(exec);
        }
        let mut source = exec.rows;
        let mut rows = VecDeque::new();
        while let Some(row) = source.next_row()? {
            rows.push_back(row);
        }
        Ok(Execution {
            rows: RowSource::buffered(rows),
            ..exec
        })
    }
}

/// A blocking driver connection on a thread of its own, driven asynchronously.
pub(crate) struct BlockingConnection<S: Holder> {
    pub(crate) worker: Worker<S>,
    levels: &'static [IsolationLevel],
    /// The id of the next streamed result's cursor.
    next_cursor: u64,
}

impl<S: Holder> BlockingConnection<S> {
    /// The connection of `worker`, whose backend supports `levels`.
    pub fn new(worker: Worker<S>, levels: &'static [IsolationLevel]) -> Self {
        BlockingConnection {
            worker,
            levels,
            next_cursor: 1,
        }
    }
}

/// The rows of a result streamed on a connection's thread, fetched there a chunk at a time.
struct ThreadCursor<S: Holder> {
    worker: Worker<S>,
    id: u64,
}

impl<S: Holder> FetchChunk for ThreadCursor<S> {
    fn fetch(&mut self, max: usize) -> BoxFuture<'static, Result<Vec<DriverRow>>> {
        let id = self.id;
        Box::pin(self.worker.run(move |state: &mut S| {
            let streamed = state.streamed();
            let Some((_, rows)) = streamed.as_mut().filter(|(open, _)| *open == id) else {
                return Err(Error::ResourceClosed(
                    "the connection of this streamed result has moved on".into(),
                ));
            };
            let mut chunk = Vec::with_capacity(max.min(4096));
            while chunk.len() < max {
                match rows.next_row()? {
                    Some(row) => chunk.push(row),
                    None => {
                        *streamed = None;
                        break;
                    }
                }
            }
            Ok(chunk)
        }))
    }
}

impl<S: Holder> Drop for ThreadCursor<S> {
    fn drop(&mut self) {
        let id = self.id;
        // Closed on the thread, after any fetch still running there.
        let _ = self.worker.send(move |state: &mut S| {
            let streamed = state.streamed();
            if streamed.as_ref().is_some_and(|(open, _)| *open == id) {
                *streamed = None;
            }
        });
    }
}

impl<S: Holder> AsyncDriverConnection for BlockingConnection<S> {
    fn execute<'a>(&'a mut self, request: &'a Request<'a>) -> BoxFuture<'a, Result<Execution>> {
        let request = OwnedRequest::new(request);
        self.worker.call(move |conn| request.execute(conn, None))
    }

    fn execute_streamed<'a>(
        &'a mut self,
        request: &'a Request<'a>,
    ) -> BoxFuture<'a, Result<(ResultNames, Box<dyn AsyncRowCursor>)>> {
        let chunk = request.stream.unwrap_or(1000).max(1);
        let owned = OwnedRequest::new(request);
        let id = self.next_cursor;
        self.next_cursor += 1;
        let worker = self.worker.clone();
        let opened = self.worker.run(move |state: &mut S| {
            // A result streamed before is closed first (its cursor with it).
            *state.streamed() = None;
            let conn = state.conn().ok_or_else(no_connection)?;
            let exec = owned.execute(conn, Some(chunk))?;
            *state.streamed() = Some((id, exec.rows));
            Ok(exec.columns)
        });
        Box::pin(async move {
            let columns = opened.await?;
            let cursor: Box<dyn AsyncRowCursor> =
                Box::new(Chunked::new(ThreadCursor { worker, id }));
            Ok((columns, cursor))
        })
    }

    fn execute_many<'a>(
        &'a mut self,
        sql: &str,
        param_types: &[Option<SqlType>],
        param_sets: Vec<Vec<Value>>,
    ) -> BoxFuture<'a, Result<i64>> {
        let (sql, types) = (sql.to_owned(), param_types.to_vec());
        self.worker.call(move |conn| {
            let mut sets = param_sets.iter().map(|set| set.iter().collect());
            conn.execute_many(&sql, &types, &mut sets)
        })
    }

    fn execute_batch<'a>(&'a mut self, sql: &str) -> BoxFuture<'a, Result<()>> {
        let sql = sql.to_owned();
        self.worker.call(move |conn| conn.execute_batch(&sql))
    }

    fn begin_with(&mut self, mode: SqliteBegin) -> BoxFuture<'_, Result<()>> {
        self.worker.call(move |conn| conn.begin_with(mode))
    }

    fn commit(&mut self) -> BoxFuture<'_, Result<()>> {
        self.worker.call(|conn| conn.commit())
    }

    fn rollback(&mut self) -> BoxFuture<'_, Result<()>> {
        self.worker.call(|conn| conn.rollback())
    }

    fn savepoint<'a>(&'a mut self, name: &str) -> BoxFuture<'a, Result<()>> {
        let name = name.to_owned();
        self.worker.call(move |conn| conn.savepoint(&name))
    }

    fn release_savepoint<'a>(&'a mut self, name: &str) -> BoxFuture<'a, Result<()>> {
        let name = name.to_owned();
        self.worker.call(move |conn| conn.release_savepoint(&name))
    }

    fn rollback_to_savepoint<'a>(&'a mut self, name: &str) -> BoxFuture<'a, Result<()>> {
        let name = name.to_owned();
        self.worker
            .call(move |conn| conn.rollback_to_savepoint(&name))
    }

    fn in_transaction(&self) -> bool {
        self.worker.in_transaction()
    }

    fn set_isolation_level(&mut self, level: IsolationLevel) -> BoxFuture<'_, Result<()>> {
        self.worker
            .call(move |conn| conn.set_isolation_level(level))
    }

    fn isolation_level(&mut self) -> BoxFuture<'_, Result<IsolationLevel>> {
        self.worker.call(|conn| conn.isolation_level())
    }

    fn supported_isolation_levels(&self) -> &'static [IsolationLevel] {
        self.levels
    }

    fn ping(&mut self) -> BoxFuture<'_, Result<()>> {
        self.worker.call(|conn| conn.ping())
    }

    fn table_names<'a>(&'a mut self, schema: Option<&str>) -> BoxFuture<'a, Result<Vec<String>>> {
        let schema = schema.map(str::to_owned);
        self.worker
            .call(move |conn| conn.table_names(schema.as_deref()))
    }
}
