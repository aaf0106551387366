//! Question 6's claims and headline: a pure function of a result (its params and series).

use super::*;
use crate::result::{Claim, LabResult};

pub fn headline(p: &Params, r: &LabResult) -> Result<String> {
    let n = p.tasks.iter().copied().max().unwrap_or(1) as f64;
    let py_n = p.tasks.iter().copied().filter(|&t| t <= p.python_max_tasks).max().unwrap_or(0) as f64;
    Ok(format!(
        "a live tokio task: {:.0} heap / {:.0} resident bytes (at {n:.0}); an asyncio task: {} resident bytes (at {py_n:.0}); \
         an idle thread: {} resident bytes",
        r.value("tokio", "heap_bytes_per_task", n)?,
        r.value("tokio", "rss_bytes_per_task", n)?,
        r.value("python", "rss_bytes_per_task", py_n).map_or("n/a".into(), |v| format!("{v:.0}")),
        r.series("threads", "rss_bytes_per_task").and_then(|s| s.points.last()).map_or("n/a".into(), |p| format!("{:.0}", p[1]))
    ))
}

/// Question 6's claims. (Being rewritten: every rule will decide both verdicts from the numbers.)
pub fn claims(_p: &Params, _r: &LabResult) -> Result<Vec<Claim>> {
    super::super::unwritten(6)
}
