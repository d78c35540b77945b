//! A connection's bounded cache of prepared statements, by SQL text: a statement is reused
//! only while it fits the parameter types a request declares; the least recently used one is
//! evicted (dropping a tokio-postgres `Statement` closes it on the server), and one whose
//! cached plan the server rejected after a schema change is forgotten.
//!
//! Once the cache is full, a statement it does not hold is not prepared on sight (a Parse
//! round trip, and a Close for the statement it would evict): it runs unnamed, in the same
//! flight as its execution, and is admitted only when it misses again while still among the
//! last misses remembered (as many as the cache holds). Many statements used once in turn —
//! each tenant's SQL under a `schema_translate_map` of thousands of tenants — never displace
//! the statements in steady use, while a statement that becomes hot is kept from its second
//! miss.
//!
//! Behind a transaction-pooling proxy (PgBouncer's `pool_mode = transaction`) consecutive
//! transactions of one client may run on different server sessions, so nothing may outlive a
//! transaction on the server: the cache keeps nothing, every statement is sent unnamed (or,
//! where its columns must be described, prepared and closed inside one transaction), and a
//! streamed result is refused outside a transaction (its cursor would need `WITH HOLD`).

use super::pg_decode::{fits, may_return_rows};
use super::{Request, StatementId};
use crate::error::{Error, Result};
use lru::LruCache;
use std::hash::BuildHasher;
use std::num::NonZeroUsize;
use std::sync::Arc;
use tokio_postgres::Statement;

/// Hashes the SQL of missed statements (a collision only admits a statement early).
const MISSED_HASH: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0);

/// See the module's documentation. A capacity of 0 keeps nothing: every statement is sent
/// unnamed (as transaction-pooling proxies need).
pub(super) struct StatementCache {
    kept: Option<LruCache<Arc<str>, Statement>>,
    /// The SQL (by hash) of the last statements that missed the full cache and ran unnamed:
    /// one that misses again while remembered is admitted.
    missed: LruCache<u64, ()>,
    /// The statement last found for a request with a [`StatementId`]: found again by that id,
    /// without hashing its SQL.
    last: Option<Last>,
    transaction_pooling: bool,
}

/// How a request's statement runs (see [`StatementCache::lookup`]).
pub(super) enum Lookup {
    /// With the statement kept for it.
    Kept(Statement),
    /// Prepared now and kept ([`StatementCache::put`]).
    Admit,
    /// Unnamed, with the parameter types the request declares, in its execution's flight.
    Unnamed,
}

/// A kept statement, by the identity of its SQL.
struct Last {
    id: StatementId,
    sql: Arc<str>,
    stmt: Statement,
    /// Found again by its id since it was remembered: its place in the LRU order is older
    /// than its last use.
    used: bool,
}

impl StatementCache {
    /// A cache of up to `capacity` statements; with `transaction_pooling` (which needs a
    /// capacity of 0) no server-side state may outlive a transaction.
    pub fn new(capacity: usize, transaction_pooling: bool) -> Self {
        let kept = NonZeroUsize::new(capacity)
            .filter(|_| !transaction_pooling)
            .map(LruCache::new);
        StatementCache {
            missed: LruCache::new(kept.as_ref().map_or(NonZeroUsize::MIN, LruCache::cap)),
            kept,
            last: None,
            transaction_pooling,
        }
    }

    /// Whether statements are kept at all.
    pub fn enabled(&self) -> bool {
        self.kept.is_some()
    }

    /// Whether the connection goes through a transaction-pooling proxy.
    pub fn transaction_pooling(&self) -> bool {
        self.transaction_pooling
    }

    /// Whether a streamed result (a server-side cursor) may be opened: behind a
    /// transaction-pooling proxy only inside a transaction, where the cursor lives and dies
    /// on one server session.
    pub fn check_stream(&self, in_transaction: bool) -> Result<()> {
        if self.transaction_pooling && !in_transaction {
            return Err(Error::InvalidRequest(
                "stream_results outside a transaction is not possible through a transaction-pooling proxy (pgbouncer=true): the cursor would outlive its server session; stream inside a transaction (conn.begin()) or drop stream_results".into(),
            ));
        }
        Ok(())
    }

    /// The statement kept for `request`'s SQL, if it fits the request's parameter types.
    pub fn get(&mut self, request: &Request<'_>) -> Option<Statement> {
        let id = request.statement_id;
        if let Some(last) = self.last.as_mut().filter(|last| Some(last.id) == id) {
            last.used = true;
            return fits(&last.stmt, request).then(|| last.stmt.clone());
        }
        self.forget_last();
        let cache = self.kept.as_mut()?;
        let (sql, stmt) = cache.get_key_value(request.sql)?;
        if !fits(stmt, request) {
            return None;
        }
        if let Some(id) = id {
            self.last = Some(Last {
                id,
                sql: sql.clone(),
                stmt: stmt.clone(),
                used: false,
            });
        }
        Some(stmt.clone())
    }

    /// Forgets the statement last found by its id, its place in the LRU order brought up to
    /// date first.
    fn forget_last(&mut self) {
        if let (Some(last), Some(cache)) = (self.last.take(), &mut self.kept) {
            if last.used {
                cache.promote(&*last.sql);
            }
        }
    }

    /// Whether `sql`, which the cache does not hold, is to be prepared and kept now; `false`:
    /// the cache is full and `sql` has not missed among the last misses remembered, so it runs
    /// unnamed (and is remembered as missed). Always `false` when nothing is kept.
    fn admits(&mut self, sql: &str) -> bool {
        let Some(kept) = &self.kept else {
            return false;
        };
        if kept.len() < kept.cap().get() {
            return true;
        }
        let hash = MISSED_HASH.hash_one(sql);
        if self.missed.pop(&hash).is_some() {
            return true;
        }
        self.missed.put(hash, ());
        false
    }

    /// How `request` runs: with its kept statement; unnamed when nothing is kept, or when the
    /// full cache does not [admit](Self::admits) it and its result's names are known without
    /// a description (compiled, or no rows); else prepared now and kept.
    pub fn lookup(&mut self, request: &Request<'_>) -> Lookup {
        if !self.enabled() {
            return Lookup::Unnamed;
        }
        if let Some(stmt) = self.get(request) {
            return Lookup::Kept(stmt);
        }
        let named_without_description =
            !request.result_columns.is_empty() || !may_return_rows(request.sql);
        if named_without_description && !self.admits(request.sql) {
            return Lookup::Unnamed;
        }
        Lookup::Admit
    }

    /// Keeps `stmt` for `sql`, evicting the least recently used statement when full.
    pub fn put(&mut self, sql: &str, stmt: Statement) {
        // (Then nothing but the cache holds the statement evicted, which closes it.)
        self.forget_last();
        if let Some(cache) = &mut self.kept {
            cache.put(Arc::from(sql), stmt);
        }
    }

    /// Forgets the statement for `sql` when `error` says its cached plan is stale (a schema
    /// change): it is prepared afresh next time.
    pub fn forget_if_stale(&mut self, sql: &str, error: &Error) {
        if let (Error::Db(db), Some(cache)) = (error, &mut self.kept) {
            if db.sqlstate.as_deref() == Some("0A000") && db.message.contains("cached plan") {
                self.last = None;
                cache.pop(sql);
            }
        }
    }
}
