//! Builds without a backend's Cargo feature: a URL naming that backend is a typed error naming
//! the feature (from both engines' constructors, never a panic, never the password), while
//! statements still compile for its dialect. The missing-backend tests run in the CI builds of
//! each backend alone (`--no-default-features --features ...`).

use sqlcore::*;

/// `url` (whose password, if any, is `tiger`) is refused by both engines with the error naming
/// `feature`.
#[cfg_attr(
    all(feature = "sqlite", feature = "postgres", feature = "mysql"),
    allow(dead_code)
)]
fn refused_for_lack_of(url: &str, feature: &str) {
    let expected = format!(
        "NoSuchModuleError: the {feature} backend is not compiled in; enable sqlcore's `{feature}` feature"
    );
    #[cfg_attr(not(feature = "async"), allow(unused_mut))]
    let mut errors = vec![
        create_engine(url).map(drop).unwrap_err(),
        Engine::builder(url)
            .pool_size(1)
            .build()
            .map(drop)
            .unwrap_err(),
    ];
    #[cfg(feature = "async")]
    errors.push(create_async_engine(url).map(drop).unwrap_err());
    for err in errors {
        match &err {
            Error::NotCompiledIn { feature: named, .. } => assert_eq!(*named, feature),
            other => panic!("{url}: expected NotCompiledIn, got {other:?}"),
        }
        assert_eq!(err.to_string(), expected);
        assert!(!format!("{err:?}").contains("tiger"), "{err:?}");
    }
}

#[cfg(not(feature = "postgres"))]
#[test]
fn a_postgresql_url_needs_the_postgres_feature() {
    refused_for_lack_of("postgresql://scott:tiger@localhost/test", "postgres");
    refused_for_lack_of("postgres://scott:tiger@localhost:5432/test", "postgres");
}

#[cfg(not(feature = "mysql"))]
#[test]
fn a_mysql_or_mariadb_url_needs_the_mysql_feature() {
    refused_for_lack_of("mysql://scott:tiger@localhost/test", "mysql");
    refused_for_lack_of("mariadb+pymysql://scott:tiger@localhost/test", "mysql");
}

#[cfg(not(feature = "sqlite"))]
#[test]
fn a_sqlite_url_needs_the_sqlite_feature() {
    refused_for_lack_of("sqlite://", "sqlite");
    refused_for_lack_of("sqlite:///app.db?timeout=5", "sqlite");
}

/// Compilation is the compiler crate's: every dialect renders, whichever backends are in.
#[test]
fn statements_compile_for_every_dialect_whatever_backends_are_compiled_in() {
    let users = Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text));
    let stmt = select([users.c("name")]).filter(users.c("id").eq(literal(7)));
    let rendered: Vec<String> = [&PostgreSQL as &dyn Dialect, &SQLite, &MySQL]
        .into_iter()
        .map(|dialect| stmt.compile(dialect).unwrap().sql)
        .collect();
    assert_eq!(
        rendered,
        [
            "SELECT users.name FROM users WHERE users.id = $1",
            "SELECT users.name FROM users WHERE users.id = ?1",
            "SELECT users.name FROM users WHERE users.id = ?",
        ]
    );
}
