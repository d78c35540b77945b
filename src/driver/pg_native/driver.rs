//! The socket of a native connection, driven by the task that waits for one of its answers (as
//! sqlx does) rather than by a task of its own: a round trip then costs no wakeup of another
//! task, often on another thread, each way. Between calls nothing reads the socket: a notice
//! sent meanwhile is read (and logged) with the next answer.

use futures_util::future::BoxFuture;
use parking_lot::Mutex;
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::{Context, Poll};

/// The future that drives a `tokio_postgres::Connection` until it ends (writing the requests
/// its clients queue, handing each answer to its waiter, logging notices). The connection's
/// calls are one at a time (the engine's connection is `&mut`), so one waiter drives it.
#[derive(Default)]
pub(super) struct Driver(Mutex<Option<BoxFuture<'static, ()>>>);

impl Driver {
    pub fn new(connection: BoxFuture<'static, ()>) -> Self {
        Driver(Mutex::new(Some(connection)))
    }

    /// Polls the connection once: what is queued is written, what has arrived is read.
    pub fn poll(&self, cx: &mut Context<'_>) {
        let mut slot = self.0.lock();
        if slot
            .as_mut()
            .is_some_and(|c| c.as_mut().poll(cx).is_ready())
        {
            *slot = None;
        }
    }

    /// Waits for `call`, driving the connection meanwhile.
    pub async fn run<F: Future>(&self, call: F) -> F::Output {
        let mut call = pin!(call);
        poll_fn(|cx| {
            if let Poll::Ready(answer) = call.as_mut().poll(cx) {
                return Poll::Ready(answer);
            }
            self.poll(cx);
            call.as_mut().poll(cx)
        })
        .await
    }

    /// Polls the connection once, without waiting.
    pub async fn catch_up(&self) {
        poll_fn(|cx| {
            self.poll(cx);
            Poll::Ready(())
        })
        .await
    }

    /// Takes the connection's future out, to finish it: it ends once every client is gone,
    /// after telling the server goodbye.
    pub fn take(&self) -> Option<BoxFuture<'static, ()>> {
        self.0.lock().take()
    }
}
