//! PostgreSQL's catalog: one `pg_catalog` query per kind of information, for all the tables
//! asked for at once.
//!
//! Every lookup a query makes per row goes through a catalog index (`pg_depend` by its
//! reference index, so `refclassid` is always given; index key columns through `unnest`, not
//! `generate_series` with its estimate of 1,000 rows). This keeps each query's estimated cost
//! far below `jit_above_cost` (100,000 by default): past it PostgreSQL JIT-compiles the query,
//! which cost the column query of 300 tables about 90 ms of compiling for 40 ms of running.

use super::pg_type_names::column_type;
use super::pg_types;
use super::read::{flag, int, names, opt_int, opt_text, text};
use super::sequence_defaults::{self, ServerChoices};
use super::{Catalog, ColumnParts, PartitionParts, Relation, TableParts};
use crate::connection::Connection;
use crate::error::Result;
use sqlcore_compiler::{
    CheckConstraint, Column, Computed, ForeignKey, Identity, Index, IndexElement, IndexMethod,
    Params, PartitionBound, PartitionBy, PartitionStrategy, ReferentialAction, Sequence,
    ServerDefault, SqlType, UniqueConstraint, Value, literal_column, text as sql,
};
use std::collections::HashMap;
use std::sync::Arc;

/// A sequence's options as text, in [`sequence_from`]'s order.
macro_rules! sequence_options {
    () => {
        "ps.seqstart::text, ps.seqincrement::text, ps.seqmin::text, ps.seqmax::text, \
         ps.seqcache::text, ps.seqcycle::text"
    };
}

pub(crate) struct PgCatalog;

/// The relations a query covers: `$kinds` are `pg_class.relkind`s, `$only` (a text array or
/// NULL) narrows them to some names.
const RELATIONS: &str = "FROM pg_catalog.pg_class c \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = :schema AND c.relkind::text = ANY(CAST(:kinds AS text[])) \
     AND (CAST(:only AS text[]) IS NULL OR c.relname::text = ANY(CAST(:only AS text[])))";

const TABLES: &[&str] = &["r", "p"];
const VIEWS: &[&str] = &["v", "m"];
const ALL: &[&str] = &["r", "p", "f", "v", "m"];

fn relation_params(schema: &str, kinds: &[&str], only: Option<&[String]>) -> Params {
    let mut params = Params::with_capacity(3);
    params.insert("schema", schema);
    params.insert(
        "kinds",
        Value::Array(kinds.iter().map(|k| Value::from(*k)).collect()),
    );
    params.insert(
        "only",
        match only {
            Some(names) => Value::Array(names.iter().map(Value::from).collect()),
            None => Value::Null,
        },
    );
    params
}

impl Catalog for PgCatalog {
    fn type_in_use(
        &self,
        conn: &mut Connection,
        schema: Option<&str>,
        name: &str,
    ) -> Result<Option<bool>> {
        pg_types::type_in_use(conn, schema, name)
    }

    fn default_schema_name(&self, conn: &mut Connection) -> Result<String> {
        // No schema of the search path exists: there is no default schema, and no schema is
        // named '' (everything is reached through a schema name or schema_translate_map).
        conn.execute(sql("SELECT COALESCE(current_schema()::text, '')"), ())?
            .scalar_one()
    }

    fn schema_names(&self, conn: &mut Connection) -> Result<Vec<String>> {
        conn.execute(
            sql("SELECT nspname::text FROM pg_catalog.pg_namespace \
                 WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' \
                 ORDER BY nspname"),
            (),
        )?
        .scalars()
        .all()
    }

    fn relation_names(
        &self,
        conn: &mut Connection,
        schema: &str,
        kind: Relation,
    ) -> Result<Vec<String>> {
        let kinds = match kind {
            Relation::Table => TABLES,
            Relation::View => VIEWS,
        };
        conn.execute(
            sql(&format!(
                "SELECT c.relname::text {RELATIONS} ORDER BY c.relname"
            )),
            relation_params(schema, kinds, None),
        )?
        .scalars()
        .all()
    }

    fn sequences(&self, conn: &mut Connection, schema: &str) -> Result<Vec<Sequence>> {
        let mut params = Params::with_capacity(1);
        params.insert("schema", schema);
        let rows = conn
            .execute(
                sql(concat!(
                    "SELECT ARRAY['', s.relname::text, ",
                    sequence_options!(),
                    "] FROM pg_catalog.pg_class s \
                     JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace \
                     JOIN pg_catalog.pg_sequence ps ON ps.seqrelid = s.oid \
                     WHERE s.relkind = 'S' AND n.nspname = :schema ORDER BY s.relname"
                )),
                &params,
            )?
            .all()?;
        rows.iter()
            .map(|row| {
                let seq = sequence_from(&names(&row.values()[0], "sequence")?)?;
                Ok(without_defaults(seq, &SqlType::BigInteger))
            })
            .collect()
    }

    fn read(
        &self,
        conn: &mut Connection,
        schema: &str,
        only: Option<&[String]>,
    ) -> Result<Vec<TableParts>> {
        let kinds = if only.is_some() { ALL } else { TABLES };
        let params = relation_params(schema, kinds, only);
        let mut tables = Vec::new();
        let mut position = HashMap::new();
        for row in conn
            .execute(
                sql(&format!(
                    "SELECT c.relname::text, obj_description(c.oid, 'pg_class'), \
                     CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END, \
                     CASE WHEN c.relispartition THEN (SELECT ARRAY[pn.nspname::text, pc.relname::text] \
                        FROM pg_catalog.pg_inherits inh \
                        JOIN pg_catalog.pg_class pc ON pc.oid = inh.inhparent \
                        JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace \
                        WHERE inh.inhrelid = c.oid) END, \
                     CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END \
                     {RELATIONS} ORDER BY c.relname"
                )),
                &params,
            )?
            .all()?
        {
            let v = row.values();
            let name = text(&v[0], "relname")?.to_owned();
            position.insert(name.clone(), tables.len());
            tables.push(TableParts {
                name,
                comment: opt_text(&v[1], "table comment")?.map(str::to_owned),
                partition_by: opt_text(&v[2], "partition key")?.and_then(partition_key),
                partition_of: partition_of(&v[3], &v[4])?,
                ..TableParts::default()
            });
        }
        if tables.is_empty() {
            return Ok(tables);
        }
        // Columns whose type is an enum or domain: (table, column, type OID).
        let mut user_typed = Vec::new();
        // A table created since the first query has no place; its rows are skipped.
        let at = |v: &Value| -> Result<Option<usize>> {
            Ok(position.get(text(v, "table name")?).copied())
        };
        for row in conn
            .execute(
                sql(&format!("{COLUMNS} {RELATIONS} {COLUMNS_ORDER}")),
                &params,
            )?
            .all()?
        {
            let v = row.values();
            if let Some(t) = at(&v[0])? {
                if let Some(oid) = opt_int(&v[12], "column type oid")? {
                    let oid = u32::try_from(oid).unwrap_or(0);
                    user_typed.push((t, tables[t].columns.len(), oid));
                }
                tables[t].columns.push(column(v)?);
            }
        }
        // A partition's columns take their defaults from its parent (PARTITION OF writes
        // none): a sequence the parent's SERIAL owns is the parent's, never one of its own.
        for table in tables.iter_mut().filter(|t| t.partition_of.is_some()) {
            for parts in &mut table.columns {
                if parts.sequence.take().is_some() {
                    parts.generated = true;
                }
            }
        }
        // Enums and domains: one more query, only when a column has such a type.
        if !user_typed.is_empty() {
            let mut oids: Vec<u32> = user_typed.iter().map(|&(_, _, oid)| oid).collect();
            oids.sort_unstable();
            oids.dedup();
            let types = pg_types::read_types(conn, schema, &oids)?;
            for (t, c, oid) in user_typed {
                if let Some(ty) = types.get(&oid) {
                    // The column's own type, or the element of its array.
                    match &mut tables[t].columns[c].column.sql_type {
                        SqlType::Array { item, .. } => **item = ty.clone(),
                        own => *own = ty.clone(),
                    }
                }
            }
        }
        for row in conn
            .execute(
                sql(&format!("{CONSTRAINTS} {RELATIONS} {CONSTRAINTS_ORDER}")),
                &params,
            )?
            .all()?
        {
            let v = row.values();
            if let Some(t) = at(&v[0])? {
                constraint(&mut tables[t], v)?;
            }
        }
        for row in conn
            .execute(
                sql(&format!("{INDEXES} {RELATIONS} {INDEXES_ORDER}")),
                &params,
            )?
            .all()?
        {
            let v = row.values();
            if let Some(t) = at(&v[0])? {
                tables[t].indexes.push(index(v)?);
            }
        }
        Ok(tables)
    }
}

/// Columns in order, with their type as PostgreSQL writes it, default, identity, whether a
/// sequence owned by the column (SERIAL) feeds the default, comment, generation, the sequence
/// a default draws from (schema, name, options), an identity's sequence options, the number of
/// array dimensions declared, and the type's OID when it (or the element of an array) is an
/// enum or a domain (user types only: OIDs from 16384, `FirstNormalObjectId`; a built-in
/// column type, whose array element is built-in too, is not looked up).
const COLUMNS: &str = concat!(
    "SELECT c.relname::text, a.attname::text, \
     pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, \
     pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, \
     EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep \
        JOIN pg_catalog.pg_class s ON s.oid = dep.objid AND s.relkind = 'S' \
        WHERE dep.classid = 'pg_catalog.pg_class'::regclass \
        AND dep.refclassid = 'pg_catalog.pg_class'::regclass AND dep.refobjid = c.oid \
        AND dep.refobjsubid = a.attnum AND dep.deptype = 'a'), \
     ds.description, a.attgenerated::text, \
     CASE WHEN d.oid IS NOT NULL AND a.attgenerated = '' THEN \
        (SELECT ARRAY[sn.nspname::text, s.relname::text, ",
    sequence_options!(),
    "] FROM pg_catalog.pg_depend dd \
         JOIN pg_catalog.pg_class s ON s.oid = dd.refobjid AND s.relkind = 'S' \
         JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace \
         JOIN pg_catalog.pg_sequence ps ON ps.seqrelid = s.oid \
         WHERE dd.classid = 'pg_catalog.pg_attrdef'::regclass AND dd.objid = d.oid \
           AND dd.refclassid = 'pg_catalog.pg_class'::regclass LIMIT 1) END, \
     CASE WHEN a.attidentity <> '' THEN \
        (SELECT ARRAY['', '', ",
    sequence_options!(),
    "] FROM pg_catalog.pg_depend di \
         JOIN pg_catalog.pg_sequence ps ON ps.seqrelid = di.objid \
         WHERE di.classid = 'pg_catalog.pg_class'::regclass \
           AND di.refclassid = 'pg_catalog.pg_class'::regclass AND di.refobjid = c.oid \
           AND di.refobjsubid = a.attnum AND di.deptype = 'i' LIMIT 1) END, \
     a.attndims::int4, \
     CASE WHEN a.atttypid >= 16384 THEN (SELECT ty.oid::int8 FROM pg_catalog.pg_type ty \
        WHERE ty.oid >= 16384 AND ty.typtype IN ('e', 'd') \
        AND ty.oid = (SELECT CASE WHEN at.typelem <> 0 AND at.typlen = -1 \
            THEN at.typelem ELSE at.oid END FROM pg_catalog.pg_type at \
            WHERE at.oid = a.atttypid)) END \
     FROM pg_catalog.pg_attribute a \
     JOIN (SELECT c.oid, c.relname"
);
const COLUMNS_ORDER: &str = ") c ON a.attrelid = c.oid \
     LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
     LEFT JOIN pg_catalog.pg_description ds ON ds.objoid = c.oid \
        AND ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objsubid = a.attnum \
     WHERE a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum";

fn column(v: &[Value]) -> Result<ColumnParts> {
    let type_name = text(&v[2], "column type")?;
    let dimensions = opt_int(&v[11], "attndims")?
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 1);
    let sql_type = column_type(type_name, dimensions);
    let identity = text(&v[5], "attidentity")?;
    let mut default = opt_text(&v[4], "column default")?;
    let nextval = default.is_some_and(|d| d.starts_with("nextval("));
    let serial = flag(&v[6], "owned sequence")? && nextval;
    let mut column = Column::new(text(&v[1], "attname")?, sql_type);
    column.nullable = !flag(&v[3], "attnotnull")?;
    if !text(&v[8], "attgenerated")?.is_empty() {
        // A generated column (PostgreSQL's are stored): its expression is not a default.
        column.computed = default
            .take()
            .map(|d| Computed::new(unparenthesized(d)).persisted(true));
    }
    // A default drawing from a sequence the column does not own: a sequence reference, so
    // a copy elsewhere creates its own sequence and draws from it.
    let mut sequence = None;
    if nextval && !serial {
        if let Some(parts) = opt_names(&v[9], "default sequence")? {
            sequence = Some(without_defaults(
                sequence_from(&parts)?,
                &SqlType::BigInteger,
            ));
            default = None;
        }
    }
    if serial {
        default = None;
    }
    column.server_default =
        default.map(|d| ServerDefault::Sql(strip_literal_cast(d, type_name).to_owned()));
    column.comment = opt_text(&v[7], "column comment")?.map(str::to_owned);
    if !identity.is_empty() {
        let mut options = Identity {
            always: identity == "a",
            ..Identity::default()
        };
        if let Some(parts) = opt_names(&v[10], "identity sequence")? {
            let seq = without_defaults(sequence_from(&parts)?, &column.sql_type);
            options.start = seq.start;
            options.increment = seq.increment;
            options.min_value = seq.min_value;
            options.max_value = seq.max_value;
            options.cache = seq.cache;
            options.cycle = seq.cycle;
        }
        column = column.identity_with(options);
    }
    Ok(ColumnParts {
        generated: !identity.is_empty() || serial || sequence.is_some(),
        column,
        sequence,
    })
}

/// `(a * b)` → `a * b`: the parentheses `pg_get_expr` puts around a whole expression (which
/// the DDL writes itself); `(a) + (b)` is left alone.
fn unparenthesized(sql: &str) -> &str {
    let Some(inner) = sql.strip_prefix('(').and_then(|s| s.strip_suffix(')')) else {
        return sql;
    };
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for ch in inner.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(ch),
            (None, '(') => depth += 1,
            (None, ')') => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return sql,
            },
            _ => {}
        }
    }
    if depth == 0 { inner } else { sql }
}

fn opt_names(v: &Value, what: &str) -> Result<Option<Vec<Arc<str>>>> {
    match v {
        Value::Null => Ok(None),
        other => names(other, what).map(Some),
    }
}

/// A sequence from `[schema, name, start, increment, min, max, cache, cycle]` (text), its
/// schema the database's name (`None` when not given).
fn sequence_from(parts: &[Arc<str>]) -> Result<Sequence> {
    let [schema, name, start, increment, min, max, cache, cycle] = parts else {
        return Err(unexpected_parts(parts));
    };
    let int = |s: &Arc<str>| s.parse::<i64>().map_err(|_| unexpected_parts(parts));
    let mut seq = Sequence::new(name.clone())
        .start(int(start)?)
        .increment(int(increment)?)
        .min_value(int(min)?)
        .max_value(int(max)?)
        .cache(int(cache)?)
        .cycle(&**cycle == "true");
    if !schema.is_empty() {
        seq = seq.schema(schema.clone());
    }
    Ok(seq)
}

/// The sequence with the options PostgreSQL would choose by itself left unset (as a declared
/// sequence states them): the bounds of `sql_type`, cache 1 (see [`ServerChoices`]).
fn without_defaults(seq: Sequence, sql_type: &SqlType) -> Sequence {
    let (min, max) = match sql_type {
        SqlType::SmallInteger => (i64::from(i16::MIN), i64::from(i16::MAX)),
        SqlType::Integer => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    sequence_defaults::without_defaults(seq, ServerChoices { min, max, cache: 1 })
}

fn unexpected_parts(parts: &[Arc<str>]) -> crate::error::Error {
    super::unexpected(
        "sequence options",
        &Value::Array(parts.iter().map(|p| Value::from(&**p)).collect()),
    )
}

/// `'x'::character varying` → `'x'` when the cast is to the column's own type (which the
/// literal is converted to anyway), so a declared literal default reflects as written.
fn strip_literal_cast<'a>(default: &'a str, column_type: &str) -> &'a str {
    let Some((literal, cast)) = default.rsplit_once("::") else {
        return default;
    };
    let base = column_type.split('(').next().unwrap_or(column_type);
    let quoted = literal.len() >= 2
        && literal.starts_with('\'')
        && literal.ends_with('\'')
        && !literal[1..literal.len() - 1]
            .replace("''", "")
            .contains('\'');
    if quoted && cast == base {
        literal
    } else {
        default
    }
}

/// Primary keys, unique, foreign-key and check constraints, columns in key order (each name
/// looked up by its own index probe, which costs the server less than a join per constraint;
/// a whole-row reference, number 0, names no column).
const CONSTRAINTS: &str = "SELECT c.relname::text, con.conname::text, con.contype::text, \
     ARRAY(SELECT (SELECT a.attname::text FROM pg_catalog.pg_attribute a \
            WHERE a.attrelid = con.conrelid AND a.attnum = k.num) \
        FROM unnest(con.conkey) WITH ORDINALITY k(num, ord) WHERE k.num <> 0 \
        ORDER BY k.ord), \
     rn.nspname::text, rc.relname::text, \
     ARRAY(SELECT (SELECT a.attname::text FROM pg_catalog.pg_attribute a \
            WHERE a.attrelid = con.confrelid AND a.attnum = k.num) \
        FROM unnest(con.confkey) WITH ORDINALITY k(num, ord) WHERE k.num <> 0 \
        ORDER BY k.ord), \
     con.confdeltype::text, con.confupdtype::text, \
     CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid, true) END \
     FROM pg_catalog.pg_constraint con \
     JOIN (SELECT c.oid, c.relname";
const CONSTRAINTS_ORDER: &str = ") c ON con.conrelid = c.oid \
     LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid \
     LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace \
     WHERE con.contype IN ('p', 'u', 'f', 'c') AND con.conparentid = 0 AND con.conislocal \
     ORDER BY c.relname, con.conname";

fn action(code: &str) -> Option<ReferentialAction> {
    match code {
        "c" => Some(ReferentialAction::Cascade),
        "n" => Some(ReferentialAction::SetNull),
        "d" => Some(ReferentialAction::SetDefault),
        "r" => Some(ReferentialAction::Restrict),
        // "a": NO ACTION, the default, is not stated.
        _ => None,
    }
}

fn constraint(table: &mut TableParts, v: &[Value]) -> Result<()> {
    let name = Some(text(&v[1], "conname")?.to_owned());
    let columns = names(&v[3], "constraint columns")?;
    match text(&v[2], "contype")? {
        "p" => {
            table.primary_key.name = name;
            table.primary_key.columns = columns;
        }
        "u" => table
            .unique_constraints
            .push(UniqueConstraint { name, columns }),
        "f" => table.foreign_keys.push(ForeignKey {
            name,
            columns,
            referred_schema: opt_text(&v[4], "referred schema")?.map(str::to_owned),
            referred_table: text(&v[5], "referred table")?.to_owned(),
            referred_columns: names(&v[6], "referred columns")?,
            on_delete: action(text(&v[7], "confdeltype")?),
            on_update: action(text(&v[8], "confupdtype")?),
        }),
        _ => table.check_constraints.push(CheckConstraint {
            name,
            sql: text(&v[9], "check expression")?.to_owned(),
        }),
    }
    Ok(())
}

/// Indexes other than those behind a primary-key, unique or exclusion constraint: per key
/// column its name ('' for an expression) and an expression's definition (`pg_get_indexdef`,
/// the costly part of the query, only where it is read), and the partial-index predicate;
/// the access method, per key column the operator class when it is not the type's default
/// ('' otherwise, schema-qualified outside `pg_catalog`) and the `indoption` bits (DESC,
/// NULLS FIRST), the INCLUDE columns and the storage parameters.
const INDEXES: &str = "SELECT c.relname::text, ic.relname::text, i.indisunique, \
     ARRAY(SELECT COALESCE((SELECT a.attname::text FROM pg_catalog.pg_attribute a \
            WHERE a.attrelid = i.indrelid AND a.attnum = k.num AND k.num <> 0), '') \
        FROM unnest(CAST(i.indkey AS int2[])) WITH ORDINALITY k(num, ord) \
        WHERE k.ord <= i.indnkeyatts ORDER BY k.ord), \
     ARRAY(SELECT CASE WHEN i.indkey[k - 1] = 0 \
            THEN pg_catalog.pg_get_indexdef(i.indexrelid, k, true) ELSE '' END \
        FROM generate_series(1, i.indnkeyatts) k ORDER BY k), \
     pg_catalog.pg_get_expr(i.indpred, i.indrelid, true), \
     am.amname::text, \
     ARRAY(SELECT CASE WHEN opc.opcdefault THEN '' \
            WHEN opn.nspname = 'pg_catalog' THEN opc.opcname::text \
            ELSE opn.nspname::text || '.' || opc.opcname::text END \
        FROM generate_series(1, i.indnkeyatts) k \
        JOIN pg_catalog.pg_opclass opc ON opc.oid = i.indclass[k - 1] \
        JOIN pg_catalog.pg_namespace opn ON opn.oid = opc.opcnamespace ORDER BY k), \
     ARRAY(SELECT i.indoption[k - 1]::int4 FROM generate_series(1, i.indnkeyatts) k ORDER BY k), \
     ARRAY(SELECT a.attname::text FROM generate_series(i.indnkeyatts + 1, i.indnatts) k \
        JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1] \
        ORDER BY k), \
     CAST(ic.reloptions AS text[]) \
     FROM pg_catalog.pg_index i \
     JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
     JOIN pg_catalog.pg_am am ON am.oid = ic.relam \
     JOIN (SELECT c.oid, c.relname";
const INDEXES_ORDER: &str = ") c ON i.indrelid = c.oid \
     WHERE i.indexrelid NOT IN (SELECT con.conindid FROM pg_catalog.pg_constraint con \
        WHERE con.contype IN ('p', 'u', 'x')) \
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits inh WHERE inh.inhrelid = i.indexrelid) \
     ORDER BY c.relname, ic.relname";

/// `pg_get_partkeydef`'s `RANGE (a, lower(b))` as a strategy and keys: a plain column name
/// is a column, anything else an expression.
fn partition_key(def: &str) -> Option<PartitionBy> {
    let (strategy, rest) = def.trim().split_once(' ')?;
    let strategy = match strategy {
        "RANGE" => PartitionStrategy::Range,
        "LIST" => PartitionStrategy::List,
        "HASH" => PartitionStrategy::Hash,
        _ => return None,
    };
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    let keys = split_top_level(inner)
        .into_iter()
        .map(|key| {
            let key = key.trim();
            let plain = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !key.starts_with(|c: char| c.is_ascii_digit());
            let quoted = key.len() >= 2
                && key.starts_with('"')
                && key.ends_with('"')
                && !key[1..key.len() - 1].contains('"');
            if plain {
                IndexElement::Column(key.into())
            } else if quoted {
                IndexElement::Column(key[1..key.len() - 1].into())
            } else {
                IndexElement::Expr(literal_column(key))
            }
        })
        .collect();
    Some(PartitionBy { strategy, keys })
}

/// `s` split at the commas outside parentheses and quotes.
fn split_top_level(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0);
    let (mut single, mut double) = (false, false);
    for (i, c) in s.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '(' if !single && !double => depth += 1,
            ')' if !single && !double => depth -= 1,
            ',' if depth == 0 && !single && !double => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// A partition's parent (schema and name) and its bound as `pg_get_expr` writes it
/// (`FOR VALUES FROM ('a') TO ('b')`, `DEFAULT`).
fn partition_of(parent: &Value, bound: &Value) -> Result<Option<PartitionParts>> {
    let Value::Array(parent) = parent else {
        return Ok(None);
    };
    let [schema, name] = parent.as_slice() else {
        return Err(super::unexpected(
            "partition parent",
            &Value::Array(parent.clone()),
        ));
    };
    let bound = text(bound, "partition bound")?;
    let bound = match bound.strip_prefix("FOR VALUES ") {
        Some(rest) => PartitionBound::Sql(rest.to_owned()),
        None if bound == "DEFAULT" => PartitionBound::Default,
        None => PartitionBound::Sql(bound.to_owned()),
    };
    Ok(Some(PartitionParts {
        parent_schema: text(schema, "parent schema")?.to_owned(),
        parent: text(name, "parent name")?.to_owned(),
        bound,
    }))
}

/// `indoption` bits: DESC, and NULLS FIRST.
const INDOPTION_DESC: i64 = 1;
const INDOPTION_NULLS_FIRST: i64 = 2;

fn index(v: &[Value]) -> Result<Index> {
    let columns = names(&v[3], "index columns")?;
    let definitions = names(&v[4], "index definitions")?;
    let elements: Vec<IndexElement> = columns
        .into_iter()
        .zip(definitions)
        .map(|(column, definition)| {
            if column.is_empty() {
                IndexElement::Expr(literal_column(&definition))
            } else {
                IndexElement::Column(column)
            }
        })
        .collect();
    let mut index = Index::new(text(&v[1], "index name")?, elements);
    index.unique = flag(&v[2], "indisunique")?;
    index.predicate = opt_text(&v[5], "index predicate")?.map(literal_column);
    // btree, the default, is left unstated, as a declared index without a method.
    let method = text(&v[6], "index method")?;
    if method != "btree" {
        index = index.using(IndexMethod::from_name(method));
    }
    let options = match &v[8] {
        Value::Array(items) => items
            .iter()
            .map(|o| int(o, "indoption"))
            .collect::<Result<Vec<_>>>()?,
        other => return Err(super::unexpected("indoption", other)),
    };
    for (k, opclass) in names(&v[7], "index operator classes")?.iter().enumerate() {
        if !opclass.is_empty() {
            index = index.opclass(k, &**opclass);
        }
        let option = options.get(k).copied().unwrap_or(0);
        let desc = option & INDOPTION_DESC != 0;
        let nulls_first = option & INDOPTION_NULLS_FIRST != 0;
        if desc {
            index = index.desc(k);
        }
        // NULLS FIRST is the default of DESC, NULLS LAST of ASC: only the other is stated.
        match (desc, nulls_first) {
            (true, false) => index = index.nulls_last(k),
            (false, true) => index = index.nulls_first(k),
            _ => {}
        }
    }
    index = index.include(names(&v[9], "included columns")?);
    if !matches!(v[10], Value::Null) {
        for option in names(&v[10], "index storage parameters")? {
            let (name, value) = option.split_once('=').unwrap_or((&option, ""));
            index = index.with_storage(name, value);
        }
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_expression_parentheses_are_dropped() {
        assert_eq!(unparenthesized("(a * b)"), "a * b");
        assert_eq!(unparenthesized("(a) + (b)"), "(a) + (b)");
        assert_eq!(unparenthesized("((a + 1) * 2)"), "(a + 1) * 2");
        assert_eq!(unparenthesized("a"), "a");
        assert_eq!(unparenthesized("(')' || a)"), "')' || a");
        assert_eq!(unparenthesized("('\"') || (a)"), "('\"') || (a)");
    }

    #[test]
    fn literal_casts_to_the_column_type_are_dropped() {
        assert_eq!(
            strip_literal_cast("'x'::character varying", "character varying(20)"),
            "'x'"
        );
        assert_eq!(strip_literal_cast("'a''b'::text", "text"), "'a''b'");
        assert_eq!(
            strip_literal_cast("'1.5'::numeric", "integer"),
            "'1.5'::numeric"
        );
        assert_eq!(
            strip_literal_cast("now()", "timestamp with time zone"),
            "now()"
        );
        assert_eq!(
            strip_literal_cast("'a'::text || 'b'::text", "text"),
            "'a'::text || 'b'::text"
        );
    }
}
