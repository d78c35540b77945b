//! The sync engine called from inside a tokio runtime — a current-thread one (as
//! `#[tokio::test]` starts it), a multi-thread one, inside `#[tokio::test]` itself, and from
//! `spawn_blocking` — never panics and behaves as anywhere else, on SQLite and PostgreSQL:
//! connect, execute, transactions, a streamed result, prepared statements, and connections
//! closed while the runtime runs.

mod common;

use common::backend::TestDb;
use sqlcore::*;

fn items() -> Table {
    Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text))
}

/// Everything a data-access layer does, on `url`; ends with the engine's connections closed.
fn exercise(url: &str) {
    let engine = create_engine(url).unwrap();
    let mut metadata = MetaData::new();
    metadata.add(items()).unwrap();
    metadata.create_all(&engine).unwrap();
    let t = items();
    engine
        .transaction(|c| {
            let rows: Vec<Params> = (1..=50)
                .map(|i: i64| params! { "id" => i, "name" => format!("item {i}") })
                .collect();
            c.execute_many(insert(&t), rows)?;
            Ok(())
        })
        .unwrap();
    let mut conn = engine.connect().unwrap();
    let n: i64 = conn
        .execute(select([count_all()]).select_from(&t), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(n, 50);
    conn.commit().unwrap();
    // A savepoint rolled back inside a transaction.
    {
        let mut tx = conn.begin().unwrap();
        let mut sp = tx.begin_nested().unwrap();
        sp.execute(delete(&t), ()).unwrap();
        sp.rollback().unwrap();
        tx.commit().unwrap();
    }
    // A streamed result, read in small chunks.
    let streamed: Vec<i64> = conn
        .execute(
            select([t.c("id")])
                .order_by([t.c("id").asc()])
                .execution_options(|o| o.stream_results(true).max_row_buffer(7)),
            (),
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(streamed, (1..=50).collect::<Vec<i64>>());
    // A prepared statement read in place.
    let by_id = engine
        .prepare(select([t.c("name")]).filter(t.c("id").eq(bindparam("id"))))
        .unwrap();
    let name: String = conn
        .query_row(&by_id, params! { "id" => 7 }, |row| row.get(0))
        .unwrap();
    assert_eq!(name, "item 7");
    conn.commit().unwrap();
    drop(conn);
    metadata.drop_all(&engine).unwrap();
    // Connections closed while the runtime runs.
    engine.dispose();
    drop(engine);
}

/// The test databases, made and dropped outside the runtime (the test harness's own
/// PostgreSQL client is the blocking `postgres` crate).
struct Databases {
    sqlite: TestDb,
    postgres: Option<TestDb>,
}

impl Databases {
    fn new(name: &str) -> Self {
        Databases {
            sqlite: TestDb::sqlite(name),
            postgres: TestDb::postgres(name),
        }
    }

    fn urls(&self) -> Vec<String> {
        std::iter::once(self.sqlite.url())
            .chain(self.postgres.as_ref().map(TestDb::url))
            .collect()
    }
}

/// A runtime as `#[tokio::test]` starts it (current-thread), or a multi-thread one.
fn runtime(multi_thread: bool) -> tokio::runtime::Runtime {
    let mut builder = if multi_thread {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(2);
        b
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder.enable_all().build().unwrap()
}

#[test]
fn inside_a_current_thread_runtime() {
    let dbs = Databases::new("tokio_current_thread");
    let urls = dbs.urls();
    runtime(false).block_on(async move {
        for url in &urls {
            exercise(url);
        }
    });
}

#[test]
fn inside_a_multi_thread_runtime() {
    let dbs = Databases::new("tokio_multi_thread");
    let urls = dbs.urls();
    runtime(true).block_on(async move {
        // In the runtime's block_on, then from several tasks at once on its workers.
        for url in &urls {
            exercise(url);
        }
        let engine = create_engine(urls.last().unwrap()).unwrap();
        let tasks: Vec<_> = (0..4)
            .map(|i: i64| {
                let engine = engine.clone();
                tokio::spawn(async move {
                    let mut conn = engine.connect().unwrap();
                    let got: i64 = conn
                        .execute(text("SELECT :i + 1"), params! { "i" => i })
                        .unwrap()
                        .scalar_one()
                        .unwrap();
                    assert_eq!(got, i + 1);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
}

/// Runs `f` on a thread of its own, outside the test's runtime (the test databases are made
/// and dropped with the blocking `postgres` crate).
fn outside<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().unwrap()
}

#[tokio::test]
async fn inside_tokio_test() {
    let dbs = outside(|| Databases::new("tokio_test_attribute"));
    for url in dbs.urls() {
        exercise(&url);
    }
    outside(move || drop(dbs));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_a_multi_thread_tokio_test() {
    let dbs = outside(|| Databases::new("tokio_test_multi_thread"));
    for url in dbs.urls() {
        exercise(&url);
    }
    outside(move || drop(dbs));
}

#[test]
fn from_spawn_blocking() {
    let dbs = Databases::new("tokio_spawn_blocking");
    let urls = dbs.urls();
    for multi_thread in [false, true] {
        let urls = urls.clone();
        runtime(multi_thread).block_on(async move {
            tokio::task::spawn_blocking(move || urls.iter().for_each(|u| exercise(u)))
                .await
                .unwrap();
        });
    }
}

#[test]
fn an_engine_made_outside_is_used_inside() {
    // Connections opened outside a runtime, then used and closed inside one.
    let Some(pg) = TestDb::postgres("tokio_crossing") else {
        return;
    };
    for multi_thread in [false, true] {
        let engine = create_engine(&pg.url()).unwrap();
        let mut conn = engine.connect().unwrap();
        runtime(multi_thread).block_on(async move {
            let one: i32 = conn
                .execute(text("SELECT 1"), ())
                .unwrap()
                .scalar_one()
                .unwrap();
            assert_eq!(one, 1);
            drop(conn);
            engine.dispose();
        });
    }
}
