//! `chaptercast chapters --notes|--json|--audio`: the chapters found in show notes, a JSON
//! chapters file or an audio file, as JSON.

use std::path::Path;

use chaptercast_engine::chapter_fetch::{fetch_json_chapters, read_embedded_chapters, AudioSource};
use chaptercast_engine::chapters::{self, Chapter};

use crate::engine_access::{http_client, is_url, runtime};
use crate::output::print_json;

pub fn chapters_command(
    notes: Option<&Path>,
    duration_s: Option<f64>,
    json: Option<&str>,
    audio: Option<&str>,
) -> Result<(), String> {
    let list = if let Some(path) = notes {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        let duration_ms = match duration_s {
            Some(d) if d.is_finite() && d > 0.0 => Some((d * 1000.0) as u64),
            Some(d) => {
                return Err(format!(
                    "--duration must be a positive number of seconds, not {d}"
                ))
            }
            None => None,
        };
        chapters::merge(
            vec![chapters::from_show_notes(&text, duration_ms)],
            duration_ms,
        )
    } else if let Some(source) = json {
        let list = if is_url(source) {
            let http = http_client()?;
            runtime()?
                .block_on(fetch_json_chapters(&http, source))
                .map_err(|e| format!("{source}: {e}"))?
        } else {
            let bytes = std::fs::read(source).map_err(|e| format!("cannot read {source}: {e}"))?;
            chapters::json::parse(&bytes).map_err(|e| format!("{source}: {e}"))?
        };
        chapters::merge(vec![list], None)
    } else if let Some(source) = audio {
        audio_chapters(source)?
    } else {
        return Err("say where the chapters are: --notes, --json or --audio".to_string());
    };
    print_json(&serde_json::json!({ "chapters": chapters_json(&list) }))
}

pub fn audio_chapters(source: &str) -> Result<Vec<Chapter>, String> {
    let http = http_client()?;
    let audio = if is_url(source) {
        AudioSource::Http {
            client: &http,
            url: source,
        }
    } else {
        AudioSource::File(Path::new(source))
    };
    let list = runtime()?
        .block_on(read_embedded_chapters(audio))
        .map_err(|e| format!("{source}: {e}"))?;
    Ok(chapters::merge(vec![list], None))
}

/// The command line's chapter shape: seconds, and `source` as a kebab-case name.
pub fn chapters_json(list: &[Chapter]) -> serde_json::Value {
    let ms_to_s = |ms: u64| serde_json::json!(ms as f64 / 1000.0);
    serde_json::Value::Array(
        list.iter()
            .filter(|c| !c.is_hidden)
            .map(|c| {
                serde_json::json!({
                    "start_s": ms_to_s(c.start_ms),
                    "end_s": c.end_ms.map(ms_to_s),
                    "title": c.title,
                    "source": c.source,
                    "url": c.url,
                    "img": c.img,
                })
            })
            .collect(),
    )
}
