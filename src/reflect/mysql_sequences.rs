//! MariaDB's sequences in the catalog: their names (`information_schema.tables` of type
//! `SEQUENCE`), their options (one `UNION ALL` over the sequences' own one-row tables, as
//! MariaDB 10.11 has no `information_schema.sequences`) and a column's
//! ``nextval(`schema`.`seq`)`` default. MySQL has no sequences: it lists none.

use super::read::{flag, int};
use super::sequence_defaults::{self, ServerChoices};
use crate::connection::Connection;
use crate::error::Result;
use sqlcore_compiler::{Dialect, MariaDB, Params, Sequence, text as sql};

/// The names of the sequences of `schema`, sorted (byte order).
pub(super) fn names(conn: &mut Connection, schema: &str) -> Result<Vec<String>> {
    let mut params = Params::with_capacity(1);
    params.insert("schema", schema);
    let mut names: Vec<String> = conn
        .execute(
            sql("SELECT table_name FROM information_schema.tables \
                 WHERE table_schema = :schema AND table_type = 'SEQUENCE'"),
            params,
        )?
        .scalars()
        .all()?;
    names.sort_unstable();
    Ok(names)
}

/// The sequences `(schema, name)` with their options (those MariaDB would choose by itself
/// left unset, as a declared sequence states them), in the order given, each without a
/// schema; `None` for one dropped meanwhile. One query, none for no sequences.
pub(super) fn with_options(
    conn: &mut Connection,
    sequences: &[(&str, &str)],
) -> Result<Vec<Option<Sequence>>> {
    if sequences.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = String::new();
    for (i, (schema, name)) in sequences.iter().enumerate() {
        if i > 0 {
            query.push_str(" UNION ALL ");
        }
        query.push_str(&format!(
            "SELECT {i}, start_value, increment, minimum_value, maximum_value, cache_size, \
             CAST(cycle_option AS SIGNED) FROM {}.{}",
            MariaDB.quote_identifier(schema)?,
            MariaDB.quote_identifier(name)?
        ));
    }
    let rows = conn.execute(sql(&query), ())?.all()?;
    let mut out: Vec<Option<Sequence>> = vec![None; sequences.len()];
    for row in rows {
        let v = row.values();
        let position = usize::try_from(int(&v[0], "sequence position")?).ok();
        let Some(i) = position.filter(|i| *i < sequences.len()) else {
            continue;
        };
        let seq = Sequence::new(sequences[i].1)
            .start(int(&v[1], "start_value")?)
            .increment(int(&v[2], "increment")?)
            .min_value(int(&v[3], "minimum_value")?)
            .max_value(int(&v[4], "maximum_value")?)
            .cache(int(&v[5], "cache_size")?)
            .cycle(flag(&v[6], "cycle_option")?);
        out[i] = Some(without_defaults(seq));
    }
    Ok(out)
}

/// The sequence with the options MariaDB would choose by itself left unset: ascending from 1 to
/// 2^63 - 2 (descending from -1 to 1 - 2^63), cache 1000 (see [`ServerChoices`]).
fn without_defaults(seq: Sequence) -> Sequence {
    let server = ServerChoices {
        min: -i64::MAX,
        max: i64::MAX - 1,
        cache: 1000,
    };
    sequence_defaults::without_defaults(seq, server)
}

/// The `(schema, name)` of a ``nextval(`schema`.`name`)`` column default (MariaDB writes the
/// schema always), or `None` for any other default.
pub(super) fn nextval_default(default: &str) -> Option<(String, String)> {
    let inner = default.strip_prefix("nextval(")?.strip_suffix(')')?;
    let (schema, rest) = backquoted(inner)?;
    let (name, rest) = backquoted(rest.strip_prefix('.')?)?;
    rest.is_empty().then_some((schema, name))
}

/// A leading `` `name` `` (doubled backticks inside), and what follows it.
fn backquoted(s: &str) -> Option<(String, &str)> {
    let mut chars = s.strip_prefix('`')?.char_indices();
    let mut name = String::new();
    while let Some((i, c)) = chars.next() {
        if c != '`' {
            name.push(c);
            continue;
        }
        let rest = &s[i + 2..];
        match rest.strip_prefix('`') {
            Some(_) => {
                name.push('`');
                chars.next();
            }
            None => return Some((name, rest)),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nextval_defaults_name_their_sequence() {
        assert_eq!(
            nextval_default("nextval(`test`.`ids`)"),
            Some(("test".into(), "ids".into()))
        );
        assert_eq!(
            nextval_default("nextval(`we``ird`.`a.b`)"),
            Some(("we`ird".into(), "a.b".into()))
        );
        assert_eq!(nextval_default("nextval(`ids`)"), None);
        assert_eq!(nextval_default("'nextval(`a`.`b`)'"), None);
        assert_eq!(nextval_default("nextval(`a`.`b`) + 1"), None);
    }

    #[test]
    fn options_mariadb_chooses_are_left_unset() {
        let seq = |s: Sequence| without_defaults(s);
        let ascending = Sequence::new("s")
            .start(1)
            .increment(1)
            .min_value(1)
            .max_value(i64::MAX - 1)
            .cache(1000)
            .cycle(false);
        assert_eq!(seq(ascending), Sequence::new("s"));
        let descending = Sequence::new("s")
            .start(-1)
            .increment(-1)
            .min_value(-i64::MAX)
            .max_value(-1)
            .cache(1000)
            .cycle(false);
        assert_eq!(seq(descending), Sequence::new("s").increment(-1));
        let declared = Sequence::new("s").start(1000).increment(5).min_value(10);
        assert_eq!(
            seq(declared.clone().max_value(i64::MAX - 1).cache(1000)),
            declared
        );
    }
}
