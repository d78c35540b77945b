//! The async pool's handling of native connections (PostgreSQL on the caller's runtime):
//! opened, checked out, reset and closed by awaiting them, with the pool events run on a
//! blocking thread when any are registered (hooks are sync code with the connection).

use super::{AsyncPool, Held, Idle};
use crate::error::{DbError, DbErrorKind, Error, Result};
use crate::options::{IsolationLevel, ResetOnReturn};
use crate::pool::{Factory, PoolRecord};
use futures_util::future::BoxFuture;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use tokio::sync::OwnedSemaphorePermit;

/// A native connection lent out, with what must be done to it before it is reset.
pub(crate) struct NativeLent {
    pub record: PoolRecord,
    /// Roll its transaction back first (the `AsyncConnection` had one open).
    pub rollback_first: bool,
    /// Set this isolation level back first.
    pub restore: Option<IsolationLevel>,
}

/// The error of a record holding no native connection.
fn not_native() -> Error {
    let mut e = DbError::new(
        DbErrorKind::Interface,
        "the pooled connection is not a native async connection",
    );
    e.connection_invalidated = true;
    Error::Db(e)
}

/// Runs sync code (pool hooks) on a blocking thread; a panic there goes on here.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => resume_unwind(e.into_panic()),
        Err(_) => Err(Error::ResourceClosed("the runtime is shutting down".into())),
    }
}

/// Opens a native connection and fires `connect` and `checkout`.
pub(super) async fn open(
    factory: &Arc<Factory>,
    connecting: BoxFuture<'static, Result<Box<dyn crate::driver::DriverConnection>>>,
) -> Result<PoolRecord> {
    let since = crate::pool::PoolInstruments::now();
    let conn = connecting.await?;
    factory.instruments.created(since);
    let record = factory.record(conn);
    if factory.events.connect.is_empty() && factory.events.checkout.is_empty() {
        return Ok(record);
    }
    let f = factory.clone();
    blocking(move || f.checkout_hooks(f.connect_hooks(record)?)).await
}

/// Opens another native connection in place of one that went.
async fn reopen(factory: &Arc<Factory>) -> Result<PoolRecord> {
    let connecting = factory.connect_async().ok_or_else(not_native)?;
    open(factory, connecting).await
}

/// Makes an idle native connection ready to hand out: replaced when stale or (with pre-ping)
/// dead, then `checkout` fired.
pub(super) async fn prepare_checkout(
    factory: &Arc<Factory>,
    mut record: PoolRecord,
) -> Result<PoolRecord> {
    if !factory.is_fresh(&record) {
        close(factory, record, false).await;
        return reopen(factory).await;
    }
    if factory.options.pre_ping {
        let alive = match record.conn.as_async() {
            Some(conn) => conn.ping().await,
            None => Err(not_native()),
        };
        if let Err(e) = alive {
            tracing::info!(target: "sqlcore.pool", id = record.id(), error = %e, "pre-ping failed; replacing the connection");
            close(factory, record, true).await;
            return reopen(factory).await;
        }
    }
    if factory.events.checkout.is_empty() {
        return Ok(record);
    }
    let f = factory.clone();
    blocking(move || f.checkout_hooks(record)).await
}

/// Fires `invalidate` (when `invalidated`) and `close`, then closes the connection and waits
/// until it is closed.
pub(super) async fn close(factory: &Arc<Factory>, mut record: PoolRecord, invalidated: bool) {
    let hooks =
        !factory.events.close.is_empty() || (invalidated && !factory.events.invalidate.is_empty());
    if hooks {
        let f = factory.clone();
        let fired = blocking(move || {
            let fired = catch_unwind(AssertUnwindSafe(|| f.close_hooks(&mut record, invalidated)));
            if fired.is_err() {
                tracing::error!(target: "sqlcore.pool", id = record.id(), "a close or invalidate hook panicked");
            }
            Ok(record)
        })
        .await;
        match fired {
            Ok(back) => record = back,
            // The runtime is going: the connection went with the blocking task.
            Err(_) => return,
        }
    }
    if let Some(conn) = record.conn.as_async() {
        conn.close().await;
    }
}

/// Brings a returned connection back to a known, reset state (`busy` recovered, the lender's
/// fix-ups, then the pool's reset and the `reset`/`checkin` events); `None` when it was closed
/// instead.
async fn reset(factory: &Arc<Factory>, lent: NativeLent) -> Option<PoolRecord> {
    let NativeLent {
        mut record,
        rollback_first,
        restore,
    } = lent;
    let hooks = !factory.events.reset.is_empty() || !factory.events.checkin.is_empty();
    let reset_on_return = factory.options.reset_on_return;
    let done: Result<()> = async {
        let conn = record.conn.as_async().ok_or_else(not_native)?;
        if conn.busy() {
            conn.recover().await?;
        }
        if rollback_first && conn.in_transaction() {
            conn.rollback().await?;
        }
        if let Some(level) = restore {
            conn.set_isolation_level(level).await?;
        }
        if hooks {
            return Ok(());
        }
        conn.release().await?;
        if conn.in_transaction() {
            match reset_on_return {
                ResetOnReturn::Rollback => conn.rollback().await?,
                ResetOnReturn::Commit => conn.commit().await?,
                ResetOnReturn::None => {}
            }
        }
        Ok(())
    }
    .await;
    if let Err(e) = done {
        tracing::warn!(target: "sqlcore.pool", id = record.id(), error = %e, "reset on return failed; discarding the connection");
        close(factory, record, true).await;
        return None;
    }
    if !hooks {
        return Some(record);
    }
    let f = factory.clone();
    let reset = blocking(move || {
        let reset = catch_unwind(AssertUnwindSafe(|| f.reset(&mut record)));
        Ok((reset, record))
    })
    .await;
    let (reset, record) = reset.ok()?;
    match reset {
        Ok(Ok(())) => Some(record),
        Ok(Err(e)) => {
            tracing::warn!(target: "sqlcore.pool", id = record.id(), error = %e, "reset on return failed; discarding the connection");
            close(factory, record, true).await;
            None
        }
        Err(_) => {
            tracing::error!(target: "sqlcore.pool", id = record.id(), "a reset or checkin hook panicked; discarding the connection");
            close(factory, record, true).await;
            None
        }
    }
}

/// A place in the pool being given back: freed (the connection counted closed) when dropped,
/// unless the connection went back to the idle queue.
struct Returning {
    pool: Arc<AsyncPool>,
    permit: Option<Arc<OwnedSemaphorePermit>>,
    kept: bool,
}

impl Drop for Returning {
    fn drop(&mut self) {
        if !self.kept {
            let mut st = self.pool.state.lock();
            st.open -= 1;
            st.checked_out -= 1;
        }
        // Freed last: never more connections open than the pool allows.
        self.permit = None;
        self.pool.publish();
    }
}

impl Returning {
    /// Puts `record` back in the idle queue if it is fresh and the pool keeps it; otherwise it
    /// is handed back to be closed.
    fn keep(&mut self, record: PoolRecord) -> Option<PoolRecord> {
        let pool = &self.pool;
        let mut st = pool.state.lock();
        if pool.factory.is_fresh(&record) && pool.keeps(st.idle.len()) {
            st.checked_out -= 1;
            let (id, opened) = (record.id(), record.opened());
            let levels = record.conn.supported_isolation_levels();
            st.idle.push_back(Idle {
                held: Held::Native(record),
                id,
                levels,
                opened,
            });
            self.kept = true;
            return None;
        }
        Some(record)
    }
}

impl AsyncPool {
    /// Returns a native connection: straight back to the idle queue when nothing needs doing
    /// to it; otherwise reset (or closed, when `discard`) by a task on the runtime, which frees
    /// its place once done.
    pub(super) fn give_back_native(
        self: &Arc<Self>,
        mut lent: NativeLent,
        permit: Arc<OwnedSemaphorePermit>,
        discard: bool,
    ) {
        let mut returning = Returning {
            pool: self.clone(),
            permit: Some(permit),
            kept: false,
        };
        let quiet = !discard
            && !lent.rollback_first
            && lent.restore.is_none()
            && self.factory.events.reset.is_empty()
            && self.factory.events.checkin.is_empty()
            && lent
                .record
                .conn
                .as_async()
                .is_some_and(|c| !c.needs_reset());
        if quiet {
            match returning.keep(lent.record) {
                None => return,
                Some(record) => {
                    lent = NativeLent {
                        record,
                        rollback_first: false,
                        restore: None,
                    };
                }
            }
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // No runtime to reset it on: it is dropped (closing it), and its place freed.
            drop(lent);
            return;
        };
        let factory = self.factory.clone();
        runtime.spawn(async move {
            let record = if discard {
                close(&factory, lent.record, true).await;
                None
            } else if quiet {
                Some(lent.record)
            } else {
                reset(&factory, lent).await
            };
            if let Some(record) = record {
                if let Some(record) = if quiet {
                    Some(record)
                } else {
                    returning.keep(record)
                } {
                    close(&factory, record, false).await;
                }
            }
            drop(returning);
        });
    }

    /// Closes an idle native connection (dispose) on the runtime, then frees its place.
    pub(super) fn close_idle_native(self: &Arc<Self>, record: PoolRecord) {
        let pool = self.clone();
        let closing = async move {
            close(&pool.factory, record, false).await;
            pool.state.lock().open -= 1;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(closing);
            }
            Err(_) => {
                drop(closing);
                self.state.lock().open -= 1;
            }
        }
    }
}
