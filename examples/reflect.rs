//! Reflection: read an existing database's tables into a `MetaData` (SQLAlchemy's
//! `metadata.reflect(engine)`), print them, and query a reflected table like a declared one.
//!
//! `cargo run --example reflect` builds a small SQLite database first, as some other program
//! would have, and reflects that; `cargo run --example reflect -- URL` reflects the database at
//! URL instead (any backend, e.g. `sqlite:///app.db`), only printing it.

use sqlcore::*;

/// A database made with plain SQL, as an application we know nothing of would leave it.
const LEGACY_SCHEMA: &str = "
    CREATE TABLE authors (
        id INTEGER PRIMARY KEY,
        name VARCHAR(80) NOT NULL UNIQUE
    );
    CREATE TABLE books (
        id INTEGER PRIMARY KEY,
        author_id INTEGER NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        published DATE,
        price NUMERIC(8, 2) DEFAULT 0 CHECK (price >= 0)
    );
    CREATE INDEX ix_books_title ON books (title);
    INSERT INTO authors (id, name) VALUES (1, 'Ursula K. Le Guin');
    INSERT INTO books (author_id, title, published) VALUES (1, 'The Dispossessed', '1974-05-01');
";

/// One table as a reader wants it: columns with type and constraints, keys and indexes.
fn print_table(table: &Table) {
    println!("table {}", table.fullname());
    for column in table.columns.values() {
        let mut notes = Vec::new();
        if column.primary_key {
            notes.push("primary key".to_owned());
        }
        if !column.nullable {
            notes.push("not null".to_owned());
        }
        match &column.server_default {
            Some(ServerDefault::Value(value)) => notes.push(format!("default {value}")),
            Some(ServerDefault::Sql(sql)) => notes.push(format!("default {sql}")),
            None => {}
        }
        let notes = notes.join(", ");
        println!("  {:<10} {:<14} {notes}", column.name, column.sql_type);
    }
    for fk in &table.foreign_keys {
        println!(
            "  foreign key ({}) -> {}({})",
            fk.columns.join(", "),
            fk.referred_table,
            fk.referred_columns.join(", ")
        );
    }
    for unique in &table.unique_constraints {
        println!("  unique ({})", unique.columns.join(", "));
    }
    for index in &table.indexes {
        let elements: Vec<String> = index
            .elements
            .iter()
            .map(|element| match element {
                IndexElement::Column(name) => name.to_string(),
                IndexElement::Expr(_) => "(expression)".to_owned(),
            })
            .collect();
        println!("  index {} ({})", index.name, elements.join(", "));
    }
}

fn main() -> Result<()> {
    let given = std::env::args().nth(1);
    let demo_path = std::env::temp_dir().join(format!("sqlcore-reflect-{}.db", std::process::id()));
    let url = match &given {
        Some(url) => url.clone(),
        None => {
            let _ = std::fs::remove_file(&demo_path);
            let url = format!("sqlite:///{}", demo_path.display());
            create_engine(&url)?.transaction(|conn| {
                for sql in LEGACY_SCHEMA.split(';').filter(|s| !s.trim().is_empty()) {
                    conn.execute(text(sql), ())?;
                }
                Ok(())
            })?;
            url
        }
    };
    let engine = create_engine(&url)?;

    // Every table of the default schema, in a fixed number of catalog queries.
    let mut metadata = MetaData::new();
    metadata.reflect(&engine)?;
    for table in metadata.sorted_tables()? {
        print_table(&table);
    }
    if given.is_some() {
        return Ok(());
    }

    // The reflected tables are ordinary tables: query them, join on the reflected key.
    let books = metadata.table("books").expect("books reflected").clone();
    let authors = metadata
        .table("authors")
        .expect("authors reflected")
        .clone();
    assert_eq!(books.foreign_keys[0].referred_table, "authors");
    let rows = engine
        .connect()?
        .execute(
            select([authors.c("name"), books.c("title"), books.c("published")]).join(&books),
            (),
        )?
        .all()?;
    for row in &rows {
        println!(
            "{} wrote {} ({})",
            row["name"], row["title"], row["published"]
        );
    }
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<String>("title")?, "The Dispossessed");

    // And their DDL for another database: the schema, ported to PostgreSQL.
    for table in metadata.sorted_tables()? {
        println!("{};", create_table(&table).compile(&PostgreSQL)?.sql);
    }

    drop(engine);
    let _ = std::fs::remove_file(&demo_path);
    println!("reflect: ok");
    Ok(())
}
