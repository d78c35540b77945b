//! Firing the events from a connection, sync or async ([`EventSource`]): each event built with
//! what the connection knows, a listener's panic made safe by invalidating the database
//! connection before the panic goes on, a disconnect (found or declared) invalidating the pool.

use super::{
    Observers, Panic, RowCounts, Sending, StatementEvent, TransactionEvent, TransactionOp, Watch,
};
use crate::connection::call::with_statement;
use crate::engine::EngineSettings;
use crate::error::Error;
use crate::options::ExecutionOptions;
use crate::url::Url;
use sqlcore_compiler::{Compiled, Dialect};

/// What a connection's events are made of.
pub(crate) struct Observed<'a> {
    observers: &'a Observers,
    options: &'a ExecutionOptions,
    dialect: &'static dyn Dialect,
    url: &'a Url,
    connection_id: Option<u64>,
}

impl<'a> Observed<'a> {
    /// A connection's: its engine's `settings`, its `options` and database connection.
    #[inline]
    pub fn new(
        settings: &'a EngineSettings,
        options: &'a ExecutionOptions,
        connection_id: Option<u64>,
    ) -> Self {
        Observed {
            observers: &settings.observers,
            options,
            dialect: settings.dialect,
            url: &settings.url,
            connection_id,
        }
    }

    /// The same, for a read that runs on `replica` (when given) rather than on the
    /// connection's own database connection.
    fn on<'b>(self, replica: Option<OnReplica<'b>>) -> Observed<'b>
    where
        'a: 'b,
    {
        match replica {
            Some(replica) => Observed {
                url: replica.url,
                connection_id: Some(replica.connection_id),
                ..self
            },
            None => self,
        }
    }

    fn statement<'e>(&'e self, sending: &'e Sending<'_>) -> StatementEvent<'e> {
        sending.event(
            self.options,
            self.dialect.name(),
            self.url,
            self.connection_id,
        )
    }
}

/// The replica a read runs on, in place of the connection's own database connection: its
/// events name the replica's server and connection.
#[derive(Clone, Copy)]
pub(crate) struct OnReplica<'a> {
    pub url: &'a Url,
    pub connection_id: u64,
}

/// A connection that fires events: the sync and the async one.
pub(crate) trait EventSource {
    /// The engine's listeners.
    fn observers(&self) -> &Observers;

    /// What its events are made of.
    fn observed(&self) -> Observed<'_>;

    /// Whether statements are observed (by a listener, the slow-statement threshold, a span
    /// subscriber or the metrics).
    #[inline]
    fn observing(&self) -> bool {
        self.observers().statements()
    }

    /// Lets the database connection go, its state unknown (a listener panicked).
    fn invalidate_for_panic(&mut self);

    /// The database connection was found dead (or declared so): it is invalidated, and every
    /// connection the pool opened before it.
    fn lost_connection(&mut self, cause: Error);

    /// Goes on with a listener's panic, once the database connection is invalidated (while
    /// the thread is already unwinding, where a second panic would abort, it is logged).
    fn go_on(&mut self, fired: Result<(), Panic>) {
        if let Err(panic) = fired {
            self.invalidate_for_panic();
            if std::thread::panicking() {
                tracing::error!(target: "sqlcore.engine", "an event listener panicked while the thread was unwinding");
            } else {
                std::panic::resume_unwind(panic);
            }
        }
    }

    /// Opens the statement's span and fires `before_execute`, when statements are observed
    /// (nothing is built and no clock is read otherwise).
    #[inline]
    fn before_send(&mut self, sending: &Sending<'_>) -> Option<Watch> {
        self.before_send_on(sending, None)
    }

    /// [`EventSource::before_send`] for a statement run on `replica`, when given.
    #[inline]
    fn before_send_on(
        &mut self,
        sending: &Sending<'_>,
        replica: Option<OnReplica<'_>>,
    ) -> Option<Watch> {
        if !self.observing() {
            return None;
        }
        let observed = self.observed().on(replica);
        let (watch, fired) = observed.observers.before(&observed.statement(sending));
        self.go_on(fired);
        Some(watch)
    }

    /// Fires `after_execute` (and warns of a slow statement, records the span and metrics)
    /// for a statement `watch` watched.
    #[inline]
    fn after_send(&mut self, sending: &Sending<'_>, watch: Option<Watch>, counts: RowCounts) {
        self.after_send_on(sending, watch, counts, None);
    }

    /// [`EventSource::after_send`] for a statement run on `replica`, when given.
    #[inline]
    fn after_send_on(
        &mut self,
        sending: &Sending<'_>,
        watch: Option<Watch>,
        counts: RowCounts,
        replica: Option<OnReplica<'_>>,
    ) {
        let Some(watch) = watch else { return };
        let executed = counts.executed(watch.elapsed());
        let observed = self.observed().on(replica);
        let fired = observed
            .observers
            .after(&observed.statement(sending), watch, &executed);
        self.go_on(fired);
    }

    /// Fires `handle_error` for a read that failed on `replica` (its SQL already attached):
    /// the replica's disconnect, found or declared by a listener, is the read routing's to
    /// handle (the replica marked down, the read run again on the next), not the connection's.
    fn replica_read_failed(
        &mut self,
        mut e: Error,
        sending: &Sending<'_>,
        watch: Watch,
        replica: OnReplica<'_>,
    ) -> Error {
        let observed = self.observed().on(Some(replica));
        let fired = observed
            .observers
            .failed(&observed.statement(sending), watch, &mut e);
        self.go_on(fired);
        e
    }

    /// A statement's error, its SQL and parameter names added and `handle_error` fired. A
    /// disconnect (found by the driver, or declared by a listener) invalidates the connection
    /// and every connection the pool opened before it.
    fn send_failed(
        &mut self,
        e: Error,
        sending: &Sending<'_>,
        watch: Option<Watch>,
        compiled: &Compiled,
    ) -> Error {
        let mut e = with_statement(e, sending.sql.to_owned(), compiled);
        if let Some(watch) = watch {
            let observed = self.observed();
            let fired = observed
                .observers
                .failed(&observed.statement(sending), watch, &mut e);
            self.go_on(fired);
        }
        if e.connection_invalidated() {
            self.lost_connection(e.clone());
        }
        e
    }

    /// Fires `transaction` for a step taken at `depth` (of the savepoint `savepoint`), which
    /// failed with `error` or not.
    fn transaction_step(
        &mut self,
        op: TransactionOp,
        depth: usize,
        savepoint: Option<&str>,
        error: Option<&Error>,
    ) {
        if !self.observers().transactions() {
            return;
        }
        let observed = self.observed();
        let fired = observed.observers.transaction(&TransactionEvent {
            op,
            depth,
            savepoint,
            error,
            system: observed.dialect.name(),
            connection_id: observed.connection_id,
        });
        self.go_on(fired);
    }

    /// Fires `transaction` for a step that gave `result`.
    fn stepped<T>(
        &mut self,
        op: TransactionOp,
        depth: usize,
        savepoint: Option<&str>,
        result: &crate::error::Result<T>,
    ) {
        self.transaction_step(op, depth, savepoint, result.as_ref().err());
    }
}
