//! The sync connection's side of the execution and transaction events (see
//! [`crate::events`]): what its events are made of, and a bulk copy's rows watched for the
//! moment the copy starts.

use super::Connection;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::events::{EventSource, Observed, Observers, Panic, Sending, Watch};
use crate::options::ExecutionOptions;
use sqlcore_compiler::Value;

impl EventSource for Connection {
    #[inline]
    fn observers(&self) -> &Observers {
        &self.engine.settings().observers
    }

    #[inline]
    fn observed(&self) -> Observed<'_> {
        Observed::new(self.engine.settings(), &self.options, self.connection_id())
    }

    fn invalidate_for_panic(&mut self) {
        self.invalidate();
    }

    fn lost_connection(&mut self, cause: Error) {
        self.lost(cause);
    }
}

/// A bulk copy's rows, firing `before_execute` as the driver takes the first (it may decline
/// the copy before it takes any, and INSERT then does the work).
pub(super) struct CopyRows<'a, 's, I> {
    rows: I,
    sending: &'a Sending<'s>,
    /// What the event needs, until it fired (`None` when statements are not observed).
    observed: Option<(Engine, ExecutionOptions, Option<u64>)>,
    /// What watches the copy, from when the first row was taken.
    started: Option<Watch>,
    /// A listener's panic, to go on with once the driver has returned.
    panic: Option<Panic>,
}

impl Connection {
    /// `rows`, watched for the copy `sending` describes.
    pub(super) fn watch_copy<'a, 's, I>(
        &self,
        sending: &'a Sending<'s>,
        rows: I,
    ) -> CopyRows<'a, 's, I> {
        let observed = self.engine.settings().observers.statements().then(|| {
            (
                self.engine.clone(),
                self.options.clone(),
                self.connection_id(),
            )
        });
        CopyRows {
            rows,
            sending,
            observed,
            started: None,
            panic: None,
        }
    }

    /// When the copy started (if observed), once the driver has returned; a listener's panic
    /// goes on from here, the database connection invalidated first.
    pub(super) fn copy_started<I>(&mut self, watched: CopyRows<'_, '_, I>) -> Option<Watch> {
        if let Some(panic) = watched.panic {
            self.go_on(Err(panic));
        }
        watched.started
    }
}

impl<I: Iterator<Item = Result<Vec<Value>>>> Iterator for CopyRows<'_, '_, I> {
    type Item = Result<Vec<Value>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.panic.is_some() {
            return None;
        }
        if let Some((engine, options, id)) = self.observed.take() {
            let event = self
                .sending
                .event(&options, engine.dialect().name(), engine.url(), id);
            let (watch, fired) = engine.settings().observers.before(&event);
            match fired {
                Ok(()) => self.started = Some(watch),
                Err(panic) => {
                    self.panic = Some(panic);
                    return Some(Err(Error::InvalidRequest(
                        "an event listener panicked; the copy is abandoned".into(),
                    )));
                }
            }
        }
        self.rows.next()
    }
}
