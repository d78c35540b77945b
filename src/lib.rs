#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

// `#[derive(FromRow)]` names `::sqlcore`, inside this crate too.
extern crate self as sqlcore;

#[cfg(feature = "async")]
pub mod aio;
mod cache;
pub mod connection;
mod ddl;
pub mod driver;
mod engine;
mod error;
pub mod events;
mod executable;
mod from_row;
mod insert_many;
#[cfg(feature = "metrics")]
mod metrics;
mod options;
pub mod pool;
mod prepared;
mod reflect;
mod replicas;
mod result;
mod row;
pub mod transaction;
pub mod typed;
mod url;

#[cfg(feature = "async")]
pub use aio::{
    AsyncConnection, AsyncEngine, AsyncEngineTransaction, AsyncNestedTransaction, AsyncRowStream,
    AsyncTransaction, create_async_engine,
};
pub use cache::{CacheEntry, CacheLookup, CacheStats, CompiledCache};
pub use connection::{Connection, IntoParams};
pub use ddl::{Bind, MetaDataExt};
pub use engine::{Engine, EngineBuilder, create_engine};
pub use error::{DbError, DbErrorKind, DbErrorReason, Error, Result};
pub use executable::{Executable, StatementExt};
#[cfg(feature = "async")]
pub use from_row::AsyncRowsAs;
pub use from_row::{FromRow, RowReader, RowsAs};
pub use options::{
    CacheChoice, ExecutionOptions, IsolationLevel, PoolClass, ResetOnReturn, SqliteBegin,
};
pub use pool::PoolStatus;
pub use prepared::Prepared;
pub use reflect::{Autoload, Inspector, ReflectOptions, inspect};
pub use replicas::ReplicaStatus;
pub use result::{CursorResult, MappingResult, ScalarResult};
pub use row::{ResultKeys, Row, RowIndex, RowMapping, RowRef};
pub use sqlcore_compiler::*;
/// Derives [`FromRow`](trait@FromRow) for a struct (see the trait for the attributes).
pub use sqlcore_macros::FromRow;
pub use transaction::{EngineTransaction, NestedTransaction, Transaction};
pub use url::{Backend, SqlitePath, Url};
