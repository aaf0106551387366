"""Requests that arrive on a schedule of their own (open loop), as `lab` sends them (helpers/src/workload/
open_loop.rs): the same seeded arrivals, a thread that hands each request to the event loop at its time (as a socket
would), and each request's latency from when it was due, so a blocked loop shows as latency and never slows the
arrivals down (no coordinated omission).
"""

import asyncio
import ctypes
import math
import threading
import time

M64 = (1 << 64) - 1
SEED = 8  # `lab`'s workload/open_loop.rs SEED
PR_SET_TIMERSLACK = 29  # <linux/prctl.h>
LEAD = 0.005  # the schedule starts this long after the arrivals thread


class SplitMix:
    """SplitMix64, bit for bit as `lab`'s, so both languages draw the same arrivals."""

    def __init__(self, seed):
        self.state = seed & M64

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def next_f64(self):
        return (self.next_u64() >> 11) / float(1 << 53)


def schedule(n, rate, poisson):
    """When each of `n` requests arrives, s after the start, at `rate` a second on average (as `lab`'s
    `open_loop::schedule`): exponential gaps from the seeded generator, or even ones, scaled so that the last
    arrives at exactly n / rate."""
    rng = SplitMix(SEED)
    gaps = [-math.log(1.0 - rng.next_f64()) if poisson else 1.0 for _ in range(n)]
    scale = n / rate / sum(gaps) if gaps else 0.0
    out, t = [], 0.0
    for g in gaps:
        t += g * scale
        out.append(t)
    return out


def fine_timer():
    """This thread's sleeps end within a microsecond of their deadline, not 50 us later (the timer slack)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def run(offsets, request):
    """Serves the requests due at `offsets` (s after the start) on a fresh event loop: each arrival runs
    `await request(loop)`, which returns its work's own time in s. Returns each request's (latency, work) in s and
    the wall time from the schedule's start to the last response."""

    async def main():
        loop = asyncio.get_running_loop()
        served, left, done = [], [len(offsets)], loop.create_future()

        async def one(due):
            try:
                work = await request(loop)
            except Exception as e:  # a broken pool: end the run with its error rather than wait forever
                if not done.done():
                    done.set_exception(e)
                return
            served.append((time.perf_counter() - due, work))
            left[0] -= 1
            if left[0] == 0 and not done.done():
                done.set_result(None)

        def arrive(due):
            asyncio.ensure_future(one(due))

        start = time.perf_counter() + LEAD

        def arrivals():
            fine_timer()
            for off in offsets:
                due = start + off
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                loop.call_soon_threadsafe(arrive, due)

        thread = threading.Thread(target=arrivals, name="arrivals", daemon=True)
        thread.start()
        if offsets:
            await done
        wall = time.perf_counter() - start
        thread.join()
        return served, wall

    return asyncio.run(main())
