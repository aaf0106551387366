//! What `lab q9` measures (the `lab` binary only, behind the `experiments` feature).

use super::*;
use crate::measure::cpu::measure;
use crate::peak::{self, Peak};
use crate::process::{nofile_in_force, raise_nofile, restore_nofile, set_soft_nofile};
use crate::progress::Progress;
use crate::questions::common;
use crate::result::{LabResult, Series};
use crate::twin;
use crate::units::{fmt_ms, fmt_s};
use crate::workload::client;
use crate::workload::server::{Server, ServerConfig, ServerStats};
use crate::workload::swarm;
use std::time::Duration;

#[path = "run_sweep.rs"]
mod sweep;

const YS: [&str; 11] = [
    "spawn_s",
    "wall_s",
    "cpu_busy",
    "peak_rss_mb",
    // 1 when the peak was reset before the run, 0 where the kernel refused (a lifetime peak).
    peak::SERIES,
    "lag_p99_ms",
    "lag_max_ms",
    "lateness_p50_ms",
    "lateness_p99_ms",
    "lateness_max_ms",
    "bytes_per_task",
];
const OUTCOMES: [&str; 5] = ["ok", "timeouts", "conn_errors", "emfile", "addr_not_avail"];
/// Recorded beside the outcomes of each server-mode run, for the judge: the clients' open-files limit in force,
/// the client's cores busy, and (tokio) its peak open descriptors and the ephemeral port range's size.
const SERVER_CONTEXT: [&str; 4] = ["nofile", "client_cpu_busy", "peak_fds", "ephemeral_ports"];
/// The raised run's count of descriptors asked for and whether raising the hard limit was refused (1), and what
/// the server held: its open-files limit, most client connections open at once, and accept errors (its own EMFILE).
const SERVER_SIDE: [&str; 5] =
    ["nofile_wanted", "nofile_refused", "server_nofile", "server_max_open", "server_accept_errors"];
/// Descriptors a client needs beyond one a request: its runtime, pipes, the standard streams.
const NOFILE_MARGIN: u64 = 1_024;

/// Python's collections per generation, and its generation-0 threshold (the prose quotes the run's, not a default);
/// then the time it spent collecting, in all and per generation, and its longest pause, in all and per generation.
const PYTHON_GC: [&str; 12] = [
    "gc_gen0",
    "gc_gen1",
    "gc_gen2",
    "gc_threshold0",
    "gc_ms",
    "gc_max_pause_ms",
    "gc_ms_gen0",
    "gc_ms_gen1",
    "gc_ms_gen2",
    "gc_max_pause_ms_gen0",
    "gc_max_pause_ms_gen1",
    "gc_max_pause_ms_gen2",
];

pub fn execute(p: &Params) -> Result<LabResult> {
    let python = p.python_max_tasks > 0 && p.tasks.iter().any(|&n| n <= p.python_max_tasks);
    let (py, machine) = common::setup(python || p.server_tasks > 0 && p.python_max_tasks > 0)?;
    let params = common::params_json(p)?;
    let py_runs = p.tasks.iter().filter(|&&n| py.is_some() && n <= p.python_max_tasks).count();
    let sides = if py.is_some() { 2 } else { 1 };
    let server_runs = if p.server_tasks > 0 { (2 + p.raise_nofile as usize) * sides } else { 0 };
    let sweeps = if p.collapse.loads.is_empty() {
        0
    } else if p.collapse.python {
        sides
    } else {
        1
    };
    let mut progress = Progress::new("q9", p.tasks.len() + py_runs + server_runs + sweeps);
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
        .chain(PYTHON_GC.iter().map(|y| Series::new("python", "tasks", y)))
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
            Peak::value(r.peak_reset),
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
            "spawned in {}, done in {}, {} ({:.0} heap bytes a task), lag p99 {}, lateness p99 {}",
            fmt_s(r.spawn_s),
            fmt_s(r.section.wall_s),
            Peak::of(r.peak_reset).progress(vals[3]),
            vals[10],
            fmt_ms(r.lag.p99_ms),
            fmt_ms(r.lateness.p99_ms)
        ));
        if let (Some(py), true) = (py.as_ref(), n <= p.python_max_tasks) {
            progress.begin(&format!("python, {n} tasks"));
            let r = twin::run(py, TWIN, &params, &["--part", "sleep", "--n", &n.to_string()])?;
            for y in YS.iter().chain(PYTHON_GC.iter()) {
                if let Ok(v) = r.value("python", y, x) {
                    push(&mut series, "python", y, x, v);
                }
            }
            progress.end(&format!(
                "done in {}, {}, lag p99 {}, {:.0} gen-2 collections",
                fmt_s(r.value("python", "wall_s", x)?),
                Peak::of_run(&r, "python", x).progress(r.value("python", "peak_rss_mb", x)?),
                fmt_ms(r.value("python", "lag_p99_ms", x)?),
                r.value("python", "gc_gen2", x).unwrap_or(0.0)
            ));
        }
    }
    if p.server_tasks > 0 {
        series.extend(server_mode(p, py.as_ref(), &params, &mut progress)?);
    }
    if !p.collapse.loads.is_empty() {
        let py = py.as_ref().filter(|_| p.collapse.python);
        series.extend(sweep::sweep(&p.collapse, py, &params, &mut progress)?);
    }
    common::finish(p, machine, series, super::judge::claims, super::judge::headline)
}

/// Which open-files limit a server-mode run's clients have: the lab's own (`nofile`, lowered to show EMFILE), or
/// one raised to at least the requests sent.
#[derive(Clone, Copy, PartialEq)]
enum Limit {
    Lowered,
    Raised,
}

/// `server_tasks` requests at once from tokio and (when asked) Python: unbounded under the lab's open-files limit,
/// unbounded under a limit raised above the requests, then bounded. x: 0 for no limit, else the limit; -1 for no
/// limit with the open-files limit raised.
fn server_mode(
    p: &Params,
    py: Option<&twin::Python>,
    params: &serde_json::Value,
    progress: &mut Progress,
) -> Result<Vec<Series>> {
    let config = ServerConfig { pool_size: 1_000, service_ms: 10, backlog: 4096, rate_per_s: None };
    let server = Server::start(&config)?;
    // The notebook's prose names no server numbers: the run says them.
    let serving = format!("server: {} pool connections, {} ms a request", config.pool_size, config.service_ms);
    let timeout = Duration::from_secs(5);
    let ys = || OUTCOMES.iter().chain(SERVER_CONTEXT.iter()).chain(SERVER_SIDE.iter());
    let mut out: Vec<Series> =
        ["tokio", "python"].iter().flat_map(|n| ys().map(move |y| Series::new(n, "limit", y))).collect();
    let mut push = |name: &str, y: &str, x: f64, v: f64| {
        if let Some(s) = out.iter_mut().find(|s| s.name == name && s.y == y) {
            s.points.push([x, v]);
        }
    };
    let wanted = p.server_tasks + NOFILE_MARGIN;
    let mut runs = vec![(None, Limit::Lowered)];
    if p.raise_nofile {
        runs.push((None, Limit::Raised));
    }
    runs.push((Some(p.server_limit), Limit::Lowered));
    for (limit, kind) in runs {
        let x = match (limit, kind) {
            (None, Limit::Raised) => RAISED,
            _ => limit.map_or(0.0, |l| l as f64),
        };
        let lim = limit.map_or("none".to_string(), |l| l.to_string());
        let under = if kind == Limit::Raised { ", open-files limit raised" } else { "" };
        if kind == Limit::Raised {
            // Raised only to see what fails next: where it stays below the requests, EMFILE would fail them first
            // again, by design, so the run is skipped and the limit in force recorded with why.
            let probe = raise_nofile(wanted)?;
            restore_nofile(probe.before)?;
            if probe.in_force < p.server_tasks {
                for (y, v) in [
                    ("nofile", probe.in_force as f64),
                    ("nofile_wanted", wanted as f64),
                    ("nofile_refused", probe.refused as u8 as f64),
                ] {
                    push("tokio", y, x, v);
                }
                progress.begin(&format!("tokio, {} requests at once{under}", p.server_tasks));
                progress.end(&format!(
                    "skipped: the open-files limit goes no higher than {} (wanted {wanted}): {}",
                    probe.in_force,
                    probe.short.as_deref().unwrap_or("the limit in force")
                ));
                if let Some(py) = py {
                    progress.begin(&format!("python, {} requests at once{under}", p.server_tasks));
                    let r = twin::run(py, TWIN, params, &["--part", "nofile", "--nofile", &wanted.to_string()])?;
                    let v = |y: &str| r.value("python", y, 0.0);
                    push("python", "nofile", x, v("nofile")?);
                    push("python", "nofile_refused", x, v("nofile_refused")?);
                    push("python", "nofile_wanted", x, wanted as f64);
                    progress.end(&format!(
                        "skipped: the open-files limit goes no higher than {:.0} (wanted {wanted})",
                        v("nofile")?
                    ));
                }
                continue;
            }
        }
        progress.begin(&format!("tokio, {} requests at once, limit {lim}{under} ({serving})", p.server_tasks));
        let rt = crate::tokio_rt::build(crate::params::Flavor::MultiThread)?;
        // The lowered limit is set and restored around the run alone; so is the raised one, hard limit included.
        let (old, raised) = match kind {
            Limit::Lowered => (p.nofile.map(set_soft_nofile).transpose()?, None),
            Limit::Raised => (None, Some(raise_nofile(wanted)?)),
        };
        // The limit the client runs under, read here so that the judge never reads the machine it runs on.
        let nofile = nofile_in_force();
        server.stats()?;
        let (r, section) = measure(|| rt.block_on(client::run(server.port, p.server_tasks, limit, timeout)));
        if let Some(old) = old {
            set_soft_nofile(old)?;
        }
        if let Some(raised) = &raised {
            restore_nofile(raised.before)?;
        }
        drop(rt);
        let seen = server.stats()?;
        let o = &r.outcomes;
        let vals = [o.ok, o.timeouts, o.conn_errors, o.emfile, o.addr_not_avail].map(|v| v as f64);
        let context = [nofile as f64, section.cores_busy(), r.peak_fds as f64];
        for (y, v) in ys().zip(vals.into_iter().chain(context)) {
            push("tokio", y, x, v);
        }
        if let Some(ports) = ephemeral_ports() {
            push("tokio", "ephemeral_ports", x, ports);
        }
        let server_side = |push: &mut dyn FnMut(&str, &str, f64, f64), name: &str, seen: &ServerStats| {
            if let Some(raised) = raised.as_ref().filter(|_| name == "tokio") {
                push(name, "nofile_wanted", x, wanted as f64);
                push(name, "nofile_refused", x, raised.refused as u8 as f64);
            }
            if let Some(n) = server.nofile() {
                push(name, "server_nofile", x, n as f64);
            }
            push(name, "server_max_open", x, seen.max_open as f64);
            push(name, "server_accept_errors", x, seen.accept_errors as f64);
        };
        server_side(&mut push, "tokio", &seen);
        let short = raised.as_ref().and_then(|r| r.short.as_ref()).map(|why| format!(" (short of {wanted}: {why})"));
        progress.end(&format!(
            "{} ok, {} EMFILE, {} EADDRNOTAVAIL, {} other errors, {} timeouts in {}; at most {} descriptors open \
             (limit {nofile}{}), {:.2} cores busy; the server held at most {} connections",
            o.ok,
            o.emfile,
            o.addr_not_avail,
            o.conn_errors,
            o.timeouts,
            fmt_s(r.wall_s),
            r.peak_fds,
            short.unwrap_or_default(),
            section.cores_busy(),
            seen.max_open
        ));
        server.drain(Duration::from_secs(120))?;
        if let Some(py) = py {
            progress.begin(&format!("python, {} requests at once, limit {lim}{under}", p.server_tasks));
            // The twin gets the limit the tokio client ran under (it raises its own hard limit where it may).
            let nofile = match kind {
                Limit::Lowered => p.nofile.map_or("none".to_string(), |n| n.to_string()),
                Limit::Raised => nofile.to_string(),
            };
            let args = ["--part", "server", "--port", &server.port.to_string(), "--limit", &lim, "--nofile", &nofile];
            server.stats()?;
            // A raised run's result sits at x = -1: the twin reports at its limit's x (0), moved here.
            let r = twin::run(py, TWIN, params, &args)?;
            let seen = server.stats()?;
            let at = limit.map_or(0.0, |l| l as f64);
            for y in ys() {
                if let Ok(v) = r.value("python", y, at) {
                    push("python", y, x, v);
                }
            }
            server_side(&mut push, "python", &seen);
            if kind == Limit::Raised {
                push("python", "nofile_wanted", x, wanted as f64);
            }
            let v = |y: &str| r.value("python", y, at).unwrap_or(0.0);
            progress.end(&format!(
                "{} ok, {} EMFILE, {} EADDRNOTAVAIL, {} other errors, {} timeouts (limit {}), {:.2} cores busy; the \
                 server held at most {} connections",
                v("ok"),
                v("emfile"),
                v("addr_not_avail"),
                v("conn_errors"),
                v("timeouts"),
                v("nofile"),
                v("client_cpu_busy"),
                seen.max_open
            ));
            server.drain(Duration::from_secs(120))?;
        }
    }
    Ok(out)
}

/// How many ephemeral ports one destination can use (`ip_local_port_range`): the other bound on connections.
fn ephemeral_ports() -> Option<f64> {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    match range.split_whitespace().filter_map(|x| x.parse::<f64>().ok()).collect::<Vec<_>>()[..] {
        [lo, hi] => Some(hi - lo + 1.0),
        _ => None,
    }
}
