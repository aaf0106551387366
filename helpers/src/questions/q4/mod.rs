//! Notebook 04, "If you remove semaphore limit entirely (1000 concurrent), what do you predict will happen?":
//! `use helpers::q4::*;`.
//!
//! `requests` one-shot requests against a loopback server with a small backend pool, with client-side limits
//! from 10 to none, and once more without a limit under a lowered open-files limit (EMFILE shown safely, in the
//! `lab` child only). Python's asyncio client runs against the same server. Then the notes' own program (every
//! request at once, the first error escaping: tokio's `client::gather`, the twin's `asyncio.gather`) runs without a
//! limit in each client, plainly and under the lowered open-files limit (series `gather_*` at x = 0 and -1).

use crate::params::{in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// The Python twin (`helpers/python/`) that measures this question's Python side.
pub const TWIN: &str = "q4_client.py";

/// Parameters of `lab q4`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Requests per run, 1 .. 20,000 (each holds an open socket while in flight).
    pub requests: u64,
    /// Client-side concurrency limits; `null` means no limit. Each 1 .. requests, at most 8 values.
    pub limits: Vec<Option<u64>>,
    /// The server's backend pool ("connections"), 1 .. 10,000.
    pub pool_size: u64,
    /// How long a request holds a pool connection, ms, 1 .. 10,000.
    pub service_ms: u64,
    /// The server's accept backlog, 1 .. 65,535.
    pub backlog: u32,
    /// Client timeout per request (connect + answer), ms, 1 .. 60,000.
    pub timeout_ms: u64,
    /// Server rate limit: requests per second above which it answers 429 (null: none), 1 .. 1,000,000.
    pub rate_per_s: Option<u64>,
    /// Soft open-files limit for one extra run with no client limit (null: skip it), 32 .. 1,048,576.
    pub nofile: Option<u64>,
    /// Run the Python asyncio client against the same server.
    pub python: bool,
    /// Record each request's instants in two runs (`ClientLimit::recorded`) for `requests_chart`.
    pub timeline: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            requests: 1000,
            limits: vec![Some(10), Some(50), Some(100), Some(200), Some(1000), None],
            pool_size: 50,
            service_ms: 20,
            backlog: 1024,
            timeout_ms: 250,
            rate_per_s: None,
            nofile: Some(256),
            python: true,
            timeline: true,
        }
    }
}

/// One client run of q4: behind a limit, with none, or with none under the lowered open-files limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientLimit {
    Limit(u64),
    Unlimited,
    /// No client limit, under a soft open-files limit of this many: EMFILE, shown safely.
    UnlimitedUnderNofile(u64),
}

impl ClientLimit {
    /// The runs `p` asks for, in order: each limit, then the unlimited run under the lowered open-files limit.
    pub fn runs(p: &Params) -> Vec<ClientLimit> {
        let mut runs: Vec<ClientLimit> = p.limits.iter().map(|l| l.map_or(Self::Unlimited, Self::Limit)).collect();
        runs.extend(p.nofile.map(Self::UnlimitedUnderNofile));
        runs
    }

    /// The runs whose requests are recorded, chosen from the params before anything runs: the limit nearest the
    /// server's pool (the notes' bounded case: a client limit that matches the backend; the smaller on a tie), and
    /// no limit. Each when `limits` has it; none when `timeline` is off.
    pub fn recorded(p: &Params) -> Vec<ClientLimit> {
        if !p.timeline {
            return Vec::new();
        }
        let near = p.limits.iter().flatten().copied().min_by_key(|l| (l.abs_diff(p.pool_size), *l));
        near.map(Self::Limit).into_iter().chain(p.limits.contains(&None).then_some(Self::Unlimited)).collect()
    }

    /// The timeline of `client`'s run `self` is called: "tokio, limit 50", "python, no limit".
    pub fn timeline_name(self, client: &str) -> String {
        match self {
            Self::Unlimited => format!("{client}, no limit"),
            _ => format!("{client}, limit {}", self.label()),
        }
    }

    /// The run's x in the result's series (a number, for charts): the limit, 0 for none, -1 for none under the
    /// lowered open-files limit. `from_x` reads it back; nothing else knows this encoding.
    pub const fn x(self) -> f64 {
        match self {
            Self::Limit(l) => l as f64,
            Self::Unlimited => 0.0,
            Self::UnlimitedUnderNofile(_) => -1.0,
        }
    }

    /// The run charted at `x` by a result of params with this `nofile`.
    pub fn from_x(x: f64, nofile: Option<u64>) -> Self {
        if x > 0.0 {
            Self::Limit(x as u64)
        } else if x < 0.0 {
            Self::UnlimitedUnderNofile(nofile.unwrap_or(0))
        } else {
            Self::Unlimited
        }
    }

    /// The semaphore's size, if there is one.
    pub fn limit(self) -> Option<u64> {
        match self {
            Self::Limit(l) => Some(l),
            _ => None,
        }
    }

    /// The lowered open-files limit the run had, if any.
    pub fn nofile(self) -> Option<u64> {
        match self {
            Self::UnlimitedUnderNofile(n) => Some(n),
            _ => None,
        }
    }

    /// How charts and evidence name the run: "50", "none", "nofile 256".
    pub fn label(self) -> String {
        match self {
            Self::Limit(l) => l.to_string(),
            Self::Unlimited => "none".into(),
            Self::UnlimitedUnderNofile(n) => format!("nofile {n}"),
        }
    }
}

/// The run at `x` (a limit, 0 = none, -1 = none under `nofile`) as charts and evidence name it.
pub fn limit_label(x: f64, nofile: Option<u64>) -> String {
    ClientLimit::from_x(x, nofile).label()
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q4";

    fn validate(&self) -> Result<()> {
        in_range("requests", self.requests, 1, 20_000)?;
        if self.limits.is_empty() || self.limits.len() > 8 {
            return Err(LabError::invalid(format!(
                "limits must hold between 1 and 8 values; got {}",
                self.limits.len()
            )));
        }
        for l in self.limits.iter().flatten() {
            if *l < 1 || *l > self.requests {
                return Err(LabError::invalid(format!(
                    "each limit must be between 1 and requests ({}) or null for none; got {l}",
                    self.requests
                )));
            }
        }
        in_range("pool_size", self.pool_size, 1, 10_000)?;
        in_range("service_ms", self.service_ms, 1, 10_000)?;
        in_range("backlog", self.backlog, 1, 65_535)?;
        in_range("timeout_ms", self.timeout_ms, 1, 60_000)?;
        if let Some(r) = self.rate_per_s {
            in_range("rate_per_s", r, 1, 1_000_000)?;
        }
        if let Some(n) = self.nofile {
            in_range("nofile", n, 32, 1 << 20)?;
        }
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        let service = self.service_ms as f64 / 1000.0;
        let pool_bound = (self.requests as f64 / self.pool_size as f64).ceil() * service;
        let runs: f64 = self
            .limits
            .iter()
            .map(|l| match l {
                Some(l) => ((self.requests as f64 / *l as f64).ceil() * service).max(pool_bound),
                None => pool_bound,
            })
            .sum::<f64>()
            + if self.nofile.is_some() { pool_bound } else { 0.0 };
        // Timeouts cut runs short, so this is an upper bound; Python starts in about 0.1 s a run. The notes' own
        // program runs once more in each client, plainly and under the lowered open-files limit: it ends by the
        // timeout, then the server drains what it abandoned.
        let gather_runs = if self.nofile.is_some() { 2.0 } else { 1.0 };
        let gather_one = pool_bound.min(self.timeout_ms as f64 / 1000.0) + pool_bound;
        let gather = gather_runs * (gather_one + if self.python { gather_one + 0.3 } else { 0.0 });
        runs * if self.python { 2.0 } else { 1.0 } + gather + self.limits.len() as f64 * 0.2 + 1.0
    }
}

#[cfg(feature = "experiments")]
mod run;
#[cfg(feature = "experiments")]
pub use run::execute;
pub mod judge;
mod requests;
mod tables;
pub use requests::{requests_chart, STATES};
use tables::error_name;
pub use tables::{goodput_table, notes_program_table, timings};

use crate::chart::{category_lines, stacked_bars, Categories};
pub use crate::prelude::*;

/// The limits the run measured, as chart categories ("none" and the lowered-nofile run included).
fn categories(r: &LabResult, title: &str, y_label: &str, log_y: bool) -> Categories {
    let nofile = r.params.get("nofile").and_then(|v| v.as_u64());
    let xs: Vec<f64> = r.series("tokio", "ok").map(|s| s.points.iter().map(|p| p[0]).collect()).unwrap_or_default();
    Categories {
        title: title.into(),
        x_label: "client-side limit".into(),
        y_label: y_label.into(),
        categories: xs.into_iter().map(|x| (x, limit_label(x, nofile))).collect(),
        log_y,
    }
}

/// How each run's requests ended, per limit, tokio and Python side by side.
pub fn outcomes_chart(r: &LabResult) -> Result<Chart> {
    stacked_bars(
        r,
        &["tokio", "python"],
        &[
            ("ok", "ok"),
            ("timeouts", "timeout"),
            ("rejected", "429"),
            ("conn_errors", "connection error"),
            ("emfile", "EMFILE"),
            ("addr_not_avail", "EADDRNOTAVAIL"),
        ],
        &categories(r, "Outcomes of the requests per limit", "requests", false),
    )
}

/// p99 latency per limit, from submission (the caller's wait: the permit, the request, and a timed-out request
/// until it gave up) beside service time (from the permit to the answer), tokio and Python.
pub fn latency_chart(r: &LabResult) -> Result<Chart> {
    // One line per client and clock: the series renamed so that the legend tells them apart.
    let kinds = [("from_submit_p99_ms", "from submission"), ("service_p99_ms", "service time")];
    let mut both = r.clone();
    both.series = kinds
        .iter()
        .flat_map(|(y, clock)| {
            ["tokio", "python"].into_iter().filter_map(move |n| {
                // Python named by its runtime, as the bare "python" series is in every legend.
                let who = if n == "python" { "python (asyncio)" } else { n };
                r.series(n, y).map(|s| Series { name: format!("{who} {clock}"), y: "p99_ms".into(), ..s.clone() })
            })
        })
        .collect();
    let names: Vec<String> = both.series.iter().map(|s| s.name.clone()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    category_lines(
        &both,
        "p99_ms",
        &names,
        &categories(r, "p99 latency: from submission and service time", "ms (log)", true),
    )
}

/// The whole run's wall time per limit: from the first request sent to the last outcome.
pub fn wall_chart(r: &LabResult) -> Result<Chart> {
    category_lines(
        r,
        "wall_s",
        &["tokio", "python"],
        &categories(r, "Whole run: wall time from the first request to the last outcome", "s (log)", true),
    )
}

/// Goodput per limit: answers the client received, per second of the server's time on the run (from the first
/// request's arrival to the last answer written, answers for clients that had gone included).
pub fn goodput_chart(r: &LabResult) -> Result<Chart> {
    category_lines(
        r,
        "goodput_per_s",
        &["tokio", "python"],
        &categories(r, "Goodput: answers received per second of the server's time", "answers / s", false),
    )
}

/// The server's pool time per limit: spent on answers a client still waited for, and on requests whose client had
/// already gone (timed out): wasted work.
pub fn wasted_chart(r: &LabResult) -> Result<Chart> {
    stacked_bars(
        r,
        &["tokio", "python"],
        &[("server_useful_s", "answered a waiting client"), ("server_wasted_s", "served after the client had gone")],
        &categories(r, "Server: pool time spent per limit, useful and wasted", "pool-connection seconds", false),
    )
}

/// How many requests waited for the server's pool at once.
pub fn queue_chart(r: &LabResult) -> Result<Chart> {
    category_lines(
        r,
        "server_max_queue",
        &["tokio", "python"],
        &categories(r, "Server: most requests waiting for a pool connection", "requests queued", false),
    )
}

/// Peak open file descriptors of the client per limit.
pub fn fds_chart(r: &LabResult) -> Result<Chart> {
    category_lines(
        r,
        "peak_fds",
        &["tokio", "python"],
        &categories(r, "Client: peak open file descriptors", "fds", false),
    )
}

/// Peak resident memory of the client per limit; the title says whether the peaks are since each run's reset.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    let title = crate::peak::Peak::chart_title(r, "Client: peak resident memory");
    category_lines(r, "peak_rss_mb", &["tokio", "python"], &categories(r, &title, "MiB", false))
}
