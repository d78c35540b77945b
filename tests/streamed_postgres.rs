//! PostgreSQL streamed results (`stream_results`): a million rows through a server-side
//! cursor, chunks fetched ahead that never mix results or hide an error, and results that stop
//! when their connection goes back. Each test works in a schema of its own.
#![cfg(feature = "postgres")]

mod common;

use common::backend::TestDb;
use common::people::scalar;
use sqlcore::*;

fn db(name: &str) -> Option<TestDb> {
    TestDb::postgres(name)
}

#[test]
fn a_streamed_million_rows_are_counted_through_a_cursor() {
    let Some(b) = db("stream") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execution_options(
        ExecutionOptions::default()
            .stream_results(true)
            .max_row_buffer(1000),
    )
    .unwrap();
    let mut result = conn
        .execute(
            text("SELECT g AS n, 'row ' || g AS label FROM generate_series(1, 1000000) AS g"),
            (),
        )
        .unwrap();
    let mut count = 0u64;
    let mut sum = 0i64;
    for row in result.by_ref() {
        let row = row.unwrap();
        sum += i64::from(row.get::<i32>(0).unwrap());
        count += 1;
        if count == 5_000 {
            // Mid-way the rows still live on the server, in this session's cursor.
            let names: Vec<String> = conn
                .execute(
                    text("SELECT statement FROM pg_cursors WHERE NOT is_holdable"),
                    (),
                )
                .unwrap()
                .scalars()
                .all()
                .unwrap();
            assert!(
                names
                    .iter()
                    .any(|n| n.starts_with("DECLARE sqlcore_cursor_1 ")
                        && n.contains("generate_series")),
                "a server-side cursor feeds the result: {names:?}"
            );
        }
    }
    assert_eq!(count, 1_000_000);
    assert_eq!(sum, 500_000_500_000);
    drop(result);
    // Without stream_results the rows are buffered and no cursor is opened.
    conn.execution_options(ExecutionOptions::default()).unwrap();
    let n = conn
        .execute(text("SELECT g FROM generate_series(1, 10) AS g"), ())
        .unwrap()
        .all()
        .unwrap()
        .len();
    assert_eq!(n, 10);
}

#[test]
fn a_streamed_result_stops_when_its_connection_goes_back() {
    let Some(b) = db("stream_release") else {
        return;
    };
    let engine = Engine::builder(&b.url())
        .pool_size(1)
        .max_overflow(0)
        .build()
        .unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execution_options(
        ExecutionOptions::default()
            .isolation_level(IsolationLevel::Autocommit)
            .stream_results(true)
            .max_row_buffer(10),
    )
    .unwrap();
    let mut result = conn
        .execute(text("SELECT g FROM generate_series(1, 100) g"), ())
        .unwrap();
    for _ in 0..10 {
        result.fetchone().unwrap().unwrap();
    }
    drop(conn);
    let mut next = engine.connect().unwrap();
    assert!(
        matches!(result.fetchone(), Err(Error::ResourceClosed(_))),
        "the result does not read from a returned connection"
    );
    let open: i64 = next
        .execute(
            text("SELECT count(*) FROM pg_cursors WHERE name LIKE 'sqlcore_cursor_%'"),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(open, 0, "its WITH HOLD cursor was closed at checkin");
}

/// The rows of a streamed result, up to its end or its first error.
fn read_until_error(result: &mut CursorResult) -> (Vec<i32>, Option<Error>) {
    let mut rows = Vec::new();
    loop {
        match result.fetchone() {
            Ok(Some(row)) => rows.push(row.get::<i32>(0).unwrap()),
            Ok(None) => return (rows, None),
            Err(e) => return (rows, Some(e)),
        }
    }
}

#[test]
fn chunks_fetched_ahead_never_mix_results_or_hide_an_error() {
    let Some(b) = db("fetch_ahead") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE log (n INTEGER)"), ())
        .unwrap();
    conn.commit().unwrap();
    conn.update_execution_options(|o| o.stream_results(true).max_row_buffer(7))
        .unwrap();

    // Two streamed results read in turns, with statements of their own in between: each
    // chunk fetched ahead reaches its own result, in order.
    let mut up = conn
        .execute(text("SELECT g FROM generate_series(1, 50) g"), ())
        .unwrap();
    let mut down = conn
        .execute(text("SELECT -g FROM generate_series(1, 30) g"), ())
        .unwrap();
    let (mut got_up, mut got_down) = (Vec::new(), Vec::new());
    loop {
        let (a, b) = (up.fetchone().unwrap(), down.fetchone().unwrap());
        if a.is_none() && b.is_none() {
            break;
        }
        if let Some(row) = a {
            let n: i32 = row.get(0).unwrap();
            conn.execute(text("INSERT INTO log VALUES (:n)"), params! { "n" => n })
                .unwrap();
            got_up.push(n);
        }
        if let Some(row) = b {
            got_down.push(row.get::<i32>(0).unwrap());
        }
    }
    assert_eq!(got_up, (1..=50).collect::<Vec<_>>());
    assert_eq!(got_down, (1..=30).map(|g| -g).collect::<Vec<_>>());
    drop((up, down));
    conn.commit().unwrap();
    let logged: i64 = scalar(&mut conn, "SELECT count(*) FROM log");
    assert_eq!(logged, 50);
    conn.commit().unwrap();

    // Row 15 divides by zero. Read on, the error is the server's, at the row it belongs to.
    let failing = "SELECT 10 / (15 - g) FROM generate_series(1, 30) g";
    let mut result = conn.execute(text(failing), ()).unwrap();
    let (rows, err) = read_until_error(&mut result);
    assert_eq!(rows.len(), 14);
    let err = err.expect("the division by zero");
    assert_eq!(
        err.as_db_error().and_then(|e| e.sqlstate.as_deref()),
        Some("22012"),
        "{err}"
    );
    drop(result);
    conn.rollback().unwrap();

    // Read only into the second chunk, the third (with row 15) was already asked for and
    // failed on the server, aborting the transaction: COMMIT says so rather than letting
    // PostgreSQL roll the transaction back silently — whether the result is still open or
    // was dropped (closing its cursor) before.
    for drop_first in [false, true] {
        conn.execute(text("INSERT INTO log VALUES (0)"), ())
            .unwrap();
        let mut result = conn.execute(text(failing), ()).unwrap();
        for _ in 0..8 {
            result.fetchone().unwrap().unwrap();
        }
        let result = if drop_first {
            drop(result);
            None
        } else {
            Some(result)
        };
        let err = conn.commit().unwrap_err();
        assert_eq!(
            err.as_db_error().and_then(|e| e.sqlstate.as_deref()),
            Some("25P02"),
            "{err}"
        );
        drop(result);
        let zeros: i64 = scalar(&mut conn, "SELECT count(*) FROM log WHERE n = 0");
        assert_eq!(zeros, 0, "the aborted transaction's insert is gone");
        conn.rollback().unwrap();
    }
}

/// A streamed result whose connection dies mid-way: the read fails, and the COMMIT that
/// follows is never sent — an error that says nothing was committed (not an unknown outcome),
/// and the connection is invalidated.
#[test]
fn a_commit_after_a_failed_stream_says_nothing_was_committed() {
    let Some(b) = db("stream_lost") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE t (x INTEGER)"), ())
        .unwrap();
    conn.commit().unwrap();
    conn.execute(text("INSERT INTO t VALUES (1)"), ()).unwrap();
    let pid: i32 = scalar(&mut conn, "SELECT pg_backend_pid()");
    let mut result = conn
        .execute(
            text("SELECT g FROM generate_series(1, 100000) AS g")
                .execution_options(|o| o.stream_results(true).max_row_buffer(10)),
            (),
        )
        .unwrap();
    assert!(result.fetchone().unwrap().is_some());
    common::pg::connect()
        .unwrap()
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap();
    let read = result.fetchall();
    assert!(read.is_err_and(|e| e.connection_invalidated()));
    let err = conn.commit().unwrap_err();
    assert!(
        matches!(&err, Error::Db(db) if db.connection_invalidated),
        "{err:?}"
    );
    assert!(err.to_string().contains("nothing was committed"), "{err}");
    assert!(conn.invalidated());
    let n: i64 = scalar(&mut conn, "SELECT count(*) FROM t");
    assert_eq!(n, 0);
}
