//! Real-world feeds from `../shared/corpus` (not committed here): every feed parses without a
//! panic, episode counts match an independent count of audio items, and our fields agree with
//! podcastparser's expected outputs. Runs whenever the corpus folder exists; under CI=true a
//! missing corpus is a failure.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chaptercast_engine::feed::{self, is_audio_enclosure};

mod common;
use common::corpus_dir;

fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "xml" || e == "rss"));
    files.sort();
    files
}

/// Counts items/entries with an audio enclosure by plain text scanning, independently of the
/// XML crates the parser uses. Duplicate guids count once (the parser keeps the first).
fn count_audio_items(text: &str) -> usize {
    let mut keys = HashSet::new();
    for (open, close) in [("<item", "</item>"), ("<entry", "</entry>")] {
        let mut rest = text;
        while let Some(start) = find_tag(rest, open) {
            let after = &rest[start..];
            let end = after.find(close).map_or(after.len(), |e| e + close.len());
            let block = &after[..end];
            rest = &after[end..];
            let Some(url) = audio_enclosure_url(block) else {
                continue;
            };
            let guid = element_text(block, "guid").filter(|g| !g.is_empty());
            let id = element_text(block, "id").filter(|g| !g.is_empty() && open == "<entry");
            keys.insert(guid.or(id).unwrap_or(url));
        }
    }
    keys.len()
}

fn find_tag(text: &str, open: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(open) {
        let at = from + i;
        let next = text[at + open.len()..].chars().next();
        if matches!(next, Some('>' | ' ' | '\n' | '\r' | '\t')) {
            return Some(at);
        }
        from = at + open.len();
    }
    None
}

fn attr(tag: &str, name: &str) -> Option<String> {
    for quote in ['"', '\''] {
        let needle = format!(" {name}={quote}");
        if let Some(i) = tag
            .find(&needle)
            .or_else(|| tag.find(&format!("\n{name}={quote}")))
        {
            let value = &tag[i + needle.len()..];
            return value.find(quote).map(|e| value[..e].replace("&amp;", "&"));
        }
    }
    None
}

fn audio_enclosure_url(block: &str) -> Option<String> {
    // Audio first, as the parser prefers it; else a video (its audio track plays), also from
    // Media RSS `media:content`.
    let mut video = None;
    let mut rest = block;
    while let Some(i) = ["<enclosure", "<link", "<media:content"]
        .iter()
        .filter_map(|t| rest.find(t))
        .min()
    {
        let tag_end = rest[i..].find('>').map_or(rest.len(), |e| i + e);
        let tag = &rest[i..tag_end];
        rest = &rest[tag_end..];
        if tag.starts_with("<link") && attr(tag, "rel").as_deref() != Some("enclosure") {
            continue;
        }
        let Some(url) = attr(tag, "url").or_else(|| attr(tag, "href")) else {
            continue;
        };
        let url = url.trim().to_string();
        if url.is_empty() || !chaptercast_engine::feed::is_web_url(&url) {
            continue;
        }
        let kind = attr(tag, "type");
        if is_audio_enclosure(&url, kind.as_deref()) {
            return Some(url);
        }
        if video.is_none() && chaptercast_engine::feed::is_video_enclosure(&url, kind.as_deref()) {
            video = Some(url);
        }
    }
    video
}

fn element_text(block: &str, name: &str) -> Option<String> {
    let start = find_tag(block, &format!("<{name}"))?;
    let after = &block[start..];
    let open_end = after.find('>')? + 1;
    let close = after.find(&format!("</{name}>"))?;
    let text = after.get(open_end..close)?.trim();
    let text = text
        .strip_prefix("<![CDATA[")
        .and_then(|t| t.strip_suffix("]]>"))
        .unwrap_or(text);
    Some(text.trim().replace("&amp;", "&"))
}

#[test]
fn every_corpus_feed_parses_with_the_right_episode_count() {
    let Some(corpus) = corpus_dir() else { return };
    let feeds_dir = corpus.join("feeds");
    let files: Vec<PathBuf> = xml_files(&feeds_dir)
        .into_iter()
        .chain(xml_files(&feeds_dir.join("antennapod")))
        .collect();
    assert!(
        files.len() >= 40,
        "expected the corpus feeds, found {}",
        files.len()
    );
    let mut problems = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap_or_default();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let result = std::panic::catch_unwind(|| feed::parse(&bytes, None));
        let expected = count_audio_items(&String::from_utf8_lossy(&bytes));
        match result {
            Err(_) => problems.push(format!("{name}: PANIC")),
            Ok(Err(e)) if expected > 0 => problems.push(format!("{name}: {e}")),
            Ok(Err(e)) => println!("{name}: no episodes, parse error: {e}"),
            Ok(Ok(feed)) if feed.episodes.len() != expected => problems.push(format!(
                "{name}: {} episodes, expected {expected}",
                feed.episodes.len()
            )),
            Ok(Ok(feed)) => println!("{name}: {} episodes ok", feed.episodes.len()),
        }
    }
    println!(
        "corpus feeds checked: {}, problems: {}",
        files.len(),
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn fields_agree_with_podcastparser() {
    let Some(corpus) = corpus_dir() else { return };
    let dir = corpus.join("expected/podcastparser");
    let mut compared = 0usize;
    let mut agreed = 0usize;
    let mut disagreements = Vec::new();
    for rss in xml_files(&dir) {
        let name = rss
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Ok(expected) = std::fs::read_to_string(rss.with_extension("json")) else {
            continue;
        };
        let Ok(expected) = serde_json::from_str::<serde_json::Value>(&expected) else {
            continue;
        };
        let bytes = std::fs::read(&rss).unwrap_or_default();
        // podcastparser's harness parses with this base URL; relative URLs resolve against it.
        let base = url::Url::parse(&format!("file://tests/data/{name}.rss")).ok();
        let empty = Vec::new();
        let ours = match feed::parse_with_base(&bytes, None, base.as_ref()) {
            Ok(f) => f,
            Err(_) if expected["episodes"].as_array().unwrap_or(&empty).is_empty() => continue,
            Err(e) => {
                disagreements.push(format!("{name}: we failed to parse: {e}"));
                continue;
            }
        };
        for theirs in expected["episodes"].as_array().unwrap_or(&empty) {
            let Some(enclosure) = theirs["enclosures"].as_array().and_then(|e| {
                e.iter().find(|e| {
                    is_audio_enclosure(
                        e["url"].as_str().unwrap_or_default(),
                        e["mime_type"].as_str(),
                    )
                })
            }) else {
                continue;
            };
            let url = enclosure["url"].as_str().unwrap_or_default();
            let guid = theirs["guid"].as_str().unwrap_or_default();
            let mine = ours
                .episodes
                .iter()
                .find(|e| e.guid == guid)
                .or_else(|| ours.episodes.iter().find(|e| e.enclosure.url == url));
            for field in ["title", "enclosure", "guid", "duration"] {
                compared += 1;
                let Some(mine) = mine else {
                    disagreements.push(format!("{name}: episode {guid:?} missing"));
                    continue;
                };
                let (a, b) = match field {
                    "title" => (
                        mine.title.clone(),
                        theirs["title"].as_str().unwrap_or_default().to_string(),
                    ),
                    "enclosure" => (mine.enclosure.url.clone(), url.to_string()),
                    "guid" => (mine.guid.clone(), guid.to_string()),
                    _ => (
                        mine.duration_s.unwrap_or(0).to_string(),
                        theirs["total_time"].as_u64().unwrap_or(0).to_string(),
                    ),
                };
                if a == b {
                    agreed += 1;
                } else {
                    disagreements.push(format!(
                        "{name}: {field}: ours {a:?} vs podcastparser {b:?}"
                    ));
                }
            }
        }
    }
    let rate = agreed as f64 / compared.max(1) as f64;
    println!(
        "podcastparser agreement: {agreed}/{compared} = {:.1}%",
        rate * 100.0
    );
    for d in &disagreements {
        println!("  disagreement: {d}");
    }
    assert!(compared >= 100, "compared only {compared} fields");
    assert!(
        rate >= 0.9,
        "agreement {rate:.3} below 90%:\n{}",
        disagreements.join("\n")
    );
}
