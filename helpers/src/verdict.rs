//! Prediction vs measurement: a learner's expected value, checked against a result with a tolerance, giving a
//! green / amber / red light per runtime.

use crate::error::{LabError, Result};
use crate::result::LabResult;
use serde::{Deserialize, Serialize};

/// How close a measurement came to a prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    /// Within the tolerance.
    Green,
    /// Within three times the tolerance.
    Amber,
    /// Further off.
    Red,
}

/// What the learner expects, as a value the measurement can test: `y` at `x` (a series' point), ± `tolerance`.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub y: String,
    pub x: Option<f64>,
    /// Only this series (e.g. "tokio multi_thread"); None checks every measured series.
    pub series: Option<String>,
    pub value: f64,
    /// Relative: 0.05 is ±5%.
    pub tolerance: f64,
}

impl Prediction {
    /// "The run takes `secs` seconds", checked against each runtime's `runtime_s`. Tolerance ±5%.
    pub fn runtime_s(secs: f64) -> Self {
        Prediction { y: "runtime_s".into(), x: None, series: None, value: secs, tolerance: 0.05 }
    }

    /// Any measured quantity `y` (e.g. "speedup"), ±5%; pick the series with `.of(..)` and the x with `.at(..)`.
    pub fn value(y: &str, value: f64) -> Self {
        Prediction { y: y.into(), ..Self::runtime_s(value) }
    }

    /// "The jobs take `secs` seconds of wall time", for experiments that time strategies (`wall_s`). ±5%.
    pub fn wall_s(secs: f64) -> Self {
        Prediction { y: "wall_s".into(), ..Self::runtime_s(secs) }
    }

    /// Checks only the series called `name`.
    pub fn of(mut self, name: &str) -> Self {
        self.series = Some(name.into());
        self
    }

    /// At which x (a limit, a latency ...) the prediction holds; without it, the experiment's reference point.
    pub fn at(mut self, x: f64) -> Self {
        self.x = Some(x);
        self
    }

    /// Relative tolerance, e.g. 0.1 for ±10%.
    pub fn within(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Compares with every measured series (all but `ideal`) that has a point at x.
    pub fn check(&self, result: &LabResult) -> Result<Check> {
        if !(self.value.is_finite() && self.value > 0.0) {
            return Err(LabError::invalid(format!("the predicted value must be above 0; got {}", self.value)));
        }
        if !(self.tolerance > 0.0 && self.tolerance < 10.0) {
            return Err(LabError::invalid(format!("tolerance must be between 0 and 10; got {}", self.tolerance)));
        }
        let x = match self.x {
            Some(x) => x,
            None => {
                let first = result.series_of(&self.y).into_iter().next();
                first
                    .and_then(|s| s.points.last().map(|p| p[0]))
                    .ok_or_else(|| LabError::other(format!("{}: nothing measured `{}`", result.experiment, self.y)))?
            }
        };
        let mut rows = Vec::new();
        for s in result.series_of(&self.y) {
            if s.name == "ideal" || self.series.as_ref().is_some_and(|n| *n != s.name) {
                continue;
            }
            if let Some(measured) = s.at(x) {
                let ratio = measured / self.value;
                let off = (ratio - 1.0).abs();
                let light = if off <= self.tolerance {
                    Light::Green
                } else if off <= 3.0 * self.tolerance {
                    Light::Amber
                } else {
                    Light::Red
                };
                rows.push(CheckRow { series: s.name.clone(), measured, ratio, light });
            }
        }
        if rows.is_empty() {
            let xs: Vec<String> = result
                .series_of(&self.y)
                .first()
                .map(|s| s.points.iter().map(|p| format!("{}", p[0])).collect())
                .unwrap_or_default();
            if let Some(name) = &self.series {
                if result.series(name, &self.y).is_none() {
                    let names: Vec<&str> = result.series_of(&self.y).iter().map(|s| s.name.as_str()).collect();
                    return Err(LabError::invalid(format!(
                        "no series `{name}` measured `{}`; this run has: {}",
                        self.y,
                        names.join(", ")
                    )));
                }
            }
            return Err(LabError::invalid(format!(
                "the prediction is at {x}, but this run measured `{}` only at [{}]; change .at(..) or the params",
                self.y,
                xs.join(", ")
            )));
        }
        let x_name = result.series_of(&self.y).first().map(|s| s.x.clone()).unwrap_or_else(|| "x".into());
        Ok(Check { prediction: self.clone(), x_name, x, rows })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckRow {
    pub series: String,
    pub measured: f64,
    /// measured / predicted.
    pub ratio: f64,
    pub light: Light,
}

/// A prediction checked against one result.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub prediction: Prediction,
    /// What x is (limit, latency_ms, jobs ...) and its value.
    pub x_name: String,
    pub x: f64,
    pub rows: Vec<CheckRow>,
}

impl Check {
    pub fn row(&self, series: &str) -> Option<&CheckRow> {
        self.rows.iter().find(|r| r.series == series)
    }

    /// What was predicted, in words: "You predicted the runtime at limit 100: 1.00 s (±5%)."
    pub fn prediction_sentence(&self) -> String {
        let p = &self.prediction;
        format!(
            "You predicted {} at {}: {} (±{:.0}%).",
            quantity_words(&p.y),
            amount(&self.x_name, self.x, true),
            amount(&p.y, p.value, false),
            p.tolerance * 100.0
        )
    }

    /// One series against the prediction, in words, from its light: "tokio: 1.01 s, 1.01x your prediction,
    /// within your ±5%."
    pub fn row_sentence(&self, r: &CheckRow) -> String {
        let t = self.prediction.tolerance * 100.0;
        let how = match r.light {
            Light::Green => format!("within your ±{t:.0}%"),
            Light::Amber => format!("outside your ±{t:.0}% but within three times it (±{:.0}%)", 3.0 * t),
            Light::Red => format!("off by more than three times your ±{t:.0}%"),
        };
        format!(
            "{}: {}, {:.2}x your prediction, {how}.",
            r.series,
            amount(&self.prediction.y, r.measured, false),
            r.ratio
        )
    }
}

/// A field's name in words: "runtime_s" is the runtime, "latency_ms" the latency.
fn quantity_words(field: &str) -> String {
    match field {
        "runtime_s" => "the runtime".into(),
        "wall_s" => "the wall time".into(),
        f => format!("the {}", f.trim_end_matches("_ms").trim_end_matches("_s").replace('_', " ")),
    }
}

/// A value of the field `field` with its unit, and with the field's name where `named`: "1.01 s", "latency 50 ms",
/// "limit 100".
fn amount(field: &str, v: f64, named: bool) -> String {
    let number = format!("{v:.3}").trim_end_matches('0').trim_end_matches('.').to_string();
    let (base, value) = if let Some(base) = field.strip_suffix("_ms") {
        (base, format!("{number} ms"))
    } else if let Some(base) = field.strip_suffix("_s") {
        (base, crate::units::fmt_s(v))
    } else {
        (field, number)
    };
    if named {
        format!("{} {value}", base.replace('_', " "))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{Machine, Series};

    fn result_with(points: &[(&str, f64)]) -> LabResult {
        LabResult {
            experiment: "q3".into(),
            params: serde_json::json!({}),
            machine: Machine::default(),
            headline: String::new(),
            series: points
                .iter()
                .map(|(n, v)| Series { points: vec![[100.0, *v]], ..Series::new(n, "limit", "runtime_s") })
                .collect(),
            claims: vec![],
            ..Default::default()
        }
    }

    #[test]
    fn lights_follow_the_tolerance() {
        let r = result_with(&[("tokio", 1.01), ("threads", 1.12), ("python", 1.5), ("ideal", 1.0)]);
        let c = Prediction::runtime_s(1.0).at(100.0).check(&r).unwrap();
        assert_eq!(c.row("tokio").unwrap().light, Light::Green);
        assert_eq!(c.row("threads").unwrap().light, Light::Amber);
        assert_eq!(c.row("python").unwrap().light, Light::Red);
        assert!(c.row("ideal").is_none());
        let only = Prediction::runtime_s(1.0).at(100.0).of("threads").check(&r).unwrap();
        assert_eq!(only.rows.len(), 1);
        let e = Prediction::runtime_s(1.0).of("rayon").check(&r).unwrap_err();
        assert!(e.message.contains("no series `rayon`"), "{e}");
    }

    #[test]
    fn the_verdict_cell_notes_an_unchecked_prediction_instead_of_failing() {
        let r = result_with(&[("tokio", 2.0)]);
        let html = crate::display::verdicts(&Prediction::runtime_s(1.0).at(50.0), &r).unwrap().0;
        assert!(html.contains("Your prediction was not checked") && html.contains("only at [100]"), "{html}");
        let html = crate::display::verdicts(&Prediction::runtime_s(2.0).at(100.0), &r).unwrap().0;
        assert!(html.contains("within your ±5%") && !html.contains("not checked"), "{html}");
    }

    #[test]
    fn each_light_is_said_as_a_sentence() {
        let r = result_with(&[("tokio", 1.01), ("threads", 1.12), ("python", 1.5)]);
        let c = Prediction::runtime_s(1.0).at(100.0).check(&r).unwrap();
        assert_eq!(c.prediction_sentence(), "You predicted the runtime at limit 100: 1.000 s (±5%).");
        let says = |s: &str| c.row_sentence(c.row(s).unwrap());
        assert_eq!(says("tokio"), "tokio: 1.010 s, 1.01x your prediction, within your ±5%.");
        assert_eq!(
            says("threads"),
            "threads: 1.120 s, 1.12x your prediction, outside your ±5% but within three times it (±15%)."
        );
        assert_eq!(says("python"), "python: 1.500 s, 1.50x your prediction, off by more than three times your ±5%.");
        assert_eq!(amount("latency_ms", 50.0, true), "latency 50 ms");
        assert_eq!(amount("speedup", 1.25, false), "1.25");
    }

    #[test]
    fn a_prediction_where_nothing_was_measured_says_where_things_were() {
        let r = result_with(&[("tokio", 1.0)]);
        let e = Prediction::runtime_s(1.0).at(7.0).check(&r).unwrap_err();
        assert!(e.message.contains("only at [100]"), "{e}");
        let e = Prediction::runtime_s(-1.0).check(&r).unwrap_err();
        assert!(e.message.contains("above 0"), "{e}");
    }
}
