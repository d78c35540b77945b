//! DDL statements: CREATE/DROP TABLE and INDEX, table and column comments, and the ordered
//! statement lists of `create_all` / `drop_all`.

use crate::compile::{Compile, Compiled};
use crate::dialect::{CommentStyle, Dialect};
use crate::error::CompileError;
use crate::schema::{Index, MetaData, Table};
use std::borrow::Cow;

/// `CREATE TABLE [IF NOT EXISTS] ...` with columns and constraints.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTable {
    /// The table.
    pub table: Table,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
}

/// `DROP TABLE [IF EXISTS] ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct DropTable {
    /// The table.
    pub table: Table,
    /// `IF EXISTS`.
    pub if_exists: bool,
}

/// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateIndex {
    /// The indexed table.
    pub table: Table,
    /// The index.
    pub index: Index,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
}

/// `DROP INDEX [IF EXISTS] name`.
#[derive(Debug, Clone, PartialEq)]
pub struct DropIndex {
    /// The table the index belongs to (MySQL names it; schemas qualify the index elsewhere).
    pub table: Table,
    /// The index name.
    pub name: String,
    /// `IF EXISTS`.
    pub if_exists: bool,
}

/// `COMMENT ON TABLE|COLUMN ... IS '...'` (PostgreSQL).
#[derive(Debug, Clone, PartialEq)]
pub struct SetComment {
    /// The table.
    pub table: Table,
    /// The column, or `None` for the table's own comment.
    pub column: Option<String>,
    /// The comment text.
    pub comment: String,
}

/// `CREATE TABLE table`.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t")
///     .column(Column::new("id", SqlType::Integer).primary_key())
///     .column(Column::new("name", SqlType::String(Some(20))).not_null());
/// assert_eq!(
///     create_table(&t).compile(&SQLite).unwrap().sql,
///     "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(20) NOT NULL)"
/// );
/// ```
pub fn create_table(table: &Table) -> CreateTable {
    CreateTable {
        table: table.clone(),
        if_not_exists: false,
    }
}

/// `DROP TABLE table`.
pub fn drop_table(table: &Table) -> DropTable {
    DropTable {
        table: table.clone(),
        if_exists: false,
    }
}

/// `CREATE INDEX` for `index` on `table`.
pub fn create_index(table: &Table, index: &Index) -> CreateIndex {
    CreateIndex {
        table: table.clone(),
        index: index.clone(),
        if_not_exists: false,
    }
}

/// `DROP INDEX name` of `table`.
pub fn drop_index(table: &Table, name: &str) -> DropIndex {
    DropIndex {
        table: table.clone(),
        name: name.to_owned(),
        if_exists: false,
    }
}

impl CreateTable {
    /// `IF NOT EXISTS`.
    pub fn if_not_exists(mut self) -> Self {
        self.if_not_exists = true;
        self
    }
}

impl DropTable {
    /// `IF EXISTS`.
    pub fn if_exists(mut self) -> Self {
        self.if_exists = true;
        self
    }
}

impl CreateIndex {
    /// `IF NOT EXISTS`.
    pub fn if_not_exists(mut self) -> Self {
        self.if_not_exists = true;
        self
    }
}

impl DropIndex {
    /// `IF EXISTS`.
    pub fn if_exists(mut self) -> Self {
        self.if_exists = true;
        self
    }
}

/// Any DDL statement.
// An index with its options is the largest; DDL is built a few times per schema, never in a
// hot path, so it is not boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Ddl {
    /// CREATE TABLE.
    CreateTable(CreateTable),
    /// DROP TABLE.
    DropTable(DropTable),
    /// CREATE INDEX.
    CreateIndex(CreateIndex),
    /// DROP INDEX.
    DropIndex(DropIndex),
    /// COMMENT ON.
    SetComment(SetComment),
}

impl Compile for Ddl {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        match self {
            Ddl::CreateTable(s) => s.compile(dialect),
            Ddl::DropTable(s) => s.compile(dialect),
            Ddl::CreateIndex(s) => s.compile(dialect),
            Ddl::DropIndex(s) => s.compile(dialect),
            Ddl::SetComment(s) => s.compile(dialect),
        }
    }
}

/// The statements that create `table` on `dialect`: CREATE TABLE, then the comment statements
/// where comments are separate (PostgreSQL), then CREATE INDEX for each index.
pub fn create_table_ddl(table: &Table, dialect: &dyn Dialect, if_not_exists: bool) -> Vec<Ddl> {
    let mut out = vec![Ddl::CreateTable(CreateTable {
        table: table.clone(),
        if_not_exists,
    })];
    if dialect.comment_style() == CommentStyle::Statements {
        if let Some(comment) = &table.comment {
            out.push(Ddl::SetComment(SetComment {
                table: table.clone(),
                column: None,
                comment: comment.clone(),
            }));
        }
        for col in table.columns.values() {
            if let Some(comment) = &col.comment {
                out.push(Ddl::SetComment(SetComment {
                    table: table.clone(),
                    column: Some(col.name.to_string()),
                    comment: comment.clone(),
                }));
            }
        }
    }
    // A column index's name is generated: shortened to the dialect's limit (as SQLAlchemy
    // shortens names made by its naming convention), where a name the user gave that is too
    // long is an error.
    let limit = dialect.max_identifier_length();
    let generated = table.column_indexes().map(|mut index| {
        if let Cow::Owned(short) = limit.truncate(&index.name) {
            index.name = short;
        }
        index
    });
    for index in table.indexes.iter().cloned().chain(generated) {
        out.push(Ddl::CreateIndex(CreateIndex {
            table: table.clone(),
            index,
            if_not_exists,
        }));
    }
    out
}

impl MetaData {
    /// The DDL of SQLAlchemy's `create_all`: every table (with its comments and indexes),
    /// referred tables before the tables that refer to them.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let mut md = MetaData::new();
    /// md.add(Table::new("child").column(Column::new("pid", SqlType::Integer).references("parent.id")))?;
    /// md.add(Table::new("parent").column(Column::new("id", SqlType::Integer).primary_key()))?;
    /// let sql: Vec<String> = md.create_all_ddl(&PostgreSQL, false)?
    ///     .iter().map(|d| d.compile(&PostgreSQL).map(|c| c.sql)).collect::<Result<_, _>>()?;
    /// assert!(sql[0].starts_with("CREATE TABLE parent"));
    /// assert!(sql[1].starts_with("CREATE TABLE child"));
    /// # Ok::<(), CompileError>(())
    /// ```
    pub fn create_all_ddl(
        &self,
        dialect: &dyn Dialect,
        if_not_exists: bool,
    ) -> Result<Vec<Ddl>, CompileError> {
        Ok(self
            .sorted_tables()?
            .iter()
            .flat_map(|t| create_table_ddl(t, dialect, if_not_exists))
            .collect())
    }

    /// The DDL of `drop_all`: DROP TABLE for every table, referring tables first.
    pub fn drop_all_ddl(&self, if_exists: bool) -> Result<Vec<Ddl>, CompileError> {
        Ok(self
            .sorted_tables()?
            .iter()
            .rev()
            .map(|t| {
                Ddl::DropTable(DropTable {
                    table: t.clone(),
                    if_exists,
                })
            })
            .collect())
    }
}
