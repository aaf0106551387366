"""The lab as a whole: every claim of the notes judged by exactly one notebook, the overview notebook (00) and the
report index showing the ledger, with results from more than one machine side by side.

The results are the ones notebook runs saved in $LAB_RESULTS (a folder of this test session, see conftest.py):
after tests/test_notebooks.py they are all there; run alone, this module executes the notebooks that lack one.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from markupsafe import escape

import report

CATALOGUE = json.loads((report.ROOT / "helpers" / "claims.json").read_text())
EXPERIMENTS = [q["experiment"] for q in CATALOGUE["questions"]]


def saved_results():
    """The latest saved result of each experiment, by experiment."""
    found = {}
    for path in sorted(Path(os.environ["LAB_RESULTS"]).glob("*.json")):
        r = json.loads(path.read_text())
        found[r["experiment"]] = r
    return found


@pytest.fixture(scope="module")
def results():
    have = saved_results()
    for q in CATALOGUE["questions"]:
        if q["experiment"] not in have:
            nb, _ = report.execute(report.NOTEBOOKS / f"{q['notebook']}.ipynb")
            assert report.problems(nb) == [], q["notebook"]
    have = saved_results()
    assert sorted(have) == sorted(EXPERIMENTS), "a notebook run saved no result"
    return have


def test_every_claim_is_judged_by_exactly_one_notebook_and_no_verdict_cites_an_unknown_id(results):
    known = {c["id"]: c for c in CATALOGUE["claims"]}
    judged = {}
    for experiment, r in results.items():
        for c in r["claims"]:
            assert c["id"] in known, f"{experiment} judges claim {c['id']}, which is not in claims.json"
            assert c["claim"] == known[c["id"]]["quote"], c["id"]
            judged.setdefault(c["id"], []).append(experiment)
    assert {i: e for i, e in judged.items() if len(e) != 1} == {}, "claims judged by more than one notebook"
    assert sorted(set(known) - set(judged)) == [], "claims no notebook judges with its defaults"
    for q in CATALOGUE["questions"]:
        assert (report.NOTEBOOKS / f"{q['notebook']}.ipynb").exists(), q["notebook"]


def test_overview_notebook_shows_the_ledger_and_one_chart_per_question(results):
    nb, _ = report.execute(report.NOTEBOOKS / report.OVERVIEW)
    assert report.problems(nb) == []
    assert report.charts(nb) == len(CATALOGUE["questions"])
    html = "".join(report._text(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", []))
    total = len(CATALOGUE["claims"])
    assert f"the notes' {total} claims" in html
    # At the defaults a claim is "not measured" only by design (claims.json: unmeasured, or a limit the lab set
    # that failed first), saying why; never because a series was missing or a twin did not run.
    for r in results.values():
        for c in r["claims"]:
            for lang in ("rust", "python"):
                f = c[lang]
                if f["verdict"] == "not-measured":
                    assert not f["evidence"].startswith(("Not in this result", "The Python twin did not run")), \
                        (c["id"], lang, f["evidence"])
                    assert len(f["evidence"]) > 80, (c["id"], lang, f["evidence"])
    for c in CATALOGUE["claims"]:
        assert f">{c['id']}</a>" in html, c["id"]
    # The links open the notebooks, at their verdicts.
    assert 'href="03_semaphore_scaling.ipynb#Verdicts"' in html


def test_overview_with_no_results_says_how_to_make_them(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_RESULTS", str(tmp_path / "none-yet"))
    nb, _ = report.execute(report.NOTEBOOKS / report.OVERVIEW)
    assert report.problems(nb) == []
    text = json.dumps(nb.cells)
    assert "No results yet" in text and "run notebook" in text
    assert report.charts(nb) == 0


def test_index_shows_the_summary_first_and_machines_side_by_side(results, tmp_path):
    # A second machine: this machine's q3 result as if a 16-core machine had made it (the ledger judges it again).
    other = tmp_path / "results-16cores"
    other.mkdir()
    big = json.loads(json.dumps(results["q3"]))
    big["machine"].update(cores=16, cpu="Big CPU")
    (other / "q3.json").write_text(json.dumps(big))
    (other / "notes.json").write_text("[1, 2]")  # not a result: listed, not fatal
    rows = [{"html": "03_semaphore_scaling.html", "title": "03", "results": [results["q3"]], "failures": [],
             "seconds": 1.0}]
    out = tmp_path / "index.html"
    report.write_index(rows, [Path(os.environ["LAB_RESULTS"]), other], out)
    page = out.read_text()
    summary, table = page.split('<section id="claims">')
    assert summary.count('class="lab-ledger-summary"') == 2  # one line per machine, above the table
    assert re.search(r"<b>Rust</b>:.*\d+ confirmed", summary) and re.search(r"<b>Python</b>:.*\d+ confirmed", summary)
    assert "16 cores · Big CPU" in table and f"{results['q3']['machine']['cores']} cores · " in table
    assert "Reports of this run" in summary and 'href="03_semaphore_scaling.html"' in summary
    assert 'href="03_semaphore_scaling.html#Verdicts"' in table
    assert "notes.json" in table  # the file that is not a result is named
    # The 16-core machine has only q3: every other question's claims are not measured there, and so are q3's that
    # nothing in the lab can show (claims.json: unmeasured).
    q3 = [c for c in CATALOGUE["claims"] if c["question"] == 3]
    unmeasured = sum(c.get("kind") == "unmeasured" for c in q3)
    assert f"{len(CATALOGUE['claims']) - len(q3) + unmeasured} not measured" in summary


def test_a_failed_run_says_so_at_the_top_of_its_report_and_in_the_index(tmp_path):
    # A notebook as a user might leave it: a parameter out of range (an `Error:` the kernel prints, not an
    # exception nbclient sees) and a panicking cell, which does not fail nbconvert either.
    nb = report.nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "rust", "display_name": "Rust",
                                                                  "language": "rust"}})
    nb.cells = [
        report.nbformat.v4.new_markdown_cell("# 99 · A run that fails"),
        report.nbformat.v4.new_code_cell(':dep helpers = { path = "../helpers", default-features = false }\n'
                                         "use helpers::q3::*;"),
        report.nbformat.v4.new_code_cell("let result = run(&Params { limits: vec![0], ..Params::default() })?;"),
        report.nbformat.v4.new_code_cell('let v: Vec<u32> = Vec::new();\nv[3]'),
    ]
    path = tmp_path / "99_fails.ipynb"
    report.nbformat.write(nb, path)
    executed, seconds = report.execute(path)
    failures = report.problems(executed)
    assert any("Error: each limit must be between 1 and" in f for f in failures), failures
    assert any("panicked" in f for f in failures), failures
    page = report.to_html(executed, failures)
    body = page[page.index("<main>"):]
    assert body.index("This run failed") < body.index("A run that fails"), "the banner comes before the notebook"
    rows = [{"html": "99_fails.html", "title": "99", "results": [], "failures": failures, "seconds": seconds}]
    out = tmp_path / "index.html"
    report.write_index(rows, [tmp_path / "no-results"], out)
    assert "failed: " in out.read_text() and "No results yet" in out.read_text()


def lab_result(tmp_path, cpu):
    """A quick q3 result from the lab binary (no kernel, no Python twin), its CPU renamed."""
    out = subprocess.run([str(report.lab_binary()), "q3", "--params", json.dumps(
        {"tasks": 50, "latency_ms": 5, "limits": [10, 50], "python": False, "overhead_tasks": 0, "repeats": 1})],
        capture_output=True, text=True, check=True)
    r = json.loads(out.stdout)
    r["machine"]["cpu"] = cpu
    (tmp_path / "q3-test.json").write_text(json.dumps(r))
    return r


def test_ledger_json_holds_every_claim_and_the_index_and_report_print_its_machine_line(tmp_path):
    # Needs only the lab binary: fast, and run before anything executes a notebook.
    r = lab_result(tmp_path, "A <b>bold</b> & fast CPU")
    ledger = report.ledger([tmp_path])
    assert [c["id"] for c in ledger["claims"]] == [c["id"] for c in CATALOGUE["claims"]]
    assert ledger["claim_count"] == len(CATALOGUE["claims"])
    (m,) = ledger["machines"]
    assert m["machine"] == r["machine"] and m["label"].endswith(" · A <b>bold</b> & fast CPU")
    assert m["line"].startswith(f"{r['machine']['cores']} core") and r["machine"]["rustc"] in m["line"]
    assert sum(m["counts"]["rust"].values()) == sum(m["counts"]["python"].values()) == len(CATALOGUE["claims"])
    judged = {c["id"]: c["machines"][0] for c in ledger["claims"]}
    for c in r["claims"]:
        # The ledger judged the file again with the same rules: the same verdicts and words as the run wrote.
        assert judged[c["id"]]["measured"], c["id"]
        for lang in ("rust", "python"):
            assert judged[c["id"]][lang]["status"] == c[lang]["verdict"], (c["id"], lang)
            assert judged[c["id"]][lang]["evidence"] == c[lang]["evidence"], (c["id"], lang)
        # Made with python: false: Python measured nothing.
        assert c["python"]["verdict"] == "not-measured", c["id"]

    out = tmp_path / "index.html"
    report.write_index([], [tmp_path], out)
    page = out.read_text()
    assert "<b>bold</b>" not in page, "autoescaped"
    assert page.count('class="lab-machine"') == 1 and f"{escape(m['line'])}." in page
    # The notebook's report names the same machine in the same words.
    nb = report.nbformat.v4.new_notebook(cells=[report.nbformat.v4.new_markdown_cell("# 03 · test\n\n## Verdicts")])
    nb.cells.append(report.nbformat.v4.new_code_cell("", outputs=[report.nbformat.v4.new_output(
        "display_data", data={"text/html": "<b>q3</b>", report.RESULT_MIME: json.dumps(r)})]))
    exported = report.to_html(nb)
    assert f"on {escape(m['line'])}." in exported
    assert '<a href="#Verdicts">Verdicts</a>' in exported
