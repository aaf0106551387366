//! Notebook 01, "Why does async not help CPU-bound tasks?": `use helpers::q1::*;`.
//!
//! `jobs` CPU jobs of `job_ms` each, run sequentially, as async tasks on tokio's single- and multi-threaded
//! runtimes, on the blocking pool, on rayon, and as async tasks with yield points; a heartbeat probe measures
//! how long the event loop is blocked. The Python twin runs the asyncio (without and with `sleep(0)` yields) /
//! to_thread / process-pool versions.
//! In the first repeat every job records its start, end and thread: `lanes_chart` and `python_lanes_chart`.

use crate::params::{in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// The Python twin (`helpers/python/`) that measures this question's Python side.
pub const TWIN: &str = "q1_cpu_bound.py";

/// Parameters of `lab q1`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// CPU jobs per strategy, 1 .. 1000 (default: `default_jobs()`).
    pub jobs: u64,
    /// Work per job in ms (calibrated on this machine at start), 0.1 .. 10,000.
    pub job_ms: f64,
    /// Work between two `yield_now().await` in the yielding variant, µs, 10 .. 1,000,000.
    pub yield_every_us: u64,
    /// Rounds of every strategy, interleaved (A B C A B C) so that drift in clock speed hits all alike. 1 .. 10.
    pub repeats: u64,
    /// Run the Python twin (asyncio, to_thread, ProcessPoolExecutor) beside Rust.
    pub python: bool,
    /// Record each job's instants for the timeline charts (first repeat only); false runs without recording, for
    /// measuring its cost.
    pub timeline: bool,
}

/// The default job count: two jobs per core this process may use, at least 8, so that the job count never caps the
/// speed-up below the cores (8 jobs would cap it at 8 on a 16-core machine).
pub fn default_jobs() -> u64 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    (2 * cores).clamp(8, 1000)
}

impl Default for Params {
    fn default() -> Self {
        Params { jobs: default_jobs(), job_ms: 100.0, yield_every_us: 500, repeats: 3, python: true, timeline: true }
    }
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q1";

    fn validate(&self) -> Result<()> {
        in_range("jobs", self.jobs, 1, 1000)?;
        if !self.job_ms.is_finite() {
            return Err(crate::error::LabError::invalid(format!(
                "job_ms must be between 0.1 and 10000; got {}",
                self.job_ms
            )));
        }
        in_range("job_ms", self.job_ms, 0.1, 10_000.0)?;
        in_range("yield_every_us", self.yield_every_us, 10, 1_000_000)?;
        in_range("repeats", self.repeats, 1, 10)?;
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
        let total = self.jobs as f64 * self.job_ms / 1000.0;
        // Three strategies on one core, three on all; Python: four on one core (its loop is slower to start),
        // one on all plus its pool's start-up.
        let rust = total * (3.0 + 3.0 / cores);
        let python = if self.python { total * (4.0 + 1.0 / cores) + 1.0 } else { 0.0 };
        (rust + python) * self.repeats as f64
    }
}

#[cfg(feature = "experiments")]
mod run;
#[cfg(feature = "experiments")]
pub use run::execute;
pub mod judge;

use crate::chart::{bars, lanes, BarSpec};
pub use crate::prelude::*;

/// Every strategy, Rust then Python, with a short label for bar charts.
const STRATEGIES: [(&str, &str); 11] = [
    ("sequential", "sequential"),
    ("tokio current_thread", "current_thread"),
    ("tokio multi_thread", "multi_thread"),
    ("spawn_blocking", "spawn_blocking"),
    ("rayon", "rayon"),
    ("tokio yield_now", "yield_now"),
    ("python sequential", "py sequential"),
    ("python asyncio", "py asyncio"),
    ("python asyncio yield", "py sleep(0)"),
    ("python to_thread", "py to_thread"),
    ("python processes", "py processes"),
];

/// The dashed ceiling: the cores present, or the job count where fewer jobs than cores ran (no speed-up can pass
/// either).
fn strategy_bars(r: &LabResult, y: &str, title: &str, y_label: &str) -> BarSpec {
    let bars: Vec<(&str, &str, &str)> = STRATEGIES.iter().map(|(n, l)| (*n, y, *l)).collect();
    let cores = r.machine.cores as f64;
    let (ceiling, label) = match r.params.get("jobs").and_then(|j| j.as_f64()) {
        Some(jobs) if jobs < cores => (jobs, format!("ceiling: {jobs:.0} jobs < {cores:.0} cores")),
        _ => (cores, "cores present".to_string()),
    };
    BarSpec::new(title, y_label, &bars).reference(ceiling, &label)
}

/// Speed-up over the same language's sequential loop, with the ceiling (cores present, or fewer jobs) dashed.
pub fn speedup_chart(r: &LabResult) -> Result<Chart> {
    bars(r, &strategy_bars(r, "speedup", "Speed-up over sequential (median of repeats)", "speed-up, x"))
}

/// CPU time / wall time: how many cores each strategy kept busy (robust to the machine's speed drift).
pub fn cores_chart(r: &LabResult) -> Result<Chart> {
    bars(r, &strategy_bars(r, "cores_busy", "Cores busy: CPU time / wall time", "cores"))
}

/// The worst heartbeat lateness under each strategy: how long the event loop could not answer.
pub fn lag_chart(r: &LabResult) -> Result<Chart> {
    let bars: Vec<(&str, &str, &str)> =
        STRATEGIES.iter().filter(|(n, _)| !n.ends_with("sequential")).map(|(n, l)| (*n, "lag_max_ms", *l)).collect();
    crate::chart::bars(
        r,
        &BarSpec::new("Event-loop lag: how late a 1 ms heartbeat woke (max)", "ms (log)", &bars).log_y(),
    )
}

/// What a job's bar is: from "started" to "finished".
const PHASES: [&str; 1] = ["job"];

/// The Rust strategies' first repeat, one row per thread that ran jobs, each job a bar; the heartbeat's ticks on a
/// strip above, by lateness. A blocked loop shows as a gap in the ticks, then a column of late ones.
pub fn lanes_chart(r: &LabResult) -> Result<Chart> {
    lanes(
        r,
        "Rust: which thread ran each job, and when the heartbeat ticked",
        &["tokio current_thread", "tokio yield_now", "tokio multi_thread", "spawn_blocking", "rayon"],
        &PHASES,
    )
}

/// The same for the Python twin: the loop's one thread, to_thread's pool threads, the process pool's workers.
pub fn python_lanes_chart(r: &LabResult) -> Result<Chart> {
    lanes(
        r,
        "Python: which thread or process ran each job, and when the heartbeat ticked",
        &["python asyncio", "python asyncio yield", "python to_thread", "python processes"],
        &PHASES,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::{Marks, Span, Timeline};

    #[test]
    fn lanes_charts_draw_the_recorded_jobs_and_say_when_none_were() {
        let mut r = LabResult { experiment: "q1".into(), ..Default::default() };
        let e = lanes_chart(&r).unwrap_err();
        assert!(e.message.contains("no timeline of tokio current_thread") && e.message.contains("timeline: false"));
        let spans =
            (0..2).map(|i| Span { task: i, lane: 0, at: vec![Some(i as f64 * 50.0), Some(50.0 + i as f64 * 50.0)] });
        let ticks = Marks {
            name: "heartbeat ticks".into(),
            value: "late by, ms".into(),
            points: vec![[100.0, 99.0]],
            ..Default::default()
        };
        r.timelines.push(
            Timeline {
                name: "tokio current_thread".into(),
                at: "repeat 1".into(),
                unit: "jobs".into(),
                instants: vec!["started".into(), "finished".into()],
                lanes: vec!["loop thread 0".into()],
                spans: spans.collect(),
                marks: Some(ticks),
                end_ms: 100.0,
                ..Default::default()
            }
            .condense(&[]),
        );
        let c = lanes_chart(&r).unwrap();
        assert!(
            c.alt.contains("tokio current_thread: all 2 jobs (job) on 1 lane over 100 ms, each lane busy 100%"),
            "{}",
            c.alt
        );
        assert!(c.alt.contains("worst 99, 1 of those drawn 10 ms or more"), "{}", c.alt);
        assert!(python_lanes_chart(&r).is_err(), "no Python timeline in this result");
    }
}
