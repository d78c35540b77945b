//! Rendering array expressions ([`ArrayExpr`]) where the dialect has arrays.

use super::expr::{P_ATOM, P_CMP};
use super::{Compiler, Res};
use crate::expr::{ArrayExpr, Expr};

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

    /// The binding strength of an array expression.
    pub(super) fn array_prec(a: &ArrayExpr) -> u8 {
        match a {
            ArrayExpr::Op(..) => P_CMP,
            _ => P_ATOM,
        }
    }
}
