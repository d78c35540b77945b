//! Streamed results of the async engine (`AsyncConnection::stream`) on SQLite and PostgreSQL:
//! every row in order with at most `max_row_buffer` held, a stream dropped half-read closes
//! its cursor and leaves the connection usable, and an error mid-stream is reported.
#![cfg(all(feature = "async", any(feature = "sqlite", feature = "postgres")))]

mod common;

use common::backend::TestDb;
use futures_util::TryStreamExt;
use sqlcore::*;

const ROWS: i64 = 200_000;

fn series(db: &TestDb, n: i64) -> String {
    if db.is_postgres() {
        format!("SELECT g AS n, 'row ' || g AS label FROM generate_series(1, {n}) AS g")
    } else {
        format!(
            "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {n}) SELECT g AS n, 'row ' || g AS label FROM s"
        )
    }
}

async fn streams_every_row_in_bounded_chunks(db: &TestDb) {
    let engine = create_async_engine(&db.url()).unwrap();
    let mut conn = engine.connect().await.unwrap();
    conn.update_execution_options(|o| o.max_row_buffer(1000))
        .await
        .unwrap();
    let mut rows = conn.stream(text(&series(db, ROWS)), ()).await.unwrap();
    assert_eq!(
        rows.keys().iter().map(|k| &**k).collect::<Vec<_>>(),
        ["n", "label"]
    );
    let (mut count, mut sum, mut most) = (0i64, 0i64, 0usize);
    while let Some(row) = rows.try_next().await.unwrap() {
        count += 1;
        let n = match row.get::<Value>("n").unwrap() {
            Value::I32(n) => i64::from(n),
            Value::I64(n) => n,
            other => panic!("{other:?}"),
        };
        assert_eq!(n, count, "rows in order");
        sum += n;
        most = most.max(rows.buffered());
    }
    assert_eq!(count, ROWS);
    assert_eq!(sum, ROWS * (ROWS + 1) / 2);
    assert!(most < 1000, "{most} rows held at once");
    drop(rows);
    // Half read, then dropped: the connection goes on.
    let mut rows = conn.stream(text(&series(db, 10_000)), ()).await.unwrap();
    for _ in 0..1500 {
        rows.try_next().await.unwrap().unwrap();
    }
    drop(rows);
    let n: i64 = conn
        .execute(text("SELECT 40 + 2"), ())
        .await
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 42);
    conn.commit().await.unwrap();
}

async fn an_error_mid_stream_is_reported(db: &TestDb) {
    let engine = create_async_engine(&db.url()).unwrap();
    let mut conn = engine.connect().await.unwrap();
    conn.update_execution_options(|o| o.max_row_buffer(10))
        .await
        .unwrap();
    // Row 50 fails: PostgreSQL divides by zero in the cursor's fifth chunk; SQLite, which
    // produces its rows in process, reports its error when the statement runs.
    let sql = if db.is_postgres() {
        "SELECT 100 / (50 - g) FROM generate_series(1, 100) AS g"
    } else {
        "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 100) SELECT CASE WHEN g = 50 THEN json_extract('not json', '$') ELSE g END FROM s"
    };
    let mut read = 0;
    let failure = match conn.stream(text(sql), ()).await {
        Err(e) => e,
        Ok(mut rows) => loop {
            match rows.try_next().await {
                Ok(Some(_)) => read += 1,
                Ok(None) => panic!("the stream ended without its error after {read} rows"),
                Err(e) => break e,
            }
        },
    };
    if db.is_postgres() {
        assert!((40..50).contains(&read), "{read} rows before the error");
    }
    assert!(matches!(failure, Error::Db(_)), "{failure:?}");
    conn.rollback().await.unwrap();
    let n: i64 = conn
        .execute(text("SELECT 1"), ())
        .await
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 1);
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_streams_every_row_in_bounded_chunks() {
    let db = TestDb::sqlite("async_stream_rows");
    common::engines::run(streams_every_row_in_bounded_chunks(&db));
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_streams_every_row_in_bounded_chunks() {
    if let Some(db) = TestDb::postgres("async_stream_rows") {
        common::engines::run(streams_every_row_in_bounded_chunks(&db));
    }
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_an_error_mid_stream_is_reported() {
    let db = TestDb::sqlite("async_stream_error");
    common::engines::run(an_error_mid_stream_is_reported(&db));
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_an_error_mid_stream_is_reported() {
    if let Some(db) = TestDb::postgres("async_stream_error") {
        common::engines::run(an_error_mid_stream_is_reported(&db));
    }
}
