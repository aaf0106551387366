//! The client side of the loopback experiments: `requests` one-shot requests (connect, `GET`, read the answer)
//! with an optional concurrency limit and a per-request timeout, every outcome counted by kind, and each request's
//! instants recorded for its timeline.

use crate::measure::latency::{Latencies, Percentiles};
use crate::measure::record::Recorder;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// How the requests ended.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Outcomes {
    pub ok: u64,
    pub timeouts: u64,
    /// Answered 429 by the rate limit.
    pub rejected: u64,
    /// Refused or reset connections, and other I/O errors.
    pub conn_errors: u64,
    /// "Too many open files": the client's open-files limit.
    pub emfile: u64,
    /// "Cannot assign requested address": no ephemeral port left for another connection.
    pub addr_not_avail: u64,
}

/// What a request's timeline records, in order: submitted (the latency clock's start, before any permit), sent
/// (the permit held: the service clock's start, before connecting), then one outcome: answered (200), timed out, or
/// refused (a 429, or the connection refused, reset or never made).
pub const INSTANTS: [&str; 5] = ["submitted", "sent", "answered", "timed out", "refused"];
const SUBMITTED: usize = 0;
const SENT: usize = 1;
const ANSWERED: usize = 2;
const TIMED_OUT: usize = 3;
const REFUSED: usize = 4;

enum Outcome {
    /// Answered: time from submission, and service time (after the permit).
    Ok {
        from_submit: Duration,
        service: Duration,
    },
    /// Gave up at the timeout, this long after submission.
    Timeout(Duration),
    Rejected,
    Error(Option<i32>),
}

/// One request: connect, send `GET`, read the answer (true: 200, false: 429).
pub(crate) async fn one(port: u16) -> std::io::Result<bool> {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let (rd, mut wr) = stream.into_split();
    wr.write_all(b"GET\n").await?;
    let mut line = String::new();
    // The answer is one short line: a small buffer, not the default 8 KiB a request, which would be most of what a
    // request in flight costs the client (q4's and q9's memory).
    BufReader::with_capacity(16, rd).read_line(&mut line).await?;
    match line.trim() {
        "200" => Ok(true),
        "429" => Ok(false),
        _ => Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "no answer")),
    }
}

/// What one client run saw.
#[derive(Debug, Clone)]
pub struct ClientRun {
    pub outcomes: Outcomes,
    /// From submission (before any permit) to the answer or to giving up at the timeout: what the caller waits.
    /// Requests that failed otherwise (EMFILE, refused, 429) are left out.
    pub from_submit: Percentiles,
    /// From submission (the same clock start) to the answer, answered (200) requests only: no timeout censored
    /// into it. All zero when none was answered.
    pub answered: Percentiles,
    /// From the permit to the answer, answered requests only: what the server and the network take.
    pub service: Percentiles,
    pub wall_s: f64,
    pub peak_fds: u64,
}

/// Fires `requests` requests at `port` (all spawned at once), at most `limit` in flight when given.
pub async fn run(port: u16, requests: u64, limit: Option<u64>, timeout: Duration) -> ClientRun {
    run_recorded(port, requests, limit, timeout, Arc::new(Recorder::new(0, &INSTANTS))).await
}

/// `run`, with request i's instants (`INSTANTS`) recorded into `rec`'s slots for task i.
pub async fn run_recorded(
    port: u16,
    requests: u64,
    limit: Option<u64>,
    timeout: Duration,
    rec: Arc<Recorder>,
) -> ClientRun {
    // Sample open descriptors while the run lasts.
    let sampling = Arc::new(AtomicBool::new(true));
    let peak = Arc::new(AtomicU64::new(0));
    let (flag, top) = (sampling.clone(), peak.clone());
    let sampler = std::thread::spawn(move || {
        while flag.load(Ordering::Relaxed) {
            top.fetch_max(crate::measure::memory::open_fds() as u64, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    let sem = limit.map(|l| Arc::new(tokio::sync::Semaphore::new(l as usize)));
    let t0 = Instant::now();
    let handles: Vec<_> = (0..requests)
        .map(|i| {
            let (sem, rec, i) = (sem.clone(), rec.clone(), i as usize);
            // Submission is the spawn, not the task's first poll: a wait for the scheduler counts too. The timeline
            // takes the same Instant, so its "submitted" is the latency clock's start.
            let submitted = Instant::now();
            rec.mark_at(i, SUBMITTED, submitted);
            tokio::spawn(async move {
                let _permit = match &sem {
                    Some(s) => s.clone().acquire_owned().await.ok(),
                    None => None,
                };
                // The timeout sits around the request, inside the permit, where the notes' code puts it.
                let start = Instant::now();
                rec.mark_at(i, SENT, start);
                let result = tokio::time::timeout(timeout, one(port)).await;
                let end = Instant::now();
                let (instant, outcome) = match result {
                    Err(_) => (TIMED_OUT, Outcome::Timeout(end - submitted)),
                    Ok(Ok(true)) => (ANSWERED, Outcome::Ok { from_submit: end - submitted, service: end - start }),
                    Ok(Ok(false)) => (REFUSED, Outcome::Rejected),
                    Ok(Err(e)) => (REFUSED, Outcome::Error(e.raw_os_error())),
                };
                rec.mark_at(i, instant, end);
                outcome
            })
        })
        .collect();
    let (mut from_submit, mut answered, mut service) = (Latencies::new(), Latencies::new(), Latencies::new());
    let mut out = Outcomes::default();
    for h in handles {
        match h.await {
            Ok(Outcome::Ok { from_submit: f, service: s }) => {
                out.ok += 1;
                from_submit.record(f);
                answered.record(f);
                service.record(s);
            }
            Ok(Outcome::Timeout(f)) => {
                out.timeouts += 1;
                from_submit.record(f);
            }
            Ok(Outcome::Rejected) => out.rejected += 1,
            Ok(Outcome::Error(Some(libc::EMFILE))) | Ok(Outcome::Error(Some(libc::ENFILE))) => out.emfile += 1,
            Ok(Outcome::Error(Some(libc::EADDRNOTAVAIL))) => out.addr_not_avail += 1,
            _ => out.conn_errors += 1,
        }
    }
    let wall_s = t0.elapsed().as_secs_f64();
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.join();
    ClientRun {
        outcomes: out,
        from_submit: from_submit.percentiles(),
        answered: answered.percentiles(),
        service: service.percentiles(),
        wall_s,
        peak_fds: peak.load(Ordering::Relaxed),
    }
}

/// What the notes' own program did (`gather`), coded as the Python twin's `--variant gather` reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GatherRun {
    /// An error escaped: the program's `?` would end `main` with it.
    pub raised: bool,
    /// What escaped: 0 nothing, 1 a timeout, 2 an I/O error (the analogue of Python's OSError), 3 another error
    /// (a task that panicked), -1 still running after the budget.
    pub error: i32,
    /// The OS errno of an I/O error (EMFILE is 24), else 0.
    pub errno: i32,
    /// From the first spawn to the error, or to the end (or the budget).
    pub after: Duration,
    /// Requests not yet ended when it stopped (abandoned: nothing cancels them until the clean-up).
    pub unfinished: u64,
    /// Requests answered (200 or 429) by then.
    pub answered: u64,
    /// Requests that still had not ended after the clean-up (aborted and awaited, bounded by the budget).
    pub left_running: u64,
    /// The error that escaped, in Rust's words ("deadline has elapsed"), or what happened instead.
    pub last: String,
}

/// Why a request of the notes' program failed.
enum Failure {
    Timeout(tokio::time::error::Elapsed),
    Io(std::io::Error),
}

/// Counts a request as ended when its future is dropped: on completion, and on abort (a cancelled future is dropped
/// without finishing), so the clean-up can tell what still runs.
struct Ended(Arc<AtomicU64>);

impl Drop for Ended {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// The notes' program in tokio, the shape of the Python twin's (`q4_client.py --variant gather`): every request
/// spawned at once with no limit, each under `timeout` (a 429 is an answer; only errors and timeouts fail), awaited
/// in completion order, stopping at the first failure, as `asyncio.gather` without `return_exceptions` does: that
/// error is what the program's `?` lets escape. Gives up waiting after `budget`. Then it cleans up as
/// `asyncio.run` does at exit: aborts the rest and awaits them (bounded by `budget`).
pub async fn gather(port: u16, requests: u64, timeout: Duration, budget: Duration) -> GatherRun {
    let (ended, answered) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let t0 = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..requests {
        let (ended, answered) = (Ended(ended.clone()), answered.clone());
        set.spawn(async move {
            let _ended = ended;
            match tokio::time::timeout(timeout, one(port)).await {
                Ok(Ok(_)) => {
                    answered.fetch_add(1, Ordering::Relaxed);
                    Ok(())
                }
                Ok(Err(e)) => Err(Failure::Io(e)),
                Err(e) => Err(Failure::Timeout(e)),
            }
        });
    }
    let deadline = tokio::time::Instant::from_std(t0 + budget);
    let mut run = GatherRun::default();
    loop {
        let escaped = match tokio::time::timeout_at(deadline, set.join_next()).await {
            Err(_) => {
                run.error = -1;
                run.last = format!("still running after the {:.0} s budget", budget.as_secs_f64());
                break;
            }
            Ok(None) => {
                run.last = "every request succeeded: nothing escaped".into();
                break;
            }
            Ok(Some(Ok(Ok(())))) => continue,
            Ok(Some(Ok(Err(Failure::Timeout(e))))) => (1, 0, format!("Elapsed ({e})")),
            Ok(Some(Ok(Err(Failure::Io(e))))) => (2, e.raw_os_error().unwrap_or(0), format!("io::Error ({e})")),
            Ok(Some(Err(e))) => (3, 0, format!("JoinError ({e})")),
        };
        run.raised = true;
        (run.error, run.errno, run.last) = escaped;
        break;
    }
    // Read at once: the other requests run on (on every worker thread) until the clean-up aborts them.
    run.after = t0.elapsed();
    run.unfinished = requests.saturating_sub(ended.load(Ordering::Relaxed));
    run.answered = answered.load(Ordering::Relaxed);
    let _ = tokio::time::timeout(budget, set.shutdown()).await;
    run.left_running = requests.saturating_sub(ended.load(Ordering::Relaxed));
    run
}
