"""Executes the lab's notebooks through the Rust kernel and writes self-contained HTML reports.

  python tools/report.py                 every notebook -> reports/NN_name.html, reports/index.html
  python tools/report.py 03 05           only notebooks whose names start with these
  --code show|fold|hide                  code cells shown (default), folded into a click-to-open box, or left out
  --results DIR                          also show the results in DIR (e.g. copied from a 16-core machine) in the
                                         index's ledger; may be given several times

Each notebook run saves its result JSON in results/ (or $LAB_RESULTS); the index's claim ledger reads those.

The same functions serve the tests (tests/test_notebooks.py): execute, problems, results, to_html.
"""

import argparse
import datetime
import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
TEMPLATES = Path(__file__).resolve().parent / "templates"
CODE_CHOICES = ("show", "fold", "hide")
RESULT_MIME = "application/vnd.rust-concurrency-lab.result+json"
VERDICTS = {"confirmed", "refined", "contradicted", "python-only"}
# What counts as a failed cell: evcxr shows `?` errors as "Error: ..." on stderr and panics as text, and a
# panicking cell does not fail nbconvert, so every output is read.
FAILURE = re.compile(r"panicked at|^\s*Error: |^error(\[E\d+\])?:", re.MULTILINE)
# On stderr, any mention of an error counts.
FAILURE_STDERR = re.compile(r"error|panicked", re.IGNORECASE)


OVERVIEW = "00_overview.ipynb"


def notebooks(prefixes=()):
    """The notebooks in run order: 01-09, then the overview, which shows the results the others saved."""
    found = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"), key=lambda p: (p.name == OVERVIEW, p.name))
    if prefixes:
        found = [p for p in found if any(p.name.startswith(x) for x in prefixes)]
    return found


def execute(path, timeout=900):
    """Runs every cell of the notebook at `path` in its own kernel, from the notebooks folder.

    Returns (executed notebook, seconds). Cell errors do not raise: `problems` reports them.
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=nb.metadata.get("kernelspec", {}).get("name", "rust"),
        allow_errors=True,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    t0 = time.monotonic()
    client.execute()
    return nb, time.monotonic() - t0


def _text(value):
    return "".join(value) if isinstance(value, list) else str(value)


def problems(nb):
    """Every error, panic or `Error` text in any output, as 'cell N: first line'."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
                continue
            texts = []
            if out.output_type == "stream":
                texts.append((_text(out.get("text", "")), out.get("name") == "stderr"))
            for mime, data in out.get("data", {}).items():
                if mime.startswith("text/"):
                    texts.append((_text(data), False))
            for t, stderr in texts:
                m = (FAILURE_STDERR if stderr else FAILURE).search(t)
                if m:
                    line = t[max(0, t.rfind("\n", 0, m.start()) + 1):].split("\n", 1)[0]
                    found.append(f"cell {i}: {line[:300]}")
    return found


def results(nb):
    """Every result JSON the notebook displayed (parsed)."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if RESULT_MIME in data:
                v = data[RESULT_MIME]
                out.append(json.loads(v) if isinstance(v, str) else v)
    return out


def charts(nb):
    """How many chart images (SVG data URIs) the outputs hold."""
    n = 0
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            n += _text(o.get("data", {}).get("text/html", "")).count('src="data:image/svg+xml;base64,')
    return n


def title(nb):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "notebook"


def describe(machine):
    """One line for a result's machine: cores, CPU, memory, OS, compilers."""
    if not machine:
        return "no result was produced"
    gib = machine.get("memory_bytes", 0) / 2**30
    cores = machine["cores"]
    return (f"{cores} core{'' if cores == 1 else 's'}, {machine['cpu']}, {gib:.1f} GiB, {machine['os']}; "
            f"{machine['rustc']}; {machine['python']}")


def results_dir():
    """Where notebook runs save their results: $LAB_RESULTS, else results/ (as helpers::result::results_dir)."""
    return Path(os.environ.get("LAB_RESULTS") or ROOT / "results")


def lab_binary():
    return Path(os.environ.get("LAB_BIN") or ROOT / "target" / "release" / "lab")


def toc(body):
    """A table of contents from the exported page's section headings (their ids are nbconvert's anchors)."""
    items = [
        f'<li><a href="#{hid}">{re.sub(r"<[^>]+>", "", text).replace("¶", "").strip()}</a></li>'
        for hid, text in re.findall(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', body, re.S)
    ]
    return f'<nav class="lab-toc"><b>Contents</b><ul>{"".join(items)}</ul></nav>' if items else ""


TOC_MARK = "LAB-TABLE-OF-CONTENTS"


def to_html(nb, failures=(), code="show"):
    """Self-contained HTML: the offline lab template, charts inline, a table of contents, a banner saying when and
    where it ran, and whether it failed. `code`: show, fold or hide the code cells."""
    if code not in CODE_CHOICES:
        raise ValueError(f"code must be one of {', '.join(CODE_CHOICES)}, not {code!r}")
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # a copy: the banner is for the report only
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    machine = next((r["machine"] for r in results(nb)), None)
    # The overview measures nothing: the results it shows name their own machines.
    banner = f"*Executed {stamp} on {describe(machine)}.*" if machine else f"*Executed {stamp}.*"
    if failures:
        items = "\n".join(f"- `{f}`" for f in failures)
        banner = f"**This run failed.** The notebook's outputs hold these errors:\n\n{items}\n\n" + banner
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(banner + "\n\n" + TOC_MARK))
    exporter = HTMLExporter(template_name="lab_offline", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=code == "hide")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title(nb)}, "lab_code": code})
    return body.replace(f"<p>{TOC_MARK}</p>", toc(body), 1)


def ledger_html(dirs, links="html"):
    """The claim ledger of every result under `dirs`, drawn by the lab binary (the same code as notebook 00)."""
    out = subprocess.run([str(lab_binary()), "ledger", "--links", links, *map(str, dirs)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"lab ledger failed: {out.stderr.strip() or out.stdout.strip()}")
    return out.stdout


def write_index(rows, dirs, out=None):
    """reports/index.html: the claim ledger (summary first), the notebook reports, and where each result ran."""
    cells = []
    for r in rows:
        headline = "; ".join(res.get("headline", "") for res in r["results"]) or (
            "the ledger and one chart per question, from the results" if r["html"] == OVERVIEW.replace(".ipynb", ".html")
            else "no result")
        status = "failed: " + "; ".join(r["failures"]) if r["failures"] else f"ok in {r['seconds']:.0f} s"
        style = ' style="background:#f8d0d0"' if r["failures"] else ""
        cells.append(
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td{}>{}</td></tr>".format(
                html.escape(r["html"]), html.escape(r["title"]), html.escape(headline), style, html.escape(status),
            )
        )
    reports = (
        "<h2>Reports of this run</h2><table><tr><th>notebook</th><th>headline measurement</th><th>run</th></tr>"
        + "".join(cells) + "</table>"
    ) if cells else ""
    ledger = ledger_html(dirs).replace("<!-- ledger-table -->", reports + "<h2>Every claim</h2>", 1)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Rust concurrency lab: the notes' claims, measured</title>
<style>body{{font-family:sans-serif;margin:1.2em 2em}}table{{border-collapse:collapse}}h1{{margin:.2em 0}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}}</style></head>
<body><h1>Rust concurrency lab: the notes' claims, measured</h1>
<p>Generated {datetime.datetime.now():%Y-%m-%d %H:%M} from the results in {html.escape(", ".join(map(str, dirs)))}.
Each claim of the learner's notes (questions.md) against the latest run of its notebook on each machine.</p>
{ledger}
</body></html>
"""
    (out or REPORTS / "index.html").write_text(page)


def main(argv):
    ap = argparse.ArgumentParser(description="Execute the lab's notebooks and write HTML reports and the index.")
    ap.add_argument("prefixes", nargs="*", help="only notebooks whose names start with these (e.g. 03 05)")
    ap.add_argument("--code", choices=CODE_CHOICES, default="show")
    ap.add_argument("--results", action="append", default=[], help="more folders of result JSON for the ledger")
    args = ap.parse_args(argv)
    extra = [Path(d) for d in args.results]
    missing = [str(d) for d in extra if not d.is_dir()]
    if missing:
        ap.error(f"--results: no such folder: {', '.join(missing)}")
    REPORTS.mkdir(exist_ok=True)
    rows = []
    for path in notebooks(args.prefixes):
        print(f"==> executing {path.name} (the first cell compiles the helpers)", flush=True)
        nb, seconds = execute(path)
        failures = problems(nb)
        out = REPORTS / (path.stem + ".html")
        out.write_text(to_html(nb, failures, args.code))
        nbformat.write(nb, REPORTS / path.name)
        status = "FAILED: " + "; ".join(failures) if failures else "ok"
        print(f"    {seconds:.0f} s, {charts(nb)} charts -> {out.relative_to(ROOT)} [{status}]", flush=True)
        rows.append({"html": out.name, "title": title(nb), "results": results(nb), "failures": failures,
                     "seconds": seconds})
    write_index(rows, [results_dir(), *extra])
    print(f"==> {REPORTS.relative_to(ROOT)}/index.html: the claim ledger and {len(rows)} report(s)")
    return 1 if any(r["failures"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
