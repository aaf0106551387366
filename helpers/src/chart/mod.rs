//! Charts: plotters draws SVG (no fonts needed), which becomes one `<img src="data:image/svg+xml;base64,..">` in
//! a text/html output. JupyterLab shows that whether or not the notebook is trusted, and it survives HTML export.
//! Charts draw results; they never measure.
//!
//! One file per kind of chart: `lines` (numeric x), `bars` (one bar per series), `categories` (lines and stacked
//! bars over labelled x), and for timelines `rows` (lanes, lifetimes) and `counts`, drawn in `panels`; `style`
//! holds what makes them look alike, `alt` words what each drew as its alt text. Each draws through one function
//! generic over its axes' coordinate types, so linear and log axes share the drawing code.

mod alt;
mod bars;
mod categories;
mod counts;
mod keys;
mod lines;
mod panels;
mod rows;
mod style;
mod vocab;

pub use bars::{bars, BarSpec};
pub use categories::{category_lines, stacked_bars, Categories};
pub use counts::{counts, stacked};
pub use lines::{lines, LineSpec};
pub use rows::{lanes, lifetimes};
pub use style::{bytes, colour, count};

use crate::display::{emit, Html};
use crate::error::{LabError, Result};
use base64::Engine;
use plotters::coord::Shift;
use plotters::prelude::*;

const SIZE: (u32, u32) = (760, 430);

/// What every chart draws on: the whole SVG canvas.
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// A drawn chart: the SVG text, its title, and its alt text (the title and the numbers it shows, so a report read
/// by a screen reader or with images off still says what the chart says). Shown inline when it is a cell's value.
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub svg: String,
    pub alt: String,
    /// What the caption under the chart says: the alt text without the title and the axes, which the chart draws.
    pub caption: String,
}

impl Chart {
    /// The chart as an `<img>` with a base64 SVG data URI, and under it a visible caption saying what the alt text
    /// says beyond the title and the axes (both drawn in the chart): the numbers.
    pub fn to_html(&self) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(self.svg.as_bytes());
        let img = format!(
            "<img alt=\"{}\" title=\"{}\" style=\"max-width:100%\" src=\"data:image/svg+xml;base64,{b64}\"/>",
            Html::escape(&self.alt),
            Html::escape(&self.title)
        );
        let numbers = &self.caption;
        if numbers.is_empty() {
            return img;
        }
        format!(
            "{img}<div class=\"lab-caption\" style=\"font-size:12px;color:#444;max-width:760px;margin:2px 0 8px 0\">{}</div>",
            Html::escape(numbers)
        )
    }

    /// Writes the SVG to a file.
    pub fn save_svg(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, &self.svg).map_err(|e| LabError::other(format!("cannot write {}: {e}", path.display())))
    }

    /// evcxr calls this when a chart is a cell's value.
    pub fn evcxr_display(&self) {
        emit("text/html", &self.to_html());
    }
}

/// A `size` white canvas that `draw` draws on, as the chart `title`.
fn render(title: &str, size: (u32, u32), draw: impl FnOnce(&Area) -> Result<()>) -> Result<Chart> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(Chart { title: title.into(), svg, alt: title.into(), caption: String::new() })
}

impl Chart {
    /// The alt text: the title, then `numbers` (what the chart shows, in words).
    pub fn with_alt(mut self, numbers: &str) -> Chart {
        self.alt = if numbers.is_empty() { self.title.clone() } else { format!("{}. {numbers}", self.title) };
        self.caption = numbers.to_string();
        self
    }

    /// The alt text `alt` says, and the caption: the same without the axes.
    fn described(self, alt: &alt::Alt) -> Chart {
        let (text, caption) = (alt.text(&self.title), alt.caption(&self.title));
        Chart { caption, ..self.with_alt(&text) }
    }
}

/// The span of an axis showing `values`: on a log axis only the positive ones, from zero when `from_zero` (and
/// all are positive), padded so that no point sits on the frame.
fn bounds(values: impl Iterator<Item = f64>, log: bool, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite() && (!log || *v > 0.0)) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return if log { (0.1, 10.0) } else { (0.0, 1.0) };
    }
    if log {
        let (lo, hi) = (lo / 1.5, hi * 1.5);
        // Within one decade a log axis has no tick to label (one point, say): widen it to whole decades.
        if hi / lo < 10.0 {
            let lo = 10f64.powf(lo.log10().floor());
            (lo, 10f64.powf(hi.log10().ceil()).max(lo * 10.0))
        } else {
            (lo, hi)
        }
    } else {
        let lo = if from_zero { lo.min(0.0) } else { lo };
        let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.05).max(1e-9);
        (if from_zero && lo >= 0.0 { 0.0 } else { lo - pad }, hi + pad)
    }
}

fn err(e: impl std::fmt::Display) -> LabError {
    LabError::other(format!("cannot draw the chart: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{LabResult, Machine, Series};
    use keys::Key;

    fn result() -> LabResult {
        let line =
            |name: &str, y: &str, pts: &[[f64; 2]]| Series { points: pts.to_vec(), ..Series::new(name, "limit", y) };
        LabResult {
            experiment: "q0".into(),
            params: serde_json::json!({}),
            machine: Machine::default(),
            headline: String::new(),
            series: vec![
                line("tokio", "runtime_s", &[[10.0, 10.1], [100.0, 1.01]]),
                line("ideal", "runtime_s", &[[10.0, 10.0], [100.0, 1.0]]),
                line("tokio", "ok", &[[0.0, 700.0], [10.0, 1000.0]]),
                line("tokio", "timeouts", &[[0.0, 300.0], [10.0, 0.0]]),
                line("tokio", "spawn_us", &[[1.0, 0.6]]),
                line("threads", "spawn_us", &[[1.0, 61.0]]),
            ],
            claims: vec![],
            ..Default::default()
        }
    }

    /// The outcomes per limit, as q4 draws them.
    fn outcomes() -> Categories {
        Categories {
            title: "Outcomes".into(),
            x_label: "limit".into(),
            y_label: "requests".into(),
            categories: vec![(0.0, "none".into()), (10.0, "10".into())],
            log_y: false,
        }
    }

    fn is_chart(c: &Chart, title: &str) {
        assert!(c.svg.starts_with("<svg") && c.svg.contains(title), "{}", &c.svg[..c.svg.len().min(200)]);
        assert!(c.to_html().contains("src=\"data:image/svg+xml;base64,"));
        // The alt text's numbers are a visible caption too, without the title the chart draws.
        let caption = c.to_html().split("class=\"lab-caption\"").nth(1).map(str::to_string).unwrap_or_default();
        assert!(!caption.is_empty() && !caption.contains(&c.title), "{caption}");
        assert!(!caption.contains("x axis") && !caption.contains("y axis"), "{caption}");
    }

    #[test]
    fn every_kind_of_chart_draws_an_svg_with_its_title() {
        let r = result();
        is_chart(&lines(&r, &LineSpec::new("runtime_s", "Runtime", "limit", "s").log_x().log_y()).unwrap(), "Runtime");
        let bars_spec =
            BarSpec::new("Spawn", "µs", &[("tokio", "spawn_us", "tokio"), ("threads", "spawn_us", "threads")]);
        is_chart(&bars(&r, &bars_spec.log_y().reference(2.0, "cores present")).unwrap(), "Spawn");
        let cats = outcomes();
        is_chart(&stacked_bars(&r, &["tokio"], &[("ok", "ok"), ("timeouts", "timeout")], &cats).unwrap(), "Outcomes");
        is_chart(&category_lines(&r, "ok", &["tokio"], &cats).unwrap(), "Outcomes");
    }

    #[test]
    fn every_kind_of_chart_says_its_title_and_numbers_in_its_alt_text() {
        let r = result();
        let runtime = lines(&r, &LineSpec::new("runtime_s", "Runtime", "limit", "runtime, s (log)").log_x().log_y());
        assert_eq!(
            runtime.unwrap().alt,
            "Runtime. x axis limit, log scale; y axis runtime, s (log); tokio: 10 → 10.1 s, 100 → 1.01 s; \
             ideal (model): 10 → 10 s, 100 → 1 s"
        );
        let spawn =
            BarSpec::new("Spawn", "µs (log)", &[("tokio", "spawn_us", "tokio"), ("threads", "spawn_us", "threads")]);
        let spawn = bars(&r, &spawn.log_y().reference(2.0, "cores present")).unwrap();
        assert_eq!(
            spawn.alt,
            "Spawn. y axis µs (log); dashed line at 2 µs: cores present; tokio: 0.6 µs; threads: 61 µs"
        );
        // The printed label on a bar is the number its alt text says.
        assert!(spawn.svg.contains(">\n61\n<") && spawn.svg.contains(">\n0.6\n<"), "bar labels");
        let cats = outcomes();
        let stacked = stacked_bars(&r, &["tokio"], &[("ok", "ok"), ("timeouts", "timeout")], &cats).unwrap();
        assert_eq!(
            stacked.alt,
            "Outcomes. x axis limit; y axis requests; none, tokio: ok 700, timeout 300 of 1000 requests; \
             10, tokio: ok 1000 of 1000 requests"
        );
        let ok = category_lines(&r, "ok", &["tokio"], &cats).unwrap();
        assert_eq!(ok.alt, "Outcomes. x axis limit; y axis requests; tokio: none → 700 requests, 10 → 1000 requests");
    }

    #[test]
    fn a_line_says_its_spread_and_a_dense_line_its_summary() {
        let mut r = result();
        r.series[0].min = vec![9.5, 0.9];
        r.series[0].max = vec![11.0, 1.2];
        r.series.push(Series {
            points: (0..100).map(|i| [i as f64 * 0.01, i as f64 * 20.0]).collect(),
            ..Series::new("tokio current_thread", "time", "heartbeats")
        });
        let c = lines(&r, &LineSpec::new("runtime_s", "Runtime", "limit", "runtime, s").only(&["tokio"])).unwrap();
        assert!(c.alt.ends_with("tokio: 10 → 10.1 s (min 9.5, max 11), 100 → 1.01 s (min 0.9, max 1.2)"), "{}", c.alt);
        let c = lines(&r, &LineSpec::new("heartbeats", "Beats", "time since start, s", "heartbeats")).unwrap();
        assert!(
            c.alt.ends_with(
                "tokio current_thread: 100 points, x 0 s to 0.99 s, y min 0, max 1980, last 1980 heartbeats"
            ),
            "{}",
            c.alt
        );
    }

    #[test]
    fn alt_text_is_escaped_in_the_img_and_capped_for_many_series() {
        let mut r = result();
        r.series.truncate(1);
        let c = lines(&r, &LineSpec::new("runtime_s", "a < b \"quoted\" & more", "limit", "s")).unwrap();
        let html = c.to_html();
        let alt = html.split("alt=\"").nth(1).and_then(|a| a.split('"').next()).unwrap();
        assert!(
            alt.starts_with("a &lt; b &quot;quoted&quot; &amp; more. x axis limit; y axis s; tokio: 10 → 10.1 s"),
            "{alt}"
        );
        r.series = (0..300)
            .map(|i| Series { points: vec![[1.0, i as f64], [2.0, 1.5]], ..Series::new(&format!("v{i}"), "x", "y") })
            .collect();
        let c = lines(&r, &LineSpec::new("y", "Many", "n", "v")).unwrap();
        assert!(c.alt.chars().count() <= 1500 && c.alt.contains("v0: 1 → 0, 2 → 1.5"), "{}", c.alt);
        let kept = c.alt.matches(" → ").count() / 2;
        assert!(c.alt.ends_with(&format!("… {} more series left out", 300 - kept)), "{}", c.alt);
    }

    #[test]
    fn a_log_axis_within_one_decade_still_has_ticks() {
        // One limit (a user's `limits: vec![50]`): the axes widen to whole decades, so labels are drawn.
        assert_eq!(bounds([50.0].into_iter(), true, false), (10.0, 100.0));
        assert_eq!(bounds([2.0, 2.1].into_iter(), true, false), (1.0, 10.0));
        assert_eq!(bounds([1.0, 1000.0].into_iter(), true, false), (1.0 / 1.5, 1500.0));
        let mut r = result();
        r.series.retain(|s| s.y == "runtime_s");
        for s in &mut r.series {
            s.points.truncate(1);
        }
        let c = lines(&r, &LineSpec::new("runtime_s", "Runtime", "limit", "s").log_x().log_y()).unwrap();
        assert!(c.svg.contains(">\n10\n<") && c.svg.contains(">\n100\n<"), "no decade labels on the axes");
    }

    /// Series as the questions name them, each measuring a runtime over three limits and a few more measures.
    fn many() -> LabResult {
        let names = [
            "tokio",
            "python",
            "threads",
            "python threads",
            "spawn_blocking",
            "python to_thread",
            "rayon",
            "processes",
            "python processes",
            "sequential",
            "ideal",
            "gil model",
        ];
        let mut series = Vec::new();
        for (k, name) in names.iter().enumerate() {
            for (y, scale) in
                [("runtime_s", 1.0), ("lateness_p50_ms", 2.0), ("lateness_p99_ms", 5.0), ("spawn_us", 0.1)]
            {
                let pts = [10.0_f64, 100.0, 1000.0].map(|x| [x, scale * (k + 1) as f64 * x.sqrt()]);
                series.push(Series { points: pts.to_vec(), ..Series::new(name, "limit", y) });
            }
            let ok = [[0.0, 700.0 + k as f64], [10.0, 1000.0]];
            series.push(Series { points: ok.to_vec(), ..Series::new(name, "limit", "ok") });
            series.push(Series { points: vec![[0.0, 300.0], [10.0, 0.0]], ..Series::new(name, "limit", "timeouts") });
        }
        LabResult { experiment: "q0".into(), series, ..result() }
    }

    /// Every kind of chart, drawn over `many`: one line chart of everything, small multiples, measures beside each
    /// other, dots on a log axis and bars on a linear one (past six, in panels by language), lines over
    /// categories and stacked bars. A legend label has one key (colour, dashes, marks) on every chart it is on,
    /// and no legend or axis label is a field name.
    #[test]
    fn a_label_looks_one_way_on_every_chart_and_none_is_a_field_name() {
        keys::DRAWN.with(|d| d.borrow_mut().clear());
        let r = many();
        let all = LineSpec::new("runtime_s", "Runtime", "limit (log)", "runtime, s (log)").log_x().log_y();
        lines(&r, &all).unwrap();
        let loop_names: &[&str] = &["tokio", "python", "ideal"];
        let pool_names: &[&str] = &["threads", "python threads", "spawn_blocking", "python to_thread", "ideal"];
        lines(&r, &all.clone().panels(&[("On the loop", loop_names), ("In a pool", pool_names)])).unwrap();
        let beside = LineSpec::new("lateness_p99_ms", "Late", "limit (log)", "ms (log)")
            .also(&["lateness_p50_ms"])
            .names(&[("lateness_p99_ms", "p99"), ("lateness_p50_ms", "p50")])
            .only(&["tokio", "python"])
            .log_x()
            .log_y();
        lines(&r, &beside).unwrap();
        let spawn: Vec<(&str, &str, &str)> = r
            .series
            .iter()
            .filter(|s| s.y == "spawn_us")
            .map(|s| (s.name.as_str(), "spawn_us", s.name.as_str()))
            .collect();
        let bars_of = |log: bool| {
            let spec = BarSpec::new("Spawn", "µs", &spawn).reference(2.0, "cores present");
            if log {
                spec.log_y()
            } else {
                spec
            }
        };
        bars(&r, &bars_of(true)).unwrap();
        bars(&r, &bars_of(false)).unwrap();
        let cats = outcomes();
        category_lines(&r, "ok", &["tokio", "python", "threads"], &cats).unwrap();
        stacked_bars(&r, &["tokio", "python"], &[("ok", "ok"), ("timeouts", "timeout")], &cats).unwrap();

        let drawn = keys::DRAWN.with(|d| d.borrow().clone());
        let mut first: Vec<(&str, Key)> = Vec::new();
        for (label, key) in &drawn {
            assert!(!keys::is_field_name(label), "a field name as a label: {label}");
            let Some(key) = key else { continue };
            match first.iter().find(|(l, _)| l == label) {
                Some((_, k)) => assert_eq!(k, key, "{label} is drawn two ways"),
                None => first.push((label, *key)),
            }
        }
        // Every series was in a legend, and a Rust runtime and its Python twin differ in more than their name.
        for name in ["tokio", "python (asyncio)", "threads", "ideal (model)", "gil model", "tokio p50", "ok"] {
            assert!(first.iter().any(|(l, _)| *l == name), "{name} in no legend: {first:?}");
        }
        let key = |l: &str| first.iter().find(|(n, _)| *n == l).map(|(_, k)| *k);
        assert_ne!(key("tokio"), key("python (asyncio)"));
        assert_ne!(key("ideal (model)"), key("gil model"));
    }

    #[test]
    fn a_chart_of_nothing_is_an_error_not_a_panic() {
        let r = result();
        let e = lines(&r, &LineSpec::new("latency", "L", "x", "y")).unwrap_err();
        assert!(e.message.contains("nothing measured `latency`"), "{e}");
        assert!(bars(&r, &BarSpec::new("B", "y", &[("rayon", "spawn_us", "rayon")])).is_err());
    }
}
