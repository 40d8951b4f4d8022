//! Chaptercast's shell: the window, the commands and the command line. Thin: everything with
//! a decision in it lives in `chaptercast-engine`.

pub mod bindings;
pub mod cli;
mod cli_download;
mod cli_play;
pub mod commands;
pub mod error;
pub mod playback;
pub mod state;
pub mod wire;

use anyhow::Context;
use chaptercast_engine::{Config, Engine};
use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

use crate::playback::PlayerState;
use crate::state::AppState;

/// Builds and runs the GUI until the window closes.
pub fn run_gui() -> anyhow::Result<()> {
    let engine = Engine::open(Config::from_env()).context("could not open the library")?;
    let builder = bindings::builder();
    tauri::Builder::default()
        // Links are opened by our own `open_external` command, which checks the scheme first.
        .plugin(
            tauri_plugin_opener::Builder::new()
                .open_js_links_on_click(false)
                .build(),
        )
        .invoke_handler(builder.invoke_handler())
        .manage(AppState { engine })
        .setup(move |app| {
            builder.mount_events(app);
            let engine = app.state::<AppState>().engine.clone();
            app.manage(PlayerState::start(app.handle(), &engine)?);
            start_downloads(app.handle(), &engine);
            create_main_window(app)?;
            Ok(())
        })
        .build(tauri::generate_context!())
        .context("the window system failed")?
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // Remember where the listener was before the process ends.
                if let Some(player) = app.try_state::<PlayerState>() {
                    player.handle.shutdown(std::time::Duration::from_secs(2));
                }
            }
        });
    Ok(())
}

/// Download progress goes to the UI as `download-update`; downloads cut short by a quit or a
/// crash resume.
fn start_downloads(app: &tauri::AppHandle, engine: &Engine) {
    use tauri_specta::Event;
    let handle = app.clone();
    engine.on_download_update(move |status| {
        if let Err(error) = wire::DownloadView::from_status(&status).emit(&handle) {
            tracing::debug!(%error, "download update not delivered");
        }
    });
    let engine = engine.clone();
    tauri::async_runtime::spawn(async move {
        match engine.resume_interrupted_downloads().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(n, "resumed interrupted downloads"),
            Err(error) => tracing::warn!(%error, "could not resume downloads"),
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
        let _ = window.set_focus();
    }
    Ok(())
}

/// True when a graphical session is reachable; GTK would panic without one.
pub fn has_display() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}
