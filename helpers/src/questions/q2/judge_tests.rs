//! Question 2's rules on synthetic results: each claim reaches more than one verdict from the numbers alone.

use super::*;
use crate::judging::fixture::{assert_only_python_not_measured, on_cores, result, set, without_python};
use crate::params::ExperimentParams;
use crate::result::Verdict::*;

const BIG: f64 = 10_822_289.0;

/// A result as an idle 2-core machine with a GIL Python gives at the defaults (workers 1, 2, 4, 8).
fn typical() -> LabResult {
    let mut r = result("q2", serde_json::json!({}));
    for w in [1.0_f64, 2.0, 4.0, 8.0] {
        let full = w.min(2.0) * 0.95;
        for (name, busy) in [
            ("threads", full),
            ("gil model", 1.0),
            ("processes", full),
            ("python threads", 1.02),
            ("python processes", full),
        ] {
            set(&mut r, name, "workers", "cores_busy", w, busy);
            set(&mut r, name, "workers", "speedup", w, busy);
        }
    }
    set(&mut r, "threads", "workers", "kb_per_worker", 8.0, 12.0);
    set(&mut r, "threads virtual", "workers", "kb_per_worker", 8.0, 67_600.0);
    for (name, rss, uss, pss) in
        [("processes", 4_292.0, 1_180.0, 1_530.0), ("python processes", 17_969.0, 5_730.0, 8_900.0)]
    {
        set(&mut r, name, "workers", "kb_per_worker", 8.0, rss);
        set(&mut r, name, "workers", "uss_kb_per_worker", 8.0, uss);
        set(&mut r, name, "workers", "pss_kb_per_worker", 8.0, pss);
        set(&mut r, name, "workers", "smaps_rollup_read", 8.0, 1.0);
    }
    set(&mut r, "python threads", "workers", "kb_per_worker", 8.0, 17.5);
    for (name, ms) in [
        ("serde_json", 180.0),
        ("pipe round trip", 700.0),
        ("thread round trip", 0.02),
        ("python pickle", 200.0),
        ("python pipe round trip", 500.0),
        ("python thread round trip", 0.03),
    ] {
        set(&mut r, name, "payload_bytes", "cost_ms", BIG, ms);
    }
    // The smallest message, as measured here with thousands of round trips: serialization is most of Rust's round
    // trip; what is left is about twice a thread's hand-off, and Python's pipe about one and a half.
    for (name, ms) in [
        ("serde_json", 0.0084),
        ("pipe round trip", 0.0228),
        ("thread round trip", 0.0031),
        ("python pickle", 0.0056),
        ("python pipe round trip", 0.0257),
        ("python thread round trip", 0.0097),
    ] {
        set(&mut r, name, "payload_bytes", "cost_ms", 849.0, ms);
    }
    // Per task, at a 1-byte message: Rust's pool adds next to nothing beyond its pipe; ProcessPoolExecutor's
    // queues and threads add about fifteen bare pipes.
    for (name, ms) in [
        ("pool empty job", 0.0031),
        ("bare pipe round trip", 0.0029),
        ("python pool empty job", 0.1533),
        ("python bare pipe round trip", 0.0097),
    ] {
        set(&mut r, name, "payload_bytes", "cost_ms", 1.0, ms);
    }
    r
}

fn judged(r: &LabResult, id: &str) -> Claim {
    let p = Params::from_json(&r.params.to_string()).unwrap();
    claims(&p, r).unwrap().into_iter().find(|c| c.id == id).unwrap()
}

#[test]
fn processes_scale_and_threads_do_not_in_python_and_in_rust_the_gil_does_not_apply() {
    let mut r = typical();
    let c = judged(&r, "2.1");
    assert_eq!((c.rust.verdict, c.python.verdict), (DoesNotApply, Confirmed), "{c:?}");
    assert!(c.python.evidence.contains("processes' cores busy at 2 workers 1.90 > 1.4"), "{}", c.python.evidence);
    assert!(c.python.evidence.contains("threads' cores busy 1.02 < 1.4"), "{}", c.python.evidence);
    assert!(c.python.evidence.contains("python_gil: true"), "{}", c.python.evidence);
    // Rust's analogue, measured and named: both its pools against the same line.
    assert!(
        c.rust.evidence.starts_with("Rust has no GIL. Measured instead: at 2 workers on 2 cores a thread pool kept 1.90 cores busy and a process pool 1.90 (above and above the line of scaling, 1.40)"),
        "{}",
        c.rust.evidence
    );
    // A GIL Python whose threads used the cores: contradicted. Rust threads that take turns: still does not apply.
    set(&mut r, "python threads", "workers", "cores_busy", 2.0, 1.85);
    set(&mut r, "threads", "workers", "cores_busy", 2.0, 1.0);
    let c = judged(&r, "2.1");
    assert_eq!((c.rust.verdict, c.python.verdict), (DoesNotApply, Contradicted), "{c:?}");
    assert!(c.rust.evidence.contains("kept 1.00 cores busy and a process pool 1.90 (at or below and above"));
    // A free-threaded Python lacks the GIL too: its pools are measured, the claim does not apply.
    let free = crate::judging::fixture::free_threaded(r.clone());
    let c = judged(&free, "2.1");
    assert_eq!(c.python.verdict, DoesNotApply, "{}", c.python.evidence);
    assert!(c.python.evidence.contains("ThreadPoolExecutor kept 1.85 cores busy"), "{}", c.python.evidence);
    // A busy machine where even the processes kept under one core: the contrast cannot show either way.
    set(&mut r, "python processes", "workers", "cores_busy", 2.0, 0.4);
    let c = judged(&r, "2.1");
    assert_eq!(c.python.verdict, NotMeasured, "{c:?}");
    assert!(c.python.evidence.contains("0.400 <= 1.4"), "{}", c.python.evidence);
}

#[test]
fn threads_share_one_knife_only_where_they_keep_one_core_busy() {
    let mut r = typical();
    let c = judged(&r, "2.2");
    assert_eq!((c.rust.verdict, c.python.verdict), (DoesNotApply, Confirmed), "{c:?}");
    assert!(c.python.evidence.contains("at 8 workers 1.02 < 1.3"), "{}", c.python.evidence);
    assert!(c.python.evidence.contains("processes' cores busy at 8 workers 1.90 > 1.4"), "{}", c.python.evidence);
    assert!(c.rust.evidence.contains("at 8 workers on 2 cores a thread pool kept 1.90"), "{}", c.rust.evidence);
    assert!(c.rust.evidence.contains("(a model of the GIL) kept 1.00"), "{}", c.rust.evidence);
    set(&mut r, "python threads", "workers", "cores_busy", 8.0, 1.9);
    let c = judged(&r, "2.2");
    assert_eq!(c.python.verdict, Contradicted, "{}", c.python.evidence);
    assert!(c.python.evidence.contains("1.90 >= 1.3"), "{}", c.python.evidence);
    set(&mut r, "python threads", "workers", "cores_busy", 8.0, 0.5);
    set(&mut r, "python processes", "workers", "cores_busy", 8.0, 0.6);
    let c = judged(&r, "2.2");
    assert_eq!(c.python.verdict, NotMeasured, "{}", c.python.evidence);
    assert!(c.python.evidence.contains("0.600 <= 1.4"), "{}", c.python.evidence);
}

#[test]
fn the_scaling_lines_follow_the_cores_present() {
    // 8 workers on 1, 2, 16 and 64 cores: the line is 0.7 x min(workers, cores); on one core, not measured.
    for (cores, line, procs) in [(1, 1.3, 1.0), (2, 1.4, 1.9), (16, 5.6, 7.6), (64, 5.6, 7.7)] {
        let mut r = on_cores(typical(), cores);
        for w in [1.0_f64, 2.0, 4.0, 8.0] {
            set(&mut r, "python processes", "workers", "cores_busy", w, (w.min(cores as f64) * 0.95).max(0.99));
        }
        set(&mut r, "python processes", "workers", "cores_busy", 8.0, procs);
        let c = judged(&r, "2.2");
        if cores < 2 {
            assert_eq!(c.python.verdict, NotMeasured, "{cores}: {}", c.python.evidence);
            assert!(c.python.evidence.contains("one core cannot show parallelism"), "{}", c.python.evidence);
            assert_eq!(judged(&r, "2.1").python.verdict, NotMeasured);
            continue;
        }
        assert_eq!(c.python.verdict, Confirmed, "{cores}: {}", c.python.evidence);
        // The line as the rule states it: "1.4", "5.6".
        let stated = format!("{line:.2}").trim_end_matches('0').trim_end_matches('.').to_string();
        assert!(c.python.evidence.contains(&format!("> {stated},")), "{cores}: {}", c.python.evidence);
        // 2.1 at the largest pool that fits: 2 workers on 2 cores, 8 on 16 and 64.
        let c = judged(&r, "2.1");
        let w = if cores == 2 { 2 } else { 8 };
        assert!(c.python.evidence.contains(&format!("at {w} workers")), "{cores}: {}", c.python.evidence);
        assert_eq!(c.python.verdict, Confirmed, "{cores}: {}", c.python.evidence);
        // A process pool at half its cores does not scale on a big machine: no free cores, nothing to contrast.
        if cores >= 16 {
            set(&mut r, "python processes", "workers", "cores_busy", 8.0, 3.0);
            assert_eq!(judged(&r, "2.2").python.verdict, NotMeasured, "{cores}");
        }
    }
}

#[test]
fn a_process_costs_more_memory_when_its_own_kib_are_several_threads() {
    let mut r = typical();
    let c = judged(&r, "2.3");
    assert_eq!((c.rust.verdict, c.python.verdict), (Confirmed, Confirmed), "{c:?}");
    assert!(
        c.rust.evidence.contains("own memory (USS) 1180 KiB / a thread's 12 KiB = 98.3x > 4x"),
        "{}",
        c.rust.evidence
    );
    assert!(c.rust.evidence.contains("RSS was 4292 KiB and its PSS 1530 KiB"), "{}", c.rust.evidence);
    assert!(c.rust.evidence.contains("67600 KiB of address space"), "{}", c.rust.evidence);
    assert!(c.rust.evidence.contains("at most 8 per core"), "{}", c.rust.evidence);
    // Judged on USS, not RSS: a worker whose RSS is large but whose own pages are few is about a thread.
    set(&mut r, "processes", "workers", "uss_kb_per_worker", 8.0, 30.0);
    set(&mut r, "python processes", "workers", "uss_kb_per_worker", 8.0, 20.0);
    let c = judged(&r, "2.3");
    assert_eq!((c.rust.verdict, c.python.verdict), (Contradicted, Contradicted), "{c:?}");
    assert!(c.python.evidence.contains("(USS) 20 KiB / a thread's 18 KiB = 1.14x <= 4x"), "{}", c.python.evidence);
}

#[test]
fn where_smaps_rollup_was_unreadable_rss_can_only_refine_or_contradict() {
    let mut r = typical();
    for name in ["processes", "python processes"] {
        r.series.retain(|s| !(s.name == name && (s.y == "uss_kb_per_worker" || s.y == "pss_kb_per_worker")));
        set(&mut r, name, "workers", "smaps_rollup_read", 8.0, 0.0);
    }
    let c = judged(&r, "2.3");
    assert_eq!((c.rust.verdict, c.python.verdict), (Refined, Refined), "{c:?}");
    assert!(c.rust.evidence.contains("(RSS, not USS: its smaps_rollup could not be read"), "{}", c.rust.evidence);
    assert!(c.rust.evidence.contains("4292 KiB / a thread's 12 KiB = 358x > 4x"), "{}", c.rust.evidence);
    set(&mut r, "python processes", "workers", "kb_per_worker", 8.0, 20.0);
    let c = judged(&r, "2.3");
    assert_eq!(c.python.verdict, Contradicted, "{}", c.python.evidence);
    assert!(c.python.evidence.contains("1.14x <= 4x"), "{}", c.python.evidence);
    // A result from before USS was recorded: the same fallback, saying why.
    r.series.retain(|s| s.y != "smaps_rollup_read");
    let c = judged(&r, "2.3");
    assert_eq!(c.rust.verdict, Refined, "{}", c.rust.evidence);
    assert!(c.rust.evidence.contains("this result predates USS"), "{}", c.rust.evidence);
}

#[test]
fn ipc_less_serialization_is_an_overhead_that_counts_when_it_is_a_real_share_of_a_job() {
    let mut r = typical();
    let c = judged(&r, "2.4");
    // Beyond serialization, crossing costs more than a thread's hand-off, but beside 25 ms of work it is small.
    assert_eq!((c.rust.verdict, c.python.verdict), (Refined, Refined), "{c:?}");
    assert!(
        c.rust.evidence.contains(
            "A task's IPC less serialization: the round trip of 849 bytes (the smallest message) 22.8 µs less \
             serializing there and back 16.8 µs = 6.00 µs, plus the pool's own machinery (an empty job 3.10 µs \
             less a bare pipe's byte 2.90 µs) 0.200 µs = 6.20 µs; / a thread's round trip 3.10 µs = 2.00x > \
             1.5x, and 6.20 µs / the work per job 25.0 ms = 0.0248% <= 10%: refined."
        ),
        "{}",
        c.rust.evidence
    );
    assert!(c.rust.evidence.contains("for jobs of 62.0 µs or shorter"), "{}", c.rust.evidence);
    assert!(
        c.rust.evidence.ends_with(
            "At 10822289 bytes the round trip 700 ms less serializing there and back 360 ms leaves 340 ms to the pipe \
             (2.5 judges the serialization)."
        ),
        "{}",
        c.rust.evidence
    );
    // Python's machinery (an empty job through ProcessPoolExecutor less a bare pipe) is most of its 0.158 ms.
    assert!(
        c.python.evidence.contains("(an empty job 0.153 ms less a bare pipe's byte 9.70 µs) 0.144 ms = 0.158 ms"),
        "{}",
        c.python.evidence
    );
    assert!(
        c.python.evidence.contains("16.3x > 1.5x, and 0.158 ms / the work per job 25.0 ms = 0.632%"),
        "{}",
        c.python.evidence
    );
    // Jobs of 1 ms: Python's IPC is a sixth of the work, a real cost. Rust's still is not.
    r.params = serde_json::json!({"job_ms": 1.0});
    let c = judged(&r, "2.4");
    assert_eq!((c.rust.verdict, c.python.verdict), (Refined, Confirmed), "{c:?}");
    assert!(c.python.evidence.contains("= 15.8% > 10%: confirmed"), "{}", c.python.evidence);
    // Within a tenth of the line: not a clear outcome.
    r.params = serde_json::json!({"job_ms": 1.5});
    assert!(judged(&r, "2.4").python.evidence.contains("= 10.5% > 10%: refined (within 10%"));
    // A round trip no slower than serialization plus a thread's hand-off: the overhead is serialization's.
    set(&mut r, "pipe round trip", "payload_bytes", "cost_ms", 849.0, 0.019);
    let c = judged(&r, "2.4");
    assert_eq!(c.rust.verdict, Contradicted, "{}", c.rust.evidence);
    assert!(c.rust.evidence.contains("0.774x <= 1.5x: contradicted"), "{}", c.rust.evidence);
    // A round trip faster than its serialization (noise at a tiny message) leaves nothing to the pipe, not less.
    set(&mut r, "pipe round trip", "payload_bytes", "cost_ms", 849.0, 0.015);
    let c = judged(&r, "2.4");
    assert_eq!(c.rust.verdict, Contradicted);
    assert!(c.rust.evidence.contains("less serializing there and back 16.8 µs = 0 ms"), "{}", c.rust.evidence);
    // An older result without the thread round trip, or without the per-task costs: not measured, not guessed.
    let mut old = typical();
    old.series.retain(|s| s.name != "python pool empty job");
    assert_eq!(judged(&old, "2.4").python.verdict, NotMeasured);
    assert!(judged(&old, "2.4").python.evidence.contains("no series `python pool empty job`"));
    r.series.retain(|s| s.name != "thread round trip");
    assert_eq!(judged(&r, "2.4").rust.verdict, NotMeasured);
}

#[test]
fn serialization_is_an_overhead_when_it_is_a_real_share_of_the_round_trip() {
    let mut r = typical();
    let c = judged(&r, "2.5");
    assert_eq!((c.rust.verdict, c.python.verdict), (Confirmed, Confirmed), "{c:?}");
    assert!(c
        .python
        .evidence
        .contains("(2 x 200 ms) / the round trip through a worker process 500 ms = 0.800x > 0.25x"));
    assert!(c.rust.evidence.contains("serde_json"), "{}", c.rust.evidence);
    set(&mut r, "python pickle", "payload_bytes", "cost_ms", BIG, 20.0);
    let c = judged(&r, "2.5");
    assert_eq!(c.python.verdict, Refined, "{}", c.python.evidence);
    assert!(c.python.evidence.contains("0.0800x <= 0.25x"), "{}", c.python.evidence);
}

#[test]
fn without_python_every_python_verdict_is_not_measured() {
    let r = without_python(typical());
    let p = Params::default();
    assert_only_python_not_measured(&claims(&p, &r).unwrap());
}
