//! q3's rules on synthetic results: each claim reaches at least two verdicts from the numbers alone.

use super::*;
use crate::judging::fixture::{self, assert_only_python_not_measured, result, set, verdicts, without_python};
use crate::result::Verdict::*;
use serde_json::json;

/// A run like the defaults on a 2-core machine: every runtime a few percent over its model, the CPUs idle, a task
/// far cheaper than a thread in Rust and a few times cheaper in Python.
fn run() -> LabResult {
    let mut r = result("q3", json!({}));
    for (name, busy, rss) in [("tokio", 0.007, 8.0), ("threads", 0.03, 24.0), ("python", 0.017, 24.0)] {
        for l in [10u64, 50, 100, 200, 1000] {
            let x = l as f64;
            set(&mut r, name, "limit", "runtime_s", x, ideal_s(1000, l, 100) * 1.03);
            set(&mut r, name, "limit", "cpu_busy", x, busy);
            set(&mut r, name, "limit", "peak_rss_mb", x, rss);
        }
    }
    // All 1,000 tasks alive at every limit: the same memory per task whatever the limit.
    for l in [10u64, 50, 100, 200, 1000] {
        set(&mut r, "tokio", "limit", "task_heap_bytes", l as f64, if l == 1000 { 330.0 } else { 320.0 });
        set(&mut r, "python", "limit", "task_rss_bytes", l as f64, if l == 10 { 1900.0 } else { 1800.0 });
    }
    for (name, spawn, switch) in [("tokio", 0.8, 0.5), ("threads", 70.0, 13.6), ("python", 18.0, 10.0)] {
        set(&mut r, name, "tasks", "spawn_us", 20_000.0, spawn);
        set(&mut r, name, "tasks", "switch_us", 20_000.0, switch);
    }
    set(&mut r, "python", "tasks", "thread_spawn_us", 20_000.0, 190.0);
    set(&mut r, "python", "tasks", "thread_switch_us", 20_000.0, 35.0);
    // Python threads at the notes' limit scale as well as asyncio: a thread per sleeping task costs little there.
    set(&mut r, "python threads", "limit", "runtime_s", 100.0, 1.04);
    r
}

fn judged(r: &LabResult, id: &str) -> Claim {
    fixture::judged(claims, &Params::default(), r, id)
}

fn judged_by(p: &Params, r: &LabResult, id: &str) -> Claim {
    fixture::judged(claims, p, r, id)
}

#[test]
fn a_default_like_run_gets_the_verdicts_its_numbers_give() {
    let r = run();
    assert_eq!(verdicts(&judged(&r, "3.1")), (Confirmed, Confirmed));
    assert_eq!(verdicts(&judged(&r, "3.2")), (Contradicted, Contradicted));
    assert_eq!(verdicts(&judged(&r, "3.3")), (NotMeasured, NotMeasured));
    // Async's overhead is an order of magnitude lower in Rust, but OS threads scaled as well at limit 100.
    assert_eq!(verdicts(&judged(&r, "3.4")), (Refined, Refined));
}

#[test]
fn rule_3_1_near_perfect_is_within_a_quarter_of_the_model() {
    let mut r = run();
    let c = judged(&r, "3.1");
    assert!(c.rust.evidence.contains("tokio at limit 100 took 1.030 s against ceil(1000 / 100) x 100 ms = 1.000 s"));
    assert!(c.rust.evidence.contains("an excess of +3.00% < +25%: confirmed"), "{}", c.rust.evidence);
    set(&mut r, "tokio", "limit", "runtime_s", 100.0, 2.6);
    set(&mut r, "python", "limit", "runtime_s", 100.0, 1.26);
    let c = judged(&r, "3.1");
    assert_eq!(verdicts(&c), (Contradicted, Refined));
    assert!(c.rust.evidence.contains("+160% >= +25%: contradicted"), "{}", c.rust.evidence);
    assert!(c.python.evidence.contains("within 10% of the line"), "{}", c.python.evidence);
}

#[test]
fn rule_3_2_busy_reads_confirmed_above_half_a_core_and_contradicted_below_a_tenth() {
    let mut r = run();
    let c = judged(&r, "3.2");
    assert!(c.rust.evidence.contains("tokio CPU time / wall time at limit 100: 0.00700 <= 0.1: contradicted"));
    set(&mut r, "tokio", "limit", "cpu_busy", 100.0, 0.8);
    set(&mut r, "python", "limit", "cpu_busy", 100.0, 0.3);
    let c = judged(&r, "3.2");
    assert_eq!(verdicts(&c), (Confirmed, Refined));
    assert!(c.rust.evidence.contains("0.800 > 0.5: confirmed"), "{}", c.rust.evidence);
    assert!(c.python.evidence.contains("0.300 > 0.1: refined"), "{}", c.python.evidence);
    set(&mut r, "tokio", "limit", "cpu_busy", 100.0, 0.48);
    assert_eq!(judged(&r, "3.2").rust.verdict, Refined);
}

#[test]
fn rule_3_3_sleeping_tasks_have_nothing_to_overload_so_it_is_not_measured() {
    let r = run();
    let c = judged(&r, "3.3");
    assert_eq!(verdicts(&c), (NotMeasured, NotMeasured));
    assert!(c.rust.evidence.starts_with("Nothing here could be overloaded"), "{}", c.rust.evidence);
    assert!(
        c.rust.evidence.contains("tokio took 103.0 ms at limit 1000 against 1.030 s at limit 100"),
        "{}",
        c.rust.evidence
    );
    assert!(c.rust.evidence.contains("A pool of 1000 OS threads took"), "{}", c.rust.evidence);
    // Without a limit above the notes' there is nothing to compare at all.
    let p = Params { limits: vec![10, 100], ..Params::default() };
    assert!(judged_by(&p, &r, "3.3").rust.evidence.starts_with("Only limits up to 100 ran"));
}

#[test]
fn rule_3_3_says_whether_the_limit_bounds_the_tasks_alive_or_only_the_work_in_flight() {
    let mut r = run();
    let c = judged(&r, "3.3");
    let e = &c.rust.evidence;
    assert!(
        e.contains(
            "tokio heap bytes per task while all 1000 tasks are alive, largest / smallest over the limits \
             (330 B at 1000 / 320 B at 10) 1.03x < 1.5x: roughly constant. All 1000 tasks are spawned up front \
             whatever the limit, about 312 KiB in all: the semaphore bounds the work in flight (10 to 1000 sleeps \
             at once), not the tasks alive."
        ),
        "{e}"
    );
    assert!(c.python.evidence.contains("asyncio RSS growth per task while all 1000 tasks"), "{}", c.python.evidence);
    assert!(c.python.evidence.contains("asyncio took 103.0 ms at limit 1000"), "{}", c.python.evidence);
    // Memory that grows with the limit: each task in flight holds more than one waiting.
    set(&mut r, "tokio", "limit", "task_heap_bytes", 1000.0, 4000.0);
    let e = judged(&r, "3.3").rust.evidence;
    assert!(e.contains("(4000 B at 1000 / 320 B at 10) 12.5x >= 1.5x: memory follows the limit"), "{e}");
    // Close to the line, said so.
    set(&mut r, "tokio", "limit", "task_heap_bytes", 1000.0, 460.0);
    assert!(judged(&r, "3.3").rust.evidence.contains("roughly constant (near the line)"));
    // RSS that did not grow at some limit (freed pages reused) cannot be compared.
    set(&mut r, "python", "limit", "task_rss_bytes", 50.0, 0.0);
    let e = judged(&r, "3.3").python.evidence;
    assert!(e.contains("asyncio RSS growth per task read 0 B at limit 50: no growth measured there"), "{e}");
    // A result saved before this was measured: said, the verdict unchanged.
    r.series.retain(|s| s.y != "task_heap_bytes");
    let c = judged(&r, "3.3");
    assert_eq!(c.rust.verdict, NotMeasured);
    assert!(c.rust.evidence.contains("no `task_heap_bytes` at limit 10: what the limit bounds is not measured"));
}

#[test]
fn rule_3_4_extremely_low_is_an_order_of_magnitude_on_spawn_and_hand_off() {
    let mut r = run();
    let c = judged(&r, "3.4");
    let e = &c.rust.evidence;
    assert!(e.contains("spawn+join, an OS thread / tokio (70.00 µs / 0.80 µs) 87.5x > 10x"), "{e}");
    assert!(
        e.contains("one hand-off (best of 3), an OS thread / tokio (13.60 µs / 0.500 µs) 27.2x > 10x: true."),
        "{e}"
    );
    let e = &c.python.evidence;
    assert!(e.contains("a Python thread / asyncio (35.00 µs / 10.000 µs) 3.50x > 1x"), "{e}");
    assert!(
        e.contains("3.50x > 1x: true in part. Cheaper on both counts, but not by an order of magnitude (10x) on both."),
        "{e}"
    );
    assert!(e.contains("GIL"), "{e}");
    set(&mut r, "tokio", "tasks", "switch_us", 20_000.0, 6.8);
    set(&mut r, "python", "tasks", "spawn_us", 20_000.0, 250.0);
    let c = judged(&r, "3.4");
    assert_eq!(verdicts(&c), (Refined, Contradicted));
    assert!(c.python.evidence.contains("0.760x <= 1x"), "{}", c.python.evidence);
    let p = Params { overhead_tasks: 0, ..Params::default() };
    assert_eq!(verdicts(&judged_by(&p, &r, "3.4")), (NotMeasured, NotMeasured));
    // A result from before Python's threads were measured: Python is not measured, Rust still judged.
    r.series.retain(|s| s.y != "thread_switch_us");
    assert_eq!(verdicts(&judged(&r, "3.4")), (Refined, NotMeasured));
}

#[test]
fn rule_3_4_is_a_cause_the_low_overhead_must_be_why_the_limit_scaled() {
    let mut r = run();
    let c = judged(&r, "3.4");
    let e = &c.rust.evidence;
    assert!(
        e.contains("Is it the reason? a pool of 100 OS threads at limit 100 took 1.030 s (tokio 1.030 s) against 1.000 s, an excess of +3.00% <= +25%: refined. Threads scaled about as well"),
        "{e}"
    );
    assert!(e.ends_with("At limit 1000: OS threads 103.0 ms against tokio 103.0 ms."), "{e}");
    assert_eq!(e.matches("refined").count(), 1, "{e}");
    // Threads that missed near-perfect scaling where tokio made it: the overhead is the reason.
    set(&mut r, "threads", "limit", "runtime_s", 100.0, 1.6);
    set(&mut r, "python threads", "limit", "runtime_s", 100.0, 1.5);
    let c = judged(&r, "3.4");
    assert_eq!(verdicts(&c), (Confirmed, Refined));
    assert!(
        c.rust.evidence.contains("+60.0% > +25%: confirmed. Threads, without that low overhead"),
        "{}",
        c.rust.evidence
    );
    // Python's overhead is only a few times lower: true in part, whatever the threads did.
    assert!(
        c.python.evidence.ends_with("So: refined.") || c.python.evidence.contains("So: refined."),
        "{}",
        c.python.evidence
    );
    // Without the control, the cause cannot be judged: not measured, naming it.
    r.series.retain(|s| s.name != "python threads");
    let c = judged(&r, "3.4");
    assert_eq!(c.python.verdict, NotMeasured);
    assert!(c.python.evidence.contains("no series `python threads`"), "{}", c.python.evidence);
}

#[test]
fn without_the_twin_every_python_verdict_is_not_measured() {
    let r = without_python(run());
    let judged = claims(&Params::default(), &r).unwrap();
    // 3.3 is not measured in either language (claims.json: unmeasured).
    assert_only_python_not_measured(&judged.into_iter().filter(|c| c.id != "3.3").collect::<Vec<_>>());
}

#[test]
fn the_judge_needs_the_rust_series_and_says_which_is_missing() {
    let mut r = run();
    r.series.retain(|s| !(s.name == "tokio" && s.y == "cpu_busy"));
    let c = judged(&r, "3.2");
    assert_eq!(c.rust.verdict, NotMeasured);
    assert!(c.rust.evidence.contains("no series `tokio` measuring `cpu_busy`"), "{}", c.rust.evidence);
}
