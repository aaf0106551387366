//! Question 3's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult};
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

/// Question 3's claims. (Being rewritten: every rule will decide both verdicts from the numbers.)
pub fn claims(_p: &Params, _r: &LabResult) -> Result<Vec<Claim>> {
    super::super::unwritten(3)
}
