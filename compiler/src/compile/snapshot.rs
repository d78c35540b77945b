//! A stable, readable text of a compiled statement and its parameters, for snapshot tests
//! (insta or any other): the SQL as compiled, the SQL as bound when parameters expand, and
//! each value with its position.

use super::{Compile, Compiled, Params};
use crate::dialect::Dialect;
use crate::error::CompileError;
use crate::stmt::Statement;
use crate::value::Value;
use std::fmt::Write;

impl Compiled {
    /// The statement as a snapshot test keeps it: the compiled SQL; then, when parameters
    /// expand at bind time (an IN list), `-- expanded: ` and the bound SQL; then, when it binds
    /// values, `-- params:` and each value as ` [position] Value`.
    ///
    /// The form changes only when the SQL or the values do, so a snapshot diff shows exactly
    /// what a change to a statement or the compiler does to it.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let users = Table::new("users").column(Column::new("id", SqlType::Integer));
    /// let stmt = select(&users).filter(users.c("id").in_([1, 2]));
    /// assert_eq!(
    ///     stmt.compile(&MySQL)?.snapshot_text(&Params::new())?,
    ///     "SELECT users.id FROM users WHERE users.id IN (__[POSTCOMPILE_param_1])\n\
    ///      -- expanded: SELECT users.id FROM users WHERE users.id IN (?, ?)\n\
    ///      -- params: [1] I32(1) [2] I32(2)"
    /// );
    /// # Ok::<(), CompileError>(())
    /// ```
    pub fn snapshot_text(&self, named: &Params) -> Result<String, CompileError> {
        let bound = self.bind(named)?;
        let mut out = self.sql.clone();
        if self.needs_expansion() {
            out.push_str("\n-- expanded: ");
            out.push_str(&bound.sql);
        }
        push_params(&mut out, &bound.values);
        Ok(out)
    }
}

/// `stmt` rendered for each dialect with [`Compiled::snapshot_text`], each under a
/// `-- <dialect name>` line, blank lines between them; a dialect the statement does not
/// compile for shows `CompileError: <message>` (that refusal is part of what a snapshot
/// records).
///
/// ```
/// use sqlcore_compiler::*;
/// let users = Table::new("users").column(Column::new("name", SqlType::Text));
/// let stmt = update(&users).values([("name", "ed")]).returning([users.c("name")]);
/// assert_eq!(
///     snapshot_dialects(&stmt.into(), &[&PostgreSQL, &MySQL], &Params::new()),
///     "-- postgresql\n\
///      UPDATE users SET name = $1 RETURNING users.name\n\
///      -- params: [1] Text(\"ed\")\n\
///      \n\
///      -- mysql\n\
///      CompileError: RETURNING is not supported by the mysql dialect"
/// );
/// ```
pub fn snapshot_dialects(stmt: &Statement, dialects: &[&dyn Dialect], named: &Params) -> String {
    let mut out = String::new();
    for (i, dialect) in dialects.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        let _ = writeln!(out, "-- {}", dialect.name());
        match stmt
            .compile(*dialect)
            .and_then(|compiled| compiled.snapshot_text(named))
        {
            Ok(text) => out.push_str(&text),
            Err(e) => {
                let _ = write!(out, "CompileError: {e}");
            }
        }
    }
    out
}

fn push_params(out: &mut String, values: &[Value]) {
    if values.is_empty() {
        return;
    }
    out.push_str("\n-- params:");
    for (i, v) in values.iter().enumerate() {
        let _ = write!(out, " [{}] {v:?}", i + 1);
    }
}
