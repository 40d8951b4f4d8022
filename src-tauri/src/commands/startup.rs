//! A library that cannot be opened: the window says why, and can move the file aside and start
//! with a new, empty library (the old file is kept, renamed, for whoever wants to look at it).

use tauri::{AppHandle, State};

use crate::error::{CommandError, ErrorKind};
use crate::state::{LibraryProblem, Startup};

/// Why the library could not be opened, or `None` when it is open.
#[tauri::command]
#[specta::specta]
pub fn library_problem(startup: State<'_, Startup>) -> Option<LibraryProblem> {
    startup
        .problem
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

/// Renames the library file (and its journal files) aside as `<name>.broken-<time>`, opens a
/// new library and starts everything on it. Returns where the old file now is.
#[tauri::command]
#[specta::specta]
pub fn start_fresh_library(
    app: AppHandle,
    startup: State<'_, Startup>,
) -> Result<String, CommandError> {
    let mut problem = startup.problem.lock().unwrap_or_else(|p| p.into_inner());
    if problem.is_none() {
        return Err(CommandError::new(
            ErrorKind::BadInput,
            "The library is open; there is nothing to start fresh from.",
        ));
    }
    let path = startup.config.library_path();
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let aside = path.with_file_name(format!(
        "{}.broken-{stamp}",
        path.file_name()
            .map_or_else(Default::default, |n| n.to_string_lossy())
    ));
    let storage = |e: std::io::Error| {
        CommandError::new(
            ErrorKind::Storage,
            format!("Could not move {} aside: {e}.", path.display()),
        )
    };
    if path.exists() {
        std::fs::rename(&path, &aside).map_err(storage)?;
    }
    for journal in ["-wal", "-shm"] {
        let from = path.with_file_name(format!(
            "{}{journal}",
            path.file_name()
                .map_or_else(Default::default, |n| n.to_string_lossy())
        ));
        if from.exists() {
            let to = aside.with_file_name(format!(
                "{}{journal}",
                aside
                    .file_name()
                    .map_or_else(Default::default, |n| n.to_string_lossy())
            ));
            std::fs::rename(&from, &to).map_err(storage)?;
        }
    }
    let (engine, events) =
        chaptercast_engine::Engine::open(startup.config.clone()).map_err(|e| {
            CommandError::new(
                ErrorKind::Storage,
                format!("A new library could not be created either: {e}."),
            )
        })?;
    crate::start_library(&app, engine, events)
        .map_err(|e| CommandError::new(ErrorKind::Storage, format!("Could not start: {e}.")))?;
    *problem = None;
    tracing::info!(aside = %aside.display(), "started a fresh library");
    Ok(aside.to_string_lossy().into_owned())
}
