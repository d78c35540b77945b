//! PostgreSQL for the tests: the server's URL, a checked connection, and the run of every
//! compiler snapshot statement on the real server.
//!
//! The server is `SQLCORE_TEST_PG_URL` (default `postgresql://postgres@127.0.0.1:5432/test`).
//! Under `CI=true` an unreachable server fails the tests; elsewhere the check is skipped with a
//! message on stderr.

use sqlcore::*;

/// The test server's URL.
pub fn url() -> String {
    std::env::var("SQLCORE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".to_owned())
}

/// A client, or `None` (with a message) when the server is unreachable outside CI.
pub fn connect() -> Option<postgres::Client> {
    match postgres::Client::connect(&url(), postgres::NoTls) {
        Ok(client) => Some(client),
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("PostgreSQL at {} is unreachable under CI: {e}", url())
        }
        Err(e) => {
            eprintln!("SKIPPING PostgreSQL check: {} is unreachable: {e}", url());
            None
        }
    }
}

/// Runs `stmt` through sqlcore on the server, inside one transaction that is rolled back at
/// the end: a schema of its own holding the fixture tables and rows (unless `empty`), then the
/// statement with its values, stepping through every row it returns.
pub fn check(case: &str, setup: &[Statement], stmt: &Statement, named: &Params, empty: bool) {
    if connect().is_none() {
        return;
    }
    let engine = Engine::builder(&url())
        .poolclass(PoolClass::Null)
        .build()
        .expect("engine");
    let mut conn = engine.connect().expect("connect");
    let schema = format!("snap_{case}");
    // `app` is the fixture's second schema; concurrent tests wait on it in turn.
    for setup in [
        format!("CREATE SCHEMA \"{schema}\""),
        format!("SET LOCAL search_path TO \"{schema}\""),
        "CREATE SCHEMA IF NOT EXISTS app".to_owned(),
    ] {
        conn.execute(text(&setup), ())
            .unwrap_or_else(|e| panic!("{case}: set-up: {e}"));
    }
    if !empty {
        super::fixtures::metadata()
            .create_all(&mut conn)
            .expect("fixture DDL on PostgreSQL");
        for seed in super::fixtures::SEED
            .split(';')
            .filter(|s| !s.trim().is_empty())
        {
            conn.execute(text(seed), ())
                .unwrap_or_else(|e| panic!("seed rows: {e}\n{seed}"));
        }
        super::fixtures::pg_metadata()
            .create_all(&mut conn)
            .expect("PostgreSQL-only fixture DDL");
        conn.execute(text(super::fixtures::PG_SEED), ())
            .unwrap_or_else(|e| panic!("{case}: PostgreSQL-only seed rows: {e}"));
    }
    for s in setup {
        super::run(&mut conn, case, s, &Params::new());
    }
    super::run(&mut conn, case, stmt, named);
    conn.rollback().expect("ROLLBACK");
}
