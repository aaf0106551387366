//! Progress lines from inside `lab`, on stderr, so that stdout carries only the result JSON. The runner forwards
//! them to the notebook cell as they come.

use std::sync::Mutex;
use std::time::Instant;

static PHASE: Mutex<String> = Mutex::new(String::new());

/// What the run is doing now, for budget messages.
pub fn phase() -> String {
    PHASE.lock().map(|p| if p.is_empty() { "start-up".to_string() } else { p.clone() }).unwrap_or_default()
}

/// Counts the measurement steps of one experiment and prints one line per step.
pub struct Progress {
    experiment: String,
    total: usize,
    done: usize,
    started: Instant,
}

impl Progress {
    pub fn new(experiment: &str, total: usize) -> Self {
        Progress { experiment: experiment.into(), total, done: 0, started: Instant::now() }
    }

    /// Announces the step about to run (it becomes the phase named in budget errors).
    pub fn begin(&mut self, what: &str) {
        if let Ok(mut p) = PHASE.lock() {
            *p = what.to_string();
        }
    }

    /// Reports a finished step with its outcome.
    pub fn end(&mut self, outcome: &str) {
        self.done += 1;
        eprintln!(
            "[{} {:>3}/{} {:>5.1} s] {}: {}",
            self.experiment,
            self.done,
            self.total,
            self.started.elapsed().as_secs_f64(),
            phase(),
            outcome
        );
    }

    /// A line that is not a step.
    pub fn note(&self, msg: &str) {
        eprintln!("[{}] {msg}", self.experiment);
    }
}
