//! The sync pool against r2d2, in one run: checkout + return with one thread, and with 8
//! threads on a pool of 4 (wall time per checkout, the threads' CPU time and sleeps —
//! voluntary context switches — per checkout, and Jain's fairness index of the checkouts each
//! thread got), on a SQLite file and on PostgreSQL
//! (`SQLCORE_TEST_PG_URL`, default `postgresql://postgres@127.0.0.1:5432/test`).
//! sqlcore runs in both of its hand-off designs: the default (a waiter may be overtaken for
//! up to `pool_handoff_after`, 1 ms) and strict FIFO hand-off (`pool_handoff_after(ZERO)`).
//! Both pools hand connections out as they are (r2d2's `test_on_check_out` off, as
//! sqlcore's `pool_pre_ping` is by default). Run with `cargo bench --bench pool`; for
//! instruction counts, `-- count CONTENDER BACKEND THREADS N` (see [`count`]).

mod common;

use sqlcore::*;

use std::path::Path;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const THREADS: usize = 8;
const POOL: usize = 4;
const ROUND: Duration = Duration::from_millis(500);
const ROUNDS: usize = 3;

struct SqliteManager(std::path::PathBuf);

impl r2d2::ManageConnection for SqliteManager {
    type Connection = rusqlite::Connection;
    type Error = rusqlite::Error;
    fn connect(&self) -> Result<rusqlite::Connection, rusqlite::Error> {
        rusqlite::Connection::open(&self.0)
    }
    fn is_valid(&self, conn: &mut rusqlite::Connection) -> Result<(), rusqlite::Error> {
        conn.execute_batch("")
    }
    fn has_broken(&self, _: &mut rusqlite::Connection) -> bool {
        false
    }
}

struct PgManager(String);

impl r2d2::ManageConnection for PgManager {
    type Connection = postgres::Client;
    type Error = postgres::Error;
    fn connect(&self) -> Result<postgres::Client, postgres::Error> {
        postgres::Client::connect(&self.0, postgres::NoTls)
    }
    fn is_valid(&self, conn: &mut postgres::Client) -> Result<(), postgres::Error> {
        conn.simple_query("").map(drop)
    }
    fn has_broken(&self, conn: &mut postgres::Client) -> bool {
        conn.is_closed()
    }
}

/// How long each thread checks out and returns: for a round's time, or a fixed number of times.
#[derive(Clone, Copy)]
enum Workload {
    For(Duration),
    Each(u64),
}

/// What one round gave: wall time, CPU time and sleeps per checkout, and the checkouts of
/// each thread.
struct Round {
    per_checkout: Duration,
    /// The CPU time of all the threads, per checkout.
    cpu_per_checkout: Duration,
    /// How often the threads went to sleep (voluntary context switches), per checkout: each
    /// is a wait that blocked and the wake-up it needed.
    sleeps_per_checkout: f64,
    counts: Vec<u64>,
}

impl Round {
    /// Jain's fairness index of the checkouts per thread (1.0: all equal).
    fn fairness(&self) -> f64 {
        let sum: f64 = self.counts.iter().map(|&c| c as f64).sum();
        let squares: f64 = self.counts.iter().map(|&c| (c as f64).powi(2)).sum();
        sum * sum / (self.counts.len() as f64 * squares)
    }
}

/// `threads` threads calling `checkout_and_return`, started together, for `workload`.
fn contend(threads: usize, workload: Workload, checkout_and_return: &(dyn Fn() + Sync)) -> Round {
    let stop = AtomicBool::new(false);
    let start_line = Barrier::new(threads + 1);
    let (elapsed, per_thread): (Duration, Vec<(u64, Duration, u64)>) = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    start_line.wait();
                    let (cpu, sleeps) = (common::thread_cpu(), common::thread_sleeps());
                    let mut n = 0u64;
                    let more = |n: u64| match workload {
                        Workload::For(_) => !stop.load(Ordering::Relaxed),
                        Workload::Each(each) => n < each,
                    };
                    while more(n) {
                        checkout_and_return();
                        n += 1;
                    }
                    let cpu = common::thread_cpu().saturating_sub(cpu);
                    (n, cpu, common::thread_sleeps() - sleeps)
                })
            })
            .collect();
        start_line.wait();
        let start = Instant::now();
        if let Workload::For(round) = workload {
            std::thread::sleep(round);
            stop.store(true, Ordering::Relaxed);
        }
        let per_thread = workers.into_iter().map(|w| w.join().unwrap()).collect();
        (start.elapsed(), per_thread)
    });
    let total = per_thread.iter().map(|t| t.0).sum::<u64>().max(1);
    let cpu: Duration = per_thread.iter().map(|t| t.1).sum();
    let sleeps: u64 = per_thread.iter().map(|t| t.2).sum();
    Round {
        per_checkout: elapsed / total as u32,
        cpu_per_checkout: cpu / total as u32,
        sleeps_per_checkout: sleeps as f64 / total as f64,
        counts: per_thread.iter().map(|t| t.0).collect(),
    }
}

/// The best round of each contender over rounds that alternate them.
fn compare(threads: usize, contenders: &[&(dyn Fn() + Sync)]) -> Vec<Round> {
    let mut best: Vec<Option<Round>> = contenders.iter().map(|_| None).collect();
    for _ in 0..ROUNDS {
        for (slot, contender) in best.iter_mut().zip(contenders) {
            let r = contend(threads, Workload::For(ROUND), *contender);
            if slot
                .as_ref()
                .is_none_or(|b| r.per_checkout < b.per_checkout)
            {
                *slot = Some(r);
            }
        }
    }
    best.into_iter().map(Option::unwrap).collect()
}

/// One line of a round's figures.
fn line(name: &str, r: &Round, baseline: &Round) -> String {
    format!(
        "  {name:<20} {:>6} ns per checkout ({:.2}×)  cpu {:>6} ns  {:.3} sleeps  fairness {:.3}",
        r.per_checkout.as_nanos(),
        r.per_checkout.as_secs_f64() / baseline.per_checkout.as_secs_f64(),
        r.cpu_per_checkout.as_nanos(),
        r.sleeps_per_checkout,
        r.fairness(),
    )
}

fn report<M: r2d2::ManageConnection>(backend: &str, raw: r2d2::Pool<M>, url: &str) {
    let (default, strict) = (engine(url, None), engine(url, Some(Duration::ZERO)));
    let raw_checkout = || drop(raw.get().expect("r2d2 checkout"));
    let default_checkout = || drop(default.connect().expect("sqlcore checkout"));
    let strict_checkout = || drop(strict.connect().expect("sqlcore checkout"));
    for threads in [1, THREADS] {
        let rounds = compare(
            threads,
            &[&raw_checkout, &default_checkout, &strict_checkout],
        );
        println!("{backend}, {threads} thread(s) on a pool of {POOL}:");
        for (name, round) in ["r2d2", "sqlcore", "sqlcore strict FIFO"]
            .iter()
            .zip(&rounds)
        {
            println!("{}", line(name, round, &rounds[0]));
        }
    }
}

/// `-- count CONTENDER BACKEND THREADS N`: THREADS threads (default 8) each check out and
/// return N times (default 10,000) with one contender (`r2d2`, `sqlcore` or `strict`, sqlcore
/// with strict FIFO hand-off) on one backend (`sqlite` or `pg`), and nothing else is timed:
/// under `valgrind --tool=callgrind` the difference between two N, divided by the
/// checkouts it adds, is the instructions of one checkout without the set-up.
fn count(args: &[String], sqlite: &Path, pg: &str) {
    let arg = |i: usize| args.get(i).map_or("", String::as_str);
    let (contender, backend) = (arg(0), arg(1));
    let threads = arg(2).parse().unwrap_or(THREADS);
    let n = arg(3).parse().unwrap_or(10_000);
    let url = match backend {
        "sqlite" => sqlite_url(sqlite),
        "pg" => pg.to_owned(),
        other => panic!("backend {other:?}: sqlite or pg"),
    };
    let checkout: Box<dyn Fn() + Sync> = match (contender, backend) {
        ("r2d2", "sqlite") => {
            let pool = r2d2_pool(SqliteManager(sqlite.to_owned()));
            Box::new(move || drop(pool.get().expect("r2d2 checkout")))
        }
        ("r2d2", _) => {
            let pool = r2d2_pool(PgManager(url));
            Box::new(move || drop(pool.get().expect("r2d2 checkout")))
        }
        ("sqlcore" | "strict", _) => {
            let after = (contender == "strict").then_some(Duration::ZERO);
            let engine = engine(&url, after);
            Box::new(move || drop(engine.connect().expect("sqlcore checkout")))
        }
        (other, _) => panic!("contender {other:?}: r2d2, sqlcore or strict"),
    };
    let round = contend(threads, Workload::Each(n), &*checkout);
    println!("{contender} on {backend}, {threads} thread(s) × {n} checkouts on a pool of {POOL}:");
    println!("{}", line(contender, &round, &round));
}

fn r2d2_pool<M: r2d2::ManageConnection>(manager: M) -> r2d2::Pool<M> {
    r2d2::Pool::builder()
        .max_size(POOL as u32)
        .min_idle(Some(POOL as u32))
        .test_on_check_out(false)
        .build(manager)
        .expect("r2d2 pool")
}

/// An engine with a pool of `POOL`, opened, in the default hand-off design or another.
fn engine(url: &str, handoff_after: Option<Duration>) -> Engine {
    let mut builder = Engine::builder(url).pool_size(POOL).max_overflow(0);
    if let Some(after) = handoff_after {
        builder = builder.pool_handoff_after(after);
    }
    let engine = builder.build().expect("engine");
    // Open the pool's connections before timing.
    let held: Vec<_> = (0..POOL).map(|_| engine.connect().unwrap()).collect();
    drop(held);
    engine
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite:///{}", path.display())
}

fn main() {
    let dir = std::env::temp_dir().join(format!("sqlcore-bench-pool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pool.db");
    let pg = std::env::var("SQLCORE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".into());
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "count") {
        count(&args[pos + 1..], &path, &pg);
    } else {
        report(
            "SQLite",
            r2d2_pool(SqliteManager(path.clone())),
            &sqlite_url(&path),
        );
        report("PostgreSQL", r2d2_pool(PgManager(pg.clone())), &pg);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
