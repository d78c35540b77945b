//! [`Connection`]: executes statements on one pooled connection, with commit-as-you-go and
//! explicit transactions.

use crate::cache::{CacheEntry, CacheLookup, CompiledCache};
use crate::driver::{DriverConnection, Execution, FirstRow, Request, ResultNames, RowSource};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::executable::Executable;
use crate::options::{ExecutionOptions, IsolationLevel};
use crate::pool::PoolRecord;
use crate::prepared::PreparedForm;
use crate::result::CursorResult;
use crate::row::{ResultKeys, Row, RowRef};
use crate::transaction::{NestedTransaction, Transaction};
use sqlcore_compiler::{
    Compile, Compiled, Dialect, Expr, Extracted, Insert, InsertSource, Params, SchemaTranslateMap,
    Statement, Value, bindparam, extract,
};
use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod many;

/// Parameters for [`Connection::execute`]: [`Params`] (by value or reference) or `()` for none.
pub trait IntoParams {
    /// The parameters.
    fn into_params(self) -> Params;
}

impl IntoParams for Params {
    fn into_params(self) -> Params {
        self
    }
}

impl IntoParams for &Params {
    fn into_params(self) -> Params {
        self.clone()
    }
}

impl IntoParams for () {
    fn into_params(self) -> Params {
        Params::new()
    }
}

/// One connection from the engine's pool. Dropping it returns it to the pool (rolled back).
///
/// Commit-as-you-go: the first statement begins a transaction, which lasts until `commit()` or
/// `rollback()`. Or use [`Connection::begin`] / [`Connection::begin_nested`] guards.
///
/// ```
/// use sqlcore::*;
/// let engine = create_engine("sqlite://")?;
/// let mut conn = engine.connect()?;
/// conn.execute(text("CREATE TABLE t (x INTEGER)"), ())?;
/// conn.execute(text("INSERT INTO t VALUES (:x)"), params! { "x" => 1 })?;
/// assert!(conn.in_transaction());
/// conn.commit()?;
/// {
///     let mut tx = conn.begin()?;
///     tx.execute(text("INSERT INTO t VALUES (2)"), ())?;
///     let mut sp = tx.begin_nested()?;
///     sp.execute(text("INSERT INTO t VALUES (3)"), ())?;
///     sp.rollback()?; // only 3 goes
///     tx.commit()?;
/// }
/// let all: Vec<i64> = conn.execute(text("SELECT x FROM t ORDER BY x"), ())?.scalars().all()?;
/// assert_eq!(all, [1, 2]);
/// # Ok::<(), sqlcore::Error>(())
/// ```
pub struct Connection {
    engine: Engine,
    record: Option<PoolRecord>,
    in_tx: bool,
    savepoints: Vec<String>,
    savepoint_seq: u32,
    options: ExecutionOptions,
    /// The driver's isolation level before this connection changed it, to restore at checkin.
    restore_isolation: Option<IsolationLevel>,
    invalidated: bool,
    pending_rollback: bool,
    closed: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("engine", &self.engine)
            .field("in_transaction", &self.in_tx)
            .field("savepoints", &self.savepoints)
            .field("closed", &self.closed)
            .field("invalidated", &self.invalidated)
            .finish()
    }
}

/// A statement compiled for this connection (for `execute_many`).
struct CompiledForMany {
    compiled: Compiled,
    stmt: Statement,
}

impl Connection {
    pub(crate) fn new(engine: Engine) -> Result<Self> {
        let record = engine.pool().checkout()?;
        let options = engine.get_execution_options().clone();
        let mut conn = Connection {
            engine,
            record: Some(record),
            in_tx: false,
            savepoints: Vec::new(),
            savepoint_seq: 0,
            options: ExecutionOptions::default(),
            restore_isolation: None,
            invalidated: false,
            pending_rollback: false,
            closed: false,
        };
        if options != conn.options {
            conn.execution_options(options)?;
        }
        Ok(conn)
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The SQL dialect.
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.engine.dialect()
    }

    /// The current execution options.
    pub fn get_execution_options(&self) -> &ExecutionOptions {
        &self.options
    }

    fn effective_isolation(&self) -> Option<IsolationLevel> {
        self.options
            .isolation_level
            .or(self.engine.isolation_level())
    }

    fn autocommit(&self) -> bool {
        self.effective_isolation() == Some(IsolationLevel::Autocommit)
    }

    /// The driver connection, checking one out again after an invalidation.
    fn raw(&mut self) -> Result<&mut dyn DriverConnection> {
        if self.closed {
            return Err(Error::ResourceClosed("this connection is closed".into()));
        }
        if self.pending_rollback {
            return Err(Error::PendingRollback(
                "the connection was invalidated inside a transaction; call rollback() before using it again".into(),
            ));
        }
        if self.record.is_none() {
            let record = self.engine.pool().checkout()?;
            self.record = Some(record);
            self.invalidated = false;
            if let Some(level) = self.options.isolation_level {
                self.apply_isolation(level)?;
            }
        }
        match self.record.as_mut() {
            Some(record) => Ok(record.driver_connection()),
            None => Err(Error::ResourceClosed(
                "this connection has no database connection".into(),
            )),
        }
    }

    /// Sets the execution options, replacing the current set (see
    /// [`Connection::update_execution_options`] to change some and keep the rest). Changing the
    /// isolation level while a transaction is open is an [`Error::InvalidRequest`].
    pub fn execution_options(&mut self, options: ExecutionOptions) -> Result<&mut Self> {
        if options.isolation_level != self.options.isolation_level {
            if self.in_tx {
                return Err(Error::InvalidRequest(
                    "the isolation level cannot change while a transaction is open; commit() or rollback() first".into(),
                ));
            }
            if let Some(level) = options.isolation_level {
                self.apply_isolation(level)?;
            } else if let Some(previous) = self.restore_isolation.take() {
                self.raw()?.set_isolation_level(previous)?;
            }
        }
        self.options = options;
        Ok(self)
    }

    /// Changes some execution options, keeping the others (SQLAlchemy's merging
    /// `execution_options(**kw)`).
    ///
    /// ```
    /// use sqlcore::*;
    /// let engine = create_engine("sqlite://")?;
    /// let mut conn = engine.connect()?;
    /// conn.update_execution_options(|o| o.isolation_level(IsolationLevel::ReadUncommitted))?;
    /// conn.update_execution_options(|o| o.stream_results(true))?;
    /// assert_eq!(conn.get_execution_options().isolation_level, Some(IsolationLevel::ReadUncommitted));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn update_execution_options(
        &mut self,
        change: impl FnOnce(ExecutionOptions) -> ExecutionOptions,
    ) -> Result<&mut Self> {
        let options = change(self.options.clone());
        self.execution_options(options)
    }

    fn apply_isolation(&mut self, level: IsolationLevel) -> Result<()> {
        if level == IsolationLevel::Autocommit {
            return Ok(());
        }
        let raw = self.raw()?;
        if !raw.supported_isolation_levels().contains(&level) {
            return Err(Error::Argument(format!(
                "isolation level {level} is not supported by this database; it supports {} and AUTOCOMMIT",
                raw.supported_isolation_levels()
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let previous = raw.isolation_level()?;
        if previous != level {
            raw.set_isolation_level(level)?;
            self.restore_isolation.get_or_insert(previous);
        }
        Ok(())
    }

    /// The isolation level in effect, read from the database (`AUTOCOMMIT` when set so).
    pub fn get_isolation_level(&mut self) -> Result<IsolationLevel> {
        if self.autocommit() {
            return Ok(IsolationLevel::Autocommit);
        }
        self.raw()?.isolation_level()
    }

    /// The pool's number for the database connection in use (`None` after an invalidation,
    /// until the next statement checks out a new one).
    pub fn connection_id(&self) -> Option<u64> {
        self.record.as_ref().map(PoolRecord::id)
    }

    /// The driver connection (SQLAlchemy's `conn.connection`); `as_any_mut()` reaches the
    /// driver's own object.
    pub fn driver_connection(&mut self) -> Result<&mut dyn DriverConnection> {
        self.raw()
    }

    /// Whether a transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.in_tx
    }

    /// Whether a savepoint is open.
    pub fn in_nested_transaction(&self) -> bool {
        !self.savepoints.is_empty()
    }

    /// The innermost open savepoint's name.
    pub fn get_nested_transaction(&self) -> Option<&str> {
        self.savepoints.last().map(String::as_str)
    }

    /// Whether the connection is closed.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// Whether the database connection was invalidated (and not yet replaced).
    pub fn invalidated(&self) -> bool {
        self.invalidated
    }

    fn begin_root(&mut self) -> Result<()> {
        if !self.autocommit() {
            let begun = self.raw()?.begin();
            self.watch(begun)?;
        } else {
            self.raw()?;
        }
        self.in_tx = true;
        Ok(())
    }

    /// Passes a driver call's result through; a lost connection is invalidated on the way.
    fn watch<T>(&mut self, result: Result<T>) -> Result<T> {
        if let Err(Error::Db(db)) = &result {
            if db.connection_invalidated {
                self.engine.pool().factory().bump_generation();
                self.invalidate();
            }
        }
        result
    }

    fn autobegin(&mut self) -> Result<()> {
        if !self.in_tx && !self.autocommit() {
            self.begin_root()?;
        }
        Ok(())
    }

    /// Begins a transaction; the guard commits on `commit()` and rolls back when dropped.
    /// An error if a transaction is already open (including an autobegun one).
    pub fn begin(&mut self) -> Result<Transaction<'_>> {
        if self.in_tx {
            return Err(Error::InvalidRequest(
                "a transaction is already begun on this connection; commit() or rollback() it first".into(),
            ));
        }
        self.begin_root()?;
        Ok(Transaction::new(self))
    }

    /// Opens a savepoint (beginning a transaction first if none is open); the guard releases
    /// it on `commit()` and rolls back to it when dropped.
    pub fn begin_nested(&mut self) -> Result<NestedTransaction<'_>> {
        if !self.in_tx {
            self.begin_root()?;
        }
        self.savepoint_seq += 1;
        let name = format!("sa_savepoint_{}", self.savepoint_seq);
        self.raw()?.savepoint(&name)?;
        self.savepoints.push(name.clone());
        Ok(NestedTransaction::new(self, name))
    }

    pub(crate) fn release_savepoint(&mut self, name: &str) -> Result<()> {
        self.pop_savepoint(name);
        self.raw()?.release_savepoint(name)
    }

    pub(crate) fn rollback_to_savepoint(&mut self, name: &str) -> Result<()> {
        self.pop_savepoint(name);
        if self.record.is_none() {
            // Invalidated: the savepoint went with the connection.
            return Ok(());
        }
        self.raw()?.rollback_to_savepoint(name)
    }

    fn pop_savepoint(&mut self, name: &str) {
        if let Some(pos) = self.savepoints.iter().position(|s| s == name) {
            self.savepoints.truncate(pos);
        }
    }

    /// Commits the open transaction, if any (savepoints included).
    pub fn commit(&mut self) -> Result<()> {
        let driver_tx = self
            .record
            .as_ref()
            .is_some_and(|r| r.conn.in_transaction());
        if !self.in_tx && !driver_tx {
            return Ok(());
        }
        if driver_tx {
            // Also under AUTOCOMMIT, where a savepoint opened a transaction of its own.
            // State changes only once the COMMIT succeeded: a failed one can be rolled back.
            let committed = self.raw()?.commit();
            if committed.is_err()
                && !self
                    .record
                    .as_ref()
                    .is_some_and(|r| r.conn.in_transaction())
            {
                // The database ended the transaction anyway (PostgreSQL does on a failed
                // COMMIT): so does this connection.
                self.savepoints.clear();
                self.in_tx = false;
            }
            self.watch(committed)?;
        }
        self.savepoints.clear();
        self.in_tx = false;
        Ok(())
    }

    /// Rolls back the open transaction, if any; also clears the pending-rollback state of an
    /// invalidated connection.
    pub fn rollback(&mut self) -> Result<()> {
        self.savepoints.clear();
        self.in_tx = false;
        self.pending_rollback = false;
        let rolled_back = match self.record.as_mut() {
            Some(record) if record.conn.in_transaction() => record.driver_connection().rollback(),
            _ => Ok(()),
        };
        self.watch(rolled_back)
    }

    /// Discards the database connection: it is closed, never reused. A transaction that was
    /// open must be rolled back before the connection is used again; then a new database
    /// connection is checked out.
    pub fn invalidate(&mut self) {
        if let Some(record) = self.record.take() {
            self.engine.pool().discard(record);
        }
        self.restore_isolation = None;
        self.invalidated = true;
        if self.in_tx {
            self.pending_rollback = true;
        }
    }

    /// Returns the database connection to the pool (rolled back) and closes this connection.
    pub fn close(&mut self) {
        if self.closed {
            return;
        }
        // As SQLAlchemy: closing rolls back this connection's own transaction; the pool's
        // reset-on-return then deals with anything begun on the driver connection directly.
        if self.in_tx {
            if let Err(e) = self.rollback() {
                tracing::warn!(target: "sqlcore.engine", error = %e, "rollback at close failed; discarding the connection");
                self.invalidate();
            }
        }
        self.closed = true;
        self.in_tx = false;
        self.savepoints.clear();
        if let Some(mut record) = self.record.take() {
            if let Some(previous) = self.restore_isolation.take() {
                if record
                    .driver_connection()
                    .set_isolation_level(previous)
                    .is_err()
                {
                    return self.engine.pool().discard(record);
                }
            }
            self.engine.pool().checkin(record);
        }
    }

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
        let (stmt, implicit_returning) =
            self.with_implicit_values(&statement.statement, params, implicit_returning);
        let dialect = self.engine.dialect();
        let echo = self.engine.echo();
        let started = echo.then(Instant::now);
        let form = match statement.prepared {
            // As prepared: the statement unchanged, on the dialect it was compiled for.
            Some(prepared)
                if matches!(stmt, Cow::Borrowed(_)) && prepared.dialect == dialect.name() =>
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
        // The SQL translated through the map, kept with a cached entry.
        let translated = |entry: &CacheEntry| match translate {
            Some(m) if !entry.cached.compiled().needs_expansion() => {
                entry.translated(m, dialect).map(Some)
            }
            _ => Ok(None),
        };
        let (bound, translated_sql) = match &form {
            Form::Cached(entry, extracted, _) => (
                entry.cached.bind(extracted, params, map)?,
                translated(entry)?,
            ),
            Form::Prepared(prepared) => (
                prepared
                    .entry
                    .cached
                    .compiled()
                    .bind_literals(&prepared.literals, params, map)?,
                translated(&prepared.entry)?,
            ),
            Form::Compiled(compiled, _) => (compiled.bind(params)?, None),
        };
        let ran = Ran {
            stmt: &stmt,
            form: &form,
            implicit_returning,
        };
        let compiled = form.compiled();
        let sql: &str = translated_sql.as_deref().unwrap_or(&bound.sql);
        if let Some(note) = compile_note {
            tracing::info!(target: "sqlcore.engine", "{sql}");
            tracing::info!(target: "sqlcore.engine", "[{note}] [parameters: {:?}]", bound.values);
        }
        self.raw()?;
        self.autobegin()?;
        let started = echo.then(Instant::now);
        let request = Request {
            sql,
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

    /// Adds the statement to a database error. A disconnect invalidates this connection and
    /// every connection the pool opened before it.
    fn decorate(&mut self, e: Error, sql: String, compiled: &Compiled) -> Error {
        let Error::Db(mut db) = e else { return e };
        db.sql = Some(sql);
        db.param_names = compiled.params.iter().map(|p| p.name.clone()).collect();
        if db.connection_invalidated {
            self.engine.pool().factory().bump_generation();
            self.invalidate();
        }
        Error::Db(db)
    }

    /// The names of the tables in `schema` (the default schema when `None`), in one query.
    pub fn table_names(&mut self, schema: Option<&str>) -> Result<Vec<String>> {
        self.raw()?.table_names(schema)
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
    ) -> (Cow<'s, Statement>, bool) {
        let Statement::Insert(ins) = stmt else {
            return (Cow::Borrowed(stmt), false);
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
            return (Cow::Borrowed(stmt), false);
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
        (Cow::Owned(Statement::Insert(ins)), implicit)
    }

    /// Compiles a statement for this connection's dialect, without the cache, its schemas
    /// translated through the connection's `schema_translate_map`.
    fn compile_for_many(&mut self, stmt: Statement, params: &Params) -> Result<CompiledForMany> {
        let stmt = match self.with_implicit_values(&stmt, params, false).0 {
            Cow::Owned(with_values) => with_values,
            Cow::Borrowed(_) => stmt,
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
    Compiled(Compiled, Uncached),
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
        Ok(Form::Compiled(compiled, why))
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
            Form::Compiled(*compiled, Uncached::NoKey)
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

impl Drop for Connection {
    fn drop(&mut self) {
        self.close();
    }
}
