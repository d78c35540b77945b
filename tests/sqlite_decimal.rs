//! Decimals on SQLite, as SQLAlchemy's SQLite dialect handles them: bound as 8-byte REALs (so
//! they compare with numbers, also where no column affinity applies), read back as decimals at
//! the column's scale (10 digits without one), and never bound as a different number.
#![cfg(feature = "sqlite")]

use rust_decimal::Decimal;
use sqlcore::*;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn items() -> Table {
    Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("grp", SqlType::Integer))
        .column(Column::new("price", SqlType::Numeric(Some(10), Some(2))))
        .column(Column::new("qty", SqlType::Integer))
        .column(Column::new("ratio", SqlType::Numeric(None, None)))
}

fn engine() -> Engine {
    let engine = create_engine("sqlite://").unwrap();
    let mut metadata = MetaData::new();
    metadata.add(items()).unwrap();
    metadata.create_all(&engine).unwrap();
    engine
}

#[test]
fn an_aggregate_compares_with_a_decimal_bound() {
    let engine = engine();
    let t = items();
    let mut conn = engine.connect().unwrap();
    let rows: Vec<Params> = (1..=20)
        .map(|i: i64| {
            params! { "grp" => i % 4, "price" => dec("2.50") * Decimal::from(i), "qty" => i % 3 + 1, "ratio" => dec("0.1") }
        })
        .collect();
    conn.execute_many(insert(&t), rows).unwrap();
    // HAVING sum(price * qty) > :x — the sum has no affinity: a decimal bound as text would
    // sort after every number and match nothing.
    let groups: Vec<i64> = conn
        .execute(
            select([t.c("grp")])
                .group_by([t.c("grp")])
                .having(sum(t.c("price") * t.c("qty")).gt(bindparam("x")))
                .order_by([t.c("grp").asc()]),
            params! { "x" => dec("250.00") },
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    // The sums are 340.00, 257.50, 230.00 and 257.50.
    assert_eq!(groups, [0, 1, 3]);
    let over: i64 = conn
        .execute(
            select([count_all()]).filter(t.c("price").gt(dec("40.00"))),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(over, 4, "prices 42.50, 45.00, 47.50 and 50.00");
}

#[test]
fn decimals_read_back_at_the_column_scale() {
    let engine = engine();
    let t = items();
    let mut conn = engine.connect().unwrap();
    conn.execute(
        insert(&t),
        params! { "id" => 1, "price" => dec("1.10"), "ratio" => dec("0.3") },
    )
    .unwrap();
    let row = conn
        .execute(select([t.c("price"), t.c("ratio")]), ())
        .unwrap()
        .one()
        .unwrap();
    let price: Decimal = row.get("price").unwrap();
    let ratio: Decimal = row.get("ratio").unwrap();
    // As SQLAlchemy: '%.2f' and, without a scale, '%.10f' of the stored REAL.
    assert_eq!(price.to_string(), "1.10");
    assert_eq!(ratio.to_string(), "0.3000000000");
    // Stored as a number, not as text.
    let kind: String = conn
        .execute(text("SELECT typeof(price) FROM items"), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(kind, "real");
}

#[test]
fn a_decimal_a_real_cannot_hold_is_refused() {
    let engine = engine();
    let t = items();
    let mut conn = engine.connect().unwrap();
    for exact in ["0.1", "123456789012345", "-99999999.99", "1e-10"] {
        conn.execute(
            select([count_all()]).filter(t.c("ratio").eq(dec(exact))),
            (),
        )
        .unwrap_or_else(|e| panic!("{exact}: {e}"));
    }
    for inexact in ["0.12345678901234567", "12345678901234567.89"] {
        let err = conn
            .execute(insert(&t), params! { "id" => 9, "ratio" => dec(inexact) })
            .unwrap_err();
        let db = err.as_db_error().expect("a database error");
        assert_eq!(db.kind, DbErrorKind::Data, "{err}");
        assert!(err.to_string().contains("cannot be bound exactly"), "{err}");
    }
    let n: i64 = conn
        .execute(select([count_all()]).select_from(&t), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 0, "nothing was written");
}
