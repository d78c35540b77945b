//! Generated columns, identity columns and sequences on SQLite and PostgreSQL: created by
//! `create_all`, filled by the database on INSERT (never written by sqlcore), read back with
//! SELECT and RETURNING, `inserted_primary_key`, and reflected back as declared.

#[macro_use]
mod common;

use common::backend::TestDb;
use sqlcore::*;

fn line_items() -> Table {
    Table::new("line_items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("qty", SqlType::Integer).not_null())
        .column(Column::new("price", SqlType::Integer).not_null())
        .column(Column::new("total", SqlType::Integer).computed(Computed::new("qty * price")))
        .column(
            Column::new("qty_twice", SqlType::Integer)
                .computed(Computed::new("qty * 2").persisted(true)),
        )
}

fn events() -> Table {
    Table::new("events")
        .column(
            Column::new("id", SqlType::BigInteger)
                .primary_key()
                .identity_with(Identity::always().start(100).increment(10)),
        )
        .column(Column::new("note", SqlType::Text))
}

fn ticket_ids() -> Sequence {
    Sequence::new("ticket_ids").start(500).increment(2)
}

fn tickets() -> Table {
    Table::new("tickets")
        .column(
            Column::new("id", SqlType::Integer)
                .default_sequence(ticket_ids())
                .primary_key(),
        )
        .column(Column::new("title", SqlType::Text))
}

fn metadata() -> MetaData {
    let mut md = MetaData::new();
    md.add(line_items()).unwrap();
    md.add(events()).unwrap();
    md.add(tickets()).unwrap();
    md.add_sequence(Sequence::new("free_ids").start(7));
    md
}

fn generated_columns_are_computed_never_written(b: &TestDb) {
    let engine = Engine::builder(&b.url()).build().unwrap();
    let md = metadata();
    md.create_all(&engine).unwrap();
    md.create_all(&engine).unwrap(); // checkfirst: tables and sequences exist
    let t = line_items();
    let mut conn = engine.connect().unwrap();
    let row = conn
        .execute(
            insert(&t)
                .values(params! { "id" => 1, "qty" => 3, "price" => 7 })
                .returning([t.c("total"), t.c("qty_twice")]),
            (),
        )
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row.get::<i64>("total").unwrap(), 21);
    assert_eq!(row.get::<i64>("qty_twice").unwrap(), 6);
    // executemany and a plain INSERT leave the generated columns out too.
    conn.execute_many(
        insert(&t),
        [
            params! { "id" => 2, "qty" => 1, "price" => 5 },
            params! { "id" => 3, "qty" => 2, "price" => 5 },
        ],
    )
    .unwrap();
    conn.execute(
        update(&t)
            .filter(t.c("id").eq(3))
            .values(params! { "qty" => 4 }),
        (),
    )
    .unwrap();
    let totals: Vec<i64> = conn
        .execute(select([t.c("total")]).order_by([t.c("id")]), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(totals, [21, 5, 20]);
    // Writing one explicitly is the database's error, never silently dropped.
    let written = conn.execute(
        insert(&t).values(params! { "id" => 9, "qty" => 1, "price" => 1, "total" => 5 }),
        (),
    );
    assert!(written.is_err(), "a generated column was written");
    drop(conn);
    md.drop_all(&engine).unwrap();
}

fn identity_columns_generate_keys(b: &TestDb) {
    let engine = Engine::builder(&b.url()).build().unwrap();
    let md = metadata();
    md.create_all(&engine).unwrap();
    let t = events();
    let mut conn = engine.connect().unwrap();
    let mut keys = Vec::new();
    for note in ["a", "b"] {
        let result = conn
            .execute(insert(&t).values(params! { "note" => note }), ())
            .unwrap();
        keys.push(
            result
                .inserted_primary_key()
                .unwrap()
                .get::<i64>("id")
                .unwrap(),
        );
    }
    let returned: i64 = conn
        .execute(
            insert(&t)
                .values(params! { "note" => "c" })
                .returning([t.c("id")]),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    keys.push(returned);
    // PostgreSQL honours the identity's options; SQLite's key is a plain rowid alias.
    let expected = if b.is_postgres() {
        [100, 110, 120]
    } else {
        [1, 2, 3]
    };
    assert_eq!(keys, expected);
    let stored: Vec<i64> = conn
        .execute(select([t.c("id")]).order_by([t.c("id")]), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(stored, expected);
    drop(conn);
    md.drop_all(&engine).unwrap();
}

fn sequences_feed_columns_and_run_alone(b: &TestDb) {
    let engine = Engine::builder(&b.url()).build().unwrap();
    let md = metadata();
    md.create_all(&engine).unwrap();
    let t = tickets();
    let mut conn = engine.connect().unwrap();
    let first = conn
        .execute(insert(&t).values(params! { "title" => "a" }), ())
        .unwrap();
    let id: i64 = first.inserted_primary_key().unwrap().get("id").unwrap();
    conn.execute_many(
        insert(&t),
        [params! { "title" => "b" }, params! { "title" => "c" }],
    )
    .unwrap();
    let ids: Vec<i64> = conn
        .execute(select([t.c("id")]).order_by([t.c("id")]), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    let mut inspector = Inspector::new(&mut conn).unwrap();
    let names = inspector.sequence_names(None).unwrap();
    if b.is_postgres() || b.is_mysql() {
        // PostgreSQL and MariaDB feed the key from the sequence.
        assert_eq!(id, 500);
        assert_eq!(ids, [500, 502, 504]);
        if b.is_postgres() {
            // Every sequence, those behind identity and SERIAL columns too (as SQLAlchemy).
            assert_eq!(
                names,
                [
                    "events_id_seq",
                    "free_ids",
                    "line_items_id_seq",
                    "ticket_ids"
                ]
            );
        } else {
            // MariaDB's AUTO_INCREMENT keys have no sequence behind them.
            assert_eq!(names, ["free_ids", "ticket_ids"]);
        }
        let seqs = inspector.sequences(None).unwrap();
        let tickets_seq = seqs.iter().find(|s| &*s.name == "ticket_ids").unwrap();
        assert_eq!(*tickets_seq, ticket_ids());
        let free = seqs.iter().find(|s| &*s.name == "free_ids").unwrap();
        assert_eq!(*free, Sequence::new("free_ids").start(7));
        // Executing a sequence gives its next value (SQLAlchemy's `connection.scalar(seq)`).
        let next: i64 = conn
            .execute(ticket_ids().next_value(), ())
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(next, 506);
        let next: i64 = conn
            .execute(
                select([Expr::from(Sequence::new("free_ids").next_value()).label("n")]),
                (),
            )
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(next, 7);
    } else {
        // SQLite: the sequence is ignored, the key is the rowid.
        assert_eq!(id, 1);
        assert_eq!(ids, [1, 2, 3]);
        assert!(names.is_empty());
        let next = conn.execute(ticket_ids().next_value(), ());
        assert!(matches!(next, Err(Error::Compile(_))), "{next:?}");
    }
    drop(conn);
    md.drop_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    let mut inspector = Inspector::new(&mut conn).unwrap();
    assert!(inspector.sequence_names(None).unwrap().is_empty());
    assert!(inspector.table_names(None).unwrap().is_empty());
}

fn generated_identity_and_sequences_reflect_as_declared(b: &TestDb) {
    let engine = Engine::builder(&b.url()).build().unwrap();
    let md = metadata();
    md.create_all(&engine).unwrap();
    let mut reflected = MetaData::new();
    reflected.reflect(&engine).unwrap();
    let items = reflected.table("line_items").unwrap();
    let computed = |name: &str| items.get_column(name).unwrap().computed.clone();
    let stored = if b.is_postgres() {
        // PostgreSQL's generated columns are all stored.
        Some(true)
    } else {
        // SQLite's default is virtual.
        Some(false)
    };
    let total = computed("total").unwrap();
    assert_eq!(total.persisted, stored);
    assert_eq!(total.sql, "qty * price");
    assert_eq!(computed("qty_twice").unwrap().persisted, Some(true));
    assert!(items.get_column("total").unwrap().server_default.is_none());
    let events = reflected.table("events").unwrap();
    let tickets = reflected.table("tickets").unwrap();
    if b.is_postgres() {
        let id = events.get_column("id").unwrap();
        assert_eq!(
            id.identity,
            Some(Identity::always().start(100).increment(10))
        );
        let id = tickets.get_column("id").unwrap();
        assert_eq!(id.sequence(), Some(&ticket_ids()));
        assert!(id.server_default.is_none());
        assert_eq!(
            tickets.autoincrement_column().map(|c| c.name.clone()),
            Some("id".into())
        );
    }
    assert_eq!(
        events.autoincrement_column().map(|c| c.name.clone()),
        Some("id".into())
    );
    md.drop_all(&engine).unwrap();
}

on_every_backend!(
    generated_columns_are_computed_never_written,
    identity_columns_generate_keys,
    sequences_feed_columns_and_run_alone,
    generated_identity_and_sequences_reflect_as_declared,
);
