//! [`NullPool`]: no pooling — a connection per checkout, closed at checkin.

use super::{Factory, Pool, PoolRecord, PoolStatus};
use crate::error::Result;
use std::sync::atomic::{AtomicUsize, Ordering};

pub(crate) struct NullPool {
    factory: Factory,
    checked_out: AtomicUsize,
}

impl NullPool {
    pub fn new(factory: Factory) -> Self {
        NullPool {
            factory,
            checked_out: AtomicUsize::new(0),
        }
    }
}

impl Pool for NullPool {
    fn checkout(&self) -> Result<PoolRecord> {
        let record = self.factory.open_for_checkout()?;
        self.checked_out.fetch_add(1, Ordering::AcqRel);
        Ok(record)
    }

    fn checkin(&self, record: PoolRecord) {
        self.checked_out.fetch_sub(1, Ordering::AcqRel);
        self.factory.close(record);
    }

    fn discard(&self, record: PoolRecord) {
        self.checked_out.fetch_sub(1, Ordering::AcqRel);
        self.factory.invalidate(record);
    }

    fn status(&self) -> PoolStatus {
        PoolStatus {
            kind: "NullPool",
            size: 0,
            checked_in: 0,
            checked_out: self.checked_out.load(Ordering::Acquire),
            overflow: 0,
            waiting: 0,
        }
    }

    fn dispose(&self) {}

    fn factory(&self) -> &Factory {
        &self.factory
    }
}
