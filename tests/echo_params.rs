//! The echo log shows long bound values, long parameter lists and many executemany sets
//! shortened as SQLAlchemy does (`... (N characters truncated) ...`, `... N parameters
//! truncated ...`, `... displaying 10 of N total bound parameter sets ...`), and every
//! statement whole.
#![cfg(feature = "sqlite")]

mod common;

use sqlcore::*;

/// The longest log line allowed, the statement's own line aside.
const MAX_LINE: usize = 4_000;

fn echoing() -> Engine {
    Engine::builder("sqlite://").echo(true).build().unwrap()
}

/// The one line of `log` that shows parameters; every other line but the statement's is
/// short too.
fn parameter_line<'a>(log: &'a str, sql: &str) -> &'a str {
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("[parameters: "))
        .collect();
    assert_eq!(lines.len(), 1, "{}", &log[..log.len().min(MAX_LINE)]);
    assert!(log.contains(sql), "the statement is not whole in the log");
    for line in log.lines().filter(|l| !l.contains(sql)) {
        assert!(
            line.chars().count() < MAX_LINE,
            "a line of {} characters: {}...",
            line.chars().count(),
            line.chars().take(400).collect::<String>()
        );
    }
    lines[0]
}

/// Characters of `value`'s rendering beyond the 300 shown.
fn truncated(value: Value) -> usize {
    format!("{value:?}").chars().count() - 300
}

#[test]
fn a_long_text_value_is_cut_in_the_middle() {
    let big = format!("START{}END", "x€".repeat(500_000));
    let (n, log) = common::with_captured_logs(|| {
        let mut conn = echoing().connect().unwrap();
        let n: i64 = conn
            .execute(
                text("SELECT length(:big)"),
                params! { "big" => big.as_str() },
            )
            .unwrap()
            .scalar_one()
            .unwrap();
        n
    });
    assert_eq!(n, 1_000_008);
    let line = parameter_line(&log, "SELECT length(?1)");
    let cut = truncated(Value::Text(big.clone()));
    assert_eq!(cut, 1_000_008 + "Text(\"\")".len() - 300);
    let head: String = format!("Text(\"START{}", "x€".repeat(100))
        .chars()
        .take(150)
        .collect();
    let tail: String = format!("{}END\")", "x€".repeat(100));
    let tail: String = tail.chars().skip(tail.chars().count() - 150).collect();
    assert!(
        line.ends_with(&format!(
            "[parameters: [{head} ... ({cut} characters truncated) ... {tail}]]"
        )),
        "{line}"
    );
}

#[test]
fn a_long_bytes_value_is_cut_in_the_middle() {
    let big = vec![0xABu8; 1_000_000];
    let (n, log) = common::with_captured_logs(|| {
        let mut conn = echoing().connect().unwrap();
        let n: i64 = conn
            .execute(
                text("SELECT length(:big)"),
                params! { "big" => big.clone() },
            )
            .unwrap()
            .scalar_one()
            .unwrap();
        n
    });
    assert_eq!(n, 1_000_000);
    let line = parameter_line(&log, "SELECT length(?1)");
    let cut = truncated(Value::Bytes(big));
    // `Bytes([171, 171, ..., 171])`: 3 digits and a separator of 2 per byte.
    assert_eq!(cut, "Bytes([])".len() + 1_000_000 * 5 - 2 - 300);
    assert!(
        line.contains(&format!(" ... ({cut} characters truncated) ... ")),
        "{line}"
    );
    assert!(
        line.contains("[parameters: [Bytes([171, 171, 171"),
        "{line}"
    );
    assert!(line.ends_with(", 171, 171])]]"), "{line}");
}

#[test]
fn a_long_parameter_list_shows_its_first_and_last_fifty() {
    let n = 5_000i64;
    let t = Table::new("t").column(Column::new("a", SqlType::BigInteger));
    let stmt = select([t.c("a")]).filter(t.c("a").in_((0..n).collect::<Vec<_>>()));
    // The statement as sent: the IN list expanded to 5,000 placeholders.
    let sql = stmt
        .compile(&SQLite)
        .unwrap()
        .bind(&Params::new())
        .unwrap()
        .sql
        .into_owned();
    assert!(sql.ends_with(&format!("?{n})")), "{sql}");
    let (found, log) = common::with_captured_logs(|| {
        let mut conn = echoing().connect().unwrap();
        conn.execute(text("CREATE TABLE t (a BIGINT)"), ()).unwrap();
        conn.execute(text("INSERT INTO t VALUES (4999), (5000)"), ())
            .unwrap();
        let found: Vec<i64> = conn.execute(stmt, ()).unwrap().scalars().all().unwrap();
        found
    });
    assert_eq!(found, [4999]);
    let log: String = log
        .lines()
        .filter(|l| !l.contains("CREATE TABLE") && !l.contains("INSERT INTO"))
        .filter(|l| !l.contains("[parameters: []]"))
        .collect::<Vec<_>>()
        .join("\n");
    let line = parameter_line(&log, &sql);
    let show = |range: std::ops::Range<i64>| {
        range
            .map(|i| format!("I64({i})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    assert!(
        line.ends_with(&format!(
            "[parameters: [{} ... 4900 parameters truncated ... {}]]",
            show(0..50),
            show(n - 50..n)
        )),
        "{line}"
    );
}

#[test]
fn executemany_shows_ten_of_its_sets() {
    let (count, log) = common::with_captured_logs(|| {
        let mut conn = echoing().connect().unwrap();
        conn.execute(text("CREATE TABLE t (a INTEGER, b TEXT)"), ())
            .unwrap();
        let rows = (0..1000i64).map(|i| params! { "a" => i, "b" => format!("row {i}") });
        let result = conn
            .execute_many(text("INSERT INTO t (a, b) VALUES (:a, :b)"), rows)
            .unwrap();
        assert_eq!(result.rowcount(), 1000);
        let count: i64 = conn
            .execute(text("SELECT count(*) FROM t"), ())
            .unwrap()
            .scalar_one()
            .unwrap();
        count
    });
    assert_eq!(count, 1000);
    let log: String = log
        .lines()
        .filter(|l| !l.contains("CREATE TABLE") && !l.contains("count(*)"))
        .filter(|l| !l.contains("[parameters: []]"))
        .collect::<Vec<_>>()
        .join("\n");
    let line = parameter_line(
        &log,
        "INSERT INTO t (a, b) VALUES (?1, ?2) [executemany: 1000 sets]",
    );
    let set = |i: i64| format!("[I64({i}), Text(\"row {i}\")]");
    let first: Vec<String> = (0..8).map(set).collect();
    assert!(
        line.ends_with(&format!(
            "[parameters: [{}  ... displaying 10 of 1000 total bound parameter sets ...  {}, {}]]",
            first.join(", "),
            set(998),
            set(999)
        )),
        "{line}"
    );
}
