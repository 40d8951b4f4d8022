//! Show-notes chapter extraction over every episode of the largest corpus feeds.
//! Run: `cargo bench -p chaptercast-engine --bench chapters` (needs ../shared/corpus).
//! Criterion's throughput line gives episodes per second; the target is < 20 µs per episode.

use std::path::{Path, PathBuf};

use chaptercast_engine::chapters::shownotes::chapters_from_notes;
use chaptercast_engine::feed;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn corpus_feed(name: &str) -> Vec<u8> {
    let shared = std::env::var_os("CHAPTERCAST_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let path = shared.join("corpus/feeds").join(name);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("benchmark input {} missing: {e}", path.display()))
}

fn show_notes_extraction(c: &mut Criterion) {
    let mut group = c.benchmark_group("show-notes chapters");
    for name in [
        "LARGE_pcper-podcast_2017.xml",
        "LARGE_fireside_linuxunplugged_2020-12-19.xml",
        "LARGE_simplecast_critical-role_2026-07-21.xml",
    ] {
        let parsed = feed::parse(&corpus_feed(name), None).expect("parse");
        let notes: Vec<(String, Option<u64>)> = parsed
            .episodes
            .iter()
            .map(|e| {
                (
                    e.description_html.clone(),
                    e.duration_s.map(|s| u64::from(s) * 1000),
                )
            })
            .collect();
        let found: usize = notes
            .iter()
            .map(|(n, d)| chapters_from_notes(n, *d).len())
            .sum();
        println!("{name}: {} episodes, {found} chapters", notes.len());
        group.throughput(Throughput::Elements(notes.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                notes
                    .iter()
                    .map(|(n, d)| chapters_from_notes(n, *d).len())
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, show_notes_extraction);
criterion_main!(benches);
