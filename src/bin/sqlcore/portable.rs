//! Reflected tables written for another database than their own (`--dialect`): server
//! defaults in the source's SQL translated where there is a clear equivalent, enums given
//! names of their own where they are types (PostgreSQL) and kept to their values by a CHECK
//! where there are no enums (SQLite: SQLAlchemy's non-native `Enum(create_constraint=True)`),
//! MySQL's integer, text and blob variants written as the standard types. What has no clear
//! equivalent is kept as written, or left out where it cannot run, each with a warning.

use sqlcore::dialect::EnumStyle;
use sqlcore::{
    Autoincrement, Column, CompileError, Dialect, EnumType, IndexElement, MetaData, ServerDefault,
    SqlType, Table,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The database a dialect writes for (MySQL and MariaDB are one here).
fn family(d: &dyn Dialect) -> &'static str {
    match d.name() {
        "mysql" | "mariadb" => "MySQL",
        "postgresql" => "PostgreSQL",
        _ => "SQLite",
    }
}

/// `metadata`, reflected through `from`, made to run on `to`; each change that loses
/// something, and each construct kept that may not run, is told to `warn`. Unchanged when
/// both dialects write for the same database.
pub fn adapt(
    metadata: &MetaData,
    from: &dyn Dialect,
    to: &dyn Dialect,
    warn: &mut dyn FnMut(String),
) -> Result<MetaData, CompileError> {
    if family(from) == family(to) {
        return Ok(metadata.clone());
    }
    let mut tables: Vec<Table> = Vec::with_capacity(metadata.len());
    for source in metadata.tables() {
        let name = source.fullname();
        let mut table = source.clone();
        for column in source.columns.keys() {
            table = table.map_column(column, |c| portable_column(c, &name, from, to, warn));
        }
        for index in &table.indexes {
            if index
                .elements
                .iter()
                .any(|e| matches!(e, IndexElement::Expr(_)))
            {
                warn(format!(
                    "{name}: index {} is on an expression, written as reflected; check that it runs on {}",
                    index.name,
                    family(to)
                ));
            }
        }
        for check in &table.check_constraints {
            if check.sql.contains("::") || check.sql.contains('`') {
                warn(format!(
                    "{name}: CHECK ({}) is written in {}'s SQL; check that it runs on {}",
                    check.sql,
                    family(from),
                    family(to)
                ));
            }
        }
        tables.push(table);
    }
    portable_enums(&mut tables, to);
    let mut out = MetaData::new();
    for sequence in metadata.sequences() {
        out.add_sequence(sequence.clone());
    }
    for table in tables {
        out.add(table)?;
    }
    Ok(out)
}

/// A column's type and server default for `to`; a generated column's expression is kept, with
/// a warning.
fn portable_column(
    column: &mut Column,
    table: &str,
    from: &dyn Dialect,
    to: &dyn Dialect,
    warn: &mut dyn FnMut(String),
) {
    let at = format!("{table}.{}", column.name);
    column.sql_type = portable_type(&column.sql_type, from, to, &at, warn);
    if let Some(sequence) = column.sequence().filter(|s| !s.applies_to(to)) {
        // Without its sequence the column is no longer generated (a sole integer key
        // still is, by the dialect's own means).
        warn(format!(
            "{at}: the default drawing from sequence {} left out: {} has no sequences",
            sequence.name,
            family(to)
        ));
        column.default = None;
        column.autoincrement = Autoincrement::Auto;
    }
    if let Some(default) = column.server_default.take() {
        column.server_default = match default {
            ServerDefault::Sql(_) => {
                portable_default(&default, &column.sql_type, to, &at, warn).map(ServerDefault::Sql)
            }
            value => Some(value),
        };
    }
    if column.computed.is_some() {
        warn(format!(
            "{at}: a generated column's expression is written as reflected; check that it runs on {}",
            family(to)
        ));
    }
}

/// A type the model does not know, by its source name: MySQL's integer, text and blob
/// variants as the standard types (an unsigned integer as the next wider one); anything
/// else kept by name (SQLite takes any name; elsewhere with a warning).
fn portable_type(
    ty: &SqlType,
    from: &dyn Dialect,
    to: &dyn Dialect,
    at: &str,
    warn: &mut dyn FnMut(String),
) -> SqlType {
    let SqlType::Other(name) = ty else {
        return ty.clone();
    };
    let upper = name.to_ascii_uppercase();
    let mapped = match upper.as_str() {
        "TINYINT" | "TINYINT UNSIGNED" | "YEAR" => Some(SqlType::SmallInteger),
        "MEDIUMINT" | "MEDIUMINT UNSIGNED" | "SMALLINT UNSIGNED" => Some(SqlType::Integer),
        "INT UNSIGNED" | "INTEGER UNSIGNED" => Some(SqlType::BigInteger),
        "BIGINT UNSIGNED" => Some(SqlType::Numeric(Some(20), Some(0))),
        "TINYTEXT" | "MEDIUMTEXT" | "LONGTEXT" | "CITEXT" => Some(SqlType::Text),
        "TINYBLOB" | "MEDIUMBLOB" | "LONGBLOB" | "BYTEA" => Some(SqlType::LargeBinary),
        _ if upper.starts_with("BINARY(") || upper.starts_with("VARBINARY(") => {
            Some(SqlType::LargeBinary)
        }
        _ => None,
    };
    mapped.unwrap_or_else(|| {
        if family(to) != "SQLite" {
            warn(format!(
                "{at}: type {name} is {}'s, written as is; check that {} has it",
                family(from),
                family(to)
            ));
        }
        ty.clone()
    })
}

/// A server default's SQL for `to`: its expression translated (see [`expression`]), MySQL's
/// `ON UPDATE` left out where the dialect has none. `None`: no default.
fn portable_default(
    default: &ServerDefault,
    sql_type: &SqlType,
    to: &dyn Dialect,
    at: &str,
    warn: &mut dyn FnMut(String),
) -> Option<String> {
    let ServerDefault::Sql(sql) = default else {
        return None;
    };
    let (head, on_update) = match default.on_update() {
        Some((head, on_update)) => (head, Some(on_update)),
        None => (sql.as_str(), None),
    };
    let head = match expression(head, sql_type, to) {
        Portable::Same(sql) | Portable::Translated(sql) => Some(sql),
        Portable::Null => None,
        Portable::Dropped(why) => {
            warn(format!(
                "{at}: DEFAULT {head} left out: {why} on {}",
                family(to)
            ));
            None
        }
        Portable::Unknown => {
            warn(format!(
                "{at}: DEFAULT {head} is written as reflected; check that it runs on {}",
                family(to)
            ));
            Some(head.to_owned())
        }
    };
    match on_update {
        Some(update) if to.supports_on_update_default() => Some(format!(
            "{} ON UPDATE {update}",
            head.as_deref().unwrap_or("NULL")
        )),
        Some(update) => {
            warn(format!(
                "{at}: ON UPDATE {update} left out: {} has no such clause (a trigger can do it)",
                family(to)
            ));
            head
        }
        None => head,
    }
}

/// A default expression as `to` writes it.
#[derive(Debug, PartialEq)]
enum Portable {
    /// Runs as it is (a literal, a number, a keyword every dialect has).
    Same(String),
    /// The dialect's own spelling of the same thing.
    Translated(String),
    /// `NULL`: no default.
    Null,
    /// Nothing equivalent, for this reason.
    Dropped(&'static str),
    /// Not recognised.
    Unknown,
}

/// The clear equivalents: the current time and date (`now()`, `current_timestamp()`,
/// `datetime('now')`, `curdate()` → `CURRENT_TIMESTAMP`, `CURRENT_DATE`; a precision kept
/// where the dialect has one), random UUIDs, literals without PostgreSQL's casts
/// (`'x'::text` → `'x'`), booleans written as numbers (`1` → `true`).
fn expression(sql: &str, sql_type: &SqlType, to: &dyn Dialect) -> Portable {
    let s = unparenthesized(sql.trim());
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let keyword = |k: &str| {
        if s == k {
            Portable::Same(k.to_owned())
        } else {
            Portable::Translated(k.to_owned())
        }
    };
    match compact.as_str() {
        "null" => return Portable::Null,
        "true" | "false" => return Portable::Same(compact.clone()),
        "now()"
        | "current_timestamp"
        | "current_timestamp()"
        | "transaction_timestamp()"
        | "statement_timestamp()"
        | "localtimestamp"
        | "localtimestamp()"
        | "datetime('now')"
        | "datetime()" => return keyword("CURRENT_TIMESTAMP"),
        "current_date" | "current_date()" | "curdate()" | "date('now')" | "date()" => {
            return keyword("CURRENT_DATE");
        }
        "current_time" | "current_time()" | "curtime()" | "time('now')" | "time()" => {
            return keyword("CURRENT_TIME");
        }
        "gen_random_uuid()" | "uuid()" | "uuid_generate_v4()" => {
            return match family(to) {
                "PostgreSQL" => keyword("gen_random_uuid()"),
                "MySQL" => keyword("uuid()"),
                _ => Portable::Dropped("no function makes a random UUID"),
            };
        }
        _ => {}
    }
    for name in ["current_timestamp(", "now(", "localtimestamp("] {
        if let Some(precision) = compact
            .strip_prefix(name)
            .and_then(|r| r.strip_suffix(')'))
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Portable::Translated(match family(to) {
                // SQLite keeps whole seconds.
                "SQLite" => "CURRENT_TIMESTAMP".to_owned(),
                _ => format!("CURRENT_TIMESTAMP({precision})"),
            });
        }
    }
    if compact.starts_with("nextval(") {
        return Portable::Dropped("it draws from a sequence, which is not created");
    }
    match literal(s) {
        Some(lit) if *sql_type == SqlType::Boolean && matches!(lit, "1" | "0") => {
            Portable::Translated(if lit == "1" { "true" } else { "false" }.to_owned())
        }
        Some(lit) if lit == s => Portable::Same(lit.to_owned()),
        Some(lit) => Portable::Translated(lit.to_owned()),
        None => Portable::Unknown,
    }
}

/// `'it''s'`, `-1.5`, `'x'::character varying`, `'{}'::jsonb` → the literal without its cast.
fn literal(s: &str) -> Option<&str> {
    let end = if let Some(body) = s.strip_prefix('\'') {
        let bytes = body.as_bytes();
        let mut i = 0;
        loop {
            match bytes.get(i)? {
                b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                b'\'' => break i + 2,
                _ => i += 1,
            }
        }
    } else {
        let n = s
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
            .unwrap_or(s.len());
        s[..n].parse::<f64>().ok()?;
        n
    };
    let (lit, rest) = s.split_at(end);
    let cast_ok = rest.is_empty()
        || rest.strip_prefix("::").is_some_and(|ty| {
            !ty.is_empty()
                && ty.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '(' | ')' | ',' | '"')
                })
        });
    cast_ok.then_some(lit)
}

/// `(expr)` → `expr` when the parentheses enclose the whole of it.
fn unparenthesized(s: &str) -> &str {
    let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) else {
        return s;
    };
    let mut depth = 0i32;
    let mut quoted = false;
    for c in inner.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return s;
                }
            }
            _ => {}
        }
    }
    if depth == 0 { inner.trim() } else { s }
}

/// Enums for `to`: where they are types of their own (PostgreSQL), two different enums of
/// one name, or an enum named as a table (a table's row type takes its name), are renamed
/// `table_column`; where there are no enums (SQLite), a CHECK keeps the column to the values.
fn portable_enums(tables: &mut [Table], to: &dyn Dialect) {
    let style = to.enum_style();
    if style == EnumStyle::Inline {
        return;
    }
    let enums = |tables: &[Table]| -> Vec<(usize, Arc<str>, EnumType)> {
        tables
            .iter()
            .enumerate()
            .flat_map(|(t, table)| {
                table
                    .columns
                    .values()
                    .filter_map(move |c| match &c.sql_type {
                        SqlType::Enum(e) => Some((t, c.name.clone(), e.clone())),
                        _ => None,
                    })
            })
            .collect()
    };
    let found = enums(tables);
    let mut renamed: HashMap<(usize, Arc<str>), EnumType> = HashMap::new();
    if style == EnumStyle::CreateType {
        let mut taken: HashSet<String> = tables.iter().map(|t| t.name.clone()).collect();
        let mut by_name: HashMap<&str, Vec<&EnumType>> = HashMap::new();
        for (_, _, e) in &found {
            by_name.entry(e.name()).or_default().push(e);
        }
        let clashes = |e: &EnumType| {
            taken.contains(e.name()) || by_name[e.name()].iter().any(|other| *other != e)
        };
        let clashing: Vec<bool> = found.iter().map(|(_, _, e)| clashes(e)).collect();
        for (_, _, e) in found
            .iter()
            .zip(&clashing)
            .filter(|(_, c)| !**c)
            .map(|(f, _)| f)
        {
            taken.insert(e.name().to_owned());
        }
        for ((t, column, e), _) in found.iter().zip(&clashing).filter(|(_, c)| **c) {
            let base = format!("{}_{column}", tables[*t].name);
            let mut name = base.clone();
            let mut n = 1;
            while !taken.insert(name.clone()) {
                n += 1;
                name = format!("{base}_{n}");
            }
            renamed.insert((*t, column.clone()), e.clone().renamed(name));
        }
    } else {
        for (t, column, e) in &found {
            if e.is_native() && !e.creates_constraint() {
                let checked = e.clone().create_constraint(true);
                renamed.insert((*t, column.clone()), checked);
            }
        }
    }
    for ((t, column), e) in renamed {
        tables[t] = tables[t].clone().column_type(&column, SqlType::Enum(e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlcore::{PostgreSQL, SQLite};

    #[test]
    fn defaults_translate_where_clear() {
        let e = |s, to: &dyn Dialect| expression(s, &SqlType::Text, to);
        let t = |s: &str| Portable::Translated(s.to_owned());
        assert_eq!(e("now()", &SQLite), t("CURRENT_TIMESTAMP"));
        assert_eq!(
            e("current_timestamp()", &PostgreSQL),
            t("CURRENT_TIMESTAMP")
        );
        assert_eq!(
            e("CURRENT_TIMESTAMP(6)", &PostgreSQL),
            t("CURRENT_TIMESTAMP(6)")
        );
        assert_eq!(e("CURRENT_TIMESTAMP(6)", &SQLite), t("CURRENT_TIMESTAMP"));
        assert_eq!(e("(datetime('now'))", &PostgreSQL), t("CURRENT_TIMESTAMP"));
        assert_eq!(e("curdate()", &SQLite), t("CURRENT_DATE"));
        assert_eq!(e("'x'::text", &SQLite), t("'x'"));
        assert_eq!(e("'it''s'::character varying", &SQLite), t("'it''s'"));
        assert_eq!(e("'a'", &SQLite), Portable::Same("'a'".into()));
        assert_eq!(e("(-1)", &SQLite), Portable::Same("-1".into()));
        assert_eq!(e("0.00", &SQLite), Portable::Same("0.00".into()));
        assert_eq!(e("NULL", &SQLite), Portable::Null);
        assert_eq!(expression("1", &SqlType::Boolean, &PostgreSQL), t("true"));
        assert!(matches!(
            e("nextval('s'::regclass)", &SQLite),
            Portable::Dropped(_)
        ));
        assert!(matches!(e("uuid()", &SQLite), Portable::Dropped(_)));
        assert_eq!(e("uuid()", &PostgreSQL), t("gen_random_uuid()"));
        assert_eq!(e("lower('X')", &SQLite), Portable::Unknown);
        assert_eq!(e("'a' || 'b'", &SQLite), Portable::Unknown);
    }
}
