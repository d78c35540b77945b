//! A streamed result of the async engine (whose stream holds its connection: nothing else runs
//! on it meanwhile) read as it arrives: one portal executed with no row limit (Bind, Execute,
//! Sync, as sqlx does), each row made from the socket's bytes when the stream asks for it.
//! Nothing reads the socket while the stream is not polled, so the socket's own flow control
//! holds the server back: what is held is the row read and a few reads of the socket
//! (kilobytes), whatever the result's size (and never more rows than `max_row_buffer`).
//!
//! A stream dropped before its end leaves the portal's remaining rows to its connection
//! ([`Rest`]), which reads them to their end (an error among them aborts the transaction, as
//! it does on the server) before its next call, for at most [`RECOVER_TIMEOUT`]; a result
//! still running then is cancelled and the connection closed.

use super::super::pg_decode::driver_row;
use super::super::pg_error::fail;
use super::super::{AsyncRowCursor, DriverRow};
use super::cursor::Pending;
use super::driver::{Driver, Waiter};
use super::{ConnState, RECOVER_TIMEOUT, tracked};
use crate::error::{DbError, DbErrorKind, Error, Result};
use futures_util::{Stream, TryStreamExt};
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, ready};
use tokio_postgres::RowStream;

/// The rows of a portal, read as the stream is polled (see the module's documentation).
pub(super) struct PortalCursor {
    /// `None` once left to the connection.
    rows: Option<Pin<Box<RowStream>>>,
    waiter: Waiter<Arc<ConnState>>,
    /// Rows are kept as they arrived (the driver's `decodes_lazily`).
    lazy: bool,
    /// Run inside a transaction (an error aborts it).
    in_tx: bool,
    /// Every row was read, or the result failed: nothing more comes.
    done: bool,
    /// The server's answer is complete (its end or its error was read).
    complete: bool,
}

impl AsRef<Driver> for ConnState {
    fn as_ref(&self) -> &Driver {
        &self.driver
    }
}

impl PortalCursor {
    pub fn new(rows: RowStream, state: Arc<ConnState>, lazy: bool, in_tx: bool) -> Self {
        PortalCursor {
            rows: Some(Box::pin(rows)),
            waiter: Waiter::new(state),
            lazy,
            in_tx,
            done: false,
            complete: false,
        }
    }
}

/// How a read of a portal's rows ended.
enum Read {
    /// Rows were read; more may come.
    More,
    /// The server's answer is complete.
    End,
    /// A row read does not decode (the server's answer goes on).
    Undecodable(Error),
    /// The server reported an error (its answer is complete).
    Failed(Error),
}

impl AsyncRowCursor for PortalCursor {
    fn poll_fetch(
        &mut self,
        cx: &mut Context<'_>,
        max: usize,
        out: &mut VecDeque<DriverRow>,
    ) -> Poll<Result<()>> {
        let (Some(rows), false) = (&mut self.rows, self.done) else {
            return Poll::Ready(Ok(()));
        };
        let (lazy, start) = (self.lazy, out.len());
        // One row a time: a row is made only when the stream is asked for one, so each row
        // (its column offsets' allocation) is freed before the next one is made, which keeps
        // the allocator on its fastest path; rows read ahead of the stream would not be.
        let max = max.min(1);
        // The rows that have arrived, at most `max`; waits only while none has.
        let mut next = |cx: &mut Context<'_>| {
            while out.len() - start < max {
                match rows.as_mut().poll_next(cx) {
                    Poll::Ready(Some(Ok(row))) => match driver_row(row, lazy) {
                        Ok(row) => out.push_back(row),
                        Err(e) => return Poll::Ready(Read::Undecodable(e)),
                    },
                    Poll::Ready(Some(Err(e))) => return Poll::Ready(Read::Failed(fail(e))),
                    Poll::Ready(None) => return Poll::Ready(Read::End),
                    Poll::Pending if out.len() == start => return Poll::Pending,
                    Poll::Pending => break,
                }
            }
            Poll::Ready(Read::More)
        };
        // Most rows have arrived with an earlier one: the socket is read only when none has.
        let read = match self.waiter.poll_arrived(&mut next) {
            Poll::Pending => self.waiter.poll(cx, &mut next),
            arrived => arrived,
        };
        let failure = match ready!(read) {
            Read::More => return Poll::Ready(Ok(())),
            Read::End => {
                (self.done, self.complete) = (true, true);
                return Poll::Ready(Ok(()));
            }
            Read::Undecodable(e) => e,
            Read::Failed(e) => {
                self.complete = true;
                if self.in_tx {
                    // PostgreSQL has aborted the transaction.
                    self.waiter
                        .target()
                        .fetch_failed
                        .store(true, Ordering::Release);
                }
                e
            }
        };
        self.done = true;
        Poll::Ready(Err(failure))
    }
}

impl Drop for PortalCursor {
    fn drop(&mut self) {
        let Some(rows) = self.rows.take().filter(|_| !self.complete) else {
            return;
        };
        self.waiter
            .target()
            .pending
            .lock()
            .push(Pending::Portal(Rest {
                rows,
                in_tx: self.in_tx,
            }));
    }
}

/// The rows of a portal whose stream was dropped before its end.
pub(crate) struct Rest {
    rows: Pin<Box<RowStream>>,
    in_tx: bool,
}

impl Rest {
    /// Reads the rows to their end, for at most [`RECOVER_TIMEOUT`]: whether the server
    /// reported an error (inside a transaction: it aborted it). Past the timeout, an error
    /// that invalidates the connection (which its owner closes, cancelling the result).
    pub async fn finish(mut self, state: &ConnState) -> Result<bool> {
        let read = async {
            while self.rows.try_next().await?.is_some() {}
            Ok::<_, tokio_postgres::Error>(())
        };
        match tokio::time::timeout(RECOVER_TIMEOUT, tracked(state, read)).await {
            Ok(answer) => Ok(answer.is_err() && self.in_tx),
            Err(_) => {
                let mut e = DbError::new(
                    DbErrorKind::Operational,
                    format!(
                        "a dropped streamed result was still running after {RECOVER_TIMEOUT:?}; it is cancelled and the connection closed"
                    ),
                );
                e.connection_invalidated = true;
                Err(Error::Db(e))
            }
        }
    }
}
