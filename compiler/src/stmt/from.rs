//! FROM-clause elements: [`Source`] (table, alias, subquery, CTE), [`FromClause`] and joins.

use crate::error::CompileError;
use crate::expr::{ColumnRef, Expr, and_};
use crate::schema::{Column, Table};
use crate::stmt::{CompoundSelect, Query, SetOp};
use std::sync::Arc;

/// An alias of a table: `users AS u`.
#[derive(Debug, Clone, PartialEq)]
pub struct Alias {
    inner: Arc<(Arc<str>, Table)>,
}

impl Alias {
    pub(crate) fn new(table: Table, name: Arc<str>) -> Self {
        Alias {
            inner: Arc::new((name, table)),
        }
    }

    /// The alias name.
    pub fn name(&self) -> &Arc<str> {
        &self.inner.0
    }

    /// The aliased table.
    pub fn table(&self) -> &Table {
        &self.inner.1
    }

    /// A reference to column `name` through the alias (an [`Expr::Invalid`] if missing).
    pub fn c(&self, name: &str) -> Expr {
        Source::Alias(self.clone()).c(name)
    }

    /// `self JOIN right ON on` (inferred from foreign keys when `None`).
    pub fn join(&self, right: impl Into<FromClause>, on: Option<Expr>) -> FromClause {
        FromClause::from(self).join(right, on, JoinKind::Inner)
    }

    /// `self LEFT OUTER JOIN right ON on` (inferred from foreign keys when `None`).
    pub fn outerjoin(&self, right: impl Into<FromClause>, on: Option<Expr>) -> FromClause {
        FromClause::from(self).join(right, on, JoinKind::Left)
    }
}

/// A named subquery in FROM: `(SELECT ...) AS name`.
#[derive(Debug, Clone, PartialEq)]
pub struct Subquery {
    inner: Arc<DerivedDef>,
}

/// A common table expression: `WITH name AS (SELECT ...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cte {
    inner: Arc<DerivedDef>,
}

/// What subqueries and CTEs share: a name, a query and the columns it yields.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedDef {
    /// The name it is referred to by.
    pub name: Arc<str>,
    /// The query.
    pub query: Query,
    /// The query's result columns, or why they could not be determined.
    pub columns: Result<Vec<Arc<Column>>, CompileError>,
    /// `WITH RECURSIVE` (CTEs only).
    pub recursive: bool,
    /// `LATERAL (SELECT ...)` (subqueries only): the query may refer to FROM elements
    /// before it.
    pub lateral: bool,
    /// Named `anon_N` when compiled, numbered in the statement (subqueries only).
    pub anonymous: bool,
}

impl DerivedDef {
    fn new(name: Arc<str>, query: Query, recursive: bool) -> Self {
        let columns = query.result_columns().map(|cols| {
            cols.into_iter()
                .map(|rc| {
                    let ty = rc.sql_type.unwrap_or(crate::SqlType::Other(String::new()));
                    Arc::new(Column::new(rc.name, ty))
                })
                .collect()
        });
        DerivedDef {
            name,
            query,
            columns,
            recursive,
            lateral: false,
            anonymous: false,
        }
    }
}

impl Subquery {
    pub(crate) fn new(name: Arc<str>, query: Query) -> Self {
        Subquery {
            inner: Arc::new(DerivedDef::new(name, query, false)),
        }
    }

    pub(crate) fn new_lateral(name: Arc<str>, query: Query) -> Self {
        let mut def = DerivedDef::new(name, query, false);
        def.lateral = true;
        Subquery {
            inner: Arc::new(def),
        }
    }

    pub(crate) fn new_anonymous(query: Query) -> Self {
        let mut def = DerivedDef::new("anon".into(), query, false);
        def.anonymous = true;
        Subquery {
            inner: Arc::new(def),
        }
    }

    /// Identifies the subquery (and its clones) within a statement.
    pub(crate) fn id(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }

    /// The subquery's definition.
    pub fn def(&self) -> &DerivedDef {
        &self.inner
    }

    /// A reference to result column `name` of the subquery.
    pub fn c(&self, name: &str) -> Expr {
        Source::Subquery(self.clone()).c(name)
    }

    /// `self JOIN right ON on` (inferred when `None`).
    pub fn join(&self, right: impl Into<FromClause>, on: Option<Expr>) -> FromClause {
        FromClause::from(self).join(right, on, JoinKind::Inner)
    }

    /// `self LEFT OUTER JOIN right ON on` (inferred when `None`).
    pub fn outerjoin(&self, right: impl Into<FromClause>, on: Option<Expr>) -> FromClause {
        FromClause::from(self).join(right, on, JoinKind::Left)
    }
}

impl Cte {
    pub(crate) fn new(name: Arc<str>, query: Query, recursive: bool) -> Self {
        Cte {
            inner: Arc::new(DerivedDef::new(name, query, recursive)),
        }
    }

    /// The CTE's definition.
    pub fn def(&self) -> &DerivedDef {
        &self.inner
    }

    /// A reference to result column `name` of the CTE.
    pub fn c(&self, name: &str) -> Expr {
        Source::Cte(self.clone()).c(name)
    }

    /// `self JOIN right ON on` (inferred when `None`).
    pub fn join(&self, right: impl Into<FromClause>, on: Option<Expr>) -> FromClause {
        FromClause::from(self).join(right, on, JoinKind::Inner)
    }

    /// `self LEFT OUTER JOIN right ON on` (inferred when `None`).
    pub fn outerjoin(&self, right: impl Into<FromClause>, on: Option<Expr>) -> FromClause {
        FromClause::from(self).join(right, on, JoinKind::Left)
    }

    fn extend(&self, op: SetOp, other: impl Into<Query>) -> Cte {
        let compound = CompoundSelect::new(op, self.inner.query.clone(), other.into());
        Cte::new(
            self.inner.name.clone(),
            Query::from(compound),
            self.inner.recursive,
        )
    }

    /// The CTE with `UNION ALL other` appended: the recursive member of a recursive CTE,
    /// which refers to the CTE itself through [`Cte::c`].
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let nodes = Table::new("nodes")
    ///     .column(Column::new("id", SqlType::Integer).primary_key())
    ///     .column(Column::new("parent_id", SqlType::Integer));
    /// let tree = select([nodes.c("id")]).filter(nodes.c("id").eq(1)).cte_recursive("tree");
    /// let tree = tree.union_all(
    ///     select([nodes.c("id")]).join_on(&tree, nodes.c("parent_id").eq(tree.c("id"))),
    /// );
    /// let sql = select(&tree).compile(&PostgreSQL).unwrap().sql;
    /// assert!(sql.starts_with("WITH RECURSIVE tree(id) AS (SELECT nodes.id FROM nodes WHERE nodes.id = $1 UNION ALL"));
    /// ```
    pub fn union_all(&self, other: impl Into<Query>) -> Cte {
        self.extend(SetOp::UnionAll, other)
    }

    /// The CTE with `UNION other` appended.
    pub fn union(&self, other: impl Into<Query>) -> Cte {
        self.extend(SetOp::Union, other)
    }
}

/// Something with columns that can stand in a FROM clause.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A table.
    Table(Table),
    /// An aliased table.
    Alias(Alias),
    /// A subquery.
    Subquery(Subquery),
    /// A CTE.
    Cte(Cte),
}

impl Source {
    /// The name columns are qualified with (the table's name, or the alias, subquery or CTE
    /// name).
    pub fn display_name(&self) -> String {
        match self {
            Source::Table(t) => t.fullname(),
            Source::Alias(a) => a.name().to_string(),
            Source::Subquery(s) => s.inner.name.to_string(),
            Source::Cte(c) => c.inner.name.to_string(),
        }
    }

    /// The columns the source offers.
    pub fn columns(&self) -> Result<Vec<Arc<Column>>, CompileError> {
        match self {
            Source::Table(t) => Ok(t.columns.values().cloned().collect()),
            Source::Alias(a) => Ok(a.table().columns.values().cloned().collect()),
            Source::Subquery(s) => s.inner.columns.clone(),
            Source::Cte(c) => c.inner.columns.clone(),
        }
    }

    /// A reference to column `name`, or an [`Expr::Invalid`] naming the problem.
    pub fn c(&self, name: &str) -> Expr {
        let found = match self {
            Source::Table(t) => return t.c(name),
            Source::Alias(a) => Ok(a.table().get_column(name).cloned()),
            Source::Subquery(s) => s.inner.columns.clone().map(|c| find(c, name)),
            Source::Cte(c) => c.inner.columns.clone().map(|c| find(c, name)),
        };
        match found {
            Ok(Some(column)) => Expr::Column(ColumnRef {
                source: self.clone(),
                column,
            }),
            Ok(None) => Expr::Invalid(CompileError::NoSuchColumn {
                source_name: self.display_name(),
                column: name.to_owned(),
            }),
            Err(e) => Expr::Invalid(e),
        }
    }

    /// References to every column.
    pub fn column_exprs(&self) -> Vec<Expr> {
        match self.columns() {
            Ok(cols) => cols
                .into_iter()
                .map(|column| {
                    Expr::Column(ColumnRef {
                        source: self.clone(),
                        column,
                    })
                })
                .collect(),
            Err(e) => vec![Expr::Invalid(e)],
        }
    }

    /// The table underneath a table or alias, for foreign-key inference.
    pub fn table(&self) -> Option<&Table> {
        match self {
            Source::Table(t) => Some(t),
            Source::Alias(a) => Some(a.table()),
            _ => None,
        }
    }

    /// Whether two sources are the same FROM element: the same table, or the same alias,
    /// subquery or CTE name.
    pub fn same_as(&self, other: &Source) -> bool {
        match (self, other) {
            (Source::Table(a), Source::Table(b)) => a.same_as(b),
            (Source::Alias(a), Source::Alias(b)) => a.name() == b.name(),
            (Source::Subquery(a), Source::Subquery(b))
                if a.inner.anonymous || b.inner.anonymous =>
            {
                Arc::ptr_eq(&a.inner, &b.inner)
            }
            (Source::Subquery(a), Source::Subquery(b)) => a.inner.name == b.inner.name,
            (Source::Cte(a), Source::Cte(b)) => a.inner.name == b.inner.name,
            _ => false,
        }
    }
}

fn find(columns: Vec<Arc<Column>>, name: &str) -> Option<Arc<Column>> {
    columns.into_iter().find(|c| &*c.name == name)
}

macro_rules! source_from {
    ($($t:ident),*) => {$(
        impl From<&$t> for Source {
            fn from(v: &$t) -> Self {
                Source::$t(v.clone())
            }
        }
        impl From<$t> for Source {
            fn from(v: $t) -> Self {
                Source::$t(v)
            }
        }
        impl From<&$t> for FromClause {
            fn from(v: &$t) -> Self {
                FromClause::Source(Source::$t(v.clone()))
            }
        }
        impl From<$t> for FromClause {
            fn from(v: $t) -> Self {
                FromClause::Source(Source::$t(v))
            }
        }
    )*};
}
source_from!(Table, Alias, Subquery, Cte);

/// The kind of a join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoinKind {
    /// `JOIN`
    Inner,
    /// `LEFT OUTER JOIN`
    Left,
    /// `FULL OUTER JOIN`
    Full,
}

/// `left JOIN right ON on`.
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    /// Left side.
    pub left: FromClause,
    /// Right side.
    pub right: FromClause,
    /// The join condition (explicit or inferred from foreign keys).
    pub on: Expr,
    /// The join kind.
    pub kind: JoinKind,
}

/// An element of a FROM clause: a source or a join tree.
#[derive(Debug, Clone, PartialEq)]
pub enum FromClause {
    /// A table, alias, subquery or CTE.
    Source(Source),
    /// A join.
    Join(Box<Join>),
}

impl From<Source> for FromClause {
    fn from(source: Source) -> Self {
        FromClause::Source(source)
    }
}

impl FromClause {
    /// Joins `right` onto this clause. Without `on`, the condition comes from the single
    /// foreign key between a table of this clause and a table of `right` (either direction);
    /// none or several give an error when compiled.
    pub fn join(
        self,
        right: impl Into<FromClause>,
        on: Option<Expr>,
        kind: JoinKind,
    ) -> FromClause {
        let right = right.into();
        let on =
            on.unwrap_or_else(|| infer_join_condition(&self, &right).unwrap_or_else(Expr::Invalid));
        FromClause::Join(Box::new(Join {
            left: self,
            right,
            on,
            kind,
        }))
    }

    /// Inner join on an explicit condition.
    pub fn join_on(self, right: impl Into<FromClause>, on: Expr) -> FromClause {
        self.join(right, Some(on), JoinKind::Inner)
    }

    /// Left outer join (condition inferred when `None`).
    pub fn outerjoin(self, right: impl Into<FromClause>, on: Option<Expr>) -> FromClause {
        self.join(right, on, JoinKind::Left)
    }

    /// Full outer join (condition inferred when `None`).
    pub fn full_join(self, right: impl Into<FromClause>, on: Option<Expr>) -> FromClause {
        self.join(right, on, JoinKind::Full)
    }

    /// Every source in this clause, left to right.
    pub fn sources(&self) -> Vec<&Source> {
        let mut out = Vec::new();
        self.collect_sources(&mut out);
        out
    }

    fn collect_sources<'a>(&'a self, out: &mut Vec<&'a Source>) {
        self.each_source(&mut |s| out.push(s));
    }

    /// Calls `f` with each source of this clause, left to right (as [`Self::sources`], with
    /// no list built).
    pub(crate) fn each_source<'a>(&'a self, f: &mut impl FnMut(&'a Source)) {
        match self {
            FromClause::Source(s) => f(s),
            FromClause::Join(j) => {
                j.left.each_source(f);
                j.right.each_source(f);
            }
        }
    }

    /// Whether `source` appears in this clause.
    pub fn contains(&self, source: &Source) -> bool {
        match self {
            FromClause::Source(s) => s.same_as(source),
            FromClause::Join(j) => j.left.contains(source) || j.right.contains(source),
        }
    }

    fn describe(&self) -> String {
        self.sources()
            .iter()
            .map(|s| s.display_name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn infer_join_condition(left: &FromClause, right: &FromClause) -> Result<Expr, CompileError> {
    // As SQLAlchemy: try the left side's tables from the right-most one; for each, gather the
    // foreign keys between it and the right side in both directions, and stop at the first
    // table that has any. One is the join; more is ambiguous.
    let rights = right.sources();
    for l in left.sources().into_iter().rev() {
        let mut candidates = fk_conditions(&rights, &[l]);
        // A table joined to its own alias would meet each self-referencing key twice.
        let self_join = rights
            .iter()
            .any(|r| matches!((r.table(), l.table()), (Some(a), Some(b)) if a.same_as(b)));
        if !self_join || candidates.is_empty() {
            for cond in fk_conditions(&[l], &rights) {
                if !candidates.contains(&cond) {
                    candidates.push(cond);
                }
            }
        }
        match candidates.len() {
            0 => continue,
            1 => return Ok(candidates.remove(0)),
            count => {
                return Err(CompileError::AmbiguousForeignKey {
                    left: left.describe(),
                    right: right.describe(),
                    count,
                });
            }
        }
    }
    Err(CompileError::NoForeignKey {
        left: left.describe(),
        right: right.describe(),
    })
}

/// Join conditions for every foreign key of a table in `from` that refers to a table in `to`.
fn fk_conditions(from: &[&Source], to: &[&Source]) -> Vec<Expr> {
    let mut out = Vec::new();
    for from_src in from {
        let Some(from_t) = from_src.table() else {
            continue;
        };
        for to_src in to {
            let Some(to_t) = to_src.table() else { continue };
            for fk in &from_t.foreign_keys {
                if fk.referred_table != to_t.name || fk.referred_schema != to_t.schema {
                    continue;
                }
                let mut pairs: Vec<Expr> = fk
                    .columns
                    .iter()
                    .zip(&fk.referred_columns)
                    .map(|(a, b)| from_src.c(a).eq(to_src.c(b)))
                    .collect();
                let cond = if pairs.len() == 1 {
                    pairs.remove(0)
                } else {
                    and_(pairs)
                };
                if !out.contains(&cond) {
                    out.push(cond);
                }
            }
        }
    }
    out
}
