//! Read replicas, the sync connection's side: the statements [`Routing`] sends to a replica
//! (see [`EngineBuilder::replica`](crate::EngineBuilder::replica)) run on the connection's
//! replica connection, and a read whose replica fails runs again on the next.
//!
//! [`Routing`]: crate::replicas::Routing

use super::Connection;
use super::call::{Call, Ran, with_statement};
use crate::driver::{DriverConnection, Request};
use crate::error::Result;
use crate::events::{EventSource, RowCounts};
use crate::options::ExecutionOptions;

impl Connection {
    /// Whether `planned` goes to a replica (see [`Routing::reads_from_replica`]).
    ///
    /// [`Routing::reads_from_replica`]: crate::replicas::Routing::reads_from_replica
    pub(super) fn reads_from_replica(&self, planned: &Call<'_>) -> bool {
        self.routing.reads_from_replica(
            self.engine.replicas(),
            planned.read_only,
            self.closed,
            &self.tx,
        )
    }

    /// Runs `call` on a replica: the connection's, or one checked out now. A replica whose
    /// connection fails is marked down and the read is run again on the next; `None` when
    /// every replica is down, or failed in turn (the caller then uses the primary). Each
    /// attempt fires its events, naming the replica (`own_options`: the statement's own).
    pub(super) fn on_replica<R>(
        &mut self,
        planned: &Call<'_>,
        request: &Request<'_>,
        own_options: Option<&ExecutionOptions>,
        call: &mut impl FnMut(
            &mut dyn DriverConnection,
            &Request<'_>,
            &Ran<'_>,
        ) -> Result<(R, RowCounts)>,
    ) -> Option<Result<R>> {
        // The engine's own handle: the replicas stay borrowed while events fire on `self`.
        let engine = self.engine.clone();
        let replicas = engine.replicas()?;
        let sending = self
            .observing()
            .then(|| planned.sending(request, own_options));
        // Each failure marks a replica down; with no backoff, one may fail again at once.
        for _ in 0..=replicas.count() {
            let mut lease = match self.routing.lease.take() {
                Some(lease) => lease,
                None => replicas.checkout()?,
            };
            let on = replicas.on(&lease);
            let watch = sending
                .as_ref()
                .and_then(|s| self.before_send_on(s, Some(on)));
            let started = planned.started();
            let result = call(lease.conn.driver_connection(), request, &planned.ran());
            let result = match (result, &sending) {
                (Ok((done, counts)), sending) => {
                    if let Some(sending) = sending {
                        self.after_send_on(sending, watch, counts, Some(on));
                    }
                    Ok(done)
                }
                (Err(e), sending) => {
                    let e = with_statement(e, request.sql.to_owned(), planned.compiled());
                    Err(match (sending, watch) {
                        (Some(sending), Some(watch)) => {
                            self.replica_read_failed(e, sending, watch, on)
                        }
                        _ => e,
                    })
                }
            };
            if let Some(done) = self.routing.after_read(replicas, lease, result) {
                if done.is_ok() {
                    planned.executed(started);
                }
                return Some(done);
            }
        }
        None
    }

    /// From now on every statement runs on the primary: the connection reads its own writes.
    pub(super) fn pin_to_primary(&mut self) {
        self.routing.pin_to_primary(self.engine.replicas());
    }

    /// Gives the replica connection back (the connection closes).
    pub(super) fn release_replica(&mut self) {
        self.routing.release(self.engine.replicas());
    }
}
