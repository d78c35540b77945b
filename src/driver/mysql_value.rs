//! Values between sqlcore and MySQL / MariaDB, both ways.
//!
//! Bound: booleans as integers (`BOOLEAN` is `TINYINT(1)`), decimals as their exact text (the
//! server converts it to `DECIMAL` without a float in between), UUIDs as their hyphenated text
//! (`SqlType::Uuid` is `CHAR(36)`, as SQLAlchemy's `Uuid` on MySQL), JSON as its text, dates and
//! times with microseconds, an aware timestamp as its UTC wall clock (every connection's session
//! `time_zone` is `+00:00`, so a `TIMESTAMP` column stores and returns UTC). MySQL has no
//! interval or array type: such a value is a `Data` error, never a value of another kind.
//!
//! Read: by the column's wire type, then towards the declared type where the statement knows it
//! (`TINYINT(1)` as a boolean, `CHAR(36)` as a UUID, text or `LONGTEXT` as JSON, on MariaDB
//! where `JSON` is `LONGTEXT`). `DECIMAL` reads exactly; `DATETIME(6)` with its microseconds.

use crate::error::{DbError, DbErrorKind, Error, Result};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use mysql::Value as My;
use mysql::consts::{ColumnFlags, ColumnType};
use rust_decimal::Decimal;
use sqlcore_compiler::{SqlType, Value, serde_json};

/// The character set number of binary strings (`BINARY`, `VARBINARY`, `BLOB`).
const BINARY_CHARSET: u16 = 63;

fn data_error(message: String) -> Error {
    Error::Db(DbError::new(DbErrorKind::Data, message))
}

/// `v` as the `mysql` crate binds it.
pub(super) fn to_mysql(v: &Value) -> Result<My> {
    Ok(match v {
        Value::Null => My::NULL,
        Value::Bool(b) => My::Int((*b).into()),
        Value::I16(n) => My::Int((*n).into()),
        Value::I32(n) => My::Int((*n).into()),
        Value::I64(n) => My::Int(*n),
        Value::F32(n) => My::Float(*n),
        Value::F64(n) => My::Double(*n),
        Value::Decimal(d) => My::Bytes(d.to_string().into_bytes()),
        Value::Text(s) => My::Bytes(s.as_bytes().to_vec()),
        Value::Bytes(b) => My::Bytes(b.clone()),
        Value::Date(d) => date_time(d, &NaiveTime::MIN)?,
        Value::Time(t) => My::Time(
            false,
            0,
            t.hour() as u8,
            t.minute() as u8,
            t.second() as u8,
            micros(t),
        ),
        Value::Timestamp(ts) => date_time(&ts.date(), &ts.time())?,
        Value::TimestampTz(ts) => {
            let utc = ts.naive_utc();
            date_time(&utc.date(), &utc.time())?
        }
        Value::Uuid(u) => My::Bytes(u.hyphenated().to_string().into_bytes()),
        Value::Json(j) => My::Bytes(j.to_string().into_bytes()),
        Value::Interval(_) => {
            return Err(data_error(
                "MySQL has no interval type: an Interval value cannot be bound".into(),
            ));
        }
        Value::Array(_) => {
            return Err(data_error(
                "MySQL has no arrays: a list value cannot be bound (use in_() for IN lists)".into(),
            ));
        }
    })
}

/// Microseconds of `t` (a leap second's fraction is cut at 999,999).
fn micros(t: &NaiveTime) -> u32 {
    (t.nanosecond() / 1_000).min(999_999)
}

fn date_time(d: &NaiveDate, t: &NaiveTime) -> Result<My> {
    let year = u16::try_from(d.year())
        .ok()
        .filter(|y| *y <= 9999)
        .ok_or_else(|| data_error(format!("the date {d} is outside MySQL's years 0 to 9999")))?;
    Ok(My::Date(
        year,
        d.month() as u8,
        d.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
        micros(t),
    ))
}

/// What a result column is on the wire, read once per result.
#[derive(Debug, Clone, Copy)]
pub(super) struct ColumnKind {
    ty: ColumnType,
    binary: bool,
    unsigned: bool,
}

impl ColumnKind {
    pub(super) fn of(column: &mysql::Column) -> Self {
        ColumnKind {
            ty: column.column_type(),
            binary: column.character_set() == BINARY_CHARSET,
            unsigned: column.flags().contains(ColumnFlags::UNSIGNED_FLAG),
        }
    }
}

/// A value read from the server for a column of wire type `kind`, converted towards `hint`
/// (the statement's declared type) where given. The text protocol's values (all text) are
/// parsed by the wire type.
pub(super) fn from_mysql(v: My, kind: ColumnKind, hint: Option<&SqlType>) -> Result<Value> {
    let hint = hint.map(SqlType::storage_type);
    Ok(match v {
        My::NULL => Value::Null,
        My::Int(n) => from_int(n, hint),
        My::UInt(n) => match i64::try_from(n) {
            Ok(n) => from_int(n, hint),
            Err(_) => Value::Decimal(Decimal::from(n)),
        },
        My::Float(f) => match hint {
            Some(SqlType::Float | SqlType::Double) => Value::F64(f.into()),
            _ => Value::F32(f),
        },
        My::Double(f) => match hint {
            Some(SqlType::Real) => Value::F32(f as f32),
            _ => Value::F64(f),
        },
        My::Date(y, mo, d, h, mi, s, us) => {
            let date = NaiveDate::from_ymd_opt(y.into(), mo.into(), d.into()).ok_or_else(|| {
                data_error(format!(
                    "the server sent the date {y:04}-{mo:02}-{d:02}, which is not a calendar date (a zero date?)"
                ))
            })?;
            let time = NaiveTime::from_hms_micro_opt(h.into(), mi.into(), s.into(), us)
                .ok_or_else(|| data_error(format!("the server sent the time {h}:{mi}:{s}.{us}")))?;
            timestamp(date.and_time(time), kind, hint)
        }
        My::Time(negative, days, h, mi, s, us) => {
            let time = (!negative && days == 0)
                .then(|| NaiveTime::from_hms_micro_opt(h.into(), mi.into(), s.into(), us))
                .flatten()
                .ok_or_else(|| {
                    data_error(format!(
                        "the TIME value {}{}:{mi:02}:{s:02} is not a time of day",
                        if negative { "-" } else { "" },
                        days * 24 + u32::from(h)
                    ))
                })?;
            Value::Time(time)
        }
        My::Bytes(bytes) => from_bytes(bytes, kind, hint)?,
    })
}

fn from_int(n: i64, hint: Option<&SqlType>) -> Value {
    match hint {
        Some(SqlType::Boolean) => Value::Bool(n != 0),
        Some(SqlType::Numeric(..)) => Value::Decimal(n.into()),
        Some(SqlType::Float | SqlType::Double) => Value::F64(n as f64),
        _ => Value::I64(n),
    }
}

/// A date and time as the column's kind: a DATE as a date, a TIMESTAMP declared with a time
/// zone as an aware UTC timestamp, anything else as a naive one.
fn timestamp(ts: NaiveDateTime, kind: ColumnKind, hint: Option<&SqlType>) -> Value {
    match (hint, kind.ty) {
        (Some(SqlType::Date), _) | (None, ColumnType::MYSQL_TYPE_DATE) => Value::Date(ts.date()),
        (Some(SqlType::DateTime { timezone: true, .. }), _) => Value::TimestampTz(ts.and_utc()),
        _ => Value::Timestamp(ts),
    }
}

/// Bytes as the column's wire type says (the text protocol sends every value as text), then
/// towards `hint`.
fn from_bytes(bytes: Vec<u8>, kind: ColumnKind, hint: Option<&SqlType>) -> Result<Value> {
    use ColumnType as T;
    let text = || std::str::from_utf8(&bytes).ok();
    let unparsable = || {
        data_error(format!(
            "the server sent {:?} for a {:?} column",
            String::from_utf8_lossy(&bytes),
            kind.ty
        ))
    };
    Ok(match kind.ty {
        T::MYSQL_TYPE_NEWDECIMAL | T::MYSQL_TYPE_DECIMAL => {
            let d: Decimal = text().and_then(|t| t.parse().ok()).ok_or_else(unparsable)?;
            match hint {
                Some(SqlType::Float | SqlType::Double) => {
                    Value::F64(f64::try_from(d).map_err(|_| unparsable())?)
                }
                // An integer the server computed as DECIMAL (FLOOR(a / b), SUM of integers).
                Some(SqlType::SmallInteger | SqlType::Integer | SqlType::BigInteger)
                    if d.fract().is_zero() =>
                {
                    i64::try_from(d).map_or(Value::Decimal(d), Value::I64)
                }
                _ => Value::Decimal(d),
            }
        }
        T::MYSQL_TYPE_TINY
        | T::MYSQL_TYPE_SHORT
        | T::MYSQL_TYPE_INT24
        | T::MYSQL_TYPE_LONG
        | T::MYSQL_TYPE_LONGLONG
        | T::MYSQL_TYPE_YEAR => {
            let t = text().ok_or_else(unparsable)?;
            match t.parse::<i64>() {
                Ok(n) => from_int(n, hint),
                Err(_) if kind.unsigned => Value::Decimal(t.parse().map_err(|_| unparsable())?),
                Err(_) => return Err(unparsable()),
            }
        }
        T::MYSQL_TYPE_FLOAT | T::MYSQL_TYPE_DOUBLE => {
            let f: f64 = text().and_then(|t| t.parse().ok()).ok_or_else(unparsable)?;
            from_mysql(My::Double(f), kind, hint)?
        }
        T::MYSQL_TYPE_DATE
        | T::MYSQL_TYPE_DATETIME
        | T::MYSQL_TYPE_DATETIME2
        | T::MYSQL_TYPE_TIMESTAMP
        | T::MYSQL_TYPE_TIMESTAMP2 => {
            let t = text().ok_or_else(unparsable)?;
            let ts = sqlcore_compiler::datetime_text::parse_datetime(t).ok_or_else(unparsable)?;
            timestamp(ts, kind, hint)
        }
        T::MYSQL_TYPE_TIME | T::MYSQL_TYPE_TIME2 => {
            let t = text().ok_or_else(unparsable)?;
            Value::Time(sqlcore_compiler::datetime_text::parse_time(t).ok_or_else(unparsable)?)
        }
        T::MYSQL_TYPE_JSON => json(bytes)?,
        T::MYSQL_TYPE_BIT => match hint {
            Some(SqlType::Boolean) => Value::Bool(bytes.iter().any(|b| *b != 0)),
            _ => Value::Bytes(bytes),
        },
        _ => match hint {
            Some(SqlType::Json) => json(bytes)?,
            Some(SqlType::Uuid) => uuid(bytes)?,
            Some(SqlType::Numeric(..)) if !kind.binary => {
                Value::Decimal(text().and_then(|t| t.parse().ok()).ok_or_else(unparsable)?)
            }
            _ if kind.binary => Value::Bytes(bytes),
            // Text that is not UTF-8 is kept as its bytes, not altered.
            _ => match String::from_utf8(bytes) {
                Ok(s) => Value::Text(s),
                Err(e) => Value::Bytes(e.into_bytes()),
            },
        },
    })
}

fn json(bytes: Vec<u8>) -> Result<Value> {
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .map(Value::from)
        .map_err(|e| data_error(format!("the server sent JSON that does not parse: {e}")))
}

/// A UUID stored as `CHAR(36)` text (sqlcore's `Uuid` on MySQL) or as 16 bytes (`BINARY(16)`).
fn uuid(bytes: Vec<u8>) -> Result<Value> {
    use sqlcore_compiler::uuid::Uuid;
    let parsed = match bytes.len() {
        16 => Uuid::from_slice(&bytes).ok(),
        _ => std::str::from_utf8(&bytes)
            .ok()
            .and_then(|s| s.trim_end().parse().ok()),
    };
    parsed.map(Value::Uuid).ok_or_else(|| {
        data_error(format!(
            "{:?} is not a UUID",
            String::from_utf8_lossy(&bytes)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(ty: ColumnType) -> ColumnKind {
        ColumnKind {
            ty,
            binary: false,
            unsigned: false,
        }
    }

    #[test]
    fn values_bind_and_read_back() {
        let d: Decimal = "12345678901234567890.123456".parse().unwrap();
        let bound = to_mysql(&Value::Decimal(d)).unwrap();
        assert_eq!(
            from_mysql(bound, kind(ColumnType::MYSQL_TYPE_NEWDECIMAL), None).unwrap(),
            Value::Decimal(d)
        );
        let ts = NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_micro_opt(12, 30, 15, 123_456)
            .unwrap();
        let bound = to_mysql(&Value::Timestamp(ts)).unwrap();
        assert_eq!(
            from_mysql(bound, kind(ColumnType::MYSQL_TYPE_DATETIME), None).unwrap(),
            Value::Timestamp(ts)
        );
        assert_eq!(
            from_mysql(
                My::Int(1),
                kind(ColumnType::MYSQL_TYPE_TINY),
                Some(&SqlType::Boolean)
            )
            .unwrap(),
            Value::Bool(true)
        );
        let u = sqlcore_compiler::uuid::Uuid::from_u128(0x1234);
        let bound = to_mysql(&Value::Uuid(u)).unwrap();
        assert_eq!(
            from_mysql(
                bound,
                kind(ColumnType::MYSQL_TYPE_STRING),
                Some(&SqlType::Uuid)
            )
            .unwrap(),
            Value::Uuid(u)
        );
        assert!(to_mysql(&Value::Array(vec![])).is_err());
        assert!(
            from_mysql(
                My::Date(0, 0, 0, 0, 0, 0, 0),
                kind(ColumnType::MYSQL_TYPE_DATE),
                None
            )
            .is_err()
        );
        assert!(
            from_mysql(
                My::Time(true, 0, 1, 0, 0, 0),
                kind(ColumnType::MYSQL_TYPE_TIME),
                None
            )
            .is_err()
        );
        // The text protocol's values are parsed by the wire type.
        assert_eq!(
            from_mysql(
                My::Bytes(b"42".to_vec()),
                kind(ColumnType::MYSQL_TYPE_LONGLONG),
                None
            )
            .unwrap(),
            Value::I64(42)
        );
    }
}
