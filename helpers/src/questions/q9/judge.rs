//! Question 9's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult};
use crate::units::{fmt_ms, fmt_s};

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

/// Question 9's claims. (Being rewritten: every rule will decide both verdicts from the numbers.)
pub fn claims(_p: &Params, _r: &LabResult) -> Result<Vec<Claim>> {
    super::super::unwritten(9)
}
