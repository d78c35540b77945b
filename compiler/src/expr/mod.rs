//! The expression language: column references, bound values, operators, functions, CASE,
//! CAST, labels, subqueries and window functions.
//!
//! Expressions are plain data ([`Expr`]); the dialect compilers render them. Every Rust value
//! that enters an expression becomes a bound parameter.

pub(crate) mod arith;
mod array;
mod bind_id;
mod func;
mod helpers;
mod json;
mod ops;
mod order;
mod text_search;
mod window;

pub(crate) use array::array_unsupported;
pub use array::{ArrayExpr, ArrayOp, ArrayOperand, all_, any_, array, array_agg};
pub use bind_id::BindId;
pub(crate) use bind_id::SeenBinds;
pub use func::{
    Case, avg, case, cast, coalesce, count, count_all, distinct, exists, extract_field, func,
    literal_column, lower, max, min, not_, now, null, sum, upper,
};
pub use helpers::{
    IntoArgs, IntoGroupBy, IntoGroupByList, IntoLimit, IntoOrderByList, asc, bindparam_expanding,
    case_value, desc, exists_where, false_, true_,
};
pub use json::{JsonAs, JsonGet, JsonKey, JsonbOp};
pub use ops::{
    InOperand, LikeArg, and_, autoescape, bindparam, escaped, literal, or_, tuple_, typed_literal,
};
pub use order::{NullsOrder, OrderBy, SortDirection};
pub use text_search::{
    TextSearch, plainto_tsquery, to_tsquery, to_tsvector, ts_headline, ts_rank,
    websearch_to_tsquery,
};
pub use window::{Frame, FrameBound, FrameUnits};

use crate::error::CompileError;
use crate::schema::{Column, SqlType};
use crate::stmt::{Query, Source};
use crate::value::Value;
use std::sync::Arc;

/// A reference to a column of a table, alias, subquery or CTE.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnRef {
    /// Where the column comes from.
    pub source: Source,
    /// The column.
    pub column: Arc<Column>,
}

/// A value bound as a parameter, with the type of the column it meets, when known.
///
/// A bind has an identity ([`BindId`]) that its clones share: an expression built once and
/// used twice renders one parameter, as SQLAlchemy renders one bind object — `$1` twice on
/// PostgreSQL, `?1` twice on SQLite, and on MySQL, whose `?` are positional, the value bound
/// at each occurrence. Values bound separately stay separate parameters, equal or not.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("at", SqlType::DATETIME));
/// let month = func("date_trunc", (literal("month"), t.c("at"))).label("month");
/// let q = select([month.clone(), count_all()]).group_by(month);
/// assert_eq!(
///     q.compile(&PostgreSQL)?.sql,
///     "SELECT date_trunc($1, t.at) AS month, count(*) AS count_1 FROM t GROUP BY date_trunc($1, t.at)"
/// );
/// let mysql = q.compile(&MySQL)?;
/// assert_eq!(mysql.bind(&Params::new())?.values, [Value::from("month"), Value::from("month")]);
/// // Two literals are two parameters, even of one value.
/// let two = select([func("date_trunc", (literal("month"), t.c("at")))])
///     .group_by(func("date_trunc", (literal("month"), t.c("at"))));
/// assert_eq!(
///     two.compile(&SQLite)?.sql,
///     "SELECT date_trunc(?1, t.at) AS date_trunc_1 FROM t GROUP BY date_trunc(?2, t.at)"
/// );
/// # Ok::<(), CompileError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Bind {
    /// The value.
    pub value: Value,
    /// The SQL type it is compared with or assigned to.
    pub sql_type: Option<SqlType>,
    /// Which bound value this is (kept by clones).
    id: BindId,
}

impl Bind {
    /// A new bound value, with an identity of its own.
    pub fn new(value: Value, sql_type: Option<SqlType>) -> Self {
        Bind {
            value,
            sql_type,
            id: BindId::next(),
        }
    }

    /// Its identity: equal for a bind and its clones, different for binds made apart.
    pub fn id(&self) -> BindId {
        self.id
    }

    /// The same bound value (the same identity) with another type.
    pub fn with_type(self, sql_type: Option<SqlType>) -> Self {
        Bind { sql_type, ..self }
    }
}

impl PartialEq for Bind {
    /// The same value and type. Identity is left out: two statements built alike compare
    /// equal although their values were bound apart.
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value && self.sql_type == other.sql_type
    }
}

/// A named parameter whose value is supplied at execution (SQLAlchemy's `bindparam`).
#[derive(Debug, Clone, PartialEq)]
pub struct BindParam {
    /// The parameter's name.
    pub name: Arc<str>,
    /// An expanding parameter takes a list (`IN` lists).
    pub expanding: bool,
    /// The SQL type it is compared with, when known.
    pub sql_type: Option<SqlType>,
}

/// Binary operators, in the order of their precedence groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `=`
    Eq,
    /// `<>` (rendered `!=` nowhere: `<>` is standard)
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `IS DISTINCT FROM`
    IsDistinctFrom,
    /// `IS NOT DISTINCT FROM`
    IsNotDistinctFrom,
    /// `+` (written for two string expressions as [`BinaryOp::Concat`], as in SQLAlchemy)
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// True division (Rust's `a / b`, SQLAlchemy 2.x's `/`): `7 / 2` is 3.5 on every dialect,
    /// the divisor made a non-integer where `/` of integers truncates; `Integer / Integer` is
    /// typed `Numeric` (read as a `Decimal`). See [`Expr::floordiv`] for `//`.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("n", SqlType::Integer));
    /// let q = select([(t.c("n") / t.c("n")).label("q")]);
    /// assert_eq!(q.compile(&PostgreSQL).unwrap().sql, "SELECT t.n / CAST(t.n AS NUMERIC) AS q FROM t");
    /// assert_eq!(q.compile(&SQLite).unwrap().sql, "SELECT t.n / (t.n + 0.0) AS q FROM t");
    /// assert_eq!(q.compile(&MySQL).unwrap().sql, "SELECT t.n / t.n AS q FROM t");
    /// ```
    Div,
    /// `%`
    Mod,
    /// string concatenation (`||`, `concat()` on MySQL)
    Concat,
    /// floor division (Python's `//`): `a / b` where the dialect's `/` of two integers is
    /// already integer division, else `FLOOR(a / b)`
    FloorDiv,
}

/// How an `IN` right-hand side is given.
#[derive(Debug, Clone, PartialEq)]
pub enum InList {
    /// A list of values carried by the statement (one bound array).
    Values(Bind),
    /// An expanding named parameter supplied at execution.
    Param(BindParam),
    /// A subquery.
    Query(Box<Query>),
    /// Not a valid right-hand side; compiling reports the error.
    Invalid(CompileError),
}

/// A LIKE-family comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Like {
    /// The tested expression.
    pub expr: Box<Expr>,
    /// The pattern.
    pub pattern: Box<Expr>,
    /// NOT LIKE.
    pub negated: bool,
    /// ILIKE (rendered `lower(x) LIKE lower(y)` where the dialect has no ILIKE).
    pub case_insensitive: bool,
    /// The ESCAPE character.
    pub escape: Option<char>,
}

/// A window specification for [`Expr::over`] and [`Expr::over_window`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Window {
    /// PARTITION BY expressions.
    pub partition_by: Vec<Expr>,
    /// ORDER BY items.
    pub order_by: Vec<OrderBy>,
    /// The frame (`ROWS` / `RANGE` / `GROUPS BETWEEN ...`), when given.
    pub frame: Option<Frame>,
    /// A window of the SELECT's WINDOW clause this one refers to (`OVER w`, or
    /// `OVER (w ORDER BY ...)` when it adds to it).
    pub base: Option<Arc<str>>,
}

/// A SQL expression. Build them from [`Table::c`](crate::Table::c), values, and the functions
/// and methods of this module; compile them inside a statement.
///
/// ```
/// use sqlcore_compiler::*;
/// let users = Table::new("users")
///     .column(Column::new("id", SqlType::Integer).primary_key())
///     .column(Column::new("name", SqlType::Text));
/// let cond = users.c("name").eq("ed").and(users.c("id").gt(5).or(users.c("id").lt(2)));
/// let sql = select(&users).filter(cond).compile(&PostgreSQL).unwrap().sql;
/// assert_eq!(
///     sql,
///     "SELECT users.id, users.name FROM users WHERE users.name = $1 AND (users.id > $2 OR users.id < $3)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column reference.
    Column(ColumnRef),
    /// A value bound as a parameter.
    Bind(Bind),
    /// A named parameter filled at execution.
    Param(BindParam),
    /// Trusted SQL text used as a column expression (SQLAlchemy's `literal_column`).
    Raw(Arc<str>),
    /// SQL NULL.
    Null,
    /// `NOT expr`.
    Not(Box<Expr>),
    /// `-expr`.
    Neg(Box<Expr>),
    /// A binary operation.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a AND b AND ...` (`and = true`) or `a OR b OR ...`; empty means true / false.
    Bool {
        /// AND when true, OR when false.
        and: bool,
        /// The operands.
        items: Vec<Expr>,
    },
    /// `expr IS [NOT] NULL`.
    IsNull(Box<Expr>, bool),
    /// `expr [NOT] IN (...)`.
    In(Box<Expr>, InList, bool),
    /// `expr [NOT] BETWEEN [SYMMETRIC] low AND high` (negated, symmetric).
    Between(Box<Expr>, Box<Expr>, Box<Expr>, bool, bool),
    /// LIKE / ILIKE.
    Like(Like),
    /// A function call; `star` renders `name(*)`.
    Func {
        /// Function name (written as given; quoted if it needs quoting).
        name: Arc<str>,
        /// Arguments.
        args: Vec<Expr>,
        /// `name(*)`.
        star: bool,
    },
    /// `DISTINCT expr` (inside an aggregate).
    Distinct(Box<Expr>),
    /// CASE.
    Case(Box<Case>),
    /// `CAST(expr AS type)`.
    Cast(Box<Expr>, SqlType),
    /// `expr AS name`.
    Label(Arc<str>, Box<Expr>),
    /// A window function: `func OVER (...)`.
    Over(Box<Expr>, Box<Window>),
    /// `(SELECT ...)` used as a value.
    ScalarSubquery(Box<Query>),
    /// `EXISTS (SELECT ...)`.
    Exists(Box<Query>),
    /// The proposed row of an upsert: `excluded.col` (PostgreSQL, SQLite) or `VALUES(col)`
    /// (MySQL).
    Excluded(Arc<str>),
    /// An element or path of a JSON document, read as JSON or as a SQL value.
    Json(Box<JsonGet>),
    /// A JSONB containment or key test (PostgreSQL).
    Jsonb(JsonbOp, Box<Expr>, Box<Expr>),
    /// A `text()` fragment used as an expression (a criterion or a column).
    Text(Box<crate::text::TextClause>),
    /// SQL `true` / `false` (`1` / `0` where the dialect has no boolean literals).
    BoolConst(bool),
    /// `expr IS [NOT] true|false`.
    IsBool(Box<Expr>, bool, bool),
    /// The name of a result column, in ORDER BY or GROUP BY (SQLAlchemy's `order_by("n")`).
    LabelRef(Arc<str>),
    /// An expression that could not be built (e.g. an unknown column); compiling reports it.
    Invalid(CompileError),
    /// `EXTRACT(field FROM expr)` (see [`extract_field`]).
    Extract(Arc<str>, Box<Expr>),
    /// `aggregate FILTER (WHERE cond)` (see [`Expr::filter`]).
    Filter(Box<Expr>, Box<Expr>),
    /// A row value `(a, b, ...)` (see [`tuple_`]).
    Tuple(Vec<Expr>),
    /// An array operator, `ANY` / `ALL`, element or slice access, or `ARRAY[...]` (see
    /// [`array()`], [`Expr::array_contains`], [`any_`], [`Expr::item`]).
    Array(Box<ArrayExpr>),
    /// A sequence's next value, `nextval('schema.seq')` (see
    /// [`Sequence::next_value`](crate::Sequence::next_value)).
    NextValue(Arc<crate::schema::Sequence>),
    /// A full text match (see [`Expr::match_`], [`Expr::ts_match`]).
    TextSearch(Box<TextSearch>),
}

impl Expr {
    /// The SQL type of the expression's value, when it can be told.
    pub fn sql_type(&self) -> Option<SqlType> {
        match self {
            Expr::Column(c) => Some(c.column.sql_type.clone()),
            Expr::Bind(b) => b.sql_type.clone(),
            Expr::Param(p) => p.sql_type.clone(),
            Expr::Cast(_, ty) => Some(ty.clone()),
            Expr::Label(_, e) | Expr::Neg(e) | Expr::Distinct(e) | Expr::Over(e, _) => e.sql_type(),
            Expr::Not(_)
            | Expr::Bool { .. }
            | Expr::IsNull(..)
            | Expr::In(..)
            | Expr::Between(..)
            | Expr::Like(_)
            | Expr::Exists(_)
            | Expr::Jsonb(..)
            | Expr::BoolConst(_)
            | Expr::IsBool(..)
            | Expr::TextSearch(_) => Some(SqlType::Boolean),
            Expr::Json(get) => Some(get.as_.sql_type()),
            Expr::Binary(op, l, r) => match op {
                BinaryOp::Concat => l
                    .sql_type()
                    .filter(SqlType::is_string)
                    .or(Some(SqlType::Text)),
                BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::Div
                | BinaryOp::Mod
                | BinaryOp::FloorDiv => {
                    arith::result_type(*op, arith::operand_type(l), arith::operand_type(r))
                }
                _ => Some(SqlType::Boolean),
            },
            Expr::Func { name, args, .. } => match &*name.to_ascii_lowercase() {
                ts if text_search::function_type(ts).is_some() => text_search::function_type(ts),
                "count" => Some(SqlType::BigInteger),
                "max" | "min" | "sum" | "coalesce" | "lower" | "upper" => {
                    args.first().and_then(Expr::sql_type)
                }
                "now" | "current_timestamp" => Some(SqlType::DATETIME_TZ),
                "array_agg" => args.first().and_then(Expr::sql_type).map(SqlType::array),
                _ => None,
            },
            Expr::Case(case) => case.whens.first().and_then(|(_, then)| then.sql_type()),
            Expr::ScalarSubquery(q) => q
                .result_columns()
                .ok()?
                .into_iter()
                .next()
                .and_then(|c| c.sql_type),
            Expr::Extract(..) => Some(SqlType::Integer),
            Expr::NextValue(_) => Some(SqlType::BigInteger),
            Expr::Filter(f, _) => f.sql_type(),
            Expr::Array(a) => a.sql_type(),
            _ => None,
        }
    }

    /// The name the expression takes as a result column: a column's or label's name.
    pub fn result_name(&self) -> Option<&Arc<str>> {
        match self {
            Expr::Column(c) => Some(&c.column.name),
            Expr::Label(name, _) => Some(name),
            _ => None,
        }
    }

    /// Names the expression: `expr AS name` in a column list.
    pub fn label(self, name: impl Into<Arc<str>>) -> Expr {
        Expr::Label(name.into(), Box::new(self))
    }

    /// A window function call: `self OVER (PARTITION BY ... ORDER BY ...)`; either list may
    /// be `()` (`over((), ())` is `OVER ()`). Frames and named windows: [`Expr::over_window`].
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("id", SqlType::Integer));
    /// let rn = func("row_number", ()).over((), t.c("id").desc()).label("rn");
    /// assert_eq!(
    ///     select([rn]).compile(&MySQL).unwrap().sql,
    ///     "SELECT row_number() OVER (ORDER BY t.id DESC) AS rn FROM t"
    /// );
    /// ```
    pub fn over(self, partition_by: impl IntoArgs, order_by: impl IntoOrderByList) -> Expr {
        let window = Window {
            partition_by: partition_by.into_args(),
            order_by: order_by.into_order_by_list(),
            frame: None,
            base: None,
        };
        Expr::Over(Box::new(self), Box::new(window))
    }

    /// `CAST(self AS sql_type)`.
    pub fn cast(self, sql_type: SqlType) -> Expr {
        Expr::Cast(Box::new(self), sql_type)
    }
}

macro_rules! expr_from_value {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for Expr {
            fn from(v: $t) -> Self {
                literal(v)
            }
        }
    )*};
}

expr_from_value!(
    bool,
    i16,
    i32,
    i64,
    u16,
    u32,
    f32,
    f64,
    rust_decimal::Decimal,
    String,
    &str,
    &String,
    Vec<u8>,
    &[u8],
    chrono::NaiveDate,
    chrono::NaiveTime,
    chrono::NaiveDateTime,
    chrono::DateTime<chrono::Utc>,
    uuid::Uuid,
    serde_json::Value,
    crate::value::Interval,
    Value,
);

impl<T: Into<Value>> From<Option<T>> for Expr {
    fn from(v: Option<T>) -> Self {
        literal(v)
    }
}

impl From<crate::text::TextClause> for Expr {
    fn from(t: crate::text::TextClause) -> Self {
        Expr::Text(Box::new(t))
    }
}

impl From<&Expr> for Expr {
    fn from(e: &Expr) -> Self {
        e.clone()
    }
}
