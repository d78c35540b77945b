#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod connection;
mod ddl;
pub mod driver;
mod engine;
mod error;
mod insert_many;
mod options;
pub mod pool;
mod result;
mod row;
pub mod transaction;
mod url;

pub use connection::{Connection, IntoParams};
pub use ddl::{Bind, MetaDataExt};
pub use engine::{Engine, EngineBuilder, create_engine};
pub use error::{DbError, DbErrorKind, DbErrorReason, Error, Result};
pub use options::{ExecutionOptions, IsolationLevel, PoolClass, ResetOnReturn, SchemaTranslateMap};
pub use pool::PoolStatus;
pub use result::{CursorResult, MappingResult, ScalarResult};
pub use row::{ResultKeys, Row, RowIndex, RowMapping};
pub use sqlcore_compiler::*;
pub use transaction::{EngineTransaction, NestedTransaction, Transaction};
pub use url::{Backend, SqlitePath, Url};
