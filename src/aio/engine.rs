//! [`AsyncEngine`]: the async twin of [`Engine`](crate::Engine), built by the same
//! [`EngineBuilder`].

use super::connection::AsyncConnection;
use super::pool::{AsyncPool, Kind};
use super::transaction::AsyncEngineTransaction;
use crate::cache::{CacheStats, CompiledCache};
use crate::connection::call::EngineContext;
use crate::engine::{Assembled, EngineBuilder, EngineSettings};
use crate::error::{Error, Result};
use crate::options::{ExecutionOptions, IsolationLevel, PoolClass, SqliteBegin};
use crate::pool::PoolStatus;
use crate::prepared::Prepared;
use crate::replicas::{ReplicaStatus, Replicas};
use crate::url::Url;
use sqlcore_compiler::{Dialect, Statement};
use std::sync::Arc;

/// A database for async code (SQLAlchemy's `create_async_engine`): its URL, dialect, pool and
/// compiled-statement cache. Cheap to clone, `Send + Sync`; opens nothing until first used.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sqlcore::Error> {
/// use sqlcore::{create_async_engine, params, text};
/// let engine = create_async_engine("sqlite://")?;
/// let mut conn = engine.connect().await?;
/// conn.execute(text("CREATE TABLE t (x INTEGER)"), ()).await?;
/// conn.execute(text("INSERT INTO t VALUES (:x)"), params! { "x" => 41 }).await?;
/// conn.commit().await?;
/// let n: i64 = conn.execute(text("SELECT x + 1 FROM t"), ()).await?.scalar_one()?;
/// assert_eq!(n, 42);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct AsyncEngine {
    inner: Arc<AsyncEngineInner>,
    options: Arc<ExecutionOptions>,
}

struct AsyncEngineInner {
    settings: EngineSettings,
    pool: Arc<AsyncPool>,
    replicas: Option<Replicas<Arc<AsyncPool>>>,
}

impl std::fmt::Debug for AsyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AsyncEngine({})", self.inner.settings.url)
    }
}

/// An async engine for `url` with the default options (SQLAlchemy's `create_async_engine`).
pub fn create_async_engine(url: &str) -> Result<AsyncEngine> {
    AsyncEngine::builder(url).build_async()
}

impl EngineBuilder {
    /// The [`AsyncEngine`], with every setting of this builder. Its pool is a queue
    /// (`PoolClass::Queue`, the default) or none (`PoolClass::Null`); for SQLite `:memory:`
    /// the default is a queue of one connection (`pool_size` 1, no overflow), so every
    /// checkout sees the same database, one task at a time, as the sync engine's `StaticPool`
    /// shares it. `Static` and `SingletonThread` are an
    /// [`Error::Argument`](crate::Error::Argument).
    pub fn build_async(self) -> Result<AsyncEngine> {
        let Assembled {
            settings,
            factory,
            options,
            replicas,
        } = self.assemble(true)?;
        let kind = match settings.pool_class {
            PoolClass::Queue => Kind::Queue,
            PoolClass::Null => Kind::Null,
            other => {
                return Err(Error::Argument(format!(
                    "the async engine's pool is a queue or none: PoolClass::{other:?} is for the sync engine"
                )));
            }
        };
        Ok(AsyncEngine {
            inner: Arc::new(AsyncEngineInner {
                settings,
                pool: AsyncPool::new(factory, kind),
                replicas: replicas.into_replicas(|factory| AsyncPool::new(factory, kind)),
            }),
            options: Arc::new(options),
        })
    }
}

impl AsyncEngine {
    /// A builder for an engine on `url` (the sync engine's: finish it with
    /// [`EngineBuilder::build_async`]).
    pub fn builder(url: &str) -> EngineBuilder {
        crate::Engine::builder(url)
    }

    /// A connection from the pool, waiting in turn (up to `pool_timeout`) when all are in
    /// use; dropping it returns it (rolled back).
    pub async fn connect(&self) -> Result<AsyncConnection> {
        AsyncConnection::new(self.clone()).await
    }

    /// A connection with a transaction begun: `commit()` it; dropping it rolls back.
    pub async fn begin(&self) -> Result<AsyncEngineTransaction> {
        AsyncEngineTransaction::new(self.connect().await?).await
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

    /// The pool's counts, as the sync engine reports them.
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

    pub(crate) fn replicas(&self) -> Option<&Replicas<Arc<AsyncPool>>> {
        self.inner.replicas.as_ref()
    }

    /// The engine's default isolation level, if one was configured.
    pub fn isolation_level(&self) -> Option<IsolationLevel> {
        self.inner.settings.isolation_level
    }

    /// How this engine's SQLite transactions begin, if configured.
    pub fn sqlite_begin(&self) -> Option<SqliteBegin> {
        self.inner.settings.sqlite_begin
    }

    /// Whether statements are logged.
    pub fn echo(&self) -> bool {
        self.inner.settings.echo
    }

    /// The engine's compiled-statement cache (the same type as the sync engine's, so one
    /// cache can serve both: [`EngineBuilder::compiled_cache`]).
    pub fn compiled_cache(&self) -> &CompiledCache {
        &self.inner.settings.compiled_cache
    }

    /// Hits, misses and size of the engine's compiled-statement cache.
    pub fn cache_stats(&self) -> CacheStats {
        self.inner.settings.compiled_cache.stats()
    }

    /// Looks `statement` up in the compiled-statement cache once, for executions that skip
    /// the lookup: see [`Prepared`].
    pub fn prepare(&self, statement: impl Into<Statement>) -> Result<Prepared> {
        let cache = self.options.compiled_cache.resolve(self.compiled_cache());
        Prepared::new(statement.into(), self.dialect(), cache)
    }

    /// The options connections of this engine start with.
    pub fn get_execution_options(&self) -> &ExecutionOptions {
        &self.options
    }

    /// A copy of this engine whose connections start with `options`: it shares the pool, the
    /// cache and everything else.
    pub fn execution_options(&self, options: ExecutionOptions) -> AsyncEngine {
        AsyncEngine {
            inner: self.inner.clone(),
            options: Arc::new(options),
        }
    }

    pub(crate) fn settings(&self) -> &EngineSettings {
        &self.inner.settings
    }

    pub(crate) fn pool(&self) -> &Arc<AsyncPool> {
        &self.inner.pool
    }

    /// The engine's part in running a statement.
    pub(crate) fn context(&self) -> EngineContext<'_> {
        let s = &self.inner.settings;
        EngineContext {
            dialect: s.dialect,
            echo: s.echo,
            cache: &s.compiled_cache,
            sqlite_begin: s.sqlite_begin,
        }
    }
}
