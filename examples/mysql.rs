//! MySQL and MariaDB: the same Core statements on the `mysql` crate (pure Rust) — tables
//! created from metadata, `execute_many`, an upsert with `ON DUPLICATE KEY UPDATE`, typed
//! constraint errors, a rolled-back transaction and an unbuffered streamed result.
//!
//! Needs a server: the URL is `SQLCORE_EXAMPLE_MYSQL_URL`, by default
//! `mysql://root@127.0.0.1:3306/test` (use `mariadb://` for MariaDB's dialect, with
//! RETURNING). The example works in a table of its own and drops it. Run with
//! `cargo run --example mysql`.

use sqlcore::*;

/// Drops the example's tables however `main` ends.
struct DropOnExit<'a>(&'a MetaData, &'a Engine);

impl Drop for DropOnExit<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.0.drop_all(self.1) {
            eprintln!("could not drop the example's table: {e}");
        }
    }
}

fn main() -> Result<()> {
    let url = std::env::var("SQLCORE_EXAMPLE_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned());
    let engine = create_engine(&url)?;
    // The URL as sqlcore prints it: never with its password.
    println!("engine: {}", engine.url());
    let version: String = engine
        .connect()?
        .execute(text("SELECT VERSION()"), ())?
        .scalar_one()?;
    println!("server: {version}");

    let mut metadata = MetaData::new();
    let stock = metadata.add(
        Table::new(format!("sqlcore_example_stock_{}", std::process::id()))
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(
                Column::new("sku", SqlType::String(Some(20)))
                    .not_null()
                    .unique(),
            )
            .column(Column::new("quantity", SqlType::Integer).not_null()),
    )?;
    metadata.create_all(&engine)?;
    let _cleanup = DropOnExit(&metadata, &engine);

    // executemany, in a transaction that commits when the closure returns Ok.
    engine.transaction(|conn| {
        conn.execute_many(
            insert(&stock),
            ["A-1", "B-2", "C-3"]
                .iter()
                .map(|sku| params! { "sku" => *sku, "quantity" => 10 }),
        )?;
        Ok(())
    })?;

    let mut conn = engine.connect()?;
    // An upsert: MySQL's own clause, with VALUES(quantity) for the proposed row.
    let restock = insert(&stock)
        .values([("sku", literal("A-1")), ("quantity", literal(5))])
        .on_duplicate_key_update([("quantity", stock.c("quantity") + excluded("quantity"))]);
    println!("{}", restock.compile(conn.dialect())?.sql);
    conn.execute(restock, ())?;
    conn.commit()?;
    let quantity: i32 = conn
        .execute(
            select([stock.c("quantity")]).filter(stock.c("sku").eq("A-1")),
            (),
        )?
        .scalar_one()?;
    println!("A-1 restocked to {quantity}");
    assert_eq!(quantity, 15);

    // A duplicate key is a typed error (MySQL's 1062 → UniqueViolation), not a message to parse.
    let err = conn
        .execute(insert(&stock), params! { "sku" => "B-2", "quantity" => 1 })
        .unwrap_err();
    let db = err.as_db_error().expect("a database error");
    println!(
        "duplicate: {:?} / {:?} / SQLSTATE {:?}",
        db.kind, db.reason, db.sqlstate
    );
    assert_eq!(db.reason, Some(DbErrorReason::UniqueViolation));
    conn.rollback()?;

    // A transaction rolled back leaves no trace.
    {
        let mut tx = conn.begin()?;
        tx.execute(delete(&stock), ())?;
        tx.rollback()?;
    }
    let count: i64 = conn
        .execute(select([count(stock.c("id"))]), ())?
        .scalar_one()?;
    assert_eq!(count, 3);

    // stream_results reads an unbuffered result: rows come as they are read.
    let mut skus = Vec::new();
    let rows = conn.execute(
        select([stock.c("sku")])
            .order_by([stock.c("sku")])
            .execution_options(|o| o.stream_results(true)),
        (),
    )?;
    for row in rows.scalars::<String>() {
        skus.push(row?);
    }
    println!("streamed {skus:?}");
    assert_eq!(skus, ["A-1", "B-2", "C-3"]);
    conn.commit()?;
    drop(conn);

    println!("mysql: ok");
    Ok(())
}
