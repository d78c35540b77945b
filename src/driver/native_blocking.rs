//! What the native async connections (PostgreSQL's, MySQL's) share for their blocking side:
//! the sync code the async engine runs off the runtime's workers (pool hooks, `run_sync`)
//! waits for their async calls.

use super::{AsyncRowCursor, DriverRow, RowCursor};
use crate::error::Result;
use std::collections::VecDeque;
use std::future::poll_fn;
use tokio::runtime::{Handle, RuntimeFlavor};

/// Waits for `future` on `handle`'s runtime: how a native connection's blocking side (pool
/// hooks, `run_sync`, on a blocking thread) runs its async calls. On a multi-thread runtime's
/// worker it leaves the worker's other tasks to other workers.
pub(crate) fn block_on<F: Future>(handle: &Handle, future: F) -> F::Output {
    match Handle::try_current() {
        Ok(current) if current.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| handle.block_on(future))
        }
        _ => handle.block_on(future),
    }
}

/// A streamed result's native cursor, fetched `chunk` rows at a time by waiting for it (see
/// [`block_on`]).
pub(crate) struct BlockingCursor {
    pub cursor: Box<dyn AsyncRowCursor>,
    pub handle: Handle,
    pub chunk: usize,
}

impl RowCursor for BlockingCursor {
    fn fetch(&mut self, rows: &mut VecDeque<DriverRow>) -> Result<()> {
        let (cursor, chunk) = (&mut self.cursor, self.chunk);
        block_on(
            &self.handle,
            poll_fn(|cx| cursor.poll_fetch(cx, chunk, rows)),
        )
    }
}

/// The [`DriverConnection`](super::DriverConnection) methods every native connection's
/// blocking side implements alike, each waiting for the async call of the same name: expanded
/// inside `impl DriverConnection for …` of a type with `wait` (see [`block_on`]), `in_tx`,
/// `release_inner` and the `LEVELS` it supports.
macro_rules! blocking_calls {
    ($levels:expr) => {
        fn execute_many<'v>(
            &mut self,
            sql: &str,
            param_types: &[Option<sqlcore_compiler::SqlType>],
            param_sets: &mut dyn Iterator<Item = $crate::driver::ParamSet<'v>>,
        ) -> $crate::error::Result<i64> {
            // The async call takes its sets as its own.
            let sets: Vec<Vec<sqlcore_compiler::Value>> = param_sets
                .map(|set| set.into_iter().cloned().collect())
                .collect();
            self.wait(async |c| {
                $crate::driver::AsyncDriverConnection::execute_many(c, sql, param_types, sets).await
            })
        }

        fn execute_batch(&mut self, sql: &str) -> $crate::error::Result<()> {
            self.wait(async |c| $crate::driver::AsyncDriverConnection::execute_batch(c, sql).await)
        }

        fn begin(&mut self) -> $crate::error::Result<()> {
            self.wait(async |c| {
                $crate::driver::AsyncDriverConnection::begin_with(
                    c,
                    $crate::options::SqliteBegin::Deferred,
                )
                .await
            })
        }

        fn commit(&mut self) -> $crate::error::Result<()> {
            self.wait(async |c| $crate::driver::AsyncDriverConnection::commit(c).await)
        }

        fn rollback(&mut self) -> $crate::error::Result<()> {
            self.wait(async |c| $crate::driver::AsyncDriverConnection::rollback(c).await)
        }

        fn savepoint(&mut self, name: &str) -> $crate::error::Result<()> {
            self.wait(async |c| $crate::driver::AsyncDriverConnection::savepoint(c, name).await)
        }

        fn release_savepoint(&mut self, name: &str) -> $crate::error::Result<()> {
            self.wait(async |c| {
                $crate::driver::AsyncDriverConnection::release_savepoint(c, name).await
            })
        }

        fn rollback_to_savepoint(&mut self, name: &str) -> $crate::error::Result<()> {
            self.wait(async |c| {
                $crate::driver::AsyncDriverConnection::rollback_to_savepoint(c, name).await
            })
        }

        fn in_transaction(&self) -> bool {
            self.in_tx
        }

        fn set_isolation_level(
            &mut self,
            level: $crate::options::IsolationLevel,
        ) -> $crate::error::Result<()> {
            self.wait(async |c| {
                $crate::driver::AsyncDriverConnection::set_isolation_level(c, level).await
            })
        }

        fn isolation_level(&mut self) -> $crate::error::Result<$crate::options::IsolationLevel> {
            self.wait(async |c| $crate::driver::AsyncDriverConnection::isolation_level(c).await)
        }

        fn supported_isolation_levels(&self) -> &'static [$crate::options::IsolationLevel] {
            $levels
        }

        fn release(&mut self) -> $crate::error::Result<()> {
            self.wait(async |c| c.release_inner().await)
        }

        fn ping(&mut self) -> $crate::error::Result<()> {
            self.wait(async |c| $crate::driver::AsyncDriverConnection::ping(c).await)
        }

        fn table_names(&mut self, schema: Option<&str>) -> $crate::error::Result<Vec<String>> {
            self.wait(async |c| $crate::driver::AsyncDriverConnection::table_names(c, schema).await)
        }

        fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
            self
        }

        fn as_async(&mut self) -> Option<&mut dyn $crate::driver::AsyncDriverConnection> {
            Some(self)
        }
    };
}
pub(crate) use blocking_calls;
