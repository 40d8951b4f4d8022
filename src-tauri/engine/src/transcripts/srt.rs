//! SubRip: numbered blocks, `00:00:01,000 --> 00:00:04,000` (dots too), HTML-ish and ASS
//! `{\…}` markup stripped, a leading `Name: ` as the speaker. Anything between cues that is
//! not a timing line is ignored, so counters and blank lines may be missing or doubled.

use super::{markup, split_speaker, timing_line, RawCue};

pub(super) fn read(text: &str) -> Vec<RawCue> {
    let lines: Vec<&str> = text.split('\n').collect();
    let timings: Vec<_> = lines.iter().map(|l| timing_line(l)).collect();
    let timing = |i: usize| timings.get(i).copied().flatten();
    let mut cues = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((start_ms, end_ms)) = timing(i) else {
            i += 1;
            continue;
        };
        i += 1;
        let mut payload = Vec::new();
        while i < lines.len() {
            let line = lines[i];
            if line.trim().is_empty()
                || timing(i).is_some()
                || (is_counter(line) && timing(i + 1).is_some())
            {
                break;
            }
            payload.push(line);
            i += 1;
        }
        let text = markup(&payload.join("\n"), true, |_| {});
        let (speaker, text) = match split_speaker(&text) {
            Some((name, rest)) => (Some(name.to_string()), rest.to_string()),
            None => (None, text),
        };
        cues.push(RawCue {
            start_ms,
            end_ms,
            speaker,
            text,
        });
    }
    cues
}

fn is_counter(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit())
}
