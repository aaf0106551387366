"""Executes the lab's notebooks through the Rust kernel and writes self-contained HTML reports.

  python tools/report.py                 every notebook -> reports/NN_name.html, reports/index.html
  python tools/report.py 03 05           only notebooks whose names start with these

The same functions serve the tests (tests/test_notebooks.py): execute, problems, results, to_html.
"""

import datetime
import html
import json
import re
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
RESULT_MIME = "application/vnd.rust-concurrency-lab.result+json"
VERDICTS = {"confirmed", "refined", "contradicted", "python-only"}
# What counts as a failed cell: evcxr shows `?` errors as "Error: ..." on stderr and panics as text, and a
# panicking cell does not fail nbconvert, so every output is read.
FAILURE = re.compile(r"panicked at|^\s*Error: |^error(\[E\d+\])?:", re.MULTILINE)
# On stderr, any mention of an error counts.
FAILURE_STDERR = re.compile(r"error|panicked", re.IGNORECASE)


def notebooks(prefixes=()):
    found = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
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
    return (f"{machine['cores']} cores, {machine['cpu']}, {gib:.1f} GiB, {machine['os']}; {machine['rustc']}; "
            f"{machine['python']}")


def to_html(nb, failures=()):
    """Self-contained HTML: the offline lab template, charts inline, a banner when the run failed."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # a copy: the banner is for the report only
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    banner = f"*Executed {stamp} on {describe(next((r['machine'] for r in results(nb)), None))}.*"
    if failures:
        items = "\n".join(f"- `{f}`" for f in failures)
        banner = f"**This run failed.** The notebook's outputs hold these errors:\n\n{items}\n\n" + banner
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(banner))
    exporter = HTMLExporter(template_name="lab_offline", extra_template_basedirs=[str(TEMPLATES)])
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title(nb)}})
    return body


def write_index(rows):
    """reports/index.html: one row per notebook: question, headline, verdicts, link."""
    cells = []
    for r in rows:
        verdicts = ", ".join(f"{c['id']} {c['verdict']}" for res in r["results"] for c in res.get("claims", []))
        headline = "; ".join(res.get("headline", "") for res in r["results"]) or "no result"
        status = "failed: " + "; ".join(r["failures"]) if r["failures"] else f"ok in {r['seconds']:.0f} s"
        cells.append(
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
                html.escape(r["html"]), html.escape(r["title"]), html.escape(headline), html.escape(verdicts),
                html.escape(status),
            )
        )
    where = html.escape(describe(next((res["machine"] for r in rows for res in r["results"]), None)))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Rust concurrency lab: reports</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}}</style></head>
<body><h1>Rust concurrency lab: reports</h1>
<p>Generated {datetime.datetime.now():%Y-%m-%d %H:%M} on {where}.</p>
<table><tr><th>question</th><th>headline measurement</th><th>verdicts</th><th>run</th></tr>
{''.join(cells)}
</table></body></html>
"""
    (REPORTS / "index.html").write_text(page)


def main(argv):
    REPORTS.mkdir(exist_ok=True)
    rows = []
    for path in notebooks(argv):
        print(f"==> executing {path.name} (the first cell compiles the helpers)", flush=True)
        nb, seconds = execute(path)
        failures = problems(nb)
        out = REPORTS / (path.stem + ".html")
        out.write_text(to_html(nb, failures))
        nbformat.write(nb, REPORTS / path.name)
        status = "FAILED: " + "; ".join(failures) if failures else "ok"
        print(f"    {seconds:.0f} s, {charts(nb)} charts -> {out.relative_to(ROOT)} [{status}]", flush=True)
        rows.append({"html": out.name, "title": title(nb), "results": results(nb), "failures": failures,
                     "seconds": seconds})
    write_index(rows)
    print(f"==> {REPORTS.relative_to(ROOT)}/index.html lists {len(rows)} report(s)")
    return 1 if any(r["failures"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
