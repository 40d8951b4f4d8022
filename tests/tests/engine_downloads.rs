//! The download manager end to end: an episode of a subscribed show downloads into the
//! download folder, the library marks it only once complete, pause/resume/cancel/delete, and a
//! download cut short by a crash resumes when the engine starts again.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chaptercast_e2e::fixtures::meta_feed_xml;
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::download::{DownloadPhase, DownloadStatus, RetryPolicy};
use chaptercast_engine::library::{DownloadState, Library};
use chaptercast_engine::{Config, Engine, EngineEvent, EpisodeId};
use sha2::{Digest, Sha256};

fn audio(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect()
}

fn engine_in(dir: &std::path::Path, feed: &str) -> (Engine, Arc<Mutex<Vec<DownloadStatus>>>) {
    let mut config = Config::new(dir.to_path_buf());
    config.default_feed_url = feed.to_string();
    let (engine, events) = Engine::open(config).expect("engine");
    engine.set_download_retry(RetryPolicy {
        attempts: 4,
        first_backoff: Duration::from_millis(50),
        ..RetryPolicy::default()
    });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    std::thread::spawn(move || {
        while let Some(event) = events.recv() {
            if let EngineEvent::Download(s) = event {
                sink.lock().expect("lock").push(s);
            }
        }
    });
    (engine, seen)
}

async fn newest_episode(engine: &Engine) -> EpisodeId {
    engine.refresh_all().await.expect("refresh");
    let show = engine.shows().await.expect("shows")[0].id;
    engine.episodes(show).await.expect("episodes")[0].id
}

async fn wait_for(seen: &Mutex<Vec<DownloadStatus>>, phase: DownloadPhase) -> DownloadStatus {
    for _ in 0..300 {
        if let Some(s) = seen
            .lock()
            .expect("lock")
            .iter()
            .rev()
            .find(|s| s.state == phase)
        {
            return s.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never reached {phase:?}: {:?}", seen.lock().expect("lock"));
}

/// Starts downloading `id`, lets it run a little, pauses it; the paused report.
async fn start_then_pause(
    engine: &Engine,
    seen: &Mutex<Vec<DownloadStatus>>,
    id: EpisodeId,
) -> DownloadStatus {
    engine.download_episode(id).await.expect("start");
    wait_for(seen, DownloadPhase::Running).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    engine.pause_download(id);
    wait_for(seen, DownloadPhase::Paused).await
}

async fn serve(body: &[u8], throttle: Option<u64>) -> TestServer {
    let server = TestServer::start().await.expect("server");
    server.route(
        "/feed.xml",
        Route::ok("application/rss+xml", meta_feed_xml(&server.base_url())),
    );
    let mut route = Route::file("audio/mpeg", body.to_vec()).with_etag("\"a1\"");
    if let Some(rate) = throttle {
        route = route.with_throttle(rate);
    }
    server.route("/audio/ep24.mp3", route);
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn an_episode_downloads_and_is_marked_only_when_complete() {
    let body = audio(2 << 20);
    let server = serve(&body, Some(4 << 20)).await;
    let dir = tempfile::tempdir().expect("dir");
    let (engine, seen) = engine_in(dir.path(), &server.url("/feed.xml"));
    let id = newest_episode(&engine).await;
    engine.download_episode(id).await.expect("start");
    let running = wait_for(&seen, DownloadPhase::Running).await;
    assert!(running.downloaded < body.len() as u64);
    // While running, the library does not call it downloaded.
    assert!(engine
        .episode(id)
        .await
        .expect("episode")
        .download_path
        .is_none());
    let done = wait_for(&seen, DownloadPhase::Done).await;
    let path = done.path.expect("path");
    assert!(
        path.starts_with(&dir.path().join("downloads").to_string_lossy().into_owned()),
        "{path}"
    );
    assert!(path.ends_with(".mp3"), "{path}");
    let on_disk = std::fs::read(&path).expect("file");
    assert_eq!(Sha256::digest(&on_disk), Sha256::digest(&body));
    let episode = engine.episode(id).await.expect("episode");
    assert_eq!(episode.download_path.as_deref(), Some(path.as_str()));
    assert!(episode.summary.is_downloaded);
    // Playback now prefers the file.
    let request = engine.load_request(id, None).await.expect("load request");
    assert!(matches!(
        request.location,
        chaptercast_engine::player::MediaLocation::File(_)
    ));

    // Deleting removes the file and the record; the episode stays.
    engine.delete_download(id).await.expect("delete");
    assert!(!std::path::Path::new(&path).exists());
    let episode = engine.episode(id).await.expect("episode still there");
    assert!(episode.download_path.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn pause_resume_and_cancel() {
    let body = audio(3 << 20);
    let server = serve(&body, Some(1 << 20)).await;
    let dir = tempfile::tempdir().expect("dir");
    let (engine, seen) = engine_in(dir.path(), &server.url("/feed.xml"));
    let id = newest_episode(&engine).await;
    let paused = start_then_pause(&engine, &seen, id).await;
    assert!(
        paused.downloaded > 0 && paused.downloaded < body.len() as u64,
        "{paused:?}"
    );
    let listed = engine.downloads().await.expect("list");
    assert!(listed
        .iter()
        .any(|d| d.episode_id == id && d.state == DownloadPhase::Paused));

    seen.lock().expect("lock").clear();
    let before = server.requests().len();
    engine.download_episode(id).await.expect("resume");
    wait_for(&seen, DownloadPhase::Done).await;
    let resumed = server.requests()[before..]
        .iter()
        .find(|r| r.path == "/audio/ep24.mp3")
        .cloned()
        .expect("a request");
    assert_eq!(
        resumed.headers.get("range"),
        Some(&format!("bytes={}-", paused.downloaded))
    );

    // Cancel a second download: its part file goes, the episode is not downloaded.
    engine.delete_download(id).await.expect("delete");
    // Events arrive on their own thread: the delete's own report first, then a clean slate.
    wait_for(&seen, DownloadPhase::Removed).await;
    seen.lock().expect("lock").clear();
    engine.download_episode(id).await.expect("start again");
    wait_for(&seen, DownloadPhase::Running).await;
    engine.cancel_download(id).await.expect("cancel");
    wait_for(&seen, DownloadPhase::Removed).await;
    let leftovers: Vec<_> = walk(&dir.path().join("downloads"));
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
    assert!(engine.downloads().await.expect("list").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_download_cut_short_by_a_crash_resumes_on_the_next_start() {
    let body = audio(3 << 20);
    let server = serve(&body, Some(1 << 20)).await;
    let dir = tempfile::tempdir().expect("dir");
    let id;
    let partial;
    {
        let (engine, seen) = engine_in(dir.path(), &server.url("/feed.xml"));
        id = newest_episode(&engine).await;
        engine.download_episode(id).await.expect("start");
        wait_for(&seen, DownloadPhase::Running).await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        engine.pause_download(id);
        partial = wait_for(&seen, DownloadPhase::Paused).await.downloaded;
    }
    // As if the process had died mid-download: the record still says "running".
    {
        let mut library = Library::open(&dir.path().join("library.sqlite3")).expect("library");
        let record = library.download_record(id).expect("query").expect("record");
        library
            .set_download_state(id, DownloadState::Running, &record.dest_path, None, None)
            .expect("set");
    }
    let (engine, seen) = engine_in(dir.path(), &server.url("/feed.xml"));
    let before = server.requests().len();
    assert_eq!(
        engine.resume_interrupted_downloads().await.expect("resume"),
        1
    );
    let done = wait_for(&seen, DownloadPhase::Done).await;
    let resumed = &server.requests()[before];
    assert_eq!(
        resumed.headers.get("range"),
        Some(&format!("bytes={partial}-"))
    );
    let on_disk = std::fs::read(done.path.expect("path")).expect("file");
    assert_eq!(Sha256::digest(&on_disk), Sha256::digest(&body));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// "Download when online": started with the host unreachable, the download waits (saying so)
/// well past the tries a failing server gets, and finishes by itself once the host answers.
#[tokio::test(flavor = "multi_thread")]
async fn a_download_started_offline_waits_for_the_network_and_finishes_by_itself() {
    let body = audio(1 << 20);
    let server = serve(&body, None).await;
    let dir = tempfile::tempdir().expect("dir");
    let (engine, seen) = engine_in(dir.path(), &server.url("/feed.xml"));
    let id = newest_episode(&engine).await;
    server.set_down(true);
    engine.download_episode(id).await.expect("start");
    wait_for(&seen, DownloadPhase::Offline).await;
    // Four tries 50 ms apart would long have failed by now.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(
        !seen
            .lock()
            .expect("lock")
            .iter()
            .any(|s| s.state == DownloadPhase::Failed),
        "gave up while offline"
    );
    server.set_down(false);
    let done = wait_for(&seen, DownloadPhase::Done).await;
    let path = done.path.expect("path");
    assert_eq!(std::fs::read(path).expect("file"), body);
}

/// A server that compresses the audio (or a bomb posing as it): asked for the bytes as they are,
/// and written as sent, never inflated.
#[tokio::test(flavor = "multi_thread")]
async fn a_compressed_answer_is_written_as_sent_never_inflated() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![0u8; 256 << 20]).expect("gzip");
    let bomb = gz.finish().expect("gzip");
    assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
    let server = serve(&audio(1 << 20), None).await;
    server.route(
        "/audio/ep24.mp3",
        Route::file("audio/mpeg", bomb.clone()).with_header("Content-Encoding", "gzip"),
    );
    let dir = tempfile::tempdir().expect("dir");
    let (engine, seen) = engine_in(dir.path(), &server.url("/feed.xml"));
    let id = newest_episode(&engine).await;
    engine.download_episode(id).await.expect("start");
    let done = wait_for(&seen, DownloadPhase::Done).await;
    let on_disk = std::fs::read(done.path.expect("path")).expect("file");
    assert_eq!(on_disk.len(), bomb.len(), "written inflated");
    let asked: Vec<_> = server
        .requests()
        .iter()
        .filter(|r| r.path == "/audio/ep24.mp3")
        .map(|r| r.headers.get("accept-encoding").cloned())
        .collect();
    assert_eq!(asked, [Some("identity".to_string())]);
}

/// No length from the server or the feed, and more bytes than any episode: it stops at the cap
/// and leaves nothing behind.
#[tokio::test(flavor = "multi_thread")]
async fn an_answer_without_a_length_stops_at_the_cap_and_leaves_nothing() {
    let server = serve(&audio(1 << 20), None).await;
    server.route(
        "/audio/ep24.mp3",
        Route::ok("audio/mpeg", audio(24 << 20)).close_delimited(),
    );
    let dir = tempfile::tempdir().expect("dir");
    let (engine, seen) = engine_in(dir.path(), &server.url("/feed.xml"));
    engine.set_download_limits(4 << 20, 0);
    let id = newest_episode(&engine).await;
    engine.download_episode(id).await.expect("start");
    let failed = wait_for(&seen, DownloadPhase::Failed).await;
    assert!(
        failed
            .error
            .as_deref()
            .is_some_and(|e| e.contains("more than")),
        "{failed:?}"
    );
    let leftovers = walk(&dir.path().join("downloads"));
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

/// A full disk is an error that keeps what was fetched, for a resume once there is room.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_stops_the_download_and_keeps_the_part_file() {
    let body = audio(3 << 20);
    let server = serve(&body, Some(1 << 20)).await;
    let dir = tempfile::tempdir().expect("dir");
    let (engine, seen) = engine_in(dir.path(), &server.url("/feed.xml"));
    let id = newest_episode(&engine).await;
    let paused = start_then_pause(&engine, &seen, id).await;
    // The disk "fills up": less free than the space always kept.
    engine.set_download_limits(2 << 30, u64::MAX / 4);
    seen.lock().expect("lock").clear();
    engine.download_episode(id).await.expect("resume");
    let failed = wait_for(&seen, DownloadPhase::Failed).await;
    assert!(
        failed
            .error
            .as_deref()
            .is_some_and(|e| e.contains("not enough free space")),
        "{failed:?}"
    );
    let parts: Vec<_> = walk(&dir.path().join("downloads"))
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".part"))
        .collect();
    assert_eq!(parts.len(), 1, "{parts:?}");
    let kept = std::fs::metadata(&parts[0]).expect("part").len();
    assert_eq!(kept, paused.downloaded);
}

/// Two requests for one download at once start one transfer, not two writing one file.
#[tokio::test(flavor = "multi_thread")]
async fn two_requests_at_once_start_one_transfer() {
    let body = audio(2 << 20);
    let server = serve(&body, None).await;
    let dir = tempfile::tempdir().expect("dir");
    let (engine, seen) = engine_in(dir.path(), &server.url("/feed.xml"));
    let id = newest_episode(&engine).await;
    let (a, b) = tokio::join!(engine.download_episode(id), engine.download_episode(id));
    a.expect("first");
    b.expect("second");
    let done = wait_for(&seen, DownloadPhase::Done).await;
    let on_disk = std::fs::read(done.path.expect("path")).expect("file");
    assert_eq!(Sha256::digest(&on_disk), Sha256::digest(&body));
    let transfers = server
        .requests()
        .iter()
        .filter(|r| r.path == "/audio/ep24.mp3")
        .count();
    assert_eq!(transfers, 1);
}
