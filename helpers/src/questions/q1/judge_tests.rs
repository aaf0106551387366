//! Question 1's rules on synthetic results: each claim reaches at least two verdicts from the numbers alone.

use super::*;
use crate::judging::fixture::{assert_only_python_not_measured, result, set, without_python};
use crate::result::Verdict::{self, *};

const ALL: [&str; 12] = [
    "sequential",
    "tokio current_thread",
    "tokio multi_thread",
    "spawn_blocking",
    "rayon",
    "tokio yield_now",
    "python sequential",
    "python asyncio",
    "python asyncio yield",
    "python to_thread",
    "python processes",
    "cores present",
];

/// A 2-core run of 8 jobs of 100 ms as this machine measures it when quiet: one loop serial and blocked, the
/// multi-threaded runtime and the pools on both cores, Python's threads taking turns.
fn quiet() -> LabResult {
    let mut r = result("q1", serde_json::json!({}));
    for name in &ALL[..11] {
        put(&mut r, name, "wall_s", 0.8);
        put(&mut r, name, "cores_busy", 1.0);
        put(&mut r, name, "speedup", 1.0);
        put(&mut r, name, "lag_p99_ms", 2.0);
        put(&mut r, name, "lag_max_ms", 3.0);
    }
    for name in ["tokio multi_thread", "spawn_blocking", "rayon", "python processes"] {
        put(&mut r, name, "cores_busy", 1.95);
        put(&mut r, name, "wall_s", 0.42);
    }
    for name in ["tokio current_thread", "python asyncio"] {
        put(&mut r, name, "lag_p99_ms", 800.0);
        put(&mut r, name, "lag_max_ms", 800.0);
    }
    put(&mut r, "tokio yield_now", "lag_p99_ms", 4.0);
    put(&mut r, "python asyncio yield", "lag_p99_ms", 5.0);
    r
}

fn put(r: &mut LabResult, name: &str, y: &str, v: f64) {
    set(r, name, "jobs", y, 8.0, v);
}

fn judged(r: &LabResult) -> Vec<Claim> {
    // 8 jobs, as the synthetic points are placed (the default follows the cores of the machine testing).
    claims(&Params { jobs: 8, ..Params::default() }, r).unwrap()
}

fn verdicts(r: &LabResult, id: &str) -> (Verdict, Verdict) {
    let c = judged(r).into_iter().find(|c| c.id == id).unwrap();
    (c.rust.verdict, c.python.verdict)
}

fn evidence(r: &LabResult, id: &str) -> (String, String) {
    let c = judged(r).into_iter().find(|c| c.id == id).unwrap();
    (c.rust.evidence, c.python.evidence)
}

#[test]
fn every_claim_is_judged_and_quoted() {
    let c = judged(&quiet());
    assert_eq!(c.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]);
}

#[test]
fn rule_1_1_one_loop_gains_no_core_refined_where_the_multi_threaded_runtime_does() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "1.1"), (Refined, Confirmed));
    let (rust, py) = evidence(&r, "1.1");
    assert!(
        rust.contains("tokio current_thread cores busy 1.00 < 1.50, and tokio multi_thread cores busy 1.95 > 1.50"),
        "{rust}"
    );
    assert!(py.contains("asyncio cores busy 1.00 < 1.50: confirmed"), "{py}");
    // One core: the multi-threaded runtime cannot run in parallel either.
    put(&mut r, "tokio multi_thread", "cores_busy", 1.0);
    assert_eq!(verdicts(&r, "1.1").0, Confirmed);
    // Async on one loop keeping two cores busy would contradict it.
    put(&mut r, "tokio current_thread", "cores_busy", 1.9);
    put(&mut r, "python asyncio", "cores_busy", 1.9);
    assert_eq!(verdicts(&r, "1.1"), (Contradicted, Contradicted));
    assert!(evidence(&r, "1.1").0.contains("tokio current_thread cores busy 1.90 >= 1.50: contradicted"));
    // Near the line: not a clear outcome.
    put(&mut r, "tokio current_thread", "cores_busy", 1.45);
    assert_eq!(verdicts(&r, "1.1").0, Refined);
    assert!(evidence(&r, "1.1").0.contains("within 10% of the line"));
}

#[test]
fn rule_1_2_yields_free_the_loop_or_the_claim_fails() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "1.2"), (Confirmed, Confirmed));
    let (rust, py) = evidence(&r, "1.2");
    assert!(rust.contains("(800 ms / 4.00 ms) 200.000x > 10.000x: confirmed"), "{rust}");
    assert!(py.contains("await asyncio.sleep(0) every 500 µs (800 ms / 5.00 ms) 160.000x"), "{py}");
    put(&mut r, "tokio yield_now", "lag_p99_ms", 400.0);
    put(&mut r, "python asyncio yield", "lag_p99_ms", 700.0);
    assert_eq!(verdicts(&r, "1.2"), (Contradicted, Contradicted));
    assert!(evidence(&r, "1.2").0.contains("2.000x <= 10.000x: contradicted"));
}

#[test]
fn rule_1_3_the_heartbeat_waits_at_least_one_job_or_control_left_without_await() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "1.3"), (Confirmed, Confirmed));
    assert!(evidence(&r, "1.3").0.contains("(800 ms / 100 ms) 8.000x > 1.000x: confirmed"));
    put(&mut r, "tokio current_thread", "lag_max_ms", 20.0);
    put(&mut r, "python asyncio", "lag_max_ms", 20.0);
    assert_eq!(verdicts(&r, "1.3"), (Contradicted, Contradicted));
    assert!(evidence(&r, "1.3").1.contains("(20.0 ms / 100 ms) 0.200x <= 1.000x: contradicted"));
}

#[test]
fn rule_1_4_is_a_definition_that_points_at_the_measured_consequence() {
    let r = quiet();
    assert_eq!(verdicts(&r, "1.4"), (Confirmed, Confirmed));
    let (rust, _) = evidence(&r, "1.4");
    assert!(rust.starts_with("A definition, not a measurement") && rust.contains("1.3") && rust.contains("800 ms"));
    let def = crate::claims::CLAIMS_JSON;
    let entry: serde_json::Value = serde_json::from_str(def).unwrap();
    let c = entry["claims"].as_array().unwrap().iter().find(|c| c["id"] == "1.4").unwrap();
    assert_eq!(c["kind"], "definition");
    assert!(!c["why"].as_str().unwrap().is_empty());
}

#[test]
fn rule_1_5_the_loop_is_blocked_when_the_jobs_are_on_it_not_when_handed_off() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "1.5"), (Confirmed, Confirmed));
    let (rust, py) = evidence(&r, "1.5");
    assert!(rust.contains("on spawn_blocking (800 ms / 2.00 ms) 400.000x > 10.000x"), "{rust}");
    assert!(py.contains("on processes (800 ms / 2.00 ms)"), "{py}");
    // Handing off changed nothing: the loop was held by something else.
    put(&mut r, "spawn_blocking", "lag_p99_ms", 600.0);
    put(&mut r, "python processes", "lag_p99_ms", 400.0);
    assert_eq!(verdicts(&r, "1.5"), (Contradicted, Contradicted));
}

#[test]
fn rule_1_6_rust_contradicts_where_its_async_runs_on_every_core_python_by_its_measured_threads() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "1.6"), (Contradicted, Confirmed));
    let (rust, py) = evidence(&r, "1.6");
    assert!(rust.contains("tokio multi_thread cores busy 1.95 >= 1.50: contradicted"), "{rust}");
    assert!(py.contains("asyncio cores busy 1.00 < 1.50, and to_thread cores busy 1.00 < 1.50: confirmed"), "{py}");
    assert!(py.contains("has a GIL"), "{py}");
    // A free-threaded CPython whose to_thread used both cores: the claim is refined, by the numbers.
    put(&mut r, "python to_thread", "cores_busy", 1.9);
    r.machine.python_gil = Some(false);
    put(&mut r, "tokio multi_thread", "cores_busy", 1.0);
    assert_eq!(verdicts(&r, "1.6"), (Confirmed, Refined));
    assert!(evidence(&r, "1.6").1.contains("free-threaded"));
    put(&mut r, "python asyncio", "cores_busy", 1.9);
    assert_eq!(verdicts(&r, "1.6").1, Contradicted);
}

#[test]
fn without_python_every_python_verdict_is_not_measured() {
    let r = without_python(quiet());
    assert_only_python_not_measured(&judged(&r));
    // A result whose twin ran but lacks a series the rule needs: not measured, saying which.
    let mut r = quiet();
    r.series.retain(|s| s.name != "python asyncio yield");
    let (_, py) = evidence(&r, "1.2");
    assert!(py.contains("no series `python asyncio yield`"), "{py}");
    // And one a Rust rule needs: not measured for Rust, not an error.
    r.series.retain(|s| s.name != "tokio yield_now");
    assert_eq!(verdicts(&r, "1.2").0, NotMeasured);
    assert!(evidence(&r, "1.2").0.contains("no series `tokio yield_now`"));
}
