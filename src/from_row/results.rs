//! Results read into [`FromRow`] values: a [`CursorResult`]'s `*_as` methods, the [`RowsAs`]
//! iterator, [`Connection::query_row_as`], [`Connection::query_all_as`].

use super::{FromRow, RowReader, read_driver_row, read_each, read_owned};
use crate::connection::{Connection, IntoParams};
use crate::driver::{EachRow, FirstRow, RowsRead};
use crate::error::{Error, Result};
use crate::events::RowCounts;
use crate::executable::Executable;
use crate::result::CursorResult;
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
        let mut rows = self.rows_as::<T>()?;
        let mut out = Vec::with_capacity(capacity);
        // Rows laid end to end are read in one pass; any others one by one.
        if let Some((keys, flat)) = rows.result.take_flat()? {
            for values in flat {
                out.push(read_owned(keys, &rows.columns, values)?);
            }
        }
        for row in rows {
            out.push(row?);
        }
        Ok(out)
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
    /// Executes a statement and reads every row into `T` where the driver holds it, in one
    /// pass: on SQLite no result is buffered (each row is read as SQLite steps to it), so
    /// this is the cheapest way to read many rows into structs; elsewhere it is
    /// `execute(..)?.all_as()`. The same rows and errors as [`CursorResult::all_as`] (a
    /// missing column is an error before any row is read, even when there are none); a
    /// statement that returns no rows (runs, and) is an [`Error::ResourceClosed`].
    ///
    /// ```
    /// use sqlcore::{FromRow, create_engine, text};
    ///
    /// #[derive(Debug, PartialEq, FromRow)]
    /// struct Item {
    ///     id: i64,
    ///     label: String,
    /// }
    ///
    /// let engine = create_engine("sqlite://")?;
    /// let mut conn = engine.connect()?;
    /// let sql = "SELECT 1 AS id, 'one' AS label UNION ALL SELECT 2, 'two'";
    /// let items: Vec<Item> = conn.query_all_as(text(sql), ())?;
    /// assert_eq!(items[1], Item { id: 2, label: "two".into() });
    /// # Ok::<(), sqlcore::Error>(())
    /// ```
    pub fn query_all_as<'s, T: FromRow>(
        &mut self,
        statement: impl Into<Executable<'s>>,
        params: impl IntoParams,
    ) -> Result<Vec<T>> {
        let params = params.into_params();
        let mut out = Vec::new();
        let returns_rows =
            self.run(&statement.into(), &params, false, |driver, request, ran| {
                let mut located: Option<(Arc<ResultKeys>, T::Columns)> = None;
                let read = driver.query_each(request, &mut |each| match each {
                    EachRow::Names(names) => {
                        let keys = ran.keys(names);
                        let columns = T::columns(&keys)?;
                        located = Some((keys, columns));
                        Ok(())
                    }
                    row => {
                        let Some((keys, columns)) = &located else {
                            return Err(Error::InvalidRequest("a row before its columns".into()));
                        };
                        out.push(read_each(keys, columns, row)?);
                        Ok(())
                    }
                })?;
                match read {
                    RowsRead::All => Ok((true, RowCounts::read(out.len()))),
                    RowsRead::NoColumns => Ok((false, RowCounts::first_row(&FirstRow::NoColumns))),
                    RowsRead::NotHere => {
                        let exec = driver.execute(request)?;
                        let counts = RowCounts::of(&exec);
                        let result = ran.cursor_result(exec, &params)?;
                        if !result.returns_rows() {
                            return Ok((false, counts));
                        }
                        out = result.all_as()?;
                        Ok((true, counts))
                    }
                }
            })?;
        if !returns_rows {
            // The statement ran (as `query_row`'s does); it has no rows to read.
            return Err(Error::ResourceClosed(
                "this result object does not return rows".into(),
            ));
        }
        Ok(out)
    }

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
