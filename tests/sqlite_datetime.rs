//! Dates and times on SQLite are text in SQLAlchemy's storage format
//! (`2024-03-01 12:30:15.000000`, `2024-03-01`, `12:30:15.000000`): rows another tool wrote
//! in that format (here raw `rusqlite`) are found by equality and ranges, sort with the rows
//! sqlcore writes, and every path sqlcore writes by stores the same bytes. Other ISO 8601
//! forms read too.
#![cfg(feature = "sqlite")]

mod common;

use common::backend::TestDb;
use sqlcore::chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use sqlcore::*;

/// The database file behind a SQLite test URL.
fn raw(b: &TestDb) -> rusqlite::Connection {
    let url = b.url();
    rusqlite::Connection::open(url.strip_prefix("sqlite:///").unwrap()).unwrap()
}

/// The table as SQLAlchemy would create it: both DateTime kinds are `DATETIME`.
const CREATE: &str = "CREATE TABLE ev (id INTEGER PRIMARY KEY, at DATETIME, at_tz DATETIME, \
                      d DATE, t TIME)";

fn ev() -> Table {
    Table::new("ev")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("at", SqlType::DATETIME))
        .column(Column::new("at_tz", SqlType::DATETIME_TZ))
        .column(Column::new("d", SqlType::Date))
        .column(Column::new("t", SqlType::TIME))
}

fn ts(d: u32, h: u32, m: u32, s: u32, micro: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 3, d)
        .unwrap()
        .and_hms_micro_opt(h, m, s, micro)
        .unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, d).unwrap()
}

/// A fresh database with `ev` and the rows SQLAlchemy would have written for `at`.
fn with_sqlalchemy_rows(name: &str) -> (TestDb, Engine) {
    let b = TestDb::sqlite(name);
    let c = raw(&b);
    c.execute_batch(CREATE).unwrap();
    for (id, at) in [
        (1, "2024-02-29 23:59:59.999999"),
        (2, "2024-03-01 00:00:00.000000"),
        (3, "2024-03-01 12:30:15.000000"),
        (4, "2024-03-02 00:00:00.000000"),
        (5, "2024-03-02 23:59:59.999999"),
        (6, "2024-03-03 00:00:00.000000"),
    ] {
        c.execute("INSERT INTO ev (id, at) VALUES (?1, ?2)", (id, at))
            .unwrap();
    }
    let engine = create_engine(&b.url()).unwrap();
    (b, engine)
}

fn ids(conn: &mut Connection, filter: Expr) -> Vec<i64> {
    let t = ev();
    conn.execute(
        select([t.c("id")])
            .filter(filter)
            .order_by([t.c("id").asc()]),
        (),
    )
    .unwrap()
    .scalars::<i64>()
    .all()
    .unwrap()
}

#[test]
fn sqlalchemy_rows_are_found_by_equality_and_ranges() {
    let (_b, engine) = with_sqlalchemy_rows("dt_ranges");
    let mut conn = engine.connect().unwrap();
    let t = ev();
    let at = || t.c("at");
    assert_eq!(ids(&mut conn, at().eq(ts(1, 12, 30, 15, 0))), [3]);
    assert_eq!(ids(&mut conn, at().eq(ts(2, 23, 59, 59, 999_999))), [5]);
    assert_eq!(ids(&mut conn, at().ne(ts(1, 0, 0, 0, 0))), [1, 3, 4, 5, 6]);
    // A boundary day, half open and closed.
    let march_1 = at().ge(ts(1, 0, 0, 0, 0)).and(at().lt(ts(2, 0, 0, 0, 0)));
    assert_eq!(ids(&mut conn, march_1), [2, 3]);
    assert_eq!(
        ids(
            &mut conn,
            at().between(ts(1, 0, 0, 0, 0), ts(2, 0, 0, 0, 0))
        ),
        [2, 3, 4]
    );
    assert_eq!(ids(&mut conn, at().gt(ts(1, 0, 0, 0, 0))), [3, 4, 5, 6]);
    assert_eq!(ids(&mut conn, at().le(ts(2, 0, 0, 0, 0))), [1, 2, 3, 4]);
    // A date meeting a DateTime is its midnight, as SQLAlchemy binds it.
    assert_eq!(ids(&mut conn, at().le(day(2))), [1, 2, 3, 4]);
    assert_eq!(ids(&mut conn, at().eq(day(3))), [6]);
}

#[test]
fn rows_written_by_sqlcore_and_by_sqlalchemy_sort_together() {
    let (b, engine) = with_sqlalchemy_rows("dt_order");
    let c = raw(&b);
    c.execute_batch(
        "UPDATE ev SET at_tz = '2024-03-01 08:00:00.000000' WHERE id = 1; \
         UPDATE ev SET at_tz = '2024-03-01 10:00:00.000000' WHERE id = 2;",
    )
    .unwrap();
    let mut conn = engine.connect().unwrap();
    let t = ev();
    let nine_utc = FixedOffset::east_opt(2 * 3600)
        .unwrap()
        .with_ymd_and_hms(2024, 3, 1, 11, 0, 0)
        .unwrap();
    conn.execute(
        insert(&t).values(
            params! { "id" => 10, "at" => ts(1, 12, 30, 14, 500_000), "at_tz" => nine_utc },
        ),
        (),
    )
    .unwrap();
    conn.execute(
        insert(&t).values(params! { "id" => 11, "at" => ts(2, 0, 0, 0, 1) }),
        (),
    )
    .unwrap();
    conn.commit().unwrap();
    let order = |conn: &mut Connection, col: &str| -> Vec<i64> {
        conn.execute(
            select([t.c("id")])
                .filter(t.c(col).is_not_null())
                .order_by([t.c(col).asc()]),
            (),
        )
        .unwrap()
        .scalars::<i64>()
        .all()
        .unwrap()
    };
    assert_eq!(order(&mut conn, "at"), [1, 2, 10, 3, 4, 11, 5, 6]);
    assert_eq!(order(&mut conn, "at_tz"), [1, 10, 2]);
}

/// The text SQLite holds for row `id`'s columns, after `typeof` says each is text.
fn stored(c: &rusqlite::Connection, id: i64) -> [Option<String>; 4] {
    c.query_row(
        "SELECT typeof(at), at, typeof(at_tz), at_tz, typeof(d), d, typeof(t), t \
         FROM ev WHERE id = ?1",
        [id],
        |r| {
            let mut out: [Option<String>; 4] = Default::default();
            for (i, slot) in out.iter_mut().enumerate() {
                let kind: String = r.get(2 * i)?;
                *slot = r.get(2 * i + 1)?;
                assert!(
                    kind == "text" || kind == "null",
                    "row {id} column {i} stored as {kind}"
                );
            }
            Ok(out)
        },
    )
    .unwrap()
}

fn texts(v: [&str; 4]) -> [Option<String>; 4] {
    v.map(|s| Some(s.to_owned()))
}

#[test]
fn sqlcore_writes_sqlalchemys_bytes_on_every_path() {
    let b = TestDb::sqlite("dt_bytes");
    raw(&b).execute_batch(CREATE).unwrap();
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let t = ev();
    let aware = Utc.with_ymd_and_hms(2024, 7, 1, 9, 0, 0).unwrap();
    let row = |id: i64, at: NaiveDateTime| {
        params! {
            "id" => id, "at" => at, "at_tz" => aware, "d" => at.date(), "t" => at.time(),
        }
    };
    let nanos = ts(1, 12, 30, 15, 0) + chrono::Duration::nanoseconds(123_456_789);
    conn.execute(insert(&t).values(row(1, ts(1, 12, 30, 15, 0))), ())
        .unwrap();
    conn.execute(insert(&t).values(row(2, nanos)), ()).unwrap();
    conn.execute_many(
        insert(&t),
        [
            row(3, ts(2, 0, 0, 0, 0)),
            row(4, ts(2, 23, 59, 59, 999_999)),
        ],
    )
    .unwrap();
    conn.execute(
        text("INSERT INTO ev (id, at, at_tz, d, t) VALUES (5, :at, :tz, :d, :t)"),
        params! {
            "at" => ts(1, 0, 0, 0, 0), "tz" => aware,
            "d" => day(1), "t" => NaiveTime::from_hms_opt(12, 30, 15).unwrap(),
        },
    )
    .unwrap();
    conn.execute_many(
        text("INSERT INTO ev (id, at) VALUES (:id, :at)"),
        [
            params! { "id" => 6, "at" => ts(3, 1, 2, 3, 4) },
            params! { "id" => 7, "at" => ts(3, 1, 2, 3, 40) },
        ],
    )
    .unwrap();
    // A timestamp meeting a Date is its date, as SQLAlchemy's DATE binds a datetime. An
    // aware value with another offset is its UTC wall clock: it became UTC as a `Value`
    // (SQLAlchemy would store 11:00, the offset's wall clock, and lose the instant).
    let plus_two = FixedOffset::east_opt(2 * 3600)
        .unwrap()
        .with_ymd_and_hms(2024, 7, 1, 11, 0, 0)
        .unwrap();
    conn.execute(
        insert(&t).values(params! { "id" => 8, "d" => ts(4, 5, 6, 7, 8), "at_tz" => plus_two }),
        (),
    )
    .unwrap();
    // An UPDATE's SET and WHERE.
    conn.execute(
        update(&t)
            .filter(t.c("at").eq(ts(3, 1, 2, 3, 40)))
            .values(params! { "at" => ts(3, 4, 5, 6, 0) }),
        (),
    )
    .unwrap();
    conn.commit().unwrap();
    drop(conn);

    let c = raw(&b);
    let tz = "2024-07-01 09:00:00.000000";
    assert_eq!(
        stored(&c, 1),
        texts([
            "2024-03-01 12:30:15.000000",
            tz,
            "2024-03-01",
            "12:30:15.000000"
        ])
    );
    // Microseconds, as SQLAlchemy (Python) keeps: finer digits are truncated.
    assert_eq!(
        stored(&c, 2),
        texts([
            "2024-03-01 12:30:15.123456",
            tz,
            "2024-03-01",
            "12:30:15.123456"
        ])
    );
    assert_eq!(
        stored(&c, 3),
        texts([
            "2024-03-02 00:00:00.000000",
            tz,
            "2024-03-02",
            "00:00:00.000000"
        ])
    );
    assert_eq!(
        stored(&c, 4),
        texts([
            "2024-03-02 23:59:59.999999",
            tz,
            "2024-03-02",
            "23:59:59.999999"
        ])
    );
    assert_eq!(
        stored(&c, 5),
        texts([
            "2024-03-01 00:00:00.000000",
            tz,
            "2024-03-01",
            "12:30:15.000000"
        ])
    );
    assert_eq!(
        stored(&c, 6)[0].as_deref(),
        Some("2024-03-03 01:02:03.000004")
    );
    assert_eq!(
        stored(&c, 7)[0].as_deref(),
        Some("2024-03-03 04:05:06.000000")
    );
    assert_eq!(stored(&c, 8)[1].as_deref(), Some(tz));
    assert_eq!(stored(&c, 8)[2].as_deref(), Some("2024-03-04"));
}

#[test]
fn ddl_defaults_are_written_in_the_storage_format() {
    let b = TestDb::sqlite("dt_ddl");
    let engine = create_engine(&b.url()).unwrap();
    let mut metadata = MetaData::new();
    metadata
        .add(
            Table::new("ev")
                .column(Column::new("id", SqlType::Integer).primary_key())
                .column(Column::new("at", SqlType::DATETIME).server_default(ts(1, 12, 30, 15, 0)))
                .column(
                    Column::new("at_tz", SqlType::DATETIME_TZ)
                        .server_default(Utc.from_utc_datetime(&ts(1, 9, 0, 0, 0))),
                )
                .column(Column::new("d", SqlType::Date).server_default(day(1)))
                .column(
                    Column::new("t", SqlType::TIME)
                        .server_default(NaiveTime::from_hms_opt(8, 0, 0).unwrap()),
                ),
        )
        .unwrap();
    metadata.create_all(&engine).unwrap();
    let c = raw(&b);
    c.execute("INSERT INTO ev (id) VALUES (1)", ()).unwrap();
    assert_eq!(
        stored(&c, 1),
        texts([
            "2024-03-01 12:30:15.000000",
            "2024-03-01 09:00:00.000000",
            "2024-03-01",
            "08:00:00.000000"
        ])
    );
}

#[test]
fn other_writers_forms_read() {
    let b = TestDb::sqlite("dt_forms");
    let c = raw(&b);
    c.execute_batch(CREATE).unwrap();
    let forms = [
        ("2024-03-01 12:30:15.000000", ts(1, 12, 30, 15, 0)),
        ("2024-03-01 12:30:15", ts(1, 12, 30, 15, 0)),
        ("2024-03-01T12:30:15", ts(1, 12, 30, 15, 0)),
        ("2024-03-01 12:30", ts(1, 12, 30, 0, 0)),
        ("2024-03-01 12:30:15.5", ts(1, 12, 30, 15, 500_000)),
        ("2024-03-01T12:30:15.123Z", ts(1, 12, 30, 15, 123_000)),
        ("2024-03-01T14:30:15+02:00", ts(1, 12, 30, 15, 0)),
        ("2024-03-01 07:30:15-0500", ts(1, 12, 30, 15, 0)),
        ("2024-03-01", ts(1, 0, 0, 0, 0)),
    ];
    for (id, (text, _)) in forms.iter().enumerate() {
        c.execute(
            "INSERT INTO ev (id, at, at_tz) VALUES (?1, ?2, ?2)",
            (id as i64, text),
        )
        .unwrap();
    }
    c.execute_batch(
        "INSERT INTO ev (id, d, t) VALUES (100, '2024-03-01', '12:30'), \
         (101, '2024-03-01', '12:30:15'), (102, '2024-03-01', '12:30:15.250000');",
    )
    .unwrap();
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let t = ev();
    let rows = conn
        .execute(
            select([t.c("at"), t.c("at_tz")])
                .filter(t.c("id").lt(100))
                .order_by([t.c("id").asc()]),
            (),
        )
        .unwrap()
        .all()
        .unwrap();
    for ((text, want), row) in forms.iter().zip(&rows) {
        // An offset is converted to UTC, in a naive column as in an aware one.
        assert_eq!(row["at"], Value::Timestamp(*want), "{text}");
        assert_eq!(row["at_tz"], Value::TimestampTz(want.and_utc()), "{text}");
    }
    let times = conn
        .execute(
            select([t.c("d"), t.c("t")])
                .filter(t.c("id").ge(100))
                .order_by([t.c("id").asc()]),
            (),
        )
        .unwrap()
        .all()
        .unwrap();
    let time = |h, m, s, milli| NaiveTime::from_hms_milli_opt(h, m, s, milli).unwrap();
    for (row, want) in times.iter().zip([
        time(12, 30, 0, 0),
        time(12, 30, 15, 0),
        time(12, 30, 15, 250),
    ]) {
        assert_eq!(row["d"], Value::Date(day(1)));
        assert_eq!(row["t"], Value::Time(want));
    }
    // Untyped text (a text() query) converts when asked for a date or time type.
    let row = conn
        .execute(text("SELECT at, at_tz, d, t FROM ev WHERE id = 0"), ())
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(
        row.get::<NaiveDateTime>("at").unwrap(),
        ts(1, 12, 30, 15, 0)
    );
    assert_eq!(
        row.get::<DateTime<Utc>>("at_tz").unwrap(),
        ts(1, 12, 30, 15, 0).and_utc()
    );
    let row = conn
        .execute(text("SELECT d, t FROM ev WHERE id = 102"), ())
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row.get::<NaiveDate>("d").unwrap(), day(1));
    assert_eq!(row.get::<NaiveTime>("t").unwrap(), time(12, 30, 15, 250));
}

#[test]
fn current_timestamp_defaults_read() {
    let b = TestDb::sqlite("dt_current");
    let c = raw(&b);
    c.execute_batch(
        "CREATE TABLE stamp (id INTEGER PRIMARY KEY, \
         at DATETIME DEFAULT CURRENT_TIMESTAMP, d DATE DEFAULT CURRENT_DATE, \
         t TIME DEFAULT CURRENT_TIME); INSERT INTO stamp (id) VALUES (1);",
    )
    .unwrap();
    let engine = create_engine(&b.url()).unwrap();
    let mut metadata = MetaData::new();
    let stamp = Table::autoload("stamp", &mut metadata, &engine).unwrap();
    let mut conn = engine.connect().unwrap();
    let row = conn.execute(select(&stamp), ()).unwrap().one().unwrap();
    let at = row.get::<NaiveDateTime>("at").unwrap();
    let now = Utc::now().naive_utc();
    assert!((now - at).num_seconds().abs() < 60, "{at} vs {now}");
    assert_eq!(row.get::<NaiveDate>("d").unwrap(), at.date());
    assert!(matches!(row["t"], Value::Time(_)), "{:?}", row["t"]);
}

/// SQLAlchemy creates both DateTime kinds as `DATETIME` on SQLite, so reflection cannot tell
/// them apart: `DATETIME` reflects naive, `TIMESTAMP` (what sqlcore creates for
/// `timezone = true`) aware. A reflected column round-trips values in the storage format.
#[test]
fn reflected_datetime_columns_round_trip() {
    let (b, engine) = with_sqlalchemy_rows("dt_reflect");
    raw(&b)
        .execute_batch("CREATE TABLE made (id INTEGER PRIMARY KEY, at DATETIME, at_tz TIMESTAMP)")
        .unwrap();
    let mut metadata = MetaData::new();
    metadata.reflect(&engine).unwrap();
    let ev = metadata.table("ev").unwrap().clone();
    let made = metadata.table("made").unwrap();
    let ty = |t: &Table, c: &str| t.get_column(c).unwrap().sql_type.clone();
    assert_eq!(ty(&ev, "at"), SqlType::DATETIME);
    assert_eq!(
        ty(&ev, "at_tz"),
        SqlType::DATETIME,
        "SQLAlchemy's aware DateTime is DATETIME too: the flag is lost"
    );
    assert_eq!(ty(made, "at"), SqlType::DATETIME);
    assert_eq!(ty(made, "at_tz"), SqlType::DATETIME_TZ);

    let mut conn = engine.connect().unwrap();
    let at = ts(5, 6, 7, 8, 9);
    conn.execute(insert(&ev).values(params! { "id" => 20, "at" => at }), ())
        .unwrap();
    let back: NaiveDateTime = conn
        .execute(select([ev.c("at")]).filter(ev.c("at").eq(at)), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(back, at);
    let existing: i64 = conn
        .execute(
            select([ev.c("id")]).filter(ev.c("at").eq(ts(1, 12, 30, 15, 0))),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(existing, 3);
    conn.commit().unwrap();
    let text: String = raw(&b)
        .query_row("SELECT at FROM ev WHERE id = 20", [], |r| r.get(0))
        .unwrap();
    assert_eq!(text, "2024-03-05 06:07:08.000009");
}

/// Intervals too are stored as SQLAlchemy stores them: its `Interval` is the timestamp that
/// far past 1970-01-01. The texts below are what SQLAlchemy 2.1 wrote for
/// `timedelta(days=3, seconds=4.5)`, `timedelta(seconds=-1)` and
/// `timedelta(days=-400, microseconds=7)`; sqlcore reads them, writes the same bytes on every
/// path, finds them by equality, still reads the ISO 8601 durations it wrote before, and
/// refuses an interval with months (no fixed length) rather than store another span.
#[test]
fn intervals_are_stored_as_sqlalchemy_stores_them() {
    let b = TestDb::sqlite("dt_interval");
    let c = raw(&b);
    c.execute_batch(
        "CREATE TABLE spans (id INTEGER PRIMARY KEY, span INTERVAL);
         INSERT INTO spans VALUES (1, '1970-01-04 00:00:04.500000'),
             (2, '1969-12-31 23:59:59.000000'), (3, '1968-11-27 00:00:00.000007'),
             (4, 'P0M3DT4.5S')",
    )
    .unwrap();
    let spans = Table::new("spans")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("span", SqlType::INTERVAL));
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let read: Vec<Interval> = conn
        .execute(select([spans.c("span")]).order_by(spans.c("id")), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    // Whole days (toward zero) and the microseconds that remain: the same spans.
    let three_days = Interval::new(0, 3, 4_500_000);
    let second_back = Interval::new(0, 0, -1_000_000);
    assert_eq!(
        read,
        [
            three_days,
            second_back,
            Interval::new(0, -399, -86_399_999_993),
            three_days,
        ]
    );
    let found: Vec<i64> = conn
        .execute(
            select([spans.c("id")])
                .filter(spans.c("span").eq(three_days))
                .order_by(spans.c("id")),
            (),
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(found, [1], "the ISO 8601 text is another string");

    // Written one by one and as a batch, the same bytes as SQLAlchemy's.
    conn.execute(insert(&spans), params! { "id" => 10, "span" => three_days })
        .unwrap();
    conn.execute_many(
        insert(&spans),
        [
            params! { "id" => 11, "span" => second_back },
            params! { "id" => 12, "span" => Interval::new(0, -400, 7) },
        ],
    )
    .unwrap();
    let err = conn
        .execute(
            insert(&spans),
            params! { "id" => 13, "span" => Interval::new(1, 0, 0) },
        )
        .unwrap_err();
    let db = err.as_db_error().expect("a database error");
    assert_eq!(db.kind, DbErrorKind::Data, "{err}");
    assert!(err.to_string().contains("no fixed length"), "{err}");
    let err = conn
        .execute(
            insert(&spans),
            params! { "id" => 13, "span" => Interval::new(0, 3_000_000, 0) },
        )
        .unwrap_err();
    assert!(err.to_string().contains("years 1 to 9999"), "{err}");
    // Read without a type (text()), the stored text converts as well.
    let untyped: Vec<Interval> = conn
        .execute(
            text("SELECT span FROM spans WHERE id IN (1, 4) ORDER BY id"),
            (),
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(untyped, [three_days, three_days]);
    conn.commit().unwrap();
    let stored: Vec<(i64, String)> = c
        .prepare("SELECT id, span FROM spans WHERE id >= 10 ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        stored,
        [
            (10, "1970-01-04 00:00:04.500000".to_owned()),
            (11, "1969-12-31 23:59:59.000000".to_owned()),
            (12, "1968-11-27 00:00:00.000007".to_owned()),
        ]
    );
}
