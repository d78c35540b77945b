//! PostgreSQL arrays end to end: a table of array columns of every element type created with
//! `create_all`, values written (one row and `execute_many`) and read back equal — NULL
//! elements, empty arrays, two and three dimensions — filtered with each array operator, an
//! element updated; reflection of every element type with its dimensions (two or more; one is
//! `SqlType::array(item)` as declared), and the round trip
//! reflect → `create_all` into another schema → reflect.
#![cfg(feature = "postgres")]

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::backend::TestDb;
use rust_decimal::Decimal;
use sqlcore::*;
use std::str::FromStr;

fn arr(items: impl IntoIterator<Item = Value>) -> Value {
    Value::Array(items.into_iter().collect())
}

fn ints(ns: &[i32]) -> Value {
    arr(ns.iter().map(|&n| Value::I32(n)))
}

/// A table with an array column of every element type, and a 2-D and a 3-D one.
fn every_element_type() -> Table {
    let a = SqlType::array;
    Table::new("every_array")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("i2", a(SqlType::SmallInteger)))
        .column(Column::new("i4", a(SqlType::Integer)))
        .column(Column::new("i8", a(SqlType::BigInteger)))
        .column(Column::new("f4", a(SqlType::Real)))
        .column(Column::new("f8", a(SqlType::Double)))
        .column(Column::new("num", a(SqlType::Numeric(Some(10), Some(2)))))
        .column(Column::new("txt", a(SqlType::Text)))
        .column(Column::new("vc", a(SqlType::String(Some(20)))))
        .column(Column::new("b", a(SqlType::Boolean)))
        .column(Column::new("d", a(SqlType::Date)))
        .column(Column::new("ts", a(SqlType::DATETIME)))
        .column(Column::new("tstz", a(SqlType::DATETIME_TZ)))
        .column(Column::new("u", a(SqlType::Uuid)))
        .column(Column::new("j", a(SqlType::Json)))
        .column(Column::new("by", a(SqlType::LargeBinary)))
        .column(Column::new("grid", a(SqlType::Integer).dimensions(2)))
        .column(Column::new("cube", a(SqlType::Text).dimensions(3)))
}

/// One value for every column but `id`: each array with a NULL element.
fn full_row() -> Vec<(&'static str, Value)> {
    let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let t = day.and_hms_micro_opt(12, 30, 15, 250_000).unwrap();
    vec![
        ("i2", arr([Value::I16(-3), Value::Null, Value::I16(7)])),
        (
            "i4",
            arr([Value::I32(1), Value::Null, Value::I32(i32::MAX)]),
        ),
        ("i8", arr([Value::I64(i64::MIN), Value::Null])),
        ("f4", arr([Value::F32(1.5), Value::Null])),
        ("f8", arr([Value::F64(-0.25), Value::Null])),
        (
            "num",
            arr([
                Value::Decimal(Decimal::from_str("12.34").unwrap()),
                Value::Null,
            ]),
        ),
        (
            "txt",
            arr([Value::from("a,b"), Value::Null, Value::from("\"q\" {x}")]),
        ),
        ("vc", arr([Value::from("short"), Value::Null])),
        (
            "b",
            arr([Value::Bool(true), Value::Null, Value::Bool(false)]),
        ),
        ("d", arr([Value::Date(day), Value::Null])),
        ("ts", arr([Value::Timestamp(t), Value::Null])),
        (
            "tstz",
            arr([Value::TimestampTz(Utc.from_utc_datetime(&t)), Value::Null]),
        ),
        (
            "u",
            arr([Value::Uuid(uuid::Uuid::from_u128(42)), Value::Null]),
        ),
        (
            "j",
            arr([
                Value::Json(Box::new(serde_json::json!({"k": [1, "two"]}))),
                Value::Null,
            ]),
        ),
        ("by", arr([Value::Bytes(vec![0, 1, 255]), Value::Null])),
        (
            "grid",
            arr([ints(&[1, 2, 3]), arr([Value::Null, 5.into(), 6.into()])]),
        ),
        (
            "cube",
            arr([
                arr([
                    arr(["a".into(), "b".into()]),
                    arr(["c".into(), Value::Null]),
                ]),
                arr([arr(["e".into(), "f".into()]), arr(["g".into(), "h".into()])]),
            ]),
        ),
    ]
}

fn params_of(id: i32, row: &[(&'static str, Value)]) -> Params {
    let mut p = Params::new();
    p.insert("id", id);
    for (k, v) in row {
        p.insert(*k, v.clone());
    }
    p
}

fn read_row(conn: &mut Connection, t: &Table, id: i32) -> Row {
    conn.execute(select(t).filter(t.c("id").eq(id)), ())
        .unwrap()
        .one()
        .unwrap()
}

#[test]
fn arrays_of_every_element_type_round_trip() {
    let Some(b) = TestDb::postgres("arrays_round_trip") else {
        return;
    };
    let engine = create_engine(&b.url()).unwrap();
    let t = every_element_type();
    let mut md = MetaData::new();
    md.add(t.clone()).unwrap();
    md.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();

    // One row with a NULL element in every array.
    let full = full_row();
    conn.execute(insert(&t).values(params_of(1, &full)), ())
        .unwrap();
    // Empty arrays, and NULL arrays, through execute_many.
    let empty: Vec<(&str, Value)> = full.iter().map(|(k, _)| (*k, arr([]))).collect();
    let nulls: Vec<(&str, Value)> = full.iter().map(|(k, _)| (*k, Value::Null)).collect();
    conn.execute_many(insert(&t), vec![params_of(2, &empty), params_of(3, &nulls)])
        .unwrap();
    conn.commit().unwrap();

    for (id, expected) in [(1, &full), (2, &empty), (3, &nulls)] {
        let row = read_row(&mut conn, &t, id);
        for (column, value) in expected {
            assert_eq!(&row[*column], value, "row {id}, column {column}");
        }
    }

    // The server sees the dimensions and NULLs written, not a flattened array.
    let (dims, nulls): (String, bool) = {
        let row = conn
            .execute(
                text(
                    "SELECT array_dims(grid) || array_dims(cube), array_position(i4, NULL) = 2 \
                      FROM every_array WHERE id = 1",
                ),
                (),
            )
            .unwrap()
            .one()
            .unwrap();
        (row.get(0).unwrap(), row.get(1).unwrap())
    };
    assert_eq!((dims.as_str(), nulls), ("[1:2][1:3][1:2][1:2][1:2]", true));

    // A ragged array is refused before it reaches the server, naming the problem.
    let err = conn
        .execute(
            insert(&t).values(params! {"id" => 4, "grid" => arr([ints(&[1, 2]), ints(&[3])])}),
            (),
        )
        .unwrap_err();
    assert!(err.to_string().contains("rectangular"), "{err}");
}

/// The `arrays` table of the operator tests, with rows 1..=4.
fn operator_fixture(conn: &mut Connection) -> Table {
    let t = Table::new("tagged")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("ns", SqlType::array(SqlType::Integer)))
        .column(Column::new(
            "tags",
            SqlType::array(SqlType::String(Some(20))),
        ))
        .column(Column::new(
            "grid",
            SqlType::array(SqlType::Integer).dimensions(2),
        ));
    let mut md = MetaData::new();
    md.add(t.clone()).unwrap();
    md.create_all(&mut *conn).unwrap();
    let rows = [
        (
            1,
            ints(&[1, 2, 3]),
            vec!["red", "blue"],
            arr([ints(&[1, 2]), ints(&[3, 4])]),
        ),
        (2, ints(&[2, 4]), vec!["blue"], arr([ints(&[5, 6])])),
        (3, ints(&[]), vec![], Value::Null),
        (
            4,
            ints(&[7]),
            vec!["green", "red"],
            arr([ints(&[7, 8]), ints(&[9, 10])]),
        ),
    ];
    conn.execute_many(
        insert(&t),
        rows.into_iter().map(|(id, ns, tags, grid)| {
            params! {
                "id" => id,
                "ns" => ns,
                "tags" => arr(tags.into_iter().map(Value::from)),
                "grid" => grid,
            }
        }),
    )
    .unwrap();
    t
}

fn ids(conn: &mut Connection, t: &Table, cond: Expr) -> Vec<i32> {
    conn.execute(
        select([t.c("id")]).filter(cond).order_by([t.c("id").asc()]),
        (),
    )
    .unwrap()
    .scalars()
    .all()
    .unwrap()
}

#[test]
fn array_operators_filter_rows() {
    let Some(b) = TestDb::postgres("array_operators") else {
        return;
    };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let t = operator_fixture(&mut conn);
    let ns = || t.c("ns");
    let tags = || t.c("tags");
    assert_eq!(ids(&mut conn, &t, ns().array_contains([2])), [1, 2]);
    assert_eq!(ids(&mut conn, &t, ns().array_contains(vec![2, 3])), [1]);
    assert_eq!(
        ids(&mut conn, &t, tags().array_contained_by(["red", "blue"])),
        [1, 2, 3]
    );
    assert_eq!(
        ids(&mut conn, &t, tags().array_overlap(["green", "blue"])),
        [1, 2, 4]
    );
    assert_eq!(
        ids(
            &mut conn,
            &t,
            ns().array_overlap(array([literal(7), literal(3)]))
        ),
        [1, 4]
    );
    assert_eq!(ids(&mut conn, &t, any_(ns()).eq(4)), [2]);
    assert_eq!(ids(&mut conn, &t, tags().any_().eq("red")), [1, 4]);
    // `$1 < ALL (ns)`: every element above 1 (true for the empty array).
    assert_eq!(ids(&mut conn, &t, all_(ns()).gt(1)), [2, 3, 4]);
    assert_eq!(ids(&mut conn, &t, ns().all_().le(4)), [1, 2, 3]);
    assert_eq!(ids(&mut conn, &t, ns().item(1).eq(2)), [2]);
    assert_eq!(ids(&mut conn, &t, tags().item(2).eq("red")), [4]);
    assert_eq!(ids(&mut conn, &t, t.c("grid").item(2).item(1).eq(9)), [4]);
    assert_eq!(ids(&mut conn, &t, ns().slice(2, 3).eq(ints(&[2, 3]))), [1]);

    // Element and slice reads, typed as the element and as the array.
    let row = conn
        .execute(
            select([
                ns().item(2).label("second"),
                ns().slice(1, 2).label("head"),
                t.c("grid").slice(1, 1).slice(1, 2).label("first_row"),
                array([ns().item(1), literal(0)]).label("built"),
            ])
            .filter(t.c("id").eq(1)),
            (),
        )
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row["second"], Value::I32(2));
    assert_eq!(row["head"], ints(&[1, 2]));
    assert_eq!(row["first_row"], arr([ints(&[1, 2])]));
    assert_eq!(row["built"], ints(&[1, 0]));

    // array_agg reads as an array.
    let agg: Value = conn
        .execute(
            select([array_agg(t.c("id")).label("ids")]).filter(ns().array_contains([2])),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(agg, ints(&[1, 2]));
}

#[test]
fn array_elements_update() {
    let Some(b) = TestDb::postgres("array_update") else {
        return;
    };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let t = operator_fixture(&mut conn);
    // One element (`SET ns[2] = $1`), an element of a 2-D array and a slice.
    conn.execute(
        update(&t)
            .set_element(t.c("ns").item(2), 20)
            .set_element(t.c("grid").item(2).item(1), 30)
            .set_element(t.c("tags").slice(1, 2), arr(["x".into(), "y".into()]))
            .filter(t.c("id").eq(1)),
        (),
    )
    .unwrap();
    // The whole array replaced by an expression of the old one.
    conn.execute(
        update(&t)
            .filter(t.c("id").eq(2))
            .values([("ns", array([t.c("ns").item(2), literal(40)]))]),
        (),
    )
    .unwrap();
    conn.execute(
        update(&t)
            .filter(t.c("id").eq(3))
            .values([("grid", arr([ints(&[1]), ints(&[2])]))]),
        (),
    )
    .unwrap();
    let read = |conn: &mut Connection, id: i32, col: &str| read_row(conn, &t, id)[col].clone();
    assert_eq!(read(&mut conn, 1, "ns"), ints(&[1, 20, 3]));
    assert_eq!(
        read(&mut conn, 1, "grid"),
        arr([ints(&[1, 2]), ints(&[30, 4])])
    );
    assert_eq!(read(&mut conn, 1, "tags"), arr(["x".into(), "y".into()]));
    assert_eq!(read(&mut conn, 2, "ns"), ints(&[4, 40]));
    assert_eq!(read(&mut conn, 3, "grid"), arr([ints(&[1]), ints(&[2])]));
}

/// Every element type and dimension count, declared in SQL, reflects as `SqlType::Array` of
/// the element's type; an enum array's element is whatever the enum itself reflects as.
#[test]
fn array_columns_reflect_with_element_type_and_dimensions() {
    let Some(b) = TestDb::postgres("array_reflect") else {
        return;
    };
    let schema = b.schema().unwrap().to_owned();
    let mut client = common::pg::connect().unwrap();
    client
        .batch_execute(&format!(
            "CREATE TYPE {schema}.mood AS ENUM ('sad', 'ok'); \
             CREATE TABLE {schema}.reflected ( \
                id integer PRIMARY KEY, \
                i2 smallint[], i4 integer[], i8 bigint[], f4 real[], f8 double precision[], \
                num numeric(10,2)[], num_plain numeric[], txt text[], vc varchar(20)[], \
                vc_plain varchar[], b boolean[], d date[], t time[], ts timestamp[], \
                tstz timestamptz[], iv interval[], u uuid[], j json[], jb jsonb[], by bytea[], \
                grid integer[][], cube text[][][], sized integer[3], arr_kw integer ARRAY, \
                mood {schema}.mood, moods {schema}.mood[])"
        ))
        .unwrap();
    let engine = create_engine(&b.url()).unwrap();
    let mut md = MetaData::new();
    let t = Table::autoload("reflected", &mut md, &engine).unwrap();
    let ty = |name: &str| t.get_column(name).unwrap().sql_type.clone();
    // One dimension reflects as declared by `SqlType::array`, without a count.
    let one = SqlType::array;
    for (column, item) in [
        ("i2", SqlType::SmallInteger),
        ("i4", SqlType::Integer),
        ("i8", SqlType::BigInteger),
        ("f4", SqlType::Real),
        ("f8", SqlType::Double),
        ("num", SqlType::Numeric(Some(10), Some(2))),
        ("num_plain", SqlType::Numeric(None, None)),
        ("txt", SqlType::Text),
        ("vc", SqlType::String(Some(20))),
        ("vc_plain", SqlType::String(None)),
        ("b", SqlType::Boolean),
        ("d", SqlType::Date),
        ("t", SqlType::TIME),
        ("ts", SqlType::DATETIME),
        ("tstz", SqlType::DATETIME_TZ),
        ("iv", SqlType::INTERVAL),
        ("u", SqlType::Uuid),
        ("j", SqlType::Json),
        ("jb", SqlType::Json),
        ("by", SqlType::LargeBinary),
        ("sized", SqlType::Integer),
        ("arr_kw", SqlType::Integer),
    ] {
        assert_eq!(ty(column), one(item), "{column}");
    }
    assert_eq!(ty("grid"), SqlType::array(SqlType::Integer).dimensions(2));
    assert_eq!(ty("cube"), SqlType::array(SqlType::Text).dimensions(3));
    assert_eq!(
        ty("moods"),
        one(ty("mood")),
        "an enum array's element is the enum"
    );

    // Values go through the reflected columns.
    let mut conn = engine.connect().unwrap();
    conn.execute(
        insert(&t).values(params! {
            "id" => 1,
            "grid" => arr([ints(&[1, 2]), ints(&[3, 4])]),
            "moods" => arr(["ok".into(), Value::Null]),
            "num" => arr([Value::Decimal(Decimal::new(150, 2))]),
        }),
        (),
    )
    .unwrap();
    let row = read_row(&mut conn, &t, 1);
    assert_eq!(row["grid"], arr([ints(&[1, 2]), ints(&[3, 4])]));
    assert_eq!(row["moods"], arr(["ok".into(), Value::Null]));
    assert_eq!(row["num"], arr([Value::Decimal(Decimal::new(150, 2))]));
}

/// Reflect → `create_all` into another schema → reflect gives the same columns.
#[test]
fn reflected_arrays_recreate_the_same_columns() {
    let Some(b) = TestDb::postgres("array_recreate") else {
        return;
    };
    let Some(copy) = TestDb::postgres("array_recreate_copy") else {
        return;
    };
    let engine = create_engine(&b.url()).unwrap();
    let mut md = MetaData::new();
    md.add(every_element_type()).unwrap();
    md.add(
        Table::new("declared_dims")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new(
                "one",
                SqlType::array(SqlType::String(Some(5))).dimensions(1),
            ))
            .column(Column::new(
                "two",
                SqlType::array(SqlType::Numeric(Some(8), Some(3))).dimensions(2),
            )),
    )
    .unwrap();
    md.create_all(&engine).unwrap();

    let mut first = MetaData::new();
    first.reflect(&engine).unwrap();
    let copy_engine = create_engine(&copy.url()).unwrap();
    first.create_all(&copy_engine).unwrap();
    let mut second = MetaData::new();
    second.reflect(&copy_engine).unwrap();

    let columns = |md: &MetaData| -> Vec<(String, String, SqlType)> {
        md.tables()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .map(|(_, c)| (t.name.to_string(), c.name.to_string(), c.sql_type.clone()))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let (a, b) = (columns(&first), columns(&second));
    assert_eq!(a, b);
    let declared = |name: &str| {
        a.iter()
            .find(|(t, c, _)| t == "declared_dims" && c == name)
            .unwrap()
            .2
            .clone()
    };
    assert_eq!(
        declared("two"),
        SqlType::array(SqlType::Numeric(Some(8), Some(3))).dimensions(2)
    );
    // `dimensions(1)` is what `SqlType::array` declares: it comes back without a count.
    assert_eq!(declared("one"), SqlType::array(SqlType::String(Some(5))));
}

/// A server default given as an array value is written in PostgreSQL's array text and read
/// back as the array.
#[test]
fn array_server_defaults() {
    let Some(b) = TestDb::postgres("array_defaults") else {
        return;
    };
    let engine = create_engine(&b.url()).unwrap();
    let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let defaults = [
        (
            "texts",
            SqlType::Text,
            arr(["it's \"q\" \\ {b}, c".into(), Value::Null]),
        ),
        ("days", SqlType::Date, arr([Value::Date(day)])),
        (
            "grid",
            SqlType::Integer,
            arr([ints(&[1, 2]), ints(&[3, 4])]),
        ),
        ("flags", SqlType::Boolean, arr([true.into(), false.into()])),
        (
            "blobs",
            SqlType::LargeBinary,
            arr([Value::Bytes(vec![0, 255])]),
        ),
        ("none", SqlType::Uuid, arr([])),
    ];
    let mut t = Table::new("defaults").column(Column::new("id", SqlType::Integer).primary_key());
    for (name, item, value) in &defaults {
        let ty = match value {
            Value::Array(items) if matches!(items.first(), Some(Value::Array(_))) => {
                SqlType::array(item.clone()).dimensions(2)
            }
            _ => SqlType::array(item.clone()),
        };
        t = t.column(Column::new(*name, ty).server_default(value.clone()));
    }
    let mut md = MetaData::new();
    md.add(t.clone()).unwrap();
    md.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(insert(&t).values(params! {"id" => 1}), ())
        .unwrap();
    let row = read_row(&mut conn, &t, 1);
    for (name, _, value) in &defaults {
        assert_eq!(&row[*name], value, "{name}");
    }
}
