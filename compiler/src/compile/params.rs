//! Placeholders: writing the dialect's parameter markers, expanding IN lists, and binding
//! values in the driver's order.

use super::translate::{SchemaTranslateMap, write_schema};
use super::{Compiled, ParamSlot, ParamSource, Piece, ResultColumn, SchemaSpan, Template};
use crate::dialect::{Dialect, InListStyle, ParamStyle};
use crate::error::CompileError;
use crate::schema::SqlType;
use crate::value::Value;
use indexmap::IndexMap;
use std::borrow::Cow;
use std::fmt::Write;

/// Named parameter values for execution (`bindparam`, `text()` parameters), in insertion
/// order. Build with [`params!`](crate::params).
///
/// ```
/// use sqlcore_compiler::{params, Params, Value};
/// let p: Params = params! { "id" => 1, "name" => "ed", "nick" => None::<String> };
/// assert_eq!(p.get("name"), Some(&Value::Text("ed".into())));
/// assert_eq!(p.get("nick"), Some(&Value::Null));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(IndexMap<Cow<'static, str>, Value>);

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// No parameters, with room for `n`.
    pub fn with_capacity(n: usize) -> Self {
        Params(IndexMap::with_capacity(n))
    }

    /// Sets `name` to `value`. A `&'static str` name (the usual literal) is not copied.
    pub fn insert(&mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Value>) {
        self.0.insert(name.into(), value.into());
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names and values, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Cow<'static, str>, &Value)> {
        self.0.iter()
    }

    /// Takes the value of `name` out, leaving NULL in its place.
    pub fn take(&mut self, name: &str) -> Option<Value> {
        self.0.get_mut(name).map(std::mem::take)
    }

    /// The name and value at `index`, in insertion order.
    pub fn get_index_mut(&mut self, index: usize) -> Option<(&str, &mut Value)> {
        self.0.get_index_mut(index).map(|(k, v)| (k.as_ref(), v))
    }
}

impl<K: Into<Cow<'static, str>>, V: Into<Value>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Params(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl IntoIterator for Params {
    type Item = (Cow<'static, str>, Value);
    type IntoIter = indexmap::map::IntoIter<Cow<'static, str>, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Builds [`Params`]: `params! { "name" => value, ... }`; values convert with `Into<Value>`.
#[macro_export]
macro_rules! params {
    () => { $crate::Params::new() };
    ($($name:expr => $value:expr),+ $(,)?) => {{
        let mut p = $crate::Params::with_capacity([$(stringify!($name)),+].len());
        $( p.insert($name, $value); )+
        p
    }};
}

/// SQL ready to run with its values in the driver's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound<'a> {
    /// The SQL (borrowed from the [`Compiled`] unless lists were expanded).
    pub sql: Cow<'a, str>,
    /// The values, one per placeholder number (numbered styles) or per placeholder.
    pub values: Vec<Value>,
    /// The SQL type each value meets, where known (drivers that prepare on the server use it).
    pub types: Cow<'a, [Option<SqlType>]>,
}

fn write_placeholder(out: &mut String, style: ParamStyle, number: usize) {
    // Writing to a String cannot fail.
    let _ = match style {
        ParamStyle::Dollar => write!(out, "${number}"),
        ParamStyle::NumberedQuestion => write!(out, "?{number}"),
        ParamStyle::Question => write!(out, "?"),
        ParamStyle::Format => write!(out, "%s"),
    };
}

fn is_numbered(style: ParamStyle) -> bool {
    matches!(style, ParamStyle::Dollar | ParamStyle::NumberedQuestion)
}

/// Gives the number of elements of an expanding slot's list, recording them in the order.
type ExpandFn<'a> = dyn FnMut(usize, &mut Vec<(usize, Option<usize>)>) -> usize + 'a;

/// The SQL text of rendered pieces: the placeholder order and where schemas stand.
struct Rendered {
    sql: String,
    /// (slot, element index for expanded lists), in placeholder order.
    order: Vec<(usize, Option<usize>)>,
    spans: Vec<SchemaSpan>,
}

/// Writes placeholders for every slot. With `expand`, expanding slots get one placeholder per
/// element (`expand(slot)` gives the list); without, they are written as markers. Schemas
/// are translated through `translate` when given.
fn render(
    pieces: &[Piece],
    slots: &[ParamSlot],
    style: ParamStyle,
    markers: bool,
    mut expand: Option<&mut ExpandFn<'_>>,
    translate: Option<(&SchemaTranslateMap, &dyn Dialect)>,
) -> Result<Rendered, CompileError> {
    let mut sql = String::new();
    let mut spans = Vec::new();
    // (slot, element index for expanded lists), in placeholder order.
    let mut order: Vec<(usize, Option<usize>)> = Vec::new();
    let mut numbers: Vec<Option<usize>> = vec![None; slots.len()];
    for piece in pieces {
        match piece {
            // `format` drivers interpolate with `%`: a literal one is written `%%`.
            Piece::Sql(s) if style == ParamStyle::Format => sql.push_str(&s.replace('%', "%%")),
            Piece::Sql(s) => sql.push_str(s),
            Piece::Schema { .. } => write_schema(&mut sql, &mut spans, piece, translate)?,
            Piece::Slot(i) => {
                let i = *i;
                if slots[i].expanding {
                    if let Some(expand) = expand.as_mut() {
                        let start = order.len();
                        let n = expand(i, &mut order);
                        if n == 0 {
                            sql.push_str("SELECT 1 FROM (SELECT 1) AS empty_set WHERE 1 != 1");
                        }
                        for k in 0..n {
                            if k > 0 {
                                sql.push_str(", ");
                            }
                            write_placeholder(&mut sql, style, start + k + 1);
                        }
                        continue;
                    } else if markers {
                        let _ = write!(sql, "__[POSTCOMPILE_{}]", slots[i].name);
                        continue;
                    }
                }
                if is_numbered(style) {
                    let number = match numbers[i] {
                        Some(n) => n,
                        None => {
                            order.push((i, None));
                            numbers[i] = Some(order.len());
                            order.len()
                        }
                    };
                    write_placeholder(&mut sql, style, number);
                } else {
                    order.push((i, None));
                    write_placeholder(&mut sql, style, order.len());
                }
            }
        }
    }
    Ok(Rendered { sql, order, spans })
}

/// Builds the [`Compiled`] from the rendered pieces.
pub(super) fn assemble(
    d: &dyn Dialect,
    pieces: Vec<Piece>,
    slots: Vec<ParamSlot>,
    (literals, literal_origins): (Vec<Value>, Vec<usize>),
    columns: Vec<ResultColumn>,
) -> Result<Compiled, CompileError> {
    let style = d.param_style();
    let expands = d.in_list_style() == InListStyle::Expanding && slots.iter().any(|s| s.expanding);
    let Rendered { sql, order, spans } = render(&pieces, &slots, style, expands, None, None)?;
    let params: Vec<ParamSlot> = order.iter().map(|(i, _)| slots[*i].clone()).collect();
    let param_types = params.iter().map(|p| p.sql_type.clone()).collect();
    let template = expands.then_some(Template {
        pieces,
        slots,
        style,
    });
    Ok(Compiled {
        sql,
        params,
        param_types,
        columns,
        literals,
        dialect: d.name(),
        template,
        schema_spans: spans,
        literal_origins,
    })
}

impl Compiled {
    fn value_of<'v>(
        &'v self,
        slot: &ParamSlot,
        literals: &'v [&'v Value],
        named: &'v super::Params,
    ) -> Result<&'v Value, CompileError> {
        match &slot.source {
            ParamSource::Literal(i) => Ok(literals.get(*i).copied().unwrap_or(&self.literals[*i])),
            ParamSource::Named(name) => {
                named
                    .get(name)
                    .ok_or_else(|| CompileError::MissingParameter {
                        name: name.to_string(),
                    })
            }
        }
    }

    /// The SQL to run and its values in the driver's order: the statement's own values and
    /// `named` for its named parameters. Expanding parameters become one placeholder per
    /// element here.
    pub fn bind(&self, named: &super::Params) -> Result<Bound<'_>, CompileError> {
        self.bind_translated(&[], named, None)
    }

    /// As [`Compiled::bind`], with the statement's values taken from `literals` (those of
    /// another statement of the same shape, in the order of [`Compiled::literals`]; an empty
    /// slice means this statement's own) and, for a statement with expanding parameters,
    /// schemas translated through `translate` (otherwise the SQL is left as compiled: use
    /// [`Compiled::translate`]).
    pub fn bind_translated<'a>(
        &'a self,
        literals: &[&Value],
        named: &super::Params,
        translate: Option<(&SchemaTranslateMap, &dyn Dialect)>,
    ) -> Result<Bound<'a>, CompileError> {
        let Some(template) = &self.template else {
            let values = self
                .params
                .iter()
                .map(|slot| self.value_of(slot, literals, named).cloned())
                .collect::<Result<_, _>>()?;
            return Ok(Bound {
                types: Cow::Borrowed(&self.param_types),
                sql: Cow::Borrowed(&self.sql),
                values,
            });
        };
        let mut resolved = Vec::with_capacity(template.slots.len());
        for slot in &template.slots {
            let value = self.value_of(slot, literals, named)?;
            if slot.expanding && !matches!(value, Value::Array(_)) {
                return Err(CompileError::invalid(format!(
                    "parameter {:?} takes a list of values, got a {} value",
                    slot.name,
                    value.kind_name()
                )));
            }
            resolved.push(value);
        }
        let mut expand = |slot: usize, order: &mut Vec<(usize, Option<usize>)>| match resolved[slot]
        {
            Value::Array(items) => {
                order.extend((0..items.len()).map(|k| (slot, Some(k))));
                items.len()
            }
            _ => 0,
        };
        let Rendered { sql, order, .. } = render(
            &template.pieces,
            &template.slots,
            template.style,
            true,
            Some(&mut expand),
            translate,
        )?;
        let types = order
            .iter()
            .map(|(slot, _)| template.slots[*slot].sql_type.clone())
            .collect();
        let values = order
            .into_iter()
            .map(|(slot, element)| match (element, resolved[slot]) {
                (Some(k), Value::Array(items)) => items[k].clone(),
                (_, value) => value.clone(),
            })
            .collect();
        Ok(Bound {
            types: Cow::Owned(types),
            sql: Cow::Owned(sql),
            values,
        })
    }
}
