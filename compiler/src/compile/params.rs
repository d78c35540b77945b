//! Placeholders: writing the dialect's parameter markers, expanding IN lists, and binding
//! values in the driver's order.

use super::translate::{SchemaTranslateMap, write_schema};
use super::{Compiled, ParamSlot, ParamSource, Piece, ResultColumn, SchemaSpan, Template};
use crate::dialect::{Dialect, InListStyle, ParamStyle};
use crate::error::CompileError;
use crate::schema::SqlType;
use crate::value::Value;
use indexmap::IndexMap;
use smallvec::SmallVec;
use std::borrow::Cow;
use std::fmt::Write;

/// Named parameter values for execution (`bindparam`, `text()` parameters), in insertion
/// order. Build with [`params!`](crate::params).
///
/// A few parameters (the usual case) are kept inline and found by a linear scan: building and
/// reading them allocates nothing. Beyond [`Params::INLINE_LIMIT`] they are hashed.
///
/// ```
/// use sqlcore_compiler::{params, Params, Value};
/// let p: Params = params! { "id" => 1, "name" => "ed", "nick" => None::<String> };
/// assert_eq!(p.get("name"), Some(&Value::Text("ed".into())));
/// assert_eq!(p.get("nick"), Some(&Value::Null));
/// ```
#[derive(Clone, Default)]
pub struct Params(Entries);

type Name = Cow<'static, str>;

#[derive(Clone)]
enum Entries {
    /// Up to `INLINE_LIMIT` parameters, scanned.
    Few(SmallVec<[(Name, Value); 2]>),
    /// More, hashed.
    Many(IndexMap<Name, Value, foldhash::fast::FixedState>),
}

impl Default for Entries {
    fn default() -> Self {
        Entries::Few(SmallVec::new())
    }
}

impl Params {
    /// The most parameters kept in a list scanned by name; more are hashed.
    pub const INLINE_LIMIT: usize = 8;

    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// No parameters, with room for `n`.
    pub fn with_capacity(n: usize) -> Self {
        Params(if n <= Self::INLINE_LIMIT {
            Entries::Few(SmallVec::with_capacity(n))
        } else {
            Entries::Many(IndexMap::with_capacity_and_hasher(n, Default::default()))
        })
    }

    /// The parameters `pairs`, in order; a name given twice keeps its first place and its last
    /// value (what [`params!`](crate::params) builds).
    #[inline]
    pub fn from_pairs<const N: usize>(pairs: [(Cow<'static, str>, Value); N]) -> Self {
        let distinct = || {
            pairs
                .iter()
                .enumerate()
                .all(|(i, (name, _))| pairs[..i].iter().all(|(earlier, _)| earlier != name))
        };
        if N <= Self::INLINE_LIMIT && distinct() {
            let mut few = SmallVec::new();
            for pair in pairs {
                few.push(pair);
            }
            Params(Entries::Few(few))
        } else {
            pairs.into_iter().collect()
        }
    }

    /// Sets `name` to `value` (a name set before keeps its place). A `&'static str` name (the
    /// usual literal) is not copied.
    pub fn insert(&mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Value>) {
        let (name, value) = (name.into(), value.into());
        match &mut self.0 {
            Entries::Few(few) => {
                if let Some(slot) = few.iter_mut().find(|(n, _)| *n == name) {
                    slot.1 = value;
                } else if few.len() < Self::INLINE_LIMIT {
                    few.push((name, value));
                } else {
                    let mut many: IndexMap<Name, Value, _> =
                        IndexMap::with_capacity_and_hasher(few.len() + 1, Default::default());
                    many.extend(few.drain(..));
                    many.insert(name, value);
                    self.0 = Entries::Many(many);
                }
            }
            Entries::Many(many) => {
                many.insert(name, value);
            }
        }
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match &self.0 {
            Entries::Few(few) => few.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            Entries::Many(many) => many.get(name),
        }
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        match &self.0 {
            Entries::Few(few) => few.len(),
            Entries::Many(many) => many.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The names and values, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Cow<'static, str>, &Value)> {
        let (few, many) = match &self.0 {
            Entries::Few(few) => (Some(few.iter().map(|(n, v)| (n, v))), None),
            Entries::Many(many) => (None, Some(many.iter())),
        };
        few.into_iter().flatten().chain(many.into_iter().flatten())
    }

    /// Takes the value of `name` out, leaving NULL in its place.
    pub fn take(&mut self, name: &str) -> Option<Value> {
        let value = match &mut self.0 {
            Entries::Few(few) => few.iter_mut().find(|(n, _)| n == name).map(|(_, v)| v),
            Entries::Many(many) => many.get_mut(name),
        };
        value.map(std::mem::take)
    }

    /// The name and value at `index`, in insertion order.
    pub fn get_index_mut(&mut self, index: usize) -> Option<(&str, &mut Value)> {
        match &mut self.0 {
            Entries::Few(few) => few
                .get_mut(index)
                .map(|entry| (entry.0.as_ref(), &mut entry.1)),
            Entries::Many(many) => many.get_index_mut(index).map(|(k, v)| (k.as_ref(), v)),
        }
    }
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl PartialEq for Params {
    /// The same names with the same values, in any order.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<K: Into<Cow<'static, str>>, V: Into<Value>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut params = Params::with_capacity(iter.size_hint().0);
        for (k, v) in iter {
            params.insert(k, v);
        }
        params
    }
}

impl IntoIterator for Params {
    type Item = (Cow<'static, str>, Value);
    type IntoIter = ParamsIntoIter;
    fn into_iter(self) -> ParamsIntoIter {
        ParamsIntoIter(match self.0 {
            Entries::Few(few) => Either::Few(few.into_iter()),
            Entries::Many(many) => Either::Many(many.into_iter()),
        })
    }
}

/// The names and values of [`Params`], in insertion order.
pub struct ParamsIntoIter(Either);

enum Either {
    Few(smallvec::IntoIter<[(Name, Value); 2]>),
    Many(indexmap::map::IntoIter<Name, Value>),
}

impl Iterator for ParamsIntoIter {
    type Item = (Cow<'static, str>, Value);
    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Either::Few(few) => few.next(),
            Either::Many(many) => many.next(),
        }
    }
}

/// Builds [`Params`]: `params! { "name" => value, ... }`; values convert with `Into<Value>`.
#[macro_export]
macro_rules! params {
    () => { $crate::Params::new() };
    ($($name:expr => $value:expr),+ $(,)?) => {
        $crate::Params::from_pairs([$(($name.into(), $value.into())),+])
    };
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

/// A statement's SQL and values in the driver's order, the values borrowed from the
/// statement and the parameters rather than copied: what execution binds
/// ([`Compiled::bind_refs`]). Up to eight values need no allocation.
#[derive(Debug, Clone)]
pub struct BoundRefs<'a, 'v> {
    /// The SQL (borrowed from the [`Compiled`] unless lists were expanded).
    pub sql: Cow<'a, str>,
    /// The values, one per placeholder number (numbered styles) or per placeholder.
    pub values: SmallVec<[&'v Value; 8]>,
    /// The SQL type each value meets, where known.
    pub types: Cow<'a, [Option<SqlType>]>,
}

impl<'a> BoundRefs<'a, '_> {
    /// The same, with the values copied.
    pub fn into_owned(self) -> Bound<'a> {
        Bound {
            sql: self.sql,
            values: self.values.into_iter().cloned().collect(),
            types: self.types,
        }
    }
}

fn write_placeholder(out: &mut String, style: ParamStyle, number: usize) {
    match style {
        ParamStyle::Dollar => {
            out.push('$');
            push_number(out, number);
        }
        ParamStyle::NumberedQuestion => {
            out.push('?');
            push_number(out, number);
        }
        ParamStyle::Question => out.push('?'),
        ParamStyle::Format => out.push_str("%s"),
    }
}

/// Writes `n` in decimal (without the formatting machinery: placeholders are written once
/// per parameter of every statement compiled).
pub(super) fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

fn is_numbered(style: ParamStyle) -> bool {
    matches!(style, ParamStyle::Dollar | ParamStyle::NumberedQuestion)
}

/// What an empty IN list selects from: no row, on every dialect.
pub(super) const EMPTY_SET: &str = " FROM (SELECT 1) AS empty_set WHERE 1 != 1";

/// SQL text as written in `style`: `%` doubled where `%s` marks a parameter.
fn sql_text(s: &str, style: ParamStyle) -> Cow<'_, str> {
    if style == ParamStyle::Format {
        Cow::Owned(s.replace('%', "%%"))
    } else {
        Cow::Borrowed(s)
    }
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
#[allow(clippy::too_many_arguments)]
fn render(
    text: &str,
    pieces: &[Piece],
    slots: &[ParamSlot],
    style: ParamStyle,
    lists: bool,
    markers: bool,
    mut expand: Option<&mut ExpandFn<'_>>,
    translate: Option<(&SchemaTranslateMap, &dyn Dialect)>,
) -> Result<Rendered, CompileError> {
    // The text, and a few characters per placeholder.
    let mut sql = String::with_capacity(text.len() + 4 * slots.len() + 8);
    let schemas = pieces
        .iter()
        .filter(|p| matches!(p, Piece::Schema { .. }))
        .count();
    let mut spans = Vec::with_capacity(schemas);
    // (slot, element index for expanded lists), in placeholder order.
    let mut order: Vec<(usize, Option<usize>)> = Vec::with_capacity(slots.len());
    let mut numbers: Vec<Option<usize>> = vec![None; slots.len()];
    for piece in pieces {
        match piece {
            // `format` drivers interpolate with `%`: a literal one is written `%%`.
            Piece::Sql(range) => sql.push_str(&sql_text(&text[range.clone()], style)),
            Piece::Schema { .. } => write_schema(&mut sql, &mut spans, piece, translate)?,
            Piece::Rows { slot, width } => {
                if let Some(expand) = expand.as_mut() {
                    let start = order.len();
                    let n = expand(*slot, &mut order);
                    if n == 0 {
                        // `((a, b) IN ((NULL, NULL)) AND (1 != 1))`: false for every row,
                        // and the statement wraps the whole in parentheses.
                        sql.push('(');
                        sql.push_str(&vec!["NULL"; *width].join(", "));
                        sql.push_str(")) AND (1 != 1");
                    }
                    for k in 0..n {
                        sql.push_str(match (k % width, k) {
                            (0, 0) => "(",
                            (0, _) => "), (",
                            _ => ", ",
                        });
                        write_placeholder(&mut sql, style, start + k + 1);
                    }
                    if n > 0 {
                        sql.push(')');
                    }
                } else {
                    let _ = write!(sql, "__[POSTCOMPILE_{}]", slots[*slot].name);
                }
            }
            Piece::Each {
                slot,
                before,
                after,
            } => {
                let before = sql_text(before, style);
                let after = sql_text(after, style);
                if let Some(expand) = expand.as_mut() {
                    let start = order.len();
                    let n = expand(*slot, &mut order);
                    if n == 0 {
                        // No row, of the wrapped type.
                        let _ = write!(sql, "SELECT {before}NULL{after}{EMPTY_SET}");
                    }
                    for k in 0..n {
                        if k > 0 {
                            sql.push_str(", ");
                        }
                        sql.push_str(&before);
                        write_placeholder(&mut sql, style, start + k + 1);
                        sql.push_str(&after);
                    }
                } else {
                    let _ = write!(sql, "{before}__[POSTCOMPILE_{}]{after}", slots[*slot].name);
                }
            }
            Piece::Slot(i) => {
                let i = *i;
                if slots[i].expanding && lists {
                    if let Some(expand) = expand.as_mut() {
                        let start = order.len();
                        let n = expand(i, &mut order);
                        if n == 0 {
                            sql.push_str("SELECT 1");
                            sql.push_str(EMPTY_SET);
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
    text: String,
    pieces: Vec<Piece>,
    slots: Vec<ParamSlot>,
    (literals, literal_origins): (Vec<Value>, Vec<usize>),
    columns: Vec<ResultColumn>,
) -> Result<Compiled, CompileError> {
    let style = d.param_style();
    let lists = d.in_list_style() == InListStyle::Expanding;
    let expands = (lists && slots.iter().any(|s| s.expanding))
        || pieces
            .iter()
            .any(|p| matches!(p, Piece::Rows { .. } | Piece::Each { .. }));
    let Rendered { sql, order, spans } =
        render(&text, &pieces, &slots, style, lists, expands, None, None)?;
    let checks_values = slots
        .iter()
        .any(|s| s.sql_type.as_ref().is_some_and(|t| t.enum_type().is_some()));
    let (converts_binds, user_type_columns) = super::user_types::record(&slots, &columns);
    let param_types: Vec<Option<SqlType>> = order
        .iter()
        .map(|(i, _)| slots[*i].sql_type.clone())
        .collect();
    // Each slot once, in its own order (the usual case): the slots are the parameters.
    let in_slot_order =
        order.len() == slots.len() && order.iter().enumerate().all(|(k, &(i, _))| i == k);
    let (params, slots) = if in_slot_order && !expands {
        (slots, Vec::new())
    } else {
        (
            order.iter().map(|(i, _)| slots[*i].clone()).collect(),
            slots,
        )
    };
    let template = expands.then_some(Template {
        text,
        pieces,
        slots,
        style,
        lists,
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
        checks_values,
        converts_binds,
        user_type_columns,
    })
}

/// Checks a value bound where an enum is expected (each element of a list): one of the
/// enum's values or NULL.
pub(crate) fn check_value(sql_type: Option<&SqlType>, value: &Value) -> Result<(), CompileError> {
    let Some(e) = sql_type.and_then(SqlType::enum_type) else {
        return Ok(());
    };
    match value {
        Value::Array(items) => items.iter().try_for_each(|v| check_value(sql_type, v)),
        v => e.check(v),
    }
}

impl Compiled {
    pub(super) fn value_of<'v>(
        slot: &ParamSlot,
        literal: &impl Fn(usize) -> &'v Value,
        named: &'v super::Params,
    ) -> Result<&'v Value, CompileError> {
        match &slot.source {
            ParamSource::Literal(i) => Ok(literal(*i)),
            ParamSource::Named(name) => {
                named
                    .get(name)
                    .ok_or_else(|| CompileError::MissingParameter {
                        name: name.to_string(),
                    })
            }
        }
    }

    /// Checks `values`, given in the driver's order (as [`Compiled::params`]), against the
    /// types they meet: a value bound to an enum must be one of its values
    /// ([`CompileError::InvalidEnumValue`]). [`Compiled::bind`] checks the values it binds.
    pub fn check_values(&self, values: &[Value]) -> Result<(), CompileError> {
        if !self.checks_values {
            return Ok(());
        }
        values
            .iter()
            .zip(&self.param_types)
            .try_for_each(|(v, t)| check_value(t.as_ref(), v))
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
        let literal = |i: usize| literals.get(i).copied().unwrap_or(&self.literals[i]);
        let converted = self.convert_binds(&literal, named)?;
        self.bind_refs(literal, named, &converted, translate)
            .map(BoundRefs::into_owned)
    }

    /// As [`Compiled::bind_translated`], the values borrowed rather than copied:
    /// `literal(i)` is the statement's value `i`, in the order of [`Compiled::literals`]
    /// (this statement's own, or another's of the same shape), and `converted` the values
    /// converted by the user types they meet ([`Compiled::convert_binds`] of the same values).
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("x", SqlType::Integer));
    /// let compiled = select(&t).filter(t.c("x").eq(bindparam("x"))).compile(&SQLite)?;
    /// let params = params! { "x" => 3 };
    /// let literal = |i: usize| &compiled.literals[i];
    /// let converted = compiled.convert_binds(&literal, &params)?;
    /// let bound = compiled.bind_refs(literal, &params, &converted, None)?;
    /// assert_eq!(bound.values.as_slice(), [&Value::I32(3)]);
    /// # Ok::<(), CompileError>(())
    /// ```
    pub fn bind_refs<'a: 'v, 'v>(
        &'a self,
        literal: impl Fn(usize) -> &'v Value,
        named: &'v super::Params,
        converted: &'v super::ConvertedBinds,
        translate: Option<(&SchemaTranslateMap, &dyn Dialect)>,
    ) -> Result<BoundRefs<'a, 'v>, CompileError> {
        let Some(template) = &self.template else {
            let mut values = SmallVec::new();
            for (i, slot) in self.params.iter().enumerate() {
                let value = match self.converts_binds.then(|| converted.get(i)).flatten() {
                    Some(value) => value,
                    None => Self::value_of(slot, &literal, named)?,
                };
                if self.checks_values {
                    check_value(slot.sql_type.as_ref(), value)?;
                }
                values.push(value);
            }
            return Ok(BoundRefs {
                types: Cow::Borrowed(&self.param_types),
                sql: Cow::Borrowed(&self.sql),
                values,
            });
        };
        // The width of each slot's rows, for tuple IN lists.
        let mut widths: Vec<Option<usize>> = vec![None; template.slots.len()];
        for piece in &template.pieces {
            if let Piece::Rows { slot, width } = piece {
                widths[*slot] = Some(*width);
            }
        }
        let mut resolved = Vec::with_capacity(template.slots.len());
        for (i, (slot, width)) in template.slots.iter().zip(&widths).enumerate() {
            let value = match self.converts_binds.then(|| converted.get(i)).flatten() {
                Some(value) => value,
                None => Self::value_of(slot, &literal, named)?,
            };
            if self.checks_values {
                check_value(slot.sql_type.as_ref(), value)?;
            }
            let Value::Array(items) = value else {
                if slot.expanding {
                    return Err(CompileError::invalid(format!(
                        "parameter {:?} takes a list of values, got a {} value",
                        slot.name,
                        value.kind_name()
                    )));
                }
                resolved.push(value);
                continue;
            };
            if let Some(width) = *width {
                for (n, row) in items.iter().enumerate() {
                    if !matches!(row, Value::Array(r) if r.len() == width) {
                        return Err(CompileError::invalid(format!(
                            "parameter {:?}: row {} of a tuple IN list is not {width} values",
                            slot.name,
                            n + 1
                        )));
                    }
                }
            }
            resolved.push(value);
        }
        // Rows are addressed flat: element `k` of a list of rows of `w` values is value
        // `k % w` of row `k / w`.
        let mut expand = |slot: usize, order: &mut Vec<(usize, Option<usize>)>| match resolved[slot]
        {
            Value::Array(items) => {
                let n = items.len() * widths[slot].unwrap_or(1);
                order.extend((0..n).map(|k| (slot, Some(k))));
                n
            }
            _ => 0,
        };
        let Rendered { sql, order, .. } = render(
            &template.text,
            &template.pieces,
            &template.slots,
            template.style,
            template.lists,
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
            .map(
                |(slot, element)| match (element, resolved[slot], widths[slot]) {
                    (Some(k), Value::Array(rows), Some(w)) => match &rows[k / w] {
                        Value::Array(row) => &row[k % w],
                        other => other,
                    },
                    (Some(k), Value::Array(items), None) => &items[k],
                    (_, value, _) => value,
                },
            )
            .collect();
        Ok(BoundRefs {
            types: Cow::Owned(types),
            sql: Cow::Owned(sql),
            values,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: &Params) -> Vec<String> {
        p.iter().map(|(k, _)| k.to_string()).collect()
    }

    #[test]
    fn many_parameters_keep_their_order_and_their_places() {
        // Past the inline limit the names are hashed; order and replacement stay the same.
        for n in [1, Params::INLINE_LIMIT, Params::INLINE_LIMIT + 1, 40] {
            let mut p = Params::new();
            for i in 0..n {
                p.insert(format!("p{i}"), i as i64);
            }
            p.insert("p0", "again");
            let expected: Vec<String> = (0..n).map(|i| format!("p{i}")).collect();
            assert_eq!(names(&p), expected, "{n}");
            assert_eq!(p.len(), n);
            assert_eq!(p.get("p0"), Some(&Value::from("again")));
            if n > 1 {
                assert_eq!(
                    p.get(&format!("p{}", n - 1)),
                    Some(&Value::I64(n as i64 - 1))
                );
            }
            assert_eq!(p.get("nope"), None);
            // Equal whatever the order; unequal with a value or a name apart.
            let mut all: Vec<_> = p.clone().into_iter().collect();
            all.reverse();
            let reversed: Params = all.into_iter().collect();
            assert_eq!(reversed, p);
            let mut other = p.clone();
            other.insert("p0", 0);
            assert_ne!(other, p);
            other.insert("extra", 0);
            assert_ne!(other.len(), p.len());
            // By position, and taken out.
            let (name, value) = p.get_index_mut(n - 1).unwrap();
            assert_eq!(name, format!("p{}", n - 1));
            *value = Value::Null;
            assert_eq!(p.take(&format!("p{}", n - 1)), Some(Value::Null));
            let first = if n == 1 {
                Value::Null
            } else {
                Value::from("again")
            };
            assert_eq!(p.take("p0"), Some(first));
            assert_eq!(p.get("p0"), Some(&Value::Null));
            assert!(p.get_index_mut(n).is_none());
            assert_eq!(p.into_iter().count(), n);
        }
        let collected: Params = [("a", 1), ("b", 2), ("a", 3)].into_iter().collect();
        assert_eq!(names(&collected), ["a", "b"]);
        assert_eq!(collected.get("a"), Some(&Value::I32(3)));
        assert_eq!(format!("{collected:?}"), r#"{"a": I32(3), "b": I32(2)}"#);
    }

    #[test]
    fn the_params_macro_keeps_first_places_and_last_values() {
        let p = crate::params! { "a" => 1, "b" => "x", "a" => 3 };
        assert_eq!(names(&p), ["a", "b"]);
        assert_eq!(p.get("a"), Some(&Value::I32(3)));
        let distinct = crate::params! { "a" => 1, "b" => None::<i64> };
        assert_eq!(names(&distinct), ["a", "b"]);
        assert_eq!(distinct.get("b"), Some(&Value::Null));
        // More than the inline limit: hashed, the same answers.
        let many = crate::params! {
            "p0" => 0, "p1" => 1, "p2" => 2, "p3" => 3, "p4" => 4,
            "p5" => 5, "p6" => 6, "p7" => 7, "p8" => 8, "p0" => 9,
        };
        assert_eq!(many.len(), 9);
        assert_eq!(names(&many)[0], "p0");
        assert_eq!(many.get("p0"), Some(&Value::I32(9)));
        assert_eq!(many.get("p8"), Some(&Value::I32(8)));
    }
}
