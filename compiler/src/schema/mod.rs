//! The schema model: [`MetaData`], [`Table`], [`Column`], [`SqlType`], constraints and indexes.

mod column;
mod computed;
mod constraint;
mod custom_type;
mod index;
mod metadata;
mod named_types;
mod partition;
mod sequence;
mod table;
mod types;

pub use column::{Autoincrement, ClientDefault, Column, ServerDefault};
pub(crate) use computed::SequenceOptions;
pub use computed::{Computed, Identity};
pub use constraint::{
    CheckConstraint, ForeignKey, PrimaryKey, ReferentialAction, UniqueConstraint,
};
pub use custom_type::{BoxError, CustomType, TypeDecorator};
pub use index::{ElementKey, ElementOptions, Index, IndexElement, IndexMethod};
pub use metadata::MetaData;
pub use named_types::{DomainType, EnumType, NamedType};
pub use partition::{PartitionBound, PartitionBy, PartitionOf, PartitionStrategy, RangeValue};
pub use sequence::{NextValue, Sequence};
pub use table::{Table, TableDef};
pub use types::SqlType;
