//! Connection pools — `QueuePool`, `NullPool`, `StaticPool` and `SingletonThreadPool`, chosen
//! with [`PoolClass`](crate::PoolClass) — and the pool events.
//!
//! Pools hold their lock only to move connections in and out of their queues: opening,
//! pinging, resetting and closing a connection happen outside it.

mod events;
mod instruments;
mod null;
mod queue;
mod singleton;
mod static_pool;

pub use events::{EventHook, PoolEvents};
pub(crate) use instruments::PoolInstruments;
pub(crate) use null::NullPool;
pub(crate) use queue::QueuePool;
pub(crate) use singleton::SingletonThreadPool;
pub(crate) use static_pool::StaticPool;

use crate::driver::{Driver, DriverConnection};
use crate::error::Result;
use crate::options::ResetOnReturn;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Pool settings, with SQLAlchemy's defaults.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Connections kept open (`pool_size`, default 5); 0 is no limit (see
    /// [`EngineBuilder::pool_size`](crate::EngineBuilder::pool_size)).
    pub pool_size: usize,
    /// Connections allowed beyond `pool_size` (`max_overflow`, default 10); `usize::MAX` is no
    /// limit (see [`EngineBuilder::max_overflow`](crate::EngineBuilder::max_overflow)).
    pub max_overflow: usize,
    /// How long a checkout waits for a connection (`pool_timeout`, default 30 s).
    pub timeout: Duration,
    /// Connections older than this are replaced at checkout (`pool_recycle`, default off).
    pub recycle: Option<Duration>,
    /// Test each connection at checkout and replace a dead one (`pool_pre_ping`).
    pub pre_ping: bool,
    /// Hand out the most recently returned connection first (`pool_use_lifo`).
    pub use_lifo: bool,
    /// What happens to a returned connection (`pool_reset_on_return`, default rollback).
    pub reset_on_return: ResetOnReturn,
    /// How long a waiting caller may be overtaken before it is handed the next returned
    /// connection directly (default 1 ms; zero: strict FIFO hand-off; the sync `QueuePool`
    /// only, the async pool always hands over in order); see
    /// [`EngineBuilder::pool_handoff_after`](crate::EngineBuilder::pool_handoff_after).
    pub handoff_after: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            pool_size: 5,
            max_overflow: 10,
            timeout: Duration::from_secs(30),
            recycle: None,
            pre_ping: false,
            use_lifo: false,
            reset_on_return: ResetOnReturn::Rollback,
            handoff_after: Duration::from_millis(1),
        }
    }
}

/// A pooled connection and what the pool knows about it.
pub struct PoolRecord {
    /// The driver connection.
    pub(crate) conn: Box<dyn DriverConnection>,
    created: Instant,
    generation: u64,
    id: u64,
    /// Since when the sync engine lent it, when the metrics need it.
    lent: Option<Instant>,
}

impl PoolRecord {
    #[cfg(feature = "async")]
    /// When the connection was opened, and in which generation of its pool.
    pub(crate) fn opened(&self) -> (Instant, u64) {
        (self.created, self.generation)
    }

    /// A number identifying the connection, unique within the process.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The driver connection.
    pub fn driver_connection(&mut self) -> &mut dyn DriverConnection {
        &mut *self.conn
    }
}

impl fmt::Debug for PoolRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolRecord")
            .field("id", &self.id)
            .field("age", &self.created.elapsed())
            .finish()
    }
}

/// What `engine.pool_status()` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolStatus {
    /// The pool's kind.
    pub kind: &'static str,
    /// `pool_size` (QueuePool and SingletonThreadPool; 0 when it is no limit), 1 for the
    /// StaticPool, 0 for the NullPool.
    pub size: usize,
    /// Idle connections in the pool.
    pub checked_in: usize,
    /// Connections handed out.
    pub checked_out: usize,
    /// Open connections beyond `pool_size` (negative while below it; 0 when `pool_size` is
    /// no limit), as SQLAlchemy counts.
    pub overflow: isize,
    /// Callers waiting for a connection.
    pub waiting: usize,
}

impl fmt::Display for PoolStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: Pool size: {}  Connections in pool: {} Current Overflow: {} Current Checked out connections: {} Waiting: {}",
            self.kind, self.size, self.checked_in, self.overflow, self.checked_out, self.waiting
        )
    }
}

/// The policy side of a pool; the shared mechanics live in [`Factory`].
pub(crate) trait Pool: Send + Sync {
    /// A connection for the caller.
    fn checkout(&self) -> Result<PoolRecord>;
    /// A connection coming back, already reset (see [`return_connection`]).
    fn checkin(&self, record: PoolRecord);
    /// A connection that must never be used again (invalidated or failed to reset).
    fn discard(&self, record: PoolRecord);
    /// The counts.
    fn status(&self) -> PoolStatus;
    /// Closes every idle connection; connections checked out are closed when they return.
    fn dispose(&self);
    /// The factory.
    fn factory(&self) -> &Factory;
}

/// A connection of `pool` for the sync engine, the pool's metrics updated.
pub(crate) fn check_out(pool: &dyn Pool) -> Result<PoolRecord> {
    let mut record = pool.checkout()?;
    record.lent = PoolInstruments::now();
    publish(pool);
    Ok(record)
}

/// Publishes `pool`'s counts to its metrics.
fn publish(pool: &dyn Pool) {
    let factory = pool.factory();
    factory
        .instruments
        .status(|| pool.status(), &factory.options);
}

/// Gives a connection back to `pool`: resets it (rollback or commit, then the `reset` and
/// `checkin` hooks) and checks it in, or discards it when the reset fails. A hook that panics
/// discards it too, so its place in the pool is never lost, and the panic goes on (while the
/// thread is already unwinding, where a second panic would abort, it is logged instead).
pub(crate) fn return_connection(pool: &dyn Pool, mut record: PoolRecord) {
    let factory = pool.factory();
    factory.instruments.used(record.lent.take());
    let _published = Published(pool);
    let reset = panic::catch_unwind(AssertUnwindSafe(|| factory.reset(&mut record)));
    match reset {
        Ok(Ok(())) => pool.checkin(record),
        Ok(Err(e)) => {
            tracing::warn!(target: "sqlcore.pool", id = record.id, error = %e, "reset on return failed; discarding the connection");
            pool.discard(record);
        }
        Err(payload) => {
            tracing::error!(target: "sqlcore.pool", id = record.id, "a reset or checkin hook panicked; discarding the connection");
            pool.discard(record);
            if !std::thread::panicking() {
                panic::resume_unwind(payload);
            }
        }
    }
}

/// Publishes the pool's counts as it goes (the connection returned, or discarded).
struct Published<'a>(&'a dyn Pool);

impl Drop for Published<'_> {
    fn drop(&mut self) {
        publish(self.0);
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Opens, checks, resets and closes connections for a pool, firing the events.
pub(crate) struct Factory {
    driver: Arc<dyn Driver>,
    pub options: PoolOptions,
    pub events: PoolEvents,
    /// The pool's name, span of a checkout that waits, and metrics.
    pub instruments: PoolInstruments,
    /// Connections from an older generation are closed instead of reused (dispose and
    /// pool-wide invalidation bump it).
    generation: AtomicU64,
}

impl Factory {
    /// The deadline of a checkout starting now (`None`: wait without limit).
    pub fn deadline(&self) -> Option<Instant> {
        Instant::now().checked_add(self.options.timeout)
    }

    /// A factory of `driver`'s connections for the pool called `name`.
    pub fn new(
        driver: Arc<dyn Driver>,
        options: PoolOptions,
        events: PoolEvents,
        name: Arc<str>,
    ) -> Self {
        Factory {
            instruments: PoolInstruments::new(name, driver.dialect().name()),
            driver,
            options,
            events,
            generation: AtomicU64::new(0),
        }
    }

    /// Opens a connection and fires `connect`; a failing hook closes it again.
    pub fn open(&self) -> Result<PoolRecord> {
        let since = PoolInstruments::now();
        let conn = self.driver.connect()?;
        self.instruments.created(since);
        self.connect_hooks(self.record(conn))
    }

    /// Starts opening a connection driven natively on the caller's runtime, when the driver
    /// has such connections (see [`Driver::connect_async`]).
    #[cfg(feature = "async")]
    pub fn connect_async(
        &self,
    ) -> Option<futures_util::future::BoxFuture<'static, Result<Box<dyn DriverConnection>>>> {
        self.driver.connect_async()
    }

    /// The pool's record of a connection just opened.
    pub fn record(&self, conn: Box<dyn DriverConnection>) -> PoolRecord {
        PoolRecord {
            conn,
            created: Instant::now(),
            generation: self.generation.load(Ordering::Acquire),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            lent: None,
        }
    }

    /// Fires `connect` on a connection just opened; a failing hook closes it again.
    pub fn connect_hooks(&self, mut record: PoolRecord) -> Result<PoolRecord> {
        for hook in &self.events.connect {
            if let Err(e) = hook(&mut *record.conn) {
                self.invalidate(record);
                return Err(e);
            }
        }
        Ok(record)
    }

    /// Opens a connection and fires `connect` and `checkout`.
    pub fn open_for_checkout(&self) -> Result<PoolRecord> {
        self.checkout_hooks(self.open()?)
    }

    /// Fires `close` and drops the connection.
    pub fn close(&self, mut record: PoolRecord) {
        self.close_hooks(&mut record, false);
    }

    /// Fires `invalidate`, then closes.
    pub fn invalidate(&self, mut record: PoolRecord) {
        self.close_hooks(&mut record, true);
    }

    /// Fires `invalidate` (when `invalidated`) and `close` on a connection about to close.
    pub fn close_hooks(&self, record: &mut PoolRecord, invalidated: bool) {
        if invalidated {
            for hook in &self.events.invalidate {
                let _ = hook(&mut *record.conn);
            }
        }
        for hook in &self.events.close {
            // A failing close hook cannot stop the close.
            let _ = hook(&mut *record.conn);
        }
        tracing::debug!(target: "sqlcore.pool", id = record.id, "closing connection");
    }

    /// Whether the connection may still be handed out: current generation and not too old.
    pub fn is_fresh(&self, record: &PoolRecord) -> bool {
        self.is_fresh_since(record.created, record.generation)
    }

    /// Whether a connection opened at `created` in `generation` may still be handed out.
    pub fn is_fresh_since(&self, created: Instant, generation: u64) -> bool {
        generation == self.generation.load(Ordering::Acquire)
            && self
                .options
                .recycle
                .is_none_or(|age| created.elapsed() < age)
    }

    #[cfg(feature = "async")]
    /// Whether [`Factory::prepare_checkout`] hands a fresh connection out as it is (no
    /// pre-ping, no `checkout` hooks): a pool may then skip it.
    pub fn checkout_is_noop(&self) -> bool {
        !self.options.pre_ping && self.events.checkout.is_empty()
    }

    /// Makes an idle connection ready to hand out: replaces it when stale or (with pre-ping)
    /// dead, then fires `checkout`. Runs without the pool's lock.
    pub fn prepare_checkout(&self, record: PoolRecord) -> Result<PoolRecord> {
        let record = if !self.is_fresh(&record) {
            self.close(record);
            self.open()?
        } else if self.options.pre_ping {
            let mut record = record;
            match record.conn.ping() {
                Ok(()) => record,
                Err(e) => {
                    tracing::info!(target: "sqlcore.pool", id = record.id, error = %e, "pre-ping failed; replacing the connection");
                    self.invalidate(record);
                    self.open()?
                }
            }
        } else {
            record
        };
        self.checkout_hooks(record)
    }

    /// Fires `checkout`; a failing hook invalidates the connection.
    #[inline]
    pub fn checkout_hooks(&self, record: PoolRecord) -> Result<PoolRecord> {
        // Each checkout comes here, mostly with no hook: the record handed on as it is.
        if self.events.checkout.is_empty() {
            return Ok(record);
        }
        self.fire_checkout(record)
    }

    /// Fires each `checkout` hook; the first that fails invalidates the connection.
    fn fire_checkout(&self, mut record: PoolRecord) -> Result<PoolRecord> {
        for hook in &self.events.checkout {
            if let Err(e) = hook(&mut *record.conn) {
                self.invalidate(record);
                return Err(e);
            }
        }
        Ok(record)
    }

    /// Resets a returned connection (rollback or commit of an open transaction, as
    /// configured; no round trip when none is open) and fires `reset` and `checkin`.
    /// An error means the connection must be discarded.
    pub fn reset(&self, record: &mut PoolRecord) -> Result<()> {
        record.conn.release()?;
        if record.conn.in_transaction() {
            match self.options.reset_on_return {
                ResetOnReturn::Rollback => record.conn.rollback_on_checkin()?,
                ResetOnReturn::Commit => record.conn.commit()?,
                ResetOnReturn::None => {}
            }
        }
        for hook in &self.events.reset {
            hook(&mut *record.conn)?;
        }
        for hook in &self.events.checkin {
            hook(&mut *record.conn)?;
        }
        Ok(())
    }

    /// Marks every connection opened so far as stale.
    pub fn bump_generation(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}
