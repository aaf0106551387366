//! Question 3's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult, Verdict};
use crate::units::{fmt_ratio, fmt_s};

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let l = reference_limit(&p.limits);
    let ideal = ideal_s(p.tasks, l, p.latency_ms);
    let mut parts = Vec::new();
    for name in ["tokio", "threads", "python"] {
        if let Ok(v) = r.value(name, "runtime_s", l as f64) {
            parts.push(format!("{name} {} ({} ideal)", fmt_s(v), fmt_ratio(v / ideal)));
        }
    }
    Ok(format!("{} tasks x {} ms at limit {l}: {}", p.tasks, p.latency_ms, parts.join(", ")))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    let l = reference_limit(&p.limits);
    let x = l as f64;
    let ideal = ideal_s(p.tasks, l, p.latency_ms);
    let tokio = r.value("tokio", "runtime_s", x)?;
    let threads = r.value("threads", "runtime_s", x)?;
    let python = r.value("python", "runtime_s", x).ok();
    let py_ratio = python.map(|v| format!(", Python asyncio {}", fmt_ratio(v / ideal))).unwrap_or_default();
    let mut out = Vec::new();

    out.push(Claim::new(
        "3.1",
        if tokio / ideal <= 1.05 { Verdict::Confirmed } else { Verdict::Refined },
        format!(
            "At limit {l}, {} tasks took {} in tokio against an ideal of ceil(N/limit) x latency = {}: \
             {} ideal (threads {}{py_ratio}). Sleeping tasks need no CPU, so {l} of them wait at once and \
             the run is {} waves of one latency each; what is left over is timer rounding per wave.",
            p.tasks,
            fmt_s(tokio),
            fmt_s(ideal),
            fmt_ratio(tokio / ideal),
            fmt_ratio(threads / ideal),
            p.tasks.div_ceil(l)
        ),
    )?);

    let busy = r.value("tokio", "cpu_busy", x)?;
    let occupancy = ideal / tokio;
    out.push(Claim::new(
        "3.2",
        if busy < 0.5 { Verdict::Contradicted } else { Verdict::Confirmed },
        format!(
            "CPU time / wall time during the tokio run at limit {l} was {busy:.3} cores: the threads were idle \
             {:.1}% of the time{}. What stays constantly utilized is the semaphore: its {l} permits were held \
             {:.1}% of the run (N x latency / (limit x wall)). The event loop waits on a timer, it does not work.",
            (1.0 - busy.min(1.0)) * 100.0,
            r.value("python", "cpu_busy", x)
                .map(|b| format!(" (Python's one thread: {b:.3} cores busy)"))
                .unwrap_or_default(),
            occupancy * 100.0
        ),
    )?);

    let top = p.limits.iter().copied().max().unwrap_or(l);
    let evidence3 = if top > l {
        let xt = top as f64;
        format!(
            "With nothing to overload, raising the limit from {l} to {top} made tokio {} faster ({} -> {}); \
             the cost was memory: threads peaked at {:.1} MiB RSS at limit {top} against {:.1} MiB at {l}, \
             tokio at {:.1} MiB against {:.1} MiB. A limit protects a shared resource (a server, a pool, \
             file descriptors: notebook 04); for pure waiting it only slows the run down.",
            fmt_ratio(tokio / r.value("tokio", "runtime_s", xt)?),
            fmt_s(tokio),
            fmt_s(r.value("tokio", "runtime_s", xt)?),
            r.value("threads", "peak_rss_mb", xt)?,
            r.value("threads", "peak_rss_mb", x)?,
            r.value("tokio", "peak_rss_mb", xt)?,
            r.value("tokio", "peak_rss_mb", x)?,
        )
    } else {
        format!("Only limits up to {l} were run; add a larger limit (e.g. 1000) to see what removing it costs.")
    };
    out.push(Claim::new("3.3", Verdict::Refined, evidence3)?);

    if p.overhead_tasks > 0 {
        let n = p.overhead_tasks as f64;
        let ts = r.value("tokio", "spawn_us", n)?;
        let hs = r.value("threads", "spawn_us", n)?;
        let tw = r.value("tokio", "switch_us", n)?;
        let hw = r.value("threads", "switch_us", n)?;
        let py = match (r.value("python", "spawn_us", n), r.value("python", "switch_us", n)) {
            (Ok(s), Ok(w)) => format!(
                " Python asyncio: {s:.2} µs per task and {w:.2} µs per hand-off: cheaper than an OS thread \
                 to create, but its interpreter makes each step far dearer than tokio's."
            ),
            _ => String::new(),
        };
        out.push(Claim::new(
            "3.4",
            if ts * 5.0 < hs { Verdict::Confirmed } else { Verdict::Refined },
            format!(
                "Spawning and joining one tokio task cost {ts:.2} µs against {hs:.1} µs for an OS thread \
                 ({:.0}x); handing control from one task to another cost {tw:.3} µs against {hw:.2} µs \
                 between threads ({:.0}x).{py}",
                hs / ts,
                hw / tw
            ),
        )?);
    }
    Ok(out)
}
