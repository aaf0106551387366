//! q5's rules on synthetic results: each claim reaches at least two verdicts from the numbers alone.

use super::*;
use crate::judging::fixture::{self, assert_only_python_not_measured, result, set, verdicts, without_python};
use crate::result::Verdict::*;

/// Sets one runtime's result at `lat` ms as a run of `runtime_s` would write it (runtime, error, residual).
fn put(r: &mut LabResult, name: &str, p: &Params, lat: u64, runtime_s: f64) {
    let x = lat as f64;
    let f = notes_s(p.tasks, p.limit, lat);
    set(r, name, "latency_ms", "runtime_s", x, runtime_s);
    set(r, name, "latency_ms", "error_pct", x, (runtime_s / f - 1.0) * 100.0);
    set(r, name, "latency_ms", "residual_ms", x, (runtime_s - ideal_s(p.tasks, p.limit, lat)) * 1000.0);
}

/// The wave sweep of one runtime: excess = `per_run` + `per_wave` x waves, in ms.
fn put_waves(r: &mut LabResult, name: &str, p: &Params, per_run: f64, per_wave: f64) {
    r.series.retain(|s| !(s.name == name && s.y == "wave_residual_ms"));
    for w in p.wave_counts() {
        set(r, name, "waves", "wave_residual_ms", w as f64, per_run + per_wave * w as f64);
    }
}

/// A run like the defaults: each wave of 100 tasks lasts its sleep plus a few ms (more in asyncio). In the wave
/// sweep tokio pays mostly per wave (its timer rounds each deadline up), asyncio mostly per run.
fn run_of(p: &Params) -> LabResult {
    let mut r = result("q5", serde_json::to_value(p).unwrap());
    let waves = p.tasks.div_ceil(p.limit) as f64;
    for (name, overhead_ms) in [("tokio", 2.0), ("python", 4.0)] {
        for &lat in &p.latencies_ms {
            put(&mut r, name, p, lat, waves * (lat as f64 + overhead_ms) / 1000.0);
        }
    }
    put_waves(&mut r, "tokio", p, 1.0, 1.2);
    put_waves(&mut r, "python", p, 40.0, 0.3);
    r
}

fn run() -> LabResult {
    run_of(&Params::default())
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
    assert_eq!(verdicts(&judged(&r, "5.1")), (Confirmed, Confirmed));
    assert_eq!(verdicts(&judged(&r, "5.2")), (Refined, Refined));
    assert_eq!(verdicts(&judged(&r, "5.3")), (Confirmed, Confirmed));
    assert_eq!(verdicts(&judged(&r, "5.4")), (Confirmed, Confirmed));
}

#[test]
fn rule_5_1_the_added_sleep_reaches_the_runtime() {
    let p = Params::default();
    let mut r = run();
    let c = judged(&r, "5.1");
    let e = &c.rust.evidence;
    assert!(e.contains("tokio took 120.0 ms at 10 ms and 10.02 s at 1000 ms: the added 9.900 s over the added sleep, 10 waves x 990 ms = 9.900 s, 1.00x > 0.5x: confirmed"), "{e}");
    put(&mut r, "python", &p, 1000, 2.0);
    assert_eq!(verdicts(&judged(&r, "5.1")), (Confirmed, Contradicted));
    let one = Params { latencies_ms: vec![1000], ..Params::default() };
    assert_eq!(verdicts(&judged_by(&one, &run_of(&one), "5.1")), (NotMeasured, NotMeasured));
}

#[test]
fn rule_5_2_the_formula_within_5_percent_at_the_longest_sleep_and_everywhere() {
    let p = Params::default();
    let mut r = run();
    let c = judged(&r, "5.2");
    let e = &c.rust.evidence;
    assert!(e.contains("tokio at 1000 ms: |measured / formula - 1| 0.200% < 5%, and the worst of the sweep, at 10 ms 20.0% >= 5%: refined"), "{e}");
    assert!(e.contains("leaves out a cost (20.0 ms over ceil(N / c) x latency at 10 ms)"), "{e}");
    // A sweep of long sleeps only: within 5% everywhere.
    let long = Params { latencies_ms: vec![500, 1000], ..Params::default() };
    assert_eq!(verdicts(&judged_by(&long, &run_of(&long), "5.2")), (Confirmed, Confirmed));
    // Off at the longest sleep: contradicted, and a limit that does not divide N says why.
    put(&mut r, "tokio", &p, 1000, 13.0);
    assert_eq!(judged(&r, "5.2").rust.verdict, Contradicted);
    let odd = Params { limit: 300, ..Params::default() };
    let c = judged_by(&odd, &run_of(&odd), "5.2");
    assert_eq!(verdicts(&c), (Contradicted, Contradicted));
    assert!(
        c.rust.evidence.contains("N / concurrency = 3.33 is not whole: the run takes ceil = 4 waves"),
        "{}",
        c.rust.evidence
    );
}

#[test]
fn rule_5_2_the_wave_sweep_tells_a_cost_per_wave_from_one_per_run() {
    let p = Params::default();
    let mut r = run();
    let c = judged(&r, "5.2");
    let e = &c.rust.evidence;
    assert!(
        e.contains(
            "tokio at 10 ms, 1 to 100 waves: excess = 1.00 ms per run + 1.200 ms x waves; at the notes' 10 waves \
             the per-wave part (12.00 ms of 13.00 ms) is a share of 92.3% > 50%: mostly per wave. Each wave lasts \
             longer than its sleep: the model that holds is ceil(N / c) x (latency + 1.20 ms)."
        ),
        "{e}"
    );
    let e = &c.python.evidence;
    assert!(e.contains("(3.00 ms of 43.00 ms) is a share of 6.98% <= 50%: mostly per run."), "{e}");
    assert!(e.contains("ceil(N / c) x latency + 40.0 ms"), "{e}");
    // Near the line: said so. A negative part counts as zero.
    put_waves(&mut r, "tokio", &p, 11.0, 1.2);
    assert!(judged(&r, "5.2").rust.evidence.contains("mostly per wave (near the line: both parts matter)"));
    put_waves(&mut r, "tokio", &p, -2.0, 0.5);
    assert!(judged(&r, "5.2").rust.evidence.contains("(5.00 ms of 5.00 ms) is a share of 100% > 50%"));
    put_waves(&mut r, "tokio", &p, -2.0, -0.1);
    assert!(judged(&r, "5.2").rust.evidence.contains("no excess to split"));
    // No wave sweep in the result, or one wave count: said, the verdict unchanged.
    r.series.retain(|s| s.y != "wave_residual_ms");
    let c = judged(&r, "5.2");
    assert_eq!(verdicts(&c), (Refined, Refined));
    assert!(c.rust.evidence.contains("no wave sweep (waves: [])"), "{}", c.rust.evidence);
    set(&mut r, "tokio", "waves", "wave_residual_ms", 10.0, 5.0);
    assert!(judged(&r, "5.2").rust.evidence.contains("one wave count only"));
}

#[test]
fn the_wave_sweep_is_validated_and_fitted() {
    let bad = |waves: Vec<u64>| Params { waves, ..Params::default() }.validate().unwrap_err().message;
    assert!(bad(vec![0, 10]).contains("each of waves must be between 1 and 1000; got 0"));
    assert!(bad(vec![10, 2000]).contains("got 2000"));
    assert!(bad(vec![10, 10]).contains("at least two different wave counts"), "{}", bad(vec![10, 10]));
    assert!(Params { waves: vec![], ..Params::default() }.validate().is_ok());
    let p = Params { wave_latency_ms: 0, ..Params::default() };
    assert!(p.validate().unwrap_err().message.contains("wave_latency_ms must be between 1 and 60000; got 0"));
    // 1000 tasks in 3 waves: limit 334, and 1000 / 334 does take 3 waves.
    assert_eq!((Params::default().limit_for(3), Params::default().wave_counts()), (334, vec![1, 10, 20, 50, 100]));
    let (a, b) = fit(&[[1.0, 3.0], [10.0, 12.0], [100.0, 102.0]]).unwrap();
    assert!((a - 2.0).abs() < 1e-9 && (b - 1.0).abs() < 1e-9, "{a} {b}");
    assert_eq!(fit(&[[10.0, 1.0], [10.0, 2.0]]), None);
}

#[test]
fn rule_5_3_no_run_beats_its_waves_of_sleep() {
    let p = Params::default();
    let mut r = run();
    let c = judged(&r, "5.3");
    assert!(c.rust.evidence.contains("tokio's closest run to ceil(N / c) x latency, at 1000 ms (10.02 s against 10.00 s): measured / model - 1 +0.200% > -1%: confirmed"), "{}", c.rust.evidence);
    put(&mut r, "tokio", &p, 500, 4.0);
    let c = judged(&r, "5.3");
    assert_eq!(verdicts(&c), (Contradicted, Confirmed));
    assert!(c.rust.evidence.contains("-20.0% <= -1%: contradicted"), "{}", c.rust.evidence);
}

#[test]
fn rule_5_4_overlap_is_sleeps_in_flight_against_the_permits() {
    let p = Params::default();
    let mut r = run();
    let c = judged(&r, "5.4");
    assert!(c.rust.evidence.contains("tokio at 1000 ms: 1000 sleeps back to back would take 1000.00 s, the run took 10.02 s: sleeps in flight on average 99.8 > 1.5, and as a share of the 100 permits 99.8% > 50%: confirmed"), "{}", c.rust.evidence);
    put(&mut r, "python", &p, 1000, 30.0);
    assert_eq!(judged(&r, "5.4").python.verdict, Refined);
    // One permit: the sleeps cannot overlap.
    let serial = Params { limit: 1, tasks: 20, ..Params::default() };
    assert_eq!(verdicts(&judged_by(&serial, &run_of(&serial), "5.4")), (Contradicted, Contradicted));
}

#[test]
fn without_the_twin_every_python_verdict_is_not_measured() {
    let r = without_python(run());
    assert_only_python_not_measured(&claims(&Params::default(), &r).unwrap());
}
