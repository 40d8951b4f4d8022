//! How a subcommand reaches the engine: a runtime to wait on it, the HTTP client alone (for
//! commands that leave the library be) or the app's library, and the episode a GUID names.
//! A source on the command line is a URL or a file: `is_url` tells which.

use chaptercast_engine::net::HttpClient;
use chaptercast_engine::{Config, Engine, EpisodeId, Events, LibraryError};

/// A source on the command line names a URL (else a file); `javascript:` counts, so that it
/// is refused as a URL rather than looked for as a file.
pub fn is_url(source: &str) -> bool {
    source.contains("://") || source.starts_with("javascript:")
}

/// A runtime for one command: the engine is async, the command line waits on it.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))
}

/// The engine's HTTP client alone, for commands that leave the library be.
pub fn http_client() -> Result<HttpClient, String> {
    HttpClient::new(&Config::from_env()).map_err(|e| format!("cannot start: {e}"))
}

/// The app's library, and its events (drop them when nothing needs to hear).
pub fn open_engine() -> Result<(Engine, Events), String> {
    let mut config = Config::from_env();
    config.subscribe_default_feed = false;
    Engine::open(config).map_err(|e| format!("cannot open the library: {e}"))
}

/// A library failure as the command line says it.
pub fn library_failed(e: LibraryError) -> String {
    format!("the library failed: {e}")
}

/// The one episode with this GUID (`chaptercast list --json` shows them).
pub async fn episode_for_guid(engine: &Engine, guid: &str) -> Result<EpisodeId, String> {
    let ids = engine
        .episodes_with_guid(guid.to_string())
        .await
        .map_err(library_failed)?;
    match ids.as_slice() {
        [id] => Ok(*id),
        [] => Err(format!(
            "no episode has the GUID {guid:?} (see `chaptercast list --json`)"
        )),
        _ => Err(format!("{} episodes share the GUID {guid:?}", ids.len())),
    }
}
