//! `sqlcore reflect URL --dialect D` across backends: the DDL written for another database runs
//! there. Enums become PostgreSQL types of unique names or SQLite CHECKs, server defaults are
//! translated where there is a clear equivalent (`now()`, `curdate()`, `'x'::text`, `uuid()`,
//! `CURRENT_TIMESTAMP(6)`), MySQL's `ON UPDATE` is reflected and created again on MariaDB and
//! left out elsewhere, and what has no equivalent is told on stderr. Snapshots in
//! `snapshots/cli/`.

mod common;

use common::backend::TestDb;
use common::cli::{create, reflect_warning, sqlcore};
use sqlcore::*;

/// Two enums named `status` with different values, one named as a table (`kind`), MySQL's
/// own integer and text types, and defaults of every kind the translation knows.
const MARIADB_SCHEMA: &str = "
CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY,
    status ENUM('new', 'old') NOT NULL DEFAULT 'new',
    created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    touched DATETIME NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP,
    born DATE DEFAULT (curdate()), token CHAR(36) DEFAULT (uuid()),
    flags TINYINT NOT NULL DEFAULT 0, visits INT UNSIGNED NOT NULL DEFAULT 0, bio MEDIUMTEXT,
    active BOOLEAN NOT NULL DEFAULT 1, note VARCHAR(20) DEFAULT 'it''s');
CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY,
    status ENUM('open', 'paid', 'shipped') NOT NULL DEFAULT 'open',
    user_id INT REFERENCES users (id));
CREATE TABLE kind (id INT PRIMARY KEY, kind ENUM('a', 'b'))";

/// PostgreSQL's casts, functions and sequences in defaults.
const POSTGRES_SCHEMA: &str = "
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE SEQUENCE free_seq;
CREATE TABLE notes (id SERIAL PRIMARY KEY, title TEXT NOT NULL DEFAULT 'untitled'::text,
    label VARCHAR(20) DEFAULT 'x'::character varying, created TIMESTAMPTZ NOT NULL DEFAULT now(),
    day DATE DEFAULT CURRENT_DATE, token UUID DEFAULT gen_random_uuid(), feeling mood DEFAULT 'ok',
    n INTEGER DEFAULT (-1), price NUMERIC(10, 2) DEFAULT 0.00, done BOOLEAN DEFAULT false,
    counter BIGINT DEFAULT nextval('free_seq'))";

/// SQLite's own spellings.
const SQLITE_SCHEMA: &str = "
CREATE TABLE events (id INTEGER PRIMARY KEY, at DATETIME DEFAULT (datetime('now')),
    day DATE DEFAULT CURRENT_DATE, active BOOLEAN NOT NULL DEFAULT 1, label TEXT DEFAULT 'x')";

fn snapshot(name: &str, output: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots/cli");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, output));
}

/// The DDL the command writes, as `;`-separated statements to run.
fn statements(ddl: &str) -> String {
    ddl.replace(";\n\n", ";")
}

/// The DDL for `dialect`, its warnings (the database's name as `test_db`).
fn ddl_for(url: &str, dialect: &str, database: Option<&str>) -> (String, String) {
    let (ddl, warnings) = reflect_warning(url, &["--dialect", dialect]);
    let warnings = warnings.join("\n");
    match database {
        Some(db) => (ddl.replace(db, "test_db"), warnings.replace(db, "test_db")),
        None => (ddl, warnings),
    }
}

#[test]
fn mariadb_ddl_runs_on_postgresql_and_sqlite() {
    let Some(db) = TestDb::mariadb("cli_dialects_mariadb") else {
        return;
    };
    create(&db.url(), MARIADB_SCHEMA);
    let database = db.schema().map(str::to_owned);
    let database = database.as_deref();

    // ON UPDATE round-trips on MariaDB itself.
    let (own, warnings) = ddl_for(&db.url(), "mariadb", database);
    assert_eq!(warnings, "");
    assert!(
        own.contains("updated DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6) NOT NULL"),
        "{own}"
    );
    if let Some(copy) = TestDb::mariadb("cli_dialects_mariadb_copy") {
        create(&copy.url(), &statements(&own));
        let json = |url: &str, name: &str| {
            reflect_warning(url, &["-f", "json"])
                .0
                .replace(name, "test_db")
        };
        assert_eq!(
            json(&copy.url(), copy.schema().unwrap()),
            json(&db.url(), database.unwrap())
        );
    }

    let (pg, warnings) = ddl_for(&db.url(), "postgresql", database);
    snapshot("dialects_mariadb_ddl_postgresql", &pg);
    snapshot("dialects_mariadb_warnings_postgresql", &warnings);
    if let Some(target) = TestDb::postgres("cli_dialects_to_pg") {
        create(&target.url(), &statements(&pg));
        let engine = create_engine(&target.url()).unwrap();
        let mut conn = engine.connect().unwrap();
        conn.execute(text("INSERT INTO users (id) VALUES (1)"), ())
            .unwrap();
        conn.execute(
            text("INSERT INTO orders (status, user_id) VALUES ('paid', 1)"),
            (),
        )
        .unwrap();
        let row = conn
            .execute(
                text("SELECT status::text, born = CURRENT_DATE, length(token), flags, note FROM users"),
                (),
            )
            .unwrap()
            .one()
            .unwrap();
        assert_eq!(row.get::<String>(0).unwrap(), "new");
        assert!(row.get::<bool>(1).unwrap());
        assert_eq!(row.get::<i64>(2).unwrap(), 36);
        assert_eq!(row.get::<String>(4).unwrap(), "it's");
        // The orders' status is a type of its own, which refuses the users' values.
        assert!(
            conn.execute(text("INSERT INTO orders (status) VALUES ('new')"), ())
                .is_err()
        );
        conn.rollback().unwrap();
        let types: Vec<String> = conn
            .execute(
                text("SELECT t.typname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
                      WHERE n.nspname = current_schema() AND t.typtype = 'e' ORDER BY 1"),
                (),
            )
            .unwrap()
            .scalars()
            .all()
            .unwrap();
        assert_eq!(types, ["kind_kind", "orders_status", "users_status"]);
    }

    let (lite, warnings) = ddl_for(&db.url(), "sqlite", database);
    snapshot("dialects_mariadb_ddl_sqlite", &lite);
    snapshot("dialects_mariadb_warnings_sqlite", &warnings);
    let target = TestDb::sqlite("cli_dialects_to_sqlite");
    create(&target.url(), &statements(&lite));
    let engine = create_engine(&target.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("INSERT INTO users (id) VALUES (1)"), ())
        .unwrap();
    let status: String = conn
        .execute(text("SELECT status FROM users"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(status, "new");
    // The enum's CHECK keeps the column to its values.
    assert!(
        conn.execute(text("INSERT INTO orders (status) VALUES ('new')"), ())
            .is_err()
    );
}

#[test]
fn postgresql_ddl_runs_on_mariadb_and_sqlite() {
    let Some(db) = TestDb::postgres("cli_dialects_postgres") else {
        return;
    };
    create(&db.url(), POSTGRES_SCHEMA);
    let (my, warnings) = ddl_for(&db.url(), "mariadb", None);
    snapshot("dialects_postgresql_ddl_mariadb", &my);
    snapshot("dialects_postgresql_warnings_mariadb", &warnings);
    if let Some(target) = TestDb::mariadb("cli_dialects_to_mariadb") {
        create(&target.url(), &statements(&my));
        let engine = create_engine(&target.url()).unwrap();
        let mut conn = engine.connect().unwrap();
        // Every column from its default, the SERIAL key from AUTO_INCREMENT.
        conn.execute(text("INSERT INTO notes () VALUES ()"), ())
            .unwrap();
        let row = conn
            .execute(
                text(
                    "SELECT title, label, feeling, n, done, day = CURRENT_DATE, counter, id FROM notes",
                ),
                (),
            )
            .unwrap()
            .one()
            .unwrap();
        assert_eq!(row.get::<String>(0).unwrap(), "untitled");
        assert_eq!(row.get::<String>(1).unwrap(), "x");
        assert_eq!(row.get::<String>(2).unwrap(), "ok");
        assert_eq!(row.get::<i64>(3).unwrap(), -1);
        assert_eq!(row.get::<i64>(4).unwrap(), 0);
        assert_eq!(row.get::<i64>(5).unwrap(), 1);
        assert_eq!(row.get::<i64>(6).unwrap(), 1);
        assert_eq!(row.get::<i64>(7).unwrap(), 1);
    }

    let (lite, warnings) = ddl_for(&db.url(), "sqlite", None);
    snapshot("dialects_postgresql_ddl_sqlite", &lite);
    snapshot("dialects_postgresql_warnings_sqlite", &warnings);
    let target = TestDb::sqlite("cli_dialects_pg_to_sqlite");
    create(&target.url(), &statements(&lite));
    let engine = create_engine(&target.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("INSERT INTO notes (id) VALUES (1)"), ())
        .unwrap();
    let title: String = conn
        .execute(text("SELECT title FROM notes"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(title, "untitled");
    assert!(
        conn.execute(
            text("INSERT INTO notes (id, feeling) VALUES (2, 'glad')"),
            ()
        )
        .is_err()
    );
}

#[test]
fn sqlite_ddl_runs_on_postgresql_and_mariadb() {
    let db = TestDb::sqlite("cli_dialects_sqlite");
    create(&db.url(), SQLITE_SCHEMA);
    let (pg, warnings) = ddl_for(&db.url(), "postgresql", None);
    assert_eq!(warnings, "");
    snapshot("dialects_sqlite_ddl_postgresql", &pg);
    if let Some(target) = TestDb::postgres("cli_dialects_sqlite_to_pg") {
        create(&target.url(), &statements(&pg));
        create(&target.url(), "INSERT INTO events (id) VALUES (1)");
    }
    let (my, warnings) = ddl_for(&db.url(), "mariadb", None);
    assert_eq!(warnings, "");
    snapshot("dialects_sqlite_ddl_mariadb", &my);
    if let Some(target) = TestDb::mariadb("cli_dialects_sqlite_to_mariadb") {
        create(&target.url(), &statements(&my));
        create(&target.url(), "INSERT INTO events (id) VALUES (1)");
    }
}

#[test]
fn warnings_do_not_stop_the_output() {
    // A default with no equivalent is left out with a warning; the exit status stays 0.
    let db = TestDb::sqlite("cli_dialects_warn");
    create(
        &db.url(),
        "CREATE TABLE t (id INTEGER PRIMARY KEY, r INTEGER DEFAULT (random()))",
    );
    let out = sqlcore(&["reflect", &db.url(), "-d", "postgresql", "--quiet"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("r INTEGER DEFAULT (random())"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("sqlcore: warning: t.r: DEFAULT random() is written as reflected"),
        "{}",
        out.stderr
    );
}
