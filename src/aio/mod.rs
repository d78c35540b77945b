//! The async engine: [`AsyncEngine`], its pool, [`AsyncConnection`] and the transaction
//! guards, for tokio services. It shares everything above the driver with the sync engine —
//! the builder and its options, the compiled-statement cache, execution options, the step
//! that compiles and binds a statement, the transaction bookkeeping, [`CursorResult`] and
//! [`Row`], and errors — so a behaviour is written once.
//!
//! Each connection lives on a thread of its own (see `blocking`), so the runtime's workers
//! never wait on the database; a future dropped mid-call (a timeout, `tokio::select!`) leaves
//! its call to finish there and the connection is never handed to anyone in an unknown state.
//!
//! [`CursorResult`]: crate::CursorResult
//! [`Row`]: crate::Row

mod blocking;
mod connection;
mod engine;
mod pool;
mod run_sync;
mod stream;
mod transaction;

pub use connection::AsyncConnection;
pub use engine::{AsyncEngine, create_async_engine};
pub use stream::AsyncRowStream;
pub use transaction::{AsyncEngineTransaction, AsyncNestedTransaction, AsyncTransaction};
