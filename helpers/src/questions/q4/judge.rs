//! Question 4's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult};
use crate::units::fmt_ms;

/// Where the unlimited runs sit in the series.
const NONE: f64 = ClientLimit::Unlimited.x();
const UNDER_NOFILE: f64 = ClientLimit::UnlimitedUnderNofile(0).x();

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let v = |y: &str, x: f64| r.value("tokio", y, x);
    Ok(format!(
        "{} requests, pool {}: limit {} p99 {} with {} timeouts; no limit p99 {} with {} timeouts{}",
        p.requests,
        p.pool_size,
        p.pool_size,
        fmt_ms(v("latency_p99_ms", p.pool_size as f64).or_else(|_| v("latency_p99_ms", 50.0)).unwrap_or(0.0)),
        v("timeouts", p.pool_size as f64).or_else(|_| v("timeouts", 50.0)).unwrap_or(0.0),
        fmt_ms(v("latency_p99_ms", NONE)?),
        v("timeouts", NONE)?,
        v("emfile", UNDER_NOFILE)
            .map(|e| format!("; under nofile {}: {e:.0} EMFILE", p.nofile.unwrap_or(0)))
            .unwrap_or_default()
    ))
}

/// Question 4's claims. (Being rewritten: every rule will decide both verdicts from the numbers.)
pub fn claims(_p: &Params, _r: &LabResult) -> Result<Vec<Claim>> {
    super::super::unwritten(4)
}
