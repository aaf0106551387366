"""Python twin of `lab q9`: N asyncio tasks sleeping at once (memory, loop lag, how late the sleeps wake, garbage
collections per generation), and N one-shot requests at once against the lab's loopback server.

  python3 q9_many_tasks.py --params '{"tasks":[1000,50000]}' --part sleep --n 50000
  python3 q9_many_tasks.py --params '{...}' --part server --port 40123 --limit none
"""

import asyncio
import errno
import gc
import resource
import sys
import time

import lab_common as lab

def point(y, x, v, x_name="tasks"):
    return {"name": "python", "x": x_name, "y": y, "points": [[x, v]]}


def sleep_part(n, latency_ms):
    collections = [0, 0, 0]

    def on_gc(phase, info):
        if phase == "start":
            collections[info["generation"]] += 1

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
    }
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


def main():
    p, args = lab.parse_args("q9", {
        "--part": {"choices": ["sleep", "server"], "default": "sleep"},
        "--n": {"type": int},
        "--port": {"type": int},
        "--limit": {"default": "none"},
        "--nofile": {"default": "none"},
    })
    if args.part == "server":
        if not args.port:
            lab.fail("--part server needs --port")
        limit = None if args.limit == "none" else int(args.limit)
        if args.nofile != "none":
            _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(int(args.nofile), hard), hard))
        series = server_part(args.port, p["server_tasks"], limit)
    else:
        series = []
        for n in [args.n] if args.n else [t for t in p["tasks"] if t <= p["python_max_tasks"]]:
            series += sleep_part(n, p["latency_ms"])
    lab.emit("q9", p, series)


if __name__ == "__main__":
    sys.exit(main())
