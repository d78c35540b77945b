//! JSON element and path access with typed results, and PostgreSQL's JSONB containment and
//! key tests.

use super::{Bind, Expr};
use crate::error::CompileError;
use crate::schema::SqlType;
use crate::value::Value;
use std::sync::Arc;

/// One step into a JSON document: an object key or an array index.
///
/// On SQLite and MySQL the steps become a bound JSON path, `$."key"[0]`, as SQLAlchemy
/// writes it: a key holding `"` cannot be addressed there, and a negative index (from the
/// end on PostgreSQL) is a path the database rejects.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JsonKey {
    /// An object member.
    Key(Arc<str>),
    /// An array element (0-based).
    Index(i32),
}

impl From<&str> for JsonKey {
    fn from(k: &str) -> Self {
        JsonKey::Key(k.into())
    }
}

impl From<String> for JsonKey {
    fn from(k: String) -> Self {
        JsonKey::Key(k.into())
    }
}

impl From<i32> for JsonKey {
    fn from(i: i32) -> Self {
        JsonKey::Index(i)
    }
}

/// The SQL type a JSON element is read as (SQLAlchemy's `as_json()`, `as_string()`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonAs {
    /// A JSON document (the default).
    Json,
    /// Text: a JSON string's content, unquoted.
    Text,
    /// An integer.
    Integer,
    /// A double-precision float.
    Float,
    /// A boolean.
    Boolean,
}

impl JsonAs {
    /// The SQL type of the result.
    pub fn sql_type(self) -> SqlType {
        match self {
            JsonAs::Json => SqlType::Json,
            JsonAs::Text => SqlType::Text,
            JsonAs::Integer => SqlType::Integer,
            JsonAs::Float => SqlType::Double,
            JsonAs::Boolean => SqlType::Boolean,
        }
    }
}

/// An element or path read from a JSON document.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonGet {
    /// The document.
    pub doc: Expr,
    /// The steps into it.
    pub path: Vec<JsonKey>,
    /// A path (`#>` on PostgreSQL) rather than one element (`->`).
    pub is_path: bool,
    /// The type the element is read as.
    pub as_: JsonAs,
    /// What PostgreSQL binds: the key (text), the index (integer) or the path (text[]).
    pub pg_operand: Bind,
    /// What SQLite and MySQL bind: the JSON path, `$."a"[0]`.
    pub json_path: Bind,
}

/// PostgreSQL's JSONB containment and key-existence operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonbOp {
    /// `@>`: the left document contains the right one.
    Contains,
    /// `<@`: the left document is contained in the right one.
    ContainedBy,
    /// `?`: the key is a top-level key.
    HasKey,
    /// `?|`: any of the keys is.
    HasAny,
    /// `?&`: all of the keys are.
    HasAll,
}

impl JsonbOp {
    /// The operator.
    pub fn as_sql(self) -> &'static str {
        match self {
            JsonbOp::Contains => "@>",
            JsonbOp::ContainedBy => "<@",
            JsonbOp::HasKey => "?",
            JsonbOp::HasAny => "?|",
            JsonbOp::HasAll => "?&",
        }
    }
}

fn json_path(path: &[JsonKey]) -> String {
    let mut out = String::from("$");
    for step in path {
        match step {
            JsonKey::Key(k) => {
                out.push_str(".\"");
                out.push_str(k);
                out.push('"');
            }
            JsonKey::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn bind(value: Value) -> Bind {
    Bind::new(value, None)
}

fn text_array<I>(keys: I) -> Value
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    Value::Array(keys.into_iter().map(|k| Value::Text(k.into())).collect())
}

impl Expr {
    fn json_get(self, path: Vec<JsonKey>, is_path: bool) -> Expr {
        let pg_operand = match (&*path, is_path) {
            ([JsonKey::Key(k)], false) => Value::Text(k.to_string()),
            ([JsonKey::Index(i)], false) => Value::I32(*i),
            _ => Value::Array(
                path.iter()
                    .map(|step| match step {
                        JsonKey::Key(k) => Value::Text(k.to_string()),
                        JsonKey::Index(i) => Value::Text(i.to_string()),
                    })
                    .collect(),
            ),
        };
        let json_path = Value::Text(json_path(&path));
        Expr::Json(Box::new(JsonGet {
            doc: self,
            path,
            is_path,
            as_: JsonAs::Json,
            pg_operand: bind(pg_operand),
            json_path: bind(json_path),
        }))
    }

    /// Element `key` (an object key or an array index) of a JSON document (SQLAlchemy's
    /// `col["key"]`), read as JSON; `as_string()`, `as_integer()`, ... read it as SQL values.
    /// The key is bound.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("doc", SqlType::Json));
    /// let q = |e: Expr| {
    ///     [&PostgreSQL as &dyn Dialect, &SQLite, &MySQL]
    ///         .map(|d| select([e.clone().label("x")]).compile(d).unwrap().sql)
    /// };
    /// assert_eq!(q(t.c("doc").get("a")), [
    ///     "SELECT t.doc -> $1 AS x FROM t",
    ///     "SELECT JSON_QUOTE(JSON_EXTRACT(t.doc, ?1)) AS x FROM t",
    ///     "SELECT JSON_EXTRACT(t.doc, ?) AS x FROM t",
    /// ]);
    /// assert_eq!(q(t.c("doc").get(0).as_integer()), [
    ///     "SELECT CAST(t.doc ->> $1 AS INTEGER) AS x FROM t",
    ///     "SELECT CAST(JSON_EXTRACT(t.doc, ?1) AS INTEGER) AS x FROM t",
    ///     "SELECT CASE JSON_EXTRACT(t.doc, ?) WHEN 'null' THEN NULL ELSE CAST(JSON_EXTRACT(t.doc, ?) AS SIGNED) END AS x FROM t",
    /// ]);
    /// ```
    pub fn get(self, key: impl Into<JsonKey>) -> Expr {
        self.json_get(vec![key.into()], false)
    }

    /// The element at `path` in a JSON document (SQLAlchemy's `col[("a", 1, "b")]`): `#>` on
    /// PostgreSQL (the path bound as a text array), `JSON_EXTRACT` with a bound `$."a"[1]."b"`
    /// path elsewhere.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("doc", SqlType::Json));
    /// let e = t.c("doc").path(["a".into(), JsonKey::Index(1)]).as_string();
    /// let c = select([e.label("x")]).compile(&PostgreSQL).unwrap();
    /// assert_eq!(c.sql, "SELECT t.doc #>> $1 AS x FROM t");
    /// let c = select([t.c("doc").path(["a", "b"]).as_string().label("x")]).compile(&MySQL).unwrap();
    /// assert_eq!(c.sql, "SELECT CASE JSON_EXTRACT(t.doc, ?) WHEN 'null' THEN NULL ELSE JSON_UNQUOTE(JSON_EXTRACT(t.doc, ?)) END AS x FROM t");
    /// // One bound path, written twice: MySQL's positional `?` takes it at each place.
    /// assert_eq!(c.literals, [Value::Text("$.\"a\".\"b\"".into())]);
    /// let path = Value::Text("$.\"a\".\"b\"".into());
    /// assert_eq!(c.bind(&Params::new()).unwrap().values, [path.clone(), path]);
    /// ```
    pub fn path<I>(self, path: I) -> Expr
    where
        I: IntoIterator,
        I::Item: Into<JsonKey>,
    {
        self.json_get(path.into_iter().map(Into::into).collect(), true)
    }

    fn json_as(self, as_: JsonAs) -> Expr {
        match self {
            Expr::Json(mut get) => {
                get.as_ = as_;
                Expr::Json(get)
            }
            Expr::Invalid(e) => Expr::Invalid(e),
            _ => Expr::Invalid(CompileError::invalid(
                "as_string() / as_integer() / ... apply to a JSON element from get() or path()",
            )),
        }
    }

    /// The JSON element read as JSON (the default).
    pub fn as_json(self) -> Expr {
        self.json_as(JsonAs::Json)
    }

    /// The JSON element read as text: a string's content, unquoted.
    pub fn as_string(self) -> Expr {
        self.json_as(JsonAs::Text)
    }

    /// The JSON element read as an integer.
    pub fn as_integer(self) -> Expr {
        self.json_as(JsonAs::Integer)
    }

    /// The JSON element read as a double-precision float.
    pub fn as_float(self) -> Expr {
        self.json_as(JsonAs::Float)
    }

    /// The JSON element read as a boolean.
    pub fn as_boolean(self) -> Expr {
        self.json_as(JsonAs::Boolean)
    }

    fn jsonb(self, op: JsonbOp, right: Value) -> Expr {
        let sql_type =
            matches!(op, JsonbOp::Contains | JsonbOp::ContainedBy).then_some(SqlType::Json);
        Expr::Jsonb(
            op,
            Box::new(self),
            Box::new(Expr::Bind(Bind::new(right, sql_type))),
        )
    }

    /// `self @> other`: the JSONB document contains `other` (PostgreSQL only; SQLAlchemy's
    /// JSONB `contains`).
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("doc", SqlType::Json));
    /// let q = select([t.c("doc")]).filter(t.c("doc").json_contains(serde_json::json!({"a": 1})));
    /// assert_eq!(q.compile(&PostgreSQL).unwrap().sql, "SELECT t.doc FROM t WHERE t.doc @> $1");
    /// assert!(q.compile(&SQLite).is_err());
    /// ```
    pub fn json_contains(self, other: impl Into<serde_json::Value>) -> Expr {
        self.jsonb(JsonbOp::Contains, Value::Json(Box::new(other.into())))
    }

    /// `self <@ other`: the JSONB document is contained in `other` (PostgreSQL only).
    pub fn contained_by(self, other: impl Into<serde_json::Value>) -> Expr {
        self.jsonb(JsonbOp::ContainedBy, Value::Json(Box::new(other.into())))
    }

    /// `self ? key`: `key` is a top-level key of the JSONB document (PostgreSQL only).
    pub fn has_key(self, key: &str) -> Expr {
        self.jsonb(JsonbOp::HasKey, Value::Text(key.to_owned()))
    }

    /// `self ?| keys`: any of `keys` is a top-level key (PostgreSQL only).
    pub fn has_any<I>(self, keys: I) -> Expr
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.jsonb(JsonbOp::HasAny, text_array(keys))
    }

    /// `self ?& keys`: all of `keys` are top-level keys (PostgreSQL only).
    pub fn has_all<I>(self, keys: I) -> Expr
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.jsonb(JsonbOp::HasAll, text_array(keys))
    }
}
