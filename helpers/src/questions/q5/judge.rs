//! Question 5's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::questions::q3::ideal_s;
use crate::result::{Claim, LabResult, Verdict};
use crate::units::{fmt_pct, fmt_s};

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let lat = p.latencies_ms.iter().copied().max().unwrap_or(1);
    let f = notes_s(p.tasks, p.limit, lat);
    let mut parts = Vec::new();
    for name in ["tokio", "python"] {
        if let Ok(v) = r.value(name, "runtime_s", lat as f64) {
            parts.push(format!("{name} {} ({})", fmt_s(v), fmt_pct(v / f - 1.0)));
        }
    }
    Ok(format!("{} tasks, limit {}, sleep {lat} ms: formula {}; {}", p.tasks, p.limit, fmt_s(f), parts.join(", ")))
}

pub fn claims(p: &Params, r: &LabResult) -> Result<Vec<Claim>> {
    let lats = &p.latencies_ms;
    let (lo, hi) = (lats.iter().copied().min().unwrap_or(1), lats.iter().copied().max().unwrap_or(1));
    let t_lo = r.value("tokio", "runtime_s", lo as f64)?;
    let t_hi = r.value("tokio", "runtime_s", hi as f64)?;
    let mut sorted = lats.clone();
    sorted.sort_unstable();
    sorted.dedup();
    let runtimes: Vec<f64> = sorted.iter().filter_map(|&l| r.value("tokio", "runtime_s", l as f64).ok()).collect();
    let rising = runtimes.windows(2).all(|w| w[1] > w[0]);
    let mut out = vec![Claim::new(
        "5.1",
        if rising { Verdict::Confirmed } else { Verdict::Refined },
        format!(
            "tokio took {} at {lo} ms and {} at {hi} ms: {:.1}x longer for {:.1}x the sleep{}.",
            fmt_s(t_lo),
            fmt_s(t_hi),
            t_hi / t_lo,
            hi as f64 / lo as f64,
            if rising { ", rising at every step of the sweep" } else { ", though not at every step" }
        ),
    )?];

    let mut worst: Vec<String> = Vec::new();
    let mut max_err: f64 = 0.0;
    let mut err_at_hi = Vec::new();
    for name in ["tokio", "python"] {
        let Some(errs) = r.series(name, "error_pct") else {
            continue;
        };
        let errs_text: Vec<String> = errs.points.iter().map(|pt| format!("{:.0} ms {:+.1}%", pt[0], pt[1])).collect();
        worst.push(format!("{name}: {}", errs_text.join(", ")));
        for pt in &errs.points {
            max_err = max_err.max(pt[1].abs());
        }
        if let Some(e) = errs.at(hi as f64) {
            err_at_hi.push(format!("{name} {e:+.2}%"));
        }
    }
    let resid = r
        .series("tokio", "residual_per_wave_ms")
        .map(|s| s.points.iter().map(|p| p[1]).sum::<f64>() / s.points.len().max(1) as f64)
        .unwrap_or(0.0);
    let divides = p.tasks.is_multiple_of(p.limit);
    out.push(Claim::new(
        "5.2",
        if max_err <= 5.0 && divides { Verdict::Confirmed } else { Verdict::Refined },
        format!(
            "The formula (N / concurrency) x latency missed by, per latency: {}. At {hi} ms: {}. Each wave adds about \
             {resid:.2} ms in tokio (the 1 ms timer rounds every deadline up), so the true model is \
             ceil(N / concurrency) x (latency + overhead){}.",
            worst.join("; "),
            err_at_hi.join(", "),
            if divides {
                String::new()
            } else {
                format!(
                    "; here N/concurrency is not whole, so the ceil adds a partial wave of {} tasks",
                    p.tasks % p.limit
                )
            }
        ),
    )?);

    let min_ratio = sorted
        .iter()
        .filter_map(|&l| r.value("tokio", "runtime_s", l as f64).ok().map(|v| v / ideal_s(p.tasks, p.limit, l)))
        .fold(f64::INFINITY, f64::min);
    out.push(Claim::new(
        "5.3",
        if min_ratio >= 0.99 { Verdict::Confirmed } else { Verdict::Contradicted },
        format!(
            "No run beat ceil(N / concurrency) x latency: the fastest was {:.4}x of it. With {} permits, \
             {} waves of one sleep each must pass one after another.",
            min_ratio,
            p.limit,
            p.tasks.div_ceil(p.limit)
        ),
    )?);

    let overlap = p.tasks as f64 * hi as f64 / 1000.0 / t_hi;
    out.push(Claim::new(
        "5.4",
        Verdict::Confirmed,
        format!(
            "At {hi} ms, {} sleeps back to back would take {}; tokio finished in {}: {overlap:.1} sleeps \
             overlapped on average, against a limit of {}.",
            p.tasks,
            fmt_s(p.tasks as f64 * hi as f64 / 1000.0),
            fmt_s(t_hi),
            p.limit
        ),
    )?);
    Ok(out)
}
