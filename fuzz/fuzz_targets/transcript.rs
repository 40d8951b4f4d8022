#![no_main]

//! Transcripts: sniffed, then read as each format, and what comes back checked against what
//! `transcripts::parse` promises. Kept here until `fuzz/src/lib.rs` has a `transcript`
//! function (and `TARGETS` entry) for the regression test to replay; then this file becomes
//! `fuzz_target!(|data: &[u8]| chaptercast_fuzz::transcript(data))` like the others.

use chaptercast_engine::transcripts::{self, Format};

const FORMATS: [Format; 5] = [
    Format::Json,
    Format::Vtt,
    Format::Srt,
    Format::Html,
    Format::Text,
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = transcripts::sniff(data);
    if let Ok(word) = std::str::from_utf8(data) {
        let _ = Format::from_mime(word);
        let _ = Format::from_name(word);
    }
    for format in std::iter::once(None).chain(FORMATS.map(Some)) {
        if let Ok(transcript) = transcripts::parse(data, format) {
            check(&transcript);
        }
    }
});

fn check(t: &transcripts::Transcript) {
    assert!(!t.cues.is_empty());
    assert!(t.cues.windows(2).all(|w| w[0].start_ms <= w[1].start_ms));
    for cue in &t.cues {
        assert!(cue.end_ms >= cue.start_ms);
        assert!(!cue.text.is_empty() && cue.text.trim() == cue.text);
        assert!(cue.speaker.as_deref().is_none_or(|s| !s.is_empty()));
        if !t.timed {
            assert_eq!((cue.start_ms, cue.end_ms), (0, 0));
        }
    }
}
