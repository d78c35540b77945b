//! Rendering full text search ([`TextSearch`]) per dialect's [`FullTextStyle`].

use super::expr::P_CMP;
use super::{Compiler, Res};
use crate::dialect::FullTextStyle;
use crate::error::CompileError;
use crate::expr::TextSearch;

impl Compiler<'_> {
    /// `MATCH` in the dialect's form, or `@@` where the dialect has text search types.
    pub(super) fn text_search(&mut self, ts: &TextSearch) -> Res {
        match ts {
            TextSearch::Match {
                expr,
                query,
                config,
            } => match self.d.full_text_style() {
                FullTextStyle::TsQuery => {
                    self.operand(expr, P_CMP + 1)?;
                    self.w(" @@ plainto_tsquery(");
                    if let Some(config) = config {
                        self.expr(config)?;
                        self.w(", ");
                    }
                    self.expr(query)?;
                    self.w(")");
                    Ok(())
                }
                FullTextStyle::MatchAgainst => {
                    self.w("MATCH (");
                    self.expr(expr)?;
                    self.w(") AGAINST (");
                    self.expr(query)?;
                    self.w(" IN BOOLEAN MODE)");
                    Ok(())
                }
                FullTextStyle::MatchOperator => {
                    self.operand(expr, P_CMP + 1)?;
                    self.w(" MATCH ");
                    self.operand(query, P_CMP + 1)
                }
            },
            TextSearch::TsMatch(l, r) => {
                if !self.d.supports_text_search_types() {
                    return Err(CompileError::unsupported(
                        "the text search operator @@",
                        self.d.name(),
                    ));
                }
                self.operand(l, P_CMP + 1)?;
                self.w(" @@ ");
                self.operand(r, P_CMP + 1)
            }
        }
    }
}
