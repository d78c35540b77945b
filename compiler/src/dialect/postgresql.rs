//! The PostgreSQL dialect.

use super::{
    AutoincrementStyle, CommentStyle, Dialect, InListStyle, ParamStyle, UpdateFromStyle, keywords,
};
use crate::error::CompileError;
use crate::schema::SqlType;

/// PostgreSQL: `$n` parameters, `"` quoting, native ILIKE, DISTINCT ON, RETURNING, IN lists
/// as `= ANY($n)`, JSON as JSONB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PostgreSQL;

impl Dialect for PostgreSQL {
    fn name(&self) -> &'static str {
        "postgresql"
    }
    fn param_style(&self) -> ParamStyle {
        ParamStyle::Dollar
    }
    fn identifier_quote(&self) -> char {
        '"'
    }
    fn is_reserved_word(&self, lower: &str) -> bool {
        keywords::contains(keywords::POSTGRESQL, lower)
    }
    fn type_sql(&self, sql_type: &SqlType) -> Result<String, CompileError> {
        Ok(match sql_type {
            SqlType::SmallInteger => "SMALLINT".into(),
            SqlType::Integer => "INTEGER".into(),
            SqlType::BigInteger => "BIGINT".into(),
            SqlType::Float => "REAL".into(),
            SqlType::Double => "DOUBLE PRECISION".into(),
            SqlType::Numeric(p, s) => numeric("NUMERIC", *p, *s),
            SqlType::String(Some(n)) => format!("VARCHAR({n})"),
            SqlType::String(None) => "VARCHAR".into(),
            SqlType::Text => "TEXT".into(),
            SqlType::Boolean => "BOOLEAN".into(),
            SqlType::Date => "DATE".into(),
            SqlType::Time => "TIME WITHOUT TIME ZONE".into(),
            SqlType::DateTime { timezone: false } => "TIMESTAMP WITHOUT TIME ZONE".into(),
            SqlType::DateTime { timezone: true } => "TIMESTAMP WITH TIME ZONE".into(),
            SqlType::Interval => "INTERVAL".into(),
            SqlType::LargeBinary => "BYTEA".into(),
            SqlType::Uuid => "UUID".into(),
            SqlType::Json => "JSONB".into(),
            SqlType::Other(name) => other_type(name, self.name())?,
        })
    }
    fn in_list_style(&self) -> InListStyle {
        InListStyle::AnyArray
    }
    fn supports_returning(&self) -> bool {
        true
    }
    fn supports_distinct_on(&self) -> bool {
        true
    }
    fn supports_ilike(&self) -> bool {
        true
    }
    fn supports_nulls_order(&self) -> bool {
        true
    }
    fn supports_full_join(&self) -> bool {
        true
    }
    fn supports_for_update(&self) -> bool {
        true
    }
    fn supports_set_op_all(&self) -> bool {
        true
    }
    fn supports_on_conflict(&self) -> bool {
        true
    }
    fn supports_partial_indexes(&self) -> bool {
        true
    }
    fn comment_style(&self) -> CommentStyle {
        CommentStyle::Statements
    }
    fn autoincrement_style(&self) -> AutoincrementStyle {
        AutoincrementStyle::Serial
    }
    fn update_from_style(&self) -> Option<UpdateFromStyle> {
        Some(UpdateFromStyle::From)
    }
    fn bytes_literal(&self, bytes: &[u8]) -> String {
        let mut out = String::from("'\\x");
        for b in bytes {
            out.push_str(&format!("{b:02x}"));
        }
        out.push_str("'::bytea");
        out
    }
}

/// `NAME(p, s)`, `NAME(p)` or `NAME`.
pub(crate) fn numeric(name: &str, p: Option<u32>, s: Option<u32>) -> String {
    match (p, s) {
        (Some(p), Some(s)) => format!("{name}({p}, {s})"),
        (Some(p), None) => format!("{name}({p})"),
        _ => name.to_owned(),
    }
}

/// An unmodelled type's name, written as given when it is a plain type name such as
/// `CIDR`, `VARCHAR(10)[]` or `DOUBLE PRECISION`; anything else could inject SQL.
pub(crate) fn other_type(name: &str, dialect: &'static str) -> Result<String, CompileError> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " _(),[].".contains(c))
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    if ok {
        Ok(name.to_owned())
    } else {
        Err(CompileError::unsupported(
            format!("the type name {name:?}"),
            dialect,
        ))
    }
}
