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
            seconds: 0.4,
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
        // A request in flight holds a socket and the client's 8 KiB read buffer.
        let server = self.server_tasks as f64 * 8.0 / 1024.0;
        (n * 0.5 / 1024.0).max(py * 2.0 / 1024.0).max(server) + 100.0
    }
}

#[cfg(feature = "experiments")]
mod run;
#[cfg(feature = "experiments")]
pub use run::execute;
pub mod judge;

use crate::chart::{lines, stacked_bars, Categories, LineSpec};
pub use crate::prelude::*;
use crate::units::fmt_ms;
use plotters::prelude::SeriesLabelPosition as Corner;

/// Runtime and time to spawn vs the number of tasks.
pub fn runtime_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("wall_s", "Runtime (and time to spawn) vs tasks", "tasks (log)", "s (log)")
            .also(&["spawn_s"])
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// Peak resident memory vs the number of tasks; the title says whether the peaks are since each run's reset.
pub fn memory_chart(r: &LabResult) -> Result<Chart> {
    let title = crate::peak::Peak::chart_title(r, "Peak resident memory vs tasks");
    lines(
        r,
        &LineSpec::new("peak_rss_mb", &title, "tasks (log)", "MiB (log)").log_x().log_y().legend(Corner::UpperLeft),
    )
}

/// How late the sleeps woke (p50, p99, max) vs the number of tasks.
pub fn lateness_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("lateness_p99_ms", "How late a 100 ms sleep wakes vs tasks", "tasks (log)", "ms (log)")
            .also(&["lateness_p50_ms", "lateness_max_ms"])
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// Event-loop lag (heartbeat p99) vs the number of tasks.
pub fn lag_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("lag_p99_ms", "Event-loop lag (heartbeat p99) vs tasks", "tasks (log)", "ms (log)")
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// Python's garbage collections per generation vs the number of tasks; the title gives the interpreter's
/// generation-0 threshold where the run recorded it.
pub fn gc_chart(r: &LabResult) -> Result<Chart> {
    let threshold = r.series("python", "gc_threshold0").and_then(|s| s.points.first()).map(|p| p[1]);
    let title = match threshold {
        Some(t) => format!("Python garbage collections during the run (gen-0 threshold {t:.0})"),
        None => "Python garbage collections during the run".to_string(),
    };
    lines(
        r,
        &LineSpec::new("gc_gen0", &title, "tasks (log)", "collections")
            .also(&["gc_gen1", "gc_gen2"])
            .only(&["python"])
            .log_x()
            .legend(Corner::UpperLeft),
    )
}

/// A result's params, defaults filled in (a result records them all; a hand-made one may not).
fn params_of(r: &LabResult) -> Result<Params> {
    serde_json::from_value(r.params.clone())
        .map_err(|e| LabError::other(format!("q9: this result's params do not parse: {e}")))
}

/// Time Python's collector ran (all generations) and its longest pause vs the number of tasks.
pub fn gc_time_chart(r: &LabResult) -> Result<Chart> {
    lines(
        r,
        &LineSpec::new("gc_ms", "Python: time collecting and the longest pause vs tasks", "tasks (log)", "ms (log)")
            .also(&["gc_max_pause_ms"])
            .only(&["python"])
            .log_x()
            .log_y()
            .legend(Corner::UpperLeft),
    )
}

/// Goodput (answers within the client's timeout, per second) and what the server served vs the load offered, with
/// the model min(offered, capacity).
pub fn goodput_chart(r: &LabResult) -> Result<Chart> {
    let c = params_of(r)?.collapse;
    let title = format!(
        "Goodput vs offered load (capacity {:.0}/s, timeout {} ms, {} retries)",
        c.capacity_per_s(),
        c.timeout_ms,
        c.retries
    );
    lines(
        r,
        &LineSpec::new("goodput_per_s", &title, "offered load (requests/s)", "requests/s")
            .also(&["server_served_per_s"])
            .legend(Corner::UpperRight),
    )
}

/// Outcomes of the requests sent all at once: without a limit under the lab's open-files limit, without one under
/// the limit raised above the requests (where it could be), and with the client-side limit. Each category names
/// the open-files limit its clients ran under.
pub fn server_chart(r: &LabResult) -> Result<Chart> {
    let p = params_of(r)?;
    let (limit, tasks) = (p.server_limit as f64, p.server_tasks as f64);
    let nofile = |x: f64| r.value("tokio", "nofile", x).or_else(|_| r.value("python", "nofile", x));
    let label = |x: f64, what: &str| match nofile(x) {
        Ok(n) => format!("{what}, nofile {n:.0}"),
        Err(_) => what.to_string(),
    };
    let raised_run = r.value("tokio", "ok", RAISED).or_else(|_| r.value("python", "ok", RAISED));
    let title = match (raised_run, nofile(RAISED)) {
        (Err(_), Ok(n)) if n < tasks => format!(
            "Requests all at once against the loopback server (no run with the open-files limit raised: it went no \
             higher than {n:.0})"
        ),
        _ => "Requests all at once against the loopback server".to_string(),
    };
    stacked_bars(
        r,
        &["tokio", "python"],
        &[
            ("ok", "ok"),
            ("timeouts", "timeout"),
            ("conn_errors", "connection error"),
            ("emfile", "EMFILE"),
            ("addr_not_avail", "EADDRNOTAVAIL"),
        ],
        &Categories {
            title,
            x_label: "client-side limit, open-files limit".into(),
            y_label: "requests".into(),
            categories: vec![
                (0.0, label(0.0, "none")),
                (RAISED, label(RAISED, "none")),
                (limit, label(limit, &format!("{limit:.0}"))),
            ],
            log_y: false,
        },
    )
}

/// The sentence the notebook's prose prints about the sweep: goodput at capacity and at the highest load, what
/// the server served there, and the retries' extra attempts, per client.
pub fn collapse_numbers(r: &LabResult) -> Result<String> {
    let p = params_of(r)?;
    let (at_cap, top) = p.collapse.points().ok_or_else(|| LabError::other("q9: the sweep was skipped"))?;
    let lines: Vec<String> = ["tokio", "python"]
        .iter()
        .filter_map(|name| {
            let v = |y: &str, x: f64| r.value(name, y, x).ok();
            Some(format!(
                "{}: goodput {:.0}/s at {at_cap:.0}/s offered, {:.0}/s at {top:.0}/s offered, while the server served \
                 {:.0}/s and got {:.0} attempts/s (retries included)",
                judge::side(name),
                v("goodput_per_s", at_cap)?,
                v("goodput_per_s", top)?,
                v("server_served_per_s", top)?,
                v("attempts_per_s", top)?
            ))
        })
        .collect();
    if lines.is_empty() {
        return Err(LabError::other("q9: no sweep series (goodput_per_s) in this result"));
    }
    Ok(lines.join("\n"))
}

/// The sentence the notebook's prose prints about the raised open-files limit: the limit each client ran under,
/// and what failed, or why that run was skipped.
pub fn raised_numbers(r: &LabResult) -> Result<String> {
    let tasks = params_of(r)?.server_tasks as f64;
    let lines: Vec<String> = ["tokio", "python"]
        .iter()
        .filter_map(|name| {
            let v = |y: &str| r.value(name, y, RAISED).ok();
            let nofile = v("nofile")?;
            let side = judge::side(name);
            Some(match v("ok") {
                Some(ok) => format!(
                    "{side}: {tasks:.0} requests at once under an open-files limit of {nofile:.0}: {ok:.0} ok, {:.0} \
                     EMFILE, {:.0} EADDRNOTAVAIL, {:.0} timeouts; the server held at most {:.0} connections",
                    v("emfile").unwrap_or(0.0),
                    v("addr_not_avail").unwrap_or(0.0),
                    v("timeouts").unwrap_or(0.0),
                    v("server_max_open").unwrap_or(0.0)
                ),
                None => format!(
                    "{side}: the open-files limit went no higher than {nofile:.0} (wanted {:.0}{}), below the {tasks:.0} \
                     requests: the run was skipped",
                    v("nofile_wanted").unwrap_or(0.0),
                    if v("nofile_refused") == Some(1.0) { "; raising the hard limit was refused" } else { "" }
                ),
            })
        })
        .collect();
    if lines.is_empty() {
        return Err(LabError::other("q9: no run under a raised open-files limit in this result"));
    }
    Ok(lines.join("\n"))
}

/// The sentence the notebook's prose prints about the collector: passes, time collecting, its share of the run and
/// the longest pause at each task count.
pub fn gc_numbers(r: &LabResult) -> Result<String> {
    let s = r.series("python", "gc_ms").ok_or_else(|| LabError::other("q9: no series `gc_ms` in this result"))?;
    let lines: Vec<String> = s
        .points
        .iter()
        .filter_map(|&[n, ms]| {
            let v = |y: &str| r.value("python", y, n).ok();
            let passes = v("gc_gen0")? + v("gc_gen1")? + v("gc_gen2")?;
            Some(format!(
                "{n:.0} tasks: {passes:.0} passes, {} collecting, {} of the run, longest pause {}",
                fmt_ms(ms),
                judge::share(ms / 1000.0 / v("wall_s")?.max(1e-9)),
                fmt_ms(v("gc_max_pause_ms")?)
            ))
        })
        .collect();
    Ok(lines.join("\n"))
}
