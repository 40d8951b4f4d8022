//! Playback in the real app: tauri-driver clicks chapters and the player bar, and the
//! PulseAudio null sink's monitor hears the result.

use std::time::{Duration, Instant};

use anyhow::Context;
use chaptercast_e2e::app::{app_env, AppSession};
use chaptercast_e2e::audio::{
    audio_env_ready, audio_lock, tone_mp3, tone_mp3_without_chapters, Capture, Encoding, Recording,
};
use chaptercast_e2e::fixtures::{
    meta_feed_xml, meta_titles_newest_first, serve_meta_feed_with_tones,
};
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::chapters::shownotes::parse_timestamp;
use chaptercast_engine::testkit::meta_tech_like_feed;
use fantoccini::Locator;

const WAIT: Duration = Duration::from_secs(30);
const TEST_LIMIT: Duration = Duration::from_secs(240);
const FREQS: [f64; 5] = [300.0, 420.0, 560.0, 700.0, 860.0];

fn env_for(data_dir: &std::path::Path, feed_url: &str) -> Vec<(&'static str, String)> {
    app_env(data_dir, feed_url, "5")
}

async fn serve_tones() -> anyhow::Result<(TestServer, tempfile::TempDir)> {
    serve_meta_feed_with_tones(&FREQS).await
}

async fn attribute_of_nth(app: &AppSession, css: &str, index: usize, name: &str) -> Option<String> {
    let found = app.client.find_all(Locator::Css(css)).await.ok()?;
    found.get(index)?.attr(name).await.ok().flatten()
}

fn heard_since(recording: Recording, from: Instant) -> Vec<f64> {
    recording.tones_since(from, &FREQS)
}

/// Records while `act` runs and `listen` more passes.
async fn record_during<F, Fut>(listen: Duration, act: F) -> anyhow::Result<(Recording, Instant)>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let capture = tokio::task::spawn_blocking(Capture::start).await??;
    let started = Instant::now();
    act().await?;
    tokio::time::sleep(listen).await;
    let recording = tokio::task::spawn_blocking(move || capture.stop()).await?;
    Ok((recording, started))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_server_shows_reconnecting_and_the_audio_comes_back() -> anyhow::Result<()> {
    if !audio_env_ready("app reconnect") {
        return Ok(());
    }
    let _audio = audio_lock().await;
    tokio::time::timeout(TEST_LIMIT, reconnect_flow())
        .await
        .context("test timed out")?
}

async fn reconnect_flow() -> anyhow::Result<()> {
    let (server, dir) = serve_tones().await?;
    // A link about as fast as the audio plays, so the outage is really heard.
    let bytes = std::fs::read(dir.path().join("ep24.mp3"))?;
    server.route(
        "/audio/ep24.mp3",
        Route::file("audio/mpeg", bytes).with_throttle(24_000),
    );
    let data = tempfile::tempdir()?;
    let env = env_for(data.path(), &server.url("/feed.xml"));
    let app = AppSession::launch(&env).await?;
    app.wait_for_count("[data-testid=episode-item]", 24, WAIT)
        .await?;
    app.click_nth("[data-testid=episode-item]", 0, WAIT).await?;
    app.click_nth("[data-testid=play-episode]", 0, WAIT).await?;
    app.wait_for_text("[data-testid=now-playing-chapter]", "Tone 300 Hz", WAIT)
        .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    server.set_down(true);
    let down = Instant::now();
    app.wait_for_text("[data-testid=player-reconnecting]", "Reconnecting", WAIT)
        .await
        .context("no Reconnecting… after the server went away")?;
    let shown_after = down.elapsed();
    app.screenshot("player-reconnecting").await?;
    // Still down after ~10 s: the bar names the host and offers Retry.
    app.wait_for_text(
        "[data-testid=player-unreachable]",
        "Can't reach 127.0.0.1",
        WAIT,
    )
    .await
    .context("no \"Can't reach\" after the host stayed away")?;
    app.screenshot("player-unreachable").await?;
    // Retry while the host is still down: a try now, still "Can't reach", nothing breaks.
    app.click_nth("[data-testid=player-retry]", 0, WAIT).await?;
    app.wait_for_text("[data-testid=player-unreachable]", "Can't reach", WAIT)
        .await?;
    // The host comes back: the listener, waiting for sound, hears it again by itself (the
    // player tries every second while someone waits), nothing pressed.
    let (recording, back) = record_during(Duration::from_secs(4), || async {
        server.set_down(false);
        Ok(())
    })
    .await?;
    let heard = heard_since(recording, back);
    anyhow::ensure!(
        heard.len() >= 10 && heard.iter().all(|f| *f == FREQS[0]),
        "after the host came back the sink heard {heard:?}"
    );
    anyhow::ensure!(
        shown_after < Duration::from_secs(3),
        "Reconnecting… came {shown_after:?} after the drop"
    );
    let notes = app.texts("[data-testid=player-unreachable]").await?;
    anyhow::ensure!(notes.is_empty(), "still says {notes:?} while playing");
    app.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn clicking_a_chapter_plays_it_and_the_position_is_remembered() -> anyhow::Result<()> {
    if !audio_env_ready("app playback") {
        return Ok(());
    }
    let _audio = audio_lock().await;
    tokio::time::timeout(TEST_LIMIT, playback_flow())
        .await
        .context("test timed out")?
}

async fn playback_flow() -> anyhow::Result<()> {
    let (server, _dir) = serve_tones().await?;
    let data = tempfile::tempdir()?;
    let env = env_for(data.path(), &server.url("/feed.xml"));
    let app = AppSession::launch(&env).await?;
    app.wait_for_count("[data-testid=episode-item]", 24, WAIT)
        .await?;
    app.click_nth("[data-testid=episode-item]", 0, WAIT).await?;
    app.wait_for_text("[data-testid=chapter-list]", "Tone 560 Hz", WAIT)
        .await?;

    // Chapter 3 (560 Hz): clicked, it is what plays.
    let (recording, clicked) = record_during(Duration::from_secs(3), || async {
        app.click_nth("[data-testid=chapter-item]", 2, WAIT).await
    })
    .await?;
    let heard = heard_since(recording, clicked);
    anyhow::ensure!(
        heard.len() >= 10 && heard.iter().skip(1).all(|f| *f == FREQS[2]),
        "after clicking chapter 3 the sink heard {heard:?}"
    );
    app.wait_for_text("[data-testid=now-playing-chapter]", "Tone 560 Hz", WAIT)
        .await?;
    let deadline = Instant::now() + WAIT;
    while attribute_of_nth(&app, "[data-testid=chapter-item]", 2, "aria-current")
        .await
        .as_deref()
        != Some("true")
    {
        anyhow::ensure!(
            Instant::now() < deadline,
            "chapter 3 is not highlighted while playing"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.screenshot("player-playing").await?;

    // Next chapter from the bar: 700 Hz.
    let (recording, clicked) = record_during(Duration::from_secs(2), || async {
        app.click_nth("[data-testid=next-chapter]", 0, WAIT).await
    })
    .await?;
    let heard = heard_since(recording, clicked);
    anyhow::ensure!(
        heard.iter().rev().take(8).all(|f| *f == FREQS[3]) && heard.len() >= 8,
        "after Next chapter the sink heard {heard:?}"
    );

    // The desktop's media controls know the episode's length (5 tones × 20 s) and, after the
    // jump, the position (chapter 4 starts at 1:00), then keep up with it. souvlaki takes in
    // updates within about a second each, so these wait a little.
    let length = mpris_wait_for("Metadata", Some("mpris:length"), |_| true).await?;
    anyhow::ensure!(
        (99_000_000..=101_000_000).contains(&length),
        "MPRIS says the episode is {length} µs long"
    );
    let position = mpris_wait_for("Position", None, |p| (60_000_000..70_000_000).contains(&p))
        .await
        .context("after Next chapter")?;
    mpris_wait_for("Position", None, |p| p >= position + 1_000_000)
        .await
        .context("while playing")?;

    // Pause through the desktop's media controls (MPRIS): silence; the position is saved and
    // survives a restart.
    mpris("PlayPause").await?;
    let deadline = Instant::now() + WAIT;
    while attribute_of_nth(&app, "[data-testid=play-pause]", 0, "aria-label")
        .await
        .as_deref()
        != Some("Play")
    {
        anyhow::ensure!(Instant::now() < deadline, "MPRIS PlayPause did not pause");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (recording, paused) = record_during(Duration::from_secs(1), || async { Ok(()) }).await?;
    let heard = heard_since(recording, paused);
    anyhow::ensure!(heard.is_empty(), "still heard {heard:?} after pausing");
    app.close().await?;

    let app = AppSession::launch(&env).await?;
    app.wait_for_count("[data-testid=episode-item]", 24, WAIT)
        .await?;
    // The bar is back as it was: the episode, paused where it was left, ready for Space.
    let newest = meta_titles_newest_first().remove(0);
    let short: String = newest.chars().take(20).collect();
    app.wait_for_text("[data-testid=now-playing-title]", &short, WAIT)
        .await
        .context("the bar is not restored after a relaunch")?;
    let label = attribute_of_nth(&app, "[data-testid=play-pause]", 0, "aria-label").await;
    anyhow::ensure!(
        label.as_deref() == Some("Play"),
        "restored, the bar offers {label:?}"
    );
    let elapsed = app.texts("[data-testid=elapsed]").await?.join("");
    anyhow::ensure!(
        parse_timestamp(&elapsed).is_some_and(|ms| (60_000..90_000).contains(&ms)),
        "restored at {elapsed:?}"
    );
    app.screenshot("player-restored").await?;
    let (recording, pressed) = record_during(Duration::from_secs(2), || async {
        app.client.active_element().await?.send_keys(" ").await?;
        Ok(())
    })
    .await?;
    let heard = heard_since(recording, pressed);
    anyhow::ensure!(
        heard.len() >= 8 && heard.iter().skip(2).all(|f| *f == FREQS[3]),
        "Space after a relaunch: the sink heard {heard:?}"
    );
    app.client.active_element().await?.send_keys(" ").await?;
    app.click_nth("[data-testid=episode-item]", 0, WAIT).await?;
    let label = app
        .wait_for_text("[data-testid=play-episode]", "Resume", WAIT)
        .await?;
    // Paused some seconds after 1:00 (chapter 4 starts at 1:00).
    let resume_ms = label.split_whitespace().find_map(parse_timestamp);
    anyhow::ensure!(
        resume_ms.is_some_and(|ms| (60_000..90_000).contains(&ms)),
        "the play button says {label:?}"
    );
    // The pane gives the audio's own length, learnt while it played (the feed says 41 min).
    let facts = app
        .wait_for_text("[data-testid=episode-facts]", "1 min left", WAIT)
        .await?;
    anyhow::ensure!(
        facts.contains("2 min") && !facts.contains("41 min"),
        "the episode's facts say {facts:?}"
    );
    app.screenshot("player-resume").await?;
    app.close().await?;
    Ok(())
}

/// Calls a method on the app's MPRIS object over the session bus, as a desktop does; its
/// printed reply.
async fn dbus_send_to_app(method: &str, args: &[&str]) -> anyhow::Result<String> {
    let mut command = std::process::Command::new("dbus-send");
    command.args([
        "--session",
        "--print-reply",
        "--dest=org.mpris.MediaPlayer2.chaptercast",
        "/org/mpris/MediaPlayer2",
        method,
    ]);
    command.args(args);
    let output = tokio::task::spawn_blocking(move || command.output()).await??;
    anyhow::ensure!(
        output.status.success(),
        "dbus-send {method}: {} {}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Calls an MPRIS player method (`PlayPause`…), as a desktop's media keys do.
async fn mpris(method: &str) -> anyhow::Result<()> {
    dbus_send_to_app(&format!("org.mpris.MediaPlayer2.Player.{method}"), &[]).await?;
    Ok(())
}

/// Waits (up to `WAIT`) until an integer of the app's MPRIS player satisfies `wanted`.
async fn mpris_wait_for(
    property: &str,
    key: Option<&str>,
    wanted: impl Fn(i64) -> bool,
) -> anyhow::Result<i64> {
    let deadline = Instant::now() + WAIT;
    loop {
        let value = mpris_property_int(property, key).await?;
        if let Some(value) = value.filter(|v| wanted(*v)) {
            return Ok(value);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "MPRIS {property} {} is {value:?}",
            key.unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Reads an integer of the app's MPRIS player: the property itself, or the entry `key` of a
/// dictionary property. `None` when it has no such entry.
async fn mpris_property_int(property: &str, key: Option<&str>) -> anyhow::Result<Option<i64>> {
    let reply = dbus_send_to_app(
        "org.freedesktop.DBus.Properties.Get",
        &[
            "string:org.mpris.MediaPlayer2.Player",
            &format!("string:{property}"),
        ],
    )
    .await?;
    // The reply prints `string "key"` on one line and `variant int64 N` on the next.
    let after_key = match key {
        None => Some(reply.as_str()),
        Some(key) => reply.find(&format!("\"{key}\"")).map(|at| &reply[at..]),
    };
    Ok(after_key.and_then(|text| {
        let at = text.find("int64 ")? + "int64 ".len();
        text[at..].split_whitespace().next()?.parse().ok()
    }))
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_audio_device_the_app_says_so_and_keeps_working() -> anyhow::Result<()> {
    if !audio_env_ready("app without device") {
        return Ok(());
    }
    tokio::time::timeout(TEST_LIMIT, no_device_flow())
        .await
        .context("test timed out")?
}

/// Also: the newest episode's feed says it lasts 0:20 while its audio lasts 1:30, and its notes
/// list chapters at 0:00, 0:30 and 1:00. With the feed's length that is no chapter list; once
/// the audio is opened (no device needed for that), the list appears in the open episode.
async fn no_device_flow() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let tones = tone_mp3_without_chapters(dir.path(), "long", &FREQS[..3], 30.0)?;
    let server = TestServer::start().await?;
    let mut feed = meta_tech_like_feed(&server.base_url(), 24);
    let newest = feed.items.first_mut().context("no items")?;
    newest.duration = Some("0:20".into());
    newest.notes_html =
        Some("<p>Timestamps</p><p>00:00 Intro<br>00:30 Part two<br>01:00 Part three</p>".into());
    server.route("/feed.xml", Route::ok("application/rss+xml", feed.to_xml()));
    server.route("/audio/ep24.mp3", Route::file("audio/mpeg", tones.bytes()?));
    let data = tempfile::tempdir()?;
    let mut env = env_for(data.path(), &server.url("/feed.xml"));
    env.push((
        "PULSE_SERVER",
        "unix:/nonexistent/chaptercast-no-pulse".into(),
    ));
    let app = AppSession::launch(&env).await?;
    app.wait_for_count("[data-testid=episode-item]", 24, WAIT)
        .await?;
    app.click_nth("[data-testid=episode-item]", 0, WAIT).await?;
    app.wait_for_text("[data-testid=show-notes]", "Part three", WAIT)
        .await?;
    // Long enough for the pane's chapter fetch (the file has none) to have come back.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = app.texts("[data-testid=chapter-title]").await?;
    anyhow::ensure!(
        before.is_empty(),
        "with the feed's 0:20 the notes made chapters {before:?}"
    );
    app.click_nth("[data-testid=play-episode]", 0, WAIT).await?;
    app.wait_for_text("[data-testid=player-error]", "no audio output device", WAIT)
        .await?;
    app.wait_for_count("[data-testid=chapter-title]", 3, WAIT)
        .await
        .context("the chapters did not appear once the audio's length was known")?;
    let after = app.texts("[data-testid=chapter-title]").await?;
    anyhow::ensure!(
        after == ["Intro", "Part two", "Part three"],
        "chapters after the real length: {after:?}"
    );
    app.screenshot("player-no-device").await?;
    // The rest of the app still works.
    app.click_nth("[data-testid=episode-item]", 2, WAIT).await?;
    app.wait_for_text("[data-testid=show-notes]", "PyTorch", WAIT)
        .await?;
    app.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_downloaded_episode_plays_with_the_server_gone() -> anyhow::Result<()> {
    if !audio_env_ready("app download") {
        return Ok(());
    }
    let _audio = audio_lock().await;
    tokio::time::timeout(TEST_LIMIT, download_flow())
        .await
        .context("test timed out")?
}

async fn download_flow() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let tones = tone_mp3(dir.path(), "ep24", &FREQS, 20.0, Encoding::Cbr128)?;
    let server = TestServer::start().await?;
    server.route(
        "/feed.xml",
        Route::ok("application/rss+xml", meta_feed_xml(&server.base_url())),
    );
    // Slow enough to watch the progress bar move.
    server.route(
        "/audio/ep24.mp3",
        Route::file("audio/mpeg", tones.bytes()?).with_throttle(400_000),
    );
    let data = tempfile::tempdir()?;
    let env = env_for(data.path(), &server.url("/feed.xml"));
    let app = AppSession::launch(&env).await?;
    app.wait_for_count("[data-testid=episode-item]", 24, WAIT)
        .await?;
    app.click_nth("[data-testid=episode-item]", 0, WAIT).await?;
    app.click_nth("[data-testid=download-button]", 0, WAIT)
        .await?;

    // The bar moves.
    let mut seen = Vec::new();
    let deadline = Instant::now() + WAIT;
    while seen.len() < 2 || seen.windows(2).all(|w| w[0] >= w[1]) {
        if let Some(v) =
            attribute_of_nth(&app, "[data-testid=download-progress]", 0, "aria-valuenow").await
        {
            if let Ok(v) = v.parse::<f64>() {
                if seen.last() != Some(&v) {
                    seen.push(v);
                }
            }
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the progress bar did not move: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    app.screenshot("download-progress").await?;
    app.wait_for("[data-testid=download-delete]", WAIT).await?;

    // Listed in the Downloads view.
    app.click_nth("[data-testid=nav-downloads]", 0, WAIT)
        .await?;
    app.wait_for_count("[data-testid=download-row]", 1, WAIT)
        .await?;
    app.screenshot("downloads-view").await?;

    // The server goes away; the episode still plays, from the file.
    server.stop();
    let requests_before = server.requests().len();
    let (recording, clicked) = record_during(Duration::from_secs(3), || async {
        app.click_nth("[data-testid=show-item]", 0, WAIT).await?;
        app.click_nth("[data-testid=episode-item]", 0, WAIT).await?;
        app.wait_for_text("[data-testid=chapter-list]", "Tone 560 Hz", WAIT)
            .await?;
        app.click_nth("[data-testid=chapter-item]", 2, WAIT).await
    })
    .await?;
    let heard = heard_since(recording, clicked);
    anyhow::ensure!(
        heard.len() >= 8 && heard.iter().rev().take(8).all(|f| *f == FREQS[2]),
        "playing the downloaded episode, the sink heard {heard:?}"
    );
    let audio_after: Vec<_> = server.requests()[requests_before..]
        .iter()
        .filter(|r| r.path == "/audio/ep24.mp3")
        .map(|r| r.headers.get("range").cloned())
        .collect();
    anyhow::ensure!(
        audio_after.is_empty(),
        "played from the network: {audio_after:?}"
    );
    app.close().await?;
    Ok(())
}
