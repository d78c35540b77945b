//! [`SqlType`]: the dialect-neutral column types.

use super::{DomainType, EnumType};

/// A column's SQL type, rendered per dialect by the compiler.
///
/// ```
/// use sqlcore_compiler::SqlType;
/// assert_eq!(SqlType::String(Some(20)).to_string(), "String(20)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SqlType {
    /// 16-bit integer.
    SmallInteger,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    BigInteger,
    /// A floating-point number, double precision (SQLAlchemy's `Float` without a precision):
    /// `FLOAT` on PostgreSQL (an alias of `DOUBLE PRECISION`, so it reflects as
    /// [`SqlType::Double`]) and SQLite, `DOUBLE` on MySQL (whose `FLOAT` is single precision,
    /// where SQLAlchemy would write `FLOAT`). Values are `f64`. For single precision use
    /// [`SqlType::Real`].
    Float,
    /// Double-precision float (SQLAlchemy's `Double`): `DOUBLE PRECISION` on PostgreSQL,
    /// `DOUBLE` elsewhere.
    Double,
    /// Exact numeric with optional precision and scale.
    Numeric(Option<u32>, Option<u32>),
    /// Variable-length string with an optional maximum length.
    String(Option<u32>),
    /// Unbounded text.
    Text,
    /// Boolean.
    Boolean,
    /// Calendar date.
    Date,
    /// Time of day.
    Time,
    /// Date and time, with or without time zone. On SQLite both kinds are stored as text in
    /// SQLAlchemy's format, `2024-03-01 12:30:15.000000` (an aware value as its UTC wall
    /// clock); see [`crate::datetime_text`].
    DateTime {
        /// Whether the value carries a time zone.
        timezone: bool,
    },
    /// A time span.
    Interval,
    /// Binary data.
    LargeBinary,
    /// UUID.
    Uuid,
    /// JSON (JSONB on PostgreSQL).
    Json,
    /// A type this project does not model, kept by its database name (e.g. from reflection).
    Other(String),
    /// Single-precision float (SQLAlchemy's `REAL`): `REAL` on PostgreSQL and SQLite (where
    /// it is stored as 8 bytes all the same), `FLOAT` on MySQL. Values are `f32`.
    Real,
    /// An enumerated type (see [`EnumType`]): a named type on PostgreSQL, `ENUM('a', …)` on
    /// MySQL, `VARCHAR(n)` (with an optional CHECK) elsewhere. Values are text.
    Enum(EnumType),
    /// A PostgreSQL domain (see [`DomainType`]); its base type on other dialects. Values are
    /// those of the base type.
    Domain(DomainType),
}

impl SqlType {
    /// Whether the type is one of the integer types.
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            SqlType::SmallInteger | SqlType::Integer | SqlType::BigInteger
        )
    }

    /// Whether values of this type are text.
    pub fn is_string(&self) -> bool {
        matches!(self, SqlType::String(_) | SqlType::Text)
    }
}

impl std::fmt::Display for SqlType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SqlType::Numeric(Some(p), Some(s)) => write!(f, "Numeric({p}, {s})"),
            SqlType::Numeric(Some(p), None) => write!(f, "Numeric({p})"),
            SqlType::String(Some(n)) => write!(f, "String({n})"),
            SqlType::DateTime { timezone: true } => f.write_str("DateTime(timezone)"),
            SqlType::Other(name) => write!(f, "Other({name})"),
            SqlType::Enum(e) => write!(f, "Enum({})", e.name()),
            SqlType::Domain(d) => write!(f, "Domain({})", d.name()),
            other => {
                let dbg = format!("{other:?}");
                f.write_str(dbg.split(['(', ' ']).next().unwrap_or(&dbg))
            }
        }
    }
}
