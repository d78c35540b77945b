//! Rendering CREATE INDEX (methods, operator classes, order, INCLUDE, storage parameters,
//! partial indexes, CONCURRENTLY) and DROP INDEX.

use super::{Compiler, Res};
use crate::error::CompileError;
use crate::expr::{NullsOrder, SortDirection};
use crate::schema::{Index, IndexElement, IndexMethod, Table};
use crate::stmt::{CreateIndex, DropIndex};

/// A storage parameter's name or value: a plain word or number, never arbitrary SQL.
fn storage_word(s: &str, value: bool) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || c == '_' || c == '.' || (value && (c == '-' || c == '+'))
        })
        && (value || !s.starts_with(|c: char| c.is_ascii_digit()))
}

impl Compiler<'_> {
    pub(super) fn unsupported_unless(&self, supported: bool, construct: &str) -> Res {
        if supported {
            Ok(())
        } else {
            Err(CompileError::unsupported(construct, self.d.name()))
        }
    }

    fn index_method(&mut self, method: &IndexMethod) -> Res {
        self.w(" USING ");
        match method {
            IndexMethod::Other(name) => self.ident(name),
            builtin => {
                self.w(builtin.name());
                Ok(())
            }
        }
    }

    /// The index's options checked against the dialect before anything is written.
    fn check_index(&self, table: &Table, index: &Index) -> Res {
        if let Some(problem) = &index.problem {
            return Err((**problem).clone());
        }
        if index.elements.is_empty() {
            return Err(CompileError::invalid(format!(
                "index {:?} has no columns",
                index.name
            )));
        }
        if let Some(method) = &index.method {
            self.unsupported_unless(
                self.d.supports_index_method(method),
                &format!("index method {:?}", method.name()),
            )?;
        }
        for opts in &index.element_options {
            if opts.opclass.is_some() {
                self.unsupported_unless(
                    self.d.supports_index_opclass(),
                    "an index operator class",
                )?;
            }
            if opts.nulls.is_some() {
                self.unsupported_unless(
                    self.d.supports_index_nulls_order(),
                    "NULLS FIRST/LAST in an index",
                )?;
            }
            if opts.length.is_some() {
                self.unsupported_unless(
                    self.d.supports_index_prefix_length(),
                    "an index prefix length",
                )?;
            }
        }
        if !index.include.is_empty() {
            self.unsupported_unless(
                self.d.supports_index_include(),
                "INCLUDE columns in an index",
            )?;
        }
        if !index.storage.is_empty() {
            self.unsupported_unless(
                self.d.supports_index_storage_params(),
                "index storage parameters (WITH (...))",
            )?;
        }
        if index.concurrently {
            self.unsupported_unless(
                self.d.supports_index_concurrently(),
                "CREATE INDEX CONCURRENTLY",
            )?;
        }
        if index.predicate.is_some() {
            self.unsupported_unless(
                self.d.supports_partial_indexes(),
                "a partial index (CREATE INDEX ... WHERE)",
            )?;
        }
        for name in index
            .include
            .iter()
            .chain(index.elements.iter().filter_map(|e| match e {
                IndexElement::Column(name) => Some(name),
                IndexElement::Expr(_) => None,
            }))
        {
            if !table.columns.contains_key(name) {
                return Err(CompileError::NoSuchColumn {
                    source_name: table.fullname(),
                    column: name.to_string(),
                });
            }
        }
        for (name, value) in &index.storage {
            if !storage_word(name, false) || !storage_word(value, true) {
                return Err(CompileError::invalid(format!(
                    "index {:?}: storage parameter {name:?} = {value:?} is not a plain name and value",
                    index.name
                )));
            }
        }
        Ok(())
    }

    /// `opclass` may be schema-qualified (`public.gin_trgm_ops`); each part is an identifier.
    fn opclass(&mut self, opclass: &str) -> Res {
        for (i, part) in opclass.split('.').enumerate() {
            if i > 0 {
                self.w(".");
            }
            self.ident(part)?;
        }
        Ok(())
    }

    fn index_elements(&mut self, index: &Index) -> Res {
        self.w(" (");
        // Index expressions name columns bare and write values as literals.
        self.qualify = false;
        self.literal_binds = true;
        for (i, el) in index.elements.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            match el {
                IndexElement::Column(name) => self.ident(name)?,
                IndexElement::Expr(e) => {
                    self.w("(");
                    self.expr(e)?;
                    self.w(")");
                }
            }
            let opts = index.element_options(i);
            if let Some(length) = opts.length {
                self.w(&format!("({length})"));
            }
            if let Some(opclass) = &opts.opclass {
                self.w(" ");
                self.opclass(opclass)?;
            }
            match opts.direction {
                Some(SortDirection::Asc) => self.w(" ASC"),
                Some(SortDirection::Desc) => self.w(" DESC"),
                None => {}
            }
            match opts.nulls {
                Some(NullsOrder::First) => self.w(" NULLS FIRST"),
                Some(NullsOrder::Last) => self.w(" NULLS LAST"),
                None => {}
            }
        }
        self.w(")");
        Ok(())
    }

    pub(super) fn create_index(&mut self, ci: &CreateIndex) -> Res {
        let (table, index) = (&ci.table, &ci.index);
        table.validate()?;
        self.check_index(table, index)?;
        self.w(if index.unique {
            "CREATE UNIQUE INDEX "
        } else {
            "CREATE INDEX "
        });
        if index.concurrently {
            self.w("CONCURRENTLY ");
        }
        if ci.if_not_exists {
            self.unsupported_unless(
                self.d.supports_create_index_if_not_exists(),
                "CREATE INDEX IF NOT EXISTS",
            )?;
            self.w("IF NOT EXISTS ");
        }
        // SQLite qualifies the index name with the schema; the others qualify the table.
        let schema_on_index = self.d.index_name_carries_schema();
        if schema_on_index {
            self.schema(table.schema.as_deref())?;
        }
        self.ident(&index.name)?;
        self.w(" ON ");
        if schema_on_index {
            self.ident(&table.name)?;
        } else {
            self.table_name(table)?;
        }
        let using_after = self.d.index_using_after_columns();
        if let (Some(method), false) = (&index.method, using_after) {
            self.index_method(method)?;
        }
        self.index_elements(index)?;
        if let (Some(method), true) = (&index.method, using_after) {
            self.index_method(method)?;
        }
        if !index.include.is_empty() {
            self.w(" INCLUDE (");
            self.ident_list(&index.include)?;
            self.w(")");
        }
        if !index.storage.is_empty() {
            self.w(" WITH (");
            for (i, (name, value)) in index.storage.iter().enumerate() {
                if i > 0 {
                    self.w(", ");
                }
                self.w(name);
                self.w(" = ");
                self.w(value);
            }
            self.w(")");
        }
        if let Some(pred) = &index.predicate {
            self.w(" WHERE ");
            self.expr(pred)?;
        }
        Ok(())
    }

    pub(super) fn drop_index(&mut self, di: &DropIndex) -> Res {
        self.w("DROP INDEX ");
        if di.if_exists {
            if self.d.drop_index_names_table() {
                return Err(CompileError::unsupported(
                    "DROP INDEX IF EXISTS",
                    self.d.name(),
                ));
            }
            self.w("IF EXISTS ");
        }
        if self.d.drop_index_names_table() {
            self.ident(&di.name)?;
            self.w(" ON ");
            self.table_name(&di.table)
        } else {
            self.schema(di.table.schema.as_deref())?;
            self.ident(&di.name)
        }
    }
}
