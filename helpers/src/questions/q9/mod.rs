//! Notebook 09, "If tasks = 50,000": `use helpers::q9::*;`.
//!
//! N tokio tasks sleeping `latency_ms`, N from 1,000 to 1,000,000: spawn time, runtime, memory, event-loop lag
//! and how late the sleeps wake; Python asyncio up to `python_max_tasks`, with its garbage collections counted.
//! Then `server_tasks` requests at once against the loopback server: "too many open files" under a lowered
//! open-files limit, what fails next under one raised above the requests, and the fix; and an offered-load sweep
//! (`collapse`) where a client that retries timed-out requests meets a server past its capacity.

use crate::params::{in_range, list_in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

/// The Python twin (`helpers/python/`) that measures this question's Python side.
pub const TWIN: &str = "q9_many_tasks.py";

/// Where the run under the raised open-files limit sits on the server mode's x axis ("limit": 0 for none, else
/// the client-side limit): no client-side limit, the open-files limit raised above the requests.
pub const RAISED: f64 = -1.0;

/// Parameters of `lab q9`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Task counts to sweep, each 1 .. 2,000,000, at most 8 values.
    pub tasks: Vec<u64>,
    /// Sleep per task, ms, 1 .. 60,000.
    pub latency_ms: u64,
    /// Run the Python twin for task counts up to this (0: no Python), 0 .. 1,000,000.
    pub python_max_tasks: u64,
    /// Requests in flight at once in the server mode (0: skip it), 0 .. 100,000.
    pub server_tasks: u64,
    /// The fix: a client-side limit for the second server-mode run, 1 .. server_tasks.
    pub server_limit: u64,
    /// Soft open-files limit of the clients in the server mode (null: the limit in force, which is often raised
    /// well above the common default of 1024, as here), 32 .. 1,048,576.
    pub nofile: Option<u64>,
    /// Also send the `server_tasks` requests at once with the clients' open-files limit raised to at least
    /// `server_tasks` + 1,024 (the soft limit to the hard one, the hard one too where the process may: root, up to
    /// `fs.nr_open`), so that something other than the descriptors can fail.
    pub raise_nofile: bool,
    /// The offered-load sweep (empty `loads`: skip it).
    pub collapse: Collapse,
}

/// An offered-load sweep against a fresh loopback server per point: requests arrive at a fixed rate (open loop:
/// the next one does not wait for the last), each attempt times out after `timeout_ms`, and a timed-out request is
/// retried at once, at most `retries` times. Goodput is the answers that came back within the timeout, per second.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Collapse {
    /// Offered load at each point, as a multiple of the server's capacity (pool / service time), ascending,
    /// 0.05 .. 20, at most 6 values; one at or below 1 (goodput at capacity, the reference) and the last above 1
    /// (the point judged). Empty: no sweep.
    pub loads: Vec<f64>,
    /// The server's pool of connections, 1 .. 1,000.
    pub pool: u64,
    /// Service time per request, ms, 1 .. 1,000.
    pub service_ms: u64,
    /// The client's timeout per attempt, ms, service_ms .. 10,000.
    pub timeout_ms: u64,
    /// Retries of a timed-out request, 0 .. 5.
    pub retries: u64,
    /// How long each point offers requests, s, 0.1 .. 10 (the point ends at most (retries + 1) timeouts later).
    pub seconds: f64,
    /// Run the asyncio client through the sweep too.
    pub python: bool,
}

impl Default for Collapse {
    fn default() -> Self {
        Collapse {
            loads: vec![0.5, 1.0, 2.0, 4.0],
            pool: 2,
            service_ms: 10,
            timeout_ms: 100,
            retries: 2,
            seconds: 0.25,
            python: true,
        }
    }
}

impl Collapse {
    /// Requests a second the server can serve: pool / service time.
    pub fn capacity_per_s(&self) -> f64 {
        self.pool as f64 * 1000.0 / self.service_ms as f64
    }

    /// The offered load of the reference point (the highest at or below capacity) and of the point judged (the
    /// highest), in requests a second: fixed by the params, before the run.
    pub fn points(&self) -> Option<(f64, f64)> {
        let reference = self
            .loads
            .iter()
            .copied()
            .filter(|&l| l <= 1.0)
            .fold(None, |m: Option<f64>, l| Some(m.map_or(l, |m| m.max(l))))?;
        let top = self.loads.last().copied().filter(|&l| l > 1.0)?;
        Some((reference * self.capacity_per_s(), top * self.capacity_per_s()))
    }

    /// The longest one point can take: its offering window, then every attempt of the last request timing out.
    pub fn point_bound_s(&self) -> f64 {
        self.seconds + (self.retries + 1) as f64 * self.timeout_ms as f64 / 1000.0
    }

    fn validate(&self) -> Result<()> {
        if self.loads.is_empty() {
            return Ok(());
        }
        list_in_range("collapse.loads", &self.loads, 6, 0.05, 20.0)?;
        if self.loads.windows(2).any(|w| w[0] >= w[1]) {
            return Err(LabError::invalid(format!("collapse.loads must be ascending; got {:?}", self.loads)));
        }
        if self.points().is_none() {
            return Err(LabError::invalid(format!(
                "collapse.loads must hold a load at or below 1 (capacity) and end above 1; got {:?}",
                self.loads
            )));
        }
        in_range("collapse.pool", self.pool, 1, 1_000)?;
        in_range("collapse.service_ms", self.service_ms, 1, 1_000)?;
        in_range("collapse.timeout_ms", self.timeout_ms, self.service_ms, 10_000)?;
        in_range("collapse.retries", self.retries, 0, 5)?;
        in_range("collapse.seconds", self.seconds, 0.1, 10.0)?;
        // Each request of a point is one task; the sweep's busiest point bounds how many are alive at once.
        let top = self.loads.last().copied().unwrap_or(0.0) * self.capacity_per_s() * self.seconds;
        if top > 100_000.0 {
            return Err(LabError::invalid(format!(
                "collapse: the highest load offers {top:.0} requests in {} s; at most 100000 (lower the pool, the \
                 loads or the seconds)",
                self.seconds
            )));
        }
        Ok(())
    }
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tasks: vec![1_000, 10_000, 50_000, 100_000, 1_000_000],
            latency_ms: 100,
            python_max_tasks: 100_000,
            server_tasks: 50_000,
            server_limit: 500,
            nofile: Some(1024),
            raise_nofile: true,
            collapse: Collapse::default(),
        }
    }
}

impl ExperimentParams for Params {
    const NAME: &'static str = "q9";

    fn validate(&self) -> Result<()> {
        list_in_range("tasks", &self.tasks, 8, 1, 2_000_000)?;
        in_range("latency_ms", self.latency_ms, 1, 60_000)?;
        in_range("python_max_tasks", self.python_max_tasks, 0, 1_000_000)?;
        in_range("server_tasks", self.server_tasks, 0, 100_000)?;
        if self.server_tasks > 0 && (self.server_limit < 1 || self.server_limit > self.server_tasks) {
            return Err(LabError::invalid(format!(
                "server_limit must be between 1 and server_tasks ({}); got {}",
                self.server_tasks, self.server_limit
            )));
        }
        if let Some(n) = self.nofile {
            in_range("nofile", n, 32, 1 << 20)?;
        }
        self.collapse.validate()
    }

    fn estimate_s(&self) -> f64 {
        let lat = self.latency_ms as f64 / 1000.0;
        // tokio spawns about a million tasks a second here; asyncio about 60,000 a second.
        let rust: f64 = self.tasks.iter().map(|&n| lat + n as f64 / 1e6).sum();
        let python: f64 =
            self.tasks.iter().filter(|&&n| n <= self.python_max_tasks).map(|&n| lat + 0.2 + n as f64 / 6e4).sum();
        let runs = if self.raise_nofile { 3.0 } else { 2.0 };
        let server = if self.server_tasks > 0 { runs * (1.5 + self.server_tasks as f64 / 2e4) } else { 0.0 };
        let c = &self.collapse;
        let sides = if c.python && self.python_max_tasks > 0 { 2.0 } else { 1.0 };
        let sweep = sides * c.loads.len() as f64 * c.point_bound_s();
        rust + python + server + sweep
    }

    fn estimate_mb(&self) -> f64 {
        // About 0.5 KiB per tokio task and 2 KiB per asyncio task at the peak.
        let n = self.tasks.iter().copied().max().unwrap_or(0) as f64;
        let py = self.tasks.iter().copied().filter(|&t| t <= self.python_max_tasks).max().unwrap_or(0) as f64;
        // A request in flight holds a task and a socket on the client: about a KiB.
        let server = self.server_tasks as f64 / 1024.0;
        (n * 0.5 / 1024.0).max(py * 2.0 / 1024.0).max(server) + 100.0
    }
}

#[cfg(feature = "experiments")]
mod run;
#[cfg(feature = "experiments")]
pub use run::execute;
pub mod judge;

pub use crate::prelude::*;
mod charts;
pub use charts::*;
