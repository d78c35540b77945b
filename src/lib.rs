#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod aio;
mod cache;
pub mod connection;
mod ddl;
pub mod driver;
mod engine;
mod error;
mod executable;
mod insert_many;
mod options;
pub mod pool;
mod prepared;
mod reflect;
mod replicas;
mod result;
mod row;
pub mod transaction;
mod url;

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
pub use transaction::{EngineTransaction, NestedTransaction, Transaction};
pub use url::{Backend, SqlitePath, Url};
