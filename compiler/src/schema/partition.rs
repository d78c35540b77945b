//! Table partitioning (PostgreSQL's declarative partitioning): a partitioned table's
//! [`PartitionBy`] key, and a partition's [`PartitionOf`] parent and [`PartitionBound`].

use crate::schema::IndexElement;
use crate::value::Value;

/// How rows are distributed among partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartitionStrategy {
    /// `PARTITION BY RANGE`: each partition holds a range of key values.
    Range,
    /// `PARTITION BY LIST`: each partition holds listed key values.
    List,
    /// `PARTITION BY HASH`: rows are spread by a hash of the key.
    Hash,
}

impl PartitionStrategy {
    /// The SQL keyword.
    pub fn as_sql(self) -> &'static str {
        match self {
            PartitionStrategy::Range => "RANGE",
            PartitionStrategy::List => "LIST",
            PartitionStrategy::Hash => "HASH",
        }
    }
}

/// The partition key of a partitioned table (`PARTITION BY RANGE (created)`).
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionBy {
    /// The strategy.
    pub strategy: PartitionStrategy,
    /// Key columns or expressions (rendered as index elements are).
    pub keys: Vec<IndexElement>,
}

/// One end of a range partition's bound.
#[derive(Debug, Clone, PartialEq)]
pub enum RangeValue {
    /// A value, written as a literal.
    Value(Value),
    /// `MINVALUE`.
    MinValue,
    /// `MAXVALUE`.
    MaxValue,
}

impl<T: Into<Value>> From<T> for RangeValue {
    fn from(v: T) -> Self {
        RangeValue::Value(v.into())
    }
}

/// The rows a partition holds (what follows `PARTITION OF parent`).
#[derive(Debug, Clone, PartialEq)]
pub enum PartitionBound {
    /// `FOR VALUES FROM (from) TO (to)`: one value per key column, `to` excluded.
    Range {
        /// The lower bound (included).
        from: Vec<RangeValue>,
        /// The upper bound (excluded).
        to: Vec<RangeValue>,
    },
    /// `FOR VALUES IN (values)`.
    List(Vec<Value>),
    /// `FOR VALUES WITH (MODULUS m, REMAINDER r)`.
    Hash {
        /// The number of hash partitions.
        modulus: u32,
        /// This partition's remainder.
        remainder: u32,
    },
    /// `DEFAULT`: the rows no other partition takes.
    Default,
    /// What follows `FOR VALUES`, as the database writes it (`FROM ('a') TO ('b')`); trusted
    /// SQL text, as reflection reads it.
    Sql(String),
}

impl PartitionBound {
    /// `FOR VALUES FROM (from) TO (to)` with a single-column key.
    pub fn range(from: impl Into<RangeValue>, to: impl Into<RangeValue>) -> Self {
        PartitionBound::Range {
            from: vec![from.into()],
            to: vec![to.into()],
        }
    }

    /// `FOR VALUES IN (values)`.
    pub fn list<V: Into<Value>>(values: impl IntoIterator<Item = V>) -> Self {
        PartitionBound::List(values.into_iter().map(Into::into).collect())
    }

    /// `FOR VALUES WITH (MODULUS modulus, REMAINDER remainder)`.
    pub fn hash(modulus: u32, remainder: u32) -> Self {
        PartitionBound::Hash { modulus, remainder }
    }
}

/// A partition's parent and bound (`CREATE TABLE p PARTITION OF parent FOR VALUES …`).
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionOf {
    /// The parent's schema; `None` for the default schema.
    pub parent_schema: Option<String>,
    /// The parent's name.
    pub parent: String,
    /// The rows this partition holds.
    pub bound: PartitionBound,
}
