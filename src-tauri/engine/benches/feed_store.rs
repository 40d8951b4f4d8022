//! Parse + store of the largest corpus feed, and the refresh of an unchanged feed (a 304).
//! Run: `cargo bench -p chaptercast-engine --bench feed_store` (needs ../shared/corpus).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use chaptercast_engine::feed;
use chaptercast_engine::library::Library;
use chaptercast_engine::net::CacheValidators;
use chaptercast_engine::{Config, Engine};
use criterion::{criterion_group, criterion_main, Criterion};

fn corpus_feed(name: &str) -> Vec<u8> {
    let shared = std::env::var_os("CHAPTERCAST_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let path = shared.join("corpus/feeds").join(name);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("benchmark input {} missing: {e}", path.display()))
}

fn parse_and_store(c: &mut Criterion) {
    let bytes = corpus_feed("LARGE_simplecast_critical-role_2026-07-21.xml");
    let mut group = c.benchmark_group("large feed (455 items, 3.4 MB)");
    group.sample_size(30);
    // The floor, side by side: the `rss` crate alone reading the same bytes into its structs
    // (no sanitizing, no podcast model).
    group.bench_function("rss crate alone", |b| {
        b.iter(|| rss::Channel::read_from(&bytes[..]).map(|c| c.items().len()))
    });
    group.bench_function("parse", |b| {
        b.iter(|| feed::parse(&bytes, None).map(|f| f.episodes.len()))
    });
    // The library is opened outside the timing: the app opens it once, not per subscription.
    group.bench_function("parse + store (new library)", |b| {
        b.iter_batched(
            || {
                let mut library = Library::open_in_memory().expect("library");
                let (show, _) = library
                    .subscribe("https://example.com/feed")
                    .expect("subscribe");
                (library, show)
            },
            |(mut library, show)| {
                let parsed = feed::parse(&bytes, None).expect("parse");
                library
                    .apply_feed(show, &parsed, &CacheValidators::default())
                    .expect("store");
                library
            },
            criterion::BatchSize::SmallInput,
        )
    });
    group.bench_function("parse + merge (unchanged, existing library)", |b| {
        let mut library = Library::open_in_memory().expect("library");
        let (show, _) = library
            .subscribe("https://example.com/feed")
            .expect("subscribe");
        let parsed = feed::parse(&bytes, None).expect("parse");
        library
            .apply_feed(show, &parsed, &CacheValidators::default())
            .expect("store");
        b.iter(|| {
            let parsed = feed::parse(&bytes, None).expect("parse");
            library
                .apply_feed(show, &parsed, &CacheValidators::default())
                .expect("merge")
        })
    });
    group.finish();
}

/// A loopback server that answers every request with `304 Not Modified`.
fn not_modified_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut stream = stream;
                loop {
                    let mut line = String::new();
                    // Read one request head, answer, keep the connection alive.
                    loop {
                        line.clear();
                        match reader.read_line(&mut line) {
                            Ok(0) | Err(_) => return,
                            Ok(_) if line == "\r\n" => break,
                            Ok(_) => {}
                        }
                    }
                    let answer =
                        "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 0\r\n\r\n";
                    if stream.write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}/feed.xml")
}

fn refresh_not_modified(c: &mut Criterion) {
    let url = not_modified_server();
    let dir = tempfile::tempdir().expect("dir");
    let mut config = Config::new(dir.path().to_path_buf());
    config.default_feed_url = url;
    let (engine, _events) = Engine::open(config).expect("engine");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let show = runtime.block_on(engine.shows()).expect("shows")[0].id;
    c.bench_function("refresh unchanged feed (304)", |b| {
        b.iter(|| {
            runtime
                .block_on(engine.refresh_show(show))
                .expect("refresh")
        })
    });
}

criterion_group!(benches, parse_and_store, refresh_not_modified);
criterion_main!(benches);
