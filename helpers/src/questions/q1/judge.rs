//! Question 1's claims and headline: a pure function of a result (its params and series).
//!
//! Parallelism is judged on cores busy (CPU time / wall time), which the machine's speed drift does not fool:
//! one thread cannot pass 1.0, two busy cores come near 2.0, so the line sits at 1.5. Loop blocking is judged on
//! ratios of heartbeat lateness within one run.

use super::*;
use crate::judging::{above, below, python, rust, two_step};
use crate::result::{Claim, Finding, LabResult, Verdict};
use crate::units::{fmt_ms, fmt_ratio};

/// More cores busy than this is CPU parallelism; one thread stays near 1.0.
const PARALLEL: f64 = 1.5;
/// A loop is "blocked" when its heartbeat is this many times later than with the work off it (or with yields).
const BLOCKED: f64 = 10.0;

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

fn cores(x: f64) -> String {
    format!("{x:.2}")
}

/// 1.1 "if there is no waiting ... async has no use": async tasks on one loop may not use more than one core;
/// refined when Rust's multi-threaded runtime ran the same async tasks on several.
fn rule_1_1(p: &Params, r: &LabResult) -> Result<Claim> {
    let waiting = "The claim's other half, waiting, is measured in notebook 07.";
    let rust = rust(|| {
        let one =
            below("tokio current_thread cores busy", v(p, r, "tokio current_thread", "cores_busy")?, PARALLEL, cores);
        let mt = above("tokio multi_thread cores busy", v(p, r, "tokio multi_thread", "cores_busy")?, PARALLEL, cores);
        Ok(two_step(
            one,
            mt,
            [Verdict::Refined, Verdict::Confirmed, Verdict::Contradicted],
            [
                "On one loop the jobs took turns: async bought no second core. But Rust's async is not tied to one \
                 thread: tokio's multi-threaded runtime ran the same async tasks on several cores.",
                "Async tasks got no more than one core's worth of CPU, on one loop or on the multi-threaded runtime.",
                "Async tasks on one loop used more than one core: the jobs did not simply take turns.",
            ],
        )
        .then(waiting))
    });
    let python = python(r, || {
        let busy = v(p, r, "python asyncio", "cores_busy")?;
        Ok(below("asyncio cores busy", busy, PARALLEL, cores)
            .confirm(
                "The coroutines ran one after another on the loop's thread: async bought no second core.",
                "The coroutines used more than one core.",
            )
            .then(waiting))
    });
    Claim::new("1.1", rust, python)
}

/// 1.2 "Async works via cooperative multitasking": the loop answers only where a task cooperates, so the same
/// jobs with an await point every few hundred µs must leave the heartbeat far less late than without.
fn rule_1_2(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |without: &str, with: &str, what: &str, who: &str| -> Result<Finding> {
        let (a, b) = (v(p, r, without, "lag_p99_ms")?, v(p, r, with, "lag_p99_ms")?);
        let every = p.yield_every_us;
        Ok(above(
            &format!("heartbeat p99 without / with {what} every {every} µs ({} / {})", fmt_ms(a), fmt_ms(b)),
            a / b.max(1e-3),
            BLOCKED,
            fmt_ratio,
        )
        .confirm(
            &format!("The loop ran its timer only where the {who} gave it back: at the awaits added by hand."),
            &format!("The awaits changed little: the loop was not waiting for the {who} to cooperate."),
        ))
    };
    let rust = rust(|| judge("tokio current_thread", "tokio yield_now", "yield_now().await", "tasks"));
    let python = python(r, || judge("python asyncio", "python asyncio yield", "await asyncio.sleep(0)", "coroutines"));
    Claim::new("1.2", rust, python)
}

/// 1.3 "A coroutine only yields control when it hits await": with no await in a job, the loop cannot run its
/// heartbeat during a job, so the heartbeat waits at least one whole job (here: all of them, run back to back).
fn rule_1_3(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |name: &str| -> Result<Finding> {
        let lag = v(p, r, name, "lag_max_ms")?;
        let job = v(p, r, name, "wall_s")? * 1000.0 / p.jobs as f64;
        Ok(above(
            &format!("heartbeat lateness (max) / one job ({} / {})", fmt_ms(lag), fmt_ms(job)),
            lag / job,
            1.0,
            fmt_ratio,
        )
        .confirm(
            "The loop got control back only between jobs, never inside one; every job was ready at once and they ran \
             back to back before it looked at its timers.",
            "The heartbeat ran in the middle of a job that has no await: control left the job without one.",
        ))
    };
    Claim::new("1.3", rust(|| judge("tokio current_thread")), python(r, || judge("python asyncio")))
}

/// 1.4 "CPU-bound code has no await points": a definition (see claims.json), not a measurement. Its consequence,
/// that such code holds the loop for a whole job, is judged in 1.3; await points added by hand in 1.2.
fn rule_1_4(p: &Params, r: &LabResult) -> Result<Claim> {
    let why = |name: &str| -> Result<Finding> {
        Ok(Finding::new(
            Verdict::Confirmed,
            format!(
                "A definition, not a measurement: CPU-bound code is code that computes instead of waiting, and an \
                 await point is where a task waits; the job here is such a loop of arithmetic. Its consequence is \
                 measured in 1.3 (the heartbeat waited up to {} on the loop) and await points added by hand \
                 (every {} µs) in 1.2.",
                fmt_ms(v(p, r, name, "lag_max_ms")?),
                p.yield_every_us
            ),
        ))
    };
    Claim::new("1.4", rust(|| why("tokio current_thread")), python(r, || why("python asyncio")))
}

/// 1.5 "So it blocks the event loop": the same loop with the jobs on it vs. with them handed off (spawn_blocking,
/// a process pool): the heartbeat must be far later with the jobs on the loop.
fn rule_1_5(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |on: &str, off: &str, off_name: &str| -> Result<Finding> {
        let (a, b) = (v(p, r, on, "lag_p99_ms")?, v(p, r, off, "lag_p99_ms")?);
        Ok(above(
            &format!("heartbeat p99 with the jobs on the loop / on {off_name} ({} / {})", fmt_ms(a), fmt_ms(b)),
            a / b.max(1e-3),
            BLOCKED,
            fmt_ratio,
        )
        .confirm(
            "Only the place of the jobs changed: on the loop they held it; handed off, the loop only awaited them.",
            "Handing the jobs off did not free the loop by much: something other than the jobs on it held it.",
        ))
    };
    let rust = rust(|| judge("tokio current_thread", "spawn_blocking", "spawn_blocking"));
    Claim::new("1.5", rust, python(r, || judge("python asyncio", "python processes", "processes")))
}

/// 1.6 "asyncio improves io concurrency, not cpu parallellism": async tasks must not use more than one core.
/// Rust's counterpart is its default runtime (multi_thread); in Python, coroutines, then asyncio.to_thread, judged
/// by the cores they kept busy (not by assuming a GIL: a free-threaded CPython may differ).
fn rule_1_6(p: &Params, r: &LabResult) -> Result<Claim> {
    let rust = rust(|| {
        Ok(below("tokio multi_thread cores busy", v(p, r, "tokio multi_thread", "cores_busy")?, PARALLEL, cores)
            .confirm(
                "Async tasks on tokio's multi-threaded runtime kept no more than one core busy.",
                "Async tasks on tokio's default runtime ran CPU work in parallel: its workers are OS threads, one per \
                 core, and Rust has no GIL. The price is a loop whose workers are all busy (1.5).",
            ))
    });
    let python = python(r, || {
        let gil = match r.machine.python_gil {
            Some(true) => "This CPython has a GIL.",
            Some(false) => "This CPython is free-threaded (no GIL).",
            None => "",
        };
        let coroutines = below("asyncio cores busy", v(p, r, "python asyncio", "cores_busy")?, PARALLEL, cores);
        let threads = below("to_thread cores busy", v(p, r, "python to_thread", "cores_busy")?, PARALLEL, cores);
        Ok(two_step(
            coroutines,
            threads,
            [Verdict::Confirmed, Verdict::Refined, Verdict::Contradicted],
            [
                "Neither the coroutines nor asyncio.to_thread's threads computed on more than one core at a time.",
                "The coroutines used one core, but asyncio.to_thread's threads computed in parallel.",
                "The coroutines on one loop used more than one core.",
            ],
        )
        .then(gil))
    });
    Claim::new("1.6", rust, python)
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
