//! A wide schema for reflection counts and benchmarks: `n` tables of 8 columns, each with a
//! primary key, a foreign key (to the table before it), an index and a unique constraint.

/// The DDL, tables qualified with `schema` when given.
pub fn wide_schema_sql(schema: Option<&str>, n: usize) -> String {
    wide_schema(schema, n, "TEXT")
}

/// The same schema for MySQL/MariaDB, which indexes no TEXT column without a prefix length:
/// the indexed `name` column is a `VARCHAR(100)`.
#[allow(dead_code)]
pub fn wide_schema_mysql_sql(schema: Option<&str>, n: usize) -> String {
    wide_schema(schema, n, "VARCHAR(100)")
}

fn wide_schema(schema: Option<&str>, n: usize, name_type: &str) -> String {
    let q = |name: String| match schema {
        Some(s) => format!("{s}.{name}"),
        None => name,
    };
    let mut sql = String::new();
    for i in 0..n {
        let parent = if i == 0 { 0 } else { i - 1 };
        sql.push_str(&format!(
            "CREATE TABLE {} (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES {} (id), \
             code VARCHAR(20) NOT NULL UNIQUE, name {name_type}, amount NUMERIC(10, 2), \
             created TIMESTAMP, flag BOOLEAN DEFAULT false, note TEXT);\n\
             CREATE INDEX ix_t{i}_name ON {} (name);\n",
            q(format!("t{i}")),
            q(format!("t{parent}")),
            q(format!("t{i}")),
        ));
    }
    sql
}
