//! Read replicas: the pools of an engine's replica servers, taken in turn for read-only work,
//! a replica that fails marked down for a backoff interval and skipped until it has passed.
//!
//! One design for both engines: [`Replicas`] is generic over the pool (the sync engine's
//! `Box<dyn Pool>`, the async engine's `AsyncPool`), and only the checkout itself differs
//! (blocking or awaited). Which statements go to a replica is the connection's decision
//! ([`Routing`], see [`EngineBuilder::replica`](crate::EngineBuilder::replica)); this module
//! hands out replica connections and keeps track of which replicas are up.

#[cfg(feature = "async")]
use crate::aio::AsyncReplicaPool;
use crate::connection::tx_state::TxState;
use crate::events::OnReplica;
use crate::pool::{Factory, Pool, PoolRecord, return_connection};
use crate::url::Url;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What the replicas need of a pool, whichever engine's it is.
pub(crate) trait ReplicaPool: Send + Sync {
    /// A connection checked out of the pool.
    type Conn: Send;
    /// The pool's connection factory (its generations).
    fn factory(&self) -> &Factory;
    /// Gives a healthy connection back.
    fn give_back(&self, conn: Self::Conn);
    /// Closes a connection that failed, never to be reused.
    fn discard(&self, conn: Self::Conn);
    /// Closes every idle connection.
    fn dispose(&self);
    /// A checked-out connection's id in its pool.
    fn connection_id(conn: &Self::Conn) -> u64;
}

impl ReplicaPool for Box<dyn Pool> {
    type Conn = PoolRecord;
    fn factory(&self) -> &Factory {
        Pool::factory(&**self)
    }
    fn give_back(&self, conn: PoolRecord) {
        return_connection(&**self, conn);
    }
    fn discard(&self, conn: PoolRecord) {
        Pool::discard(&**self, conn);
    }
    fn dispose(&self) {
        Pool::dispose(&**self);
    }
    fn connection_id(conn: &PoolRecord) -> u64 {
        conn.id()
    }
}

/// One replica server.
struct Replica<P> {
    url: Url,
    pool: P,
    /// Skipped until then, after a failure.
    down_until: Mutex<Option<Instant>>,
}

/// An engine's replicas.
pub(crate) struct Replicas<P> {
    members: Vec<Replica<P>>,
    /// The replica the next checkout starts with (round robin).
    next: AtomicUsize,
    backoff: Duration,
}

/// A connection checked out from replica `index`.
pub(crate) struct ReplicaLease<C> {
    pub index: usize,
    pub conn: C,
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

impl<P: ReplicaPool> Replicas<P> {
    /// Replicas over `pools` (with their URLs), each skipped for `backoff` after a failure.
    pub fn new(pools: Vec<(Url, P)>, backoff: Duration) -> Self {
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

    /// The replicas to check a connection out of, each once, in turn from the next one:
    /// those not marked down (as of when the iterator reaches them).
    pub fn candidates(&self) -> impl Iterator<Item = (usize, &P)> {
        let n = self.members.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(move |k| (start + k) % n)
            .filter(|&index| !self.members[index].is_down())
            .map(|index| (index, &self.members[index].pool))
    }

    /// How many replicas there are.
    pub fn count(&self) -> usize {
        self.members.len()
    }

    /// Where a read on `lease` runs, for its events.
    pub fn on(&self, lease: &ReplicaLease<P::Conn>) -> OnReplica<'_> {
        OnReplica {
            url: &self.members[lease.index].url,
            connection_id: P::connection_id(&lease.conn),
        }
    }

    /// Gives a lease back to its replica's pool.
    pub fn give_back(&self, lease: ReplicaLease<P::Conn>) {
        self.members[lease.index].pool.give_back(lease.conn);
    }

    /// Discards a lease whose connection failed, marking its replica down (its idle
    /// connections are closed: they are likely as dead).
    pub fn lost(&self, lease: ReplicaLease<P::Conn>, cause: &crate::Error) {
        let pool = &self.members[lease.index].pool;
        pool.factory().bump_generation();
        pool.discard(lease.conn);
        self.mark_down(lease.index, cause);
    }

    /// Marks replica `index` down for the backoff interval, its idle connections closed.
    pub fn mark_down(&self, index: usize, cause: &crate::Error) {
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

impl Replicas<Box<dyn Pool>> {
    /// A connection from the next replica that is up, in turn; a replica whose checkout fails
    /// is marked down and the next one tried. `None` when every replica is down.
    pub fn checkout(&self) -> Option<ReplicaLease<PoolRecord>> {
        for (index, pool) in self.candidates() {
            match pool.checkout() {
                Ok(conn) => return Some(ReplicaLease { index, conn }),
                Err(e) => self.mark_down(index, &e),
            }
        }
        None
    }
}

#[cfg(feature = "async")]
impl Replicas<AsyncReplicaPool> {
    /// The async engine's [`checkout`](Replicas::checkout), awaited.
    pub async fn checkout_async(
        &self,
    ) -> Option<ReplicaLease<<AsyncReplicaPool as ReplicaPool>::Conn>> {
        for (index, pool) in self.candidates() {
            match pool.checkout().await {
                Ok(conn) => return Some(ReplicaLease { index, conn }),
                Err(e) => self.mark_down(index, &e),
            }
        }
        None
    }
}

impl<P> Replica<P> {
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

/// Where a connection's statements go, the same for the sync and the async connection: the
/// replica connection it holds for its reads, and whether it is pinned to the primary.
pub(crate) struct Routing<P: ReplicaPool> {
    /// A read replica's connection, for the reads sent there.
    pub lease: Option<ReplicaLease<P::Conn>>,
    /// A statement ran (or a transaction began) on the primary: every statement stays there
    /// from now on (read-your-writes).
    pinned: bool,
}

impl<P: ReplicaPool> Default for Routing<P> {
    fn default() -> Self {
        Routing {
            lease: None,
            pinned: false,
        }
    }
}

impl<P: ReplicaPool> Routing<P> {
    /// Whether a statement goes to a replica: the engine has `replicas`, the statement is
    /// `read_only`, the connection is open, outside a transaction (none pending a rollback),
    /// and has run nothing on the primary.
    pub fn reads_from_replica(
        &self,
        replicas: Option<&Replicas<P>>,
        read_only: bool,
        closed: bool,
        tx: &TxState,
    ) -> bool {
        read_only
            && !closed
            && !self.pinned
            && !tx.pending_rollback()
            && !tx.in_transaction()
            && replicas.is_some()
    }

    /// After a read on `lease`: the lease is kept for the next read and the result returned;
    /// or, when its connection was lost, the replica is marked down and `None` says to try
    /// the read again on the next one.
    pub fn after_read<R>(
        &mut self,
        replicas: &Replicas<P>,
        lease: ReplicaLease<P::Conn>,
        result: crate::Result<R>,
    ) -> Option<crate::Result<R>> {
        match result {
            Err(e) if e.connection_invalidated() => {
                replicas.lost(lease, &e);
                None
            }
            done => {
                self.lease = Some(lease);
                Some(done)
            }
        }
    }

    /// From now on every statement runs on the primary (one ran there, or a transaction
    /// began): the connection reads its own writes.
    pub fn pin_to_primary(&mut self, replicas: Option<&Replicas<P>>) {
        if !self.pinned {
            self.pinned = true;
            self.release(replicas);
        }
    }

    /// Gives the replica connection back (the connection works on the primary only, or
    /// closes).
    pub fn release(&mut self, replicas: Option<&Replicas<P>>) {
        if let (Some(lease), Some(replicas)) = (self.lease.take(), replicas) {
            replicas.give_back(lease);
        }
    }
}
