"""Executes the lab's notebooks through the Rust kernel and writes self-contained HTML reports.

  python tools/report.py                 every notebook -> reports/NN_name.html, reports/index.html
  python tools/report.py 03 05           only notebooks whose names start with these
  --code show|fold|hide                  code cells shown (default), folded into a click-to-open box, or left out
  --results DIR                          also show the results in DIR (e.g. copied from a 16-core machine) in the
                                         index's ledger; may be given several times

Each notebook run saves its result JSON in results/ (or $LAB_RESULTS); the index's claim ledger reads those.

The same functions serve the tests (tests/test_notebooks.py): execute, problems, results, to_html.

Pages are drawn by the Jinja templates in tools/templates: lab_offline/ (nbconvert's, for each report) and
lab_index.html.j2 (the index), sharing lab_macros.html.j2 (the banner, the table of contents). What they show of the
results (verdicts, counts, the machine's line) comes from the lab binary (`lab ledger --json`), not from here.
"""

import argparse
import copy
import datetime
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
TEMPLATES = Path(__file__).resolve().parent / "templates"
CODE_CHOICES = ("show", "fold", "hide")
RESULT_MIME = "application/vnd.rust-concurrency-lab.result+json"
# The verdicts a claim can carry, for Rust and for Python (the result JSON writes them so).
VERDICTS = {"confirmed", "refined", "contradicted", "not-measured", "does-not-apply", "definition"}
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


def execute(path, timeout=900, log=None):
    """Runs every cell of the notebook at `path` in its own kernel, from the notebooks folder; the kernel's own
    output (evcxr's `Compiling ...` lines, its configuration note) goes to the open file `log` when given.

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
    client.execute(**({"stdout": log, "stderr": log} if log else {}))
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


class _Images(HTMLParser):
    """Collects the attributes of every `<img>` whose source is an SVG data URI: the charts."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img" and (a.get("src") or "").startswith("data:image/svg+xml;base64,"):
            self.found.append(a)


def chart_images(nb):
    """Every chart image in the outputs as its attributes (alt, title, src; values unescaped)."""
    parser = _Images()
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            parser.feed(_text(o.get("data", {}).get("text/html", "")))
    parser.close()
    return parser.found


def title(nb):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "notebook"


def results_dir():
    """Where notebook runs save their results: $LAB_RESULTS, else results/ (as helpers::result::results_dir)."""
    return Path(os.environ.get("LAB_RESULTS") or ROOT / "results")


def lab_binary():
    return Path(os.environ.get("LAB_BIN") or ROOT / "target" / "release" / "lab")


def toc(nb):
    """The report's table of contents: each section heading (##) of the notebook's markdown, with the anchor
    nbconvert gives it (its own markdown renderer makes both)."""
    items = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for hid, text in re.findall(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', markdown2html_mistune(cell.source), re.S):
                words = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("¶", "").strip()
                items.append({"id": html.unescape(hid), "text": words})
    return items


# A markdown cell tagged so is for the notebook's reader (the Stop button, editing cells): reports leave it out.
NOTEBOOK_ONLY = "notebook-only"
# The class of a cell's output that says its section measured nothing here (recording_cost.rs, say).
UNMEASURED = 'class="lab-unmeasured"'


def _merge_streams(outputs):
    """Consecutive stream outputs of one name as one (evcxr sends each progress line as its own), so that a run's
    log folds as one."""
    merged = []
    for o in outputs:
        if o.output_type == "stream" and merged and merged[-1].output_type == "stream" and merged[-1].name == o.name:
            merged[-1].text = _text(merged[-1].text) + _text(o.text)
        else:
            merged.append(o)
    return merged


def for_report(nb):
    """The notebook as a report reads it (a copy): no cells tagged `notebook-only`; a section whose cell measured
    nothing on this machine is its heading and that one line (its explanation is for a run that measured); each
    cell's log lines as one output, which the template folds when long."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if NOTEBOOK_ONLY not in c.get("metadata", {}).get("tags", [])]
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        cell.outputs = _merge_streams(cell.get("outputs", []))
        unmeasured = any(UNMEASURED in _text(o.get("data", {}).get("text/html", "")) for o in cell.outputs)
        if unmeasured and i > 0 and nb.cells[i - 1].cell_type == "markdown":
            heading = [line for line in nb.cells[i - 1].source.splitlines() if line.startswith("#")]
            nb.cells[i - 1].source = "\n".join(heading)
    return nb


def to_html(nb, failures=(), code="show"):
    """Self-contained HTML: the offline lab template, charts inline, a table of contents, a banner saying when and
    where it ran, and whether it failed. `code`: show, fold or hide the code cells. What is drawn is
    `for_report(nb)`."""
    if code not in CODE_CHOICES:
        raise ValueError(f"code must be one of {', '.join(CODE_CHOICES)}, not {code!r}")
    nb = for_report(nb)
    found = results(nb)
    banner = {
        "stamp": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        # The overview measures nothing: the results it shows name their own machines.
        "machine": machine_line(found[0]) if found else None,
        "failures": list(failures),
    }
    exporter = HTMLExporter(template_name="lab_offline", extra_template_basedirs=[str(TEMPLATES)],
                            extra_template_paths=[str(TEMPLATES)], exclude_input=code == "hide")
    resources = {"metadata": {"name": title(nb)}, "lab_code": code, "lab_banner": banner, "lab_toc": toc(nb)}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def ledger(dirs):
    """The claim ledger of every result under `dirs` as data (`lab ledger --json`: the same code as notebook 00's
    table, every verdict, count and machine line decided there)."""
    try:
        out = subprocess.run([str(lab_binary()), "ledger", "--json", *map(str, dirs)],
                             capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise RuntimeError(f"no lab binary at {lab_binary()}: build it with `make lab-bin`") from None
    if out.returncode != 0:
        raise RuntimeError(f"lab ledger failed: {out.stderr.strip() or out.stdout.strip()}")
    return json.loads(out.stdout)


def machine_line(result):
    """The line naming the machine a result ran on, in the lab's words (`Machine::describe`, through the ledger of
    that one result); None when the lab cannot read the result."""
    with tempfile.TemporaryDirectory(prefix="lab-machine-") as d:
        (Path(d) / "result.json").write_text(json.dumps(result))
        machines = ledger([d])["machines"]
    return machines[0]["line"] if machines else None


def templates():
    """The Jinja environment of the index: tools/templates, autoescaped, and an unknown name is an error. (nbconvert
    draws the reports from the same folder in its own environment: see lab_macros.html.j2.)"""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def report_rows(rows):
    """This run's notebooks as the index lists them: link, title, headline measurement, how the run went."""
    overview = OVERVIEW.replace(".ipynb", ".html")
    return [{
        "href": r["html"],
        "title": r["title"],
        "headline": "; ".join(res.get("headline", "") for res in r["results"]) or (
            "the ledger and one chart per question, from the results" if r["html"] == overview else "no result"),
        "status": "failed: " + "; ".join(r["failures"]) if r["failures"] else f"ok in {r['seconds']:.0f} s",
        "failed": bool(r["failures"]),
    } for r in rows]


def write_index(rows, dirs, out=None):
    """reports/index.html: the claim ledger (summary first), the notebook reports, and where each result ran."""
    page = templates().get_template("lab_index.html.j2").render(
        ledger=ledger(dirs), reports=report_rows(rows), generated=f"{datetime.datetime.now():%Y-%m-%d %H:%M}")
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
    log_path = REPORTS / "kernel.log"
    print(f"==> executing the notebooks; the kernels' own output goes to {log_path.relative_to(ROOT)}", flush=True)
    log = log_path.open("w")
    for path in notebooks(args.prefixes):
        print(f"--> {path.name} ... ", end="", flush=True)
        log.write(f"==> {path.name}\n")
        log.flush()
        nb, seconds = execute(path, log=log)
        failures = problems(nb)
        out = REPORTS / (path.stem + ".html")
        out.write_text(to_html(nb, failures, args.code))
        nbformat.write(nb, REPORTS / path.name)
        status = "FAILED: " + "; ".join(failures) if failures else "ok"
        print(f"{seconds:.0f} s, {charts(nb)} charts -> {out.relative_to(ROOT)} [{status}]", flush=True)
        rows.append({"html": out.name, "title": title(nb), "results": results(nb), "failures": failures,
                     "seconds": seconds})
    log.close()
    write_index(rows, [results_dir(), *extra])
    print(f"==> {REPORTS.relative_to(ROOT)}/index.html: the claim ledger and {len(rows)} report(s)")
    return 1 if any(r["failures"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
