//! Builds the statements of a small application and prints them for every dialect.
//!
//! Run with `cargo run --example quickstart`.

use sqlcore::*;

fn main() -> Result<(), CompileError> {
    let mut metadata = MetaData::new();
    let users = metadata.add(
        Table::new("users")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("name", SqlType::String(Some(30))).not_null())
            .column(Column::new("fullname", SqlType::Text)),
    )?;
    let addresses = metadata.add(
        Table::new("addresses")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(
                Column::new("user_id", SqlType::Integer)
                    .not_null()
                    .references("users.id"),
            )
            .column(Column::new("email_address", SqlType::String(Some(120))).not_null()),
    )?;

    let statements: Vec<(&str, Statement)> = vec![
        (
            "insert a user",
            insert(&users)
                .values(params! { "name" => "spongebob", "fullname" => "Spongebob Squarepants" })
                .into(),
        ),
        (
            "users with their addresses",
            select([users.c("name"), addresses.c("email_address")])
                .join(&addresses)
                .filter(users.c("name").in_(["spongebob", "sandy"]))
                .order_by([addresses.c("email_address")])
                .into(),
        ),
        (
            "rename a user",
            update(&users)
                .filter(users.c("name").eq("sandy"))
                .values(params! { "fullname" => "Sandy Squirrel" })
                .into(),
        ),
        (
            "delete an address",
            delete(&addresses)
                .filter(addresses.c("email_address").endswith("@aol.com"))
                .into(),
        ),
    ];

    for dialect in [&PostgreSQL as &dyn Dialect, &SQLite, &MySQL] {
        println!("== {} ==", dialect.name());
        for ddl in metadata.create_all_ddl(dialect, true)? {
            match ddl.compile(dialect) {
                Ok(c) => println!("{};", c.sql),
                Err(e) => println!("-- {e}"),
            }
        }
        for (what, stmt) in &statements {
            let compiled = stmt.compile(dialect)?;
            let bound = compiled.bind(&Params::new())?;
            println!("-- {what}\n{};\n--   with {:?}", bound.sql, bound.values);
        }
        println!();
    }
    Ok(())
}
