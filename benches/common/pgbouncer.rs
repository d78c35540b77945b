//! A PgBouncer of the benchmark's own (transaction pooling, 4 server connections), on a free
//! port in front of the server at `server`; stopped when the process ends (its shell's stdin
//! closes). `None` when pgbouncer is not installed.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The running bouncer: its port, and the shell that stops it.
pub struct Bouncer {
    pub port: u16,
    _shell: Child,
}

/// Starts a bouncer in front of `host:port` for `user`.
pub fn start(host: &str, port: u16, user: &str) -> Option<Bouncer> {
    let program = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let dir = std::env::temp_dir().join(format!("sqlcore-bench-pgbouncer-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).ok()?;
    let listen = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .ok()?
        .port();
    let d = dir.display();
    std::fs::write(
        dir.join("pgbouncer.ini"),
        format!(
            "[databases]\n* = host={host} port={port} user={user}\n[pgbouncer]\n\
             listen_addr = 127.0.0.1\nlisten_port = {listen}\nunix_socket_dir =\n\
             auth_type = trust\nauth_file = {d}/userlist.txt\npool_mode = transaction\n\
             default_pool_size = 4\nmax_client_conn = 100\nserver_reset_query =\n\
             ignore_startup_parameters = extra_float_digits\nlogfile = {d}/pgbouncer.log\n"
        ),
    )
    .ok()?;
    std::fs::write(dir.join("userlist.txt"), format!("\"{user}\" \"\"\n")).ok()?;
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if root {
        let _ = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status();
    }
    let as_user = if root { "-u postgres" } else { "" };
    let shell = Command::new("sh")
        .args([
            "-c",
            &format!("{program} {as_user} {d}/pgbouncer.ini & pid=$!; read _; kill $pid; wait $pid; rm -rf {d}"),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", listen)).is_err() {
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(Bouncer {
        port: listen,
        _shell: shell,
    })
}
