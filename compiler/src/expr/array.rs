//! PostgreSQL arrays: containment and overlap (`@>`, `<@`, `&&`), `ANY` / `ALL`, element and
//! slice access, `ARRAY[...]` and `array_agg` (SQLAlchemy's `ARRAY` comparator and
//! `postgresql.array`). Compiling any of them for a dialect without arrays
//! ([`Dialect::supports_arrays`](crate::Dialect::supports_arrays)) is a
//! [`CompileError::Unsupported`].

use super::{Bind, Expr, func};
use crate::error::CompileError;
use crate::schema::SqlType;
use crate::value::Value;

/// The array comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArrayOp {
    /// `@>`: the left array holds every element of the right one.
    Contains,
    /// `<@`: every element of the left array is in the right one.
    ContainedBy,
    /// `&&`: the arrays have an element in common.
    Overlap,
}

impl ArrayOp {
    /// The operator.
    pub fn as_sql(self) -> &'static str {
        match self {
            ArrayOp::Contains => "@>",
            ArrayOp::ContainedBy => "<@",
            ArrayOp::Overlap => "&&",
        }
    }
}

/// An array expression (see [`Expr::Array`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ArrayExpr {
    /// `left op right`.
    Op(ArrayOp, Expr, Expr),
    /// `ANY (array)` or, when `all`, `ALL (array)`: the right side of a comparison.
    AnyAll {
        /// The array (or a subquery, `ANY (SELECT ...)`).
        array: Expr,
        /// `ALL` rather than `ANY`.
        all: bool,
    },
    /// `array[index]` (1-based, as in SQL).
    Item {
        /// The array.
        array: Expr,
        /// The index.
        index: Expr,
    },
    /// `array[lower:upper]` (1-based, bounds included).
    Slice {
        /// The array.
        array: Expr,
        /// The first index.
        lower: Expr,
        /// The last index.
        upper: Expr,
    },
    /// `ARRAY[a, b, ...]`.
    Literal(Vec<Expr>),
}

impl ArrayExpr {
    /// The SQL type of the expression's value: the element type for an element of a
    /// one-dimensional array (an array of one dimension fewer for a multi-dimensional one),
    /// the array's type for a slice, Boolean for a comparison.
    pub fn sql_type(&self) -> Option<SqlType> {
        match self {
            ArrayExpr::Op(..) => Some(SqlType::Boolean),
            ArrayExpr::AnyAll { array, .. } => array.sql_type().and_then(|t| match t {
                SqlType::Array { item, .. } => Some(*item),
                // A subquery's column is compared element by element.
                other => matches!(array, Expr::ScalarSubquery(_)).then_some(other),
            }),
            ArrayExpr::Item { array, .. } => match array.sql_type()? {
                SqlType::Array {
                    item,
                    dimensions: Some(n),
                } if n > 1 => Some(SqlType::Array {
                    item,
                    dimensions: Some(n - 1),
                }),
                SqlType::Array { item, .. } => Some(*item),
                _ => None,
            },
            ArrayExpr::Slice { array, .. } => array.sql_type(),
            ArrayExpr::Literal(items) => {
                items
                    .iter()
                    .find_map(Expr::sql_type)
                    .map(|item| match item {
                        SqlType::Array {
                            item, dimensions, ..
                        } => SqlType::Array {
                            item,
                            dimensions: Some(dimensions.unwrap_or(1) + 1),
                        },
                        item => SqlType::array(item),
                    })
            }
        }
    }
}

/// What the array comparisons take on their right: an array expression (another column,
/// [`array()`]), or values bound as one array parameter typed like the left side.
pub trait ArrayOperand {
    /// The operand as an expression.
    fn into_array_operand(self) -> Expr;
}

impl ArrayOperand for Expr {
    fn into_array_operand(self) -> Expr {
        self
    }
}

impl ArrayOperand for Value {
    fn into_array_operand(self) -> Expr {
        Expr::Bind(Bind::new(self, None))
    }
}

impl<T: Into<Value>> ArrayOperand for Vec<T> {
    fn into_array_operand(self) -> Expr {
        Value::Array(self.into_iter().map(Into::into).collect()).into_array_operand()
    }
}

impl<T: Into<Value>, const N: usize> ArrayOperand for [T; N] {
    fn into_array_operand(self) -> Expr {
        Value::Array(self.into_iter().map(Into::into).collect()).into_array_operand()
    }
}

impl<T: Into<Value> + Clone> ArrayOperand for &[T] {
    fn into_array_operand(self) -> Expr {
        self.to_vec().into_array_operand()
    }
}

/// `ARRAY[a, b, ...]` (SQLAlchemy's `postgresql.array`): each element an expression, values
/// bound. Typed as an array of the first typed element's type. PostgreSQL only.
///
/// ```
/// use sqlcore_compiler::*;
/// let q = select([array([1, 2]).label("a")]);
/// assert_eq!(q.compile(&PostgreSQL).unwrap().sql, "SELECT ARRAY[$1, $2] AS a");
/// assert!(q.compile(&SQLite).is_err());
/// ```
pub fn array<I>(items: I) -> Expr
where
    I: IntoIterator,
    I::Item: Into<Expr>,
{
    Expr::Array(Box::new(ArrayExpr::Literal(
        items.into_iter().map(Into::into).collect(),
    )))
}

/// `array_agg(expr)`: the values of a group as an array, typed as an array of `expr`'s type.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("n", SqlType::Integer));
/// let agg = array_agg(t.c("n"));
/// assert_eq!(agg.sql_type(), Some(SqlType::array(SqlType::Integer)));
/// let q = select([agg.label("ns")]);
/// assert_eq!(q.compile(&PostgreSQL).unwrap().sql, "SELECT array_agg(t.n) AS ns FROM t");
/// ```
pub fn array_agg(expr: impl Into<Expr>) -> Expr {
    func("array_agg", [expr.into()])
}

/// `ANY (array)` (SQLAlchemy's `any_`), compared with a value: `any_(col).eq(5)` renders
/// `$1 = ANY (col)`, the value on the left as PostgreSQL requires (an ordering comparison is
/// mirrored: `any_(col).gt(5)` is `$1 < ANY (col)`). Also `col.any_()`.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("tags", SqlType::array(SqlType::Text)));
/// let q = select([t.c("tags")]).filter(any_(t.c("tags")).eq("red"));
/// assert_eq!(q.compile(&PostgreSQL).unwrap().sql, "SELECT t.tags FROM t WHERE $1 = ANY (t.tags)");
/// let q = select([t.c("tags")]).filter(t.c("tags").all_().ne("red"));
/// assert_eq!(q.compile(&PostgreSQL).unwrap().sql, "SELECT t.tags FROM t WHERE $1 <> ALL (t.tags)");
/// ```
pub fn any_(array: impl Into<Expr>) -> Expr {
    array.into().any_()
}

/// `ALL (array)` (SQLAlchemy's `all_`); see [`any_`].
pub fn all_(array: impl Into<Expr>) -> Expr {
    array.into().all_()
}

fn index(i: impl Into<Expr>) -> Expr {
    match i.into() {
        Expr::Bind(b) if b.sql_type.is_none() => Expr::Bind(b.with_type(Some(SqlType::Integer))),
        other => other,
    }
}

impl Expr {
    fn array_op(self, op: ArrayOp, other: impl ArrayOperand) -> Expr {
        let other = match other.into_array_operand() {
            Expr::Bind(b) if b.sql_type.is_none() => {
                Expr::Bind(b.with_type(self.sql_type().filter(|t| t.array_item().is_some())))
            }
            other => other,
        };
        Expr::Array(Box::new(ArrayExpr::Op(op, self, other)))
    }

    /// `self @> other`: the array holds every element of `other` (SQLAlchemy's ARRAY
    /// `contains`; `contains` here is LIKE's). PostgreSQL only.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("ns", SqlType::array(SqlType::Integer)));
    /// let q = select([t.c("ns")]).filter(t.c("ns").array_contains([1, 2]));
    /// let c = q.compile(&PostgreSQL).unwrap();
    /// assert_eq!(c.sql, "SELECT t.ns FROM t WHERE t.ns @> $1");
    /// assert!(q.compile(&MySQL).is_err());
    /// ```
    pub fn array_contains(self, other: impl ArrayOperand) -> Expr {
        self.array_op(ArrayOp::Contains, other)
    }

    /// `self <@ other`: every element of the array is in `other` (SQLAlchemy's
    /// `contained_by`; [`Expr::contained_by`] is JSONB's). PostgreSQL only.
    pub fn array_contained_by(self, other: impl ArrayOperand) -> Expr {
        self.array_op(ArrayOp::ContainedBy, other)
    }

    /// `self && other`: the arrays share an element (SQLAlchemy's `overlap`). PostgreSQL only.
    pub fn array_overlap(self, other: impl ArrayOperand) -> Expr {
        self.array_op(ArrayOp::Overlap, other)
    }

    /// `ANY (self)`, to compare with a value: see [`any_`].
    pub fn any_(self) -> Expr {
        Expr::Array(Box::new(ArrayExpr::AnyAll {
            array: self,
            all: false,
        }))
    }

    /// `ALL (self)`, to compare with a value: see [`any_`].
    pub fn all_(self) -> Expr {
        Expr::Array(Box::new(ArrayExpr::AnyAll {
            array: self,
            all: true,
        }))
    }

    /// Element `index` of the array, `self[index]`, 1-based as in SQL (SQLAlchemy's `col[i]`
    /// with `zero_indexes=False`); the index is bound. Typed as the element type (an array of
    /// one dimension fewer for a multi-dimensional array, whose elements are reached with
    /// `item(i).item(j)`: `col[i][j]`). PostgreSQL only.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("ns", SqlType::array(SqlType::Integer)));
    /// let first = t.c("ns").item(1);
    /// assert_eq!(first.sql_type(), Some(SqlType::Integer));
    /// let q = select([first.label("n")]);
    /// assert_eq!(q.compile(&PostgreSQL).unwrap().sql, "SELECT t.ns[$1] AS n FROM t");
    /// ```
    pub fn item(self, index_: impl Into<Expr>) -> Expr {
        Expr::Array(Box::new(ArrayExpr::Item {
            array: self,
            index: index(index_),
        }))
    }

    /// The elements `lower` to `upper` (1-based, both included), `self[lower:upper]`, typed as
    /// the array. PostgreSQL only.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("ns", SqlType::array(SqlType::Integer)));
    /// let q = select([t.c("ns").slice(2, 3).label("s")]);
    /// assert_eq!(q.compile(&PostgreSQL).unwrap().sql, "SELECT t.ns[$1:$2] AS s FROM t");
    /// ```
    pub fn slice(self, lower: impl Into<Expr>, upper: impl Into<Expr>) -> Expr {
        Expr::Array(Box::new(ArrayExpr::Slice {
            array: self,
            lower: index(lower),
            upper: index(upper),
        }))
    }
}

/// A comparison with `ANY (...)` / `ALL (...)` on its left, rewritten with the value on the
/// left (the only order PostgreSQL accepts) and the operator mirrored.
pub(super) fn mirrored(op: super::BinaryOp) -> Option<super::BinaryOp> {
    use super::BinaryOp as B;
    Some(match op {
        B::Eq => B::Eq,
        B::Ne => B::Ne,
        B::Lt => B::Gt,
        B::Le => B::Ge,
        B::Gt => B::Lt,
        B::Ge => B::Le,
        _ => return None,
    })
}

/// The error for an array construct on a dialect without arrays.
pub(crate) fn array_unsupported(what: &str, dialect: &'static str) -> CompileError {
    CompileError::unsupported(format!("the array {what}"), dialect)
}
