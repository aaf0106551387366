//! Synthetic results for the judges' unit tests: a result of `experiment` with given params, points added one
//! by one, so each test states exactly the numbers its rule sees.

use crate::result::{Claim, LabResult, Machine, Series};

/// Claim `id` as a question's rules (`claims`) judge `r` with params `p`.
pub fn judged<P>(
    claims: fn(&P, &LabResult) -> crate::error::Result<Vec<Claim>>,
    p: &P,
    r: &LabResult,
    id: &str,
) -> Claim {
    let all = claims(p, r).unwrap_or_else(|e| panic!("judging {id}: {}", e.message));
    all.into_iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no claim {id} judged"))
}

/// A claim's (Rust, Python) verdicts, for one-line asserts.
pub fn verdicts(c: &Claim) -> (crate::result::Verdict, crate::result::Verdict) {
    (c.rust.verdict, c.python.verdict)
}

/// A result of `experiment` with `params` (missing fields take the defaults when a judge parses them), on a
/// 2-core machine whose Python ran and has a GIL.
pub fn result(experiment: &str, params: serde_json::Value) -> LabResult {
    LabResult {
        experiment: experiment.into(),
        params,
        machine: Machine {
            cores: 2,
            cpu: "test CPU".into(),
            python: "Python 3.11.7".into(),
            python_gil: Some(true),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Sets `y` of series `name` at `x` to `v` (the series is made on first use; `x_name` labels its x axis).
pub fn set(r: &mut LabResult, name: &str, x_name: &str, y: &str, x: f64, v: f64) {
    let i = match r.series.iter().position(|s| s.name == name && s.y == y) {
        Some(i) => i,
        None => {
            r.series.push(Series::new(name, x_name, y));
            r.series.len() - 1
        }
    };
    let s = &mut r.series[i];
    match s.points.iter_mut().find(|p| (p[0] - x).abs() < 1e-9) {
        Some(p) => p[1] = v,
        None => s.points.push([x, v]),
    }
}

/// The claims of a result judged without the Python twin: every Python verdict "not measured", no Rust one.
pub fn assert_only_python_not_measured(claims: &[Claim]) {
    for c in claims {
        assert_eq!(c.python.verdict, crate::result::Verdict::NotMeasured, "{}", c.id);
        assert_ne!(c.rust.verdict, crate::result::Verdict::NotMeasured, "{}", c.id);
    }
}

/// The same result as if the Python twin had not run.
pub fn without_python(mut r: LabResult) -> LabResult {
    r.machine.python = "not run (python: false)".into();
    r.machine.python_gil = None;
    r.series.retain(|s| !s.name.starts_with("python"));
    r
}

/// The same result as if it came from a machine with `cores` cores (rules about parallelism read them).
pub fn on_cores(mut r: LabResult, cores: usize) -> LabResult {
    r.machine.cores = cores;
    r
}

/// The same result as if its Python ran free-threaded (no GIL).
pub fn free_threaded(mut r: LabResult) -> LabResult {
    r.machine.python_gil = Some(false);
    r
}
