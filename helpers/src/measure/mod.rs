//! Measurement tools, separate from what is measured: clocks and CPU time, memory, latency histograms,
//! machine description. Only the `lab` binary uses them; they never draw.

pub mod alloc;
pub mod cpu;
pub mod lag;
pub mod latency;
pub mod machine;
pub mod memory;
pub mod record;
