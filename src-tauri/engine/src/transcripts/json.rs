//! Podcast Index JSON: `{"version":"1.0.0","segments":[{"speaker","startTime","endTime","body"}]}`
//! (or a bare list of segments). Times are seconds, numbers or strings. Word-level segments,
//! which the spec's own example uses, are merged into sentences; longer segments stay as given.

use serde_json::Value;

use super::{RawCue, TranscriptError};

/// A pause longer than this starts a new cue even mid-sentence.
const MAX_GAP_MS: u64 = 1_500;

/// Unpunctuated speech is cut into cues of about this many words.
const MAX_WORDS: usize = 40;

struct Segment {
    start_ms: u64,
    end_ms: Option<u64>,
    speaker: Option<String>,
    body: String,
}

pub(super) fn read(text: &str) -> Result<Vec<RawCue>, TranscriptError> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| TranscriptError::Json(e.to_string()))?;
    let list = match &doc {
        Value::Array(list) => list,
        Value::Object(map) => map
            .get("segments")
            .and_then(Value::as_array)
            .ok_or_else(|| TranscriptError::Json("no \"segments\" list".to_string()))?,
        _ => {
            return Err(TranscriptError::Json(
                "neither an object nor a list".to_string(),
            ))
        }
    };
    let mut segments: Vec<Segment> = list.iter().filter_map(segment).collect();
    segments.sort_by_key(|s| s.start_ms);
    let words: usize = segments
        .iter()
        .map(|s| s.body.split_whitespace().count())
        .sum();
    // Word-level files average one word a segment (punctuation sometimes on its own).
    if words <= segments.len().saturating_mul(2) {
        Ok(merge(segments))
    } else {
        Ok(segments.into_iter().map(cue).collect())
    }
}

fn segment(value: &Value) -> Option<Segment> {
    let field = |names: &[&str]| names.iter().find_map(|n| value.get(*n));
    let body = match field(&["body", "text"])? {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    if body.is_empty() {
        return None;
    }
    // A start a little below zero is rounding; the segment is still there.
    let start_ms = seconds_to_ms(field(&["startTime", "start"])?)?.max(0.0) as u64;
    let end_ms = field(&["endTime", "end"])
        .and_then(seconds_to_ms)
        .filter(|end| *end >= 0.0)
        .map(|end| end as u64);
    let speaker = field(&["speaker"])
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Some(Segment {
        start_ms,
        end_ms,
        speaker,
        body,
    })
}

/// Milliseconds as a float, rounded; casting it to u64 saturates.
fn seconds_to_ms(value: &Value) -> Option<f64> {
    let seconds = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    seconds.is_finite().then(|| (seconds * 1000.0).round())
}

fn cue(s: Segment) -> RawCue {
    RawCue {
        start_ms: s.start_ms,
        end_ms: s.end_ms,
        speaker: s.speaker,
        text: s.body,
    }
}

/// Joins consecutive words of one speaker into a cue, ending it at sentence punctuation, a
/// pause or [`MAX_WORDS`].
fn merge(segments: Vec<Segment>) -> Vec<RawCue> {
    let mut cues = Vec::new();
    let mut open: Option<(RawCue, u64, usize)> = None; // cue, where its last word ends, words
    for s in segments {
        if let Some((cue, last_end, _)) = &open {
            let gap = s.start_ms.saturating_sub(*last_end);
            if cue.speaker != s.speaker || gap > MAX_GAP_MS {
                cues.extend(open.take().map(|(cue, _, _)| cue));
            }
        }
        let (cue, last_end, words) = open.get_or_insert_with(|| {
            let cue = RawCue {
                start_ms: s.start_ms,
                end_ms: None,
                speaker: s.speaker.clone(),
                text: String::new(),
            };
            (cue, s.start_ms, 0)
        });
        if !cue.text.is_empty() && !attaches(&s.body) {
            cue.text.push(' ');
        }
        cue.text.push_str(&s.body);
        *words += s.body.split_whitespace().count();
        let end = s.end_ms.unwrap_or(s.start_ms);
        *last_end = (*last_end).max(end);
        if let Some(seg_end) = s.end_ms {
            cue.end_ms = Some(cue.end_ms.map_or(seg_end, |e| e.max(seg_end)));
        }
        if ends_sentence(&s.body) || *words >= MAX_WORDS {
            cues.extend(open.take().map(|(cue, _, _)| cue));
        }
    }
    cues.extend(open.map(|(cue, _, _)| cue));
    cues
}

/// Punctuation that follows a word without a space (`,` `.` `?` `)` …).
fn attaches(body: &str) -> bool {
    body.chars().all(|c| {
        matches!(
            c,
            '.' | ',' | ';' | ':' | '!' | '?' | '…' | ')' | ']' | '}' | '”' | '’' | '»' | '%'
        )
    })
}

/// Ends in `.` `?` `!` `…`, maybe inside closing quotes or brackets.
fn ends_sentence(body: &str) -> bool {
    let body = body.trim_end_matches(['"', '\'', '”', '’', '»', ')', ']']);
    body.ends_with(['.', '?', '!', '…', '。', '？', '！'])
}
