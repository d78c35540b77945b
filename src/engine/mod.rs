//! [`Engine`] and [`EngineBuilder`]: a database, its dialect and its pool.

use crate::cache::{CacheStats, CompiledCache};
use crate::connection::Connection;
use crate::error::Result;
use crate::events::Observers;
use crate::options::{ExecutionOptions, IsolationLevel, PoolClass, SqliteBegin};
use crate::pool::{
    Factory, NullPool, Pool, PoolStatus, QueuePool, SingletonThreadPool, StaticPool,
};
use crate::prepared::Prepared;
use crate::replicas::{ReplicaPool, ReplicaStatus, Replicas};
use crate::transaction::EngineTransaction;
use crate::url::Url;
use sqlcore_compiler::{Dialect, Statement};
use std::sync::Arc;
use std::time::Duration;

mod builder;
mod drivers;
pub use builder::EngineBuilder;

/// A database: its URL, dialect and connection pool. Cheap to clone, `Send + Sync`; opens
/// nothing until first used.
///
/// ```
/// use sqlcore::{create_engine, text};
/// let engine = create_engine("sqlite://")?;
/// let n: i64 = engine.connect()?.execute(text("SELECT 40 + 2"), ())?.scalar_one()?;
/// assert_eq!(n, 42);
/// # Ok::<(), sqlcore::Error>(())
/// ```
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
    /// The options connections of this engine start with.
    options: Arc<ExecutionOptions>,
}

struct EngineInner {
    settings: EngineSettings,
    pool: Box<dyn Pool>,
    replicas: Option<Replicas<Box<dyn Pool>>>,
}

/// What an engine is apart from its pool: the same for the sync [`Engine`] and the
/// [`AsyncEngine`](crate::aio::AsyncEngine).
#[derive(Clone)]
pub(crate) struct EngineSettings {
    pub url: Url,
    pub dialect: &'static dyn Dialect,
    pub pool_class: PoolClass,
    pub isolation_level: Option<IsolationLevel>,
    pub sqlite_begin: Option<SqliteBegin>,
    pub echo: bool,
    pub compiled_cache: CompiledCache,
    pub insertmanyvalues_page_size: usize,
    /// The execution and transaction listeners, and the slow-statement threshold.
    pub observers: Observers,
}

/// An engine's settings and the factory of its pool's connections, as the builder makes them.
pub(crate) struct Assembled {
    pub settings: EngineSettings,
    pub factory: Factory,
    pub options: ExecutionOptions,
    pub replicas: ReplicaFactories,
}

/// The read replicas' URLs and connection factories, as the builder makes them, and how long
/// a failed one is skipped.
pub(crate) struct ReplicaFactories {
    factories: Vec<(Url, Factory)>,
    backoff: Duration,
}

impl ReplicaFactories {
    /// The replicas in pools made by `pool`; `None` without replicas.
    pub fn into_replicas<P: ReplicaPool>(self, pool: impl Fn(Factory) -> P) -> Option<Replicas<P>> {
        if self.factories.is_empty() {
            return None;
        }
        let pools = self
            .factories
            .into_iter()
            .map(|(url, factory)| (url, pool(factory)))
            .collect();
        Some(Replicas::new(pools, self.backoff))
    }
}

/// The sync engine's pool of `class` over `factory`.
fn sync_pool(class: PoolClass, factory: Factory) -> Box<dyn Pool> {
    match class {
        PoolClass::Queue => Box::new(QueuePool::new(factory)),
        PoolClass::Null => Box::new(NullPool::new(factory)),
        PoolClass::Static => Box::new(StaticPool::new(factory)),
        PoolClass::SingletonThread => Box::new(SingletonThreadPool::new(factory)),
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Engine({})", self.inner.settings.url)
    }
}

/// An engine for `url` with the default options (SQLAlchemy's `create_engine`). A URL whose
/// backend's Cargo feature is off is an [`Error::NotCompiledIn`](crate::Error::NotCompiledIn)
/// naming the feature.
pub fn create_engine(url: &str) -> Result<Engine> {
    Engine::builder(url).build()
}

impl Engine {
    /// A builder for an engine on `url`; every option documents its default.
    pub fn builder(url: &str) -> EngineBuilder {
        EngineBuilder::new(url)
    }

    /// A connection from the pool; dropping it returns it (rolled back).
    pub fn connect(&self) -> Result<Connection> {
        Connection::new(self.clone())
    }

    /// A connection with a transaction begun: `commit()` it; dropping it rolls back.
    pub fn begin(&self) -> Result<EngineTransaction> {
        EngineTransaction::new(self.connect()?)
    }

    /// Runs `f` in a transaction that commits when `f` returns `Ok` and rolls back when it
    /// returns `Err` or panics.
    ///
    /// ```
    /// use sqlcore::{create_engine, text, Error};
    /// let engine = create_engine("sqlite://")?;
    /// engine.transaction(|conn| conn.execute(text("CREATE TABLE t (x INTEGER)"), ()).map(drop))?;
    /// let failed: Result<(), Error> = engine.transaction(|conn| {
    ///     conn.execute(text("INSERT INTO t VALUES (1)"), ())?;
    ///     Err(Error::InvalidRequest("changed my mind".into()))
    /// });
    /// assert!(failed.is_err());
    /// let n: i64 = engine.connect()?.execute(text("SELECT count(*) FROM t"), ())?.scalar_one()?;
    /// assert_eq!(n, 0);
    /// # Ok::<(), sqlcore::Error>(())
    /// ```
    pub fn transaction<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut tx = self.begin()?;
        let value = f(&mut tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// The URL (its password is never rendered).
    pub fn url(&self) -> &Url {
        &self.inner.settings.url
    }

    /// The SQL dialect.
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.inner.settings.dialect
    }

    /// The pool's class.
    pub fn pool_class(&self) -> PoolClass {
        self.inner.settings.pool_class
    }

    /// The pool's counts, in the spirit of SQLAlchemy's `pool.status()`.
    pub fn pool_status(&self) -> PoolStatus {
        self.inner.pool.status()
    }

    /// Closes every idle connection (the replicas' too); connections in use are closed when
    /// they come back.
    pub fn dispose(&self) {
        self.inner.pool.dispose();
        if let Some(replicas) = &self.inner.replicas {
            replicas.dispose();
        }
    }

    /// The engine's read replicas (see [`EngineBuilder::replica`]) and whether each is marked
    /// down; empty without replicas.
    pub fn replica_status(&self) -> Vec<ReplicaStatus> {
        self.inner
            .replicas
            .as_ref()
            .map(Replicas::status)
            .unwrap_or_default()
    }

    pub(crate) fn replicas(&self) -> Option<&Replicas<Box<dyn Pool>>> {
        self.inner.replicas.as_ref()
    }

    /// The engine's default isolation level, if one was configured.
    pub fn isolation_level(&self) -> Option<IsolationLevel> {
        self.inner.settings.isolation_level
    }

    /// How this engine's SQLite transactions begin, if configured (builder or URL; SQLite's
    /// deferred `BEGIN` otherwise). A connection's
    /// [`ExecutionOptions::sqlite_begin`] takes precedence.
    pub fn sqlite_begin(&self) -> Option<SqliteBegin> {
        self.inner.settings.sqlite_begin
    }

    /// Whether statements are logged.
    pub fn echo(&self) -> bool {
        self.inner.settings.echo
    }

    /// What the engine is apart from its pool.
    pub(crate) fn settings(&self) -> &EngineSettings {
        &self.inner.settings
    }

    /// Rows per multi-row INSERT of `execute_many` (`insertmanyvalues_page_size`).
    pub fn insertmanyvalues_page_size(&self) -> usize {
        self.inner.settings.insertmanyvalues_page_size
    }

    /// The compiled-statement cache size (`query_cache_size`).
    pub fn query_cache_size(&self) -> usize {
        self.inner.settings.compiled_cache.capacity()
    }

    /// The engine's compiled-statement cache.
    pub fn compiled_cache(&self) -> &CompiledCache {
        &self.inner.settings.compiled_cache
    }

    /// Hits, misses and size of the engine's compiled-statement cache.
    pub fn cache_stats(&self) -> CacheStats {
        self.inner.settings.compiled_cache.stats()
    }

    /// Looks `statement` up in the compiled-statement cache of this engine's options (the
    /// engine's own unless `compiled_cache` says otherwise) once, for executions that skip
    /// the lookup: see [`Prepared`]. A statement that does not compile is an error here.
    pub fn prepare(&self, statement: impl Into<Statement>) -> Result<Prepared> {
        let cache = self.options.compiled_cache.resolve(self.compiled_cache());
        Prepared::new(statement.into(), self.dialect(), cache)
    }

    /// The options connections of this engine start with.
    pub fn get_execution_options(&self) -> &ExecutionOptions {
        &self.options
    }

    /// A copy of this engine whose connections start with `options` (SQLAlchemy's
    /// `engine.execution_options(...)`): it shares the pool, the cache and everything else.
    ///
    /// ```
    /// use sqlcore::*;
    /// let engine = create_engine("sqlite://")?;
    /// let tenant = engine.execution_options(
    ///     ExecutionOptions::default()
    ///         .schema_translate_map(SchemaTranslateMap::new().map(None, "main")),
    /// );
    /// let conn = tenant.connect()?;
    /// assert!(conn.get_execution_options().schema_translate_map.is_some());
    /// # Ok::<(), sqlcore::Error>(())
    /// ```
    pub fn execution_options(&self, options: ExecutionOptions) -> Engine {
        Engine {
            inner: self.inner.clone(),
            options: Arc::new(options),
        }
    }

    pub(crate) fn pool(&self) -> &dyn Pool {
        &*self.inner.pool
    }

    #[cfg(feature = "async")]
    /// An engine of `settings` over `pool`, its connections starting with `options`.
    pub(crate) fn from_parts(
        settings: EngineSettings,
        pool: Box<dyn Pool>,
        options: ExecutionOptions,
    ) -> Engine {
        Engine {
            inner: Arc::new(EngineInner {
                settings,
                pool,
                replicas: None,
            }),
            options: Arc::new(options),
        }
    }
}
