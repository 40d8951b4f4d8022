//! Transcripts in the real app (tauri-driver), heard through the null sink: a phrase said
//! only in one cue is found with Ctrl+K and Enter plays from that cue; a click on a sentence
//! in the Transcript tab plays from its start, within 0.1 s; a broken transcript says so and
//! the episode still plays.

use std::time::{Duration, Instant};

use anyhow::Context;
use chaptercast_e2e::app::{app_env, ctrl, AppSession};
use chaptercast_e2e::audio::{audio_env_ready, audio_lock, Capture};
use chaptercast_e2e::fixtures::{
    serve_transcript_feed_with_tones, CLICKED_CUE_MS, SAID_CUE_MS, SAID_PHRASE, TRANSCRIPT_TONE_S,
};
use fantoccini::key::Key;
use fantoccini::Locator;

const WAIT: Duration = Duration::from_secs(30);
const TEST_LIMIT: Duration = Duration::from_secs(300);
const FREQS: [f64; 5] = [300.0, 420.0, 560.0, 700.0, 860.0];

/// The tone playing at `ms` into an episode.
fn tone_at(ms: u64) -> f64 {
    FREQS[(ms as f64 / 1000.0 / TRANSCRIPT_TONE_S) as usize]
}

#[tokio::test(flavor = "multi_thread")]
async fn said_words_are_found_and_sentences_play_from_their_start() -> anyhow::Result<()> {
    if !audio_env_ready("transcripts") {
        return Ok(());
    }
    let _audio = audio_lock().await;
    tokio::time::timeout(TEST_LIMIT, transcript_flow())
        .await
        .context("test timed out")?
}

async fn transcript_flow() -> anyhow::Result<()> {
    let (server, _dir) = serve_transcript_feed_with_tones(&FREQS).await?;
    let data = tempfile::tempdir()?;
    let mut env = app_env(data.path(), &server.url("/feed.xml"), "5");
    env.push(("LANG", "en_US.UTF-8".to_string()));
    let app = AppSession::launch(&env).await?;
    app.wait_for_count("[data-testid=episode-item]", 4, WAIT)
        .await?;
    // The app fetches the offered transcripts in the background after the first refresh:
    // wait until the server has been asked for the VTT one.
    let deadline = Instant::now() + WAIT;
    while !server.requests().iter().any(|r| r.path == "/t/a.vtt") {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the transcript was never fetched"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Ctrl+K for a phrase said only in one cue: the hit is that cue, marked, with its time.
    app.client
        .active_element()
        .await?
        .send_keys(&ctrl('k'))
        .await?;
    let input = app.wait_for("[data-testid=search-input]", WAIT).await?;
    input.send_keys(SAID_PHRASE).await?;
    let deadline = Instant::now() + WAIT;
    let first = loop {
        let hit = app.wait_for("[data-testid=search-result]", WAIT).await?;
        if hit.attr("data-start-ms").await?.as_deref() == Some(&SAID_CUE_MS.to_string()) {
            break hit;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "no hit at the cue: {:?}",
            app.texts("[data-testid=search-result]").await?
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let said = first
        .find(Locator::Css("[data-testid=search-result-said]"))
        .await?;
    let said_text = said.text().await?;
    anyhow::ensure!(
        said_text.contains("1:02") && said_text.contains("Ada"),
        "the hit shows {said_text:?}"
    );
    let marked = said.find_all(Locator::Css("mark")).await?;
    anyhow::ensure!(marked.len() == 2, "the said words are not both marked");
    app.screenshot("transcript-search").await?;

    // Enter plays from the cue: only the tone that sounds there is heard.
    let capture = tokio::task::spawn_blocking(Capture::start).await??;
    let pressed = Instant::now();
    input.send_keys(&char::from(Key::Enter).to_string()).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let recording = tokio::task::spawn_blocking(move || capture.stop()).await?;
    let tones = recording.tones_since(pressed, &FREQS);
    let want = tone_at(SAID_CUE_MS);
    anyhow::ensure!(
        tones.len() >= 10 && tones.iter().all(|f| *f == want),
        "after Enter on the said phrase the sink heard {tones:?}, not only {want} Hz"
    );

    // The Transcript tab of the episode now playing: the engine's current cue is marked and
    // the view follows it.
    app.wait_for("[data-testid=tab-transcript]", WAIT).await?;
    app.click_nth("[data-testid=tab-transcript]", 0, WAIT)
        .await?;
    app.wait_for_count("[data-testid=transcript-cue]", 50, WAIT)
        .await?;
    let deadline = Instant::now() + WAIT;
    loop {
        let current = app
            .client
            .execute(
                "const c = document.querySelector('[data-testid=transcript-cue].current'); return c ? Number(c.dataset.startMs) : null;",
                vec![],
            )
            .await?;
        if current.as_u64().is_some_and(|ms| ms >= SAID_CUE_MS) {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "no current cue: {current}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.screenshot("transcript-tab").await?;

    // A click on a sentence 2 s before a tone change: the old tone is heard for 2.0 ± 0.1 s,
    // then the new one. That places the jump within 0.1 s of the cue's start.
    let capture = tokio::task::spawn_blocking(Capture::start).await??;
    let clicked = Instant::now();
    let cue = app
        .client
        .find(Locator::Css(&format!(
            "[data-testid=transcript-cue][data-start-ms=\"{CLICKED_CUE_MS}\"]"
        )))
        .await?;
    cue.click().await?;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let recording = tokio::task::spawn_blocking(move || capture.stop()).await?;
    let windows = recording.since(clicked).windows(20, &FREQS);
    let before = tone_at(CLICKED_CUE_MS);
    let after = tone_at(CLICKED_CUE_MS + 2_500);
    // Skip what was still sounding from before the click (the old position's tone).
    let old = tone_at(SAID_CUE_MS);
    let heard: Vec<Option<f64>> = windows
        .iter()
        .map(|w| w.tone)
        .skip_while(|t| *t == Some(old) || t.is_none())
        .collect();
    let first_after = heard.iter().position(|t| *t == Some(after));
    let before_ms = heard
        .iter()
        .take(first_after.unwrap_or(0))
        .filter(|t| **t == Some(before))
        .count() as u64
        * 20;
    anyhow::ensure!(
        first_after.is_some() && before_ms.abs_diff(2_000) <= 100,
        "after the click the sink heard {before} Hz for {before_ms} ms before {after} Hz \
         (want 2000 ± 100 ms): {heard:?}"
    );

    // Find in the transcript: Ctrl+F, type, the count and the marks.
    app.client
        .active_element()
        .await?
        .send_keys(&ctrl('f'))
        .await?;
    let find = app.wait_for("[data-testid=transcript-find]", WAIT).await?;
    find.send_keys("tone begins").await?;
    app.wait_for_text("[data-testid=transcript-find-count]", "1 of 1", WAIT)
        .await?;
    app.screenshot("transcript-find").await?;
    find.send_keys(&char::from(Key::Escape).to_string()).await?;

    // The broken transcript: said so, and the episode still plays.
    app.click_nth("[data-testid=episode-item]", 3, WAIT).await?;
    app.wait_for_text(
        "[data-testid=transcript-problem]",
        "This transcript could not be read",
        WAIT,
    )
    .await?;
    app.click_nth("[data-testid=play-episode]", 0, WAIT).await?;
    app.wait_for_text("[data-testid=now-playing-title]", "broken transcript", WAIT)
        .await?;
    app.close().await?;
    Ok(())
}
