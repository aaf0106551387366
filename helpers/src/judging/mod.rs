//! The judges' toolkit and the one judging policy every question follows.
//!
//! - **A rule compares a named quantity with a line** (`Quantity::above`/`below`), written in the claim's
//!   direction, and decides through one of a few shapes (`Test::confirm`/`decide`, `two_step`, `grade`, `cause`,
//!   `mechanism`, `definition`). A test that holds never contradicts and one that fails never confirms, so the
//!   same quantity on the same side of the same line gives the same verdict in every claim (checked over every
//!   judge's fixtures by `tests/test_judge_coverage.py`). The evidence is the comparison, the verdict and the
//!   sentence of the branch taken; a value within `CLOSE` of its line is refined and says so.
//! - **Mechanisms a language lacks** (the GIL, coroutine objects and frames, future objects, an interpreter, a
//!   garbage collector: claims.json names each claim's) are "does not apply" in that language, always, with the
//!   analogue measured and named (`mechanism`).
//! - **Causes**: where the notes give X as the reason for Y (claims.json `kind: cause`), the rule tests that X
//!   explains Y, not only that X is true (`cause`): true but not the reason is refined.
//! - **Definitions** (`kind: definition`) are shown as definitions, never counted among the confirmed.
//! - **Machine shape**: a quantity about parallelism needs at least two cores in the result's machine, else the
//!   rule is not measured, saying why; lines about cores scale with the cores present.
//! - **What the run did not measure is "not measured"**, never a guess: a missing series (`MISSING`), a twin
//!   switched off, a limit that failed first by the experiment's design.
//!
//! `Claim::new` refuses a finding whose shape does not fit its claim's kind; findings are made here only.

mod policy;
mod test;

#[cfg(test)]
pub mod fixture;
#[cfg(test)]
mod tests;

pub use policy::{
    async_parallelism, cause, cause_of, definition, lacks, mechanism, no_spare_cores, AsyncRuns, Lang, ASYNC_GAIN,
    ASYNC_GAIN_LINE, PARALLEL_LINE,
};
pub use test::{grade, two_step, Fails, Holds, Quantity, Test, PARALLEL_CORES};

use crate::result::{Finding, LabResult};

/// A value within this fraction of its threshold is "close to the line": the verdict says so.
pub const CLOSE: f64 = 0.1;

/// How a finding begins when the result lacked a series its rule needs (`python`, `rust`): the ledger shows such
/// a result as not measured, `lab judge` refuses it (`missing`).
pub const MISSING: &str = "Not in this result: ";

/// The first thing a judged result lacked that one of its rules needed, if any ("q7: no series `sleep` ...").
pub fn missing(r: &LabResult) -> Option<String> {
    r.claims
        .iter()
        .flat_map(|c| [&c.rust, &c.python])
        .find_map(|f| f.evidence.strip_prefix(MISSING).map(|m| m.trim_end_matches('.').to_string()))
}

/// The Python verdict of a rule that reads the twin's series: "not measured" when the twin did not run or the
/// series it needs is missing, with the reason.
pub fn python(r: &LabResult, rule: impl FnOnce() -> crate::error::Result<Finding>) -> Finding {
    if r.machine.python.starts_with("not run") {
        return Finding::not_measured("The Python twin did not run (python: false).");
    }
    rust(rule)
}

/// The Rust verdict of a rule, the mirror of `python`: "not measured" when the result lacks a series the rule
/// needs (a result saved by an older lab, or a hand-made one), with the reason.
pub fn rust(rule: impl FnOnce() -> crate::error::Result<Finding>) -> Finding {
    rule().unwrap_or_else(|e| Finding::not_measured(format!("{MISSING}{}.", e.message)))
}
