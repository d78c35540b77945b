//! PostgreSQL's enums and domains: read in one catalog query for every table reflected, and
//! the check `create_all` / `drop_all` make before creating or dropping one.

use super::read::{flag, int, names, opt_text, text};
use crate::connection::Connection;
use crate::error::Result;
use sqlcore_compiler::{DomainType, EnumType, Params, SqlType, Value, text as sql};
use std::collections::HashMap;

/// The enums and domains of the given type OIDs and, through domains, of their base types:
/// values in order; a domain's base type (its OID, for a base that is itself an enum or
/// domain), NOT NULL, default and checks (a check dropped meanwhile is left out).
const TYPES: &str = "WITH RECURSIVE needed(oid) AS ( \
        SELECT CAST(unnest(CAST(:oids AS int8[])) AS oid) \
        UNION SELECT t.typbasetype FROM pg_catalog.pg_type t \
        JOIN needed ON t.oid = needed.oid WHERE t.typtype = 'd') \
     SELECT t.oid::int8, n.nspname::text, t.typname::text, t.typtype::text, \
     ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e \
        WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder), \
     t.typbasetype::int8, pg_catalog.format_type(t.typbasetype, t.typtypmod), t.typnotnull, \
     t.typdefault, \
     ARRAY(SELECT con.conname::text FROM pg_catalog.pg_constraint con \
        WHERE con.contypid = t.oid AND con.contype = 'c' \
        AND pg_catalog.pg_get_constraintdef(con.oid, true) IS NOT NULL ORDER BY con.conname), \
     ARRAY(SELECT pg_catalog.pg_get_constraintdef(con.oid, true) FROM pg_catalog.pg_constraint con \
        WHERE con.contypid = t.oid AND con.contype = 'c' \
        AND pg_catalog.pg_get_constraintdef(con.oid, true) IS NOT NULL ORDER BY con.conname) \
     FROM pg_catalog.pg_type t JOIN needed ON t.oid = needed.oid \
     JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     WHERE t.typtype IN ('e', 'd')";

/// One row of [`TYPES`].
struct Raw {
    schema: String,
    name: String,
    values: Option<Vec<String>>,
    base_oid: u32,
    base_name: String,
    not_null: bool,
    default: Option<String>,
    checks: Vec<(String, String)>,
}

/// The enums and domains of `oids` (and those they are built on) by OID, as column types of tables in `schema`: a
/// type in the table's own schema has no schema of its own (it follows the table's, and so a
/// `schema_translate_map`), any other names its schema.
pub(super) fn read_types(
    conn: &mut Connection,
    schema: &str,
    oids: &[u32],
) -> Result<HashMap<u32, SqlType>> {
    let mut raw = HashMap::new();
    let mut params = Params::with_capacity(1);
    params.insert(
        "oids",
        Value::Array(oids.iter().map(|&o| Value::I64(o.into())).collect()),
    );
    for row in conn.execute(sql(TYPES), params)?.all()? {
        let v = row.values();
        let type_oid = oid(&v[0], "type oid")?;
        let is_enum = text(&v[3], "typtype")? == "e";
        let check_names = names(&v[9], "domain check names")?;
        let check_defs = names(&v[10], "domain checks")?;
        raw.insert(
            type_oid,
            Raw {
                schema: text(&v[1], "type schema")?.to_owned(),
                name: text(&v[2], "type name")?.to_owned(),
                values: is_enum
                    .then(|| names(&v[4], "enum labels"))
                    .transpose()?
                    .map(|labels| labels.iter().map(|l| l.to_string()).collect()),
                base_oid: oid(&v[5], "domain base type")?,
                base_name: text(&v[6], "domain base type")?.to_owned(),
                not_null: flag(&v[7], "typnotnull")?,
                default: opt_text(&v[8], "domain default")?.map(str::to_owned),
                checks: check_names
                    .iter()
                    .zip(&check_defs)
                    .map(|(n, d)| (n.to_string(), check_expression(d).to_owned()))
                    .collect(),
            },
        );
    }
    let mut out = HashMap::with_capacity(raw.len());
    let oids: Vec<u32> = raw.keys().copied().collect();
    for oid in oids {
        resolve(oid, &raw, schema, &mut out, 0);
    }
    Ok(out)
}

fn oid(v: &Value, what: &str) -> Result<u32> {
    let n = int(v, what)?;
    Ok(u32::try_from(n).unwrap_or(0))
}

/// `CHECK (VALUE > 0)` → `VALUE > 0`.
fn check_expression(def: &str) -> &str {
    def.strip_prefix("CHECK (")
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or(def)
}

/// The type of `oid`, building a domain's base first (domains nest; `depth` stops a cycle,
/// which PostgreSQL does not allow anyway).
fn resolve(
    oid: u32,
    raw: &HashMap<u32, Raw>,
    schema: &str,
    out: &mut HashMap<u32, SqlType>,
    depth: usize,
) -> Option<SqlType> {
    if let Some(done) = out.get(&oid) {
        return Some(done.clone());
    }
    let r = raw.get(&oid)?;
    let own_schema = (r.schema != schema).then(|| r.schema.clone());
    let ty = match &r.values {
        Some(values) => {
            let e = EnumType::new(r.name.clone(), values.iter().cloned());
            SqlType::Enum(match own_schema {
                Some(s) => e.schema(s),
                None => e,
            })
        }
        None => {
            let base = match raw.contains_key(&r.base_oid) && depth < 16 {
                true => resolve(r.base_oid, raw, schema, out, depth + 1)?,
                false => super::pg_type_names::sql_type(&r.base_name),
            };
            // A base that follows the table's schema would follow the domain's in CREATE
            // DOMAIN: name it where the domain lives elsewhere.
            let base = match (&own_schema, base) {
                (Some(_), SqlType::Enum(e)) if e.schema_name().is_none() => {
                    SqlType::Enum(e.schema(schema))
                }
                (Some(_), SqlType::Domain(d)) if d.schema_name().is_none() => {
                    SqlType::Domain(d.schema(schema))
                }
                (_, base) => base,
            };
            let mut d = DomainType::new(r.name.clone(), base);
            if let Some(s) = own_schema {
                d = d.schema(s);
            }
            if r.not_null {
                d = d.not_null();
            }
            if let Some(default) = &r.default {
                d = d.default_sql(default.clone());
            }
            for (name, check) in &r.checks {
                d = d.check((!name.is_empty()).then_some(name.as_str()), check.clone());
            }
            SqlType::Domain(d)
        }
    };
    out.insert(oid, ty.clone());
    Some(ty)
}

/// `Some(in use)` when the type exists: used by a column, a domain or anything else that
/// would stop a plain DROP.
pub(super) fn type_in_use(
    conn: &mut Connection,
    schema: Option<&str>,
    name: &str,
) -> Result<Option<bool>> {
    let mut params = Params::with_capacity(2);
    params.insert("name", name);
    params.insert(
        "schema",
        match schema {
            Some(s) => Value::from(s),
            None => Value::Null,
        },
    );
    let row = conn
        .execute(
            sql("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
                    WHERE d.refclassid = 'pg_catalog.pg_type'::regclass \
                    AND d.refobjid IN (t.oid, t.typarray) AND d.deptype = 'n') \
                 FROM pg_catalog.pg_type t \
                 JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
                 WHERE t.typname::text = :name \
                 AND n.nspname::text = COALESCE(CAST(:schema AS text), current_schema())"),
            params,
        )?
        .first()?;
    row.map(|r| flag(&r.values()[0], "type in use")).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_definitions_give_their_expression() {
        assert_eq!(check_expression("CHECK (VALUE > 0)"), "VALUE > 0");
        assert_eq!(
            check_expression("CHECK (VALUE ~ '^[a-z]+$'::text)"),
            "VALUE ~ '^[a-z]+$'::text"
        );
        assert_eq!(check_expression("odd"), "odd");
    }
}
