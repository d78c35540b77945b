//! What the native async connections (PostgreSQL's, MySQL's) share for their blocking side:
//! the sync code the async engine runs off the runtime's workers (pool hooks, `run_sync`)
//! waits for their async calls.

use super::{AsyncRowCursor, DriverRow, RowCursor};
use crate::error::Result;
use std::collections::VecDeque;
use std::future::poll_fn;
use tokio::runtime::{Handle, RuntimeFlavor};

/// Waits for `future` on `handle`'s runtime: how a native connection's blocking side (pool
/// hooks, `run_sync`, on a blocking thread) runs its async calls. On a multi-thread runtime's
/// worker it leaves the worker's other tasks to other workers.
pub(crate) fn block_on<F: Future>(handle: &Handle, future: F) -> F::Output {
    match Handle::try_current() {
        Ok(current) if current.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| handle.block_on(future))
        }
        _ => handle.block_on(future),
    }
}

/// A streamed result's native cursor, fetched `chunk` rows at a time by waiting for it (see
/// [`block_on`]).
pub(crate) struct BlockingCursor {
    pub cursor: Box<dyn AsyncRowCursor>,
    pub handle: Handle,
    pub chunk: usize,
}

impl RowCursor for BlockingCursor {
    fn fetch(&mut self, rows: &mut VecDeque<DriverRow>) -> Result<()> {
        let (cursor, chunk) = (&mut self.cursor, self.chunk);
        block_on(
            &self.handle,
            poll_fn(|cx| cursor.poll_fetch(cx, chunk, rows)),
        )
    }
}
