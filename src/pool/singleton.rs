//! [`SingletonThreadPool`]: one connection per thread.

use super::{Factory, Pool, PoolRecord, PoolStatus};
use crate::error::Result;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::ThreadId;

/// Each thread reuses its own connection. Connections of at most `pool_size` threads are
/// kept (of every thread when `pool_size` is 0); a thread that checks out a second connection
/// while holding its first gets an extra one, closed when it comes back.
pub(crate) struct SingletonThreadPool {
    factory: Factory,
    idle: Mutex<HashMap<ThreadId, PoolRecord>>,
    checked_out: AtomicUsize,
}

impl SingletonThreadPool {
    pub fn new(factory: Factory) -> Self {
        SingletonThreadPool {
            factory,
            idle: Mutex::new(HashMap::new()),
            checked_out: AtomicUsize::new(0),
        }
    }
}

impl Pool for SingletonThreadPool {
    fn checkout(&self) -> Result<PoolRecord> {
        let mine = self.idle.lock().remove(&std::thread::current().id());
        let record = match mine {
            Some(record) => self.factory.prepare_checkout(record)?,
            None => self.factory.open_for_checkout()?,
        };
        self.checked_out.fetch_add(1, Ordering::AcqRel);
        Ok(record)
    }

    fn checkin(&self, record: PoolRecord) {
        self.checked_out.fetch_sub(1, Ordering::AcqRel);
        if !self.factory.is_fresh(&record) {
            return self.factory.close(record);
        }
        let me = std::thread::current().id();
        let mut to_close = Vec::new();
        {
            let mut idle = self.idle.lock();
            if idle.contains_key(&me) {
                to_close.push(record);
            } else {
                let size = self.factory.options.pool_size;
                while size != 0 && idle.len() >= size {
                    let Some(other) = idle.keys().next().copied() else {
                        break;
                    };
                    to_close.extend(idle.remove(&other));
                }
                idle.insert(me, record);
            }
        }
        for record in to_close {
            self.factory.close(record);
        }
    }

    fn discard(&self, record: PoolRecord) {
        self.checked_out.fetch_sub(1, Ordering::AcqRel);
        self.factory.invalidate(record);
    }

    fn status(&self) -> PoolStatus {
        let idle = self.idle.lock().len();
        PoolStatus {
            kind: "SingletonThreadPool",
            size: self.factory.options.pool_size,
            checked_in: idle,
            checked_out: self.checked_out.load(Ordering::Acquire),
            overflow: 0,
            waiting: 0,
        }
    }

    fn dispose(&self) {
        self.factory.bump_generation();
        let all: Vec<PoolRecord> = self.idle.lock().drain().map(|(_, r)| r).collect();
        for record in all {
            self.factory.close(record);
        }
    }

    fn factory(&self) -> &Factory {
        &self.factory
    }
}
