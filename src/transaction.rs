//! Transaction guards: [`Transaction`], [`NestedTransaction`] (savepoints) and
//! [`EngineTransaction`] (`engine.begin()`). Each rolls back when dropped uncommitted, including
//! while a panic unwinds.

use crate::connection::Connection;
use crate::error::Result;
use std::ops::{Deref, DerefMut};

/// A transaction begun with [`Connection::begin`]; derefs to the connection.
pub struct Transaction<'c> {
    conn: &'c mut Connection,
    done: bool,
}

impl<'c> Transaction<'c> {
    pub(crate) fn new(conn: &'c mut Connection) -> Self {
        Transaction { conn, done: false }
    }

    /// Commits.
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn.commit()
    }

    /// Rolls back.
    pub fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.conn.rollback()
    }
}

impl Deref for Transaction<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl DerefMut for Transaction<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            if let Err(e) = self.conn.rollback() {
                tracing::warn!(target: "sqlcore.engine", error = %e, "rollback of a dropped transaction failed");
            }
        }
    }
}

/// A savepoint opened with [`Connection::begin_nested`]; derefs to the connection.
pub struct NestedTransaction<'c> {
    conn: &'c mut Connection,
    name: String,
    done: bool,
}

impl<'c> NestedTransaction<'c> {
    pub(crate) fn new(conn: &'c mut Connection, name: String) -> Self {
        NestedTransaction {
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
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        let name = std::mem::take(&mut self.name);
        self.conn.release_savepoint(&name)
    }

    /// Rolls back to the savepoint, undoing only its work.
    pub fn rollback(mut self) -> Result<()> {
        self.done = true;
        let name = std::mem::take(&mut self.name);
        self.conn.rollback_to_savepoint(&name)
    }
}

impl Deref for NestedTransaction<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl DerefMut for NestedTransaction<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn
    }
}

impl Drop for NestedTransaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            let name = std::mem::take(&mut self.name);
            if let Err(e) = self.conn.rollback_to_savepoint(&name) {
                tracing::warn!(target: "sqlcore.engine", error = %e, "rollback of a dropped savepoint failed");
            }
        }
    }
}

/// A connection with a transaction, from [`Engine::begin`](crate::Engine::begin): commit it,
/// or drop it to roll back. Derefs to the connection.
pub struct EngineTransaction {
    conn: Connection,
    done: bool,
}

impl EngineTransaction {
    pub(crate) fn new(mut conn: Connection) -> Result<Self> {
        std::mem::forget(conn.begin()?);
        Ok(EngineTransaction { conn, done: false })
    }

    /// Commits and returns the connection to the pool.
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn.commit()
    }

    /// Rolls back and returns the connection to the pool.
    pub fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.conn.rollback()
    }
}

impl Deref for EngineTransaction {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl DerefMut for EngineTransaction {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Drop for EngineTransaction {
    fn drop(&mut self) {
        if !self.done {
            if let Err(e) = self.conn.rollback() {
                tracing::warn!(target: "sqlcore.engine", error = %e, "rollback of a dropped transaction failed");
            }
        }
    }
}
