//! `stream_results` on the native connection: MySQL's unbuffered result, its rows pending on
//! the connection and read a chunk at a time, each chunk a call of its own (see [`run`]). Any
//! other call on the connection closes the stream first (`mysql_async` reads the rest of the
//! result before it sends anything else); the stream then reports itself closed rather than
//! rows of anything else.

use super::super::mysql::values;
use super::super::mysql_value::ColumnKind;
use super::super::{AsyncRowCursor, DriverRow, FetchChunk};
use super::call::{Shared, run};
use super::fail;
use crate::error::Result;
use futures_util::future::BoxFuture;
use mysql_async::{BinaryProtocol, QueryResult};
use sqlcore_compiler::ResultColumn;
use std::collections::VecDeque;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// Fetches the rows of streamed result number `id` off its connection.
pub(super) struct StreamFetch {
    pub shared: Arc<Shared>,
    pub id: u64,
    pub kinds: Arc<[ColumnKind]>,
    pub declared: Arc<[ResultColumn]>,
    pub io_timeout: Option<Duration>,
}

impl FetchChunk for StreamFetch {
    fn fetch(&mut self, max: usize) -> BoxFuture<'static, Result<Vec<DriverRow>>> {
        let (shared, id, io_timeout) = (self.shared.clone(), self.id, self.io_timeout);
        let (kinds, declared) = (self.kinds.clone(), self.declared.clone());
        Box::pin(async move {
            let conn = shared.take(Some(id)).await?;
            let fetched = run(&shared, conn, io_timeout, move |conn| {
                Box::pin(async move {
                    let mut result = QueryResult::<BinaryProtocol>::new(conn);
                    let mut rows = Vec::with_capacity(max.min(1024));
                    while rows.len() < max {
                        match result.next().await.map_err(fail)? {
                            Some(row) => rows.push(row),
                            None => break,
                        }
                    }
                    Ok(rows)
                })
            })
            .await;
            let done = fetched.as_ref().map_or(true, |rows| rows.len() < max);
            if done {
                let mut slot = shared.slot.lock();
                if slot.streaming == Some(id) {
                    slot.streaming = None;
                }
            }
            fetched?
                .into_iter()
                .map(|row| values(row, &kinds, &declared).map(DriverRow::Values))
                .collect()
        })
    }
}

/// The cursor of a statement that returned no rows.
pub(super) struct Drained;

impl AsyncRowCursor for Drained {
    fn poll_fetch(
        &mut self,
        _cx: &mut Context<'_>,
        _max: usize,
        _rows: &mut VecDeque<DriverRow>,
    ) -> Poll<Result<()>> {
        Poll::Ready(Ok(()))
    }
}
