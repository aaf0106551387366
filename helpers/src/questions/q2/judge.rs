//! Question 2's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult, Verdict};
use crate::units::{fmt_ms, or_not_run};

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let w = p.workers.iter().copied().max().unwrap_or(1) as f64;
    let mut parts = Vec::new();
    for name in ["threads", "gil model", "processes", "python threads", "python processes"] {
        if let Ok(v) = r.value(name, "speedup", w) {
            parts.push(format!("{name} {v:.2}x"));
        }
    }
    Ok(format!(
        "{} jobs x {} ms on {} workers ({}): {}",
        p.jobs,
        p.job_ms,
        w,
        r.machine.cores_label(),
        parts.join(", ")
    ))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    let cores = r.machine.cores as f64;
    // Judge at the largest pool that fits the cores (or the largest there is).
    let w =
        p.workers.iter().copied().filter(|&w| w as f64 <= cores).max().or(p.workers.iter().copied().max()).unwrap_or(1)
            as f64;
    let busy = |name: &str| r.value(name, "cores_busy", w).ok();
    let speed = |name: &str| r.value(name, "speedup", w).ok();
    let f = |o: Option<f64>| or_not_run(o, |v| format!("{v:.2}"));
    let thr = busy("threads").unwrap_or(0.0);
    let gil = busy("gil model").unwrap_or(0.0);
    // Rust's threads ran at once: the claims describe the GIL. On one core nothing runs at once, threads and
    // processes alike, so the claims are refined: nothing scales there.
    let parallel = thr >= 1.4;
    let (verdict, one_core) = if parallel {
        (Verdict::PythonOnly, "")
    } else {
        (Verdict::Refined, " Here nothing ran at once (one core, or a busy machine): processes cannot scale either.")
    };
    let mut out = vec![Claim::new(
        "2.1",
        verdict,
        format!(
            "With {w:.0} workers on {}, cores busy (CPU time / wall time): Python threads {}, \
             Python processes {}; Rust threads {thr:.2}, Rust processes {}. Python's threads take turns on the \
             GIL; Rust's threads run at once, like processes, without their costs.{one_core}",
            r.machine.cores_label(),
            f(busy("python threads")),
            f(busy("python processes")),
            f(busy("processes"))
        ),
    )?];
    out.push(Claim::new(
        "2.2",
        verdict,
        format!(
            "One shared knife: the GIL model (threads holding one lock while they compute) kept {gil:.2} cores \
             busy and ran at {}x, Python threads {}x. Rust threads have a knife each: {thr:.2} cores busy, {}x \
             — the analogy describes the GIL, not threads.{one_core}",
            f(speed("gil model")),
            f(speed("python threads")),
            f(speed("threads"))
        ),
    )?);
    let kb = |name: &str| {
        r.value(name, "kb_per_worker", p.workers.iter().copied().max().unwrap_or(1) as f64)
            .map_or("not run".to_string(), |v| format!("{v:.0}"))
    };
    out.push(Claim::new("2.3",
        Verdict::Confirmed,
        format!(
            "Resident memory per worker: Rust thread {} KiB (and {} KiB of address space reserved: its stack and a malloc arena, mostly never touched), \
             Rust worker process {} KiB; Python thread {} KiB, Python worker process {} KiB.",
            kb("threads"),
            kb("threads virtual"),
            kb("processes"),
            kb("python threads"),
            kb("python processes")
        ),
    )?);
    let small = p.payload_bytes.iter().copied().min().unwrap_or(0);
    let large = p.payload_bytes.iter().copied().max().unwrap_or(0);
    let at = |name: &str, bytes: u64| {
        r.series(name, "cost_ms").and_then(|s| {
            s.points.iter().min_by(|a, b| (a[0] - bytes as f64).abs().total_cmp(&(b[0] - bytes as f64).abs())).copied()
        })
    };
    let mbs = |pt: Option<[f64; 2]>| pt.map_or("n/a".to_string(), |p| format!("{:.0} MB/s", p[0] / 1e6 / (p[1] / 1e3)));
    let ms = |pt: Option<[f64; 2]>| pt.map_or("n/a".to_string(), |p| fmt_ms(p[1]));
    let cross = |name: &str| r.series(name, "pool_speedup").and_then(crossing);
    let cross_txt = |o: Option<f64>| o.map_or("not reached in the sweep".to_string(), |v| format!("{v:.0} µs"));
    out.push(Claim::new(
        "2.4",
        Verdict::Confirmed,
        format!(
            "A round trip to a worker process took {} for a {small}-byte message in Rust ({} in Python) and \
             {} for {large} bytes ({}; Python {}). So a pool pays per job: a warm pool of {cores:.0} processes \
             beat a plain loop only for jobs longer than about {} in Rust and {} in Python (threads: {}).",
            ms(at("pipe round trip", small)),
            ms(at("python pipe round trip", small)),
            ms(at("pipe round trip", large)),
            mbs(at("pipe round trip", large)),
            mbs(at("python pipe round trip", large)),
            cross_txt(cross("processes")),
            cross_txt(cross("python processes")),
            cross_txt(cross("threads"))
        ),
    )?);
    out.push(Claim::new(
        "2.5",
        Verdict::Confirmed,
        format!(
            "Serializing and parsing a {large}-byte document: serde_json {} ({}), pickle {} ({}). Every message \
             to a worker pays this twice (there and back), which is most of the round trip for large payloads.",
            ms(at("serde_json", large)),
            mbs(at("serde_json", large)),
            ms(at("python pickle", large)),
            mbs(at("python pickle", large))
        ),
    )?);
    Ok(out)
}
