//! libpq's connection parameters, read from a URL into a `tokio_postgres::Config`.
//!
//! | option | meaning |
//! |---|---|
//! | `host` | replaces the URL's hosts: a comma list; one starting with `/` is a unix socket directory |
//! | `port` | replaces the URL's ports: one for every host, or a comma list matching the hosts |
//! | `user`, `password`, `dbname` | replace the URL's |
//! | `target_session_attrs` | `any` (default), `read-write`, `read-only` |
//! | `load_balance_hosts` | `disable` (default: hosts in order), `random` |
//! | `connect_timeout` | seconds, per host (and address) tried; 0: no limit |
//! | `application_name`, `options` | sent at startup (`options=-c%20key%3Dvalue`) |
//! | `keepalives` (0/1), `keepalives_idle`, `keepalives_interval` (seconds), `keepalives_retries` | TCP keepalives |
//! | `prepared_statement_cache_size` | sqlcore's: prepared statements kept per connection (0: none, all unnamed) |
//! | `pgbouncer` | sqlcore's: `true` for a transaction-pooling proxy (nothing outlives a transaction on the server) |
//!
//! A value that does not parse is an [`Error::Argument`] naming the option and what it accepts.

use super::pg_tls::TlsOptions;
use crate::error::{Error, Result};
use crate::url::Url;
use std::time::Duration;
use tokio_postgres::Config;
use tokio_postgres::config::{LoadBalanceHosts, TargetSessionAttrs};

/// The options of a PostgreSQL URL that are sqlcore's own, not libpq's.
#[derive(Debug, Default)]
pub(super) struct SqlcoreOptions {
    /// `prepared_statement_cache_size`.
    pub statement_cache: Option<usize>,
    /// `pgbouncer`.
    pub pgbouncer: bool,
}

/// The options of `url` that are sqlcore's own.
pub(super) fn sqlcore_options(url: &Url) -> Result<SqlcoreOptions> {
    let mut own = SqlcoreOptions::default();
    if let Some(value) = url.query().get("prepared_statement_cache_size") {
        own.statement_cache = Some(value.parse().map_err(|_| {
            Error::Argument(format!(
                "invalid value {value:?} for option \"prepared_statement_cache_size\"; expected a number of statements (0: none)"
            ))
        })?);
    }
    if let Some(value) = url.query().get("pgbouncer") {
        own.pgbouncer = match value.to_ascii_lowercase().as_str() {
            "true" | "1" | "on" | "yes" => true,
            "false" | "0" | "off" | "no" => false,
            _ => {
                return Err(Error::Argument(format!(
                    "invalid value {value:?} for option \"pgbouncer\"; expected true or false"
                )));
            }
        };
    }
    Ok(own)
}

/// The connection settings of `url`, and its TLS options.
pub(super) fn config_from_url(url: &Url) -> Result<(Config, TlsOptions)> {
    let mut config = Config::new();
    config.user(url.username().unwrap_or("postgres"));
    if let Some(password) = url.password() {
        config.password(password);
    }
    if let Some(db) = url.database() {
        config.dbname(db);
    }
    let mut tls = TlsOptions::default();
    for (key, value) in url.query() {
        if tls.set(key, value)?
            || matches!(
                key.as_str(),
                "host" | "port" | "prepared_statement_cache_size" | "pgbouncer"
            )
        {
            continue;
        }
        let bad = |expected: &str| {
            Error::Argument(format!(
                "invalid value {value:?} for option {key:?}; expected {expected}"
            ))
        };
        let secs = |expected| value.parse::<u64>().map_err(|_| bad(expected));
        match key.as_str() {
            "connect_timeout" => {
                // As libpq: zero (or less) waits without a limit.
                let secs: f64 = value
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite())
                    .ok_or_else(|| bad("a number of seconds"))?;
                if secs > 0.0 {
                    config.connect_timeout(
                        Duration::try_from_secs_f64(secs)
                            .map_err(|_| bad("a number of seconds"))?,
                    );
                }
            }
            "application_name" => {
                config.application_name(value);
            }
            "options" => {
                config.options(value);
            }
            "user" => {
                config.user(value);
            }
            "password" => {
                config.password(value);
            }
            "dbname" => {
                config.dbname(value);
            }
            "keepalives" => {
                config.keepalives(match value.as_str() {
                    "1" => true,
                    "0" => false,
                    _ => return Err(bad("0 or 1")),
                });
            }
            "keepalives_idle" => {
                config.keepalives_idle(Duration::from_secs(secs("a number of seconds")?));
            }
            "keepalives_interval" => {
                config.keepalives_interval(Duration::from_secs(secs("a number of seconds")?));
            }
            "keepalives_retries" => {
                config.keepalives_retries(
                    value
                        .parse()
                        .map_err(|_| bad("a number of probes (0 to 4294967295)"))?,
                );
            }
            "target_session_attrs" => {
                config.target_session_attrs(match value.as_str() {
                    "any" => TargetSessionAttrs::Any,
                    "read-write" => TargetSessionAttrs::ReadWrite,
                    "read-only" => TargetSessionAttrs::ReadOnly,
                    "primary" | "standby" | "prefer-standby" => {
                        return Err(Error::Argument(format!(
                            "target_session_attrs={value} is not supported (tokio-postgres checks transaction_read_only only); expected any, read-write or read-only"
                        )));
                    }
                    _ => return Err(bad("any, read-write or read-only")),
                });
            }
            "load_balance_hosts" => {
                config.load_balance_hosts(match value.as_str() {
                    "disable" => LoadBalanceHosts::Disable,
                    "random" => LoadBalanceHosts::Random,
                    _ => return Err(bad("disable or random")),
                });
            }
            _ => {
                return Err(Error::Argument(format!(
                    "unknown PostgreSQL connection option {key:?}"
                )));
            }
        }
    }
    hosts_and_ports(url, &mut config)?;
    Ok((config, tls))
}

/// The hosts and ports to try, in order: the `host` and `port` query options (comma lists)
/// replace the URL's authority, as in libpq. An empty host is `localhost`, an empty port 5432.
fn hosts_and_ports(url: &Url, config: &mut Config) -> Result<()> {
    let list = |key: &str| {
        url.query()
            .get(key)
            .map(|v| v.split(',').collect::<Vec<_>>())
    };
    let hosts: Vec<&str> = match list("host") {
        Some(hosts) => hosts,
        None => url.hosts().map(|(h, _)| h).collect(),
    };
    let ports: Vec<Option<u16>> = match list("port") {
        Some(ports) => ports
            .into_iter()
            .map(|p| {
                (!p.is_empty())
                    .then(|| p.parse())
                    .transpose()
                    .map_err(|_| {
                        Error::Argument(format!(
                            "invalid value {p:?} for option \"port\"; expected a port number (or a comma list of them, one per host)"
                        ))
                    })
            })
            .collect::<Result<_>>()?,
        None if url.hosts().all(|(_, p)| p.is_none()) => Vec::new(),
        None => url.hosts().map(|(_, p)| p).collect(),
    };
    let n_hosts = hosts.len().max(1);
    if ports.len() > 1 && ports.len() != n_hosts {
        return Err(Error::Argument(format!(
            "{} ports for {n_hosts} hosts; give one port, or one per host",
            ports.len()
        )));
    }
    if hosts.is_empty() {
        config.host("localhost");
    }
    for host in hosts {
        config.host(if host.is_empty() { "localhost" } else { host });
    }
    for port in ports {
        config.port(port.unwrap_or(5432));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_postgres::config::Host;

    fn config(url: &str) -> Result<Config> {
        Ok(config_from_url(&url.parse()?)?.0)
    }

    fn hosts(c: &Config) -> Vec<String> {
        c.get_hosts()
            .iter()
            .map(|h| match h {
                Host::Tcp(h) => h.clone(),
                Host::Unix(p) => format!("unix:{}", p.display()),
            })
            .collect()
    }

    #[test]
    fn hosts_and_ports_from_the_authority_or_the_query() {
        let c = config("postgresql://u@h1:5432,[::1]:5433,h3/db").unwrap();
        assert_eq!(hosts(&c), ["h1", "::1", "h3"]);
        assert_eq!(c.get_ports(), [5432, 5433, 5432]);
        let c = config("postgresql://u@h1,h2/db").unwrap();
        assert_eq!(hosts(&c), ["h1", "h2"]);
        assert!(c.get_ports().is_empty());
        let c = config("postgresql://u@h1,h2/db?port=6000").unwrap();
        assert_eq!(c.get_ports(), [6000]);
        let c = config("postgresql://u@h1,h2/db?port=6000,6001").unwrap();
        assert_eq!(c.get_ports(), [6000, 6001]);
        // `host` replaces the URL's host, as libpq does.
        let c = config("postgresql://u@h1:5433/db?host=/var/run/postgresql").unwrap();
        assert_eq!(hosts(&c), ["unix:/var/run/postgresql"]);
        assert_eq!(c.get_ports(), [5433]);
        let c = config("postgresql:///db?host=a,b&port=1,2").unwrap();
        assert_eq!(hosts(&c), ["a", "b"]);
        assert_eq!(c.get_ports(), [1, 2]);
        let c = config("postgresql:///db").unwrap();
        assert_eq!(hosts(&c), ["localhost"]);
    }

    #[test]
    fn query_options_replace_the_urls() {
        let c = config("postgresql://u:pw@h/db?user=v&password=pw2&dbname=other").unwrap();
        assert_eq!(c.get_user(), Some("v"));
        assert_eq!(c.get_password(), Some(&b"pw2"[..]));
        assert_eq!(c.get_dbname(), Some("other"));
    }

    #[test]
    fn bad_values_name_the_option_and_what_it_accepts() {
        for (url, says) in [
            ("?port=1,2,3&host=a,b", "3 ports for 2 hosts"),
            ("?port=x", "\"port\"; expected a port number"),
            (
                "?connect_timeout=soon",
                "\"connect_timeout\"; expected a number",
            ),
            ("?keepalives=yes", "\"keepalives\"; expected 0 or 1"),
            (
                "?keepalives_idle=-1",
                "\"keepalives_idle\"; expected a number",
            ),
            ("?keepalives_interval=x", "\"keepalives_interval\""),
            ("?keepalives_retries=x", "\"keepalives_retries\""),
            ("?target_session_attrs=rw", "any, read-write or read-only"),
            ("?target_session_attrs=standby", "standby is not supported"),
            ("?target_session_attrs=primary", "primary is not supported"),
            ("?load_balance_hosts=yes", "disable or random"),
        ] {
            let url = format!("postgresql://u@h1,h2/db{url}");
            match config(&url) {
                Err(Error::Argument(e)) => assert!(e.contains(says), "{url}: {e}"),
                other => panic!("{url}: {other:?}"),
            }
        }
    }
}
