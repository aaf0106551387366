//! What a notebook cell shows: evcxr's rich-output protocol, HTML tables for results, predictions and claims.
//! evcxr keeps one output per MIME type per cell, so each displayable value emits one HTML block.

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
        let m = &r.machine;
        format!(
            "<div class=\"lab-summary\"><b>{}</b>: {}<br/><small>Measured on {} ({}), {:.1} GiB, {}; {}; {}.\
             </small></div>",
            Html::escape(&r.experiment),
            Html::escape(&r.headline),
            m.cores_label(),
            Html::escape(&m.cpu),
            m.memory_bytes as f64 / (1u64 << 30) as f64,
            Html::escape(&m.os),
            Html::escape(&m.rustc),
            Html::escape(&m.python)
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

fn status_style(s: crate::ledger::Status) -> &'static str {
    use crate::ledger::Status;
    match s {
        Status::Confirmed => "background:#d9f2d9",
        Status::Refined => "background:#fff3c4",
        Status::Contradicted => "background:#f8d0d0",
        Status::PythonOnly => "background:#dce8fa",
        Status::NotRun | Status::NotMeasured => "color:#777",
    }
}

/// The evidence's first sentence (its key number), cut to `max` characters; the whole text goes in a tooltip.
pub fn first_sentence(text: &str, max: usize) -> String {
    let end =
        text.char_indices().find(|&(i, c)| i >= 40 && c == '.' && text[i + 1..].starts_with(' ')).map(|(i, _)| i + 1);
    let s = &text[..end.unwrap_or(text.len())];
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>().trim_end())
    }
}

/// `t` as "YYYY-MM-DD HH:MM UTC" (civil-from-days: no date crate for one line of text).
pub fn utc(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

/// The summary line of one machine: how many of the notes' claims hold, for Rust and for Python.
fn ledger_summary(l: &crate::ledger::Ledger, source: usize) -> String {
    use crate::ledger::Status;
    let c = l.counts(source);
    let part = |n: usize, s: Status, text: &str| {
        if n == 0 && matches!(s, Status::NotRun | Status::NotMeasured) {
            String::new()
        } else {
            format!(" <span style=\"{};padding:1px 5px;border-radius:3px\">{n} {text}</span>", status_style(s))
        }
    };
    let rust: String = [
        (Status::Confirmed, "confirmed"),
        (Status::Refined, "refined"),
        (Status::Contradicted, "contradicted"),
        (Status::PythonOnly, "hold only for Python"),
        (Status::NotMeasured, "not measured"),
    ]
    .iter()
    .map(|&(s, t)| part(c.rust(s), s, t))
    .collect();
    let python: String = [
        (Status::Confirmed, "confirmed"),
        (Status::Refined, "refined"),
        (Status::Contradicted, "contradicted"),
        (Status::NotRun, "not run"),
        (Status::NotMeasured, "not measured"),
    ]
    .iter()
    .map(|&(s, t)| part(c.python(s), s, t))
    .collect();
    format!(
        "<div class=\"lab-ledger-summary\" style=\"font-size:15px;margin:4px 0;line-height:1.9\"><b>{}</b>, the notes' \
         {} claims:<br/>&nbsp;&nbsp;<b>Rust</b>:{rust}<br/>&nbsp;&nbsp;<b>Python</b>:{python}</div>",
        Html::escape(&l.sources[source].label()),
        l.catalogue.claims.len()
    )
}

/// The ledger as HTML: a summary per machine, then one row per claim of the notes with each machine's Rust and
/// Python verdicts and its evidence, grouped by question with a link to the notebook's verdicts
/// (`link_ext`: ".html" for the report index, ".ipynb" inside JupyterLab).
pub fn ledger_html(l: &crate::ledger::Ledger, link_ext: &str) -> String {
    use crate::ledger::Status;
    let mut h = String::from("<div class=\"lab-ledger\">");
    if l.sources.is_empty() {
        let dirs: Vec<String> = l.dirs.iter().map(|d| Html::escape(&d.display().to_string())).collect();
        h.push_str(&format!(
            "<p><b>No results yet</b> in {}. Each notebook run saves its result there: run notebooks 01-09, or \
             <code>make report</code> (all nine, about 8 minutes) or <code>make bench</code>; then re-run this.</p>",
            dirs.join(", ")
        ));
    }
    for i in 0..l.sources.len() {
        h.push_str(&ledger_summary(l, i));
    }
    let k = l.sources.len();
    // Where the report index puts its list of notebook reports: below the summary, above the long table.
    h.push_str("<!-- ledger-table -->");
    h.push_str(&format!("<table style=\"{TABLE}\"><tr><th style=\"{CELL}\" rowspan=\"2\">id</th><th style=\"{CELL}\" rowspan=\"2\">the notes' words</th>"));
    for s in &l.sources {
        h.push_str(&format!("<th style=\"{CELL}\" colspan=\"3\">{}</th>", Html::escape(&s.label())));
    }
    h.push_str("</tr><tr>");
    for _ in &l.sources {
        h.push_str(&format!(
            "<th style=\"{CELL}\">Rust</th><th style=\"{CELL}\">Python</th><th style=\"{CELL}\">evidence</th>"
        ));
    }
    h.push_str("</tr>");
    for q in &l.catalogue.questions {
        let link = format!("{}{link_ext}#Verdicts", q.notebook);
        h.push_str(&format!(
            "<tr><td style=\"{CELL};background:#f3f3f3\" colspan=\"{}\"><b>{}. {}</b> — <a href=\"{}\">notebook {}</a></td></tr>",
            2 + 3 * k,
            q.number,
            Html::escape(&q.question),
            Html::escape(&link),
            Html::escape(&q.notebook)
        ));
        for quote in l.catalogue.claims.iter().filter(|c| c.question == q.number) {
            h.push_str(&format!(
                "<tr><td style=\"{CELL}\"><a href=\"{}\">{}</a></td><td style=\"{CELL}\">“{}”</td>",
                Html::escape(&link),
                Html::escape(&quote.id),
                Html::escape(&quote.quote)
            ));
            for i in 0..k {
                match l.entry(i, quote) {
                    Some(e) => h.push_str(&format!(
                        "<td style=\"{CELL};{}\">{}</td><td style=\"{CELL};{}\">{}</td>\
                         <td style=\"{CELL}\" title=\"{}\">{}</td>",
                        status_style(e.rust),
                        e.rust.label(),
                        status_style(e.python),
                        e.python.label(),
                        Html::escape(&e.claim.evidence),
                        Html::escape(&first_sentence(&e.claim.evidence, 170))
                    )),
                    None => h.push_str(&format!(
                        "<td style=\"{CELL};{}\" colspan=\"3\">not measured</td>",
                        status_style(Status::NotMeasured)
                    )),
                }
            }
            h.push_str("</tr>");
        }
    }
    h.push_str("</table><p><small>Rust: the verdict of the run. Python: the same judgement when the Python twin \
                ran, and confirmed for a claim that holds only for Python. Hover over evidence for all of it.</small></p>");
    for s in &l.sources {
        let files: Vec<String> = s
            .results
            .iter()
            .map(|r| {
                format!(
                    "{} ({})",
                    Html::escape(&r.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()),
                    utc(r.modified)
                )
            })
            .collect();
        let m = &s.machine;
        h.push_str(&format!(
            "<p class=\"lab-machine\"><small><b>{}</b>: {}, {}, {:.1} GiB, {}; {}; {}. Results: {}.</small></p>",
            Html::escape(&s.label()),
            m.cores_label(),
            Html::escape(&m.cpu),
            m.memory_bytes as f64 / (1u64 << 30) as f64,
            Html::escape(&m.os),
            Html::escape(&m.rustc),
            Html::escape(&m.python),
            files.join(", ")
        ));
    }
    for u in &l.unreadable {
        h.push_str(&format!("<p><small>Not a result, skipped: {}</small></p>", Html::escape(u)));
    }
    h.push_str("</div>");
    h
}
