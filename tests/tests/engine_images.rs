//! Pictures for the window come through the engine: capped, tracking pixels refused and never
//! fetched again, scaled to the box they are shown in, and served from the disk cache when the
//! host is gone.

use chaptercast_e2e::fixtures::png;
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::images::{ImageError, IMAGE_BODY_LIMIT};
use chaptercast_engine::net::NetError;
use chaptercast_engine::{Config, Engine};

fn open_engine(dir: &std::path::Path) -> Engine {
    let mut config = Config::new(dir.to_path_buf());
    config.subscribe_default_feed = false;
    Engine::open(config).expect("engine").0
}

fn hits(server: &TestServer, path: &str) -> usize {
    server.requests().iter().filter(|r| r.path == path).count()
}

#[tokio::test]
async fn artwork_is_scaled_to_its_box_and_shows_offline() {
    let server = TestServer::start().await.expect("server");
    server.route("/cover.png", Route::ok("image/png", png(3000, 3000)));
    let dir = tempfile::tempdir().expect("dir");
    let engine = open_engine(dir.path());

    let shown = engine
        .display_image(&server.url("/cover.png"), 200)
        .await
        .expect("shown");
    let picture = image::load_from_memory(&shown.bytes).expect("a picture");
    assert_eq!((picture.width(), picture.height()), (256, 256));
    assert_eq!(shown.mime, "image/jpeg");
    let asked = &server.requests()[0];
    assert!(
        asked
            .headers
            .get("user-agent")
            .is_some_and(|ua| ua.starts_with("Chaptercast/")),
        "{asked:?}"
    );
    assert!(!asked.headers.contains_key("cookie") && !asked.headers.contains_key("referer"));

    // Offline, and after a relaunch: the same picture from the cache.
    server.stop();
    drop(engine);
    let again = open_engine(dir.path())
        .display_image(&server.url("/cover.png"), 256)
        .await
        .expect("from the cache");
    assert_eq!(again, shown);
    assert_eq!(hits(&server, "/cover.png"), 1);
}

#[tokio::test]
async fn tracking_pixels_are_refused_and_never_fetched_again() {
    let server = TestServer::start().await.expect("server");
    server.route("/open.gif", Route::ok("image/png", png(1, 1)));
    let dir = tempfile::tempdir().expect("dir");
    let engine = open_engine(dir.path());
    for _ in 0..3 {
        let got = engine.display_image(&server.url("/open.gif"), 640).await;
        assert!(
            matches!(got, Err(ImageError::TrackingPixel { .. })),
            "{got:?}"
        );
    }
    assert_eq!(
        hits(&server, "/open.gif"),
        1,
        "the reader's visits are reported once at most"
    );
}

#[tokio::test]
async fn pictures_past_the_cap_and_non_web_urls_are_refused() {
    let server = TestServer::start().await.expect("server");
    let mut huge = png(64, 64);
    huge.resize(IMAGE_BODY_LIMIT as usize + 1024, 0);
    server.route("/huge.png", Route::ok("image/png", huge));
    let dir = tempfile::tempdir().expect("dir");
    let engine = open_engine(dir.path());
    let got = engine.display_image(&server.url("/huge.png"), 64).await;
    assert!(
        matches!(got, Err(ImageError::Net(NetError::TooLarge { .. }))),
        "{got:?}"
    );
    for url in [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
    ] {
        let got = engine.display_image(url, 64).await;
        assert!(matches!(got, Err(ImageError::Net(_))), "{url}: {got:?}");
    }
    let cache = dir.path().join("cache/images");
    let left = std::fs::read_dir(&cache).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "nothing refused is cached");
}
