//! Test helper for `tests/tests/library_crash.rs`: writes to a library as fast as it can, as
//! the app does during a refresh (big feed merges) and playback (position saves), so the test
//! can `kill -9` it at any moment.
//!
//! `library_writer <library.sqlite3>`: commits a known first state, prints `committed`, then
//! loops forever merging ever-changing versions of a 20,000-item feed and saving positions.

use std::io::Write;

use chaptercast_engine::feed;
use chaptercast_engine::net::CacheValidators;
use chaptercast_engine::testkit::{FeedBuilder, ItemBuilder};
use chaptercast_engine::{EpisodeId, Library};

/// The state committed before `committed` is printed; the test checks it survives.
pub const FIRST_POSITION_MS: u64 = 123_456;

fn feed_version(round: u64) -> feed::ParsedFeed {
    let mut builder = FeedBuilder::new("Crash test");
    for i in 0..20_000u64 {
        let mut item = ItemBuilder::audio(
            &format!("Episode {i} (round {round})"),
            &format!("g{i}"),
            &format!("https://h/{i}.mp3"),
        );
        item.notes_html = Some(format!(
            "<p>Notes for {i}, round {round}: caching and chapters</p>"
        ));
        builder = builder.item(item);
    }
    match feed::parse(builder.to_xml().as_bytes(), None) {
        Ok(feed) => feed,
        Err(error) => {
            eprintln!("fixture feed failed to parse: {error}");
            std::process::exit(2);
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: library_writer <library.sqlite3>")?;
    // Built before anything is committed, so every kill lands inside library writes.
    let versions = [feed_version(1), feed_version(2)];
    let mut library = Library::open(std::path::Path::new(&path))?;
    let (show, _) = library.subscribe("https://h/feed")?;
    library.apply_feed(show, &feed_version(0), &CacheValidators::default())?;
    let first = library
        .episodes(show)?
        .last()
        .map(|e| e.id)
        .ok_or("no episodes")?;
    library.set_position(first, FIRST_POSITION_MS)?;
    println!("committed {}", first.0);
    std::io::stdout().flush()?;
    let mut round = 0u64;
    loop {
        round += 1;
        library.apply_feed(
            show,
            &versions[(round % 2) as usize],
            &CacheValidators::default(),
        )?;
        for id in 1..200 {
            // Other episodes than `first`: its committed position must stay as it was.
            let id = EpisodeId(first.0 + id);
            let _ = library.set_position(id, round * 1000);
        }
    }
}
