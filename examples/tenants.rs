//! Multi-tenant schema switching: every tenant has the same tables in a schema of its own, and
//! one statement serves them all through `schema_translate_map` — compiled once, its schema
//! names rewritten per tenant at execution time (SQLAlchemy's recipe).
//!
//! On SQLite a schema is an attached database: each tenant is a file of its own, attached to
//! every pooled connection under the tenant's name. On PostgreSQL the same code runs with
//! `CREATE SCHEMA tenant_a` instead of the ATTACH (and MariaDB with one database per tenant);
//! `tests/tenants.rs` runs it there.
//!
//! Run with `cargo run --example tenants`.

use sqlcore::*;

const TENANTS: [&str; 3] = ["tenant_a", "tenant_b", "tenant_c"];

/// The tables every tenant has, declared without a schema: the map decides where they live.
fn orders_table(metadata: &mut MetaData) -> Result<Table> {
    Ok(metadata.add(
        Table::new("orders")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("customer", SqlType::String(Some(50))).not_null())
            .column(Column::new("total", SqlType::Integer).not_null()),
    )?)
}

/// The engine's options for one tenant: the default schema (`None`) maps to the tenant's.
fn for_tenant(tenant: &str) -> ExecutionOptions {
    ExecutionOptions::default().schema_translate_map(SchemaTranslateMap::new().map(None, tenant))
}

/// A request handler's query: one statement shape, whichever tenant asks.
fn total_for(engine: &Engine, orders: &Table, tenant: &str, customer: &str) -> Result<i64> {
    let stmt = select([coalesce([sum(orders.c("total")), literal(0)])])
        .filter(orders.c("customer").eq(customer.to_owned()));
    engine
        .execution_options(for_tenant(tenant))
        .connect()?
        .execute(stmt, ())?
        .scalar_one()
}

fn main() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("sqlcore-tenants-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Error::Argument(e.to_string()))?;
    let attach: String = TENANTS
        .iter()
        .map(|t| {
            format!(
                "ATTACH DATABASE '{}' AS {t};",
                dir.join(format!("{t}.db")).display()
            )
        })
        .collect();
    let engine = Engine::builder(&format!("sqlite:///{}", dir.join("main.db").display()))
        .on_connect(move |conn| conn.execute_batch(&attach))
        .build()?;

    let mut metadata = MetaData::new();
    let orders = orders_table(&mut metadata)?;

    // Each tenant gets its tables and its own rows, through the same metadata and statements.
    for (n, tenant) in TENANTS.iter().enumerate() {
        let tenant_engine = engine.execution_options(for_tenant(tenant));
        metadata.create_all(&tenant_engine)?;
        tenant_engine.transaction(|conn| {
            conn.execute_many(
                insert(&orders),
                (1..=3).map(|i| params! { "customer" => "acme", "total" => i * (n as i64 + 1) }),
            )?;
            Ok(())
        })?;
    }
    let main_tables = engine.connect()?.table_names(None)?;
    assert!(main_tables.is_empty(), "nothing in the main database");

    // What the map does to the compiled SQL: only the schema changes.
    let stmt = select([sum(orders.c("total"))]);
    let compiled = stmt.compile(&SQLite)?;
    for tenant in TENANTS {
        let map = SchemaTranslateMap::new().map(None, tenant);
        println!("{tenant}: {}", compiled.translate(&map, &SQLite)?);
    }

    // Serve each tenant twice: the right rows each time, from one compiled form.
    let before = engine.cache_stats();
    for _round in 0..2 {
        for (n, tenant) in TENANTS.iter().enumerate() {
            let total = total_for(&engine, &orders, tenant, "acme")?;
            println!("{tenant}: acme ordered {total}");
            assert_eq!(total, 6 * (n as i64 + 1));
        }
    }
    let after = engine.cache_stats();
    println!("compiled cache before: {before:?}");
    println!("compiled cache after:  {after:?}");
    assert_eq!(after.misses - before.misses, 1, "compiled once");
    assert_eq!(after.size - before.size, 1, "one entry for every tenant");
    assert_eq!(after.hits - before.hits, 2 * TENANTS.len() as u64 - 1);

    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
    println!("tenants: ok");
    Ok(())
}
