//! What every experiment does before and after measuring: find Python and describe the machine; assemble the
//! result and judge its claims.

use super::{Claims, Headline};
use crate::error::{LabError, Result};
use crate::measure::machine;
use crate::params::ExperimentParams;
use crate::result::{LabResult, Machine, Series, SCHEMA};
use crate::twin::{self, Python};
use crate::units::rfc3339;
use std::sync::OnceLock;
use std::time::SystemTime;

/// The interpreter for the twins (when asked for) and the machine description that names it.
/// Also notes when the run started, for the result's `started`.
pub fn setup(python: bool) -> Result<(Option<Python>, Machine)> {
    let _ = STARTED.set(SystemTime::now());
    let py = if python { Some(twin::find_python()?) } else { None };
    let mut machine = machine::detect(py.as_ref().map_or("not run (python: false)", |p| p.version.as_str()));
    machine.python_gil = py.as_ref().map(|p| p.gil);
    Ok((py, machine))
}

/// When this process's run started (one experiment per `lab` process).
static STARTED: OnceLock<SystemTime> = OnceLock::new();

/// The params as JSON (defaults applied), for the result and for the twins.
pub fn params_json<P: ExperimentParams>(p: &P) -> Result<serde_json::Value> {
    serde_json::to_value(p).map_err(|e| LabError::other(format!("cannot encode params: {e}")))
}

/// Builds the result from its series, then adds the claims and the headline judged on it.
pub fn finish<P: ExperimentParams>(
    p: &P,
    machine: Machine,
    series: Vec<Series>,
    claims: Claims<P>,
    headline: Headline<P>,
) -> Result<LabResult> {
    let mut result = LabResult {
        schema: SCHEMA,
        experiment: P::NAME.into(),
        lab_version: env!("CARGO_PKG_VERSION").into(),
        commit: env!("LAB_COMMIT").into(),
        started: rfc3339(*STARTED.get_or_init(SystemTime::now)),
        finished: rfc3339(SystemTime::now()),
        params: params_json(p)?,
        machine,
        headline: String::new(),
        series,
        claims: Vec::new(),
        timelines: Vec::new(),
    };
    super::judge(&mut result, claims, headline)?;
    Ok(result)
}
