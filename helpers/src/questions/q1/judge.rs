//! Question 1's claims and headline: a pure function of a result (its params and series).
//!
//! Parallelism is judged on cores busy (CPU time / wall time), which the machine's speed drift does not fool, and
//! by the one rule every question shares (`judging::async_adds_no_parallelism`): async tasks against the same
//! threads without async. It needs two cores. Loop blocking is judged on ratios of heartbeat lateness within one
//! run.

use super::*;
use crate::judging::{async_adds_no_parallelism, cause, definition, python, rust, Quantity};
use crate::result::{Claim, Finding, LabResult};
use crate::units::{fmt_ms, fmt_ratio};

/// A loop is "blocked" when its heartbeat is this many times later than with the work off it (or with yields).
const BLOCKED: f64 = 10.0;

/// The heartbeat's p99 without await points in the jobs over with one every `yield_every_us`.
const YIELD_RELIEF: Quantity = Quantity::new("q1: heartbeat p99, jobs without / with await points", fmt_ratio);
/// The heartbeat's p99 with the jobs on the loop over with them handed off (spawn_blocking, a process pool).
const ON_LOOP: Quantity = Quantity::new("q1: heartbeat p99, jobs on the loop / handed off", fmt_ratio);
/// The heartbeat's worst lateness over one job's time.
const LAG_PER_JOB: Quantity = Quantity::new("q1: heartbeat lateness (max) / one job", fmt_ratio);

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

/// Async against the same threads without async, for Rust: the multi-threaded runtime against rayon's pool (as
/// many threads), one loop against the jobs run one after another on one thread.
fn rust_pairs(p: &Params, r: &LabResult) -> Result<Vec<(&'static str, f64, &'static str, f64)>> {
    let busy = |name| v(p, r, name, "cores_busy");
    Ok(vec![
        ("tokio multi_thread", busy("tokio multi_thread")?, "rayon", busy("rayon")?),
        ("tokio current_thread", busy("tokio current_thread")?, "sequential", busy("sequential")?),
    ])
}

/// For Python: the coroutines on asyncio's loop against the same jobs one after another.
fn python_pairs(p: &Params, r: &LabResult) -> Result<Vec<(&'static str, f64, &'static str, f64)>> {
    Ok(vec![(
        "asyncio",
        v(p, r, "python asyncio", "cores_busy")?,
        "sequential",
        v(p, r, "python sequential", "cores_busy")?,
    )])
}

const RUST_NO_GAIN: &str =
    "Async added no parallelism of its own: on one loop the jobs took turns as on one thread, and \
                            on tokio's multi-threaded runtime they ran on its worker threads, which is what a thread \
                            pool does with no async at all. The parallelism is the threads'.";
const RUST_GAIN: &str = "Async tasks kept more cores busy than the same threads without async: something besides the \
                         threads ran the jobs in parallel.";
const PYTHON_NO_GAIN: &str = "The coroutines kept one core busy, as the same jobs run one after another did: the loop \
                              runs one coroutine at a time, so async bought no second core.";
const PYTHON_GAIN: &str = "The coroutines kept more cores busy than the jobs one after another.";

/// 1.1 "if there is no waiting ... async has no use": async tasks must keep no more cores busy than the same
/// threads without async (the shared parallelism rule; needs two cores).
fn rule_1_1(p: &Params, r: &LabResult) -> Result<Claim> {
    let waiting = "The claim's other half, waiting, is measured in notebook 07.";
    let rust =
        rust(|| Ok(async_adds_no_parallelism(r, &rust_pairs(p, r)?)?.confirm(RUST_NO_GAIN, RUST_GAIN).then(waiting)));
    let python = python(r, || {
        Ok(async_adds_no_parallelism(r, &python_pairs(p, r)?)?.confirm(PYTHON_NO_GAIN, PYTHON_GAIN).then(waiting))
    });
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

/// 1.4 "CPU-bound code has no await points": a definition (see claims.json), not a measurement. Its consequence,
/// that such code holds the loop for a whole job, is judged in 1.3; await points added by hand in 1.2.
fn rule_1_4(p: &Params, r: &LabResult) -> Result<Claim> {
    let why = |name: &str| -> Result<Finding> {
        Ok(definition(format!(
            "A definition, not a measurement: CPU-bound code is code that computes instead of waiting, and an await \
             point is where a task waits; the job here is such a loop of arithmetic. Its consequence is measured in \
             1.3 (the heartbeat waited up to {} on the loop) and await points added by hand (every {} µs) in 1.2.",
            fmt_ms(v(p, r, name, "lag_max_ms")?),
            p.yield_every_us
        )))
    };
    Claim::new("1.4", rust(|| why("tokio current_thread")), python(r, || why("python asyncio")))
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

/// 1.6 "asyncio improves io concurrency, not cpu parallellism": the shared parallelism rule, the same number as
/// 1.1 and so the same verdict. Python's threads (asyncio.to_thread) are named beside it: threads, not async, are
/// where parallelism would come from.
fn rule_1_6(p: &Params, r: &LabResult) -> Result<Claim> {
    let rust = rust(|| {
        Ok(async_adds_no_parallelism(r, &rust_pairs(p, r)?)?.confirm(
            "Async adds concurrency, not parallelism: whatever cores the async tasks kept busy, the same threads kept \
             busy without async. Rust has no GIL, so tokio's worker threads (one per core) compute in parallel; \
             the price is a loop whose workers are all busy (1.5).",
            RUST_GAIN,
        ))
    });
    let python = python(r, || {
        let gil = match r.machine.python_gil {
            Some(true) => " This CPython has a GIL.",
            Some(false) => " This CPython is free-threaded (no GIL).",
            None => "",
        };
        Ok(async_adds_no_parallelism(r, &python_pairs(p, r)?)?.confirm(PYTHON_NO_GAIN, PYTHON_GAIN).then(format!(
            "asyncio.to_thread's threads, threads rather than coroutines, kept {:.2} cores busy.{gil}",
            v(p, r, "python to_thread", "cores_busy")?
        )))
    });
    Claim::new("1.6", rust, python)
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
