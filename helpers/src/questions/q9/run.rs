//! What `lab q9` measures (the `lab` binary only, behind the `experiments` feature).

use super::*;
use crate::measure::cpu::measure;
use crate::peak::{self, Peak};
use crate::process::{nofile_in_force, set_soft_nofile};
use crate::progress::Progress;
use crate::questions::common;
use crate::result::{LabResult, Series};
use crate::twin;
use crate::units::{fmt_ms, fmt_s};
use crate::workload::client;
use crate::workload::server::{Server, ServerConfig};
use crate::workload::swarm;
use std::time::Duration;

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

/// Python's collections per generation, and its generation-0 threshold (the prose quotes the run's, not a default).
const PYTHON_GC: [&str; 4] = ["gc_gen0", "gc_gen1", "gc_gen2", "gc_threshold0"];

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
    common::finish(p, machine, series, super::judge::claims, super::judge::headline)
}

/// `server_tasks` requests at once, unbounded then bounded, from tokio and (when asked) Python.
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
    let ys = || OUTCOMES.iter().chain(SERVER_CONTEXT.iter());
    let mut out: Vec<Series> =
        ["tokio", "python"].iter().flat_map(|n| ys().map(move |y| Series::new(n, "limit", y))).collect();
    let mut push = |name: &str, y: &str, x: f64, v: f64| {
        if let Some(s) = out.iter_mut().find(|s| s.name == name && s.y == y) {
            s.points.push([x, v]);
        }
    };
    // x: 0 for no limit, else the limit.
    for limit in [None, Some(p.server_limit)] {
        let x = limit.map_or(0.0, |l| l as f64);
        let lim = limit.map_or("none".to_string(), |l| l.to_string());
        progress.begin(&format!("tokio, {} requests at once, limit {lim} ({serving})", p.server_tasks));
        let rt = crate::tokio_rt::build(crate::params::Flavor::MultiThread)?;
        let old = p.nofile.map(set_soft_nofile).transpose()?;
        // The limit the client runs under, read here so that the judge never reads the machine it runs on.
        let nofile = nofile_in_force();
        let (r, section) = measure(|| rt.block_on(client::run(server.port, p.server_tasks, limit, timeout)));
        if let Some(old) = old {
            set_soft_nofile(old)?;
        }
        drop(rt);
        let o = &r.outcomes;
        let vals = [o.ok, o.timeouts, o.conn_errors, o.emfile, o.addr_not_avail].map(|v| v as f64);
        let context = [nofile as f64, section.cores_busy(), r.peak_fds as f64];
        for (y, v) in ys().zip(vals.into_iter().chain(context)) {
            push("tokio", y, x, v);
        }
        if let Some(ports) = ephemeral_ports() {
            push("tokio", "ephemeral_ports", x, ports);
        }
        progress.end(&format!(
            "{} ok, {} EMFILE, {} EADDRNOTAVAIL, {} other errors, {} timeouts in {}; at most {} descriptors open \
             (limit {nofile}), {:.2} cores busy",
            o.ok,
            o.emfile,
            o.addr_not_avail,
            o.conn_errors,
            o.timeouts,
            fmt_s(r.wall_s),
            r.peak_fds,
            section.cores_busy()
        ));
        server.drain(Duration::from_secs(120))?;
        if let Some(py) = py {
            progress.begin(&format!("python, {} requests at once, limit {lim}", p.server_tasks));
            let nofile = p.nofile.map_or("none".to_string(), |n| n.to_string());
            let args = ["--part", "server", "--port", &server.port.to_string(), "--limit", &lim, "--nofile", &nofile];
            let r = twin::run(py, TWIN, params, &args)?;
            for y in ys() {
                if let Ok(v) = r.value("python", y, x) {
                    push("python", y, x, v);
                }
            }
            let v = |y: &str| r.value("python", y, x).unwrap_or(0.0);
            progress.end(&format!(
                "{} ok, {} EMFILE, {} EADDRNOTAVAIL, {} other errors, {} timeouts (limit {}), {:.2} cores busy",
                v("ok"),
                v("emfile"),
                v("addr_not_avail"),
                v("conn_errors"),
                v("timeouts"),
                v("nofile"),
                v("client_cpu_busy")
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
