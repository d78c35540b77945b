//! The databases the shared engine suite runs on: a SQLite file in a directory of its own,
//! PostgreSQL in a schema of its own and MariaDB in a database of its own (each named after the
//! test), removed when the test ends.

use super::{mysql, pg};

/// A database for one test.
pub struct TestDb {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(std::path::PathBuf),
    Schema(String),
    /// A MariaDB database.
    Database(String),
    /// A PostgreSQL database (reached through PgBouncer).
    PgDatabase(String),
    /// A PostgreSQL database of the caller's, emptied before its next use.
    Nothing,
}

impl TestDb {
    /// A fresh SQLite database file.
    pub fn sqlite(name: &str) -> TestDb {
        let dir = std::env::temp_dir().join(format!("sqlcore-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let url = format!("sqlite:///{}", dir.join("test.db").display());
        TestDb {
            url,
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// A fresh PostgreSQL schema on the test server, every connection's `search_path`; `None`
    /// (with a message) when the server is unreachable outside CI.
    pub fn postgres(name: &str) -> Option<TestDb> {
        Self::postgres_with(name, "sqlcore", "")
    }

    /// As [`TestDb::postgres`], every connection over TLS (`sslmode=require`).
    pub fn postgres_tls(name: &str) -> Option<TestDb> {
        Self::postgres_with(name, "sqlcore_tls", "&sslmode=require")
    }

    fn postgres_with(name: &str, prefix: &str, query: &str) -> Option<TestDb> {
        let mut client = pg::connect()?;
        let schema = schema_name(prefix, name);
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .expect("create the test schema");
        let base = pg::url();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}{query}");
        Some(TestDb {
            url,
            cleanup: Cleanup::Schema(schema),
        })
    }

    /// A fresh MariaDB database (`CREATE DATABASE sqlcore_t_...`), reached through a
    /// `mariadb://` URL; `None` (with a message) when the server is unreachable outside CI.
    pub fn mariadb(name: &str) -> Option<TestDb> {
        let database = schema_name("sqlcore_t", name);
        mysql::connect()?;
        mysql::run(&format!(
            "DROP DATABASE IF EXISTS `{database}`; CREATE DATABASE `{database}`"
        ));
        Some(TestDb {
            url: mysql::url_for("mariadb", &database),
            cleanup: Cleanup::Database(database),
        })
    }

    /// A fresh PostgreSQL database reached through the test binary's PgBouncer (transaction
    /// pooling, `pgbouncer=true`); `None` (with a message) when the server or pgbouncer is
    /// missing outside CI.
    pub fn pgbouncer(name: &str) -> Option<TestDb> {
        Self::pgbouncer_on(super::pgbouncer::bouncer(), name)
    }

    /// As [`TestDb::pgbouncer`], through the bouncer with 2 server connections per database
    /// (`pgbouncer::small_bouncer`).
    pub fn small_pgbouncer(name: &str) -> Option<TestDb> {
        Self::pgbouncer_on(super::pgbouncer::small_bouncer(), name)
    }

    fn pgbouncer_on(
        bouncer: Option<&'static super::pgbouncer::Bouncer>,
        name: &str,
    ) -> Option<TestDb> {
        let bouncer = bouncer?;
        let mut client = pg::connect()?;
        let database = schema_name("sqlcore_pgb", name);
        for sql in [
            format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
            format!("CREATE DATABASE {database}"),
        ] {
            client
                .batch_execute(&sql)
                .expect("create the test database");
        }
        Some(TestDb {
            url: bouncer.url(&database),
            cleanup: Cleanup::PgDatabase(database),
        })
    }

    /// `database` (created on first use, its `public` schema emptied on each later one)
    /// reached through the test binary's PgBouncer: for runners that give each thread a
    /// database and drop it once at the end (dropping a database costs a checkpoint).
    pub fn pgbouncer_reused(database: &str) -> Option<TestDb> {
        let bouncer = super::pgbouncer::bouncer()?;
        let mut client = pg::connect()?;
        let exists = client
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&database])
            .expect("look the test database up")
            .is_some();
        if exists {
            let mut config: postgres::Config = pg::url().parse().expect("the server's URL");
            config.dbname(database);
            config
                .connect(postgres::NoTls)
                .and_then(|mut c| {
                    c.batch_execute(
                        "SET lock_timeout = '10s'; DROP SCHEMA public CASCADE; CREATE SCHEMA public",
                    )
                })
                .expect("empty the test database");
        } else {
            client
                .batch_execute(&format!("CREATE DATABASE {database}"))
                .expect("create the test database");
        }
        Some(TestDb {
            url: bouncer.url(database),
            cleanup: Cleanup::Nothing,
        })
    }

    /// Drops `database` (see [`TestDb::pgbouncer_reused`]).
    pub fn drop_database(database: &str) {
        if let Some(mut client) = pg::connect() {
            let _ =
                client.batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
        }
    }

    /// The database URL.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Whether this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(
            self.cleanup,
            Cleanup::Schema(_) | Cleanup::PgDatabase(_) | Cleanup::Nothing
        )
    }

    /// Whether this is MySQL or MariaDB.
    pub fn is_mysql(&self) -> bool {
        matches!(self.cleanup, Cleanup::Database(_))
    }

    /// The schema (PostgreSQL) or database (MariaDB) the test's tables live in.
    pub fn schema(&self) -> Option<&str> {
        match &self.cleanup {
            Cleanup::Schema(s) | Cleanup::Database(s) => Some(s),
            Cleanup::PgDatabase(_) | Cleanup::Nothing => Some("public"),
            Cleanup::Dir(_) => None,
        }
    }
}

/// A schema name unique to the test and the process, within PostgreSQL's 63-byte limit (a
/// longer name is cut by the server, which could make two tests share one): the test's name
/// shortened, with a hash of the whole name and the process id.
fn schema_name(prefix: &str, test: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    test.hash(&mut hasher);
    let short: String = test.chars().take(30).collect();
    format!(
        "{prefix}_{short}_{:08x}_{}",
        hasher.finish() as u32,
        std::process::id()
    )
    .to_ascii_lowercase()
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Schema(schema) => {
                if let Some(mut client) = pg::connect() {
                    let _ = client.batch_execute(&format!(
                        "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {schema} CASCADE"
                    ));
                }
            }
            Cleanup::Database(database) => {
                mysql::run(&format!(
                    "SET SESSION lock_wait_timeout = 10; DROP DATABASE IF EXISTS `{database}`"
                ));
            }
            // The bouncer's server connections to it are ended with it.
            Cleanup::PgDatabase(database) => Self::drop_database(database),
            Cleanup::Nothing => {}
        }
    }
}

/// Runs each listed test function (taking `&TestDb`) on SQLite, on PostgreSQL, on PostgreSQL
/// over TLS and on MariaDB. The tests listed after `not_on_mariadb:` run on the others only:
/// on MariaDB each is an ignored test whose reason says why it cannot hold there.
#[macro_export]
macro_rules! on_every_backend {
    ($($name:ident),* $(,)? $(; not_on_mariadb: $($skip:ident => $reason:literal),* $(,)?)?) => {
        // Every test is used, whichever backends are compiled in.
        const _: () = { $(let _ = $name;)* $($(let _ = $skip;)*)? };
        #[cfg(feature = "sqlite")]
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let backend = $crate::common::backend::TestDb::sqlite(stringify!($name));
                    super::$name(&backend);
                }
            )*
            $($(
                #[test]
                fn $skip() {
                    let backend = $crate::common::backend::TestDb::sqlite(stringify!($skip));
                    super::$skip(&backend);
                }
            )*)?
        }
        #[cfg(feature = "postgres")]
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(backend) = $crate::common::backend::TestDb::postgres(stringify!($name)) {
                        super::$name(&backend);
                    }
                }
            )*
            $($(
                #[test]
                fn $skip() {
                    if let Some(backend) = $crate::common::backend::TestDb::postgres(stringify!($skip)) {
                        super::$skip(&backend);
                    }
                }
            )*)?
        }
        #[cfg(all(feature = "postgres", feature = "tls-rustls"))]
        mod postgres_tls {
            $(
                #[test]
                fn $name() {
                    if let Some(backend) = $crate::common::backend::TestDb::postgres_tls(stringify!($name)) {
                        super::$name(&backend);
                    }
                }
            )*
            $($(
                #[test]
                fn $skip() {
                    if let Some(backend) = $crate::common::backend::TestDb::postgres_tls(stringify!($skip)) {
                        super::$skip(&backend);
                    }
                }
            )*)?
        }
        #[cfg(feature = "mysql")]
        mod mariadb {
            $(
                #[test]
                fn $name() {
                    if let Some(backend) = $crate::common::backend::TestDb::mariadb(stringify!($name)) {
                        super::$name(&backend);
                    }
                }
            )*
            $($(
                #[test]
                #[ignore = $reason]
                fn $skip() {}
            )*)?
        }
    };
}
