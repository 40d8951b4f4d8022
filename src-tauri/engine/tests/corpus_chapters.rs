//! Chapter sources in `../shared/corpus` that are not show notes (those are tested beside the
//! show-notes parser): JSON chapter files, Podlove chapters in real feeds and feedparser's
//! fixtures, and feeds whose items point to chapter files. Runs whenever the corpus exists;
//! under CI=true a missing corpus is a failure.

use std::path::Path;

use chaptercast_engine::chapters::{self, json, ChapterSource};
use chaptercast_engine::feed;

mod common;
use common::corpus_dir;

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn json_chapter_files_read_like_the_spec_says() {
    let Some(corpus) = corpus_dir() else { return };
    let dir = corpus.join("chapters");
    let simple = json::parse(&read(&dir.join("podcastindex-spec-example.json"))).expect("simple");
    assert!(simple.len() >= 2, "{simple:?}");
    assert!(simple
        .iter()
        .all(|c| c.source == ChapterSource::PodcastJson));

    let complex =
        json::parse(&read(&dir.join("podcastindex-spec-exampleComplex.json"))).expect("complex");
    assert!(
        complex.iter().any(|c| c.is_hidden),
        "toc:false entries are kept hidden"
    );
    assert!(complex.iter().any(|c| c.img.is_some()));
    assert!(complex.iter().any(|c| c.url.is_some()));
    let merged = chapters::merge(vec![complex.clone()], None);
    let visible = merged.iter().filter(|c| !c.is_hidden).count();
    println!(
        "complex example: {} chapters, {visible} visible",
        complex.len()
    );

    assert!(json::parse(&read(&dir.join("rssblue-chapters.empty.json")))
        .expect("empty")
        .is_empty());
    for name in [
        "rssblue-github-example.json",
        "rssblue-github-example-rssblue-variant.json",
    ] {
        let list = json::parse(&read(&dir.join(name))).expect(name);
        assert!(!list.is_empty(), "{name}");
        println!("{name}: {} chapters", list.len());
    }

    let mtillmann =
        json::parse(&read(&dir.join("mtillmann-chapters/chapters.json"))).expect("mtillmann");
    assert_eq!(mtillmann.len(), 26);
    assert_eq!(mtillmann[0].start_ms, 6_202, "fractional start 6.202 s");
}

#[test]
fn podlove_chapters_match_feedparser_expectations() {
    let Some(corpus) = corpus_dir() else { return };
    let dir = corpus.join("expected/feedparser/psc");
    let episode_chapters = |name: &str| {
        // feedparser's fixtures have no enclosures, and only items with audio are episodes:
        // give each item one.
        let xml = String::from_utf8_lossy(&read(&dir.join(name))).replace(
            "<item>",
            "<item><enclosure url=\"https://e.com/a.mp3\" type=\"audio/mpeg\"/>",
        );
        let feed = feed::parse(xml.as_bytes(), None).unwrap_or_else(|e| panic!("{name}: {e}"));
        let first = feed
            .episodes
            .first()
            .unwrap_or_else(|| panic!("{name}: no episode"));
        chapters::podlove::chapters(&first.podlove_chapters)
    };
    let rss = episode_chapters("rss2.0simplechapter.xml");
    assert_eq!(rss[0].title, "Welcome");
    assert_eq!(rss[1].start_ms, 187_250);
    let two_items = episode_chapters("rss2.0simplechapter2items.xml");
    assert_eq!(
        (two_items[0].start_ms, two_items[0].title.as_str()),
        (12_000, "Livekalender")
    );
    assert_eq!(
        episode_chapters("ignore_multiple_psc_chapters.xml").len(),
        4
    );
    assert!(!episode_chapters("version_1.0_keyerror.xml").is_empty());
}

#[test]
fn feeds_with_chapter_sources_yield_chapters() {
    let Some(corpus) = corpus_dir() else { return };
    let inventory =
        String::from_utf8_lossy(&read(&corpus.join("feeds/INVENTORY.tsv"))).into_owned();
    let mut checked = 0;
    for line in inventory.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [path, _, _, _, _, _, _, pc_chapters, _, _, psc, _, ts_notes, ..] = cols.as_slice()
        else {
            continue;
        };
        let (pc_chapters, psc, ts_notes): (usize, usize, usize) = (
            pc_chapters.parse().unwrap_or(0),
            psc.parse().unwrap_or(0),
            ts_notes.parse().unwrap_or(0),
        );
        if pc_chapters + psc + ts_notes == 0 {
            continue;
        }
        let Ok(feed) = feed::parse(&read(&corpus.join(path)), None) else {
            continue;
        };
        let with_url = feed
            .episodes
            .iter()
            .filter(|e| e.chapters_url.is_some())
            .count();
        let with_chapters = feed
            .episodes
            .iter()
            .filter(|e| !chapters::from_feed_episode(e).is_empty())
            .count();
        println!("{path}: {with_url} chapter files (inventory {pc_chapters}), {with_chapters} episodes with feed-side chapters (inventory: {ts_notes} with timestamps, {psc} podlove)");
        if pc_chapters > 0 {
            assert!(with_url > 0, "{path}: podcast:chapters not found");
        }
        // The inventory counts any H:MM:SS-looking text; No Agenda's are clock times, and its
        // chapters come as files. Feeds without chapter files must show notes chapters.
        if psc > 0 || (ts_notes >= 10 && pc_chapters == 0) {
            assert!(with_chapters > 0, "{path}: no chapters found");
        }
        checked += 1;
    }
    println!("feeds with chapter sources checked: {checked}");
    assert!(checked >= 3, "only {checked} feeds checked");
}
