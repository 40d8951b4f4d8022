//! Podlove Simple Chapters (`psc:chapters` in a feed), whose starts are Normal Play Time:
//! `01:35:52`, `7:48`, `35:12.250`, `37`.

use super::model::{Chapter, ChapterSource};
use crate::feed::PodloveChapterRef;

/// Parses Normal Play Time (`[[HH:]MM:]SS[.mmm]`) into milliseconds.
pub fn parse_npt(text: &str) -> Option<u64> {
    let text = text.trim();
    let (clock, fraction) = match text.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (text, None),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let mut seconds: u64 = 0;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || part.len() > 9 {
            return None;
        }
        let value: u64 = part.parse().ok()?;
        // Minutes and seconds after the first field are two-digit clock fields.
        if i > 0 && value >= 60 {
            return None;
        }
        seconds = seconds.checked_mul(60)?.checked_add(value)?;
    }
    let millis = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            let padded = format!("{f:0<3}");
            padded[..3].parse::<u64>().ok()?
        }
        Some(_) => return None,
    };
    seconds.checked_mul(1000)?.checked_add(millis)
}

/// The feed's Podlove chapters as chapters; entries with unreadable starts are skipped.
pub fn chapters(refs: &[PodloveChapterRef]) -> Vec<Chapter> {
    let mut chapters: Vec<Chapter> = refs
        .iter()
        .filter_map(|r| {
            let mut chapter =
                Chapter::new(parse_npt(&r.start)?, r.title.trim(), ChapterSource::Podlove);
            chapter.url = r
                .href
                .clone()
                .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
            chapter.img = r
                .image
                .clone()
                .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
            Some(chapter)
        })
        .collect();
    chapters.sort_by_key(|c| c.start_ms);
    chapters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_play_time_in_every_form() {
        assert_eq!(parse_npt("01:35:52"), Some(5_752_000));
        assert_eq!(parse_npt("7:48"), Some(468_000));
        assert_eq!(parse_npt("35:12.250"), Some(2_112_250));
        assert_eq!(parse_npt("37"), Some(37_000));
        assert_eq!(parse_npt("0:00:03.5"), Some(3_500));
        assert_eq!(parse_npt("00:00:00.000"), Some(0));
        for bad in ["", "1:2:3:4", "a:00", "10:75", "1.", "-3", "1:00.x"] {
            assert_eq!(parse_npt(bad), None, "{bad}");
        }
    }
}
