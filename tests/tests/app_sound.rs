//! A show's sound profile in the real app (tauri-driver), heard through the null sink: the
//! listener sets the loudness target and the chapters to skip from the show header, plays an
//! episode, and the capture is at that loudness (ffmpeg's meter) with no sample of the sponsor
//! or the ad; after a relaunch the profile is still there.

use std::time::{Duration, Instant};

use anyhow::Context;
use chaptercast_e2e::app::{app_env, AppSession};
use chaptercast_e2e::audio::{
    audio_env_ready, audio_lock, ebur128_of, heard_ms, tone_mp3_titled, Capture,
};
use chaptercast_e2e::server::{Route, TestServer};

const WAIT: Duration = Duration::from_secs(30);
const TEST_LIMIT: Duration = Duration::from_secs(300);
/// Intro / Sponsor / Main / Ad break / Outro, 4 s each.
const TONES: [f64; 5] = [300.0, 420.0, 560.0, 700.0, 860.0];
const TITLES: [&str; 5] = ["Intro", "Sponsor", "Main", "Ad break", "Outro"];

fn feed(base: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>Sponsored Tones</title><link>{base}/</link><description>Fixture</description>
<item><guid>s1</guid><title>A sponsored episode</title>
<pubDate>Mon, 02 Jun 2025 10:00:00 GMT</pubDate><itunes:duration>20</itunes:duration>
<enclosure url="{base}/audio/s1.mp3" type="audio/mpeg" length="330000"/>
<description>Tones with a sponsor and an ad break.</description></item>
</channel></rss>"#
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shows_profile_sets_its_loudness_skips_its_sponsors_and_survives_a_relaunch(
) -> anyhow::Result<()> {
    if !audio_env_ready("sound profile") {
        return Ok(());
    }
    let _audio = audio_lock().await;
    tokio::time::timeout(TEST_LIMIT, flow())
        .await
        .context("test timed out")?
}

async fn select(app: &AppSession, test_id: &str, value: &str) -> anyhow::Result<()> {
    app.client
        .execute(
            &format!(
                "const s = document.querySelector('[data-testid={test_id}]'); s.value = {value:?}; s.dispatchEvent(new Event('change', {{ bubbles: true }}));"
            ),
            vec![],
        )
        .await?;
    Ok(())
}

async fn flow() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let audio = tone_mp3_titled(dir.path(), "s1", &TONES, &TITLES, 4.0)?;
    let server = TestServer::start().await?;
    server.route(
        "/feed.xml",
        Route::ok("application/rss+xml", feed(&server.base_url())),
    );
    server.route(
        "/audio/s1.mp3",
        Route::file("audio/mpeg", std::fs::read(&audio)?),
    );
    let data = tempfile::tempdir()?;
    let env = app_env(data.path(), &server.url("/feed.xml"), "5");
    let app = AppSession::launch(&env).await?;
    app.wait_for_count("[data-testid=episode-item]", 1, WAIT)
        .await?;

    // The show header's Sound: a quieter target, and the sponsor chapters skipped.
    app.click_nth("[data-testid=sound-profile]", 0, WAIT)
        .await?;
    app.wait_for("[data-testid=sound-profile-dialog]", WAIT)
        .await?;
    select(&app, "sound-target", "-20").await?;
    let words = app
        .wait_for("[data-testid=sound-skip-chapters]", WAIT)
        .await?;
    words.send_keys("sponsor, Ad break\t").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot("sound-profile").await?;
    words
        .send_keys(&char::from(fantoccini::key::Key::Escape).to_string())
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Play the episode from its start; record it all.
    let capture = tokio::task::spawn_blocking(Capture::start).await??;
    app.click_nth("[data-testid=episode-item]", 0, WAIT).await?;
    app.click_nth("[data-testid=play-episode]", 0, WAIT).await?;
    let started = Instant::now();
    // 20 s of audio less the 8 s skipped.
    while started.elapsed() < Duration::from_secs(16) {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let recording = tokio::task::spawn_blocking(move || capture.stop())
        .await?
        .from_first_sound();
    let runs = recording.tone_runs(20, &TONES);
    let heard = |f: f64| heard_ms(&runs, f, 40);
    anyhow::ensure!(
        heard(420.0) == 0 && heard(700.0) == 0,
        "a skipped chapter was heard: {runs:?}"
    );
    anyhow::ensure!(heard(560.0) >= 3_000, "Main was not heard: {runs:?}");
    // A stream has no measurement of its own: its first 3 s play at the gain it starts from,
    // then the first estimate sets the gain (once, at most 3.5 s in). The loudness is that of
    // what follows.
    let settled_from = recording
        .times
        .first()
        .copied()
        .unwrap_or_else(Instant::now)
        + Duration::from_secs(4);
    let wav = dir.path().join("heard.wav");
    recording.since(settled_from).write_wav(&wav)?;
    let measured = ebur128_of(&wav)?;
    anyhow::ensure!(
        (measured.integrated_lufs - -20.0).abs() <= 1.5,
        "played at {} LUFS, not the show's -20",
        measured.integrated_lufs
    );
    anyhow::ensure!(
        measured.true_peak_dbtp <= -1.0,
        "true peak {}",
        measured.true_peak_dbtp
    );
    app.close().await?;

    // Relaunched: the profile is the show's still.
    let app = AppSession::launch(&env).await?;
    app.wait_for_count("[data-testid=episode-item]", 1, WAIT)
        .await?;
    app.click_nth("[data-testid=sound-profile]", 0, WAIT)
        .await?;
    app.wait_for("[data-testid=sound-profile-dialog]", WAIT)
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let target = app
        .client
        .execute(
            "return [document.querySelector('[data-testid=sound-target]').value, document.querySelector('[data-testid=sound-skip-chapters]').value];",
            vec![],
        )
        .await?;
    anyhow::ensure!(
        target == serde_json::json!(["-20", "sponsor, Ad break"]),
        "after a relaunch the profile reads {target}"
    );
    app.close().await?;
    Ok(())
}
