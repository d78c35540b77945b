//! The `tracing` span of each statement, named and attributed as the OpenTelemetry semantic
//! conventions for database client spans say, in the fields `tracing-opentelemetry` reads
//! (`otel.name`, `otel.kind`, `otel.status_code`).

use super::{Executed, StatementEvent, Values};
use crate::connection::display_params::{DisplayParamSets, DisplayParams, DisplayValue};
use crate::error::Error;
use crate::url::Backend;
use std::borrow::Cow;
use std::fmt;
use tracing::Span;
use tracing::field::Empty;

/// Whether a subscriber wants the statement spans: a check of the level filter and of the
/// callsite's cached interest, nothing allocated and no clock read.
#[inline]
pub(crate) fn enabled() -> bool {
    tracing::span_enabled!(target: "sqlcore.statement", tracing::Level::INFO)
}

/// The span of the statement `event` describes (disabled when no subscriber wants it), its
/// values recorded when `with_values` (truncated as the echo log is).
pub(crate) fn statement(event: &StatementEvent<'_>, with_values: bool) -> Span {
    let url = event.url;
    let remote = url.backend() != Backend::Sqlite;
    let span = tracing::info_span!(
        target: "sqlcore.statement",
        "sqlcore.statement",
        otel.name = %SpanName(event),
        otel.kind = "client",
        otel.status_code = Empty,
        db.system.name = event.system,
        db.namespace = url.database(),
        db.operation.name = event.operation,
        db.collection.name = event.collection,
        db.query.text = event.sql,
        db.query.parameters = Empty,
        db.operation.batch.size = event.batch_size.filter(|&n| n > 1).map(int),
        server.address = url.host().filter(|_| remote),
        server.port = url.port().filter(|_| remote).map(i64::from),
        db.response.returned_rows = Empty,
        db.response.status_code = Empty,
        error.type = Empty,
    );
    if with_values && !span.is_disabled() {
        match event.values {
            Values::Bound(values) => {
                span.record(
                    "db.query.parameters",
                    tracing::field::display(DisplayParams(values)),
                );
            }
            Values::Sets(sets) => {
                let shown = DisplayParamSets::new(sets.len(), |i, f| {
                    write!(f, "{}", DisplayValue(&sets[i]))
                });
                span.record("db.query.parameters", tracing::field::display(shown));
            }
            Values::Streamed => {}
        }
    }
    span
}

/// Records what a statement gave on its span.
pub(crate) fn executed(span: &Span, executed: &Executed) {
    if let Some(rows) = executed.rows_returned {
        span.record("db.response.returned_rows", int(rows));
    }
}

/// A count as an `i64`, the integer type OpenTelemetry attributes have (`tracing-opentelemetry`
/// exports an unsigned one as text).
fn int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Records a statement's error on its span.
pub(crate) fn failed(span: &Span, error: &Error) {
    if span.is_disabled() {
        return;
    }
    span.record("otel.status_code", "ERROR");
    span.record("error.type", &*error_type(error));
    if let Some(code) = sqlstate(error) {
        span.record("db.response.status_code", code);
    }
}

/// The SQLSTATE of a database error, when the database reported one.
fn sqlstate(error: &Error) -> Option<&str> {
    match error {
        Error::Db(db) | Error::CommitOutcomeUnknown(db) => db.sqlstate.as_deref(),
        _ => None,
    }
}

/// An error's `error.type`: the SQLSTATE of a database error (as the conventions ask), else
/// the error's class (`IntegrityError`, … for a database error without one; `Timeout`, …).
pub(crate) fn error_type(error: &Error) -> Cow<'static, str> {
    if let Some(code) = sqlstate(error) {
        return Cow::Owned(code.to_owned());
    }
    Cow::Borrowed(match error {
        Error::Db(db) => match db.kind {
            crate::error::DbErrorKind::Integrity => "IntegrityError",
            crate::error::DbErrorKind::Operational => "OperationalError",
            crate::error::DbErrorKind::Programming => "ProgrammingError",
            crate::error::DbErrorKind::Data => "DataError",
            crate::error::DbErrorKind::NotSupported => "NotSupportedError",
            crate::error::DbErrorKind::Internal => "InternalError",
            crate::error::DbErrorKind::Interface => "InterfaceError",
            crate::error::DbErrorKind::Database => "DatabaseError",
        },
        Error::Timeout { .. } => "Timeout",
        Error::TypeConversion(_) | Error::Conversion { .. } => "ConversionError",
        _ => "_OTHER",
    })
}

/// The span's name as the conventions make it: `{operation} {collection}`, the operation
/// alone, or the system's name when the operation is not known (`text()`, DDL).
struct SpanName<'a, 'e>(&'a StatementEvent<'e>);

impl fmt::Display for SpanName<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0.operation, self.0.collection) {
            (Some(op), Some(table)) => write!(f, "{op} {table}"),
            (Some(op), None) => f.write_str(op),
            (None, _) => f.write_str(self.0.system),
        }
    }
}
