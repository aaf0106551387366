"""Recording a timeline in a twin, as `helpers/src/measure/record.rs` does in Rust: each task stores its instants
(`time.perf_counter_ns()`, a monotonic clock every process of the machine shares) into an array allocated before
the run; the lane is the thread or process a task ran on, numbered in order of first use (as in Rust).

The twin emits everything it recorded; `lab` condenses it (counts over time, sampling) with the same code as its
own timelines, so the two languages are sampled alike.
"""

import os
import threading
import time
from array import array


class Recorder:
    def __init__(self, tasks, instants, on=True):
        self.instants = list(instants)
        self.width = len(self.instants)
        n = tasks if on else 0
        # ns since origin + 1; 0: not reached. Allocated here, before the run.
        self.slots = array("q", bytes(8 * n * self.width))
        # lane + 1 per task; 0: not recorded. Lanes are numbered as Rust's are, in order of first use (so a lane
        # claimed before the run, the event loop's say, is lane 0 even when no span runs on it).
        self.lanes = array("i", [0]) * n
        self.lane_of = {}
        self.lane_lock = threading.Lock()
        self.origin = time.perf_counter_ns()

    @property
    def on(self):
        """Whether it records (Rust's `is_on`): an off recorder's marks are bounds checks."""
        return len(self.lanes) > 0

    def start_clock(self):
        self.origin = time.perf_counter_ns()

    def mark(self, task, instant):
        """Task `task` reached instant `instant` now (ignored when off or out of range)."""
        i = task * self.width + instant
        if 0 <= instant < self.width and 0 <= i < len(self.slots):
            self.slots[i] = time.perf_counter_ns() - self.origin + 1

    def mark_at(self, task, instant, ns):
        """Task `task` reached instant `instant` at perf_counter_ns() `ns` (read elsewhere, e.g. in a worker)."""
        i = task * self.width + instant
        if 0 <= instant < self.width and 0 <= i < len(self.slots):
            self.slots[i] = max(ns - self.origin, 0) + 1

    def lane(self, task, key=None):
        """Task `task` runs on this thread (or on `key`: a worker's pid, say)."""
        if 0 <= task < len(self.lanes):
            key = threading.get_ident() if key is None else key
            lane = self.lane_of.get(key)
            if lane is None:  # a thread's first use only: the lock keeps two new threads from taking one number
                with self.lane_lock:
                    lane = self.lane_of.setdefault(key, len(self.lane_of))
            self.lanes[task] = lane + 1

    def timeline(self, name, at, unit, lane_name="", marks=None):
        """The raw timeline (all spans), in the result's shape; `marks` is (name, value, [[ms, value], ...])."""
        spans = []
        end = (time.perf_counter_ns() - self.origin) / 1e6
        for task, lane in enumerate(self.lanes):
            row = self.slots[task * self.width:(task + 1) * self.width]
            at_ms = [round((v - 1) / 1e6, 3) if v else None for v in row]
            if all(v is None for v in at_ms):
                continue
            end = max([end] + [v for v in at_ms if v is not None])
            spans.append([task, max(lane - 1, 0), at_ms])
        out = {
            "name": name,
            "at": at,
            "unit": unit,
            "instants": self.instants,
            "lanes": [f"{lane_name} {i}" for i in range(len(self.lane_of))] if lane_name else [],
            "total": len(spans),
            "sampling": "",
            "spans": spans,
            "end_ms": round(end, 3),
        }
        if marks is not None:
            mname, value, points = marks
            out["marks"] = {"name": mname, "value": value, "total": len(points), "sampling": "",
                            "points": [[round(t, 3), round(v, 3)] for t, v in points]}
        return out


def pid_lane():
    """A worker process's lane key."""
    return os.getpid()
