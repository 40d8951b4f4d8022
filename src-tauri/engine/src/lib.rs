//! Chaptercast's engine: feeds, the library, chapters, playback and downloads.
//!
//! No Tauri here. The user-facing sentences live in one module, `messages`, which both shells
//! (the app and the command line, two binaries) print from; the rest decides nothing about
//! what the user sees. Open it with [`Engine::open`]; every method is async and cheap to call from
//! any tokio task.

pub mod chapter_fetch;
pub mod chapters;
pub mod config;
pub mod download;
pub mod events;
pub mod feed;
pub mod feed_link;
pub mod images;
pub mod launch;
pub mod library;
pub mod messages;
pub mod net;
pub mod opml;
pub mod player;
pub mod refresh;
pub mod session;
pub mod sound_profile;
pub mod subscriptions;
pub mod sync;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod transcript_fetch;
pub mod transcripts;

use std::sync::{Arc, Mutex};

pub use chapters::{Chapter, ChapterSource};
pub use config::Config;
pub use events::{EngineEvent, Events};
pub use library::{Episode, EpisodeId, EpisodeSummary, Library, LibraryError, Show, ShowId};
pub use net::NetError;
pub use refresh::{RefreshError, RefreshOutcome};
pub use session::Session;

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error("cannot set up HTTP")]
    Http(#[from] NetError),
}

/// Episodes indexed per step by the background indexer.
pub const INDEX_STEP_EPISODES: i64 = 4;
/// The pause between its steps.
pub const INDEX_STEP_PAUSE: std::time::Duration = std::time::Duration::from_millis(3);

/// The engine: cheap to clone, shared by the GUI's commands and the command line.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    http: net::HttpClient,
    images: images::ImageCache,
    library: Mutex<Library>,
    downloads: download::Downloads,
    events: events::Emitter,
    /// One sync at a time.
    sync_lock: tokio::sync::Mutex<()>,
    /// Wakes the sync schedule early (a pause, a refresh).
    sync_wake: tokio::sync::Notify,
}

impl Engine {
    /// Opens the library in `config.data_dir`. On first run (no shows yet) the default feed is
    /// subscribed if the config says so, without fetching it: the first refresh does that.
    /// Everything the engine reports comes through the returned [`Events`], in order; drop it
    /// when nothing needs to hear.
    pub fn open(config: Config) -> Result<(Engine, Events), OpenError> {
        let mut library = Library::open(&config.library_path())?;
        if config.subscribe_default_feed && library.has_no_shows()? {
            library.subscribe(&config.default_feed_url)?;
        }
        let (emitter, events) = events::channel();
        let engine = Engine {
            inner: Arc::new(Inner {
                http: net::HttpClient::new(&config)?,
                images: images::ImageCache::new(config.cache_dir.join("images")),
                config,
                library: Mutex::new(library),
                downloads: download::Downloads::default(),
                events: emitter,
                sync_lock: tokio::sync::Mutex::new(()),
                sync_wake: tokio::sync::Notify::new(),
            }),
        };
        Ok((engine, events))
    }

    pub(crate) fn emit(&self, event: EngineEvent) {
        self.inner.events.emit(event);
    }

    /// A picture from the web fitted for the window (see [`images`]).
    pub async fn display_image(
        &self,
        url: &str,
        requested_px: u32,
    ) -> Result<images::DisplayImage, images::ImageError> {
        self.inner
            .images
            .get(&self.inner.http, url, requested_px)
            .await
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Runs `job` on the blocking pool with the library locked.
    pub(crate) async fn with_library<T, F>(&self, job: F) -> Result<T, LibraryError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Library) -> Result<T, LibraryError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave SQLite half-written (transactions
            // roll back), so a poisoned lock is safe to take over.
            let mut library = inner.library.lock().unwrap_or_else(|p| p.into_inner());
            job(&mut library)
        })
        .await
        .map_err(|source| LibraryError::Worker { source })?
    }

    /// Every subscribed show.
    pub async fn shows(&self) -> Result<Vec<Show>, LibraryError> {
        self.with_library(|l| l.shows()).await
    }

    pub async fn show(&self, id: ShowId) -> Result<Show, LibraryError> {
        self.with_library(move |l| l.show(id)).await
    }

    /// A show's episodes, newest first.
    pub async fn episodes(&self, show: ShowId) -> Result<Vec<EpisodeSummary>, LibraryError> {
        self.with_library(move |l| l.episodes(show)).await
    }

    pub async fn episode(&self, id: EpisodeId) -> Result<Episode, LibraryError> {
        self.with_library(move |l| l.episode(id)).await
    }

    pub async fn set_played(&self, id: EpisodeId, is_played: bool) -> Result<(), LibraryError> {
        self.with_library(move |l| l.set_played(id, is_played))
            .await
    }

    pub async fn set_position(&self, id: EpisodeId, position_ms: u64) -> Result<(), LibraryError> {
        self.with_library(move |l| l.set_position(id, position_ms))
            .await
    }

    /// Marks many episodes played or unplayed at once; returns how many changed.
    pub async fn set_played_many(
        &self,
        ids: Vec<EpisodeId>,
        is_played: bool,
    ) -> Result<u32, LibraryError> {
        self.with_library(move |l| l.set_played_many(&ids, is_played))
            .await
    }

    /// Brings the search index up to date in the background (after a refresh or a chapter
    /// fetch), so storing stays fast and the next search finds it done. A search catches up
    /// itself if it comes first.
    pub(crate) fn index_search_soon(&self) {
        let engine = self.clone();
        tokio::spawn(async move {
            // A few episodes per step (an hour of transcript takes ~20 ms), with a pause
            // between steps: the listener's calls, waiting on the same lock, get it then (a
            // mutex is not fair, and a loop that takes it again at once could starve them).
            loop {
                match engine
                    .with_library(|l| l.index_some(INDEX_STEP_EPISODES))
                    .await
                {
                    Ok(0) => break,
                    Ok(_) => tokio::time::sleep(INDEX_STEP_PAUSE).await,
                    Err(error) => {
                        tracing::warn!(%error, "search indexing failed");
                        break;
                    }
                }
            }
        });
    }

    /// Searches every episode and chapter (see [`Library::search`]).
    pub async fn search(
        &self,
        query: String,
        limit: usize,
    ) -> Result<Vec<library::SearchHit>, LibraryError> {
        self.with_library(move |l| l.search(&query, limit)).await
    }

    /// Removes a show and its episodes.
    pub async fn unsubscribe(&self, id: ShowId) -> Result<(), LibraryError> {
        self.with_library(move |l| l.unsubscribe(id)).await
    }
}
