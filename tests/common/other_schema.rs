//! The second schema of a reflection test (see [`OtherSchema`]).

use super::backend::TestDb;
use sqlcore::*;

/// The second schema of a test: on PostgreSQL a schema of its own, on MariaDB a database of
/// its own, on SQLite an attached database file. Dropped at the end.
pub struct OtherSchema {
    pub name: String,
    url: String,
    mysql: bool,
}

impl OtherSchema {
    pub fn new(b: &TestDb) -> OtherSchema {
        let name = match b.schema() {
            Some(schema) => format!("{schema}_other"),
            None => "other".to_owned(),
        };
        let this = OtherSchema {
            name,
            url: b.url(),
            mysql: b.is_mysql(),
        };
        if b.is_mysql() {
            super::mysql::run(&format!(
                "DROP DATABASE IF EXISTS `{0}`; CREATE DATABASE `{0}`",
                this.name
            ));
        }
        if b.is_postgres() {
            let mut client = super::pg::connect().unwrap();
            client
                .batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}",
                    this.name
                ))
                .unwrap();
        }
        this
    }

    /// An engine whose SQLite connections attach the other database.
    pub fn engine(&self) -> Engine {
        let builder = Engine::builder(&self.url);
        match self.url.strip_prefix("sqlite:///") {
            Some(path) => {
                let other = std::path::Path::new(path).with_file_name("other.db");
                let attach = format!("ATTACH DATABASE '{}' AS other", other.display());
                builder.on_connect(move |c| c.execute_batch(&attach))
            }
            None => builder,
        }
        .build()
        .unwrap()
    }
}

impl Drop for OtherSchema {
    fn drop(&mut self) {
        if self.mysql {
            // The test's own database may still refer to it.
            super::mysql::run(&format!(
                "SET SESSION foreign_key_checks = 0; DROP DATABASE IF EXISTS `{}`",
                self.name
            ));
        } else if !self.url.starts_with("sqlite") {
            if let Some(mut client) = super::pg::connect() {
                let _ = client.batch_execute(&format!(
                    "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {} CASCADE",
                    self.name
                ));
            }
        }
    }
}
