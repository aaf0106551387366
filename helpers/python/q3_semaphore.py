"""Python twin of `lab q3`: 1,000 asyncio tasks sleeping behind asyncio.Semaphore(limit), the same tasks as
time.sleep on a thread pool of the reference limit's size (the control: Python's OS threads), and what an asyncio
task and a Python OS thread (threading) cost to create and to switch to.

  python3 q3_semaphore.py --params '{"tasks":1000,"latency_ms":100,"limits":[10,100]}'
  python3 q3_semaphore.py --params '{...}' --part runtime --limit 100     (one point, as `lab` calls it)
  python3 q3_semaphore.py --params '{...}' --part threads --limit 100     (the thread pool's point, as `lab` calls it)
  python3 q3_semaphore.py --params '{...}' --part overhead
  python3 q3_semaphore.py --params '{...}' --part runtime --limit 100 --timeline "limit 100, repeat 1"
      (also records each task's instants in its first run, for `lab` to condense into the result's timeline)
"""

import asyncio
import concurrent.futures
import queue
import sys
import threading
import time
from fractions import Fraction

import lab_common as lab
import lab_timeline


def reference_limit(limits, target=100):
    """The limit the claims are judged at, as the lab's `q3::reference_limit`: the one closest to the notes' 100 by
    ratio, compared as exact fractions (50 and 200 tie around 100), ties to the smaller; 100 when there is none."""

    def key(v):
        return Fraction(max(v, target), max(min(v, target), 1)), v

    return min(limits, key=key) if limits else target


def thread_pool_sleep(tasks, workers, latency_ms):
    """The N tasks as `time.sleep(latency)` on a ThreadPoolExecutor of `workers` threads: wall s from submitting
    the first task to the last one finishing (each task notes when it finished). Python has no thread-pool runtime
    for coroutines; this is what its OS threads give at the same limit. The pool's threads start as tasks are
    submitted, inside the clock, as the Rust thread pool's do; they are threads of this process and die with it
    (no initializer needed, unlike the process pools' workers)."""
    latency = latency_ms / 1000.0

    def job():
        time.sleep(latency)
        return time.perf_counter()

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        t0 = time.perf_counter()
        futures = [pool.submit(job) for _ in range(tasks)]
        finished = max(f.result() for f in futures)
    return finished - t0


def spawn_us(n):
    """µs per task to create `n` trivial tasks and gather them."""

    async def nothing(i):
        return i

    async def main():
        t0 = time.perf_counter()
        await asyncio.gather(*(asyncio.ensure_future(nothing(i)) for i in range(n)))
        return time.perf_counter() - t0

    return asyncio.run(main()) * 1e6 / n


def switch_us(rounds):
    """µs per hand-off between two coroutines ping-ponging through two queues of size 1."""

    async def main():
        a, b = asyncio.Queue(1), asyncio.Queue(1)

        async def echo():
            while True:
                v = await b.get()
                if v is None:
                    return
                await a.put(v)

        peer = asyncio.ensure_future(echo())
        t0 = time.perf_counter()
        for i in range(rounds):
            await b.put(i)
            await a.get()
        elapsed = time.perf_counter() - t0
        await b.put(None)
        await peer
        return elapsed

    return asyncio.run(main()) * 1e6 / (2 * rounds)


def thread_spawn_us(n, batch=100):
    """µs per thread to start `n` empty threading.Threads and join them, `batch` at a time (as the Rust side)."""
    t0 = time.perf_counter()
    left = n
    while left > 0:
        k = min(left, batch)
        threads = [threading.Thread(target=int) for _ in range(k)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        left -= k
    return (time.perf_counter() - t0) * 1e6 / n


def thread_switch_us(rounds):
    """µs per hand-off between two OS threads ping-ponging through two queue.Queue(1)."""
    a, b = queue.Queue(1), queue.Queue(1)

    def echo():
        while True:
            v = b.get()
            if v is None:
                return
            a.put(v)

    peer = threading.Thread(target=echo)
    peer.start()
    t0 = time.perf_counter()
    for i in range(rounds):
        b.put(i)
        a.get()
    elapsed = time.perf_counter() - t0
    b.put(None)
    peer.join()
    return elapsed * 1e6 / (2 * rounds)

def best_of(measure, n, tries=3):
    """The fastest of `tries` timings, as the Rust side times hand-offs: one preemption must not decide them."""
    return min(measure(n) for _ in range(tries))


def main():
    p, args = lab.parse_args(
        "q3",
        {"--part": {"choices": ["all", "runtime", "threads", "overhead"], "default": "all"}, "--limit": {"type": int},
         "--timeline": {"metavar": "AT"}},
    )
    series = []
    timelines = []
    # Only the first run records (the one `lab` asks for); the others get an off recorder, the same code path.
    record = args.timeline is not None
    if args.part in ("all", "runtime"):
        limits = [args.limit] if args.limit else p["limits"]
        repeats = 1 if args.limit else p["repeats"]
        runtime = lab.Series("python", "limit", "runtime_s")
        busy = lab.Series("python", "limit", "cpu_busy")
        rss = lab.Series("python", "limit", "peak_rss_mb")
        # 1 when every repeat's peak was reset first, 0 where the kernel refused (a lifetime peak).
        reset = lab.Series("python", "limit", "peak_reset")
        eff = lab.Series("python", "limit", "efficiency")
        # RSS growth per task while all N exist. Each point is best run in a fresh process (as `lab` runs them):
        # memory freed by an earlier run in the same process can be reused without growing RSS.
        alive = lab.Series("python", "limit", "task_rss_bytes")
        for limit in limits:
            walls, cpus, rsss, per_task, resets = [], [], [], [], []
            for _ in range(repeats):
                rec = lab_timeline.Recorder(p["tasks"], lab.SLEEPER_INSTANTS, on=record)
                wall, cpu, peak, _late, grown, was_reset = lab.gated_sleep(p["tasks"], limit, p["latency_ms"], rec)
                if record:
                    timelines.append(rec.timeline("python", args.timeline, "tasks"))
                    record = False
                resets.append(was_reset)
                walls.append(wall)
                cpus.append(cpu / wall)
                rsss.append(peak / lab.MB)
                per_task.append(grown / p["tasks"])
            ideal = -(-p["tasks"] // limit) * p["latency_ms"] / 1000.0
            runtime.push(limit, walls)
            busy.push(limit, cpus)
            rss.push(limit, rsss)
            reset.push(limit, [lab.peak_reset_value(*resets)])
            eff.push(limit, [ideal / w for w in walls])
            alive.push(limit, per_task)
        series += [runtime, busy, rss, reset, eff, alive]
    if args.part in ("all", "threads"):
        # One point: the reference limit (or --limit, as `lab` passes it), once a repeat.
        limit = reference_limit(p["limits"]) if args.limit is None else args.limit
        if limit < 1:
            lab.fail(f"--limit must be at least 1; got {limit}")
        repeats = p["repeats"] if args.limit is None else 1
        threads = lab.Series("python threads", "limit", "runtime_s")
        threads.push(limit, [thread_pool_sleep(p["tasks"], limit, p["latency_ms"]) for _ in range(repeats)])
        series.append(threads)
    if args.part in ("all", "overhead") and p["overhead_tasks"] > 0:
        n = p["overhead_tasks"]
        series.append({"name": "python", "x": "tasks", "y": "spawn_us", "points": [[n, spawn_us(n)]]})
        series.append({"name": "python", "x": "tasks", "y": "switch_us", "points": [[n, best_of(switch_us, n)]]})
        # The notes compare async with OS threads: Python's own threads, measured the same way.
        series.append({"name": "python", "x": "tasks", "y": "thread_spawn_us", "points": [[n, thread_spawn_us(n)]]})
        series.append({"name": "python", "x": "tasks", "y": "thread_switch_us", "points": [[n, best_of(thread_switch_us, n)]]})
    lab.emit("q3", p, series, timelines=timelines)


if __name__ == "__main__":
    sys.exit(main())
