//! [`Update`] and [`Delete`].

use crate::expr::Expr;
use crate::schema::Table;
use crate::stmt::insert::{Assignments, assignments};
use crate::stmt::{IntoSelectItems, SelectItem};

/// An UPDATE statement. Tables other than the target that appear in the WHERE clause become
/// `UPDATE ... FROM` (PostgreSQL, SQLite) or a multi-table UPDATE (MySQL).
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("counters")
///     .column(Column::new("id", SqlType::Integer).primary_key())
///     .column(Column::new("n", SqlType::Integer));
/// let stmt = update(&t).filter(t.c("id").eq(1)).values([("n", t.c("n") + 1)]);
/// assert_eq!(stmt.compile(&PostgreSQL).unwrap().sql, "UPDATE counters SET n = counters.n + $1 WHERE counters.id = $2");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// The target table.
    pub table: Table,
    /// SET assignments, in order.
    pub set: Assignments,
    /// SET assignments to array elements or slices (`SET col[i] = value`), after `set`.
    pub elements: Vec<(Expr, Expr)>,
    /// WHERE criteria, ANDed.
    pub filters: Vec<Expr>,
    /// RETURNING items.
    pub returning: Vec<SelectItem>,
}

/// `UPDATE table`.
pub fn update(table: &Table) -> Update {
    Update {
        table: table.clone(),
        set: Vec::new(),
        elements: Vec::new(),
        filters: Vec::new(),
        returning: Vec::new(),
    }
}

impl Update {
    /// Sets one element or slice of an array column, `SET col[i] = value` (SQLAlchemy's
    /// `values({col[i]: value})`): `target` is [`Expr::item`] or [`Expr::slice`] of a column
    /// of the table (`item(i).item(j)` for an element of a 2-D array); the indexes and the
    /// value are bound, the value typed as the element. PostgreSQL only.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t")
    ///     .column(Column::new("id", SqlType::Integer).primary_key())
    ///     .column(Column::new("ns", SqlType::array(SqlType::Integer)));
    /// let stmt = update(&t).set_element(t.c("ns").item(2), 7).filter(t.c("id").eq(1));
    /// assert_eq!(stmt.compile(&PostgreSQL).unwrap().sql, "UPDATE t SET ns[$1] = $2 WHERE t.id = $3");
    /// ```
    pub fn set_element(mut self, target: Expr, value: impl Into<Expr>) -> Self {
        self.elements.push((target, value.into()));
        self
    }

    /// Adds SET assignments; values may be expressions such as `t.c("n") + 1`.
    pub fn values<I, K, V>(mut self, set: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<Expr>,
    {
        for (k, v) in assignments(&self.table, set) {
            match self.set.iter_mut().find(|(name, _)| *name == k) {
                Some(slot) => slot.1 = v,
                None => self.set.push((k, v)),
            }
        }
        self
    }

    /// Adds WHERE criteria; repeated calls are ANDed.
    pub fn filter(mut self, criterion: impl Into<Expr>) -> Self {
        self.filters.push(criterion.into());
        self
    }

    /// `RETURNING items` (PostgreSQL, SQLite).
    pub fn returning(mut self, items: impl IntoSelectItems) -> Self {
        self.returning.extend(items.into_select_items());
        self
    }
}

/// A DELETE statement.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("id", SqlType::Integer).primary_key());
/// let stmt = delete(&t).filter(t.c("id").in_([1, 2, 3])).returning([t.c("id")]);
/// assert_eq!(stmt.compile(&PostgreSQL).unwrap().sql, "DELETE FROM t WHERE t.id = ANY($1) RETURNING t.id");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    /// The target table.
    pub table: Table,
    /// WHERE criteria, ANDed.
    pub filters: Vec<Expr>,
    /// RETURNING items.
    pub returning: Vec<SelectItem>,
}

/// `DELETE FROM table`.
pub fn delete(table: &Table) -> Delete {
    Delete {
        table: table.clone(),
        filters: Vec::new(),
        returning: Vec::new(),
    }
}

impl Delete {
    /// Adds WHERE criteria; repeated calls are ANDed.
    pub fn filter(mut self, criterion: impl Into<Expr>) -> Self {
        self.filters.push(criterion.into());
        self
    }

    /// `RETURNING items` (PostgreSQL, SQLite).
    pub fn returning(mut self, items: impl IntoSelectItems) -> Self {
        self.returning.extend(items.into_select_items());
        self
    }
}
