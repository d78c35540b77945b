//! libpq's connection parameters against the real server (`SQLCORE_TEST_PG_URL`, a primary):
//! several hosts, `target_session_attrs`, a unix socket directory, `application_name`,
//! `options`, `connect_timeout`, and the errors of unknown options and bad values.
#![cfg(feature = "postgres")]

mod common;

use common::pg;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use sqlcore::*;

/// The test server's user (with its password), host, port and database.
fn server() -> (String, String, u16, String) {
    let url: Url = pg::url().parse().expect("the test server's URL");
    let mut user =
        utf8_percent_encode(url.username().unwrap_or("postgres"), NON_ALPHANUMERIC).to_string();
    if let Some(pw) = url.password() {
        user = format!("{user}:{}", utf8_percent_encode(pw, NON_ALPHANUMERIC));
    }
    let host = match url.host().unwrap_or("127.0.0.1") {
        h if h.contains(':') => format!("[{h}]"),
        h => h.to_owned(),
    };
    (
        user,
        host,
        url.port().unwrap_or(5432),
        url.database().unwrap_or("test").to_owned(),
    )
}

/// A URL for the test server's user and database with this authority and query.
fn url(authority: &str, query: &str) -> String {
    let (user, _, _, db) = server();
    format!("postgresql://{user}@{authority}/{db}?{query}")
}

/// `host:port` of the test server.
fn up() -> String {
    let (_, host, port, _) = server();
    format!("{host}:{port}")
}

/// Connects with `url` and runs `sql`, returning its one value.
fn scalar<T: FromValue>(url: &str, sql: &str) -> Result<T> {
    let engine = Engine::builder(url).poolclass(PoolClass::Null).build()?;
    let mut conn = engine.connect()?;
    conn.execute(text(sql), ())?.scalar_one::<T>()
}

/// The server is reachable (under CI it must be).
fn server_up() -> bool {
    pg::connect().is_some()
}

#[test]
fn a_host_that_is_down_is_skipped_for_the_next() {
    if !server_up() {
        return;
    }
    let (_, _, port, _) = server();
    let second = url(&format!("127.0.0.1:1,{}", up()), "connect_timeout=5");
    assert_eq!(
        scalar::<i64>(&second, "SELECT inet_server_port()::int8").unwrap(),
        i64::from(port)
    );
    // The ports as a query option, one per host.
    let (_, host, port, _) = server();
    let listed = url(&format!("127.0.0.1,{host}"), &format!("port=1,{port}"));
    assert_eq!(
        scalar::<i64>(&listed, "SELECT inet_server_port()::int8").unwrap(),
        i64::from(port)
    );
    // Every host down: the error names them.
    let e = scalar::<i64>(&url("127.0.0.1:1,127.0.0.1:2", ""), "SELECT 1").unwrap_err();
    assert!(matches!(e, Error::Db(_)), "{e:?}");
    assert!(
        e.to_string()
            .contains("hosts tried: 127.0.0.1:1, 127.0.0.1:2"),
        "{e}"
    );
}

#[test]
fn target_session_attrs_against_a_primary() {
    if !server_up() {
        return;
    }
    let rw = url(
        &format!("127.0.0.1:1,{}", up()),
        "target_session_attrs=read-write",
    );
    assert!(!scalar::<bool>(&rw, "SELECT pg_is_in_recovery()").unwrap());
    let any = url(&up(), "target_session_attrs=any&load_balance_hosts=random");
    assert_eq!(scalar::<i64>(&any, "SELECT 1::int8").unwrap(), 1);
    // No standby here: read-only finds no host.
    let ro = url(
        &format!("127.0.0.1:1,{}", up()),
        "target_session_attrs=read-only",
    );
    let e = scalar::<i64>(&ro, "SELECT 1::int8").unwrap_err();
    assert!(matches!(e, Error::Db(_)), "{e:?}");
    assert!(e.to_string().contains("not read only"), "{e}");
    // What tokio-postgres cannot check is refused before connecting.
    for value in ["primary", "standby", "prefer-standby"] {
        let e = create_engine(&url(&up(), &format!("target_session_attrs={value}"))).unwrap_err();
        assert!(
            matches!(&e, Error::Argument(m) if m.contains(value) && m.contains("not supported")),
            "{e:?}"
        );
    }
}

#[test]
fn a_unix_socket_directory() {
    if !server_up() {
        return;
    }
    let dir = "/var/run/postgresql";
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if !std::path::Path::new(dir).is_dir() {
        assert!(!ci, "{dir} does not exist under CI");
        eprintln!("SKIPPING unix socket test: {dir} does not exist");
        return;
    }
    let (user, _, port, db) = server();
    let peer = "SELECT inet_server_addr() IS NULL";
    // libpq's forms: the `host` option, and the directory percent-encoded as the host.
    for url in [
        format!("postgresql://{user}@/{db}?host={dir}&port={port}"),
        format!("postgresql://{user}@%2Fvar%2Frun%2Fpostgresql:{port}/{db}"),
    ] {
        assert!(scalar::<bool>(&url, peer).unwrap(), "{url}");
    }
    // `host` replaces the URL's host, as in libpq: the socket, not TCP.
    let replaced = url(&up(), &format!("host={dir}"));
    assert!(scalar::<bool>(&replaced, peer).unwrap(), "{replaced}");
    // ... and a `host` that is TCP replaces a socket directory.
    let tcp = format!("postgresql://{user}@%2Fvar%2Frun%2Fpostgresql:{port}/{db}?host=127.0.0.1");
    assert!(!scalar::<bool>(&tcp, peer).unwrap(), "{tcp}");
}

#[test]
fn startup_parameters_reach_the_session() {
    if !server_up() {
        return;
    }
    let named = url(&up(), "application_name=sqlcore-libpq-test");
    assert_eq!(
        scalar::<String>(
            &named,
            "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()"
        )
        .unwrap(),
        "sqlcore-libpq-test"
    );
    let options = url(&up(), "options=-c%20statement_timeout%3D1234");
    assert_eq!(
        scalar::<String>(&options, "SHOW statement_timeout").unwrap(),
        "1234ms"
    );
    let keepalives = url(
        &up(),
        "keepalives=1&keepalives_idle=30&keepalives_interval=5&keepalives_retries=3",
    );
    assert_eq!(scalar::<i64>(&keepalives, "SELECT 1::int8").unwrap(), 1);
}

#[test]
fn user_dbname_and_password_as_query_options() {
    if !server_up() {
        return;
    }
    let (_, _, _, db) = server();
    let url = format!(
        "postgresql://nobody@{}/nodb?user=postgres&dbname={db}&password=s3cr%40t",
        up()
    );
    assert_eq!(
        scalar::<String>(&url, "SELECT current_user || '/' || current_database()").unwrap(),
        format!("postgres/{db}")
    );
    let engine = create_engine(&url).unwrap();
    assert!(!format!("{engine:?}").contains("s3cr"), "{engine:?}");
    assert!(!engine.url().to_string().contains("s3cr"));
    // A failing connection's error does not show it either.
    let down = format!("postgresql://postgres@127.0.0.1:1/{db}?password=s3cr%40t");
    let e = scalar::<i64>(&down, "SELECT 1").unwrap_err();
    assert!(!format!("{e} {e:?}").contains("s3cr"), "{e:?}");
}

#[test]
fn connection_parameters_on_the_builder() {
    if !server_up() {
        return;
    }
    let engine = Engine::builder(&url(&format!("127.0.0.1:1,{}", up()), ""))
        .connect_arg("application_name", "from-the-builder")
        .connect_arg("target_session_attrs", "read-write")
        .connect_arg("connect_timeout", 5)
        .poolclass(PoolClass::Null)
        .build()
        .unwrap();
    let mut conn = engine.connect().unwrap();
    let name: String = conn
        .execute(text("SELECT current_setting('application_name')"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(name, "from-the-builder");
    // It replaces the URL's option, and is checked like it.
    let engine = Engine::builder(&url(&up(), "application_name=from-the-url"))
        .connect_arg("application_name", "replaced")
        .build()
        .unwrap();
    assert!(
        engine
            .url()
            .to_string()
            .ends_with("?application_name=replaced")
    );
    for (name, value, says) in [
        ("bogus", "1", "unknown option \"bogus\""),
        ("keepalives", "2", "\"keepalives\"; expected 0 or 1"),
    ] {
        match Engine::builder(&url(&up(), ""))
            .connect_arg(name, value)
            .build()
        {
            Err(Error::Argument(m)) => assert!(m.contains(says), "{m}"),
            other => panic!("{name}={value}: {other:?}"),
        }
    }
}

#[test]
fn connect_timeout_bounds_a_host_that_does_not_answer() {
    // Port 1 on the loopback refuses: the attempt ends, within the timeout, with an error.
    let e = scalar::<i64>(&url("127.0.0.1:1", "connect_timeout=1"), "SELECT 1").unwrap_err();
    assert!(matches!(e, Error::Db(_)), "{e:?}");
}

#[test]
fn unknown_options_and_bad_values_are_argument_errors() {
    for (query, names) in [
        ("sslcompression=1", "sslcompression"),
        ("hostaddr=127.0.0.1", "hostaddr"),
        ("connect_timeout=soon", "connect_timeout"),
        ("keepalives=maybe", "keepalives"),
        ("keepalives_idle=x", "keepalives_idle"),
        ("keepalives_interval=x", "keepalives_interval"),
        ("keepalives_retries=-1", "keepalives_retries"),
        ("target_session_attrs=writable", "target_session_attrs"),
        ("load_balance_hosts=yes", "load_balance_hosts"),
        ("port=5432x", "port"),
        ("port=1,2,3", "3 ports for 2 hosts"),
    ] {
        let url = url("h1:5432,h2:5433", query);
        match create_engine(&url) {
            Err(Error::Argument(m)) => assert!(m.contains(names), "{url}: {m}"),
            other => panic!("{url}: {other:?}"),
        }
    }
}
