"""Shared parts of the Python twins: parameters, measurement, the result JSON (same schema as `lab`).

Standard library only. A twin is run as `python3 qN_*.py --params JSON [...]` and prints one result JSON on
stdout; progress and errors go to stderr.
"""

import argparse
import asyncio
import concurrent.futures
import ctypes
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import lab_timeline

MB = 1024 * 1024


def lab_binary():
    """The `lab` binary that started this twin (`$LAB_BIN`), else the workspace's release build."""
    return os.environ.get("LAB_BIN") or str(Path(__file__).resolve().parents[2] / "target" / "release" / "lab")


def defaults_of(experiment):
    """The experiment's default params, from the lab's one registry (`lab list`), so no twin keeps its own copy."""
    lab = lab_binary()
    try:
        out = subprocess.run([lab, "list"], capture_output=True, text=True, check=True, timeout=60,
                             stdin=subprocess.DEVNULL)
        listed = {e["name"]: e["params"] for e in json.loads(out.stdout)}
    except (OSError, subprocess.SubprocessError, ValueError, KeyError) as e:
        fail(f"cannot read the default params from `{lab} list` ({e}); build it with `make lab-bin` or set LAB_BIN",
             code=1)
    if experiment not in listed:
        fail(f"`lab list` has no experiment {experiment!r}", code=1)
    return listed[experiment]


def parse_args(experiment, extra=None):
    """--params JSON merged over the experiment's defaults (unknown keys are an error), plus the twin's own flags."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--params", default="{}")
    for flag, kw in (extra or {}).items():
        ap.add_argument(flag, **kw)
    args = ap.parse_args()
    try:
        given = json.loads(args.params)
    except json.JSONDecodeError as e:
        fail(f"--params is not JSON: {e}")
    if not isinstance(given, dict):
        fail(f"--params must be a JSON object; got {args.params}")
    defaults = defaults_of(experiment)
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        fail(f"unknown field(s) {unknown}; expected some of {sorted(defaults)}")
    params = dict(defaults)
    params.update(given)
    return params, args


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent):
    """Pool-worker initializer: SIGKILL this process when its parent (the twin) dies, as `lab` does for the twin
    itself, so a twin killed mid-pool (Stop in the notebook, a budget) leaves no workers behind."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return  # not Linux: nothing to set
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def process_pool(max_workers):
    """A ProcessPoolExecutor whose workers die with this process (see `die_with_parent`)."""
    return concurrent.futures.ProcessPoolExecutor(max_workers=max_workers, initializer=die_with_parent,
                                                  initargs=(os.getpid(),))


def fail(message, code=2):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def machine():
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) * 1024
    except OSError:
        mem = 0
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_bytes": mem,
        "cpu": cpu or "unknown CPU",
        "os": platform.platform(),
        "rustc": "n/a (Python twin)",
        "python": "Python " + platform.python_version(),
    }


def reset_peak_rss():
    """Starts a new VmHWM (Linux clear_refs 5), as the Rust side does; False where refused, and the peak read
    afterwards is then the process's lifetime peak: callers record it as `peak_reset` (see `peak_reset_value`)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_reset_value(*resets):
    """The `peak_reset` value of a point (the Rust side's `peak::SERIES`): 1.0 when every reset behind it worked,
    0.0 when the kernel refused any (a lifetime peak, earlier runs in the process included)."""
    return float(all(resets))


def peak_rss_bytes():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def percentile(sorted_values, q):
    if not sorted_values:
        return 0.0
    i = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[i]


def summarize(samples):
    v = sorted(samples)
    n = len(v)
    median = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    return v[0], median, v[-1]


class Series:
    def __init__(self, name, x, y):
        self.d = {"name": name, "x": x, "y": y, "points": []}

    def push(self, x, samples):
        lo, med, hi = summarize(samples)
        self.d["points"].append([x, med])
        if len(samples) > 1:
            self.d.setdefault("min", []).append(lo)
            self.d.setdefault("max", []).append(hi)


def emit(experiment, params, series, headline="", timelines=()):
    """Prints the result JSON; `timelines` are raw `lab_timeline.Recorder.timeline()`s, which `lab` condenses."""
    out = {
        "experiment": experiment,
        "params": params,
        "machine": machine(),
        "headline": headline,
        "series": [s.d if isinstance(s, Series) else s for s in series],
        "claims": [],
    }
    if timelines:
        out["timelines"] = list(timelines)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


def children_cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


M64 = (1 << 64) - 1


def spin(iters, seed):
    """The Rust kernel's loop (xorshift + multiply, 64-bit), in Python: CPU work with no await in it."""
    x = seed | 1
    for _ in range(iters):
        x ^= (x << 13) & M64
        x ^= x >> 7
        x ^= (x << 17) & M64
        x = (x * 0x2545F4914F6CDD1D) & M64
    return x


def calibrate():
    """Iterations of `spin` per ms in this interpreter now (best of 5 short runs)."""
    n, best = 20000, float("inf")
    for i in range(5):
        t0 = time.perf_counter()
        spin(n, i)
        best = min(best, time.perf_counter() - t0)
    return n / (best * 1000.0)


class Heartbeat:
    """Ticks scheduled at start + k x period on the event loop; every tick that came due is recorded with how late
    it was served, so a loop blocked for 500 ms yields ~500 late ticks, not one sample (no coordinated omission)."""

    def __init__(self, period=0.001):
        self.period, self.late_ms, self.timeline, self.running = period, [], [], True
        self.start = None  # perf_counter() when it started: `timeline`'s times count from here

    async def run(self):
        start = self.start = time.perf_counter()
        k = 1
        while self.running:
            await asyncio.sleep(max(0.0, start + k * self.period - time.perf_counter()))
            now = time.perf_counter()
            while start + k * self.period <= now:
                late = (now - (start + k * self.period)) * 1000.0
                self.late_ms.append(late)
                self.timeline.append([now - start, late])
                k += 1

    def percentiles(self):
        v = sorted(self.late_ms)
        return percentile(v, 0.5), percentile(v, 0.99), (v[-1] if v else 0.0)


def document(nbytes):
    """The Rust side's nested document (workload/documents.rs): user records of about 190 bytes of JSON each."""

    def record(i):
        return {
            "id": i,
            "user": {"name": f"user-{i:06}", "email": f"user{i}@example.com", "tags": ["alpha", "beta"]},
            "scores": [i * 0.5, 1.25, 2.5, float(i % 97)],
            "active": i % 3 == 0,
            "note": "lorem ipsum dolor sit amet",
        }

    one = len(json.dumps(record(0), separators=(",", ":")))
    return [record(i) for i in range(max(1, nbytes // one))]


def _status_field(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def rss_of(pid):
    return _status_field(pid, "VmRSS:")


def peak_rss_of(pid):
    """VmHWM of another process (a pool worker), bytes; 0 once it has gone."""
    return _status_field(pid, "VmHWM:")


def smaps_rollup(pid):
    """(rss, uss, pss) bytes of process `pid` from /proc/PID/smaps_rollup, and None; or None and why it could not
    be read. A forked worker shares its parent's pages and RSS counts them in full: USS (Private_Clean +
    Private_Dirty) is what the worker alone holds, PSS charges shared pages to their sharers in equal parts."""
    path = f"/proc/{pid}/smaps_rollup"
    try:
        with open(path) as f:
            fields = {k: int(v.split()[0]) * 1024 for k, v in (line.split(":", 1) for line in f if ":" in line)
                      if v.strip().endswith("kB")}
        return (fields["Rss"], fields["Private_Clean"] + fields["Private_Dirty"], fields["Pss"]), None
    except OSError as e:
        return None, f"cannot read {path}: {e.strerror}"
    except (KeyError, ValueError) as e:
        return None, f"{path}: no {e} field"


def cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


# The instants a gated sleeper records, as `workload::sleepers::INSTANTS` in the lab.
SLEEPER_INSTANTS = ("spawned", "permit", "finished")


def gated_sleep(tasks, limit, latency_ms, rec=None):
    """The notes' pattern: gather `tasks` coroutines, each taking an asyncio.Semaphore(limit) and sleeping.

    Returns wall s, CPU s, peak RSS bytes, the sorted per-task lateness in ms (actual - requested sleep), the
    RSS growth in bytes once every task had started (all N alive, `limit` of them sleeping), and whether the peak
    was reset first (False where the kernel refused: the peak is then the process's lifetime peak). The clock runs
    inside the event loop, as the Rust side's runs inside block_on: asyncio.run's set-up and tear-down are not
    the experiment. `rec` (a `lab_timeline.Recorder` over `SLEEPER_INSTANTS`, allocated by the caller before the
    run) gets each task's instants; without one, an off recorder runs the same code without the stores.
    """
    latency = latency_ms / 1000.0
    rec = rec or lab_timeline.Recorder(tasks, SLEEPER_INSTANTS, on=False)
    spawned, permit, finished = range(len(SLEEPER_INSTANTS))

    async def main():
        rec.start_clock()
        c0, t0 = cpu_seconds(), time.perf_counter()
        rss0 = rss_of("self")
        sem = asyncio.Semaphore(limit)
        late = []

        async def task(i):
            async with sem:
                t0 = time.perf_counter_ns()
                rec.mark_at(i, permit, t0)
                await asyncio.sleep(latency)
                t1 = time.perf_counter_ns()
                rec.mark_at(i, finished, t1)
                late.append((t1 - t0) / 1e6 - latency_ms)

        def spawn(i):
            rec.mark(i, spawned)
            return asyncio.ensure_future(task(i))

        running = [spawn(i) for i in range(tasks)]
        # One pass of the loop runs each task's first step (they were queued before this one): every task now
        # exists, `limit` of them sleep and the rest wait on the semaphore.
        await asyncio.sleep(0)
        alive = rss_of("self") - rss0
        await asyncio.gather(*running)
        return time.perf_counter() - t0, cpu_seconds() - c0, late, alive

    reset = reset_peak_rss()
    wall, cpu, late, alive = asyncio.run(main())
    return wall, cpu, peak_rss_bytes(), sorted(late), alive, reset
