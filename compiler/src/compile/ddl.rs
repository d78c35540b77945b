//! Rendering DDL: CREATE/DROP TABLE, COMMENT ON (indexes: [`super::index`]).

use super::{Compile, Compiled, Compiler, Res};
use crate::dialect::{AutoincrementStyle, CommentStyle, Dialect};
use crate::error::CompileError;
use crate::schema::{Column, PrimaryKey, ServerDefault, SqlType};
use crate::stmt::{CreateIndex, CreateTable, DropIndex, DropTable, SetComment};
use std::sync::Arc;

/// Whether a server default's SQL can be written bare after DEFAULT (a keyword, number or
/// string literal); anything else is parenthesised, as SQLite requires for expressions.
fn bare_default(sql: &str) -> bool {
    let s = sql.trim();
    let word = |w: &str| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    // `CURRENT_TIMESTAMP(6)`: a keyword with its fractional-seconds precision.
    let with_precision = s.split_once('(').is_some_and(|(name, rest)| {
        [
            "CURRENT_TIMESTAMP",
            "CURRENT_TIME",
            "LOCALTIMESTAMP",
            "LOCALTIME",
        ]
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k))
            && rest
                .strip_suffix(')')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    });
    with_precision
        || word(s)
        || s.parse::<f64>().is_ok()
        || (s.len() >= 2
            && s.starts_with('\'')
            && s.ends_with('\'')
            && !s[1..s.len() - 1].replace("''", "").contains('\''))
}

impl Compiler<'_> {
    pub(super) fn ident_list(&mut self, names: &[Arc<str>]) -> Res {
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            self.ident(n)?;
        }
        Ok(())
    }

    fn constraint_name(&mut self, name: &Option<String>) -> Res {
        if let Some(name) = name {
            self.w("CONSTRAINT ");
            self.ident(name)?;
            self.w(" ");
        }
        Ok(())
    }

    fn comment_literal(&mut self, comment: &str) -> Res {
        let lit = self.d.quote_string(comment)?;
        self.w(&lit);
        Ok(())
    }

    /// A column's definition; `inline_pk` is the table's primary key when it is written on
    /// this column (SQLite's `INTEGER PRIMARY KEY`), keeping its name.
    fn column_def(
        &mut self,
        col: &Column,
        schema: Option<&str>,
        autoinc: bool,
        inline_pk: Option<&PrimaryKey>,
    ) -> Res {
        self.ident(&col.name)?;
        self.w(" ");
        let style = self.d.autoincrement_style();
        // A sequence default the dialect uses takes SERIAL's place (an optional sequence
        // does not: SERIAL is the dialect's own key generation).
        let sequence = col.sequence().filter(|s| s.applies_to(self.d));
        let serial = autoinc && col.identity.is_none() && sequence.is_none();
        match (autoinc, style) {
            (true, AutoincrementStyle::Serial) if serial => {
                self.w(match col.sql_type {
                    SqlType::SmallInteger => "SMALLSERIAL",
                    SqlType::BigInteger => "BIGSERIAL",
                    _ => "SERIAL",
                });
            }
            (true, AutoincrementStyle::IntegerPrimaryKey) => self.w("INTEGER"),
            _ => self.type_name(&col.sql_type, schema)?,
        }
        // Identity and generated columns are PostgreSQL's and MySQL's syntax; SQLite and
        // MySQL have no identity: there the column is the autoincrement key (as SQLAlchemy).
        if let (Some(identity), AutoincrementStyle::Serial) = (&col.identity, style) {
            self.identity(identity)?;
        }
        if let Some(computed) = &col.computed {
            self.computed(computed)?;
        }
        if let Some(seq) = sequence {
            self.w(" DEFAULT ");
            self.next_value(seq)?;
        } else if let Some(default) = &col.server_default {
            self.server_default(default)?;
        }
        if !col.nullable {
            self.w(" NOT NULL");
        }
        if let Some(pk) = inline_pk {
            self.w(" ");
            self.constraint_name(&pk.name)?;
            self.w("PRIMARY KEY");
            if col.autoincrement == crate::schema::Autoincrement::Yes {
                self.w(" AUTOINCREMENT");
            }
        }
        if autoinc && sequence.is_none() && style == AutoincrementStyle::AutoIncrementKeyword {
            self.w(" AUTO_INCREMENT");
        }
        if let (Some(comment), CommentStyle::Inline) = (&col.comment, self.d.comment_style()) {
            self.w(" COMMENT ");
            self.comment_literal(comment)?;
        }
        Ok(())
    }

    /// ` DEFAULT …`, with MySQL's ` ON UPDATE …` where the default's SQL carries one.
    fn server_default(&mut self, default: &ServerDefault) -> Res {
        let (sql, on_update) = match (default, default.on_update()) {
            (ServerDefault::Value(v), _) => {
                let lit = self.d.literal_sql(v)?;
                self.w(" DEFAULT ");
                self.w(&lit);
                return Ok(());
            }
            (_, Some((sql, on_update))) => {
                self.unsupported_unless(
                    self.d.supports_on_update_default(),
                    "ON UPDATE in a server default",
                )?;
                (sql, Some(on_update))
            }
            (ServerDefault::Sql(sql), None) => (sql.as_str(), None),
        };
        self.w(" DEFAULT ");
        if bare_default(sql) {
            self.w(sql);
        } else {
            self.w("(");
            self.w(sql);
            self.w(")");
        }
        if let Some(on_update) = on_update {
            self.w(" ON UPDATE ");
            self.w(on_update);
        }
        Ok(())
    }

    fn create_table(&mut self, ct: &CreateTable) -> Res {
        let table = &ct.table;
        table.validate()?;
        if table.columns.is_empty() {
            return Err(CompileError::InvalidTable {
                table: table.name.clone(),
                reason: "it has no columns".into(),
            });
        }
        if table.partition_by.is_some() || table.partition_of.is_some() {
            self.unsupported_unless(self.d.supports_partitioning(), "a partitioned table")?;
        }
        if let Some(of) = &table.partition_of {
            self.w("CREATE TABLE ");
            if ct.if_not_exists {
                self.w("IF NOT EXISTS ");
            }
            self.table_name(table)?;
            return self.partition_of(table, of);
        }
        let autoinc = table.autoincrement_column().cloned();
        let style = self.d.autoincrement_style();
        let pk = &table.primary_key.columns;
        let inline_pk_col = match (&autoinc, style) {
            (Some(col), AutoincrementStyle::IntegerPrimaryKey) => {
                if pk.len() != 1 || pk[0] != col.name {
                    return Err(CompileError::unsupported(
                        format!(
                            "autoincrement on column {:?}, which is not the single-column primary key",
                            col.name
                        ),
                        self.d.name(),
                    ));
                }
                Some(col.name.clone())
            }
            _ => None,
        };
        self.w("CREATE TABLE ");
        if ct.if_not_exists {
            self.w("IF NOT EXISTS ");
        }
        self.table_name(table)?;
        self.w(" (");
        for (i, col) in table.columns.values().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            let is_autoinc = autoinc.as_ref().is_some_and(|a| a.name == col.name);
            let inline = inline_pk_col.as_ref().is_some_and(|n| *n == col.name);
            let schema = table.schema.as_deref();
            self.column_def(
                col,
                schema,
                is_autoinc,
                inline.then_some(&table.primary_key),
            )?;
        }
        if !pk.is_empty() && inline_pk_col.is_none() {
            self.w(", ");
            self.constraint_name(&table.primary_key.name)?;
            self.w("PRIMARY KEY (");
            self.ident_list(pk)?;
            self.w(")");
        }
        for col in table.columns.values().filter(|c| c.unique && !c.index) {
            self.w(", UNIQUE (");
            self.ident(&col.name)?;
            self.w(")");
        }
        for u in &table.unique_constraints {
            self.w(", ");
            self.constraint_name(&u.name)?;
            self.w("UNIQUE (");
            self.ident_list(&u.columns)?;
            self.w(")");
        }
        for fk in &table.foreign_keys {
            self.w(", ");
            self.constraint_name(&fk.name)?;
            self.w("FOREIGN KEY (");
            self.ident_list(&fk.columns)?;
            self.w(") REFERENCES ");
            if self.d.qualifies_references() {
                self.schema(fk.referred_schema.as_deref())?;
            }
            self.ident(&fk.referred_table)?;
            self.w(" (");
            self.ident_list(&fk.referred_columns)?;
            self.w(")");
            if let Some(action) = fk.on_delete {
                self.w(" ON DELETE ");
                self.w(action.as_sql());
            }
            if let Some(action) = fk.on_update {
                self.w(" ON UPDATE ");
                self.w(action.as_sql());
            }
        }
        for col in table.columns.values() {
            self.enum_check(col)?;
        }
        for check in &table.check_constraints {
            self.w(", ");
            self.constraint_name(&check.name)?;
            self.w("CHECK (");
            self.w(&check.sql);
            self.w(")");
        }
        self.w(")");
        if let Some(by) = &table.partition_by {
            self.partition_by(table, by)?;
        }
        if let (Some(comment), CommentStyle::Inline) = (&table.comment, self.d.comment_style()) {
            self.w(" COMMENT ");
            self.comment_literal(comment)?;
        }
        Ok(())
    }

    fn set_comment(&mut self, sc: &SetComment) -> Res {
        if self.d.comment_style() != CommentStyle::Statements {
            return Err(CompileError::unsupported("COMMENT ON", self.d.name()));
        }
        match &sc.column {
            None => {
                self.w("COMMENT ON TABLE ");
                self.table_name(&sc.table)?;
            }
            Some(col) => {
                if !sc.table.columns.contains_key(col.as_str()) {
                    return Err(CompileError::NoSuchColumn {
                        source_name: sc.table.fullname(),
                        column: col.clone(),
                    });
                }
                self.w("COMMENT ON COLUMN ");
                self.table_name(&sc.table)?;
                self.w(".");
                self.ident(col)?;
            }
        }
        self.w(" IS ");
        self.comment_literal(&sc.comment)
    }
}

macro_rules! compile_ddl {
    ($($t:ty => $method:ident),*) => {$(
        impl Compile for $t {
            fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
                let mut c = Compiler::new(dialect);
                c.$method(self)?;
                c.finish(Vec::new())
            }
        }
    )*};
}
compile_ddl!(CreateTable => create_table, CreateIndex => create_index, DropIndex => drop_index, SetComment => set_comment);

impl Compile for DropTable {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        let mut c = Compiler::new(dialect);
        c.w("DROP TABLE ");
        if self.if_exists {
            c.w("IF EXISTS ");
        }
        c.table_name(&self.table)?;
        c.finish(Vec::new())
    }
}
