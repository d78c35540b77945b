//! PostgreSQL for the compiler tests: every PostgreSQL rendering is prepared (DML) or run (DDL)
//! on the real server, inside a transaction that is always rolled back, in a schema of its own.
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

/// Prepares (DML) or runs (DDL) `sql` in a rolled-back transaction, in a fresh schema that
/// holds the fixture tables unless `empty`.
pub fn check(case: &str, sql: &str, is_ddl: bool, empty: bool) {
    let Some(mut client) = connect() else { return };
    let mut tx = client.transaction().expect("BEGIN");
    let schema = format!("snap_{case}");
    // `app` is the fixture's second schema; concurrent tests wait on it in turn.
    tx.batch_execute(&format!(
        "CREATE SCHEMA \"{schema}\"; SET LOCAL search_path TO \"{schema}\"; CREATE SCHEMA app"
    ))
    .unwrap_or_else(|e| panic!("{case}: set-up: {e}"));
    if !empty {
        for ddl in super::fixtures::metadata()
            .create_all_ddl(&PostgreSQL, false)
            .expect("fixture DDL")
        {
            let fixture = ddl.compile(&PostgreSQL).expect("fixture DDL compiles").sql;
            tx.batch_execute(&fixture)
                .unwrap_or_else(|e| panic!("fixture DDL fails on PostgreSQL: {e}\n{fixture}"));
        }
    }
    let result = if is_ddl {
        tx.batch_execute(sql)
    } else {
        tx.prepare(sql).map(drop)
    };
    if let Err(e) = result {
        let detail = e
            .as_db_error()
            .map(|d| d.message().to_owned())
            .unwrap_or_default();
        panic!("{case}: PostgreSQL rejects {sql}: {e} {detail}");
    }
    tx.rollback().expect("ROLLBACK");
}
