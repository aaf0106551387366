//! What the recorded timelines of a small run must show (called from `experiments.rs` and `q4_overload.rs`, beside
//! each question's other checks, so that the run is not made twice). Each test crate uses its own questions' checks.

#![allow(dead_code)]

use helpers::result::LabResult;
use helpers::timeline::{Count, Timeline};

fn timeline<'r>(r: &'r LabResult, name: &str) -> &'r Timeline {
    r.timeline(name).unwrap_or_else(|| {
        let names: Vec<&str> = r.timelines.iter().map(|t| t.name.as_str()).collect();
        panic!("no timeline {name:?}; the result has {names:?}")
    })
}

fn count<'t>(t: &'t Timeline, name: &str) -> &'t Count {
    t.counts.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{}: no count {name:?}", t.name))
}

/// The value a step line holds at `t`.
fn at(c: &Count, t: f64) -> f64 {
    c.points.iter().take_while(|p| p[0] <= t).last().map_or(0.0, |p| p[1])
}

/// q4's runs at `limit` and without one, tokio and Python: every request is somewhere at every moment, no more than
/// all of them, and each ended once; behind the limit no more than `limit` are past the client at once, without it
/// far more.
pub fn check_q4(r: &LabResult, requests: f64, limit: u64) {
    for client in ["tokio", "python"] {
        for run in [format!("limit {limit}"), "no limit".to_string()] {
            let t = timeline(r, &format!("{client}, {run}"));
            assert_eq!(t.total as f64, requests, "{}", t.name);
            let times: Vec<f64> = t.counts.iter().flat_map(|c| c.points.iter().map(|p| p[0])).collect();
            for &moment in &times {
                let sum: f64 = t.counts.iter().map(|c| at(c, moment)).sum();
                assert!(sum <= requests, "{}: {sum} requests in some state at {moment} ms", t.name);
            }
            let ended: f64 = ["answered", "timed out", "refused"].iter().map(|s| at(count(t, s), t.end_ms)).sum();
            assert_eq!(ended, requests, "{}: requests with an outcome at the end", t.name);
            let pool = count(t, "in the server's pool").max();
            if run == "no limit" {
                assert!(pool > 2.0 * limit as f64, "{}: at most {pool} past the client without a limit", t.name);
            } else {
                assert!(pool <= limit as f64, "{}: {pool} past the client behind a limit of {limit}", t.name);
            }
        }
    }
}

/// q8's recorded strategies: inline serializations on the event loop's lane, and each ping that came due during
/// one waited for its end (so the longest made a ping late by about its length); offloaded ones on other lanes.
pub fn check_q8(r: &LabResult, ping_ms: f64) {
    for name in ["inline current_thread", "python inline"] {
        let t = timeline(r, name);
        assert_eq!(t.lanes.first().map(String::as_str), Some("event loop"), "{name}: {:?}", t.lanes);
        assert!(t.spans.iter().all(|s| s.lane == 0), "{name}: a serialization off the loop");
        let pings = &t.marks.as_ref().unwrap_or_else(|| panic!("{name}: no pings")).points;
        let mut during = 0;
        let mut longest: f64 = 0.0;
        for s in &t.spans {
            let (start, finish) = (s.at(0).unwrap(), s.at(1).unwrap());
            longest = longest.max(finish - start);
            for p in pings.iter().filter(|p| (start..finish).contains(&p[0])) {
                during += 1;
                // The loop was busy until `finish`: the ping cannot have been served before (1 ms for rounding).
                assert!(
                    p[1] >= finish - p[0] - 1.0,
                    "{name}: ping at {} ms late by {} ms, span to {finish}",
                    p[0],
                    p[1]
                );
            }
        }
        assert!(during > 0, "{name}: no ping came due during a serialization");
        let worst = pings.iter().map(|p| p[1]).fold(0.0, f64::max);
        assert!(worst >= longest - ping_ms - 1.0, "{name}: worst ping {worst} ms, longest serialization {longest} ms");
    }
    for name in ["spawn_blocking", "rayon", "python to_thread", "python processes"] {
        let t = timeline(r, name);
        assert_eq!(t.lanes.first().map(String::as_str), Some("event loop"), "{name}: {:?}", t.lanes);
        assert!(!t.spans.is_empty() && t.spans.iter().all(|s| s.lane > 0), "{name}: a serialization on the loop");
        assert!(t.marks.as_ref().is_some_and(|m| m.total > 0), "{name}: no pings");
    }
}
