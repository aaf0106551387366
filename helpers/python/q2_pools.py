"""Python twin of `lab q2`: CPU jobs on ThreadPoolExecutor and ProcessPoolExecutor, and what a worker process
costs: memory, start-up, pickling and the pipe (and the pool's own machinery beyond the pipe), and the job length
below which a process pool loses.

  python3 q2_pools.py --params '{...}' --calibrate
  python3 q2_pools.py --params '{...}' --part scaling --strategy threads --workers 4 --iters N
  python3 q2_pools.py --params '{...}' --part memory --workers 8
  python3 q2_pools.py --params '{...}' --part ipc
  python3 q2_pools.py --params '{...}' --part crossover --iters-per-ms X
"""

import concurrent.futures
import json
import multiprocessing
import os
import pickle
import queue
import statistics
import sys
import threading
import time

import lab_common as lab

def point(name, x, y, xv, v):
    return {"name": name, "x": x, "y": y, "points": [[xv, v]]}


def scaling(strategy, workers, jobs, iters):
    c0, k0, t0 = lab.cpu_seconds(), lab.children_cpu_seconds(), time.perf_counter()
    if strategy == "sequential":
        for j in range(jobs):
            lab.spin(iters, j)
    else:
        pool_type = (concurrent.futures.ThreadPoolExecutor if strategy == "threads"
                     else lab.process_pool)
        with pool_type(max_workers=workers) as pool:
            list(pool.map(lab.spin, [iters] * jobs, range(jobs)))
    wall = time.perf_counter() - t0
    cpu = (lab.cpu_seconds() - c0) + (lab.children_cpu_seconds() - k0)
    name = f"python {strategy}"
    return [point(name, "workers", "wall_s", workers, wall), point(name, "workers", "cores_busy", workers, cpu / wall)]


def memory(workers):
    """KiB per idle thread (RSS growth) and per worker process (each one's RSS, USS and PSS, with whether
    smaps_rollup could be read); ms to start a pool of one."""
    stop = threading.Event()
    before = lab.rss_of("self")
    threads = [threading.Thread(target=stop.wait) for _ in range(workers)]
    for t in threads:
        t.start()
    per_thread = max(0, lab.rss_of("self") - before) / 1024 / workers
    stop.set()
    for t in threads:
        t.join()

    with lab.process_pool(max_workers=workers) as pool:
        list(pool.map(time.sleep, [0.2] * workers))  # every worker busy at once, so all of them start
        pids = list(pool._processes)  # noqa: SLF001 (the pool keeps its pids here)
        rss = [lab.rss_of(pid) for pid in pids]
        # A forked worker shares its parent's pages, which RSS counts in full: USS and PSS say what it adds.
        shares = [lab.smaps_rollup(pid) for pid in pids]
    per_process = sum(rss) / 1024 / max(1, len(rss))
    errors = [e for _, e in shares if e]
    out = [point("python processes", "workers", "kb_per_worker", workers, per_process),
           point("python processes", "workers", "smaps_rollup_read", workers, 0.0 if errors else 1.0)]
    if errors:
        print(f"python processes: USS and PSS not measured ({errors[0]}): RSS counts pages shared with the parent",
              file=sys.stderr)
    else:
        for k, y in ((1, "uss_kb_per_worker"), (2, "pss_kb_per_worker")):
            v = sum(s[k] for s, _ in shares) / 1024 / max(1, len(shares))
            out.append(point("python processes", "workers", y, workers, v))

    starts = []
    for _ in range(3):
        t0 = time.perf_counter()
        with lab.process_pool(max_workers=1) as pool:
            pool.submit(int).result()
        starts.append((time.perf_counter() - t0) * 1000)
    return out + [
        point("python threads", "workers", "kb_per_worker", workers, per_thread),
        point("python processes", "workers", "start_ms", workers, statistics.median(starts)),
    ]


def _echo(conn, parent):
    lab.die_with_parent(parent)
    while True:
        obj = conn.recv()
        if obj is None:
            return
        conn.send(obj)


def _echo_bytes(conn, parent):
    """The bare pipe's far end: bytes straight back, no pickle; an empty message ends it."""
    lab.die_with_parent(parent)
    while True:
        data = conn.recv_bytes()
        if not data:
            return
        conn.send_bytes(data)


def _thread_echo(inbox, outbox):
    while True:
        obj = inbox.get()
        if obj is None:
            return
        outbox.put(obj)


CHEAP_MS = 5.0  # a timing under this is repeated for SAMPLE_MS, its first run left out as a warm-up
SAMPLE_MS = 20.0
TRIPS = 1000  # round trips timed one by one for a per-task cost (a bare pipe's byte, an empty job)


def _once_ms(f):
    t0 = time.perf_counter()
    f()
    return (time.perf_counter() - t0) * 1000


def _low(runs):
    """The 10th percentile: a cost of tens of µs is mostly waking another thread or process, and on a busy machine
    the scheduler adds to some wake-ups (never takes away), so the low percentile is the cost itself."""
    return sorted(runs)[len(runs) // 10]


def timed(f):
    """ms for f: the median of three where one takes long; where one is cheap, the 10th percentile of enough runs to
    fill SAMPLE_MS after a warm-up (as the Rust side)."""
    first = _once_ms(f)
    if first >= CHEAP_MS:
        return statistics.median([first, _once_ms(f), _once_ms(f)])
    runs = []
    while len(runs) < 5 or (sum(runs) < SAMPLE_MS and len(runs) < 10000):
        runs.append(_once_ms(f))
    return _low(runs)


def per_trip_ms(f, n):
    """The 10th percentile of n timings of f, one by one after one left out, ms."""
    f()
    return _low([_once_ms(f) for _ in range(n)])


def less_serialization(pick, trip):
    """Pickling there and back (twice dumps + loads: the message and its answer) and what the round trip costs
    beyond it, per payload; a point where the round trip was no slower than pickling is left out of the second."""
    both = {"name": "python pickle there and back", "x": "payload_bytes", "y": "cost_ms", "points": []}
    rest = {"name": "python pipe less pickle", "x": "payload_bytes", "y": "cost_ms", "points": []}
    for (size, s), (_, t) in zip(pick["points"], trip["points"]):
        both["points"].append([size, 2 * s])
        if t > 2 * s:
            rest["points"].append([size, t - 2 * s])
    return [both, rest]


def per_task():
    """An empty job through ProcessPoolExecutor (submit, then wait for its result, TRIPS times after a warm-up)
    beside a bare pipe's byte there and back between two processes (multiprocessing.Pipe, send_bytes: no pickle):
    what the pool's own machinery (its call queue and feeder thread, the result queue and its handler thread, the
    futures) adds per task beyond the pipe. Each one point at a 1-byte message."""
    parent, child = multiprocessing.Pipe()
    worker = multiprocessing.Process(target=_echo_bytes, args=(child, os.getpid()), daemon=True)
    worker.start()
    try:
        parent.send_bytes(b"x")
        parent.recv_bytes()
        bare = per_trip_ms(lambda: (parent.send_bytes(b"x"), parent.recv_bytes()), TRIPS)
    finally:
        parent.send_bytes(b"")
        worker.join(5)
        if worker.is_alive():
            worker.kill()
    with lab.process_pool(max_workers=1) as pool:
        for _ in range(50):  # the worker started, the queues and threads running
            pool.submit(int).result()
        empty = per_trip_ms(lambda: pool.submit(int).result(), TRIPS)
    out = [point("python pool empty job", "payload_bytes", "cost_ms", 1, empty),
           point("python bare pipe round trip", "payload_bytes", "cost_ms", 1, bare)]
    if empty > bare:
        out.append(point("python pool machinery", "payload_bytes", "cost_ms", 1, empty - bare))
    return out


def ipc(payloads):
    """pickle.dumps + loads, a round trip through a worker process over a multiprocessing Pipe, and one through a
    thread over two queues (the same message without a process boundary); from them, the round trip beyond
    pickling; then an empty job through the pool beside a bare pipe."""
    pick = {"name": "python pickle", "x": "payload_bytes", "y": "cost_ms", "points": []}
    trip = {"name": "python pipe round trip", "x": "payload_bytes", "y": "cost_ms", "points": []}
    local = {"name": "python thread round trip", "x": "payload_bytes", "y": "cost_ms", "points": []}
    parent, child = multiprocessing.Pipe()
    worker = multiprocessing.Process(target=_echo, args=(child, os.getpid()), daemon=True)
    worker.start()
    inbox, outbox = queue.Queue(), queue.Queue()
    echo = threading.Thread(target=_thread_echo, args=(inbox, outbox), daemon=True)
    echo.start()
    try:
        for nbytes in payloads:
            doc = lab.document(nbytes)
            size = len(json.dumps(doc, separators=(",", ":")))
            pick["points"].append([size, timed(lambda: pickle.loads(pickle.dumps(doc)))])
            trip["points"].append([size, timed(lambda: (parent.send(doc), parent.recv()))])
            local["points"].append([size, timed(lambda: (inbox.put(doc), outbox.get()))])
    finally:
        parent.send(None)
        inbox.put(None)
        worker.join(5)
        if worker.is_alive():
            worker.kill()
        echo.join(5)
    return [pick, trip, local] + less_serialization(pick, trip) + per_task()


def crossover(job_us, jobs, iters_per_ms):
    """Speed-up of a warm ProcessPoolExecutor (one worker per core) over a plain loop, per job length."""
    out = {"name": "python processes", "x": "job_us", "y": "pool_speedup", "points": []}
    with lab.process_pool(max_workers=lab.cores()) as pool:
        list(pool.map(int, range(lab.cores())))  # warm: every worker started
        for us in job_us:
            iters = max(1, round(iters_per_ms * us / 1000))
            t0 = time.perf_counter()
            for j in range(jobs):
                lab.spin(iters, j)
            seq = time.perf_counter() - t0
            t0 = time.perf_counter()
            list(pool.map(lab.spin, [iters] * jobs, range(jobs)))
            par = time.perf_counter() - t0
            out["points"].append([us, seq / par])
    return [out]


def main():
    p, args = lab.parse_args("q2", {
        "--part": {"choices": ["scaling", "memory", "ipc", "crossover"]},
        "--strategy": {"choices": ["sequential", "threads", "processes"], "default": "threads"},
        "--workers": {"type": int, "default": 4},
        "--iters": {"type": int},
        "--iters-per-ms": {"type": float},
        "--calibrate": {"action": "store_true"},
    })
    if args.calibrate:
        lab.emit("q2", p, [point("python", "job_ms", "iters_per_ms", 1.0, lab.calibrate())])
        return 0
    iters_per_ms = args.iters_per_ms or lab.calibrate()
    iters = args.iters or max(1, round(iters_per_ms * p["job_ms"]))
    if args.part == "scaling":
        series = scaling(args.strategy, args.workers, p["jobs"], iters)
    elif args.part == "memory":
        series = memory(args.workers)
    elif args.part == "ipc":
        series = ipc(p["payload_bytes"])
    elif args.part == "crossover":
        series = crossover(p["crossover_job_us"], p["crossover_jobs"], iters_per_ms)
    else:
        series = []
        for strategy in ("sequential", "threads", "processes"):
            for w in p["workers"]:
                series += scaling(strategy, w, p["jobs"], iters)
        series += memory(max(p["workers"])) + ipc(p["payload_bytes"])
        series += crossover(p["crossover_job_us"], p["crossover_jobs"], iters_per_ms)
    lab.emit("q2", p, series)


if __name__ == "__main__":
    sys.exit(main())
