//! `EngineBuilder`: SQLAlchemy's `create_engine` options, assembled into an [`Engine`].

use super::{Assembled, Engine, EngineInner, EngineSettings, ReplicaFactories, drivers, sync_pool};
use crate::cache::CompiledCache;
use crate::driver::Driver;
use crate::error::{Error, Result};
use crate::events::{ConnectionEvents, Observers};
use crate::options::{ExecutionOptions, IsolationLevel, PoolClass, ResetOnReturn, SqliteBegin};
use crate::pool::{EventHook, Factory, PoolEvents, PoolOptions};
use crate::url::{Backend, SqlitePath, Url};
use std::sync::Arc;
use std::time::Duration;

/// Builds an [`Engine`] with SQLAlchemy's options.
///
/// ```
/// use sqlcore::{Engine, PoolClass, ResetOnReturn};
/// use std::time::Duration;
/// let engine = Engine::builder("sqlite:///app.db")
///     .poolclass(PoolClass::Queue)
///     .pool_size(2)
///     .max_overflow(2)
///     .pool_timeout(Duration::from_secs(5))
///     .pool_recycle(Duration::from_secs(3600))
///     .pool_pre_ping(true)
///     .pool_use_lifo(true)
///     .pool_reset_on_return(ResetOnReturn::Rollback)
///     .on_connect(|conn| conn.execute_batch("PRAGMA foreign_keys = ON"))
///     .build()?;
/// assert_eq!(engine.pool_status().size, 2);
/// # Ok::<(), sqlcore::Error>(())
/// ```
pub struct EngineBuilder {
    url: String,
    pool_class: Option<PoolClass>,
    pool: PoolOptions,
    events: PoolEvents,
    isolation_level: Option<IsolationLevel>,
    sqlite_begin: Option<SqliteBegin>,
    echo: bool,
    query_cache_size: usize,
    compiled_cache: Option<CompiledCache>,
    execution_options: ExecutionOptions,
    statement_cache_size: Option<usize>,
    pgbouncer: bool,
    insertmanyvalues_page_size: usize,
    connect_args: Vec<(String, String)>,
    replicas: Vec<String>,
    replica_backoff: Duration,
    listeners: Vec<Arc<dyn ConnectionEvents>>,
    slow_statement_threshold: Option<Duration>,
    span_values: bool,
    pool_name: Option<String>,
}

impl EngineBuilder {
    pub(super) fn new(url: &str) -> Self {
        EngineBuilder {
            url: url.to_owned(),
            pool_class: None,
            pool: PoolOptions::default(),
            events: PoolEvents::default(),
            isolation_level: None,
            sqlite_begin: None,
            echo: false,
            query_cache_size: 500,
            compiled_cache: None,
            execution_options: ExecutionOptions::default(),
            statement_cache_size: None,
            pgbouncer: false,
            insertmanyvalues_page_size: 1000,
            connect_args: Vec::new(),
            replicas: Vec::new(),
            replica_backoff: Duration::from_secs(10),
            listeners: Vec::new(),
            slow_statement_threshold: None,
            span_values: false,
            pool_name: None,
        }
    }

    /// The pool class. Default: `Static` for SQLite `:memory:`, `Queue` otherwise.
    pub fn poolclass(mut self, class: PoolClass) -> Self {
        self.pool_class = Some(class);
        self
    }

    /// Connections the pool keeps open once they were opened (the pool starts empty).
    /// Default 5.
    ///
    /// 0 is no limit, as SQLAlchemy's `pool_size=0`: every checkout gets a connection at once
    /// (one returned before, or a new one), every connection that comes back is kept, and
    /// `max_overflow` does not apply. For no pooling at all, use [`PoolClass::Null`].
    /// For the `SingletonThreadPool`, the threads whose connections are kept (0: every
    /// thread's).
    ///
    /// ```
    /// use sqlcore::Engine;
    /// let path = std::env::temp_dir().join("sqlcore-doc-pool-size.db");
    /// let url = format!("sqlite:///{}", path.display());
    /// let engine = Engine::builder(&url).pool_size(0).build()?;
    /// let conns: Vec<_> = (0..20).map(|_| engine.connect()).collect::<Result<_, _>>()?;
    /// assert_eq!(engine.pool_status().checked_out, 20);
    /// drop(conns);
    /// assert_eq!(engine.pool_status().checked_in, 20);
    /// # std::fs::remove_file(path).ok();
    /// # Ok::<(), sqlcore::Error>(())
    /// ```
    pub fn pool_size(mut self, n: usize) -> Self {
        self.pool.pool_size = n;
        self
    }

    /// Connections the pool opens beyond `pool_size` while all of those are in use; they are
    /// closed as they come back. Past `pool_size + max_overflow` a checkout waits up to
    /// `pool_timeout`. `usize::MAX` is no limit (SQLAlchemy's `max_overflow=-1`); 0 is
    /// none beyond `pool_size`. Does not apply when `pool_size` is 0. Default 10.
    ///
    /// ```
    /// use sqlcore::Engine;
    /// let path = std::env::temp_dir().join("sqlcore-doc-max-overflow.db");
    /// let url = format!("sqlite:///{}", path.display());
    /// let engine = Engine::builder(&url).pool_size(2).max_overflow(usize::MAX).build()?;
    /// let conns: Vec<_> = (0..20).map(|_| engine.connect()).collect::<Result<_, _>>()?;
    /// assert_eq!(engine.pool_status().overflow, 18);
    /// drop(conns);
    /// assert_eq!(engine.pool_status().checked_in, 2);
    /// # std::fs::remove_file(path).ok();
    /// # Ok::<(), sqlcore::Error>(())
    /// ```
    pub fn max_overflow(mut self, n: usize) -> Self {
        self.pool.max_overflow = n;
        self
    }

    /// How long a checkout waits for a connection before a `TimeoutError`. Default 30 s.
    pub fn pool_timeout(mut self, timeout: Duration) -> Self {
        self.pool.timeout = timeout;
        self
    }

    /// Replace connections older than this at checkout. Default: never.
    pub fn pool_recycle(mut self, age: Duration) -> Self {
        self.pool.recycle = Some(age);
        self
    }

    /// Test connections at checkout, silently replacing dead ones. Default off.
    pub fn pool_pre_ping(mut self, on: bool) -> Self {
        self.pool.pre_ping = on;
        self
    }

    /// Reuse the most recently returned connection first. Default off (FIFO).
    pub fn pool_use_lifo(mut self, on: bool) -> Self {
        self.pool.use_lifo = on;
        self
    }

    /// How long a caller waiting for a connection may be overtaken (QueuePool). A returned
    /// connection normally goes back to the pool, the longest waiter is woken to take it, and
    /// a thread asking in the meantime may take it first, which spares a context switch per
    /// checkout under contention; once the longest waiter has waited this long, the next
    /// returned connection is handed to it directly. Waiters are still served in arrival
    /// order, `pool_timeout` holds, and the limit is never exceeded. `Duration::ZERO` hands
    /// every returned connection to the longest waiter (strict FIFO, one wake-up per
    /// checkout: fairest, several times slower when threads outnumber connections).
    /// Default 1 ms.
    pub fn pool_handoff_after(mut self, wait: Duration) -> Self {
        self.pool.handoff_after = wait;
        self
    }

    /// What to do with a returned connection's open transaction. Default rollback.
    pub fn pool_reset_on_return(mut self, reset: ResetOnReturn) -> Self {
        self.pool.reset_on_return = reset;
        self
    }

    /// The isolation level of every connection. Default: the database's.
    pub fn isolation_level(mut self, level: IsolationLevel) -> Self {
        self.isolation_level = Some(level);
        self
    }

    /// How SQLite transactions begin: [`SqliteBegin::Immediate`] takes the write lock at
    /// `BEGIN`, so transactions that read before they write wait their turn (up to the busy
    /// timeout, the URL's `timeout`) instead of failing with `database is locked`. The URL
    /// option `begin=immediate` says the same; this setting wins over it, and a connection's
    /// or statement's [`ExecutionOptions::sqlite_begin`] over both. Default: deferred
    /// (`BEGIN`). On another backend [`build`](Self::build) is an
    /// [`Error::Argument`](crate::Error::Argument).
    ///
    /// ```
    /// use sqlcore::{Engine, SqliteBegin};
    /// let engine = Engine::builder("sqlite:///app.db")
    ///     .sqlite_begin(SqliteBegin::Immediate)
    ///     .build()?;
    /// assert_eq!(engine.sqlite_begin(), Some(SqliteBegin::Immediate));
    /// assert!(Engine::builder("postgresql://localhost/test")
    ///     .sqlite_begin(SqliteBegin::Immediate)
    ///     .build()
    ///     .is_err());
    /// # Ok::<(), sqlcore::Error>(())
    /// ```
    pub fn sqlite_begin(mut self, mode: SqliteBegin) -> Self {
        self.sqlite_begin = Some(mode);
        self
    }

    /// Log every statement, its parameters and timing through `tracing` (target
    /// `sqlcore.engine`). Default off. As SQLAlchemy's, the statement is whole and the
    /// parameters are shortened: a value past 300 characters cut in the middle, a set past
    /// 100 values shown by its first and last 50, an executemany by 10 of its sets.
    pub fn echo(mut self, on: bool) -> Self {
        self.echo = on;
        self
    }

    /// Registers a listener of execution and transaction events (see [`crate::events`]):
    /// every statement either engine sends, on every backend, and every transaction step.
    /// Listeners are called in the order they were registered. Default: none, which costs
    /// nothing.
    pub fn events<L: ConnectionEvents + 'static>(mut self, listener: Arc<L>) -> Self {
        self.listeners.push(listener);
        self
    }

    /// Logs a `tracing` warning (target `sqlcore.slow_statement`) for each statement that
    /// runs this long or longer: its SQL (never its values) and how long it took, as sqlx's
    /// `log_slow_statements`. The time is the driver's, from sending the statement to its
    /// answer (for a streamed result, its first rows). Default: off.
    ///
    /// ```
    /// use sqlcore::Engine;
    /// use std::time::Duration;
    /// let engine = Engine::builder("sqlite://")
    ///     .slow_statement_threshold(Duration::from_millis(200))
    ///     .build()?;
    /// # drop(engine);
    /// # Ok::<(), sqlcore::Error>(())
    /// ```
    pub fn slow_statement_threshold(mut self, threshold: Duration) -> Self {
        self.slow_statement_threshold = Some(threshold);
        self
    }

    /// Records each statement's bound values on its `tracing` span, in the field
    /// `db.query.parameters`, shortened as the [`echo`](Self::echo) log shortens them.
    /// Default off: values never appear in a span otherwise (they may hold personal data or
    /// secrets). See the README's "Observability" section for the spans.
    pub fn span_values(mut self, on: bool) -> Self {
        self.span_values = on;
        self
    }

    /// The pool's name in its metrics (the attribute `db.client.connection.pool.name`; the
    /// `metrics` feature). Default: the database's address as the OpenTelemetry conventions
    /// suggest, `host:port/database` (the file's path for SQLite), never a password.
    pub fn pool_name(mut self, name: impl Into<String>) -> Self {
        self.pool_name = Some(name.into());
        self
    }

    /// Compiled statements kept per engine. Default 500.
    pub fn query_cache_size(mut self, n: usize) -> Self {
        self.query_cache_size = n;
        self
    }

    /// A compiled-statement cache of the caller's (e.g. shared with other engines of the
    /// same dialect) instead of one of `query_cache_size` entries.
    pub fn compiled_cache(mut self, cache: CompiledCache) -> Self {
        self.compiled_cache = Some(cache);
        self
    }

    /// The options every connection starts with (`create_engine(execution_options=…)`).
    pub fn execution_options(mut self, options: ExecutionOptions) -> Self {
        self.execution_options = options;
        self
    }

    /// Prepared statements each connection keeps (PostgreSQL, MySQL); 0 turns the cache off
    /// (PostgreSQL then sends every statement unnamed). Replaces the URL's
    /// `prepared_statement_cache_size`. Default 100 (0 with [`pgbouncer`](Self::pgbouncer)).
    pub fn statement_cache_size(mut self, n: usize) -> Self {
        self.statement_cache_size = Some(n);
        self
    }

    /// PostgreSQL behind PgBouncer in transaction pooling mode (or any proxy that may hand
    /// each transaction another server session), as the URL's `pgbouncer=true` says: nothing
    /// outlives a transaction on the server. Statements are sent unnamed (no prepared
    /// statement cache), a streamed result is refused outside a transaction, an isolation
    /// level is given to each `BEGIN ISOLATION LEVEL …` instead of set on the session, and a
    /// connection is reset by `ROLLBACK` alone (never `DISCARD ALL`). Default off.
    ///
    /// ```
    /// use sqlcore::Engine;
    /// let engine = Engine::builder("postgresql://app@pgbouncer:6432/app").pgbouncer(true).build()?;
    /// # drop(engine);
    /// // The same, from the URL alone:
    /// let engine = Engine::builder("postgresql://app@pgbouncer:6432/app?pgbouncer=true").build()?;
    /// # drop(engine);
    /// // A statement cache cannot be kept through it:
    /// assert!(Engine::builder("postgresql://app@pgbouncer:6432/app?pgbouncer=true")
    ///     .statement_cache_size(100)
    ///     .build()
    ///     .is_err());
    /// # Ok::<(), sqlcore::Error>(())
    /// ```
    pub fn pgbouncer(mut self, on: bool) -> Self {
        self.pgbouncer = on;
        self
    }

    /// A connection parameter, as the URL's query option `name` gives it (SQLAlchemy's
    /// `connect_args`), replacing the URL's option of that name: for PostgreSQL libpq's
    /// parameters (`host`, `port`, `target_session_attrs`, `connect_timeout`,
    /// `application_name`, `options`, `sslmode`, ...), for SQLite its URL options. An unknown
    /// name or a bad value is an [`Error::Argument`](crate::Error::Argument) of `build`.
    ///
    /// ```
    /// use sqlcore::Engine;
    /// let engine = Engine::builder("postgresql://app:pw@db1:5432,db2:5432/app")
    ///     .connect_arg("target_session_attrs", "read-write")
    ///     .connect_arg("connect_timeout", 3)
    ///     .build()?; // connects lazily
    /// assert_eq!(
    ///     engine.url().to_string(),
    ///     "postgresql://app:***@db1:5432,db2:5432/app?target_session_attrs=read-write&connect_timeout=3"
    /// );
    /// assert!(Engine::builder("postgresql://db/app").connect_arg("bogus", 1).build().is_err());
    /// # Ok::<(), sqlcore::Error>(())
    /// ```
    pub fn connect_arg(mut self, name: &str, value: impl ToString) -> Self {
        self.connect_args.push((name.to_owned(), value.to_string()));
        self
    }

    /// A read replica of the (PostgreSQL) database: a server the primary streams its changes
    /// to, given as its own URL (the builder's `connect_arg`s apply to it too). With one or
    /// more, a [`Connection`](crate::Connection) sends read-only work to a replica, in turn,
    /// and everything else to the primary (the engine's URL):
    ///
    /// - to a replica: a Core `select` (or compound select) run while the connection has not
    ///   begun a transaction, and any statement carrying the execution option
    ///   [`read_only(true)`](ExecutionOptions::read_only) (`text()` reads need it). It runs
    ///   on its own there, outside any transaction, and the connection stays outside one;
    /// - to the primary: every other statement, and every statement once the connection has
    ///   run one there or begun a transaction (commit-as-you-go's first write, `begin()`,
    ///   `begin_nested()`, `engine.transaction`), and `read_only(false)`.
    ///
    /// **Read-your-writes:** once a connection has run a statement or begun a transaction on
    /// the primary, all its statements stay there, even after the commit (and in AUTOCOMMIT),
    /// so it always reads its own writes. A
    /// replica lags behind the primary: a read on another connection may not see a write
    /// committed a moment before. Reads that must see it belong on the connection that wrote,
    /// or carry `read_only(false)`.
    ///
    /// A replica that cannot be reached is marked down for
    /// [`replica_backoff`](Self::replica_backoff) and skipped, its idle connections closed; a
    /// read whose replica connection fails is run again on the next replica (a read outside a
    /// transaction can be), and on the primary when every replica is down. The
    /// [`AsyncEngine`](crate::AsyncEngine)'s [`AsyncConnection`](crate::AsyncConnection)
    /// routes alike (`build_async`), its replica pools native as its own.
    ///
    /// ```
    /// use sqlcore::*;
    /// let engine = Engine::builder("postgresql://app@db-primary/app")
    ///     .replica("postgresql://app@db-replica-1/app")
    ///     .replica("postgresql://app@db-replica-2/app")
    ///     .build()?; // connects lazily
    /// assert_eq!(engine.replica_status().len(), 2);
    /// # Ok::<(), sqlcore::Error>(())
    /// ```
    pub fn replica(mut self, url: &str) -> Self {
        self.replicas.push(url.to_owned());
        self
    }

    /// How long a replica that failed is skipped before it is tried again. Default 10 s.
    pub fn replica_backoff(mut self, backoff: Duration) -> Self {
        self.replica_backoff = backoff;
        self
    }

    /// The replicas' URLs and connection factories, alike the primary's (its options and
    /// hooks); each engine puts them in pools of its kind. Empty without replicas.
    fn replica_factories(&self) -> Result<ReplicaFactories> {
        let mut factories = Vec::new();
        if self.replicas.is_empty() {
            return Ok(ReplicaFactories {
                factories,
                backoff: self.replica_backoff,
            });
        }
        // An invalid primary URL is reported by assemble().
        if self
            .url
            .parse::<Url>()
            .is_ok_and(|primary| primary.backend() != Backend::PostgreSql)
        {
            return Err(Error::Argument(
                "read replicas are for PostgreSQL; this engine's database is not".into(),
            ));
        }
        for raw in &self.replicas {
            let mut url: Url = raw.parse()?;
            if url.backend() != Backend::PostgreSql {
                return Err(Error::Argument(format!(
                    "a replica of a PostgreSQL database must be PostgreSQL: {url}"
                )));
            }
            for (name, value) in &self.connect_args {
                url.set_option(name, value)?;
            }
            let driver = drivers::postgres(&url, self.statement_cache_size, self.pgbouncer)?;
            let name = pool_name(&url).into();
            let factory = Factory::new(driver, self.pool.clone(), self.pool_events(), name);
            factories.push((url, factory));
        }
        Ok(ReplicaFactories {
            factories,
            backoff: self.replica_backoff,
        })
    }

    /// The pool events of a new connection: the engine's isolation level set first (once
    /// per new connection, before user hooks run), then the user's hooks.
    fn pool_events(&self) -> PoolEvents {
        let mut events = self.events.clone();
        if let Some(level) = self
            .isolation_level
            .filter(|l| *l != IsolationLevel::Autocommit)
        {
            events
                .connect
                .insert(0, Self::hook(move |conn| conn.set_isolation_level(level)));
        }
        events
    }

    /// Rows per multi-row INSERT of `execute_many`. Default 1000.
    pub fn insertmanyvalues_page_size(mut self, n: usize) -> Self {
        self.insertmanyvalues_page_size = n.max(1);
        self
    }

    fn hook(
        f: impl Fn(&mut dyn crate::driver::DriverConnection) -> Result<()> + Send + Sync + 'static,
    ) -> EventHook {
        Arc::new(f)
    }

    /// Runs `f` on every new connection (e.g. `PRAGMA foreign_keys = ON`).
    pub fn on_connect(
        mut self,
        f: impl Fn(&mut dyn crate::driver::DriverConnection) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.events.connect.push(Self::hook(f));
        self
    }

    /// Runs `f` whenever a connection is handed out.
    pub fn on_checkout(
        mut self,
        f: impl Fn(&mut dyn crate::driver::DriverConnection) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.events.checkout.push(Self::hook(f));
        self
    }

    /// Runs `f` whenever a connection comes back.
    pub fn on_checkin(
        mut self,
        f: impl Fn(&mut dyn crate::driver::DriverConnection) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.events.checkin.push(Self::hook(f));
        self
    }

    /// Runs `f` after a returned connection is reset.
    pub fn on_reset(
        mut self,
        f: impl Fn(&mut dyn crate::driver::DriverConnection) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.events.reset.push(Self::hook(f));
        self
    }

    /// Runs `f` when a connection is invalidated.
    pub fn on_invalidate(
        mut self,
        f: impl Fn(&mut dyn crate::driver::DriverConnection) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.events.invalidate.push(Self::hook(f));
        self
    }

    /// Runs `f` when a connection is closed.
    pub fn on_close(
        mut self,
        f: impl Fn(&mut dyn crate::driver::DriverConnection) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.events.close.push(Self::hook(f));
        self
    }

    /// The engine; an invalid URL or option is an [`Error::Argument`](crate::Error::Argument).
    pub fn build(self) -> Result<Engine> {
        let Assembled {
            settings,
            factory,
            options,
            replicas,
        } = self.assemble(false)?;
        let replicas = replicas.into_replicas(|factory| sync_pool(settings.pool_class, factory));
        let pool = sync_pool(settings.pool_class, factory);
        Ok(Engine {
            inner: Arc::new(EngineInner {
                settings,
                pool,
                replicas,
            }),
            options: Arc::new(options),
        })
    }

    /// The settings and the connection factory both engines are built from; `is_async` picks
    /// the default pool class of the async engine (a queue, also for SQLite `:memory:`).
    pub(crate) fn assemble(self, is_async: bool) -> Result<Assembled> {
        let replicas = self.replica_factories()?;
        let mut url: Url = self.url.parse()?;
        for (name, value) in &self.connect_args {
            url.set_option(name, value)?;
        }
        let (driver, memory, sqlite_begin): (Arc<dyn Driver>, bool, _) = match url.backend() {
            Backend::Sqlite => {
                let (driver, begin) = drivers::sqlite(&url)?;
                (
                    driver,
                    matches!(url.sqlite_path(), Some(SqlitePath::Memory)),
                    self.sqlite_begin.or(begin),
                )
            }
            Backend::PostgreSql | Backend::MySql | Backend::MariaDb => {
                if let Some(mode) = self.sqlite_begin {
                    return Err(Error::Argument(format!(
                        "sqlite_begin({mode}) applies to SQLite only; this engine's database is {}",
                        url.scheme()
                    )));
                }
                let driver = if url.backend() == Backend::PostgreSql {
                    drivers::postgres(&url, self.statement_cache_size, self.pgbouncer)?
                } else if self.pgbouncer {
                    return Err(Error::Argument(format!(
                        "pgbouncer(true) applies to PostgreSQL only; this engine's database is {}",
                        url.scheme()
                    )));
                } else {
                    drivers::mysql(&url, self.statement_cache_size.unwrap_or(100))?
                };
                (driver, false, None)
            }
        };
        let events = self.pool_events();
        let pool_class = self.pool_class.unwrap_or(if memory && !is_async {
            PoolClass::Static
        } else {
            PoolClass::Queue
        });
        let dialect = driver.dialect();
        let mut pool = self.pool;
        if is_async && memory && self.pool_class.is_none() {
            // One in-memory database: one connection, shared in turn.
            pool.pool_size = 1;
            pool.max_overflow = 0;
        }
        let name = self.pool_name.unwrap_or_else(|| pool_name(&url));
        Ok(Assembled {
            settings: EngineSettings {
                url,
                dialect,
                pool_class,
                isolation_level: self.isolation_level,
                sqlite_begin,
                echo: self.echo,
                compiled_cache: self
                    .compiled_cache
                    .unwrap_or_else(|| CompiledCache::new(self.query_cache_size)),
                insertmanyvalues_page_size: self.insertmanyvalues_page_size,
                observers: Observers::new(
                    self.listeners,
                    self.slow_statement_threshold,
                    self.span_values,
                ),
            },
            factory: Factory::new(driver, pool, events, name.into()),
            options: self.execution_options,
            replicas,
        })
    }
}

/// A pool's default name, as the OpenTelemetry conventions suggest: `host:port/database`
/// (never the user or password), or the SQLite file's path.
fn pool_name(url: &Url) -> String {
    let database = url.database().unwrap_or_default();
    if url.backend() == Backend::Sqlite {
        return if database.is_empty() {
            ":memory:".into()
        } else {
            database.into()
        };
    }
    let host = url.host().unwrap_or("localhost");
    match url.port() {
        Some(port) => format!("{host}:{port}/{database}"),
        None => format!("{host}/{database}"),
    }
}
