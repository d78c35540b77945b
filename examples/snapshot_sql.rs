//! Snapshot-testing the SQL an application generates: each statement is rendered for every
//! dialect with `snapshot_dialects` (the SQL, the SQL as bound where an IN list expands, and
//! each parameter with its position and value, in a stable, readable form), parsed back with
//! sqlparser, and compared with an insta snapshot. A change to a query, or to the compiler,
//! then shows up as a reviewable diff of SQL text.
//!
//! In a test suite each case is a `#[test]` with a snapshot file (`insta::assert_snapshot!`,
//! reviewed with `cargo insta review`); the snapshots are inline here so the example is one
//! file. Run with `cargo run --example snapshot_sql`.

use sqlcore::*;
use sqlparser::dialect::{
    Dialect as ParserDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};
use sqlparser::parser::Parser;

/// The dialects rendered, each with the sqlparser dialect that reads it back.
fn dialects() -> [(&'static dyn Dialect, &'static dyn ParserDialect); 4] {
    [
        (&PostgreSQL, &PostgreSqlDialect {}),
        (&SQLite, &SQLiteDialect {}),
        (&MySQL, &MySqlDialect {}),
        (&MariaDB, &MySqlDialect {}),
    ]
}

/// The application's tables.
fn products() -> Table {
    Table::new("products")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("sku", SqlType::String(Some(20))).unique())
        .column(Column::new("price", SqlType::Numeric(Some(10), Some(2))))
}

/// Renders `stmt` for every dialect, checks that each rendering parses as one statement, and
/// returns the text to snapshot.
fn render(stmt: impl Into<Statement>, named: &Params) -> String {
    let stmt = stmt.into();
    for (dialect, parser) in dialects() {
        if let Ok(bound) = stmt
            .compile(dialect)
            .and_then(|c| Ok(c.bind(named)?.sql.into_owned()))
        {
            let parsed = Parser::parse_sql(parser, &bound)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}\n{bound}", dialect.name()));
            assert_eq!(parsed.len(), 1, "{bound}");
        }
    }
    let dialects: Vec<&dyn Dialect> = dialects().iter().map(|(d, _)| *d).collect();
    snapshot_dialects(&stmt, &dialects, named)
}

fn main() {
    let p = products();

    // A lookup by a list of SKUs: the IN list is one parameter on PostgreSQL (`= ANY`), and
    // expands at bind time on the others — one compiled form for every list length.
    let by_skus = select([p.c("id"), p.c("price")])
        .filter(p.c("sku").in_(["A-1", "B-2"]))
        .order_by([p.c("id")]);
    let text = render(by_skus, &Params::new());
    println!("{text}\n");
    insta::assert_snapshot!(text, @r#"
    -- postgresql
    SELECT products.id, products.price FROM products WHERE products.sku = ANY($1) ORDER BY products.id
    -- params: [1] Array([Text("A-1"), Text("B-2")])

    -- sqlite
    SELECT products.id, products.price FROM products WHERE products.sku IN (__[POSTCOMPILE_param_1]) ORDER BY products.id
    -- expanded: SELECT products.id, products.price FROM products WHERE products.sku IN (?1, ?2) ORDER BY products.id
    -- params: [1] Text("A-1") [2] Text("B-2")

    -- mysql
    SELECT products.id, products.price FROM products WHERE products.sku IN (__[POSTCOMPILE_param_1]) ORDER BY products.id
    -- expanded: SELECT products.id, products.price FROM products WHERE products.sku IN (?, ?) ORDER BY products.id
    -- params: [1] Text("A-1") [2] Text("B-2")

    -- mariadb
    SELECT products.id, products.price FROM products WHERE products.sku IN (__[POSTCOMPILE_param_1]) ORDER BY products.id
    -- expanded: SELECT products.id, products.price FROM products WHERE products.sku IN (?, ?) ORDER BY products.id
    -- params: [1] Text("A-1") [2] Text("B-2")
    "#);

    // An upsert with named parameters given at execution. ON CONFLICT is PostgreSQL's and
    // SQLite's; MySQL and MariaDB refuse it (theirs is `on_duplicate_key_update`).
    let upsert =
        |stmt: Insert| stmt.values([("sku", bindparam("sku")), ("price", bindparam("price"))]);
    let named = params! { "sku" => "A-1", "price" => "9.99" };
    let text = render(
        upsert(insert(&p)).on_conflict_do_update(["sku"], [("price", excluded("price"))]),
        &named,
    );
    println!("{text}\n");
    insta::assert_snapshot!(text, @r#"
    -- postgresql
    INSERT INTO products (sku, price) VALUES ($1, $2) ON CONFLICT (sku) DO UPDATE SET price = excluded.price
    -- params: [1] Text("A-1") [2] Text("9.99")

    -- sqlite
    INSERT INTO products (sku, price) VALUES (?1, ?2) ON CONFLICT (sku) DO UPDATE SET price = excluded.price
    -- params: [1] Text("A-1") [2] Text("9.99")

    -- mysql
    CompileError: ON CONFLICT is not supported by the mysql dialect

    -- mariadb
    CompileError: ON CONFLICT is not supported by the mariadb dialect
    "#);

    // DELETE ... RETURNING: MySQL has no RETURNING (MariaDB has), and the snapshot records
    // the refusal.
    let text = render(
        delete(&p).filter(p.c("price").lt(0)).returning([p.c("id")]),
        &Params::new(),
    );
    println!("{text}");
    insta::assert_snapshot!(text, @r#"
    -- postgresql
    DELETE FROM products WHERE products.price < $1 RETURNING products.id
    -- params: [1] I32(0)

    -- sqlite
    DELETE FROM products WHERE products.price < ?1 RETURNING products.id
    -- params: [1] I32(0)

    -- mysql
    CompileError: RETURNING is not supported by the mysql dialect

    -- mariadb
    DELETE FROM products WHERE products.price < ? RETURNING products.id
    -- params: [1] I32(0)
    "#);
    println!("\nsnapshot_sql: ok");
}
