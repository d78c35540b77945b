//! Calls on a native connection: each takes the connection out of its slot and gives it back
//! once its answer is complete, finished by a task of its own when the future waiting for it
//! is dropped (see the parent module on cancellation).

use super::MySqlAsyncConnection;
use crate::error::{DbError, DbErrorKind, Error, Result};
use futures_util::future::BoxFuture;
use mysql_async::Conn;
use parking_lot::Mutex;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::Notify;

/// What a connection shares with the calls running on it and its streamed results.
#[derive(Default)]
pub(super) struct Shared {
    pub slot: Mutex<Slot>,
    /// Signalled when a call gives the connection back.
    returned: Notify,
}

/// The connection and what is known of it.
#[derive(Default)]
pub(super) struct Slot {
    /// The connection, when no call holds it (`None` once lost or closed).
    pub conn: Option<Conn>,
    /// A call holds the connection.
    pub busy: bool,
    /// The streamed result whose rows are pending on the connection, by number.
    pub streaming: Option<u64>,
    /// Streams opened so far.
    pub streams: u64,
    /// The connection was closed: a call finishing late drops it.
    pub closed: bool,
    /// The statement the last execution ran, with its SQL: the same SQL again (a loop of one
    /// statement) skips `mysql_async`'s lookup, which parses the SQL for named parameters and
    /// hashes it each time. Forgotten by any other call (which could make the crate's bounded
    /// cache close it on the server).
    pub last: Option<(Box<str>, mysql_async::Statement)>,
}

/// The error of a call on a connection lost (or closed) before it.
fn lost_before() -> Error {
    Error::Db(DbError::connection_does_not_exist(
        "the connection to the server was lost; nothing was sent",
    ))
}

/// The error of a streamed result read after its connection moved on.
fn stream_closed() -> Error {
    Error::ResourceClosed(
        "this streamed result was closed: its connection ran another statement, ended its \
         transaction or went back to the pool before all rows were read"
            .into(),
    )
}

/// The error of a call that waited too long for a cancelled call to finish.
fn still_busy() -> Error {
    let mut e = DbError::new(
        DbErrorKind::Operational,
        format!(
            "a cancelled call was still running after {:?}; its session is killed and the connection closed",
            MySqlAsyncConnection::RECOVER_TIMEOUT
        ),
    );
    e.connection_invalidated = true;
    Error::Db(e)
}

impl Shared {
    /// Takes the connection for a call (`stream`: for reading that streamed result, which must
    /// still be the open one; `None`: for anything else, which closes the open stream), waiting
    /// for a call still finishing, at most [`MySqlAsyncConnection::RECOVER_TIMEOUT`].
    pub async fn take(&self, stream: Option<u64>) -> Result<Conn> {
        let deadline = tokio::time::Instant::now() + MySqlAsyncConnection::RECOVER_TIMEOUT;
        loop {
            if let Some(taken) = self.try_take(stream) {
                return taken;
            }
            let returned = self.returned.notified();
            let mut returned = std::pin::pin!(returned);
            returned.as_mut().enable();
            if let Some(taken) = self.try_take(stream) {
                return taken;
            }
            if tokio::time::timeout_at(deadline, returned).await.is_err() {
                return Err(still_busy());
            }
        }
    }

    /// The connection, unless a call holds it (`None`).
    fn try_take(&self, stream: Option<u64>) -> Option<Result<Conn>> {
        let mut slot = self.slot.lock();
        if slot.busy {
            return None;
        }
        match stream {
            Some(id) if slot.streaming != Some(id) => return Some(Err(stream_closed())),
            Some(_) => {}
            None => slot.streaming = None,
        }
        slot.last = None;
        let Some(conn) = slot.conn.take() else {
            return Some(Err(lost_before()));
        };
        slot.busy = true;
        Some(Ok(conn))
    }

    /// A call gives the connection back (`keep`: its protocol state is known).
    fn give_back(&self, conn: Conn, keep: bool) {
        let dropped = {
            let mut slot = self.slot.lock();
            slot.busy = false;
            if keep && !slot.closed {
                slot.conn = Some(conn);
                None
            } else {
                slot.streaming = None;
                Some(conn)
            }
        };
        // Dropped outside the lock (a connection dropped says goodbye on a task of its own).
        drop(dropped);
        self.returned.notify_waiters();
    }

    pub fn is_busy(&self) -> bool {
        self.slot.lock().busy
    }
}

/// A call on a connection taken from its slot: run to its end even when the future waiting
/// for it is dropped (a task of its own finishes it), so the connection goes back to its slot
/// in a known state.
pub(super) struct Finish<T: Send + 'static> {
    call: Option<BoxFuture<'static, Result<T>>>,
}

impl<T: Send + 'static> Future for Finish<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let Some(call) = self.call.as_mut() else {
            return Poll::Ready(Err(Error::InvalidRequest(
                "a finished call was polled again".into(),
            )));
        };
        let answer = ready!(call.as_mut().poll(cx));
        self.call = None;
        Poll::Ready(answer)
    }
}

impl<T: Send + 'static> Drop for Finish<T> {
    fn drop(&mut self) {
        if let Some(call) = self.call.take() {
            match Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move {
                        let _ = call.await;
                    });
                }
                // No runtime to finish it on: the connection goes with it (lost).
                Err(_) => drop(call),
            }
        }
    }
}

/// Runs `call` on `conn` (taken from `shared`) and gives the connection back once it is done;
/// a call failing on the wire, or running past `io_timeout`, loses the connection.
pub(super) fn run<T: Send + 'static>(
    shared: &Arc<Shared>,
    conn: Conn,
    io_timeout: Option<Duration>,
    call: impl for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T>> + Send + 'static,
) -> Finish<T> {
    let shared = shared.clone();
    Finish {
        call: Some(Box::pin(async move {
            let mut conn = conn;
            let answer = match io_timeout {
                Some(limit) => match tokio::time::timeout(limit, call(&mut conn)).await {
                    Ok(answer) => answer,
                    Err(_) => {
                        let mut e = DbError::new(
                            DbErrorKind::Operational,
                            format!(
                                "the server did not answer within {limit:?} (read_timeout/write_timeout)"
                            ),
                        );
                        e.connection_invalidated = true;
                        Err(Error::Db(e))
                    }
                },
                None => call(&mut conn).await,
            };
            let keep = !answer.as_ref().is_err_and(Error::connection_invalidated)
                && !conn.is_disconnected();
            shared.give_back(conn, keep);
            answer
        })),
    }
}
