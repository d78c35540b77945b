//! Rendering array expressions ([`ArrayExpr`]) where the dialect has arrays.

use super::expr::{P_ATOM, P_CMP};
use super::{Compiler, Res};
use crate::error::CompileError;
use crate::expr::{ArrayExpr, Expr};
use crate::schema::Table;

impl Compiler<'_> {
    /// An array operator, `ANY` / `ALL`, element or slice access, or `ARRAY[...]`.
    pub(super) fn array_expr(&mut self, a: &ArrayExpr) -> Res {
        if !self.d.supports_arrays() {
            let what = match a {
                ArrayExpr::Op(op, ..) => format!("operator {}", op.as_sql()),
                ArrayExpr::AnyAll { all: false, .. } => "comparison ANY (array)".into(),
                ArrayExpr::AnyAll { all: true, .. } => "comparison ALL (array)".into(),
                ArrayExpr::Item { .. } => "element access array[i]".into(),
                ArrayExpr::Slice { .. } => "slice array[i:j]".into(),
                ArrayExpr::Literal(_) => "constructor ARRAY[...]".into(),
            };
            return Err(crate::expr::array_unsupported(&what, self.d.name()));
        }
        match a {
            ArrayExpr::Op(op, l, r) => {
                self.operand(l, P_CMP + 1)?;
                self.w(" ");
                self.w(op.as_sql());
                self.w(" ");
                self.operand(r, P_CMP + 1)
            }
            ArrayExpr::AnyAll { array, all } => {
                self.w(if *all { "ALL (" } else { "ANY (" });
                match array {
                    // `ANY (SELECT ...)`, not `ANY ((SELECT ...))`.
                    Expr::ScalarSubquery(q) => self.query(q)?,
                    other => self.expr(other)?,
                }
                self.w(")");
                Ok(())
            }
            ArrayExpr::Item { array, index } => {
                self.subscripted(array)?;
                self.w("[");
                self.expr(index)?;
                self.w("]");
                Ok(())
            }
            ArrayExpr::Slice {
                array,
                lower,
                upper,
            } => {
                self.subscripted(array)?;
                self.w("[");
                self.expr(lower)?;
                self.w(":");
                self.expr(upper)?;
                self.w("]");
                Ok(())
            }
            ArrayExpr::Literal(items) => {
                self.w("ARRAY[");
                self.expr_list(items)?;
                self.w("]");
                Ok(())
            }
        }
    }

    /// The array a subscript applies to: a column, or a subscript of one (`a[1][2]`, the
    /// dimensions of one element), as it is; any other expression parenthesised, as
    /// PostgreSQL requires (`(array_agg(x))[1]`).
    fn subscripted(&mut self, array: &Expr) -> Res {
        let bare = match array {
            Expr::Column(_) => true,
            Expr::Array(a) => matches!(**a, ArrayExpr::Item { .. } | ArrayExpr::Slice { .. }),
            _ => false,
        };
        if bare {
            self.expr(array)
        } else {
            self.w("(");
            self.expr(array)?;
            self.w(")");
            Ok(())
        }
    }

    /// `col[i] = value` (or `col[i:j]`, `col[i][j]`) in an UPDATE's SET: the column named
    /// bare, as a SET target is, its subscripts and the value (typed as the element) bound.
    pub(super) fn element_assignment(&mut self, table: &Table, target: &Expr, value: &Expr) -> Res {
        if !self.d.supports_arrays() {
            return Err(crate::expr::array_unsupported(
                "element assignment SET array[i]",
                self.d.name(),
            ));
        }
        self.set_target(table, target)?;
        self.w(" = ");
        match value {
            Expr::Bind(b) if b.sql_type.is_none() => {
                self.bind(b, target.sql_type().as_ref(), false)
            }
            other => self.expr(other),
        }
    }

    fn set_target(&mut self, table: &Table, target: &Expr) -> Res {
        let Expr::Array(a) = target else {
            return match target {
                Expr::Column(c) if table.columns.contains_key(&c.column.name) => {
                    self.ident(&c.column.name)
                }
                _ => Err(CompileError::invalid(
                    "set_element() takes an element or slice of a column of the updated table",
                )),
            };
        };
        match &**a {
            ArrayExpr::Item { array, index } => {
                self.set_target(table, array)?;
                self.w("[");
                self.expr(index)?;
                self.w("]");
                Ok(())
            }
            ArrayExpr::Slice {
                array,
                lower,
                upper,
            } => {
                self.set_target(table, array)?;
                self.w("[");
                self.expr(lower)?;
                self.w(":");
                self.expr(upper)?;
                self.w("]");
                Ok(())
            }
            _ => Err(CompileError::invalid(
                "set_element() takes an element or slice of a column of the updated table",
            )),
        }
    }

    /// The binding strength of an array expression.
    pub(super) fn array_prec(a: &ArrayExpr) -> u8 {
        match a {
            ArrayExpr::Op(..) => P_CMP,
            _ => P_ATOM,
        }
    }
}
