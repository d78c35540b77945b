//! The MySQL / MariaDB catalog: `information_schema`, one query per kind of information
//! (tables, columns, keys, checks, indexes) for all the tables asked for at once.
//!
//! MySQL differs from the model in a few places, as in SQLAlchemy's MySQL dialect: a primary
//! key is always named `PRIMARY` (reflected without a name); every unique key is reflected as
//! a unique constraint (the server does not tell a UNIQUE constraint from a unique index) and
//! without its prefix lengths; RESTRICT, the server's default referential action, is reflected
//! as no action stated; the index the server creates by itself for a foreign key (named after
//! the constraint or its first column) is left out, as creating the foreign key adds it again;
//! `ON UPDATE CURRENT_TIMESTAMP` is read into the server default's SQL after the default, as
//! SQLAlchemy reflects it (see [`with_on_update`]). MariaDB's sequences are listed with their
//! options, and a column's `nextval(seq)` default is reflected as its sequence (see
//! [`mysql_sequences`](super::mysql_sequences)).

use super::mysql_sequences;
use super::mysql_types::{
    column_type, is_json_check, server_default, unquoted_names, with_on_update,
};
use super::read::{opt_int, opt_text, text};
use super::{Catalog, ColumnParts, Relation, TableParts, schema_and_json_names};
use crate::connection::Connection;
use crate::error::Result;
use crate::url::Backend;
use sqlcore_compiler::{
    CheckConstraint, Column, Computed, Dialect, ForeignKey, Index, IndexElement, IndexMethod,
    Params, ReferentialAction, Sequence, ServerDefault, SqlType, UniqueConstraint, Value,
    text as sql,
};
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) struct MySqlCatalog;

/// The tables a query covers: those of `:schema`, narrowed by `:only` (a JSON array of names,
/// or NULL) when given; `alias` names the catalog table holding `table_schema`/`table_name`.
fn relations(alias: &str) -> String {
    format!(
        "{alias}.table_schema = :schema AND (:only IS NULL \
         OR JSON_CONTAINS(:only, JSON_QUOTE({alias}.table_name)))"
    )
}

impl Catalog for MySqlCatalog {
    fn default_schema_name(&self, conn: &mut Connection) -> Result<String> {
        conn.execute(sql("SELECT COALESCE(DATABASE(), '')"), ())?
            .scalar_one()
    }

    fn schema_names(&self, conn: &mut Connection) -> Result<Vec<String>> {
        conn.execute(
            sql("SELECT schema_name FROM information_schema.schemata \
                 WHERE schema_name NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys') \
                 ORDER BY schema_name"),
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
            Relation::Table => "'BASE TABLE', 'SYSTEM VERSIONED'",
            Relation::View => "'VIEW'",
        };
        conn.execute(
            sql(&format!(
                "SELECT table_name FROM information_schema.tables \
                 WHERE table_schema = :schema AND table_type IN ({kinds})"
            )),
            params_schema(schema),
        )?
        .scalars()
        .all()
        .map(sorted)
    }

    /// The sequences (MariaDB's; MySQL has none): two queries, names then options.
    fn sequences(&self, conn: &mut Connection, schema: &str) -> Result<Vec<Sequence>> {
        let names = mysql_sequences::names(conn, schema)?;
        let keys: Vec<(&str, &str)> = names.iter().map(|n| (schema, n.as_str())).collect();
        // A sequence dropped between the two queries is left out.
        let found = mysql_sequences::with_options(conn, &keys)?;
        Ok(found.into_iter().flatten().collect())
    }

    fn read(
        &self,
        conn: &mut Connection,
        schema: &str,
        only: Option<&[String]>,
    ) -> Result<Vec<TableParts>> {
        let mariadb = conn.engine().url().backend() == Backend::MariaDb;
        let dialect = conn.engine().dialect();
        let params = schema_and_json_names(schema, only);
        let kinds = if only.is_some() {
            "'BASE TABLE', 'SYSTEM VERSIONED', 'VIEW'"
        } else {
            "'BASE TABLE', 'SYSTEM VERSIONED'"
        };
        let mut tables = Vec::new();
        for row in conn
            .execute(
                sql(&format!(
                    "SELECT t.table_name, t.table_type, t.table_comment \
                     FROM information_schema.tables t \
                     WHERE {} AND t.table_type IN ({kinds})",
                    relations("t")
                )),
                &params,
            )?
            .all()?
        {
            let v = row.values();
            let name = text(&v[0], "table name")?.to_owned();
            let view = text(&v[1], "table type")? == "VIEW";
            let comment = opt_text(&v[2], "table comment")?
                .filter(|c| !c.is_empty() && !view)
                .map(str::to_owned);
            tables.push(TableParts {
                name,
                comment,
                ..TableParts::default()
            });
        }
        if tables.is_empty() {
            return Ok(tables);
        }
        tables.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        let position: HashMap<String, usize> = tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        // A table created since the first query has no place; its rows are skipped.
        let at = |v: &Value| -> Result<Option<usize>> {
            Ok(position.get(text(v, "table name")?).copied())
        };

        for row in conn
            .execute(
                sql(&format!(
                    "SELECT c.table_name, c.column_name, c.column_type, c.is_nullable, \
                     c.column_default, c.extra, c.column_comment, c.generation_expression \
                     FROM information_schema.columns c WHERE {} \
                     ORDER BY c.table_name, c.ordinal_position",
                    relations("c")
                )),
                &params,
            )?
            .all()?
        {
            let v = row.values();
            if let Some(t) = at(&v[0])? {
                tables[t].columns.push(column(v, !mariadb, dialect)?);
            }
        }
        sequence_defaults(conn, &mut tables)?;

        // Keys, one row per column in key order (names compared as bytes: the catalog's
        // collation would mix tables whose names differ in case only).
        let mut keys: Vec<Key> = Vec::new();
        for row in conn
            .execute(
                sql(&format!(
                    "SELECT k.table_name, k.constraint_name, tc.constraint_type, k.column_name, \
                     k.referenced_table_schema, k.referenced_table_name, k.referenced_column_name, \
                     rc.update_rule, rc.delete_rule \
                     FROM information_schema.key_column_usage k \
                     JOIN information_schema.table_constraints tc \
                       ON tc.constraint_schema = k.constraint_schema \
                      AND tc.table_name = k.table_name AND tc.constraint_name = k.constraint_name \
                     LEFT JOIN information_schema.referential_constraints rc \
                       ON rc.constraint_schema = k.constraint_schema \
                      AND rc.table_name = k.table_name AND rc.constraint_name = k.constraint_name \
                     WHERE {} AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY') \
                     ORDER BY CAST(k.table_name AS BINARY), CAST(k.constraint_name AS BINARY), \
                     k.ordinal_position",
                    relations("k")
                )),
                &params,
            )?
            .all()?
        {
            let v = row.values();
            let Some(t) = at(&v[0])? else { continue };
            let name = text(&v[1], "constraint name")?;
            let kind = text(&v[2], "constraint type")?;
            let column: Arc<str> = Arc::from(text(&v[3], "key column")?);
            match keys.last_mut() {
                Some(key) if key.table == t && key.name == name && key.kind == kind => {
                    key.columns.push(column);
                    if let Some(referred) = opt_text(&v[6], "referenced column")? {
                        key.referred_columns.push(Arc::from(referred));
                    }
                }
                _ => keys.push(Key {
                    table: t,
                    name: name.to_owned(),
                    kind: kind.to_owned(),
                    columns: vec![column],
                    referred_schema: opt_text(&v[4], "referenced schema")?.map(str::to_owned),
                    referred_table: opt_text(&v[5], "referenced table")?.map(str::to_owned),
                    referred_columns: opt_text(&v[6], "referenced column")?
                        .map(Arc::from)
                        .into_iter()
                        .collect(),
                    on_update: opt_text(&v[7], "update rule")?.and_then(action),
                    on_delete: opt_text(&v[8], "delete rule")?.and_then(action),
                }),
            }
        }
        for key in keys {
            let t = key.table;
            key.finish(&mut tables[t]);
        }

        read_checks(conn, &params, mariadb, dialect, &mut tables, &at)?;
        read_indexes(conn, &params, &mut tables, &at)?;
        Ok(tables)
    }
}

/// Names in byte order (the catalog's collation ignores case and sorts `_` after letters).
fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort_unstable();
    names
}

fn params_schema(schema: &str) -> Params {
    let mut params = Params::with_capacity(1);
    params.insert("schema", schema);
    params
}

/// A column: type, nullability, default, AUTO_INCREMENT, comment, generation.
fn column(v: &[Value], mysql_literals: bool, dialect: &dyn Dialect) -> Result<ColumnParts> {
    let name = text(&v[1], "column name")?;
    let sql_type = column_type(name, text(&v[2], "column type")?);
    let extra = opt_text(&v[5], "extra")?.unwrap_or("");
    let lower_extra = extra.to_ascii_lowercase();
    let mut column = Column::new(name, sql_type);
    column.nullable = text(&v[3], "is_nullable")? == "YES";
    column.comment = opt_text(&v[6], "column comment")?
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let generation = opt_text(&v[7], "generation expression")?.filter(|g| !g.is_empty());
    if let Some(expr) = generation {
        let stored = lower_extra.contains("stored") || lower_extra.contains("persistent");
        column.computed = Some(Computed::new(unquoted_names(expr, dialect)).persisted(stored));
    }
    let default = opt_text(&v[4], "column default")?;
    let sequence = match default.and_then(mysql_sequences::nextval_default) {
        // Its options are read for all such columns at once (sequence_defaults).
        Some((schema, name)) => Some(Sequence::new(name).schema(schema)),
        None => {
            if column.computed.is_none() {
                let default = server_default(default, &column.sql_type, extra, mysql_literals);
                column.server_default =
                    with_on_update(default, extra, column.nullable).map(ServerDefault::Sql);
            }
            None
        }
    };
    Ok(ColumnParts {
        generated: lower_extra.contains("auto_increment") || sequence.is_some(),
        column,
        sequence,
    })
}

/// The options of the sequences columns draw from (`nextval(seq)` defaults): one query for
/// all of them, none when no column has such a default.
fn sequence_defaults(conn: &mut Connection, tables: &mut [TableParts]) -> Result<()> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for part in tables.iter().flat_map(|t| &t.columns) {
        if let Some(seq) = &part.sequence {
            let key = (
                seq.schema.as_deref().unwrap_or_default().to_owned(),
                seq.name.to_string(),
            );
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    let refs: Vec<(&str, &str)> = keys.iter().map(|(s, n)| (s.as_str(), n.as_str())).collect();
    let found = mysql_sequences::with_options(conn, &refs)?;
    for part in tables.iter_mut().flat_map(|t| &mut t.columns) {
        let Some(seq) = &mut part.sequence else {
            continue;
        };
        let schema = seq.schema.as_deref().unwrap_or_default();
        let at = refs
            .iter()
            .position(|&(s, n)| s == schema && n == &*seq.name);
        if let Some(Some(read)) = at.map(|i| &found[i]) {
            let schema = seq.schema.take();
            *seq = read.clone();
            seq.schema = schema;
        }
    }
    Ok(())
}

/// RESTRICT and NO ACTION (the same on MySQL, and the default) are not stated.
fn action(rule: &str) -> Option<ReferentialAction> {
    match rule {
        "CASCADE" => Some(ReferentialAction::Cascade),
        "SET NULL" => Some(ReferentialAction::SetNull),
        "SET DEFAULT" => Some(ReferentialAction::SetDefault),
        _ => None,
    }
}

/// A primary key, unique key or foreign key being read, its columns in order.
struct Key {
    table: usize,
    name: String,
    kind: String,
    columns: Vec<Arc<str>>,
    referred_schema: Option<String>,
    referred_table: Option<String>,
    referred_columns: Vec<Arc<str>>,
    on_update: Option<ReferentialAction>,
    on_delete: Option<ReferentialAction>,
}

impl Key {
    fn finish(self, table: &mut TableParts) {
        match self.kind.as_str() {
            // Always named PRIMARY: reflected without a name, as SQLAlchemy does.
            "PRIMARY KEY" => table.primary_key.columns = self.columns,
            "UNIQUE" => table.unique_constraints.push(UniqueConstraint {
                name: Some(self.name),
                columns: self.columns,
            }),
            _ => table.foreign_keys.push(ForeignKey {
                name: Some(self.name),
                columns: self.columns,
                referred_schema: self.referred_schema,
                referred_table: self.referred_table.unwrap_or_default(),
                referred_columns: self.referred_columns,
                on_delete: self.on_delete,
                on_update: self.on_update,
            }),
        }
    }
}

/// Check constraints (MariaDB 10.2+, MySQL 8.0.16+). MariaDB names a check per table and says
/// whether it was declared on a column; MySQL names them per schema.
fn read_checks(
    conn: &mut Connection,
    params: &Params,
    mariadb: bool,
    dialect: &dyn Dialect,
    tables: &mut [TableParts],
    at: &dyn Fn(&Value) -> Result<Option<usize>>,
) -> Result<()> {
    let query = if mariadb {
        format!(
            "SELECT cc.table_name, cc.constraint_name, cc.check_clause, cc.level \
             FROM information_schema.check_constraints cc \
             WHERE {} ORDER BY cc.table_name, cc.constraint_name",
            relations("cc").replace("cc.table_schema", "cc.constraint_schema")
        )
    } else {
        format!(
            "SELECT tc.table_name, cc.constraint_name, cc.check_clause, 'Table' \
             FROM information_schema.table_constraints tc \
             JOIN information_schema.check_constraints cc \
               ON cc.constraint_schema = tc.constraint_schema \
              AND cc.constraint_name = tc.constraint_name \
             WHERE {} AND tc.constraint_type = 'CHECK' \
             ORDER BY tc.table_name, cc.constraint_name",
            relations("tc")
        )
    };
    for row in conn.execute(sql(&query), params)?.all()? {
        let v = row.values();
        let Some(t) = at(&v[0])? else { continue };
        let name = text(&v[1], "check name")?;
        let clause = text(&v[2], "check clause")?;
        let table = &mut tables[t];
        if text(&v[3], "check level")? == "Column" && is_json_check(name, clause) {
            if let Some(parts) = table.columns.iter_mut().find(|c| &*c.column.name == name) {
                if matches!(&parts.column.sql_type, SqlType::Other(n) if n == "LONGTEXT") {
                    parts.column.sql_type = SqlType::Json;
                    continue;
                }
            }
        }
        table.check_constraints.push(CheckConstraint {
            name: Some(name.to_owned()),
            sql: unquoted_names(clause, dialect),
        });
    }
    Ok(())
}

/// Indexes other than the primary key, unique keys (reflected as constraints) and the index
/// the server adds for a foreign key: per column in order, its name and prefix length.
fn read_indexes(
    conn: &mut Connection,
    params: &Params,
    tables: &mut [TableParts],
    at: &dyn Fn(&Value) -> Result<Option<usize>>,
) -> Result<()> {
    let query = format!(
        "SELECT s.table_name, s.index_name, s.column_name, s.sub_part, s.index_type \
         FROM information_schema.statistics s \
         WHERE {} AND s.non_unique = 1 \
         ORDER BY CAST(s.table_name AS BINARY), CAST(s.index_name AS BINARY), s.seq_in_index",
        relations("s")
    );
    let mut pending: Vec<PendingIndex> = Vec::new();
    for row in conn.execute(sql(&query), params)?.all()? {
        let v = row.values();
        let Some(table) = at(&v[0])? else { continue };
        let name = text(&v[1], "index name")?;
        let column = (
            Arc::from(text(&v[2], "index column")?),
            opt_int(&v[3], "sub_part")?.and_then(|n| u32::try_from(n).ok()),
        );
        match pending.last_mut() {
            Some(p) if p.table == table && p.name == name => p.columns.push(column),
            _ => pending.push(PendingIndex {
                table,
                name: name.to_owned(),
                kind: text(&v[4], "index type")?.to_ascii_lowercase(),
                columns: vec![column],
            }),
        }
    }
    for p in pending {
        let table = &mut tables[p.table];
        let index = p.finish();
        if !is_foreign_key_index(table, &index) {
            table.indexes.push(index);
        }
    }
    Ok(())
}

/// An index being read: its columns with their prefix lengths.
struct PendingIndex {
    table: usize,
    name: String,
    /// `btree`, `hash`, `fulltext`, `spatial`.
    kind: String,
    columns: Vec<(Arc<str>, Option<u32>)>,
}

impl PendingIndex {
    fn finish(self) -> Index {
        let elements: Vec<IndexElement> = self
            .columns
            .iter()
            .map(|(c, _)| IndexElement::Column(c.clone()))
            .collect();
        let mut index = Index::new(self.name, elements);
        // BTREE, InnoDB's only kind of ordinary index, is left unstated.
        if matches!(self.kind.as_str(), "fulltext" | "spatial") {
            index = index.using(IndexMethod::from_name(&self.kind));
        }
        for (k, (_, prefix)) in self.columns.into_iter().enumerate() {
            if let Some(n) = prefix {
                index = index.prefix_length(k, n);
            }
        }
        index
    }
}

/// Whether `index` is the one the server created for a foreign key: the key's columns, named
/// after the constraint or its first column.
fn is_foreign_key_index(table: &TableParts, index: &Index) -> bool {
    table.foreign_keys.iter().any(|fk| {
        let named = fk.name.as_deref() == Some(index.name.as_str())
            || fk.columns.first().is_some_and(|c| **c == *index.name);
        let columns = index.elements.len() == fk.columns.len()
            && index
                .elements
                .iter()
                .zip(&fk.columns)
                .enumerate()
                .all(|(k, (e, c))| {
                    matches!(e, IndexElement::Column(name) if name == c)
                        && index.element_options(k).length.is_none()
                });
        named && columns
    })
}
