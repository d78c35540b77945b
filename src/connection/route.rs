//! Read replicas, the connection's side: which statements go to a replica (see
//! [`EngineBuilder::replica`](crate::EngineBuilder::replica)), the replica connection it holds
//! for them, and a read run again elsewhere when its replica fails.

use super::Connection;
use super::call::{Call, Ran, with_statement};
use crate::driver::{DriverConnection, Request};
use crate::error::Result;

impl Connection {
    /// Whether `planned` goes to a replica: the engine has replicas, the statement is
    /// read-only, and the connection has run nothing on the primary (see `pinned`).
    pub(super) fn reads_from_replica(&self, planned: &Call<'_>) -> bool {
        planned.read_only
            && !self.closed
            && !self.pinned
            && !self.tx.pending_rollback()
            && !self.tx.in_transaction()
            && self.engine.replicas().is_some()
    }

    /// Runs `call` on a replica: the connection's, or one checked out now. A replica whose
    /// connection fails is marked down and the read is run again on the next; `None` when
    /// every replica is down, or failed in turn (the caller then uses the primary).
    pub(super) fn on_replica<R>(
        &mut self,
        planned: &Call<'_>,
        request: &Request<'_>,
        call: &mut impl FnMut(&mut dyn DriverConnection, &Request<'_>, &Ran<'_>) -> Result<R>,
    ) -> Option<Result<R>> {
        let replicas = self.engine.replicas()?;
        // Each failure marks a replica down; with no backoff, one may fail again at once.
        for _ in 0..=replicas.count() {
            let mut lease = match self.replica.take() {
                Some(lease) => lease,
                None => replicas.checkout()?,
            };
            let started = planned.started();
            match call(lease.record.driver_connection(), request, &planned.ran()) {
                Err(e) if e.connection_invalidated() => replicas.lost(lease, &e),
                Ok(done) => {
                    planned.executed(started);
                    self.replica = Some(lease);
                    return Some(Ok(done));
                }
                Err(e) => {
                    self.replica = Some(lease);
                    return Some(Err(with_statement(
                        e,
                        request.sql.to_owned(),
                        planned.compiled(),
                    )));
                }
            }
        }
        None
    }

    /// From now on every statement runs on the primary (one ran there, or a transaction
    /// began): the connection reads its own writes.
    pub(super) fn pin_to_primary(&mut self) {
        if !self.pinned {
            self.pinned = true;
            self.release_replica();
        }
    }

    /// Gives the replica connection back (the connection now works on the primary only, or
    /// closes).
    pub(super) fn release_replica(&mut self) {
        if let (Some(lease), Some(replicas)) = (self.replica.take(), self.engine.replicas()) {
            replicas.give_back(lease);
        }
    }
}
