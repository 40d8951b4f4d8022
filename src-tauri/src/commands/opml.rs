//! OPML import and export. The file dialogs run in Rust, so the webview needs no file-system
//! or dialog permission at all: it only ever sees the chosen path.

use tauri::State;
use tauri_plugin_dialog::DialogExt;

use crate::error::{CommandError, ErrorKind};
use crate::state::AppState;
use crate::wire::OpmlImportReport;

/// Asks for an OPML file to import; `None` when the listener cancels.
async fn pick_opml_file(app: &tauri::AppHandle) -> Option<String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Import subscriptions")
        .add_filter("OPML", &["opml", "xml"])
        .pick_file(move |path| {
            let _ = tx.send(path);
        });
    rx.await.ok().flatten().map(|p| p.to_string())
}

/// Asks where to save the exported subscriptions; `None` when the listener cancels.
async fn pick_opml_save_path(app: &tauri::AppHandle) -> Option<String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Export subscriptions")
        .set_file_name("chaptercast-subscriptions.opml")
        .add_filter("OPML", &["opml"])
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    rx.await.ok().flatten().map(|p| p.to_string())
}

/// Asks for an OPML file (the native dialog) and subscribes to every new feed in it;
/// `opml-progress` follows each feed. `None` when the listener cancels. The page never names a
/// file: what is read is what the listener picked.
#[tauri::command]
#[specta::specta]
pub async fn import_opml(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<OpmlImportReport>, CommandError> {
    let Some(path) = pick_opml_file(&app).await else {
        return Ok(None);
    };
    let bytes = read_limited(&path).await?;
    let report = state
        .engine
        .import_opml(&bytes)
        .await
        .map_err(|e| CommandError::new(ErrorKind::BadInput, format!("{e}.")))?;
    Ok(Some(report.into()))
}

/// Asks where to save (the native dialog) and writes every subscription there as OPML 2.0;
/// returns how many, or `None` when the listener cancels.
#[tauri::command]
#[specta::specta]
pub async fn export_opml(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<u32>, CommandError> {
    let Some(path) = pick_opml_save_path(&app).await else {
        return Ok(None);
    };
    let (document, count) = state.engine.export_opml().await?;
    tokio::fs::write(&path, document).await.map_err(|e| {
        CommandError::new(ErrorKind::Storage, format!("Could not write {path}: {e}."))
    })?;
    Ok(Some(count as u32))
}

async fn read_limited(path: &str) -> Result<Vec<u8>, CommandError> {
    let cannot = |e: std::io::Error| {
        CommandError::new(ErrorKind::BadInput, format!("Could not read {path}: {e}."))
    };
    let size = tokio::fs::metadata(path).await.map_err(cannot)?.len();
    if size > chaptercast_engine::opml::MAX_OPML_BYTES {
        return Err(CommandError::new(
            ErrorKind::BadInput,
            format!("{path} is too large for a subscription list."),
        ));
    }
    tokio::fs::read(path).await.map_err(cannot)
}
