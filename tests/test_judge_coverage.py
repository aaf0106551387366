"""The judging policy, checked over every judge's unit tests on synthetic results (`helpers/src/judging`):

- every verdict could have come out otherwise: each claim reaches at least two verdicts (Rust's or Python's)
  from the numbers alone, unless `claims.json` marks it a definition or unmeasured and says why (a handful);
- the same quantity, on the same side of the same line, gives the same verdict in every claim that reads it, and
  never "confirmed" in one and "contradicted" in another;
- a definition is shown as one and never confirmed; a mechanism a language lacks never confirms or contradicts
  in that language; a cause is always decided by testing the reason.

The judges' unit tests log every claim their rules build (`LAB_VERDICT_LOG`, see `claims::log_verdicts`); this
module runs them once and reads the log.
"""

import json
import os
import subprocess
from collections import defaultdict

import pytest

from conftest import ROOT

CATALOGUE = json.loads((ROOT / "helpers" / "claims.json").read_text())
CLAIMS = {c["id"]: c for c in CATALOGUE["claims"]}
MAX_UNTESTABLE = 6


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    path = tmp_path_factory.mktemp("verdicts") / "verdicts.log"
    out = subprocess.run(["cargo", "test", "--quiet", "--lib", "questions::"], cwd=ROOT, capture_output=True,
                         text=True, env=dict(os.environ, LAB_VERDICT_LOG=str(path)), timeout=1200)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) > 500, f"only {len(lines)} claims logged"
    return lines


def findings(log):
    """Every (claim id, language, finding) logged."""
    for line in log:
        for lang in ("rust", "python"):
            yield line["id"], lang, line[lang]


def test_every_claim_reaches_two_verdicts_or_says_why_it_cannot(log):
    untestable = [c for c in CATALOGUE["claims"] if c.get("kind") in ("definition", "unmeasured")]
    assert len(untestable) <= MAX_UNTESTABLE, [c["id"] for c in untestable]
    for c in untestable:
        assert c.get("why"), f"{c['kind']} {c['id']} must say why it is not tested"
    seen = defaultdict(set)
    for cid, lang, f in findings(log):
        seen[cid].add((lang, f["verdict"]))
    fixed = []
    for c in CATALOGUE["claims"]:
        if c.get("kind") in ("definition", "unmeasured"):
            continue
        rust = {v for lang, v in seen[c["id"]] if lang == "rust"}
        python = {v for lang, v in seen[c["id"]] if lang == "python"}
        # Two outcomes in at least one language (not counting "not measured", which only says data was missing).
        if max(len(rust - {"not-measured"}), len(python - {"not-measured"})) < 2:
            fixed.append(f"{c['id']} (rust {sorted(rust)}, python {sorted(python)})")
    assert not fixed, "claims whose tests reach only one verdict: " + "; ".join(fixed)


def splits(log):
    """The groups of decisions that break the policy: (one verdict per rule shape, never confirmed beside
    contradicted), each as "key: [(verdict, claim, language)...]"."""
    by_shape, by_side = defaultdict(set), defaultdict(set)
    for cid, lang, f in findings(log):
        if f["quantity"] is None:
            continue
        side = (f["quantity"], round(f["line"], 9), "above" if f["above"] else "below", f["held"], f["close"])
        by_shape[side + (f["rule"],)].add((f["verdict"], cid, lang))
        by_side[side].add((f["verdict"], cid, lang))
    split = [f"{k}: {sorted(v)}" for k, v in by_shape.items() if len({x[0] for x in v}) > 1]
    opposite = [f"{k}: {sorted(v)}" for k, v in by_side.items()
                if {"confirmed", "contradicted"} <= {x[0] for x in v}]
    shared = {k[0] for k, v in by_side.items() if len({x[1] for x in v}) > 1}
    return split, opposite, shared


def test_the_same_quantity_on_the_same_side_of_its_line_gives_the_same_verdict(log):
    """Grouped by the quantity that decided, its line, the direction the claim predicts and whether the value lay
    there (close to the line or not): one verdict per rule shape, and never confirmed beside contradicted. Claims
    that predict the opposite direction of the same number (8.9 and 8.11) are opposite claims and may well reach
    opposite verdicts."""
    split, opposite, shared = splits(log)
    assert not split, "one quantity, one side, several verdicts:\n" + "\n".join(split)
    assert not opposite, "one quantity, one side, opposite verdicts:\n" + "\n".join(opposite)
    # The check has something to check: several claims share a quantity (1.1, 1.6 and 7.3 among them).
    assert any(q.startswith("async-parallelism") for q in shared), sorted(shared)


def test_the_grouping_finds_two_claims_that_read_one_number_two_ways():
    def line(cid, verdict, held=True, rule="test", above=False):
        f = dict(verdict=verdict, rule=rule, quantity="q", line=1.25, above=above, held=held, close=False)
        return {"id": cid, "rust": f, "python": dict(f, quantity=None)}

    split, opposite, shared = splits([line("1.1", "confirmed"), line("1.6", "refined")])
    assert split and not opposite and shared == {"q"}
    split, opposite, _ = splits([line("1.1", "confirmed"), line("7.3", "contradicted", rule="cause")])
    assert opposite
    # The same number read the other way round is another claim's business.
    split, opposite, _ = splits([line("8.9", "confirmed"), line("8.11", "contradicted", above=True)])
    assert not split and not opposite


def test_kinds_decide_the_shape_of_every_finding(log):
    wrong = []
    for cid, lang, f in findings(log):
        c, v, rule = CLAIMS[cid], f["verdict"], f["rule"]
        kind = c.get("kind", "fact")
        if kind == "definition" and v not in ("definition", "not-measured"):
            wrong.append(f"{cid} {lang}: a definition judged {v}")
        if kind != "definition" and v == "definition":
            wrong.append(f"{cid} {lang}: shown as a definition, but claims.json says {kind}")
        if kind == "unmeasured" and v != "not-measured":
            wrong.append(f"{cid} {lang}: unmeasured, yet {v}")
        if kind == "cause" and rule not in ("cause", "lacks", "not-measured"):
            wrong.append(f"{cid} {lang}: a cause decided by a plain {rule}")
        if c.get("mechanism") and lang == "rust" and v not in ("does-not-apply", "not-measured"):
            wrong.append(f"{cid} rust: rests on {c['mechanism']}, which Rust lacks, yet {v}")
        if v == "does-not-apply" and not c.get("mechanism"):
            wrong.append(f"{cid} {lang}: does not apply, but claims.json names no mechanism")
        if rule is None:
            wrong.append(f"{cid} {lang}: decided outside judging's shapes (judging::legacy)")
    assert not wrong, "\n".join(sorted(set(wrong)))
