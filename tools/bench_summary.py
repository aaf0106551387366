"""Prints the headline numbers from result files written by `make bench` (or `lab ... > file.json`)."""

import json
import sys


def main(paths):
    for path in paths:
        r = json.load(open(path))
        m = r["machine"]
        print(f"{path}: {m['cores']} cores, {m['cpu']}")
        print(f"  {r['headline']}")
        if r["experiment"] == "q3":
            ideal = {p[0]: p[1] for s in r["series"] if s["name"] == "ideal" for p in s["points"]}
            for s in r["series"]:
                if s["y"] == "runtime_s" and s["name"] != "ideal":
                    ratios = ", ".join(f"limit {x:.0f}: {y / ideal[x]:.3f}" for x, y in s["points"])
                    print(f"  {s['name']:8} runtime / ideal  {ratios}")
        if r["experiment"] in ("q1", "q2"):
            busy = ", ".join(f"{s['name']} {s['points'][-1][1]:.2f}" for s in r["series"] if s["y"] == "cores_busy")
            print(f"  cores busy (CPU / wall, at the largest size): {busy}")
        for c in r["claims"]:
            for lang in ("rust", "python"):
                print(f"  {c['id']} {lang} {c[lang]['verdict']}: {c[lang]['evidence'][:160]}")
        if r["experiment"] == "q5":
            for s in r["series"]:
                if s["y"] == "error_pct":
                    errs = ", ".join(f"{x:.0f} ms: {y:+.2f}%" for x, y in s["points"])
                    print(f"  {s['name']:8} vs (N/c) x latency  {errs}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
