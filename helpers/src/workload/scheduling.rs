//! What one unit of concurrency costs to schedule: spawning it (and joining it), and handing control from one
//! to another (a ping-pong between two tasks or two threads). Microseconds per task / per hand-off.

use super::{runtime, Flavor};
use crate::error::{LabError, Result};
use std::sync::mpsc;
use std::time::Instant;

/// µs per task to spawn `n` empty tokio tasks and await them all.
pub fn tokio_spawn_us(n: usize, flavor: Flavor) -> Result<f64> {
    let rt = runtime(flavor)?;
    let t0 = Instant::now();
    rt.block_on(async {
        let handles: Vec<_> = (0..n).map(|i| tokio::spawn(async move { std::hint::black_box(i) })).collect();
        for h in handles {
            let _ = h.await;
        }
    });
    Ok(t0.elapsed().as_secs_f64() * 1e6 / n as f64)
}

/// µs per thread to spawn and join `n` OS threads, `batch` alive at a time.
pub fn thread_spawn_us(n: usize, batch: usize) -> Result<f64> {
    let t0 = Instant::now();
    let mut left = n;
    while left > 0 {
        let k = left.min(batch.max(1));
        let mut hs = Vec::with_capacity(k);
        for i in 0..k {
            let h = std::thread::Builder::new()
                .spawn(move || std::hint::black_box(i))
                .map_err(|e| LabError::other(format!("cannot spawn a thread: {e}")))?;
            hs.push(h);
        }
        for h in hs {
            h.join().map_err(|_| LabError::other("an empty thread panicked"))?;
        }
        left -= k;
    }
    Ok(t0.elapsed().as_secs_f64() * 1e6 / n as f64)
}

/// µs per hand-off between two tokio tasks on one thread (`rounds` round trips = 2 x rounds hand-offs).
pub fn tokio_switch_us(rounds: usize) -> Result<f64> {
    let rt = runtime(Flavor::CurrentThread)?;
    let elapsed = rt.block_on(async {
        let (to_b, mut b_rx) = tokio::sync::mpsc::channel::<usize>(1);
        let (to_a, mut a_rx) = tokio::sync::mpsc::channel::<usize>(1);
        let b = tokio::spawn(async move {
            while let Some(v) = b_rx.recv().await {
                if to_a.send(v).await.is_err() {
                    break;
                }
            }
        });
        let t0 = Instant::now();
        for i in 0..rounds {
            if to_b.send(i).await.is_err() || a_rx.recv().await.is_none() {
                break;
            }
        }
        let elapsed = t0.elapsed();
        drop(to_b);
        let _ = b.await;
        elapsed
    });
    Ok(elapsed.as_secs_f64() * 1e6 / (2 * rounds) as f64)
}

/// µs per hand-off between two OS threads over rendezvous channels: each one is a futex wake-up and a sleep.
pub fn thread_switch_us(rounds: usize) -> Result<f64> {
    let (to_b, b_rx) = mpsc::sync_channel::<usize>(0);
    let (to_a, a_rx) = mpsc::sync_channel::<usize>(0);
    let b = std::thread::Builder::new()
        .spawn(move || {
            while let Ok(v) = b_rx.recv() {
                if to_a.send(v).is_err() {
                    break;
                }
            }
        })
        .map_err(|e| LabError::other(format!("cannot spawn a thread: {e}")))?;
    let t0 = Instant::now();
    for i in 0..rounds {
        if to_b.send(i).is_err() || a_rx.recv().is_err() {
            break;
        }
    }
    let elapsed = t0.elapsed();
    drop(to_b);
    let _ = b.join();
    Ok(elapsed.as_secs_f64() * 1e6 / (2 * rounds) as f64)
}
