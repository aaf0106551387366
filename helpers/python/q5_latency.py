"""Python twin of `lab q5`: runtime of N asyncio tasks behind Semaphore(limit) as the sleep grows, against
(N / concurrency) x latency.

  python3 q5_latency.py --params '{"tasks":1000,"limit":100,"latencies_ms":[10,100,1000]}'
  python3 q5_latency.py --params '{...}' --latency-ms 100      (one point, as `lab` calls it)
"""

import sys

import lab_common as lab

def main():
    p, args = lab.parse_args("q5", {"--latency-ms": {"type": int}})
    latencies = [args.latency_ms] if args.latency_ms else p["latencies_ms"]
    repeats = 1 if args.latency_ms else p["repeats"]
    runtime = lab.Series("python", "latency_ms", "runtime_s")
    p50 = lab.Series("python", "latency_ms", "lateness_p50_ms")
    p99 = lab.Series("python", "latency_ms", "lateness_p99_ms")
    for lat in latencies:
        walls, l50, l99 = [], [], []
        for _ in range(repeats):
            wall, _cpu, _peak, late, _alive = lab.gated_sleep(p["tasks"], p["limit"], lat)
            walls.append(wall)
            l50.append(lab.percentile(late, 0.50))
            l99.append(lab.percentile(late, 0.99))
        runtime.push(lat, walls)
        p50.push(lat, l50)
        p99.push(lat, l99)
    lab.emit("q5", p, [runtime, p50, p99])


if __name__ == "__main__":
    sys.exit(main())
