//! Question 7's rules on synthetic results: each claim reaches at least two verdicts from the numbers alone.

use super::*;
use crate::judging::fixture::{assert_only_python_not_measured, on_cores, result, set, without_python};
use crate::result::Verdict::{self, *};

const NAMES: [&str; 10] = [
    "sleep current_thread",
    "sleep multi_thread",
    "blocking sleep current_thread",
    "blocking sleep multi_thread",
    "spin current_thread",
    "spin multi_thread",
    "spin threads",
    "python asyncio.sleep",
    "python time.sleep",
    "python spin",
];

/// 400 tasks of 10 ms on a quiet 2-core machine: sleeps overlap and cost µs, blocking sleeps cost no CPU but run
/// one after another on one thread, spins cost their duration and run on both cores on the multi-threaded runtime
/// and on plain threads alike.
fn quiet() -> LabResult {
    let mut r = result("q7", serde_json::json!({}));
    for name in NAMES {
        let (wall, cpu) = match name {
            "blocking sleep multi_thread" => (2.0, 0.02),
            n if n.contains("blocking") || n.contains("time.sleep") => (4.0, 0.02),
            n if n.contains("sleep") => (0.012, 0.0012),
            "spin multi_thread" | "spin threads" => (2.05, 4.0),
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
fn rule_7_1_sleep_uses_no_cpu_but_that_is_not_why_the_waits_overlapped() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "7.1"), (Refined, Refined));
    let c = judged(&r, "7.1");
    assert!(
        c.rust.evidence.contains("(3.0 µs / 10000 µs, 400 tasks of 10 ms) 0.0300% < 10%: true."),
        "{}",
        c.rust.evidence
    );
    assert!(
        c.rust.evidence.contains(
            "Is it the reason? blocking sleep current_thread: wall / (tasks x duration) (4.000 s / 4.000 s) 100% \
             >= 50%: refined. Not enough on its own: blocking sleep current_thread used no CPU either (50.0 µs a \
             task)"
        ),
        "{}",
        c.rust.evidence
    );
    assert!(c.python.evidence.contains("python time.sleep used no CPU either"), "{}", c.python.evidence);
    assert!(
        c.rust.evidence.ends_with("400 spinning tasks took 2.050 s against the sleeping ones' 12.0 ms."),
        "{}",
        c.rust.evidence
    );
    // Spins no slower than sleeps: the numbers are told, "needed" is not said.
    let mut same = quiet();
    put(&mut same, "spin multi_thread", "wall_s", 0.015);
    let e = judged(&same, "7.1").rust.evidence;
    assert!(
        e.ends_with("400 spinning tasks took 15.0 ms against the sleeping ones' 12.0 ms.") && !e.contains("needed"),
        "{e}"
    );
    // A blocking wait that overlapped anyway would make no CPU the reason.
    put(&mut r, "blocking sleep current_thread", "wall_s", 0.02);
    assert_eq!(verdicts(&r, "7.1").0, Confirmed);
    // Sleeping that costs CPU contradicts the fact, whatever the control.
    put(&mut r, "sleep multi_thread", "cpu_us_per_task", 5000.0);
    put(&mut r, "python asyncio.sleep", "cpu_us_per_task", 9000.0);
    assert_eq!(verdicts(&r, "7.1"), (Contradicted, Contradicted));
    assert!(judged(&r, "7.1").python.evidence.contains("90.0% >= 10%: contradicted"));
}

#[test]
fn rule_7_2_awaited_sleeps_overlap_or_the_claim_fails() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "7.2"), (Confirmed, Confirmed));
    let c = judged(&r, "7.2");
    assert!(c.rust.evidence.contains("(12.0 ms / 4.000 s) 0.300% < 50%: confirmed"), "{}", c.rust.evidence);
    put(&mut r, "sleep multi_thread", "wall_s", 3.9);
    put(&mut r, "python asyncio.sleep", "wall_s", 2.1);
    assert_eq!(verdicts(&r, "7.2"), (Contradicted, Refined));
    assert!(judged(&r, "7.2").python.evidence.contains("within 10% of the line"));
}

#[test]
fn rule_7_3_async_tasks_run_in_parallel_only_on_worker_threads() {
    let r = quiet();
    // tokio's multi-threaded runtime spun on both cores, as plain threads did: the threads' parallelism, refined.
    assert_eq!(verdicts(&r, "7.3"), (Refined, Confirmed));
    let c = judged(&r, "7.3");
    assert!(
        c.rust.evidence.starts_with(
            "with spin threads at 1.95 cores busy, the cores busy of spin multi_thread / spin threads (1.95 / 1.95)"
        ),
        "{}",
        c.rust.evidence
    );
    assert!(
        c.python.evidence.contains("python spin / what one thread can keep busy (1.00 / 1.00)"),
        "{}",
        c.python.evidence
    );
    assert!(c.python.evidence.contains("while the machine had cores to spare"), "{}", c.python.evidence);
    // The multi-threaded runtime beating plain threads would be async creating parallelism (on 16 cores: plain
    // threads 8 cores busy, the runtime 15); coroutines on two cores, likewise.
    let mut r = on_cores(r, 16);
    put(&mut r, "spin threads", "wall_s", 0.5);
    put(&mut r, "spin multi_thread", "wall_s", 4.0 / 15.0);
    put(&mut r, "python spin", "wall_s", 2.0);
    assert_eq!(verdicts(&r, "7.3"), (Contradicted, Contradicted));
}

#[test]
fn rule_7_3_needs_two_cores_and_reads_a_ratio_on_any_larger_machine() {
    for cores in [1, 2, 16, 64] {
        let mut r = on_cores(quiet(), cores);
        // On a big machine both keep about all cores busy: 400 spins of 10 ms over `cores` threads.
        let wall = 4.0 / (cores as f64 * 0.97).max(1.0);
        put(&mut r, "spin multi_thread", "wall_s", wall);
        put(&mut r, "spin threads", "wall_s", wall);
        let (rust, python) = verdicts(&r, "7.3");
        if cores < 2 {
            assert_eq!((rust, python), (NotMeasured, NotMeasured), "{cores}");
            assert!(judged(&r, "7.3").rust.evidence.contains("one core cannot show parallelism"));
        } else {
            assert_eq!((rust, python), (Refined, Confirmed), "{cores}");
        }
    }
}

#[test]
fn without_python_every_python_verdict_is_not_measured() {
    let r = without_python(quiet());
    assert_only_python_not_measured(&claims(&Params::default(), &r).unwrap());
    // A result without a series a Rust rule needs (an older one, without plain threads): not measured, naming it.
    let mut r = quiet();
    r.series.retain(|s| s.name != "spin threads");
    let c = judged(&r, "7.3");
    assert_eq!(c.rust.verdict, NotMeasured);
    assert!(c.rust.evidence.contains("no series `spin threads`"), "{}", c.rust.evidence);
}
