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
        SqlType::String(_) | SqlType::Char(_) | SqlType::Text => Affinity::String,
        SqlType::Date => Affinity::Date,
        SqlType::DateTime { .. } => Affinity::DateTime,
        SqlType::Time { .. } => Affinity::Time,
        SqlType::Interval { .. } => Affinity::Interval,
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
        Value::Time(_) => SqlType::TIME,
        Value::Timestamp(_) => SqlType::DATETIME,
        Value::TimestampTz(_) => SqlType::DATETIME_TZ,
        Value::Interval(_) => SqlType::INTERVAL,
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
    let datetime = SqlType::DATETIME;
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
        (A::Date | A::DateTime, O::Sub, A::DateTime) => SqlType::INTERVAL,
        (A::Time, O::Add, A::Date) => datetime,
        (A::Time, O::Sub, A::Time) => SqlType::INTERVAL,
        (A::Interval, O::Add, A::Date) => datetime,
        (A::Interval, O::Add, A::DateTime | A::Time) => r,
        _ => l,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, Table};
    use BinaryOp as O;
    use SqlType as T;

    fn t() -> Table {
        Table::new("t")
            .column(Column::new("i", T::Integer))
            .column(Column::new("b", T::BigInteger))
            .column(Column::new("n", T::Numeric(Some(10), Some(2))))
            .column(Column::new("f", T::Float))
            .column(Column::new("d", T::Date))
            .column(Column::new("ts", T::DATETIME_TZ))
            .column(Column::new("iv", T::INTERVAL))
            .column(Column::new("s", T::String(Some(5))))
    }

    #[test]
    fn result_types_follow_sqlalchemy() {
        let t = t();
        let c = |name: &str| t.c(name);
        let numeric = Some(T::Numeric(Some(10), Some(2)));
        assert_eq!((c("i") / c("i")).sql_type(), Some(T::Numeric(None, None)));
        assert_eq!((c("i") * c("n")).sql_type(), numeric);
        assert_eq!((c("n") * c("i")).sql_type(), numeric);
        assert_eq!((c("i") + c("f")).sql_type(), Some(T::Float));
        assert_eq!((c("n") - c("f")).sql_type(), numeric);
        assert_eq!((c("b") + c("i")).sql_type(), Some(T::BigInteger));
        assert_eq!(c("i").floordiv(c("i")).sql_type(), Some(T::Integer));
        assert_eq!(c("i").floordiv(c("n")).sql_type(), numeric);
        assert_eq!((c("i") % c("n")).sql_type(), Some(T::Integer));
        let datetime = Some(T::DATETIME);
        assert_eq!((c("d") + c("iv")).sql_type(), datetime);
        assert_eq!((c("d") - c("d")).sql_type(), Some(T::Integer));
        assert_eq!((c("d") + 1).sql_type(), Some(T::Date));
        assert_eq!((c("ts") - c("ts")).sql_type(), Some(T::INTERVAL));
        assert_eq!((c("iv") + c("ts")).sql_type(), Some(T::DATETIME_TZ));
        assert_eq!((c("iv") * 2).sql_type(), Some(T::INTERVAL));
        // Values have their own types; `+` of strings is concatenation.
        assert_eq!((c("i") + 0.5).sql_type(), Some(T::Float));
        assert_eq!(
            (crate::expr::literal(7) / 2).sql_type(),
            Some(T::Numeric(None, None))
        );
        assert!(matches!(c("s") + "x", Expr::Binary(O::Concat, ..)));
        assert!(matches!(c("s") + c("s"), Expr::Binary(O::Concat, ..)));
        assert!(matches!(c("s") + 1, Expr::Binary(O::Add, ..)));
        assert_eq!((c("s") + "x").sql_type(), Some(T::String(Some(5))));
    }

    #[test]
    fn a_value_meeting_another_family_keeps_its_type() {
        let t = t();
        let Expr::Binary(_, _, right) = t.c("i") * 1.5 else {
            panic!()
        };
        assert_eq!(right.sql_type(), Some(T::Float));
        let Expr::Binary(_, _, right) = t.c("n") * 2i64 else {
            panic!()
        };
        assert_eq!(right.sql_type(), Some(T::BigInteger));
        let Expr::Binary(_, _, right) = t.c("b") * 2 else {
            panic!()
        };
        assert_eq!(right.sql_type(), Some(T::BigInteger));
    }
}
