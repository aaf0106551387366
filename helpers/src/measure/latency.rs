//! Latency percentiles from an HDR histogram (microsecond resolution, 3 significant digits), never from a mean.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// p50 / p90 / p99 / max in milliseconds, and how many samples.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Percentiles {
    pub count: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Records durations in microseconds; saturates rather than fails on out-of-range values.
pub struct Latencies {
    hist: Histogram<u64>,
}

impl Default for Latencies {
    fn default() -> Self {
        Self::new()
    }
}

impl Latencies {
    pub fn new() -> Self {
        // 1 µs .. 1 hour at 3 significant digits; the bounds are constants, so this cannot fail.
        let hist = Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("constant histogram bounds are valid");
        Latencies { hist }
    }

    pub fn record_us(&mut self, us: u64) {
        self.hist.saturating_record(us.max(1));
    }

    pub fn record(&mut self, d: std::time::Duration) {
        self.record_us(d.as_micros().min(u64::MAX as u128) as u64);
    }

    pub fn merge(&mut self, other: &Latencies) {
        // Same bounds on both sides, so adding cannot fail; ignore the impossible error rather than panic.
        let _ = self.hist.add(&other.hist);
    }

    pub fn percentiles(&self) -> Percentiles {
        let ms = |us: u64| us as f64 / 1000.0;
        if self.hist.is_empty() {
            return Percentiles::default();
        }
        Percentiles {
            count: self.hist.len(),
            p50_ms: ms(self.hist.value_at_quantile(0.50)),
            p90_ms: ms(self.hist.value_at_quantile(0.90)),
            p99_ms: ms(self.hist.value_at_quantile(0.99)),
            max_ms: ms(self.hist.max()),
        }
    }
}
