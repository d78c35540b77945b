//! Operators on [`Expr`]: comparisons, boolean logic, arithmetic, IN, BETWEEN and LIKE.

use super::{BinaryOp, Bind, BindParam, Expr, InList, Like, arith};
use crate::error::CompileError;
use crate::schema::SqlType;
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
    Expr::Bind(Bind::new(value.into(), None))
}

/// A bound value with a known SQL type (drivers that prepare statements on the server bind
/// it with that type, e.g. LIMIT and OFFSET as BIGINT).
pub fn typed_literal(value: impl Into<Value>, sql_type: crate::schema::SqlType) -> Expr {
    Expr::Bind(Bind::new(value.into(), Some(sql_type)))
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
        InList::Values(Bind::new(Value::Array(items), None))
    }
}

impl<T: Into<Value>, const N: usize> InOperand for [T; N] {
    fn into_in_list(self) -> InList {
        let items = self.into_iter().map(Into::into).collect();
        InList::Values(Bind::new(Value::Array(items), None))
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

/// A row value `(a, b, ...)` (SQLAlchemy's `tuple_`), for `tuple_(...).in_(rows)`: the rows
/// are a `Vec` of tuples (or of `Vec<Value>`), or an expanding [`bindparam`] given such rows
/// at execution, and are written `((a, b) IN ((?, ?), (?, ?)))` on every dialect (PostgreSQL
/// included: a list of records is no array), expanded when bound, so the compiled form does
/// not depend on how many rows there are. `NOT IN` is written `NOT ((a, b) IN (...))`.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t")
///     .column(Column::new("a", SqlType::Integer))
///     .column(Column::new("b", SqlType::Text));
/// let q = select([t.c("a")]).filter(tuple_([t.c("a"), t.c("b")]).in_(vec![(1, "x"), (2, "y")]));
/// let compiled = q.compile(&PostgreSQL).unwrap();
/// assert_eq!(compiled.sql, "SELECT t.a FROM t WHERE ((t.a, t.b) IN (__[POSTCOMPILE_param_1]))");
/// let bound = compiled.bind(&Params::new()).unwrap();
/// assert_eq!(bound.sql, "SELECT t.a FROM t WHERE ((t.a, t.b) IN (($1, $2), ($3, $4)))");
/// assert_eq!(bound.values, vec![1.into(), "x".into(), 2.into(), "y".into()]);
/// ```
pub fn tuple_<I>(items: I) -> Expr
where
    I: IntoIterator,
    I::Item: Into<Expr>,
{
    Expr::Tuple(items.into_iter().map(Into::into).collect())
}

fn rows_in_list(rows: Vec<Value>) -> InList {
    InList::Values(Bind::new(Value::Array(rows), None))
}

/// Rows of values for a tuple IN.
impl InOperand for Vec<Vec<Value>> {
    fn into_in_list(self) -> InList {
        rows_in_list(self.into_iter().map(Value::Array).collect())
    }
}

macro_rules! tuple_rows {
    ($(($($t:ident $i:tt),*)),*) => {$(
        /// Rows of values for a tuple IN.
        impl<$($t: Into<Value>),*> InOperand for Vec<($($t,)*)> {
            fn into_in_list(self) -> InList {
                rows_in_list(
                    self.into_iter()
                        .map(|row| Value::Array(vec![$(row.$i.into()),*]))
                        .collect(),
                )
            }
        }
    )*};
}
tuple_rows!((A 0, B 1), (A 0, B 1, C 2), (A 0, B 1, C 2, D 3));

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
        Expr::Bind(b) if b.sql_type.is_none() => Expr::Bind(b.with_type(this.sql_type())),
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

/// The escape character of autoescaped patterns (SQLAlchemy's).
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

/// The argument of [`Expr::startswith`], [`Expr::endswith`], [`Expr::contains`] and their
/// `i` / `not_` forms: any expression (a string is bound as the pattern, its `%` and `_`
/// being wildcards, as in SQLAlchemy), or one made by [`autoescape`] or [`escaped`].
#[derive(Debug, Clone, PartialEq)]
pub struct LikeArg {
    expr: Expr,
    escape: Option<char>,
    autoescape: bool,
}

impl<T: Into<Expr>> From<T> for LikeArg {
    fn from(e: T) -> Self {
        LikeArg {
            expr: e.into(),
            escape: None,
            autoescape: false,
        }
    }
}

/// A string matched literally by `startswith` and friends (SQLAlchemy's `autoescape=True`):
/// its `%`, `_` and `/` are escaped with `/`, and the comparison says `ESCAPE '/'`.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("s", SqlType::Text));
/// let q = |arg: LikeArg| select([t.c("s")]).filter(t.c("s").startswith(arg));
/// let compiled = q(autoescape("5%_off")).compile(&SQLite).unwrap();
/// assert_eq!(compiled.sql, "SELECT t.s FROM t WHERE t.s LIKE ?1 ESCAPE '/'");
/// assert_eq!(compiled.bind(&Params::new()).unwrap().values, vec![Value::from("5/%/_off%")]);
/// // Without it, `%` and `_` are wildcards; another column is concatenated with '%'.
/// let compiled = q("5%_off".into()).compile(&SQLite).unwrap();
/// assert_eq!(compiled.sql, "SELECT t.s FROM t WHERE t.s LIKE ?1");
/// let pg = q(t.c("s").into()).compile(&PostgreSQL).unwrap().sql;
/// assert_eq!(pg, "SELECT t.s FROM t WHERE t.s LIKE t.s || $1");
/// let my = q(t.c("s").into()).compile(&MySQL).unwrap().sql;
/// assert_eq!(my, "SELECT t.s FROM t WHERE t.s LIKE concat(t.s, ?)");
/// ```
pub fn autoescape(text: &str) -> LikeArg {
    LikeArg {
        expr: literal(text),
        escape: Some(LIKE_ESCAPE),
        autoescape: true,
    }
}

/// A pattern for `startswith` and friends written with its own escape character
/// (SQLAlchemy's `escape=`): `ESCAPE 'c'` is added to the comparison, the pattern is used as
/// given (`col.endswith(escaped("!_x", '!'))` matches values ending in `_x`).
pub fn escaped(pattern: impl Into<Expr>, escape: char) -> LikeArg {
    LikeArg {
        expr: pattern.into(),
        escape: Some(escape),
        autoescape: false,
    }
}

impl Expr {
    /// An arithmetic operation, typed as SQLAlchemy types it: an untyped value on the right
    /// takes the left side's type when it is of that type's family (else its own), and `+` of
    /// two strings is concatenation.
    fn arithmetic(self, op: BinaryOp, other: impl Into<Expr>) -> Expr {
        let left = arith::operand_type(&self);
        let other = match other.into() {
            Expr::Bind(b) if b.sql_type.is_none() => {
                let sql_type = arith::coerced(left.clone(), &b.value);
                Expr::Bind(b.with_type(sql_type))
            }
            other => typed_like(other, &self),
        };
        let is_string = |t: &Option<SqlType>| t.as_ref().is_some_and(SqlType::is_string);
        let right = arith::operand_type(&other);
        let op =
            if op == BinaryOp::Add && is_string(&left) && (right.is_none() || is_string(&right)) {
                BinaryOp::Concat
            } else {
                op
            };
        Expr::Binary(op, Box::new(self), Box::new(other))
    }

    /// Floor division (Python's `a // b`, SQLAlchemy's `//`): `a / b` where `/` of two
    /// integers already truncates (PostgreSQL and SQLite, both sides integers), otherwise
    /// `FLOOR(a / b)`. The result keeps the left side's type (`Numeric` for
    /// `Integer // Numeric`).
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t")
    ///     .column(Column::new("n", SqlType::Integer))
    ///     .column(Column::new("x", SqlType::Float));
    /// let q = |e: Expr| select([e.label("q")]).compile(&PostgreSQL).unwrap().sql;
    /// assert_eq!(q(t.c("n").floordiv(t.c("n"))), "SELECT t.n / t.n AS q FROM t");
    /// assert_eq!(q(t.c("x").floordiv(t.c("n"))), "SELECT FLOOR(t.x / t.n) AS q FROM t");
    /// let my = select([t.c("n").floordiv(t.c("n"))]).compile(&MySQL).unwrap().sql;
    /// assert_eq!(my, "SELECT FLOOR(t.n / t.n) AS anon_1 FROM t");
    /// ```
    pub fn floordiv(self, other: impl Into<Expr>) -> Expr {
        self.arithmetic(BinaryOp::FloorDiv, other)
    }

    fn binary(self, op: BinaryOp, other: impl Into<Expr>) -> Expr {
        let other = typed_like(other.into(), &self);
        // `ANY (array) = x` is written `x = ANY (array)`, the only order PostgreSQL reads.
        if let Expr::Array(a) = &self
            && matches!(**a, super::ArrayExpr::AnyAll { .. })
            && let Some(mirrored) = super::array::mirrored(op)
        {
            return Expr::Binary(mirrored, Box::new(other), Box::new(self));
        }
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
    /// Values of a user type with a
    /// [`bind_expression`](crate::TypeDecorator::bind_expression) are bound one by one on
    /// every dialect, each inside it (`IN (lower($1), lower($2))`), as SQLAlchemy does.
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
        if matches!(self, Expr::Tuple(_)) {
            return list;
        }
        match list {
            InList::Values(b) if b.sql_type.is_none() => {
                InList::Values(b.with_type(self.sql_type()))
            }
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
        Expr::Between(Box::new(self), Box::new(low), Box::new(high), false, false)
    }

    /// `self BETWEEN SYMMETRIC low AND high` (SQLAlchemy's `between(..., symmetric=True)`):
    /// true whichever of the bounds is the lower. PostgreSQL only; compiling it for SQLite or
    /// MySQL is a [`CompileError::Unsupported`].
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("n", SqlType::Integer));
    /// let q = select([t.c("n")]).filter(t.c("n").between_symmetric(10, 1));
    /// assert_eq!(q.compile(&PostgreSQL).unwrap().sql, "SELECT t.n FROM t WHERE t.n BETWEEN SYMMETRIC $1 AND $2");
    /// assert!(q.compile(&SQLite).is_err());
    /// ```
    pub fn between_symmetric(self, low: impl Into<Expr>, high: impl Into<Expr>) -> Expr {
        match self.between(low, high) {
            Expr::Between(e, l, h, negated, _) => Expr::Between(e, l, h, negated, true),
            other => other,
        }
    }

    /// `aggregate FILTER (WHERE cond)` (SQLAlchemy's `func.count(x).filter(cond)`): the
    /// aggregate sees only the rows where `cond` holds. PostgreSQL and SQLite write `FILTER`;
    /// MySQL, which has none, gets the equivalent `count(CASE WHEN cond THEN x END)` (each
    /// argument wrapped; `count(*)` counts `CASE WHEN cond THEN 1 END`).
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("n", SqlType::Integer));
    /// let q = select([count(t.c("n")).filter(t.c("n").gt(1)).label("c")]);
    /// assert_eq!(q.compile(&PostgreSQL).unwrap().sql, "SELECT count(t.n) FILTER (WHERE t.n > $1) AS c FROM t");
    /// assert_eq!(q.compile(&SQLite).unwrap().sql, "SELECT count(t.n) FILTER (WHERE t.n > ?1) AS c FROM t");
    /// assert_eq!(q.compile(&MySQL).unwrap().sql, "SELECT count(CASE WHEN t.n > ? THEN t.n END) AS c FROM t");
    /// ```
    pub fn filter(self, cond: impl Into<Expr>) -> Expr {
        Expr::Filter(Box::new(self), boxed(cond))
    }

    /// `self NOT BETWEEN low AND high`.
    pub fn not_between(self, low: impl Into<Expr>, high: impl Into<Expr>) -> Expr {
        match self.between(low, high) {
            Expr::Between(e, l, h, _, symmetric) => Expr::Between(e, l, h, true, symmetric),
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

    /// `self LIKE pattern` for `startswith` and friends: a bound string becomes the whole
    /// pattern (`'text%'`), any other expression is concatenated with `'%'`.
    fn affix_like(self, arg: LikeArg, prefix: bool, suffix: bool, negated: bool, ci: bool) -> Expr {
        let LikeArg {
            expr,
            escape,
            autoescape,
        } = arg;
        let pattern = match expr {
            Expr::Bind(Bind {
                value: Value::Text(text),
                ..
            }) => {
                let text = if autoescape { escape_like(&text) } else { text };
                let mut pattern = String::with_capacity(text.len() + 2);
                if prefix {
                    pattern.push('%');
                }
                pattern.push_str(&text);
                if suffix {
                    pattern.push('%');
                }
                literal(pattern)
            }
            other => {
                let mut pattern = other;
                if prefix {
                    pattern = literal("%").concat(pattern);
                }
                if suffix {
                    pattern = pattern.concat("%");
                }
                pattern
            }
        };
        self.like_with(pattern, negated, ci, escape)
    }
}

/// `startswith` / `endswith` / `contains` and their case-insensitive and negated forms.
macro_rules! affix_methods {
    ($($name:ident $prefix:literal $suffix:literal $negated:literal $ci:literal $doc:literal;)*) => {
        impl Expr {$(
            #[doc = $doc]
            ///
            /// `%` and `_` in a string argument are wildcards, as in SQLAlchemy; wrap it in
            /// [`autoescape`] to match it literally, or use [`escaped`] for a pattern with
            /// an escape character of its own. An expression argument (e.g. another column) is
            /// concatenated with `'%'`.
            pub fn $name(self, arg: impl Into<LikeArg>) -> Expr {
                self.affix_like(arg.into(), $prefix, $suffix, $negated, $ci)
            }
        )*}
    };
}

affix_methods! {
    startswith false true false false "`self LIKE arg || '%'`.";
    endswith true false false false "`self LIKE '%' || arg`.";
    contains true true false false "`self LIKE '%' || arg || '%'`.";
    istartswith false true false true "`self ILIKE arg || '%'` (`lower(self) LIKE lower(...)` without ILIKE).";
    iendswith true false false true "`self ILIKE '%' || arg`.";
    icontains true true false true "`self ILIKE '%' || arg || '%'`.";
    not_startswith false true true false "`self NOT LIKE arg || '%'`.";
    not_endswith true false true false "`self NOT LIKE '%' || arg`.";
    not_contains true true true false "`self NOT LIKE '%' || arg || '%'`.";
    not_istartswith false true true true "`self NOT ILIKE arg || '%'`.";
    not_iendswith true false true true "`self NOT ILIKE '%' || arg`.";
    not_icontains true true true true "`self NOT ILIKE '%' || arg || '%'`.";
}

macro_rules! arithmetic {
    ($($trait:ident $method:ident $op:ident),*) => {$(
        impl<T: Into<Expr>> std::ops::$trait<T> for Expr {
            type Output = Expr;
            fn $method(self, rhs: T) -> Expr {
                self.arithmetic(BinaryOp::$op, rhs)
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
