//! User-defined column types (SQLAlchemy's `TypeDecorator`): a type with a name of its own,
//! stored as an implementation type ([`TypeDecorator::impl_type`]), that may convert the
//! values bound to it and read from it and wrap SQL around them.

use super::SqlType;
use crate::expr::Expr;
use crate::value::Value;
use std::any::TypeId;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A user type, stored as its [`impl_type`](TypeDecorator::impl_type) (SQLAlchemy's
/// `TypeDecorator.impl`). Wrap it in a [`CustomType`] to use it as [`SqlType::Custom`] — in a
/// declared table, or for a reflected column with [`Table::column_type`](crate::Table::column_type).
///
/// Where a value meets a column or expression of the type — INSERT and UPDATE values,
/// comparisons, IN lists, `execute_many`, prepared statements — sqlcore binds
/// [`process_bind_param`](TypeDecorator::process_bind_param)'s result, and every result column
/// of the type (SELECT, RETURNING, streamed rows, both engines) reads as
/// [`process_result_value`](TypeDecorator::process_result_value) gives it. A failure is a
/// [`TypeConversionError`](crate::TypeConversionError) naming the type and the parameter or
/// column. [`bind_expression`](TypeDecorator::bind_expression) and
/// [`column_expression`](TypeDecorator::column_expression) put SQL around the bound value and
/// the column read. Which parameters and columns are of a user type is found when a statement
/// is compiled (and kept with it in the cache): statements without any pay nothing.
///
/// Its identity — the Rust type implementing it, [`name`](TypeDecorator::name),
/// [`cache_key`](TypeDecorator::cache_key) and the implementation type — is part of every
/// compiled-statement cache key: two decorators differing in any of them never share a
/// compiled form. The SQL and conversions must follow from that identity.
///
/// ```
/// use sqlcore_compiler::*;
///
/// /// A list of tags stored as one comma-separated TEXT, compared case-blind.
/// #[derive(Debug)]
/// struct Tags;
/// impl TypeDecorator for Tags {
///     fn name(&self) -> &str { "tags" }
///     fn impl_type(&self) -> SqlType { SqlType::Text }
///     fn process_bind_param(&self, value: Value) -> Result<Value, BoxError> {
///         match value {
///             Value::Array(tags) => {
///                 let tags: Vec<String> = tags.iter().map(|t| match t {
///                     Value::Text(t) if !t.contains(',') => Ok(t.clone()),
///                     other => Err(format!("not a tag: {other:?}")),
///                 }).collect::<Result<_, _>>()?;
///                 Ok(Value::Text(tags.join(",")))
///             }
///             Value::Null => Ok(Value::Null),
///             other => Err(format!("tags are a list, not {}", other.kind_name()).into()),
///         }
///     }
///     fn process_result_value(&self, value: Value) -> Result<Value, BoxError> {
///         Ok(match value {
///             Value::Text(s) => Value::Array(s.split(',').map(Value::from).collect()),
///             other => other,
///         })
///     }
///     fn bind_expression(&self, bind: Expr) -> Option<Expr> {
///         Some(lower(bind))
///     }
/// }
///
/// let posts = Table::new("posts")
///     .column(Column::new("id", SqlType::Integer))
///     .column(Column::new("tags", SqlType::custom(Tags)));
/// assert_eq!(
///     create_table(&posts).compile(&PostgreSQL)?.sql,
///     "CREATE TABLE posts (id INTEGER, tags TEXT)"
/// );
/// let tags = Value::Array(vec!["Rust".into(), "SQL".into()]);
/// let q = select([posts.c("id")]).filter(posts.c("tags").eq(tags.clone()));
/// let compiled = q.compile(&SQLite)?;
/// assert_eq!(compiled.sql, "SELECT posts.id FROM posts WHERE posts.tags = lower(?1)");
/// assert_eq!(compiled.bind(&Params::new())?.values, [Value::from("Rust,SQL")]);
/// // A value the type refuses is an error naming the type and the parameter.
/// let bad = select([posts.c("id")]).filter(posts.c("tags").eq(Value::Array(vec!["a,b".into()])));
/// let err = bad.compile(&SQLite)?.bind(&Params::new()).unwrap_err();
/// assert!(matches!(err, CompileError::TypeConversion(ref e) if e.type_name == "tags"));
/// // Rows read back through `Tags::process_result_value` (by the `sqlcore` crate's results).
/// assert_eq!(
///     SqlType::custom(Tags).custom_type().unwrap().result_value("a,b".into(), "tags")?,
///     Value::Array(vec!["a".into(), "b".into()])
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait TypeDecorator: std::fmt::Debug + Send + Sync + 'static {
    /// The type's name (for messages and `Display`; part of the cache key).
    fn name(&self) -> &str;
    /// The SQL type values are stored as, rendered in DDL and CAST, bound and read as.
    fn impl_type(&self) -> SqlType;
    /// What else tells two values of the implementing Rust type apart in the SQL they
    /// produce or the conversions they make (SQLAlchemy's `cache_ok` state); empty by
    /// default.
    fn cache_key(&self) -> String {
        String::new()
    }
    /// A value on its way to the database (`NULL` included), as it is stored: called for
    /// every value bound against the type — INSERT and UPDATE values, comparisons, each
    /// element of an IN list, every set of an `execute_many`. The identity by default.
    fn process_bind_param(&self, value: Value) -> Result<Value, BoxError> {
        Ok(value)
    }
    /// A stored value (`NULL` included), as it is read from every result column of the type
    /// (rows of a SELECT, RETURNING, streamed results). The identity by default.
    fn process_result_value(&self, value: Value) -> Result<Value, BoxError> {
        Ok(value)
    }
    /// SQL around each bound value of the type, given as `bind` (e.g. `lower(bind)`, or
    /// `func("ST_GeomFromText", (bind, literal_column("4326")))`); `None` (the default) binds
    /// it bare. It must use `bind` exactly once. In an IN list it wraps each value
    /// (`IN (lower($1), lower($2))`, on PostgreSQL too); there it may bind no value of its own
    /// (a [`CompileError::Unsupported`](crate::CompileError) otherwise).
    fn bind_expression(&self, bind: Expr) -> Option<Expr> {
        let _ = bind;
        None
    }
    /// SQL around a column of the type where the outermost SELECT list or RETURNING reads it
    /// (e.g. `upper(column)`, `func("ST_AsText", [column])`), labelled with the column's name
    /// so rows still read it by that name; never in WHERE, ORDER BY or a subquery. `None`
    /// (the default) reads the column bare. It must use `column` exactly once.
    fn column_expression(&self, column: Expr) -> Option<Expr> {
        let _ = column;
        None
    }
}

/// The error a [`TypeDecorator`]'s conversion gives: any error (`"text".into()` makes one).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A [`TypeDecorator`] as a column type ([`SqlType::Custom`]); cheap to clone. Equal (and
/// hashed alike) when the decorators' Rust types, names, cache keys and implementation types
/// are.
#[derive(Clone)]
pub struct CustomType {
    decorator: Arc<dyn TypeDecorator>,
    type_id: TypeId,
    name: Arc<str>,
    key: Arc<str>,
    impl_type: Box<SqlType>,
}

impl CustomType {
    /// Wraps `decorator`, reading its name, cache key and implementation type once.
    pub fn new<D: TypeDecorator>(decorator: D) -> Self {
        CustomType {
            type_id: TypeId::of::<D>(),
            name: decorator.name().into(),
            key: decorator.cache_key().into(),
            impl_type: Box::new(decorator.impl_type()),
            decorator: Arc::new(decorator),
        }
    }

    /// The type's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The SQL type values are stored as.
    pub fn impl_type(&self) -> &SqlType {
        &self.impl_type
    }

    /// The decorator.
    pub fn decorator(&self) -> &Arc<dyn TypeDecorator> {
        &self.decorator
    }
}

impl std::fmt::Debug for CustomType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomType")
            .field("name", &self.name)
            .field("impl_type", &self.impl_type)
            .field("decorator", &self.decorator)
            .finish()
    }
}

impl PartialEq for CustomType {
    fn eq(&self, other: &Self) -> bool {
        self.type_id == other.type_id
            && self.name == other.name
            && self.key == other.key
            && self.impl_type == other.impl_type
    }
}

impl Eq for CustomType {}

impl Hash for CustomType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.type_id.hash(state);
        self.name.hash(state);
        self.key.hash(state);
        self.impl_type.hash(state);
    }
}

impl SqlType {
    /// A user type (see [`TypeDecorator`]).
    pub fn custom<D: TypeDecorator>(decorator: D) -> SqlType {
        SqlType::Custom(CustomType::new(decorator))
    }

    /// The user type, if this is one.
    pub fn custom_type(&self) -> Option<&CustomType> {
        match self {
            SqlType::Custom(ty) => Some(ty),
            _ => None,
        }
    }
}
