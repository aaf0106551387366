"""Python twin of `lab q2`: CPU jobs on ThreadPoolExecutor and ProcessPoolExecutor, and what a worker process
costs: memory, start-up, pickling and the pipe, and the job length below which a process pool loses.

  python3 q2_pools.py --params '{...}' --calibrate
  python3 q2_pools.py --params '{...}' --part scaling --strategy threads --workers 4 --iters N
  python3 q2_pools.py --params '{...}' --part memory --workers 8
  python3 q2_pools.py --params '{...}' --part ipc
  python3 q2_pools.py --params '{...}' --part crossover --iters-per-ms X
"""

import concurrent.futures
import json
import multiprocessing
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


def _echo(conn):
    while True:
        obj = conn.recv()
        if obj is None:
            return
        conn.send(obj)


def _thread_echo(inbox, outbox):
    while True:
        obj = inbox.get()
        if obj is None:
            return
        outbox.put(obj)


def ipc(payloads):
    """pickle.dumps + loads, a round trip through a worker process over a multiprocessing Pipe, and one through a
    thread over two queues (the same message without a process boundary)."""
    pick = {"name": "python pickle", "x": "payload_bytes", "y": "cost_ms", "points": []}
    trip = {"name": "python pipe round trip", "x": "payload_bytes", "y": "cost_ms", "points": []}
    local = {"name": "python thread round trip", "x": "payload_bytes", "y": "cost_ms", "points": []}
    parent, child = multiprocessing.Pipe()
    worker = multiprocessing.Process(target=_echo, args=(child,), daemon=True)
    worker.start()
    inbox, outbox = queue.Queue(), queue.Queue()
    echo = threading.Thread(target=_thread_echo, args=(inbox, outbox), daemon=True)
    echo.start()
    try:
        for nbytes in payloads:
            doc = lab.document(nbytes)
            size = len(json.dumps(doc, separators=(",", ":")))

            def timed(f):
                runs = []
                for _ in range(3):
                    t0 = time.perf_counter()
                    f()
                    runs.append((time.perf_counter() - t0) * 1000)
                return statistics.median(runs)

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
    return [pick, trip, local]


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
