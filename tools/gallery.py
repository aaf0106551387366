"""reports/gallery.html: every chart of the latest `make report` on one page, notebook by notebook, for review; at the
top what tools/chart_check.py finds against the visual language (legend labels in more than one colour, keys over
data, field names, mixed number formats), or that it finds nothing.

  python tools/gallery.py [REPORTS_DIR]     reads the executed notebooks make report keeps there (NN_*.ipynb)
"""

import html
import re
import sys
from pathlib import Path

import nbformat

import chart_check
import report

# A chart as a cell shows it: its image and the caption under it (chart/mod.rs, Chart::to_html).
CHART = re.compile(r'<img alt="[^"]*"[^>]*src="data:image/svg\+xml;base64,[^"]+"\s*/?>(?:<div class="lab-caption"[^>]*>.*?</div>)?',
                   re.S)


def charts_of(nb):
    """Each chart of an executed notebook as the HTML of its image and caption."""
    found = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            found.extend(CHART.findall(report._text(o.get("data", {}).get("text/html", ""))))
    return found


def page(sections, findings, clashes):
    total = sum(len(c) for _, c in sections)
    out = ["<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Chart gallery</title><style>",
           "body{font-family:sans-serif;margin:1em 2em} .chart{margin:1.2em 0 2em;max-width:1120px}",
           ".ok{background:#d9f2d9;padding:4px 8px} .bad{background:#f8d0d0;padding:4px 8px}</style></head><body>",
           f"<h1>Chart gallery: {total} charts of {len(sections)} notebooks</h1>"]
    if findings or clashes:
        out.append(f"<p class=\"bad\">{len(findings) + len(clashes)} problems with the visual language:</p><ul>")
        out += [f"<li>{html.escape(f)}</li>" for f in findings]
        for label, colours in clashes.items():
            where = "; ".join(f"{c} in {', '.join(names)}" for c, names in colours.items())
            out.append(f"<li>the legend label '{html.escape(label)}' has {len(colours)} colours: {html.escape(where)}</li>")
        out.append("</ul>")
    else:
        out.append("<p class=\"ok\">Every legend label keeps one colour; no key over data; no field names; one number "
                   "format per axis.</p>")
    out.append("<ul>" + "".join(f"<li><a href=\"#{html.escape(n)}\">{html.escape(n)}</a> ({len(c)})</li>"
                                for n, c in sections) + "</ul>")
    for name, charts in sections:
        out.append(f"<h2 id=\"{html.escape(name)}\">{html.escape(name)}</h2>")
        out += [f"<div class=\"chart\">{c}</div>" for c in charts]
    out.append("</body></html>")
    return "\n".join(out)


def main(argv):
    folder = Path(argv[0]) if argv else report.REPORTS
    executed = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    if not executed:
        print(f"error: no executed notebooks in {folder}: run `make report` first", file=sys.stderr)
        return 1
    sections, findings, legends = [], [], []
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        charts = charts_of(nb)
        sections.append((path.stem, charts))
        for alt, svg in chart_check.svgs_in_html("".join(charts)):
            name = f"{path.stem}: {html.unescape(alt)[:70]}"
            findings += chart_check.problems(svg, name)
            legends.append((name, chart_check.legend(svg)))
    clashes = chart_check.colour_clashes(legends)
    out = folder / "gallery.html"
    out.write_text(page(sections, findings, clashes))
    total = sum(len(c) for _, c in sections)
    print(f"==> {out}: {total} charts of {len(sections)} notebooks; {len(findings) + len(clashes)} problems with the "
          "visual language")
    for f in findings:
        print(f"    {f}")
    for label, colours in clashes.items():
        print(f"    '{label}' in {len(colours)} colours: {dict(colours)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
