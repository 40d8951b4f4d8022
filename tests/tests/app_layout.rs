//! The real app at the window sizes listeners use (1280×800 down to 640×480), in light and dark:
//! nothing runs off the window or is cut mid-word, the sidebar becomes a drawer below 1000 px and
//! one pane shows at a time below 700 px, every speed in the menu stays reachable, and the
//! theme picked is there again after a relaunch. Screenshots go to artifacts/e2e/layout-*.png,
//! and the README's (a replica Meta Tech Podcast episode playing, light and dark) to
//! artifacts/e2e/readme-*.png, which `make screenshots` copies into docs/.

use std::time::Duration;

use anyhow::Context;
use chaptercast_e2e::app::{app_binary, app_env, cli_binary, key, AppSession};
use chaptercast_e2e::audio::{audio_env_ready, audio_lock, long_quiet_mp3};
use chaptercast_e2e::axe::serious_violations;
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::testkit::{meta_tech_like_feed, FeedBuilder, ItemBuilder};
use fantoccini::key::Key;

const WAIT: Duration = Duration::from_secs(30);
const TEST_LIMIT: Duration = Duration::from_secs(240);

/// What a size must look like.
struct Size {
    width: u32,
    height: u32,
    /// The sidebar is a drawer (below 1000 px).
    drawer: bool,
    /// One pane at a time (below 700 px).
    one_pane: bool,
}

const SIZES: [Size; 4] = [
    Size {
        width: 1280,
        height: 800,
        drawer: false,
        one_pane: false,
    },
    Size {
        width: 1000,
        height: 700,
        drawer: false,
        one_pane: false,
    },
    Size {
        width: 800,
        height: 600,
        drawer: true,
        one_pane: false,
    },
    Size {
        width: 640,
        height: 480,
        drawer: true,
        one_pane: true,
    },
];

/// Problems on screen, as sentences: anything wider than the window, text cut inside its box
/// (the filter tabs, the header's status, the player's times, buttons), controls of the player
/// bar outside the window, the episode toolbar on two lines, and which panes are shown.
const CHECK_LAYOUT: &str = r#"
const problems = [];
const W = window.innerWidth, H = window.innerHeight;
const shown = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
if (document.documentElement.scrollWidth > W) problems.push(`the page is ${document.documentElement.scrollWidth}px wide in ${W}px`);
const cut = document.querySelectorAll(".segment, .status, .offline-notice, .player-time, .app-header .button, .player-bar .button, .episode-toolbar .button, .nav-item-label");
for (const el of cut) {
  if (!shown(el)) continue;
  if (el.scrollWidth > el.clientWidth + 1) problems.push(`"${el.textContent.trim()}" is cut (${el.scrollWidth} > ${el.clientWidth})`);
  const r = el.getBoundingClientRect();
  if (r.right > W + 0.5 || r.left < -0.5 || r.bottom > H + 0.5) problems.push(`"${el.textContent.trim() || el.getAttribute("aria-label")}" is outside the window`);
}
for (const el of document.querySelectorAll(".player-bar button, .player-bar input")) {
  if (!shown(el)) continue;
  const r = el.getBoundingClientRect();
  if (r.right > W + 0.5 || r.width < 8) problems.push(`player control ${el.getAttribute("aria-label") || el.dataset.testid} is off screen or squashed`);
}
const filters = document.querySelector(".episode-toolbar .segmented"), tools = document.querySelector(".episode-toolbar-end");
if (shown(filters) && shown(tools) && tools.getBoundingClientRect().top >= filters.getBoundingClientRect().bottom) problems.push("the episode toolbar wraps to a second line");
const pane = (sel) => shown(document.querySelector(sel));
return {
  problems,
  sidebar: pane("[data-testid=sidebar]"),
  list: pane(".show-pane"),
  episode: pane("[data-testid=episode-view]"),
  toggle: pane("[data-testid=drawer-toggle]"),
  titleLines: (() => {
    const t = document.querySelector("[data-testid=episode-title]");
    return t ? Number(getComputedStyle(t).webkitLineClamp) : 0;
  })(),
};
"#;

#[derive(serde::Deserialize, Debug)]
struct Layout {
    problems: Vec<String>,
    sidebar: bool,
    list: bool,
    episode: bool,
    toggle: bool,
    #[serde(rename = "titleLines")]
    title_lines: u32,
}

async fn layout(app: &AppSession) -> anyhow::Result<Layout> {
    app.eval(CHECK_LAYOUT, vec![]).await
}

/// Past the dialogs' fade-in, so that axe reads their colours as they end up.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

/// A real key press, sent to whatever has the focus.
async fn press(app: &AppSession, k: Key) -> anyhow::Result<()> {
    app.type_keys(&key(k)).await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_size_and_theme_fits_the_window() -> anyhow::Result<()> {
    if !audio_env_ready("app layout") {
        return Ok(());
    }
    // It plays an episode: not while another test listens to the null sink.
    let _audio = audio_lock().await;
    tokio::time::timeout(TEST_LIMIT, sizes_and_themes())
        .await
        .context("test timed out")?
}

async fn sizes_and_themes() -> anyhow::Result<()> {
    let server = TestServer::start().await?;
    server.route(
        "/feed.xml",
        Route::ok(
            "application/rss+xml",
            meta_tech_like_feed(&server.base_url(), 24).to_xml(),
        ),
    );
    let second = FeedBuilder::new("Second Show").item(ItemBuilder::audio(
        "Hello",
        "second-1",
        &server.url("/audio/none.mp3"),
    ));
    server.route(
        "/second.xml",
        Route::ok("application/rss+xml", second.to_xml()),
    );
    let third = FeedBuilder::new("Third Show").item(ItemBuilder::audio(
        "Hi",
        "third-1",
        &server.url("/audio/none.mp3"),
    ));
    server.route(
        "/third.xml",
        Route::ok("application/rss+xml", third.to_xml()),
    );
    // Episode 24 as long as its notes say (Outro at 41:02), so that every chapter is there.
    let media = tempfile::tempdir()?;
    let audio = long_quiet_mp3(media.path(), "ep24", 42 * 60)?;
    server.route(
        "/audio/ep24.mp3",
        Route::file("audio/mpeg", std::fs::read(audio)?),
    );
    let data = tempfile::tempdir()?;
    let env = app_env(data.path(), &server.url("/feed.xml"), "3");
    let app = AppSession::launch(&env).await?;
    app.wait_for_count("[data-testid=episode-item]", 24, WAIT)
        .await?;

    // The README's picture: the newest episode playing from its third chapter.
    app.resize(1280, 800).await?;
    app.click_nth("[data-testid=episode-item]", 0, WAIT).await?;
    app.wait_for_text("[data-testid=chapter-list]", "Who do you work with?", WAIT)
        .await?;
    let chapters = app.texts("[data-testid=chapter-item]").await?;
    let third = chapters
        .iter()
        .position(|c| c.contains("Who do you work with?"))
        .context("no chapter \"Who do you work with?\"")?;
    app.click_nth("[data-testid=chapter-item]", third, WAIT)
        .await?;
    app.wait_for_text(
        "[data-testid=now-playing-chapter]",
        "Who do you work with?",
        WAIT,
    )
    .await?;
    app.wait_for("[data-testid=play-pause][aria-label=Pause]", WAIT)
        .await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    app.screenshot("readme-light").await?;
    app.click_nth("[data-testid=theme-dark]", 0, WAIT).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot("readme-dark").await?;
    app.click_nth("[data-testid=theme-light]", 0, WAIT).await?;
    app.click_nth("[data-testid=play-pause]", 0, WAIT).await?;

    // axe-core on every view and dialog, light and dark: no serious or critical problem.
    let mut found = Vec::new();
    for theme in ["light", "dark"] {
        app.click_nth(&format!("[data-testid=theme-{theme}]"), 0, WAIT)
            .await?;
        let mut check = |view: &str, problems: Vec<String>| {
            found.extend(
                problems
                    .into_iter()
                    .map(|p| format!("{view} ({theme}): {p}")),
            );
        };
        check("library and episode", serious_violations(&app).await?);
        app.click_nth("[data-testid=sound-profile]", 0, WAIT)
            .await?;
        app.wait_for("[data-testid=sound-profile-dialog]", WAIT)
            .await?;
        check("sound popover", serious_violations(&app).await?);
        press(&app, Key::Escape).await?;
        app.click_nth("[data-testid=search-open]", 0, WAIT).await?;
        app.wait_for("[data-testid=search-input]", WAIT).await?;
        app.client
            .execute(
                "const i = document.querySelector('[data-testid=search-input]'); i.value = 'headset'; i.dispatchEvent(new InputEvent('input', { bubbles: true }));",
                vec![],
            )
            .await?;
        app.wait_for("[data-testid=search-dialog] [role=option]", WAIT)
            .await?;
        settle().await;
        check("search", serious_violations(&app).await?);
        press(&app, Key::Escape).await?;
        app.click_nth("[data-testid=shortcuts-open]", 0, WAIT)
            .await?;
        app.wait_for("[data-testid=shortcuts-dialog]", WAIT).await?;
        let modal: bool = app
            .eval("return document.querySelector('[data-testid=shortcuts-dialog]').matches(':modal');", vec![])
            .await?;
        anyhow::ensure!(
            modal,
            "the shortcuts dialog is not modal (the window behind it is not inert)"
        );
        settle().await;
        check("shortcuts", serious_violations(&app).await?);
        press(&app, Key::Escape).await?;
        app.click_nth("[data-testid=sync-open]", 0, WAIT).await?;
        app.wait_for("[data-testid=sync-server]", WAIT).await?;
        settle().await;
        check("sync settings", serious_violations(&app).await?);
        press(&app, Key::Escape).await?;
        app.click_nth("[data-testid=nav-downloads]", 0, WAIT)
            .await?;
        app.wait_for("[data-testid=downloads-view]", WAIT).await?;
        check("downloads", serious_violations(&app).await?);
        app.click_nth("[data-testid=nav-queue]", 0, WAIT).await?;
        app.wait_for("[data-testid=queue-view]", WAIT).await?;
        check("up next", serious_violations(&app).await?);
        app.click_nth("[data-testid=show-item]", 0, WAIT).await?;
        app.wait_for_count("[data-testid=episode-item]", 24, WAIT)
            .await?;
    }
    anyhow::ensure!(found.is_empty(), "axe-core: {found:#?}");
    app.click_nth("[data-testid=theme-light]", 0, WAIT).await?;

    for theme in ["light", "dark"] {
        for size in &SIZES {
            app.resize(size.width, size.height).await?;
            let name = format!("layout-{}x{}-{theme}", size.width, size.height);
            let seen = layout(&app).await?;
            app.screenshot(&name).await?;
            anyhow::ensure!(seen.problems.is_empty(), "{name}: {:#?}", seen.problems);
            anyhow::ensure!(
                seen.title_lines == 2,
                "{name}: episode titles wrap to {} lines",
                seen.title_lines
            );
            anyhow::ensure!(
                seen.sidebar != size.drawer && seen.toggle == size.drawer,
                "{name}: sidebar shown {}, drawer button shown {}",
                seen.sidebar,
                seen.toggle
            );
            anyhow::ensure!(
                seen.list && seen.episode != size.one_pane,
                "{name}: list shown {}, episode shown {}",
                seen.list,
                seen.episode
            );
            if size.drawer {
                // The drawer: opened from the header, over the panes, closed by Escape.
                app.click_nth("[data-testid=drawer-toggle]", 0, WAIT)
                    .await?;
                tokio::time::sleep(Duration::from_millis(400)).await;
                let open = layout(&app).await?;
                app.screenshot(&format!("{name}-drawer")).await?;
                anyhow::ensure!(open.sidebar, "{name}: the drawer did not open");
                anyhow::ensure!(
                    open.problems.is_empty(),
                    "{name} drawer: {:#?}",
                    open.problems
                );
                press(&app, Key::Escape).await?;
                tokio::time::sleep(Duration::from_millis(400)).await;
                anyhow::ensure!(
                    !layout(&app).await?.sidebar,
                    "{name}: Escape left the drawer open"
                );
            }
            if size.one_pane {
                // An episode takes the window; Back returns to the list.
                app.click_nth("[data-testid=episode-item]", 1, WAIT).await?;
                let episode = layout(&app).await?;
                app.screenshot(&format!("{name}-episode")).await?;
                anyhow::ensure!(
                    episode.episode && !episode.list,
                    "{name}: the episode did not take the window"
                );
                anyhow::ensure!(
                    episode.problems.is_empty(),
                    "{name} episode: {:#?}",
                    episode.problems
                );
                app.click_nth("[data-testid=episode-back]", 0, WAIT).await?;
                let back = layout(&app).await?;
                anyhow::ensure!(
                    back.list && !back.episode,
                    "{name}: Back did not return to the list"
                );

                // Every speed is reachable in the shortest window: the menu fits above the bar
                // and scrolls to its last choice.
                app.click_nth("[data-testid=speed]", 0, WAIT).await?;
                let fits: bool = app
                    .eval(
                        r#"const menu = document.querySelector("[data-testid=speed-menu]");
                           const last = document.querySelector("[data-testid=speed-option-300]");
                           last.scrollIntoView({ block: "nearest" });
                           const m = menu.getBoundingClientRect(), r = last.getBoundingClientRect();
                           return m.top >= 0 && m.bottom <= window.innerHeight && r.top >= m.top - 1 && r.bottom <= m.bottom + 1;"#,
                        vec![],
                    )
                    .await?;
                app.screenshot(&format!("{name}-speed-menu")).await?;
                anyhow::ensure!(fits, "{name}: the speed menu runs off the window");
                app.click_nth("[data-testid=speed-option-300]", 0, WAIT)
                    .await?;
                app.wait_for("[data-testid=speed][data-speed='3']", WAIT)
                    .await?;
                app.click_nth("[data-testid=speed]", 0, WAIT).await?;
                app.click_nth("[data-testid=speed-option-100]", 0, WAIT)
                    .await?;
            }
        }
        if theme == "light" {
            app.resize(1280, 800).await?;
            app.click_nth("[data-testid=theme-dark]", 0, WAIT).await?;
            let dark: bool = app
                .eval(
                    r#"const bg = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
                       return document.documentElement.dataset.theme === "dark" && bg[0] + bg[1] + bg[2] < 150;"#,
                    vec![],
                )
                .await?;
            anyhow::ensure!(dark, "Dark did not darken the window");
        }
    }
    app.close().await?;

    // Relaunched, the window is dark again from the start.
    let again = AppSession::launch(&env).await?;
    again
        .wait_for_count("[data-testid=episode-item]", 24, WAIT)
        .await?;
    again
        .wait_for(
            "html[data-theme=dark] [data-testid=theme-dark][aria-pressed=true]",
            WAIT,
        )
        .await
        .context("the theme was not remembered")?;
    again
        .click_nth("[data-testid=theme-system]", 0, WAIT)
        .await?;

    // A browser's subscribe link, handed to the running window by a second launch: it asks
    // first, offers plain http only after https failed, and subscribes when told. Launched as
    // `chaptercast <link>`, which execs the app beside it (the desktop entry runs the app
    // itself, as the OPML launch below does).
    let host = server.base_url().trim_start_matches("http://").to_string();
    let link = format!("podcast://{host}/second.xml");
    let second_env = env.clone();
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new(cli_binary()?)
            .arg(link)
            .envs(second_env.iter().map(|(k, v)| (*k, v.clone())))
            .status()
            .map_err(anyhow::Error::from)
    })
    .await??;
    anyhow::ensure!(status.success(), "the second launch exited with {status}");
    again
        .wait_for_text("[data-testid=open-request]", "Use plain http?", WAIT)
        .await?;
    again.screenshot("open-link-https-failed").await?;
    again
        .click_nth("[data-testid=open-request-use-http]", 0, WAIT)
        .await?;
    again
        .wait_for_text(
            "[data-testid=open-request]",
            "Subscribe to Second Show?",
            WAIT,
        )
        .await?;
    again.screenshot("open-link-subscribe").await?;
    settle().await;
    let mut problems = serious_violations(&again).await?;
    again
        .click_nth("[data-testid=open-request-subscribe]", 0, WAIT)
        .await?;
    again
        .wait_for_count("[data-testid=show-item]", 2, WAIT)
        .await?;

    // An OPML file opened from a file manager (a second launch with its path): "Import these
    // podcasts?", then what was added. axe checks the link's dialog and both of these.
    let opml = data.path().join("from-the-file-manager.opml");
    std::fs::write(
        &opml,
        format!(
            r#"<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>
               <outline text="Third Show" type="rss" xmlUrl="{}"/></body></opml>"#,
            server.url("/third.xml")
        ),
    )?;
    let third_env = env.clone();
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new(app_binary()?)
            .arg(opml)
            .envs(third_env.iter().map(|(k, v)| (*k, v.clone())))
            .status()
            .map_err(anyhow::Error::from)
    })
    .await??;
    anyhow::ensure!(status.success(), "the OPML launch exited with {status}");
    again
        .wait_for_text("[data-testid=open-request]", "Import these podcasts?", WAIT)
        .await?;
    settle().await;
    problems.extend(serious_violations(&again).await?);
    again
        .click_nth("[data-testid=open-request-import]", 0, WAIT)
        .await?;
    again
        .wait_for_text(
            "[data-testid=open-request-imported]",
            "1 podcast added",
            WAIT,
        )
        .await?;
    problems.extend(serious_violations(&again).await?);
    anyhow::ensure!(
        problems.is_empty(),
        "axe-core on the open dialog: {problems:#?}"
    );
    again
        .click_nth("[data-testid=open-request-close]", 0, WAIT)
        .await?;
    again
        .wait_for_count("[data-testid=show-item]", 3, WAIT)
        .await?;
    again.close().await
}
