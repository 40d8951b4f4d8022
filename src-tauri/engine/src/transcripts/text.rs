//! Plain text: paragraphs (split on blank lines; on lines when there are none) as cues without
//! times, a leading `Name: ` as the speaker.

use super::{split_speaker, RawCue};

pub(super) fn read(text: &str) -> Vec<RawCue> {
    let lines: Vec<&str> = text.trim().split('\n').collect();
    let has_blank_line = lines.iter().any(|l| l.trim().is_empty());
    let mut paragraphs: Vec<String> = Vec::new();
    if has_blank_line {
        let mut current: Vec<&str> = Vec::new();
        for line in lines {
            if line.trim().is_empty() {
                if !current.is_empty() {
                    paragraphs.push(current.join(" "));
                    current.clear();
                }
            } else {
                current.push(line);
            }
        }
        if !current.is_empty() {
            paragraphs.push(current.join(" "));
        }
    } else {
        paragraphs.extend(lines.into_iter().map(str::to_string));
    }
    paragraphs
        .into_iter()
        .map(|p| match split_speaker(&p) {
            Some((name, rest)) => RawCue {
                speaker: Some(name.to_string()),
                text: rest.to_string(),
                ..RawCue::default()
            },
            None => RawCue {
                text: p,
                ..RawCue::default()
            },
        })
        .collect()
}
