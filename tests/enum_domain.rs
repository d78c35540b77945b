//! Enums and domains on real databases: `create_all` (twice: checkfirst), INSERT, reading,
//! filtering (=, IN), UPDATE and `drop_all`, on SQLite and PostgreSQL; on PostgreSQL also
//! types in other schemas, types another MetaData still uses, `schema_translate_map`, and
//! reflection: values in order, domains with their base, NOT NULL, default and checks, and a
//! round trip of a reflected schema into another one.

mod common;

use common::backend::TestDb;
use common::named_types::{self, mood};
use sqlcore::*;

/// Extra PostgreSQL schemas of a test, dropped at the end.
struct Schemas(Vec<String>);

impl Schemas {
    fn new(names: &[String]) -> Schemas {
        let mut client = common::pg::connect().unwrap();
        for name in names {
            client
                .batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
                ))
                .unwrap();
        }
        Schemas(names.to_vec())
    }
}

impl Drop for Schemas {
    fn drop(&mut self) {
        if let Some(mut client) = common::pg::connect() {
            for name in &self.0 {
                let _ = client.batch_execute(&format!(
                    "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {name} CASCADE"
                ));
            }
        }
    }
}

/// The types named `name` in `schema`, by kind ('e' enum, 'd' domain).
fn pg_types(conn: &mut Connection, schema: &str) -> Vec<(String, String)> {
    conn.execute(
        text(
            "SELECT t.typname::text, t.typtype::text FROM pg_catalog.pg_type t \
             JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
             WHERE n.nspname = :s AND t.typtype IN ('e', 'd') ORDER BY 1",
        ),
        params! {"s" => schema},
    )
    .unwrap()
    .all()
    .unwrap()
    .into_iter()
    .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
    .collect()
}

fn names(conn: &mut Connection, stmt: impl Into<Statement>) -> Vec<String> {
    conn.execute(stmt.into(), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap()
}

/// create_all (twice), insert, read, filter, update, the checks, drop_all.
fn enum_and_domain_columns_work_end_to_end(b: &TestDb) {
    let engine = create_engine(&b.url()).unwrap();
    let md = named_types::metadata();
    md.create_all(&engine).unwrap();
    md.create_all(&engine).unwrap(); // checkfirst: types and tables exist
    let people = md.table("people").unwrap();
    let visits = md.table("visits").unwrap();
    let mut conn = engine.connect().unwrap();
    conn.execute(
        insert(people).values(params! {
            "id" => 1, "name" => "Ann", "feeling" => "happy", "prio" => "low", "score" => 5,
        }),
        (),
    )
    .unwrap();
    // execute_many (multi-row VALUES on PostgreSQL) with a named type in every row.
    conn.execute_many(
        insert(people),
        vec![
            params! {"id" => 2, "name" => "Bob", "feeling" => "sad", "prio" => "high", "score" => 2, "best" => "ok"},
            params! {"id" => 3, "name" => "Cid", "feeling" => "ok", "prio" => "urgent", "score" => 9, "best" => "happy"},
        ],
    )
    .unwrap();
    conn.execute_many(
        insert(visits),
        vec![
            params! {"id" => 1, "person_id" => 1, "feeling" => "ok"},
            params! {"id" => 2, "person_id" => 2, "feeling" => "sad"},
        ],
    )
    .unwrap();
    let row = conn
        .execute(select(people).filter(people.c("id").eq(1)), ())
        .unwrap()
        .one()
        .unwrap();
    assert_eq!(row["feeling"], Value::from("happy"));
    assert_eq!(row["prio"], Value::from("low"));
    assert_eq!(row.get::<i64>("score").unwrap(), 5);
    let best: Option<String> = row.get("best").unwrap();
    // The domain's default on PostgreSQL; no domain (plain VARCHAR) on SQLite.
    assert_eq!(best.as_deref(), b.is_postgres().then_some("happy"));

    let q = select([people.c("name")]).order_by([people.c("id")]);
    assert_eq!(
        names(&mut conn, q.clone().filter(people.c("feeling").eq("sad"))),
        ["Bob"]
    );
    assert_eq!(
        names(
            &mut conn,
            q.clone().filter(people.c("feeling").in_(["happy", "ok"]))
        ),
        ["Ann", "Cid"]
    );
    let named: Vec<String> = conn
        .execute(
            q.clone()
                .filter(people.c("feeling").eq(bindparam("f")))
                .filter(people.c("score").gt(3)),
            params! {"f" => "happy"},
        )
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    assert_eq!(named, ["Ann"]);
    let n = conn
        .execute(
            update(people)
                .values([("feeling", "ok")])
                .filter(people.c("feeling").eq("sad")),
            (),
        )
        .unwrap()
        .rowcount();
    assert_eq!(n, 1);
    assert_eq!(
        names(&mut conn, q.clone().filter(people.c("feeling").eq("ok"))),
        ["Bob", "Cid"]
    );
    // A join filtering on the enum of each table.
    let joined = select([people.c("name")])
        .join(visits)
        .filter(visits.c("feeling").eq("sad"))
        .filter(people.c("feeling").eq("ok"));
    assert_eq!(names(&mut conn, joined), ["Bob"]);

    conn.commit().unwrap();
    // A value outside the enum never reaches the database (a statement of a shape already
    // compiled and cached, so through the compiled cache).
    let err = conn
        .execute(
            update(people)
                .values([("feeling", "meh")])
                .filter(people.c("feeling").eq("sad")),
            (),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::Compile(CompileError::InvalidEnumValue { .. })),
        "{err:?}"
    );
    let err = conn
        .execute_many(
            insert(visits),
            vec![
                params! {"id" => 8, "person_id" => 1, "feeling" => "ok"},
                params! {"id" => 9, "person_id" => 1, "feeling" => "bored"},
            ],
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::Compile(CompileError::InvalidEnumValue { .. })),
        "{err:?}"
    );
    // The non-native enum's CHECK constraint holds against SQL the enum does not see.
    let err = conn
        .execute(text("UPDATE people SET prio = 'bogus' WHERE id = 1"), ())
        .unwrap_err();
    assert!(err.to_string().contains("priority"), "{err}");
    conn.rollback().unwrap();
    if b.is_postgres() {
        // The domain's check and NOT NULL are the server's.
        let err = conn
            .execute(text("UPDATE people SET score = 0 WHERE id = 1"), ())
            .unwrap_err();
        assert!(err.to_string().contains("positive_int_check"), "{err}");
        conn.rollback().unwrap();
    }
    drop(conn);
    md.drop_all(&engine).unwrap();
    md.drop_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    assert!(conn.table_names(None).unwrap().is_empty());
    if let Some(schema) = b.schema().filter(|_| b.is_postgres()) {
        assert!(pg_types(&mut conn, schema).is_empty(), "types dropped");
    }
}

// On MySQL/MariaDB the enum is the column's inline ENUM(…) and a domain its base type.
on_every_backend!(enum_and_domain_columns_work_end_to_end);

fn pg(name: &str) -> Option<TestDb> {
    TestDb::postgres(name)
}

/// Types follow their table's schema unless they have their own; drop_all drops a type only
/// when nothing else uses it any more.
#[test]
fn postgres_types_in_other_schemas_and_shared_types() {
    let Some(b) = pg("types_schemas") else { return };
    let base = b.schema().unwrap().to_owned();
    let (app, shared) = (format!("{base}_app"), format!("{base}_shared"));
    let _schemas = Schemas::new(&[app.clone(), shared.clone()]);
    let engine = create_engine(&b.url()).unwrap();
    let rank = EnumType::new("rank", ["a", "b", "c"]).schema(shared.as_str());
    let mut md = MetaData::new();
    md.add(
        Table::new("items")
            .schema(app.as_str())
            .column(Column::new("id", SqlType::Integer).primary_key())
            .column(Column::new("feeling", SqlType::Enum(mood())))
            .column(Column::new("rank", SqlType::Enum(rank.clone()))),
    )
    .unwrap();
    md.create_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    assert_eq!(pg_types(&mut conn, &app), [("mood".into(), "e".into())]);
    assert_eq!(pg_types(&mut conn, &shared), [("rank".into(), "e".into())]);
    assert!(pg_types(&mut conn, &base).is_empty());
    let items = md.table(&format!("{app}.items")).unwrap();
    conn.execute(
        insert(items).values(params! {"id" => 1, "feeling" => "ok", "rank" => "b"}),
        (),
    )
    .unwrap();
    let ranks = names(
        &mut conn,
        select([items.c("rank")]).filter(items.c("rank").in_(["b", "c"])),
    );
    assert_eq!(ranks, ["b"]);
    conn.commit().unwrap();

    // Another MetaData's table uses the shared enum: drop_all keeps it, and drops it once
    // the other table is gone.
    let mut other = MetaData::new();
    other
        .add(
            Table::new("others")
                .column(Column::new("id", SqlType::Integer).primary_key())
                .column(Column::new("rank", SqlType::Enum(rank))),
        )
        .unwrap();
    other.create_all(&engine).unwrap();
    drop(conn);
    md.drop_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    assert!(pg_types(&mut conn, &app).is_empty(), "mood dropped");
    assert_eq!(
        pg_types(&mut conn, &shared),
        [("rank".into(), "e".into())],
        "rank still used by another table"
    );
    drop(conn);
    other.drop_all(&engine).unwrap();
    let mut conn = engine.connect().unwrap();
    assert!(
        pg_types(&mut conn, &shared).is_empty(),
        "rank dropped with its last table"
    );
    // Without checkfirst, create_all fails on a type that exists; drop_all on one that does not.
    drop(conn);
    other.create_all(&engine).unwrap();
    assert!(other.create_all_checkfirst(&engine, false).is_err());
    other.drop_all_checkfirst(&engine, false).unwrap();
    assert!(other.drop_all_checkfirst(&engine, false).is_err());
}

/// A tenant copy through schema_translate_map creates its own enum and domain.
#[test]
fn postgres_types_follow_schema_translate_map() {
    let Some(b) = pg("types_translate") else {
        return;
    };
    let base = b.schema().unwrap().to_owned();
    let tenants = [format!("{base}_t1"), format!("{base}_t2")];
    let _schemas = Schemas::new(&tenants);
    let engine = create_engine(&b.url()).unwrap();
    let md = named_types::metadata();
    for tenant in &tenants {
        let map = SchemaTranslateMap::new().map(None, tenant.as_str());
        let tenant_engine =
            engine.execution_options(ExecutionOptions::default().schema_translate_map(map));
        md.create_all(&tenant_engine).unwrap();
        md.create_all(&tenant_engine).unwrap();
        let people = md.table("people").unwrap();
        let mut conn = tenant_engine.connect().unwrap();
        conn.execute(
            insert(people).values(params! {"id" => 1, "name" => "Ann", "feeling" => "ok"}),
            (),
        )
        .unwrap();
        let feeling: String = conn
            .execute(
                select([people.c("feeling")])
                    .filter(people.c("feeling").eq("ok"))
                    .filter(people.c("feeling").cast(SqlType::Enum(mood())).in_(["ok"])),
                (),
            )
            .unwrap()
            .scalar_one()
            .unwrap();
        assert_eq!(feeling, "ok");
        conn.commit().unwrap();
        assert_eq!(
            pg_types(&mut conn, tenant),
            [
                ("cheerful".into(), "d".into()),
                ("mood".into(), "e".into()),
                ("positive_int".into(), "d".into())
            ]
        );
    }
    let mut conn = engine.connect().unwrap();
    assert!(
        pg_types(&mut conn, &base).is_empty(),
        "nothing in the default schema"
    );
    drop(conn);
    let map = SchemaTranslateMap::new().map(None, tenants[0].as_str());
    md.drop_all(&engine.execution_options(ExecutionOptions::default().schema_translate_map(map)))
        .unwrap();
    let mut conn = engine.connect().unwrap();
    assert!(pg_types(&mut conn, &tenants[0]).is_empty());
    assert_eq!(
        pg_types(&mut conn, &tenants[1]).len(),
        3,
        "the other tenant's are kept"
    );
}

/// Reflection reads enums with their values in order and domains with their base type, NOT
/// NULL, default and named checks, in one more catalog query however many tables use them.
#[test]
fn postgres_reflects_enums_and_domains() {
    let Some(b) = pg("types_reflect") else { return };
    let base = b.schema().unwrap().to_owned();
    let shared = format!("{base}_shared");
    let _schemas = Schemas::new(std::slice::from_ref(&shared));
    let mut client = common::pg::connect().unwrap();
    client
        .batch_execute(&format!(
            "SET search_path TO {base};
             CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');
             CREATE TYPE {shared}.color AS ENUM ('red', 'green');
             CREATE DOMAIN year AS integer DEFAULT 2000 NOT NULL
                CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);
             CREATE DOMAIN strict_rating AS mpaa_rating NOT NULL;
             CREATE TABLE film (id serial PRIMARY KEY, rating mpaa_rating DEFAULT 'G',
                release_year year, strict strict_rating, color {shared}.color);
             CREATE TABLE film2 (id serial PRIMARY KEY, rating mpaa_rating);"
        ))
        .unwrap();
    // Twenty more tables using the types: still one query for the types.
    for i in 0..20 {
        client
            .batch_execute(&format!(
                "CREATE TABLE {base}.extra_{i} (id serial PRIMARY KEY, r {base}.mpaa_rating, \
                 y {base}.year, c {shared}.color)"
            ))
            .unwrap();
    }
    let (md, log) = common::with_captured_logs(|| {
        let engine = Engine::builder(&b.url()).echo(true).build().unwrap();
        let mut md = MetaData::new();
        md.reflect(&engine).unwrap();
        md
    });
    let queries = log.lines().filter(|l| l.contains("SELECT ")).count();
    assert_eq!(md.len(), 22);
    assert!(queries <= 6, "{queries} catalog queries");
    assert_eq!(
        md.table("extra_19").unwrap().columns["c"].sql_type,
        SqlType::Enum(EnumType::new("color", ["red", "green"]).schema(shared.as_str()))
    );
    let film = md.table("film").unwrap();
    let rating = EnumType::new("mpaa_rating", ["G", "PG", "PG-13", "R", "NC-17"]);
    assert_eq!(
        film.columns["rating"].sql_type,
        SqlType::Enum(rating.clone())
    );
    assert_eq!(
        film.columns["rating"].server_default,
        Some(ServerDefault::Sql("'G'".into()))
    );
    assert_eq!(
        film.columns["release_year"].sql_type,
        SqlType::Domain(
            DomainType::new("year", SqlType::Integer)
                .not_null()
                .default_sql("2000")
                .check(Some("year_check"), "VALUE >= 1901 AND VALUE <= 2155")
        )
    );
    assert_eq!(
        film.columns["strict"].sql_type,
        SqlType::Domain(DomainType::new("strict_rating", SqlType::Enum(rating.clone())).not_null())
    );
    assert_eq!(
        film.columns["color"].sql_type,
        SqlType::Enum(EnumType::new("color", ["red", "green"]).schema(shared.as_str()))
    );
    assert_eq!(
        md.table("film2").unwrap().columns["rating"].sql_type,
        SqlType::Enum(rating)
    );
}

/// A reflected schema with enums and domains, created through `schema_translate_map` in
/// another schema with nothing else on the search path, reflects the same.
#[test]
fn postgres_reflected_types_round_trip_into_another_schema() {
    let Some(b) = pg("types_round_trip") else {
        return;
    };
    let base = b.schema().unwrap().to_owned();
    let (src, dst, shared) = (
        format!("{base}_src"),
        format!("{base}_dst"),
        format!("{base}_shared"),
    );
    let _schemas = Schemas::new(&[src.clone(), dst.clone(), shared.clone()]);
    let mut client = common::pg::connect().unwrap();
    client
        .batch_execute(&format!(
            "SET search_path TO {src};
             CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');
             CREATE TYPE {shared}.color AS ENUM ('red', 'green', 'blue');
             CREATE DOMAIN year AS integer DEFAULT 2000
                CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);
             CREATE DOMAIN code AS varchar(8) NOT NULL CONSTRAINT code_upper CHECK (VALUE = upper(VALUE));
             CREATE DOMAIN strict_rating AS mpaa_rating NOT NULL;
             CREATE TABLE film (id serial PRIMARY KEY, title text NOT NULL,
                rating mpaa_rating DEFAULT 'G', release_year year, strict strict_rating,
                color {shared}.color, code code);
             CREATE TABLE review (id serial PRIMARY KEY, film_id integer REFERENCES film (id),
                rating mpaa_rating NOT NULL);"
        ))
        .unwrap();
    let engine = create_engine(&b.url()).unwrap();
    let reflect = |schema: &str| {
        let mut md = MetaData::new();
        md.reflect_with(&engine, &ReflectOptions::new().schema(schema))
            .unwrap();
        md
    };
    let source = reflect(&src);
    assert_eq!(source.len(), 2);
    {
        let mut conn = engine.connect().unwrap();
        conn.execute(
            text("SELECT pg_catalog.set_config('search_path', '', true)"),
            (),
        )
        .unwrap();
        conn.update_execution_options(|o| {
            o.schema_translate_map(SchemaTranslateMap::new().map(Some(src.as_str()), dst.as_str()))
        })
        .unwrap();
        source.create_all(&mut conn).unwrap();
        let review = source.table(&format!("{src}.review")).unwrap();
        let film = source.table(&format!("{src}.film")).unwrap();
        conn.execute(
            insert(film)
                .values(params! {"id" => 1, "title" => "Up", "strict" => "PG", "code" => "UP"}),
            (),
        )
        .unwrap();
        conn.execute(
            insert(review).values(params! {"id" => 1, "film_id" => 1, "rating" => "R"}),
            (),
        )
        .unwrap();
        let row = conn
            .execute(select(film).filter(film.c("rating").eq("G")), ())
            .unwrap()
            .one()
            .unwrap();
        assert_eq!(row["release_year"], Value::I32(2000));
        conn.commit().unwrap();
    }
    let copy = reflect(&dst);
    let describe = |md: &MetaData, schema: &str| -> Vec<String> {
        md.tables()
            .map(|t| {
                format!(
                    "{} {:?} {:?} {:?} {:?}",
                    t.name,
                    t.columns.values().collect::<Vec<_>>(),
                    t.primary_key,
                    t.foreign_keys,
                    t.check_constraints
                )
                .replace(schema, "<schema>")
            })
            .collect()
    };
    assert_eq!(describe(&copy, &dst), describe(&source, &src));
    let mut conn = engine.connect().unwrap();
    assert_eq!(
        pg_types(&mut conn, &dst),
        [
            ("code".into(), "d".into()),
            ("mpaa_rating".into(), "e".into()),
            ("strict_rating".into(), "d".into()),
            ("year".into(), "d".into())
        ]
    );
    assert_eq!(
        pg_types(&mut conn, &shared).len(),
        1,
        "the shared enum is reused"
    );
}
