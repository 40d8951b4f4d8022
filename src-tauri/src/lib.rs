//! Chaptercast's shell: the window and its commands (the command line is its own crate, `cli/`).
//! Thin: everything with a decision in it lives in `chaptercast-engine`.

pub mod bindings;
pub mod commands;
pub mod error;
mod image_protocol;
pub mod playback;
pub mod state;
pub mod webkit_settings;
pub mod wire;

use anyhow::Context;
use chaptercast_engine::{Config, Engine};
use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

use crate::playback::PlayerState;
use crate::state::AppState;

/// Builds and runs the GUI until the window closes. A library that cannot be opened does not
/// stop the window: it opens and says so, and offers to start fresh (`library_problem`).
pub fn run_gui(opened: Option<chaptercast_engine::launch::Opened>) -> anyhow::Result<()> {
    let config = Config::from_env();
    let requests = commands::opened::OpenedQueue::default();
    if let Some(opened) = opened {
        requests.push(opened);
    }
    let instance_id = single_instance_id(&config.data_dir);
    let (opened, problem) = match Engine::open(config.clone()) {
        Ok(opened) => (Some(opened), None),
        Err(error) => {
            tracing::error!(%error, "the library cannot be opened");
            let problem = state::LibraryProblem::new(&config, &error);
            (None, Some(problem))
        }
    };
    // Taken by the setup below, which runs once.
    let mut opened = opened;
    let builder = bindings::builder();
    tauri::Builder::default()
        // First: a second launch on the same library focuses this window and exits.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance_id)
                .callback(|app, args, cwd| {
                    hand_over(app, &args, &cwd);
                    focus_main_window(app)
                })
                .build(),
        )
        // File dialogs for OPML, opened from Rust only.
        .plugin(tauri_plugin_dialog::init())
        // Links are opened by our own `open_external` command, which checks the scheme first.
        .plugin(
            tauri_plugin_opener::Builder::new()
                .open_js_links_on_click(false)
                .build(),
        )
        // Pictures from the web, fetched, scaled and cached by the engine (the CSP lets the
        // webview load none itself).
        .register_asynchronous_uri_scheme_protocol(image_protocol::SCHEME, image_protocol::handle)
        .invoke_handler(builder.invoke_handler())
        .manage(state::Startup::new(config, problem))
        .manage(requests)
        .manage(commands::opened::OpenedFiles::default())
        .setup(move |app| {
            builder.mount_events(app);
            if let Some((engine, events)) = opened.take() {
                start_library(app.handle(), engine, events)?;
            }
            create_main_window(app)?;
            Ok(())
        })
        .build(tauri::generate_context!())
        .context("the window system failed")?
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // Remember where the listener was before the process ends.
                if let Some(player) = app.try_state::<PlayerState>() {
                    player
                        .session
                        .player()
                        .shutdown(std::time::Duration::from_secs(2));
                }
            }
        });
    Ok(())
}

/// Everything that runs on an open library: the engine for the commands, the listening session,
/// downloads and the background refresh. At start-up, or once a damaged library was moved aside.
pub(crate) fn start_library(
    app: &tauri::AppHandle,
    engine: Engine,
    events: chaptercast_engine::Events,
) -> std::io::Result<()> {
    app.manage(AppState {
        engine: engine.clone(),
    });
    app.manage(PlayerState::start(app, &engine, events)?);
    resume_downloads(&engine);
    start_background_refresh(app, &engine);
    // Sync: at start, every few minutes, and soon after a pause or a refresh (the engine's
    // schedule; idle until the listener logs in).
    let syncing = engine.clone();
    tauri::async_runtime::spawn(async move { syncing.run_sync_schedule().await });
    Ok(())
}

/// Downloads cut short by a quit or a crash resume.
fn resume_downloads(engine: &Engine) {
    let engine = engine.clone();
    tauri::async_runtime::spawn(async move {
        match engine.resume_interrupted_downloads().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(n, "resumed interrupted downloads"),
            Err(error) => tracing::warn!(%error, "could not resume downloads"),
        }
    });
}

/// The single-instance name: one running app per library, so a second launch on the same data
/// folder focuses the first while another library (a test's, say) runs side by side.
fn single_instance_id(data_dir: &std::path::Path) -> String {
    let dir = data_dir
        .canonicalize()
        .unwrap_or_else(|_| data_dir.to_path_buf());
    // FNV-1a: stable across runs and builds, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in dir.as_os_str().as_encoded_bytes() {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("org.chaptercast.desktop.library{hash:016x}")
}

/// A second launch's link or file (`chaptercast podcast://…` from a browser): queued for the
/// running window, which is told to take it and ask the listener.
fn hand_over(app: &tauri::AppHandle, args: &[String], cwd: &str) {
    use tauri_specta::Event;
    let Some(opened) = chaptercast_engine::launch::opened_from_args(
        args.get(1..).unwrap_or_default(),
        std::path::Path::new(cwd),
    ) else {
        return;
    };
    tracing::info!(?opened, "a second launch handed something over");
    app.state::<commands::opened::OpenedQueue>().push(opened);
    if let Err(error) = (commands::opened::OpenRequested { count: 1 }).emit(app) {
        tracing::warn!(%error, "could not tell the window about it");
    }
}

fn focus_main_window(app: &tauri::AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// How often the background refresher looks for shows that are due.
const REFRESH_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Refreshes shows every few hours (the listener's setting) while the app runs; new episodes
/// are announced with `library-update`. The start-up refresh is the UI's (`refresh_due_shows`).
fn start_background_refresh(app: &tauri::AppHandle, engine: &Engine) {
    use tauri_specta::Event;
    let handle = app.clone();
    let engine = engine.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(REFRESH_CHECK_EVERY).await;
            let hours = match engine.refresh_interval_hours().await {
                Ok(0) => continue,
                Ok(hours) => hours,
                Err(error) => {
                    tracing::warn!(%error, "refresh schedule unreadable");
                    continue;
                }
            };
            let interval = std::time::Duration::from_secs(u64::from(hours) * 3600);
            let results = match engine.refresh_due(interval).await {
                Ok(results) => results,
                Err(error) => {
                    tracing::warn!(%error, "background refresh failed");
                    continue;
                }
            };
            engine.fetch_transcripts_soon(commands::library::merged(&results));
            let mut update = wire::LibraryUpdate {
                new_episodes: 0,
                show_titles: Vec::new(),
            };
            for (show, result) in results {
                if let Ok(chaptercast_engine::RefreshOutcome::Merged(report)) = result {
                    if report.added > 0 {
                        update.new_episodes += report.added;
                        if let Ok(show) = engine.show(show).await {
                            update.show_titles.push(show.title);
                        }
                    }
                }
            }
            if update.new_episodes > 0 {
                if let Err(error) = update.emit(&handle) {
                    tracing::debug!(%error, "library update not delivered");
                }
            }
        }
    });
}

/// The main window, which may only ever show the app itself: any attempt to navigate it
/// elsewhere is refused.
fn create_main_window(app: &mut tauri::App) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .cloned();
    let builder = match config {
        Some(config) => WebviewWindowBuilder::from_config(app.handle(), &config)?,
        None => WebviewWindowBuilder::new(app.handle(), "main", WebviewUrl::default())
            .title("Chaptercast"),
    };
    builder
        .on_navigation(|url| {
            let is_app = matches!(url.scheme(), "tauri" | "asset")
                || url.host_str().is_some_and(|h| h == "tauri.localhost");
            if !is_app {
                tracing::warn!(%url, "blocked navigation away from the app");
            }
            is_app
        })
        .build()?;
    if let Some(window) = app.get_webview_window("main") {
        webkit_settings::apply(&window, webkit_settings::Acceleration::from_env());
        let _ = window.set_focus();
    }
    Ok(())
}

pub use chaptercast_engine::launch::has_display;
