//! The engine's one event stream. [`crate::Engine::open`] hands it out beside the engine;
//! the shell forwards what it reads (to the window, to the desktop's media controls, to a
//! terminal). Each event carries everything needed to show it: nobody has to look anything up
//! to render one.
//!
//! The sending side never blocks and never fails: with nobody reading (a command-line run that
//! dropped the stream), events are discarded.

use std::sync::mpsc;
use std::time::Duration;

use crate::download::DownloadStatus;
use crate::library::{EpisodeId, Library, LibraryError};
use crate::player::PlayerStatus;
use crate::subscriptions::ImportProgress;
use crate::Chapter;

/// Something the listener may want to see, in the order it happened.
#[derive(Debug, Clone)]
pub enum EngineEvent {
    /// The player's state: on every change and several times a second while playing.
    Player(PlayerStatus),
    /// The episode in the player, with its names and chapter list: when another episode is
    /// loaded, and again whenever its chapters change (re-derived once the audio's real length
    /// is known, or found in the audio or a chapters file). The player has the same list.
    NowPlaying(NowPlaying),
    /// Up Next after any change, including a finished episode leaving it.
    UpNext(UpNext),
    /// The session decided something the listener did not ask for, and should know about.
    Notice(SessionNotice),
    /// A download's progress (about four times a second each) or change of state.
    Download(DownloadStatus),
    /// An OPML import finished another feed.
    Import(ImportProgress),
    /// A sync finished (well or not): the account as it now stands (last sync time, error),
    /// and whether the library changed (shows, positions or played states from elsewhere).
    Sync {
        account: crate::library::SyncAccount,
        library_changed: bool,
    },
}

/// The episode in the player.
#[derive(Debug, Clone, PartialEq)]
pub struct NowPlaying {
    pub episode: EpisodeId,
    pub title: String,
    pub show_title: String,
    pub artwork_url: Option<String>,
    pub chapters: Vec<Chapter>,
    /// A video episode's file (its audio track is what plays); `None` for audio.
    pub video_url: Option<String>,
}

/// Up Next, first first.
#[derive(Debug, Clone, PartialEq)]
pub struct UpNext {
    pub items: Vec<UpNextItem>,
    /// The next item starts by itself when one ends.
    pub continuous: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UpNextItem {
    pub episode: EpisodeId,
    pub guid: String,
    pub title: String,
    pub show_title: String,
    pub duration_s: Option<u32>,
    pub position_ms: u64,
    pub is_downloaded: bool,
}

/// What the session did on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionNotice {
    /// Offline, continuous play passed over Up Next items that are not downloaded.
    SkippedOffline { titles: Vec<String> },
    /// A stretch the show's profile skips was jumped over: a chapter (by title), the intro or
    /// the outro. Undo plays it.
    Skipped {
        episode: EpisodeId,
        what: crate::player::skips::SkipReason,
        from_ms: u64,
        to_ms: u64,
    },
}

/// The receiving end, read by one consumer.
pub struct Events {
    receiver: mpsc::Receiver<EngineEvent>,
}

impl Events {
    /// The next event; `None` once the engine and all its sessions are gone.
    pub fn recv(&self) -> Option<EngineEvent> {
        self.receiver.recv().ok()
    }

    /// The next event within `timeout`: `Ok(None)` when none came, `Err` once the engine is
    /// gone.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<EngineEvent>, Closed> {
        match self.receiver.recv_timeout(timeout) {
            Ok(event) => Ok(Some(event)),
            Err(mpsc::RecvTimeoutError::Timeout) => Ok(None),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(Closed),
        }
    }

    /// What has arrived so far, without waiting.
    pub fn try_iter(&self) -> impl Iterator<Item = EngineEvent> + '_ {
        self.receiver.try_iter()
    }
}

/// The engine is gone: no more events will come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the engine stopped")]
pub struct Closed;

/// The sending end, shared by everything in the engine that reports.
#[derive(Clone)]
pub(crate) struct Emitter {
    sender: mpsc::Sender<EngineEvent>,
}

impl Emitter {
    pub(crate) fn emit(&self, event: EngineEvent) {
        // Nobody reading is fine: see the module's comment.
        let _ = self.sender.send(event);
    }
}

pub(crate) fn channel() -> (Emitter, Events) {
    let (sender, receiver) = mpsc::channel();
    (Emitter { sender }, Events { receiver })
}

impl UpNext {
    /// Up Next as the library has it now (an episode gone meanwhile is left out).
    pub(crate) fn read(library: &Library, continuous: bool) -> Result<UpNext, LibraryError> {
        let mut items = Vec::new();
        let mut show_titles = std::collections::HashMap::new();
        for id in library.queue()? {
            let Ok(episode) = library.episode(id) else {
                continue;
            };
            let summary = episode.summary;
            let show_title = match show_titles.get(&summary.show_id) {
                Some(title) => String::clone(title),
                None => {
                    let title = library
                        .show(summary.show_id)
                        .map(|s| s.title)
                        .unwrap_or_default();
                    show_titles.insert(summary.show_id, title.clone());
                    title
                }
            };
            items.push(UpNextItem {
                episode: id,
                guid: summary.guid,
                title: summary.title,
                show_title,
                duration_s: summary.duration_s,
                position_ms: summary.position_ms,
                is_downloaded: summary.is_downloaded,
            });
        }
        Ok(UpNext { items, continuous })
    }
}

impl NowPlaying {
    /// Episode `id` as the player shows it, with the chapters the library knows.
    pub(crate) fn read(library: &Library, id: EpisodeId) -> Result<NowPlaying, LibraryError> {
        let episode = library.episode(id)?;
        let show = library.show(episode.summary.show_id).ok();
        let video_url = crate::feed::is_video_enclosure(
            &episode.enclosure_url,
            episode.enclosure_type.as_deref(),
        )
        .then(|| episode.enclosure_url.clone());
        Ok(NowPlaying {
            video_url,
            episode: id,
            title: episode.summary.title,
            show_title: show.as_ref().map(|s| s.title.clone()).unwrap_or_default(),
            artwork_url: episode.image_url.or_else(|| show.and_then(|s| s.image_url)),
            chapters: library.known_chapters(id)?,
        })
    }
}
