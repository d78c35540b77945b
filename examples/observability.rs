//! What operators see of sqlcore, on an embedded SQLite file: each statement's span exported
//! through OpenTelemetry (here to stdout, with `tracing-opentelemetry` and the stdout
//! exporter; in production an OTLP exporter), named and attributed as the OpenTelemetry
//! database conventions say with no glue code; a slow-statement warning; and a snapshot of
//! the pool's metrics (the `metrics` feature) through the `metrics` facade's debugging
//! recorder (in production a Prometheus or OpenTelemetry exporter).
//!
//! Run with `cargo run --example observability --features metrics`.

use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use sqlcore::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;

/// Keeps what the log layer writes, to check it (and shows it on stdout too).
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        std::io::stdout().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().flush()
    }
}

fn main() -> Result<()> {
    // 1. Spans: sqlcore's spans (targets `sqlcore.statement`, `sqlcore.pool`) go to
    //    OpenTelemetry; warnings are logged.
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(opentelemetry_stdout::SpanExporter::default())
        .build();
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::registry()
        .with(
            tracing_opentelemetry::layer()
                .with_tracer(provider.tracer("observability-example"))
                .with_filter(Targets::new().with_target("sqlcore", LevelFilter::INFO)),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .with_filter(LevelFilter::WARN),
        );
    tracing::subscriber::set_global_default(subscriber).expect("one subscriber");

    // 2. Metrics: the pool's instruments and each statement's duration, through the facade.
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install().expect("one recorder");

    // 3. An engine whose pool is named in the metrics, and whose statements of 1 ms or more
    //    are logged as slow.
    let path =
        std::env::temp_dir().join(format!("sqlcore-observability-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let engine = Engine::builder(&format!("sqlite:///{}", path.display()))
        .pool_size(2)
        .max_overflow(0)
        .pool_name("orders-db")
        .slow_statement_threshold(Duration::from_millis(1))
        .build()?;
    let orders = Table::new("orders")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("customer", SqlType::Text).not_null())
        .column(Column::new("total", SqlType::Integer).not_null());
    let mut conn = engine.connect()?;
    conn.execute(
        text("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total INTEGER NOT NULL)"),
        (),
    )?;
    conn.execute_many(
        insert(&orders),
        (1..=3).map(
            |id| params! { "id" => id, "customer" => format!("customer {id}"), "total" => id * 10 },
        ),
    )?;
    let big = conn
        .execute(select(&orders).filter(orders.c("total").ge(20)), ())?
        .all()?;
    assert_eq!(big.len(), 2);
    // A statement that takes a while: the slow-statement warning, with its SQL, never its
    // values.
    let slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) \
                SELECT count(*) FROM n WHERE i > :floor";
    let counted: i64 = conn
        .execute(text(slow), params! { "floor" => 7 })?
        .scalar_one()?;
    assert_eq!(counted, 300_000 - 7);
    conn.commit()?;
    drop(conn);
    let logged = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("slow statement"), "{logged}");
    assert!(logged.contains("WITH RECURSIVE"), "{logged}");

    // 4. The pool's metrics as an exporter would read them.
    println!("\npool metrics of orders-db:");
    let mut seen = Vec::new();
    for (key, unit, _, value) in snapshotter.snapshot().into_vec() {
        let key = key.key();
        if !key.name().starts_with("db.client.connection") {
            continue;
        }
        let labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        let value = match value {
            DebugValue::Gauge(v) => format!("{v}"),
            DebugValue::Counter(n) => format!("{n}"),
            DebugValue::Histogram(values) => format!("{} values", values.len()),
        };
        let unit = unit
            .map(|u| format!(" ({})", u.as_str()))
            .unwrap_or_default();
        println!("  {}{{{}}} = {value}{unit}", key.name(), labels.join(", "));
        seen.push(format!("{}{{{}}} = {value}", key.name(), labels.join(", ")));
    }
    let has = |line: &str| seen.iter().any(|s| s == line);
    assert!(
        has(
            "db.client.connection.count{db.client.connection.pool.name=orders-db, db.client.connection.state=idle} = 1"
        ),
        "{seen:#?}"
    );
    assert!(
        has("db.client.connection.max{db.client.connection.pool.name=orders-db} = 2"),
        "{seen:#?}"
    );
    assert!(
        has(
            "db.client.connection.create_time{db.client.connection.pool.name=orders-db} = 1 values"
        ),
        "{seen:#?}"
    );

    provider.shutdown().expect("spans exported");
    let _ = std::fs::remove_file(&path);
    Ok(())
}
