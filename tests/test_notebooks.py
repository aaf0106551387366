"""Every notebook executed through the evcxr Rust kernel with its own defaults, then exported to HTML.

A cell that panics or returns an error does not fail nbclient, so every output is read (report.problems).
"""

import re

import pytest

import chart_check
import report

VERDICTS = report.VERDICTS
# Every chart's legend of the notebooks exported so far in this session: a label must keep one colour across them.
LEGENDS = []
# The overview (00) shows what the others saved: tests/test_overview.py runs it.
NOTEBOOKS = [p for p in report.notebooks() if p.name != report.OVERVIEW]


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def executed(request):
    nb, seconds = report.execute(request.param)
    return request.param, nb


def test_notebook_runs_without_errors_or_panics(executed):
    path, nb = executed
    assert report.problems(nb) == [], f"{path.name}: errors in outputs"


def test_notebook_draws_charts_and_emits_a_result_with_claims(executed):
    path, nb = executed
    assert report.charts(nb) >= 1, f"{path.name}: no chart image"
    results = report.results(nb)
    assert results, f"{path.name}: no result JSON"
    number = path.name[:2].lstrip("0")
    for r in results:
        assert r["experiment"] == f"q{number}"
        assert r["claims"], "no claims"
        for c in r["claims"]:
            assert c["id"].startswith(f"{number}."), c["id"]
            for lang in ("rust", "python"):
                assert c[lang]["verdict"] in VERDICTS and c[lang]["evidence"], (c["id"], lang, c[lang])
        assert r["machine"]["cores"] >= 1


def test_every_chart_image_says_its_numbers_in_its_alt_text(executed):
    path, nb = executed
    images = report.chart_images(nb)
    assert len(images) == report.charts(nb) >= 1, f"{path.name}: chart images not all found"
    for img in images:
        alt, title = img.get("alt") or "", img.get("title") or ""
        # The title alone says what was measured, not what came out: the alt text must add the numbers.
        assert alt.startswith(title) and len(alt) > len(title), (path.name, title, alt)
        assert re.search(r"\d", alt[len(title):]), (path.name, alt)


def test_html_report_is_self_contained(executed, tmp_path):
    path, nb = executed
    html = report.to_html(nb, report.problems(nb))
    # Every chart is an <img> whose source is a data URI (the template's own CSS icons are data URIs too).
    assert html.count('src="data:image/svg+xml;base64,') == report.charts(nb) >= 1
    # Nothing is fetched when the report opens: no external scripts, styles, images or fonts.
    fetched = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//[^"'\s>]+|url\(\s*["']?(?:https?:)?//""", html)
    stylesheet_links = [
        m for m in re.findall(r"<link[^>]*>", html) if "stylesheet" in m and "data:" not in m
    ]
    assert fetched == [], fetched
    assert stylesheet_links == []
    assert "<script src=" not in html
    assert "Executed " in html  # the report says when and where it ran
    assert '<nav class="lab-toc">' in html and 'href="#Verdicts"' in html  # a table of contents


def test_html_report_code_can_be_folded_or_hidden(executed):
    path, nb = executed
    shown, folded, hidden = (report.to_html(nb, code=c) for c in ("show", "fold", "hide"))
    code_input = "class=\"jp-CodeMirrorEditor jp-Editor jp-InputArea-editor\""
    assert shown.count(code_input) >= 1 and '<details class="lab-code">' not in shown
    assert folded.count('<details class="lab-code">') == sum(c.cell_type == "code" for c in nb.cells)
    assert code_input not in hidden
    assert hidden.count('src="data:image/svg+xml;base64,') == report.charts(nb)  # charts stay



def test_exported_charts_speak_one_visual_language(executed):
    """Read back from the exported report's SVGs: no legend key over a data mark, no field names as words, one
    number format per axis, and each legend label in one colour here and in every notebook exported before."""
    path, nb = executed
    charts = chart_check.svgs_in_html(report.to_html(nb))
    assert len(charts) == report.charts(nb) >= 1
    named = [(f"{path.stem}: {alt[:70]}", svg) for alt, svg in charts]
    found = [p for name, svg in named for p in chart_check.problems(svg, name)]
    assert found == [], "\n".join(found)
    LEGENDS.extend((name, chart_check.legend(svg)) for name, svg in named)
    assert chart_check.colour_clashes(LEGENDS) == {}


def test_the_report_leaves_the_notebooks_own_instructions_and_folds_long_logs(executed):
    path, nb = executed
    html = report.to_html(nb)
    for cell in nb.cells:
        if report.NOTEBOOK_ONLY in cell.get("metadata", {}).get("tags", []):
            first = cell.source.strip().splitlines()[0].lstrip("# ").strip()
            assert first not in html, f"{path.name}: a notebook-only cell in the report: {first}"
    merged = report.for_report(nb)
    for cell in merged.cells:
        streams = [o for o in cell.get("outputs", []) if o.output_type == "stream"]
        names = [o.name for o in streams]
        assert len(names) == len(set(names)) or all(a != b for a, b in zip(names, names[1:]))
    long_logs = sum(1 for c in merged.cells for o in c.get("outputs", [])
                    if o.output_type == "stream" and report._text(o.text).rstrip("\n").count("\n") >= 4)
    assert html.count('<details class="lab-log">') == long_logs
