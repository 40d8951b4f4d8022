//! The engine end to end against a local server: subscribe, refresh, conditional GET, and
//! every kind of bad answer leaving the library untouched.

use std::time::Duration;

use chaptercast_e2e::fixtures::meta_feed_xml;
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::{Config, Engine, NetError, RefreshError, RefreshOutcome};

fn engine_in(dir: &std::path::Path, default_feed: &str) -> Engine {
    let mut config = Config::new(dir.to_path_buf());
    config.default_feed_url = default_feed.to_string();
    config.read_timeout = Duration::from_millis(800);
    config.feed_body_limit_bytes = 1024 * 1024;
    match Engine::open(config) {
        Ok((engine, _events)) => engine,
        Err(e) => panic!("engine: {e}"),
    }
}

async fn served_meta_feed() -> TestServer {
    let server = TestServer::start().await.expect("server");
    let xml = meta_feed_xml(&server.base_url());
    server.route(
        "/feed.xml",
        Route::ok("application/rss+xml; charset=utf-8", xml).with_etag("\"v1\""),
    );
    server
}

#[tokio::test]
async fn first_run_subscribes_default_feed_and_refresh_fills_it() {
    let server = served_meta_feed().await;
    let dir = tempfile::tempdir().expect("dir");
    let engine = engine_in(dir.path(), &server.url("/feed.xml"));
    let shows = engine.shows().await.expect("shows");
    assert_eq!(shows.len(), 1);
    assert_eq!(shows[0].title, "", "not fetched yet");

    let results = engine.refresh_all().await.expect("refresh");
    assert!(
        matches!(results[0].1, Ok(RefreshOutcome::Merged(r)) if r.added == 24),
        "{results:?}"
    );
    let episodes = engine.episodes(shows[0].id).await.expect("episodes");
    assert_eq!(episodes.len(), 24);
    assert_eq!(episodes[0].guid, "mtp-24");

    // The request named Chaptercast and its version.
    let ua = server.requests()[0]
        .headers
        .get("user-agent")
        .cloned()
        .unwrap_or_default();
    assert!(ua.starts_with("Chaptercast/"), "{ua}");
}

#[tokio::test]
async fn unchanged_feed_costs_a_304_and_no_parse() {
    let server = served_meta_feed().await;
    let dir = tempfile::tempdir().expect("dir");
    let engine = engine_in(dir.path(), &server.url("/feed.xml"));
    let show = engine.shows().await.expect("shows")[0].id;
    engine.refresh_show(show).await.expect("first");
    let second = engine.refresh_show(show).await.expect("second");
    assert_eq!(second, RefreshOutcome::NotModified);
    let requests = server.requests();
    assert_eq!(
        requests[1].headers.get("if-none-match").map(String::as_str),
        Some("\"v1\"")
    );
    assert_eq!(requests[1].status, 304);
}

#[tokio::test]
async fn broken_refreshes_keep_the_library() {
    let server = served_meta_feed().await;
    let dir = tempfile::tempdir().expect("dir");
    let engine = engine_in(dir.path(), &server.url("/feed.xml"));
    let show = engine.shows().await.expect("shows")[0].id;
    engine.refresh_show(show).await.expect("first");
    let before = engine.episodes(show).await.expect("episodes");

    let breakages = [
        Route::status(500),
        Route::status(404),
        Route::ok(
            "text/html",
            "<!DOCTYPE html><html><body>Maintenance</body></html>",
        ),
        Route::ok(
            "application/rss+xml",
            "<rss><channel><title>cut off<item><title>x",
        ),
        Route::ok("application/rss+xml", ""),
        Route::ok("application/rss+xml", vec![b'x'; 2 * 1024 * 1024]),
        Route::ok("application/rss+xml", "late").with_delay(Duration::from_secs(3)),
    ];
    for broken in breakages {
        let status = broken.status;
        server.route("/feed.xml", broken);
        let result = engine.refresh_show(show).await;
        assert!(result.is_err(), "status {status}: {result:?}");
        let after = engine.episodes(show).await.expect("episodes");
        assert_eq!(
            after, before,
            "library changed after a broken refresh ({status})"
        );
        let stored = engine.show(show).await.expect("show");
        assert_eq!(stored.title, "Meta Tech Podcast");
        assert!(stored.last_error.is_some());
    }
}

#[tokio::test]
async fn bad_subscriptions_are_refused_with_a_reason_and_store_nothing() {
    let server = served_meta_feed().await;
    server.route(
        "/html",
        Route::ok("text/html", "<html><body>hi</body></html>"),
    );
    server.route(
        "/broken.xml",
        Route::ok("application/xml", "<rss><channel><item>"),
    );
    server.route(
        "/slow",
        Route::ok("application/xml", "x").with_delay(Duration::from_secs(3)),
    );
    server.route(
        "/huge",
        Route::ok("application/xml", vec![b' '; 2 * 1024 * 1024]),
    );
    server.route("/500", Route::status(500));
    let dir = tempfile::tempdir().expect("dir");
    let engine = engine_in(dir.path(), &server.url("/feed.xml"));

    type Expect = fn(&RefreshError) -> bool;
    let cases: Vec<(String, Expect)> = vec![
        (server.url("/missing"), |e| {
            matches!(e, RefreshError::Net(NetError::Status { status: 404, .. }))
        }),
        (server.url("/500"), |e| {
            matches!(e, RefreshError::Net(NetError::Status { status: 500, .. }))
        }),
        (server.url("/html"), |e| {
            matches!(e, RefreshError::Feed { .. })
        }),
        (server.url("/broken.xml"), |e| {
            matches!(e, RefreshError::Feed { .. })
        }),
        (server.url("/slow"), |e| {
            matches!(e, RefreshError::Net(NetError::Timeout { .. }))
        }),
        (server.url("/huge"), |e| {
            matches!(e, RefreshError::Net(NetError::TooLarge { .. }))
        }),
        ("file:///etc/passwd".to_string(), |e| {
            matches!(e, RefreshError::Net(NetError::UnsupportedScheme { .. }))
        }),
        ("ftp://example.com/feed".to_string(), |e| {
            matches!(e, RefreshError::Net(NetError::UnsupportedScheme { .. }))
        }),
        ("http://127.0.0.1:1/feed".to_string(), |e| e.is_offline()),
    ];
    for (url, expected) in cases {
        match engine.subscribe(&url).await {
            Ok(_) => panic!("{url} was accepted"),
            Err(e) => assert!(expected(&e), "{url}: unexpected error {e:?}"),
        }
        assert_eq!(
            engine.shows().await.expect("shows").len(),
            1,
            "{url} was stored"
        );
    }
    // And a good one is accepted once.
    let good = server.url("/feed.xml?again");
    server.route(
        "/feed.xml?again",
        Route::ok("application/rss+xml", meta_feed_xml("http://h")),
    );
    let first = engine.subscribe(&good).await.expect("subscribe");
    let second = engine.subscribe(&good).await.expect("subscribe again");
    assert_eq!(first, second);
    assert_eq!(engine.episodes(first).await.expect("episodes").len(), 24);
}

#[tokio::test]
async fn redirects_are_followed() {
    let server = served_meta_feed().await;
    server.route("/old", Route::redirect("/tracker"));
    server.route("/tracker", Route::redirect(&server.url("/feed.xml")));
    let dir = tempfile::tempdir().expect("dir");
    let engine = engine_in(dir.path(), &server.url("/old"));
    let results = engine.refresh_all().await.expect("refresh");
    assert!(
        matches!(results[0].1, Ok(RefreshOutcome::Merged(r)) if r.added == 24),
        "{results:?}"
    );
}

/// The background schedule: a show just asked for waits for the interval; `Cache-Control:
/// max-age` and a `429` with `Retry-After` hold a show back even from a start-up refresh.
#[tokio::test]
async fn background_refresh_honours_interval_max_age_and_retry_after() {
    let server = TestServer::start().await.expect("server");
    let xml = meta_feed_xml(&server.base_url());
    server.route("/plain.xml", Route::ok("application/rss+xml", xml.clone()));
    let mut cached = Route::ok("application/rss+xml", xml.clone());
    cached
        .headers
        .push(("Cache-Control".into(), "public, max-age=7200".into()));
    server.route("/cached.xml", cached);
    let mut busy = Route::status(429);
    busy.headers.push(("Retry-After".into(), "600".into()));
    server.route("/busy.xml", busy);

    let dir = tempfile::tempdir().expect("dir");
    let engine = engine_in(dir.path(), &server.url("/plain.xml"));
    let plain = engine.shows().await.expect("shows")[0].id;
    let cached = engine
        .subscribe(&server.url("/cached.xml"))
        .await
        .expect("cached");
    // A busy feed cannot be subscribed to (nothing to parse); put it in the library directly.
    let busy_show = {
        let mut library =
            chaptercast_engine::Library::open(&engine.config().library_path()).expect("library");
        library
            .subscribe(&server.url("/busy.xml"))
            .expect("subscribe")
            .0
    };

    // Start-up: every show never checked is due.
    let first = engine.refresh_due(Duration::ZERO).await.expect("due");
    let ids: Vec<_> = first.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [plain, cached, busy_show]);
    assert!(
        matches!(&first[2].1, Err(RefreshError::Net(NetError::Busy { retry_after, .. })) if retry_after.as_secs() == 600),
        "{:?}",
        first[2].1
    );
    let requests = server.requests().len();

    // Right after: nothing is due with a 3-hour interval.
    assert!(engine
        .refresh_due(Duration::from_secs(3 * 3600))
        .await
        .expect("due")
        .is_empty());
    // A start-up refresh again: the plain feed is asked; the max-age and Retry-After ones wait.
    let again = engine.refresh_due(Duration::ZERO).await.expect("due");
    let ids: Vec<_> = again.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [plain]);
    assert_eq!(server.requests().len(), requests + 1);
    // "Refresh now" asks everyone.
    assert_eq!(engine.refresh_all().await.expect("all").len(), 3);
}

#[tokio::test]
async fn refresh_interval_setting_round_trips_with_a_default() {
    let server = served_meta_feed().await;
    let dir = tempfile::tempdir().expect("dir");
    let engine = engine_in(dir.path(), &server.url("/feed.xml"));
    assert_eq!(engine.refresh_interval_hours().await.expect("get"), 3);
    engine.set_refresh_interval_hours(12).await.expect("set");
    assert_eq!(engine.refresh_interval_hours().await.expect("get"), 12);
    engine
        .set_refresh_interval_hours(10_000)
        .await
        .expect("set");
    assert_eq!(engine.refresh_interval_hours().await.expect("get"), 168);
}
