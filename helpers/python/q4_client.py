"""Python twin of `lab q4`'s client: one-shot asyncio requests against the lab's loopback server (started by
`lab`), with or without an asyncio.Semaphore, a timeout per request, and optionally a lowered open-files limit.

  python3 q4_client.py --params '{"requests":1000}' --port 40123 --limit 50
  python3 q4_client.py --params '{...}' --port 40123 --limit none --nofile 256
"""

import asyncio
import errno
import os
import resource
import sys
import threading
import time

import lab_common as lab

async def one(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET\n")
        await writer.drain()
        line = (await reader.readline()).strip()
    finally:
        writer.close()
    if line == b"200":
        return True
    if line == b"429":
        return False
    raise ConnectionError("no answer")


async def run(port, requests, limit, timeout):
    sem = asyncio.Semaphore(limit) if limit else None
    out = dict(ok=0, timeouts=0, rejected=0, conn_errors=0, emfile=0, addr_not_avail=0)
    lat = []

    async def request():
        if sem:
            await sem.acquire()
        t0 = time.perf_counter()
        try:
            ok = await asyncio.wait_for(one(port), timeout)
            if ok:
                out["ok"] += 1
                lat.append((time.perf_counter() - t0) * 1000)
            else:
                out["rejected"] += 1
        except asyncio.TimeoutError:
            out["timeouts"] += 1
        except OSError as e:
            if e.errno in (errno.EMFILE, errno.ENFILE):
                out["emfile"] += 1
            elif e.errno == errno.EADDRNOTAVAIL:
                out["addr_not_avail"] += 1
            else:
                out["conn_errors"] += 1
        except ConnectionError:
            out["conn_errors"] += 1
        finally:
            if sem:
                sem.release()

    await asyncio.gather(*(request() for _ in range(requests)))
    return out, sorted(lat)


def main():
    p, args = lab.parse_args("q4", {
        "--port": {"type": int, "required": True},
        "--limit": {"default": "none"},
        "--nofile": {"type": int},
    })
    limit = None if args.limit == "none" else int(args.limit)
    x = -1 if args.nofile else (limit or 0)
    if args.nofile:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(args.nofile, hard), hard))
    # The soft limit this client runs under, as the Rust side records it (no limit: the largest rlim_t).
    in_force = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if in_force < 0 or in_force == resource.RLIM_INFINITY:
        in_force = (1 << 64) - 1
    peak_fds, running = [0], [True]

    def sample():
        while running[0]:
            try:
                peak_fds[0] = max(peak_fds[0], len(os.listdir("/proc/self/fd")))
            except OSError:  # at the open-files limit, listing the descriptors needs one more
                pass
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    lab.reset_peak_rss()
    t0 = time.perf_counter()
    out, lat = asyncio.run(run(args.port, p["requests"], limit, p["timeout_ms"] / 1000))
    wall = time.perf_counter() - t0
    running[0] = False
    sampler.join()
    values = dict(out)
    values.update(
        latency_p50_ms=lab.percentile(lat, 0.5),
        latency_p99_ms=lab.percentile(lat, 0.99),
        latency_max_ms=lat[-1] if lat else 0.0,
        peak_fds=peak_fds[0],
        peak_rss_mb=lab.peak_rss_bytes() / lab.MB,
        wall_s=wall,
        nofile_in_force=in_force,
    )
    lab.emit("q4", p, [{"name": "python", "x": "limit", "y": y, "points": [[x, v]]} for y, v in values.items()])


if __name__ == "__main__":
    sys.exit(main())
