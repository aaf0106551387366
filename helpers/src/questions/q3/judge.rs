//! Question 3's claims and headline: a pure function of a result (its params and series).
//!
//! Every rule reads one runtime's series: tokio's for the Rust verdict, asyncio's (`python`) for the Python one.

use super::*;
use crate::judging::{self, cause, grade, Quantity, Test};
use crate::result::Finding;
use crate::units::Unit;
use crate::units::{fmt_mib, fmt_ratio, fmt_s};

/// The async runtime's runtime at the notes' limit over ceil(N / limit) x latency, less one.
const EXCESS: Quantity =
    Quantity::new("q3: async runtime's excess over ceil(N / limit) x latency, notes' limit", Unit::Change);
/// OS threads' excess over the same model at the same limit: the control for 3.4.
const THREADS_EXCESS: Quantity =
    Quantity::new("q3: OS threads' excess over ceil(N / limit) x latency, notes' limit", Unit::Change);
const BUSY: Quantity = Quantity::new("q3: CPU time / wall time at the notes' limit", Unit::Number);
const SPAWN: Quantity = Quantity::new("q3: spawn+join, a thread / an async task", Unit::Ratio);
const SWITCH: Quantity = Quantity::new("q3: one hand-off, a thread / an async task", Unit::Ratio);
const FLATNESS: Quantity = Quantity::new("q3: memory per live task, largest / smallest over the limits", Unit::Ratio);
/// "Near-perfect": within a quarter of the model (see rule 3.1).
const NEAR_PERFECT: f64 = 0.25;

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let l = reference_limit(&p.limits);
    let ideal = ideal_s(p.tasks, l, p.latency_ms);
    let mut parts = Vec::new();
    for name in ["tokio", "threads", "python"] {
        if let Ok(v) = r.value(name, "runtime_s", l as f64) {
            parts.push(format!("{name} {} ({} ideal)", fmt_s(v), fmt_ratio(v / ideal)));
        }
    }
    Ok(format!("{} tasks x {} ms at limit {l}: {}", p.tasks, p.latency_ms, parts.join(", ")))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    Ok(vec![
        claim("3.1", p, r, rule_3_1)?,
        claim("3.2", p, r, rule_3_2)?,
        claim("3.3", p, r, rule_3_3)?,
        claim("3.4", p, r, rule_3_4)?,
    ])
}

/// One language's series in a result: its async runtime and, for 3.4, its OS threads.
struct Side<'a> {
    r: &'a LabResult,
    /// The async runtime's series: "tokio" or "python".
    name: &'static str,
    /// How the evidence names it.
    label: &'static str,
    /// The OS threads measured beside it: series name and the y of spawn and of hand-off.
    threads: (&'static str, &'static str, &'static str),
    /// The OS-thread pool run at the notes' limit beside it (the control for 3.4): its series name and words.
    pool: &'static str,
    pool_label: &'static str,
    threads_label: &'static str,
    /// Memory per task while all N are alive: the series' y and how the evidence names it.
    alive: (&'static str, &'static str),
}

impl Side<'_> {
    fn v(&self, y: &str, x: f64) -> Result<f64> {
        self.r.value(self.name, y, x)
    }
}

/// The claim `id` judged by `rule` on tokio's series (Rust) and on asyncio's (Python, when the twin ran).
fn claim(id: &str, p: &Params, r: &LabResult, rule: fn(&Params, &Side) -> Result<Finding>) -> Result<Claim> {
    let rust = Side {
        r,
        name: "tokio",
        label: "tokio",
        threads: ("threads", "spawn_us", "switch_us"),
        pool: "threads",
        pool_label: "OS threads",
        threads_label: "an OS thread",
        alive: ("task_heap_bytes", "heap bytes per task"),
    };
    let py = Side {
        r,
        name: "python",
        label: "asyncio",
        threads: ("python", "thread_spawn_us", "thread_switch_us"),
        pool: PYTHON_THREADS,
        pool_label: "Python threads (ThreadPoolExecutor)",
        threads_label: "a Python thread",
        alive: ("task_rss_bytes", "RSS growth per task"),
    };
    let python = judging::python(r, || rule(p, &py));
    Claim::new(id, judging::rust(|| rule(p, &rust)), python)
}

/// "Near-perfect scaling": the runtime at the notes' limit within 25% of ceil(N / limit) waves of one latency.
/// A quarter is far above what timer rounding adds at 100 ms (a few percent) and far below what per-task work
/// costs when it rivals the sleep (1 ms sleeps: 2x and more).
fn rule_3_1(p: &Params, s: &Side) -> Result<Finding> {
    let l = reference_limit(&p.limits);
    let ideal = ideal_s(p.tasks, l, p.latency_ms);
    let t = s.v("runtime_s", l as f64)?;
    let what = format!(
        "{} at limit {l} took {} against ceil({} / {l}) x {} ms = {}, an excess of",
        s.label,
        fmt_s(t),
        p.tasks,
        p.latency_ms,
        fmt_s(ideal)
    );
    Ok(EXCESS.below(s.r, &what, t / ideal - 1.0, NEAR_PERFECT).confirm(
        &format!(
            "A sleeping task needs no CPU, so {l} of them wait at once and the run is {} waves of one latency; \
             what is left over is the timer's rounding and the start-up of each wave.",
            p.tasks.div_ceil(l)
        ),
        "Beyond its waves of sleep a run pays per-task work (spawning, the timer, the interpreter); here that work \
         is more than a quarter of the model.",
    ))
}

/// "Thread is constantly utilized": CPU time / wall time during the run at the notes' limit. A constantly busy
/// thread reads 1.0; above 0.5 it is busy most of the time, below 0.1 it is idle nine tenths of it. Sleeps of
/// 100 ms read about 0.01; sleeps of 1 ms with thousands of tasks reach 0.5 and more (the per-task work).
fn rule_3_2(p: &Params, s: &Side) -> Result<Finding> {
    let l = reference_limit(&p.limits);
    let busy = s.v("cpu_busy", l as f64)?;
    let what = format!("{} CPU time / wall time at limit {l}:", s.label);
    Ok(grade(
        BUSY.above(s.r, &what, busy, 0.5),
        BUSY.above(s.r, &what, busy, 0.1),
        [
            "A loop busy more than half the time is doing per-task work (waking, scheduling, spawning) between the \
             sleeps, not only waiting.",
            "Busy part of the time (between the 0.1 and 0.5 lines), not constantly.",
            &format!(
                "A constantly utilized thread reads 1.0. A task that sleeps holds a permit, not a core: the loop \
                 waits in epoll_wait (asyncio's selector is epoll on Linux too) until the next timer. What stays full \
                 is the semaphore, whose {l} permits are held while their tasks sleep."
            ),
        ],
    ))
}

/// "It just prevents overload": overload is a larger limit making the run slower. Sleeping tasks share nothing that
/// a larger limit could overload, so here lifting the limit can only shorten the waves (claims.json: unmeasured):
/// not measured, with the runtimes at the notes' limit and the largest, and what the limit bounds in memory.
/// Notebook 04 measures what a limit protects.
fn rule_3_3(p: &Params, s: &Side) -> Result<Finding> {
    let l = reference_limit(&p.limits);
    let top = p.limits.iter().copied().max().unwrap_or(l);
    if top <= l {
        return Ok(Finding::not_measured(format!(
            "Only limits up to {l} ran; add a larger one (e.g. 1000) to see what lifting the limit does."
        )));
    }
    let (ref_s, top_s) = (s.v("runtime_s", l as f64)?, s.v("runtime_s", top as f64)?);
    Ok(Finding::not_measured(format!(
        "Nothing here could be overloaded: sleeping tasks share no resource a larger limit would strain, so lifting \
         the limit can only shorten the waves, ceil(N / limit). {} took {} at limit {top} against {} at limit {l}. \
         A limit protects a shared resource (a server's pool, file descriptors): notebook 04 measures that.",
        s.label,
        fmt_s(top_s),
        fmt_s(ref_s)
    ))
    .then(alive_memory(p, s))
    .then(threads_context(s, l, top)))
}

/// Memory of the tasks alive "roughly constant" across limits: the largest reading per task within 1.5x of the
/// smallest. Every task is spawned up front, so at any limit the same N exist; what differs is how many hold a
/// permit (a timer entry) and how many wait in the semaphore's queue, a few dozen bytes apart.
const FLAT: f64 = 1.5;

/// What the limit bounds, from memory per task while all N tasks are alive at each limit: the tasks alive (memory
/// follows the limit) or only the work in flight (memory flat).
fn alive_memory(p: &Params, s: &Side) -> String {
    let (y, what) = s.alive;
    let mut limits = p.limits.clone();
    limits.sort_unstable();
    limits.dedup();
    let mut read = Vec::new();
    for &l in &limits {
        match s.r.value(s.name, y, l as f64) {
            Ok(v) => read.push((l, v)),
            Err(_) => return format!("This result has no `{y}` at limit {l}: what the limit bounds is not measured."),
        }
    }
    let lo = read.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1));
    let hi = read.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1));
    let (Some(lo), Some(hi)) = (lo, hi) else { return String::new() };
    if read.len() < 2 {
        return format!("{} {what} at limit {}: {:.0} B; one limit only, nothing to compare.", s.label, lo.0, lo.1);
    }
    if lo.1 <= 0.0 {
        return format!(
            "{} {what} read {:.0} B at limit {}: no growth measured there, so whether memory follows the limit is \
             not measured.",
            s.label, lo.1, lo.0
        );
    }
    // Context, not a verdict: the test only words the comparison.
    let t = FLATNESS.below(
        s.r,
        &format!(
            "{} {what} while all {} tasks are alive, largest / smallest over the limits ({:.0} B at {} / {:.0} B at {})",
            s.label, p.tasks, hi.1, hi.0, lo.1, lo.0
        ),
        hi.1 / lo.1,
        FLAT,
    );
    let near = if t.close { " (near the line)" } else { "" };
    if t.holds {
        format!(
            "{}: roughly constant{near}. All {} tasks are spawned up front whatever the limit, about {} in all: \
             the semaphore bounds the work in flight ({} to {} sleeps at once), not the tasks alive.",
            t.text,
            p.tasks,
            fmt_mib(lo.1 * p.tasks as f64 / MIB),
            limits[0],
            limits[limits.len() - 1]
        )
    } else {
        format!(
            "{}: memory follows the limit{near}, so a task in flight costs more than one waiting and the limit \
             bounds that memory too.",
            t.text
        )
    }
}

const MIB: f64 = 1024.0 * 1024.0;

/// For Rust, the OS-thread pool's runtimes at both limits: what a thread per permit costs.
fn threads_context(s: &Side, l: u64, top: u64) -> String {
    let at = |x: u64| s.r.value("threads", "runtime_s", x as f64).ok();
    match (s.name, at(l), at(top)) {
        ("tokio", Some(a), Some(b)) => {
            format!("A pool of {top} OS threads took {} against {} with {l}.", fmt_s(b), fmt_s(a))
        }
        _ => String::new(),
    }
}

/// "Async has extremely low scheduling overhead compared to OS threads", a cause: the notes give it as why limit
/// 100 scaled. The fact: spawn+join and a hand-off (best of 3), thread over async task, an order of magnitude
/// cheaper on both (confirmed), cheaper on both (refined), else contradicted. The reason: OS threads, which lack
/// that low overhead, must miss near-perfect scaling at the same limit (3.1's line) where the async runtime made
/// it; if they scaled as well, the low overhead is true but not why.
fn rule_3_4(p: &Params, s: &Side) -> Result<Finding> {
    if p.overhead_tasks == 0 {
        return Ok(Finding::not_measured("overhead_tasks: 0 skipped the spawn and hand-off measurement."));
    }
    let n = p.overhead_tasks as f64;
    let (threads, spawn_y, switch_y) = s.threads;
    let (ts, tw) = (s.v("spawn_us", n)?, s.v("switch_us", n)?);
    let (hs, hw) = (s.r.value(threads, spawn_y, n)?, s.r.value(threads, switch_y, n)?);
    let ratio = |line: f64| {
        SPAWN
            .above(
                s.r,
                &format!("spawn+join, {} / {} ({hs:.2} µs / {ts:.2} µs)", s.threads_label, s.label),
                hs / ts,
                line,
            )
            .and(SWITCH.above(
                s.r,
                &format!("one hand-off (best of 3), {} / {} ({hw:.2} µs / {tw:.3} µs)", s.threads_label, s.label),
                hw / tw,
                line,
            ))
    };
    let mechanism = if s.name == "tokio" {
        "A tokio task is a state machine on the heap, switched to in user space; a thread needs a stack and a \
         kernel task, and a hand-off between threads goes through the kernel's scheduler."
    } else if s.r.machine.python_gil == Some(true) {
        "An asyncio step runs through the interpreter's event loop; a Python thread hand-off goes through the \
         kernel and the GIL."
    } else {
        "An asyncio step runs through the interpreter's event loop; a Python thread hand-off goes through the \
         kernel."
    };
    let fact = grade(
        ratio(10.0),
        ratio(1.0),
        ["", "Cheaper on both counts, but not by an order of magnitude (10x) on both.", "Not cheaper on both counts."],
    )
    .then(mechanism);
    Ok(cause(
        fact,
        threads_missed(p, s)?,
        "Threads, without that low overhead, missed near-perfect scaling at the same limit: the overhead is what \
         made the difference.",
        "Threads scaled about as well at the same limit: with this few tasks in flight a thread's overhead is \
         small next to the sleep, so it is not why the limit scaled (the sleeps overlapping is, 3.1).",
    )
    .then(threads_at_top(p, s)))
}

/// The control: an OS-thread pool's excess over ceil(N / limit) x latency at the notes' limit, above 3.1's line.
fn threads_missed(p: &Params, s: &Side) -> Result<Test> {
    let l = reference_limit(&p.limits);
    let ideal = ideal_s(p.tasks, l, p.latency_ms);
    let (t, async_t) = (s.r.value(s.pool, "runtime_s", l as f64)?, s.v("runtime_s", l as f64)?);
    Ok(THREADS_EXCESS.above(
        s.r,
        &format!(
            "a pool of {l} {} at limit {l} took {} ({} {}) against {}, an excess of",
            s.pool_label,
            fmt_s(t),
            s.label,
            fmt_s(async_t),
            fmt_s(ideal)
        ),
        t / ideal - 1.0,
        NEAR_PERFECT,
    ))
}

/// Where a thread's overhead does show: the OS-thread pool against the async runtime at the largest limit.
fn threads_at_top(p: &Params, s: &Side) -> String {
    let top = p.limits.iter().copied().max().unwrap_or(0) as f64;
    match (s.r.value(s.pool, "runtime_s", top), s.v("runtime_s", top)) {
        (Ok(t), Ok(a)) => format!("At limit {top:.0}: {} {} against {} {}.", s.pool_label, fmt_s(t), s.label, fmt_s(a)),
        _ => String::new(),
    }
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
