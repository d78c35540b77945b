//! Running a statement: its compiled form (prepared, cached or compiled now), binding,
//! the driver call, and the result — for `execute` and `query_row`.

use super::call::{Call, CompiledForMany, EngineContext, Ran};
use super::{Connection, IntoParams};
use crate::driver::{DriverConnection, EachRow, FirstRow, Request, RowsRead};
use crate::error::{Error, Result};
use crate::events::{EventSource, RowCounts, Sending, Watch};
use crate::executable::Executable;
use crate::result::CursorResult;
use crate::row::{ResultKeys, RowRef};
use sqlcore_compiler::{Params, Statement, Value, ValueRef};
use std::sync::Arc;
use std::time::Instant;

/// What [`Connection::run`] hands the driver request to: the driver call, giving its value
/// and the rows the driver reported.
pub(crate) trait DriverCall<R>:
    FnMut(&mut dyn DriverConnection, &Request<'_>, &Ran<'_>) -> Result<(R, RowCounts)>
{
}

impl<R, F> DriverCall<R> for F where
    F: FnMut(&mut dyn DriverConnection, &Request<'_>, &Ran<'_>) -> Result<(R, RowCounts)>
{
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
            let counts = RowCounts::of(&exec);
            Ok((ran.cursor_result(exec, &params)?, counts))
        })
    }

    /// Executes a statement and reads its first row with `read` where the driver holds it:
    /// no [`CursorResult`] or [`Row`](crate::Row) is built, so this is the cheapest way to fetch one row
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
            let found = driver.query_row(request, &mut |names, row| {
                let keys = ran.keys(names);
                if let Some(read) = read.take() {
                    value = Some(read_row(&keys, row, read)?);
                }
                Ok(())
            })?;
            Ok((found, RowCounts::first_row(&found)))
        })?;
        match (value, found) {
            (Some(value), _) => Ok(value),
            (None, FirstRow::NoColumns) => Err(Error::ResourceClosed(
                "this result object does not return rows".into(),
            )),
            (None, _) => Err(Error::NoResultFound),
        }
    }

    /// Executes a statement and hands each of its rows to `each` where the driver holds it,
    /// in one pass: no result is buffered and no row copied where the driver reads rows in
    /// place (SQLite); other drivers' rows are read from their result. The catalog readers'
    /// way through many small rows.
    pub(crate) fn for_each_row<'s>(
        &mut self,
        statement: impl Into<Executable<'s>>,
        params: impl IntoParams,
        mut each: impl FnMut(&RowRef<'_>) -> Result<()>,
    ) -> Result<()> {
        let params = params.into_params();
        self.run(&statement.into(), &params, false, |driver, request, ran| {
            let mut keys: Option<Arc<ResultKeys>> = None;
            let mut rows = 0;
            let read = driver.query_each(request, &mut |row| match row {
                EachRow::Names(names) => {
                    keys = Some(ran.keys(names));
                    Ok(())
                }
                EachRow::Row(values) => {
                    let Some(keys) = &keys else {
                        return Err(Error::InvalidRequest("a row before its columns".into()));
                    };
                    rows += 1;
                    read_row(keys, values, &mut each)
                }
            })?;
            match read {
                RowsRead::All => Ok(((), RowCounts::read(rows))),
                RowsRead::NoColumns => Ok(((), RowCounts::first_row(&FirstRow::NoColumns))),
                RowsRead::NotHere => {
                    let exec = driver.execute(request)?;
                    let counts = RowCounts::of(&exec);
                    let result = ran.cursor_result(exec, &params)?;
                    if !result.returns_rows() {
                        return Ok(((), counts));
                    }
                    for row in result {
                        let row = row?;
                        let values: Vec<ValueRef<'_>> =
                            row.values().iter().map(ValueRef::from).collect();
                        each(&RowRef::new(row.result_keys(), &values))?;
                    }
                    Ok(((), counts))
                }
            }
        })
    }

    /// The engine's part in running a statement.
    pub(super) fn context(&self) -> EngineContext<'_> {
        EngineContext {
            dialect: self.engine.dialect(),
            echo: self.engine.echo(),
            cache: self.engine.compiled_cache(),
            sqlite_begin: self.engine.sqlite_begin(),
        }
    }

    /// Compiles (or finds in the cache) and binds a statement, begins a transaction if none
    /// is open, and hands the driver request to `call`; a database error comes back with the
    /// statement attached. With `implicit_returning`, a single-row INSERT on a dialect without
    /// row ids returns its primary key (see [`Ran::cursor_result`]).
    pub(crate) fn run<R>(
        &mut self,
        statement: &Executable<'_>,
        params: &Params,
        implicit_returning: bool,
        mut call: impl DriverCall<R>,
    ) -> Result<R> {
        let ctx = self.context();
        let (stmt, implicit_returning) =
            ctx.with_implicit_values(&statement.statement, params, implicit_returning);
        let planned = Call::new(&ctx, &self.options, statement, (&stmt, implicit_returning))?;
        let converted = planned.convert(params)?;
        let bound = planned.bind(params, &converted)?;
        if self.reads_from_replica(&planned) {
            let own_options = self
                .observing()
                .then(|| statement.options_over(&self.options))
                .flatten();
            let request = bound.request();
            if let Some(done) = self.on_replica(&planned, &request, own_options.as_ref(), &mut call)
            {
                return done;
            }
        }
        self.raw()?;
        self.autobegin(planned.begin)?;
        let request = bound.request();
        if self.observing() {
            return self.run_observed(statement, &planned, &request, call);
        }
        let started = planned.started();
        let mut ran = call(self.raw()?, &request, &planned.ran());
        if self.replaced_when_lost_before_use(&ran)? {
            ran = call(self.raw()?, &request, &planned.ran());
        }
        let sending = || planned.sending(&request, None);
        self.ran(&planned, started, ran, sending, None)
    }

    /// The driver call of [`Connection::run`] with the events around it.
    fn run_observed<R>(
        &mut self,
        statement: &Executable<'_>,
        planned: &Call<'_>,
        request: &Request<'_>,
        mut call: impl DriverCall<R>,
    ) -> Result<R> {
        let own_options = statement.options_over(&self.options);
        let sending = planned.sending(request, own_options.as_ref());
        let observed = self.before_send(&sending);
        let started = planned.started();
        let mut ran = call(self.raw()?, request, &planned.ran());
        if self.replaced_when_lost_before_use(&ran)? {
            ran = call(self.raw()?, request, &planned.ran());
        }
        self.ran(planned, started, ran, || sending, observed)
    }

    /// What a driver call gave: echoed, `after_execute` fired when `observed`, or its error
    /// made the statement's (see [`EventSource::send_failed`]).
    fn ran<'c, R>(
        &mut self,
        planned: &Call<'_>,
        started: Option<Instant>,
        ran: Result<(R, RowCounts)>,
        sending: impl FnOnce() -> Sending<'c>,
        observed: Option<Watch>,
    ) -> Result<R> {
        match ran {
            Ok((done, counts)) => {
                planned.executed(started);
                if observed.is_some() {
                    self.after_send(&sending(), observed, counts);
                }
                Ok(done)
            }
            Err(e) => Err(self.send_failed(e, &sending(), observed, planned.compiled())),
        }
    }

    /// Refuses, before it is sent, a statement with more parameters than the dialect's
    /// protocol carries (the driver would fail to encode it, or the server refuse it).
    pub(super) fn check_parameter_count(&self, count: usize) -> Result<()> {
        self.context().check_parameter_count(count)
    }

    /// Compiles a statement for this connection's dialect, without the cache, its schemas
    /// translated through the connection's `schema_translate_map`.
    pub(super) fn compile_for_many(
        &mut self,
        stmt: Statement,
        params: &Params,
    ) -> Result<CompiledForMany> {
        self.context().compile_for_many(stmt, params, &self.options)
    }
}

/// Hands `row` to `read` as a [`RowRef`] over `keys`: in place, or copied when columns of user
/// types are read through them.
pub(crate) fn read_row<T>(
    keys: &Arc<ResultKeys>,
    row: &[ValueRef<'_>],
    read: impl FnOnce(&RowRef<'_>) -> Result<T>,
) -> Result<T> {
    if keys.converts() {
        let mut values: Vec<Value> = row.iter().map(ValueRef::to_value).collect();
        keys.convert(&mut values)?;
        let row: Vec<ValueRef<'_>> = values.iter().map(ValueRef::from).collect();
        read(&RowRef::new(keys, &row))
    } else {
        read(&RowRef::new(keys, row))
    }
}
