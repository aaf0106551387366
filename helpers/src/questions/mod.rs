//! One home per question: `qN/mod.rs` holds its `Params` (defaults = the notes' numbers, validation) and the
//! charts its notebook calls, `qN/run.rs` what `lab qN` measures (the `experiments` feature only), and
//! `qN/judge.rs` its claims, a pure function of a result. `registry` lists them.

#[cfg(feature = "experiments")]
pub mod common;
pub mod permits;
pub mod q1;
pub mod q2;
pub mod q3;
pub mod q4;
pub mod q5;
pub mod q6;
pub mod q7;
pub mod q8;
pub mod q9;

use crate::error::{LabError, Result};
use crate::params::ExperimentParams;
use crate::result::{Claim, LabResult};

/// A question's rules: its claims and its headline, each a function of the params and the result.
pub type Claims<P> = fn(&P, &LabResult) -> Result<Vec<Claim>>;
pub type Headline<P> = fn(&P, &LabResult) -> Result<String>;

/// Judges `result` with a question's rules, in place: its claims (checked against the notes' catalogue) and its
/// headline. The params are read from the result itself, so a saved file can be judged again.
pub fn judge<P: ExperimentParams>(result: &mut LabResult, claims: Claims<P>, headline: Headline<P>) -> Result<()> {
    if result.experiment != P::NAME {
        return Err(LabError::invalid(format!(
            "a result of `{}` cannot be judged by the rules of `{}`",
            result.experiment,
            P::NAME
        )));
    }
    let p: P = serde_json::from_value(result.params.clone())
        .map_err(|e| LabError::invalid(format!("{}: the result's params do not parse: {e}", P::NAME)))?;
    result.claims = claims(&p, result)?;
    crate::claims::catalogue()?.check(P::NAME, &result.claims)?;
    result.headline = headline(&p, result)?;
    Ok(())
}
