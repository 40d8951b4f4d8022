//! Library subcommands for scripting: subscribe, refresh, list, search and OPML. They use the
//! same library as the app (`CHAPTERCAST_DATA_DIR`), and start empty: the app's first-run
//! subscription to the Meta Tech Podcast is the app's, not a script's.

use std::io::Write;
use std::path::Path;

use chaptercast_engine::messages::user_message;
use chaptercast_engine::{EngineEvent, Events, RefreshOutcome};
use serde_json::json;

use crate::engine_access::{open_engine, runtime};
use crate::output::{clock, print_json};

/// `chaptercast subscribe <URL>`: adds the feed and fetches it.
pub fn subscribe_command(url: &str) -> Result<(), String> {
    let (engine, _events) = open_engine()?;
    runtime()?.block_on(async {
        let show = engine.subscribe(url).await.map_err(|e| user_message(&e))?;
        // A script gets the transcripts before it goes on (the app fetches them meanwhile).
        engine
            .fetch_transcripts(show)
            .await
            .map_err(|e| e.to_string())?;
        let show = engine.show(show).await.map_err(|e| e.to_string())?;
        println!(
            "Subscribed to {} ({} episodes)",
            show.title, show.episode_count
        );
        Ok(())
    })
}

/// `chaptercast refresh`: every show; exits 1 when any failed (after refreshing the rest).
pub fn refresh_command() -> Result<(), String> {
    let (engine, _events) = open_engine()?;
    runtime()?.block_on(async {
        let shows = engine.shows().await.map_err(|e| e.to_string())?;
        let results = engine.refresh_all().await.map_err(|e| e.to_string())?;
        for (id, result) in &results {
            if matches!(result, Ok(RefreshOutcome::Merged(_))) {
                engine
                    .fetch_transcripts(*id)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        let mut failed = 0;
        for (id, result) in results {
            let title = shows
                .iter()
                .find(|s| s.id == id)
                .map_or_else(String::new, |s| {
                    if s.title.is_empty() {
                        s.feed_url.clone()
                    } else {
                        s.title.clone()
                    }
                });
            match result {
                Ok(RefreshOutcome::Merged(report)) => {
                    println!("{title}: {} new, {} updated", report.added, report.updated)
                }
                Ok(RefreshOutcome::NotModified) => println!("{title}: unchanged"),
                Err(error) => {
                    failed += 1;
                    eprintln!("{title}: {}", user_message(&error));
                }
            }
        }
        match failed {
            0 => Ok(()),
            n => Err(format!("{n} feed(s) could not be refreshed")),
        }
    })
}

/// `chaptercast list [--json]`: shows and their episodes.
pub fn list_command(as_json: bool) -> Result<(), String> {
    let (engine, _events) = open_engine()?;
    runtime()?.block_on(async {
        let shows = engine.shows().await.map_err(|e| e.to_string())?;
        let mut listed = Vec::new();
        let mut out = std::io::stdout().lock();
        for show in shows {
            let episodes = engine.episodes(show.id).await.map_err(|e| e.to_string())?;
            if as_json {
                listed.push(json!({
                    "title": show.title,
                    "feed_url": show.feed_url,
                    "unsubscribed_elsewhere": show.unsubscribed_elsewhere,
                    "episodes": episodes.iter().map(|e| json!({
                        "guid": e.guid,
                        "title": e.title,
                        "published": e.published_at,
                        "duration_s": e.duration_s,
                        "is_played": e.is_played,
                        "position_s": e.position_ms as f64 / 1000.0,
                        "is_downloaded": e.is_downloaded,
                    })).collect::<Vec<_>>(),
                }));
            } else {
                let note = if show.unsubscribed_elsewhere {
                    " (unsubscribed on another device; kept for its downloads and positions)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "{} ({} episodes) {}{note}",
                    show.title,
                    episodes.len(),
                    show.feed_url
                )
                .map_err(|e| e.to_string())?;
                for e in &episodes {
                    let mark = if e.is_played { "✓" } else { " " };
                    writeln!(out, "  {mark} {}", e.title).map_err(|e| e.to_string())?;
                }
            }
        }
        if as_json {
            print_json(&json!({ "shows": listed }))?;
        }
        Ok(())
    })
}

/// `chaptercast search <QUERY> [--json]`: best first.
pub fn search_command(query: &str, as_json: bool) -> Result<(), String> {
    let (engine, _events) = open_engine()?;
    let hits = runtime()?.block_on(async {
        engine
            .search(query.to_string(), chaptercast_engine::library::MAX_RESULTS)
            .await
            .map_err(|e| e.to_string())
    })?;
    let text = |runs: &[chaptercast_engine::library::TextRun]| -> String {
        runs.iter().map(|r| r.text.as_str()).collect()
    };
    if as_json {
        let results: Vec<_> = hits
            .iter()
            .map(|h| {
                let snippet = if h.snippet_runs.is_empty() {
                    h.chapter_title
                        .clone()
                        .unwrap_or_else(|| h.episode_title.clone())
                } else {
                    text(&h.snippet_runs)
                };
                json!({
                    "kind": kind_word(h.kind),
                    "podcast": h.podcast,
                    "episode_guid": h.episode_guid,
                    "episode_title": h.episode_title,
                    "chapter_title": h.chapter_title,
                    "start_s": h.start_ms.map(|ms| ms as f64 / 1000.0),
                    "snippet": snippet,
                    "speaker": h.speaker,
                })
            })
            .collect();
        return print_json(&json!({ "results": results }));
    }
    if hits.is_empty() {
        println!("No episode, chapter or transcript matches \"{query}\".");
    }
    let mut out = std::io::stdout().lock();
    for h in &hits {
        let line = match (&h.chapter_title, h.start_ms) {
            (Some(chapter), Some(ms)) => format!(
                "{} — {} — {} at {}",
                h.podcast,
                h.episode_title,
                chapter,
                clock(ms)
            ),
            (None, Some(ms)) => format!(
                "{} — {} — said at {}",
                h.podcast,
                h.episode_title,
                clock(ms)
            ),
            _ => format!("{} — {}", h.podcast, h.episode_title),
        };
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
        if !h.snippet_runs.is_empty() {
            writeln!(out, "    {}", text(&h.snippet_runs)).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// The word `search --json` uses for what a hit matched.
fn kind_word(kind: chaptercast_engine::library::HitKind) -> &'static str {
    use chaptercast_engine::library::HitKind;
    match kind {
        HitKind::Title => "title",
        HitKind::Notes => "notes",
        HitKind::Chapter => "chapter",
        HitKind::Transcript => "transcript",
    }
}

/// `chaptercast opml import <FILE>`.
pub fn opml_import_command(file: &Path) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let (engine, events) = open_engine()?;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let progress = {
        let done = std::sync::Arc::clone(&done);
        std::thread::spawn(move || print_import_progress(&events, &done))
    };
    let report = runtime()?.block_on(async {
        engine
            .import_opml(&bytes)
            .await
            .map_err(|e| format!("{}: {e}", file.display()))
    });
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = progress.join();
    let report = report?;
    eprintln!();
    println!(
        "{} feeds: {} added, {} already subscribed, {} failed",
        report.total,
        report.added.len(),
        report.duplicates.len(),
        report.failed.len()
    );
    for failure in &report.failed {
        println!("failed: {} — {}", failure.url, failure.error);
    }
    Ok(())
}

/// Prints each feed an import finished, on one line that keeps being rewritten, until `done`.
fn print_import_progress(events: &Events, done: &std::sync::atomic::AtomicBool) {
    loop {
        match events.recv_timeout(std::time::Duration::from_millis(50)) {
            Ok(Some(EngineEvent::Import(p))) => eprint!("\r{}/{} {}\x1b[K", p.done, p.total, p.url),
            Ok(Some(_)) => {}
            Ok(None) if !done.load(std::sync::atomic::Ordering::SeqCst) => {}
            Ok(None) | Err(_) => return,
        }
    }
}

/// `chaptercast opml export [--out FILE]` (stdout without `--out`).
pub fn opml_export_command(out: Option<&Path>) -> Result<(), String> {
    let (engine, _events) = open_engine()?;
    let (document, count) = runtime()?
        .block_on(engine.export_opml())
        .map_err(|e| e.to_string())?;
    match out {
        Some(path) => {
            std::fs::write(path, document)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("Exported {count} podcasts to {}", path.display());
        }
        None => print!("{document}"),
    }
    Ok(())
}
