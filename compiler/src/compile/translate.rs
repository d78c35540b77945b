//! `schema_translate_map`: re-targeting table schemas after compilation.
//!
//! The compiler renders every table's schema as a token of its own (a [`Piece::Schema`]),
//! whose place in the SQL is recorded; translating a compiled statement rewrites just those
//! places, so one compiled form serves every tenant schema.

use super::{Compiled, Piece};
use crate::dialect::{Dialect, ParamStyle};
use crate::error::CompileError;
use std::sync::Arc;

/// Maps schema names to the schemas to use at execution (SQLAlchemy's
/// `schema_translate_map`): `None` stands for tables without a schema; mapping to `None`
/// removes the schema.
///
/// ```
/// use sqlcore_compiler::*;
/// let users = Table::new("users").column(Column::new("id", SqlType::Integer));
/// let map = SchemaTranslateMap::new().map(None, "tenant_1").map(Some("shared"), "shared_v2");
/// let compiled = select(&users).compile(&PostgreSQL).unwrap();
/// assert_eq!(compiled.sql, "SELECT users.id FROM users");
/// assert_eq!(
///     compiled.translate(&map, &PostgreSQL).unwrap(),
///     "SELECT tenant_1.users.id FROM tenant_1.users"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SchemaTranslateMap {
    entries: Vec<(SchemaName, SchemaName)>,
}

/// A schema name, or `None` for no schema.
type SchemaName = Option<Arc<str>>;

impl SchemaTranslateMap {
    /// An empty map (translates nothing).
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps the schema `from` (`None`: tables without a schema) to `to` (`None`: no schema).
    /// Mapping the same schema again replaces the earlier target.
    pub fn map<'a>(mut self, from: Option<&str>, to: impl Into<Option<&'a str>>) -> Self {
        let to: Option<Arc<str>> = to.into().map(Arc::from);
        match self.entries.iter_mut().find(|(k, _)| k.as_deref() == from) {
            Some(entry) => entry.1 = to,
            None => self.entries.push((from.map(Arc::from), to)),
        }
        self
    }

    /// The target of `schema`: `None` when the map leaves it alone, `Some(None)` when it maps
    /// it to no schema.
    pub fn get(&self, schema: Option<&str>) -> Option<Option<&str>> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_deref() == schema)
            .map(|(_, v)| v.as_deref())
    }

    /// The schema a table of `schema` is found in under this map.
    pub fn effective<'a>(&'a self, schema: Option<&'a str>) -> Option<&'a str> {
        self.get(schema).unwrap_or(schema)
    }

    /// Whether the map translates nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = (Option<&str>, Option<&str>)> {
        self.entries
            .iter()
            .map(|(k, v)| (k.as_deref(), v.as_deref()))
    }
}

/// Where a schema token stands in a compiled statement's SQL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SchemaSpan {
    /// Byte range of the rendered prefix (`schema.`, or empty for no schema).
    pub start: usize,
    pub end: usize,
    /// The schema the statement names.
    pub schema: Option<Arc<str>>,
    /// Inside a string literal (a sequence name in `nextval('...')`).
    pub in_literal: bool,
}

/// Renders the `schema.` prefix for a schema (empty for none), quoted for `d`; inside a string
/// literal (`in_literal`) with its single quotes doubled (a backslash is refused there).
pub(crate) fn schema_prefix(
    d: &dyn Dialect,
    schema: Option<&str>,
    in_literal: bool,
) -> Result<String, CompileError> {
    let Some(schema) = schema else {
        return Ok(String::new());
    };
    let quoted = d.quote_identifier(schema)?;
    let quoted = if in_literal {
        std::borrow::Cow::Owned(literal_ident(&quoted)?)
    } else {
        quoted
    };
    let mut out = String::with_capacity(quoted.len() + 1);
    if d.param_style() == ParamStyle::Format {
        out.push_str(&quoted.replace('%', "%%"));
    } else {
        out.push_str(&quoted);
    }
    out.push('.');
    Ok(out)
}

/// A quoted identifier made fit to stand inside a string literal: single quotes doubled; a
/// backslash, which some settings read as an escape, is refused.
pub(crate) fn literal_ident(quoted: &str) -> Result<String, CompileError> {
    if quoted.contains('\\') {
        return Err(CompileError::invalid(format!(
            "the name {quoted} contains a backslash, which cannot be written in a sequence reference"
        )));
    }
    Ok(quoted.replace('\'', "''"))
}

/// Writes a schema piece, translated when a map is given, recording its span.
pub(super) fn write_schema(
    sql: &mut String,
    spans: &mut Vec<SchemaSpan>,
    piece: &Piece,
    translate: Option<(&SchemaTranslateMap, &dyn Dialect)>,
) -> Result<(), CompileError> {
    let Piece::Schema {
        schema,
        rendered,
        in_literal,
    } = piece
    else {
        return Ok(());
    };
    let start = sql.len();
    match translate.and_then(|(map, d)| map.get(schema.as_deref()).map(|to| (to, d))) {
        Some((to, d)) => sql.push_str(&schema_prefix(d, to, *in_literal)?),
        None => sql.push_str(rendered),
    }
    spans.push(SchemaSpan {
        start,
        end: sql.len(),
        schema: schema.clone(),
        in_literal: *in_literal,
    });
    Ok(())
}

impl Compiled {
    /// The SQL with every table's schema re-targeted through `map`; names are quoted as any
    /// identifier. The compiled form itself is left unchanged (one compiled form serves every
    /// map). For statements with expanding parameters, pass the map to
    /// [`Compiled::bind_translated`] instead.
    pub fn translate(
        &self,
        map: &SchemaTranslateMap,
        d: &dyn Dialect,
    ) -> Result<String, CompileError> {
        Ok(self.translated(map, d)?.0)
    }

    /// Re-targets the statement itself through `map`: its SQL (and the template of a
    /// statement with expanding parameters) names the translated schemas from now on.
    pub fn translate_in_place(
        &mut self,
        map: &SchemaTranslateMap,
        d: &dyn Dialect,
    ) -> Result<(), CompileError> {
        let (sql, spans) = self.translated(map, d)?;
        self.sql = sql;
        self.schema_spans = spans;
        if let Some(template) = &mut self.template {
            for piece in &mut template.pieces {
                if let Piece::Schema {
                    schema,
                    rendered,
                    in_literal,
                } = piece
                {
                    if let Some(to) = map.get(schema.as_deref()) {
                        *rendered = schema_prefix(d, to, *in_literal)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn translated(
        &self,
        map: &SchemaTranslateMap,
        d: &dyn Dialect,
    ) -> Result<(String, Vec<SchemaSpan>), CompileError> {
        let mut out = String::with_capacity(self.sql.len() + 16 * self.schema_spans.len());
        let mut spans = Vec::with_capacity(self.schema_spans.len());
        let mut at = 0;
        for span in &self.schema_spans {
            out.push_str(&self.sql[at..span.start]);
            let start = out.len();
            match map.get(span.schema.as_deref()) {
                Some(to) => out.push_str(&schema_prefix(d, to, span.in_literal)?),
                None => out.push_str(&self.sql[span.start..span.end]),
            }
            spans.push(SchemaSpan {
                start,
                end: out.len(),
                schema: span.schema.clone(),
                in_literal: span.in_literal,
            });
            at = span.end;
        }
        out.push_str(&self.sql[at..]);
        Ok((out, spans))
    }

    /// Whether the statement names any table (and so has schemas to translate).
    pub fn has_schema_tokens(&self) -> bool {
        !self.schema_spans.is_empty()
    }
}
