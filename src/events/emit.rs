//! Firing the events: the engine's listeners and slow-statement threshold ([`Observers`]),
//! each listener call guarded against panics, a statement's span and metrics, and what the
//! connections know of a statement on its way to the driver ([`Sending`]).

use super::{
    CacheUse, ConnectionEvents, ErrorVerdict, Executed, Failure, StatementEvent, TransactionEvent,
    Values, span,
};
use crate::driver::{Execution, FirstRow, ResultNames};
use crate::error::Error;
use crate::options::ExecutionOptions;
use crate::url::Url;
use sqlcore_compiler::{Expr, FromClause, SelectItem, Source, Statement};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The engine's listeners, slow-statement threshold and whether spans show values; cheap to
/// clone.
#[derive(Clone, Default)]
pub(crate) struct Observers {
    listeners: Option<Arc<[Arc<dyn ConnectionEvents>]>>,
    slow: Option<Duration>,
    span_values: bool,
}

impl std::fmt::Debug for Observers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observers")
            .field("listeners", &self.listeners.as_ref().map_or(0, |l| l.len()))
            .field("slow", &self.slow)
            .field("span_values", &self.span_values)
            .finish()
    }
}

/// A listener's panic, to go on with once the connection is made safe.
pub(crate) type Panic = Box<dyn std::any::Any + Send>;

impl Observers {
    /// `listeners` (in order), the slow-statement threshold, and whether spans show values.
    pub fn new(
        listeners: Vec<Arc<dyn ConnectionEvents>>,
        slow: Option<Duration>,
        span_values: bool,
    ) -> Self {
        Observers {
            listeners: (!listeners.is_empty()).then(|| listeners.into()),
            slow,
            span_values,
        }
    }

    /// Whether anything observes statements (a listener, the slow-statement threshold, a
    /// `tracing` subscriber wanting the spans, the metrics): without, nothing is timed or
    /// built.
    #[inline]
    pub fn statements(&self) -> bool {
        self.listeners.is_some()
            || self.slow.is_some()
            || cfg!(feature = "metrics")
            || span::enabled()
    }

    /// Whether any listener hears transaction steps.
    #[inline]
    pub fn transactions(&self) -> bool {
        self.listeners.is_some()
    }

    fn each(&self, mut f: impl FnMut(&dyn ConnectionEvents)) -> Result<(), Panic> {
        let Some(listeners) = &self.listeners else {
            return Ok(());
        };
        catch_unwind(AssertUnwindSafe(|| {
            for listener in listeners.iter() {
                f(&**listener);
            }
        }))
    }

    /// Opens the statement's span and fires `before_execute`; what watches the statement
    /// from now on (the span, and the time it is sent).
    pub fn before(&self, statement: &StatementEvent<'_>) -> (Watch, Result<(), Panic>) {
        let span = span::statement(statement, self.span_values);
        let fired = self.each(|l| l.before_execute(statement));
        let watch = Watch {
            started: Instant::now(),
            span,
        };
        (watch, fired)
    }

    /// Records the statement's outcome on its span and metrics, warns of a slow statement
    /// and fires `after_execute`; the span closes.
    pub fn after(
        &self,
        statement: &StatementEvent<'_>,
        watch: Watch,
        executed: &Executed,
    ) -> Result<(), Panic> {
        span::executed(&watch.span, executed);
        #[cfg(feature = "metrics")]
        crate::metrics::operation(statement, executed.duration, None);
        if let Some(threshold) = self.slow {
            if executed.duration >= threshold {
                tracing::warn!(
                    target: "sqlcore.slow_statement",
                    sql = statement.sql,
                    elapsed = ?executed.duration,
                    threshold = ?threshold,
                    "slow statement"
                );
            }
        }
        self.each(|l| l.after_execute(statement, executed))
    }

    /// Records the error on the statement's span and metrics and fires `handle_error`; a
    /// listener declaring a disconnect marks `error` so. The span closes.
    pub fn failed(
        &self,
        statement: &StatementEvent<'_>,
        watch: Watch,
        error: &mut Error,
    ) -> Result<(), Panic> {
        let duration = watch.started.elapsed();
        span::failed(&watch.span, error);
        #[cfg(feature = "metrics")]
        crate::metrics::operation(statement, duration, Some(error));
        let Some(listeners) = &self.listeners else {
            return Ok(());
        };
        catch_unwind(AssertUnwindSafe(|| {
            for listener in listeners.iter() {
                let failure = Failure {
                    error,
                    invalidates_connection: error.connection_invalidated(),
                    duration,
                };
                if listener.handle_error(statement, &failure) == ErrorVerdict::Disconnect {
                    if let Error::Db(db) = error {
                        db.connection_invalidated = true;
                    }
                }
            }
        }))
    }

    /// Fires `transaction`.
    pub fn transaction(&self, event: &TransactionEvent<'_>) -> Result<(), Panic> {
        self.each(|l| l.transaction(event))
    }
}

/// A statement being observed: when it was sent, and its span (closed when this is dropped).
pub(crate) struct Watch {
    started: Instant,
    span: tracing::Span,
}

impl Watch {
    /// The time since the statement was sent.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// A statement on its way to the driver, as the events describe it.
pub(crate) struct Sending<'a> {
    pub sql: &'a str,
    pub values: Values<'a>,
    /// The statement's own options, when it has some (else the connection's).
    pub options: Option<&'a ExecutionOptions>,
    pub cache: CacheUse,
    pub batch_size: Option<usize>,
    pub statement: Described<'a>,
}

/// What a statement is, for its operation and table (worked out only when an event fires).
#[derive(Clone, Copy)]
pub(crate) enum Described<'a> {
    /// A Core statement, or `text()`.
    Statement(&'a Statement),
    /// A batch of an INSERT.
    Insert(&'a sqlcore_compiler::Insert),
}

impl<'a> Sending<'a> {
    /// A statement compiled for this execution, run with the connection's options.
    pub fn uncached(
        sql: &'a str,
        values: Values<'a>,
        batch_size: Option<usize>,
        statement: Described<'a>,
    ) -> Self {
        Sending {
            sql,
            values,
            options: None,
            cache: CacheUse::Uncached,
            batch_size,
            statement,
        }
    }

    /// The event, on a connection with `options`, `url` and `connection_id`.
    pub fn event<'e>(
        &'e self,
        options: &'e ExecutionOptions,
        system: &'static str,
        url: &'e Url,
        connection_id: Option<u64>,
    ) -> StatementEvent<'e> {
        let (operation, collection) = match self.statement {
            Described::Statement(stmt) => described(stmt),
            Described::Insert(ins) => (Some("INSERT"), Some(&*ins.table.name)),
        };
        StatementEvent {
            sql: self.sql,
            values: self.values,
            options: self.options.unwrap_or(options),
            cache: self.cache,
            batch_size: self.batch_size,
            operation,
            collection,
            system,
            url,
            connection_id,
        }
    }
}

/// A Core statement's operation and the one table it works on, when it has one.
fn described(stmt: &Statement) -> (Option<&'static str>, Option<&str>) {
    match stmt {
        Statement::Select(select) => (Some("SELECT"), one_table(select)),
        Statement::Compound(_) => (Some("SELECT"), None),
        Statement::Insert(ins) => (Some("INSERT"), Some(&*ins.table.name)),
        Statement::Update(upd) => (Some("UPDATE"), Some(&*upd.table.name)),
        Statement::Delete(del) => (Some("DELETE"), Some(&*del.table.name)),
        Statement::Ddl(_) | Statement::Text(_) => (None, None),
    }
}

/// The table a SELECT reads, when it reads one only (named in its FROM, or by all its items).
fn one_table(select: &sqlcore_compiler::Select) -> Option<&str> {
    match select.from.as_slice() {
        [FromClause::Source(Source::Table(t))] => return Some(&*t.name),
        [] => {}
        _ => return None,
    }
    let mut tables = select.items.iter().map(|item| match item {
        SelectItem::All(Source::Table(t)) => Some(&*t.name),
        SelectItem::Expr(Expr::Column(c)) => match &c.source {
            Source::Table(t) => Some(&*t.name),
            _ => None,
        },
        _ => None,
    });
    let first = tables.next()??;
    tables.all(|t| t == Some(first)).then_some(first)
}

/// The rows a statement changed and returned, as [`Executed`] reports them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RowCounts {
    pub affected: Option<i64>,
    pub returned: Option<usize>,
}

impl RowCounts {
    /// An execution's counts (none returned yet for a streamed result).
    pub fn of(exec: &Execution) -> Self {
        let has_rows = !matches!(&exec.columns, ResultNames::Given(names) if names.is_empty());
        RowCounts {
            affected: (exec.rowcount >= 0).then_some(exec.rowcount),
            returned: (has_rows && !exec.rows.is_streamed()).then(|| exec.rows.buffered_len()),
        }
    }

    /// A run whose `rows` rows were all read as they came (none buffered).
    pub fn read(rows: usize) -> Self {
        RowCounts {
            affected: None,
            returned: Some(rows),
        }
    }

    /// A `query_row`'s: the first row read or not.
    pub fn first_row(found: &FirstRow) -> Self {
        RowCounts {
            affected: None,
            returned: match found {
                FirstRow::Read => Some(1),
                FirstRow::None => Some(0),
                FirstRow::NoColumns => None,
            },
        }
    }

    /// The [`Executed`] of a run that took `duration`.
    pub fn executed(self, duration: Duration) -> Executed {
        Executed {
            duration,
            rows_affected: self.affected,
            rows_returned: self.returned,
        }
    }
}
