"""Python twin of `lab q7`: N coroutines that each wait `duration_ms` by `await asyncio.sleep`, by a blocking
`time.sleep` inside the coroutine, or by a busy loop, gathered on one event loop.

  python3 q7_sleep_vs_cpu.py --params '{"tasks":[10,100],"duration_ms":10}'
  python3 q7_sleep_vs_cpu.py --params '{...}' --variant sleep --n 100 --iters-per-ms X   (one, as `lab` calls it)
"""

import asyncio
import resource
import sys
import time

import lab_common as lab

NAMES = {"sleep": "python asyncio.sleep", "blocking": "python time.sleep", "spin": "python spin"}


def run(variant, n, duration_ms, iters):
    d = duration_ms / 1000.0

    async def task(j):
        if variant == "sleep":
            await asyncio.sleep(d)
        elif variant == "blocking":
            time.sleep(d)  # holds the loop's thread: the classic mistake
        else:
            lab.spin(iters, j)

    async def main():
        await asyncio.gather(*(task(j) for j in range(n)))

    s0 = resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw
    c0, t0 = lab.cpu_seconds(), time.perf_counter()
    asyncio.run(main())
    wall, cpu = time.perf_counter() - t0, lab.cpu_seconds() - c0
    switches = resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw - s0
    name = NAMES[variant]
    return [{"name": name, "x": "tasks", "y": y, "points": [[n, v]]}
            for y, v in (("wall_s", wall), ("cpu_s", cpu), ("switches", switches))]


def main():
    p, args = lab.parse_args("q7", {
        "--variant": {"choices": list(NAMES)},
        "--n": {"type": int},
        "--iters-per-ms": {"type": float},
        "--calibrate": {"action": "store_true"},
    })
    if args.calibrate:
        lab.emit("q7", p, [{"name": "python", "x": "job_ms", "y": "iters_per_ms", "points": [[1.0, lab.calibrate()]]}])
        return 0
    iters = max(1, round((args.iters_per_ms or lab.calibrate()) * p["duration_ms"]))
    series = []
    for variant in [args.variant] if args.variant else list(NAMES):
        for n in [args.n] if args.n else p["tasks"]:
            series += run(variant, n, p["duration_ms"], iters)
    lab.emit("q7", p, series)


if __name__ == "__main__":
    sys.exit(main())
