//! What `lab q4` measures (the `lab` binary only, behind the `experiments` feature): each client (tokio here, and
//! the Python twin's asyncio) at each limit, counting every request's outcome; then the notes' own program (every
//! request at once, the first error escaping: `client::gather` in tokio, `asyncio.gather` in the twin) without a
//! limit, plainly and under the lowered open-files limit.

use super::*;
use crate::measure::memory;
use crate::measure::record::Recorder;
use crate::peak::{self, Peak};
use crate::process::{nofile_in_force, set_soft_nofile};
use crate::progress::Progress;
use crate::questions::common;
use crate::result::{LabResult, Series};
use crate::timeline::Timeline;
use crate::twin;
use crate::units::{fmt_ms, fmt_s};
use crate::workload::client;
use crate::workload::server::{Server, ServerConfig};
use std::sync::Arc;
use std::time::Duration;

/// What one client run measured, client and server side.
#[derive(Debug, Clone, Copy, Default)]
struct Outcome {
    ok: f64,
    timeouts: f64,
    rejected: f64,
    conn_errors: f64,
    emfile: f64,
    addr_not_avail: f64,
    /// Latency from submission (before the permit) to the answer or the timeout: what the caller waits.
    from_submit_p50_ms: f64,
    from_submit_p99_ms: f64,
    from_submit_max_ms: f64,
    /// Latency from submission (the same clock start) to the answer, answered (200) requests only: the timeouts
    /// left out rather than counted at the timeout. 0 when none was answered (`ok` says how many were).
    answered_p50_ms: f64,
    answered_p99_ms: f64,
    answered_max_ms: f64,
    /// Service time, from the permit to the answer (answered requests only).
    service_p50_ms: f64,
    service_p99_ms: f64,
    service_max_ms: f64,
    peak_fds: f64,
    peak_rss_mb: f64,
    /// 1 when the peak was reset before the run, 0 where the kernel refused (a lifetime peak).
    peak_reset: f64,
    wall_s: f64,
    server_max_queue: f64,
    server_max_open: f64,
    /// Requests the server served after their client had closed the connection (timed out): wasted work, and the
    /// pool time they held, beside the pool time of the answers that still had a client.
    server_served_gone: f64,
    /// Of those, the requests whose client had gone before a pool connection came free: starved by the pool.
    server_starved: f64,
    server_wasted_s: f64,
    server_useful_s: f64,
    /// The server's time on the run, from the first request's arrival to the last answer written (abandoned ones
    /// included): what the run cost the backend.
    server_span_s: f64,
    /// Goodput: answers the client received, per second of `server_span_s`.
    goodput_per_s: f64,
    /// The client's soft open-files limit during the run (the lowered one in the nofile run): what 4.7 is judged
    /// against, recorded because the judge must not read the machine it runs on.
    nofile_in_force: f64,
}

impl Outcome {
    /// Each measure with its series' y name, in series order.
    fn measures(&self) -> [(&'static str, f64); 28] {
        [
            ("ok", self.ok),
            ("timeouts", self.timeouts),
            ("rejected", self.rejected),
            ("conn_errors", self.conn_errors),
            ("emfile", self.emfile),
            ("addr_not_avail", self.addr_not_avail),
            ("from_submit_p50_ms", self.from_submit_p50_ms),
            ("from_submit_p99_ms", self.from_submit_p99_ms),
            ("from_submit_max_ms", self.from_submit_max_ms),
            ("answered_p50_ms", self.answered_p50_ms),
            ("answered_p99_ms", self.answered_p99_ms),
            ("answered_max_ms", self.answered_max_ms),
            ("service_p50_ms", self.service_p50_ms),
            ("service_p99_ms", self.service_p99_ms),
            ("service_max_ms", self.service_max_ms),
            ("peak_fds", self.peak_fds),
            ("peak_rss_mb", self.peak_rss_mb),
            (peak::SERIES, self.peak_reset),
            ("wall_s", self.wall_s),
            ("server_max_queue", self.server_max_queue),
            ("server_max_open", self.server_max_open),
            ("server_served_gone", self.server_served_gone),
            ("server_starved", self.server_starved),
            ("server_wasted_s", self.server_wasted_s),
            ("server_useful_s", self.server_useful_s),
            ("server_span_s", self.server_span_s),
            ("goodput_per_s", self.goodput_per_s),
            ("nofile_in_force", self.nofile_in_force),
        ]
    }

    /// The client side of a Python twin's run at `x` (the server side is read by `lab`).
    fn from_python(r: &LabResult, x: f64) -> Result<Outcome> {
        let v = |y: &str| r.value("python", y, x);
        Ok(Outcome {
            ok: v("ok")?,
            timeouts: v("timeouts")?,
            rejected: v("rejected")?,
            conn_errors: v("conn_errors")?,
            emfile: v("emfile")?,
            addr_not_avail: v("addr_not_avail")?,
            from_submit_p50_ms: v("from_submit_p50_ms")?,
            from_submit_p99_ms: v("from_submit_p99_ms")?,
            from_submit_max_ms: v("from_submit_max_ms")?,
            answered_p50_ms: v("answered_p50_ms")?,
            answered_p99_ms: v("answered_p99_ms")?,
            answered_max_ms: v("answered_max_ms")?,
            service_p50_ms: v("service_p50_ms")?,
            service_p99_ms: v("service_p99_ms")?,
            service_max_ms: v("service_max_ms")?,
            peak_fds: v("peak_fds")?,
            peak_rss_mb: v("peak_rss_mb")?,
            peak_reset: v(peak::SERIES)?,
            wall_s: v("wall_s")?,
            nofile_in_force: v("nofile_in_force")?,
            ..Outcome::default()
        })
    }
}

/// Where a recorded run happened, for its timeline's caption (which says how many requests).
fn timeline_at(p: &Params) -> String {
    format!("pool of {} x {} ms, timeout {} ms", p.pool_size, p.service_ms, p.timeout_ms)
}

/// A recorded run's raw timeline, named and condensed into `STATES` (the twin's alike, with the same code).
fn condensed(t: Timeline, p: &Params, client: &str, run: ClientLimit) -> Timeline {
    Timeline { name: run.timeline_name(client), at: timeline_at(p), ..t }.condense(&STATES)
}

/// The tokio client's run against the server on `port`, and its timeline when `record`.
fn tokio_run(p: &Params, port: u16, run: ClientLimit, record: bool) -> Result<(Outcome, Option<Timeline>)> {
    let rt = crate::tokio_rt::build(crate::params::Flavor::MultiThread)?;
    // Where the kernel refuses, the peak read below is the process's lifetime peak (earlier runs included).
    let peak_reset = Peak::value(memory::reset_peak());
    let old = run.nofile().map(set_soft_nofile).transpose()?;
    let nofile_in_force = nofile_in_force() as f64;
    // Slots for every request, allocated before the clock starts.
    let mut rec = Recorder::new_if(record, p.requests as usize, &client::INSTANTS);
    rec.start_clock();
    let rec = Arc::new(rec);
    let timeout = Duration::from_millis(p.timeout_ms);
    let r = rt.block_on(client::run_recorded(port, p.requests, run.limit(), timeout, rec.clone()));
    if let Some(old) = old {
        set_soft_nofile(old)?;
    }
    let timeline = record.then(|| condensed(rec.timeline("", "", "requests", ""), p, "tokio", run));
    let o = &r.outcomes;
    let outcome = Outcome {
        ok: o.ok as f64,
        timeouts: o.timeouts as f64,
        rejected: o.rejected as f64,
        conn_errors: o.conn_errors as f64,
        emfile: o.emfile as f64,
        addr_not_avail: o.addr_not_avail as f64,
        from_submit_p50_ms: r.from_submit.p50_ms,
        from_submit_p99_ms: r.from_submit.p99_ms,
        from_submit_max_ms: r.from_submit.max_ms,
        answered_p50_ms: r.answered.p50_ms,
        answered_p99_ms: r.answered.p99_ms,
        answered_max_ms: r.answered.max_ms,
        service_p50_ms: r.service.p50_ms,
        service_p99_ms: r.service.p99_ms,
        service_max_ms: r.service.max_ms,
        peak_fds: r.peak_fds as f64,
        peak_rss_mb: memory::peak_rss_bytes() as f64 / (1024.0 * 1024.0),
        peak_reset,
        wall_s: r.wall_s,
        nofile_in_force,
        ..Outcome::default()
    };
    Ok((outcome, timeline))
}

/// The Python client's run against the server on `port`, and its timeline when `record`.
fn python_run(
    py: &twin::Python,
    p: &Params,
    params: &serde_json::Value,
    port: u16,
    run: ClientLimit,
    record: bool,
) -> Result<(Outcome, Option<Timeline>)> {
    let mut args = vec!["--port".to_string(), port.to_string(), "--limit".to_string()];
    args.push(run.limit().map_or("none".to_string(), |l| l.to_string()));
    if let Some(n) = run.nofile() {
        args.extend(["--nofile".to_string(), n.to_string()]);
    }
    if record {
        args.push("--timeline".to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut r = twin::run(py, TWIN, params, &args)?;
    let timeline = if record {
        let t = r.timelines.pop().ok_or_else(|| LabError::child(format!("{TWIN} --timeline emitted no timeline")))?;
        Some(condensed(t, p, "python", run))
    } else {
        None
    };
    Ok((Outcome::from_python(&r, run.x())?, timeline))
}

/// What the notes' own program reported, in series order, under each client's name at x = 0 (no limit) and x = -1
/// (no limit under the lowered open-files limit): the same y names and codes from `client::gather` (tokio) and
/// `q4_client.py --variant gather` (Python).
const GATHER: [&str; 7] = [
    "gather_raised",
    "gather_error",
    "gather_errno",
    "gather_after_ms",
    "gather_unfinished",
    "gather_answered",
    "gather_left_running",
];

/// The notes' program (asyncio.gather without return_exceptions, no limit) against the server on `port`, as `run`
/// (no client limit, or none under the lowered open-files limit): each measure at `run.x()`, and the last line.
fn gather_run(
    py: &twin::Python,
    params: &serde_json::Value,
    port: u16,
    run: ClientLimit,
) -> Result<([f64; 7], String)> {
    let mut args = vec!["--port".to_string(), port.to_string(), "--variant".to_string(), "gather".to_string()];
    if let Some(n) = run.nofile() {
        args.extend(["--nofile".to_string(), n.to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = twin::run(py, TWIN, params, &args)?;
    let mut values = [0.0; 7];
    for (v, y) in values.iter_mut().zip(GATHER) {
        *v = r.value("python", y, run.x())?;
    }
    Ok((values, r.headline))
}

/// The notes' program in tokio (`client::gather`) against the server on `port`, as `run`: each measure at
/// `run.x()` in `GATHER` order, and what escaped with when.
fn tokio_gather(p: &Params, port: u16, run: ClientLimit) -> Result<([f64; 7], String)> {
    let rt = crate::tokio_rt::build(crate::params::Flavor::MultiThread)?;
    let old = run.nofile().map(set_soft_nofile).transpose()?;
    let timeout = Duration::from_millis(p.timeout_ms);
    // The twin's budget: 10 s + 4 x the timeout.
    let g = rt.block_on(client::gather(port, p.requests, timeout, Duration::from_secs(10) + 4 * timeout));
    if let Some(old) = old {
        set_soft_nofile(old)?;
    }
    let after_ms = g.after.as_secs_f64() * 1000.0;
    let values = [
        if g.raised { 1.0 } else { 0.0 },
        g.error as f64,
        g.errno as f64,
        after_ms,
        g.unfinished as f64,
        g.answered as f64,
        g.left_running as f64,
    ];
    let last = if g.raised { format!("raised {} after {}", g.last, fmt_ms(after_ms)) } else { g.last };
    Ok((values, last))
}

pub fn execute(p: &Params) -> Result<LabResult> {
    let (py, machine) = common::setup(p.python)?;
    let params = common::params_json(p)?;
    // Each client with the interpreter it needs: tokio runs here, Python's asyncio in the twin.
    let clients: Vec<(&str, Option<&twin::Python>)> =
        std::iter::once(("tokio", None)).chain(py.as_ref().map(|py| ("python", Some(py)))).collect();
    let runs = ClientLimit::runs(p);
    // The notes' own program runs without a limit, plainly and under the lowered open-files limit, in each client.
    let gather_runs: Vec<ClientLimit> =
        std::iter::once(ClientLimit::Unlimited).chain(p.nofile.map(ClientLimit::UnlimitedUnderNofile)).collect();
    let mut progress = Progress::new("q4", (runs.len() + gather_runs.len()) * clients.len());
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
    let ys = Outcome::default().measures().map(|(y, _)| y);
    let mut series: Vec<Series> =
        clients.iter().flat_map(|(c, _)| ys.iter().map(move |y| Series::new(c, "limit", y))).collect();
    server.stats()?; // start the counters from zero
    let recorded = ClientLimit::recorded(p);
    let mut timelines = Vec::new();
    let mut stall: Vec<Series> = clients.iter().map(|(c, _)| Series::new(c, "limit", "memory_stall_ms")).collect();
    for &run in &runs {
        for (ci, (client, python)) in clients.iter().enumerate() {
            progress.begin(&format!("{client} client, limit {}", run.label()));
            let record = recorded.contains(&run);
            let stall_before = memory::memory_stall_us();
            let (mut o, timeline) = match python {
                Some(py) => python_run(py, p, &params, server.port, run, record)?,
                None => tokio_run(p, server.port, run, record)?,
            };
            timelines.extend(timeline);
            // Abandoned requests are still queued at the server: let it finish them before the next run.
            server.drain(Duration::from_secs(120))?;
            let stats = server.stats()?;
            o.server_max_queue = stats.max_queue as f64;
            o.server_max_open = stats.max_open as f64;
            o.server_served_gone = stats.served_gone as f64;
            o.server_starved = stats.starved as f64;
            o.server_wasted_s = stats.wasted_us as f64 / 1e6;
            o.server_useful_s = stats.busy_us.saturating_sub(stats.wasted_us) as f64 / 1e6;
            o.server_span_s = stats.span_us as f64 / 1e6;
            o.goodput_per_s = if o.server_span_s > 0.0 { o.ok / o.server_span_s } else { 0.0 };
            for (k, (_, value)) in o.measures().iter().enumerate() {
                series[ci * ys.len() + k].points.push([run.x(), *value]);
            }
            // The kernel's memory stall over the run and its drain, where it offers one (PSI): machine-wide.
            if let (Some(a), Some(b)) = (stall_before, memory::memory_stall_us()) {
                stall[ci].points.push([run.x(), b.saturating_sub(a) as f64 / 1000.0]);
            }
            progress.end(&format!(
                "{} ok, {} timeouts, {} errors ({} EMFILE); p99 {} from submission, {} service; server queue peak \
                 {}, {} served for clients gone; goodput {:.0}/s; {}; {}",
                o.ok,
                o.timeouts,
                o.conn_errors + o.emfile + o.addr_not_avail,
                o.emfile,
                fmt_ms(o.from_submit_p99_ms),
                fmt_ms(o.service_p99_ms),
                o.server_max_queue,
                o.server_served_gone,
                o.goodput_per_s,
                fmt_s(o.wall_s),
                Peak::of(o.peak_reset >= 0.5).progress(o.peak_rss_mb)
            ));
        }
    }
    let mut gather: Vec<Series> =
        clients.iter().flat_map(|(c, _)| GATHER.iter().map(move |y| Series::new(c, "limit", y))).collect();
    for &run in &gather_runs {
        for (ci, (client, python)) in clients.iter().enumerate() {
            let (values, last) = match python {
                Some(py) => {
                    progress.begin(&format!(
                        "python, the notes' program (asyncio.gather without return_exceptions), limit {}",
                        run.label()
                    ));
                    gather_run(py, &params, server.port, run)?
                }
                None => {
                    progress.begin(&format!(
                        "{client}, the notes' program (gather, first error escapes), limit {}",
                        run.label()
                    ));
                    tokio_gather(p, server.port, run)?
                }
            };
            // Its abandoned requests are still queued at the server: let it finish them before the next run.
            server.drain(Duration::from_secs(120))?;
            for (s, v) in gather[ci * GATHER.len()..].iter_mut().zip(values) {
                s.points.push([run.x(), v]);
            }
            let at = |y: &str| GATHER.iter().position(|g| *g == y).map_or(0.0, |i| values[i]);
            // Python's line as it always read; tokio's gives the time in `last`.
            let unfinished_when = if python.is_some() { "requests unfinished when it ended" } else { "unfinished" };
            progress.end(&format!(
                "{last}; {} of {} {unfinished_when}; {} still running after the clean-up",
                at("gather_unfinished"),
                p.requests,
                at("gather_left_running")
            ));
        }
    }
    series.extend(gather);
    // Absent where the kernel offers no PSI: the judge then says so.
    series.extend(stall.into_iter().filter(|s| !s.points.is_empty()));
    drop(server);
    let mut result = common::finish(p, machine, series, super::judge::claims, super::judge::headline)?;
    result.timelines = timelines;
    Ok(result)
}
