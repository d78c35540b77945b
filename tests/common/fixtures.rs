//! The schema the compiler tests build statements against.

use sqlcore::*;

pub fn users() -> Table {
    Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(
            Column::new("name", SqlType::String(Some(30)))
                .not_null()
                .index(),
        )
        .column(Column::new("fullname", SqlType::String(Some(100))))
        .column(Column::new("email", SqlType::String(Some(120))).unique())
        .column(Column::new("active", SqlType::Boolean).default(true))
        .column(Column::new("score", SqlType::Integer).server_default(0))
}

pub fn addresses() -> Table {
    Table::new("addresses")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("user_id", SqlType::Integer).not_null())
        .column(Column::new("email_address", SqlType::String(Some(120))).not_null())
        .foreign_key(
            ForeignKey::new(["user_id"], "users", ["id"]).on_delete(ReferentialAction::Cascade),
        )
}

pub fn orders() -> Table {
    Table::new("orders")
        .column(Column::new("id", SqlType::BigInteger).primary_key())
        .column(Column::new("user_id", SqlType::Integer).references("users.id"))
        .column(Column::new("amount", SqlType::Numeric(Some(10), Some(2))).not_null())
        .column(Column::new("status", SqlType::String(Some(20))).server_default("new"))
        .column(Column::new("placed_at", SqlType::DATETIME_TZ))
}

/// Two foreign keys to `users`: joins to it are ambiguous without ON.
pub fn messages() -> Table {
    Table::new("messages")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("sender_id", SqlType::Integer).references("users.id"))
        .column(Column::new("recipient_id", SqlType::Integer).references("users.id"))
        .column(Column::new("body", SqlType::Text))
}

pub fn nodes() -> Table {
    Table::new("nodes")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("parent_id", SqlType::Integer).references("nodes.id"))
        .column(Column::new("label", SqlType::Text))
}

pub fn counters() -> Table {
    Table::new("counters")
        .column(
            Column::new("id", SqlType::Integer)
                .primary_key()
                .autoincrement(Autoincrement::No),
        )
        .column(Column::new("n", SqlType::Integer).not_null())
}

pub fn kv() -> Table {
    Table::new("kv")
        .column(Column::new("k", SqlType::String(Some(50))).primary_key())
        .column(Column::new("v", SqlType::Text))
        .column(Column::new("hits", SqlType::Integer).server_default(0))
}

/// Every column has a default: the table of `DEFAULT VALUES`.
pub fn events() -> Table {
    Table::new("events")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("kind", SqlType::String(Some(20))).server_default("ping"))
}

/// A table in the `app` schema (an attached database on SQLite).
pub fn tags() -> Table {
    Table::new("tags")
        .schema("app")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text))
}

/// Reserved words and upper case as names.
pub fn reserved_table() -> Table {
    Table::new("order")
        .column(Column::new("select", SqlType::Integer).primary_key())
        .column(Column::new("UserName", SqlType::Text))
        .column(Column::new("group", SqlType::Text))
}

/// Names and literals that would break out of careless quoting.
pub fn hostile_table() -> Table {
    Table::new("we\"ird`; DROP TABLE users; --")
        .column(
            Column::new("a\"b`c", SqlType::Text).comment("it's a \\ trap'); DROP TABLE users; --"),
        )
        .column(
            Column::new("x; DROP TABLE users; --", SqlType::Text)
                .server_default("'); DROP TABLE users; --\\"),
        )
}

/// JSON documents (JSONB on PostgreSQL).
pub fn docs() -> Table {
    Table::new("docs")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("doc", SqlType::Json))
}

/// Arrays: PostgreSQL only (the other dialects have none), so not part of [`metadata`];
/// [`pg_metadata`] holds it.
pub fn arrays() -> Table {
    Table::new("arrays")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("ints", SqlType::array(SqlType::Integer)))
        .column(Column::new(
            "tags",
            SqlType::array(SqlType::String(Some(20))),
        ))
        .column(Column::new(
            "grid",
            SqlType::array(SqlType::Integer).dimensions(2),
        ))
}

/// The tables created on PostgreSQL besides [`metadata`]'s.
pub fn pg_metadata() -> MetaData {
    let mut md = MetaData::new();
    md.add(arrays()).expect("one table");
    md
}

/// [`pg_metadata`]'s rows.
pub const PG_SEED: &str = "
    INSERT INTO arrays (ints, tags, grid) VALUES
        ('{1,2,3}', '{red,blue}', '{{1,2},{3,4}}'), ('{}', '{}', NULL), (NULL, '{green}', '{{5,6}}');
";

/// Whether `table` is one of the fixture's (on any dialect).
pub fn is_fixture_table(table: &str) -> bool {
    metadata().table(table).is_some() || pg_metadata().table(table).is_some()
}

pub fn metadata() -> MetaData {
    let mut md = MetaData::new();
    for t in [
        users(),
        addresses(),
        orders(),
        messages(),
        nodes(),
        counters(),
        kv(),
        events(),
        tags(),
        reserved_table(),
        hostile_table(),
        docs(),
    ] {
        md.add(t).expect("fixture tables are distinct");
    }
    md
}

/// An empty in-memory SQLite database with an attached `app` schema.
pub fn sqlite_empty() -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_in_memory().expect("open SQLite");
    conn.execute_batch("PRAGMA foreign_keys = ON; ATTACH DATABASE ':memory:' AS app")
        .expect("attach");
    conn
}

/// Rows every fixture database starts with, so statements run against real data.
pub const SEED: &str = "
    INSERT INTO users (name, fullname, email, active, score) VALUES
        ('ed', 'Ed Jones', 'ed@x.org', true, 95), ('wendy', NULL, 'wendy@x.org', true, 40),
        ('mary', 'Mary Ann', NULL, false, 60);
    INSERT INTO addresses (user_id, email_address) VALUES
        (1, 'ed@x.org'), (1, 'ed@spam.com'), (2, 'wendy@x.org');
    INSERT INTO orders (user_id, amount, status) VALUES
        (1, 120.50, 'new'), (1, 15.00, 'paid'), (2, 300.00, 'new');
    INSERT INTO nodes (parent_id, label) VALUES (NULL, 'root'), (1, 'a'), (2, 'b');
    INSERT INTO counters (id, n) VALUES (1, 0);
    INSERT INTO kv (k, v) VALUES ('a', '0');
    INSERT INTO app.tags (name) VALUES ('red');
    INSERT INTO docs (doc) VALUES
        ('{\"a\": {\"b\": \"x\", \"n\": 5}, \"tags\": [\"red\", \"blue\"], \"ok\": true, \"f\": 1.5}'),
        ('{\"a\": {\"b\": null}, \"tags\": [], \"ok\": false}');
";

/// A SQLite `:memory:` engine with an attached `app` schema and, with `fixture`, the fixture
/// schema (created with `create_all`) and its rows.
pub fn sqlite_engine(fixture: bool) -> Engine {
    let engine = Engine::builder("sqlite://")
        .on_connect(|c| {
            c.execute_batch("PRAGMA foreign_keys = ON; ATTACH DATABASE ':memory:' AS app")
        })
        .build()
        .expect("engine");
    if fixture {
        metadata().create_all(&engine).expect("create_all");
        let mut conn = engine.connect().expect("connect");
        for stmt in SEED.split(';').filter(|s| !s.trim().is_empty()) {
            conn.execute(text(stmt), ()).expect("seed rows");
        }
        conn.commit().expect("commit");
    }
    engine
}

/// An in-memory SQLite database with the fixture schema, created with the compiler's own
/// DDL, and a few rows.
pub fn sqlite_fixture() -> rusqlite::Connection {
    let conn = sqlite_empty();
    for ddl in metadata()
        .create_all_ddl(&SQLite, false)
        .expect("fixture DDL")
    {
        let sql = ddl.compile(&SQLite).expect("fixture DDL compiles").sql;
        conn.execute_batch(&sql)
            .unwrap_or_else(|e| panic!("fixture DDL fails: {e}\n{sql}"));
    }
    conn.execute_batch(SEED).expect("seed rows");
    conn
}
