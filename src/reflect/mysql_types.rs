//! MySQL / MariaDB catalog text read back as sqlcore's model: `COLUMN_TYPE` as a [`SqlType`],
//! `COLUMN_DEFAULT` as a server default, and expressions (checks, generated columns) without
//! the backquotes the server adds around plain names.

use super::split_type_name;
use sqlcore_compiler::{Dialect, EnumType, MySQL, SqlType};

/// The type of column `column` from its `COLUMN_TYPE` (`int(11)`, `decimal(10,2)`,
/// `enum('a','b')`, `int(10) unsigned`). Integer display widths are dropped. `TINYINT(1)` is
/// how the server writes `BOOL`, so it reflects as [`SqlType::Boolean`] (sqlcore has no
/// TINYINT type); an inline `ENUM` becomes an [`EnumType`] named after its column. A type
/// sqlcore does not model (unsigned integers, `MEDIUMTEXT`, `BINARY(16)`, `GEOMETRY`…) is
/// [`SqlType::Other`] with its name as the server writes it, so it is created again as it
/// was. MariaDB's JSON is a `LONGTEXT` with a `json_valid` check: see [`is_json_check`].
pub(crate) fn column_type(column: &str, column_type: &str) -> SqlType {
    let trimmed = column_type.trim();
    let is_enum = trimmed
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("enum("));
    if is_enum && trimmed.ends_with(')') {
        if let Some(labels) = enum_labels(&trimmed[5..trimmed.len() - 1]) {
            return SqlType::Enum(EnumType::new(column, labels));
        }
    }
    let lower = trimmed.to_ascii_lowercase();
    let (base, args, rest) = split_type_name(&lower);
    let rest = rest.trim();
    if !rest.is_empty() {
        // `unsigned`, `zerofill`: kept by name, without an integer's display width.
        let base = if is_integer_name(&base) {
            base.to_ascii_uppercase()
        } else {
            with_args(&base, &args)
        };
        return SqlType::Other(format!("{base} {}", rest.to_ascii_uppercase()));
    }
    match (&*base, args.as_slice()) {
        ("tinyint", [1]) | ("bool" | "boolean", _) => SqlType::Boolean,
        ("smallint", _) => SqlType::SmallInteger,
        ("int" | "integer", _) => SqlType::Integer,
        ("bigint", _) => SqlType::BigInteger,
        ("decimal" | "numeric", [p, s]) => SqlType::Numeric(Some(*p), Some(*s)),
        ("decimal" | "numeric", [p]) => SqlType::Numeric(Some(*p), Some(0)),
        ("double" | "double precision", []) => SqlType::Double,
        ("float", []) => SqlType::Real,
        ("varchar", [n]) => SqlType::String(Some(*n)),
        ("char", [n]) => SqlType::Char(Some(*n)),
        ("text", []) => SqlType::Text,
        ("date", []) => SqlType::Date,
        ("time", args) => SqlType::Time {
            precision: args.first().copied(),
        },
        ("datetime" | "timestamp", args) => SqlType::DateTime {
            timezone: base == "timestamp",
            precision: args.first().copied(),
        },
        ("blob", []) => SqlType::LargeBinary,
        ("json", []) => SqlType::Json,
        ("uuid", []) => SqlType::Uuid,
        (name, _) if is_integer_name(name) => SqlType::Other(name.to_ascii_uppercase()),
        _ => SqlType::Other(with_args(&base, &args)),
    }
}

fn is_integer_name(name: &str) -> bool {
    matches!(
        name,
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint"
    )
}

/// `BINARY(16)`, `DECIMAL(10, 2)`: the name upper-cased with its arguments.
fn with_args(base: &str, args: &[u32]) -> String {
    let base = base.to_ascii_uppercase();
    if args.is_empty() {
        return base;
    }
    let args: Vec<String> = args.iter().map(u32::to_string).collect();
    format!("{base}({})", args.join(", "))
}

/// The labels of `'a','b''c'` (the inside of `enum(...)`), quotes undoubled.
fn enum_labels(body: &str) -> Option<Vec<String>> {
    let mut labels = Vec::new();
    let mut chars = body.chars().peekable();
    loop {
        if chars.next()? != '\'' {
            return None;
        }
        let mut label = String::new();
        loop {
            match chars.next()? {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    label.push('\'');
                }
                '\'' => break,
                '\\' => label.push(chars.next()?),
                c => label.push(c),
            }
        }
        labels.push(label);
        match chars.next() {
            None => return Some(labels),
            Some(',') => {}
            Some(_) => return None,
        }
    }
}

/// Whether a column-level check is the `json_valid` check MariaDB adds to a `JSON` column
/// (which it stores as `LONGTEXT`): the column then reflects as JSON, as SQLAlchemy's MariaDB
/// dialect does, and the check is left out (creating a JSON column adds it again).
pub(crate) fn is_json_check(column: &str, clause: &str) -> bool {
    clause == format!("json_valid(`{column}`)")
}

/// The server default as SQL from `COLUMN_DEFAULT`, `None` for no default (or `DEFAULT NULL`).
/// MariaDB writes literals quoted (`'anon'`) and expressions as SQL (`current_timestamp()`);
/// MySQL writes literals bare (`anon`) and marks expressions `DEFAULT_GENERATED` in `EXTRA`
/// (`mysql_literals`). `current_timestamp()` is written `CURRENT_TIMESTAMP` (as declared), and
/// a boolean's `1`/`0` as `true`/`false`.
pub(crate) fn server_default(
    default: Option<&str>,
    sql_type: &SqlType,
    extra: &str,
    mysql_literals: bool,
) -> Option<String> {
    let default = default?;
    if default == "NULL" && !mysql_literals {
        return None;
    }
    let expression = extra.to_ascii_lowercase().contains("default_generated");
    if mysql_literals && !expression {
        let numeric = sql_type.is_integer()
            || matches!(
                sql_type,
                SqlType::Numeric(..) | SqlType::Double | SqlType::Real | SqlType::Boolean
            );
        if !numeric {
            return MySQL.quote_string(default).ok();
        }
    }
    if let Some(precision) = current_timestamp(default) {
        return Some(format!("CURRENT_TIMESTAMP{precision}"));
    }
    if *sql_type == SqlType::Boolean {
        match default {
            "1" => return Some("true".into()),
            "0" => return Some("false".into()),
            _ => {}
        }
    }
    Some(default.to_owned())
}

/// The server default with the `ON UPDATE` clause `EXTRA` names (`on update
/// current_timestamp()` on MariaDB, `DEFAULT_GENERATED on update CURRENT_TIMESTAMP` on MySQL)
/// after it, as SQLAlchemy reflects it: `CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP`, or
/// `NULL ON UPDATE …` for a nullable column without a default. A NOT NULL column without a
/// default has no way to say it in a default's SQL: its `ON UPDATE` is not reflected (nor is
/// it by SQLAlchemy).
pub(crate) fn with_on_update(
    default: Option<String>,
    extra: &str,
    nullable: bool,
) -> Option<String> {
    let lower = extra.to_ascii_lowercase();
    let Some(at) = lower.find("on update ") else {
        return default;
    };
    let expr = extra[at + "on update ".len()..]
        .split_whitespace()
        .next()
        .unwrap_or_default();
    let on_update = match current_timestamp(expr) {
        Some(precision) => format!("CURRENT_TIMESTAMP{precision}"),
        None => expr.to_owned(),
    };
    match default {
        _ if on_update.is_empty() => default,
        Some(default) => Some(format!("{default} ON UPDATE {on_update}")),
        None if nullable => Some(format!("NULL ON UPDATE {on_update}")),
        None => None,
    }
}

/// `current_timestamp()`, `CURRENT_TIMESTAMP`, `current_timestamp(6)` → `""` / `"(6)"`.
fn current_timestamp(default: &str) -> Option<&str> {
    let lower = default.to_ascii_lowercase();
    let rest = lower.strip_prefix("current_timestamp")?;
    match rest {
        "" | "()" => Some(""),
        _ if rest.starts_with('(') && rest.ends_with(')') => Some(&default[17..]),
        _ => None,
    }
}

/// An expression as the server writes it (`` `qty` > 0 ``) with the backquotes dropped around
/// names that need none (`qty > 0`): lower-case plain names that are not reserved words.
/// Quoted strings are left as they are.
pub(crate) fn unquoted_names(sql: &str, dialect: &dyn Dialect) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find(['`', '\'', '"']) {
        out.push_str(&rest[..at]);
        let quote = rest[at..].chars().next().unwrap_or('`');
        let body = &rest[at + 1..];
        let Some(end) = closing(body, quote) else {
            out.push_str(&rest[at..]);
            return out;
        };
        let inner = &body[..end];
        let plain = quote == '`'
            && !inner.is_empty()
            && !inner.starts_with(|c: char| c.is_ascii_digit())
            && inner
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !dialect.is_reserved_word(inner);
        if plain {
            out.push_str(inner);
        } else {
            out.push_str(&rest[at..at + 2 + end]);
        }
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Where the quote closing a quoted text starting at `body` is (a doubled quote, or a
/// backslash-escaped one in a string, stays inside).
fn closing(body: &str, quote: char) -> Option<usize> {
    let bytes = body.as_bytes();
    let q = quote as u8;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && quote != '`' {
            i += 2;
            continue;
        }
        if bytes[i] == q {
            if bytes.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_types_map_to_sql_types() {
        let t = |name| column_type("c", name);
        assert_eq!(t("int(11)"), SqlType::Integer);
        assert_eq!(t("tinyint(1)"), SqlType::Boolean);
        assert_eq!(t("tinyint(4)"), SqlType::Other("TINYINT".into()));
        assert_eq!(t("int(10) unsigned"), SqlType::Other("INT UNSIGNED".into()));
        assert_eq!(t("decimal(10,2)"), SqlType::Numeric(Some(10), Some(2)));
        assert_eq!(
            t("datetime(6)"),
            SqlType::DateTime {
                timezone: false,
                precision: Some(6)
            }
        );
        assert_eq!(t("timestamp"), SqlType::DATETIME_TZ);
        assert_eq!(t("varchar(50)"), SqlType::String(Some(50)));
        assert_eq!(t("char(36)"), SqlType::Char(Some(36)));
        assert_eq!(t("binary(16)"), SqlType::Other("BINARY(16)".into()));
        assert_eq!(t("longtext"), SqlType::Other("LONGTEXT".into()));
        assert_eq!(t("float"), SqlType::Real);
        assert_eq!(t("double"), SqlType::Double);
        assert_eq!(
            t("enum('a','b''c')"),
            SqlType::Enum(EnumType::new("c", ["a", "b'c"]))
        );
    }

    #[test]
    fn defaults_read_as_declared() {
        let d = |v, ty: &SqlType, extra, mysql| server_default(Some(v), ty, extra, mysql);
        assert_eq!(d("NULL", &SqlType::Integer, "", false), None);
        assert_eq!(
            d("'anon'", &SqlType::Text, "", false).as_deref(),
            Some("'anon'")
        );
        assert_eq!(
            d("anon", &SqlType::Text, "", true).as_deref(),
            Some("'anon'")
        );
        assert_eq!(
            d("current_timestamp()", &SqlType::DATETIME_TZ, "", false).as_deref(),
            Some("CURRENT_TIMESTAMP")
        );
        assert_eq!(
            d(
                "CURRENT_TIMESTAMP(6)",
                &SqlType::DATETIME,
                "DEFAULT_GENERATED",
                true
            )
            .as_deref(),
            Some("CURRENT_TIMESTAMP(6)")
        );
        assert_eq!(
            d("1", &SqlType::Boolean, "", false).as_deref(),
            Some("true")
        );
    }

    #[test]
    fn on_update_follows_the_default() {
        let d = Some("CURRENT_TIMESTAMP".to_owned());
        assert_eq!(
            with_on_update(d.clone(), "on update current_timestamp()", false).as_deref(),
            Some("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP")
        );
        assert_eq!(
            with_on_update(
                Some("CURRENT_TIMESTAMP(6)".into()),
                "DEFAULT_GENERATED on update CURRENT_TIMESTAMP(6)",
                false
            )
            .as_deref(),
            Some("CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)")
        );
        assert_eq!(
            with_on_update(None, "on update current_timestamp()", true).as_deref(),
            Some("NULL ON UPDATE CURRENT_TIMESTAMP")
        );
        assert_eq!(
            with_on_update(None, "on update current_timestamp()", false),
            None
        );
        assert_eq!(with_on_update(d.clone(), "", false), d);
    }

    #[test]
    fn plain_names_lose_their_backquotes() {
        let u = |s| unquoted_names(s, &MySQL);
        assert_eq!(u("`qty` > 0"), "qty > 0");
        assert_eq!(u("`qty` * `price`"), "qty * price");
        assert_eq!(u("`Mixed` + `order`"), "`Mixed` + `order`");
        assert_eq!(u("`a` = '`b`'"), "a = '`b`'");
        assert_eq!(u("`a` = 'it''s'"), "a = 'it''s'");
    }
}
