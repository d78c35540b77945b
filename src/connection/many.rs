//! `execute_many`: executemany, with INSERTs sent through the backend's bulk copy or as
//! batches of multi-row VALUES.

use super::display_params::{DisplayParamSets, DisplayParams};
use super::{Connection, IntoParams};
use crate::driver::{Request, RowSource};
use crate::error::{Error, Result};
use crate::events::{Described, EventSource, RowCounts, Sending, Values};
use crate::executable::Executable;
use crate::insert_many;
use crate::result::CursorResult;
use sqlcore_compiler::{
    CompileError, Compiled, CustomType, Expr, Insert, InsertSource, Params, SqlType, Statement,
    Value,
};
use std::collections::VecDeque;
use std::sync::Arc;

impl Connection {
    /// Executes a statement once per parameter set (executemany). An INSERT goes through
    /// PostgreSQL's binary COPY where it can, else as multi-row `VALUES` in batches (within
    /// the dialect's parameter limit and the engine's `insertmanyvalues_page_size`), its
    /// RETURNING rows in input order — on SQLite, in process, only with RETURNING: a plain
    /// INSERT there, like other statements, reuses one prepared statement per set. The
    /// result's `rowcount` is the total.
    pub fn execute_many<'s, I>(
        &mut self,
        statement: impl Into<Executable<'s>>,
        param_sets: I,
    ) -> Result<CursorResult>
    where
        I: IntoIterator,
        I::Item: IntoParams,
    {
        let statement = statement.into();
        match statement.options_over(&self.options) {
            None => self.execute_many_sets(statement.statement.into_owned(), param_sets),
            Some(options) => {
                let saved = std::mem::replace(&mut self.options, options);
                let result = self.execute_many_sets(statement.statement.into_owned(), param_sets);
                self.options = saved;
                result
            }
        }
    }

    fn execute_many_sets<I>(&mut self, statement: Statement, param_sets: I) -> Result<CursorResult>
    where
        I: IntoIterator,
        I::Item: IntoParams,
    {
        let mut sets: Vec<Params> = param_sets
            .into_iter()
            .map(IntoParams::into_params)
            .collect();
        let Some(first) = sets.first() else {
            return Ok(CursorResult::new(Vec::new(), RowSource::default(), 0, None));
        };
        let form = self.compile_for_many(statement, first)?;
        self.raw()?;
        self.autobegin(self.sqlite_begin(&self.options))?;
        if let Statement::Insert(ins) = &form.stmt {
            if insert_many::eligible(ins) && !form.compiled.needs_expansion() {
                let sending = Sending::uncached(
                    &form.compiled.sql,
                    Values::Streamed,
                    Some(sets.len()),
                    Described::Insert(ins),
                );
                if let Some(n) = self.copy_rows(ins, &mut sets, &sending, &form.compiled) {
                    return Ok(CursorResult::new(
                        Vec::new(),
                        RowSource::default(),
                        n?,
                        None,
                    ));
                }
                // RETURNING goes in batches everywhere: SQLite writes a statement's RETURNING
                // rows to a table of their own, a cost per statement, not per row.
                let returns_rows = !form.compiled.columns.is_empty();
                if returns_rows || self.raw()?.batches_inserts() {
                    return self.insert_many_values(ins, &form.compiled, &mut sets);
                }
            }
        }
        if form.compiled.needs_expansion() {
            // The SQL depends on list lengths: one execution per set.
            let mut total = 0;
            for params in &sets {
                let literal = |i: usize| &form.compiled.literals[i];
                let converted = form.compiled.convert_binds(&literal, params)?;
                let bound = form.compiled.bind_refs(literal, params, &converted, None)?;
                self.check_parameter_count(bound.values.len())?;
                let request = Request {
                    sql: &bound.sql,
                    statement_id: None,
                    params: &bound.values,
                    param_types: &bound.types,
                    result_columns: &[],
                    stream: None,
                };
                let sending = Sending::uncached(
                    &bound.sql,
                    Values::Bound(&bound.values),
                    None,
                    Described::Statement(&form.stmt),
                );
                let started = self.before_send(&sending);
                match self.execute_request(&request) {
                    Ok(exec) => {
                        self.after_send(&sending, started, RowCounts::of(&exec));
                        total += exec.rowcount.max(0);
                    }
                    Err(e) => return Err(self.send_failed(e, &sending, started, &form.compiled)),
                }
            }
            return Ok(CursorResult::new(
                Vec::new(),
                RowSource::default(),
                total,
                None,
            ));
        }
        self.check_parameter_count(form.compiled.params.len())?;
        // The sets are bound by reference, nothing copied. The values that user types convert
        // are made first, for the sets to borrow (nothing is made or allocated for a
        // statement without user types).
        let compiled = &form.compiled;
        let literal = |i: usize| &compiled.literals[i];
        let mut failure = None;
        let mut converted = Vec::with_capacity(sets.len());
        for params in &sets {
            match compiled.convert_binds(&literal, params) {
                Ok(c) => converted.push(c),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        let mut values = sets
            .iter()
            .zip(&converted)
            .map_while(|(params, converted)| {
                match compiled.bind_refs(literal, params, converted, None) {
                    Ok(bound) => Some(bound.values),
                    Err(e) => {
                        // An earlier set than any that failed to convert.
                        failure = Some(e);
                        None
                    }
                }
            });
        if self.engine.echo() {
            tracing::info!(target: "sqlcore.engine", "{} [executemany: {} sets]", form.compiled.sql, sets.len());
            // Only the sets shown are bound for the log, and only if it is written.
            let shown =
                DisplayParamSets::new(sets.len(), |i, f| match form.compiled.bind(&sets[i]) {
                    Ok(bound) => write!(f, "{}", DisplayParams(&bound.values)),
                    Err(_) => f.write_str("[?]"),
                });
            tracing::info!(target: "sqlcore.engine", "[parameters: {shown}]");
        }
        let sending = Sending::uncached(
            &compiled.sql,
            Values::Sets(&sets),
            Some(sets.len()),
            Described::Statement(&form.stmt),
        );
        let started = self.before_send(&sending);
        let result = self
            .raw()?
            .execute_many(&compiled.sql, &compiled.param_types, &mut values);
        drop(values);
        if let Some(e) = failure {
            // A set that does not bind ended the statement.
            return Err(self.send_failed(e.into(), &sending, started, compiled));
        }
        let total = match result {
            Ok(total) => {
                let counts = RowCounts {
                    affected: Some(total),
                    returned: None,
                };
                self.after_send(&sending, started, counts);
                total
            }
            Err(e) => return Err(self.send_failed(e, &sending, started, compiled)),
        };
        Ok(CursorResult::new(
            Vec::new(),
            RowSource::default(),
            total,
            None,
        ))
    }

    /// A plain executemany INSERT (no RETURNING, no upsert, only parameters and constant
    /// defaults) through the backend's bulk copy, where it has one: the same rows, defaults,
    /// constraints and errors as the INSERT, several times faster. `None`: not applicable.
    fn copy_rows(
        &mut self,
        ins: &Insert,
        sets: &mut [Params],
        sending: &Sending<'_>,
        compiled: &Compiled,
    ) -> Option<Result<i64>> {
        if !ins.returning.is_empty() || ins.on_conflict.is_some() {
            return None;
        }
        let InsertSource::Values(rows) = &ins.source else {
            return None;
        };
        let row = rows.first()?;
        let table = &ins.table;
        let dialect = self.engine.dialect();
        // Each column's value: a parameter of the row (converted by its user type, if it
        // has one), or a constant client default.
        enum Cell {
            Param(Arc<str>, Option<CustomType>),
            Constant(Value),
        }
        let mut columns = Vec::new();
        let mut types = Vec::new();
        let mut cells = Vec::new();
        for (name, value) in row {
            let Expr::Param(p) = value else { return None };
            let column = table.get_column(name)?;
            // A user type without SQL around its values is copied as its implementation type.
            let (sql_type, user_type) = match &column.sql_type {
                SqlType::Custom(ty) if !ty.wraps_binds() => (ty.impl_type(), Some(ty.clone())),
                other => (other, None),
            };
            // Enum values are checked, and named types and SQL around values bound, by the
            // INSERT.
            if matches!(
                sql_type,
                SqlType::Enum(_) | SqlType::Domain(_) | SqlType::Custom(_)
            ) {
                return None;
            }
            cells.push(Cell::Param(p.name.clone(), user_type));
            columns.push(name.clone());
            types.push(sql_type.clone());
        }
        let given = columns.clone();
        for column in table.columns.values().filter(|c| !given.contains(&c.name)) {
            match &column.default {
                None => continue,
                Some(sqlcore_compiler::ClientDefault::Value(v)) => {
                    cells.push(Cell::Constant(v.clone()))
                }
                // A sequence the dialect does not use is ignored (SQLite).
                Some(sqlcore_compiler::ClientDefault::Sequence(s)) if !s.applies_to(dialect) => {
                    continue;
                }
                Some(
                    sqlcore_compiler::ClientDefault::Expr(_)
                    | sqlcore_compiler::ClientDefault::Sequence(_),
                ) => return None,
            }
            if matches!(
                column.sql_type,
                SqlType::Enum(_) | SqlType::Domain(_) | SqlType::Custom(_)
            ) {
                return None;
            }
            columns.push(column.name.clone());
            types.push(column.sql_type.clone());
        }
        let quoted = |name: &str| dialect.quote_identifier(name).map(|q| q.into_owned());
        let mut table_sql = String::new();
        let schema = match &self.options.schema_translate_map {
            Some(map) => map.effective(table.schema.as_deref()).map(str::to_owned),
            None => table.schema.clone(),
        };
        if let Some(schema) = &schema {
            table_sql.push_str(&quoted(schema).ok()?);
            table_sql.push('.');
        }
        table_sql.push_str(&quoted(&table.name).ok()?);
        let column_sql: Vec<String> = columns
            .iter()
            .map(|c| quoted(c))
            .collect::<std::result::Result<_, _>>()
            .ok()?;
        let count = sets.len();
        let mut values = sets.iter_mut().map(|params| {
            cells
                .iter()
                .map(|cell| match cell {
                    Cell::Param(key, user_type) => {
                        let value = params.take(key).ok_or_else(|| {
                            Error::Compile(CompileError::MissingParameter {
                                name: key.to_string(),
                            })
                        })?;
                        match user_type {
                            Some(ty) => Ok(ty.bind_value(value, key)?),
                            None => Ok(value),
                        }
                    }
                    Cell::Constant(v) => Ok(v.clone()),
                })
                .collect::<Result<Vec<Value>>>()
        });
        if self.engine.echo() {
            tracing::info!(target: "sqlcore.engine", "COPY {table_sql} ({}) [{count} rows]", column_sql.join(", "));
        }
        // The driver takes the rows only once it copies (it may decline first, for INSERT to
        // do the work): `before_execute` fires as it takes the first.
        let mut rows = self.watch_copy(sending, &mut values);
        let raw = match self.raw() {
            Ok(raw) => raw,
            Err(e) => return Some(Err(e)),
        };
        let copied = raw.copy_in(&table_sql, &column_sql, &types, &mut rows);
        let started = self.copy_started(rows);
        Some(match copied? {
            Ok(n) => {
                let counts = RowCounts {
                    affected: Some(n),
                    returned: None,
                };
                self.after_send(sending, started, counts);
                Ok(n)
            }
            Err(e) => Err(self.send_failed(e, sending, started, compiled)),
        })
    }

    /// An executemany INSERT as batches of multi-row VALUES.
    fn insert_many_values(
        &mut self,
        ins: &Insert,
        single: &Compiled,
        sets: &mut [Params],
    ) -> Result<CursorResult> {
        let dialect = self.engine.dialect();
        let per_batch = insert_many::rows_per_batch(
            single,
            self.engine.insertmanyvalues_page_size(),
            dialect.max_parameters(),
        );
        // Full batches share one plan; the last, shorter one gets its own.
        let mut plans: Vec<(usize, insert_many::BatchPlan)> = Vec::with_capacity(2);
        let mut columns = Vec::new();
        let mut rows = VecDeque::new();
        let mut total = 0;
        for chunk in sets.chunks_mut(per_batch) {
            let idx = match plans.iter().position(|(n, _)| *n == chunk.len()) {
                Some(i) => i,
                None => {
                    let mut plan = insert_many::plan(ins, chunk.len(), dialect)?;
                    if let Some(map) = &self.options.schema_translate_map {
                        plan.compiled.translate_in_place(map, dialect)?;
                    }
                    plans.push((chunk.len(), plan));
                    plans.len() - 1
                }
            };
            let plan = &plans[idx].1;
            let values = plan.values(chunk)?;
            let values: Vec<&Value> = values.iter().collect();
            if self.engine.echo() {
                tracing::info!(target: "sqlcore.engine", "INSERT of {} rows [insertmanyvalues]", chunk.len());
            }
            let request = Request {
                sql: &plan.compiled.sql,
                statement_id: None,
                params: &values,
                param_types: &plan.compiled.param_types,
                result_columns: &plan.compiled.columns,
                stream: None,
            };
            let sending = Sending::uncached(
                &plan.compiled.sql,
                Values::Bound(&values),
                Some(chunk.len()),
                Described::Insert(ins),
            );
            let started = self.before_send(&sending);
            match self.execute_request(&request) {
                Ok(exec) => {
                    self.after_send(&sending, started, RowCounts::of(&exec));
                    total += exec.rowcount.max(0);
                    if columns.is_empty() {
                        columns = exec.columns.into_vec(&plan.compiled.columns);
                    }
                    let mut batch = exec.rows;
                    while let Some(row) = batch.next_row()? {
                        rows.push_back(row);
                    }
                }
                Err(e) => {
                    return Err(self.send_failed(e, &sending, started, &plan.compiled));
                }
            }
        }
        Ok(CursorResult::new(
            columns,
            RowSource::buffered(rows),
            total,
            None,
        ))
    }
}
