//! The player in the GUI: started with the window, its updates sent to the UI as the
//! `player-update` event and to the desktop's media controls (MPRIS on Linux).

use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use chaptercast_engine::player::{Command, PlayerEvent, PlayerHandle, PlayerStatus};
use chaptercast_engine::{Chapter, Engine};
use souvlaki::{
    MediaControlEvent, MediaControls, MediaMetadata, MediaPlayback, MediaPosition, PlatformConfig,
    SeekDirection,
};
use tauri::AppHandle;
use tauri_specta::Event;

use crate::wire::PlayerView;

/// What the desktop shows about the episode playing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NowPlaying {
    pub title: String,
    pub show: String,
    pub artwork_url: Option<String>,
}

/// Managed by Tauri next to the engine.
pub struct PlayerState {
    pub handle: PlayerHandle,
    /// The last update, for a UI that (re)loads.
    pub last: Arc<Mutex<PlayerView>>,
    /// The loaded episode's full chapter list (the status indexes into it).
    pub chapters: Arc<Mutex<Vec<Chapter>>>,
    media: Option<mpsc::Sender<MediaUpdate>>,
}

enum MediaUpdate {
    NowPlaying(NowPlaying),
    Status(PlayerStatus),
}

impl PlayerState {
    /// Starts the player; its events go to the UI through `app`.
    pub fn start(app: &AppHandle, engine: &Engine) -> std::io::Result<PlayerState> {
        let last = Arc::new(Mutex::new(PlayerView::idle()));
        let chapters: Arc<Mutex<Vec<Chapter>>> = Arc::default();
        let (media_tx, media_rx) = mpsc::channel::<MediaUpdate>();
        let handle = {
            let app = app.clone();
            let last = Arc::clone(&last);
            let chapters = Arc::clone(&chapters);
            let media_tx = media_tx.clone();
            engine.start_player(move |event| {
                let PlayerEvent::Status(status) = event else {
                    return;
                };
                let view = {
                    let chapters = chapters.lock().unwrap_or_else(|p| p.into_inner());
                    PlayerView::from_status(&status, &chapters)
                };
                *last.lock().unwrap_or_else(|p| p.into_inner()) = view.clone();
                if let Err(error) = view.emit(&app) {
                    tracing::debug!(%error, "player update not delivered");
                }
                let _ = media_tx.send(MediaUpdate::Status(status));
            })?
        };
        let media = start_media_controls(handle.clone(), media_rx).then_some(media_tx);
        Ok(PlayerState {
            handle,
            last,
            chapters,
            media,
        })
    }

    pub fn send(&self, command: Command) {
        self.handle.send(command);
    }

    pub fn set_now_playing(&self, now: NowPlaying, chapters: Vec<Chapter>) {
        *self.chapters.lock().unwrap_or_else(|p| p.into_inner()) = chapters;
        if let Some(media) = &self.media {
            let _ = media.send(MediaUpdate::NowPlaying(now));
        }
    }
}

/// Runs MPRIS on a thread of its own (the D-Bus connection is not shared). False when the
/// desktop has no session bus: media keys are then simply absent.
fn start_media_controls(player: PlayerHandle, updates: mpsc::Receiver<MediaUpdate>) -> bool {
    let (ready_tx, ready_rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("chaptercast-mpris".into())
        .spawn(move || {
            let config = PlatformConfig {
                display_name: "Chaptercast",
                dbus_name: "chaptercast",
                hwnd: None,
            };
            let mut controls = match MediaControls::new(config) {
                Ok(c) => c,
                Err(error) => {
                    tracing::info!(?error, "no media controls");
                    let _ = ready_tx.send(false);
                    return;
                }
            };
            let attached = controls.attach(move |event| {
                if let Some(command) = command_for(event) {
                    player.send(command);
                }
            });
            if let Err(error) = attached {
                tracing::info!(?error, "media controls unavailable");
                let _ = ready_tx.send(false);
                return;
            }
            let _ = ready_tx.send(true);
            let mut last_state = None;
            while let Ok(update) = updates.recv() {
                match update {
                    MediaUpdate::NowPlaying(now) => {
                        let _ = controls.set_metadata(MediaMetadata {
                            title: Some(&now.title),
                            artist: Some(&now.show),
                            album: Some(&now.show),
                            cover_url: now.artwork_url.as_deref(),
                            duration: None,
                        });
                    }
                    MediaUpdate::Status(status) => {
                        let progress =
                            Some(MediaPosition(Duration::from_millis(status.position_ms)));
                        use chaptercast_engine::player::PlaybackState as S;
                        let playback = match status.state {
                            S::Playing | S::Buffering | S::Loading => {
                                MediaPlayback::Playing { progress }
                            }
                            S::Paused | S::Ended | S::Error => MediaPlayback::Paused { progress },
                            S::Idle => MediaPlayback::Stopped,
                        };
                        // Position ticks are not worth a D-Bus signal each; state changes are.
                        if last_state != Some(status.state) {
                            last_state = Some(status.state);
                            let _ = controls.set_playback(playback);
                        }
                    }
                }
            }
        });
    spawned.is_ok()
        && ready_rx
            .recv_timeout(Duration::from_secs(2))
            .unwrap_or(false)
}

/// What a media key means here: next/previous move by chapter, the podcast unit of "track".
fn command_for(event: MediaControlEvent) -> Option<Command> {
    Some(match event {
        MediaControlEvent::Play => Command::Play,
        MediaControlEvent::Pause => Command::Pause,
        MediaControlEvent::Toggle => Command::Toggle,
        MediaControlEvent::Stop => Command::Pause,
        MediaControlEvent::Next => Command::ChapterStep(1),
        MediaControlEvent::Previous => Command::ChapterStep(-1),
        MediaControlEvent::Seek(SeekDirection::Forward) => Command::SeekBy(30_000),
        MediaControlEvent::Seek(SeekDirection::Backward) => Command::SeekBy(-10_000),
        MediaControlEvent::SeekBy(SeekDirection::Forward, d) => {
            Command::SeekBy(d.as_millis() as i64)
        }
        MediaControlEvent::SeekBy(SeekDirection::Backward, d) => {
            Command::SeekBy(-(d.as_millis() as i64))
        }
        MediaControlEvent::SetPosition(MediaPosition(d)) => Command::SeekTo(d.as_millis() as u64),
        MediaControlEvent::SetVolume(v) => Command::SetVolume(v as f32),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_keys_move_by_chapter_and_seek() {
        assert!(matches!(
            command_for(MediaControlEvent::Next),
            Some(Command::ChapterStep(1))
        ));
        assert!(matches!(
            command_for(MediaControlEvent::SeekBy(
                SeekDirection::Backward,
                Duration::from_secs(5)
            )),
            Some(Command::SeekBy(-5000))
        ));
        assert!(command_for(MediaControlEvent::Raise).is_none());
    }
}
