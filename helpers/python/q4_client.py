"""Python twin of `lab q4`'s client: one-shot asyncio requests against the lab's loopback server (started by
`lab`), with or without an asyncio.Semaphore, a timeout per request, and optionally a lowered open-files limit.

  python3 q4_client.py --params '{"requests":1000}' --port 40123 --limit 50
  python3 q4_client.py --params '{...}' --port 40123 --limit none --nofile 256
  python3 q4_client.py --params '{...}' --port 40123 --variant gather
  python3 q4_client.py --params '{...}' --port 40123 --limit 50 --timeline     (also each request's instants)

Latency is measured from submission (before the semaphore) beside service time (after it), and from submission
over the answered requests alone (`answered_*`: no timeout counted in); the timeout sits around the request, inside
the permit, where the notes' code puts it. `--variant gather` runs the notes' own program with the limit removed:
asyncio.gather without return_exceptions, which raises at the first error while the other requests run on, and
reports what it did (`lab` runs the same program in tokio: `client::gather`). `--timeline` records each request's
instants as `lab`'s tokio client does (`client::INSTANTS`: submitted, sent, then answered, timed out or refused), for
`lab` to condense.
"""

import asyncio
import errno
import os
import resource
import sys
import threading
import time
import traceback

import lab_common as lab
from lab_timeline import Recorder

# The instants of a request, as the Rust client names them (helpers/src/workload/client.rs).
SUBMITTED, SENT, ANSWERED, TIMED_OUT, REFUSED = range(5)
INSTANTS = ["submitted", "sent", "answered", "timed out", "refused"]

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


async def run(port, requests, limit, timeout, rec):
    sem = asyncio.Semaphore(limit) if limit else None
    out = dict(ok=0, timeouts=0, rejected=0, conn_errors=0, emfile=0, addr_not_avail=0)
    # From submission: every answer and every timeout (at the moment it gave up); answered: the answers alone.
    from_submit, answered, service = [], [], []

    async def request(i, submitted):
        rec.mark_at(i, SUBMITTED, submitted)
        if sem:
            await sem.acquire()
        t0 = time.perf_counter_ns()
        rec.mark_at(i, SENT, t0)
        outcome = REFUSED
        try:
            ok = await asyncio.wait_for(one(port), timeout)
            if ok:
                out["ok"] += 1
                outcome, now = ANSWERED, time.perf_counter_ns()
                from_submit.append((now - submitted) / 1e6)
                answered.append((now - submitted) / 1e6)
                service.append((now - t0) / 1e6)
            else:
                out["rejected"] += 1
        except asyncio.TimeoutError:
            out["timeouts"] += 1
            outcome = TIMED_OUT
            # The caller waited this long for nothing: it counts from submission, at the moment it gave up.
            from_submit.append((time.perf_counter_ns() - submitted) / 1e6)
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
            rec.mark(i, outcome)
            if sem:
                sem.release()

    # Submission is when the coroutine is made (the argument is evaluated then), before any wait for the loop
    # or the semaphore; the timeline takes the same reading.
    rec.start_clock()
    await asyncio.gather(*(request(i, time.perf_counter_ns()) for i in range(requests)))
    return out, sorted(from_submit), sorted(answered), sorted(service)


# How `gather_error` names the exception that escaped gather (TimeoutError is an OSError: test it first).
ERRORS = ((asyncio.TimeoutError, 1), (OSError, 2), (Exception, 3))


async def notes_program(port, requests, timeout, budget):
    """The notes' program with the semaphore removed: every request at once, each under a timeout, and
    asyncio.gather without return_exceptions. Reports whether gather raised, what, after how long, and how many
    requests were unfinished then (abandoned: gather does not cancel them); then cancels those and waits for them,
    so that nothing runs on after this returns."""

    async def fetch():
        return await asyncio.wait_for(one(port), timeout)

    t0 = time.perf_counter()
    tasks = [asyncio.ensure_future(fetch()) for _ in range(requests)]
    gathered = asyncio.gather(*tasks)
    # asyncio.wait, not `await gathered`, so the report can be taken at once; gathered ends as `await` would.
    done, _ = await asyncio.wait({gathered}, timeout=budget)
    after_ms = (time.perf_counter() - t0) * 1000
    unfinished = sum(not t.done() for t in tasks)
    report = dict(gather_raised=0, gather_error=0, gather_errno=0, gather_after_ms=after_ms,
                  gather_unfinished=unfinished, gather_answered=0, gather_left_running=0)
    # Requests answered (200 or 429) by the time gather ended.
    report["gather_answered"] = sum(t.done() and not t.cancelled() and t.exception() is None for t in tasks)
    if not done:
        last = f"still running after the {budget:.0f} s budget"
        report["gather_error"] = -1
    elif gathered.exception() is not None:
        e = gathered.exception()
        report["gather_raised"] = 1
        report["gather_error"] = next(code for kind, code in ERRORS if isinstance(e, kind))
        report["gather_errno"] = getattr(e, "errno", None) or 0
        last = traceback.format_exception_only(type(e), e)[-1].strip()
    else:
        last = "gather returned: every request succeeded"
    # Clean up what the program abandoned: cancel, then wait (bounded) until each has ended.
    pending = [t for t in tasks if not t.done()]
    for t in pending:
        t.cancel()
    if pending:
        await asyncio.wait(pending, timeout=budget)
    gathered.cancel()
    for t in tasks:  # retrieve each outcome, so asyncio does not log "exception was never retrieved"
        if t.done() and not t.cancelled():
            t.exception()
    report["gather_left_running"] = sum(not t.done() for t in tasks)
    return report, last


def gather_variant(p, port, x):
    """Runs `notes_program` and emits its report at `x` (0: no limit, -1: no limit under the lowered open-files
    limit), with the exception's last line as the headline."""
    timeout = p["timeout_ms"] / 1000
    report, last = asyncio.run(notes_program(port, p["requests"], timeout, budget=10 + 4 * timeout))
    lab.emit("q4", p, [{"name": "python", "x": "limit", "y": y, "points": [[x, v]]} for y, v in report.items()],
             headline=last)


def main():
    p, args = lab.parse_args("q4", {
        "--port": {"type": int, "required": True},
        "--limit": {"default": "none"},
        "--nofile": {"type": int},
        "--variant": {"choices": ["counted", "gather"], "default": "counted"},
        "--timeline": {"action": "store_true"},
    })
    limit = None if args.limit == "none" else int(args.limit)
    x = -1 if args.nofile else (limit or 0)
    if args.nofile:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(args.nofile, hard), hard))
    if args.variant == "gather":  # the notes' program has no limit: --limit does not apply to it
        return gather_variant(p, args.port, -1 if args.nofile else 0)
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
    # Where the kernel refuses the reset, the peak is the process's lifetime peak: recorded, for the judge and chart.
    reset = lab.reset_peak_rss()
    # Slots for every request, allocated before the run (none without --timeline).
    rec = Recorder(p["requests"], INSTANTS, on=args.timeline)
    t0 = time.perf_counter()
    timeout = p["timeout_ms"] / 1000
    out, from_submit, answered, service = asyncio.run(run(args.port, p["requests"], limit, timeout, rec))
    wall = time.perf_counter() - t0
    running[0] = False
    sampler.join()
    values = dict(out)
    values.update(
        from_submit_p50_ms=lab.percentile(from_submit, 0.5),
        from_submit_p99_ms=lab.percentile(from_submit, 0.99),
        from_submit_max_ms=from_submit[-1] if from_submit else 0.0,
        answered_p50_ms=lab.percentile(answered, 0.5),
        answered_p99_ms=lab.percentile(answered, 0.99),
        answered_max_ms=answered[-1] if answered else 0.0,
        service_p50_ms=lab.percentile(service, 0.5),
        service_p99_ms=lab.percentile(service, 0.99),
        service_max_ms=service[-1] if service else 0.0,
        peak_fds=peak_fds[0],
        peak_rss_mb=lab.peak_rss_bytes() / lab.MB,
        peak_reset=lab.peak_reset_value(reset),
        wall_s=wall,
        nofile_in_force=in_force,
    )
    timelines = [rec.timeline("python", "", "requests")] if args.timeline else []
    lab.emit("q4", p, [{"name": "python", "x": "limit", "y": y, "points": [[x, v]]} for y, v in values.items()],
             timelines=timelines)


if __name__ == "__main__":
    sys.exit(main())
