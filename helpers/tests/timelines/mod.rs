//! What the recorded timelines of a small run must show (called from `experiments.rs`, beside each question's
//! other checks, so that the run is not made twice).

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
