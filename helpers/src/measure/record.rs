//! Recording a timeline inside a run: each task stores its instants into slots allocated before the run, with one
//! relaxed atomic store each: no lock, no allocation, no contention (a task writes only its own slots). The
//! thread a task ran on is recorded as a lane, numbered per recorder in order of first use.

use crate::timeline::{round_ms, Span, Timeline};
use std::cell::Cell;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::time::Instant;

/// Recorders are told apart by id, so a thread's cached lane is never read for the wrong one.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// (recorder id, lane) of this thread's last lane: a const initialiser, so reading it never allocates.
    static LANE: Cell<(u64, u32)> = const { Cell::new((0, 0)) };
}

/// Slots for `tasks` x `instants` times. `Recorder::off()` has none, and every mark is then a bounds check: the
/// run without recording that its cost is measured against.
pub struct Recorder {
    origin: Instant,
    instants: Vec<String>,
    /// ns since `origin` + 1 per (task, instant); 0: not reached.
    slots: Box<[AtomicU64]>,
    /// lane + 1 per task; 0: not recorded.
    lanes: Box<[AtomicU32]>,
    id: u64,
    next_lane: AtomicU32,
}

impl Recorder {
    /// A recorder for tasks `0..tasks`, each reaching some of `instants`; its clock starts now.
    pub fn new(tasks: usize, instants: &[&str]) -> Recorder {
        let n = tasks.saturating_mul(instants.len());
        Recorder {
            origin: Instant::now(),
            instants: instants.iter().map(|s| s.to_string()).collect(),
            slots: (0..n).map(|_| AtomicU64::new(0)).collect(),
            lanes: (0..tasks).map(|_| AtomicU32::new(0)).collect(),
            id: NEXT_ID.fetch_add(1, Relaxed),
            next_lane: AtomicU32::new(0),
        }
    }

    /// A recorder that records nothing (for the comparison run), or one for `tasks` when `on`.
    pub fn new_if(on: bool, tasks: usize, instants: &[&str]) -> Recorder {
        Recorder::new(if on { tasks } else { 0 }, instants)
    }

    pub fn is_on(&self) -> bool {
        !self.lanes.is_empty()
    }

    /// Restarts the clock: times are since the variant's start, which may come after the slots were allocated.
    pub fn start_clock(&mut self) {
        self.origin = Instant::now();
    }

    /// The instant times are measured from.
    pub fn origin(&self) -> Instant {
        self.origin
    }

    /// Task `task` reached instant `instant` now. Out of range (or off): nothing happens.
    #[inline]
    pub fn mark(&self, task: usize, instant: usize) {
        if let Some(slot) = self.slot(task, instant) {
            slot.store(self.origin.elapsed().as_nanos() as u64 + 1, Relaxed);
        }
    }

    /// Task `task` reached instant `instant` at `at` (measured elsewhere, e.g. by a clock the task already read).
    #[inline]
    pub fn mark_at(&self, task: usize, instant: usize, at: Instant) {
        if let Some(slot) = self.slot(task, instant) {
            slot.store(at.saturating_duration_since(self.origin).as_nanos() as u64 + 1, Relaxed);
        }
    }

    /// Task `task`'s slot for instant `instant`; None out of range (or off), checked before any clock is read.
    #[inline]
    fn slot(&self, task: usize, instant: usize) -> Option<&AtomicU64> {
        if instant >= self.instants.len() {
            return None;
        }
        self.slots.get(task.wrapping_mul(self.instants.len()).wrapping_add(instant))
    }

    /// Task `task` runs on this thread.
    #[inline]
    pub fn lane(&self, task: usize) {
        if let Some(slot) = self.lanes.get(task) {
            slot.store(self.this_lane() + 1, Relaxed);
        }
    }

    /// This thread's lane: cached per thread, a new number the first time a thread marks for this recorder.
    fn this_lane(&self) -> u32 {
        LANE.with(|cell| {
            let (id, lane) = cell.get();
            if id == self.id {
                return lane;
            }
            let lane = self.next_lane.fetch_add(1, Relaxed);
            cell.set((self.id, lane));
            lane
        })
    }

    /// Everything recorded, as the raw timeline of variant `name` (all spans; `Timeline::condense` picks what a
    /// result keeps). Lanes are named "`lane_name` 0", "`lane_name` 1", ... in order of first use.
    pub fn timeline(&self, name: &str, at: &str, unit: &str, lane_name: &str) -> Timeline {
        let width = self.instants.len();
        let ms = |v: u64| (v > 0).then(|| round_ms((v - 1) as f64 / 1e6));
        let mut spans = Vec::new();
        let mut end = self.origin.elapsed().as_secs_f64() * 1000.0;
        for task in 0..self.lanes.len() {
            let at: Vec<Option<f64>> = (0..width).map(|i| ms(self.slots[task * width + i].load(Relaxed))).collect();
            if at.iter().all(Option::is_none) {
                continue;
            }
            end = at.iter().flatten().fold(end, |e, t| e.max(*t));
            let lane = self.lanes[task].load(Relaxed).saturating_sub(1);
            spans.push(Span { task: task as u64, lane, at });
        }
        let used = self.next_lane.load(Relaxed);
        Timeline {
            name: name.into(),
            at: at.into(),
            unit: unit.into(),
            instants: self.instants.clone(),
            lanes: if lane_name.is_empty() {
                Vec::new()
            } else {
                (0..used).map(|i| format!("{lane_name} {i}")).collect()
            },
            total: spans.len() as u64,
            spans,
            end_ms: round_ms(end),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn tasks_record_their_instants_and_threads_get_lanes() {
        let rec = Recorder::new(4, &["started", "finished"]);
        std::thread::scope(|s| {
            for t in 0..2 {
                let rec = &rec;
                s.spawn(move || {
                    for task in [t, t + 2] {
                        rec.lane(task);
                        rec.mark(task, 0);
                        std::thread::sleep(Duration::from_millis(5));
                        rec.mark(task, 1);
                    }
                });
            }
        });
        rec.mark(99, 0); // out of range: ignored, no panic
        rec.mark(0, 7);
        let tl = rec.timeline("rayon", "repeat 1", "jobs", "thread");
        assert_eq!(tl.spans.len(), 4);
        assert_eq!(tl.lanes, ["thread 0", "thread 1"]);
        for s in &tl.spans {
            let (a, b) = (s.at(0).unwrap(), s.at(1).unwrap());
            assert!(b - a >= 4.9, "task {} ran {a}..{b} ms", s.task);
            assert_eq!(s.lane, tl.spans[(s.task % 2) as usize].lane, "tasks t and t+2 share a thread");
        }
        assert_ne!(tl.spans[0].lane, tl.spans[1].lane);
        assert!(tl.end_ms >= 10.0);
    }

    #[test]
    fn an_off_recorder_records_nothing() {
        let rec = Recorder::new_if(false, 1_000, &["spawned", "finished"]);
        assert!(!rec.is_on());
        rec.lane(3);
        rec.mark(3, 0);
        assert!(rec.timeline("tokio", "", "tasks", "").spans.is_empty());
    }
}
