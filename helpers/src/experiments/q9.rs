//! Question 9: "If tasks = 50,000".
//! N tokio tasks sleeping `latency_ms`, N from 1,000 to 1,000,000: spawn time, runtime, memory, event-loop lag
//! and how late the sleeps wake; Python asyncio up to `python_max_tasks`, with its garbage collections counted.
//! Then `server_tasks` requests at once against the loopback server: "too many open files", and the fix.

use crate::error::{LabError, Result};
use crate::params::{in_range, list_in_range, ExperimentParams};
use serde::{Deserialize, Serialize};

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
        Ok(())
    }

    fn estimate_s(&self) -> f64 {
        let lat = self.latency_ms as f64 / 1000.0;
        // tokio spawns about a million tasks a second here; asyncio about 60,000 a second.
        let rust: f64 = self.tasks.iter().map(|&n| lat + n as f64 / 1e6).sum();
        let python: f64 =
            self.tasks.iter().filter(|&&n| n <= self.python_max_tasks).map(|&n| lat + 0.2 + n as f64 / 6e4).sum();
        let server = if self.server_tasks > 0 { 4.0 + self.server_tasks as f64 / 1e4 } else { 0.0 };
        rust + python + server
    }

    fn estimate_mb(&self) -> f64 {
        // About 0.5 KiB per tokio task and 2 KiB per asyncio task at the peak.
        let n = self.tasks.iter().copied().max().unwrap_or(0) as f64;
        let py = self.tasks.iter().copied().filter(|&t| t <= self.python_max_tasks).max().unwrap_or(0) as f64;
        (n * 0.5 / 1024.0).max(py * 2.0 / 1024.0) + 100.0
    }
}

#[cfg(feature = "experiments")]
pub use run::execute;

#[cfg(feature = "experiments")]
mod run {
    use super::*;
    use crate::budget::watchdog::set_soft_nofile;
    use crate::experiments::common;
    use crate::progress::Progress;
    use crate::result::{Claim, LabResult, Series, Verdict};
    use crate::twin;
    use crate::verdict::{fmt_ms, fmt_s, or_not_run};
    use crate::workload::client;
    use crate::workload::server::{Server, ServerConfig};
    use crate::workload::swarm;
    use std::time::Duration;

    const YS: [&str; 10] = [
        "spawn_s",
        "wall_s",
        "cpu_busy",
        "peak_rss_mb",
        "lag_p99_ms",
        "lag_max_ms",
        "lateness_p50_ms",
        "lateness_p99_ms",
        "lateness_max_ms",
        "bytes_per_task",
    ];
    const OUTCOMES: [&str; 5] = ["ok", "timeouts", "conn_errors", "emfile", "addr_not_avail"];

    pub fn execute(p: &Params) -> Result<LabResult> {
        let python = p.python_max_tasks > 0 && p.tasks.iter().any(|&n| n <= p.python_max_tasks);
        let (py, machine) = common::setup(python || p.server_tasks > 0 && p.python_max_tasks > 0)?;
        let params = common::params_json(p)?;
        let py_runs = p.tasks.iter().filter(|&&n| py.is_some() && n <= p.python_max_tasks).count();
        let server_runs = if p.server_tasks > 0 { 2 * if py.is_some() { 2 } else { 1 } } else { 0 };
        let mut progress = Progress::new("q9", p.tasks.len() + py_runs + server_runs);
        progress.note(&format!(
            "{:?} tasks sleeping {} ms (Python up to {}), then {} requests at once; about {:.0} s",
            p.tasks,
            p.latency_ms,
            p.python_max_tasks,
            p.server_tasks,
            p.estimate_s()
        ));
        let latency = Duration::from_millis(p.latency_ms);
        let mut series: Vec<Series> = ["tokio", "python"]
            .iter()
            .flat_map(|n| YS.iter().map(move |y| Series::new(n, "tasks", y)))
            .chain(["gc_gen0", "gc_gen1", "gc_gen2"].iter().map(|y| Series::new("python", "tasks", y)))
            .collect();
        let push = |series: &mut Vec<Series>, name: &str, y: &str, x: f64, v: f64| {
            if let Some(s) = series.iter_mut().find(|s| s.name == name && s.y == y) {
                s.points.push([x, v]);
            }
        };
        for &n in &p.tasks {
            let x = n as f64;
            progress.begin(&format!("tokio, {n} tasks"));
            let r = swarm::sleepers(n, latency)?;
            let vals = [
                r.spawn_s,
                r.section.wall_s,
                r.section.cores_busy(),
                r.peak_rss_bytes as f64 / (1024.0 * 1024.0),
                r.lag.p99_ms,
                r.lag.max_ms,
                r.lateness.p50_ms,
                r.lateness.p99_ms,
                r.lateness.max_ms,
                r.peak_heap_bytes as f64 / x,
            ];
            for (y, v) in YS.iter().zip(vals) {
                push(&mut series, "tokio", y, x, v);
            }
            progress.end(&format!(
                "spawned in {}, done in {}, peak {:.0} MiB ({:.0} heap bytes a task), lag p99 {}, lateness p99 {}",
                fmt_s(r.spawn_s),
                fmt_s(r.section.wall_s),
                vals[3],
                vals[9],
                fmt_ms(r.lag.p99_ms),
                fmt_ms(r.lateness.p99_ms)
            ));
            if let (Some(py), true) = (py.as_ref(), n <= p.python_max_tasks) {
                progress.begin(&format!("python, {n} tasks"));
                let r = twin::run(py, "q9_many_tasks.py", &params, &["--part", "sleep", "--n", &n.to_string()])?;
                for y in YS.iter().chain(["gc_gen0", "gc_gen1", "gc_gen2"].iter()) {
                    if let Ok(v) = r.value("python", y, x) {
                        push(&mut series, "python", y, x, v);
                    }
                }
                progress.end(&format!(
                    "done in {}, peak {:.0} MiB, lag p99 {}, {:.0} gen-2 collections",
                    fmt_s(r.value("python", "wall_s", x)?),
                    r.value("python", "peak_rss_mb", x)?,
                    fmt_ms(r.value("python", "lag_p99_ms", x)?),
                    r.value("python", "gc_gen2", x).unwrap_or(0.0)
                ));
            }
        }
        if p.server_tasks > 0 {
            series.extend(server_mode(p, py.as_ref(), &params, &mut progress)?);
        }
        common::finish(p, machine, series, claims, headline)
    }

    /// `server_tasks` requests at once, unbounded then bounded, from tokio and (when asked) Python.
    fn server_mode(
        p: &Params,
        py: Option<&twin::Python>,
        params: &serde_json::Value,
        progress: &mut Progress,
    ) -> Result<Vec<Series>> {
        let server =
            Server::start(&ServerConfig { pool_size: 1_000, service_ms: 10, backlog: 4096, rate_per_s: None })?;
        let timeout = Duration::from_secs(5);
        let mut out: Vec<Series> =
            ["tokio", "python"].iter().flat_map(|n| OUTCOMES.iter().map(move |y| Series::new(n, "limit", y))).collect();
        // x: 0 for no limit, else the limit.
        for limit in [None, Some(p.server_limit)] {
            let x = limit.map_or(0.0, |l| l as f64);
            progress.begin(&format!(
                "tokio, {} requests at once, limit {}",
                p.server_tasks,
                limit.map_or("none".into(), |l| l.to_string())
            ));
            let rt = crate::workload::runtime(crate::params::Flavor::MultiThread)?;
            let old = p.nofile.map(set_soft_nofile).transpose()?;
            let r = rt.block_on(client::run(server.port, p.server_tasks, limit, timeout));
            if let Some(old) = old {
                set_soft_nofile(old)?;
            }
            drop(rt);
            let o = &r.outcomes;
            let vals = [o.ok, o.timeouts, o.conn_errors, o.emfile, o.addr_not_avail];
            for (y, v) in OUTCOMES.iter().zip(vals) {
                if let Some(s) = out.iter_mut().find(|s| s.name == "tokio" && s.y == *y) {
                    s.points.push([x, v as f64]);
                }
            }
            progress.end(&format!(
                "{} ok, {} EMFILE, {} EADDRNOTAVAIL, {} other errors, {} timeouts in {}; at most {} descriptors open",
                o.ok,
                o.emfile,
                o.addr_not_avail,
                o.conn_errors,
                o.timeouts,
                fmt_s(r.wall_s),
                r.peak_fds
            ));
            server.drain(Duration::from_secs(120))?;
            if let Some(py) = py {
                progress.begin(&format!("python, {} requests at once", p.server_tasks));
                let lim = limit.map_or("none".to_string(), |l| l.to_string());
                let r = twin::run(
                    py,
                    "q9_many_tasks.py",
                    params,
                    &["--part", "server", "--port", &server.port.to_string(), "--limit", &lim],
                )?;
                for y in OUTCOMES {
                    if let (Ok(v), Some(s)) =
                        (r.value("python", y, x), out.iter_mut().find(|s| s.name == "python" && s.y == y))
                    {
                        s.points.push([x, v]);
                    }
                }
                let v = |y: &str| r.value("python", y, x).unwrap_or(0.0);
                progress.end(&format!(
                    "{} ok, {} EMFILE, {} EADDRNOTAVAIL, {} other errors, {} timeouts",
                    v("ok"),
                    v("emfile"),
                    v("addr_not_avail"),
                    v("conn_errors"),
                    v("timeouts")
                ));
                server.drain(Duration::from_secs(120))?;
            }
        }
        Ok(out)
    }

    /// The first task count at which `name`'s loop lag p99 passed `ms`.
    fn lag_threshold(r: &LabResult, name: &str, ms: f64) -> Option<f64> {
        r.series(name, "lag_p99_ms")?.points.iter().find(|p| p[1] > ms).map(|p| p[0])
    }

    fn headline(p: &Params, r: &LabResult) -> Result<String> {
        let n = if p.tasks.contains(&50_000) { 50_000.0 } else { p.tasks.iter().copied().max().unwrap_or(1) as f64 };
        let t = |y: &str| r.value("tokio", y, n);
        let py = r.value("python", "peak_rss_mb", n).ok();
        Ok(format!(
            "{n:.0} tasks sleeping {} ms: tokio done in {} at {:.0} MiB peak{}; lag p99 {}",
            p.latency_ms,
            fmt_s(t("wall_s")?),
            t("peak_rss_mb")?,
            py.map(|m| format!(", Python {m:.0} MiB")).unwrap_or_default(),
            fmt_ms(t("lag_p99_ms")?)
        ))
        .map(|s| {
            s.replacen(&format!("tokio {} in", p.latency_ms), &format!("tokio sleeping {} ms done in", p.latency_ms), 1)
        })
    }

    fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
        let n = if p.tasks.contains(&50_000) { 50_000.0 } else { p.tasks.iter().copied().max().unwrap_or(1) as f64 };
        let lo = p.tasks.iter().copied().min().unwrap_or(1) as f64;
        let t = |y: &str, x: f64| r.value("tokio", y, x);
        let py = |y: &str, x: f64| r.value("python", y, x).ok();
        let f0 = |o: Option<f64>| or_not_run(o, |v| format!("{v:.0}"));
        let fm = |o: Option<f64>| or_not_run(o, fmt_ms);
        let top = p.tasks.iter().copied().max().unwrap_or(1) as f64;
        let mut out = vec![Claim {
            id: "9.1".into(),
            claim: "Massive memory growth".into(),
            verdict: Verdict::Refined,
            evidence: format!(
                "At {n:.0} tasks: tokio peaked at {:.0} MiB resident ({:.0} heap bytes a task), Python at {} MiB; at \
                 {top:.0} tokio tasks, {:.0} MiB. Memory grows linearly with live tasks — by kilobytes a task in \
                 Python, hundreds of bytes in Rust: 'massive' only at millions.",
                t("peak_rss_mb", n)?,
                t("bytes_per_task", n)?,
                f0(py("peak_rss_mb", n)),
                t("peak_rss_mb", top)?
            ),
        }];
        out.push(Claim {
            id: "9.2".into(),
            claim: "Increased GC cycles".into(),
            verdict: Verdict::PythonOnly,
            evidence: format!(
                "Python's collector ran {} / {} / {} times (generations 0 / 1 / 2) at {lo:.0} tasks and {} / {} / {} \
                 at {n:.0}: every new task, coroutine and future is a tracked object. Rust has no garbage collector: a \
                 task's memory is freed the moment it completes, at no extra pass.",
                f0(py("gc_gen0", lo)),
                f0(py("gc_gen1", lo)),
                f0(py("gc_gen2", lo)),
                f0(py("gc_gen0", n)),
                f0(py("gc_gen1", n)),
                f0(py("gc_gen2", n))
            ),
        });
        out.push(Claim {
            id: "9.3".into(),
            claim: "Longer scheduling queues".into(),
            verdict: Verdict::Confirmed,
            evidence: format!(
                "All tasks' timers fire together, so the run queue holds them all at once: spawning {n:.0} took {} in \
                 tokio, and the last sleeper woke {} late (p99 {}) against {} at {lo:.0}; Python: {} late at {n:.0}.",
                fmt_s(t("spawn_s", n)?),
                fmt_ms(t("lateness_max_ms", n)?),
                fmt_ms(t("lateness_p99_ms", n)?),
                fmt_ms(t("lateness_max_ms", lo)?),
                fm(py("lateness_max_ms", n))
            ),
        });
        out.push(Claim {
            id: "9.4".into(),
            claim: "Increased latency variance".into(),
            verdict: Verdict::Confirmed,
            evidence: format!(
                "Sleep lateness p50 / p99 / max: {} / {} / {} at {lo:.0} tasks, {} / {} / {} at {n:.0} (tokio); Python \
                 p50 {} and p99 {} at {n:.0}.",
                fmt_ms(t("lateness_p50_ms", lo)?),
                fmt_ms(t("lateness_p99_ms", lo)?),
                fmt_ms(t("lateness_max_ms", lo)?),
                fmt_ms(t("lateness_p50_ms", n)?),
                fmt_ms(t("lateness_p99_ms", n)?),
                fmt_ms(t("lateness_max_ms", n)?),
                fm(py("lateness_p50_ms", n)),
                fm(py("lateness_p99_ms", n))
            ),
        });
        let ports = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
            .ok()
            .and_then(|s| {
                let v: Vec<u64> = s.split_whitespace().filter_map(|x| x.parse().ok()).collect();
                (v.len() == 2).then(|| v[1] - v[0] + 1)
            })
            .unwrap_or(28_232);
        let nofile = p.nofile.unwrap_or_else(crate::budget::watchdog::nofile_in_force);
        let server = |name: &str, y: &str, x: f64| r.value(name, y, x).ok();
        let lim = p.server_limit as f64;
        out.push(Claim {
            id: "9.5".into(),
            claim: "Possible “too many open files”".into(),
            verdict: if server("tokio", "emfile", 0.0).unwrap_or(0.0) > 0.0 { Verdict::Confirmed } else { Verdict::Refined },
            evidence: if p.server_tasks == 0 {
                "The server mode was skipped (server_tasks = 0).".into()
            } else {
                format!(
                    "{} requests at once: tokio {} ok, {} EMFILE, {} EADDRNOTAVAIL; Python {} ok, {} EMFILE. The fix, a \
                     limit of {}: tokio {} ok, {} errors. The clients' open-files limit was {nofile}{} and the ephemeral \
                     port range holds {ports} ports, so {} comes first.",
                    p.server_tasks,
                    f0(server("tokio", "ok", 0.0)),
                    f0(server("tokio", "emfile", 0.0)),
                    f0(server("tokio", "addr_not_avail", 0.0)),
                    f0(server("python", "ok", 0.0)),
                    f0(server("python", "emfile", 0.0)),
                    p.server_limit,
                    f0(server("tokio", "ok", lim)),
                    f0(server("tokio", "emfile", lim).map(|e| e + server("tokio", "conn_errors", lim).unwrap_or(0.0))),
                    if p.nofile.is_some() {
                        format!(" (lowered for this run; {} in force here)", crate::budget::watchdog::nofile_in_force())
                    } else {
                        String::new()
                    },
                    if nofile < ports { "\"too many open files\" (EMFILE)" } else { "\"cannot assign requested address\" (EADDRNOTAVAIL)" }
                )
            },
        });
        let th_t = lag_threshold(r, "tokio", 10.0);
        let th_p = lag_threshold(r, "python", 10.0);
        let th = |o: Option<f64>, name: &str| {
            o.map_or(format!("not reached by {name} in this sweep"), |x| format!("{x:.0} tasks for {name}"))
        };
        out.push(Claim {
            id: "9.6".into(),
            claim: "Event loop lag".into(),
            verdict: Verdict::Confirmed,
            evidence: format!(
                "Heartbeat lag p99 at {n:.0} tasks: tokio {}, Python {}. Lag p99 passed 10 ms at {} and {}: the loop \
                 is busy creating, waking and finishing tasks in bursts.",
                fmt_ms(t("lag_p99_ms", n)?),
                fm(py("lag_p99_ms", n)),
                th(th_t, "tokio"),
                th(th_p, "Python")
            ),
        });
        out.push(Claim {
            id: "9.7".into(),
            claim: "The system becomes unstable not because of CPU, but because of scheduler pressure and memory overhead."
                .into(),
            verdict: Verdict::Refined,
            evidence: format!(
                "At {n:.0} sleeping tasks the CPU was busy {:.2} cores on average (tokio) — not the limit. What grew was \
                 the burst of scheduling work when the timers fire (lateness up to {}) and memory; what broke was a \
                 hard limit: file descriptors (9.5). Nothing became unstable at this scale.",
                t("cpu_busy", n)?,
                fmt_ms(t("lateness_max_ms", n)?)
            ),
        });
        out.push(Claim {
            id: "9.8".into(),
            claim: "This is how production systems collapse.".into(),
            verdict: Verdict::Refined,
            evidence: format!(
                "{top:.0} sleeping tokio tasks completed in {} at {:.0} MiB. Unbounded concurrency collapses a system \
                 when something finite runs out — memory, descriptors, a backend pool (notebook 04) — not at a task \
                 count as such; bounding it (limit {}) removed every error here.",
                fmt_s(t("wall_s", top)?),
                t("peak_rss_mb", top)?,
                p.server_limit
            ),
        });
        Ok(out)
    }
}
