//! The OpenTelemetry database-client metrics (feature `metrics`), recorded through the
//! [`metrics`] crate's facade: `db.client.operation.duration` for each statement, and the
//! connection-pool instruments labelled with the pool's name.
//!
//! The facade, as `log` is for logs, leaves the backend to the application (a Prometheus
//! exporter, OpenTelemetry through `metrics-exporter-opentelemetry`, a test's
//! `DebuggingRecorder`), brings no SDK into sqlcore's build, and costs an empty call when no
//! recorder is installed.

use crate::error::Error;
use crate::events::{StatementEvent, error_type};
use crate::pool::{PoolOptions, PoolStatus};
use metrics::{Label, SharedString, Unit, counter, gauge, histogram};
use std::sync::{Arc, Once};
use std::time::Duration;

const OPERATION_DURATION: &str = "db.client.operation.duration";
const CONNECTION_COUNT: &str = "db.client.connection.count";
const CONNECTION_MAX: &str = "db.client.connection.max";
const CONNECTION_IDLE_MAX: &str = "db.client.connection.idle.max";
const PENDING_REQUESTS: &str = "db.client.connection.pending_requests";
const TIMEOUTS: &str = "db.client.connection.timeouts";
const CREATE_TIME: &str = "db.client.connection.create_time";
const WAIT_TIME: &str = "db.client.connection.wait_time";
const USE_TIME: &str = "db.client.connection.use_time";
const POOL_NAME: &str = "db.client.connection.pool.name";
const STATE: &str = "db.client.connection.state";

/// Describes the instruments (units and meaning) to the recorder, once per process.
fn describe() {
    static DESCRIBED: Once = Once::new();
    DESCRIBED.call_once(|| {
        metrics::describe_histogram!(OPERATION_DURATION, Unit::Seconds, "Duration of database client operations.");
        metrics::describe_gauge!(CONNECTION_COUNT, "The number of connections that are currently in the state described by the state attribute.");
        metrics::describe_gauge!(CONNECTION_MAX, "The maximum number of open connections allowed.");
        metrics::describe_gauge!(CONNECTION_IDLE_MAX, "The maximum number of idle open connections allowed.");
        metrics::describe_gauge!(PENDING_REQUESTS, "The number of current pending requests for an open connection.");
        metrics::describe_counter!(TIMEOUTS, "The number of connection timeouts that have occurred trying to obtain a connection from the pool.");
        metrics::describe_histogram!(CREATE_TIME, Unit::Seconds, "The time it took to create a new connection.");
        metrics::describe_histogram!(WAIT_TIME, Unit::Seconds, "The time it took to obtain an open connection from the pool.");
        metrics::describe_histogram!(USE_TIME, Unit::Seconds, "The time between borrowing a connection and returning it to the pool.");
    });
}

/// Records a statement's `db.client.operation.duration`.
pub(crate) fn operation(event: &StatementEvent<'_>, duration: Duration, error: Option<&Error>) {
    let mut labels = Vec::with_capacity(4);
    labels.push(Label::new("db.system.name", event.system));
    if let Some(operation) = event.operation {
        labels.push(Label::new("db.operation.name", operation));
    }
    if let Some(collection) = event.collection {
        labels.push(Label::new("db.collection.name", collection.to_owned()));
    }
    if let Some(error) = error {
        labels.push(Label::new("error.type", error_type(error)));
    }
    histogram!(OPERATION_DURATION, labels).record(duration.as_secs_f64());
}

/// A pool's instruments, labelled with its name.
pub(crate) struct PoolMetrics {
    name: SharedString,
    /// Held while the counts are read and published, so that publications cannot cross: the
    /// last one to publish read the counts last, and the gauges end on the pool's latest state.
    publishing: parking_lot::Mutex<()>,
}

impl PoolMetrics {
    /// The instruments of the pool called `name`.
    pub fn new(name: Arc<str>) -> Self {
        describe();
        PoolMetrics {
            name: SharedString::from(name),
            publishing: parking_lot::Mutex::new(()),
        }
    }

    fn labels(&self) -> [Label; 1] {
        [Label::new(POOL_NAME, self.name.clone())]
    }

    /// A checkout waited `waited`, and timed out or not.
    pub fn waited(&self, waited: Duration, timed_out: bool) {
        histogram!(WAIT_TIME, self.labels().iter()).record(waited.as_secs_f64());
        if timed_out {
            counter!(TIMEOUTS, self.labels().iter()).increment(1);
        }
    }

    /// A connection was opened in `took`.
    pub fn created(&self, took: Duration) {
        histogram!(CREATE_TIME, self.labels().iter()).record(took.as_secs_f64());
    }

    /// A connection came back after `used`.
    pub fn used(&self, used: Duration) {
        histogram!(USE_TIME, self.labels().iter()).record(used.as_secs_f64());
    }

    /// The pool's counts (read by `status`) and limits (from `options`, for a pool of
    /// `status.kind`). Every change to the counts is followed by a call, and calls are
    /// serialised, so a publication made with older counts never overwrites a newer one.
    pub fn status(&self, status: impl FnOnce() -> PoolStatus, options: &PoolOptions) {
        let _publishing = self.publishing.lock();
        let status = &status();
        gauge!(PENDING_REQUESTS, self.labels().iter()).set(status.waiting as f64);
        for (state, count) in [("idle", status.checked_in), ("used", status.checked_out)] {
            let labels = [
                Label::new(POOL_NAME, self.name.clone()),
                Label::from_static_parts(STATE, state),
            ];
            gauge!(CONNECTION_COUNT, labels.iter()).set(count as f64);
        }
        let (max, idle_max) = match status.kind {
            "QueuePool" if options.pool_size > 0 => (
                options.pool_size.checked_add(options.max_overflow),
                Some(options.pool_size),
            ),
            "StaticPool" => (Some(1), Some(1)),
            "NullPool" => (None, Some(0)),
            _ => (None, None),
        };
        if let Some(max) = max {
            gauge!(CONNECTION_MAX, self.labels().iter()).set(max as f64);
        }
        if let Some(idle_max) = idle_max {
            gauge!(CONNECTION_IDLE_MAX, self.labels().iter()).set(idle_max as f64);
        }
    }
}
