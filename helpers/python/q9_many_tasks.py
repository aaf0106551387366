"""Python twin of `lab q9`: N asyncio tasks sleeping at once (memory, loop lag, how late the sleeps wake, garbage
collections per generation with the time they took), N one-shot requests at once against the lab's loopback
server, and an offered-load sweep against one fresh server per load.

  python3 q9_many_tasks.py --params '{"tasks":[1000,50000]}' --part sleep --n 50000
  python3 q9_many_tasks.py --params '{...}' --part server --port 40123 --limit none --nofile 1024
  python3 q9_many_tasks.py --params '{...}' --part nofile --nofile 51024
  python3 q9_many_tasks.py --params '{...}' --part offered --ports 40123,40124,40125,40126
"""

import asyncio
import errno
import gc
import json
import resource
import sys
import time

import lab_common as lab

def point(y, x, v, x_name="tasks"):
    return {"name": "python", "x": x_name, "y": y, "points": [[x, v]]}


def sleep_part(n, latency_ms):
    collections = [0, 0, 0]
    # Per generation: seconds collecting, longest pause. The tracer costs two perf_counter calls and a few float
    # operations a pass (microseconds against passes of a millisecond or more), and its state is these three lists,
    # made before the peak-memory reset below, so neither its time nor its memory is the collector's.
    spent = [0.0, 0.0, 0.0]
    longest = [0.0, 0.0, 0.0]
    started = [0.0]

    def on_gc(phase, info):
        if phase == "start":
            collections[info["generation"]] += 1
            started[0] = time.perf_counter()
        else:
            pause = time.perf_counter() - started[0]
            g = info["generation"]
            spent[g] += pause
            if pause > longest[g]:
                longest[g] = pause

    latency = latency_ms / 1000

    async def main():
        hb = lab.Heartbeat()
        probe = asyncio.ensure_future(hb.run())
        await asyncio.sleep(0)
        late = []

        async def task():
            t0 = time.perf_counter()
            await asyncio.sleep(latency)
            late.append((time.perf_counter() - t0 - latency) * 1000)

        t0 = time.perf_counter()
        tasks = [asyncio.ensure_future(task()) for _ in range(n)]
        spawn = time.perf_counter() - t0
        await asyncio.gather(*tasks)
        hb.running = False
        await probe
        return spawn, hb, sorted(late)

    gc.callbacks.append(on_gc)
    # Where the kernel refuses the reset, the peak is the process's lifetime peak: recorded, for the judge and chart.
    reset = lab.reset_peak_rss()
    c0, t0 = lab.cpu_seconds(), time.perf_counter()
    spawn, hb, late = asyncio.run(main())
    wall, cpu = time.perf_counter() - t0, lab.cpu_seconds() - c0
    gc.callbacks.remove(on_gc)
    _, p99, mx = hb.percentiles()
    peak = lab.peak_rss_bytes()
    values = {
        "spawn_s": spawn,
        "wall_s": wall,
        "cpu_busy": cpu / wall,
        "peak_rss_mb": peak / lab.MB,
        "peak_reset": lab.peak_reset_value(reset),
        "lag_p99_ms": p99,
        "lag_max_ms": mx,
        "lateness_p50_ms": lab.percentile(late, 0.5),
        "lateness_p99_ms": lab.percentile(late, 0.99),
        "lateness_max_ms": late[-1] if late else 0.0,
        "gc_gen0": collections[0],
        "gc_gen1": collections[1],
        "gc_gen2": collections[2],
        # This interpreter's generation-0 threshold (the notebook's prose quotes it, not a version's default).
        "gc_threshold0": gc.get_threshold()[0],
        "gc_ms": sum(spent) * 1000,
        "gc_max_pause_ms": max(longest) * 1000,
    }
    for g in range(3):
        values[f"gc_ms_gen{g}"] = spent[g] * 1000
        values[f"gc_max_pause_ms_gen{g}"] = longest[g] * 1000
    return [point(y, n, v) for y, v in values.items()]


def server_part(port, n, limit):
    out = dict(ok=0, timeouts=0, conn_errors=0, emfile=0, addr_not_avail=0)
    sem = asyncio.Semaphore(limit) if limit else None

    async def one():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"GET\n")
            await writer.drain()
            return (await reader.readline()).strip() == b"200"
        finally:
            writer.close()

    async def request():
        if sem:
            await sem.acquire()
        try:
            if await asyncio.wait_for(one(), 5):
                out["ok"] += 1
            else:
                out["conn_errors"] += 1
        except asyncio.TimeoutError:
            out["timeouts"] += 1
        except OSError as e:
            key = {errno.EMFILE: "emfile", errno.ENFILE: "emfile", errno.EADDRNOTAVAIL: "addr_not_avail"}
            out[key.get(e.errno, "conn_errors")] += 1
        finally:
            if sem:
                sem.release()

    async def main():
        await asyncio.gather(*(request() for _ in range(n)))

    c0, t0 = lab.cpu_seconds(), time.perf_counter()
    asyncio.run(main())
    wall, cpu = time.perf_counter() - t0, lab.cpu_seconds() - c0
    # Beside the outcomes, for the judge: the open-files limit this client ran under, and its cores busy.
    out["nofile"] = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    out["client_cpu_busy"] = cpu / wall if wall > 0 else 0.0
    x = limit or 0
    return [point(y, x, v, "limit") for y, v in out.items()]


def set_nofile(n):
    """The soft open-files limit to n, lowered or raised: above the hard limit the hard one is raised too, where this
    process may (CAP_SYS_RESOURCE, up to fs.nr_open); where it may not, the soft limit goes as far as the hard one.
    Returns whether raising the hard limit was refused (None: no raise was needed); the run records the limit in
    force beside it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if n <= hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, hard))
        return None
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
        return False
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return True


def offered_part(ports, c):
    """One point per load, each against its own fresh server: requests arrive at load x capacity a second (an open
    loop: the next does not wait for the last), each attempt times out after timeout_ms, a timed-out request is
    retried at once, at most `retries` times. The shape of the tokio client (`workload/offered.rs`)."""
    capacity = c["pool"] * 1000 / c["service_ms"]
    timeout, retries, seconds = c["timeout_ms"] / 1000, c["retries"], c["seconds"]

    async def one(port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"GET\n")
            await writer.drain()
            return (await reader.readline()).strip() == b"200"
        finally:
            writer.close()

    async def stats(port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"STATS\n")
        await writer.drain()
        line = await reader.readline()
        writer.close()
        return json.loads(line)

    async def run_point(port, rate):
        n = max(1, round(rate * seconds))
        out = dict(attempts=0, good=0, timeouts=0, gave_up=0, errors=0)

        async def request():
            for _ in range(retries + 1):
                out["attempts"] += 1
                try:
                    ok = await asyncio.wait_for(one(port), timeout)
                except asyncio.TimeoutError:
                    out["timeouts"] += 1
                    continue
                except OSError:
                    ok = False
                out["good" if ok else "errors"] += 1
                return
            out["gave_up"] += 1

        loop = asyncio.get_running_loop()
        t0 = loop.time()
        tasks, last = [], t0
        for i in range(n):
            delay = t0 + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            last = loop.time()
            tasks.append(asyncio.ensure_future(request()))
        await asyncio.gather(*tasks)
        elapsed = loop.time() - t0
        seen = await stats(port)
        return {
            "goodput_per_s": out["good"] / elapsed,
            # The window kept: up to the last submission, plus the one interval that follows it.
            "offered_kept_per_s": n / (last - t0 + 1 / rate),
            "attempts_per_s": out["attempts"] / elapsed,
            "sweep_requests": n,
            "sweep_good": out["good"],
            "sweep_timeouts": out["timeouts"],
            "sweep_gave_up": out["gave_up"],
            "sweep_errors": out["errors"],
            "server_served_per_s": seen["served"] / elapsed,
            # Served to a client that had already closed its connection (a server older than that counter: 0).
            "server_wasted_per_s": seen.get("served_gone", 0) / elapsed,
            "server_max_queue": seen["max_queue"],
        }

    # One series a measure, a point a load.
    series = {}
    for port, load in zip(ports, c["loads"]):
        rate = load * capacity
        for y, v in asyncio.run(run_point(port, rate)).items():
            empty = {"name": "python", "x": "offered_per_s", "y": y, "points": []}
            series.setdefault(y, empty)["points"].append([rate, v])
    return list(series.values())


def main():
    p, args = lab.parse_args("q9", {
        "--part": {"choices": ["sleep", "server", "nofile", "offered"], "default": "sleep"},
        "--n": {"type": int},
        "--port": {"type": int},
        "--limit": {"default": "none"},
        "--nofile": {"default": "none"},
        "--ports": {"default": ""},
    })
    if args.part == "server":
        if not args.port:
            lab.fail("--part server needs --port")
        limit = None if args.limit == "none" else int(args.limit)
        refused = set_nofile(int(args.nofile)) if args.nofile != "none" else None
        series = server_part(args.port, p["server_tasks"], limit)
        if refused is not None:
            series.append(point("nofile_refused", limit or 0, float(refused), "limit"))
    elif args.part == "nofile":
        # Only whether this process can raise its limit to --nofile, and the limit it got.
        if args.nofile == "none":
            lab.fail("--part nofile needs --nofile")
        refused = bool(set_nofile(int(args.nofile)))
        got = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        series = [point("nofile", 0, got, "limit"), point("nofile_refused", 0, float(refused), "limit")]
    elif args.part == "offered":
        if not args.ports:
            lab.fail("--part offered needs --ports")
        ports = [int(x) for x in args.ports.split(",")]
        c = p["collapse"]
        if len(ports) != len(c["loads"]):
            lab.fail(f"--ports must name one server for each of the {len(c['loads'])} loads; got {len(ports)}")
        series = offered_part(ports, c)
    else:
        series = []
        for n in [args.n] if args.n else [t for t in p["tasks"] if t <= p["python_max_tasks"]]:
            series += sleep_part(n, p["latency_ms"])
    lab.emit("q9", p, series)


if __name__ == "__main__":
    sys.exit(main())
