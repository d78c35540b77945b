//! PostgreSQL values of the types sqlcore has no value kind for, read from their binary form
//! into the text PostgreSQL would print for them (`'fat':2 'rat':3` for a `tsvector`,
//! `192.168.0.0/24` for a `cidr`, `[1,5)` for an `int4range`), or into a documented typed form
//! (`money` as a decimal with two fraction digits; the OID alias types — `regclass`,
//! `regtype`, ... — and `xid`/`cid` as their number). A type none of these covers is an error
//! that says to cast it to text in the query — never the wire's bytes taken for a value.

use super::pg_value::PgValue;
use sqlcore_compiler::Value;
use sqlcore_compiler::rust_decimal::Decimal;
use std::error::Error as StdError;
use std::fmt::Write;
use tokio_postgres::types::{FromSql, Kind, Type};

type BoxError = Box<dyn StdError + Sync + Send>;

/// The value of a column of type `ty` that [`PgValue`] has no kind for.
pub(crate) fn other_type(ty: &Type, raw: &[u8]) -> Result<Value, BoxError> {
    if let Kind::Range(element) = ty.kind() {
        return range(element, raw).map(Value::Text);
    }
    let text = match *ty {
        Type::REGCLASS
        | Type::REGTYPE
        | Type::REGPROC
        | Type::REGPROCEDURE
        | Type::REGOPER
        | Type::REGOPERATOR
        | Type::REGCONFIG
        | Type::REGDICTIONARY
        | Type::REGNAMESPACE
        | Type::REGROLE
        | Type::REGCOLLATION
        | Type::XID
        | Type::CID => {
            let number = Reader(raw).i32()? as u32;
            return Ok(Value::I64(number.into()));
        }
        Type::XID8 => return Ok(Value::I64(Reader(raw).i64()?)),
        Type::MONEY => {
            let cents = Reader(raw).i64()?;
            return Ok(Value::Decimal(Decimal::new(cents, 2)));
        }
        Type::XML | Type::PG_NODE_TREE => std::str::from_utf8(raw)?.to_owned(),
        Type::JSONPATH => versioned_text(raw)?,
        Type::TS_VECTOR => tsvector(raw)?,
        Type::TSQUERY => tsquery(raw)?,
        Type::INET | Type::CIDR => inet(raw, *ty == Type::CIDR)?,
        Type::MACADDR | Type::MACADDR8 => hex_pairs(raw, ":"),
        Type::BIT | Type::VARBIT => bits(raw)?,
        Type::PG_LSN => {
            let lsn = Reader(raw).i64()? as u64;
            format!("{:X}/{:X}", lsn >> 32, lsn & 0xFFFF_FFFF)
        }
        Type::TIMETZ => timetz(raw)?,
        Type::POINT => {
            let mut r = Reader(raw);
            format!("({},{})", r.f64()?, r.f64()?)
        }
        _ => match ty.name() {
            "citext" => std::str::from_utf8(raw)?.to_owned(),
            "ltree" | "lquery" | "ltxtquery" => versioned_text(raw)?,
            "hstore" => hstore(raw)?,
            name => {
                return Err(format!(
                    "sqlcore reads no values of the PostgreSQL type {name}; cast the column to \
                     text in the query (e.g. col::text) to read its text form"
                )
                .into());
            }
        },
    };
    Ok(Value::Text(text))
}

/// Reads a binary value front to back.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BoxError> {
        if self.0.len() < n {
            return Err("truncated value".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, BoxError> {
        Ok(self.take(1)?[0])
    }

    fn i16(&mut self) -> Result<i16, BoxError> {
        Ok(i16::from_be_bytes(self.take(2)?.try_into()?))
    }

    fn i32(&mut self) -> Result<i32, BoxError> {
        Ok(i32::from_be_bytes(self.take(4)?.try_into()?))
    }

    fn i64(&mut self) -> Result<i64, BoxError> {
        Ok(i64::from_be_bytes(self.take(8)?.try_into()?))
    }

    fn f64(&mut self) -> Result<f64, BoxError> {
        Ok(f64::from_be_bytes(self.take(8)?.try_into()?))
    }

    /// A NUL-terminated string.
    fn cstr(&mut self) -> Result<&'a str, BoxError> {
        let end = self
            .0
            .iter()
            .position(|b| *b == 0)
            .ok_or("unterminated string")?;
        let s = std::str::from_utf8(&self.0[..end])?;
        self.0 = &self.0[end + 1..];
        Ok(s)
    }

    /// A length-prefixed value (`-1`: NULL).
    fn sized(&mut self) -> Result<Option<&'a [u8]>, BoxError> {
        let len = self.i32()?;
        if len < 0 {
            return Ok(None);
        }
        Ok(Some(self.take(len as usize)?))
    }
}

/// A format-version byte (1), then the text.
fn versioned_text(raw: &[u8]) -> Result<String, BoxError> {
    match raw.split_first() {
        Some((1, text)) => Ok(std::str::from_utf8(text)?.to_owned()),
        _ => Err("unknown binary format version".into()),
    }
}

/// A string in single quotes, as `tsvector` and `tsquery` print lexemes.
fn quoted_lexeme(out: &mut String, lexeme: &str) {
    out.push('\'');
    for c in lexeme.chars() {
        if c == '\'' || c == '\\' {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
}

fn tsvector(raw: &[u8]) -> Result<String, BoxError> {
    let mut r = Reader(raw);
    let count = r.i32()?;
    let mut out = String::new();
    for i in 0..count {
        if i > 0 {
            out.push(' ');
        }
        quoted_lexeme(&mut out, r.cstr()?);
        let positions = r.i16()?;
        for p in 0..positions {
            let word = r.i16()? as u16;
            out.push(if p == 0 { ':' } else { ',' });
            write!(out, "{}", word & 0x3FFF)?;
            match word >> 14 {
                3 => out.push('A'),
                2 => out.push('B'),
                1 => out.push('C'),
                _ => {}
            }
        }
    }
    Ok(out)
}

/// A `tsquery`: its items in prefix order, printed in infix as PostgreSQL prints them.
fn tsquery(raw: &[u8]) -> Result<String, BoxError> {
    let mut r = Reader(raw);
    let count = r.i32()?;
    let mut items = Vec::with_capacity(count.max(0) as usize);
    for _ in 0..count {
        items.push(match r.u8()? {
            1 => {
                let weight = r.u8()?;
                let prefix = r.u8()? != 0;
                QueryItem::Operand {
                    lexeme: r.cstr()?,
                    weight,
                    prefix,
                }
            }
            2 => {
                let op = r.u8()?;
                let distance = if op == 4 { r.i16()? } else { 0 };
                QueryItem::Operator { op, distance }
            }
            _ => return Err("invalid tsquery item".into()),
        });
    }
    if items.is_empty() {
        return Ok(String::new());
    }
    let mut at = 0;
    let (text, _) = query_infix(&items, &mut at)?;
    if at != items.len() {
        return Err("invalid tsquery".into());
    }
    Ok(text)
}

enum QueryItem<'a> {
    Operand {
        lexeme: &'a str,
        weight: u8,
        prefix: bool,
    },
    Operator {
        op: u8,
        distance: i16,
    },
}

/// The infix text of the item at `at` and its operands, with the precedence of its operator
/// (NOT 4, PHRASE 3, AND 2, OR 1; operands 5), parenthesized as PostgreSQL's `tsquery` output
/// does: an operand of lower precedence than its operator, and a phrase on the right of a
/// phrase.
fn query_infix(items: &[QueryItem<'_>], at: &mut usize) -> Result<(String, u8), BoxError> {
    let item = items.get(*at).ok_or("invalid tsquery")?;
    *at += 1;
    match item {
        QueryItem::Operand {
            lexeme,
            weight,
            prefix,
        } => {
            let mut out = String::new();
            quoted_lexeme(&mut out, lexeme);
            if *prefix || *weight != 0 {
                out.push(':');
                if *prefix {
                    out.push('*');
                }
                for (bit, letter) in [(8, 'A'), (4, 'B'), (2, 'C'), (1, 'D')] {
                    if weight & bit != 0 {
                        out.push(letter);
                    }
                }
            }
            Ok((out, 5))
        }
        QueryItem::Operator { op: 1, .. } => {
            let (operand, p) = query_infix(items, at)?;
            Ok((format!("!{}", paren(operand, p < 4)), 4))
        }
        QueryItem::Operator { op, distance } => {
            let (symbol, precedence) = match op {
                2 => (" & ".to_owned(), 2),
                3 => (" | ".to_owned(), 1),
                4 if *distance == 1 => (" <-> ".to_owned(), 3),
                4 => (format!(" <{distance}> "), 3),
                _ => return Err("invalid tsquery operator".into()),
            };
            // Prefix order holds the right operand first.
            let (right, rp) = query_infix(items, at)?;
            let (left, lp) = query_infix(items, at)?;
            let left = paren(left, lp < precedence);
            let right = paren(right, rp < precedence || (*op == 4 && rp == 3));
            Ok((format!("{left}{symbol}{right}"), precedence))
        }
    }
}

fn paren(text: String, wrap: bool) -> String {
    if wrap { format!("( {text} )") } else { text }
}

fn inet(raw: &[u8], cidr: bool) -> Result<String, BoxError> {
    let mut r = Reader(raw);
    let (family, bits, _is_cidr, len) = (r.u8()?, r.u8()?, r.u8()?, r.u8()?);
    let addr = r.take(len as usize)?;
    let (text, max) = match (family, addr.len()) {
        (2, 4) => (
            std::net::Ipv4Addr::from(<[u8; 4]>::try_from(addr)?).to_string(),
            32,
        ),
        (3, 16) => (
            std::net::Ipv6Addr::from(<[u8; 16]>::try_from(addr)?).to_string(),
            128,
        ),
        _ => return Err("invalid inet value".into()),
    };
    Ok(if cidr || bits != max {
        format!("{text}/{bits}")
    } else {
        text
    })
}

fn hex_pairs(raw: &[u8], sep: &str) -> String {
    raw.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(sep)
}

fn bits(raw: &[u8]) -> Result<String, BoxError> {
    let mut r = Reader(raw);
    let len = r.i32()?.max(0) as usize;
    let bytes = r.take(len.div_ceil(8))?;
    Ok((0..len)
        .map(|i| {
            if bytes[i / 8] & (0x80 >> (i % 8)) != 0 {
                '1'
            } else {
                '0'
            }
        })
        .collect())
}

fn timetz(raw: &[u8]) -> Result<String, BoxError> {
    let mut r = Reader(raw);
    let micros = r.i64()?;
    // Seconds west of UTC.
    let west = r.i32()?;
    let (secs, frac) = (micros / 1_000_000, micros % 1_000_000);
    let mut out = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if frac != 0 {
        let digits = format!("{frac:06}");
        write!(out, ".{}", digits.trim_end_matches('0'))?;
    }
    let east = -west;
    let sign = if east < 0 { '-' } else { '+' };
    let east = east.unsigned_abs();
    write!(out, "{sign}{:02}", east / 3600)?;
    if east % 3600 != 0 {
        write!(out, ":{:02}", east / 60 % 60)?;
    }
    Ok(out)
}

/// Appends `s` in double quotes, `"` and `\\` escaped with a backslash, as `hstore` and array
/// literals quote their elements.
pub(crate) fn double_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

fn hstore(raw: &[u8]) -> Result<String, BoxError> {
    let mut r = Reader(raw);
    let count = r.i32()?;
    let mut out = String::new();
    for i in 0..count {
        if i > 0 {
            out.push_str(", ");
        }
        let key = r.sized()?.ok_or("hstore key is NULL")?;
        double_quoted(&mut out, std::str::from_utf8(key)?);
        out.push_str("=>");
        match r.sized()? {
            Some(v) => double_quoted(&mut out, std::str::from_utf8(v)?),
            None => out.push_str("NULL"),
        }
    }
    Ok(out)
}

/// A range: its flags, then its bounds in the element type's binary form, printed as
/// PostgreSQL prints ranges (`[1,5)`, `empty`, `(,3]`).
fn range(element: &Type, raw: &[u8]) -> Result<String, BoxError> {
    const EMPTY: u8 = 0x01;
    const LB_INC: u8 = 0x02;
    const UB_INC: u8 = 0x04;
    const LB_INF: u8 = 0x08;
    const UB_INF: u8 = 0x10;
    let mut r = Reader(raw);
    let flags = r.u8()?;
    if flags & EMPTY != 0 {
        return Ok("empty".to_owned());
    }
    let mut bound = |infinite: bool| -> Result<String, BoxError> {
        if infinite {
            return Ok(String::new());
        }
        let raw = r.sized()?.ok_or("range bound is NULL")?;
        let value = PgValue::from_sql(element, raw)?.0;
        let text = bound_text(&value);
        // Quoted as PostgreSQL quotes a bound holding a space, comma, bracket or quote.
        Ok(
            if text.contains([' ', ',', '(', ')', '[', ']', '"', '\\']) {
                format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
            } else {
                text
            },
        )
    };
    let lower = bound(flags & LB_INF != 0)?;
    let upper = bound(flags & UB_INF != 0)?;
    Ok(format!(
        "{}{lower},{upper}{}",
        if flags & LB_INC != 0 { '[' } else { '(' },
        if flags & UB_INC != 0 { ']' } else { ')' }
    ))
}

/// A range bound's text, as PostgreSQL prints the element types ranges are made of.
fn bound_text(value: &Value) -> String {
    match value {
        Value::Timestamp(t) => t.format("%Y-%m-%d %H:%M:%S%.f").to_string(),
        Value::TimestampTz(t) => t.format("%Y-%m-%d %H:%M:%S%.f+00").to_string(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Decimal(d) => d.to_string(),
        Value::Text(s) => s.clone(),
        // Text has its own arm: `Display` shows it quoted.
        other => other.to_string(),
    }
}
