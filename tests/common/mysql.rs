//! MySQL / MariaDB for the tests: the server's URL and a checked connection.
//!
//! The server is `SQLCORE_TEST_MYSQL_URL` (default `mysql://root@127.0.0.1:3306/test`; the
//! engine suites reach it as `mariadb://`). Under `CI=true` an unreachable server fails the
//! tests; elsewhere they are skipped with a message on stderr.

/// The test server's URL.
pub fn url() -> String {
    std::env::var("SQLCORE_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned())
}

/// The test server's URL with another scheme (`mariadb`) and database.
pub fn url_for(scheme: &str, database: &str) -> String {
    let base = url();
    let rest = base
        .split_once("://")
        .map_or(base.as_str(), |(_, rest)| rest);
    let (authority, query) = match rest.split_once('?') {
        Some((a, q)) => (a, format!("?{q}")),
        None => (rest, String::new()),
    };
    let authority = authority.split('/').next().unwrap_or_default();
    format!("{scheme}://{authority}/{database}{query}")
}

/// A connection, or `None` (with a message) when the server is unreachable outside CI.
pub fn connect() -> Option<mysql::Conn> {
    let opts = mysql::Opts::from_url(&url()).expect("SQLCORE_TEST_MYSQL_URL");
    match mysql::Conn::new(opts) {
        Ok(conn) => Some(conn),
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("MySQL/MariaDB at {} is unreachable under CI: {e}", url())
        }
        Err(e) => {
            eprintln!(
                "SKIPPING MySQL/MariaDB check: {} is unreachable: {e}",
                url()
            );
            None
        }
    }
}

/// Runs `sql` on a fresh connection (set-up and clean-up).
pub fn run(sql: &str) {
    use mysql::prelude::Queryable;
    if let Some(mut conn) = connect() {
        conn.query_drop(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}
