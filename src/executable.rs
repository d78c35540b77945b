//! Statements with execution options of their own (SQLAlchemy's
//! `statement.execution_options(...)`).

use crate::options::ExecutionOptions;
use crate::prepared::PreparedForm;
use sqlcore_compiler::{
    CompoundSelect, CreateIndex, CreateTable, Ddl, Delete, DropIndex, DropTable, Insert, Query,
    Select, SetComment, Statement, TextClause, Update,
};
use std::borrow::Cow;
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
    pub(crate) statement: Cow<'s, Statement>,
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
            statement: Cow::Borrowed(statement),
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
                    statement: Cow::Owned(statement.into()),
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
    SetComment
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
            statement: Cow::Owned(self.into()),
            options: None,
            prepared: None,
        }
        .execution_options(change)
    }
}

impl<T: Into<Statement>> StatementExt for T {}
