//! [`AsyncDriverConnection`]: the async twin of [`DriverConnection`](super::DriverConnection),
//! object-safe through boxed futures. Results are the same [`Execution`]s, rows and names.

use super::{DriverRow, Execution, Request, ResultNames};
use crate::error::Result;
use crate::options::{IsolationLevel, SqliteBegin};
use futures_util::future::BoxFuture;
use sqlcore_compiler::{SqlType, Value};
use std::collections::VecDeque;
use std::task::{Context, Poll, ready};

/// One open connection to the database, driven asynchronously: what the async engine's
/// connections speak. Each future runs its call to completion on the connection; a driver must
/// keep the connection consistent when a future is dropped before it completes (finish the
/// call anyway, or report the connection lost on its next use).
///
/// A driver that finds its connection dead reports it in the error it returns, with
/// [`DbError::connection_invalidated`](crate::DbError::connection_invalidated) set.
pub trait AsyncDriverConnection: Send {
    /// Runs a statement; its rows come back buffered.
    fn execute<'a>(&'a mut self, request: &'a Request<'a>) -> BoxFuture<'a, Result<Execution>>;
    /// Runs a query whose rows are fetched as they are read (`request.stream` rows at a time
    /// at most): its column names and the cursor fetching its rows.
    fn execute_streamed<'a>(
        &'a mut self,
        request: &'a Request<'a>,
    ) -> BoxFuture<'a, Result<(ResultNames, Box<dyn AsyncRowCursor>)>>;
    /// Runs `sql` once per parameter set, preparing it once; the total rows affected.
    fn execute_many<'a>(
        &'a mut self,
        sql: &str,
        param_types: &[Option<SqlType>],
        param_sets: Vec<Vec<Value>>,
    ) -> BoxFuture<'a, Result<i64>>;
    /// Runs one or more statements without parameters.
    fn execute_batch<'a>(&'a mut self, sql: &str) -> BoxFuture<'a, Result<()>>;
    /// BEGIN (in SQLite's transaction `mode`; other backends ignore it).
    fn begin_with(&mut self, mode: SqliteBegin) -> BoxFuture<'_, Result<()>>;
    /// COMMIT.
    fn commit(&mut self) -> BoxFuture<'_, Result<()>>;
    /// ROLLBACK.
    fn rollback(&mut self) -> BoxFuture<'_, Result<()>>;
    /// SAVEPOINT `name`.
    fn savepoint<'a>(&'a mut self, name: &str) -> BoxFuture<'a, Result<()>>;
    /// RELEASE SAVEPOINT `name`.
    fn release_savepoint<'a>(&'a mut self, name: &str) -> BoxFuture<'a, Result<()>>;
    /// ROLLBACK TO SAVEPOINT `name`.
    fn rollback_to_savepoint<'a>(&'a mut self, name: &str) -> BoxFuture<'a, Result<()>>;
    /// Whether a transaction is open on the connection (as of the last call that completed).
    fn in_transaction(&self) -> bool;
    /// Sets the isolation level of the transactions to come (never `Autocommit`).
    fn set_isolation_level(&mut self, level: IsolationLevel) -> BoxFuture<'_, Result<()>>;
    /// Reads the isolation level from the database.
    fn isolation_level(&mut self) -> BoxFuture<'_, Result<IsolationLevel>>;
    /// The isolation levels the backend supports (besides `Autocommit`).
    fn supported_isolation_levels(&self) -> &'static [IsolationLevel];
    /// A cheap round trip proving the connection is alive.
    fn ping(&mut self) -> BoxFuture<'_, Result<()>>;
    /// The names of the tables in `schema` (or the default schema), in one query.
    fn table_names<'a>(&'a mut self, schema: Option<&str>) -> BoxFuture<'a, Result<Vec<String>>>;

    /// Whether a call's future was dropped before its answer was complete (the connection's
    /// protocol and transaction state are then unknown until [`recover`](Self::recover)).
    /// Default: never (a driver that finishes every call anyway).
    fn busy(&self) -> bool {
        false
    }

    /// Whether anything must be done before the connection is idle in the pool: a call to
    /// recover from, a transaction, cursors. Default: yes.
    fn needs_reset(&self) -> bool {
        true
    }

    /// Brings a [`busy`](Self::busy) connection back to a known state: what the dropped call
    /// sent is finished and its transaction rolled back; an error means the connection must
    /// be closed. Default: nothing to do.
    fn recover(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(std::future::ready(Ok(())))
    }

    /// The connection goes back to the pool: results still reading from it stop, and session
    /// state they held is released. Default: nothing.
    fn release(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(std::future::ready(Ok(())))
    }

    /// Closes the connection (a call still running is cancelled) and waits until it is
    /// closed. Default: nothing (the connection closes when dropped).
    fn close(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(std::future::ready(()))
    }
}

/// Reads a streamed result's rows as they arrive, at most a given number at a time. Dropping it
/// closes the result; a cursor whose connection has moved on (another statement streamed, the
/// connection returned to the pool) reports an error rather than rows of something else.
pub trait AsyncRowCursor: Send {
    /// Appends to `rows` the rows that have arrived, at most `max`, waiting for one at least;
    /// appends none once every row was read.
    fn poll_fetch(
        &mut self,
        cx: &mut Context<'_>,
        max: usize,
        rows: &mut VecDeque<DriverRow>,
    ) -> Poll<Result<()>>;
}

/// Fetches a result's rows a chunk at a time, each chunk through a future of its own (a
/// server-side cursor's FETCH, a call on a connection's thread).
pub(crate) trait FetchChunk: Send {
    /// Up to `max` more rows; fewer (none at the end) once all were fetched.
    fn fetch(&mut self, max: usize) -> BoxFuture<'static, Result<Vec<DriverRow>>>;
}

/// A [`FetchChunk`] as an [`AsyncRowCursor`]: a chunk shorter than asked is the last.
pub(crate) struct Chunked<C> {
    source: C,
    fetching: Option<BoxFuture<'static, Result<Vec<DriverRow>>>>,
    done: bool,
}

impl<C> Chunked<C> {
    pub fn new(source: C) -> Self {
        Chunked {
            source,
            fetching: None,
            done: false,
        }
    }
}

impl<C: FetchChunk> AsyncRowCursor for Chunked<C> {
    fn poll_fetch(
        &mut self,
        cx: &mut Context<'_>,
        max: usize,
        rows: &mut VecDeque<DriverRow>,
    ) -> Poll<Result<()>> {
        if self.done {
            return Poll::Ready(Ok(()));
        }
        let source = &mut self.source;
        let fetching = self.fetching.get_or_insert_with(|| source.fetch(max));
        let fetched = ready!(fetching.as_mut().poll(cx));
        self.fetching = None;
        match fetched {
            Ok(chunk) => {
                self.done = chunk.len() < max;
                rows.extend(chunk);
                Poll::Ready(Ok(()))
            }
            Err(e) => {
                self.done = true;
                Poll::Ready(Err(e))
            }
        }
    }
}
