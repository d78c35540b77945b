//! [`AsyncPool`]: the async engine's pool, with the sync `QueuePool`'s semantics (or the
//! `NullPool`'s): at most `pool_size + max_overflow` connections, callers waiting their turn in
//! arrival order (tokio's semaphore is fair) up to `pool_timeout`, FIFO or LIFO reuse, and the
//! sync pools' [`Factory`] for everything done to a connection (open, `connect`/`checkout`/
//! `checkin`/`reset` events, recycle, pre-ping, reset on return, generations) — run on the
//! connection's own thread.
//!
//! A connection is either native (PostgreSQL, driven on the caller's runtime: see `native`) or
//! a blocking driver connection on a thread of its own (SQLite).
//!
//! The lock is held only to move a connection in or out of the idle queue, never across an
//! `.await`. A connection goes back to the pool from `Drop` without awaiting: a thread's
//! connection is reset by the next call its thread runs (after any call still running there),
//! and the thread itself puts it back in the idle queue — or closes it — and only then frees
//! its place; a native one needing a reset is reset by a task on the runtime, likewise.

mod native;

pub(crate) use native::NativeLent;

use super::blocking::{BlockingConnection, Holder, Worker};
use crate::driver::{AsyncDriverConnection, DriverConnection, RowSource};
use crate::error::{Error, Result};
use crate::options::IsolationLevel;
use crate::pool::{Factory, PoolInstruments, PoolRecord, PoolStatus};
use crate::replicas::ReplicaPool;
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What a connection's thread holds: the pool's record of the connection, while it is open.
pub(crate) struct Slot {
    record: Option<PoolRecord>,
    streamed: Option<(u64, RowSource)>,
}

impl Slot {
    /// A slot holding `record`.
    pub fn holding(record: PoolRecord) -> Self {
        Slot {
            record: Some(record),
            streamed: None,
        }
    }

    /// The database connection, taken out (to lend it).
    pub fn take_record(&mut self) -> Option<PoolRecord> {
        self.streamed = None;
        self.record.take()
    }

    /// The database connection, put back.
    pub fn put_record(&mut self, record: PoolRecord) {
        self.record = Some(record);
    }
}

impl Holder for Slot {
    fn conn(&mut self) -> Option<&mut dyn DriverConnection> {
        self.record.as_mut().map(PoolRecord::driver_connection)
    }

    fn poisoned(&mut self) {
        self.streamed = None;
        self.record = None;
    }

    fn streamed(&mut self) -> &mut Option<(u64, RowSource)> {
        &mut self.streamed
    }
}

/// An idle connection: a native one, or the thread of a blocking one.
enum Held {
    Thread(Worker<Slot>),
    Native(PoolRecord),
}

/// An idle connection, with what a checkout needs to know without asking it.
struct Idle {
    held: Held,
    id: u64,
    levels: &'static [IsolationLevel],
    /// When it was opened, and in which generation of the pool.
    opened: (Instant, u64),
}

struct State {
    idle: VecDeque<Idle>,
    /// Connections open or being opened, idle or handed out.
    open: usize,
    /// Connections handed out (until their thread has put them back).
    checked_out: usize,
}

/// Which pool the async engine has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Queue,
    Null,
}

/// The async engine's pool; see the module's documentation.
pub(crate) struct AsyncPool {
    factory: Arc<Factory>,
    kind: Kind,
    permits: Arc<Semaphore>,
    state: Mutex<State>,
    waiting: AtomicUsize,
}

impl AsyncPool {
    pub fn new(factory: Factory, kind: Kind) -> Arc<Self> {
        let o = &factory.options;
        let max = match kind {
            Kind::Queue if o.pool_size > 0 => o.pool_size.saturating_add(o.max_overflow),
            _ => usize::MAX,
        };
        Arc::new(AsyncPool {
            permits: Arc::new(Semaphore::new(max.min(Semaphore::MAX_PERMITS))),
            factory: Arc::new(factory),
            kind,
            state: Mutex::new(State {
                idle: VecDeque::new(),
                open: 0,
                checked_out: 0,
            }),
            waiting: AtomicUsize::new(0),
        })
    }

    pub fn factory(&self) -> &Arc<Factory> {
        &self.factory
    }

    /// Whether a returned connection is kept when `idle` are in the pool already.
    fn keeps(&self, idle: usize) -> bool {
        let size = self.factory.options.pool_size;
        self.kind == Kind::Queue && (size == 0 || idle < size)
    }

    fn timeout_error(&self) -> Error {
        let o = &self.factory.options;
        Error::Timeout {
            pool_size: o.pool_size,
            max_overflow: o.max_overflow,
            timeout_secs: o.timeout.as_secs_f64(),
        }
    }

    /// A place in the pool, waiting in arrival order up to `pool_timeout`.
    async fn permit(&self) -> Result<OwnedSemaphorePermit> {
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::AcqRel);
            }
        }
        // A place free (none is while others wait: the semaphore hands them over in order).
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(permit);
        }
        self.waiting.fetch_add(1, Ordering::AcqRel);
        let _waiting = Waiting(&self.waiting);
        let status = || self.status();
        let instrumented = self
            .factory
            .instruments
            .waiting(&status, &self.factory.options);
        let acquire = self.permits.clone().acquire_owned();
        let acquired = match tokio::time::timeout(self.factory.options.timeout, acquire).await {
            Ok(Ok(permit)) => Ok(permit),
            // The semaphore is never closed.
            Ok(Err(_)) | Err(_) => Err(self.timeout_error()),
        };
        instrumented.done(&acquired);
        acquired
    }

    /// Publishes the pool's counts to its metrics.
    pub(super) fn publish(&self) {
        self.factory
            .instruments
            .status(|| self.status(), &self.factory.options);
    }

    /// A connection for the caller: an idle one (replaced when stale or, with pre-ping, dead)
    /// or a new one.
    pub async fn checkout(self: &Arc<Self>) -> Result<PooledConnection> {
        let permit = self.permit().await?;
        let idle = {
            let mut st = self.state.lock();
            let idle = if self.factory.options.use_lifo {
                st.idle.pop_back()
            } else {
                st.idle.pop_front()
            };
            if idle.is_none() {
                st.open += 1;
            }
            st.checked_out += 1;
            idle
        };
        // Given back if the checkout fails, or its future is dropped, before the end.
        let place = Place(Some(self));
        let factory = self.factory.clone();
        let lent = match idle {
            // Fresh, and nothing to do at checkout: handed out as it is.
            Some(Idle {
                held,
                id,
                levels,
                opened,
            }) if self.factory.checkout_is_noop()
                && self.factory.is_fresh_since(opened.0, opened.1) =>
            {
                Ok(match held {
                    Held::Thread(worker) => (
                        Lent::Thread(BlockingConnection::new(worker, levels)),
                        id,
                        levels,
                    ),
                    Held::Native(record) => Self::native_lent(record),
                })
            }
            Some(Idle {
                held: Held::Native(record),
                ..
            }) => native::prepare_checkout(&factory, record)
                .await
                .map(Self::native_lent),
            Some(Idle {
                held: Held::Thread(worker),
                ..
            }) => {
                let ready = worker.run(move |slot: &mut Slot| {
                    let record = slot.record.take().ok_or_else(closed)?;
                    let record = factory.prepare_checkout(record)?;
                    let ready = (record.id(), record.conn.supported_isolation_levels());
                    slot.record = Some(record);
                    Ok(ready)
                });
                ready.await.map(|(id, levels)| {
                    (
                        Lent::Thread(BlockingConnection::new(worker, levels)),
                        id,
                        levels,
                    )
                })
            }
            None => match factory.connect_async() {
                Some(connecting) => native::open(&factory, connecting)
                    .await
                    .map(Self::native_lent),
                None => {
                    let closing = self.factory.clone();
                    let worker = Worker::spawn(
                        "sqlcore-connection".into(),
                        Slot {
                            record: None,
                            streamed: None,
                        },
                        move |slot: Slot| {
                            if let Some(record) = slot.record {
                                closing.close(record);
                            }
                        },
                    )?;
                    let ready = worker.run(move |slot: &mut Slot| {
                        let record = factory.open_for_checkout()?;
                        let ready = (record.id(), record.conn.supported_isolation_levels());
                        slot.record = Some(record);
                        Ok(ready)
                    });
                    // The worker's thread closes whatever it holds as it ends.
                    ready.await.map(|(id, levels)| {
                        (
                            Lent::Thread(BlockingConnection::new(worker, levels)),
                            id,
                            levels,
                        )
                    })
                }
            },
        };
        let (conn, id, levels) = lent?;
        place.keep();
        self.publish();
        Ok(PooledConnection {
            conn,
            pool: self.clone(),
            permit: Some(Arc::new(permit)),
            id,
            levels,
            lent: PoolInstruments::now(),
        })
    }

    fn native_lent(mut record: PoolRecord) -> (Lent, u64, &'static [IsolationLevel]) {
        let (id, levels) = (
            record.id(),
            record.driver_connection().supported_isolation_levels(),
        );
        let lent = NativeLent {
            record,
            rollback_first: false,
            restore: None,
        };
        (Lent::Native(Some(lent)), id, levels)
    }

    /// Returns a connection: on its thread, after any call still running there, it is reset
    /// (or invalidated when `discard`) and put back in the idle queue or closed; then its
    /// place is freed.
    fn give_back(
        self: &Arc<Self>,
        worker: Worker<Slot>,
        permit: Arc<OwnedSemaphorePermit>,
        discard: bool,
    ) {
        let pool = self.clone();
        let handle = worker.clone();
        let sent = worker.send(move |slot: &mut Slot| {
            pool.check_in(slot, handle, discard);
            drop(permit);
        });
        if sent.is_err() {
            // The thread is gone with its connection.
            let mut st = self.state.lock();
            st.open -= 1;
            st.checked_out -= 1;
        }
    }

    /// On the connection's thread: resets it and keeps it, or closes it.
    fn check_in(&self, slot: &mut Slot, handle: Worker<Slot>, discard: bool) {
        let _published = Published(self);
        // A result still streamed stops here (its cursor closed before the reset).
        slot.streamed = None;
        let Some(mut record) = slot.record.take() else {
            // Lost (a call panicked): nothing left to close.
            let mut st = self.state.lock();
            st.open -= 1;
            st.checked_out -= 1;
            return;
        };
        let reset = !discard
            && match catch_unwind(AssertUnwindSafe(|| self.factory.reset(&mut record))) {
                Ok(Ok(())) => true,
                Ok(Err(e)) => {
                    tracing::warn!(target: "sqlcore.pool", id = record.id(), error = %e, "reset on return failed; discarding the connection");
                    false
                }
                Err(_) => {
                    tracing::error!(target: "sqlcore.pool", id = record.id(), "a reset or checkin hook panicked; discarding the connection");
                    false
                }
            };
        if reset {
            let mut st = self.state.lock();
            if self.factory.is_fresh(&record) && self.keeps(st.idle.len()) {
                st.checked_out -= 1;
                st.idle.push_back(Idle {
                    held: Held::Thread(handle),
                    id: record.id(),
                    levels: record.conn.supported_isolation_levels(),
                    opened: record.opened(),
                });
                slot.record = Some(record);
                return;
            }
            drop(st);
            self.factory.close(record);
        } else {
            self.factory.invalidate(record);
        }
        // Closed first, then counted: never more open than the pool allows.
        let mut st = self.state.lock();
        st.open -= 1;
        st.checked_out -= 1;
    }

    /// The counts, as the sync pools report them.
    pub fn status(&self) -> PoolStatus {
        let st = self.state.lock();
        let size = match self.kind {
            Kind::Queue => self.factory.options.pool_size,
            Kind::Null => 0,
        };
        let overflow = if size == 0 {
            0
        } else {
            let beyond = st.open as i128 - size as i128;
            beyond.clamp(isize::MIN as i128, isize::MAX as i128) as isize
        };
        PoolStatus {
            kind: match self.kind {
                Kind::Queue => "QueuePool",
                Kind::Null => "NullPool",
            },
            size,
            checked_in: st.idle.len(),
            checked_out: st.checked_out,
            overflow,
            waiting: self.waiting.load(Ordering::Acquire),
        }
    }

    /// Closes every idle connection (each on its thread); connections in use are closed when
    /// they come back.
    pub fn dispose(self: &Arc<Self>) {
        self.factory.bump_generation();
        let idle: Vec<Idle> = self.state.lock().idle.drain(..).collect();
        for Idle { held, .. } in idle {
            let worker = match held {
                Held::Thread(worker) => worker,
                Held::Native(record) => {
                    self.close_idle_native(record);
                    continue;
                }
            };
            let pool = self.clone();
            let sent = worker.send(move |slot: &mut Slot| {
                slot.streamed = None;
                if let Some(record) = slot.record.take() {
                    pool.factory.close(record);
                }
                pool.state.lock().open -= 1;
            });
            if sent.is_err() {
                self.state.lock().open -= 1;
            }
        }
    }
}

impl ReplicaPool for Arc<AsyncPool> {
    type Conn = PooledConnection;
    fn factory(&self) -> &Factory {
        &self.factory
    }
    fn give_back(&self, conn: PooledConnection) {
        drop(conn);
    }
    fn discard(&self, conn: PooledConnection) {
        conn.discard();
    }
    fn dispose(&self) {
        AsyncPool::dispose(self);
    }
    fn connection_id(conn: &PooledConnection) -> u64 {
        conn.id()
    }
}

/// Publishes the pool's counts once a connection is back (or gone).
struct Published<'a>(&'a AsyncPool);

impl Drop for Published<'_> {
    fn drop(&mut self) {
        self.0.publish();
    }
}

/// The error of a checkout whose idle connection was lost on its thread.
fn closed() -> Error {
    Error::ResourceClosed("the pooled connection was lost".into())
}

/// A counted place in the pool, given back unless the connection in it is handed out.
struct Place<'a>(Option<&'a AsyncPool>);

impl Place<'_> {
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        if let Some(pool) = self.0 {
            let mut st = pool.state.lock();
            st.open -= 1;
            st.checked_out -= 1;
        }
    }
}

/// The connection a [`PooledConnection`] lends: a blocking one on its thread, or a native
/// one (`None` while it is lent to a blocking thread, for `run_sync`).
pub(crate) enum Lent {
    Thread(BlockingConnection<Slot>),
    Native(Option<NativeLent>),
}

/// A connection checked out of the [`AsyncPool`]; dropping it returns it (see
/// [`AsyncPool::give_back`]).
pub(crate) struct PooledConnection {
    conn: Lent,
    pool: Arc<AsyncPool>,
    /// Shared with a blocking thread the connection is lent to: the place is freed once both
    /// are done with it.
    permit: Option<Arc<OwnedSemaphorePermit>>,
    id: u64,
    levels: &'static [IsolationLevel],
    /// Since when it is lent, when the metrics need it.
    lent: Option<Instant>,
}

/// The error of a call on a connection lent away and lost (its blocking call was dropped).
fn lent_away() -> Error {
    Error::ResourceClosed("this connection has no database connection".into())
}

impl PooledConnection {
    /// The pool's number for the connection.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The isolation levels the backend supports.
    pub fn supported_isolation_levels(&self) -> &'static [IsolationLevel] {
        self.levels
    }

    /// The connection, to run a call on.
    pub fn driver(&mut self) -> Result<&mut dyn AsyncDriverConnection> {
        match &mut self.conn {
            Lent::Thread(conn) => Ok(conn),
            Lent::Native(Some(lent)) => lent.record.conn.as_async().ok_or_else(lent_away),
            Lent::Native(None) => Err(lent_away()),
        }
    }

    /// Whether a transaction is open on the connection (as of its last call).
    pub fn in_transaction(&self) -> bool {
        match &self.conn {
            Lent::Thread(conn) => conn.in_transaction(),
            Lent::Native(Some(lent)) => lent.record.conn.in_transaction(),
            Lent::Native(None) => false,
        }
    }

    /// The connection's thread, for a blocking connection.
    pub fn worker(&self) -> Option<&Worker<Slot>> {
        match &self.conn {
            Lent::Thread(conn) => Some(&conn.worker),
            Lent::Native(_) => None,
        }
    }

    /// A native connection, taken out to lend it to a blocking thread, with a share of its
    /// place in the pool.
    pub fn lend_native(&mut self) -> Option<(PoolRecord, Option<Arc<OwnedSemaphorePermit>>)> {
        match &mut self.conn {
            Lent::Native(lent) => lent.take().map(|lent| (lent.record, self.permit.clone())),
            Lent::Thread(_) => None,
        }
    }

    /// A native connection lent out, back.
    pub fn native_back(&mut self, record: PoolRecord) {
        if let Lent::Native(lent) = &mut self.conn {
            *lent = Some(NativeLent {
                record,
                rollback_first: false,
                restore: None,
            });
        }
    }

    /// Rolls the connection's transaction back before it is returned (on its thread, or as
    /// the native connection is reset); should that fail, the connection is dropped.
    pub fn rollback_before_return(&mut self) -> Result<()> {
        match &mut self.conn {
            Lent::Thread(conn) => conn.worker.send(move |slot: &mut Slot| {
                slot.streamed = None;
                if let Some(conn) = slot.conn() {
                    if conn.in_transaction() && conn.rollback().is_err() {
                        slot.poisoned();
                    }
                }
            }),
            Lent::Native(Some(lent)) => {
                lent.rollback_first = true;
                Ok(())
            }
            Lent::Native(None) => Ok(()),
        }
    }

    /// Sets the connection's isolation level back to `level` before it is returned; should
    /// that fail, the connection is dropped (never returned with another level).
    pub fn restore_isolation(&mut self, level: IsolationLevel) -> Result<()> {
        match &mut self.conn {
            Lent::Thread(conn) => conn.worker.send(move |slot: &mut Slot| {
                if let Some(conn) = slot.conn() {
                    if conn.set_isolation_level(level).is_err() {
                        slot.poisoned();
                    }
                }
            }),
            Lent::Native(Some(lent)) => {
                lent.restore = Some(level);
                Ok(())
            }
            Lent::Native(None) => Ok(()),
        }
    }

    /// Discards the connection: it is invalidated and closed, never reused.
    pub fn discard(mut self) {
        self.release(true);
    }

    fn release(&mut self, discard: bool) {
        let Some(permit) = self.permit.take() else {
            return;
        };
        self.pool.factory.instruments.used(self.lent.take());
        match &mut self.conn {
            Lent::Thread(conn) => self.pool.give_back(conn.worker.clone(), permit, discard),
            Lent::Native(lent) => match lent.take() {
                Some(lent) => self.pool.give_back_native(lent, permit, discard),
                None => {
                    // Lent to a blocking thread that still has it (and a share of the place):
                    // the connection closes there.
                    let mut st = self.pool.state.lock();
                    st.open -= 1;
                    st.checked_out -= 1;
                }
            },
        }
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        self.release(false);
    }
}
