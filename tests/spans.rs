//! The `tracing` spans, captured by a subscriber of the test's own: each statement's span,
//! named and attributed as the OpenTelemetry database conventions say and holding no bound
//! value (written once, run on SQLite, PostgreSQL and MariaDB with both engines); values only
//! with `span_values`, shortened as the echo log; the span of a checkout that had to wait.

mod common;

use common::backend::TestDb;
use common::engines::{TestConn, TestEngine};
use sqlcore::*;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Subscriber, subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// A span once closed: its `tracing` name and its fields as text.
#[derive(Debug, Clone)]
struct Closed {
    name: &'static str,
    fields: BTreeMap<String, String>,
}

impl Closed {
    fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }
}

#[derive(Default)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().into(), format!("{value:?}"));
    }
}

/// Keeps every span as it closes.
struct Capture;

static CLOSED: Mutex<Vec<Closed>> = Mutex::new(Vec::new());

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        ctx.span(id).unwrap().extensions_mut().insert(fields);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let span = ctx.span(id).unwrap();
        let mut ext = span.extensions_mut();
        values.record(ext.get_mut::<Fields>().unwrap());
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let span = ctx.span(&id).unwrap();
        let fields = span.extensions_mut().remove::<Fields>().unwrap();
        CLOSED.lock().unwrap().push(Closed {
            name: span.name(),
            fields: fields.0,
        });
    }
}

/// The spans closed so far (the subscriber installed for the whole process on first use)
/// whose `field` holds `needle`.
fn spans_with(field: &str, needle: &str) -> Vec<Closed> {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        subscriber::set_global_default(tracing_subscriber::registry().with(Capture))
            .expect("the test's subscriber");
    });
    CLOSED
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.get(field).is_some_and(|v| v.contains(needle)))
        .cloned()
        .collect()
}

const SECRET: &str = "hunter2-do-not-trace";

/// Each statement's span: `{operation} {collection}`, the conventions' attributes, the rows
/// returned, the batch size of an executemany, the SQLSTATE and error type of a failure; no
/// bound value in any of them.
async fn statement_spans<E: TestEngine>(_: &E, db: &TestDb) {
    spans_with("db.query.text", "");
    let engine: E = E::build(Engine::builder(&db.url())).unwrap();
    let name = format!("spans_{}_{}", E::NAME, fastrand::u32(..));
    let t = Table::new(&name)
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("secret", SqlType::Text).nullable(false));
    let mut conn = engine.conn().await.unwrap();
    let ddl = format!("CREATE TABLE {name} (id INTEGER PRIMARY KEY, secret TEXT NOT NULL)");
    conn.exec(text(&ddl), Params::new()).await.unwrap();
    let row = |id: i64| params! { "id" => id, "secret" => format!("{SECRET} {id}") };
    conn.exec(insert(&t), row(1)).await.unwrap();
    conn.exec_many(insert(&t), vec![row(2), row(3)])
        .await
        .unwrap();
    let found = conn
        .exec(select(&t).filter(t.c("secret").ne(SECRET)), Params::new())
        .await
        .unwrap()
        .all()
        .unwrap();
    assert_eq!(found.len(), 3);
    conn.commit().await.unwrap();
    let duplicate = conn.exec(insert(&t), row(1)).await.unwrap_err();
    assert!(duplicate.to_string().contains(&name), "{duplicate}");
    conn.rollback().await.unwrap();
    conn.exec(text(&format!("DROP TABLE {name}")), Params::new())
        .await
        .unwrap();
    conn.commit().await.unwrap();
    drop(conn);

    let spans = spans_with("db.query.text", &name);
    let url: Url = db.url().parse().unwrap();
    let system = match url.backend() {
        Backend::Sqlite => "sqlite",
        Backend::PostgreSql => "postgresql",
        _ => "mariadb",
    };
    for span in &spans {
        assert_eq!(span.name, "sqlcore.statement");
        assert_eq!(span.get("otel.kind"), Some("client"), "{span:?}");
        assert_eq!(span.get("db.system.name"), Some(system), "{span:?}");
        assert!(
            span.fields.values().all(|v| !v.contains(SECRET)),
            "{span:?}"
        );
        assert_eq!(span.get("db.query.parameters"), None);
        if system == "sqlite" {
            assert_eq!(span.get("server.address"), None);
        } else {
            assert_eq!(span.get("server.address"), url.host(), "{span:?}");
            assert_eq!(span.get("db.namespace"), url.database(), "{span:?}");
        }
    }
    let names: Vec<_> = spans.iter().map(|s| s.get("otel.name").unwrap()).collect();
    let insert_name = format!("INSERT {name}");
    let select_name = format!("SELECT {name}");
    assert_eq!(
        names,
        [
            system,
            &insert_name,
            &insert_name,
            &select_name,
            &insert_name,
            system
        ],
        "{spans:#?}"
    );
    let ins = &spans[1];
    assert_eq!(ins.get("db.operation.name"), Some("INSERT"));
    assert_eq!(ins.get("db.collection.name"), Some(&*name));
    assert_eq!(ins.get("otel.status_code"), None);
    assert_eq!(ins.get("db.operation.batch.size"), None);
    // The executemany's two rows (a multi-row VALUES, or PostgreSQL's COPY).
    assert_eq!(
        spans[2].get("db.operation.batch.size"),
        Some("2"),
        "{spans:#?}"
    );
    assert_eq!(spans[3].get("db.response.returned_rows"), Some("3"));
    let failed = &spans[4];
    assert_eq!(failed.get("otel.status_code"), Some("ERROR"));
    let (code, error_type) = match system {
        "sqlite" => (None, "IntegrityError"),
        "postgresql" => (Some("23505"), "23505"),
        _ => (Some("23000"), "23000"),
    };
    assert_eq!(failed.get("db.response.status_code"), code, "{failed:?}");
    assert_eq!(failed.get("error.type"), Some(error_type), "{failed:?}");
}

on_both_engines!(statement_spans);

/// With `span_values`, a statement's values are on its span, a long one shortened as the
/// echo log shortens it.
#[test]
fn span_values_only_when_asked() {
    spans_with("db.query.text", "");
    let long = "v".repeat(1000);
    let marker = format!("span_values_{}", fastrand::u32(..));
    for on in [false, true] {
        let engine = Engine::builder("sqlite://")
            .span_values(on)
            .build()
            .unwrap();
        let mut conn = engine.connect().unwrap();
        let sql = format!("SELECT :long AS {marker}_{on}");
        conn.execute(text(&sql), params! { "long" => long.as_str() })
            .unwrap();
        let spans = spans_with("db.query.text", &format!("{marker}_{on}"));
        assert_eq!(spans.len(), 1);
        let shown = spans[0].get("db.query.parameters");
        if on {
            let shown = shown.unwrap();
            assert!(shown.contains("characters truncated"), "{shown}");
            assert!(shown.len() < 400, "{shown}");
        } else {
            assert_eq!(shown, None);
        }
    }
}

/// A checkout that found no connection has a span from its wait to its connection (or its
/// timeout); one that did not wait has none.
#[test]
fn checkout_wait_span() {
    spans_with("db.query.text", "");
    let pool = format!("wait_{}", fastrand::u32(..));
    let db = TestDb::sqlite("checkout_wait_span");
    let engine = Engine::builder(&db.url())
        .pool_size(1)
        .max_overflow(0)
        .pool_timeout(Duration::from_millis(50))
        .pool_name(&pool)
        .build()
        .unwrap();
    let held = engine.connect().unwrap();
    assert!(spans_with("db.client.connection.pool.name", &pool).is_empty());
    let timed_out = engine.connect().unwrap_err();
    assert!(matches!(timed_out, Error::Timeout { .. }), "{timed_out}");
    std::thread::scope(|s| {
        let waiter = s.spawn(|| engine.connect().map(drop));
        while engine.pool_status().waiting == 0 {
            std::thread::yield_now();
        }
        drop(held);
        // The timeout may pass first on a slow machine; the span says which.
        let _ = waiter.join().unwrap();
    });
    let spans = spans_with("db.client.connection.pool.name", &pool);
    assert_eq!(spans.len(), 2, "{spans:#?}");
    for span in &spans {
        assert_eq!(span.name, "sqlcore.checkout_wait");
        assert_eq!(span.get("otel.name"), Some("checkout wait"));
        assert_eq!(span.get("db.system.name"), Some("sqlite"));
    }
    assert_eq!(spans[0].get("otel.status_code"), Some("ERROR"));
    assert_eq!(spans[0].get("error.type"), Some("Timeout"));
}
