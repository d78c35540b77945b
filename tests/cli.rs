//! The `sqlcore` command: `sqlcore reflect URL` run as a program on a SQLite file and on a
//! PostgreSQL schema of its own, its DDL, JSON and Rust outputs snapshotted (`snapshots/cli/`);
//! its exit codes, and its errors free of the URL's password.

mod common;

use common::backend::TestDb;
use sqlcore::*;
use std::process::Command;

/// The schema both backends reflect: every type the Rust output maps, a type it does not
/// (the fallback), a composite primary and foreign key, defaults, a CHECK, a UNIQUE, an index,
/// a keyword column name and a table without a primary key.
const SQLITE_SCHEMA: &str = "
CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL, email TEXT UNIQUE,
    score NUMERIC(10, 2) NOT NULL DEFAULT 0, active BOOLEAN DEFAULT 1, joined DATE,
    seen DATETIME, avatar BLOB, ratio REAL, weight DOUBLE, small SMALLINT, big BIGINT,
    shape GEOMETRY);
CREATE INDEX ix_users_name ON users (name);
CREATE TABLE accounts (owner_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    number INTEGER NOT NULL, \"type\" TEXT NOT NULL DEFAULT 'checking',
    PRIMARY KEY (owner_id, number), CONSTRAINT positive_number CHECK (number > 0));
CREATE TABLE transfers (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL,
    number INTEGER NOT NULL, amount NUMERIC(12, 2) NOT NULL,
    FOREIGN KEY (owner_id, number) REFERENCES accounts (owner_id, number));
CREATE TABLE tags (label TEXT, weight INTEGER)";

const POSTGRES_SCHEMA: &str = "
CREATE TABLE users (id SERIAL PRIMARY KEY, name VARCHAR(30) NOT NULL, email TEXT UNIQUE,
    score NUMERIC(10, 2) NOT NULL DEFAULT 0, active BOOLEAN DEFAULT true, joined DATE,
    wakes TIME, seen TIMESTAMP, created TIMESTAMPTZ NOT NULL DEFAULT now(), token UUID,
    profile JSONB, avatar BYTEA, ratio REAL, weight DOUBLE PRECISION, small SMALLINT,
    big BIGINT, addr INET);
COMMENT ON TABLE users IS 'People who sign in.';
COMMENT ON COLUMN users.name IS 'The login name.';
CREATE INDEX ix_users_lower_name ON users (lower(name));
CREATE TABLE accounts (owner_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    number INTEGER NOT NULL, \"type\" TEXT NOT NULL DEFAULT 'checking',
    PRIMARY KEY (owner_id, number), CONSTRAINT positive_number CHECK (number > 0));
CREATE TABLE transfers (id BIGSERIAL PRIMARY KEY, owner_id INTEGER NOT NULL,
    number INTEGER NOT NULL, amount NUMERIC(12, 2) NOT NULL,
    FOREIGN KEY (owner_id, number) REFERENCES accounts (owner_id, number));
CREATE TABLE tags (label TEXT, weight INTEGER)";

/// A password none of the outputs may show.
const SECRET: &str = "Tiger-s3cret";

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn sqlcore(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_sqlcore"))
        .args(args)
        .output()
        .expect("run sqlcore");
    Output {
        code: out.status.code().expect("an exit code"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

/// `sqlcore reflect URL args…`, which must succeed; its stdout.
fn reflect(url: &str, args: &[&str]) -> String {
    let out = sqlcore(&[&["reflect", url], args].concat());
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    assert_eq!(out.stderr, "", "no progress when stderr is not a terminal");
    out.stdout
}

fn create(url: &str, schema: &str) {
    let engine = create_engine(url).unwrap();
    engine
        .transaction(|c| {
            for sql in schema.split(';') {
                c.execute(text(sql), ())?;
            }
            Ok(())
        })
        .unwrap();
}

fn snapshot(name: &str, output: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots/cli");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, output));
}

/// The names of the tables of a JSON description.
fn json_tables(json: &str) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_str(json).unwrap();
    doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn sqlite_file_reflects_into_every_format() {
    let db = TestDb::sqlite("cli_sqlite");
    create(&db.url(), SQLITE_SCHEMA);
    let url = db.url();
    snapshot("sqlite_ddl", &reflect(&url, &[]));
    snapshot(
        "sqlite_ddl_postgresql",
        &reflect(&url, &["--dialect", "postgresql"]),
    );
    snapshot("sqlite_ddl_mysql", &reflect(&url, &["-d", "mysql"]));
    snapshot("sqlite_json", &reflect(&url, &["--format", "json"]));
    snapshot("sqlite_rust", &reflect(&url, &["--format=rust"]));
    // The DDL runs: reflected into a fresh file, it reflects back the same.
    let copy = TestDb::sqlite("cli_sqlite_copy");
    create(
        &copy.url(),
        &reflect(&url, &[])
            .replace(";\n\n", ";")
            .trim_end_matches(';')
            .to_owned(),
    );
    assert_eq!(
        reflect(&copy.url(), &["-f", "json"]),
        reflect(&url, &["-f", "json"])
    );
}

#[test]
fn only_the_tables_asked_for_and_those_they_refer_to() {
    let db = TestDb::sqlite("cli_only");
    create(&db.url(), SQLITE_SCHEMA);
    let json = reflect(&db.url(), &["--table", "transfers", "-f", "json"]);
    assert_eq!(json_tables(&json), ["accounts", "transfers", "users"]);
    let json = reflect(&db.url(), &["-t", "tags,users", "-f", "json"]);
    assert_eq!(json_tables(&json), ["tags", "users"]);
    let missing = sqlcore(&["reflect", &db.url(), "--table", "nope"]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("no table \"nope\""),
        "{}",
        missing.stderr
    );
    assert_eq!(missing.stdout, "");
}

#[test]
fn postgresql_schema_reflects_into_every_format() {
    let Some(db) = TestDb::postgres("cli_postgres") else {
        return;
    };
    create(&db.url(), POSTGRES_SCHEMA);
    let url = db.url();
    snapshot("postgresql_ddl", &reflect(&url, &[]));
    snapshot(
        "postgresql_ddl_sqlite",
        &reflect(&url, &["--dialect", "sqlite"]),
    );
    snapshot(
        "postgresql_ddl_mariadb",
        &reflect(&url, &["--dialect", "mariadb"]),
    );
    snapshot("postgresql_json", &reflect(&url, &["--format", "json"]));
    snapshot("postgresql_rust", &reflect(&url, &["--format", "rust"]));
    // --schema names the schema: the tables are qualified by it.
    let schema = db.schema().unwrap();
    let doc: serde_json::Value = serde_json::from_str(&reflect(
        &url,
        &["--schema", schema, "-f", "json", "-t", "tags"],
    ))
    .unwrap();
    assert_eq!(doc["tables"][0]["schema"], schema);
    assert_eq!(doc["tables"][0]["name"], "tags");
}

#[test]
fn help_version_and_usage_errors() {
    let help = sqlcore(&["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Usage:") && help.stdout.contains("Examples:"));
    assert_eq!(sqlcore(&["reflect", "--help"]).stdout, help.stdout);
    let version = sqlcore(&["--version"]);
    assert_eq!((version.code, version.stdout.trim()), (0, "sqlcore 0.1.0"));
    for args in [
        &[][..],
        &["compile"],
        &["reflect"],
        &["reflect", "sqlite://", "--format", "xml"],
        &["reflect", "sqlite://", "--dialect", "oracle"],
        &["reflect", "sqlite://", "--bogus"],
        &["reflect", "sqlite://", "--table"],
    ] {
        let out = sqlcore(args);
        assert_eq!(out.code, 2, "{args:?}");
        assert!(
            out.stderr.contains("sqlcore --help"),
            "{args:?}: {}",
            out.stderr
        );
        assert_eq!(out.stdout, "");
    }
}

#[test]
fn errors_never_show_the_password() {
    let urls = [
        // Well-formed, nothing listening.
        format!("postgresql://scott:{SECRET}@127.0.0.1:1/db"),
        format!("mysql://scott:{SECRET}@127.0.0.1:1/db"),
        // Malformed.
        format!("postgresql://scott:{SECRET}@[::1/db"),
        format!("postgresql://scott:{SECRET}@h:notaport/db"),
        format!("nosuchdb://scott:{SECRET}@h/db"),
    ];
    for url in &urls {
        let out = sqlcore(&["reflect", url]);
        assert_eq!(out.code, 1, "{}", out.stderr.replace(SECRET, "***"));
        assert!(
            out.stderr.starts_with("sqlcore: error: "),
            "{}",
            out.stderr.replace(SECRET, "***")
        );
        assert!(!out.stderr.contains(SECRET), "the password shows");
        assert!(!out.stderr.contains("s3cret"), "part of the password shows");
    }
    // Given without the command, or twice: a usage error that does not echo it.
    for args in [vec![urls[0].as_str()], vec!["reflect", &urls[0], &urls[2]]] {
        let out = sqlcore(&args);
        assert_eq!(out.code, 2);
        assert!(!out.stderr.contains(SECRET), "the password shows");
    }
}
