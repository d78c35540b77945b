//! The reflection suite's fixture (`tests/common/reflection_fixture.rs`) through the `sqlcore`
//! command and back: created with `create_all` in a SQLite file and in a PostgreSQL schema,
//! reflected by `sqlcore reflect --format rust` into the checked-in
//! `tests/generated/*_fixture.rs` (compiled here), whose typed statements then write and read
//! the same database, rows read into the generated structs. Its DDL is snapshotted per backend
//! (`snapshots/cli/`).

mod common;

use common::backend::TestDb;
use common::other_schema::OtherSchema;
use common::reflection_fixture::fixture;
use sqlcore::chrono::{DateTime, NaiveDate, NaiveTime};
use sqlcore::rust_decimal::Decimal;
use sqlcore::*;

#[allow(dead_code)]
mod sqlite_fixture {
    include!("generated/sqlite_fixture.rs");
}

#[allow(dead_code)]
mod postgresql_fixture {
    include!("generated/postgresql_fixture.rs");
}

/// Creates the fixture on `db` and checks what `sqlcore reflect` writes for it: the Rust
/// against the checked-in `tests/generated/{file}`, the DDL against its snapshot, and the DDL
/// run on a database of its own (`again`), whose Rust is the same. The other schema's name,
/// which changes from run to run, is written `other`.
fn create_and_reflect(db: &TestDb, again: &TestDb, file: &str, checked_in: &str) -> OtherSchema {
    let other = OtherSchema::new(db);
    fixture(db, &other.name)
        .create_all(&other.engine())
        .unwrap();
    let reflect = |db: &TestDb, other: &OtherSchema, format| {
        common::cli::reflect_warning(&db.url(), &["--format", format])
            .0
            .replace(&other.name, "other")
    };
    let rust = reflect(db, &other, "rust");
    common::cli::assert_generated(
        file,
        checked_in,
        &rust,
        "--format rust (the other schema written `other`)",
    );
    let ddl = reflect(db, &other, "ddl");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots/cli");
    settings.set_prepend_module_to_snapshot(false);
    let name = file.trim_end_matches(".rs").to_owned() + "_ddl";
    settings.bind(|| insta::assert_snapshot!(name, ddl));

    let again_other = OtherSchema::new(again);
    common::cli::create(
        &again.url(),
        &ddl.replace("other.", &format!("{}.", again_other.name)),
    );
    assert_eq!(reflect(again, &again_other, "rust"), checked_in);
    other
}

/// The typed statements both backends run through their generated module (`$module`), with
/// the columns of `users` one backend alone has (`$field: $value`): every mapped type written
/// and read back whole, server defaults, a self-referential and a
/// composite foreign key, a typed update, and rows read by `all_as`, `one_as`,
/// `query_all_as` and a streamed `rows_as`.
macro_rules! shared_round_trip {
    ($module:ident, $conn:expr, [$($field:ident: $value:expr),*]) => {{
        use $module::*;
        let conn: &mut Connection = $conn;
        let ed = Users {
            id: 1,
            name: "ed".into(),
            email: "ed@example.com".into(),
            active: false,
            created_at: Some(DateTime::from_timestamp(1_700_000_000, 250_000_000).unwrap()),
            small: Some(3),
            big: Some(1 << 40),
            score: Some(Decimal::new(1250, 2)),
            ratio: Some(0.125),
            weight: Some(72.5),
            nickname: None,
            born: NaiveDate::from_ymd_opt(1990, 2, 28),
            wakes: NaiveTime::from_hms_micro_opt(7, 15, 0, 500_000),
            seen: NaiveDate::from_ymd_opt(2024, 2, 29).and_then(|d| d.and_hms_opt(12, 30, 5)),
            idle: Some(Interval::new(0, 3, 4_500_000)),
            avatar: Some(vec![0, 1, 255]),
            token: Some(sqlcore::uuid::Uuid::from_u128(42)),
            prefs: Some(sqlcore::serde_json::json!({"theme": "dark", "sizes": [1, 2]})),
            code: Some("abc".into()),
            $($field: $value,)*
        };
        let insert = typed::insert_into(users::table)
            .value(users::id, ed.id)
            .value(users::name, ed.name.clone())
            .value(users::email, ed.email.clone())
            .value(users::active, ed.active)
            .value(users::created_at, ed.created_at)
            .value(users::small, ed.small)
            .value(users::big, ed.big)
            .value(users::score, ed.score)
            .value(users::ratio, ed.ratio)
            .value(users::weight, ed.weight)
            .value(users::nickname, ed.nickname.clone())
            .value(users::born, ed.born)
            .value(users::wakes, ed.wakes)
            .value(users::seen, ed.seen)
            .value(users::idle, ed.idle)
            .value(users::avatar, ed.avatar.clone())
            .value(users::token, ed.token)
            .value(users::prefs, ed.prefs.clone())
            .value(users::code, ed.code.clone())
            $(.value(users::$field, ed.$field.clone()))*;
        conn.execute(Insert::from(insert), ()).unwrap();
        let read: Users = conn
            .execute(select(users::table).filter(users::id.eq(1)), ())
            .unwrap()
            .one_as()
            .unwrap();
        assert_eq!(read, ed);

        // The server defaults: `active`, `small`, `nickname` and `created_at`.
        let insert = typed::insert_into(users::table)
            .value(users::id, 2)
            .value(users::name, "wendy")
            .value(users::email, "wendy@example.com");
        conn.execute(Insert::from(insert), ()).unwrap();
        let wendy: Users = conn
            .query_row_as(select(users::table).filter(users::name.eq("wendy")), ())
            .unwrap();
        assert_eq!(
            (wendy.active, wendy.small, wendy.nickname.as_deref()),
            (true, Some(0), Some("anon"))
        );
        assert!(wendy.created_at.is_some(), "CURRENT_TIMESTAMP");
        assert_eq!((wendy.big, &wendy.prefs), (None, &None));

        // A typed update, read back by `query_all_as`.
        let update = typed::update_table(users::table)
            .set(users::nickname, Some("eddie"))
            .set(users::score, None::<Decimal>)
            .filter(users::id.eq(1));
        conn.execute(Update::from(update), ()).unwrap();
        let everyone: Vec<Users> = conn
            .query_all_as(select(users::table).order_by(users::id.asc()), ())
            .unwrap();
        assert_eq!(everyone.len(), 2);
        assert_eq!(
            (everyone[0].nickname.as_deref(), everyone[0].score),
            (Some("eddie"), None)
        );
        assert_eq!(everyone[1], wendy);

        let insert = typed::insert_into(addresses::table)
            .value(addresses::id, 10)
            .value(addresses::user_id, 2)
            .value(addresses::email_address, "w@example.com");
        conn.execute(Insert::from(insert), ()).unwrap();
        let addresses: Vec<Addresses> = conn
            .execute(select(addresses::table).filter(addresses::user_id.eq(2)), ())
            .unwrap()
            .all_as()
            .unwrap();
        assert_eq!(
            addresses,
            [Addresses {
                id: 10,
                user_id: 2,
                email_address: "w@example.com".into(),
            }]
        );

        // A tree (the self-referential key), its ids from the autoincrement.
        let root = conn
            .execute(
                Insert::from(typed::insert_into(nodes::table).value(nodes::label, "root")),
                (),
            )
            .unwrap()
            .inserted_primary_key()
            .unwrap()[0]
            .clone();
        let root_id = i64::try_from(root).unwrap();
        for label in ["left", "right"] {
            let insert = typed::insert_into(nodes::table)
                .value(nodes::parent_id, root_id)
                .value(nodes::label, label);
            conn.execute(Insert::from(insert), ()).unwrap();
        }
        let children: Vec<Nodes> = conn
            .execute(
                select(nodes::table)
                    .filter(nodes::parent_id.eq(root_id))
                    .order_by(nodes::label.asc()),
                (),
            )
            .unwrap()
            .all_as()
            .unwrap();
        let labels: Vec<_> = children.iter().map(|n| n.label.as_deref()).collect();
        assert_eq!(labels, [Some("left"), Some("right")]);
        assert!(children.iter().all(|n| n.parent_id == Some(root_id) && n.id != root_id));

        // The composite keys: an order and its lines, streamed into structs.
        let insert = typed::insert_into(orders::table)
            .value(orders::region, "eu")
            .value(orders::number, 7)
            .value(orders::total, Decimal::new(4200, 2));
        conn.execute(Insert::from(insert), ()).unwrap();
        for line in 1..=3_i16 {
            let insert = typed::insert_into(order_items::table)
                .value(order_items::region, "eu")
                .value(order_items::order_number, 7)
                .value(order_items::line, line)
                .value(order_items::qty, i64::from(line) * 2);
            conn.execute(Insert::from(insert), ()).unwrap();
        }
        let order: Orders = conn
            .execute(select(orders::table), ())
            .unwrap()
            .one_as()
            .unwrap();
        assert_eq!(
            order,
            Orders {
                region: "eu".into(),
                number: 7,
                total: Decimal::new(4200, 2),
            }
        );
        let streamed = select(order_items::table)
            .filter(order_items::region.eq(order.region.as_str()))
            .filter(order_items::order_number.eq(order.number))
            .order_by(order_items::line.desc())
            .execution_options(|o| o.stream_results(true).max_row_buffer(2));
        let items: Vec<OrderItems> = conn
            .execute(streamed, ())
            .unwrap()
            .rows_as()
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        let lines: Vec<_> = items.iter().map(|i| (i.line, i.qty)).collect();
        assert_eq!(lines, [(3, 6), (2, 4), (1, 2)]);
        assert!(items.iter().all(|i| i.region == "eu" && i.order_number == 7));
    }};
}

#[test]
fn generated_rust_of_the_fixture_runs_on_sqlite() {
    let db = TestDb::sqlite("cli_fixture");
    create_and_reflect(
        &db,
        &TestDb::sqlite("cli_fixture_again"),
        "sqlite_fixture.rs",
        include_str!("generated/sqlite_fixture.rs"),
    );
    let engine = create_engine(&db.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    shared_round_trip!(sqlite_fixture, &mut conn, []);
}

#[test]
fn generated_rust_of_the_fixture_runs_on_postgresql() {
    let (Some(db), Some(again)) = (
        TestDb::postgres("cli_fixture"),
        TestDb::postgres("cli_fixture_again"),
    ) else {
        return;
    };
    let other = create_and_reflect(
        &db,
        &again,
        "postgresql_fixture.rs",
        include_str!("generated/postgresql_fixture.rs"),
    );
    // The generated `other.accounts` reaches this run's other schema through the map.
    let map = SchemaTranslateMap::new().map(Some("other"), other.name.as_str());
    let engine = create_engine(&db.url())
        .unwrap()
        .execution_options(ExecutionOptions::default().schema_translate_map(map));
    let mut conn = engine.connect().unwrap();
    shared_round_trip!(postgresql_fixture, &mut conn, [tags: Some(vec![Some(3), None, Some(2)])]);

    use postgresql_fixture::*;
    // The array column (a NULL element among its values), compared with a `Vec`.
    let tagged: Vec<Users> = conn
        .execute(
            select(users::table).filter(users::tags.eq(vec![Some(3_i64), None, Some(2)])),
            (),
        )
        .unwrap()
        .all_as()
        .unwrap();
    let ids: Vec<_> = tagged.iter().map(|u| (u.id, u.tags.clone())).collect();
    assert_eq!(ids, [(1, Some(vec![Some(3), None, Some(2)]))]);
    // The tables PostgreSQL alone has: one in the other schema, a key referring to it, and a
    // serial column beside a primary key that is not one.
    let insert = typed::insert_into(accounts::table)
        .value(accounts::id, 5)
        .value(accounts::owner_id, Some(1));
    conn.execute(Insert::from(insert), ()).unwrap();
    let insert = typed::insert_into(memberships::table)
        .value(memberships::id, 1)
        .value(memberships::account_id, 5);
    conn.execute(Insert::from(insert), ()).unwrap();
    let account: Accounts = conn
        .execute(
            select(accounts::table).join_on(
                memberships::table,
                memberships::account_id.expr().eq(accounts::id.expr()),
            ),
            (),
        )
        .unwrap()
        .one_as()
        .unwrap();
    assert_eq!(
        account,
        Accounts {
            id: 5,
            owner_id: Some(1),
        }
    );
    for id in [10, 20] {
        let insert = typed::insert_into(counters::table).value(counters::id, id);
        conn.execute(Insert::from(insert), ()).unwrap();
    }
    let counters: Vec<Counters> = conn
        .query_all_as(select(counters::table).order_by(counters::id.asc()), ())
        .unwrap();
    let tickets: Vec<_> = counters.iter().map(|c| (c.id, c.ticket)).collect();
    assert_eq!(
        tickets,
        [(10, 1), (20, 2)],
        "the serial column numbers them"
    );
}
