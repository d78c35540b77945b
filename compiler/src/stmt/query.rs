//! [`Query`]: a SELECT or a compound SELECT, wherever a query can stand.

use crate::compile::ResultColumn;
use crate::error::CompileError;
use crate::stmt::{CompoundSelect, Select};

/// A query: a plain or compound SELECT.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// A SELECT.
    Select(Box<Select>),
    /// UNION / INTERSECT / EXCEPT.
    Compound(Box<CompoundSelect>),
}

impl Query {
    /// The columns the query yields: names and, where known, types.
    pub fn result_columns(&self) -> Result<Vec<ResultColumn>, CompileError> {
        match self {
            Query::Select(s) => s.result_columns(),
            Query::Compound(c) => c.result_columns(),
        }
    }
}

impl From<Select> for Query {
    fn from(s: Select) -> Self {
        Query::Select(Box::new(s))
    }
}

impl From<CompoundSelect> for Query {
    fn from(c: CompoundSelect) -> Self {
        Query::Compound(Box::new(c))
    }
}
