//! [`Sequence`]: a database sequence (SQLAlchemy's `Sequence`), free-standing in a
//! [`MetaData`](crate::MetaData) or a column's default.

use super::computed::{SequenceOptions, sequence_option_setters};
use crate::dialect::Dialect;
use crate::expr::Expr;
use crate::stmt::{Statement, select};
use std::sync::Arc;

/// A sequence: its name, schema and options.
///
/// As a column's default ([`Column::default_sequence`](crate::Column::default_sequence)) it
/// feeds the column on PostgreSQL: the DDL writes `DEFAULT nextval('schema.seq')` (the schema
/// follows `schema_translate_map`, so a tenant copy draws from its own sequence) and an INSERT
/// leaving the column out writes `nextval(...)`; the column stays the table's autoincrement
/// column. `create_all` creates the sequences of a [`MetaData`](crate::MetaData) and of its
/// columns before the tables, and `drop_all` drops them after.
///
/// SQLite has no sequences: there, as in SQLAlchemy, a column's default sequence is ignored
/// (the column is an ordinary autoincrement key), `create_all` skips sequences, and
/// [`Sequence::next_value`] is a [`CompileError`](crate::CompileError). MySQL has none either
/// (its dialect likewise ignores a column's sequence and refuses the rest); MariaDB has them:
/// `nextval(schema.seq)` with the name an identifier, `NOCYCLE`, a column's
/// `DEFAULT nextval(seq)` in place of `AUTO_INCREMENT`. An `optional` sequence is used only
/// where the database has no other way to generate keys: PostgreSQL's SERIAL takes its place
/// (MariaDB uses it, as SQLAlchemy does).
///
/// ```
/// use sqlcore_compiler::*;
/// let seq = Sequence::new("order_ids").start(1000);
/// assert_eq!(create_sequence(&seq).compile(&PostgreSQL)?.sql,
///            "CREATE SEQUENCE order_ids START WITH 1000");
/// let orders = Table::new("orders")
///     .column(Column::new("id", SqlType::Integer).default_sequence(seq.clone()).primary_key());
/// assert_eq!(create_table(&orders).compile(&PostgreSQL)?.sql,
///            "CREATE TABLE orders (id INTEGER DEFAULT nextval('order_ids') NOT NULL, PRIMARY KEY (id))");
/// let next: Statement = seq.next_value().into();
/// assert_eq!(next.compile(&PostgreSQL)?.sql, "SELECT nextval('order_ids') AS next_value_1");
/// assert!(next.compile(&SQLite).is_err());
/// # Ok::<(), CompileError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sequence {
    /// The sequence's name.
    pub name: Arc<str>,
    /// Its schema; `None` for the default schema (translated by `schema_translate_map`).
    pub schema: Option<Arc<str>>,
    /// `START WITH`.
    pub start: Option<i64>,
    /// `INCREMENT BY`.
    pub increment: Option<i64>,
    /// `MINVALUE`.
    pub min_value: Option<i64>,
    /// `MAXVALUE`.
    pub max_value: Option<i64>,
    /// `CYCLE` (`Some(true)`) or `NO CYCLE` (`Some(false)`).
    pub cycle: Option<bool>,
    /// `CACHE`.
    pub cache: Option<i64>,
    /// Used only where the database has no other way to generate keys (not on PostgreSQL).
    pub optional: bool,
}

impl Sequence {
    /// A sequence named `name` in the default schema, with the database's default options.
    pub fn new(name: impl Into<Arc<str>>) -> Self {
        Sequence {
            name: name.into(),
            schema: None,
            start: None,
            increment: None,
            min_value: None,
            max_value: None,
            cycle: None,
            cache: None,
            optional: false,
        }
    }

    /// Places the sequence in `schema`.
    pub fn schema(mut self, schema: impl Into<Arc<str>>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    sequence_option_setters!();

    /// Marks the sequence optional (SQLAlchemy's `optional=True`).
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// `schema.name`, or `name` without a schema.
    pub fn fullname(&self) -> String {
        match &self.schema {
            Some(schema) => format!("{schema}.{}", self.name),
            None => self.name.to_string(),
        }
    }

    /// Whether `dialect` uses this sequence: it has sequences, and the sequence is not an
    /// optional one the dialect replaces with its own key generation.
    pub fn applies_to(&self, dialect: &dyn Dialect) -> bool {
        dialect.supports_sequences() && !(self.optional && dialect.sequences_optional())
    }

    /// The sequence's next value, `nextval('schema.name')` (SQLAlchemy's
    /// `Sequence.next_value()`): an expression, or a statement of its own (`SELECT nextval(...)`)
    /// to execute, as SQLAlchemy's `connection.scalar(seq)`.
    pub fn next_value(&self) -> NextValue {
        NextValue(Arc::new(self.clone()))
    }

    pub(crate) fn options(&self) -> SequenceOptions {
        SequenceOptions {
            start: self.start,
            increment: self.increment,
            min_value: self.min_value,
            max_value: self.max_value,
            cycle: self.cycle,
            cache: self.cache,
        }
    }
}

/// A sequence's next value ([`Sequence::next_value`]): converts into an [`Expr`] or, to be
/// executed alone, into a [`Statement`] (`SELECT nextval(...) AS next_value_1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NextValue(pub Arc<Sequence>);

impl From<NextValue> for Expr {
    fn from(next: NextValue) -> Expr {
        Expr::NextValue(next.0)
    }
}

impl From<NextValue> for Statement {
    fn from(next: NextValue) -> Statement {
        select([Expr::from(next).label("next_value_1")]).into()
    }
}
