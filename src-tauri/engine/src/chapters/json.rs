//! Podcasting 2.0 JSON chapters (`application/json+chapters`):
//! `{"version":"1.2.0","chapters":[{"startTime":0,"title":"Intro","img":…,"url":…,"toc":false}]}`.
//! Lenient like the apps that read it: numbers may be strings, missing titles become empty.

use serde_json::Value;

use super::model::{Chapter, ChapterSource};

/// Why a JSON chapters document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum JsonChaptersError {
    #[error("not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    #[error("no \"chapters\" list in the document")]
    NoChapterList,
}

/// Reads a JSON chapters document. Entries without a usable `startTime` are skipped.
pub fn parse(bytes: &[u8]) -> Result<Vec<Chapter>, JsonChaptersError> {
    let doc: Value = serde_json::from_slice(bytes)?;
    let list = doc
        .get("chapters")
        .and_then(Value::as_array)
        .ok_or(JsonChaptersError::NoChapterList)?;
    let mut chapters: Vec<Chapter> = list.iter().filter_map(chapter).collect();
    chapters.sort_by_key(|c| c.start_ms);
    Ok(chapters)
}

fn chapter(entry: &Value) -> Option<Chapter> {
    let start_ms = seconds_to_ms(entry.get("startTime")?)?;
    let title = entry
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim();
    let mut chapter = Chapter::new(start_ms, title, ChapterSource::PodcastJson);
    chapter.end_ms = entry
        .get("endTime")
        .and_then(seconds_to_ms)
        .filter(|end| *end > start_ms);
    chapter.url = web_url(entry.get("url"));
    chapter.img = web_url(entry.get("img"));
    chapter.is_hidden = entry.get("toc").and_then(Value::as_bool) == Some(false);
    Some(chapter)
}

fn seconds_to_ms(value: &Value) -> Option<u64> {
    let seconds = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (seconds.is_finite() && (0.0..1e9).contains(&seconds))
        .then(|| (seconds * 1000.0).round() as u64)
}

/// Only http(s) links and images are kept: they end up in the UI.
fn web_url(value: Option<&Value>) -> Option<String> {
    let url = value?.as_str()?.trim();
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_spec_fields_and_hides_toc_false() {
        let json = br#"{"version":"1.2.0","chapters":[
            {"startTime":0,"title":"Intro","img":"https://e.com/i.jpg"},
            {"startTime":"168.5","title":" Hidden art ","toc":false},
            {"startTime":60,"title":"Second","url":"javascript:alert(1)","endTime":120}
        ]}"#;
        let chapters = parse(json).expect("parse");
        assert_eq!(chapters.len(), 3);
        assert_eq!(chapters[1].start_ms, 60_000);
        assert_eq!(chapters[1].end_ms, Some(120_000));
        assert_eq!(chapters[1].url, None, "non-web URLs are dropped");
        assert_eq!(chapters[2].title, "Hidden art");
        assert_eq!(chapters[2].start_ms, 168_500);
        assert!(chapters[2].is_hidden);
        assert_eq!(chapters[0].img.as_deref(), Some("https://e.com/i.jpg"));
    }

    #[test]
    fn bad_documents_are_errors_and_bad_entries_are_skipped() {
        assert!(matches!(
            parse(b"<html>"),
            Err(JsonChaptersError::NotJson(_))
        ));
        assert!(matches!(
            parse(b"{\"version\":1}"),
            Err(JsonChaptersError::NoChapterList)
        ));
        let chapters =
            parse(br#"{"chapters":[{"title":"no start"},{"startTime":-1},{"startTime":5}]}"#)
                .expect("parse");
        assert_eq!(chapters.len(), 1);
        assert_eq!(chapters[0].title, "");
    }
}
