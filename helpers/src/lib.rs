//! The Rust concurrency lab's helpers: each notebook does `use helpers::q3::*;` (or q5, ...) and gets the
//! experiment's `Params`, `run`, its charts and its verdicts. Experiments run in a release `lab` child process
//! (see `runner`); this side of the crate only validates, runs, charts and judges.

pub mod budget;
pub mod chart;
pub mod claims;
pub mod display;
pub mod error;
pub mod experiments;
pub mod ledger;
pub mod params;
pub mod result;
pub mod runner;
pub mod stats;
pub mod verdict;

#[cfg(feature = "experiments")]
pub mod measure;
#[cfg(feature = "experiments")]
pub mod progress;
#[cfg(feature = "experiments")]
pub mod twin;
#[cfg(feature = "experiments")]
pub mod workload;
pub use budget::Budget;
pub use error::{LabError, Result};
pub use result::{load, LabResult};

/// What every notebook uses, whatever its question.
pub mod prelude {
    pub use crate::budget::Budget;
    pub use crate::chart::Chart;
    pub use crate::display::verdicts;
    pub use crate::display::{Html, Summary};
    pub use crate::error::{LabError, Result};
    pub use crate::params::Flavor;
    pub use crate::result::{load, Claim, LabResult, Series, Verdict};
    /// `run(&params)` runs the experiment `params` belong to; `run_with(&params, &budget)` within a budget.
    pub use crate::runner::{run, run_with};
    pub use crate::verdict::{Check, Light, Prediction};
}

pub mod overview;
pub mod q1;
pub mod q2;
pub mod q3;
pub mod q4;
pub mod q5;
pub mod q6;
pub mod q7;
pub mod q8;
pub mod q9;
