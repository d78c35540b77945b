//! PostgreSQL arrays: DDL, operators, element and slice access, `ARRAY[...]` and `array_agg`,
//! rendered for PostgreSQL, SQLite and MySQL and snapshotted in `snapshots/<dialect>/` (a
//! CompileError where the dialect has no arrays); each PostgreSQL rendering is parsed back with
//! sqlparser and executed on the server against the `arrays` fixture table.

#[macro_use]
mod common;

use common::fixtures::*;
use sqlcore::*;

// ---- DDL --------------------------------------------------------------------------------
snap!(create_table_arrays, create_table(&arrays()));
snap!(
    create_table_array_element_types,
    create_table(
        &Table::new("array_types")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("small", SqlType::array(SqlType::SmallInteger)))
            .column(Column::new("big", SqlType::array(SqlType::BigInteger)))
            .column(Column::new("reals", SqlType::array(SqlType::Real)))
            .column(Column::new("doubles", SqlType::array(SqlType::Double)))
            .column(Column::new(
                "money",
                SqlType::array(SqlType::Numeric(Some(10), Some(2)))
            ))
            .column(
                Column::new("texts", SqlType::array(SqlType::Text))
                    .server_default(Value::Array(vec!["it's \"q\" \\ {b}".into(), Value::Null]))
            )
            .column(Column::new("flags", SqlType::array(SqlType::Boolean)))
            .column(Column::new("days", SqlType::array(SqlType::Date)))
            .column(Column::new("stamps", SqlType::array(SqlType::DATETIME_TZ)))
            .column(Column::new("ids", SqlType::array(SqlType::Uuid)))
            .column(Column::new("docs", SqlType::array(SqlType::Json)))
            .column(Column::new("blobs", SqlType::array(SqlType::LargeBinary)))
            .column(
                Column::new("cube", SqlType::array(SqlType::Text).dimensions(3))
                    .server_default(Value::Array(vec![]))
            )
    )
);

// ---- operators --------------------------------------------------------------------------
snap!(array_contains, {
    let a = arrays();
    select([a.c("id")]).filter(a.c("ints").array_contains([1, 2]))
});
snap!(array_contained_by, {
    let a = arrays();
    select([a.c("id")]).filter(a.c("tags").array_contained_by(["red", "blue", "green"]))
});
snap!(array_overlap, {
    let a = arrays();
    select([a.c("id")]).filter(a.c("tags").array_overlap(vec!["blue", "pink"]))
});
snap!(array_overlap_columns, {
    let a = arrays();
    select([a.c("id")]).filter(a.c("ints").array_overlap(a.c("ints")))
});
snap!(array_any_eq, {
    let a = arrays();
    select([a.c("id")]).filter(any_(a.c("ints")).eq(2))
});
snap!(array_any_method_ne, {
    let a = arrays();
    select([a.c("id")]).filter(a.c("tags").any_().ne("red"))
});
snap!(array_all_mirrored, {
    let a = arrays();
    select([a.c("id")]).filter(all_(a.c("ints")).gt(0))
});
snap!(array_value_eq_any, {
    let a = arrays();
    select([a.c("id")]).filter(literal(3).eq(any_(a.c("ints"))))
});

// ---- element and slice access -----------------------------------------------------------
snap!(array_item, {
    let a = arrays();
    select([
        a.c("ints").item(1).label("first"),
        a.c("grid").item(2).item(1).label("cell"),
    ])
    .filter(a.c("tags").item(1).eq("red"))
});
snap!(array_slice, {
    let a = arrays();
    select([
        a.c("ints").slice(2, 3).label("middle"),
        a.c("grid").slice(1, 1).slice(1, 2).label("row"),
    ])
});
snap!(array_item_of_expression, {
    let a = arrays();
    select([array_agg(a.c("id")).item(1).label("first_id")])
});

// ---- constructors -----------------------------------------------------------------------
snap!(array_literal, {
    let a = arrays();
    select([array([1, 2]).label("pair")]).filter(a.c("ints").array_contains(array([literal(1)])))
});

// ---- DML --------------------------------------------------------------------------------
snap!(
    array_insert,
    insert(&arrays()).values(params! {
        "ints" => Value::Array(vec![1.into(), Value::Null]),
        "tags" => Value::Array(vec![]),
        "grid" => Value::Array(vec![
            Value::Array(vec![1.into(), 2.into()]),
            Value::Array(vec![3.into(), 4.into()]),
        ]),
    })
);
snap!(array_update_elements, {
    let a = arrays();
    update(&a)
        .values([("tags", Value::Array(vec!["a".into()]))])
        .set_element(a.c("ints").item(1), 10)
        .set_element(a.c("grid").item(1).item(2), 20)
        .set_element(
            a.c("ints").slice(2, 3),
            Value::Array(vec![Value::I32(2), Value::I32(3)]),
        )
        .filter(a.c("id").eq(1))
});
