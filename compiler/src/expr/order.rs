//! ORDER BY items: `asc`/`desc` with `nulls_first`/`nulls_last`.

use super::Expr;

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDirection {
    /// `ASC`
    Asc,
    /// `DESC`
    Desc,
}

/// Where NULLs sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NullsOrder {
    /// `NULLS FIRST`
    First,
    /// `NULLS LAST`
    Last,
}

/// One ORDER BY item.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("n", SqlType::Integer));
/// let sql = select(&t).order_by([t.c("n").desc().nulls_last()]).compile(&PostgreSQL).unwrap().sql;
/// assert_eq!(sql, "SELECT t.n FROM t ORDER BY t.n DESC NULLS LAST");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    /// The sorted expression.
    pub expr: Expr,
    /// ASC / DESC, or the default when `None`.
    pub direction: Option<SortDirection>,
    /// NULLS FIRST / LAST, or the default when `None`.
    pub nulls: Option<NullsOrder>,
}

impl OrderBy {
    /// `NULLS FIRST`.
    pub fn nulls_first(mut self) -> Self {
        self.nulls = Some(NullsOrder::First);
        self
    }

    /// `NULLS LAST`.
    pub fn nulls_last(mut self) -> Self {
        self.nulls = Some(NullsOrder::Last);
        self
    }
}

impl From<Expr> for OrderBy {
    fn from(expr: Expr) -> Self {
        OrderBy {
            expr,
            direction: None,
            nulls: None,
        }
    }
}

impl From<&Expr> for OrderBy {
    fn from(expr: &Expr) -> Self {
        expr.clone().into()
    }
}

impl Expr {
    /// `self ASC`.
    pub fn asc(self) -> OrderBy {
        OrderBy {
            expr: self,
            direction: Some(SortDirection::Asc),
            nulls: None,
        }
    }

    /// `self DESC`.
    pub fn desc(self) -> OrderBy {
        OrderBy {
            expr: self,
            direction: Some(SortDirection::Desc),
            nulls: None,
        }
    }

    /// `self NULLS FIRST` with the default direction.
    pub fn nulls_first(self) -> OrderBy {
        OrderBy::from(self).nulls_first()
    }

    /// `self NULLS LAST` with the default direction.
    pub fn nulls_last(self) -> OrderBy {
        OrderBy::from(self).nulls_last()
    }
}
