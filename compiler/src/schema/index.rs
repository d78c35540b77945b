//! [`Index`]: an index on a table — its elements (columns or expressions), per-element
//! options (operator class, order, prefix length), access method, INCLUDE columns, storage
//! parameters and partial-index predicate.

use crate::error::CompileError;
use crate::expr::{Expr, NullsOrder, SortDirection};
use std::sync::Arc;

/// One element of an index: a column or an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexElement {
    /// A column by name.
    Column(Arc<str>),
    /// An expression over the table's columns (rendered unqualified, values as literals).
    Expr(Expr),
}

impl From<&str> for IndexElement {
    fn from(name: &str) -> Self {
        IndexElement::Column(name.into())
    }
}

impl From<Expr> for IndexElement {
    fn from(expr: Expr) -> Self {
        IndexElement::Expr(expr)
    }
}

/// An index access method (SQLAlchemy's `postgresql_using` / `mysql_using`).
///
/// Which methods a dialect accepts is [`Dialect::supports_index_method`](crate::Dialect::supports_index_method):
/// every one of them on PostgreSQL, `BTREE` and `HASH` on MySQL, none on SQLite.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IndexMethod {
    /// `btree`, every database's default.
    Btree,
    /// `hash`.
    Hash,
    /// `gist` (PostgreSQL).
    Gist,
    /// `gin` (PostgreSQL).
    Gin,
    /// `brin` (PostgreSQL).
    Brin,
    /// `spgist` (PostgreSQL).
    SpGist,
    /// Another method by name, e.g. one an extension installs (`bloom`); PostgreSQL only.
    Other(String),
}

impl IndexMethod {
    /// The method's name as PostgreSQL's `pg_am` writes it (`"gist"`).
    pub fn name(&self) -> &str {
        match self {
            IndexMethod::Btree => "btree",
            IndexMethod::Hash => "hash",
            IndexMethod::Gist => "gist",
            IndexMethod::Gin => "gin",
            IndexMethod::Brin => "brin",
            IndexMethod::SpGist => "spgist",
            IndexMethod::Other(name) => name,
        }
    }

    /// The method named `name` (case-insensitive), [`IndexMethod::Other`] when not built in.
    pub fn from_name(name: &str) -> IndexMethod {
        match name.to_ascii_lowercase().as_str() {
            "btree" => IndexMethod::Btree,
            "hash" => IndexMethod::Hash,
            "gist" => IndexMethod::Gist,
            "gin" => IndexMethod::Gin,
            "brin" => IndexMethod::Brin,
            "spgist" => IndexMethod::SpGist,
            _ => IndexMethod::Other(name.to_owned()),
        }
    }
}

/// The options of one index element; the defaults render nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ElementOptions {
    /// Operator class (SQLAlchemy's `postgresql_ops`), e.g. `jsonb_path_ops`; PostgreSQL.
    pub opclass: Option<String>,
    /// `ASC` / `DESC`; `None` is the default (ascending).
    pub direction: Option<SortDirection>,
    /// `NULLS FIRST` / `NULLS LAST`; PostgreSQL. `None` is the default for the direction.
    pub nulls: Option<NullsOrder>,
    /// Prefix length of an indexed string column (SQLAlchemy's `mysql_length`); MySQL.
    pub length: Option<u32>,
}

const NO_OPTIONS: ElementOptions = ElementOptions {
    opclass: None,
    direction: None,
    nulls: None,
    length: None,
};

/// Which element of an index an option applies to: a column by name or a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementKey {
    /// The element that is the column of this name.
    Name(String),
    /// The element at this position (0 is the first), for expressions.
    Position(usize),
}

impl std::fmt::Display for ElementKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ElementKey::Name(name) => write!(f, "column {name:?}"),
            ElementKey::Position(p) => write!(f, "position {p}"),
        }
    }
}

impl From<&str> for ElementKey {
    fn from(name: &str) -> Self {
        ElementKey::Name(name.to_owned())
    }
}

impl From<usize> for ElementKey {
    fn from(position: usize) -> Self {
        ElementKey::Position(position)
    }
}

/// An index on a table.
///
/// Beyond columns, expressions and UNIQUE, an index may have an access method
/// ([`Index::using`]), per-element operator classes, order and prefix lengths, INCLUDE
/// columns, storage parameters, a partial-index predicate ([`Index::filter`], SQLAlchemy's
/// `postgresql_where` / `sqlite_where`) and be built CONCURRENTLY. An option the dialect does
/// not have is a [`CompileError::Unsupported`] (see the `supports_index_*` capabilities of
/// [`Dialect`](crate::Dialect)).
///
/// ```
/// use sqlcore_compiler::*;
/// let docs = Table::new("docs")
///     .column(Column::new("id", SqlType::Integer).primary_key())
///     .column(Column::new("body", SqlType::Json))
///     .column(Column::new("title", SqlType::Text));
/// let gin = Index::new("ix_docs_body", ["body"])
///     .using(IndexMethod::Gin)
///     .opclass("body", "jsonb_path_ops");
/// assert_eq!(
///     create_index(&docs, &gin).compile(&PostgreSQL).unwrap().sql,
///     "CREATE INDEX ix_docs_body ON docs USING gin (body jsonb_path_ops)"
/// );
/// assert!(create_index(&docs, &gin).compile(&SQLite).is_err());
///
/// let covering = Index::new("ix_docs_title", ["title"])
///     .desc("title")
///     .nulls_last("title")
///     .include(["id"])
///     .with_storage("fillfactor", "70");
/// assert_eq!(
///     create_index(&docs, &covering).compile(&PostgreSQL).unwrap().sql,
///     "CREATE INDEX ix_docs_title ON docs (title DESC NULLS LAST) INCLUDE (id) WITH (fillfactor = 70)"
/// );
/// let lowered = Index::new("ix_docs_lower_title", [lower(docs.c("title"))]).unique();
/// assert_eq!(
///     create_index(&docs, &lowered).compile(&SQLite).unwrap().sql,
///     "CREATE UNIQUE INDEX ix_docs_lower_title ON docs ((lower(title)))"
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// Index name.
    pub name: String,
    /// Indexed columns or expressions.
    pub elements: Vec<IndexElement>,
    /// UNIQUE index.
    pub unique: bool,
    /// Partial-index condition (PostgreSQL and SQLite), as an expression.
    pub predicate: Option<Expr>,
    /// The access method; `None` is the database's default (btree).
    pub method: Option<IndexMethod>,
    /// Options of the elements by position, without trailing defaults (use
    /// [`Index::element_options`] to read them).
    pub element_options: Vec<ElementOptions>,
    /// Non-key columns stored in the index (`INCLUDE (...)`, PostgreSQL).
    pub include: Vec<Arc<str>>,
    /// Storage parameters (`WITH (fillfactor = 70)`, PostgreSQL), as name and value.
    pub storage: Vec<(String, String)>,
    /// `CREATE INDEX CONCURRENTLY` (PostgreSQL), which cannot run inside a transaction.
    pub concurrently: bool,
    /// The first problem found while building the index (an option naming no element);
    /// compiling the index reports it.
    pub problem: Option<Box<CompileError>>,
}

impl Index {
    /// An index named `name` over `elements` (column names or expressions).
    pub fn new<E>(name: impl Into<String>, elements: E) -> Self
    where
        E: IntoIterator,
        E::Item: Into<IndexElement>,
    {
        Index {
            name: name.into(),
            elements: elements.into_iter().map(Into::into).collect(),
            unique: false,
            predicate: None,
            method: None,
            element_options: Vec::new(),
            include: Vec::new(),
            storage: Vec::new(),
            concurrently: false,
            problem: None,
        }
    }

    /// Makes it a UNIQUE index.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Makes it a partial index (`WHERE predicate`).
    pub fn filter(mut self, predicate: Expr) -> Self {
        self.predicate = Some(predicate);
        self
    }

    /// The access method (`USING gist`).
    pub fn using(mut self, method: IndexMethod) -> Self {
        self.method = Some(method);
        self
    }

    /// The operator class of an element (`body jsonb_path_ops`).
    pub fn opclass(self, element: impl Into<ElementKey>, opclass: impl Into<String>) -> Self {
        let opclass = opclass.into();
        self.edit_element(element.into(), |o| o.opclass = Some(opclass))
    }

    /// Sorts an element ascending (`ASC`, the default, written out).
    pub fn asc(self, element: impl Into<ElementKey>) -> Self {
        self.edit_element(element.into(), |o| o.direction = Some(SortDirection::Asc))
    }

    /// Sorts an element descending (`DESC`).
    pub fn desc(self, element: impl Into<ElementKey>) -> Self {
        self.edit_element(element.into(), |o| o.direction = Some(SortDirection::Desc))
    }

    /// `NULLS FIRST` for an element.
    pub fn nulls_first(self, element: impl Into<ElementKey>) -> Self {
        self.edit_element(element.into(), |o| o.nulls = Some(NullsOrder::First))
    }

    /// `NULLS LAST` for an element.
    pub fn nulls_last(self, element: impl Into<ElementKey>) -> Self {
        self.edit_element(element.into(), |o| o.nulls = Some(NullsOrder::Last))
    }

    /// Indexes only the first `length` characters of a string column (`name(10)`, MySQL).
    pub fn prefix_length(self, element: impl Into<ElementKey>, length: u32) -> Self {
        self.edit_element(element.into(), |o| o.length = Some(length))
    }

    /// Adds non-key columns to the index (`INCLUDE (a, b)`).
    pub fn include<C>(mut self, columns: C) -> Self
    where
        C: IntoIterator,
        C::Item: Into<Arc<str>>,
    {
        self.include.extend(columns.into_iter().map(Into::into));
        self
    }

    /// Adds a storage parameter (`WITH (fillfactor = 70)`); name and value must be plain words
    /// or numbers, anything else is a compile error.
    pub fn with_storage(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.storage.push((name.into(), value.into()));
        self
    }

    /// Builds the index with `CREATE INDEX CONCURRENTLY` (PostgreSQL). `create_all` on an
    /// engine creates such indexes after its transaction, each on a connection of its own in
    /// AUTOCOMMIT, as PostgreSQL requires.
    pub fn concurrently(mut self) -> Self {
        self.concurrently = true;
        self
    }

    /// The options of the element at `position` (the defaults when none were set).
    pub fn element_options(&self, position: usize) -> &ElementOptions {
        self.element_options.get(position).unwrap_or(&NO_OPTIONS)
    }

    fn position(&self, key: &ElementKey) -> Option<usize> {
        match key {
            ElementKey::Position(p) => (*p < self.elements.len()).then_some(*p),
            ElementKey::Name(name) => self
                .elements
                .iter()
                .position(|e| matches!(e, IndexElement::Column(c) if **c == **name)),
        }
    }

    fn edit_element(mut self, key: ElementKey, f: impl FnOnce(&mut ElementOptions)) -> Self {
        let Some(position) = self.position(&key) else {
            self.problem
                .get_or_insert(Box::new(CompileError::invalid(format!(
                    "an option of index {:?} names {key}, which is not one of its elements",
                    self.name
                ))));
            return self;
        };
        if self.element_options.len() <= position {
            self.element_options
                .resize(position + 1, ElementOptions::default());
        }
        f(&mut self.element_options[position]);
        while self.element_options.last() == Some(&NO_OPTIONS) {
            self.element_options.pop();
        }
        self
    }
}
