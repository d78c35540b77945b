//! [`Col`]: a typed column handle.

use super::types::{Nullable, SqlKind};
use super::{AsExpr, TypedTable};
use sqlcore_compiler::{Expr, IntoSelectItems, OrderBy, SelectItem, Value};
use std::marker::PhantomData;

/// A column of table `Tb` whose SQL type is `S` (made by [`table!`](crate::table)): its
/// comparisons take only values of `S`'s Rust types (see [`AsExpr`]); `.expr()` (or `into()`)
/// gives the dynamic [`Expr`], the same as `table.c(name)`.
pub struct Col<Tb, S> {
    name: &'static str,
    _types: PhantomData<fn() -> (Tb, S)>,
}

impl<Tb, S> Clone for Col<Tb, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Tb, S> Copy for Col<Tb, S> {}

impl<Tb, S> std::fmt::Debug for Col<Tb, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Col").field(&self.name).finish()
    }
}

impl<Tb, S> Col<Tb, S> {
    /// The handle of column `name` (used by [`table!`](crate::table)).
    #[doc(hidden)]
    pub const fn new(name: &'static str) -> Self {
        Col {
            name,
            _types: PhantomData,
        }
    }

    /// The column's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<Tb: TypedTable, S: SqlKind> Col<Tb, S> {
    /// The column as a dynamic expression (the same as `table.c(name)`).
    pub fn expr(self) -> Expr {
        Tb::table().c(self.name)
    }

    /// `column = value`.
    pub fn eq(self, value: impl AsExpr<S>) -> Expr {
        self.expr().eq(value.into_expr())
    }

    /// `column != value`.
    pub fn ne(self, value: impl AsExpr<S>) -> Expr {
        self.expr().ne(value.into_expr())
    }

    /// `column < value`.
    pub fn lt(self, value: impl AsExpr<S>) -> Expr {
        self.expr().lt(value.into_expr())
    }

    /// `column <= value`.
    pub fn le(self, value: impl AsExpr<S>) -> Expr {
        self.expr().le(value.into_expr())
    }

    /// `column > value`.
    pub fn gt(self, value: impl AsExpr<S>) -> Expr {
        self.expr().gt(value.into_expr())
    }

    /// `column >= value`.
    pub fn ge(self, value: impl AsExpr<S>) -> Expr {
        self.expr().ge(value.into_expr())
    }

    /// `column BETWEEN low AND high`.
    pub fn between(self, low: impl AsExpr<S>, high: impl AsExpr<S>) -> Expr {
        self.expr().between(low.into_expr(), high.into_expr())
    }

    /// `column IN (values…)`, each value bound.
    pub fn in_<V: AsExpr<S> + Into<Value>>(self, values: impl IntoIterator<Item = V>) -> Expr {
        let values: Vec<Value> = values.into_iter().map(Into::into).collect();
        self.expr().in_(values)
    }

    /// `column ASC`, for `order_by`.
    pub fn asc(self) -> OrderBy {
        self.expr().asc()
    }

    /// `column DESC`, for `order_by`.
    pub fn desc(self) -> OrderBy {
        self.expr().desc()
    }
}

impl<Tb: TypedTable, S: SqlKind> Col<Tb, Nullable<S>> {
    /// `column IS NULL`.
    pub fn is_null(self) -> Expr {
        self.expr().is_null()
    }

    /// `column IS NOT NULL`.
    pub fn is_not_null(self) -> Expr {
        self.expr().is_not_null()
    }
}

/// A column compares with columns of the same SQL type, of any table.
impl<Tb: TypedTable, S: SqlKind> AsExpr<S> for Col<Tb, S> {
    fn into_expr(self) -> Expr {
        self.expr()
    }
}

/// A nullable column compares with a column of its type that is not.
impl<Tb: TypedTable, S: SqlKind> AsExpr<Nullable<S>> for Col<Tb, S> {
    fn into_expr(self) -> Expr {
        self.expr()
    }
}

impl<Tb: TypedTable, S: SqlKind> From<Col<Tb, S>> for Expr {
    fn from(col: Col<Tb, S>) -> Expr {
        col.expr()
    }
}

impl<Tb: TypedTable, S: SqlKind> From<Col<Tb, S>> for SelectItem {
    fn from(col: Col<Tb, S>) -> SelectItem {
        col.expr().into()
    }
}

impl<Tb: TypedTable, S: SqlKind> IntoSelectItems for Col<Tb, S> {
    fn into_select_items(self) -> Vec<SelectItem> {
        vec![self.into()]
    }
}
