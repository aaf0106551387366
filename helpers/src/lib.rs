//! The Rust concurrency lab's helpers: each notebook does `use helpers::q3::*;` (or q5, ...) and gets the
//! question's `Params`, `run`, its charts and its verdicts. Experiments run in a release `lab` child process
//! (see `runner`); the notebook side of the crate only validates, runs, charts and judges.
//!
//! Layers, each using only those above it in this list (a test keeps it so):
//! - the contract both sides compile: `error`, `stats`, `units`, `verdict_types`, `params`, `result`, `claims`,
//!   `judging`, `peak`, `budget`, `paths`, `process`;
//! - the questions (`questions::qN`: params, charts, judge; run on the lab side) and their `registry`;
//! - the notebook side: `chart`, `verdict`, `display`, `ledger`, `overview`, `runner`;
//! - the lab side (feature `experiments`): `measure`, `tokio_rt`, `workload`, `progress`, `twin`, `watchdog`.

// The contract.
pub mod budget;
pub mod claims;
pub mod error;
pub mod evidence;
pub mod judging;
pub mod params;
pub mod paths;
pub mod peak;
pub mod process;
pub mod result;
pub mod stats;
pub mod timeline;
pub mod units;
pub mod verdict_types;

// The questions.
pub mod questions;
pub mod registry;
/// `use helpers::q3::*;` in a notebook: question 3's params, run, charts and verdicts.
pub use questions::{q1, q2, q3, q4, q5, q6, q7, q8, q9};

// The notebook side.
pub mod chart;
pub mod display;
pub mod ledger;
pub mod overview;
pub mod recording_cost;
pub mod runner;
pub mod verdict;

// The lab side.
#[cfg(feature = "experiments")]
pub mod measure;
#[cfg(feature = "experiments")]
pub mod progress;
#[cfg(feature = "experiments")]
pub mod tokio_rt;
#[cfg(feature = "experiments")]
pub mod twin;
#[cfg(feature = "experiments")]
pub mod watchdog;
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
    /// What recording timelines costs here, as `make bench` measured it.
    pub use crate::recording_cost::recording_cost;
    pub use crate::result::{load, Claim, LabResult, Series, Verdict};
    /// `run(&params)` runs the experiment `params` belong to; `run_with(&params, &budget)` within a budget.
    pub use crate::runner::{run, run_with};
    pub use crate::verdict::{Check, Light, Prediction};
}
