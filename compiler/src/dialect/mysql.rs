//! The MySQL dialect.

use super::numeric;
use super::{
    AutoincrementStyle, CommentStyle, Dialect, DistinctFromStyle, IdentifierLength,
    JsonAccessStyle, ParamStyle, UpdateFromStyle, common_type_sql, keywords,
};
use crate::error::CompileError;
use crate::schema::SqlType;

/// MySQL (8.0.31 or later): `?` parameters (or `%s` with [`MySQL::format`]), backtick
/// quoting, `ON DUPLICATE KEY UPDATE`, `AUTO_INCREMENT`; no RETURNING, FULL JOIN, DISTINCT ON
/// or NULLS FIRST/LAST.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MySQL {
    /// Use `%s` placeholders instead of `?`.
    pub format_params: bool,
}

impl MySQL {
    /// MySQL with `%s` placeholders.
    pub fn format() -> Self {
        MySQL {
            format_params: true,
        }
    }
}

/// `MySQL` with `?` placeholders, usable as `&MySQL` like the unit dialects.
#[allow(non_upper_case_globals)]
pub const MySQL: MySQL = MySQL {
    format_params: false,
};

impl Dialect for MySQL {
    fn name(&self) -> &'static str {
        "mysql"
    }
    fn param_style(&self) -> ParamStyle {
        if self.format_params {
            ParamStyle::Format
        } else {
            ParamStyle::Question
        }
    }
    fn identifier_quote(&self) -> char {
        '`'
    }
    fn max_identifier_length(&self) -> IdentifierLength {
        IdentifierLength::Chars(64)
    }
    fn is_reserved_word(&self, lower: &str) -> bool {
        keywords::MYSQL_WORDS.contains(lower)
    }
    fn enum_style(&self) -> super::EnumStyle {
        super::EnumStyle::Inline
    }
    fn type_sql(&self, sql_type: &SqlType) -> Result<String, CompileError> {
        type_sql(self, sql_type)
    }
    fn cast_type_sql(&self, sql_type: &SqlType) -> Result<String, CompileError> {
        cast_type_sql(self, sql_type)
    }
    fn supports_returning(&self) -> bool {
        false
    }
    fn supports_nulls_order(&self) -> bool {
        false
    }
    fn supports_full_join(&self) -> bool {
        false
    }
    fn supports_for_update(&self) -> bool {
        true
    }
    fn full_text_style(&self) -> super::FullTextStyle {
        super::FullTextStyle::MatchAgainst
    }
    fn json_access_style(&self) -> JsonAccessStyle {
        JsonAccessStyle::ExtractUnquoteText
    }
    fn supports_window_groups(&self) -> bool {
        false
    }
    fn supports_set_op_all(&self) -> bool {
        true
    }
    fn supports_on_conflict(&self) -> bool {
        false
    }
    fn supports_on_duplicate_key(&self) -> bool {
        true
    }
    fn supports_on_update_default(&self) -> bool {
        true
    }
    fn supports_default_values(&self) -> bool {
        false
    }
    fn supports_partial_indexes(&self) -> bool {
        false
    }
    fn supports_index_method(&self, method: &crate::schema::IndexMethod) -> bool {
        matches!(
            method,
            crate::schema::IndexMethod::Btree | crate::schema::IndexMethod::Hash
        )
    }
    fn index_using_after_columns(&self) -> bool {
        true
    }
    fn supports_index_prefix_length(&self) -> bool {
        true
    }
    fn supports_create_index_if_not_exists(&self) -> bool {
        false
    }
    fn drop_index_names_table(&self) -> bool {
        true
    }
    fn limit_for_offset_only(&self) -> Option<&'static str> {
        Some("18446744073709551615")
    }
    fn concat_is_function(&self) -> bool {
        true
    }
    fn distinct_from_style(&self) -> DistinctFromStyle {
        DistinctFromStyle::NullSafeEq
    }
    fn comment_style(&self) -> CommentStyle {
        CommentStyle::Inline
    }
    fn autoincrement_style(&self) -> AutoincrementStyle {
        AutoincrementStyle::AutoIncrementKeyword
    }
    fn update_from_style(&self) -> Option<UpdateFromStyle> {
        Some(UpdateFromStyle::MultiTable)
    }
    fn backslash_escapes(&self) -> bool {
        true
    }
    fn tokenizer_dialect(&self) -> Box<dyn sqlparser::dialect::Dialect> {
        Box::new(sqlparser::dialect::MySqlDialect {})
    }
    fn delete_using_style(&self) -> Option<super::DeleteUsingStyle> {
        Some(super::DeleteUsingStyle::UsingWithTarget)
    }
    fn division_style(&self) -> super::DivisionStyle {
        super::DivisionStyle::Exact
    }
    fn supports_aggregate_filter(&self) -> bool {
        false
    }
}

/// The DDL name of `sql_type` on MySQL and MariaDB (`d`, for its name in errors).
pub(super) fn type_sql(d: &dyn Dialect, sql_type: &SqlType) -> Result<String, CompileError> {
    if let Some(common) = common_type_sql(d, sql_type, d.name())? {
        return Ok(common);
    }
    Ok(match sql_type {
        // MySQL's FLOAT is single precision.
        SqlType::Float | SqlType::Double => "DOUBLE".into(),
        SqlType::Real => "FLOAT".into(),
        SqlType::String(_) => {
            return Err(CompileError::unsupported(
                "VARCHAR without a length",
                d.name(),
            ));
        }
        SqlType::Boolean => "BOOL".into(),
        SqlType::Time { precision } => format!("TIME{}", super::precision_sql(*precision)?),
        SqlType::DateTime {
            timezone,
            precision,
        } => format!(
            "{}{}",
            if *timezone { "TIMESTAMP" } else { "DATETIME" },
            super::precision_sql(*precision)?
        ),
        SqlType::Interval { .. } => {
            return Err(CompileError::unsupported("the Interval type", d.name()));
        }
        SqlType::LargeBinary => "BLOB".into(),
        SqlType::Uuid => "CHAR(36)".into(),
        SqlType::Json => "JSON".into(),
        SqlType::Array { item, dimensions } => super::array_type_sql(d, item, *dimensions)?,
        other => {
            return Err(CompileError::unsupported(
                format!("the type {other}"),
                d.name(),
            ));
        }
    })
}
/// The name of `sql_type` in a CAST on MySQL and MariaDB, which accept only a few.
pub(super) fn cast_type_sql(d: &dyn Dialect, sql_type: &SqlType) -> Result<String, CompileError> {
    // MySQL's CAST accepts only a few target types.
    Ok(match sql_type {
        SqlType::SmallInteger | SqlType::Integer | SqlType::BigInteger | SqlType::Boolean => {
            "SIGNED".into()
        }
        SqlType::Float | SqlType::Double => "DOUBLE".into(),
        SqlType::Real => "FLOAT".into(),
        SqlType::Numeric(p, s) => numeric("DECIMAL", *p, *s),
        SqlType::String(Some(n)) | SqlType::Char(Some(n)) => format!("CHAR({n})"),
        SqlType::String(None) | SqlType::Char(None) | SqlType::Text | SqlType::Uuid => {
            "CHAR".into()
        }
        SqlType::Date => "DATE".into(),
        SqlType::Time { .. } => "TIME".into(),
        SqlType::DateTime { .. } => "DATETIME".into(),
        SqlType::LargeBinary => "BINARY".into(),
        SqlType::Json => "JSON".into(),
        SqlType::Enum(_) => "CHAR".into(),
        SqlType::Domain(domain) => cast_type_sql(d, domain.base())?,
        SqlType::Custom(c) => cast_type_sql(d, c.impl_type())?,
        SqlType::Interval { .. } | SqlType::Other(_) => {
            return Err(CompileError::unsupported(
                format!("CAST to {sql_type}"),
                d.name(),
            ));
        }
        SqlType::Array { .. } | SqlType::TsVector | SqlType::TsQuery => d.type_sql(sql_type)?,
    })
}
