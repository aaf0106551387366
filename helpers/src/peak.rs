//! Whether a run's peak resident memory counts from a reset. The lab resets the peak (VmHWM, through
//! `/proc/self/clear_refs` "5") before each run it measures; where the kernel refuses, the peak read afterwards is
//! the lifetime peak of the process, which includes whatever it ran before. Each run records which in a series
//! `peak_reset` (1 or 0), and this module words it, the same way in progress lines, chart titles and evidence.
//! (The Python twins record the same series: `lab_common.reset_peak_rss` returns whether the reset worked.)

use crate::result::{Finding, LabResult};

/// The y of the series that records, per run, 1 when its peak was reset before it and 0 where the kernel refused.
pub const SERIES: &str = "peak_reset";

/// What a peak counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peak {
    /// The peak was reset before the run: it is the run's own.
    SinceReset,
    /// The kernel refused the reset: the process's lifetime peak.
    Lifetime,
    /// A result from before the reset was recorded: judged as before, saying so.
    NotRecorded,
}

impl Peak {
    /// What the reset's answer (`memory::reset_peak`) makes of the peak read after it.
    pub fn of(reset: bool) -> Peak {
        if reset {
            Peak::SinceReset
        } else {
            Peak::Lifetime
        }
    }

    /// The value recorded in the series `peak_reset` for a reset's answer.
    pub fn value(reset: bool) -> f64 {
        if reset {
            1.0
        } else {
            0.0
        }
    }

    /// The peak of run `name` at `x`, as its `peak_reset` point records (NotRecorded without one).
    pub fn of_run(r: &LabResult, name: &str, x: f64) -> Peak {
        r.value(name, SERIES, x).map_or(Peak::NotRecorded, |v| Peak::of(v >= 0.5))
    }

    /// The peaks of every run in `r`: Lifetime when any reset was refused, SinceReset when all worked.
    pub fn of_result(r: &LabResult) -> Peak {
        let v: Vec<f64> = r.series_of(SERIES).iter().flat_map(|s| s.points.iter().map(|p| p[1])).collect();
        if v.is_empty() {
            Peak::NotRecorded
        } else {
            Peak::of(v.iter().all(|&x| x >= 0.5))
        }
    }

    /// How a progress line names the peak: "peak since reset", "lifetime peak (reset refused)".
    pub fn label(self) -> &'static str {
        match self {
            Peak::SinceReset => "peak since reset",
            Peak::Lifetime => "lifetime peak (reset refused)",
            Peak::NotRecorded => "peak (reset not recorded)",
        }
    }

    /// "peak since reset 12 MiB": one run's peak in a progress line.
    pub fn progress(self, mib: f64) -> String {
        format!("{} {mib:.0} MiB", self.label())
    }

    /// How evidence names the peak: "peak RSS (since reset)".
    pub fn rss(self) -> &'static str {
        match self {
            Peak::SinceReset => "peak RSS (since reset)",
            Peak::Lifetime => "peak RSS (lifetime: reset refused)",
            Peak::NotRecorded => "peak RSS (reset not recorded)",
        }
    }

    /// A memory chart's title, `what` followed by what its peaks count from.
    pub fn title(self, what: &str) -> String {
        match self {
            Peak::SinceReset => format!("{what} (each run's peak since its reset)"),
            Peak::Lifetime => format!("{what} (reset refused: lifetime peaks)"),
            Peak::NotRecorded => format!("{what} (reset not recorded)"),
        }
    }

    /// `what` titled by what the peaks of every run in `r` count from.
    pub fn chart_title(r: &LabResult, what: &str) -> String {
        Peak::of_result(r).title(what)
    }
}

/// For a judge that compares the peaks of `runs` (series name, x): the "not measured" finding when the kernel
/// refused a reset before one of them (a lifetime peak includes earlier runs, so `so` says what cannot be told),
/// else what the peaks count from (SinceReset only when every run recorded it, else NotRecorded).
pub fn judged(r: &LabResult, runs: &[(&str, f64)], so: &str) -> Result<Peak, Finding> {
    let mut all = Peak::SinceReset;
    for &(name, x) in runs {
        match Peak::of_run(r, name, x) {
            Peak::Lifetime => {
                let x_name = r.series(name, SERIES).map_or("x", |s| s.x.as_str());
                return Err(Finding::not_measured(format!(
                    "The kernel refused the peak reset before the {name} run at {x_name} {x:.0} ({SERIES} 0): its \
                     peak RSS is the lifetime peak of the process that ran it, which includes whatever ran there \
                     before, so {so}."
                )));
            }
            Peak::NotRecorded => all = Peak::NotRecorded,
            Peak::SinceReset => {}
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judging::fixture::{result, set};
    use crate::result::Verdict;

    #[test]
    fn a_result_says_what_its_peaks_count_from() {
        let mut r = result("q3", serde_json::json!({}));
        assert_eq!(Peak::of_result(&r), Peak::NotRecorded);
        assert_eq!(Peak::chart_title(&r, "Peak"), "Peak (reset not recorded)");
        set(&mut r, "tokio", "limit", SERIES, 10.0, 1.0);
        set(&mut r, "python", "limit", SERIES, 10.0, 1.0);
        assert_eq!(Peak::chart_title(&r, "Peak"), "Peak (each run's peak since its reset)");
        set(&mut r, "python", "limit", SERIES, 100.0, 0.0);
        assert_eq!(Peak::chart_title(&r, "Peak"), "Peak (reset refused: lifetime peaks)");
        assert_eq!(Peak::of_run(&r, "python", 100.0).progress(12.3), "lifetime peak (reset refused) 12 MiB");
        assert_eq!(Peak::of(true).progress(12.6), "peak since reset 13 MiB");
        assert_eq!((Peak::value(true), Peak::value(false)), (1.0, 0.0));
    }

    #[test]
    fn a_judge_reading_a_refused_peak_gets_not_measured_and_why() {
        let mut r = result("q3", serde_json::json!({}));
        assert_eq!(judged(&r, &[("tokio", 10.0)], "x"), Ok(Peak::NotRecorded));
        set(&mut r, "tokio", "limit", SERIES, 10.0, 1.0);
        set(&mut r, "tokio", "limit", SERIES, 100.0, 1.0);
        assert_eq!(judged(&r, &[("tokio", 10.0), ("tokio", 100.0)], "x"), Ok(Peak::SinceReset));
        // One run without a record: the others' word does not stand for it.
        assert_eq!(judged(&r, &[("tokio", 10.0), ("tokio", 1000.0)], "x"), Ok(Peak::NotRecorded));
        set(&mut r, "tokio", "limit", SERIES, 100.0, 0.0);
        let f = judged(&r, &[("tokio", 10.0), ("tokio", 100.0)], "the growth is not the tasks'").unwrap_err();
        assert_eq!(f.verdict, Verdict::NotMeasured);
        assert!(
            f.evidence
                .starts_with("The kernel refused the peak reset before the tokio run at limit 100 (peak_reset 0)")
                && f.evidence.ends_with("so the growth is not the tasks'."),
            "{}",
            f.evidence
        );
    }
}
