//! Partitioned tables (PostgreSQL `PARTITION BY RANGE | LIST | HASH` and `PARTITION OF`):
//! DDL on three dialects, `create_all` / `drop_all` with parents before partitions, rows
//! inserted and read through the parent landing in their partitions, reflection in bulk, and a
//! round trip into another schema through `schema_translate_map`.
#![cfg(feature = "postgres")]

#[macro_use]
mod common;

use common::backend::TestDb;
use sqlcore::chrono::NaiveDate;
use sqlcore::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn measurements() -> Table {
    Table::new("measurements")
        .column(Column::new("id", SqlType::Integer).not_null())
        .column(Column::new("taken_on", SqlType::Date).not_null())
        .column(Column::new("value", SqlType::Integer))
        .primary_key(["id", "taken_on"])
        .partition_by(PartitionStrategy::Range, ["taken_on"])
}

fn cities(parent: &Table) -> Table {
    Table::new("cities")
        .column(Column::new("id", SqlType::Integer).not_null())
        .column(Column::new("name", SqlType::Text).not_null())
        .partition_by(PartitionStrategy::List, [lower(parent.c("name"))])
}

fn accounts() -> Table {
    Table::new("accounts")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("owner", SqlType::Text))
        .partition_by(PartitionStrategy::Hash, ["id"])
}

/// Every partitioned table and partition of the tests, parents after partitions on purpose
/// (create_all orders them).
fn metadata() -> MetaData {
    let m = measurements();
    let placeholder = Table::new("cities")
        .column(Column::new("id", SqlType::Integer).not_null())
        .column(Column::new("name", SqlType::Text).not_null());
    let c = cities(&placeholder);
    let a = accounts();
    let mut md = MetaData::new();
    for t in [
        Table::new("measurements_2024")
            .partition_of(&m, PartitionBound::range(day(2024, 1, 1), day(2025, 1, 1))),
        Table::new("measurements_2025")
            .partition_of(&m, PartitionBound::range(day(2025, 1, 1), day(2026, 1, 1))),
        Table::new("measurements_rest").partition_of(&m, PartitionBound::Default),
        m,
        Table::new("cities_west").partition_of(&c, PartitionBound::list(["lisbon", "porto"])),
        Table::new("cities_rest").partition_of(&c, PartitionBound::Default),
        c,
        Table::new("accounts_0").partition_of(&a, PartitionBound::hash(2, 0)),
        Table::new("accounts_1").partition_of(&a, PartitionBound::hash(2, 1)),
        a,
    ] {
        md.add(t).unwrap();
    }
    md
}

snap!(
    create_partitioned_table_range,
    create_table(&measurements())
);
snap!(create_partitioned_table_hash, create_table(&accounts()));

#[test]
fn partition_ddl_per_dialect() {
    let m = measurements();
    let cases = [
        (
            PartitionBound::range(day(2024, 1, 1), day(2025, 1, 1)),
            "CREATE TABLE p PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        ),
        (
            PartitionBound::Range {
                from: vec![RangeValue::MinValue],
                to: vec![RangeValue::from(day(2024, 1, 1))],
            },
            "CREATE TABLE p PARTITION OF measurements FOR VALUES FROM (MINVALUE) TO ('2024-01-01')",
        ),
        (
            PartitionBound::list(["a", "it's"]),
            "CREATE TABLE p PARTITION OF measurements FOR VALUES IN ('a', 'it''s')",
        ),
        (
            PartitionBound::hash(4, 3),
            "CREATE TABLE p PARTITION OF measurements FOR VALUES WITH (MODULUS 4, REMAINDER 3)",
        ),
        (
            PartitionBound::Default,
            "CREATE TABLE p PARTITION OF measurements DEFAULT",
        ),
    ];
    for (bound, sql) in cases {
        let p = Table::new("p").partition_of(&m, bound);
        assert_eq!(create_table(&p).compile(&PostgreSQL).unwrap().sql, sql);
        for dialect in [&SQLite as &dyn Dialect, &MySQL] {
            assert!(matches!(
                create_table(&p).compile(dialect),
                Err(CompileError::Unsupported { .. })
            ));
        }
    }
    // A partition of a parent in another schema names it with its schema (translated as any).
    let parent = Table::new("events")
        .schema("app")
        .column(Column::new("at", SqlType::Date))
        .partition_by(PartitionStrategy::Range, ["at"]);
    let p = Table::new("events_rest")
        .schema("app")
        .partition_of(&parent, PartitionBound::Default);
    assert_eq!(
        create_table(&p).compile(&PostgreSQL).unwrap().sql,
        "CREATE TABLE app.events_rest PARTITION OF app.events DEFAULT"
    );
    // An empty list is an error, not invalid SQL.
    let p = Table::new("p").partition_of(&m, PartitionBound::List(Vec::new()));
    assert!(create_table(&p).compile(&PostgreSQL).is_err());
}

/// Where each row of `table` is stored: (partition, count), sorted.
fn placement(conn: &mut Connection, table: &str) -> Vec<(String, i64)> {
    conn.execute(
        text(&format!(
            "SELECT tableoid::regclass::text AS part, count(*) AS n FROM {table} GROUP BY 1 ORDER BY 1"
        )),
        (),
    )
    .unwrap()
    .all()
    .unwrap()
    .iter()
    .map(|r| {
        let part: String = r.get("part").unwrap();
        (part.rsplit('.').next().unwrap().to_owned(), r.get("n").unwrap())
    })
    .collect()
}

fn fill(conn: &mut Connection, md: &MetaData) {
    let m = md.table("measurements").unwrap();
    for (id, d) in [
        (1, day(2024, 5, 1)),
        (2, day(2025, 2, 3)),
        (3, day(2023, 1, 1)),
        (4, day(2024, 12, 31)),
    ] {
        conn.execute(
            insert(m).values(params! {"id" => id, "taken_on" => d, "value" => id * 10}),
            (),
        )
        .unwrap();
    }
    let c = md.table("cities").unwrap();
    for (id, name) in [(1, "Lisbon"), (2, "Oslo"), (3, "PORTO")] {
        conn.execute(insert(c).values(params! {"id" => id, "name" => name}), ())
            .unwrap();
    }
    let a = md.table("accounts").unwrap();
    for id in 1..=10 {
        conn.execute(insert(a).values(params! {"id" => id, "owner" => "x"}), ())
            .unwrap();
    }
}

fn check_placement(conn: &mut Connection, md: &MetaData) {
    assert_eq!(
        placement(conn, "measurements"),
        [
            ("measurements_2024".to_owned(), 2),
            ("measurements_2025".to_owned(), 1),
            ("measurements_rest".to_owned(), 1)
        ]
    );
    assert_eq!(
        placement(conn, "cities"),
        [("cities_rest".to_owned(), 1), ("cities_west".to_owned(), 2)]
    );
    let accounts = placement(conn, "accounts");
    assert_eq!(accounts.iter().map(|(_, n)| n).sum::<i64>(), 10);
    assert!(accounts.iter().all(|(p, _)| p.starts_with("accounts_")));
    // Read through the parent as any table.
    let m = md.table("measurements").unwrap();
    let values: Vec<i32> = conn
        .execute(
            select([m.c("value")])
                .filter(m.c("taken_on").ge(day(2024, 1, 1)))
                .order_by([m.c("id").asc()]),
            (),
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(values, [10, 20, 40]);
}

/// create_all makes parents before partitions; rows go through the parents into the right
/// partitions; reflection gives each parent its key and each partition its parent and bound;
/// the reflected schema, created in another schema through a schema_translate_map with
/// nothing but pg_catalog on the search path, behaves the same and reflects the same;
/// drop_all drops partitions before parents.
#[test]
fn postgres_partitions_create_fill_reflect_round_trip() {
    let Some(src) = TestDb::postgres("partitions_src") else {
        return;
    };
    let dst = TestDb::postgres("partitions_dst").unwrap();
    let engine = create_engine(&src.url()).unwrap();
    let declared = metadata();
    declared.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    fill(&mut conn, &declared);
    check_placement(&mut conn, &declared);
    conn.commit().unwrap();
    drop(conn);

    let mut reflected = MetaData::new();
    reflected.reflect(&engine).unwrap();
    assert_eq!(reflected.len(), 10);
    let m = reflected.table("measurements").unwrap();
    assert_eq!(
        m.partition_by,
        Some(PartitionBy {
            strategy: PartitionStrategy::Range,
            keys: vec![IndexElement::Column("taken_on".into())]
        })
    );
    assert_eq!(m.primary_key.columns.len(), 2);
    let c = reflected.table("cities").unwrap();
    let key = c.partition_by.as_ref().unwrap();
    assert_eq!(key.strategy, PartitionStrategy::List);
    assert!(matches!(&key.keys[..], [IndexElement::Expr(_)]));
    let p = reflected.table("measurements_2024").unwrap();
    let of = p.partition_of.as_ref().unwrap();
    assert_eq!(
        (of.parent_schema.as_deref(), of.parent.as_str()),
        (None, "measurements")
    );
    assert_eq!(
        of.bound,
        PartitionBound::Sql("FROM ('2024-01-01') TO ('2025-01-01')".into())
    );
    assert!(
        p.primary_key.columns.is_empty(),
        "the parent's key is the parent's"
    );
    assert!(
        p.indexes.is_empty(),
        "the parent's index partitions are the parent's"
    );
    assert_eq!(
        reflected
            .table("measurements_rest")
            .unwrap()
            .partition_of
            .as_ref()
            .unwrap()
            .bound,
        PartitionBound::Default
    );
    assert_eq!(
        reflected
            .table("accounts_1")
            .unwrap()
            .partition_of
            .as_ref()
            .unwrap()
            .bound,
        PartitionBound::Sql("WITH (modulus 2, remainder 1)".into())
    );

    let base = common::pg::url();
    let sep = if base.contains('?') { '&' } else { '?' };
    let bare = format!("{base}{sep}options=-c%20search_path%3Dpg_catalog");
    let map = SchemaTranslateMap::new().map(None, dst.schema().unwrap());
    let tenant = create_engine(&bare)
        .unwrap()
        .execution_options(ExecutionOptions::default().schema_translate_map(map.clone()));
    reflected.create_all(&tenant).unwrap();

    let mut again = MetaData::new();
    again.reflect(&tenant).unwrap();
    let describe = |md: &MetaData| -> Vec<String> {
        md.tables()
            .map(|t| {
                format!(
                    "{} {:?} {:?} {:?} {:?}",
                    t.name, t.partition_by, t.partition_of, t.primary_key, t.indexes
                )
            })
            .collect()
    };
    assert_eq!(describe(&again), describe(&reflected));

    // Rows land in the copy's partitions, in the copy's schema.
    let local = create_engine(&dst.url()).unwrap();
    let mut conn = local.connect().unwrap();
    fill(&mut conn, &again);
    check_placement(&mut conn, &again);
    conn.commit().unwrap();
    drop(conn);

    again.drop_all(&tenant).unwrap();
    let mut left = MetaData::new();
    left.reflect(&tenant).unwrap();
    assert!(left.is_empty());
    declared.drop_all(&engine).unwrap();
}
