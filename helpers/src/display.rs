//! What a notebook cell shows: evcxr's rich-output protocol, HTML tables for results, predictions and claims.
//! evcxr keeps one output per MIME type per cell, so each displayable value emits one HTML block.

use crate::result::Finding;
use crate::result::{LabResult, Verdict};
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

pub const TABLE: &str = "border-collapse:collapse;margin:6px 0;font-size:13px";
pub const CELL: &str = "border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top";

/// A verdict cell's colours (inline: a notebook output carries no stylesheet).
pub fn verdict_style(v: Verdict) -> &'static str {
    match v {
        Verdict::Confirmed => "background:#d9f2d9",
        Verdict::Refined => "background:#fff3c4",
        Verdict::Contradicted => "background:#f8d0d0",
        Verdict::DoesNotApply => "background:#dce8fa",
        Verdict::NotMeasured => "color:#777",
        Verdict::Definition => "background:#ece6f5;font-style:italic",
    }
}

fn light_style(l: Light) -> &'static str {
    match l {
        Light::Green => "background:#d9f2d9",
        Light::Amber => "background:#fff3c4",
        Light::Red => "background:#f8d0d0",
    }
}

/// One language's evidence in a cell: its reason in plain words (`evidence::parts`), and the rule with every number
/// behind a disclosure (the whole evidence, as the run wrote it).
pub fn evidence_html(language: &str, reason: &str, evidence: &str) -> String {
    format!(
        "<b>{language}</b>: {}<details class=\"lab-rule\"><summary style=\"color:#555;cursor:pointer\">the \
         rule and its numbers</summary>{}</details>",
        Html::escape(reason),
        Html::escape(evidence)
    )
}

/// A finding's evidence cell.
fn finding_html(language: &str, f: &Finding) -> String {
    evidence_html(language, &crate::evidence::parts(&f.evidence).1, &f.evidence)
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
        h.push_str(&format!("<p>{}</p><ul style=\"margin:.2em 0\">", Html::escape(&c.prediction_sentence())));
        for r in &c.rows {
            h.push_str(&format!(
                "<li><span style=\"{};padding:1px 5px;border-radius:3px\">{}</span></li>",
                light_style(r.light),
                Html::escape(&c.row_sentence(r))
            ));
        }
        h.push_str("</ul>");
    }
    h.push_str(&format!(
        "<p><b>The notes' claims</b> ({}): each judged for Rust and for Python by a rule over this run's numbers; \
         each reason is followed by the rule, with the numbers and the line they were compared with.</p><table style=\"{TABLE}\"><tr>\
         <th style=\"{CELL}\">id</th><th style=\"{CELL}\">claim</th><th style=\"{CELL}\">Rust</th>\
         <th style=\"{CELL}\">Python</th><th style=\"{CELL}\">evidence (this run)</th></tr>",
        Html::escape(&result.experiment)
    ));
    for c in &result.claims {
        h.push_str(&format!(
            "<tr><td style=\"{CELL}\">{}</td><td style=\"{CELL}\">“{}”</td><td style=\"{CELL};{}\">{}</td>\
             <td style=\"{CELL};{}\">{}</td><td style=\"{CELL}\">{}{}</td></tr>",
            Html::escape(&c.id),
            Html::escape(&c.claim),
            verdict_style(c.rust.verdict),
            c.rust.verdict.label(),
            verdict_style(c.python.verdict),
            c.python.verdict.label(),
            finding_html("Rust", &c.rust),
            finding_html("Python", &c.python)
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
