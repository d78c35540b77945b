//! [`CursorResult`]: the rows and counts a statement produced.

use crate::driver::{DriverRow, NextRow, RowSource};
use crate::error::{Error, Result};
use crate::row::{ResultKeys, Row};
use indexmap::IndexMap;
use sqlcore_compiler::{FromValue, Value};
use std::marker::PhantomData;
use std::sync::Arc;

/// The result of executing a statement: its rows (iterate, or use the fetch methods), its
/// `rowcount` and, for INSERTs, its `inserted_primary_key`.
///
/// Methods that return one row (`first`, `one`, `scalar`, ...) close the result; a closed
/// result gives [`Error::ResourceClosed`].
///
/// ```
/// use sqlcore::{create_engine, text};
/// let engine = create_engine("sqlite://")?;
/// let mut conn = engine.connect()?;
/// conn.execute(text("CREATE TABLE t (x INTEGER)"), ())?;
/// conn.execute_many(text("INSERT INTO t (x) VALUES (:x)"), (1..=5).map(|x| sqlcore::params! { "x" => x }))?;
/// let mut result = conn.execute(text("SELECT x FROM t ORDER BY x"), ())?;
/// assert_eq!(result.fetchone()?.unwrap().get::<i64>(0)?, 1);
/// assert_eq!(result.fetchmany(2)?.len(), 2);
/// assert_eq!(result.fetchall()?.len(), 2);
/// let total: i64 = conn.execute(text("SELECT sum(x) FROM t"), ())?.scalar_one()?;
/// assert_eq!(total, 15);
/// # Ok::<(), sqlcore::Error>(())
/// ```
pub struct CursorResult {
    keys: Arc<ResultKeys>,
    rows: RowSource,
    rowcount: i64,
    inserted_primary_key: Option<Row>,
    returns_rows: bool,
    closed: bool,
}

impl std::fmt::Debug for CursorResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CursorResult")
            .field("keys", &self.keys.names())
            .field("rowcount", &self.rowcount)
            .field("closed", &self.closed)
            .finish()
    }
}

impl CursorResult {
    pub(crate) fn new(
        columns: Vec<Arc<str>>,
        rows: RowSource,
        rowcount: i64,
        inserted_primary_key: Option<Row>,
    ) -> Self {
        Self::with_keys(
            Arc::new(ResultKeys::new(columns)),
            rows,
            rowcount,
            inserted_primary_key,
        )
    }

    /// A result whose column keys are shared (a cached statement's).
    pub(crate) fn with_keys(
        keys: Arc<ResultKeys>,
        rows: RowSource,
        rowcount: i64,
        inserted_primary_key: Option<Row>,
    ) -> Self {
        let returns_rows = !keys.names().is_empty();
        CursorResult {
            keys,
            rows,
            rowcount,
            inserted_primary_key,
            returns_rows,
            closed: false,
        }
    }

    /// The column names.
    pub fn keys(&self) -> &[Arc<str>] {
        self.keys.names()
    }

    /// The column keys, shared with the rows.
    pub(crate) fn result_keys(&self) -> &Arc<ResultKeys> {
        &self.keys
    }

    /// Whether the statement returns rows (a SELECT, or DML with RETURNING).
    pub fn returns_rows(&self) -> bool {
        self.returns_rows
    }

    /// Rows affected by an INSERT, UPDATE or DELETE; -1 for a SELECT.
    pub fn rowcount(&self) -> i64 {
        self.rowcount
    }

    /// The primary key of the row an INSERT created: given values and generated ones
    /// (SQLAlchemy's `inserted_primary_key`). An error for other statements.
    pub fn inserted_primary_key(&self) -> Result<&Row> {
        self.inserted_primary_key.as_ref().ok_or_else(|| {
            Error::InvalidRequest(
                "inserted_primary_key is only available for a single-row INSERT".into(),
            )
        })
    }

    /// Whether the result is closed (exhausted by a one-row method, or `close()`d).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Closes the result, discarding any rows left.
    pub fn close(&mut self) {
        self.closed = true;
        self.rows = RowSource::default();
    }

    #[inline]
    pub(crate) fn check_open(&self) -> Result<()> {
        if self.closed || !self.returns_rows {
            return Err(self.closed_error());
        }
        Ok(())
    }

    #[cold]
    fn closed_error(&self) -> Error {
        Error::ResourceClosed(if self.closed {
            "this result object is closed".into()
        } else {
            "this result object does not return rows".into()
        })
    }

    pub(crate) fn next_row(&mut self) -> Result<Option<DriverRow>> {
        self.check_open()?;
        self.rows.next_row()
    }

    /// The next row, its values left in place when the driver laid them end to end, with
    /// the result's keys.
    #[inline(always)]
    pub(crate) fn next_in_place(&mut self) -> Result<Option<(&Arc<ResultKeys>, NextRow<'_>)>> {
        self.check_open()?;
        Ok(self.rows.next_in_place()?.map(|row| (&self.keys, row)))
    }

    /// The keys, and the rows laid end to end not read yet (in place, all marked read).
    pub(crate) fn take_flat(
        &mut self,
    ) -> Result<Option<(&ResultKeys, std::slice::ChunksExactMut<'_, Value>)>> {
        self.check_open()?;
        Ok(self.rows.take_flat().map(|rows| (&*self.keys, rows)))
    }

    /// How many rows are buffered, not read yet: the capacity to reserve for them.
    pub(crate) fn buffered_len(&self) -> usize {
        self.rows.buffered_len()
    }

    /// The next row, or `None` when there are no more.
    pub fn fetchone(&mut self) -> Result<Option<Row>> {
        self.next_row()?
            .map(|row| Row::read(self.keys.clone(), row))
            .transpose()
    }

    /// Up to `n` more rows.
    pub fn fetchmany(&mut self, n: usize) -> Result<Vec<Row>> {
        let mut out = Vec::with_capacity(n.min(1024));
        while out.len() < n {
            match self.fetchone()? {
                Some(row) => out.push(row),
                None => break,
            }
        }
        Ok(out)
    }

    /// All remaining rows.
    pub fn fetchall(&mut self) -> Result<Vec<Row>> {
        let capacity = self.buffered_len();
        collect_all(std::iter::from_fn(|| self.fetchone().transpose()), capacity)
    }

    /// All remaining rows (SQLAlchemy 2.0's name for `fetchall`).
    pub fn all(mut self) -> Result<Vec<Row>> {
        self.fetchall()
    }

    /// The first row or `None`; closes the result.
    pub fn first(mut self) -> Result<Option<Row>> {
        let row = self.fetchone()?;
        self.close();
        Ok(row)
    }

    /// Exactly one row: [`Error::NoResultFound`] or [`Error::MultipleResultsFound`] otherwise.
    pub fn one(self) -> Result<Row> {
        self.one_or_none()?.ok_or(Error::NoResultFound)
    }

    /// One row or `None`; [`Error::MultipleResultsFound`] when there are more.
    pub fn one_or_none(self) -> Result<Option<Row>> {
        self.check_open()?;
        // The result is used up here: its keys move into the row, and a second row is only
        // looked for, never made into a `Row`.
        let CursorResult { keys, mut rows, .. } = self;
        let Some(row) = rows.next_row()? else {
            return Ok(None);
        };
        let row = Row::read(keys, row)?;
        if rows.next_row()?.is_some() {
            return Err(Error::MultipleResultsFound);
        }
        Ok(Some(row))
    }

    /// The first column of the first row, or `None` when there is no row; closes the result.
    pub fn scalar<T: FromValue>(self) -> Result<Option<T>> {
        match self.first()? {
            Some(row) => row.get::<T>(0).map(Some),
            None => Ok(None),
        }
    }

    /// The first column of exactly one row.
    pub fn scalar_one<T: FromValue>(self) -> Result<T> {
        self.one()?.get(0)
    }

    /// The first column of one row, or `None` when there is no row.
    pub fn scalar_one_or_none<T: FromValue>(self) -> Result<Option<T>> {
        match self.one_or_none()? {
            Some(row) => row.get(0).map(Some),
            None => Ok(None),
        }
    }

    /// The first column of every row, converted to `T`.
    pub fn scalars<T: FromValue>(self) -> ScalarResult<T> {
        ScalarResult {
            inner: self,
            _t: PhantomData,
        }
    }

    /// Rows as ordered maps of column name to value.
    pub fn mappings(self) -> MappingResult {
        MappingResult { inner: self }
    }
}

impl Iterator for CursorResult {
    type Item = Result<Row>;
    fn next(&mut self) -> Option<Result<Row>> {
        self.fetchone().transpose()
    }
}

/// The first column of each row (SQLAlchemy's `ScalarResult`).
pub struct ScalarResult<T> {
    inner: CursorResult,
    _t: PhantomData<fn() -> T>,
}

impl<T: FromValue> ScalarResult<T> {
    /// All values.
    pub fn all(self) -> Result<Vec<T>> {
        let capacity = self.inner.buffered_len();
        collect_all(self, capacity)
    }

    /// The first value or `None`.
    pub fn first(self) -> Result<Option<T>> {
        self.inner.scalar()
    }

    /// Exactly one value.
    pub fn one(self) -> Result<T> {
        self.inner.scalar_one()
    }

    /// One value or `None`.
    pub fn one_or_none(self) -> Result<Option<T>> {
        self.inner.scalar_one_or_none()
    }
}

impl<T: FromValue> Iterator for ScalarResult<T> {
    type Item = Result<T>;
    #[inline]
    fn next(&mut self) -> Option<Result<T>> {
        match self.inner.next_in_place() {
            Ok(Some((keys, row))) => Some(scalar_of(keys, row)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// The first column of a driver's `row`, converted to `T`.
#[inline(always)]
fn scalar_of<T: FromValue>(keys: &Arc<ResultKeys>, row: NextRow<'_>) -> Result<T> {
    match row {
        // Decoded values: the first is moved out, not copied.
        NextRow::InPlace(values) if !keys.converts() => first_value(values),
        NextRow::Row(DriverRow::Values(mut values)) if !keys.converts() => first_value(&mut values),
        // A PostgreSQL row as it arrived: its first column decoded alone.
        #[cfg(feature = "postgres")]
        NextRow::Postgres(row, readers) if !keys.converts() => first_cell(&row, readers),
        row => Row::read(keys.clone(), row.into_row()).and_then(|r| r.get(0)),
    }
}

/// The first of a row's `values`, moved out and converted to `T`.
#[inline]
fn first_value<T: FromValue>(values: &mut [Value]) -> Result<T> {
    match values.first_mut() {
        Some(value) => T::from_value(std::mem::take(value)).map_err(|e| Error::conversion(0, e)),
        None => Err(Error::NoSuchColumn(0.to_string())),
    }
}

/// The first column of a PostgreSQL row kept as it arrived, converted to `T`.
#[cfg(feature = "postgres")]
#[inline]
fn first_cell<T: FromValue>(
    row: &tokio_postgres::Row,
    readers: &[crate::driver::ColumnReader],
) -> Result<T> {
    if row.is_empty() {
        return Err(Error::NoSuchColumn(0.to_string()));
    }
    let value = match readers.first() {
        Some(reader) => crate::driver::pg_cell_read_by(row, 0, *reader),
        None => crate::driver::pg_cell(row, 0),
    };
    T::from_value_ref(&value).map_err(|e| Error::conversion(0, e))
}

/// Rows as ordered maps (SQLAlchemy's `MappingResult`).
pub struct MappingResult {
    inner: CursorResult,
}

impl MappingResult {
    /// All rows.
    pub fn all(self) -> Result<Vec<IndexMap<Arc<str>, Value>>> {
        let capacity = self.inner.buffered_len();
        collect_all(self, capacity)
    }

    /// The first row or `None`.
    pub fn first(self) -> Result<Option<IndexMap<Arc<str>, Value>>> {
        Ok(self.inner.first()?.map(Row::into_map))
    }

    /// Exactly one row.
    pub fn one(self) -> Result<IndexMap<Arc<str>, Value>> {
        Ok(self.inner.one()?.into_map())
    }
}

impl Iterator for MappingResult {
    type Item = Result<IndexMap<Arc<str>, Value>>;
    fn next(&mut self) -> Option<Self::Item> {
        match self.inner.next_in_place() {
            Ok(Some((keys, row))) => Some(mapping_of(keys, row)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// A driver's `row` as an ordered map of column name to value.
#[inline(always)]
fn mapping_of(keys: &Arc<ResultKeys>, row: NextRow<'_>) -> Result<IndexMap<Arc<str>, Value>> {
    match row {
        // Values in place: moved into the map, not copied.
        NextRow::InPlace(values) if !keys.converts() => Ok(keys
            .names()
            .iter()
            .cloned()
            .zip(values.iter_mut().map(std::mem::take))
            .collect()),
        // A PostgreSQL row as it arrived: each column decoded straight into the map.
        #[cfg(feature = "postgres")]
        NextRow::Postgres(row, readers) if !keys.converts() && readers.len() == row.len() => {
            Ok(keys
                .names()
                .iter()
                .cloned()
                .zip(readers.iter().enumerate().map(|(i, reader)| {
                    crate::driver::pg_cell_read_by(&row, i, *reader).into_owned()
                }))
                .collect())
        }
        row => Row::read(keys.clone(), row.into_row()).map(Row::into_map),
    }
}

/// The items of `rows` until the first error, `capacity` of them reserved up front (collecting
/// into a `Result` reserves nothing: its size hint's lower bound is 0).
pub(crate) fn collect_all<T>(
    rows: impl Iterator<Item = Result<T>>,
    capacity: usize,
) -> Result<Vec<T>> {
    let mut out = Vec::with_capacity(capacity);
    for row in rows {
        out.push(row?);
    }
    Ok(out)
}
