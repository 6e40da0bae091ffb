//! Dates on the command line, parsed and shown with `jiff`:
//!
//! - `2027-03-01`: that day in UTC (as an end — `--ends`, `--until` — the end of that day);
//! - `2027-03-01T18:30` or `2027-03-01 18:30[:SS]`: UTC;
//! - `2027-03-01T18:30+03:00`, `…Z`: that offset;
//! - `2027-03-01T18:30[Africa/Nairobi]`: that time zone;
//! - a number of more than 8 digits: milliseconds since the Unix epoch.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

const DAY_MS: u64 = 86_400_000;

fn bad(text: &str) -> String {
    format!(
        "{text:?} is not a date; use YYYY-MM-DD, YYYY-MM-DDTHH:MM (UTC), or add an offset or \
         zone: 2027-03-01T18:30+03:00, 2027-03-01T18:30[Africa/Nairobi]"
    )
}

fn to_ms(ts: Timestamp, text: &str) -> Result<u64, String> {
    u64::try_from(ts.as_millisecond()).map_err(|_| format!("{text:?} is before 1970"))
}

/// Parses a date or a date-time; returns ms since the Unix epoch and whether it was a date
/// alone.
fn parse_any(text: &str) -> Result<(u64, bool), String> {
    let t = text.trim();
    if t.len() > 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse()
            .map(|ms| (ms, false))
            .map_err(|_| format!("{t:?} is too large"));
    }
    if t.contains('[') {
        let z: jiff::Zoned = t.parse().map_err(|e| format!("{}: {e}", bad(text)))?;
        return Ok((to_ms(z.timestamp(), text)?, false));
    }
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok((to_ms(ts, text)?, false));
    }
    let date_only = !t.contains(['T', 't', ' ']);
    if date_only {
        let d: Date = t.parse().map_err(|_| bad(text))?;
        let z = d.to_zoned(TimeZone::UTC).map_err(|_| bad(text))?;
        return Ok((to_ms(z.timestamp(), text)?, true));
    }
    let dt: DateTime = t.parse().map_err(|_| bad(text))?;
    let z = dt.to_zoned(TimeZone::UTC).map_err(|_| bad(text))?;
    Ok((to_ms(z.timestamp(), text)?, false))
}

/// The start of a span (`--since`, `--starts`, `--expires`): a date alone is its midnight UTC.
pub fn parse(text: &str) -> Result<u64, String> {
    parse_any(text).map(|(ms, _)| ms)
}

/// The end of a span (`--until`, `--ends`): a date alone means the end of that day
/// (23:59:59.999 UTC), so the day is included.
pub fn parse_end(text: &str) -> Result<u64, String> {
    let (ms, date_only) = parse_any(text)?;
    Ok(if date_only { ms + DAY_MS - 1 } else { ms })
}

fn timestamp(ms: u64) -> Option<Timestamp> {
    Timestamp::from_millisecond(i64::try_from(ms).ok()?).ok()
}

/// `2027-03-01 18:30` (UTC) for tables.
pub fn format(ms: u64) -> String {
    match timestamp(ms) {
        Some(ts) => ts.strftime("%Y-%m-%d %H:%M").to_string(),
        None => format!("{ms} ms"),
    }
}

/// `2027-03-01` for dates alone.
pub fn format_day(ms: u64) -> String {
    match timestamp(ms) {
        Some(ts) => ts.strftime("%Y-%m-%d").to_string(),
        None => format!("{ms} ms"),
    }
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
        assert_eq!(parse("2024-02-29 12:30"), Ok(1_709_209_800_000));
        assert!(parse("2023-02-29").is_err());
        assert!(parse("2026-13-01").is_err());
        assert!(parse("tomorrow").is_err());
        assert!(parse("1969-12-31").is_err());
        assert_eq!(parse("1767225600000"), Ok(1_767_225_600_000));
        assert_eq!(parse_end("2026-01-01"), Ok(1_767_225_600_000 + 86_399_999));
        assert_eq!(parse_end("2026-01-01T10:00"), parse("2026-01-01T10:00"));
        assert_eq!(format(1_709_209_800_000), "2024-02-29 12:30");
        assert_eq!(format_day(1_767_225_600_000), "2026-01-01");
    }

    #[test]
    fn offsets_and_zones_are_honoured() {
        // 18:30 at +03:00 is 15:30 UTC.
        assert_eq!(parse("2027-03-01T18:30+03:00"), parse("2027-03-01T15:30Z"));
        assert_eq!(parse("2027-03-01T18:30-05:00"), parse("2027-03-01T23:30"));
        // Nairobi is UTC+3 all year.
        assert_eq!(
            parse("2027-03-01T18:30[Africa/Nairobi]"),
            parse("2027-03-01T15:30")
        );
        assert!(parse("2027-03-01T18:30[Nowhere/Atlantis]").is_err());
    }
}
