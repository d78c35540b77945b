//! `AsyncConnection::run_sync` on SQLite and PostgreSQL: `create_all`, reflection and the
//! Inspector through the async engine, with the sync code inside the async connection's
//! transaction (both ways), an invalidation inside it seen outside, and a result streamed by
//! sync code on the native PostgreSQL connection.
#![cfg(all(feature = "async", any(feature = "sqlite", feature = "postgres")))]

mod common;

use common::backend::TestDb;
use sqlcore::*;

fn metadata() -> MetaData {
    let mut md = MetaData::new();
    md.add(
        Table::new("users")
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("name", SqlType::String(Some(30))).nullable(false)),
    )
    .unwrap();
    md
}

async fn count(conn: &mut AsyncConnection) -> i64 {
    conn.execute(text("SELECT count(*) FROM users"), ())
        .await
        .unwrap()
        .scalar_one()
        .unwrap()
}

async fn ddl_and_reflection_through_the_async_engine(db: &TestDb) {
    let engine = create_async_engine(&db.url()).unwrap();
    let mut conn = engine.connect().await.unwrap();
    let declared = metadata();
    conn.run_sync(move |c| declared.create_all(c))
        .await
        .unwrap();
    conn.commit().await.unwrap();
    let (reflected, columns) = conn
        .run_sync(|c| {
            let mut md = MetaData::new();
            md.reflect(&mut *c)?;
            let columns = inspect(c)?.columns("users", None)?;
            Ok((md, columns))
        })
        .await
        .unwrap();
    let users = reflected.table("users").expect("users reflected");
    assert!(users.get_column("name").is_some_and(|c| !c.nullable));
    assert_eq!(columns[1].sql_type, SqlType::String(Some(30)));
    conn.rollback().await.unwrap();

    // Sync work joins the async connection's transaction.
    conn.execute(text("INSERT INTO users (id, name) VALUES (1, 'async')"), ())
        .await
        .unwrap();
    conn.run_sync(|c| {
        assert!(
            c.in_transaction(),
            "the sync connection is in the same transaction"
        );
        c.execute(text("INSERT INTO users (id, name) VALUES (2, 'sync')"), ())
            .map(drop)
    })
    .await
    .unwrap();
    assert!(conn.in_transaction());
    assert_eq!(count(&mut conn).await, 2);
    conn.rollback().await.unwrap();
    assert_eq!(count(&mut conn).await, 0);
    conn.rollback().await.unwrap();

    // A transaction the sync code begins goes on here, and commits here.
    conn.run_sync(|c| {
        c.execute(text("INSERT INTO users (id, name) VALUES (3, 'kept')"), ())
            .map(drop)
    })
    .await
    .unwrap();
    assert!(conn.in_transaction());
    conn.commit().await.unwrap();
    let mut other = engine.connect().await.unwrap();
    assert_eq!(count(&mut other).await, 1);

    // An invalidation inside the sync code: the transaction must be rolled back here.
    conn.execute(text("INSERT INTO users (id, name) VALUES (4, 'lost')"), ())
        .await
        .unwrap();
    conn.run_sync(|c| {
        c.invalidate();
        Ok(())
    })
    .await
    .unwrap();
    assert!(conn.invalidated());
    let refused = conn.execute(text("SELECT 1"), ()).await;
    assert!(
        matches!(refused, Err(Error::PendingRollback { .. })),
        "{refused:?}"
    );
    conn.rollback().await.unwrap();
    assert_eq!(count(&mut conn).await, 1);
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_ddl_and_reflection_through_the_async_engine() {
    let db = TestDb::sqlite("async_run_sync");
    common::engines::run(ddl_and_reflection_through_the_async_engine(&db));
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_ddl_and_reflection_through_the_async_engine() {
    if let Some(db) = TestDb::postgres("async_run_sync") {
        common::engines::run(ddl_and_reflection_through_the_async_engine(&db));
    }
}

/// Sync code streaming a result on the native PostgreSQL connection: a server-side cursor
/// fetched a chunk at a time, with another statement run on the connection between chunks.
#[cfg(feature = "postgres")]
#[test]
fn postgres_a_result_streamed_by_sync_code_reads_every_row() {
    let Some(db) = TestDb::postgres("async_run_sync_stream") else {
        return;
    };
    common::engines::run(async {
        let engine = create_async_engine(&db.url()).unwrap();
        let mut conn = engine.connect().await.unwrap();
        let (count, sum, between, cursors) = conn
            .run_sync(|c| {
                c.execution_options(
                    ExecutionOptions::default()
                        .stream_results(true)
                        .max_row_buffer(100),
                )?;
                let sql = "SELECT g FROM generate_series(1, 10000) AS g";
                let mut result = c.execute(text(sql), ())?;
                let (mut count, mut sum, mut between, mut cursors) = (0i64, 0i64, 0i64, 0i64);
                for row in result.by_ref() {
                    sum += i64::from(row?.get::<i32>(0)?);
                    count += 1;
                    if count == 150 {
                        between = c.execute(text("SELECT 40 + 2"), ())?.scalar_one()?;
                        // (Every statement of the connection streams now: the pattern does
                        // not match its own text.)
                        let open = "SELECT count(*) FROM pg_cursors \
                                    WHERE statement LIKE '%generate' || '_series(1, 10000)%'";
                        cursors = c.execute(text(open), ())?.scalar_one()?;
                    }
                }
                Ok((count, sum, between, cursors))
            })
            .await
            .unwrap();
        assert_eq!((count, sum, between), (10_000, 50_005_000, 42));
        assert_eq!(cursors, 1, "a server-side cursor feeds the result");
        conn.rollback().await.unwrap();
    });
}
