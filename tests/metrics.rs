//! The OpenTelemetry metrics (feature `metrics`), read through the `metrics` facade's test
//! recorder: the pool's instruments under a pool of 2 with 4 threads waiting, a checkout's
//! timeout, and each statement's `db.client.operation.duration` with its attributes.
#![cfg(all(feature = "metrics", feature = "sqlite"))]

mod common;

use common::backend::TestDb;
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use sqlcore::*;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// What the recorder holds of one metric: a gauge's last value, a counter's total, a
/// histogram's number of values (counters and histograms added up over snapshots, since
/// taking one empties them).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Seen {
    gauge: Option<f64>,
    counter: u64,
    recorded: usize,
}

/// Every metric seen so far, by name and labels.
type Metrics = BTreeMap<(String, Vec<(String, String)>), Seen>;

/// The process's recorder, installed on first use.
fn snapshotter() -> &'static Snapshotter {
    static RECORDER: OnceLock<Snapshotter> = OnceLock::new();
    RECORDER.get_or_init(|| {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        recorder.install().expect("the test's recorder");
        snapshotter
    })
}

/// Starts a test: the recorder installed, and the tests run one at a time (a snapshot resets
/// the recorder's gauges and counters and empties its histograms).
fn start() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    snapshotter();
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the recorder holds now, added to what `seen` held (a gauge's last value, a
/// counter's total, a histogram's number of values).
fn snapshot(seen: &mut Metrics) {
    for (key, _, _, value) in snapshotter().snapshot().into_vec() {
        let key = key.key();
        let mut labels: Vec<_> = key
            .labels()
            .map(|l| (l.key().to_owned(), l.value().to_owned()))
            .collect();
        labels.sort();
        let entry = seen.entry((key.name().to_owned(), labels)).or_default();
        match value {
            DebugValue::Gauge(v) => entry.gauge = Some(v.into_inner()),
            DebugValue::Counter(n) => entry.counter += n,
            DebugValue::Histogram(values) => entry.recorded += values.len(),
        }
    }
}

/// The metric `name` with `labels`.
fn metric(seen: &Metrics, name: &str, labels: &[(&str, &str)]) -> Seen {
    let mut labels: Vec<_> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    labels.sort();
    seen.get(&(name.to_owned(), labels))
        .copied()
        .unwrap_or_default()
}

/// The metric `name` of pool `pool`.
fn of_pool(seen: &Metrics, name: &str, pool: &str) -> Seen {
    metric(seen, name, &[("db.client.connection.pool.name", pool)])
}

/// The connections of `pool` in `state`.
fn count(seen: &Metrics, pool: &str, state: &str) -> Option<f64> {
    let labels = [
        ("db.client.connection.pool.name", pool),
        ("db.client.connection.state", state),
    ];
    metric(seen, "db.client.connection.count", &labels).gauge
}

fn items() -> Table {
    Table::new("items")
        .column(Column::new("id", SqlType::Integer).primary_key())
        .column(Column::new("name", SqlType::Text).nullable(false))
}

/// A pool of 2, both connections in use and 4 threads waiting: 2 used, 0 idle, 4 pending;
/// once all are served, 2 idle, 4 waits, 6 uses, 2 connections created, each statement's
/// duration recorded under its operation and table.
#[test]
fn pool_of_two_with_four_waiting() {
    let _serial = start();
    let mut seen = Metrics::new();
    let pool = format!("pool_{}", fastrand::u32(..));
    let db = TestDb::sqlite("metrics_pool_of_two");
    let engine = Engine::builder(&db.url())
        .pool_size(2)
        .max_overflow(0)
        .pool_name(&pool)
        .build()
        .unwrap();
    let t = items();
    let mut first = engine.connect().unwrap();
    first
        .execute(
            text("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
            Params::new(),
        )
        .unwrap();
    first
        .execute(insert(&t), params! { "id" => 1, "name" => "one" })
        .unwrap();
    first.commit().unwrap();
    let second = engine.connect().unwrap();
    std::thread::scope(|s| {
        let waiters: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut conn = engine.connect().unwrap();
                    let rows = conn
                        .execute(select(&t), Params::new())
                        .unwrap()
                        .all()
                        .unwrap();
                    assert_eq!(rows.len(), 1);
                })
            })
            .collect();
        while engine.pool_status().waiting < 4 {
            std::thread::sleep(Duration::from_millis(1));
        }
        // The last to queue publishes the counts just after it queued.
        std::thread::sleep(Duration::from_millis(100));
        snapshot(&mut seen);
        let gauge = |name| of_pool(&seen, name, &pool).gauge;
        assert_eq!(gauge("db.client.connection.pending_requests"), Some(4.0));
        assert_eq!(gauge("db.client.connection.max"), Some(2.0));
        assert_eq!(gauge("db.client.connection.idle.max"), Some(2.0));
        assert_eq!(count(&seen, &pool, "used"), Some(2.0));
        assert_eq!(count(&seen, &pool, "idle"), Some(0.0));
        drop(first);
        drop(second);
        for waiter in waiters {
            waiter.join().unwrap();
        }
    });
    // One more checkout and return: the counts published last are the settled ones.
    drop(engine.connect().unwrap());
    snapshot(&mut seen);
    let of_pool = |name| of_pool(&seen, name, &pool);
    assert_eq!(count(&seen, &pool, "used"), Some(0.0));
    assert_eq!(count(&seen, &pool, "idle"), Some(2.0));
    let pending = of_pool("db.client.connection.pending_requests");
    assert_eq!(pending.gauge, Some(0.0));
    assert_eq!(of_pool("db.client.connection.wait_time").recorded, 4);
    assert_eq!(of_pool("db.client.connection.use_time").recorded, 7);
    assert_eq!(of_pool("db.client.connection.create_time").recorded, 2);
    assert_eq!(of_pool("db.client.connection.timeouts").counter, 0);
    // The statements: SELECTs of `items` (recorded by every engine on SQLite, so at least
    // these four), and no value or error among the attributes.
    let selects = metric(
        &seen,
        "db.client.operation.duration",
        &[
            ("db.system.name", "sqlite"),
            ("db.operation.name", "SELECT"),
            ("db.collection.name", "items"),
        ],
    );
    assert!(selects.recorded >= 4, "{seen:#?}");
}

/// A checkout that times out counts in `db.client.connection.timeouts`, and its wait in
/// `db.client.connection.wait_time`.
#[test]
fn checkout_timeout() {
    let _serial = start();
    let pool = format!("timeout_{}", fastrand::u32(..));
    let db = TestDb::sqlite("metrics_checkout_timeout");
    let engine = Engine::builder(&db.url())
        .pool_size(1)
        .max_overflow(0)
        .pool_timeout(Duration::from_millis(20))
        .pool_name(&pool)
        .build()
        .unwrap();
    let held = engine.connect().unwrap();
    assert!(matches!(engine.connect(), Err(Error::Timeout { .. })));
    drop(held);
    let mut seen = Metrics::new();
    snapshot(&mut seen);
    let timeouts = of_pool(&seen, "db.client.connection.timeouts", &pool);
    assert_eq!(timeouts.counter, 1);
    let waits = of_pool(&seen, "db.client.connection.wait_time", &pool);
    assert_eq!(waits.recorded, 1);
}

/// A failed statement's duration carries its `error.type`.
#[test]
fn failed_statement_duration() {
    let _serial = start();
    let engine = Engine::builder("sqlite://").build().unwrap();
    let mut conn = engine.connect().unwrap();
    let missing = Table::new("metrics_missing_table").column(Column::new("id", SqlType::Integer));
    assert!(conn.execute(select(&missing), Params::new()).is_err());
    let mut seen = Metrics::new();
    snapshot(&mut seen);
    let failed = seen.iter().find(|((name, labels), _)| {
        name == "db.client.operation.duration"
            && labels.contains(&("db.collection.name".into(), "metrics_missing_table".into()))
    });
    let ((_, labels), seen) = failed.expect("the failed statement's duration");
    assert!(
        labels.contains(&("error.type".into(), "OperationalError".into())),
        "{labels:?}"
    );
    assert_eq!(seen.recorded, 1);
}
