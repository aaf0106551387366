//! Question 8's rules on synthetic results: each claim reaches at least two verdicts from the numbers alone.

use super::*;
use crate::judging::fixture::{assert_only_python_not_measured, free_threaded, on_cores, result, set, without_python};
use crate::result::Verdict::{self, *};

const SMALL: f64 = 10_000.0;
const BIG: f64 = 10_000_000.0;

/// 16 documents of 10 KB and 10 MB on a quiet 2-core machine: inline blocks the loop for the whole batch, the
/// offloaded strategies keep it free and use both cores; Python's threads take turns, its processes pay pickling.
fn quiet() -> LabResult {
    let mut r = result("q8", serde_json::json!({"doc_bytes": [10_000, 10_000_000]}));
    // (name, y, at 10 KB, at 10 MB)
    let table: [(&str, &str, f64, f64); 35] = [
        ("inline current_thread", "wall_s", 0.0007, 0.94),
        ("inline current_thread", "docs_per_s", 22_857.0, 17.0),
        ("inline current_thread", "mb_per_s", 231.0, 184.0),
        ("inline current_thread", "cores_busy", 1.0, 1.0),
        ("inline current_thread", "lag_p99_ms", 1.8, 940.0),
        ("inline current_thread", "lag_max_ms", 1.8, 940.0),
        ("inline current_thread", "ping_p50_ms", 1.0, 470.0),
        ("inline current_thread", "ping_p99_ms", 1.5, 930.0),
        ("inline current_thread", "peak_rss_mb", 5.7, 145.0),
        ("spawn_blocking", "cores_busy", 1.0, 1.9),
        ("spawn_blocking", "lag_p99_ms", 1.7, 11.0),
        ("spawn_blocking", "ping_p99_ms", 1.6, 17.7),
        ("spawn_blocking", "mb_per_s", 94.0, 227.0),
        ("rayon", "cores_busy", 1.0, 1.9),
        ("rayon", "lag_p99_ms", 1.4, 7.9),
        ("rayon", "ping_p99_ms", 1.9, 8.6),
        ("rayon", "mb_per_s", 178.0, 578.0),
        ("batched", "mb_per_s", 244.0, 250.0),
        ("python inline", "wall_s", 0.0073, 4.93),
        ("python inline", "docs_per_s", 2192.0, 3.2),
        ("python inline", "mb_per_s", 24.7, 38.8),
        ("python inline", "lag_max_ms", 6.4, 4929.0),
        ("python inline", "ping_p50_ms", 0.2, 2400.0),
        ("python inline", "ping_p99_ms", 2.4, 4875.0),
        ("python inline", "cores_busy", 1.0, 1.0),
        ("python inline", "peak_rss_mb", 22.9, 93.6),
        ("python to_thread", "cores_busy", 1.0, 1.0),
        ("python to_thread", "lag_p99_ms", 2.7, 6247.0),
        ("python processes", "cores_busy", 1.0, 1.9),
        ("python processes", "ping_p99_ms", 19.0, 1502.0),
        ("python processes", "mb_per_s", 3.1, 7.5),
        ("python processes (built in worker)", "cores_busy", 1.0, 1.9),
        ("python processes (built in worker)", "ping_p99_ms", 2.0, 9.0),
        ("python processes (built in worker)", "mb_per_s", 3.5, 70.0),
        ("python batched", "mb_per_s", 6.0, 7.5),
    ];
    for (name, y, small, big) in table {
        put(&mut r, name, y, SMALL, small);
        put(&mut r, name, y, BIG, big);
    }
    put(&mut r, "python json", "in_c", SMALL, 1.0);
    put(&mut r, "python json", "in_c", BIG, 1.0);
    for name in ["inline current_thread", "python inline"] {
        put(&mut r, name, "peak_reset", SMALL, 1.0);
        put(&mut r, name, "peak_reset", BIG, 1.0);
    }
    // The open loop at 80% of one core (200 requests, Poisson arrivals): inline, one loop thread queues
    // (about 8x one serialization at the p99); a pool of two threads or processes stays near 2x.
    // (name, p50 ms, p99 ms, one serialization ms, work's share of a core, requests per second)
    let open: [(&str, f64, f64, f64, f64, f64); 4] = [
        ("inline current_thread", 1.1, 4.0, 0.45, 0.8, 1780.0),
        ("rayon", 0.55, 1.0, 0.47, 0.83, 1780.0),
        ("python inline", 6.0, 20.0, 2.6, 0.8, 308.0),
        ("python processes (built in worker)", 3.2, 6.5, 2.7, 0.83, 308.0),
    ];
    for (name, p50, p99, one, busy, rate) in open {
        for (y, v) in [
            ("open_p50_ms", p50),
            ("open_p99_ms", p99),
            ("open_service_ms", one),
            ("open_busy", busy),
            ("open_requests", 200.0),
            ("open_rate_per_s", rate),
        ] {
            open_put(&mut r, name, y, v);
        }
    }
    r
}

/// A point of the open loop at the judged load (80%).
fn open_put(r: &mut LabResult, name: &str, y: &str, v: f64) {
    set(r, name, "load_pct", y, 80.0, v);
}

fn put(r: &mut LabResult, name: &str, y: &str, x: f64, v: f64) {
    set(r, name, "doc_bytes", y, x, v);
}

fn params(r: &LabResult) -> Params {
    serde_json::from_value(r.params.clone()).unwrap()
}

fn judged(r: &LabResult, id: &str) -> Claim {
    claims(&params(r), r).unwrap().into_iter().find(|c| c.id == id).unwrap()
}

fn verdicts(r: &LabResult, id: &str) -> (Verdict, Verdict) {
    let c = judged(r, id);
    (c.rust.verdict, c.python.verdict)
}

fn has(r: &LabResult, id: &str, rust: &str, python: &str) {
    let c = judged(r, id);
    assert!(c.rust.evidence.contains(rust), "{id} Rust: {}", c.rust.evidence);
    assert!(c.python.evidence.contains(python), "{id} Python: {}", c.python.evidence);
}

#[test]
fn every_claim_is_judged_at_the_named_size() {
    let r = quiet();
    let ids: Vec<String> = claims(&params(&r), &r).unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(ids, (1..=12).map(|i| format!("8.{i}")).collect::<Vec<_>>());
    assert!(judged(&r, "8.3").rust.evidence.contains("10000000 / 10000 bytes"));
}

#[test]
fn judge_doc_bytes_must_be_one_of_the_sizes_and_old_results_fall_back_to_the_largest() {
    use crate::params::ExperimentParams;
    let p = Params { doc_bytes: vec![1_000, 2_000_000], ..Default::default() };
    let e = p.validate().unwrap_err();
    assert_eq!(e.message, "judge_doc_bytes must be one of doc_bytes [1000, 2000000]; got 10000000");
    assert!(Params { judge_doc_bytes: 2_000_000, ..p.clone() }.validate().is_ok());
    // A result saved before the field existed: its sweep lacks the default, so the largest size is judged.
    assert_eq!(super::judged(&p), 2_000_000.0);
}

#[test]
fn rule_8_1_time_per_document_grows_with_the_document() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "8.1"), (Confirmed, Confirmed));
    has(&r, "8.1", "(58.8 ms / 43.8 µs) 1343x > 100x: confirmed", "(308 ms / 0.456 ms) 675x > 100x");
    put(&mut r, "inline current_thread", "wall_s", BIG, 0.001);
    put(&mut r, "python inline", "wall_s", BIG, 0.01);
    assert_eq!(verdicts(&r, "8.1"), (Contradicted, Contradicted));
}

#[test]
fn rule_8_2_does_not_apply_to_rust_and_python_threads_must_take_turns() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "8.2"), (DoesNotApply, Confirmed));
    has(
        &r,
        "8.2",
        "Rust has no GIL. Measured instead: at 10000000 bytes serde_json on spawn_blocking kept 1.90 cores busy and on rayon 1.90",
        "python to_thread cores busy at 10000000 bytes 1.00 < 1.5, and heartbeat p99, python to_thread, 10000000 / \
         10000 bytes (6247 ms / 2.70 ms) 2314x > 10x: confirmed",
    );
    // Threads that serialize in parallel under a GIL would contradict it.
    put(&mut r, "python to_thread", "cores_busy", BIG, 1.9);
    assert_eq!(verdicts(&r, "8.2").1, Contradicted);
    // A free-threaded CPython lacks the GIL: the claim does not apply, its threads measured instead.
    let r = free_threaded(r);
    assert_eq!(verdicts(&r, "8.2").1, DoesNotApply);
    assert!(judged(&r, "8.2").python.evidence.contains("free-threaded"));
    // On one core threads cannot run in parallel either way.
    let r = on_cores(quiet(), 1);
    assert_eq!(verdicts(&r, "8.2").1, NotMeasured);
}

#[test]
fn rule_8_3_the_loop_stalls_longer_with_larger_documents() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "8.3"), (Confirmed, Confirmed));
    has(&r, "8.3", "(940 ms / 1.80 ms) 522x > 10x", "(4929 ms / 6.40 ms) 770x > 10x");
    put(&mut r, "inline current_thread", "lag_max_ms", BIG, 5.0);
    assert_eq!(verdicts(&r, "8.3").0, Contradicted);
}

#[test]
fn rule_8_4_the_typical_request_waits_longer() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "8.4"), (Confirmed, Confirmed));
    has(&r, "8.4", "light request latency (p50), inline current_thread", "(2400 ms / 0.200 ms) 12000x > 10x");
    put(&mut r, "python inline", "ping_p50_ms", BIG, 1.0);
    assert_eq!(verdicts(&r, "8.4").1, Contradicted);
}

#[test]
fn rule_8_5_a_tail_that_spikes_under_open_loop_arrivals_or_moves_with_everything() {
    let mut r = quiet();
    // The p99 rose with the documents, and at 80% load the slowest requests took about 9x one serialization inline.
    assert_eq!(verdicts(&r, "8.5"), (Confirmed, Confirmed));
    has(
        &r,
        "8.5",
        "(930 ms / 1.50 ms) 620x > 10x, and open loop at 80% (1780 requests/s, Poisson arrivals), inline \
         current_thread: request p99 / one serialization (4.00 ms / 0.450 ms) 8.89x > 3x: confirmed",
        "(20.0 ms / 2.60 ms) 7.69x > 3x: confirmed",
    );
    has(
        &r,
        "8.5",
        "The open-loop p99 / p50 was 3.6x (4.00 ms / 1.10 ms). On rayon",
        "On python processes (built in worker)",
    );
    // Under evenly spaced arrivals, no request waits for another: the tail moves with the median.
    open_put(&mut r, "inline current_thread", "open_p99_ms", 0.6);
    assert_eq!(verdicts(&r, "8.5").0, Refined);
    has(&r, "8.5", "(0.600 ms / 0.450 ms) 1.33x <= 3x: refined", "");
    // An overloaded loop: the p99 is its backlog, not a tail at partial load.
    open_put(&mut r, "python inline", "open_busy", 0.97);
    assert_eq!(verdicts(&r, "8.5").1, NotMeasured);
    has(&r, "8.5", "", "at 80% offered, python inline spent serializing 97.0% > 95%: the loop could not keep up");
    // Too few requests for a p99.
    open_put(&mut r, "python inline", "open_busy", 0.8);
    open_put(&mut r, "python inline", "open_requests", 50.0);
    assert_eq!(verdicts(&r, "8.5").1, NotMeasured);
    has(&r, "8.5", "", "python inline requests served at 80% 50 < 100: too few");
    // The tail did not rise with the documents: contradicted, whatever the open loop.
    put(&mut r, "python inline", "ping_p99_ms", BIG, 5.0);
    assert_eq!(verdicts(&r, "8.5").1, Contradicted);
    // A result from before the open loop: not measured, saying which series.
    let mut old = quiet();
    old.series.retain(|s| s.x != "load_pct");
    assert_eq!(verdicts(&old, "8.5"), (NotMeasured, NotMeasured));
    has(&old, "8.5", "no series `inline current_thread` measuring `open_p50_ms`", "");
}

#[test]
fn rule_8_6_documents_per_second_fall_bytes_per_second_need_not() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "8.6"), (Refined, Refined));
    has(&r, "8.6", "MB per second, inline current_thread, 10000000 / 10000 bytes (184.0 / 231.0) 0.797x >= 0.33x", "");
    put(&mut r, "inline current_thread", "mb_per_s", BIG, 20.0);
    assert_eq!(verdicts(&r, "8.6").0, Confirmed);
    put(&mut r, "python inline", "docs_per_s", BIG, 2000.0);
    assert_eq!(verdicts(&r, "8.6").1, Contradicted);
}

#[test]
fn rule_8_7_memory_grows_by_more_than_the_document() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "8.7"), (Confirmed, Confirmed));
    has(&r, "8.7", "(5.7 MiB -> 145.0 MiB) 139 MiB > 9.53 MiB", "(22.9 MiB -> 93.6 MiB) 70.7 MiB > 9.53 MiB");
    has(&r, "8.7", "peak RSS (since reset) growth", "peak RSS (since reset) growth");
    put(&mut r, "inline current_thread", "peak_rss_mb", BIG, 8.0);
    assert_eq!(verdicts(&r, "8.7").0, Contradicted);
    // Where the kernel refused the reset, the peaks are lifetime peaks: their growth is not judged.
    put(&mut r, "python inline", "peak_reset", BIG, 0.0);
    assert_eq!(verdicts(&r, "8.7").1, NotMeasured);
    has(&r, "8.7", "", "refused the peak reset before the python inline run at doc_bytes 10000000 (peak_reset 0)");
    // A result from before the reset was recorded: judged as before, saying so.
    r.series.retain(|s| s.y != "peak_reset");
    assert_eq!(verdicts(&r, "8.7"), (Contradicted, Confirmed));
    has(&r, "8.7", "peak RSS (reset not recorded) growth", "peak RSS (reset not recorded) growth");
}

#[test]
fn rule_8_8_no_parallelism_refined_when_json_dumps_is_c() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "8.8"), (DoesNotApply, Refined));
    has(&r, "8.8", "on rayon 1.90", "json.dumps ran in C (the _json accelerator): refined");
    put(&mut r, "python json", "in_c", BIG, 0.0);
    assert_eq!(verdicts(&r, "8.8").1, Confirmed);
    put(&mut r, "python to_thread", "cores_busy", BIG, 1.9);
    assert_eq!(verdicts(&r, "8.8").1, Contradicted);
}

#[test]
fn rule_8_9_async_loses_its_advantage_only_while_the_work_is_on_the_loop() {
    let mut r = quiet();
    // At the same offered rate, inline's p99 was several times the pool's, and the pool's stayed near one
    // serialization: the advantage is lost only while the work runs on the loop.
    assert_eq!(verdicts(&r, "8.9"), (Refined, Refined));
    has(
        &r,
        "8.9",
        "open loop at 80% (1780 requests/s, Poisson arrivals), request p99, inline current_thread / rayon (4.00 ms / \
         1.00 ms) 4.00x > 1.5x, and rayon: request p99 / p50 (1.00 ms / 0.550 ms) 1.82x <= 3x: refined",
        "python inline / python processes (built in worker) (20.0 ms / 6.50 ms) 3.08x > 1.5x",
    );
    // The pickling pool is told beside it, not judged.
    has(&r, "8.9", "", "left a light-request p99 of 1502 ms at 10000000 bytes");
    // A pool whose requests queued too: lost for good.
    open_put(&mut r, "python inline", "open_p99_ms", 30.0);
    open_put(&mut r, "python processes (built in worker)", "open_p99_ms", 11.0);
    assert_eq!(verdicts(&r, "8.9").1, Confirmed);
    // Inline as fast as the pool at the same rate: nothing lost.
    open_put(&mut r, "inline current_thread", "open_p99_ms", 1.2);
    assert_eq!(verdicts(&r, "8.9").0, Contradicted);
    has(&r, "8.9", "(1.20 ms / 1.00 ms) 1.20x <= 1.5x: contradicted", "");
    // An overloaded loop cannot judge the race.
    open_put(&mut r, "inline current_thread", "open_busy", 0.99);
    assert_eq!(verdicts(&r, "8.9").0, NotMeasured);
    // Nor can a run whose pool found no second core in the sweep (a busy machine).
    let mut busy = quiet();
    put(&mut busy, "rayon", "cores_busy", BIG, 1.05);
    assert_eq!(verdicts(&busy, "8.9"), (NotMeasured, Refined));
    has(&busy, "8.9", "rayon cores busy at 10000000 bytes 1.05 <= 1.5: this run had no cores to spare", "");
    // On one core a pool has no other core to win with.
    assert_eq!(verdicts(&on_cores(quiet(), 1), "8.9"), (NotMeasured, NotMeasured));
    // An older result with only the pickling pool: not measured, saying why.
    r.series.retain(|s| s.name != "python processes (built in worker)");
    assert_eq!(verdicts(&r, "8.9").1, NotMeasured);
    has(&r, "8.9", "", "that measures the hand-off, not the pool");
}

#[test]
fn rule_8_10_c_code_must_also_run_in_parallel() {
    let mut r = quiet();
    assert_eq!(verdicts(&r, "8.10"), (DoesNotApply, Refined));
    has(
        &r,
        "8.10",
        "Rust has no interpreter to offload from. Measured instead: serde_json is native code",
        "python to_thread cores busy at 10000000 bytes 1.00 <= 1.5: refined",
    );
    put(&mut r, "python to_thread", "cores_busy", BIG, 1.9);
    assert_eq!(verdicts(&r, "8.10").1, Confirmed);
    put(&mut r, "python json", "in_c", BIG, 0.0);
    assert_eq!(verdicts(&r, "8.10").1, NotMeasured);
}

#[test]
fn rule_8_11_a_pool_keeps_requests_flowing_and_uses_the_cores() {
    let mut r = quiet();
    // Python: the fair pool freed the loop in parallel, the pool sent whole documents did not: refined.
    assert_eq!(verdicts(&r, "8.11"), (Confirmed, Refined));
    has(
        &r,
        "8.11",
        "(8.60 ms / 1.50 ms) 5.73x < 20x, and rayon cores busy at 10000000 bytes 1.90 > 1.5: confirmed",
        "(9.00 ms / 2.40 ms) 3.75x < 20x, and python processes (built in worker) cores busy at 10000000 bytes 1.90",
    );
    has(&r, "8.11", "", "(1502 ms / 2.40 ms) 626x >= 20x: refined");
    has(&r, "8.11", "", "a pool frees the loop only when what it is sent is small next to the work");
    // Both pools keep requests flowing: confirmed.
    put(&mut r, "python processes", "ping_p99_ms", BIG, 20.0);
    assert_eq!(verdicts(&r, "8.11").1, Confirmed);
    put(&mut r, "rayon", "cores_busy", BIG, 1.0);
    put(&mut r, "python processes (built in worker)", "ping_p99_ms", BIG, 1000.0);
    assert_eq!(verdicts(&r, "8.11"), (Refined, Contradicted));
    // On one core the pools' parallelism cannot show.
    assert_eq!(verdicts(&on_cores(quiet(), 1), "8.11"), (NotMeasured, NotMeasured));
    // Without the fair pool: not measured, not judged on the pickling one.
    r.series.retain(|s| s.name != "python processes (built in worker)");
    assert_eq!(verdicts(&r, "8.11").1, NotMeasured);
}

#[test]
fn rule_8_12_batching_must_pay_at_the_smallest_document_and_pays_everywhere_if_also_at_the_judged_size() {
    let mut r = quiet();
    // Rust paid at 10 KB (2.60x) and not at 10 MB (1.10x); Python paid at 10 KB (1.94x), not at 10 MB (1.00x).
    assert_eq!(verdicts(&r, "8.12"), (Refined, Refined));
    has(
        &r,
        "8.12",
        "MB/s, batched / spawn_blocking at 10000 bytes, the smallest document (244.0 / 94.0) 2.60x > 1.2x, and at \
         10000000 bytes (250.0 / 227.0) 1.10x <= 1.2x: refined",
        "(6.0 / 3.1) 1.94x > 1.2x",
    );
    has(&r, "8.12", "it pays only where the per-call cost dominates", "");
    // The hand-off next to the work, per document: at 10 KB one call each costs several times the work.
    has(
        &r,
        "8.12",
        "Per document, a call each took 0.106 ms against 43.3 µs for the work alone, inline (2.5x) at 10000 bytes, \
         and 44.1 ms against 54.3 ms (0.8x) at 10000000 bytes.",
        "3.23 ms against 0.405 ms for the work alone, inline (8.0x) at 10000 bytes",
    );
    put(&mut r, "batched", "mb_per_s", BIG, 500.0);
    assert_eq!(verdicts(&r, "8.12").0, Confirmed);
    put(&mut r, "python batched", "mb_per_s", SMALL, 3.0);
    assert_eq!(verdicts(&r, "8.12").1, Contradicted);
    assert!(judged(&r, "8.12").python.evidence.contains("0.968x <= 1.2x: contradicted"));
}

#[test]
fn growth_claims_need_a_smaller_size_than_the_judged_one() {
    let mut r = quiet();
    r.params = serde_json::json!({"doc_bytes": [10_000, 10_000_000], "judge_doc_bytes": 10_000});
    assert_eq!(verdicts(&r, "8.3"), (NotMeasured, NotMeasured));
    assert!(judged(&r, "8.3").rust.evidence.contains("is the smallest of the sweep"));
}

#[test]
fn without_python_every_python_verdict_is_not_measured() {
    let r = without_python(quiet());
    assert_only_python_not_measured(&claims(&params(&r), &r).unwrap());
    // A result from an older lab, without the requests' median: not measured, saying which series.
    let mut r = quiet();
    r.series.retain(|s| s.y != "ping_p50_ms");
    assert_eq!(verdicts(&r, "8.4"), (NotMeasured, NotMeasured));
    assert!(judged(&r, "8.4").rust.evidence.contains("no series `inline current_thread` measuring `ping_p50_ms`"));
}
