//! Summaries of repeated measurements: min, median, max. Pure functions, shared by both sides of the runner.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Summary {
    /// Summarises `samples`; an empty slice gives NaNs rather than a panic.
    pub fn of(samples: &[f64]) -> Summary {
        if samples.is_empty() {
            return Summary { min: f64::NAN, median: f64::NAN, max: f64::NAN };
        }
        let mut v = samples.to_vec();
        v.sort_by(|a, b| a.total_cmp(b));
        let n = v.len();
        let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
        Summary { min: v[0], median, max: v[n - 1] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(Summary::of(&[3.0, 1.0, 2.0]).median, 2.0);
        assert_eq!(Summary::of(&[4.0, 1.0, 2.0, 3.0]).median, 2.5);
        let s = Summary::of(&[5.0, -1.0]);
        assert_eq!((s.min, s.max), (-1.0, 5.0));
        assert!(Summary::of(&[]).median.is_nan());
    }
}
