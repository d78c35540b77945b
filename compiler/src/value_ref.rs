//! [`ValueRef`]: a value read where the driver holds it.

use crate::value::Value;
use std::borrow::Cow;

/// A value read where the driver holds it: the kinds a row mostly holds (integers, floats,
/// text, bytes) borrowed or copied as they are, anything else as a [`Value`]. Reading a
/// column through it into a Rust type ([`FromValue::from_value_ref`]) builds no `Value` on
/// the way: text is copied once, into the `String` asked for.
///
/// It means exactly what [`ValueRef::to_value`] gives.
///
/// ```
/// use sqlcore_compiler::{FromValue, Value, ValueRef};
/// assert_eq!(String::from_value_ref(&ValueRef::Text("ed")), Ok("ed".to_owned()));
/// assert_eq!(Option::<i64>::from_value_ref(&ValueRef::Null), Ok(None));
/// assert_eq!(ValueRef::from(&Value::I64(3)), ValueRef::I64(3));
/// assert_eq!(ValueRef::Bytes(b"ab").into_owned(), Value::Bytes(b"ab".to_vec()));
/// ```
///
/// [`FromValue::from_value_ref`]: crate::FromValue::from_value_ref
#[derive(Debug, Clone, PartialEq)]
pub enum ValueRef<'a> {
    /// SQL NULL.
    Null,
    /// A 64-bit integer ([`Value::I64`]).
    I64(i64),
    /// A double-precision float ([`Value::F64`]).
    F64(f64),
    /// Text ([`Value::Text`]).
    Text(&'a str),
    /// Bytes ([`Value::Bytes`]).
    Bytes(&'a [u8]),
    /// Any other value, or one the driver decoded already.
    Value(Cow<'a, Value>),
}

impl ValueRef<'_> {
    /// The value as an owned [`Value`] (a copy of what is borrowed).
    pub fn to_value(&self) -> Value {
        match self {
            ValueRef::Value(v) => v.as_ref().clone(),
            ValueRef::Null => Value::Null,
            ValueRef::I64(n) => Value::I64(*n),
            ValueRef::F64(f) => Value::F64(*f),
            ValueRef::Text(s) => Value::Text((*s).to_owned()),
            ValueRef::Bytes(b) => Value::Bytes(b.to_vec()),
        }
    }

    /// The value as an owned [`Value`], moved out where it is owned already.
    pub fn into_owned(self) -> Value {
        match self {
            ValueRef::Value(v) => v.into_owned(),
            other => other.to_value(),
        }
    }
}

impl<'a> From<&'a Value> for ValueRef<'a> {
    #[inline(always)]
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Null => ValueRef::Null,
            Value::I64(n) => ValueRef::I64(*n),
            Value::F64(f) => ValueRef::F64(*f),
            Value::Text(s) => ValueRef::Text(s),
            Value::Bytes(b) => ValueRef::Bytes(b),
            other => ValueRef::Value(Cow::Borrowed(other)),
        }
    }
}

impl From<Value> for ValueRef<'_> {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => ValueRef::Null,
            Value::I64(n) => ValueRef::I64(n),
            Value::F64(f) => ValueRef::F64(f),
            other => ValueRef::Value(Cow::Owned(other)),
        }
    }
}
