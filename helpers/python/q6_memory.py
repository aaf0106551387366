"""Python twin of `lab q6`: what a live asyncio task is made of, and the peak memory of 100k jobs bounded three
ways. Every byte tracemalloc traces for n sleeping tasks is charged to a part: the coroutines (built first), the
gather (last), and in between, by the function that allocated it, the Task, the frames it awaits, the futures and
the loop's scheduling state. Resident bytes are measured in a separate pass without tracemalloc, whose own tables
would count.

  python3 q6_memory.py --params '{...}' --part tasks --n 100000
  python3 q6_memory.py --params '{...}' --part bounding
"""

import ast
import asyncio
import collections
import functools
import os
import sys
import tracemalloc

import lab_common as lab

def series(name, y, x, v, x_name="tasks"):
    return {"name": name, "x": x_name, "y": y, "points": [[x, v]]}


# Where an asyncio task's memory goes, by the function whose line allocated it (tracemalloc's innermost frame):
# (file, function) -> part. Anything not listed is "python other", so a Python that allocates elsewhere shows it.
PARTS = {
    # Lines of the task's own coroutine allocate what it awaits: the sleep coroutine, with its frame.
    ("q6_memory.py", "work"): "python frame",
    ("base_events.py", "create_future"): "python futures",
    ("tasks.py", "sleep"): "python futures",  # `await future`: the iterator that waits on the future
    ("base_events.py", "create_task"): "python Task",
    ("q6_memory.py", "traced"): "python Task",  # the list that holds the tasks (8 bytes each)
    ("base_events.py", "_call_soon"): "python scheduling",  # the ready-queue handle of the first step
    ("base_events.py", "call_soon"): "python scheduling",
    ("base_events.py", "call_later"): "python scheduling",  # the timer's deadline and arguments
    ("base_events.py", "call_at"): "python scheduling",  # the TimerHandle and its slot in the loop's heap
    ("base_events.py", "time"): "python scheduling",
    ("events.py", "__init__"): "python scheduling",  # the handle's context
    ("events.py", "_run"): "python scheduling",  # what the C Task allocates as it steps: its wake-up callback
    ("_weakrefset.py", "add"): "python scheduling",  # asyncio's registry of live tasks
}
# The measurement's own allocations (its tables of traces), charged to no part.
HARNESS = {("q6_memory.py", "traced_by_line")}


def traced_by_line():
    """Traced bytes and allocations now, by the (file, line) that allocated them."""
    # The raw trace tuples (domain, size, frames, total frames): grouping them here is far faster than statistics().
    traces = tracemalloc.take_snapshot().traces._traces  # noqa: SLF001
    sizes = collections.defaultdict(int)
    for trace in traces:
        sizes[trace[2][0] if trace[2] else ("?", 0)] += trace[1]
    counts = collections.Counter(trace[2][0] if trace[2] else ("?", 0) for trace in traces)
    return {line: (size, counts[line]) for line, size in sizes.items()}


@functools.lru_cache(maxsize=None)
def _functions(filename):
    """(first line, last line, name) of every function defined in a source file."""
    try:
        with open(filename, encoding="utf-8") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return ()
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    return tuple((f.lineno, f.end_lineno, f.name) for f in ast.walk(tree) if isinstance(f, kinds))


def function_of(line):
    """(file name, innermost function) of an allocating (file, line); "?" at module level or without source."""
    filename, lineno = line
    best = None
    for first, last, name in _functions(filename):
        if first <= lineno <= last and (best is None or first >= best[0]):
            best = (first, name)
    return os.path.basename(filename), best[1] if best else "?"


def grown(after, before):
    """Bytes and allocations added between two `traced_by_line` tables, by (file, function), harness left out."""
    out = {}
    for line in set(after) | set(before):
        key = function_of(line)
        if key in HARNESS:
            continue
        a, b = after.get(line, (0, 0)), before.get(line, (0, 0))
        was = out.get(key, (0, 0))
        out[key] = (was[0] + a[0] - b[0], was[1] + a[1] - b[1])
    return out


async def work():
    await asyncio.sleep(3600)


async def cancel_all(*tasks):
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def resident(n):
    """Resident bytes added by n sleeping tasks and their gather, without tracemalloc (whose tables cost memory)."""
    rss0 = lab.rss_of("self")
    tasks = [asyncio.create_task(work()) for _ in range(n)]
    await asyncio.sleep(0)
    gathered = asyncio.gather(*tasks)
    rss = lab.rss_of("self") - rss0
    await cancel_all(gathered, *tasks)
    return rss


async def traced(n):
    """Traced allocations of n sleeping tasks, stage by stage; wrapping and starting by the function that made them."""
    loop = asyncio.get_running_loop()
    tracemalloc.start()
    before = traced_by_line()
    t0 = tracemalloc.get_traced_memory()[0]
    coros = [work() for _ in range(n)]  # coroutine objects, not started
    t1 = tracemalloc.get_traced_memory()[0]
    built = traced_by_line()
    tasks = [loop.create_task(c) for c in coros]  # Task wrappers, scheduled
    await asyncio.sleep(0)  # every task runs to its first await: the coroutine it awaits, a future, a timer
    await asyncio.sleep(0)
    started = traced_by_line()
    t3 = tracemalloc.get_traced_memory()[0]
    gathered = asyncio.gather(*tasks)  # gather's future, its list of children, a callback on each
    t4 = tracemalloc.get_traced_memory()[0]
    allocations = len(tracemalloc.take_snapshot().traces) - sum(count for _, count in before.values())
    # Object sizes for one task, for comparison (sys.getsizeof: the object alone, not what it points to).
    coro = work()
    one_task = loop.create_task(coro)
    await asyncio.sleep(0)
    frame = one_task.get_coro().cr_frame
    sizes = {
        "python coroutine": sys.getsizeof(coro),
        "python Task": sys.getsizeof(one_task),
        "python frame": frame.__sizeof__() if frame is not None else 0,
        "python futures": sys.getsizeof(loop.create_future()),
    }
    await cancel_all(gathered, *tasks, one_task)
    tracemalloc.stop()
    wrapped = grown(started, built)
    return t1 - t0, wrapped, t4 - t3, allocations, sizes


def tasks_part(n):
    """n sleeping tasks: resident bytes, then every traced byte charged to a part of the task."""
    rss = asyncio.run(resident(n))
    coroutines, wrapped, gather, allocations, sizes = asyncio.run(traced(n))
    parts = dict.fromkeys(["python Task", "python frame", "python futures", "python scheduling", "python other"], 0)
    # Wrapping and starting: each allocating function's bytes go to its part.
    for key, (size, _) in wrapped.items():
        parts[PARTS.get(key, "python other")] += size
    out = [
        series("python coroutine", "bytes_per_task", n, coroutines / n),
        series("python gather", "bytes_per_task", n, gather / n),
        series("python", "traced_bytes_per_task", n, (coroutines + sum(parts.values()) + gather) / n),
        series("python", "allocations_per_task", n, allocations / n),
        series("python", "rss_bytes_per_task", n, rss / n),
        series("python", "rss_mb", n, rss / lab.MB),
    ]
    out += [series(name, "bytes_per_task", n, size / n) for name, size in parts.items()]
    for name, size in sizes.items():
        out.append(series(name, "object_bytes", n, size))
    return out


def bounding_part(jobs, limit):
    async def job():
        await asyncio.sleep(0.001)

    async def gather_all():
        sem = asyncio.Semaphore(limit)

        async def guarded():
            async with sem:
                await job()

        await asyncio.gather(*(guarded() for _ in range(jobs)))

    async def worker_pool():
        left = [jobs]

        async def worker():
            while left[0] > 0:
                left[0] -= 1
                await job()

        await asyncio.gather(*(worker() for _ in range(limit)))

    async def window():
        pending = set()
        for _ in range(jobs):
            if len(pending) >= limit:
                _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            pending.add(asyncio.ensure_future(job()))
        await asyncio.gather(*pending)

    out = []
    for name, fn in (("python gather all", gather_all), ("python worker pool", worker_pool), ("python window", window)):
        tracemalloc.start()
        # Where the kernel refuses the reset, the peak is the process's lifetime peak (earlier bounds included).
        reset = lab.reset_peak_rss()
        rss0 = lab.rss_of("self")
        asyncio.run(fn())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        out.append(series(name, "peak_traced_mb", jobs, peak / lab.MB, "jobs"))
        out.append(series(name, "peak_rss_mb", jobs, max(0, lab.peak_rss_bytes() - rss0) / lab.MB, "jobs"))
        out.append(series(name, "peak_reset", jobs, lab.peak_reset_value(reset), "jobs"))
    return out


def main():
    p, args = lab.parse_args("q6", {"--part": {"choices": ["tasks", "bounding"]}, "--n": {"type": int}})
    if args.part == "tasks":
        result = tasks_part(args.n or 10000)
    elif args.part == "bounding":
        result = bounding_part(p["jobs"], p["limit"])
    else:
        result = []
        for n in [t for t in p["tasks"] if t <= p["python_max_tasks"]]:
            result += tasks_part(n)
        result += bounding_part(p["jobs"], p["limit"])
    lab.emit("q6", p, result)


if __name__ == "__main__":
    sys.exit(main())
