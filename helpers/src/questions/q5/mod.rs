//! Notebook 05, "If we change sleep to 1 second, what will async runtime become?": `use helpers::q5::*;`.
//!
//! The notes' formula, runtime ≈ (N / concurrency) × latency, measured against tokio and Python asyncio for a
//! sweep of latencies at one wave count, and for a sweep of wave counts (limits) at one latency: the second tells
//! a cost paid per wave (its slope) from one paid once per run (its intercept).

use crate::params::{in_range, list_in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// The Python twin (`helpers/python/`) that measures this question's Python side.
pub const TWIN: &str = "q5_latency.py";

/// Parameters of `lab q5`. Defaults are the notes' numbers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Tasks per run, 1 .. 1,000,000.
    pub tasks: u64,
    /// Semaphore size (the notes' "concurrency"), 1 .. tasks.
    pub limit: u64,
    /// Sleep per task to sweep, ms, each 1 .. 60,000, at most 12 values.
    pub latencies_ms: Vec<u64>,
    /// Runs of every variant, interleaved. 1 .. 10.
    pub repeats: u64,
    /// Run the Python asyncio twin beside Rust.
    pub python: bool,
    /// tokio scheduler: "multi_thread" or "current_thread".
    pub runtime: Flavor,
    /// Wave counts for the second sweep, each 1 .. tasks, at most 12; empty skips it. Each runs with limit
    /// ceil(tasks / waves), so it takes ceil(tasks / limit) waves (usually the count asked for).
    pub waves: Vec<u64>,
    /// Sleep per task in the wave sweep, ms, 1 .. 60,000.
    pub wave_latency_ms: u64,
    /// Record each task's instants for the timeline charts; false runs without recording, for measuring its cost.
    pub timeline: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tasks: 1000,
            limit: 100,
            latencies_ms: vec![10, 50, 100, 500, 1000],
            repeats: 1,
            python: true,
            runtime: Flavor::MultiThread,
            // 100 waves of 10 ms down to one: a lever long enough to read a slope of a fraction of a ms per wave,
            // in about 2 s per runtime.
            waves: vec![1, 10, 20, 50, 100],
            wave_latency_ms: 10,
            timeline: true,
        }
    }
}

/// The notes' formula, (N / concurrency) × latency, in seconds.
pub fn notes_s(tasks: u64, limit: u64, latency_ms: u64) -> f64 {
    tasks as f64 / limit as f64 * latency_ms as f64 / 1000.0
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q5";

    fn validate(&self) -> Result<()> {
        in_range("tasks", self.tasks, 1, 1_000_000)?;
        if self.limit < 1 || self.limit > self.tasks {
            return Err(LabError::invalid(format!(
                "limit must be between 1 and tasks ({}); got {}",
                self.tasks, self.limit
            )));
        }
        list_in_range("latencies_ms", &self.latencies_ms, 12, 1, 60_000)?;
        in_range("repeats", self.repeats, 1, 10)?;
        in_range("wave_latency_ms", self.wave_latency_ms, 1, 60_000)?;
        if self.waves.is_empty() {
            return Ok(());
        }
        list_in_range("waves", &self.waves, 12, 1, self.tasks)?;
        if self.wave_counts().len() < 2 {
            return Err(LabError::invalid(format!(
                "waves must give at least two different wave counts (tasks = {}) to tell a cost per wave from one \
                 per run, or be empty to skip that sweep; got {:?}",
                self.tasks, self.waves
            )));
        }
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        let variants = if self.python { 2.0 } else { 1.0 };
        let per_rep: f64 = self.latencies_ms.iter().map(|&l| super::q3::ideal_s(self.tasks, self.limit, l)).sum();
        let waves: u64 = self.wave_counts().iter().sum();
        let wave_s = waves as f64 * self.wave_latency_ms as f64 / 1000.0;
        (per_rep + wave_s) * variants * self.repeats as f64
    }
}

impl Params {
    /// The semaphore size that splits `tasks` into `waves` waves.
    pub fn limit_for(&self, waves: u64) -> u64 {
        self.tasks.div_ceil(waves.max(1)).max(1)
    }

    /// The wave counts the wave sweep runs, ascending, each once: ceil(tasks / limit) for each limit it uses.
    pub fn wave_counts(&self) -> Vec<u64> {
        let mut w: Vec<u64> = self.waves.iter().map(|&n| self.tasks.div_ceil(self.limit_for(n))).collect();
        w.sort_unstable();
        w.dedup();
        w
    }
}

/// The run a timeline is recorded at, chosen from the params before anything runs.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelinePoint {
    /// The wave count when it is a run of the wave sweep, None for one of the latency sweep.
    pub waves: Option<u64>,
    pub limit: u64,
    pub latency_ms: u64,
    /// Where, in words, for the timeline's `at`.
    pub at: String,
}

impl Params {
    /// The wave sweep's run nearest the notes' ceil(N / concurrency) waves (10 at the defaults, so limit 100),
    /// first repeat: its short sleep (`wave_latency_ms`) makes the cost of each wave a visible share of a step.
    /// Without a wave sweep, the latency sweep's run nearest the notes' 100 ms.
    pub fn timeline_point(&self) -> TimelinePoint {
        let notes_waves = self.tasks.div_ceil(self.limit.max(1));
        if let Some(w) = super::q3::nearest(&self.wave_counts(), notes_waves) {
            let (limit, lat) = (self.limit_for(w), self.wave_latency_ms);
            let at = format!("{w} waves of {lat} ms, limit {limit}, repeat 1");
            return TimelinePoint { waves: Some(w), limit, latency_ms: lat, at };
        }
        let lat = super::q3::nearest(&self.latencies_ms, 100).unwrap_or(100);
        let at = format!("latency {lat} ms, limit {}, repeat 1", self.limit);
        TimelinePoint { waves: None, limit: self.limit, latency_ms: lat, at }
    }
}

/// The least-squares line through `points` ([waves, excess ms]): (intercept, slope) = (ms paid once per run, ms
/// per wave). None without two distinct wave counts.
pub fn fit(points: &[[f64; 2]]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    let (mx, my) = (points.iter().map(|p| p[0]).sum::<f64>() / n, points.iter().map(|p| p[1]).sum::<f64>() / n);
    let sxx: f64 = points.iter().map(|p| (p[0] - mx).powi(2)).sum();
    if points.len() < 2 || sxx <= 0.0 {
        return None;
    }
    let slope = points.iter().map(|p| (p[0] - mx) * (p[1] - my)).sum::<f64>() / sxx;
    Some((my - slope * mx, slope))
}

#[cfg(feature = "experiments")]
mod run;
#[cfg(feature = "experiments")]
pub use run::execute;
pub mod judge;

use crate::chart::{lines, LineSpec};
pub use crate::prelude::*;
use crate::questions::permits;
use plotters::prelude::SeriesLabelPosition as Corner;

/// Measured runtime against the notes' formula; on the dashed line y = x they agree.
pub fn formula_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "measured_s",
            "Measured runtime vs (N / concurrency) x latency",
            "predicted by the formula, s (log)",
            "measured, s (log)",
        )
        .log_x()
        .log_y()
        .legend(Corner::UpperLeft),
    )
}

/// measured - ceil(N/c) x latency, by latency: every point has the same waves, so a flat line is a cost that does
/// not grow with the sleep, paid per wave or per run alike.
pub fn residual_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "residual_ms",
            "Excess over ceil(N / c) x latency, by latency (same waves at every point)",
            "latency, ms (log)",
            "ms over the model",
        )
        .log_x()
        .legend(Corner::LowerRight),
    )
}

/// The same excess by wave count at one latency, with each runtime's least-squares line: the slope is the cost
/// per wave, the intercept the cost per run.
pub fn waves_chart(r: &LabResult) -> Result<Chart> {
    let mut with_fits = r.clone();
    for name in ["tokio", "python"] {
        let Some(s) = r.series(name, "wave_residual_ms") else { continue };
        let Some((a, b)) = fit(&s.points) else { continue };
        let (lo, hi) = s.points.iter().fold((f64::MAX, f64::MIN), |(l, h), p| (l.min(p[0]), h.max(p[0])));
        let mut line = Series::new(&format!("{name} fit model"), "waves", "wave_residual_ms");
        line.points = vec![[lo, a + b * lo], [hi, a + b * hi]];
        with_fits.series.push(line);
    }
    lines(
        &with_fits,
        &LineSpec::new(
            "wave_residual_ms",
            "Excess over waves x latency, by number of waves",
            "waves = ceil(N / limit)",
            "ms over the model",
        )
        .legend(Corner::UpperLeft),
    )
}

/// How late each sleep woke, p99, by latency.
pub fn lateness_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "lateness_p99_ms",
            "How late a sleep wakes (p99 over tasks)",
            "latency, ms (log)",
            "lateness p99, ms",
        )
        .log_x()
        .legend(Corner::LowerRight),
    )
}

/// The variants a timeline is recorded for, in the charts' order.
const TIMELINES: [&str; 2] = ["tokio", "python"];

/// Tasks holding a permit and waiting for one over time, one panel per runtime, against the limit (dashed).
pub fn in_flight_chart(r: &LabResult) -> Result<Chart> {
    let p: Params = permits::params_of(r)?;
    permits::in_flight_chart(r, &TIMELINES, p.timeline_point().limit)
}

/// A sample of tasks, one bar each: how long each waited for its permit, then slept.
pub fn lifetimes_chart(r: &LabResult) -> Result<Chart> {
    permits::lifetimes_chart(r, &TIMELINES)
}

/// One line per recorded runtime: how far apart its waves started, against the sleep. The difference is what one
/// wave cost in that run: the cost per wave that the wave sweep's slope fits, plus the wave's share of per-task work
/// (which the fit counts per run, since it totals the same however the tasks are grouped).
pub fn wave_periods(r: &LabResult) -> Result<String> {
    let point = permits::params_of::<Params>(r)?.timeline_point();
    let lines: Vec<String> = TIMELINES
        .iter()
        .filter_map(|name| r.timeline(name))
        .filter_map(|t| {
            let period = permits::wave_period_ms(t, point.limit)?;
            Some(format!(
                "{}: a wave every {period:.2} ms for a sleep of {} ms: {:.2} ms more per wave ({})",
                t.name,
                point.latency_ms,
                period - point.latency_ms as f64,
                t.at
            ))
        })
        .collect();
    if lines.is_empty() {
        return Err(LabError::other(format!(
            "q5: no timeline with two waves or more in this result (recorded at {})",
            point.at
        )));
    }
    Ok(lines.join("\n"))
}

/// One line per runtime: what the run took beyond ceil(N / concurrency) x latency at the shortest and at the longest
/// latency of the sweep, and their ratio, so that prose about how the excess moves with the sleep reads this run.
pub fn excess_by_latency(r: &LabResult) -> Result<String> {
    let lines: Vec<String> = ["tokio", "python"]
        .iter()
        .filter_map(|name| {
            let s = r.series(name, "residual_ms")?;
            let lo = s.points.iter().min_by(|a, b| a[0].total_cmp(&b[0]))?;
            let hi = s.points.iter().max_by(|a, b| a[0].total_cmp(&b[0]))?;
            let label = if *name == "tokio" { "tokio" } else { "asyncio" };
            Some(format!(
                "{label}: {:.1} ms beyond the waves of sleep at {:.0} ms, {:.1} ms at {:.0} ms ({:.2}x)",
                lo[1],
                lo[0],
                hi[1],
                hi[0],
                hi[1] / lo[1].max(1e-3)
            ))
        })
        .collect();
    if lines.is_empty() {
        return Err(LabError::other("q5: no series measuring `residual_ms` in this result"));
    }
    Ok(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_excess_is_read_at_both_ends_of_the_sweep() {
        let mut r = crate::judging::fixture::result("q5", serde_json::json!({}));
        for (x, v) in [(10.0, 12.5), (100.0, 15.0), (1000.0, 24.2)] {
            crate::judging::fixture::set(&mut r, "python", "latency_ms", "residual_ms", x, v);
        }
        let s = excess_by_latency(&r).unwrap();
        assert_eq!(s, "asyncio: 12.5 ms beyond the waves of sleep at 10 ms, 24.2 ms at 1000 ms (1.94x)");
        r.series.clear();
        assert!(excess_by_latency(&r).is_err());
    }

    #[test]
    fn the_timeline_is_recorded_at_the_notes_waves_or_else_near_100_ms() {
        let tp = Params::default().timeline_point();
        assert_eq!((tp.waves, tp.limit, tp.latency_ms), (Some(10), 100, 10));
        assert_eq!(tp.at, "10 waves of 10 ms, limit 100, repeat 1");
        let tp = Params { waves: vec![], ..Params::default() }.timeline_point();
        assert_eq!((tp.waves, tp.limit, tp.latency_ms), (None, 100, 100));
        assert_eq!(tp.at, "latency 100 ms, limit 100, repeat 1");
        // The notes' ceil(1000 / 300) = 4 waves: 2 is nearer than 1 or 50; without waves, 40 and 250 ms tie.
        let p = Params { limit: 300, waves: vec![1, 2, 50], latencies_ms: vec![250, 40], ..Params::default() };
        assert_eq!((p.timeline_point().waves, p.timeline_point().limit), (Some(2), 500));
        assert_eq!(Params { waves: vec![], ..p }.timeline_point().latency_ms, 40);
    }
}
