//! The native async MySQL / MariaDB connection: `mysql_async` (the `mysql` crate's async
//! sibling, on the same `mysql_common`) on the caller's runtime. It shares the sync driver's
//! options (`mysql_opts`), value conversions (`mysql_value`), error mapping (`mysql_error`)
//! and server checks, so both engines behave alike. Statements are prepared once per
//! connection in `mysql_async`'s bounded cache (statements it evicts are closed on the server);
//! `stream_results` reads MySQL's unbuffered result a chunk at a time ([`stream`]).
//!
//! Cancellation: a call takes the connection out of its slot and gives it back when its answer
//! is complete. A future dropped mid-call leaves its call to a task of its own, which finishes
//! it and gives the connection back; meanwhile the connection is [`busy`]. The pool
//! [`recover`s](AsyncDriverConnection::recover) such a connection before anyone else gets it: it
//! waits for the call to finish, then rolls back, leaving the session idle outside any
//! transaction. A call still running after [`MySqlAsyncConnection::RECOVER_TIMEOUT`] has its
//! session killed (`KILL`, from a connection of its own) and the connection is closed. A
//! connection whose call failed on the wire (or ran past the URL's `read_timeout`) is never
//! given back: it is lost, and reported invalidated.
//!
//! [`busy`]: AsyncDriverConnection::busy

mod blocking;
mod call;
mod error;
mod opts;
mod stream;

pub(crate) use opts::Target;

use super::mysql::{flat_result, params as bound_params};
use super::mysql_error::UNSUPPORTED_PS;
use super::mysql_opts::ServerInfo;
use super::mysql_value::{ColumnKind, to_mysql};
use super::{
    AsyncDriverConnection, AsyncRowCursor, Chunked, DriverConnection, Execution, Request,
    ResultNames, RowSource,
};
use crate::error::{DbError, DbErrorKind, Error, Result};
use crate::options::{IsolationLevel, SqliteBegin};
use crate::url::Backend;
use call::{Shared, run};
use error::{fail, map_error};
use futures_util::future::BoxFuture;
use mysql_async::prelude::{Protocol, Queryable};
use mysql_async::{Column, Conn, Params, QueryResult};
use sqlcore_compiler::{ResultColumn, SqlType, Value};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::runtime::Handle;

/// How long killing the session of a call that would not finish may take.
const KILL_TIMEOUT: Duration = Duration::from_secs(5);

/// How long closing a connection waits for the server to see it go.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens a native connection to `target` (the driver's `connect_async`); the first one reads
/// the server's version into `server`.
pub(crate) async fn connect(
    target: Arc<Target>,
    backend: Backend,
    server: Arc<OnceLock<Arc<ServerInfo>>>,
) -> Result<Box<dyn DriverConnection>> {
    let opening = Conn::new(target.opts.clone());
    let opened = match target.connect_timeout {
        Some(limit) => match tokio::time::timeout(limit, opening).await {
            Ok(opened) => opened,
            Err(_) => {
                let mut e = DbError::new(
                    DbErrorKind::Operational,
                    format!("connecting to {} timed out after {limit:?}", target.peer),
                );
                e.connection_invalidated = true;
                return Err(Error::Db(e));
            }
        },
        None => opening.await,
    };
    let mut conn = opened.map_err(|e| Error::Db(map_error(&e, &target.peer)))?;
    let info = match server.get() {
        Some(info) => info.clone(),
        None => {
            let version: Option<String> =
                conn.query_first("SELECT VERSION()").await.map_err(fail)?;
            let info = Arc::new(ServerInfo::parse(version.unwrap_or_default()));
            server.get_or_init(|| info).clone()
        }
    };
    info.check(backend)?;
    let thread_id = conn.id();
    let shared = Arc::new(Shared::default());
    shared.slot.lock().conn = Some(conn);
    Ok(Box::new(MySqlAsyncConnection {
        shared,
        server: info,
        target,
        thread_id,
        in_tx: false,
        handle: Handle::current(),
    }))
}

/// A MySQL / MariaDB connection driven natively on the caller's tokio runtime: the async
/// engine's connection for `mysql://` and `mariadb://` URLs. Pool hooks reach it with
/// `conn.as_any_mut().downcast_mut::<MySqlAsyncConnection>()`.
pub struct MySqlAsyncConnection {
    shared: Arc<Shared>,
    server: Arc<ServerInfo>,
    target: Arc<Target>,
    /// The session's id on the server (`CONNECTION_ID()`), for `KILL`.
    thread_id: u32,
    in_tx: bool,
    /// The runtime the connection was opened on.
    handle: Handle,
}

impl std::fmt::Debug for MySqlAsyncConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MySqlAsyncConnection")
            .field("thread_id", &self.thread_id)
            .field("in_transaction", &self.in_tx)
            .field("busy", &self.shared.slot.lock().busy)
            .finish()
    }
}

/// What a statement sent back, its values not converted yet.
struct Raw {
    /// The result's columns; `None` for a statement without rows.
    columns: Option<Arc<[Column]>>,
    rows: Vec<mysql_async::Row>,
    affected: u64,
    last_insert_id: Option<u64>,
}

/// Reads a whole result (every result set, so the error of a later statement is seen).
async fn read_all<P: Protocol>(mut result: QueryResult<'_, 'static, P>) -> Result<Raw> {
    let columns = result.columns().filter(|c| !c.is_empty());
    let (rows, affected, last_insert_id) = match &columns {
        None => (Vec::new(), result.affected_rows(), result.last_insert_id()),
        Some(_) => (
            result.collect::<mysql_async::Row>().await.map_err(fail)?,
            0,
            None,
        ),
    };
    result.drop_result().await.map_err(fail)?;
    Ok(Raw {
        columns,
        rows,
        affected,
        last_insert_id,
    })
}

/// Runs `sql` with `params` through a prepared statement (`last`, the statement the previous
/// execution ran with the same SQL, or one from the connection's cache; closed at once when
/// the cache is off); through the text protocol when MySQL cannot prepare it and it has no
/// parameters. Gives back the statement with its SQL when the connection keeps it.
async fn execute_raw(
    conn: &mut Conn,
    sql: Box<str>,
    last: Option<mysql_async::Statement>,
    params: Params,
) -> Result<(Raw, Option<(Box<str>, mysql_async::Statement)>)> {
    let stmt = match last {
        Some(stmt) => stmt,
        None => {
            let text_allowed = matches!(params, Params::Empty);
            match conn.prep(&*sql).await {
                Ok(stmt) => stmt,
                Err(mysql_async::Error::Server(e)) if e.code == UNSUPPORTED_PS && text_allowed => {
                    let result = conn.query_iter(&*sql).await.map_err(fail)?;
                    return Ok((read_all(result).await?, None));
                }
                Err(e) => return Err(fail(e)),
            }
        }
    };
    let result = conn.exec_iter(&stmt, params).await.map_err(fail)?;
    let raw = read_all(result).await?;
    if conn.opts().stmt_cache_size() == 0 {
        conn.close(stmt).await.map_err(fail)?;
        return Ok((raw, None));
    }
    Ok((raw, Some((sql, stmt))))
}

/// Closes `stmt` on the server when the connection keeps no statements prepared.
async fn close_uncached(conn: &mut Conn, stmt: mysql_async::Statement) -> Result<()> {
    if conn.opts().stmt_cache_size() == 0 {
        conn.close(stmt).await.map_err(fail)?;
    }
    Ok(())
}

/// The column kinds and names of a result with `columns`.
fn describe(
    columns: &[Column],
    declared: &[ResultColumn],
) -> Result<(Vec<ColumnKind>, ResultNames)> {
    let kinds = columns.iter().map(ColumnKind::of).collect();
    let names = ResultNames::read(columns.len(), declared, |i| {
        Ok(Arc::from(columns[i].name_str().as_ref()))
    })?;
    Ok((kinds, names))
}

/// A result read whole, its values converted towards the request's declared types.
fn buffered(raw: Raw, request: &Request<'_>) -> Result<Execution> {
    let Some(columns) = raw.columns else {
        return Ok(Execution {
            columns: ResultNames::Given(Vec::new()),
            rows: RowSource::default(),
            rowcount: i64::try_from(raw.affected).unwrap_or(i64::MAX),
            last_insert_id: raw
                .last_insert_id
                .filter(|id| *id > 0)
                .and_then(|id| i64::try_from(id).ok()),
        });
    };
    let (kinds, names) = describe(&columns, request.result_columns)?;
    flat_result(names, raw.rows.into_iter().map(Ok), &kinds, request)
}

/// What opening a streamed result found.
enum Opened {
    /// Rows, pending on the connection.
    Rows(Arc<[Column]>),
    /// A statement without rows, done.
    Done,
}

impl MySqlAsyncConnection {
    /// How long recovering a connection whose call was dropped waits for that call to finish
    /// before its session is killed and the connection closed.
    pub const RECOVER_TIMEOUT: Duration = Duration::from_secs(2);

    /// Runs `call` with the connection (see [`run`]).
    async fn call<T: Send + 'static>(
        &self,
        call: impl for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T>> + Send + 'static,
    ) -> Result<T> {
        let conn = self.shared.take(None).await?;
        run(&self.shared, conn, self.target.io_timeout, call).await
    }

    /// Runs `sql` (statements without parameters) through the text protocol.
    async fn simple(&self, sql: String) -> Result<()> {
        self.call(move |conn| {
            Box::pin(async move {
                let result = conn.query_iter(sql).await.map_err(fail)?;
                result.drop_result().await.map_err(fail)
            })
        })
        .await
    }

    async fn execute_inner(&mut self, request: &Request<'_>) -> Result<Execution> {
        let params = bound_params(request)?;
        let last = self.shared.slot.lock().last.take();
        let (sql, last) = match last {
            Some((sql, stmt)) if *sql == *request.sql => (sql, Some(stmt)),
            _ => (Box::from(request.sql), None),
        };
        let (raw, kept) = self
            .call(move |conn| Box::pin(execute_raw(conn, sql, last, params)))
            .await?;
        if let Some(kept) = kept {
            // Kept while nothing else has run on the connection since (nor lost it).
            let mut slot = self.shared.slot.lock();
            if slot.conn.is_some() && !slot.busy {
                slot.last = Some(kept);
            }
        }
        buffered(raw, request)
    }

    /// A statement whose rows are read as they are fetched (`stream_results`): MySQL's
    /// unbuffered result, pending on the connection until it is read, or until anything else
    /// runs there (which reads the rest and closes the stream).
    async fn open_stream(
        &mut self,
        request: &Request<'_>,
    ) -> Result<(ResultNames, Box<dyn AsyncRowCursor>)> {
        let params = bound_params(request)?;
        let sql = request.sql.to_owned();
        let opened = self
            .call(move |conn| {
                Box::pin(async move {
                    let stmt = conn.prep(sql).await.map_err(fail)?;
                    let result = conn.exec_iter(&stmt, params).await.map_err(fail)?;
                    let opened = match result.columns().filter(|c| !c.is_empty()) {
                        // Dropped unread: its rows stay pending on the connection.
                        Some(columns) => Opened::Rows(columns),
                        None => {
                            result.drop_result().await.map_err(fail)?;
                            Opened::Done
                        }
                    };
                    close_uncached(conn, stmt).await?;
                    Ok(opened)
                })
            })
            .await?;
        let Opened::Rows(columns) = opened else {
            return Ok((
                ResultNames::Given(Vec::new()),
                Box::new(stream::Drained) as Box<dyn AsyncRowCursor>,
            ));
        };
        let (kinds, names) = describe(&columns, request.result_columns)?;
        let id = {
            let mut slot = self.shared.slot.lock();
            slot.streams += 1;
            slot.streaming = Some(slot.streams);
            slot.streams
        };
        let cursor = stream::StreamFetch {
            shared: self.shared.clone(),
            id,
            kinds: kinds.into(),
            declared: request.result_columns.into(),
            io_timeout: self.target.io_timeout,
        };
        Ok((names, Box::new(Chunked::new(cursor))))
    }

    async fn execute_many_inner(&mut self, sql: String, sets: Vec<Vec<Value>>) -> Result<i64> {
        self.call(move |conn| {
            Box::pin(async move {
                let stmt = conn.prep(sql).await.map_err(fail)?;
                let mut total = 0i64;
                for set in sets {
                    let params = if set.is_empty() {
                        Params::Empty
                    } else {
                        Params::Positional(set.iter().map(to_mysql).collect::<Result<_>>()?)
                    };
                    conn.exec_drop(&stmt, params).await.map_err(fail)?;
                    let affected = i64::try_from(conn.affected_rows()).unwrap_or(i64::MAX);
                    total = total.saturating_add(affected);
                }
                close_uncached(conn, stmt).await?;
                Ok(total)
            })
        })
        .await
    }

    async fn end_transaction(&mut self, commit: bool) -> Result<()> {
        self.in_tx = false;
        self.simple(if commit { "COMMIT" } else { "ROLLBACK" }.to_owned())
            .await
    }

    /// The connection goes back to the pool: a streamed result still open is read to its end
    /// (an error in its unread rows is reported here).
    async fn release_inner(&mut self) -> Result<()> {
        if self.shared.slot.lock().streaming.is_none() {
            return Ok(());
        }
        self.call(|conn| {
            Box::pin(async move {
                QueryResult::<mysql_async::BinaryProtocol>::new(conn)
                    .drop_result()
                    .await
                    .map_err(fail)
            })
        })
        .await
    }

    /// See the module's documentation.
    async fn recover_inner(&mut self) -> Result<()> {
        match self.simple("ROLLBACK".to_owned()).await {
            Ok(()) => {
                self.in_tx = false;
                Ok(())
            }
            Err(e) => {
                if self.shared.is_busy() {
                    self.kill().await;
                }
                Err(e)
            }
        }
    }

    /// Kills the connection's session on the server, from a connection of its own (for a
    /// call that would not finish).
    async fn kill(&self) {
        let (opts, id) = (self.target.opts.clone(), self.thread_id);
        let killed = tokio::time::timeout(KILL_TIMEOUT, async move {
            let mut conn = Conn::new(opts).await?;
            conn.query_drop(format!("KILL {id}")).await?;
            conn.disconnect().await
        })
        .await;
        match killed {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::debug!(target: "sqlcore.mysql", error = %e, id, "KILL failed")
            }
            Err(_) => tracing::debug!(target: "sqlcore.mysql", id, "KILL timed out"),
        }
    }

    /// Closes the connection: a call still running has its session killed, then the
    /// connection says goodbye to the server.
    async fn close_inner(&mut self) {
        let (busy, conn) = {
            let mut slot = self.shared.slot.lock();
            slot.closed = true;
            slot.streaming = None;
            (slot.busy, slot.conn.take())
        };
        if busy {
            self.kill().await;
        }
        if let Some(conn) = conn {
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, conn.disconnect()).await;
        }
    }

    /// What the server is (read at the engine's first connect).
    pub fn server_info(&self) -> &ServerInfo {
        &self.server
    }

    /// The session's id on the server (`CONNECTION_ID()`).
    pub fn thread_id(&self) -> u32 {
        self.thread_id
    }
}

impl Drop for MySqlAsyncConnection {
    fn drop(&mut self) {
        let busy = {
            let mut slot = self.shared.slot.lock();
            slot.closed = true;
            slot.busy
        };
        if busy {
            // A statement may still run on the server: its session is killed as the
            // connection ends.
            let (opts, id) = (self.target.opts.clone(), self.thread_id);
            self.handle.spawn(async move {
                let _ = tokio::time::timeout(KILL_TIMEOUT, async move {
                    let mut conn = Conn::new(opts).await?;
                    conn.query_drop(format!("KILL {id}")).await?;
                    conn.disconnect().await
                })
                .await;
            });
        }
    }
}

const LEVELS: &[IsolationLevel] = &[
    IsolationLevel::Serializable,
    IsolationLevel::RepeatableRead,
    IsolationLevel::ReadCommitted,
    IsolationLevel::ReadUncommitted,
];

impl AsyncDriverConnection for MySqlAsyncConnection {
    fn execute<'a>(&'a mut self, request: &'a Request<'a>) -> BoxFuture<'a, Result<Execution>> {
        Box::pin(self.execute_inner(request))
    }

    fn execute_streamed<'a>(
        &'a mut self,
        request: &'a Request<'a>,
    ) -> BoxFuture<'a, Result<(ResultNames, Box<dyn AsyncRowCursor>)>> {
        Box::pin(self.open_stream(request))
    }

    fn execute_many<'a>(
        &'a mut self,
        sql: &str,
        param_types: &[Option<SqlType>],
        param_sets: Vec<Vec<Value>>,
    ) -> BoxFuture<'a, Result<i64>> {
        let _ = param_types;
        Box::pin(self.execute_many_inner(sql.to_owned(), param_sets))
    }

    fn execute_batch<'a>(&'a mut self, sql: &str) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.simple(sql.to_owned()))
    }

    fn begin_with(&mut self, _mode: SqliteBegin) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.simple("BEGIN".to_owned()).await?;
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
        Box::pin(self.simple(format!("SAVEPOINT {name}")))
    }

    fn release_savepoint<'a>(&'a mut self, name: &str) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.simple(format!("RELEASE SAVEPOINT {name}")))
    }

    fn rollback_to_savepoint<'a>(&'a mut self, name: &str) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.simple(format!("ROLLBACK TO SAVEPOINT {name}")))
    }

    fn in_transaction(&self) -> bool {
        self.in_tx
    }

    fn set_isolation_level(&mut self, level: IsolationLevel) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if level == IsolationLevel::Autocommit {
                return Err(Error::Argument(
                    "AUTOCOMMIT is not a transaction isolation level".into(),
                ));
            }
            self.simple(format!("SET SESSION TRANSACTION ISOLATION LEVEL {level}"))
                .await
        })
    }

    fn isolation_level(&mut self) -> BoxFuture<'_, Result<IsolationLevel>> {
        let sql = format!("SELECT {}", self.server.isolation_variable());
        Box::pin(async move {
            let level: Option<String> = self
                .call(move |conn| {
                    Box::pin(async move { conn.query_first(sql).await.map_err(fail) })
                })
                .await?;
            // `REPEATABLE-READ`, as MySQL writes it.
            level.unwrap_or_default().replace('-', " ").parse()
        })
    }

    fn supported_isolation_levels(&self) -> &'static [IsolationLevel] {
        LEVELS
    }

    fn ping(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.call(|conn| Box::pin(async move { conn.ping().await.map_err(fail) })))
    }

    fn table_names<'a>(&'a mut self, schema: Option<&str>) -> BoxFuture<'a, Result<Vec<String>>> {
        let schema = schema.map(str::to_owned);
        Box::pin(self.call(move |conn| {
            Box::pin(async move {
                let sql = "SELECT table_name FROM information_schema.tables \
                           WHERE table_schema = COALESCE(?, DATABASE()) AND table_type = 'BASE TABLE' \
                           ORDER BY table_name";
                conn.exec(sql, (schema,)).await.map_err(fail)
            })
        }))
    }

    fn busy(&self) -> bool {
        self.shared.is_busy()
    }

    fn needs_reset(&self) -> bool {
        let slot = self.shared.slot.lock();
        slot.busy || slot.streaming.is_some() || self.in_tx
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
