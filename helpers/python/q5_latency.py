"""Python twin of `lab q5`: runtime of N asyncio tasks behind Semaphore(limit) as the sleep grows, against
(N / concurrency) x latency; and, at one latency, the excess over waves x latency as the wave count grows.

  python3 q5_latency.py --params '{"tasks":1000,"limit":100,"latencies_ms":[10,100,1000]}'
  python3 q5_latency.py --params '{...}' --latency-ms 100 [--limit 50]     (one point, as `lab` calls it)
  python3 q5_latency.py --params '{...}' --latency-ms 10 --limit 100 --timeline "10 waves of 10 ms, limit 100"
      (also records each task's instants in its first run, for `lab` to condense into the result's timeline)
"""

import sys

import lab_common as lab
import lab_timeline


def run_one(tasks, limit, latency_ms, rec=None):
    wall, _cpu, _peak, late, _alive, _reset = lab.gated_sleep(tasks, limit, latency_ms, rec)
    return wall, late


def main():
    p, args = lab.parse_args("q5", {"--latency-ms": {"type": int}, "--limit": {"type": int},
                                    "--timeline": {"metavar": "AT"}})
    one = args.latency_ms is not None
    if args.limit is not None and not 1 <= args.limit <= p["tasks"]:
        lab.fail(f"--limit must be between 1 and tasks ({p['tasks']}); got {args.limit}")
    limit = args.limit or p["limit"]
    latencies = [args.latency_ms] if one else p["latencies_ms"]
    repeats = 1 if one else p["repeats"]
    runtime = lab.Series("python", "latency_ms", "runtime_s")
    p50 = lab.Series("python", "latency_ms", "lateness_p50_ms")
    p99 = lab.Series("python", "latency_ms", "lateness_p99_ms")
    timelines = []
    # Only the first run records (the one `lab` asks for); the others get an off recorder, the same code path.
    record = args.timeline is not None
    for lat in latencies:
        walls, l50, l99 = [], [], []
        for _ in range(repeats):
            rec = lab_timeline.Recorder(p["tasks"], lab.SLEEPER_INSTANTS, on=record)
            wall, late = run_one(p["tasks"], limit, lat, rec)
            if record:
                timelines.append(rec.timeline("python", args.timeline, "tasks"))
                record = False
            walls.append(wall)
            l50.append(lab.percentile(late, 0.50))
            l99.append(lab.percentile(late, 0.99))
        runtime.push(lat, walls)
        p50.push(lat, l50)
        p99.push(lat, l99)
    series = [runtime, p50, p99]
    if not one and p["waves"]:
        # The wave sweep as `lab` runs it: limit ceil(N / waves), excess over ceil(N / limit) x latency in ms.
        n, lat = p["tasks"], p["wave_latency_ms"]
        by_waves = lab.Series("python", "waves", "wave_residual_ms")
        counts = sorted({-(-n // -(-n // max(1, w))) for w in p["waves"]})
        for w in counts:
            lim = -(-n // w)
            excess = [(run_one(n, lim, lat)[0] - -(-n // lim) * lat / 1000.0) * 1000.0 for _ in range(repeats)]
            by_waves.push(w, excess)
        series.append(by_waves)
    lab.emit("q5", p, series, timelines=timelines)


if __name__ == "__main__":
    sys.exit(main())
