//! Rendering named types: `CREATE TYPE … AS ENUM`, `CREATE DOMAIN`, their DROP, and the
//! references to them in column definitions and casts (schema-qualified by a token that
//! `schema_translate_map` re-targets, as a table's schema).

use super::{Compile, Compiled, Compiler, Res};
use crate::dialect::Dialect;
use crate::error::CompileError;
use crate::schema::{Column, NamedType, SqlType};
use crate::stmt::{CreateType, DropType, schema_object};

impl Compiler<'_> {
    /// Writes a type: a named type's `schema.name` (its own schema, else `schema`), or the
    /// dialect's name of any other type.
    pub(crate) fn type_name(&mut self, sql_type: &SqlType, schema: Option<&str>) -> Res {
        if let SqlType::Array { item, dimensions } = sql_type {
            if schema_object(item, self.d).is_some() {
                // An array of a named type: the type's name, schema and all, then `[]`s.
                self.type_name(item, schema)?;
                for _ in 0..dimensions.unwrap_or(1).max(1) {
                    self.w("[]");
                }
                return Ok(());
            }
        }
        match schema_object(sql_type, self.d) {
            Some(named) => {
                self.schema(named.effective_schema(schema))?;
                self.ident(named.name())
            }
            None => {
                let sql = self.d.type_sql(sql_type)?;
                self.w(&sql);
                Ok(())
            }
        }
    }

    /// The CHECK constraint of a non-native enum column made with `create_constraint`:
    /// `, CONSTRAINT name CHECK (col IN ('a', …))`.
    pub(crate) fn enum_check(&mut self, col: &Column) -> Res {
        let Some(e) = col.sql_type.enum_type() else {
            return Ok(());
        };
        if !e.creates_constraint() || schema_object(col.sql_type.storage_type(), self.d).is_some() {
            return Ok(());
        }
        if self.d.enum_style() == crate::dialect::EnumStyle::Inline && e.is_native() {
            return Ok(());
        }
        self.w(", CONSTRAINT ");
        self.ident(e.name())?;
        self.w(" CHECK (");
        self.ident(&col.name)?;
        self.w(" IN (");
        for (i, v) in e.values().iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            let lit = self.d.quote_string(v)?;
            self.w(&lit);
        }
        self.w("))");
        Ok(())
    }

    fn create_type(&mut self, ct: &CreateType) -> Res {
        let schema = ct.schema.as_deref();
        match &ct.ty {
            NamedType::Enum(e) => {
                if self.d.enum_style() != crate::dialect::EnumStyle::CreateType {
                    return Err(CompileError::unsupported(
                        "CREATE TYPE … AS ENUM",
                        self.d.name(),
                    ));
                }
                self.w("CREATE TYPE ");
                self.schema(schema)?;
                self.ident(e.name())?;
                self.w(" AS ENUM (");
                for (i, v) in e.values().iter().enumerate() {
                    if i > 0 {
                        self.w(", ");
                    }
                    let lit = self.d.quote_string(v)?;
                    self.w(&lit);
                }
                self.w(")");
            }
            NamedType::Domain(d) => {
                if !self.d.supports_domains() {
                    return Err(CompileError::unsupported("CREATE DOMAIN", self.d.name()));
                }
                self.w("CREATE DOMAIN ");
                self.schema(schema)?;
                self.ident(d.name())?;
                self.w(" AS ");
                self.type_name(d.base(), schema)?;
                if let Some(default) = d.default_value() {
                    self.w(" DEFAULT ");
                    self.w(default);
                }
                if d.is_not_null() {
                    self.w(" NOT NULL");
                }
                for check in d.checks() {
                    if let Some(name) = &check.name {
                        self.w(" CONSTRAINT ");
                        self.ident(name)?;
                    }
                    self.w(" CHECK (");
                    self.w(&check.sql);
                    self.w(")");
                }
            }
        }
        Ok(())
    }

    fn drop_type(&mut self, dt: &DropType) -> Res {
        let keyword = match &dt.ty {
            NamedType::Enum(_) if self.d.enum_style() == crate::dialect::EnumStyle::CreateType => {
                "DROP TYPE "
            }
            NamedType::Domain(_) if self.d.supports_domains() => "DROP DOMAIN ",
            NamedType::Enum(_) => {
                return Err(CompileError::unsupported("DROP TYPE", self.d.name()));
            }
            NamedType::Domain(_) => {
                return Err(CompileError::unsupported("DROP DOMAIN", self.d.name()));
            }
        };
        self.w(keyword);
        if dt.if_exists {
            self.w("IF EXISTS ");
        }
        self.schema(dt.schema.as_deref())?;
        self.ident(dt.ty.name())
    }
}

impl Compile for CreateType {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        let mut c = Compiler::new(dialect);
        c.create_type(self)?;
        c.finish(Vec::new())
    }
}

impl Compile for DropType {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        let mut c = Compiler::new(dialect);
        c.drop_type(self)?;
        c.finish(Vec::new())
    }
}
