//! Results read into [`FromRow`] values: a [`CursorResult`]'s `*_as` methods, the [`RowsAs`]
//! iterator, [`Connection::query_row_as`].

use super::{FromRow, RowReader, read_driver_row};
use crate::connection::{Connection, IntoParams};
use crate::error::{Error, Result};
use crate::executable::Executable;
use crate::result::{CursorResult, collect_all};
use crate::row::{ResultKeys, Row, RowRef};
use std::sync::Arc;

impl CursorResult {
    /// The remaining rows as an iterator of `T`, the columns located now (a missing one is an
    /// error here, before any row is read). With `stream_results`, rows are read as they are
    /// fetched. A closed result, or one without rows, is an [`Error::ResourceClosed`].
    pub fn rows_as<T: FromRow>(self) -> Result<RowsAs<T>> {
        self.check_open()?;
        let columns = T::columns(self.result_keys())?;
        Ok(RowsAs {
            result: self,
            columns,
        })
    }

    /// All remaining rows, read into `T`.
    pub fn all_as<T: FromRow>(self) -> Result<Vec<T>> {
        let capacity = self.buffered_len();
        collect_all(self.rows_as()?, capacity)
    }

    /// The first row read into `T`, or `None`; closes the result.
    pub fn first_as<T: FromRow>(self) -> Result<Option<T>> {
        let mut rows = self.rows_as::<T>()?;
        let first = rows.next().transpose();
        rows.result.close();
        first
    }

    /// Exactly one row, read into `T`: [`Error::NoResultFound`] or
    /// [`Error::MultipleResultsFound`] otherwise.
    pub fn one_as<T: FromRow>(self) -> Result<T> {
        self.one_or_none_as()?.ok_or(Error::NoResultFound)
    }

    /// One row read into `T`, or `None`; [`Error::MultipleResultsFound`] when there are more.
    pub fn one_or_none_as<T: FromRow>(self) -> Result<Option<T>> {
        let mut rows = self.rows_as::<T>()?;
        let first = rows.next().transpose()?;
        if first.is_some() && rows.result.next_row()?.is_some() {
            return Err(Error::MultipleResultsFound);
        }
        rows.result.close();
        Ok(first)
    }
}

/// The rows of a [`CursorResult`] read into `T` (see [`CursorResult::rows_as`]).
pub struct RowsAs<T: FromRow> {
    result: CursorResult,
    columns: T::Columns,
}

impl<T: FromRow> std::fmt::Debug for RowsAs<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowsAs")
            .field("result", &self.result)
            .finish_non_exhaustive()
    }
}

impl<T: FromRow> Iterator for RowsAs<T> {
    type Item = Result<T>;

    #[inline]
    fn next(&mut self) -> Option<Result<T>> {
        match self.result.next_in_place() {
            Ok(Some((keys, row))) => Some(read_driver_row(keys, &self.columns, row)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

impl Row {
    /// The row read into `T` (its columns located for this row alone: to read many rows,
    /// use [`CursorResult::all_as`] or [`CursorResult::rows_as`]).
    pub fn read_as<T: FromRow>(&self) -> Result<T> {
        read_with_keys(self.result_keys(), |keys| RowReader::row(keys, self))
    }
}

impl RowRef<'_> {
    /// The row read into `T`.
    pub fn read_as<T: FromRow>(&self) -> Result<T> {
        read_with_keys(self.result_keys(), |keys| {
            RowReader::borrowed(keys, self.value_refs())
        })
    }
}

/// Locates `T`'s columns in `keys` and reads the row `reader` gives.
fn read_with_keys<'r, T: FromRow>(
    keys: &'r Arc<ResultKeys>,
    reader: impl FnOnce(&'r ResultKeys) -> RowReader<'r>,
) -> Result<T> {
    let columns = T::columns(keys)?;
    T::from_row(&mut reader(keys), &columns)
}

impl Connection {
    /// Executes a statement and reads its first row into `T` where the driver holds it (see
    /// [`Connection::query_row`]).
    pub fn query_row_as<'s, T: FromRow>(
        &mut self,
        statement: impl Into<Executable<'s>>,
        params: impl IntoParams,
    ) -> Result<T> {
        self.query_row(statement, params, |row| row.read_as())
    }
}
