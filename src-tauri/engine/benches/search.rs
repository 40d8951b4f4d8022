//! Search over a library of 10,000 episodes and 100,000 chapters (ten shows of 1,000 episodes
//! with real titles and notes from the corpus, ten show-notes chapters each), then with 1,000
//! hour-long transcripts (~9,000 words each) added: query latency, what the index costs on
//! disk, and how long the library waits for the listener while transcripts are indexed.
//! Run: `cargo bench -p chaptercast-engine --bench search`.

use chaptercast_engine::library::{EpisodeId, Library, MAX_RESULTS};
use chaptercast_engine::net::CacheValidators;
use chaptercast_engine::testkit::{escape, FeedBuilder, ItemBuilder};
use chaptercast_engine::transcripts::{Cue, Format, Transcript};
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
    let spoken = count("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search_spoken%' OR name = 'search_passages'");
    println!(
        "of which the spoken-word index: {:.1} MB",
        spoken as f64 / 1e6
    );
    let episodes = count("SELECT count(*) FROM episodes");
    let chapters = count("SELECT count(*) FROM search_chapters");
    let cues = count("SELECT count(*) FROM transcript_cues");
    let words = count(
        "SELECT coalesce(sum(length(text) - length(replace(text, ' ', '')) + 1), 0) FROM transcript_cues",
    );
    println!(
        "library: {episodes} episodes, {chapters} chapters, {cues} cues ({words} words); file {:.1} MB, search index {:.1} MB = {:.1} % of the library",
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

/// Running text from the corpus's show notes: transcripts are made of it, a cue of ~10 words
/// every 4 s, so the vocabulary and word frequencies are those of real English about podcasts.
fn speech_words() -> Vec<String> {
    let text: String = real_episodes()
        .iter()
        .map(|(_, notes)| chaptercast_engine::chapters::shownotes::notes_text(notes))
        .collect::<Vec<_>>()
        .join(" ");
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic) && !w.contains("://"))
        .map(str::to_string)
        .collect()
}

/// Said once, in one cue of one transcript, and nowhere else.
const SAID_ONLY: &str = "quixotic flamingo";

/// An hour of speech: 900 cues of 10 words, two speakers.
fn hour_transcript(words: &[String], rng: &mut Rng) -> Transcript {
    let mut at = rng.below(words.len());
    let cues = (0..900u64)
        .map(|i| {
            let text: Vec<&str> = (0..10)
                .map(|_| {
                    at = (at + 1) % words.len();
                    words[at].as_str()
                })
                .collect();
            Cue {
                start_ms: i * 4_000,
                end_ms: i * 4_000 + 3_800,
                speaker: Some(if i % 7 < 4 { "Host" } else { "Guest" }.to_string()),
                text: text.join(" "),
            }
        })
        .collect();
    Transcript { cues, timed: true }
}

/// Adds 1,000 transcripts the way the app does (stored one by one, indexed in steps of 8 in
/// the background) while the "listener" asks the library for a show's episodes every 20 ms;
/// prints the longest such call. Then times queries over the whole library.
fn with_transcripts(c: &mut Criterion) {
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("library.sqlite3");
    let mut library = build_library(&path);
    library.index_pending().expect("index");
    let shows = library.shows().expect("shows");
    let episodes: Vec<EpisodeId> = shows
        .iter()
        .flat_map(|s| library.episodes(s.id).expect("episodes"))
        .map(|e| e.id)
        .step_by(10)
        .take(1_000)
        .collect();
    let words = speech_words();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut transcripts: Vec<Transcript> = (0..episodes.len())
        .map(|_| hour_transcript(&words, &mut rng))
        .collect();
    transcripts[500].cues[450].text = format!("and then a {SAID_ONLY} walked in");
    // Words said in the middle of one transcript (and, the transcripts being made of notes
    // text, written in some notes too).
    let said: String = transcripts[700].cues[450]
        .text
        .split(' ')
        .skip(3)
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    let library = Arc::new(Mutex::new(library));
    let started = std::time::Instant::now();
    let writer = {
        let library = Arc::clone(&library);
        std::thread::spawn(move || {
            // As the app does it: each store is its own library call (between network
            // fetches), and the indexer pauses between its steps.
            for (id, transcript) in episodes.iter().zip(&transcripts) {
                library
                    .lock()
                    .expect("lock")
                    .store_transcript(*id, "https://h/t.vtt", Format::Vtt, Ok(transcript))
                    .expect("store");
                std::thread::sleep(chaptercast_engine::INDEX_STEP_PAUSE);
            }
            let mut longest_step = std::time::Duration::ZERO;
            loop {
                let step = std::time::Instant::now();
                let indexed = library
                    .lock()
                    .expect("lock")
                    .index_some(chaptercast_engine::INDEX_STEP_EPISODES)
                    .expect("index");
                longest_step = longest_step.max(step.elapsed());
                if indexed == 0 {
                    break;
                }
                std::thread::sleep(chaptercast_engine::INDEX_STEP_PAUSE);
            }
            longest_step
        })
    };
    let show = shows[0].id;
    let mut longest = std::time::Duration::ZERO;
    let mut calls = 0;
    while !writer.is_finished() {
        let asked = std::time::Instant::now();
        let listed = library
            .lock()
            .expect("lock")
            .episodes(show)
            .expect("episodes");
        std::hint::black_box(listed);
        longest = longest.max(asked.elapsed());
        calls += 1;
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let longest_step = writer.join().expect("writer");
    println!(
        "1,000 transcripts stored and indexed in {:.1} s (longest index step {:.0} ms); the listener's {calls} calls meanwhile waited at most {:.0} ms",
        started.elapsed().as_secs_f64(),
        longest_step.as_secs_f64() * 1000.0,
        longest.as_secs_f64() * 1000.0
    );
    let mut library = Arc::try_unwrap(library)
        .ok()
        .expect("one owner")
        .into_inner()
        .expect("lock");
    report_sizes(&path);
    let mut group = c.benchmark_group("search 10k episodes + 100k chapters + 1k transcripts");
    group.sample_size(30);
    for (label, query) in [
        ("rare word", "passthrough"),
        ("typing a word (prefix)", "notebo"),
        ("common chapter word", "intro"),
        ("common word everywhere", "linux"),
        ("three common words", "we talked about"),
        ("three words said in a cue", said.as_str()),
        ("said, not written", SAID_ONLY),
        ("no match", "zzzzqqq"),
    ] {
        let hits = library.search(query, MAX_RESULTS).expect("search");
        let kinds: Vec<_> = hits.iter().map(|h| h.kind).collect();
        let count = |k| kinds.iter().filter(|x| **x == k).count();
        use chaptercast_engine::library::HitKind as K;
        println!(
            "{label:28} {query:18} {} hits: {} title, {} chapter, {} notes, {} said",
            hits.len(),
            count(K::Title),
            count(K::Chapter),
            count(K::Notes),
            count(K::Transcript)
        );
        group.bench_function(label, |b| {
            b.iter(|| library.search(query, MAX_RESULTS).expect("search"))
        });
    }
    group.finish();
}

criterion_group!(benches, queries, with_transcripts);
criterion_main!(benches);
