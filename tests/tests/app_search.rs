//! Search and the keyboard in the real app (tauri-driver): type a chapter's words, press Enter,
//! and the null sink hears that chapter; the shortcuts drive the player; light and dark
//! screenshots; a second launch on the same library only focuses the first.

use std::time::{Duration, Instant};

use anyhow::Context;
use chaptercast_e2e::app::{
    answer_file_dialog, app_binary, app_env, ctrl, shift, AppSession, FileDialog,
};
use chaptercast_e2e::audio::{audio_env_ready, audio_lock, Capture};
use chaptercast_e2e::fixtures::serve_meta_feed_with_tones;
use fantoccini::key::Key;
use fantoccini::Locator;

const WAIT: Duration = Duration::from_secs(30);
const TEST_LIMIT: Duration = Duration::from_secs(300);
const FREQS: [f64; 5] = [300.0, 420.0, 560.0, 700.0, 860.0];

/// Sends keys to whatever has focus (the page's active element).
async fn press(app: &AppSession, keys: &str) -> anyhow::Result<()> {
    app.type_keys(keys).await
}

async fn attribute(app: &AppSession, css: &str, name: &str) -> Option<String> {
    let found = app.client.find(Locator::Css(css)).await.ok()?;
    found.attr(name).await.ok().flatten()
}

async fn wait_attribute(app: &AppSession, css: &str, name: &str, want: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = attribute(app, css, name).await;
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

async fn is_shown(app: &AppSession, css: &str) -> bool {
    match app.client.find(Locator::Css(css)).await {
        Ok(e) => e.is_displayed().await.unwrap_or(false),
        Err(_) => false,
    }
}

async fn wait_gone(app: &AppSession, css: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + WAIT;
    while is_shown(app, css).await {
        anyhow::ensure!(Instant::now() < deadline, "{css} is still shown");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn typing_a_chapters_words_and_enter_plays_that_chapter() -> anyhow::Result<()> {
    if !audio_env_ready("search to chapter") {
        return Ok(());
    }
    let _audio = audio_lock().await;
    tokio::time::timeout(TEST_LIMIT, search_flow())
        .await
        .context("test timed out")?
}

async fn search_flow() -> anyhow::Result<()> {
    let (server, _dir) = serve_meta_feed_with_tones(&FREQS).await?;
    let data = tempfile::tempdir()?;
    let env = app_env(data.path(), &server.url("/feed.xml"), "5");
    let app = AppSession::launch(&env).await?;
    app.wait_for_count("[data-testid=episode-item]", 24, WAIT)
        .await?;
    // Opening the episode reads its audio's chapters, which the index then holds.
    app.click_nth("[data-testid=episode-item]", 0, WAIT).await?;
    app.wait_for_text("[data-testid=chapter-list]", "Tone 700 Hz", WAIT)
        .await?;

    // Ctrl+K, then a word form of the chapter title ("tones" for "Tone") as it is typed.
    press(&app, &ctrl('k')).await?;
    app.wait_for("[data-testid=search-dialog]", WAIT).await?;
    let input = app.wait_for("[data-testid=search-input]", WAIT).await?;
    input.send_keys("tones 70").await?;
    wait_attribute(
        &app,
        "[data-testid=search-result]",
        "data-start-ms",
        "60000",
    )
    .await?;
    let first = app.wait_for("[data-testid=search-result]", WAIT).await?;
    let marked = first.find_all(Locator::Css("mark")).await?;
    anyhow::ensure!(!marked.is_empty(), "the match is not highlighted");
    app.screenshot("search-chapter").await?;

    let capture = tokio::task::spawn_blocking(Capture::start).await??;
    let pressed = Instant::now();
    input.send_keys(&char::from(Key::Enter).to_string()).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let recording = tokio::task::spawn_blocking(move || capture.stop()).await?;
    let tones = recording.tones_since(pressed, &FREQS);
    anyhow::ensure!(
        tones.len() >= 10 && tones.iter().skip(1).all(|f| *f == FREQS[3]),
        "after Enter on \"Tone 700 Hz\" the sink heard {tones:?}"
    );
    wait_gone(&app, "[data-testid=search-dialog]").await?;
    app.wait_for_text("[data-testid=now-playing-chapter]", "Tone 700 Hz", WAIT)
        .await?;

    // Focus case 1: after Ctrl+K → Enter, focus is on the chosen episode's row; Space pauses
    // and plays rather than choosing the row again (or reopening search).
    press(&app, " ").await?;
    wait_attribute(&app, "[data-testid=play-pause]", "aria-label", "Play")
        .await
        .context("Space after search + Enter did not pause")?;
    anyhow::ensure!(
        !is_shown(&app, "[data-testid=search-dialog]").await,
        "Space after search + Enter reopened search"
    );
    press(&app, " ").await?;
    wait_attribute(&app, "[data-testid=play-pause]", "aria-label", "Pause").await?;
    // Focus case 2: the same after Ctrl+K → Escape.
    press(&app, &ctrl('k')).await?;
    app.wait_for("[data-testid=search-dialog]", WAIT).await?;
    press(&app, &char::from(Key::Escape).to_string()).await?;
    wait_gone(&app, "[data-testid=search-dialog]").await?;
    press(&app, " ").await?;
    wait_attribute(&app, "[data-testid=play-pause]", "aria-label", "Play")
        .await
        .context("Space after search + Escape did not pause")?;
    anyhow::ensure!(
        !is_shown(&app, "[data-testid=search-dialog]").await,
        "Space after search + Escape reopened search"
    );
    // Focus case 3: a clicked chapter row keeps focus; Space pauses instead of restarting
    // that chapter (which would play it again from its start).
    app.click_nth("[data-testid=chapter-item]", 1, WAIT).await?;
    app.wait_for_text("[data-testid=now-playing-chapter]", "Tone 420 Hz", WAIT)
        .await?;
    wait_attribute(&app, "[data-testid=play-pause]", "aria-label", "Pause").await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    press(&app, " ").await?;
    wait_attribute(&app, "[data-testid=play-pause]", "aria-label", "Play")
        .await
        .context("Space on a clicked chapter row did not pause")?;
    let position = app.texts("[data-testid=elapsed]").await?.join("");
    let seconds = position
        .split(':')
        .next_back()
        .and_then(|s| s.trim().parse::<f64>().ok());
    anyhow::ensure!(
        seconds.is_some_and(|s| s >= 21.0),
        "Space restarted the chapter: the position is {position:?}"
    );
    press(&app, " ").await?;
    wait_attribute(&app, "[data-testid=play-pause]", "aria-label", "Pause").await?;
    // Focus case 4: a speed picked with the mouse from its menu gives focus back to the speed
    // button; Shift+→ still moves by chapter (not the speed) and Space still pauses (not
    // opening the menu).
    app.click_nth("[data-testid=speed]", 0, WAIT).await?;
    app.click_nth("[data-testid=speed-option-150]", 0, WAIT)
        .await?;
    wait_attribute(&app, "[data-testid=speed]", "data-speed", "1.5").await?;
    press(&app, &shift(Key::Right)).await?;
    app.wait_for_text("[data-testid=now-playing-chapter]", "Tone 560 Hz", WAIT)
        .await
        .context("Shift+→ on the speed button did not go to the next chapter")?;
    wait_attribute(&app, "[data-testid=speed]", "data-speed", "1.5")
        .await
        .context("Shift+→ on the speed button changed the speed")?;
    press(&app, " ").await?;
    wait_attribute(&app, "[data-testid=play-pause]", "aria-label", "Play")
        .await
        .context("Space on the speed button did not pause")?;
    press(&app, "[").await?;
    press(&app, "[").await?;
    wait_attribute(&app, "[data-testid=speed]", "data-speed", "1").await?;
    // Back to where the keyboard part below expects to be: chapter 4 (700 Hz), playing.
    app.click_nth("[data-testid=chapter-item]", 3, WAIT).await?;
    app.wait_for_text("[data-testid=now-playing-chapter]", "Tone 700 Hz", WAIT)
        .await?;

    // The keyboard: Shift+→ next chapter, Shift+← back, ] faster, Space pauses, ? lists keys.
    press(&app, &shift(Key::Right)).await?;
    app.wait_for_text("[data-testid=now-playing-chapter]", "Tone 860 Hz", WAIT)
        .await?;
    press(&app, &shift(Key::Left)).await?;
    press(&app, &shift(Key::Left)).await?;
    app.wait_for_text("[data-testid=now-playing-chapter]", "Tone 700 Hz", WAIT)
        .await?;
    press(&app, "]").await?;
    wait_attribute(&app, "[data-testid=speed]", "data-speed", "1.25").await?;
    press(&app, "[").await?;
    wait_attribute(&app, "[data-testid=speed]", "data-speed", "1").await?;
    // Space plays and pauses from wherever focus is (here the chapter row just clicked).
    press(&app, " ").await?;
    wait_attribute(&app, "[data-testid=play-pause]", "aria-label", "Play").await?;
    press(&app, "?").await?;
    app.wait_for_text("[data-testid=shortcuts-dialog]", "Shift", WAIT)
        .await?;
    app.screenshot("shortcuts-light").await?;
    press(&app, &char::from(Key::Escape).to_string()).await?;
    wait_gone(&app, "[data-testid=shortcuts-dialog]").await?;
    // `/` opens search too; Escape closes it again.
    press(&app, "/").await?;
    app.wait_for("[data-testid=search-dialog]", WAIT).await?;
    press(&app, &char::from(Key::Escape).to_string()).await?;
    wait_gone(&app, "[data-testid=search-dialog]").await?;

    let dark = app
        .client
        .execute(
            "return matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await?;
    anyhow::ensure!(
        dark == serde_json::json!(false),
        "the light session reports dark"
    );
    app.screenshot("library-light").await?;

    // A second launch on the same library focuses this window and exits at once.
    second_launch_only_focuses(&env).await?;
    anyhow::ensure!(
        is_shown(&app, "[data-testid=episode-item]").await,
        "the first window is gone"
    );
    app.close().await?;

    // Dark: the desktop prefers dark (GTK's dark variant), and so does the app.
    let mut dark_env = env.clone();
    dark_env.push(("GTK_THEME", "Adwaita:dark".to_string()));
    let app = AppSession::launch(&dark_env).await?;
    app.wait_for_count("[data-testid=episode-item]", 24, WAIT)
        .await?;
    app.click_nth("[data-testid=episode-item]", 0, WAIT).await?;
    app.wait_for_text("[data-testid=chapter-list]", "Tone 700 Hz", WAIT)
        .await?;
    let dark = app
        .client
        .execute(
            "return [matchMedia('(prefers-color-scheme: dark)').matches, getComputedStyle(document.body).backgroundColor];",
            vec![],
        )
        .await?;
    anyhow::ensure!(dark[0] == serde_json::json!(true), "dark session: {dark}");
    app.screenshot("library-dark").await?;
    press(&app, &ctrl('k')).await?;
    let input = app.wait_for("[data-testid=search-input]", WAIT).await?;
    input.send_keys("cache").await?;
    app.wait_for_text("[data-testid=search-result]", "Cache", WAIT)
        .await?;
    app.screenshot("search-dark").await?;
    app.close().await?;
    Ok(())
}

/// Runs the app binary again with the same library: it must hand over to the running one and
/// exit 0 quickly, where a launch on another library keeps running.
async fn second_launch_only_focuses(env: &[(&str, String)]) -> anyhow::Result<()> {
    let binary = app_binary()?;
    let mut second = std::process::Command::new(&binary);
    second.envs(env.iter().map(|(k, v)| (*k, v.clone())));
    let mut child = second.spawn()?;
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            anyhow::bail!("a second launch on the same library kept running");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    anyhow::ensure!(status.success(), "the second launch exited with {status}");

    let other = tempfile::tempdir()?;
    let mut third = std::process::Command::new(&binary);
    third.envs(env.iter().map(|(k, v)| (*k, v.clone())));
    third.env("CHAPTERCAST_DATA_DIR", other.path());
    let mut child = third.spawn()?;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let still_running = child.try_wait()?.is_none();
    let _ = child.kill();
    let _ = child.wait();
    anyhow::ensure!(still_running, "a launch on another library exited");
    Ok(())
}

/// OPML through the app's buttons and its native file dialogs, answered as a listener would
/// (typed in): the page itself never names a file.
#[tokio::test(flavor = "multi_thread")]
async fn opml_import_and_export_through_the_app() -> anyhow::Result<()> {
    tokio::time::timeout(TEST_LIMIT, opml_flow())
        .await
        .context("test timed out")?
}

async fn opml_flow() -> anyhow::Result<()> {
    use chaptercast_e2e::server::{Route, TestServer};
    use chaptercast_engine::testkit::{FeedBuilder, ItemBuilder};
    let server = TestServer::start().await?;
    server.route(
        "/feed.xml",
        Route::ok(
            "application/rss+xml",
            chaptercast_e2e::fixtures::meta_feed_xml(&server.base_url()),
        ),
    );
    let second = FeedBuilder::new("Second Show").item(ItemBuilder::audio(
        "Only episode",
        "s-1",
        &server.url("/audio/s1.mp3"),
    ));
    server.route(
        "/second.xml",
        Route::ok("application/rss+xml", second.to_xml()),
    );
    server.route("/gone.xml", Route::status(404));
    let data = tempfile::tempdir()?;
    let opml = data.path().join("import.opml");
    std::fs::write(
        &opml,
        format!(
            "<?xml version=\"1.0\"?><opml version=\"2.0\"><head/><body>\
             <outline text=\"Second\" xmlUrl=\"{}\"/><outline text=\"Gone\" xmlUrl=\"{}\"/>\
             <outline text=\"Again\" xmlUrl=\"{}\"/></body></opml>",
            server.url("/second.xml"),
            server.url("/gone.xml"),
            server.url("/feed.xml")
        ),
    )?;
    let env = app_env(data.path(), &server.url("/feed.xml"), "5");
    let app = AppSession::launch(&env).await?;
    app.wait_for_count("[data-testid=episode-item]", 24, WAIT)
        .await?;

    app.click_nth("[data-testid=opml-import]", 0, WAIT).await?;
    answer_file_dialog("Import subscriptions", FileDialog::Open, &opml).await?;
    app.wait_for("[data-testid=opml-report]", WAIT)
        .await
        .context("no import report")?;
    app.screenshot("opml-import-report").await?;
    let added = app.texts("[data-testid=opml-report-added]").await?;
    anyhow::ensure!(added == ["1 podcast added"], "added: {added:?}");
    let duplicates = app.texts("[data-testid=opml-report-duplicate]").await?;
    anyhow::ensure!(duplicates.len() == 1, "duplicates: {duplicates:?}");
    let failed = app.texts("[data-testid=opml-report-failed]").await?;
    anyhow::ensure!(
        failed.len() == 1
            && failed[0].contains(&server.url("/gone.xml"))
            && failed[0].contains("404"),
        "failed: {failed:?}"
    );
    app.click_nth("[data-testid=opml-report-close]", 0, WAIT)
        .await?;
    app.wait_for_text(".show-list", "Second Show", WAIT).await?;

    let out = data.path().join("export.opml");
    app.click_nth("[data-testid=opml-export]", 0, WAIT).await?;
    answer_file_dialog("Export subscriptions", FileDialog::Save, &out).await?;
    app.wait_for_text(
        "[data-testid=opml-export-done]",
        "Exported 2 podcasts",
        WAIT,
    )
    .await
    .context("no export confirmation")?;
    let written = std::fs::read_to_string(&out)?;
    for url in [server.url("/feed.xml"), server.url("/second.xml")] {
        anyhow::ensure!(written.contains(&url), "{url} missing from {written}");
    }
    app.close().await?;
    Ok(())
}
