//! Passwords never show: for every password of a set with special characters, put raw or
//! percent-encoded into every URL template (well-formed and malformed ones), neither
//! `Display` nor `Debug` of the parsed URL, of its parse error, of its PostgreSQL driver, of
//! the engine `create_engine` builds (lazily: no connection is opened) or of its error
//! contains the password — raw, percent-encoded or percent-decoded.

use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
#[cfg(feature = "postgres")]
use sqlcore::driver::postgres::PgDriver;
use sqlcore::{Url, create_engine};

/// Passwords with the characters that break naive parsing and redaction.
const PASSWORDS: &[&str] = &[
    "s3cr@t",
    "p:w/d?x#y",
    "%41bc",
    "Geh€im✓nis",
    "tiger-secret",
    "a@b@c9",
    "q&r=s;t7",
    "with space",
    "quo\"te'9",
    "pw%zz9",
    "sl/ash?",
    "h#sh@",
];

/// URLs with the password in the user information: `{p}` is replaced by the password. The
/// first ones are well-formed (an encoded password parses back); each other one is a class
/// of malformed URL.
const WELL_FORMED: &[&str] = &[
    "postgresql://scott:{p}@db.example:5433/app",
    "postgresql+postgres://scott:{p}@db.example/app?application_name=web",
    "postgres://scott:{p}@[::1]:5432/app",
    "postgresql://scott:{p}@db.example/app?sslmode=disable&connect_timeout=3",
    "postgresql://:{p}@db.example/app",
    "postgresql://scott:{p}@/app",
    "postgresql://scott:{p}@h1:5432,h2:5433/app?target_session_attrs=read-write",
    "postgresql://scott:{p}@[::1]:5432,[fe80::2],h3/app?load_balance_hosts=random",
    "postgresql://scott:{p}@%2Fvar%2Frun%2Fpostgresql/app",
];

const MALFORMED: &[(&str, &str)] = &[
    ("no //", "postgresql:/scott:{p}@db.example/app"),
    (
        "no //, three slashes",
        "postgresql:///scott:{p}@db.example/app",
    ),
    ("scheme:user:pw@host", "postgresql:scott:{p}@db.example/app"),
    ("no scheme", "scott:{p}@db.example/app"),
    ("leading space", " postgresql://scott:{p}@db.example/app"),
    ("several @", "postgresql://scott:{p}@other@db.example/app"),
    (
        "@ before the user's password",
        "postgresql://sc@tt:{p}@db.example/app",
    ),
    ("/ in the user", "postgresql://sc/ott:{p}@db.example/app"),
    ("? in the user", "postgresql://sc?ott:{p}@db.example/app"),
    ("fragment", "postgresql://scott:{p}@db.example/app#frag"),
    (
        "invalid port",
        "postgresql://scott:{p}@db.example:99999/app",
    ),
    (
        "port not a number",
        "postgresql://scott:{p}@db.example:port/app",
    ),
    (
        "two ports",
        "postgresql://scott:{p}@db.example:5432:5433/app",
    ),
    (
        "invalid percent-encoding",
        "postgresql://scott:{p}%ff@db.example/app",
    ),
    (
        "invalid percent-encoding after",
        "postgresql://scott:{p}@db.example/%ff",
    ),
    ("unclosed IPv6 bracket", "postgresql://scott:{p}@[::1/app"),
    (
        "invalid port in a host list",
        "postgresql://scott:{p}@h1:5432,h2:99999/app",
    ),
    (
        "unclosed IPv6 bracket in a host list",
        "postgresql://scott:{p}@h1,[::1:5432/app",
    ),
    (
        "text after the IPv6 bracket",
        "postgresql://scott:{p}@[::1]5432/app",
    ),
    (
        "unknown backend",
        "oracle+cx_oracle://scott:{p}@db.example/app",
    ),
    ("upper-case scheme", "POSTGRESQL://scott:{p}@db.example/app"),
    ("odd scheme", "post gres://scott:{p}@db.example/app"),
    (
        "unknown option",
        "postgresql://scott:{p}@db.example/app?bogus=1",
    ),
    (
        "option the driver rejects",
        "postgresql://scott:{p}@db.example/app?sslmode=verify-everything",
    ),
    (
        "bad option value",
        "postgresql://scott:{p}@db.example/app?port=x",
    ),
    (
        "unsupported option value",
        "postgresql://scott:{p}@h1,h2/app?target_session_attrs=standby",
    ),
    (
        "ports not matching the hosts option",
        "postgresql://scott:{p}@db.example/app?host=a,b&port=1,2,3",
    ),
    ("sqlite with a user", "sqlite://scott:{p}@/app.db"),
    ("sqlite with a host", "sqlite://scott:{p}@localhost/app.db"),
];

/// Secret query options, as written (case and percent-encoding vary).
const SECRET_KEYS: &[&str] = &[
    "password",
    "PASSWORD",
    "Password",
    "pass%77ord",
    "%70assword",
    "passwd",
    "pwd",
    "PWD",
    "pass",
    "secret",
    "client_secret",
    "sslpassword",
    "token",
    "auth_token",
    "api_key",
    "apikey",
    "api-key",
];

/// URLs with a secret query option: `{k}` is its name, `{p}` the password.
const QUERY_TEMPLATES: &[&str] = &[
    "postgresql://scott@db.example/app?{k}={p}",
    "postgresql://db.example/app?{k}={p}",
    "postgresql://scott@h1:5432,[::1]:5433/app?host=/var/run/postgresql&{k}={p}",
    "postgresql://scott@db.example/app?sslmode=disable&{k}={p}&bogus=1",
    "postgresql://scott@db.example:xx/app?{k}={p}",
    "postgresql://scott@[::1/app?{k}={p}",
    "postgresql:/scott@db.example/app?{k}={p}",
    "mysql://db.example/app?{k}={p}",
    "sqlite:///app.db?{k}={p}",
    "sqlite:///app.db?mode=ro&{k}={p}",
];

fn encoded(p: &str) -> String {
    utf8_percent_encode(p, NON_ALPHANUMERIC).to_string()
}

/// The password as it may be spelled in the URL: raw, encoded, and with only `@` encoded.
fn spellings(p: &str) -> Vec<String> {
    vec![p.to_owned(), encoded(p), p.replace('@', "%40")]
}

/// The strings no rendering may contain: the password raw, percent-encoded and
/// percent-decoded, each also as `Debug` escapes it.
fn forbidden(p: &str) -> Vec<String> {
    let mut out = vec![
        p.to_owned(),
        encoded(p),
        percent_decode_str(p).decode_utf8_lossy().into_owned(),
    ];
    for s in out.clone() {
        let escaped = format!("{s:?}");
        out.push(escaped[1..escaped.len() - 1].to_owned());
    }
    out.sort();
    out.dedup();
    out
}

/// Every rendering of `url` the crate can produce without a server: the parsed URL or its
/// error, and the engine or its error.
fn renderings(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    match url.parse::<Url>() {
        Ok(u) => {
            out.extend([u.to_string(), format!("{u:?}"), format!("{u:#?}")]);
            // The driver holds the password too (tokio-postgres's `Config` hides it).
            #[cfg(feature = "postgres")]
            if let Ok(driver) = PgDriver::from_url(&u, 0) {
                out.push(format!("{driver:?}"));
            }
        }
        Err(e) => out.extend([e.to_string(), format!("{e:?}")]),
    }
    match create_engine(url) {
        Ok(engine) => {
            out.extend([format!("{engine:?}"), engine.url().to_string()]);
            out.push(format!("{:?}", engine.url()));
        }
        Err(e) => out.extend([e.to_string(), format!("{e:?}")]),
    }
    out
}

/// The inputs: every template with every password spelling.
fn inputs() -> Vec<(String, &'static str, String)> {
    let mut out = Vec::new();
    for &p in PASSWORDS {
        for spelled in spellings(p) {
            for t in WELL_FORMED {
                out.push((p.to_owned(), "well-formed", t.replace("{p}", &spelled)));
            }
            for (class, t) in MALFORMED {
                out.push((p.to_owned(), *class, t.replace("{p}", &spelled)));
            }
            for k in SECRET_KEYS {
                for t in QUERY_TEMPLATES {
                    let url = t.replace("{k}", k).replace("{p}", &spelled);
                    out.push((p.to_owned(), "secret query option", url));
                }
            }
        }
    }
    out
}

#[test]
fn no_rendering_shows_the_password() {
    let inputs = inputs();
    assert!(inputs.len() > 2000, "{}", inputs.len());
    let mut leaks = Vec::new();
    let mut by_class = std::collections::BTreeMap::<&str, usize>::new();
    for (password, class, url) in &inputs {
        let forbidden = forbidden(password);
        let leak = renderings(url).into_iter().find_map(|shown| {
            let f = forbidden.iter().find(|f| shown.contains(f.as_str()))?;
            Some(format!("[{class}] {url:?} shows {f:?} in {shown:?}"))
        });
        if let Some(leak) = leak {
            leaks.push(leak);
            *by_class.entry(class).or_default() += 1;
        }
    }
    assert!(
        leaks.is_empty(),
        "{} of {} inputs leak; by class: {by_class:?}; e.g.:\n{}",
        leaks.len(),
        inputs.len(),
        leaks
            .iter()
            .step_by(leaks.len() / 40 + 1)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn well_formed_urls_still_parse_their_password() {
    for &p in PASSWORDS {
        for t in WELL_FORMED {
            let url = t.replace("{p}", &encoded(p));
            let parsed: Url = url.parse().unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(parsed.password(), Some(p), "{url}");
            assert!(parsed.to_string().contains(":***@"), "{parsed}");
            create_engine(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        }
        let url = format!(
            "postgresql://scott@db.example/app?pass%77ord={}",
            encoded(p)
        );
        let parsed: Url = url.parse().unwrap();
        assert_eq!(parsed.query()["password"], p);
        assert!(parsed.to_string().ends_with("?password=***"), "{parsed}");
    }
}

#[test]
fn malformed_urls_are_argument_errors() {
    for (class, t) in MALFORMED {
        let url = t.replace("{p}", "s3cr%40t");
        if class.contains("option") {
            continue; // some of these parse, and fail only in `create_engine`
        }
        assert!(
            matches!(url.parse::<Url>(), Err(sqlcore::Error::Argument(_)))
                || *class == "fragment"
                || *class == "two ports",
            "[{class}] {url} parsed"
        );
        assert!(
            matches!(create_engine(&url), Err(sqlcore::Error::Argument(_)))
                || *class == "fragment"
                || *class == "two ports",
            "[{class}] {url} built an engine"
        );
    }
}

#[test]
fn multi_host_urls_show_every_host_and_hide_the_password() {
    for (url, shown) in [
        (
            "postgresql://u:s3cr%40t@h1:5432,h2:5433/db?target_session_attrs=read-write",
            "postgresql://u:***@h1:5432,h2:5433/db?target_session_attrs=read-write",
        ),
        (
            "postgresql://u:s3cr%40t@[::1]:5432,[fe80::2],h3/db",
            "postgresql://u:***@[::1]:5432,[fe80::2],h3/db",
        ),
        (
            "postgresql://u:s3cr%40t@%2Fvar%2Frun%2Fpostgresql:5433/db",
            "postgresql://u:***@%2Fvar%2Frun%2Fpostgresql:5433/db",
        ),
        (
            "postgresql:///db?host=/tmp&password=s3cr%40t",
            "postgresql:///db?host=/tmp&password=***",
        ),
    ] {
        let parsed: Url = url.parse().unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(parsed.to_string(), shown);
        // What Display shows parses back to the same hosts.
        let again: Url = shown.parse().unwrap();
        assert!(again.hosts().eq(parsed.hosts()), "{shown}");
    }
    let url: Url = "postgresql://u@h1:5432,[::1]:5433,h3/db".parse().unwrap();
    assert_eq!(url.host(), Some("h1"));
    assert_eq!(url.port(), Some(5432));
    let hosts: Vec<_> = url.hosts().collect();
    assert_eq!(
        hosts,
        [("h1", Some(5432)), ("::1", Some(5433)), ("h3", None)]
    );
}

#[test]
fn errors_still_say_what_is_wrong() {
    let err = |url: &str| url.parse::<Url>().unwrap_err().to_string();
    let e = err("postgresql://scott:s3cr@t@db.example/app");
    assert!(e.contains("misplaced '@'") && e.contains("%40"), "{e}");
    assert!(e.contains("scott:***@db.example"), "{e}");
    let e = err("postgresql://scott:pw@db.example:port/app");
    assert!(e.contains("invalid port \"port\""), "{e}");
    let e = err("postgresql://scott:pw@db.example/app?bogus=1");
    assert!(e.contains("unknown option \"bogus\""), "{e}");
    let e = err("postgresql://sc?ott:pw@db.example/app");
    assert!(e.contains("unknown option in") && !e.contains("pw"), "{e}");
    let e = err("postgresql:scott:pw@db.example/app");
    assert_eq!(
        e,
        "ArgumentError: could not parse a database URL from \"postgresql:***@db.example/app\""
    );
}
