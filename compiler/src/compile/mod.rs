//! The compiler: statement → [`Compiled`] (SQL text, parameter slots, result columns).
//!
//! One walk renders the SQL and records every bound value and named parameter as a slot at
//! its position in the text; the dialect's placeholders are written afterwards in one pass,
//! so hoisted CTEs and expanding IN lists number their parameters correctly.

mod array;
mod ddl;
mod ddl_types;
mod dml;
mod expr;
mod index;
mod json;
mod params;
mod partition;
mod query;
mod sequence;
mod snapshot;
mod text_search;
mod translate;
mod user_types;

pub use params::{Bound, BoundRefs, Params, ParamsIntoIter};
pub use snapshot::snapshot_dialects;
pub use translate::SchemaTranslateMap;
pub(crate) use translate::{SchemaSpan, schema_prefix};
pub use user_types::{ConversionSite, ConvertedBinds, TypeConversionError};

use crate::dialect::Dialect;
use crate::error::CompileError;
use crate::expr::{Bind, Expr, SeenBinds};
use crate::schema::{SqlType, Table};
use crate::stmt::{Cte, Source};
use crate::value::Value;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

/// A column of a statement's result.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResultColumn {
    /// The column's name (its key in a result row).
    pub name: Arc<str>,
    /// Its SQL type, when known.
    pub sql_type: Option<SqlType>,
}

/// Where a parameter's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ParamSource {
    /// The statement's own value number `n` ([`Compiled::literals`]).
    Literal(usize),
    /// A named parameter supplied at execution ([`bindparam`](crate::bindparam), `text()`).
    Named(Arc<str>),
}

/// One parameter of a compiled statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParamSlot {
    /// A name for logs and errors: the bindparam's name, or `param_N` for statement values.
    pub name: Arc<str>,
    /// Where the value comes from.
    pub source: ParamSource,
    /// Takes a list, expanded into one placeholder per element (or bound as an array where
    /// the dialect binds IN lists as arrays).
    pub expanding: bool,
    /// The SQL type the value meets, when known.
    pub sql_type: Option<SqlType>,
}

/// A piece of a compiled statement's text: literal SQL or a parameter slot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Piece {
    /// SQL text: a byte range of the compilation's text (every fragment is written once into
    /// one buffer, [`Template::text`] in a compiled form, and referred to by range).
    Sql(Range<usize>),
    Slot(usize),
    /// An expanding slot whose elements are rows of `width` values (a tuple IN): expanded
    /// into `(?, ?), (?, ?)` at bind time on every dialect.
    Rows {
        slot: usize,
        width: usize,
    },
    /// An expanding slot whose every element stands inside a user type's bind expression:
    /// `before ? after` per element (`lower(?1), lower(?2)`), expanded at bind time on every
    /// dialect (SQLAlchemy applies `bind_expression` to each element of an expanding IN).
    Each {
        slot: usize,
        before: String,
        after: String,
    },
    /// A table's schema: `rendered` is the `schema.` prefix as compiled (empty for none);
    /// `in_literal` when it stands inside a string literal (`nextval('schema.seq')`).
    Schema {
        schema: Option<Arc<str>>,
        rendered: String,
        in_literal: bool,
    },
}

/// A compiled statement.
///
/// `sql` is final unless [`Compiled::needs_expansion`]: then it shows each expanding
/// parameter as `__[POSTCOMPILE_name]`, and [`Compiled::bind`] gives the SQL to run.
///
/// ```
/// use sqlcore_compiler::*;
/// let t = Table::new("t").column(Column::new("id", SqlType::Integer));
/// let c = select(&t).filter(t.c("id").in_([1, 2, 3])).compile(&SQLite).unwrap();
/// assert_eq!(c.sql, "SELECT t.id FROM t WHERE t.id IN (__[POSTCOMPILE_param_1])");
/// let bound = c.bind(&Params::new()).unwrap();
/// assert_eq!(bound.sql, "SELECT t.id FROM t WHERE t.id IN (?1, ?2, ?3)");
/// assert_eq!(bound.values, vec![Value::I32(1), Value::I32(2), Value::I32(3)]);
/// ```
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The SQL text.
    pub sql: String,
    /// The parameters in the driver's order: numbered styles list each slot once, by number;
    /// positional styles list one entry per placeholder.
    pub params: Vec<ParamSlot>,
    /// The SQL type of each entry of `params`, where known.
    pub param_types: Vec<Option<SqlType>>,
    /// The result columns (of a SELECT or a RETURNING clause).
    pub columns: Vec<ResultColumn>,
    /// The values the statement carries, referenced by [`ParamSource::Literal`].
    pub literals: Vec<Value>,
    /// The dialect's name.
    pub dialect: &'static str,
    /// Kept when parameters must be expanded at bind time.
    pub(crate) template: Option<Template>,
    /// Where table schemas stand in `sql`, for [`Compiled::translate`].
    pub(crate) schema_spans: Vec<SchemaSpan>,
    /// For each of `literals`, the address of the statement value it was bound from (0 for a
    /// value of the schema, such as a client default): how the compiled-statement cache maps
    /// a statement's values to its slots.
    pub(crate) literal_origins: Vec<usize>,
    /// Some parameter meets an enum, whose values are checked when bound.
    pub(crate) checks_values: bool,
    /// Some parameter meets a user type, whose values it converts when bound.
    pub(crate) converts_binds: bool,
    /// The result columns of a user type, by position.
    pub(crate) user_type_columns: Vec<(usize, crate::schema::CustomType)>,
}

impl PartialEq for Compiled {
    /// Compares what the compiled form says (`literal_origins` are addresses of one run).
    fn eq(&self, other: &Self) -> bool {
        self.sql == other.sql
            && self.params == other.params
            && self.param_types == other.param_types
            && self.columns == other.columns
            && self.literals == other.literals
            && self.dialect == other.dialect
            && self.template == other.template
            && self.schema_spans == other.schema_spans
    }
}

/// The text of a statement with expanding parameters, kept for [`Compiled::bind`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Template {
    /// The text the pieces' SQL ranges refer to.
    pub text: String,
    pub pieces: Vec<Piece>,
    pub slots: Vec<ParamSlot>,
    pub style: crate::dialect::ParamStyle,
    /// Plain expanding slots are expanded too (the dialect binds no arrays).
    pub lists: bool,
}

impl Compiled {
    /// Whether parameters are expanded at bind time (an IN list on a dialect without arrays).
    pub fn needs_expansion(&self) -> bool {
        self.template.is_some()
    }
}

/// Anything that compiles to SQL for a dialect.
pub trait Compile {
    /// Renders the statement for `dialect`.
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError>;
}

impl Compile for crate::stmt::Statement {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        use crate::stmt::Statement;
        match self {
            Statement::Select(s) => s.compile(dialect),
            Statement::Compound(s) => s.compile(dialect),
            Statement::Insert(s) => s.compile(dialect),
            Statement::Update(s) => s.compile(dialect),
            Statement::Delete(s) => s.compile(dialect),
            Statement::Ddl(s) => s.compile(dialect),
            Statement::Text(s) => s.compile(dialect),
        }
    }
}

/// The name of the statement's `n`-th value, `param_n`: the first few are made once and
/// shared, as every compilation names its values the same way.
fn literal_param_name(n: usize) -> Arc<str> {
    const SHARED: usize = 64;
    static NAMES: std::sync::OnceLock<Vec<Arc<str>>> = std::sync::OnceLock::new();
    match NAMES
        .get_or_init(|| (1..=SHARED).map(|i| format!("param_{i}").into()).collect())
        .get(n.wrapping_sub(1))
    {
        Some(name) => name.clone(),
        None => format!("param_{n}").into(),
    }
}

/// Statement-level collection of the CTEs a query refers to, rendered into its WITH clause.
#[derive(Default)]
struct CteScope {
    seen: Vec<Arc<str>>,
    rendered: Vec<(Arc<str>, Vec<Piece>)>,
    recursive: bool,
}

/// The state of one compilation.
pub(crate) struct Compiler<'d> {
    pub d: &'d dyn Dialect,
    pieces: Vec<Piece>,
    /// Every fragment of SQL text written, in the order written; [`Piece::Sql`] ranges refer
    /// to it. It only grows during a compilation.
    text: String,
    /// Where the text not yet in a piece starts.
    flushed: usize,
    slots: Vec<ParamSlot>,
    literals: Vec<Value>,
    literal_origins: Vec<usize>,
    named: HashMap<Arc<str>, usize>,
    /// The slot of each [`Bind`] bound so far, by identity: one bind rendered twice is one
    /// parameter.
    bind_slots: SeenBinds,
    /// Qualify column names with their table (off inside DDL and SET targets).
    pub qualify: bool,
    /// Render values as SQL literals (DDL, where nothing can be bound).
    pub literal_binds: bool,
    /// Sources of the enclosing queries, for auto-correlation.
    pub correlation: Vec<Source>,
    cte_scopes: Vec<CteScope>,
    /// Added to the next SELECT rendered (an INSERT ... SELECT's).
    pub select_extras: Option<SelectExtras>,
    /// Addresses of the values of the schema the statement binds ([`Self::mark_schema_value`]).
    schema_values: HashSet<usize>,
    /// The result-column names an ORDER BY / GROUP BY being rendered may refer to.
    pub result_names: Vec<Arc<str>>,
    /// The next SELECT is the body of an EXISTS: without columns, it is `SELECT *`.
    pub exists_body: bool,
    /// The next SELECT is the statement's own (its columns are the result's): user types
    /// wrap their columns in their `column_expression` there.
    pub outermost_select: bool,
    /// Anonymous subqueries met so far ([`crate::stmt::Subquery::id`]): the N-th is `anon_N`.
    anon_subqueries: Vec<usize>,
}

/// What an INSERT ... SELECT adds to its SELECT: the client defaults of the columns it leaves
/// out, and `WHERE true` where an upsert needs a WHERE clause.
#[derive(Default)]
pub(crate) struct SelectExtras {
    pub items: Vec<crate::stmt::SelectItem>,
    pub where_true: bool,
}

pub(crate) type Res = Result<(), CompileError>;

impl<'d> Compiler<'d> {
    pub fn new(d: &'d dyn Dialect) -> Self {
        Compiler {
            d,
            pieces: Vec::with_capacity(32),
            text: String::with_capacity(256),
            flushed: 0,
            slots: Vec::new(),
            literals: Vec::new(),
            literal_origins: Vec::new(),
            named: HashMap::new(),
            bind_slots: SeenBinds::default(),
            qualify: true,
            literal_binds: false,
            correlation: Vec::new(),
            cte_scopes: Vec::new(),
            select_extras: None,
            schema_values: HashSet::new(),
            result_names: Vec::new(),
            exists_body: false,
            outermost_select: false,
            anon_subqueries: Vec::new(),
        }
    }

    /// Writes SQL text.
    pub fn w(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Writes an identifier, quoted if it needs to be.
    pub fn ident(&mut self, name: &str) -> Res {
        let quoted = self.d.quote_identifier(name)?;
        self.text.push_str(&quoted);
        Ok(())
    }

    /// Writes a name the compiler may have generated (a label such as `anon_1` or `count_1`,
    /// a disambiguating `name_2`, or a reference to such a label of a subquery), shortened
    /// to the dialect's identifier limit as SQLAlchemy shortens its generated labels. The
    /// same name always shortens the same way, so a label and its references agree. A name
    /// the user gave that is too long is still an error: it is written with [`Self::ident`]
    /// where it is defined.
    pub fn generated_ident(&mut self, name: &str) -> Res {
        let name = self.d.max_identifier_length().truncate(name);
        self.ident(&name)
    }

    /// Writes a subquery's name: its own, or `anon_N` for an anonymous one, numbered in the
    /// order the statement meets them.
    pub fn subquery_name(&mut self, sq: &crate::stmt::Subquery) -> Res {
        if !sq.def().anonymous {
            return self.ident(&sq.def().name);
        }
        let id = sq.id();
        let n = match self.anon_subqueries.iter().position(|&a| a == id) {
            Some(i) => i + 1,
            None => {
                self.anon_subqueries.push(id);
                self.anon_subqueries.len()
            }
        };
        self.generated_ident(&format!("anon_{n}"))
    }

    /// Writes `schema.table` (each part quoted as needed).
    pub fn table_name(&mut self, table: &Table) -> Res {
        table.validate()?;
        self.schema(table.schema.as_deref())?;
        self.ident(&table.name)
    }

    /// Writes a table's `schema.` prefix (nothing for no schema) as a token that
    /// `schema_translate_map` can re-target after compilation.
    pub fn schema(&mut self, schema: Option<&str>) -> Res {
        self.schema_token(schema, false)
    }

    /// Writes a schema token; inside a string literal (`in_literal`) its quotes are doubled.
    pub fn schema_token(&mut self, schema: Option<&str>, in_literal: bool) -> Res {
        let rendered = translate::schema_prefix(self.d, schema, in_literal)?;
        self.flush();
        self.pieces.push(Piece::Schema {
            schema: schema.map(Arc::from),
            rendered,
            in_literal,
        });
        Ok(())
    }

    /// Ends the current run of text: the text written since the last piece becomes one.
    fn flush(&mut self) {
        let end = self.text.len();
        if end > self.flushed {
            let start = std::mem::replace(&mut self.flushed, end);
            self.push_sql(start..end);
        }
    }

    /// Adds the SQL text `range` (of `self.text`) as the next piece, joined to the previous
    /// piece when that ends where it starts.
    fn push_sql(&mut self, range: Range<usize>) {
        match self.pieces.last_mut() {
            Some(Piece::Sql(prev)) if prev.end == range.start => prev.end = range.end,
            _ => self.pieces.push(Piece::Sql(range)),
        }
    }

    /// The SQL text of a [`Piece::Sql`] range.
    fn sql_of(&self, range: &Range<usize>) -> &str {
        &self.text[range.clone()]
    }

    /// A value for an array column where the dialect has no arrays is an error, as the
    /// column's type is.
    fn check_array_type(&self, sql_type: Option<&SqlType>) -> Res {
        match sql_type {
            Some(t @ SqlType::Array { .. }) if !self.d.supports_arrays() => {
                Err(CompileError::unsupported(
                    format!("a value of the type {t} (ARRAY)"),
                    self.d.name(),
                ))
            }
            _ => Ok(()),
        }
    }

    fn slot(&mut self, idx: usize) {
        self.flush();
        self.pieces.push(Piece::Slot(idx));
    }

    /// Writes the expanding slot `idx` with `before` and `after` around each element.
    fn each(&mut self, idx: usize, before: String, after: String) {
        self.flush();
        self.pieces.push(Piece::Each {
            slot: idx,
            before,
            after,
        });
    }

    /// Binds a value carried by the statement (or writes it as a literal in DDL).
    pub fn bind_value(
        &mut self,
        value: &Value,
        sql_type: Option<&SqlType>,
        expanding: bool,
    ) -> Res {
        self.check_array_type(sql_type)?;
        if self.literal_binds {
            let sql = self.d.literal_sql(value)?;
            self.w(&sql);
            return Ok(());
        }
        self.literals.push(value.clone());
        let addr = value as *const Value as usize;
        let schema_value = self.schema_values.contains(&addr);
        self.literal_origins
            .push(if schema_value { 0 } else { addr });
        let n = self.literals.len();
        self.slots.push(ParamSlot {
            name: literal_param_name(n),
            source: ParamSource::Literal(n - 1),
            expanding,
            sql_type: sql_type.cloned(),
        });
        self.typed_slot(self.slots.len() - 1, sql_type)
    }

    /// Binds a statement's [`Bind`] meeting `sql_type`: the first time as
    /// [`Self::bind_value`] does, again (the same bind or a clone of it) to the same slot —
    /// `$1` twice, or on a positional dialect the value bound at each place. A slot first
    /// bound without a type takes the one given here.
    pub fn bind(&mut self, b: &Bind, sql_type: Option<&SqlType>, expanding: bool) -> Res {
        if self.literal_binds {
            return self.bind_value(&b.value, sql_type, expanding);
        }
        let next = self.slots.len() as u32;
        match self.bind_slots.first_or_insert(b.id(), next) {
            Some(first) if self.slots[first as usize].expanding == expanding => {
                let first = first as usize;
                if self.slots[first].sql_type.is_none() {
                    self.slots[first].sql_type = sql_type.cloned();
                }
                self.typed_slot(first, sql_type)
            }
            _ => self.bind_value(&b.value, sql_type, expanding),
        }
    }

    /// Makes the slot just bound a list of rows of `width` values (a tuple IN).
    pub(crate) fn slot_as_rows(&mut self, width: usize) {
        if let Some(Piece::Slot(slot)) = self.pieces.last() {
            let slot = *slot;
            self.pieces.pop();
            self.pieces.push(Piece::Rows { slot, width });
        }
    }

    /// Binds a value of the schema (a column's client default), which is the same for every
    /// statement of the same shape.
    pub fn bind_schema_value(&mut self, value: &Value, sql_type: Option<&SqlType>) -> Res {
        self.mark_schema_value(value);
        self.bind_value(value, sql_type, false)
    }

    /// Marks `value` (held by the schema, or placed by the compiler in an expression of its
    /// own) as one the compiled-statement cache need not trace to the statement.
    pub fn mark_schema_value(&mut self, value: &Value) {
        // A default repeats once per row of a multi-row INSERT: the list stays one per value.
        self.schema_values.insert(value as *const Value as usize);
    }

    /// Binds a named parameter; the same name always uses the same slot.
    pub fn bind_named(
        &mut self,
        name: &Arc<str>,
        sql_type: Option<&SqlType>,
        expanding: bool,
    ) -> Res {
        if self.literal_binds {
            return Err(CompileError::invalid(format!(
                "bind parameter {name:?} cannot be used in DDL"
            )));
        }
        if name.is_empty() {
            return Err(CompileError::invalid("a bind parameter needs a name"));
        }
        self.check_array_type(sql_type)?;
        let idx = match self.named.get(name) {
            Some(&idx) => {
                if self.slots[idx].expanding != expanding {
                    return Err(CompileError::invalid(format!(
                        "bind parameter {name:?} is used both as a list and as a single value"
                    )));
                }
                idx
            }
            None => {
                self.slots.push(ParamSlot {
                    name: name.clone(),
                    source: ParamSource::Named(name.clone()),
                    expanding,
                    sql_type: sql_type.cloned(),
                });
                let idx = self.slots.len() - 1;
                self.named.insert(name.clone(), idx);
                idx
            }
        };
        self.typed_slot(idx, sql_type)
    }

    /// Renders `f` into a separate piece list, returned instead of written.
    fn capture(&mut self, f: impl FnOnce(&mut Self) -> Res) -> Result<Vec<Piece>, CompileError> {
        self.flush();
        let saved = std::mem::take(&mut self.pieces);
        let result = f(self);
        self.flush();
        let captured = std::mem::replace(&mut self.pieces, saved);
        result.map(|()| captured)
    }

    /// Adds pieces captured earlier (their text is already in `self.text`).
    fn append(&mut self, pieces: Vec<Piece>) {
        self.flush();
        for piece in pieces {
            match piece {
                Piece::Sql(range) => self.push_sql(range),
                other => self.pieces.push(other),
            }
        }
    }

    /// Renders a statement-level query body with its own WITH clause for the CTEs it uses.
    pub fn with_cte_scope(&mut self, body: impl FnOnce(&mut Self) -> Res) -> Res {
        self.cte_scopes.push(CteScope::default());
        // The body is rendered in place; only a body that met CTEs is moved after its WITH
        // clause.
        self.flush();
        let (start, text_start) = (self.pieces.len(), self.text.len());
        let rendered = body(self);
        self.flush();
        let scope = self.cte_scopes.pop().unwrap_or_default();
        rendered?;
        if !scope.rendered.is_empty() {
            let mut rendered = self.pieces.split_off(start);
            // The body's first text may have been joined to the piece before it.
            if let Some(Piece::Sql(prev)) = self.pieces.last_mut() {
                if prev.end > text_start {
                    rendered.insert(0, Piece::Sql(text_start..prev.end));
                    prev.end = text_start;
                }
            }
            self.w(if scope.recursive {
                "WITH RECURSIVE "
            } else {
                "WITH "
            });
            for (i, (_, pieces)) in scope.rendered.into_iter().enumerate() {
                if i > 0 {
                    self.w(", ");
                }
                self.append(pieces);
            }
            self.w(" ");
            self.append(rendered);
        }
        Ok(())
    }

    /// Registers a CTE met in a FROM clause: its definition goes into the statement's WITH
    /// clause, after the CTEs it depends on.
    pub fn register_cte(&mut self, cte: &Cte) -> Res {
        let def = cte.def();
        let Some(scope) = self.cte_scopes.last_mut() else {
            return Err(CompileError::invalid("a CTE cannot be used here"));
        };
        if scope.seen.contains(&def.name) {
            return Ok(());
        }
        scope.seen.push(def.name.clone());
        scope.recursive |= def.recursive;
        let saved_corr = std::mem::take(&mut self.correlation);
        let pieces = self.capture(|c| {
            c.ident(&def.name)?;
            if def.recursive && c.d.cte_column_list() {
                let cols = def.columns.clone()?;
                c.w("(");
                for (i, col) in cols.iter().enumerate() {
                    if i > 0 {
                        c.w(", ");
                    }
                    // The query's result names, which may be generated labels.
                    c.generated_ident(&col.name)?;
                }
                c.w(")");
            }
            c.w(" AS (");
            c.query(&def.query)?;
            c.w(")");
            Ok(())
        });
        self.correlation = saved_corr;
        let pieces = pieces?;
        if let Some(scope) = self.cte_scopes.last_mut() {
            scope.rendered.push((def.name.clone(), pieces));
        }
        Ok(())
    }

    /// Finishes the compilation.
    pub fn finish(
        mut self,
        columns: Vec<crate::compile::ResultColumn>,
    ) -> Result<Compiled, CompileError> {
        self.flush();
        params::assemble(
            self.d,
            self.text,
            self.pieces,
            self.slots,
            (self.literals, self.literal_origins),
            columns,
        )
    }
}

/// Collects the sources of the columns `expr` refers to, not descending into subqueries
/// (which have FROM clauses of their own).
pub(crate) fn collect_sources(expr: &Expr, out: &mut Vec<Source>) {
    match expr {
        Expr::Column(c) => {
            if !out.iter().any(|o| o.same_as(&c.source)) {
                out.push(c.source.clone());
            }
        }
        Expr::Not(e) | Expr::Neg(e) | Expr::Distinct(e) | Expr::Cast(e, _) | Expr::Label(_, e) => {
            collect_sources(e, out)
        }
        Expr::IsNull(e, _) => collect_sources(e, out),
        Expr::Binary(_, l, r) => {
            collect_sources(l, out);
            collect_sources(r, out);
        }
        Expr::Bool { items, .. } => items.iter().for_each(|e| collect_sources(e, out)),
        Expr::In(e, _, _) => collect_sources(e, out),
        Expr::Between(e, l, h, ..) => {
            collect_sources(e, out);
            collect_sources(l, out);
            collect_sources(h, out);
        }
        Expr::Like(l) => {
            collect_sources(&l.expr, out);
            collect_sources(&l.pattern, out);
        }
        Expr::Func { args, .. } => args.iter().for_each(|e| collect_sources(e, out)),
        Expr::Case(case) => {
            if let Some(op) = &case.operand {
                collect_sources(op, out);
            }
            for (w, t) in &case.whens {
                collect_sources(w, out);
                collect_sources(t, out);
            }
            if let Some(e) = &case.else_ {
                collect_sources(e, out);
            }
        }
        Expr::Over(f, w) => {
            collect_sources(f, out);
            w.partition_by.iter().for_each(|e| collect_sources(e, out));
            w.order_by
                .iter()
                .for_each(|o| collect_sources(&o.expr, out));
        }
        Expr::Extract(_, e) => collect_sources(e, out),
        Expr::Tuple(items) => items.iter().for_each(|e| collect_sources(e, out)),
        Expr::Filter(f, cond) => {
            collect_sources(f, out);
            collect_sources(cond, out);
        }
        Expr::Json(get) => collect_sources(&get.doc, out),
        Expr::Array(a) => match &**a {
            crate::expr::ArrayExpr::Op(_, l, r) => {
                collect_sources(l, out);
                collect_sources(r, out);
            }
            crate::expr::ArrayExpr::AnyAll { array, .. } => collect_sources(array, out),
            crate::expr::ArrayExpr::Item { array, index } => {
                collect_sources(array, out);
                collect_sources(index, out);
            }
            crate::expr::ArrayExpr::Slice {
                array,
                lower,
                upper,
            } => {
                collect_sources(array, out);
                collect_sources(lower, out);
                collect_sources(upper, out);
            }
            crate::expr::ArrayExpr::Literal(items) => {
                items.iter().for_each(|e| collect_sources(e, out))
            }
        },
        Expr::IsBool(e, ..) => collect_sources(e, out),
        Expr::Jsonb(_, l, r) => {
            collect_sources(l, out);
            collect_sources(r, out);
        }
        Expr::TextSearch(ts) => match &**ts {
            crate::expr::TextSearch::Match { expr, query, .. } => {
                collect_sources(expr, out);
                collect_sources(query, out);
            }
            crate::expr::TextSearch::TsMatch(l, r) => {
                collect_sources(l, out);
                collect_sources(r, out);
            }
        },
        Expr::Bind(_)
        | Expr::Param(_)
        | Expr::Text(_)
        | Expr::BoolConst(_)
        | Expr::LabelRef(_)
        | Expr::NextValue(_)
        | Expr::Raw(_)
        | Expr::Null
        | Expr::ScalarSubquery(_)
        | Expr::Exists(_)
        | Expr::Excluded(_)
        | Expr::Invalid(_) => {}
    }
}
