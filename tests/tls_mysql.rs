//! TLS to MySQL / MariaDB: every `ssl_mode` against a MariaDB server of this test's own whose
//! certificate (for `localhost`) a CA made here signed (`common::mariadb_tls`), a client
//! certificate, and the verification failures as typed errors naming the host; on both engines.
#![cfg(all(feature = "mysql", feature = "tls-rustls"))]

mod common;

use common::mariadb_tls::{self, TlsServer};
use sqlcore::*;

fn server() -> Option<&'static TlsServer> {
    mariadb_tls::shared()
}

const SSL_VERSION: &str = "SELECT variable_value FROM information_schema.session_status \
                           WHERE variable_name = 'SSL_VERSION'";

/// Connects with `url`: the TLS version of the session as the server sees it (`None` for a
/// plain connection). The async engine (its native connection, with `mysql-async`) connects
/// alike: the same TLS or none, or the same kind of error naming the same server.
fn tls_version(url: &str) -> Result<Option<String>> {
    let sync = sync_tls_version(url);
    #[cfg(feature = "async")]
    match (&sync, &async_tls_version(url)) {
        (Ok(a), Ok(b)) => assert_eq!(a.is_some(), b.is_some(), "{url}: {a:?} / {b:?}"),
        (Err(Error::Db(a)), Err(Error::Db(b))) => {
            assert_eq!((a.kind, a.reason), (b.kind, b.reason), "{url}: {a} / {b}");
            if let Some(peer) = a
                .message
                .strip_prefix("TLS with ")
                .and_then(|m| m.split(' ').next())
            {
                assert!(b.message.contains(peer), "{url}: {b}");
            }
        }
        (a, b) => panic!("{url}: the engines disagree: {a:?} / {b:?}"),
    }
    sync
}

fn sync_tls_version(url: &str) -> Result<Option<String>> {
    let engine = Engine::builder(url).poolclass(PoolClass::Null).build()?;
    let mut conn = engine.connect()?;
    let version: String = conn.execute(text(SSL_VERSION), ())?.scalar_one()?;
    Ok(Some(version).filter(|v| !v.is_empty()))
}

#[cfg(feature = "async")]
fn async_tls_version(url: &str) -> Result<Option<String>> {
    common::engines::run(async {
        let engine = AsyncEngine::builder(url)
            .poolclass(PoolClass::Null)
            .build_async()?;
        let mut conn = engine.connect().await?;
        let version: String = conn.execute(text(SSL_VERSION), ()).await?.scalar_one()?;
        Ok(Some(version).filter(|v| !v.is_empty()))
    })
}

fn tls_error(url: &str) -> DbError {
    match tls_version(url) {
        Err(Error::Db(e)) => e,
        other => panic!("{url}: expected a TLS error, got {other:?}"),
    }
}

#[test]
fn each_ssl_mode_connects() {
    let Some(server) = server() else { return };
    let ca = server.ca();
    let ip = "127.0.0.1";
    let cases = [
        (server.url(ip, ""), false),
        (server.url(ip, "ssl_mode=DISABLED"), false),
        // REQUIRED checks nothing: the name and the chain are not verified.
        (server.url(ip, "ssl_mode=REQUIRED"), true),
        (server.url(ip, "ssl_mode=required"), true),
        // VERIFY_CA checks the chain, not the name (the certificate is for localhost).
        (
            server.url(ip, &format!("ssl_mode=VERIFY_CA&ssl_ca={ca}")),
            true,
        ),
        // ssl_ca alone means VERIFY_CA, as mysqlclient reads it.
        (server.url(ip, &format!("ssl_ca={ca}")), true),
        (
            server.url(
                "localhost",
                &format!("ssl_mode=VERIFY_IDENTITY&ssl_ca={ca}"),
            ),
            true,
        ),
        (
            server.url("localhost", &format!("ssl_ca={ca}&ssl_check_hostname=true")),
            true,
        ),
    ];
    for (url, tls) in cases {
        let version = tls_version(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(version.is_some(), tls, "{url}: {version:?}");
        if let Some(version) = version {
            assert!(version.starts_with("TLSv1."), "{url}: {version}");
        }
    }
}

#[test]
fn verify_identity_refuses_a_wrong_host_name() {
    let Some(server) = server() else { return };
    let url = server.url(
        "127.0.0.1",
        &format!("ssl_mode=VERIFY_IDENTITY&ssl_ca={}", server.ca()),
    );
    let e = tls_error(&url);
    assert_eq!(e.kind, DbErrorKind::Operational, "{e}");
    assert_eq!(e.reason, Some(DbErrorReason::Tls), "{e}");
    assert!(
        e.message.contains(&format!("127.0.0.1:{}", server.port)),
        "{e}"
    );
    assert!(e.message.contains("certificate"), "{e}");
}

#[test]
fn an_untrusted_ca_is_refused_with_the_host() {
    let Some(server) = server() else { return };
    let other = server.other_ca();
    for query in [
        format!("ssl_mode=VERIFY_IDENTITY&ssl_ca={other}"),
        format!("ssl_mode=VERIFY_CA&ssl_ca={other}"),
        format!("ssl_ca={other}"),
    ] {
        let e = tls_error(&server.url("localhost", &query));
        assert_eq!(e.reason, Some(DbErrorReason::Tls), "{query}: {e}");
        assert!(
            e.message.contains(&format!("localhost:{}", server.port)),
            "{query}: {e}"
        );
        assert!(e.message.to_lowercase().contains("issuer"), "{query}: {e}");
    }
    // The password never shows in the error.
    let url = server
        .url("localhost", &format!("ssl_ca={other}"))
        .replace("root@", "root:s3cr3t-pw@");
    let err = tls_version(&url).unwrap_err();
    assert!(!format!("{err} {err:?}").contains("s3cr3t-pw"));
}

/// `ssl_cert` + `ssl_key` present a client certificate: an account that requires one
/// (`REQUIRE X509`) connects with it and is refused without.
#[test]
fn a_client_certificate_is_presented() {
    let Some(server) = server() else { return };
    let admin = create_engine(&server.url("127.0.0.1", "ssl_mode=REQUIRED")).unwrap();
    let mut conn = admin.connect().unwrap();
    // An anonymous account for localhost would take the connection before 'x509'@'%'.
    let anonymous: Vec<String> = conn
        .execute(text("SELECT host FROM mysql.user WHERE user = ''"), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    for host in anonymous {
        let drop = format!(
            "DROP USER ''@{}",
            Dialect::quote_string(&MySQL, &host).unwrap()
        );
        conn.execute(text(&drop), ()).unwrap();
    }
    for sql in [
        "CREATE USER IF NOT EXISTS 'x509'@'%' REQUIRE X509",
        "GRANT SELECT ON mysql.db TO 'x509'@'%'",
    ] {
        conn.execute(text(sql), ()).unwrap();
    }
    let (cert, key) = server.client_identity();
    let ca = server.ca();
    let with_cert = server
        .url(
            "localhost",
            &format!("ssl_ca={ca}&ssl_cert={cert}&ssl_key={key}"),
        )
        .replace("root@", "x509@");
    assert!(tls_version(&with_cert).unwrap().is_some());
    let without = server
        .url("localhost", &format!("ssl_ca={ca}"))
        .replace("root@", "x509@");
    let e = match tls_version(&without) {
        Err(Error::Db(e)) => e,
        other => panic!("expected access denied, got {other:?}"),
    };
    assert!(e.message.contains("1045"), "{e}");
    // One of the pair alone is an argument error.
    let half = server.url("localhost", &format!("ssl_ca={ca}&ssl_cert={cert}"));
    assert!(matches!(create_engine(&half), Err(Error::Argument(_))));
}
