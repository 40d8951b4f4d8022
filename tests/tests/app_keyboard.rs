//! The real app used with the keyboard alone, as a listener who never touches the mouse would:
//! add a feed, play an episode, jump chapters, search and play a hit, and download it. Every
//! step is a key press (F6, Ctrl+1..3, Tab, Enter, Shift+→, Ctrl+K); nothing is clicked.

use std::time::{Duration, Instant};

use anyhow::Context;
use chaptercast_e2e::app::{app_env, ctrl, key, shift, AppSession};
use chaptercast_e2e::audio::{audio_env_ready, audio_lock};
use chaptercast_e2e::fixtures::serve_meta_feed_with_tones;
use chaptercast_e2e::server::Route;
use chaptercast_engine::testkit::{FeedBuilder, ItemBuilder};
use fantoccini::key::Key;

const WAIT: Duration = Duration::from_secs(30);
const TEST_LIMIT: Duration = Duration::from_secs(240);
const FREQS: [f64; 5] = [440.0, 560.0, 700.0, 860.0, 1000.0];

async fn keys(app: &AppSession, keys: &str) -> anyhow::Result<()> {
    app.type_keys(keys).await
}

/// The focused element's test id (or its tag when it has none).
async fn focused(app: &AppSession) -> anyhow::Result<String> {
    app.eval(
        "const a = document.activeElement; return a ? (a.dataset.testid || a.tagName.toLowerCase()) : '';",
        vec![],
    )
    .await
}

/// Tab (forward) until `test_id` has the focus, as a listener tabbing to a control would.
async fn tab_to(app: &AppSession, test_id: &str) -> anyhow::Result<()> {
    let mut passed = Vec::new();
    for _ in 0..60 {
        let now = focused(app).await?;
        if now == test_id {
            return Ok(());
        }
        passed.push(now);
        keys(app, &key(Key::Tab)).await?;
    }
    anyhow::bail!("Tab never reached {test_id}; it went through {passed:?}")
}

async fn wait_attr(app: &AppSession, css: &str, name: &str, want: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        let got: Option<String> = app
            .eval(
                "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
                vec![serde_json::json!(css), serde_json::json!(name)],
            )
            .await?;
        if got.as_deref() == Some(want) {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{css} [{name}] is {got:?}, not {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_listener_does_everything_without_a_mouse() -> anyhow::Result<()> {
    if !audio_env_ready("keyboard walk-through") {
        return Ok(());
    }
    let _audio = audio_lock().await;
    tokio::time::timeout(TEST_LIMIT, walk_through())
        .await
        .context("test timed out")?
}

async fn walk_through() -> anyhow::Result<()> {
    // The Meta replica (episode 24 is five 20 s tones, each a chapter) is the feed to add; the
    // app starts with another show.
    let (server, _tones) = serve_meta_feed_with_tones(&FREQS).await?;
    let first = FeedBuilder::new("Starter Show").item(ItemBuilder::audio(
        "Welcome",
        "starter-1",
        &server.url("/audio/none.mp3"),
    ));
    server.route(
        "/starter.xml",
        Route::ok("application/rss+xml", first.to_xml()),
    );
    let data = tempfile::tempdir()?;
    let env = app_env(data.path(), &server.url("/starter.xml"), "5");
    let app = AppSession::launch(&env).await?;
    app.wait_for_count("[data-testid=episode-item]", 1, WAIT)
        .await?;

    // Add a feed: to the library (Ctrl+1), Tab to "Add a podcast", type, Enter.
    keys(&app, &ctrl('1')).await?;
    anyhow::ensure!(
        focused(&app).await? == "show-item",
        "Ctrl+1 put the focus on {}",
        focused(&app).await?
    );
    tab_to(&app, "add-feed-input").await?;
    keys(
        &app,
        &format!("{}{}", server.url("/feed.xml"), key(Key::Enter)),
    )
    .await?;
    app.wait_for_count("[data-testid=episode-item]", 24, WAIT)
        .await?;

    // Play the newest episode: to the list (Ctrl+2), Enter opens it, to the episode (Ctrl+3),
    // Tab to Play, Enter.
    keys(&app, &ctrl('2')).await?;
    anyhow::ensure!(
        focused(&app).await? == "episode-item",
        "Ctrl+2 put the focus on {}",
        focused(&app).await?
    );
    keys(&app, &key(Key::Home)).await?;
    keys(&app, &key(Key::Enter)).await?;
    app.wait_for_text("[data-testid=chapter-list]", "Tone 700 Hz", WAIT)
        .await?;
    keys(&app, &ctrl('3')).await?;
    tab_to(&app, "play-episode").await?;
    keys(&app, &key(Key::Enter)).await?;
    wait_attr(&app, "[data-testid=play-pause]", "aria-label", "Pause").await?;
    app.wait_for_text("[data-testid=now-playing-chapter]", "Tone 440 Hz", WAIT)
        .await?;

    // Jump chapters: Shift+→ twice, Shift+← once.
    keys(&app, &shift(Key::Right)).await?;
    app.wait_for_text("[data-testid=now-playing-chapter]", "Tone 560 Hz", WAIT)
        .await?;
    keys(&app, &shift(Key::Right)).await?;
    app.wait_for_text("[data-testid=now-playing-chapter]", "Tone 700 Hz", WAIT)
        .await?;
    keys(&app, &shift(Key::Left)).await?;
    keys(&app, &shift(Key::Left)).await?;
    app.wait_for_text("[data-testid=now-playing-chapter]", "Tone 560 Hz", WAIT)
        .await?;

    // Search and play a hit: Ctrl+K, type, Enter.
    keys(&app, &ctrl('k')).await?;
    app.wait_for("[data-testid=search-input]", WAIT).await?;
    keys(&app, "tone 860").await?;
    wait_attr(
        &app,
        "[data-testid=search-result]",
        "data-start-ms",
        "60000",
    )
    .await?;
    keys(&app, &key(Key::Enter)).await?;
    app.wait_for_text("[data-testid=now-playing-chapter]", "Tone 860 Hz", WAIT)
        .await?;

    // Download it: to the episode (Ctrl+3), Tab to Download, Enter.
    keys(&app, &ctrl('3')).await?;
    tab_to(&app, "download-button").await?;
    keys(&app, &key(Key::Enter)).await?;
    wait_attr(&app, "[data-testid=download-control]", "data-state", "done")
        .await
        .context("the download did not finish")?;

    // Space pauses from wherever the focus is now.
    keys(&app, " ").await?;
    wait_attr(&app, "[data-testid=play-pause]", "aria-label", "Play").await?;
    app.screenshot("keyboard-walk-through").await?;
    app.close().await
}
