//! The compiled-statement cache: statement shape → compiled form, shared by every connection
//! of an engine (or by several engines of one dialect).
//!
//! A statement's key covers its structure, dialect and everything that changes its SQL, never
//! its values ([`sqlcore_compiler::extract`]); keys are compared in full, so a hash collision
//! cannot hand out the wrong SQL. Each entry also keeps the SQL translated for the
//! `schema_translate_map`s it ran under, so every tenant shares one entry.

use crate::driver::{ResultNames, StatementId};
use crate::row::ResultKeys;
use lru::LruCache;
use parking_lot::Mutex;
use sqlcore_compiler::{
    CachedCompiled, Compile, CompileError, Compiled, Dialect, Extracted, SchemaTranslateMap,
    Statement,
};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// Translations kept per entry; beyond this the least recently used one is rebuilt on use.
const TRANSLATIONS_PER_ENTRY: usize = 256;

/// A thread-safe, bounded LRU cache of compiled statements (SQLAlchemy's `compiled_cache`).
/// Every engine has one of `query_cache_size` entries; make one yourself to share it between
/// engines of the same dialect, and pass it with [`ExecutionOptions::compiled_cache`].
/// Cheap to clone: clones share the entries.
///
/// ```
/// use sqlcore::*;
/// let cache = CompiledCache::new(100);
/// let engine = Engine::builder("sqlite://").compiled_cache(cache.clone()).build()?;
/// let t = Table::new("t").column(Column::new("x", SqlType::Integer));
/// let mut conn = engine.connect()?;
/// conn.execute(text("CREATE TABLE t (x INTEGER)"), ())?;
/// for x in 0..10 {
///     conn.execute(insert(&t).values([("x", x)]), ())?;
/// }
/// let stats = cache.stats();
/// assert_eq!((stats.size, stats.misses, stats.hits), (2, 2, 9));
/// # Ok::<(), sqlcore::Error>(())
/// ```
///
/// [`ExecutionOptions::compiled_cache`]: crate::ExecutionOptions::compiled_cache
#[derive(Clone)]
pub struct CompiledCache {
    inner: Arc<CacheInner>,
}

struct CacheInner {
    /// Entries by key hash; a bucket holds the (rare) entries whose hashes collide.
    entries: Mutex<Entries>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

struct Entries {
    lru: Option<LruCache<u64, Vec<Arc<CacheEntry>>>>,
    size: usize,
}

/// The cache's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups that found the statement's compiled form.
    pub hits: u64,
    /// Lookups that compiled it (including statements that cannot be cached).
    pub misses: u64,
    /// Entries held.
    pub size: usize,
    /// The most entries held.
    pub capacity: usize,
}

impl std::fmt::Debug for CompiledCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CompiledCache({:?})", self.stats())
    }
}

impl PartialEq for CompiledCache {
    /// The same cache (not equal contents).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for CompiledCache {}

impl CompiledCache {
    /// A cache of at most `capacity` statement shapes (0 caches nothing).
    pub fn new(capacity: usize) -> Self {
        CompiledCache {
            inner: Arc::new(CacheInner {
                entries: Mutex::new(Entries {
                    lru: NonZeroUsize::new(capacity).map(LruCache::new),
                    size: 0,
                }),
                capacity,
                hits: AtomicU64::new(0),
                misses: AtomicU64::new(0),
            }),
        }
    }

    /// Hits, misses and size.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.inner.hits.load(Ordering::Relaxed),
            misses: self.inner.misses.load(Ordering::Relaxed),
            size: self.inner.entries.lock().size,
            capacity: self.inner.capacity,
        }
    }

    /// Drops every entry (the counts stay).
    pub fn clear(&self) {
        let mut entries = self.inner.entries.lock();
        if let Some(lru) = &mut entries.lru {
            lru.clear();
        }
        entries.size = 0;
    }

    /// The compiled form of `stmt` (whose key and values are `extracted`): from the cache, or
    /// compiled and stored on a miss, or — when a value it binds cannot be traced to the key —
    /// compiled and handed back uncached.
    ///
    /// ```
    /// use sqlcore::*;
    /// let t = Table::new("t").column(Column::new("x", SqlType::Integer));
    /// let cache = CompiledCache::new(10);
    /// for x in 0..3 {
    ///     let stmt: Statement = select(&t).filter(t.c("x").eq(x)).into();
    ///     let extracted = extract(&stmt, &SQLite).unwrap();
    ///     let Some(entry) = cache.lookup(&stmt, &extracted, &SQLite)?.entry() else {
    ///         unreachable!("a plain SELECT is cacheable")
    ///     };
    ///     let bound = entry.cached().bind(&extracted, &Params::new(), None)?;
    ///     assert_eq!(bound.values, [Value::I32(x)]);
    /// }
    /// assert_eq!((cache.stats().hits, cache.stats().misses), (2, 1));
    /// # Ok::<(), sqlcore::Error>(())
    /// ```
    pub fn lookup(
        &self,
        stmt: &Statement,
        extracted: &Extracted<'_>,
        dialect: &dyn Dialect,
    ) -> Result<CacheLookup, CompileError> {
        if let Some(entry) = self.get(extracted) {
            return Ok(CacheLookup::Hit(entry));
        }
        Ok(
            match CachedCompiled::new(stmt.compile(dialect)?, extracted) {
                Ok(cached) => CacheLookup::Stored(self.insert(extracted, cached)),
                Err(compiled) => CacheLookup::Uncacheable(compiled),
            },
        )
    }

    /// The most entries held (`query_cache_size`; 0 caches nothing).
    pub fn capacity(&self) -> usize {
        self.inner.capacity
    }

    /// The entry of `extracted`'s statement, if cached; counts a hit or a miss.
    fn get(&self, extracted: &Extracted<'_>) -> Option<Arc<CacheEntry>> {
        let found = {
            let mut entries = self.inner.entries.lock();
            entries.lru.as_mut().and_then(|lru| {
                lru.get(&extracted.hash())?
                    .iter()
                    .find(|e| extracted.matches(e.cached.key()))
                    .cloned()
            })
        };
        let counter = if found.is_some() {
            &self.inner.hits
        } else {
            &self.inner.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores the compiled form of `extracted`'s statement (another thread may have stored
    /// the same shape meanwhile: the entry already there is kept and returned).
    fn insert(&self, extracted: &Extracted<'_>, cached: CachedCompiled) -> Arc<CacheEntry> {
        let entry = Arc::new(CacheEntry {
            cached,
            id: StatementId::next(),
            created: Instant::now(),
            translations: Mutex::new(None),
            keys: OnceLock::new(),
        });
        let mut guard = self.inner.entries.lock();
        let Entries { lru, size } = &mut *guard;
        let Some(lru) = lru else { return entry };
        let hash = entry.cached.key().hash();
        if let Some(bucket) = lru.get_mut(&hash) {
            if let Some(existing) = bucket.iter().find(|e| extracted.matches(e.cached.key())) {
                return existing.clone();
            }
            bucket.push(entry.clone());
            *size += 1;
            return entry;
        }
        if let Some((_, evicted)) = lru.push(hash, vec![entry.clone()]) {
            *size -= evicted.len();
        }
        *size += 1;
        entry
    }
}

/// What [`CompiledCache::lookup`] found.
#[derive(Debug)]
pub enum CacheLookup {
    /// The statement's shape was cached.
    Hit(Arc<CacheEntry>),
    /// It was compiled now and stored.
    Stored(Arc<CacheEntry>),
    /// It was compiled now and cannot be cached (a value it binds is not traced to its key).
    Uncacheable(Box<Compiled>),
}

impl CacheLookup {
    /// The cache entry, unless the statement could not be cached.
    pub fn entry(self) -> Option<Arc<CacheEntry>> {
        match self {
            CacheLookup::Hit(entry) | CacheLookup::Stored(entry) => Some(entry),
            CacheLookup::Uncacheable(_) => None,
        }
    }
}

/// SQL translated through a `schema_translate_map`, with its identity.
type Translation = (Arc<str>, StatementId);

/// A cached compiled statement, with its SQL per `schema_translate_map`.
pub struct CacheEntry {
    pub(crate) cached: CachedCompiled,
    /// The identity of its SQL as compiled.
    pub(crate) id: StatementId,
    /// When it was compiled (for echo's "cached since … ago").
    pub(crate) created: Instant,
    /// Its SQL per schema_translate_map, most recently used last.
    translations: Mutex<Option<LruCache<SchemaTranslateMap, Translation>>>,
    /// The keys of its result rows, built at its first execution.
    keys: OnceLock<Arc<ResultKeys>>,
}

impl std::fmt::Debug for CacheEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheEntry")
            .field("sql", &self.cached.compiled().sql)
            .field("created", &self.created)
            .finish()
    }
}

impl CacheEntry {
    /// The compiled form and how the values of a statement of its shape bind to it.
    pub fn cached(&self) -> &CachedCompiled {
        &self.cached
    }

    /// When it was compiled.
    pub fn created(&self) -> Instant {
        self.created
    }

    /// The result keys for a result with these column names: one set shared by every
    /// execution whose result has the columns the statement was compiled to return.
    pub(crate) fn result_keys(&self, names: ResultNames) -> Arc<ResultKeys> {
        match names {
            ResultNames::Expected => self
                .keys
                .get_or_init(|| {
                    let compiled = self.cached.compiled();
                    Arc::new(ResultKeys::of_compiled(
                        names.into_vec(&compiled.columns),
                        compiled,
                    ))
                })
                .clone(),
            ResultNames::Given(names) => {
                Arc::new(ResultKeys::of_compiled(names, self.cached.compiled()))
            }
        }
    }

    /// The SQL translated through `map`, built once per map.
    pub fn translated(
        &self,
        map: &SchemaTranslateMap,
        dialect: &dyn Dialect,
    ) -> Result<Arc<str>, CompileError> {
        self.translation(map, dialect).map(|(sql, _)| sql)
    }

    /// The SQL translated through `map` and its identity (a translation rebuilt after it was
    /// dropped from the entry gets a new one).
    pub(crate) fn translation(
        &self,
        map: &SchemaTranslateMap,
        dialect: &dyn Dialect,
    ) -> Result<Translation, CompileError> {
        {
            let mut translations = self.translations.lock();
            if let Some(found) = translations.as_mut().and_then(|t| t.get(map)) {
                return Ok(found.clone());
            }
        }
        let sql: Arc<str> = self.cached.compiled().translate(map, dialect)?.into();
        let translation = (sql, StatementId::next());
        let mut translations = self.translations.lock();
        translations
            .get_or_insert_with(|| {
                LruCache::new(NonZeroUsize::new(TRANSLATIONS_PER_ENTRY).expect("non-zero"))
            })
            .put(map.clone(), translation.clone());
        Ok(translation)
    }
}
