//! The gpodder API client against servers that behave otherwise than podsync: gpodder.net's
//! 404 for a device it has not seen yet, a server with no API at that address, and a redirected
//! upload (which would arrive as a GET and seem done).

use std::path::Path;
use std::time::Duration;

use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::net::HttpClient;
use chaptercast_engine::sync::gpodder::{GpodderClient, GpodderError};
use chaptercast_engine::sync::SyncError;
use chaptercast_engine::{Config, Engine, Events};

fn engine(dir: &Path) -> (Engine, Events) {
    let mut config = Config::new(dir.to_path_buf());
    config.subscribe_default_feed = false;
    config.use_keyring = false;
    config.read_timeout = Duration::from_secs(5);
    Engine::open(config).expect("engine")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_the_server_has_not_seen_yet_is_an_empty_list_not_a_missing_api() {
    let server = TestServer::start().await.expect("server");
    server.route(
        "/api/2/auth/ann/login.json",
        Route::ok("text/plain", "").with_header("Set-Cookie", "sessionid=abc123; Path=/api"),
    );
    // No route for the device's subscriptions: 404, as gpodder.net answers for a new device.
    server.route(
        "/api/2/devices/ann.json",
        Route::ok(
            "application/json",
            r#"[{"id": "phone", "caption": "Phone", "type": "mobile"}]"#,
        ),
    );
    let dir = tempfile::tempdir().expect("dir");
    let (engine, _events) = engine(dir.path());
    let checked = engine
        .sync_check(&server.base_url(), "ann", "pw", Some("new-desk"))
        .await
        .expect("a new device is fine");
    assert_eq!(checked.device_id, "new-desk");
    let devices = checked.devices.expect("listed");
    assert_eq!(devices[0].id, "phone");
    assert!(!checked.insecure, "plain http on this computer");
    // The session cookie went with the requests after the login.
    let asked: Vec<_> = server.requests();
    assert!(
        asked.iter().any(
            |r| r.path.starts_with("/api/2/subscriptions/ann/new-desk.json")
                && r.headers
                    .get("cookie")
                    .is_some_and(|c| c.contains("sessionid=abc123"))
        ),
        "{asked:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_without_the_api_says_so() {
    let server = TestServer::start().await.expect("server");
    let dir = tempfile::tempdir().expect("dir");
    let (engine, _events) = engine(dir.path());
    let error = engine
        .sync_check(&server.base_url(), "ann", "pw", Some("desk"))
        .await
        .expect_err("no API here");
    assert!(
        matches!(
            error,
            SyncError::Server(GpodderError::Status { status: 404, .. })
        ),
        "{error:?}"
    );
    // Nothing was kept.
    assert!(engine.sync_account().await.expect("account").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirected_upload_is_an_error_not_a_success() {
    let server = TestServer::start().await.expect("server");
    server.route(
        "/api/2/episodes/ann.json",
        Route::redirect(&server.url("/moved")),
    );
    server.route(
        "/moved",
        Route::ok("application/json", r#"{"timestamp": 1, "update_urls": []}"#),
    );
    let dir = tempfile::tempdir().expect("dir");
    let mut config = Config::new(dir.path().to_path_buf());
    config.read_timeout = Duration::from_secs(5);
    let http = HttpClient::new(&config).expect("http");
    let root = url::Url::parse(&server.base_url()).expect("url");
    let mut client = GpodderClient::new(&http, root, "ann", "pw");
    let error = client
        .upload_episode_actions(&[])
        .await
        .expect_err("redirected");
    assert!(
        matches!(error, GpodderError::Redirected { .. }),
        "{error:?}"
    );
}
