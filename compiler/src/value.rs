//! [`Value`]: everything that can be bound as a parameter or returned in a row.

use crate::datetime_text;
use crate::value_ref::ValueRef;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use std::fmt;
use uuid::Uuid;

/// A SQL value crossing into or out of a driver.
///
/// Every Rust value written into a statement becomes a `Value` bound as a parameter; it is never
/// spliced into the SQL text. `Option<T>` converts to [`Value::Null`] when `None`.
///
/// ```
/// use sqlcore_compiler::Value;
/// assert_eq!(Value::from(5_i32), Value::I32(5));
/// assert_eq!(Value::from(None::<&str>), Value::Null);
/// let n: i64 = Value::I32(7).try_into().unwrap();
/// assert_eq!(n, 7);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// SQL NULL.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// A 16-bit integer (SMALLINT).
    I16(i16),
    /// A 32-bit integer (INTEGER).
    I32(i32),
    /// A 64-bit integer (BIGINT).
    I64(i64),
    /// A single-precision float (REAL).
    F32(f32),
    /// A double-precision float.
    F64(f64),
    /// An exact decimal (NUMERIC).
    Decimal(Decimal),
    /// Text.
    Text(String),
    /// Bytes (BYTEA, BLOB).
    Bytes(Vec<u8>),
    /// A calendar date.
    Date(NaiveDate),
    /// A time of day without zone.
    Time(NaiveTime),
    /// A timestamp without time zone.
    Timestamp(NaiveDateTime),
    /// A timestamp with time zone, normalised to UTC.
    TimestampTz(DateTime<Utc>),
    /// A time span.
    Interval(Interval),
    /// A UUID.
    Uuid(Uuid),
    /// A JSON document (boxed: it is large, and every other value stays small).
    Json(Box<serde_json::Value>),
    /// A list of values: the value of an `IN` list or a PostgreSQL array.
    Array(Vec<Value>),
}

impl Value {
    /// Whether this is SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The name of this value's kind, as used in conversion errors.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "bool",
            Value::I16(_) => "i16",
            Value::I32(_) => "i32",
            Value::I64(_) => "i64",
            Value::F32(_) => "f32",
            Value::F64(_) => "f64",
            Value::Decimal(_) => "decimal",
            Value::Text(_) => "text",
            Value::Bytes(_) => "bytes",
            Value::Date(_) => "date",
            Value::Time(_) => "time",
            Value::Timestamp(_) => "timestamp",
            Value::TimestampTz(_) => "timestamptz",
            Value::Interval(_) => "interval",
            Value::Uuid(_) => "uuid",
            Value::Json(_) => "json",
            Value::Array(_) => "array",
        }
    }
}

impl fmt::Display for Value {
    /// A human-readable rendering for logs and error messages; never used to build SQL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::I16(v) => write!(f, "{v}"),
            Value::I32(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::F32(v) => write!(f, "{v}"),
            Value::F64(v) => write!(f, "{v}"),
            Value::Decimal(v) => write!(f, "{v}"),
            Value::Text(v) => write!(f, "{v:?}"),
            Value::Bytes(v) => write!(f, "<{} bytes>", v.len()),
            Value::Date(v) => write!(f, "{v}"),
            Value::Time(v) => write!(f, "{v}"),
            Value::Timestamp(v) => write!(f, "{v}"),
            Value::TimestampTz(v) => write!(f, "{v}"),
            Value::Interval(v) => write!(f, "{v}"),
            Value::Uuid(v) => write!(f, "{v}"),
            Value::Json(v) => write!(f, "{v}"),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// A time span as PostgreSQL stores it: months, days and microseconds kept apart, because a
/// month has no fixed number of days nor a day a fixed number of seconds.
///
/// ```
/// use sqlcore_compiler::Interval;
/// let i = Interval::new(14, 3, 4_500_000);
/// assert_eq!(i.to_string(), "P14M3DT4.5S");
/// assert_eq!("P14M3DT4.5S".parse::<Interval>(), Ok(i));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Interval {
    /// Whole months.
    pub months: i32,
    /// Whole days.
    pub days: i32,
    /// Microseconds.
    pub microseconds: i64,
}

impl Interval {
    /// An interval of `months`, `days` and `microseconds`.
    pub fn new(months: i32, days: i32, microseconds: i64) -> Self {
        Interval {
            months,
            days,
            microseconds,
        }
    }
}

impl From<chrono::TimeDelta> for Interval {
    /// A fixed span: days and microseconds, no months.
    fn from(d: chrono::TimeDelta) -> Self {
        let days = d.num_days();
        let rest = d - chrono::TimeDelta::days(days);
        Interval {
            months: 0,
            days: i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX }),
            microseconds: rest.num_microseconds().unwrap_or(0),
        }
    }
}

impl fmt::Display for Interval {
    /// ISO 8601 duration: `P{months}M{days}DT{seconds}S`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.microseconds as f64 / 1_000_000.0;
        write!(f, "P{}M{}DT{}S", self.months, self.days, secs)
    }
}

impl std::str::FromStr for Interval {
    type Err = ValueConversionError;
    /// Parses the `Display` form.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ValueConversionError {
            from: "text",
            to: "Interval",
        };
        let rest = s.strip_prefix('P').ok_or_else(bad)?;
        let (months, rest) = rest.split_once('M').ok_or_else(bad)?;
        let (days, rest) = rest.split_once("DT").ok_or_else(bad)?;
        let secs = rest.strip_suffix('S').ok_or_else(bad)?;
        let secs: f64 = secs.parse().map_err(|_| bad())?;
        Ok(Interval {
            months: months.parse().map_err(|_| bad())?,
            days: days.parse().map_err(|_| bad())?,
            microseconds: (secs * 1_000_000.0).round() as i64,
        })
    }
}

/// A [`Value`] could not be converted into the requested Rust type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot convert a {from} value into {to}")]
pub struct ValueConversionError {
    /// The kind of value that was found.
    pub from: &'static str,
    /// The Rust type that was asked for.
    pub to: &'static str,
}

macro_rules! value_from {
    ($($t:ty => $variant:ident),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(v.into())
            }
        }
    )*};
}

value_from! {
    bool => Bool, i16 => I16, i32 => I32, i64 => I64, f32 => F32, f64 => F64,
    u16 => I32, u32 => I64,
    Decimal => Decimal, String => Text, &str => Text, Vec<u8> => Bytes, &[u8] => Bytes,
    NaiveDate => Date, NaiveTime => Time, NaiveDateTime => Timestamp,
    DateTime<Utc> => TimestampTz, Uuid => Uuid, serde_json::Value => Json, Interval => Interval,
}

/// A list of values is an [`Value::Array`] (an `IN` list's expanding parameter, a PostgreSQL
/// array): `params! {"ids" => vec![1, 2]}` binds the integers 1 and 2. `Vec<u8>` is the one
/// exception — it is bytes ([`Value::Bytes`]), as in every driver.
///
/// ```
/// use sqlcore_compiler::Value;
/// assert_eq!(Value::from(vec![1, 2]), Value::Array(vec![Value::I32(1), Value::I32(2)]));
/// assert_eq!(Value::from(vec!["a"]), Value::Array(vec![Value::Text("a".into())]));
/// assert_eq!(Value::from(vec![Some(1_i64), None]), Value::Array(vec![Value::I64(1), Value::Null]));
/// assert_eq!(Value::from(vec![1_u8]), Value::Bytes(vec![1]));
/// ```
macro_rules! array_from {
    ($($t:ty),* $(,)?) => {$(
        impl From<Vec<$t>> for Value {
            fn from(items: Vec<$t>) -> Self {
                Value::Array(items.into_iter().map(Value::from).collect())
            }
        }
        impl From<Vec<Option<$t>>> for Value {
            fn from(items: Vec<Option<$t>>) -> Self {
                Value::Array(items.into_iter().map(Value::from).collect())
            }
        }
        impl From<&[$t]> for Value {
            fn from(items: &[$t]) -> Self {
                Value::Array(items.iter().cloned().map(Value::from).collect())
            }
        }
    )*};
}

array_from! {
    bool, i16, i32, i64, f32, f64, u16, u32, Decimal, String, &str, NaiveDate, NaiveTime,
    NaiveDateTime, DateTime<Utc>, Uuid, serde_json::Value, Interval,
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl From<DateTime<FixedOffset>> for Value {
    fn from(v: DateTime<FixedOffset>) -> Self {
        Value::TimestampTz(v.with_timezone(&Utc))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

#[cold]
fn mismatch<T>(v: &Value) -> ValueConversionError {
    ValueConversionError {
        from: v.kind_name(),
        to: std::any::type_name::<T>(),
    }
}

/// An integer of type `T` from any integer (or boolean) value that fits it.
fn int_from<T: TryFrom<i128>>(v: &Value) -> Result<T, ValueConversionError> {
    let wide: i128 = match v {
        Value::I16(n) => (*n).into(),
        Value::I32(n) => (*n).into(),
        Value::I64(n) => (*n).into(),
        Value::Bool(b) => (*b).into(),
        _ => return Err(mismatch::<T>(v)),
    };
    T::try_from(wide).map_err(|_| mismatch::<T>(v))
}

macro_rules! int_try_from {
    ($($t:ty),*) => {$(
        impl TryFrom<Value> for $t {
            type Error = ValueConversionError;
            fn try_from(v: Value) -> Result<Self, Self::Error> {
                int_from(&v)
            }
        }

        impl FromValue for $t {
            #[inline]
            fn from_value(value: Value) -> Result<Self, ValueConversionError> {
                match value {
                    Value::I64(n) => <$t>::try_from(n).map_err(|_| mismatch::<$t>(&value)),
                    _ => int_from(&value),
                }
            }

            /// Read in place: no `Value` is built for a borrowed or decoded integer.
            #[inline]
            fn from_value_ref(value: &ValueRef<'_>) -> Result<Self, ValueConversionError> {
                match value {
                    ValueRef::I64(n) => {
                        <$t>::try_from(*n).map_err(|_| mismatch::<$t>(&Value::I64(*n)))
                    }
                    ValueRef::Value(v) => int_from(v),
                    other => via_value(other),
                }
            }
        }
    )*};
}
int_try_from!(i16, i32, i64, u32);

impl TryFrom<Value> for bool {
    type Error = ValueConversionError;
    #[inline]
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        match v {
            Value::Bool(b) => Ok(b),
            // SQLite and MySQL store booleans as integers.
            Value::I16(n) => Ok(n != 0),
            Value::I32(n) => Ok(n != 0),
            Value::I64(n) => Ok(n != 0),
            other => Err(mismatch::<bool>(&other)),
        }
    }
}

impl TryFrom<Value> for f64 {
    type Error = ValueConversionError;
    #[inline]
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        match v {
            Value::F64(n) => Ok(n),
            Value::F32(n) => Ok(n.into()),
            Value::I16(n) => Ok(n.into()),
            Value::I32(n) => Ok(n.into()),
            other => Err(mismatch::<f64>(&other)),
        }
    }
}

/// An `f64` reads as `f32` only when no precision is lost (SQLite stores every REAL, even one
/// written from an `f32`, as an 8-byte float); any other `f64` is an error, never a rounded
/// number.
impl TryFrom<Value> for f32 {
    type Error = ValueConversionError;
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        match v {
            Value::F32(n) => Ok(n),
            Value::F64(n) if n.is_nan() => Ok(f32::NAN),
            Value::F64(n) if f64::from(n as f32) == n => Ok(n as f32),
            other => Err(mismatch::<f32>(&other)),
        }
    }
}

impl TryFrom<Value> for Decimal {
    type Error = ValueConversionError;
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        match v {
            Value::Decimal(d) => Ok(d),
            Value::I16(n) => Ok(n.into()),
            Value::I32(n) => Ok(n.into()),
            Value::I64(n) => Ok(n.into()),
            Value::Text(ref s) => s.parse().map_err(|_| mismatch::<Decimal>(&v)),
            other => Err(mismatch::<Decimal>(&other)),
        }
    }
}

impl TryFrom<Value> for String {
    type Error = ValueConversionError;
    #[inline]
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        match v {
            Value::Text(s) => Ok(s),
            other => Err(mismatch::<String>(&other)),
        }
    }
}

impl TryFrom<Value> for Vec<u8> {
    type Error = ValueConversionError;
    #[inline]
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        match v {
            Value::Bytes(b) => Ok(b),
            other => Err(mismatch::<Vec<u8>>(&other)),
        }
    }
}

impl TryFrom<Value> for NaiveDate {
    type Error = ValueConversionError;
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        match v {
            Value::Date(d) => Ok(d),
            Value::Text(ref s) => {
                datetime_text::parse_date(s).ok_or_else(|| mismatch::<NaiveDate>(&v))
            }
            other => Err(mismatch::<NaiveDate>(&other)),
        }
    }
}

impl TryFrom<Value> for NaiveTime {
    type Error = ValueConversionError;
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        match v {
            Value::Time(t) => Ok(t),
            Value::Text(ref s) => {
                datetime_text::parse_time(s).ok_or_else(|| mismatch::<NaiveTime>(&v))
            }
            other => Err(mismatch::<NaiveTime>(&other)),
        }
    }
}

impl TryFrom<Value> for NaiveDateTime {
    type Error = ValueConversionError;
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        match v {
            Value::Timestamp(t) => Ok(t),
            Value::Text(ref s) => {
                datetime_text::parse_datetime(s).ok_or_else(|| mismatch::<NaiveDateTime>(&v))
            }
            other => Err(mismatch::<NaiveDateTime>(&other)),
        }
    }
}

impl TryFrom<Value> for DateTime<Utc> {
    type Error = ValueConversionError;
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        match v {
            Value::TimestampTz(t) => Ok(t),
            Value::Text(ref s) => datetime_text::parse_datetime(s)
                .map(|t| t.and_utc())
                .ok_or_else(|| mismatch::<DateTime<Utc>>(&v)),
            other => Err(mismatch::<DateTime<Utc>>(&other)),
        }
    }
}

impl TryFrom<Value> for Uuid {
    type Error = ValueConversionError;
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        match v {
            Value::Uuid(u) => Ok(u),
            Value::Text(ref s) => Uuid::parse_str(s).map_err(|_| mismatch::<Uuid>(&v)),
            Value::Bytes(ref b) => Uuid::from_slice(b).map_err(|_| mismatch::<Uuid>(&v)),
            other => Err(mismatch::<Uuid>(&other)),
        }
    }
}

impl TryFrom<Value> for Interval {
    type Error = ValueConversionError;
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        match v {
            Value::Interval(i) => Ok(i),
            Value::Text(ref s) => crate::datetime_text::parse_interval(s)
                .or_else(|| s.parse().ok())
                .ok_or_else(|| mismatch::<Interval>(&v)),
            other => Err(mismatch::<Interval>(&other)),
        }
    }
}

impl TryFrom<Value> for serde_json::Value {
    type Error = ValueConversionError;
    fn try_from(v: Value) -> Result<Self, Self::Error> {
        match v {
            Value::Json(j) => Ok(*j),
            Value::Text(ref s) => serde_json::from_str(s).map_err(|_| mismatch::<Self>(&v)),
            other => Err(mismatch::<serde_json::Value>(&other)),
        }
    }
}

/// Conversion of a [`Value`] into a Rust type, including `Option<T>` for nullable values.
///
/// Implemented for every type that has a `TryFrom<Value>` conversion; rows use it for typed access.
/// Text converts to dates, times and intervals as [`datetime_text`](crate::datetime_text)
/// reads it (SQLite's storage format and other ISO 8601 forms; text without an offset is UTC
/// for a `DateTime<Utc>`; an interval from SQLAlchemy's text or an ISO 8601 duration).
///
/// ```
/// use sqlcore_compiler::{FromValue, Value};
/// assert_eq!(Option::<i32>::from_value(Value::Null), Ok(None));
/// assert_eq!(i32::from_value(Value::I32(4)), Ok(4));
/// ```
pub trait FromValue: Sized {
    /// Converts `value`, or says which kinds did not match.
    fn from_value(value: Value) -> Result<Self, ValueConversionError>;

    /// Converts a value read where the driver holds it; the same as `from_value` on
    /// [`ValueRef::to_value`] (the default), without building the `Value` where the type can
    /// read the borrowed form itself.
    fn from_value_ref(value: &ValueRef<'_>) -> Result<Self, ValueConversionError> {
        Self::from_value(value.to_value())
    }
}

/// A value read from a borrowed kind other than its usual one, through an owned [`Value`] (kept
/// out of line, so that the usual kind's read stays small enough to inline).
#[inline(never)]
fn via_value<T: TryFrom<Value, Error = ValueConversionError>>(
    value: &ValueRef<'_>,
) -> Result<T, ValueConversionError> {
    T::try_from(value.to_value())
}

macro_rules! from_value_via_try_from {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self, ValueConversionError> {
                <$t>::try_from(value)
            }
        }
    )*};
    // Types read straight from the borrowed kind they are usually stored as.
    ($($t:ty: $kind:ident($v:ident) => $read:expr),* $(,)?) => {$(
        impl FromValue for $t {
            #[inline]
            fn from_value(value: Value) -> Result<Self, ValueConversionError> {
                <$t>::try_from(value)
            }

            // Inlined, so that a reader that made the borrowed kind reads it without a call.
            #[inline]
            fn from_value_ref(value: &ValueRef<'_>) -> Result<Self, ValueConversionError> {
                match value {
                    ValueRef::$kind($v) => Ok($read),
                    other => via_value(other),
                }
            }
        }
    )*};
}
from_value_via_try_from!(
    f64: F64(f) => *f,
    String: Text(s) => (*s).to_owned(),
    Vec<u8>: Bytes(b) => b.to_vec(),
);
from_value_via_try_from!(
    bool,
    f32,
    Decimal,
    NaiveDate,
    NaiveTime,
    NaiveDateTime,
    DateTime<Utc>,
    Uuid,
    serde_json::Value,
    Interval
);

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self, ValueConversionError> {
        Ok(value)
    }
}

/// Arrays ([`Value::Array`]) read into a `Vec` of their element type, and of `Option`s of it
/// where an element may be NULL (into a `Vec` of the type itself, a NULL element is a
/// conversion error). `Vec<u8>` is bytes, not an array.
macro_rules! vec_from_array {
    ($($t:ty),* $(,)?) => {$(
        impl FromValue for Vec<$t> {
            fn from_value(value: Value) -> Result<Self, ValueConversionError> {
                from_array(value)
            }
        }
        impl FromValue for Vec<Option<$t>> {
            fn from_value(value: Value) -> Result<Self, ValueConversionError> {
                from_array(value)
            }
        }
    )*};
}

vec_from_array! {
    bool, i16, i32, i64, f32, f64, Decimal, String, NaiveDate, NaiveTime, NaiveDateTime,
    DateTime<Utc>, Uuid, serde_json::Value, Interval,
}

/// A Rust enum whose values are a database enum type's labels (declared with sqlcore's
/// `sql_enum!`, which implements this): its `Vec`s are arrays of labels, both ways, as the
/// `Vec`s of the types above are arrays of theirs.
pub trait LabelEnum: FromValue + Into<Value> {}

impl<E: LabelEnum> From<Vec<E>> for Value {
    fn from(items: Vec<E>) -> Self {
        Value::Array(items.into_iter().map(Into::into).collect())
    }
}

impl<E: LabelEnum> From<Vec<Option<E>>> for Value {
    fn from(items: Vec<Option<E>>) -> Self {
        Value::Array(items.into_iter().map(Value::from).collect())
    }
}

impl<E: LabelEnum> FromValue for Vec<E> {
    fn from_value(value: Value) -> Result<Self, ValueConversionError> {
        from_array(value)
    }
}

impl<E: LabelEnum> FromValue for Vec<Option<E>> {
    fn from_value(value: Value) -> Result<Self, ValueConversionError> {
        from_array(value)
    }
}

/// The elements of an array value, each read as `T`.
fn from_array<T: FromValue>(value: Value) -> Result<Vec<T>, ValueConversionError> {
    match value {
        Value::Array(items) => items.into_iter().map(T::from_value).collect(),
        other => Err(mismatch::<Vec<T>>(&other)),
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self, ValueConversionError> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }

    fn from_value_ref(value: &ValueRef<'_>) -> Result<Self, ValueConversionError> {
        match value {
            ValueRef::Null => Ok(None),
            other => T::from_value_ref(other).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip() {
        assert_eq!(Value::from(Some(3_i64)), Value::I64(3));
        assert_eq!(Option::<i64>::from_value(Value::Null), Ok(None));
        let array = Value::from(vec![Some(1_i64), None]);
        assert_eq!(
            Vec::<Option<i64>>::from_value(array.clone()),
            Ok(vec![Some(1), None])
        );
        assert_eq!(Vec::<i64>::from_value(array).unwrap_err().from, "NULL");
        assert_eq!(
            Vec::<String>::from_value(Value::from(vec!["a", "b"])),
            Ok(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(
            Vec::<i32>::from_value(Value::from("x")).unwrap_err().from,
            "text"
        );
        assert_eq!(i16::try_from(Value::I64(70_000)).unwrap_err().from, "i64");
        assert_eq!(String::try_from(Value::from("x")), Ok("x".to_owned()));
        assert_eq!(f32::try_from(Value::F64(0.25)), Ok(0.25_f32));
        assert_eq!(f32::try_from(Value::F64(f64::from(0.1_f32))), Ok(0.1_f32));
        assert_eq!(f32::try_from(Value::F64(0.1)).unwrap_err().from, "f64");
        assert!(f32::try_from(Value::F64(f64::NAN)).unwrap().is_nan());
        assert!(String::try_from(Value::I32(1)).is_err());
        let u = Uuid::nil();
        assert_eq!(Uuid::try_from(Value::Text(u.to_string())), Ok(u));
        let stored = || Value::from("2024-03-01 12:30:15.000000");
        let t = NaiveDate::from_ymd_opt(2024, 3, 1)
            .unwrap()
            .and_hms_opt(12, 30, 15)
            .unwrap();
        assert_eq!(NaiveDateTime::try_from(stored()), Ok(t));
        assert_eq!(DateTime::<Utc>::try_from(stored()), Ok(t.and_utc()));
        assert_eq!(
            NaiveTime::try_from(Value::from("12:30:15.000000")),
            Ok(t.time())
        );
    }

    /// Reading a borrowed value gives exactly what reading the owned one does, for every
    /// kind of value and every target type: the fast paths change nothing.
    #[test]
    fn borrowed_values_convert_as_owned_ones() {
        fn same<T: FromValue + PartialEq + fmt::Debug>(v: &ValueRef<'_>) {
            assert_eq!(T::from_value_ref(v), T::from_value(v.to_value()), "{v:?}");
            assert_eq!(
                Option::<T>::from_value_ref(v),
                Option::<T>::from_value(v.to_value()),
                "{v:?}"
            );
        }
        let nil = Uuid::nil();
        let uuid = nil.to_string();
        let texts = ["12", "1.5", "2024-02-29", "x", &uuid, "true"];
        let mut values: Vec<ValueRef<'_>> = vec![
            ValueRef::Null,
            ValueRef::I64(0),
            ValueRef::I64(70_000),
            ValueRef::I64(i64::MAX),
            ValueRef::F64(1.5),
            ValueRef::Bytes(b"\x00\x01"),
            ValueRef::Bytes(nil.as_bytes()),
        ];
        values.extend(texts.iter().map(|t| ValueRef::Text(t)));
        let owned = [
            Value::Bool(true),
            Value::I32(7),
            Value::I16(-3),
            Value::F32(0.5),
            Value::Text("owned".into()),
            Value::Decimal(Decimal::new(125, 2)),
            Value::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()),
        ];
        values.extend(
            owned
                .iter()
                .map(|v| ValueRef::Value(std::borrow::Cow::Borrowed(v))),
        );
        values.extend(owned.iter().map(ValueRef::from));
        for v in &values {
            same::<bool>(v);
            same::<i16>(v);
            same::<i32>(v);
            same::<i64>(v);
            same::<u32>(v);
            same::<f32>(v);
            same::<f64>(v);
            same::<Decimal>(v);
            same::<String>(v);
            same::<Vec<u8>>(v);
            same::<NaiveDate>(v);
            same::<Uuid>(v);
            same::<Value>(v);
            assert_eq!(v.clone().into_owned(), v.to_value());
        }
    }
}
