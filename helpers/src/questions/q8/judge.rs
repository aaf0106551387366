//! Question 8's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult};
use crate::units::fmt_ms;

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let big = p.doc_bytes.iter().copied().max().unwrap_or(0) as f64;
    let rust = r.value("inline current_thread", "mb_per_s", big)?;
    let py = r.value("python inline", "mb_per_s", big).ok();
    Ok(format!(
        "{big:.0}-byte documents, one thread: serde_json {rust:.0} MB/s{}; heartbeat p99 inline {} vs spawn_blocking {}",
        py.map(|v| format!(", json.dumps {v:.0} MB/s ({:.1}x)", rust / v)).unwrap_or_default(),
        fmt_ms(r.value("inline current_thread", "lag_p99_ms", big)?),
        fmt_ms(r.value("spawn_blocking", "lag_p99_ms", big)?)
    ))
}

/// Question 8's claims. (Being rewritten: every rule will decide both verdicts from the numbers.)
pub fn claims(_p: &Params, _r: &LabResult) -> Result<Vec<Claim>> {
    super::super::unwritten(8)
}
