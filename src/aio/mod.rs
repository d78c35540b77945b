//! The async engine: [`AsyncEngine`], its pool, [`AsyncConnection`] and the transaction
//! guards, for tokio services. It shares everything above the driver with the sync engine —
//! the builder and its options, the compiled-statement cache, execution options, the step
//! that compiles and binds a statement, the transaction bookkeeping, [`CursorResult`] and
//! [`Row`], and errors — so a behaviour is written once.
//!
//! PostgreSQL connections are native: `tokio-postgres` on the caller's runtime (see
//! `driver::PgAsyncConnection`). Connections of blocking drivers (SQLite) live on a thread of
//! their own (see `blocking`), so the runtime's workers never wait on the database. A future
//! dropped mid-call (a timeout, `tokio::select!`) never hands a connection to anyone in an
//! unknown state: a native one is marked busy and recovered (or closed) by the pool, a
//! thread's call finishes there.
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
/// The pool of an async engine's read replica.
pub(crate) type AsyncReplicaPool = std::sync::Arc<pool::AsyncPool>;
pub use stream::AsyncRowStream;
pub use transaction::{AsyncEngineTransaction, AsyncNestedTransaction, AsyncTransaction};
