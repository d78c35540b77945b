//! Bulk inserts on a SQLite file: `execute_many(insert(t), rows)` and the same with
//! `RETURNING id`, against raw `rusqlite`'s fastest path (one cached prepared statement
//! executed per row, in one transaction). Two sizes, 10,000 and 100,000 rows, so the slope
//! shows; best of 5 alternating rounds. Run with `cargo bench --bench sqlite_insert`.
//!
//! `cargo bench --bench sqlite_insert -- count CASE N` inserts N rows once by CASE (`raw`,
//! `many`, `returning`) inside `measured`, for counting instructions, which load on the
//! machine does not move: `valgrind --tool=callgrind --collect-atstart=no
//! --toggle-collect='*measured*'`; the difference between two values of N, divided by theirs,
//! is the cost of one row.

mod common;

use common::compare;
use sqlcore::*;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

const ROUNDS: usize = 5;
const CREATE: &str =
    "CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL, score REAL NOT NULL)";
const INSERT: &str = "INSERT INTO items (label, score) VALUES (?1, ?2)";

/// The benchmark's SQLite file (with its journal), removed when dropped.
struct SqliteFile(PathBuf);

impl Drop for SqliteFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let _ = std::fs::remove_file(self.0.with_extension("db-journal"));
    }
}

/// An empty `items` table in a file of its own, the raw connection, an engine on the same
/// file and the table as sqlcore describes it.
fn setup() -> (SqliteFile, rusqlite::Connection, Engine, Table) {
    let path =
        std::env::temp_dir().join(format!("sqlcore_sqlite_insert_{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let raw = rusqlite::Connection::open(&path).expect("open");
    raw.execute_batch(CREATE).expect("set up");
    let engine = create_engine(&format!("sqlite:///{}", path.display())).expect("engine");
    let items = Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("label", SqlType::Text).not_null())
        .column(Column::new("score", SqlType::Float).not_null());
    (SqliteFile(path), raw, engine, items)
}

fn labels(rows: usize) -> Vec<String> {
    (0..rows).map(|i| format!("item {i}")).collect()
}

/// Raw rusqlite: one transaction, one cached statement executed per row; rolled back.
fn raw_insert(raw: &mut rusqlite::Connection, labels: &[String]) {
    let tx = raw.transaction().unwrap();
    {
        let mut stmt = tx.prepare_cached(INSERT).unwrap();
        for (i, label) in labels.iter().enumerate() {
            stmt.execute(rusqlite::params![label, i as f64 * 0.5])
                .unwrap();
        }
    }
    tx.rollback().unwrap();
}

fn rows(labels: &[String]) -> impl Iterator<Item = Params> + '_ {
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| params! { "label" => label.as_str(), "score" => i as f64 * 0.5 })
}

/// `execute_many(insert(items))` in one transaction; rolled back.
fn core_insert(engine: &Engine, items: &Table, labels: &[String]) {
    let mut tx = engine.begin().unwrap();
    let n = tx
        .execute_many(insert(items), rows(labels))
        .unwrap()
        .rowcount();
    assert_eq!(n, labels.len() as i64);
    tx.rollback().unwrap();
}

/// The same with `RETURNING id`, the ids read back in input order; rolled back.
fn core_returning(engine: &Engine, items: &Table, labels: &[String]) {
    let mut tx = engine.begin().unwrap();
    let ids: Vec<i64> = tx
        .execute_many(insert(items).returning([items.c("id")]), rows(labels))
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(black_box(ids).len(), labels.len());
    tx.rollback().unwrap();
}

fn rate(rows: usize, d: Duration) -> f64 {
    rows as f64 / d.as_secs_f64()
}

fn run(size: usize) {
    let (_file, mut raw, engine, items) = setup();
    let labels = labels(size);
    let (raw_many, core_many) = compare(
        ROUNDS,
        || raw_insert(&mut raw, &labels),
        || core_insert(&engine, &items, &labels),
    );
    let (raw_ret, core_ret) = compare(
        ROUNDS,
        || raw_insert(&mut raw, &labels),
        || core_returning(&engine, &items, &labels),
    );
    let raw_best = raw_many.min(raw_ret);
    println!(
        "{size} rows, rows/s: raw prepared loop {:.0}, execute_many {:.0} ({:.2}x raw's speed), \
         with RETURNING {:.0} ({:.2}x raw's speed; its time {:.2}x execute_many's)",
        rate(size, raw_best),
        rate(size, core_many),
        raw_many.as_secs_f64() / core_many.as_secs_f64(),
        rate(size, core_ret),
        raw_ret.as_secs_f64() / core_ret.as_secs_f64(),
        core_ret.as_secs_f64() / core_many.as_secs_f64(),
    );
}

/// Inserts the rows once (the only code counted with `--toggle-collect='*measured*'`).
#[inline(never)]
fn measured(insert: impl FnOnce()) {
    insert();
}

/// `-- count CASE N` (see the module's doc).
fn count(case: &str, size: usize) {
    let (_file, mut raw, engine, items) = setup();
    let labels = labels(size);
    match case {
        "raw" => measured(|| raw_insert(&mut raw, &labels)),
        "many" => measured(|| core_insert(&engine, &items, &labels)),
        "returning" => measured(|| core_returning(&engine, &items, &labels)),
        other => panic!("unknown case {other:?}: raw, many or returning"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, case, n, ..] = args.as_slice()
        && flag == "count"
    {
        count(case, n.parse().expect("N: a row count"));
        return;
    }
    for size in [10_000, 100_000] {
        run(size);
    }
}
