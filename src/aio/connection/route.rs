//! Read replicas, the async connection's side: the sync connection's rules (the shared
//! [`Routing`]), its replica connections from the async engine's replica pools, awaited.
//!
//! [`Routing`]: crate::replicas::Routing

use super::AsyncConnection;
use super::execute::{Sent, send};
use crate::connection::call::{Call, with_statement};
use crate::driver::Request;
use crate::error::Result;
use crate::events::EventSource;
use crate::options::ExecutionOptions;

impl AsyncConnection {
    /// Whether `call` goes to a replica (see the sync connection's); never while a dropped
    /// call left the primary connection's state unknown.
    pub(super) fn reads_from_replica(&self, call: &Call<'_>) -> bool {
        !self.busy
            && self.routing.reads_from_replica(
                self.engine.replicas(),
                call.read_only,
                self.closed,
                &self.tx,
            )
    }

    /// Runs `request` on a replica: the connection's, or one checked out now. A replica whose
    /// connection fails is marked down and the read is run again on the next; `None` when
    /// every replica is down, or failed in turn (the caller then uses the primary). Each
    /// attempt fires its events, naming the replica (`own_options`: the statement's own). A
    /// future dropped mid-read drops the replica connection with it, which its pool recovers.
    pub(super) async fn on_replica(
        &mut self,
        call: &Call<'_>,
        request: &Request<'_>,
        streamed: bool,
        own_options: Option<&ExecutionOptions>,
    ) -> Option<Result<Sent>> {
        let engine = self.engine.clone();
        let replicas = engine.replicas()?;
        let sending = self.observing().then(|| call.sending(request, own_options));
        // Each failure marks a replica down; with no backoff, one may fail again at once.
        for _ in 0..=replicas.count() {
            let mut lease = match self.routing.lease.take() {
                Some(lease) => lease,
                None => replicas.checkout_async().await?,
            };
            let on = replicas.on(&lease);
            let watch = sending
                .as_ref()
                .and_then(|s| self.before_send_on(s, Some(on)));
            let started = call.started();
            let result = match lease.conn.driver() {
                Ok(conn) => send(conn, request, streamed).await,
                Err(e) => Err(e),
            };
            let result = match result {
                Ok(sent) => {
                    if let Some(sending) = &sending {
                        self.after_send_on(sending, watch, sent.counts(), Some(on));
                    }
                    Ok(sent)
                }
                Err(e) => {
                    let e = with_statement(e, request.sql.to_owned(), call.compiled());
                    Err(match (&sending, watch) {
                        (Some(sending), Some(watch)) => {
                            self.replica_read_failed(e, sending, watch, on)
                        }
                        _ => e,
                    })
                }
            };
            if let Some(done) = self.routing.after_read(replicas, lease, result) {
                return Some(done.inspect(|_| call.executed(started)));
            }
        }
        None
    }

    /// From now on every statement runs on the primary: the connection reads its own writes.
    pub(super) fn pin_to_primary(&mut self) {
        self.routing.pin_to_primary(self.engine.replicas());
    }
}
