//! [`Select`] and the `select()` constructor.

use crate::compile::ResultColumn;
use crate::error::CompileError;
use crate::expr::{Expr, IntoGroupByList, IntoOrderByList, OrderBy, Window};
use crate::schema::Table;
use crate::stmt::{
    Alias, CompoundSelect, Cte, FromClause, JoinKind, Query, SetOp, Source, Subquery,
};
use crate::text::TextClause;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// One entry of a SELECT's column list.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// An expression.
    Expr(Expr),
    /// Every column of a table, alias, subquery or CTE.
    All(Source),
}

impl From<Expr> for SelectItem {
    fn from(e: Expr) -> Self {
        SelectItem::Expr(e)
    }
}

impl From<&Expr> for SelectItem {
    fn from(e: &Expr) -> Self {
        SelectItem::Expr(e.clone())
    }
}

macro_rules! item_from_source {
    ($($t:ty),*) => {$(
        impl From<&$t> for SelectItem {
            fn from(v: &$t) -> Self {
                SelectItem::All(Source::from(v))
            }
        }
    )*};
}
item_from_source!(Table, Alias, Subquery, Cte);

/// What `select()` and `returning()` accept: one item, an array or vector of items, or a
/// tuple mixing tables and expressions.
pub trait IntoSelectItems {
    /// The items, in order.
    fn into_select_items(self) -> Vec<SelectItem>;
}

impl<T: Into<SelectItem>> IntoSelectItems for Vec<T> {
    fn into_select_items(self) -> Vec<SelectItem> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<T: Into<SelectItem>, const N: usize> IntoSelectItems for [T; N] {
    fn into_select_items(self) -> Vec<SelectItem> {
        self.into_iter().map(Into::into).collect()
    }
}

macro_rules! single_item {
    ($($t:ty),*) => {$(
        impl IntoSelectItems for $t {
            fn into_select_items(self) -> Vec<SelectItem> {
                vec![self.into()]
            }
        }
    )*};
}
single_item!(Expr, &Table, &Alias, &Subquery, &Cte, TextClause);

impl From<TextClause> for SelectItem {
    fn from(t: TextClause) -> Self {
        SelectItem::Expr(t.into())
    }
}

macro_rules! tuple_items {
    ($($name:ident),+) => {
        impl<$($name: Into<SelectItem>),+> IntoSelectItems for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_select_items(self) -> Vec<SelectItem> {
                let ($($name,)+) = self;
                vec![$($name.into()),+]
            }
        }
    };
}
tuple_items!(A, B);
tuple_items!(A, B, C);
tuple_items!(A, B, C, D);
tuple_items!(A, B, C, D, E);

/// SELECT DISTINCT variants.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Distinct {
    /// No DISTINCT.
    #[default]
    None,
    /// `SELECT DISTINCT`.
    All,
    /// `SELECT DISTINCT ON (...)` (PostgreSQL).
    On(Vec<Expr>),
}

/// Row-locking clause: `FOR UPDATE` and its variants.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ForUpdate {
    /// `FOR SHARE` instead of `FOR UPDATE`.
    pub read: bool,
    /// `NOWAIT`.
    pub nowait: bool,
    /// `SKIP LOCKED`.
    pub skip_locked: bool,
    /// `OF table, ...`.
    pub of: Vec<Source>,
}

/// A SELECT statement: an immutable value built with `self`-consuming methods.
///
/// FROM is inferred from the columns and the WHERE clause, as in SQLAlchemy; a subquery used
/// as a value (`scalar_subquery`, `exists`, `in_`) correlates automatically: tables of the
/// enclosing query are not repeated in its FROM.
///
/// ```
/// use sqlcore_compiler::*;
/// let users = Table::new("users")
///     .column(Column::new("id", SqlType::Integer).primary_key())
///     .column(Column::new("name", SqlType::Text));
/// let addresses = Table::new("addresses")
///     .column(Column::new("id", SqlType::Integer).primary_key())
///     .column(Column::new("user_id", SqlType::Integer).references("users.id"))
///     .column(Column::new("email", SqlType::Text));
/// let q = select([users.c("name"), addresses.c("email")])
///     .join(&addresses)
///     .filter(users.c("name").startswith("a"))
///     .order_by([addresses.c("email")]);
/// assert_eq!(
///     q.compile(&MySQL).unwrap().sql,
///     "SELECT users.name, addresses.email FROM users JOIN addresses ON addresses.user_id = users.id \
///      WHERE users.name LIKE ? ORDER BY addresses.email"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Select {
    /// The column list.
    pub items: Vec<SelectItem>,
    /// Explicit FROM elements (`select_from` and joins).
    pub from: Vec<FromClause>,
    /// WHERE criteria, ANDed.
    pub filters: Vec<Expr>,
    /// GROUP BY.
    pub group_by: Vec<Expr>,
    /// HAVING criteria, ANDed.
    pub having: Vec<Expr>,
    /// ORDER BY.
    pub order_by: Vec<OrderBy>,
    /// LIMIT.
    pub limit: Option<Expr>,
    /// OFFSET.
    pub offset: Option<Expr>,
    /// DISTINCT.
    pub distinct: Distinct,
    /// FOR UPDATE.
    pub for_update: Option<ForUpdate>,
    /// Disable auto-correlation when false (SQLAlchemy's `correlate(None)`).
    pub correlate: bool,
    /// The WINDOW clause: named windows functions refer to with [`Window::named`].
    pub windows: Vec<(Arc<str>, Window)>,
}

/// `SELECT items`: columns, expressions or whole tables.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("a", SqlType::Integer)).column(Column::new("b", SqlType::Text));
/// assert_eq!(select(&t).compile(&PostgreSQL).unwrap().sql, "SELECT t.a, t.b FROM t");
/// assert_eq!(select([t.c("b")]).compile(&PostgreSQL).unwrap().sql, "SELECT t.b FROM t");
/// assert_eq!(select((&t, count_all())).compile(&PostgreSQL).unwrap().sql, "SELECT t.a, t.b, count(*) AS count_1 FROM t");
/// ```
pub fn select(items: impl IntoSelectItems) -> Select {
    Select {
        items: items.into_select_items(),
        correlate: true,
        ..Select::default()
    }
}

impl Select {
    /// Adds WHERE criteria; repeated calls are ANDed.
    pub fn filter(mut self, criterion: impl Into<Expr>) -> Self {
        self.filters.push(criterion.into());
        self
    }

    /// Synonym of [`Select::filter`] (SQLAlchemy's `where`).
    pub fn where_(self, criterion: impl Into<Expr>) -> Self {
        self.filter(criterion)
    }

    /// Adds columns to the column list.
    pub fn add_columns(mut self, items: impl IntoSelectItems) -> Self {
        self.items.extend(items.into_select_items());
        self
    }

    /// Replaces the column list.
    pub fn with_only_columns(mut self, items: impl IntoSelectItems) -> Self {
        self.items = items.into_select_items();
        self
    }

    /// Adds an explicit FROM element.
    pub fn select_from(mut self, from: impl Into<FromClause>) -> Self {
        self.from.push(from.into());
        self
    }

    fn join_kind(mut self, right: FromClause, on: Option<Expr>, kind: JoinKind) -> Self {
        let left = match self.from.pop() {
            Some(left) => left,
            None => match self.first_source() {
                Some(source) => FromClause::Source(source),
                None => {
                    // Nothing to join from: the join's right side stands alone and the error
                    // surfaces through the ON clause.
                    self.from.push(right);
                    self.filters.push(Expr::Invalid(CompileError::invalid(
                        "join() needs a FROM element to join from; use select_from()",
                    )));
                    return self;
                }
            },
        };
        self.from.push(left.join(right, on, kind));
        self
    }

    fn first_source(&self) -> Option<Source> {
        let mut sources = Vec::new();
        for item in &self.items {
            match item {
                SelectItem::All(s) => sources.push(s.clone()),
                SelectItem::Expr(e) => crate::compile::collect_sources(e, &mut sources),
            }
            if !sources.is_empty() {
                break;
            }
        }
        sources.into_iter().next()
    }

    /// `JOIN right` from the last FROM element (or the first table of the columns), with the
    /// ON clause inferred from the single foreign key between them.
    pub fn join(self, right: impl Into<FromClause>) -> Self {
        self.join_kind(right.into(), None, JoinKind::Inner)
    }

    /// `JOIN right ON on`.
    pub fn join_on(self, right: impl Into<FromClause>, on: Expr) -> Self {
        self.join_kind(right.into(), Some(on), JoinKind::Inner)
    }

    /// `left JOIN right`, the left side given (SQLAlchemy's `join_from`), with the ON clause
    /// inferred from the single foreign key between them.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let users = Table::new("users").column(Column::new("id", SqlType::Integer).primary_key());
    /// let orders = Table::new("orders")
    ///     .column(Column::new("user_id", SqlType::Integer).references("users.id"));
    /// let q = select([count_all()]).join_from(&users, &orders);
    /// assert_eq!(
    ///     q.compile(&SQLite).unwrap().sql,
    ///     "SELECT count(*) AS count_1 FROM users JOIN orders ON orders.user_id = users.id"
    /// );
    /// ```
    pub fn join_from(self, left: impl Into<FromClause>, right: impl Into<FromClause>) -> Self {
        self.select_from(left.into().join(right, None, JoinKind::Inner))
    }

    /// `left JOIN right ON on`.
    pub fn join_from_on(
        self,
        left: impl Into<FromClause>,
        right: impl Into<FromClause>,
        on: Expr,
    ) -> Self {
        self.select_from(left.into().join(right, Some(on), JoinKind::Inner))
    }

    /// `left LEFT OUTER JOIN right`, the left side given, with an inferred ON clause.
    pub fn outerjoin_from(self, left: impl Into<FromClause>, right: impl Into<FromClause>) -> Self {
        self.select_from(left.into().join(right, None, JoinKind::Left))
    }

    /// `LEFT OUTER JOIN right` with an inferred ON clause.
    pub fn outerjoin(self, right: impl Into<FromClause>) -> Self {
        self.join_kind(right.into(), None, JoinKind::Left)
    }

    /// `LEFT OUTER JOIN right ON on`.
    pub fn outerjoin_on(self, right: impl Into<FromClause>, on: Expr) -> Self {
        self.join_kind(right.into(), Some(on), JoinKind::Left)
    }

    /// `FULL OUTER JOIN right` with an inferred ON clause.
    pub fn full_join(self, right: impl Into<FromClause>) -> Self {
        self.join_kind(right.into(), None, JoinKind::Full)
    }

    /// `FULL OUTER JOIN right ON on`.
    pub fn full_join_on(self, right: impl Into<FromClause>, on: Expr) -> Self {
        self.join_kind(right.into(), Some(on), JoinKind::Full)
    }

    /// Adds GROUP BY items: expressions, or names of result columns (`group_by(["n"])`).
    pub fn group_by(mut self, items: impl IntoGroupByList) -> Self {
        self.group_by.extend(items.into_group_by_list());
        self
    }

    /// Adds `name AS (window)` to the WINDOW clause (see [`Window::named`]).
    pub fn window(mut self, name: impl Into<Arc<str>>, window: Window) -> Self {
        self.windows.push((name.into(), window));
        self
    }

    /// Adds HAVING criteria; repeated calls are ANDed.
    pub fn having(mut self, criterion: impl Into<Expr>) -> Self {
        self.having.push(criterion.into());
        self
    }

    /// Adds ORDER BY items: expressions, `asc()`/`desc()` items, or names of result columns
    /// (`"n"`, `desc("n")`); a tuple mixes them.
    pub fn order_by(mut self, items: impl IntoOrderByList) -> Self {
        self.order_by.extend(items.into_order_by_list());
        self
    }

    /// LIMIT: an integer bound as a BIGINT parameter, or a `bindparam()`.
    pub fn limit(mut self, n: impl crate::expr::IntoLimit) -> Self {
        self.limit = Some(n.into_limit());
        self
    }

    /// OFFSET: an integer bound as a BIGINT parameter, or a `bindparam()`.
    pub fn offset(mut self, n: impl crate::expr::IntoLimit) -> Self {
        self.offset = Some(n.into_limit());
        self
    }

    /// `SELECT DISTINCT`.
    pub fn distinct(mut self) -> Self {
        self.distinct = Distinct::All;
        self
    }

    /// `SELECT DISTINCT ON (exprs)` — PostgreSQL only; other dialects report a CompileError.
    pub fn distinct_on<I>(mut self, exprs: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Expr>,
    {
        self.distinct = Distinct::On(exprs.into_iter().map(Into::into).collect());
        self
    }

    /// `FOR UPDATE`.
    pub fn for_update(self) -> Self {
        self.with_for_update(ForUpdate::default())
    }

    /// A locking clause with options (`FOR SHARE`, `NOWAIT`, `SKIP LOCKED`, `OF`).
    pub fn with_for_update(mut self, options: ForUpdate) -> Self {
        self.for_update = Some(options);
        self
    }

    /// Turns auto-correlation off: used as a subquery, the query keeps every table in its FROM.
    pub fn correlate_none(mut self) -> Self {
        self.correlate = false;
        self
    }

    /// This query as a named subquery for FROM.
    pub fn subquery(self, name: impl Into<Arc<str>>) -> Subquery {
        Subquery::new(name.into(), Query::from(self))
    }

    /// This query as a subquery for FROM without a name (SQLAlchemy's `subquery()`): it is
    /// named `anon_1`, `anon_2`, ... in the statement it is compiled in.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("x", SqlType::Integer));
    /// let sq = select([t.c("x")]).filter(t.c("x").gt(1)).anon_subquery();
    /// assert_eq!(
    ///     select([sq.c("x")]).compile(&SQLite).unwrap().sql,
    ///     "SELECT anon_1.x FROM (SELECT t.x FROM t WHERE t.x > ?1) AS anon_1"
    /// );
    /// ```
    pub fn anon_subquery(self) -> Subquery {
        Subquery::new_anonymous(Query::from(self))
    }

    /// This query as a LATERAL subquery for FROM: `LATERAL (SELECT ...) AS name`, which may
    /// refer to the FROM elements before it (PostgreSQL, MySQL 8; SQLite has none and reports
    /// a CompileError). Join it `ON true`, or list it with `select_from`.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let users = Table::new("users").column(Column::new("id", SqlType::Integer).primary_key());
    /// let orders = Table::new("orders")
    ///     .column(Column::new("user_id", SqlType::Integer))
    ///     .column(Column::new("amount", SqlType::Integer));
    /// let top = select([orders.c("amount")])
    ///     .filter(orders.c("user_id").eq(users.c("id")))
    ///     .order_by([orders.c("amount").desc()])
    ///     .limit(1)
    ///     .lateral("top");
    /// let q = select([users.c("id"), top.c("amount")]).join_on(&top, true_());
    /// assert_eq!(
    ///     q.compile(&PostgreSQL).unwrap().sql,
    ///     "SELECT users.id, top.amount FROM users JOIN LATERAL (SELECT orders.amount FROM orders \
    ///      WHERE orders.user_id = users.id ORDER BY orders.amount DESC LIMIT $1) AS top ON true"
    /// );
    /// assert!(q.compile(&SQLite).unwrap_err().to_string().contains("LATERAL"));
    /// ```
    pub fn lateral(self, name: impl Into<Arc<str>>) -> Subquery {
        Subquery::new_lateral(name.into(), Query::from(self))
    }

    /// This query as a CTE.
    pub fn cte(self, name: impl Into<Arc<str>>) -> Cte {
        Cte::new(name.into(), Query::from(self), false)
    }

    /// This query as the seed of a recursive CTE; add the recursive member with
    /// [`Cte::union_all`].
    pub fn cte_recursive(self, name: impl Into<Arc<str>>) -> Cte {
        Cte::new(name.into(), Query::from(self), true)
    }

    /// This query as a value: `(SELECT ...)`.
    pub fn scalar_subquery(self) -> Expr {
        Expr::ScalarSubquery(Box::new(Query::from(self)))
    }

    /// `EXISTS (SELECT ...)`.
    pub fn exists(self) -> Expr {
        Expr::Exists(Box::new(Query::from(self)))
    }

    fn set_op(self, op: SetOp, other: impl Into<Query>) -> CompoundSelect {
        CompoundSelect::new(op, Query::from(self), other.into())
    }

    /// `self UNION other`.
    pub fn union(self, other: impl Into<Query>) -> CompoundSelect {
        self.set_op(SetOp::Union, other)
    }

    /// `self UNION ALL other`.
    pub fn union_all(self, other: impl Into<Query>) -> CompoundSelect {
        self.set_op(SetOp::UnionAll, other)
    }

    /// `self INTERSECT other`.
    pub fn intersect(self, other: impl Into<Query>) -> CompoundSelect {
        self.set_op(SetOp::Intersect, other)
    }

    /// `self INTERSECT ALL other`.
    pub fn intersect_all(self, other: impl Into<Query>) -> CompoundSelect {
        self.set_op(SetOp::IntersectAll, other)
    }

    /// `self EXCEPT other`.
    pub fn except(self, other: impl Into<Query>) -> CompoundSelect {
        self.set_op(SetOp::Except, other)
    }

    /// `self EXCEPT ALL other`.
    pub fn except_all(self, other: impl Into<Query>) -> CompoundSelect {
        self.set_op(SetOp::ExceptAll, other)
    }

    /// The columns the query yields.
    pub fn result_columns(&self) -> Result<Vec<ResultColumn>, CompileError> {
        result_columns(&self.items)
    }
}

/// The columns a list of select `items` yields (a SELECT's, or a RETURNING clause's): their
/// names as [`named_items`] gives them, and their types.
pub(crate) fn result_columns(items: &[SelectItem]) -> Result<Vec<ResultColumn>, CompileError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    Ok(named_items(items)?
        .into_iter()
        .map(|item| ResultColumn {
            sql_type: item.expr.sql_type(),
            name: item.name,
        })
        .collect())
}

/// The column list of `items` with each entry's result name and whether it needs `AS name`:
/// columns keep their names, labels their labels, functions become `name_N` and other
/// expressions `anon_N`, as SQLAlchemy names them.
pub(crate) fn named_items<'a>(
    items: impl IntoIterator<Item = &'a SelectItem>,
) -> Result<Vec<NamedItem<'a>>, CompileError> {
    let mut out = Vec::new();
    // Anonymous names count per base name: count_1, sum_1, anon_1, anon_2.
    let mut counters: HashMap<String, usize> = HashMap::new();
    let mut next = |base: &str| {
        let n = match counters.get_mut(base) {
            Some(n) => {
                *n += 1;
                *n
            }
            None => {
                counters.insert(base.to_owned(), 1);
                1
            }
        };
        Arc::<str>::from(format!("{base}_{n}"))
    };
    for item in items {
        match item {
            SelectItem::All(source) => {
                for expr in source.column_exprs() {
                    if let Expr::Invalid(e) = expr {
                        return Err(e);
                    }
                    let name = expr.result_name().cloned().unwrap_or_else(|| "".into());
                    out.push(NamedItem {
                        expr: Cow::Owned(expr),
                        name,
                        labeled: false,
                        generated: false,
                    });
                }
            }
            SelectItem::Expr(expr) => {
                // (name, labeled, generated)
                let (name, labeled, generated) = match expr {
                    Expr::Column(c) => (c.column.name.clone(), false, false),
                    Expr::Label(name, _) => (name.clone(), true, false),
                    Expr::Invalid(e) => return Err(e.clone()),
                    // A cast of a column keeps the column's name (checked where the column
                    // is written; a subquery's may be a generated label).
                    Expr::Cast(inner, _) if matches!(**inner, Expr::Column(_)) => (
                        inner.result_name().cloned().unwrap_or_else(|| "".into()),
                        true,
                        true,
                    ),
                    Expr::Func { name, .. } => (next(&name.to_ascii_lowercase()), true, true),
                    _ => (next("anon"), true, true),
                };
                out.push(NamedItem {
                    expr: Cow::Borrowed(expr),
                    name,
                    labeled,
                    generated,
                });
            }
        }
    }
    // As SQLAlchemy 2.0 (LABEL_STYLE_DISAMBIGUATE_ONLY): a repeated column name gets a
    // `name_N` label, so every result column has a distinct name — one free of the names
    // before it (as labelled) and after it (as given). Short lists are searched in place (no
    // allocation on the everyday path); long ones through sets, so naming stays linear.
    let hashed = out.len() > 32;
    let given: HashSet<Arc<str>> = if hashed {
        out.iter().map(|o| o.name.clone()).collect()
    } else {
        HashSet::new()
    };
    let mut before: HashSet<Arc<str>> = HashSet::new();
    for i in 0..out.len() {
        let repeated = if hashed {
            before.contains(&out[i].name)
        } else {
            out[..i].iter().any(|o| o.name == out[i].name)
        };
        if repeated {
            let base = out[i].name.clone();
            let taken = |label: &Arc<str>, out: &[NamedItem<'_>]| {
                if hashed {
                    before.contains(label) || given.contains(label)
                } else {
                    out.iter().any(|o| o.name == *label)
                }
            };
            let mut label = next(&base);
            while taken(&label, &out) {
                label = next(&base);
            }
            let item = &mut out[i];
            item.name = label;
            item.labeled = true;
            item.generated = true;
        }
        if hashed {
            before.insert(out[i].name.clone());
        }
    }
    Ok(out)
}

/// A column-list entry with its result name. The expression is the statement's own (so the
/// values it binds are the statement's), or a column reference made for `SELECT table.*`.
#[derive(Debug, Clone)]
pub(crate) struct NamedItem<'a> {
    pub expr: Cow<'a, Expr>,
    pub name: Arc<str>,
    pub labeled: bool,
    /// The name is the compiler's (`anon_1`, `count_1`, a disambiguating `name_2`), not the
    /// user's: shortened to the dialect's limit rather than refused.
    pub generated: bool,
}

#[cfg(test)]
mod tests {
    use crate::schema::{Column, SqlType, Table};
    use crate::text::tests::assert_linear;
    use crate::{Compile, Expr, count, select};

    #[test]
    fn naming_the_columns_is_linear() {
        let t = Table::new("t").column(Column::new("x", SqlType::Integer));
        // The same column again and again (x, x_1, x_2, ...), and as many functions
        // (count_1, count_2, ...): the disambiguating names grow with the list.
        let columns = |n| {
            let mut items: Vec<Expr> = vec![t.c("x"); n];
            items.extend((0..n).map(|_| count(t.c("x"))));
            (n, select(items))
        };
        assert_linear("repeated names", 1_000, columns, |(n, stmt)| {
            let compiled = stmt.compile(&crate::SQLite).unwrap();
            assert_eq!(compiled.columns.len(), 2 * n);
            assert_eq!(&*compiled.columns[*n - 1].name, format!("x_{}", n - 1));
        });
    }
}
