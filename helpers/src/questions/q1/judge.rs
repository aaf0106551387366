//! Question 1's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult};

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let x = p.jobs as f64;
    let mut parts = Vec::new();
    for name in ["tokio current_thread", "tokio multi_thread", "python asyncio", "python processes"] {
        if let Ok(v) = r.value(name, "speedup", x) {
            parts.push(format!("{name} {v:.2}x"));
        }
    }
    Ok(format!(
        "{} jobs x {} ms, speed-up over sequential on {}: {}",
        p.jobs,
        p.job_ms,
        r.machine.cores_label(),
        parts.join(", ")
    ))
}

/// Question 1's claims. (Being rewritten: every rule will decide both verdicts from the numbers.)
pub fn claims(_p: &Params, _r: &LabResult) -> Result<Vec<Claim>> {
    super::super::unwritten(1)
}
