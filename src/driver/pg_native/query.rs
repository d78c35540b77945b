//! A prepared statement run with its rows buffered: the common call of the async engine, kept
//! small. Its values go to tokio-postgres as they are (no list of parameters is built), and its
//! rows become the result's as they arrive (no list of tokio-postgres rows in between).

use super::{PgAsyncConnection, tracked};
use crate::driver::pg_decode::{decodes_lazily, driver_row, result_names};
use crate::driver::pg_value::PgParam;
use crate::driver::{DriverRow, Execution, Request, ResultNames, RowSource};
use crate::error::Result;
use futures_util::TryStreamExt;
use sqlcore_compiler::Value;
use std::collections::VecDeque;
use std::pin::pin;
use tokio_postgres::{Client, Statement};

impl PgAsyncConnection {
    /// The statement of `request` when nothing has to happen before its call (no dropped
    /// cursor to settle, the statement prepared already): then
    /// [`execute_cached`](Self::execute_cached) runs it.
    pub(super) fn ready_statement(&mut self, request: &Request<'_>) -> Option<Statement> {
        if self.client.is_none() || self.unsettled() {
            return None;
        }
        self.cache.get(request)
    }

    /// The call of `request` with its [`ready_statement`](Self::ready_statement): a future
    /// that holds the round trip alone, rather than every step the general call may take.
    pub(super) async fn execute_cached(
        &mut self,
        stmt: Statement,
        request: &Request<'_>,
    ) -> Result<Execution> {
        let result = self.run_prepared(&stmt, request).await;
        if let Err(e) = &result {
            // A schema change invalidates a cached plan: prepare it afresh next time.
            self.cache.forget_if_stale(request.sql, e);
        }
        result
    }

    /// Runs the prepared `stmt` for `request`: its rows buffered, or its rows affected.
    pub(super) async fn run_prepared(
        &mut self,
        stmt: &Statement,
        request: &Request<'_>,
    ) -> Result<Execution> {
        let client = self.client()?;
        // tokio-postgres' futures are large (each holds what preparing a statement would
        // take): boxed once, they are not copied into every future that awaits them, and
        // the driver's own future stays small.
        if stmt.columns().is_empty() {
            let call = Box::pin(super::pg_ops::execute(client, stmt, request.params));
            let answer = tracked(&self.state, call).await;
            let n = self.note(answer)? as i64;
            return Ok(Execution {
                columns: ResultNames::Given(Vec::new()),
                rows: RowSource::default(),
                rowcount: n,
                last_insert_id: None,
            });
        }
        let columns = result_names(stmt.columns(), request)?;
        let lazy = decodes_lazily(stmt.columns());
        let call = Box::pin(rows(client, stmt, request.params, lazy));
        let answer = tracked(&self.state, call).await;
        let rows = self.note(answer)??;
        let rowcount = rows.len() as i64;
        Ok(Execution {
            columns,
            rows: RowSource::buffered(rows),
            rowcount,
            last_insert_id: None,
        })
    }
}

/// Runs the prepared `stmt` with `values`: every row, made a result's row as it arrives (see
/// [`driver_row`]). A row that does not decode is the call's error once the answer is read
/// to its end.
async fn rows(
    client: &Client,
    stmt: &Statement,
    values: &[&Value],
    lazy: bool,
) -> std::result::Result<Result<VecDeque<DriverRow>>, tokio_postgres::Error> {
    let params = values.iter().map(|v| PgParam(v));
    let mut stream = pin!(client.query_raw(stmt, params).await?);
    let mut rows = VecDeque::new();
    let mut failed = None;
    while let Some(row) = stream.try_next().await? {
        if failed.is_none() {
            match driver_row(row, lazy) {
                Ok(row) => rows.push_back(row),
                Err(e) => failed = Some(e),
            }
        }
    }
    Ok(match failed {
        Some(e) => Err(e),
        None => Ok(rows),
    })
}
