//! One test definition for both engines: [`TestEngine`] and [`TestConn`] give the sync
//! [`Engine`]/[`Connection`] and the [`AsyncEngine`]/[`AsyncConnection`] one async surface, and
//! [`on_both_engines!`] runs each listed test on SQLite and PostgreSQL with each engine, under a
//! tokio multi-thread runtime (where the sync engine must work too).
#![allow(async_fn_in_trait)]

use sqlcore::*;

/// How a transaction guard is ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Commit,
    Rollback,
    /// Dropped without either.
    Drop,
}

/// An engine of either kind.
pub trait TestEngine: Sized + Send + Sync {
    type Conn: TestConn;
    /// Whether this is the async engine.
    const ASYNC: bool;
    /// `sync` or `async`, to name what a test makes for each engine.
    const NAME: &'static str = if Self::ASYNC { "async" } else { "sync" };
    /// The engine of this kind `builder` builds.
    fn build(builder: EngineBuilder) -> Result<Self>;
    async fn conn(&self) -> Result<Self::Conn>;
    fn status(&self) -> PoolStatus;
    fn cache(&self) -> CacheStats;
    /// A copy whose connections start with `options`.
    fn with_options(&self, options: ExecutionOptions) -> Self;
    /// Its read replicas, each marked down or not.
    fn replicas(&self) -> Vec<ReplicaStatus>;
}

/// A connection of either kind.
pub trait TestConn {
    async fn exec<'s>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
    ) -> Result<CursorResult>;
    async fn exec_many<'s>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        sets: Vec<Params>,
    ) -> Result<CursorResult>;
    async fn one_value<'s>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
    ) -> Result<Value>;
    /// The first row read into `T` (`query_row_as`).
    async fn row_as<'s, T: FromRow + Send>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
    ) -> Result<T>;
    /// Every row read into `T` (`query_all_as`).
    async fn all_as<'s, T: FromRow + Send>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
    ) -> Result<Vec<T>>;
    /// All rows streamed (`max_row_buffer` at a time) into `T`: the sync connection's
    /// `stream_results` with `rows_as`, the async one's `stream(...).rows_as()`.
    async fn streamed_as<'s, T: FromRow + Send>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
        max_row_buffer: usize,
    ) -> Result<Vec<T>>;
    async fn commit(&mut self) -> Result<()>;
    async fn rollback(&mut self) -> Result<()>;
    fn in_tx(&self) -> bool;
    fn in_nested(&self) -> bool;
    /// Begins a transaction, runs `stmts` in it, and ends it as `end` says.
    async fn begin_then(&mut self, stmts: Vec<Statement>, end: End) -> Result<()>;
    /// Begins a transaction, reads `stmt`'s one value in it, and rolls it back.
    async fn value_in_transaction(&mut self, stmt: Statement) -> Result<Value>;
    /// Opens a savepoint, runs `stmts` in it, and ends it as `end` says.
    async fn nested_then(&mut self, stmts: Vec<Statement>, end: End) -> Result<()>;
    async fn set_options(&mut self, options: ExecutionOptions) -> Result<()>;
    async fn isolation(&mut self) -> Result<IsolationLevel>;
    fn invalidate_now(&mut self);
    /// The pool's number for the database connection in use.
    fn id(&self) -> Option<u64>;
    /// Whether the database connection was invalidated.
    fn is_invalidated(&self) -> bool;
}

impl TestEngine for Engine {
    type Conn = Connection;
    const ASYNC: bool = false;
    fn build(builder: EngineBuilder) -> Result<Self> {
        builder.build()
    }
    async fn conn(&self) -> Result<Connection> {
        self.connect()
    }
    fn with_options(&self, options: ExecutionOptions) -> Self {
        self.execution_options(options)
    }
    fn replicas(&self) -> Vec<ReplicaStatus> {
        self.replica_status()
    }
    fn status(&self) -> PoolStatus {
        self.pool_status()
    }
    fn cache(&self) -> CacheStats {
        self.cache_stats()
    }
}

#[cfg(feature = "async")]
impl TestEngine for AsyncEngine {
    type Conn = AsyncConnection;
    const ASYNC: bool = true;
    fn build(builder: EngineBuilder) -> Result<Self> {
        builder.build_async()
    }
    async fn conn(&self) -> Result<AsyncConnection> {
        self.connect().await
    }
    fn with_options(&self, options: ExecutionOptions) -> Self {
        self.execution_options(options)
    }
    fn replicas(&self) -> Vec<ReplicaStatus> {
        self.replica_status()
    }
    fn status(&self) -> PoolStatus {
        self.pool_status()
    }
    fn cache(&self) -> CacheStats {
        self.cache_stats()
    }
}

impl TestConn for Connection {
    async fn exec<'s>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
    ) -> Result<CursorResult> {
        self.execute(stmt, params)
    }
    async fn exec_many<'s>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        sets: Vec<Params>,
    ) -> Result<CursorResult> {
        self.execute_many(stmt, sets)
    }
    async fn one_value<'s>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
    ) -> Result<Value> {
        self.query_row(stmt, params, |row| row.get::<Value>(0))
    }
    async fn row_as<'s, T: FromRow + Send>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
    ) -> Result<T> {
        self.query_row_as(stmt, params)
    }
    async fn all_as<'s, T: FromRow + Send>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
    ) -> Result<Vec<T>> {
        self.query_all_as(stmt, params)
    }
    async fn streamed_as<'s, T: FromRow + Send>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
        max_row_buffer: usize,
    ) -> Result<Vec<T>> {
        let stmt = stmt
            .into()
            .execution_options(move |o| o.stream_results(true).max_row_buffer(max_row_buffer));
        self.execute(stmt, params)?.rows_as::<T>()?.collect()
    }
    async fn commit(&mut self) -> Result<()> {
        Connection::commit(self)
    }
    async fn rollback(&mut self) -> Result<()> {
        Connection::rollback(self)
    }
    fn in_tx(&self) -> bool {
        self.in_transaction()
    }
    fn in_nested(&self) -> bool {
        self.in_nested_transaction()
    }
    async fn begin_then(&mut self, stmts: Vec<Statement>, end: End) -> Result<()> {
        let mut tx = self.begin()?;
        for stmt in &stmts {
            tx.execute(stmt, ())?;
        }
        match end {
            End::Commit => tx.commit(),
            End::Rollback => tx.rollback(),
            End::Drop => Ok(()),
        }
    }
    async fn value_in_transaction(&mut self, stmt: Statement) -> Result<Value> {
        let mut tx = self.begin()?;
        let value = tx.query_row(stmt, (), |row| row.get::<Value>(0));
        tx.rollback()?;
        value
    }
    async fn nested_then(&mut self, stmts: Vec<Statement>, end: End) -> Result<()> {
        let mut sp = self.begin_nested()?;
        for stmt in &stmts {
            sp.execute(stmt, ())?;
        }
        match end {
            End::Commit => sp.commit(),
            End::Rollback => sp.rollback(),
            End::Drop => Ok(()),
        }
    }
    async fn set_options(&mut self, options: ExecutionOptions) -> Result<()> {
        self.execution_options(options).map(drop)
    }
    async fn isolation(&mut self) -> Result<IsolationLevel> {
        self.get_isolation_level()
    }
    fn invalidate_now(&mut self) {
        self.invalidate()
    }
    fn id(&self) -> Option<u64> {
        self.connection_id()
    }
    fn is_invalidated(&self) -> bool {
        self.invalidated()
    }
}

#[cfg(feature = "async")]
impl TestConn for AsyncConnection {
    async fn exec<'s>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
    ) -> Result<CursorResult> {
        self.execute(stmt, params).await
    }
    async fn exec_many<'s>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        sets: Vec<Params>,
    ) -> Result<CursorResult> {
        self.execute_many(stmt, sets).await
    }
    async fn one_value<'s>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
    ) -> Result<Value> {
        self.query_row(stmt, params, |row| row.get::<Value>(0))
            .await
    }
    async fn row_as<'s, T: FromRow + Send>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
    ) -> Result<T> {
        self.query_row_as(stmt, params).await
    }
    async fn all_as<'s, T: FromRow + Send>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
    ) -> Result<Vec<T>> {
        self.query_all_as(stmt, params).await
    }
    async fn streamed_as<'s, T: FromRow + Send>(
        &mut self,
        stmt: impl Into<Executable<'s>> + Send,
        params: Params,
        max_row_buffer: usize,
    ) -> Result<Vec<T>> {
        use futures_util::TryStreamExt;
        self.update_execution_options(|o| o.max_row_buffer(max_row_buffer))
            .await?;
        self.stream(stmt, params)
            .await?
            .rows_as::<T>()?
            .try_collect()
            .await
    }
    async fn commit(&mut self) -> Result<()> {
        AsyncConnection::commit(self).await
    }
    async fn rollback(&mut self) -> Result<()> {
        AsyncConnection::rollback(self).await
    }
    fn in_tx(&self) -> bool {
        self.in_transaction()
    }
    fn in_nested(&self) -> bool {
        self.in_nested_transaction()
    }
    async fn begin_then(&mut self, stmts: Vec<Statement>, end: End) -> Result<()> {
        let mut tx = self.begin().await?;
        for stmt in &stmts {
            tx.execute(stmt, ()).await?;
        }
        match end {
            End::Commit => tx.commit().await,
            End::Rollback => tx.rollback().await,
            End::Drop => Ok(()),
        }
    }
    async fn value_in_transaction(&mut self, stmt: Statement) -> Result<Value> {
        let mut tx = self.begin().await?;
        let value = tx.query_row(stmt, (), |row| row.get::<Value>(0)).await;
        tx.rollback().await?;
        value
    }
    async fn nested_then(&mut self, stmts: Vec<Statement>, end: End) -> Result<()> {
        let mut sp = self.begin_nested().await?;
        for stmt in &stmts {
            sp.execute(stmt, ()).await?;
        }
        match end {
            End::Commit => sp.commit().await,
            End::Rollback => sp.rollback().await,
            End::Drop => Ok(()),
        }
    }
    async fn set_options(&mut self, options: ExecutionOptions) -> Result<()> {
        self.execution_options(options).await.map(drop)
    }
    async fn isolation(&mut self) -> Result<IsolationLevel> {
        self.get_isolation_level().await
    }
    fn invalidate_now(&mut self) {
        self.invalidate()
    }
    fn id(&self) -> Option<u64> {
        self.connection_id()
    }
    fn is_invalidated(&self) -> bool {
        self.invalidated()
    }
}

/// The engine's pool status once `settled` holds of it (the async pool puts connections back
/// on their threads, a moment after they are dropped), or after a few seconds.
pub async fn status_when<E: TestEngine>(
    engine: &E,
    settled: impl Fn(&PoolStatus) -> bool,
) -> PoolStatus {
    for _ in 0..5_000 {
        let status = engine.status();
        if settled(&status) {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    engine.status()
}

/// Runs `test` to completion on a tokio multi-thread runtime of its own.
pub fn run<F: std::future::Future>(test: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(test)
}

/// Runs each listed test function — `async fn name<E: TestEngine>(engine: &E, db: &TestDb)` —
/// on SQLite, PostgreSQL and MariaDB, each with the sync and the async engine, and with the
/// async engine on PostgreSQL over TLS, under a tokio multi-thread runtime.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        // Every test is used, whichever backends are compiled in.
        const _: () = { $(let _ = $name::<sqlcore::Engine>;)* };
        #[cfg(feature = "sqlite")]
        mod sqlite_sync {
            $(
                #[test]
                fn $name() {
                    let db = $crate::common::backend::TestDb::sqlite(concat!(stringify!($name), "_sync"));
                    let engine = sqlcore::create_engine(&db.url()).expect("engine");
                    $crate::common::engines::run(super::$name(&engine, &db));
                }
            )*
        }
        #[cfg(all(feature = "sqlite", feature = "async"))]
        mod sqlite_async {
            $(
                #[test]
                fn $name() {
                    let db = $crate::common::backend::TestDb::sqlite(concat!(stringify!($name), "_async"));
                    let engine = sqlcore::create_async_engine(&db.url()).expect("engine");
                    $crate::common::engines::run(super::$name(&engine, &db));
                }
            )*
        }
        #[cfg(feature = "postgres")]
        mod postgres_sync {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = $crate::common::backend::TestDb::postgres(concat!(stringify!($name), "_sync")) {
                        let engine = sqlcore::create_engine(&db.url()).expect("engine");
                        $crate::common::engines::run(super::$name(&engine, &db));
                    }
                }
            )*
        }
        #[cfg(all(feature = "postgres", feature = "async", feature = "tls-rustls"))]
        mod postgres_tls_async {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = $crate::common::backend::TestDb::postgres_tls(concat!(stringify!($name), "_async")) {
                        let engine = sqlcore::create_async_engine(&db.url()).expect("engine");
                        $crate::common::engines::run(super::$name(&engine, &db));
                    }
                }
            )*
        }
        #[cfg(all(feature = "postgres", feature = "async"))]
        mod postgres_async {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = $crate::common::backend::TestDb::postgres(concat!(stringify!($name), "_async")) {
                        let engine = sqlcore::create_async_engine(&db.url()).expect("engine");
                        $crate::common::engines::run(super::$name(&engine, &db));
                    }
                }
            )*
        }
        #[cfg(feature = "mysql")]
        mod mariadb_sync {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = $crate::common::backend::TestDb::mariadb(concat!(stringify!($name), "_sync")) {
                        let engine = sqlcore::create_engine(&db.url()).expect("engine");
                        $crate::common::engines::run(super::$name(&engine, &db));
                    }
                }
            )*
        }
        #[cfg(all(feature = "mysql", feature = "async"))]
        mod mariadb_async {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = $crate::common::backend::TestDb::mariadb(concat!(stringify!($name), "_async")) {
                        let engine = sqlcore::create_async_engine(&db.url()).expect("engine");
                        $crate::common::engines::run(super::$name(&engine, &db));
                    }
                }
            )*
        }
    };
}

/// Runs each listed test function — `async fn name<E: TestEngine>()`, which makes its own
/// engine with [`TestEngine::build`] — with the sync and with the async engine, under a tokio
/// multi-thread runtime.
#[macro_export]
macro_rules! on_sync_and_async {
    ($($name:ident),* $(,)?) => {
        mod sync_engine {
            $(
                #[test]
                fn $name() {
                    $crate::common::engines::run(super::$name::<sqlcore::Engine>());
                }
            )*
        }
        #[cfg(feature = "async")]
        mod async_engine {
            $(
                #[test]
                fn $name() {
                    $crate::common::engines::run(super::$name::<sqlcore::AsyncEngine>());
                }
            )*
        }
    };
}
