//! A CPU kernel with a known cost: a multiply-xorshift loop the optimiser cannot remove, calibrated on this
//! machine so that parameters can be given in milliseconds of work.

use std::hint::black_box;
use std::time::Instant;

/// `iters` rounds of a 64-bit mix; the result depends on every round.
#[inline(never)]
pub fn spin(iters: u64, seed: u64) -> u64 {
    let mut x = black_box(seed) | 1;
    for _ in 0..iters {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x = x.wrapping_mul(0x2545_f491_4f6c_dd1d);
    }
    black_box(x)
}

/// Iterations of `spin` per millisecond here, measured now (best of several short runs, so a slow moment does
/// not make every job too short).
#[derive(Debug, Clone, Copy)]
pub struct Kernel {
    pub iters_per_ms: f64,
}

impl Kernel {
    pub fn calibrate() -> Kernel {
        let n = 200_000u64;
        let mut best = f64::INFINITY;
        for i in 0..5 {
            let t0 = Instant::now();
            spin(n, i);
            best = best.min(t0.elapsed().as_secs_f64());
        }
        Kernel { iters_per_ms: n as f64 / (best * 1000.0).max(1e-9) }
    }

    /// Iterations for `ms` milliseconds of work (at least 1).
    pub fn iters(&self, ms: f64) -> u64 {
        ((self.iters_per_ms * ms).round() as u64).max(1)
    }
}
