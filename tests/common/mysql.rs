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

/// Runs `sql` on a fresh connection (set-up and clean-up). Every statement of a multi-statement
/// `sql` is checked: an error in any of them panics (dropping the result would hide it).
pub fn run(sql: &str) {
    use mysql::prelude::Queryable;
    if let Some(mut conn) = connect() {
        let fail = |e: mysql::Error| -> ! { panic!("{sql}: {e}") };
        let mut result = conn.query_iter(sql).unwrap_or_else(|e| fail(e));
        while let Some(set) = result.iter() {
            for row in set {
                row.unwrap_or_else(|e| fail(e));
            }
        }
    }
}

/// MySQL renderings of the snapshot suites that MariaDB (the test server) cannot run, with why;
/// each is executed everywhere else.
pub const NOT_ON_MARIADB: &[(&str, &str)] = &[
    (
        "for_share_nowait",
        "FOR SHARE is MySQL 8's; MariaDB has LOCK IN SHARE MODE",
    ),
    (
        "for_update_options",
        "FOR UPDATE OF: MariaDB has SKIP LOCKED but no OF",
    ),
    (
        "lateral_join_on_true",
        "LATERAL is MySQL 8.0.14's; MariaDB has none",
    ),
    (
        "lateral_outerjoin",
        "LATERAL is MySQL 8.0.14's; MariaDB has none",
    ),
    (
        "create_unique_index_expression",
        "expression key parts are MySQL 8.0.13's; MariaDB has none",
    ),
    (
        "index_expression_desc_by_position",
        "expression key parts are MySQL 8.0.13's; MariaDB has none",
    ),
    (
        "create_table_datetime_defaults",
        "a literal with an offset is MySQL 8.0.19's; the MariaDB dialect writes the UTC wall clock",
    ),
    (
        "match_plain",
        "MATCH needs a FULLTEXT index; the set-up table has a TSVECTOR column",
    ),
    (
        "match_config",
        "MATCH needs a FULLTEXT index; the set-up table has a TSVECTOR column",
    ),
    (
        "match_negated_and_combined",
        "MATCH needs a FULLTEXT index; the set-up table has a TSVECTOR column",
    ),
];

/// Drops the databases of one snapshot case when it ends, passed or not.
struct CaseDatabases(Vec<String>);

impl Drop for CaseDatabases {
    fn drop(&mut self) {
        for db in &self.0 {
            run(&format!("DROP DATABASE IF EXISTS `{db}`"));
        }
    }
}

/// Runs `stmt`, rendered for MySQL, through sqlcore on the MariaDB server: in a database of its
/// own holding the fixture tables and rows (unless `empty`), with a second database standing
/// for the fixture's `app` schema (through `schema_translate_map`), both dropped afterwards.
pub fn check(
    case: &str,
    setup: &[sqlcore::Statement],
    stmt: &sqlcore::Statement,
    named: &sqlcore::Params,
    empty: bool,
) {
    if NOT_ON_MARIADB.iter().any(|(c, _)| *c == case) {
        return;
    }
    check_as(&sqlcore::MySQL, case, setup, stmt, named, empty)
}

/// [`check`] with `dialect`'s rendering (MySQL through a `mysql://` URL, MariaDB through a
/// `mariadb://` one), whatever the case.
pub fn check_as(
    dialect: &dyn sqlcore::Dialect,
    case: &str,
    setup: &[sqlcore::Statement],
    stmt: &sqlcore::Statement,
    named: &sqlcore::Params,
    empty: bool,
) {
    use sqlcore::{
        Compile, Engine, ExecutionOptions, MetaDataExt, Params, PoolClass, SchemaTranslateMap, text,
    };
    if connect().is_none() {
        return;
    }
    let db = database_name("snap", case);
    let app = format!("{db}_app");
    let _cleanup = CaseDatabases(vec![db.clone(), app.clone()]);
    run(&format!(
        "DROP DATABASE IF EXISTS `{db}`; CREATE DATABASE `{db}`; \
         DROP DATABASE IF EXISTS `{app}`; CREATE DATABASE `{app}`"
    ));
    let engine = Engine::builder(&url_for(dialect.name(), &db))
        .poolclass(PoolClass::Null)
        .execution_options(
            ExecutionOptions::default()
                .schema_translate_map(SchemaTranslateMap::new().map(Some("app"), app.as_str())),
        )
        .build()
        .expect("engine");
    let mut conn = engine.connect().expect("connect");
    if !empty {
        super::fixtures::metadata()
            .create_all(&mut conn)
            .unwrap_or_else(|e| panic!("{case}: fixture DDL on MariaDB: {e}"));
        let seed = super::fixtures::SEED.replace("app.tags", &format!("`{app}`.tags"));
        for seed in seed.split(';').filter(|s| !s.trim().is_empty()) {
            conn.execute(text(seed), ())
                .unwrap_or_else(|e| panic!("{case}: seed rows on MariaDB: {e}\n{seed}"));
        }
        conn.commit().expect("COMMIT");
    }
    for s in setup.iter().filter(|s| s.compile(dialect).is_ok()) {
        super::run(&mut conn, case, s, &Params::new());
    }
    super::run(&mut conn, case, stmt, named);
    conn.rollback().expect("ROLLBACK");
}

/// A database name unique to `case` and the process, within MySQL's 64 characters (leaving
/// room for a suffix).
pub fn database_name(prefix: &str, case: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    case.hash(&mut hasher);
    let short: String = case.chars().take(24).collect();
    format!(
        "{prefix}_{short}_{:08x}_{}",
        hasher.finish() as u32,
        std::process::id()
    )
    .to_ascii_lowercase()
}
