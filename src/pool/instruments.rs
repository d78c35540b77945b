//! What a pool tells its operators: a `tracing` span (target `sqlcore.pool`) for each checkout
//! that has to wait, and with the `metrics` feature the OpenTelemetry connection-pool
//! instruments (see [`crate::metrics`]). Without the feature, no clock is read for them.

use super::{PoolOptions, PoolStatus};
use crate::error::{Error, Result};
use std::sync::Arc;
use std::time::Instant;
use tracing::Span;
use tracing::field::Empty;

/// A pool's name and instruments.
pub(crate) struct PoolInstruments {
    name: Arc<str>,
    system: &'static str,
    #[cfg(feature = "metrics")]
    metrics: crate::metrics::PoolMetrics,
}

impl PoolInstruments {
    /// The instruments of the pool called `name`, of connections to `system`.
    pub fn new(name: Arc<str>, system: &'static str) -> Self {
        PoolInstruments {
            #[cfg(feature = "metrics")]
            metrics: crate::metrics::PoolMetrics::new(name.clone()),
            name,
            system,
        }
    }

    /// The time now, when the metrics need it (`None`, no clock read, without them).
    #[inline]
    pub fn now() -> Option<Instant> {
        cfg!(feature = "metrics").then(Instant::now)
    }

    /// A connection opening since `since` (see [`PoolInstruments::now`]) is open.
    #[inline]
    pub fn created(&self, since: Option<Instant>) {
        #[cfg(feature = "metrics")]
        if let Some(since) = since {
            self.metrics.created(since.elapsed());
        }
        let _ = since;
    }

    /// A connection lent since `since` came back.
    #[inline]
    pub fn used(&self, since: Option<Instant>) {
        #[cfg(feature = "metrics")]
        if let Some(since) = since {
            self.metrics.used(since.elapsed());
        }
        let _ = since;
    }

    /// Publishes the pool's counts, which `status` gives (called only with the metrics).
    #[inline]
    pub fn status(&self, status: impl FnOnce() -> PoolStatus, options: &PoolOptions) {
        #[cfg(feature = "metrics")]
        self.metrics.status(status, options);
        #[cfg(not(feature = "metrics"))]
        let _ = (status, options);
    }

    /// A checkout that found no connection starts waiting, in a pool whose counts `status`
    /// gives and whose settings are `options`; [`Waiting::done`] says how it ended (a checkout
    /// given up before is counted as ended then).
    pub fn waiting<'a>(
        &'a self,
        status: &'a (dyn Fn() -> PoolStatus + Sync),
        options: &'a PoolOptions,
    ) -> Waiting<'a> {
        let span = tracing::info_span!(
            target: "sqlcore.pool",
            "sqlcore.checkout_wait",
            otel.name = "checkout wait",
            otel.kind = "internal",
            otel.status_code = Empty,
            db.system.name = self.system,
            db.client.connection.pool.name = &*self.name,
            error.type = Empty,
        );
        self.status(status, options);
        Waiting {
            instruments: self,
            status,
            options,
            span,
            since: Self::now(),
            timed_out: false,
        }
    }
}

/// A checkout waiting for a connection: its span, and since when it waits.
pub(crate) struct Waiting<'a> {
    instruments: &'a PoolInstruments,
    status: &'a (dyn Fn() -> PoolStatus + Sync),
    options: &'a PoolOptions,
    span: Span,
    since: Option<Instant>,
    timed_out: bool,
}

impl Waiting<'_> {
    /// The wait ended with `result`.
    pub fn done<T>(mut self, result: &Result<T>) {
        if let Err(e @ Error::Timeout { .. }) = result {
            self.timed_out = true;
            self.span.record("otel.status_code", "ERROR");
            self.span
                .record("error.type", &*crate::events::error_type(e));
        }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        #[cfg(feature = "metrics")]
        if let Some(since) = self.since {
            self.instruments
                .metrics
                .waited(since.elapsed(), self.timed_out);
        }
        #[cfg(not(feature = "metrics"))]
        let _ = (self.since, self.timed_out);
        self.instruments.status(self.status, self.options);
    }
}
