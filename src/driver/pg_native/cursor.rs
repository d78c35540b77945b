//! A streamed result of the native connection run as sync code (see `blocking`), whose
//! connection may run other statements while the result is open: a server-side cursor fetched
//! a chunk at a time, the next FETCH sent (and its rows read by a task of their own) as the
//! previous chunk's rows arrive, so the server runs it while they are read (at most two chunks
//! held). A cursor dropped with a FETCH on its way, or still open, leaves both to its
//! connection, which finishes them before its next call. (The async engine's streams, which
//! hold their connection, read a portal instead: see `portal`.)

use super::super::pg_decode::driver_row;
use super::super::pg_error::fail;
use super::super::pg_ops::{self, Fetch};
use super::super::{AsyncRowCursor, DriverRow, FetchChunk};
use super::{ConnState, tracked};
use crate::error::{DbError, DbErrorKind, Error, Result};
use futures_util::future::BoxFuture;
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use tokio::task::JoinHandle;
use tokio_postgres::{Client, Row};

/// The rows of a FETCH on their way.
pub(crate) type Fetching = Pin<Box<dyn Future<Output = Result<Vec<Row>>> + Send>>;

/// Sends `fetch`, read by a task of its own (which drives the connection meanwhile): its rows
/// arrive while the caller reads the previous chunk's. Dropping the future stops the task (the
/// connection discards what is left of the answer).
pub(super) fn send_fetch(client: Arc<Client>, state: Arc<ConnState>, fetch: Fetch) -> Fetching {
    let reader = tokio::spawn(async move {
        let rows = state.driver.run(pg_ops::fetch(&client, &fetch)).await;
        rows.map_err(fail)
    });
    let mut reader = AbortOnDrop(reader);
    Box::pin(async move {
        match (&mut reader.0).await {
            Ok(rows) => rows,
            Err(e) => Err(Error::Db(DbError::new(
                DbErrorKind::Interface,
                format!("reading a chunk of a streamed result failed: {e}"),
            ))),
        }
    })
}

/// A task aborted when dropped.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What a dropped streamed result left for its connection to finish.
pub(crate) enum Pending {
    /// A declared cursor: its FETCH sent ahead, the cursor to close.
    Cursor(PendingCursor),
    /// A portal's rows not read yet (see `portal`).
    Portal(super::portal::Rest),
}

/// What a dropped declared cursor left.
pub(crate) struct PendingCursor {
    pub(super) ahead: Option<Fetching>,
    pub(super) name: String,
    pub(super) hold: bool,
    pub(super) tx_epoch: u64,
    pub(super) checkout_epoch: u64,
}

/// A cursor just declared.
pub(super) struct Open {
    pub client: Arc<Client>,
    pub state: Arc<ConnState>,
    pub name: String,
    pub fetch: Fetch,
    pub chunk: usize,
    pub tx_epoch: u64,
    pub checkout_epoch: u64,
    pub hold: bool,
    /// Rows are kept as they arrived (the driver's `decodes_lazily`).
    pub lazy: bool,
    /// Declared inside a transaction (a failed FETCH aborts it).
    pub in_tx: bool,
    pub ahead: Option<Fetching>,
}

/// See the module's documentation.
pub(super) struct NativeCursor {
    open: Arc<Mutex<Cursor>>,
}

struct Cursor {
    open: Open,
    done: bool,
}

impl NativeCursor {
    pub fn new(open: Open) -> Self {
        NativeCursor {
            open: Arc::new(Mutex::new(Cursor { open, done: false })),
        }
    }
}

impl Cursor {
    /// Whether the cursor still exists for this result on this checkout of the connection.
    fn alive(&self) -> bool {
        let o = &self.open;
        o.state.checkout_epoch.load(Ordering::Acquire) == o.checkout_epoch
            && (o.hold || o.state.tx_epoch.load(Ordering::Acquire) == o.tx_epoch)
    }
}

impl FetchChunk for NativeCursor {
    fn fetch(&mut self, _max: usize) -> BoxFuture<'static, Result<Vec<DriverRow>>> {
        let cursor = self.open.clone();
        Box::pin(async move {
            // The lock is never held across an await: what the fetch needs is taken out.
            let (ahead, client, fetch, state, chunk, lazy, in_tx) = {
                let mut c = cursor.lock();
                if c.done {
                    return Ok(Vec::new());
                }
                if !c.alive() {
                    c.done = true;
                    return Err(Error::ResourceClosed(
                        "the transaction or connection of this streamed result has ended".into(),
                    ));
                }
                let o = &mut c.open;
                (
                    o.ahead.take(),
                    o.client.clone(),
                    o.fetch.clone(),
                    o.state.clone(),
                    o.chunk,
                    o.lazy,
                    o.in_tx,
                )
            };
            let answer = match ahead {
                Some(rows) => tracked(&state, rows).await,
                None => tracked(&state, pg_ops::fetch(&client, &fetch))
                    .await
                    .map_err(fail),
            };
            let rows = match answer {
                Ok(rows) => rows,
                Err(e) => {
                    cursor.lock().done = true;
                    if in_tx {
                        // PostgreSQL has aborted the transaction.
                        state.fetch_failed.store(true, Ordering::Release);
                    }
                    return Err(e);
                }
            };
            let more = rows.len() >= chunk;
            let next = if more {
                Some(send_fetch(client, state, fetch))
            } else {
                None
            };
            {
                let mut c = cursor.lock();
                c.done = !more;
                c.open.ahead = next;
            }
            rows.into_iter().map(|row| driver_row(row, lazy)).collect()
        })
    }
}

impl Drop for NativeCursor {
    fn drop(&mut self) {
        let mut c = self.open.lock();
        let ahead = c.open.ahead.take();
        if ahead.is_none() && c.done && !c.open.hold {
            // Fetched to its end inside its transaction: nothing is left to close that the
            // transaction's end does not close.
            return;
        }
        let o = &c.open;
        o.state.pending.lock().push(Pending::Cursor(PendingCursor {
            ahead,
            name: o.name.clone(),
            hold: o.hold,
            tx_epoch: o.tx_epoch,
            checkout_epoch: o.checkout_epoch,
        }));
    }
}

/// The rows of a statement that cannot feed a cursor (DML with RETURNING), read already and
/// handed out a chunk at a time.
pub(super) struct BufferedCursor(pub VecDeque<DriverRow>);

impl AsyncRowCursor for BufferedCursor {
    fn poll_fetch(
        &mut self,
        _cx: &mut Context<'_>,
        max: usize,
        rows: &mut VecDeque<DriverRow>,
    ) -> Poll<Result<()>> {
        let n = max.min(self.0.len());
        rows.extend(self.0.drain(..n));
        Poll::Ready(Ok(()))
    }
}
