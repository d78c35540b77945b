//! A connection's bounded cache of prepared statements, by SQL text: a statement is reused
//! only while it fits the parameter types a request declares; the least recently used one is
//! evicted (dropping a tokio-postgres `Statement` closes it on the server), and one whose
//! cached plan the server rejected after a schema change is forgotten.

use super::Request;
use super::pg_decode::fits;
use crate::error::Error;
use lru::LruCache;
use std::num::NonZeroUsize;
use tokio_postgres::Statement;

/// See the module's documentation. A capacity of 0 keeps nothing: every statement is sent
/// unnamed (for transaction-pooling proxies).
pub(super) struct StatementCache(Option<LruCache<String, Statement>>);

impl StatementCache {
    /// A cache of up to `capacity` statements.
    pub fn new(capacity: usize) -> Self {
        StatementCache(NonZeroUsize::new(capacity).map(LruCache::new))
    }

    /// Whether statements are kept at all.
    pub fn enabled(&self) -> bool {
        self.0.is_some()
    }

    /// The statement kept for `request`'s SQL, if it fits the request's parameter types.
    pub fn get(&mut self, request: &Request<'_>) -> Option<Statement> {
        let stmt = self.0.as_mut()?.get(request.sql)?;
        fits(stmt, request).then(|| stmt.clone())
    }

    /// Keeps `stmt` for `sql`, evicting the least recently used statement when full.
    pub fn put(&mut self, sql: &str, stmt: Statement) {
        if let Some(cache) = &mut self.0 {
            cache.put(sql.to_owned(), stmt);
        }
    }

    /// Forgets the statement for `sql` when `error` says its cached plan is stale (a schema
    /// change): it is prepared afresh next time.
    pub fn forget_if_stale(&mut self, sql: &str, error: &Error) {
        if let (Error::Db(db), Some(cache)) = (error, &mut self.0) {
            if db.sqlstate.as_deref() == Some("0A000") && db.message.contains("cached plan") {
                cache.pop(sql);
            }
        }
    }
}
