//! The MySQL / MariaDB driver, over the `mysql` crate (synchronous, pure Rust here: its
//! `minimal-rust` feature compresses with miniz_oxide and `rustls-tls-ring` gives TLS through
//! rustls on ring, the TLS stack the PostgreSQL driver already uses — no C library, no OpenSSL).
//! It is the well-kept synchronous client of the Rust ecosystem (`mysql_async` is its async
//! sibling, by the same author, for a native async driver later): it speaks the binary
//! protocol of prepared statements, keeps them in a bounded LRU per connection and closes a
//! statement on the server when it is evicted (`COM_STMT_CLOSE`), and reads results row by row
//! off the socket, which `stream_results` uses as MySQL's unbuffered result.
//!
//! The async engine runs this driver through its blocking adapter, as it runs SQLite.
//!
//! A connection's session speaks UTF-8 (`charset`, utf8mb4 by default) and UTC
//! (`time_zone = '+00:00'`). Values: booleans as `TINYINT(1)`, decimals exact (bound as their
//! text), UUIDs as `CHAR(36)` text, JSON as its text, `DATETIME(6)` with microseconds, an aware
//! timestamp as its UTC wall clock; an interval or array value is a `Data` error. The first connection reads the server's version (SQLAlchemy's `initialize`): a
//! `mariadb://` URL needs MariaDB 10.5 or later, and the isolation level is read from the
//! variable the server has.

use super::mysql_error::{UNSUPPORTED_PS, map_error, tls_error, tls_failure};
use super::mysql_opts::{ServerInfo, opts_from_url};
use super::mysql_stream::{OpenResult, StreamCursor};
use super::mysql_value::{ColumnKind, from_mysql, to_mysql};
use super::{
    Driver, DriverConnection, Execution, FirstRow, ParamSet, Request, ResultNames, RowSource,
};
use crate::error::{DbError, Error, Result};
use crate::options::IsolationLevel;
use crate::url::{Backend, Url};
use mysql::prelude::{Protocol, Queryable};
use mysql::{Conn, Opts, Params, QueryResult};
use parking_lot::Mutex;
use sqlcore_compiler::{Dialect, MariaDB, MySQL, ResultColumn, SqlType, Value, ValueRef};
use std::any::Any;
use std::sync::{Arc, OnceLock};

/// Opens connections to a MySQL or MariaDB server.
#[derive(Debug)]
pub struct MySqlDriver {
    opts: Opts,
    backend: Backend,
    /// Shared with the native async connections (`mysql_native`).
    server: Arc<OnceLock<Arc<ServerInfo>>>,
    #[cfg(feature = "mysql-async")]
    target: Arc<super::mysql_native::Target>,
}

impl MySqlDriver {
    /// A driver for the server `url` names (see `mysql_opts` for its options), keeping
    /// `statement_cache` prepared statements per connection.
    pub fn from_url(url: &Url, statement_cache: usize) -> Result<Self> {
        let opts = opts_from_url(url, statement_cache)?;
        Ok(MySqlDriver {
            #[cfg(feature = "mysql-async")]
            target: Arc::new(super::mysql_native::Target::from_sync(&opts)?),
            opts,
            backend: url.backend(),
            server: Arc::default(),
        })
    }

    /// A failed connect as sqlcore's error; a TLS failure names the host and port it was
    /// for (the certificate was checked against that name).
    fn connect_error(&self, e: &mysql::Error) -> Error {
        match tls_failure(e) {
            Some(failure) => {
                let peer = format!(
                    "{}:{}",
                    self.opts.get_ip_or_hostname(),
                    self.opts.get_tcp_port()
                );
                Error::Db(tls_error(&peer, &failure))
            }
            None => Error::Db(map_error(e)),
        }
    }

    /// What the server is, once a connection has been opened.
    pub fn server_info(&self) -> Option<&ServerInfo> {
        self.server.get().map(|s| &**s)
    }
}

/// A `mysql` crate error as sqlcore's.
pub(super) fn fail(e: mysql::Error) -> Error {
    Error::Db(map_error(&e))
}

impl Driver for MySqlDriver {
    fn dialect(&self) -> &'static dyn Dialect {
        match self.backend {
            Backend::MariaDb => &MariaDB,
            _ => &MySQL,
        }
    }

    #[cfg(feature = "mysql-async")]
    fn connect_async(
        &self,
    ) -> Option<futures_util::future::BoxFuture<'static, Result<Box<dyn DriverConnection>>>> {
        if !self.target.native {
            return None;
        }
        let (target, server) = (self.target.clone(), self.server.clone());
        Some(Box::pin(super::mysql_native::connect(
            target,
            self.backend,
            server,
        )))
    }

    fn connect(&self) -> Result<Box<dyn DriverConnection>> {
        let mut conn = Conn::new(self.opts.clone()).map_err(|e| self.connect_error(&e))?;
        let server = match self.server.get() {
            Some(server) => server.clone(),
            None => {
                let version: Option<String> = conn.query_first("SELECT VERSION()").map_err(fail)?;
                let server = Arc::new(ServerInfo::parse(version.unwrap_or_default()));
                self.server.get_or_init(|| server).clone()
            }
        };
        server.check(self.backend)?;
        Ok(Box::new(MySqlConnection {
            session: Arc::new(Mutex::new(Session {
                state: State::Idle(Box::new(conn)),
                streams: 0,
                last: None,
            })),
            server,
            in_tx: false,
        }))
    }
}

/// An open MySQL / MariaDB connection.
pub struct MySqlConnection {
    session: Arc<Mutex<Session>>,
    server: Arc<ServerInfo>,
    in_tx: bool,
}

/// The connection's state, shared with the cursor of a streamed result.
pub(super) struct Session {
    pub(super) state: State,
    /// Streams opened so far: each cursor knows its own number.
    pub(super) streams: u64,
    /// The statement the last [`Session::run_prepared`] ran, with its SQL: the same SQL again
    /// (a loop of one statement) skips the `mysql` crate's lookup, which parses the SQL for
    /// named parameters and hashes it each time. Forgotten by anything else run on the
    /// connection (which could make the crate close it).
    last: Option<(Box<str>, mysql::Statement)>,
}

pub(super) enum State {
    /// Ready for a statement.
    Idle(Box<Conn>),
    /// Reading the rows of streamed result number `id`: the connection is inside it.
    Streaming { open: OpenResult, id: u64 },
    /// The connection was lost (or the session is between states).
    Lost,
}

impl Session {
    /// The connection, ready for a statement: a streamed result still open is read to its end
    /// and closed first (MySQL runs nothing else on a connection while a result is unread).
    pub(super) fn conn(&mut self) -> Result<&mut Conn> {
        if let State::Streaming { .. } = self.state {
            if let State::Streaming { open, .. } = std::mem::replace(&mut self.state, State::Lost) {
                self.state = State::Idle(open.close());
            }
        }
        match &mut self.state {
            State::Idle(conn) => Ok(conn),
            _ => Err(Error::Db(DbError::connection_does_not_exist(
                "the connection to the server was lost; nothing was sent",
            ))),
        }
    }

    /// Runs `f` on the connection; an error that lost the connection leaves it lost.
    pub(super) fn run<T>(&mut self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        self.last = None;
        self.run_keeping_last(f)
    }

    fn run_keeping_last<T>(&mut self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        let result = f(self.conn()?);
        if result.as_ref().is_err_and(Error::connection_invalidated) {
            self.state = State::Lost;
        }
        result
    }
}

impl Session {
    /// Runs `f` with `sql` prepared (from the `mysql` crate's statement cache, or the last
    /// statement again); `Ok(None)` to `f` when MySQL cannot prepare it and it has no
    /// parameters (`f` then runs it as text).
    fn run_prepared<T>(
        &mut self,
        sql: &str,
        text_allowed: bool,
        f: impl FnOnce(&mut Conn, Option<&mysql::Statement>) -> Result<T>,
    ) -> Result<T> {
        let last = match self.last.take() {
            Some((last_sql, stmt)) if *last_sql == *sql => Some((last_sql, stmt)),
            _ => None,
        };
        let (last_sql, stmt) = match last {
            Some(hit) => hit,
            None => {
                let prepared = self.run_keeping_last(|conn| match conn.prep(sql) {
                    Ok(stmt) => Ok(Some(stmt)),
                    Err(mysql::Error::MySqlError(e))
                        if e.code == UNSUPPORTED_PS && text_allowed =>
                    {
                        Ok(None)
                    }
                    Err(e) => Err(fail(e)),
                })?;
                match prepared {
                    Some(stmt) => (Box::from(sql), stmt),
                    None => return self.run_keeping_last(|conn| f(conn, None)),
                }
            }
        };
        let result = self.run_keeping_last(|conn| f(conn, Some(&stmt)));
        // The statement is still the crate's (nothing else was prepared meanwhile), unless the
        // connection was lost.
        if matches!(self.state, State::Idle(_)) {
            self.last = Some((last_sql, stmt));
        }
        result
    }
}

/// The declared type of result column `i`, where the statement knows it.
pub(super) fn hint(columns: &[ResultColumn], i: usize) -> Option<&SqlType> {
    columns.get(i).and_then(|c| c.sql_type.as_ref())
}

/// One row's values, converted.
pub(super) fn values(
    row: mysql::Row,
    kinds: &[ColumnKind],
    declared: &[ResultColumn],
) -> Result<Vec<Value>> {
    let mut out = Vec::with_capacity(kinds.len());
    push_values(row, kinds, declared, &mut out)?;
    Ok(out)
}

/// One row's values, converted and appended to `out` (the rows of a buffered result end to
/// end: no allocation per row).
fn push_values(
    row: mysql::Row,
    kinds: &[ColumnKind],
    declared: &[ResultColumn],
    out: &mut Vec<Value>,
) -> Result<()> {
    // A fresh row has every value (`None` is only a value taken out of it).
    for (i, (v, kind)) in row.unwrap_raw().into_iter().zip(kinds).enumerate() {
        out.push(from_mysql(
            v.unwrap_or(mysql::Value::NULL),
            *kind,
            hint(declared, i),
        )?);
    }
    Ok(())
}

/// The values of a request, as bound.
pub(super) fn params(request: &Request<'_>) -> Result<Params> {
    if request.params.is_empty() {
        return Ok(Params::Empty);
    }
    let mut values = Vec::with_capacity(request.params.len());
    for v in request.params {
        values.push(to_mysql(v)?);
    }
    Ok(Params::Positional(values))
}

/// Whether `sql` changes rows (its RETURNING rows are the rows it changed).
pub(super) fn is_dml(sql: &str) -> bool {
    let rest = sql.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    // Most statements are queries: told apart by their first letter.
    if !matches!(
        rest.as_bytes().first(),
        Some(b'i' | b'u' | b'd' | b'r' | b'I' | b'U' | b'D' | b'R')
    ) {
        return false;
    }
    let word = &rest[..rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len())];
    ["insert", "update", "delete", "replace"]
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
}

/// What a statement without result columns did.
fn no_rows<T: Protocol>(result: &QueryResult<'_, '_, '_, T>) -> Execution {
    Execution {
        columns: ResultNames::Given(Vec::new()),
        rows: RowSource::default(),
        rowcount: i64::try_from(result.affected_rows()).unwrap_or(i64::MAX),
        last_insert_id: result
            .last_insert_id()
            .filter(|id| *id > 0)
            .and_then(|id| i64::try_from(id).ok()),
    }
}

/// The column kinds and names of a result with columns.
pub(super) fn describe<T: Protocol>(
    result: &QueryResult<'_, '_, '_, T>,
    declared: &[ResultColumn],
) -> Result<(Vec<ColumnKind>, ResultNames)> {
    let columns = result.columns();
    let columns = columns.as_ref();
    let kinds = columns.iter().map(ColumnKind::of).collect();
    let names = ResultNames::read(columns.len(), declared, |i| {
        Ok(Arc::from(columns[i].name_str().as_ref()))
    })?;
    Ok((kinds, names))
}

/// Reads a whole result into memory.
fn buffered<T: Protocol>(
    mut result: QueryResult<'_, '_, '_, T>,
    request: &Request<'_>,
) -> Result<Execution> {
    if result.columns().as_ref().is_empty() {
        let exec = no_rows(&result);
        // A statement of several (execute_batch's text) reports its errors as it is read.
        for row in result.by_ref() {
            row.map_err(fail)?;
        }
        return Ok(exec);
    }
    let (kinds, columns) = describe(&result, request.result_columns)?;
    flat_result(
        columns,
        result.by_ref().map(|row| row.map_err(fail)),
        &kinds,
        request,
    )
}

/// The rows of a result with columns, converted and laid end to end in one buffer (no
/// allocation per row; a one-row result's buffer becomes its row as it is).
pub(super) fn flat_result(
    columns: ResultNames,
    rows: impl Iterator<Item = Result<mysql::Row>>,
    kinds: &[ColumnKind],
    request: &Request<'_>,
) -> Result<Execution> {
    let width = kinds.len();
    let mut values = Vec::new();
    let mut count = 0i64;
    for row in rows {
        // The first row exactly (a point select's buffer is then its row, as is: see
        // `RowSource::next_row`), the others with the usual doubling.
        if values.is_empty() {
            values.reserve_exact(width);
        } else {
            values.reserve(width);
        }
        push_values(row?, kinds, request.result_columns, &mut values)?;
        count += 1;
    }
    let rowcount = if is_dml(request.sql) { count } else { -1 };
    Ok(Execution {
        columns,
        rows: RowSource::flat(values, width),
        rowcount,
        last_insert_id: None,
    })
}

/// Reads a statement's result, whichever protocol it came by (binary for a prepared
/// statement, text for one MySQL cannot prepare).
trait ReadResult {
    type Output;
    fn read<P: Protocol>(self, result: QueryResult<'_, '_, '_, P>) -> Result<Self::Output>;
}

/// Reads the whole result ([`buffered`]).
struct Buffered<'r, 'a>(&'r Request<'a>);

impl ReadResult for Buffered<'_, '_> {
    type Output = Execution;
    fn read<P: Protocol>(self, result: QueryResult<'_, '_, '_, P>) -> Result<Execution> {
        buffered(result, self.0)
    }
}

/// Reads the first row into a reader ([`first_row`]).
struct First<'r, 'a, 'f>(
    &'r Request<'a>,
    &'f mut dyn FnMut(ResultNames, &[ValueRef<'_>]) -> Result<()>,
);

impl ReadResult for First<'_, '_, '_> {
    type Output = FirstRow;
    fn read<P: Protocol>(self, result: QueryResult<'_, '_, '_, P>) -> Result<FirstRow> {
        first_row(result, self.0, self.1)
    }
}

/// The most columns a first row converts on the stack (more go to the heap).
const INLINE_COLUMNS: usize = 8;

/// Reads the first row of `result` and hands it to `read`, converted, with the result's
/// column names: no [`Execution`] and no row buffer are built. The rest of the result is
/// read and dropped as `result` goes (MySQL runs nothing else on the connection before).
fn first_row<T: Protocol>(
    mut result: QueryResult<'_, '_, '_, T>,
    request: &Request<'_>,
    read: &mut dyn FnMut(ResultNames, &[ValueRef<'_>]) -> Result<()>,
) -> Result<FirstRow> {
    if result.columns().as_ref().is_empty() {
        // A statement of several reports its errors as it is read.
        for row in result.by_ref() {
            row.map_err(fail)?;
        }
        return Ok(FirstRow::NoColumns);
    }
    let declared = request.result_columns;
    let names = {
        let columns = result.columns();
        let columns = columns.as_ref();
        ResultNames::read(columns.len(), declared, |i| {
            Ok(Arc::from(columns[i].name_str().as_ref()))
        })?
    };
    let Some(row) = result.next() else {
        return Ok(FirstRow::None);
    };
    let row = row.map_err(fail)?;
    let columns = row.columns();
    let row = row.unwrap_raw();
    let width = row.len();
    // One array of `ValueRef`s owning the converted values (the `Null`s past `width` cost
    // nothing to drop).
    let mut inline: [ValueRef<'_>; INLINE_COLUMNS] = std::array::from_fn(|_| ValueRef::Null);
    let mut spilled = Vec::new();
    let values = if width <= INLINE_COLUMNS {
        &mut inline[..width]
    } else {
        spilled.resize(width, ValueRef::Null);
        &mut spilled[..]
    };
    // A fresh row has every value (`None` is only a value taken out of it).
    for (i, ((slot, v), column)) in values.iter_mut().zip(row).zip(columns.iter()).enumerate() {
        let kind = ColumnKind::of(column);
        *slot = from_mysql(v.unwrap_or(mysql::Value::NULL), kind, hint(declared, i))?.into();
    }
    read(names, values).map(|()| FirstRow::Read)
}

impl MySqlConnection {
    /// Runs a statement without parameters through the text protocol.
    fn simple(&mut self, sql: &str) -> Result<()> {
        self.session.lock().run(|conn| {
            let mut result = conn.query_iter(sql).map_err(fail)?;
            // Every statement's result is read, so the error of a later one is seen.
            while let Some(set) = result.iter() {
                for row in set {
                    row.map_err(fail)?;
                }
            }
            Ok(())
        })
    }

    /// Runs `request` (not streamed) prepared, or through the text protocol where MySQL cannot
    /// prepare it and it has no parameters, and reads its result with `reader`.
    fn run_request<R: ReadResult>(
        &mut self,
        request: &Request<'_>,
        reader: R,
    ) -> Result<R::Output> {
        let params = params(request)?;
        self.session
            .lock()
            .run_prepared(
                request.sql,
                request.params.is_empty(),
                |conn, stmt| match stmt {
                    Some(stmt) => reader.read(conn.exec_iter(stmt, params).map_err(fail)?),
                    None => reader.read(conn.query_iter(request.sql).map_err(fail)?),
                },
            )
    }

    /// A statement whose rows are read as they are fetched (`stream_results`): MySQL's
    /// unbuffered result, the connection held by it until it is read or closed.
    fn stream(&mut self, request: &Request<'_>, chunk: usize) -> Result<Execution> {
        let params = params(request)?;
        let mut session = self.session.lock();
        let stmt = session.run(|conn| conn.prep(request.sql).map_err(fail))?;
        let State::Idle(conn) = std::mem::replace(&mut session.state, State::Lost) else {
            return Err(Error::Db(DbError::connection_does_not_exist(
                "the connection to the server was lost; nothing was sent",
            )));
        };
        let declared: Arc<[ResultColumn]> = request.result_columns.into();
        match OpenResult::open(conn, &stmt, params, declared) {
            Ok((open, None)) => {
                // No rows to stream: the statement's counts, and the connection back.
                let exec = open.no_rows();
                session.state = State::Idle(open.close());
                Ok(exec)
            }
            Ok((open, Some(columns))) => {
                session.streams += 1;
                let id = session.streams;
                session.state = State::Streaming { open, id };
                drop(session);
                let cursor = StreamCursor::new(self.session.clone(), id, chunk);
                Ok(Execution {
                    columns,
                    rows: RowSource::streamed(cursor),
                    rowcount: -1,
                    last_insert_id: None,
                })
            }
            Err((conn, e)) => {
                session.state = if e.connection_invalidated() {
                    State::Lost
                } else {
                    State::Idle(conn)
                };
                Err(e)
            }
        }
    }
}

impl DriverConnection for MySqlConnection {
    fn execute(&mut self, request: &Request<'_>) -> Result<Execution> {
        if let Some(chunk) = request.stream {
            return self.stream(request, chunk.max(1));
        }
        self.run_request(request, Buffered(request))
    }

    fn query_row(
        &mut self,
        request: &Request<'_>,
        read: &mut dyn FnMut(ResultNames, &[ValueRef<'_>]) -> Result<()>,
    ) -> Result<FirstRow> {
        self.run_request(request, First(request, read))
    }

    fn execute_many<'v>(
        &mut self,
        sql: &str,
        param_types: &[Option<SqlType>],
        param_sets: &mut dyn Iterator<Item = ParamSet<'v>>,
    ) -> Result<i64> {
        let _ = param_types;
        self.session.lock().run(|conn| {
            let stmt = conn.prep(sql).map_err(fail)?;
            let mut total = 0i64;
            for set in param_sets {
                let params = if set.is_empty() {
                    Params::Empty
                } else {
                    Params::Positional(set.iter().map(|v| to_mysql(v)).collect::<Result<_>>()?)
                };
                let result = conn.exec_iter(&stmt, params).map_err(fail)?;
                let affected = result.affected_rows();
                drop(result);
                total = total.saturating_add(i64::try_from(affected).unwrap_or(i64::MAX));
            }
            Ok(total)
        })
    }

    fn execute_batch(&mut self, sql: &str) -> Result<()> {
        self.simple(sql)
    }

    fn begin(&mut self) -> Result<()> {
        self.simple("BEGIN")?;
        self.in_tx = true;
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        self.in_tx = false;
        self.simple("COMMIT")
    }

    fn rollback(&mut self) -> Result<()> {
        self.in_tx = false;
        self.simple("ROLLBACK")
    }

    fn savepoint(&mut self, name: &str) -> Result<()> {
        self.simple(&format!("SAVEPOINT {name}"))
    }

    fn release_savepoint(&mut self, name: &str) -> Result<()> {
        self.simple(&format!("RELEASE SAVEPOINT {name}"))
    }

    fn rollback_to_savepoint(&mut self, name: &str) -> Result<()> {
        self.simple(&format!("ROLLBACK TO SAVEPOINT {name}"))
    }

    fn in_transaction(&self) -> bool {
        self.in_tx
    }

    fn set_isolation_level(&mut self, level: IsolationLevel) -> Result<()> {
        if level == IsolationLevel::Autocommit {
            return Err(Error::Argument(
                "AUTOCOMMIT is not a transaction isolation level".into(),
            ));
        }
        self.simple(&format!("SET SESSION TRANSACTION ISOLATION LEVEL {level}"))
    }

    fn isolation_level(&mut self) -> Result<IsolationLevel> {
        let sql = format!("SELECT {}", self.server.isolation_variable());
        let level: Option<String> = self
            .session
            .lock()
            .run(|conn| conn.query_first(&sql).map_err(fail))?;
        // `REPEATABLE-READ`, as MySQL writes it.
        level.unwrap_or_default().replace('-', " ").parse()
    }

    fn supported_isolation_levels(&self) -> &'static [IsolationLevel] {
        &[
            IsolationLevel::Serializable,
            IsolationLevel::RepeatableRead,
            IsolationLevel::ReadCommitted,
            IsolationLevel::ReadUncommitted,
        ]
    }

    fn release(&mut self) -> Result<()> {
        // A streamed result still open is read to its end: the connection is ready again.
        self.session.lock().conn().map(drop)
    }

    fn ping(&mut self) -> Result<()> {
        self.session.lock().run(|conn| conn.ping().map_err(fail))
    }

    fn table_names(&mut self, schema: Option<&str>) -> Result<Vec<String>> {
        let sql = "SELECT table_name FROM information_schema.tables \
                   WHERE table_schema = COALESCE(?, DATABASE()) AND table_type = 'BASE TABLE' \
                   ORDER BY table_name";
        let schema = schema.map(str::to_owned);
        self.session
            .lock()
            .run(|conn| conn.exec(sql, (schema,)).map_err(fail))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl MySqlConnection {
    /// Runs `f` with the `mysql` crate's connection (for event hooks), after any streamed
    /// result still open is read to its end.
    ///
    /// ```no_run
    /// # fn main() -> sqlcore::Result<()> {
    /// use mysql::prelude::Queryable;
    /// let engine = sqlcore::Engine::builder("mysql://root@127.0.0.1/test")
    ///     .on_connect(|conn| {
    ///         let conn = conn.as_any_mut().downcast_mut::<sqlcore::driver::mysql::MySqlConnection>();
    ///         conn.map_or(Ok(()), |c| c.with_conn(|raw| raw.query_drop("SET SESSION sql_mode = 'ANSI'")))
    ///     })
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn with_conn<T>(
        &mut self,
        f: impl FnOnce(&mut Conn) -> std::result::Result<T, mysql::Error>,
    ) -> Result<T> {
        self.session.lock().run(|conn| f(conn).map_err(fail))
    }

    /// What the server is (read at the engine's first connect).
    pub fn server_info(&self) -> &ServerInfo {
        &self.server
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dml_is_told_by_its_first_word() {
        assert!(is_dml("INSERT INTO t VALUES (1) RETURNING id"));
        assert!(is_dml("  delete FROM t RETURNING id"));
        assert!(!is_dml("SELECT 1"));
        assert!(!is_dml("(SELECT 1) UNION (SELECT 2)"));
        assert!(!is_dml("WITH x AS (SELECT 1) SELECT * FROM x"));
    }
}
