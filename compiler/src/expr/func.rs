//! SQL functions, CASE, CAST, DISTINCT, EXISTS and other constructors.

use super::Expr;
use crate::schema::SqlType;
use crate::stmt::Query;
use std::sync::Arc;

/// A call of SQL function `name` (SQLAlchemy's `func.name(...)`).
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("x", SqlType::Text));
/// let sql = select([func("length", [t.c("x")]).label("n")]).compile(&SQLite).unwrap().sql;
/// assert_eq!(sql, "SELECT length(t.x) AS n FROM t");
/// // No arguments, or a tuple mixing columns and values:
/// let rn = func("row_number", ()).over_window(Window::new().order_by(t.c("x")));
/// assert_eq!(select([rn.label("rn")]).compile(&SQLite).unwrap().sql, "SELECT row_number() OVER (ORDER BY t.x) AS rn FROM t");
/// let c = func("coalesce", (t.c("x"), "none"));
/// assert_eq!(select([c.label("c")]).compile(&SQLite).unwrap().sql, "SELECT coalesce(t.x, ?1) AS c FROM t");
/// ```
pub fn func(name: &str, args: impl super::IntoArgs) -> Expr {
    Expr::Func {
        name: name.into(),
        args: args.into_args(),
        star: false,
    }
}

/// `count(expr)`.
pub fn count(expr: impl Into<Expr>) -> Expr {
    func("count", [expr.into()])
}

/// `count(*)` (SQLAlchemy's `func.count()`).
pub fn count_all() -> Expr {
    Expr::Func {
        name: "count".into(),
        args: Vec::new(),
        star: true,
    }
}

/// `sum(expr)`.
pub fn sum(expr: impl Into<Expr>) -> Expr {
    func("sum", [expr.into()])
}

/// `avg(expr)`.
pub fn avg(expr: impl Into<Expr>) -> Expr {
    func("avg", [expr.into()])
}

/// `min(expr)`.
pub fn min(expr: impl Into<Expr>) -> Expr {
    func("min", [expr.into()])
}

/// `max(expr)`.
pub fn max(expr: impl Into<Expr>) -> Expr {
    func("max", [expr.into()])
}

/// `lower(expr)`.
pub fn lower(expr: impl Into<Expr>) -> Expr {
    func("lower", [expr.into()])
}

/// `upper(expr)`.
pub fn upper(expr: impl Into<Expr>) -> Expr {
    func("upper", [expr.into()])
}

/// `coalesce(a, b, ...)`.
pub fn coalesce<I>(args: I) -> Expr
where
    I: IntoIterator,
    I::Item: Into<Expr>,
{
    func(
        "coalesce",
        args.into_iter().map(Into::into).collect::<Vec<Expr>>(),
    )
}

/// The current timestamp: `now()` on PostgreSQL and MySQL, `CURRENT_TIMESTAMP` on SQLite.
pub fn now() -> Expr {
    Expr::Func {
        name: "now".into(),
        args: Vec::new(),
        star: false,
    }
}

/// `EXTRACT(field FROM expr)` (SQLAlchemy's `extract`): a part of a date, time or timestamp
/// as an integer. `field` is written as given on PostgreSQL and MySQL (`year`, `month`,
/// `day`, `hour`, `minute`, `second`, `dow`, `doy`, `epoch`, ...: letters and `_` only);
/// SQLite reads it with `strftime`, as SQLAlchemy's SQLite compiler does, for `year`,
/// `month`, `day`, `hour`, `minute`, `second`, `doy`, `dow`, `week` and `epoch` (any other
/// field is a [`CompileError::Unsupported`](crate::CompileError::Unsupported) there). The
/// result is typed `Integer`, as in SQLAlchemy; PostgreSQL (14 and later) returns it as a
/// `numeric`, read as a `Decimal`.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("d", SqlType::Date));
/// let q = select([extract_field("year", t.c("d")).label("y")]);
/// assert_eq!(q.compile(&PostgreSQL).unwrap().sql, "SELECT EXTRACT(year FROM t.d) AS y FROM t");
/// assert_eq!(q.compile(&MySQL).unwrap().sql, "SELECT EXTRACT(year FROM t.d) AS y FROM t");
/// assert_eq!(q.compile(&SQLite).unwrap().sql, "SELECT CAST(STRFTIME('%Y', t.d) AS INTEGER) AS y FROM t");
/// ```
pub fn extract_field(field: &str, expr: impl Into<Expr>) -> Expr {
    Expr::Extract(field.to_ascii_lowercase().into(), Box::new(expr.into()))
}

/// SQL NULL as an expression.
pub fn null() -> Expr {
    Expr::Null
}

/// `NOT expr`.
pub fn not_(expr: impl Into<Expr>) -> Expr {
    match expr.into() {
        Expr::IsNull(e, negated) => Expr::IsNull(e, !negated),
        Expr::In(e, list, negated) => Expr::In(e, list, !negated),
        Expr::Not(inner) => *inner,
        other => Expr::Not(Box::new(other)),
    }
}

/// `DISTINCT expr`, as in `count(distinct(x))`.
pub fn distinct(expr: impl Into<Expr>) -> Expr {
    Expr::Distinct(Box::new(expr.into()))
}

/// `EXISTS (subquery)`; the subquery correlates to the enclosing query automatically.
pub fn exists(query: impl Into<Query>) -> Expr {
    Expr::Exists(Box::new(query.into()))
}

/// `CAST(expr AS sql_type)`.
pub fn cast(expr: impl Into<Expr>, sql_type: SqlType) -> Expr {
    Expr::Cast(Box::new(expr.into()), sql_type)
}

/// Trusted SQL text used as a column expression (SQLAlchemy's `literal_column`). Never pass
/// user input here: it is written into the SQL as is.
pub fn literal_column(sql: &str) -> Expr {
    Expr::Raw(Arc::from(sql))
}

/// A CASE expression: `CASE WHEN cond THEN value ... [ELSE value] END`.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// `CASE operand WHEN value ...` form, when set.
    pub operand: Option<Expr>,
    /// The WHEN/THEN pairs.
    pub whens: Vec<(Expr, Expr)>,
    /// The ELSE value.
    pub else_: Option<Expr>,
}

/// `CASE WHEN cond THEN value ... ELSE else_ END`.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("n", SqlType::Integer));
/// let size = case([(t.c("n").gt(10), "big")], Some("small")).label("size");
/// let sql = select([size]).compile(&PostgreSQL).unwrap().sql;
/// assert_eq!(sql, "SELECT CASE WHEN t.n > $1 THEN $2 ELSE $3 END AS size FROM t");
/// ```
pub fn case<I, C, V>(whens: I, else_: Option<impl Into<Expr>>) -> Expr
where
    I: IntoIterator<Item = (C, V)>,
    C: Into<Expr>,
    V: Into<Expr>,
{
    Expr::Case(Box::new(Case {
        operand: None,
        whens: whens
            .into_iter()
            .map(|(c, v)| (c.into(), v.into()))
            .collect(),
        else_: else_.map(Into::into),
    }))
}
