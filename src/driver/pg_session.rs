//! One PostgreSQL session over `tokio-postgres`, driven on the calling thread: a
//! current-thread runtime of the session's own polls the connection while a call waits, and a
//! streamed result's next FETCH can be sent ahead, so the server runs it while the rows already
//! fetched are read.
//!
//! The calling thread may itself be inside a tokio runtime (a sync engine used from async
//! code), where blocking on another runtime is refused: see [`drive`].

use futures_util::Stream;
use std::future::{Future, poll_fn};
use std::mem::ManuallyDrop;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::runtime::{Handle, Runtime, RuntimeFlavor};
use tokio_postgres::{AsyncMessage, Client, Config, Connection, Error, NoTls, Row};
use tokio_postgres_rustls::MakeRustlsConnect;

/// The connection's messages to the client (notices, notifications), polled to drive it.
type Messages = Pin<Box<dyn Stream<Item = Result<AsyncMessage, Error>> + Send>>;

/// A request on its way: its output once its reply is read.
type Sent<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

/// The rows of a FETCH on their way.
type Fetching = Sent<Vec<Row>>;

/// How long closing a session waits for the connection to say goodbye to the server.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// A client and the connection it talks through. Fields drop in order: once the last handle
/// on the client is gone (with any FETCH on its way), the link ends the connection.
pub(super) struct Session {
    client: Arc<Client>,
    /// A FETCH sent ahead, with the id of its cursor.
    in_flight: Option<(u64, Fetching)>,
    /// FETCHes sent ahead whose rows arrived before their cursor asked for them (another
    /// statement needed the connection), by cursor id.
    arrived: Vec<(u64, Result<Vec<Row>, Error>)>,
    /// A FETCH sent ahead failed before its cursor asked for its rows.
    fetch_failed: bool,
    /// A statement sent without waiting for its reply (the reset as the connection went back
    /// to the pool), read in the flight of the next call.
    unanswered: Option<Sent<()>>,
    link: Link,
}

/// How a call sent behind what went ahead of it ended (see [`Session::run_after`]).
pub(super) enum Flight<T> {
    /// What went ahead succeeded: the call's own result.
    Done(Result<T, Error>),
    /// The statement sent earlier without waiting ([`Session::send_unanswered`]) failed: the
    /// connection cannot be trusted, and nothing sent after it can have committed.
    EarlierFailed(Error),
    /// The statement sent ahead of the call (`BEGIN`) failed.
    AheadFailed(Error),
    /// The connection was found gone before anything of the call (or of what goes ahead of
    /// it) was sent.
    Unsent(Error),
}

/// The connection, polled on a current-thread runtime of its own whenever a call waits.
struct Link {
    /// Shut down without waiting when the link drops (see its `Drop`).
    runtime: ManuallyDrop<Runtime>,
    messages: Messages,
}

/// The messages of `connection`, whatever its stream (plain or TLS), polled to drive it.
fn messages<S, T>(mut connection: Connection<S, T>) -> Messages
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    Box::pin(futures_util::stream::poll_fn(move |cx| {
        connection.poll_message(cx)
    }))
}

/// Runs the future `make` builds to completion on `runtime`, wherever the caller is.
///
/// Outside any tokio runtime (the usual case) it is polled right here. A thread inside a tokio
/// runtime may not block on another one, so there: a multi-thread runtime's thread leaves its
/// runtime for the call (`block_in_place`: its other tasks move to other workers); on a
/// current-thread runtime the call runs on a thread of its own while the caller waits for it
/// (the runtime's other tasks wait too, as they would for any blocking call).
fn drive<F: Future>(runtime: &Runtime, make: impl FnOnce() -> F + Send) -> F::Output
where
    F::Output: Send,
{
    let Ok(handle) = Handle::try_current() else {
        return runtime.block_on(make());
    };
    match handle.runtime_flavor() {
        RuntimeFlavor::MultiThread => tokio::task::block_in_place(|| runtime.block_on(make())),
        _ => std::thread::scope(|scope| {
            scope
                .spawn(|| runtime.block_on(make()))
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }),
    }
}

impl Session {
    /// Opens a session with `config`, over TLS with `tls` when given (as `config`'s
    /// `ssl_mode` asks).
    pub fn connect(
        config: &Config,
        tls: Option<&MakeRustlsConnect>,
    ) -> crate::error::Result<Session> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                crate::error::DbError::new(
                    crate::error::DbErrorKind::Operational,
                    format!("could not start the connection's runtime: {e}"),
                )
            })?;
        let connected = match tls {
            None => drive(&runtime, || async {
                let (client, connection) = config.connect(NoTls).await?;
                Ok((client, messages(connection)))
            }),
            Some(tls) => drive(&runtime, || async {
                let (client, connection) = config.connect(tls.clone()).await?;
                Ok((client, messages(connection)))
            }),
        };
        let (client, messages) = match connected {
            Ok(connected) => connected,
            Err(e) => {
                // Without waiting for its threads, as `Link` drops it: a plain drop would
                // block, which a thread inside a tokio runtime may not do.
                runtime.shutdown_background();
                return Err(super::pg_error::connect_error(config, &e).into());
            }
        };
        Ok(Session {
            client: Arc::new(client),
            in_flight: None,
            arrived: Vec::new(),
            fetch_failed: false,
            unanswered: None,
            link: Link {
                runtime: ManuallyDrop::new(runtime),
                messages,
            },
        })
    }

    /// Whether the connection is known to be gone (nothing more can be sent).
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// Runs `f` with the client to completion (a FETCH sent ahead completes first, as the
    /// server answers in order; its rows wait for their cursor), in one flight with `ahead`
    /// (a simple statement, `BEGIN`, sent before `f`'s request without waiting between them)
    /// and with the reply of a statement sent earlier without waiting
    /// ([`Session::send_unanswered`]): one round trip for all. Without `ahead`, that earlier reply is read before `f` is sent, so a call
    /// outside a transaction never runs behind a reset that failed.
    ///
    /// With `look_first`, the connection reads what the server sent while it was idle before
    /// anything is sent (one turn of the runtime, no round trip): a connection the server
    /// ended meanwhile is then [`Flight::Unsent`].
    pub fn run_after<T: Send>(
        &mut self,
        ahead: Option<&str>,
        look_first: bool,
        f: impl AsyncFnOnce(&Client) -> Result<T, Error> + Send,
    ) -> Flight<T> {
        self.settle();
        let mut earlier = self.unanswered.take();
        if ahead.is_none() {
            if let Some(reply) = earlier.take() {
                if let Err(e) = self.link.block_on(|| reply) {
                    return Flight::EarlierFailed(e);
                }
            }
        }
        let client = &self.client;
        // Set as the call is first polled, after the connection was: a connection found gone
        // before then had nothing of the call sent to it.
        let mut sent = false;
        let sent_flag = &mut sent;
        if earlier.is_none() && ahead.is_none() {
            let result = self.link.block_on(|| async move {
                if look_first {
                    tokio::task::yield_now().await;
                }
                *sent_flag = true;
                f(client).await
            });
            return match result {
                Err(e) if !sent => Flight::Unsent(e),
                result => Flight::Done(result),
            };
        }
        let mut answered = earlier.is_none();
        let answered_flag = &mut answered;
        let flight = self.link.block_on(|| async move {
            if look_first {
                // The runtime turns once: what the server sent meanwhile is read.
                tokio::task::yield_now().await;
            }
            *sent_flag = true;
            let earlier = async {
                if let Some(reply) = earlier {
                    reply.await?;
                }
                *answered_flag = true;
                Ok::<(), Error>(())
            };
            let ahead = async {
                match ahead {
                    Some(sql) => client.batch_execute(sql).await,
                    None => Ok(()),
                }
            };
            // Polled in this order, each queues its request before the next one does: the
            // connection writes them out together.
            let (earlier, ahead, result) =
                futures_util::future::join3(earlier, ahead, f(client)).await;
            Ok((earlier, ahead, result))
        });
        match flight {
            Err(e) if !sent => Flight::Unsent(e),
            // The connection failed: before the earlier reply came, or in the call itself.
            Err(e) if !answered => Flight::EarlierFailed(e),
            Err(e) => Flight::Done(Err(e)),
            Ok((Err(e), _, _)) => Flight::EarlierFailed(e),
            Ok((Ok(()), Err(e), _)) => Flight::AheadFailed(e),
            Ok((Ok(()), Ok(()), result)) => Flight::Done(result),
        }
    }

    /// Sends `sql` (a simple statement) without waiting for its reply, which the next call's
    /// flight reads ([`Session::run_after`]); an error when it could not be sent.
    pub fn send_unanswered(&mut self, sql: &'static str) -> Result<(), Error> {
        self.settle();
        if let Some(reply) = self.unanswered.take() {
            self.link.block_on(|| reply)?;
        }
        let client = self.client.clone();
        let mut reply: Sent<()> = Box::pin(async move { client.batch_execute(sql).await });
        match self.link.send(&mut reply) {
            Poll::Pending => {
                self.unanswered = Some(reply);
                Ok(())
            }
            Poll::Ready(result) => result,
        }
    }

    /// Sends `fetch` for cursor `id` without waiting for its rows.
    pub fn send_fetch(&mut self, id: u64, fetch: &super::pg_ops::Fetch) {
        self.settle();
        let (client, fetch) = (self.client.clone(), fetch.clone());
        let mut rows: Fetching =
            Box::pin(async move { super::pg_ops::fetch(&client, &fetch).await });
        match self.link.send(&mut rows) {
            Poll::Pending => self.in_flight = Some((id, rows)),
            Poll::Ready(result) => self.arrive(id, result),
        }
    }

    /// The rows of the FETCH sent ahead for cursor `id`, once they are here; `None` when none
    /// was sent.
    pub fn fetched(&mut self, id: u64) -> Option<Result<Vec<Row>, Error>> {
        if let Some(i) = self.arrived.iter().position(|(cursor, _)| *cursor == id) {
            return Some(self.arrived.swap_remove(i).1);
        }
        match self.in_flight.take() {
            Some((cursor, rows)) if cursor == id => Some(self.link.block_on(|| rows)),
            other => {
                self.in_flight = other;
                None
            }
        }
    }

    /// Forgets what was fetched ahead for cursor `id` (its result is gone). A FETCH still on
    /// its way is waited for first: should it have failed, its transaction is aborted, and
    /// [`Session::take_fetch_failed`] must say so.
    pub fn forget(&mut self, id: u64) {
        self.settle();
        self.arrived.retain(|(cursor, _)| *cursor != id);
    }

    /// Forgets everything fetched ahead (the connection goes back to the pool).
    pub fn forget_all(&mut self) {
        self.settle();
        self.arrived.clear();
    }

    /// Whether a FETCH sent ahead failed (so its transaction is aborted) before its cursor
    /// asked for it, since the last call.
    pub fn take_fetch_failed(&mut self) -> bool {
        std::mem::take(&mut self.fetch_failed)
    }

    /// Waits for the FETCH sent ahead, keeping its rows for its cursor.
    pub fn settle(&mut self) {
        if let Some((id, rows)) = self.in_flight.take() {
            let result = self.link.block_on(|| rows);
            self.arrive(id, result);
        }
    }

    fn arrive(&mut self, id: u64, rows: Result<Vec<Row>, Error>) {
        self.fetch_failed |= rows.is_err();
        self.arrived.push((id, rows));
    }
}

impl Link {
    /// Polls the future `make` builds to completion, polling the connection as well.
    fn block_on<T: Send, F: Future<Output = Result<T, Error>>>(
        &mut self,
        make: impl FnOnce() -> F + Send,
    ) -> Result<T, Error> {
        let messages = &mut self.messages;
        drive(&self.runtime, move || async move {
            let mut future = pin!(make());
            poll_fn(|cx| {
                if let Err(e) = poll_messages(messages, cx) {
                    return Poll::Ready(Err(e));
                }
                future.as_mut().poll(cx)
            })
            .await
        })
    }

    /// Polls `future` once, which queues its request, then the connection, which writes it
    /// out; the future's output if it is ready already, or the connection's error.
    fn send<T: Send>(&mut self, future: &mut Sent<T>) -> Poll<Result<T, Error>> {
        let messages = &mut self.messages;
        drive(&self.runtime, move || {
            poll_fn(move |cx| {
                let polled = future.as_mut().poll(cx);
                Poll::Ready(match (polled, poll_messages(messages, cx)) {
                    (Poll::Pending, Err(e)) => Poll::Ready(Err(e)),
                    (polled, _) => polled,
                })
            })
        })
    }
}

impl Drop for Link {
    /// The client is gone, so the connection sends Terminate and ends: it is polled until it
    /// has (or for at most [`CLOSE_TIMEOUT`] should the server not answer).
    fn drop(&mut self) {
        let messages = &mut self.messages;
        let ended = poll_fn(|cx| {
            loop {
                match messages.as_mut().poll_next(cx) {
                    Poll::Ready(Some(Ok(_))) => {}
                    Poll::Ready(Some(Err(_)) | None) => return Poll::Ready(()),
                    Poll::Pending => return Poll::Pending,
                }
            }
        });
        let _ = drive(&self.runtime, move || async move {
            tokio::time::timeout(CLOSE_TIMEOUT, ended).await
        });
        // SAFETY: the runtime is taken once, here, as the link drops; nothing uses it after.
        let runtime = unsafe { ManuallyDrop::take(&mut self.runtime) };
        // Without waiting for its threads: a plain drop would block, which a thread inside a
        // tokio runtime may not do.
        runtime.shutdown_background();
    }
}

/// Drives the connection until it waits: requests are written, responses routed, notices
/// logged. An error is the connection's end.
fn poll_messages(messages: &mut Messages, cx: &mut Context<'_>) -> Result<(), Error> {
    loop {
        match messages.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(AsyncMessage::Notice(notice)))) => {
                tracing::info!(target: "sqlcore.postgres", "{}: {}", notice.severity(), notice.message());
            }
            Poll::Ready(Some(Ok(_))) => {}
            Poll::Ready(Some(Err(e))) => return Err(e),
            Poll::Ready(None) | Poll::Pending => return Ok(()),
        }
    }
}
