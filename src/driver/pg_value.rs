//! `Value` to and from PostgreSQL's binary formats, adapting to the parameter and column types
//! the server reports.

use bytes::BytesMut;
use rust_decimal::Decimal;
use sqlcore_compiler::{Interval, SqlType, Value, ValueRef};
use std::borrow::Cow;
use std::error::Error as StdError;
use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};

type BoxError = Box<dyn StdError + Sync + Send>;

fn mismatch(value: &Value, ty: &Type) -> BoxError {
    format!(
        "cannot bind a {} value to a parameter of type {}",
        value.kind_name(),
        ty.name()
    )
    .into()
}

/// Whether a text value is sent in the text format for a parameter of type `ty`.
pub(crate) fn text_form(ty: &Type) -> bool {
    matches!(*ty, Type::TS_VECTOR | Type::TSQUERY | Type::REGCONFIG)
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
        if ty.oid() == 0 {
            // A type the server infers (an enum, an extension's type): the value's text,
            // parsed by the server as that type's input (see `encode_format`).
            return match super::pg_array::text_form(v) {
                Some(text) => {
                    out.extend_from_slice(text.as_bytes());
                    Ok(IsNull::No)
                }
                None => Err(mismatch(v, ty)),
            };
        }
        if let Kind::Domain(base) = ty.kind() {
            return self.to_sql(base, out);
        }
        if let Kind::Array(member) = ty.kind() {
            let Value::Array(items) = v else {
                return Err(mismatch(v, ty));
            };
            return super::pg_array::to_sql(items, member, out);
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
                Value::Json(j) => (**j).to_sql(ty, out),
                Value::Text(s) => serde_json::from_str::<serde_json::Value>(s)
                    .map_err(|_| mismatch(v, ty))?
                    .to_sql(ty, out),
                _ => Err(mismatch(v, ty)),
            },
            _ => match (v, ty.kind()) {
                // Enum labels travel as text, and so do the types sent in their text form
                // (see `encode_format`).
                (Value::Text(s), _) if text_form(ty) => {
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
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

    /// Text for the types whose binary form sqlcore does not write (`tsvector`, `tsquery`,
    /// `regconfig`), and for a parameter whose type the server infers (declared as type 0,
    /// as statements sent unnamed declare an enum's or an extension type's parameter): the
    /// server parses the text as the type's own input, `'a fat cat'::tsvector`, `'happy'`,
    /// `'{sad,ok}'`.
    fn encode_format(&self, ty: &Type) -> tokio_postgres::types::Format {
        let text = match self.0 {
            Value::Text(_) => text_form(ty) || ty.oid() == 0,
            Value::Array(_) => ty.oid() == 0,
            _ => false,
        };
        if text {
            tokio_postgres::types::Format::Text
        } else {
            tokio_postgres::types::Format::Binary
        }
    }

    to_sql_checked!();
}

/// A column value read in the type the server reports.
pub(crate) struct PgValue(pub Value);

/// A column value as [`PgValue`] reads it, with text, bytea, `int8` and `float8` borrowed from
/// the row rather than copied.
pub(crate) struct PgValueRef<'a>(pub ValueRef<'a>);

impl<'a> FromSql<'a> for PgValueRef<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let value = match ColumnReader::of(ty) {
            ColumnReader::Other => ValueRef::from(PgValue::from_sql(ty, raw)?.0),
            reader => reader.read(raw).ok_or("a malformed value")?,
        };
        Ok(PgValueRef(value))
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(PgValueRef(ValueRef::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// How the values of one column are read, chosen once per result from the column's type (so
/// that no value's type is looked up as it is read): the commonest kinds, read as
/// [`PgValueRef`] reads them, and `Other` for the rest (read through [`PgValueRef`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnReader {
    Int8,
    Float8,
    Int4,
    Int2,
    Bool,
    Text,
    Bytea,
    Other,
}

impl ColumnReader {
    /// The reader of a column of type `ty`.
    pub(crate) fn of(ty: &Type) -> Self {
        match ty.oid() {
            oid::INT8 => ColumnReader::Int8,
            oid::FLOAT8 => ColumnReader::Float8,
            oid::INT4 => ColumnReader::Int4,
            oid::INT2 => ColumnReader::Int2,
            oid::BOOL => ColumnReader::Bool,
            oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME | oid::UNKNOWN | oid::CHAR => {
                ColumnReader::Text
            }
            oid::BYTEA => ColumnReader::Bytea,
            _ => ColumnReader::Other,
        }
    }

    /// A value of the column (its bytes as the server sent them, not NULL), borrowed where
    /// it can be; `None` for bytes that are not a value of the type (as the server never
    /// sends), and for `Other`, which has no reader of its own. The binary formats are
    /// `postgres-protocol`'s, read here without its boxed errors (this runs for every cell).
    #[inline(always)]
    pub(crate) fn read(self, raw: &[u8]) -> Option<ValueRef<'_>> {
        Some(match self {
            ColumnReader::Int8 => ValueRef::I64(i64::from_be_bytes(raw.try_into().ok()?)),
            ColumnReader::Float8 => ValueRef::F64(f64::from_be_bytes(raw.try_into().ok()?)),
            // The commonest kinds without a borrowed form of their own, decoded in place.
            ColumnReader::Int4 => owned(Value::I32(i32::from_be_bytes(raw.try_into().ok()?))),
            ColumnReader::Int2 => owned(Value::I16(i16::from_be_bytes(raw.try_into().ok()?))),
            ColumnReader::Bool => match raw {
                [b] => owned(Value::Bool(*b != 0)),
                _ => return None,
            },
            ColumnReader::Text => ValueRef::Text(std::str::from_utf8(raw).ok()?),
            ColumnReader::Bytea => ValueRef::Bytes(raw),
            ColumnReader::Other => return None,
        })
    }
}

/// A decoded value as a [`ValueRef`].
fn owned(value: Value) -> ValueRef<'static> {
    ValueRef::Value(Cow::Owned(value))
}

fn interval_from_sql(raw: &[u8]) -> Result<Value, BoxError> {
    if raw.len() != 16 {
        return Err("invalid interval".into());
    }
    let micros = i64::from_be_bytes(raw[0..8].try_into()?);
    let days = i32::from_be_bytes(raw[8..12].try_into()?);
    let months = i32::from_be_bytes(raw[12..16].try_into()?);
    Ok(Value::Interval(Interval::new(months, days, micros)))
}

/// Whether every value of a column of type `ty` decodes (the server's binary format of these
/// types cannot hold a value [`PgValue`] rejects), so rows of such columns can be decoded
/// when they are read rather than when they arrive.
pub(crate) fn always_decodes(ty: &Type) -> bool {
    matches!(
        ty.oid(),
        oid::BOOL
            | oid::INT2
            | oid::INT4
            | oid::INT8
            | oid::OID
            | oid::FLOAT4
            | oid::FLOAT8
            | oid::TEXT
            | oid::VARCHAR
            | oid::BPCHAR
            | oid::NAME
            | oid::UNKNOWN
            | oid::CHAR
            | oid::BYTEA
            | oid::UUID
    )
}

/// A column value's bytes as the server sent them (`None` for NULL).
pub(crate) struct RawBytes<'a>(pub Option<&'a [u8]>);

impl<'a> FromSql<'a> for RawBytes<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(RawBytes(Some(raw)))
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(RawBytes(None))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Type OIDs of the columns decoded on the hot path (a match on them is a jump table).
mod oid {
    pub const BOOL: u32 = 16;
    pub const BYTEA: u32 = 17;
    pub const CHAR: u32 = 18;
    pub const NAME: u32 = 19;
    pub const INT8: u32 = 20;
    pub const INT2: u32 = 21;
    pub const INT4: u32 = 23;
    pub const TEXT: u32 = 25;
    pub const OID: u32 = 26;
    pub const JSON: u32 = 114;
    pub const FLOAT4: u32 = 700;
    pub const FLOAT8: u32 = 701;
    pub const UNKNOWN: u32 = 705;
    pub const BPCHAR: u32 = 1042;
    pub const VARCHAR: u32 = 1043;
    pub const DATE: u32 = 1082;
    pub const TIME: u32 = 1083;
    pub const TIMESTAMP: u32 = 1114;
    pub const TIMESTAMPTZ: u32 = 1184;
    pub const INTERVAL: u32 = 1186;
    pub const NUMERIC: u32 = 1700;
    pub const UUID: u32 = 2950;
    pub const JSONB: u32 = 3802;
}

impl<'a> FromSql<'a> for PgValue {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        use postgres_protocol::types as wire;
        let value = match ty.oid() {
            oid::BOOL => Value::Bool(wire::bool_from_sql(raw)?),
            oid::INT2 => Value::I16(wire::int2_from_sql(raw)?),
            oid::INT4 => Value::I32(wire::int4_from_sql(raw)?),
            oid::INT8 => Value::I64(wire::int8_from_sql(raw)?),
            oid::OID => Value::I64(wire::oid_from_sql(raw)?.into()),
            oid::FLOAT4 => Value::F32(wire::float4_from_sql(raw)?),
            oid::FLOAT8 => Value::F64(wire::float8_from_sql(raw)?),
            oid::NUMERIC => Value::Decimal(Decimal::from_sql(ty, raw)?),
            oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME | oid::UNKNOWN | oid::CHAR => {
                Value::Text(wire::text_from_sql(raw)?.to_owned())
            }
            oid::BYTEA => Value::Bytes(raw.to_vec()),
            oid::DATE => Value::Date(FromSql::from_sql(ty, raw)?),
            oid::TIME => Value::Time(FromSql::from_sql(ty, raw)?),
            oid::TIMESTAMP => Value::Timestamp(FromSql::from_sql(ty, raw)?),
            oid::TIMESTAMPTZ => Value::TimestampTz(FromSql::from_sql(ty, raw)?),
            oid::INTERVAL => interval_from_sql(raw)?,
            oid::UUID => Value::Uuid(FromSql::from_sql(ty, raw)?),
            oid::JSON | oid::JSONB => Value::Json(Box::new(FromSql::from_sql(ty, raw)?)),
            _ => match ty.kind() {
                Kind::Array(member) => super::pg_array::from_sql(member, raw)?,
                Kind::Domain(base) => PgValue::from_sql(base, raw)?.0,
                Kind::Enum(_) => Value::Text(std::str::from_utf8(raw)?.to_owned()),
                _ => super::pg_text::other_type(ty, raw)?,
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
    if let Some(SqlType::Array { item, .. }) = sql_type {
        return array_of(&scalar_type(item)?);
    }
    if let Value::Array(items) = value {
        // An IN list's type is its elements'; an untyped array's, its first element's.
        let member = match sql_type {
            Some(t) => scalar_type(t),
            None => first_leaf(items).and_then(value_type),
        }?;
        return array_of(&member);
    }
    match sql_type {
        Some(t) => scalar_type(t),
        None => value_type(value),
    }
}

/// The first non-NULL element of a (possibly nested) array.
fn first_leaf(items: &[Value]) -> Option<&Value> {
    items.iter().find_map(|v| match v {
        Value::Null => None,
        Value::Array(inner) => first_leaf(inner),
        leaf => Some(leaf),
    })
}

fn scalar_type(t: &SqlType) -> Option<Type> {
    Some(match t {
        SqlType::SmallInteger => Type::INT2,
        SqlType::Integer => Type::INT4,
        SqlType::BigInteger => Type::INT8,
        SqlType::Float | SqlType::Double => Type::FLOAT8,
        SqlType::Real => Type::FLOAT4,
        SqlType::Numeric(..) => Type::NUMERIC,
        SqlType::String(_) => Type::VARCHAR,
        SqlType::Char(_) => Type::BPCHAR,
        SqlType::Text => Type::TEXT,
        SqlType::Boolean => Type::BOOL,
        SqlType::Date => Type::DATE,
        SqlType::Time { .. } => Type::TIME,
        SqlType::DateTime {
            timezone: false, ..
        } => Type::TIMESTAMP,
        SqlType::DateTime { timezone: true, .. } => Type::TIMESTAMPTZ,
        SqlType::Interval { .. } => Type::INTERVAL,
        SqlType::LargeBinary => Type::BYTEA,
        SqlType::Uuid => Type::UUID,
        SqlType::Json => Type::JSONB,
        SqlType::Other(_) => return None,
        SqlType::Array { item, .. } => return array_of(&scalar_type(item)?),
        // An enum's type is the server's (its OID is the database's own): it infers it.
        SqlType::Enum(_) => return None,
        SqlType::Domain(d) => return scalar_type(d.base()),
        SqlType::TsVector => Type::TS_VECTOR,
        SqlType::TsQuery => Type::TSQUERY,
        SqlType::Custom(c) => return scalar_type(c.impl_type()),
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
