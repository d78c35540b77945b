//! The DB-API layer: one [`Driver`] per backend opens [`DriverConnection`]s; everything above
//! (pools, `Connection`, results) speaks only these traits.

#[cfg(feature = "async")]
mod async_driver;
#[cfg(feature = "mysql")]
pub mod mysql;
#[cfg(feature = "mysql")]
mod mysql_error;
#[cfg(feature = "mysql-async")]
mod mysql_native;
#[cfg(feature = "mysql")]
mod mysql_opts;
#[cfg(feature = "mysql")]
mod mysql_stream;
#[cfg(feature = "mysql")]
mod mysql_value;
#[cfg(any(all(feature = "postgres", feature = "async"), feature = "mysql-async"))]
mod native_blocking;
#[cfg(feature = "postgres")]
mod pg_array;
#[cfg(feature = "postgres")]
mod pg_cursor;
#[cfg(feature = "postgres")]
mod pg_decode;
#[cfg(feature = "postgres")]
mod pg_error;
#[cfg(all(feature = "postgres", feature = "async"))]
mod pg_native;
#[cfg(feature = "postgres")]
mod pg_ops;
#[cfg(feature = "postgres")]
mod pg_params;
#[cfg(feature = "postgres")]
mod pg_result_types;
#[cfg(feature = "postgres")]
mod pg_session;
#[cfg(feature = "postgres")]
mod pg_stmt_cache;
#[cfg(feature = "postgres")]
mod pg_text;
#[cfg(feature = "postgres")]
mod pg_tls;
#[cfg(feature = "postgres")]
mod pg_value;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "sqlite")]
mod sqlite_rows;

#[cfg(feature = "async")]
pub use async_driver::{AsyncDriverConnection, AsyncRowCursor};
#[cfg(feature = "async")]
pub(crate) use async_driver::{Chunked, FetchChunk};
#[cfg(feature = "mysql-async")]
pub use mysql_native::MySqlAsyncConnection;
#[cfg(feature = "mysql")]
pub use mysql_opts::ServerInfo;
#[cfg(feature = "postgres")]
pub(crate) use pg_decode::{cell as pg_cell, cell_read_by as pg_cell_read_by};
#[cfg(all(feature = "postgres", feature = "async"))]
pub use pg_native::{PgAsyncConnection, RECOVER_TIMEOUT};
#[cfg(feature = "postgres")]
pub(crate) use pg_value::ColumnReader;

use crate::error::Result;
use crate::options::{IsolationLevel, SqliteBegin};
#[cfg(feature = "async")]
use futures_util::future::BoxFuture;
use sqlcore_compiler::{Dialect, ResultColumn, SqlType, Value, ValueRef};
use std::any::Any;
use std::collections::VecDeque;
use std::num::NonZeroU64;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// One parameter set of [`DriverConnection::execute_many`]: its values in the driver's
/// order, borrowed (up to eight without an allocation).
pub type ParamSet<'v> = smallvec::SmallVec<[&'v Value; 8]>;

/// Opens connections to one database.
pub trait Driver: Send + Sync + std::fmt::Debug {
    /// The SQL dialect of the backend.
    fn dialect(&self) -> &'static dyn Dialect;
    /// Opens a new connection; a failure is the real connect error.
    fn connect(&self) -> Result<Box<dyn DriverConnection>>;

    /// Opens a new connection driven natively on the caller's tokio runtime (one whose
    /// [`DriverConnection::as_async`] is its async side), for a backend that has such a
    /// driver; `None` (the default) when the async engine must run the blocking connection on
    /// a thread of its own.
    #[cfg(feature = "async")]
    fn connect_async(&self) -> Option<BoxFuture<'static, Result<Box<dyn DriverConnection>>>> {
        None
    }
}

/// One row as the driver read it.
#[derive(Debug, Clone)]
pub enum DriverRow {
    /// Values decoded already, in column order.
    Values(Vec<Value>),
    /// A PostgreSQL row as it came off the wire, each column decoded when it is read. Only
    /// rows whose column types always decode are kept this way (integers, floats, booleans,
    /// text, bytea, uuid): reading them later cannot fail.
    #[cfg(feature = "postgres")]
    Postgres(tokio_postgres::Row),
}

impl DriverRow {
    /// The value of column `i`, if there is one.
    pub fn value(&self, i: usize) -> Option<Value> {
        self.value_ref(i).map(ValueRef::into_owned)
    }

    /// The value of column `i`, if there is one, borrowed from the row where it can be.
    pub fn value_ref(&self, i: usize) -> Option<ValueRef<'_>> {
        match self {
            DriverRow::Values(values) => values.get(i).map(ValueRef::from),
            #[cfg(feature = "postgres")]
            DriverRow::Postgres(row) => (i < row.len()).then(|| pg_decode::cell(row, i)),
        }
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        match self {
            DriverRow::Values(values) => values.len(),
            #[cfg(feature = "postgres")]
            DriverRow::Postgres(row) => row.len(),
        }
    }

    /// Whether the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Its values, borrowed from the row where they can be, handed to `read`: up to eight
    /// on the stack, more in a `Vec`.
    pub(crate) fn with_value_refs<R>(&self, read: impl FnOnce(&[ValueRef<'_>]) -> R) -> R {
        let n = self.len();
        // Column `i` at position `i` on both paths (every `i < n` has a value).
        let value = |i: usize| self.value_ref(i).unwrap_or(ValueRef::Null);
        let mut inline: [ValueRef<'_>; 8] = std::array::from_fn(|_| ValueRef::Null);
        if n <= inline.len() {
            for (i, slot) in inline[..n].iter_mut().enumerate() {
                *slot = value(i);
            }
            read(&inline[..n])
        } else {
            let values: Vec<ValueRef<'_>> = (0..n).map(value).collect();
            read(&values)
        }
    }

    /// All values, in column order.
    pub fn to_values(&self) -> Vec<Value> {
        (0..self.len()).filter_map(|i| self.value(i)).collect()
    }

    /// All values, in column order.
    pub fn into_values(self) -> Vec<Value> {
        match self {
            DriverRow::Values(values) => values,
            #[cfg(feature = "postgres")]
            row => row.to_values(),
        }
    }
}

/// What [`DriverConnection::query_row`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstRow {
    /// A row, handed to the reader.
    Read,
    /// The statement returned rows, none this time.
    None,
    /// The statement does not return rows (no result columns).
    NoColumns,
}

/// What [`DriverConnection::query_each`] hands its reader: the result's column names, once
/// and first, then each row.
pub enum EachRow<'r, 'v> {
    /// The result's column names.
    Names(ResultNames),
    /// A row's values, where the driver holds them.
    Row(&'r [ValueRef<'v>]),
}

/// How a [`DriverConnection::query_each`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowsRead {
    /// The names and every row were handed to the reader.
    All,
    /// The statement ran and returns no rows (no result columns).
    NoColumns,
    /// Nothing was run: this driver reads rows through [`DriverConnection::execute`].
    NotHere,
}

/// Rows produced by a statement, in order: those fetched so far and, for a streamed result,
/// the cursor that fetches the rest.
#[derive(Default)]
pub struct RowSource {
    /// The rows of a result fetched all at once, read in order (no queue to pop from).
    buffered: std::vec::IntoIter<DriverRow>,
    /// The rows of a driver that decodes them all up front, their values end to end.
    flat: FlatRows,
    /// PostgreSQL rows as they arrived (see [`RowSource::postgres`]; boxed, as `streamed`).
    #[cfg(feature = "postgres")]
    postgres: Option<Box<PgRows>>,
    /// A streamed result's cursor, until it has no more rows (boxed: most results are not).
    streamed: Option<Box<Streamed>>,
}

/// A PostgreSQL result's rows as they arrived, and how each column is read.
#[cfg(feature = "postgres")]
struct PgRows {
    rows: std::vec::IntoIter<tokio_postgres::Row>,
    readers: Box<[ColumnReader]>,
}

/// A streamed result's cursor and the chunk it fetched last.
struct Streamed {
    rows: VecDeque<DriverRow>,
    cursor: Box<dyn RowCursor>,
}

/// Rows of `width` values each, laid end to end in one buffer (no allocation per row), read
/// from `next` on: a row read in place has its values moved out, leaving nulls.
#[derive(Default)]
struct FlatRows {
    values: Vec<Value>,
    width: usize,
    next: usize,
}

impl Drop for FlatRows {
    fn drop(&mut self) {
        // The values left are mostly plain (those read in place, and nulls where values were
        // moved out): forgetting them saves a call of `Value`'s drop per value.
        for value in std::mem::take(&mut self.values) {
            if is_plain(&value) {
                std::mem::forget(value);
            }
        }
    }
}

/// Whether `value` holds nothing on the heap, so that it needs no drop: every kind but text,
/// bytes, JSON and arrays.
#[inline(always)]
pub(crate) fn is_plain(value: &Value) -> bool {
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
            | Value::Date(_)
            | Value::Time(_)
            | Value::Timestamp(_)
            | Value::TimestampTz(_)
            | Value::Interval(_)
            | Value::Uuid(_)
    )
}

/// Compiled, never called: the values [`is_plain`] names hold only `Copy` data.
#[allow(dead_code)]
fn plain_values_are_copy() {
    fn copy<T: Copy>() {}
    copy::<(bool, i16, i32, i64, f32, f64, rust_decimal::Decimal)>();
    copy::<(chrono::NaiveDate, chrono::NaiveTime, chrono::NaiveDateTime)>();
    copy::<(
        chrono::DateTime<chrono::Utc>,
        sqlcore_compiler::Interval,
        uuid::Uuid,
    )>();
}

impl FlatRows {
    /// The values of the next row, in place.
    #[inline(always)]
    fn next(&mut self) -> Option<&mut [Value]> {
        if self.next >= self.values.len() {
            return None;
        }
        let start = self.next;
        self.next += self.width;
        self.values.get_mut(start..self.next)
    }

    /// The buffer itself, when it holds one row none of which was read (a point select):
    /// handed over whole rather than copied out.
    fn take_single(&mut self) -> Option<Vec<Value>> {
        (self.next == 0 && self.width > 0 && self.values.len() == self.width)
            .then(|| std::mem::take(&mut self.values))
    }

    /// The rows not read yet, each in place, all marked read: for reading them in one pass.
    fn take_rest(&mut self) -> Option<std::slice::ChunksExactMut<'_, Value>> {
        if self.width == 0 || self.next >= self.values.len() {
            return None;
        }
        let start = std::mem::replace(&mut self.next, self.values.len());
        Some(self.values[start..].chunks_exact_mut(self.width))
    }

    /// How many rows are left.
    fn remaining(&self) -> usize {
        (self.values.len() - self.next)
            .checked_div(self.width)
            .unwrap_or(0)
    }
}

/// The next row of a [`RowSource`]: the driver's, or values read in place.
pub(crate) enum NextRow<'a> {
    /// A row of its own.
    Row(DriverRow),
    /// The values of a row laid end to end with the others (see [`RowSource::flat`]): move
    /// them out (`std::mem::take`) rather than copy them.
    InPlace(&'a mut [Value]),
    /// A PostgreSQL row as it arrived (see [`RowSource::postgres`]), with the readers of its
    /// columns.
    #[cfg(feature = "postgres")]
    Postgres(tokio_postgres::Row, &'a [ColumnReader]),
}

impl NextRow<'_> {
    /// The row as one of its own.
    #[inline]
    pub(crate) fn into_row(self) -> DriverRow {
        match self {
            NextRow::Row(row) => row,
            NextRow::InPlace(values) => {
                DriverRow::Values(values.iter_mut().map(std::mem::take).collect())
            }
            #[cfg(feature = "postgres")]
            NextRow::Postgres(row, _) => DriverRow::Postgres(row),
        }
    }
}

/// Fetches a streamed result's rows a chunk at a time (a server-side cursor). The cursor owns
/// what it needs to fetch; once its connection has moved on (transaction ended, connection
/// returned to the pool) it reports an error rather than rows of something else.
pub trait RowCursor: Send {
    /// Appends the next chunk of rows to `rows`; appends nothing once all were fetched.
    fn fetch(&mut self, rows: &mut VecDeque<DriverRow>) -> Result<()>;
}

impl RowSource {
    /// All rows, fetched already (a `Vec`, or a `VecDeque` filled from the back).
    pub fn buffered(rows: impl Into<Vec<DriverRow>>) -> Self {
        RowSource {
            buffered: rows.into().into_iter(),
            ..Self::default()
        }
    }

    /// All rows, fetched already, `width` values each, laid end to end in `values` (whose
    /// length is a multiple of `width`): read without an allocation per row.
    pub fn flat(values: Vec<Value>, width: usize) -> Self {
        debug_assert!(width > 0 && values.len() % width == 0);
        RowSource {
            flat: FlatRows {
                values,
                width,
                next: 0,
            },
            ..Self::default()
        }
    }

    /// All rows of a PostgreSQL result, fetched already and kept as they arrived, each column
    /// decoded when it is read: only for rows whose columns always decode (see
    /// `pg_decode::decodes_lazily`). Nothing is done per row until it is read.
    #[cfg(feature = "postgres")]
    pub(crate) fn postgres(rows: Vec<tokio_postgres::Row>) -> Self {
        let readers = rows
            .first()
            .map(|row| pg_decode::column_readers(row.columns()))
            .unwrap_or_default();
        RowSource {
            postgres: Some(Box::new(PgRows {
                rows: rows.into_iter(),
                readers,
            })),
            ..Self::default()
        }
    }

    /// Rows fetched through `cursor` as they are read.
    pub fn streamed(cursor: impl RowCursor + 'static) -> Self {
        RowSource {
            streamed: Some(Box::new(Streamed {
                rows: VecDeque::new(),
                cursor: Box::new(cursor),
            })),
            ..Self::default()
        }
    }

    /// The next row, fetching the next chunk when the ones fetched are used up; the cursor
    /// is dropped once it has no more.
    pub fn next_row(&mut self) -> Result<Option<DriverRow>> {
        if let Some(values) = self.flat.take_single() {
            return Ok(Some(DriverRow::Values(values)));
        }
        Ok(self.next_in_place()?.map(NextRow::into_row))
    }

    /// The rows laid end to end not read yet (see [`FlatRows`]), in place, all marked read.
    pub(crate) fn take_flat(&mut self) -> Option<std::slice::ChunksExactMut<'_, Value>> {
        self.flat.take_rest()
    }

    /// The next row, as [`RowSource::next_row`], its values left in place when they are.
    #[inline(always)]
    pub(crate) fn next_in_place(&mut self) -> Result<Option<NextRow<'_>>> {
        if let Some(values) = self.flat.next() {
            return Ok(Some(NextRow::InPlace(values)));
        }
        if let Some(row) = self.buffered.next() {
            return Ok(Some(NextRow::Row(row)));
        }
        #[cfg(feature = "postgres")]
        if let Some(pg) = &mut self.postgres
            && let Some(row) = pg.rows.next()
        {
            return Ok(Some(NextRow::Postgres(row, &pg.readers)));
        }
        Self::next_streamed(&mut self.streamed).map(|row| row.map(NextRow::Row))
    }

    /// The next row of a streamed result, from the chunk fetched last or the next one; the
    /// cursor is dropped once it has no more.
    #[cold]
    fn next_streamed(streamed: &mut Option<Box<Streamed>>) -> Result<Option<DriverRow>> {
        let Some(stream) = streamed else {
            return Ok(None);
        };
        if stream.rows.is_empty() {
            stream.cursor.fetch(&mut stream.rows)?;
        }
        let row = stream.rows.pop_front();
        if row.is_none() {
            *streamed = None;
        }
        Ok(row)
    }

    /// Whether more rows may come through a cursor.
    pub(crate) fn is_streamed(&self) -> bool {
        self.streamed.is_some()
    }

    /// How many rows are buffered, not read yet (more may come through a cursor).
    pub(crate) fn buffered_len(&self) -> usize {
        #[cfg(feature = "postgres")]
        let postgres = self.postgres.as_ref().map_or(0, |pg| pg.rows.len());
        #[cfg(not(feature = "postgres"))]
        let postgres = 0;
        self.buffered.len()
            + postgres
            + self.streamed.as_ref().map_or(0, |s| s.rows.len())
            + self.flat.remaining()
    }
}

/// The column names of a result.
#[derive(Debug, Clone, PartialEq)]
pub enum ResultNames {
    /// The request's `result_columns`: the result has as many columns as the statement was
    /// compiled to return, so they take the compiled names, position by position (as
    /// SQLAlchemy matches a compiled statement's columns), and the database's are not read.
    Expected,
    /// The names the database gave; none when the statement returns no rows.
    Given(Vec<Arc<str>>),
}

impl ResultNames {
    /// `Expected` when the result's `count` columns are the `expected` ones, else the names
    /// `name` reads from the database.
    pub fn read(
        count: usize,
        expected: &[ResultColumn],
        name: impl FnMut(usize) -> Result<Arc<str>>,
    ) -> Result<Self> {
        if count > 0 && count == expected.len() {
            return Ok(ResultNames::Expected);
        }
        (0..count)
            .map(name)
            .collect::<Result<_>>()
            .map(ResultNames::Given)
    }

    /// The names, where `expected` are the request's `result_columns`.
    pub fn into_vec(self, expected: &[ResultColumn]) -> Vec<Arc<str>> {
        match self {
            ResultNames::Expected => expected.iter().map(|c| c.name.clone()).collect(),
            ResultNames::Given(names) => names,
        }
    }
}

/// What a statement produced.
pub struct Execution {
    /// The column names.
    pub columns: ResultNames,
    /// The rows.
    pub rows: RowSource,
    /// Rows affected (DML), or -1 when not applicable.
    pub rowcount: i64,
    /// The row id of the row an INSERT created, where the backend has one.
    pub last_insert_id: Option<i64>,
}

/// The identity of one SQL text, never given to another in the life of the process: requests
/// carrying the same id carry the same SQL, so a driver may keep the statement prepared under
/// its id rather than look it up by its text. Cached compiled statements have one, and so has
/// each of their translations through a `schema_translate_map`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatementId(NonZeroU64);

impl StatementId {
    /// An id no SQL text had before.
    pub(crate) fn next() -> Self {
        static ISSUED: AtomicU64 = AtomicU64::new(0);
        // Counted once per compiled form or translation: 2^64 is out of reach.
        StatementId(NonZeroU64::MIN.saturating_add(ISSUED.fetch_add(1, Ordering::Relaxed)))
    }
}

/// A statement to run, with everything the driver may need.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The SQL, with the dialect's placeholders.
    pub sql: &'a str,
    /// The identity of `sql`, when it has one (a cached compiled form, as written or
    /// translated, with no lists expanded into it).
    pub statement_id: Option<StatementId>,
    /// The values, in placeholder order.
    pub params: &'a [&'a Value],
    /// The SQL type each value meets, where known.
    pub param_types: &'a [Option<SqlType>],
    /// The result columns the compiler expects (names and declared types), where known.
    pub result_columns: &'a [ResultColumn],
    /// Fetch rows in chunks of this size instead of all at once.
    pub stream: Option<usize>,
}

/// One open connection to the database: the raw driver connection behind a pool.
///
/// A driver that finds its connection dead reports it in the error it returns, with
/// [`DbError::connection_invalidated`](crate::DbError::connection_invalidated) set.
pub trait DriverConnection: Send {
    /// Runs a statement, converting result values towards the declared column types where
    /// the backend stores them loosely.
    fn execute(&mut self, request: &Request<'_>) -> Result<Execution>;

    /// Runs a statement and hands its first row to `read` where the driver holds it, with the
    /// result's column names; rows after the first are not read. The default goes through
    /// [`DriverConnection::execute`].
    fn query_row(
        &mut self,
        request: &Request<'_>,
        read: &mut dyn FnMut(ResultNames, &[ValueRef<'_>]) -> Result<()>,
    ) -> Result<FirstRow> {
        let Execution { columns, rows, .. } = self.execute(request)?;
        if columns == ResultNames::Given(Vec::new()) {
            return Ok(FirstRow::NoColumns);
        }
        let mut rows = rows;
        match rows.next_row()? {
            Some(row) => row
                .with_value_refs(|values| read(columns, values))
                .map(|()| FirstRow::Read),
            None => Ok(FirstRow::None),
        }
    }

    /// Runs a statement and hands its column names, then each of its rows where the driver
    /// holds them, to `read`, in one pass (no result buffered). The default runs nothing
    /// ([`RowsRead::NotHere`]): the rows are read from [`DriverConnection::execute`]'s result.
    fn query_each(
        &mut self,
        request: &Request<'_>,
        read: &mut dyn FnMut(EachRow<'_, '_>) -> Result<()>,
    ) -> Result<RowsRead> {
        let _ = (request, read);
        Ok(RowsRead::NotHere)
    }

    /// Runs `sql` once per parameter set, preparing it once; returns the total rows affected.
    /// Each set's values are borrowed from the caller's parameters, as bound: nothing is
    /// copied to run a set.
    fn execute_many<'v>(
        &mut self,
        sql: &str,
        param_types: &[Option<SqlType>],
        param_sets: &mut dyn Iterator<Item = ParamSet<'v>>,
    ) -> Result<i64>;

    /// Whether an executemany INSERT without RETURNING goes faster as batches of multi-row
    /// VALUES (each execution a round trip to a server) than through
    /// [`DriverConnection::execute_many`], one prepared row at a time (in process, where
    /// parsing a long statement per batch costs more than stepping a prepared one per row).
    /// Default: batches.
    fn batches_inserts(&self) -> bool {
        true
    }

    /// Bulk-loads rows into `table` (a quoted, qualified name) through the backend's copy
    /// protocol, when it has one and knows every column type; `None` means "use INSERT".
    fn copy_in(
        &mut self,
        _table: &str,
        _columns: &[String],
        _types: &[SqlType],
        _rows: &mut (dyn Iterator<Item = Result<Vec<Value>>> + Send),
    ) -> Option<Result<i64>> {
        None
    }

    /// Runs one or more statements without parameters (set-up SQL, pragmas).
    fn execute_batch(&mut self, sql: &str) -> Result<()>;

    /// BEGIN.
    fn begin(&mut self) -> Result<()>;
    /// BEGIN in SQLite's transaction `mode` (`BEGIN IMMEDIATE`, ...). Backends without such
    /// modes ignore it and begin as [`DriverConnection::begin`] does (the default).
    fn begin_with(&mut self, mode: SqliteBegin) -> Result<()> {
        let _ = mode;
        self.begin()
    }
    /// COMMIT.
    fn commit(&mut self) -> Result<()>;
    /// ROLLBACK.
    fn rollback(&mut self) -> Result<()>;
    /// ROLLBACK as the connection goes back to the pool. A driver may send it without
    /// waiting for its reply, reading that reply in the flight of the connection's next call:
    /// should it have failed, that call fails with the connection invalidated and nothing of
    /// its own committed, and [`DriverConnection::lost_before_use`] says so, so that the call
    /// can run again on another connection. The default is [`DriverConnection::rollback`].
    fn rollback_on_checkin(&mut self) -> Result<()> {
        self.rollback()
    }
    /// Whether the last call failed, the connection invalidated, with nothing of it committed
    /// and nothing of a transaction lost: the reset of the connection's previous checkout
    /// failed (see [`DriverConnection::rollback_on_checkin`]), or the connection was found
    /// gone before anything was sent, outside a transaction begun on the server. The call may
    /// then run again on another connection. Asking clears it. Default: never.
    fn lost_before_use(&mut self) -> bool {
        false
    }
    /// SAVEPOINT `name`.
    fn savepoint(&mut self, name: &str) -> Result<()>;
    /// RELEASE SAVEPOINT `name`.
    fn release_savepoint(&mut self, name: &str) -> Result<()>;
    /// ROLLBACK TO SAVEPOINT `name`.
    fn rollback_to_savepoint(&mut self, name: &str) -> Result<()>;
    /// Whether a transaction is open on the connection.
    fn in_transaction(&self) -> bool;

    /// Sets the isolation level of the transactions to come (never `Autocommit`, which the
    /// `Connection` handles by not beginning transactions).
    fn set_isolation_level(&mut self, level: IsolationLevel) -> Result<()>;
    /// Reads the isolation level from the database.
    fn isolation_level(&mut self) -> Result<IsolationLevel>;
    /// The isolation levels the backend supports (besides `Autocommit`).
    fn supported_isolation_levels(&self) -> &'static [IsolationLevel];

    /// Called when the connection goes back to the pool, before the reset: results still
    /// reading from it must stop, and session state they held is released. Default: nothing.
    fn release(&mut self) -> Result<()> {
        Ok(())
    }

    /// A cheap round trip proving the connection is alive.
    fn ping(&mut self) -> Result<()>;
    /// The names of the tables in `schema` (or the default schema), in one query.
    fn table_names(&mut self, schema: Option<&str>) -> Result<Vec<String>>;

    /// The driver's own connection object (e.g. `rusqlite::Connection`), for event hooks. A
    /// driver keeping statements prepared on it finalizes them first.
    fn as_any_mut(&mut self) -> &mut dyn Any;

    /// The connection's native async side, for a connection driven on a tokio runtime (whose
    /// blocking methods are then for blocking threads only). Default: none.
    #[cfg(feature = "async")]
    fn as_async(&mut self) -> Option<&mut dyn AsyncDriverConnection> {
        None
    }
}
