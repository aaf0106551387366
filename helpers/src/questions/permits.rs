//! The timelines of the questions whose tasks wait for a semaphore's permit and then sleep (q3, q5): the states
//! counted over time, the phases of a task's life, the two charts, and the wave period read from a timeline. The
//! lab side records the instants `spawned`, `permit` and `finished` (`workload::sleepers::INSTANTS`).

use crate::chart::{counts, lifetimes, Chart};
use crate::error::{LabError, Result};
use crate::result::LabResult;
use crate::timeline::{State, Timeline};
use serde::de::DeserializeOwned;

/// Counted over every task, before the spans are sampled.
pub const STATES: [State<'static>; 2] = [
    State { name: "holding a permit", from: "permit", until: &["finished"] },
    State { name: "waiting for a permit", from: "spawned", until: &["permit"] },
];

/// The gap after each instant: spawned → permit, then permit → finished.
pub const PHASES: [&str; 2] = ["waiting for a permit", "sleeping"];

/// Tasks drawn per runtime in the lifetimes chart: six or so per wave at the notes' ten waves, each row still a
/// few pixels tall.
pub const ROWS: usize = 60;

/// A result's params as question `P` reads them.
pub fn params_of<P: DeserializeOwned>(r: &LabResult) -> Result<P> {
    serde_json::from_value(r.params.clone())
        .map_err(|e| LabError::invalid(format!("{}: the result's params do not parse: {e}", r.experiment)))
}

/// Tasks holding a permit and waiting for one over time, one panel per runtime of `names`, the limit dashed.
pub fn in_flight_chart(r: &LabResult, names: &[&str], limit: u64) -> Result<Chart> {
    let label = format!("limit {limit}");
    counts(r, "Tasks holding a permit and waiting for one, over time", names, Some((limit as f64, &label)))
}

/// A sample of tasks per runtime of `names`, one bar each in spawn order: waiting for a permit, then sleeping.
pub fn lifetimes_chart(r: &LabResult, names: &[&str]) -> Result<Chart> {
    lifetimes(r, "Task lifetimes: waiting for a permit, then sleeping", names, &PHASES, ROWS)
}

/// The time from one wave's permits to the next's, ms: from the first permit to the first of the last wave, over
/// the waves between (None with fewer than two waves). Tasks take permits in waves of `limit`, in the order they
/// got them; on a sampled timeline the wave's first task is found by its share of the total.
pub fn wave_period_ms(t: &Timeline, limit: u64) -> Option<f64> {
    let i = t.instant("permit")?;
    let mut at: Vec<f64> = t.spans.iter().filter_map(|s| s.at(i)).collect();
    at.sort_by(f64::total_cmp);
    let waves = t.total.div_ceil(limit.max(1));
    if waves < 2 || at.is_empty() {
        return None;
    }
    let last_wave = ((waves - 1) * limit) as f64 / t.total as f64 * at.len() as f64;
    let last = at.get((last_wave.round() as usize).min(at.len() - 1))?;
    Some((last - at[0]) / (waves - 1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::Span;

    /// `tasks` tasks behind `limit` permits, each sleeping `period` ms, all spawned at 0.
    fn waves(tasks: u64, limit: u64, period: f64) -> Timeline {
        let spans = (0..tasks)
            .map(|i| {
                let start = (i / limit) as f64 * period;
                Span { task: i, lane: 0, at: vec![Some(0.0), Some(start), Some(start + period)] }
            })
            .collect();
        Timeline {
            name: "tokio".into(),
            at: "limit 10".into(),
            unit: "tasks".into(),
            instants: ["spawned", "permit", "finished"].map(String::from).to_vec(),
            end_ms: tasks.div_ceil(limit) as f64 * period,
            spans,
            ..Default::default()
        }
        .condense(&STATES)
    }

    #[test]
    fn the_wave_period_is_read_from_the_permits_even_when_sampled() {
        assert_eq!(wave_period_ms(&waves(100, 10, 11.5), 10), Some(11.5));
        let sampled = waves(10_000, 1_000, 11.5);
        assert!(sampled.spans.len() < 10_000, "{}", sampled.sampling);
        let p = wave_period_ms(&sampled, 1_000).unwrap();
        assert!((p - 11.5).abs() < 0.01, "{p}");
        assert_eq!(wave_period_ms(&waves(10, 10, 11.5), 10), None, "one wave has no period");
    }

    #[test]
    fn the_states_count_permits_held_and_tasks_waiting() {
        let t = waves(100, 10, 10.0);
        assert_eq!(t.counts[0].name, "holding a permit");
        assert_eq!(t.counts[0].max(), 10.0);
        assert_eq!(t.counts[1].max(), 90.0, "{:?}", &t.counts[1].points[..3]);
        let r = LabResult { experiment: "q3".into(), timelines: vec![t], ..Default::default() };
        let c = in_flight_chart(&r, &["tokio", "python"], 10).unwrap();
        assert!(
            c.alt.contains("holding a permit at most 10, at or above the limit 10 (10) for 100 ms, waiting for a permit at most 90 over"),
            "{}",
            c.alt
        );
        let c = lifetimes_chart(&r, &["tokio"]).unwrap();
        assert!(c.alt.contains("60 drawn of 100"), "{}", c.alt);
    }
}
