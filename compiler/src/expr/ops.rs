//! Operators on [`Expr`]: comparisons, boolean logic, arithmetic, IN, BETWEEN and LIKE.

use super::{BinaryOp, Bind, BindParam, Expr, InList, Like};
use crate::error::CompileError;
use crate::stmt::{CompoundSelect, Query, Select};
use crate::value::Value;

/// A bound literal value (SQLAlchemy's `literal()`): always a parameter, never inlined.
///
/// ```
/// use sqlcore_compiler::*;
/// let sql = select([literal(1).label("one")]).compile(&SQLite).unwrap().sql;
/// assert_eq!(sql, "SELECT ?1 AS one");
/// ```
pub fn literal(value: impl Into<Value>) -> Expr {
    Expr::Bind(Bind {
        value: value.into(),
        sql_type: None,
    })
}

/// A bound value with a known SQL type (drivers that prepare statements on the server bind
/// it with that type, e.g. LIMIT and OFFSET as BIGINT).
pub fn typed_literal(value: impl Into<Value>, sql_type: crate::schema::SqlType) -> Expr {
    Expr::Bind(Bind {
        value: value.into(),
        sql_type: Some(sql_type),
    })
}

/// A named parameter whose value is supplied at execution (SQLAlchemy's `bindparam`). The
/// same name used twice binds one value.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("id", SqlType::Integer));
/// let compiled = select(&t).filter(t.c("id").eq(bindparam("id"))).compile(&PostgreSQL).unwrap();
/// assert_eq!(compiled.sql, "SELECT t.id FROM t WHERE t.id = $1");
/// let values = compiled.bind(&params! { "id" => 7 }).unwrap().values;
/// assert_eq!(values, vec![Value::I32(7)]);
/// ```
pub fn bindparam(name: &str) -> Expr {
    Expr::Param(BindParam {
        name: name.into(),
        expanding: false,
        sql_type: None,
    })
}

/// `a AND b AND ...`; an empty list is true.
pub fn and_<I>(items: I) -> Expr
where
    I: IntoIterator,
    I::Item: Into<Expr>,
{
    Expr::Bool {
        and: true,
        items: items.into_iter().map(Into::into).collect(),
    }
}

/// `a OR b OR ...`; an empty list is false.
pub fn or_<I>(items: I) -> Expr
where
    I: IntoIterator,
    I::Item: Into<Expr>,
{
    Expr::Bool {
        and: false,
        items: items.into_iter().map(Into::into).collect(),
    }
}

/// What can stand on the right of `IN`: a list of values, a subquery, or an expanding
/// [`bindparam`].
pub trait InOperand {
    /// Converts into an [`InList`].
    fn into_in_list(self) -> InList;
}

impl<T: Into<Value>> InOperand for Vec<T> {
    fn into_in_list(self) -> InList {
        let items = self.into_iter().map(Into::into).collect();
        InList::Values(Bind {
            value: Value::Array(items),
            sql_type: None,
        })
    }
}

impl<T: Into<Value>, const N: usize> InOperand for [T; N] {
    fn into_in_list(self) -> InList {
        let items = self.into_iter().map(Into::into).collect();
        InList::Values(Bind {
            value: Value::Array(items),
            sql_type: None,
        })
    }
}

impl<T: Into<Value> + Clone> InOperand for &[T] {
    fn into_in_list(self) -> InList {
        self.to_vec().into_in_list()
    }
}

impl InOperand for Select {
    fn into_in_list(self) -> InList {
        InList::Query(Box::new(Query::from(self)))
    }
}

impl InOperand for CompoundSelect {
    fn into_in_list(self) -> InList {
        InList::Query(Box::new(Query::from(self)))
    }
}

/// An expanding bindparam: `col.in_(bindparam("ids"))` takes a list at execution.
impl InOperand for Expr {
    fn into_in_list(self) -> InList {
        match self {
            Expr::Param(mut p) => {
                p.expanding = true;
                InList::Param(p)
            }
            Expr::ScalarSubquery(q) => InList::Query(q),
            Expr::Invalid(err) => InList::Invalid(err),
            other => InList::Invalid(CompileError::invalid(format!(
                "IN needs a list of values, a subquery or a bindparam, not {other:?}"
            ))),
        }
    }
}

fn boxed(e: impl Into<Expr>) -> Box<Expr> {
    Box::new(e.into())
}

/// Gives an untyped bound value the type of the expression it meets.
fn typed_like(other: Expr, this: &Expr) -> Expr {
    match other {
        Expr::Bind(Bind {
            value,
            sql_type: None,
        }) => Expr::Bind(Bind {
            value,
            sql_type: this.sql_type(),
        }),
        Expr::Param(BindParam {
            name,
            expanding,
            sql_type: None,
        }) => Expr::Param(BindParam {
            name,
            expanding,
            sql_type: this.sql_type(),
        }),
        other => other,
    }
}

fn is_null_literal(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Null
            | Expr::Bind(Bind {
                value: Value::Null,
                ..
            })
    )
}

/// LIKE patterns for `startswith` and friends escape `%`, `_` and `/` with `/`.
const LIKE_ESCAPE: char = '/';

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | LIKE_ESCAPE) {
            out.push(LIKE_ESCAPE);
        }
        out.push(ch);
    }
    out
}

impl Expr {
    fn binary(self, op: BinaryOp, other: impl Into<Expr>) -> Expr {
        let other = typed_like(other.into(), &self);
        Expr::Binary(op, Box::new(self), Box::new(other))
    }

    /// `self = other`; comparing with NULL renders `IS NULL`, as in SQLAlchemy.
    pub fn eq(self, other: impl Into<Expr>) -> Expr {
        let other = other.into();
        if is_null_literal(&other) {
            return self.is_null();
        }
        self.binary(BinaryOp::Eq, other)
    }

    /// `self <> other`; comparing with NULL renders `IS NOT NULL`.
    pub fn ne(self, other: impl Into<Expr>) -> Expr {
        let other = other.into();
        if is_null_literal(&other) {
            return self.is_not_null();
        }
        self.binary(BinaryOp::Ne, other)
    }

    /// `self < other`.
    pub fn lt(self, other: impl Into<Expr>) -> Expr {
        self.binary(BinaryOp::Lt, other)
    }

    /// `self <= other`.
    pub fn le(self, other: impl Into<Expr>) -> Expr {
        self.binary(BinaryOp::Le, other)
    }

    /// `self > other`.
    pub fn gt(self, other: impl Into<Expr>) -> Expr {
        self.binary(BinaryOp::Gt, other)
    }

    /// `self >= other`.
    pub fn ge(self, other: impl Into<Expr>) -> Expr {
        self.binary(BinaryOp::Ge, other)
    }

    /// `self IS DISTINCT FROM other` (`NOT (a <=> b)` on MySQL).
    pub fn is_distinct_from(self, other: impl Into<Expr>) -> Expr {
        self.binary(BinaryOp::IsDistinctFrom, other)
    }

    /// `self IS NOT DISTINCT FROM other` (`a <=> b` on MySQL).
    pub fn is_not_distinct_from(self, other: impl Into<Expr>) -> Expr {
        self.binary(BinaryOp::IsNotDistinctFrom, other)
    }

    /// `self IS NULL`.
    pub fn is_null(self) -> Expr {
        Expr::IsNull(Box::new(self), false)
    }

    /// `self IS NOT NULL`.
    pub fn is_not_null(self) -> Expr {
        Expr::IsNull(Box::new(self), true)
    }

    /// `self AND other`.
    pub fn and(self, other: impl Into<Expr>) -> Expr {
        and_([self, other.into()])
    }

    /// `self OR other`.
    pub fn or(self, other: impl Into<Expr>) -> Expr {
        or_([self, other.into()])
    }

    /// String concatenation: `self || other` (`concat(self, other)` on MySQL).
    pub fn concat(self, other: impl Into<Expr>) -> Expr {
        self.binary(BinaryOp::Concat, other)
    }

    /// `self IN (...)` with a list of values, a subquery, or an expanding bindparam. An empty
    /// list renders valid SQL that is false for every row (including NULLs).
    ///
    /// The list is one parameter: `= ANY($1)` on PostgreSQL; expanded into one placeholder per
    /// value after compilation elsewhere, so the compiled form never depends on its length.
    pub fn in_(self, list: impl InOperand) -> Expr {
        let list = self.typed_list(list.into_in_list());
        Expr::In(Box::new(self), list, false)
    }

    /// `self NOT IN (...)`; an empty list is true for every row.
    pub fn not_in(self, list: impl InOperand) -> Expr {
        let list = self.typed_list(list.into_in_list());
        Expr::In(Box::new(self), list, true)
    }

    fn typed_list(&self, list: InList) -> InList {
        match list {
            InList::Values(Bind {
                value,
                sql_type: None,
            }) => InList::Values(Bind {
                value,
                sql_type: self.sql_type(),
            }),
            InList::Param(BindParam {
                name,
                expanding,
                sql_type: None,
            }) => InList::Param(BindParam {
                name,
                expanding,
                sql_type: self.sql_type(),
            }),
            other => other,
        }
    }

    /// `self BETWEEN low AND high`.
    pub fn between(self, low: impl Into<Expr>, high: impl Into<Expr>) -> Expr {
        let low = typed_like(low.into(), &self);
        let high = typed_like(high.into(), &self);
        Expr::Between(Box::new(self), Box::new(low), Box::new(high), false)
    }

    /// `self NOT BETWEEN low AND high`.
    pub fn not_between(self, low: impl Into<Expr>, high: impl Into<Expr>) -> Expr {
        match self.between(low, high) {
            Expr::Between(e, l, h, _) => Expr::Between(e, l, h, true),
            other => other,
        }
    }

    fn like_with(
        self,
        pattern: impl Into<Expr>,
        negated: bool,
        ci: bool,
        escape: Option<char>,
    ) -> Expr {
        Expr::Like(Like {
            expr: Box::new(self),
            pattern: boxed(pattern),
            negated,
            case_insensitive: ci,
            escape,
        })
    }

    /// `self LIKE pattern`.
    pub fn like(self, pattern: impl Into<Expr>) -> Expr {
        self.like_with(pattern, false, false, None)
    }

    /// `self NOT LIKE pattern`.
    pub fn not_like(self, pattern: impl Into<Expr>) -> Expr {
        self.like_with(pattern, true, false, None)
    }

    /// `self ILIKE pattern` (`lower(self) LIKE lower(pattern)` where there is no ILIKE).
    pub fn ilike(self, pattern: impl Into<Expr>) -> Expr {
        self.like_with(pattern, false, true, None)
    }

    /// `self NOT ILIKE pattern`.
    pub fn not_ilike(self, pattern: impl Into<Expr>) -> Expr {
        self.like_with(pattern, true, true, None)
    }

    /// `self LIKE pattern ESCAPE escape`.
    pub fn like_escape(self, pattern: impl Into<Expr>, escape: char) -> Expr {
        self.like_with(pattern, false, false, Some(escape))
    }

    fn affix_like(self, prefix: bool, suffix: bool, text: &str) -> Expr {
        let mut pattern = String::new();
        if prefix {
            pattern.push('%');
        }
        pattern.push_str(&escape_like(text));
        if suffix {
            pattern.push('%');
        }
        self.like_with(pattern, false, false, Some(LIKE_ESCAPE))
    }

    /// `self LIKE 'text%'`, with `%`, `_` and `/` in `text` matched literally.
    pub fn startswith(self, text: &str) -> Expr {
        self.affix_like(false, true, text)
    }

    /// `self LIKE '%text'`, with `%`, `_` and `/` in `text` matched literally.
    pub fn endswith(self, text: &str) -> Expr {
        self.affix_like(true, false, text)
    }

    /// `self LIKE '%text%'`, with `%`, `_` and `/` in `text` matched literally.
    pub fn contains(self, text: &str) -> Expr {
        self.affix_like(true, true, text)
    }
}

macro_rules! arithmetic {
    ($($trait:ident $method:ident $op:ident),*) => {$(
        impl<T: Into<Expr>> std::ops::$trait<T> for Expr {
            type Output = Expr;
            fn $method(self, rhs: T) -> Expr {
                self.binary(BinaryOp::$op, rhs)
            }
        }
    )*};
}
arithmetic!(Add add Add, Sub sub Sub, Mul mul Mul, Div div Div, Rem rem Mod);

impl std::ops::Not for Expr {
    type Output = Expr;
    fn not(self) -> Expr {
        super::not_(self)
    }
}

impl std::ops::Neg for Expr {
    type Output = Expr;
    fn neg(self) -> Expr {
        Expr::Neg(Box::new(self))
    }
}

impl<T: Into<Expr>> std::ops::BitAnd<T> for Expr {
    type Output = Expr;
    /// `a & b` is `a AND b`, as in SQLAlchemy.
    fn bitand(self, rhs: T) -> Expr {
        self.and(rhs)
    }
}

impl<T: Into<Expr>> std::ops::BitOr<T> for Expr {
    type Output = Expr;
    /// `a | b` is `a OR b`, as in SQLAlchemy.
    fn bitor(self, rhs: T) -> Expr {
        self.or(rhs)
    }
}
