//! A streaming replication pair of the tests' own: a primary cluster (`initdb`, on a free
//! port, `wal_level = replica`) and a hot standby built from it with `pg_basebackup -R` on
//! another port. Commits wait until the standby has applied them (`synchronous_commit =
//! remote_apply`), so a row committed on the primary is there to read on the standby.
//!
//! Never the server on 5432. A shell started with the pair stops both clusters and removes
//! their directory when this process ends (its stdin closes), whatever happens to the tests.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

/// A primary and its standby.
pub struct Pair {
    dir: PathBuf,
    bin: PathBuf,
    /// The primary's port on 127.0.0.1.
    pub primary_port: u16,
    /// The standby's port on 127.0.0.1.
    pub standby_port: u16,
    _guard: Mutex<Child>,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// `program args…` as the `postgres` user when we are root (the server refuses root).
fn as_postgres(program: &std::path::Path, args: &[&str]) -> Output {
    let mut command = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    command
        .args(args)
        .output()
        .expect("run a PostgreSQL program")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn check(what: &str, out: Output, log: Option<&std::path::Path>) {
    assert!(
        out.status.success(),
        "{what}: {}{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        log.and_then(|l| std::fs::read_to_string(l).ok())
            .unwrap_or_default()
    );
}

/// The pair shared by the tests of this binary, started on first use; `None` (with a
/// message) outside CI without PostgreSQL's server programs.
pub fn shared() -> Option<&'static Pair> {
    static PAIR: OnceLock<Option<Pair>> = OnceLock::new();
    PAIR.get_or_init(|| Pair::start("shared")).as_ref()
}

impl Pair {
    /// A new pair (for a test that stops or promotes one of its servers).
    pub fn start(name: &str) -> Option<Pair> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .filter_map(|e| Some(e.ok()?.path().join("bin")))
            .filter(|p| p.join("pg_basebackup").exists() && p.join("initdb").exists())
            .max();
        let Some(bin) = bin else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup) are missing under CI"
            );
            eprintln!("SKIPPING the replication pair: no initdb");
            return None;
        };
        let dir = std::env::temp_dir().join(format!("sqlcore-repl-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the pair's directory");
        let (primary_port, standby_port) = (free_port(), free_port());
        let d = dir.display().to_string();
        // Stops both clusters and removes the directory once this process's end closes stdin.
        let runner = if is_root() {
            "runuser -u postgres --"
        } else {
            ""
        };
        let stop = |data: &str| {
            format!(
                "{runner} {}/pg_ctl -D {d}/{data} -m immediate -w stop >/dev/null 2>&1",
                bin.display()
            )
        };
        let script = format!(
            "read _; {}; {}; rm -rf {d}",
            stop("standby"),
            stop("primary")
        );
        let guard = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the pair's guard");
        if is_root() {
            let _ = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status();
        }
        let primary = dir.join("primary");
        let p = primary.display().to_string();
        check(
            "initdb",
            as_postgres(
                &bin.join("initdb"),
                &["-D", &p, "-U", "postgres", "--auth=trust", "-N"],
            ),
            None,
        );
        std::fs::write(
            primary.join("postgresql.auto.conf"),
            format!(
                "port = {primary_port}\nlisten_addresses = '127.0.0.1'\n\
                 unix_socket_directories = '{d}'\nfsync = off\nssl = off\n\
                 wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n\
                 wal_keep_size = '64MB'\nsynchronous_standby_names = '*'\n\
                 synchronous_commit = remote_apply\nmax_connections = 100\n"
            ),
        )
        .unwrap();
        std::fs::write(
            primary.join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 trust\n\
             local replication all trust\nhost replication all 127.0.0.1/32 trust\n",
        )
        .unwrap();
        if is_root() {
            let _ = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status();
        }
        let pair = Pair {
            dir,
            bin,
            primary_port,
            standby_port,
            _guard: Mutex::new(guard),
        };
        pair.pg_ctl("primary", "start");
        let s = pair.dir.join("standby").display().to_string();
        check(
            "pg_basebackup",
            as_postgres(
                &pair.bin.join("pg_basebackup"),
                &[
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &primary_port.to_string(),
                    "-U",
                    "postgres",
                    "-D",
                    &s,
                    "-R",
                    "-X",
                    "stream",
                ],
            ),
            None,
        );
        // The copy is the primary's, settings included: the standby's own port, and no
        // synchronous standby of its own once promoted.
        let auto = pair.dir.join("standby/postgresql.auto.conf");
        let mut conf = std::fs::read_to_string(&auto).unwrap();
        conf.push_str(&format!(
            "port = {standby_port}\nsynchronous_standby_names = ''\n"
        ));
        std::fs::write(&auto, conf).unwrap();
        pair.pg_ctl("standby", "start");
        // Wait until the standby streams (so commits, waiting for it, go through).
        let mut client = pair.client(true);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let n: i64 = client
                .query_one(
                    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
                    &[],
                )
                .unwrap()
                .get(0);
            if n > 0 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the standby did not start streaming"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Some(pair)
    }

    /// `pg_ctl <action>` on `data` (`primary` or `standby`), waiting for it.
    pub fn pg_ctl(&self, data: &str, action: &str) {
        let path = self.dir.join(data).display().to_string();
        let log = self.dir.join(format!("{data}.log"));
        let log_arg = log.display().to_string();
        let mut args = vec!["-D", &path, "-l", &log_arg, "-w", "-t", "60"];
        if action == "stop" {
            args.extend(["-m", "immediate"]);
        }
        args.push(action);
        check(
            &format!("pg_ctl {action} {data}"),
            as_postgres(&self.bin.join("pg_ctl"), &args),
            Some(&log),
        );
    }

    /// A client of the primary's (or the standby's) `postgres` database.
    pub fn client(&self, primary: bool) -> postgres::Client {
        let port = if primary {
            self.primary_port
        } else {
            self.standby_port
        };
        postgres::Client::connect(
            &format!("host=127.0.0.1 port={port} user=postgres dbname=postgres"),
            postgres::NoTls,
        )
        .expect("connect to the pair")
    }

    /// The URL of the primary (or the standby), with the query options `query`.
    pub fn url(&self, primary: bool, query: &str) -> String {
        let port = if primary {
            self.primary_port
        } else {
            self.standby_port
        };
        format!("postgresql://postgres@127.0.0.1:{port}/postgres?{query}")
    }

    /// A schema of the test's own on the primary (so on the standby), and the query option
    /// making it every connection's `search_path`.
    pub fn schema(&self, name: &str) -> (String, String) {
        let schema = format!("repl_{name}");
        self.client(true)
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .expect("the test's schema");
        let option = format!("options=-c%20search_path%3D{schema}");
        (schema, option)
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for data in ["standby", "primary"] {
            let path = self.dir.join(data).display().to_string();
            as_postgres(
                &self.bin.join("pg_ctl"),
                &["-D", &path, "-m", "immediate", "-w", "stop"],
            );
        }
    }
}
