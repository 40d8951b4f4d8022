//! The one managed state: the engine's handles.

use chaptercast_engine::Engine;

/// Managed by Tauri; every command reaches the engine through it.
pub struct AppState {
    pub engine: Engine,
}
