//! Dates on the command line: `2027-03-01`, `2027-03-01T18:30`, `2027-03-01T18:30:00Z` (UTC),
//! or milliseconds since the Unix epoch.

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parses a date or date-time (UTC) into ms since the Unix epoch.
pub fn parse(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.len() > 8 {
        return t.parse().map_err(|_| format!("{t:?} is too large"));
    }
    let bad = || format!("{text:?} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC)");
    let t = t.strip_suffix('Z').unwrap_or(t);
    let (date, time) = match t.split_once(['T', ' ']) {
        Some((d, tm)) => (d, Some(tm)),
        None => (t, None),
    };
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let num = |s: &str, len: usize| -> Result<i64, String> {
        if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let (y, m, d) = (num(y, 4)?, num(m, 2)?, num(d, 2)?);
    if y < 1970 || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(bad());
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    if let Some(time) = time {
        let mut hms = time.split(':');
        let h = num(hms.next().ok_or_else(bad)?, 2)?;
        let mi = num(hms.next().ok_or_else(bad)?, 2)?;
        let s = match hms.next() {
            Some(s) => num(s, 2)?,
            None => 0,
        };
        if hms.next().is_some() || h > 23 || mi > 59 || s > 59 {
            return Err(bad());
        }
        secs += h * 3_600 + mi * 60 + s;
    }
    u64::try_from(secs * 1_000).map_err(|_| bad())
}

/// Parses the end of a span: like [`parse`], but a date alone means the end of that day
/// (23:59:59.999 UTC), so `--ends 2027-03-01` and `--until 2027-03-01` include that day.
pub fn parse_end(text: &str) -> Result<u64, String> {
    let start = parse(text)?;
    let t = text.trim();
    let date_only = t.len() == 10 && t.as_bytes().get(4) == Some(&b'-');
    Ok(if date_only {
        start + 86_400_000 - 1
    } else {
        start
    })
}

/// `2027-03-01 18:30` (UTC) for tables.
pub fn format(ms: u64) -> String {
    let secs = (ms / 1_000) as i64;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rem / 3_600,
        rem % 3_600 / 60
    )
}

/// `2027-03-01` for dates alone.
pub fn format_day(ms: u64) -> String {
    let (y, m, d) = civil_from_days(((ms / 1_000) as i64).div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_format() {
        assert_eq!(parse("1970-01-01"), Ok(0));
        assert_eq!(parse("2026-01-01"), Ok(1_767_225_600_000));
        assert_eq!(parse("2026-01-01T00:00:01Z"), Ok(1_767_225_601_000));
        assert_eq!(parse("2024-02-29T12:30"), Ok(1_709_209_800_000));
        assert!(parse("2023-02-29").is_err());
        assert!(parse("2026-13-01").is_err());
        assert!(parse("tomorrow").is_err());
        assert_eq!(parse("1767225600000"), Ok(1_767_225_600_000));
        assert_eq!(parse_end("2026-01-01"), Ok(1_767_225_600_000 + 86_399_999));
        assert_eq!(parse_end("2026-01-01T10:00"), parse("2026-01-01T10:00"));
        assert_eq!(format(1_709_209_800_000), "2024-02-29 12:30");
        assert_eq!(format_day(1_767_225_600_000), "2026-01-01");
        for days in [0i64, 59, 365, 10_000, 20_000, 40_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
