"""Python twin of `lab q1`: CPU-bound jobs run sequentially, as asyncio coroutines (without and with an
`await asyncio.sleep(0)` every `yield_every_us`), with asyncio.to_thread and on a ProcessPoolExecutor, with a 1 ms
heartbeat coroutine measuring how long the event loop is blocked. With `timeline` on, each job records when it
started and finished and on which thread or worker process (`lab` asks for this in the first repeat only).

  python3 q1_cpu_bound.py --params '{"jobs":8,"job_ms":100}'                 (every strategy once)
  python3 q1_cpu_bound.py --params '{...}' --calibrate                     (iterations for job_ms, once)
  python3 q1_cpu_bound.py --params '{...}' --strategy asyncio --iters N     (one strategy, as `lab` calls it)
  ... --no-timeline                                                      (record nothing: a later repeat)
"""

import asyncio
import os
import sys
import time

import lab_common as lab
import lab_timeline

STRATEGIES = ["sequential", "asyncio", "yield", "to_thread", "processes"]
NAMES = {"yield": "python asyncio yield"}
# What the jobs' lanes are, per strategy, for the timeline.
LANES = {"sequential": "thread", "asyncio": "loop thread", "yield": "loop thread", "to_thread": "pool thread",
         "processes": "worker process"}
INSTANTS = ["started", "finished"]
STARTED, FINISHED = 0, 1


def timed_spin(iters, seed):
    """A pool worker's job that says when and where it ran: perf_counter_ns is CLOCK_MONOTONIC, which every
    process of the machine shares, so the parent places these readings on its own timeline."""
    t0 = time.perf_counter_ns()
    x = lab.spin(iters, seed)
    return x, t0, time.perf_counter_ns(), os.getpid()


async def with_heartbeat(work):
    hb = lab.Heartbeat()
    probe = asyncio.ensure_future(hb.run())
    await asyncio.sleep(0)  # the probe takes its first sleep before the jobs arrive
    await work()
    hb.running = False
    await probe
    return hb


def run(strategy, jobs, iters, chunk, rec):
    """Returns (wall s, cores busy, heartbeat or None); `chunk`: iterations between two awaits in "yield"; `rec`
    (allocated by the caller, before the clock starts) records each job's instants and lane when on."""

    def job(j):
        rec.lane(j)
        rec.mark(j, STARTED)
        x = lab.spin(iters, j)
        rec.mark(j, FINISHED)
        return x

    c0, k0, t0 = lab.cpu_seconds(), lab.children_cpu_seconds(), time.perf_counter()
    rec.start_clock()
    hb = None
    done = []  # the process pool's (x, start ns, end ns, pid) per job, when recorded
    if strategy == "sequential":
        for j in range(jobs):
            job(j)
    elif strategy == "asyncio":
        async def on_loop(j):
            return job(j)  # no await inside: the loop cannot switch

        hb = asyncio.run(with_heartbeat(lambda: asyncio.gather(*(on_loop(j) for j in range(jobs)))))
    elif strategy == "yield":
        async def sliced(j):
            rec.lane(j)
            rec.mark(j, STARTED)
            x, left = j, iters
            while left > 0:
                n = min(left, chunk)
                x, left = lab.spin(n, x), left - n
                await asyncio.sleep(0)  # an await point by hand: the loop may run its timers here
            rec.mark(j, FINISHED)
            return x

        hb = asyncio.run(with_heartbeat(lambda: asyncio.gather(*(sliced(j) for j in range(jobs)))))
    elif strategy == "to_thread":
        hb = asyncio.run(with_heartbeat(lambda: asyncio.gather(*(asyncio.to_thread(job, j) for j in range(jobs)))))
    else:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        # A worker cannot reach the parent's recorder: it returns its own clock readings when asked to.
        fn = timed_spin if rec.on else lab.spin

        async def work():
            loop = asyncio.get_running_loop()
            with lab.process_pool(max_workers=workers) as pool:
                done.extend(await asyncio.gather(*(loop.run_in_executor(pool, fn, iters, j) for j in range(jobs))))

        hb = asyncio.run(with_heartbeat(work))
    wall = time.perf_counter() - t0
    cpu = (lab.cpu_seconds() - c0) + (lab.children_cpu_seconds() - k0)
    if rec.on and strategy == "processes":
        for j, (_, start, end, pid) in enumerate(done):
            rec.lane(j, key=pid)
            rec.mark_at(j, STARTED, start)
            rec.mark_at(j, FINISHED, end)
    return wall, cpu / wall, hb


def timeline(rec, strategy, name, hb):
    """The jobs' raw timeline (`lab` condenses it), with the heartbeat's ticks as marks on the recorder's clock."""
    marks = None
    if hb is not None:
        offset_ms = hb.start * 1000.0 - rec.origin / 1e6  # both perf_counter: the same monotonic clock
        marks = ("heartbeat ticks", "late by, ms", [[offset_ms + t * 1000.0, late] for t, late in hb.timeline])
    return rec.timeline(name, "repeat 1", "jobs", LANES[strategy], marks=marks)


def main():
    p, args = lab.parse_args("q1", {
        "--strategy": {"choices": STRATEGIES},
        "--iters": {"type": int, "help": "iterations per job (from --calibrate), so every call does the same work"},
        "--calibrate": {"action": "store_true"},
        "--no-timeline": {"action": "store_true", "help": "record no timeline (lab: every repeat after the first)"},
    })
    iters = args.iters or max(1, round(lab.calibrate() * p["job_ms"]))
    if args.calibrate:
        lab.emit("q1", p, [{"name": "python", "x": "job_ms", "y": "iters", "points": [[p["job_ms"], iters]]}])
        return 0
    # The same work between yields as the Rust side's yield_now variant.
    chunk = max(1, round(iters * p["yield_every_us"] / (p["job_ms"] * 1000.0)))
    record = p["timeline"] and not args.no_timeline
    series, timelines = [], []
    for strategy in [args.strategy] if args.strategy else STRATEGIES:
        name = NAMES.get(strategy, f"python {strategy}")
        rec = lab_timeline.Recorder(p["jobs"], INSTANTS, on=record)
        wall, busy, hb = run(strategy, p["jobs"], iters, chunk, rec)
        if record:
            timelines.append(timeline(rec, strategy, name, hb))
        x = p["jobs"]
        for y, v in (("wall_s", wall), ("cores_busy", busy)):
            series.append({"name": name, "x": "jobs", "y": y, "points": [[x, v]]})
        if hb is not None:
            for y, v in zip(("lag_p50_ms", "lag_p99_ms", "lag_max_ms"), hb.percentiles()):
                series.append({"name": name, "x": "jobs", "y": y, "points": [[x, v]]})
    lab.emit("q1", p, series, timelines=timelines)


if __name__ == "__main__":
    sys.exit(main())
