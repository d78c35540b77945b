//! `stream_results` on MySQL / MariaDB: an unbuffered result, its rows read off the socket a
//! chunk at a time while the caller reads them.
//!
//! MySQL runs nothing else on a connection until its result has been read: the connection
//! lives inside the open result while it streams ([`State::Streaming`](super::mysql::State)),
//! and any other use of the connection (a statement, COMMIT, ROLLBACK, its return to the pool)
//! first reads the rest of the result and closes it. The cursor then reports the result closed
//! rather than rows of anything else. The session's lock is the connection's own (shared only
//! with its cursor); it is held while a chunk is read.

use super::mysql::{Session, State, describe, fail, values};
use super::mysql_value::ColumnKind;
use super::{DriverRow, Execution, ResultNames, RowCursor, RowSource};
use crate::error::{Error, Result};
use mysql::prelude::Queryable;
use mysql::{Binary, Conn, Params, QueryResult, Statement};
use parking_lot::Mutex;
use sqlcore_compiler::ResultColumn;
use std::collections::VecDeque;
use std::ptr::NonNull;
use std::sync::Arc;

/// A result being read, holding the connection it is read from.
pub(crate) struct OpenResult {
    /// Borrows `*conn`; always dropped before the connection is freed or handed back.
    result: Option<QueryResult<'static, 'static, 'static, Binary>>,
    /// The connection, owned (a `Box` taken apart); freed on drop unless `close` handed it back.
    conn: NonNull<Conn>,
    released: bool,
    kinds: Vec<ColumnKind>,
    declared: Arc<[ResultColumn]>,
}

// SAFETY: the result and the connection it borrows move together, and only one thread at a
// time reaches them (through the session's mutex). `Conn` is `Send`, and so is a
// `QueryResult` borrowing one; the pointer is only what `Box<Conn>` would be.
unsafe impl Send for OpenResult {}

impl OpenResult {
    /// Executes `stmt` on `conn` and keeps its result open, with its column kinds and names
    /// (`None` when the statement returns no rows). On failure the connection comes back with
    /// the error.
    #[allow(clippy::type_complexity)]
    pub(crate) fn open(
        conn: Box<Conn>,
        stmt: &Statement,
        params: Params,
        declared: Arc<[ResultColumn]>,
    ) -> std::result::Result<(Self, Option<ResultNames>), (Box<Conn>, Error)> {
        let conn = NonNull::from(Box::leak(conn));
        // SAFETY: the connection was leaked from its box above and is reached only through
        // this borrow until the result holding it is dropped (`close` and `Drop` drop the
        // result first), after which the box is rebuilt once.
        let borrowed: &'static mut Conn = unsafe { &mut *conn.as_ptr() };
        let result = match borrowed.exec_iter(stmt, params) {
            Ok(result) => result,
            // SAFETY: no result borrows the connection: the box is rebuilt once.
            Err(e) => return Err((unsafe { Box::from_raw(conn.as_ptr()) }, fail(e))),
        };
        let mut open = OpenResult {
            result: Some(result),
            conn,
            released: false,
            kinds: Vec::new(),
            declared,
        };
        let Some(result) = &open.result else {
            unreachable!("the result was just stored");
        };
        if result.columns().as_ref().is_empty() {
            return Ok((open, None));
        }
        match describe(result, &open.declared) {
            Ok((kinds, names)) => {
                open.kinds = kinds;
                Ok((open, Some(names)))
            }
            Err(e) => Err((open.close(), e)),
        }
    }

    /// What a statement without rows did.
    pub(crate) fn no_rows(&self) -> Execution {
        let (rowcount, last_insert_id) = self.result.as_ref().map_or((0, None), |r| {
            (
                i64::try_from(r.affected_rows()).unwrap_or(i64::MAX),
                r.last_insert_id()
                    .filter(|id| *id > 0)
                    .and_then(|id| i64::try_from(id).ok()),
            )
        });
        Execution {
            columns: ResultNames::Given(Vec::new()),
            rows: RowSource::default(),
            rowcount,
            last_insert_id,
        }
    }

    /// Appends up to `chunk` rows to `rows`; `true` once the result has no more.
    fn fetch(&mut self, chunk: usize, rows: &mut VecDeque<DriverRow>) -> Result<bool> {
        let Some(result) = &mut self.result else {
            return Ok(true);
        };
        for _ in 0..chunk {
            match result.next() {
                Some(row) => {
                    let row = row.map_err(fail)?;
                    rows.push_back(DriverRow::Values(values(row, &self.kinds, &self.declared)?));
                }
                None => return Ok(true),
            }
        }
        Ok(false)
    }

    /// Reads the rest of the result (unread rows are skipped) and hands the connection back.
    pub(crate) fn close(mut self) -> Box<Conn> {
        self.result = None;
        self.released = true;
        // SAFETY: the result borrowing the connection is gone; `released` keeps `Drop` from
        // rebuilding the box a second time.
        unsafe { Box::from_raw(self.conn.as_ptr()) }
    }
}

impl Drop for OpenResult {
    fn drop(&mut self) {
        self.result = None;
        if !self.released {
            // SAFETY: as in `close`: the result is gone, and the box is rebuilt once.
            drop(unsafe { Box::from_raw(self.conn.as_ptr()) });
        }
    }
}

/// The cursor of a streamed result: each fetch reads the next chunk of rows off the socket.
pub(crate) struct StreamCursor {
    session: Arc<Mutex<Session>>,
    id: u64,
    chunk: usize,
    finished: bool,
}

impl StreamCursor {
    pub(crate) fn new(session: Arc<Mutex<Session>>, id: u64, chunk: usize) -> Self {
        StreamCursor {
            session,
            id,
            chunk,
            finished: false,
        }
    }
}

impl RowCursor for StreamCursor {
    fn fetch(&mut self, rows: &mut VecDeque<DriverRow>) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        let mut session = self.session.lock();
        let fetched = match &mut session.state {
            State::Streaming { open, id } if *id == self.id => open.fetch(self.chunk, rows),
            _ => {
                return Err(Error::ResourceClosed(
                    "this streamed result was closed: its connection ran another statement, \
                     ended its transaction or went back to the pool before all rows were read"
                        .into(),
                ));
            }
        };
        let done = match &fetched {
            Ok(done) => *done,
            Err(e) => !e.connection_invalidated(),
        };
        if done {
            self.finished = true;
            if let State::Streaming { open, .. } =
                std::mem::replace(&mut session.state, State::Lost)
            {
                session.state = State::Idle(open.close());
            }
        } else if fetched.is_err() {
            self.finished = true;
            session.state = State::Lost;
        }
        fetched.map(drop)
    }
}
