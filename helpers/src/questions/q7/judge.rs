//! Question 7's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult};
use crate::units::fmt_s;

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let n = p.tasks.iter().copied().max().unwrap_or(1) as f64;
    let mut parts = Vec::new();
    for name in ["sleep multi_thread", "spin multi_thread", "python asyncio.sleep", "python spin"] {
        if let (Ok(w), Ok(c)) = (r.value(name, "wall_s", n), r.value(name, "cpu_s", n)) {
            parts.push(format!("{name} {} wall / {} CPU", fmt_s(w), fmt_s(c)));
        }
    }
    Ok(format!("{n:.0} tasks x {} ms: {}", p.duration_ms, parts.join("; ")))
}

/// Question 7's claims. (Being rewritten: every rule will decide both verdicts from the numbers.)
pub fn claims(_p: &Params, _r: &LabResult) -> Result<Vec<Claim>> {
    super::super::unwritten(7)
}
