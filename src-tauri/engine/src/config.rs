//! Paths, limits and the user agent: passed in by the caller, never global.

use std::path::PathBuf;
use std::time::Duration;

/// The Meta Tech Podcast: the show Chaptercast subscribes to on first run.
pub const DEFAULT_FEED_URL: &str = "https://insidefacebookmobile.libsyn.com/rss";

/// Everything the engine needs to know about its surroundings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder holding the library database (and later, downloads).
    pub data_dir: PathBuf,
    /// Folder for what can be fetched again (pictures from the web, resized for the window).
    pub cache_dir: PathBuf,
    /// Feed subscribed when the library is empty on first open.
    pub default_feed_url: String,
    /// Subscribe to `default_feed_url` on first open (the app does; scripts start empty).
    pub subscribe_default_feed: bool,
    /// Sent with every HTTP request.
    pub user_agent: String,
    /// Largest feed body read into memory; past it a fetch fails with `TooLarge`.
    pub feed_body_limit_bytes: u64,
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Time allowed between two reads of a response body.
    pub read_timeout: Duration,
    /// Keep the sync password in the desktop's keyring when one answers (else a file only the
    /// user reads). `CHAPTERCAST_NO_KEYRING=1` turns it off.
    pub use_keyring: bool,
}

impl Config {
    /// The configuration for a library in `data_dir`, with the defaults for everything else.
    pub fn new(data_dir: PathBuf) -> Self {
        Config {
            cache_dir: data_dir.join("cache"),
            data_dir,
            default_feed_url: DEFAULT_FEED_URL.to_string(),
            subscribe_default_feed: true,
            user_agent: default_user_agent(),
            feed_body_limit_bytes: 50 * 1024 * 1024,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            use_keyring: true,
        }
    }

    /// The configuration from the environment: `CHAPTERCAST_DATA_DIR` (else the XDG data dir,
    /// `$XDG_DATA_HOME/chaptercast` or `~/.local/share/chaptercast`) and
    /// `CHAPTERCAST_DEFAULT_FEED` (else the Meta Tech Podcast); `CHAPTERCAST_HTTP_TIMEOUT_S`
    /// overrides the read timeout (tests use it to provoke timeouts quickly). The cache is the
    /// XDG cache dir's `chaptercast` (`~/.cache/chaptercast`), except for a library named by
    /// `CHAPTERCAST_DATA_DIR`, whose cache stays beside it (`<dir>/cache`) so that two
    /// libraries never share one.
    pub fn from_env() -> Self {
        let named = std::env::var_os("CHAPTERCAST_DATA_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        let mut config = match named {
            Some(dir) => Config::new(dir),
            None => Config {
                cache_dir: xdg_cache_dir(),
                ..Config::new(xdg_data_dir())
            },
        };
        if let Some(feed) = std::env::var("CHAPTERCAST_DEFAULT_FEED")
            .ok()
            .filter(|v| !v.trim().is_empty())
        {
            config.default_feed_url = feed.trim().to_string();
        }
        if let Some(secs) = std::env::var("CHAPTERCAST_HTTP_TIMEOUT_S")
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
        {
            config.read_timeout = Duration::from_secs_f64(secs);
        }
        config.use_keyring =
            std::env::var_os("CHAPTERCAST_NO_KEYRING").is_none_or(|v| v.is_empty() || v == "0");
        config
    }

    /// Path of the SQLite library file.
    pub fn library_path(&self) -> PathBuf {
        self.data_dir.join("library.sqlite3")
    }
}

/// `Chaptercast/<version> (+homepage)`: hosts see who is fetching, and some podcast hosts
/// count downloads per user agent.
pub fn default_user_agent() -> String {
    format!(
        "Chaptercast/{} (desktop podcast player)",
        env!("CARGO_PKG_VERSION")
    )
}

fn xdg_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir).join("chaptercast");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".cache/chaptercast");
    }
    xdg_data_dir().join("cache")
}

fn xdg_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir).join("chaptercast");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".local/share/chaptercast");
    }
    PathBuf::from(".chaptercast")
}
