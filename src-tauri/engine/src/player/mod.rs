//! Playback: one actor thread owns the audio device and the loaded episode, takes commands
//! from a channel and reports its state through a callback.
//!
//! Pieces: [`stream`] (HTTP bytes with Range), [`decode`] (symphonia, accurate seek),
//! [`feeder`] (the decoder thread), [`ring`] (hand-over to the audio callback), [`output`]
//! (the device and the callback's source), [`time_stretch`] (speed without pitch change),
//! [`mp3_layout`] (where MP3 frames are).

pub mod decode;
pub mod feeder;
pub mod input;
pub mod mp3_layout;
pub mod output;
pub mod ring;
pub mod sleep;
pub mod stream;
pub mod time_stretch;

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::chapters::{chapter_at, Chapter};
use crate::net::HttpClient;
use decode::Decoding;
use feeder::Feeder;
use input::MediaInput;
use ring::Ring;
pub use sleep::SleepTimer;
use sleep::{SleepState, SleepStep};
use stream::RangeStream;

/// How often the state is reported while playing (the issue asks for at least 4 Hz).
const TICK: Duration = Duration::from_millis(100);
/// Chapter starts are prefetched once this much has played without a jump: a listener who
/// is skipping around pays only for what they hear.
const PREFETCH_AFTER: Duration = Duration::from_secs(5);
/// How often the position is handed over for saving while playing.
const SAVE_EVERY: Duration = Duration::from_secs(5);
/// The slowest and fastest speeds offered.
pub const MIN_SPEED: f32 = 0.5;
pub const MAX_SPEED: f32 = 3.0;

/// Where an episode's audio is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaLocation {
    Url(String),
    File(PathBuf),
}

/// What to play.
#[derive(Debug, Clone)]
pub struct LoadRequest {
    /// The caller's name for this episode (an episode id, or the URL for the command line).
    pub key: String,
    pub location: MediaLocation,
    pub mime: Option<String>,
    pub start_ms: u64,
    pub chapters: Vec<Chapter>,
    /// Start playing once loaded (else stay paused there).
    pub autoplay: bool,
}

/// The one state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaybackState {
    Idle,
    Loading,
    Playing,
    Paused,
    Buffering,
    Ended,
    Error,
}

/// Everything the player shows, reported on every change and several times a second while
/// playing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlayerStatus {
    pub key: Option<String>,
    pub state: PlaybackState,
    pub position_ms: u64,
    pub duration_ms: Option<u64>,
    /// Index into the loaded chapter list.
    pub chapter: Option<usize>,
    pub speed: f32,
    pub volume: f32,
    /// Playing from the network (not a file).
    pub streaming: bool,
    /// The server cannot seek: jumps ahead wait for the download to get there.
    pub progressive: bool,
    pub bytes_fetched: u64,
    pub error: Option<String>,
    /// The sleep timer, when set.
    pub sleep: Option<SleepStatus>,
}

/// A running sleep timer as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SleepStatus {
    pub timer: SleepTimer,
    /// Until the stop; `None` when not known yet.
    pub remaining_ms: Option<u64>,
}

/// What the player reports.
#[derive(Debug, Clone)]
pub enum PlayerEvent {
    Status(PlayerStatus),
    /// Time to remember where the listener is in `key` (every few seconds, on pause, on
    /// switching episodes and on quitting). `finished` when near or at the end; `duration_ms`
    /// is the audio's own length, when the decoder knows it.
    SavePosition {
        key: String,
        position_ms: u64,
        finished: bool,
        duration_ms: Option<u64>,
    },
}

/// Commands, in the order they were sent.
#[derive(Debug)]
pub enum Command {
    Load(Box<LoadRequest>),
    Play,
    Pause,
    Toggle,
    SeekTo(u64),
    SeekBy(i64),
    /// Next (+1) or previous (-1) chapter; "previous" restarts the current one when more than
    /// a few seconds in, like every player.
    ChapterStep(i32),
    SetSpeed(f32),
    SetVolume(f32),
    /// The loaded episode's chapters, when they arrive after it started.
    SetChapters(Vec<Chapter>),
    /// Starts (or, with `None`, cancels) the sleep timer.
    SetSleepTimer(Option<SleepTimer>),
    /// Opens the audio device now, so the first Play does not wait for it.
    PrepareOutput,
    Stop,
    /// Saves the position and stops; the sender hears back when done.
    Shutdown(Option<Sender<()>>),
}

/// The handle the shell keeps: cheap to clone, every method returns at once.
#[derive(Clone)]
pub struct PlayerHandle {
    commands: Sender<Command>,
}

impl PlayerHandle {
    pub fn send(&self, command: Command) {
        // The actor only goes away on shutdown; a command after that has nothing to do.
        let _ = self.commands.send(command);
    }

    /// Saves the position and stops the player, waiting at most `timeout` for it.
    pub fn shutdown(&self, timeout: Duration) {
        let (tx, rx) = mpsc::channel();
        if self.commands.send(Command::Shutdown(Some(tx))).is_ok() {
            let _ = rx.recv_timeout(timeout);
        }
    }
}

type EventSink = Box<dyn Fn(PlayerEvent) + Send>;

/// Starts the player thread. `on_event` runs on that thread: keep it quick.
pub fn spawn(http: HttpClient, on_event: EventSink) -> std::io::Result<PlayerHandle> {
    let (tx, rx) = mpsc::channel();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("chaptercast-net")
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("chaptercast-player".into())
        .spawn(move || {
            let mut actor = Actor::new(http, runtime, on_event);
            actor.run(rx);
        })?;
    Ok(PlayerHandle { commands: tx })
}

/// The loaded episode.
struct Loaded {
    key: String,
    chapters: Vec<Chapter>,
    ring: Arc<Ring>,
    feeder: Feeder,
    duration_ms: Option<u64>,
    /// The rodio player holding our source; None when no device could be opened.
    sink_player: Option<rodio::Player>,
    streaming: bool,
    prefetched: bool,
    /// Since when it has played without a seek.
    playing_since: Option<Instant>,
    ended_reported: bool,
}

struct Actor {
    http: HttpClient,
    runtime: tokio::runtime::Runtime,
    on_event: EventSink,
    device: Option<rodio::MixerDeviceSink>,
    loaded: Option<Loaded>,
    state: PlaybackState,
    /// Whether the listener wants sound (playing or buffering) rather than a pause.
    wants_play: bool,
    speed: f32,
    volume: f32,
    error: Option<String>,
    last_status: Option<PlayerStatus>,
    last_save: Instant,
    sleep: Option<SleepState>,
    /// When the last tick ran: the sleep timer counts listening time between ticks.
    last_tick: Instant,
}

impl Actor {
    fn new(http: HttpClient, runtime: tokio::runtime::Runtime, on_event: EventSink) -> Actor {
        Actor {
            http,
            runtime,
            on_event,
            device: None,
            loaded: None,
            state: PlaybackState::Idle,
            wants_play: false,
            speed: 1.0,
            volume: 1.0,
            error: None,
            last_status: None,
            last_save: Instant::now(),
            sleep: None,
            last_tick: Instant::now(),
        }
    }

    fn run(&mut self, commands: Receiver<Command>) {
        loop {
            match commands.recv_timeout(TICK) {
                Ok(Command::Shutdown(done)) => {
                    self.save_position();
                    self.unload();
                    if let Some(done) = done {
                        let _ = done.send(());
                    }
                    return;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.save_position();
                    self.unload();
                    return;
                }
                Ok(command) => self.handle(command),
                Err(RecvTimeoutError::Timeout) => {}
            }
            self.tick();
        }
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Load(request) => self.load(*request),
            Command::Play => self.play(),
            Command::Pause => self.pause(),
            Command::Toggle => {
                if self.wants_play {
                    self.pause()
                } else {
                    self.play()
                }
            }
            Command::SeekTo(ms) => self.seek(ms),
            Command::SeekBy(delta) => {
                let now = self.position_ms() as i64;
                self.seek(now.saturating_add(delta).max(0) as u64)
            }
            Command::ChapterStep(step) => self.chapter_step(step),
            Command::SetSpeed(speed) => {
                if speed.is_finite() {
                    self.speed = speed.clamp(MIN_SPEED, MAX_SPEED);
                    if let Some(l) = &self.loaded {
                        l.ring.set_speed(self.speed);
                    }
                }
            }
            Command::SetVolume(volume) => {
                if volume.is_finite() {
                    self.volume = volume.clamp(0.0, 1.0);
                    if let Some(p) = self.loaded.as_ref().and_then(|l| l.sink_player.as_ref()) {
                        p.set_volume(self.volume);
                    }
                }
            }
            Command::SetChapters(chapters) => {
                if let Some(l) = self.loaded.as_mut() {
                    l.chapters = chapters;
                    l.prefetched = false;
                }
            }
            Command::SetSleepTimer(timer) => {
                let end = self.chapter_end_ms(self.position_ms());
                self.sleep = timer.map(|t| SleepState::new(t, end));
                self.apply_volume(1.0);
            }
            Command::PrepareOutput => {
                if self.device.is_none() {
                    // A failure is reported by the Play that needs the device.
                    self.device = output::open_device().ok();
                }
            }
            Command::Stop => {
                self.save_position();
                self.unload();
                self.state = PlaybackState::Idle;
                self.wants_play = false;
            }
            Command::Shutdown(_) => {}
        }
        self.report(true);
    }

    fn load(&mut self, request: LoadRequest) {
        self.save_position();
        self.unload();
        self.error = None;
        self.state = PlaybackState::Loading;
        self.wants_play = request.autoplay;
        self.report(true);
        match self.open(&request) {
            Ok(loaded) => {
                self.loaded = Some(loaded);
                self.state = if self.wants_play {
                    PlaybackState::Buffering
                } else {
                    PlaybackState::Paused
                };
                if self.wants_play {
                    self.play();
                }
            }
            Err(message) => {
                self.state = PlaybackState::Error;
                self.error = Some(message);
            }
        }
        self.last_save = Instant::now();
    }

    fn open(&mut self, request: &LoadRequest) -> Result<Loaded, String> {
        let (input, stream) = match &request.location {
            MediaLocation::File(path) => {
                let file = std::fs::File::open(path)
                    .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
                (MediaInput::File(file), None)
            }
            MediaLocation::Url(url) => {
                let stream = RangeStream::open(self.runtime.handle(), self.http.clone(), url)
                    .map_err(|e| e.to_string())?;
                (MediaInput::Stream(stream.clone()), Some(stream))
            }
        };
        let mime = request
            .mime
            .clone()
            .or_else(|| mime_from_location(&request.location));
        let decoding = Decoding::open(input, mime.as_deref()).map_err(|e| {
            if let Some(s) = &stream {
                s.close();
            }
            e.to_string()
        })?;
        let rate = decoding.sample_rate;
        let duration_ms = decoding
            .duration_frames
            .map(|f| f * 1000 / u64::from(rate.max(1)));
        let ring = Arc::new(Ring::new(decoding.channels, rate));
        ring.set_speed(self.speed);
        let start_ms = match duration_ms {
            Some(d) if request.start_ms >= d => 0,
            _ => request.start_ms,
        };
        let start_frame = start_ms * u64::from(rate) / 1000;
        let feeder = Feeder::start(decoding, Arc::clone(&ring), stream.clone(), start_frame);
        let streaming = stream.is_some();
        Ok(Loaded {
            key: request.key.clone(),
            chapters: request.chapters.clone(),
            ring,
            feeder,
            duration_ms,
            sink_player: None,
            streaming,
            prefetched: false,
            playing_since: None,
            ended_reported: false,
        })
    }

    fn unload(&mut self) {
        if let Some(mut loaded) = self.loaded.take() {
            if let Some(p) = loaded.sink_player.take() {
                p.stop();
            }
        }
    }

    /// Connects the loaded episode to the device, opening the device when needed (it may have
    /// appeared since the last try).
    fn ensure_output(&mut self) -> Result<(), String> {
        let Some(loaded) = self.loaded.as_mut() else {
            return Ok(());
        };
        if loaded.sink_player.is_some() {
            return Ok(());
        }
        if self.device.is_none() {
            self.device = Some(output::open_device().map_err(|e| e.to_string())?);
        }
        let Some(device) = &self.device else {
            return Ok(());
        };
        let player = rodio::Player::connect_new(device.mixer());
        player.set_volume(self.volume);
        player.pause();
        player.append(output::RingSource::new(Arc::clone(&loaded.ring)));
        loaded.sink_player = Some(player);
        Ok(())
    }

    fn play(&mut self) {
        if self.loaded.is_none() {
            return;
        }
        self.wants_play = true;
        if self.state == PlaybackState::Ended {
            self.seek(0);
        }
        match self.ensure_output() {
            Ok(()) => {
                self.error = None;
                if let Some(p) = self.loaded.as_ref().and_then(|l| l.sink_player.as_ref()) {
                    p.play();
                }
                self.state = PlaybackState::Playing;
            }
            Err(message) => {
                self.wants_play = false;
                self.state = PlaybackState::Paused;
                self.error = Some(message);
            }
        }
    }

    fn pause(&mut self) {
        self.wants_play = false;
        if let Some(p) = self.loaded.as_ref().and_then(|l| l.sink_player.as_ref()) {
            p.pause();
        }
        if self.loaded.is_some() && self.state != PlaybackState::Error {
            self.state = PlaybackState::Paused;
        }
        self.save_position();
    }

    fn seek(&mut self, ms: u64) {
        let Some(loaded) = self.loaded.as_mut() else {
            return;
        };
        let ms = match loaded.duration_ms {
            Some(d) => ms.min(d.saturating_sub(1)),
            None => ms,
        };
        let frame = ms * u64::from(loaded.ring.sample_rate) / 1000;
        loaded.feeder.seek(frame);
        let chapter_end = chapter_end_ms(&loaded.chapters, loaded.duration_ms, ms);
        if let Some(sleep) = self.sleep.as_mut() {
            sleep.rearm(chapter_end);
        }
        loaded.ended_reported = false;
        loaded.playing_since = None;
        if self.state == PlaybackState::Ended || self.state == PlaybackState::Error {
            self.state = if self.wants_play {
                PlaybackState::Playing
            } else {
                PlaybackState::Paused
            };
            self.error = None;
        }
    }

    fn chapter_step(&mut self, step: i32) {
        let Some(loaded) = self.loaded.as_ref() else {
            return;
        };
        if loaded.chapters.is_empty() {
            return;
        }
        let now = self.position_ms();
        let current = chapter_at(&loaded.chapters, now);
        let target = match (current, step.signum()) {
            (None, 1) => Some(0),
            (None, _) => None,
            (Some(i), 1) => (i + 1 < loaded.chapters.len()).then_some(i + 1),
            (Some(i), _) => {
                let start = loaded.chapters[i].start_ms;
                if now > start + 3000 || i == 0 {
                    Some(i)
                } else {
                    Some(i - 1)
                }
            }
        };
        if let Some(t) = target {
            let ms = loaded.chapters[t].start_ms;
            self.seek(ms);
        }
    }

    /// Where the chapter at `position_ms` ends (the next one's start, or the episode's end).
    fn chapter_end_ms(&self, position_ms: u64) -> Option<u64> {
        let loaded = self.loaded.as_ref()?;
        chapter_end_ms(&loaded.chapters, loaded.duration_ms, position_ms)
    }

    /// The listener's volume times `gain` (the sleep timer's fade).
    fn apply_volume(&self, gain: f32) {
        if let Some(p) = self.loaded.as_ref().and_then(|l| l.sink_player.as_ref()) {
            p.set_volume(self.volume * gain);
        }
    }

    /// Runs the sleep timer for the listening time since the last tick.
    fn tick_sleep(&mut self) {
        let played = self.last_tick.elapsed();
        self.last_tick = Instant::now();
        if self.state == PlaybackState::Ended {
            self.sleep = None;
        }
        if self.state != PlaybackState::Playing {
            return;
        }
        let position_ms = self.position_ms();
        let Some(sleep) = self.sleep.as_mut() else {
            return;
        };
        match sleep.advance(played, position_ms) {
            SleepStep::Play(gain) => self.apply_volume(gain),
            SleepStep::Stop => {
                self.sleep = None;
                self.pause();
                self.apply_volume(1.0);
            }
        }
    }

    fn position_ms(&self) -> u64 {
        self.loaded.as_ref().map_or(0, |l| {
            l.ring.position_frame() * 1000 / u64::from(l.ring.sample_rate.max(1))
        })
    }

    fn tick(&mut self) {
        let Some(loaded) = self.loaded.as_mut() else {
            self.report(false);
            return;
        };
        if let Some(message) = loaded.feeder.error() {
            if self.state != PlaybackState::Error {
                self.state = PlaybackState::Error;
                self.error = Some(message);
                if let Some(p) = &loaded.sink_player {
                    p.pause();
                }
            }
        } else if self.wants_play {
            let (ended, empty, loading) = {
                let inner = loaded.ring.lock();
                (inner.ended, inner.samples.is_empty(), inner.loading)
            };
            let starved = loaded
                .ring
                .starved
                .load(std::sync::atomic::Ordering::Relaxed);
            if ended && empty {
                self.state = PlaybackState::Ended;
                self.wants_play = false;
                if !loaded.ended_reported {
                    loaded.ended_reported = true;
                    if let Some(p) = &loaded.sink_player {
                        p.pause();
                    }
                    let key = loaded.key.clone();
                    let position_ms = loaded.duration_ms.unwrap_or(0);
                    (self.on_event)(PlayerEvent::SavePosition {
                        key,
                        position_ms,
                        finished: true,
                        duration_ms: loaded.duration_ms,
                    });
                }
            } else if loading || (starved && empty) {
                self.state = PlaybackState::Buffering;
            } else {
                self.state = PlaybackState::Playing;
                let since = *loaded.playing_since.get_or_insert_with(Instant::now);
                if !loaded.prefetched && loaded.streaming && since.elapsed() >= PREFETCH_AFTER {
                    loaded.prefetched = true;
                    let rate = u64::from(loaded.ring.sample_rate);
                    let now = loaded.ring.position_frame();
                    let mut frames: Vec<u64> = loaded
                        .chapters
                        .iter()
                        .map(|c| c.start_ms * rate / 1000)
                        .collect();
                    // The chapters next to where the listener is come first: likeliest jumps.
                    frames.sort_by_key(|f| f.abs_diff(now));
                    loaded.feeder.prefetch(frames);
                }
            }
            if self.state == PlaybackState::Playing && self.last_save.elapsed() >= SAVE_EVERY {
                self.save_position();
            }
        }
        self.tick_sleep();
        self.report(false);
    }

    fn save_position(&mut self) {
        self.last_save = Instant::now();
        let position_ms = self.position_ms();
        let Some(loaded) = self.loaded.as_ref() else {
            return;
        };
        if loaded.ended_reported {
            return;
        }
        let finished = loaded
            .duration_ms
            .is_some_and(|d| is_near_end(position_ms, d));
        (self.on_event)(PlayerEvent::SavePosition {
            key: loaded.key.clone(),
            position_ms,
            finished,
            duration_ms: loaded.duration_ms,
        });
    }

    fn status(&self) -> PlayerStatus {
        let position_ms = self.position_ms();
        let loaded = self.loaded.as_ref();
        let stats = loaded
            .and_then(|l| l.feeder.stream())
            .map(|s| s.stats())
            .unwrap_or_default();
        PlayerStatus {
            key: loaded.map(|l| l.key.clone()),
            state: self.state,
            position_ms,
            duration_ms: loaded.and_then(|l| l.duration_ms),
            chapter: loaded.and_then(|l| chapter_at(&l.chapters, position_ms)),
            speed: self.speed,
            volume: self.volume,
            streaming: loaded.is_some_and(|l| l.streaming),
            progressive: stats.progressive,
            bytes_fetched: stats.bytes_fetched,
            error: self.error.clone(),
            sleep: self.sleep.as_ref().map(|s| SleepStatus {
                timer: s.timer,
                remaining_ms: s
                    .remaining(position_ms, loaded.and_then(|l| l.duration_ms))
                    .map(|d| d.as_millis() as u64),
            }),
        }
    }

    /// Reports the status when it changed (or always while playing, for the position).
    fn report(&mut self, force: bool) {
        let status = self.status();
        let changed = self.last_status.as_ref() != Some(&status);
        let moving = matches!(
            status.state,
            PlaybackState::Playing | PlaybackState::Buffering
        );
        if force || changed || moving {
            self.last_status = Some(status.clone());
            (self.on_event)(PlayerEvent::Status(status));
        }
    }
}

/// Where the chapter at `position_ms` ends: its own end, the next one's start, or the episode's.
fn chapter_end_ms(chapters: &[Chapter], duration_ms: Option<u64>, position_ms: u64) -> Option<u64> {
    let i = chapter_at(chapters, position_ms)?;
    chapters[i]
        .end_ms
        .or_else(|| chapters.get(i + 1).map(|c| c.start_ms))
        .or(duration_ms)
}

/// "Played" from this close to the end on: outros and ads are often skipped.
pub fn is_near_end(position_ms: u64, duration_ms: u64) -> bool {
    duration_ms > 0 && position_ms + 30_000.min(duration_ms / 20) >= duration_ms
}

fn mime_from_location(location: &MediaLocation) -> Option<String> {
    let name = match location {
        MediaLocation::File(p) => p.to_string_lossy().to_ascii_lowercase(),
        MediaLocation::Url(u) => url::Url::parse(u)
            .map(|u| u.path().to_ascii_lowercase())
            .unwrap_or_default(),
    };
    let ext = name.rsplit('.').next()?;
    let mime = match ext {
        "mp3" => "audio/mpeg",
        "m4a" | "m4b" | "mp4" | "aac" => "audio/mp4",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "flac" => "audio/flac",
        "wav" => "audio/wav",
        _ => return None,
    };
    Some(mime.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_end_rule() {
        assert!(is_near_end(3_590_000, 3_600_000));
        assert!(!is_near_end(3_500_000, 3_600_000));
        assert!(is_near_end(57_500, 60_000));
        assert!(!is_near_end(0, 0));
    }

    #[test]
    fn mime_guess_from_extension() {
        let url = MediaLocation::Url("https://x.test/a/ep.M4A?x=1".into());
        assert_eq!(mime_from_location(&url).as_deref(), Some("audio/mp4"));
        let file = MediaLocation::File(PathBuf::from("/tmp/ep.mp3"));
        assert_eq!(mime_from_location(&file).as_deref(), Some("audio/mpeg"));
    }
}
