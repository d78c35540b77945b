//! Conveniences SQLAlchemy users reach for: expanding parameters, `true()` / `false()` with
//! `is_()`, ordering by a label's name.

use super::{BindParam, Expr};
use crate::error::CompileError;
use crate::schema::SqlType;

/// A named parameter that takes a list at execution (SQLAlchemy's
/// `bindparam(name, expanding=True)`): in `in_()` or a `text()` clause's `IN :name`.
pub fn bindparam_expanding(name: &str) -> Expr {
    Expr::Param(BindParam {
        name: name.into(),
        expanding: true,
        sql_type: None,
    })
}

impl Expr {
    /// Gives a parameter or bound value its SQL type (SQLAlchemy's `bindparam(..., type_=)`),
    /// which servers that prepare statements declare — needed, e.g., for an empty list on
    /// PostgreSQL, whose element type nothing else tells.
    pub fn with_type(self, sql_type: SqlType) -> Expr {
        match self {
            Expr::Param(mut p) => {
                p.sql_type = Some(sql_type);
                Expr::Param(p)
            }
            Expr::Bind(mut b) => {
                b.sql_type = Some(sql_type);
                Expr::Bind(b)
            }
            Expr::Invalid(e) => Expr::Invalid(e),
            _ => Expr::Invalid(CompileError::invalid(
                "with_type() applies to a bindparam() or a bound value",
            )),
        }
    }
}

/// SQL `true` (`1` on SQLite), SQLAlchemy's `true()`: a constant criterion, `ON true` for a
/// LATERAL join, or the right side of [`Expr::is_`].
pub fn true_() -> Expr {
    Expr::BoolConst(true)
}

/// SQL `false` (`0` on SQLite), SQLAlchemy's `false()`.
pub fn false_() -> Expr {
    Expr::BoolConst(false)
}

impl Expr {
    /// `self IS other`: `IS NULL` for [`null()`](crate::null), `IS TRUE` / `IS FALSE` for
    /// [`true_()`] / [`false_()`], and `IS NOT DISTINCT FROM` for anything else (SQLAlchemy's
    /// `is_()`).
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("ok", SqlType::Boolean));
    /// let q = select(&t).filter(t.c("ok").is_(true_()).or(t.c("ok").is_not(null())));
    /// assert_eq!(q.compile(&PostgreSQL).unwrap().sql, "SELECT t.ok FROM t WHERE t.ok IS TRUE OR t.ok IS NOT NULL");
    /// ```
    pub fn is_(self, other: impl Into<Expr>) -> Expr {
        self.identity_test(other.into(), false)
    }

    /// `self IS NOT other` (see [`Expr::is_`]).
    pub fn is_not(self, other: impl Into<Expr>) -> Expr {
        self.identity_test(other.into(), true)
    }

    fn identity_test(self, other: Expr, negated: bool) -> Expr {
        match other {
            Expr::Null => Expr::IsNull(Box::new(self), negated),
            Expr::BoolConst(value) => Expr::IsBool(Box::new(self), value, negated),
            other if negated => self.is_distinct_from(other),
            other => self.is_not_distinct_from(other),
        }
    }
}
