//! Transcripts through the engine: kept with a download (for the train), a sidecar file beside
//! the download wins, offline asks again later, and one that cannot be read says so once.

use std::time::Duration;

use chaptercast_e2e::fixtures::{serve_transcript_feed_with_tones, SAID_CUE_MS};
use chaptercast_engine::transcript_fetch::TranscriptState;
use chaptercast_engine::{Config, Engine, EpisodeId};

fn engine_in(dir: &std::path::Path) -> Engine {
    let mut config = Config::new(dir.to_path_buf());
    config.subscribe_default_feed = false;
    let (engine, events) = Engine::open(config).expect("engine");
    std::thread::spawn(move || while events.recv().is_some() {});
    engine
}

async fn episode(engine: &Engine, guid: &str) -> EpisodeId {
    let show = engine.shows().await.expect("shows")[0].id;
    engine
        .episodes(show)
        .await
        .expect("episodes")
        .into_iter()
        .find(|e| e.guid == guid)
        .expect("episode")
        .id
}

#[tokio::test(flavor = "multi_thread")]
async fn a_download_keeps_its_transcript_and_a_sidecar_file_wins() {
    let (server, _audio) = serve_transcript_feed_with_tones(&[300.0])
        .await
        .expect("server");
    let dir = tempfile::tempdir().expect("dir");
    let engine = engine_in(dir.path());
    engine
        .subscribe(&server.url("/feed.xml"))
        .await
        .expect("subscribe");
    let a = episode(&engine, "a").await;
    assert!(engine.transcript(a).await.expect("read").is_none());

    // Downloading the episode brings its transcript along.
    engine.download_episode(a).await.expect("download");
    let path = loop {
        let episode = engine.episode(a).await.expect("episode");
        if let Some(path) = episode.download_path {
            break path;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut stored = None;
    for _ in 0..100 {
        stored = engine.transcript(a).await.expect("read");
        if stored.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stored = stored.expect("the transcript came with the download");
    assert_eq!(stored.source, server.url("/t/a.vtt"));
    assert!(stored.cues.iter().any(|c| c.start_ms == SAID_CUE_MS));

    // Offline now: the stored transcript still reads, without the network.
    server.set_down(true);
    match engine.load_transcript(a).await.expect("load") {
        TranscriptState::Stored(t) => assert_eq!(t.cues.len(), stored.cues.len()),
        other => panic!("offline: {other:?}"),
    }

    // A sidecar .srt beside the downloaded file replaces what the feed offers.
    let sidecar = std::path::Path::new(&path).with_extension("srt");
    std::fs::write(
        &sidecar,
        "1\n00:00:05,000 --> 00:00:06,000\nFrom the sidecar.\n",
    )
    .expect("srt");
    match engine.load_transcript(a).await.expect("load") {
        TranscriptState::Stored(t) => {
            assert_eq!(t.source, sidecar.to_string_lossy());
            assert_eq!(t.cues[0].text, "From the sidecar.");
            assert_eq!(t.cues[0].start_ms, 5_000);
        }
        other => panic!("sidecar: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_is_asked_again_and_unreadable_is_said_once() {
    let (server, _audio) = serve_transcript_feed_with_tones(&[300.0])
        .await
        .expect("server");
    let dir = tempfile::tempdir().expect("dir");
    let engine = engine_in(dir.path());
    engine
        .subscribe(&server.url("/feed.xml"))
        .await
        .expect("subscribe");
    let a = episode(&engine, "a").await;
    let d = episode(&engine, "d").await;

    server.set_down(true);
    match engine.load_transcript(a).await.expect("load") {
        TranscriptState::Unavailable { .. } => {}
        other => panic!("offline: {other:?}"),
    }
    assert!(
        engine.transcript(a).await.expect("read").is_none(),
        "offline stored something"
    );
    server.set_down(false);
    assert!(matches!(
        engine.load_transcript(a).await.expect("load"),
        TranscriptState::Stored(t) if t.error.is_none()
    ));

    // Garbage: stored as unreadable, with the reason, and not fetched again.
    let asked = |server: &chaptercast_e2e::server::TestServer| {
        server
            .requests()
            .iter()
            .filter(|r| r.path == "/t/d.srt")
            .count()
    };
    let started = std::time::Instant::now();
    match engine.load_transcript(d).await.expect("load") {
        TranscriptState::Stored(t) => assert!(t.error.is_some() && t.cues.is_empty(), "{t:?}"),
        other => panic!("garbage: {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    engine.load_transcript(d).await.expect("again");
    assert_eq!(asked(&server), 1);
    // The episode itself is untouched: it still plays from its URL.
    let request = engine.load_request(d, None).await.expect("load request");
    assert!(matches!(
        request.location,
        chaptercast_engine::player::MediaLocation::Url(_)
    ));
}
