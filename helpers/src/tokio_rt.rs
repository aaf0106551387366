//! tokio runtimes, built by each run and dropped with it (evcxr gives every cell fresh statics, so nothing here
//! is global).

use crate::error::{LabError, Result};
use crate::params::Flavor;

/// Builds a tokio runtime of the given flavor; a failure (no threads left, say) is an error, not a panic.
pub fn build(flavor: Flavor) -> Result<tokio::runtime::Runtime> {
    let mut b = match flavor {
        Flavor::MultiThread => tokio::runtime::Builder::new_multi_thread(),
        Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
    };
    b.enable_all().build().map_err(|e| LabError::other(format!("cannot start a tokio runtime: {e}")))
}
