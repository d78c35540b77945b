//! Full text search: SQLAlchemy's `col.match(text)` rendered per dialect
//! ([`Dialect::full_text_style`](crate::Dialect::full_text_style)), PostgreSQL's `@@` between
//! a `tsvector` and a `tsquery`, and typed helpers for PostgreSQL's text search functions.
//!
//! A text search configuration (`'english'`) is always a bound parameter, typed `regconfig`,
//! never SQL text: user input can name it safely.

use super::{Bind, Expr, func};
use crate::schema::SqlType;
use crate::value::Value;

/// A full text search expression (see [`Expr::TextSearch`]).
#[derive(Debug, Clone, PartialEq)]
pub enum TextSearch {
    /// `expr MATCH query` as the dialect writes it: PostgreSQL
    /// `expr @@ plainto_tsquery([config, ]query)`, MySQL
    /// `MATCH (expr) AGAINST (query IN BOOLEAN MODE)`, SQLite `expr MATCH query` (an FTS5
    /// table or column).
    Match {
        /// The searched expression (a `tsvector` or text column; an FTS5 column or table).
        expr: Expr,
        /// The search text.
        query: Expr,
        /// PostgreSQL's text search configuration, bound as a `regconfig` (SQLAlchemy's
        /// `postgresql_regconfig`); ignored elsewhere.
        config: Option<Expr>,
    },
    /// `vector @@ query` (PostgreSQL; SQLAlchemy's `bool_op('@@')`).
    TsMatch(Expr, Expr),
}

/// The type of a text search configuration parameter: the server infers `regconfig`.
fn regconfig(name: &str) -> Expr {
    Expr::Bind(Bind::new(
        Value::from(name),
        Some(SqlType::Other("regconfig".into())),
    ))
}

/// A search text: bound as text unless it is an expression already.
fn search_text(query: impl Into<Expr>) -> Expr {
    match query.into() {
        Expr::Bind(b) if b.sql_type.is_none() => Expr::Bind(b.with_type(Some(SqlType::Text))),
        other => other,
    }
}

impl Expr {
    /// Full text match (SQLAlchemy's `col.match(text)`), rendered per dialect:
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let docs = Table::new("docs").column(Column::new("body", SqlType::TsVector));
    /// let q = select([docs.c("body")]).filter(docs.c("body").match_("fat cat"));
    /// assert_eq!(
    ///     q.compile(&PostgreSQL)?.sql,
    ///     "SELECT docs.body FROM docs WHERE docs.body @@ plainto_tsquery($1)"
    /// );
    /// assert_eq!(
    ///     q.compile(&MySQL)?.sql,
    ///     "SELECT docs.body FROM docs WHERE MATCH (docs.body) AGAINST (? IN BOOLEAN MODE)"
    /// );
    /// assert_eq!(q.compile(&SQLite)?.sql, "SELECT docs.body FROM docs WHERE docs.body MATCH ?1");
    /// # Ok::<(), CompileError>(())
    /// ```
    pub fn match_(self, query: impl Into<Expr>) -> Expr {
        Expr::TextSearch(Box::new(TextSearch::Match {
            expr: self,
            query: search_text(query),
            config: None,
        }))
    }

    /// [`Expr::match_`] with PostgreSQL's text search configuration (SQLAlchemy's
    /// `postgresql_regconfig`): `expr @@ plainto_tsquery($1, $2)`, the configuration bound as
    /// a `regconfig`. Other dialects have no configuration and ignore it.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let docs = Table::new("docs").column(Column::new("body", SqlType::TsVector));
    /// let q = select([docs.c("body")]).filter(docs.c("body").match_config("english", "rats"));
    /// let c = q.compile(&PostgreSQL)?;
    /// assert_eq!(c.sql, "SELECT docs.body FROM docs WHERE docs.body @@ plainto_tsquery($1, $2)");
    /// assert_eq!(c.bind(&Params::new())?.values, [Value::from("english"), Value::from("rats")]);
    /// # Ok::<(), CompileError>(())
    /// ```
    pub fn match_config(self, config: &str, query: impl Into<Expr>) -> Expr {
        Expr::TextSearch(Box::new(TextSearch::Match {
            expr: self,
            query: search_text(query),
            config: Some(regconfig(config)),
        }))
    }

    /// `self @@ query`: a `tsvector` matches a `tsquery` (or the reverse), PostgreSQL only;
    /// SQLAlchemy's `op('@@')`. A string is bound as a `tsquery`.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let docs = Table::new("docs").column(Column::new("body", SqlType::Text));
    /// let q = select([docs.c("body")])
    ///     .filter(to_tsvector("english", docs.c("body")).ts_match(to_tsquery("english", "fat & rat")));
    /// assert_eq!(
    ///     q.compile(&PostgreSQL)?.sql,
    ///     "SELECT docs.body FROM docs WHERE to_tsvector($1, docs.body) @@ to_tsquery($2, $3)"
    /// );
    /// assert!(q.compile(&SQLite).is_err());
    /// # Ok::<(), CompileError>(())
    /// ```
    pub fn ts_match(self, query: impl Into<Expr>) -> Expr {
        let query = match query.into() {
            Expr::Bind(b) if b.sql_type.is_none() => {
                Expr::Bind(b.with_type(Some(SqlType::TsQuery)))
            }
            other => other,
        };
        Expr::TextSearch(Box::new(TextSearch::TsMatch(self, query)))
    }
}

fn config_call(name: &str, config: &str, text: impl Into<Expr>) -> Expr {
    func(name, [regconfig(config), search_text(text)])
}

/// `to_tsvector(config, text)`, typed [`SqlType::TsVector`] (PostgreSQL). The configuration
/// is bound as a `regconfig` (a literal in DDL, e.g. a generated column's expression); for
/// the server's default configuration write `func("to_tsvector", text)`.
pub fn to_tsvector(config: &str, text: impl Into<Expr>) -> Expr {
    config_call("to_tsvector", config, text)
}

/// `to_tsquery(config, query)` (operators `&`, `|`, `!`, `<->` in the query), typed
/// [`SqlType::TsQuery`] (PostgreSQL).
pub fn to_tsquery(config: &str, query: impl Into<Expr>) -> Expr {
    config_call("to_tsquery", config, query)
}

/// `plainto_tsquery(config, text)`: every word of plain text, ANDed; typed
/// [`SqlType::TsQuery`] (PostgreSQL).
pub fn plainto_tsquery(config: &str, text: impl Into<Expr>) -> Expr {
    config_call("plainto_tsquery", config, text)
}

/// `websearch_to_tsquery(config, text)`: web search syntax (`"quoted phrase"`, `or`, `-word`);
/// typed [`SqlType::TsQuery`] (PostgreSQL).
pub fn websearch_to_tsquery(config: &str, text: impl Into<Expr>) -> Expr {
    config_call("websearch_to_tsquery", config, text)
}

/// `ts_rank(vector, query)`: how well a document matches, typed [`SqlType::Real`] (read as
/// `f32`); order by it descending for the best matches first (PostgreSQL).
///
/// ```
/// use sqlcore_compiler::*;
/// let rank = ts_rank(func("to_tsvector", literal("a fat cat")), plainto_tsquery("english", "cat"));
/// assert_eq!(rank.sql_type(), Some(SqlType::Real));
/// ```
pub fn ts_rank(vector: impl Into<Expr>, query: impl Into<Expr>) -> Expr {
    func("ts_rank", [vector.into(), query.into()])
}

/// `ts_headline(config, document, query)`: the document with its matches marked, typed
/// [`SqlType::Text`] (PostgreSQL).
pub fn ts_headline(config: &str, document: impl Into<Expr>, query: impl Into<Expr>) -> Expr {
    func(
        "ts_headline",
        [regconfig(config), search_text(document), query.into()],
    )
}

/// The result type of a text search function, by its name (`None` for any other function).
pub(crate) fn function_type(name: &str) -> Option<SqlType> {
    Some(match name {
        "to_tsvector" | "setweight" | "strip" | "array_to_tsvector" => SqlType::TsVector,
        "to_tsquery" | "plainto_tsquery" | "phraseto_tsquery" | "websearch_to_tsquery" => {
            SqlType::TsQuery
        }
        "ts_rank" | "ts_rank_cd" => SqlType::Real,
        "ts_headline" | "querytree" => SqlType::Text,
        _ => return None,
    })
}
