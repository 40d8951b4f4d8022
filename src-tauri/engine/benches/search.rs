//! Search over a library of 10,000 episodes and 100,000 chapters (ten shows of 1,000 episodes
//! with real titles and notes from the corpus, ten show-notes chapters each): query latency, and
//! what the index costs on disk.
//! Run: `cargo bench -p chaptercast-engine --bench search`.

use chaptercast_engine::library::{Library, MAX_RESULTS};
use chaptercast_engine::net::CacheValidators;
use chaptercast_engine::testkit::{escape, FeedBuilder, ItemBuilder};
use chaptercast_engine::{chapters, feed};
use criterion::{criterion_group, criterion_main, Criterion};

const SHOWS: usize = 10;
const EPISODES_PER_SHOW: usize = 1_000;
const CHAPTERS_PER_EPISODE: usize = 11;

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn shared_dir() -> std::path::PathBuf {
    std::env::var_os("CHAPTERCAST_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

/// Real chapter titles: the Meta Tech Podcast's timestamp lists (the seed listing, one episode
/// per line) and the corpus's show notes with chapter lists.
fn real_chapter_titles() -> Vec<String> {
    let shared = shared_dir();
    let mut notes: Vec<String> =
        std::fs::read_to_string(shared.join("seed/meta-tech-podcast-listing.txt"))
            .expect("seed listing")
            .lines()
            .map(str::to_string)
            .collect();
    let dir = shared.join("corpus/chapters/shownotes");
    for entry in std::fs::read_dir(&dir)
        .expect("corpus show notes")
        .flatten()
    {
        if entry.path().extension().is_some_and(|e| e == "txt") {
            notes.push(std::fs::read_to_string(entry.path()).expect("read"));
        }
    }
    let titles: Vec<String> = notes
        .iter()
        .flat_map(|n| chapters::from_show_notes(n, None))
        .map(|c| c.title)
        .collect();
    assert!(
        titles.len() > 300,
        "only {} real chapter titles",
        titles.len()
    );
    titles
}

/// Real episode titles and show notes from the corpus's three largest feeds (1,130 episodes),
/// reused round-robin so the library's notes are the size and shape of real ones.
fn real_episodes() -> Vec<(String, String)> {
    let shared = std::env::var_os("CHAPTERCAST_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
        });
    let mut pool = Vec::new();
    for name in [
        "LARGE_simplecast_critical-role_2026-07-21.xml",
        "LARGE_fireside_linuxunplugged_2020-12-19.xml",
        "LARGE_pcper-podcast_2017.xml",
    ] {
        let path = shared.join("corpus/feeds").join(name);
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("benchmark input {} missing: {e}", path.display()));
        let parsed = feed::parse(&bytes, None).expect("corpus feed parses");
        pool.extend(
            parsed
                .episodes
                .into_iter()
                .map(|e| (e.title, e.description_html)),
        );
    }
    pool
}

fn build_library(path: &std::path::Path) -> Library {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let pool = real_episodes();
    let titles = real_chapter_titles();
    println!(
        "{} real chapter titles, {} real episodes",
        titles.len(),
        pool.len()
    );
    let mut library = Library::open(path).expect("library");
    for s in 0..SHOWS {
        let mut builder = FeedBuilder::new(&format!("Show {s}"));
        for e in 0..EPISODES_PER_SHOW {
            let guid = format!("s{s}e{e}");
            let (title, notes) = &pool[(s * EPISODES_PER_SHOW + e) % pool.len()];
            let mut item = ItemBuilder::audio(title, &guid, &format!("https://h/{guid}.mp3"));
            // Ten chapters per episode, as a timestamp list at the end of the notes.
            let mut notes = format!("{notes}<p>Timestamps</p><p>");
            for c in 0..CHAPTERS_PER_EPISODE {
                let title = &titles[rng.below(titles.len())];
                notes.push_str(&format!("{} {}:{:02}<br/>", escape(title), c * 5, c % 60));
            }
            notes.push_str("</p>");
            item.notes_html = Some(notes);
            item.duration = Some("3600".into());
            item.pub_date = Some(format!(
                "Mon, 01 Jan 2024 {:02}:{:02}:00 GMT",
                e / 60 % 24,
                e % 60
            ));
            builder = builder.item(item);
        }
        let parsed = feed::parse(builder.to_xml().as_bytes(), None).expect("parse");
        let (show, _) = library
            .subscribe(&format!("https://h/feed{s}"))
            .expect("subscribe");
        library
            .apply_feed(show, &parsed, &CacheValidators::default())
            .expect("store");
    }
    library
}

fn report_sizes(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM;")
        .expect("vacuum");
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
    let total = count("SELECT SUM(pgsize) FROM dbstat");
    let index = count("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%'");
    let episodes = count("SELECT count(*) FROM episodes");
    let chapters = count("SELECT count(*) FROM search_fts_docsize WHERE id % 4096 != 0");
    println!(
        "library: {episodes} episodes, {chapters} chapters; file {:.1} MB, search index {:.1} MB = {:.1} % of the library",
        total as f64 / 1e6,
        index as f64 / 1e6,
        100.0 * index as f64 / total as f64
    );
}

fn queries(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("library.sqlite3");
    let started = std::time::Instant::now();
    let mut library = build_library(&path);
    println!("stored in {:.1} s", started.elapsed().as_secs_f64());
    let started = std::time::Instant::now();
    library.index_pending().expect("index");
    println!("indexed in {:.1} s", started.elapsed().as_secs_f64());
    report_sizes(&path);
    let mut group = c.benchmark_group("search 10k episodes + 100k chapters");
    group.sample_size(30);
    for (label, query) in [
        ("rare word", "passthrough"),
        ("typing a word (prefix)", "notebo"),
        ("common chapter word", "intro"),
        ("common chapter word, typing", "intr"),
        ("common notes word", "linux"),
        ("two words", "serverless notebooks"),
        ("no match", "zzzzqqq"),
    ] {
        let hits = library.search(query, MAX_RESULTS).expect("search").len();
        println!("{label:28} {query:18} {hits} hits");
        group.bench_function(label, |b| {
            b.iter(|| library.search(query, MAX_RESULTS).expect("search"))
        });
    }
    group.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);
