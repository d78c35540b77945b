//! A connection's bounded cache of prepared statements, by SQL text: a statement is reused
//! only while it fits the parameter types a request declares; the least recently used one is
//! evicted (dropping a tokio-postgres `Statement` closes it on the server), and one whose
//! cached plan the server rejected after a schema change is forgotten.
//!
//! Behind a transaction-pooling proxy (PgBouncer's `pool_mode = transaction`) consecutive
//! transactions of one client may run on different server sessions, so nothing may outlive a
//! transaction on the server: the cache keeps nothing, every statement is sent unnamed (or,
//! where its columns must be described, prepared and closed inside one transaction), and a
//! streamed result is refused outside a transaction (its cursor would need `WITH HOLD`).

use super::Request;
use super::pg_decode::fits;
use crate::error::{Error, Result};
use lru::LruCache;
use std::num::NonZeroUsize;
use tokio_postgres::Statement;

/// See the module's documentation. A capacity of 0 keeps nothing: every statement is sent
/// unnamed (as transaction-pooling proxies need).
pub(super) struct StatementCache {
    kept: Option<LruCache<String, Statement>>,
    transaction_pooling: bool,
}

impl StatementCache {
    /// A cache of up to `capacity` statements; with `transaction_pooling` (which needs a
    /// capacity of 0) no server-side state may outlive a transaction.
    pub fn new(capacity: usize, transaction_pooling: bool) -> Self {
        StatementCache {
            kept: NonZeroUsize::new(capacity)
                .filter(|_| !transaction_pooling)
                .map(LruCache::new),
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
        let stmt = self.kept.as_mut()?.get(request.sql)?;
        fits(stmt, request).then(|| stmt.clone())
    }

    /// Keeps `stmt` for `sql`, evicting the least recently used statement when full.
    pub fn put(&mut self, sql: &str, stmt: Statement) {
        if let Some(cache) = &mut self.kept {
            cache.put(sql.to_owned(), stmt);
        }
    }

    /// Forgets the statement for `sql` when `error` says its cached plan is stale (a schema
    /// change): it is prepared afresh next time.
    pub fn forget_if_stale(&mut self, sql: &str, error: &Error) {
        if let (Error::Db(db), Some(cache)) = (error, &mut self.kept) {
            if db.sqlstate.as_deref() == Some("0A000") && db.message.contains("cached plan") {
                cache.pop(sql);
            }
        }
    }
}
