//! Conveniences SQLAlchemy users reach for: expanding and typed parameters, `true()` /
//! `false()` with `is_()`, ORDER BY / GROUP BY by result-column name and the lists `order_by`,
//! `group_by` and `func` take, LIMIT from a parameter, `case` with a value, bare `exists`.

use super::{BindParam, Expr, OrderBy, SortDirection};
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

/// SQL `true` (`1` on SQLite), SQLAlchemy's `true()`: a constant criterion, `ON true` for a
/// LATERAL join, or the right side of [`Expr::is_`].
pub fn true_() -> Expr {
    Expr::BoolConst(true)
}

/// SQL `false` (`0` on SQLite), SQLAlchemy's `false()`.
pub fn false_() -> Expr {
    Expr::BoolConst(false)
}

/// `expr ASC`, or `name ASC` for the name of a result column (SQLAlchemy's `asc("n")`).
pub fn asc(item: impl Into<OrderBy>) -> OrderBy {
    let mut o = item.into();
    o.direction = Some(SortDirection::Asc);
    o
}

/// `expr DESC`, or `name DESC` for the name of a result column (SQLAlchemy's `desc("n")`).
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("k", SqlType::Text));
/// let q = select((t.c("k"), count_all().label("n"))).group_by(["k"]).order_by((desc("n"), t.c("k")));
/// assert_eq!(
///     q.compile(&PostgreSQL).unwrap().sql,
///     "SELECT t.k, count(*) AS n FROM t GROUP BY k ORDER BY n DESC, t.k"
/// );
/// ```
pub fn desc(item: impl Into<OrderBy>) -> OrderBy {
    let mut o = item.into();
    o.direction = Some(SortDirection::Desc);
    o
}

/// A result column named in ORDER BY: a label of the column list (SQLAlchemy's
/// `order_by("n")`); a name the column list does not have is a CompileError.
impl From<&str> for OrderBy {
    fn from(name: &str) -> Self {
        OrderBy::from(Expr::LabelRef(name.into()))
    }
}

/// What `order_by()` accepts: an array or `Vec` of items, a tuple mixing expressions,
/// `asc()`/`desc()` items and result-column names, or one item.
pub trait IntoOrderByList {
    /// The items, in order.
    fn into_order_by_list(self) -> Vec<OrderBy>;
}

/// One GROUP BY item: an expression, or the name of a result column (a label of the column
/// list, as SQLAlchemy's `group_by("n")`).
pub trait IntoGroupBy {
    /// The expression.
    fn into_group_by(self) -> Expr;
}

impl IntoGroupBy for Expr {
    fn into_group_by(self) -> Expr {
        self
    }
}

impl IntoGroupBy for &Expr {
    fn into_group_by(self) -> Expr {
        self.clone()
    }
}

impl IntoGroupBy for &str {
    fn into_group_by(self) -> Expr {
        Expr::LabelRef(self.into())
    }
}

/// What `group_by()` accepts: an array or `Vec` of items, a tuple mixing expressions and
/// result-column names, or one item.
pub trait IntoGroupByList {
    /// The items, in order.
    fn into_group_by_list(self) -> Vec<Expr>;
}

macro_rules! list_impls {
    ($trait:ident, $method:ident, $item:ty, $bound:path, $conv:path) => {
        impl<T: $bound, const N: usize> $trait for [T; N] {
            fn $method(self) -> Vec<$item> {
                self.into_iter().map($conv).collect()
            }
        }
        impl<T: $bound> $trait for Vec<T> {
            fn $method(self) -> Vec<$item> {
                self.into_iter().map($conv).collect()
            }
        }
        impl $trait for Expr {
            fn $method(self) -> Vec<$item> {
                vec![$conv(self)]
            }
        }
        impl $trait for &str {
            fn $method(self) -> Vec<$item> {
                vec![$conv(self)]
            }
        }
        list_impls!(@tuple $trait, $method, $item, $bound, $conv, A, B);
        list_impls!(@tuple $trait, $method, $item, $bound, $conv, A, B, C);
        list_impls!(@tuple $trait, $method, $item, $bound, $conv, A, B, C, D);
        list_impls!(@tuple $trait, $method, $item, $bound, $conv, A, B, C, D, E);
    };
    (@tuple $trait:ident, $method:ident, $item:ty, $bound:path, $conv:path, $($name:ident),+) => {
        impl<$($name: $bound),+> $trait for ($($name,)+) {
            #[allow(non_snake_case)]
            fn $method(self) -> Vec<$item> {
                let ($($name,)+) = self;
                vec![$($conv($name)),+]
            }
        }
    };
}

list_impls!(
    IntoOrderByList,
    into_order_by_list,
    OrderBy,
    Into<OrderBy>,
    Into::into
);
list_impls!(
    IntoGroupByList,
    into_group_by_list,
    Expr,
    IntoGroupBy,
    IntoGroupBy::into_group_by
);

impl IntoOrderByList for () {
    fn into_order_by_list(self) -> Vec<OrderBy> {
        Vec::new()
    }
}

impl IntoOrderByList for OrderBy {
    fn into_order_by_list(self) -> Vec<OrderBy> {
        vec![self]
    }
}

/// What `limit()` and `offset()` accept: an integer, bound as a BIGINT parameter, or a
/// [`bindparam`](crate::bindparam) whose value is given at execution (BIGINT unless typed).
pub trait IntoLimit {
    /// The LIMIT / OFFSET expression.
    fn into_limit(self) -> Expr;
}

macro_rules! limit_from_int {
    ($($t:ty),*) => {$(
        impl IntoLimit for $t {
            fn into_limit(self) -> Expr {
                super::typed_literal(i64::from(self), SqlType::BigInteger)
            }
        }
    )*};
}
limit_from_int!(i32, i64, u32);

impl IntoLimit for Expr {
    fn into_limit(self) -> Expr {
        match self {
            Expr::Param(p) if p.sql_type.is_none() => Expr::Param(BindParam {
                sql_type: Some(SqlType::BigInteger),
                ..p
            }),
            other => other,
        }
    }
}

/// What [`func`](crate::func) takes as arguments (and [`Expr::over`] as PARTITION BY): an
/// array or `Vec` of expressions, a tuple mixing columns and values, one expression, or `()`
/// for none (`func("row_number", ())`).
pub trait IntoArgs {
    /// The arguments, in order.
    fn into_args(self) -> Vec<Expr>;
}

impl IntoArgs for () {
    fn into_args(self) -> Vec<Expr> {
        Vec::new()
    }
}

impl IntoArgs for Expr {
    fn into_args(self) -> Vec<Expr> {
        vec![self]
    }
}

macro_rules! args_impls {
    ($($name:ident),+) => {
        impl<$($name: Into<Expr>),+> IntoArgs for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_args(self) -> Vec<Expr> {
                let ($($name,)+) = self;
                vec![$($name.into()),+]
            }
        }
    };
}
args_impls!(A);
args_impls!(A, B);
args_impls!(A, B, C);
args_impls!(A, B, C, D);
args_impls!(A, B, C, D, E);

impl<T: Into<Expr>, const N: usize> IntoArgs for [T; N] {
    fn into_args(self) -> Vec<Expr> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<T: Into<Expr>> IntoArgs for Vec<T> {
    fn into_args(self) -> Vec<Expr> {
        self.into_iter().map(Into::into).collect()
    }
}

/// `CASE value WHEN compared THEN result ... [ELSE else_] END` (SQLAlchemy's
/// `case({...}, value=col)`).
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("k", SqlType::Text));
/// let e = case_value(t.c("k"), [("a", 1), ("b", 2)], Some(0)).label("n");
/// assert_eq!(
///     select([e]).compile(&PostgreSQL).unwrap().sql,
///     "SELECT CASE t.k WHEN $1 THEN $2 WHEN $3 THEN $4 ELSE $5 END AS n FROM t"
/// );
/// ```
pub fn case_value<I, C, V>(value: impl Into<Expr>, whens: I, else_: Option<impl Into<Expr>>) -> Expr
where
    I: IntoIterator<Item = (C, V)>,
    C: Into<Expr>,
    V: Into<Expr>,
{
    match super::case(whens, else_) {
        Expr::Case(mut case) => {
            case.operand = Some(value.into());
            Expr::Case(case)
        }
        other => other,
    }
}

/// `EXISTS (SELECT * FROM ... WHERE criterion)`, FROM taken from the criterion and correlated
/// to the enclosing query (SQLAlchemy's `exists().where(...)`).
///
/// ```
/// use sqlcore_compiler::*;
/// let users = Table::new("users").column(Column::new("id", SqlType::Integer));
/// let orders = Table::new("orders").column(Column::new("user_id", SqlType::Integer));
/// let q = select(&users).filter(exists_where(orders.c("user_id").eq(users.c("id"))));
/// assert_eq!(
///     q.compile(&SQLite).unwrap().sql,
///     "SELECT users.id FROM users WHERE EXISTS (SELECT * FROM orders WHERE orders.user_id = users.id)"
/// );
/// ```
pub fn exists_where(criterion: impl Into<Expr>) -> Expr {
    // A SELECT without columns: inside EXISTS it is rendered `SELECT *`.
    let select = crate::stmt::select(Vec::<Expr>::new()).filter(criterion);
    Expr::Exists(Box::new(select.into()))
}
