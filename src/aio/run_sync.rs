//! [`AsyncConnection::run_sync`]: sync code — reflection, `create_all`/`drop_all`, anything
//! written for [`Connection`] — run on an async connection's own thread, with a sync
//! `Connection` lent its database connection and transaction (SQLAlchemy's
//! `await conn.run_sync(fn)`). Nothing of the sync engine is copied for the async one.

use super::connection::AsyncConnection;
use super::pool::Slot;
use crate::connection::Connection;
use crate::engine::{Engine, EngineSettings};
use crate::error::{DbError, DbErrorKind, Error, Result};
use crate::options::{ExecutionOptions, IsolationLevel};
use crate::pool::{Factory, Pool, PoolRecord, PoolStatus};
use parking_lot::Mutex;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, oneshot};

/// The pool of a lent connection: it holds nothing to hand out; a connection coming back is
/// kept for the async connection, one discarded is invalidated by the async pool's factory.
struct LentPool {
    factory: Arc<Factory>,
    back: Arc<Mutex<Option<PoolRecord>>>,
}

impl Pool for LentPool {
    fn checkout(&self) -> Result<PoolRecord> {
        Err(Error::InvalidRequest(
            "inside run_sync the connection cannot check out another database connection; return and use the async connection".into(),
        ))
    }

    fn checkin(&self, record: PoolRecord) {
        *self.back.lock() = Some(record);
    }

    fn discard(&self, record: PoolRecord) {
        self.factory.invalidate(record);
    }

    fn status(&self) -> PoolStatus {
        PoolStatus {
            kind: "lent",
            size: 1,
            checked_in: 0,
            checked_out: 1,
            overflow: 0,
            waiting: 0,
        }
    }

    fn dispose(&self) {}

    fn factory(&self) -> &Factory {
        &self.factory
    }
}

/// What the sync code left: whether the database connection is still there (not
/// invalidated), whether a transaction is open, and the isolation level to restore at checkin.
pub(crate) struct Returned {
    pub kept: bool,
    pub in_tx: bool,
    pub restore: Option<IsolationLevel>,
}

/// Runs `f` on the connection's thread with a sync [`Connection`] over the database
/// connection in `slot`, lent and taken back.
pub(crate) fn run_on_thread<T>(
    slot: &mut Slot,
    settings: EngineSettings,
    factory: Arc<Factory>,
    options: ExecutionOptions,
    in_tx: bool,
    f: impl FnOnce(&mut Connection) -> Result<T>,
) -> (Result<T>, Returned) {
    let Some(record) = slot.take_record() else {
        let closed =
            Error::ResourceClosed("the async connection has no database connection".into());
        let returned = Returned {
            kept: false,
            in_tx,
            restore: None,
        };
        return (Err(closed), returned);
    };
    let back = Arc::new(Mutex::new(None));
    let pool = Box::new(LentPool {
        factory,
        back: back.clone(),
    });
    let engine = Engine::from_parts(settings, pool, options.clone());
    let mut conn = Connection::lent(engine, record, options, in_tx);
    let out = catch_unwind(AssertUnwindSafe(|| f(&mut conn)));
    let (record, in_tx, restore) = conn.unlend();
    drop(conn);
    let record = record.or_else(|| back.lock().take());
    let kept = match record {
        Some(record) => {
            slot.put_record(record);
            true
        }
        None => false,
    };
    match out {
        Ok(value) => (
            value,
            Returned {
                kept,
                in_tx,
                restore,
            },
        ),
        // The database connection is back in its slot; the panic goes on (the connection's
        // thread reports it as a lost connection).
        Err(panic) => resume_unwind(panic),
    }
}

/// Runs `f` on a blocking thread with a native connection's `record` in a slot, keeping
/// `share` of its place in the pool until the record is back here or closed there (should the
/// caller's future be dropped meanwhile). The answer, and the record unless `f` lost it.
pub(crate) async fn run_native<T: Send + 'static>(
    record: PoolRecord,
    share: Option<Arc<OwnedSemaphorePermit>>,
    f: impl FnOnce(&mut Slot) -> T + Send + 'static,
) -> Result<(T, Option<PoolRecord>)> {
    let (reply, answer) = oneshot::channel();
    tokio::task::spawn_blocking(move || {
        let mut slot = Slot::holding(record);
        let out = catch_unwind(AssertUnwindSafe(|| f(&mut slot)));
        // After a panic the connection's state is unknown: it is closed.
        let record = slot.take_record().filter(|_| out.is_ok());
        if let Err((_, record)) = reply.send((out, record)) {
            // Nobody waits for it any more: closed before its place is freed.
            drop(record);
        }
        drop(share);
    });
    match answer.await {
        Ok((Ok(value), record)) => Ok((value, record)),
        Ok((Err(_), _)) | Err(_) => {
            let mut e = DbError::new(
                DbErrorKind::Interface,
                "the connection is closed (a call panicked on it)",
            );
            e.connection_invalidated = true;
            Err(Error::Db(e))
        }
    }
}

impl AsyncConnection {
    /// Runs sync code on this connection — `f` gets a [`Connection`] over the same database
    /// connection and transaction, on the connection's own thread (so it blocks no runtime
    /// worker): reflection, `create_all`/`drop_all`, or any function written for the sync
    /// engine (SQLAlchemy's `await conn.run_sync(fn)`). A transaction `f` leaves open stays
    /// open here; one it begins or ends, begins or ends here.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), sqlcore::Error> {
    /// use sqlcore::*;
    /// let engine = create_async_engine("sqlite://")?;
    /// let mut conn = engine.connect().await?;
    /// let mut metadata = MetaData::new();
    /// metadata.add(Table::new("users").column(Column::new("id", SqlType::Integer).primary_key()))?;
    /// let declared = metadata.clone();
    /// conn.run_sync(move |c| declared.create_all(c)).await?;
    /// conn.commit().await?;
    /// let reflected = conn
    ///     .run_sync(|c| {
    ///         let mut md = MetaData::new();
    ///         md.reflect(c)?;
    ///         Ok(md)
    ///     })
    ///     .await?;
    /// assert!(reflected.table("users").is_some());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn run_sync<T: Send + 'static>(
        &mut self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.run_sync_inner(f).await
    }
}
