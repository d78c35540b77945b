//! Table constraints.

use std::sync::Arc;

/// An ON DELETE / ON UPDATE action of a foreign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferentialAction {
    /// `CASCADE`.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `SET DEFAULT`.
    SetDefault,
    /// `RESTRICT`.
    Restrict,
    /// `NO ACTION` (the SQL default).
    NoAction,
}

impl ReferentialAction {
    /// The SQL keywords.
    pub fn as_sql(self) -> &'static str {
        match self {
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::NoAction => "NO ACTION",
        }
    }
}

/// A table's primary key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrimaryKey {
    /// Constraint name, if named.
    pub name: Option<String>,
    /// Column names, in key order.
    pub columns: Vec<Arc<str>>,
}

/// A foreign key from some of this table's columns to another table.
///
/// ```
/// use sqlcore_compiler::{ForeignKey, ReferentialAction};
/// let fk = ForeignKey::new(["user_id"], "users", ["id"]).on_delete(ReferentialAction::Cascade);
/// assert_eq!(fk.referred_table, "users");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    /// Constraint name, if named.
    pub name: Option<String>,
    /// Local column names.
    pub columns: Vec<Arc<str>>,
    /// Schema of the referred table; `None` for the default schema.
    pub referred_schema: Option<String>,
    /// Name of the referred table.
    pub referred_table: String,
    /// Referred column names, matching `columns` one to one.
    pub referred_columns: Vec<Arc<str>>,
    /// ON DELETE action.
    pub on_delete: Option<ReferentialAction>,
    /// ON UPDATE action.
    pub on_update: Option<ReferentialAction>,
}

impl ForeignKey {
    /// A foreign key from `columns` to `referred_columns` of `referred_table`, which may be
    /// written `"schema.table"`.
    pub fn new<C, R>(columns: C, referred_table: &str, referred_columns: R) -> Self
    where
        C: IntoIterator,
        C::Item: Into<Arc<str>>,
        R: IntoIterator,
        R::Item: Into<Arc<str>>,
    {
        let (referred_schema, referred_table) = match referred_table.rsplit_once('.') {
            Some((schema, table)) => (Some(schema.to_owned()), table.to_owned()),
            None => (None, referred_table.to_owned()),
        };
        ForeignKey {
            name: None,
            columns: columns.into_iter().map(Into::into).collect(),
            referred_schema,
            referred_table,
            referred_columns: referred_columns.into_iter().map(Into::into).collect(),
            on_delete: None,
            on_update: None,
        }
    }

    /// Names the constraint.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets ON DELETE.
    pub fn on_delete(mut self, action: ReferentialAction) -> Self {
        self.on_delete = Some(action);
        self
    }

    /// Sets ON UPDATE.
    pub fn on_update(mut self, action: ReferentialAction) -> Self {
        self.on_update = Some(action);
        self
    }
}

/// A UNIQUE constraint over one or more columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueConstraint {
    /// Constraint name, if named.
    pub name: Option<String>,
    /// Column names.
    pub columns: Vec<Arc<str>>,
}

impl UniqueConstraint {
    /// A unique constraint over `columns`.
    pub fn new<C>(columns: C) -> Self
    where
        C: IntoIterator,
        C::Item: Into<Arc<str>>,
    {
        UniqueConstraint {
            name: None,
            columns: columns.into_iter().map(Into::into).collect(),
        }
    }

    /// Names the constraint.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// A CHECK constraint; its condition is trusted SQL text, as in SQLAlchemy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CheckConstraint {
    /// Constraint name, if named.
    pub name: Option<String>,
    /// The condition, as SQL text.
    pub sql: String,
}

impl CheckConstraint {
    /// A check constraint with condition `sql`.
    pub fn new(sql: impl Into<String>) -> Self {
        CheckConstraint {
            name: None,
            sql: sql.into(),
        }
    }

    /// Names the constraint.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}
