//! [`FromRow`]: result rows read into Rust values — tuples by position, structs (with
//! `#[derive(FromRow)]`) by column name — the columns located once per result.

#[cfg(feature = "async")]
mod async_results;
mod results;

#[cfg(feature = "async")]
pub use async_results::AsyncRowsAs;
pub use results::RowsAs;

use crate::driver::{DriverRow, EachRow, NextRow, is_plain};
use crate::error::{Error, Result};
use crate::row::{ResultKeys, Row};
use sqlcore_compiler::{FromValue, Value, ValueRef};

/// A Rust value read from a result row: a tuple (by position) or a struct with
/// `#[derive(FromRow)]`.
///
/// Reading happens in two steps: [`FromRow::columns`] locates the columns once per result
/// (by name or by position; a missing one is an [`Error::MissingColumn`]), then
/// [`FromRow::from_row`] reads each row at those positions (a value of another type is an
/// [`Error::Conversion`] naming the column, the Rust type and the value's kind). No column
/// name is looked up or allocated per row.
///
/// The derive reads named fields by column name; `#[sqlcore(rename = "column")]` on a field
/// names another column, and `#[sqlcore(by_position)]` on the struct reads its fields in
/// column order. Tuple structs read by position. A result may have more columns than a
/// struct read by name needs; one read by position (and a tuple) must have exactly as many.
///
/// ```
/// use sqlcore::{FromRow, create_engine, text};
///
/// #[derive(Debug, PartialEq, FromRow)]
/// struct User {
///     id: i64,
///     #[sqlcore(rename = "user_name")]
///     name: String,
///     email: Option<String>,
/// }
///
/// let engine = create_engine("sqlite://")?;
/// let mut conn = engine.connect()?;
/// let sql = "SELECT 'ed' AS user_name, NULL AS email, 1 AS id";
/// let user: User = conn.execute(text(sql), ())?.one_as()?;
/// assert_eq!(user, User { id: 1, name: "ed".into(), email: None });
/// let (id, name): (i64, String) = conn.query_row_as(text("SELECT 2, 'jack'"), ())?;
/// assert_eq!((id, name.as_str()), (2, "jack"));
/// # Ok::<(), sqlcore::Error>(())
/// ```
pub trait FromRow: Sized {
    /// Where the columns are in a result (e.g. `[usize; N]`), found once per result.
    type Columns: Send + Sync + Unpin;

    /// Locates the columns this type reads in a result with `keys`.
    fn columns(keys: &ResultKeys) -> Result<Self::Columns>;

    /// Reads one row, its columns at `columns`.
    fn from_row(row: &mut RowReader<'_>, columns: &Self::Columns) -> Result<Self>;
}

/// A row being read by [`FromRow::from_row`]: [`RowReader::get`] converts the value at a
/// position. Read each position once: a value of one of the first 64 columns is read once
/// (text, bytes, JSON and arrays moved out, not copied), and reading it again is an
/// [`Error::InvalidRequest`].
pub struct RowReader<'r> {
    keys: &'r ResultKeys,
    cells: Cells<'r>,
    /// The positions (below 64) whose owned value was moved out.
    moved: u64,
}

/// Where a [`RowReader`]'s values are.
enum Cells<'r> {
    /// Owned values, moved out as they are read.
    Owned(&'r mut [Value]),
    /// Borrowed values.
    Borrowed(&'r [ValueRef<'r>]),
    /// A PostgreSQL row as it arrived, each column decoded as it is read: by its reader when
    /// the result chose them (see `ColumnReader`), by its type otherwise.
    #[cfg(feature = "postgres")]
    Postgres(&'r tokio_postgres::Row, &'r [crate::driver::ColumnReader]),
    /// A [`Row`].
    Row(&'r Row),
}

impl std::fmt::Debug for RowReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowReader")
            .field("keys", &self.keys.names())
            .finish_non_exhaustive()
    }
}

impl<'r> RowReader<'r> {
    pub(crate) fn borrowed(keys: &'r ResultKeys, values: &'r [ValueRef<'r>]) -> Self {
        RowReader {
            keys,
            cells: Cells::Borrowed(values),
            moved: 0,
        }
    }

    pub(crate) fn row(keys: &'r ResultKeys, row: &'r Row) -> Self {
        RowReader {
            keys,
            cells: Cells::Row(row),
            moved: 0,
        }
    }

    /// The value at position `i` (found by [`FromRow::columns`]), converted to `T`; a value of
    /// another type is an [`Error::Conversion`] naming the column.
    #[inline]
    pub fn get<T: FromValue>(&mut self, i: usize) -> Result<T> {
        let converted = match &mut self.cells {
            Cells::Owned(values) => match values.get_mut(i) {
                // Among the first 64 columns, a value is read once: moved out when it holds
                // memory on the heap, read where it is otherwise (nothing to move or drop).
                Some(value) if i < 64 => {
                    let bit = 1u64 << i;
                    if self.moved & bit != 0 {
                        return Err(self.read_twice(i));
                    }
                    self.moved |= bit;
                    if is_plain(value) {
                        Some(T::from_value_ref(&ValueRef::from(&*value)))
                    } else {
                        Some(T::from_value(std::mem::take(value)))
                    }
                }
                Some(value) => Some(T::from_value_ref(&ValueRef::from(&*value))),
                None => None,
            },
            Cells::Borrowed(values) => values.get(i).map(T::from_value_ref),
            #[cfg(feature = "postgres")]
            // The readers, when the result chose them, are one per column.
            Cells::Postgres(row, readers) => match readers.get(i) {
                Some(reader) => Some(crate::driver::pg_cell_read_by(row, i, *reader)),
                None => (i < row.len()).then(|| crate::driver::pg_cell(row, i)),
            }
            .map(|value| {
                let read = T::from_value_ref(&value);
                release(value);
                read
            }),
            Cells::Row(row) => row.value_ref(i).map(|value| T::from_value_ref(&value)),
        };
        match converted {
            Some(Ok(value)) => Ok(value),
            Some(Err(e)) => Err(self.conversion_error(i, e)),
            None => Err(no_such_column(i)),
        }
    }

    #[cold]
    fn read_twice(&self, i: usize) -> Error {
        Error::InvalidRequest(format!(
            "column {:?} read twice from one row",
            self.column_name(i)
        ))
    }

    #[cold]
    fn conversion_error(&self, i: usize, e: sqlcore_compiler::ValueConversionError) -> Error {
        Error::conversion(self.column_name(i), e)
    }

    fn column_name(&self, i: usize) -> &str {
        self.keys.names().get(i).map_or("", |name| name)
    }
}

#[cold]
fn no_such_column(i: usize) -> Error {
    Error::NoSuchColumn(i.to_string())
}

impl ResultKeys {
    /// The positions of the columns `names` (used by `#[derive(FromRow)]`): a name the result
    /// lacks is an [`Error::MissingColumn`] for `target`, a name it has twice an
    /// [`Error::InvalidRequest`].
    pub fn positions<const N: usize>(
        &self,
        names: [&str; N],
        target: &'static str,
    ) -> Result<[usize; N]> {
        let mut positions = [0; N];
        for (slot, name) in positions.iter_mut().zip(names) {
            *slot = self.position(name).map_err(|e| match e {
                Error::NoSuchColumn(_) => Error::MissingColumn {
                    column: name.to_owned(),
                    target,
                },
                e => e,
            })?;
        }
        Ok(positions)
    }

    /// The positions `0..N`, when the result has exactly `N` columns (an
    /// [`Error::ColumnCount`] for `target` otherwise): for types read by position.
    pub fn all_positions<const N: usize>(&self, target: &'static str) -> Result<[usize; N]> {
        let found = self.names().len();
        if found != N {
            return Err(Error::ColumnCount {
                expected: N,
                found,
                target,
            });
        }
        Ok(std::array::from_fn(|i| i))
    }
}

/// Reads a driver's row into `T`: its values moved out when the driver decoded them, its
/// columns of user types read through them first.
#[inline]
pub(crate) fn read_driver_row<T: FromRow>(
    keys: &ResultKeys,
    columns: &T::Columns,
    row: NextRow<'_>,
) -> Result<T> {
    match row {
        NextRow::InPlace(values) => read_owned(keys, columns, values),
        NextRow::Row(DriverRow::Values(mut values)) => read_owned(keys, columns, &mut values),
        #[cfg(feature = "postgres")]
        NextRow::Row(row) if keys.converts() => read_owned(keys, columns, &mut row.into_values()),
        #[cfg(feature = "postgres")]
        NextRow::Postgres(row, _) if keys.converts() => {
            read_owned(keys, columns, &mut DriverRow::Postgres(row).into_values())
        }
        #[cfg(feature = "postgres")]
        NextRow::Postgres(row, readers) => T::from_row(
            &mut RowReader {
                keys,
                cells: Cells::Postgres(&row, readers),
                moved: 0,
            },
            columns,
        ),
        #[cfg(feature = "postgres")]
        NextRow::Row(DriverRow::Postgres(row)) => T::from_row(
            &mut RowReader {
                keys,
                cells: Cells::Postgres(&row, &[]),
                moved: 0,
            },
            columns,
        ),
    }
}

/// Reads a row a driver hands to `query_each` into `T`, where the driver holds it; a row
/// with columns of user types is copied first and read through them.
#[inline]
fn read_each<T: FromRow>(
    keys: &ResultKeys,
    columns: &T::Columns,
    row: EachRow<'_, '_>,
) -> Result<T> {
    let EachRow::Row(values) = row else {
        return Err(Error::InvalidRequest(
            "column names where a row was due".into(),
        ));
    };
    if keys.converts() {
        let mut owned: Vec<Value> = values.iter().map(ValueRef::to_value).collect();
        return read_owned(keys, columns, &mut owned);
    }
    T::from_row(&mut RowReader::borrowed(keys, values), columns)
}

/// Reads owned `values` into `T`, those of user types read through them first.
#[inline]
fn read_owned<T: FromRow>(
    keys: &ResultKeys,
    columns: &T::Columns,
    values: &mut [Value],
) -> Result<T> {
    if keys.converts() {
        keys.convert(values)?;
    }
    T::from_row(
        &mut RowReader {
            keys,
            cells: Cells::Owned(values),
            moved: 0,
        },
        columns,
    )
}

macro_rules! tuple_from_row {
    ($n:literal: $($t:ident $i:tt),+) => {
        impl<$($t: FromValue),+> FromRow for ($($t,)+) {
            type Columns = ();

            fn columns(keys: &ResultKeys) -> Result<()> {
                keys.all_positions::<$n>(std::any::type_name::<Self>()).map(drop)
            }

            #[inline]
            fn from_row(row: &mut RowReader<'_>, _: &()) -> Result<Self> {
                Ok(($(row.get::<$t>($i)?,)+))
            }
        }
    };
}

tuple_from_row!(1: A 0);
tuple_from_row!(2: A 0, B 1);
tuple_from_row!(3: A 0, B 1, C 2);
tuple_from_row!(4: A 0, B 1, C 2, D 3);
tuple_from_row!(5: A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(6: A 0, B 1, C 2, D 3, E 4, F 5);
tuple_from_row!(7: A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_from_row!(8: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_from_row!(9: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_from_row!(10: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_from_row!(11: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_from_row!(12: A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);

/// Drops `value`, skipping the call of its drop where it only borrows (nothing to free).
#[cfg(feature = "postgres")]
#[inline(always)]
fn release(value: ValueRef<'_>) {
    match value {
        ValueRef::Value(std::borrow::Cow::Owned(owned)) if !is_plain(&owned) => drop(owned),
        borrowed => std::mem::forget(borrowed),
    }
}
