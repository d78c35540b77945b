//! User-created and extension types through PgBouncer in transaction pooling mode
//! (`pgbouncer=true`): an enum, a domain, an array of the enum and the `citext` and `hstore`
//! extensions' types, written (through a declared table, and as text cast in the SQL) and
//! read (cast, uncast, and streamed) without a cast on the sync and the native async
//! connection by 8 clients at once through a bouncer with 2 server connections per database
//! (so consecutive transactions of a client run on different server sessions, and clients
//! queue for a server connection). Every value read uncast equals what a direct connection
//! reads; a client that does not finish within [`STALL_LIMIT`] fails the test rather than
//! hanging it.
#![cfg(all(feature = "postgres", feature = "async"))]

mod common;

use common::backend::TestDb;
use common::engines::{TestConn, TestEngine};
use sqlcore::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Concurrent clients (the bouncer has 2 server connections per database).
const CLIENTS: i32 = 8;

/// Rows each client writes and reads back.
const ROWS: i32 = 3;

/// How long all clients may take together; past it the test fails as stalled.
const STALL_LIMIT: Duration = Duration::from_secs(120);

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

const STREAMED: &str = "SELECT id, feeling, score, moods, email, attrs FROM notes \
    WHERE id >= :lo AND id < :hi ORDER BY id";

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

/// `notes` as declared in Rust: its enum, domain, array of the enum and extension types
/// bound without a cast in the SQL.
fn notes() -> Table {
    let mood = SqlType::Enum(EnumType::new("mood", ["sad", "ok", "happy"]));
    Table::new("notes")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("feeling", mood.clone()))
        .column(Column::new(
            "score",
            SqlType::Domain(DomainType::new("positive_int", SqlType::Integer)),
        ))
        .column(Column::new("moods", SqlType::array(mood)))
        .column(Column::new("email", SqlType::Other("citext".into())))
        .column(Column::new("attrs", SqlType::Other("hstore".into())))
}

/// Row `id` (the values of [`row`]) inserted through the declared table, uncast.
fn typed_insert(id: i32) -> Statement {
    let moods = Value::Array(vec![Value::from("sad"), Value::from("ok")]);
    insert(&notes())
        .values([
            ("id", Expr::from(id)),
            ("feeling", Expr::from("happy")),
            ("score", Expr::from(id + 1)),
            ("moods", Expr::from(moods)),
            ("email", Expr::from(format!("A{id}@Example.org"))),
            ("attrs", Expr::from("a=>1")),
        ])
        .into()
}

/// Column `i`'s value in row `id`, as PostgreSQL prints it (`as_text`), or as sqlcore reads
/// it uncast.
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

/// What a client read uncast: `(id, column, value)`.
type Reads = Vec<(i32, usize, Value)>;

/// Creates the schema through `url`, in one transaction.
async fn create_schema<E: TestEngine>(url: &str) {
    let engine = E::build(Engine::builder(url).poolclass(PoolClass::Null)).unwrap();
    let mut conn = engine.conn().await.unwrap();
    for sql in SCHEMA.split(';') {
        conn.exec(text(sql), Params::default()).await.unwrap();
    }
    conn.commit().await.unwrap();
}

/// Client `worker`: writes its rows, then reads each column of each row on a fresh
/// connection, cast to text and uncast, in autocommit (`auto`) and in a transaction in turn,
/// then streams its rows. What it read uncast (not streamed); any error fails it.
async fn client<E: TestEngine>(engine: &E, auto: &E, worker: i32) -> Result<Reads> {
    let mut reads = Reads::new();
    for k in 0..ROWS {
        let id = worker * 100 + k;
        let mut conn = engine.conn().await?;
        if k % 2 == 0 {
            conn.exec(text(INSERT), row(id)).await?;
        } else {
            conn.exec(&typed_insert(id), params! {}).await?;
        }
        conn.commit().await?;
        for (i, column) in COLUMNS.iter().enumerate() {
            for as_text in [true, false] {
                let in_transaction = i % 2 == 1;
                let mut conn = if in_transaction {
                    engine.conn().await?
                } else {
                    auto.conn().await?
                };
                let value = conn
                    .one_value(text(&read_sql(i, as_text)), params! { "id" => id })
                    .await?;
                if in_transaction {
                    conn.rollback().await?;
                }
                if as_text {
                    assert_eq!(value, expected(i, id, true), "{column} as text");
                } else {
                    reads.push((id, i, value));
                }
            }
        }
    }
    // The client's rows again, streamed (a cursor, inside the transaction it begins) two at
    // a time.
    let mut conn = engine.conn().await?;
    type Note = (i32, Value, Value, Value, Value, Value);
    let streamed: Vec<Note> = conn
        .streamed_as(
            text(STREAMED),
            params! { "lo" => worker * 100, "hi" => worker * 100 + ROWS },
            2,
        )
        .await?;
    conn.rollback().await?;
    assert_eq!(streamed.len(), ROWS as usize);
    for (id, a, b, c, d, e) in streamed {
        for (i, value) in [a, b, c, d, e].into_iter().enumerate() {
            assert_eq!(
                value,
                expected(i, id, false),
                "streamed {} of row {id}",
                COLUMNS[i]
            );
        }
    }
    Ok(reads)
}

/// The URL of `bounced`'s database on the server itself, not through the bouncer.
fn direct_url(bounced: &str) -> String {
    let database = bounced
        .rsplit('/')
        .next()
        .and_then(|tail| tail.split('?').next())
        .expect("a database in the URL");
    let server = common::pg::url();
    let (base, query) = server.split_once('?').unwrap_or((&server, ""));
    let (host, _) = base
        .rsplit_once('/')
        .expect("a database in the server's URL");
    match query {
        "" => format!("{host}/{database}"),
        q => format!("{host}/{database}?{q}"),
    }
}

/// 8 clients at once, each on a thread (and runtime) of its own, through the bouncer with 2
/// server connections per database: every client finishes within [`STALL_LIMIT`] without an
/// error, and each value it read uncast is the one a direct connection reads. (The database
/// is set up and dropped with the sync client, outside any runtime.)
fn user_types_uncast_through_the_bouncer_with_8_clients<E: TestEngine + 'static>() {
    let Some(db) = TestDb::small_pgbouncer(&format!("types_{}", E::NAME)) else {
        return;
    };
    common::engines::run(create_schema::<E>(&db.url()));
    let engine = Arc::new(E::build(Engine::builder(&db.url()).poolclass(PoolClass::Null)).unwrap());
    let (done, finished) = std::sync::mpsc::channel();
    for worker in 0..CLIENTS {
        let (engine, done) = (engine.clone(), done.clone());
        std::thread::spawn(move || {
            let auto = engine.with_options(
                ExecutionOptions::default().isolation_level(IsolationLevel::Autocommit),
            );
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                common::engines::run(client(&*engine, &auto, worker))
            }));
            let outcome = match outcome {
                Ok(reads) => reads.map_err(|e| e.to_string()),
                Err(panic) => Err(panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()),
            };
            let _ = done.send((worker, outcome));
        });
    }
    let deadline = Instant::now() + STALL_LIMIT;
    let mut reads = Reads::new();
    let mut failed = Vec::new();
    for finished_so_far in 0..CLIENTS {
        let wait = deadline.saturating_duration_since(Instant::now());
        match finished.recv_timeout(wait) {
            Ok((_, Ok(mut read))) => reads.append(&mut read),
            Ok((worker, Err(e))) => failed.push(format!("client {worker}: {e}")),
            Err(_) => panic!(
                "{} of {CLIENTS} clients stalled for {STALL_LIMIT:?} ({finished_so_far} finished; failures: {failed:#?})",
                CLIENTS - finished_so_far,
            ),
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(reads.len(), (CLIENTS * ROWS) as usize * COLUMNS.len());
    // What a direct connection reads, for each value read through the bouncer.
    let direct =
        E::build(Engine::builder(&direct_url(&db.url())).poolclass(PoolClass::Null)).unwrap();
    common::engines::run(async {
        let mut conn = direct.conn().await.unwrap();
        for (id, i, value) in reads {
            let want = conn
                .one_value(text(&read_sql(i, false)), params! { "id" => id })
                .await
                .unwrap();
            assert_eq!(value, want, "{} of row {id}", COLUMNS[i]);
            assert_eq!(value, expected(i, id, false), "{} of row {id}", COLUMNS[i]);
        }
        conn.rollback().await.unwrap();
    });
}

/// Inside a transaction through the bouncer, a query the server cannot describe wrapped (a
/// data-modifying `WITH`) runs as it is and the transaction goes on; a query with an error
/// fails with the server's own error.
fn a_query_that_cannot_be_described_runs_as_it_is<E: TestEngine>() {
    let Some(db) = TestDb::small_pgbouncer(&format!("undescribed_{}", E::NAME)) else {
        return;
    };
    common::engines::run(async {
        create_schema::<E>(&db.url()).await;
        let engine = E::build(Engine::builder(&db.url()).poolclass(PoolClass::Null)).unwrap();
        let mut conn = engine.conn().await.unwrap();
        conn.exec(text(INSERT), row(1)).await.unwrap();
        assert!(conn.in_tx());
        let deleted = conn
            .one_value(
                text("WITH d AS (DELETE FROM notes WHERE id = :id RETURNING id) SELECT count(*) FROM d"),
                params! { "id" => 1 },
            )
            .await
            .unwrap();
        assert_eq!(deleted, Value::I64(1));
        let left = conn
            .one_value(text("SELECT count(*) FROM notes"), params! {})
            .await
            .unwrap();
        assert_eq!(left, Value::I64(0));
        let err = conn
            .one_value(text("SELECT no_such_column FROM notes"), params! {})
            .await
            .unwrap_err();
        let state = err.as_db_error().and_then(|d| d.sqlstate.clone());
        assert_eq!(state.as_deref(), Some("42703"), "{err}");
        conn.rollback().await.unwrap();
    });
}

#[test]
fn a_query_that_cannot_be_described_runs_as_it_is_on_the_sync_engine() {
    a_query_that_cannot_be_described_runs_as_it_is::<Engine>();
}

#[test]
fn a_query_that_cannot_be_described_runs_as_it_is_on_the_native_async_connection() {
    a_query_that_cannot_be_described_runs_as_it_is::<AsyncEngine>();
}

#[test]
fn user_types_uncast_through_the_bouncer_with_8_clients_on_the_sync_engine() {
    user_types_uncast_through_the_bouncer_with_8_clients::<Engine>();
}

#[test]
fn user_types_uncast_through_the_bouncer_with_8_clients_on_the_native_async_connection() {
    user_types_uncast_through_the_bouncer_with_8_clients::<AsyncEngine>();
}
