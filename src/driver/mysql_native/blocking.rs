//! The native connection as a blocking [`DriverConnection`], for what the async engine runs as
//! sync code off the runtime's workers (on a blocking thread): pool event hooks, `run_sync`
//! and `execute_many` (the sync engine's own, with its multi-row VALUES). Each call waits for
//! the native call on the connection's runtime.

use super::super::native_blocking::{BlockingCursor, block_on, blocking_calls};
use super::super::{AsyncDriverConnection, DriverConnection, Execution, Request, RowSource};
use super::{LEVELS, MySqlAsyncConnection, fail};
use crate::error::Result;

impl MySqlAsyncConnection {
    fn wait<T>(&mut self, call: impl AsyncFnOnce(&mut Self) -> T) -> T {
        let handle = self.handle.clone();
        block_on(&handle, call(self))
    }

    /// Runs `f` with this connection's `mysql_async::Conn` and waits for it: for pool event
    /// hooks, which the async engine runs off the runtime's workers (a blocking thread).
    ///
    /// ```no_run
    /// # fn main() -> sqlcore::Result<()> {
    /// use mysql_async::prelude::Queryable;
    /// use sqlcore::driver::MySqlAsyncConnection;
    /// let engine = sqlcore::AsyncEngine::builder("mysql://root@127.0.0.1/test")
    ///     .on_connect(|conn| {
    ///         let conn = conn.as_any_mut().downcast_mut::<MySqlAsyncConnection>();
    ///         conn.map_or(Ok(()), |c| {
    ///             c.with_conn(|raw| raw.query_drop("SET SESSION sql_mode = 'ANSI'"))
    ///         })
    ///     })
    ///     .build_async()?;
    /// # Ok(()) }
    /// ```
    pub fn with_conn<T: Send + 'static>(
        &mut self,
        f: impl for<'c> FnOnce(
            &'c mut mysql_async::Conn,
        ) -> futures_util::future::BoxFuture<'c, mysql_async::Result<T>>
        + Send
        + 'static,
    ) -> Result<T> {
        self.wait(async |c| {
            c.call(move |conn| Box::pin(async move { f(conn).await.map_err(fail) }))
                .await
        })
    }
}

impl DriverConnection for MySqlAsyncConnection {
    fn execute(&mut self, request: &Request<'_>) -> Result<Execution> {
        let Some(chunk) = request.stream else {
            return self.wait(async |c| AsyncDriverConnection::execute(c, request).await);
        };
        let (columns, cursor) = self.wait(async |c| c.open_stream(request).await)?;
        Ok(Execution {
            columns,
            rows: RowSource::streamed(BlockingCursor {
                cursor,
                handle: self.handle.clone(),
                chunk: chunk.max(1),
            }),
            rowcount: -1,
            last_insert_id: None,
        })
    }

    blocking_calls!(LEVELS);
}
