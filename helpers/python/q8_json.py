"""Python twin of `lab q8`: coroutines that each json.dumps a large nested document, inline on the event loop,
on asyncio.to_thread, on a ProcessPoolExecutor, or in batches to the pool, while a 1 ms heartbeat and light ping
tasks measure how responsive the loop stays. A control, `built_in_worker`: the same pool, but each job sends only
the document's size; the worker builds the identical document (`lab.document` is a function of the size alone),
json.dumps it and returns the text as bytes, so no object graph is pickled in the parent under its GIL.

  python3 q8_json.py --params '{"tasks":8,"doc_bytes":[100000]}'
  python3 q8_json.py --params '{...}' --strategy to_thread --doc-bytes 1000000     (one, as `lab` calls it)
  python3 q8_json.py --params '{...}' --strategy inline --doc-bytes 1000000 --timeline
  python3 q8_json.py --params '{...}' --open-loop        (the open-loop runs alone, as `lab` calls them)

`--timeline` also emits each run's timeline, as `lab` records its own (helpers/src/workload/serialize.rs): each
serialization's start and finish on the thread or process it ran on, lane 0 the event loop's, every ping a mark.

`--open-loop`: requests arrive on a schedule of their own (`open_requests` at `open_load_pct` % of what one core
serializes, measured just before each load's runs; Poisson or evenly spaced, the very numbers `lab` draws), each
serializing a document of `open_doc_bytes` inline on the loop or on the pool whose workers hold their own copy
(`built_in_worker`: sent the size, they return the JSON as bytes). A thread hands each request to the loop at its
time, as a socket would, and its latency runs from when it was due, so a blocked loop never slows the arrivals.
"""

import asyncio
import json
import json.encoder
import os
import pickle
import sys
import time

import lab_common as lab
import lab_open_loop
from lab_timeline import Recorder

STRATEGIES = ["inline", "to_thread", "processes", "batched", "built_in_worker"]
# Each strategy's series (and timeline) name; `lab`'s q8 run.rs lists the same.
NAMES = {s: f"python {s}" for s in STRATEGIES} | {"built_in_worker": "python processes (built in worker)"}
POOLED = ("processes", "batched", "built_in_worker")
MB = 1024 * 1024


def dumps_len(doc):
    return len(json.dumps(doc))


def dumps_many(docs):
    return sum(len(json.dumps(d)) for d in docs)


def dumps_recorded(doc, rec, i):
    """Serializes document `i` on this thread, its lane and instants into `rec`."""
    rec.lane(i)
    rec.mark(i, 0)
    n = len(json.dumps(doc))
    rec.mark(i, 1)
    return n


def dumps_timed(doc):
    """In a pool's worker: the length, when it started and finished (perf_counter_ns: one clock for every process
    of the machine), and which worker, for the parent to record."""
    t0 = time.perf_counter_ns()
    n = len(json.dumps(doc))
    return n, t0, time.perf_counter_ns(), os.getpid()


def build_and_dump(nbytes):
    """In a pool's worker: builds the document of `nbytes` itself (the one the parent builds: `lab.document`
    depends on the size alone), serializes it and returns the JSON text as bytes, with when json.dumps started
    and finished and which worker, as `dumps_timed` does. Only an int goes out and bytes come back: pickling bytes
    is a copy, not a walk over an object graph."""
    doc = lab.document(nbytes)
    t0 = time.perf_counter_ns()
    data = json.dumps(doc).encode()
    return data, t0, time.perf_counter_ns(), os.getpid()


# The document a pool worker serializes in the open-loop runs, by size: built once per worker (before the clock),
# as a worker that holds its data would, so that a request carries only its size.
_DOCS = {}


def dump_cached(nbytes):
    """In a pool's worker: json.dumps of its own document of `nbytes`, returned as bytes, with when it started and
    finished (perf_counter_ns) and which worker."""
    doc = _DOCS.get(nbytes)
    if doc is None:
        doc = _DOCS[nbytes] = lab.document(nbytes)
    t0 = time.perf_counter_ns()
    data = json.dumps(doc).encode()
    return data, t0, time.perf_counter_ns(), os.getpid()


def warm_worker(nbytes):
    """Builds and serializes the worker's document once, then stays busy a moment, so that the next warm job
    goes to another worker; returns which worker it was."""
    dump_cached(nbytes)
    time.sleep(0.02)
    return os.getpid()


class Copy:
    """One document as its own copy on the wire. A batch lists the same document k times, and pickle sends a
    repeated object once: each Copy pickles it afresh (in the pool's feeder thread, as a single call would), so a
    batch of k carries k documents, as a batch of k different requests would."""

    def __init__(self, doc):
        self.doc = doc

    def __reduce__(self):
        return pickle.loads, (pickle.dumps(self.doc),)


async def pinger(interval, lat, running, points, origin_ns):
    """Light requests arriving every `interval` s on a fixed schedule, each served by a tiny task; latency runs
    from arrival to service, and arrivals that fell due while the loop was blocked are served late, not dropped.
    Each ping also goes to `points` as [ms after `origin_ns` when it arrived, latency ms], as the Rust pinger's."""
    start, k = time.perf_counter(), 1

    async def tiny():
        return time.perf_counter()

    while True:
        # Serving a ping awaits, so pings keep coming due during a pass (a long one when threads hold the GIL):
        # once stopped, one more pass serves every ping due by then, rather than dropping those.
        stopping = not running[0]
        if not stopping:
            await asyncio.sleep(max(0.0, start + k * interval - time.perf_counter()))
        now = time.perf_counter()
        while start + k * interval <= now:
            arrival = start + k * interval
            served = await asyncio.ensure_future(tiny())
            lat.append((served - arrival) * 1000.0)
            points.append([arrival * 1e3 - origin_ns / 1e6, lat[-1]])
            k += 1
        if stopping:
            break


def run(strategy, size, doc, p, rec):
    """One strategy's run over documents of `size` bytes (`doc`, None where the workers build their own); `rec`
    (slots for tasks + 1: the last is the event loop's) gets its spans."""
    tasks, batch = p["tasks"], p["batch"]

    async def main():
        loop = asyncio.get_running_loop()
        pool = None
        if strategy in POOLED:
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

    async def in_process(loop, pool, i):
        n, started, finished, pid = await loop.run_in_executor(pool, dumps_timed, doc)
        rec.lane(i, key=("process", pid))
        rec.mark_at(i, 0, started)
        rec.mark_at(i, 1, finished)
        return n

    async def built_in_process(loop, pool, i):
        # Counted on the bytes that came back: the same JSON (ASCII, one byte a character) the others measure.
        data, started, finished, pid = await loop.run_in_executor(pool, build_and_dump, size)
        rec.lane(i, key=("process", pid))
        rec.mark_at(i, 0, started)
        rec.mark_at(i, 1, finished)
        return len(data)

    async def measured(loop, pool):
        rec.lane(tasks)  # the event loop's thread takes lane 0, before any serialization
        rec.start_clock()
        hb = lab.Heartbeat()
        running, pings = [True], []
        pinging = pinger(p["ping_ms"] / 1000, pings, running, points, rec.origin)
        probes = [asyncio.ensure_future(hb.run()), asyncio.ensure_future(pinging)]
        await asyncio.sleep(0)
        t0 = time.perf_counter()
        if strategy == "inline":
            async def task(i):
                return dumps_recorded(doc, rec, i)  # runs on the loop: nothing else does meanwhile
            sizes = await asyncio.gather(*(task(i) for i in range(tasks)))
        elif strategy == "to_thread":
            sizes = await asyncio.gather(*(asyncio.to_thread(dumps_recorded, doc, rec, i) for i in range(tasks)))
        elif strategy == "processes":
            sizes = await asyncio.gather(*(in_process(loop, pool, i) for i in range(tasks)))
        elif strategy == "built_in_worker":
            sizes = await asyncio.gather(*(built_in_process(loop, pool, i) for i in range(tasks)))
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

    points = []
    # Where the kernel refuses the reset, the parent's peak is its lifetime peak: recorded, for the judge and chart.
    reset = lab.reset_peak_rss()
    c0, k0 = lab.cpu_seconds(), lab.children_cpu_seconds()
    nbytes, wall, hb, pings, workers_added = asyncio.run(main())
    parent = lab.peak_rss_bytes()
    cpu = (lab.cpu_seconds() - c0) + (lab.children_cpu_seconds() - k0)
    p50, p99, mx = hb.percentiles()
    values = {
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
    return values, points


def calibrate_ms(doc, k=21):
    """One json.dumps of `doc` on this thread now, ms: the median of `k`, after one to warm up."""
    json.dumps(doc)
    times = []
    for _ in range(k):
        t0 = time.perf_counter()
        json.dumps(doc)
        times.append((time.perf_counter() - t0) * 1000.0)
    return sorted(times)[k // 2]


OPEN = ["inline", "built_in_worker"]


def open_run(strategy, doc, size, offsets, pool):
    """Serves the requests due at `offsets` (s after the start) inline or on `pool`: each request's (latency,
    serialization time) in s, and the wall time from the schedule's start to the last response."""

    async def request(loop):
        if strategy == "inline":
            t0 = time.perf_counter()
            json.dumps(doc)  # on the loop: nothing else runs meanwhile
            return time.perf_counter() - t0
        _data, t0, t1, _pid = await loop.run_in_executor(pool, dump_cached, size)
        return (t1 - t0) / 1e9

    return lab_open_loop.run(offsets, request)


def open_loop(p):
    """Every open-loop run, load by load (inline, then the pool), as series over `load_pct`."""
    size, n = p["open_doc_bytes"], p["open_requests"]
    doc = lab.document(size)
    pool = lab.process_pool(max_workers=lab.cores())
    series = {}  # (name, y) -> its series, a point per load
    try:
        # Every worker builds its document before any clock: warm jobs until each has run one.
        pids, warmed = set(pool._processes), set()  # noqa: SLF001 (the pool's worker pids)
        for _ in range(20):
            futs = [pool.submit(warm_worker, size) for _ in range(lab.cores())]
            warmed |= {f.result() for f in futs}
            pids = set(pool._processes)  # noqa: SLF001
            if pids and pids <= warmed:
                break
        for pct in p["open_load_pct"]:
            one = calibrate_ms(doc)
            rate = pct / 100.0 / (one / 1000.0)
            offsets = lab_open_loop.schedule(n, rate, p["open_arrivals"] == "poisson")
            for strategy in OPEN:
                served, wall = open_run(strategy, doc, size, offsets, pool)
                lat = sorted(s[0] * 1000.0 for s in served)
                work = sorted(s[1] for s in served)
                values = {
                    "open_p50_ms": lab.percentile(lat, 0.5),
                    "open_p99_ms": lab.percentile(lat, 0.99),
                    "open_max_ms": lat[-1] if lat else 0.0,
                    "open_service_ms": lab.percentile(work, 0.5) * 1000.0,
                    "open_busy": sum(work) / wall,
                    "open_requests": float(len(served)),
                    "open_rate_per_s": rate,
                    "open_calibrated_ms": one,
                }
                for y, v in values.items():
                    blank = {"name": NAMES[strategy], "x": "load_pct", "y": y, "points": []}
                    series.setdefault((strategy, y), blank)["points"].append([pct, v])
    finally:
        pool.shutdown()
    return list(series.values())


def timeline(rec, strategy, size, p, points):
    """The run's raw timeline, lanes named for what runs on them (lane 0: the event loop), the pings its marks."""
    worker = "process" if strategy in POOLED else "thread"
    t = rec.timeline(NAMES[strategy], f"{p['tasks']} documents of {size} bytes", "documents", worker,
                     marks=("pings", "latency, ms", points))
    if t["lanes"]:
        t["lanes"][0] = "event loop"
    return t


def main():
    p, args = lab.parse_args("q8", {"--strategy": {"choices": STRATEGIES}, "--doc-bytes": {"type": int},
                                    "--timeline": {"action": "store_true"}, "--open-loop": {"action": "store_true"}})
    if args.open_loop:
        lab.emit("q8", p, open_loop(p))
        return
    series, timelines = [], []
    for size in [args.doc_bytes] if args.doc_bytes else p["doc_bytes"]:
        doc = None
        for strategy in [args.strategy] if args.strategy else STRATEGIES:
            # Built once a size, before any run's clock and peak reset; not at all where only workers need it, so
            # that the parent's peak holds no document it never sends.
            if doc is None and strategy != "built_in_worker":
                doc = lab.document(size)
            # Slots for every document and one for the loop, allocated before the run (none without --timeline).
            rec = Recorder(p["tasks"] + 1, ["started", "finished"], on=args.timeline)
            values, points = run(strategy, size, doc, p, rec)
            for y, v in values.items():
                series.append({"name": NAMES[strategy], "x": "doc_bytes", "y": y, "points": [[size, v]]})
            if args.timeline:
                timelines.append(timeline(rec, strategy, size, p, points))
    lab.emit("q8", p, series, timelines=timelines)


if __name__ == "__main__":
    sys.exit(main())
