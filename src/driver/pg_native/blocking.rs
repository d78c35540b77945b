//! The native connection as a blocking [`DriverConnection`], for what the async engine runs as
//! sync code off the runtime's workers (on a blocking thread): pool event hooks, `run_sync`
//! and `execute_many` (the sync engine's own, with its COPY and multi-row VALUES). Each call
//! waits for the native call on the connection's runtime.

use super::super::native_blocking::BlockingCursor;
pub(super) use super::super::native_blocking::block_on;
use super::super::pg_value::{param_type, text_form};
use super::super::{AsyncDriverConnection, DriverConnection, Execution, Request, RowSource};
use super::PgAsyncConnection;
use crate::error::Result;
use crate::options::IsolationLevel;
use sqlcore_compiler::{SqlType, Value};
use std::any::Any;
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

    fn execute_many(
        &mut self,
        sql: &str,
        param_types: &[Option<SqlType>],
        param_sets: &mut dyn Iterator<Item = Vec<Value>>,
    ) -> Result<i64> {
        let sets: Vec<Vec<Value>> = param_sets.collect();
        self.wait(async |c| AsyncDriverConnection::execute_many(c, sql, param_types, sets).await)
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

    fn execute_batch(&mut self, sql: &str) -> Result<()> {
        self.wait(async |c| AsyncDriverConnection::execute_batch(c, sql).await)
    }

    fn begin(&mut self) -> Result<()> {
        self.wait(async |c| {
            AsyncDriverConnection::begin_with(c, crate::options::SqliteBegin::Deferred).await
        })
    }

    fn commit(&mut self) -> Result<()> {
        self.wait(async |c| AsyncDriverConnection::commit(c).await)
    }

    fn rollback(&mut self) -> Result<()> {
        self.wait(async |c| AsyncDriverConnection::rollback(c).await)
    }

    fn savepoint(&mut self, name: &str) -> Result<()> {
        self.wait(async |c| AsyncDriverConnection::savepoint(c, name).await)
    }

    fn release_savepoint(&mut self, name: &str) -> Result<()> {
        self.wait(async |c| AsyncDriverConnection::release_savepoint(c, name).await)
    }

    fn rollback_to_savepoint(&mut self, name: &str) -> Result<()> {
        self.wait(async |c| AsyncDriverConnection::rollback_to_savepoint(c, name).await)
    }

    fn in_transaction(&self) -> bool {
        self.in_tx
    }

    fn set_isolation_level(&mut self, level: IsolationLevel) -> Result<()> {
        self.wait(async |c| AsyncDriverConnection::set_isolation_level(c, level).await)
    }

    fn isolation_level(&mut self) -> Result<IsolationLevel> {
        self.wait(async |c| AsyncDriverConnection::isolation_level(c).await)
    }

    fn supported_isolation_levels(&self) -> &'static [IsolationLevel] {
        super::LEVELS
    }

    fn release(&mut self) -> Result<()> {
        self.wait(async |c| c.release_inner().await)
    }

    fn ping(&mut self) -> Result<()> {
        self.wait(async |c| AsyncDriverConnection::ping(c).await)
    }

    fn table_names(&mut self, schema: Option<&str>) -> Result<Vec<String>> {
        self.wait(async |c| AsyncDriverConnection::table_names(c, schema).await)
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn as_async(&mut self) -> Option<&mut dyn AsyncDriverConnection> {
        Some(self)
    }
}
