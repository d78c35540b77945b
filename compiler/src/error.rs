//! [`CompileError`]: everything that can go wrong while building or rendering a statement.

/// A statement could not be built or rendered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CompileError {
    /// The dialect cannot express a construct.
    #[error("{construct} is not supported by the {dialect} dialect")]
    Unsupported {
        /// What was asked for, e.g. "RETURNING".
        construct: String,
        /// The dialect's name.
        dialect: &'static str,
    },
    /// A column name that the table, alias or subquery does not have.
    #[error("{source_name} has no column named {column:?}")]
    NoSuchColumn {
        /// The table, alias or subquery searched.
        source_name: String,
        /// The name asked for.
        column: String,
    },
    /// A table definition is inconsistent.
    #[error("table {table:?} is invalid: {reason}")]
    InvalidTable {
        /// The table's name.
        table: String,
        /// What is wrong.
        reason: String,
    },
    /// A second table of the same name was added to a `MetaData`.
    #[error("table {name:?} is already defined in this MetaData")]
    DuplicateTable {
        /// The table's full name.
        name: String,
    },
    /// A join without ON found no foreign key between the two sides.
    #[error("can't find any foreign key relationships between {left:?} and {right:?}")]
    NoForeignKey {
        /// Left side of the join.
        left: String,
        /// Right side of the join.
        right: String,
    },
    /// A join without ON found several foreign keys between the two sides.
    #[error(
        "can't determine the join between {left:?} and {right:?}: there are {count} foreign keys; give the ON clause explicitly"
    )]
    AmbiguousForeignKey {
        /// Left side of the join.
        left: String,
        /// Right side of the join.
        right: String,
        /// How many candidate foreign keys were found.
        count: usize,
    },
    /// Foreign keys form a cycle, so no creation order exists.
    #[error("foreign keys form a cycle between tables {tables:?}")]
    DependencyCycle {
        /// The tables on the cycle.
        tables: Vec<String>,
    },
    /// A named parameter has no value.
    #[error("a value is required for bind parameter {name:?}")]
    MissingParameter {
        /// The parameter's name.
        name: String,
    },
    /// An identifier is longer than the dialect allows (the database would silently shorten
    /// it, or refuse it).
    #[error(
        "identifier {identifier:?} is {length} {unit} long: the {dialect} dialect allows at most {max} {unit}"
    )]
    IdentifierTooLong {
        /// The identifier, in full.
        identifier: String,
        /// The dialect's name.
        dialect: &'static str,
        /// Its length, in `unit`s.
        length: usize,
        /// The dialect's limit, in `unit`s.
        max: usize,
        /// What the lengths count: `"bytes"` (PostgreSQL) or `"characters"` (MySQL).
        unit: &'static str,
    },
    /// A value bound to an enum is not one of its values (SQLAlchemy's `LookupError`); it is
    /// refused before the database sees it.
    #[error("{value} is not among the values of enum {type_name}: {allowed:?}")]
    InvalidEnumValue {
        /// The enum's name.
        type_name: String,
        /// The value refused (quoted text, or its kind).
        value: String,
        /// The enum's values.
        allowed: Vec<String>,
    },
    /// A user type's [`process_bind_param`](crate::TypeDecorator::process_bind_param)
    /// refused a value bound to it.
    #[error(transparent)]
    TypeConversion(#[from] crate::compile::TypeConversionError),
    /// A statement is malformed (an empty SELECT, an INSERT row with other columns, ...).
    #[error("{0}")]
    InvalidStatement(String),
    /// A statement has more bound parameters than the database's protocol carries; it is
    /// refused before it is sent.
    #[error(
        "the statement has {count} bound parameters; {dialect} takes at most {limit} in one statement (pass a list as one array parameter, or split the work)"
    )]
    TooManyParameters {
        /// The statement's parameters.
        count: usize,
        /// The dialect's limit ([`Dialect::max_parameters`](crate::Dialect::max_parameters)).
        limit: usize,
        /// The dialect's name.
        dialect: &'static str,
    },
}

impl CompileError {
    /// Shorthand for [`CompileError::Unsupported`].
    pub fn unsupported(construct: impl Into<String>, dialect: &'static str) -> Self {
        CompileError::Unsupported {
            construct: construct.into(),
            dialect,
        }
    }

    /// Shorthand for [`CompileError::InvalidStatement`].
    pub fn invalid(message: impl Into<String>) -> Self {
        CompileError::InvalidStatement(message.into())
    }
}
