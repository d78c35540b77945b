//! An array value written as PostgreSQL's array text (`'{1,NULL,"a b"}'`), for DDL, where
//! values cannot be bound (a column's server default).

use super::Dialect;
use crate::error::CompileError;
use crate::value::Value;

/// `value`'s array text: `{…}` per dimension, elements separated by commas, strings (and
/// anything else that is not a number or a boolean) double-quoted with `"` and `\` escaped,
/// NULL as `NULL`.
pub(crate) fn array_text<D: Dialect + ?Sized>(
    d: &D,
    value: &Value,
) -> Result<String, CompileError> {
    let mut out = String::new();
    write(d, value, &mut out)?;
    Ok(out)
}

fn quoted(out: &mut String, text: &str) {
    out.push('"');
    for ch in text.chars() {
        if matches!(ch, '"' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('"');
}

fn write<D: Dialect + ?Sized>(d: &D, value: &Value, out: &mut String) -> Result<(), CompileError> {
    if let Some(text) = d.datetime_text(value) {
        quoted(out, &text);
        return Ok(());
    }
    match value {
        Value::Array(items) => {
            out.push('{');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(d, item, out)?;
            }
            out.push('}');
        }
        Value::Null => out.push_str("NULL"),
        Value::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        Value::I16(n) => out.push_str(&n.to_string()),
        Value::I32(n) => out.push_str(&n.to_string()),
        Value::I64(n) => out.push_str(&n.to_string()),
        Value::F32(n) if n.is_finite() => out.push_str(&n.to_string()),
        Value::F64(n) if n.is_finite() => out.push_str(&n.to_string()),
        Value::Decimal(n) => out.push_str(&n.to_string()),
        Value::Text(s) => quoted(out, s),
        Value::Uuid(u) => out.push_str(&u.to_string()),
        Value::Json(j) => quoted(out, &j.to_string()),
        Value::Interval(i) => quoted(out, &i.to_string()),
        Value::Bytes(b) => {
            let mut hex = String::from("\\x");
            for byte in b {
                hex.push_str(&format!("{byte:02x}"));
            }
            quoted(out, &hex);
        }
        other => {
            return Err(CompileError::unsupported(
                format!("a {} element in an array literal", other.kind_name()),
                d.name(),
            ));
        }
    }
    Ok(())
}
