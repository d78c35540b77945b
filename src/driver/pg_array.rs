//! PostgreSQL arrays in the binary format, of any number of dimensions: written from nested
//! [`Value::Array`]s (one level per dimension, all of a level the same length) and read back
//! the same way; for a type the server infers, the text of an array literal.

use super::pg_value::{PgParam, PgValue};
use bytes::BytesMut;
use fallible_iterator::FallibleIterator;
use postgres_protocol::types::{self as wire, ArrayDimension};
use sqlcore_compiler::Value;
use std::error::Error as StdError;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type};

type BoxError = Box<dyn StdError + Sync + Send>;

/// The lengths of the dimensions of `items`: each level's length, descending through the
/// first element while it is an array. Empty when the array holds no element at all (an
/// empty array has no dimensions in PostgreSQL).
fn shape(items: &[Value]) -> Vec<i32> {
    let mut dims = Vec::new();
    let mut level = items;
    loop {
        dims.push(level.len());
        match level.first() {
            Some(Value::Array(inner)) => level = inner,
            _ => break,
        }
    }
    if dims.contains(&0) {
        return Vec::new();
    }
    dims.into_iter()
        .map(|n| i32::try_from(n).unwrap_or(i32::MAX))
        .collect()
}

/// The elements of `items` in row-major order, checking that every level has the shape's
/// length (an array is rectangular: `[[1, 2], [3]]` is refused, not truncated).
fn leaves<'v>(items: &'v [Value], dims: &[i32], out: &mut Vec<&'v Value>) -> Result<(), BoxError> {
    let Some((&len, rest)) = dims.split_first() else {
        return Ok(());
    };
    if items.len() != len as usize {
        return Err(format!(
            "a multi-dimensional array must be rectangular: a sub-array of {} elements where \
             {len} were expected",
            items.len()
        )
        .into());
    }
    for item in items {
        match (item, rest.is_empty()) {
            (Value::Array(inner), false) => leaves(inner, rest, out)?,
            (leaf, true) if !matches!(leaf, Value::Array(_)) => out.push(leaf),
            (other, _) => {
                return Err(format!(
                    "a multi-dimensional array must be rectangular: a {} where {} was expected",
                    other.kind_name(),
                    if rest.is_empty() {
                        "an element"
                    } else {
                        "a sub-array"
                    }
                )
                .into());
            }
        }
    }
    Ok(())
}

/// Writes `items` as an array of `member` values.
pub(crate) fn to_sql(
    items: &[Value],
    member: &Type,
    out: &mut BytesMut,
) -> Result<IsNull, BoxError> {
    let dims = shape(items);
    let mut elements = Vec::new();
    leaves(items, &dims, &mut elements)?;
    wire::array_to_sql(
        dims.iter().map(|&len| ArrayDimension {
            len,
            lower_bound: 1,
        }),
        member.oid(),
        elements,
        |v, buf| match PgParam(v).to_sql(member, buf)? {
            IsNull::Yes => Ok(postgres_protocol::IsNull::Yes),
            IsNull::No => Ok(postgres_protocol::IsNull::No),
        },
        out,
    )?;
    Ok(IsNull::No)
}

/// Reads an array of `member` values: a `Value::Array` per dimension, nested; NULL elements
/// as `Value::Null`; an empty array as an empty `Value::Array`. Lower bounds other than 1
/// are not kept (the elements are, in order).
pub(crate) fn from_sql(member: &Type, raw: &[u8]) -> Result<Value, BoxError> {
    let array = wire::array_from_sql(raw)?;
    let dims: Vec<usize> = array
        .dimensions()
        .map(|d| usize::try_from(d.len).map_err(|_| "invalid array dimension".into()))
        .collect()?;
    let mut values = array.values().map(|raw| match raw {
        Some(raw) => Ok(PgValue::from_sql(member, raw)?.0),
        None => Ok(Value::Null),
    });
    if dims.is_empty() {
        return Ok(Value::Array(Vec::new()));
    }
    nest(&dims, &mut values)
}

fn nest<I>(dims: &[usize], values: &mut I) -> Result<Value, BoxError>
where
    I: FallibleIterator<Item = Value, Error = BoxError>,
{
    let Some((&len, rest)) = dims.split_first() else {
        return values
            .next()?
            .ok_or_else(|| "an array has fewer elements than its dimensions".into());
    };
    let mut level = Vec::with_capacity(len);
    for _ in 0..len {
        level.push(nest(rest, values)?);
    }
    Ok(Value::Array(level))
}

/// The text PostgreSQL reads as `value` of a type it infers: a string as it is, an array of
/// strings (nested, with NULLs) as an array literal, `{"sad","ok"}`; `None` for any other
/// value.
pub(crate) fn text_form(value: &Value) -> Option<String> {
    match value {
        Value::Text(s) => Some(s.clone()),
        Value::Array(_) => {
            let mut out = String::new();
            array_literal(value, &mut out)?;
            Some(out)
        }
        _ => None,
    }
}

/// Appends `value`, an element of an array literal, to `out`.
fn array_literal(value: &Value, out: &mut String) -> Option<()> {
    match value {
        Value::Null => out.push_str("NULL"),
        Value::Text(s) => super::pg_text::double_quoted(out, s),
        Value::Array(items) => {
            out.push('{');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                array_literal(item, out)?;
            }
            out.push('}');
        }
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(rows: &[&[i32]]) -> Vec<Value> {
        rows.iter()
            .map(|r| Value::Array(r.iter().map(|&n| Value::I32(n)).collect()))
            .collect()
    }

    #[test]
    fn arrays_round_trip_through_the_binary_format() {
        let cases = [
            Vec::new(),
            vec![Value::I32(1), Value::Null, Value::I32(3)],
            ints(&[&[1, 2, 3], &[4, 5, 6]]),
            vec![
                Value::Array(ints(&[&[1], &[2]])),
                Value::Array(ints(&[&[3], &[4]])),
            ],
        ];
        for items in cases {
            let mut buf = BytesMut::new();
            to_sql(&items, &Type::INT4, &mut buf).unwrap();
            assert_eq!(from_sql(&Type::INT4, &buf).unwrap(), Value::Array(items));
        }
    }

    #[test]
    fn arrays_of_strings_for_an_inferred_type_are_written_as_literals() {
        let text = |s: &str| Value::Text(s.into());
        let nested = Value::Array(vec![
            Value::Array(vec![text("a\"b"), Value::Null]),
            Value::Array(vec![text("c\\d"), text("e,f")]),
        ]);
        assert_eq!(
            super::text_form(&nested).as_deref(),
            Some(r#"{{"a\"b",NULL},{"c\\d","e,f"}}"#)
        );
        assert_eq!(super::text_form(&text("happy")).as_deref(), Some("happy"));
        assert_eq!(super::text_form(&Value::I32(1)), None);
        assert_eq!(super::text_form(&Value::Array(vec![Value::I32(1)])), None);
    }

    #[test]
    fn ragged_arrays_are_refused() {
        let mut buf = BytesMut::new();
        let ragged = ints(&[&[1, 2], &[3]]);
        assert!(to_sql(&ragged, &Type::INT4, &mut buf).is_err());
        let mixed = vec![Value::Array(vec![Value::I32(1)]), Value::I32(2)];
        assert!(to_sql(&mixed, &Type::INT4, &mut buf).is_err());
    }
}
