//! Compiled-statement cache keys.
//!
//! [`extract`] walks a statement once and yields its [`Extracted`] form: a key covering the
//! statement's structure and dialect — everything that changes the SQL — and, apart, the
//! values the statement carries, in walk order. Two statements that differ only in values
//! have equal keys; keys are compared in full (the hash only picks the bucket), so a
//! collision can never hand out the wrong SQL.
//!
//! A [`CachedCompiled`](crate::CachedCompiled) remembers, for each value its compiled form binds, which extracted
//! value it was — traced by identity while compiling the very statement that was keyed, so
//! the walk order of the key and the binding order of the compiler can never disagree. A
//! value the compiler bound that the key walk did not see makes the statement uncacheable
//! rather than wrong.
//!
//! ```
//! use sqlcore_compiler::*;
//! let users = Table::new("users").column(Column::new("id", SqlType::Integer).primary_key());
//! let one: Statement = select(&users).filter(users.c("id").eq(1)).into();
//! let two: Statement = select(&users).filter(users.c("id").eq(2)).into();
//! let (a, b) = (extract(&one, &SQLite).unwrap(), extract(&two, &SQLite).unwrap());
//! assert_eq!(a.hash(), b.hash());
//! let cached = CachedCompiled::new(one.compile(&SQLite).unwrap(), &a).unwrap();
//! assert!(b.matches(cached.key()));
//! let bound = cached.bind(&b, &Params::new(), None).unwrap();
//! assert_eq!(bound.values, [Value::I32(2)]);
//! ```

use crate::dialect::Dialect;
use crate::expr::{
    ArrayExpr, Bind, BindParam, Expr, FrameBound, InList, OrderBy, SeenBinds, TextSearch, Window,
};
use crate::schema::{Column, SqlType, Table};
use crate::stmt::{
    CompoundSelect, Ddl, Distinct, FromClause, Insert, InsertSource, OnConflict, Query, Select,
    SelectItem, Source, Statement,
};
use crate::text::TextClause;
use crate::value::Value;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;
use values::Values;

mod values;

/// One element of a key, borrowed from the statement.
#[derive(Debug, Clone, Copy)]
enum Part<'s> {
    /// A node kind, a flag or a length: the walk makes the stream prefix-free.
    Tag(u32),
    Str(&'s str),
    Table(&'s Table),
    Column(&'s Arc<Column>),
    Type(&'s SqlType),
    Ddl(&'s Ddl),
    Text(&'s TextClause),
}

/// [`Part`], owned by a stored key.
#[derive(Debug, Clone)]
enum OwnedPart {
    Tag(u32),
    Str(Box<str>),
    Table(Table),
    Column(Arc<Column>),
    Type(SqlType),
    Ddl(Box<Ddl>),
    Text(Box<TextClause>),
}

impl Part<'_> {
    fn matches(&self, owned: &OwnedPart) -> bool {
        match (self, owned) {
            (Part::Tag(a), OwnedPart::Tag(b)) => a == b,
            (Part::Str(a), OwnedPart::Str(b)) => **a == **b,
            (Part::Table(a), OwnedPart::Table(b)) => a.same_definition(b),
            (Part::Column(a), OwnedPart::Column(b)) => Arc::ptr_eq(a, b) || ***a == **b,
            (Part::Type(a), OwnedPart::Type(b)) => *a == b,
            (Part::Ddl(a), OwnedPart::Ddl(b)) => *a == &**b,
            (Part::Text(a), OwnedPart::Text(b)) => a.same_shape(b),
            _ => false,
        }
    }

    fn to_stored(self) -> OwnedPart {
        match self {
            Part::Tag(t) => OwnedPart::Tag(t),
            Part::Str(s) => OwnedPart::Str(s.into()),
            Part::Table(t) => OwnedPart::Table(t.clone()),
            Part::Column(c) => OwnedPart::Column(c.clone()),
            Part::Type(t) => OwnedPart::Type(t.clone()),
            Part::Ddl(d) => OwnedPart::Ddl(Box::new(d.clone())),
            Part::Text(t) => OwnedPart::Text(Box::new(t.clone())),
        }
    }

    fn hash_into(&self, h: &mut impl Hasher) {
        match self {
            Part::Tag(t) => h.write_u32(*t),
            Part::Str(s) => s.hash(h),
            Part::Table(t) => {
                t.schema.hash(h);
                t.name.hash(h);
            }
            Part::Column(c) => c.name.hash(h),
            Part::Type(t) => t.hash(h),
            Part::Ddl(_) => h.write_u8(0xdd),
            Part::Text(t) => t.sql().hash(h),
        }
    }
}

/// A stored cache key: the structure of a statement and its dialect, never its values.
#[derive(Debug, Clone)]
pub struct CacheKey {
    hash: u64,
    parts: Box<[OwnedPart]>,
}

impl CacheKey {
    /// The key's hash (equal keys have equal hashes; equal hashes prove nothing).
    pub fn hash(&self) -> u64 {
        self.hash
    }
}

/// A statement's cache key, borrowed from it, with the values it carries in walk order.
#[derive(Debug)]
pub struct Extracted<'s> {
    hash: u64,
    parts: Vec<Part<'s>>,
    pub(crate) values: Values<'s>,
}

impl<'s> Extracted<'s> {
    /// The key's hash, to pick a cache bucket.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// Whether `key` is this statement's key: the same structure and dialect, compared in
    /// full.
    pub fn matches(&self, key: &CacheKey) -> bool {
        self.hash == key.hash
            && self.parts.len() == key.parts.len()
            && self
                .parts
                .iter()
                .zip(&*key.parts)
                .all(|(a, b)| a.matches(b))
    }

    /// The key, owned, for storing.
    pub fn to_key(&self) -> CacheKey {
        CacheKey {
            hash: self.hash,
            parts: self.parts.iter().map(|p| p.to_stored()).collect(),
        }
    }

    /// The values the statement carries, in walk order.
    pub fn values(&self) -> &[&'s Value] {
        &self.values
    }
}

/// The cache key and values of `stmt` compiled for `dialect`; `None` when the statement
/// cannot be cached (it holds an invalid expression, whose error compiling reports).
pub fn extract<'s>(stmt: &'s Statement, dialect: &dyn Dialect) -> Option<Extracted<'s>> {
    let mut w = Walker {
        parts: Vec::with_capacity(32),
        values: Values::default(),
        ok: true,
        anon: Vec::new(),
        binds: SeenBinds::default(),
    };
    w.parts.push(Part::Str(dialect.name()));
    w.statement(stmt);
    if !w.ok {
        return None;
    }
    let mut h = foldhash::fast::FixedState::with_seed(0x5c1c_0e5e).build_hasher();
    h.write_usize(w.parts.len());
    for p in &w.parts {
        p.hash_into(&mut h);
    }
    Some(Extracted {
        hash: h.finish(),
        parts: w.parts,
        values: w.values,
    })
}

/// Walks a statement, recording everything that shapes its SQL.
struct Walker<'s> {
    parts: Vec<Part<'s>>,
    values: Values<'s>,
    ok: bool,
    /// Anonymous subqueries met, by identity.
    anon: Vec<usize>,
    /// The binds met, by identity, with the index of their first value.
    binds: SeenBinds,
}

/// Marks a bind met before (followed by the index of its first value): a statement where two
/// places hold one bind compiles to one parameter, and never shares a key with one where
/// they hold two. A first occurrence starts with its type (a [`Part::Type`] or `Tag(0)`),
/// so the stream stays prefix-free.
const REPEATED_BIND: u32 = u32::MAX;

impl<'s> Walker<'s> {
    fn tag(&mut self, t: u32) {
        self.parts.push(Part::Tag(t));
    }

    fn flag(&mut self, b: bool) {
        self.tag(b as u32);
    }

    fn len(&mut self, n: usize) {
        self.tag(n as u32);
    }

    fn str(&mut self, s: &'s str) {
        self.parts.push(Part::Str(s));
    }

    fn names(&mut self, names: &'s [Arc<str>]) {
        self.len(names.len());
        for n in names {
            self.str(n);
        }
    }

    fn sql_type(&mut self, t: &'s Option<SqlType>) {
        match t {
            Some(t) => self.parts.push(Part::Type(t)),
            None => self.tag(0),
        }
    }

    /// A bound value: its type and whether it was met before shape the SQL, its value is
    /// extracted (at every occurrence: the compiler binds whichever it meets first).
    fn bind(&mut self, b: &'s Bind) {
        let n = self.values.len() as u32;
        if let Some(first) = self.binds.first_or_insert(b.id(), n) {
            self.tag(REPEATED_BIND);
            self.tag(first);
        }
        self.sql_type(&b.sql_type);
        self.values.push(&b.value);
    }

    fn param(&mut self, p: &'s BindParam) {
        self.str(&p.name);
        self.flag(p.expanding);
        self.sql_type(&p.sql_type);
    }

    fn statement(&mut self, s: &'s Statement) {
        match s {
            Statement::Select(s) => {
                self.tag(1);
                self.select(s);
            }
            Statement::Compound(c) => {
                self.tag(2);
                self.compound(c);
            }
            Statement::Insert(i) => {
                self.tag(3);
                self.insert(i);
            }
            Statement::Update(u) => {
                self.tag(4);
                self.parts.push(Part::Table(&u.table));
                self.assignments(&u.set);
                self.len(u.elements.len());
                for (target, value) in &u.elements {
                    self.expr(target);
                    self.expr(value);
                }
                self.exprs(&u.filters);
                self.items(&u.returning);
            }
            Statement::Delete(d) => {
                self.tag(5);
                self.parts.push(Part::Table(&d.table));
                self.exprs(&d.filters);
                self.items(&d.returning);
            }
            // DDL writes its values as literals: the whole statement is the key.
            Statement::Ddl(d) => self.parts.push(Part::Ddl(d)),
            Statement::Text(t) => self.text(t),
        }
    }

    /// A `text()` clause: its shape, and apart the values it carries.
    fn text(&mut self, t: &'s TextClause) {
        self.parts.push(Part::Text(t));
        for b in t.values() {
            self.bind(b);
        }
    }

    fn query(&mut self, q: &'s Query) {
        match q {
            Query::Select(s) => {
                self.tag(1);
                self.select(s);
            }
            Query::Compound(c) => {
                self.tag(2);
                self.compound(c);
            }
        }
    }

    fn select(&mut self, s: &'s Select) {
        self.items(&s.items);
        self.len(s.from.len());
        for f in &s.from {
            self.from(f);
        }
        self.exprs(&s.filters);
        self.exprs(&s.group_by);
        self.exprs(&s.having);
        self.order_by(&s.order_by);
        self.opt_expr(&s.limit);
        self.opt_expr(&s.offset);
        match &s.distinct {
            Distinct::None => self.tag(0),
            Distinct::All => self.tag(1),
            Distinct::On(exprs) => {
                self.tag(2);
                self.exprs(exprs);
            }
        }
        match &s.for_update {
            None => self.tag(0),
            Some(f) => {
                self.tag(
                    1 | (f.read as u32) << 1 | (f.nowait as u32) << 2 | (f.skip_locked as u32) << 3,
                );
                self.len(f.of.len());
                for s in &f.of {
                    self.source(s);
                }
            }
        }
        self.flag(s.correlate);
        self.len(s.windows.len());
        for (name, window) in &s.windows {
            self.str(name);
            self.window(window);
        }
    }

    fn compound(&mut self, c: &'s CompoundSelect) {
        self.tag(c.op as u32);
        self.len(c.selects.len());
        for q in &c.selects {
            self.query(q);
        }
        self.order_by(&c.order_by);
        self.opt_expr(&c.limit);
        self.opt_expr(&c.offset);
    }

    fn insert(&mut self, i: &'s Insert) {
        self.parts.push(Part::Table(&i.table));
        match &i.source {
            InsertSource::Values(rows) => {
                self.tag(1);
                self.len(rows.len());
                for row in rows {
                    self.assignments(row);
                }
            }
            InsertSource::Select(cols, q) => {
                self.tag(2);
                self.names(cols);
                self.query(q);
            }
        }
        self.items(&i.returning);
        match &i.on_conflict {
            None => self.tag(0),
            Some(OnConflict::DoNothing { target }) => {
                self.tag(1);
                self.names(target);
            }
            Some(OnConflict::DoUpdate {
                target,
                set,
                filter,
            }) => {
                self.tag(2);
                self.names(target);
                self.assignments(set);
                self.opt_expr(filter);
            }
            Some(OnConflict::DuplicateKeyUpdate { set }) => {
                self.tag(3);
                self.assignments(set);
            }
        }
    }

    fn assignments(&mut self, set: &'s [(Arc<str>, Expr)]) {
        self.len(set.len());
        for (name, value) in set {
            self.str(name);
            self.expr(value);
        }
    }

    fn items(&mut self, items: &'s [SelectItem]) {
        self.len(items.len());
        for item in items {
            match item {
                SelectItem::All(s) => {
                    self.tag(1);
                    self.source(s);
                }
                SelectItem::Expr(e) => {
                    self.tag(2);
                    self.expr(e);
                }
            }
        }
    }

    fn from(&mut self, f: &'s FromClause) {
        match f {
            FromClause::Source(s) => {
                self.tag(1);
                self.source(s);
            }
            FromClause::Join(j) => {
                self.tag(2);
                self.tag(j.kind as u32);
                self.from(&j.left);
                self.from(&j.right);
                self.expr(&j.on);
            }
        }
    }

    fn source(&mut self, s: &'s Source) {
        match s {
            Source::Table(t) => {
                self.tag(1);
                self.parts.push(Part::Table(t));
            }
            Source::Alias(a) => {
                self.tag(2);
                self.str(a.name());
                self.parts.push(Part::Table(a.table()));
            }
            Source::Subquery(sq) => {
                self.tag(3);
                let def = sq.def();
                self.str(&def.name);
                self.flag(def.recursive);
                self.flag(def.lateral);
                if def.anonymous {
                    // Which anonymous subquery: the N-th met names it `anon_N`.
                    let id = sq.id();
                    let n = match self.anon.iter().position(|&a| a == id) {
                        Some(i) => i,
                        None => {
                            self.anon.push(id);
                            self.anon.len() - 1
                        }
                    };
                    self.tag(n as u32 + 1);
                } else {
                    self.tag(0);
                }
                self.query(&def.query);
            }
            Source::Cte(cte) => {
                self.tag(4);
                let def = cte.def();
                self.str(&def.name);
                self.flag(def.recursive);
                self.query(&def.query);
            }
        }
    }

    fn exprs(&mut self, exprs: &'s [Expr]) {
        self.len(exprs.len());
        for e in exprs {
            self.expr(e);
        }
    }

    fn opt_expr(&mut self, e: &'s Option<Expr>) {
        match e {
            Some(e) => {
                self.tag(1);
                self.expr(e);
            }
            None => self.tag(0),
        }
    }

    fn order_by(&mut self, items: &'s [OrderBy]) {
        self.len(items.len());
        for o in items {
            self.tag(o.direction.map_or(0, |d| d as u32 + 1));
            self.tag(o.nulls.map_or(0, |n| n as u32 + 1));
            self.expr(&o.expr);
        }
    }

    fn window(&mut self, window: &'s Window) {
        self.exprs(&window.partition_by);
        self.order_by(&window.order_by);
        match &window.frame {
            None => self.tag(0),
            Some(frame) => {
                self.tag(frame.units as u32 + 1);
                self.frame_bound(frame.start);
                self.frame_bound(frame.end);
            }
        }
        match &window.base {
            None => self.tag(0),
            Some(name) => {
                self.tag(1);
                self.str(name);
            }
        }
    }

    fn frame_bound(&mut self, bound: FrameBound) {
        let n = match bound {
            FrameBound::Preceding(n) | FrameBound::Following(n) => n,
            _ => 0,
        };
        self.tag(bound.rank().into());
        self.tag((n >> 32) as u32);
        self.tag(n as u32);
    }

    fn expr(&mut self, e: &'s Expr) {
        match e {
            Expr::Column(c) => {
                self.tag(1);
                self.source(&c.source);
                self.parts.push(Part::Column(&c.column));
            }
            Expr::Bind(b) => {
                self.tag(2);
                self.bind(b);
            }
            Expr::Param(p) => {
                self.tag(3);
                self.param(p);
            }
            Expr::Raw(sql) => {
                self.tag(4);
                self.str(sql);
            }
            Expr::Null => self.tag(5),
            Expr::Not(e) => {
                self.tag(6);
                self.expr(e);
            }
            Expr::Neg(e) => {
                self.tag(7);
                self.expr(e);
            }
            Expr::Binary(op, l, r) => {
                self.tag(8);
                self.tag(*op as u32);
                self.expr(l);
                self.expr(r);
            }
            Expr::Bool { and, items } => {
                self.tag(9);
                self.flag(*and);
                self.exprs(items);
            }
            Expr::IsNull(e, negated) => {
                self.tag(10);
                self.flag(*negated);
                self.expr(e);
            }
            Expr::In(e, list, negated) => {
                self.tag(11);
                self.flag(*negated);
                self.expr(e);
                match list {
                    InList::Values(b) => {
                        self.tag(1);
                        self.bind(b);
                    }
                    InList::Param(p) => {
                        self.tag(2);
                        self.param(p);
                    }
                    InList::Query(q) => {
                        self.tag(3);
                        self.query(q);
                    }
                    InList::Invalid(_) => self.ok = false,
                }
            }
            Expr::Between(e, low, high, negated, symmetric) => {
                self.tag(12);
                self.flag(*negated);
                self.flag(*symmetric);
                self.expr(e);
                self.expr(low);
                self.expr(high);
            }
            Expr::Like(l) => {
                self.tag(13);
                self.flag(l.negated);
                self.flag(l.case_insensitive);
                self.tag(l.escape.map_or(0, |c| c as u32 + 1));
                self.expr(&l.expr);
                self.expr(&l.pattern);
            }
            Expr::Func { name, args, star } => {
                self.tag(14);
                self.str(name);
                self.flag(*star);
                self.exprs(args);
            }
            Expr::Distinct(e) => {
                self.tag(15);
                self.expr(e);
            }
            Expr::Case(case) => {
                self.tag(16);
                self.opt_expr(&case.operand);
                self.len(case.whens.len());
                for (when, then) in &case.whens {
                    self.expr(when);
                    self.expr(then);
                }
                self.opt_expr(&case.else_);
            }
            Expr::Cast(e, ty) => {
                self.tag(17);
                self.parts.push(Part::Type(ty));
                self.expr(e);
            }
            Expr::Label(name, e) => {
                self.tag(18);
                self.str(name);
                self.expr(e);
            }
            Expr::Over(f, window) => {
                self.tag(19);
                self.expr(f);
                self.window(window);
            }
            Expr::ScalarSubquery(q) => {
                self.tag(20);
                self.query(q);
            }
            Expr::Exists(q) => {
                self.tag(21);
                self.query(q);
            }
            Expr::Excluded(name) => {
                self.tag(22);
                self.str(name);
            }
            Expr::Json(get) => {
                self.tag(23);
                self.flag(get.is_path);
                self.tag(get.as_ as u32);
                self.expr(&get.doc);
                // The steps are values: which one a dialect binds, the other is not bound.
                self.bind(&get.pg_operand);
                self.bind(&get.json_path);
            }
            Expr::Jsonb(op, l, r) => {
                self.tag(24);
                self.tag(*op as u32);
                self.expr(l);
                self.expr(r);
            }
            Expr::Text(t) => {
                self.tag(25);
                self.text(t);
            }
            Expr::BoolConst(value) => {
                self.tag(26);
                self.flag(*value);
            }
            Expr::IsBool(e, value, negated) => {
                self.tag(27);
                self.flag(*value);
                self.flag(*negated);
                self.expr(e);
            }
            Expr::LabelRef(name) => {
                self.tag(28);
                self.str(name);
            }
            Expr::Invalid(_) => self.ok = false,
            Expr::Extract(field, e) => {
                self.tag(29);
                self.str(field);
                self.expr(e);
            }
            Expr::Filter(f, cond) => {
                self.tag(30);
                self.expr(f);
                self.expr(cond);
            }
            Expr::Tuple(items) => {
                self.tag(31);
                self.exprs(items);
            }
            Expr::Array(a) => {
                self.tag(40);
                self.array(a);
            }
            Expr::NextValue(seq) => {
                // What the SQL names: the schema and the name (optional: whether used).
                self.tag(41);
                self.flag(seq.optional);
                self.flag(seq.schema.is_some());
                if let Some(schema) = &seq.schema {
                    self.str(schema);
                }
                self.str(&seq.name);
            }
            Expr::TextSearch(ts) => match &**ts {
                TextSearch::Match {
                    expr,
                    query,
                    config,
                } => {
                    self.tag(42);
                    self.flag(config.is_some());
                    self.expr(expr);
                    self.expr(query);
                    if let Some(config) = config {
                        self.expr(config);
                    }
                }
                TextSearch::TsMatch(l, r) => {
                    self.tag(43);
                    self.expr(l);
                    self.expr(r);
                }
            },
        }
    }
}

impl<'s> Walker<'s> {
    /// An array expression: its kind and operands (its element type and dimensions come in
    /// with the operands' columns and bound types).
    fn array(&mut self, a: &'s ArrayExpr) {
        match a {
            ArrayExpr::Op(op, l, r) => {
                self.tag(1);
                self.tag(*op as u32);
                self.expr(l);
                self.expr(r);
            }
            ArrayExpr::AnyAll { array, all } => {
                self.tag(2);
                self.flag(*all);
                self.expr(array);
            }
            ArrayExpr::Item { array, index } => {
                self.tag(3);
                self.expr(array);
                self.expr(index);
            }
            ArrayExpr::Slice {
                array,
                lower,
                upper,
            } => {
                self.tag(4);
                self.expr(array);
                self.expr(lower);
                self.expr(upper);
            }
            ArrayExpr::Literal(items) => {
                self.tag(5);
                self.exprs(items);
            }
        }
    }
}
