//! q9's offered-load sweep (the `lab` binary only): a client that retries timed-out requests meets a server past
//! its capacity.

use super::*;
use crate::workload::offered;

/// Each sweep point's numbers, against the offered load asked for (requests a second): goodput, the load the
/// client kept, attempts a second (retries included), outcome counts, and what the server served (answers the
/// client had given up on included), how much of that to clients already gone (wasted), and its longest queue.
const SWEEP: [&str; 11] = [
    "goodput_per_s",
    "offered_kept_per_s",
    "attempts_per_s",
    "sweep_requests",
    "sweep_good",
    "sweep_timeouts",
    "sweep_gave_up",
    "sweep_errors",
    "server_served_per_s",
    "server_wasted_per_s",
    "server_max_queue",
];

/// The offered-load sweep: for each load, a fresh server (so that no point starts in the last one's backlog) and
/// the tokio client, then the same loads from the asyncio client against a fresh server each. x: the offered load
/// asked for, requests a second; the model line is goodput = min(offered, capacity).
pub(super) fn sweep(
    c: &Collapse,
    py: Option<&twin::Python>,
    params: &serde_json::Value,
    progress: &mut Progress,
) -> Result<Vec<Series>> {
    let config = ServerConfig { pool_size: c.pool, service_ms: c.service_ms, backlog: 4096, rate_per_s: None };
    let capacity = c.capacity_per_s();
    let rates: Vec<f64> = c.loads.iter().map(|l| l * capacity).collect();
    let mut out: Vec<Series> = ["tokio", "python"]
        .iter()
        .flat_map(|n| SWEEP.iter().map(move |y| Series::new(n, "offered_per_s", y)))
        .collect();
    let mut ideal = Series::new("ideal", "offered_per_s", "goodput_per_s");
    ideal.points = rates.iter().map(|&r| [r, r.min(capacity)]).collect();
    out.push(ideal);
    let mut push = |name: &str, y: &str, x: f64, v: f64| {
        if let Some(s) = out.iter_mut().find(|s| s.name == name && s.y == y) {
            s.points.push([x, v]);
        }
    };
    let timeout = Duration::from_millis(c.timeout_ms);
    let what = format!(
        "{} s a point at {:?} x capacity ({capacity:.0}/s: {} pool connections, {} ms a request), timeout {} ms, \
         {} retries",
        c.seconds, c.loads, c.pool, c.service_ms, c.timeout_ms, c.retries
    );
    progress.begin(&format!("tokio, offered load {what}"));
    let rt = crate::tokio_rt::build(crate::params::Flavor::MultiThread)?;
    let mut said = Vec::new();
    for &rate in &rates {
        let server = Server::start(&config)?;
        let r = rt.block_on(offered::offer(server.port, rate, c.seconds, timeout, c.retries));
        let seen = server.stats()?;
        drop(server);
        let vals = [
            r.goodput_per_s(),
            r.offered_per_s(),
            r.attempts as f64 / r.elapsed_s.max(1e-9),
            r.requests as f64,
            r.good as f64,
            r.timeouts as f64,
            r.gave_up as f64,
            r.errors as f64,
            seen.served as f64 / r.elapsed_s.max(1e-9),
            seen.served_gone as f64 / r.elapsed_s.max(1e-9),
            seen.max_queue as f64,
        ];
        for (y, v) in SWEEP.iter().zip(vals) {
            push("tokio", y, rate, v);
        }
        said.push(format!("{rate:.0}/s: goodput {:.0}/s, served {:.0}/s ({:.0}/s wasted)", vals[0], vals[8], vals[9]));
    }
    drop(rt);
    progress.end(&said.join("; "));
    if let Some(py) = py {
        progress.begin(&format!("python, offered load {what}"));
        let servers = rates.iter().map(|_| Server::start(&config)).collect::<Result<Vec<_>>>()?;
        let ports: Vec<String> = servers.iter().map(|s| s.port.to_string()).collect();
        // The twin asks each server for its counters as its point ends (the server counts since it started).
        let r = twin::run(py, TWIN, params, &["--part", "offered", "--ports", &ports.join(",")])?;
        drop(servers);
        let mut said = Vec::new();
        for &rate in &rates {
            for y in SWEEP {
                if let Ok(v) = r.value("python", y, rate) {
                    push("python", y, rate, v);
                }
            }
            let v = |y: &str| r.value("python", y, rate).unwrap_or(0.0);
            said.push(format!(
                "{rate:.0}/s: goodput {:.0}/s (offered {:.0}/s), served {:.0}/s",
                v("goodput_per_s"),
                v("offered_kept_per_s"),
                v("server_served_per_s")
            ));
        }
        progress.end(&said.join("; "));
    }
    Ok(out)
}
