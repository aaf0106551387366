//! Timelines as rows of bars: `lanes` (one row per thread or process, each job a bar, the heartbeat's ticks on a
//! strip above) and `lifetimes` (a sample of tasks, one row each, split into what each was doing).

use super::panels::{found, frame, panels, Key, Panel};
use super::style::value as num;
use super::style::{lighten, stack};
use super::{err, Chart};
use crate::error::Result;
use crate::result::LabResult;
use crate::stats::Summary;
use crate::timeline::{Span, Timeline};
use plotters::prelude::*;

/// Pixels per row.
const ROW_PX: u32 = 22;

/// Lateness classes of a mark, in its value's unit (ms): on time, a little late, blocked.
const LATE: [(f64, &str, RGBColor); 3] = [
    (1.0, "under 1 ms", RGBColor(60, 160, 80)),
    (10.0, "1-10 ms", RGBColor(240, 170, 50)),
    (f64::INFINITY, "10 ms or more", RGBColor(200, 60, 60)),
];

fn late_class(v: f64) -> usize {
    LATE.iter().position(|(limit, _, _)| v < *limit).unwrap_or(LATE.len() - 1)
}

/// One row per lane of each of `names`' timelines: each span a bar from instant to instant, the gap after instant i
/// coloured as `phases[i]`, every other span of a lane lighter (so that spans run back to back stay apart); the
/// timeline's marks (heartbeat ticks, pings) as dots on a strip above the lanes, higher and redder the larger their
/// value. A gap in the dots is a loop that served no tick.
pub fn lanes(r: &LabResult, title: &str, names: &[&str], phases: &[&str]) -> Result<Chart> {
    let tls = found(r, names, title)?;
    let rows: Vec<usize> = tls.iter().map(|t| lane_count(t)).collect();
    let heights: Vec<u32> =
        tls.iter().zip(&rows).map(|(t, n)| ROW_PX * (n + usize::from(t.marks.is_some())) as u32).collect();
    let alt = tls.iter().map(|t| lanes_alt(t, phases)).collect::<Vec<_>>().join("; ");
    let strip = tls.iter().any(|t| t.marks.is_some());
    panels(title, &tls, &heights, &legend(phases, strip), alt, |area, t, end| {
        let n = lane_count(t);
        let strip = t.marks.is_some();
        let top = (n + usize::from(strip)) as f64;
        let label = |v: f64| {
            let i = v.floor() as usize;
            if (v - i as f64 - 0.5).abs() > 1e-6 {
                String::new()
            } else if i < n {
                t.lanes.get(i).cloned().unwrap_or_else(|| format!("lane {i}"))
            } else {
                t.marks.as_ref().map_or(String::new(), |m| m.name.clone())
            }
        };
        let mut chart = frame(area, t, end, 0.0..top, "", 2 * top as usize + 1, &|v: &f64| label(*v))?;
        let mut order: Vec<&Span> = t.spans.iter().collect();
        order.sort_by(|a, b| first(a).total_cmp(&first(b)));
        let mut nth = vec![0usize; n];
        for s in order {
            let k = &mut nth[(s.lane as usize).min(n - 1)];
            bar(&mut chart, s, s.lane as f64, phases, if *k % 2 == 1 { ALTERNATE } else { 0.0 })?;
            *k += 1;
        }
        if let Some(m) = &t.marks {
            let vmax = m.points.iter().map(|p| p[1]).fold(1.0, f64::max);
            let height = |v: f64| n as f64 + 0.1 + 0.8 * (1.0 + v.max(0.0)).ln() / (1.0 + vmax).ln();
            let dots = m.points.iter().map(|p| Circle::new((p[0], height(p[1])), 2, LATE[late_class(p[1])].2.filled()));
            chart.draw_series(dots).map_err(err)?;
        }
        Ok(())
    })
}

/// A sample of at most `rows` of each timeline's spans (evenly picked, in spawn order), one row each, split into
/// `phases` as in `lanes`: how long each task waited, then worked.
pub fn lifetimes(r: &LabResult, title: &str, names: &[&str], phases: &[&str], rows: usize) -> Result<Chart> {
    let tls = found(r, names, title)?;
    let picks: Vec<Vec<&Span>> = tls.iter().map(|t| pick(&t.spans, rows.max(1))).collect();
    let heights: Vec<u32> = picks.iter().map(|p| (p.len() as u32 * 6).clamp(90, 260)).collect();
    let alt = tls.iter().zip(&picks).map(|(t, p)| lifetimes_alt(t, p, phases)).collect::<Vec<_>>().join("; ");
    let mut k = 0;
    panels(title, &tls, &heights, &legend(phases, false), alt, |area, t, end| {
        let shown = &picks[k];
        k += 1;
        let label = |v: f64| shown.get(v.max(0.0) as usize).map_or(String::new(), |s| format!("#{}", s.task));
        let desc = format!("{} of {} {}", shown.len(), t.total, t.unit);
        let mut chart = frame(area, t, end, 0.0..shown.len().max(1) as f64, &desc, 6, &|v: &f64| label(*v))?;
        for (row, s) in shown.iter().enumerate() {
            bar(&mut chart, s, row as f64, phases, 0.0)?;
        }
        Ok(())
    })
}

/// How much lighter every other span of a lane is drawn.
const ALTERNATE: f64 = 0.4;

/// When span `s` reached its first instant (0 when none).
fn first(s: &Span) -> f64 {
    s.at.iter().flatten().next().copied().unwrap_or(0.0)
}

/// Draws span `s` on row `row`: one rectangle per gap between two instants it reached, coloured by phase and
/// lightened by `shade` (0: the phase's colour).
fn bar<'a, 'b: 'a>(chart: &mut Panel<'a, 'b>, s: &Span, row: f64, phases: &[&str], shade: f64) -> Result<()> {
    let reached: Vec<(usize, f64)> = s.at.iter().enumerate().filter_map(|(i, t)| t.map(|t| (i, t))).collect();
    // A pixel's gap after each span (at most a third of it), so that spans back to back on one lane, a loop running
    // its tasks in turn, read as separate bars rather than one.
    let x = chart.x_range();
    let px = (x.end - x.start) / chart.plotting_area().dim_in_pixel().0.max(1) as f64;
    let last = reached.len().saturating_sub(2);
    let rects = reached.windows(2).enumerate().filter(|(_, w)| w[0].0 < phases.len()).map(|(k, w)| {
        let c = lighten(stack(phases[w[0].0], w[0].0), shade);
        let end = if k == last { w[1].1 - px.min((w[1].1 - reached[0].1) / 3.0) } else { w[1].1 };
        Rectangle::new([(w[0].1, row + 0.15), (end, row + 0.85)], c.filled())
    });
    chart.draw_series(rects).map_err(err)?;
    Ok(())
}

/// The phases' colours, and the marks' lateness classes when there is a strip.
fn legend(phases: &[&str], strip: bool) -> Vec<(String, Key)> {
    let mut out: Vec<(String, Key)> =
        phases.iter().enumerate().map(|(i, p)| (p.to_string(), Key::Square(stack(p, i)))).collect();
    if strip {
        out.extend(LATE.iter().map(|(_, label, c)| (format!("late {label}"), Key::Dot(*c))));
    }
    out
}

/// Lanes a timeline used: those named, or as many as its spans' lanes reach.
fn lane_count(t: &Timeline) -> usize {
    t.lanes.len().max(t.spans.iter().map(|s| s.lane as usize + 1).max().unwrap_or(1))
}

/// `rows` spans evenly picked from `spans` (all when fewer).
fn pick(spans: &[Span], rows: usize) -> Vec<&Span> {
    if spans.len() <= rows {
        return spans.iter().collect();
    }
    (0..rows).map(|i| &spans[i * spans.len() / rows]).collect()
}

/// How long span `s` spent from instant `i` to the next instant it reached.
fn phase_ms(s: &Span, i: usize) -> Option<f64> {
    let start = s.at(i)?;
    let next = s.at.iter().skip(i + 1).flatten().next()?;
    Some(next - start)
}

fn lanes_alt(t: &Timeline, phases: &[&str]) -> String {
    let n = lane_count(t);
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); n];
    for s in &t.spans {
        let reached: Vec<f64> = s.at.iter().flatten().copied().collect();
        if let (Some(a), Some(b)) = (reached.first(), reached.last()) {
            runs[(s.lane as usize).min(n - 1)].push((*a, *b));
        }
    }
    let busy: Vec<String> =
        runs.into_iter().map(|r| format!("{:.0}%", 100.0 * covered(r) / t.end_ms.max(1e-9))).collect();
    let mut out = format!(
        "{}: {} ({}) on {n} lane{} over {} ms, each lane busy {} of the time ({})",
        t.name,
        t.sampling,
        phases.join(", "),
        if n == 1 { "" } else { "s" },
        num(t.end_ms),
        busy.join(" / "),
        t.at
    );
    if let Some(m) = &t.marks {
        let worst = m.points.iter().map(|p| p[1]).fold(0.0, f64::max);
        let blocked = m.points.iter().filter(|p| late_class(p[1]) == LATE.len() - 1).count();
        out.push_str(&format!(
            "; {}: {} in all, {} drawn ({}); {}: worst {}, {blocked} of those drawn {}",
            m.name,
            m.total,
            m.points.len(),
            m.sampling,
            m.value,
            num(worst),
            LATE[LATE.len() - 1].1
        ));
    }
    out
}

/// The time `runs` cover together: spans that overlap on one lane (tasks interleaved on one thread) count once.
fn covered(mut runs: Vec<(f64, f64)>) -> f64 {
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut total = 0.0;
    let mut reached = f64::NEG_INFINITY;
    for (a, b) in runs {
        total += (b - a.max(reached)).max(0.0);
        reached = reached.max(b);
    }
    total
}

fn lifetimes_alt(t: &Timeline, shown: &[&Span], phases: &[&str]) -> String {
    let medians: Vec<String> = phases
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let v: Vec<f64> = t.spans.iter().filter_map(|s| phase_ms(s, i)).collect();
            if v.is_empty() {
                format!("{p}: none")
            } else {
                let s = Summary::of(&v);
                format!("{p}: median {} ms, max {} ms", num(s.median), num(s.max))
            }
        })
        .collect();
    format!(
        "{}: {} drawn of {} ({}); {} over {} ms",
        t.name,
        shown.len(),
        t.total,
        t.sampling,
        medians.join(", "),
        num(t.end_ms)
    )
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::timeline::{Marks, State};

    /// Two variants of three tasks, limit 1, with a heartbeat that stalls once.
    pub(crate) fn result() -> LabResult {
        let tl = |name: &str, lane_of: fn(u64) -> u32| {
            let spans = (0..3u64)
                .map(|i| {
                    let t = i as f64 * 100.0;
                    Span { task: i, lane: lane_of(i), at: vec![Some(0.0), Some(t), Some(t + 100.0)] }
                })
                .collect();
            let marks = Marks {
                name: "heartbeat".into(),
                value: "late by, ms".into(),
                points: (0..300).map(|k| [k as f64, if (100..150).contains(&k) { 40.0 } else { 0.2 }]).collect(),
                ..Default::default()
            };
            Timeline {
                name: name.into(),
                at: "limit 1".into(),
                unit: "tasks".into(),
                instants: vec!["spawned".into(), "permit".into(), "finished".into()],
                lanes: vec!["worker 0".into(), "worker 1".into()],
                spans,
                marks: Some(marks),
                end_ms: 300.0,
                ..Default::default()
            }
            .condense(&[
                State { name: "holding a permit", from: "permit", until: &["finished"] },
                State { name: "waiting for a permit", from: "spawned", until: &["permit"] },
            ])
        };
        LabResult {
            experiment: "q0".into(),
            timelines: vec![tl("tokio", |i| (i % 2) as u32), tl("python", |_| 0)],
            ..Default::default()
        }
    }

    #[test]
    fn lanes_draw_a_bar_per_span_and_say_what_they_show() {
        let c = lanes(&result(), "Jobs <by> lane", &["tokio", "python"], &["waiting", "running"]).unwrap();
        assert!(
            c.svg.starts_with("<svg") && c.svg.contains("Jobs &lt;by&gt; lane") || c.svg.contains("Jobs <by> lane")
        );
        assert!(c.svg.contains("worker 1") && c.svg.contains("heartbeat"));
        assert!(c.alt.contains("tokio: all 3 tasks (waiting, running) on 2 lanes over 300 ms"), "{}", c.alt);
        assert!(
            c.alt.contains(
                "heartbeat: 300 in all, 300 drawn (all 300); late by, ms: worst 40, 50 of those drawn 10 ms or more"
            ),
            "{}",
            c.alt
        );
        // Python's three tasks share one lane and overlap (each from its spawn at 0): the lane is busy once.
        assert!(
            c.alt.contains("python: all 3 tasks (waiting, running) on 2 lanes over 300 ms, each lane busy 100% / 0%"),
            "{}",
            c.alt
        );
        assert!(c.to_html().contains("alt=\"Jobs &lt;by&gt; lane. tokio:"));
    }

    #[test]
    fn lifetimes_sample_rows_and_give_median_phases() {
        let c = lifetimes(&result(), "Lifetimes", &["tokio"], &["waiting for a permit", "sleeping"], 2).unwrap();
        assert!(c.alt.contains("tokio: 2 drawn of 3 (all 3 tasks)"), "{}", c.alt);
        assert!(
            c.alt.contains("waiting for a permit: median 100 ms, max 200 ms, sleeping: median 100 ms"),
            "{}",
            c.alt
        );
        let e = lifetimes(&result(), "Lifetimes", &["threads"], &["a"], 5).unwrap_err();
        assert!(e.message.contains("no timeline of threads"), "{e}");
    }
}
