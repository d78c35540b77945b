//! The schema model: [`MetaData`], [`Table`], [`Column`], [`SqlType`], constraints and indexes.

mod column;
mod computed;
mod constraint;
mod custom_type;
mod metadata;
mod named_types;
mod sequence;
mod table;
mod types;

pub use column::{Autoincrement, ClientDefault, Column, ServerDefault};
pub use computed::{Computed, Identity};
pub use constraint::{
    CheckConstraint, ForeignKey, Index, IndexElement, PrimaryKey, ReferentialAction,
    UniqueConstraint,
};
pub use custom_type::{CustomType, TypeDecorator};
pub use metadata::MetaData;
pub use named_types::{DomainType, EnumType, NamedType};
pub use sequence::{NextValue, Sequence};
pub use table::{Table, TableDef};
pub use types::SqlType;
