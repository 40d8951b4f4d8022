//! Bench: a 200,000-item feed (the largest the 50 MB feed cap admits with short items) is
//! parsed and stored; prints time and peak memory. `make bench-hostile`.

use std::time::Instant;

use chaptercast_engine::feed;
use chaptercast_engine::net::CacheValidators;
use chaptercast_engine::Library;

const ITEMS: usize = 200_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Huge</title>\n",
    );
    for i in 0..ITEMS {
        xml.push_str(&format!(
            "<item><title>Episode {i}</title><guid>g{i}</guid><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>\
             <description>Notes {i}</description><enclosure url=\"https://h/{i}.mp3\" type=\"audio/mpeg\" length=\"1\"/></item>\n"
        ));
    }
    xml.push_str("</channel></rss>\n");
    let size_mb = xml.len() as f64 / 1e6;
    let baseline = peak_mb();
    let started = Instant::now();
    let parsed = feed::parse(xml.as_bytes(), None)?;
    let parse_s = started.elapsed().as_secs_f64();
    let parse_peak = peak_mb();
    drop(xml);
    let dir = tempfile::tempdir()?;
    let mut library = Library::open(&dir.path().join("library.sqlite3"))?;
    let (show, _) = library.subscribe("https://h/feed")?;
    let started = Instant::now();
    let report = library.apply_feed(show, &parsed, &CacheValidators::default())?;
    let store_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    library.index_pending()?;
    let index_s = started.elapsed().as_secs_f64();
    println!(
        "items:        {} ({} episodes stored)",
        parsed.episodes.len(),
        report.added
    );
    println!("document:     {size_mb:.1} MB");
    println!("parse:        {parse_s:.2} s");
    println!("store:        {store_s:.2} s");
    println!("search index: {index_s:.2} s (in the background, after storing)");
    println!(
        "peak memory:  {} MB after parse (baseline {} MB incl. the document), {} MB at end",
        parse_peak,
        baseline,
        peak_mb()
    );
    Ok(())
}

fn peak_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}
