//! A TCP relay that delays every byte by a fixed time each way, so that the round trips a
//! client waits for show in its wall time (each costs twice the delay); and that can cut every
//! connection through it at once, losing whatever was on its way.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A relay on `127.0.0.1:port` to a server, delaying each direction by `delay`.
pub struct Latency {
    pub port: u16,
    /// Both ends of every connection relayed so far.
    streams: Arc<Mutex<Vec<TcpStream>>>,
}

impl Latency {
    /// Starts a relay to `server` (`host:port`); it lives as long as the test process.
    pub fn start(server: &str, delay: Duration) -> Latency {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the relay");
        let port = listener.local_addr().expect("its address").port();
        let streams = Arc::new(Mutex::new(Vec::new()));
        let (server, kept) = (server.to_owned(), streams.clone());
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(upstream) = TcpStream::connect(&server) else {
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = upstream.set_nodelay(true);
                {
                    let mut kept = kept.lock().unwrap();
                    kept.push(client.try_clone().unwrap());
                    kept.push(upstream.try_clone().unwrap());
                }
                relay(
                    client.try_clone().unwrap(),
                    upstream.try_clone().unwrap(),
                    delay,
                );
                relay(upstream, client, delay);
            }
        });
        Latency { port, streams }
    }

    /// `url` (a PostgreSQL URL naming `host:port`) through this relay.
    pub fn url(&self, url: &str, host_port: &str) -> String {
        url.replacen(host_port, &format!("127.0.0.1:{}", self.port), 1)
    }

    /// Cuts every connection relayed so far: what was on its way is lost, and both ends see
    /// the connection closed.
    pub fn cut(&self) {
        for stream in self.streams.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

/// Copies `from` to `to`, each chunk written `delay` after it was read.
fn relay(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let (send, receive) = mpsc::channel::<(Instant, Vec<u8>)>();
    thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if send
                        .send((Instant::now() + delay, buf[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
    thread::spawn(move || {
        for (due, bytes) in receive {
            let now = Instant::now();
            if due > now {
                thread::sleep(due - now);
            }
            if to.write_all(&bytes).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}
