//! PostgreSQL errors as DB-API errors: the family from the SQLSTATE, the reason for the
//! common integrity and concurrency failures, and whether the connection is lost.

use crate::error::{DbError, DbErrorKind, DbErrorReason, Error};
use tokio_postgres::Config;
use tokio_postgres::config::Host;

/// Maps a `tokio-postgres` error to the DB-API family of its SQLSTATE; a lost connection is marked
/// invalidated.
pub(crate) fn map_error(e: &tokio_postgres::Error) -> DbError {
    let message = match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{}: {} ({detail})", db.severity(), db.message()),
            None => format!("{}: {}", db.severity(), db.message()),
        },
        None => e.to_string(),
    };
    let Some(state) = e.code() else {
        // No SQLSTATE: the socket failed or the protocol lost its place (the connection is
        // gone), or a message could not be encoded (nothing was sent; the connection is fine).
        let text = e.to_string();
        let lost = e.is_closed()
            || matches!(
                text.as_str(),
                "error communicating with the server"
                    | "unexpected message from server"
                    | "error parsing response from server"
                    | "timeout waiting for server"
            )
            || text.contains("timed out");
        if lost {
            let mut err = DbError::new(DbErrorKind::Operational, message);
            err.connection_invalidated = true;
            return err;
        }
        let kind = if text.contains("serializ") {
            DbErrorKind::Data
        } else {
            DbErrorKind::Interface
        };
        let source = std::error::Error::source(e)
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        return DbError::new(kind, format!("{message}{source}"));
    };
    let code = state.code();
    let class = &code[..2.min(code.len())];
    let kind = match class {
        "23" => DbErrorKind::Integrity,
        "22" => DbErrorKind::Data,
        "42" | "26" | "34" | "3D" | "3F" => DbErrorKind::Programming,
        "0A" => DbErrorKind::NotSupported,
        "XX" => DbErrorKind::Internal,
        "08" | "40" | "53" | "54" | "55" | "57" | "58" | "25" => DbErrorKind::Operational,
        _ => DbErrorKind::Database,
    };
    let mut err = DbError::new(kind, message);
    err.sqlstate = Some(code.to_owned());
    err.reason = match code {
        "23505" => Some(DbErrorReason::UniqueViolation),
        "23503" => Some(DbErrorReason::ForeignKeyViolation),
        "23502" => Some(DbErrorReason::NotNullViolation),
        "23514" => Some(DbErrorReason::CheckViolation),
        "40001" => Some(DbErrorReason::SerializationFailure),
        "40P01" => Some(DbErrorReason::Deadlock),
        _ => None,
    };
    // Connection exceptions and the server shutting the session down.
    let fatal = e
        .as_db_error()
        .is_some_and(|d| matches!(d.severity(), "FATAL" | "PANIC"));
    err.connection_invalidated = class == "08"
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "57P04" | "57P05" | "25P03"
        )
        || fatal
        || e.is_closed();
    if e.as_db_error().is_some_and(is_lost_type_lookup) {
        err.message = format!("{} ({LOST_TYPE_LOOKUP})", err.message);
    }
    err
}

/// Whether `e` says a statement tokio-postgres prepares (`s0`, `s1`, …) is not on the server
/// session, or is there already (another process's, left there). sqlcore's own statements are
/// unnamed behind a transaction-pooling proxy, and queries are read without tokio-postgres's
/// type lookup there (`pg_result_types`), so there it is the statement tokio-postgres keeps to
/// look up a type it does not know in a statement sqlcore cannot describe (`INSERT …
/// RETURNING`), prepared on another server session; on a direct connection, a statement
/// someone deallocated (or, with a statement cache, a proxy in between). The error says what
/// to do.
fn is_lost_type_lookup(e: &tokio_postgres::error::DbError) -> bool {
    use tokio_postgres::error::SqlState;
    (e.code() == &SqlState::INVALID_SQL_STATEMENT_NAME
        || e.code() == &SqlState::DUPLICATE_PSTATEMENT)
        && e.message().starts_with("prepared statement \"s")
}

/// What the error of [`is_lost_type_lookup`] adds.
const LOST_TYPE_LOOKUP: &str = "a statement this connection prepared is missing on its server session (or another's of its name is there): behind a transaction-pooling proxy (pgbouncer=true), the lookup of a user type's description (an enum, a domain, an extension's type) in a statement sqlcore cannot describe itself (INSERT … RETURNING); cast such columns there (CAST(col AS TEXT))";

pub(super) fn fail(e: tokio_postgres::Error) -> Error {
    Error::Db(map_error(&e))
}

/// The hosts `config` tries, in order, with their ports: `h1:5432, /var/run/postgresql:5432`.
fn tried(config: &Config) -> String {
    let ports = config.get_ports();
    let port = |i: usize| ports.get(i).or(ports.first()).copied().unwrap_or(5432);
    config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| match h {
            Host::Tcp(name) if name.contains(':') => format!("[{name}]:{}", port(i)),
            Host::Tcp(name) => format!("{name}:{}", port(i)),
            Host::Unix(path) => format!("{}:{}", path.display(), port(i)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The error of a failed connect to `config`'s hosts: a TLS failure explained, else the
/// server's error, or (without a SQLSTATE) the connection's failure with the hosts tried.
pub(super) fn connect_error(config: &Config, e: &tokio_postgres::Error) -> DbError {
    let hosts = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect::<Vec<_>>()
        .join(",");
    super::pg_tls::tls_error(e, &hosts).unwrap_or_else(|| {
        let mut err = map_error(e);
        if err.sqlstate.is_none() {
            // tokio-postgres reports the last host's failure: say which were tried.
            err.message = format!("{} (hosts tried: {})", err.message, tried(config));
        }
        err
    })
}

/// The error of a COMMIT asked for in a transaction an earlier error aborted: PostgreSQL would
/// answer it with a silent ROLLBACK, so nothing is committed; `lost` when the ROLLBACK sent
/// instead found the connection gone.
pub(super) fn aborted_commit(lost: bool) -> Error {
    let mut err = DbError::new(
        DbErrorKind::Operational,
        if lost {
            "the transaction was aborted by an earlier error and its connection is lost; nothing was committed"
        } else {
            "the transaction was aborted by an earlier error and has been rolled back"
        },
    );
    err.sqlstate = Some("25P02".into());
    err.connection_invalidated = lost;
    Error::Db(err)
}

/// The error of a call whose connection's reset (the `ROLLBACK` sent without waiting as it went
/// back to the pool) failed, `e` being that failure: the connection cannot be trusted and is
/// invalidated; nothing the call sent can have committed.
pub(super) fn reset_failed(e: tokio_postgres::Error) -> Error {
    let mut err = map_error(&e);
    err.message = format!(
        "the reset of this connection as it went back to the pool failed ({}); nothing of this call was committed",
        err.message
    );
    err.connection_invalidated = true;
    Error::Db(err)
}
