//! [`QueuePool`]: a bounded pool with overflow, fair waiting and FIFO or LIFO reuse.

use super::{Factory, Pool, PoolRecord, PoolStatus};
use crate::error::{Error, Result};
use parking_lot::{Condvar, Mutex};
use std::collections::VecDeque;
use std::sync::Arc;

/// What a waiting caller is handed: a connection, or the right to open one.
enum Handoff {
    Conn(PoolRecord),
    Permit,
}

/// One caller waiting for a connection; served in arrival order.
struct Waiter {
    slot: Mutex<Option<Handoff>>,
    ready: Condvar,
}

impl Waiter {
    fn give(&self, handoff: Handoff) {
        *self.slot.lock() = Some(handoff);
        self.ready.notify_one();
    }
}

struct State {
    idle: VecDeque<PoolRecord>,
    /// Connections open or being opened, checked out or idle.
    open: usize,
    waiters: VecDeque<Arc<Waiter>>,
}

/// At most `pool_size + max_overflow` connections; idle ones beyond `pool_size` are closed on
/// checkin. A caller who finds none waits up to `pool_timeout`; waiting callers are served in
/// arrival order, each handed the next returned connection (or a free slot) directly.
///
/// As SQLAlchemy's: `pool_size` 0 is no limit at all (every checkout gets a connection, every
/// returned one is kept, `max_overflow` does not apply), and a `max_overflow` of `usize::MAX`
/// (SQLAlchemy's -1) puts no limit on the connections opened beyond `pool_size`.
pub(crate) struct QueuePool {
    factory: Factory,
    state: Mutex<State>,
}

impl QueuePool {
    pub fn new(factory: Factory) -> Self {
        QueuePool {
            factory,
            state: Mutex::new(State {
                idle: VecDeque::new(),
                open: 0,
                waiters: VecDeque::new(),
            }),
        }
    }

    /// How many connections may be open at once.
    fn max(&self) -> usize {
        let o = &self.factory.options;
        if o.pool_size == 0 {
            return usize::MAX;
        }
        o.pool_size.saturating_add(o.max_overflow)
    }

    /// Whether a returned connection is kept when `idle` are in the pool already.
    fn keeps(&self, idle: usize) -> bool {
        let size = self.factory.options.pool_size;
        size == 0 || idle < size
    }

    fn timeout_error(&self) -> Error {
        let o = &self.factory.options;
        Error::Timeout {
            pool_size: o.pool_size,
            max_overflow: o.max_overflow,
            timeout_secs: o.timeout.as_secs_f64(),
        }
    }

    /// Gives up a slot: to the first waiter as a permit to open a connection, or back to the
    /// pool.
    fn release_slot(&self) {
        let mut st = self.state.lock();
        match st.waiters.pop_front() {
            // Handed over under the state lock, so a waiter that times out sees it.
            Some(w) => w.give(Handoff::Permit),
            None => st.open -= 1,
        }
    }

    /// Opens a connection in a slot already counted.
    fn open_in_slot(&self) -> Result<PoolRecord> {
        let slot = SlotGuard(Some(self));
        slot.keep(self.factory.open_for_checkout())
    }

    fn hand_out(&self, record: PoolRecord) -> Result<PoolRecord> {
        let slot = SlotGuard(Some(self));
        slot.keep(self.factory.prepare_checkout(record))
    }

    fn take(&self, handoff: Handoff) -> Result<PoolRecord> {
        match handoff {
            Handoff::Conn(record) => self.hand_out(record),
            Handoff::Permit => self.open_in_slot(),
        }
    }
}

/// A counted slot that goes back to the pool unless the connection in it is kept — also
/// when opening it panics.
struct SlotGuard<'a>(Option<&'a QueuePool>);

impl SlotGuard<'_> {
    fn keep(mut self, opened: Result<PoolRecord>) -> Result<PoolRecord> {
        if opened.is_ok() {
            self.0 = None;
        }
        opened
    }
}

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        if let Some(pool) = self.0 {
            pool.release_slot();
        }
    }
}

impl Pool for QueuePool {
    fn checkout(&self) -> Result<PoolRecord> {
        let deadline = self.factory.deadline();
        let waiter = {
            let mut st = self.state.lock();
            if st.waiters.is_empty() {
                let idle = if self.factory.options.use_lifo {
                    st.idle.pop_back()
                } else {
                    st.idle.pop_front()
                };
                if let Some(record) = idle {
                    drop(st);
                    return self.hand_out(record);
                }
                if st.open < self.max() {
                    st.open += 1;
                    drop(st);
                    return self.open_in_slot();
                }
            }
            let waiter = Arc::new(Waiter {
                slot: Mutex::new(None),
                ready: Condvar::new(),
            });
            st.waiters.push_back(waiter.clone());
            waiter
        };
        {
            let mut slot = waiter.slot.lock();
            while slot.is_none() {
                match deadline {
                    Some(deadline) => {
                        if waiter.ready.wait_until(&mut slot, deadline).timed_out() {
                            break;
                        }
                    }
                    None => waiter.ready.wait(&mut slot),
                }
            }
            if let Some(handoff) = slot.take() {
                drop(slot);
                return self.take(handoff);
            }
        }
        // Timed out: leave the queue, unless a handoff arrived in the meantime.
        let mut st = self.state.lock();
        if let Some(pos) = st.waiters.iter().position(|w| Arc::ptr_eq(w, &waiter)) {
            st.waiters.remove(pos);
            return Err(self.timeout_error());
        }
        drop(st);
        let handoff = waiter.slot.lock().take();
        match handoff {
            Some(handoff) => self.take(handoff),
            None => Err(self.timeout_error()),
        }
    }

    fn checkin(&self, record: PoolRecord) {
        if !self.factory.is_fresh(&record) {
            self.factory.close(record);
            return self.release_slot();
        }
        let mut st = self.state.lock();
        if let Some(w) = st.waiters.pop_front() {
            w.give(Handoff::Conn(record));
        } else if self.keeps(st.idle.len()) {
            st.idle.push_back(record);
        } else {
            st.open -= 1;
            drop(st);
            self.factory.close(record);
        }
    }

    fn discard(&self, record: PoolRecord) {
        self.factory.invalidate(record);
        self.release_slot();
    }

    fn status(&self) -> PoolStatus {
        let st = self.state.lock();
        let size = self.factory.options.pool_size;
        // As SQLAlchemy counts: no overflow where the size has no limit.
        let overflow = if size == 0 {
            0
        } else {
            let beyond = st.open as i128 - size as i128;
            beyond.clamp(isize::MIN as i128, isize::MAX as i128) as isize
        };
        PoolStatus {
            kind: "QueuePool",
            size,
            checked_in: st.idle.len(),
            checked_out: st.open - st.idle.len(),
            overflow,
            waiting: st.waiters.len(),
        }
    }

    fn dispose(&self) {
        self.factory.bump_generation();
        let idle: Vec<PoolRecord> = {
            let mut st = self.state.lock();
            let idle: Vec<_> = st.idle.drain(..).collect();
            st.open -= idle.len();
            idle
        };
        for record in idle {
            self.factory.close(record);
        }
    }

    fn factory(&self) -> &Factory {
        &self.factory
    }
}
