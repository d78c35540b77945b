//! User types (`SqlType::Custom`) in DDL and casts, rendered as their implementation types for
//! PostgreSQL, SQLite and MySQL and snapshotted in `snapshots/<dialect>/` (parsed back; run on
//! SQLite and PostgreSQL).

#[macro_use]
mod common;

use sqlcore::*;

#[derive(Debug)]
struct Email;

impl TypeDecorator for Email {
    fn name(&self) -> &str {
        "email"
    }
    fn impl_type(&self) -> SqlType {
        SqlType::String(Some(320))
    }
}

#[derive(Debug)]
struct Money;

impl TypeDecorator for Money {
    fn name(&self) -> &str {
        "money"
    }
    fn impl_type(&self) -> SqlType {
        SqlType::Numeric(Some(12), Some(2))
    }
}

snap!(
    create_table_custom_types,
    create_table(
        &Table::new("custom_typed")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("email", SqlType::custom(Email)).not_null())
            .column(Column::new("balance", SqlType::custom(Money)))
    )
);
snap!(
    cast_to_custom_type,
    select([cast(literal("12.5"), SqlType::custom(Money)).label("m")])
);

/// Text stored through `lower(...)` and read through `upper(...)`.
#[derive(Debug)]
struct Shout;

impl TypeDecorator for Shout {
    fn name(&self) -> &str {
        "shout"
    }
    fn impl_type(&self) -> SqlType {
        SqlType::Text
    }
    fn bind_expression(&self, bind: Expr) -> Option<Expr> {
        Some(lower(bind))
    }
    fn column_expression(&self, column: Expr) -> Option<Expr> {
        Some(upper(column))
    }
}

fn shouted() -> Table {
    Table::new("shouted")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("word", SqlType::custom(Shout)))
}

fn shouted_setup() -> Vec<Statement> {
    vec![create_table(&shouted()).into()]
}

#[test]
fn select_custom_type_expressions() {
    // The column expression in the SELECT list only (labelled with the column's name); the
    // bind expression around the compared value; ORDER BY on the bare column.
    let t = shouted();
    common::check_after(
        "select_custom_type_expressions",
        &shouted_setup(),
        select(&t)
            .filter(t.c("word").eq("Loud"))
            .order_by(t.c("word")),
        &Params::new(),
    );
}

#[test]
fn select_custom_type_in_list() {
    // An IN list of the type: each element inside the bind expression, also on PostgreSQL
    // (which binds other IN lists as one array, `= ANY($1)`).
    let t = shouted();
    common::check_after(
        "select_custom_type_in_list",
        &shouted_setup(),
        select([t.c("id")])
            .filter(t.c("word").in_(["Loud", "Quiet"]))
            .filter(t.c("word").not_in(bindparam("not")))
            .order_by(t.c("id")),
        &params! { "not" => Value::Array(vec![Value::from("Soft")]) },
    );
}

#[test]
fn select_custom_type_from_subquery() {
    // Inside the subquery the column is bare; the outermost SELECT reads it through the type.
    let t = shouted();
    let sq = select([t.c("id"), t.c("word")])
        .filter(t.c("word").ne(bindparam("not")))
        .subquery("sq");
    common::check_after(
        "select_custom_type_from_subquery",
        &shouted_setup(),
        select([sq.c("word")]).filter(sq.c("id").gt(1)),
        &params! { "not" => "Quiet" },
    );
}

#[test]
fn insert_custom_type_bind_expression() {
    let t = shouted();
    common::check_after(
        "insert_custom_type_bind_expression",
        &shouted_setup(),
        insert(&t).values(params! { "id" => 1, "word" => "Hello" }),
        &Params::new(),
    );
}

#[test]
fn update_custom_type_returning() {
    let t = shouted();
    common::check_after(
        "update_custom_type_returning",
        &shouted_setup(),
        update(&t)
            .filter(t.c("word").eq(bindparam("old")))
            .values(params! { "word" => "New" })
            .returning([t.c("id"), t.c("word")]),
        &params! { "old" => "Old" },
    );
}
