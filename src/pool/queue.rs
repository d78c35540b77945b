//! [`QueuePool`]: a bounded pool with overflow, fair waiting and FIFO or LIFO reuse.

use super::{Factory, Pool, PoolRecord, PoolStatus};
use crate::error::{Error, Result};
use parking_lot::{Condvar, Mutex};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

/// What a waiting caller is handed: a connection, the right to open one, or a wake-up to take
/// an idle one (which a thread asking meanwhile may have taken first).
enum Handoff {
    Conn(PoolRecord),
    Permit,
    Retry,
}

/// One caller waiting for a connection; served in arrival order. Each thread has one, reused
/// from wait to wait (a thread waits in one pool at a time).
#[derive(Default)]
struct Waiter {
    slot: Mutex<Option<Handoff>>,
    ready: Condvar,
}

thread_local! {
    static WAITER: Arc<Waiter> = Arc::default();
}

/// A waiter in the queue, and since when it waits.
struct Queued {
    waiter: Arc<Waiter>,
    since: Instant,
}

/// The waiters to wake once the pool's lock is released (woken outside it, so a woken thread
/// does not block on it at once).
#[must_use]
struct Wakes([Option<Arc<Waiter>>; 2]);

impl Wakes {
    fn notify(self) {
        // Each checkin comes here, mostly with nobody to wake: no iterator over the pair.
        let [first, second] = self.0;
        if let Some(waiter) = first {
            waiter.ready.notify_one();
        }
        if let Some(waiter) = second {
            waiter.ready.notify_one();
        }
    }
}

struct State {
    idle: VecDeque<PoolRecord>,
    /// Connections open or being opened, checked out or idle.
    open: usize,
    waiters: VecDeque<Queued>,
}

impl State {
    /// Wakes the longest waiter to take an idle connection, unless it has something to wake
    /// up to already.
    fn wake_head(&mut self) -> Option<Arc<Waiter>> {
        if self.idle.is_empty() {
            return None;
        }
        let head = &self.waiters.front()?.waiter;
        let mut slot = head.slot.lock();
        if slot.is_some() {
            return None;
        }
        *slot = Some(Handoff::Retry);
        Some(head.clone())
    }

    /// Hands `handoff` to `head`, just taken off the queue (a wake-up to retry left for it
    /// is replaced), and wakes the next waiter to take an idle connection `head` was woken
    /// for.
    fn hand_to(&mut self, head: Queued, handoff: Handoff) -> Wakes {
        *head.waiter.slot.lock() = Some(handoff);
        Wakes([Some(head.waiter), self.wake_head()])
    }
}

/// At most `pool_size + max_overflow` connections; idle ones beyond `pool_size` are closed on
/// checkin. A caller who finds none waits up to `pool_timeout`; waiting callers are served in
/// arrival order: a returned connection wakes the longest waiter to take it (a caller asking
/// meanwhile may take it first), and once that waiter has waited `handoff_after` it is handed
/// the next returned connection directly (at once when `handoff_after` is zero). A free slot
/// is always handed over directly.
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
        // Handed over under the state lock, so a waiter that times out sees it.
        match st.waiters.pop_front() {
            Some(head) => {
                let wakes = st.hand_to(head, Handoff::Permit);
                drop(st);
                wakes.notify();
            }
            None => st.open -= 1,
        }
    }

    fn pop_idle(&self, st: &mut State) -> Option<PoolRecord> {
        if self.factory.options.use_lifo {
            st.idle.pop_back()
        } else {
            st.idle.pop_front()
        }
    }

    /// Whether the longest waiter is due to be handed the next returned connection.
    fn handoff_due(&self, st: &State) -> bool {
        let after = self.factory.options.handoff_after;
        st.waiters
            .front()
            .is_some_and(|head| after.is_zero() || head.since.elapsed() >= after)
    }

    /// After a wake-up to retry (`retry`) or a timeout: takes an idle connection and leaves
    /// the queue, or leaves it on a timeout, or takes what was handed over meanwhile. `None`:
    /// overtaken, still queued in place, waits again.
    fn resume(&self, waiter: &Arc<Waiter>, retry: bool) -> Option<Result<PoolRecord>> {
        let mut st = self.state.lock();
        let Some(pos) = st
            .waiters
            .iter()
            .position(|q| Arc::ptr_eq(&q.waiter, waiter))
        else {
            drop(st);
            // Handed a connection or a slot since; under the state lock, so it is there.
            let handoff = waiter.slot.lock().take();
            return Some(match handoff {
                Some(handoff) => self.take(handoff),
                None => Err(self.timeout_error()),
            });
        };
        // Even on a timeout, a connection idle by now is taken.
        let record = self.pop_idle(&mut st);
        if retry && record.is_none() {
            return None;
        }
        st.waiters.remove(pos);
        // A wake-up left for it since it woke is passed on.
        *waiter.slot.lock() = None;
        let wake = st.wake_head();
        drop(st);
        Wakes([wake, None]).notify();
        Some(match record {
            Some(record) => self.hand_out(record),
            None => Err(self.timeout_error()),
        })
    }

    /// Waits for a connection, queued as `waiter`, until `deadline`.
    fn wait(&self, waiter: &Arc<Waiter>, deadline: Option<Instant>) -> Result<PoolRecord> {
        loop {
            let handoff = {
                let mut slot = waiter.slot.lock();
                loop {
                    if let Some(handoff) = slot.take() {
                        break Some(handoff);
                    }
                    match deadline {
                        Some(deadline) => {
                            if waiter.ready.wait_until(&mut slot, deadline).timed_out() {
                                break slot.take();
                            }
                        }
                        None => waiter.ready.wait(&mut slot),
                    }
                }
            };
            let resumed = match handoff {
                Some(Handoff::Retry) => self.resume(waiter, true),
                Some(handoff) => return self.take(handoff),
                None => self.resume(waiter, false),
            };
            if let Some(result) = resumed {
                return result;
            }
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
            // Never: a wake-up is only left for a waiter still queued.
            Handoff::Retry => Err(self.timeout_error()),
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
        let mut st = self.state.lock();
        if let Some(record) = self.pop_idle(&mut st) {
            drop(st);
            return self.hand_out(record);
        }
        if st.waiters.is_empty() && st.open < self.max() {
            st.open += 1;
            drop(st);
            return self.open_in_slot();
        }
        let since = Instant::now();
        let deadline = since.checked_add(self.factory.options.timeout);
        let waiter = WAITER
            .try_with(Arc::clone)
            .unwrap_or_else(|_| Arc::default());
        st.waiters.push_back(Queued {
            waiter: waiter.clone(),
            since,
        });
        drop(st);
        let status = || self.status();
        let waiting = self
            .factory
            .instruments
            .waiting(&status, &self.factory.options);
        let checked_out = self.wait(&waiter, deadline);
        waiting.done(&checked_out);
        checked_out
    }
    fn checkin(&self, record: PoolRecord) {
        if !self.factory.is_fresh(&record) {
            self.factory.close(record);
            return self.release_slot();
        }
        let mut st = self.state.lock();
        // A waiter takes it directly when due, or when the pool would not keep it.
        let head = if self.handoff_due(&st) || !self.keeps(st.idle.len()) {
            st.waiters.pop_front()
        } else {
            None
        };
        let wakes = if let Some(head) = head {
            st.hand_to(head, Handoff::Conn(record))
        } else if !st.waiters.is_empty() || self.keeps(st.idle.len()) {
            st.idle.push_back(record);
            Wakes([st.wake_head(), None])
        } else {
            st.open -= 1;
            drop(st);
            return self.factory.close(record);
        };
        drop(st);
        wakes.notify();
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
        let idle: Vec<PoolRecord> = self.state.lock().idle.drain(..).collect();
        // Each slot freed goes to a waiter (one may be queued beside an idle connection it
        // was woken for) or back to the pool.
        for record in idle {
            self.factory.close(record);
            self.release_slot();
        }
    }

    fn factory(&self) -> &Factory {
        &self.factory
    }
}
