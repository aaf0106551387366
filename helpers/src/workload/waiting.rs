//! N async tasks that each spend `duration` one of three ways: awaiting a timer (tokio sleep), blocking their
//! thread (std::thread::sleep inside the task: the classic mistake), or spinning the CPU; and the same N spins
//! on plain OS threads (`spin_threads`), the baseline that says what async adds over the threads it runs on.

use super::cpu::{spin, Kernel};
use crate::error::{LabError, Result};
use crate::measure::cpu::{self, Section};
use crate::params::Flavor;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// `tokio::time::sleep(d).await`: the task is parked, the thread is free.
    Sleep,
    /// `std::thread::sleep(d)` inside the task: the task holds its worker thread while it sleeps.
    Blocking,
    /// Computes for `d`: the thread is busy.
    Spin,
}

/// Wall and CPU time of the run, and the voluntary context switches it made (times a thread gave up the CPU).
#[derive(Debug, Clone, Copy)]
pub struct WaitRun {
    pub section: Section,
    pub switches: i64,
}

pub fn run(how: Wait, flavor: Flavor, tasks: u64, duration: Duration, kernel: &Kernel) -> Result<WaitRun> {
    let rt = match flavor {
        Flavor::MultiThread => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(crate::measure::machine::cores())
            .enable_all()
            .build(),
        Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread().enable_all().build(),
    }
    .map_err(|e| LabError::other(format!("cannot start a tokio runtime: {e}")))?;
    let iters = kernel.iters(duration.as_secs_f64() * 1000.0);
    let s0 = cpu::process().voluntary_switches;
    let (_, section) = cpu::measure(|| {
        rt.block_on(async {
            let handles: Vec<_> = (0..tasks)
                .map(|j| {
                    tokio::spawn(async move {
                        match how {
                            Wait::Sleep => tokio::time::sleep(duration).await,
                            Wait::Blocking => std::thread::sleep(duration),
                            Wait::Spin => {
                                spin(iters, j);
                            }
                        }
                    })
                })
                .collect();
            for h in handles {
                let _ = h.await;
            }
        })
    });
    let switches = cpu::process().voluntary_switches - s0;
    drop(rt);
    Ok(WaitRun { section, switches })
}

/// The N spin jobs of `Wait::Spin` (same kernel, same iterations, job `j` seeded with `j`) on `threads` plain OS
/// threads taking jobs from a shared counter: no runtime, no tasks. Measured as `run` measures (process CPU time
/// and voluntary switches around the section; the threads start inside it, as a runtime's tasks are spawned
/// inside it).
pub fn spin_threads(tasks: u64, duration: Duration, kernel: &Kernel, threads: usize) -> Result<WaitRun> {
    let iters = kernel.iters(duration.as_secs_f64() * 1000.0);
    let next = AtomicU64::new(0);
    let worker = || loop {
        let j = next.fetch_add(1, Ordering::Relaxed);
        if j >= tasks {
            break;
        }
        spin(iters, j);
    };
    let s0 = cpu::process().voluntary_switches;
    let (started, section) = cpu::measure(|| {
        std::thread::scope(|scope| -> Result<()> {
            for i in 0..threads.max(1) {
                let spawned = std::thread::Builder::new().name(format!("spinner-{i}")).spawn_scoped(scope, worker);
                if let Err(e) = spawned {
                    // The threads already started finish the jobs; the scope joins them before returning.
                    return Err(LabError::other(format!("could only start {i} of {threads} spinning threads: {e}")));
                }
            }
            Ok(())
        })
    });
    let switches = cpu::process().voluntary_switches - s0;
    started?;
    Ok(WaitRun { section, switches })
}
