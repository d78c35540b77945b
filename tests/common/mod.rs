//! Shared fixtures and the snapshot harness of the compiler tests.
#![allow(dead_code)]

pub mod backend;
pub mod cli;
pub mod engines;
pub mod fixtures;
pub mod mariadb_tls;
pub mod mysql;
pub mod named_types;
pub mod other_schema;
pub mod people;
pub mod pg;
pub mod pgbouncer;
pub mod reflection_fixture;
pub mod relay;
pub mod replication;
pub mod schema_copy;
pub mod wide;

use rusqlite::types::{ToSqlOutput, ValueRef};
use sqlcore::*;
use sqlparser::dialect::{
    Dialect as ParserDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};
use sqlparser::parser::Parser;

/// `snap!(case, statement[, params])`: a test that runs [`check`] (or [`check_with`]) on the
/// statement, named after the case.
#[allow(unused_macros)]
macro_rules! snap {
    ($name:ident, $stmt:expr) => {
        #[test]
        fn $name() {
            crate::common::check(stringify!($name), $stmt);
        }
    };
    ($name:ident, $stmt:expr, $params:expr) => {
        #[test]
        fn $name() {
            crate::common::check_with(stringify!($name), $stmt, &$params);
        }
    };
}

/// Statements sqlparser cannot parse although the database accepts them, as (case, dialect).
/// Each is executed against the real database (SQLite here; PostgreSQL by the backend tests).
pub const PARSE_ALLOW_LIST: &[(&str, &str)] = &[
    // sqlparser does not know PostgreSQL's `BETWEEN SYMMETRIC`.
    ("between_symmetric", "postgresql"),
    // sqlparser does not know a subscripted SET target (`SET ints[$1] = $2`).
    ("array_update_elements", "postgresql"),
];

/// The dialects every statement is rendered for.
pub fn dialects() -> [(&'static dyn Dialect, Box<dyn ParserDialect>); 3] {
    [
        (&PostgreSQL, Box::new(PostgreSqlDialect {})),
        (&SQLite, Box::new(SQLiteDialect {})),
        (&MySQL, Box::new(MySqlDialect {})),
    ]
}

/// Renders `stmt` for every dialect, snapshots the SQL and its parameters (or the
/// CompileError), parses each rendering back with sqlparser, and executes the statement through
/// sqlcore's `Connection` on an in-memory SQLite database, on the PostgreSQL server and (its
/// MySQL rendering) on the MariaDB server, each holding the fixture schema and rows.
pub fn check(case: &str, stmt: impl Into<Statement>) {
    check_with(case, stmt, &Params::new())
}

/// [`check`] with values for named parameters.
pub fn check_with(case: &str, stmt: impl Into<Statement>, named: &Params) {
    check_after(case, &[], stmt, named)
}

/// [`check_with`], the `setup` statements (those that compile for the dialect) executed
/// first on each database: e.g. the table or sequence the statement uses.
pub fn check_after(case: &str, setup: &[Statement], stmt: impl Into<Statement>, named: &Params) {
    check_after_each(case, setup, &[], stmt, named)
}

/// [`check_after`], with `sqlite_setup` run on SQLite only after `setup` (e.g. an FTS5 virtual
/// table standing where PostgreSQL has a table with a `tsvector` column).
pub fn check_after_each(
    case: &str,
    setup: &[Statement],
    sqlite_setup: &[Statement],
    stmt: impl Into<Statement>,
    named: &Params,
) {
    let stmt = stmt.into();
    #[cfg(not(feature = "sqlite"))]
    let _ = sqlite_setup;
    #[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
    let _ = setup;
    for (dialect, parser_dialect) in dialects() {
        let rendered = match stmt.compile(dialect) {
            Ok(compiled) => {
                let bound = compiled
                    .bind(named)
                    .unwrap_or_else(|e| panic!("{case}: bind failed: {e}"));
                let sql = bound.sql.to_string();
                validate_parse(case, dialect.name(), &*parser_dialect, &sql);
                check_cache_key(case, &stmt, dialect, &compiled, named);
                // Creating a fixture table runs on an empty database; everything else on the
                // fixture (which the tables created may refer to).
                #[cfg_attr(
                    not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
                    allow(unused_variables)
                )]
                let empty = match &stmt {
                    Statement::Ddl(Ddl::CreateTable(ct)) => {
                        fixtures::is_fixture_table(&ct.table.fullname())
                    }
                    _ => false,
                };
                // Executed on each backend compiled in (the SQL is checked for every dialect).
                match dialect.name() {
                    #[cfg(feature = "sqlite")]
                    "sqlite" => {
                        // Through sqlcore's own execution layer, on an in-memory database.
                        let engine = fixtures::sqlite_engine(!empty);
                        let mut conn = engine.connect().expect("connect");
                        let setup = setup.iter().filter(|s| s.compile(dialect).is_ok());
                        for s in setup.chain(sqlite_setup) {
                            run(&mut conn, case, s, &Params::new());
                        }
                        run(&mut conn, case, &stmt, named);
                    }
                    #[cfg(feature = "postgres")]
                    "postgresql" => pg::check(case, setup, &stmt, named, empty),
                    #[cfg(feature = "mysql")]
                    "mysql" => mysql::check(case, setup, &stmt, named, empty),
                    _ => {}
                }
                compiled
                    .snapshot_text(named)
                    .unwrap_or_else(|e| panic!("{case}: snapshot text: {e}"))
            }
            Err(e) => format!("CompileError: {e}"),
        };
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(format!("../../snapshots/{}", dialect.name()));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(case.to_owned(), rendered));
    }
}

/// A statement MariaDB renders differently from MySQL (sequences): rendered for MariaDB,
/// snapshotted in `snapshots/mariadb/` (the SQL and its parameters, or the CompileError), its
/// cache key checked, and executed through sqlcore on the MariaDB server, in an empty database
/// (and one for the `app` schema) after `setup`. Not parsed back: sqlparser does not know
/// MariaDB's sequence syntax (`NOCYCLE`), so the server is the check.
pub fn check_mariadb(case: &str, setup: &[Statement], stmt: impl Into<Statement>) {
    let stmt = stmt.into();
    let named = Params::new();
    let rendered = match stmt.compile(&MariaDB) {
        Ok(compiled) => {
            check_cache_key(case, &stmt, &MariaDB, &compiled, &named);
            #[cfg(feature = "mysql")]
            mysql::check_as(&MariaDB, case, setup, &stmt, &named, true);
            #[cfg(not(feature = "mysql"))]
            let _ = setup;
            compiled
                .snapshot_text(&named)
                .unwrap_or_else(|e| panic!("{case}: snapshot text: {e}"))
        }
        Err(e) => format!("CompileError: {e}"),
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/mariadb");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(case.to_owned(), rendered));
}

/// Compiled statements with their cache keys: adding one asserts that every statement added
/// before with an equal key compiled to the same SQL, parameters and columns.
#[derive(Default)]
pub struct KeyedStatements(Vec<(String, CacheKey, Compiled)>);

impl KeyedStatements {
    pub fn add(&mut self, case: String, extracted: &Extracted<'_>, compiled: Compiled) {
        for (other, key, other_compiled) in &self.0 {
            if extracted.matches(key) {
                assert_eq!(
                    (&compiled.sql, &compiled.params, &compiled.columns),
                    (
                        &other_compiled.sql,
                        &other_compiled.params,
                        &other_compiled.columns
                    ),
                    "{case} and {other} share a cache key but compile differently"
                );
            }
        }
        self.0.push((case, extracted.to_key(), compiled));
    }

    /// The compiled statements, in the order added.
    pub fn compiled(&self) -> impl Iterator<Item = &Compiled> {
        self.0.iter().map(|(_, _, c)| c)
    }
}

/// Every compiled statement of the suite, to prove that no two statements compiling
/// differently share a key.
static KEYED: std::sync::Mutex<KeyedStatements> =
    std::sync::Mutex::new(KeyedStatements(Vec::new()));

/// The statement has a cache key, its compiled form traces every value it binds to the key's
/// extracted values (binding through the cache gives exactly the direct binding), and any
/// earlier statement of the suite with an equal key compiled to the same SQL, parameters and
/// columns.
fn check_cache_key(
    case: &str,
    stmt: &Statement,
    dialect: &dyn Dialect,
    compiled: &Compiled,
    named: &Params,
) {
    let extracted =
        extract(stmt, dialect).unwrap_or_else(|| panic!("{case}: statement has no cache key"));
    let cached = CachedCompiled::new(compiled.clone(), &extracted)
        .unwrap_or_else(|_| panic!("{case} on {}: a bound value is not traced", dialect.name()));
    assert_eq!(
        cached.bind(&extracted, named, None).unwrap(),
        compiled.bind(named).unwrap(),
        "{case} on {}: binding through the cache differs",
        dialect.name()
    );
    KEYED.lock().unwrap_or_else(|e| e.into_inner()).add(
        format!("{case} on {}", dialect.name()),
        &extracted,
        compiled.clone(),
    );
}

/// Executes `stmt` on `conn`, stepping through every row it returns; a failure names the case
/// and the database.
pub fn run(conn: &mut Connection, case: &str, stmt: &Statement, named: &Params) {
    let result = conn.execute(stmt.clone(), named);
    let rows = result.and_then(|r| {
        if r.returns_rows() {
            r.all().map(drop)
        } else {
            Ok(())
        }
    });
    if let Err(e) = rows {
        panic!(
            "{case}: {} rejects the statement: {e}",
            conn.dialect().name()
        );
    }
}

fn validate_parse(case: &str, dialect: &str, parser_dialect: &dyn ParserDialect, sql: &str) {
    let parsed = Parser::parse_sql(parser_dialect, sql);
    let allowed = PARSE_ALLOW_LIST.contains(&(case, dialect));
    match (parsed, allowed) {
        (Ok(stmts), false) => assert_eq!(
            stmts.len(),
            1,
            "{case} on {dialect}: expected one statement in {sql}"
        ),
        (Err(e), false) => {
            panic!("{case} on {dialect}: sqlparser rejects the rendered SQL: {e}\n{sql}")
        }
        (Ok(_), true) => panic!("{case} on {dialect} parses now: remove it from PARSE_ALLOW_LIST"),
        (Err(_), true) => {}
    }
}

/// A value bound into rusqlite.
pub struct Bind<'a>(pub &'a Value);

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        use rusqlite::types::Value as V;
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Bool(b) => ToSqlOutput::Owned(V::Integer(*b as i64)),
            Value::I16(n) => ToSqlOutput::Owned(V::Integer((*n).into())),
            Value::I32(n) => ToSqlOutput::Owned(V::Integer((*n).into())),
            Value::I64(n) => ToSqlOutput::Owned(V::Integer(*n)),
            Value::F32(n) => ToSqlOutput::Owned(V::Real((*n).into())),
            Value::F64(n) => ToSqlOutput::Owned(V::Real(*n)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            other => ToSqlOutput::Owned(V::Text(other.to_string())),
        })
    }
}

/// Runs `sql` on `conn`, stepping through every row it returns.
pub fn execute_sqlite(conn: &rusqlite::Connection, case: &str, sql: &str, values: &[Value]) {
    let mut stmt = conn
        .prepare(sql)
        .unwrap_or_else(|e| panic!("{case}: SQLite rejects {sql}: {e}"));
    for (i, v) in values.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, Bind(v))
            .unwrap_or_else(|e| panic!("{case}: bind {}: {e}", i + 1));
    }
    let mut rows = stmt.raw_query();
    while rows
        .next()
        .unwrap_or_else(|e| panic!("{case}: SQLite fails on {sql}: {e}"))
        .is_some()
    {}
}

/// A `tracing` writer that keeps what it is given.
#[derive(Clone, Default)]
pub struct Captured(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `f` with a `tracing` subscriber that keeps the log; returns what `f` returned and the
/// log.
pub fn with_captured_logs<T>(f: impl FnOnce() -> T) -> (T, String) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    (out, log)
}
