//! Pool event hooks: closures called with the driver connection.

use crate::driver::DriverConnection;
use crate::error::Result;
use std::sync::Arc;

/// A pool event hook. It receives the driver connection; `as_any_mut()` reaches the driver's
/// own object (`rusqlite::Connection`, or a `PgConnection`, whose `with_client` runs a call on
/// its `tokio_postgres::Client`). Reaching a `rusqlite::Connection` this way finalizes the
/// statements sqlcore keeps prepared on it: they are prepared again as they run next, which a
/// `connect` hook never notices and a `checkout` hook pays once per statement per checkout.
/// An error from a `connect` or `checkout` hook fails the checkout.
pub type EventHook = Arc<dyn Fn(&mut dyn DriverConnection) -> Result<()> + Send + Sync>;

/// The hooks registered on an engine, by event.
#[derive(Clone, Default)]
pub struct PoolEvents {
    /// A new connection was opened.
    pub connect: Vec<EventHook>,
    /// A connection is handed out.
    pub checkout: Vec<EventHook>,
    /// A connection came back.
    pub checkin: Vec<EventHook>,
    /// A returned connection was reset.
    pub reset: Vec<EventHook>,
    /// A connection is discarded as unusable.
    pub invalidate: Vec<EventHook>,
    /// A connection is closed.
    pub close: Vec<EventHook>,
}

impl std::fmt::Debug for PoolEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolEvents")
            .field("connect", &self.connect.len())
            .field("checkout", &self.checkout.len())
            .field("checkin", &self.checkin.len())
            .field("reset", &self.reset.len())
            .field("invalidate", &self.invalidate.len())
            .field("close", &self.close.len())
            .finish()
    }
}
