//! The socket of a native connection, driven by the task that waits for one of its answers (as
//! sqlx does) rather than by a task of its own: a round trip then costs no wakeup of another
//! task, often on another thread, each way. Between calls nothing reads the socket: a notice
//! sent meanwhile is read (and logged) with the next answer. Several calls may wait at once
//! (a cursor's next chunk, for sync code, is read by a task of its own): each drives the connection,
//! and every wake reaches each of them.

use futures_util::future::BoxFuture;
use parking_lot::Mutex;
use std::future::{Future, poll_fn};
use std::ops::Deref;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::task::{Context, Poll, Wake, Waker};

/// How many times one poll of a call goes round again when the call or the connection woke it
/// meanwhile (tokio's cooperative budget, once spent, wakes a task at once: the task must then
/// yield to the scheduler).
const ROUNDS: usize = 8;

/// The future that drives a `tokio_postgres::Connection` until it ends (writing the requests
/// its clients queue, handing each answer to its waiter, logging notices), polled by every call
/// waiting for an answer (most often one at a time: the engine's connection is `&mut`; a
/// cursor's next chunk, for sync code, is read by a task of its own meanwhile).
pub(super) struct Driver {
    connection: Mutex<Option<BoxFuture<'static, ()>>>,
    wake: Arc<Relay>,
    waker: Waker,
}

impl Default for Driver {
    fn default() -> Self {
        Driver::with(None)
    }
}

const IDLE: u8 = 0;
const POLLING: u8 = 1;
const WOKEN: u8 = 2;

/// The waker calls and their connection are polled with: a wake while they are being polled
/// (the connection handing an answer to the call, the call queueing a request for the
/// connection) is taken in the same poll, instead of scheduling the task again (and passed on
/// to the other waiting calls, if any); a later one (the socket is readable) wakes every
/// waiting call.
#[derive(Default)]
struct Relay {
    state: AtomicU8,
    waiters: Mutex<Vec<(u64, Waker)>>,
    ids: AtomicU64,
}

impl Relay {
    fn wake_all(&self, except: Option<u64>) {
        for (id, task) in self.waiters.lock().iter() {
            if Some(*id) != except {
                task.wake_by_ref();
            }
        }
    }
}

impl Wake for Relay {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let polling =
            self.state
                .compare_exchange(POLLING, WOKEN, Ordering::AcqRel, Ordering::Acquire);
        if !matches!(polling, Ok(_) | Err(WOKEN)) {
            self.wake_all(None);
        }
    }
}

/// A call waiting on the connection, registered with the relay while it exists.
pub(super) struct Waiter<R: Deref<Target: AsRef<Driver>>> {
    driver: R,
    id: u64,
}

impl<R: Deref<Target: AsRef<Driver>>> Waiter<R> {
    /// A waiter on `driver`'s connection.
    pub fn new(driver: R) -> Self {
        let id = (*driver).as_ref().wake.ids.fetch_add(1, Ordering::Relaxed);
        Waiter { driver, id }
    }

    fn driver(&self) -> &Driver {
        (*self.driver).as_ref()
    }

    /// What the waiter holds its driver through.
    pub fn target(&self) -> &R::Target {
        &self.driver
    }

    fn register(&self, task: &Waker) {
        let mut waiters = self.driver().wake.waiters.lock();
        match waiters.iter_mut().find(|(id, _)| *id == self.id) {
            Some((_, known)) if known.will_wake(task) => {}
            Some((_, known)) => *known = task.clone(),
            None => waiters.push((self.id, task.clone())),
        }
    }

    /// Polls `call` once as [`poll`](Self::poll) does, without driving the connection or
    /// registering the task: the cheap first try for a call whose answer has often arrived
    /// already (the next row of a result). On `Pending`, [`poll`](Self::poll) must follow.
    pub fn poll_arrived<T>(&self, call: impl FnOnce(&mut Context<'_>) -> Poll<T>) -> Poll<T> {
        call(&mut Context::from_waker(&self.driver().waker))
    }

    /// Polls `call`, driving the connection meanwhile (see [`Driver::run`]).
    pub fn poll<T>(
        &self,
        cx: &mut Context<'_>,
        mut call: impl FnMut(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        let driver = self.driver();
        if !cx.waker().will_wake(&driver.waker) {
            // (A call run inside another's is woken through it.)
            self.register(cx.waker());
        }
        let mut relayed = Context::from_waker(&driver.waker);
        for _ in 0..ROUNDS {
            driver.wake.state.store(POLLING, Ordering::Release);
            // The connection first (what arrived is handed to the calls, what they queued is
            // written), then the call: polled before, a call waiting for its answer would
            // only find it not read yet. A request the call queues wakes the connection,
            // so the loop goes round to write it.
            driver.poll(&mut relayed);
            let answer = call(&mut relayed);
            let woken = driver.wake.state.swap(IDLE, Ordering::AcqRel) == WOKEN;
            if woken {
                // What woke this poll may concern another waiting call too.
                driver.wake.wake_all(Some(self.id));
            }
            if answer.is_ready() || !woken {
                return answer;
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl<R: Deref<Target: AsRef<Driver>>> Drop for Waiter<R> {
    fn drop(&mut self) {
        let id = self.id;
        self.driver()
            .wake
            .waiters
            .lock()
            .retain(|(known, _)| *known != id);
    }
}

impl AsRef<Driver> for Driver {
    fn as_ref(&self) -> &Driver {
        self
    }
}

impl Driver {
    pub fn new(connection: BoxFuture<'static, ()>) -> Self {
        Driver::with(Some(connection))
    }

    fn with(connection: Option<BoxFuture<'static, ()>>) -> Self {
        let wake = Arc::new(Relay::default());
        Driver {
            connection: Mutex::new(connection),
            waker: Waker::from(wake.clone()),
            wake,
        }
    }

    /// Polls the connection once: what is queued is written, what has arrived is read.
    pub fn poll(&self, cx: &mut Context<'_>) {
        let mut slot = self.connection.lock();
        if slot
            .as_mut()
            .is_some_and(|c| c.as_mut().poll(cx).is_ready())
        {
            *slot = None;
        }
    }

    /// Waits for `call`, driving the connection meanwhile.
    pub async fn run<F: Future>(&self, call: F) -> F::Output {
        let waiter = Waiter::new(self);
        let mut call = pin!(call);
        poll_fn(|cx| waiter.poll(cx, |cx| call.as_mut().poll(cx))).await
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
        self.connection.lock().take()
    }
}
