//! [`Insert`]: single and multi-row VALUES, INSERT ... SELECT, DEFAULT VALUES, RETURNING and
//! upserts.

use crate::expr::Expr;
use crate::schema::Table;
use crate::stmt::{IntoSelectItems, Query, SelectItem};
use std::sync::Arc;

/// Column/value pairs for `values()`, `set()` clauses and the like.
pub type Assignments = Vec<(Arc<str>, Expr)>;

/// `pairs` as assignments to `table`'s columns. A name the table has shares the column's own
/// (no copy of the name per statement built); another is copied, for compiling to report.
pub(crate) fn assignments<I, K, V>(table: &Table, pairs: I) -> Assignments
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: Into<Expr>,
{
    pairs
        .into_iter()
        .map(|(k, v)| (column_name(table, k.as_ref()), v.into()))
        .collect()
}

/// The name of `table`'s column `name`, shared; a copy of `name` when the table has none.
fn column_name(table: &Table, name: &str) -> Arc<str> {
    match table.get_column(name) {
        Some(column) => column.name.clone(),
        None => Arc::from(name),
    }
}

/// Where an INSERT's rows come from.
#[derive(Debug, Clone, PartialEq)]
pub enum InsertSource {
    /// `VALUES (...), (...)`: one or more rows of column/value pairs.
    Values(Vec<Assignments>),
    /// `INSERT INTO t (cols) SELECT ...`.
    Select(Vec<Arc<str>>, Box<Query>),
}

/// What to do when an inserted row conflicts with an existing one.
#[derive(Debug, Clone, PartialEq)]
pub enum OnConflict {
    /// `ON CONFLICT (target) DO NOTHING` (PostgreSQL, SQLite).
    DoNothing {
        /// Conflict target columns; empty for any constraint.
        target: Vec<Arc<str>>,
    },
    /// `ON CONFLICT (target) DO UPDATE SET ... [WHERE ...]` (PostgreSQL, SQLite).
    DoUpdate {
        /// Conflict target columns (required).
        target: Vec<Arc<str>>,
        /// The assignments; use [`excluded`] for the proposed row's values.
        set: Assignments,
        /// Optional condition on the update.
        filter: Option<Expr>,
    },
    /// `ON DUPLICATE KEY UPDATE ...` (MySQL).
    DuplicateKeyUpdate {
        /// The assignments; use [`excluded`] for the proposed row's values.
        set: Assignments,
    },
}

/// The value the conflicting INSERT proposed for `column`: `excluded.column` on PostgreSQL
/// and SQLite, `VALUES(column)` on MySQL.
pub fn excluded(column: &str) -> Expr {
    Expr::Excluded(column.into())
}

/// An INSERT statement.
///
/// ```
/// use sqlcore_compiler::*;
/// let users = Table::new("users")
///     .column(Column::new("id", SqlType::Integer).primary_key())
///     .column(Column::new("name", SqlType::Text));
/// let stmt = insert(&users).values(params! { "name" => "ed" }).returning([users.c("id")]);
/// assert_eq!(stmt.compile(&PostgreSQL).unwrap().sql, "INSERT INTO users (name) VALUES ($1) RETURNING users.id");
/// let err = stmt.compile(&MySQL).unwrap_err();
/// assert_eq!(err.to_string(), "RETURNING is not supported by the mysql dialect");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    /// The target table.
    pub table: Table,
    /// The rows; `Values(vec![])` means DEFAULT VALUES.
    pub source: InsertSource,
    /// RETURNING items.
    pub returning: Vec<SelectItem>,
    /// Upsert clause.
    pub on_conflict: Option<OnConflict>,
}

/// `INSERT INTO table`.
pub fn insert(table: &Table) -> Insert {
    Insert {
        table: table.clone(),
        source: InsertSource::Values(Vec::new()),
        returning: Vec::new(),
        on_conflict: None,
    }
}

impl Insert {
    /// Sets (or extends) the single row's column values; values may be expressions.
    pub fn values<I, K, V>(mut self, row: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<Expr>,
    {
        let new = assignments(&self.table, row);
        match &mut self.source {
            InsertSource::Values(rows) if rows.len() == 1 => {
                for (k, v) in new {
                    match rows[0].iter_mut().find(|(name, _)| *name == k) {
                        Some(slot) => slot.1 = v,
                        None => rows[0].push((k, v)),
                    }
                }
            }
            _ => self.source = InsertSource::Values(vec![new]),
        }
        self
    }

    /// Several rows as one multi-row `VALUES (...), (...)`; every row must name the same
    /// columns.
    pub fn values_many<R, I, K, V>(mut self, rows: R) -> Self
    where
        R: IntoIterator<Item = I>,
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<Expr>,
    {
        let table = &self.table;
        self.source = InsertSource::Values(
            rows.into_iter()
                .map(|row| assignments(table, row))
                .collect(),
        );
        self
    }

    /// `INSERT INTO table (columns) SELECT ...`.
    pub fn from_select<C>(mut self, columns: C, query: impl Into<Query>) -> Self
    where
        C: IntoIterator,
        C::Item: AsRef<str>,
    {
        let columns = columns.into_iter().map(|c| Arc::from(c.as_ref())).collect();
        self.source = InsertSource::Select(columns, Box::new(query.into()));
        self
    }

    /// `DEFAULT VALUES` (`() VALUES ()` on MySQL); also what an INSERT without values renders.
    pub fn default_values(mut self) -> Self {
        self.source = InsertSource::Values(Vec::new());
        self
    }

    /// `RETURNING items` (PostgreSQL, SQLite).
    pub fn returning(mut self, items: impl IntoSelectItems) -> Self {
        self.returning.extend(items.into_select_items());
        self
    }

    /// `ON CONFLICT (target) DO NOTHING`; an empty target matches any constraint.
    pub fn on_conflict_do_nothing<C>(mut self, target: C) -> Self
    where
        C: IntoIterator,
        C::Item: AsRef<str>,
    {
        let target = target.into_iter().map(|c| Arc::from(c.as_ref())).collect();
        self.on_conflict = Some(OnConflict::DoNothing { target });
        self
    }

    /// `ON CONFLICT (target) DO UPDATE SET ...`.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let kv = Table::new("kv")
    ///     .column(Column::new("k", SqlType::Text).primary_key())
    ///     .column(Column::new("v", SqlType::Text));
    /// let stmt = insert(&kv)
    ///     .values(params! { "k" => "a", "v" => "1" })
    ///     .on_conflict_do_update(["k"], [("v", excluded("v"))]);
    /// assert_eq!(
    ///     stmt.compile(&SQLite).unwrap().sql,
    ///     "INSERT INTO kv (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v"
    /// );
    /// ```
    pub fn on_conflict_do_update<C, I, K, V>(mut self, target: C, set: I) -> Self
    where
        C: IntoIterator,
        C::Item: AsRef<str>,
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<Expr>,
    {
        let target = target.into_iter().map(|c| Arc::from(c.as_ref())).collect();
        self.on_conflict = Some(OnConflict::DoUpdate {
            target,
            set: assignments(&self.table, set),
            filter: None,
        });
        self
    }

    /// Adds a WHERE condition to an `ON CONFLICT ... DO UPDATE`.
    pub fn on_conflict_filter(mut self, condition: Expr) -> Self {
        if let Some(OnConflict::DoUpdate { filter, .. }) = &mut self.on_conflict {
            *filter = Some(match filter.take() {
                Some(prev) => prev.and(condition),
                None => condition,
            });
        }
        self
    }

    /// `ON DUPLICATE KEY UPDATE ...` (MySQL).
    pub fn on_duplicate_key_update<I, K, V>(mut self, set: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<Expr>,
    {
        self.on_conflict = Some(OnConflict::DuplicateKeyUpdate {
            set: assignments(&self.table, set),
        });
        self
    }
}
