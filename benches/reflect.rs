//! Reflecting 300 tables (8 columns, a primary key, a foreign key, an index and a unique
//! constraint each) into a `MetaData`, beside the bare catalog queries on the raw driver, in
//! one run: PostgreSQL (`pg_catalog`, with the connect) and SQLite (the per-table PRAGMAs, with
//! the open). Run with `cargo bench --bench reflect`; PostgreSQL is `SQLCORE_TEST_PG_URL`
//! (default `postgresql://postgres@127.0.0.1:5432/test`).
//!
//! `cargo bench --bench reflect -- count sqlite CASE N` reflects a SQLite file of N such tables
//! once by CASE (`raw`: the pragmas; `core`: `MetaData::reflect`) inside `measured`, for
//! counting instructions, which load on the machine does not move: `valgrind --tool=callgrind
//! --collect-atstart=no --toggle-collect='*measured*'`; the difference between two values of
//! N, divided by theirs, is the cost of one table.

mod common;
#[path = "../tests/common/wide.rs"]
mod wide;

use sqlcore::*;
use std::hint::black_box;
use std::time::Duration;

const TABLES: usize = 300;
const ROUNDS: usize = 7;

/// A SQLite file of `tables` wide tables in a directory of its own (removed when dropped).
struct WideFile(std::path::PathBuf);

impl WideFile {
    fn create(tables: usize) -> Self {
        let dir =
            std::env::temp_dir().join(format!("sqlcore-bench-reflect-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let setup = rusqlite::Connection::open(dir.join("wide.db")).unwrap();
        setup
            .execute_batch(&wide::wide_schema_sql(None, tables))
            .unwrap();
        WideFile(dir)
    }

    fn path(&self) -> std::path::PathBuf {
        self.0.join("wide.db")
    }

    fn url(&self) -> String {
        format!("sqlite:///{}", self.path().display())
    }
}

impl Drop for WideFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Reflects once (the only code counted with `--toggle-collect='*measured*'`).
#[inline(never)]
fn measured(reflect: impl FnOnce() -> usize) -> usize {
    reflect()
}

/// `-- count sqlite CASE N` (see the module's doc).
fn count(backend: &str, case: &str, tables: usize) {
    assert_eq!(backend, "sqlite", "only SQLite counts in-process");
    let file = WideFile::create(tables);
    let found = match case {
        "raw" => measured(|| raw_sqlite(&file.path())),
        "core" => measured(|| core_reflect(&file.url(), None, tables)),
        other => panic!("unknown case {other:?}: raw or core"),
    };
    black_box(found);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn row(name: &str, raw: Duration, core: Duration) {
    println!(
        "| {name} | {:.1} ms | {:.1} ms | {:.2}× |",
        ms(raw),
        ms(core),
        core.as_secs_f64() / raw.as_secs_f64()
    );
}

/// sqlcore: a new engine, then `MetaData::reflect` of the schema.
fn core_reflect(url: &str, schema: Option<&str>, tables: usize) -> usize {
    let engine = create_engine(url).unwrap();
    let mut md = MetaData::new();
    let options = match schema {
        Some(s) => ReflectOptions::new().schema(s),
        None => ReflectOptions::new(),
    };
    md.reflect_with(&engine, &options).unwrap();
    assert_eq!(md.len(), tables);
    md.len()
}

/// The bare PostgreSQL catalog queries: tables, columns, constraints and indexes of the
/// schema, every row read.
const PG_QUERIES: [&str; 4] = [
    "SELECT c.relname::text, obj_description(c.oid, 'pg_class') FROM pg_class c \
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') \
     ORDER BY c.relname",
    "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
     pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, ds.description \
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
     LEFT JOIN pg_description ds ON ds.objoid = c.oid \
        AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum \
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
     ORDER BY c.relname, a.attnum",
    "SELECT c.relname::text, con.conname::text, con.contype::text, \
     ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord) \
        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord), \
     rn.nspname::text, rc.relname::text, \
     ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord) \
        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord), \
     con.confdeltype::text, con.confupdtype::text, pg_get_expr(con.conbin, con.conrelid, true) \
     FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_class rc ON rc.oid = con.confrelid \
     LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace \
     WHERE n.nspname = $1 AND con.contype IN ('p', 'u', 'f', 'c') ORDER BY c.relname, con.conname",
    "SELECT c.relname::text, ic.relname::text, i.indisunique, \
     ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k \
        ORDER BY k), pg_get_expr(i.indpred, i.indrelid, true) \
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
     JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = $1 AND i.indexrelid NOT IN (SELECT con.conindid FROM pg_constraint con \
        WHERE con.contype IN ('p', 'u', 'x')) \
     ORDER BY c.relname, ic.relname",
];

fn raw_postgres(url: &str, schema: &str) -> usize {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let mut values = 0;
    for sql in PG_QUERIES {
        for row in client.query(sql, &[&schema]).unwrap() {
            for (i, column) in row.columns().iter().enumerate() {
                match *column.type_() {
                    postgres::types::Type::BOOL => {
                        black_box(row.get::<_, Option<bool>>(i));
                    }
                    postgres::types::Type::TEXT_ARRAY => {
                        black_box(row.get::<_, Option<Vec<String>>>(i));
                    }
                    _ => {
                        black_box(row.get::<_, Option<&str>>(i));
                    }
                }
                values += 1;
            }
        }
    }
    values
}

/// The bare SQLite pragmas: the tables, then per table its columns, foreign keys, indexes and
/// each index's columns, every row read.
fn raw_sqlite(path: &std::path::Path) -> usize {
    let conn = rusqlite::Connection::open(path).unwrap();
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut values = 0;
    let mut read = |sql: &str, arg: &str| -> Vec<String> {
        let mut stmt = conn.prepare_cached(sql).unwrap();
        let count = stmt.column_count();
        let mut rows = stmt.query([arg]).unwrap();
        let mut first = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..count {
                values += black_box(row.get_ref(i).unwrap().as_bytes().map_or(1, <[u8]>::len));
            }
            if let Ok(name) = row.get::<_, String>(1) {
                first.push(name);
            }
        }
        first
    };
    for name in &names {
        read("SELECT * FROM pragma_table_xinfo(?1)", name);
        read("SELECT * FROM pragma_foreign_key_list(?1)", name);
        for index in read("SELECT * FROM pragma_index_list(?1)", name) {
            read("SELECT * FROM pragma_index_xinfo(?1)", &index);
        }
    }
    values
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, backend, case, n, ..] = args.as_slice()
        && flag == "count"
    {
        count(backend, case, n.parse().expect("N: a table count"));
        return;
    }
    println!("Reflecting {TABLES} tables into a MetaData, best of {ROUNDS} alternating rounds\n");
    println!("| benchmark | raw driver | sqlcore | ratio (time) |");
    println!("|---|---|---|---|");

    let file = WideFile::create(TABLES);
    let (raw, core) = common::compare(
        ROUNDS,
        || {
            black_box(raw_sqlite(&file.path()));
        },
        || {
            black_box(core_reflect(&file.url(), None, TABLES));
        },
    );
    row(
        "SQLite: PRAGMAs per table vs `MetaData::reflect`",
        raw,
        core,
    );
    drop(file);

    let pg_url = std::env::var("SQLCORE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".to_owned());
    let Ok(mut client) = postgres::Client::connect(&pg_url, postgres::NoTls) else {
        println!("| PostgreSQL: {pg_url} unreachable, skipped | | | |");
        return;
    };
    let schema = format!("bench_reflect_{}", std::process::id());
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; {}",
            wide::wide_schema_sql(Some(&schema), TABLES)
        ))
        .unwrap();
    let (raw, core) = common::compare(
        ROUNDS,
        || {
            black_box(raw_postgres(&pg_url, &schema));
        },
        || {
            black_box(core_reflect(&pg_url, Some(&schema), TABLES));
        },
    );
    row(
        "PostgreSQL: catalog queries vs `MetaData::reflect` (with connect)",
        raw,
        core,
    );
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}
