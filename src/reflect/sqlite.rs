//! SQLite's catalog: the PRAGMA table-valued functions (`pragma_table_xinfo`,
//! `pragma_foreign_key_list`, `pragma_index_list`, `pragma_index_xinfo`) joined to
//! `sqlite_master`, one query per kind for all tables; the CREATE statements are parsed with
//! sqlparser for constraint names, CHECKs, AUTOINCREMENT and index expressions.

use super::read::{flag, int, opt_text, text};
use super::{Catalog, ColumnParts, Relation, TableParts, schema_and_json_names, split_type_name};
use crate::connection::Connection;
use crate::error::Result;
use sqlcore_compiler::{
    Autoincrement, CheckConstraint, Column, Computed, Dialect, ForeignKey, Index, IndexElement,
    ReferentialAction, SQLite, ServerDefault, SqlType, UniqueConstraint, ValueRef, literal_column,
    text as sql,
};
use sqlparser::ast::{self, ColumnOption, Statement, TableConstraint};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;
use std::sync::Arc;

pub(crate) struct SqliteCatalog;

/// `<schema>.sqlite_master`, the schema quoted.
fn master_table(schema: &str) -> Result<String> {
    Ok(format!(
        "{}.sqlite_master",
        SQLite.quote_identifier(schema)?
    ))
}

/// `FROM <schema>.sqlite_master m <joins> WHERE <the tables asked for>`; `:only` is a JSON
/// array of names or NULL.
fn relations(schema: &str, joins: &str, views: bool) -> Result<String> {
    let master = master_table(schema)?;
    let types = if views { "'table', 'view'" } else { "'table'" };
    Ok(format!(
        "FROM {master} m {joins} WHERE m.type IN ({types}) \
         AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         AND (:only IS NULL OR m.name IN (SELECT value FROM json_each(:only)))"
    ))
}

impl Catalog for SqliteCatalog {
    fn default_schema_name(&self, _conn: &mut Connection) -> Result<String> {
        Ok("main".to_owned())
    }

    fn schema_names(&self, conn: &mut Connection) -> Result<Vec<String>> {
        conn.execute(
            sql("SELECT name FROM pragma_database_list WHERE name <> 'temp' ORDER BY seq"),
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
        let master = master_table(schema)?;
        let kind = match kind {
            Relation::Table => "table",
            Relation::View => "view",
        };
        conn.execute(
            sql(&format!(
                "SELECT name FROM {master} WHERE type = '{kind}' \
                 AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )),
            (),
        )?
        .scalars()
        .all()
    }

    fn read(
        &self,
        conn: &mut Connection,
        schema: &str,
        only: Option<&[String]>,
    ) -> Result<Vec<TableParts>> {
        let views = only.is_some();
        let params = schema_and_json_names(schema, only);
        // Each query reads its rows in place, unsorted: the rows of a table are found by its
        // rowid, and put in order here (SQLite's sorter costs more than sorting a table's few
        // rows).
        let mut found: Vec<(String, i64, Option<String>)> = Vec::new();
        let from = relations(schema, "", views)?;
        conn.for_each_row(
            sql(&format!("SELECT m.name, m.rowid, m.sql {from}")),
            &params,
            |row| {
                let v = row.value_refs();
                found.push((
                    text(&v[0], "table name")?.to_owned(),
                    int(&v[1], "rowid")?,
                    opt_text(&v[2], "table sql")?.map(str::to_owned),
                ));
                Ok(())
            },
        )?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        found.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut by_rowid: Vec<(i64, usize)> = found
            .iter()
            .enumerate()
            .map(|(i, (_, rowid, _))| (*rowid, i))
            .collect();
        by_rowid.sort_unstable();
        let (mut tables, create_sql): (Vec<TableParts>, Vec<Option<String>>) = found
            .into_iter()
            .map(|(name, _, create)| {
                (
                    TableParts {
                        name,
                        ..TableParts::default()
                    },
                    create,
                )
            })
            .unzip();
        // A table created since the first query has no place; its rows are skipped.
        let at = |v: &ValueRef<'_>| -> Result<Option<usize>> {
            let rowid = int(v, "rowid")?;
            Ok(by_rowid
                .binary_search_by_key(&rowid, |&(r, _)| r)
                .ok()
                .map(|i| by_rowid[i].1))
        };

        let from = relations(schema, "JOIN pragma_table_xinfo(m.name, :schema) p", views)?;
        let mut column_numbers: Vec<Vec<i64>> = vec![Vec::new(); tables.len()];
        let mut key_positions: Vec<Vec<(i64, Arc<str>)>> = vec![Vec::new(); tables.len()];
        conn.for_each_row(
            sql(&format!(
                "SELECT m.rowid, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, \
                 p.hidden {from} AND p.hidden <> 1"
            )),
            &params,
            |row| {
                let v = row.value_refs();
                let Some(t) = at(&v[0])? else { return Ok(()) };
                let name: Arc<str> = text(&v[2], "column name")?.into();
                let mut column = Column::new(name.clone(), sql_type(text(&v[3], "column type")?));
                column.nullable = !flag(&v[4], "notnull")?;
                // A generated column's expression is not a default: it is read from the
                // CREATE statement below (hidden 2: virtual, 3: stored).
                match int(&v[7], "hidden")? {
                    0 => {
                        column.server_default =
                            opt_text(&v[5], "default")?.map(|d| ServerDefault::Sql(d.to_owned()));
                    }
                    hidden @ (2 | 3) => {
                        column.computed = Some(Computed::new("").persisted(hidden == 3));
                    }
                    _ => {}
                }
                let key = int(&v[6], "pk")?;
                if key > 0 {
                    key_positions[t].push((key, name));
                }
                column_numbers[t].push(int(&v[1], "cid")?);
                let columns = &mut tables[t].columns;
                if columns.capacity() == 0 {
                    // Room for a typical table at once rather than by doubling from 4.
                    columns.reserve(8);
                }
                columns.push(ColumnParts {
                    column,
                    generated: false,
                    sequence: None,
                });
                Ok(())
            },
        )?;
        for ((table, numbers), mut keys) in tables.iter_mut().zip(column_numbers).zip(key_positions)
        {
            if !numbers.is_sorted() {
                let mut numbered: Vec<(i64, ColumnParts)> =
                    numbers.into_iter().zip(table.columns.drain(..)).collect();
                numbered.sort_by_key(|(cid, _)| *cid);
                table.columns = numbered.into_iter().map(|(_, c)| c).collect();
            }
            keys.sort();
            table.primary_key.columns = keys.into_iter().map(|(_, n)| n).collect();
            // The rowid alias: a sole primary-key column declared exactly INTEGER.
            if let [key] = table.primary_key.columns.as_slice() {
                if let Some(col) = table.columns.iter_mut().find(|c| c.column.name == *key) {
                    col.generated = col.column.sql_type == SqlType::Integer;
                }
            }
        }

        // Foreign keys: one row per column, in declaration order once sorted (SQLite numbers
        // a table's keys from the last declared).
        let from = relations(
            schema,
            "JOIN pragma_foreign_key_list(m.name, :schema) f",
            views,
        )?;
        let mut key_rows: Vec<ForeignKeyRow> = Vec::new();
        conn.for_each_row(
            sql(&format!(
                "SELECT m.rowid, f.id, f.seq, f.\"table\", f.\"from\", \
                 COALESCE(f.\"to\", (SELECT k.name FROM pragma_table_info(f.\"table\", :schema) k \
                    WHERE k.pk = f.seq + 1)), f.on_update, f.on_delete {from}"
            )),
            &params,
            |row| {
                let v = row.value_refs();
                let Some(t) = at(&v[0])? else { return Ok(()) };
                key_rows.push(ForeignKeyRow {
                    table: t,
                    id: int(&v[1], "foreign key id")?,
                    seq: int(&v[2], "foreign key seq")?,
                    referred_table: text(&v[3], "referred table")?.to_owned(),
                    column: text(&v[4], "foreign key column")?.into(),
                    referred: text(&v[5], "referred column")?.into(),
                    on_update: action(text(&v[6], "on_update")?),
                    on_delete: action(text(&v[7], "on_delete")?),
                });
                Ok(())
            },
        )?;
        key_rows.sort_unstable_by_key(|k| (k.table, std::cmp::Reverse(k.id), k.seq));
        let mut last: Option<(usize, i64)> = None;
        for key in key_rows {
            let fks = &mut tables[key.table].foreign_keys;
            if last == Some((key.table, key.id)) {
                if let Some(fk) = fks.last_mut() {
                    fk.columns.push(key.column);
                    fk.referred_columns.push(key.referred);
                }
                continue;
            }
            last = Some((key.table, key.id));
            fks.push(ForeignKey {
                name: None,
                columns: vec![key.column],
                referred_schema: Some(schema.to_owned()),
                referred_table: key.referred_table,
                referred_columns: vec![key.referred],
                on_delete: key.on_delete,
                on_update: key.on_update,
            });
        }

        // Indexes: one row per key column, put in order of table, index name and position.
        let master = master_table(schema)?;
        let from = relations(
            schema,
            "JOIN pragma_index_list(m.name, :schema) il \
             JOIN pragma_index_xinfo(il.name, :schema) xi",
            views,
        )?;
        let mut index_rows: Vec<IndexRow> = Vec::new();
        conn.for_each_row(
            sql(&format!(
                "SELECT m.rowid, il.name, il.\"unique\", il.origin, xi.seqno, xi.name, \
                 CASE WHEN il.partial OR xi.cid = -2 THEN \
                    (SELECT x.sql FROM {master} x WHERE x.type = 'index' AND x.name = il.name) END, \
                 xi.\"desc\" {from} AND xi.key = 1 AND il.origin <> 'pk'"
            )),
            &params,
            |row| {
                let v = row.value_refs();
                let Some(t) = at(&v[0])? else { return Ok(()) };
                index_rows.push(IndexRow {
                    table: t,
                    name: text(&v[1], "index name")?.to_owned(),
                    unique: flag(&v[2], "unique")?,
                    constraint: text(&v[3], "origin")? == "u",
                    seqno: int(&v[4], "index column position")?,
                    column: opt_text(&v[5], "index column")?.map(Arc::from),
                    sql: opt_text(&v[6], "index sql")?.map(str::to_owned),
                    descending: flag(&v[7], "index column desc")?,
                });
                Ok(())
            },
        )?;
        index_rows
            .sort_unstable_by(|a, b| (a.table, &a.name, a.seqno).cmp(&(b.table, &b.name, b.seqno)));
        let mut pending: Option<(usize, PendingIndex)> = None;
        for row in index_rows {
            let same = pending
                .as_ref()
                .is_some_and(|(t, index)| *t == row.table && index.name == row.name);
            if !same {
                if let Some((pt, index)) = pending.take() {
                    index.finish(&mut tables[pt]);
                }
                pending = Some((
                    row.table,
                    PendingIndex {
                        name: row.name,
                        unique: row.unique,
                        constraint: row.constraint,
                        columns: Vec::new(),
                        descending: Vec::new(),
                        sql: None,
                    },
                ));
            }
            if let Some((_, index)) = pending.as_mut() {
                index.columns.push(row.column);
                index.descending.push(row.descending);
                if row.sql.is_some() {
                    index.sql = row.sql;
                }
            }
        }
        if let Some((pt, index)) = pending.take() {
            index.finish(&mut tables[pt]);
        }

        for (table, create) in tables.iter_mut().zip(create_sql) {
            let generated = table.columns.iter().any(|c| c.column.computed.is_some());
            if let Some(create) = create.filter(|s| generated || needs_parse(s)) {
                apply_create_table(table, &create);
            }
            // A generated column whose expression could not be read comes back plain.
            for col in &mut table.columns {
                if col
                    .column
                    .computed
                    .as_ref()
                    .is_some_and(|c| c.sql.is_empty())
                {
                    col.column.computed = None;
                }
            }
        }
        Ok(tables)
    }
}

/// A foreign key's row: one column of it.
struct ForeignKeyRow {
    table: usize,
    id: i64,
    seq: i64,
    referred_table: String,
    column: Arc<str>,
    referred: Arc<str>,
    on_update: Option<ReferentialAction>,
    on_delete: Option<ReferentialAction>,
}

/// An index's row: one key column of it.
struct IndexRow {
    table: usize,
    name: String,
    unique: bool,
    constraint: bool,
    seqno: i64,
    column: Option<Arc<str>>,
    sql: Option<String>,
    descending: bool,
}

/// An index being gathered from its rows (one per key column).
struct PendingIndex {
    name: String,
    unique: bool,
    /// Backs a UNIQUE constraint of the table rather than a CREATE INDEX.
    constraint: bool,
    /// Column names; `None` for an expression.
    columns: Vec<Option<Arc<str>>>,
    /// Whether each key column sorts descending.
    descending: Vec<bool>,
    /// The CREATE INDEX statement, read when the index has expressions or a WHERE.
    sql: Option<String>,
}

impl PendingIndex {
    fn finish(self, table: &mut TableParts) {
        if self.constraint {
            table.unique_constraints.push(UniqueConstraint {
                name: None,
                columns: self.columns.into_iter().flatten().collect(),
            });
            return;
        }
        let (elements, predicate) = match self.sql.as_deref().and_then(parse_create_index) {
            Some(parsed) => parsed,
            None => (
                self.columns
                    .into_iter()
                    .map(|c| IndexElement::Column(c.unwrap_or_else(|| Arc::from(""))))
                    .collect(),
                None,
            ),
        };
        let mut index = Index::new(self.name, elements);
        index.unique = self.unique;
        index.predicate = predicate;
        for (k, desc) in self.descending.into_iter().enumerate() {
            if desc {
                index = index.desc(k);
            }
        }
        table.indexes.push(index);
    }
}

fn action(rule: &str) -> Option<ReferentialAction> {
    match rule {
        "CASCADE" => Some(ReferentialAction::Cascade),
        "SET NULL" => Some(ReferentialAction::SetNull),
        "SET DEFAULT" => Some(ReferentialAction::SetDefault),
        "RESTRICT" => Some(ReferentialAction::Restrict),
        // NO ACTION, the default, is not stated.
        _ => None,
    }
}

/// A declared type, as written in CREATE TABLE. SQLite keeps only the declared name, so the
/// `timezone` flag of a `DateTime` is what the name says: `DATETIME` naive, `TIMESTAMP` (what
/// sqlcore creates for `timezone: true`) aware. SQLAlchemy creates both kinds as `DATETIME`:
/// its aware columns reflect as naive. Nothing else is lost, as both kinds store the same
/// text (SQLAlchemy's storage format, the UTC wall clock for an aware value).
fn sql_type(name: &str) -> SqlType {
    // Lower-cased on the stack first, so that splitting it copies nothing.
    let mut buf = [0u8; 32];
    let lower = match buf.get_mut(..name.len()) {
        Some(lower) => {
            lower.copy_from_slice(name.as_bytes());
            lower.make_ascii_lowercase();
            std::str::from_utf8(lower).unwrap_or(name)
        }
        None => name,
    };
    let (base, args, rest) = split_type_name(lower);
    if !rest.is_empty() {
        return SqlType::Other(name.to_owned());
    }
    match (&*base, args.as_slice()) {
        ("integer" | "int", []) => SqlType::Integer,
        ("smallint", []) => SqlType::SmallInteger,
        ("bigint", []) => SqlType::BigInteger,
        ("float", []) => SqlType::Float,
        ("real", []) => SqlType::Real,
        ("double" | "double precision", []) => SqlType::Double,
        ("numeric" | "decimal", []) => SqlType::Numeric(None, None),
        ("numeric" | "decimal", [p]) => SqlType::Numeric(Some(*p), None),
        ("numeric" | "decimal", [p, s]) => SqlType::Numeric(Some(*p), Some(*s)),
        ("varchar" | "nvarchar" | "character varying", []) => SqlType::String(None),
        ("varchar" | "nvarchar" | "character varying", [n]) => SqlType::String(Some(*n)),
        ("char" | "character" | "nchar", []) => SqlType::Char(None),
        ("char" | "character" | "nchar", [n]) => SqlType::Char(Some(*n)),
        ("text" | "clob", []) => SqlType::Text,
        ("boolean" | "bool", []) => SqlType::Boolean,
        ("date", []) => SqlType::Date,
        ("time", []) => SqlType::TIME,
        ("datetime", []) => SqlType::DATETIME,
        ("timestamp", []) => SqlType::DATETIME_TZ,
        ("interval", []) => SqlType::INTERVAL,
        ("blob", []) => SqlType::LargeBinary,
        ("uuid", []) => SqlType::Uuid,
        ("json", []) => SqlType::Json,
        _ => SqlType::Other(name.to_owned()),
    }
}

/// Whether a CREATE TABLE says something the pragmas do not: constraint names, CHECKs,
/// AUTOINCREMENT, generated columns' expressions.
fn needs_parse(create: &str) -> bool {
    let lower = create.to_ascii_lowercase();
    ["constraint", "check", "autoincrement", "generated"]
        .iter()
        .any(|w| lower.contains(w))
}

fn parse_one(sql: &str) -> Option<Statement> {
    match Parser::parse_sql(&SQLiteDialect {}, sql) {
        Ok(mut statements) if statements.len() == 1 => statements.pop(),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(target: "sqlcore.reflect", error = %e, sql, "could not parse a CREATE statement; constraint names and CHECKs from it are not reflected");
            None
        }
    }
}

fn idents(list: &[ast::Ident]) -> Vec<Arc<str>> {
    list.iter().map(|i| Arc::from(i.value.as_str())).collect()
}

fn index_columns(list: &[ast::IndexColumn]) -> Vec<Arc<str>> {
    list.iter()
        .map(|c| match unnest(&c.column.expr) {
            ast::Expr::Identifier(ident) => Arc::from(ident.value.as_str()),
            other => Arc::from(other.to_string()),
        })
        .collect()
}

fn unnest(expr: &ast::Expr) -> &ast::Expr {
    match expr {
        ast::Expr::Nested(inner) => unnest(inner),
        other => other,
    }
}

/// The elements and predicate of a CREATE INDEX.
fn parse_create_index(sql: &str) -> Option<(Vec<IndexElement>, Option<sqlcore_compiler::Expr>)> {
    let Statement::CreateIndex(ci) = parse_one(sql)? else {
        return None;
    };
    let elements = ci
        .columns
        .iter()
        .map(|c| match unnest(&c.column.expr) {
            ast::Expr::Identifier(ident) => IndexElement::Column(Arc::from(ident.value.as_str())),
            other => IndexElement::Expr(literal_column(&other.to_string())),
        })
        .collect();
    let predicate = ci
        .predicate
        .as_ref()
        .map(|p| literal_column(&unnest(p).to_string()));
    Some((elements, predicate))
}

/// Names the constraints the pragmas left unnamed and adds CHECKs and AUTOINCREMENT, from the
/// table's CREATE statement.
fn apply_create_table(table: &mut TableParts, create: &str) {
    let Some(Statement::CreateTable(ct)) = parse_one(create) else {
        return;
    };
    let mut named_unique: Vec<(String, Vec<Arc<str>>)> = Vec::new();
    let mut named_fks: Vec<(String, Vec<Arc<str>>)> = Vec::new();
    for column in &ct.columns {
        let col_name: Arc<str> = column.name.value.as_str().into();
        for def in &column.options {
            let name = def.name.as_ref().map(|n| n.value.clone());
            match &def.option {
                ColumnOption::PrimaryKey(pk) => {
                    if let Some(name) = name.or_else(|| pk.name.as_ref().map(|n| n.value.clone()))
                    {
                        table.primary_key.name = Some(name);
                    }
                }
                ColumnOption::Unique(u) => {
                    if let Some(name) = name.or_else(|| u.name.as_ref().map(|n| n.value.clone())) {
                        named_unique.push((name, vec![col_name.clone()]));
                    }
                }
                ColumnOption::ForeignKey(fk) => {
                    if let Some(name) = name.or_else(|| fk.name.as_ref().map(|n| n.value.clone()))
                    {
                        named_fks.push((name, vec![col_name.clone()]));
                    }
                }
                ColumnOption::Check(check) => table.check_constraints.push(CheckConstraint {
                    name: name.or_else(|| check.name.as_ref().map(|n| n.value.clone())),
                    sql: check.expr.to_string(),
                }),
                ColumnOption::Generated {
                    generation_expr: Some(expr),
                    ..
                } => {
                    if let Some(c) = table.columns.iter_mut().find(|c| c.column.name == col_name) {
                        if let Some(computed) = &mut c.column.computed {
                            computed.sql = unnest(expr).to_string();
                        }
                    }
                }
                ColumnOption::DialectSpecific(tokens)
                    if tokens.iter().any(|t| {
                        matches!(t, Token::Word(w) if w.value.eq_ignore_ascii_case("autoincrement"))
                    }) =>
                {
                    if let Some(c) = table.columns.iter_mut().find(|c| c.column.name == col_name) {
                        c.column.autoincrement = Autoincrement::Yes;
                    }
                }
                _ => {}
            }
        }
    }
    for constraint in &ct.constraints {
        match constraint {
            TableConstraint::PrimaryKey(pk) => {
                if let Some(name) = &pk.name {
                    table.primary_key.name = Some(name.value.clone());
                }
            }
            TableConstraint::Unique(u) => {
                if let Some(name) = &u.name {
                    named_unique.push((name.value.clone(), index_columns(&u.columns)));
                }
            }
            TableConstraint::ForeignKey(fk) => {
                if let Some(name) = &fk.name {
                    named_fks.push((name.value.clone(), idents(&fk.columns)));
                }
            }
            TableConstraint::Check(check) => table.check_constraints.push(CheckConstraint {
                name: check.name.as_ref().map(|n| n.value.clone()),
                sql: check.expr.to_string(),
            }),
            _ => {}
        }
    }
    for (name, columns) in named_unique {
        if let Some(u) = table
            .unique_constraints
            .iter_mut()
            .find(|u| u.name.is_none() && u.columns == columns)
        {
            u.name = Some(name);
        }
    }
    for (name, columns) in named_fks {
        if let Some(fk) = table
            .foreign_keys
            .iter_mut()
            .find(|fk| fk.name.is_none() && fk.columns == columns)
        {
            fk.name = Some(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_map_to_sql_types() {
        assert_eq!(sql_type("VARCHAR(20)"), SqlType::String(Some(20)));
        assert_eq!(sql_type("CHAR(3)"), SqlType::Char(Some(3)));
        assert_eq!(sql_type("CHARACTER"), SqlType::Char(None));
        assert_eq!(sql_type("NCHAR(2)"), SqlType::Char(Some(2)));
        assert_eq!(sql_type("TIMESTAMP"), SqlType::DATETIME_TZ);
        assert_eq!(
            sql_type("NUMERIC(10, 2)"),
            SqlType::Numeric(Some(10), Some(2))
        );
        assert_eq!(sql_type("GEOMETRY"), SqlType::Other("GEOMETRY".into()));
    }

    #[test]
    fn create_table_supplies_names_checks_and_autoincrement() {
        let mut table = TableParts {
            name: "t".into(),
            columns: vec![ColumnParts {
                column: Column::new("id", SqlType::Integer),
                generated: true,
                sequence: None,
            }],
            unique_constraints: vec![UniqueConstraint::new(["a", "b"])],
            ..TableParts::default()
        };
        apply_create_table(
            &mut table,
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a INT, b INT, \
             CONSTRAINT uq_ab UNIQUE (a, b), CONSTRAINT ck_a CHECK (a > 0), CHECK (b <> a))",
        );
        assert_eq!(table.columns[0].column.autoincrement, Autoincrement::Yes);
        assert_eq!(table.unique_constraints[0].name.as_deref(), Some("uq_ab"));
        assert_eq!(table.check_constraints.len(), 2);
        assert_eq!(table.check_constraints[0].name.as_deref(), Some("ck_a"));
        assert_eq!(table.check_constraints[0].sql, "a > 0");
    }
}
