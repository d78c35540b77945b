//! Connections, transactions and results on every backend — SQLite (a file per test) and
//! PostgreSQL (a schema per test).

mod common;

use common::backend::TestDb;
use common::people::*;
use sqlcore::*;

fn a_failed_commit_can_be_rolled_back(b: &TestDb) {
    let engine = builder(&b.url()).build().unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE p (id INTEGER PRIMARY KEY)"), ())
        .unwrap();
    conn.execute(
        text("CREATE TABLE c (pid INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)"),
        (),
    )
    .unwrap();
    conn.commit().unwrap();
    // The violation surfaces at COMMIT, which fails and leaves the transaction open.
    conn.execute(text("INSERT INTO c VALUES (42)"), ()).unwrap();
    let err = conn.commit().unwrap_err();
    assert_eq!(
        err.as_db_error().map(|e| e.kind),
        Some(DbErrorKind::Integrity)
    );
    // SQLite keeps the transaction the COMMIT could not end; PostgreSQL ends it.
    assert_eq!(conn.in_transaction(), !b.is_postgres());
    conn.rollback().unwrap();
    assert!(!conn.in_transaction());
    conn.execute(text("INSERT INTO p VALUES (1)"), ()).unwrap();
    conn.commit().unwrap();
    assert_eq!(rows_in(&mut conn, "p"), 1);
    assert_eq!(rows_in(&mut conn, "c"), 0);
}

fn inserted_primary_key_is_null_when_nothing_was_inserted(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let mut conn = engine.connect().unwrap();
    conn.execute(insert(&users()), params! { "id" => 7, "name" => "a" })
        .unwrap();
    conn.execute(insert(&users()), params! { "name" => "b" })
        .unwrap();
    let r = conn
        .execute(
            insert(&users())
                .values(params! { "name" => "c" })
                .on_conflict_do_nothing(Vec::<&str>::new()),
            (),
        )
        .unwrap();
    let newest: i64 = conn
        .execute(
            select([max(users().c("id"))]).filter(users().c("name").eq("c")),
            (),
        )
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(
        r.inserted_primary_key().unwrap().get::<i64>("id").unwrap(),
        newest
    );
    let r = conn
        .execute(
            insert(&users())
                .values(params! { "id" => 7, "name" => "dup" })
                .on_conflict_do_nothing(["id"]),
            (),
        )
        .unwrap();
    assert_eq!(r.rowcount(), 0);
}

fn commit_as_you_go(b: &TestDb) {
    {
        let engine = engine_with_schema(&b.url());
        let mut conn = engine.connect().unwrap();
        assert!(!conn.in_transaction());
        conn.execute(insert(&users()), params! { "name" => "ed" })
            .unwrap();
        assert!(
            conn.in_transaction(),
            "the first statement begins a transaction"
        );
        conn.rollback().unwrap();
        assert!(!conn.in_transaction());
        assert_eq!(rows_in(&mut conn, "users"), 0);
        conn.execute(insert(&users()), params! { "name" => "ed" })
            .unwrap();
        conn.commit().unwrap();
        conn.rollback().unwrap();
        assert_eq!(rows_in(&mut conn, "users"), 1);
    }
}

fn begin_guard_commits_or_rolls_back_on_drop(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let mut conn = engine.connect().unwrap();
    {
        let mut tx = conn.begin().unwrap();
        tx.execute(insert(&users()), params! { "name" => "kept" })
            .unwrap();
        tx.commit().unwrap();
    }
    {
        let mut tx = conn.begin().unwrap();
        tx.execute(insert(&users()), params! { "name" => "dropped" })
            .unwrap();
    }
    {
        let tx = conn.begin().unwrap();
        tx.rollback().unwrap();
    }
    let names: Vec<String> = conn
        .execute(select([users().c("name")]), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(names, ["kept"]);
    conn.execute(text("SELECT 1"), ()).unwrap();
    assert!(
        matches!(conn.begin(), Err(Error::InvalidRequest(_))),
        "autobegun transaction is open"
    );
}

fn savepoints_nest_and_roll_back_alone(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let mut conn = engine.connect().unwrap();
    let mut tx = conn.begin().unwrap();
    tx.execute(insert(&users()), params! { "name" => "outer" })
        .unwrap();
    {
        let mut sp1 = tx.begin_nested().unwrap();
        assert!(sp1.in_nested_transaction());
        let name = sp1.name().to_owned();
        assert_eq!(sp1.get_nested_transaction(), Some(name.as_str()));
        sp1.execute(insert(&users()), params! { "name" => "sp1" })
            .unwrap();
        {
            let mut sp2 = sp1.begin_nested().unwrap();
            sp2.execute(insert(&users()), params! { "name" => "sp2" })
                .unwrap();
            sp2.rollback().unwrap();
        }
        {
            let mut sp3 = sp1.begin_nested().unwrap();
            sp3.execute(insert(&users()), params! { "name" => "sp3" })
                .unwrap();
            sp3.commit().unwrap();
        }
        sp1.commit().unwrap();
    }
    {
        let mut sp4 = tx.begin_nested().unwrap();
        sp4.execute(insert(&users()), params! { "name" => "sp4" })
            .unwrap();
        // dropped: rolled back to the savepoint
    }
    assert!(!tx.in_nested_transaction());
    tx.commit().unwrap();
    let mut names: Vec<String> = conn
        .execute(select([users().c("name")]), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    names.sort();
    assert_eq!(names, ["outer", "sp1", "sp3"]);
}

fn begin_nested_without_a_transaction_begins_one(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let mut conn = engine.connect().unwrap();
    {
        let mut sp = conn.begin_nested().unwrap();
        sp.execute(insert(&users()), params! { "name" => "a" })
            .unwrap();
        sp.commit().unwrap();
    }
    assert!(conn.in_transaction());
    conn.rollback().unwrap();
    assert_eq!(rows_in(&mut conn, "users"), 0);
}

fn engine_begin_commits_and_rolls_back(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    {
        let mut tx = engine.begin().unwrap();
        tx.execute(insert(&users()), params! { "name" => "a" })
            .unwrap();
        tx.commit().unwrap();
    }
    {
        let mut tx = engine.begin().unwrap();
        tx.execute(insert(&users()), params! { "name" => "b" })
            .unwrap();
    }
    let err = engine.transaction(|c| {
        c.execute(insert(&users()), params! { "name" => "c" })?;
        c.execute(
            insert(&users()),
            params! { "id" => 1, "name" => "value-7f3a" },
        )?;
        Ok(())
    });
    let db = err.unwrap_err();
    let db = db.as_db_error().expect("a database error");
    assert_eq!(db.kind, DbErrorKind::Integrity);
    assert_eq!(db.reason, Some(DbErrorReason::UniqueViolation));
    assert!(db.sql.as_deref().unwrap().starts_with("INSERT INTO users"));
    assert_eq!(
        db.param_names.iter().map(|p| &**p).collect::<Vec<_>>(),
        ["id", "name", "param_1"]
    );
    assert!(
        !db.to_string().contains("value-7f3a"),
        "values never appear in errors"
    );
    let mut conn = engine.connect().unwrap();
    assert_eq!(rows_in(&mut conn, "users"), 1);
}

fn core_statements_round_trip_with_types(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let (u, a) = (users(), addresses());
    let mut conn = engine.connect().unwrap();
    let r = conn
        .execute(
            insert(&u).values(params! {
                "name" => "ed",
                "balance" => rust_decimal::Decimal::new(1050, 2),
                "joined" => chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
            }),
            (),
        )
        .unwrap();
    assert_eq!(r.rowcount(), 1);
    let pk = r.inserted_primary_key().unwrap().clone();
    assert_eq!(pk.get::<i64>("id").unwrap(), 1);
    drop(r);
    let n = conn
        .execute_many(
            insert(&a),
            [
                params! { "user_id" => 1, "email" => "ed@x.org" },
                params! { "user_id" => 1, "email" => "ed@y.org" },
            ],
        )
        .unwrap();
    assert_eq!(n.rowcount(), 2);
    let row = conn
        .execute(
            select([
                u.c("name"),
                u.c("active"),
                u.c("balance"),
                u.c("joined"),
                count(a.c("id")).label("n"),
            ])
            .join(&a)
            .group_by([u.c("id")]),
            (),
        )
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row.get::<String>("name").unwrap(), "ed");
    assert!(
        row.get::<bool>("active").unwrap(),
        "client default applied, read back as bool"
    );
    assert_eq!(
        row.get::<rust_decimal::Decimal>("balance").unwrap(),
        rust_decimal::Decimal::new(1050, 2)
    );
    assert_eq!(
        row.get::<chrono::NaiveDate>("joined").unwrap(),
        chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
    );
    assert_eq!(row.get::<i64>("n").unwrap(), 2);
    let err = row.get::<i64>("name").unwrap_err();
    assert!(
        matches!(&err, Error::Conversion { column, expected, found } if column == "name" && *expected == "i64" && *found == "text"),
        "{err}"
    );

    let renamed = update(&u)
        .filter(u.c("id").eq(1))
        .values([("name", u.c("name").concat("!"))]);
    let name: String = if conn.dialect().supports_update_returning() {
        let r = conn.execute(renamed.returning([u.c("name")]), ()).unwrap();
        r.scalar_one().unwrap()
    } else {
        // MariaDB and MySQL have no UPDATE … RETURNING.
        conn.execute(renamed, ()).unwrap();
        conn.execute(select([u.c("name")]).filter(u.c("id").eq(1)), ())
            .unwrap()
            .scalar_one()
            .unwrap()
    };
    assert_eq!(name, "ed!");
    let r = conn
        .execute(delete(&a).filter(a.c("email").endswith("@y.org")), ())
        .unwrap();
    assert_eq!(r.rowcount(), 1);
    let emails: Vec<String> = conn
        .execute(
            select([a.c("email")]).filter(a.c("user_id").in_([1, 2, 3])),
            (),
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(emails, ["ed@x.org"]);
    let none: Vec<String> = conn
        .execute(
            select([a.c("email")]).filter(a.c("user_id").in_(Vec::<i32>::new())),
            (),
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert!(none.is_empty());
}

fn result_methods(b: &TestDb) {
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(text("CREATE TABLE t (id INTEGER, name TEXT)"), ())
        .unwrap();
    conn.execute_many(
        text("INSERT INTO t VALUES (:id, :name)"),
        (1..=3).map(|i| params! { "id" => i, "name" => format!("n{i}") }),
    )
    .unwrap();
    let q = || text("SELECT id, name FROM t ORDER BY id");

    let mut r = conn.execute(q(), ()).unwrap();
    assert_eq!(
        r.keys().iter().map(|k| &**k).collect::<Vec<_>>(),
        ["id", "name"]
    );
    assert!(r.returns_rows());
    // DB-API leaves a SELECT's rowcount to the driver: -1 on SQLite, the row count on
    // PostgreSQL.
    assert_eq!(r.rowcount(), if b.is_postgres() { 3 } else { -1 });
    assert_eq!(r.fetchone().unwrap().unwrap().get::<i64>("id").unwrap(), 1);
    assert_eq!(r.fetchmany(5).unwrap().len(), 2);
    assert!(r.fetchone().unwrap().is_none());
    drop(r);

    let rows: Vec<Row> = conn
        .execute(q(), ())
        .unwrap()
        .collect::<Result<_>>()
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2][1], Value::from("n3"));
    assert_eq!(rows[0].mapping().get("name"), Some(&Value::from("n1")));
    assert_eq!(
        rows[0]
            .clone()
            .into_map()
            .keys()
            .map(|k| &**k)
            .collect::<Vec<_>>(),
        ["id", "name"]
    );
    assert!(matches!(
        rows[0].get::<i64>("nope"),
        Err(Error::NoSuchColumn(_))
    ));

    assert_eq!(
        conn.execute(q(), ())
            .unwrap()
            .first()
            .unwrap()
            .unwrap()
            .get::<i64>(0)
            .unwrap(),
        1
    );
    assert!(matches!(
        conn.execute(q(), ()).unwrap().one(),
        Err(Error::MultipleResultsFound)
    ));
    assert!(matches!(
        conn.execute(text("SELECT 1 WHERE 1 = 0"), ())
            .unwrap()
            .one(),
        Err(Error::NoResultFound)
    ));
    assert!(
        conn.execute(text("SELECT 1 WHERE 1 = 0"), ())
            .unwrap()
            .one_or_none()
            .unwrap()
            .is_none()
    );
    assert_eq!(
        conn.execute(q(), ()).unwrap().scalar::<i64>().unwrap(),
        Some(1)
    );
    assert_eq!(
        conn.execute(text("SELECT 1 WHERE 1 = 0"), ())
            .unwrap()
            .scalar::<i64>()
            .unwrap(),
        None
    );
    assert_eq!(
        conn.execute(text("SELECT 7"), ())
            .unwrap()
            .scalar_one_or_none::<i64>()
            .unwrap(),
        Some(7)
    );
    assert!(matches!(
        conn.execute(q(), ()).unwrap().scalar_one::<i64>(),
        Err(Error::MultipleResultsFound)
    ));
    let ids: Vec<i64> = conn.execute(q(), ()).unwrap().scalars().all().unwrap();
    assert_eq!(ids, [1, 2, 3]);
    let maps = conn.execute(q(), ()).unwrap().mappings().all().unwrap();
    assert_eq!(maps[1]["name"], Value::from("n2"));
    // Every map has the columns in order, each with its own value.
    for map in &maps {
        assert_eq!(map.keys().map(|k| &**k).collect::<Vec<_>>(), ["id", "name"]);
    }
    let rows: Vec<(i64, String)> = maps
        .iter()
        .map(|m| {
            let id = i64::from_value(m["id"].clone()).unwrap();
            (id, String::from_value(m["name"].clone()).unwrap())
        })
        .collect();
    assert_eq!(rows, [(1, "n1".into()), (2, "n2".into()), (3, "n3".into())]);
    let all = conn.execute(q(), ()).unwrap().all().unwrap();
    assert_eq!(all.len(), 3);

    let mut closed = conn.execute(q(), ()).unwrap();
    closed.close();
    assert!(matches!(closed.fetchone(), Err(Error::ResourceClosed(_))));
    drop(closed);
    let mut no_rows = conn
        .execute(text("UPDATE t SET name = 'x' WHERE id > 1"), ())
        .unwrap();
    assert_eq!(no_rows.rowcount(), 2);
    assert!(!no_rows.returns_rows());
    assert!(matches!(no_rows.fetchone(), Err(Error::ResourceClosed(_))));
    drop(no_rows);
    let dup = conn
        .execute(text("SELECT 1 AS a, 2 AS a"), ())
        .unwrap()
        .one()
        .unwrap();
    assert!(
        matches!(dup.get::<i64>("a"), Err(Error::InvalidRequest(_))),
        "ambiguous names are an error"
    );
}

fn text_parameters_are_bound(b: &TestDb) {
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    // MySQL's `||` is OR; its concatenation is CONCAT().
    let sql = if b.is_mysql() {
        "SELECT :a AS a, :b AS b, CONCAT(:a, ':not') AS c"
    } else {
        "SELECT :a AS a, :b AS b, :a || ':not' AS c"
    };
    let row = conn
        .execute(
            text(sql),
            params! { "a" => "x'; DROP TABLE t; --", "b" => None::<i32> },
        )
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row.get::<String>("a").unwrap(), "x'; DROP TABLE t; --");
    assert_eq!(row.get::<Option<i32>>("b").unwrap(), None);
    assert_eq!(row.get::<String>("c").unwrap(), "x'; DROP TABLE t; --:not");
    let err = conn.execute(text("SELECT :missing"), ()).unwrap_err();
    assert!(matches!(
        err,
        Error::Compile(CompileError::MissingParameter { .. })
    ));
}

fn echo_logs_sql_parameters_and_timing_but_no_password(b: &TestDb) {
    let ((), log) = common::with_captured_logs(|| {
        let engine = Engine::builder(&b.url()).echo(true).build().unwrap();
        assert!(engine.echo());
        let mut conn = engine.connect().unwrap();
        for _ in 0..2 {
            let n: i64 = conn
                .execute(text("SELECT :x + 1"), params! { "x" => 41 })
                .unwrap()
                .scalar_one()
                .unwrap();
            assert_eq!(n, 42);
        }
        let quiet = create_engine(&b.url()).unwrap();
        quiet
            .connect()
            .unwrap()
            .execute(text("SELECT 'not logged'"), ())
            .unwrap();
    });
    assert!(
        ["SELECT ?1 + 1", "SELECT $1 + 1", "SELECT ? + 1"]
            .iter()
            .any(|sql| log.contains(sql)),
        "{log}"
    );
    assert!(log.contains("[parameters: [I32(41)]]"), "{log}");
    assert!(log.contains("executed in"), "{log}");
    // As SQLAlchemy's: the first run compiles, the second finds the cached form.
    let generated = log.find("[generated in ").expect("generated in");
    let cached = log.find("[cached since ").expect("cached since");
    assert!(generated < cached, "{log}");
    assert!(!log.contains("not logged"), "{log}");
    let url = "postgresql://scott:tiger-secret@127.0.0.1:1/x";
    assert!(!format!("{:?}", url.parse::<Url>().unwrap()).contains("tiger-secret"));
}

fn execution_options_are_kept(b: &TestDb) {
    let engine = create_engine(&b.url()).unwrap();
    let mut conn = engine.connect().unwrap();
    let map = SchemaTranslateMap::new().map(None, "tenant_1");
    let opts = ExecutionOptions::default()
        .stream_results(true)
        .max_row_buffer(10)
        .compiled_cache(None)
        .schema_translate_map(map);
    conn.execution_options(opts.clone()).unwrap();
    assert_eq!(conn.get_execution_options(), &opts);
    // SQLite produces rows in process: streamed results read the same rows.
    let rows: Vec<i64> = conn.execute(text("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 25) SELECT x FROM n"), ()).unwrap().scalars().all().unwrap();
    assert_eq!(rows.len(), 25);
    assert_eq!(
        "read committed".parse::<IsolationLevel>().unwrap(),
        IsolationLevel::ReadCommitted
    );
    assert!("sometimes".parse::<IsolationLevel>().is_err());
}

fn execute_many_reads_rows_whatever_their_key_order(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let mut conn = engine.connect().unwrap();
    let rows = vec![
        params! { "name" => "a", "active" => true },
        params! { "active" => false, "name" => "b" },
        params! { "name" => "c", "active" => true },
    ];
    let n = conn
        .execute_many(insert(&users()), rows)
        .unwrap()
        .rowcount();
    assert_eq!(n, 3);
    let got: Vec<(String, bool)> = conn
        .execute(
            select([users().c("name"), users().c("active")]).order_by([users().c("name")]),
            (),
        )
        .unwrap()
        .all()
        .unwrap()
        .iter()
        .map(|r| (r.get("name").unwrap(), r.get("active").unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("a".to_owned(), true),
            ("b".to_owned(), false),
            ("c".to_owned(), true)
        ]
    );
    let missing = conn.execute_many(
        insert(&users()),
        vec![params! { "name" => "d" }, params! { "active" => true }],
    );
    assert!(matches!(
        missing,
        Err(Error::Compile(CompileError::MissingParameter { .. }))
    ));
}

fn statements_built_once_execute_by_reference(b: &TestDb) {
    let engine = engine_with_schema(&b.url());
    let mut conn = engine.connect().unwrap();
    let users = users();
    // An INSERT taking its values from the parameters, and its inserted_primary_key, each
    // time: the statement itself is left as it was built.
    let add: Statement = insert(&users).into();
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        let result = conn.execute(&add, params! { "name" => name }).unwrap();
        ids.push(
            result
                .inserted_primary_key()
                .unwrap()
                .get::<i64>("id")
                .unwrap(),
        );
    }
    assert_eq!(add, Statement::from(insert(&users)));
    let by_id: Statement = select([users.c("name")])
        .filter(users.c("id").eq(bindparam("id")))
        .into();
    let names: Vec<String> = ids
        .iter()
        .map(|id| {
            conn.execute(&by_id, params! { "id" => *id })
                .unwrap()
                .scalar_one()
                .unwrap()
        })
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    // One cached entry per statement, however often each ran.
    let cached = engine.cache_stats().size;
    conn.execute(&by_id, params! { "id" => ids[0] }).unwrap();
    assert_eq!(engine.cache_stats().size, cached);
    // With options of its own, still by reference; and in execute_many.
    let uncached = Executable::from(&by_id).execution_options(|o| o.compiled_cache(None));
    let name: String = conn
        .execute(uncached, params! { "id" => ids[1] })
        .unwrap()
        .scalar_one()
        .unwrap();
    assert_eq!(name, "b");
    let n = conn
        .execute_many(&add, [params! { "name" => "d" }, params! { "name" => "e" }])
        .unwrap()
        .rowcount();
    assert_eq!(n, 2);
    assert_eq!(rows_in(&mut conn, "users"), 5);
}

crate::on_every_backend!(
    statements_built_once_execute_by_reference,
    commit_as_you_go,
    begin_guard_commits_or_rolls_back_on_drop,
    savepoints_nest_and_roll_back_alone,
    begin_nested_without_a_transaction_begins_one,
    engine_begin_commits_and_rolls_back,
    core_statements_round_trip_with_types,
    result_methods,
    text_parameters_are_bound,
    echo_logs_sql_parameters_and_timing_but_no_password,
    execution_options_are_kept,
    execute_many_reads_rows_whatever_their_key_order;
    not_on_mariadb:
    a_failed_commit_can_be_rolled_back => "MySQL has no deferrable constraints: a violation never waits for COMMIT",
    inserted_primary_key_is_null_when_nothing_was_inserted => "ON CONFLICT DO NOTHING: MySQL has ON DUPLICATE KEY UPDATE instead (tests/engine_mysql.rs)",
);

// Every test of the suite passes through PgBouncer in transaction pooling mode.
crate::through_pgbouncer!(
    statements_built_once_execute_by_reference,
    a_failed_commit_can_be_rolled_back,
    inserted_primary_key_is_null_when_nothing_was_inserted,
    commit_as_you_go,
    begin_guard_commits_or_rolls_back_on_drop,
    savepoints_nest_and_roll_back_alone,
    begin_nested_without_a_transaction_begins_one,
    engine_begin_commits_and_rolls_back,
    core_statements_round_trip_with_types,
    result_methods,
    text_parameters_are_bound,
    echo_logs_sql_parameters_and_timing_but_no_password,
    execution_options_are_kept,
    execute_many_reads_rows_whatever_their_key_order,
);
