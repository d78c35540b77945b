//! The users/addresses schema the engine tests share.

use sqlcore::*;

pub fn users() -> Table {
    Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::String(Some(30))).not_null())
        .column(Column::new("active", SqlType::Boolean).default(true))
        .column(Column::new("balance", SqlType::Numeric(Some(10), Some(2))))
        .column(Column::new("joined", SqlType::Date))
}

pub fn addresses() -> Table {
    Table::new("addresses")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(
            Column::new("user_id", SqlType::Integer)
                .not_null()
                .references("users.id"),
        )
        .column(Column::new("email", SqlType::Text).not_null())
}

pub fn metadata() -> MetaData {
    let mut md = MetaData::new();
    md.add(users()).unwrap();
    md.add(addresses()).unwrap();
    md
}

/// An engine builder on `url` that enforces foreign keys on SQLite too.
pub fn builder(url: &str) -> EngineBuilder {
    let builder = Engine::builder(url);
    if url.starts_with("sqlite") {
        builder.on_connect(|c| c.execute_batch("PRAGMA foreign_keys = ON"))
    } else {
        builder
    }
}

pub fn engine_with_schema(url: &str) -> Engine {
    let engine = builder(url).build().unwrap();
    metadata().create_all(&engine).unwrap();
    engine
}

pub fn rows_in(conn: &mut Connection, table: &str) -> i64 {
    conn.execute(text(&format!("SELECT count(*) FROM {table}")), ())
        .unwrap()
        .scalar_one()
        .unwrap()
}

/// The single value `sql` returns.
pub fn scalar<T: FromValue>(conn: &mut Connection, sql: &str) -> T {
    conn.execute(text(sql), ()).unwrap().scalar_one().unwrap()
}
