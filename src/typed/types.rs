//! The SQL types of typed columns ([`table!`](crate::table)): each names the column's
//! [`SqlType`], the Rust type its values read as, and (through [`AsExpr`]) the Rust values it
//! is compared with and assigned.

use super::AsExpr;
use sqlcore_compiler::chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use sqlcore_compiler::rust_decimal::Decimal;
use sqlcore_compiler::{Expr, SqlType, Value, literal};
use std::marker::PhantomData;

/// A SQL type of a typed column.
pub trait SqlKind: 'static {
    /// The Rust type the column's values read as.
    type Rust;
    /// Whether the column takes NULL.
    const NULLABLE: bool;
    /// The column's type in the schema.
    fn sql_type() -> SqlType;
}

/// A column that takes NULL, its values `Option<S::Rust>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nullable<S>(PhantomData<S>);

impl<S: SqlKind> SqlKind for Nullable<S> {
    type Rust = Option<S::Rust>;
    const NULLABLE: bool = true;
    fn sql_type() -> SqlType {
        S::sql_type()
    }
}

/// An array of `S` (PostgreSQL's `INTEGER[]` for `Array<Integer>`), its values `Vec<S::Rust>`:
/// a NULL element reads only into `Array<Nullable<S>>` (`Vec<Option<…>>`), and into a `Vec` of
/// the type itself is a conversion error naming the column. An empty or absent value may need
/// its type named (`vec![] as Vec<&str>`, `None::<Vec<String>>`).
///
/// ```
/// use sqlcore::*;
///
/// sqlcore::table! { posts (id) { id -> Integer, tags -> Array<Text> } }
/// let tagged = select(posts::table).filter(posts::tags.eq(vec!["rust", "sql"]));
/// let sql = tagged.compile(&PostgreSQL)?.sql;
/// assert_eq!(sql, "SELECT posts.id, posts.tags FROM posts WHERE posts.tags = $1");
/// # Ok::<(), CompileError>(())
/// ```
///
/// Elements of another type do not compile:
///
/// ```compile_fail
/// sqlcore::table! { posts (id) { id -> Integer, tags -> Array<Text> } }
/// let wrong = posts::tags.eq(vec![1_i64]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Array<S>(PhantomData<S>);

impl<S: SqlKind> SqlKind for Array<S> {
    type Rust = Vec<S::Rust>;
    const NULLABLE: bool = false;
    fn sql_type() -> SqlType {
        SqlType::array(S::sql_type())
    }
}

impl<S: SqlKind, T: AsExpr<S>> AsExpr<Array<S>> for Vec<T>
where
    Vec<T>: Into<Value>,
{
    #[inline]
    fn into_expr(self) -> Expr {
        literal(self)
    }
}

impl<S: SqlKind, T: AsExpr<S>> AsExpr<Nullable<Array<S>>> for Vec<T>
where
    Vec<T>: Into<Value>,
{
    #[inline]
    fn into_expr(self) -> Expr {
        literal(self)
    }
}

impl<S: SqlKind, T: AsExpr<S>> AsExpr<Nullable<Array<S>>> for Option<Vec<T>>
where
    Vec<T>: Into<Value>,
{
    #[inline]
    fn into_expr(self) -> Expr {
        literal(self)
    }
}

macro_rules! sql_kinds {
    ($($(#[$doc:meta])* $kind:ident => $sql:expr, $rust:ty, accepts [$($accepted:ty),+];)+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $kind;

        impl SqlKind for $kind {
            type Rust = $rust;
            const NULLABLE: bool = false;
            fn sql_type() -> SqlType {
                $sql
            }
        }

        $(
            impl AsExpr<$kind> for $accepted {
                #[inline]
                fn into_expr(self) -> Expr {
                    self.into()
                }
            }

            impl AsExpr<Nullable<$kind>> for $accepted {
                #[inline]
                fn into_expr(self) -> Expr {
                    self.into()
                }
            }

            impl AsExpr<Nullable<$kind>> for Option<$accepted> {
                #[inline]
                fn into_expr(self) -> Expr {
                    self.into()
                }
            }
        )+
    )+};
}

sql_kinds! {
    /// `SMALLINT`, read as `i16`.
    SmallInt => SqlType::SmallInteger, i16, accepts [i16];
    /// `INTEGER`, read as `i64` (what every backend's integers widen to).
    Integer => SqlType::Integer, i64, accepts [i16, i32, i64];
    /// `BIGINT`, read as `i64`.
    BigInt => SqlType::BigInteger, i64, accepts [i16, i32, i64];
    /// Double precision (`FLOAT`), read as `f64`.
    Double => SqlType::Float, f64, accepts [f32, f64];
    /// `REAL`, read as `f32`.
    Real => SqlType::Real, f32, accepts [f32];
    /// `NUMERIC`, read as a [`Decimal`].
    Numeric => SqlType::Numeric(None, None), Decimal, accepts [Decimal];
    /// `TEXT`, read as `String`.
    Text => SqlType::Text, String, accepts [String, &str, &String];
    /// `BOOLEAN`, read as `bool`.
    Bool => SqlType::Boolean, bool, accepts [bool];
    /// `DATE`, read as a [`NaiveDate`].
    Date => SqlType::Date, NaiveDate, accepts [NaiveDate];
    /// `TIME`, read as a [`NaiveTime`].
    Time => SqlType::Time { precision: None }, NaiveTime, accepts [NaiveTime];
    /// `TIMESTAMP` without time zone, read as a [`NaiveDateTime`].
    Timestamp => SqlType::DateTime { timezone: false, precision: None }, NaiveDateTime,
        accepts [NaiveDateTime];
    /// `TIMESTAMP WITH TIME ZONE`, read as a `DateTime<Utc>`.
    Timestamptz => SqlType::DateTime { timezone: true, precision: None }, DateTime<Utc>,
        accepts [DateTime<Utc>];
    /// A UUID, read as a `uuid::Uuid`.
    Uuid => SqlType::Uuid, sqlcore_compiler::uuid::Uuid, accepts [sqlcore_compiler::uuid::Uuid];
    /// JSON, read as a `serde_json::Value`.
    Json => SqlType::Json, sqlcore_compiler::serde_json::Value,
        accepts [sqlcore_compiler::serde_json::Value];
    /// Binary data (`BYTEA`, `BLOB`), read as `Vec<u8>`.
    Binary => SqlType::LargeBinary, Vec<u8>, accepts [Vec<u8>, &[u8]];
    /// A time span (`INTERVAL`), read as an [`Interval`](sqlcore_compiler::Interval) (the
    /// value type of the same name: glob-import this module and `sqlcore::*` together, and
    /// name one of them by its path).
    Interval => SqlType::INTERVAL, sqlcore_compiler::Interval,
        accepts [sqlcore_compiler::Interval];
}
