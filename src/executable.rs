//! Statements with execution options of their own (SQLAlchemy's
//! `statement.execution_options(...)`).

use crate::options::ExecutionOptions;
use crate::prepared::PreparedForm;
use sqlcore_compiler::{
    CompoundSelect, CreateIndex, CreateSequence, CreateTable, Ddl, Delete, DropIndex, DropSequence,
    DropTable, Insert, NextValue, Query, Select, SetComment, Statement, TextClause, Update,
};
use std::sync::Arc;

type OptionsChange = Arc<dyn Fn(ExecutionOptions) -> ExecutionOptions + Send + Sync>;

/// A statement to execute, with changes to the connection's execution options that apply to
/// it alone. Every statement type converts into one; a `&Statement` is executed as it is,
/// without a copy, so a statement built once can run again and again.
///
/// ```
/// use sqlcore::*;
/// let engine = create_engine("sqlite://")?;
/// let mut conn = engine.connect()?;
/// let t = Table::new("t").column(Column::new("x", SqlType::Integer));
/// conn.execute(text("CREATE TABLE t (x INTEGER)"), ())?;
/// // This statement bypasses the compiled-statement cache: only the CREATE TABLE is in it.
/// let stmt = select(&t).execution_options(|o| o.compiled_cache(None));
/// conn.execute(stmt, ())?;
/// assert_eq!(engine.cache_stats().size, 1);
///
/// // Built once, executed by reference.
/// let by_x: Statement = select(&t).filter(t.c("x").eq(bindparam("x"))).into();
/// for x in 1..=3 {
///     conn.execute(&by_x, params! { "x" => x })?;
/// }
/// # Ok::<(), sqlcore::Error>(())
/// ```
#[derive(Clone)]
pub struct Executable<'s> {
    pub(crate) statement: Held<'s>,
    pub(crate) options: Option<OptionsChange>,
    /// The compiled form of a [`Prepared`](crate::Prepared) statement.
    pub(crate) prepared: Option<&'s PreparedForm>,
}

impl std::fmt::Debug for Executable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executable")
            .field("statement", &self.statement)
            .field("has_options", &self.options.is_some())
            .field("prepared", &self.prepared.is_some())
            .finish()
    }
}

impl Executable<'_> {
    #[cfg(feature = "async")]
    /// The same statement and options, owned (a prepared statement's compiled form is left
    /// behind: the statement compiles or is found in the cache again).
    pub(crate) fn into_static(self) -> Executable<'static> {
        Executable {
            statement: Held::Owned(Box::new(self.statement.into_owned())),
            options: self.options,
            prepared: None,
        }
    }
}

/// A statement borrowed, or owned behind a box: an [`Executable`] stays a few words to move,
/// whatever the statement's size.
#[derive(Debug, Clone)]
pub(crate) enum Held<'s> {
    Borrowed(&'s Statement),
    Owned(Box<Statement>),
}

impl Held<'_> {
    pub(crate) fn into_owned(self) -> Statement {
        match self {
            Held::Borrowed(statement) => statement.clone(),
            Held::Owned(statement) => *statement,
        }
    }
}

impl std::ops::Deref for Held<'_> {
    type Target = Statement;
    fn deref(&self) -> &Statement {
        match self {
            Held::Borrowed(statement) => statement,
            Held::Owned(statement) => statement,
        }
    }
}

impl<'s> Executable<'s> {
    /// The statement.
    pub fn statement(&self) -> &Statement {
        &self.statement
    }

    /// Adds a change to the execution options (after those given before). The isolation
    /// level is a connection's, not a statement's: changing it here has no effect.
    pub fn execution_options(
        self,
        change: impl Fn(ExecutionOptions) -> ExecutionOptions + Send + Sync + 'static,
    ) -> Executable<'s> {
        let options: OptionsChange = match self.options {
            None => Arc::new(change),
            Some(before) => Arc::new(move |o| change(before(o))),
        };
        Executable {
            options: Some(options),
            ..self
        }
    }

    /// The options this statement runs with on a connection whose options are `base`.
    pub(crate) fn options_over(&self, base: &ExecutionOptions) -> Option<ExecutionOptions> {
        self.options.as_ref().map(|change| {
            let mut changed = change(base.clone());
            changed.isolation_level = base.isolation_level;
            changed
        })
    }
}

impl<'s> From<&'s Statement> for Executable<'s> {
    fn from(statement: &'s Statement) -> Self {
        Executable {
            statement: Held::Borrowed(statement),
            options: None,
            prepared: None,
        }
    }
}

macro_rules! executable_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Executable<'static> {
            fn from(statement: $t) -> Self {
                Executable {
                    statement: Held::Owned(Box::new(statement.into())),
                    options: None,
                    prepared: None,
                }
            }
        }
    )*};
}
executable_from!(
    Statement,
    Select,
    CompoundSelect,
    Query,
    Insert,
    Update,
    Delete,
    TextClause,
    Ddl,
    CreateTable,
    DropTable,
    CreateIndex,
    DropIndex,
    SetComment,
    CreateSequence,
    DropSequence,
    NextValue
);

/// `execution_options` on every statement type.
pub trait StatementExt: Into<Statement> {
    /// The statement with changes to the execution options for it alone (SQLAlchemy's
    /// `statement.execution_options(...)`): e.g. `compiled_cache(None)`,
    /// `schema_translate_map(...)`, `stream_results(true)`.
    fn execution_options(
        self,
        change: impl Fn(ExecutionOptions) -> ExecutionOptions + Send + Sync + 'static,
    ) -> Executable<'static> {
        Executable {
            statement: Held::Owned(Box::new(self.into())),
            options: None,
            prepared: None,
        }
        .execution_options(change)
    }
}

impl<T: Into<Statement>> StatementExt for T {}
