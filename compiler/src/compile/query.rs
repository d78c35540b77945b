//! Rendering SELECT, compound selects and FROM clauses.

use super::{Compile, Compiled, Compiler, Res, collect_sources};
use crate::dialect::Dialect;
use crate::error::CompileError;
use crate::expr::Expr;
use crate::stmt::{
    CompoundSelect, Distinct, FromClause, JoinKind, Query, Select, SelectItem, SetOp, Source,
};
use std::borrow::Cow;
use std::sync::Arc;

impl Compiler<'_> {
    /// Renders a query nested in a larger statement (subquery, CTE body, IN, EXISTS).
    pub fn query(&mut self, q: &Query) -> Res {
        match q {
            Query::Select(s) => self.select(s),
            Query::Compound(c) => self.compound(c),
        }
    }

    /// The FROM list of `sel`: explicit elements, then the sources of its columns and WHERE
    /// clause not already covered, less those correlated to an enclosing query.
    fn froms<'s>(&self, sel: &'s Select) -> Result<Vec<Cow<'s, FromClause>>, CompileError> {
        // The statement's own elements are borrowed: the values they bind stay the
        // statement's (which the compiled-statement cache relies on).
        let mut froms: Vec<Cow<'s, FromClause>> = sel.from.iter().map(Cow::Borrowed).collect();
        // A table given on its own and inside a join is the join's.
        if froms.len() > 1 {
            let mut joined: Vec<Source> = Vec::new();
            for f in froms
                .iter()
                .filter(|f| matches!(&***f, FromClause::Join(_)))
            {
                f.each_source(&mut |s| joined.push(s.clone()));
            }
            froms.retain(|f| match &**f {
                FromClause::Source(s) => !joined.iter().any(|j| j.same_as(s)),
                FromClause::Join(_) => true,
            });
        }
        let mut implicit = Vec::new();
        for item in &sel.items {
            match item {
                SelectItem::All(s) => {
                    if !implicit.iter().any(|o: &Source| o.same_as(s)) {
                        implicit.push(s.clone());
                    }
                }
                SelectItem::Expr(e) => collect_sources(e, &mut implicit),
            }
        }
        for f in &sel.filters {
            collect_sources(f, &mut implicit);
        }
        for source in implicit {
            if !froms.iter().any(|f| f.contains(&source)) {
                froms.push(Cow::Owned(FromClause::Source(source)));
            }
        }
        // As SQLAlchemy: a query with more than one FROM element drops those the enclosing
        // query provides; one that would be left with none is an error.
        if sel.correlate && froms.len() > 1 && !self.correlation.is_empty() {
            let before = froms.len();
            froms.retain(|f| match &**f {
                FromClause::Source(s) => !self.correlation.iter().any(|c| c.same_as(s)),
                FromClause::Join(_) => true,
            });
            if froms.is_empty() && before > 0 {
                return Err(CompileError::invalid(
                    "a subquery has no FROM clause left after auto-correlation; use correlate_none()",
                ));
            }
        }
        Ok(froms)
    }

    pub(crate) fn select(&mut self, sel: &Select) -> Res {
        // What an INSERT ... SELECT adds to its SELECT (taken here, so subqueries do not see
        // it).
        let extras = self.select_extras.take().unwrap_or_default();
        let items = crate::stmt::named_items(sel.items.iter().chain(&extras.items))?;
        let exists_body = std::mem::take(&mut self.exists_body);
        let outermost = std::mem::take(&mut self.outermost_select);
        if items.is_empty() && !exists_body {
            return Err(CompileError::invalid("a SELECT needs at least one column"));
        }
        let froms = self.froms(sel)?;
        // Subqueries in this SELECT's expressions correlate to its FROM elements (added for
        // the body; whatever renders inside restores what it changes).
        let enclosing = self.correlation.len();
        for f in &froms {
            f.each_source(&mut |s| self.correlation.push(s.clone()));
        }
        let result = self.select_body(sel, &items, &froms, (extras.where_true, outermost));
        self.correlation.truncate(enclosing);
        result
    }

    fn select_body(
        &mut self,
        sel: &Select,
        items: &[crate::stmt::NamedItem],
        froms: &[Cow<'_, FromClause>],
        (where_true, outermost): (bool, bool),
    ) -> Res {
        self.w("SELECT ");
        match &sel.distinct {
            Distinct::None => {}
            Distinct::All => self.w("DISTINCT "),
            Distinct::On(exprs) => {
                if !self.d.supports_distinct_on() {
                    return Err(CompileError::unsupported("DISTINCT ON", self.d.name()));
                }
                self.w("DISTINCT ON (");
                self.expr_list(exprs)?;
                self.w(") ");
            }
        }
        if items.is_empty() {
            self.w("*");
        }
        self.column_list(items, outermost)?;
        if !froms.is_empty() {
            self.w(" FROM ");
            for (i, f) in froms.iter().enumerate() {
                if i > 0 {
                    self.w(", ");
                }
                self.render_from(f)?;
            }
        }
        self.where_clause(&sel.filters)?;
        if where_true && sel.filters.is_empty() {
            self.w(" WHERE true");
        }
        // GROUP BY and ORDER BY may name result columns.
        let names = items.iter().map(|i| i.name.clone()).collect();
        let saved_names = std::mem::replace(&mut self.result_names, names);
        let r = self.group_order(sel, items);
        self.result_names = saved_names;
        r?;
        self.limit_offset(sel.limit.as_ref(), sel.offset.as_ref())?;
        if let Some(fu) = &sel.for_update {
            if !self.d.supports_for_update() {
                return Err(CompileError::unsupported("FOR UPDATE", self.d.name()));
            }
            self.w(if fu.read { " FOR SHARE" } else { " FOR UPDATE" });
            if !fu.of.is_empty() {
                self.w(" OF ");
                for (i, s) in fu.of.iter().enumerate() {
                    if i > 0 {
                        self.w(", ");
                    }
                    match s {
                        Source::Table(t) => self.ident(&t.name)?,
                        other => self.source_name(other)?,
                    }
                }
            }
            if fu.nowait {
                self.w(" NOWAIT");
            }
            if fu.skip_locked {
                self.w(" SKIP LOCKED");
            }
        }
        Ok(())
    }

    fn group_order(&mut self, sel: &Select, items: &[crate::stmt::NamedItem]) -> Res {
        if !sel.group_by.is_empty() {
            self.w(" GROUP BY ");
            self.expr_list(&sel.group_by)?;
        }
        if !sel.having.is_empty() {
            self.w(" HAVING ");
            self.conjunction(&sel.having)?;
        }
        for (i, (name, window)) in sel.windows.iter().enumerate() {
            self.w(if i == 0 { " WINDOW " } else { ", " });
            self.ident(name)?;
            self.w(" AS ");
            self.window_spec(window)?;
        }
        if !sel.order_by.is_empty() {
            self.w(" ORDER BY ");
            let labels: Vec<Arc<str>> = items
                .iter()
                .filter(|i| i.labeled)
                .map(|i| i.name.clone())
                .collect();
            self.order_by_list(&sel.order_by, &labels)?;
        }
        Ok(())
    }

    /// A SELECT or RETURNING column list: `expr [AS name], ...`.
    /// Renders a SELECT list or RETURNING; `outermost` when its columns are the result's
    /// (user types' column expressions apply there).
    pub fn column_list(&mut self, items: &[crate::stmt::NamedItem], outermost: bool) -> Res {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            if outermost && self.user_type_column(item)? {
                continue;
            }
            self.expr(&item.expr)?;
            if item.labeled {
                self.w(" AS ");
                if item.generated {
                    self.generated_ident(&item.name)?;
                } else {
                    self.ident(&item.name)?;
                }
            }
        }
        Ok(())
    }

    /// ` WHERE a AND b ...` when there are criteria.
    pub fn where_clause(&mut self, filters: &[Expr]) -> Res {
        match filters {
            [] => Ok(()),
            [one] => {
                self.w(" WHERE ");
                self.expr(one)
            }
            many => {
                self.w(" WHERE ");
                self.conjunction(many)
            }
        }
    }

    fn limit_offset(&mut self, limit: Option<&Expr>, offset: Option<&Expr>) -> Res {
        match (limit, offset) {
            (Some(l), _) => {
                self.w(" LIMIT ");
                self.expr(l)?;
            }
            (None, Some(_)) => {
                if let Some(all) = self.d.limit_for_offset_only() {
                    self.w(" LIMIT ");
                    self.w(all);
                }
            }
            (None, None) => {}
        }
        if let Some(o) = offset {
            self.w(" OFFSET ");
            self.expr(o)?;
        }
        Ok(())
    }

    /// Renders a FROM element.
    pub fn render_from(&mut self, f: &FromClause) -> Res {
        match f {
            FromClause::Source(s) => self.render_source(s),
            FromClause::Join(j) => {
                self.render_from(&j.left)?;
                self.w(match j.kind {
                    JoinKind::Inner => " JOIN ",
                    JoinKind::Left => " LEFT OUTER JOIN ",
                    JoinKind::Full => {
                        if !self.d.supports_full_join() {
                            return Err(CompileError::unsupported(
                                "FULL OUTER JOIN",
                                self.d.name(),
                            ));
                        }
                        " FULL OUTER JOIN "
                    }
                });
                let nested = matches!(j.right, FromClause::Join(_));
                if nested {
                    self.w("(");
                }
                self.render_from(&j.right)?;
                if nested {
                    self.w(")");
                }
                self.w(" ON ");
                self.expr(&j.on)
            }
        }
    }

    fn render_source(&mut self, s: &Source) -> Res {
        match s {
            Source::Table(t) => self.table_name(t),
            Source::Alias(a) => {
                self.table_name(a.table())?;
                self.w(" AS ");
                self.ident(a.name())
            }
            Source::Subquery(sq) if sq.def().lateral => {
                if !self.d.supports_lateral() {
                    return Err(CompileError::unsupported("LATERAL", self.d.name()));
                }
                // A LATERAL subquery correlates to the FROM elements of the enclosing query.
                self.w("LATERAL (");
                self.query(&sq.def().query)?;
                self.w(") AS ");
                self.subquery_name(sq)
            }
            Source::Subquery(sq) => {
                // A subquery in FROM does not correlate to the enclosing query.
                let saved = std::mem::take(&mut self.correlation);
                self.w("(");
                let r = self.query(&sq.def().query);
                self.correlation = saved;
                r?;
                self.w(") AS ");
                self.subquery_name(sq)
            }
            Source::Cte(cte) => {
                self.register_cte(cte)?;
                self.ident(&cte.def().name)
            }
        }
    }

    fn compound(&mut self, c: &CompoundSelect) -> Res {
        if c.selects.len() < 2 {
            return Err(CompileError::invalid(format!(
                "{} needs at least two queries",
                c.op.as_sql()
            )));
        }
        if matches!(c.op, SetOp::IntersectAll | SetOp::ExceptAll) && !self.d.supports_set_op_all() {
            return Err(CompileError::unsupported(c.op.as_sql(), self.d.name()));
        }
        for (i, member) in c.selects.iter().enumerate() {
            if i > 0 {
                self.w(" ");
                self.w(c.op.as_sql());
                self.w(" ");
            }
            let needs_group = match member {
                Query::Select(s) => {
                    !s.order_by.is_empty() || s.limit.is_some() || s.offset.is_some()
                }
                // Only UNION [ALL] and INTERSECT [ALL] associate: a right-hand EXCEPT member
                // keeps its own parentheses.
                Query::Compound(inner) => {
                    inner.op != c.op
                        || (i > 0 && matches!(c.op, SetOp::Except | SetOp::ExceptAll))
                        || !inner.order_by.is_empty()
                        || inner.limit.is_some()
                        || inner.offset.is_some()
                }
            };
            if needs_group {
                if self.d.parenthesize_compound_members() {
                    self.w("(");
                } else {
                    self.w("SELECT * FROM (");
                }
                self.query(member)?;
                self.w(")");
            } else {
                self.query(member)?;
            }
        }
        if !c.order_by.is_empty() {
            self.w(" ORDER BY ");
            // The ORDER BY of a compound refers to result columns by name.
            let saved = self.qualify;
            self.qualify = false;
            let labels: Vec<Arc<str>> = c.result_columns()?.into_iter().map(|rc| rc.name).collect();
            let saved_names = std::mem::replace(&mut self.result_names, labels.clone());
            let r = self.order_by_list(&c.order_by, &labels);
            self.result_names = saved_names;
            self.qualify = saved;
            r?;
        }
        self.limit_offset(c.limit.as_ref(), c.offset.as_ref())
    }
}

impl Compile for Select {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        let mut c = Compiler::new(dialect);
        c.outermost_select = true;
        c.with_cte_scope(|c| c.select(self))?;
        c.finish(self.result_columns()?)
    }
}

impl Compile for CompoundSelect {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        let mut c = Compiler::new(dialect);
        c.with_cte_scope(|c| c.compound(self))?;
        c.finish(self.result_columns()?)
    }
}

impl Compile for Query {
    fn compile(&self, dialect: &dyn Dialect) -> Result<Compiled, CompileError> {
        match self {
            Query::Select(s) => s.compile(dialect),
            Query::Compound(c) => c.compile(dialect),
        }
    }
}
