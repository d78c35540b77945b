//! The SQLite driver, over `rusqlite` (bundled SQLite).
//!
//! Dates and times are text in SQLAlchemy's SQLite storage format, so rows either writes
//! compare and sort as text with the other's: `DateTime` (naive, and `timezone = true` as its
//! UTC wall clock, the zone dropped as SQLAlchemy drops it) `2024-03-01 12:30:15.000000`,
//! `Date` `2024-03-01`, `Time` `12:30:15.000000`; a date bound for a `DateTime` is its
//! midnight, a timestamp bound for a `Date` its date; an `Interval` the timestamp that far past
//! 1970-01-01. Reading accepts other ISO 8601 forms too (`T` separator, no or any fraction,
//! `Z` or an offset, converted to UTC for both kinds, a bare date as midnight; an ISO 8601
//! duration for an interval); see [`sqlcore_compiler::datetime_text`].

use super::sqlite_rows::{self, from_sqlite, read_rows};
use super::{
    Driver, DriverConnection, EachRow, Execution, FirstRow, ParamSet, Request, ResultNames,
    RowSource, RowsRead, StatementId,
};
use crate::error::{DbError, DbErrorKind, DbErrorReason, Error, Result};
use crate::options::{IsolationLevel, SqliteBegin};
use crate::url::{SqlitePath, Url};
use lru::LruCache;
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef as Stored};
use rusqlite::{Connection as RawSqlite, OpenFlags, PrepFlags, Statement as RawStatement, ffi};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use sqlcore_compiler::{Dialect, ResultColumn, SQLite, SqlType, Value, ValueRef, datetime_text};
use std::any::Any;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Statements each connection keeps prepared: by [`StatementId`] in sqlcore's own LRU map, and
/// by SQL text in rusqlite's (for statements without an id), up to this many each.
const STATEMENT_CACHE: NonZeroUsize = NonZeroUsize::new(128).unwrap();

/// Opens SQLite databases: a file, or a private in-memory database.
#[derive(Debug, Clone)]
pub struct SqliteDriver {
    path: Option<PathBuf>,
    flags: OpenFlags,
    busy_timeout: Duration,
    begin: Option<SqliteBegin>,
    foreign_keys: bool,
}

impl SqliteDriver {
    /// A driver for the database `url` names (`sqlite://`, `sqlite:///rel.db`,
    /// `sqlite:////abs.db`; options `mode=ro|rw|rwc|memory`, `timeout=<seconds>` (the busy
    /// timeout, default 5), `cache=shared|private`, `begin=deferred|immediate|exclusive`,
    /// `foreign_keys=on|off`).
    ///
    /// Foreign keys are enforced by default (`PRAGMA foreign_keys = ON` on every connection):
    /// a choice of sqlcore's, as of the SQLite it bundles, where SQLite itself (and so
    /// Python's `sqlite3` under SQLAlchemy) leaves them off unless asked. `foreign_keys=off`
    /// gives SQLite's own default back.
    pub fn from_url(url: &Url) -> Result<Self> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        if let Some(mode) = url.query().get("mode") {
            flags -= OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
            flags |= match mode.as_str() {
                "ro" => OpenFlags::SQLITE_OPEN_READ_ONLY,
                "rw" => OpenFlags::SQLITE_OPEN_READ_WRITE,
                "rwc" | "memory" => {
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
                }
                other => {
                    return Err(Error::Argument(format!(
                        "invalid sqlite mode {other:?}; expected ro, rw, rwc or memory"
                    )));
                }
            };
        }
        if let Some(cache) = url.query().get("cache") {
            flags |= match cache.as_str() {
                "shared" => OpenFlags::SQLITE_OPEN_SHARED_CACHE,
                "private" => OpenFlags::SQLITE_OPEN_PRIVATE_CACHE,
                other => {
                    return Err(Error::Argument(format!(
                        "invalid sqlite cache {other:?}; expected shared or private"
                    )));
                }
            };
        }
        let busy_timeout = match url.query().get("timeout") {
            Some(t) => {
                Duration::from_secs_f64(t.parse::<f64>().ok().filter(|t| *t >= 0.0).ok_or_else(
                    || Error::Argument(format!("invalid sqlite timeout {t:?}; expected seconds")),
                )?)
            }
            None => Duration::from_secs(5),
        };
        let path = match url.sqlite_path() {
            Some(SqlitePath::File(p)) => Some(p.clone()),
            _ => None,
        };
        let begin = url
            .query()
            .get("begin")
            .map(|mode| mode.parse())
            .transpose()?;
        let foreign_keys = match url.query().get("foreign_keys").map(String::as_str) {
            None | Some("on" | "true" | "1") => true,
            Some("off" | "false" | "0") => false,
            Some(other) => {
                return Err(Error::Argument(format!(
                    "invalid sqlite foreign_keys {other:?}; expected on or off"
                )));
            }
        };
        Ok(SqliteDriver {
            path,
            flags,
            busy_timeout,
            begin,
            foreign_keys,
        })
    }

    /// How transactions begin, as the URL's `begin` option says (`None` when it says nothing).
    pub fn begin(&self) -> Option<SqliteBegin> {
        self.begin
    }

    /// Whether every connection opens a private in-memory database.
    pub fn is_memory(&self) -> bool {
        self.path.is_none()
    }
}

impl Driver for SqliteDriver {
    fn dialect(&self) -> &'static dyn Dialect {
        &SQLite
    }

    fn connect(&self) -> Result<Box<dyn DriverConnection>> {
        let conn = match &self.path {
            Some(path) => RawSqlite::open_with_flags(path, self.flags).map_err(|e| {
                let mut err = map_error(e);
                err.message = format!(
                    "unable to open database file {}: {}",
                    path.display(),
                    err.message
                );
                err
            })?,
            None => RawSqlite::open_in_memory_with_flags(self.flags).map_err(map_error)?,
        };
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE.get());
        conn.busy_timeout(self.busy_timeout).map_err(map_error)?;
        // Set either way: the default is the library's compile-time choice.
        conn.pragma_update(None, "foreign_keys", self.foreign_keys)
            .map_err(map_error)?;
        Ok(Box::new(SqliteConnection {
            handle: Handle::Bare(conn),
        }))
    }
}

/// An open SQLite connection. The statements it runs under a [`StatementId`] stay prepared on
/// it, found by id without hashing their SQL; they are finalized when the
/// `rusqlite::Connection` is reached mutably (`as_any_mut`), so a hook may do anything with it.
pub struct SqliteConnection {
    handle: Handle,
}

/// The statements kept prepared on a connection, by id.
type KeptStatements<'conn> = LruCache<StatementId, RawStatement<'conn>>;

self_cell::self_cell!(
    /// A connection with the statements kept prepared on it.
    struct Kept {
        owner: RawSqlite,
        #[not_covariant]
        dependent: KeptStatements,
    }
);

// SAFETY: the kept statements borrow only the connection they are kept with, and the two
// always move together: nothing borrowed from a `Kept` outlives the call that borrowed it.
// `rusqlite::Connection` is `Send`; its statements are not only because they hold a
// `&Connection` (the connection is not `Sync`), and no other thread can hold one of these.
// SQLite allows a connection and its statements to move between threads when they are not
// used by two at once (rusqlite's own statement cache is `Send` on the same grounds).
unsafe impl Send for Kept {}

/// A connection, with or without the statements kept on it.
enum Handle {
    /// With its kept statements.
    Kept(Kept),
    /// Without: as opened, or after it was handed out mutably.
    Bare(RawSqlite),
    /// Only inside [`SqliteConnection::kept`] and [`SqliteConnection::bare`], between
    /// taking the connection out and putting it back.
    Moving,
}

/// A value bound into SQLite: the closest storage class, for the SQL type it meets where known.
/// Dates, times and intervals are text in SQLAlchemy's storage format
/// ([`datetime_text::storage_text`], [`datetime_text::interval_storage_text`]).
struct Bind<'a>(&'a Value, Option<&'a SqlType>);

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Date(_) | Value::Time(_) | Value::Timestamp(_) | Value::TimestampTz(_) => {
                match datetime_text::storage_text(self.0, self.1.map(SqlType::storage_type)) {
                    Some(text) => ToSqlOutput::Owned(SqlValue::Text(text)),
                    None => {
                        return Err(rusqlite::Error::ToSqlConversionFailure(
                            "SQLite writes no text for this date/time value".into(),
                        ));
                    }
                }
            }
            Value::Null => ToSqlOutput::Borrowed(Stored::Null),
            Value::Bool(b) => ToSqlOutput::Owned(SqlValue::Integer((*b).into())),
            Value::I16(n) => ToSqlOutput::Owned(SqlValue::Integer((*n).into())),
            Value::I32(n) => ToSqlOutput::Owned(SqlValue::Integer((*n).into())),
            Value::I64(n) => ToSqlOutput::Owned(SqlValue::Integer(*n)),
            Value::F32(n) => ToSqlOutput::Owned(SqlValue::Real((*n).into())),
            Value::F64(n) => ToSqlOutput::Owned(SqlValue::Real(*n)),
            Value::Text(s) => ToSqlOutput::Borrowed(Stored::Text(s.as_bytes())),
            Value::Bytes(b) => ToSqlOutput::Borrowed(Stored::Blob(b)),
            Value::Decimal(d) => ToSqlOutput::Owned(SqlValue::Real(decimal_as_real(d)?)),
            Value::Uuid(u) => ToSqlOutput::Owned(SqlValue::Text(u.hyphenated().to_string())),
            Value::Interval(i) => match datetime_text::interval_storage_text(i) {
                Some(text) => ToSqlOutput::Owned(SqlValue::Text(text)),
                None => {
                    let why = if i.months != 0 {
                        "a span of months has no fixed length: give it in days and \
                         microseconds"
                    } else {
                        "it ends outside the years 1 to 9999"
                    };
                    return Err(rusqlite::Error::ToSqlConversionFailure(
                        format!(
                            "the interval {i} cannot be stored on SQLite, which stores an \
                             interval as SQLAlchemy does, as the timestamp that far past \
                             1970-01-01: {why}"
                        )
                        .into(),
                    ));
                }
            },
            Value::Json(j) => ToSqlOutput::Owned(SqlValue::Text(j.to_string())),
            Value::Array(_) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "SQLite cannot bind a list; use in_() so the compiler expands it".into(),
                ));
            }
        })
    }
}

/// A decimal bound on SQLite, as SQLAlchemy binds it: an 8-byte REAL, so that it compares
/// with numbers (an aggregate has no column affinity, and SQLite orders every number before
/// any text). A value a REAL cannot hold exactly — more than 15 to 17 significant digits —
/// is an error rather than a silently different number.
fn decimal_as_real(d: &Decimal) -> rusqlite::Result<f64> {
    let real = d.to_f64().filter(|f| f.is_finite());
    match real {
        // Rust writes the shortest decimal that reads back as the same f64.
        Some(f)
            if format!("{f}")
                .parse::<Decimal>()
                .is_ok_and(|back| back == *d) =>
        {
            Ok(f)
        }
        _ => Err(rusqlite::Error::ToSqlConversionFailure(
            format!(
                "the decimal {d} cannot be bound exactly on SQLite, which stores decimals as \
                 8-byte REALs (15 significant digits are always exact); round it, or store it \
                 in a String column"
            )
            .into(),
        )),
    }
}

/// Maps a rusqlite error to the DB-API family it belongs to, as pysqlite does for SQLite's
/// result codes: a generic `SQLITE_ERROR` (syntax error, no such table or column, malformed
/// JSON, ...) is `Operational`. A statement SQLite refused at a token keeps SQLite's message
/// with the token's byte offset, and carries the statement as `sql` rather than in the message.
pub(crate) fn map_error(e: rusqlite::Error) -> DbError {
    match e {
        rusqlite::Error::SqlInputError {
            error,
            msg,
            sql,
            offset,
        } => {
            let mut db = DbError::new(failure_kind(&error), format!("{msg} at offset {offset}"));
            db.sql = Some(sql);
            db
        }
        rusqlite::Error::SqliteFailure(err, message) => {
            let reason = match err.extended_code {
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    Some(DbErrorReason::UniqueViolation)
                }
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => Some(DbErrorReason::ForeignKeyViolation),
                ffi::SQLITE_CONSTRAINT_NOTNULL => Some(DbErrorReason::NotNullViolation),
                ffi::SQLITE_CONSTRAINT_CHECK => Some(DbErrorReason::CheckViolation),
                _ => None,
            };
            let message = message.unwrap_or_else(|| err.to_string());
            let mut db = DbError::new(failure_kind(&err), message);
            db.reason = reason;
            db
        }
        rusqlite::Error::ToSqlConversionFailure(_)
        | rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..) => {
            DbError::new(DbErrorKind::Data, e.to_string())
        }
        rusqlite::Error::InvalidParameterCount(..)
        | rusqlite::Error::InvalidParameterName(_)
        | rusqlite::Error::MultipleStatement
        | rusqlite::Error::InvalidQuery => DbError::new(DbErrorKind::Programming, e.to_string()),
        // Misuse of the driver itself (a column index out of range, a bad path, ...).
        _ => DbError::new(DbErrorKind::Interface, e.to_string()),
    }
}

/// The family of a failed SQLite call, by its result code.
fn failure_kind(err: &ffi::Error) -> DbErrorKind {
    use rusqlite::ErrorCode as C;
    match err.code {
        C::ConstraintViolation => DbErrorKind::Integrity,
        C::TypeMismatch | C::ParameterOutOfRange | C::TooBig => DbErrorKind::Data,
        C::InternalMalfunction => DbErrorKind::Internal,
        C::ApiMisuse => DbErrorKind::Interface,
        // rusqlite names no code for SQLITE_ERROR, the generic one: pysqlite's OperationalError.
        C::Unknown => match err.extended_code & 0xff {
            ffi::SQLITE_ERROR | ffi::SQLITE_EMPTY => DbErrorKind::Operational,
            _ => DbErrorKind::Database,
        },
        _ => DbErrorKind::Operational,
    }
}
pub(super) fn fail(e: rusqlite::Error) -> Error {
    Error::Db(map_error(e))
}

impl SqliteConnection {
    /// The connection.
    fn conn(&self) -> &RawSqlite {
        match &self.handle {
            Handle::Kept(kept) => kept.borrow_owner(),
            Handle::Bare(conn) => conn,
            Handle::Moving => unreachable!("a SQLite connection is never left moving"),
        }
    }

    /// The connection with its kept statements (none kept yet when it was bare).
    fn kept(&mut self) -> &mut Kept {
        if let Handle::Bare(_) = self.handle {
            if let Handle::Bare(conn) = std::mem::replace(&mut self.handle, Handle::Moving) {
                self.handle = Handle::Kept(Kept::new(conn, |_| LruCache::new(STATEMENT_CACHE)));
            }
        }
        match &mut self.handle {
            Handle::Kept(kept) => kept,
            _ => unreachable!("a SQLite connection is never left moving"),
        }
    }

    /// The connection, mutably: its kept statements are finalized first.
    fn bare(&mut self) -> &mut RawSqlite {
        if let Handle::Kept(_) = self.handle {
            if let Handle::Kept(kept) = std::mem::replace(&mut self.handle, Handle::Moving) {
                self.handle = Handle::Bare(kept.into_owner());
            }
        }
        match &mut self.handle {
            Handle::Bare(conn) => conn,
            _ => unreachable!("a SQLite connection is never left moving"),
        }
    }

    /// Runs `run` with the connection and the request's statement, prepared and bound: the
    /// statement kept under the request's id, or rusqlite's cached one for its SQL.
    fn with_statement<R>(
        &mut self,
        request: &Request<'_>,
        run: impl for<'c> FnOnce(&'c RawSqlite, &mut RawStatement<'c>) -> Result<R>,
    ) -> Result<R> {
        self.kept()
            .with_dependent_mut(|conn, kept| match request.statement_id {
                Some(id) => {
                    let stmt = kept.try_get_or_insert_mut(id, || {
                        conn.prepare_with_flags(request.sql, PrepFlags::SQLITE_PREPARE_PERSISTENT)
                            .map_err(fail)
                    })?;
                    if let Err(e) = bind(stmt, request.params, request.param_types) {
                        stmt.clear_bindings();
                        return Err(e);
                    }
                    let result = run(conn, stmt);
                    // As rusqlite's cache does: the statement keeps no copy of the values
                    // (numbers and NULL are no copy: the next run binds over them).
                    if !request.params.iter().all(|v| binds_a_number(v)) {
                        stmt.clear_bindings();
                    }
                    result
                }
                None => {
                    let mut stmt = conn.prepare_cached(request.sql).map_err(fail)?;
                    bind(&mut stmt, request.params, request.param_types)?;
                    run(conn, &mut stmt)
                }
            })
    }
}

/// Binds `params` to `stmt`, which must take as many, for the SQL types they meet (`types`,
/// by position, where known).
fn bind(stmt: &mut RawStatement<'_>, params: &[&Value], types: &[Option<SqlType>]) -> Result<()> {
    let expected = stmt.parameter_count();
    if expected != params.len() {
        return Err(Error::Db(DbError::new(
            DbErrorKind::Programming,
            format!(
                "the statement takes {expected} parameters, {} were given",
                params.len()
            ),
        )));
    }
    for (i, v) in params.iter().enumerate() {
        let ty = types.get(i).and_then(Option::as_ref);
        stmt.raw_bind_parameter(i + 1, Bind(v, ty)).map_err(fail)?;
    }
    Ok(())
}

impl DriverConnection for SqliteConnection {
    fn execute(&mut self, request: &Request<'_>) -> Result<Execution> {
        let columns_hint = request.result_columns;
        self.with_statement(request, |conn, stmt| {
            let column_count = stmt.column_count();
            if column_count == 0 {
                let changed = stmt.raw_execute().map_err(fail)?;
                return Ok(Execution {
                    columns: ResultNames::Given(Vec::new()),
                    rows: RowSource::default(),
                    rowcount: changed as i64,
                    last_insert_id: Some(conn.last_insert_rowid()),
                });
            }
            let columns = ResultNames::read(column_count, columns_hint, |i| {
                stmt.column_name(i).map(Arc::from).map_err(fail)
            })?;
            let values = read_rows(stmt, column_count, columns_hint)?;
            // RETURNING statements report the rows they changed; a SELECT changes none.
            let rowcount = if stmt.readonly() {
                -1
            } else {
                conn.changes() as i64
            };
            Ok(Execution {
                columns,
                rows: RowSource::flat(values, column_count),
                rowcount,
                last_insert_id: Some(conn.last_insert_rowid()),
            })
        })
    }

    fn query_row(
        &mut self,
        request: &Request<'_>,
        read: &mut dyn FnMut(ResultNames, &[ValueRef<'_>]) -> Result<()>,
    ) -> Result<FirstRow> {
        let columns_hint = request.result_columns;
        self.with_statement(request, |_, stmt| {
            let Some((column_count, columns)) = result_names(stmt, columns_hint)? else {
                return Ok(FirstRow::NoColumns);
            };
            let mut rows = stmt.raw_query();
            let Some(row) = rows.next().map_err(fail)? else {
                return Ok(FirstRow::None);
            };
            let conversions = sqlite_rows::conversions(columns_hint);
            with_values(row, column_count, conversions, |values| {
                read(columns, values)
            })
            .map(|()| FirstRow::Read)
        })
    }

    fn query_each(
        &mut self,
        request: &Request<'_>,
        read: &mut dyn FnMut(EachRow<'_, '_>) -> Result<()>,
    ) -> Result<RowsRead> {
        let columns_hint = request.result_columns;
        self.with_statement(request, |_, stmt| {
            let Some((column_count, columns)) = result_names(stmt, columns_hint)? else {
                return Ok(RowsRead::NoColumns);
            };
            read(EachRow::Names(columns))?;
            let conversions = sqlite_rows::conversions(columns_hint);
            let mut rows = stmt.raw_query();
            while let Some(row) = rows.next().map_err(fail)? {
                with_values(row, column_count, conversions, |values| {
                    read(EachRow::Row(values))
                })?;
            }
            Ok(RowsRead::All)
        })
    }

    fn execute_many<'v>(
        &mut self,
        sql: &str,
        param_types: &[Option<SqlType>],
        param_sets: &mut dyn Iterator<Item = ParamSet<'v>>,
    ) -> Result<i64> {
        let mut total = 0i64;
        let mut stmt = self.conn().prepare_cached(sql).map_err(fail)?;
        for params in param_sets {
            for (i, &v) in params.iter().enumerate() {
                let ty = param_types.get(i).and_then(Option::as_ref);
                stmt.raw_bind_parameter(i + 1, Bind(v, ty)).map_err(fail)?;
            }
            total += stmt.raw_execute().map_err(fail)? as i64;
        }
        Ok(total)
    }

    fn batches_inserts(&self) -> bool {
        // In process, nothing to save in round trips: the prepared row per set is the fastest.
        false
    }

    fn execute_batch(&mut self, sql: &str) -> Result<()> {
        self.conn().execute_batch(sql).map_err(fail)
    }

    fn begin(&mut self) -> Result<()> {
        self.begin_with(SqliteBegin::Deferred)
    }

    fn begin_with(&mut self, mode: SqliteBegin) -> Result<()> {
        let sql = match mode {
            SqliteBegin::Deferred => "BEGIN",
            SqliteBegin::Immediate => "BEGIN IMMEDIATE",
            SqliteBegin::Exclusive => "BEGIN EXCLUSIVE",
        };
        self.conn().execute_batch(sql).map_err(fail)
    }

    fn commit(&mut self) -> Result<()> {
        self.conn().execute_batch("COMMIT").map_err(fail)
    }

    fn rollback(&mut self) -> Result<()> {
        self.conn().execute_batch("ROLLBACK").map_err(fail)
    }

    fn savepoint(&mut self, name: &str) -> Result<()> {
        self.conn()
            .execute_batch(&format!("SAVEPOINT {name}"))
            .map_err(fail)
    }

    fn release_savepoint(&mut self, name: &str) -> Result<()> {
        self.conn()
            .execute_batch(&format!("RELEASE SAVEPOINT {name}"))
            .map_err(fail)
    }

    fn rollback_to_savepoint(&mut self, name: &str) -> Result<()> {
        self.conn()
            .execute_batch(&format!("ROLLBACK TO SAVEPOINT {name}"))
            .map_err(fail)
    }

    fn in_transaction(&self) -> bool {
        !self.conn().is_autocommit()
    }

    fn set_isolation_level(&mut self, level: IsolationLevel) -> Result<()> {
        let uncommitted = match level {
            IsolationLevel::Serializable => 0,
            IsolationLevel::ReadUncommitted => 1,
            other => {
                return Err(Error::Argument(format!(
                    "SQLite does not support isolation level {other}; use SERIALIZABLE, READ UNCOMMITTED or AUTOCOMMIT"
                )));
            }
        };
        self.conn()
            .pragma_update(None, "read_uncommitted", uncommitted)
            .map_err(fail)
    }

    fn isolation_level(&mut self) -> Result<IsolationLevel> {
        let uncommitted: i64 = self
            .conn()
            .pragma_query_value(None, "read_uncommitted", |r| r.get(0))
            .map_err(fail)?;
        Ok(if uncommitted != 0 {
            IsolationLevel::ReadUncommitted
        } else {
            IsolationLevel::Serializable
        })
    }

    fn supported_isolation_levels(&self) -> &'static [IsolationLevel] {
        &[
            IsolationLevel::Serializable,
            IsolationLevel::ReadUncommitted,
        ]
    }

    fn ping(&mut self) -> Result<()> {
        self.conn()
            .query_row("SELECT 1", [], |_| Ok(()))
            .map_err(fail)
    }

    fn table_names(&mut self, schema: Option<&str>) -> Result<Vec<String>> {
        let master = match schema {
            Some(s) => format!("{}.sqlite_master", SQLite.quote_identifier(s)?),
            None => "sqlite_master".to_owned(),
        };
        let sql = format!(
            "SELECT name FROM {master} WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        );
        let mut stmt = self.conn().prepare(&sql).map_err(fail)?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(fail)?;
        names.collect::<rusqlite::Result<Vec<_>>>().map_err(fail)
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self.bare()
    }
}

/// Whether `value` is bound as a number or NULL: SQLite holds no copy of text or bytes.
#[inline(always)]
fn binds_a_number(value: &Value) -> bool {
    matches!(
        value,
        Value::Null
            | Value::Bool(_)
            | Value::I16(_)
            | Value::I32(_)
            | Value::I64(_)
            | Value::F32(_)
            | Value::F64(_)
            | Value::Decimal(_)
    )
}

/// The column count and names of `stmt`'s result (bound, not run yet); `None` for a statement
/// that returns no rows, which is run here.
#[inline(always)]
fn result_names(
    stmt: &mut RawStatement<'_>,
    columns_hint: &[ResultColumn],
) -> Result<Option<(usize, ResultNames)>> {
    let column_count = stmt.column_count();
    if column_count == 0 {
        stmt.raw_execute().map_err(fail)?;
        return Ok(None);
    }
    let columns = ResultNames::read(column_count, columns_hint, |i| {
        stmt.column_name(i).map(Arc::from).map_err(fail)
    })?;
    Ok(Some((column_count, columns)))
}

/// `row`'s `column_count` values where SQLite holds them (converted towards the types of
/// `conversions`, see `sqlite_rows::conversions`), handed to `read`: up to eight on the
/// stack, more in a `Vec`.
#[inline(always)]
fn with_values<R>(
    row: &rusqlite::Row<'_>,
    column_count: usize,
    conversions: Option<&[ResultColumn]>,
    read: impl FnOnce(&[ValueRef<'_>]) -> Result<R>,
) -> Result<R> {
    let mut inline: [ValueRef<'_>; 8] = std::array::from_fn(|_| ValueRef::Null);
    let mut spilled = Vec::new();
    let values = if column_count <= inline.len() {
        &mut inline[..column_count]
    } else {
        spilled.resize(column_count, ValueRef::Null);
        &mut spilled[..]
    };
    // Every index is below the statement's column count: no read fails.
    match conversions {
        None => {
            for (i, slot) in values.iter_mut().enumerate() {
                fill(slot, sqlite_rows::stored(row.get_ref_unwrap(i)));
            }
        }
        Some(hints) => {
            for (i, slot) in values.iter_mut().enumerate() {
                let hint = hints.get(i).and_then(|c| c.sql_type.as_ref());
                fill(slot, from_sqlite(row.get_ref_unwrap(i), hint));
            }
        }
    }
    let read = read(values);
    if conversions.is_none() {
        // Every value borrows from SQLite: nothing to drop.
        std::mem::forget(inline);
    }
    read
}

/// Puts `value` in `slot`, which holds NULL: nothing there to drop.
#[inline(always)]
fn fill<'a>(slot: &mut ValueRef<'a>, value: ValueRef<'a>) {
    let empty = std::mem::replace(slot, value);
    debug_assert!(matches!(empty, ValueRef::Null));
    std::mem::forget(empty);
}
