//! The driver of each backend compiled in: a URL naming a backend whose Cargo feature is off
//! is an [`Error::NotCompiledIn`] naming the feature, never a panic.

use crate::driver::Driver;
use crate::error::{Error, Result};
use crate::options::SqliteBegin;
use crate::url::{Backend, Url};
use std::sync::Arc;

/// The SQLite driver of `url`, with the transaction mode its URL asks for.
pub(super) fn sqlite(url: &Url) -> Result<(Arc<dyn Driver>, Option<SqliteBegin>)> {
    #[cfg(feature = "sqlite")]
    {
        let driver = crate::driver::sqlite::SqliteDriver::from_url(url)?;
        let begin = driver.begin();
        Ok((Arc::new(driver), begin))
    }
    #[cfg(not(feature = "sqlite"))]
    Err(Error::backend_not_compiled(url.backend()))
}

/// The PostgreSQL driver of `url` (see [`PgDriver::with_options`]).
///
/// [`PgDriver::with_options`]: crate::driver::postgres::PgDriver::with_options
pub(super) fn postgres(
    url: &Url,
    statement_cache: Option<usize>,
    pgbouncer: bool,
) -> Result<Arc<dyn Driver>> {
    #[cfg(feature = "postgres")]
    {
        let driver =
            crate::driver::postgres::PgDriver::with_options(url, statement_cache, pgbouncer)?;
        Ok(Arc::new(driver))
    }
    #[cfg(not(feature = "postgres"))]
    {
        let _ = (statement_cache, pgbouncer);
        Err(Error::backend_not_compiled(url.backend()))
    }
}

/// The MySQL/MariaDB driver of `url`, keeping `statement_cache` prepared statements per
/// connection.
pub(super) fn mysql(url: &Url, statement_cache: usize) -> Result<Arc<dyn Driver>> {
    #[cfg(feature = "mysql")]
    {
        let driver = crate::driver::mysql::MySqlDriver::from_url(url, statement_cache)?;
        Ok(Arc::new(driver))
    }
    #[cfg(not(feature = "mysql"))]
    {
        let _ = statement_cache;
        Err(Error::backend_not_compiled(url.backend()))
    }
}

impl Error {
    /// The error of a URL naming `backend` in a build without it.
    #[cfg_attr(
        all(feature = "sqlite", feature = "postgres", feature = "mysql"),
        allow(dead_code)
    )]
    pub(crate) fn backend_not_compiled(backend: Backend) -> Self {
        Error::NotCompiledIn {
            what: format!("the {} backend", backend.feature()),
            feature: backend.feature(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_missing_backend_error_names_the_feature() {
        let cases = [
            (Backend::Sqlite, "sqlite"),
            (Backend::PostgreSql, "postgres"),
            (Backend::MySql, "mysql"),
            (Backend::MariaDb, "mysql"),
        ];
        for (backend, feature) in cases {
            assert_eq!(
                Error::backend_not_compiled(backend).to_string(),
                format!(
                    "NoSuchModuleError: the {feature} backend is not compiled in; enable sqlcore's `{feature}` feature"
                )
            );
        }
    }
}
