//! [`Url`]: database URLs in SQLAlchemy's forms, with the password kept out of every rendering.

use crate::error::{Error, Result};
use indexmap::IndexMap;
use percent_encoding::percent_decode_str;
use std::fmt;

/// The backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// `sqlite://`
    Sqlite,
    /// `postgresql://` (also `postgres://`, `postgresql+postgres://`)
    PostgreSql,
}

/// Where a SQLite database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlitePath {
    /// A private in-memory database (`sqlite://` or `sqlite:///:memory:`).
    Memory,
    /// A file, relative to the working directory or absolute.
    File(std::path::PathBuf),
}

/// A parsed database URL.
///
/// ```
/// use sqlcore::Url;
/// let url: Url = "postgresql://scott:t%40ger@db.example:5433/app?application_name=web".parse()?;
/// assert_eq!(url.username(), Some("scott"));
/// assert_eq!(url.password(), Some("t@ger"));
/// assert_eq!(url.port(), Some(5433));
/// assert_eq!(url.to_string(), "postgresql://scott:***@db.example:5433/app?application_name=web");
/// assert!(!format!("{url:?}").contains("t@ger"));
///
/// let file: Url = "sqlite:////tmp/app.db".parse()?;
/// assert_eq!(file.sqlite_path(), Some(&sqlcore::SqlitePath::File("/tmp/app.db".into())));
/// assert!("mysql+oops://x".parse::<Url>().is_err());
/// # Ok::<(), sqlcore::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Url {
    backend: Backend,
    scheme: String,
    username: Option<String>,
    password: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    database: Option<String>,
    query: IndexMap<String, String>,
    sqlite: Option<SqlitePath>,
}

/// The query options each backend understands; anything else is an [`Error::Argument`].
fn known_options(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &["mode", "timeout", "cache", "uri"],
        Backend::PostgreSql => &[
            "sslmode",
            "connect_timeout",
            "application_name",
            "options",
            "host",
            "port",
            "user",
            "password",
            "dbname",
            "keepalives",
            "keepalives_idle",
            "target_session_attrs",
        ],
    }
}

fn decode(part: &str, what: &str) -> Result<String> {
    percent_decode_str(part)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            Error::Argument(format!(
                "the URL's {what} is not valid percent-encoded UTF-8"
            ))
        })
}

impl std::str::FromStr for Url {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        // Errors quote the URL with its password hidden.
        let shown = redact(s);
        let (scheme, rest) = s.split_once("://").ok_or_else(|| {
            Error::Argument(format!("could not parse a database URL from {shown:?}"))
        })?;
        let backend = match scheme.split('+').next().unwrap_or_default() {
            "sqlite" => Backend::Sqlite,
            "postgresql" | "postgres" => Backend::PostgreSql,
            _ => {
                return Err(Error::Argument(format!(
                    "unknown database backend {scheme:?} in {shown:?}; expected sqlite or postgresql"
                )));
            }
        };
        let (userinfo, rest) = split_userinfo(rest);
        let (body, query_str) = match rest.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (rest, None),
        };
        let mut query = IndexMap::new();
        for pair in query_str
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter(|p| !p.is_empty())
        {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(k, "query")?;
            if !known_options(backend).contains(&key.as_str()) {
                return Err(Error::Argument(format!(
                    "unknown option {key:?} in {shown:?}; {} accepts {}",
                    scheme,
                    known_options(backend).join(", ")
                )));
            }
            query.insert(key, decode(v, "query")?);
        }
        let mut url = Url {
            backend,
            scheme: scheme.to_owned(),
            username: None,
            password: None,
            host: None,
            port: None,
            database: None,
            query,
            sqlite: None,
        };
        match backend {
            Backend::Sqlite => {
                // sqlite://<nothing>/<path>: the authority must be empty.
                if userinfo.is_some() {
                    return Err(Error::Argument(format!(
                        "a sqlite URL has no host or user: {shown:?}; use sqlite:///relative.db or sqlite:////absolute.db"
                    )));
                }
                let path = match body.split_once('/') {
                    Some(("", path)) => path,
                    None if body.is_empty() => "",
                    _ => {
                        return Err(Error::Argument(format!(
                            "a sqlite URL has no host: {shown:?}; use sqlite:///relative.db or sqlite:////absolute.db"
                        )));
                    }
                };
                let path = decode(path, "path")?;
                let memory = path.is_empty()
                    || path == ":memory:"
                    || url.query.get("mode").is_some_and(|m| m == "memory");
                url.sqlite = Some(if memory {
                    SqlitePath::Memory
                } else {
                    SqlitePath::File(path.clone().into())
                });
                url.database = (!path.is_empty()).then_some(path);
            }
            Backend::PostgreSql => {
                let (hostport, db) = body.split_once('/').unwrap_or((body, ""));
                if let Some(userinfo) = userinfo {
                    let (user, pass) = match userinfo.split_once(':') {
                        Some((u, p)) => (u, Some(p)),
                        None => (userinfo, None),
                    };
                    url.username = Some(decode(user, "user name")?).filter(|u| !u.is_empty());
                    url.password = pass.map(|p| decode(p, "password")).transpose()?;
                }
                let (host, port) = if let Some(stripped) = hostport.strip_prefix('[') {
                    // [ipv6]:port
                    let (h, after) = stripped.split_once(']').ok_or_else(|| {
                        Error::Argument(format!("unclosed '[' in the host of {shown:?}"))
                    })?;
                    (h, after.strip_prefix(':'))
                } else {
                    match hostport.rsplit_once(':') {
                        Some((h, p)) => (h, Some(p)),
                        None => (hostport, None),
                    }
                };
                url.host = Some(decode(host, "host")?).filter(|h| !h.is_empty());
                if let Some(port) = port.filter(|p| !p.is_empty()) {
                    url.port = Some(port.parse().map_err(|_| {
                        Error::Argument(format!("invalid port {port:?} in {shown:?}"))
                    })?);
                }
                url.database = Some(decode(db, "database name")?).filter(|d| !d.is_empty());
            }
        }
        Ok(url)
    }
}

/// The URL text with the password replaced by `***`.
fn redact(s: &str) -> String {
    let Some((scheme, rest)) = s.split_once("://") else {
        return s.to_owned();
    };
    let (userinfo, after) = split_userinfo(rest);
    let mut out = format!("{scheme}://");
    if let Some(userinfo) = userinfo {
        match userinfo.split_once(':') {
            Some((user, _)) => out.push_str(&format!("{user}:***@")),
            None => out.push_str(&format!("{userinfo}@")),
        }
    }
    match after.split_once('?') {
        Some((path, query)) => {
            out.push_str(path);
            out.push('?');
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if k == "password" => format!("{k}=***"),
                    _ => pair.to_owned(),
                })
                .collect();
            out.push_str(&pairs.join("&"));
        }
        None => out.push_str(after),
    }
    out
}

/// Splits `user:password@` off the text after `scheme://`, as SQLAlchemy reads it: the user
/// name has no `:`, `/` or `?`, and the password runs to the first `@`.
fn split_userinfo(rest: &str) -> (Option<&str>, &str) {
    if let Some(at) = rest.find('@') {
        let userinfo = &rest[..at];
        let user = userinfo.split(':').next().unwrap_or_default();
        if !user.contains(['/', '?']) {
            return (Some(userinfo), &rest[at + 1..]);
        }
    }
    (None, rest)
}

impl Url {
    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The scheme as written (`postgresql`, `sqlite`, `postgresql+postgres`, ...).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The user name.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// The password (decoded). Never rendered by `Display` or `Debug`.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The host.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The port.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The database name (the path for SQLite files).
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// The query options.
    pub fn query(&self) -> &IndexMap<String, String> {
        &self.query
    }

    /// Where the SQLite database lives; `None` for other backends.
    pub fn sqlite_path(&self) -> Option<&SqlitePath> {
        self.sqlite.as_ref()
    }
}

impl fmt::Display for Url {
    /// The URL with its password shown as `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme)?;
        if let Some(user) = &self.username {
            f.write_str(user)?;
            if self.password.is_some() {
                f.write_str(":***")?;
            }
            f.write_str("@")?;
        }
        if let Some(host) = &self.host {
            if host.contains(':') {
                write!(f, "[{host}]")?;
            } else {
                f.write_str(host)?;
            }
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        if let Some(db) = &self.database {
            write!(f, "/{db}")?;
        } else if self.backend == Backend::Sqlite {
            f.write_str("/")?;
        }
        for (i, (k, v)) in self.query.iter().enumerate() {
            let v = if k == "password" { "***" } else { v.as_str() };
            write!(f, "{}{k}={v}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

impl fmt::Debug for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Url({self})")
    }
}
