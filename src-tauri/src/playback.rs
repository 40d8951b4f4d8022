//! The listening session in the GUI: started with the window. Everything the engine reports
//! goes to the UI (`player-update`, `now-playing`, `queue-update`, `session-notice`,
//! `download-update`, `opml-progress`) and the player's part also to the desktop's media
//! controls (MPRIS on Linux). What is playing is the engine's; this only forwards.

use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use chaptercast_engine::player::{Command, PlayerStatus};
use chaptercast_engine::{Engine, EngineEvent, Events, Session};
use souvlaki::{
    MediaControlEvent, MediaControls, MediaMetadata, MediaPlayback, MediaPosition, PlatformConfig,
    SeekDirection,
};
use tauri::AppHandle;
use tauri_specta::Event;

use crate::wire::{
    DownloadView, NowPlayingView, OpmlProgress, PlayerView, QueueView, SessionNoticeView,
};

/// What the desktop shows about the episode playing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NowPlaying {
    pub title: String,
    pub show: String,
    pub artwork_url: Option<String>,
}

/// Managed by Tauri next to the engine.
pub struct PlayerState {
    pub session: Session,
    /// The last updates, for a UI that (re)loads.
    pub last: Arc<Mutex<PlayerView>>,
    pub now_playing: Arc<Mutex<Option<NowPlayingView>>>,
}

enum MediaUpdate {
    NowPlaying(NowPlaying),
    Status(PlayerStatus),
}

impl PlayerState {
    /// Starts the session and forwards everything the engine reports (`events`) to the UI and
    /// the desktop's media controls. The last episode comes back paused where the listener
    /// left it.
    pub fn start(app: &AppHandle, engine: &Engine, events: Events) -> std::io::Result<PlayerState> {
        let session = engine.start_session(Default::default())?;
        let state = PlayerState {
            session: session.clone(),
            last: Arc::new(Mutex::new(PlayerView::idle())),
            now_playing: Arc::new(Mutex::new(None)),
        };
        let (media_tx, media_rx) = mpsc::channel::<MediaUpdate>();
        start_media_controls(session.clone(), media_rx);
        let forwarder = Forwarder {
            app: app.clone(),
            last: Arc::clone(&state.last),
            now_playing: Arc::clone(&state.now_playing),
            media: media_tx,
        };
        std::thread::Builder::new()
            .name("chaptercast-events".into())
            .spawn(move || {
                while let Some(event) = events.recv() {
                    forwarder.forward(event);
                }
            })?;
        tauri::async_runtime::spawn(async move {
            if let Err(error) = session.restore().await {
                tracing::warn!(%error, "could not restore the last episode");
            }
        });
        Ok(state)
    }

    pub fn send(&self, command: Command) {
        self.session.send(command);
    }
}

/// Hands each engine event to whoever shows it. Every event carries what is shown: nothing is
/// looked up here.
struct Forwarder {
    app: AppHandle,
    last: Arc<Mutex<PlayerView>>,
    now_playing: Arc<Mutex<Option<NowPlayingView>>>,
    media: mpsc::Sender<MediaUpdate>,
}

impl Forwarder {
    fn forward(&self, event: EngineEvent) {
        let delivered = match event {
            EngineEvent::Player(status) => {
                let view = PlayerView::from_status(&status);
                *self.last.lock().unwrap_or_else(|p| p.into_inner()) = view.clone();
                let _ = self.media.send(MediaUpdate::Status(status));
                view.emit(&self.app)
            }
            EngineEvent::NowPlaying(now) => {
                let _ = self.media.send(MediaUpdate::NowPlaying(NowPlaying {
                    title: now.title.clone(),
                    show: now.show_title.clone(),
                    artwork_url: now.artwork_url.clone(),
                }));
                let view = NowPlayingView::from_now_playing(now);
                *self.now_playing.lock().unwrap_or_else(|p| p.into_inner()) = Some(view.clone());
                view.emit(&self.app)
            }
            EngineEvent::UpNext(up_next) => QueueView::from_up_next(up_next).emit(&self.app),
            EngineEvent::Notice(notice) => SessionNoticeView::from_notice(&notice).emit(&self.app),
            EngineEvent::Download(status) => DownloadView::from_status(&status).emit(&self.app),
            EngineEvent::Import(p) => OpmlProgress {
                done: p.done as u32,
                total: p.total as u32,
                url: p.url,
            }
            .emit(&self.app),
            EngineEvent::Sync {
                account,
                library_changed,
            } => crate::commands::sync::SyncView::new(Some(&account), library_changed)
                .emit(&self.app),
        };
        if let Err(error) = delivered {
            tracing::debug!(%error, "an update did not reach the window");
        }
    }
}

/// Runs MPRIS on a thread of its own (the D-Bus connection is not shared). False when the
/// desktop has no session bus: media keys are then simply absent.
fn start_media_controls(session: Session, updates: mpsc::Receiver<MediaUpdate>) -> bool {
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
            let attached = controls.attach(move |event| match event {
                // Through Up Next when it has items, else by chapter.
                MediaControlEvent::Next | MediaControlEvent::Previous => {
                    let step = if matches!(event, MediaControlEvent::Next) {
                        1
                    } else {
                        -1
                    };
                    let session = session.clone();
                    tauri::async_runtime::spawn(async move {
                        if let Err(error) = session.next(step).await {
                            tracing::warn!(%error, "media key next/previous failed");
                        }
                    });
                }
                event => {
                    if let Some(command) = command_for(event) {
                        session.send(command);
                    }
                }
            });
            if let Err(error) = attached {
                tracing::info!(?error, "media controls unavailable");
                let _ = ready_tx.send(false);
                return;
            }
            let _ = ready_tx.send(true);
            let mut desktop = DesktopView::default();
            while let Ok(update) = updates.recv() {
                desktop.apply(&mut controls, update);
            }
        });
    spawned.is_ok()
        && ready_rx
            .recv_timeout(Duration::from_secs(2))
            .unwrap_or(false)
}

/// What the desktop's media controls were last told, so that they are told only what changed.
#[derive(Default)]
struct DesktopView {
    now_playing: Option<NowPlaying>,
    length_secs: Option<u64>,
    playback_kind: Option<std::mem::Discriminant<MediaPlayback>>,
    position: Option<SentPosition>,
}

impl DesktopView {
    fn apply(&mut self, controls: &mut MediaControls, update: MediaUpdate) {
        match update {
            MediaUpdate::NowPlaying(now) => {
                self.length_secs = None;
                publish_metadata(controls, &now, None);
                self.now_playing = Some(now);
            }
            MediaUpdate::Status(status) => {
                // The length is known once the audio is open (and a VBR estimate may be
                // refined): the metadata is sent again when it changes.
                if let Some(now) = &self.now_playing {
                    if let Some(secs) = changed_length(self.length_secs, status.duration_ms) {
                        self.length_secs = Some(secs);
                        publish_metadata(controls, now, Some(secs));
                    }
                }
                let progress = Some(MediaPosition(Duration::from_millis(
                    status.position_ms.min(MAX_LENGTH_SECS * 1000),
                )));
                let playback = desktop_playback(&status, progress);
                // Loading, buffering and playing are all "Playing" to the desktop: one update,
                // not three queued behind each other.
                let kind = std::mem::discriminant(&playback);
                let due = position_update_due(self.position.as_ref(), status.position_ms);
                if self.playback_kind != Some(kind) || due {
                    self.playback_kind = Some(kind);
                    self.position = Some(SentPosition {
                        at: Instant::now(),
                        position_ms: status.position_ms,
                        playing: matches!(playback, MediaPlayback::Playing { .. }),
                        speed: status.speed,
                    });
                    let _ = controls.set_playback(playback);
                }
            }
        }
    }
}

/// The position last given to the desktop, from which it extrapolates.
#[derive(Debug, Clone, Copy)]
struct SentPosition {
    at: Instant,
    position_ms: u64,
    playing: bool,
    speed: f32,
}

impl SentPosition {
    /// Where the desktop believes playback is `elapsed` after this was sent.
    fn expected_now(&self, elapsed: Duration) -> u64 {
        if !self.playing {
            return self.position_ms;
        }
        let advanced = elapsed.as_millis() as f64 * f64::from(self.speed.max(0.0));
        self.position_ms.saturating_add(advanced as u64)
    }
}

/// How often the position is given to the desktop while playing. souvlaki answers Position
/// queries with what it was last given, but its D-Bus thread takes in one update per second
/// at worst (it waits up to 1 s for D-Bus traffic between updates), so a faster pace would
/// queue up and lag.
const POSITION_PERIOD: Duration = Duration::from_secs(3);

/// Whether to give the desktop the position again: every `POSITION_PERIOD` while playing, and
/// at once after a seek or chapter jump (more than 2 s from what the desktop believes).
fn position_update_due(sent: Option<&SentPosition>, position_ms: u64) -> bool {
    let Some(sent) = sent else { return true };
    let elapsed = sent.at.elapsed();
    (sent.playing && elapsed >= POSITION_PERIOD)
        || sent.expected_now(elapsed).abs_diff(position_ms) > 2_000
}

fn publish_metadata(controls: &mut MediaControls, now: &NowPlaying, length_secs: Option<u64>) {
    let _ = controls.set_metadata(MediaMetadata {
        title: Some(&now.title),
        artist: Some(&now.show),
        album: Some(&now.show),
        cover_url: now.artwork_url.as_deref(),
        duration: length_secs.map(Duration::from_secs),
    });
}

/// Longer "lengths" come from broken files; souvlaki would panic converting them to D-Bus's
/// microseconds, and no desktop could show them anyway.
const MAX_LENGTH_SECS: u64 = 100 * 24 * 3600;

/// The episode's length in whole seconds when it differs from the one last published
/// (whole seconds, so that a refined estimate does not signal D-Bus on every tick).
fn changed_length(published: Option<u64>, duration_ms: Option<u64>) -> Option<u64> {
    let secs = duration_ms.filter(|ms| *ms > 0)?.saturating_add(500) / 1000;
    if secs > MAX_LENGTH_SECS {
        return None;
    }
    (published != Some(secs)).then_some(secs)
}

/// What a media key means to the player (Next and Previous go to the session: see
/// `start_media_controls`).
fn command_for(event: MediaControlEvent) -> Option<Command> {
    Some(match event {
        MediaControlEvent::Play => Command::Play,
        MediaControlEvent::Pause => Command::Pause,
        MediaControlEvent::Toggle => Command::Toggle,
        MediaControlEvent::Stop => Command::Pause,
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

/// What the desktop's media controls show: Playing whenever the listener asked for sound
/// (loading and buffering included), Paused otherwise; a restored episode that loads paused,
/// for as long as it takes offline, is Paused.
fn desktop_playback(
    status: &chaptercast_engine::player::PlayerStatus,
    progress: Option<MediaPosition>,
) -> MediaPlayback {
    use chaptercast_engine::player::PlaybackState as S;
    match status.state {
        S::Idle => MediaPlayback::Stopped,
        _ if status.wants_play => MediaPlayback::Playing { progress },
        _ => MediaPlayback::Paused { progress },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_desktop_sees_paused_for_an_episode_loading_paused() {
        use chaptercast_engine::player::{PlaybackState as S, PlayerStatus};
        let status = |state, wants_play| PlayerStatus {
            state,
            wants_play,
            ..PlayerStatus::default()
        };
        let shown = |s: &PlayerStatus| match desktop_playback(s, None) {
            MediaPlayback::Playing { .. } => "playing",
            MediaPlayback::Paused { .. } => "paused",
            MediaPlayback::Stopped => "stopped",
        };
        assert_eq!(shown(&status(S::Loading, false)), "paused");
        assert_eq!(shown(&status(S::Loading, true)), "playing");
        assert_eq!(shown(&status(S::Buffering, true)), "playing");
        assert_eq!(shown(&status(S::Paused, false)), "paused");
        assert_eq!(shown(&status(S::Idle, false)), "stopped");
    }

    #[test]
    fn media_keys_seek_and_next_is_the_sessions() {
        assert!(command_for(MediaControlEvent::Next).is_none());
        assert!(matches!(
            command_for(MediaControlEvent::SeekBy(
                SeekDirection::Backward,
                Duration::from_secs(5)
            )),
            Some(Command::SeekBy(-5000))
        ));
        assert!(command_for(MediaControlEvent::Raise).is_none());
    }

    #[test]
    fn the_length_is_published_once_known_and_again_only_when_it_changes() {
        assert_eq!(changed_length(None, None), None);
        assert_eq!(changed_length(None, Some(0)), None);
        assert_eq!(changed_length(None, Some(99_600)), Some(100));
        assert_eq!(changed_length(Some(100), Some(100_200)), None);
        assert_eq!(changed_length(Some(100), Some(101_000)), Some(101));
        assert_eq!(changed_length(None, Some(u64::MAX)), None);
    }

    #[test]
    fn the_desktop_hears_of_jumps_at_once_and_of_ticks_now_and_then() {
        let sent = SentPosition {
            at: Instant::now(),
            position_ms: 60_000,
            playing: true,
            speed: 1.5,
        };
        assert_eq!(sent.expected_now(Duration::from_secs(10)), 75_000);
        assert!(!position_update_due(Some(&sent), 60_100), "a tick");
        assert!(position_update_due(Some(&sent), 240_000), "a chapter jump");
        assert!(position_update_due(Some(&sent), 30_000), "back 30 s");
        let a_while_ago = SentPosition {
            at: Instant::now() - POSITION_PERIOD - Duration::from_millis(100),
            ..sent
        };
        assert!(position_update_due(Some(&a_while_ago), 64_650));
        let paused = SentPosition {
            playing: false,
            ..a_while_ago
        };
        assert_eq!(paused.expected_now(Duration::from_secs(10)), 60_000);
        assert!(
            !position_update_due(Some(&paused), 60_000),
            "paused, unchanged"
        );
        assert!(
            position_update_due(Some(&paused), 90_000),
            "seeked while paused"
        );
        assert!(position_update_due(None, 0));
    }
}
