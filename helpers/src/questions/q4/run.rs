//! What `lab q4` measures (the `lab` binary only, behind the `experiments` feature).

use super::*;
use crate::measure::memory;
use crate::process::set_soft_nofile;
use crate::progress::Progress;
use crate::questions::common;
use crate::result::{LabResult, Series};
use crate::twin;
use crate::units::{fmt_ms, fmt_s};
use crate::workload::client;
use crate::workload::server::{Server, ServerConfig};
use std::time::Duration;

/// Every y measured per run, in series order.
pub const YS: [&str; 14] = [
    "ok",
    "timeouts",
    "rejected",
    "conn_errors",
    "emfile",
    "addr_not_avail",
    "latency_p50_ms",
    "latency_p99_ms",
    "latency_max_ms",
    "peak_fds",
    "peak_rss_mb",
    "wall_s",
    "server_max_queue",
    "server_max_open",
];

fn tokio_run(p: &Params, port: u16, limit: Option<u64>, nofile: Option<u64>) -> Result<[f64; 12]> {
    let rt = crate::tokio_rt::build(crate::params::Flavor::MultiThread)?;
    memory::reset_peak();
    let old = match nofile {
        Some(n) => Some(set_soft_nofile(n)?),
        None => None,
    };
    let r = rt.block_on(client::run(port, p.requests, limit, Duration::from_millis(p.timeout_ms)));
    if let Some(old) = old {
        set_soft_nofile(old)?;
    }
    let o = &r.outcomes;
    Ok([
        o.ok as f64,
        o.timeouts as f64,
        o.rejected as f64,
        o.conn_errors as f64,
        o.emfile as f64,
        o.addr_not_avail as f64,
        r.latency.p50_ms,
        r.latency.p99_ms,
        r.latency.max_ms,
        r.peak_fds as f64,
        memory::peak_rss_bytes() as f64 / (1024.0 * 1024.0),
        r.wall_s,
    ])
}

pub fn execute(p: &Params) -> Result<LabResult> {
    let (py, machine) = common::setup(p.python)?;
    let params = common::params_json(p)?;
    let clients: Vec<&str> = if py.is_some() { vec!["tokio", "python"] } else { vec!["tokio"] };
    // Each limit, then the unlimited run under the lowered open-files limit.
    let mut runs: Vec<(Option<u64>, Option<u64>)> = p.limits.iter().map(|l| (*l, None)).collect();
    if let Some(n) = p.nofile {
        runs.push((None, Some(n)));
    }
    let mut progress = Progress::new("q4", runs.len() * clients.len());
    let server = Server::start(&ServerConfig {
        pool_size: p.pool_size,
        service_ms: p.service_ms,
        backlog: p.backlog,
        rate_per_s: p.rate_per_s,
    })?;
    progress.note(&format!(
        "{} requests against a loopback server (port {}, pool {}, {} ms per request), timeout {} ms; about {:.0} s",
        p.requests,
        server.port,
        p.pool_size,
        p.service_ms,
        p.timeout_ms,
        p.estimate_s()
    ));
    let mut series: Vec<Series> =
        clients.iter().flat_map(|c| YS.iter().map(move |y| Series::new(c, "limit", y))).collect();
    server.stats()?; // start the counters from zero
    for &(limit, nofile) in &runs {
        let x = if nofile.is_some() { -1.0 } else { limit_x(limit) };
        for (ci, client) in clients.iter().enumerate() {
            progress.begin(&format!("{client} client, limit {}", limit_label(x, p.nofile)));
            let mut v = [0.0; 14];
            if *client == "tokio" {
                v[..12].copy_from_slice(&tokio_run(p, server.port, limit, nofile)?);
            } else {
                let py = py.as_ref().ok_or_else(|| LabError::other("no Python"))?;
                let limit_arg = limit.map_or("none".to_string(), |l| l.to_string());
                let mut args = vec!["--port".to_string(), server.port.to_string(), "--limit".to_string(), limit_arg];
                if let Some(n) = nofile {
                    args.extend(["--nofile".to_string(), n.to_string()]);
                }
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let r = twin::run(py, TWIN, &params, &args)?;
                for (k, y) in YS[..12].iter().enumerate() {
                    v[k] = r.value("python", y, x)?;
                }
            }
            // Abandoned requests are still queued at the server: let it finish them before the next run.
            server.drain(Duration::from_secs(120))?;
            let stats = server.stats()?;
            v[12] = stats.max_queue as f64;
            v[13] = stats.max_open as f64;
            for (k, value) in v.iter().enumerate() {
                series[ci * YS.len() + k].points.push([x, *value]);
            }
            progress.end(&format!(
                "{} ok, {} timeouts, {} errors ({} EMFILE); p99 {}; server queue peak {}; {}",
                v[0],
                v[1],
                v[3] + v[4] + v[5],
                v[4],
                fmt_ms(v[7]),
                v[12],
                fmt_s(v[11])
            ));
        }
    }
    drop(server);
    common::finish(p, machine, series, super::judge::claims, super::judge::headline)
}
