//! The async engine's results read into [`FromRow`] values: the [`AsyncRowsAs`] stream and
//! [`AsyncConnection::query_row_as`] and [`AsyncConnection::query_all_as`].

use super::{FromRow, read_driver_row};
use crate::aio::{AsyncConnection, AsyncRowStream};
use crate::connection::IntoParams;
use crate::driver::NextRow;
use crate::error::Result;
use crate::executable::Executable;
use futures_util::Stream;
use std::pin::Pin;
use std::task::{Context, Poll};

impl<'c> AsyncRowStream<'c> {
    /// The rows read into `T` as they are fetched, the columns located now.
    pub fn rows_as<T: FromRow>(self) -> Result<AsyncRowsAs<'c, T>> {
        let columns = T::columns(self.result_keys())?;
        Ok(AsyncRowsAs {
            stream: self,
            columns,
        })
    }
}

/// The rows of an [`AsyncRowStream`] read into `T` (see [`AsyncRowStream::rows_as`]).
pub struct AsyncRowsAs<'c, T: FromRow> {
    stream: AsyncRowStream<'c>,
    columns: T::Columns,
}

impl<T: FromRow> std::fmt::Debug for AsyncRowsAs<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncRowsAs")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

impl<T: FromRow> Stream for AsyncRowsAs<'_, T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        this.stream.poll_driver_row(cx).map(|next| {
            next.map(|row| {
                row.and_then(|row| {
                    read_driver_row(this.stream.result_keys(), &this.columns, NextRow::Row(row))
                })
            })
        })
    }
}

impl AsyncConnection {
    /// Executes a statement and reads its first row into `T` (see
    /// [`AsyncConnection::query_row`]).
    pub async fn query_row_as<'s, T: FromRow>(
        &mut self,
        statement: impl Into<Executable<'s>>,
        params: impl IntoParams,
    ) -> Result<T> {
        self.query_row(statement, params, |row| row.read_as()).await
    }

    /// Executes a statement and reads every row into `T`: the sync
    /// [`Connection::query_all_as`](crate::Connection::query_all_as), awaited (the rows come
    /// back buffered, then are read in one pass).
    pub async fn query_all_as<'s, T: FromRow>(
        &mut self,
        statement: impl Into<Executable<'s>>,
        params: impl IntoParams,
    ) -> Result<Vec<T>> {
        self.execute(statement, params).await?.all_as()
    }
}
