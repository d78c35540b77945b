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
    pieces: Result<Arc<[TextPiece]>, CompileError>,
    columns: Vec<ResultColumn>,
}

/// Textual SQL; `:name` marks a parameter (see the [module docs](self)).
pub fn text(sql: &str) -> TextClause {
    TextClause {
        sql: sql.into(),
        pieces: parse(sql).map(Into::into),
        columns: Vec::new(),
    }
}

impl TextClause {
    /// The SQL as written.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The parsed pieces, or why the SQL could not be tokenized.
    pub fn pieces(&self) -> Result<&[TextPiece], CompileError> {
        self.pieces.as_deref().map_err(Clone::clone)
    }

    /// The distinct parameter names, in order of first use.
    pub fn param_names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        if let Ok(pieces) = &self.pieces {
            for p in pieces.iter() {
                if let TextPiece::Param(name) = p {
                    if !out.contains(&&**name) {
                        out.push(name);
                    }
                }
            }
        }
        out
    }

    /// Declares the result columns (SQLAlchemy's `text().columns()`), for typed results.
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

fn parse(sql: &str) -> Result<Vec<TextPiece>, CompileError> {
    let dialect = GenericDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
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
                if word == colon + 1 {
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
        for piece in self.pieces()? {
            match piece {
                TextPiece::Sql(s) => c.w(s),
                TextPiece::Param(name) => c.bind_named(name, None, false)?,
            }
        }
        c.finish(self.columns.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(sql: &str) -> Vec<String> {
        text(sql)
            .param_names()
            .into_iter()
            .map(str::to_owned)
            .collect()
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
    }

    #[test]
    fn backslash_escapes_a_colon() {
        let c = text(r"select '10' \:x, :y")
            .compile(&crate::PostgreSQL)
            .unwrap();
        assert_eq!(c.sql, "select '10' :x, $1");
    }

    #[test]
    fn multibyte_text_keeps_offsets() {
        let c = text("select 'héllo\nwörld', :p, 'ü' -- :q\n")
            .compile(&crate::SQLite)
            .unwrap();
        assert_eq!(c.sql, "select 'héllo\nwörld', ?1, 'ü' -- :q\n");
    }
}
