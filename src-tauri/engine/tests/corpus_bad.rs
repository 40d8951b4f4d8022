//! Every malformed or hostile file in `../shared/corpus/bad` (encodings, truncated and
//! ill-formed feeds, defusedxml's attacks): a clear error or a best-effort parse, never a panic,
//! a hang or runaway memory. Runs whenever the corpus exists; under CI=true its absence fails.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chaptercast_engine::feed;

mod common;

fn bad_dir() -> Option<PathBuf> {
    common::corpus_dir().map(|c| c.join("bad"))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path.extension().is_some_and(|e| e != "md") {
            out.push(path);
        }
    }
}

/// `Header: Content-type: …; charset=X` lines in feedparser's encoding tests simulate HTTP.
fn simulated_http_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    let line = head.lines().find(|l| l.contains("Header: Content-type"))?;
    let charset = line.split("charset=").nth(1)?;
    Some(charset.trim().trim_end_matches("-->").trim().to_string())
}

#[test]
fn every_bad_file_is_an_error_or_a_parse_never_a_panic() {
    let Some(dir) = bad_dir() else { return };
    let mut files = Vec::new();
    files_under(&dir, &mut files);
    files.sort();
    assert!(
        files.len() >= 110,
        "expected the 117 bad files, found {}",
        files.len()
    );
    let (mut parsed, mut refused) = (0, 0);
    for path in &files {
        let bytes = std::fs::read(path).unwrap_or_default();
        let charset = simulated_http_charset(&bytes);
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(|| feed::parse(&bytes, charset.as_deref()));
        let took = started.elapsed();
        let name = path
            .strip_prefix(&dir)
            .unwrap_or(path)
            .display()
            .to_string();
        match outcome {
            Err(_) => panic!("{name}: the parser panicked"),
            Ok(Ok(feed)) => {
                parsed += 1;
                eprintln!("{name}: {} episodes in {took:?}", feed.episodes.len());
            }
            Ok(Err(error)) => {
                assert!(!error.to_string().is_empty(), "{name}: empty error message");
                refused += 1;
                eprintln!("{name}: refused ({error}) in {took:?}");
            }
        }
    }
    eprintln!("{parsed} parsed, {refused} refused");
    let peak = peak_memory_mb();
    assert!(peak < 400, "peak memory {peak} MB");
}

/// Declared encodings are honoured (feed-rs's expectation for its ISO-8859-1 fixture).
#[test]
fn iso_8859_1_titles_decode() {
    let Some(dir) = bad_dir() else { return };
    let bytes =
        std::fs::read(dir.join("feed-rs_rss_2.0_encoding_1_iso-8859-1.xml")).unwrap_or_default();
    let feed = feed::parse(&bytes, None).map(|f| f.title);
    assert_eq!(
        feed.ok().as_deref(),
        Some("RSS Feed do Site Inovação Tecnológica")
    );
}

/// Peak resident memory of this test process (`VmHWM`), in MB.
fn peak_memory_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}
