//! A show's sound profile through the engine's session (what the app and `queue play` use),
//! heard through the null sink: chapters named in the show notes are skipped, and with skip
//! silence the position saved on pause is in the episode's own time.

use std::time::{Duration, Instant};

use chaptercast_e2e::audio::{
    audio_env_ready, audio_lock, heard_ms, tone_mp3_without_chapters, Capture,
};
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::events::SessionNotice;
use chaptercast_engine::player::{Command, RetryPolicy};
use chaptercast_engine::sound_profile::{SilenceLevel, SoundProfile};
use chaptercast_engine::testkit::{FeedBuilder, ItemBuilder};
use chaptercast_engine::{Config, Engine, EngineEvent, EpisodeId, Events};

fn engine_in(dir: &std::path::Path) -> (Engine, Events) {
    let mut config = Config::new(dir.to_path_buf());
    config.subscribe_default_feed = false;
    Engine::open(config).expect("engine")
}

/// Subscribes to a one-episode feed whose audio is `file`, with these notes and duration.
async fn one_episode(
    engine: &Engine,
    file: Vec<u8>,
    notes: &str,
    duration: &str,
) -> (TestServer, EpisodeId, chaptercast_engine::ShowId) {
    let server = TestServer::start().await.expect("server");
    server.route("/ep.mp3", Route::file("audio/mpeg", file));
    let mut item = ItemBuilder::audio("Episode", "e1", &server.url("/ep.mp3"));
    item.duration = Some(duration.into());
    item.notes_html = Some(notes.into());
    server.route(
        "/feed.xml",
        Route::ok(
            "application/rss+xml",
            FeedBuilder::new("Show").item(item).to_xml(),
        ),
    );
    let show = engine
        .subscribe(&server.url("/feed.xml"))
        .await
        .expect("subscribe");
    let id = engine.episodes(show).await.expect("episodes")[0].id;
    (server, id, show)
}

const TONES: [f64; 5] = [300.0, 420.0, 560.0, 700.0, 860.0];

#[tokio::test(flavor = "multi_thread")]
async fn chapters_named_in_the_show_notes_are_skipped_and_announced() {
    if !audio_env_ready("skip show-notes chapters") {
        return;
    }
    let _audio = audio_lock().await;
    let media = tempfile::tempdir().expect("dir");
    let data = tempfile::tempdir().expect("dir");
    let tones = tone_mp3_without_chapters(media.path(), "notes", &TONES, 3.0).expect("tones");
    let (engine, events) = engine_in(data.path());
    let notes = "<p>Timestamps</p><p>00:00 Intro<br>00:03 Sponsor: Acme<br>00:06 Main topic<br>00:09 Ad break<br>00:12 Outro</p>";
    let (_server, id, show) =
        one_episode(&engine, tones.bytes().expect("bytes"), notes, "0:15").await;
    let profile = SoundProfile {
        skip_chapters: vec!["sponsor".into(), "ad break".into()],
        ..SoundProfile::default()
    };
    engine
        .set_sound_profile(show, profile)
        .await
        .expect("profile");
    let session = engine
        .start_session(RetryPolicy::default())
        .expect("session");

    let capture = tokio::task::spawn_blocking(Capture::start)
        .await
        .expect("join")
        .expect("parec");
    session.play(id, Some(0)).await.expect("play");
    let notices = tokio::task::spawn_blocking(move || {
        let mut skipped = Vec::new();
        let until = Instant::now() + Duration::from_secs(11);
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            if let Ok(Some(EngineEvent::Notice(SessionNotice::Skipped { what, .. }))) =
                events.recv_timeout(left)
            {
                skipped.push(what);
            }
        }
        skipped
    })
    .await
    .expect("join");
    let recording = tokio::task::spawn_blocking(move || capture.stop())
        .await
        .expect("join");
    let runs = recording.from_first_sound().tone_runs(20, &TONES);
    let heard = |f: f64| heard_ms(&runs, f, 40);
    assert_eq!(heard(420.0), 0, "the sponsor was heard: {runs:?}");
    assert_eq!(heard(700.0), 0, "the ad break was heard: {runs:?}");
    assert!(
        heard(560.0) >= 2_500,
        "the main topic was not heard: {runs:?}"
    );
    use chaptercast_engine::player::skips::SkipReason;
    assert_eq!(
        notices,
        [
            SkipReason::Chapter("Sponsor: Acme".into()),
            SkipReason::Chapter("Ad break".into())
        ]
    );
    session.send(Command::Stop);
}

/// Six 2 s tones with 3 s of silence between them; strong skip silence plays them with short
/// gaps, and pausing saves where the listener is in the episode, not in the time heard.
#[tokio::test(flavor = "multi_thread")]
async fn with_skip_silence_the_saved_position_is_in_episode_time() {
    if !audio_env_ready("skip silence position") {
        return;
    }
    let _audio = audio_lock().await;
    let media = tempfile::tempdir().expect("dir");
    let data = tempfile::tempdir().expect("dir");
    let gaps = media.path().join("gaps.mp3");
    let status = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg("aevalsrc=if(lt(mod(t\\,5)\\,2)\\,0.4*sin(2*PI*(300+100*floor(t/5))*t)\\,0):s=44100:d=27")
        .args(["-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k"])
        .arg(&gaps)
        .status()
        .expect("ffmpeg");
    assert!(status.success(), "ffmpeg could not make the fixture");
    let (engine, _events) = engine_in(data.path());
    let (_server, id, show) = one_episode(
        &engine,
        std::fs::read(&gaps).expect("read"),
        "<p>Gaps.</p>",
        "0:27",
    )
    .await;
    let profile = SoundProfile {
        normalize: false,
        skip_silence: SilenceLevel::Strong,
        ..SoundProfile::default()
    };
    engine
        .set_sound_profile(show, profile)
        .await
        .expect("profile");
    let session = engine
        .start_session(RetryPolicy::default())
        .expect("session");
    let freqs: Vec<f64> = (0..6).map(|k| 300.0 + 100.0 * f64::from(k)).collect();

    let capture = tokio::task::spawn_blocking(Capture::start)
        .await
        .expect("join")
        .expect("parec");
    session.play(id, Some(0)).await.expect("play");
    tokio::time::sleep(Duration::from_secs(9)).await;
    session.send(Command::Pause);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let recording = tokio::task::spawn_blocking(move || capture.stop())
        .await
        .expect("join");
    let recording = recording.from_first_sound();
    let heard_s = recording.samples.len() as f64 / 44_100.0;
    let last_tone = recording
        .windows(20, &freqs)
        .iter()
        .rev()
        .find_map(|w| w.tone)
        .expect("a tone was heard");
    let k = freqs
        .iter()
        .position(|f| *f == last_tone)
        .expect("known tone") as u64;
    let saved = engine
        .episode(id)
        .await
        .expect("episode")
        .summary
        .position_ms;
    // About 9 s were heard; with the pauses shortened that is about 20 s of the episode.
    assert!(
        saved >= k * 5_000 && saved <= k * 5_000 + 5_000,
        "saved {saved} ms, while the last tone heard ({last_tone} Hz) spans {}–{} ms",
        k * 5_000,
        k * 5_000 + 2_000
    );
    assert!(
        saved as f64 > heard_s * 1000.0 + 4_000.0,
        "saved {saved} ms after {heard_s:.1} s heard: that is heard time, not episode time"
    );
    session.send(Command::Stop);
}
