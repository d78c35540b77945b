//! The native connection as a blocking [`DriverConnection`], for what the async engine runs as
//! sync code off the runtime's workers (on a blocking thread): pool event hooks, `run_sync`
//! and `execute_many` (the sync engine's own, with its COPY and multi-row VALUES). Each call
//! waits for the native call on the connection's runtime.

pub(super) use super::super::native_blocking::block_on;
use super::super::native_blocking::{BlockingCursor, blocking_calls};
use super::super::pg_value::{param_type, text_form};
use super::super::{AsyncDriverConnection, DriverConnection, Execution, Request, RowSource};
use super::PgAsyncConnection;
use crate::error::Result;
use sqlcore_compiler::{SqlType, Value};
use tokio_postgres::types::Type;

impl PgAsyncConnection {
    fn wait<T>(&mut self, call: impl AsyncFnOnce(&mut Self) -> T) -> T {
        let handle = self.handle.clone();
        block_on(&handle, call(self))
    }
}

impl DriverConnection for PgAsyncConnection {
    fn execute(&mut self, request: &Request<'_>) -> Result<Execution> {
        let Some(chunk) = request.stream else {
            return self.wait(async |c| AsyncDriverConnection::execute(c, request).await);
        };
        let (columns, cursor) = self.wait(async |c| c.stream_with(request, false).await)?;
        Ok(Execution {
            columns,
            rows: RowSource::streamed(BlockingCursor {
                cursor,
                handle: self.handle.clone(),
                chunk,
            }),
            rowcount: -1,
            last_insert_id: None,
        })
    }

    fn copy_in(
        &mut self,
        table: &str,
        columns: &[String],
        types: &[SqlType],
        rows: &mut (dyn Iterator<Item = Result<Vec<Value>>> + Send),
    ) -> Option<Result<i64>> {
        // Behind a transaction-pooling proxy, COPY's statement must live and die in one
        // transaction: outside one, INSERT does the work.
        if self.cache.transaction_pooling() && !self.in_tx {
            return None;
        }
        // Binary COPY only: a type bound in its text form (tsvector, …) takes the INSERT path.
        let types: Vec<Type> = types
            .iter()
            .map(|t| param_type(Some(t), &Value::Null).filter(|t| !text_form(t)))
            .collect::<Option<_>>()?;
        let sql = format!(
            "COPY {table} ({}) FROM STDIN (FORMAT binary)",
            columns.join(", ")
        );
        Some(self.wait(async |c| c.copy_in(&sql, &types, rows).await))
    }

    blocking_calls!(super::LEVELS);
}
