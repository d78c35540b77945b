//! TLS to PostgreSQL: every `sslmode` against the test server (which runs with `ssl=on`), the
//! verification failures as typed errors, and the certificate files as arguments.
//!
//! The server's own certificate (`SHOW ssl_cert_file`, self-signed) is the root that verifies
//! it; a CA generated here is the untrusted one.
#![cfg(all(feature = "postgres", feature = "tls-rustls"))]

mod common;

use common::pg;
use sqlcore::*;
use std::path::PathBuf;

/// A directory of this test's own, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("sqlcore-tls-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary directory");
        TempDir(dir)
    }

    fn file(&self, name: &str, content: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, content).expect("write a test file");
        path.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The server's certificate file and the host name it is for, or `None` (skipped outside CI)
/// when the server is unreachable.
fn server_cert() -> Option<(String, String)> {
    let mut client = pg::connect()?;
    let row = client
        .query_one(
            "SELECT current_setting('ssl'), current_setting('ssl_cert_file')",
            &[],
        )
        .expect("SHOW ssl");
    let (ssl, file): (String, String) = (row.get(0), row.get(1));
    assert_eq!(ssl, "on", "the test server runs with ssl=on");
    // Debian's snakeoil certificate, self-signed, for the host `localhost`.
    let names = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-ext", "subjectAltName", "-in", &file])
        .output()
        .expect("openssl");
    let names = String::from_utf8_lossy(&names.stdout);
    assert!(
        names.contains("DNS:localhost") && !names.contains("127.0.0.1"),
        "the tests expect the server's certificate {file} to name localhost (only): {names}"
    );
    Some((file, "localhost".to_owned()))
}

/// The test server's URL with `host` and the query options `query`.
fn url(host: &str, query: &str) -> String {
    let base = pg::url().replace("@127.0.0.1", &format!("@{host}"));
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{query}")
}

/// Connects with `url`: whether the session runs over TLS, as the server sees it.
fn ssl_in_use(url: &str) -> Result<bool> {
    let engine = Engine::builder(url).poolclass(PoolClass::Null).build()?;
    let mut conn = engine.connect()?;
    conn.execute(
        text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"),
        (),
    )?
    .scalar_one::<bool>()
}

/// A CA of our own, which the server's certificate is not signed by.
fn other_ca() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["sqlcore test CA".to_owned()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.self_signed(&key).unwrap().pem()
}

fn tls_error(url: &str) -> DbError {
    match ssl_in_use(url) {
        Err(Error::Db(e)) => e,
        other => panic!("{url}: expected a TLS error, got {other:?}"),
    }
}

#[test]
fn each_sslmode_connects() {
    let Some((root, name)) = server_cert() else {
        return;
    };
    let ip = "127.0.0.1";
    let cases = [
        (url(ip, "application_name=tls"), false),
        (url(ip, "sslmode=disable"), false),
        (url(ip, "sslmode=allow"), false),
        (url(ip, "sslmode=prefer"), true),
        (url(ip, "sslmode=require"), true),
        // require with a root file verifies the chain (as verify-ca): the server's own.
        (
            url(ip, &format!("sslmode=require&sslrootcert={root}")),
            true,
        ),
        // verify-ca does not check the name: the certificate is for `localhost`.
        (
            url(ip, &format!("sslmode=verify-ca&sslrootcert={root}")),
            true,
        ),
        (
            url(&name, &format!("sslmode=verify-full&sslrootcert={root}")),
            true,
        ),
    ];
    for (url, tls) in cases {
        assert_eq!(ssl_in_use(&url).unwrap(), tls, "{url}");
    }
}

#[test]
fn verify_full_refuses_a_wrong_host_name() {
    let Some((root, _)) = server_cert() else {
        return;
    };
    let e = tls_error(&url(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={root}"),
    ));
    assert_eq!(e.kind, DbErrorKind::Operational);
    assert_eq!(e.reason, Some(DbErrorReason::Tls));
    assert!(e.message.contains("127.0.0.1"), "{e}");
    assert!(e.message.contains("name mismatch"), "{e}");
    assert!(e.message.contains("localhost"), "{e}");
}

#[test]
fn an_untrusted_ca_is_refused_with_the_host_and_the_reason() {
    if server_cert().is_none() {
        return;
    }
    let dir = TempDir::new("untrusted");
    let ca = dir.file("ca.pem", &other_ca());
    // verify-full, verify-ca, and require with a root file (libpq's rule) all check the chain.
    for mode in ["verify-full", "verify-ca", "require"] {
        let e = tls_error(&url(
            "localhost",
            &format!("sslmode={mode}&sslrootcert={ca}"),
        ));
        assert_eq!(e.reason, Some(DbErrorReason::Tls), "{mode}: {e}");
        assert!(e.message.contains("localhost"), "{mode}: {e}");
        assert!(e.message.contains("unknown issuer"), "{mode}: {e}");
        assert!(!e.connection_invalidated());
    }
}

#[test]
fn the_password_never_shows_in_a_tls_error() {
    let Some((_, name)) = server_cert() else {
        return;
    };
    let dir = TempDir::new("password");
    let ca = dir.file("ca.pem", &other_ca());
    let url = url(&name, &format!("sslmode=verify-full&sslrootcert={ca}"))
        .replace("postgres@", "postgres:s3cr3t-pw@");
    let err = ssl_in_use(&url).unwrap_err();
    assert!(!format!("{err} {err:?}").contains("s3cr3t-pw"));
}

#[test]
fn bad_certificate_files_are_argument_errors_naming_the_option() {
    let dir = TempDir::new("files");
    let missing = dir.0.join("missing.pem").display().to_string();
    let garbage = dir.file(
        "garbage.pem",
        "-----BEGIN CERTIFICATE-----\n!!not base64!!\n-----END CERTIFICATE-----\n",
    );
    let empty = dir.file("empty.pem", "no PEM here\n");
    let secret_key = dir.file(
        "key.pem",
        "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYMATERIAL!!\n-----END PRIVATE KEY-----\n",
    );
    let cert = dir.file("cert.pem", &other_ca());
    let cases = [
        (
            format!("sslmode=verify-full&sslrootcert={missing}"),
            "sslrootcert",
            Some(&missing),
        ),
        (
            format!("sslmode=require&sslrootcert={garbage}"),
            "sslrootcert",
            Some(&garbage),
        ),
        (
            format!("sslmode=verify-ca&sslrootcert={empty}"),
            "sslrootcert",
            Some(&empty),
        ),
        (
            format!("sslmode=require&sslcert={missing}&sslkey={secret_key}"),
            "sslcert",
            Some(&missing),
        ),
        (
            format!("sslmode=require&sslcert={cert}&sslkey={secret_key}"),
            "sslkey",
            Some(&secret_key),
        ),
        (format!("sslmode=require&sslcert={cert}"), "sslkey", None),
        ("sslmode=verify-everything".to_owned(), "sslmode", None),
    ];
    for (query, option, path) in cases {
        // The files are read when the engine is built: no server is needed.
        let err = Engine::builder(&url("127.0.0.1", &query))
            .build()
            .unwrap_err();
        let Error::Argument(message) = &err else {
            panic!("{query}: expected an ArgumentError, got {err:?}");
        };
        assert!(message.contains(option), "{query}: {message}");
        if let Some(path) = path {
            assert!(message.contains(path.as_str()), "{query}: {message}");
        }
        assert!(!message.contains("TOPSECRET"), "{query}: {message}");
    }
    // Unknown options stay errors.
    let err = Engine::builder(&url("127.0.0.1", "sslpassword=x"))
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Argument(_)), "{err:?}");
}

#[test]
fn the_shared_engine_suite_runs_over_tls() {
    let Some(db) = common::backend::TestDb::postgres_tls("tls_suite") else {
        return;
    };
    assert!(ssl_in_use(&db.url()).unwrap());
}

/// A throwaway PostgreSQL cluster on a port of its own, stopped and removed on drop: with `ssl`,
/// it admits only TLS connections with a client certificate signed by its CA (`cert`
/// authentication); without, only plain ones (`trust`).
struct CertCluster {
    dir: TempDir,
    bin: PathBuf,
    port: u16,
    ca: String,
}

/// Runs `program` with `args` as the `postgres` user when we are root (initdb refuses root).
fn as_postgres(program: &std::path::Path, args: &[&str]) -> std::process::Output {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut command = if root {
        let mut c = std::process::Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        std::process::Command::new(program)
    };
    command
        .args(args)
        .output()
        .expect("run a PostgreSQL program")
}

impl CertCluster {
    /// The cluster, or `None` (skipped with a message outside CI) without PostgreSQL's
    /// server programs.
    fn start(name: &str, ssl: bool) -> Option<CertCluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .filter_map(|e| Some(e.ok()?.path().join("bin")))
            .filter(|p| p.join("initdb").exists())
            .max();
        let Some(bin) = bin else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "PostgreSQL's server programs (initdb, pg_ctl) are missing under CI"
            );
            eprintln!("SKIPPING the client certificate cluster: no initdb");
            return None;
        };
        let dir = TempDir::new(name);
        let issuer = {
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, "sqlcore test CA");
            params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap())
                .unwrap()
        };
        let ca = dir.file("ca.crt", &issuer.pem());
        let server_key = rcgen::KeyPair::generate().unwrap();
        let server = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
            .unwrap()
            .signed_by(&server_key, &issuer)
            .unwrap();
        dir.file("server.crt", &server.pem());
        dir.file("server.key", &server_key.serialize_pem());
        let client_key = rcgen::KeyPair::generate().unwrap();
        let mut client = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        client
            .distinguished_name
            .push(rcgen::DnType::CommonName, "postgres");
        let client = client.signed_by(&client_key, &issuer).unwrap();
        dir.file("client.crt", &client.pem());
        dir.file("client.key", &client_key.serialize_pem());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let data = dir.0.join("data");
        let path = |p: &PathBuf| p.display().to_string();
        std::fs::create_dir(&data).unwrap();
        let chown = std::process::Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir.0)
            .status();
        assert!(chown.is_ok(), "chown the cluster's directory");
        let init = as_postgres(
            &bin.join("initdb"),
            &["-D", &path(&data), "-U", "postgres", "--auth=trust", "-N"],
        );
        assert!(
            init.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let d = path(&dir.0);
        std::fs::write(
            data.join("postgresql.auto.conf"),
            format!(
                "port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{d}'\n\
                 fsync = off\nssl = {}\nssl_cert_file = '{d}/server.crt'\n\
                 ssl_key_file = '{d}/server.key'\nssl_ca_file = '{d}/ca.crt'\n",
                if ssl { "on" } else { "off" }
            ),
        )
        .unwrap();
        std::fs::write(
            data.join("pg_hba.conf"),
            if ssl {
                "local all all trust\nhostssl all all 127.0.0.1/32 cert\n"
            } else {
                "local all all trust\nhost all all 127.0.0.1/32 trust\n"
            },
        )
        .unwrap();
        let _ = std::process::Command::new("chmod")
            .arg("600")
            .arg(dir.0.join("server.key"))
            .status();
        let _ = std::process::Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir.0)
            .status();
        let cluster = CertCluster { dir, bin, port, ca };
        let log = path(&cluster.dir.0.join("log"));
        let started = as_postgres(
            &cluster.bin.join("pg_ctl"),
            &["-D", &path(&data), "-l", &log, "-w", "-t", "30", "start"],
        );
        assert!(
            started.status.success(),
            "pg_ctl start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        Some(cluster)
    }

    /// The cluster's URL with the query options `query`.
    fn url(&self, query: &str) -> String {
        format!(
            "postgresql://postgres@localhost:{}/postgres?{query}",
            self.port
        )
    }

    fn client(&self) -> (String, String) {
        let file = |n: &str| self.dir.0.join(n).display().to_string();
        (file("client.crt"), file("client.key"))
    }
}

impl Drop for CertCluster {
    fn drop(&mut self) {
        let data = self.dir.0.join("data").display().to_string();
        as_postgres(
            &self.bin.join("pg_ctl"),
            &["-D", &data, "-m", "immediate", "-w", "stop"],
        );
    }
}

#[test]
fn a_client_certificate_authenticates() {
    let Some(cluster) = CertCluster::start("certauth", true) else {
        return;
    };
    let (cert, key) = cluster.client();
    let ca = &cluster.ca;
    let with_cert = format!("sslrootcert={ca}&sslcert={cert}&sslkey={key}");
    for mode in ["verify-full", "verify-ca", "require", "prefer"] {
        let url = cluster.url(&format!("sslmode={mode}&{with_cert}"));
        assert!(ssl_in_use(&url).unwrap(), "{mode}");
    }
    // verify-full checks an IP address against the certificate's IP names.
    let by_ip = cluster
        .url(&format!("sslmode=verify-full&{with_cert}"))
        .replace("@localhost", "@127.0.0.1");
    assert!(ssl_in_use(&by_ip).unwrap());
    // A SEC1 ("EC PRIVATE KEY") key as well as the PKCS#8 one.
    let sec1 = cluster.dir.0.join("client.sec1.key").display().to_string();
    let converted = std::process::Command::new("openssl")
        .args(["ec", "-in", &key, "-out", &sec1])
        .output()
        .expect("openssl");
    assert!(converted.status.success());
    assert!(
        std::fs::read_to_string(&sec1)
            .unwrap()
            .contains("BEGIN EC PRIVATE KEY")
    );
    let url = cluster.url(&format!(
        "sslmode=verify-full&sslrootcert={ca}&sslcert={cert}&sslkey={sec1}"
    ));
    assert!(ssl_in_use(&url).unwrap());
    // `allow` tries plain first, which the server refuses (class 28), then TLS.
    assert!(ssl_in_use(&cluster.url(&format!("sslmode=allow&{with_cert}"))).unwrap());
    // Without the certificate, or without TLS, the server refuses the session.
    for query in [
        format!("sslmode=verify-full&sslrootcert={ca}"),
        "sslmode=disable".into(),
    ] {
        let err = ssl_in_use(&cluster.url(&query)).unwrap_err();
        let db = err
            .as_db_error()
            .unwrap_or_else(|| panic!("{query}: {err:?}"));
        assert_eq!(db.sqlstate.as_deref(), Some("28000"), "{query}: {err}");
    }
    // The session runs as the certificate's name.
    let engine = Engine::builder(&cluster.url(&format!("sslmode=verify-full&{with_cert}")))
        .poolclass(PoolClass::Null)
        .build()
        .unwrap();
    let dn: String = engine
        .connect()
        .unwrap()
        .execute(
            text("SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()"),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(dn, "/CN=postgres");
}

#[test]
fn a_server_without_tls() {
    let Some(cluster) = CertCluster::start("plain", false) else {
        return;
    };
    // prefer falls back to plain; require and the verify modes refuse, naming the host.
    assert!(!ssl_in_use(&cluster.url("sslmode=prefer")).unwrap());
    for mode in ["require", "verify-ca", "verify-full"] {
        let e = tls_error(&cluster.url(&format!("sslmode={mode}&sslrootcert={}", cluster.ca)));
        assert_eq!(e.reason, Some(DbErrorReason::Tls), "{mode}: {e}");
        assert!(e.message.contains("localhost"), "{mode}: {e}");
        assert!(e.message.contains("does not support TLS"), "{mode}: {e}");
    }
}
