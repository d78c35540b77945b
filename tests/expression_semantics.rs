//! Expression semantics as SQLAlchemy 2.x has them: true and floor division, arithmetic result
//! types, `+` on strings, `Float` as double precision, LIKE helpers with live wildcards,
//! `\:` in `text()`, `BETWEEN SYMMETRIC`, `EXTRACT`, aggregate `FILTER` — snapshotted for every
//! dialect (and executed by the harness), and their results read back on SQLite and
//! PostgreSQL.

#[macro_use]
mod common;

use common::backend::TestDb;
use common::fixtures::*;
use rust_decimal::Decimal;
use sqlcore::*;

// ---- snapshots --------------------------------------------------------------------------
snap!(true_division_of_integers, {
    let u = users();
    select([
        (u.c("score") / u.c("id")).label("q"),
        (u.c("score") / 2).label("by_value"),
        (literal(7) / 2).label("seven_halves"),
    ])
});
snap!(true_division_by_numeric_keeps_its_type, {
    let o = orders();
    select([(o.c("id") / o.c("amount")).label("q")])
});
snap!(floor_division, {
    let u = users();
    let o = orders();
    select([
        u.c("score").floordiv(u.c("id")).label("ints"),
        o.c("amount").floordiv(2).label("numeric"),
        (u.c("score") + 1).floordiv(2).label("grouped"),
    ])
    .filter(u.c("id").eq(o.c("user_id")))
});
snap!(plus_on_string_expressions, {
    let u = users();
    select([
        (u.c("name") + " " + u.c("fullname")).label("both"),
        (literal("a") + "b").label("ab"),
        (u.c("score") + 1).label("sum"),
    ])
});
snap!(cast_to_float_and_real, {
    select([
        cast(literal(993.53), SqlType::Float).label("f"),
        cast(literal(1.5), SqlType::Real).label("r"),
    ])
});
snap!(like_helpers_with_wildcards, {
    let u = users();
    select([u.c("id")]).filter(and_([
        u.c("name").startswith("a_c"),
        u.c("name").iendswith("%z"),
        u.c("fullname").icontains("x"),
        u.c("email").not_startswith("q"),
        u.c("email").not_icontains("spam"),
    ]))
});
snap!(like_helpers_with_an_expression, {
    let u = users();
    select([u.c("id")]).filter(
        u.c("fullname")
            .startswith(u.c("name"))
            .and(u.c("email").contains(u.c("name")))
            .and(u.c("email").not_iendswith(u.c("name"))),
    )
});
snap!(like_helpers_with_escapes, {
    let u = users();
    select([u.c("id")]).filter(
        u.c("name")
            .istartswith(autoescape("50%"))
            .and(u.c("fullname").endswith(escaped("!_x", '!'))),
    )
});
snap!(
    text_unescapes_colons_everywhere,
    text(r"SELECT 'a\:x' AS v, :p AS p -- \:c"),
    params! { "p" => 1 }
);
snap!(between_symmetric, {
    let u = users();
    select([u.c("id")]).filter(
        u.c("score")
            .between_symmetric(10, 1)
            .or(u.c("id").not_between(1, 2)),
    )
});
snap!(extract_fields, {
    let o = orders();
    select([
        extract_field("year", o.c("placed_at")).label("y"),
        extract_field("month", o.c("placed_at")).label("m"),
    ])
});
snap!(aggregate_filter, {
    let u = users();
    select([
        count(u.c("id")).filter(u.c("score").gt(1)).label("n"),
        count_all().filter(u.c("active")).label("all_active"),
        sum(u.c("score")).filter(u.c("name").ne("x")).label("s"),
    ])
});
snap!(tuple_in_rows, {
    let u = users();
    select([u.c("id")]).filter(
        tuple_([u.c("id"), u.c("name")])
            .in_(vec![(1, "Alice"), (2, "Bob")])
            .or(tuple_([u.c("score"), u.c("id")]).not_in(vec![(0, 1)]))
            .and(u.c("id").in_(vec![1, 2])),
    )
});

#[test]
fn a_tuple_in_row_of_the_wrong_width_is_an_error() {
    let u = users();
    let rows = vec![vec![Value::from(1), "a".into()], vec![Value::from(2)]];
    let q = select([u.c("id")]).filter(tuple_([u.c("id"), u.c("name")]).in_(rows));
    for dialect in [&PostgreSQL as &dyn Dialect, &SQLite, &MySQL] {
        let err = q
            .compile(dialect)
            .unwrap()
            .bind(&Params::new())
            .unwrap_err();
        assert!(err.to_string().contains("row 2"), "{err}");
    }
}
snap!(tuple_in_empty_list, {
    let u = users();
    select([u.c("id")]).filter(
        tuple_([u.c("id"), u.c("name")])
            .in_(Vec::<(i32, &str)>::new())
            .or(tuple_([u.c("id"), u.c("name")]).not_in(Vec::<(i32, &str)>::new())),
    )
});
snap!(
    tuple_in_expanding_bindparam,
    {
        let u = users();
        select([u.c("id")]).filter(tuple_([u.c("id"), u.c("name")]).in_(bindparam("rows")))
    },
    params! { "rows" => Value::Array(vec![Value::Array(vec![1.into(), "Alice".into()])]) }
);

// ---- results ----------------------------------------------------------------------------
fn engine(b: &TestDb) -> Engine {
    let engine = create_engine(&b.url()).unwrap();
    let mut md = MetaData::new();
    md.add(items()).unwrap();
    md.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    for (id, n, amount, s) in [
        (1, 3, "2.50", "abc"),
        (2, 7, "1.25", "a_c"),
        (3, 2, "0", "xyz"),
    ] {
        conn.execute(
            insert(&items()).values(params! {
                "id" => id, "n" => n, "amount" => amount.parse::<Decimal>().unwrap(), "s" => s,
            }),
            (),
        )
        .unwrap();
    }
    conn.commit().unwrap();
    engine
}

fn items() -> Table {
    Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("n", SqlType::Integer))
        .column(Column::new("amount", SqlType::Numeric(Some(10), Some(2))))
        .column(Column::new("s", SqlType::String(Some(10))))
}

fn one(conn: &mut Connection, stmt: impl Into<Statement>) -> Row {
    conn.execute(stmt.into(), ()).unwrap().one().unwrap()
}

fn ids(conn: &mut Connection, cond: Expr) -> Vec<i32> {
    let t = items();
    conn.execute(select([t.c("id")]).filter(cond).order_by([t.c("id")]), ())
        .unwrap()
        .scalars::<i32>()
        .all()
        .unwrap()
}

fn division_is_true_division_and_floordiv_floors(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let t = items();
    let row = one(
        &mut conn,
        select([
            (literal(7) / 2).label("q"),
            literal(7).floordiv(2).label("f"),
            literal(7.5).floordiv(2).label("ff"),
            literal(-7.5).floordiv(2).label("neg"),
        ]),
    );
    assert_eq!(row.get::<Decimal>("q").unwrap(), Decimal::new(35, 1));
    assert_eq!(row.get::<i64>("f").unwrap(), 3);
    assert_eq!(row.get::<f64>("ff").unwrap(), 3.0);
    // FLOOR, not truncation (SQLite, without FLOOR, computes it).
    assert_eq!(row.get::<f64>("neg").unwrap(), -4.0);
    // Columns too: 7 / 2 is 3.5, read as a Decimal (Integer / Integer is Numeric).
    let row = one(
        &mut conn,
        select([(t.c("n") / 2).label("q"), t.c("n").floordiv(2).label("f")])
            .filter(t.c("id").eq(2)),
    );
    assert!(
        matches!(row.value("q").unwrap(), Value::Decimal(_)),
        "{row:?}"
    );
    assert_eq!(row.get::<Decimal>("q").unwrap(), Decimal::new(35, 1));
    assert_eq!(row.get::<i64>("f").unwrap(), 3);
}

fn arithmetic_result_types_follow_sqlalchemy(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let t = items();
    let row = one(
        &mut conn,
        select([
            (t.c("n") * t.c("amount")).label("int_times_numeric"),
            (t.c("n") + 0.5).label("int_plus_float"),
            (t.c("n") + 1).label("int_plus_int"),
        ])
        .filter(t.c("id").eq(1)),
    );
    // Integer * Numeric is Numeric: a Decimal on every backend.
    assert_eq!(
        row.value("int_times_numeric").unwrap(),
        &Value::Decimal(Decimal::new(750, 2))
    );
    assert_eq!(row.get::<f64>("int_plus_float").unwrap(), 3.5);
    assert_eq!(row.get::<i64>("int_plus_int").unwrap(), 4);
}

fn plus_on_strings_concatenates(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let t = items();
    let row = one(
        &mut conn,
        select([
            (literal("a") + "b").label("ab"),
            (t.c("s") + "!").label("s"),
        ])
        .filter(t.c("id").eq(1)),
    );
    assert_eq!(row.get::<String>("ab").unwrap(), "ab");
    assert_eq!(row.get::<String>("s").unwrap(), "abc!");
}

fn cast_to_float_is_double_precision(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let row = one(
        &mut conn,
        select([cast(literal(993.53), SqlType::Float).label("f")]),
    );
    assert_eq!(row.get::<f64>("f").unwrap(), 993.53);
}

fn like_helpers_treat_pattern_characters_as_wildcards(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let s = || items().c("s");
    assert_eq!(ids(&mut conn, s().startswith("a_c")), [1, 2]);
    assert_eq!(ids(&mut conn, s().startswith(autoescape("a_c"))), [2]);
    assert_eq!(ids(&mut conn, s().istartswith("A_")), [1, 2]);
    assert_eq!(ids(&mut conn, s().not_startswith("a")), [3]);
    assert_eq!(ids(&mut conn, s().iendswith("C")), [1, 2]);
    assert_eq!(ids(&mut conn, s().not_icontains("_")), Vec::<i32>::new());
    assert_eq!(ids(&mut conn, s().contains(escaped("!_", '!'))), [2]);
    // Another expression: `s LIKE s || '%'` holds for every row.
    assert_eq!(ids(&mut conn, s().startswith(s())), [1, 2, 3]);
}

fn text_unescapes_a_colon_inside_a_string(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let v: String = conn
        .execute(text(r"SELECT 'a\:x' AS v"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(v, "a:x");
}

fn extract_and_aggregate_filter(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let t = items();
    let row = one(
        &mut conn,
        select([
            count(t.c("id")).filter(t.c("n").gt(2)).label("big"),
            count_all().filter(t.c("s").startswith("a")).label("a"),
        ]),
    );
    assert_eq!(row.get::<i64>("big").unwrap(), 2);
    assert_eq!(row.get::<i64>("a").unwrap(), 2);
    let date = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let year = one(
        &mut conn,
        select([extract_field("year", typed_literal(date, SqlType::Date)).label("y")]),
    );
    assert_eq!(year.get::<Decimal>("y").unwrap(), Decimal::from(2024));
    if b.is_postgres() {
        let n = ids(&mut conn, t.c("n").between_symmetric(7, 3));
        assert_eq!(n, [1, 2]);
    }
}

fn tuple_in_matches_rows_whatever_their_number(b: &TestDb) {
    let engine = engine(b);
    let mut conn = engine.connect().unwrap();
    let t = items();
    let pair = || tuple_([t.c("n"), t.c("s")]);
    let rows = vec![(3, "abc"), (7, "nope"), (2, "xyz")];
    assert_eq!(ids(&mut conn, pair().in_(rows.clone())), [1, 3]);
    assert_eq!(ids(&mut conn, pair().not_in(rows)), [2]);
    assert_eq!(ids(&mut conn, pair().in_(vec![(7, "a_c")])), [2]);
    let none = Vec::<(i32, &str)>::new;
    assert_eq!(ids(&mut conn, pair().in_(none())), Vec::<i32>::new());
    assert_eq!(ids(&mut conn, pair().not_in(none())), [1, 2, 3]);
    // The one compiled form (cached by the first query above) serves every length.
    let before = engine.cache_stats();
    for n in 1..4 {
        let rows: Vec<(i32, &str)> = (0..n).map(|i| (i, "x")).collect();
        ids(&mut conn, pair().in_(rows));
    }
    let after = engine.cache_stats();
    assert_eq!(after.misses, before.misses);
    assert_eq!(after.hits, before.hits + 3);
}

on_every_backend!(
    division_is_true_division_and_floordiv_floors,
    arithmetic_result_types_follow_sqlalchemy,
    plus_on_strings_concatenates,
    cast_to_float_is_double_precision,
    like_helpers_treat_pattern_characters_as_wildcards,
    text_unescapes_a_colon_inside_a_string,
    extract_and_aggregate_filter,
    tuple_in_matches_rows_whatever_their_number,
);
