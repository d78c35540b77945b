//! A MariaDB server of the test binary's own with TLS: a fresh data directory
//! (`mariadb-install-db`), a CA and a server certificate for `localhost` made with `openssl`,
//! `mariadbd` on a free port of 127.0.0.1. A guard process stops the server and removes the
//! directory when the test process ends (its stdin closes), as the PostgreSQL pair does.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The running server.
pub struct TlsServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
    _guard: Mutex<Child>,
}

impl TlsServer {
    /// The CA that signed the server's certificate (PEM file).
    pub fn ca(&self) -> String {
        self.path("ca.pem")
    }

    /// A CA of its own that signed nothing the server has (PEM file).
    pub fn other_ca(&self) -> String {
        self.path("other-ca.pem")
    }

    /// A client certificate and its key signed by [`TlsServer::ca`] (PEM files).
    pub fn client_identity(&self) -> (String, String) {
        (self.path("client.pem"), self.path("client.key"))
    }

    /// `mysql://root@{host}:{port}/mysql?{query}`.
    pub fn url(&self, host: &str, query: &str) -> String {
        format!("mysql://root@{host}:{}/mysql?{query}", self.port)
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

/// The server shared by the tests of this binary, started on first use; `None` (with a
/// message) outside CI without MariaDB's server programs.
pub fn shared() -> Option<&'static TlsServer> {
    static SERVER: OnceLock<Option<TlsServer>> = OnceLock::new();
    SERVER.get_or_init(start).as_ref()
}

fn run(what: &str, command: &mut Command) {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `openssl` making `name.key` and `name.pem` for `subject` in `dir`: self-signed (a CA) when
/// `ca` is `None`, else signed by that CA with `localhost` as its name.
fn certificate(dir: &Path, name: &str, subject: &str, ca: Option<&str>) {
    let at = |file: String| dir.join(file).display().to_string();
    let (key, pem) = (at(format!("{name}.key")), at(format!("{name}.pem")));
    match ca {
        None => run(
            "openssl req -x509",
            Command::new("openssl").args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", subject,
                "-keyout", &key, "-out", &pem,
            ]),
        ),
        Some(ca) => {
            let csr = at(format!("{name}.csr"));
            run(
                "openssl req",
                Command::new("openssl").args([
                    "req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", &key,
                    "-out", &csr,
                ]),
            );
            let ext = at(format!("{name}.ext"));
            std::fs::write(&ext, "subjectAltName=DNS:localhost\n").expect("extension file");
            run(
                "openssl x509 -req",
                Command::new("openssl").args([
                    "x509",
                    "-req",
                    "-days",
                    "2",
                    "-in",
                    &csr,
                    "-CA",
                    &at(format!("{ca}.pem")),
                    "-CAkey",
                    &at(format!("{ca}.key")),
                    "-CAcreateserial",
                    "-extfile",
                    &ext,
                    "-out",
                    &pem,
                ]),
            );
        }
    }
}

fn start() -> Option<TlsServer> {
    let programs = ["mariadbd", "mariadb-install-db", "openssl"];
    let missing: Vec<&str> = programs
        .into_iter()
        .filter(|p| {
            !Command::new("which")
                .arg(p)
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .collect();
    if !missing.is_empty() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "MariaDB's server programs are missing under CI: {missing:?}"
        );
        eprintln!("SKIPPING the MariaDB TLS server: no {missing:?}");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("sqlcore-mariadb-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the server's directory");
    certificate(&dir, "ca", "/CN=sqlcore test CA", None);
    certificate(&dir, "server", "/CN=localhost", Some("ca"));
    certificate(&dir, "client", "/CN=sqlcore client", Some("ca"));
    certificate(&dir, "other-ca", "/CN=sqlcore other CA", None);
    let d = dir.display().to_string();
    let data = format!("{d}/data");
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let user: &[&str] = if root { &["--user=root"] } else { &[] };
    run(
        "mariadb-install-db",
        Command::new("mariadb-install-db")
            .args(["--no-defaults", &format!("--datadir={data}")])
            .args(user)
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"]),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let user = user.join(" ");
    // The server runs until this process ends and closes the guard's stdin.
    let script = format!(
        "mariadbd --no-defaults --datadir={data} --port={port} --bind-address=127.0.0.1 \
         --socket={d}/mysqld.sock --pid-file={d}/mysqld.pid {user} --skip-log-bin \
         --innodb-buffer-pool-size=16M --ssl-ca={d}/ca.pem --ssl-cert={d}/server.pem \
         --ssl-key={d}/server.key >{d}/server.log 2>&1 & pid=$!; \
         read _; kill $pid; wait $pid; rm -rf {d}"
    );
    let guard = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server's guard");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the MariaDB TLS server did not start: {}",
            std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(TlsServer {
        port,
        dir,
        _guard: Mutex::new(guard),
    })
}
