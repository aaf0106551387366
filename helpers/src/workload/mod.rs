//! What experiments run: tasks that sleep behind a semaphore, and the cost of spawning and switching.

pub mod client;
pub mod cpu;
pub mod documents;
pub mod live_tasks;
pub mod process_pool;
pub mod scheduling;
pub mod serialize;
pub mod server;
pub mod sleepers;
pub mod strategies;
pub mod swarm;
pub mod waiting;

use crate::error::{LabError, Result};
pub use crate::params::Flavor;

/// Builds a tokio runtime of the given flavor; a failure (no threads left, say) is an error, not a panic.
pub fn runtime(flavor: Flavor) -> Result<tokio::runtime::Runtime> {
    let mut b = match flavor {
        Flavor::MultiThread => tokio::runtime::Builder::new_multi_thread(),
        Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
    };
    b.enable_all().build().map_err(|e| LabError::other(format!("cannot start a tokio runtime: {e}")))
}
