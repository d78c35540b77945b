//! The PostgreSQL driver, over `tokio-postgres` driven on the calling thread (see
//! `Session`): a bounded per-connection cache of prepared statements, server-side cursors
//! for streamed results whose next chunk is on its way while one is read, and disconnect
//! detection.

use super::pg_cursor::Cursor;
use super::pg_decode::{
    buffered_rows, declared_types, decodes_lazily, described_without_rows, fits, result_names,
    streams,
};
use super::pg_error::{aborted_commit, fail, reset_failed};
use super::pg_ops::{self, PING_TIMEOUT};
use super::pg_params::{config_from_url, sqlcore_options};
use super::pg_result_types::{Plan, ResultTypes};
use super::pg_session::{Flight, Session};
use super::pg_stmt_cache::{Lookup, StatementCache};
use super::pg_tls::Tls;
use super::pg_value::{param_type, text_form};
use super::{Driver, DriverConnection, Execution, ParamSet, Request, ResultNames, RowSource};
use crate::error::{DbError, DbErrorKind, Error, Result};
use crate::options::IsolationLevel;
use crate::url::Url;
use parking_lot::Mutex;
use sqlcore_compiler::{Dialect, PostgreSQL, SqlType, Value};
use std::any::Any;
use std::sync::Arc;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Config, Row, Statement};

/// Opens PostgreSQL connections from a URL with libpq's connection parameters: one host or
/// several (`h1:p1,h2:p2`, or the `host` and `port` query options, which replace the URL's;
/// a host starting with `/` is a unix socket directory), `user`, `password`, `dbname`,
/// `target_session_attrs` (`any`, `read-write`, `read-only`), `load_balance_hosts`
/// (`disable`, `random`), `connect_timeout` (seconds, per host), `application_name`, `options`,
/// `keepalives`, `keepalives_idle`, `keepalives_interval`, `keepalives_retries`, and TLS as
/// libpq spells it: `sslmode`
/// (`disable`, the default, `allow`, `prefer`, `require`, `verify-ca`, `verify-full`),
/// `sslrootcert` (a PEM file, or `system`), `sslcert` and `sslkey` (PEM files).
///
/// Two options are sqlcore's own: `prepared_statement_cache_size` (the prepared statements
/// each connection keeps, as SQLAlchemy's asyncpg dialect names it; default 100) and
/// `pgbouncer` (`true`/`false`): behind a transaction-pooling proxy, nothing outlives a
/// transaction on the server (see [`PgDriver::from_url`]).
#[derive(Debug, Clone)]
pub struct PgDriver {
    config: Config,
    tls: Tls,
    statement_cache: usize,
    transaction_pooling: bool,
    /// Behind a transaction-pooling proxy: how results of user types are read, per statement
    /// (see `pg_result_types`), shared by the engine's connections.
    result_types: Option<Arc<ResultTypes>>,
}

impl PgDriver {
    /// A driver for `url`, keeping up to `statement_cache` prepared statements per
    /// connection (0: prepare nothing, use unnamed statements), unless the URL's
    /// `prepared_statement_cache_size` says otherwise.
    ///
    /// With `pgbouncer=true` in the URL, the connections suit PgBouncer's transaction pooling
    /// (any proxy that may hand each transaction another server session): statements are sent
    /// unnamed, a streamed result is refused outside a transaction, and an isolation level is
    /// given to each `BEGIN` rather than set on the session. A
    /// `prepared_statement_cache_size` other than 0 beside it is an
    /// [`Error::Argument`].
    pub fn from_url(url: &Url, statement_cache: usize) -> Result<Self> {
        Self::with_options(url, Some(statement_cache), false)
    }

    /// As [`PgDriver::from_url`]: `statement_cache` (when given) replaces the URL's
    /// `prepared_statement_cache_size`, and `pgbouncer` turns transaction-pooling mode on
    /// whatever the URL says.
    pub fn with_options(
        url: &Url,
        statement_cache: Option<usize>,
        pgbouncer: bool,
    ) -> Result<Self> {
        let (mut config, tls) = config_from_url(url)?;
        let own = sqlcore_options(url)?;
        let transaction_pooling = pgbouncer || own.pgbouncer;
        let statement_cache = statement_cache
            .or(own.statement_cache)
            .unwrap_or(if transaction_pooling { 0 } else { 100 });
        if transaction_pooling && statement_cache > 0 {
            return Err(Error::Argument(format!(
                "pgbouncer=true sends every statement unnamed; a prepared statement cache of {statement_cache} cannot be kept (set prepared_statement_cache_size=0 or leave it out)"
            )));
        }
        let tls = tls.build()?;
        config.ssl_mode(tls.mode);
        Ok(PgDriver {
            config,
            tls,
            statement_cache,
            transaction_pooling,
            result_types: transaction_pooling.then(Arc::default),
        })
    }

    /// Whether connections suit a transaction-pooling proxy (`pgbouncer=true`).
    pub fn transaction_pooling(&self) -> bool {
        self.transaction_pooling
    }
}

impl Driver for PgDriver {
    fn dialect(&self) -> &'static dyn Dialect {
        &PostgreSQL
    }

    #[cfg(feature = "async")]
    fn connect_async(
        &self,
    ) -> Option<futures_util::future::BoxFuture<'static, Result<Box<dyn DriverConnection>>>> {
        let (config, tls) = (self.config.clone(), self.tls.clone());
        let cache = StatementCache::new(self.statement_cache, self.transaction_pooling);
        let result_types = self.result_types.clone();
        Some(Box::pin(async move {
            let conn = super::pg_native::connect(config, tls, cache, result_types).await?;
            Ok(Box::new(conn) as Box<dyn DriverConnection>)
        }))
    }

    fn connect(&self) -> Result<Box<dyn DriverConnection>> {
        let session = if self.tls.allow {
            // libpq's `allow`: plain first, TLS when the server refuses a plain connection.
            let mut plain = self.config.clone();
            plain.ssl_mode(tokio_postgres::config::SslMode::Disable);
            match Session::connect(&plain, None) {
                Err(Error::Db(e)) if e.sqlstate.as_deref().is_some_and(|s| s.starts_with("28")) => {
                    Session::connect(&self.config, self.tls.connector.as_ref())?
                }
                other => other?,
            }
        } else {
            Session::connect(&self.config, self.tls.connector.as_ref())?
        };
        Ok(Box::new(PgConnection {
            shared: Arc::new(Mutex::new(Shared {
                session,
                in_tx: false,
                tx_epoch: 0,
                checkout_epoch: 0,
                tx_failed: false,
                hold_cursors: 0,
                begin: None,
                lost_before_use: false,
            })),
            cache: StatementCache::new(self.statement_cache, self.transaction_pooling),
            result_types: self.result_types.clone(),
            cursors: 0,
            isolation: None,
        }))
    }
}

/// What a streamed result shares with its connection.
pub(super) struct Shared {
    pub(super) session: Session,
    /// A transaction is open (begun with BEGIN).
    pub(super) in_tx: bool,
    /// Bumped when a transaction ends or rolls back to a savepoint, which closes the cursors
    /// declared in it.
    pub(super) tx_epoch: u64,
    /// Bumped when the connection goes back to the pool: no result may use it afterwards.
    pub(super) checkout_epoch: u64,
    /// A statement failed inside the transaction: PostgreSQL has aborted it.
    pub(super) tx_failed: bool,
    /// Open WITH HOLD cursors (declared outside a transaction).
    pub(super) hold_cursors: usize,
    /// The `BEGIN` of the open transaction, not sent yet: it goes in one flight with the
    /// transaction's first statement (a transaction ended before it has none).
    pub(super) begin: Option<String>,
    /// The last call found the connection gone before it sent anything, outside a
    /// transaction begun on the server, or found that the reset sent as the connection went
    /// back to the pool failed: nothing of that call can have committed.
    pub(super) lost_before_use: bool,
}

impl Shared {
    /// Runs `f` with the client; a failure inside a transaction marks it aborted.
    /// A `BEGIN` the transaction still owes goes ahead of `f` in the same flight, and the
    /// reply of the reset sent at check-in is read in it (see [`Session::run_after`]).
    pub(super) fn run<T: Send>(
        &mut self,
        f: impl AsyncFnOnce(&Client) -> std::result::Result<T, tokio_postgres::Error> + Send,
    ) -> Result<T> {
        // Outside a transaction begun on the server, a connection found gone before the call
        // sent anything loses nothing: look before sending.
        let fresh = self.begin.is_some() || !self.in_tx;
        self.run_as(fresh, f)
    }

    /// [`Shared::run`]; `fresh`: nothing is lost should the connection be found gone before
    /// the call sent anything (no transaction begun on the server, or one ending).
    pub(super) fn run_as<T: Send>(
        &mut self,
        fresh: bool,
        f: impl AsyncFnOnce(&Client) -> std::result::Result<T, tokio_postgres::Error> + Send,
    ) -> Result<T> {
        let begin = self.begin.take();
        self.lost_before_use = false;
        let result = match self.session.run_after(begin.as_deref(), fresh, f) {
            Flight::Done(result) => result.map_err(fail),
            Flight::AheadFailed(e) => {
                // No transaction began.
                self.in_tx = false;
                Err(fail(e))
            }
            Flight::EarlierFailed(e) => {
                self.lost_before_use = true;
                Err(reset_failed(e))
            }
            Flight::Unsent(e) => {
                // Outside a transaction begun on the server, nothing is lost: the call may run
                // on another connection.
                self.lost_before_use = fresh;
                Err(fail(e))
            }
        };
        self.note(result.is_err());
        result
    }

    /// Sends cursor `id`'s next FETCH without waiting for it.
    pub(super) fn send_fetch(&mut self, id: u64, fetch: &pg_ops::Fetch) {
        self.session.send_fetch(id, fetch);
        self.note(false);
    }

    /// The rows of cursor `id`'s FETCH sent ahead, if one was sent.
    pub(super) fn fetched(&mut self, id: u64) -> Option<Result<Vec<Row>>> {
        let rows = self.session.fetched(id).map(|rows| rows.map_err(fail));
        self.note(matches!(rows, Some(Err(_))));
        rows
    }

    /// Marks the transaction aborted after a failure in it (`failed`, or a FETCH sent ahead
    /// that failed while another statement waited): PostgreSQL aborts it on any error.
    pub(super) fn note(&mut self, failed: bool) {
        let fetch_failed = self.session.take_fetch_failed();
        if self.in_tx && (failed || fetch_failed) {
            self.tx_failed = true;
        }
    }
}

/// An open PostgreSQL connection.
pub struct PgConnection {
    shared: Arc<Mutex<Shared>>,
    cache: StatementCache,
    /// Behind a transaction-pooling proxy: the engine's plans for results of user types.
    result_types: Option<Arc<ResultTypes>>,
    /// Cursors declared so far (their names and ids).
    cursors: u64,
    /// Behind a transaction-pooling proxy: the isolation level each `BEGIN` asks for (the
    /// session's own is left alone).
    isolation: Option<IsolationLevel>,
}

impl PgConnection {
    /// The prepared statement for `sql`, from the cache or prepared now (and cached).
    fn statement(&mut self, shared: &mut Shared, request: &Request<'_>) -> Result<Statement> {
        match self.cache.get(request) {
            Some(stmt) => Ok(stmt),
            None => self.prepare_kept(shared, request),
        }
    }

    /// Prepares `request`'s statement and keeps it.
    fn prepare_kept(&mut self, shared: &mut Shared, request: &Request<'_>) -> Result<Statement> {
        let types = declared_types(request);
        let stmt = shared.run(async |c| pg_ops::prepare(c, request.sql, &types).await)?;
        // Evicting drops the oldest statement, which closes it on the server.
        self.cache.put(request.sql, stmt.clone());
        Ok(stmt)
    }

    /// Behind a transaction-pooling proxy: the plan for `request`'s result (see
    /// `pg_result_types`), kept or described now.
    fn plan(
        &self,
        shared: &mut Shared,
        request: &Request<'_>,
        types: &[Type],
    ) -> Result<Option<Arc<Plan>>> {
        let Some(result_types) = &self.result_types else {
            return Ok(None);
        };
        if let Some(plan) = result_types.kept(request, types) {
            return Ok(Some(plan));
        }
        if shared.tx_failed {
            // The statement fails as it is: nothing to describe.
            return Ok(None);
        }
        let in_tx = shared.in_tx;
        shared.run(async |c| result_types.plan(c, request, types, in_tx).await)
    }

    fn simple(&mut self, sql: &str) -> Result<()> {
        self.shared.lock().run(async |c| c.batch_execute(sql).await)
    }

    /// Ends the open transaction, with `COMMIT` or `ROLLBACK` (`deferred`: sent without
    /// waiting for its reply, which the connection's next call reads). A transaction whose
    /// `BEGIN` was never sent ends without a round trip.
    fn end_transaction(&mut self, commit: bool, deferred: bool) -> Result<()> {
        let mut shared = self.shared.lock();
        // A FETCH sent ahead completes inside the transaction it belongs to.
        shared.session.settle();
        shared.note(false);
        shared.tx_epoch += 1;
        shared.in_tx = false;
        let failed = std::mem::take(&mut shared.tx_failed);
        if shared.begin.take().is_some() {
            // Nothing was sent in it.
            return Ok(());
        }
        if deferred && !commit {
            return shared.session.send_unanswered("ROLLBACK").map_err(fail);
        }
        if commit && failed {
            // PostgreSQL would answer COMMIT with a silent ROLLBACK. Nothing commits, whether
            // or not the ROLLBACK gets through.
            let rolled_back = shared.run_as(false, async |c| c.batch_execute("ROLLBACK").await);
            let lost = rolled_back.is_err_and(|e| e.connection_invalidated());
            return Err(aborted_commit(lost));
        }
        if commit && shared.session.is_closed() {
            // Nothing is sent: the transaction went with the connection, uncommitted.
            return Err(Error::Db(DbError::connection_does_not_exist(
                "the connection was lost before COMMIT was sent; nothing was committed",
            )));
        }
        let sql = if commit { "COMMIT" } else { "ROLLBACK" };
        // Never run again elsewhere: the transaction it ends was this connection's.
        shared.run_as(false, async |c| c.batch_execute(sql).await)
    }

    fn stream(&mut self, request: &Request<'_>, chunk: usize) -> Result<Execution> {
        let chunk = chunk.max(1);
        let shared = self.shared.clone();
        let mut guard = shared.lock();
        self.cache.check_stream(guard.in_tx)?;
        // Behind a proxy, a query's plan describes it; else it is prepared (uncached, the
        // statement is closed as this call ends, inside its transaction).
        let planned = match &self.result_types {
            Some(_) => {
                let types = declared_types(request);
                self.plan(&mut guard, request, &types)?
                    .map(|plan| (plan, types))
            }
            None => None,
        };
        let sql = planned
            .as_ref()
            .map_or(request.sql, |(p, _)| p.sql(request.sql));
        let (columns, lazy, types) = match &planned {
            Some((plan, types)) => (plan.result_names(request)?, false, types.clone()),
            None => {
                let stmt = self.statement(&mut guard, request)?;
                let columns = result_names(stmt.columns(), request)?;
                (
                    columns,
                    decodes_lazily(stmt.columns()),
                    stmt.params().to_vec(),
                )
            }
        };
        self.cursors += 1;
        let id = self.cursors;
        let name = format!("sqlcore_cursor_{id}");
        // Outside a transaction the cursor must outlive the implicit one of its DECLARE.
        let hold = !guard.in_tx;
        let declare = format!(
            "DECLARE {name} NO SCROLL CURSOR {} FOR {}",
            if hold { "WITH HOLD" } else { "WITHOUT HOLD" },
            sql
        );
        let fetch_sql = format!("FETCH {chunk} FROM {name}");
        let unnamed = !self.cache.enabled();
        let fetch = guard.run(async |c| {
            pg_ops::declare_cursor(c, &declare, types, request.params, &fetch_sql, unnamed).await
        })?;
        if hold {
            guard.hold_cursors += 1;
        }
        // The first chunk is on its way while the result is handed over.
        guard.send_fetch(id, &fetch);
        let cursor = Cursor {
            shared: shared.clone(),
            id,
            name,
            fetch,
            chunk,
            tx_epoch: guard.tx_epoch,
            checkout_epoch: guard.checkout_epoch,
            hold,
            lazy,
            done: false,
        };
        Ok(Execution {
            columns,
            rows: RowSource::streamed(cursor),
            rowcount: -1,
            last_insert_id: None,
        })
    }
}

impl PgConnection {
    fn execute_inner(&mut self, request: &Request<'_>) -> Result<Execution> {
        if let Some(chunk) = request.stream {
            // Only a query can feed a cursor (DML with RETURNING cannot be declared).
            if streams(request.sql) {
                return self.stream(request, chunk);
            }
        }
        let shared = self.shared.clone();
        let mut guard = shared.lock();
        let stmt = match self.cache.lookup(request) {
            Lookup::Kept(stmt) => stmt,
            Lookup::Admit => self.prepare_kept(&mut guard, request)?,
            // Without a cache, or not admitted to it: in one flight.
            Lookup::Unnamed => return self.execute_unnamed(&mut guard, request),
        };
        if stmt.columns().is_empty() {
            let n = guard.run(async |c| pg_ops::execute(c, &stmt, request.params).await)? as i64;
            return Ok(Execution {
                columns: ResultNames::Given(Vec::new()),
                rows: RowSource::default(),
                rowcount: n,
                last_insert_id: None,
            });
        }
        let columns = result_names(stmt.columns(), request)?;
        let rows = guard.run(async |c| pg_ops::query(c, &stmt, request.params).await)?;
        let rowcount = rows.len() as i64;
        buffered(columns, rows, decodes_lazily(stmt.columns()), rowcount)
    }

    /// Runs `request` as an unnamed statement, its parameter types the ones the request
    /// declares, in one flight (Parse, Bind, Execute): nothing outlives the call on the server.
    fn execute_unnamed(&self, shared: &mut Shared, request: &Request<'_>) -> Result<Execution> {
        let types = declared_types(request);
        let plan = self.plan(shared, request, &types)?;
        let sql = plan.as_ref().map_or(request.sql, |p| p.sql(request.sql));
        let answer =
            shared.run(async |c| pg_ops::query_unnamed(c, sql, request.params, types).await);
        if let (Err(_), Some(result_types)) = (&answer, &self.result_types) {
            // A type may have changed: the statement is described afresh next time.
            result_types.forget(request.sql);
        }
        let (rows, rowcount) = answer?;
        // Without a row the names are the compiled ones; a statement compiled without
        // them (text()) is described inside its transaction, where the statement prepared
        // for it is closed again before the transaction ends.
        let (columns, lazy) = match rows.first() {
            Some(row) => (
                result_names(row.columns(), request)?,
                decodes_lazily(row.columns()),
            ),
            None if described_without_rows(request, shared.in_tx) => {
                if let Some(plan) = &plan {
                    (plan.result_names(request)?, false)
                } else {
                    let types = declared_types(request);
                    let described =
                        shared.run(async |c| pg_ops::prepare(c, request.sql, &types).await)?;
                    (result_names(described.columns(), request)?, false)
                }
            }
            None => (ResultNames::Expected, false),
        };
        buffered(columns, rows, lazy, rowcount.map_or(-1, |n| n as i64))
    }

    /// One prepared statement for every parameter set (prepared again only for a set whose
    /// values declare other types).
    fn execute_many_inner(
        &mut self,
        sql: &str,
        param_types: &[Option<SqlType>],
        param_sets: &mut dyn Iterator<Item = ParamSet<'_>>,
    ) -> Result<i64> {
        let mut total = 0i64;
        let mut stmt: Option<Statement> = None;
        let shared = self.shared.clone();
        for params in param_sets {
            let request = Request {
                sql,
                statement_id: None,
                params: &params,
                param_types,
                result_columns: &[],
                stream: None,
            };
            let mut guard = shared.lock();
            if !self.cache.enabled() {
                // Unnamed, one round trip per set: nothing prepared outlives the call.
                let types = declared_types(&request);
                let (_, n) =
                    guard.run(async |c| pg_ops::query_unnamed(c, sql, &params, types).await)?;
                total += n.unwrap_or(0) as i64;
                continue;
            }
            let current = match stmt.take() {
                Some(s) if fits(&s, &request) => s,
                _ => self.statement(&mut guard, &request)?,
            };
            total += guard.run(async |c| pg_ops::execute(c, &current, &params).await)? as i64;
            stmt = Some(current);
        }
        Ok(total)
    }
}

/// A result whose rows were all read: each kept as the driver's row (decoded as it is read,
/// when `lazy`) or decoded now.
fn buffered(columns: ResultNames, rows: Vec<Row>, lazy: bool, rowcount: i64) -> Result<Execution> {
    Ok(Execution {
        columns,
        rows: buffered_rows(rows, lazy)?,
        rowcount,
        last_insert_id: None,
    })
}

impl DriverConnection for PgConnection {
    fn execute(&mut self, request: &Request<'_>) -> Result<Execution> {
        let result = self.execute_inner(request);
        if let Err(e) = &result {
            // A schema change invalidates a cached plan: prepare it afresh next time.
            self.cache.forget_if_stale(request.sql, e);
        }
        result
    }

    fn execute_many<'v>(
        &mut self,
        sql: &str,
        param_types: &[Option<SqlType>],
        param_sets: &mut dyn Iterator<Item = ParamSet<'v>>,
    ) -> Result<i64> {
        self.execute_many_inner(sql, param_types, param_sets)
    }

    fn execute_batch(&mut self, sql: &str) -> Result<()> {
        self.simple(sql)
    }

    fn copy_in(
        &mut self,
        table: &str,
        columns: &[String],
        types: &[SqlType],
        rows: &mut (dyn Iterator<Item = Result<Vec<Value>>> + Send),
    ) -> Option<Result<i64>> {
        // Behind a transaction-pooling proxy, COPY's statement must live and die in one
        // transaction: outside one, INSERT does the work.
        if self.cache.transaction_pooling() && !self.shared.lock().in_tx {
            return None;
        }
        // Binary COPY only: a type bound in its text form (tsvector, …) takes the INSERT path.
        let types: Vec<Type> = types
            .iter()
            .map(|t| param_type(Some(t), &Value::Null).filter(|t| !text_form(t)))
            .collect::<Option<_>>()?;
        let sql = format!(
            "COPY {table} ({}) FROM STDIN (FORMAT binary)",
            columns.join(", ")
        );
        let mut shared = self.shared.lock();
        let copied = shared.run(async |c| pg_ops::copy_in(c, &sql, &types, rows).await);
        let result = copied.and_then(|rows| rows);
        shared.note(result.is_err());
        Some(result)
    }

    fn release(&mut self) -> Result<()> {
        let mut shared = self.shared.lock();
        shared.checkout_epoch += 1;
        shared.session.forget_all();
        shared.note(false);
        if shared.hold_cursors > 0 {
            shared.hold_cursors = 0;
            shared.run(async |c| c.batch_execute("CLOSE ALL").await)?;
        }
        Ok(())
    }

    /// Nothing is sent yet: the `BEGIN` goes in one flight with the transaction's first
    /// statement.
    fn begin(&mut self) -> Result<()> {
        let begin = pg_ops::begin_sql(self.isolation);
        let mut shared = self.shared.lock();
        shared.begin = Some(begin);
        shared.in_tx = true;
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        self.end_transaction(true, false)
    }

    fn rollback(&mut self) -> Result<()> {
        self.end_transaction(false, false)
    }

    /// `ROLLBACK` without waiting for its reply: the next call on the connection reads it in
    /// its own flight, and should it have failed, that call fails with nothing of its own
    /// committed ([`DriverConnection::lost_before_use`] says so).
    fn rollback_on_checkin(&mut self) -> Result<()> {
        self.end_transaction(false, true)
    }

    fn lost_before_use(&mut self) -> bool {
        std::mem::take(&mut self.shared.lock().lost_before_use)
    }

    fn savepoint(&mut self, name: &str) -> Result<()> {
        self.simple(&format!("SAVEPOINT {name}"))
    }

    fn release_savepoint(&mut self, name: &str) -> Result<()> {
        self.simple(&format!("RELEASE SAVEPOINT {name}"))
    }

    fn rollback_to_savepoint(&mut self, name: &str) -> Result<()> {
        self.simple(&format!("ROLLBACK TO SAVEPOINT {name}"))?;
        let mut shared = self.shared.lock();
        // The transaction is usable again; cursors declared since the savepoint are gone
        // (conservatively, every cursor of the transaction stops).
        shared.tx_failed = false;
        shared.tx_epoch += 1;
        Ok(())
    }

    fn in_transaction(&self) -> bool {
        self.shared.lock().in_tx
    }

    fn set_isolation_level(&mut self, level: IsolationLevel) -> Result<()> {
        let pooling = self.cache.transaction_pooling();
        match pg_ops::isolation_setting(level, pooling, &mut self.isolation)? {
            Some(sql) => self.simple(&sql),
            None => Ok(()),
        }
    }

    fn isolation_level(&mut self) -> Result<IsolationLevel> {
        if let Some(level) = self.isolation.filter(|_| !self.in_transaction()) {
            return Ok(level);
        }
        let level = self
            .shared
            .lock()
            .run(async |c| pg_ops::isolation_level(c).await)?;
        level.parse()
    }

    fn supported_isolation_levels(&self) -> &'static [IsolationLevel] {
        &[
            IsolationLevel::Serializable,
            IsolationLevel::RepeatableRead,
            IsolationLevel::ReadCommitted,
            IsolationLevel::ReadUncommitted,
        ]
    }

    fn ping(&mut self) -> Result<()> {
        let answered = self.shared.lock().run(async |c| pg_ops::ping(c).await)?;
        if answered {
            return Ok(());
        }
        let mut err = DbError::new(
            DbErrorKind::Operational,
            format!("the server did not answer a ping within {PING_TIMEOUT:?}"),
        );
        err.connection_invalidated = true;
        Err(Error::Db(err))
    }

    fn table_names(&mut self, schema: Option<&str>) -> Result<Vec<String>> {
        self.shared
            .lock()
            .run(async |c| pg_ops::table_names(c, schema).await)
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl PgConnection {
    /// Runs `f` with this connection's `tokio_postgres::Client` and waits for it, driving the
    /// connection on the calling thread (for event hooks, reached with
    /// `conn.as_any_mut().downcast_mut::<PgConnection>()`).
    ///
    /// ```no_run
    /// # fn main() -> sqlcore::Result<()> {
    /// use sqlcore::driver::postgres::PgConnection;
    /// let engine = sqlcore::Engine::builder("postgresql://postgres@127.0.0.1/test")
    ///     .on_connect(|conn| {
    ///         let pg = conn.as_any_mut().downcast_mut::<PgConnection>().expect("PostgreSQL");
    ///         pg.with_client(async |client| client.batch_execute("SET search_path TO app").await)
    ///     })
    ///     .build()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_client<T: Send>(
        &mut self,
        f: impl AsyncFnOnce(&Client) -> std::result::Result<T, tokio_postgres::Error> + Send,
    ) -> Result<T> {
        self.shared.lock().run(f)
    }
}

#[cfg(test)]
mod tests {
    use crate::driver::pg_decode::may_return_rows;

    #[test]
    fn only_statements_that_may_return_rows_are_described() {
        for sql in [
            "SELECT 1",
            "  with x AS (SELECT 1) SELECT * FROM x",
            "(SELECT 1) UNION (SELECT 2)",
            "SHOW search_path",
            "UPDATE t SET x = 1 RETURNING x",
            "insert into t values (1) returning id",
        ] {
            assert!(may_return_rows(sql), "{sql}");
        }
        for sql in [
            "UPDATE t SET x = 1",
            "CREATE TABLE t (id INTEGER)",
            "DELETE FROM t",
        ] {
            assert!(!may_return_rows(sql), "{sql}");
        }
    }
}
