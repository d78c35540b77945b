//! [`Table`]: a named table with columns and constraints.

use crate::error::CompileError;
use crate::expr::{ColumnRef, Expr};
use crate::schema::{
    Autoincrement, CheckConstraint, Column, ForeignKey, Index, IndexElement, PartitionBound,
    PartitionBy, PartitionOf, PartitionStrategy, PrimaryKey, UniqueConstraint,
};
use crate::stmt::{Alias, FromClause, JoinKind, Source};
use indexmap::IndexMap;
use std::ops::Deref;
use std::sync::Arc;

/// The definition of a table; reached through [`Table`]'s `Deref`.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDef {
    /// Schema name; `None` for the connection's default schema.
    pub schema: Option<String>,
    /// Table name.
    pub name: String,
    /// Columns in definition order (hashed with foldhash: statements look columns up by
    /// name as they are built and compiled).
    pub columns: IndexMap<Arc<str>, Arc<Column>, foldhash::fast::RandomState>,
    /// The primary key (empty if the table has none).
    pub primary_key: PrimaryKey,
    /// Foreign keys, table-level and from [`Column::references`].
    pub foreign_keys: Vec<ForeignKey>,
    /// Multi-column and named UNIQUE constraints (single-column ones are [`Column::unique`]).
    pub unique_constraints: Vec<UniqueConstraint>,
    /// CHECK constraints.
    pub check_constraints: Vec<CheckConstraint>,
    /// Explicit indexes (single-column ones may also come from [`Column::index`]).
    pub indexes: Vec<Index>,
    /// Table comment.
    pub comment: Option<String>,
    /// The partition key of a partitioned table (PostgreSQL).
    pub partition_by: Option<PartitionBy>,
    /// The parent and bound of a partition (PostgreSQL).
    pub partition_of: Option<PartitionOf>,
    /// The first problem found while building the table; compiling anything that uses the
    /// table reports it.
    pub problem: Option<CompileError>,
}

/// A table: cheap to clone (shared), built with `self`-consuming methods.
///
/// ```
/// use sqlcore_compiler::{Column, SqlType, Table};
/// let users = Table::new("users")
///     .column(Column::new("id", SqlType::Integer).primary_key())
///     .column(Column::new("name", SqlType::String(Some(30))).not_null());
/// let addresses = Table::new("addresses")
///     .column(Column::new("id", SqlType::Integer).primary_key())
///     .column(Column::new("user_id", SqlType::Integer).references("users.id"))
///     .column(Column::new("email", SqlType::Text));
/// assert_eq!(users.primary_key.columns.len(), 1);
/// assert_eq!(addresses.foreign_keys[0].referred_table, "users");
/// assert!(users.try_c("nope").is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    inner: Arc<TableDef>,
}

impl Deref for Table {
    type Target = TableDef;
    fn deref(&self) -> &TableDef {
        &self.inner
    }
}

impl Table {
    /// The same definition: the same table object, or an equal one (what a compiled-statement
    /// cache key compares).
    pub fn same_definition(&self, other: &Table) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.inner == other.inner
    }

    /// An empty table named `name` in the default schema.
    pub fn new(name: impl Into<String>) -> Self {
        Table {
            inner: Arc::new(TableDef {
                schema: None,
                name: name.into(),
                columns: IndexMap::default(),
                primary_key: PrimaryKey::default(),
                foreign_keys: Vec::new(),
                unique_constraints: Vec::new(),
                check_constraints: Vec::new(),
                indexes: Vec::new(),
                comment: None,
                partition_by: None,
                partition_of: None,
                problem: None,
            }),
        }
    }

    fn edit(&mut self) -> &mut TableDef {
        Arc::make_mut(&mut self.inner)
    }

    fn problem(&mut self, problem: CompileError) {
        let def = self.edit();
        def.problem.get_or_insert(problem);
    }

    /// Gives the column `name` another type, keeping the rest of it — how a reflected table
    /// takes a user type ([`SqlType::custom`](crate::SqlType::custom)) for a column, as
    /// SQLAlchemy's columns given to an autoloaded `Table` override the reflected ones. An
    /// unknown column is a [`CompileError::NoSuchColumn`] when the table is used.
    pub fn column_type(self, name: &str, sql_type: crate::schema::SqlType) -> Self {
        self.map_column(name, |column| column.sql_type = sql_type)
    }

    /// Changes the column `name` in place with `f` (its name stays: `f` renaming it is
    /// undone). An unknown column is a [`CompileError::NoSuchColumn`] when the table is used.
    pub fn map_column(mut self, name: &str, f: impl FnOnce(&mut Column)) -> Self {
        let Some(column) = self.columns.get(name) else {
            let problem = CompileError::NoSuchColumn {
                source_name: self.fullname(),
                column: name.to_owned(),
            };
            self.problem(problem);
            return self;
        };
        let mut column = Column::clone(column);
        let kept = column.name.clone();
        f(&mut column);
        column.name = kept;
        self.edit()
            .columns
            .insert(column.name.clone(), Arc::new(column));
        self
    }

    /// Places the table in `schema`.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.edit().schema = Some(schema.into());
        self
    }

    /// Adds a column. A second column of the same name is recorded as a problem that every
    /// compilation using the table reports.
    pub fn column(mut self, column: Column) -> Self {
        if self.columns.contains_key(&column.name) {
            let problem = CompileError::InvalidTable {
                table: self.name.clone(),
                reason: format!("column {:?} is defined twice", column.name),
            };
            self.problem(problem);
            return self;
        }
        if let Some(target) = &column.references {
            let mut parts: Vec<&str> = target.split('.').collect();
            if parts.len() < 2 {
                let problem = CompileError::InvalidTable {
                    table: self.name.clone(),
                    reason: format!(
                        "column {:?} references {target:?}; expected \"table.column\"",
                        column.name
                    ),
                };
                self.problem(problem);
            } else {
                let referred_column = parts.pop().unwrap_or_default();
                let referred_table = parts.join(".");
                let fk = ForeignKey::new([column.name.clone()], &referred_table, [referred_column]);
                self.edit().foreign_keys.push(fk);
            }
        }
        let def = self.edit();
        if column.primary_key {
            def.primary_key.columns.push(column.name.clone());
        }
        def.columns.insert(column.name.clone(), Arc::new(column));
        self
    }

    /// Sets a (possibly composite) primary key over existing columns, making them NOT NULL.
    pub fn primary_key<C>(mut self, columns: C) -> Self
    where
        C: IntoIterator,
        C::Item: Into<Arc<str>>,
    {
        let names: Vec<Arc<str>> = columns.into_iter().map(Into::into).collect();
        for name in &names {
            match self.edit().columns.get_mut(name) {
                Some(col) => {
                    let col = Arc::make_mut(col);
                    col.primary_key = true;
                    col.nullable = false;
                }
                None => {
                    let problem = self.missing_column(name, "the primary key");
                    self.problem(problem);
                }
            }
        }
        self.edit().primary_key.columns = names;
        self
    }

    /// Names the primary-key constraint.
    pub fn primary_key_name(mut self, name: impl Into<String>) -> Self {
        self.edit().primary_key.name = Some(name.into());
        self
    }

    /// Adds a table-level foreign key.
    pub fn foreign_key(mut self, fk: ForeignKey) -> Self {
        if let Some(problem) = self.check_columns(&fk.columns, "a foreign key") {
            self.problem(problem);
        }
        if fk.columns.len() != fk.referred_columns.len() || fk.columns.is_empty() {
            let problem = CompileError::InvalidTable {
                table: self.name.clone(),
                reason: "a foreign key needs as many referred columns as local ones".into(),
            };
            self.problem(problem);
        }
        self.edit().foreign_keys.push(fk);
        self
    }

    /// Adds a UNIQUE constraint.
    pub fn unique(mut self, unique: UniqueConstraint) -> Self {
        if let Some(problem) = self.check_columns(&unique.columns, "a unique constraint") {
            self.problem(problem);
        }
        self.edit().unique_constraints.push(unique);
        self
    }

    /// Adds a CHECK constraint.
    pub fn check(mut self, check: CheckConstraint) -> Self {
        self.edit().check_constraints.push(check);
        self
    }

    /// Adds an index.
    pub fn index(mut self, index: Index) -> Self {
        self.edit().indexes.push(index);
        self
    }

    /// Makes this a partitioned table (PostgreSQL's `PARTITION BY RANGE | LIST | HASH (keys)`),
    /// keyed by columns or expressions. Rows are inserted and queried through it as through
    /// any table; they are stored in its partitions ([`Table::partition_of`]).
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let events = Table::new("events")
    ///     .column(Column::new("id", SqlType::Integer).not_null())
    ///     .column(Column::new("at", SqlType::Date).not_null())
    ///     .partition_by(PartitionStrategy::Range, ["at"]);
    /// let y2024 = Table::new("events_2024").partition_of(
    ///     &events,
    ///     PartitionBound::range(
    ///         chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
    ///         chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
    ///     ),
    /// );
    /// assert_eq!(
    ///     create_table(&events).compile(&PostgreSQL).unwrap().sql,
    ///     "CREATE TABLE events (id INTEGER NOT NULL, at DATE NOT NULL) PARTITION BY RANGE (at)"
    /// );
    /// assert_eq!(
    ///     create_table(&y2024).compile(&PostgreSQL).unwrap().sql,
    ///     "CREATE TABLE events_2024 PARTITION OF events \
    ///      FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
    /// );
    /// assert!(create_table(&events).compile(&SQLite).is_err());
    /// ```
    pub fn partition_by<K>(mut self, strategy: PartitionStrategy, keys: K) -> Self
    where
        K: IntoIterator,
        K::Item: Into<IndexElement>,
    {
        self.edit().partition_by = Some(PartitionBy {
            strategy,
            keys: keys.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// Makes this a partition of `parent` holding the rows of `bound` (`CREATE TABLE t
    /// PARTITION OF parent FOR VALUES …`). The partition takes the parent's columns when it
    /// declares none, so that it can be queried on its own; its DDL names only the parent.
    pub fn partition_of(mut self, parent: &Table, bound: PartitionBound) -> Self {
        if self.columns.is_empty() {
            self.edit().columns = parent.columns.clone();
        }
        self.edit().partition_of = Some(PartitionOf {
            parent_schema: parent.schema.clone(),
            parent: parent.name.clone(),
            bound,
        });
        self
    }

    /// Sets the table comment.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.edit().comment = Some(comment.into());
        self
    }

    fn missing_column(&self, name: &str, what: &str) -> CompileError {
        CompileError::InvalidTable {
            table: self.name.clone(),
            reason: format!("{what} names column {name:?}, which the table does not have"),
        }
    }

    fn check_columns(&self, names: &[Arc<str>], what: &str) -> Option<CompileError> {
        names
            .iter()
            .find(|name| !self.columns.contains_key(*name))
            .map(|name| self.missing_column(name, what))
    }

    /// `schema.name`, or `name` without a schema.
    pub fn fullname(&self) -> String {
        match &self.schema {
            Some(schema) => format!("{schema}.{}", self.name),
            None => self.name.clone(),
        }
    }

    /// The column named `name`, if the table has it.
    pub fn get_column(&self, name: &str) -> Option<&Arc<Column>> {
        self.columns.get(name)
    }

    /// A reference to column `name` for use in expressions (SQLAlchemy's `table.c.name`).
    ///
    /// A name the table lacks does not panic: the returned expression carries a
    /// [`CompileError::NoSuchColumn`] that compiling any statement using it reports. Use
    /// [`Table::try_c`] to get the error at once.
    pub fn c(&self, name: &str) -> Expr {
        self.try_c(name).unwrap_or_else(Expr::Invalid)
    }

    /// A reference to column `name`, or [`CompileError::NoSuchColumn`].
    pub fn try_c(&self, name: &str) -> Result<Expr, CompileError> {
        match self.columns.get(name) {
            Some(column) => Ok(Expr::Column(ColumnRef {
                source: Source::Table(self.clone()),
                column: column.clone(),
            })),
            None => Err(CompileError::NoSuchColumn {
                source_name: self.fullname(),
                column: name.to_owned(),
            }),
        }
    }

    /// References to every column, in definition order.
    pub fn all_columns(&self) -> Vec<Expr> {
        Source::Table(self.clone()).column_exprs()
    }

    /// An alias of this table (`users AS u`), for self-joins and the like.
    pub fn alias(&self, name: impl Into<Arc<str>>) -> Alias {
        Alias::new(self.clone(), name.into())
    }

    /// `self JOIN right ON on`; with `on = None` the condition is inferred from the single
    /// foreign key between the two tables.
    pub fn join(&self, right: impl Into<FromClause>, on: Option<Expr>) -> FromClause {
        FromClause::from(self).join(right, on, JoinKind::Inner)
    }

    /// `self LEFT OUTER JOIN right ON on` (inferred when `None`).
    pub fn outerjoin(&self, right: impl Into<FromClause>, on: Option<Expr>) -> FromClause {
        FromClause::from(self).join(right, on, JoinKind::Left)
    }

    /// The column whose values the database generates on insert, as SQLAlchemy decides it:
    /// a primary-key column marked `Autoincrement::Yes` (an identity column is one), else the
    /// single integer primary-key column in `Auto` mode without defaults (a
    /// [`Sequence`](crate::Sequence) default aside) or foreign keys, else a column outside the
    /// key marked `Yes` (a counter beside a key that is not generated).
    ///
    /// The key comes first: a reflected table whose other column draws from a sequence of its
    /// own (marked `Yes`) keeps its SERIAL / AUTO_INCREMENT key.
    pub fn autoincrement_column(&self) -> Option<&Arc<Column>> {
        let marked = |in_key: bool| {
            self.columns.values().find(|c| {
                c.autoincrement == Autoincrement::Yes
                    && self.primary_key.columns.contains(&c.name) == in_key
            })
        };
        marked(true)
            .or_else(|| self.sole_integer_key())
            .or_else(|| marked(false))
    }

    /// The single integer primary-key column in `Auto` mode that can be generated: no default
    /// but a sequence, no server default, no foreign key.
    fn sole_integer_key(&self) -> Option<&Arc<Column>> {
        let [pk] = self.primary_key.columns.as_slice() else {
            return None;
        };
        let col = self.columns.get(pk)?;
        let is_fk = self.foreign_keys.iter().any(|fk| fk.columns.contains(pk));
        (col.autoincrement == Autoincrement::Auto
            && col.sql_type.is_integer()
            && matches!(
                col.default,
                None | Some(crate::schema::ClientDefault::Sequence(_))
            )
            && col.server_default.is_none()
            && !is_fk)
            .then_some(col)
    }

    /// Every index: the explicit ones, then one per column marked [`Column::index`] (named
    /// `ix_<table>_<column>`, in full: [`crate::create_table_ddl`] shortens such a generated
    /// name to the dialect's identifier limit).
    pub fn all_indexes(&self) -> Vec<Index> {
        let mut out = self.indexes.clone();
        out.extend(self.column_indexes());
        out
    }

    /// The indexes of the columns marked [`Column::index`], with their generated names.
    pub(crate) fn column_indexes(&self) -> impl Iterator<Item = Index> + '_ {
        self.columns.values().filter(|c| c.index).map(|col| {
            let mut index = Index::new(format!("ix_{}_{}", self.name, col.name), [&*col.name]);
            index.unique = col.unique;
            index
        })
    }

    /// Whether two handles denote the same table (same schema and name).
    pub fn same_as(&self, other: &Table) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
            || (self.name == other.name && self.schema == other.schema)
    }

    /// Reports the first problem recorded while building the table.
    pub fn validate(&self) -> Result<(), CompileError> {
        match &self.problem {
            Some(problem) => Err(problem.clone()),
            None => Ok(()),
        }
    }
}
