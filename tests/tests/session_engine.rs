//! The engine's listening session end to end, without a window: chapters that follow the
//! audio's real length, and a relaunch that puts the listener back where they were.

use std::time::{Duration, Instant};

use chaptercast_e2e::audio::tone_mp3_without_chapters;
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::download::DownloadPhase;
use chaptercast_engine::events::SessionNotice;
use chaptercast_engine::library::QueuePlace;
use chaptercast_engine::player::{Command, PlaybackState, RetryPolicy};
use chaptercast_engine::testkit::{FeedBuilder, ItemBuilder};
use chaptercast_engine::{Config, Engine, EngineEvent, EpisodeId, Events, Session};

/// Three 30 s tones; the feed claims the episode lasts 20 s, and its notes list chapters at
/// 0:00, 0:30 and 1:00: with the feed's length, only "Intro" would fit, which is no list.
async fn serve_mislabelled_episode(dir: &std::path::Path) -> TestServer {
    let tones =
        tone_mp3_without_chapters(dir, "long", &[400.0, 600.0, 800.0], 30.0).expect("tones");
    let server = TestServer::start().await.expect("server");
    server.route(
        "/ep.mp3",
        Route::file("audio/mpeg", tones.bytes().expect("bytes")),
    );
    let mut item = ItemBuilder::audio("Mislabelled", "m1", &server.url("/ep.mp3"));
    item.duration = Some("0:20".into());
    item.notes_html =
        Some("<p>Timestamps</p><p>00:00 Intro<br>00:30 Part two<br>01:00 Part three</p>".into());
    server.route(
        "/feed.xml",
        Route::ok(
            "application/rss+xml",
            FeedBuilder::new("Show").item(item).to_xml(),
        ),
    );
    server
}

fn engine_in(dir: &std::path::Path) -> (Engine, Events) {
    let mut config = Config::new(dir.to_path_buf());
    config.subscribe_default_feed = false;
    Engine::open(config).expect("engine")
}

/// The app's session on `engine`.
fn start_session(engine: &Engine) -> Session {
    engine
        .start_session(RetryPolicy::default())
        .expect("session")
}

async fn only_episode(engine: &Engine) -> EpisodeId {
    let shows = engine.shows().await.expect("shows");
    engine.episodes(shows[0].id).await.expect("episodes")[0].id
}

/// Waits for the first event `pick` accepts.
fn wait_for<T>(
    events: &Events,
    limit: Duration,
    mut pick: impl FnMut(&EngineEvent) -> Option<T>,
) -> Option<T> {
    let until = Instant::now() + limit;
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(Some(event)) => {
                if let Some(found) = pick(&event) {
                    return Some(found);
                }
            }
            Ok(None) | Err(_) => return None,
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_feed_duration_no_longer_hides_the_chapters_once_the_audio_plays() {
    let media = tempfile::tempdir().expect("dir");
    let data = tempfile::tempdir().expect("dir");
    let server = serve_mislabelled_episode(media.path()).await;
    let (engine, events) = engine_in(data.path());
    engine
        .subscribe(&server.url("/feed.xml"))
        .await
        .expect("subscribe");
    let id = only_episode(&engine).await;
    assert!(
        engine.chapters(id).await.expect("chapters").is_empty(),
        "with the feed's 20 s the notes are no chapter list"
    );
    let session = start_session(&engine);
    session.play(id, None).await.expect("play");
    let chapters = tokio::task::spawn_blocking(move || {
        wait_for(&events, Duration::from_secs(20), |e| match e {
            // The first report names the episode with the feed's (empty) list.
            EngineEvent::NowPlaying(now) if now.episode == id && !now.chapters.is_empty() => {
                Some(now.chapters.clone())
            }
            _ => None,
        })
    })
    .await
    .expect("join")
    .expect("the chapters came once the real length was known");
    let titles: Vec<&str> = chapters.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["Intro", "Part two", "Part three"]);
    // The library has them too (the length is stored), for a restart or another view.
    assert_eq!(engine.chapters(id).await.expect("chapters").len(), 3);
    session.player().shutdown(Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_relaunch_restores_the_episode_paused_at_its_position_with_its_speed() {
    let media = tempfile::tempdir().expect("dir");
    let data = tempfile::tempdir().expect("dir");
    let server = serve_mislabelled_episode(media.path()).await;
    let id = {
        let (engine, events) = engine_in(data.path());
        engine
            .subscribe(&server.url("/feed.xml"))
            .await
            .expect("subscribe");
        let id = only_episode(&engine).await;
        let session = start_session(&engine);
        session.play(id, Some(42_000)).await.expect("play");
        session.send(Command::SetSpeed(1.5));
        let loaded = tokio::task::spawn_blocking(move || {
            wait_for(&events, Duration::from_secs(20), |e| match e {
                EngineEvent::Player(s) if s.duration_ms.is_some() && s.speed == 1.5 => Some(()),
                _ => None,
            })
        })
        .await
        .expect("join");
        assert!(loaded.is_some(), "the episode opened");
        session.send(Command::Pause);
        session.player().shutdown(Duration::from_secs(2));
        id
    };
    // A new engine on the same library, as after a quit (or a kill: what is saved is saved).
    let (engine, events) = engine_in(data.path());
    let session = start_session(&engine);
    assert_eq!(session.restore().await.expect("restore"), Some(id));
    let status = tokio::task::spawn_blocking(move || {
        wait_for(&events, Duration::from_secs(20), |e| match e {
            EngineEvent::Player(s) if s.state == PlaybackState::Paused => Some(s.clone()),
            _ => None,
        })
    })
    .await
    .expect("join")
    .expect("restored, paused");
    assert_eq!(status.key.as_deref(), Some(id.0.to_string().as_str()));
    assert_eq!(status.speed, 1.5);
    assert!(
        status.position_ms.abs_diff(42_000) < 1_500,
        "restored at {} ms",
        status.position_ms
    );
    session.player().shutdown(Duration::from_secs(2));
}

/// Offline, Up Next passes over an item that has to be streamed and plays the next downloaded
/// one, saying which it passed over; the skipped item stays in Up Next for later.
#[tokio::test(flavor = "multi_thread")]
async fn offline_up_next_passes_over_what_is_not_downloaded_with_a_note() {
    let media = tempfile::tempdir().expect("dir");
    let data = tempfile::tempdir().expect("dir");
    let server = TestServer::start().await.expect("server");
    let mut feed = FeedBuilder::new("Show");
    for (n, (name, freq)) in [("First", 400.0), ("Streamed", 600.0), ("Last", 800.0)]
        .iter()
        .enumerate()
    {
        let tone = tone_mp3_without_chapters(media.path(), name, &[*freq], 2.0).expect("tone");
        let path = format!("/{name}.mp3");
        server.route(
            &path,
            Route::file("audio/mpeg", tone.bytes().expect("bytes")),
        );
        let mut item = ItemBuilder::audio(name, &format!("g{n}"), &server.url(&path));
        item.pub_date = Some(format!("Mon, 0{} Jan 2024 10:00:00 +0000", n + 1));
        feed = feed.item(item);
    }
    server.route("/feed.xml", Route::ok("application/rss+xml", feed.to_xml()));
    let (engine, events) = engine_in(data.path());
    engine
        .subscribe(&server.url("/feed.xml"))
        .await
        .expect("subscribe");
    let show = engine.shows().await.expect("shows")[0].id;
    let episodes = engine.episodes(show).await.expect("episodes");
    let id = |title: &str| {
        episodes
            .iter()
            .find(|e| e.title == title)
            .map(|e| e.id)
            .expect("episode")
    };
    let (first, streamed, last) = (id("First"), id("Streamed"), id("Last"));
    engine.download_episode(first).await.expect("download");
    engine.download_episode(last).await.expect("download");
    let events = tokio::task::spawn_blocking(move || {
        let mut done = 0;
        wait_for(&events, Duration::from_secs(20), |e| match e {
            EngineEvent::Download(d) if d.state == DownloadPhase::Done => {
                done += 1;
                (done == 2).then_some(())
            }
            _ => None,
        })
        .expect("both downloaded");
        events
    })
    .await
    .expect("join");

    server.set_down(true);
    let session = start_session(&engine);
    session
        .queue_add(vec![first, streamed, last], QueuePlace::Last)
        .await
        .expect("queue");
    session.play(first, None).await.expect("play");
    let started = Instant::now();
    let (notice, events) = tokio::task::spawn_blocking(move || {
        let notice = wait_for(&events, Duration::from_secs(20), |e| match e {
            EngineEvent::Notice(n) => Some(n.clone()),
            _ => None,
        });
        (notice, events)
    })
    .await
    .expect("join");
    assert_eq!(
        notice,
        Some(SessionNotice::SkippedOffline {
            titles: vec!["Streamed".into()]
        })
    );
    // Two seconds of the first, then well under a second and a half to give up on the stream.
    assert!(
        started.elapsed() < Duration::from_millis(4_500),
        "the note came after {:?}",
        started.elapsed()
    );
    let playing = tokio::task::spawn_blocking(move || {
        wait_for(&events, Duration::from_secs(10), |e| match e {
            EngineEvent::Player(s) if s.key.as_deref() == Some(last.0.to_string().as_str()) => {
                (s.state != PlaybackState::Loading).then_some(s.state)
            }
            _ => None,
        })
    })
    .await
    .expect("join");
    assert!(
        playing.is_some(),
        "the downloaded item after it did not start"
    );
    let up_next = engine.up_next().await.expect("up next");
    let left: Vec<EpisodeId> = up_next.items.iter().map(|i| i.episode).collect();
    assert!(
        left.contains(&streamed),
        "the skipped item left Up Next: {left:?}"
    );
    assert!(!left.contains(&first), "the finished item stayed: {left:?}");
    session.player().shutdown(Duration::from_secs(2));
}
