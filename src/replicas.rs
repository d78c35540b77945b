//! Read replicas: the pools of an engine's replica servers, taken in turn for read-only work,
//! a replica that fails marked down for a backoff interval and skipped until it has passed.
//!
//! Which statements go to a replica is the [`Connection`](crate::Connection)'s decision (see
//! [`EngineBuilder::replica`](crate::EngineBuilder::replica)); this module only hands out
//! replica connections and keeps track of which replicas are up.

use crate::pool::{Pool, PoolRecord, return_connection};
use crate::url::Url;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One replica server.
struct Replica {
    url: Url,
    pool: Box<dyn Pool>,
    /// Skipped until then, after a failure.
    down_until: Mutex<Option<Instant>>,
}

/// An engine's replicas.
pub(crate) struct Replicas {
    members: Vec<Replica>,
    /// The replica the next checkout starts with (round robin).
    next: AtomicUsize,
    backoff: Duration,
}

/// A connection checked out from replica `index`.
pub(crate) struct ReplicaLease {
    pub index: usize,
    pub record: PoolRecord,
}

/// Whether a replica is taken for reads, as [`Engine::replica_status`](crate::Engine::replica_status)
/// reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaStatus {
    /// The replica's URL (its password never rendered).
    pub url: String,
    /// Marked down after a failure: skipped until the backoff interval has passed.
    pub down: bool,
}

impl Replicas {
    /// Replicas over `pools` (with their URLs), each skipped for `backoff` after a failure.
    pub fn new(pools: Vec<(Url, Box<dyn Pool>)>, backoff: Duration) -> Self {
        Replicas {
            members: pools
                .into_iter()
                .map(|(url, pool)| Replica {
                    url,
                    pool,
                    down_until: Mutex::new(None),
                })
                .collect(),
            next: AtomicUsize::new(0),
            backoff,
        }
    }

    /// A connection from the next replica that is up, in turn; a replica whose checkout fails
    /// is marked down and the next one tried. `None` when every replica is down.
    pub fn checkout(&self) -> Option<ReplicaLease> {
        let n = self.members.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for k in 0..n {
            let index = (start + k) % n;
            let replica = &self.members[index];
            if replica.is_down() {
                continue;
            }
            match replica.pool.checkout() {
                Ok(record) => return Some(ReplicaLease { index, record }),
                Err(e) => self.mark_down(index, &e),
            }
        }
        None
    }

    /// How many replicas there are.
    pub fn count(&self) -> usize {
        self.members.len()
    }

    /// Gives a lease back to its replica's pool.
    pub fn give_back(&self, lease: ReplicaLease) {
        return_connection(&*self.members[lease.index].pool, lease.record);
    }

    /// Discards a lease whose connection failed, marking its replica down (its idle
    /// connections are closed: they are likely as dead).
    pub fn lost(&self, lease: ReplicaLease, cause: &crate::Error) {
        let replica = &self.members[lease.index];
        replica.pool.factory().bump_generation();
        replica.pool.discard(lease.record);
        self.mark_down(lease.index, cause);
    }

    fn mark_down(&self, index: usize, cause: &crate::Error) {
        let replica = &self.members[index];
        *replica.down_until.lock() = Some(Instant::now() + self.backoff);
        replica.pool.dispose();
        tracing::warn!(target: "sqlcore.replicas", replica = %replica.url, error = %cause, backoff = ?self.backoff, "replica marked down");
    }

    /// Each replica and whether it is marked down.
    pub fn status(&self) -> Vec<ReplicaStatus> {
        self.members
            .iter()
            .map(|r| ReplicaStatus {
                url: r.url.to_string(),
                down: r.is_down(),
            })
            .collect()
    }

    /// Closes every replica's idle connections.
    pub fn dispose(&self) {
        for r in &self.members {
            r.pool.dispose();
        }
    }
}

impl Replica {
    fn is_down(&self) -> bool {
        let mut down = self.down_until.lock();
        match *down {
            Some(until) if Instant::now() < until => true,
            Some(_) => {
                // The backoff has passed: tried again.
                *down = None;
                false
            }
            None => false,
        }
    }
}
