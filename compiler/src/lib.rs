//! # sqlcore-compiler
//!
//! The SQL half of sqlcore, with no I/O: a schema model ([`MetaData`], [`Table`],
//! [`Column`]), an expression language ([`Expr`]), statements as immutable values ([`select`],
//! [`insert`], [`update`], [`delete`], DDL, [`text()`](fn@text)) and a compiler that renders them for
//! [`PostgreSQL`], [`SQLite`] and [`MySQL`](struct@MySQL) into [`Compiled`] SQL with parameter slots.
//!
//! ```
//! use sqlcore_compiler::*;
//!
//! let users = Table::new("users")
//!     .column(Column::new("id", SqlType::Integer).primary_key())
//!     .column(Column::new("name", SqlType::String(Some(30))).not_null());
//! let q = select([users.c("id"), users.c("name")])
//!     .filter(users.c("name").eq("Alice"))
//!     .order_by([users.c("id").desc()])
//!     .limit(5);
//! let pg = q.compile(&PostgreSQL)?;
//! assert_eq!(pg.sql, "SELECT users.id, users.name FROM users WHERE users.name = $1 ORDER BY users.id DESC LIMIT $2");
//! assert_eq!(pg.bind(&Params::new())?.values, vec![Value::from("Alice"), Value::I64(5)]);
//! assert_eq!(q.compile(&SQLite)?.sql, "SELECT users.id, users.name FROM users WHERE users.name = ?1 ORDER BY users.id DESC LIMIT ?2");
//! assert_eq!(q.compile(&MySQL)?.sql, "SELECT users.id, users.name FROM users WHERE users.name = ? ORDER BY users.id DESC LIMIT ?");
//! # Ok::<(), CompileError>(())
//! ```

#![warn(missing_docs)]

mod cache_key;
mod cached_compiled;
pub mod compile;
pub mod datetime_text;
pub mod dialect;
mod error;
pub mod expr;
pub mod schema;
pub mod stmt;
pub mod text;
mod value;
mod value_ref;

pub use cache_key::{CacheKey, Extracted, extract};
pub use cached_compiled::CachedCompiled;
pub use compile::{
    Bound, BoundRefs, Compile, Compiled, ConversionSite, ConvertedBinds, ParamSlot, ParamSource,
    Params, ParamsIntoIter, ResultColumn, SchemaTranslateMap, TypeConversionError,
    snapshot_dialects,
};
pub use dialect::{
    Dialect, FullTextStyle, IdentifierLength, MariaDB, MySQL, ParamStyle, PostgreSQL, SQLite,
};
pub use error::CompileError;
pub use expr::*;
pub use schema::*;
pub use stmt::*;
pub use text::{TextClause, text};
pub use value::{FromValue, Interval, LabelEnum, Value, ValueConversionError};
pub use value_ref::ValueRef;

/// Re-exported value crates, so users name the same types the `Value` enum holds.
pub use chrono;
pub use rust_decimal;
pub use serde_json;
pub use uuid;
