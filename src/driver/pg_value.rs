//! `Value` to and from PostgreSQL's binary formats, adapting to the parameter and column types
//! the server reports.

use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};
use rust_decimal::Decimal;
use sqlcore_compiler::{Interval, SqlType, Value};
use std::error::Error as StdError;

type BoxError = Box<dyn StdError + Sync + Send>;

fn mismatch(value: &Value, ty: &Type) -> BoxError {
    format!(
        "cannot bind a {} value to a parameter of type {}",
        value.kind_name(),
        ty.name()
    )
    .into()
}

/// A value bound as a parameter of the type the statement declares.
#[derive(Debug)]
pub(crate) struct PgParam<'a>(pub &'a Value);

fn int_value(v: &Value) -> Option<i64> {
    match v {
        Value::I16(n) => Some((*n).into()),
        Value::I32(n) => Some((*n).into()),
        Value::I64(n) => Some(*n),
        _ => None,
    }
}

impl ToSql for PgParam<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        let v = self.0;
        if v.is_null() {
            return Ok(IsNull::Yes);
        }
        if let Kind::Domain(base) = ty.kind() {
            return self.to_sql(base, out);
        }
        if let Kind::Array(member) = ty.kind() {
            let Value::Array(items) = v else {
                return Err(mismatch(v, ty));
            };
            let params: Vec<PgParam<'_>> = items.iter().map(PgParam).collect();
            let _ = member;
            return params.to_sql(ty, out);
        }
        let int = int_value(v);
        match *ty {
            Type::BOOL => match v {
                Value::Bool(b) => b.to_sql(ty, out),
                _ => Err(mismatch(v, ty)),
            },
            Type::INT2 => match int {
                Some(n) => i16::try_from(n)
                    .map_err(|_| format!("{n} is out of range for smallint"))?
                    .to_sql(ty, out),
                None => Err(mismatch(v, ty)),
            },
            Type::INT4 => match int {
                Some(n) => i32::try_from(n)
                    .map_err(|_| format!("{n} is out of range for integer"))?
                    .to_sql(ty, out),
                None => Err(mismatch(v, ty)),
            },
            Type::INT8 => match int {
                Some(n) => n.to_sql(ty, out),
                None => Err(mismatch(v, ty)),
            },
            Type::OID => match int {
                Some(n) => u32::try_from(n)
                    .map_err(|_| format!("{n} is out of range for oid"))?
                    .to_sql(ty, out),
                None => Err(mismatch(v, ty)),
            },
            Type::FLOAT4 => match v {
                Value::F32(f) => f.to_sql(ty, out),
                Value::F64(f) => (*f as f32).to_sql(ty, out),
                _ => match int {
                    Some(n) => (n as f32).to_sql(ty, out),
                    None => Err(mismatch(v, ty)),
                },
            },
            Type::FLOAT8 => match v {
                Value::F32(f) => f64::from(*f).to_sql(ty, out),
                Value::F64(f) => f.to_sql(ty, out),
                Value::Decimal(d) => {
                    let f: f64 = d.to_string().parse().map_err(|_| mismatch(v, ty))?;
                    f.to_sql(ty, out)
                }
                _ => match int {
                    Some(n) => (n as f64).to_sql(ty, out),
                    None => Err(mismatch(v, ty)),
                },
            },
            Type::NUMERIC => {
                let d = match v {
                    Value::Decimal(d) => *d,
                    Value::F32(f) => Decimal::try_from(*f).map_err(|e| e.to_string())?,
                    Value::F64(f) => Decimal::try_from(*f).map_err(|e| e.to_string())?,
                    Value::Text(s) => s.parse().map_err(|_| mismatch(v, ty))?,
                    _ => Decimal::from(int.ok_or_else(|| mismatch(v, ty))?),
                };
                d.to_sql(ty, out)
            }
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => match v {
                Value::Text(s) => s.as_str().to_sql(&Type::TEXT, out),
                _ => Err(mismatch(v, ty)),
            },
            Type::BYTEA => match v {
                Value::Bytes(b) => b.as_slice().to_sql(ty, out),
                _ => Err(mismatch(v, ty)),
            },
            Type::DATE => match v {
                Value::Date(d) => d.to_sql(ty, out),
                _ => Err(mismatch(v, ty)),
            },
            Type::TIME => match v {
                Value::Time(t) => t.to_sql(ty, out),
                _ => Err(mismatch(v, ty)),
            },
            Type::TIMESTAMP => match v {
                Value::Timestamp(t) => t.to_sql(ty, out),
                Value::TimestampTz(t) => t.naive_utc().to_sql(ty, out),
                _ => Err(mismatch(v, ty)),
            },
            Type::TIMESTAMPTZ => match v {
                Value::TimestampTz(t) => t.to_sql(ty, out),
                Value::Timestamp(t) => t.and_utc().to_sql(ty, out),
                _ => Err(mismatch(v, ty)),
            },
            Type::INTERVAL => match v {
                Value::Interval(i) => {
                    out.extend_from_slice(&i.microseconds.to_be_bytes());
                    out.extend_from_slice(&i.days.to_be_bytes());
                    out.extend_from_slice(&i.months.to_be_bytes());
                    Ok(IsNull::No)
                }
                _ => Err(mismatch(v, ty)),
            },
            Type::UUID => match v {
                Value::Uuid(u) => u.to_sql(ty, out),
                Value::Text(s) => uuid::Uuid::parse_str(s)
                    .map_err(|_| mismatch(v, ty))?
                    .to_sql(ty, out),
                _ => Err(mismatch(v, ty)),
            },
            Type::JSON | Type::JSONB => match v {
                Value::Json(j) => j.to_sql(ty, out),
                Value::Text(s) => serde_json::from_str::<serde_json::Value>(s)
                    .map_err(|_| mismatch(v, ty))?
                    .to_sql(ty, out),
                _ => Err(mismatch(v, ty)),
            },
            _ => match (v, ty.kind()) {
                // Enum labels travel as text.
                (Value::Text(s), Kind::Enum(_)) => {
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                _ => Err(mismatch(v, ty)),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A column value read in the type the server reports.
pub(crate) struct PgValue(pub Value);

fn interval_from_sql(raw: &[u8]) -> Result<Value, BoxError> {
    if raw.len() != 16 {
        return Err("invalid interval".into());
    }
    let micros = i64::from_be_bytes(raw[0..8].try_into()?);
    let days = i32::from_be_bytes(raw[8..12].try_into()?);
    let months = i32::from_be_bytes(raw[12..16].try_into()?);
    Ok(Value::Interval(Interval::new(months, days, micros)))
}

impl<'a> FromSql<'a> for PgValue {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let value = match *ty {
            Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
            Type::INT2 => Value::I16(i16::from_sql(ty, raw)?),
            Type::INT4 => Value::I32(i32::from_sql(ty, raw)?),
            Type::INT8 => Value::I64(i64::from_sql(ty, raw)?),
            Type::OID => Value::I64(u32::from_sql(ty, raw)?.into()),
            Type::FLOAT4 => Value::F32(f32::from_sql(ty, raw)?),
            Type::FLOAT8 => Value::F64(f64::from_sql(ty, raw)?),
            Type::NUMERIC => Value::Decimal(Decimal::from_sql(ty, raw)?),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::CHAR => {
                Value::Text(<&str>::from_sql(&Type::TEXT, raw)?.to_owned())
            }
            Type::BYTEA => Value::Bytes(raw.to_vec()),
            Type::DATE => Value::Date(FromSql::from_sql(ty, raw)?),
            Type::TIME => Value::Time(FromSql::from_sql(ty, raw)?),
            Type::TIMESTAMP => Value::Timestamp(FromSql::from_sql(ty, raw)?),
            Type::TIMESTAMPTZ => Value::TimestampTz(FromSql::from_sql(ty, raw)?),
            Type::INTERVAL => interval_from_sql(raw)?,
            Type::UUID => Value::Uuid(FromSql::from_sql(ty, raw)?),
            Type::JSON | Type::JSONB => Value::Json(FromSql::from_sql(ty, raw)?),
            _ => match ty.kind() {
                Kind::Array(_) => Value::Array(
                    Vec::<PgValue>::from_sql(ty, raw)?
                        .into_iter()
                        .map(|v| v.0)
                        .collect(),
                ),
                Kind::Domain(base) => PgValue::from_sql(base, raw)?.0,
                Kind::Enum(_) => Value::Text(std::str::from_utf8(raw)?.to_owned()),
                _ => Value::Bytes(raw.to_vec()),
            },
        };
        Ok(PgValue(value))
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(PgValue(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// The parameter type to declare for a value: the column's type when the compiler knows it,
/// else the value's own; `None` lets the server infer it.
pub(crate) fn param_type(sql_type: Option<&SqlType>, value: &Value) -> Option<Type> {
    if let Value::Array(items) = value {
        let member = match sql_type {
            Some(t) => scalar_type(t),
            None => items.iter().find(|v| !v.is_null()).and_then(value_type),
        }?;
        return array_of(&member);
    }
    match sql_type {
        Some(t) => scalar_type(t),
        None => value_type(value),
    }
}

fn scalar_type(t: &SqlType) -> Option<Type> {
    Some(match t {
        SqlType::SmallInteger => Type::INT2,
        SqlType::Integer => Type::INT4,
        SqlType::BigInteger => Type::INT8,
        SqlType::Float => Type::FLOAT4,
        SqlType::Double => Type::FLOAT8,
        SqlType::Numeric(..) => Type::NUMERIC,
        SqlType::String(_) => Type::VARCHAR,
        SqlType::Text => Type::TEXT,
        SqlType::Boolean => Type::BOOL,
        SqlType::Date => Type::DATE,
        SqlType::Time => Type::TIME,
        SqlType::DateTime { timezone: false } => Type::TIMESTAMP,
        SqlType::DateTime { timezone: true } => Type::TIMESTAMPTZ,
        SqlType::Interval => Type::INTERVAL,
        SqlType::LargeBinary => Type::BYTEA,
        SqlType::Uuid => Type::UUID,
        SqlType::Json => Type::JSONB,
        SqlType::Other(_) => return None,
    })
}

fn value_type(v: &Value) -> Option<Type> {
    Some(match v {
        Value::Null | Value::Array(_) => return None,
        Value::Bool(_) => Type::BOOL,
        Value::I16(_) => Type::INT2,
        Value::I32(_) => Type::INT4,
        Value::I64(_) => Type::INT8,
        Value::F32(_) => Type::FLOAT4,
        Value::F64(_) => Type::FLOAT8,
        Value::Decimal(_) => Type::NUMERIC,
        Value::Text(_) => Type::TEXT,
        Value::Bytes(_) => Type::BYTEA,
        Value::Date(_) => Type::DATE,
        Value::Time(_) => Type::TIME,
        Value::Timestamp(_) => Type::TIMESTAMP,
        Value::TimestampTz(_) => Type::TIMESTAMPTZ,
        Value::Interval(_) => Type::INTERVAL,
        Value::Uuid(_) => Type::UUID,
        Value::Json(_) => Type::JSONB,
    })
}

fn array_of(t: &Type) -> Option<Type> {
    Some(match *t {
        Type::BOOL => Type::BOOL_ARRAY,
        Type::INT2 => Type::INT2_ARRAY,
        Type::INT4 => Type::INT4_ARRAY,
        Type::INT8 => Type::INT8_ARRAY,
        Type::FLOAT4 => Type::FLOAT4_ARRAY,
        Type::FLOAT8 => Type::FLOAT8_ARRAY,
        Type::NUMERIC => Type::NUMERIC_ARRAY,
        Type::VARCHAR => Type::VARCHAR_ARRAY,
        Type::TEXT => Type::TEXT_ARRAY,
        Type::DATE => Type::DATE_ARRAY,
        Type::TIME => Type::TIME_ARRAY,
        Type::TIMESTAMP => Type::TIMESTAMP_ARRAY,
        Type::TIMESTAMPTZ => Type::TIMESTAMPTZ_ARRAY,
        Type::INTERVAL => Type::INTERVAL_ARRAY,
        Type::BYTEA => Type::BYTEA_ARRAY,
        Type::UUID => Type::UUID_ARRAY,
        Type::JSONB => Type::JSONB_ARRAY,
        _ => return None,
    })
}
