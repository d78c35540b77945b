//! [`TypedInsert`]: an INSERT whose values are set column handle by column handle.

use super::column::Col;
use super::types::SqlKind;
use super::{AsExpr, TypedTable};
use sqlcore_compiler::{Insert, IntoSelectItems, Statement, insert};
use std::marker::PhantomData;

/// `INSERT INTO table` of a typed table, its values set with [`TypedInsert::value`]: a value
/// of another type than the column's, or a column of another table, does not compile.
///
/// ```
/// use sqlcore::*;
/// sqlcore::table! { users (id) { id -> Integer, name -> Text } }
/// let stmt = typed::insert_into(users::table).value(users::id, 1).value(users::name, "ed");
/// let sql = Insert::from(stmt).compile(&SQLite)?.sql;
/// assert_eq!(sql, "INSERT INTO users (id, name) VALUES (?1, ?2)");
/// # Ok::<(), sqlcore::CompileError>(())
/// ```
pub struct TypedInsert<Tb> {
    insert: Insert,
    _table: PhantomData<Tb>,
}

impl<Tb> std::fmt::Debug for TypedInsert<Tb> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.insert.fmt(f)
    }
}

/// `INSERT INTO table` for the typed table `table` (e.g. `users::table`).
pub fn insert_into<Tb: TypedTable>(_table: Tb) -> TypedInsert<Tb> {
    TypedInsert {
        insert: insert(Tb::table()),
        _table: PhantomData,
    }
}

impl<Tb: TypedTable> TypedInsert<Tb> {
    /// Sets `column` to `value` (a bound parameter).
    pub fn value<S: SqlKind>(mut self, column: Col<Tb, S>, value: impl AsExpr<S>) -> Self {
        self.insert = self.insert.values([(column.name(), value.into_expr())]);
        self
    }

    /// `RETURNING items` (the dynamic [`Insert`] from here on).
    pub fn returning(self, items: impl IntoSelectItems) -> Insert {
        self.insert.returning(items)
    }
}

impl<Tb> From<TypedInsert<Tb>> for Insert {
    fn from(typed: TypedInsert<Tb>) -> Insert {
        typed.insert
    }
}

impl<Tb> From<TypedInsert<Tb>> for Statement {
    fn from(typed: TypedInsert<Tb>) -> Statement {
        typed.insert.into()
    }
}

impl<Tb> From<TypedInsert<Tb>> for crate::Executable<'static> {
    fn from(typed: TypedInsert<Tb>) -> Self {
        typed.insert.into()
    }
}
