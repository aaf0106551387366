"""What a report leaves out or folds (report.for_report and the offline template), on a small synthetic notebook:
no kernel needed."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

import report


def notebook():
    how = new_markdown_cell("## How to use this notebook\nPress the Stop button to interrupt a run.")
    how.metadata["tags"] = [report.NOTEBOOK_ONLY]
    run = new_code_cell("run(&params)?", outputs=[
        new_output("stream", name="stdout", text=f"[q3 {i}/6] limit {i}\n") for i in range(1, 7)])
    section = new_markdown_cell("## Does recording change what it records?\nA long explanation of the bench.")
    unmeasured = new_code_cell("recording_cost()?", outputs=[new_output(
        "display_data", data={"text/html": '<p class="lab-unmeasured">Not measured on this machine yet.</p>'})])
    short = new_code_cell("x", outputs=[new_output("stream", name="stdout", text="one line\n")])
    return new_notebook(cells=[new_markdown_cell("# Title"), how, run, section, unmeasured, short])


def test_notebook_only_cells_are_left_out_of_the_report():
    html = report.to_html(notebook())
    assert "Stop button" not in html and "How to use this notebook" not in html
    assert "How to use" in nbformat.writes(notebook()), "the notebook itself keeps it"


def test_a_section_that_measured_nothing_is_its_heading_and_one_line():
    nb = report.for_report(notebook())
    section = next(c for c in nb.cells if "Does recording" in c.source)
    assert section.source == "## Does recording change what it records?"
    html = report.to_html(notebook())
    assert "A long explanation" not in html and "Not measured on this machine yet." in html


def test_a_runs_log_lines_become_one_output_folded_under_its_last_line():
    nb = report.for_report(notebook())
    run = nb.cells[1]
    assert len(run.outputs) == 1 and run.outputs[0].text.count("\n") == 6
    html = report.to_html(notebook())
    assert html.count('<details class="lab-log">') == 1
    assert "run log, 6 lines: [q3 6/6] limit 6</summary>" in html
    assert "<pre>one line" in html, "a short output stays open"
