//! [`CompoundSelect`]: UNION, UNION ALL, INTERSECT and EXCEPT.

use crate::compile::ResultColumn;
use crate::error::CompileError;
use crate::expr::{Expr, OrderBy};
use crate::stmt::{Cte, Query, Subquery};
use std::sync::Arc;

/// A set operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetOp {
    /// `UNION`
    Union,
    /// `UNION ALL`
    UnionAll,
    /// `INTERSECT`
    Intersect,
    /// `INTERSECT ALL`
    IntersectAll,
    /// `EXCEPT`
    Except,
    /// `EXCEPT ALL`
    ExceptAll,
}

impl SetOp {
    /// The SQL keywords.
    pub fn as_sql(self) -> &'static str {
        match self {
            SetOp::Union => "UNION",
            SetOp::UnionAll => "UNION ALL",
            SetOp::Intersect => "INTERSECT",
            SetOp::IntersectAll => "INTERSECT ALL",
            SetOp::Except => "EXCEPT",
            SetOp::ExceptAll => "EXCEPT ALL",
        }
    }
}

/// Queries combined by one set operator, with an optional ORDER BY / LIMIT / OFFSET over the
/// whole.
///
/// ```
/// use sqlcore_compiler::*;
/// let a = Table::new("a").column(Column::new("x", SqlType::Integer));
/// let b = Table::new("b").column(Column::new("x", SqlType::Integer));
/// let q = select(&a).union_all(select(&b)).limit(10);
/// assert_eq!(q.compile(&SQLite).unwrap().sql, "SELECT a.x FROM a UNION ALL SELECT b.x FROM b LIMIT ?1");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CompoundSelect {
    /// The operator between members.
    pub op: SetOp,
    /// The members, at least two.
    pub selects: Vec<Query>,
    /// ORDER BY over the result.
    pub order_by: Vec<OrderBy>,
    /// LIMIT.
    pub limit: Option<Expr>,
    /// OFFSET.
    pub offset: Option<Expr>,
}

impl CompoundSelect {
    pub(crate) fn new(op: SetOp, first: Query, second: Query) -> Self {
        CompoundSelect {
            op,
            selects: vec![first, second],
            order_by: Vec::new(),
            limit: None,
            offset: None,
        }
    }

    fn add(mut self, op: SetOp, other: Query) -> Self {
        if self.op == op
            && self.order_by.is_empty()
            && self.limit.is_none()
            && self.offset.is_none()
        {
            self.selects.push(other);
            self
        } else {
            CompoundSelect::new(op, Query::from(self), other)
        }
    }

    /// `self UNION other`.
    pub fn union(self, other: impl Into<Query>) -> Self {
        self.add(SetOp::Union, other.into())
    }

    /// `self UNION ALL other`.
    pub fn union_all(self, other: impl Into<Query>) -> Self {
        self.add(SetOp::UnionAll, other.into())
    }

    /// `self INTERSECT other`.
    pub fn intersect(self, other: impl Into<Query>) -> Self {
        self.add(SetOp::Intersect, other.into())
    }

    /// `self EXCEPT other`.
    pub fn except(self, other: impl Into<Query>) -> Self {
        self.add(SetOp::Except, other.into())
    }

    /// Adds ORDER BY items over the whole result.
    pub fn order_by(mut self, items: impl crate::expr::IntoOrderByList) -> Self {
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

    /// The columns the query yields: those of its first member.
    pub fn result_columns(&self) -> Result<Vec<ResultColumn>, CompileError> {
        match self.selects.first() {
            Some(first) => first.result_columns(),
            None => Err(CompileError::invalid(format!(
                "{} has no queries",
                self.op.as_sql()
            ))),
        }
    }

    /// This query as a named subquery for FROM.
    pub fn subquery(self, name: impl Into<Arc<str>>) -> Subquery {
        Subquery::new(name.into(), Query::from(self))
    }

    /// This query as a CTE.
    pub fn cte(self, name: impl Into<Arc<str>>) -> Cte {
        Cte::new(name.into(), Query::from(self), false)
    }
}
