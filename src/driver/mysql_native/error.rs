//! `mysql_async` errors as DB-API errors, through the sync driver's mapping (`mysql_error`):
//! the same kinds, reasons, SQLSTATEs and disconnect codes on both engines.

use super::super::mysql_error::{lost, server_error, tls_error};
use crate::error::{DbError, DbErrorKind, Error};
use mysql_async::{DriverError, IoError};

/// Maps an error of `mysql_async`; a lost connection is marked invalidated. `peer` names the
/// server in a TLS failure.
pub(super) fn map_error(e: &mysql_async::Error, peer: &str) -> DbError {
    match e {
        mysql_async::Error::Server(server) => {
            server_error(server.code, &server.state, &server.message)
        }
        mysql_async::Error::Io(IoError::Io(io)) => match tls_cause(io) {
            Some(failure) => tls_error(peer, &failure),
            None => lost(format!("lost connection to the server: {io}")),
        },
        #[cfg(feature = "tls-rustls")]
        mysql_async::Error::Io(IoError::Tls(tls)) => tls_error(peer, &tls.to_string()),
        #[allow(unreachable_patterns)]
        mysql_async::Error::Io(io) => lost(format!("lost connection to the server: {io}")),
        mysql_async::Error::Driver(driver) => driver_error(driver),
        mysql_async::Error::Url(url) => DbError::new(DbErrorKind::Interface, url.to_string()),
        mysql_async::Error::Other(other) => lost(other.to_string()),
    }
}

/// The error as sqlcore's.
pub(super) fn fail(e: mysql_async::Error) -> Error {
    Error::Db(map_error(&e, "the server"))
}

/// The rustls failure inside an I/O error (a certificate the handshake refused), if any.
fn tls_cause(io: &std::io::Error) -> Option<String> {
    #[cfg(feature = "tls-rustls")]
    {
        let mut next: Option<&(dyn std::error::Error + 'static)> = io.get_ref().map(|e| e as _);
        while let Some(err) = next {
            if let Some(tls) = err.downcast_ref::<rustls::Error>() {
                return Some(tls.to_string());
            }
            next = match err.downcast_ref::<std::io::Error>() {
                Some(io) => io.get_ref().map(|inner| inner as _),
                None => err.source(),
            };
        }
    }
    let _ = io;
    None
}

fn driver_error(e: &DriverError) -> DbError {
    use DriverError as D;
    match e {
        D::StmtParamsMismatch { required, supplied } => DbError::new(
            DbErrorKind::Programming,
            format!("the statement takes {required} parameters, {supplied} were given"),
        ),
        D::StmtParamsNumberExceedsLimit { .. }
        | D::Params(_)
        | D::MixedParams
        | D::NestedTransaction
        | D::BulkExecute(_) => DbError::new(DbErrorKind::Programming, e.to_string()),
        D::ReadOnlyTransNotSupported | D::NoClientSslFlagFromServer => {
            DbError::new(DbErrorKind::NotSupported, e.to_string())
        }
        D::FromValue { .. } | D::FromRow { .. } => DbError::new(
            DbErrorKind::Data,
            "a value read from the server does not convert",
        ),
        // Connecting failed, or the protocol lost its place: the connection is unusable.
        _ => lost(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DbErrorReason;

    #[test]
    fn errors_map_as_the_sync_drivers() {
        let dup = map_error(
            &mysql_async::Error::Server(mysql_async::ServerError {
                code: 1062,
                message: "Duplicate entry".into(),
                state: "23000".into(),
            }),
            "h:3306",
        );
        assert_eq!(
            (dup.kind, dup.reason, dup.sqlstate.as_deref()),
            (
                DbErrorKind::Integrity,
                Some(DbErrorReason::UniqueViolation),
                Some("23000")
            )
        );
        let gone = map_error(
            &mysql_async::Error::Io(IoError::Io(std::io::Error::from(
                std::io::ErrorKind::ConnectionReset,
            ))),
            "h:3306",
        );
        assert!(gone.connection_invalidated);
        let closed = map_error(&DriverError::ConnectionClosed.into(), "h:3306");
        assert!(closed.connection_invalidated);
        let params = map_error(
            &DriverError::StmtParamsMismatch {
                required: 2,
                supplied: 1,
            }
            .into(),
            "h:3306",
        );
        assert_eq!(params.kind, DbErrorKind::Programming);
    }
}
