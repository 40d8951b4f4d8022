//! WebVTT: the header and its metadata, NOTE/STYLE/REGION blocks, optional cue identifiers,
//! settings after the end time, voice spans (`<v Name>`) as speakers, other markup stripped.
//! Lenient where files in the wild are: no header, no blank line before the next cue.

use super::{markup, timing_line, RawCue};

pub(super) fn read(text: &str) -> Vec<RawCue> {
    let lines: Vec<&str> = text.split('\n').collect();
    let timings: Vec<_> = lines.iter().map(|l| timing_line(l)).collect();
    let timing = |i: usize| timings.get(i).copied().flatten();
    let mut cues = Vec::new();
    let mut i = skip_header(&lines);
    while i < lines.len() {
        let line = lines[i];
        if blank(line) {
            i += 1;
            continue;
        }
        if ["NOTE", "STYLE", "REGION"].iter().any(|k| keyword(line, k)) {
            while i < lines.len() && !blank(lines[i]) {
                i += 1;
            }
            continue;
        }
        // The timing line, maybe after an identifier; a block with neither is skipped up to
        // a blank line or a timing line, whichever comes first.
        let found = match timing(i) {
            Some(t) => Some((t, i + 1)),
            None => timing(i + 1).map(|t| (t, i + 2)),
        };
        let Some(((start_ms, end_ms), payload_start)) = found else {
            i += 1;
            while i < lines.len() && !blank(lines[i]) && !lines[i].contains("-->") {
                i += 1;
            }
            continue;
        };
        i = payload_start;
        let mut payload = Vec::new();
        while i < lines.len() && !blank(lines[i]) && timing(i).is_none() {
            payload.push(lines[i]);
            i += 1;
        }
        let (speaker, text) = cue_text(&payload.join("\n"));
        cues.push(RawCue {
            start_ms,
            end_ms,
            speaker,
            text,
        });
    }
    cues
}

/// Where the cues may begin: past `WEBVTT` and its metadata lines, when the file has them.
fn skip_header(lines: &[&str]) -> usize {
    let Some(first) = lines.iter().position(|l| !blank(l)) else {
        return lines.len();
    };
    let line = lines[first].trim_start_matches(['\u{feff}', ' ', '\t']);
    if !keyword(line, "WEBVTT") {
        return first;
    }
    let mut i = first + 1;
    // Metadata cannot hold `-->`: a timing line means the blank line was left out.
    while i < lines.len() && !blank(lines[i]) && !lines[i].contains("-->") {
        i += 1;
    }
    i
}

/// `line` is `word`, alone or followed by a space, tab or more text on a header line.
fn keyword(line: &str, word: &str) -> bool {
    line.strip_prefix(word)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

fn blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The speaker of the cue's first named voice span, and its text without markup.
fn cue_text(payload: &str) -> (Option<String>, String) {
    let mut speaker: Option<String> = None;
    let text = markup(payload, false, |tag| {
        if speaker.is_some() {
            return;
        }
        // `v`, `v.class.more`, then whitespace and the annotation: the name.
        let Some(rest) = tag.strip_prefix('v') else {
            return;
        };
        if !(rest.is_empty() || rest.starts_with(['.', ' ', '\t', '\n'])) {
            return;
        }
        let name = rest
            .split_once(char::is_whitespace)
            .map(|(_, name)| name.trim())
            .unwrap_or_default();
        if !name.is_empty() {
            speaker = Some(super::decode_entities(name));
        }
    });
    (speaker, text)
}
