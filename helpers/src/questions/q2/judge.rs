//! Question 2's claims and headline: a pure function of a result (its params and series). 2.1 and 2.2, the pools'
//! scaling, are here; 2.3-2.5, what a process costs, in `judge_costs.rs`.
//!
//! Both scaling claims rest on the GIL: in Rust (and in a free-threaded Python) they do not apply, and the
//! language's thread and process pools are measured instead. They are about parallelism: judged on two cores or
//! more, against a line of 0.7 x min(workers, cores).

use super::*;
use crate::judging::{mechanism, no_spare_cores, Lang, Quantity, Test};
use crate::result::{Claim, Finding, LabResult};
use crate::units::Unit;

#[path = "judge_costs.rs"]
mod costs;

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let w = p.workers.iter().copied().max().unwrap_or(1) as f64;
    let mut parts = Vec::new();
    for name in ["threads", "gil model", "processes", "python threads", "python processes"] {
        if let Ok(v) = r.value(name, "speedup", w) {
            parts.push(format!("{name} {v:.2}x"));
        }
    }
    Ok(format!(
        "{} jobs x {} ms on {} workers ({}): {}",
        p.jobs,
        p.job_ms,
        w,
        r.machine.cores_label(),
        parts.join(", ")
    ))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    Ok(vec![rule_2_1(p, r)?, rule_2_2(p, r)?, costs::rule_2_3(p, r)?, costs::rule_2_4(p, r)?, costs::rule_2_5(p, r)?])
}

/// A pool scales when it keeps most of the cores it can use busy: cores busy (CPU time / wall time) above this
/// share of min(workers, cores) ...
const SCALES: f64 = 0.7;
/// ... and above this many cores: one core, a shared knife, plus a margin for the pool's own threads.
const ONE_KNIFE: f64 = 1.3;

fn fmt_cores(v: f64) -> String {
    format!("{v:.2}")
}

/// A pool's cores busy against the line of scaling, at the workers the claim is judged at.
const POOL_SCALES: Quantity =
    Quantity::parallel("q2: a pool's cores busy, against 0.7 x min(workers, cores)", Unit::Number);
/// Threads' cores busy against one core and a margin: one knife.
const ONE_KNIFE_BUSY: Quantity = Quantity::parallel("q2: threads' cores busy, against one core (1.3)", Unit::Number);

/// The pool size 2.1 is judged at: the largest that fits the cores (or the smallest there is).
fn fitting_workers(p: &Params, r: &LabResult) -> f64 {
    let cores = r.machine.cores as f64;
    let fits = p.workers.iter().copied().filter(|&w| w as f64 <= cores).max();
    fits.or(p.workers.iter().copied().min()).unwrap_or(1) as f64
}

/// The pool size 2.2 is judged at: the notes' eight chefs, or the largest pool run.
fn largest_workers(p: &Params) -> f64 {
    p.workers.iter().copied().max().unwrap_or(1) as f64
}

/// The line of scaling at `w` workers on this machine: 0.7 x min(workers, cores), at least one knife.
fn scaling_line(r: &LabResult, w: f64) -> f64 {
    (SCALES * w.min(r.machine.cores as f64)).max(ONE_KNIFE)
}

/// What "this Python" is, from the machine record: the GIL is named only as context, never assumed.
fn gil_note(r: &LabResult) -> &'static str {
    match r.machine.python_gil {
        Some(true) => "This Python has a GIL (python_gil: true): one thread runs Python bytecode at a time.",
        Some(false) => "This Python is free-threaded (python_gil: false): its threads may run bytecode at once.",
        None => "",
    }
}

/// What a language has where the claims rest on the GIL: its thread pool and process pool at `w` workers against
/// the line of scaling, and (Rust) threads made to hold one lock while they compute, a model of the GIL.
fn pools(r: &LabResult, w: f64, names: [&str; 4], model: Option<&str>) -> Result<String> {
    let [threads, processes, thread_pool, process_pool] = names;
    let line = scaling_line(r, w);
    let side = |v: f64| if v > line { "above" } else { "at or below" };
    let (thr, procs) = (r.value(threads, "cores_busy", w)?, r.value(processes, "cores_busy", w)?);
    let model = match model {
        Some(m) => format!(
            "; threads made to hold one lock while they compute (a model of the GIL) kept {}",
            r.value(m, "cores_busy", w).map_or("not run".into(), fmt_cores)
        ),
        None => String::new(),
    };
    Ok(format!(
        "at {w:.0} worker{} on {} {thread_pool} kept {} cores busy and {process_pool} {} ({} and {} the line of \
         scaling, {}){model}.",
        if w == 1.0 { "" } else { "s" },
        r.machine.cores_label(),
        fmt_cores(thr),
        fmt_cores(procs),
        side(thr),
        side(procs),
        fmt_cores(line)
    ))
}

/// Rust's pools, its analogue of both claims.
fn rust_pools(r: &LabResult, w: f64) -> Result<String> {
    pools(r, w, ["threads", "processes", "a thread pool", "a process pool"], Some("gil model"))
}

/// Python's pools, for a Python without the GIL.
fn python_pools(r: &LabResult, w: f64) -> Result<String> {
    pools(r, w, ["python threads", "python processes", "ThreadPoolExecutor", "ProcessPoolExecutor"], None)
}

/// Rust lacks the GIL: its verdict on a claim that rests on it is always "does not apply", so this never runs.
fn lacks_the_gil() -> Result<Finding> {
    Err(LabError::other("Rust has no GIL: only its analogue is measured"))
}

/// The process pool at `w` workers against the line of scaling: the premise both claims need.
fn processes_scale(r: &LabResult, w: f64) -> Result<Test> {
    Ok(POOL_SCALES.above(
        r,
        &format!("Python processes' cores busy at {w:.0} workers"),
        r.value("python processes", "cores_busy", w)?,
        scaling_line(r, w),
    ))
}

/// One scaling claim that rests on the GIL, at `w` workers: Rust (and a free-threaded Python) lack it and give their
/// pools instead; a Python with a GIL needs the process pool to scale (else the run had no cores to spare), then
/// `threads` (a test of the thread pool's cores busy) decides, with `says` for each branch.
fn pool_claim(r: &LabResult, id: &str, w: f64, threads: impl FnOnce(f64) -> Test, says: [&str; 2]) -> Result<Claim> {
    let rust = mechanism(r, id, Lang::Rust, || rust_pools(r, w), lacks_the_gil)?;
    let python = mechanism(
        r,
        id,
        Lang::Python,
        || python_pools(r, w),
        || {
            let procs = processes_scale(r, w)?;
            if let Some(f) = no_spare_cores(r, &procs, "the contrast the claim draws") {
                return Ok(f);
            }
            let busy = r.value("python threads", "cores_busy", w)?;
            Ok(procs.and(threads(busy)).confirm(says[0], says[1]).then(gil_note(r)))
        },
    )?;
    Claim::new(id, rust, python)
}

/// 2.1: a process pool scales for CPU work, a thread pool does not, judged at the largest pool that fits the
/// cores: the processes above the line of scaling, the threads at or below it.
fn rule_2_1(p: &Params, r: &LabResult) -> Result<Claim> {
    let w = fitting_workers(p, r);
    let line = scaling_line(r, w);
    pool_claim(
        r,
        "2.1",
        w,
        |busy| POOL_SCALES.below(r, "Python threads' cores busy", busy, line),
        [
            "ProcessPoolExecutor used the cores; ThreadPoolExecutor did not.",
            "ThreadPoolExecutor used the cores as ProcessPoolExecutor did.",
        ],
    )
}

/// 2.2: eight chefs share one knife, the GIL: at the largest pool, Python's threads keep at most about one core
/// busy, while the other kitchen (processes) scales.
fn rule_2_2(p: &Params, r: &LabResult) -> Result<Claim> {
    let w = largest_workers(p);
    let what = format!("Python threads' cores busy at {w:.0} workers");
    pool_claim(
        r,
        "2.2",
        w,
        |busy| ONE_KNIFE_BUSY.below(r, &what, busy, ONE_KNIFE),
        [
            "The processes' kitchen used its knives; the threads shared one.",
            "More than one of the thread pool's chefs cut at once: the threads did not share one knife.",
        ],
    )
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
