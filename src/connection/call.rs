//! The step above the driver, shared by the sync [`Connection`](super::Connection) and the
//! async [`AsyncConnection`](crate::aio::AsyncConnection): a statement's execution options
//! resolved, its implicit INSERT values added, its compiled form found (prepared, cached or
//! compiled now), its values bound and its schemas translated, the parameter count checked and
//! the statement echoed — everything a driver [`Request`] needs — and, once the driver ran it,
//! its [`CursorResult`] built ([`Ran`]).

use super::display_params::DisplayParams;
use crate::cache::{CacheEntry, CacheLookup, CompiledCache};
use crate::driver::{Execution, Request, ResultNames, RowSource, StatementId};
use crate::error::{Error, Result};
use crate::events::{CacheUse, Described, Sending, Values};
use crate::executable::{Executable, Held};
use crate::options::{ExecutionOptions, SqliteBegin};
use crate::prepared::PreparedForm;
use crate::result::CursorResult;
use crate::row::{ResultKeys, Row};
use sqlcore_compiler::{
    BoundRefs, Compile, CompileError, Compiled, ConvertedBinds, Dialect, Expr, Extracted, Insert,
    InsertSource, Params, SchemaTranslateMap, Statement, Value, bindparam, extract,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a statement's execution reads from its engine.
#[derive(Clone, Copy)]
pub(crate) struct EngineContext<'e> {
    pub dialect: &'static dyn Dialect,
    pub echo: bool,
    /// The engine's compiled-statement cache.
    pub cache: &'e CompiledCache,
    /// How the engine's SQLite transactions begin, if configured.
    pub sqlite_begin: Option<SqliteBegin>,
}

impl EngineContext<'_> {
    /// How a transaction begun under `options` begins on SQLite.
    #[inline]
    pub fn sqlite_begin(&self, options: &ExecutionOptions) -> SqliteBegin {
        options
            .sqlite_begin
            .or(self.sqlite_begin)
            .unwrap_or_default()
    }

    /// Refuses, before it is sent, a statement with more parameters than the dialect's
    /// protocol carries (the driver would fail to encode it, or the server refuse it).
    pub fn check_parameter_count(&self, count: usize) -> Result<()> {
        Self::check_count(self.dialect, count)
    }

    #[inline]
    fn check_count(dialect: &dyn Dialect, count: usize) -> Result<()> {
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

    /// An INSERT without values takes its columns from the parameters; with
    /// `implicit_returning`, a single-row INSERT on a dialect without row ids returns its
    /// primary key (as SQLAlchemy does on PostgreSQL) for `inserted_primary_key`. Gives the
    /// statement (as it came when neither applies) and whether RETURNING was added.
    #[inline]
    pub fn with_implicit_values<'s>(
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
            && single_row
            && ins.returning.is_empty()
            && !ins.table.primary_key.columns.is_empty()
            && (self.dialect.implicit_returning() || key_from_sequence(&ins.table, self.dialect));
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
}

/// Whether `table`'s autoincrement key draws from a sequence `dialect` uses and can return
/// (MariaDB): the row id (`LAST_INSERT_ID()`) does not know such a key, RETURNING does. The
/// dialect is asked first, so other backends skip the table's columns.
fn key_from_sequence(table: &sqlcore_compiler::Table, dialect: &dyn Dialect) -> bool {
    dialect.supports_sequences()
        && dialect.supports_returning()
        && table
            .autoincrement_column()
            .and_then(|c| c.sequence())
            .is_some_and(|s| s.applies_to(dialect))
}

/// A statement compiled for one `execute_many` (without the cache).
pub(crate) struct CompiledForMany {
    pub compiled: Compiled,
    pub stmt: Statement,
}

impl EngineContext<'_> {
    /// Compiles `stmt` (its values from `params` when it has none) without the cache, its
    /// schemas translated through `options`' `schema_translate_map`.
    pub fn compile_for_many(
        &self,
        stmt: Statement,
        params: &Params,
        options: &ExecutionOptions,
    ) -> Result<CompiledForMany> {
        let stmt = match self.with_implicit_values(&stmt, params, false).0 {
            Held::Owned(with_values) => *with_values,
            Held::Borrowed(_) => stmt,
        };
        let mut compiled = stmt.compile(self.dialect)?;
        if let Some(map) = &options.schema_translate_map {
            compiled.translate_in_place(map, self.dialect)?;
        }
        Ok(CompiledForMany { compiled, stmt })
    }
}

/// Adds the statement to a database error (its SQL and parameter names).
pub(crate) fn with_statement(e: Error, sql: String, compiled: &Compiled) -> Error {
    let Error::Db(mut db) = e else { return e };
    db.sql = Some(sql);
    db.param_names = compiled.params.iter().map(|p| p.name.clone()).collect();
    Error::Db(db)
}

/// A statement on its way to the driver: its compiled form found, under the execution options
/// in effect for it.
pub(crate) struct Call<'s> {
    stmt: &'s Statement,
    form: Form<'s>,
    /// Whether RETURNING was added for `inserted_primary_key`.
    implicit_returning: bool,
    translate: Option<Arc<SchemaTranslateMap>>,
    /// Fetch rows in chunks of this size.
    pub stream: Option<usize>,
    /// The chunk size of a streamed result.
    #[cfg(feature = "async")]
    pub max_row_buffer: usize,
    /// How a transaction this statement begins begins on SQLite.
    pub begin: SqliteBegin,
    /// Whether the statement may go to a read replica, outside a transaction: the
    /// `read_only` option, else whether it is a Core SELECT.
    pub read_only: bool,
    /// What the compiled-statement cache did, when echoing.
    compile_note: Option<String>,
    dialect: &'static dyn Dialect,
    echo: bool,
}

impl<'s> Call<'s> {
    /// Resolves `statement`'s options over the connection's `options` and finds the compiled
    /// form of `stmt` (the statement with its implicit values, see
    /// [`EngineContext::with_implicit_values`]; `implicit_returning` as that gave it).
    #[inline]
    pub fn new(
        ctx: &EngineContext<'_>,
        options: &ExecutionOptions,
        statement: &'s Executable<'_>,
        (stmt, implicit_returning): (&'s Held<'_>, bool),
    ) -> Result<Self> {
        let own_options = statement.options_over(options);
        let options = own_options.as_ref().unwrap_or(options);
        let translate = options.schema_translate_map.as_deref();
        let dialect = ctx.dialect;
        let started = ctx.echo.then(Instant::now);
        let form = match statement.prepared {
            // As prepared: the statement unchanged, on the dialect it was compiled for.
            Some(prepared)
                if matches!(stmt, Held::Borrowed(_))
                    && prepared.entry.cached.compiled().dialect == dialect.name() =>
            {
                Form::Prepared(prepared)
            }
            _ => {
                let cache = options.compiled_cache.resolve(ctx.cache);
                compile_form(stmt, dialect, cache, translate)?
            }
        };
        let compile_note = started.map(|t| form.note(t.elapsed()));
        Ok(Call {
            stmt,
            form,
            implicit_returning,
            translate: options.schema_translate_map.clone(),
            stream: options.stream_results.then_some(options.max_row_buffer),
            #[cfg(feature = "async")]
            max_row_buffer: options.max_row_buffer,
            begin: ctx.sqlite_begin(options),
            read_only: options.read_only.unwrap_or(matches!(
                &**stmt,
                Statement::Select(_) | Statement::Compound(_)
            )),
            compile_note,
            dialect,
            echo: ctx.echo,
        })
    }

    /// The statement as the events describe it, sent as `request` under its `own_options`
    /// (see [`Executable::options_over`]), if it has some.
    pub fn sending<'c>(
        &'c self,
        request: &'c Request<'c>,
        own_options: Option<&'c ExecutionOptions>,
    ) -> Sending<'c> {
        Sending {
            sql: request.sql,
            values: Values::Bound(request.params),
            options: own_options,
            cache: self.form.cache_use(),
            batch_size: None,
            statement: Described::Statement(self.stmt),
        }
    }

    /// The compiled form.
    #[inline]
    pub fn compiled(&self) -> &Compiled {
        self.form.compiled()
    }

    /// The values (the statement's and `params`) meeting user types, converted by them for
    /// [`Call::bind`]: nothing, and no allocation, for a statement without any.
    #[inline]
    pub fn convert(&self, params: &Params) -> Result<ConvertedBinds> {
        Ok(match &self.form {
            Form::Cached(entry, extracted, _) => entry.cached.convert_binds(extracted, params)?,
            Form::Prepared(prepared) => prepared
                .entry
                .cached
                .compiled()
                .convert_binds(&|i| &prepared.literals[i], params)?,
            Form::Compiled(compiled, _) => {
                compiled.convert_binds(&|i| &compiled.literals[i], params)?
            }
        })
    }

    /// Binds `params` (the schemas translated, values meeting user types as `converted` by
    /// [`Call::convert`]), echoes the statement when the engine does, and refuses more
    /// parameters than the dialect carries.
    #[inline]
    pub fn bind<'c>(
        &'c self,
        params: &'c Params,
        converted: &'c ConvertedBinds,
    ) -> Result<Bound<'c>> {
        let translate = self.translate.as_deref();
        let dialect = self.dialect;
        let map = translate.map(|m| (m, dialect));
        let (refs, kept) = match &self.form {
            Form::Cached(entry, extracted, _) => (
                entry.cached.bind_refs(extracted, params, converted, map)?,
                kept_sql(entry, translate, dialect)?,
            ),
            Form::Prepared(prepared) => (
                prepared.entry.cached.compiled().bind_refs(
                    |i| &prepared.literals[i],
                    params,
                    converted,
                    map,
                )?,
                kept_sql(&prepared.entry, translate, dialect)?,
            ),
            Form::Compiled(compiled, _) => (
                compiled.bind_refs(|i| &compiled.literals[i], params, converted, None)?,
                KeptSql::None,
            ),
        };
        let bound = Bound {
            refs,
            kept,
            call: self,
        };
        if let Some(note) = &self.compile_note {
            tracing::info!(target: "sqlcore.engine", "{}", bound.sql());
            tracing::info!(target: "sqlcore.engine", "[{note}] [parameters: {}]", DisplayParams(&bound.refs.values));
        }
        EngineContext::check_count(dialect, bound.refs.values.len())?;
        Ok(bound)
    }

    /// The start of the driver call, when echoing (see [`Call::executed`]).
    #[inline]
    pub fn started(&self) -> Option<Instant> {
        self.echo.then(Instant::now)
    }

    /// Echoes the driver call's time.
    #[inline]
    pub fn executed(&self, started: Option<Instant>) {
        if let Some(started) = started {
            tracing::info!(target: "sqlcore.engine", "[executed in {:.3?}]", started.elapsed());
        }
    }

    /// How to read the statement's result.
    #[inline]
    pub fn ran(&self) -> Ran<'_> {
        Ran {
            stmt: self.stmt,
            form: &self.form,
            implicit_returning: self.implicit_returning,
        }
    }
}

/// A statement bound to its values: what the driver is asked to run.
pub(crate) struct Bound<'c> {
    refs: BoundRefs<'c, 'c>,
    kept: KeptSql,
    call: &'c Call<'c>,
}

impl Bound<'_> {
    /// The SQL the driver runs.
    #[inline]
    pub fn sql(&self) -> &str {
        match &self.kept {
            KeptSql::Translated(sql, _) => sql,
            KeptSql::Compiled(_) | KeptSql::None => &self.refs.sql,
        }
    }

    /// The driver request.
    #[inline]
    pub fn request(&self) -> Request<'_> {
        let statement_id = match &self.kept {
            KeptSql::Translated(_, id) | KeptSql::Compiled(id) => Some(*id),
            KeptSql::None => None,
        };
        Request {
            sql: self.sql(),
            statement_id,
            params: &self.refs.values,
            param_types: &self.refs.types,
            result_columns: &self.call.compiled().columns,
            stream: self.call.stream,
        }
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
    fn cache_use(&self) -> CacheUse {
        match self {
            Form::Cached(_, _, false) => CacheUse::Hit,
            Form::Cached(_, _, true) => CacheUse::Miss,
            Form::Prepared(_) => CacheUse::Prepared,
            Form::Compiled(..) => CacheUse::Uncached,
        }
    }

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
pub(crate) struct Ran<'a> {
    stmt: &'a Statement,
    form: &'a Form<'a>,
    /// Whether RETURNING was added for `inserted_primary_key`.
    implicit_returning: bool,
}

impl Ran<'_> {
    /// The keys of a result with these column names (built once for a cached entry).
    pub(crate) fn keys(&self, names: ResultNames) -> Arc<ResultKeys> {
        match self.form {
            Form::Cached(entry, ..) => entry.result_keys(names),
            Form::Prepared(prepared) => prepared.entry.result_keys(names),
            Form::Compiled(compiled, _) => Arc::new(ResultKeys::of_compiled(
                names.into_vec(&compiled.columns),
                compiled,
            )),
        }
    }

    /// The result of an execution: its rows, counts and, for a single-row INSERT,
    /// `inserted_primary_key` (given values and the row id, or the row an implicit RETURNING
    /// gave).
    pub(crate) fn cursor_result(&self, exec: Execution, params: &Params) -> Result<CursorResult> {
        if self.implicit_returning {
            // The primary key came back as a row of its own.
            let mut rows = exec.rows;
            let pk = rows.next_row()?;
            let inserted = pk
                .map(|row| Row::read(self.keys(exec.columns), row))
                .transpose()?;
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
pub(crate) fn values_from_params(ins: Insert, params: &Params) -> Insert {
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
