//! What the PostgreSQL driver reads off a prepared statement and its rows, whichever engine
//! drives it: the parameter types a request declares (and whether a cached statement fits
//! them), a result's column names, and rows decoded now or kept as they arrived.

use super::pg_error::fail;
use super::pg_value::{ColumnReader, PgValue, PgValueRef, RawBytes, always_decodes, param_type};
use super::{DriverRow, Request, ResultNames, RowSource};
use crate::error::Result;
use sqlcore_compiler::ValueRef;
use std::sync::Arc;
use tokio_postgres::types::{Kind, Type};
use tokio_postgres::{Row, Statement};

/// The declared parameter types for a statement: known ones, or "infer" (type 0).
pub(super) fn declared_types(request: &Request<'_>) -> Vec<Type> {
    request
        .params
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let sql_type = request.param_types.get(i).and_then(Option::as_ref);
            param_type(sql_type, v).unwrap_or_else(infer)
        })
        .collect()
}

/// Whether `stmt` was prepared with the parameter types `request`'s values declare: a
/// statement is reused only then, so a value is never narrowed to another type.
pub(super) fn fits(stmt: &Statement, request: &Request<'_>) -> bool {
    stmt.params().len() == request.params.len()
        && request.params.iter().enumerate().all(|(i, v)| {
            let sql_type = request.param_types.get(i).and_then(Option::as_ref);
            param_type(sql_type, v).is_none_or(|t| t.oid() == stmt.params()[i].oid())
        })
}

/// The unspecified type: the server infers it.
fn infer() -> Type {
    Type::new(String::new(), 0, Kind::Simple, String::new())
}

/// The names of a result with these columns.
pub(super) fn result_names(
    columns: &[tokio_postgres::Column],
    request: &Request<'_>,
) -> Result<ResultNames> {
    ResultNames::read(columns.len(), request.result_columns, |i| {
        Ok(Arc::from(columns[i].name()))
    })
}

/// Whether rows with these columns are kept as they arrived and decoded when read: every
/// column's values always decode, so reading them later cannot fail.
pub(super) fn decodes_lazily(columns: &[tokio_postgres::Column]) -> bool {
    columns.iter().all(|c| always_decodes(c.type_()))
}

/// A row for a result: as it arrived when `lazy` (see [`decodes_lazily`]), else decoded now,
/// so that a value which does not decode is an error of the execution.
#[inline]
pub(super) fn driver_row(row: Row, lazy: bool) -> Result<DriverRow> {
    if lazy {
        return Ok(DriverRow::Postgres(row));
    }
    let mut values = Vec::with_capacity(row.len());
    for i in 0..row.len() {
        values.push(row.try_get::<_, PgValue>(i).map_err(fail)?.0);
    }
    Ok(DriverRow::Values(values))
}

/// The rows of a buffered result: kept as they arrived when `lazy` (see [`decodes_lazily`]:
/// nothing is done per row until it is read), else decoded now, their values end to end, so
/// that a value which does not decode is an error of the execution.
pub(super) fn buffered_rows(rows: Vec<Row>, lazy: bool) -> Result<RowSource> {
    if lazy {
        return Ok(RowSource::postgres(rows));
    }
    // The rows of one result have its columns, as many each.
    let width = rows.first().map_or(0, Row::len);
    if width == 0 {
        let rows: Vec<_> = rows.iter().map(|_| DriverRow::Values(Vec::new())).collect();
        return Ok(RowSource::buffered(rows));
    }
    let mut values = Vec::with_capacity(rows.len() * width);
    for row in &rows {
        for i in 0..width {
            values.push(row.try_get::<_, PgValue>(i).map_err(fail)?.0);
        }
    }
    Ok(RowSource::flat(values, width))
}

/// Column `i` of a row kept as it arrived (one whose columns always decode), borrowed from
/// the row where it can be; should the server ever send a malformed value, its bytes are
/// kept rather than lost. The commonest types are read in place (see [`ColumnReader`]).
#[inline]
pub(crate) fn cell(row: &Row, i: usize) -> ValueRef<'_> {
    let reader = row
        .columns()
        .get(i)
        .map_or(ColumnReader::Other, |c| ColumnReader::of(c.type_()));
    cell_read_by(row, i, reader)
}

/// [`cell`] for a column of any type, decoded through `postgres-types`.
fn decoded_cell(row: &Row, i: usize) -> ValueRef<'_> {
    match row.try_get::<_, PgValueRef>(i) {
        Ok(value) => value.0,
        Err(_) => match row.try_get::<_, RawBytes>(i) {
            Ok(RawBytes(Some(bytes))) => ValueRef::Bytes(bytes),
            _ => ValueRef::Null,
        },
    }
}

/// Column `i` of a row kept as it arrived, read by `reader`, the column's (chosen once per
/// result, see [`ColumnReader`]); as [`cell`] reads it.
#[inline(always)]
pub(crate) fn cell_read_by(row: &Row, i: usize, reader: ColumnReader) -> ValueRef<'_> {
    if reader == ColumnReader::Other {
        return decoded_cell(row, i);
    }
    match row.try_get::<_, RawBytes>(i) {
        Ok(RawBytes(Some(raw))) => reader.read(raw).unwrap_or(ValueRef::Bytes(raw)),
        _ => ValueRef::Null,
    }
}

/// The readers of a result's columns (see [`ColumnReader`]).
pub(crate) fn column_readers(columns: &[tokio_postgres::Column]) -> Box<[ColumnReader]> {
    columns
        .iter()
        .map(|c| ColumnReader::of(c.type_()))
        .collect()
}

/// Whether `sql` is a query that can feed a server-side cursor (DML with RETURNING cannot be
/// declared).
pub(super) fn streams(sql: &str) -> bool {
    starts_with_keyword(sql, &["SELECT", "WITH", "VALUES", "TABLE"])
}

/// Whether `sql` starts with one of `keywords` (any case), or with `(` (a parenthesized query).
fn starts_with_keyword(sql: &str, keywords: &[&str]) -> bool {
    let sql = sql.trim_start();
    let first = sql
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    keywords.iter().any(|k| first.eq_ignore_ascii_case(k)) || sql.starts_with('(')
}

/// Whether a statement run unnamed that gave no row is described for its result's names: one
/// compiled without them (`text()`) that may return rows, inside a transaction (the statement
/// prepared to describe it is closed again before the transaction ends, so nothing outlives
/// the transaction on a server a proxy may hand to another client).
pub(super) fn described_without_rows(request: &Request<'_>, in_tx: bool) -> bool {
    request.result_columns.is_empty() && in_tx && may_return_rows(request.sql)
}

/// Whether `sql` may return rows: a query, `SHOW`, `FETCH`, `EXPLAIN`, or a statement with
/// `RETURNING` (so DML and DDL without it are never described).
pub(super) fn may_return_rows(sql: &str) -> bool {
    starts_with_keyword(
        sql,
        &[
            "SELECT", "WITH", "VALUES", "TABLE", "SHOW", "FETCH", "EXPLAIN",
        ],
    ) || sql.to_ascii_uppercase().contains("RETURNING")
}
