//! The three statements of the comparison, written once with each library: a reporting
//! select (join, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT; three bound values), an insert of
//! four columns and an update of two columns by key.

use sea_query::{Expr, ExprTrait, Func, Iden, Order, Query, SelectStatement};
use sqlcore::{Column, SqlType, Statement, Table, insert, params, select, sum, update};

/// Which backend's SQL is rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::Postgres, Backend::Sqlite];

    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "pg",
            Backend::Sqlite => "sqlite",
        }
    }

    /// sqlcore's dialect.
    pub fn dialect(self) -> &'static dyn sqlcore::Dialect {
        match self {
            Backend::Postgres => &sqlcore::PostgreSQL,
            Backend::Sqlite => &sqlcore::SQLite,
        }
    }
}

/// Which statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Select,
    Insert,
    Update,
}

impl Shape {
    pub const ALL: [Shape; 3] = [Shape::Select, Shape::Insert, Shape::Update];

    pub fn name(self) -> &'static str {
        match self {
            Shape::Select => "select",
            Shape::Insert => "insert",
            Shape::Update => "update",
        }
    }
}

/// sqlcore's tables, declared once (as sea-query's `Iden` enums are).
pub struct Tables {
    users: Table,
    orders: Table,
}

impl Tables {
    pub fn new() -> Self {
        Tables {
            users: Table::new("users")
                .column(Column::new("id", SqlType::Integer).primary_key())
                .column(Column::new("name", SqlType::Text).not_null())
                .column(Column::new("score", SqlType::Integer))
                .column(Column::new("email", SqlType::Text)),
            orders: Table::new("orders")
                .column(Column::new("id", SqlType::Integer).primary_key())
                .column(Column::new("user_id", SqlType::Integer).references("users.id"))
                .column(Column::new("total", SqlType::Integer)),
        }
    }

    /// The statement `shape` built with sqlcore; `n` varies its values.
    pub fn build(&self, shape: Shape, n: i64) -> Statement {
        let (users, orders) = (&self.users, &self.orders);
        match shape {
            Shape::Select => select([users.c("name"), sum(orders.c("total")).label("total")])
                .join_from_on(users, orders, users.c("id").eq(orders.c("user_id")))
                .filter(orders.c("total").gt(n))
                .group_by(users.c("name"))
                .having(sum(orders.c("total")).gt(100))
                .order_by(users.c("name").desc())
                .limit(20)
                .into(),
            Shape::Insert => insert(users)
                .values(params! { "id" => n, "name" => "ed", "score" => 7, "email" => "ed@example.com" })
                .into(),
            Shape::Update => update(users)
                .values(params! { "name" => "ed", "score" => n })
                .filter(users.c("id").eq(n))
                .into(),
        }
    }
}

#[derive(Iden)]
enum Users {
    Table,
    Id,
    Name,
    Score,
    Email,
}

#[derive(Iden)]
enum Orders {
    Table,
    UserId,
    Total,
}

#[derive(Iden)]
struct Total;

/// A sea-query statement of any of the three shapes.
pub enum SeaStatement {
    Select(SelectStatement),
    Insert(sea_query::InsertStatement),
    Update(sea_query::UpdateStatement),
}

/// The statement `shape` built with sea-query; `n` varies its values.
pub fn sea_build(shape: Shape, n: i64) -> SeaStatement {
    match shape {
        Shape::Select => SeaStatement::Select(
            Query::select()
                .column((Users::Table, Users::Name))
                .expr_as(Func::sum(Expr::col((Orders::Table, Orders::Total))), Total)
                .from(Users::Table)
                .inner_join(
                    Orders::Table,
                    Expr::col((Users::Table, Users::Id)).equals((Orders::Table, Orders::UserId)),
                )
                .and_where(Expr::col((Orders::Table, Orders::Total)).gt(n))
                .group_by_col((Users::Table, Users::Name))
                .and_having(
                    Expr::expr(Func::sum(Expr::col((Orders::Table, Orders::Total)))).gt(100),
                )
                .order_by((Users::Table, Users::Name), Order::Desc)
                .limit(20)
                .to_owned(),
        ),
        Shape::Insert => SeaStatement::Insert(
            Query::insert()
                .into_table(Users::Table)
                .columns([Users::Id, Users::Name, Users::Score, Users::Email])
                .values_panic([n.into(), "ed".into(), 7.into(), "ed@example.com".into()])
                .to_owned(),
        ),
        Shape::Update => SeaStatement::Update(
            Query::update()
                .table(Users::Table)
                .values([(Users::Name, "ed".into()), (Users::Score, n.into())])
                .and_where(ExprTrait::eq(Expr::col((Users::Table, Users::Id)), n))
                .to_owned(),
        ),
    }
}

impl SeaStatement {
    /// The SQL and its values for `backend`.
    pub fn render(&self, backend: Backend) -> (String, sea_query::Values) {
        use sea_query::{PostgresQueryBuilder as Pg, SqliteQueryBuilder as Lite};
        match (self, backend) {
            (SeaStatement::Select(s), Backend::Postgres) => s.build(Pg),
            (SeaStatement::Select(s), Backend::Sqlite) => s.build(Lite),
            (SeaStatement::Insert(s), Backend::Postgres) => s.build(Pg),
            (SeaStatement::Insert(s), Backend::Sqlite) => s.build(Lite),
            (SeaStatement::Update(s), Backend::Postgres) => s.build(Pg),
            (SeaStatement::Update(s), Backend::Sqlite) => s.build(Lite),
        }
    }
}
