//! The SQL names of column types that every dialect renders alike or by a shared rule:
//! the types dialects share, arrays, precisions, enums and domains without a schema object,
//! and checked names of types the schema spells itself.

use super::{Dialect, EnumStyle};
use crate::error::CompileError;
use crate::schema::SqlType;

/// The DDL of an enum or domain column where the dialect writes it without a schema
/// object: a non-native enum as `VARCHAR(n)`, an inline `ENUM('a', …)`, a domain as its base
/// type. `None` for the types that are schema objects here (the compiler writes their
/// schema-qualified name) and for every other type.
pub(crate) fn unnamed_type_sql(
    d: &dyn Dialect,
    sql_type: &SqlType,
) -> Result<Option<String>, CompileError> {
    Ok(match sql_type {
        SqlType::Enum(e) => match (e.is_native(), d.enum_style()) {
            (true, EnumStyle::CreateType) => None,
            (true, EnumStyle::Inline) => {
                let mut out = String::from("ENUM(");
                for (i, v) in e.values().iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&d.quote_string(v)?);
                }
                out.push(')');
                Some(out)
            }
            _ => Some(format!("VARCHAR({})", e.varchar_length())),
        },
        SqlType::Domain(_) if d.supports_domains() => None,
        SqlType::Domain(dom) => Some(d.type_sql(dom.base())?),
        SqlType::Custom(c) => Some(d.type_sql(c.impl_type())?),
        _ => None,
    })
}

/// A named type's name, qualified by its own schema if it has one (where the compiler is not
/// writing it: it writes a schema token that `schema_translate_map` re-targets).
pub(crate) fn named_type_sql(
    d: &dyn Dialect,
    sql_type: &SqlType,
) -> Result<Option<String>, CompileError> {
    let (name, schema) = match sql_type {
        SqlType::Enum(e) => (e.name(), e.schema_name()),
        SqlType::Domain(dom) => (dom.name(), dom.schema_name()),
        _ => return Ok(None),
    };
    let mut out = crate::compile::schema_prefix(d, schema, false)?;
    out.push_str(&d.quote_identifier(name)?);
    Ok(Some(out))
}

/// The type names the dialects share; `None` for the types where they differ.
pub(crate) fn common_type_sql(
    d: &dyn Dialect,
    sql_type: &SqlType,
    dialect: &'static str,
) -> Result<Option<String>, CompileError> {
    if let Some(sql) = unnamed_type_sql(d, sql_type)? {
        return Ok(Some(sql));
    }
    if let Some(sql) = named_type_sql(d, sql_type)? {
        return Ok(Some(sql));
    }
    Ok(Some(match sql_type {
        SqlType::SmallInteger => "SMALLINT".into(),
        SqlType::Integer => "INTEGER".into(),
        SqlType::BigInteger => "BIGINT".into(),
        SqlType::Numeric(p, s) => numeric("NUMERIC", *p, *s),
        SqlType::String(Some(n)) => format!("VARCHAR({n})"),
        SqlType::Char(Some(n)) => format!("CHAR({n})"),
        SqlType::Char(None) => "CHAR".into(),
        SqlType::Text => "TEXT".into(),
        SqlType::Date => "DATE".into(),
        SqlType::Other(name) => other_type(name, dialect)?,
        SqlType::TsVector | SqlType::TsQuery => {
            if !d.supports_text_search_types() {
                return Err(CompileError::unsupported(
                    format!("the type {sql_type} (full text search)"),
                    dialect,
                ));
            }
            if *sql_type == SqlType::TsVector {
                "TSVECTOR".into()
            } else {
                "TSQUERY".into()
            }
        }
        _ => return Ok(None),
    }))
}

/// An array type's DDL name, `ITEM[]` once per dimension (PostgreSQL's `INTEGER[][]`), where
/// the dialect has arrays ([`Dialect::supports_arrays`]); elsewhere an
/// [`CompileError::Unsupported`] naming the type, as SQLAlchemy cannot compile `ARRAY` there.
pub(crate) fn array_type_sql<D: Dialect + ?Sized>(
    d: &D,
    item: &SqlType,
    dimensions: Option<u32>,
) -> Result<String, CompileError> {
    let array = SqlType::Array {
        item: Box::new(item.clone()),
        dimensions,
    };
    if !d.supports_arrays() {
        return Err(CompileError::unsupported(
            format!("the type {array} (ARRAY)"),
            d.name(),
        ));
    }
    if matches!(item, SqlType::Array { .. }) {
        return Err(CompileError::invalid(format!(
            "{array}: an array of arrays is declared with dimensions"
        )));
    }
    let mut sql = d.type_sql(item)?;
    for _ in 0..dimensions.unwrap_or(1).max(1) {
        sql.push_str("[]");
    }
    Ok(sql)
}

/// `NAME(p, s)`, `NAME(p)` or `NAME`.
/// A time type's `(precision)`, or nothing for the default; PostgreSQL and MySQL keep at
/// most 6 digits of fractional seconds.
pub(crate) fn precision_sql(precision: Option<u32>) -> Result<String, CompileError> {
    match precision {
        None => Ok(String::new()),
        Some(p) if p <= 6 => Ok(format!("({p})")),
        Some(p) => Err(CompileError::invalid(format!(
            "a fractional-seconds precision of {p}: at most 6 digits are kept"
        ))),
    }
}

pub(crate) fn numeric(name: &str, p: Option<u32>, s: Option<u32>) -> String {
    match (p, s) {
        (Some(p), Some(s)) => format!("{name}({p}, {s})"),
        (Some(p), None) => format!("{name}({p})"),
        _ => name.to_owned(),
    }
}

/// An unmodelled type's name, written as given when it has the shape of a type name:
/// words (`DOUBLE PRECISION`, `CIDR`), an optional `(digits[, digits])` and any number of
/// `[]` / `[digits]` (`VARCHAR(10)[]`). Anything else could inject SQL and is refused.
pub(crate) fn other_type(name: &str, dialect: &'static str) -> Result<String, CompileError> {
    fn word(s: &str) -> Option<&str> {
        let n = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        (n > 0 && !s.starts_with(|c: char| c.is_ascii_digit())).then(|| &s[n..])
    }
    fn digits(s: &str) -> Option<&str> {
        let n = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        (n > 0).then(|| &s[n..])
    }
    fn shaped(s: &str) -> Option<()> {
        let mut rest = word(s)?;
        while let Some(after) = rest.strip_prefix(' ') {
            rest = word(after)?;
        }
        if let Some(after) = rest.strip_prefix('(') {
            rest = digits(after)?;
            if let Some(after) = rest.strip_prefix(',') {
                rest = digits(after.strip_prefix(' ').unwrap_or(after))?;
            }
            rest = rest.strip_prefix(')')?;
        }
        while let Some(after) = rest.strip_prefix('[') {
            rest = digits(after).unwrap_or(after).strip_prefix(']')?;
        }
        rest.is_empty().then_some(())
    }
    match shaped(name) {
        Some(()) => Ok(name.to_owned()),
        None => Err(CompileError::unsupported(
            format!("the type name {name:?}"),
            dialect,
        )),
    }
}
