//! [`text()`]: textual SQL with `:name` parameters.
//!
//! Parameters are found with sqlparser's tokenizer, so a `:x` inside a string literal, a quoted
//! identifier or a comment is not a parameter, `::` is PostgreSQL's cast, `\:` is a literal
//! colon (everywhere, inside string literals too, as in SQLAlchemy), and `:p::int` is the
//! parameter `p` followed by a cast.

use crate::compile::{Compile, Compiled, Compiler, Params, ResultColumn};
use crate::dialect::{Dialect, InListStyle};
use crate::error::CompileError;
use crate::expr::{Bind, BindParam, Expr};
use crate::schema::SqlType;
use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Location, Token, Tokenizer};
use std::collections::HashSet;
use std::sync::Arc;

/// A piece of textual SQL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TextPiece {
    /// SQL written as is.
    Sql(String),
    /// A named parameter.
    Param(Arc<str>),
}

/// Textual SQL with named parameters (SQLAlchemy's `text()`).
///
/// ```
/// use sqlcore_compiler::*;
/// let t = text("SELECT * FROM users WHERE id = :id AND note <> ':not_a_param' AND n = :id::int");
/// assert_eq!(t.param_names(), ["id"]);
/// let c = t.compile(&PostgreSQL).unwrap();
/// assert_eq!(c.sql, "SELECT * FROM users WHERE id = $1 AND note <> ':not_a_param' AND n = $1::int");
/// assert_eq!(text("SELECT :a, :b").compile(&SQLite).unwrap().sql, "SELECT ?1, ?2");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TextClause {
    sql: Arc<str>,
    columns: Vec<ResultColumn>,
    /// Parameters declared with [`TextClause::bindparams`] (type, expanding).
    params: Vec<BindParam>,
    /// Values the clause carries ([`TextClause::bind_values`]), bound as parameters.
    values: Vec<(Arc<str>, Bind)>,
    /// Why a declaration was refused, reported when compiled.
    invalid: Option<CompileError>,
}

/// Textual SQL; `:name` marks a parameter (see the [module docs](self)). The SQL is
/// tokenized when compiled, with the dialect's own rules (MySQL's `\'` escapes and `#`
/// comments, PostgreSQL's dollar quotes).
pub fn text(sql: &str) -> TextClause {
    TextClause {
        sql: sql.into(),
        columns: Vec::new(),
        params: Vec::new(),
        values: Vec::new(),
        invalid: None,
    }
}

impl TextClause {
    /// The SQL as written.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The SQL split into text and parameters by `dialect`'s tokenizer.
    pub fn pieces(&self, dialect: &dyn Dialect) -> Result<Vec<TextPiece>, CompileError> {
        parse(&self.sql, &*dialect.tokenizer_dialect())
    }

    /// The distinct names of the parameters given at execution, in order of first use
    /// (tokenized with generic rules); those whose values the clause carries
    /// ([`TextClause::bind_values`]) are not among them.
    pub fn param_names(&self) -> Vec<String> {
        let mut seen: HashSet<Arc<str>> = HashSet::new();
        let mut out: Vec<String> = Vec::new();
        for p in parse(&self.sql, &GenericDialect {}).unwrap_or_default() {
            if let TextPiece::Param(name) = p {
                let carried = self.values.iter().any(|(n, _)| *n == name);
                if !carried && seen.insert(name.clone()) {
                    out.push(name.to_string());
                }
            }
        }
        out
    }

    /// Declares the result columns (SQLAlchemy's `text().columns()`), for typed results. They
    /// are matched to the result's columns by position; when the counts agree, the result's
    /// keys are these names.
    pub fn columns<I, N>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = (N, SqlType)>,
        N: Into<Arc<str>>,
    {
        self.columns = columns
            .into_iter()
            .map(|(name, ty)| ResultColumn {
                name: name.into(),
                sql_type: Some(ty),
            })
            .collect();
        self
    }
}

impl TextClause {
    /// Declares parameters given at execution: their types, and which are expanding
    /// (SQLAlchemy's `text(...).bindparams(bindparam("ids", expanding=True))`). Each item is
    /// a [`bindparam`](crate::bindparam) or [`bindparam_expanding`](crate::bindparam_expanding).
    ///
    /// An expanding parameter stands for a parenthesized list, written `IN :ids`: `IN (?, ?)`
    /// with one placeholder per element on SQLite and MySQL, `IN (SELECT unnest($1))` with one
    /// array on PostgreSQL — one compiled form for every length. PostgreSQL learns the array's
    /// element type from its values: for an empty list, type the parameter
    /// ([`Expr::with_type`]).
    ///
    /// [`Expr::with_type`]: crate::Expr::with_type
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = text("SELECT id FROM users WHERE id IN :ids").bindparams([bindparam_expanding("ids")]);
    /// let pg = t.compile(&PostgreSQL).unwrap();
    /// assert_eq!(pg.sql, "SELECT id FROM users WHERE id IN (SELECT unnest($1))");
    /// let lite = t.compile(&SQLite).unwrap();
    /// let ids = Value::Array(vec![Value::I32(1), Value::I32(2), Value::I32(3)]);
    /// let bound = lite.bind(&params! { "ids" => ids }).unwrap();
    /// assert_eq!(bound.sql, "SELECT id FROM users WHERE id IN (?1, ?2, ?3)");
    /// ```
    pub fn bindparams<I>(mut self, params: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Expr>,
    {
        for p in params {
            match p.into() {
                Expr::Param(p) => {
                    self.params.retain(|q| q.name != p.name);
                    self.params.push(p);
                }
                _ => {
                    self.invalid = Some(CompileError::invalid(
                        "text().bindparams() takes bindparam() / bindparam_expanding() items",
                    ));
                }
            }
        }
        self
    }

    /// Values the clause carries, bound as parameters (SQLAlchemy's
    /// `text("x > :v").bindparams(v=5)`): a fragment complete in itself, usable as a WHERE
    /// criterion or a column.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t").column(Column::new("x", SqlType::Integer));
    /// let q = select(&t).filter(text("t.x > :v").bind_values(params! { "v" => 5 }));
    /// let c = q.compile(&PostgreSQL).unwrap();
    /// assert_eq!(c.sql, "SELECT t.x FROM t WHERE t.x > $1");
    /// assert_eq!(c.literals, [Value::I32(5)]);
    /// let t = text("x > :v AND y < :w").bind_values(params! { "v" => 5 });
    /// assert_eq!(t.param_names(), ["w"]);
    /// ```
    pub fn bind_values(mut self, values: Params) -> Self {
        for (name, value) in values {
            let name: Arc<str> = name.as_ref().into();
            self.values.retain(|(n, _)| *n != name);
            self.values.push((name, Bind::new(value, None)));
        }
        self
    }

    /// The values the clause carries, in the order given.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Bind> {
        self.values.iter().map(|(_, b)| b)
    }

    /// Whether two clauses compile alike whatever the values they carry: the same SQL,
    /// columns, declared parameters, and names and types of carried values.
    pub(crate) fn same_shape(&self, other: &TextClause) -> bool {
        self.sql == other.sql
            && self.columns == other.columns
            && self.params == other.params
            && self.invalid == other.invalid
            && self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(&other.values)
                .all(|((a, x), (b, y))| a == b && x.sql_type == y.sql_type)
    }
}

impl Compiler<'_> {
    /// Renders a `text()` clause: its SQL, with its parameters bound.
    pub fn text_clause(&mut self, t: &TextClause) -> Result<(), CompileError> {
        if let Some(e) = &t.invalid {
            return Err(e.clone());
        }
        for piece in t.pieces(self.d)? {
            match piece {
                TextPiece::Sql(s) => self.w(&s),
                TextPiece::Param(name) => {
                    if let Some((_, b)) = t.values.iter().find(|(n, _)| *n == name) {
                        self.bind(b, b.sql_type.as_ref(), false)?;
                    } else if let Some(p) = t.params.iter().find(|p| p.name == name) {
                        if p.expanding {
                            let array = self.d.in_list_style() == InListStyle::AnyArray;
                            self.w(if array { "(SELECT unnest(" } else { "(" });
                            self.bind_named(&p.name, p.sql_type.as_ref(), true)?;
                            self.w(if array { "))" } else { ")" });
                        } else {
                            self.bind_named(&p.name, p.sql_type.as_ref(), false)?;
                        }
                    } else {
                        self.bind_named(&name, None, false)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Byte offsets of the tokenizer's locations (1-based line and character column).
///
/// Columns count characters, so an offset is found by walking the line's characters. The
/// walk starts where the last location asked for was found when it lies on the same line
/// before this one (tokens are asked for in order), so a text is walked about once however
/// long its lines: linear, where walking from the line's start each time would be quadratic
/// in the length of a line.
struct Offsets<'a> {
    sql: &'a str,
    line_starts: Vec<usize>,
    /// The last location asked for (line, column) and its byte offset.
    last: (u64, u64, usize),
}

impl<'a> Offsets<'a> {
    fn new(sql: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(sql.match_indices('\n').map(|(i, _)| i + 1));
        Offsets {
            sql,
            line_starts,
            last: (1, 1, 0),
        }
    }

    fn of(&mut self, loc: Location) -> usize {
        let (line, column) = (loc.line.max(1), loc.column.max(1));
        let (last_line, last_column, last_byte) = self.last;
        let (from_column, from) = if line == last_line && column >= last_column {
            (last_column, last_byte)
        } else {
            let Some(&start) = usize::try_from(line - 1)
                .ok()
                .and_then(|i| self.line_starts.get(i))
            else {
                return self.sql.len();
            };
            (1, start)
        };
        let skip = usize::try_from(column - from_column).unwrap_or(usize::MAX);
        let byte = self.sql[from..]
            .char_indices()
            .nth(skip)
            .map_or(self.sql.len(), |(i, _)| from + i);
        self.last = (line, column, byte);
        byte
    }
}

fn parse(
    sql: &str,
    dialect: &dyn sqlparser::dialect::Dialect,
) -> Result<Vec<TextPiece>, CompileError> {
    let tokens = Tokenizer::new(dialect, sql)
        .with_unescape(false)
        .tokenize_with_location()
        .map_err(|e| CompileError::invalid(format!("text() could not tokenize the SQL: {e}")))?;
    let mut offsets = Offsets::new(sql);
    let mut offset = |loc| offsets.of(loc);

    let mut pieces = Vec::new();
    let mut copied = 0; // bytes of `sql` already emitted
    let mut i = 0;
    while i < tokens.len() {
        match (&tokens[i].token, tokens.get(i + 1).map(|t| &t.token)) {
            (Token::Colon, Some(Token::Word(w))) if w.quote_style.is_none() => {
                let colon = offset(tokens[i].span.start);
                let word = offset(tokens[i + 1].span.start);
                // `arr[lo:hi]` and `a:b` are not parameters: the colon must not follow a word.
                let after_word = sql[..colon]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
                if word == colon + 1 && !after_word {
                    if colon > copied {
                        pieces.push(TextPiece::Sql(sql[copied..colon].to_owned()));
                    }
                    pieces.push(TextPiece::Param(w.value.as_str().into()));
                    copied = word + w.value.len();
                    i += 2;
                    continue;
                }
            }
            (Token::Backslash, Some(Token::Colon)) => {
                let slash = offset(tokens[i].span.start);
                if offset(tokens[i + 1].span.start) == slash + 1 {
                    pieces.push(TextPiece::Sql(sql[copied..slash].to_owned()));
                    copied = slash + 1; // drop the backslash, keep the colon
                    i += 2;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if copied < sql.len() {
        pieces.push(TextPiece::Sql(sql[copied..].to_owned()));
    }
    // Merge adjacent SQL pieces left by escapes.
    let mut merged: Vec<TextPiece> = Vec::with_capacity(pieces.len());
    for p in pieces {
        match (merged.last_mut(), p) {
            (Some(TextPiece::Sql(prev)), TextPiece::Sql(s)) => prev.push_str(&s),
            (_, p) => merged.push(p),
        }
    }
    for p in &mut merged {
        if let TextPiece::Sql(s) = p {
            if s.contains("\\:") {
                *s = unescape_colons(s);
            }
        }
    }
    Ok(merged)
}

/// `\:` is a colon wherever it is, inside string literals and comments too (SQLAlchemy's
/// `BIND_PARAMS_ESC`, `\\(:[\w$]*)(?![:\w$])`: not when the name after it is followed by
/// another colon). One pass over the text.
fn unescape_colons(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("\\:") {
        let after = &rest[i + 2..];
        let name = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(after.len());
        let keep = after[name..].starts_with(':');
        out.push_str(&rest[..i]);
        if keep {
            out.push('\\');
        }
        out.push(':');
        out.push_str(&after[..name]);
        rest = &after[name..];
    }
    out.push_str(rest);
    out
}

impl Compile for TextClause {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        let mut c = Compiler::new(dialect);
        c.text_clause(self)?;
        c.finish(self.columns.clone())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn params(sql: &str) -> Vec<String> {
        text(sql).param_names()
    }

    #[test]
    fn finds_only_real_parameters() {
        assert_eq!(
            params("select :a, ':b', \":c\", x -- :d\n, /* :e */ :f"),
            ["a", "f"]
        );
        assert_eq!(params("select :p::int, a::text"), ["p"]);
        assert_eq!(params("select $$ :x $$, :y"), ["y"]);
        assert_eq!(params("select :a, :a"), ["a"]);
        assert_eq!(params("select arr[lo:hi], x:y, :z"), ["z"]);
    }

    #[test]
    fn backslash_escapes_a_colon() {
        let c = text(r"select '10' \:x, :y")
            .compile(&crate::PostgreSQL)
            .unwrap();
        assert_eq!(c.sql, "select '10' :x, $1");
        // Inside a string literal or a comment too, as in SQLAlchemy.
        let c = text(r"select 'a\:x', '\:', :y -- \:z")
            .compile(&crate::SQLite)
            .unwrap();
        assert_eq!(c.sql, "select 'a:x', ':', ?1 -- :z");
        assert_eq!(unescape_colons(r"'\:a:b' \:"), r"'\:a:b' :");
    }

    #[test]
    fn mysql_escapes_and_comments_follow_the_dialect() {
        let c = text(r"select 'a\'', :p, '\'' # :q")
            .compile(&crate::MySQL)
            .unwrap();
        assert_eq!(c.params.len(), 1);
        assert_eq!(&*c.params[0].name, "p");
    }

    #[test]
    fn multibyte_text_keeps_offsets() {
        let c = text("select 'héllo\nwörld', :p, 'ü' -- :q\n")
            .compile(&crate::SQLite)
            .unwrap();
        assert_eq!(c.sql, "select 'héllo\nwörld', ?1, 'ü' -- :q\n");
    }

    #[test]
    fn offsets_agree_with_walking_each_line_from_its_start() {
        // The byte offset of a location, found the slow way.
        fn walked(sql: &str, loc: Location) -> usize {
            let line = (loc.line.max(1) - 1) as usize;
            let Some(start) = std::iter::once(0)
                .chain(sql.match_indices('\n').map(|(i, _)| i + 1))
                .nth(line)
            else {
                return sql.len();
            };
            let column = (loc.column.max(1) - 1) as usize;
            sql[start..]
                .char_indices()
                .nth(column)
                .map_or(sql.len(), |(i, _)| start + i)
        }
        for sql in [
            "",
            "select :a",
            "select 'héllo\nwörld', :p, 'ü' -- :q\n, :r",
            "\r\nselect\r\n  :a,\t:b  \n\n\n :c /* é\nü */ :d::int",
            "select 'ü', $$ :x\n $$, :y, \"é\n\" , :z\n",
        ] {
            let tokens = Tokenizer::new(&GenericDialect {}, sql)
                .tokenize_with_location()
                .unwrap();
            let mut offsets = Offsets::new(sql);
            for t in &tokens {
                for loc in [t.span.start, t.span.start, t.span.end] {
                    assert_eq!(offsets.of(loc), walked(sql, loc), "{sql:?} {loc:?}");
                }
            }
            // Out of order and out of range: still the same answers.
            for loc in [(1, 1), (3, 2), (1, 4), (0, 0), (99, 1), (1, 999)] {
                let loc = Location::new(loc.0, loc.1);
                assert_eq!(offsets.of(loc), walked(sql, loc), "{sql:?} {loc:?}");
            }
        }
    }

    /// Fails when `work` on an input of size `4 * n` takes 8 times as long as on one of size
    /// `n` or more: linear work takes about 4 times as long, quadratic work about 16 times.
    /// `input(n)` builds the input, untimed.
    ///
    /// The work is timed in the thread's CPU time, so time spent preempted by other processes
    /// (a busy machine, the other tests) does not count. Caches still make runs vary, so each
    /// size keeps its fastest of a few runs (taken in turn, small and large), and a ratio too
    /// high is measured again, twice at most, before the test fails — unless it is past 12,
    /// which is growth, not noise. The timing tests run one at a time.
    pub(crate) fn assert_linear<T>(
        what: &str,
        n: usize,
        input: impl Fn(usize) -> T,
        work: impl Fn(&T),
    ) {
        static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let (small, large) = (input(n), input(4 * n));
        let time = |input: &T| {
            let start = thread_cpu_time();
            work(input);
            thread_cpu_time().saturating_sub(start)
        };
        time(&small); // warm up
        let mut report = String::new();
        for _attempt in 0..3 {
            let (mut one, mut four) = (std::time::Duration::MAX, std::time::Duration::MAX);
            for _ in 0..5 {
                one = one.min(time(&small));
                four = four.min(time(&large));
            }
            let ratio = four.as_secs_f64() / one.as_secs_f64().max(1e-9);
            report = format!(
                "{what}: n = {n} took {one:.1?}, 4n took {four:.1?}: {ratio:.1}x \
                 (linear ≈ 4, quadratic ≈ 16)"
            );
            eprintln!("{report}");
            if ratio < 8.0 {
                return;
            }
            if ratio > 12.0 {
                break; // no busy spell: the work grows quadratically
            }
        }
        panic!("{report}");
    }

    /// The CPU time this thread has used.
    fn thread_cpu_time() -> std::time::Duration {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
        std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }

    /// `n` parameters `:p0, :p1, ...` joined by `sep`.
    fn many_params(n: usize, sep: &str) -> String {
        let params: Vec<String> = (0..n).map(|i| format!(":p{i}")).collect();
        format!("SELECT {}", params.join(sep))
    }

    /// A size whose compiling takes a few milliseconds in a debug build.
    const N: usize = 1_000;

    #[test]
    fn compiling_is_linear_in_the_length_of_a_line() {
        // One line, one name repeated: only the tokenizer's positions grow.
        let one_name = |n| text(&format!("SELECT {}", vec![":p"; n].join(", ")));
        assert_linear("one line, one name", N, one_name, |t: &TextClause| {
            assert_eq!(t.compile(&crate::PostgreSQL).unwrap().params.len(), 1);
        });
        // One line, every name distinct.
        let distinct = |n| (n, text(&many_params(n, ", ")));
        assert_linear("one line, distinct names", N, distinct, |(n, t)| {
            assert_eq!(t.compile(&crate::SQLite).unwrap().params.len(), *n);
        });
    }

    #[test]
    fn distinct_parameter_names_are_linear() {
        // One per line (short lines): only the number of distinct names grows.
        let per_line = |n| (n, text(&many_params(n, ",\n")));
        assert_linear("param_names, one per line", N, per_line, |(n, t)| {
            assert_eq!(t.param_names().len(), *n);
        });
        assert_linear("compile, one per line", N, per_line, |(n, t)| {
            assert_eq!(t.compile(&crate::MySQL).unwrap().params.len(), *n);
        });
    }

    #[test]
    fn the_cache_key_of_a_text_clause_is_linear() {
        use crate::stmt::Statement;
        // Compiled once, untimed: the key, its storing, its matching and binding are timed.
        let input = |n| {
            let stmt: Statement = text(&many_params(n, ",\n")).into();
            let again: Statement = text(&many_params(n, ",\n")).into();
            let compiled = stmt.compile(&crate::PostgreSQL).unwrap();
            let params: crate::Params = (0..n).map(|i| (format!("p{i}"), i as i64)).collect();
            (stmt, again, compiled, params)
        };
        assert_linear(
            "cache key",
            8 * N,
            input,
            |(stmt, again, compiled, params)| {
                let extracted = crate::extract(stmt, &crate::PostgreSQL).unwrap();
                let cached = crate::CachedCompiled::new(compiled.clone(), &extracted).unwrap();
                let other = crate::extract(again, &crate::PostgreSQL).unwrap();
                assert!(other.matches(cached.key()));
                let bound = cached.bind(&other, params, None).unwrap();
                assert_eq!(bound.values.len(), params.len());
            },
        );
    }
}
