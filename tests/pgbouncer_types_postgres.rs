//! User-created and extension types through PgBouncer in transaction pooling mode
//! (`pgbouncer=true`): an enum, a domain, an array of the enum and the `citext` and `hstore`
//! extensions' types, on the sync and the native async connection, each statement on a fresh
//! connection, its transactions on different server sessions. One client at a time: with more
//! clients than the bouncer has server connections, tokio-postgres's type lookups (a write's
//! parameter of a domain type, a read of any user type) were seen to stall for good
//! (PgBouncer 1.18) — see the README.
//!
//! tokio-postgres looks up a type it does not know with a named statement it keeps for the
//! client's life, which a transaction-pooling proxy loses between transactions. What holds:
//! writing such values (the SQL casts text parameters) works; reading them cast to text (the
//! README's recipe) works; reading them uncast may fail, and then with the typed error that
//! names `pgbouncer=true` and the recipe — never another error, never a wrong value.
#![cfg(all(feature = "postgres", feature = "async"))]

mod common;

use common::backend::TestDb;
use sqlcore::*;
use std::sync::atomic::{AtomicUsize, Ordering};

const SCHEMA: &str = "
    CREATE EXTENSION IF NOT EXISTS citext;
    CREATE EXTENSION IF NOT EXISTS hstore;
    CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
    CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
    CREATE TABLE notes (
        id integer PRIMARY KEY,
        feeling mood NOT NULL,
        score positive_int NOT NULL,
        moods mood[] NOT NULL,
        email citext NOT NULL,
        attrs hstore NOT NULL)";

const INSERT: &str = "INSERT INTO notes VALUES (:id, CAST(:feeling AS mood), :score, \
    CAST(:moods AS mood[]), CAST(:email AS citext), CAST(:attrs AS hstore))";

const COLUMNS: [&str; 5] = ["feeling", "score", "moods", "email", "attrs"];

fn row(id: i32) -> Params {
    params! {
        "id" => id,
        "feeling" => "happy",
        "score" => id + 1,
        "moods" => "{sad,ok}",
        "email" => format!("A{id}@Example.org"),
        "attrs" => "a=>1",
    }
}

/// Column `i`'s value in row `id`, as PostgreSQL prints it (`as_text`), or as sqlcore reads
/// it.
fn expected(i: usize, id: i32, as_text: bool) -> Value {
    match i {
        0 => Value::from("happy"),
        1 if as_text => Value::from((id + 1).to_string()),
        1 => Value::I32(id + 1),
        2 if as_text => Value::from("{sad,ok}"),
        2 => Value::Array(vec![Value::from("sad"), Value::from("ok")]),
        3 => Value::from(format!("A{id}@Example.org")),
        _ => Value::from("\"a\"=>\"1\""),
    }
}

/// The read of column `i` of row `id`: cast to text (always works) or not.
fn read_sql(i: usize, as_text: bool) -> String {
    if as_text {
        format!(
            "SELECT CAST({} AS TEXT) FROM notes WHERE id = :id",
            COLUMNS[i]
        )
    } else {
        format!("SELECT {} FROM notes WHERE id = :id", COLUMNS[i])
    }
}

/// Reads without a cast that worked, and that failed with the documented error.
#[derive(Default)]
struct Outcomes {
    read: AtomicUsize,
    refused: AtomicUsize,
}

impl Outcomes {
    /// Checks an uncast read of column `i` of row `id`: the value, or the documented error.
    fn note(&self, i: usize, id: i32, read: Result<Value>) {
        match read {
            Ok(value) => {
                assert_eq!(value, expected(i, id, false), "{}", COLUMNS[i]);
                self.read.fetch_add(1, Ordering::Relaxed);
            }
            Err(err) => {
                let db = err.as_db_error().unwrap_or_else(|| panic!("{err}"));
                assert!(
                    matches!(db.sqlstate.as_deref(), Some("26000" | "42P05")),
                    "{err}"
                );
                assert_eq!(db.kind, DbErrorKind::Programming, "{err}");
                assert!(err.to_string().contains("pgbouncer=true"), "{err}");
                assert!(err.to_string().contains("CAST(col AS TEXT)"), "{err}");
                self.refused.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn report(&self, engine: &str) {
        println!(
            "{engine}: {} uncast reads worked, {} refused with the typed error",
            self.read.load(Ordering::Relaxed),
            self.refused.load(Ordering::Relaxed)
        );
    }
}

/// Creates the schema through the bouncer, in one transaction.
fn create_schema(engine: &Engine) {
    engine
        .transaction(|conn| {
            for sql in SCHEMA.split(';') {
                conn.execute(text(sql), ())?;
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn user_and_extension_types_through_the_bouncer_on_the_sync_engine() {
    let Some(db) = TestDb::pgbouncer("types_sync") else {
        return;
    };
    let engine = Engine::builder(&db.url())
        .poolclass(PoolClass::Null)
        .build()
        .unwrap();
    create_schema(&engine);
    let auto = engine
        .execution_options(ExecutionOptions::default().isolation_level(IsolationLevel::Autocommit));
    let outcomes = Outcomes::default();
    std::thread::scope(|scope| {
        // One client at a time (see the module's documentation); more workers stall.
        for worker in 0..1 {
            let (engine, auto, outcomes) = (&engine, &auto, &outcomes);
            scope.spawn(move || {
                for k in 0..3 {
                    let id = worker * 100 + k;
                    engine
                        .transaction(|conn| conn.execute(text(INSERT), row(id)).map(drop))
                        .unwrap();
                    for i in 0..COLUMNS.len() {
                        for as_text in [true, false] {
                            // In autocommit and in a transaction, in turn.
                            let sql = read_sql(i, as_text);
                            let read = |conn: &mut Connection| {
                                conn.query_row(text(&sql), params! { "id" => id }, |r| {
                                    r.get::<Value>(0)
                                })
                            };
                            let value = if i % 2 == 0 {
                                auto.connect().and_then(|mut conn| read(&mut conn))
                            } else {
                                engine.transaction(read)
                            };
                            if as_text {
                                assert_eq!(value.unwrap(), expected(i, id, true));
                            } else {
                                outcomes.note(i, id, value);
                            }
                        }
                    }
                }
            });
        }
    });
    outcomes.report("sync");
}

#[test]
fn user_and_extension_types_through_the_bouncer_on_the_native_async_connection() {
    // The database is set up (and dropped) with the sync client, outside the runtime.
    let Some(db) = TestDb::pgbouncer("types_async") else {
        return;
    };
    create_schema(&create_engine(&db.url()).unwrap());
    let engine = AsyncEngine::builder(&db.url())
        .poolclass(PoolClass::Null)
        .build_async()
        .unwrap();
    let outcomes = std::sync::Arc::new(Outcomes::default());
    common::engines::run(async {
        // One client at a time (see the module's documentation); more tasks stall.
        let tasks = (0..1).map(|worker| {
            let (engine, outcomes) = (engine.clone(), outcomes.clone());
            tokio::spawn(async move {
                for k in 0..3 {
                    let id = worker * 100 + k;
                    let mut conn = engine.connect().await.unwrap();
                    conn.execute(text(INSERT), row(id)).await.unwrap();
                    conn.commit().await.unwrap();
                    for i in 0..COLUMNS.len() {
                        for as_text in [true, false] {
                            let mut conn = engine.connect().await.unwrap();
                            if i % 2 == 0 {
                                conn.execution_options(
                                    ExecutionOptions::default()
                                        .isolation_level(IsolationLevel::Autocommit),
                                )
                                .await
                                .unwrap();
                            }
                            let value = conn
                                .query_row(
                                    text(&read_sql(i, as_text)),
                                    params! { "id" => id },
                                    |r| r.get::<Value>(0),
                                )
                                .await;
                            if as_text {
                                assert_eq!(value.unwrap(), expected(i, id, true));
                            } else {
                                outcomes.note(i, id, value);
                            }
                        }
                    }
                }
            })
        });
        for task in futures_util::future::join_all(tasks.collect::<Vec<_>>()).await {
            task.unwrap();
        }
    });
    outcomes.report("async");
}
