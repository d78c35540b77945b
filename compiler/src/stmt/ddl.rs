//! DDL statements: CREATE/DROP TABLE and INDEX, table and column comments, and the ordered
//! statement lists of `create_all` / `drop_all`.

use crate::compile::{Compile, Compiled};
use crate::dialect::{CommentStyle, Dialect, EnumStyle};
use crate::error::CompileError;
use crate::schema::{Index, MetaData, NamedType, SqlType, Table};
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

/// `CREATE TYPE … AS ENUM (…)` or `CREATE DOMAIN …` (PostgreSQL): a named type, created by
/// `create_all` before the tables that use it.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateType {
    /// The type.
    pub ty: NamedType,
    /// The schema it is created in: its own, or the one of the table that uses it.
    pub schema: Option<String>,
}

/// `DROP TYPE` / `DROP DOMAIN [IF EXISTS] …`, by `drop_all` after the tables.
#[derive(Debug, Clone, PartialEq)]
pub struct DropType {
    /// The type.
    pub ty: NamedType,
    /// The schema it lives in.
    pub schema: Option<String>,
    /// `IF EXISTS`.
    pub if_exists: bool,
}

/// Creates `ty` in its own schema, or else in `schema` (that of a table using it).
///
/// ```
/// use sqlcore_compiler::*;
/// let mood = EnumType::new("mood", ["sad", "happy"]);
/// assert_eq!(
///     create_type(NamedType::Enum(mood.clone()), Some("app")).compile(&PostgreSQL)?.sql,
///     "CREATE TYPE app.mood AS ENUM ('sad', 'happy')"
/// );
/// assert_eq!(
///     drop_type(NamedType::Enum(mood), None).if_exists().compile(&PostgreSQL)?.sql,
///     "DROP TYPE IF EXISTS mood"
/// );
/// # Ok::<(), CompileError>(())
/// ```
pub fn create_type(ty: NamedType, schema: Option<&str>) -> CreateType {
    let schema = ty.effective_schema(schema).map(str::to_owned);
    CreateType { ty, schema }
}

/// Drops `ty` from its own schema, or else from `schema`.
pub fn drop_type(ty: NamedType, schema: Option<&str>) -> DropType {
    let schema = ty.effective_schema(schema).map(str::to_owned);
    DropType {
        ty,
        schema,
        if_exists: false,
    }
}

impl DropType {
    /// `IF EXISTS`.
    pub fn if_exists(mut self) -> Self {
        self.if_exists = true;
        self
    }
}

/// The type of a column as a schema object on `dialect`, if it is one there: a native enum
/// where enums are created types, a domain where there are domains.
pub(crate) fn schema_object(sql_type: &SqlType, dialect: &dyn Dialect) -> Option<NamedType> {
    match sql_type {
        SqlType::Enum(e) if e.is_native() && dialect.enum_style() == EnumStyle::CreateType => {
            Some(NamedType::Enum(e.clone()))
        }
        SqlType::Domain(d) if dialect.supports_domains() => Some(NamedType::Domain(d.clone())),
        SqlType::Custom(c) => schema_object(c.impl_type(), dialect),
        _ => None,
    }
}

/// Adds the named types `sql_type` needs, in `schema` unless they have their own, after the
/// types they are built on; the same type twice is kept once, and two different types of one
/// name in one schema are an error.
fn collect_types(
    sql_type: &SqlType,
    schema: Option<&str>,
    dialect: &dyn Dialect,
    out: &mut Vec<CreateType>,
) -> Result<(), CompileError> {
    if let Some(item) = sql_type.array_item() {
        // An array of an enum or a domain needs the type as much as a plain column does.
        return collect_types(item, schema, dialect, out);
    }
    let Some(named) = schema_object(sql_type, dialect) else {
        return Ok(());
    };
    let create = create_type(named, schema);
    if let NamedType::Domain(d) = &create.ty {
        collect_types(d.base(), create.schema.as_deref(), dialect, out)?;
    }
    let same_place = |c: &CreateType| c.schema == create.schema && c.ty.name() == create.ty.name();
    match out.iter().find(|c| same_place(c)) {
        Some(existing) if existing.ty == create.ty => {}
        Some(_) => {
            return Err(CompileError::invalid(format!(
                "two different types are named {:?} in schema {:?}",
                create.ty.name(),
                create.schema
            )));
        }
        None => out.push(create),
    }
    Ok(())
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
    /// CREATE TYPE / CREATE DOMAIN.
    CreateType(CreateType),
    /// DROP TYPE / DROP DOMAIN.
    DropType(DropType),
    /// CREATE SEQUENCE.
    CreateSequence(super::CreateSequence),
    /// DROP SEQUENCE.
    DropSequence(super::DropSequence),
}

impl Compile for Ddl {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        match self {
            Ddl::CreateTable(s) => s.compile(dialect),
            Ddl::DropTable(s) => s.compile(dialect),
            Ddl::CreateIndex(s) => s.compile(dialect),
            Ddl::DropIndex(s) => s.compile(dialect),
            Ddl::SetComment(s) => s.compile(dialect),
            Ddl::CreateType(s) => s.compile(dialect),
            Ddl::DropType(s) => s.compile(dialect),
            Ddl::CreateSequence(s) => s.compile(dialect),
            Ddl::DropSequence(s) => s.compile(dialect),
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
    /// The named types the tables use on `dialect` (native enums and domains on PostgreSQL),
    /// each once, in the order of first use, a domain after the enum it is built on.
    pub fn named_types(&self, dialect: &dyn Dialect) -> Result<Vec<CreateType>, CompileError> {
        let mut out = Vec::new();
        for table in self.sorted_tables()? {
            for col in table.columns.values() {
                collect_types(&col.sql_type, table.schema.as_deref(), dialect, &mut out)?;
            }
        }
        Ok(out)
    }

    /// The DDL of SQLAlchemy's `create_all`: the named types the tables use (see
    /// [`MetaData::named_types`]) and the sequences the dialect uses (the metadata's and the
    /// columns' defaults, see [`MetaData::all_sequences`]) first, then every table (with its
    /// comments and indexes), referred tables before the tables that refer to them.
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
        let types = self.named_types(dialect)?.into_iter().map(Ddl::CreateType);
        let sequences = self
            .all_sequences()
            .into_iter()
            .filter(|s| s.applies_to(dialect))
            .map(|sequence| {
                Ddl::CreateSequence(super::CreateSequence {
                    sequence,
                    if_not_exists,
                })
            });
        let tables = self
            .sorted_tables()?
            .iter()
            .flat_map(|t| create_table_ddl(t, dialect, if_not_exists))
            .collect::<Vec<_>>();
        Ok(types.chain(sequences).chain(tables).collect())
    }

    /// The DDL of `drop_all`: DROP TABLE for every table, referring tables first, then DROP
    /// SEQUENCE for the sequences `dialect` uses, then the named types the tables use, in the
    /// reverse order of their creation.
    pub fn drop_all_ddl(
        &self,
        dialect: &dyn Dialect,
        if_exists: bool,
    ) -> Result<Vec<Ddl>, CompileError> {
        let sequences = self
            .all_sequences()
            .into_iter()
            .filter(|s| s.applies_to(dialect))
            .map(|sequence| {
                Ddl::DropSequence(super::DropSequence {
                    sequence,
                    if_exists,
                })
            });
        let tables = self
            .sorted_tables()?
            .into_iter()
            .rev()
            .map(|table| Ddl::DropTable(DropTable { table, if_exists }));
        let types = self.named_types(dialect)?.into_iter().rev().map(|c| {
            Ddl::DropType(DropType {
                ty: c.ty,
                schema: c.schema,
                if_exists,
            })
        });
        Ok(tables.chain(sequences).chain(types).collect())
    }
}
