//! A schema with a generated column, an identity column with options, a free-standing
//! sequence feeding a column it does not own, and a SERIAL, reflected and copied into another
//! schema through `schema_translate_map` with nothing else on the search path: the copy
//! reflects as the same description, and its inserts draw ids from its own sequences, never
//! from the original's.
#![cfg(feature = "postgres")]

mod common;

use common::pg;
use common::schema_copy::SchemaCopy;
use sqlcore::*;

/// The source schema: a free-standing sequence feeding a column it does not own (a key, and a
/// column beside a SERIAL key), a generated column, an identity column with options and a
/// SERIAL.
const FIXTURE: &str = "
    CREATE SEQUENCE {s}.shared_ids START WITH 1000 INCREMENT BY 5;
    CREATE TABLE {s}.items (
        id integer PRIMARY KEY DEFAULT nextval('{s}.shared_ids'),
        qty integer NOT NULL,
        doubled integer GENERATED ALWAYS AS (qty * 2) STORED);
    CREATE TABLE {s}.events (
        id bigint GENERATED ALWAYS AS IDENTITY (START WITH 50 INCREMENT BY 3) PRIMARY KEY,
        note text);
    CREATE TABLE {s}.logs (
        id serial PRIMARY KEY,
        ticket integer DEFAULT nextval('{s}.shared_ids'),
        msg text);";

/// Tables (columns in full, keys, constraints) and sequences, as reflected.
fn describe(engine: &Engine) -> (Vec<Table>, Vec<Sequence>) {
    let mut md = MetaData::new();
    md.reflect(engine).unwrap();
    // Constraint names included: PostgreSQL names them the same in every schema.
    let tables = md.tables().cloned().collect();
    let mut conn = engine.connect().unwrap();
    let sequences = Inspector::new(&mut conn).unwrap().sequences(None).unwrap();
    (tables, sequences)
}

fn sequence_state(client: &mut postgres::Client, schema: &str, name: &str) -> (i64, bool) {
    let row = client
        .query_one(
            &format!("SELECT last_value, is_called FROM {schema}.{name}"),
            &[],
        )
        .unwrap();
    (row.get(0), row.get(1))
}

#[test]
fn tenant_copy_reflects_the_same_and_draws_from_its_own_sequences() {
    let Some(schemas) = SchemaCopy::create("seqcopy", FIXTURE) else {
        return;
    };
    let source = schemas.engine(&schemas.source);
    let copy = schemas.engine(&schemas.copy);
    let (tables, sequences) = describe(&source);
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["events", "items", "logs"]);
    let column = |t: &str, c: &str| {
        let table = tables.iter().find(|x| x.name == t).unwrap();
        (**table.get_column(c).unwrap()).clone()
    };
    // What reflection says about each kind of column.
    let items_id = column("items", "id");
    assert_eq!(
        items_id.sequence(),
        Some(&Sequence::new("shared_ids").start(1000).increment(5))
    );
    assert!(items_id.server_default.is_none());
    assert_eq!(
        column("items", "doubled").computed,
        Some(Computed::new("qty * 2").persisted(true))
    );
    assert_eq!(
        column("events", "id").identity,
        Some(Identity::always().start(50).increment(3))
    );
    let logs_id = column("logs", "id");
    assert!(logs_id.default.is_none() && logs_id.server_default.is_none());
    // Regression: `logs.ticket`, drawing from a sequence, was taken for the generated column,
    // so the SERIAL key lost its SERIAL in DDL and its value in `inserted_primary_key`.
    assert_eq!(
        column("logs", "ticket").sequence().map(|s| &*s.name),
        Some("shared_ids")
    );
    for t in &tables {
        assert_eq!(
            t.autoincrement_column().map(|c| c.name.to_string()),
            Some("id".to_owned()),
            "{}",
            t.name
        );
    }

    // The copy: create_all through the translate map, then reflect it the same way.
    let mut md = MetaData::new();
    for t in &tables {
        md.add(t.clone()).unwrap();
    }
    md.create_all(&copy).unwrap();
    md.create_all(&copy).unwrap(); // checkfirst, sequences included
    let (copied, copied_sequences) = describe(&copy);
    assert_eq!(copied, tables);
    assert_eq!(copied_sequences, sequences);

    // Inserting into the copy draws from the copy's sequences; the source's stay untouched.
    let mut client = pg::connect().unwrap();
    let src = schemas.source.as_str();
    let before = sequence_state(&mut client, src, "shared_ids");
    let mut conn = copy.connect().unwrap();
    let mut first_id = |table: &str, values: Params| -> i64 {
        let t = tables.iter().find(|x| x.name == table).unwrap();
        conn.execute(insert(t).values(values), ())
            .unwrap()
            .inserted_primary_key()
            .unwrap()
            .get("id")
            .unwrap()
    };
    assert_eq!(first_id("items", params! { "qty" => 2 }), 1000);
    assert_eq!(first_id("items", params! { "qty" => 3 }), 1005);
    assert_eq!(first_id("events", params! { "note" => "x" }), 50);
    assert_eq!(first_id("logs", params! { "msg" => "x" }), 1);
    conn.commit().unwrap();
    assert_eq!(sequence_state(&mut client, src, "shared_ids"), before);
    assert_eq!(before, (1000, false));
    // items twice, then logs' ticket.
    assert_eq!(
        sequence_state(&mut client, &schemas.copy, "shared_ids"),
        (1010, true)
    );
    // A row inserted outside sqlcore into the copy takes the copy's default too.
    client
        .batch_execute(&format!(
            "INSERT INTO {}.items (qty) VALUES (4)",
            schemas.copy
        ))
        .unwrap();
    assert_eq!(sequence_state(&mut client, src, "shared_ids"), before);
    let doubled: Vec<i32> = client
        .query(
            &format!("SELECT doubled FROM {}.items ORDER BY id", schemas.copy),
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(doubled, [4, 6, 8]);

    // drop_all removes the copy's tables and its sequence, and nothing of the source.
    md.drop_all(&copy).unwrap();
    let mut conn = copy.connect().unwrap();
    let mut inspector = Inspector::new(&mut conn).unwrap();
    assert!(inspector.table_names(None).unwrap().is_empty());
    assert!(inspector.sequence_names(None).unwrap().is_empty());
    let mut conn = source.connect().unwrap();
    let mut inspector = Inspector::new(&mut conn).unwrap();
    assert_eq!(inspector.table_names(None).unwrap().len(), 3);
}

/// Regression: a reflected `nextval('source.seq'::regclass)` default was copied verbatim, so
/// a tenant copy drew its ids from the source schema's sequence.
#[test]
fn tenant_copy_never_draws_from_the_source_sequence() {
    let Some(schemas) = SchemaCopy::create("seqdraw", FIXTURE) else {
        return;
    };
    let source = schemas.engine(&schemas.source);
    let copy = schemas.engine(&schemas.copy);
    let mut md = MetaData::new();
    md.reflect_with(&source, &ReflectOptions::new().only(["items"]))
        .unwrap();
    md.create_all(&copy).unwrap();
    let items = md.table("items").unwrap().clone();
    let mut conn = copy.connect().unwrap();
    for qty in 1..=3 {
        conn.execute(insert(&items).values(params! { "qty" => qty }), ())
            .unwrap();
    }
    conn.commit().unwrap();
    let mut client = pg::connect().unwrap();
    assert_eq!(
        sequence_state(&mut client, &schemas.source, "shared_ids"),
        (1000, false),
        "the copy drew ids from the source schema's sequence"
    );
    assert_eq!(
        sequence_state(&mut client, &schemas.copy, "shared_ids"),
        (1010, true)
    );
}
