//! [`Row`]: one result row, sharing its column keys with every other row of the result.

use crate::driver::DriverRow;
use crate::error::{Error, Result};
use indexmap::IndexMap;
use sqlcore_compiler::{Compiled, CustomType, FromValue, Value, ValueRef};
use std::collections::HashMap;
use std::sync::Arc;
#[cfg(feature = "postgres")]
use std::sync::OnceLock;

/// The column names of a result, shared (`Arc`) by all of its rows.
#[derive(Debug, Default)]
pub struct ResultKeys {
    names: Vec<Arc<str>>,
    /// How a name is found: every read of a column by name looks its name up.
    index: NameIndex,
    /// The columns of user types, by position, read through them (empty for most results).
    user_types: Vec<(usize, CustomType)>,
}

impl ResultKeys {
    /// Keys for `names`.
    pub fn new(names: Vec<Arc<str>>) -> Self {
        let index = NameIndex::new(&names);
        ResultKeys {
            names,
            index,
            user_types: Vec::new(),
        }
    }

    /// Keys for `names`, the result of `compiled`: when the result has the columns the
    /// statement was compiled to return, those of user types are read through them.
    pub(crate) fn of_compiled(names: Vec<Arc<str>>, compiled: &Compiled) -> Self {
        let mut keys = Self::new(names);
        if keys.names.len() == compiled.columns.len() {
            keys.user_types = compiled.user_type_columns().to_vec();
        }
        keys
    }

    /// Whether some column is read through a user type.
    #[inline]
    pub(crate) fn converts(&self) -> bool {
        !self.user_types.is_empty()
    }

    /// The row's values of user types, read through them.
    pub(crate) fn convert(&self, values: &mut [Value]) -> Result<()> {
        for (i, ty) in &self.user_types {
            if let Some(value) = values.get_mut(*i) {
                let name = self.names.get(*i).map_or("", |n| n);
                *value = ty.result_value(std::mem::take(value), name)?;
            }
        }
        Ok(())
    }

    /// The names, in column order.
    pub fn names(&self) -> &[Arc<str>] {
        &self.names
    }

    #[inline(always)]
    pub(crate) fn position(&self, name: &str) -> Result<usize> {
        match self.index.get(&self.names, name) {
            Some(Some(i)) => Ok(i),
            found => Err(name_error(name, found.is_some())),
        }
    }
}

/// Whether two column names are equal, compared in place: names are short, and a call of
/// `memcmp` costs more than comparing their bytes.
#[inline(always)]
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// The error for a `name` a result lacks, or has more than once (`ambiguous`).
#[cold]
fn name_error(name: &str, ambiguous: bool) -> Error {
    if ambiguous {
        Error::InvalidRequest(format!(
            "ambiguous column name {name:?} in the result; label the columns apart"
        ))
    } else {
        Error::NoSuchColumn(name.to_owned())
    }
}

/// A result's column names, for finding one by name.
#[derive(Debug, Default)]
enum NameIndex {
    /// A few names, all different: the names themselves are searched in order (cheaper than
    /// hashing the name looked up, for the usual handful of columns).
    #[default]
    Distinct,
    /// Name to position, hashed with foldhash; `None` for a name that appears more than once.
    Hashed(HashMap<Arc<str>, Option<usize>, foldhash::fast::RandomState>),
}

impl NameIndex {
    /// The most names searched in order rather than hashed.
    const SEARCHED: usize = 8;

    fn new(names: &[Arc<str>]) -> Self {
        let distinct = || {
            names
                .iter()
                .enumerate()
                .all(|(i, name)| !names[..i].contains(name))
        };
        if names.len() <= Self::SEARCHED && distinct() {
            return NameIndex::Distinct;
        }
        let mut index = HashMap::with_capacity_and_hasher(names.len(), Default::default());
        for (i, name) in names.iter().enumerate() {
            index
                .entry(name.clone())
                .and_modify(|slot| *slot = None)
                .or_insert(Some(i));
        }
        NameIndex::Hashed(index)
    }

    /// The position of `name` among `names` (those the index was made for): `Some(None)`
    /// when it appears more than once.
    #[inline(always)]
    fn get(&self, names: &[Arc<str>], name: &str) -> Option<Option<usize>> {
        match self {
            NameIndex::Distinct => names.iter().position(|n| same_name(n, name)).map(Some),
            NameIndex::Hashed(index) => index.get(name).copied(),
        }
    }
}

/// A column position or name, for [`Row::get`].
pub trait RowIndex {
    /// The position of the column in `keys`.
    fn position(&self, keys: &ResultKeys) -> Result<usize>;
    /// How the column is named in errors.
    fn describe(&self) -> String;
}

impl RowIndex for usize {
    #[inline]
    fn position(&self, keys: &ResultKeys) -> Result<usize> {
        if *self < keys.names.len() {
            Ok(*self)
        } else {
            Err(Error::NoSuchColumn(self.to_string()))
        }
    }
    fn describe(&self) -> String {
        self.to_string()
    }
}

impl RowIndex for &str {
    #[inline(always)]
    fn position(&self, keys: &ResultKeys) -> Result<usize> {
        keys.position(self)
    }
    fn describe(&self) -> String {
        (*self).to_owned()
    }
}

/// The value of the column at `index` (`None`: there is none), converted to `T`.
#[inline]
fn converted<T: FromValue>(value: Option<&ValueRef<'_>>, index: &impl RowIndex) -> Result<T> {
    let value = value.ok_or_else(|| Error::NoSuchColumn(index.describe()))?;
    T::from_value_ref(value).map_err(|e| Error::conversion(index.describe(), e))
}

/// One row of a result.
///
/// ```
/// use sqlcore::{create_engine, text};
/// let engine = create_engine("sqlite://")?;
/// let mut conn = engine.connect()?;
/// let row = conn.execute(text("SELECT 1 AS id, 'ed' AS name"), ())?.one()?;
/// assert_eq!(row.get::<i64>("id")?, 1);
/// assert_eq!(row.get::<String>(1)?, "ed");
/// assert_eq!(row["name"], sqlcore::Value::from("ed"));
/// assert!(row.get::<i64>("name").is_err());
/// # Ok::<(), sqlcore::Error>(())
/// ```
#[derive(Clone)]
pub struct Row {
    keys: Arc<ResultKeys>,
    cells: Cells,
}

/// A row's values.
#[derive(Clone)]
enum Cells {
    /// Decoded by the driver.
    Decoded(Box<[Value]>),
    /// The driver's row, each column decoded as it is read; all of them, kept, once they are
    /// asked for by reference.
    #[cfg(feature = "postgres")]
    Undecoded(DriverRow, OnceLock<Box<[Value]>>),
}

impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Row")
            .field("keys", &self.keys.names)
            .field("values", &self.values())
            .finish()
    }
}

impl PartialEq for Row {
    fn eq(&self, other: &Self) -> bool {
        self.values() == other.values() && self.keys.names == other.keys.names
    }
}

impl Row {
    pub(crate) fn new(keys: Arc<ResultKeys>, values: Vec<Value>) -> Self {
        Row {
            keys,
            cells: Cells::Decoded(values.into_boxed_slice()),
        }
    }

    /// A row of the driver's, its columns of user types read through them (all its values
    /// decoded then); otherwise as [`Row::from_driver`].
    #[inline]
    pub(crate) fn read(keys: Arc<ResultKeys>, row: DriverRow) -> Result<Self> {
        if !keys.converts() {
            return Ok(Self::from_driver(keys, row));
        }
        let mut values = row.into_values();
        keys.convert(&mut values)?;
        Ok(Row::new(keys, values))
    }

    /// A row of the driver's: its values as they are, or decoded column by column as they
    /// are read (all at once when asked for by reference).
    pub(crate) fn from_driver(keys: Arc<ResultKeys>, row: DriverRow) -> Self {
        match row {
            DriverRow::Values(values) => Row::new(keys, values),
            #[cfg(feature = "postgres")]
            undecoded => Row {
                keys,
                cells: Cells::Undecoded(undecoded, OnceLock::new()),
            },
        }
    }

    /// The value at `index` (a position or a column name), converted to `T`. A wrong type is
    /// an [`Error::Conversion`] naming the column and both types.
    pub fn get<T: FromValue>(&self, index: impl RowIndex) -> Result<T> {
        let i = index.position(&self.keys)?;
        converted(self.value_ref(i).as_ref(), &index)
    }

    /// The value at position `i`, borrowed (decoded now if the driver's row is kept as is).
    #[inline]
    pub(crate) fn value_ref(&self, i: usize) -> Option<ValueRef<'_>> {
        match &self.cells {
            #[cfg(feature = "postgres")]
            Cells::Undecoded(row, decoded) if decoded.get().is_none() => row.value_ref(i),
            _ => self.values().get(i).map(ValueRef::from),
        }
    }

    /// The column keys, shared with the other rows of the result.
    pub(crate) fn result_keys(&self) -> &Arc<ResultKeys> {
        &self.keys
    }

    /// The raw value at `index`.
    pub fn value(&self, index: impl RowIndex) -> Result<&Value> {
        Ok(&self.values()[index.position(&self.keys)?])
    }

    /// The values, in column order.
    pub fn values(&self) -> &[Value] {
        match &self.cells {
            Cells::Decoded(values) => values,
            #[cfg(feature = "postgres")]
            Cells::Undecoded(row, decoded) => {
                decoded.get_or_init(|| row.to_values().into_boxed_slice())
            }
        }
    }

    /// The column names.
    pub fn keys(&self) -> &[Arc<str>] {
        &self.keys.names
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.keys.names.len()
    }

    /// Whether the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.keys.names.is_empty()
    }

    /// A name-keyed view (SQLAlchemy's `row._mapping`).
    pub fn mapping(&self) -> RowMapping<'_> {
        RowMapping { row: self }
    }

    /// The row as an ordered map of column name to value.
    pub fn into_map(self) -> IndexMap<Arc<str>, Value> {
        let values = match self.cells {
            Cells::Decoded(values) => values.into_vec(),
            #[cfg(feature = "postgres")]
            Cells::Undecoded(row, decoded) => match decoded.into_inner() {
                Some(values) => values.into_vec(),
                None => row.into_values(),
            },
        };
        self.keys.names.iter().cloned().zip(values).collect()
    }
}

impl std::ops::Index<usize> for Row {
    type Output = Value;
    /// The value at position `i`; panics when out of range (use [`Row::value`] to get an error).
    fn index(&self, i: usize) -> &Value {
        &self.values()[i]
    }
}

impl std::ops::Index<&str> for Row {
    type Output = Value;
    /// The value of column `name`; panics when there is no such column (use [`Row::value`] to
    /// get an error).
    fn index(&self, name: &str) -> &Value {
        match self.keys.position(name) {
            Ok(i) => &self.values()[i],
            Err(e) => panic!("{e}"),
        }
    }
}

/// A row read where the driver holds it, inside [`Connection::query_row`]: each column is
/// converted when it is read, and nothing is copied into a [`Row`].
///
/// ```
/// use sqlcore::{create_engine, text};
/// let engine = create_engine("sqlite://")?;
/// let mut conn = engine.connect()?;
/// let (id, name): (i64, String) =
///     conn.query_row(text("SELECT 1 AS id, 'ed' AS name"), (), |row| {
///         Ok((row.get("id")?, row.get(1)?))
///     })?;
/// assert_eq!((id, name.as_str()), (1, "ed"));
/// # Ok::<(), sqlcore::Error>(())
/// ```
///
/// [`Connection::query_row`]: crate::Connection::query_row
pub struct RowRef<'a> {
    keys: &'a Arc<ResultKeys>,
    values: &'a [ValueRef<'a>],
}

impl std::fmt::Debug for RowRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowRef")
            .field("keys", &self.keys.names)
            .finish_non_exhaustive()
    }
}

impl<'a> RowRef<'a> {
    pub(crate) fn new(keys: &'a Arc<ResultKeys>, values: &'a [ValueRef<'a>]) -> Self {
        RowRef { keys, values }
    }

    /// The value at `index` (a position or a column name), converted to `T`. A wrong type is
    /// an [`Error::Conversion`] naming the column and both types.
    #[inline]
    pub fn get<T: FromValue>(&self, index: impl RowIndex) -> Result<T> {
        let i = index.position(self.keys)?;
        converted(self.values.get(i), &index)
    }

    /// The column names.
    pub fn keys(&self) -> &'a [Arc<str>] {
        &self.keys.names
    }

    /// The column keys.
    pub(crate) fn result_keys(&self) -> &'a Arc<ResultKeys> {
        self.keys
    }

    /// The values, borrowed.
    pub(crate) fn value_refs(&self) -> &'a [ValueRef<'a>] {
        self.values
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.keys.names.len()
    }

    /// Whether the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.keys.names.is_empty()
    }

    /// The row, copied into a [`Row`] of its own.
    pub fn to_row(&self) -> Row {
        let values = self.values.iter().map(ValueRef::to_value).collect();
        Row::new(self.keys.clone(), values)
    }
}

/// A name-keyed view of a [`Row`].
#[derive(Debug, Clone, Copy)]
pub struct RowMapping<'a> {
    row: &'a Row,
}

impl<'a> RowMapping<'a> {
    /// The value of column `name`.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.row
            .keys
            .position(name)
            .ok()
            .map(|i| &self.row.values()[i])
    }

    /// Whether the row has column `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        let keys = &self.row.keys;
        keys.index.get(&keys.names, name).is_some()
    }

    /// Column names and values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a Arc<str>, &'a Value)> {
        self.row.keys.names.iter().zip(self.row.values().iter())
    }

    /// The column names.
    pub fn keys(&self) -> &'a [Arc<str>] {
        &self.row.keys.names
    }
}

impl From<&Row> for IndexMap<Arc<str>, Value> {
    fn from(row: &Row) -> Self {
        row.clone().into_map()
    }
}
