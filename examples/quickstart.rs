//! sqlcore's main job, on an embedded SQLite file: the walk through SQLAlchemy's "Connection
//! Management" document — describe tables, create them, insert with executemany, select with
//! joins, update, delete, transactions and a savepoint that rolls back.
//!
//! Run with `cargo run --example quickstart`.

use sqlcore::*;

fn show(title: &str, rows: &[Row]) {
    println!("  {title}:");
    for row in rows {
        let cells: Vec<String> = row
            .mapping()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        println!("    {}", cells.join(", "));
    }
}

fn main() -> Result<()> {
    // 1. Describe the tables once.
    let mut metadata = MetaData::new();
    let users = metadata.add(
        Table::new("users")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("name", SqlType::String(Some(30))).not_null())
            .column(Column::new("email", SqlType::String(Some(120)))),
    )?;
    let accounts = metadata.add(
        Table::new("accounts")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(
                Column::new("user_id", SqlType::Integer)
                    .not_null()
                    .references("users.id"),
            )
            .column(Column::new("balance", SqlType::Numeric(Some(12), Some(2))).not_null()),
    )?;

    // 2. An engine on a database file; every new connection enforces foreign keys.
    let path = std::env::temp_dir().join("sqlcore-quickstart.db");
    let _ = std::fs::remove_file(&path);
    let engine = Engine::builder(&format!("sqlite:///{}", path.display()))
        .on_connect(|conn| conn.execute_batch("PRAGMA foreign_keys = ON"))
        .build()?;
    println!("engine: {engine:?}");
    metadata.create_all(&engine)?;
    println!("created tables: {:?}", engine.connect()?.table_names(None)?);

    // 3. engine.begin(): commits on success, rolls back on error.
    engine.transaction(|conn| {
        let n = conn.execute_many(
            insert(&users),
            [
                params! { "name" => "Alice", "email" => "alice@example.com" },
                params! { "name" => "Bob", "email" => "bob@example.com" },
                params! { "name" => "Charlie", "email" => None::<String> },
            ],
        )?;
        println!("inserted {} users with executemany", n.rowcount());
        conn.execute(
            text("INSERT INTO accounts (user_id, balance) VALUES (:u, :b)"),
            params! { "u" => 1, "b" => "100.00" },
        )?;
        conn.execute(
            insert(&accounts),
            params! { "user_id" => 2, "balance" => "25.50" },
        )?;
        Ok(())
    })?;

    let mut conn = engine.connect()?;

    // 4. SELECT with a join (ON inferred from the foreign key).
    let rows = conn
        .execute(
            select([users.c("name"), accounts.c("balance")])
                .join(&accounts)
                .order_by([users.c("name")]),
            (),
        )?
        .all()?;
    show("users with accounts", &rows);

    // 5. Commit as you go: UPDATE and DELETE, then commit().
    let updated = conn.execute(
        update(&accounts)
            .filter(accounts.c("user_id").eq(1))
            .values([("balance", accounts.c("balance") - 30)]),
        (),
    )?;
    println!("  withdrew 30 from Alice ({} row)", updated.rowcount());
    let deleted = conn.execute(delete(&users).filter(users.c("email").is_null()), ())?;
    println!("  deleted {} user without an email", deleted.rowcount());
    conn.commit()?;

    // 6. A transaction with a savepoint that rolls back: only the savepoint's work is undone.
    {
        let mut tx = conn.begin()?;
        tx.execute(
            insert(&users),
            params! { "name" => "Dave", "email" => "dave@example.com" },
        )?;
        {
            let mut savepoint = tx.begin_nested()?;
            savepoint.execute(
                insert(&users),
                params! { "name" => "Eve", "email" => "eve@example.com" },
            )?;
            savepoint.rollback()?;
            println!("  rolled back the savepoint that inserted Eve");
        }
        tx.commit()?;
    }
    let names: Vec<String> = conn
        .execute(select([users.c("name")]).order_by([users.c("id")]), ())?
        .scalars()
        .all()?;
    println!("  users now: {names:?}");

    // 7. Errors carry SQLAlchemy's distinctions.
    let err = conn
        .execute(
            insert(&accounts),
            params! { "user_id" => 99, "balance" => "1.00" },
        )
        .unwrap_err();
    if let Some(db) = err.as_db_error() {
        println!("  a bad foreign key is {:?} / {:?}", db.kind, db.reason);
    }
    conn.rollback()?;

    // 8. Scalars and the pool.
    let total: rust_decimal::Decimal = conn
        .execute(select([sum(accounts.c("balance"))]), ())?
        .scalar_one()?;
    println!("  total balance: {total}");
    drop(conn);
    println!("pool: {}", engine.pool_status());
    Ok(())
}
