//! Named column types: [`EnumType`] (SQLAlchemy's `Enum`) and [`DomainType`] (PostgreSQL's
//! `CREATE DOMAIN`), and [`NamedType`], either of them as a schema object that `create_all`
//! creates before the tables and `drop_all` drops after them.

use crate::error::CompileError;
use crate::schema::{CheckConstraint, SqlType};
use crate::value::Value;
use std::sync::Arc;

/// An enumerated type (SQLAlchemy's `Enum`): a name, its values in order, and how it is
/// stored. Cheap to clone (shared).
///
/// - On PostgreSQL a native enum is a type of its own, `CREATE TYPE name AS ENUM ('a', …)`,
///   created by `create_all` before the tables that use it and dropped by `drop_all` after
///   them. Its schema is [`EnumType::schema`], or else the schema of the table using it (as
///   SQLAlchemy's `inherit_schema=True`), and it follows `schema_translate_map` like a table.
/// - On MySQL a native enum is written inline: `ENUM('a', 'b')`.
/// - Elsewhere (SQLite), or with [`EnumType::native`]`(false)`, it is SQLAlchemy's non-native
///   enum: `VARCHAR(n)`, `n` the longest value (or [`EnumType::length`]), and with
///   [`EnumType::create_constraint`]`(true)` a `CHECK (col IN ('a', …))` constraint named after
///   the type (SQLAlchemy 2.x's default is no constraint).
///
/// A value bound where the type is known must be one of the values (or NULL): anything else is
/// a [`CompileError::InvalidEnumValue`] before the database sees it. Values read back as text.
///
/// ```
/// use sqlcore_compiler::*;
/// let mood = EnumType::new("mood", ["sad", "ok", "happy"]);
/// let t = Table::new("people").column(Column::new("feeling", SqlType::Enum(mood.clone())));
/// assert_eq!(create_table(&t).compile(&PostgreSQL)?.sql, "CREATE TABLE people (feeling mood)");
/// assert_eq!(create_table(&t).compile(&MySQL)?.sql, "CREATE TABLE people (feeling ENUM('sad', 'ok', 'happy'))");
/// assert_eq!(create_table(&t).compile(&SQLite)?.sql, "CREATE TABLE people (feeling VARCHAR(5))");
/// let checked = Table::new("people")
///     .column(Column::new("feeling", SqlType::Enum(mood.create_constraint(true))));
/// assert_eq!(
///     create_table(&checked).compile(&SQLite)?.sql,
///     "CREATE TABLE people (feeling VARCHAR(5), CONSTRAINT mood CHECK (feeling IN ('sad', 'ok', 'happy')))"
/// );
/// # Ok::<(), CompileError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EnumType(Arc<EnumDef>);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct EnumDef {
    name: String,
    values: Vec<String>,
    schema: Option<String>,
    native: bool,
    create_constraint: bool,
    length: Option<u32>,
}

impl EnumType {
    /// An enum named `name` with `values` in order: native where the dialect has enums, no
    /// CHECK constraint, the schema of the table that uses it.
    pub fn new<I, S>(name: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        EnumType(Arc::new(EnumDef {
            name: name.into(),
            values: values.into_iter().map(Into::into).collect(),
            schema: None,
            native: true,
            create_constraint: false,
            length: None,
        }))
    }

    fn with(self, f: impl FnOnce(&mut EnumDef)) -> Self {
        let mut def = Arc::unwrap_or_clone(self.0);
        f(&mut def);
        EnumType(Arc::new(def))
    }

    /// The same type under another name (a copy of a schema where the name is taken).
    pub fn renamed(self, name: impl Into<String>) -> Self {
        self.with(|d| d.name = name.into())
    }

    /// The type's own schema (PostgreSQL), instead of the schema of the table using it.
    pub fn schema(self, schema: impl Into<String>) -> Self {
        self.with(|d| d.schema = Some(schema.into()))
    }

    /// SQLAlchemy's `native_enum` (default true): `false` stores the values as `VARCHAR` on
    /// every dialect.
    pub fn native(self, native: bool) -> Self {
        self.with(|d| d.native = native)
    }

    /// SQLAlchemy's `create_constraint` (default false): where the enum is not native, a CHECK
    /// constraint keeps the column to the values.
    pub fn create_constraint(self, create: bool) -> Self {
        self.with(|d| d.create_constraint = create)
    }

    /// SQLAlchemy's `length`: the `VARCHAR` length of a non-native enum (default: the longest
    /// value's length in characters).
    pub fn length(self, length: u32) -> Self {
        self.with(|d| d.length = Some(length))
    }

    /// The type's name.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The values, in order.
    pub fn values(&self) -> &[String] {
        &self.0.values
    }

    /// The schema given with [`EnumType::schema`].
    pub fn schema_name(&self) -> Option<&str> {
        self.0.schema.as_deref()
    }

    /// Whether the enum is native where the dialect has enums.
    pub fn is_native(&self) -> bool {
        self.0.native
    }

    /// Whether a non-native enum gets a CHECK constraint.
    pub fn creates_constraint(&self) -> bool {
        self.0.create_constraint
    }

    /// The `VARCHAR` length of the non-native form.
    pub fn varchar_length(&self) -> u32 {
        self.0.length.unwrap_or_else(|| {
            let longest = self.0.values.iter().map(|v| v.chars().count()).max();
            u32::try_from(longest.unwrap_or(0)).unwrap_or(u32::MAX)
        })
    }

    /// Checks that `value` may be bound to this type: NULL or one of the values.
    pub fn check(&self, value: &Value) -> Result<(), CompileError> {
        match value {
            Value::Null => Ok(()),
            Value::Text(s) if self.0.values.iter().any(|v| v == s) => Ok(()),
            other => Err(CompileError::InvalidEnumValue {
                type_name: self.0.name.clone(),
                value: match other {
                    Value::Text(s) => format!("{s:?}"),
                    other => format!("a {} value", other.kind_name()),
                },
                allowed: self.0.values.clone(),
            }),
        }
    }
}

/// A PostgreSQL domain (`CREATE DOMAIN name AS base …`): a base type with an optional NOT
/// NULL, default and named CHECK constraints. Values bind and read as the base type. Cheap to
/// clone (shared).
///
/// Its schema is [`DomainType::schema`], or else the schema of the table using it, and it
/// follows `schema_translate_map`, so a tenant's copy of a schema creates its own domain. On
/// dialects without domains (SQLite, MySQL) a column of a domain type is written as the base
/// type, without the domain's constraints; `create_all` creates no domain there.
///
/// ```
/// use sqlcore_compiler::*;
/// let positive = DomainType::new("positive_int", SqlType::Integer)
///     .not_null()
///     .check(Some("positive"), "VALUE > 0");
/// let create = create_type(NamedType::Domain(positive.clone()), None);
/// assert_eq!(
///     create.compile(&PostgreSQL)?.sql,
///     "CREATE DOMAIN positive_int AS INTEGER NOT NULL CONSTRAINT positive CHECK (VALUE > 0)"
/// );
/// let t = Table::new("t").column(Column::new("n", SqlType::Domain(positive)));
/// assert_eq!(create_table(&t).compile(&PostgreSQL)?.sql, "CREATE TABLE t (n positive_int)");
/// assert_eq!(create_table(&t).compile(&SQLite)?.sql, "CREATE TABLE t (n INTEGER)");
/// # Ok::<(), CompileError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DomainType(Arc<DomainDef>);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct DomainDef {
    name: String,
    schema: Option<String>,
    base: SqlType,
    not_null: bool,
    default: Option<String>,
    checks: Vec<CheckConstraint>,
}

impl DomainType {
    /// A domain named `name` over `base`, nullable, without default or checks.
    pub fn new(name: impl Into<String>, base: SqlType) -> Self {
        DomainType(Arc::new(DomainDef {
            name: name.into(),
            schema: None,
            base,
            not_null: false,
            default: None,
            checks: Vec::new(),
        }))
    }

    fn with(self, f: impl FnOnce(&mut DomainDef)) -> Self {
        let mut def = Arc::unwrap_or_clone(self.0);
        f(&mut def);
        DomainType(Arc::new(def))
    }

    /// The domain's own schema, instead of the schema of the table using it.
    pub fn schema(self, schema: impl Into<String>) -> Self {
        self.with(|d| d.schema = Some(schema.into()))
    }

    /// `NOT NULL`.
    pub fn not_null(self) -> Self {
        self.with(|d| d.not_null = true)
    }

    /// `DEFAULT sql`: trusted SQL text, as a column's server default.
    pub fn default_sql(self, sql: impl Into<String>) -> Self {
        self.with(|d| d.default = Some(sql.into()))
    }

    /// Adds `[CONSTRAINT name] CHECK (sql)`; `sql` is trusted text naming the value `VALUE`.
    pub fn check(self, name: Option<&str>, sql: impl Into<String>) -> Self {
        let check = CheckConstraint {
            name: name.map(str::to_owned),
            sql: sql.into(),
        };
        self.with(|d| d.checks.push(check))
    }

    /// The domain's name.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The schema given with [`DomainType::schema`].
    pub fn schema_name(&self) -> Option<&str> {
        self.0.schema.as_deref()
    }

    /// The base type.
    pub fn base(&self) -> &SqlType {
        &self.0.base
    }

    /// Whether the domain is NOT NULL.
    pub fn is_not_null(&self) -> bool {
        self.0.not_null
    }

    /// The default, as SQL text.
    pub fn default_value(&self) -> Option<&str> {
        self.0.default.as_deref()
    }

    /// The CHECK constraints, in order.
    pub fn checks(&self) -> &[CheckConstraint] {
        &self.0.checks
    }
}

/// A type that is a schema object of its own where the dialect has it: a native enum or a
/// domain (PostgreSQL).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NamedType {
    /// `CREATE TYPE … AS ENUM`.
    Enum(EnumType),
    /// `CREATE DOMAIN`.
    Domain(DomainType),
}

impl NamedType {
    /// The type's name.
    pub fn name(&self) -> &str {
        match self {
            NamedType::Enum(e) => e.name(),
            NamedType::Domain(d) => d.name(),
        }
    }

    /// The type's own schema, if it has one.
    pub fn schema_name(&self) -> Option<&str> {
        match self {
            NamedType::Enum(e) => e.schema_name(),
            NamedType::Domain(d) => d.schema_name(),
        }
    }

    /// The schema the type lives in when a table of `table_schema` uses it: its own, else the
    /// table's.
    pub fn effective_schema<'a>(&'a self, table_schema: Option<&'a str>) -> Option<&'a str> {
        self.schema_name().or(table_schema)
    }
}

impl SqlType {
    /// The enum this type is or is a domain over, whose values a bound value must be among.
    pub fn enum_type(&self) -> Option<&EnumType> {
        match self {
            SqlType::Enum(e) => Some(e),
            SqlType::Domain(d) => d.base().enum_type(),
            SqlType::Custom(c) => c.impl_type().enum_type(),
            _ => None,
        }
    }

    /// The type values bind and read as: a domain's base type (through nested domains),
    /// otherwise the type itself.
    pub fn storage_type(&self) -> &SqlType {
        match self {
            SqlType::Domain(d) => d.base().storage_type(),
            SqlType::Custom(c) => c.impl_type().storage_type(),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_values_are_checked() {
        let e = EnumType::new("mood", ["sad", "happy"]);
        assert!(e.check(&Value::from("sad")).is_ok());
        assert!(e.check(&Value::Null).is_ok());
        let err = e.check(&Value::from("meh")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"meh\" is not among the values of enum mood: [\"sad\", \"happy\"]"
        );
        assert!(e.check(&Value::I32(1)).is_err());
        assert_eq!(e.varchar_length(), 5);
        assert_eq!(e.clone().length(20).varchar_length(), 20);
    }

    #[test]
    fn setters_leave_the_original_alone() {
        let e = EnumType::new("mood", ["a"]);
        let f = e.clone().schema("s");
        assert_eq!(e.schema_name(), None);
        assert_eq!(f.schema_name(), Some("s"));
        assert_ne!(e, f);
    }
}
