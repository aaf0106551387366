//! Question 7's claims and headline: a pure function of a result (its params and series).
//!
//! Every rule reads the largest task count, where the difference between waiting and working is widest, and
//! compares numbers of the same run: CPU per task, wall time against the tasks' serial time, CPU time / wall time.

use super::*;
use crate::judging::legacy::below;
use crate::judging::{python, rust};
use crate::result::{Claim, Finding, LabResult};
use crate::units::fmt_s;

/// More cores busy than this is CPU parallelism; one thread stays near 1.0.
const PARALLEL: f64 = 1.5;

/// A small fraction as a percentage: "0.03%".
fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

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

/// 7.1 "sleep does not consume CPU": a task that sleeps must cost a small fraction of the CPU of one that
/// computes for the same time (a tenth: a sleeping task's cost is its timer entry, microseconds).
fn rule_7_1(p: &Params, r: &LabResult) -> Result<Claim> {
    let n = largest(p);
    let judge = |sleep: &str, spin: &str| -> Result<Finding> {
        let (a, b) = (r.value(sleep, "cpu_us_per_task", n)?, r.value(spin, "cpu_us_per_task", n)?);
        Ok(below(
            &format!("CPU per task, {sleep} / {spin} ({a:.1} µs / {b:.0} µs, {n:.0} tasks of {} ms)", p.duration_ms),
            a / b.max(1e-9),
            0.1,
            pct,
        )
        .confirm(
            "A sleeping task is a timer entry: the thread waits in the kernel (epoll_wait) until the deadline, using \
             no CPU meanwhile.",
            "Sleeping cost a sizeable part of what computing for the same time did.",
        ))
    };
    let rust = rust(|| judge("sleep multi_thread", "spin multi_thread"));
    Claim::new("7.1", rust, python(r, || judge("python asyncio.sleep", "python spin")))
}

/// 7.2 "overlapping waiting hides latency": N awaited sleeps must take far less than N waits one after another
/// (under half; perfect overlap is 1 / N).
fn rule_7_2(p: &Params, r: &LabResult) -> Result<Claim> {
    let n = largest(p);
    let serial_s = n * p.duration_ms as f64 / 1000.0;
    let judge = |name: &str| -> Result<Finding> {
        let wall = r.value(name, "wall_s", n)?;
        Ok(below(
            &format!("{name}: wall / (tasks x duration) ({} / {})", fmt_s(wall), fmt_s(serial_s)),
            wall / serial_s,
            0.5,
            pct,
        )
        .confirm(
            "The waits ran at the same time: each task's wait was hidden behind the others'. Only a wait that lets \
             go of the thread overlaps (the blocking sleep variants show the other kind).",
            "The waits did not overlap: they added up as if run one after another.",
        ))
    };
    Claim::new("7.2", rust(|| judge("sleep multi_thread")), python(r, || judge("python asyncio.sleep")))
}

/// 7.3 "Async ... does not create CPU parallelism": tasks that compute must keep no more than one core busy.
/// Rust's default async runtime (multi_thread) is the one judged; Python's asyncio loop.
fn rule_7_3(p: &Params, r: &LabResult) -> Result<Claim> {
    let n = largest(p);
    let judge = |name: &str, yes: &str, no: &str| -> Result<Finding> {
        let (cpu, wall) = (r.value(name, "cpu_s", n)?, r.value(name, "wall_s", n)?);
        Ok(below(
            &format!("{name}: cores busy = CPU / wall ({} / {})", fmt_s(cpu), fmt_s(wall)),
            cpu / wall,
            PARALLEL,
            |x| format!("{x:.2}"),
        )
        .confirm(yes, no))
    };
    let rust = rust(|| {
        judge(
            "spin multi_thread",
            "The spinning async tasks kept no more than one core busy.",
            "The spinning async tasks ran on several cores at once: tokio's default runtime has one worker thread \
             per core and Rust has no GIL, so async tasks can compute in parallel (and block their workers \
             meanwhile).",
        )
    });
    let python = python(r, || {
        judge(
            "python spin",
            "The spinning coroutines ran one after another on the loop's thread.",
            "The spinning coroutines kept more than one core busy.",
        )
    });
    Claim::new("7.3", rust, python)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judging::fixture::{assert_only_python_not_measured, result, set, without_python};
    use crate::result::Verdict::{self, *};

    const NAMES: [&str; 9] = [
        "sleep current_thread",
        "sleep multi_thread",
        "blocking sleep current_thread",
        "blocking sleep multi_thread",
        "spin current_thread",
        "spin multi_thread",
        "python asyncio.sleep",
        "python time.sleep",
        "python spin",
    ];

    /// 400 tasks of 10 ms on a quiet 2-core machine: sleeps overlap and cost µs, spins cost their duration and
    /// run on both cores on the multi-threaded runtime only.
    fn quiet() -> LabResult {
        let mut r = result("q7", serde_json::json!({}));
        for name in NAMES {
            let (wall, cpu) = match name {
                n if n.contains("blocking") || n.contains("time.sleep") => (4.0, 0.04),
                n if n.contains("sleep") => (0.012, 0.0012),
                "spin multi_thread" => (2.05, 4.0),
                _ => (4.0, 4.0),
            };
            put(&mut r, name, "wall_s", wall);
            put(&mut r, name, "cpu_s", cpu);
            put(&mut r, name, "cpu_us_per_task", cpu * 1e6 / 400.0);
        }
        r
    }

    fn put(r: &mut LabResult, name: &str, y: &str, v: f64) {
        set(r, name, "tasks", y, 400.0, v);
    }

    fn judged(r: &LabResult, id: &str) -> Claim {
        claims(&Params::default(), r).unwrap().into_iter().find(|c| c.id == id).unwrap()
    }

    fn verdicts(r: &LabResult, id: &str) -> (Verdict, Verdict) {
        let c = judged(r, id);
        (c.rust.verdict, c.python.verdict)
    }

    #[test]
    fn rule_7_1_a_sleeping_task_costs_a_fraction_of_a_computing_one() {
        let mut r = quiet();
        assert_eq!(verdicts(&r, "7.1"), (Confirmed, Confirmed));
        let c = judged(&r, "7.1");
        assert!(
            c.rust.evidence.contains("(3.0 µs / 10000 µs, 400 tasks of 10 ms) 0.03% < 10.00%"),
            "{}",
            c.rust.evidence
        );
        put(&mut r, "sleep multi_thread", "cpu_us_per_task", 5000.0);
        put(&mut r, "python asyncio.sleep", "cpu_us_per_task", 9000.0);
        assert_eq!(verdicts(&r, "7.1"), (Contradicted, Contradicted));
        assert!(judged(&r, "7.1").python.evidence.contains("90.00% >= 10.00%: contradicted"));
    }

    #[test]
    fn rule_7_2_awaited_sleeps_overlap_or_the_claim_fails() {
        let mut r = quiet();
        assert_eq!(verdicts(&r, "7.2"), (Confirmed, Confirmed));
        let c = judged(&r, "7.2");
        assert!(c.rust.evidence.contains("(12.0 ms / 4.000 s) 0.30% < 50.00%: confirmed"), "{}", c.rust.evidence);
        put(&mut r, "sleep multi_thread", "wall_s", 3.9);
        put(&mut r, "python asyncio.sleep", "wall_s", 2.1);
        assert_eq!(verdicts(&r, "7.2"), (Contradicted, Refined));
        assert!(judged(&r, "7.2").python.evidence.contains("within 10% of the line"));
    }

    #[test]
    fn rule_7_3_rust_contradicts_where_its_async_tasks_use_both_cores() {
        let mut r = quiet();
        assert_eq!(verdicts(&r, "7.3"), (Contradicted, Confirmed));
        let c = judged(&r, "7.3");
        assert!(c.rust.evidence.contains("(4.000 s / 2.050 s) 1.95 >= 1.50: contradicted"), "{}", c.rust.evidence);
        assert!(c.python.evidence.contains("(4.000 s / 4.000 s) 1.00 < 1.50: confirmed"), "{}", c.python.evidence);
        // One core (or a busy machine): the multi-threaded runtime has nothing to run in parallel on.
        put(&mut r, "spin multi_thread", "wall_s", 4.0);
        put(&mut r, "python spin", "wall_s", 2.0);
        assert_eq!(verdicts(&r, "7.3"), (Confirmed, Contradicted));
    }

    #[test]
    fn without_python_every_python_verdict_is_not_measured() {
        let r = without_python(quiet());
        assert_only_python_not_measured(&claims(&Params::default(), &r).unwrap());
        // A result without a series a Rust rule needs: not measured, naming it, not an error.
        let mut r = quiet();
        r.series.retain(|s| s.name != "spin multi_thread");
        let c = judged(&r, "7.3");
        assert_eq!(c.rust.verdict, NotMeasured);
        assert!(c.rust.evidence.contains("no series `spin multi_thread`"), "{}", c.rust.evidence);
    }
}
