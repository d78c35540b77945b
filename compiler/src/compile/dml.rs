//! Rendering INSERT, UPDATE and DELETE.

use super::{Compile, Compiled, Compiler, Res, collect_sources};
use crate::dialect::{DeleteUsingStyle, Dialect, UpdateFromStyle};
use crate::error::CompileError;
use crate::expr::Expr;
use crate::schema::{ClientDefault, Table};
use crate::stmt::{
    Delete, Insert, InsertSource, OnConflict, Query, SelectItem, Source, Update, result_columns,
};
use std::sync::Arc;

fn check_column(table: &Table, name: &str) -> Res {
    if table.columns.contains_key(name) {
        Ok(())
    } else {
        Err(CompileError::NoSuchColumn {
            source_name: table.fullname(),
            column: name.to_owned(),
        })
    }
}

impl Compiler<'_> {
    fn returning(&mut self, items: &[SelectItem]) -> Res {
        self.returning_of(items, self.d.supports_returning(), "RETURNING")
    }

    /// RETURNING `items` where the dialect `supports` it, else a [`CompileError`] naming `what`.
    fn returning_of(&mut self, items: &[SelectItem], supports: bool, what: &str) -> Res {
        if items.is_empty() {
            return Ok(());
        }
        if !supports {
            return Err(CompileError::unsupported(what, self.d.name()));
        }
        let named = crate::stmt::named_items(items)?;
        self.w(" RETURNING ");
        self.column_list(&named, true)
    }

    fn assignments(
        &mut self,
        table: &Table,
        set: &[(Arc<str>, Expr)],
        qualify_target: bool,
    ) -> Res {
        for (i, (name, value)) in set.iter().enumerate() {
            check_column(table, name)?;
            if i > 0 {
                self.w(", ");
            }
            if qualify_target {
                self.table_name(table)?;
                self.w(".");
            }
            self.ident(name)?;
            self.w(" = ");
            self.assigned(table, name, value)?;
        }
        Ok(())
    }

    /// Renders a value assigned to `column`: an untyped bound value or parameter takes the
    /// column's type.
    fn assigned(&mut self, table: &Table, column: &str, value: &Expr) -> Res {
        let column_type = || table.columns.get(column).map(|c| &c.sql_type);
        match value {
            Expr::Bind(b) if b.sql_type.is_none() => self.bind(b, column_type(), false),
            Expr::Param(p) if p.sql_type.is_none() => {
                self.bind_named(&p.name, column_type(), p.expanding)
            }
            other => self.expr(other),
        }
    }

    fn insert(&mut self, ins: &Insert) -> Res {
        let table = &ins.table;
        self.w("INSERT INTO ");
        self.table_name(table)?;
        match &ins.source {
            InsertSource::Values(rows) => self.insert_values(table, rows)?,
            InsertSource::Select(cols, query) => {
                let mut names: Vec<Arc<str>> = cols.clone();
                // As SQLAlchemy (include_defaults): client defaults of the columns a SELECT
                // leaves out are added to it.
                let mut extra_items = Vec::new();
                if let Query::Select(_) = &**query {
                    for col in table.columns.values().filter(|c| !cols.contains(&c.name)) {
                        let value = match &col.default {
                            Some(ClientDefault::Value(v)) => Expr::Bind(crate::expr::Bind::new(
                                v.clone(),
                                Some(col.sql_type.clone()),
                            )),
                            Some(ClientDefault::Expr(e)) => e.clone(),
                            Some(ClientDefault::Sequence(seq)) if seq.applies_to(self.d) => {
                                Expr::NextValue(std::sync::Arc::new(seq.clone()))
                            }
                            Some(ClientDefault::Sequence(_)) | None => continue,
                        };
                        names.push(col.name.clone());
                        extra_items.push(crate::stmt::SelectItem::Expr(value));
                    }
                }
                let where_true = ins.on_conflict.is_some() && self.d.upsert_select_needs_where();
                self.w(" (");
                for (i, col) in names.iter().enumerate() {
                    check_column(table, col)?;
                    if i > 0 {
                        self.w(", ");
                    }
                    self.ident(col)?;
                }
                self.w(") ");
                if let Query::Select(_) = &**query {
                    // The defaults' values are the table's: the same for every statement of
                    // this shape.
                    for item in &extra_items {
                        if let crate::stmt::SelectItem::Expr(Expr::Bind(b)) = item {
                            self.mark_schema_value(&b.value);
                        }
                    }
                    self.select_extras = Some(super::SelectExtras {
                        items: extra_items,
                        where_true,
                    });
                }
                let rendered = self.with_cte_scope(|c| c.query(query));
                self.select_extras = None;
                rendered?;
            }
        }
        match &ins.on_conflict {
            None => {}
            Some(OnConflict::DuplicateKeyUpdate { set }) => {
                if !self.d.supports_on_duplicate_key() {
                    return Err(CompileError::unsupported(
                        "ON DUPLICATE KEY UPDATE",
                        self.d.name(),
                    ));
                }
                self.w(" ON DUPLICATE KEY UPDATE ");
                self.assignments(table, set, false)?;
            }
            Some(conflict) => {
                if !self.d.supports_on_conflict() {
                    return Err(CompileError::unsupported("ON CONFLICT", self.d.name()));
                }
                let default_values = matches!(&ins.source, InsertSource::Values(rows) if rows.is_empty())
                    && !table.columns.values().any(|c| c.default.is_some());
                if default_values && !self.d.supports_default_values_upsert() {
                    return Err(CompileError::unsupported(
                        "DEFAULT VALUES with ON CONFLICT",
                        self.d.name(),
                    ));
                }
                let target = match conflict {
                    OnConflict::DoNothing { target } | OnConflict::DoUpdate { target, .. } => {
                        target
                    }
                    OnConflict::DuplicateKeyUpdate { .. } => return Ok(()),
                };
                self.w(" ON CONFLICT");
                if !target.is_empty() {
                    self.w(" (");
                    for (i, col) in target.iter().enumerate() {
                        check_column(table, col)?;
                        if i > 0 {
                            self.w(", ");
                        }
                        self.ident(col)?;
                    }
                    self.w(")");
                }
                match conflict {
                    OnConflict::DoUpdate {
                        set,
                        filter,
                        target,
                    } => {
                        if target.is_empty() {
                            return Err(CompileError::invalid(
                                "ON CONFLICT DO UPDATE needs conflict target columns",
                            ));
                        }
                        if set.is_empty() {
                            return Err(CompileError::invalid(
                                "ON CONFLICT DO UPDATE needs assignments",
                            ));
                        }
                        self.w(" DO UPDATE SET ");
                        self.assignments(table, set, false)?;
                        if let Some(filter) = filter {
                            self.w(" WHERE ");
                            self.expr(filter)?;
                        }
                    }
                    _ => self.w(" DO NOTHING"),
                }
            }
        }
        self.returning(&ins.returning)
    }

    fn insert_values(&mut self, table: &Table, rows: &[Vec<(Arc<str>, Expr)>]) -> Res {
        // The first row's columns, which every row names.
        let first: &[(Arc<str>, Expr)] = rows.first().map_or(&[], Vec::as_slice);
        let names_first = |name: &Arc<str>| first.iter().any(|(k, _)| k == name);
        for (name, _) in first {
            check_column(table, name)?;
        }
        // Client-side defaults fill the columns the rows leave out.
        let defaults: Vec<(&Arc<str>, &ClientDefault)> = table
            .columns
            .values()
            .filter(|c| !names_first(&c.name))
            .filter_map(|c| c.default.as_ref().map(|d| (&c.name, d)))
            // A sequence the dialect does not use is ignored (SQLite), as SQLAlchemy does.
            .filter(|(_, d)| match d {
                ClientDefault::Sequence(seq) => seq.applies_to(self.d),
                _ => true,
            })
            .collect();
        if first.is_empty() && defaults.is_empty() {
            if rows.len() > 1 {
                return Err(CompileError::invalid(
                    "a multi-row INSERT needs column values",
                ));
            }
            self.w(if self.d.supports_default_values() {
                " DEFAULT VALUES"
            } else {
                " () VALUES ()"
            });
            return Ok(());
        }
        self.w(" (");
        for (i, name) in first
            .iter()
            .map(|(name, _)| name)
            .chain(defaults.iter().map(|(n, _)| *n))
            .enumerate()
        {
            if i > 0 {
                self.w(", ");
            }
            self.ident(name)?;
        }
        self.w(") VALUES ");
        let rows: &[Vec<(Arc<str>, Expr)>] = if rows.is_empty() { &[vec![]] } else { rows };
        for (r, row) in rows.iter().enumerate() {
            if row.len() != first.len() || row.iter().any(|(k, _)| !names_first(k)) {
                return Err(CompileError::invalid(format!(
                    "row {} of a multi-row INSERT names other columns than the first row",
                    r + 1
                )));
            }
            if r > 0 {
                self.w(", ");
            }
            self.w("(");
            for (i, (name, _)) in first.iter().enumerate() {
                if i > 0 {
                    self.w(", ");
                }
                let value = row
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v)
                    .unwrap_or(&Expr::Null);
                self.assigned(table, name, value)?;
            }
            for (j, (name, default)) in defaults.iter().enumerate() {
                if !first.is_empty() || j > 0 {
                    self.w(", ");
                }
                match default {
                    ClientDefault::Value(v) => {
                        let ty = table.columns.get(*name).map(|c| &c.sql_type);
                        self.bind_schema_value(v, ty)?;
                    }
                    ClientDefault::Expr(e) => self.expr(e)?,
                    ClientDefault::Sequence(seq) => self.next_value(seq)?,
                }
            }
            self.w(")");
        }
        Ok(())
    }

    fn update(&mut self, upd: &Update) -> Res {
        let table = &upd.table;
        if upd.set.is_empty() && upd.elements.is_empty() {
            return Err(CompileError::invalid(
                "an UPDATE needs at least one value to set",
            ));
        }
        let target = Source::Table(table.clone());
        let mut extra = Vec::new();
        for f in &upd.filters {
            collect_sources(f, &mut extra);
        }
        for (_, v) in &upd.set {
            collect_sources(v, &mut extra);
        }
        for (_, v) in &upd.elements {
            collect_sources(v, &mut extra);
        }
        extra.retain(|s| !s.same_as(&target));
        let style = if extra.is_empty() {
            None
        } else {
            Some(
                self.d
                    .update_from_style()
                    .ok_or_else(|| CompileError::unsupported("UPDATE .. FROM", self.d.name()))?,
            )
        };
        let saved = std::mem::replace(&mut self.correlation, vec![target]);
        self.correlation.extend(extra.iter().cloned());
        let r = (|| {
            self.w("UPDATE ");
            self.table_name(table)?;
            if style == Some(UpdateFromStyle::MultiTable) {
                for s in &extra {
                    self.w(" CROSS JOIN ");
                    self.render_from(&s.clone().into())?;
                }
            }
            self.w(" SET ");
            self.assignments(table, &upd.set, style == Some(UpdateFromStyle::MultiTable))?;
            for (i, (target, value)) in upd.elements.iter().enumerate() {
                if i > 0 || !upd.set.is_empty() {
                    self.w(", ");
                }
                self.element_assignment(table, target, value)?;
            }
            if style == Some(UpdateFromStyle::From) {
                self.w(" FROM ");
                for (i, s) in extra.iter().enumerate() {
                    if i > 0 {
                        self.w(", ");
                    }
                    self.render_from(&s.clone().into())?;
                }
            }
            self.where_clause(&upd.filters)?;
            // Named as UPDATE's only where other statements have RETURNING (MariaDB).
            let what = if self.d.supports_returning() {
                "UPDATE … RETURNING"
            } else {
                "RETURNING"
            };
            self.returning_of(&upd.returning, self.d.supports_update_returning(), what)
        })();
        self.correlation = saved;
        r
    }

    fn delete(&mut self, del: &Delete) -> Res {
        let target = Source::Table(del.table.clone());
        let mut extra = Vec::new();
        for f in &del.filters {
            collect_sources(f, &mut extra);
        }
        extra.retain(|s| !s.same_as(&target));
        let style = match extra.first() {
            None => None,
            Some(other) => Some(self.d.delete_using_style().ok_or_else(|| {
                CompileError::unsupported(
                    format!(
                        "DELETE with other tables ({}) in WHERE; refer to them through a subquery",
                        other.display_name()
                    ),
                    self.d.name(),
                )
            })?),
        };
        let saved = std::mem::replace(&mut self.correlation, vec![target.clone()]);
        self.correlation.extend(extra.iter().cloned());
        let r = (|| {
            self.w("DELETE FROM ");
            self.table_name(&del.table)?;
            if let Some(style) = style {
                self.w(" USING ");
                let mut using: Vec<&Source> = extra.iter().collect();
                if style == DeleteUsingStyle::UsingWithTarget {
                    using.insert(0, &target);
                }
                for (i, s) in using.into_iter().enumerate() {
                    if i > 0 {
                        self.w(", ");
                    }
                    self.render_from(&s.clone().into())?;
                }
            }
            self.where_clause(&del.filters)?;
            self.returning(&del.returning)
        })();
        self.correlation = saved;
        r
    }
}

impl Compile for Insert {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        let mut c = Compiler::new(dialect);
        c.with_cte_scope(|c| c.insert(self))?;
        c.finish(result_columns(&self.returning)?)
    }
}

impl Compile for Update {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        let mut c = Compiler::new(dialect);
        c.with_cte_scope(|c| c.update(self))?;
        c.finish(result_columns(&self.returning)?)
    }
}

impl Compile for Delete {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        let mut c = Compiler::new(dialect);
        c.with_cte_scope(|c| c.delete(self))?;
        c.finish(result_columns(&self.returning)?)
    }
}
