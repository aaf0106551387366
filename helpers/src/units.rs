//! How numbers are written in headlines and evidence: seconds, milliseconds, MiB, ratios.

/// Seconds, with a unit that fits: "850 ms", "1.013 s", "10.01 s".
pub fn fmt_s(s: f64) -> String {
    if s < 1.0 {
        format!("{:.1} ms", s * 1000.0)
    } else if s < 10.0 {
        format!("{s:.3} s")
    } else {
        format!("{s:.2} s")
    }
}

/// Milliseconds with three significant figures or so, in µs below a tenth of one (so a few µs never read as
/// "0.000 ms"): "34.0 µs", "0.456 ms", "4.09 ms", "474 ms"; none at all is "0 ms".
pub fn fmt_ms(ms: f64) -> String {
    if ms == 0.0 {
        "0 ms".into()
    } else if ms.abs() < 0.1 {
        Unit::Ms.show(ms)
    } else if ms < 1.0 {
        format!("{ms:.3} ms")
    } else if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// A measurement that may be missing (a variant that did not run, Python switched off): formatted, or "not run".
pub fn or_not_run(o: Option<f64>, fmt: impl Fn(f64) -> String) -> String {
    o.map_or_else(|| "not run".to_string(), fmt)
}

/// MiB, or KiB below one MiB: "25.2 MiB", "41 KiB".
pub fn fmt_mib(mib: f64) -> String {
    if mib >= 1.0 {
        format!("{mib:.1} MiB")
    } else {
        format!("{:.0} KiB", mib * 1024.0)
    }
}

/// A ratio at three significant figures: "202x", "20.2x", "1.01x", "0.00110x".
pub fn fmt_ratio(r: f64) -> String {
    Unit::Ratio.show(r)
}

/// A relative difference as "+1.3%".
pub fn fmt_pct(d: f64) -> String {
    format!("{:+.1}%", d * 100.0)
}

/// How a rule's numbers are written in evidence: each quantity names its unit, and `pair` writes a value beside
/// its line the one way every rule shares. The value at three significant figures, more where fewer would print
/// it equal to the line (1.049 against 1.05 reads "1.049x < 1.05x", never "1.05x < 1.05x"); the line as a rule
/// states it, trailing zeros trimmed ("10x", "1.05x", "50%").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A ratio: "202x", "1.01x".
    Ratio,
    /// Milliseconds, in µs below a tenth of one: "34.0 µs", "0.456 ms", "4.09 ms", "808 ms".
    Ms,
    /// A share as a percentage: "0.640%", "25.0%".
    Percent,
    /// A relative difference, signed: "+1.30%", "-20.0%".
    Change,
    /// Bytes, whole, as the judges' own sentences count a task's: "200 B", "1452 B".
    Bytes,
    /// MiB, in KiB below one: "41.0 KiB", "25.2 MiB".
    Mib,
    /// A count, in whole numbers: "1780".
    Count,
    /// A plain number (cores busy, a slope): "1.00", "0.980".
    Number,
}

/// Significant figures a value starts at, and the most it grows to where it would print equal to its line.
const SIG: usize = 3;
const MAX_SIG: usize = 6;
const KIB: f64 = 1024.0;

impl Unit {
    /// What a number is multiplied by to be shown, and the unit shown after it, chosen by its size.
    fn scale(self, v: f64) -> (f64, &'static str) {
        let a = v.abs();
        match self {
            Unit::Ratio => (1.0, "x"),
            Unit::Ms if a < 0.1 && a != 0.0 => (1000.0, " µs"),
            Unit::Ms => (1.0, " ms"),
            Unit::Percent | Unit::Change => (100.0, "%"),
            Unit::Bytes => (1.0, " B"),
            Unit::Mib if a >= 1.0 || a == 0.0 => (1.0, " MiB"),
            Unit::Mib => (KIB, " KiB"),
            Unit::Count | Unit::Number => (1.0, ""),
        }
    }

    /// A value on its own, at three significant figures: "202x", "4.09 ms".
    pub fn show(self, v: f64) -> String {
        self.write(v, SIG, false).0
    }

    /// A value and its line, written so that the printed value reads on its side of the printed line.
    pub fn pair(self, value: f64, line: f64) -> (String, String) {
        let mut sig = SIG;
        loop {
            let (v, v_shown) = self.write(value, sig, false);
            let (l, l_shown) = self.write(line, sig, true);
            if v_shown != l_shown || value == line || sig >= MAX_SIG {
                return (v, l);
            }
            sig += 1;
        }
    }

    /// `v` at `sig` significant figures (whole counts and bytes, unless more digits are asked for), trailing zeros
    /// trimmed if `trim`; and the number the text says, back in `v`'s units, to compare with another.
    fn write(self, v: f64, sig: usize, trim: bool) -> (String, f64) {
        if !v.is_finite() {
            return (format!("{v}{}", self.scale(1.0).1), v);
        }
        // The unit is chosen by the rounded value: 0.09996 ms is "0.100 ms", not "100.0 µs".
        let (factor, suffix) = self.scale(round_sig(v, sig));
        let shown = v * factor;
        let whole = matches!(self, Unit::Count | Unit::Bytes);
        let decimals = if whole { sig - SIG } else { decimals(round_sig(shown, sig), sig) };
        let mut s = format!("{shown:.decimals$}");
        if trim && s.contains('.') {
            s = s.trim_end_matches('0').trim_end_matches('.').to_string();
        }
        let back = s.parse::<f64>().unwrap_or(shown) / factor;
        if back == 0.0 {
            s = s.trim_start_matches('-').to_string();
        }
        if self == Unit::Change && back > 0.0 {
            s.insert(0, '+');
        }
        (format!("{s}{suffix}"), back)
    }
}

/// Decimals that show `x` at `sig` significant figures (none below the units digit); zero counts as one digit.
fn decimals(x: f64, sig: usize) -> usize {
    let magnitude = if x == 0.0 { 0 } else { x.abs().log10().floor() as i64 };
    (sig as i64 - 1 - magnitude).max(0) as usize
}

fn round_sig(x: f64, sig: usize) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let p = 10f64.powi(sig as i32 - 1 - x.abs().log10().floor() as i32);
    (x * p).round() / p
}

/// Year, month, day, hour, minute, second of `t` in UTC (civil-from-days: no date crate for a timestamp).
fn civil(t: std::time::SystemTime) -> (i64, i64, i64, i64, i64, i64) {
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
    (year, month, day, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// `t` as "YYYY-MM-DD HH:MM UTC", for people.
pub fn utc(t: std::time::SystemTime) -> String {
    let (y, mo, d, h, mi, _) = civil(t);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC")
}

/// `t` as RFC 3339 in UTC ("2026-12-01T22:07:17Z"), for files: it sorts as it reads.
pub fn rfc3339(t: std::time::SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn values_at_three_figures_and_lines_as_stated() {
        assert_eq!(Unit::Ratio.pair(201.759, 10.0), ("202x".into(), "10x".into()));
        assert_eq!(Unit::Ratio.pair(20.17, 1.05), ("20.2x".into(), "1.05x".into()));
        assert_eq!(Unit::Ratio.pair(1.013, 0.5), ("1.01x".into(), "0.5x".into()));
        assert_eq!(Unit::Number.pair(1.0, 1.5), ("1.00".into(), "1.5".into()));
        assert_eq!(Unit::Percent.pair(0.0064, 0.25), ("0.640%".into(), "25%".into()));
        assert_eq!(Unit::Change.pair(0.013, 0.05), ("+1.30%".into(), "+5%".into()));
        assert_eq!(Unit::Change.pair(-0.2, 0.05), ("-20.0%".into(), "+5%".into()));
        assert_eq!(Unit::Count.pair(1780.0, 100.0), ("1780".into(), "100".into()));
        assert_eq!(Unit::Bytes.pair(200.0, 16.0), ("200 B".into(), "16 B".into()));
        assert_eq!(Unit::Bytes.pair(1452.0, 16.0), ("1452 B".into(), "16 B".into()));
        assert_eq!(Unit::Mib.pair(139.3, 10_000_000.0 / (KIB * KIB)), ("139 MiB".into(), "9.54 MiB".into()));
        assert_eq!(Unit::Ms.pair(0.0004, 1.0), ("0.400 µs".into(), "1 ms".into()));
        assert_eq!(Unit::Ms.pair(808.0, 50.0), ("808 ms".into(), "50 ms".into()));
        assert_eq!(Unit::Ratio.show(9.996), "10.0x");
    }

    #[test]
    fn a_value_near_its_line_gets_the_digits_that_tell_them_apart() {
        assert_eq!(Unit::Ratio.pair(1.049, 1.05), ("1.049x".into(), "1.05x".into()));
        assert_eq!(Unit::Ratio.pair(1.0501, 1.05), ("1.0501x".into(), "1.05x".into()));
        assert_eq!(Unit::Percent.pair(0.0499, 0.05), ("4.99%".into(), "5%".into()));
        assert_eq!(Unit::Count.pair(99.6, 100.0), ("99.6".into(), "100".into()));
        // Equal numbers print equal, at three figures.
        assert_eq!(Unit::Ratio.pair(1.5, 1.5), ("1.50x".into(), "1.5x".into()));
        assert_eq!(Unit::Ratio.show(f64::INFINITY), "infx");
    }

    #[test]
    fn small_durations_in_microseconds() {
        assert_eq!(fmt_ms(0.0004), "0.400 µs");
        assert_eq!(fmt_ms(0.034), "34.0 µs");
        assert_eq!(fmt_ms(0.456), "0.456 ms");
        assert_eq!(fmt_ms(0.0), "0 ms");
        assert_eq!(fmt_ms(474.2), "474 ms");
    }

    #[test]
    fn timestamps_in_utc() {
        let t = UNIX_EPOCH + Duration::from_secs(1_796_162_837); // 2026-12-01 22:07:17 UTC
        assert_eq!(rfc3339(t), "2026-12-01T22:07:17Z");
        assert_eq!(utc(t), "2026-12-01 22:07 UTC");
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)), "2000-02-29T00:00:00Z");
    }
}
