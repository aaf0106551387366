//! The requests' timeline: where each request was at each moment of a recorded run (`ClientLimit::recorded`), as
//! states counted over every request, and the chart that stacks them.

use super::{ClientLimit, Params};
use crate::chart::{stacked, Chart};
use crate::error::{LabError, Result};
use crate::result::LabResult;
use crate::timeline::State;

/// What `requests_chart` stacks, first at the bottom: where each request was at each moment. "In the server's
/// pool" runs from the permit to the outcome: connecting, the server's accept backlog and its queue for a pool
/// connection, and the service itself (the client cannot tell them apart). The outcomes count up from their instant.
pub const STATES: [State; 5] = [
    State { name: "queued at the client", from: "submitted", until: &["sent"] },
    State { name: "in the server's pool", from: "sent", until: &["answered", "timed out", "refused"] },
    State { name: "answered", from: "answered", until: &[] },
    State { name: "timed out", from: "timed out", until: &[] },
    State { name: "refused", from: "refused", until: &[] },
];

/// Each recorded run's requests over time, stacked by state (`STATES`): one panel per client and run, on one time
/// axis.
pub fn requests_chart(r: &LabResult) -> Result<Chart> {
    let p: Params = serde_json::from_value(r.params.clone())
        .map_err(|e| LabError::other(format!("q4: this result's params do not parse: {e}")))?;
    let names: Vec<String> = ["tokio", "python"]
        .iter()
        .flat_map(|c| ClientLimit::recorded(&p).into_iter().map(move |run| run.timeline_name(c)))
        .collect();
    if names.is_empty() {
        return Err(LabError::other("q4: this run recorded no timeline (timeline: false); set timeline: true"));
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    stacked(r, "Where the requests were, moment by moment", &names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::{Span, Timeline};

    const INSTANTS: [&str; 5] = ["submitted", "sent", "answered", "timed out", "refused"];

    /// A recorded run of four requests: two answered at 20 ms, then one timed out and one refused; behind a limit
    /// of 2 the last two wait for the first two's permits, without one they are sent at once.
    fn timeline(name: &str, limited: bool) -> Timeline {
        let sent = if limited { 20.0 } else { 0.0 };
        let spans = [
            [Some(0.0), Some(0.0), Some(20.0), None, None],
            [Some(0.0), Some(0.0), Some(20.0), None, None],
            [Some(0.0), Some(sent), None, Some(sent + 50.0), None],
            [Some(0.0), Some(sent), None, None, Some(sent + 1.0)],
        ];
        Timeline {
            name: name.into(),
            at: "pool of 2".into(),
            unit: "requests".into(),
            instants: INSTANTS.map(String::from).to_vec(),
            spans: spans.iter().enumerate().map(|(i, at)| Span { task: i as u64, lane: 0, at: at.to_vec() }).collect(),
            end_ms: 80.0,
            ..Default::default()
        }
        .condense(&STATES)
    }

    fn result(p: Params, names: &[(&str, bool)]) -> LabResult {
        LabResult {
            experiment: "q4".into(),
            params: serde_json::to_value(p).unwrap(),
            timelines: names.iter().map(|(n, limited)| timeline(n, *limited)).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn the_runs_recorded_are_the_limit_nearest_the_pool_and_none() {
        use ClientLimit::*;
        assert_eq!(ClientLimit::recorded(&Params::default()), [Limit(50), Unlimited]);
        let p = |limits: Vec<Option<u64>>| Params { limits, ..Params::default() };
        assert_eq!(ClientLimit::recorded(&p(vec![Some(10), Some(200)])), [Limit(10)]);
        assert_eq!(
            ClientLimit::recorded(&p(vec![Some(60), Some(40), None])),
            [Limit(40), Unlimited],
            "a tie: the smaller"
        );
        assert_eq!(ClientLimit::recorded(&p(vec![None])), [Unlimited]);
        assert!(ClientLimit::recorded(&Params { timeline: false, ..Params::default() }).is_empty());
        assert_eq!(Limit(50).timeline_name("tokio"), "tokio, limit 50");
        assert_eq!(Unlimited.timeline_name("python"), "python, no limit");
    }

    #[test]
    fn the_chart_stacks_where_the_requests_were_per_client_and_run() {
        let p = Params { limits: vec![Some(2), None], pool_size: 2, python: false, ..Params::default() };
        let r = result(p.clone(), &[("tokio, limit 2", true), ("tokio, no limit", false)]);
        let c = requests_chart(&r).unwrap();
        assert!(c.svg.contains("queued at the client") && c.svg.contains("timed out"));
        assert!(
            c.alt.contains(
                "tokio, limit 2 (pool of 2, 4 requests): queued at the client at most 2, 0 at the end, in the \
                 server's pool at most 2, 0 at the end, answered at most 2, 2 at the end, timed out at most 1, 1 at \
                 the end, refused at most 1, 1 at the end"
            ),
            "{}",
            c.alt
        );
        assert!(
            c.alt.contains("tokio, no limit (pool of 2, 4 requests): queued at the client at most 0,"),
            "{}",
            c.alt
        );
        // Python's runs were not made (python: false): the chart draws what the result holds.
        assert!(!c.alt.contains("python"));
        let e = requests_chart(&result(Params { timeline: false, ..p.clone() }, &[])).unwrap_err();
        assert!(e.message.contains("timeline: false"), "{e}");
        let e = requests_chart(&result(p, &[])).unwrap_err();
        assert!(e.message.contains("no timeline of tokio, limit 2, tokio, no limit"), "{e}");
    }

    /// The states name the instants the lab's client records, so the two cannot drift apart.
    #[cfg(feature = "experiments")]
    #[test]
    fn the_states_name_the_clients_instants() {
        assert_eq!(INSTANTS, crate::workload::client::INSTANTS);
        for s in STATES {
            assert!(s.until.iter().chain([&s.from]).all(|i| INSTANTS.contains(i)), "{}", s.name);
        }
    }
}
