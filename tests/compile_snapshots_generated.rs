//! Generated columns, identity columns and sequences, rendered for PostgreSQL, SQLite and
//! MySQL and snapshotted in `snapshots/<dialect>/`; each rendering is parsed back with
//! sqlparser and executed on SQLite, PostgreSQL and MariaDB (see `tests/common/mod.rs`). The
//! sequences are rendered for MariaDB too (`snapshots/mariadb/`), and executed there.

#[macro_use]
mod common;

use sqlcore::*;

fn order_ids() -> Sequence {
    Sequence::new("order_ids")
        .start(1000)
        .increment(5)
        .min_value(1000)
        .max_value(1_000_000)
        .cache(10)
        .cycle(false)
}

fn line_items() -> Table {
    Table::new("line_items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("qty", SqlType::Integer).not_null())
        .column(Column::new("price", SqlType::Numeric(Some(10), Some(2))).not_null())
        .column(
            Column::new("total", SqlType::Numeric(Some(12), Some(2)))
                .computed(Computed::new("qty * price")),
        )
        .column(
            Column::new("qty_twice", SqlType::Integer)
                .computed(Computed::new("qty * 2").persisted(true)),
        )
}

snap!(create_table_generated_columns, create_table(&line_items()));
snap!(
    create_table_generated_virtual,
    create_table(
        &Table::new("gen_virtual")
            .column(Column::new("a", SqlType::Integer))
            .column(
                Column::new("b", SqlType::Integer)
                    .computed(Computed::new("a + 1").persisted(false))
            )
    )
);
snap!(
    create_table_identity_always_with_options,
    create_table(
        &Table::new("ident_opts")
            .column(
                Column::new("id", SqlType::BigInteger)
                    .primary_key()
                    .identity_with(
                        Identity::always()
                            .start(100)
                            .increment(10)
                            .min_value(100)
                            .max_value(100_000)
                            .cache(5)
                            .cycle(true),
                    ),
            )
            .column(Column::new("name", SqlType::Text)),
    )
);
snap!(
    create_table_identity_by_default,
    create_table(
        &Table::new("ident_default")
            .column(Column::new("id", SqlType::Integer).primary_key().identity())
            .column(Column::new("name", SqlType::Text)),
    )
);
snap!(create_sequence_options, create_sequence(&order_ids()));
snap!(
    create_sequence_in_schema,
    create_sequence(&Sequence::new("shared_ids").schema("app")).if_not_exists()
);
snap!(
    drop_sequence_if_exists,
    drop_sequence(&order_ids()).if_exists()
);
/// `snap!` with statements run first (a sequence or table the statement uses).
macro_rules! snap_after {
    ($name:ident, [$($setup:expr),*], $stmt:expr) => {
        #[test]
        fn $name() {
            let setup: Vec<Statement> = vec![$(Statement::from($setup)),*];
            crate::common::check_after(stringify!($name), &setup, $stmt, &Params::new());
        }
    };
}

snap_after!(
    create_table_sequence_default,
    [create_sequence(&Sequence::new("order_seq_ids"))],
    create_table(
        &Table::new("orders_seq")
            .column(
                Column::new("id", SqlType::Integer)
                    .default_sequence(Sequence::new("order_seq_ids"))
                    .primary_key(),
            )
            .column(Column::new("note", SqlType::Text)),
    )
);
snap!(
    create_table_optional_sequence_default,
    create_table(
        &Table::new("orders_opt")
            .column(
                Column::new("id", SqlType::Integer)
                    .default_sequence(Sequence::new("opt_ids").optional())
                    .primary_key(),
            )
            .column(Column::new("note", SqlType::Text)),
    )
);
fn tickets() -> Table {
    Table::new("tickets")
        .column(
            Column::new("id", SqlType::Integer)
                .default_sequence(Sequence::new("ticket_ids"))
                .primary_key(),
        )
        .column(Column::new("title", SqlType::Text))
}

snap_after!(
    insert_generated_columns_left_out,
    [create_table(&line_items())],
    insert(&line_items())
        .values(params! { "id" => 1, "qty" => 2, "price" => 3 })
        .returning([line_items().c("total"), line_items().c("qty_twice")])
);
snap_after!(
    insert_sequence_default_left_out,
    [
        create_sequence(&Sequence::new("ticket_ids")),
        create_table(&tickets())
    ],
    insert(&tickets())
        .values(params! { "title" => "a" })
        .returning([tickets().c("id")])
);
snap_after!(
    select_next_value,
    [create_sequence(&Sequence::new("hostile'ids"))],
    Statement::from(Sequence::new("hostile'ids").next_value())
);

/// `snap_mariadb!(case, [setup], statement)`: [`common::check_mariadb`], its snapshot named
/// `case` in `snapshots/mariadb/`.
macro_rules! snap_mariadb {
    ($name:ident, [$($setup:expr),*], $stmt:expr) => {
        #[test]
        fn $name() {
            let setup: Vec<Statement> = vec![$(Statement::from($setup)),*];
            crate::common::check_mariadb(stringify!($name), &setup, $stmt);
        }
    };
}

/// MariaDB's renderings of the sequence cases above, each executed on the server.
mod mariadb {
    use super::*;

    snap_mariadb!(create_sequence_options, [], create_sequence(&order_ids()));
    snap_mariadb!(
        create_sequence_in_schema,
        [],
        create_sequence(&Sequence::new("shared_ids").schema("app")).if_not_exists()
    );
    snap_mariadb!(
        drop_sequence_if_exists,
        [],
        drop_sequence(&order_ids()).if_exists()
    );
    snap_mariadb!(
        create_table_sequence_default,
        [create_sequence(&Sequence::new("order_seq_ids"))],
        create_table(
            &Table::new("orders_seq")
                .column(
                    Column::new("id", SqlType::Integer)
                        .default_sequence(Sequence::new("order_seq_ids"))
                        .primary_key(),
                )
                .column(Column::new("note", SqlType::Text)),
        )
    );
    // As SQLAlchemy's MariaDB dialect, an optional sequence is used.
    snap_mariadb!(
        create_table_optional_sequence_default,
        [create_sequence(&Sequence::new("opt_ids").optional())],
        create_table(
            &Table::new("orders_opt")
                .column(
                    Column::new("id", SqlType::Integer)
                        .default_sequence(Sequence::new("opt_ids").optional())
                        .primary_key(),
                )
                .column(Column::new("note", SqlType::Text)),
        )
    );
    snap_mariadb!(
        insert_sequence_default_left_out,
        [
            create_sequence(&Sequence::new("ticket_ids")),
            create_table(&tickets())
        ],
        insert(&tickets())
            .values(params! { "title" => "a" })
            .returning([tickets().c("id")])
    );
    snap_mariadb!(
        select_next_value,
        [create_sequence(&Sequence::new("hostile'ids"))],
        Statement::from(Sequence::new("hostile'ids").next_value())
    );
    snap_mariadb!(
        select_next_value_in_schema,
        [create_sequence(&Sequence::new("shared_ids").schema("app"))],
        Statement::from(Sequence::new("shared_ids").schema("app").next_value())
    );
}

/// MySQL has no sequences: naming one is a CompileError that says so, while a column's
/// sequence is ignored as on SQLite (the column stays `AUTO_INCREMENT`).
#[test]
fn mysql_refuses_sequences_and_ignores_a_column_sequence() {
    let next: Statement = Sequence::new("ids").next_value().into();
    for stmt in [
        next,
        create_sequence(&Sequence::new("ids")).into(),
        drop_sequence(&Sequence::new("ids")).into(),
    ] {
        let err = stmt.compile(&MySQL).unwrap_err();
        assert!(matches!(err, CompileError::Unsupported { .. }), "{err:?}");
        assert!(err.to_string().contains("mysql"), "{err}");
    }
    assert_eq!(
        create_table(&tickets()).compile(&MySQL).unwrap().sql,
        "CREATE TABLE tickets (id INTEGER NOT NULL AUTO_INCREMENT, title TEXT, PRIMARY KEY (id))"
    );
}

/// `nextval('...')` names its schema as a token inside the literal: the map re-targets it, and
/// a schema with a quote stays inside the literal.
#[test]
fn next_value_follows_schema_translate_map() {
    let stmt: Statement = Sequence::new("ids").next_value().into();
    let compiled = stmt.compile(&PostgreSQL).unwrap();
    assert_eq!(compiled.sql, "SELECT nextval('ids') AS next_value_1");
    let map = SchemaTranslateMap::new().map(None, "tenant_1");
    assert_eq!(
        compiled.translate(&map, &PostgreSQL).unwrap(),
        "SELECT nextval('tenant_1.ids') AS next_value_1"
    );
    let map = SchemaTranslateMap::new().map(None, "it's");
    assert_eq!(
        compiled.translate(&map, &PostgreSQL).unwrap(),
        "SELECT nextval('\"it''s\".ids') AS next_value_1"
    );
    let map = SchemaTranslateMap::new().map(None, "back\\slash");
    assert!(compiled.translate(&map, &PostgreSQL).is_err());
    let in_schema: Statement = Sequence::new("ids").schema("app").next_value().into();
    let compiled = in_schema.compile(&PostgreSQL).unwrap();
    let map = SchemaTranslateMap::new().map(Some("app"), "app_2");
    assert_eq!(
        compiled.translate(&map, &PostgreSQL).unwrap(),
        "SELECT nextval('app_2.ids') AS next_value_1"
    );
    // MariaDB names the sequence as an identifier, its schema a token all the same.
    let compiled = stmt.compile(&MariaDB).unwrap();
    assert_eq!(compiled.sql, "SELECT nextval(ids) AS next_value_1");
    let map = SchemaTranslateMap::new().map(None, "it's");
    assert_eq!(
        compiled.translate(&map, &MariaDB).unwrap(),
        "SELECT nextval(`it's`.ids) AS next_value_1"
    );
}

/// Everything that changes the SQL is part of the cache key: the sequence's name, schema,
/// options; a column's generated expression and identity.
#[test]
fn cache_keys_cover_sequences_generated_and_identity_columns() {
    let key = |stmt: Statement| extract(&stmt, &PostgreSQL).unwrap().to_key();
    let same = |a: Statement, b: Statement| extract(&a, &PostgreSQL).unwrap().matches(&key(b));
    let next = |seq: Sequence| Statement::from(seq.next_value());
    assert!(same(next(Sequence::new("a")), next(Sequence::new("a"))));
    assert!(!same(next(Sequence::new("a")), next(Sequence::new("b"))));
    assert!(!same(
        next(Sequence::new("a")),
        next(Sequence::new("a").schema("s"))
    ));
    let table = |col: Column| Table::new("t").column(col);
    let create = |col: Column| Statement::from(create_table(&table(col)));
    let int = || Column::new("x", SqlType::Integer);
    assert!(!same(
        create(int().computed(Computed::new("1"))),
        create(int().computed(Computed::new("2")))
    ));
    assert!(!same(
        create(int().identity_with(Identity::always())),
        create(int().identity())
    ));
    assert!(!same(
        create(int().default_sequence(Sequence::new("a"))),
        create(int().default_sequence(Sequence::new("a").schema("s")))
    ));
    assert!(!same(
        Statement::from(create_sequence(&Sequence::new("a").start(1))),
        Statement::from(create_sequence(&Sequence::new("a").start(2)))
    ));
    // An INSERT drawing from a column's sequence names it.
    let ins = |seq: Sequence| {
        let t = Table::new("t")
            .column(
                Column::new("id", SqlType::Integer)
                    .default_sequence(seq)
                    .primary_key(),
            )
            .column(Column::new("v", SqlType::Integer));
        Statement::from(insert(&t).values(params! { "v" => 1 }))
    };
    assert!(!same(ins(Sequence::new("a")), ins(Sequence::new("b"))));
}
