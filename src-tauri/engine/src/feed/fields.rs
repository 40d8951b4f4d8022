//! Field-level parsing shared by the RSS and Atom mappings: durations, dates, numbers.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

/// Parses `itunes:duration`: plain seconds ("1234", "1234.5"), `M:SS`, `MM:SS`, `H:MM:SS`.
/// Returns whole seconds; `None` for empty or unreadable values.
pub fn parse_duration_s(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    let mut total = 0f64;
    for (i, part) in parts.iter().enumerate() {
        let part = part.trim();
        let is_last = i + 1 == parts.len();
        let value: f64 = if is_last {
            part.parse().ok()?
        } else {
            part.parse::<u32>().ok()? as f64
        };
        if !value.is_finite() || value < 0.0 {
            return None;
        }
        total = total * 60.0 + value;
    }
    if total > u32::MAX as f64 {
        return None;
    }
    Some(total.round() as u32)
}

/// Parses an RSS `pubDate` (RFC 2822, with the usual real-world deviations) or an ISO 8601
/// date, into UTC.
pub fn parse_published(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    lenient_rfc2822(text).or_else(|| lenient_iso(text))
}

/// Handles what real feeds write instead of RFC 2822: no weekday or a wrong one, full month or
/// day names, missing seconds, zone names chrono does not know, no zone at all (taken as UTC).
fn lenient_rfc2822(text: &str) -> Option<DateTime<Utc>> {
    let cleaned = text.replace(',', " ");
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    // Drop a leading weekday of any spelling.
    if words
        .first()
        .is_some_and(|w| w.chars().all(|c| c.is_ascii_alphabetic()) && month_number(w).is_none())
    {
        words.remove(0);
    }
    if words.len() < 4 {
        return None;
    }
    let (day, month) = match (words[0].parse::<u32>(), month_number(words[1])) {
        (Ok(d), Some(m)) => (d, m),
        // "Jan 02 2020 …"
        _ => (words[1].parse::<u32>().ok()?, month_number(words[0])?),
    };
    let mut year: i32 = words[2].parse().ok()?;
    if year < 100 {
        year += if year < 50 { 2000 } else { 1900 };
    }
    let time: Vec<u32> = words[3]
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    let (h, m, s) = match time.as_slice() {
        [h, m] => (*h, *m, 0),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    let offset = words.get(4).map_or(Some(0), |z| zone_offset_s(z))?;
    let naive = chrono::NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(h, m, s.min(59))?;
    let zone = FixedOffset::east_opt(offset)?;
    Some(
        zone.from_local_datetime(&naive)
            .single()?
            .with_timezone(&Utc),
    )
}

fn lenient_iso(text: &str) -> Option<DateTime<Utc>> {
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(Utc.from_utc_datetime(&naive));
        }
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|naive| Utc.from_utc_datetime(&naive))
}

fn month_number(word: &str) -> Option<u32> {
    let prefix: String = word
        .chars()
        .take(3)
        .collect::<String>()
        .to_ascii_lowercase();
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    months
        .iter()
        .position(|m| *m == prefix)
        .map(|i| i as u32 + 1)
}

fn zone_offset_s(zone: &str) -> Option<i32> {
    let named = match zone.to_ascii_uppercase().as_str() {
        "GMT" | "UT" | "UTC" | "Z" => Some(0),
        "EST" => Some(-5),
        "EDT" => Some(-4),
        "CST" => Some(-6),
        "CDT" => Some(-5),
        "MST" => Some(-7),
        "MDT" => Some(-6),
        "PST" => Some(-8),
        "PDT" => Some(-7),
        "CET" => Some(1),
        "CEST" => Some(2),
        "BST" => Some(1),
        _ => None,
    };
    if let Some(hours) = named {
        return Some(hours * 3600);
    }
    let (sign, digits) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return Some(0),
    };
    let digits: String = digits.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() != 4 {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    Some(sign * (hours * 3600 + minutes * 60))
}

/// A positive integer such as `itunes:season`; `None` for anything else.
pub fn parse_count(text: &str) -> Option<u32> {
    text.trim().parse::<u32>().ok()
}

/// Trims and turns an empty string into `None`.
pub fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_in_every_format() {
        assert_eq!(parse_duration_s("1234"), Some(1234));
        assert_eq!(parse_duration_s("1234.6"), Some(1235));
        assert_eq!(parse_duration_s("5:07"), Some(307));
        assert_eq!(parse_duration_s("45:07"), Some(2707));
        assert_eq!(parse_duration_s("1:02:03"), Some(3723));
        assert_eq!(parse_duration_s("01:02:03"), Some(3723));
        assert_eq!(parse_duration_s(" 90 "), Some(90));
        assert_eq!(parse_duration_s(""), None);
        assert_eq!(parse_duration_s("about an hour"), None);
        assert_eq!(parse_duration_s("1:2:3:4"), None);
        assert_eq!(parse_duration_s("-5"), None);
    }

    #[test]
    fn published_accepts_rfc2822_and_real_world_variants() {
        let expect = |s: &str, iso: &str| {
            let got = parse_published(s).map(|t| t.to_rfc3339());
            assert_eq!(got.as_deref(), Some(iso), "{s}");
        };
        expect("Tue, 10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00+00:00");
        expect(
            "Tue, 10 Jun 2003 04:00:00 +0200",
            "2003-06-10T02:00:00+00:00",
        );
        expect("Wed, 10 Jun 2003 04:00:00 PDT", "2003-06-10T11:00:00+00:00");
        expect(
            "Tuesday, 10 June 2003 04:00 GMT",
            "2003-06-10T04:00:00+00:00",
        );
        expect("10 Jun 2003 04:00:00", "2003-06-10T04:00:00+00:00");
        expect("2003-06-10T04:00:00Z", "2003-06-10T04:00:00+00:00");
        expect("2003-06-10", "2003-06-10T00:00:00+00:00");
        assert_eq!(parse_published("yesterday"), None);
    }
}
