//! Rendering expressions, with parentheses by precedence.

use super::{Compiler, Res};
use crate::dialect::{DistinctFromStyle, DivisionStyle, InListStyle, JsonAccessStyle};
use crate::error::CompileError;
use crate::expr::arith::{Affinity, affinity, operand_type};
use crate::expr::{
    BinaryOp, Expr, Frame, FrameBound, FrameUnits, InList, JsonAs, Like, NullsOrder, OrderBy,
    SortDirection, Window,
};
use crate::schema::SqlType;
use crate::stmt::Source;
use std::sync::Arc;

/// Binding strength: higher binds tighter.
const P_OR: u8 = 1;
const P_AND: u8 = 2;
const P_NOT: u8 = 3;
pub(super) const P_CMP: u8 = 4;
const P_CONCAT: u8 = 5;
const P_ADD: u8 = 6;
const P_MUL: u8 = 7;
const P_NEG: u8 = 8;
pub(super) const P_ATOM: u8 = 9;

fn op_prec(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Concat => P_CONCAT,
        BinaryOp::Add | BinaryOp::Sub => P_ADD,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod | BinaryOp::FloorDiv => P_MUL,
        _ => P_CMP,
    }
}

fn is_arith(e: &Expr) -> bool {
    matches!(e, Expr::Binary(op, ..) if matches!(op_prec(*op), P_ADD | P_MUL))
}

fn is_concat(e: &Expr) -> bool {
    matches!(e, Expr::Binary(BinaryOp::Concat, ..))
}

impl Compiler<'_> {
    fn prec(&self, e: &Expr) -> u8 {
        match e {
            Expr::Bool { and, items } if items.len() > 1 => {
                if *and {
                    P_AND
                } else {
                    P_OR
                }
            }
            Expr::Bool { items, .. } if items.len() == 1 => self.prec(&items[0]),
            // Rendered `1 = 1` / `1 != 1`.
            Expr::Bool { .. } => P_CMP,
            Expr::Not(_) => P_NOT,
            Expr::Binary(BinaryOp::Concat, ..) if self.d.concat_is_function() => P_ATOM,
            Expr::Binary(BinaryOp::IsDistinctFrom, ..)
                if self.d.distinct_from_style() == DistinctFromStyle::NullSafeEq =>
            {
                P_NOT
            }
            Expr::Binary(BinaryOp::FloorDiv, l, r) if !self.plain_floor_division(l, r) => P_ATOM,
            Expr::Binary(op, ..) => op_prec(*op),
            Expr::IsNull(..)
            | Expr::IsBool(..)
            | Expr::In(..)
            | Expr::Between(..)
            | Expr::Like(_) => P_CMP,
            Expr::Neg(_) => P_NEG,
            Expr::Label(_, inner) => self.prec(inner),
            Expr::Jsonb(..) | Expr::TextSearch(_) => P_CMP,
            Expr::Array(a) => Self::array_prec(a),
            // Whatever the text holds, it is grouped inside a larger expression.
            Expr::Text(_) => P_OR,
            Expr::Json(get)
                if matches!(get.as_, JsonAs::Json | JsonAs::Text)
                    && self.d.json_access_style() == JsonAccessStyle::Arrows =>
            {
                P_CMP
            }
            _ => P_ATOM,
        }
    }

    /// Renders `e`, parenthesised when it binds more loosely than `min`.
    pub(super) fn operand(&mut self, e: &Expr, min: u8) -> Res {
        if self.prec(e) < min {
            self.w("(");
            self.expr(e)?;
            self.w(")");
            Ok(())
        } else {
            self.expr(e)
        }
    }

    /// Renders an expression.
    pub fn expr(&mut self, e: &Expr) -> Res {
        match e {
            Expr::Column(c) => {
                if self.qualify {
                    self.source_name(&c.source)?;
                    self.w(".");
                }
                match c.source {
                    // A subquery's or CTE's column is named by its column list, where the
                    // name may be a generated label (a name the user gave too long is an
                    // error there).
                    Source::Subquery(_) | Source::Cte(_) => self.generated_ident(&c.column.name),
                    Source::Table(_) | Source::Alias(_) => self.ident(&c.column.name),
                }
            }
            Expr::Bind(b) => self.bind(b, b.sql_type.as_ref(), false),
            Expr::Param(p) => self.bind_named(&p.name, p.sql_type.as_ref(), p.expanding),
            Expr::Raw(sql) => {
                self.w(sql);
                Ok(())
            }
            Expr::Null => {
                self.w("NULL");
                Ok(())
            }
            Expr::Not(inner) => {
                self.w("NOT ");
                self.operand(inner, P_ATOM)
            }
            Expr::Neg(inner) => {
                // `-(...)` unless negating a column: `-` before a negative literal would start
                // a `--` comment.
                if matches!(**inner, Expr::Column(_)) {
                    self.w("-");
                    self.expr(inner)
                } else {
                    self.w("-(");
                    self.expr(inner)?;
                    self.w(")");
                    Ok(())
                }
            }
            Expr::Binary(op, l, r) => self.binary(*op, l, r),
            Expr::Bool { and, items } => self.boolean(*and, items),
            Expr::IsNull(inner, negated) => {
                self.operand(inner, P_CMP + 1)?;
                self.w(if *negated { " IS NOT NULL" } else { " IS NULL" });
                Ok(())
            }
            Expr::In(inner, list, negated) => self.in_list(inner, list, *negated),
            Expr::Between(inner, low, high, negated, symmetric) => {
                if *symmetric && !self.d.supports_between_symmetric() {
                    return Err(CompileError::unsupported(
                        "BETWEEN SYMMETRIC",
                        self.d.name(),
                    ));
                }
                self.operand(inner, P_CMP + 1)?;
                self.w(if *negated {
                    " NOT BETWEEN "
                } else {
                    " BETWEEN "
                });
                if *symmetric {
                    self.w("SYMMETRIC ");
                }
                self.operand(low, P_CMP + 1)?;
                self.w(" AND ");
                self.operand(high, P_CMP + 1)
            }
            Expr::Like(like) => self.like(like),
            Expr::Func { name, args, star } => self.function(name, args, *star),
            Expr::Distinct(inner) => {
                self.w("DISTINCT ");
                self.operand(inner, P_ATOM)
            }
            Expr::Case(case) => {
                self.w("CASE");
                if let Some(operand) = &case.operand {
                    self.w(" ");
                    self.expr(operand)?;
                }
                if case.whens.is_empty() {
                    return Err(CompileError::invalid("CASE needs at least one WHEN"));
                }
                for (cond, then) in &case.whens {
                    self.w(" WHEN ");
                    self.expr(cond)?;
                    self.w(" THEN ");
                    self.expr(then)?;
                }
                if let Some(else_) = &case.else_ {
                    self.w(" ELSE ");
                    self.expr(else_)?;
                }
                self.w(" END");
                Ok(())
            }
            Expr::Cast(inner, ty) => {
                // A named type (PostgreSQL's enums and domains) is written with a schema
                // token, as a table is (and so is an array of one).
                let named = ty.array_item().unwrap_or(ty);
                let type_sql = match crate::stmt::schema_object(named, self.d) {
                    Some(_) => None,
                    None => Some(self.d.cast_type_sql(ty)?),
                };
                self.w("CAST(");
                self.expr(inner)?;
                self.w(" AS ");
                match type_sql {
                    Some(sql) => self.w(&sql),
                    None => self.type_name(ty, None)?,
                }
                self.w(")");
                Ok(())
            }
            // A label names a column only in a column list; elsewhere it is its expression.
            Expr::Label(_, inner) => self.expr(inner),
            Expr::Over(func, window) => {
                self.expr(func)?;
                self.w(" OVER ");
                self.window_spec(window)
            }
            Expr::ScalarSubquery(q) => {
                self.w("(");
                self.query(q)?;
                self.w(")");
                Ok(())
            }
            Expr::Exists(q) => {
                self.w("EXISTS (");
                self.exists_body = true;
                self.query(q)?;
                self.w(")");
                Ok(())
            }
            Expr::Excluded(name) => {
                if self.d.supports_on_duplicate_key() {
                    self.w("VALUES(");
                    self.ident(name)?;
                    self.w(")");
                } else {
                    self.w("excluded.");
                    self.ident(name)?;
                }
                Ok(())
            }
            Expr::Json(get) => self.json_get(get),
            Expr::Jsonb(op, l, r) => {
                if !self.d.supports_jsonb_operators() {
                    return Err(CompileError::unsupported(
                        format!("the JSONB operator {}", op.as_sql()),
                        self.d.name(),
                    ));
                }
                self.operand(l, P_CMP + 1)?;
                self.w(" ");
                self.w(op.as_sql());
                self.w(" ");
                self.operand(r, P_CMP + 1)
            }
            Expr::Text(t) => self.text_clause(t),
            Expr::LabelRef(name) => {
                if !self.result_names.contains(name) {
                    return Err(CompileError::invalid(format!(
                        "ORDER BY / GROUP BY refers to {name:?}, which names no column of the \
                         column list"
                    )));
                }
                self.ident(name)
            }
            Expr::BoolConst(value) => {
                let (t, f) = self.d.bool_literals();
                self.w(if *value { t } else { f });
                Ok(())
            }
            Expr::IsBool(inner, value, negated) => {
                self.operand(inner, P_CMP + 1)?;
                self.w(if *negated { " IS NOT " } else { " IS " });
                // `IS TRUE` is standard, and SQLite's boolean test (any non-zero value).
                self.w(if *value { "TRUE" } else { "FALSE" });
                Ok(())
            }
            Expr::Invalid(err) => Err(err.clone()),
            Expr::Extract(field, inner) => self.extract(field, inner),
            Expr::Filter(aggregate, cond) => self.aggregate_filter(aggregate, cond),
            Expr::Tuple(items) => {
                self.w("(");
                self.expr_list(items)?;
                self.w(")");
                Ok(())
            }
            Expr::Array(a) => self.array_expr(a),
            Expr::NextValue(seq) => self.next_value(seq),
            Expr::TextSearch(ts) => self.text_search(ts),
        }
    }

    /// `((a, b) IN ((?, ?), ...))`, the rows expanded at bind time; `NOT (...)` when negated.
    fn tuple_in(&mut self, items: &[Expr], list: &InList, negated: bool) -> Res {
        if negated {
            self.w("NOT ");
        }
        self.w("((");
        self.expr_list(items)?;
        self.w(") IN (");
        match list {
            InList::Values(b) if self.literal_binds => {
                let crate::Value::Array(rows) = &b.value else {
                    return Err(CompileError::invalid("IN needs a list"));
                };
                if rows.is_empty() {
                    return Err(CompileError::invalid("an empty tuple IN list in DDL"));
                }
                for (i, row) in rows.iter().enumerate() {
                    let crate::Value::Array(values) = row else {
                        return Err(CompileError::invalid("a tuple IN list needs rows"));
                    };
                    self.w(if i > 0 { ", (" } else { "(" });
                    for (j, v) in values.iter().enumerate() {
                        if j > 0 {
                            self.w(", ");
                        }
                        self.bind_value(v, None, false)?;
                    }
                    self.w(")");
                }
            }
            InList::Values(b) => {
                self.bind(b, None, true)?;
                self.slot_as_rows(items.len());
            }
            InList::Param(p) => {
                self.bind_named(&p.name, None, true)?;
                self.slot_as_rows(items.len());
            }
            _ => {}
        }
        self.w("))");
        Ok(())
    }

    fn extract(&mut self, field: &str, inner: &Expr) -> Res {
        // The field is written into the SQL: a word, nothing else.
        if field.is_empty() || !field.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
            return Err(CompileError::invalid(format!(
                "EXTRACT needs a field name such as \"year\", not {field:?}"
            )));
        }
        match self.d.extract_format(field)? {
            Some(format) => {
                let format = self.d.quote_string(format)?;
                self.w("CAST(STRFTIME(");
                self.w(&format);
                self.w(", ");
                self.expr(inner)?;
                self.w(") AS INTEGER)");
            }
            None => {
                self.w("EXTRACT(");
                self.w(field);
                self.w(" FROM ");
                self.expr(inner)?;
                self.w(")");
            }
        }
        Ok(())
    }

    fn aggregate_filter(&mut self, aggregate: &Expr, cond: &Expr) -> Res {
        if self.d.supports_aggregate_filter() {
            self.expr(aggregate)?;
            self.w(" FILTER (WHERE ");
            self.expr(cond)?;
            self.w(")");
            return Ok(());
        }
        let Expr::Func { name, args, star } = aggregate else {
            return Err(CompileError::invalid(
                "FILTER (WHERE ...) applies to an aggregate function call",
            ));
        };
        // `f(CASE WHEN cond THEN arg END, ...)`; `count(*)` counts `CASE WHEN cond THEN 1 END`.
        self.function_name(name)?;
        self.w("(");
        let one = Expr::Raw("1".into());
        let args: Vec<&Expr> = if *star {
            vec![&one]
        } else {
            args.iter().collect()
        };
        for (i, arg) in args.into_iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            let arg = match arg {
                Expr::Distinct(inner) => {
                    self.w("DISTINCT ");
                    inner
                }
                other => other,
            };
            self.w("CASE WHEN ");
            self.expr(cond)?;
            self.w(" THEN ");
            self.expr(arg)?;
            self.w(" END");
        }
        self.w(")");
        Ok(())
    }

    /// The name a source's columns are qualified with.
    pub fn source_name(&mut self, source: &Source) -> Res {
        match source {
            Source::Table(t) => self.table_name(t),
            Source::Subquery(sq) => self.subquery_name(sq),
            other => self.ident(&other.display_name()),
        }
    }

    /// Comma-separated expressions.
    pub fn expr_list(&mut self, items: &[Expr]) -> Res {
        for (i, e) in items.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            self.expr(e)?;
        }
        Ok(())
    }

    /// Floor division is a plain `/` where `/` of two integers truncates and both operands
    /// are integers (SQLAlchemy's `visit_floordiv_binary`).
    fn plain_floor_division(&self, l: &Expr, r: &Expr) -> bool {
        let integer = |e: &Expr| operand_type(e).is_some_and(|t| t.is_integer());
        self.d.division_style() != DivisionStyle::Exact && integer(l) && integer(r)
    }

    /// `l / r`; as true division (`exact`), the divisor is made a non-integer where `/`
    /// truncates (SQLAlchemy's `visit_truediv_binary`).
    fn division(&mut self, l: &Expr, r: &Expr, exact: bool) -> Res {
        let grouped = |e: &Expr, min: u8| if is_concat(e) { P_ATOM } else { min };
        self.operand(l, grouped(l, P_MUL))?;
        self.w(" / ");
        match self.d.division_style() {
            _ if !exact => self.operand(r, grouped(r, P_MUL + 1)),
            DivisionStyle::Exact => self.operand(r, grouped(r, P_MUL + 1)),
            DivisionStyle::CastDivisor => {
                let ty = operand_type(r)
                    .filter(|t| matches!(affinity(t), Affinity::Numeric | Affinity::Float))
                    .unwrap_or(SqlType::Numeric(None, None));
                let type_sql = self.d.cast_type_sql(&ty)?;
                self.w("CAST(");
                self.expr(r)?;
                self.w(" AS ");
                self.w(&type_sql);
                self.w(")");
                Ok(())
            }
            DivisionStyle::FloatDivisor => {
                self.w("(");
                self.operand(r, grouped(r, P_ADD))?;
                self.w(" + 0.0)");
                Ok(())
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, l: &Expr, r: &Expr) -> Res {
        let p = op_prec(op);
        match op {
            BinaryOp::Div => return self.division(l, r, true),
            BinaryOp::FloorDiv if !self.plain_floor_division(l, r) => {
                if self.d.supports_floor() {
                    self.w("FLOOR(");
                    self.division(l, r, false)?;
                    self.w(")");
                } else {
                    // floor(x) = trunc(x) - (x < trunc(x)), `x < y` being 0 or 1.
                    self.w("(CAST(");
                    self.division(l, r, false)?;
                    self.w(" AS INTEGER) - (");
                    self.division(l, r, false)?;
                    self.w(" < CAST(");
                    self.division(l, r, false)?;
                    self.w(" AS INTEGER)))");
                }
                return Ok(());
            }
            _ => {}
        }
        if op == BinaryOp::Concat && self.d.concat_is_function() {
            self.w("concat(");
            self.expr(l)?;
            self.w(", ");
            self.expr(r)?;
            self.w(")");
            return Ok(());
        }
        let style = self.d.distinct_from_style();
        let (sql, negate_all) = match op {
            BinaryOp::Eq => (" = ", false),
            BinaryOp::Ne => (" <> ", false),
            BinaryOp::Lt => (" < ", false),
            BinaryOp::Le => (" <= ", false),
            BinaryOp::Gt => (" > ", false),
            BinaryOp::Ge => (" >= ", false),
            BinaryOp::Add => (" + ", false),
            BinaryOp::Sub => (" - ", false),
            BinaryOp::Mul => (" * ", false),
            BinaryOp::Div | BinaryOp::FloorDiv => (" / ", false),
            BinaryOp::Mod => (" % ", false),
            BinaryOp::Concat => (" || ", false),
            BinaryOp::IsDistinctFrom => match style {
                DistinctFromStyle::Standard => (" IS DISTINCT FROM ", false),
                DistinctFromStyle::NullSafeEq => (" <=> ", true),
            },
            BinaryOp::IsNotDistinctFrom => match style {
                DistinctFromStyle::Standard => (" IS NOT DISTINCT FROM ", false),
                DistinctFromStyle::NullSafeEq => (" <=> ", false),
            },
        };
        if negate_all {
            self.w("NOT (");
        }
        // Comparisons do not associate; `-`, `/` and `%` need the right side grouped; and
        // `||` mixed with arithmetic is always grouped, since dialects rank them differently.
        let left_min = if p == P_CMP { p + 1 } else { p };
        let mixed = |e: &Expr| {
            (op == BinaryOp::Concat && is_arith(e))
                || (p != P_CMP && op != BinaryOp::Concat && is_concat(e))
        };
        let lmin = if mixed(l) { P_ATOM } else { left_min };
        let rmin = if mixed(r) { P_ATOM } else { p + 1 };
        self.operand(l, lmin)?;
        self.w(sql);
        self.operand(r, rmin)?;
        if negate_all {
            self.w(")");
        }
        Ok(())
    }

    /// `a AND b AND ...` of the statement's own expressions (not a copy: the values they
    /// bind stay the statement's).
    pub fn conjunction(&mut self, items: &[Expr]) -> Res {
        self.boolean(true, items)
    }

    fn boolean(&mut self, and: bool, items: &[Expr]) -> Res {
        match items {
            [] => {
                // An empty AND is true, an empty OR false; written as comparisons so they are
                // valid wherever a condition is, on every dialect.
                self.w(if and { "1 = 1" } else { "1 != 1" });
                Ok(())
            }
            [one] => self.expr(one),
            _ => {
                let p = if and { P_AND } else { P_OR };
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.w(if and { " AND " } else { " OR " });
                    }
                    self.operand(item, p)?;
                }
                Ok(())
            }
        }
    }

    fn in_list(&mut self, inner: &Expr, list: &InList, negated: bool) -> Res {
        if let (Expr::Tuple(items), InList::Values(_) | InList::Param(_)) = (inner, list) {
            return self.tuple_in(items, list, negated);
        }
        match list {
            InList::Query(q) => {
                self.operand(inner, P_CMP + 1)?;
                self.w(if negated { " NOT IN (" } else { " IN (" });
                self.query(q)?;
                self.w(")");
                Ok(())
            }
            InList::Invalid(err) => Err(err.clone()),
            InList::Values(_) | InList::Param(_) => {
                // Elements wrapped in a user type's bind expression are bound one by one.
                let wrapped = match list {
                    InList::Values(b) => super::user_types::wraps_binds(b.sql_type.as_ref()),
                    InList::Param(p) => super::user_types::wraps_binds(p.sql_type.as_ref()),
                    _ => false,
                };
                let array = self.d.in_list_style() == InListStyle::AnyArray
                    && !self.literal_binds
                    && !wrapped;
                self.operand(inner, P_CMP + 1)?;
                if array {
                    self.w(if negated { " <> ALL(" } else { " = ANY(" });
                } else {
                    self.w(if negated { " NOT IN (" } else { " IN (" });
                }
                match list {
                    InList::Values(b) if self.literal_binds => {
                        let crate::Value::Array(items) = &b.value else {
                            return Err(CompileError::invalid("IN needs a list"));
                        };
                        if items.is_empty() {
                            self.w("SELECT 1");
                            self.w(super::params::EMPTY_SET);
                        }
                        for (i, item) in items.iter().enumerate() {
                            if i > 0 {
                                self.w(", ");
                            }
                            self.bind_value(item, None, false)?;
                        }
                    }
                    InList::Values(b) => self.bind(b, b.sql_type.as_ref(), true)?,
                    InList::Param(p) => self.bind_named(&p.name, p.sql_type.as_ref(), true)?,
                    _ => {}
                }
                self.w(")");
                Ok(())
            }
        }
    }

    fn like(&mut self, like: &Like) -> Res {
        let native_ilike = self.d.supports_ilike();
        let lowered = like.case_insensitive && !native_ilike;
        let lower = |c: &mut Self, e: &Expr| -> Res {
            if lowered {
                c.w("lower(");
                c.expr(e)?;
                c.w(")");
                Ok(())
            } else {
                c.operand(e, P_CMP + 1)
            }
        };
        lower(self, &like.expr)?;
        let op = match (like.negated, like.case_insensitive && native_ilike) {
            (false, false) => " LIKE ",
            (true, false) => " NOT LIKE ",
            (false, true) => " ILIKE ",
            (true, true) => " NOT ILIKE ",
        };
        self.w(op);
        lower(self, &like.pattern)?;
        if let Some(esc) = like.escape {
            let lit = self.d.quote_string(&esc.to_string())?;
            self.w(" ESCAPE ");
            self.w(&lit);
        }
        Ok(())
    }

    fn function(&mut self, name: &str, args: &[Expr], star: bool) -> Res {
        if name.eq_ignore_ascii_case("now") && args.is_empty() && !star {
            self.w(self.d.now_sql());
            return Ok(());
        }
        self.function_name(name)?;
        self.w("(");
        if star {
            self.w("*");
        } else {
            self.expr_list(args)?;
        }
        self.w(")");
        Ok(())
    }

    /// Function names are written as given when plain; anything else is quoted.
    fn function_name(&mut self, name: &str) -> Res {
        let plain = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if plain {
            self.w(name);
            Ok(())
        } else {
            self.ident(name)
        }
    }

    /// A window: `name`, or `([name] [PARTITION BY ...] [ORDER BY ...] [frame])`.
    pub fn window_spec(&mut self, window: &Window) -> Res {
        let bare =
            window.partition_by.is_empty() && window.order_by.is_empty() && window.frame.is_none();
        if let (Some(base), true) = (&window.base, bare) {
            return self.ident(base);
        }
        self.w("(");
        let mut space = false;
        let mut sep = |c: &mut Self| {
            if space {
                c.w(" ");
            }
            space = true;
        };
        if let Some(base) = &window.base {
            sep(self);
            self.ident(base)?;
        }
        if !window.partition_by.is_empty() {
            sep(self);
            self.w("PARTITION BY ");
            self.expr_list(&window.partition_by)?;
        }
        if !window.order_by.is_empty() {
            sep(self);
            self.w("ORDER BY ");
            self.order_by_list(&window.order_by, &[])?;
        }
        if let Some(frame) = &window.frame {
            sep(self);
            self.frame(frame)?;
        }
        self.w(")");
        Ok(())
    }

    /// `ROWS BETWEEN start AND end` (or RANGE / GROUPS).
    fn frame(&mut self, frame: &Frame) -> Res {
        if frame.units == FrameUnits::Groups && !self.d.supports_window_groups() {
            return Err(CompileError::unsupported(
                "GROUPS window frames",
                self.d.name(),
            ));
        }
        let (start, end) = (frame.start, frame.end);
        if start == FrameBound::UnboundedFollowing
            || end == FrameBound::UnboundedPreceding
            || start.rank() > end.rank()
        {
            return Err(CompileError::invalid(format!(
                "a window frame cannot start at {start:?} and end at {end:?}"
            )));
        }
        self.w(frame.units.as_sql());
        self.w(" BETWEEN ");
        for (i, bound) in [start, end].into_iter().enumerate() {
            if i > 0 {
                self.w(" AND ");
            }
            // Offsets are integers the statement's shape fixes: written, not bound.
            let sql = match bound {
                FrameBound::UnboundedPreceding => "UNBOUNDED PRECEDING".to_owned(),
                FrameBound::Preceding(n) => format!("{n} PRECEDING"),
                FrameBound::CurrentRow => "CURRENT ROW".to_owned(),
                FrameBound::Following(n) => format!("{n} FOLLOWING"),
                FrameBound::UnboundedFollowing => "UNBOUNDED FOLLOWING".to_owned(),
            };
            self.w(&sql);
        }
        Ok(())
    }

    /// ORDER BY items; a label that names a column of the column list (`labels`) is referred
    /// to by that name, any other expression is written out.
    pub fn order_by_list(&mut self, items: &[OrderBy], labels: &[Arc<str>]) -> Res {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            match &item.expr {
                Expr::Label(name, _) if labels.contains(name) => self.ident(name)?,
                e => self.expr(e)?,
            }
            match item.direction {
                Some(SortDirection::Asc) => self.w(" ASC"),
                Some(SortDirection::Desc) => self.w(" DESC"),
                None => {}
            }
            if let Some(nulls) = item.nulls {
                if !self.d.supports_nulls_order() {
                    return Err(CompileError::unsupported(
                        "NULLS FIRST / NULLS LAST",
                        self.d.name(),
                    ));
                }
                self.w(match nulls {
                    NullsOrder::First => " NULLS FIRST",
                    NullsOrder::Last => " NULLS LAST",
                });
            }
        }
        Ok(())
    }
}
