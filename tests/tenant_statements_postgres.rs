//! Tenants' statements on PostgreSQL, with the connection's prepared-statement cache full: a
//! tenant's SQL the cache does not hold runs unnamed in one flight (no Parse round trip of its
//! own, no statement to Close), the statements kept for the tenants in steady use stay
//! prepared however many other tenants pass, and a statement that misses twice in a row is
//! kept from then on. Flights are counted by a relay (see `common::relay`), prepared
//! statements read from the session's `pg_prepared_statements`. Runs on the sync and on the
//! async engine, from one definition.
#![cfg(feature = "postgres")]

mod common;

use common::engines::{TestConn, TestEngine};
use common::pg;
use common::relay::Relay;
use sqlcore::*;
use tokio::task::block_in_place;

on_sync_and_async!(tenants_beyond_the_kept_statements_run_unnamed_in_one_flight);

/// The statements each connection keeps prepared here.
const KEPT: usize = 4;
/// Tenants in steady use (their statements kept, with the catalog query's).
const HOT: usize = 3;
/// Tenants used once each in turn.
const COLD: usize = 40;

/// Tenant schemas `{prefix}_{i}`, each with `users` holding the row (1, 'tenant {i}'),
/// dropped when this goes (its blocking client kept off the test's runtime workers).
struct Tenants {
    client: Option<postgres::Client>,
    prefix: String,
    count: usize,
}

impl Tenants {
    fn create(name: &str, count: usize) -> Option<Tenants> {
        block_in_place(|| Tenants::create_now(name, count))
    }

    fn create_now(name: &str, count: usize) -> Option<Tenants> {
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
            client: Some(client),
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
        let Some(mut client) = self.client.take() else {
            return;
        };
        block_in_place(|| {
            for i in 0..self.count {
                let _ = client
                    .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema(i)));
            }
            drop(client);
        });
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

/// How a connection goes back to its pool between the requests whose flights are counted.
trait CheckIn: TestEngine {
    async fn check_in(&self, relay: &Relay, conn: Self::Conn);
}

impl CheckIn for Engine {
    /// Its `ROLLBACK` is sent without waiting for the reply, which travels in the next
    /// request's flight (see [`Relay::check_in_unanswered`]).
    async fn check_in(&self, relay: &Relay, conn: Connection) {
        relay.check_in_unanswered(conn);
    }
}

#[cfg(feature = "async")]
impl CheckIn for AsyncEngine {
    /// The pool resets it on a task of its own: done once it is idle again.
    async fn check_in(&self, _: &Relay, conn: AsyncConnection) {
        drop(conn);
        common::engines::status_when(self, |s| s.checked_in == 1).await;
    }
}

/// The flights `calls` runs of `f` start, `f` run once first, uncounted (as
/// [`Relay::flights_per`]).
async fn flights_per(relay: &Relay, calls: usize, mut f: impl AsyncFnMut()) -> usize {
    f().await;
    let before = relay.flights();
    for _ in 0..calls {
        f().await;
    }
    relay.flights() - before
}

/// The SQL of the statements the (only) connection of `engine` has prepared.
async fn prepared<E: TestEngine>(engine: &E) -> Vec<String> {
    let mut conn = engine.conn().await.unwrap();
    let statements = conn
        .exec(
            text("SELECT statement FROM pg_prepared_statements"),
            Params::new(),
        )
        .await
        .unwrap()
        .scalars()
        .all()
        .unwrap();
    drop(conn);
    // Idle again before the next checkout, whatever the engine.
    common::engines::status_when(engine, |s| s.checked_in == 1).await;
    statements
}

/// Whether tenant `i`'s statement is among `statements`.
fn kept(statements: &[String], tenants: &Tenants, i: usize) -> bool {
    let table = format!("{}.users", tenants.schema(i));
    statements.iter().any(|sql| sql.contains(&table))
}

async fn tenants_beyond_the_kept_statements_run_unnamed_in_one_flight<E: CheckIn>() {
    let name = format!("tenant_stmts_{}", E::NAME);
    let Some(tenants) = Tenants::create(&name, HOT + COLD) else {
        return;
    };
    let relay = Relay::start(&server());
    let base = pg::url();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = relay.url(
        &format!("{base}{sep}prepared_statement_cache_size={KEPT}"),
        &server(),
    );
    let engine = E::build(Engine::builder(&url).pool_size(1)).unwrap();
    let users = Table::new("users")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).not_null());
    let by_id: Statement = select(&users)
        .filter(users.c("id").eq(bindparam("id")))
        .into();
    // Check out, select tenant `i`'s row, check in.
    let request = async |i: usize| {
        let mut conn = engine.conn().await.unwrap();
        conn.set_options(tenants.options(i)).await.unwrap();
        let name: String = conn
            .exec(&by_id, params! { "id" => 1 })
            .await
            .unwrap()
            .one()
            .unwrap()
            .get("name")
            .unwrap();
        assert_eq!(name, format!("tenant {i}"));
        engine.check_in(&relay, conn).await;
    };

    // The catalog query and the hot tenants' statements fill the cache.
    assert!(
        prepared(&engine)
            .await
            .iter()
            .all(|sql| !sql.contains("users"))
    );
    for i in 0..HOT {
        request(i).await;
    }
    let statements = prepared(&engine).await;
    assert_eq!(statements.len(), KEPT, "{statements:?}");
    assert!((0..HOT).all(|i| kept(&statements, &tenants, i)));

    // What a hot tenant's request costs (its statement kept).
    let mut hot = 0;
    let per_request = flights_per(&relay, 1, async || {
        request(hot % HOT).await;
        hot += 1;
    })
    .await;
    if !E::ASYNC {
        // Its check-in's ROLLBACK sent ahead, the sync engine's request is one flight.
        assert_eq!(per_request, 1);
    }

    // Every other tenant in turn, between the hot ones: each request in the flights of a hot
    // one (no Parse round trip of its own), nothing prepared.
    let mut next = HOT;
    let cold_flights = flights_per(&relay, COLD - 1, async || {
        request(next).await;
        request(next % HOT).await;
        next += 1;
    })
    .await;
    assert_eq!(
        cold_flights,
        2 * (COLD - 1) * per_request,
        "a cold and a hot tenant's request: {per_request} flight(s) each"
    );
    let statements = prepared(&engine).await;
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
    request(back).await;
    let statements = prepared(&engine).await;
    assert!(kept(&statements, &tenants, back), "{statements:?}");
    assert_eq!(statements.len(), KEPT, "still bounded: {statements:?}");
    assert_eq!(
        flights_per(&relay, 3, async || request(back).await).await,
        3 * per_request
    );
}
