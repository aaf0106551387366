//! Question 9's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult, Verdict};
use crate::units::{fmt_ms, fmt_s, or_not_run};

/// The first task count at which `name`'s loop lag p99 passed `ms`.
fn lag_threshold(r: &LabResult, name: &str, ms: f64) -> Option<f64> {
    r.series(name, "lag_p99_ms")?.points.iter().find(|p| p[1] > ms).map(|p| p[0])
}

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
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

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    let n = if p.tasks.contains(&50_000) { 50_000.0 } else { p.tasks.iter().copied().max().unwrap_or(1) as f64 };
    let lo = p.tasks.iter().copied().min().unwrap_or(1) as f64;
    let t = |y: &str, x: f64| r.value("tokio", y, x);
    let py = |y: &str, x: f64| r.value("python", y, x).ok();
    let f0 = |o: Option<f64>| or_not_run(o, |v| format!("{v:.0}"));
    let fm = |o: Option<f64>| or_not_run(o, fmt_ms);
    let top = p.tasks.iter().copied().max().unwrap_or(1) as f64;
    let mut out = vec![Claim::new(
        "9.1",
        Verdict::Refined,
        format!(
            "At {n:.0} tasks: tokio peaked at {:.0} MiB resident ({:.0} heap bytes a task), Python at {} MiB; at \
             {top:.0} tokio tasks, {:.0} MiB. Memory grows linearly with live tasks — by kilobytes a task in \
             Python, hundreds of bytes in Rust: 'massive' only at millions.",
            t("peak_rss_mb", n)?,
            t("bytes_per_task", n)?,
            f0(py("peak_rss_mb", n)),
            t("peak_rss_mb", top)?
        ),
    )?];
    out.push(Claim::new(
        "9.2",
        Verdict::PythonOnly,
        format!(
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
    )?);
    out.push(Claim::new(
        "9.3",
        Verdict::Confirmed,
        format!(
            "All tasks' timers fire together, so the run queue holds them all at once: spawning {n:.0} took {} in \
             tokio, and the last sleeper woke {} late (p99 {}) against {} at {lo:.0}; Python: {} late at {n:.0}.",
            fmt_s(t("spawn_s", n)?),
            fmt_ms(t("lateness_max_ms", n)?),
            fmt_ms(t("lateness_p99_ms", n)?),
            fmt_ms(t("lateness_max_ms", lo)?),
            fm(py("lateness_max_ms", n))
        ),
    )?);
    out.push(Claim::new(
        "9.4",
        Verdict::Confirmed,
        format!(
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
    )?);
    let ports = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| {
            let v: Vec<u64> = s.split_whitespace().filter_map(|x| x.parse().ok()).collect();
            (v.len() == 2).then(|| v[1] - v[0] + 1)
        })
        .unwrap_or(28_232);
    let nofile = p.nofile.unwrap_or_else(crate::process::nofile_in_force);
    let server = |name: &str, y: &str, x: f64| r.value(name, y, x).ok();
    let lim = p.server_limit as f64;
    out.push(Claim::new(
        "9.5",
        if server("tokio", "emfile", 0.0).unwrap_or(0.0) > 0.0 { Verdict::Confirmed } else { Verdict::Refined },
        if p.server_tasks == 0 {
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
                    format!(" (lowered for this run; {} in force here)", crate::process::nofile_in_force())
                } else {
                    String::new()
                },
                if nofile < ports {
                    "\"too many open files\" (EMFILE)"
                } else {
                    "\"cannot assign requested address\" (EADDRNOTAVAIL)"
                }
            )
        },
    )?);
    let th_t = lag_threshold(r, "tokio", 10.0);
    let th_p = lag_threshold(r, "python", 10.0);
    let th = |o: Option<f64>, name: &str| {
        o.map_or(format!("not reached by {name} in this sweep"), |x| format!("{x:.0} tasks for {name}"))
    };
    out.push(Claim::new(
        "9.6",
        Verdict::Confirmed,
        format!(
            "Heartbeat lag p99 at {n:.0} tasks: tokio {}, Python {}. Lag p99 passed 10 ms at {} and {}: the loop \
             is busy creating, waking and finishing tasks in bursts.",
            fmt_ms(t("lag_p99_ms", n)?),
            fm(py("lag_p99_ms", n)),
            th(th_t, "tokio"),
            th(th_p, "Python")
        ),
    )?);
    out.push(Claim::new(
        "9.7",
        Verdict::Refined,
        format!(
            "At {n:.0} sleeping tasks the CPU was busy {:.2} cores on average (tokio) — not the limit. What grew was \
             the burst of scheduling work when the timers fire (lateness up to {}) and memory; what broke was a \
             hard limit: file descriptors (9.5). Nothing became unstable at this scale.",
            t("cpu_busy", n)?,
            fmt_ms(t("lateness_max_ms", n)?)
        ),
    )?);
    out.push(Claim::new(
        "9.8",
        Verdict::Refined,
        format!(
            "{top:.0} sleeping tokio tasks completed in {} at {:.0} MiB. Unbounded concurrency collapses a system \
             when something finite runs out — memory, descriptors, a backend pool (notebook 04) — not at a task \
             count as such; bounding it (limit {}) removed every error here.",
            fmt_s(t("wall_s", top)?),
            t("peak_rss_mb", top)?,
            p.server_limit
        ),
    )?);
    Ok(out)
}
