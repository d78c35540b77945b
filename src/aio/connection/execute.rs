//! Running statements on an [`AsyncConnection`]: through the shared call step (the sync
//! connection's), buffered or streamed, `execute_many` and `run_sync` on the connection's
//! thread.

use super::AsyncConnection;
use crate::aio::run_sync::{run_native, run_on_thread};
use crate::aio::stream::AsyncRowStream;
use crate::connection::IntoParams;
use crate::connection::call::Call;
use crate::connection::execute::read_row;
use crate::driver::{AsyncDriverConnection, AsyncRowCursor, Execution, Request, ResultNames};
use crate::error::{Error, Result};
use crate::events::{EventSource, RowCounts};
use crate::executable::Executable;
use crate::result::CursorResult;
use crate::row::{ResultKeys, RowRef};
use sqlcore_compiler::Params;
use std::sync::Arc;

/// What a statement gave: a buffered result, or a streamed one's keys, cursor and chunk size.
pub(super) enum Ran {
    Buffered(CursorResult),
    Streamed(Arc<ResultKeys>, Box<dyn AsyncRowCursor>, usize),
}

/// What the driver gave for a statement, before it is made a [`Ran`].
pub(super) enum Sent {
    Buffered(Execution),
    Streamed(ResultNames, Box<dyn AsyncRowCursor>),
}

/// Sends `request` on `conn`: its rows buffered, or `streamed` (`request.stream` at a time).
pub(super) async fn send(
    conn: &mut dyn AsyncDriverConnection,
    request: &Request<'_>,
    streamed: bool,
) -> Result<Sent> {
    if streamed {
        let (names, cursor) = conn.execute_streamed(request).await?;
        Ok(Sent::Streamed(names, cursor))
    } else {
        conn.execute(request).await.map(Sent::Buffered)
    }
}

impl Sent {
    /// What its events report of the rows (a stream's are not counted).
    pub(super) fn counts(&self) -> RowCounts {
        match self {
            Sent::Buffered(exec) => RowCounts::of(exec),
            Sent::Streamed(..) => RowCounts::default(),
        }
    }

    /// The result of `call` run with `params`.
    pub(super) fn finish(self, call: &Call<'_>, params: &Params) -> Result<Ran> {
        match self {
            Sent::Buffered(exec) => call.ran().cursor_result(exec, params).map(Ran::Buffered),
            Sent::Streamed(names, cursor) => Ok(Ran::Streamed(
                call.ran().keys(names),
                cursor,
                call.max_row_buffer.max(1),
            )),
        }
    }
}

impl AsyncConnection {
    /// Executes a statement (Core or `text()`) with named parameters: the sync
    /// [`Connection::execute`](crate::Connection::execute), awaited. Rows come back buffered.
    pub async fn execute<'s>(
        &mut self,
        statement: impl Into<Executable<'s>>,
        params: impl IntoParams,
    ) -> Result<CursorResult> {
        self.run(statement.into(), params.into_params(), true).await
    }

    /// Executes a statement and reads its first row with `read`, borrowed where the driver
    /// holds it (a [`RowRef`], as the sync [`Connection::query_row`](crate::Connection::query_row)
    /// gives): no result or row is built. No row is an [`Error::NoResultFound`]; a statement
    /// that returns no rows (runs, and) is an [`Error::ResourceClosed`]. An INSERT is run as
    /// given.
    pub async fn query_row<'s, T>(
        &mut self,
        statement: impl Into<Executable<'s>>,
        params: impl IntoParams,
        read: impl FnOnce(&RowRef<'_>) -> Result<T>,
    ) -> Result<T> {
        let first_row = |sent, call: &Call<'_>, _: &Params| match sent {
            // Read where the driver left it: no result or row is built around it.
            Sent::Buffered(exec) => read_first_row(exec, |names| call.ran().keys(names), read),
            Sent::Streamed(..) => Err(buffered_asked()),
        };
        self.run_as(
            statement.into(),
            params.into_params(),
            false,
            false,
            first_row,
        )
        .await
    }

    async fn run(
        &mut self,
        statement: Executable<'_>,
        params: Params,
        implicit_returning: bool,
    ) -> Result<CursorResult> {
        match self
            .run_as(statement, params, implicit_returning, false, Sent::finish)
            .await?
        {
            Ran::Buffered(result) => Ok(result),
            Ran::Streamed(..) => Err(buffered_asked()),
        }
    }

    /// Executes a query and streams its rows: a `futures::Stream` of [`Row`](crate::Row)s fetched
    /// `max_row_buffer` at a time (SQLAlchemy's `await conn.stream(stmt)`), whatever the
    /// `stream_results` option says. On PostgreSQL the rows are read off the socket as the
    /// stream is polled; SQLite produces them in process. The stream borrows the connection
    /// until dropped.
    pub async fn stream<'s>(
        &mut self,
        statement: impl Into<Executable<'s>>,
        params: impl IntoParams,
    ) -> Result<AsyncRowStream<'_>> {
        match self
            .run_as(
                statement.into(),
                params.into_params(),
                false,
                true,
                Sent::finish,
            )
            .await?
        {
            Ran::Streamed(keys, cursor, chunk) => {
                Ok(AsyncRowStream::new(self, keys, cursor, chunk))
            }
            Ran::Buffered(_) => Err(Error::InvalidRequest(
                "a streamed result was asked for".into(),
            )),
        }
    }

    /// Runs `statement` (`streamed` or buffered) and makes its result with `finish`.
    async fn run_as<R>(
        &mut self,
        statement: Executable<'_>,
        params: Params,
        implicit_returning: bool,
        streamed: bool,
        finish: impl FnOnce(Sent, &Call<'_>, &Params) -> Result<R>,
    ) -> Result<R> {
        self.settle().await?;
        let ctx = self.engine.context();
        let (stmt, implicit_returning) =
            ctx.with_implicit_values(&statement.statement, &params, implicit_returning);
        let call = Call::new(&ctx, &self.options, &statement, (&stmt, implicit_returning))?;
        let converted = call.convert(&params)?;
        let bound = call.bind(&params, &converted)?;
        let mut request = bound.request();
        if streamed {
            request.stream = Some(call.max_row_buffer.max(1));
        }
        if self.reads_from_replica(&call) {
            let own_options = self
                .observing()
                .then(|| statement.options_over(&self.options))
                .flatten();
            // Boxed, so that its future does not weigh on the primary's calls.
            let replica_read =
                Box::pin(self.on_replica(&call, &request, streamed, own_options.as_ref())).await;
            if let Some(done) = replica_read {
                return finish(done?, &call, &params);
            }
        }
        self.ready().await?;
        self.autobegin(call.begin).await?;
        // Only when statements are observed: the event's description and its options.
        let own_options = self
            .observing()
            .then(|| statement.options_over(&self.options));
        let sending = own_options
            .as_ref()
            .map(|own| call.sending(&request, own.as_ref()));
        let observed = sending.as_ref().and_then(|s| self.before_send(s));
        let started = call.started();
        // The request is borrowed by the driver's future: the call is made here, the busy
        // mark set around it (see `raw_call`).
        let Some(pooled) = self.pooled.as_mut() else {
            return Err(Error::ResourceClosed(
                "this connection has no database connection".into(),
            ));
        };
        let conn = pooled.driver()?;
        self.busy = true;
        let sent = send(conn, &request, streamed).await;
        self.busy = false;
        let sent = match sent {
            Ok(sent) => sent,
            Err(e) => {
                let sending = sending.unwrap_or_else(|| call.sending(&request, None));
                return Err(self.send_failed(e, &sending, observed, call.compiled()));
            }
        };
        call.executed(started);
        if let Some(sending) = &sending {
            self.after_send(sending, observed, sent.counts());
        }
        finish(sent, &call, &params)
    }

    /// Executes a statement once per parameter set (executemany): the sync
    /// [`Connection::execute_many`](crate::Connection::execute_many) itself, run on this
    /// connection's thread in its transaction (see [`AsyncConnection::run_sync`]) — INSERTs as
    /// batches of multi-row VALUES (RETURNING rows in input order) or PostgreSQL's binary COPY,
    /// other statements through one prepared statement. The result's `rowcount` is the total.
    pub async fn execute_many<'s, I>(
        &mut self,
        statement: impl Into<Executable<'s>>,
        param_sets: I,
    ) -> Result<CursorResult>
    where
        I: IntoIterator,
        I::Item: IntoParams,
    {
        let statement = statement.into().into_static();
        let sets: Vec<Params> = param_sets
            .into_iter()
            .map(IntoParams::into_params)
            .collect();
        self.run_sync_inner(move |conn| conn.execute_many(statement, sets))
            .await
    }

    pub(crate) async fn run_sync_inner<T: Send + 'static>(
        &mut self,
        f: impl FnOnce(&mut crate::Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.settle().await?;
        self.pin_to_primary();
        self.ready().await?;
        let settings = self.engine.settings().clone();
        let factory = self.engine.pool().factory().clone();
        let options = self.options.clone();
        let in_tx = self.tx.in_transaction();
        let Some(pooled) = self.pooled.as_mut() else {
            return Err(Error::ResourceClosed(
                "this connection has no database connection".into(),
            ));
        };
        let ran = match pooled.worker() {
            Some(worker) => {
                let ran = worker
                    .run(move |slot| Ok(run_on_thread(slot, settings, factory, options, in_tx, f)));
                self.busy = true;
                let ran = ran.await;
                self.busy = false;
                ran
            }
            None => {
                let Some((record, share)) = pooled.lend_native() else {
                    return Err(Error::ResourceClosed(
                        "this connection has no database connection".into(),
                    ));
                };
                self.busy = true;
                let ran = run_native(record, share, move |slot| {
                    run_on_thread(slot, settings, factory, options, in_tx, f)
                })
                .await;
                self.busy = false;
                match ran {
                    Ok((ran, Some(record))) => {
                        if let Some(pooled) = self.pooled.as_mut() {
                            pooled.native_back(record);
                        }
                        Ok(ran)
                    }
                    Ok((ran, None)) => Ok(ran),
                    Err(e) => Err(e),
                }
            }
        };
        let (value, returned) = match ran {
            Ok(ran) => ran,
            Err(e) => {
                // A panic in `f`: the connection is gone with it.
                if e.connection_invalidated() {
                    self.lost(e.clone());
                }
                return Err(e);
            }
        };
        if let Some(level) = returned.restore {
            self.restore_isolation.get_or_insert(level);
        }
        if returned.in_tx {
            self.tx.begun();
        } else {
            self.tx.ended();
        }
        if !returned.kept {
            // Invalidated inside `f` (with its transaction: rollback() first).
            self.invalidate();
        }
        value
    }

    /// Runs one or more statements without parameters (set-up SQL), outside the
    /// compiled-statement cache.
    pub async fn execute_batch(&mut self, sql: &str) -> Result<()> {
        self.settle().await?;
        self.driver_call(|c| c.execute_batch(sql)).await
    }

    /// The names of the tables in `schema` (the default schema when `None`), in one query.
    pub async fn table_names(&mut self, schema: Option<&str>) -> Result<Vec<String>> {
        self.settle().await?;
        self.driver_call(|c| c.table_names(schema)).await
    }
}

/// The error of a buffered call that was given a streamed result.
fn buffered_asked() -> Error {
    Error::InvalidRequest("a buffered result was asked for".into())
}

/// `query_row` over a driver's buffered execution: its first row read by `read` with the keys
/// `keys` makes of the result's names, where the driver holds it. A statement without result
/// columns is [`Error::ResourceClosed`], one without a row [`Error::NoResultFound`].
fn read_first_row<T>(
    exec: Execution,
    keys: impl FnOnce(ResultNames) -> Arc<ResultKeys>,
    read: impl FnOnce(&RowRef<'_>) -> Result<T>,
) -> Result<T> {
    let keys = keys(exec.columns);
    if keys.names().is_empty() {
        return Err(Error::ResourceClosed(
            "this result object does not return rows".into(),
        ));
    }
    let mut rows = exec.rows;
    let Some(row) = rows.next_row()? else {
        return Err(Error::NoResultFound);
    };
    row.with_value_refs(|values| read_row(&keys, values, read))
}
