"""Python twin of `lab q6`: what a live asyncio task is made of, stage by stage (tracemalloc), and the peak memory
of 100k jobs bounded three ways.

  python3 q6_memory.py --params '{...}' --part tasks --n 100000
  python3 q6_memory.py --params '{...}' --part bounding
"""

import asyncio
import sys
import tracemalloc

import lab_common as lab

def series(name, y, x, v, x_name="tasks"):
    return {"name": name, "x": x_name, "y": y, "points": [[x, v]]}


def tasks_part(n):
    """Builds n sleeping tasks in stages and charges each stage's new memory to a component."""

    async def work():
        await asyncio.sleep(3600)

    async def main():
        loop = asyncio.get_running_loop()
        tracemalloc.start()
        rss0 = lab.rss_of("self")
        t0 = tracemalloc.get_traced_memory()[0]
        coros = [work() for _ in range(n)]  # coroutine objects, not started
        t1 = tracemalloc.get_traced_memory()[0]
        tasks = [loop.create_task(c) for c in coros]  # Task wrappers, scheduled
        t2 = tracemalloc.get_traced_memory()[0]
        await asyncio.sleep(0)  # every task runs to its first await: frame state, a future, a timer handle
        await asyncio.sleep(0)
        t3 = tracemalloc.get_traced_memory()[0]
        # The loop's own record of each sleeping task: a TimerHandle in its heap of timers.
        timer = sys.getsizeof(loop._scheduled[0]) if loop._scheduled else 0  # noqa: SLF001
        gathered = asyncio.gather(*tasks)  # gather's future, its list of children, a callback on each
        t4 = tracemalloc.get_traced_memory()[0]
        rss = lab.rss_of("self") - rss0
        # Object sizes for one task, for comparison.
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
        one_task.cancel()
        gathered.cancel()
        for t in tasks:
            t.cancel()
        await asyncio.gather(gathered, *tasks, one_task, return_exceptions=True)
        tracemalloc.stop()
        return t0, t1, t2, t3, t4, rss, sizes, timer

    t0, t1, t2, t3, t4, rss, sizes, timer = asyncio.run(main())
    started = (t3 - t2) / n
    out = [
        series("python coroutine", "bytes_per_task", n, (t1 - t0) / n),
        series("python Task", "bytes_per_task", n, (t2 - t1) / n),
        # Running to the first await adds the frame's state, the sleep's future and the loop's timer handle;
        # tracemalloc sees them together, so the frame and the timer get their object sizes and futures the rest.
        series("python frame", "bytes_per_task", n, min(sizes["python frame"], started)),
        series("python futures", "bytes_per_task", n, max(0.0, started - sizes["python frame"] - timer)),
        series("python gather", "bytes_per_task", n, (t4 - t3) / n),
        series("python scheduling", "bytes_per_task", n, timer),
        series("python", "traced_bytes_per_task", n, (t4 - t0) / n),
        series("python", "rss_bytes_per_task", n, rss / n),
        series("python", "rss_mb", n, rss / lab.MB),
    ]
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
        lab.reset_peak_rss()
        rss0 = lab.rss_of("self")
        asyncio.run(fn())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        out.append(series(name, "peak_traced_mb", jobs, peak / lab.MB, "jobs"))
        out.append(series(name, "peak_rss_mb", jobs, max(0, lab.peak_rss_bytes() - rss0) / lab.MB, "jobs"))
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
