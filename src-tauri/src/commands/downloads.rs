//! Downloads: start, pause, cancel, delete, list, and the folder they go to. Progress is
//! reported by the `download-update` event.

use tauri::State;

use crate::error::{CommandError, ErrorKind};
use crate::state::AppState;
use crate::wire::DownloadView;

use super::episode_id;

/// Queues an episode for download (or resumes a paused or failed one).
#[tauri::command]
#[specta::specta]
pub async fn download_episode(
    app: State<'_, AppState>,
    episode_id: String,
) -> Result<(), CommandError> {
    Ok(app
        .engine
        .download_episode(self::episode_id(&episode_id)?)
        .await?)
}

/// Pauses a download; it resumes from where it stopped.
#[tauri::command]
#[specta::specta]
pub fn pause_download(app: State<'_, AppState>, episode_id: String) -> Result<(), CommandError> {
    app.engine.pause_download(self::episode_id(&episode_id)?);
    Ok(())
}

/// Stops a download and throws away what it fetched.
#[tauri::command]
#[specta::specta]
pub async fn cancel_download(
    app: State<'_, AppState>,
    episode_id: String,
) -> Result<(), CommandError> {
    Ok(app
        .engine
        .cancel_download(self::episode_id(&episode_id)?)
        .await?)
}

/// Deletes a downloaded file; the episode stays in the library.
#[tauri::command]
#[specta::specta]
pub async fn delete_download(
    app: State<'_, AppState>,
    episode_id: String,
) -> Result<(), CommandError> {
    app.engine
        .delete_download(self::episode_id(&episode_id)?)
        .await
        .map_err(|e| match e {
            chaptercast_engine::download::DownloadRequestError::Library(l) => l.into(),
            other => CommandError::new(ErrorKind::Storage, other.to_string()),
        })
}

/// Shows a finished download in the file manager, selected. The page names the episode, never
/// a path: the file is the one the library recorded, and it must still be there.
#[tauri::command]
#[specta::specta]
pub async fn show_download_in_folder(
    handle: tauri::AppHandle,
    app: State<'_, AppState>,
    episode_id: String,
) -> Result<(), CommandError> {
    use tauri_plugin_opener::OpenerExt;
    let episode = app.engine.episode(self::episode_id(&episode_id)?).await?;
    let path = episode
        .download_path
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_file())
        .ok_or_else(|| {
            CommandError::new(
                ErrorKind::Storage,
                "That download is no longer on disk: download it again.",
            )
        })?;
    handle.opener().reveal_item_in_dir(&path).map_err(|e| {
        tracing::warn!(error = %e, path = %path.display(), "could not show the download");
        CommandError::new(
            ErrorKind::Storage,
            format!(
                "Could not open the folder {}: {e}.",
                path.parent().unwrap_or(&path).display()
            ),
        )
    })
}

/// Unfinished downloads, then what is on disk (with titles).
#[tauri::command]
#[specta::specta]
pub async fn list_downloads(app: State<'_, AppState>) -> Result<Vec<DownloadView>, CommandError> {
    let statuses = app.engine.downloads().await?;
    let mut out = Vec::with_capacity(statuses.len());
    for status in statuses {
        let mut view = DownloadView::from_status(&status);
        if let Ok(episode) = app.engine.episode(status.episode_id).await {
            view.episode_title = Some(episode.summary.title.clone());
            if let Ok(show) = app.engine.show(episode.summary.show_id).await {
                view.show_title = Some(show.title);
            }
        }
        out.push(view);
    }
    Ok(out)
}

/// The folder new downloads go to.
#[tauri::command]
#[specta::specta]
pub async fn get_download_folder(app: State<'_, AppState>) -> Result<String, CommandError> {
    Ok(app
        .engine
        .download_folder()
        .await?
        .to_string_lossy()
        .into_owned())
}

/// Asks for the folder new downloads go to (the native dialog) and uses it; returns it, or
/// `None` when the listener cancels. The page never names a folder.
#[tauri::command]
#[specta::specta]
pub async fn choose_download_folder(
    window: tauri::AppHandle,
    app: State<'_, AppState>,
) -> Result<Option<String>, CommandError> {
    use tauri_plugin_dialog::DialogExt;
    let (tx, rx) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_title("Download episodes to")
        .pick_folder(move |folder| {
            let _ = tx.send(folder);
        });
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = chosen.into_path().map_err(|e| {
        CommandError::new(ErrorKind::BadInput, format!("Cannot use that folder: {e}."))
    })?;
    if !path.is_absolute() {
        return Err(CommandError::new(
            ErrorKind::BadInput,
            "Choose a full folder path, like /home/you/Podcasts.",
        ));
    }
    std::fs::create_dir_all(&path).map_err(|e| {
        CommandError::new(
            ErrorKind::BadInput,
            format!("Cannot use {}: {e}.", path.display()),
        )
    })?;
    app.engine.set_download_folder(&path).await?;
    Ok(Some(path.to_string_lossy().into_owned()))
}
