//! The types of arithmetic, after SQLAlchemy's `_expression_adaptations`: the result type of
//! `left op right` and the type a bound value takes when it meets an expression.

use super::{BinaryOp, Bind, Expr};
use crate::schema::SqlType;
use crate::value::Value;

/// A type's family (SQLAlchemy's `_type_affinity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Affinity {
    Integer,
    Numeric,
    Float,
    String,
    Date,
    DateTime,
    Time,
    Interval,
    Other,
}

pub(crate) fn affinity(t: &SqlType) -> Affinity {
    match t {
        SqlType::SmallInteger | SqlType::Integer | SqlType::BigInteger => Affinity::Integer,
        SqlType::Numeric(..) => Affinity::Numeric,
        SqlType::Float | SqlType::Double | SqlType::Real => Affinity::Float,
        SqlType::String(_) | SqlType::Text => Affinity::String,
        SqlType::Date => Affinity::Date,
        SqlType::DateTime { .. } => Affinity::DateTime,
        SqlType::Time => Affinity::Time,
        SqlType::Interval => Affinity::Interval,
        _ => Affinity::Other,
    }
}

/// The type a Rust value has on its own (SQLAlchemy's `_resolve_value_to_type`).
pub(crate) fn value_type(v: &Value) -> Option<SqlType> {
    Some(match v {
        Value::I16(_) => SqlType::SmallInteger,
        Value::I32(_) => SqlType::Integer,
        Value::I64(_) => SqlType::BigInteger,
        Value::F32(_) => SqlType::Real,
        Value::F64(_) => SqlType::Float,
        Value::Decimal(_) => SqlType::Numeric(None, None),
        Value::Text(_) => SqlType::String(None),
        Value::Bool(_) => SqlType::Boolean,
        Value::Date(_) => SqlType::Date,
        Value::Time(_) => SqlType::Time,
        Value::Timestamp(_) => SqlType::DateTime { timezone: false },
        Value::TimestampTz(_) => SqlType::DateTime { timezone: true },
        Value::Interval(_) => SqlType::Interval,
        _ => return None,
    })
}

/// The type of an arithmetic operand: its declared type, or a bound value's own.
pub(crate) fn operand_type(e: &Expr) -> Option<SqlType> {
    e.sql_type().or_else(|| match e {
        Expr::Bind(Bind { value, .. }) => value_type(value),
        _ => None,
    })
}

/// The type an untyped value takes on the right of an arithmetic operator whose left side is
/// of type `left` (SQLAlchemy's `coerce_compared_value`): the left type when the value is of
/// its family, else the value's own type (`int_col * 1.5` binds a float, not an integer).
pub(crate) fn coerced(left: Option<SqlType>, value: &Value) -> Option<SqlType> {
    match (left, value_type(value)) {
        (Some(l), Some(v)) if affinity(&l) != affinity(&v) => Some(v),
        (l, v) => l.or(v),
    }
}

/// The result type of `left op right` for an arithmetic operator, as SQLAlchemy infers it:
/// `Integer / Integer` is `Numeric`, `Integer * Numeric` is the `Numeric`, `Integer + Float`
/// the `Float`, `Date - Date` an `Integer`, `DateTime - DateTime` an `Interval`; where no rule
/// applies, the left operand's type (or, for `+` and `*`, the right's when the left is untyped).
pub(crate) fn result_type(
    op: BinaryOp,
    left: Option<SqlType>,
    right: Option<SqlType>,
) -> Option<SqlType> {
    use Affinity as A;
    use BinaryOp as O;
    let Some(l) = left else {
        return if matches!(op, O::Add | O::Mul) {
            right
        } else {
            None
        };
    };
    let Some(r) = right else { return Some(l) };
    let numeric = SqlType::Numeric(None, None);
    let datetime = SqlType::DateTime { timezone: false };
    Some(match (affinity(&l), op, affinity(&r)) {
        (A::Integer, O::Add | O::Mul | O::Sub, A::Numeric | A::Float) => r,
        (A::Integer, O::Add, A::Date) | (A::Integer, O::Mul, A::Interval) => r,
        (A::Integer, O::Div, A::Integer) => numeric,
        (A::Integer, O::Div, A::Numeric | A::Float) => r,
        (A::Integer, O::FloorDiv, A::Numeric) => r,
        (A::Numeric | A::Float, O::Mul, A::Interval) => r,
        (A::Date, O::Add, A::Interval | A::Time) => datetime,
        (A::Date, O::Sub, A::Date) => SqlType::Integer,
        (A::Date, O::Sub, A::Interval) => datetime,
        (A::Date | A::DateTime, O::Sub, A::DateTime) => SqlType::Interval,
        (A::Time, O::Add, A::Date) => datetime,
        (A::Time, O::Sub, A::Time) => SqlType::Interval,
        (A::Interval, O::Add, A::Date) => datetime,
        (A::Interval, O::Add, A::DateTime | A::Time) => r,
        _ => l,
    })
}
