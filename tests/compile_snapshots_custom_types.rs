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
