//! Notebook 00, the overview: `use helpers::overview::*;`. The ledger of every claim in the notes and one chart
//! per question, from the latest results the notebooks (or `make bench`) saved.

pub use crate::ledger::Ledger;
pub use crate::paths::results_dir;
pub use crate::prelude::*;

use crate::ledger::html::ledger_html;
use crate::ledger::{machine_label, utc};

/// The ledger of the results in `results_dir()` (`$LAB_RESULTS`, else `results/` in the workspace).
pub fn ledger() -> Result<Ledger> {
    Ledger::load(&[results_dir()])
}

/// The one chart that answers each question at a glance (the registry names it).
pub fn key_chart(r: &LabResult) -> Result<Chart> {
    (crate::registry::get(&r.experiment)?.key_chart)(r)
}

impl Ledger {
    /// The ledger table, its links opening the notebooks in JupyterLab.
    pub fn table(&self) -> Html {
        Html(ledger_html(self, ".ipynb"))
    }

    /// Question `number`'s key chart from each machine's latest result (side by side), or a note saying how to
    /// make one when there is none yet.
    pub fn chart(&self, number: u32) -> Result<Html> {
        let q = self.catalogue.question(number).ok_or_else(|| {
            LabError::invalid(format!("question {number} is not in the notes: number must be 1 ..= 9"))
        })?;
        let latest = self.latest(&q.experiment);
        if latest.is_empty() {
            return Ok(Html(format!(
                "<p>No result of {} yet: run notebook <a href=\"{}.ipynb\">{}</a> (its run saves one), then re-run \
                 this cell.</p>",
                q.experiment, q.notebook, q.notebook
            )));
        }
        let mut h = String::from("<div style=\"display:flex;flex-wrap:wrap;gap:12px\">");
        for l in latest {
            h.push_str(&format!(
                "<figure style=\"margin:0\"><figcaption><b>{}</b> <small>{}, {}</small></figcaption>{}</figure>",
                Html::escape(&machine_label(&l.result.machine)),
                Html::escape(&l.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()),
                utc(l.modified),
                key_chart(&l.result)?.to_html()
            ));
        }
        h.push_str("</div>");
        Ok(Html(h))
    }
}
