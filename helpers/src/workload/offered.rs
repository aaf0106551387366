//! An open-loop client for the loopback server: requests arrive at a fixed rate whatever the server does (the next
//! one does not wait for the last, as users do not), each attempt has a timeout, and a timed-out request is retried
//! at once, a bounded number of times, the way a naive client or a proxy retries. What it measures is goodput: the
//! answers that came back within the timeout, per second.

use super::client::one;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one point of a sweep saw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfferedRun {
    /// Requests submitted (each one or more attempts).
    pub requests: u64,
    /// Attempts sent, retries included: the load the server actually got.
    pub attempts: u64,
    /// Requests answered (200) within an attempt's timeout.
    pub good: u64,
    /// Attempts that timed out.
    pub timeouts: u64,
    /// Requests whose every attempt timed out.
    pub gave_up: u64,
    /// Requests that ended in an error (refused, reset, a 429, EMFILE ...): not retried.
    pub errors: u64,
    /// From the first submission to the last request's end, s: what goodput is per.
    pub elapsed_s: f64,
    /// From the first submission to the last, s: the offering window as the client kept it.
    pub offered_s: f64,
}

impl OfferedRun {
    /// Answers within the timeout per second of the point.
    pub fn goodput_per_s(&self) -> f64 {
        self.good as f64 / self.elapsed_s.max(1e-9)
    }

    /// Requests submitted per second of the window the client kept (below the rate asked when the client itself
    /// could not keep up).
    pub fn offered_per_s(&self) -> f64 {
        self.requests as f64 / self.offered_s.max(1e-9)
    }
}

/// Offers `rate_per_s` requests a second for `seconds` to the server at `port`, each attempt bounded by `timeout`,
/// each timed-out request retried at most `retries` times. Bounded in time: the point ends at most
/// `(retries + 1) * timeout` after the last submission (plus the scheduler's delay), every request then ended.
pub async fn offer(port: u16, rate_per_s: f64, seconds: f64, timeout: Duration, retries: u64) -> OfferedRun {
    let n = (rate_per_s * seconds).round().max(1.0) as u64;
    let (attempts, timeouts) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let t0 = Instant::now();
    let t0_tokio = tokio::time::Instant::from_std(t0);
    let mut handles = Vec::with_capacity(n as usize);
    let mut last_submit = t0;
    for i in 0..n {
        // Due at t0 + i / rate: an open loop, paced by the clock, never by the answers.
        let due = t0_tokio + Duration::from_secs_f64(i as f64 / rate_per_s);
        tokio::time::sleep_until(due).await;
        last_submit = Instant::now();
        let (attempts, timeouts) = (attempts.clone(), timeouts.clone());
        handles.push(tokio::spawn(async move {
            for _ in 0..=retries {
                attempts.fetch_add(1, Ordering::Relaxed);
                match tokio::time::timeout(timeout, one(port)).await {
                    Ok(Ok(true)) => return Some(true),
                    Ok(_) => return Some(false),
                    Err(_) => {
                        timeouts.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            None
        }));
    }
    let mut run = OfferedRun { requests: n, ..Default::default() };
    for h in handles {
        match h.await {
            Ok(Some(true)) => run.good += 1,
            Ok(None) => run.gave_up += 1,
            _ => run.errors += 1,
        }
    }
    run.elapsed_s = t0.elapsed().as_secs_f64();
    // The window kept: up to the last submission, plus the one interval that follows it.
    run.offered_s = (last_submit - t0).as_secs_f64() + 1.0 / rate_per_s;
    run.attempts = attempts.load(Ordering::Relaxed);
    run.timeouts = timeouts.load(Ordering::Relaxed);
    run
}
