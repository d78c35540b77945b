//! Fractional-seconds precision of time types (SQLAlchemy's `TIMESTAMP(precision=…)`):
//! rendered on PostgreSQL and MySQL, ignored on SQLite, reflected on PostgreSQL and created
//! again, and values kept to the declared precision by the server.

#[macro_use]
mod common;

use common::backend::TestDb;
use sqlcore::*;

fn moments() -> Table {
    Table::new("moments")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new(
            "at",
            SqlType::DateTime {
                timezone: false,
                precision: Some(3),
            },
        ))
        .column(Column::new(
            "at_tz",
            SqlType::DateTime {
                timezone: true,
                precision: Some(6),
            },
        ))
        .column(Column::new("t", SqlType::Time { precision: Some(0) }))
}

snap!(create_table_time_precision, create_table(&moments()));
snap!(
    create_table_interval_precision,
    create_table(
        &Table::new("spans")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new(
                "span",
                SqlType::Interval { precision: Some(2) }
            ))
    )
);
snap!(
    create_table_time_precision_too_large,
    create_table(&Table::new("bad").column(Column::new(
        "at",
        SqlType::DateTime {
            timezone: false,
            precision: Some(9)
        }
    )))
);

/// PostgreSQL's `timestamp(3)`, `timestamptz(6)`, `time(0)` and `interval(2)` reflect with
/// their precision (not as `Other`), create the same columns again, and the server rounds
/// values to it.
#[test]
fn postgres_time_precision_reflects_and_round_trips() {
    let Some(src) = TestDb::postgres("time_precision_src") else {
        return;
    };
    let dst = TestDb::postgres("time_precision_dst").unwrap();
    let mut client = common::pg::connect().unwrap();
    client
        .batch_execute(&format!(
            "CREATE TABLE {}.moments (id integer PRIMARY KEY, at timestamp(3) without time zone, \
             at_tz timestamptz(6), t time(0), span interval(2), plain timestamp)",
            src.schema().unwrap()
        ))
        .unwrap();
    let engine = create_engine(&src.url()).unwrap();
    let mut md = MetaData::new();
    let table = Table::autoload("moments", &mut md, &engine).unwrap();
    let ty = |name: &str| table.get_column(name).unwrap().sql_type.clone();
    assert_eq!(
        ty("at"),
        SqlType::DateTime {
            timezone: false,
            precision: Some(3)
        }
    );
    assert_eq!(
        ty("at_tz"),
        SqlType::DateTime {
            timezone: true,
            precision: Some(6)
        }
    );
    assert_eq!(ty("t"), SqlType::Time { precision: Some(0) });
    assert_eq!(ty("span"), SqlType::Interval { precision: Some(2) });
    assert_eq!(ty("plain"), SqlType::DATETIME);

    let map = SchemaTranslateMap::new().map(None, dst.schema().unwrap());
    let tenant = create_engine(&src.url())
        .unwrap()
        .execution_options(ExecutionOptions::default().schema_translate_map(map));
    md.create_all(&tenant).unwrap();
    let mut again = MetaData::new();
    let copy = Table::autoload("moments", &mut again, &tenant).unwrap();
    assert_eq!(copy.columns, table.columns);

    // The server keeps 3 digits of the timestamp and none of the time.
    let at = sqlcore::chrono::NaiveDate::from_ymd_opt(2024, 3, 1)
        .unwrap()
        .and_hms_micro_opt(12, 30, 15, 123_456)
        .unwrap();
    let mut conn = tenant.connect().unwrap();
    conn.execute(
        insert(&copy).values(params! {"id" => 1, "at" => at, "t" => at.time()}),
        (),
    )
    .unwrap();
    let row = conn
        .execute(select([copy.c("at"), copy.c("t")]), ())
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(
        row.get::<sqlcore::chrono::NaiveDateTime>("at").unwrap(),
        at.with_nanosecond(123_000_000).unwrap()
    );
    assert_eq!(
        row.get::<sqlcore::chrono::NaiveTime>("t").unwrap(),
        sqlcore::chrono::NaiveTime::from_hms_opt(12, 30, 15).unwrap()
    );
}

use sqlcore::chrono::Timelike;
