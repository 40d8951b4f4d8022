//! Sync in the real app (tauri-driver) against podsync: the listener logs in through the Sync
//! dialog, syncs now, the sidebar says when, and a position set in another library (the
//! command line's) appears as "Resume from …".

use std::process::Command;
use std::time::Duration;

use anyhow::Context;
use chaptercast_e2e::app::{app_env, cli_binary, output_with_stdin, AppSession};
use chaptercast_e2e::podsync::{Podsync, PASSWORD, USER};
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::testkit::{FeedBuilder, ItemBuilder};

const WAIT: Duration = Duration::from_secs(30);
const TEST_LIMIT: Duration = Duration::from_secs(240);
const DEVICE: &str = "desk";

/// The other library: the command line on its own data folder.
fn other_library(data: &std::path::Path, args: &[&str], stdin: &str) -> anyhow::Result<String> {
    let out = output_with_stdin(
        Command::new(cli_binary()?)
            .args(args)
            .env("CHAPTERCAST_DATA_DIR", data)
            .env("CHAPTERCAST_NO_KEYRING", "1")
            .env_remove("DISPLAY"),
        stdin,
    )?;
    anyhow::ensure!(
        out.status.success(),
        "chaptercast {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn logging_in_from_the_app_brings_another_librarys_position() -> anyhow::Result<()> {
    let Some(podsync) = Podsync::start() else {
        return Ok(());
    };
    tokio::time::timeout(TEST_LIMIT, flow(podsync))
        .await
        .context("test timed out")?
}

async fn flow(podsync: Podsync) -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    let base = server.base_url();
    let item = |title: &str, guid: &str, name: &str| {
        let mut item = ItemBuilder::audio(title, guid, &format!("{base}/{name}"));
        item.duration = Some("3600".into());
        item
    };
    let feed = FeedBuilder::new("Sync Show")
        .item(item("Second", "g2", "2.mp3"))
        .item(item("First", "g1", "1.mp3"));
    server.route("/feed.xml", Route::ok("application/rss+xml", feed.to_xml()));
    let feed_url = server.url("/feed.xml");

    // The other library listened to "Second" up to 12:34 and synced.
    let other = tempfile::tempdir()?;
    let (other_dir, url, feed) = (other.path().to_path_buf(), podsync.url(), feed_url.clone());
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let login = [
            "sync",
            "login",
            &url,
            "--user",
            USER,
            "--password-stdin",
            "--device",
            DEVICE,
        ];
        other_library(&other_dir, &login, &format!("{PASSWORD}\n"))?;
        other_library(&other_dir, &["subscribe", &feed], "")?;
        other_library(&other_dir, &["mark", "g2", "--position", "754"], "")?;
        other_library(&other_dir, &["sync"], "")?;
        Ok(())
    })
    .await??;

    // This computer: the app, on the same feed.
    let data = tempfile::tempdir()?;
    let mut env = app_env(data.path(), &feed_url, "5");
    env.push(("CHAPTERCAST_NO_KEYRING", "1".into()));
    let app = AppSession::launch(&env).await?;
    app.wait_for_count("[data-testid=episode-item]", 2, WAIT)
        .await?;
    let status = app
        .wait_for_text("[data-testid=sync-open]", "Set up sync", WAIT)
        .await?;
    anyhow::ensure!(status.contains("Set up sync"), "{status}");

    app.click_nth("[data-testid=sync-open]", 0, WAIT).await?;
    let server_field = app.wait_for("[data-testid=sync-server]", WAIT).await?;
    server_field.clear().await?;
    server_field.send_keys(&podsync.url()).await?;
    app.wait_for("[data-testid=sync-user]", WAIT)
        .await?
        .send_keys(USER)
        .await?;
    app.wait_for("[data-testid=sync-password]", WAIT)
        .await?
        .send_keys(PASSWORD)
        .await?;
    app.wait_for("[data-testid=sync-device]", WAIT)
        .await?
        .send_keys(DEVICE)
        .await?;
    app.click_nth("[data-testid=sync-login]", 0, WAIT).await?;
    app.wait_for("[data-testid=sync-account]", WAIT).await?;
    app.click_nth("[data-testid=sync-now]", 0, WAIT).await?;
    app.wait_for_text("[data-testid=sync-last]", "Synced just now", WAIT)
        .await?;
    app.screenshot("sync-dialog").await?;
    app.client
        .execute(
            "document.querySelector('[data-testid=sync-dialog]').dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}));",
            vec![],
        )
        .await?;
    app.wait_for_text("[data-testid=sync-time]", "Synced just now", WAIT)
        .await?;

    // "Second" resumes where the other library left it.
    let titles = app.texts("[data-testid=episode-item]").await?;
    let second = titles
        .iter()
        .position(|t| t.contains("Second"))
        .context("no Second in the list")?;
    app.click_nth("[data-testid=episode-item]", second, WAIT)
        .await?;
    app.wait_for_text("[data-testid=play-episode]", "Resume from 12:34", WAIT)
        .await?;
    app.screenshot("sync-resume").await?;
    app.close().await?;
    Ok(())
}
