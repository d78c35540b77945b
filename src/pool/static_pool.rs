//! [`StaticPool`]: one connection serving every checkout, one at a time.

use super::{Factory, Pool, PoolRecord, PoolStatus};
use crate::error::{Error, Result};
use parking_lot::{Condvar, Mutex};
use std::thread::ThreadId;

struct State {
    conn: Option<PoolRecord>,
    /// The thread holding the connection, if it is checked out.
    holder: Option<ThreadId>,
}

/// The whole engine shares one connection (so a SQLite `:memory:` database is one database).
/// A second checkout waits until the first is returned, up to `pool_timeout`; a second
/// checkout from the thread already holding it is an error rather than a deadlock.
pub(crate) struct StaticPool {
    factory: Factory,
    state: Mutex<State>,
    returned: Condvar,
}

impl StaticPool {
    pub fn new(factory: Factory) -> Self {
        StaticPool {
            factory,
            state: Mutex::new(State {
                conn: None,
                holder: None,
            }),
            returned: Condvar::new(),
        }
    }

    fn give_back(&self, record: Option<PoolRecord>) {
        let mut st = self.state.lock();
        st.conn = record;
        st.holder = None;
        self.returned.notify_one();
    }
}

/// Gives the StaticPool back (without a connection) unless disarmed.
struct HolderGuard<'a>(Option<&'a StaticPool>);

impl Drop for HolderGuard<'_> {
    fn drop(&mut self) {
        if let Some(pool) = self.0 {
            pool.give_back(None);
        }
    }
}

impl Pool for StaticPool {
    fn checkout(&self) -> Result<PoolRecord> {
        let me = std::thread::current().id();
        let deadline = self.factory.deadline();
        let existing = {
            let mut st = self.state.lock();
            while let Some(holder) = st.holder {
                if holder == me {
                    return Err(Error::InvalidRequest(
                        "this thread already holds the StaticPool's only connection; use that Connection, or another pool class".into(),
                    ));
                }
                let timed_out = match deadline {
                    Some(deadline) => self.returned.wait_until(&mut st, deadline).timed_out(),
                    None => {
                        self.returned.wait(&mut st);
                        false
                    }
                };
                if timed_out && st.holder.is_some() {
                    return Err(Error::Timeout {
                        pool_size: 1,
                        max_overflow: 0,
                        timeout_secs: self.factory.options.timeout.as_secs_f64(),
                    });
                }
            }
            st.holder = Some(me);
            st.conn.take()
        };
        // Released also if opening panics.
        let mut held = HolderGuard(Some(self));
        let prepared = match existing {
            Some(record) => self.factory.prepare_checkout(record),
            None => self.factory.open_for_checkout(),
        };
        if prepared.is_ok() {
            held.0 = None;
        }
        prepared
    }

    fn checkin(&self, record: PoolRecord) {
        if !self.factory.is_fresh(&record) {
            self.factory.close(record);
            return self.give_back(None);
        }
        self.give_back(Some(record));
    }

    fn discard(&self, record: PoolRecord) {
        self.factory.invalidate(record);
        self.give_back(None);
    }

    fn status(&self) -> PoolStatus {
        let st = self.state.lock();
        PoolStatus {
            kind: "StaticPool",
            size: 1,
            checked_in: usize::from(st.conn.is_some()),
            checked_out: usize::from(st.holder.is_some()),
            overflow: 0,
            waiting: 0,
        }
    }

    fn dispose(&self) {
        self.factory.bump_generation();
        let idle = self.state.lock().conn.take();
        if let Some(record) = idle {
            self.factory.close(record);
        }
    }

    fn factory(&self) -> &Factory {
        &self.factory
    }
}
