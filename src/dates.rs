//! Calendar dates: parsing `YYYY-MM-DD` / `YYYYMMDD` strictly, and deciding
//! what "today" is (`--today`, then `RULEGATE_TODAY`, then the system date).

pub use jiff::civil::Date;

/// Environment variable that sets the date TTLs are judged against.
pub const TODAY_ENV: &str = "RULEGATE_TODAY";

/// A date as written in a TOML file: a string (`"2026-12-01"`) or a native
/// TOML date (`2026-12-01`), kept as its `YYYY-MM-DD` text; [`parse_iso`]
/// judges it, so both spellings get the same errors.
#[derive(Debug, Clone, PartialEq, Eq, schemars::JsonSchema)]
#[schemars(with = "String")]
pub struct DateText(pub String);

impl<'de> serde::Deserialize<'de> for DateText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged, expecting = "a date, `YYYY-MM-DD` (quoted or not)")]
        enum Raw {
            Text(String),
            Toml(toml::value::Datetime),
        }
        Ok(DateText(match Raw::deserialize(d)? {
            Raw::Text(s) => s,
            Raw::Toml(dt) => dt.to_string(),
        }))
    }
}

impl std::ops::Deref for DateText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// Parses `YYYY-MM-DD`, rejecting impossible dates such as 2025-02-30.
pub fn parse_iso(s: &str) -> Result<Date, String> {
    let bytes = s.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(format!("`{s}` is not a date of the form YYYY-MM-DD"));
    }
    ymd(&s[0..4], &s[5..7], &s[8..10], s)
}

/// Parses the compact `YYYYMMDD` form used by `EXCEPTION-YYYYMMDD` tags.
pub fn parse_compact(s: &str) -> Result<Date, String> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{s}` is not a date of the form YYYYMMDD"));
    }
    ymd(&s[0..4], &s[4..6], &s[6..8], s)
}

fn ymd(y: &str, m: &str, d: &str, original: &str) -> Result<Date, String> {
    let (y, m, d): (i16, i8, i8) = (
        y.parse().map_err(|_| format!("bad year in `{original}`"))?,
        m.parse()
            .map_err(|_| format!("bad month in `{original}`"))?,
        d.parse().map_err(|_| format!("bad day in `{original}`"))?,
    );
    Date::new(y, m, d).map_err(|_| format!("`{original}` is not a real calendar date"))
}

/// Resolves today's date: an explicit value, else `RULEGATE_TODAY`, else the system clock.
pub fn resolve_today(explicit: Option<&str>) -> Result<Date, String> {
    if let Some(s) = explicit {
        return parse_iso(s).map_err(|e| format!("--today: {e}"));
    }
    if let Ok(s) = std::env::var(TODAY_ENV)
        && !s.is_empty()
    {
        return parse_iso(&s).map_err(|e| format!("{TODAY_ENV}: {e}"));
    }
    Ok(jiff::Zoned::now().date())
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    let span = from.until(to).expect("dates within jiff's range");
    span.get_days() as i64
}

/// `date` plus `days` days, saturating at the end of the calendar.
pub fn add_days(date: Date, days: i64) -> Date {
    // `Span::days` panics past jiff's range; a pack may ask for any TTL.
    jiff::Span::new()
        .try_days(days)
        .ok()
        .and_then(|span| date.checked_add(span).ok())
        .unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_iso_dates() {
        assert_eq!(
            parse_iso("2026-03-01").unwrap(),
            Date::new(2026, 3, 1).unwrap()
        );
        assert!(parse_iso("2025-02-30").unwrap_err().contains("not a real"));
        assert!(parse_iso("2025-2-3").is_err());
        assert!(parse_iso("tomorrow").is_err());
        assert_eq!(
            parse_compact("20260101").unwrap(),
            Date::new(2026, 1, 1).unwrap()
        );
        assert!(parse_compact("20261301").is_err());
    }

    #[test]
    fn day_arithmetic() {
        let a = Date::new(2026, 1, 1).unwrap();
        assert_eq!(add_days(a, 90), Date::new(2026, 4, 1).unwrap());
        assert_eq!(days_between(a, Date::new(2026, 4, 1).unwrap()), 90);
        assert_eq!(days_between(Date::new(2026, 4, 1).unwrap(), a), -90);
        assert_eq!(add_days(a, 4_000_000_000), Date::MAX);
        assert_eq!(add_days(a, -4_000_000_000), Date::MIN);
    }

    #[test]
    fn explicit_today_wins() {
        assert_eq!(
            resolve_today(Some("2026-11-21")).unwrap(),
            Date::new(2026, 11, 21).unwrap()
        );
        assert!(resolve_today(Some("2026-13-01")).is_err());
    }
}
