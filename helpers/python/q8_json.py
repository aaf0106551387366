"""Python twin of `lab q8`: coroutines that each json.dumps a large nested document, inline on the event loop,
on asyncio.to_thread, on a ProcessPoolExecutor, or in batches to the pool, while a 1 ms heartbeat and light ping
tasks measure how responsive the loop stays.

  python3 q8_json.py --params '{"tasks":8,"doc_bytes":[100000]}'
  python3 q8_json.py --params '{...}' --strategy to_thread --doc-bytes 1000000     (one, as `lab` calls it)
"""

import asyncio
import json
import json.encoder
import pickle
import sys
import time

import lab_common as lab

STRATEGIES = ["inline", "to_thread", "processes", "batched"]
MB = 1024 * 1024


def dumps_len(doc):
    return len(json.dumps(doc))


def dumps_many(docs):
    return sum(len(json.dumps(d)) for d in docs)


class Copy:
    """One document as its own copy on the wire. A batch lists the same document k times, and pickle sends a
    repeated object once: each Copy pickles it afresh (in the pool's feeder thread, as a single call would), so a
    batch of k carries k documents, as a batch of k different requests would."""

    def __init__(self, doc):
        self.doc = doc

    def __reduce__(self):
        return pickle.loads, (pickle.dumps(self.doc),)


async def pinger(interval, lat, running):
    """Light requests arriving every `interval` s on a fixed schedule, each served by a tiny task; latency runs
    from arrival to service, and arrivals that fell due while the loop was blocked are served late, not dropped."""
    start, k = time.perf_counter(), 1

    async def tiny():
        return time.perf_counter()

    while running[0]:
        await asyncio.sleep(max(0.0, start + k * interval - time.perf_counter()))
        now = time.perf_counter()
        while start + k * interval <= now:
            served = await asyncio.ensure_future(tiny())
            lat.append((served - (start + k * interval)) * 1000.0)
            k += 1


def run(strategy, doc, p):
    tasks, batch = p["tasks"], p["batch"]

    async def main():
        loop = asyncio.get_running_loop()
        pool = None
        if strategy in ("processes", "batched"):
            # Started and warmed before the clock, as the Rust side builds its pools: a run times the work, not
            # the workers' start-up (which would swamp small documents).
            pool = lab.process_pool(max_workers=lab.cores())
            await asyncio.gather(*(loop.run_in_executor(pool, int) for _ in range(lab.cores())))
        try:
            # Forked workers map the parent's pages (the document among them) and their RSS counts them in full:
            # what a worker adds is its peak over its RSS before the run, so shared pages count once, in the parent.
            pids = list(pool._processes) if pool is not None else []  # noqa: SLF001 (the pool's worker pids)
            start = {pid: lab.rss_of(pid) for pid in pids}
            out = await measured(loop, pool)
            added = sum(max(0, lab.peak_rss_of(pid) - start[pid]) for pid in pids)
            return out + (added,)
        finally:
            if pool is not None:
                pool.shutdown()

    async def measured(loop, pool):
        hb = lab.Heartbeat()
        running, pings = [True], []
        probes = [asyncio.ensure_future(hb.run()), asyncio.ensure_future(pinger(p["ping_ms"] / 1000, pings, running))]
        await asyncio.sleep(0)
        t0 = time.perf_counter()
        if strategy == "inline":
            async def task():
                return dumps_len(doc)  # runs on the loop: nothing else does meanwhile
            sizes = await asyncio.gather(*(task() for _ in range(tasks)))
        elif strategy == "to_thread":
            sizes = await asyncio.gather(*(asyncio.to_thread(dumps_len, doc) for _ in range(tasks)))
        elif strategy == "processes":
            sizes = await asyncio.gather(*(loop.run_in_executor(pool, dumps_len, doc) for _ in range(tasks)))
        else:
            groups = [min(batch, tasks - i) for i in range(0, tasks, batch)]
            futs = [loop.run_in_executor(pool, dumps_many, [Copy(doc) for _ in range(k)]) for k in groups]
            sizes = await asyncio.gather(*futs)
        work = time.perf_counter() - t0
        rest = 0.1 - (time.perf_counter() - t0)  # short runs: give the probes something to report
        if rest > 0:
            await asyncio.sleep(rest)
        hb.running, running[0] = False, False
        await asyncio.gather(*probes)
        return sum(sizes), work, hb, sorted(pings)

    # Where the kernel refuses the reset, the parent's peak is its lifetime peak: recorded, for the judge and chart.
    reset = lab.reset_peak_rss()
    c0, k0 = lab.cpu_seconds(), lab.children_cpu_seconds()
    nbytes, wall, hb, pings, workers_added = asyncio.run(main())
    parent = lab.peak_rss_bytes()
    cpu = (lab.cpu_seconds() - c0) + (lab.children_cpu_seconds() - k0)
    p50, p99, mx = hb.percentiles()
    return {
        "wall_s": wall,
        "mb_per_s": nbytes / 1e6 / wall,
        "docs_per_s": tasks / wall,
        "cores_busy": cpu / wall,
        "lag_p50_ms": p50,
        "lag_p99_ms": p99,
        "lag_max_ms": mx,
        "ping_p50_ms": lab.percentile(pings, 0.5),
        "ping_p99_ms": lab.percentile(pings, 0.99),
        # The parent's peak plus what the pool's workers added (0 without a pool).
        "peak_rss_mb": (parent + workers_added) / MB,
        "parent_peak_rss_mb": parent / MB,
        "workers_added_peak_mb": workers_added / MB,
        "peak_reset": lab.peak_reset_value(reset),
        # 1 when json.dumps runs in C (the _json accelerator), 0 when in Python bytecode.
        "json_in_c": float(json.encoder.c_make_encoder is not None),
    }


def main():
    p, args = lab.parse_args("q8", {"--strategy": {"choices": STRATEGIES}, "--doc-bytes": {"type": int}})
    series = []
    for size in [args.doc_bytes] if args.doc_bytes else p["doc_bytes"]:
        doc = lab.document(size)
        for strategy in [args.strategy] if args.strategy else STRATEGIES:
            for y, v in run(strategy, doc, p).items():
                series.append({"name": f"python {strategy}", "x": "doc_bytes", "y": y, "points": [[size, v]]})
    lab.emit("q8", p, series)


if __name__ == "__main__":
    sys.exit(main())
