//! Typed tables: [`table!`](crate::table) declares a table as a module holding its
//! [`Table`] and one [`Col`] handle per column that carries the column's SQL type, so that a
//! comparison with (or an insert or update to) a Rust value of another type does not compile. Handles
//! turn into the same [`Expr`] values as the dynamic API (`table.c("name")`): typed and
//! dynamic parts mix in one statement, which compiles to the same SQL and cache key.

mod column;
mod dml;
mod enums;
mod table_macro;
pub mod types;

pub use column::Col;
pub use dml::{TypedInsert, TypedUpdate, insert_into, update_table};
pub use enums::SqlEnum;

use sqlcore_compiler::{Column, Expr, Table};
use types::SqlKind;

/// A table declared with [`table!`](crate::table): its marker type (`users::table`) gives
/// the [`Table`].
pub trait TypedTable: Copy + 'static {
    /// The table's schema value, built once.
    fn table() -> &'static Table;
}

/// A Rust value (or expression) a column of SQL type `S` can be compared with or assigned:
/// implemented for the Rust types of `S` (and `Option`s of them when `S` is
/// [`Nullable`](types::Nullable)), for columns of the same SQL type, and for an untyped
/// [`Expr`] (a bound parameter, a function call: the dynamic API's escape hatch).
#[diagnostic::on_unimplemented(
    message = "a value of type `{Self}` cannot be used for a column of SQL type `{S}`",
    label = "expected a Rust value of the column's type"
)]
pub trait AsExpr<S> {
    /// The value as an expression (a bound parameter for a Rust value).
    fn into_expr(self) -> Expr;
}

impl<S> AsExpr<S> for Expr {
    fn into_expr(self) -> Expr {
        self
    }
}

/// The schema column of a typed column (used by [`table!`](crate::table)).
#[doc(hidden)]
pub fn column<S: SqlKind>(name: &str, primary_key: bool) -> Column {
    let column = Column::new(name, S::sql_type()).nullable(S::NULLABLE);
    if primary_key {
        column.primary_key()
    } else {
        column
    }
}

/// An identifier's name without its `r#` (used by [`table!`](crate::table): `r#type` names
/// the column `type`).
#[doc(hidden)]
pub const fn unraw(ident: &'static str) -> &'static str {
    match ident.as_bytes() {
        [b'r', b'#', rest @ ..] => match std::str::from_utf8(rest) {
            Ok(name) => name,
            Err(_) => ident,
        },
        _ => ident,
    }
}
