//! The schema model: [`MetaData`], [`Table`], [`Column`], [`SqlType`], constraints and indexes.

mod column;
mod constraint;
mod index;
mod metadata;
mod partition;
mod table;
mod types;

pub use column::{Autoincrement, ClientDefault, Column, ServerDefault};
pub use constraint::{
    CheckConstraint, ForeignKey, PrimaryKey, ReferentialAction, UniqueConstraint,
};
pub use index::{ElementKey, ElementOptions, Index, IndexElement, IndexMethod};
pub use metadata::MetaData;
pub use partition::{PartitionBound, PartitionBy, PartitionOf, PartitionStrategy, RangeValue};
pub use table::{Table, TableDef};
pub use types::SqlType;
