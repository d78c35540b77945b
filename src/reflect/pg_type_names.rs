//! PostgreSQL's type names, as `format_type` writes them, read as [`SqlType`]s.

use super::split_type_name;
use sqlcore_compiler::SqlType;

/// A column's type: an array type (`format_type` writes `integer[]` however many dimensions
/// were declared) as [`SqlType::Array`] of its element's type, with the dimensions the
/// column declares (`attndims`) when there are two or more; one dimension, or none declared
/// (a table made by `CREATE TABLE AS`), is `None`, as `ARRAY(item)` is declared (and as
/// SQLAlchemy reflects every array).
pub(super) fn column_type(name: &str, dimensions: Option<u32>) -> SqlType {
    match name.strip_suffix("[]") {
        Some(element) => SqlType::Array {
            item: Box::new(sql_type(element.trim_end_matches("[]"))),
            dimensions,
        },
        None => sql_type(name),
    }
}

/// A type as `format_type` writes it. `json` and `jsonb` both reflect as [`SqlType::Json`]
/// (as SQLAlchemy's `JSON` and `JSONB` are both JSON types); DDL from the reflected table
/// creates `JSONB`, which keeps neither key order, duplicate keys nor whitespace.
pub(super) fn sql_type(name: &str) -> SqlType {
    let (base, args, rest) = split_type_name(name);
    // `timestamp(3) without time zone`: the precision sits between the words.
    let precision = args.first().copied();
    match (&*base, args.len(), rest.trim()) {
        ("timestamp", 1, "without time zone") => {
            return SqlType::DateTime {
                timezone: false,
                precision,
            };
        }
        ("timestamp", 1, "with time zone") => {
            return SqlType::DateTime {
                timezone: true,
                precision,
            };
        }
        ("time", 1, "without time zone") => return SqlType::Time { precision },
        _ => {}
    }
    if !rest.is_empty() {
        return SqlType::Other(name.to_owned());
    }
    match (&*base, args.as_slice()) {
        ("smallint", []) => SqlType::SmallInteger,
        ("integer", []) => SqlType::Integer,
        ("bigint", []) => SqlType::BigInteger,
        ("real", []) => SqlType::Real,
        ("double precision", []) => SqlType::Double,
        ("numeric", []) => SqlType::Numeric(None, None),
        ("numeric", [p]) => SqlType::Numeric(Some(*p), None),
        ("numeric", [p, s]) => SqlType::Numeric(Some(*p), Some(*s)),
        ("character varying", []) => SqlType::String(None),
        ("character varying", [n]) => SqlType::String(Some(*n)),
        // `char(n)` is `character(n)`; a bare `bpchar` (no length) pads nothing.
        ("character", [n]) => SqlType::Char(Some(*n)),
        ("character" | "bpchar", []) => SqlType::Char(None),
        ("text", []) => SqlType::Text,
        ("boolean", []) => SqlType::Boolean,
        ("date", []) => SqlType::Date,
        ("time without time zone", []) => SqlType::TIME,
        ("timestamp without time zone", []) => SqlType::DATETIME,
        ("timestamp with time zone", []) => SqlType::DATETIME_TZ,
        ("interval", []) => SqlType::INTERVAL,
        ("interval", [p]) => SqlType::Interval {
            precision: Some(*p),
        },
        ("bytea", []) => SqlType::LargeBinary,
        ("uuid", []) => SqlType::Uuid,
        ("json" | "jsonb", []) => SqlType::Json,
        ("tsvector", []) => SqlType::TsVector,
        ("tsquery", []) => SqlType::TsQuery,
        _ => SqlType::Other(name.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_type_names_map_to_sql_types() {
        assert_eq!(sql_type("character varying(20)"), SqlType::String(Some(20)));
        assert_eq!(sql_type("character(3)"), SqlType::Char(Some(3)));
        assert_eq!(sql_type("bpchar"), SqlType::Char(None));
        assert_eq!(
            sql_type("character(3)[]"),
            SqlType::Other("character(3)[]".into())
        );
        assert_eq!(sql_type("timestamp with time zone"), SqlType::DATETIME_TZ);
        assert_eq!(
            sql_type("numeric(10,2)"),
            SqlType::Numeric(Some(10), Some(2))
        );
        assert_eq!(
            column_type("integer[]", Some(2)),
            SqlType::array(SqlType::Integer).dimensions(2)
        );
        assert_eq!(
            column_type("numeric(10,2)[]", None),
            SqlType::array(SqlType::Numeric(Some(10), Some(2)))
        );
        assert_eq!(
            column_type("\"Odd\".mood[]", None),
            SqlType::array(SqlType::Other("\"Odd\".mood".into()))
        );
        assert_eq!(sql_type("json"), SqlType::Json);
        assert_eq!(sql_type("jsonb"), SqlType::Json);
        assert_eq!(sql_type("tsvector"), SqlType::TsVector);
        assert_eq!(sql_type("tsquery"), SqlType::TsQuery);
        assert_eq!(
            sql_type("timestamp(3) without time zone"),
            SqlType::DateTime {
                timezone: false,
                precision: Some(3)
            }
        );
        assert_eq!(
            sql_type("timestamp(0) with time zone"),
            SqlType::DateTime {
                timezone: true,
                precision: Some(0)
            }
        );
        assert_eq!(
            sql_type("time(6) without time zone"),
            SqlType::Time { precision: Some(6) }
        );
        assert_eq!(
            sql_type("interval(2)"),
            SqlType::Interval { precision: Some(2) }
        );
        assert_eq!(
            sql_type("time(3) with time zone"),
            SqlType::Other("time(3) with time zone".into())
        );
    }
}
