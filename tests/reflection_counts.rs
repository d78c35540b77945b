//! The number of catalog queries reflection costs: the same for 10 and for 300 tables, on
//! every backend.

mod common;

use common::backend::TestDb;
use common::other_schema::OtherSchema;
use sqlcore::*;
use std::sync::Arc;

/// Reflects `schema` with `echo` on; returns the number of queries sent and the tables, after
/// checking that the last one has its key, foreign key, unique constraint and index.
fn reflect_counting(url: &str, schema: Option<&str>) -> (usize, usize) {
    let (tables, log) = common::with_captured_logs(|| {
        let engine = Engine::builder(url).echo(true).build().unwrap();
        let mut md = MetaData::new();
        let options = match schema {
            Some(s) => ReflectOptions::new().schema(s),
            None => ReflectOptions::new(),
        };
        md.reflect_with(&engine, &options).unwrap();
        let last = md
            .tables()
            .max_by_key(|t| t.name[1..].parse::<usize>().unwrap())
            .unwrap();
        assert_eq!(last.columns.len(), 8);
        assert_eq!(last.primary_key.columns, [Arc::from("id")]);
        assert_eq!(last.foreign_keys.len(), 1);
        assert_eq!(last.unique_constraints.len(), 1);
        assert_eq!(last.indexes.len(), 1);
        md.len()
    });
    let queries = log.lines().filter(|l| l.contains("SELECT ")).count();
    eprintln!("{tables} tables: {queries} queries");
    (queries, tables)
}

/// Reflecting 300 tables costs the same number of catalog queries as reflecting 10.
#[test]
fn postgres_catalog_queries_do_not_depend_on_the_table_count() {
    let Some(b) = TestDb::postgres("reflect_query_count") else {
        return;
    };
    let other = OtherSchema::new(&b);
    let mut client = common::pg::connect().unwrap();
    client
        .batch_execute(&common::wide::wide_schema_sql(b.schema(), 10))
        .unwrap();
    client
        .batch_execute(&common::wide::wide_schema_sql(Some(&other.name), 300))
        .unwrap();
    let (few, few_tables) = reflect_counting(&b.url(), None);
    let (many, many_tables) = reflect_counting(&b.url(), Some(&other.name));
    assert_eq!((few_tables, many_tables), (10, 300));
    assert_eq!(few, many, "catalog queries for 10 and for 300 tables");
    assert!(many <= 5, "{many} catalog queries");
}

/// The same on MariaDB, each schema a database.
#[test]
fn mariadb_catalog_queries_do_not_depend_on_the_table_count() {
    let Some(b) = TestDb::mariadb("reflect_query_count") else {
        return;
    };
    let other = OtherSchema::new(&b);
    common::mysql::run(&common::wide::wide_schema_mysql_sql(b.schema(), 10));
    common::mysql::run(&common::wide::wide_schema_mysql_sql(Some(&other.name), 300));
    let (few, few_tables) = reflect_counting(&b.url(), None);
    let (many, many_tables) = reflect_counting(&b.url(), Some(&other.name));
    assert_eq!((few_tables, many_tables), (10, 300));
    assert_eq!(few, many, "catalog queries for 10 and for 300 tables");
    assert!(many <= 6, "{many} catalog queries");
}

/// The same on SQLite, counting the statements SQLite runs.
#[test]
fn sqlite_catalog_queries_do_not_depend_on_the_table_count() {
    let count = |n: usize| {
        let b = TestDb::sqlite(&format!("reflect_query_count_{n}"));
        let engine = create_engine(&b.url()).unwrap();
        let mut conn = engine.connect().unwrap();
        for statement in common::wide::wide_schema_sql(None, n).split(";\n") {
            if !statement.trim().is_empty() {
                conn.execute(text(statement), ()).unwrap();
            }
        }
        conn.commit().unwrap();
        drop(conn);
        reflect_counting(&b.url(), None)
    };
    let (few, few_tables) = count(10);
    let (many, many_tables) = count(300);
    assert_eq!((few_tables, many_tables), (10, 300));
    assert_eq!(few, many, "catalog queries for 10 and for 300 tables");
    assert!(many <= 5, "{many} catalog queries");
}
