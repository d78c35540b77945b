//! [`text()`]: textual SQL with `:name` parameters.
//!
//! Parameters are found with sqlparser's tokenizer, so a `:x` inside a string literal, a quoted
//! identifier or a comment is not a parameter, `::` is PostgreSQL's cast, `\:` is a literal
//! colon, and `:p::int` is the parameter `p` followed by a cast.

use crate::compile::{Compile, Compiled, Compiler, ResultColumn};
use crate::dialect::Dialect;
use crate::error::CompileError;
use crate::schema::SqlType;
use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Location, Token, Tokenizer};
use std::sync::Arc;

/// A piece of textual SQL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TextPiece {
    /// SQL written as is.
    Sql(String),
    /// A named parameter.
    Param(Arc<str>),
}

/// Textual SQL with named parameters (SQLAlchemy's `text()`).
///
/// ```
/// use sqlcore_compiler::*;
/// let t = text("SELECT * FROM users WHERE id = :id AND note <> ':not_a_param' AND n = :id::int");
/// assert_eq!(t.param_names(), ["id"]);
/// let c = t.compile(&PostgreSQL).unwrap();
/// assert_eq!(c.sql, "SELECT * FROM users WHERE id = $1 AND note <> ':not_a_param' AND n = $1::int");
/// assert_eq!(text("SELECT :a, :b").compile(&SQLite).unwrap().sql, "SELECT ?1, ?2");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TextClause {
    sql: Arc<str>,
    columns: Vec<ResultColumn>,
}

/// Textual SQL; `:name` marks a parameter (see the [module docs](self)). The SQL is
/// tokenized when compiled, with the dialect's own rules (MySQL's `\'` escapes and `#`
/// comments, PostgreSQL's dollar quotes).
pub fn text(sql: &str) -> TextClause {
    TextClause {
        sql: sql.into(),
        columns: Vec::new(),
    }
}

impl TextClause {
    /// The SQL as written.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The SQL split into text and parameters by `dialect`'s tokenizer.
    pub fn pieces(&self, dialect: &dyn Dialect) -> Result<Vec<TextPiece>, CompileError> {
        parse(&self.sql, &*dialect.tokenizer_dialect())
    }

    /// The distinct parameter names, in order of first use (tokenized with generic rules).
    pub fn param_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in parse(&self.sql, &GenericDialect {}).unwrap_or_default() {
            if let TextPiece::Param(name) = p {
                if !out.iter().any(|o| **o == *name) {
                    out.push(name.to_string());
                }
            }
        }
        out
    }

    /// Declares the result columns (SQLAlchemy's `text().columns()`), for typed results. They
    /// are matched to the result's columns by position; when the counts agree, the result's
    /// keys are these names.
    pub fn columns<I, N>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = (N, SqlType)>,
        N: Into<Arc<str>>,
    {
        self.columns = columns
            .into_iter()
            .map(|(name, ty)| ResultColumn {
                name: name.into(),
                sql_type: Some(ty),
            })
            .collect();
        self
    }
}

/// Byte offset of a tokenizer location (1-based line and character column).
fn byte_offset(line_starts: &[usize], sql: &str, loc: Location) -> usize {
    let line = (loc.line.max(1) - 1) as usize;
    let start = line_starts.get(line).copied().unwrap_or(sql.len());
    let col = (loc.column.max(1) - 1) as usize;
    sql[start..]
        .char_indices()
        .nth(col)
        .map_or(sql.len(), |(i, _)| start + i)
}

fn parse(
    sql: &str,
    dialect: &dyn sqlparser::dialect::Dialect,
) -> Result<Vec<TextPiece>, CompileError> {
    let tokens = Tokenizer::new(dialect, sql)
        .with_unescape(false)
        .tokenize_with_location()
        .map_err(|e| CompileError::invalid(format!("text() could not tokenize the SQL: {e}")))?;
    let mut line_starts = vec![0];
    line_starts.extend(sql.match_indices('\n').map(|(i, _)| i + 1));
    let offset = |loc| byte_offset(&line_starts, sql, loc);

    let mut pieces = Vec::new();
    let mut copied = 0; // bytes of `sql` already emitted
    let mut i = 0;
    while i < tokens.len() {
        match (&tokens[i].token, tokens.get(i + 1).map(|t| &t.token)) {
            (Token::Colon, Some(Token::Word(w))) if w.quote_style.is_none() => {
                let colon = offset(tokens[i].span.start);
                let word = offset(tokens[i + 1].span.start);
                // `arr[lo:hi]` and `a:b` are not parameters: the colon must not follow a word.
                let after_word = sql[..colon]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
                if word == colon + 1 && !after_word {
                    if colon > copied {
                        pieces.push(TextPiece::Sql(sql[copied..colon].to_owned()));
                    }
                    pieces.push(TextPiece::Param(w.value.as_str().into()));
                    copied = word + w.value.len();
                    i += 2;
                    continue;
                }
            }
            (Token::Backslash, Some(Token::Colon)) => {
                let slash = offset(tokens[i].span.start);
                if offset(tokens[i + 1].span.start) == slash + 1 {
                    pieces.push(TextPiece::Sql(sql[copied..slash].to_owned()));
                    copied = slash + 1; // drop the backslash, keep the colon
                    i += 2;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if copied < sql.len() {
        pieces.push(TextPiece::Sql(sql[copied..].to_owned()));
    }
    // Merge adjacent SQL pieces left by escapes.
    let mut merged: Vec<TextPiece> = Vec::with_capacity(pieces.len());
    for p in pieces {
        match (merged.last_mut(), p) {
            (Some(TextPiece::Sql(prev)), TextPiece::Sql(s)) => prev.push_str(&s),
            (_, p) => merged.push(p),
        }
    }
    Ok(merged)
}

impl Compile for TextClause {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        let mut c = Compiler::new(dialect);
        for piece in self.pieces(dialect)? {
            match piece {
                TextPiece::Sql(s) => c.w(&s),
                TextPiece::Param(name) => c.bind_named(&name, None, false)?,
            }
        }
        c.finish(self.columns.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(sql: &str) -> Vec<String> {
        text(sql).param_names()
    }

    #[test]
    fn finds_only_real_parameters() {
        assert_eq!(
            params("select :a, ':b', \":c\", x -- :d\n, /* :e */ :f"),
            ["a", "f"]
        );
        assert_eq!(params("select :p::int, a::text"), ["p"]);
        assert_eq!(params("select $$ :x $$, :y"), ["y"]);
        assert_eq!(params("select :a, :a"), ["a"]);
        assert_eq!(params("select arr[lo:hi], x:y, :z"), ["z"]);
    }

    #[test]
    fn backslash_escapes_a_colon() {
        let c = text(r"select '10' \:x, :y")
            .compile(&crate::PostgreSQL)
            .unwrap();
        assert_eq!(c.sql, "select '10' :x, $1");
    }

    #[test]
    fn mysql_escapes_and_comments_follow_the_dialect() {
        let c = text(r"select 'a\'', :p, '\'' # :q")
            .compile(&crate::MySQL)
            .unwrap();
        assert_eq!(c.params.len(), 1);
        assert_eq!(&*c.params[0].name, "p");
    }

    #[test]
    fn multibyte_text_keeps_offsets() {
        let c = text("select 'héllo\nwörld', :p, 'ü' -- :q\n")
            .compile(&crate::SQLite)
            .unwrap();
        assert_eq!(c.sql, "select 'héllo\nwörld', ?1, 'ü' -- :q\n");
    }
}
