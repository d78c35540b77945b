//! Window frames: `ROWS` / `RANGE` / `GROUPS BETWEEN start AND end`.

use super::{Expr, IntoOrderByList, Window};
use std::sync::Arc;

/// One end of a window frame.
///
/// SQLAlchemy writes a frame as a pair of optional integers, `over(rows=(None, 0))`; the
/// same frames here:
///
/// | SQLAlchemy | `FrameBound` | SQL |
/// |---|---|---|
/// | `None` as start | `UnboundedPreceding` | `UNBOUNDED PRECEDING` |
/// | `-n` | `Preceding(n)` | `n PRECEDING` |
/// | `0` | `CurrentRow` | `CURRENT ROW` |
/// | `n` | `Following(n)` | `n FOLLOWING` |
/// | `None` as end | `UnboundedFollowing` | `UNBOUNDED FOLLOWING` |
///
/// Offsets are written into the SQL as integers, as SQLAlchemy does (they are part of the
/// statement's shape and of its cache key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameBound {
    /// `UNBOUNDED PRECEDING`
    UnboundedPreceding,
    /// `n PRECEDING`
    Preceding(u64),
    /// `CURRENT ROW`
    CurrentRow,
    /// `n FOLLOWING`
    Following(u64),
    /// `UNBOUNDED FOLLOWING`
    UnboundedFollowing,
}

impl FrameBound {
    /// The start bound of SQLAlchemy's `(start, end)` convention: `None` is unbounded
    /// preceding, negative preceding, `0` the current row, positive following.
    pub fn start(offset: Option<i64>) -> FrameBound {
        Self::from_offset(offset, FrameBound::UnboundedPreceding)
    }

    /// The end bound of SQLAlchemy's `(start, end)` convention: `None` is unbounded
    /// following.
    pub fn end(offset: Option<i64>) -> FrameBound {
        Self::from_offset(offset, FrameBound::UnboundedFollowing)
    }

    fn from_offset(offset: Option<i64>, unbounded: FrameBound) -> FrameBound {
        match offset {
            None => unbounded,
            Some(0) => FrameBound::CurrentRow,
            Some(n) if n < 0 => FrameBound::Preceding(n.unsigned_abs()),
            Some(n) => FrameBound::Following(n.unsigned_abs()),
        }
    }

    /// The position of the bound's kind, in frame order.
    pub(crate) fn rank(self) -> u8 {
        match self {
            FrameBound::UnboundedPreceding => 0,
            FrameBound::Preceding(_) => 1,
            FrameBound::CurrentRow => 2,
            FrameBound::Following(_) => 3,
            FrameBound::UnboundedFollowing => 4,
        }
    }
}

/// What a frame's offsets count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameUnits {
    /// `ROWS`: physical rows.
    Rows,
    /// `RANGE`: values of the ORDER BY expression.
    Range,
    /// `GROUPS`: peer groups (PostgreSQL and SQLite; MySQL has none).
    Groups,
}

impl FrameUnits {
    /// The SQL keyword.
    pub fn as_sql(self) -> &'static str {
        match self {
            FrameUnits::Rows => "ROWS",
            FrameUnits::Range => "RANGE",
            FrameUnits::Groups => "GROUPS",
        }
    }
}

/// A window frame: `units BETWEEN start AND end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Frame {
    /// ROWS, RANGE or GROUPS.
    pub units: FrameUnits,
    /// Where the frame starts.
    pub start: FrameBound,
    /// Where the frame ends.
    pub end: FrameBound,
}

impl Window {
    /// An empty window: `OVER ()` (SQLAlchemy's `over()` with no arguments).
    pub fn new() -> Self {
        Window::default()
    }

    /// A window referring to `name`, a window of the SELECT's WINDOW clause
    /// ([`Select::window`](crate::Select::window)): `OVER name`, or `OVER (name ORDER BY ...)`
    /// with ordering or a frame added.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t")
    ///     .column(Column::new("g", SqlType::Integer))
    ///     .column(Column::new("n", SqlType::Integer));
    /// let q = select([
    ///     sum(t.c("n")).over_window(Window::named("w")).label("s"),
    ///     func("row_number", ()).over_window(Window::named("w").order_by(t.c("n"))).label("rn"),
    /// ])
    /// .window("w", Window::new().partition_by([t.c("g")]));
    /// assert_eq!(
    ///     q.compile(&PostgreSQL).unwrap().sql,
    ///     "SELECT sum(t.n) OVER w AS s, row_number() OVER (w ORDER BY t.n) AS rn FROM t \
    ///      WINDOW w AS (PARTITION BY t.g)"
    /// );
    /// ```
    pub fn named(name: impl Into<Arc<str>>) -> Self {
        Window {
            base: Some(name.into()),
            ..Window::default()
        }
    }

    /// Adds PARTITION BY expressions.
    pub fn partition_by<I>(mut self, items: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Expr>,
    {
        self.partition_by.extend(items.into_iter().map(Into::into));
        self
    }

    /// Adds ORDER BY items.
    pub fn order_by(mut self, items: impl IntoOrderByList) -> Self {
        self.order_by.extend(items.into_order_by_list());
        self
    }

    /// `ROWS BETWEEN start AND end` (SQLAlchemy's `rows=(start, end)`).
    pub fn rows(self, start: FrameBound, end: FrameBound) -> Self {
        self.frame(FrameUnits::Rows, start, end)
    }

    /// `RANGE BETWEEN start AND end` (SQLAlchemy's `range_=(start, end)`).
    pub fn range_(self, start: FrameBound, end: FrameBound) -> Self {
        self.frame(FrameUnits::Range, start, end)
    }

    /// `GROUPS BETWEEN start AND end` (SQLAlchemy's `groups=(start, end)`); MySQL has no
    /// GROUPS frames and reports a CompileError.
    pub fn groups(self, start: FrameBound, end: FrameBound) -> Self {
        self.frame(FrameUnits::Groups, start, end)
    }

    fn frame(mut self, units: FrameUnits, start: FrameBound, end: FrameBound) -> Self {
        self.frame = Some(Frame { units, start, end });
        self
    }
}

impl Expr {
    /// A window function call over a [`Window`]: partitions, ordering and a frame.
    ///
    /// ```
    /// use sqlcore_compiler::*;
    /// let t = Table::new("t")
    ///     .column(Column::new("id", SqlType::Integer))
    ///     .column(Column::new("n", SqlType::Integer));
    /// let running = sum(t.c("n")).over_window(
    ///     Window::new()
    ///         .order_by([t.c("id")])
    ///         .rows(FrameBound::UnboundedPreceding, FrameBound::CurrentRow),
    /// );
    /// let sql = select([running.label("total")]).compile(&SQLite).unwrap().sql;
    /// assert_eq!(
    ///     sql,
    ///     "SELECT sum(t.n) OVER (ORDER BY t.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total FROM t"
    /// );
    /// // `OVER ()`: no annotation needed.
    /// let all = count_all().over_window(Window::new());
    /// assert_eq!(select([all.label("c")]).compile(&PostgreSQL).unwrap().sql, "SELECT count(*) OVER () AS c");
    /// // GROUPS frames do not exist on MySQL.
    /// let g = sum(t.c("n")).over_window(
    ///     Window::new().order_by([t.c("id")]).groups(FrameBound::Preceding(1), FrameBound::CurrentRow),
    /// );
    /// assert!(select([g.label("g")]).compile(&MySQL).unwrap_err().to_string().contains("GROUPS"));
    /// ```
    pub fn over_window(self, window: Window) -> Expr {
        Expr::Over(Box::new(self), Box::new(window))
    }
}
