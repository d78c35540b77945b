//! [`SqlType`]: the dialect-neutral column types.

use super::{CustomType, DomainType, EnumType};

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
    /// Fixed-length string (SQLAlchemy's `CHAR`): `CHAR(n)` on every dialect (`CHAR`, one
    /// character, without a length). Bound and read as text; PostgreSQL and MySQL keep the
    /// value blank-padded to `n` — PostgreSQL returns it padded (as SQLAlchemy does), MySQL
    /// strips the padding when read — and SQLite stores the text as given.
    Char(Option<u32>),
    /// Unbounded text.
    Text,
    /// Boolean.
    Boolean,
    /// Calendar date.
    Date,
    /// Time of day, with an optional fractional-seconds precision (SQLAlchemy's
    /// `TIME(precision=…)`): `TIME(0) WITHOUT TIME ZONE` on PostgreSQL, `TIME(3)` on MySQL;
    /// SQLite, which stores text, ignores it.
    Time {
        /// Digits of fractional seconds kept (0–6); `None` is the database's default.
        precision: Option<u32>,
    },
    /// Date and time, with or without time zone. On SQLite both kinds are stored as text in
    /// SQLAlchemy's format, `2024-03-01 12:30:15.000000` (an aware value as its UTC wall
    /// clock); see [`crate::datetime_text`].
    DateTime {
        /// Whether the value carries a time zone.
        timezone: bool,
        /// Digits of fractional seconds kept (0–6, SQLAlchemy's `TIMESTAMP(precision=…)`):
        /// `TIMESTAMP(3) WITH TIME ZONE` on PostgreSQL, `DATETIME(6)` on MySQL; ignored on
        /// SQLite. `None` is the database's default (microseconds on PostgreSQL, whole
        /// seconds on MySQL).
        precision: Option<u32>,
    },
    /// A time span, with an optional fractional-seconds precision (`INTERVAL(3)`,
    /// PostgreSQL).
    Interval {
        /// Digits of fractional seconds kept (0–6); `None` is the default.
        precision: Option<u32>,
    },
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
    /// An array of `item` values (SQLAlchemy's `ARRAY(item_type, dimensions=…)`), PostgreSQL
    /// only: `INTEGER[]`, `TEXT[][]` for two dimensions. Compiling it for a dialect without
    /// arrays ([`Dialect::supports_arrays`](crate::Dialect::supports_arrays)) is a
    /// [`CompileError::Unsupported`](crate::CompileError::Unsupported), as SQLAlchemy fails
    /// there. Values are [`Value::Array`](crate::Value::Array), nested once per dimension.
    ///
    /// ```
    /// use sqlcore_compiler::{Dialect, PostgreSQL, SQLite, SqlType};
    /// let grid = SqlType::array(SqlType::Integer).dimensions(2);
    /// assert_eq!(PostgreSQL.type_sql(&grid).unwrap(), "INTEGER[][]");
    /// assert_eq!(grid.to_string(), "Array(Integer, 2)");
    /// assert!(SQLite.type_sql(&grid).is_err());
    /// ```
    Array {
        /// The element type (never itself an array: use `dimensions`).
        item: Box<SqlType>,
        /// The number of dimensions when declared (`None`: one, as written in DDL).
        dimensions: Option<u32>,
    },
    /// An enumerated type (see [`EnumType`]): a named type on PostgreSQL, `ENUM('a', …)` on
    /// MySQL, `VARCHAR(n)` (with an optional CHECK) elsewhere. Values are text.
    Enum(EnumType),
    /// A PostgreSQL domain (see [`DomainType`]); its base type on other dialects. Values are
    /// those of the base type.
    Domain(DomainType),
    /// PostgreSQL's `TSVECTOR`, a document prepared for full text search (SQLAlchemy's
    /// `postgresql.TSVECTOR`, PostgreSQL only: compiling it for another dialect is a
    /// [`CompileError::Unsupported`](crate::CompileError::Unsupported)). Bound and read in
    /// its text form, `'a':1 'cat':3 'fat':2`.
    TsVector,
    /// PostgreSQL's `TSQUERY`, a full text query (`'fat' & 'cat'`); PostgreSQL only, bound
    /// and read as text, as [`SqlType::TsVector`].
    TsQuery,
    /// A user type (SQLAlchemy's `TypeDecorator`; see
    /// [`TypeDecorator`](crate::TypeDecorator)): rendered, bound and read as its
    /// implementation type.
    Custom(CustomType),
}

impl SqlType {
    /// Whether the type is one of the integer types.
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            SqlType::SmallInteger | SqlType::Integer | SqlType::BigInteger
        )
    }

    /// A one-dimensional array of `item` (see [`SqlType::Array`]).
    pub fn array(item: SqlType) -> SqlType {
        SqlType::Array {
            item: Box::new(item),
            dimensions: None,
        }
    }

    /// This array type with `n` dimensions; any other type is returned unchanged.
    pub fn dimensions(self, n: u32) -> SqlType {
        match self {
            SqlType::Array { item, .. } => SqlType::Array {
                item,
                dimensions: Some(n),
            },
            other => other,
        }
    }

    /// The element type of an array type, `None` for any other type.
    pub fn array_item(&self) -> Option<&SqlType> {
        match self {
            SqlType::Array { item, .. } => Some(item),
            _ => None,
        }
    }

    /// `DateTime` without a time zone (SQLAlchemy's `DateTime()`), the database's precision.
    pub const DATETIME: SqlType = SqlType::DateTime {
        timezone: false,
        precision: None,
    };
    /// `DateTime(timezone=True)`, the database's precision.
    pub const DATETIME_TZ: SqlType = SqlType::DateTime {
        timezone: true,
        precision: None,
    };
    /// `Time`, the database's precision.
    pub const TIME: SqlType = SqlType::Time { precision: None };
    /// `Interval`, the database's precision.
    pub const INTERVAL: SqlType = SqlType::Interval { precision: None };

    /// The fractional-seconds precision of a time type (`None` for any other type, or the
    /// default).
    pub fn time_precision(&self) -> Option<u32> {
        match self {
            SqlType::DateTime { precision, .. }
            | SqlType::Time { precision }
            | SqlType::Interval { precision } => *precision,
            _ => None,
        }
    }

    /// Whether values of this type are text.
    pub fn is_string(&self) -> bool {
        matches!(self, SqlType::String(_) | SqlType::Char(_) | SqlType::Text)
    }
}

impl std::fmt::Display for SqlType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SqlType::Numeric(Some(p), Some(s)) => write!(f, "Numeric({p}, {s})"),
            SqlType::Numeric(Some(p), None) => write!(f, "Numeric({p})"),
            SqlType::String(Some(n)) => write!(f, "String({n})"),
            SqlType::Char(Some(n)) => write!(f, "Char({n})"),
            SqlType::DateTime {
                timezone,
                precision,
            } => {
                f.write_str("DateTime")?;
                match (timezone, precision) {
                    (false, None) => Ok(()),
                    (true, None) => f.write_str("(timezone)"),
                    (false, Some(p)) => write!(f, "(precision {p})"),
                    (true, Some(p)) => write!(f, "(timezone, precision {p})"),
                }
            }
            SqlType::Time { precision: Some(p) } => write!(f, "Time({p})"),
            SqlType::Interval { precision: Some(p) } => write!(f, "Interval({p})"),
            SqlType::Other(name) => write!(f, "Other({name})"),
            SqlType::Array {
                item,
                dimensions: None,
            } => write!(f, "Array({item})"),
            SqlType::Array {
                item,
                dimensions: Some(n),
            } => write!(f, "Array({item}, {n})"),
            SqlType::Enum(e) => write!(f, "Enum({})", e.name()),
            SqlType::Domain(d) => write!(f, "Domain({})", d.name()),
            SqlType::Custom(c) => write!(f, "Custom({})", c.name()),
            other => {
                let dbg = format!("{other:?}");
                f.write_str(dbg.split(['(', ' ']).next().unwrap_or(&dbg))
            }
        }
    }
}
