//! Multi-tenant schemas on PostgreSQL through `schema_translate_map`: 50 tenants created with
//! `create_all`, the same statements landing in and reading from each tenant's schema only,
//! one cache entry per statement shape, and 8 threads with maps of their own never crossing
//! tenants.

mod common;

use common::people::{addresses, metadata, users};
use common::pg;
use sqlcore::*;

/// `count` tenant schemas named after `test`, dropped when the value is.
struct Tenants {
    names: Vec<String>,
}

impl Tenants {
    fn create(test: &str, count: usize) -> Option<Tenants> {
        let mut client = pg::connect()?;
        let names: Vec<String> = (0..count)
            .map(|i| format!("sqlcore_{test}_{}_{i}", std::process::id()))
            .collect();
        let sql: String = names
            .iter()
            .map(|s| format!("DROP SCHEMA IF EXISTS {s} CASCADE; CREATE SCHEMA {s};"))
            .collect();
        client.batch_execute(&sql).expect("create tenant schemas");
        Some(Tenants { names })
    }
}

impl Drop for Tenants {
    fn drop(&mut self) {
        if let Some(mut client) = pg::connect() {
            let sql: String = self
                .names
                .iter()
                .map(|s| format!("DROP SCHEMA IF EXISTS {s} CASCADE;"))
                .collect();
            let _ = client.batch_execute(&sql);
        }
    }
}

fn tenant_map(schema: &str) -> SchemaTranslateMap {
    SchemaTranslateMap::new().map(None, schema)
}

#[test]
fn fifty_tenants_share_one_cache_entry_per_statement_shape() {
    let Some(tenants) = Tenants::create("fifty", 50) else {
        return;
    };
    let engine = Engine::builder(&pg::url()).build().unwrap();
    let (u, a) = (users(), addresses());
    let mut sizes = Vec::new();
    for (i, schema) in tenants.names.iter().enumerate() {
        let tenant = engine.execution_options(
            ExecutionOptions::default().schema_translate_map(tenant_map(schema)),
        );
        metadata().create_all(&tenant).unwrap();
        let mut conn = tenant.connect().unwrap();
        let id = i as i32 + 1;
        conn.execute(
            insert(&u).values([("id", literal(id)), ("name", literal(schema.as_str()))]),
            (),
        )
        .unwrap();
        let inserted = conn
            .execute(
                insert(&a).values([
                    ("id", literal(id)),
                    ("user_id", literal(id)),
                    ("email", literal(format!("{schema}@example.com"))),
                ]),
                (),
            )
            .unwrap();
        assert_eq!(
            inserted
                .inserted_primary_key()
                .unwrap()
                .get::<i32>(0)
                .unwrap(),
            id
        );
        conn.commit().unwrap();
        let rows: Vec<(i32, String, String)> = conn
            .execute(
                select([u.c("id"), u.c("name"), a.c("email")])
                    .select_from(u.join(&a, None))
                    .filter(u.c("id").eq(id)),
                (),
            )
            .unwrap()
            .all()
            .unwrap()
            .into_iter()
            .map(|r| (r.get(0).unwrap(), r.get(1).unwrap(), r.get(2).unwrap()))
            .collect();
        assert_eq!(
            rows,
            [(id, schema.clone(), format!("{schema}@example.com"))]
        );
        sizes.push(engine.cache_stats().size);
    }
    // Every tenant's schema holds its own row only, and nothing reached the default schema.
    let mut client = pg::connect().unwrap();
    for (i, schema) in tenants.names.iter().enumerate() {
        let rows = client
            .query(&format!("SELECT id, name FROM {schema}.users"), &[])
            .unwrap();
        assert_eq!(rows.len(), 1, "{schema}");
        assert_eq!(rows[0].get::<_, i32>(0), i as i32 + 1);
        assert_eq!(rows[0].get::<_, String>(1), *schema);
    }
    let public_users = client
        .query(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('users', 'addresses')",
            &[],
        )
        .unwrap();
    assert!(public_users.is_empty());
    // The cache grew with the first tenant only: one entry per statement shape.
    assert!(sizes[0] > 0);
    assert!(sizes.iter().all(|s| *s == sizes[0]), "{sizes:?}");
    assert!(engine.cache_stats().hits >= 49 * 5);
}

#[test]
fn eight_threads_with_their_own_tenants_never_cross() {
    let Some(tenants) = Tenants::create("threads", 8) else {
        return;
    };
    let engine = Engine::builder(&pg::url()).pool_size(8).build().unwrap();
    for schema in &tenants.names {
        let mut conn = engine.connect().unwrap();
        conn.update_execution_options(|o| o.schema_translate_map(tenant_map(schema)))
            .unwrap();
        metadata().create_all(&mut conn).unwrap();
        conn.commit().unwrap();
    }
    let u = users();
    std::thread::scope(|scope| {
        for (t, schema) in tenants.names.iter().enumerate() {
            let (engine, u) = (engine.clone(), u.clone());
            scope.spawn(move || {
                let mut conn = engine.connect().unwrap();
                conn.update_execution_options(|o| o.schema_translate_map(tenant_map(schema)))
                    .unwrap();
                // 1,000 statements, interleaved with the other threads': inserts, and reads
                // that must see this tenant's rows only.
                for i in 0..500 {
                    let id = (t * 1000 + i) as i32;
                    conn.execute(
                        insert(&u)
                            .values([("id", literal(id)), ("name", literal(schema.as_str()))]),
                        (),
                    )
                    .unwrap();
                    let names: Vec<String> = conn
                        .execute(
                            select([u.c("name")]).filter(u.c("id").le(id)).distinct(),
                            (),
                        )
                        .unwrap()
                        .scalars()
                        .all()
                        .unwrap();
                    assert_eq!(
                        names,
                        std::slice::from_ref(schema),
                        "thread {t} saw another tenant"
                    );
                    if i % 50 == 0 {
                        conn.commit().unwrap();
                    }
                }
                conn.commit().unwrap();
            });
        }
    });
    let mut client = pg::connect().unwrap();
    for (t, schema) in tenants.names.iter().enumerate() {
        let row = client
            .query_one(
                &format!(
                    "SELECT count(*), min(id), max(id), count(DISTINCT name) FROM {schema}.users"
                ),
                &[],
            )
            .unwrap();
        assert_eq!(row.get::<_, i64>(0), 500);
        assert_eq!(row.get::<_, i32>(1), (t * 1000) as i32);
        assert_eq!(row.get::<_, i32>(2), (t * 1000 + 499) as i32);
        assert_eq!(row.get::<_, i64>(3), 1);
    }
}

#[test]
fn tenant_names_that_need_quoting_are_quoted() {
    let Some(mut client) = pg::connect() else {
        return;
    };
    let schema = format!("Tenant \"{}\"; DROP", std::process::id());
    let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {quoted} CASCADE; CREATE SCHEMA {quoted}"
        ))
        .unwrap();
    let engine = Engine::builder(&pg::url()).build().unwrap();
    let tenant = engine
        .execution_options(ExecutionOptions::default().schema_translate_map(tenant_map(&schema)));
    let result = (|| -> Result<i64> {
        metadata().create_all(&tenant)?;
        let mut conn = tenant.connect()?;
        let u = users();
        conn.execute(
            insert(&u).values([("id", literal(1)), ("name", literal("x"))]),
            (),
        )?;
        conn.execute_many(
            insert(&u),
            (2..10).map(|i| params! { "id" => i, "name" => "copied" }),
        )?;
        conn.commit()?;
        conn.execute(select([count(u.c("id"))]), ())?.scalar_one()
    })();
    let in_schema: i64 = client
        .query_one(&format!("SELECT count(*) FROM {quoted}.users"), &[])
        .map(|r| r.get(0))
        .unwrap_or(-1);
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {quoted} CASCADE"))
        .unwrap();
    assert_eq!(result.unwrap(), 9);
    assert_eq!(in_schema, 9);
}

#[test]
fn one_prepared_statement_serves_every_tenant() {
    let Some(tenants) = Tenants::create("prepared", 3) else {
        return;
    };
    let engine = Engine::builder(&pg::url()).build().unwrap();
    let u = users();
    // Prepared once, on the engine with no map: the tenant is chosen at each execution.
    let add = engine
        .prepare(insert(&u).values([("id", bindparam("id")), ("name", bindparam("name"))]))
        .unwrap();
    let by_id = engine
        .prepare(select([u.c("name")]).filter(u.c("id").eq(bindparam("id"))))
        .unwrap();
    let count = engine.prepare(select([count(u.c("id"))])).unwrap();
    for schema in &tenants.names {
        let tenant = engine.execution_options(
            ExecutionOptions::default().schema_translate_map(tenant_map(schema)),
        );
        metadata().create_all(&tenant).unwrap();
    }
    let before = engine.cache_stats();
    for round in 0..2 {
        for (t, schema) in tenants.names.iter().enumerate() {
            let mut conn = engine.connect().unwrap();
            conn.update_execution_options(|o| o.schema_translate_map(tenant_map(schema)))
                .unwrap();
            let id = (t * 10 + round) as i32;
            conn.execute(&add, params! { "id" => id, "name" => schema.as_str() })
                .unwrap();
            let name: String = conn
                .query_row(&by_id, params! { "id" => id }, |row| row.get(0))
                .unwrap();
            assert_eq!(&name, schema);
            let n: i64 = conn.query_row(&count, (), |row| row.get(0)).unwrap();
            assert_eq!(n, round as i64 + 1, "{schema} holds its own rows only");
            conn.commit().unwrap();
        }
    }
    // Each tenant's rows are in its schema; the reads never went through a lookup.
    let mut client = pg::connect().unwrap();
    for (t, schema) in tenants.names.iter().enumerate() {
        let ids: Vec<i32> = client
            .query(&format!("SELECT id FROM {schema}.users ORDER BY id"), &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(ids, [t as i32 * 10, t as i32 * 10 + 1]);
    }
    // Only the INSERTs looked up (a RETURNING for the primary key is added at execution on
    // PostgreSQL): one more entry, whatever the tenant.
    let after = engine.cache_stats();
    assert_eq!(after.size, before.size + 1);
    assert_eq!(after.hits + after.misses, before.hits + before.misses + 6);
}
