//! Every parse and format of a date or time: policy Date conditions, config expiry days, `--since`,
//! and the timestamps of reports and snapshots.

/// Milliseconds since the epoch from the forms AWS accepts in Date conditions: epoch seconds, or ISO 8601
/// (`2026-11-29`, `2026-11-29T10:00:00Z`, with optional fraction and `±hh:mm` offset).
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok()?.checked_mul(1000);
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let year = num(0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = num(5, 2)?;
    let day = num(8, 2)?;
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * 86_400_000;
    let mut i = 10;
    if i == b.len() {
        return Some(millis);
    }
    if !matches!(b.get(i), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = num(i + 1, 2)?;
    if b.get(i + 3) != Some(&b':') {
        return None;
    }
    let minute = num(i + 4, 2)?;
    i += 6;
    let mut second = 0;
    if b.get(i) == Some(&b':') {
        second = num(i + 1, 2)?;
        i += 3;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    millis += ((hour * 60 + minute) * 60 + second) * 1000;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        let frac = &s[start..i.min(start + 3)];
        let scale = 10i64.pow(3 - frac.len() as u32);
        millis += frac.parse::<i64>().ok()? * scale;
    }
    match b.get(i) {
        None => Some(millis),
        Some(b'Z' | b'z') if i + 1 == b.len() => Some(millis),
        Some(&sign @ (b'+' | b'-')) => {
            let oh = num(i + 1, 2)?;
            let om = match b.get(i + 3) {
                Some(b':') => num(i + 4, 2)?,
                _ => num(i + 3, 2)?,
            };
            let end = if b.get(i + 3) == Some(&b':') { i + 6 } else { i + 5 };
            if end != b.len() || oh > 23 || om > 59 {
                return None;
            }
            let offset = (oh * 60 + om) * 60_000;
            Some(if sign == b'+' { millis - offset } else { millis + offset })
        }
        _ => None,
    }
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The current time as RFC 3339 UTC, to the second.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Howard Hinnant's days → (year, month, day).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since the epoch of a `YYYY-MM-DD` date.
pub fn parse_day(s: &str) -> Option<i64> {
    // Ten digits are epoch seconds to the Date-condition parser, not a day.
    if s.len() != 10 || s.as_bytes()[4] != b'-' {
        return None;
    }
    parse_date(s).map(|ms| ms.div_euclid(86_400_000))
}

/// Today (UTC) in days since the epoch.
pub fn today() -> i64 {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    secs.div_euclid(86_400)
}

/// An RFC 3339 date (midnight UTC) or date-time with `Z` or a `±HH:MM` offset, as epoch seconds.
pub fn parse_since(s: &str) -> Result<i64, String> {
    let invalid = || "expected an RFC 3339 date or time, for example 2026-11-01 or 2026-11-01T12:00:00Z".to_owned();
    if let Some(days) = parse_day(s) {
        return Ok(days * 86_400);
    }
    // RFC 3339 wants the `T` and a zone; the Date-condition parser is more lenient about both.
    let b = s.as_bytes();
    let zoned =
        s.ends_with(['Z', 'z']) || (b.len() > 6 && matches!(b[b.len() - 6], b'+' | b'-') && b[b.len() - 3] == b':');
    if b.len() < 20 || !matches!(b[10], b'T' | b't') || !zoned {
        return Err(invalid());
    }
    parse_date(s).map(|ms| ms.div_euclid(1000)).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for (days, date) in [(0, (1970, 1, 1)), (20_786, (2026, 11, 29)), (11_016, (2000, 2, 29))] {
            assert_eq!(civil_from_days(days), date);
            let text = format!("{:04}-{:02}-{:02}", date.0, date.1, date.2);
            assert_eq!(parse_day(&text), Some(days));
        }
        assert_eq!(parse_day("1764000000"), None);
    }

    #[test]
    fn since_takes_a_date_or_a_time() {
        assert_eq!(parse_since("1970-01-02"), Ok(86_400));
        assert_eq!(parse_since("2025-11-24T16:00:00Z"), Ok(1_764_000_000));
        assert_eq!(parse_since("2025-11-24T18:00:00+02:00"), Ok(1_764_000_000));
        assert_eq!(parse_since("2025-11-24T14:30:00-01:30"), Ok(1_764_000_000));
        assert_eq!(parse_since("2025-11-24T16:00:00.75Z"), Ok(1_764_000_000));
        assert!(parse_since("2025-11-24T16:00:00").is_err(), "a time needs its offset");
        assert!(parse_since("2025-11-24 16:00:00Z").is_err(), "RFC 3339 separates with T");
        assert!(parse_since("2025-11-24T16:00:00+24:00").is_err());
        assert!(parse_since("yesterday").unwrap_err().contains("RFC 3339"));
        assert!(parse_since("2025-13-01").is_err());
        assert!(parse_since("1764000000").is_err(), "epoch seconds are not RFC 3339");
    }
}
