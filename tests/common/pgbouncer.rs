//! PgBouncer for the tests: one per test binary, on a free port, in transaction pooling mode,
//! in front of the test server. Each test gets a database of its own through it (PgBouncer
//! passes no `options` startup parameter, so a per-test `search_path` cannot be set).
//!
//! The bouncer runs under a shell that stops it when this process's end closes its stdin, so
//! nothing outlives the tests. Its pools are small (4 server connections per database, or 2
//! for [`small_bouncer`]) and
//! hand server connections round robin, so a client's consecutive transactions run on
//! different server sessions — what breaks state kept on the session.

use super::pg;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A running PgBouncer.
pub struct Bouncer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// The user the tests connect as.
    pub user: String,
    /// The shell running the bouncer: its stdin closing (at the end of the process) stops it.
    _shell: Mutex<Child>,
}

/// A test of the shared suites, by name.
pub type SuiteTest = (&'static str, fn(&super::backend::TestDb));

/// The pgbouncer program, if installed.
fn program() -> Option<PathBuf> {
    [
        "/usr/sbin/pgbouncer",
        "/usr/bin/pgbouncer",
        "/usr/local/bin/pgbouncer",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// The bouncer of this test binary (4 server connections per database), started on first
/// use; `None` (with a message) when the server or pgbouncer is missing outside CI. Under
/// `CI=true` either is a failure.
pub fn bouncer() -> Option<&'static Bouncer> {
    static BOUNCER: OnceLock<Option<Bouncer>> = OnceLock::new();
    BOUNCER.get_or_init(|| start(4)).as_ref()
}

/// A second bouncer of this test binary with only 2 server connections per database, for
/// tests that run more clients than the bouncer has server connections.
pub fn small_bouncer() -> Option<&'static Bouncer> {
    static BOUNCER: OnceLock<Option<Bouncer>> = OnceLock::new();
    BOUNCER.get_or_init(|| start(2)).as_ref()
}

fn start(pool_size: usize) -> Option<Bouncer> {
    pg::connect()?;
    let Some(program) = program() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "pgbouncer is missing under CI (.ci/run installs Debian's pgbouncer)"
        );
        eprintln!("SKIPPING the PgBouncer tests: pgbouncer is not installed");
        return None;
    };
    let server: sqlcore::Url = pg::url().parse().expect("the test server's URL");
    let user = server.username().unwrap_or("postgres").to_owned();
    let dir = std::env::temp_dir().join(format!(
        "sqlcore-pgbouncer-{}-{pool_size}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the bouncer's directory");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let d = dir.display();
    let password = server
        .password()
        .map(|p| format!(" password={p}"))
        .unwrap_or_default();
    std::fs::write(
        dir.join("pgbouncer.ini"),
        format!(
            "[databases]\n* = host={} port={} user={user}{password}\n\n\
             [pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
             auth_type = trust\nauth_file = {d}/userlist.txt\npool_mode = transaction\n\
             default_pool_size = {pool_size}\nmin_pool_size = {pool_size}\nmax_client_conn = 1000\nserver_round_robin = 1\nquery_wait_timeout = 30\n\
             max_prepared_statements = 0\n\
             server_reset_query =\nignore_startup_parameters = extra_float_digits\n\
             logfile = {d}/pgbouncer.log\npidfile = {d}/pgbouncer.pid\n",
            server.host().unwrap_or("127.0.0.1"),
            server.port().unwrap_or(5432),
        ),
    )
    .unwrap();
    std::fs::write(dir.join("userlist.txt"), format!("\"{user}\" \"\"\n")).unwrap();
    let as_user = if is_root() {
        let _ = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status();
        "-u postgres"
    } else {
        ""
    };
    // pgbouncer 1.18 does not know max_prepared_statements (its default: none kept);
    // newer ones would keep statements for clients, which the tests must not rely on.
    let version = Command::new(&program)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if version.contains("PgBouncer 1.1") || version.contains("PgBouncer 1.20") {
        let ini = dir.join("pgbouncer.ini");
        let text = std::fs::read_to_string(&ini).unwrap();
        std::fs::write(&ini, text.replace("max_prepared_statements = 0\n", "")).unwrap();
    }
    let script = format!(
        "{} {as_user} {d}/pgbouncer.ini & pid=$!; read _; kill $pid; wait $pid; rm -rf {d}",
        program.display()
    );
    // The bouncer also logs every login to stderr: into a file, never into a pipe nobody
    // reads (once the pipe is full the bouncer blocks on its next log line, and with it every
    // client — which looked like a stall of the clients themselves).
    let stderr = std::fs::File::create(dir.join("stderr.log")).expect("the bouncer's stderr");
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("start pgbouncer");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            let err = std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default();
            let log = std::fs::read_to_string(dir.join("pgbouncer.log")).unwrap_or_default();
            panic!("pgbouncer exited ({status}): {err}\n{log}");
        }
        assert!(
            Instant::now() < deadline,
            "pgbouncer did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(Bouncer {
        port,
        user,
        _shell: Mutex::new(child),
    })
}

impl Bouncer {
    /// The URL of `database` through the bouncer, with `pgbouncer=true`.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql://{}@127.0.0.1:{}/{database}?pgbouncer=true",
            self.user, self.port
        )
    }
}

/// Runs each `(name, test)` through the bouncer, eight at a time on eight threads, each thread
/// on a database of its own, emptied before each test; fails naming every test that failed.
pub fn run_suite(tests: &[SuiteTest]) {
    if bouncer().is_none() {
        return;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed = Mutex::new(Vec::new());
    let (next, failed) = (&next, &failed);
    std::thread::scope(|scope| {
        for thread in 0..8 {
            scope.spawn(move || {
                // A database per thread, emptied between its tests and dropped at the end.
                let database = format!("sqlcore_pgb_suite_{}_{thread}", std::process::id());
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((name, test)) = tests.get(i) else {
                        break;
                    };
                    let Some(db) = super::backend::TestDb::pgbouncer_reused(&database) else {
                        break;
                    };
                    let outcome =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test(&db)));
                    if let Err(panic) = outcome {
                        let message = panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        failed.lock().unwrap().push(format!("{name}: {message}"));
                    }
                }
                super::backend::TestDb::drop_database(&database);
            });
        }
    });
    let failed = failed.lock().unwrap();
    assert!(
        failed.is_empty(),
        "{} of {} tests failed through PgBouncer:\n{}",
        failed.len(),
        tests.len(),
        failed.join("\n")
    );
}

/// Runs the listed test functions (taking `&TestDb`) through PgBouncer in transaction pooling
/// mode, on eight threads at once, each on a database of its own (see [`run_suite`]).
#[macro_export]
macro_rules! through_pgbouncer {
    ($($name:ident),* $(,)?) => {
        // Every test is used, with PgBouncer compiled in or not.
        const _: () = { $(let _ = $name;)* };
        #[cfg(feature = "postgres")]
        mod pgbouncer {
            #[test]
            fn the_suite_passes_through_pgbouncer_on_8_threads() {
                let tests: &[$crate::common::pgbouncer::SuiteTest] =
                    &[$((stringify!($name), super::$name)),*];
                $crate::common::pgbouncer::run_suite(tests);
            }
        }
    };
}
