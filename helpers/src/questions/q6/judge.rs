//! Question 6's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::judging::{python, rust, Fails, Holds, Quantity};
use crate::result::{Claim, Finding, LabResult};
use crate::units::Unit;
use crate::units::{fmt_mib, fmt_ratio};

const SLOPE: Quantity = Quantity::new("q6: slope of resident memory against live tasks (log-log)", Unit::Number);
const AT_ONCE: Quantity = Quantity::new("q6: spawn-all peak per job / an idle task's bytes", Unit::Ratio);
const LIVE_OVER_WORK: Quantity = Quantity::new("q6: spawn-all peak / worker-pool peak, same jobs", Unit::Ratio);
const GRAPH_ALLOCS: Quantity = Quantity::new("q6: allocations per idle task", Unit::Number);
const IDLE_BYTES: Quantity = Quantity::new("q6: an idle task's bytes", Unit::Bytes);
const POOL_OVER_ALL: Quantity = Quantity::new("q6: worker-pool peak / spawn-all peak, same jobs", Unit::Ratio);
const WINDOW_OVER_ALL: Quantity = Quantity::new("q6: window peak / spawn-all peak, same jobs", Unit::Ratio);

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let n = p.tasks.iter().copied().max().unwrap_or(1) as f64;
    let py_n = p.tasks.iter().copied().filter(|&t| t <= p.python_max_tasks).max().unwrap_or(0) as f64;
    // A result saved before the sleeper was measured still has its headline.
    let sleeper = match (r.value(SLEEPER, "heap_bytes_per_task", n), r.value(SLEEPER, "rss_bytes_per_task", n)) {
        (Ok(heap), Ok(rss)) => format!("{heap:.0} heap / {rss:.0} resident bytes sleeping on a timer, "),
        _ => String::new(),
    };
    Ok(format!(
        "a live tokio task: {sleeper}{:.0} heap / {:.0} resident bytes awaiting pending() (at {n:.0}); an asyncio task: \
         {} resident bytes (at {py_n:.0}); an idle thread: {} resident bytes",
        r.value("tokio", "heap_bytes_per_task", n)?,
        r.value("tokio", "rss_bytes_per_task", n)?,
        r.value("python", "rss_bytes_per_task", py_n).map_or("n/a".into(), |v| format!("{v:.0}")),
        r.series("threads", "rss_bytes_per_task").and_then(|s| s.points.last()).map_or("n/a".into(), |p| format!("{:.0}", p[1]))
    ))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    let mut out = vec![rule_6_1(r)?];
    out.extend(parts::claims(r)?);
    out.extend([rule_6_8(p, r)?, rule_6_9(p, r)?, rule_6_10(r)?]);
    out.extend([rule_6_11(p, r)?, rule_6_12(p, r)?, rule_6_13(p, r)?]);
    Ok(out)
}

/// Memory scales with live tasks when it grows at least as the square root of their count: the exponent of
/// memory against tasks (log-log slope) above this, halfway between a fixed cost (0) and a cost per task (1).
const PROPORTIONAL: f64 = 0.5;
/// Resident memory is counted in pages: a smaller growth is read as one page, so the slope stays finite.
const PAGE: f64 = 4096.0;
/// More allocations than this per idle task is a graph of objects; one is a single block.
const GRAPH: f64 = 1.5;
/// Spawning every job holds whole tasks at once when its peak per job is at least this share of an idle task.
const ALL_AT_ONCE: f64 = 0.5;

fn fmt_b(v: f64) -> String {
    format!("{v:.0} B")
}

fn fmt_count(v: f64) -> String {
    format!("{v:.2}")
}

/// The smallest and largest task counts of a series (its x), or an error naming it.
fn counts(r: &LabResult, name: &str, y: &str) -> Result<(f64, f64)> {
    let s = r.series(name, y).ok_or_else(|| {
        LabError::other(format!("{}: no series `{name}` measuring `{y}` in this result", r.experiment))
    })?;
    let xs = s.points.iter().map(|p| p[0]);
    let lo = xs.clone().fold(f64::INFINITY, f64::min);
    let hi = xs.fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() {
        Ok((lo, hi))
    } else {
        Err(LabError::other(format!("{}: series `{name}` is empty", r.experiment)))
    }
}

/// The largest count of live tokio tasks measured (the smallest task, `pending()`), of sleeping tokio tasks, and of
/// asyncio tasks.
fn tokio_top(r: &LabResult) -> Result<f64> {
    Ok(counts(r, "tokio", "heap_bytes_per_task")?.1)
}

fn sleeper_top(r: &LabResult) -> Result<f64> {
    Ok(counts(r, SLEEPER, "heap_bytes_per_task")?.1)
}

/// The smallest possible task beside the sleeper a rule judged: "(the smallest possible task, awaiting pending():
/// 128 B in 1.00 allocations)".
fn smallest(r: &LabResult, n: f64) -> String {
    match (r.value("tokio", "heap_bytes_per_task", n), r.value("tokio", "allocations_per_task", n)) {
        (Ok(heap), Ok(allocs)) => format!(
            " Beside it, the smallest possible task, awaiting std::future::pending() (no timer, no waker kept): {} in \
             {} allocations a task.",
            fmt_b(heap),
            fmt_count(allocs)
        ),
        _ => String::new(),
    }
}

fn python_top(r: &LabResult) -> Result<f64> {
    Ok(counts(r, "python", "traced_bytes_per_task")?.1)
}

/// 6.1: memory scales with concurrency: the log-log slope of resident memory against live tasks, from the
/// smallest count to the largest (a slope, so that the small count's page-sized noise barely moves it). tokio's
/// tasks are the sleepers, which wait on a timer as the asyncio tasks do.
fn rule_6_1(r: &LabResult) -> Result<Claim> {
    let scaling = |lang: &str, name: &str| -> Result<Finding> {
        let (lo, hi) = counts(r, name, "rss_bytes_per_task")?;
        if lo == hi {
            return Err(LabError::other(format!("{}: `{name}` ran at one task count; this needs two", r.experiment)));
        }
        let total = |n: f64| -> Result<f64> { Ok((r.value(name, "rss_bytes_per_task", n)? * n).max(PAGE)) };
        let (a, b) = (total(lo)?, total(hi)?);
        Ok(SLOPE
            .above(
                r,
                &format!(
                    "{lang}: resident memory grew {} ({} for {lo:.0} tasks, {} for {hi:.0}) for {} the live tasks: \
                     slope on log-log axes",
                    fmt_ratio(b / a),
                    fmt_mib(a / 1048576.0),
                    fmt_mib(b / 1048576.0),
                    fmt_ratio(hi / lo)
                ),
                (b / a).ln() / (hi / lo).ln(),
                PROPORTIONAL,
            )
            .confirm(
                "Memory grew with the live tasks (a slope of 1 is a fixed cost per task; 0, one fixed cost in all).",
                "Memory grew far slower than the live tasks: a fixed cost, not the tasks, made most of it.",
            ))
    };
    Claim::new("6.1", rust(|| scaling("tokio, sleeping", SLEEPER)), python(r, || scaling("asyncio", "python")))
}

/// 6.8: all of a task's parts sit in memory at once: spawning every job at once peaked at about a whole live task
/// per job (the jobs' tasks coexisted), not at a few tasks' worth. A job sleeps on a timer, so the task it is
/// compared with is one that sleeps (tokio's sleeper, asyncio's task).
fn rule_6_8(p: &Params, r: &LabResult) -> Result<Claim> {
    let jobs = p.jobs as f64;
    let at_once = |lang: &str, peak: f64, per_task: f64, n: f64| {
        let per_job = peak * 1048576.0 / jobs;
        AT_ONCE
            .above(
                r,
                &format!(
                    "{lang}: spawning all {jobs:.0} jobs peaked at {}, {} a job, against a sleeping task's {} (at \
                     {n:.0} tasks): ratio",
                    fmt_mib(peak),
                    fmt_b(per_job),
                    fmt_b(per_task)
                ),
                per_job / per_task.max(1.0),
                ALL_AT_ONCE,
            )
            .confirm(
                "At the peak every job's task was in memory, whole, at the same time.",
                "At the peak far fewer tasks than jobs were in memory at once.",
            )
    };
    let rust = rust(|| {
        let n = sleeper_top(r)?;
        Ok(at_once(
            "tokio",
            r.value("tokio spawn all", "peak_heap_mb", jobs)?,
            r.value(SLEEPER, "heap_bytes_per_task", n)?,
            n,
        ))
    });
    let python = python(r, || {
        let n = python_top(r)?;
        Ok(at_once(
            "asyncio",
            r.value("python gather all", "peak_traced_mb", jobs)?,
            r.value("python", "traced_bytes_per_task", n)?,
            n,
        ))
    });
    Claim::new("6.8", rust, python)
}

/// Memory follows live tasks rather than work when spawning every job peaks this many times higher than a pool
/// of `limit` workers doing the same jobs: the square root of jobs / limit, halfway on a log scale between memory
/// that follows the work (1x) and memory that follows the live tasks (jobs / limit).
fn live_line(p: &Params) -> f64 {
    (p.jobs as f64 / p.limit.max(1) as f64).sqrt().max(2.0)
}

/// The peak of `name` (MiB), floored at 1 KiB so that a ratio stays finite.
fn peak(r: &LabResult, name: &str, y: &str, jobs: f64) -> Result<f64> {
    Ok(r.value(name, y, jobs)?.max(1.0 / 1024.0))
}

/// 6.9: memory scales with live coroutines, not with the work: the same jobs, all spawned at once against a pool
/// of `limit` workers.
fn rule_6_9(p: &Params, r: &LabResult) -> Result<Claim> {
    let jobs = p.jobs as f64;
    let line = live_line(p);
    let ratio = |lang: &str, all: f64, pool: f64| {
        LIVE_OVER_WORK
            .above(
                r,
                &format!(
                    "{lang}: the same {jobs:.0} jobs, all spawned at once, peaked at {} / through {} workers at {} =",
                    fmt_mib(all),
                    p.limit,
                    fmt_mib(pool)
                ),
                all / pool,
                line,
            )
            .confirm(
                "Memory followed the tasks alive at once, not the work done.",
                "Memory followed the work rather than the number of live tasks.",
            )
            .then(format!(
                "The line is the square root of the live tasks' ratio ({jobs:.0} / {}): halfway, on a log scale, \
             between memory that follows the work (1x) and memory that follows the live tasks.",
                p.limit
            ))
    };
    let rust = rust(|| {
        Ok(ratio(
            "tokio",
            peak(r, "tokio spawn all", "peak_heap_mb", jobs)?,
            peak(r, "tokio worker pool", "peak_heap_mb", jobs)?,
        ))
    });
    let python = python(r, || {
        Ok(ratio(
            "asyncio",
            peak(r, "python gather all", "peak_traced_mb", jobs)?,
            peak(r, "python worker pool", "peak_traced_mb", jobs)?,
        ))
    });
    Claim::new("6.9", rust, python)
}

/// 6.10 "Even if each task does nothing, the task itself is an object graph": an idle task must hold memory (more
/// than the smallest object, else contradicted), and be a graph of objects: more than one allocation (confirmed),
/// or one block (refined: memory per idle task, but no graph). The idle task is one that sleeps on a timer in both
/// languages (asyncio's awaits asyncio.sleep, tokio's tokio::time::sleep: a timer entry, a waker registered); the
/// smallest possible tokio task, awaiting pending(), is told beside it.
fn rule_6_10(r: &LabResult) -> Result<Claim> {
    let judge = |lang: &str, bytes: f64, allocs: f64, n: f64, because: [&str; 3]| {
        crate::judging::two_step(
            IDLE_BYTES.above(r, &format!("{lang}: an idle task's bytes (at {n:.0} tasks)"), bytes, 16.0),
            GRAPH_ALLOCS.above(r, "its allocations", allocs, GRAPH),
            crate::judging::Holds::Confirmed,
            crate::judging::Fails::Refined,
            crate::judging::Fails::Contradicted,
            because,
        )
    };
    let rust = rust(|| {
        let n = sleeper_top(r)?;
        Ok(judge(
            "tokio, sleeping on a timer",
            r.value(SLEEPER, "heap_bytes_per_task", n)?,
            r.value(SLEEPER, "allocations_per_task", n)?,
            n,
            [
                "A tokio task is several blocks pointing at each other.",
                "An idle tokio task does hold memory, but as one block, its header and its future side by side, the \
                 timer entry inside the future (the runtime links the block into its task list and the timer wheel): \
                 no graph of objects to follow.",
                "An idle tokio task held next to nothing.",
            ],
        )
        .then(smallest(r, n)))
    });
    let python = python(r, || {
        let n = python_top(r)?;
        Ok(judge(
            "asyncio",
            r.value("python", "traced_bytes_per_task", n)?,
            r.value("python", "allocations_per_task", n)?,
            n,
            [
                "An idle asyncio task is a graph of objects that point at each other: coroutine, Task, the coroutine \
                 it awaits, its future, its timer handle, callbacks.",
                "An idle asyncio task held memory, but about one block here.",
                "An idle asyncio task held next to nothing.",
            ],
        ))
    });
    Claim::new("6.10", rust, python)
}

/// A bound's peak memory against spawning every job, for the same jobs: below 1 / `live_line` it kept memory to
/// the live tasks it allows. `bounded` names the variant's series ("worker pool", "window").
fn bound_test(p: &Params, r: &LabResult, lang: &str, bounded: &str) -> Result<crate::judging::Test> {
    let jobs = p.jobs as f64;
    let (prefix, all, y) = match lang {
        "tokio" => ("tokio", "tokio spawn all", "peak_heap_mb"),
        _ => ("python", "python gather all", "peak_traced_mb"),
    };
    let (b, a) = (peak(r, &format!("{prefix} {bounded}"), y, jobs)?, peak(r, all, y, jobs)?);
    let q = if bounded == "window" { WINDOW_OVER_ALL } else { POOL_OVER_ALL };
    Ok(q.below(
        r,
        &format!(
            "{lang}: {jobs:.0} jobs through a {bounded} of {} peaked at {} / all spawned at once {} =",
            p.limit,
            fmt_mib(b),
            fmt_mib(a)
        ),
        b / a,
        1.0 / live_line(p),
    ))
}

/// One remedy claim, Rust and Python, from the same bound: `yes` is what a bound that saved memory gives.
fn remedy(p: &Params, r: &LabResult, id: &str, bounded: &str, yes: Holds, because: [&str; 2]) -> Result<Claim> {
    let judge =
        |lang: &str| Ok(bound_test(p, r, lang, bounded)?.decide(yes, Fails::Contradicted, because[0], because[1]));
    Claim::new(id, rust(|| judge("tokio")), python(r, || judge("asyncio")))
}

/// 6.11 "Limit in-flight requests": a pool of `limit` workers against spawning every job. A pool that saved memory
/// confirms it, with the nuance the spawn-all run measures: it limits the work in flight too (a semaphore of the
/// same size inside each task, the notes' pattern), yet every task exists from the start, so the limit must come
/// before the spawn.
fn rule_6_11(p: &Params, r: &LabResult) -> Result<Claim> {
    remedy(
        p,
        r,
        "6.11",
        "worker pool",
        Holds::Confirmed,
        [
            "Limiting the requests in flight before they are spawned (a pool) kept memory to what those tasks hold. \
             The limit must come before the spawn: the spawn-all run limits the work in flight too, with a semaphore \
             of the same size inside each task, and peaked at the figure above, because every task existed from the \
             start.",
            "Limiting what was in flight did not save memory here.",
        ],
    )
}

/// 6.12: use connection pools. Nothing in the lab runs a connection pool (claims.json: unmeasured): notebook 04's
/// client opens one connection per request and this experiment bounds tasks, not connections. Not measured, with
/// the nearest measured bound: a pool of reused workers (6.11).
fn rule_6_12(p: &Params, r: &LabResult) -> Result<Claim> {
    let nearest = |lang: &str| {
        let said = bound_test(p, r, lang, "worker pool").map_or_else(|e| e.message, |t| t.text);
        Finding::not_measured(format!(
            "No client-side connection pool (connections reused across requests) runs in this lab: notebook 04's \
             client opens one connection per request (its server's 50-connection pool is the backend's, 4.6), and \
             this experiment bounds tasks, not connections. The nearest measured bound, a pool of reused workers \
             (6.11): {said}."
        ))
    };
    let python = if r.machine.python.starts_with("not run") {
        Finding::not_measured("The Python twin did not run (python: false).")
    } else {
        nearest("asyncio")
    };
    Claim::new("6.12", nearest("tokio"), python)
}

/// 6.13: apply backpressure: a window that spawns the next job only when one finishes.
fn rule_6_13(p: &Params, r: &LabResult) -> Result<Claim> {
    remedy(
        p,
        r,
        "6.13",
        "window",
        Holds::Confirmed,
        [
            "The window spawns the next job only when one finishes: the producer waits for the consumers, and \
             memory stays at the window's size.",
            "Making the producer wait did not save memory here.",
        ],
    )
}

/// 6.2-6.7: the parts of a task, one claim each.
#[path = "judge_parts.rs"]
mod parts;

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
