"""Every verdict could have come out otherwise: each claim of the notes reaches at least two different verdicts
(Rust's or Python's) in its question's unit tests on synthetic results, from the numbers alone, unless
`claims.json` marks it a definition and says why (a handful at most).

The judges' unit tests log every claim their rules build (`LAB_VERDICT_LOG`, see `judging::fixture`); this test
runs them and reads the log.
"""

import json
import os
import subprocess
from collections import defaultdict

from conftest import ROOT

CATALOGUE = json.loads((ROOT / "helpers" / "claims.json").read_text())
MAX_DEFINITIONS = 6


def test_every_claim_reaches_two_verdicts_or_is_a_marked_definition(tmp_path):
    log = tmp_path / "verdicts.log"
    out = subprocess.run(["cargo", "test", "--quiet", "--lib", "questions::"], cwd=ROOT, capture_output=True,
                         text=True, env=dict(os.environ, LAB_VERDICT_LOG=str(log)), timeout=1200)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    seen = defaultdict(set)
    for line in log.read_text().splitlines():
        claim, rust, python = line.split()
        seen[claim].update({("rust", rust), ("python", python)})
    definitions = [c for c in CATALOGUE["claims"] if c.get("kind") == "definition"]
    assert len(definitions) <= MAX_DEFINITIONS, [c["id"] for c in definitions]
    for c in definitions:
        assert c.get("why"), f"definition {c['id']} must say why it is not testable"
    fixed = []
    for c in CATALOGUE["claims"]:
        if c.get("kind") == "definition":
            continue
        reached = {v for _, v in seen[c["id"]]}
        rust = {v for lang, v in seen[c["id"]] if lang == "rust"}
        python = {v for lang, v in seen[c["id"]] if lang == "python"}
        # Two outcomes in at least one language (not counting "not measured", which only says data was missing).
        if max(len(rust - {"not-measured"}), len(python - {"not-measured"})) < 2:
            fixed.append(f"{c['id']} (rust {sorted(rust)}, python {sorted(python)}; all {sorted(reached)})")
    assert not fixed, "claims whose tests reach only one verdict: " + "; ".join(fixed)
