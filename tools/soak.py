"""How steady are the verdicts? Runs every experiment N times, interleaved (A B C, A B C, ...) so that a slow spell
of the machine falls on all of them alike, saves each result under results/soak/<n>/<experiment>.json, then prints
per claim: the Rust and the Python verdicts seen (with counts), the flips (runs that disagree with the majority) and
the spread of the number each rule compares with its threshold (a finding's `compared`).

  python tools/soak.py 5                      every experiment 5 times (`make soak N=5`), then the table
  python tools/soak.py 2 --only q3,q5         a subset (`make soak N=2 ONLY=q3,q5`)
  python tools/soak.py --table results/soak   the table alone, from the folders already there
"""

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("rust", "python")


def experiments(lab, only):
    """The experiments to run: the registry's (`lab list --names`), or those of `only` in the registry's order."""
    names = subprocess.run([lab, "list", "--names"], check=True, capture_output=True, text=True).stdout.split()
    if not only:
        return names
    wanted = [w.strip() for w in only.split(",") if w.strip()]
    unknown = [w for w in wanted if w not in names]
    if unknown:
        sys.exit(f"soak: unknown experiment {', '.join(unknown)} (known: {' '.join(names)})")
    return [n for n in names if n in wanted]


def soak(lab, n, names, out):
    """Runs `names` n times, interleaved; a run that fails is reported and left out of the table."""
    shutil.rmtree(out, ignore_errors=True)
    for i in range(1, n + 1):
        folder = out / str(i)
        folder.mkdir(parents=True)
        for name in names:
            print(f"==> soak {i}/{n}: lab {name}", file=sys.stderr, flush=True)
            path = folder / f"{name}.json"
            with path.open("w") as f:
                code = subprocess.run([lab, name], stdout=f).returncode
            if code != 0:
                print(f"    lab {name} exited {code}: run {i} of it is left out", file=sys.stderr)
                path.unlink()


def load(out):
    """{claim id: [{"rust": finding, "python": finding}, ...]}, one entry per result file that holds the claim."""
    runs = sorted((d for d in Path(out).iterdir() if d.is_dir() and d.name.isdigit()), key=lambda d: int(d.name))
    claims = defaultdict(list)
    for folder in runs:
        for path in sorted(folder.glob("*.json")):
            try:
                result = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError) as e:
                print(f"soak: skipping {path}: {e}", file=sys.stderr)
                continue
            for c in result.get("claims", []):
                claims[c["id"]].append({lang: c.get(lang) or {} for lang in LANGS})
    return claims, len(runs)


def claim_key(cid):
    return tuple(int(p) if p.isdigit() else 0 for p in cid.split("."))


def seen(findings):
    """The verdicts seen, most common first: "confirmed 4, refined 1"; and the flips: runs off the majority."""
    ranked = Counter(f.get("verdict", "?") for f in findings).most_common()
    text = ", ".join(f"{verdict} {count}" for verdict, count in ranked)
    return text, (len(findings) - ranked[0][1]) if ranked else 0


def num(x):
    return f"{x:.4g}"


def spread(findings):
    """The compared number's range over the runs, with the threshold(s): "5.58..75.9 vs 100"; "-" when none."""
    pairs = [(f["compared"]["value"], f["compared"]["line"]) for f in findings if f.get("compared")]
    if not pairs:
        return "-"
    values, lines = [v for v, _ in pairs], sorted({line for _, line in pairs})
    lo, hi = min(values), max(values)
    shown = num(lo) if lo == hi else f"{num(lo)}..{num(hi)}"
    return f"{shown} vs {'/'.join(num(line) for line in lines)}"


def table(claims):
    """The rows: claim, verdicts and flips per language, spread per language."""
    head = ["claim", "Rust verdicts", "Python verdicts", "flips R/Py", "Rust compared", "Python compared"]
    rows = [head]
    for cid in sorted(claims, key=claim_key):
        runs = claims[cid]
        (rv, rf), (pv, pf) = (seen([r[lang] for r in runs]) for lang in LANGS)
        rows.append([cid, rv, pv, f"{rf}/{pf}", spread([r["rust"] for r in runs]), spread([r["python"] for r in runs])])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, help="runs of each experiment")
    ap.add_argument("--only", help="a comma-separated subset of the experiments, e.g. q3,q5")
    ap.add_argument("--table", metavar="DIR", help="only print the table of the results already in DIR")
    ap.add_argument("--out", default=str(ROOT / "results" / "soak"), help="where the runs go (default results/soak)")
    ap.add_argument("--lab", default=str(ROOT / "target" / "release" / "lab"), help="the lab binary")
    args = ap.parse_args(argv)
    if args.table:
        out = Path(args.table)
    elif args.n is None or args.n < 1:
        ap.error("give the number of runs (at least 1), or --table DIR")
    else:
        out = Path(args.out)
        names = experiments(args.lab, args.only)
        soak(args.lab, args.n, names, out)
    claims, runs = load(out)
    if not claims:
        print(f"soak: no claims in {out}", file=sys.stderr)
        return 1
    print(f"{runs} runs in {out}; flips: runs whose verdict is not the majority's; compared: the number each rule "
          "held against its threshold (min..max vs the threshold)")
    print(table(claims))
    return 0


if __name__ == "__main__":
    sys.exit(main())
