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

/// Milliseconds with three significant figures or so: "0.034 ms", "4.09 ms", "474 ms".
pub fn fmt_ms(ms: f64) -> String {
    if ms < 1.0 {
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

/// A ratio as "1.013x".
pub fn fmt_ratio(r: f64) -> String {
    format!("{r:.3}x")
}

/// A relative difference as "+1.3%".
pub fn fmt_pct(d: f64) -> String {
    format!("{:+.1}%", d * 100.0)
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
    fn timestamps_in_utc() {
        let t = UNIX_EPOCH + Duration::from_secs(1_796_162_837); // 2026-12-01 22:07:17 UTC
        assert_eq!(rfc3339(t), "2026-12-01T22:07:17Z");
        assert_eq!(utc(t), "2026-12-01 22:07 UTC");
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)), "2000-02-29T00:00:00Z");
    }
}
