//! Question 1's rules on synthetic results: each claim reaches at least two verdicts from the numbers alone.

use super::*;
use crate::judging::fixture::{assert_only_python_not_measured, on_cores, result, set, without_python};
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
fn rule_1_1_async_tasks_beside_the_same_threads_once_the_cores_were_there() {
    let mut r = quiet();
    // Rust's multi-threaded runtime used both cores, as rayon did: the threads' parallelism. Python's loop: one core.
    assert_eq!(verdicts(&r, "1.1"), (Refined, Confirmed));
    let (rust, py) = evidence(&r, "1.1");
    assert!(
        rust.starts_with(
            "with rayon at 1.95 cores busy, the cores busy of tokio multi_thread / rayon (1.95 / 1.95) (and tokio \
             current_thread 1.00 against sequential 1.00) 1.00x < 1.25x, and the busiest async run's cores busy \
             1.95 >= 1.5: refined"
        ),
        "{rust}"
    );
    assert!(rust.contains("tokio's multi-threaded runtime ran them on its worker threads"), "{rust}");
    assert!(py.starts_with("with python processes at 1.95 cores busy, the cores busy of asyncio / sequential"), "{py}");
    assert!(py.contains("1.00x < 1.25x, and the busiest async run's cores busy 1.00 < 1.5: confirmed"), "{py}");
    // A multi-threaded runtime that kept one core: confirmed too.
    put(&mut r, "tokio multi_thread", "cores_busy", 1.0);
    assert_eq!(verdicts(&r, "1.1").0, Confirmed);
    // Async on one loop keeping two cores busy would contradict it.
    put(&mut r, "tokio current_thread", "cores_busy", 1.9);
    put(&mut r, "python asyncio", "cores_busy", 1.9);
    assert_eq!(verdicts(&r, "1.1"), (Contradicted, Contradicted));
    // Near the line: not a clear outcome.
    put(&mut r, "tokio current_thread", "cores_busy", 1.2);
    assert_eq!(verdicts(&r, "1.1").0, Refined);
    assert!(evidence(&r, "1.1").0.contains("within 10% of the line"));
    // No cores to spare on this run (the pools kept one core busy too): not measured.
    let mut r = quiet();
    put(&mut r, "rayon", "cores_busy", 1.0);
    put(&mut r, "python processes", "cores_busy", 1.0);
    assert_eq!(verdicts(&r, "1.1"), (NotMeasured, NotMeasured));
    assert!(evidence(&r, "1.1").0.contains("no cores to spare"));
}

#[test]
fn rules_1_1_and_1_6_rest_on_one_number_and_need_two_cores() {
    for cores in [1, 2, 16, 64] {
        let mut r = on_cores(quiet(), cores);
        // On 16 or 64 cores the pools keep more busy; what the rule reads is against them.
        let all = (cores as f64 * 0.97).max(1.0);
        for name in ["tokio multi_thread", "rayon", "python processes"] {
            put(&mut r, name, "cores_busy", all);
        }
        for id in ["1.1", "1.6"] {
            let (rust, py) = verdicts(&r, id);
            if cores < 2 {
                assert_eq!((rust, py), (NotMeasured, NotMeasured), "{id} on {cores} core");
                assert!(evidence(&r, id).0.contains("one core cannot show parallelism either way"), "{id}");
            } else {
                assert_eq!((rust, py), (Refined, Confirmed), "{id} on {cores} cores");
            }
        }
        // Async beating its own threads contradicts both, on any machine that can show it.
        put(&mut r, "tokio multi_thread", "cores_busy", all * 1.5);
        assert_eq!(verdicts(&r, "1.1").0, verdicts(&r, "1.6").0, "{cores} cores");
    }
}

#[test]
fn rule_1_2_yields_free_the_loop_or_the_claim_fails() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "1.2"), (Confirmed, Confirmed));
    let (rust, py) = evidence(&r, "1.2");
    assert!(rust.contains("(800 ms / 4.00 ms) 200x > 10x: confirmed"), "{rust}");
    assert!(py.contains("await asyncio.sleep(0) every 500 µs (800 ms / 5.00 ms) 160x"), "{py}");
    put(&mut r, "tokio yield_now", "lag_p99_ms", 400.0);
    put(&mut r, "python asyncio yield", "lag_p99_ms", 700.0);
    assert_eq!(verdicts(&r, "1.2"), (Contradicted, Contradicted));
    assert!(evidence(&r, "1.2").0.contains("2.00x <= 10x: contradicted"));
}

#[test]
fn rule_1_3_the_heartbeat_waits_at_least_one_job_or_control_left_without_await() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "1.3"), (Confirmed, Confirmed));
    assert!(evidence(&r, "1.3").0.contains("(800 ms / 100 ms) 8.00x > 1x: confirmed"));
    put(&mut r, "tokio current_thread", "lag_max_ms", 20.0);
    put(&mut r, "python asyncio", "lag_max_ms", 20.0);
    assert_eq!(verdicts(&r, "1.3"), (Contradicted, Contradicted));
    assert!(evidence(&r, "1.3").1.contains("(20.0 ms / 100 ms) 0.200x <= 1x: contradicted"));
}

#[test]
fn rule_1_4_cpu_bound_code_can_have_await_points_that_free_the_loop() {
    let mut r = quiet();
    // With an await every 500 µs the jobs still computed all the time (1.00 cores busy): refined.
    assert_eq!(verdicts(&r, "1.4"), (Refined, Refined));
    let (rust, py) = evidence(&r, "1.4");
    assert!(
        rust.starts_with("tokio yield_now (yield_now().await every 500 µs): cores busy 1.00 >= 0.9: refined"),
        "{rust}"
    );
    assert!(rust.contains("CPU-bound code can have await points") && rust.contains("800 ms"), "{rust}");
    assert!(py.contains("await asyncio.sleep(0) every 500 µs"), "{py}");
    // Await points that made the jobs wait instead of compute: the claim stands.
    put(&mut r, "tokio yield_now", "cores_busy", 0.3);
    assert_eq!(verdicts(&r, "1.4").0, Confirmed);
    // It is not a definition: an await point need not wait.
    let c = crate::claims::catalogue().unwrap().claim("1.4").unwrap();
    assert_eq!(c.kind, crate::claims::Kind::Fact);
}

#[test]
fn rule_1_5_the_loop_is_blocked_by_the_jobs_on_it_and_their_missing_awaits_are_why() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "1.5"), (Confirmed, Confirmed));
    let (rust, py) = evidence(&r, "1.5");
    assert!(rust.contains("on spawn_blocking (800 ms / 2.00 ms) 400x > 10x"), "{rust}");
    assert!(rust.contains("Is it the reason? heartbeat p99 without / with yield_now().await"), "{rust}");
    assert!(py.contains("on processes (800 ms / 2.00 ms)"), "{py}");
    // Blocked, but await points did not free it: true, and not for the reason given.
    put(&mut r, "tokio yield_now", "lag_p99_ms", 400.0);
    put(&mut r, "python asyncio yield", "lag_p99_ms", 700.0);
    assert_eq!(verdicts(&r, "1.5"), (Refined, Refined));
    assert!(evidence(&r, "1.5")
        .0
        .ends_with("Not the missing awaits: with await points added the loop stayed blocked."));
    // Handing off changed nothing: the loop was held by something else.
    put(&mut r, "spawn_blocking", "lag_p99_ms", 600.0);
    put(&mut r, "python processes", "lag_p99_ms", 400.0);
    assert_eq!(verdicts(&r, "1.5"), (Contradicted, Contradicted));
}

#[test]
fn rule_1_6_python_names_its_threads_beside_the_shared_rule() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "1.6"), (Refined, Confirmed));
    let (rust, py) = evidence(&r, "1.6");
    assert!(rust.contains("the cores busy of tokio multi_thread / rayon (1.95 / 1.95)"), "{rust}");
    assert!(py.contains("asyncio.to_thread's threads, threads rather than coroutines, kept 1.00 cores busy. This CPython has a GIL."), "{py}");
    assert!(py.contains("The I/O half, concurrency for waiting, is notebook 07's (7.2)."), "{py}");
    // A free-threaded CPython whose to_thread used both cores: threads, not async; the verdict stays.
    put(&mut r, "python to_thread", "cores_busy", 1.9);
    r.machine.python_gil = Some(false);
    assert_eq!(verdicts(&r, "1.6"), (Refined, Confirmed));
    assert!(evidence(&r, "1.6").1.contains("kept 1.90 cores busy. This CPython is free-threaded"));
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
