//! A streamed PostgreSQL result: a server-side cursor fetched a chunk at a time, the next
//! FETCH sent while the current chunk is read.

use super::pg_decode::driver_row;
use super::pg_ops::{self, Fetch};
use super::postgres::Shared;
use super::{DriverRow, RowCursor};
use crate::error::{Error, Result};
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;

/// A server-side cursor, fetched `chunk` rows at a time, each FETCH sent as the previous
/// one's rows arrive (so at most two chunks are held).
pub(super) struct Cursor {
    pub(super) shared: Arc<Mutex<Shared>>,
    pub(super) id: u64,
    pub(super) name: String,
    pub(super) fetch: Fetch,
    pub(super) chunk: usize,
    pub(super) tx_epoch: u64,
    pub(super) checkout_epoch: u64,
    pub(super) hold: bool,
    /// Rows are kept as they arrived (the driver's `decodes_lazily`).
    pub(super) lazy: bool,
    pub(super) done: bool,
}

impl Cursor {
    /// Whether the cursor still exists for this result on this checkout of the connection.
    fn alive(&self, shared: &Shared) -> bool {
        shared.checkout_epoch == self.checkout_epoch
            && (self.hold || shared.tx_epoch == self.tx_epoch)
    }
}

impl RowCursor for Cursor {
    fn fetch(&mut self, buffer: &mut VecDeque<DriverRow>) -> Result<()> {
        if self.done {
            return Ok(());
        }
        let mut shared = self.shared.lock();
        if !self.alive(&shared) {
            self.done = true;
            return Err(Error::ResourceClosed(
                "the transaction or connection of this streamed result has ended".into(),
            ));
        }
        let rows = match shared.fetched(self.id) {
            Some(rows) => rows?,
            None => shared.run(async |c| pg_ops::fetch(c, &self.fetch).await)?,
        };
        if rows.len() < self.chunk {
            self.done = true;
        } else {
            shared.send_fetch(self.id, &self.fetch);
        }
        drop(shared);
        for row in rows {
            buffer.push_back(driver_row(row, self.lazy)?);
        }
        Ok(())
    }
}

impl Drop for Cursor {
    fn drop(&mut self) {
        let mut shared = self.shared.lock();
        shared.session.forget(self.id);
        shared.note(false);
        if !self.alive(&shared) {
            return;
        }
        if self.hold {
            shared.hold_cursors = shared.hold_cursors.saturating_sub(1);
        }
        let close = format!("CLOSE {}", self.name);
        // A failure inside a transaction marks it aborted.
        let _ = shared.run(async |c| c.batch_execute(&close).await);
    }
}
