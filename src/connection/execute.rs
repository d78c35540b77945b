//! Running a statement: its compiled form (prepared, cached or compiled now), binding,
//! the driver call, and the result — for `execute` and `query_row`.

use super::display_params::DisplayParams;
use super::{Connection, IntoParams};
use crate::cache::{CacheEntry, CacheLookup, CompiledCache};
use crate::driver::{
    DriverConnection, Execution, FirstRow, Request, ResultNames, RowSource, StatementId,
};
use crate::error::{Error, Result};
use crate::executable::{Executable, Held};
use crate::prepared::PreparedForm;
use crate::result::CursorResult;
use crate::row::{ResultKeys, Row, RowRef};
use sqlcore_compiler::{
    Compile, CompileError, Compiled, Dialect, Expr, Extracted, Insert, InsertSource, Params,
    SchemaTranslateMap, Statement, Value, bindparam, extract,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A statement compiled for this connection (for `execute_many`).
pub(super) struct CompiledForMany {
    pub(super) compiled: Compiled,
    pub(super) stmt: Statement,
}

impl Connection {
    /// Executes a statement (Core or `text()`) with named parameters.
    ///
    /// An INSERT without values takes its columns from the parameters, as SQLAlchemy's
    /// `conn.execute(insert(t), {...})` does. The statement's compiled form comes from the
    /// compiled-statement cache when its shape was seen before (or from the [`Prepared`]
    /// statement given); its schemas are re-targeted through the `schema_translate_map` in
    /// effect.
    ///
    /// [`Prepared`]: crate::Prepared
    pub fn execute<'s>(
        &mut self,
        statement: impl Into<Executable<'s>>,
        params: impl IntoParams,
    ) -> Result<CursorResult> {
        let params = params.into_params();
        self.run(&statement.into(), &params, true, |driver, request, ran| {
            let exec = driver.execute(request)?;
            ran.cursor_result(exec, &params)
        })
    }

    /// Executes a statement and reads its first row with `read` where the driver holds it:
    /// no [`CursorResult`] or [`Row`] is built, so this is the cheapest way to fetch one row
    /// (as `rusqlite`'s `query_row`). Rows after the first are not read. No row is an
    /// [`Error::NoResultFound`]; a statement that returns no rows (runs, and) is an
    /// [`Error::ResourceClosed`], as `one()` on its result would be. An INSERT is run as
    /// given: add `returning(...)` to read what it inserted.
    ///
    /// ```
    /// use sqlcore::*;
    /// let engine = create_engine("sqlite://")?;
    /// let mut conn = engine.connect()?;
    /// conn.execute(text("CREATE TABLE t (x INTEGER, y TEXT)"), ())?;
    /// conn.execute(text("INSERT INTO t VALUES (1, 'one'), (2, 'two')"), ())?;
    /// let y: String = conn.query_row(
    ///     text("SELECT x, y FROM t WHERE x = :x"),
    ///     params! { "x" => 2 },
    ///     |row| row.get("y"),
    /// )?;
    /// assert_eq!(y, "two");
    /// let none = conn.query_row(text("SELECT x FROM t WHERE x = 3"), (), |row| row.get::<i64>(0));
    /// assert!(matches!(none, Err(Error::NoResultFound)));
    /// # Ok::<(), sqlcore::Error>(())
    /// ```
    pub fn query_row<'s, T>(
        &mut self,
        statement: impl Into<Executable<'s>>,
        params: impl IntoParams,
        read: impl FnOnce(&RowRef<'_>) -> Result<T>,
    ) -> Result<T> {
        let params = params.into_params();
        let mut read = Some(read);
        let mut value = None;
        let found = self.run(&statement.into(), &params, false, |driver, request, ran| {
            driver.query_row(request, &mut |names, row| {
                let keys = ran.keys(names);
                if let Some(read) = read.take() {
                    value = Some(read(&RowRef::new(&keys, row))?);
                }
                Ok(())
            })
        })?;
        match (value, found) {
            (Some(value), _) => Ok(value),
            (None, FirstRow::NoColumns) => Err(Error::ResourceClosed(
                "this result object does not return rows".into(),
            )),
            (None, _) => Err(Error::NoResultFound),
        }
    }

    /// Compiles (or finds in the cache) and binds a statement, begins a transaction if none
    /// is open, and hands the driver request to `call`; a database error comes back with the
    /// statement attached. With `implicit_returning`, a single-row INSERT on a dialect without
    /// row ids returns its primary key (see [`Ran::cursor_result`]).
    fn run<R>(
        &mut self,
        statement: &Executable<'_>,
        params: &Params,
        implicit_returning: bool,
        call: impl FnOnce(&mut dyn DriverConnection, &Request<'_>, &Ran<'_>) -> Result<R>,
    ) -> Result<R> {
        let own_options = statement.options_over(&self.options);
        let options = own_options.as_ref().unwrap_or(&self.options);
        let stream = options.stream_results.then_some(options.max_row_buffer);
        let translate = options.schema_translate_map.as_deref();
        let begin = self.sqlite_begin(options);
        let (stmt, implicit_returning) =
            self.with_implicit_values(&statement.statement, params, implicit_returning);
        let dialect = self.engine.dialect();
        let echo = self.engine.echo();
        let started = echo.then(Instant::now);
        let form = match statement.prepared {
            // As prepared: the statement unchanged, on the dialect it was compiled for.
            Some(prepared)
                if matches!(stmt, Held::Borrowed(_))
                    && prepared.entry.cached.compiled().dialect == dialect.name() =>
            {
                Form::Prepared(prepared)
            }
            _ => {
                let cache = options.compiled_cache.resolve(self.engine.compiled_cache());
                compile_form(&stmt, dialect, cache, translate)?
            }
        };
        let compile_note = started.map(|t| form.note(t.elapsed()));
        let map = translate.map(|m| (m, dialect));
        let (bound, kept_sql) = match &form {
            Form::Cached(entry, extracted, _) => (
                entry.cached.bind_refs(extracted, params, map)?,
                kept_sql(entry, translate, dialect)?,
            ),
            Form::Prepared(prepared) => (
                prepared.entry.cached.compiled().bind_refs(
                    |i| &prepared.literals[i],
                    params,
                    map,
                )?,
                kept_sql(&prepared.entry, translate, dialect)?,
            ),
            Form::Compiled(compiled, _) => (
                compiled.bind_refs(|i| &compiled.literals[i], params, None)?,
                KeptSql::None,
            ),
        };
        let ran = Ran {
            stmt: &stmt,
            form: &form,
            implicit_returning,
        };
        let compiled = form.compiled();
        let (sql, statement_id): (&str, _) = match &kept_sql {
            KeptSql::Translated(sql, id) => (sql, Some(*id)),
            KeptSql::Compiled(id) => (&bound.sql, Some(*id)),
            KeptSql::None => (&bound.sql, None),
        };
        if let Some(note) = compile_note {
            tracing::info!(target: "sqlcore.engine", "{sql}");
            tracing::info!(target: "sqlcore.engine", "[{note}] [parameters: {}]", DisplayParams(&bound.values));
        }
        self.check_parameter_count(bound.values.len())?;
        self.raw()?;
        self.autobegin(begin)?;
        let started = echo.then(Instant::now);
        let request = Request {
            sql,
            statement_id,
            params: &bound.values,
            param_types: &bound.types,
            result_columns: &compiled.columns,
            stream,
        };
        match call(self.raw()?, &request, &ran) {
            Ok(done) => {
                if let Some(started) = started {
                    tracing::info!(target: "sqlcore.engine", "[executed in {:.3?}]", started.elapsed());
                }
                Ok(done)
            }
            Err(e) => Err(self.decorate(e, sql.to_owned(), compiled)),
        }
    }

    /// Refuses, before it is sent, a statement with more parameters than the dialect's
    /// protocol carries (the driver would fail to encode it, or the server refuse it).
    pub(super) fn check_parameter_count(&self, count: usize) -> Result<()> {
        let dialect = self.engine.dialect();
        let limit = dialect.max_parameters();
        if count > limit {
            return Err(Error::Compile(CompileError::TooManyParameters {
                count,
                limit,
                dialect: dialect.name(),
            }));
        }
        Ok(())
    }

    /// Adds the statement to a database error. A disconnect invalidates this connection and
    /// every connection the pool opened before it.
    pub(super) fn decorate(&mut self, e: Error, sql: String, compiled: &Compiled) -> Error {
        let Error::Db(mut db) = e else { return e };
        db.sql = Some(sql);
        db.param_names = compiled.params.iter().map(|p| p.name.clone()).collect();
        let e = Error::Db(db);
        if e.connection_invalidated() {
            self.lost(e.clone());
        }
        e
    }

    /// An INSERT without values takes its columns from the parameters; with
    /// `implicit_returning`, a single-row INSERT on a dialect without row ids returns its
    /// primary key (as SQLAlchemy does on PostgreSQL) for `inserted_primary_key`. Gives the
    /// statement (as it came when neither applies) and whether RETURNING was added.
    fn with_implicit_values<'s>(
        &self,
        stmt: &'s Statement,
        params: &Params,
        implicit_returning: bool,
    ) -> (Held<'s>, bool) {
        let Statement::Insert(ins) = stmt else {
            return (Held::Borrowed(stmt), false);
        };
        let from_params = matches!(&ins.source, InsertSource::Values(rows) if rows.is_empty() && !params.is_empty());
        let single_row =
            from_params || matches!(&ins.source, InsertSource::Values(rows) if rows.len() <= 1);
        let implicit = implicit_returning
            && self.engine.dialect().implicit_returning()
            && single_row
            && ins.returning.is_empty()
            && !ins.table.primary_key.columns.is_empty();
        if !from_params && !implicit {
            return (Held::Borrowed(stmt), false);
        }
        let mut ins = ins.clone();
        if from_params {
            ins = values_from_params(ins, params);
        }
        if implicit {
            let pk: Vec<Expr> = ins
                .table
                .primary_key
                .columns
                .iter()
                .map(|c| ins.table.c(c))
                .collect();
            ins = ins.returning(pk);
        }
        (Held::Owned(Box::new(Statement::Insert(ins))), implicit)
    }

    /// Compiles a statement for this connection's dialect, without the cache, its schemas
    /// translated through the connection's `schema_translate_map`.
    pub(super) fn compile_for_many(
        &mut self,
        stmt: Statement,
        params: &Params,
    ) -> Result<CompiledForMany> {
        let stmt = match self.with_implicit_values(&stmt, params, false).0 {
            Held::Owned(with_values) => *with_values,
            Held::Borrowed(_) => stmt,
        };
        let dialect = self.engine.dialect();
        let mut compiled = stmt.compile(dialect)?;
        if let Some(map) = &self.options.schema_translate_map {
            compiled.translate_in_place(map, dialect)?;
        }
        Ok(CompiledForMany { compiled, stmt })
    }
}

/// Where an executed statement's compiled form comes from.
enum Form<'s> {
    /// The cache (a hit, or a miss that stored it: the flag).
    Cached(Arc<CacheEntry>, Extracted<'s>, bool),
    /// A prepared statement's, taken from the cache when it was prepared.
    Prepared(&'s PreparedForm),
    /// Compiled for this execution (translated already), and why it was not cached.
    Compiled(Box<Compiled>, Uncached),
}

/// Why a statement was compiled for one execution.
#[derive(Clone, Copy)]
enum Uncached {
    /// The execution options turned the cache off.
    Disabled,
    /// The statement has no cache key (or binds a value its key cannot trace).
    NoKey,
}

impl Form<'_> {
    fn compiled(&self) -> &Compiled {
        match self {
            Form::Cached(entry, ..) => entry.cached.compiled(),
            Form::Prepared(prepared) => prepared.entry.cached.compiled(),
            Form::Compiled(compiled, _) => compiled,
        }
    }

    /// The cache's part in this execution, as SQLAlchemy's echo states it.
    fn note(&self, took: Duration) -> String {
        match self {
            Form::Cached(_, _, true) => format!("generated in {:.5}s", took.as_secs_f64()),
            Form::Cached(entry, _, false) => cached_since(entry),
            Form::Prepared(prepared) => cached_since(&prepared.entry),
            Form::Compiled(_, Uncached::Disabled) => {
                format!("caching disabled {:.5}s", took.as_secs_f64())
            }
            Form::Compiled(_, Uncached::NoKey) => format!("no key {:.5}s", took.as_secs_f64()),
        }
    }
}

/// The SQL a cached entry runs with, when it has an identity the driver may keep the
/// statement under.
enum KeptSql {
    /// Translated through the `schema_translate_map`.
    Translated(Arc<str>, StatementId),
    /// As compiled.
    Compiled(StatementId),
    /// Lists expanded at binding: the SQL is new to each execution.
    None,
}

/// The SQL `entry` runs with under `translate`, and its identity.
fn kept_sql(
    entry: &CacheEntry,
    translate: Option<&SchemaTranslateMap>,
    dialect: &dyn Dialect,
) -> Result<KeptSql> {
    if entry.cached.compiled().needs_expansion() {
        return Ok(KeptSql::None);
    }
    Ok(match translate {
        Some(map) => {
            let (sql, id) = entry.translation(map, dialect)?;
            KeptSql::Translated(sql, id)
        }
        None => KeptSql::Compiled(entry.id),
    })
}

fn cached_since(entry: &CacheEntry) -> String {
    format!(
        "cached since {:.4}s ago",
        entry.created.elapsed().as_secs_f64()
    )
}

/// A statement as it was run, for reading its result.
struct Ran<'a> {
    stmt: &'a Statement,
    form: &'a Form<'a>,
    /// Whether RETURNING was added for `inserted_primary_key`.
    implicit_returning: bool,
}

impl Ran<'_> {
    /// The keys of a result with these column names (built once for a cached entry).
    fn keys(&self, names: ResultNames) -> Arc<ResultKeys> {
        match self.form {
            Form::Cached(entry, ..) => entry.result_keys(names),
            Form::Prepared(prepared) => prepared.entry.result_keys(names),
            Form::Compiled(compiled, _) => {
                Arc::new(ResultKeys::new(names.into_vec(&compiled.columns)))
            }
        }
    }

    /// The result of an execution: its rows, counts and, for a single-row INSERT,
    /// `inserted_primary_key` (given values and the row id, or the row an implicit RETURNING
    /// gave).
    fn cursor_result(&self, exec: Execution, params: &Params) -> Result<CursorResult> {
        if self.implicit_returning {
            // The primary key came back as a row of its own.
            let mut rows = exec.rows;
            let pk = rows.next_row()?;
            let inserted = pk.map(|row| Row::from_driver(self.keys(exec.columns), row));
            return Ok(CursorResult::new(
                Vec::new(),
                RowSource::default(),
                exec.rowcount,
                inserted.or_else(|| null_key(self.stmt)),
            ));
        }
        let last_id = exec.last_insert_id.filter(|_| exec.rowcount > 0);
        let inserted = inserted_primary_key(self.stmt, params, last_id);
        Ok(CursorResult::with_keys(
            self.keys(exec.columns),
            exec.rows,
            exec.rowcount,
            inserted,
        ))
    }
}

/// The compiled form of `stmt`: from `cache` when it holds the statement's shape, else
/// compiled (and stored when the shape can be cached).
fn compile_form<'s>(
    stmt: &'s Statement,
    dialect: &'static dyn Dialect,
    cache: Option<&CompiledCache>,
    translate: Option<&SchemaTranslateMap>,
) -> Result<Form<'s>> {
    let uncached = |why| -> Result<Form<'s>> {
        let mut compiled = stmt.compile(dialect)?;
        if let Some(map) = translate {
            compiled.translate_in_place(map, dialect)?;
        }
        Ok(Form::Compiled(Box::new(compiled), why))
    };
    let Some(cache) = cache.filter(|c| c.capacity() > 0) else {
        return uncached(Uncached::Disabled);
    };
    let Some(extracted) = extract(stmt, dialect) else {
        return uncached(Uncached::NoKey);
    };
    Ok(match cache.lookup(stmt, &extracted, dialect)? {
        CacheLookup::Hit(entry) => Form::Cached(entry, extracted, false),
        CacheLookup::Stored(entry) => Form::Cached(entry, extracted, true),
        CacheLookup::Uncacheable(mut compiled) => {
            if let Some(map) = translate {
                compiled.translate_in_place(map, dialect)?;
            }
            Form::Compiled(compiled, Uncached::NoKey)
        }
    })
}

/// The primary key of an INSERT that inserted nothing: all NULL.
fn null_key(stmt: &Statement) -> Option<Row> {
    let Statement::Insert(ins) = stmt else {
        return None;
    };
    let names: Vec<Arc<str>> = ins.table.primary_key.columns.clone();
    let values = vec![Value::Null; names.len()];
    Some(Row::new(Arc::new(ResultKeys::new(names)), values))
}

/// The INSERT with one row of values: a bind parameter for each of the execution parameters.
fn values_from_params(ins: Insert, params: &Params) -> Insert {
    let cols: Vec<(Arc<str>, Expr)> = params
        .iter()
        .map(|(k, _)| (Arc::from(k.as_ref()), bindparam(k)))
        .collect();
    ins.values(cols)
}

/// The primary key of a single-row INSERT: values given, and the row id for the
/// autoincrement column.
fn inserted_primary_key(stmt: &Statement, params: &Params, last_id: Option<i64>) -> Option<Row> {
    let Statement::Insert(ins) = stmt else {
        return None;
    };
    let InsertSource::Values(rows) = &ins.source else {
        return None;
    };
    if rows.len() > 1 {
        return None;
    }
    let row = rows.first();
    let table = &ins.table;
    let autoinc = table.autoincrement_column().map(|c| c.name.clone());
    let mut names = Vec::new();
    let mut values = Vec::new();
    for pk in &table.primary_key.columns {
        let given = row
            .and_then(|r| r.iter().find(|(k, _)| k == pk))
            .map(|(_, e)| e);
        let value = match given {
            Some(Expr::Bind(b)) => b.value.clone(),
            Some(Expr::Param(p)) => params.get(&p.name).cloned().unwrap_or(Value::Null),
            Some(_) => Value::Null,
            None if autoinc.as_ref() == Some(pk) => last_id.map_or(Value::Null, Value::I64),
            None => match table.get_column(pk).and_then(|c| c.default.as_ref()) {
                Some(sqlcore_compiler::ClientDefault::Value(v)) => v.clone(),
                _ => Value::Null,
            },
        };
        names.push(pk.clone());
        values.push(value);
    }
    Some(Row::new(Arc::new(ResultKeys::new(names)), values))
}
