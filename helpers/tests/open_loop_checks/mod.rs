//! What question 8's open-loop runs must hold, whatever the machine: every request served, each no sooner than its
//! own serialization after it was due, one offered rate per language at each load, and claims that say why they do
//! not judge a run too short for a p99.

use helpers::result::{LabResult, Verdict};

/// `r`'s open-loop runs at `load` (%), each of `requests` requests (Python's, then Rust's).
pub fn check_q8(r: &LabResult, load: f64, requests: [f64; 2]) {
    let built = helpers::q8::BUILT_IN_WORKER;
    for name in ["inline current_thread", "rayon", "python inline", built] {
        let o = |y: &str| r.value(name, y, load).unwrap();
        let want = if name.starts_with("python") { requests[0] } else { requests[1] };
        assert_eq!(o("open_requests"), want, "{name}");
        assert!(o("open_p99_ms") >= o("open_p50_ms") && o("open_p50_ms") >= 0.9 * o("open_service_ms"), "{name}");
        assert!(o("open_busy") > 0.0 && o("open_rate_per_s") > 0.0, "{name}");
    }
    let rate = |name: &str| r.value(name, "open_rate_per_s", load).unwrap();
    assert_eq!(rate("inline current_thread"), rate("rayon"));
    assert_eq!(rate("python inline"), rate(built));
    // Under 100 requests are too few for a p99 of their own: the open-loop claims say so (or that the loop was
    // overloaded, on a busy machine) rather than judge; 8.5 is contradicted before that where the tail did not grow.
    if requests.iter().all(|&n| n < 100.0) {
        for id in ["8.5", "8.9"] {
            let c = r.claim(id).unwrap();
            for f in [&c.rust, &c.python] {
                assert!(matches!(f.verdict, Verdict::NotMeasured | Verdict::Contradicted), "{id}: {f:?}");
                assert!(!f.evidence.starts_with("Not in this result"), "{id}: {f:?}");
            }
        }
    }
}
