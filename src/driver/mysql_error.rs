//! MySQL and MariaDB errors as DB-API errors: the family and reason from the server's error
//! code (as PyMySQL and SQLAlchemy's MySQL dialect map them), the SQLSTATE it sends, and
//! whether the connection is lost.

use crate::error::{DbError, DbErrorKind, DbErrorReason};

/// Server error codes meaning the connection is gone, as SQLAlchemy's MySQL dialect reads
/// them: 2006 "server has gone away", 2013 "lost connection during query", 2014 "commands out
/// of sync", 2045, 2055 "lost connection ... system error", 4031 (MySQL 8: the server closed an
/// idle session), 1927 (MariaDB: "connection was killed"), 1053 "server shutdown in progress".
const DISCONNECT_CODES: &[u16] = &[2006, 2013, 2014, 2045, 2055, 4031, 1927, 1053];

/// The code the server answers a statement with that cannot be prepared (1295,
/// `ER_UNSUPPORTED_PS`): such a statement runs through the text protocol.
pub(super) const UNSUPPORTED_PS: u16 = 1295;

/// Maps an error of the `mysql` crate to a [`DbError`]; a lost connection is marked
/// invalidated.
pub(crate) fn map_error(e: &mysql::Error) -> DbError {
    if let Some(failure) = tls_failure(e) {
        return tls_error("the server", &failure);
    }
    match e {
        mysql::Error::MySqlError(server) => {
            server_error(server.code, &server.state, &server.message)
        }
        mysql::Error::IoError(io) => lost(format!("lost connection to the server: {io}")),
        mysql::Error::CodecError(codec) => lost(format!("lost connection to the server: {codec}")),
        #[cfg(feature = "tls-rustls")]
        mysql::Error::TlsError(tls) => tls_error("the server", &tls.to_string()),
        mysql::Error::DriverError(driver) => driver_error(driver),
        mysql::Error::UrlError(url) => DbError::new(DbErrorKind::Interface, url.to_string()),
        mysql::Error::FromValueError(_) | mysql::Error::FromRowError(_) => DbError::new(
            DbErrorKind::Data,
            "a value read from the server does not convert",
        ),
    }
}

/// What failed in TLS, if `e` is a TLS failure: the `mysql` crate reports a certificate the
/// handshake refuses as an I/O error (bare or in its packet codec's) around rustls' own, and a
/// bad configuration as its `TlsError`.
pub(super) fn tls_failure(e: &mysql::Error) -> Option<String> {
    #[cfg(feature = "tls-rustls")]
    {
        let mut next: Option<&(dyn std::error::Error + 'static)> = match e {
            mysql::Error::TlsError(tls) => return Some(tls.to_string()),
            mysql::Error::IoError(io) => Some(io),
            mysql::Error::CodecError(codec) => Some(codec),
            _ => None,
        };
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
    let _ = e;
    None
}

/// A TLS failure with `peer` (`host:port` when known): Operational, reason
/// [`Tls`](DbErrorReason::Tls).
pub(super) fn tls_error(peer: &str, failure: &str) -> DbError {
    let mut err = lost(format!("TLS with {peer} failed: {failure}"));
    err.reason = Some(DbErrorReason::Tls);
    err
}

/// An Operational error that invalidates the connection.
pub(super) fn lost(message: String) -> DbError {
    let mut err = DbError::new(DbErrorKind::Operational, message);
    err.connection_invalidated = true;
    err
}

fn driver_error(e: &mysql::DriverError) -> DbError {
    use mysql::DriverError as D;
    match e {
        D::MismatchedStmtParams(expected, given) => DbError::new(
            DbErrorKind::Programming,
            format!("the statement takes {expected} parameters, {given} were given"),
        ),
        D::Params(_) | D::MixedParams | D::BulkExecute(_) => {
            DbError::new(DbErrorKind::Programming, e.to_string())
        }
        D::ReadOnlyTransNotSupported | D::TlsNotSupported => {
            DbError::new(DbErrorKind::NotSupported, e.to_string())
        }
        // Connecting failed, or the protocol lost its place: the connection is unusable.
        _ => lost(e.to_string()),
    }
}

/// A server error by its code, as PyMySQL's error map (and SQLAlchemy's MySQL dialect) has it.
pub(super) fn server_error(code: u16, state: &str, message: &str) -> DbError {
    use DbErrorReason as R;
    let (kind, reason) = match code {
        1062 | 1586 => (DbErrorKind::Integrity, Some(R::UniqueViolation)),
        1216 | 1217 | 1451 | 1452 | 1215 => (DbErrorKind::Integrity, Some(R::ForeignKeyViolation)),
        1048 => (DbErrorKind::Integrity, Some(R::NotNullViolation)),
        // MariaDB's CONSTRAINT_FAILED and MySQL 8's check constraint violation.
        4025 | 3819 => (DbErrorKind::Integrity, Some(R::CheckViolation)),
        1213 => (DbErrorKind::Operational, Some(R::Deadlock)),
        1007 | 1064 | 1149 | 1146 | 1102 | 1103 | 1110 | 1111 | 1112 | 1113 | 1179 | 1166 => {
            (DbErrorKind::Programming, None)
        }
        1265 | 1263 | 1264 | 1230 | 1171 | 1406 | 1441 | 1366 | 1367 | 1292 => {
            (DbErrorKind::Data, None)
        }
        1235 | 1289 | 1286 | 1196 => (DbErrorKind::NotSupported, None),
        c if c < 1000 => (DbErrorKind::Internal, None),
        _ => (DbErrorKind::Operational, None),
    };
    let mut err = DbError::new(kind, format!("({code}) {message}"));
    err.reason = reason;
    err.sqlstate = Some(state.to_owned()).filter(|s| !s.is_empty());
    err.connection_invalidated = DISCONNECT_CODES.contains(&code);
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds_reasons_and_disconnects() {
        let dup = server_error(1062, "23000", "Duplicate entry '1' for key 'PRIMARY'");
        assert_eq!(
            (dup.kind, dup.reason, dup.sqlstate.as_deref()),
            (
                DbErrorKind::Integrity,
                Some(R::UniqueViolation),
                Some("23000")
            )
        );
        use DbErrorReason as R;
        for (code, kind, reason) in [
            (1452, DbErrorKind::Integrity, Some(R::ForeignKeyViolation)),
            (1451, DbErrorKind::Integrity, Some(R::ForeignKeyViolation)),
            (1048, DbErrorKind::Integrity, Some(R::NotNullViolation)),
            (4025, DbErrorKind::Integrity, Some(R::CheckViolation)),
            (1213, DbErrorKind::Operational, Some(R::Deadlock)),
            (1205, DbErrorKind::Operational, None),
            (1064, DbErrorKind::Programming, None),
            (1146, DbErrorKind::Programming, None),
            (1406, DbErrorKind::Data, None),
        ] {
            let e = server_error(code, "HY000", "x");
            assert_eq!((e.kind, e.reason), (kind, reason), "{code}");
            assert!(!e.connection_invalidated, "{code}");
        }
        for code in [2006, 2013, 4031, 1927] {
            assert!(
                server_error(code, "HY000", "gone").connection_invalidated,
                "{code}"
            );
        }
    }
}
