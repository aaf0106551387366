//! CPU time from `getrusage`: user + system seconds of this process (all threads) or its waited-for children.

use std::time::{Duration, Instant};

/// CPU time and context switches at one moment.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuSnapshot {
    pub cpu_s: f64,
    pub voluntary_switches: i64,
    pub involuntary_switches: i64,
}

fn rusage(who: libc::c_int) -> CpuSnapshot {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::getrusage(who, &mut ru) } == 0;
    if !ok {
        return CpuSnapshot::default();
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    CpuSnapshot {
        cpu_s: secs(ru.ru_utime) + secs(ru.ru_stime),
        voluntary_switches: ru.ru_nvcsw,
        involuntary_switches: ru.ru_nivcsw,
    }
}

/// This process, every thread included.
pub fn process() -> CpuSnapshot {
    rusage(libc::RUSAGE_SELF)
}

/// Child processes that have been waited for (their CPU time is added when they are reaped).
pub fn children() -> CpuSnapshot {
    rusage(libc::RUSAGE_CHILDREN)
}

/// Like `measure`, counting the CPU time of child processes reaped during the section too (worker processes
/// started and ended inside it).
pub fn measure_with_children<T>(f: impl FnOnce() -> T) -> (T, Section) {
    let (c0, k0) = (process(), children());
    let t0 = Instant::now();
    let v = f();
    let wall = t0.elapsed();
    let (c1, k1) = (process(), children());
    let cpu = (c1.cpu_s - c0.cpu_s) + (k1.cpu_s - k0.cpu_s);
    (v, Section { wall_s: wall.as_secs_f64(), cpu_s: cpu.max(0.0) })
}

/// Wall and CPU time of one measured section.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    pub wall_s: f64,
    pub cpu_s: f64,
}

impl Section {
    /// Cores kept busy on average: CPU time / wall time. Robust to the clock-speed drift that fools speed-ups.
    pub fn cores_busy(&self) -> f64 {
        if self.wall_s > 0.0 {
            self.cpu_s / self.wall_s
        } else {
            0.0
        }
    }
}

/// Runs `f`, returning its value with the wall and process CPU time it took.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Section) {
    let c0 = process();
    let t0 = Instant::now();
    let v = f();
    let wall = t0.elapsed();
    let c1 = process();
    (v, Section { wall_s: wall.as_secs_f64(), cpu_s: (c1.cpu_s - c0.cpu_s).max(0.0) })
}

/// Seconds as a `Duration`, saturating at zero for negative input.
pub fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}
