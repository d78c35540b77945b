//! A MySQL / MariaDB URL as the `mysql` crate's connection options, and the server's version
//! read at the first connect.

use crate::error::{DbError, DbErrorKind, Error, Result};
use crate::url::{Backend, Url};
#[cfg(feature = "tls-rustls")]
use mysql::ClientIdentity;
use mysql::{Opts, OptsBuilder, SslOpts};
use std::path::PathBuf;
use std::time::Duration;

/// The character sets a URL's `charset` may name: sqlcore reads text as UTF-8.
const CHARSETS: &[&str] = &["utf8mb4", "utf8mb3", "utf8"];

/// The connection options `url` gives (`mysql://user:password@host:port/database?...`; host
/// 127.0.0.1 and port 3306 by default), with `statement_cache` statements kept prepared per
/// connection. Options:
/// - `charset`: `utf8mb4` (the default, as SQLAlchemy's), `utf8mb3` or `utf8`;
/// - `unix_socket`: a socket path, used instead of TCP;
/// - `connect_timeout`, `read_timeout`, `write_timeout`: seconds (0 = none);
/// - `ssl_mode`: `DISABLED` (the default), `REQUIRED` (TLS without a certificate check),
///   `VERIFY_CA` (the chain against `ssl_ca`, or the web's roots) or `VERIFY_IDENTITY` (the chain
///   and the host name); `PREFERRED` is refused (the `mysql` crate cannot fall back to plain);
///   `ssl_ca`, `ssl_cert` + `ssl_key` (PEM files) for VERIFY_CA when no mode is given, and
///   `ssl_check_hostname=true` for VERIFY_IDENTITY, as mysqlclient reads them.
pub(super) fn opts_from_url(url: &Url, statement_cache: usize) -> Result<Opts> {
    let q = url.query();
    let charset = q.get("charset").map_or("utf8mb4", String::as_str);
    if !CHARSETS.contains(&charset) {
        return Err(Error::Argument(format!(
            "unsupported charset {charset:?}: sqlcore reads text as UTF-8; use one of {}",
            CHARSETS.join(", ")
        )));
    }
    let seconds = |name: &str| -> Result<Option<Duration>> {
        q.get(name)
            .map(|v| {
                v.parse::<u64>().map_err(|_| {
                    Error::Argument(format!("invalid {name} {v:?}; expected whole seconds"))
                })
            })
            .transpose()
            .map(|s| s.filter(|s| *s > 0).map(Duration::from_secs))
    };
    let mut builder = OptsBuilder::new()
        .ip_or_hostname(Some(url.host().unwrap_or("127.0.0.1")))
        .tcp_port(url.port().unwrap_or(3306))
        .user(url.username())
        .pass(url.password())
        .db_name(url.database())
        .socket(q.get("unix_socket").cloned())
        .prefer_socket(false)
        .tcp_connect_timeout(seconds("connect_timeout")?)
        .read_timeout(seconds("read_timeout")?)
        .write_timeout(seconds("write_timeout")?)
        .stmt_cache_size(statement_cache)
        // Every connection speaks UTF-8 and UTC (an aware timestamp is bound as its UTC wall
        // clock, and a TIMESTAMP column reads back in the session's zone).
        .init(vec![format!("SET NAMES {charset}, time_zone = '+00:00'")]);
    if let Some(ssl) = ssl_opts(url)? {
        builder = builder.ssl_opts(ssl);
    }
    Ok(builder.into())
}

/// The TLS options of `url`'s `ssl_*` options; `None` for a plain connection.
fn ssl_opts(url: &Url) -> Result<Option<SslOpts>> {
    let q = url.query();
    let file = |name: &str| -> Result<Option<PathBuf>> {
        let Some(path) = q.get(name) else {
            return Ok(None);
        };
        std::fs::metadata(path)
            .map_err(|e| Error::Argument(format!("cannot read {name} {path:?}: {e}")))?;
        Ok(Some(PathBuf::from(path)))
    };
    let (ca, cert, key) = (file("ssl_ca")?, file("ssl_cert")?, file("ssl_key")?);
    let check_hostname = match q.get("ssl_check_hostname").map(|v| v.to_ascii_lowercase()) {
        None => None,
        Some(v) if matches!(v.as_str(), "true" | "1" | "yes") => Some(true),
        Some(v) if matches!(v.as_str(), "false" | "0" | "no") => Some(false),
        Some(v) => {
            return Err(Error::Argument(format!(
                "invalid ssl_check_hostname {v:?}; expected true or false"
            )));
        }
    };
    let mode = match q.get("ssl_mode").map(|m| m.to_ascii_uppercase()) {
        Some(mode) => mode,
        None if ca.is_some() || cert.is_some() => match check_hostname {
            Some(true) => "VERIFY_IDENTITY".to_owned(),
            _ => "VERIFY_CA".to_owned(),
        },
        None => "DISABLED".to_owned(),
    };
    let identity = match (cert, key) {
        (Some(cert), Some(key)) => Some((cert, key)),
        (None, None) => None,
        _ => {
            return Err(Error::Argument(
                "ssl_cert and ssl_key go together: give both or neither".into(),
            ));
        }
    };
    let (check_chain, check_name) = match mode.as_str() {
        "DISABLED" => return Ok(None),
        "REQUIRED" => (false, false),
        "VERIFY_CA" => (true, false),
        "VERIFY_IDENTITY" => (true, true),
        "PREFERRED" => {
            return Err(Error::Argument(
                "ssl_mode PREFERRED is not supported (the driver cannot fall back to a plain connection); use DISABLED or REQUIRED".into(),
            ));
        }
        other => {
            return Err(Error::Argument(format!(
                "invalid ssl_mode {other:?}; expected DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY"
            )));
        }
    };
    #[cfg(feature = "tls-rustls")]
    {
        let ssl = SslOpts::default()
            .with_root_cert_path(ca.map(std::borrow::Cow::Owned))
            .with_client_identity(identity.map(|(cert, key)| ClientIdentity::new(cert, key)))
            .with_danger_accept_invalid_certs(!check_chain)
            .with_danger_skip_domain_validation(!check_name);
        Ok(Some(ssl))
    }
    #[cfg(not(feature = "tls-rustls"))]
    {
        let _ = (ca, identity, check_chain, check_name);
        Err(Error::NotCompiledIn {
            what: format!("TLS (ssl_mode={mode})"),
            feature: "tls-rustls",
        })
    }
}

/// What the server is, read once by the first connection (SQLAlchemy's `initialize`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// `VERSION()` as the server reports it (`10.11.19-MariaDB-0+deb12u1`, `8.0.36`).
    pub version_text: String,
    /// The version's numbers.
    pub version: (u16, u16, u16),
    /// Whether the server is MariaDB.
    pub is_mariadb: bool,
}

impl ServerInfo {
    /// Reads `VERSION()`'s text.
    pub(super) fn parse(version_text: String) -> Self {
        let mut numbers = version_text
            .split(|c: char| !c.is_ascii_digit())
            .map(|n| n.parse::<u16>().unwrap_or(0));
        let mut next = || numbers.next().unwrap_or(0);
        let version = (next(), next(), next());
        let is_mariadb = version_text.to_ascii_lowercase().contains("mariadb");
        ServerInfo {
            version_text,
            version,
            is_mariadb,
        }
    }

    /// The session variable holding the isolation level: `transaction_isolation` (MySQL
    /// 5.7.20+, MariaDB 11.1+) or `tx_isolation`.
    pub(super) fn isolation_variable(&self) -> &'static str {
        if self.is_mariadb && self.version < (11, 1, 0) {
            "@@tx_isolation"
        } else {
            "@@transaction_isolation"
        }
    }

    /// Refuses a server the URL's dialect cannot run on: the MariaDB dialect (RETURNING)
    /// needs MariaDB 10.5 or later, as SQLAlchemy's `mariadb://` refuses MySQL.
    pub(super) fn check(&self, backend: Backend) -> Result<()> {
        if backend != Backend::MariaDb {
            return Ok(());
        }
        let refused = if !self.is_mariadb {
            format!(
                "a mariadb:// URL needs a MariaDB server; this one is MySQL {}: use mysql://",
                self.version_text
            )
        } else if self.version < (10, 5, 0) {
            format!(
                "the mariadb dialect needs MariaDB 10.5 or later (RETURNING); this server is {}: use mysql://",
                self.version_text
            )
        } else {
            return Ok(());
        };
        Err(Error::Db(DbError::new(DbErrorKind::NotSupported, refused)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_versions_and_dialect_checks() {
        let maria = ServerInfo::parse("10.11.19-MariaDB-0+deb12u1".into());
        assert_eq!((maria.version, maria.is_mariadb), ((10, 11, 19), true));
        assert_eq!(maria.isolation_variable(), "@@tx_isolation");
        assert!(maria.check(Backend::MariaDb).is_ok());
        let old = ServerInfo::parse("10.4.2-MariaDB".into());
        assert!(old.check(Backend::MariaDb).is_err());
        assert!(old.check(Backend::MySql).is_ok());
        let mysql = ServerInfo::parse("8.0.36".into());
        assert_eq!(mysql.isolation_variable(), "@@transaction_isolation");
        assert!(
            mysql
                .check(Backend::MariaDb)
                .unwrap_err()
                .to_string()
                .contains("MySQL 8.0.36")
        );
    }

    #[test]
    fn options_are_checked() {
        let opts = |u: &str| opts_from_url(&u.parse().unwrap(), 10);
        assert!(opts("mysql://u:pw@h/db?charset=utf8mb4&connect_timeout=5").is_ok());
        for (bad, says) in [
            ("mysql://u@h/db?charset=latin1", "UTF-8"),
            ("mysql://u@h/db?connect_timeout=soon", "whole seconds"),
            ("mysql://u@h/db?ssl_mode=PREFERRED", "PREFERRED"),
            ("mysql://u@h/db?ssl_mode=sometimes", "invalid ssl_mode"),
            ("mysql://u@h/db?ssl_ca=/nonexistent/ca.pem", "ssl_ca"),
        ] {
            let e = opts(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[cfg(not(feature = "tls-rustls"))]
    #[test]
    fn without_tls_a_tls_mode_names_the_feature() {
        let opts = |u: &str| opts_from_url(&u.parse().unwrap(), 10);
        assert!(opts("mysql://u@h/db?ssl_mode=DISABLED").is_ok());
        let e = opts("mysql://u@h/db?ssl_mode=REQUIRED").unwrap_err();
        assert!(
            matches!(
                e,
                Error::NotCompiledIn {
                    feature: "tls-rustls",
                    ..
                }
            ),
            "{e}"
        );
    }
}
