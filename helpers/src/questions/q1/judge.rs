//! Question 1's claims and headline: a pure function of a result (its params and series).
//!
//! Parallelism is judged on cores busy (CPU time / wall time), which the machine's speed drift does not fool, and
//! by the one rule every question shares (`judging::async_parallelism`): a parallel baseline shows the cores were
//! there, then async tasks against the same threads without async. It needs two cores. Loop blocking is judged on
//! ratios of heartbeat lateness within one run.

use super::*;
use crate::judging::{async_parallelism, cause, python, rust, AsyncRuns, Quantity};
use crate::judging::{Fails, Holds};
use crate::result::{Claim, Finding, LabResult};
use crate::units::fmt_ms;
use crate::units::Unit;

/// A loop is "blocked" when its heartbeat is this many times later than with the work off it (or with yields).
const BLOCKED: f64 = 10.0;

/// The heartbeat's p99 without await points in the jobs over with one every `yield_every_us`.
const YIELD_RELIEF: Quantity = Quantity::new("q1: heartbeat p99, jobs without / with await points", Unit::Ratio);
/// The heartbeat's p99 with the jobs on the loop over with them handed off (spawn_blocking, a process pool).
const ON_LOOP: Quantity = Quantity::new("q1: heartbeat p99, jobs on the loop / handed off", Unit::Ratio);
/// The heartbeat's worst lateness over one job's time.
const LAG_PER_JOB: Quantity = Quantity::new("q1: heartbeat lateness (max) / one job", Unit::Ratio);
/// The jobs with await points added, cores busy: still computing (about 1.0) or waiting.
const WITH_AWAITS_BUSY: Quantity =
    Quantity::new("q1: the jobs with await points, cores busy (CPU / wall)", Unit::Number);
/// Code that computes keeps its thread busy nearly all the time: CPU time / wall time above this.
const COMPUTING: f64 = 0.9;

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let x = p.jobs as f64;
    let mut parts = Vec::new();
    for name in ["tokio current_thread", "tokio multi_thread", "python asyncio", "python processes"] {
        if let Ok(v) = r.value(name, "speedup", x) {
            parts.push(format!("{name} {v:.2}x"));
        }
    }
    Ok(format!(
        "{} jobs x {} ms, speed-up over sequential on {}: {}",
        p.jobs,
        p.job_ms,
        r.machine.cores_label(),
        parts.join(", ")
    ))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    Ok(vec![rule_1_1(p, r)?, rule_1_2(p, r)?, rule_1_3(p, r)?, rule_1_4(p, r)?, rule_1_5(p, r)?, rule_1_6(p, r)?])
}

/// `name`'s `y` at the run's job count.
fn v(p: &Params, r: &LabResult, name: &str, y: &str) -> Result<f64> {
    r.value(name, y, p.jobs as f64)
}

/// What the shared parallelism rule reads, for Rust: rayon's pool shows the cores were there; the multi-threaded
/// runtime is set against it (as many threads), one loop against the jobs run one after another on one thread.
fn rust_runs(p: &Params, r: &LabResult) -> Result<AsyncRuns<'static>> {
    let busy = |name| v(p, r, name, "cores_busy");
    Ok(AsyncRuns {
        capacity: ("rayon", busy("rayon")?),
        pairs: vec![
            ("tokio multi_thread", busy("tokio multi_thread")?, "rayon", busy("rayon")?),
            ("tokio current_thread", busy("tokio current_thread")?, "sequential", busy("sequential")?),
        ],
    })
}

/// For Python: the process pool shows the cores were there; the coroutines on asyncio's loop are set against the
/// same jobs run one after another.
fn python_runs(p: &Params, r: &LabResult) -> Result<AsyncRuns<'static>> {
    Ok(AsyncRuns {
        capacity: ("python processes", v(p, r, "python processes", "cores_busy")?),
        pairs: vec![(
            "asyncio",
            v(p, r, "python asyncio", "cores_busy")?,
            "sequential",
            v(p, r, "python sequential", "cores_busy")?,
        )],
    })
}

/// The shared rule's sentences: confirmed, refined, contradicted.
const RUST_SAYS: [&str; 3] = [
    "The async tasks kept one core busy while plain threads used more: async bought no second core.",
    "Async added no parallelism of its own, but Rust's async tasks did run in parallel: tokio's multi-threaded \
     runtime ran them on its worker threads, as a thread pool without async does (Rust has no GIL). On one loop \
     they took turns.",
    "Async tasks kept more cores busy than the same threads without async: something besides the threads ran the \
     jobs in parallel.",
];
const PYTHON_SAYS: [&str; 3] = [
    "The coroutines kept one core busy while the process pool used more: the loop runs one coroutine at a time, so \
     async bought no second core.",
    "The coroutines ran in parallel.",
    "The coroutines kept more cores busy than the jobs one after another.",
];

/// 1.1 "if there is no waiting ... async has no use": the shared parallelism rule (as 1.6 and 7.3).
fn rule_1_1(p: &Params, r: &LabResult) -> Result<Claim> {
    let waiting = "The claim's other half, waiting, is measured in notebook 07.";
    let rust = rust(|| Ok(async_parallelism(r, &rust_runs(p, r)?, RUST_SAYS)?.then(waiting)));
    let python = python(r, || Ok(async_parallelism(r, &python_runs(p, r)?, PYTHON_SAYS)?.then(waiting)));
    Claim::new("1.1", rust, python)
}

/// 1.2 "Async works via cooperative multitasking": the loop answers only where a task cooperates, so the same
/// jobs with an await point every few hundred µs must leave the heartbeat far less late than without.
fn rule_1_2(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |without: &str, with: &str, what: &str, who: &str| -> Result<Finding> {
        Ok(yield_relief(p, r, without, with, what)?.confirm(
            &format!("The loop ran its timer only where the {who} gave it back: at the awaits added by hand."),
            &format!("The awaits changed little: the loop was not waiting for the {who} to cooperate."),
        ))
    };
    let rust = rust(|| judge("tokio current_thread", "tokio yield_now", "yield_now().await", "tasks"));
    let python = python(r, || judge("python asyncio", "python asyncio yield", "await asyncio.sleep(0)", "coroutines"));
    Claim::new("1.2", rust, python)
}

/// The heartbeat's p99 without await points over with one every `yield_every_us`, against `BLOCKED`.
fn yield_relief(p: &Params, r: &LabResult, without: &str, with: &str, what: &str) -> Result<crate::judging::Test> {
    let (a, b) = (v(p, r, without, "lag_p99_ms")?, v(p, r, with, "lag_p99_ms")?);
    let every = p.yield_every_us;
    Ok(YIELD_RELIEF.above(
        r,
        &format!("heartbeat p99 without / with {what} every {every} µs ({} / {})", fmt_ms(a), fmt_ms(b)),
        a / b.max(1e-3),
        BLOCKED,
    ))
}

/// 1.3 "A coroutine only yields control when it hits await": with no await in a job, the loop cannot run its
/// heartbeat during a job, so the heartbeat waits at least one whole job (here: all of them, run back to back).
fn rule_1_3(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |name: &str| -> Result<Finding> {
        let lag = v(p, r, name, "lag_max_ms")?;
        let job = v(p, r, name, "wall_s")? * 1000.0 / p.jobs as f64;
        Ok(LAG_PER_JOB
            .above(
                r,
                &format!("heartbeat lateness (max) / one job ({} / {})", fmt_ms(lag), fmt_ms(job)),
                lag / job,
                1.0,
            )
            .confirm(
                "The loop got control back only between jobs, never inside one; every job was ready at once and they \
                 ran back to back before it looked at its timers.",
                "The heartbeat ran in the middle of a job that has no await: control left the job without one.",
            ))
    };
    Claim::new("1.3", rust(|| judge("tokio current_thread")), python(r, || judge("python asyncio")))
}

/// 1.4 "CPU-bound code has no await points". These jobs have none, as written; but an await point need not wait.
/// The same jobs with an await every `yield_every_us` µs: if they stopped computing (cores busy under 0.9), code with
/// await points is not CPU-bound and the claim stands; if they still kept the core busy, CPU-bound code can have
/// await points, and they free the loop (1.2): refined.
fn rule_1_4(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |plain: &str, yielding: &str, what: &str| -> Result<Finding> {
        let busy = v(p, r, yielding, "cores_busy")?;
        Ok(WITH_AWAITS_BUSY
            .below(r, &format!("{yielding} ({what} every {} µs): cores busy", p.yield_every_us), busy, COMPUTING)
            .decide(
                Holds::Confirmed,
                Fails::Refined,
                "Adding await points made the jobs wait rather than compute: code that awaits is not CPU-bound.",
                "CPU-bound code can have await points: with them the jobs still computed all the time, and the loop \
                 stayed free between slices (1.2). Without them, as written here, it has none and holds the loop \
                 (1.3).",
            )
            .then(format!(
                "Without await points the heartbeat waited up to {} on the loop.",
                fmt_ms(v(p, r, plain, "lag_max_ms")?)
            )))
    };
    let rust = rust(|| judge("tokio current_thread", "tokio yield_now", "yield_now().await"));
    let python = python(r, || judge("python asyncio", "python asyncio yield", "await asyncio.sleep(0)"));
    Claim::new("1.4", rust, python)
}

/// 1.5 "So it blocks the event loop", a cause: the heartbeat must be far later with the jobs on the loop than
/// handed off (spawn_blocking, a process pool), and the reason the notes give, that the jobs have no await
/// points, must explain it: the same jobs with await points added must free the loop (1.2's number).
fn rule_1_5(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |on: &str, off: &str, off_name: &str, with: &str, what: &str| -> Result<Finding> {
        let (a, b) = (v(p, r, on, "lag_p99_ms")?, v(p, r, off, "lag_p99_ms")?);
        let blocked = ON_LOOP
            .above(
                r,
                &format!("heartbeat p99 with the jobs on the loop / on {off_name} ({} / {})", fmt_ms(a), fmt_ms(b)),
                a / b.max(1e-3),
                BLOCKED,
            )
            .confirm(
                "Only the place of the jobs changed: on the loop they held it; handed off, the loop only awaited them.",
                "Handing the jobs off did not free the loop by much: something other than the jobs on it held it.",
            );
        Ok(cause(
            blocked,
            yield_relief(p, r, on, with, what)?,
            "Yes: the same jobs with await points left the loop free, so it was their lack of awaits that held it.",
            "Not the missing awaits: with await points added the loop stayed blocked.",
        ))
    };
    let rust = rust(|| {
        judge("tokio current_thread", "spawn_blocking", "spawn_blocking", "tokio yield_now", "yield_now().await")
    });
    let python = python(r, || {
        judge("python asyncio", "python processes", "processes", "python asyncio yield", "await asyncio.sleep(0)")
    });
    Claim::new("1.5", rust, python)
}

/// 1.6 "asyncio improves io concurrency, not cpu parallellism": the shared parallelism rule, the same numbers as
/// 1.1 and so the same verdict. Python's threads (asyncio.to_thread) are named beside it: threads, not async, are
/// where parallelism would come from.
fn rule_1_6(p: &Params, r: &LabResult) -> Result<Claim> {
    let rust = rust(|| async_parallelism(r, &rust_runs(p, r)?, RUST_SAYS));
    let python = python(r, || {
        let gil = match r.machine.python_gil {
            Some(true) => " This CPython has a GIL.",
            Some(false) => " This CPython is free-threaded (no GIL).",
            None => "",
        };
        Ok(async_parallelism(r, &python_runs(p, r)?, PYTHON_SAYS)?.then(format!(
            "asyncio.to_thread's threads, threads rather than coroutines, kept {:.2} cores busy.{gil} The I/O half, \
             concurrency for waiting, is notebook 07's (7.2).",
            v(p, r, "python to_thread", "cores_busy")?
        )))
    });
    Claim::new("1.6", rust, python)
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
