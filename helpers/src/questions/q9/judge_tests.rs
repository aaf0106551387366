//! Question 9's rules on synthetic results: each claim reaches at least two verdicts from the numbers alone.

use super::*;
use crate::judging::fixture::{assert_only_python_not_measured, result, set, without_python};
use crate::result::Verdict::{self, *};

/// A result like this machine's default run: 1,000 and 50,000 sleeping tasks in both languages, then 50,000
/// requests at once under an open-files limit of 1,024, without a limit and with 500; the run under a raised limit
/// skipped (the hard limit of 20,000 could not be raised: no CAP_SYS_RESOURCE); the offered-load sweep at 0.5, 1, 2
/// and 4 times a capacity of 200 requests a second.
fn sample() -> LabResult {
    let mut r = result("q9", serde_json::json!({}));
    r.machine.memory_bytes = 24u64 << 30;
    for (name, at_lo, at_n) in [
        // wall, peak MiB, lateness p50/p99/max, lag p99, gc passes (gen 0/1/2)
        ("tokio", [0.10, 6.0, 0.9, 1.1, 1.2, 2.5, 0.0, 0.0, 0.0], [0.15, 27.0, 2.2, 12.6, 25.5, 5.6, 0.0, 0.0, 0.0]),
        (
            "python",
            [0.12, 24.0, 0.8, 1.5, 1.5, 6.1, 15.0, 2.0, 0.0],
            [2.4, 105.0, 2478.0, 3248.0, 3253.0, 1741.0, 910.0, 83.0, 7.0],
        ),
    ] {
        let ys = ["wall_s", "peak_rss_mb", "lateness_p50_ms", "lateness_p99_ms", "lateness_max_ms", "lag_p99_ms"];
        let gc = ["gc_gen0", "gc_gen1", "gc_gen2"];
        for (x, vals) in [(1_000.0, at_lo), (50_000.0, at_n)] {
            for (y, v) in ys.iter().chain(if name == "python" { &gc[..] } else { &[] }).zip(vals) {
                set(&mut r, name, "tasks", y, x, v);
            }
            set(&mut r, name, "tasks", "peak_reset", x, 1.0);
        }
    }
    set(&mut r, "tokio", "tasks", "bytes_per_task", 50_000.0, 272.0);
    // Time collecting and the longest pause: 660 ms of the 2.4 s run at 50,000 tasks.
    for (x, ms, pause) in [(1_000.0, 1.6, 0.6), (50_000.0, 660.0, 144.0)] {
        set(&mut r, "python", "tasks", "gc_ms", x, ms);
        set(&mut r, "python", "tasks", "gc_max_pause_ms", x, pause);
    }
    for (name, free, bounded) in [
        // ok, timeouts, conn_errors, emfile, addr_not_avail, nofile, cpu_busy, peak_fds
        (
            "tokio",
            [5_211.0, 0.0, 0.0, 44_789.0, 0.0, 1024.0, 0.75, 1024.0],
            [50_000.0, 0.0, 0.0, 0.0, 0.0, 1024.0, 0.7, 510.0],
        ),
        (
            "python",
            [0.0, 1_016.0, 0.0, 48_984.0, 0.0, 1024.0, 0.54, -1.0],
            [50_000.0, 0.0, 0.0, 0.0, 0.0, 1024.0, 0.8, -1.0],
        ),
    ] {
        let ys = ["ok", "timeouts", "conn_errors", "emfile", "addr_not_avail", "nofile", "client_cpu_busy", "peak_fds"];
        for (x, vals) in [(0.0, free), (500.0, bounded)] {
            for (y, v) in ys.iter().zip(vals).filter(|(_, v)| *v >= 0.0) {
                set(&mut r, name, "limit", y, x, v);
            }
        }
    }
    set(&mut r, "tokio", "limit", "ephemeral_ports", 0.0, 28_232.0);
    for name in ["tokio", "python"] {
        for (y, v) in [("nofile", 20_000.0), ("nofile_wanted", 51_024.0), ("nofile_refused", 1.0)] {
            set(&mut r, name, "limit", y, RAISED, v);
        }
        // offered, goodput, kept, served, served to clients gone, attempts a second
        for [x, good, kept, served, wasted, attempts] in [
            [100.0, 99.0, 100.0, 99.0, 0.0, 99.0],
            [200.0, 176.0, 200.0, 176.0, 0.0, 176.0],
            [400.0, 43.0, 400.0, 177.0, 134.0, 672.0],
            [800.0, 31.0, 799.0, 176.0, 144.0, 1301.0],
        ] {
            for (y, v) in [
                ("goodput_per_s", good),
                ("offered_kept_per_s", kept),
                ("server_served_per_s", served),
                ("server_wasted_per_s", wasted),
                ("attempts_per_s", attempts),
            ] {
                set(&mut r, name, "offered_per_s", y, x, v);
            }
        }
    }
    r
}

fn judge(r: &LabResult) -> Vec<Claim> {
    let p: Params = serde_json::from_value(r.params.clone()).unwrap();
    claims(&p, r).unwrap()
}

/// The Rust and Python findings of claim `id`.
fn of(r: &LabResult, id: &str) -> (Finding, Finding) {
    let c = judge(r).into_iter().find(|c| c.id == id).unwrap();
    (c.rust, c.python)
}

fn verdicts(r: &LabResult, id: &str) -> (Verdict, Verdict) {
    let (rust, py) = of(r, id);
    (rust.verdict, py.verdict)
}

fn says(f: &Finding, parts: &[&str]) {
    for part in parts {
        assert!(f.evidence.contains(part), "{part:?} not in: {}", f.evidence);
    }
}

#[test]
fn every_claim_is_judged_and_the_headline_names_the_numbers() {
    let r = sample();
    let ids: Vec<String> = judge(&r).into_iter().map(|c| c.id).collect();
    assert_eq!(ids, ["9.1", "9.2", "9.3", "9.4", "9.5", "9.6", "9.7", "9.8"]);
    let h = headline(&Params::default(), &r).unwrap();
    assert!(h.starts_with("50000 tasks sleeping 100 ms: tokio done in 150.0 ms at 27 MiB peak, Python 105 MiB"), "{h}");
}

#[test]
fn memory_growth_is_massive_only_as_a_share_of_the_machine() {
    let mut r = sample();
    let (rust, py) = of(&r, "9.1");
    assert_eq!((rust.verdict, py.verdict), (Refined, Refined));
    says(&rust, &["peak RSS (since reset) growth from 1000 to 50000 tasks, 21.0 MiB", "24.0 GiB 0.0854% <= 10%"]);
    says(&py, &["81.0 MiB", "0.330% <= 10%: refined"]);
    r.machine.memory_bytes = 512u64 << 20;
    let (rust, py) = of(&r, "9.1");
    assert_eq!((rust.verdict, py.verdict), (Refined, Confirmed));
    says(&rust, &["4.10% <= 10%"]);
    says(&py, &["15.8% > 10%: confirmed"]);
}

#[test]
fn gc_cycles_are_python_s_and_must_grow_with_the_tasks_then_take_a_real_share_of_the_run() {
    let mut r = sample();
    let (rust, py) = of(&r, "9.2");
    assert_eq!((rust.verdict, py.verdict), (DoesNotApply, Confirmed));
    says(&rust, &["no garbage collector", "272 heap bytes a task at 50000 tasks"]);
    says(
        &py,
        &[
            "collector passes 1000 at 50000 tasks / 17 at 1000",
            "58.8x > 3x, and time collecting 660 ms of the 2.400 s run at 50000 tasks 27.5% > 5%: confirmed",
            "a generation-0 pass every 700 net new",
            "The longest pause, every task on the loop waiting through it: 144 ms at 50000 tasks, 0.600 ms at 1000",
        ],
    );
    // Passes that grew, but cost little: refined, the growth being CPython's own arithmetic.
    set(&mut r, "python", "tasks", "gc_ms", 50_000.0, 48.0);
    let (_, py) = of(&r, "9.2");
    assert_eq!(py.verdict, Refined);
    says(&py, &["48.0 ms of the 2.400 s run at 50000 tasks 2.00% <= 5%: refined", "by CPython's own rule"]);
    set(&mut r, "python", "tasks", "gc_ms", 50_000.0, 125.0);
    assert_eq!(verdicts(&r, "9.2").1, Refined, "5.2% is within 10% of 5%");
    // Passes that did not grow: contradicted, whatever they cost.
    for y in ["gc_gen0", "gc_gen1", "gc_gen2"] {
        set(&mut r, "python", "tasks", y, 50_000.0, 10.0);
    }
    set(&mut r, "python", "tasks", "gc_ms", 50_000.0, 660.0);
    let (_, py) = of(&r, "9.2");
    assert_eq!(py.verdict, Contradicted);
    says(&py, &["30 at 50000 tasks / 17 at 1000", "1.76x <= 3x: contradicted"]);
    // A result from before the collector was timed: not measured, saying what it lacks.
    r.series.retain(|s| s.y != "gc_ms");
    let (_, py) = of(&r, "9.2");
    assert_eq!(py.verdict, NotMeasured);
    says(&py, &["gc_ms"]);
}

#[test]
fn the_queue_is_longer_when_the_last_sleeper_wakes_later() {
    let mut r = sample();
    let (rust, py) = of(&r, "9.3");
    assert_eq!((rust.verdict, py.verdict), (Confirmed, Confirmed));
    says(&rust, &["last sleeper woke after the median one by 23.3 ms at 50000 tasks / 0.300 ms at 1000", "77.7x > 3x"]);
    // The last woke 0.6 ms after the median: 2x, a queue that drained about as fast as with few tasks.
    set(&mut r, "tokio", "tasks", "lateness_max_ms", 50_000.0, 2.8);
    let (rust, _) = of(&r, "9.3");
    assert_eq!(rust.verdict, Contradicted);
    says(&rust, &["0.600 ms at 50000 tasks", "2.00x <= 3x: contradicted"]);
    set(&mut r, "tokio", "tasks", "lateness_max_ms", 50_000.0, 3.1);
    assert_eq!(verdicts(&r, "9.3").0, Refined, "3.0x is within 10% of 3x");
}

#[test]
fn latency_variance_is_the_spread_of_lateness() {
    let mut r = sample();
    let (rust, py) = of(&r, "9.4");
    assert_eq!((rust.verdict, py.verdict), (Confirmed, Confirmed));
    says(&rust, &["p99 - p50: 10.4 ms at 50000 tasks / 0.200 ms at 1000 (at least 0.1 ms) = 52.0x > 3x"]);
    set(&mut r, "python", "tasks", "lateness_p99_ms", 50_000.0, 2478.5);
    let (_, py) = of(&r, "9.4");
    assert_eq!(py.verdict, Contradicted);
    says(&py, &["0.500 ms at 50000 tasks / 0.700 ms at 1000", "0.714x <= 3x: contradicted"]);
}

#[test]
fn loop_lag_must_grow_beyond_the_timers_millisecond_then_pass_a_tenth_of_the_sleep() {
    let mut r = sample();
    let (rust, py) = of(&r, "9.6");
    // tokio: 2.5 -> 5.6 ms is 1.5 -> 4.6 ms beyond the timer's 1 ms, grown 3x, but under a tenth of the sleep.
    assert_eq!((rust.verdict, py.verdict), (Refined, Confirmed));
    says(&rust, &["beyond the timer's 1 ms, 4.60 ms at 50000 tasks / 1.50 ms at 1000 (at least 0.1 ms) = 3.07x > 3x"]);
    says(&rust, &["5.60 ms <= 10 ms: refined", "measurable, not a stall"]);
    says(&py, &["> 3x, and against a tenth of the tasks' 100 ms sleep 1741 ms > 10 ms: confirmed"]);
    // A lag that did not grow beyond the timer: contradicted.
    set(&mut r, "tokio", "tasks", "lag_p99_ms", 50_000.0, 3.0);
    assert_eq!(verdicts(&r, "9.6").0, Contradicted);
    set(&mut r, "tokio", "tasks", "lag_p99_ms", 50_000.0, 150.0);
    assert_eq!(verdicts(&r, "9.6").0, Confirmed);
    // The line follows the tasks' own sleep, a parameter.
    r.params = serde_json::json!({"latency_ms": 2000});
    assert_eq!(verdicts(&r, "9.6").0, Refined);
}

#[test]
fn without_python_every_python_verdict_is_not_measured() {
    let r = without_python(raised(sample()));
    assert_only_python_not_measured(&judge(&r));
}

#[test]
fn one_task_count_or_a_skipped_server_mode_is_not_measured() {
    let mut r = sample();
    for s in r.series.iter_mut().filter(|s| s.x == "tasks") {
        s.points.retain(|p| p[0] == 50_000.0);
    }
    let (rust, _) = of(&r, "9.1");
    assert_eq!(rust.verdict, NotMeasured);
    says(&rust, &["fewer than two task counts"]);
    r.params = serde_json::json!({"server_tasks": 0});
    for id in ["9.5", "9.7"] {
        assert_eq!(verdicts(&r, id), (NotMeasured, NotMeasured), "{id}");
    }
    // The sweep runs without the server mode, and judges the collapse.
    assert_eq!(verdicts(&r, "9.8"), (Confirmed, Confirmed));
}

#[test]
fn a_refused_peak_reset_leaves_the_memory_unmeasured_and_an_older_result_says_it_was_not_recorded() {
    let mut r = sample();
    // Where the kernel refused the reset, the peak at 50,000 tasks is the process's lifetime peak.
    set(&mut r, "python", "tasks", "peak_reset", 50_000.0, 0.0);
    let (rust, py) = of(&r, "9.1");
    assert_eq!((rust.verdict, py.verdict), (Refined, NotMeasured));
    says(&py, &["refused the peak reset before the python run at tasks 50000 (peak_reset 0)", "81.0 MiB"]);
    says(
        &of(&raised(r.clone()), "9.7").1,
        &["Memory at 50000 sleeping tasks: not measured, the peak reset was refused."],
    );
    // A result from before the reset was recorded: judged as before, saying so.
    r.series.retain(|s| s.y != "peak_reset");
    let (rust, py) = of(&r, "9.1");
    assert_eq!((rust.verdict, py.verdict), (Refined, Refined));
    says(&rust, &["peak RSS (reset not recorded) growth from 1000 to 50000 tasks"]);
    says(&of(&raised(r.clone()), "9.7").0, &["Memory: peak RSS (reset not recorded) 27.0 MiB at 50000"]);
}

/// The same result with a run under an open-files limit raised above the requests sent (what a machine that lets
/// the lab raise its hard limit gives): the ports run out first, 28,000 EADDRNOTAVAIL.
fn raised(mut r: LabResult) -> LabResult {
    for (name, busy) in [("tokio", 1.1), ("python", 0.9)] {
        for (y, v) in [
            ("nofile", 65_536.0),
            ("nofile_refused", 0.0),
            ("ok", 2_000.0),
            ("timeouts", 20_000.0),
            ("conn_errors", 0.0),
            ("emfile", 0.0),
            ("addr_not_avail", 28_000.0),
            ("client_cpu_busy", busy),
            ("peak_fds", 28_300.0),
            ("ephemeral_ports", 28_232.0),
        ] {
            set(&mut r, name, "limit", y, RAISED, v);
        }
    }
    r
}

#[path = "judge_tests_server.rs"]
mod server;
