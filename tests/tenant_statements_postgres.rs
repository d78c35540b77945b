//! Tenants' statements on PostgreSQL, with the connection's prepared-statement cache full: a
//! tenant's SQL the cache does not hold runs unnamed in one flight (no Parse round trip of its
//! own, no statement to Close), the statements kept for the tenants in steady use stay
//! prepared however many other tenants pass, and a statement that misses twice in a row is
//! kept from then on. Flights are counted by a relay (see `common::relay`), prepared
//! statements read from the session's `pg_prepared_statements`.
#![cfg(feature = "postgres")]

mod common;

use common::pg;
use common::relay::Relay;
use sqlcore::*;

/// The statements each connection keeps prepared here.
const KEPT: usize = 4;
/// Tenants in steady use (their statements kept, with the catalog query's).
const HOT: usize = 3;
/// Tenants used once each in turn.
const COLD: usize = 40;

/// Tenant schemas `{prefix}_{i}`, each with `users` holding the row (1, 'tenant {i}'),
/// dropped when this goes.
struct Tenants {
    client: postgres::Client,
    prefix: String,
    count: usize,
}

impl Tenants {
    fn create(name: &str, count: usize) -> Option<Tenants> {
        let mut client = pg::connect()?;
        let prefix = format!("sqlcore_{name}_{}", std::process::id());
        for i in 0..count {
            client
                .batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS {prefix}_{i} CASCADE; CREATE SCHEMA {prefix}_{i};
                     CREATE TABLE {prefix}_{i}.users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
                     INSERT INTO {prefix}_{i}.users VALUES (1, 'tenant {i}')"
                ))
                .expect("create a tenant");
        }
        Some(Tenants {
            client,
            prefix,
            count,
        })
    }

    fn schema(&self, i: usize) -> String {
        format!("{}_{i}", self.prefix)
    }

    /// Tenant `i`'s execution options.
    fn options(&self, i: usize) -> ExecutionOptions {
        let schema = self.schema(i);
        ExecutionOptions::default()
            .schema_translate_map(SchemaTranslateMap::new().map(None, schema.as_str()))
    }
}

impl Drop for Tenants {
    fn drop(&mut self) {
        for i in 0..self.count {
            let _ = self
                .client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema(i)));
        }
    }
}

/// The test server's `host:port`, as its URL names it.
fn server() -> String {
    let url: Url = pg::url().parse().expect("the server's URL");
    format!(
        "{}:{}",
        url.host().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(5432)
    )
}

/// The SQL of the statements the (only) connection of `engine` has prepared.
fn prepared(engine: &Engine) -> Vec<String> {
    let mut conn = engine.connect().unwrap();
    conn.execute(text("SELECT statement FROM pg_prepared_statements"), ())
        .unwrap()
        .scalars()
        .all()
        .unwrap()
}

/// Whether tenant `i`'s statement is among `statements`.
fn kept(statements: &[String], tenants: &Tenants, i: usize) -> bool {
    let table = format!("{}.users", tenants.schema(i));
    statements.iter().any(|sql| sql.contains(&table))
}

#[test]
fn tenants_beyond_the_kept_statements_run_unnamed_in_one_flight() {
    let Some(tenants) = Tenants::create("tenant_stmts", HOT + COLD) else {
        return;
    };
    let relay = Relay::start(&server());
    let base = pg::url();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = relay.url(
        &format!("{base}{sep}prepared_statement_cache_size={KEPT}"),
        &server(),
    );
    let engine = Engine::builder(&url).pool_size(1).build().unwrap();
    let users = Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).not_null());
    let by_id: Statement = select(&users)
        .filter(users.c("id").eq(bindparam("id")))
        .into();
    // Check out, select tenant `i`'s row, check in (its ROLLBACK not waited for).
    let request = |i: usize| {
        let mut conn = engine.connect().unwrap();
        conn.execution_options(tenants.options(i)).unwrap();
        let name: String = conn
            .execute(&by_id, params! { "id" => 1 })
            .unwrap()
            .one()
            .unwrap()
            .get("name")
            .unwrap();
        assert_eq!(name, format!("tenant {i}"));
        relay.check_in_unanswered(conn);
    };

    // The catalog query and the hot tenants' statements fill the cache.
    assert!(prepared(&engine).iter().all(|sql| !sql.contains("users")));
    for i in 0..HOT {
        request(i);
    }
    let statements = prepared(&engine);
    assert_eq!(statements.len(), KEPT, "{statements:?}");
    assert!((0..HOT).all(|i| kept(&statements, &tenants, i)));

    // Every other tenant in turn, between the hot ones: one flight each, nothing prepared.
    let mut next = HOT;
    let cold_flights = relay.flights_per(COLD - 1, || {
        request(next);
        request(next % HOT);
        next += 1;
    });
    assert_eq!(
        cold_flights,
        2 * (COLD - 1),
        "a cold and a hot tenant's request: one flight each"
    );
    let statements = prepared(&engine);
    assert_eq!(statements.len(), KEPT, "{statements:?}");
    assert!(
        (0..HOT).all(|i| kept(&statements, &tenants, i)),
        "the hot tenants' statements stay prepared: {statements:?}"
    );
    assert!(
        (HOT..HOT + COLD).all(|i| !kept(&statements, &tenants, i)),
        "no cold tenant's statement was prepared: {statements:?}"
    );

    // A tenant that comes back while its miss is remembered is kept from then on.
    let back = HOT + COLD - 1;
    request(back);
    let statements = prepared(&engine);
    assert!(kept(&statements, &tenants, back), "{statements:?}");
    assert_eq!(statements.len(), KEPT, "still bounded: {statements:?}");
    assert_eq!(relay.flights_per(3, || request(back)), 3);
}
