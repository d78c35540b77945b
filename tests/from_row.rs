//! Rows read into Rust values with `FromRow` — derived structs by name (renamed fields, extra
//! columns, nullable ones), by position, tuples — through `all_as`, `one_as`, `first_as`,
//! `one_or_none_as`, `query_row_as`, `query_all_as`, and streamed results (the sync `rows_as` iterator and the
//! async stream), with typed errors for a missing column, a wrong type and a column count.
//! Each behaviour is written once and runs on every backend with both engines.

mod common;

use common::backend::TestDb;
use common::engines::{TestConn, TestEngine};
use indexmap::IndexMap;
use sqlcore::*;
use std::sync::Arc;

fn members() -> Table {
    Table::new("members")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::String(Some(50))).nullable(false))
        .column(Column::new("email", SqlType::String(Some(100))))
}

#[derive(Debug, Clone, PartialEq, FromRow)]
struct Member {
    id: i64,
    name: String,
    email: Option<String>,
}

/// Reads `name` from a column named otherwise.
#[derive(Debug, PartialEq, FromRow)]
struct Renamed {
    #[sqlcore(rename = "name")]
    nickname: String,
    id: i64,
}

#[derive(Debug, PartialEq, FromRow)]
#[sqlcore(by_position)]
struct Positional {
    key: i64,
    label: String,
}

#[derive(Debug, PartialEq, FromRow)]
struct Pair(i64, String);

fn expected() -> Vec<Member> {
    (1..=5)
        .map(|id| Member {
            id,
            name: format!("member {id}"),
            email: (id % 2 == 0).then(|| format!("m{id}@example.com")),
        })
        .collect()
}

/// The table, created and filled with [`expected`]'s rows.
async fn fill<E: TestEngine>(engine: &E) -> (Table, E::Conn) {
    let t = members();
    let mut conn = engine.conn().await.unwrap();
    conn.exec(create_table(&t), Params::new()).await.unwrap();
    let rows = expected()
        .into_iter()
        .map(|m| params! { "id" => m.id, "name" => m.name, "email" => m.email })
        .collect();
    conn.exec_many(insert(&t), rows).await.unwrap();
    conn.commit().await.unwrap();
    (t, conn)
}

fn rename_five(t: &Table) -> Update {
    update(t)
        .values([("name", "renamed")])
        .filter(t.c("id").eq(5))
}

fn by_id(t: &Table) -> Select {
    select(t).order_by(t.c("id"))
}

async fn rows_into_structs_and_tuples<E: TestEngine>(engine: &E, _db: &TestDb) {
    let (t, mut conn) = fill(engine).await;
    let all: Vec<Member> = conn
        .exec(by_id(&t), Params::new())
        .await
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(all, expected());

    // By name: the columns in another order, one more than the struct reads.
    let reordered = select([t.c("email"), t.c("name"), t.c("id")]).order_by(t.c("id"));
    let renamed: Vec<Renamed> = conn
        .exec(reordered, Params::new())
        .await
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(
        renamed[1],
        Renamed {
            nickname: "member 2".into(),
            id: 2
        }
    );

    let id_name: Statement = select([t.c("id"), t.c("name")]).order_by(t.c("id")).into();
    let tuples: Vec<(i64, String)> = conn
        .exec(&id_name, Params::new())
        .await
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(tuples[4], (5, "member 5".to_owned()));
    let positional: Vec<Positional> = conn
        .exec(&id_name, Params::new())
        .await
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(
        positional[0],
        Positional {
            key: 1,
            label: "member 1".into()
        }
    );
    let pairs: Vec<Pair> = conn
        .exec(&id_name, Params::new())
        .await
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(pairs[2], Pair(3, "member 3".into()));

    // The rows of one result, one by one.
    let mut rows = conn
        .exec(by_id(&t), Params::new())
        .await
        .unwrap()
        .rows_as::<Member>()
        .unwrap();
    assert_eq!(rows.next().unwrap().unwrap(), expected()[0]);
    assert_eq!(rows.count(), 4);
}

async fn one_first_and_query_row<E: TestEngine>(engine: &E, _db: &TestDb) {
    let (t, mut conn) = fill(engine).await;
    let where_id: Statement = by_id(&t).filter(t.c("id").eq(bindparam("id"))).into();
    let two: Member = conn
        .exec(&where_id, params! { "id" => 2 })
        .await
        .unwrap()
        .one_as()
        .unwrap();
    assert_eq!(two, expected()[1]);
    let none = conn
        .exec(&where_id, params! { "id" => 9 })
        .await
        .unwrap()
        .one_as::<Member>();
    assert!(matches!(none, Err(Error::NoResultFound)), "{none:?}");
    let many = conn
        .exec(by_id(&t), Params::new())
        .await
        .unwrap()
        .one_as::<Member>();
    assert!(matches!(many, Err(Error::MultipleResultsFound)), "{many:?}");
    let many = conn
        .exec(by_id(&t), Params::new())
        .await
        .unwrap()
        .one_or_none_as::<Member>();
    assert!(matches!(many, Err(Error::MultipleResultsFound)), "{many:?}");
    let absent = conn
        .exec(&where_id, params! { "id" => 9 })
        .await
        .unwrap()
        .one_or_none_as::<Member>()
        .unwrap();
    assert_eq!(absent, None);
    let first = conn
        .exec(by_id(&t), Params::new())
        .await
        .unwrap()
        .first_as::<Member>()
        .unwrap();
    assert_eq!(first, Some(expected()[0].clone()));

    let four: Member = conn.row_as(&where_id, params! { "id" => 4 }).await.unwrap();
    assert_eq!(four, expected()[3]);
    let (id, email): (i64, Option<String>) = conn
        .row_as(
            select([t.c("id"), t.c("email")]).filter(t.c("id").eq(3)),
            Params::new(),
        )
        .await
        .unwrap();
    assert_eq!((id, email), (3, None));
    let missing = conn
        .row_as::<Member>(&where_id, params! { "id" => 9 })
        .await;
    assert!(matches!(missing, Err(Error::NoResultFound)), "{missing:?}");
}

async fn streamed_rows_into_structs<E: TestEngine>(engine: &E, _db: &TestDb) {
    let (t, mut conn) = fill(engine).await;
    let streamed: Vec<Member> = conn.streamed_as(by_id(&t), Params::new(), 2).await.unwrap();
    assert_eq!(streamed, expected());
    let missing = conn
        .streamed_as::<(i64,)>(by_id(&t), Params::new(), 2)
        .await;
    assert!(
        matches!(
            missing,
            Err(Error::ColumnCount {
                expected: 1,
                found: 3,
                ..
            })
        ),
        "{missing:?}"
    );
}

async fn typed_errors_name_the_column_and_types<E: TestEngine>(engine: &E, _db: &TestDb) {
    let (t, mut conn) = fill(engine).await;
    let no_email: Statement = select([t.c("id"), t.c("name")]).into();
    let missing = conn
        .exec(&no_email, Params::new())
        .await
        .unwrap()
        .all_as::<Member>()
        .unwrap_err();
    match &missing {
        Error::MissingColumn { column, target } => {
            assert_eq!((column.as_str(), *target), ("email", "Member"))
        }
        other => panic!("{other:?}"),
    }
    assert!(missing.to_string().contains("\"email\""), "{missing}");

    /// `name` is text in the database.
    #[derive(Debug, FromRow)]
    #[allow(dead_code)]
    struct NameAsNumber {
        id: i64,
        name: i64,
    }
    let wrong = conn
        .exec(&no_email, Params::new())
        .await
        .unwrap()
        .all_as::<NameAsNumber>()
        .unwrap_err();
    match &wrong {
        Error::Conversion {
            column,
            expected,
            found,
        } => {
            assert_eq!(column, "name");
            assert!(expected.contains("i64"), "{wrong}");
            assert!(!found.is_empty(), "{wrong}");
        }
        other => panic!("{other:?}"),
    }
    let null_into_string = conn
        .row_as::<(i64, String)>(
            select([t.c("id"), t.c("email")]).filter(t.c("id").eq(1)),
            Params::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&null_into_string, Error::Conversion { column, .. } if column == "email"),
        "{null_into_string:?}"
    );
    let no_rows = conn
        .exec(rename_five(&t), Params::new())
        .await
        .unwrap()
        .all_as::<Member>();
    assert!(
        matches!(no_rows, Err(Error::ResourceClosed(_))),
        "{no_rows:?}"
    );
    let count = conn
        .exec(by_id(&t), Params::new())
        .await
        .unwrap()
        .all_as::<(i64, String)>()
        .unwrap_err();
    assert!(
        matches!(
            count,
            Error::ColumnCount {
                expected: 2,
                found: 3,
                ..
            }
        ),
        "{count:?}"
    );
}

#[derive(Debug, PartialEq, FromRow)]
struct Reading {
    id: i64,
    ratio: f32,
}

/// A REAL column reads into `f32` on every backend, SQLite included, where every REAL is
/// stored as an 8-byte float.
async fn a_real_column_reads_into_f32<E: TestEngine>(engine: &E, _db: &TestDb) {
    let t = Table::new("readings")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("ratio", SqlType::Real).nullable(false));
    let mut conn = engine.conn().await.unwrap();
    conn.exec(create_table(&t), Params::new()).await.unwrap();
    let rows = [(1, 0.1_f32), (2, -2.5e-3), (3, 1.0e30)]
        .into_iter()
        .map(|(id, ratio)| params! { "id" => id, "ratio" => ratio })
        .collect();
    conn.exec_many(insert(&t), rows).await.unwrap();
    let read: Vec<Reading> = conn
        .exec(select(&t).order_by(t.c("id")), Params::new())
        .await
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(
        read,
        [
            Reading { id: 1, ratio: 0.1 },
            Reading {
                id: 2,
                ratio: -2.5e-3
            },
            Reading {
                id: 3,
                ratio: 1.0e30
            },
        ]
    );
}

/// One column of each common kind (`amount` of a kind without a reader of its own on
/// PostgreSQL), nullable.
#[derive(Debug, Clone, PartialEq, FromRow)]
struct Kinds {
    id: i64,
    small: Option<i16>,
    big: Option<i64>,
    ratio: Option<f64>,
    flag: Option<bool>,
    label: Option<String>,
    data: Option<Vec<u8>>,
    amount: Option<rust_decimal::Decimal>,
}

/// Every common kind, and NULL in each, reads alike into structs (`all_as`, `rows_as`), as
/// scalars, by `Row::get` while iterating and into mappings: each reading path decodes a
/// column the same way, however it chose the column's decoder.
async fn every_kind_reads_alike_on_every_path<E: TestEngine>(engine: &E, _db: &TestDb) {
    let t = Table::new("kinds")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("small", SqlType::SmallInteger))
        .column(Column::new("big", SqlType::BigInteger))
        .column(Column::new("ratio", SqlType::Double))
        .column(Column::new("flag", SqlType::Boolean))
        .column(Column::new("label", SqlType::Text))
        .column(Column::new("data", SqlType::LargeBinary))
        .column(Column::new("amount", SqlType::Numeric(Some(10), Some(2))));
    let full = Kinds {
        id: 1,
        small: Some(-7),
        big: Some(1 << 40),
        ratio: Some(0.25),
        flag: Some(true),
        label: Some("héllo".into()),
        data: Some(vec![0, 159, 255]),
        amount: Some("12.50".parse().unwrap()),
    };
    let empty = Kinds {
        id: 2,
        small: None,
        big: None,
        ratio: None,
        flag: None,
        label: None,
        data: None,
        amount: None,
    };
    let mut conn = engine.conn().await.unwrap();
    conn.exec(create_table(&t), Params::new()).await.unwrap();
    let rows = [&full, &empty]
        .into_iter()
        .map(|k| {
            params! {
                "id" => k.id, "small" => k.small, "big" => k.big, "ratio" => k.ratio,
                "flag" => k.flag, "label" => k.label.clone(), "data" => k.data.clone(),
                "amount" => k.amount,
            }
        })
        .collect();
    conn.exec_many(insert(&t), rows).await.unwrap();
    let expected = vec![full.clone(), empty];
    let query = || select(&t).order_by(t.c("id"));
    let all: Vec<Kinds> = conn
        .exec(query(), Params::new())
        .await
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(all, expected);
    let direct: Vec<Kinds> = conn.all_as(query(), Params::new()).await.unwrap();
    assert_eq!(direct, expected);
    let one_by_one: Vec<Kinds> = conn
        .exec(query(), Params::new())
        .await
        .unwrap()
        .rows_as()
        .unwrap()
        .collect::<Result<_>>()
        .unwrap();
    assert_eq!(one_by_one, expected);
    let rows = conn.exec(query(), Params::new()).await.unwrap();
    let got: Vec<Kinds> = rows.map(|row| row.unwrap().read_as().unwrap()).collect();
    assert_eq!(got, expected);
    let by_get: Vec<(i64, Option<String>, Option<f64>)> = conn
        .exec(query(), Params::new())
        .await
        .unwrap()
        .map(|row| {
            let row = row.unwrap();
            (
                row.get("id").unwrap(),
                row.get("label").unwrap(),
                row.get("ratio").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_get,
        [(1, full.label.clone(), full.ratio), (2, None, None)]
    );
    let labels: Vec<Option<String>> = conn
        .exec(select([t.c("label")]).order_by(t.c("id")), Params::new())
        .await
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(labels, [full.label.clone(), None]);
    let smalls: Vec<Option<i16>> = conn
        .exec(select([t.c("small")]).order_by(t.c("id")), Params::new())
        .await
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(smalls, [full.small, None]);
    let maps = conn
        .exec(query(), Params::new())
        .await
        .unwrap()
        .mappings()
        .all()
        .unwrap();
    assert_eq!(maps.len(), 2);
    // The same names, in column order, and values as each row's own map gives them.
    let pairs = |map: &IndexMap<Arc<str>, Value>| -> Vec<(Arc<str>, Value)> {
        map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    };
    let rows = conn
        .exec(query(), Params::new())
        .await
        .unwrap()
        .all()
        .unwrap();
    let from_rows: Vec<_> = rows.into_iter().map(|row| pairs(&row.into_map())).collect();
    assert_eq!(maps.iter().map(pairs).collect::<Vec<_>>(), from_rows);
    assert_eq!(maps[0]["big"], Value::from(1_i64 << 40));
    assert_eq!(maps[1]["label"], Value::Null);
    // A text column read as a number names the column, on every path.
    let wrong = conn
        .exec(select([t.c("label")]).order_by(t.c("id")), Params::new())
        .await
        .unwrap()
        .scalars::<i64>()
        .all()
        .unwrap_err();
    assert!(matches!(&wrong, Error::Conversion { .. }), "{wrong:?}");
    let wrong = conn
        .exec(select([t.c("id"), t.c("label")]), Params::new())
        .await
        .unwrap()
        .all_as::<(i64, i64)>()
        .unwrap_err();
    assert!(
        matches!(&wrong, Error::Conversion { column, .. } if column == "label"),
        "{wrong:?}"
    );
}

/// `query_all_as` reads what `execute(..).all_as()` reads, with the same errors: a missing
/// column even when no row comes, a wrong type naming the column, and a statement without rows.
async fn query_all_as_reads_what_all_as_reads<E: TestEngine>(engine: &E, _db: &TestDb) {
    let (t, mut conn) = fill(engine).await;
    let all: Vec<Member> = conn.all_as(by_id(&t), Params::new()).await.unwrap();
    assert_eq!(all, expected());
    let reordered = select([t.c("email"), t.c("name"), t.c("id")]).order_by(t.c("id"));
    let renamed: Vec<Renamed> = conn.all_as(reordered, Params::new()).await.unwrap();
    assert_eq!(renamed.len(), 5);
    assert_eq!(renamed[4].nickname, "member 5");
    let pairs: Vec<(i64, Option<String>)> = conn
        .all_as(
            select([t.c("id"), t.c("email")]).filter(t.c("id").gt(bindparam("from"))),
            params! { "from" => 3 },
        )
        .await
        .unwrap();
    assert_eq!(pairs, [(4, Some("m4@example.com".into())), (5, None)]);
    let none: Vec<Member> = conn
        .all_as(by_id(&t).filter(t.c("id").gt(9)), Params::new())
        .await
        .unwrap();
    assert!(none.is_empty());
    // More columns than a row keeps on the stack.
    type Twelve = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);
    let wide: Vec<Twelve> = conn
        .all_as(
            text("SELECT 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12"),
            Params::new(),
        )
        .await
        .unwrap();
    assert_eq!(wide, [(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)]);

    let no_email = || select([t.c("id"), t.c("name")]).filter(t.c("id").gt(9));
    let missing = conn
        .all_as::<Member>(no_email(), Params::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&missing, Error::MissingColumn { column, target: "Member" } if column == "email"),
        "no row, and still the missing column: {missing:?}"
    );
    let wrong = conn
        .all_as::<(i64, i64)>(select([t.c("id"), t.c("name")]), Params::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&wrong, Error::Conversion { column, .. } if column == "name"),
        "{wrong:?}"
    );
    let no_rows = conn
        .all_as::<Member>(rename_five(&t), Params::new())
        .await
        .unwrap_err();
    assert!(matches!(no_rows, Error::ResourceClosed(_)), "{no_rows:?}");
    let no_row = conn
        .row_as::<Member>(rename_five(&t), Params::new())
        .await
        .unwrap_err();
    assert!(matches!(no_row, Error::ResourceClosed(_)), "{no_row:?}");
    let renamed_five: Member = conn
        .row_as(by_id(&t).filter(t.c("id").eq(5)), Params::new())
        .await
        .unwrap();
    assert_ne!(renamed_five.name, "member 5", "the UPDATE ran");
}

on_both_engines!(
    query_all_as_reads_what_all_as_reads,
    every_kind_reads_alike_on_every_path,
    rows_into_structs_and_tuples,
    one_first_and_query_row,
    streamed_rows_into_structs,
    typed_errors_name_the_column_and_types,
    a_real_column_reads_into_f32,
);

/// Reads `column` twice: an owned value among the first 64 columns is moved out by the first
/// read, so the second is an error (never a silent NULL); past them values are copied.
struct Twice<const COLUMN: usize>(i64);

impl<const COLUMN: usize> FromRow for Twice<COLUMN> {
    type Columns = ();
    fn columns(_: &ResultKeys) -> Result<()> {
        Ok(())
    }
    fn from_row(row: &mut RowReader<'_>, _: &()) -> Result<Self> {
        let first: i64 = row.get(COLUMN)?;
        let again: i64 = row.get(COLUMN)?;
        Ok(Twice(first + again))
    }
}

#[test]
fn a_column_read_twice_is_an_error_not_a_null() {
    let engine = create_engine("sqlite://").unwrap();
    let mut conn = engine.connect().unwrap();
    let columns: Vec<String> = (0..70).map(|i| format!("{i} AS c{i}")).collect();
    let sql = format!("SELECT {}", columns.join(", "));
    let twice = conn.execute(text(&sql), ()).unwrap().one_as::<Twice<3>>();
    assert!(
        matches!(&twice, Err(Error::InvalidRequest(m)) if m.contains("\"c3\"")),
        "{:?}",
        twice.err()
    );
    let wide = conn.execute(text(&sql), ()).unwrap().one_as::<Twice<66>>();
    assert_eq!(wide.unwrap().0, 132);
}

/// SQLite types values, not columns: a column whose values are stored in different classes
/// (no declared type) reads each value as stored, and a value of another kind is an error
/// naming the column, on whichever row it is, however the result chose its decoders.
#[test]
fn a_column_whose_storage_class_changes_between_rows() {
    let engine = create_engine("sqlite://").unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE loose (id INTEGER PRIMARY KEY, v)"), ())
        .unwrap();
    conn.execute(
        text("INSERT INTO loose VALUES (1, 10), (2, 'ten'), (3, 2.5), (4, NULL), (5, x'00')"),
        (),
    )
    .unwrap();
    let query = || text("SELECT id, v FROM loose ORDER BY id");
    let values: Vec<(i64, Value)> = conn.execute(query(), ()).unwrap().all_as().unwrap();
    assert_eq!(
        values.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        [
            Value::I64(10),
            Value::from("ten"),
            Value::F64(2.5),
            Value::Null,
            Value::Bytes(vec![0]),
        ]
    );
    let wrong = conn
        .execute(query(), ())
        .unwrap()
        .all_as::<(i64, Option<i64>)>()
        .unwrap_err();
    match &wrong {
        Error::Conversion { column, found, .. } => {
            assert_eq!(column, "v");
            assert!(found.contains("text"), "{wrong}");
        }
        other => panic!("{other:?}"),
    }
    let first_two: Vec<(i64, Option<i64>)> = conn
        .execute(
            text("SELECT id, v FROM loose WHERE id IN (1, 4) ORDER BY id"),
            (),
        )
        .unwrap()
        .all_as()
        .unwrap();
    assert_eq!(first_two, [(1, Some(10)), (4, None)]);
    let scalars = conn
        .execute(text("SELECT v FROM loose ORDER BY id"), ())
        .unwrap()
        .scalars::<Option<f64>>()
        .all();
    assert!(
        matches!(scalars, Err(Error::Conversion { .. })),
        "{scalars:?}"
    );
}
