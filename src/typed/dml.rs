//! [`TypedInsert`] and [`TypedUpdate`]: an INSERT's values and an UPDATE's SET, given column
//! handle by column handle.

use super::column::Col;
use super::types::SqlKind;
use super::{AsExpr, TypedTable};
use sqlcore_compiler::{Expr, Insert, IntoSelectItems, Statement, Update, insert, update};
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

/// `UPDATE table` of a typed table, its SET given with [`TypedUpdate::set`] (typed as
/// [`TypedInsert::value`]) and its WHERE with [`TypedUpdate::filter`].
///
/// ```
/// use sqlcore::*;
/// sqlcore::table! { users (id) { id -> Integer, name -> Text } }
/// let stmt = typed::update_table(users::table).set(users::name, "jack").filter(users::id.eq(1));
/// let sql = Update::from(stmt).compile(&PostgreSQL)?.sql;
/// assert_eq!(sql, "UPDATE users SET name = $1 WHERE users.id = $2");
/// # Ok::<(), sqlcore::CompileError>(())
/// ```
pub struct TypedUpdate<Tb> {
    update: Update,
    _table: PhantomData<Tb>,
}

/// `UPDATE table` for the typed table `table` (e.g. `users::table`).
pub fn update_table<Tb: TypedTable>(_table: Tb) -> TypedUpdate<Tb> {
    TypedUpdate {
        update: update(Tb::table()),
        _table: PhantomData,
    }
}

impl<Tb: TypedTable> TypedUpdate<Tb> {
    /// `SET column = value` (a bound parameter).
    pub fn set<S: SqlKind>(mut self, column: Col<Tb, S>, value: impl AsExpr<S>) -> Self {
        self.update = self.update.values([(column.name(), value.into_expr())]);
        self
    }

    /// Adds a WHERE criterion (ANDed with those before).
    pub fn filter(mut self, criterion: impl Into<Expr>) -> Self {
        self.update = self.update.filter(criterion);
        self
    }
}

/// The dynamic statement of a typed builder, and its conversions.
macro_rules! typed_statement {
    ($typed:ident, $field:ident, $dynamic:ty) => {
        impl<Tb> std::fmt::Debug for $typed<Tb> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.$field.fmt(f)
            }
        }

        impl<Tb> From<$typed<Tb>> for $dynamic {
            fn from(typed: $typed<Tb>) -> $dynamic {
                typed.$field
            }
        }

        impl<Tb> From<$typed<Tb>> for Statement {
            fn from(typed: $typed<Tb>) -> Statement {
                typed.$field.into()
            }
        }

        impl<Tb> From<$typed<Tb>> for crate::Executable<'static> {
            fn from(typed: $typed<Tb>) -> Self {
                typed.$field.into()
            }
        }
    };
}

typed_statement!(TypedInsert, insert, Insert);
typed_statement!(TypedUpdate, update, Update);
