"""Python twin of `lab q1`: CPU-bound jobs run sequentially, as asyncio coroutines (without and with an
`await asyncio.sleep(0)` every `yield_every_us`), with asyncio.to_thread and on a ProcessPoolExecutor, with a 1 ms
heartbeat coroutine measuring how long the event loop is blocked.

  python3 q1_cpu_bound.py --params '{"jobs":8,"job_ms":100}'                 (every strategy once)
  python3 q1_cpu_bound.py --params '{...}' --calibrate                     (iterations for job_ms, once)
  python3 q1_cpu_bound.py --params '{...}' --strategy asyncio --iters N     (one strategy, as `lab` calls it)
"""

import asyncio
import os
import sys
import time

import lab_common as lab

STRATEGIES = ["sequential", "asyncio", "yield", "to_thread", "processes"]
NAMES = {"yield": "python asyncio yield"}


async def with_heartbeat(work):
    hb = lab.Heartbeat()
    probe = asyncio.ensure_future(hb.run())
    await asyncio.sleep(0)  # the probe takes its first sleep before the jobs arrive
    await work()
    hb.running = False
    await probe
    return hb


def run(strategy, jobs, iters, chunk):
    """Returns (wall s, cores busy, heartbeat or None); `chunk`: iterations between two awaits in "yield"."""
    c0, k0, t0 = lab.cpu_seconds(), lab.children_cpu_seconds(), time.perf_counter()
    hb = None
    if strategy == "sequential":
        for j in range(jobs):
            lab.spin(iters, j)
    elif strategy == "asyncio":
        async def job(j):
            return lab.spin(iters, j)  # no await inside: the loop cannot switch

        hb = asyncio.run(with_heartbeat(lambda: asyncio.gather(*(job(j) for j in range(jobs)))))
    elif strategy == "yield":
        async def sliced(j):
            x, left = j, iters
            while left > 0:
                n = min(left, chunk)
                x, left = lab.spin(n, x), left - n
                await asyncio.sleep(0)  # an await point by hand: the loop may run its timers here
            return x

        hb = asyncio.run(with_heartbeat(lambda: asyncio.gather(*(sliced(j) for j in range(jobs)))))
    elif strategy == "to_thread":
        hb = asyncio.run(with_heartbeat(
            lambda: asyncio.gather(*(asyncio.to_thread(lab.spin, iters, j) for j in range(jobs)))))
    else:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

        async def work():
            loop = asyncio.get_running_loop()
            with lab.process_pool(max_workers=workers) as pool:
                await asyncio.gather(*(loop.run_in_executor(pool, lab.spin, iters, j) for j in range(jobs)))

        hb = asyncio.run(with_heartbeat(work))
    wall = time.perf_counter() - t0
    cpu = (lab.cpu_seconds() - c0) + (lab.children_cpu_seconds() - k0)
    return wall, cpu / wall, hb


def main():
    p, args = lab.parse_args("q1", {
        "--strategy": {"choices": STRATEGIES},
        "--iters": {"type": int, "help": "iterations per job (from --calibrate), so every call does the same work"},
        "--calibrate": {"action": "store_true"},
    })
    iters = args.iters or max(1, round(lab.calibrate() * p["job_ms"]))
    if args.calibrate:
        lab.emit("q1", p, [{"name": "python", "x": "job_ms", "y": "iters", "points": [[p["job_ms"], iters]]}])
        return 0
    # The same work between yields as the Rust side's yield_now variant.
    chunk = max(1, round(iters * p["yield_every_us"] / (p["job_ms"] * 1000.0)))
    series = []
    for strategy in [args.strategy] if args.strategy else STRATEGIES:
        name = NAMES.get(strategy, f"python {strategy}")
        wall, busy, hb = run(strategy, p["jobs"], iters, chunk)
        x = p["jobs"]
        for y, v in (("wall_s", wall), ("cores_busy", busy)):
            series.append({"name": name, "x": "jobs", "y": y, "points": [[x, v]]})
        if hb is not None:
            for y, v in zip(("lag_p50_ms", "lag_p99_ms", "lag_max_ms"), hb.percentiles()):
                series.append({"name": name, "x": "jobs", "y": y, "points": [[x, v]]})
            series.append({"name": name, "x": "t_s", "y": "lag_ms", "points": hb.timeline[:100000]})
    lab.emit("q1", p, series)


if __name__ == "__main__":
    sys.exit(main())
