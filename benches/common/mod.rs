//! What the benchmarks share.

#[allow(dead_code)]
pub mod pgbouncer;

use std::time::{Duration, Instant};

/// The best timings of `raw` and `core` over `rounds` rounds that alternate them, so both
/// see the same machine load.
#[allow(dead_code)]
pub fn compare(
    rounds: usize,
    mut raw: impl FnMut(),
    mut core: impl FnMut(),
) -> (Duration, Duration) {
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed()
    };
    let (mut best_raw, mut best_core) = (Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        best_raw = best_raw.min(time(&mut raw));
        best_core = best_core.min(time(&mut core));
    }
    (best_raw, best_core)
}

/// The best wall time and the best client CPU time (the calling thread's) of the rounds of
/// one contender, each the minimum over the rounds measured.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy)]
pub struct Best {
    pub wall: Duration,
    pub cpu: Duration,
}

#[allow(dead_code)]
impl Best {
    pub const NONE: Best = Best {
        wall: Duration::MAX,
        cpu: Duration::MAX,
    };

    /// Runs one round of `f`, keeping its times where they are the best so far.
    pub fn round(&mut self, f: impl FnOnce()) {
        let (t, cpu) = (Instant::now(), thread_cpu());
        f();
        self.wall = self.wall.min(t.elapsed());
        self.cpu = self.cpu.min(thread_cpu() - cpu);
    }
}

/// The CPU time the calling thread has used so far (Linux; zero elsewhere): unlike wall time,
/// it leaves out the waits for the server, so it shows the client's own cost.
#[allow(dead_code)]
pub fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

/// How many times the calling thread has gone to sleep so far — its voluntary context
/// switches (Linux; zero elsewhere): each is a wait that blocked, and the wake-up it needed.
#[allow(dead_code)]
pub fn thread_sleeps() -> u64 {
    std::fs::read_to_string("/proc/thread-self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// How sqlcore runs a point select in a benchmark beside a raw driver (whose statement is
/// prepared once).
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A `select()` built per call, its compiled form found through the compiled cache, run
    /// with `execute(..).one()`.
    Built,
    /// The statement prepared once (`engine.prepare`), run with `execute(&prepared, ..).one()`.
    PreparedOne,
    /// The statement prepared once, run with `query_row`.
    PreparedQueryRow,
}

#[allow(dead_code)]
impl Style {
    pub const ALL: [Style; 3] = [Style::Built, Style::PreparedOne, Style::PreparedQueryRow];

    /// The style `SQLCORE_BENCH_POINT_ONLY` names (`sqlcore`, `prepared`, `query_row`);
    /// `None` for anything else (the raw driver).
    pub fn named(name: &str) -> Option<Style> {
        match name {
            "sqlcore" => Some(Style::Built),
            "prepared" => Some(Style::PreparedOne),
            "query_row" => Some(Style::PreparedQueryRow),
            _ => None,
        }
    }

    /// How the benchmark's report names it.
    pub fn label(self) -> &'static str {
        match self {
            Style::Built => "built per call, execute().one()",
            Style::PreparedOne => "prepared, execute().one()",
            Style::PreparedQueryRow => "prepared, query_row()",
        }
    }
}
