"""tools/soak.py on synthetic results (no experiment runs): the table of verdicts seen, flips and the spread of the
compared number; and the run loop, interleaved, with a stand-in for the lab binary."""

import json
import subprocess
import sys

from conftest import ROOT

SOAK = ROOT / "tools" / "soak.py"


def finding(verdict, value=None, line=None):
    f = {"verdict": verdict, "evidence": "e"}
    if value is not None:
        f["compared"] = {"value": value, "line": line, "what": "x"}
    return f


def write(folder, experiment, claims):
    folder.mkdir(parents=True, exist_ok=True)
    cs = [{"id": cid, "claim": "q", "rust": rust, "python": py} for cid, rust, py in claims]
    (folder / f"{experiment}.json").write_text(json.dumps({"experiment": experiment, "claims": cs}))


def soak(*args):
    out = subprocess.run([sys.executable, str(SOAK), *map(str, args)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def rows(stdout):
    """{claim id: its row's cells}, split on the table's two-space gaps."""
    lines = stdout.splitlines()[2:]
    return {r.split()[0]: [c.strip() for c in r.split("  ") if c.strip()] for r in lines}


def test_the_table_counts_verdicts_flips_and_the_spread_of_the_compared_number(tmp_path):
    write(tmp_path / "1", "q7", [
        ("7.1", finding("confirmed", 2.5, 2.0), finding("contradicted", 0.5, 2.0)),
        ("7.10", finding("does-not-apply"), finding("not-measured")),
    ])
    write(tmp_path / "2", "q7", [
        ("7.1", finding("refined", 1.9, 2.0), finding("contradicted", 0.25, 2.0)),
        ("7.10", finding("does-not-apply"), finding("not-measured")),
    ])
    write(tmp_path / "2", "q2", [("2.3", finding("confirmed", 10, 3), finding("confirmed", 12, 3))])
    (tmp_path / "notes").mkdir()  # not a run's folder: ignored
    out = soak("--table", tmp_path)
    assert out.splitlines()[0].startswith(f"2 runs in {tmp_path}")
    assert out.splitlines()[1].split() == ["claim", "Rust", "verdicts", "Python", "verdicts", "flips", "R/Py",
                                           "Rust", "compared", "Python", "compared"]
    table = rows(out)
    assert list(table) == ["2.3", "7.1", "7.10"], "claims in number order, 7.10 after 7.1"
    assert table["7.1"] == ["7.1", "confirmed 1, refined 1", "contradicted 2", "1/0",
                            "1.9..2.5 vs 2", "0.25..0.5 vs 2"]
    assert table["7.10"] == ["7.10", "does-not-apply 2", "not-measured 2", "0/0", "-", "-"]
    assert table["2.3"] == ["2.3", "confirmed 1", "confirmed 1", "0/0", "10 vs 3", "12 vs 3"]


def test_runs_interleave_only_the_chosen_experiments_and_leave_failures_out(tmp_path):
    # A stand-in lab: lists two experiments, logs each run, writes a one-claim result; q5 fails on its 2nd run.
    log = tmp_path / "log"
    lab = tmp_path / "lab"
    lab.write_text(f"""#!/bin/sh
if [ "$1" = list ]; then printf 'q3\\nq5\\n'; exit 0; fi
echo "$1" >> {log}
if [ "$1" = q5 ] && [ "$(grep -c q5 {log})" = 2 ]; then exit 1; fi
echo '{{"claims": [{{"id": "'"${{1#q}}"'.1", "rust": {{"verdict": "confirmed"}},'
echo '  "python": {{"verdict": "refined"}}}}]}}'
""")
    lab.chmod(0o755)
    out = soak(3, "--lab", lab, "--out", tmp_path / "soak")
    assert log.read_text().split() == ["q3", "q5"] * 3
    assert sorted(p.relative_to(tmp_path / "soak").as_posix() for p in (tmp_path / "soak").rglob("*.json")) == \
        ["1/q3.json", "1/q5.json", "2/q3.json", "3/q3.json", "3/q5.json"]
    assert rows(out)["5.1"][1:4] == ["confirmed 2", "refined 2", "0/0"]
    log.unlink()
    soak(1, "--lab", lab, "--out", tmp_path / "soak", "--only", "q5")
    assert log.read_text().split() == ["q5"]
    assert [p.name for p in (tmp_path / "soak").rglob("*.json")] == ["q5.json"], "the old runs are gone"
    args = ["1", "--lab", lab, "--out", tmp_path / "x", "--only", "q4"]
    bad = subprocess.run([sys.executable, str(SOAK), *map(str, args)], capture_output=True, text=True)
    known = "known: q3 q5"  # the stand-in lab's list
    assert bad.returncode != 0 and f"unknown experiment q4 ({known})" in bad.stderr
