//! The MariaDB dialect: MySQL's, with what MariaDB adds.

use super::mysql::{cast_type_sql, type_sql};
use super::{
    AutoincrementStyle, CommentStyle, DeleteUsingStyle, Dialect, DistinctFromStyle, DivisionStyle,
    EnumStyle, FullTextStyle, IdentifierLength, JsonAccessStyle, MySQL, ParamStyle, SequenceStyle,
    UpdateFromStyle,
};
use crate::error::CompileError;
use crate::schema::{IndexMethod, SqlType};
use crate::value::Value;

/// MariaDB (10.5 or later), as SQLAlchemy's `mariadb` dialect beside its `mysql` one: MySQL's
/// SQL ([`MySQL`](struct@MySQL)) plus `INSERT … RETURNING` and `DELETE … RETURNING` (MariaDB
/// has no `UPDATE … RETURNING`, which is a `CompileError`) and sequences
/// ([`Sequence`](crate::Sequence): `CREATE SEQUENCE`, `nextval(seq)`, a column's
/// `DEFAULT nextval(seq)`). An engine on a `mariadb://` URL checks at its first connection
/// that the server is MariaDB 10.5 or later.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("id", SqlType::Integer).primary_key());
/// let stmt = insert(&t).values(params! { "id" => 1 }).returning([t.c("id")]);
/// assert_eq!(stmt.compile(&MariaDB)?.sql, "INSERT INTO t (id) VALUES (?) RETURNING t.id");
/// assert!(stmt.compile(&MySQL).is_err());
/// let upd = update(&t).values(params! { "id" => 2 }).returning([t.c("id")]);
/// assert!(upd.compile(&MariaDB).is_err());
/// let next: Statement = Sequence::new("ids").next_value().into();
/// assert_eq!(next.compile(&MariaDB)?.sql, "SELECT nextval(ids) AS next_value_1");
/// assert!(next.compile(&MySQL).is_err());
/// # Ok::<(), CompileError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MariaDB {
    /// Use `%s` placeholders instead of `?`.
    pub format_params: bool,
}

/// `MariaDB` with `?` placeholders, usable as `&MariaDB` like the unit dialects.
#[allow(non_upper_case_globals)]
pub const MariaDB: MariaDB = MariaDB {
    format_params: false,
};

impl MariaDB {
    /// The MySQL dialect MariaDB's SQL extends.
    fn mysql(&self) -> MySQL {
        MySQL {
            format_params: self.format_params,
        }
    }
}

/// Methods MariaDB answers as MySQL does.
macro_rules! as_mysql {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        $(fn $name(&self $(, $arg: $ty)*) -> $ret {
            self.mysql().$name($($arg),*)
        })*
    };
}

impl Dialect for MariaDB {
    fn name(&self) -> &'static str {
        "mariadb"
    }
    fn type_sql(&self, sql_type: &SqlType) -> Result<String, CompileError> {
        type_sql(self, sql_type)
    }
    fn cast_type_sql(&self, sql_type: &SqlType) -> Result<String, CompileError> {
        cast_type_sql(self, sql_type)
    }
    /// MariaDB 10.5 has `INSERT … RETURNING` and `DELETE … RETURNING`.
    fn supports_returning(&self) -> bool {
        true
    }
    /// MariaDB has sequences (10.3): `CREATE SEQUENCE`, `nextval(seq)`, `DEFAULT nextval(seq)`.
    fn supports_sequences(&self) -> bool {
        true
    }
    fn sequence_style(&self) -> SequenceStyle {
        SequenceStyle::NameAsIdentifier
    }
    /// MariaDB has no `UPDATE … RETURNING`.
    fn supports_update_returning(&self) -> bool {
        false
    }
    /// MariaDB reads no offset in a date-time literal (MySQL 8.0.19 does): an aware timestamp is
    /// written as its UTC wall clock, the zone of sqlcore's sessions.
    fn datetime_text(&self, value: &Value) -> Option<String> {
        match value {
            Value::TimestampTz(t) => Some(t.naive_utc().format("%Y-%m-%d %H:%M:%S%.f").to_string()),
            other => self.mysql().datetime_text(other),
        }
    }
    as_mysql! {
        param_style() -> ParamStyle;
        identifier_quote() -> char;
        max_identifier_length() -> IdentifierLength;
        is_reserved_word(lower: &str) -> bool;
        enum_style() -> EnumStyle;
        supports_nulls_order() -> bool;
        supports_full_join() -> bool;
        supports_for_update() -> bool;
        full_text_style() -> FullTextStyle;
        json_access_style() -> JsonAccessStyle;
        supports_window_groups() -> bool;
        supports_set_op_all() -> bool;
        supports_on_conflict() -> bool;
        supports_on_duplicate_key() -> bool;
        supports_on_update_default() -> bool;
        supports_default_values() -> bool;
        supports_partial_indexes() -> bool;
        supports_index_method(method: &IndexMethod) -> bool;
        index_using_after_columns() -> bool;
        supports_index_prefix_length() -> bool;
        supports_create_index_if_not_exists() -> bool;
        drop_index_names_table() -> bool;
        limit_for_offset_only() -> Option<&'static str>;
        concat_is_function() -> bool;
        distinct_from_style() -> DistinctFromStyle;
        comment_style() -> CommentStyle;
        autoincrement_style() -> AutoincrementStyle;
        update_from_style() -> Option<UpdateFromStyle>;
        backslash_escapes() -> bool;
        tokenizer_dialect() -> Box<dyn sqlparser::dialect::Dialect>;
        delete_using_style() -> Option<DeleteUsingStyle>;
        division_style() -> DivisionStyle;
        supports_aggregate_filter() -> bool;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every capability the MySQL dialect overrides, MariaDB answers alike, apart from its name,
    /// RETURNING and sequences.
    #[test]
    fn mariadb_is_mysql_but_for_returning_and_sequences() {
        let (m, my) = (MariaDB, MySQL);
        assert_eq!(m.name(), "mariadb");
        assert!(m.supports_returning() && !my.supports_returning());
        assert!(m.supports_sequences() && !my.supports_sequences());
        assert_eq!(m.identifier_quote(), my.identifier_quote());
        assert_eq!(m.limit_for_offset_only(), my.limit_for_offset_only());
        assert_eq!(
            m.supports_on_duplicate_key(),
            my.supports_on_duplicate_key()
        );
        for ty in [
            SqlType::Boolean,
            SqlType::Uuid,
            SqlType::Json,
            SqlType::DATETIME,
        ] {
            assert_eq!(m.type_sql(&ty), my.type_sql(&ty));
            assert_eq!(m.cast_type_sql(&ty), my.cast_type_sql(&ty));
        }
        let at = chrono::DateTime::parse_from_rfc3339("2024-03-01T14:30:15.5+02:00").unwrap();
        assert_eq!(
            m.datetime_text(&Value::TimestampTz(at.to_utc())).as_deref(),
            Some("2024-03-01 12:30:15.500")
        );
        let err = m.type_sql(&SqlType::String(None)).unwrap_err();
        assert!(err.to_string().contains("mariadb"), "{err}");
    }
}
