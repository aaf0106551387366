//! What experiments run: tasks that sleep behind a semaphore, and the cost of spawning and switching.

pub mod client;
pub mod cpu;
pub mod documents;
pub mod live_tasks;
pub mod offered;
pub mod open_loop;
pub mod process_pool;
pub mod scheduling;
pub mod serialize;
pub mod server;
pub mod sleepers;
pub mod strategies;
pub mod swarm;
pub mod waiting;

pub use crate::params::Flavor;
pub use crate::tokio_rt::build as runtime;
