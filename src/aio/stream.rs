//! [`AsyncRowStream`]: a streamed result as a `futures::Stream` of rows, fetched a chunk of
//! `max_row_buffer` rows at a time (SQLAlchemy's `await conn.stream(stmt)`).

use super::connection::AsyncConnection;
use crate::driver::{AsyncRowCursor, DriverRow};
use crate::error::Result;
use crate::row::{ResultKeys, Row};
use futures_util::Stream;
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

/// The rows of a statement run with [`AsyncConnection::stream`], read as they are fetched: at
/// most `max_row_buffer` rows are held here at a time, whatever the result's size (on
/// PostgreSQL read off the socket as the stream is polled, whose flow control holds the server
/// back meanwhile). It borrows its connection, which runs nothing else meanwhile; dropping it
/// before its end leaves the rest of its rows to be discarded before the connection's next call.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sqlcore::Error> {
/// use futures_util::TryStreamExt;
/// use sqlcore::*;
/// let engine = create_async_engine("sqlite://")?;
/// let mut conn = engine.connect().await?;
/// conn.update_execution_options(|o| o.max_row_buffer(100)).await?;
/// let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) SELECT i FROM n";
/// let mut rows = conn.stream(text(sql), ()).await?;
/// let mut sum = 0;
/// while let Some(row) = rows.try_next().await? {
///     assert!(rows.buffered() < 100);
///     sum += row.get::<i64>(0)?;
/// }
/// assert_eq!(sum, 500_500);
/// # Ok(())
/// # }
/// ```
pub struct AsyncRowStream<'c> {
    _conn: &'c mut AsyncConnection,
    keys: Arc<ResultKeys>,
    cursor: Box<dyn AsyncRowCursor>,
    chunk: usize,
    rows: VecDeque<DriverRow>,
    done: bool,
}

impl std::fmt::Debug for AsyncRowStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncRowStream")
            .field("keys", &self.keys.names())
            .field("buffered", &self.rows.len())
            .field("done", &self.done)
            .finish()
    }
}

impl<'c> AsyncRowStream<'c> {
    pub(crate) fn new(
        conn: &'c mut AsyncConnection,
        keys: Arc<ResultKeys>,
        cursor: Box<dyn AsyncRowCursor>,
        chunk: usize,
    ) -> Self {
        AsyncRowStream {
            _conn: conn,
            keys,
            cursor,
            chunk: chunk.max(1),
            rows: VecDeque::new(),
            done: false,
        }
    }

    /// The column names.
    pub fn keys(&self) -> &[Arc<str>] {
        self.keys.names()
    }

    /// Rows fetched and not read yet (never more than `max_row_buffer`).
    pub fn buffered(&self) -> usize {
        self.rows.len()
    }
}

impl AsyncRowStream<'_> {
    /// The column keys, shared with the rows.
    pub(crate) fn result_keys(&self) -> &Arc<ResultKeys> {
        &self.keys
    }

    /// The next row as the driver read it, fetching more when none is buffered.
    pub(crate) fn poll_driver_row(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<DriverRow>>> {
        loop {
            if let Some(row) = self.rows.pop_front() {
                return Poll::Ready(Some(Ok(row)));
            }
            if self.done {
                return Poll::Ready(None);
            }
            match ready!(self.cursor.poll_fetch(cx, self.chunk, &mut self.rows)) {
                Ok(()) => self.done = self.rows.is_empty(),
                Err(e) => {
                    self.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }
}

impl Stream for AsyncRowStream<'_> {
    type Item = Result<Row>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Row>>> {
        let this = self.get_mut();
        this.poll_driver_row(cx)
            .map(|next| next.map(|row| row.and_then(|row| Row::read(this.keys.clone(), row))))
    }
}
