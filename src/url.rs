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
    /// `mysql://` (also `mysql+<driver>://` with one of SQLAlchemy's MySQL driver names:
    /// `mysqldb`, `pymysql`, `mysqlconnector`, `mariadbconnector`, `asyncmy`, `aiomysql`,
    /// `cymysql`): the MySQL dialect, on MySQL or MariaDB.
    MySql,
    /// `mariadb://` (also `mariadb+<driver>://`, the same driver names): the MariaDB dialect,
    /// on MariaDB 10.5 or later only (checked at connect).
    MariaDb,
}

impl Backend {
    /// The Cargo feature of sqlcore that compiles the backend in: `sqlite`, `postgres`, or
    /// `mysql` (MySQL and MariaDB share one driver).
    ///
    /// ```
    /// use sqlcore::Backend;
    /// assert_eq!(Backend::MariaDb.feature(), "mysql");
    /// ```
    pub fn feature(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::PostgreSql => "postgres",
            Backend::MySql | Backend::MariaDb => "mysql",
        }
    }
}

/// The driver names SQLAlchemy spells after `mysql+` / `mariadb+`; sqlcore runs every one
/// of them on its own driver.
const MYSQL_DRIVERS: &[&str] = &[
    "mysqldb",
    "pymysql",
    "mysqlconnector",
    "mariadbconnector",
    "asyncmy",
    "aiomysql",
    "cymysql",
];

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
/// Its `Display` and `Debug`, and the errors of a URL that does not parse, never show a secret.
/// Shown as `***`:
/// - the password of the user information;
/// - the value of every query option whose name — percent-decoded, lowercased, with `-`, `.`
///   and spaces read as `_` — is `pass`, `pw` or `auth`, or contains `passw`, `pwd`,
///   `secret`, `token`, `apikey`, `api_key`, `credential` or `private_key`;
/// - in errors, which quote the URL as written and cannot trust its structure: everything
///   between the first `:` after the scheme (or from the start, without one) and the last
///   `@`, and each secret option's value up to the next `&`, wherever a `?`, `&` or `;`
///   starts it.
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
    /// The authority's hosts, each with its port: `h1:p1,h2:p2` names several (libpq's form).
    hosts: Vec<(String, Option<u16>)>,
    database: Option<String>,
    query: IndexMap<String, String>,
    sqlite: Option<SqlitePath>,
}

/// The query options each backend understands; anything else is an [`Error::Argument`].
fn known_options(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &["mode", "timeout", "cache", "uri", "begin", "foreign_keys"],
        Backend::PostgreSql => &[
            "sslmode",
            "sslrootcert",
            "sslcert",
            "sslkey",
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
            "keepalives_interval",
            "keepalives_retries",
            "target_session_attrs",
            "load_balance_hosts",
            "prepared_statement_cache_size",
            "pgbouncer",
        ],
        Backend::MySql | Backend::MariaDb => &[
            "charset",
            "unix_socket",
            "connect_timeout",
            "read_timeout",
            "write_timeout",
            "ssl_mode",
            "ssl_ca",
            "ssl_cert",
            "ssl_key",
            "ssl_check_hostname",
        ],
    }
}

/// The error of an option `backend` does not know; `what` names it (and where it was).
fn unknown_option(backend: Backend, what: &str) -> Error {
    let scheme = match backend {
        Backend::Sqlite => "sqlite",
        Backend::PostgreSql => "postgresql",
        Backend::MySql => "mysql",
        Backend::MariaDb => "mariadb",
    };
    Error::Argument(format!(
        "unknown option {what}; {scheme} accepts {}",
        known_options(backend).join(", ")
    ))
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

/// Whether a query option carries a secret, by its (decoded) name: `pass`, `pw` or `auth`, or a
/// name containing `passw`, `pwd`, `secret`, `token`, `apikey`, `api_key`, `credential` or
/// `private_key`, compared lowercased with `-`, `.` and spaces read as `_`.
fn is_secret_option(name: &str) -> bool {
    const NAMES: &[&str] = &["pass", "pw", "auth"];
    const PARTS: &[&str] = &[
        "passw",
        "pwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "credential",
        "private_key",
    ];
    let name: String = name
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if matches!(c, '-' | '.' | ' ') { '_' } else { c })
        .collect();
    NAMES.contains(&name.as_str()) || PARTS.iter().any(|p| name.contains(p))
}

/// Whether `s` can be a URL scheme (`postgresql`, `postgresql+psycopg2`, ...).
fn is_scheme(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | '_'))
}

/// `fragment` of the URL quoted for an error message when the redacted URL `shown` shows it
/// anyway, else nothing: a fragment cut from a malformed URL may be part of its password.
fn quoted_if_shown(fragment: &str, shown: &str) -> String {
    if shown.contains(fragment) {
        format!("{fragment:?} ")
    } else {
        String::new()
    }
}

impl std::str::FromStr for Url {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        // Errors quote the URL with its password hidden, and quote parts of it only when
        // the redacted URL shows them.
        let shown = redact(s);
        let (scheme, rest) = s
            .split_once("://")
            .filter(|(scheme, _)| is_scheme(scheme))
            .ok_or_else(|| {
                Error::Argument(format!("could not parse a database URL from {shown:?}"))
            })?;
        let (name, driver) = match scheme.split_once('+') {
            Some((name, driver)) => (name, Some(driver)),
            None => (scheme, None),
        };
        let backend = match name {
            "sqlite" => Backend::Sqlite,
            "postgresql" | "postgres" => Backend::PostgreSql,
            "mysql" => Backend::MySql,
            "mariadb" => Backend::MariaDb,
            _ => {
                return Err(Error::Argument(format!(
                    "unknown database backend {scheme:?} in {shown:?}; expected sqlite, postgresql, mysql or mariadb"
                )));
            }
        };
        if let (Backend::MySql | Backend::MariaDb, Some(driver)) = (backend, driver) {
            if !MYSQL_DRIVERS.contains(&driver) {
                return Err(Error::Argument(format!(
                    "unknown {name} driver {driver:?} in {shown:?}; expected one of {}",
                    MYSQL_DRIVERS.join(", ")
                )));
            }
        }
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
                return Err(unknown_option(
                    backend,
                    &format!("{}in {shown:?}", quoted_if_shown(k, &shown)),
                ));
            }
            query.insert(key, decode(v, "query")?);
        }
        let mut url = Url {
            backend,
            scheme: scheme.to_owned(),
            username: None,
            password: None,
            hosts: Vec::new(),
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
                url.database = (!path.is_empty()).then_some(path);
                url.sqlite = url.sqlite_location();
            }
            Backend::PostgreSql | Backend::MySql | Backend::MariaDb => {
                // The user information ends at the first `@`: another one means a password
                // with an unescaped `@` (or a user name with a `/` or `?`).
                if body.contains('@') {
                    return Err(Error::Argument(format!(
                        "misplaced '@' in {shown:?}; write an '@' in the password as %40 (and a '/' or '?' in the user name as %2F, %3F)"
                    )));
                }
                let (hostport, db) = body.split_once('/').unwrap_or((body, ""));
                if let Some(userinfo) = userinfo {
                    let (user, pass) = match userinfo.split_once(':') {
                        Some((u, p)) => (u, Some(p)),
                        None => (userinfo, None),
                    };
                    url.username = Some(decode(user, "user name")?).filter(|u| !u.is_empty());
                    url.password = pass.map(|p| decode(p, "password")).transpose()?;
                }
                // libpq's multi-host form: `h1:p1,h2:p2`.
                if !hostport.is_empty() {
                    for one in hostport.split(',') {
                        url.hosts.push(parse_host(one, &shown)?);
                    }
                }
                url.database = Some(decode(db, "database name")?).filter(|d| !d.is_empty());
                if backend != Backend::PostgreSql && url.hosts.len() > 1 {
                    return Err(Error::Argument(format!(
                        "a {name} URL names one host: {shown:?}"
                    )));
                }
            }
        }
        Ok(url)
    }
}

/// One `host[:port]` (or `[ipv6][:port]`) of a URL's authority.
fn parse_host(hostport: &str, shown: &str) -> Result<(String, Option<u16>)> {
    let (host, port) = if let Some(stripped) = hostport.strip_prefix('[') {
        // [ipv6]:port
        let (h, after) = stripped
            .split_once(']')
            .ok_or_else(|| Error::Argument(format!("unclosed '[' in the host of {shown:?}")))?;
        let port = after.strip_prefix(':');
        if port.is_none() && !after.is_empty() {
            return Err(Error::Argument(format!(
                "unexpected text after ']' in the host of {shown:?}"
            )));
        }
        (h, port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let host = decode(host, "host")?;
    let port = match port.filter(|p| !p.is_empty()) {
        Some(port) => Some(port.parse().map_err(|_| {
            Error::Argument(format!(
                "invalid port {}in {shown:?}",
                quoted_if_shown(port, shown)
            ))
        })?),
        None => None,
    };
    Ok((host, port))
}

/// The URL text as written, for error messages, with every part that may be a secret
/// replaced by `***`: everything between the first `:` after the scheme and the last `@`
/// (the password, wherever a malformed URL puts it), and the value of every secret query
/// option up to the next `&`.
fn redact(s: &str) -> String {
    let mut hidden: Vec<(usize, usize)> = Vec::new();
    let start = authority_start(s);
    if let Some(at) = s[start..].rfind('@') {
        if let Some(colon) = s[start..start + at].find(':') {
            hidden.push((start + colon + 1, start + at));
        }
    }
    for (i, _) in s.match_indices(['?', '&', ';']) {
        let from = i + 1;
        let to = s[from..].find('&').map_or(s.len(), |n| from + n);
        if let Some(eq) = s[from..to].find('=') {
            if is_secret_option(&percent_decode_str(&s[from..from + eq]).decode_utf8_lossy()) {
                hidden.push((from + eq + 1, to));
            }
        }
    }
    hidden.sort_unstable();
    let mut out = String::with_capacity(s.len());
    let mut shown_to = 0;
    let mut ranges = hidden.into_iter().peekable();
    while let Some((from, mut to)) = ranges.next() {
        while let Some(&(next_from, next_to)) = ranges.peek() {
            if next_from > to {
                break;
            }
            to = to.max(next_to);
            ranges.next();
        }
        out.push_str(&s[shown_to..from]);
        out.push_str("***");
        shown_to = to;
    }
    out.push_str(&s[shown_to..]);
    out
}

/// Where the text after the scheme starts: after `scheme://`, or after `scheme:` and its
/// slashes; 0 when there is no scheme (`user:password@host` has none: its `:` is followed by
/// no `/`).
fn authority_start(s: &str) -> usize {
    if let Some(i) = s.find("://").filter(|&i| is_scheme(&s[..i])) {
        return i + 3;
    }
    match s.find(':') {
        Some(i) if is_scheme(&s[..i]) && s[i + 1..].starts_with('/') => {
            s.len() - s[i + 1..].trim_start_matches('/').len()
        }
        _ => 0,
    }
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

    /// The (first) host of the URL's authority; see [`Url::hosts`] for a multi-host URL.
    pub fn host(&self) -> Option<&str> {
        self.hosts
            .first()
            .map(|(h, _)| h.as_str())
            .filter(|h| !h.is_empty())
    }

    /// The port of the (first) host of the URL's authority.
    pub fn port(&self) -> Option<u16> {
        self.hosts.first().and_then(|&(_, p)| p)
    }

    /// Every host of the URL's authority with its port, in order: libpq's multi-host form
    /// `postgresql://h1:5432,[::1]:5433,h3/db` names three (a `host` or `port` query option
    /// replaces them when connecting, as in libpq).
    ///
    /// ```
    /// use sqlcore::Url;
    /// let url: Url = "postgresql://u:pw@h1:5432,[::1]:5433,h3/db".parse()?;
    /// let hosts: Vec<_> = url.hosts().collect();
    /// assert_eq!(hosts, [("h1", Some(5432)), ("::1", Some(5433)), ("h3", None)]);
    /// assert_eq!(url.to_string(), "postgresql://u:***@h1:5432,[::1]:5433,h3/db");
    /// # Ok::<(), sqlcore::Error>(())
    /// ```
    pub fn hosts(&self) -> impl Iterator<Item = (&str, Option<u16>)> {
        self.hosts.iter().map(|(h, p)| (h.as_str(), *p))
    }

    /// The database name (the path for SQLite files).
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// The query options.
    pub fn query(&self) -> &IndexMap<String, String> {
        &self.query
    }

    /// Sets query option `name` (replacing its value if the URL has it); an option the
    /// backend does not know is an [`Error::Argument`]. The value is checked when an engine
    /// is built from the URL.
    pub fn set_option(&mut self, name: &str, value: &str) -> Result<()> {
        if !known_options(self.backend).contains(&name) {
            return Err(unknown_option(self.backend, &format!("{name:?}")));
        }
        self.query.insert(name.to_owned(), value.to_owned());
        self.sqlite = self.sqlite_location();
        Ok(())
    }

    /// Where a SQLite URL's database lives, from its path and `mode` option.
    fn sqlite_location(&self) -> Option<SqlitePath> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let path = self.database.as_deref().unwrap_or_default();
        let memory = path.is_empty()
            || path == ":memory:"
            || self.query.get("mode").is_some_and(|m| m == "memory");
        Some(if memory {
            SqlitePath::Memory
        } else {
            SqlitePath::File(path.into())
        })
    }

    /// Where the SQLite database lives; `None` for other backends.
    pub fn sqlite_path(&self) -> Option<&SqlitePath> {
        self.sqlite.as_ref()
    }
}

impl fmt::Display for Url {
    /// The URL with its password and secret options shown as `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme)?;
        if self.username.is_some() || self.password.is_some() {
            f.write_str(self.username.as_deref().unwrap_or_default())?;
            if self.password.is_some() {
                f.write_str(":***")?;
            }
            f.write_str("@")?;
        }
        for (i, (host, port)) in self.hosts.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if host.contains(':') {
                write!(f, "[{host}]")?;
            } else {
                // A unix socket directory (`%2Fvar%2Frun%2Fpostgresql`, as libpq writes it).
                f.write_str(&host.replace('/', "%2F"))?;
            }
            if let Some(port) = port {
                write!(f, ":{port}")?;
            }
        }
        if let Some(db) = &self.database {
            write!(f, "/{db}")?;
        } else if self.backend == Backend::Sqlite {
            f.write_str("/")?;
        }
        for (i, (k, v)) in self.query.iter().enumerate() {
            let v = if is_secret_option(k) {
                "***"
            } else {
                v.as_str()
            };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_options_by_decoded_name() {
        for name in [
            "password",
            "PASSWORD",
            "PassWord",
            "passwd",
            "pwd",
            "pw",
            "pass",
            "sslpassword",
            "api_key",
            "apikey",
            "api-key",
            "auth_token",
            "client_secret",
            "credentials",
        ] {
            assert!(is_secret_option(name), "{name}");
        }
        for name in ["application_name", "passfile", "sslmode", "options", "user"] {
            assert!(!is_secret_option(name), "{name}");
        }
    }

    #[test]
    fn mysql_and_mariadb_urls_as_sqlalchemy_spells_them() {
        for (text, backend) in [
            ("mysql://root@127.0.0.1:3306/test", Backend::MySql),
            ("mysql+mysqldb://u:pw@h/db?charset=utf8mb4", Backend::MySql),
            ("mysql+pymysql://u@h/db", Backend::MySql),
            ("mariadb://u@h/db", Backend::MariaDb),
            (
                "mariadb+mariadbconnector://u:pw@h:3307/db",
                Backend::MariaDb,
            ),
            (
                "mysql:///db?unix_socket=/run/mysqld/mysqld.sock",
                Backend::MySql,
            ),
        ] {
            let url: Url = text.parse().unwrap();
            assert_eq!(url.backend(), backend, "{text}");
        }
        let url: Url = "mariadb+mariadbconnector://u:s3cret@h:3307/db"
            .parse()
            .unwrap();
        assert_eq!(
            (url.host(), url.port(), url.database(), url.password()),
            (Some("h"), Some(3307), Some("db"), Some("s3cret"))
        );
        assert_eq!(
            url.to_string(),
            "mariadb+mariadbconnector://u:***@h:3307/db"
        );
        for (bad, says) in [
            (
                "mysql+oops://u:s3cret@h/db",
                "unknown mysql driver \"oops\"",
            ),
            ("mysql://u:s3cret@h/db?sslmode=require", "unknown option"),
            ("mariadb://u:s3cret@h1,h2/db", "names one host"),
        ] {
            let e = bad.parse::<Url>().unwrap_err().to_string();
            assert!(e.contains(says) && !e.contains("s3cret"), "{bad}: {e}");
        }
    }

    #[test]
    fn set_option_replaces_and_checks_the_name() {
        let mut url: Url = "sqlite:///app.db?mode=ro".parse().unwrap();
        url.set_option("mode", "memory").unwrap();
        assert_eq!(url.sqlite_path(), Some(&SqlitePath::Memory));
        assert_eq!(url.to_string(), "sqlite:///app.db?mode=memory");
        let e = url.set_option("sslmode", "require").unwrap_err();
        assert!(e.to_string().contains("unknown option \"sslmode\""), "{e}");
    }

    #[test]
    fn redact_hides_the_userinfo_password_of_malformed_urls() {
        for (url, shown) in [
            ("postgresql://u:pw@h/db", "postgresql://u:***@h/db"),
            ("postgresql://u:p@w@h/db", "postgresql://u:***@h/db"),
            ("postgresql:/u:pw@h/db", "postgresql:/u:***@h/db"),
            ("postgresql:u:pw@h/db", "postgresql:***@h/db"),
            ("u:pw@h/db", "u:***@h/db"),
            ("u:a://b@h", "u:***@h"),
            (
                "postgresql://u@h/db?PASS%57ORD=x&a=1",
                "postgresql://u@h/db?PASS%57ORD=***&a=1",
            ),
            (
                "postgresql://h/db?x=1;token=t@k",
                "postgresql://h/db?x=1;token=***",
            ),
            ("postgresql://h:1/db", "postgresql://h:1/db"),
            ("nonsense", "nonsense"),
        ] {
            assert_eq!(redact(url), shown, "{url}");
        }
    }
}
