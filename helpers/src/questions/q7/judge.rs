//! Question 7's claims and headline: a pure function of a result (its params and series).
//!
//! Every rule reads the largest task count, where the difference between waiting and working is widest, and
//! compares numbers of the same run: CPU per task, wall time against the tasks' serial time, CPU time / wall time.
//! 7.1 is a cause (the blocking sleep is its control); 7.3 shares the parallelism rule of 1.1 and 1.6.

use super::*;
use crate::judging::{async_parallelism, cause, python, rust, AsyncRuns, Quantity};
use crate::result::{Claim, Finding, LabResult};
use crate::units::fmt_s;
use crate::units::Unit;

const CPU_SHARE: Quantity = Quantity::new("q7: CPU per task, a sleep / a spin of the same length", Unit::Percent);
const AWAITED_OVERLAP: Quantity = Quantity::new("q7: wall / (tasks x duration), awaited sleeps", Unit::Percent);
const BLOCKING_OVERLAP: Quantity =
    Quantity::new("q7: wall / (tasks x duration), blocking sleeps on one thread", Unit::Percent);
/// Waits overlap when N of them take under half of N waits back to back (perfect overlap is 1 / N).
const OVERLAP: f64 = 0.5;

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let n = largest(p);
    let mut parts = Vec::new();
    for name in ["sleep multi_thread", "spin multi_thread", "python asyncio.sleep", "python spin"] {
        if let (Ok(w), Ok(c)) = (r.value(name, "wall_s", n), r.value(name, "cpu_s", n)) {
            parts.push(format!("{name} {} wall / {} CPU", fmt_s(w), fmt_s(c)));
        }
    }
    Ok(format!("{n:.0} tasks x {} ms: {}", p.duration_ms, parts.join("; ")))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    Ok(vec![rule_7_1(p, r)?, rule_7_2(p, r)?, rule_7_3(p, r)?])
}

/// The largest task count of the sweep: the rules' x.
fn largest(p: &Params) -> f64 {
    p.tasks.iter().copied().max().unwrap_or(1) as f64
}

/// N tasks' wall time over N waits back to back, as a test of overlap.
fn overlap(p: &Params, r: &LabResult, q: Quantity, name: &str) -> Result<crate::judging::Test> {
    let n = largest(p);
    let serial_s = n * p.duration_ms as f64 / 1000.0;
    let wall = r.value(name, "wall_s", n)?;
    Ok(q.below(
        r,
        &format!("{name}: wall / (tasks x duration) ({} / {})", fmt_s(wall), fmt_s(serial_s)),
        wall / serial_s,
        OVERLAP,
    ))
}

/// 7.1 "The reason runtime didn't increase: because sleep does not consume CPU", a cause. The fact: a task that
/// sleeps costs a small fraction of the CPU of one that computes for the same time (a tenth). The reason: a wait
/// that uses no CPU either but keeps its thread (a blocking sleep, on one thread) must overlap too; if it ran one
/// after another, using no CPU is not why the awaited sleeps overlapped: giving the thread back is.
fn rule_7_1(p: &Params, r: &LabResult) -> Result<Claim> {
    let n = largest(p);
    let judge = |sleep: &str, spin: &str, blocking: &str| -> Result<Finding> {
        let (a, b) = (r.value(sleep, "cpu_us_per_task", n)?, r.value(spin, "cpu_us_per_task", n)?);
        let fact = CPU_SHARE
            .below(
                r,
                &format!(
                    "CPU per task, {sleep} / {spin} ({a:.1} µs / {b:.0} µs, {n:.0} tasks of {} ms)",
                    p.duration_ms
                ),
                a / b.max(1e-9),
                0.1,
            )
            .confirm(
                "A sleeping task is a timer entry: the thread waits in the kernel (epoll_wait) until the deadline, \
                 using no CPU meanwhile.",
                "Sleeping cost a sizeable part of what computing for the same time did.",
            );
        let control = overlap(p, r, BLOCKING_OVERLAP, blocking)?;
        let blocking_cpu = r.value(blocking, "cpu_us_per_task", n)?;
        // Context, worded from the numbers: whether using CPU lengthened the run on the same runtime (it is needed
        // where the spinning tasks took far longer than the sleeping ones).
        let needed = match (r.value(sleep, "wall_s", n), r.value(spin, "wall_s", n)) {
            (Ok(a), Ok(b)) if b > 2.0 * a => format!(
                " Using no CPU is needed, though: on the same runtime {n:.0} spinning tasks took {} against the \
                 sleeping ones' {}.",
                fmt_s(b),
                fmt_s(a)
            ),
            (Ok(a), Ok(b)) => format!(
                " On the same runtime {n:.0} spinning tasks took {} against the sleeping ones' {}.",
                fmt_s(b),
                fmt_s(a)
            ),
            _ => String::new(),
        };
        Ok(cause(
            fact,
            control,
            "A wait that uses no CPU overlapped even when it kept its thread: using no CPU is enough.",
            &format!(
                "Not enough on its own: {blocking} used no CPU either ({blocking_cpu:.1} µs a task), yet its waits ran \
                 one after another. What lets waits overlap is that an awaited sleep gives the thread back to the \
                 loop, so one thread can hold every timer at once.{needed}"
            ),
        ))
    };
    let rust = rust(|| judge("sleep multi_thread", "spin multi_thread", "blocking sleep current_thread"));
    Claim::new("7.1", rust, python(r, || judge("python asyncio.sleep", "python spin", "python time.sleep")))
}

/// 7.2 "overlapping waiting hides latency": N awaited sleeps must take far less than N waits one after another
/// (under half; perfect overlap is 1 / N).
fn rule_7_2(p: &Params, r: &LabResult) -> Result<Claim> {
    let judge = |name: &str| -> Result<Finding> {
        Ok(overlap(p, r, AWAITED_OVERLAP, name)?.confirm(
            "The waits ran at the same time: each task's wait was hidden behind the others'. Only a wait that lets \
             go of the thread overlaps (the blocking sleep variants show the other kind).",
            "The waits did not overlap: they added up as if run one after another.",
        ))
    };
    Claim::new("7.2", rust(|| judge("sleep multi_thread")), python(r, || judge("python asyncio.sleep")))
}

/// Cores busy (CPU time / wall time) of `name` at the largest count.
fn busy(p: &Params, r: &LabResult, name: &str) -> Result<f64> {
    let n = largest(p);
    Ok(r.value(name, "cpu_s", n)? / r.value(name, "wall_s", n)?.max(1e-9))
}

/// 7.3 "Async ... does not create CPU parallelism": the shared parallelism rule (as 1.1 and 1.6). Plain OS
/// threads spinning the same jobs show the cores were there; tokio's multi-threaded runtime is set against them (as
/// many threads), one loop (tokio's, asyncio's) against what one thread can keep busy: one core.
fn rule_7_3(p: &Params, r: &LabResult) -> Result<Claim> {
    const ONE_THREAD: &str = "what one thread can keep busy";
    let threads = || busy(p, r, SPIN_THREADS);
    let rust = rust(|| {
        let runs = AsyncRuns {
            capacity: (SPIN_THREADS, threads()?),
            pairs: vec![
                ("spin multi_thread", busy(p, r, "spin multi_thread")?, SPIN_THREADS, threads()?),
                ("spin current_thread", busy(p, r, "spin current_thread")?, ONE_THREAD, 1.0),
            ],
        };
        async_parallelism(
            r,
            &runs,
            [
                "The spinning async tasks kept one core busy while plain threads used more.",
                "Async added no parallelism of its own, but the spinning async tasks did run in parallel: tokio's \
                 multi-threaded runtime runs them on its worker threads, as plain threads run without async (Rust \
                 has no GIL), and blocks those workers while they compute. On one loop they took turns.",
                "Async tasks kept more cores busy than the same threads without async.",
            ],
        )
    });
    let python = python(r, || {
        let runs = AsyncRuns {
            capacity: ("the same run's plain threads (Rust's spin threads)", threads()?),
            pairs: vec![("python spin", busy(p, r, "python spin")?, ONE_THREAD, 1.0)],
        };
        async_parallelism(
            r,
            &runs,
            [
                "The spinning coroutines ran one after another on the loop's thread, while the machine had cores to \
                 spare.",
                "The spinning coroutines ran in parallel.",
                "The spinning coroutines kept more than one core busy.",
            ],
        )
    });
    Claim::new("7.3", rust, python)
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
