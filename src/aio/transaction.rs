//! The async transaction guards: [`AsyncTransaction`], [`AsyncNestedTransaction`]
//! (savepoints) and [`AsyncEngineTransaction`] (`engine.begin()`).
//!
//! `Drop` cannot await: a guard dropped without `commit()` or `rollback()` marks its
//! connection, which rolls the transaction (or the savepoint) back before its next statement,
//! or — when the connection itself is dropped — the pool's reset rolls it back before anyone
//! else gets it.

use super::connection::{AsyncConnection, GuardEnd};
use crate::error::Result;
use std::ops::{Deref, DerefMut};

/// A transaction begun with [`AsyncConnection::begin`]; derefs to the connection.
pub struct AsyncTransaction<'c> {
    conn: &'c mut AsyncConnection,
    done: bool,
}

impl<'c> AsyncTransaction<'c> {
    pub(crate) fn new(conn: &'c mut AsyncConnection) -> Self {
        AsyncTransaction { conn, done: false }
    }

    /// Commits.
    pub async fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn.commit().await
    }

    /// Rolls back.
    pub async fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.conn.rollback().await
    }
}

impl Deref for AsyncTransaction<'_> {
    type Target = AsyncConnection;
    fn deref(&self) -> &AsyncConnection {
        self.conn
    }
}

impl DerefMut for AsyncTransaction<'_> {
    fn deref_mut(&mut self) -> &mut AsyncConnection {
        self.conn
    }
}

impl Drop for AsyncTransaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.conn.guard_dropped(GuardEnd::Rollback);
        }
    }
}

/// A savepoint opened with [`AsyncConnection::begin_nested`]; derefs to the connection.
pub struct AsyncNestedTransaction<'c> {
    conn: &'c mut AsyncConnection,
    name: String,
    done: bool,
}

impl<'c> AsyncNestedTransaction<'c> {
    pub(crate) fn new(conn: &'c mut AsyncConnection, name: String) -> Self {
        AsyncNestedTransaction {
            conn,
            name,
            done: false,
        }
    }

    /// The savepoint's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Releases the savepoint, keeping its work in the enclosing transaction.
    pub async fn commit(mut self) -> Result<()> {
        self.done = true;
        let name = std::mem::take(&mut self.name);
        self.conn.release_savepoint(&name).await
    }

    /// Rolls back to the savepoint, undoing only its work.
    pub async fn rollback(mut self) -> Result<()> {
        self.done = true;
        let name = std::mem::take(&mut self.name);
        self.conn.rollback_to_savepoint(&name).await
    }
}

impl Deref for AsyncNestedTransaction<'_> {
    type Target = AsyncConnection;
    fn deref(&self) -> &AsyncConnection {
        self.conn
    }
}

impl DerefMut for AsyncNestedTransaction<'_> {
    fn deref_mut(&mut self) -> &mut AsyncConnection {
        self.conn
    }
}

impl Drop for AsyncNestedTransaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            let name = std::mem::take(&mut self.name);
            self.conn.guard_dropped(GuardEnd::RollbackTo(name));
        }
    }
}

/// A connection with a transaction, from [`AsyncEngine::begin`](super::AsyncEngine::begin):
/// commit it, or drop it to roll back (the pool's reset does). Derefs to the connection.
pub struct AsyncEngineTransaction {
    conn: AsyncConnection,
}

impl AsyncEngineTransaction {
    pub(crate) async fn new(mut conn: AsyncConnection) -> Result<Self> {
        conn.begin_root().await?;
        Ok(AsyncEngineTransaction { conn })
    }

    /// Commits and returns the connection to the pool.
    pub async fn commit(mut self) -> Result<()> {
        self.conn.commit().await
    }

    /// Rolls back and returns the connection to the pool.
    pub async fn rollback(mut self) -> Result<()> {
        self.conn.rollback().await
    }
}

impl Deref for AsyncEngineTransaction {
    type Target = AsyncConnection;
    fn deref(&self) -> &AsyncConnection {
        &self.conn
    }
}

impl DerefMut for AsyncEngineTransaction {
    fn deref_mut(&mut self) -> &mut AsyncConnection {
        &mut self.conn
    }
}
