//! TLS for PostgreSQL connections, over rustls (ring), with libpq's options and meanings:
//! `sslmode`, `sslrootcert`, `sslcert`, `sslkey`.
//!
//! | `sslmode` | TLS | certificate checked |
//! |---|---|---|
//! | `disable` (sqlcore's default) | never | — |
//! | `allow` | plain first; TLS if the server refuses the plain connection (SQLSTATE class 28) | no |
//! | `prefer` | if the server offers it | no |
//! | `require` | always | no — but as `verify-ca` when `sslrootcert` is given |
//! | `verify-ca` | always | chain against the roots; the host name is not checked |
//! | `verify-full` | always | chain and host name (or IP address) |
//!
//! The roots are `sslrootcert=<PEM file>` or, without it (or with `sslrootcert=system`), the
//! system's store. Unverified modes still check the handshake's signatures; only the trust in
//! the certificate is skipped.

//!
//! Without the `tls-rustls` feature, as libpq built without SSL support: `allow` and `prefer`
//! connect in plain text, and `require`, `verify-ca` and `verify-full` are an
//! [`Error::NotCompiledIn`] naming the feature.

#[cfg(feature = "tls-rustls")]
mod rustls_config;

use crate::error::{DbError, Error, Result};
use tokio_postgres::config::SslMode as PgSslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum SslMode {
    #[default]
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// The TLS options of a URL (the files are read by `tls-rustls` only).
#[derive(Debug, Clone, Default)]
#[cfg_attr(not(feature = "tls-rustls"), allow(dead_code))]
pub(super) struct TlsOptions {
    mode: SslMode,
    root_cert: Option<String>,
    cert: Option<String>,
    key: Option<String>,
}

/// How a connection sets up TLS: the mode tokio-postgres negotiates, and the connector (none
/// for plain connections).
#[derive(Clone)]
pub(super) struct Tls {
    pub mode: PgSslMode,
    pub connector: Option<MakeRustlsConnect>,
    /// `sslmode=allow`: try plain first, then TLS.
    pub allow: bool,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("mode", &self.mode)
            .field("connector", &self.connector.as_ref().map(|_| "rustls"))
            .field("allow", &self.allow)
            .finish()
    }
}

impl TlsOptions {
    /// Takes the URL option `key` if it is a TLS one (`Ok(false)` otherwise).
    pub fn set(&mut self, key: &str, value: &str) -> Result<bool> {
        match key {
            "sslmode" => {
                self.mode = match value {
                    "disable" => SslMode::Disable,
                    "allow" => SslMode::Allow,
                    "prefer" => SslMode::Prefer,
                    "require" => SslMode::Require,
                    "verify-ca" => SslMode::VerifyCa,
                    "verify-full" => SslMode::VerifyFull,
                    _ => {
                        return Err(Error::Argument(format!(
                            "invalid value {value:?} for option \"sslmode\"; expected disable, allow, prefer, require, verify-ca or verify-full"
                        )));
                    }
                }
            }
            "sslrootcert" => self.root_cert = Some(value.to_owned()),
            "sslcert" => self.cert = Some(value.to_owned()),
            "sslkey" => self.key = Some(value.to_owned()),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The connector for these options, reading the certificate and key files now.
    pub fn build(&self) -> Result<Tls> {
        match self.mode {
            SslMode::Disable => Ok(Tls::plain()),
            #[cfg(feature = "tls-rustls")]
            _ => self.build_rustls(),
            #[cfg(not(feature = "tls-rustls"))]
            SslMode::Allow | SslMode::Prefer => Ok(Tls::plain()),
            #[cfg(not(feature = "tls-rustls"))]
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                Err(Error::NotCompiledIn {
                    what: "TLS (sslmode require, verify-ca or verify-full)".into(),
                    feature: "tls-rustls",
                })
            }
        }
    }
}

impl Tls {
    /// A plain connection.
    pub(super) fn plain() -> Self {
        Tls {
            mode: PgSslMode::Disable,
            connector: None,
            allow: false,
        }
    }
}

/// A connect error caused by TLS, as an Operational [`DbError`] with reason
/// [`DbErrorReason::Tls`](crate::DbErrorReason::Tls) naming `host` and the reason; `None` for
/// any other error (always, without TLS).
pub(super) fn tls_error(e: &tokio_postgres::Error, host: &str) -> Option<DbError> {
    #[cfg(feature = "tls-rustls")]
    return rustls_config::tls_error(e, host);
    #[cfg(not(feature = "tls-rustls"))]
    {
        let _ = (e, host);
        None
    }
}

#[cfg(all(test, not(feature = "tls-rustls")))]
mod tests {
    use super::*;

    #[test]
    fn without_tls_prefer_is_plain_and_require_names_the_feature() {
        for (mode, plain) in [
            ("disable", true),
            ("allow", true),
            ("prefer", true),
            ("require", false),
            ("verify-ca", false),
            ("verify-full", false),
        ] {
            let mut options = TlsOptions::default();
            assert!(options.set("sslmode", mode).unwrap());
            match options.build() {
                Ok(tls) => {
                    assert!(plain, "{mode}");
                    assert!(tls.connector.is_none() && !tls.allow, "{mode}");
                }
                Err(e) => {
                    assert!(!plain, "{mode}");
                    assert!(
                        e.to_string()
                            .contains("enable sqlcore's `tls-rustls` feature"),
                        "{e}"
                    );
                }
            }
        }
    }
}
