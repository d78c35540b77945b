//! Statements: [`Select`], [`CompoundSelect`], [`Insert`], [`Update`], [`Delete`] and DDL,
//! each an immutable value of its own type, plus FROM elements (aliases, subqueries, CTEs,
//! joins).

mod compound;
mod ddl;
mod from;
mod insert;
mod query;
mod select;
mod sequence;
mod update;

pub use compound::{CompoundSelect, SetOp};
pub(crate) use ddl::schema_object;
pub use ddl::{
    CreateIndex, CreateTable, CreateType, Ddl, DropIndex, DropTable, DropType, SetComment,
    create_index, create_table, create_table_ddl, create_type, drop_index, drop_table, drop_type,
};
pub use from::{Alias, Cte, DerivedDef, FromClause, Join, JoinKind, Source, Subquery};
pub use insert::{Assignments, Insert, InsertSource, OnConflict, excluded, insert};
pub use query::Query;
pub use select::{Distinct, ForUpdate, IntoSelectItems, Select, SelectItem, select};
pub(crate) use select::{NamedItem, named_items, result_columns};
pub use sequence::{CreateSequence, DropSequence, create_sequence, drop_sequence};
pub use update::{Delete, Update, delete, update};

use crate::text::TextClause;

/// Any statement the compiler renders.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// SELECT.
    Select(Select),
    /// UNION / INTERSECT / EXCEPT.
    Compound(CompoundSelect),
    /// INSERT.
    Insert(Insert),
    /// UPDATE.
    Update(Update),
    /// DELETE.
    Delete(Delete),
    /// DDL.
    Ddl(Ddl),
    /// Textual SQL.
    Text(TextClause),
}

macro_rules! statement_from {
    ($($t:ident => $v:ident),*) => {$(
        impl From<$t> for Statement {
            fn from(s: $t) -> Self {
                Statement::$v(s)
            }
        }
    )*};
}
statement_from!(Select => Select, CompoundSelect => Compound, Insert => Insert, Update => Update,
    Delete => Delete, Ddl => Ddl, TextClause => Text);

impl From<Query> for Statement {
    fn from(q: Query) -> Self {
        match q {
            Query::Select(s) => Statement::Select(*s),
            Query::Compound(c) => Statement::Compound(*c),
        }
    }
}

macro_rules! ddl_from {
    ($($t:ident),*) => {$(
        impl From<$t> for Statement {
            fn from(s: $t) -> Self {
                Statement::Ddl(Ddl::$t(s))
            }
        }
    )*};
}
ddl_from!(
    CreateTable,
    DropTable,
    CreateIndex,
    DropIndex,
    SetComment,
    CreateSequence,
    DropSequence
);
