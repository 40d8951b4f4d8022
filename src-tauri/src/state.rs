//! The one managed state: the engine's handles.

use chaptercast_engine::Engine;

/// Managed by Tauri; every command reaches the engine through it.
pub struct AppState {
    pub engine: Engine,
}

/// Why the library could not be opened at start-up, until the listener starts fresh.
pub struct Startup {
    pub config: chaptercast_engine::Config,
    pub problem: std::sync::Mutex<Option<LibraryProblem>>,
}

impl Startup {
    pub fn new(config: chaptercast_engine::Config, problem: Option<LibraryProblem>) -> Self {
        Startup {
            config,
            problem: std::sync::Mutex::new(problem),
        }
    }
}

/// A library file Chaptercast cannot use, as the window tells it.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct LibraryProblem {
    /// What went wrong, in a sentence.
    pub reason: String,
    /// The library file.
    pub path: String,
}

impl LibraryProblem {
    pub fn new(config: &chaptercast_engine::Config, error: &chaptercast_engine::OpenError) -> Self {
        use std::error::Error;
        // The outermost message and its causes: "cannot open the library at …: file is not a
        // database".
        let mut reason = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !reason.contains(&text) {
                reason = format!("{reason}: {text}");
            }
            source = cause.source();
        }
        // A sentence: capitalised, with a full stop.
        let mut chars = reason.chars();
        let reason = match chars.next() {
            Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
            None => String::new(),
        };
        LibraryProblem {
            reason,
            path: config.library_path().to_string_lossy().into_owned(),
        }
    }
}
