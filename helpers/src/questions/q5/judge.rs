//! Question 5's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult};
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

/// Question 5's claims. (Being rewritten: every rule will decide both verdicts from the numbers.)
pub fn claims(_p: &Params, _r: &LabResult) -> Result<Vec<Claim>> {
    super::super::unwritten(5)
}
