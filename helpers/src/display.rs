//! What a notebook cell shows: evcxr's rich-output protocol, HTML tables for results, predictions and claims.
//! evcxr keeps one output per MIME type per cell, so each displayable value emits one HTML block.

use crate::ledger::view::{MachineView, Part, View};
use crate::ledger::{Ledger, Status};
use crate::result::{LabResult, Verdict};
use crate::units::fmt_s;
use crate::verdict::{Check, Light};

/// The MIME type that carries a result's JSON, so tests and the report index read numbers, not pixels.
pub const RESULT_MIME: &str = "application/vnd.rust-concurrency-lab.result+json";

/// Prints one rich output in evcxr's protocol (it ends up in the cell's display data).
pub fn emit(mime: &str, content: &str) {
    println!("EVCXR_BEGIN_CONTENT {mime}\n{content}\nEVCXR_END_CONTENT");
}

/// A block of HTML, shown inline when it is a cell's value.
#[derive(Debug, Clone, PartialEq)]
pub struct Html(pub String);

impl Html {
    pub fn escape(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
    }
    pub fn evcxr_display(&self) {
        emit("text/html", &self.0);
    }
}

const TABLE: &str = "border-collapse:collapse;margin:6px 0;font-size:13px";
const CELL: &str = "border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top";

fn verdict_style(v: Verdict) -> &'static str {
    match v {
        Verdict::Confirmed => "background:#d9f2d9",
        Verdict::Refined => "background:#fff3c4",
        Verdict::Contradicted => "background:#f8d0d0",
        Verdict::PythonOnly => "background:#dce8fa",
    }
}

fn light_style(l: Light) -> &'static str {
    match l {
        Light::Green => "background:#d9f2d9",
        Light::Amber => "background:#fff3c4",
        Light::Red => "background:#f8d0d0",
    }
}

/// The result as a cell output: its headline and machine in HTML, plus the result JSON under `RESULT_MIME`.
#[derive(Debug, Clone)]
pub struct Summary<'a>(pub &'a LabResult);

impl Summary<'_> {
    pub fn to_html(&self) -> String {
        let r = self.0;
        format!(
            "<div class=\"lab-summary\"><b>{}</b>: {}<br/><small>Measured on {}.</small></div>",
            Html::escape(&r.experiment),
            Html::escape(&r.headline),
            Html::escape(&r.machine.describe())
        )
    }

    pub fn evcxr_display(&self) {
        emit("text/html", &self.to_html());
        if let Ok(json) = serde_json::to_string(self.0) {
            emit(RESULT_MIME, &json);
        }
    }
}

/// The verdicts of one run: the learner's prediction checked (when given) and each claim of the notes.
pub fn verdicts_html(check: Option<&Check>, result: &LabResult) -> String {
    let mut h = String::new();
    if let Some(c) = check {
        let p = &c.prediction;
        h.push_str(&format!(
            "<p><b>Your prediction</b>: {} = {} at {} = {} (±{:.0}%).</p><table style=\"{TABLE}\"><tr>\
             <th style=\"{CELL}\">series</th><th style=\"{CELL}\">measured</th><th style=\"{CELL}\">measured / \
             predicted</th><th style=\"{CELL}\">verdict</th></tr>",
            Html::escape(&p.y),
            if p.y.ends_with("_s") { fmt_s(p.value) } else { format!("{}", p.value) },
            Html::escape(&c.x_name),
            c.x,
            p.tolerance * 100.0
        ));
        for r in &c.rows {
            h.push_str(&format!(
                "<tr><td style=\"{CELL}\">{}</td><td style=\"{CELL}\">{}</td><td style=\"{CELL}\">{:.3}x</td>\
                 <td style=\"{CELL};{}\">{:?}</td></tr>",
                Html::escape(&r.series),
                if p.y.ends_with("_s") { fmt_s(r.measured) } else { format!("{:.3}", r.measured) },
                r.ratio,
                light_style(r.light),
                r.light
            ));
        }
        h.push_str("</table>");
    }
    h.push_str(&format!(
        "<p><b>The notes' claims</b> ({}):</p><table style=\"{TABLE}\"><tr><th style=\"{CELL}\">id</th>\
         <th style=\"{CELL}\">claim</th><th style=\"{CELL}\">verdict</th><th style=\"{CELL}\">evidence (this run)</th>\
         </tr>",
        Html::escape(&result.experiment)
    ));
    for c in &result.claims {
        h.push_str(&format!(
            "<tr><td style=\"{CELL}\">{}</td><td style=\"{CELL}\">“{}”</td><td style=\"{CELL};{}\">{}</td>\
             <td style=\"{CELL}\">{}</td></tr>",
            Html::escape(&c.id),
            Html::escape(&c.claim),
            verdict_style(c.verdict),
            c.verdict.label(),
            Html::escape(&c.evidence)
        ));
    }
    h.push_str("</table>");
    h
}

impl LabResult {
    /// The result as a cell's output: headline, machine, and the result JSON for tests and reports.
    pub fn summary(&self) -> Summary<'_> {
        Summary(self)
    }
}

/// The verdict cell: the learner's prediction checked against the run, then every claim of the notes. A prediction
/// the run cannot check (made for a limit or latency this run did not measure, say) is shown as a note above the
/// claims, not as an error: the user who just changed the parameters still sees the verdicts.
pub fn verdicts(prediction: &crate::verdict::Prediction, result: &LabResult) -> crate::error::Result<Html> {
    match prediction.check(result) {
        Ok(check) => Ok(Html(verdicts_html(Some(&check), result))),
        Err(e) => Ok(Html(format!(
            "<p style=\"background:#fff3c4;padding:4px 8px\"><b>Your prediction was not checked</b>: {}</p>{}",
            Html::escape(&e.message),
            verdicts_html(None, result)
        ))),
    }
}

fn status_style(s: Status) -> &'static str {
    match s {
        Status::Confirmed => "background:#d9f2d9",
        Status::Refined => "background:#fff3c4",
        Status::Contradicted => "background:#f8d0d0",
        Status::PythonOnly => "background:#dce8fa",
        Status::NotRun | Status::NotMeasured => "color:#777",
    }
}

/// The summary line of one machine: how many of the notes' claims hold, for Rust and for Python.
fn ledger_summary(v: &View, m: &MachineView) -> String {
    let parts = |parts: &[Part]| -> String {
        parts
            .iter()
            .map(|p| {
                format!(
                    " <span style=\"{};padding:1px 5px;border-radius:3px\">{} {}</span>",
                    status_style(p.status),
                    p.count,
                    p.text
                )
            })
            .collect()
    };
    format!(
        "<div class=\"lab-ledger-summary\" style=\"font-size:15px;margin:4px 0;line-height:1.9\"><b>{}</b>, the notes' \
         {} claims:<br/>&nbsp;&nbsp;<b>Rust</b>:{}<br/>&nbsp;&nbsp;<b>Python</b>:{}</div>",
        Html::escape(&m.label),
        v.claim_count,
        parts(&m.summary.rust),
        parts(&m.summary.python)
    )
}

/// The ledger as HTML (notebook 00; the report index draws the same `View` through its template): a summary per
/// machine, then one row per claim of the notes with each machine's Rust and Python verdicts and its evidence,
/// grouped by question with a link to the notebook's verdicts (`link_ext`: ".ipynb" inside JupyterLab, ".html"
/// beside the reports).
pub fn ledger_html(l: &Ledger, link_ext: &str) -> String {
    let v = l.view();
    let mut h = String::from("<div class=\"lab-ledger\">");
    if v.machines.is_empty() {
        let dirs: Vec<String> = v.dirs.iter().map(|d| Html::escape(d)).collect();
        h.push_str(&format!(
            "<p><b>No results yet</b> in {}. Each notebook run saves its result there: run notebooks 01-09, or \
             <code>make report</code> (all nine, about 8 minutes) or <code>make bench</code>; then re-run this.</p>",
            dirs.join(", ")
        ));
    }
    for m in &v.machines {
        h.push_str(&ledger_summary(&v, m));
    }
    let k = v.machines.len();
    h.push_str(&format!(
        "<table class=\"lab-ledger-table\" style=\"{TABLE}\"><tr><th style=\"{CELL}\" rowspan=\"2\">id</th>\
         <th style=\"{CELL}\" rowspan=\"2\">the notes' words</th>"
    ));
    for m in &v.machines {
        h.push_str(&format!("<th style=\"{CELL}\" colspan=\"3\">{}</th>", Html::escape(&m.label)));
    }
    h.push_str("</tr><tr>");
    for _ in &v.machines {
        h.push_str(&format!(
            "<th style=\"{CELL}\">Rust</th><th style=\"{CELL}\">Python</th><th style=\"{CELL}\">evidence</th>"
        ));
    }
    h.push_str("</tr>");
    for q in &v.questions {
        let link = Html::escape(&format!("{}{link_ext}#Verdicts", q.notebook));
        h.push_str(&format!(
            "<tr><td style=\"{CELL};background:#f3f3f3\" colspan=\"{}\"><b>{}. {}</b> — \
             <a href=\"{link}\">notebook {}</a></td></tr>",
            2 + 3 * k,
            q.number,
            Html::escape(&q.question),
            Html::escape(&q.notebook)
        ));
        for c in v.claims.iter().filter(|c| c.question == q.number) {
            h.push_str(&format!(
                "<tr><td style=\"{CELL}\"><a href=\"{link}\">{}</a></td><td style=\"{CELL}\">“{}”</td>",
                Html::escape(&c.id),
                Html::escape(&c.quote)
            ));
            for j in &c.machines {
                if j.measured {
                    h.push_str(&format!(
                        "<td style=\"{CELL};{}\">{}</td><td style=\"{CELL};{}\">{}</td>\
                         <td style=\"{CELL}\" title=\"{}\">{}</td>",
                        status_style(j.rust.status),
                        j.rust.label,
                        status_style(j.python.status),
                        j.python.label,
                        Html::escape(j.evidence.as_deref().unwrap_or_default()),
                        Html::escape(j.evidence_first.as_deref().unwrap_or_default())
                    ));
                } else {
                    h.push_str(&format!(
                        "<td style=\"{CELL};{}\" colspan=\"3\">{}</td>",
                        status_style(j.rust.status),
                        j.rust.label
                    ));
                }
            }
            h.push_str("</tr>");
        }
    }
    h.push_str("</table><p><small>Rust: the verdict of the run. Python: the same judgement when the Python twin \
                ran, and confirmed for a claim that holds only for Python. Hover over evidence for all of it.</small></p>");
    for m in &v.machines {
        let files: Vec<String> =
            m.results.iter().map(|r| format!("{} ({})", Html::escape(&r.file), Html::escape(&r.modified))).collect();
        h.push_str(&format!(
            "<p class=\"lab-machine\"><small><b>{}</b>: {}. Results: {}.</small></p>",
            Html::escape(&m.label),
            Html::escape(&m.line),
            files.join(", ")
        ));
    }
    for u in &v.unreadable {
        h.push_str(&format!("<p><small>Not a result, skipped: {}</small></p>", Html::escape(u)));
    }
    h.push_str("</div>");
    h
}
