//! The `sqlcore` command: `sqlcore reflect URL` run as a program on a SQLite file, on a
//! PostgreSQL schema and on a MariaDB database of its own, its DDL, JSON and Rust outputs
//! snapshotted (`snapshots/cli/`);
//! its exit codes, and its errors free of the URL's password.

mod common;

use common::backend::TestDb;
use common::cli::{create, sqlcore};
use sqlcore::*;

/// The schema both backends reflect: every type the Rust output maps, a type it does not
/// (the fallback), a composite primary and foreign key, defaults, a CHECK, a UNIQUE, an index,
/// a keyword column name, a table without a primary key and (SQLite) a CamelCase table.
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
CREATE TABLE tags (label TEXT, weight INTEGER);
CREATE TABLE [Album] ([AlbumId] INTEGER NOT NULL PRIMARY KEY, [Title] NVARCHAR(160) NOT NULL)";

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

const MARIADB_SCHEMA: &str = "
CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(30) NOT NULL
    COMMENT 'The login name.', email VARCHAR(100) UNIQUE,
    score DECIMAL(10, 2) NOT NULL DEFAULT 0, active BOOLEAN DEFAULT 1, joined DATE,
    wakes TIME, seen DATETIME, created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    profile JSON, avatar BLOB, ratio FLOAT, weight DOUBLE, small SMALLINT, big BIGINT,
    status ENUM('new', 'old')) COMMENT 'People who sign in.';
CREATE INDEX ix_users_name ON users (name);
CREATE TABLE accounts (owner_id INT NOT NULL, number INT NOT NULL,
    `type` VARCHAR(20) NOT NULL DEFAULT 'checking', PRIMARY KEY (owner_id, number),
    CONSTRAINT positive_number CHECK (number > 0),
    FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE);
CREATE TABLE transfers (id BIGINT AUTO_INCREMENT PRIMARY KEY, owner_id INT NOT NULL,
    number INT NOT NULL, amount DECIMAL(12, 2) NOT NULL,
    FOREIGN KEY (owner_id, number) REFERENCES accounts (owner_id, number));
CREATE TABLE tags (label TEXT, weight INT)";

/// A password none of the outputs may show.
const SECRET: &str = "Tiger-s3cret";

/// `sqlcore reflect URL args…`, which must succeed; its stdout (warnings of a DDL for
/// another backend aside: `tests/cli_dialects.rs`).
fn reflect(url: &str, args: &[&str]) -> String {
    common::cli::reflect_warning(url, args).0
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
        reflect(&url, &[])
            .replace(";\n\n", ";")
            .trim_end_matches(';'),
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
    // A mistyped path is not created as an empty database.
    let typo = db.url().replace("test.db", "tset.db");
    let out = sqlcore(&["reflect", &typo]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("no SQLite database at"),
        "{}",
        out.stderr
    );
    assert!(!std::path::Path::new(typo.trim_start_matches("sqlite:///")).exists());
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
fn mariadb_database_reflects_into_every_format() {
    let Some(db) = TestDb::mariadb("cli_mariadb") else {
        return;
    };
    create(&db.url(), MARIADB_SCHEMA);
    let url = db.url();
    // The database is named per run: written `test_db` in the snapshots.
    let database = db.schema().unwrap();
    let out = |url: &str, args: &[&str]| reflect(url, args).replace(database, "test_db");
    snapshot("mariadb_ddl", &out(&url, &[]));
    snapshot(
        "mariadb_ddl_postgresql",
        &out(&url, &["--dialect", "postgresql"]),
    );
    snapshot("mariadb_ddl_sqlite", &out(&url, &["-d", "sqlite"]));
    snapshot("mariadb_json", &out(&url, &["--format", "json"]));
    assert_generated(
        &url,
        "mariadb_schema.rs",
        include_str!("generated/mariadb_schema.rs"),
    );
    // The generated Rust, the per-column ENUM among it, runs on the database.
    {
        use mariadb_schema::*;
        let engine = create_engine(&url).unwrap();
        let mut conn = engine.connect().unwrap();
        for (id, status) in [(1, Some(Status::Old)), (2, None)] {
            let insert = typed::insert_into(users::table)
                .value(users::id, id)
                .value(users::name, format!("user {id}"))
                .value(users::status, status);
            conn.execute(Insert::from(insert), ()).unwrap();
        }
        let old: Vec<Users> = conn
            .execute(
                select(users::table).filter(users::status.eq(Status::Old)),
                (),
            )
            .unwrap()
            .all_as()
            .unwrap();
        let found: Vec<_> = old.iter().map(|u| (u.id, u.status)).collect();
        assert_eq!(found, [(1, Some(Status::Old))]);
        let none: Users = conn
            .query_row_as(select(users::table).filter(users::id.eq(2)), ())
            .unwrap();
        assert_eq!((none.status, none.score.to_string()), (None, "0.00".into()));
        conn.rollback().unwrap();
    }
    // The DDL runs: reflected into a fresh database, it reflects back the same.
    let Some(copy) = TestDb::mariadb("cli_mariadb_copy") else {
        return;
    };
    create(
        &copy.url(),
        out(&url, &[]).replace(";\n\n", ";").trim_end_matches(';'),
    );
    let copied = reflect(&copy.url(), &["-f", "json"]).replace(copy.schema().unwrap(), "test_db");
    assert_eq!(copied, out(&url, &["-f", "json"]));
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

/// The Rust the command writes for the SQLite fixture, checked in: it compiles here, and its
/// typed statements run on the database it was generated from.
#[allow(dead_code)]
mod sqlite_schema {
    include!("generated/sqlite_schema.rs");
}

/// The same for the PostgreSQL fixture.
#[allow(dead_code)]
mod postgresql_schema {
    include!("generated/postgresql_schema.rs");
}

/// The checked-in file is what the command writes today (regenerate it with the command the
/// message shows when the output changes on purpose).
fn assert_generated(url: &str, file: &str, checked_in: &str) {
    let now = reflect(url, &["--format", "rust"]);
    common::cli::assert_generated(file, checked_in, &now, "--format rust");
}

#[test]
fn generated_rust_runs_on_sqlite() {
    use sqlite_schema::*;
    let db = TestDb::sqlite("cli_round_trip");
    create(&db.url(), SQLITE_SCHEMA);
    assert_generated(
        &db.url(),
        "sqlite_schema.rs",
        include_str!("generated/sqlite_schema.rs"),
    );
    let engine = create_engine(&db.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let ed = Users {
        id: 1,
        name: "ed".into(),
        email: Some("ed@example.com".into()),
        score: "12.50".parse().unwrap(),
        active: Some(true),
        joined: sqlcore::chrono::NaiveDate::from_ymd_opt(2024, 2, 29),
        seen: sqlcore::chrono::NaiveDate::from_ymd_opt(2024, 3, 1)
            .and_then(|d| d.and_hms_opt(12, 30, 0)),
        avatar: Some(vec![0, 1, 255]),
        ratio: Some(0.5),
        weight: Some(72.25),
        small: Some(-3),
        big: Some(1 << 40),
    };
    let insert = typed::insert_into(users::table)
        .value(users::id, ed.id)
        .value(users::name, ed.name.clone())
        .value(users::email, ed.email.clone())
        .value(users::score, ed.score)
        .value(users::active, ed.active)
        .value(users::joined, ed.joined)
        .value(users::seen, ed.seen)
        .value(users::avatar, ed.avatar.clone())
        .value(users::ratio, ed.ratio)
        .value(users::weight, ed.weight)
        .value(users::small, ed.small)
        .value(users::big, ed.big);
    conn.execute(Insert::from(insert), ()).unwrap();
    // The column named `type` is `r#type`, in the table and in the struct.
    conn.execute(
        Insert::from(
            typed::insert_into(accounts::table)
                .value(accounts::owner_id, 1)
                .value(accounts::number, 7)
                .value(accounts::r#type, "savings"),
        ),
        (),
    )
    .unwrap();
    let users: Vec<Users> = conn
        .execute(select(users::table).filter(users::name.eq("ed")), ())
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(users, [ed]);
    let accounts: Vec<Accounts> = conn
        .execute(
            select(accounts::table).filter(accounts::r#type.eq("savings")),
            (),
        )
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(
        accounts,
        [Accounts {
            owner_id: 1,
            number: 7,
            r#type: "savings".into(),
        }]
    );
    // A CamelCase table: its module keeps the name, its struct takes `Row`.
    let insert = typed::insert_into(Album::table)
        .value(Album::AlbumId, 3)
        .value(Album::Title, "Facelift");
    conn.execute(Insert::from(insert), ()).unwrap();
    let album: AlbumRow = conn
        .execute(select(Album::table).filter(Album::AlbumId.eq(3)), ())
        .unwrap()
        .one_as()
        .unwrap();
    assert_eq!(album.Title, "Facelift");
}

#[test]
fn generated_rust_runs_on_postgresql() {
    use postgresql_schema::*;
    let Some(db) = TestDb::postgres("cli_round_trip") else {
        return;
    };
    create(&db.url(), POSTGRES_SCHEMA);
    assert_generated(
        &db.url(),
        "postgresql_schema.rs",
        include_str!("generated/postgresql_schema.rs"),
    );
    let engine = create_engine(&db.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let created = sqlcore::chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let insert = typed::insert_into(users::table)
        .value(users::name, "ed")
        .value(users::score, sqlcore::rust_decimal::Decimal::new(1250, 2))
        .value(
            users::wakes,
            sqlcore::chrono::NaiveTime::from_hms_opt(7, 15, 0),
        )
        .value(users::created, created)
        .value(users::token, Some(sqlcore::uuid::Uuid::from_u128(42)))
        .value(
            users::profile,
            Some(sqlcore::serde_json::json!({"tags": ["a"]})),
        )
        .value(users::avatar, Some(vec![0_u8, 255]))
        .value(users::ratio, Some(0.5))
        .value(users::small, Some(-3_i16));
    conn.execute(Insert::from(insert), ()).unwrap();
    let users: Vec<Users> = conn
        .execute(
            select(users::table).filter(users::token.eq(Some(sqlcore::uuid::Uuid::from_u128(42)))),
            (),
        )
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(users.len(), 1);
    let ed = &users[0];
    assert_eq!(
        (ed.name.as_str(), ed.score.to_string().as_str()),
        ("ed", "12.50")
    );
    assert_eq!(ed.active, Some(true), "the server default");
    assert_eq!(ed.created, created);
    assert_eq!(
        ed.profile,
        Some(sqlcore::serde_json::json!({"tags": ["a"]}))
    );
    assert_eq!(
        (ed.avatar.as_deref(), ed.small, ed.big),
        (Some(&[0_u8, 255][..]), Some(-3), None)
    );
    assert_eq!(ed.wakes, sqlcore::chrono::NaiveTime::from_hms_opt(7, 15, 0));
    assert_eq!(ed.ratio, Some(0.5), "a REAL read as f64");
    // The column named `type` takes its server default.
    conn.execute(
        Insert::from(
            typed::insert_into(accounts::table)
                .value(accounts::owner_id, ed.id)
                .value(accounts::number, 1),
        ),
        (),
    )
    .unwrap();
    let account: Accounts = conn
        .execute(
            select(accounts::table).filter(accounts::r#type.eq("checking")),
            (),
        )
        .unwrap()
        .one_as()
        .unwrap();
    assert_eq!(
        (account.owner_id, account.r#type.as_str()),
        (ed.id, "checking")
    );
}

/// The Rust the command writes for the PostgreSQL fixture's `accounts` reflected with
/// `--schema`: the tables declared in that schema, written `other` here (the test's schema is
/// named per run, and mapped to `other` by a `schema_translate_map`).
#[allow(dead_code)]
mod postgresql_other_schema {
    include!("generated/postgresql_other_schema.rs");
}

#[test]
fn generated_rust_declares_the_schema_reflected() {
    use postgresql_other_schema::*;
    let Some(db) = TestDb::postgres("cli_schema_rust") else {
        return;
    };
    create(&db.url(), POSTGRES_SCHEMA);
    let schema = db.schema().unwrap();
    let now = reflect(
        &db.url(),
        &["--schema", schema, "--table", "accounts", "-f", "rust"],
    )
    .replace(schema, "other");
    common::cli::assert_generated(
        "postgresql_other_schema.rs",
        include_str!("generated/postgresql_other_schema.rs"),
        &now,
        "--schema <schema> --table accounts --format rust (the schema written `other`)",
    );
    assert_eq!(accounts::table.schema.as_deref(), Some("other"));
    let engine = create_engine(&db.url()).unwrap().execution_options(
        ExecutionOptions::default()
            .schema_translate_map(SchemaTranslateMap::new().map(Some("other"), schema)),
    );
    let mut conn = engine.connect().unwrap();
    let insert = typed::insert_into(users::table)
        .value(users::id, 5)
        .value(users::name, "ed");
    conn.execute(Insert::from(insert), ()).unwrap();
    let insert = typed::insert_into(accounts::table)
        .value(accounts::owner_id, 5)
        .value(accounts::number, 1)
        .value(accounts::r#type, "savings");
    conn.execute(Insert::from(insert), ()).unwrap();
    let accounts: Vec<Accounts> = conn
        .execute(select(accounts::table).filter(accounts::owner_id.eq(5)), ())
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(
        accounts,
        [Accounts {
            owner_id: 5,
            number: 1,
            r#type: "savings".into(),
        }]
    );
}

/// The same for the MariaDB database.
#[allow(dead_code)]
mod mariadb_schema {
    include!("generated/mariadb_schema.rs");
}

/// The Rust the command writes for PostgreSQL enum types (`ENUMS_SCHEMA`).
#[allow(dead_code)]
mod postgresql_enums {
    include!("generated/postgresql_enums.rs");
}

/// Enum types, among them one named as a table's struct is (its Rust enum is named apart),
/// labels that are not Rust identifiers, an array of an enum, and domains (over a number and
/// over the enum: their base types' kinds).
const ENUMS_SCHEMA: &str = "
CREATE TYPE mood AS ENUM ('happy', 'not sure', 'in_progress');
CREATE TYPE \"OrderState\" AS ENUM ('new', 'old');
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE DOMAIN feeling AS mood;
CREATE TABLE feelings (id INTEGER PRIMARY KEY, mood mood NOT NULL, maybe mood, moods mood[],
    score positive NOT NULL DEFAULT 1, felt feeling);
CREATE TABLE order_state (id INTEGER PRIMARY KEY, state \"OrderState\" NOT NULL DEFAULT 'new')";

#[test]
fn generated_rust_reads_and_writes_enums_on_postgresql() {
    use postgresql_enums::*;
    let Some(db) = TestDb::postgres("cli_enums") else {
        return;
    };
    create(&db.url(), ENUMS_SCHEMA);
    assert_generated(
        &db.url(),
        "postgresql_enums.rs",
        include_str!("generated/postgresql_enums.rs"),
    );
    let engine = create_engine(&db.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let week = vec![Some(Mood::Happy), None, Some(Mood::InProgress)];
    for (id, mood, maybe, moods) in [
        (1, Mood::NotSure, None, None),
        (2, Mood::InProgress, Some(Mood::Happy), Some(week.clone())),
        (3, Mood::Happy, Some(Mood::NotSure), Some(vec![])),
    ] {
        let insert = typed::insert_into(feelings::table)
            .value(feelings::id, id)
            .value(feelings::mood, mood)
            .value(feelings::maybe, maybe)
            .value(feelings::moods, moods);
        conn.execute(Insert::from(insert), ()).unwrap();
    }
    conn.commit().unwrap();
    let all: Vec<Feelings> = conn
        .execute(select(feelings::table).order_by(feelings::id.asc()), ())
        .unwrap()
        .all_as()
        .unwrap();
    let moods: Vec<_> = all
        .iter()
        .map(|f| (f.id, f.mood, f.maybe, f.moods.clone()))
        .collect();
    assert_eq!(
        moods,
        [
            (1, Mood::NotSure, None, None),
            (2, Mood::InProgress, Some(Mood::Happy), Some(week.clone())),
            (3, Mood::Happy, Some(Mood::NotSure), Some(vec![])),
        ]
    );
    let ids = |conn: &mut Connection, filter: Expr| -> Vec<i64> {
        conn.execute(
            select(feelings::table)
                .filter(filter)
                .order_by(feelings::id.asc()),
            (),
        )
        .unwrap()
        .all_as::<Feelings>()
        .unwrap()
        .iter()
        .map(|f| f.id)
        .collect()
    };
    assert_eq!(ids(&mut conn, feelings::mood.eq(Mood::InProgress)), [2]);
    assert_eq!(ids(&mut conn, feelings::maybe.eq(Some(Mood::Happy))), [2]);
    assert_eq!(ids(&mut conn, feelings::moods.eq(week)), [2]);

    // The domains: their base types' kinds, the server default and check still the database's.
    assert!(all.iter().all(|f| f.score == 1 && f.felt.is_none()));
    let update = typed::update_table(feelings::table)
        .set(feelings::score, 5)
        .set(feelings::felt, Some(Mood::NotSure))
        .filter(feelings::id.eq(3));
    conn.execute(Update::from(update), ()).unwrap();
    // (PostgreSQL has no `=` between a domain over an enum and a parameter, as it has none
    // for a literal: such a comparison needs a cast, in SQLAlchemy as here.)
    let third: Feelings = conn
        .query_row_as(select(feelings::table).filter(feelings::id.eq(3)), ())
        .unwrap();
    assert_eq!(
        (third.id, third.score, third.felt),
        (3, 5, Some(Mood::NotSure))
    );
    let update = typed::update_table(feelings::table)
        .set(feelings::score, 0)
        .filter(feelings::id.eq(3));
    let err = conn.execute(Update::from(update), ()).unwrap_err();
    assert!(err.as_db_error().is_some(), "the domain's check: {err}");
    conn.rollback().unwrap();
    assert_eq!(
        ids(&mut conn, feelings::mood.in_([Mood::Happy, Mood::NotSure])),
        [1, 3]
    );
    // The labels are the database's: the enum reads what SQL wrote.
    let label: String = conn
        .execute(text("SELECT mood::text FROM feelings WHERE id = 2"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(label, "in_progress");

    // The enum named as a table's struct is: a server default, read back.
    let insert = typed::insert_into(order_state::table).value(order_state::id, 1);
    conn.execute(Insert::from(insert), ()).unwrap();
    let insert = typed::insert_into(order_state::table)
        .value(order_state::id, 2)
        .value(order_state::state, OrderStateEnum::Old);
    conn.execute(Insert::from(insert), ()).unwrap();
    let states: Vec<OrderState> = conn
        .query_all_as(
            select(order_state::table).order_by(order_state::id.asc()),
            (),
        )
        .unwrap();
    assert_eq!(
        states,
        [
            OrderState {
                id: 1,
                state: OrderStateEnum::New,
            },
            OrderState {
                id: 2,
                state: OrderStateEnum::Old,
            },
        ]
    );
    conn.commit().unwrap();

    // A label added after the code was generated is a conversion error naming the column.
    create(&db.url(), "ALTER TYPE mood ADD VALUE 'angry'");
    create(
        &db.url(),
        "INSERT INTO feelings (id, mood) VALUES (4, 'angry')",
    );
    let err = conn
        .execute(select(feelings::table).filter(feelings::id.eq(4)), ())
        .unwrap()
        .one_as::<Feelings>()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Conversion { column, .. } if column == "mood"),
        "{err:?}"
    );
}
