//! The sync driver's connection options (`mysql_opts`, read from the URL once) as
//! `mysql_async`'s: the same host, socket, credentials, charset and time zone, statement cache
//! and TLS settings on both engines.

use crate::error::Result;
use std::time::Duration;

/// Where and how the native connections connect.
#[derive(Debug)]
pub(crate) struct Target {
    pub opts: mysql_async::Opts,
    /// `host:port`, naming the server in a TLS failure.
    pub peer: String,
    /// How long opening a connection may take (`connect_timeout`).
    pub connect_timeout: Option<Duration>,
    /// How long one call may wait for the server (`read_timeout`, `write_timeout`: the longer),
    /// after which the connection is lost.
    pub io_timeout: Option<Duration>,
    /// Whether `mysql_async` connects as the options ask. Not for `VERIFY_CA` (the chain
    /// checked, not the name): its rustls verifier (0.37) tells a name mismatch by the text of
    /// rustls' error, which rustls 0.23 no longer writes that way, so it would refuse a
    /// certificate for another name. Such URLs keep the sync driver's connections on the
    /// async engine's threads.
    pub native: bool,
}

impl Target {
    /// The target of the sync driver's `opts`.
    pub fn from_sync(opts: &mysql::Opts) -> Result<Self> {
        let builder = mysql_async::OptsBuilder::default()
            .ip_or_hostname(opts.get_ip_or_hostname())
            .tcp_port(opts.get_tcp_port())
            .user(opts.get_user())
            .pass(opts.get_pass())
            .db_name(opts.get_db_name())
            .socket(opts.get_socket())
            .prefer_socket(opts.get_prefer_socket())
            .stmt_cache_size(opts.get_stmt_cache_size())
            .init(opts.get_init())
            .ssl_opts(opts.get_ssl_opts().map(ssl_opts).transpose()?);
        let io_timeout = match (opts.get_read_timeout(), opts.get_write_timeout()) {
            (Some(r), Some(w)) => Some(*r.max(w)),
            (r, w) => r.or(w).copied(),
        };
        let native = opts
            .get_ssl_opts()
            .is_none_or(|ssl| ssl.accept_invalid_certs() || !ssl.skip_domain_validation());
        Ok(Target {
            native,
            opts: builder.into(),
            peer: format!("{}:{}", opts.get_ip_or_hostname(), opts.get_tcp_port()),
            connect_timeout: opts.get_tcp_connect_timeout(),
            io_timeout,
        })
    }
}

/// The sync driver's TLS options as `mysql_async`'s.
fn ssl_opts(ssl: &mysql::SslOpts) -> Result<mysql_async::SslOpts> {
    #[cfg(feature = "tls-rustls")]
    {
        let roots: Vec<_> = ssl
            .root_cert_path()
            .map(|path| path.to_path_buf().into())
            .into_iter()
            .collect();
        let identity = ssl.client_identity().map(|id| {
            mysql_async::ClientIdentity::new(
                id.cert_chain_path().to_path_buf().into(),
                id.priv_key_path().to_path_buf().into(),
            )
        });
        Ok(mysql_async::SslOpts::default()
            .with_root_certs(roots)
            .with_client_identity(identity)
            .with_danger_accept_invalid_certs(ssl.accept_invalid_certs())
            .with_danger_skip_domain_validation(ssl.skip_domain_validation()))
    }
    #[cfg(not(feature = "tls-rustls"))]
    {
        // `mysql_opts` refuses TLS options in a build without TLS.
        let _ = ssl;
        Err(crate::error::Error::NotCompiledIn {
            what: "TLS".into(),
            feature: "tls-rustls",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sync_options_carry_over() {
        let url = "mysql://u:pw@db.example:3307/app?unix_socket=/run/my.sock&read_timeout=5&write_timeout=9&connect_timeout=3"
            .parse()
            .unwrap();
        let sync = super::super::super::mysql_opts::opts_from_url(&url, 17).unwrap();
        let target = Target::from_sync(&sync).unwrap();
        let opts = &target.opts;
        assert_eq!(
            (opts.ip_or_hostname(), opts.tcp_port()),
            ("db.example", 3307)
        );
        assert_eq!((opts.user(), opts.pass()), (Some("u"), Some("pw")));
        assert_eq!(opts.db_name(), Some("app"));
        assert_eq!(opts.socket(), Some("/run/my.sock"));
        assert_eq!(opts.stmt_cache_size(), 17);
        assert!(opts.init()[0].starts_with("SET NAMES utf8mb4"));
        assert_eq!(target.peer, "db.example:3307");
        assert_eq!(target.io_timeout, Some(Duration::from_secs(9)));
        assert_eq!(target.connect_timeout, Some(Duration::from_secs(3)));
        assert!(target.native);
    }

    #[cfg(feature = "tls-rustls")]
    #[test]
    fn verify_ca_stays_on_the_sync_driver() {
        let native = |query: &str| {
            let url = format!("mysql://u@h/db?{query}").parse().unwrap();
            let sync = super::super::super::mysql_opts::opts_from_url(&url, 10).unwrap();
            Target::from_sync(&sync).unwrap().native
        };
        assert!(native("ssl_mode=REQUIRED"));
        assert!(native("ssl_mode=VERIFY_IDENTITY"));
        assert!(!native("ssl_mode=VERIFY_CA"));
    }
}
