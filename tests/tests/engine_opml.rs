//! OPML import and export end to end against a local server: a 600-feed file with duplicates
//! and dead feeds, progress after each feed, the export → import round trip, and the corpus's
//! real OPML export.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use chaptercast_e2e::fixtures::{corpus_folder, meta_feed_xml};
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::opml;
use chaptercast_engine::{Config, Engine, EngineEvent, Events};

fn empty_engine(dir: &Path) -> (Engine, Events) {
    let mut config = Config::new(dir.to_path_buf());
    config.subscribe_default_feed = false;
    config.read_timeout = Duration::from_secs(5);
    Engine::open(config).expect("engine")
}

async fn feed_urls(engine: &Engine) -> BTreeSet<String> {
    engine
        .shows()
        .await
        .expect("shows")
        .into_iter()
        .map(|s| s.feed_url)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_hundred_feeds_import_with_progress_duplicates_and_dead_feeds_reported() {
    let server = TestServer::start().await.expect("server");
    let xml = meta_feed_xml(&server.base_url());
    let mut outlines = String::new();
    for i in 0..600 {
        let path = format!("/feeds/{i}.xml");
        if i % 50 == 7 {
            server.route(&path, Route::status(404)); // 12 dead feeds
        } else {
            server.route(&path, Route::ok("application/rss+xml", xml.clone()));
        }
        outlines.push_str(&format!(
            "<outline type=\"rss\" text=\"Show {i}\" xmlUrl=\"{}\"/>\n",
            server.url(&path)
        ));
    }
    // Listed twice, and one the library already has.
    outlines.push_str(&format!(
        "<outline text=\"again\" xmlUrl=\"{}\"/>\n",
        server.url("/feeds/1.xml")
    ));
    outlines.push_str("<outline text=\"not web\" xmlUrl=\"file:///etc/passwd\"/>\n");
    let file = format!("<?xml version=\"1.0\"?><opml version=\"2.0\"><head/><body><outline text=\"Tech\">{outlines}</outline></body></opml>");

    let dir = tempfile::tempdir().expect("dir");
    let (engine, events) = empty_engine(dir.path());
    engine
        .subscribe(&server.url("/feeds/0.xml"))
        .await
        .expect("already subscribed");
    let started = Instant::now();
    let report = engine.import_opml(file.as_bytes()).await.expect("import");
    let took = started.elapsed();
    eprintln!("600-feed import took {took:?}");
    assert_eq!(report.total, 602);
    assert_eq!(report.added.len(), 600 - 1 - 12);
    assert_eq!(report.duplicates.len(), 2, "{:?}", report.duplicates);
    assert_eq!(report.failed.len(), 13);
    assert!(report
        .failed
        .iter()
        .any(|f| f.url.starts_with("file:") && f.error.contains("http")));
    assert!(
        report
            .failed
            .iter()
            .filter(|f| f.error.contains("404"))
            .count()
            == 12
    );
    let seen: Vec<(usize, usize)> = events
        .try_iter()
        .filter_map(|e| match e {
            EngineEvent::Import(p) => Some((p.done, p.total)),
            _ => None,
        })
        .collect();
    assert_eq!(seen.len(), 600 - 1, "one progress report per feed fetched");
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0) && seen.last() == Some(&(602, 602)));
    assert_eq!(engine.shows().await.expect("shows").len(), 600 - 12);
}

#[tokio::test]
async fn export_then_import_into_an_empty_library_gives_the_same_subscriptions() {
    let server = TestServer::start().await.expect("server");
    let xml = meta_feed_xml(&server.base_url());
    for name in ["a", "b", "c"] {
        server.route(
            &format!("/{name}.xml"),
            Route::ok("application/rss+xml", xml.clone()),
        );
    }
    let first_dir = tempfile::tempdir().expect("dir");
    let (first, _) = empty_engine(first_dir.path());
    for name in ["a", "b", "c"] {
        first
            .subscribe(&server.url(&format!("/{name}.xml")))
            .await
            .expect("subscribe");
    }
    let (document, count) = first.export_opml().await.expect("export");
    assert_eq!(count, 3);
    assert!(document.contains("<opml version=\"2.0\">"));
    assert!(document.contains("text=\"Meta Tech Podcast\""));

    let second_dir = tempfile::tempdir().expect("dir");
    let (second, _) = empty_engine(second_dir.path());
    let report = second
        .import_opml(document.as_bytes())
        .await
        .expect("import");
    assert_eq!((report.added.len(), report.failed.len()), (3, 0));
    assert_eq!(feed_urls(&first).await, feed_urls(&second).await);
    // Importing the same file again changes nothing.
    let again = second
        .import_opml(document.as_bytes())
        .await
        .expect("again");
    assert_eq!((again.added.len(), again.duplicates.len()), (0, 3));
}

/// GNOME Podcasts' export (the expected output of its export test): six feeds, read without
/// touching the network.
#[test]
fn gnome_podcasts_export_lists_its_six_feeds() {
    let Some(dir) = corpus_folder("opml") else {
        return;
    };
    let bytes = std::fs::read(dir.join("gnome-podcasts_export_test.opml")).expect("read");
    let feeds = opml::parse(&bytes).expect("parse");
    assert_eq!(feeds.len(), 6, "{feeds:?}");
    assert!(feeds.iter().all(|f| f.url.starts_with("http")), "{feeds:?}");
    assert!(feeds.iter().all(|f| f.title.is_some()), "{feeds:?}");
    let back = opml::parse(opml::export(&feeds).as_bytes()).expect("round trip");
    assert_eq!(
        back.iter().map(|f| &f.url).collect::<Vec<_>>(),
        feeds.iter().map(|f| &f.url).collect::<Vec<_>>()
    );
}
