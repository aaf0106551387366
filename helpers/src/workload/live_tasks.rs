//! What a live task costs: N tokio tasks that never finish, waiting on nothing or sleeping on a timer (heap bytes
//! from the counting allocator, RSS from /proc), N idle OS threads, and 100k jobs bounded three ways (all spawned at
//! once, a worker pool, a window).

use crate::error::{LabError, Result};
use crate::measure::{alloc, memory};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

/// Bytes per live task or thread.
#[derive(Debug, Clone, Copy, Default)]
pub struct PerTask {
    pub heap: f64,
    pub rss: f64,
    /// Address space (VmSize) per thread; 0 for tasks.
    pub virt: f64,
}

/// The smallest live task: a future that waits forever, on nothing (no timer, no waker kept anywhere).
async fn idle() {
    std::future::pending::<()>().await
}

/// How long a sleeper sleeps: far past any measurement, as the Python twin's `asyncio.sleep(3600)`.
const SLEEP: Duration = Duration::from_secs(3600);

/// A task that sleeps on a timer, as the Python twin's tasks do: its `Sleep` (the timer entry with its deadline,
/// its links in the runtime's timer wheel and the task's waker) is a field of the future.
async fn sleeping() {
    tokio::time::sleep(SLEEP).await
}

/// A task that holds a 1 KiB buffer across its await: the buffer lives in the future's state machine.
async fn holding() {
    let buf = [7u8; 1024];
    std::future::pending::<()>().await;
    black_box(&buf);
}

/// What each live task awaits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idle {
    /// `std::future::pending()`: the smallest possible task.
    Pending,
    /// `tokio::time::sleep(1 h)`: a timer entry registered, its waker kept by the timer wheel.
    Sleeping,
    /// `pending()` with 1 KiB held across the await.
    Holding,
}

/// Size of each future's state machine, bytes: what a task must store besides the runtime's header.
pub fn future_size(kind: Idle) -> usize {
    match kind {
        Idle::Pending => std::mem::size_of_val(&idle()),
        Idle::Sleeping => std::mem::size_of_val(&sleeping()),
        Idle::Holding => std::mem::size_of_val(&holding()),
    }
}

/// Spawns `n` never-finishing tasks of `kind`, keeping their JoinHandles when `handles`, and measures what they
/// added. The runtime (and every task) is dropped afterwards.
pub fn tokio_tasks(n: u64, kind: Idle, handles: bool) -> Result<PerTask> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(crate::measure::machine::cores())
        .enable_all()
        .build()
        .map_err(|e| LabError::other(format!("cannot start a tokio runtime: {e}")))?;
    // Warm the runtime up so that its own first allocations are not charged to the tasks: a task, and a timer
    // (the timer wheel's levels are allocated when the driver starts, but its first use may allocate more).
    rt.block_on(async {
        tokio::spawn(async {}).await.ok();
        tokio::time::sleep(Duration::from_millis(1)).await;
    });
    let (heap0, rss0) = (alloc::live_bytes(), memory::rss_bytes());
    let kept = rt.block_on(async {
        let mut kept = Vec::with_capacity(if handles { n as usize } else { 0 });
        for _ in 0..n {
            let h = match kind {
                Idle::Pending => tokio::spawn(idle()),
                Idle::Sleeping => tokio::spawn(sleeping()),
                Idle::Holding => tokio::spawn(holding()),
            };
            if handles {
                kept.push(h);
            }
        }
        // Let the workers poll every task once, as a live server's tasks would have been: a sleeper registers
        // its timer on its first poll. Tasks spawned from outside the workers wait in the global queue until a
        // worker takes them; once it is empty, what the workers hold locally is polled within the 20 ms.
        let metrics = tokio::runtime::Handle::current().metrics();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while metrics.global_queue_depth() > 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        kept
    });
    let per = PerTask {
        heap: alloc::live_bytes().saturating_sub(heap0) as f64 / n as f64,
        rss: memory::rss_bytes().saturating_sub(rss0) as f64 / n as f64,
        virt: 0.0,
    };
    drop(kept);
    drop(rt);
    Ok(per)
}

/// `n` OS threads blocked on a barrier, with the default stack or `stack` bytes.
pub fn threads(n: u64, stack: Option<usize>) -> Result<PerTask> {
    let barrier = Arc::new(Barrier::new(n as usize + 1));
    let release = Arc::new(Barrier::new(n as usize + 1));
    let (rss0, virt0) = (memory::rss_bytes(), memory::virtual_bytes());
    let mut hs = Vec::with_capacity(n as usize);
    for i in 0..n {
        let (b, r) = (barrier.clone(), release.clone());
        let mut builder = std::thread::Builder::new();
        if let Some(s) = stack {
            builder = builder.stack_size(s);
        }
        match builder.spawn(move || {
            b.wait();
            r.wait();
        }) {
            Ok(h) => hs.push(h),
            Err(e) => {
                // Let the ones started so far go before reporting.
                return Err(LabError::other(format!("could only start {i} of {n} threads: {e}; lower the count")));
            }
        }
    }
    barrier.wait();
    let per = PerTask {
        heap: 0.0,
        rss: memory::rss_bytes().saturating_sub(rss0) as f64 / n as f64,
        virt: memory::virtual_bytes().saturating_sub(virt0) as f64 / n as f64,
    };
    release.wait();
    for h in hs {
        let _ = h.join();
    }
    Ok(per)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// The notes' pattern: spawn every job, each waits for a semaphore permit: all are live at once.
    SpawnAll,
    /// `limit` worker tasks pull job numbers from a counter: only `limit` are ever live.
    WorkerPool,
    /// Spawn up to `limit`, then one more each time one finishes (a JoinSet used as a window).
    Window,
}

/// What `jobs` jobs of one 1 ms sleep each, bounded one way, peaked at: bytes above those live at the start.
#[derive(Debug, Clone, Copy)]
pub struct BoundedRun {
    pub peak_heap_bytes: f64,
    pub peak_rss_bytes: f64,
    /// Whether the RSS peak was reset before the run: false where the kernel refused, and `peak_rss_bytes` is then
    /// the process's lifetime peak (earlier runs included) over the RSS at the start. The heap's peak is the
    /// counting allocator's own, always reset.
    pub peak_reset: bool,
    pub wall_s: f64,
}

/// Peak heap and RSS above the start, and the wall time, for `jobs` jobs of one 1 ms sleep each.
pub fn bounded(how: Bound, jobs: u64, limit: u64) -> Result<BoundedRun> {
    let rt = crate::tokio_rt::build(crate::params::Flavor::MultiThread)?;
    rt.block_on(async { tokio::spawn(async {}).await.ok() });
    let (heap0, rss0) = (alloc::live_bytes(), memory::rss_bytes());
    alloc::reset_peak();
    let peak_reset = memory::reset_peak();
    let t0 = std::time::Instant::now();
    let job = || tokio::time::sleep(Duration::from_millis(1));
    rt.block_on(async {
        match how {
            Bound::SpawnAll => {
                let sem = Arc::new(tokio::sync::Semaphore::new(limit as usize));
                let hs: Vec<_> = (0..jobs)
                    .map(|_| {
                        let sem = sem.clone();
                        tokio::spawn(async move {
                            let _p = sem.acquire_owned().await.ok();
                            job().await
                        })
                    })
                    .collect();
                for h in hs {
                    let _ = h.await;
                }
            }
            Bound::WorkerPool => {
                let next = Arc::new(AtomicU64::new(0));
                let hs: Vec<_> = (0..limit)
                    .map(|_| {
                        let next = next.clone();
                        tokio::spawn(async move {
                            while next.fetch_add(1, Ordering::Relaxed) < jobs {
                                job().await
                            }
                        })
                    })
                    .collect();
                for h in hs {
                    let _ = h.await;
                }
            }
            Bound::Window => {
                let mut set = tokio::task::JoinSet::new();
                for _ in 0..jobs {
                    if set.len() as u64 >= limit {
                        set.join_next().await;
                    }
                    set.spawn(job());
                }
                while set.join_next().await.is_some() {}
            }
        }
    });
    let wall_s = t0.elapsed().as_secs_f64();
    let peak_heap_bytes = alloc::peak_bytes().saturating_sub(heap0) as f64;
    let peak_rss_bytes = memory::peak_rss_bytes().saturating_sub(rss0) as f64;
    drop(rt);
    Ok(BoundedRun { peak_heap_bytes, peak_rss_bytes, peak_reset, wall_s })
}
