//! PostgreSQL-only behaviours: disconnects, pre-ping, the statement cache, every type both
//! ways, isolation levels, rows decoded as they are read, connect hooks (streamed results:
//! `streamed_postgres.rs`; `execute_many` at scale and through COPY:
//! `execute_many_postgres.rs`). Each test works in a schema of its own.
#![cfg(feature = "postgres")]

mod common;

use common::backend::TestDb;
use common::people::scalar;
use sqlcore::*;
use std::time::Duration;

fn db(name: &str) -> Option<TestDb> {
    TestDb::postgres(name)
}

fn backend_pid(conn: &mut Connection) -> i32 {
    scalar(conn, "SELECT pg_backend_pid()")
}

fn terminate(pid: i32) {
    let mut admin = common::pg::connect().expect("admin connection");
    admin
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .expect("terminate");
    // Wait until the server has really let go of it.
    for _ in 0..100 {
        let gone = admin
            .query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", &[&pid])
            .unwrap()
            .is_empty();
        if gone {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_terminated_backend_invalidates_and_the_pool_recovers() {
    let Some(b) = db("terminated") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let (pid, spare) = {
        let mut a = engine.connect().unwrap();
        let mut c = engine.connect().unwrap();
        let pids = (backend_pid(&mut a), backend_pid(&mut c));
        // Returned with no transaction open: nothing is sent as they go back.
        a.commit().unwrap();
        c.commit().unwrap();
        drop(a); // returned first, so handed out first (FIFO)
        drop(c);
        pids
    };
    terminate(pid);
    // The pool hands out connections FIFO: the first checkout gets the dead one, found gone
    // before anything of the statement was sent, so the statement runs on a fresh connection.
    let mut conn = engine.connect().unwrap();
    let one: i32 = scalar(&mut conn, "SELECT 1");
    assert_eq!(one, 1);
    assert!(!conn.invalidated());
    assert_ne!(backend_pid(&mut conn), pid);
    drop(conn);
    // Every connection opened before the disconnect was discarded too.
    let mut fresh = engine.connect().unwrap();
    assert_ne!(
        backend_pid(&mut fresh),
        spare,
        "older connections are replaced"
    );
}

#[test]
fn a_backend_terminated_behind_its_reset_is_replaced_unseen() {
    let Some(b) = db("terminated_reset") else {
        return;
    };
    let engine = Engine::builder(&b.url()).pool_size(1).build().unwrap();
    let mut conn = engine.connect().unwrap();
    let pid = backend_pid(&mut conn);
    // Returned in a transaction: its ROLLBACK goes without waiting for the reply.
    drop(conn);
    terminate(pid);
    // The next call reads that reply in its own flight, finds the connection gone, and runs
    // on a fresh one: the error was the previous checkout's, not this caller's.
    let mut conn = engine.connect().unwrap();
    let fresh = backend_pid(&mut conn);
    assert_ne!(fresh, pid);
    assert!(!conn.invalidated());
    conn.commit().unwrap();
}

#[test]
fn a_disconnect_inside_a_transaction_requires_rollback() {
    let Some(b) = db("terminated_tx") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let mut tx = conn.begin().unwrap();
    let pid = backend_pid(&mut tx);
    terminate(pid);
    let err = tx.execute(text("SELECT 1"), ()).unwrap_err();
    assert!(err.connection_invalidated());
    assert!(matches!(
        tx.execute(text("SELECT 1"), ()),
        Err(Error::PendingRollback { .. })
    ));
    tx.rollback().unwrap();
    let one: i32 = scalar(&mut conn, "SELECT 1");
    assert_eq!(one, 1);
}

#[test]
fn pre_ping_replaces_a_terminated_connection_silently() {
    let Some(b) = db("preping") else { return };
    let engine = Engine::builder(&b.url())
        .pool_pre_ping(true)
        .build()
        .unwrap();
    let pid = backend_pid(&mut engine.connect().unwrap());
    terminate(pid);
    let mut conn = engine.connect().unwrap();
    let one: i32 = scalar(&mut conn, "SELECT 1");
    assert_eq!(one, 1);
    assert_ne!(backend_pid(&mut conn), pid);
}

#[test]
fn unreachable_server_fails_at_once_with_the_real_error() {
    let engine =
        Engine::builder("postgresql://postgres:pw-9c1e@127.0.0.1:1/test?connect_timeout=2")
            .pool_timeout(Duration::from_secs(30))
            .build()
            .unwrap();
    let started = std::time::Instant::now();
    let err = engine.connect().unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    let text = err.to_string();
    assert!(
        text.contains("refused") || text.contains("connect"),
        "{text}"
    );
    assert!(!text.contains("pw-9c1e"));
}

fn prepared_statements(conn: &mut Connection) -> i64 {
    conn.execute(
        text("SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql"),
        (),
    )
    .unwrap()
    .scalar_one()
    .unwrap()
}

#[test]
fn statements_are_prepared_once_and_evicted_ones_closed() {
    let Some(b) = db("stmt_cache") else { return };
    let engine = Engine::builder(&b.url())
        .statement_cache_size(3)
        .pool_size(1)
        .build()
        .unwrap();
    let mut conn = engine.connect().unwrap();
    let base = prepared_statements(&mut conn);
    for i in 0..20 {
        let n: i32 = conn
            .execute(text("SELECT :x + 1"), params! { "x" => i })
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(n, i + 1);
    }
    // The probe itself is one of the three cached statements.
    assert_eq!(
        prepared_statements(&mut conn),
        base.max(1) + 1,
        "prepared once, reused 20 times"
    );
    for i in 0..10 {
        conn.execute(text(&format!("SELECT {i} AS n")), ()).unwrap();
    }
    assert!(
        prepared_statements(&mut conn) <= 3,
        "evicted statements are closed on the server"
    );

    let off = Engine::builder(&b.url())
        .statement_cache_size(0)
        .build()
        .unwrap();
    let mut conn = off.connect().unwrap();
    for i in 0..5 {
        let n: i32 = conn
            .execute(text("SELECT :x + 1"), params! { "x" => i })
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(n, i + 1);
    }
    let left: i64 = scalar(&mut conn, "SELECT count(*) FROM pg_prepared_statements");
    assert_eq!(left, 0, "nothing prepared with the cache off");
}

fn every_type() -> Table {
    Table::new("every_type")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("c_small", SqlType::SmallInteger))
        .column(Column::new("c_int", SqlType::Integer))
        .column(Column::new("c_big", SqlType::BigInteger))
        .column(Column::new("c_float", SqlType::Float))
        .column(Column::new("c_double", SqlType::Double))
        .column(Column::new(
            "c_numeric",
            SqlType::Numeric(Some(12), Some(3)),
        ))
        .column(Column::new("c_string", SqlType::String(Some(40))))
        .column(Column::new("c_text", SqlType::Text))
        .column(Column::new("c_bool", SqlType::Boolean))
        .column(Column::new("c_date", SqlType::Date))
        .column(Column::new("c_time", SqlType::TIME))
        .column(Column::new("c_ts", SqlType::DATETIME))
        .column(Column::new("c_tstz", SqlType::DATETIME_TZ))
        .column(Column::new("c_interval", SqlType::INTERVAL))
        .column(Column::new("c_bytes", SqlType::LargeBinary))
        .column(Column::new("c_uuid", SqlType::Uuid))
        .column(Column::new("c_json", SqlType::Json))
        .column(Column::new("c_created", SqlType::DATETIME_TZ).server_default_sql("now()"))
}

#[test]
fn every_type_round_trips_with_nulls() {
    let Some(b) = db("types") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let t = every_type();
    let mut md = MetaData::new();
    md.add(t.clone()).unwrap();
    md.create_all(&engine).unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let time = chrono::NaiveTime::from_hms_micro_opt(13, 14, 15, 123_456).unwrap();
    let ts = date.and_time(time);
    let tstz = ts.and_utc();
    let uuid = uuid::Uuid::parse_str("6fa459ea-ee8a-3ca4-894e-db77e160355e").unwrap();
    let json = serde_json::json!({"a": [1, 2, {"b": null}], "c": "d"});
    let full = params! {
        "c_small" => 7_i16, "c_int" => -8_i32, "c_big" => 9_000_000_000_i64, "c_float" => 1.5_f64,
        "c_double" => 2.25_f64, "c_numeric" => rust_decimal::Decimal::new(123_456, 3),
        "c_string" => "héllo", "c_text" => "it's \\ text", "c_bool" => true, "c_date" => date,
        "c_time" => time, "c_ts" => ts, "c_tstz" => tstz, "c_interval" => Interval::new(14, 3, 4_500_000),
        "c_bytes" => vec![0_u8, 255, 10], "c_uuid" => uuid, "c_json" => json.clone(),
    };
    let mut conn = engine.connect().unwrap();
    let r = conn.execute(insert(&t), &full).unwrap();
    let id: i32 = r.inserted_primary_key().unwrap().get("id").unwrap();
    let nulls: Params = full.iter().map(|(k, _)| (k.clone(), Value::Null)).collect();
    let r = conn.execute(insert(&t), &nulls).unwrap();
    let null_id: i32 = r.inserted_primary_key().unwrap().get("id").unwrap();
    conn.commit().unwrap();

    let row = conn
        .execute(select(&t).filter(t.c("id").eq(id)), ())
        .unwrap()
        .one()
        .unwrap();
    for (name, value) in full.iter() {
        assert_eq!(row.value(&**name).unwrap(), value, "{name}");
    }
    let created: chrono::DateTime<chrono::Utc> = row.get("c_created").unwrap();
    assert!(
        (chrono::Utc::now() - created).num_minutes().abs() < 5,
        "the server default is visible"
    );
    let row = conn
        .execute(select(&t).filter(t.c("id").eq(null_id)), ())
        .unwrap()
        .one()
        .unwrap();
    for (name, _) in full.iter() {
        assert_eq!(row.value(&**name).unwrap(), &Value::Null, "{name}");
    }
    // Arrays travel for IN lists.
    let ids: Vec<i32> = conn
        .execute(
            select([t.c("id")])
                .filter(t.c("id").in_([id, null_id, 999]))
                .order_by([t.c("id")]),
            (),
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(ids, [id, null_id]);
    let none: Vec<i32> = conn
        .execute(
            select([t.c("id")]).filter(t.c("id").in_(Vec::<i32>::new())),
            (),
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert!(none.is_empty());
    let uuids: Vec<uuid::Uuid> = conn
        .execute(
            select([t.c("c_uuid")]).filter(t.c("c_uuid").in_([uuid])),
            (),
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(uuids, [uuid]);
}

#[test]
fn a_value_of_the_wrong_type_is_a_data_error() {
    let Some(b) = db("mismatch") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE t (n INTEGER)"), ())
        .unwrap();
    conn.commit().unwrap();
    let err = conn
        .execute(
            text("INSERT INTO t VALUES (:n)"),
            params! { "n" => "not a number" },
        )
        .unwrap_err();
    let db = err.as_db_error().expect("a database error");
    assert!(
        matches!(db.kind, DbErrorKind::Data | DbErrorKind::Programming),
        "{err}"
    );
    conn.rollback().unwrap();
    let t = Table::new("t").column(Column::new("n", SqlType::Integer));
    let err = conn
        .execute(insert(&t), params! { "n" => "not a number" })
        .unwrap_err();
    assert_eq!(
        err.as_db_error().map(|e| e.kind),
        Some(DbErrorKind::Data),
        "{err}"
    );
    assert!(
        err.to_string().contains("cannot bind a text value"),
        "{err}"
    );
    conn.rollback().unwrap();
    let err = conn
        .execute(insert(&t), params! { "n" => 5_000_000_000_i64 })
        .unwrap_err();
    assert_eq!(
        err.as_db_error().map(|e| e.kind),
        Some(DbErrorKind::Data),
        "{err}"
    );
}

#[test]
fn isolation_levels_per_engine_and_per_connection() {
    let Some(b) = db("isolation") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    assert_eq!(
        conn.get_isolation_level().unwrap(),
        IsolationLevel::ReadCommitted
    );
    for level in [
        IsolationLevel::Serializable,
        IsolationLevel::RepeatableRead,
        IsolationLevel::ReadUncommitted,
        IsolationLevel::ReadCommitted,
    ] {
        conn.execution_options(ExecutionOptions::default().isolation_level(level))
            .unwrap();
        assert_eq!(conn.get_isolation_level().unwrap(), level);
        let inside: String = scalar(&mut conn, "SELECT current_setting('transaction_isolation')");
        assert_eq!(inside.to_uppercase(), level.as_str());
        conn.rollback().unwrap();
    }
    conn.execution_options(
        ExecutionOptions::default().isolation_level(IsolationLevel::Serializable),
    )
    .unwrap();
    let id = conn.connection_id();
    drop(conn);
    let mut conn = engine.connect().unwrap();
    assert_eq!(conn.connection_id(), id);
    assert_eq!(
        conn.get_isolation_level().unwrap(),
        IsolationLevel::ReadCommitted,
        "restored at checkin"
    );

    conn.execution_options(ExecutionOptions::default().isolation_level(IsolationLevel::Autocommit))
        .unwrap();
    conn.execute(text("CREATE TABLE t (x INTEGER)"), ())
        .unwrap();
    conn.execute(text("INSERT INTO t VALUES (1)"), ()).unwrap();
    assert!(!conn.in_transaction());
    conn.rollback().unwrap();
    drop(conn);
    let engine = Engine::builder(&b.url())
        .isolation_level(IsolationLevel::RepeatableRead)
        .build()
        .unwrap();
    let mut conn = engine.connect().unwrap();
    assert_eq!(
        conn.get_isolation_level().unwrap(),
        IsolationLevel::RepeatableRead
    );
    let n: i64 = scalar(&mut conn, "SELECT count(*) FROM t");
    assert_eq!(n, 1, "the AUTOCOMMIT insert was durable");
}

#[test]
fn commit_after_a_failed_statement_reports_the_rollback() {
    let Some(b) = db("aborted") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE t (x INTEGER PRIMARY KEY)"), ())
        .unwrap();
    conn.commit().unwrap();
    conn.execute(text("INSERT INTO t VALUES (1)"), ()).unwrap();
    assert!(conn.execute(text("INSERT INTO t VALUES (1)"), ()).is_err());
    let err = conn.commit().unwrap_err();
    assert_eq!(
        err.as_db_error()
            .and_then(|e| e.sqlstate.clone())
            .as_deref(),
        Some("25P02"),
        "{err}"
    );
    assert!(!conn.in_transaction());
    let n: i64 = scalar(&mut conn, "SELECT count(*) FROM t");
    assert_eq!(n, 0, "nothing was committed");
    conn.rollback().unwrap();
    // A savepoint rolled back after the error makes the transaction usable again.
    {
        let mut tx = conn.begin().unwrap();
        tx.execute(text("INSERT INTO t VALUES (1)"), ()).unwrap();
        {
            let mut sp = tx.begin_nested().unwrap();
            assert!(sp.execute(text("INSERT INTO t VALUES (1)"), ()).is_err());
            sp.rollback().unwrap();
        }
        tx.execute(text("INSERT INTO t VALUES (2)"), ()).unwrap();
        tx.commit().unwrap();
    }
    let n: i64 = scalar(&mut conn, "SELECT count(*) FROM t");
    assert_eq!(n, 2);
}

#[test]
fn a_statement_is_prepared_again_when_value_types_change() {
    let Some(b) = db("retype") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE m (v DOUBLE PRECISION)"), ())
        .unwrap();
    conn.execute(
        text("INSERT INTO m VALUES (:v)"),
        params! { "v" => 1.5_f32 },
    )
    .unwrap();
    conn.execute(
        text("INSERT INTO m VALUES (:v)"),
        params! { "v" => 0.1_f64 },
    )
    .unwrap();
    conn.execute_many(
        text("INSERT INTO m VALUES (:v)"),
        [params! { "v" => 2.5_f32 }, params! { "v" => 0.2_f64 }],
    )
    .unwrap();
    let got: Vec<f64> = conn
        .execute(text("SELECT v FROM m ORDER BY v"), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(
        got,
        [0.1, 0.2, 1.5, 2.5],
        "no value was narrowed to a float4"
    );
}

#[test]
fn rows_read_as_they_arrive_behave_as_decoded_rows() {
    let Some(b) = db("lazy_rows") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    // Integers, floats, booleans, text, bytea and uuid always decode: these rows are decoded
    // column by column as they are read. The NUMERIC column makes the second query's rows
    // decoded on arrival. Both must read alike, NULLs included.
    let columns = "1::int2 AS a, 2::int4 AS b, 3::int8 AS c, 1.5::float4 AS d, 2.5::float8 AS e, \
                   true AS f, 'héllo'::text AS g, 'x'::varchar AS h, '\\x00ff'::bytea AS i, \
                   '6fa459ea-ee8a-3ca4-894e-db77e160355e'::uuid AS j, NULL::int4 AS k, NULL::text AS l";
    let lazy_sql = format!("SELECT {columns} FROM generate_series(1, 3)");
    let eager_sql = format!("SELECT {columns}, 1.25::numeric AS m FROM generate_series(1, 3)");
    // The driver keeps the first query's rows as they arrived and decodes the second's.
    fn kept(conn: &mut Connection, sql: &str) -> bool {
        let request = sqlcore::driver::Request {
            sql,
            statement_id: None,
            params: &[],
            param_types: &[],
            result_columns: &[],
            stream: None,
        };
        let raw = conn.driver_connection().unwrap();
        let mut rows = raw.execute(&request).unwrap().rows;
        matches!(
            rows.next_row().unwrap(),
            Some(sqlcore::driver::DriverRow::Postgres(_))
        )
    }
    assert!(kept(&mut conn, &lazy_sql));
    assert!(!kept(&mut conn, &eager_sql));
    for stream in [false, true] {
        conn.update_execution_options(|o| o.stream_results(stream).max_row_buffer(2))
            .unwrap();
        let lazy = conn.execute(text(&lazy_sql), ()).unwrap().all().unwrap();
        let eager = conn.execute(text(&eager_sql), ()).unwrap().all().unwrap();
        assert_eq!(lazy.len(), 3);
        for (l, e) in lazy.iter().zip(&eager) {
            assert_eq!(l.len(), 12);
            assert_eq!(l.values(), &e.values()[..12]);
            assert_eq!(l.get::<i16>("a").unwrap(), 1);
            assert_eq!(l.get::<i64>(2).unwrap(), 3);
            assert_eq!(l.get::<f32>("d").unwrap(), 1.5);
            assert!(l.get::<bool>("f").unwrap());
            assert_eq!(l.get::<String>("g").unwrap(), "héllo");
            assert_eq!(l.get::<Vec<u8>>("i").unwrap(), [0, 255]);
            assert_eq!(l.get::<Option<i32>>("k").unwrap(), None);
            assert!(l.get::<i32>("g").is_err(), "a wrong type is still an error");
            assert_eq!(l.mapping().get("j"), e.mapping().get("j"));
            assert_eq!(l["h"], Value::from("x"));
            let copy = l.clone();
            assert_eq!(&copy, l);
            assert!(format!("{copy:?}").contains("héllo"));
            let map = copy.into_map();
            assert_eq!(map.len(), 12);
            assert_eq!(map["e"], Value::F64(2.5));
        }
        // A fresh row converts straight from the wire, without the decoded list.
        let row = conn
            .execute(text(&lazy_sql), ())
            .unwrap()
            .first()
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<i32>("b").unwrap(), 2);
        assert_eq!(row.into_map()["l"], Value::Null);
        conn.rollback().unwrap();
    }
    // A value that does not decode stays an error where the rows arrive: at execution, or
    // at the fetch of a streamed result.
    let nan = "SELECT 'NaN'::numeric AS n";
    let err = conn.execute(text(nan), ()).unwrap().fetchone().unwrap_err();
    assert!(err.to_string().contains("NaN"), "{err}");
    conn.rollback().unwrap();
    conn.update_execution_options(|o| o.stream_results(false))
        .unwrap();
    let err = conn.execute(text(nan), ()).unwrap_err();
    assert!(err.to_string().contains("NaN"), "{err}");
}

#[test]
fn a_connect_hook_runs_statements_through_the_client() {
    let Some(b) = db("hook_client") else { return };
    let engine = Engine::builder(&b.url())
        .on_connect(|conn| {
            let pg = conn
                .as_any_mut()
                .downcast_mut::<sqlcore::driver::postgres::PgConnection>()
                .expect("a PostgreSQL connection");
            pg.with_client(async |client| {
                client
                    .batch_execute("SET application_name TO 'sqlcore_hook'")
                    .await
            })
        })
        .build()
        .unwrap();
    let mut conn = engine.connect().unwrap();
    let name: String = scalar(&mut conn, "SELECT current_setting('application_name')");
    assert_eq!(name, "sqlcore_hook");
}

/// A disconnect met by a savepoint (and caught) invalidates the connection as any statement's
/// does; the transaction then never commits, and the error carries the disconnect.
#[test]
fn a_caught_savepoint_disconnect_never_commits() {
    let Some(b) = db("caught_savepoint") else {
        return;
    };
    let engine = common::people::engine_with_schema(&b.url());
    let spare = engine.connect().unwrap().connection_id();
    let mut conn = engine.connect().unwrap();
    let mut tx = conn.begin().unwrap();
    tx.execute(
        insert(&common::people::users()),
        params! { "name" => "lost" },
    )
    .unwrap();
    terminate(backend_pid(&mut tx));
    // Best effort: a savepoint that fails is ignored by the caller.
    let failed = tx.begin_nested().map(drop).unwrap_err();
    assert!(failed.connection_invalidated(), "{failed}");
    assert!(
        tx.invalidated(),
        "the savepoint's disconnect invalidated the connection"
    );
    let err = tx.commit().unwrap_err();
    match &err {
        Error::PendingRollback {
            cause: Some(cause), ..
        } => assert!(cause.connection_invalidated(), "{cause}"),
        other => panic!("expected PendingRollback with its cause, got {other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
    conn.rollback().unwrap();

    // The same through engine.transaction(): the closure swallowed the failure.
    let outcome = engine.transaction(|c| {
        c.execute(
            insert(&common::people::users()),
            params! { "name" => "closure" },
        )?;
        terminate(backend_pid(c));
        let _ = c.begin_nested().map(drop);
        Ok(())
    });
    assert!(
        matches!(outcome, Err(Error::PendingRollback { cause: Some(_), .. })),
        "{outcome:?}"
    );
    let mut fresh = engine.connect().unwrap();
    assert_eq!(common::people::rows_in(&mut fresh, "users"), 0);
    assert_ne!(
        fresh.connection_id(),
        spare,
        "the pool replaced the connections opened before the disconnect"
    );
}

/// The connection dies while COMMIT runs (a deferred trigger ends its own backend): the error
/// says the outcome is unknown, and the connection is invalidated.
#[test]
fn a_connection_lost_during_commit_reports_an_unknown_outcome() {
    let Some(b) = db("lost_commit") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    for ddl in [
        "CREATE TABLE t (x INTEGER)",
        "CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(1); RETURN NULL; END $$",
        "CREATE CONSTRAINT TRIGGER die_at_commit AFTER INSERT ON t
           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION die()",
    ] {
        conn.execute(text(ddl), ()).unwrap();
    }
    conn.commit().unwrap();
    conn.execute(text("INSERT INTO t VALUES (1)"), ()).unwrap();
    let err = conn.commit().unwrap_err();
    assert!(
        matches!(&err, Error::CommitOutcomeUnknown(db) if db.connection_invalidated),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("may or may not have been committed"),
        "{err}"
    );
    assert!(err.connection_invalidated());
    assert!(conn.invalidated());
    assert!(
        !conn.in_transaction(),
        "the transaction ended with the connection"
    );
    // The connection goes on with a new database connection.
    let n: i64 = common::people::scalar(&mut conn, "SELECT count(*) FROM t");
    assert_eq!(n, 0, "this COMMIT did not happen");
}

#[test]
fn the_sqlite_begin_execution_option_is_ignored() {
    // As SQLAlchemy's dialect-specific execution options: other backends ignore it, so one
    // set of options serves every backend. (The engine builder's refuses: see engine_sqlite.)
    let Some(b) = db("sqlite_begin_ignored") else {
        return;
    };
    let engine = create_engine(&b.url())
        .unwrap()
        .execution_options(ExecutionOptions::default().sqlite_begin(SqliteBegin::Exclusive));
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE t (x INTEGER)"), ())
        .unwrap();
    assert!(conn.in_transaction());
    conn.commit().unwrap();
    let mut tx = conn.begin().unwrap();
    tx.execute(
        text("INSERT INTO t VALUES (1)")
            .execution_options(|o| o.sqlite_begin(SqliteBegin::Immediate)),
        (),
    )
    .unwrap();
    tx.commit().unwrap();
    assert_eq!(scalar::<i64>(&mut conn, "SELECT count(*) FROM t"), 1);
}

#[test]
fn names_at_the_identifier_limit_round_trip_and_longer_ones_are_refused() {
    let Some(b) = db("long_names") else { return };
    let engine = create_engine(&b.url()).unwrap();
    // 63 bytes: created, found by drop_all's check, dropped. Its column index's generated
    // name (`ix_<63>_<col>`) is shortened, not refused.
    let name = "t".repeat(63);
    let t = Table::new(name.as_str())
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("v", SqlType::Integer).index());
    let mut md = MetaData::new();
    md.add(t.clone()).unwrap();
    md.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    assert!(conn.table_names(None).unwrap().contains(&name));
    drop(conn);
    md.drop_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    assert!(!conn.table_names(None).unwrap().contains(&name));
    drop(conn);

    // 64 bytes: an error before anything reaches the server.
    let mut md = MetaData::new();
    md.add(Table::new("u".repeat(64)).column(Column::new("id", SqlType::Integer)))
        .unwrap();
    let err = md.create_all(&engine).unwrap_err();
    assert!(err.to_string().contains("63"), "{err}");
    let mut conn = engine.connect().unwrap();
    assert!(conn.table_names(None).unwrap().is_empty());

    // A generated label past the limit is shortened in the SQL; the row keeps the full key.
    let col = "c".repeat(63);
    let s = Table::new("s").column(Column::new(col.as_str(), SqlType::Integer));
    let mut md = MetaData::new();
    md.add(s.clone()).unwrap();
    md.create_all(&mut conn).unwrap();
    conn.execute(insert(&s), params! { col.clone() => 7 })
        .unwrap();
    let (a, b2) = (s.alias("a"), s.alias("b"));
    let sq = select([a.c(&col), b2.c(&col)]).subquery("sq");
    let second = format!("{col}_1");
    let row = conn
        .execute(select([sq.c(&col), sq.c(&second)]), ())
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row.get::<i32>(col.as_str()).unwrap(), 7);
    assert_eq!(row.get::<i32>(second.as_str()).unwrap(), 7);
}
