//! MySQL / MariaDB specifics, on the MariaDB test server (`SQLCORE_TEST_MYSQL_URL`, a database
//! per test): URL forms and the server check, the unix socket, every value kind both ways, error kinds, the
//! constructs only MySQL has (ON DUPLICATE KEY UPDATE, LIMIT forms) and RETURNING on MariaDB,
//! `inserted_primary_key` from LAST_INSERT_ID(), isolation levels, unbuffered streamed
//! results, the per-connection statement cache, and a killed connection.
#![cfg(feature = "mysql")]

mod common;

use common::backend::TestDb;
use common::mysql;
use sqlcore::*;

fn db(name: &str) -> Option<TestDb> {
    TestDb::mariadb(name)
}

/// The single value `sql` returns.
fn scalar<T: FromValue>(conn: &mut Connection, sql: &str) -> T {
    conn.execute(text(sql), ()).unwrap().scalar_one().unwrap()
}

#[test]
fn url_forms_pick_the_dialect_and_the_server_is_checked() {
    let Some(b) = db("url_forms") else { return };
    let database = b.schema().unwrap().to_owned();
    for (scheme, dialect) in [
        ("mysql", "mysql"),
        ("mysql+mysqldb", "mysql"),
        ("mysql+pymysql", "mysql"),
        ("mariadb", "mariadb"),
        ("mariadb+mariadbconnector", "mariadb"),
    ] {
        let engine = create_engine(&mysql::url_for(scheme, &database)).unwrap();
        assert_eq!(engine.dialect().name(), dialect, "{scheme}");
        let mut conn = engine.connect().unwrap();
        let db_name: String = scalar(&mut conn, "SELECT DATABASE()");
        assert_eq!(db_name, database, "{scheme}");
        let charset: String = scalar(&mut conn, "SELECT @@character_set_client");
        assert_eq!(charset, "utf8mb4", "{scheme}: utf8mb4 by default");
        let zone: String = scalar(&mut conn, "SELECT @@session.time_zone");
        assert_eq!(zone, "+00:00", "{scheme}");
    }
    // The password never shows, also when the server refuses it.
    let url = mysql::url_for("mysql", &database).replace("://root@", "://root:n0t-th1s@");
    let err = create_engine(&url).unwrap().connect().unwrap_err();
    assert!(
        matches!(err.as_db_error(), Some(e) if e.kind == DbErrorKind::Operational),
        "{err}"
    );
    assert!(!err.to_string().contains("n0t-th1s"), "{err}");
    let err = create_engine(&format!("{url}?charset=latin1")).unwrap_err();
    assert!(matches!(err, Error::Argument(_)), "{err}");
}

/// `unix_socket` connects through the server's socket (`@@socket`) instead of TCP: the server
/// sees the session come from `localhost` without a port.
#[test]
fn unix_socket_connects() {
    let Some(b) = db("unix_socket") else { return };
    let database = b.schema().unwrap().to_owned();
    let from = "SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()";
    let mut tcp = create_engine(&b.url()).unwrap().connect().unwrap();
    let socket: String = scalar(&mut tcp, "SELECT @@socket");
    let tcp_host: String = scalar(&mut tcp, from);
    assert!(tcp_host.contains(':'), "TCP from {tcp_host}");
    for scheme in ["mysql", "mariadb"] {
        let url = format!("{}?unix_socket={socket}", mysql::url_for(scheme, &database));
        let mut conn = create_engine(&url).unwrap().connect().unwrap();
        let host: String = scalar(&mut conn, from);
        assert_eq!(host, "localhost", "{url}");
        let db_name: String = scalar(&mut conn, "SELECT DATABASE()");
        assert_eq!(db_name, database);
    }
    let url = format!(
        "{}?unix_socket=/nonexistent/mysqld.sock",
        mysql::url_for("mysql", &database)
    );
    let err = create_engine(&url).unwrap().connect().unwrap_err();
    assert!(
        matches!(err.as_db_error(), Some(e) if e.kind == DbErrorKind::Operational),
        "{err}"
    );
}

fn all_types() -> Table {
    Table::new("all_types")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("small", SqlType::SmallInteger))
        .column(Column::new("big", SqlType::BigInteger))
        .column(Column::new("exact", SqlType::Numeric(Some(30), Some(6))))
        .column(Column::new("dbl", SqlType::Double))
        .column(Column::new("real", SqlType::Real))
        .column(Column::new("name", SqlType::String(Some(30))))
        .column(Column::new("code", SqlType::Char(Some(3))))
        .column(Column::new("body", SqlType::Text))
        .column(Column::new("flag", SqlType::Boolean))
        .column(Column::new("day", SqlType::Date))
        .column(Column::new("at_time", SqlType::Time { precision: Some(6) }))
        .column(Column::new(
            "at",
            SqlType::DateTime {
                timezone: false,
                precision: Some(6),
            },
        ))
        .column(Column::new(
            "at_tz",
            SqlType::DateTime {
                timezone: true,
                precision: Some(6),
            },
        ))
        .column(Column::new("blob", SqlType::LargeBinary))
        .column(Column::new("uid", SqlType::Uuid))
        .column(Column::new("doc", SqlType::Json))
}

#[test]
fn every_value_kind_round_trips() {
    use chrono::{NaiveDate, TimeZone, Utc};
    let Some(b) = db("every_value_kind") else {
        return;
    };
    let engine = create_engine(&b.url()).unwrap();
    let t = all_types();
    let mut md = MetaData::new();
    md.add(t.clone()).unwrap();
    md.create_all(&engine).unwrap();
    let exact: rust_decimal::Decimal = "123456789012345678901234.123456".parse().unwrap();
    let at = NaiveDate::from_ymd_opt(2024, 2, 29)
        .unwrap()
        .and_hms_micro_opt(23, 59, 58, 123_456)
        .unwrap();
    let at_tz = Utc.with_ymd_and_hms(2024, 3, 1, 12, 30, 15).unwrap()
        + chrono::Duration::microseconds(654_321);
    let uid = uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
    let doc = serde_json::json!({"a": [1, 2.5, null, "x"], "b": {"c": true}});
    let mut conn = engine.connect().unwrap();
    conn.execute(
        insert(&t).values(params! {
            "id" => 1,
            "small" => -32768i16,
            "big" => i64::MAX,
            "exact" => exact,
            "dbl" => 0.1f64,
            "real" => 1.5f32,
            "name" => "héllo 🦀",
            "code" => "abc",
            "body" => "x'; DROP TABLE t; -- \\ \"",
            "flag" => true,
            "day" => NaiveDate::from_ymd_opt(1000, 1, 1).unwrap(),
            "at_time" => at.time(),
            "at" => at,
            "at_tz" => at_tz,
            "blob" => vec![0u8, 255, 39, 92],
            "uid" => uid,
            "doc" => Value::from(doc.clone()),
        }),
        (),
    )
    .unwrap();
    conn.execute(insert(&t).values(params! { "id" => 2 }), ())
        .unwrap();
    conn.commit().unwrap();
    let row = conn
        .execute(select(&t).filter(t.c("id").eq(1)), ())
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row.get::<i16>("small").unwrap(), -32768);
    assert_eq!(row.get::<i64>("big").unwrap(), i64::MAX);
    assert_eq!(row.get::<rust_decimal::Decimal>("exact").unwrap(), exact);
    assert_eq!(row.get::<f64>("dbl").unwrap(), 0.1);
    assert_eq!(row.get::<f32>("real").unwrap(), 1.5);
    assert_eq!(row.get::<String>("name").unwrap(), "héllo 🦀");
    assert_eq!(row.get::<String>("code").unwrap(), "abc");
    assert_eq!(
        row.get::<String>("body").unwrap(),
        "x'; DROP TABLE t; -- \\ \""
    );
    assert_eq!(
        row["flag"],
        Value::Bool(true),
        "BOOLEAN is TINYINT(1), read as a bool"
    );
    assert_eq!(
        row.get::<NaiveDate>("day").unwrap(),
        NaiveDate::from_ymd_opt(1000, 1, 1).unwrap()
    );
    assert_eq!(row.get::<chrono::NaiveTime>("at_time").unwrap(), at.time());
    assert_eq!(
        row.get::<chrono::NaiveDateTime>("at").unwrap(),
        at,
        "DATETIME(6) keeps microseconds"
    );
    assert_eq!(row.get::<chrono::DateTime<Utc>>("at_tz").unwrap(), at_tz);
    assert_eq!(row.get::<Vec<u8>>("blob").unwrap(), vec![0u8, 255, 39, 92]);
    assert_eq!(row.get::<uuid::Uuid>("uid").unwrap(), uid, "CHAR(36)");
    assert_eq!(row["doc"], Value::from(doc.clone()));
    // Without declared types (text()), values read as the server describes them.
    let raw = conn
        .execute(
            text("SELECT exact, uid, at, flag FROM all_types WHERE id = 1"),
            (),
        )
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(raw["exact"], Value::Decimal(exact));
    assert_eq!(raw["uid"], Value::Text(uid.hyphenated().to_string()));
    assert_eq!(raw["at"], Value::Timestamp(at));
    assert_eq!(raw["flag"], Value::I64(1));
    // NULLs of every kind.
    let nulls = conn
        .execute(select(&t).filter(t.c("id").eq(2)), ())
        .unwrap()
        .one()
        .unwrap();
    for i in 1..nulls.len() {
        assert_eq!(nulls[i], Value::Null, "column {i}");
    }
    // Bound in a WHERE clause, the exact decimal finds its row.
    let found: i64 = conn
        .execute(select([t.c("id")]).filter(t.c("exact").eq(exact)), ())
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(found, 1);
    // MySQL has no interval type: the value is refused, not bound as something else.
    let err = conn
        .execute(
            text("SELECT :i"),
            params! { "i" => Value::Interval(Interval::new(0, 1, 0)) },
        )
        .unwrap_err();
    assert_eq!(
        err.as_db_error().map(|e| e.kind),
        Some(DbErrorKind::Data),
        "{err}"
    );
}

#[test]
fn errors_have_kinds_and_reasons() {
    let Some(b) = db("errors") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(
        text("CREATE TABLE p (id INTEGER PRIMARY KEY) ENGINE=InnoDB"),
        (),
    )
    .unwrap();
    conn.execute(
        text("CREATE TABLE c (pid INTEGER NOT NULL, FOREIGN KEY (pid) REFERENCES p (id)) ENGINE=InnoDB"),
        (),
    )
    .unwrap();
    conn.execute(text("INSERT INTO p VALUES (1)"), ()).unwrap();
    conn.execute(text("INSERT INTO c VALUES (1)"), ()).unwrap();
    conn.commit().unwrap();
    let mut fails = |sql: &str| {
        let err = conn.execute(text(sql), ()).unwrap_err();
        conn.rollback().unwrap();
        err.as_db_error()
            .cloned()
            .unwrap_or_else(|| panic!("{sql}: {err}"))
    };
    let dup = fails("INSERT INTO p VALUES (1)");
    assert_eq!(
        (dup.kind, dup.reason),
        (DbErrorKind::Integrity, Some(DbErrorReason::UniqueViolation))
    );
    assert_eq!(dup.sqlstate.as_deref(), Some("23000"));
    assert!(dup.message.contains("1062"), "{}", dup.message);
    let fk = fails("INSERT INTO c VALUES (2)");
    assert_eq!(
        (fk.kind, fk.reason),
        (
            DbErrorKind::Integrity,
            Some(DbErrorReason::ForeignKeyViolation)
        )
    );
    let parent = fails("DELETE FROM p");
    assert_eq!(parent.reason, Some(DbErrorReason::ForeignKeyViolation));
    let not_null = fails("INSERT INTO c VALUES (NULL)");
    assert_eq!(not_null.reason, Some(DbErrorReason::NotNullViolation));
    let syntax = fails("SELEC 1");
    assert_eq!(syntax.kind, DbErrorKind::Programming);
    let missing = fails("SELECT * FROM no_such_table");
    assert_eq!(missing.kind, DbErrorKind::Programming);
    assert!(!missing.connection_invalidated);
    // The connection is fine after each.
    assert_eq!(scalar::<i64>(&mut conn, "SELECT COUNT(*) FROM p"), 1);
}

fn kv() -> Table {
    Table::new("kv")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("k", SqlType::String(Some(10))).unique())
        .column(Column::new("v", SqlType::String(Some(10))))
        .column(Column::new("hits", SqlType::Integer).default(0))
}

#[test]
fn mysql_constructs_execute() {
    let Some(b) = db("constructs") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let kv = kv();
    let mut md = MetaData::new();
    md.add(kv.clone()).unwrap();
    md.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    // inserted_primary_key from LAST_INSERT_ID().
    let r = conn
        .execute(insert(&kv).values(params! { "k" => "a", "v" => "1" }), ())
        .unwrap();
    assert_eq!(
        r.inserted_primary_key().unwrap().get::<i64>("id").unwrap(),
        1
    );
    let r = conn
        .execute(insert(&kv).values(params! { "k" => "b", "v" => "2" }), ())
        .unwrap();
    assert_eq!(
        r.inserted_primary_key().unwrap().get::<i64>("id").unwrap(),
        2
    );
    // ON DUPLICATE KEY UPDATE, as snapshotted in snapshots/mysql/on_duplicate_key_update.snap.
    let upsert = || {
        insert(&kv)
            .values(params! { "k" => "a", "v" => "9" })
            .on_duplicate_key_update([("v", excluded("v")), ("hits", kv.c("hits") + 1)])
    };
    for _ in 0..2 {
        conn.execute(upsert(), ()).unwrap();
    }
    let (v, hits): (String, i64) = conn
        .execute(
            select([kv.c("v"), kv.c("hits")]).filter(kv.c("k").eq("a")),
            (),
        )
        .unwrap()
        .one()
        .map(|r| (r.get("v").unwrap(), r.get("hits").unwrap()))
        .unwrap();
    assert_eq!((v.as_str(), hits), ("9", 2));
    conn.execute_many(
        insert(&kv),
        (0..20).map(|i| params! { "k" => format!("m{i}"), "v" => format!("{i}") }),
    )
    .unwrap();
    // LIMIT forms: LIMIT, LIMIT with OFFSET, OFFSET alone (LIMIT 18446744073709551615).
    let ids = |conn: &mut Connection, q: Select| -> Vec<i64> {
        conn.execute(q, ()).unwrap().scalars().all().unwrap()
    };
    let q = || select([kv.c("id")]).order_by([kv.c("id").asc()]);
    // (The upserts' attempts used up AUTO_INCREMENT values: ids have gaps.)
    let all = ids(&mut conn, q());
    assert_eq!(all.len(), 22);
    assert_eq!(ids(&mut conn, q().limit(2)), all[..2]);
    assert_eq!(ids(&mut conn, q().limit(2).offset(1)), all[1..3]);
    assert_eq!(ids(&mut conn, q().offset(20)), all[20..]);
    conn.commit().unwrap();
}

#[test]
fn returning_on_mariadb_and_its_limits() {
    let Some(b) = db("returning") else { return };
    let engine = create_engine(&b.url()).unwrap();
    assert_eq!(engine.dialect().name(), "mariadb");
    let kv = kv();
    let mut md = MetaData::new();
    md.add(kv.clone()).unwrap();
    md.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    let r = conn
        .execute(
            insert(&kv)
                .values(params! { "k" => "a", "v" => "1" })
                .returning([kv.c("id"), kv.c("hits")]),
            (),
        )
        .unwrap();
    assert_eq!(r.rowcount(), 1);
    let row = r.one().unwrap();
    assert_eq!(
        (
            row.get::<i64>("id").unwrap(),
            row.get::<i64>("hits").unwrap()
        ),
        (1, 0)
    );
    // executemany with RETURNING: rows in input order.
    let ids: Vec<String> = conn
        .execute_many(
            insert(&kv).returning([kv.c("k")]),
            ["x", "y", "z"].map(|k| params! { "k" => k }),
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(ids, ["x", "y", "z"]);
    let r = conn
        .execute(
            delete(&kv).filter(kv.c("k").ne("a")).returning([kv.c("k")]),
            (),
        )
        .unwrap();
    assert_eq!(r.scalars::<String>().all().unwrap().len(), 3);
    // MariaDB has no UPDATE … RETURNING, and MySQL no RETURNING: CompileErrors, nothing sent.
    let err = conn
        .execute(
            update(&kv)
                .values(params! { "v" => "2" })
                .returning([kv.c("id")]),
            (),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Compile(_)), "{err}");
    let mysql_engine = create_engine(&mysql::url_for("mysql", b.schema().unwrap())).unwrap();
    let err = mysql_engine
        .connect()
        .unwrap()
        .execute(delete(&kv).returning([kv.c("id")]), ())
        .unwrap_err();
    assert!(matches!(err, Error::Compile(_)), "{err}");
    assert_eq!(scalar::<i64>(&mut conn, "SELECT COUNT(*) FROM kv"), 1);
}

#[test]
fn isolation_levels_and_autocommit() {
    let Some(b) = db("isolation") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    assert_eq!(
        conn.get_isolation_level().unwrap(),
        IsolationLevel::RepeatableRead
    );
    for level in [
        IsolationLevel::ReadUncommitted,
        IsolationLevel::ReadCommitted,
        IsolationLevel::RepeatableRead,
        IsolationLevel::Serializable,
    ] {
        let mut conn = engine.connect().unwrap();
        conn.execution_options(ExecutionOptions::default().isolation_level(level))
            .unwrap();
        assert_eq!(conn.get_isolation_level().unwrap(), level);
    }
    conn.execute(text("CREATE TABLE t (x INTEGER)"), ())
        .unwrap();
    conn.commit().unwrap();
    // AUTOCOMMIT: each statement commits on its own; another connection sees it at once.
    let mut auto = engine.connect().unwrap();
    auto.execution_options(ExecutionOptions::default().isolation_level(IsolationLevel::Autocommit))
        .unwrap();
    auto.execute(text("INSERT INTO t VALUES (1)"), ()).unwrap();
    assert!(!auto.in_transaction());
    let mut other = engine.connect().unwrap();
    assert_eq!(scalar::<i64>(&mut other, "SELECT COUNT(*) FROM t"), 1);
    // READ UNCOMMITTED sees another transaction's uncommitted row.
    other.rollback().unwrap();
    let mut dirty = engine.connect().unwrap();
    dirty
        .execution_options(
            ExecutionOptions::default().isolation_level(IsolationLevel::ReadUncommitted),
        )
        .unwrap();
    let mut writer = engine.connect().unwrap();
    writer
        .execute(text("INSERT INTO t VALUES (2)"), ())
        .unwrap();
    assert_eq!(scalar::<i64>(&mut dirty, "SELECT COUNT(*) FROM t"), 2);
    writer.rollback().unwrap();
    dirty.rollback().unwrap();
    assert_eq!(scalar::<i64>(&mut dirty, "SELECT COUNT(*) FROM t"), 1);
}

#[test]
fn streamed_results_are_read_as_they_arrive() {
    let Some(b) = db("stream") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execution_options(
        ExecutionOptions::default()
            .stream_results(true)
            .max_row_buffer(100),
    )
    .unwrap();
    // MariaDB's sequence engine: 100,000 rows generated as they are sent.
    let mut result = conn
        .execute(
            text("SELECT seq AS n, CONCAT('row ', seq) AS label FROM seq_1_to_100000"),
            (),
        )
        .unwrap();
    let (mut count, mut sum) = (0i64, 0i64);
    for row in result.by_ref() {
        let row = row.unwrap();
        count += 1;
        sum += row.get::<i64>("n").unwrap();
        if count == 1 {
            assert_eq!(row.get::<String>("label").unwrap(), "row 1");
        }
    }
    assert_eq!((count, sum), (100_000, 5_000_050_000));
    drop(result);
    // Another statement on the connection mid-stream closes the unread result: it is read to
    // its end first (MySQL runs nothing else meanwhile), and then reports itself closed.
    let mut result = conn
        .execute(text("SELECT seq FROM seq_1_to_100000"), ())
        .unwrap();
    let first = result.fetchmany(10).unwrap();
    assert_eq!(first.len(), 10);
    assert_eq!(scalar::<i64>(&mut conn, "SELECT 42"), 42);
    let rest: Result<Vec<Row>> = result.by_ref().collect();
    assert!(
        matches!(rest, Err(Error::ResourceClosed(_))),
        "{:?}",
        rest.map(|r| r.len())
    );
    // A streamed statement without rows gives its counts.
    conn.execute(text("CREATE TABLE t (x INTEGER)"), ())
        .unwrap();
    let r = conn
        .execute(text("INSERT INTO t SELECT seq FROM seq_1_to_5"), ())
        .unwrap();
    assert_eq!(r.rowcount(), 5);
}

#[test]
fn prepared_statements_are_cached_bounded_and_closed_on_eviction() {
    let Some(b) = db("stmt_cache") else { return };
    let engine = Engine::builder(&b.url())
        .statement_cache_size(2)
        .build()
        .unwrap();
    let mut conn = engine.connect().unwrap();
    let status = |conn: &mut Connection, name: &str| -> i64 {
        let v: String = conn
            .execute(text(&format!("SHOW SESSION STATUS LIKE '{name}'")), ())
            .unwrap()
            .one()
            .unwrap()
            .get(1)
            .unwrap();
        v.parse().unwrap()
    };
    let prepared = status(&mut conn, "Com_stmt_prepare");
    for _ in 0..10 {
        assert_eq!(scalar::<i64>(&mut conn, "SELECT 1 + 1"), 2);
    }
    let after = status(&mut conn, "Com_stmt_prepare");
    // `SELECT 1 + 1` once (and the SHOW at most once more): not once per execution.
    assert!(after - prepared <= 3, "prepared {} times", after - prepared);
    let closed = status(&mut conn, "Com_stmt_close");
    for i in 0..5 {
        assert_eq!(scalar::<i64>(&mut conn, &format!("SELECT {i}")), i);
    }
    let closed_after = status(&mut conn, "Com_stmt_close");
    assert!(
        closed_after - closed >= 4,
        "evicted statements are closed: {}",
        closed_after - closed
    );
    // A statement run again at once reuses its preparation; three statements taking turns in
    // a cache of two are each evicted and prepared again, never run once closed.
    let prepared = status(&mut conn, "Com_stmt_prepare");
    for round in 0..3 {
        for i in 10..13 {
            for _ in 0..3 {
                assert_eq!(
                    scalar::<i64>(&mut conn, &format!("SELECT {i}")),
                    i,
                    "{round}"
                );
            }
        }
    }
    let after = status(&mut conn, "Com_stmt_prepare");
    assert!(
        after - prepared <= 10,
        "prepared {} times",
        after - prepared
    );
}

#[test]
fn a_killed_connection_is_invalidated_and_replaced() {
    use ::mysql::prelude::Queryable;
    let Some(b) = db("killed") else { return };
    let engine = Engine::builder(&b.url())
        .pool_pre_ping(true)
        .build()
        .unwrap();
    let mut admin = mysql::connect().unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE t (x INTEGER)"), ())
        .unwrap();
    conn.commit().unwrap();
    let id: i64 = scalar(&mut conn, "SELECT CONNECTION_ID()");
    conn.commit().unwrap();
    admin.query_drop(format!("KILL {id}")).unwrap();
    let err = conn.execute(text("SELECT 1"), ()).unwrap_err();
    assert!(err.connection_invalidated(), "{err}");
    assert!(conn.invalidated());
    conn.rollback().unwrap();
    let again: i64 = scalar(&mut conn, "SELECT CONNECTION_ID()");
    assert_ne!(again, id);
    drop(conn);
    // Pre-ping: a pooled connection killed while idle is replaced at checkout.
    let mut conn = engine.connect().unwrap();
    let id: i64 = scalar(&mut conn, "SELECT CONNECTION_ID()");
    drop(conn);
    admin.query_drop(format!("KILL {id}")).unwrap();
    let mut conn = engine.connect().unwrap();
    let fresh: i64 = scalar(&mut conn, "SELECT CONNECTION_ID()");
    assert_ne!(fresh, id);
}

/// One bound value used in several places is one parameter of the statement, bound at each of
/// MySQL's positional `?` (tests/bind_identity.rs holds this for the numbered placeholders).
#[test]
fn one_bound_value_is_bound_at_each_place() {
    let Some(b) = db("bind_identity") else { return };
    let engine = create_engine(&b.url()).unwrap();
    let t = Table::new("events")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("at", SqlType::DATETIME))
        .column(Column::new("amount", SqlType::Integer));
    let mut md = MetaData::new();
    md.add(t.clone()).unwrap();
    md.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute_many(
        insert(&t),
        [("2024-01-03", 10), ("2024-01-20", 20), ("2024-02-01", 30)].map(|(day, amount)| {
            let at = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
            params! { "at" => at.and_hms_opt(10, 0, 0).unwrap(), "amount" => amount }
        }),
    )
    .unwrap();
    let month = func("date_format", (t.c("at"), literal("%Y-%m"))).label("period");
    let stmt = select([month.clone(), sum(t.c("amount")).label("total")])
        .group_by(month.clone())
        .order_by(month);
    let compiled = stmt.compile(engine.dialect()).unwrap();
    // SELECT and GROUP BY (ORDER BY names the label).
    assert_eq!(compiled.sql.matches('?').count(), 2, "{}", compiled.sql);
    // One slot per `?`, both the one bound value.
    assert_eq!(compiled.params.len(), 2);
    assert_eq!(compiled.params[0].name, compiled.params[1].name);
    let bound = compiled.bind(&Params::new()).unwrap();
    assert_eq!(bound.values, [Value::from("%Y-%m"), Value::from("%Y-%m")]);
    let rows: Vec<(String, i64)> = conn
        .execute(stmt, ())
        .unwrap()
        .all()
        .unwrap()
        .iter()
        .map(|r| (r.get("period").unwrap(), r.get("total").unwrap()))
        .collect();
    assert_eq!(
        rows,
        [("2024-01".to_owned(), 30), ("2024-02".to_owned(), 30)]
    );
}
