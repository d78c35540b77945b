//! The PostgreSQL dialect.

use super::{
    AutoincrementStyle, CommentStyle, Dialect, IdentifierLength, InListStyle, JsonAccessStyle,
    ParamStyle, UpdateFromStyle, common_type_sql, keywords,
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
    fn max_identifier_length(&self) -> IdentifierLength {
        IdentifierLength::Bytes(63)
    }
    fn is_reserved_word(&self, lower: &str) -> bool {
        keywords::POSTGRESQL_WORDS.contains(lower)
    }
    fn type_sql(&self, sql_type: &SqlType) -> Result<String, CompileError> {
        if let Some(common) = common_type_sql(self, sql_type, self.name())? {
            return Ok(common);
        }
        Ok(match sql_type {
            SqlType::Float => "FLOAT".into(),
            SqlType::Real => "REAL".into(),
            SqlType::Double => "DOUBLE PRECISION".into(),
            SqlType::String(_) => "VARCHAR".into(),
            SqlType::Boolean => "BOOLEAN".into(),
            SqlType::Time { precision } => {
                format!(
                    "TIME{} WITHOUT TIME ZONE",
                    super::precision_sql(*precision)?
                )
            }
            SqlType::DateTime {
                timezone,
                precision,
            } => format!(
                "TIMESTAMP{} {} TIME ZONE",
                super::precision_sql(*precision)?,
                if *timezone { "WITH" } else { "WITHOUT" }
            ),
            SqlType::Interval { precision } => {
                format!("INTERVAL{}", super::precision_sql(*precision)?)
            }
            SqlType::LargeBinary => "BYTEA".into(),
            SqlType::Uuid => "UUID".into(),
            SqlType::Json => "JSONB".into(),
            SqlType::Array { item, dimensions } => super::array_type_sql(self, item, *dimensions)?,
            other => {
                return Err(CompileError::unsupported(
                    format!("the type {other}"),
                    self.name(),
                ));
            }
        })
    }
    fn implicit_returning(&self) -> bool {
        true
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
    fn json_access_style(&self) -> JsonAccessStyle {
        JsonAccessStyle::Arrows
    }
    fn supports_arrays(&self) -> bool {
        true
    }
    fn full_text_style(&self) -> super::FullTextStyle {
        super::FullTextStyle::TsQuery
    }
    fn supports_text_search_types(&self) -> bool {
        true
    }
    fn supports_jsonb_operators(&self) -> bool {
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
    fn supports_index_method(&self, _method: &crate::schema::IndexMethod) -> bool {
        true
    }
    fn supports_index_opclass(&self) -> bool {
        true
    }
    fn supports_index_nulls_order(&self) -> bool {
        true
    }
    fn supports_index_include(&self) -> bool {
        true
    }
    fn supports_index_storage_params(&self) -> bool {
        true
    }
    fn supports_index_concurrently(&self) -> bool {
        true
    }
    fn supports_partitioning(&self) -> bool {
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
    fn tokenizer_dialect(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::PostgreSqlDialect {})
    }
    fn quote_string(&self, s: &str) -> Result<String, CompileError> {
        if s.contains('\0') {
            return Err(CompileError::invalid(
                "a string literal contains a NUL character",
            ));
        }
        // E'' strings read backslashes the same whatever standard_conforming_strings says.
        let escaped = s.replace('\'', "''");
        Ok(if s.contains('\\') {
            format!("E'{}'", escaped.replace('\\', "\\\\"))
        } else {
            format!("'{escaped}'")
        })
    }
    fn enum_style(&self) -> super::EnumStyle {
        super::EnumStyle::CreateType
    }
    fn supports_domains(&self) -> bool {
        true
    }
    fn delete_using_style(&self) -> Option<super::DeleteUsingStyle> {
        Some(super::DeleteUsingStyle::Using)
    }
    fn supports_between_symmetric(&self) -> bool {
        true
    }
    fn supports_sequences(&self) -> bool {
        true
    }
    fn sequences_optional(&self) -> bool {
        true
    }
    fn computed_requires_stored(&self) -> bool {
        true
    }
}
