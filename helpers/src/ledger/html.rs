//! The ledger as HTML for notebook 00 (inline styles: a notebook output carries no stylesheet). The report index
//! draws the same `View` through its Jinja template.

use super::view::{MachineView, Part, View};
use super::Ledger;
use crate::display::{evidence_html, verdict_style, Html, CELL, TABLE};

/// The summary line of one machine: how many of the notes' claims hold, for Rust and for Python.
fn ledger_summary(v: &View, m: &MachineView) -> String {
    let parts = |parts: &[Part]| -> String {
        parts
            .iter()
            .map(|p| {
                format!(
                    " <span style=\"{};padding:1px 5px;border-radius:3px\">{} {}</span>",
                    verdict_style(p.status),
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
    let key: Vec<String> = v
        .key
        .iter()
        .map(|k| format!("<span style=\"{}\">{}</span>: {}", verdict_style(k.status), k.label, Html::escape(k.meaning)))
        .collect();
    if !v.machines.is_empty() {
        h.push_str(&format!(
            "<p class=\"lab-key\" style=\"line-height:1.8\"><b>What the verdicts mean</b><br/>{}</p>",
            key.join("<br/>")
        ));
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
                         <td style=\"{CELL}\">{}<br/>{}</td>",
                        verdict_style(j.rust.status),
                        j.rust.label,
                        verdict_style(j.python.status),
                        j.python.label,
                        evidence_html("Rust", &j.rust.reason, &j.rust.evidence),
                        evidence_html("Python", &j.python.reason, &j.python.evidence)
                    ));
                } else {
                    h.push_str(&format!(
                        "<td style=\"{CELL};{}\" colspan=\"3\">{}</td>",
                        verdict_style(j.rust.status),
                        j.rust.label
                    ));
                }
            }
            h.push_str("</tr>");
        }
    }
    h.push_str(
        "</table><p><small>Each verdict comes from a rule over the latest result's numbers, judged again with \
         today's rules: Rust from the Rust series, Python from the Python twin's alone (not measured when it did \
         not run). Under each reason, the rule and its numbers.</small></p>",
    );
    for m in &v.machines {
        let files: Vec<String> = m
            .results
            .iter()
            .map(|r| {
                let changed = if r.params_changed.is_empty() {
                    String::new()
                } else {
                    format!("; not the notes' parameters: {}", r.params_changed.join(", "))
                };
                format!("{} ({}{})", Html::escape(&r.file), Html::escape(&r.finished), Html::escape(&changed))
            })
            .collect();
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
