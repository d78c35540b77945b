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
