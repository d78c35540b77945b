//! Multi-tenant schemas through `schema_translate_map`, on PostgreSQL (a tenant is a schema) and
//! on MariaDB (a tenant is a database), one definition each: 50 tenants created with
//! `create_all`, the same statements landing in and reading from each tenant's schema only,
//! one cache entry per statement shape, and 8 threads with maps of their own never crossing
//! tenants.
#![cfg(any(feature = "postgres", feature = "mysql"))]

mod common;

use common::people::{addresses, metadata, users};
use common::{mysql, pg};
use sqlcore::*;

/// The server the tenants live on.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(all(feature = "postgres", feature = "mysql")), allow(dead_code))]
enum Server {
    /// A tenant is a schema.
    Postgres,
    /// A tenant is a database.
    MariaDb,
}

impl Server {
    /// The server's URL (MariaDB's as `mariadb://`), or `None` (with a message) when the
    /// server is unreachable outside CI.
    fn url(self) -> Option<String> {
        match self {
            Server::Postgres => pg::connect().map(|_| pg::url()),
            Server::MariaDb => mysql::connect().map(|_| {
                let url = mysql::url();
                let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
                format!("mariadb://{rest}")
            }),
        }
    }

    /// An engine without a map: for creating, dropping and checking tenants.
    fn admin(self) -> Option<Engine> {
        Some(Engine::builder(&self.url()?).build().unwrap())
    }

    fn create_sql(self, quoted: &str) -> [String; 2] {
        match self {
            Server::Postgres => [
                format!("DROP SCHEMA IF EXISTS {quoted} CASCADE"),
                format!("CREATE SCHEMA {quoted}"),
            ],
            Server::MariaDb => [
                format!("DROP DATABASE IF EXISTS {quoted}"),
                format!("CREATE DATABASE {quoted}"),
            ],
        }
    }

    fn drop_sql(self, quoted: &str) -> String {
        self.create_sql(quoted)[0].clone()
    }

    /// The schema unqualified names resolve to.
    fn current_schema_sql(self) -> &'static str {
        match self {
            Server::Postgres => "current_schema()",
            Server::MariaDb => "DATABASE()",
        }
    }
}

/// Runs `sql` on `engine`, committed.
fn run(engine: &Engine, sql: &str) -> Result<()> {
    let mut conn = engine.connect()?;
    conn.execute(text(sql), ())?;
    conn.commit()
}

/// `name` quoted as the server's dialect quotes identifiers.
fn quoted(engine: &Engine, name: &str) -> String {
    engine
        .dialect()
        .quote_identifier(name)
        .unwrap()
        .into_owned()
}

/// The rows `sql` returns on `engine`.
fn query(engine: &Engine, sql: &str) -> Vec<Row> {
    engine
        .connect()
        .unwrap()
        .execute(text(sql), ())
        .unwrap()
        .all()
        .unwrap()
}

/// `count` tenant schemas named after `test`, dropped when the value is.
struct Tenants {
    server: Server,
    admin: Engine,
    names: Vec<String>,
}

impl Tenants {
    fn create(server: Server, test: &str, count: usize) -> Option<Tenants> {
        let names = (0..count)
            .map(|i| format!("sqlcore_{test}_{}_{i}", std::process::id()))
            .collect();
        Self::named(server, names)
    }

    /// Tenant schemas of the given names.
    fn named(server: Server, names: Vec<String>) -> Option<Tenants> {
        let admin = server.admin()?;
        for name in &names {
            for sql in server.create_sql(&quoted(&admin, name)) {
                run(&admin, &sql).expect("create tenant schemas");
            }
        }
        Some(Tenants {
            server,
            admin,
            names,
        })
    }

    /// `name` quoted, for the checks' SQL.
    fn quoted(&self, name: &str) -> String {
        quoted(&self.admin, name)
    }
}

impl Drop for Tenants {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = run(&self.admin, &self.server.drop_sql(&self.quoted(name)));
        }
    }
}

fn tenant_map(schema: &str) -> SchemaTranslateMap {
    SchemaTranslateMap::new().map(None, schema)
}

fn fifty_tenants_share_one_cache_entry_per_statement_shape(server: Server) {
    let Some(tenants) = Tenants::create(server, "fifty", 50) else {
        return;
    };
    let engine = Engine::builder(&server.url().unwrap()).build().unwrap();
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
    for (i, schema) in tenants.names.iter().enumerate() {
        let rows = query(
            &tenants.admin,
            &format!("SELECT id, name FROM {}.users", tenants.quoted(schema)),
        );
        assert_eq!(rows.len(), 1, "{schema}");
        assert_eq!(rows[0].get::<i64>(0).unwrap(), i as i64 + 1);
        assert_eq!(rows[0].get::<String>(1).unwrap(), *schema);
    }
    let default_users = query(
        &tenants.admin,
        &format!(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = {} \
             AND table_name IN ('users', 'addresses')",
            server.current_schema_sql()
        ),
    );
    assert!(default_users.is_empty());
    // The cache grew with the first tenant only: one entry per statement shape.
    assert!(sizes[0] > 0);
    assert!(sizes.iter().all(|s| *s == sizes[0]), "{sizes:?}");
    assert!(engine.cache_stats().hits >= 49 * 5);
}

fn eight_threads_with_their_own_tenants_never_cross(server: Server) {
    let Some(tenants) = Tenants::create(server, "threads", 8) else {
        return;
    };
    let engine = Engine::builder(&server.url().unwrap())
        .pool_size(8)
        .build()
        .unwrap();
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
                    // From 1: MySQL reads a 0 for an AUTO_INCREMENT key as "the next value".
                    let id = (t * 1000 + i + 1) as i32;
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
    for (t, schema) in tenants.names.iter().enumerate() {
        let rows = query(
            &tenants.admin,
            &format!(
                "SELECT count(*), min(id), max(id), count(DISTINCT name) FROM {}.users",
                tenants.quoted(schema)
            ),
        );
        let n = |k: usize| rows[0].get::<i64>(k).unwrap();
        assert_eq!(n(0), 500);
        assert_eq!(n(1), (t * 1000 + 1) as i64);
        assert_eq!(n(2), (t * 1000 + 500) as i64);
        assert_eq!(n(3), 1);
    }
}

fn tenant_names_that_need_quoting_are_quoted(server: Server) {
    let schema = format!("Tenant \"{}\"; DROP", std::process::id());
    let Some(tenants) = Tenants::named(server, vec![schema.clone()]) else {
        return;
    };
    let engine = Engine::builder(&server.url().unwrap()).build().unwrap();
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
    let in_schema: i64 = query(
        &tenants.admin,
        &format!("SELECT count(*) FROM {}.users", tenants.quoted(&schema)),
    )[0]
    .get(0)
    .unwrap();
    assert_eq!(result.unwrap(), 9);
    assert_eq!(in_schema, 9);
}

fn one_prepared_statement_serves_every_tenant(server: Server) {
    let Some(tenants) = Tenants::create(server, "prepared", 3) else {
        return;
    };
    let engine = Engine::builder(&server.url().unwrap()).build().unwrap();
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
            let id = (t * 10 + round + 1) as i32;
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
    for (t, schema) in tenants.names.iter().enumerate() {
        let ids: Vec<i64> = query(
            &tenants.admin,
            &format!(
                "SELECT id FROM {}.users ORDER BY id",
                tenants.quoted(schema)
            ),
        )
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
        assert_eq!(ids, [t as i64 * 10 + 1, t as i64 * 10 + 2]);
    }
    // On PostgreSQL only the INSERTs looked up (a RETURNING for the primary key is added at
    // execution): one more entry, whatever the tenant. MariaDB reads the key without a
    // RETURNING: nothing looked up.
    let after = engine.cache_stats();
    let (entries, lookups) = match server {
        Server::Postgres => (1, 6),
        Server::MariaDb => (0, 0),
    };
    assert_eq!(after.size, before.size + entries);
    assert_eq!(
        after.hits + after.misses,
        before.hits + before.misses + lookups
    );
}

/// Each test on PostgreSQL and on MariaDB.
macro_rules! on_both_servers {
    ($($name:ident),* $(,)?) => {
        #[cfg(feature = "postgres")]
        mod postgres {
            $(#[test]
            fn $name() {
                super::$name(super::Server::Postgres);
            })*
        }
        #[cfg(feature = "mysql")]
        mod mariadb {
            $(#[test]
            fn $name() {
                super::$name(super::Server::MariaDb);
            })*
        }
    };
}

on_both_servers!(
    fifty_tenants_share_one_cache_entry_per_statement_shape,
    eight_threads_with_their_own_tenants_never_cross,
    tenant_names_that_need_quoting_are_quoted,
    one_prepared_statement_serves_every_tenant,
);
