//! `chaptercast transcript <URL|FILE> [--type T] [--json]`: a transcript's cues, as a script or
//! as JSON.

use std::path::Path;

use crate::engine_access::{http_client, is_url, runtime};
use crate::output::{clock, print_json, print_text};

/// `chaptercast transcript <PATH|URL> [--type T] [--json]`.
pub fn transcript_command(source: &str, format: Option<&str>, as_json: bool) -> Result<(), String> {
    use chaptercast_engine::transcript_fetch;
    use chaptercast_engine::transcripts::Format;
    let format =
        match format {
            Some(name) => Some(Format::from_name(name).ok_or_else(|| {
                format!("--type must be vtt, srt, json, html or text, not {name:?}")
            })?),
            None => None,
        };
    let transcript = if is_url(source) {
        let http = http_client()?;
        runtime()?.block_on(transcript_fetch::fetch(&http, source, format))
    } else {
        transcript_fetch::read_file(Path::new(source), format)
    }
    .map_err(|e| format!("{source}: {e}"))?;
    let ms_to_s = |ms: u64| serde_json::json!(ms as f64 / 1000.0);
    if as_json {
        let cues: Vec<_> = transcript
            .cues
            .iter()
            .map(|c| {
                let timed = transcript.timed;
                serde_json::json!({
                    "start_s": if timed { ms_to_s(c.start_ms) } else { serde_json::Value::Null },
                    "end_s": if timed { ms_to_s(c.end_ms) } else { serde_json::Value::Null },
                    "speaker": c.speaker,
                    "text": c.text,
                })
            })
            .collect();
        return print_json(&serde_json::json!({ "timed": transcript.timed, "cues": cues }));
    }
    let mut text = String::new();
    let mut speaker: Option<&str> = None;
    for cue in &transcript.cues {
        if transcript.timed {
            text.push_str(&format!("[{}] ", clock(cue.start_ms)));
        }
        // A name once per turn, as people read a script.
        if cue.speaker.is_some() && cue.speaker.as_deref() != speaker {
            speaker = cue.speaker.as_deref();
            text.push_str(&format!("{}: ", speaker.unwrap_or_default()));
        }
        text.push_str(&cue.text);
        text.push('\n');
    }
    print_text(&text)
}
