//! A TCP relay between clients and a server that counts the client's *flights* — the round
//! trips it started — that can hold a reply back until the client sends again, and that can
//! cut every connection through it at once, losing whatever was on its way.
//!
//! A flight starts when a client sends bytes after the relay delivered it something from the
//! server since its previous send (a connection's first bytes start one too); bytes a client
//! sends before anything came back join the flight on its way. A client that waits for each
//! reply starts one flight per request; one that pipelines (sends the next request before the
//! reply to the previous one) starts fewer. Nothing here depends on time: the relay forwards
//! each chunk as soon as it is read, and counts in the order it reads and delivers.
//!
//! [`Relay::hold_next_reply`] shows what a client does *not* wait for: what the server answers
//! to the client's next send is held back until that client sends again. A client that
//! returns from its call with the reply held ([`Relay::reply_held`]) did not wait for it, and
//! the bytes it sends next travel in the same flight as the request whose reply is held.
//! (Should a client wait for a held reply, [`HOLD_AT_MOST`] later the relay delivers it anyway
//! and stops holding, so the test fails on [`Relay::reply_held`] rather than hanging.)

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

/// How long a held reply waits for its client to send again before it is delivered anyway: a
/// guard against a test hanging on a client that waits for it, never part of an assertion.
pub const HOLD_AT_MOST: Duration = Duration::from_secs(10);

/// A relay on `127.0.0.1:port` to one server.
pub struct Relay {
    pub port: u16,
    shared: Arc<Shared>,
}

/// What the relay's threads share.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// Signalled when a reply is held or released.
    changed: Condvar,
}

#[derive(Default)]
struct State {
    /// Flights started so far, on every connection.
    flights: usize,
    /// The next client send, on whichever connection, has its reply held.
    armed: bool,
    /// Every connection relayed so far, by index.
    links: Vec<Link>,
}

/// One relayed connection.
struct Link {
    /// The relay delivered server bytes to the client since the client last sent.
    replied: bool,
    /// The server's bytes to this client are held until the client sends again.
    holding: bool,
    /// Server bytes are waiting in the relay while `holding`.
    held: bool,
    /// Both ends, for [`Relay::cut`]; `None` once cut.
    ends: Option<(TcpStream, TcpStream)>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Relay {
    /// Starts a relay to `server` (`host:port`); it lives as long as the test process.
    pub fn start(server: &str) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the relay");
        let port = listener.local_addr().expect("its address").port();
        let shared = Arc::new(Shared::default());
        let (server, relay) = (server.to_owned(), shared.clone());
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(upstream) = TcpStream::connect(&server) else {
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = upstream.set_nodelay(true);
                let link = {
                    let mut state = relay.lock();
                    state.links.push(Link {
                        replied: true,
                        holding: false,
                        held: false,
                        ends: Some((client.try_clone().unwrap(), upstream.try_clone().unwrap())),
                    });
                    state.links.len() - 1
                };
                let (to_server, to_client) = (relay.clone(), relay.clone());
                let (client_in, upstream_out) =
                    (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                thread::spawn(move || client_to_server(&to_server, link, client_in, upstream_out));
                thread::spawn(move || server_to_client(&to_client, link, upstream, client));
            }
        });
        Relay { port, shared }
    }

    /// `url` (a PostgreSQL URL naming `host:port`) through this relay.
    pub fn url(&self, url: &str, host_port: &str) -> String {
        url.replacen(host_port, &format!("127.0.0.1:{}", self.port), 1)
    }

    /// The flights clients started so far, on every connection through the relay.
    pub fn flights(&self) -> usize {
        self.shared.lock().flights
    }

    /// Holds back what the server answers to the next client send (on whichever connection it
    /// comes), until that client sends again.
    pub fn hold_next_reply(&self) {
        self.shared.lock().armed = true;
    }

    /// Whether the reply [`Relay::hold_next_reply`] asked for is held: waits until the
    /// server's answer is in the relay, held back (so the client's send was counted too).
    /// `false` when none is by [`HOLD_AT_MOST`] — its client waited for it (and the relay let
    /// it go), or sent nothing.
    pub fn reply_held(&self) -> bool {
        let state = self.shared.lock();
        let (state, _) = self
            .shared
            .changed
            .wait_timeout_while(state, HOLD_AT_MOST, |state| {
                !state.links.iter().any(|link| link.held)
            })
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.links.iter().any(|link| link.held)
    }

    /// The flights `calls` calls of `f` start once calls follow one another: `f` runs once
    /// first, uncounted, so whatever the previous call left on its way (a check-in's
    /// `ROLLBACK`) is as it is before each counted call.
    pub fn flights_per(&self, calls: usize, mut f: impl FnMut()) -> usize {
        f();
        let before = self.flights();
        for _ in 0..calls {
            f();
        }
        self.flights() - before
    }

    /// Checks `conn` back in with its reset's reply held back: asserts that the check-in
    /// returned without waiting for it (the connection's next call reads it in its own
    /// flight).
    pub fn check_in_unanswered(&self, conn: sqlcore::Connection) {
        self.hold_next_reply();
        drop(conn);
        assert!(
            self.reply_held(),
            "check-in returns without waiting for its ROLLBACK's reply"
        );
    }

    /// Cuts every connection relayed so far: what was on its way, held replies included, is
    /// lost, and both ends see the connection closed.
    pub fn cut(&self) {
        let mut state = self.shared.lock();
        state.armed = false;
        for link in &mut state.links {
            link.holding = false;
            if let Some((client, upstream)) = link.ends.take() {
                let _ = client.shutdown(Shutdown::Both);
                let _ = upstream.shutdown(Shutdown::Both);
            }
        }
        self.shared.changed.notify_all();
    }
}

/// Forwards the client's bytes to the server, counting the flights they start and releasing
/// a held reply.
fn client_to_server(shared: &Shared, link: usize, mut from: TcpStream, mut to: TcpStream) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        {
            let mut state = shared.lock();
            let armed = std::mem::take(&mut state.armed);
            let this = &mut state.links[link];
            let new_flight = std::mem::take(&mut this.replied);
            // The client sent again: what was held for it goes on; with the relay armed, what
            // the server answers to these bytes is held.
            this.holding = armed;
            state.flights += usize::from(new_flight);
        }
        shared.changed.notify_all();
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Forwards the server's bytes to the client, each chunk once the client's link is not
/// holding (or [`HOLD_AT_MOST`] has passed).
fn server_to_client(shared: &Shared, link: usize, mut from: TcpStream, mut to: TcpStream) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        {
            let mut state = shared.lock();
            if state.links[link].holding {
                state.links[link].held = true;
                shared.changed.notify_all();
            }
            while state.links[link].holding {
                let (next, waited) = shared
                    .changed
                    .wait_timeout(state, HOLD_AT_MOST)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                state = next;
                if waited.timed_out() {
                    state.links[link].holding = false;
                }
            }
            state.links[link].held = false;
            // Set before the bytes go: a client that answers them starts a new flight.
            state.links[link].replied = true;
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}
