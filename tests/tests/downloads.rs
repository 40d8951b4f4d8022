//! Downloads against a fault-injecting server: the final file is byte-exact (same SHA-256 as
//! served) or absent with a clear error, and an interrupted download resumes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use chaptercast_e2e::app::cli_binary;
use chaptercast_e2e::server::{Fault, Route, TestServer};
use sha2::{Digest, Sha256};

fn body(len: usize) -> Vec<u8> {
    // Not a repeating pattern with a short period: a misplaced block changes the hash.
    let mut x: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

fn sha(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

async fn cli_download(url: &str, out: &Path) -> Output {
    let binary = cli_binary().expect("cli binary");
    let (url, out) = (url.to_string(), out.to_path_buf());
    tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .args(["download", &url, "--out"])
            .arg(&out)
            .env_remove("DISPLAY")
            .env("CHAPTERCAST_HTTP_TIMEOUT_S", "2")
            .output()
            .expect("run chaptercast download")
    })
    .await
    .expect("join")
}

fn part_of(out: &Path) -> PathBuf {
    let mut name = out.file_name().expect("name").to_os_string();
    name.push(".part");
    out.with_file_name(name)
}

/// Downloads `route` and asserts the result is exact.
async fn assert_exact(route: Route, served: &[u8]) -> TestServer {
    let server = TestServer::start().await.expect("server");
    server.route("/ep.mp3", route);
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("ep.mp3");
    let result = cli_download(&server.url("/ep.mp3"), &out).await;
    assert!(
        result.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let got = std::fs::read(&out).expect("final file");
    assert_eq!(
        sha(&got),
        sha(served),
        "the file differs from the served one"
    );
    assert!(!part_of(&out).exists(), "the .part file was left behind");
    server
}

/// Asserts the download fails with one line naming `needle`, leaving nothing at PATH.
async fn assert_fails(route: Route, needle: &str) {
    let server = TestServer::start().await.expect("server");
    server.route("/ep.mp3", route);
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("ep.mp3");
    let result = cli_download(&server.url("/ep.mp3"), &out).await;
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(needle), "{stderr}");
    assert!(!out.exists(), "a file was left at the final path");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clean_download_is_exact() {
    let served = body(3 << 20);
    assert_exact(
        Route::file("audio/mpeg", served.clone()).with_etag("\"v1\""),
        &served,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_reset_mid_body_resumes_with_a_range_request() {
    let served = body(3 << 20);
    let route = Route::file("audio/mpeg", served.clone())
        .with_etag("\"v1\"")
        .with_faults([Fault::ResetAfter(1 << 20), Fault::ResetAfter(700_000)]);
    let server = assert_exact(route, &served).await;
    let ranges: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|r| r.headers.get("range").cloned())
        .collect();
    assert!(
        ranges.len() >= 2 && ranges.iter().all(|r| r != "bytes=0-"),
        "resumes must ask for the rest: {ranges:?}"
    );
    assert!(server
        .requests()
        .iter()
        .filter(|r| r.headers.contains_key("range"))
        .all(|r| r.headers.get("if-range").map(String::as_str) == Some("\"v1\"")));
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_are_retried() {
    let served = body(1 << 20);
    let route = Route::file("audio/mpeg", served.clone())
        .with_faults([Fault::Status(500), Fault::Status(503)]);
    assert_exact(route, &served).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_drip_still_ends_exact() {
    let served = body(600_000);
    assert_exact(
        Route::file("audio/mpeg", served.clone()).with_throttle(400_000),
        &served,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_short_body_once_is_resumed() {
    let served = body(2 << 20);
    let route = Route::file("audio/mpeg", served.clone())
        .with_etag("\"v1\"")
        .with_faults([Fault::ShortBody(5000)]);
    assert_exact(route, &served).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_content_length_that_is_always_wrong_fails_cleanly() {
    let served = body(300_000);
    let route = Route::ok("audio/mpeg", served).with_faults(vec![Fault::ShortBody(5000); 20]);
    assert_fails(route, "ep.mp3").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_200_to_a_resume_restarts_instead_of_appending() {
    let served = body(3 << 20);
    let route = Route::file("audio/mpeg", served.clone())
        .with_etag("\"v1\"")
        .with_faults([Fault::ResetAfter(1 << 20), Fault::IgnoreRange]);
    let server = assert_exact(route, &served).await;
    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert!(statuses.contains(&200), "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_chain_is_followed() {
    let served = body(1 << 20);
    let server = TestServer::start().await.expect("server");
    server.route("/cdn/ep.mp3", Route::file("audio/mpeg", served.clone()));
    server.route("/t2/ep.mp3", Route::redirect(&server.url("/cdn/ep.mp3")));
    server.route("/t1/ep.mp3", Route::redirect(&server.url("/t2/ep.mp3")));
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("ep.mp3");
    let result = cli_download(&server.url("/t1/ep.mp3"), &out).await;
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert_eq!(sha(&std::fs::read(&out).expect("file")), sha(&served));
}

#[tokio::test(flavor = "multi_thread")]
async fn not_found_is_one_line_and_no_file() {
    assert_fails(Route::status(404), "404").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_folder_is_created_and_a_bad_one_is_an_error() {
    let served = body(100_000);
    let server = TestServer::start().await.expect("server");
    server.route("/ep.mp3", Route::file("audio/mpeg", served.clone()));
    let dir = tempfile::tempdir().expect("dir");
    let nested = dir.path().join("a/b/ep.mp3");
    let ok = cli_download(&server.url("/ep.mp3"), &nested).await;
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // A path through a regular file cannot be created.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").expect("write");
    let bad = cli_download(&server.url("/ep.mp3"), &blocker.join("ep.mp3")).await;
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_mid_download_then_rerun_resumes_from_the_last_byte() {
    let served = body(6 << 20);
    let server = TestServer::start().await.expect("server");
    server.route(
        "/ep.mp3",
        Route::file("audio/mpeg", served.clone())
            .with_etag("\"v1\"")
            .with_throttle(1 << 20),
    );
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("ep.mp3");
    let binary = cli_binary().expect("binary");
    let mut child = Command::new(&binary)
        .args(["download", &server.url("/ep.mp3"), "--out"])
        .arg(&out)
        .env_remove("DISPLAY")
        .spawn()
        .expect("spawn");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // SIGKILL: no chance to clean up.
    child.kill().expect("kill -9");
    let _ = child.wait();
    assert!(!out.exists(), "an incomplete file sits at the final path");
    let kept = std::fs::metadata(part_of(&out))
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(kept > 0 && kept < served.len() as u64, "kept {kept} bytes");

    // The rerun, at full speed, asks for exactly the rest.
    server.route(
        "/ep.mp3",
        Route::file("audio/mpeg", served.clone()).with_etag("\"v1\""),
    );
    let before = server.requests().len();
    let result = cli_download(&server.url("/ep.mp3"), &out).await;
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let resume = &server.requests()[before];
    assert_eq!(
        resume.headers.get("range").map(String::as_str),
        Some(format!("bytes={kept}-").as_str()),
        "the rerun must resume from the last byte on disk"
    );
    assert_eq!(resume.status, 206);
    assert_eq!(sha(&std::fs::read(&out).expect("file")), sha(&served));
}

/// A symbolic link planted where the `.part` file goes (a shared or synced folder) does not make
/// the download write through it.
#[tokio::test(flavor = "multi_thread")]
async fn a_symlink_planted_as_the_part_file_is_not_followed() {
    let server = TestServer::start().await.expect("server");
    server.route("/ep.mp3", Route::file("audio/mpeg", vec![7u8; 200_000]));
    let dir = tempfile::tempdir().expect("dir");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, b"keep me").expect("victim");
    let out = dir.path().join("ep.mp3");
    std::os::unix::fs::symlink(&victim, dir.path().join("ep.mp3.part")).expect("symlink");
    let result = cli_download(&server.url("/ep.mp3"), &out).await;
    assert!(!result.status.success(), "wrote through the link");
    assert_eq!(std::fs::read(&victim).expect("victim"), b"keep me");
    assert!(!out.exists());
}
