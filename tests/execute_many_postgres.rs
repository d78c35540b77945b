//! PostgreSQL `execute_many` at scale: 100,000 rows with their ids in input order (multi-row
//! VALUES with RETURNING), and a plain insert sent through binary COPY behaving as the INSERT
//! would. Each test works in a schema of its own.
#![cfg(feature = "postgres")]

mod common;

use common::backend::TestDb;
use sqlcore::*;

fn db(name: &str) -> Option<TestDb> {
    TestDb::postgres(name)
}

#[test]
fn execute_many_of_100k_rows_returns_ids_in_input_order() {
    let Some(b) = db("many") else { return };
    let engine = Engine::builder(&b.url())
        .insertmanyvalues_page_size(1000)
        .build()
        .unwrap();
    let t = Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("n", SqlType::Integer).not_null())
        .column(Column::new("label", SqlType::Text));
    let mut md = MetaData::new();
    md.add(t.clone()).unwrap();
    md.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    // Descending n, so input order differs from any natural order of n.
    let rows: Vec<Params> = (0..100_000)
        .map(|i| params! { "n" => 100_000 - i, "label" => format!("row {i}") })
        .collect();
    let result = conn
        .execute_many(insert(&t).returning([t.c("id"), t.c("n")]), rows)
        .unwrap();
    assert_eq!(result.rowcount(), 100_000);
    let returned = result.all().unwrap();
    assert_eq!(returned.len(), 100_000);
    for (i, row) in returned.iter().enumerate() {
        assert_eq!(
            row.get::<i32>("n").unwrap(),
            100_000 - i as i32,
            "row {i} in input order"
        );
    }
    let ids: Vec<i32> = returned.iter().map(|r| r.get("id").unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    conn.commit().unwrap();
    let n: i64 = conn
        .execute(select([count_all()]).select_from(&t), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 100_000);

    // Other statements reuse one prepared statement.
    let updated = conn
        .execute_many(
            update(&t)
                .filter(t.c("id").eq(bindparam("i")))
                .values([("label", bindparam("l"))]),
            (1..=100).map(|i| params! { "i" => i, "l" => "updated" }),
        )
        .unwrap();
    assert_eq!(updated.rowcount(), 100);
}

#[test]
fn a_plain_execute_many_insert_goes_through_copy_like_an_insert() {
    let Some(b) = db("copy") else { return };
    let engine = Engine::builder(&b.url()).echo(true).build().unwrap();
    let t = Table::new("logs")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(
            Column::new("code", SqlType::String(Some(10)))
                .not_null()
                .unique(),
        )
        .column(Column::new("level", SqlType::SmallInteger).default(3_i16))
        .column(Column::new("at", SqlType::DATETIME_TZ).server_default_sql("now()"))
        .column(Column::new("payload", SqlType::Json));
    let mut md = MetaData::new();
    md.add(t.clone()).unwrap();
    md.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    let rows = (0..1000)
        .map(|i| params! { "code" => format!("c{i}"), "payload" => serde_json::json!({"i": i}) });
    let r = conn.execute_many(insert(&t), rows).unwrap();
    assert_eq!(r.rowcount(), 1000);
    conn.commit().unwrap();
    let row = conn
        .execute(
            select([
                count_all(),
                min(t.c("level")),
                max(t.c("id")),
                count(t.c("at")),
            ])
            .select_from(&t),
            (),
        )
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row.get::<i64>(0).unwrap(), 1000);
    assert_eq!(row.get::<i16>(1).unwrap(), 3, "client default applied");
    assert_eq!(row.get::<i32>(2).unwrap(), 1000, "serial ids assigned");
    assert_eq!(row.get::<i64>(3).unwrap(), 1000, "server default applied");
    // A constraint violation is the same error as the INSERT's.
    let err = conn
        .execute_many(insert(&t), [params! { "code" => "c1" }])
        .unwrap_err();
    let db = err.as_db_error().expect("a database error");
    assert_eq!(
        (db.kind, db.reason),
        (DbErrorKind::Integrity, Some(DbErrorReason::UniqueViolation))
    );
    conn.rollback().unwrap();
    // With RETURNING (or an upsert) the rows go as multi-row VALUES instead.
    let ids: Vec<i32> = conn
        .execute_many(
            insert(&t).returning([t.c("id")]),
            [params! { "code" => "r1" }, params! { "code" => "r2" }],
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(ids, [1002, 1003]);
}
