//! The PostgreSQL driver, over the `postgres` crate: a bounded per-connection cache of
//! prepared statements, server-side cursors for streamed results, and disconnect detection.

use super::pg_value::{PgParam, PgValue, RawBytes, always_decodes, param_type};
use super::{
    Driver, DriverConnection, DriverRow, Execution, Request, ResultNames, RowCursor, RowSource,
};
use crate::error::{DbError, DbErrorKind, DbErrorReason, Error, Result};
use crate::options::IsolationLevel;
use crate::url::Url;
use lru::LruCache;
use parking_lot::Mutex;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{Kind, ToSql, Type};
use postgres::{Client, Config, NoTls, Statement};
use sqlcore_compiler::{Dialect, PostgreSQL, SqlType, Value};
use std::any::Any;
use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

/// Opens PostgreSQL connections from a URL: host, port, user, password, dbname,
/// `sslmode=disable|prefer`, `connect_timeout`, `application_name`, `options`.
#[derive(Debug, Clone)]
pub struct PgDriver {
    config: Config,
    statement_cache: usize,
}

impl PgDriver {
    /// A driver for `url`, keeping up to `statement_cache` prepared statements per
    /// connection (0: prepare nothing, use unnamed statements — for transaction-pooling
    /// proxies).
    pub fn from_url(url: &Url, statement_cache: usize) -> Result<Self> {
        let mut config = Config::new();
        config.host(url.host().unwrap_or("localhost"));
        config.port(url.port().unwrap_or(5432));
        config.user(url.username().unwrap_or("postgres"));
        if let Some(password) = url.password() {
            config.password(password);
        }
        if let Some(db) = url.database() {
            config.dbname(db);
        }
        for (key, value) in url.query() {
            let bad = || Error::Argument(format!("invalid value {value:?} for option {key:?}"));
            match key.as_str() {
                "sslmode" => match value.as_str() {
                    "disable" => {
                        config.ssl_mode(postgres::config::SslMode::Disable);
                    }
                    "prefer" | "allow" => {
                        config.ssl_mode(postgres::config::SslMode::Prefer);
                    }
                    other => {
                        return Err(Error::Argument(format!(
                            "sslmode={other} needs TLS, which this build does not include; use disable or prefer"
                        )));
                    }
                },
                "connect_timeout" => {
                    let secs: f64 = value.parse().map_err(|_| bad())?;
                    config.connect_timeout(Duration::try_from_secs_f64(secs).map_err(|_| bad())?);
                }
                "application_name" => {
                    config.application_name(value);
                }
                "options" => {
                    config.options(value);
                }
                "host" => {
                    config.host(value);
                }
                "port" => {
                    config.port(value.parse().map_err(|_| bad())?);
                }
                "user" => {
                    config.user(value);
                }
                "password" => {
                    config.password(value);
                }
                "dbname" => {
                    config.dbname(value);
                }
                "keepalives" => {
                    config.keepalives(value != "0");
                }
                "keepalives_idle" => {
                    config.keepalives_idle(Duration::from_secs(value.parse().map_err(|_| bad())?));
                }
                "target_session_attrs" => {
                    config.target_session_attrs(match value.as_str() {
                        "any" => postgres::config::TargetSessionAttrs::Any,
                        "read-write" => postgres::config::TargetSessionAttrs::ReadWrite,
                        _ => return Err(bad()),
                    });
                }
                _ => {}
            }
        }
        Ok(PgDriver {
            config,
            statement_cache,
        })
    }
}

impl Driver for PgDriver {
    fn dialect(&self) -> &'static dyn Dialect {
        &PostgreSQL
    }

    fn connect(&self) -> Result<Box<dyn DriverConnection>> {
        let client = self
            .config
            .connect(NoTls)
            .map_err(|e| Error::Db(map_error(&e)))?;
        Ok(Box::new(PgConnection {
            shared: Arc::new(Mutex::new(Shared {
                client,
                tx_epoch: 0,
                checkout_epoch: 0,
                tx_failed: false,
                hold_cursors: 0,
            })),
            cache: NonZeroUsize::new(self.statement_cache).map(LruCache::new),
            in_tx: false,
            cursors: 0,
        }))
    }
}

/// What a streamed result shares with its connection.
struct Shared {
    client: Client,
    /// Bumped when a transaction ends or rolls back to a savepoint, which closes the cursors
    /// declared in it.
    tx_epoch: u64,
    /// Bumped when the connection goes back to the pool: no result may use it afterwards.
    checkout_epoch: u64,
    /// A statement failed inside the transaction: PostgreSQL has aborted it.
    tx_failed: bool,
    /// Open WITH HOLD cursors (declared outside a transaction).
    hold_cursors: usize,
}

/// An open PostgreSQL connection.
pub struct PgConnection {
    shared: Arc<Mutex<Shared>>,
    cache: Option<LruCache<String, Statement>>,
    in_tx: bool,
    cursors: u64,
}

/// Maps a `postgres` error to the DB-API family of its SQLSTATE; a lost connection is marked
/// invalidated.
pub(crate) fn map_error(e: &postgres::Error) -> DbError {
    let message = match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{}: {} ({detail})", db.severity(), db.message()),
            None => format!("{}: {}", db.severity(), db.message()),
        },
        None => e.to_string(),
    };
    let Some(state) = e.code() else {
        // No SQLSTATE: the socket failed, or a parameter could not be serialized.
        let text = e.to_string();
        let io = std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>());
        if e.is_closed()
            || io
            || text.contains("communicating with the server")
            || text.contains("timed out")
        {
            let mut err = DbError::new(DbErrorKind::Operational, message);
            err.connection_invalidated = true;
            return err;
        }
        let kind = if text.contains("serializ") {
            DbErrorKind::Data
        } else {
            DbErrorKind::Interface
        };
        let source = std::error::Error::source(e)
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        return DbError::new(kind, format!("{message}{source}"));
    };
    let code = state.code();
    let class = &code[..2.min(code.len())];
    let kind = match class {
        "23" => DbErrorKind::Integrity,
        "22" => DbErrorKind::Data,
        "42" | "26" | "34" | "3D" | "3F" => DbErrorKind::Programming,
        "0A" => DbErrorKind::NotSupported,
        "XX" => DbErrorKind::Internal,
        "08" | "40" | "53" | "54" | "55" | "57" | "58" | "25" => DbErrorKind::Operational,
        _ => DbErrorKind::Database,
    };
    let mut err = DbError::new(kind, message);
    err.sqlstate = Some(code.to_owned());
    err.reason = match code {
        "23505" => Some(DbErrorReason::UniqueViolation),
        "23503" => Some(DbErrorReason::ForeignKeyViolation),
        "23502" => Some(DbErrorReason::NotNullViolation),
        "23514" => Some(DbErrorReason::CheckViolation),
        "40001" => Some(DbErrorReason::SerializationFailure),
        "40P01" => Some(DbErrorReason::Deadlock),
        _ => None,
    };
    // Connection exceptions and the server shutting the session down.
    let fatal = e
        .as_db_error()
        .is_some_and(|d| matches!(d.severity(), "FATAL" | "PANIC"));
    err.connection_invalidated = class == "08"
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "57P04" | "57P05" | "25P03"
        )
        || fatal
        || e.is_closed();
    err
}

fn fail(e: postgres::Error) -> Error {
    Error::Db(map_error(&e))
}

/// The declared parameter types for a statement: known ones, or "infer" (type 0).
fn declared_types(request: &Request<'_>) -> Vec<Type> {
    request
        .params
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let sql_type = request.param_types.get(i).and_then(Option::as_ref);
            param_type(sql_type, v).unwrap_or_else(infer)
        })
        .collect()
}

/// Whether `stmt` was prepared with the parameter types `request`'s values declare: a
/// statement is reused only then, so a value is never narrowed to another type.
fn fits(stmt: &Statement, request: &Request<'_>) -> bool {
    stmt.params().len() == request.params.len()
        && request.params.iter().enumerate().all(|(i, v)| {
            let sql_type = request.param_types.get(i).and_then(Option::as_ref);
            param_type(sql_type, v).is_none_or(|t| t.oid() == stmt.params()[i].oid())
        })
}

/// The unspecified type: the server infers it.
fn infer() -> Type {
    Type::new(String::new(), 0, Kind::Simple, String::new())
}

/// Runs a statement that returns no rows to completion; the rows it affected.
fn drain(mut rows: postgres::RowIter<'_>) -> Result<i64> {
    while rows.next().map_err(fail)?.is_some() {}
    Ok(rows.rows_affected().map_or(-1, |n| n as i64))
}

/// The names of a result with these columns.
fn result_names(columns: &[postgres::Column], request: &Request<'_>) -> Result<ResultNames> {
    ResultNames::read(columns.len(), request.result_columns, |i| {
        Ok(Arc::from(columns[i].name()))
    })
}

/// Whether rows with these columns are kept as they arrived and decoded when read: every
/// column's values always decode, so reading them later cannot fail.
fn decodes_lazily(columns: &[postgres::Column]) -> bool {
    columns.iter().all(|c| always_decodes(c.type_()))
}

/// A row for a result: as it arrived when `lazy` (see [`decodes_lazily`]), else decoded now,
/// so that a value which does not decode is an error of the execution.
fn driver_row(row: postgres::Row, lazy: bool) -> Result<DriverRow> {
    if lazy {
        return Ok(DriverRow::Postgres(row));
    }
    let mut values = Vec::with_capacity(row.len());
    for i in 0..row.len() {
        values.push(row.try_get::<_, PgValue>(i).map_err(fail)?.0);
    }
    Ok(DriverRow::Values(values))
}

/// Column `i` of a row kept as it arrived (one whose columns always decode); should the
/// server ever send a malformed value, its bytes are kept rather than lost.
pub(super) fn cell(row: &postgres::Row, i: usize) -> Value {
    match row.try_get::<_, PgValue>(i) {
        Ok(value) => value.0,
        Err(_) => match row.try_get::<_, RawBytes>(i) {
            Ok(RawBytes(Some(bytes))) => Value::Bytes(bytes),
            _ => Value::Null,
        },
    }
}

impl PgConnection {
    /// The prepared statement for `sql`, from the cache or prepared now (and cached).
    fn statement(&mut self, client: &mut Client, request: &Request<'_>) -> Result<Statement> {
        if let Some(cache) = &mut self.cache {
            if let Some(stmt) = cache.get(request.sql) {
                if fits(stmt, request) {
                    return Ok(stmt.clone());
                }
            }
        }
        let stmt = client
            .prepare_typed(request.sql, &declared_types(request))
            .map_err(fail)?;
        if let Some(cache) = &mut self.cache {
            // Evicting drops the oldest statement, which closes it on the server.
            cache.put(request.sql.to_owned(), stmt.clone());
        }
        Ok(stmt)
    }

    fn simple(&mut self, sql: &str) -> Result<()> {
        self.shared.lock().client.batch_execute(sql).map_err(fail)
    }

    fn end_transaction(&mut self, commit: bool) -> Result<()> {
        let mut shared = self.shared.lock();
        shared.tx_epoch += 1;
        self.in_tx = false;
        let failed = std::mem::take(&mut shared.tx_failed);
        if commit && failed {
            // PostgreSQL would answer COMMIT with a silent ROLLBACK.
            shared.client.batch_execute("ROLLBACK").map_err(fail)?;
            let mut err = DbError::new(
                DbErrorKind::Operational,
                "the transaction was aborted by an earlier error and has been rolled back",
            );
            err.sqlstate = Some("25P02".into());
            return Err(Error::Db(err));
        }
        shared
            .client
            .batch_execute(if commit { "COMMIT" } else { "ROLLBACK" })
            .map_err(fail)
    }

    /// Notes a failure inside a transaction, which PostgreSQL aborts.
    fn track<T>(&self, result: Result<T>) -> Result<T> {
        if result.is_err() && self.in_tx {
            self.shared.lock().tx_failed = true;
        }
        result
    }

    fn stream(&mut self, request: &Request<'_>, chunk: usize) -> Result<Execution> {
        let chunk = chunk.max(1);
        let shared = self.shared.clone();
        let mut guard = shared.lock();
        let stmt = self.statement(&mut guard.client, request)?;
        let columns = result_names(stmt.columns(), request)?;
        let lazy = decodes_lazily(stmt.columns());
        self.cursors += 1;
        let name = format!("sqlcore_cursor_{}", self.cursors);
        // Outside a transaction the cursor must outlive the implicit one of its DECLARE.
        let hold = if self.in_tx {
            "WITHOUT HOLD"
        } else {
            "WITH HOLD"
        };
        let declare = format!("DECLARE {name} NO SCROLL CURSOR {hold} FOR {}", request.sql);
        let types: Vec<Type> = stmt.params().to_vec();
        let params = request.params.iter().map(PgParam);
        let declared = guard.client.prepare_typed(&declare, &types).map_err(fail)?;
        drain(guard.client.query_raw(&declared, params).map_err(fail)?)?;
        let fetch = guard
            .client
            .prepare(&format!("FETCH {chunk} FROM {name}"))
            .map_err(fail)?;
        let (tx_epoch, checkout_epoch) = (guard.tx_epoch, guard.checkout_epoch);
        if !self.in_tx {
            guard.hold_cursors += 1;
        }
        drop(guard);
        let cursor = Cursor {
            shared,
            name,
            fetch,
            chunk,
            tx_epoch,
            checkout_epoch,
            hold: !self.in_tx,
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

/// A server-side cursor, fetched `chunk` rows at a time.
struct Cursor {
    shared: Arc<Mutex<Shared>>,
    name: String,
    fetch: Statement,
    chunk: usize,
    tx_epoch: u64,
    checkout_epoch: u64,
    hold: bool,
    /// Rows are kept as they arrived (see [`decodes_lazily`]).
    lazy: bool,
    done: bool,
}

impl Cursor {
    /// Whether the cursor still exists for this result on this checkout of the connection.
    fn alive(&self, shared: &Shared) -> bool {
        shared.checkout_epoch == self.checkout_epoch
            && (self.hold || shared.tx_epoch == self.tx_epoch)
    }
}

impl RowCursor for Cursor {
    fn fetch(&mut self, buffer: &mut VecDeque<DriverRow>) -> Result<()> {
        if self.done {
            return Ok(());
        }
        let mut shared = self.shared.lock();
        if !self.alive(&shared) {
            self.done = true;
            return Err(Error::ResourceClosed(
                "the transaction or connection of this streamed result has ended".into(),
            ));
        }
        // One round trip for the chunk (a row-by-row iterator would wake the driver per row).
        let rows = shared.client.query(&self.fetch, &[]).map_err(fail)?;
        let n = rows.len();
        for row in rows {
            buffer.push_back(driver_row(row, self.lazy)?);
        }
        if n < self.chunk {
            self.done = true;
        }
        Ok(())
    }
}

impl Drop for Cursor {
    fn drop(&mut self) {
        let mut shared = self.shared.lock();
        if !self.alive(&shared) {
            return;
        }
        if self.hold {
            shared.hold_cursors = shared.hold_cursors.saturating_sub(1);
        }
        if shared
            .client
            .batch_execute(&format!("CLOSE {}", self.name))
            .is_err()
            && !self.hold
        {
            shared.tx_failed = true;
        }
    }
}

impl PgConnection {
    fn execute_inner(&mut self, request: &Request<'_>) -> Result<Execution> {
        if let Some(chunk) = request.stream {
            // Only a query can feed a cursor (DML with RETURNING cannot be declared).
            let first = request
                .sql
                .trim_start()
                .split(|c: char| !c.is_ascii_alphabetic())
                .next()
                .unwrap_or("");
            let is_query = ["SELECT", "WITH", "VALUES", "TABLE"]
                .iter()
                .any(|k| first.eq_ignore_ascii_case(k))
                || request.sql.trim_start().starts_with('(');
            if is_query {
                return self.stream(request, chunk);
            }
        }
        let shared = self.shared.clone();
        let mut guard = shared.lock();
        let params = request.params.iter().map(PgParam);
        if self.cache.is_none() {
            // Unnamed statement: nothing outlives this call on the server.
            let types = declared_types(request);
            let typed: Vec<(PgParam<'_>, Type)> =
                request.params.iter().map(PgParam).zip(types).collect();
            let mut rows = guard
                .client
                .query_typed_raw(request.sql, typed)
                .map_err(fail)?;
            let mut out = VecDeque::new();
            let mut columns = None;
            let mut lazy = false;
            while let Some(row) = rows.next().map_err(fail)? {
                if columns.is_none() {
                    columns = Some(result_names(row.columns(), request)?);
                    lazy = decodes_lazily(row.columns());
                }
                out.push_back(driver_row(row, lazy)?);
            }
            // Without a row (and without a prepared statement) the names are the compiled ones.
            let columns = columns.unwrap_or(ResultNames::Expected);
            let rowcount = rows.rows_affected().map_or(-1, |n| n as i64);
            return Ok(Execution {
                columns,
                rows: RowSource::buffered(out),
                rowcount,
                last_insert_id: None,
            });
        }
        let stmt = self.statement(&mut guard.client, request)?;
        let bound: Vec<PgParam<'_>> = params.collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        if stmt.columns().is_empty() {
            let n = guard.client.execute(&stmt, &refs).map_err(fail)? as i64;
            return Ok(Execution {
                columns: ResultNames::Given(Vec::new()),
                rows: RowSource::default(),
                rowcount: n,
                last_insert_id: None,
            });
        }
        let columns = result_names(stmt.columns(), request)?;
        // All rows in one go: cheaper than waking the driver once per row.
        let rows = guard.client.query(&stmt, &refs).map_err(fail)?;
        let rowcount = rows.len() as i64;
        let lazy = decodes_lazily(stmt.columns());
        let out = rows
            .into_iter()
            .map(|row| driver_row(row, lazy))
            .collect::<Result<VecDeque<_>>>()?;
        Ok(Execution {
            columns,
            rows: RowSource::buffered(out),
            rowcount,
            last_insert_id: None,
        })
    }
}

impl PgConnection {
    /// One prepared statement for every parameter set (prepared again only for a set whose
    /// values declare other types).
    fn execute_many_inner(
        &mut self,
        sql: &str,
        param_types: &[Option<SqlType>],
        param_sets: &mut dyn Iterator<Item = Vec<Value>>,
    ) -> Result<i64> {
        let mut total = 0i64;
        let mut stmt: Option<Statement> = None;
        let shared = self.shared.clone();
        for params in param_sets {
            let request = Request {
                sql,
                params: &params,
                param_types,
                result_columns: &[],
                stream: None,
            };
            let mut guard = shared.lock();
            let current = match stmt.take() {
                Some(s) if fits(&s, &request) => s,
                _ => self.statement(&mut guard.client, &request)?,
            };
            let bound: Vec<PgParam<'_>> = params.iter().map(PgParam).collect();
            let refs: Vec<&(dyn ToSql + Sync)> =
                bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            total += guard.client.execute(&current, &refs).map_err(fail)? as i64;
            stmt = Some(current);
        }
        Ok(total)
    }
}

impl DriverConnection for PgConnection {
    fn execute(&mut self, request: &Request<'_>) -> Result<Execution> {
        let result = self.execute_inner(request);
        if let Err(Error::Db(db)) = &result {
            // A schema change invalidates a cached plan: prepare it afresh next time.
            if db.sqlstate.as_deref() == Some("0A000") && db.message.contains("cached plan") {
                if let Some(cache) = &mut self.cache {
                    cache.pop(request.sql);
                }
            }
        }
        self.track(result)
    }

    fn execute_many(
        &mut self,
        sql: &str,
        param_types: &[Option<SqlType>],
        param_sets: &mut dyn Iterator<Item = Vec<Value>>,
    ) -> Result<i64> {
        let result = self.execute_many_inner(sql, param_types, param_sets);
        self.track(result)
    }

    fn execute_batch(&mut self, sql: &str) -> Result<()> {
        let result = self.simple(sql);
        self.track(result)
    }

    fn copy_in(
        &mut self,
        table: &str,
        columns: &[String],
        types: &[SqlType],
        rows: &mut dyn Iterator<Item = Result<Vec<Value>>>,
    ) -> Option<Result<i64>> {
        let types: Vec<Type> = types
            .iter()
            .map(|t| param_type(Some(t), &Value::Null))
            .collect::<Option<_>>()?;
        let result = (|| {
            let mut shared = self.shared.lock();
            let sql = format!(
                "COPY {table} ({}) FROM STDIN (FORMAT binary)",
                columns.join(", ")
            );
            let mut writer = postgres::binary_copy::BinaryCopyInWriter::new(
                shared.client.copy_in(&sql).map_err(fail)?,
                &types,
            );
            for row in rows {
                let row = row?;
                let bound: Vec<PgParam<'_>> = row.iter().map(PgParam).collect();
                let refs: Vec<&(dyn ToSql + Sync)> =
                    bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
                writer.write(&refs).map_err(fail)?;
            }
            Ok(writer.finish().map_err(fail)? as i64)
        })();
        Some(self.track(result))
    }

    fn release(&mut self) -> Result<()> {
        let mut shared = self.shared.lock();
        shared.checkout_epoch += 1;
        if shared.hold_cursors > 0 {
            shared.hold_cursors = 0;
            shared.client.batch_execute("CLOSE ALL").map_err(fail)?;
        }
        Ok(())
    }

    fn begin(&mut self) -> Result<()> {
        self.simple("BEGIN")?;
        self.in_tx = true;
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        self.end_transaction(true)
    }

    fn rollback(&mut self) -> Result<()> {
        self.end_transaction(false)
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
        self.in_tx
    }

    fn set_isolation_level(&mut self, level: IsolationLevel) -> Result<()> {
        if level == IsolationLevel::Autocommit {
            return Err(Error::Argument(
                "AUTOCOMMIT is not a transaction isolation level".into(),
            ));
        }
        self.simple(&format!(
            "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL {level}"
        ))
    }

    fn isolation_level(&mut self) -> Result<IsolationLevel> {
        let rows = self
            .shared
            .lock()
            .client
            .query("SHOW transaction_isolation", &[])
            .map_err(fail)?;
        let level: String = rows.first().map(|r| r.get(0)).unwrap_or_default();
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
        self.shared
            .lock()
            .client
            .is_valid(Duration::from_secs(10))
            .map_err(fail)
    }

    fn table_names(&mut self, schema: Option<&str>) -> Result<Vec<String>> {
        let mut shared = self.shared.lock();
        let rows = match schema {
            Some(s) => shared
                .client
                .query("SELECT tablename::text FROM pg_catalog.pg_tables WHERE schemaname = $1", &[&s])
                .map_err(fail)?,
            None => shared
                .client
                .query("SELECT tablename::text FROM pg_catalog.pg_tables WHERE schemaname = current_schema()", &[])
                .map_err(fail)?,
        };
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl PgConnection {
    /// Runs `f` with the `postgres::Client` (for event hooks: `conn.as_any_mut()
    /// .downcast_mut::<PgConnection>()`).
    pub fn with_client<T>(&mut self, f: impl FnOnce(&mut Client) -> T) -> T {
        f(&mut self.shared.lock().client)
    }
}
