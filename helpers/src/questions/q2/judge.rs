//! Question 2's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult};

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

/// Question 2's claims. (Being rewritten: every rule will decide both verdicts from the numbers.)
pub fn claims(_p: &Params, _r: &LabResult) -> Result<Vec<Claim>> {
    super::super::unwritten(2)
}
