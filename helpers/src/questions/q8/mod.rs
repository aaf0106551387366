//! Notebook 08, "If each task did large JSON serialization": `use helpers::q8::*;`.
//!
//! `tasks` tasks each serialize a nested document of `doc_bytes` (swept), inline on the event loop or offloaded
//! (spawn_blocking, rayon, batches), while a heartbeat and light "ping" tasks measure how responsive the loop
//! stays. The Python twin does the same with json.dumps, asyncio.to_thread and a ProcessPoolExecutor; and, as a
//! control (`BUILT_IN_WORKER`), the same pool with each worker building its own document from its size and
//! returning the JSON as bytes, so that the parent pickles no object graph: what is left of the loop's stalls
//! without the pickling tells whether pickling caused them.
//!
//! Then an open loop: requests of `open_doc_bytes` each arrive on a schedule of their own (Poisson or evenly
//! spaced, seeded, the same in both languages) at `open_load_pct` % of what one core serializes, served inline or on
//! rayon (Rust), inline or on that pool (Python), each request's latency from when it was due.

use crate::params::{in_range, list_in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// The Python twin (`helpers/python/`) that measures this question's Python side.
pub const TWIN: &str = "q8_json.py";

/// The control beside "python processes": the same process pool, sent each document's size only; the worker builds
/// the identical document, runs json.dumps and returns the text as bytes. Same measures as the other variants.
pub const BUILT_IN_WORKER: &str = "python processes (built in worker)";

/// The open-loop variants of the Python twin: json.dumps inline on the loop, and on the process pool whose workers
/// hold their own document (sent its size, they return the JSON as bytes).
pub const OPEN_PYTHON: [&str; 2] = ["python inline", BUILT_IN_WORKER];

/// Parameters of `lab q8`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Documents serialized per run (one per task), 1 .. 10,000.
    pub tasks: u64,
    /// Document sizes to sweep, bytes of JSON, each 100 .. 50,000,000, at most 8 values.
    pub doc_bytes: Vec<u64>,
    /// Documents per call in the batched strategy, 1 .. tasks.
    pub batch: u64,
    /// Interval between the light ping tasks, ms, 1 .. 1000.
    pub ping_ms: u64,
    /// The document size the claims are judged at: one of `doc_bytes` (the notes' case: large documents).
    pub judge_doc_bytes: u64,
    /// Run the Python twin (json.dumps inline, to_thread, processes, batches, built in the worker) beside Rust.
    pub python: bool,
    /// Record the timelines of `RECORDED` at `judge_doc_bytes` (each serialization on its thread, every ping).
    pub timeline: bool,
    /// The open-loop runs: each request serializes a document of this many bytes, 100 .. 5,000,000.
    pub open_doc_bytes: u64,
    /// Offered loads, % of what one core serializes (one document's time, measured just before each load's runs),
    /// each 5 .. 200, at most 4 values; above 100 the loop cannot keep up.
    pub open_load_pct: Vec<u64>,
    /// The load the claims are judged at: one of `open_load_pct`.
    pub open_judge_pct: u64,
    /// Requests per Python open-loop run (each variant, each load), 20 .. 20,000: 100 or more for a p99 of its own.
    pub open_requests: u64,
    /// Requests per Rust open-loop run, 20 .. 20,000: serde_json takes about a fifth of json.dumps' time, so more
    /// requests fit in fewer seconds, and a p99 of more requests rests less on one hiccup of the machine.
    pub open_requests_rust: u64,
    /// How the requests arrive: `Arrivals::Poisson` (random gaps, seeded) or `Arrivals::Fixed` (evenly spaced).
    pub open_arrivals: Arrivals,
}

/// How open-loop requests arrive, at the same average rate either way.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Arrivals {
    /// Independent arrivals (exponential gaps from a seeded generator): bursts and lulls, as independent clients
    /// make.
    #[default]
    Poisson,
    /// One request every 1 / rate: no bursts, so at a load below 100% no request waits for another.
    Fixed,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tasks: 16,
            doc_bytes: vec![10_000, 100_000, 1_000_000, 10_000_000],
            batch: 4,
            ping_ms: 5,
            judge_doc_bytes: 10_000_000,
            python: true,
            timeline: true,
            open_doc_bytes: 500_000,
            open_load_pct: vec![80],
            open_judge_pct: 80,
            open_requests: 160,
            open_requests_rust: 400,
            open_arrivals: Arrivals::Poisson,
        }
    }
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q8";

    fn validate(&self) -> Result<()> {
        in_range("tasks", self.tasks, 1, 10_000)?;
        list_in_range("doc_bytes", &self.doc_bytes, 8, 100, 50_000_000)?;
        if self.batch < 1 || self.batch > self.tasks {
            return Err(crate::error::LabError::invalid(format!(
                "batch must be between 1 and tasks ({}); got {}",
                self.tasks, self.batch
            )));
        }
        in_range("ping_ms", self.ping_ms, 1, 1000)?;
        if !self.doc_bytes.contains(&self.judge_doc_bytes) {
            return Err(crate::error::LabError::invalid(format!(
                "judge_doc_bytes must be one of doc_bytes {:?}; got {}",
                self.doc_bytes, self.judge_doc_bytes
            )));
        }
        in_range("open_doc_bytes", self.open_doc_bytes, 100, 5_000_000)?;
        list_in_range("open_load_pct", &self.open_load_pct, 4, 5, 200)?;
        if !self.open_load_pct.contains(&self.open_judge_pct) {
            return Err(crate::error::LabError::invalid(format!(
                "open_judge_pct must be one of open_load_pct {:?}; got {}",
                self.open_load_pct, self.open_judge_pct
            )));
        }
        in_range("open_requests", self.open_requests, 20, 20_000)?;
        in_range("open_requests_rust", self.open_requests_rust, 20, 20_000)?;
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        // serde_json writes about 150 MB/s here, json.dumps about 100 MB/s; five Rust strategies (two of them on
        // every core), four Python ones, and building each document. The fifth Python one builds every document in
        // a worker (about 60 MB/s) and serializes it there, over the cores.
        let bytes: f64 = self.doc_bytes.iter().map(|&b| b as f64).sum();
        let per_doc = bytes * self.tasks as f64;
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
        let rust = per_doc / 150e6 * 4.0 + bytes / 50e6;
        let built_in_worker = per_doc * (1.0 / 100e6 + 1.0 / 60e6) / cores;
        let python = if self.python { per_doc / 100e6 * 5.0 + bytes / 20e6 * 4.0 + built_in_worker } else { 0.0 };
        // Open loop: each run lasts its requests' arrivals, n x one document's time / load; two variants a language
        // (serde_json about 450 MB/s on one thread, json.dumps 80), and the twin's pool to start.
        let per_load: f64 = self.open_load_pct.iter().map(|&l| 100.0 / l as f64).sum();
        let doc = self.open_doc_bytes as f64;
        let open_rust = 2.0 * per_load * self.open_requests_rust as f64 * doc / 450e6;
        let open_python = if self.python { 2.0 * per_load * self.open_requests as f64 * doc / 80e6 + 0.7 } else { 0.0 };
        rust + python + 0.15 * self.doc_bytes.len() as f64 * 10.0 + open_rust + open_python
    }

    fn estimate_mb(&self) -> f64 {
        // The largest document held as a value (about 8x its JSON in Rust, 15x as Python objects) plus every task's
        // output string alive at once (spawn_blocking runs them all together), plus the processes' copies. A
        // worker that builds its own document holds about what one that unpickled it does: no more is counted.
        let big = self.doc_bytes.iter().copied().max().unwrap_or(0) as f64 / (1024.0 * 1024.0);
        let rust = big * (8.0 + self.tasks as f64);
        let python = if self.python { big * (15.0 + 2.0 * self.tasks as f64) } else { 0.0 };
        rust.max(python) + 100.0
    }
}

#[cfg(feature = "experiments")]
mod run;
#[cfg(feature = "experiments")]
pub use run::execute;
pub mod judge;
mod open_charts;
pub use open_charts::{open_loop_chart, open_loop_numbers};

use crate::chart::{bars, bytes, lanes, lines, BarSpec, LineSpec};
pub use crate::prelude::*;
use plotters::prelude::SeriesLabelPosition as Corner;

/// The strategies whose timelines a run records, Rust's then Python's: inline on the event loop against the ways
/// off it. Only at `judge_doc_bytes`, fixed before the run.
pub const RECORDED: [[&str; 3]; 2] =
    [["inline current_thread", "spawn_blocking", "rayon"], ["python inline", "python to_thread", "python processes"]];

/// One language's recorded strategies (`RECORDED[lang]`) as lanes: each serialization a bar on the thread (or
/// process) it ran on, the event loop's lane first, and every ping's latency as a dot above.
fn serialization_lanes(r: &LabResult, lang: usize, who: &str) -> Result<Chart> {
    let at = r.params.get("judge_doc_bytes").and_then(|v| v.as_u64()).unwrap_or(0);
    let title = format!("{who}: each serialization on its thread, the pings above ({} documents)", bytes(at as f64));
    lanes(r, &title, &RECORDED[lang], &["serializing"])
}

/// Rust's serializations at the judged size, inline on the loop against spawn_blocking and rayon.
pub fn serialization_chart(r: &LabResult) -> Result<Chart> {
    serialization_lanes(r, 0, "Rust")
}

/// Python's serializations at the judged size, inline on the loop against to_thread and a process pool.
pub fn python_serialization_chart(r: &LabResult) -> Result<Chart> {
    serialization_lanes(r, 1, "Python")
}

/// The strategies by family, one panel each on the lag, ping and memory charts: Rust beside its Python twin, a
/// handful of lines a panel.
const FAMILIES: [(&str, &[&str]); 3] = [
    ("On the event loop", &["inline current_thread", "inline multi_thread", "python inline"]),
    ("Handed to a thread pool", &["spawn_blocking", "rayon", "python to_thread"]),
    ("Batched, or in processes", &["batched", "python batched", "python processes", BUILT_IN_WORKER]),
];

/// Heartbeat lateness (p99) vs document size per strategy: how long the event loop was blocked.
pub fn lag_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "lag_p99_ms",
            "Event-loop lag (heartbeat p99) vs document size",
            "document size, bytes (log)",
            "ms (log)",
        )
        .log_x()
        .log_y()
        .legend(Corner::UpperLeft)
        .panels(&FAMILIES),
    )
}

/// Latency of light requests (p99, from arrival to service) vs document size.
pub fn ping_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new(
            "ping_p99_ms",
            "Light request latency (p99) beside the serializations",
            "document size, bytes (log)",
            "ms (log)",
        )
        .log_x()
        .log_y()
        .legend(Corner::UpperLeft)
        .panels(&FAMILIES),
    )
}

/// MB/s of JSON per strategy at the largest document.
pub fn throughput_chart(r: &LabResult) -> Result<Chart> {
    let big =
        r.series.iter().filter(|s| s.y == "mb_per_s").flat_map(|s| s.points.iter().map(|p| p[0])).fold(0.0, f64::max);
    let names = [
        ("inline current_thread", "inline (1 thread)"),
        ("inline multi_thread", "inline (mt)"),
        ("spawn_blocking", "spawn_blocking"),
        ("rayon", "rayon"),
        ("batched", "batched"),
        ("python inline", "py inline"),
        ("python to_thread", "py to_thread"),
        ("python processes", "py processes"),
        ("python batched", "py batched"),
        (BUILT_IN_WORKER, "py built in worker"),
    ];
    let list: Vec<(&str, &str, &str)> = names.iter().map(|(n, l)| (*n, "mb_per_s", *l)).collect();
    bars(r, &BarSpec::new(&format!("Throughput at {} documents", bytes(big)), "MB of JSON per second", &list).at(big))
}

/// Peak resident memory vs document size per strategy; the title says whether the peaks are since each run's reset
/// or lifetime peaks, and the axis what a Python pool's peak counts.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    let title = crate::peak::Peak::chart_title(r, "Peak resident memory vs document size");
    lines(
        r,
        &LineSpec::new(
            "peak_rss_mb",
            &title,
            "document size, bytes (log); Python pools: parent's peak + what the workers' peaks added",
            "MiB (log)",
        )
        .log_x()
        .log_y()
        .legend(Corner::UpperLeft)
        .panels(&FAMILIES),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::{Marks, Span, Timeline};

    /// A recorded strategy: two documents of 40 ms each on `lanes`, a ping every 10 ms, late while the loop is busy.
    fn timeline(name: &str, lanes: [u32; 2], lane_names: &[&str]) -> Timeline {
        let on_loop = lanes.contains(&0);
        let points = (0..10).map(|k| {
            let t = 10.0 * k as f64;
            [t, if on_loop && t < 80.0 { 80.0 - t } else { 0.2 }]
        });
        Timeline {
            name: name.into(),
            at: "2 documents of 1000 bytes".into(),
            unit: "documents".into(),
            instants: vec!["started".into(), "finished".into()],
            lanes: lane_names.iter().map(|s| s.to_string()).collect(),
            spans: (0..2)
                .map(|i| {
                    let (a, b) = if on_loop { (40.0 * i as f64, 40.0 * (i + 1) as f64) } else { (0.0, 40.0) };
                    Span { task: i, lane: lanes[i as usize], at: vec![Some(a), Some(b)] }
                })
                .collect(),
            marks: Some(Marks {
                name: "pings".into(),
                value: "latency, ms".into(),
                points: points.collect(),
                ..Default::default()
            }),
            end_ms: 100.0,
            ..Default::default()
        }
        .condense(&[])
    }

    #[test]
    fn the_serialization_charts_draw_each_languages_recorded_strategies_on_their_lanes() {
        let r = LabResult {
            experiment: "q8".into(),
            params: serde_json::to_value(Params::default()).unwrap(),
            timelines: vec![
                timeline("inline current_thread", [0, 0], &["event loop"]),
                timeline("spawn_blocking", [1, 2], &["event loop", "blocking thread 1", "blocking thread 2"]),
                timeline("python inline", [0, 0], &["event loop"]),
            ],
            ..Default::default()
        };
        let c = serialization_chart(&r).unwrap();
        assert!(c.title.contains("Rust") && c.title.contains("10 MB documents"), "{}", c.title);
        assert!(c.svg.contains("event loop") && c.svg.contains("blocking thread 2"));
        assert!(
            c.alt.contains(
                "inline current_thread: all 2 documents (serializing) on 1 lane over 100 ms, each lane busy 80%"
            ),
            "{}",
            c.alt
        );
        assert!(c.alt.contains("spawn_blocking: all 2 documents (serializing) on 3 lanes"), "{}", c.alt);
        assert!(
            c.alt
                .contains("pings: 10 in all, 10 drawn (all 10); latency, ms: worst 80, 8 of those drawn 10 ms or more"),
            "{}",
            c.alt
        );
        assert!(!c.alt.contains("python"), "one language a chart");
        let py = python_serialization_chart(&r).unwrap();
        assert!(py.alt.contains("python inline: all 2 documents") && !py.alt.contains("spawn_blocking"), "{}", py.alt);
        let none = LabResult { timelines: Vec::new(), ..r };
        assert!(serialization_chart(&none).unwrap_err().message.contains("no timeline of inline current_thread"));
    }
}
