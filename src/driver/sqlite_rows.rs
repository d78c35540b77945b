//! Rows read from SQLite: each value converted towards its column's declared type (SQLite
//! stores booleans as integers and dates, times, decimals, UUIDs and JSON as text, in
//! SQLAlchemy's storage formats), and a result's rows laid end to end in one buffer.

use super::sqlite::fail;
use crate::error::Result;
use rusqlite::Statement as RawStatement;
use rusqlite::types::ValueRef as Stored;
use rust_decimal::Decimal;
use sqlcore_compiler::{ResultColumn, SqlType, Value, ValueRef, datetime_text, serde_json};
use std::borrow::Cow;

/// Every row of `stmt` (bound, `column_count` columns), their values end to end in one
/// buffer: no allocation per row. `columns_hint` are the columns the compiler expects.
pub(super) fn read_rows(
    stmt: &mut RawStatement<'_>,
    column_count: usize,
    columns_hint: &[ResultColumn],
) -> Result<Vec<Value>> {
    let mut values = Vec::new();
    let mut raw_rows = stmt.raw_query();
    let conversions = conversions(columns_hint);
    while let Some(row) = raw_rows.next().map_err(fail)? {
        // Every index is below the statement's column count: no read fails.
        match conversions {
            None => {
                for i in 0..column_count {
                    values.push(owned_stored(row.get_ref_unwrap(i)));
                }
            }
            Some(hints) => {
                for i in 0..column_count {
                    let hint = hints.get(i).and_then(|c| c.sql_type.as_ref());
                    values.push(owned_from_sqlite(row.get_ref_unwrap(i), hint));
                }
            }
        }
    }
    Ok(values)
}

/// `columns_hint` when a value of one of its columns may need converting, `None` when every
/// value is read as SQLite stores it (decided once per statement, not per value).
#[inline]
pub(super) fn conversions(columns_hint: &[ResultColumn]) -> Option<&[ResultColumn]> {
    let converts = columns_hint
        .iter()
        .any(|column| !read_as_stored(column.sql_type.as_ref()));
    converts.then_some(columns_hint)
}

/// A value as SQLite stores it, borrowed: text that is not UTF-8 (SQLite does not check) is
/// kept as its bytes, not altered.
#[inline(always)]
pub(super) fn stored(v: Stored<'_>) -> ValueRef<'_> {
    match v {
        Stored::Null => ValueRef::Null,
        Stored::Integer(n) => ValueRef::I64(n),
        Stored::Real(f) => ValueRef::F64(f),
        Stored::Text(t) => std::str::from_utf8(t).map_or(ValueRef::Bytes(t), ValueRef::Text),
        Stored::Blob(b) => ValueRef::Bytes(b),
    }
}

/// A SQLite value, converted towards the declared column type: SQLite stores booleans as
/// integers and dates, times, decimals, UUIDs and JSON as text. Integers, floats, text and
/// bytes that need no conversion stay borrowed.
#[inline(always)]
pub(super) fn from_sqlite<'a>(v: Stored<'a>, ty: Option<&SqlType>) -> ValueRef<'a> {
    let stored = match stored(v) {
        ValueRef::Null => return ValueRef::Null,
        stored => stored,
    };
    match ty {
        Some(ty) if !read_as_stored(Some(ty)) => {
            converted(ty, &stored).map_or(stored, |v| ValueRef::Value(Cow::Owned(v)))
        }
        _ => stored,
    }
}

/// Whether values of type `ty` are read as SQLite stores them: nothing to convert (a test
/// holds this list to `converted`; skipping the call is measurably faster on a point select).
#[inline(always)]
fn read_as_stored(ty: Option<&SqlType>) -> bool {
    matches!(
        ty,
        None | Some(
            SqlType::SmallInteger
                | SqlType::Integer
                | SqlType::BigInteger
                | SqlType::String(_)
                | SqlType::Char(_)
                | SqlType::Text
                | SqlType::LargeBinary,
        )
    )
}

/// As [`from_sqlite`], owned: a value read as stored is made straight from SQLite's (its text
/// or bytes copied once).
#[inline(always)]
fn owned_from_sqlite(v: Stored<'_>, ty: Option<&SqlType>) -> Value {
    if !read_as_stored(ty) {
        return from_sqlite(v, ty).into_owned();
    }
    owned_stored(v)
}

/// A value as SQLite stores it, owned (its text or bytes copied once).
#[inline(always)]
fn owned_stored(v: Stored<'_>) -> Value {
    match v {
        Stored::Null => Value::Null,
        Stored::Integer(n) => Value::I64(n),
        Stored::Real(f) => Value::F64(f),
        Stored::Text(t) => match std::str::from_utf8(t) {
            Ok(text) => Value::Text(text.to_owned()),
            Err(_) => Value::Bytes(t.to_vec()),
        },
        Stored::Blob(b) => Value::Bytes(b.to_vec()),
    }
}

/// A value SQLite stored for a column of type `ty`, as the value of that type (`None`: it is
/// kept as stored).
fn converted(ty: &SqlType, raw: &ValueRef<'_>) -> Option<Value> {
    match (ty.storage_type(), raw) {
        (SqlType::Boolean, ValueRef::I64(n)) => Some(Value::Bool(*n != 0)),
        // Decimals are stored as numbers (see `sqlite::decimal_as_real`) and read back at the declared
        // scale, or SQLAlchemy's default of 10 digits. Text (written by other tools) is exact.
        (SqlType::Numeric(_, scale), ValueRef::Text(s)) => {
            s.parse().ok().map(|d| Value::Decimal(rescale(d, *scale)))
        }
        (SqlType::Numeric(_, scale), ValueRef::F64(f)) => decimal_from_real(*f, *scale),
        (SqlType::Numeric(_, scale), ValueRef::I64(n)) => Some(Value::Decimal(rescale(
            (*n).into(),
            Some(scale.unwrap_or(DEFAULT_DECIMAL_SCALE)),
        ))),
        // Dates and times: SQLAlchemy's storage format, and the other ISO 8601 forms
        // `datetime_text` reads (an offset is converted to UTC, for both DateTime kinds).
        (SqlType::Date, ValueRef::Text(s)) => datetime_text::parse_date(s).map(Value::Date),
        (SqlType::Time { .. }, ValueRef::Text(s)) => datetime_text::parse_time(s).map(Value::Time),
        (
            SqlType::DateTime {
                timezone: false, ..
            },
            ValueRef::Text(s),
        ) => datetime_text::parse_datetime(s).map(Value::Timestamp),
        (SqlType::DateTime { timezone: true, .. }, ValueRef::Text(s)) => {
            datetime_text::parse_datetime(s).map(|t| Value::TimestampTz(t.and_utc()))
        }
        (SqlType::Uuid, ValueRef::Text(s)) => s.parse().ok().map(Value::Uuid),
        // SQLAlchemy's storage text, or the ISO 8601 duration sqlcore wrote before it.
        (SqlType::Interval { .. }, ValueRef::Text(s)) => datetime_text::parse_interval(s)
            .or_else(|| s.parse().ok())
            .map(Value::Interval),
        (SqlType::Uuid, ValueRef::Bytes(b)) => sqlcore_compiler::uuid::Uuid::from_slice(b)
            .ok()
            .map(Value::Uuid),
        (SqlType::Json, ValueRef::Text(s)) => serde_json_parse(s),
        // JSON numbers get NUMERIC affinity and come back as numbers.
        (SqlType::Json, ValueRef::I64(n)) => Some(Value::from(serde_json::Value::from(*n))),
        (SqlType::Json, ValueRef::F64(f)) => {
            serde_json::Number::from_f64(*f).map(|n| Value::from(serde_json::Value::Number(n)))
        }
        (SqlType::Float | SqlType::Double | SqlType::Real, ValueRef::I64(n)) => {
            Some(Value::F64(*n as f64))
        }
        _ => None,
    }
}

/// A stored number read as a decimal, as SQLAlchemy's SQLite Numeric reads it: the REAL
/// written with the column's scale (10 digits when it has none), exactly rounded.
fn decimal_from_real(f: f64, scale: Option<u32>) -> Option<Value> {
    let scale = scale.unwrap_or(DEFAULT_DECIMAL_SCALE) as usize;
    format!("{f:.scale$}").parse().ok().map(Value::Decimal)
}

/// SQLAlchemy's `Numeric._default_decimal_return_scale`.
const DEFAULT_DECIMAL_SCALE: u32 = 10;

fn rescale(mut d: Decimal, scale: Option<u32>) -> Decimal {
    if let Some(scale) = scale {
        d.rescale(scale);
    }
    d
}

fn serde_json_parse(s: &str) -> Option<Value> {
    serde_json::from_str(s)
        .ok()
        .map(|j: serde_json::Value| Value::from(j))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The types `from_sqlite` reads without asking `converted` are those `converted` would
    /// leave as stored: skipping it never changes a value.
    #[test]
    fn reading_without_a_conversion_changes_nothing() {
        let stored = [
            Stored::Null,
            Stored::Integer(1),
            Stored::Real(1.5),
            Stored::Text(b"1"),
            Stored::Text(b"2024-02-29"),
            Stored::Text(b"12:30:00"),
            Stored::Text(b"2024-02-29 12:30:00"),
            Stored::Text(b"P1M2DT3S"),
            Stored::Text(b"00000000-0000-0000-0000-000000000000"),
            Stored::Blob(&[0; 16]),
        ];
        let types = [
            SqlType::SmallInteger,
            SqlType::Integer,
            SqlType::BigInteger,
            SqlType::Float,
            SqlType::Double,
            SqlType::Real,
            SqlType::Numeric(Some(10), Some(2)),
            SqlType::String(Some(10)),
            SqlType::Char(Some(3)),
            SqlType::Text,
            SqlType::Boolean,
            SqlType::Date,
            SqlType::TIME,
            SqlType::DATETIME,
            SqlType::DATETIME_TZ,
            SqlType::INTERVAL,
            SqlType::LargeBinary,
            SqlType::Uuid,
            SqlType::Json,
        ];
        // The types some sample converts, so the comparison below is not vacuous.
        let mut converting = 0;
        for ty in &types {
            let mut converts = false;
            for v in stored {
                let raw = from_sqlite(v, None);
                let full = match converted(ty, &raw) {
                    Some(value) => {
                        converts = true;
                        ValueRef::Value(Cow::Owned(value))
                    }
                    None => raw,
                };
                assert_eq!(from_sqlite(v, Some(ty)), full, "{ty:?} {v:?}");
                assert_eq!(
                    owned_from_sqlite(v, Some(ty)),
                    full.into_owned(),
                    "{ty:?} {v:?}"
                );
            }
            converting += usize::from(converts);
        }
        // Float, Double, Real, Numeric, Boolean, Date, Time, both DateTimes, Interval, Uuid,
        // Json.
        assert_eq!(converting, 12);
    }
}
