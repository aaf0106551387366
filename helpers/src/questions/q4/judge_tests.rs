//! q4's rules on synthetic results: each claim reaches at least two verdicts from the numbers alone.

use super::*;
use crate::judging::fixture::{self, assert_only_python_not_measured, result, set, verdicts, without_python};
use crate::result::Verdict::*;
use serde_json::json;

/// One client run's numbers, in series order: latency from submission (p50, p99) and service time.
#[derive(Clone, Copy)]
struct Run {
    ok: f64,
    timeouts: f64,
    emfile: f64,
    p50: f64,
    p99: f64,
    /// The answered requests' latency from submission.
    answered_p50: f64,
    answered_p99: f64,
    service_p50: f64,
    service_p99: f64,
    fds: f64,
    rss: f64,
    queue: f64,
    nofile: f64,
    /// Answers received per second of the server's time on the run, and requests served for clients gone.
    goodput: f64,
    gone: f64,
    /// Of those, the ones whose client had gone before a pool connection came free.
    starved: f64,
}

/// Limit 50 against a pool of 50: from submission, each request waits for a permit through the rounds before it.
const BOUNDED: Run = Run {
    ok: 1000.0,
    timeouts: 0.0,
    emfile: 0.0,
    p50: 226.0,
    p99: 447.0,
    answered_p50: 226.0,
    answered_p99: 447.0,
    service_p50: 22.0,
    service_p99: 27.0,
    fds: 60.0,
    rss: 7.2,
    queue: 1.0,
    nofile: 20_000.0,
    goodput: 2200.0,
    gone: 0.0,
    starved: 0.0,
};

fn put(r: &mut LabResult, name: &str, x: f64, run: Run) {
    let ys = [
        ("ok", run.ok),
        ("timeouts", run.timeouts),
        ("rejected", 0.0),
        ("conn_errors", 0.0),
        ("emfile", run.emfile),
        ("addr_not_avail", 0.0),
        ("from_submit_p50_ms", run.p50),
        ("from_submit_p99_ms", run.p99),
        ("from_submit_max_ms", run.p99),
        ("answered_p50_ms", run.answered_p50),
        ("answered_p99_ms", run.answered_p99),
        ("answered_max_ms", run.answered_p99),
        ("service_p50_ms", run.service_p50),
        ("service_p99_ms", run.service_p99),
        ("service_max_ms", run.service_p99),
        ("peak_fds", run.fds),
        ("peak_rss_mb", run.rss),
        ("peak_reset", 1.0),
        ("wall_s", 0.5),
        ("server_max_queue", run.queue),
        ("server_max_open", run.fds),
        ("nofile_in_force", run.nofile),
        ("goodput_per_s", run.goodput),
        ("server_served_gone", run.gone),
        ("server_starved", run.starved),
        ("server_wasted_s", run.gone * 0.02),
        ("server_useful_s", 20.0 - run.gone * 0.02),
        ("server_span_s", run.ok / run.goodput),
        ("memory_stall_ms", 0.0),
    ];
    for (y, v) in ys {
        set(r, name, "limit", y, x, v);
    }
}

/// What the notes' own program reported (`q4_client.py --variant gather`) in its run at `x` (0: no limit, -1: under
/// the lowered open-files limit).
fn put_gather(r: &mut LabResult, name: &str, x: f64, raised: f64, error: f64, errno: f64, unfinished: f64) {
    let ys = [
        ("gather_raised", raised),
        ("gather_error", error),
        ("gather_errno", errno),
        ("gather_after_ms", 272.0),
        ("gather_unfinished", unfinished),
        ("gather_answered", 400.0),
        ("gather_left_running", 0.0),
    ];
    for (y, v) in ys {
        set(r, name, "limit", y, x, v);
    }
}

/// A run like the defaults: no trouble behind a limit, a long server queue and timeouts without one, EMFILE under
/// the lowered open-files limit. asyncio's client lets three in four unlimited requests time out, as it does here,
/// and the notes' program raised a timeout with requests in flight in both languages.
fn run() -> LabResult {
    let mut r = result("q4", json!({}));
    r.machine.memory_bytes = 24 << 30;
    for (name, rss) in [("tokio", 7.2), ("python", 24.3)] {
        let bounded = Run { rss, ..BOUNDED };
        for l in [10.0, 50.0, 100.0, 200.0] {
            put(&mut r, name, l, bounded);
        }
        let unlimited = Run {
            ok: 600.0,
            timeouts: 400.0,
            p50: 221.0,
            p99: 296.0,
            answered_p50: 131.0,
            answered_p99: 257.0,
            service_p50: 134.0,
            service_p99: 242.0,
            fds: 900.0,
            queue: 800.0,
            goodput: 1400.0,
            gone: 400.0,
            starved: 380.0,
            ..bounded
        };
        put(&mut r, name, 1000.0, Run { rss: rss * 1.9, ..unlimited });
        put(&mut r, name, 0.0, Run { rss: rss * 1.9, ..unlimited });
        let nofile =
            Run { ok: 247.0, emfile: 753.0, p50: 70.0, p99: 115.0, fds: 256.0, queue: 197.0, nofile: 256.0, ..bounded };
        put(&mut r, name, -1.0, nofile);
    }
    let asyncio = Run {
        ok: 250.0,
        timeouts: 750.0,
        p50: 278.0,
        p99: 285.0,
        answered_p50: 212.0,
        answered_p99: 254.0,
        service_p50: 208.0,
        service_p99: 248.0,
        fds: 1009.0,
        rss: 31.6,
        queue: 850.0,
        goodput: 580.0,
        gone: 750.0,
        starved: 700.0,
        ..BOUNDED
    };
    put(&mut r, "python", 0.0, asyncio);
    for name in ["tokio", "python"] {
        put_gather(&mut r, name, 0.0, 1.0, 1.0, 0.0, 343.0);
        put_gather(&mut r, name, -1.0, 1.0, 2.0, 24.0, 248.0);
    }
    r
}

fn judged(r: &LabResult, id: &str) -> Claim {
    fixture::judged(claims, &Params::default(), r, id)
}

/// Changes one number of one client's run.
fn with(r: &mut LabResult, name: &str, x: f64, y: &str, v: f64) {
    set(r, name, "limit", y, x, v);
}

#[test]
fn a_default_like_run_gets_the_verdicts_its_numbers_give() {
    let r = run();
    let want = [
        ("4.1", Confirmed, Confirmed),
        ("4.2", Refined, Refined),
        ("4.3", Refined, Refined),
        ("4.4", Confirmed, Confirmed),
        ("4.5", Confirmed, Confirmed),
        ("4.6", Confirmed, Confirmed),
        ("4.7", Refined, Refined),
        ("4.8", Refined, Refined),
    ];
    for (id, rust, python) in want {
        assert_eq!(verdicts(&judged(&r, id)), (rust, python), "{id}");
    }
}

#[test]
fn rules_4_3_and_4_8_the_answered_requests_latency_with_timeouts_counted_apart() {
    let mut r = run();
    let c = judged(&r, "4.3");
    let e = &c.rust.evidence;
    assert!(
        e.contains(
            "tokio median latency of the answered requests from submission, no limit (131 ms of 600) / limit 50 (226 \
             ms of 1000) 0.580x <= 2x, and their median service time alone (from the permit), 134 ms / 22.0 ms \
             6.09x > 2x: refined"
        ) || e.contains("0.580x <= 2x"),
        "{e}"
    );
    assert!(e.contains("the wait moved rather than grew"), "{e}");
    assert!(e.contains("Counted apart, as failures (4.4): 400 of the 1000 requests timed out no limit"), "{e}");
    let e = &c.python.evidence;
    assert!(e.contains("(212 ms of 250) / limit 50 (226 ms of 1000)"), "{e}");
    let c = judged(&r, "4.8");
    assert!(c.rust.evidence.contains("(257 ms of 600) / limit 50 (447 ms of 1000)"), "{}", c.rust.evidence);
    assert!(c.rust.evidence.contains("no answered request could wait longer"), "{}", c.rust.evidence);
    // Twice the bounded run's wait from submission confirms.
    with(&mut r, "tokio", 0.0, "answered_p50_ms", 600.0);
    with(&mut r, "python", 0.0, "answered_p99_ms", 1000.0);
    let (c3, c8) = (judged(&r, "4.3"), judged(&r, "4.8"));
    assert_eq!((c3.rust.verdict, c8.python.verdict), (Confirmed, Confirmed));
    assert!(c3.rust.evidence.contains("2.65x > 2x: confirmed"), "{}", c3.rust.evidence);
    // Neither the wait nor the service time grew: contradicted.
    with(&mut r, "tokio", 0.0, "service_p99_ms", 30.0);
    assert_eq!(judged(&r, "4.8").rust.verdict, Contradicted);
    // No answer in a run: nothing to compare, the failures are 4.4's.
    with(&mut r, "tokio", 0.0, "ok", 0.0);
    let c = judged(&r, "4.3");
    assert_eq!(c.rust.verdict, NotMeasured);
    assert!(c.rust.evidence.contains("answered none of the requests"), "{}", c.rust.evidence);
    // A result saved before answered latency was measured lacks the series: not measured, not an error.
    r.series.retain(|s| !s.y.starts_with("answered"));
    assert_eq!(verdicts(&judged(&r, "4.8")), (NotMeasured, NotMeasured));
}

#[test]
fn rule_4_4_timeouts_count_when_over_1_in_100_requests() {
    let mut r = run();
    let c = judged(&r, "4.4");
    assert!(c.rust.evidence.contains(
        "tokio timeouts with no limit (400) less those with limit 50 (0), as a share of the 1000 requests 40.0% > 1%"
    ));
    with(&mut r, "tokio", 0.0, "timeouts", 3.0);
    assert_eq!(judged(&r, "4.4").rust.verdict, Contradicted);
}

#[test]
fn rule_4_5_both_languages_run_the_notes_program_at_the_plain_run() {
    let mut r = run();
    let c = judged(&r, "4.5");
    let e = &c.rust.evidence;
    assert!(
        e.contains(
            "The notes' program (every request spawned at once, a JoinSet awaited until the first error, returned \
             with `?`) with no limit: the error that escaped 1 > 0: confirmed. It raised a timeout \
             (tokio::time::error::Elapsed) after 272 ms with 343 requests unfinished: the error escapes gather and \
             ends the program, which exits with an error status (the process is not killed)."
        ),
        "{e}"
    );
    assert!(e.contains("dropping them aborts them"), "{e}");
    assert!(
        e.contains("Under the lab's lowered open-files limit of 256, it raised an io::Error (Too many open files"),
        "{e}"
    );
    let e = &c.python.evidence;
    assert!(
        e.contains("(asyncio.gather without return_exceptions) with no limit: the error that escaped 1 > 0"),
        "{e}"
    );
    assert!(e.contains("It raised TimeoutError after 272 ms") && e.contains("asyncio.run cancels them at exit"), "{e}");
    assert!(!e.contains("abandon"), "{e}");
    // The point is the plain run, fixed before: a raise under the lowered limit alone does not confirm.
    for name in ["tokio", "python"] {
        put_gather(&mut r, name, 0.0, 0.0, 0.0, 0.0, 0.0);
    }
    let c = judged(&r, "4.5");
    assert_eq!(verdicts(&c), (Contradicted, Contradicted));
    assert!(c.python.evidence.contains("escaped 0 <= 0: contradicted. Gather returned"), "{}", c.python.evidence);
    // Still running after its budget: neither outcome.
    put_gather(&mut r, "python", 0.0, 0.0, -1.0, 0.0, 1000.0);
    assert_eq!(judged(&r, "4.5").python.verdict, NotMeasured);
    // A result without the notes' program: not measured, saying so.
    r.series.retain(|s| !s.y.starts_with("gather"));
    let c = judged(&r, "4.5");
    assert_eq!(verdicts(&c), (NotMeasured, NotMeasured));
    assert!(c.rust.evidence.contains("no run of the notes' program"), "{}", c.rust.evidence);
}

#[test]
fn rule_4_7_is_judged_without_a_limit_under_the_limit_in_force_and_the_lowered_run_told() {
    let mut r = run();
    let c = judged(&r, "4.7");
    assert_eq!(verdicts(&c), (Refined, Refined));
    let e = &c.rust.evidence;
    assert!(
        e.contains(
            "tokio with no limit under the open-files limit in force (20000): requests failed with EMFILE 0 <= 0, \
             and peak open descriptors 900 for 1000 requests sent at once, per request 0.900 > 0.5: refined"
        ),
        "{e}"
    );
    assert!(
        e.contains(
            "a soft limit below the requests in flight would bind (the common default is 1024; this process had 20000)"
        ),
        "{e}"
    );
    assert!(e.contains("Under the lab's lowered limit of 256 (set in the lab child only"), "{e}");
    assert!(e.contains("753 requests failed with EMFILE."), "{e}");
    // Descriptors that did not follow the requests in flight (connections shared): contradicted.
    with(&mut r, "python", 0.0, "peak_fds", 60.0);
    assert_eq!(verdicts(&judged(&r, "4.7")).1, Contradicted);
    // EMFILE without a limit, under the limit in force, confirms it.
    with(&mut r, "tokio", 0.0, "emfile", 12.0);
    let c = judged(&r, "4.7");
    assert_eq!(c.rust.verdict, Confirmed);
    assert!(c.rust.evidence.contains("requests failed with EMFILE 12 > 0: confirmed"), "{}", c.rust.evidence);
    // A result made before the limit in force was recorded is not judged on this claim.
    r.series.retain(|s| s.y != "nofile_in_force");
    assert_eq!(verdicts(&judged(&r, "4.7")), (NotMeasured, NotMeasured));
}

#[test]
fn without_a_run_to_compare_the_rules_say_not_measured() {
    let p = Params { limits: vec![None], nofile: None, ..Params::default() };
    for c in claims(&p, &run()).unwrap() {
        // The notes' program needs no run to compare with: it runs whatever the limits.
        let both = if c.id == "4.5" { Confirmed } else { NotMeasured };
        assert_eq!(verdicts(&c), (both, both), "{}", c.id);
    }
}

#[test]
fn without_the_twin_every_python_verdict_is_not_measured() {
    let mut r = without_python(run());
    r.machine.memory_bytes = 24 << 30;
    assert_only_python_not_measured(&claims(&Params::default(), &r).unwrap());
}

#[test]
fn the_headline_names_the_compared_runs_and_survives_an_older_result() {
    let mut r = run();
    let h = headline(&Params::default(), &r).unwrap();
    assert!(h.contains("limit 50 p99 447 ms from submission (27.0 ms service) with 0 timeouts in 500.0 ms"), "{h}");
    assert!(h.contains("; no limit p99 296 ms from submission"), "{h}");
    r.series.retain(|s| !s.y.starts_with("from_submit"));
    assert!(headline(&Params::default(), &r).unwrap().contains("limit 50 p99 n/a from submission"));
}

/// 4.1, 4.2 and 4.6: what removing the limit cost the server (goodput, waits for its pool) and the client's memory.
#[path = "judge_tests_overload.rs"]
mod overload;
