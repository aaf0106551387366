//! Timelines: what each task or job of one variant did, instant by instant (spawned, got its permit, finished...),
//! and point events beside them (heartbeat ticks, pings) with a value each. Both sides compile this: the lab
//! records and condenses, the notebook draws. A result carries at most `MAX_SPANS` spans per variant, so files stay
//! small; counts over time (tasks in flight, requests queued) are taken from every task before that sampling.

use serde::{Deserialize, Serialize};

/// Spans kept per variant: every k-th task past this.
pub const MAX_SPANS: usize = 2_000;
/// Points kept per count line and per mark list.
pub const MAX_POINTS: usize = 2_000;

/// One variant's timeline. Times are ms since the variant started, rounded to the µs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Timeline {
    /// The variant, named as its series are ("tokio", "python asyncio").
    pub name: String,
    /// Where in the run it was recorded: "limit 100, repeat 1".
    pub at: String,
    /// What a span is, plural: "tasks", "jobs", "requests".
    pub unit: String,
    /// The instants each span may hold, in order ("spawned", "permit", "finished").
    pub instants: Vec<String>,
    /// The threads or processes the spans ran on, by `Span::lane`; empty where that was not recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lanes: Vec<String>,
    /// How many ran, all recorded; `spans` holds those `sampling` says.
    pub total: u64,
    pub sampling: String,
    pub spans: Vec<Span>,
    /// How many were in each state over time, counted over all `total` before sampling.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<Count>,
    /// Point events with a value each (a heartbeat tick and how late it was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marks: Option<Marks>,
    /// When the variant ended.
    pub end_ms: f64,
}

/// One task: its index in spawn order, its lane, and when it reached each instant (None: it never did).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "SpanRow", into = "SpanRow")]
pub struct Span {
    pub task: u64,
    pub lane: u32,
    pub at: Vec<Option<f64>>,
}

/// A span in the file: `[task, lane, [ms or null, ...]]`, a third of the size of named fields.
#[derive(Serialize, Deserialize)]
struct SpanRow(u64, u32, Vec<Option<f64>>);

impl From<SpanRow> for Span {
    fn from(r: SpanRow) -> Self {
        Span { task: r.0, lane: r.1, at: r.2 }
    }
}

impl From<Span> for SpanRow {
    fn from(s: Span) -> Self {
        SpanRow(s.task, s.lane, s.at)
    }
}

impl Span {
    /// When instant `i` was reached.
    pub fn at(&self, i: usize) -> Option<f64> {
        self.at.get(i).copied().flatten()
    }
}

/// How many spans were in a state over time: `[ms, count]` at each change (or resampled, see `sampling`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Count {
    pub name: String,
    pub points: Vec<[f64; 2]>,
}

impl Count {
    /// The most in this state at any time.
    pub fn max(&self) -> f64 {
        self.points.iter().map(|p| p[1]).fold(0.0, f64::max)
    }
}

/// Point events: `[ms, value]` each, `total` of them, kept as `sampling` says.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Marks {
    /// What they are and what the value measures: "heartbeat ticks", "late by, ms".
    pub name: String,
    pub value: String,
    pub total: u64,
    pub sampling: String,
    pub points: Vec<[f64; 2]>,
}

/// A state to count over time: from instant `from` until the first of `until` a span reached (never left when it
/// reached none of them, or when `until` is empty: "answered" counts up).
#[derive(Debug, Clone, Copy)]
pub struct State<'a> {
    pub name: &'a str,
    pub from: &'a str,
    pub until: &'a [&'a str],
}

/// Rounds ms to the µs: the clocks' useful precision, and shorter numbers in the file.
pub fn round_ms(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

impl Timeline {
    /// The index of instant `name`.
    pub fn instant(&self, name: &str) -> Option<usize> {
        self.instants.iter().position(|i| i == name)
    }

    /// Counts `states` over every span, then keeps at most `MAX_SPANS` spans (every k-th task) and `MAX_POINTS`
    /// marks (the largest value of each time slice, so a block shows however thin the slice). Recorders give all
    /// they recorded; this is the one place that decides what a result keeps.
    pub fn condense(mut self, states: &[State]) -> Timeline {
        self.spans.sort_by_key(|s| s.task);
        self.counts = states.iter().map(|s| self.count(s)).collect();
        // Past MAX_POINTS changes, every count is read at the same times, so that stacked counts still add up.
        if self.counts.iter().any(|c| c.points.len() > MAX_POINTS) {
            for c in &mut self.counts {
                c.points = resample(&c.points, self.end_ms, MAX_POINTS);
            }
        }
        self.total = self.total.max(self.spans.len() as u64);
        let n = self.spans.len();
        if n > MAX_SPANS {
            let k = n.div_ceil(MAX_SPANS);
            self.spans = std::mem::take(&mut self.spans).into_iter().step_by(k).collect();
            self.sampling = format!("every {} of {n} {} (in spawn order)", ordinal(k), self.unit);
        } else {
            self.sampling = format!("all {n} {}", self.unit);
        }
        if let Some(m) = self.marks.as_mut() {
            m.total = m.total.max(m.points.len() as u64);
            m.points = slice_max(&m.points, self.end_ms, MAX_POINTS);
            m.sampling = if m.points.len() as u64 == m.total {
                format!("all {}", m.total)
            } else {
                format!(
                    "the largest of each {:.3} ms slice ({} of {})",
                    self.end_ms / MAX_POINTS as f64,
                    m.points.len(),
                    m.total
                )
            };
        }
        self
    }

    /// How many spans were in `state` over time, as step points.
    fn count(&self, state: &State) -> Count {
        let from = self.instant(state.from);
        let until: Vec<usize> = state.until.iter().filter_map(|u| self.instant(u)).collect();
        let mut events: Vec<(f64, i64)> = Vec::new();
        for s in &self.spans {
            let Some(start) = from.and_then(|i| s.at(i)) else { continue };
            events.push((start, 1));
            let end = until.iter().filter_map(|&i| s.at(i)).fold(f64::INFINITY, f64::min);
            if end.is_finite() {
                events.push((end, -1));
            }
        }
        // Leavings before arrivals at the same instant: a permit handed on is not two in flight.
        events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut points: Vec<[f64; 2]> = vec![[0.0, 0.0]];
        let mut n = 0i64;
        for (t, d) in events {
            n += d;
            match points.last_mut() {
                Some(last) if last[0] == t => last[1] = n as f64,
                _ => points.push([t, n as f64]),
            }
        }
        points.push([self.end_ms.max(points.last().map_or(0.0, |p| p[0])), n as f64]);
        Count { name: state.name.into(), points }
    }
}

/// A step line read at `max` evenly spaced times over `0..end` (the value in force at each), keeping only the times
/// where the value changes (and the last): a flat stretch, or a count that never moves, costs no points.
fn resample(points: &[[f64; 2]], end: f64, max: usize) -> Vec<[f64; 2]> {
    let (t0, t1) = (0.0, end);
    let mut out = Vec::with_capacity(max);
    let mut j = 0;
    for k in 0..max {
        let t = t0 + (t1 - t0) * k as f64 / (max - 1) as f64;
        while j + 1 < points.len() && points[j + 1][0] <= t {
            j += 1;
        }
        if k + 1 == max || out.last().is_none_or(|p: &[f64; 2]| p[1] != points[j][1]) {
            out.push([round_ms(t), points[j][1]]);
        }
    }
    out
}

/// The point with the largest value in each of `max` equal time slices of `0..end`; all of them when few.
fn slice_max(points: &[[f64; 2]], end: f64, max: usize) -> Vec<[f64; 2]> {
    if points.len() <= max || end <= 0.0 {
        return points.to_vec();
    }
    let mut best: Vec<Option<[f64; 2]>> = vec![None; max];
    for p in points {
        let k = ((p[0] / end * max as f64) as usize).min(max - 1);
        if best[k].is_none_or(|b| p[1] > b[1]) {
            best[k] = Some(*p);
        }
    }
    best.into_iter().flatten().collect()
}

/// "2nd", "25th".
fn ordinal(k: usize) -> String {
    let suffix = match (k % 10, k % 100) {
        (1, n) if n != 11 => "st",
        (2, n) if n != 12 => "nd",
        (3, n) if n != 13 => "rd",
        _ => "th",
    };
    format!("{k}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(spans: Vec<Span>) -> Timeline {
        Timeline {
            name: "tokio".into(),
            unit: "tasks".into(),
            instants: vec!["spawned".into(), "permit".into(), "finished".into()],
            end_ms: 300.0,
            spans,
            ..Default::default()
        }
    }

    fn span(task: u64, at: [Option<f64>; 3]) -> Span {
        Span { task, lane: 0, at: at.to_vec() }
    }

    const IN_FLIGHT: State = State { name: "holding a permit", from: "permit", until: &["finished"] };
    const WAITING: State = State { name: "waiting", from: "spawned", until: &["permit"] };

    #[test]
    fn counts_step_up_and_down_and_a_hand_off_is_not_two_in_flight() {
        // Limit 1: task 1 takes the permit the instant task 0 leaves it.
        let t = timeline(vec![
            span(0, [Some(0.0), Some(0.0), Some(100.0)]),
            span(1, [Some(0.0), Some(100.0), Some(200.0)]),
            span(2, [Some(0.0), None, None]), // never got a permit: waiting to the end
        ])
        .condense(&[IN_FLIGHT, WAITING]);
        let flight = &t.counts[0];
        assert_eq!(flight.max(), 1.0, "{:?}", flight.points);
        assert_eq!(flight.points.last().unwrap(), &[300.0, 0.0]);
        let waiting = &t.counts[1];
        assert_eq!(waiting.points, [[0.0, 2.0], [100.0, 1.0], [300.0, 1.0]]);
        assert_eq!(waiting.points.last().unwrap()[1], 1.0, "task 2 waited to the end");
        assert_eq!(t.sampling, "all 3 tasks");
    }

    #[test]
    fn many_spans_keep_every_kth_and_say_so_while_counts_see_them_all() {
        let spans: Vec<Span> =
            (0..5_000).map(|i| span(i, [Some(0.0), Some(0.0), Some(1.0 + i as f64 / 100.0)])).collect();
        let t = timeline(spans).condense(&[IN_FLIGHT]);
        assert_eq!(t.spans.len(), 1_667);
        assert_eq!(t.spans[1].task, 3);
        assert_eq!(t.total, 5_000);
        assert_eq!(t.sampling, "every 3rd of 5000 tasks (in spawn order)");
        assert_eq!(t.counts[0].max(), 5_000.0, "counted before sampling");
        assert!(t.counts[0].points.len() <= MAX_POINTS);
    }

    #[test]
    fn many_changes_put_every_count_on_one_grid_so_stacks_add_up() {
        // 3,000 tasks finishing one by one: "running" changes 3,000 times, "done" too; "waiting" never changes.
        let spans: Vec<Span> =
            (0..3_000).map(|i| span(i, [Some(0.0), Some(0.0), Some(1.0 + i as f64 / 10.0)])).collect();
        let done = State { name: "done", from: "finished", until: &[] };
        let t = timeline(spans).condense(&[IN_FLIGHT, WAITING, done]);
        let grid: Vec<f64> = t.counts[0].points.iter().map(|p| p[0]).collect();
        // Running changes at nearly every grid time (not in the first ms, before any task finished).
        assert!((MAX_POINTS - 10..=MAX_POINTS).contains(&grid.len()), "{}", grid.len());
        // Every count's changes fall on that grid; one that never changes keeps its first and last points.
        assert!(t.counts.iter().all(|c| c.points.iter().all(|p| grid.contains(&p[0]))));
        assert_eq!(t.counts[1].points, [[0.0, 0.0], [*grid.last().unwrap(), 0.0]], "waiting: never");
        let value_at = |c: &Count, at: f64| c.points.iter().take_while(|p| p[0] <= at).last().map_or(0.0, |p| p[1]);
        for at in &grid {
            let sum: f64 = t.counts.iter().map(|c| value_at(c, *at)).sum();
            assert_eq!(sum, 3_000.0, "at {at} ms");
        }
    }

    #[test]
    fn marks_keep_the_worst_of_each_slice() {
        let mut t = timeline(vec![]);
        t.end_ms = 10_000.0;
        let mut points: Vec<[f64; 2]> = (0..10_000).map(|i| [i as f64, 0.1]).collect();
        points[5_001][1] = 480.0; // one blocked tick among thousands
        t.marks =
            Some(Marks { name: "heartbeat ticks".into(), value: "late by, ms".into(), points, ..Default::default() });
        let m = t.condense(&[]).marks.unwrap();
        assert_eq!(m.points.len(), MAX_POINTS);
        assert_eq!(m.total, 10_000);
        assert!(m.points.contains(&[5_001.0, 480.0]));
        assert!(m.sampling.starts_with("the largest of each 5.000 ms slice"), "{}", m.sampling);
    }

    #[test]
    fn spans_travel_as_short_rows() {
        let s = span(7, [Some(0.5), None, Some(2.25)]);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "[7,0,[0.5,null,2.25]]");
        assert_eq!(serde_json::from_str::<Span>(&json).unwrap(), s);
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
    }
}
