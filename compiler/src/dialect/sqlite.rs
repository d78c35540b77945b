//! The SQLite dialect.

use super::{
    AutoincrementStyle, CommentStyle, Dialect, DivisionStyle, IdentifierLength, JsonAccessStyle,
    ParamStyle, UpdateFromStyle, common_type_sql, keywords,
};
use crate::datetime_text;
use crate::error::CompileError;
use crate::schema::SqlType;
use crate::value::Value;

/// SQLite (3.39 or later): `?NNN` parameters, `"` quoting, RETURNING, ON CONFLICT,
/// `INTEGER PRIMARY KEY` autoincrement; no ILIKE, FOR UPDATE or DISTINCT ON. Dates and times
/// are text in SQLAlchemy's storage format (see [`crate::datetime_text`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SQLite;

impl Dialect for SQLite {
    fn name(&self) -> &'static str {
        "sqlite"
    }
    fn param_style(&self) -> ParamStyle {
        ParamStyle::NumberedQuestion
    }
    fn identifier_quote(&self) -> char {
        '"'
    }
    fn max_identifier_length(&self) -> IdentifierLength {
        IdentifierLength::Unlimited
    }
    fn is_reserved_word(&self, lower: &str) -> bool {
        keywords::SQLITE_WORDS.contains(lower)
    }
    fn type_sql(&self, sql_type: &SqlType) -> Result<String, CompileError> {
        if let Some(common) = common_type_sql(self, sql_type, self.name())? {
            return Ok(common);
        }
        Ok(match sql_type {
            SqlType::Float => "FLOAT".into(),
            SqlType::Real => "REAL".into(),
            SqlType::Double => "DOUBLE".into(),
            SqlType::String(_) => "VARCHAR".into(),
            SqlType::Boolean => "BOOLEAN".into(),
            // SQLite stores text: a precision is not written.
            SqlType::Time { .. } => "TIME".into(),
            SqlType::DateTime {
                timezone: false, ..
            } => "DATETIME".into(),
            SqlType::DateTime { timezone: true, .. } => "TIMESTAMP".into(),
            SqlType::Interval { .. } => "INTERVAL".into(),
            SqlType::LargeBinary => "BLOB".into(),
            SqlType::Uuid => "UUID".into(),
            SqlType::Json => "JSON".into(),
            SqlType::Array { item, dimensions } => super::array_type_sql(self, item, *dimensions)?,
            other => {
                return Err(CompileError::unsupported(
                    format!("the type {other}"),
                    self.name(),
                ));
            }
        })
    }
    fn datetime_text(&self, value: &Value) -> Option<String> {
        datetime_text::storage_text(value, None)
    }
    fn cast_type_sql(&self, sql_type: &SqlType) -> Result<String, CompileError> {
        // CAST uses storage classes: a cast to DATETIME would yield a number.
        Ok(match sql_type {
            SqlType::SmallInteger | SqlType::Integer | SqlType::BigInteger | SqlType::Boolean => {
                "INTEGER".into()
            }
            SqlType::Float | SqlType::Double | SqlType::Real => "REAL".into(),
            SqlType::Numeric(..) => "NUMERIC".into(),
            SqlType::LargeBinary => "BLOB".into(),
            SqlType::Other(_) => self.type_sql(sql_type)?,
            SqlType::Array { .. } => self.type_sql(sql_type)?,
            SqlType::Domain(d) => self.cast_type_sql(d.base())?,
            SqlType::Custom(c) => self.cast_type_sql(c.impl_type())?,
            _ => "TEXT".into(),
        })
    }
    fn supports_returning(&self) -> bool {
        true
    }
    fn supports_nulls_order(&self) -> bool {
        true
    }
    fn supports_full_join(&self) -> bool {
        true
    }
    fn supports_for_update(&self) -> bool {
        false
    }
    fn json_access_style(&self) -> JsonAccessStyle {
        JsonAccessStyle::ExtractQuoteJson
    }
    fn supports_lateral(&self) -> bool {
        false
    }
    fn supports_set_op_all(&self) -> bool {
        false
    }
    fn supports_on_conflict(&self) -> bool {
        true
    }
    fn supports_partial_indexes(&self) -> bool {
        true
    }
    fn max_parameters(&self) -> usize {
        32_766
    }
    fn index_name_carries_schema(&self) -> bool {
        true
    }
    fn qualifies_references(&self) -> bool {
        false
    }
    fn parenthesize_compound_members(&self) -> bool {
        false
    }
    fn limit_for_offset_only(&self) -> Option<&'static str> {
        Some("-1")
    }
    fn now_sql(&self) -> &'static str {
        "CURRENT_TIMESTAMP"
    }
    fn bool_literals(&self) -> (&'static str, &'static str) {
        ("1", "0")
    }
    fn comment_style(&self) -> CommentStyle {
        CommentStyle::Unsupported
    }
    fn autoincrement_style(&self) -> AutoincrementStyle {
        AutoincrementStyle::IntegerPrimaryKey
    }
    fn update_from_style(&self) -> Option<UpdateFromStyle> {
        Some(UpdateFromStyle::From)
    }
    fn tokenizer_dialect(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::SQLiteDialect {})
    }
    fn upsert_select_needs_where(&self) -> bool {
        true
    }
    fn supports_default_values_upsert(&self) -> bool {
        false
    }
    fn supports_floor(&self) -> bool {
        false
    }
    fn division_style(&self) -> DivisionStyle {
        DivisionStyle::FloatDivisor
    }
    fn extract_format(&self, field: &str) -> Result<Option<&'static str>, CompileError> {
        // SQLAlchemy's SQLite `extract_map`.
        Ok(Some(match field {
            "year" => "%Y",
            "month" => "%m",
            "day" => "%d",
            "hour" => "%H",
            "minute" => "%M",
            "second" => "%S",
            "doy" => "%j",
            "dow" => "%w",
            "week" => "%W",
            "epoch" => "%s",
            _ => {
                return Err(CompileError::unsupported(
                    format!("EXTRACT of {field:?}"),
                    self.name(),
                ));
            }
        }))
    }
}
