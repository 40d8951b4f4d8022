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
pub mod mp4_guard;
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

use crate::chapters::{chapter_at, chapter_step_target, visible_index, Chapter};
use crate::net::HttpClient;
use decode::{DecodeError, Decoding};
use feeder::Feeder;
use input::MediaInput;
use ring::Ring;
pub use sleep::SleepTimer;
use sleep::{SleepState, SleepStep};
pub use stream::RetryPolicy;
use stream::{RangeStream, StreamError};

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

/// Why an episode cannot play. The engine says what happened; the shell and the UI word it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlayerError {
    /// The host did not answer for as long as the retry policy allows (offline, or down).
    Unreachable { host: String },
    /// The server answered with an HTTP error (404, 410, 403...): retrying would not help.
    Http { status: u16 },
    /// The server sent another part of the file than asked for.
    WrongRange,
    /// The URL can never work (syntax, scheme, a redirect loop).
    BadUrl { detail: String },
    /// Not audio Chaptercast can play.
    Unsupported,
    /// Audio that is damaged, or that the decoder failed on.
    Damaged { detail: String },
    /// The file (or stream) could not be read.
    Unreadable { detail: String },
    /// No audio output device could be opened.
    NoDevice { detail: String },
}

impl From<&DecodeError> for PlayerError {
    fn from(e: &DecodeError) -> Self {
        match e {
            DecodeError::Io(io) => match StreamError::from_io(io) {
                Some(stream) => PlayerError::from(stream),
                None => PlayerError::Unreadable {
                    detail: io.to_string(),
                },
            },
            DecodeError::Unsupported => PlayerError::Unsupported,
            DecodeError::Damaged(detail) | DecodeError::DecoderPanic(detail) => {
                PlayerError::Damaged {
                    detail: detail.clone(),
                }
            }
        }
    }
}

impl From<&StreamError> for PlayerError {
    fn from(e: &StreamError) -> Self {
        match e {
            StreamError::Http { status, .. } => PlayerError::Http { status: *status },
            StreamError::Unreachable { host } => PlayerError::Unreachable {
                host: host.to_string(),
            },
            StreamError::BadUrl(detail) => PlayerError::BadUrl {
                detail: detail.to_string(),
            },
            StreamError::WrongRange => PlayerError::WrongRange,
            StreamError::Closed | StreamError::Interrupted => PlayerError::Unreadable {
                detail: e.to_string(),
            },
        }
    }
}

/// The host of a stream is not answering; the stream retries by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkStall {
    pub host: String,
    /// How long it has not answered.
    pub for_ms: u64,
    /// Failed tries so far.
    pub attempts: u32,
    /// False when it never answered for this episode (offline from the start).
    pub had_answered: bool,
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
    /// The same chapter counted among the visible ones (what a chapter list shows).
    pub visible_chapter: Option<usize>,
    pub speed: f32,
    pub volume: f32,
    /// Playing from the network (not a file).
    pub streaming: bool,
    /// The server cannot seek: jumps ahead wait for the download to get there.
    pub progressive: bool,
    pub bytes_fetched: u64,
    pub error: Option<PlayerError>,
    /// Set while the stream's host is not answering and the player is retrying.
    pub network: Option<NetworkStall>,
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
    /// Tries the stream's host again now instead of waiting out the backoff.
    RetryNow,
    Stop,
    /// Saves the position and stops; the sender hears back when done.
    Shutdown(Option<Sender<()>>),
}

/// What reaches the actor: the public commands, and the results of opening an episode, which
/// happens off its thread so that a slow or unreachable server never holds up a Pause.
enum Message {
    Command(Command),
    Opened {
        request: u64,
        result: Box<Result<Decoding, PlayerError>>,
    },
}

/// The handle the shell keeps: cheap to clone, every method returns at once.
#[derive(Clone)]
pub struct PlayerHandle {
    messages: Sender<Message>,
}

impl PlayerHandle {
    pub fn send(&self, command: Command) {
        if self.messages.send(Message::Command(command)).is_err() {
            // Only after shutdown: the actor contains panics and never exits on its own.
            tracing::warn!("a player command arrived after the player stopped");
        }
    }

    /// Saves the position and stops the player, waiting at most `timeout` for it.
    pub fn shutdown(&self, timeout: Duration) {
        let (tx, rx) = mpsc::channel();
        if self
            .messages
            .send(Message::Command(Command::Shutdown(Some(tx))))
            .is_ok()
        {
            let _ = rx.recv_timeout(timeout);
        }
    }
}

type EventSink = Box<dyn Fn(PlayerEvent) + Send>;

/// Starts the player thread. `on_event` runs on that thread: keep it quick. Streams retry as
/// `retry` says.
pub fn spawn(
    http: HttpClient,
    retry: RetryPolicy,
    on_event: EventSink,
) -> std::io::Result<PlayerHandle> {
    let (tx, rx) = mpsc::channel();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("chaptercast-net")
        .enable_all()
        .build()?;
    let to_self = tx.clone();
    std::thread::Builder::new()
        .name("chaptercast-player".into())
        .spawn(move || {
            let mut actor = Actor::new(http, runtime, retry, to_self, on_event);
            actor.run(rx);
        })?;
    Ok(PlayerHandle { messages: tx })
}

/// An episode being opened off the actor thread.
struct Pending {
    request: u64,
    key: String,
    chapters: Vec<Chapter>,
    start_ms: u64,
    stream: Option<RangeStream>,
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
    retry: RetryPolicy,
    /// For the opener threads to send their results back.
    to_self: Sender<Message>,
    on_event: EventSink,
    device: Option<rodio::MixerDeviceSink>,
    loaded: Option<Loaded>,
    /// The episode being opened; its result is taken only if its request is still this one.
    pending: Option<Pending>,
    last_request: u64,
    state: PlaybackState,
    /// Whether the listener wants sound (playing or buffering) rather than a pause.
    wants_play: bool,
    speed: f32,
    volume: f32,
    error: Option<PlayerError>,
    /// The episode that failed to open, so the bar still names it.
    failed_key: Option<String>,
    last_status: Option<PlayerStatus>,
    last_save: Instant,
    sleep: Option<SleepState>,
    /// When the last tick ran: the sleep timer counts listening time between ticks.
    last_tick: Instant,
}

impl Actor {
    fn new(
        http: HttpClient,
        runtime: tokio::runtime::Runtime,
        retry: RetryPolicy,
        to_self: Sender<Message>,
        on_event: EventSink,
    ) -> Actor {
        Actor {
            http,
            runtime,
            retry,
            to_self,
            on_event,
            device: None,
            loaded: None,
            pending: None,
            last_request: 0,
            state: PlaybackState::Idle,
            wants_play: false,
            speed: 1.0,
            volume: 1.0,
            error: None,
            failed_key: None,
            last_status: None,
            last_save: Instant::now(),
            sleep: None,
            last_tick: Instant::now(),
        }
    }

    fn run(&mut self, messages: Receiver<Message>) {
        loop {
            let message = match messages.recv_timeout(TICK) {
                Ok(Message::Command(Command::Shutdown(done))) => {
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
                Ok(message) => Some(message),
                Err(RecvTimeoutError::Timeout) => None,
            };
            // A bug of ours in handling one message must not leave the listener with a player
            // that silently does nothing: the episode fails, the player goes on.
            let step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                match message {
                    Some(Message::Command(command)) => self.handle(command),
                    Some(Message::Opened { request, result }) => self.opened(request, *result),
                    None => {}
                }
                self.tick();
            }));
            if step.is_err() {
                tracing::error!("the player failed on a message; unloading the episode");
                self.unload();
                self.state = PlaybackState::Error;
                self.wants_play = false;
                self.error = Some(PlayerError::Damaged {
                    detail: "the player failed".into(),
                });
                self.report(true);
            }
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
                } else if let Some(p) = self.pending.as_mut() {
                    p.chapters = chapters;
                }
            }
            Command::SetSleepTimer(timer) => {
                let end = self.chapter_end_ms(self.position_ms());
                self.sleep = timer.map(|t| SleepState::new(t, end));
                self.apply_volume(1.0);
            }
            Command::RetryNow => {
                let stream = self
                    .pending
                    .as_ref()
                    .and_then(|p| p.stream.as_ref())
                    .or_else(|| self.loaded.as_ref().and_then(|l| l.feeder.stream()));
                if let Some(stream) = stream {
                    stream.retry_now();
                }
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

    /// Starts opening `request` off this thread; [`Actor::opened`] takes the result.
    fn load(&mut self, request: LoadRequest) {
        self.save_position();
        self.unload();
        self.error = None;
        self.state = PlaybackState::Loading;
        self.wants_play = request.autoplay;
        // Until something replaces it, the bar names this episode (also when it fails).
        self.failed_key = Some(request.key.clone());
        self.last_request += 1;
        let id = self.last_request;
        let (input, stream) = match &request.location {
            MediaLocation::File(path) => match std::fs::File::open(path) {
                Ok(file) => (MediaInput::File(file), None),
                Err(e) => {
                    return self.fail(PlayerError::Unreadable {
                        detail: format!("{}: {e}", path.display()),
                    })
                }
            },
            MediaLocation::Url(url) => {
                match RangeStream::start(self.runtime.handle(), self.http.clone(), url, self.retry)
                {
                    Ok(stream) => (MediaInput::Stream(stream.clone()), Some(stream)),
                    Err(e) => return self.fail(PlayerError::from(&e)),
                }
            }
        };
        let mime = request
            .mime
            .clone()
            .or_else(|| mime_from_location(&request.location));
        let to_self = self.to_self.clone();
        let opener = std::thread::Builder::new()
            .name("chaptercast-open".into())
            .spawn(move || {
                let result = Decoding::open(input, mime.as_deref()).map_err(|e| {
                    tracing::info!(error = %e, "cannot open the audio");
                    PlayerError::from(&e)
                });
                let _ = to_self.send(Message::Opened {
                    request: id,
                    result: Box::new(result),
                });
            });
        if let Err(e) = opener {
            if let Some(s) = &stream {
                s.close();
            }
            return self.fail(PlayerError::Unreadable {
                detail: e.to_string(),
            });
        }
        self.pending = Some(Pending {
            request: id,
            key: request.key,
            chapters: request.chapters,
            start_ms: request.start_ms,
            stream,
        });
        self.last_save = Instant::now();
    }

    fn fail(&mut self, error: PlayerError) {
        self.state = PlaybackState::Error;
        self.wants_play = false;
        self.error = Some(error);
    }

    /// An opener's result: dropped when a newer load (or a stop) came since (psst's stale
    /// load check), else the episode is ready at its start position.
    fn opened(&mut self, request: u64, result: Result<Decoding, PlayerError>) {
        let current = self.pending.as_ref().is_some_and(|p| p.request == request);
        if !current {
            tracing::debug!(request, "dropping a stale open result");
            if let Ok(decoding) = result {
                decoding.close();
            }
            return;
        }
        let Some(pending) = self.pending.take() else {
            return;
        };
        let decoding = match result {
            Ok(d) => d,
            Err(error) => {
                if let Some(s) = &pending.stream {
                    s.close();
                }
                self.fail(error);
                return;
            }
        };
        let rate = decoding.sample_rate;
        let duration_ms = decoding
            .duration_frames
            .map(|f| f * 1000 / u64::from(rate.max(1)));
        let ring = Arc::new(Ring::new(decoding.channels, rate));
        ring.set_speed(self.speed);
        let start_ms = match duration_ms {
            Some(d) if pending.start_ms >= d => 0,
            _ => pending.start_ms,
        };
        let start_frame = start_ms * u64::from(rate) / 1000;
        let streaming = pending.stream.is_some();
        let feeder = Feeder::start(decoding, Arc::clone(&ring), pending.stream, start_frame);
        self.loaded = Some(Loaded {
            key: pending.key,
            chapters: pending.chapters,
            ring,
            feeder,
            duration_ms,
            sink_player: None,
            streaming,
            prefetched: false,
            playing_since: None,
            ended_reported: false,
        });
        if self.wants_play {
            self.state = PlaybackState::Buffering;
            self.play();
        } else {
            self.state = PlaybackState::Paused;
        }
        self.last_save = Instant::now();
    }

    fn unload(&mut self) {
        self.failed_key = None;
        if let Some(pending) = self.pending.take() {
            // Its opener gives up once the stream is closed; its result will be stale.
            if let Some(s) = pending.stream {
                s.close();
            }
        }
        if let Some(mut loaded) = self.loaded.take() {
            if let Some(p) = loaded.sink_player.take() {
                p.stop();
            }
        }
    }

    /// Connects the loaded episode to the device, opening the device when needed (it may have
    /// appeared since the last try).
    fn ensure_output(&mut self) -> Result<(), PlayerError> {
        let Some(loaded) = self.loaded.as_mut() else {
            return Ok(());
        };
        if loaded.sink_player.is_some() {
            return Ok(());
        }
        if self.device.is_none() {
            self.device = Some(output::open_device().map_err(|e| PlayerError::NoDevice {
                detail: e.to_string(),
            })?);
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
        if self.pending.is_some() {
            self.wants_play = true;
            return;
        }
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
            Err(error) => {
                self.wants_play = false;
                self.state = PlaybackState::Paused;
                self.error = Some(error);
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
        // While opening, the state stays Loading; it opens paused.
        self.save_position();
    }

    fn seek(&mut self, ms: u64) {
        if let Some(pending) = self.pending.as_mut() {
            // Not open yet: it will start there.
            pending.start_ms = ms;
            return;
        }
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
        let target = {
            let chapters = match (&self.loaded, &self.pending) {
                (Some(l), _) => &l.chapters,
                (None, Some(p)) => &p.chapters,
                (None, None) => return,
            };
            chapter_step_target(chapters, self.position_ms(), step, 3_000)
        };
        if let Some(ms) = target {
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
        if let Some(pending) = &self.pending {
            return pending.start_ms;
        }
        self.loaded.as_ref().map_or(0, |l| {
            l.ring.position_frame() * 1000 / u64::from(l.ring.sample_rate.max(1))
        })
    }

    fn tick(&mut self) {
        let Some(loaded) = self.loaded.as_mut() else {
            self.report(false);
            return;
        };
        if let Some(error) = loaded.feeder.error() {
            if self.state != PlaybackState::Error {
                self.state = PlaybackState::Error;
                self.error = Some(error);
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
        let pending = self.pending.as_ref();
        let stats = pending
            .and_then(|p| p.stream.as_ref())
            .or_else(|| loaded.and_then(|l| l.feeder.stream()))
            .map(|s| s.stats())
            .unwrap_or_default();
        let network = stats.outage.as_ref().map(|o| NetworkStall {
            host: o.host.clone(),
            for_ms: o.since.elapsed().as_millis() as u64,
            attempts: o.attempts,
            had_answered: o.had_answered,
        });
        let chapter = loaded.and_then(|l| chapter_at(&l.chapters, position_ms));
        let key = pending
            .map(|p| p.key.clone())
            .or_else(|| loaded.map(|l| l.key.clone()))
            .or_else(|| self.failed_key.clone());
        PlayerStatus {
            key,
            state: self.state,
            position_ms,
            duration_ms: loaded.and_then(|l| l.duration_ms),
            chapter,
            visible_chapter: chapter
                .zip(loaded)
                .and_then(|(i, l)| visible_index(&l.chapters, i)),
            speed: self.speed,
            volume: self.volume,
            streaming: loaded.is_some_and(|l| l.streaming)
                || pending.is_some_and(|p| p.stream.is_some()),
            progressive: stats.progressive,
            bytes_fetched: stats.bytes_fetched,
            error: self.error.clone(),
            network,
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
        ) || status.network.is_some();
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
