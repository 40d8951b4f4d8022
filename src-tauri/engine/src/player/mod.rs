//! Playback: one actor thread owns the audio device and the loaded episode, takes commands
//! from a channel and reports its state through a callback. What to do is decided by the pure
//! [`machine`]; the actor here measures the world for it and carries its effects out.
//!
//! Pieces: [`stream`] (HTTP bytes with Range), [`decode`] (symphonia, accurate seek),
//! [`feeder`] (the decoder thread), [`ring`] (hand-over to the audio callback), [`output`]
//! (the device and the callback's source), [`time_stretch`] (speed without pitch change),
//! [`mp3_layout`] (where MP3 frames are).

pub mod chain;
pub mod decode;
pub mod feeder;
pub mod frame_index;
pub mod input;
pub mod machine;
pub mod measure;
pub mod mp3_layout;
pub mod mp4_guard;
pub mod output;
pub mod ring;
pub mod skips;
pub mod sleep;
pub mod sound;
pub mod stream;
pub mod time_stretch;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::chapters::Chapter;
use crate::net::HttpClient;
use decode::{DecodeError, Decoding};
use feeder::Feeder;
use input::MediaInput;
use machine::{Buffer, Effect, Input, Machine, OpenedAudio, Seen};
use ring::Ring;
pub use sleep::SleepTimer;
pub use stream::RetryPolicy;
use stream::{RangeStream, StreamError};

/// How often the state is reported while playing (the issue asks for at least 4 Hz).
const TICK: Duration = Duration::from_millis(100);
/// Frames a stream's index grows by before it is told at once (about 53 s of audio).
const FRAME_INDEX_TELL_FRAMES: u64 = 2048;
/// How often a smaller growth is told.
const FRAME_INDEX_TELL_AFTER: Duration = Duration::from_secs(60);
/// How long one background index fetch (64 KB) may take: a link slower than 32 KB/s leaves
/// the index as it is.
const INDEX_FETCH_TIMEOUT: Duration = Duration::from_secs(2);
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
#[derive(Debug, Clone, PartialEq)]
pub struct LoadRequest {
    /// The caller's name for this episode (an episode id, or the URL for the command line).
    pub key: String,
    pub location: MediaLocation,
    pub mime: Option<String>,
    pub start_ms: u64,
    pub chapters: Vec<Chapter>,
    /// Start playing once loaded (else stay paused there).
    pub autoplay: bool,
    /// What of it to skip (the show's profile).
    pub skips: skips::Skips,
    /// How it should sound (the show's profile), from its first sample.
    pub sound: SoundSettings,
    /// The frame index saved when this file was streamed before (a VBR MP3).
    pub frame_index: Option<frame_index::SavedFrameIndex>,
}

/// The sound chain's settings for one episode: skip silence, loudness, boost.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SoundSettings {
    /// Play at a loudness target; `None` leaves the episode as mastered.
    pub normalize: Option<Normalize>,
    /// Extra gain (dB), through the same limiter.
    pub boost_db: f64,
    pub skip_silence: crate::sound_profile::SilenceLevel,
}

/// Loudness normalisation for one episode.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalize {
    pub target_lufs: f64,
    /// The file's own measured loudness: a fixed gain from the first sample.
    pub measured_lufs: Option<f64>,
    /// Where a stream with no measurement starts (the show's last measured loudness), before
    /// the running estimate takes over.
    pub start_lufs: Option<f64>,
}

/// The one state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaybackState {
    #[default]
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
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PlayerStatus {
    pub key: Option<String>,
    pub state: PlaybackState,
    /// Whether the listener asked for sound: playing, buffering, or loading to play. A restored
    /// episode that is loading paused says false, so a Play button shows Play, not Pause.
    pub wants_play: bool,
    pub position_ms: u64,
    pub duration_ms: Option<u64>,
    /// Index into the loaded chapter list.
    pub chapter: Option<usize>,
    /// The same chapter counted among the visible ones (what a chapter list shows).
    pub visible_chapter: Option<usize>,
    /// Index into the transcript's cues: the last one started at or before the position.
    pub cue: Option<usize>,
    /// Episode time skip silence has saved in this episode since it was opened.
    pub silence_saved_ms: u64,
    /// A jump into a VBR MP3 is reading the frames before its target: how far, 0–1 (the bar
    /// says "Finding 34:10… 45 %").
    pub finding: Option<f32>,
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
    /// The frame index of `key`'s stream of `url` has grown since it was loaded or last
    /// told: the library keeps it, so later jumps (and the next session's) read no prefix.
    FrameIndex {
        key: String,
        url: String,
        index: frame_index::SavedFrameIndex,
    },
    /// A skipped stretch of `key` was jumped over (a chapter the listener skips, the intro or
    /// the outro); [`Command::UndoSkip`] plays it after all.
    Skipped {
        key: String,
        reason: skips::SkipReason,
        from_ms: u64,
        to_ms: u64,
    },
}

/// Commands, in the order they were sent.
#[derive(Debug, Clone, PartialEq)]
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
    /// What to skip in episode `key` (intro, outro, chapters by title). Ignored unless `key`
    /// is what is loaded.
    SetSkips {
        key: String,
        skips: skips::Skips,
    },
    /// Go back to the start of what was just skipped and play it.
    UndoSkip,
    /// New sound settings for episode `key` (the listener changed its show's profile).
    SetSound {
        key: String,
        sound: SoundSettings,
    },
    /// When each cue of episode `key`'s transcript starts, in order: the player reports the
    /// current one. Ignored unless `key` is what is loaded (a late answer for another episode).
    SetCues {
        key: String,
        starts_ms: Vec<u64>,
    },
    /// Starts (or, with `None`, cancels) the sleep timer.
    SetSleepTimer(Option<SleepTimer>),
    /// Opens the audio device now, so the first Play does not wait for it.
    PrepareOutput,
    /// Tries the stream's host again now instead of waiting out the backoff.
    RetryNow,
    Stop,
}

/// What reaches the actor: the public commands, and the results of opening an episode, which
/// happens off its thread so that a slow or unreachable server never holds up a Pause.
enum Message {
    Command(Command),
    Opened {
        request: u64,
        result: Box<Result<Decoding, PlayerError>>,
    },
    /// The output device went away.
    /// With the number of the device it came from ([`Actor::device_number`]).
    DeviceLost(String, u64),
    /// Saves the position and stops; the sender hears back when done.
    Shutdown(Sender<()>),
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
        if self.messages.send(Message::Shutdown(tx)).is_ok() {
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

/// The episode being opened off the actor thread.
struct Opening {
    request: u64,
    stream: Option<RangeStream>,
    /// The URL streamed, as the load request named it.
    url: Option<String>,
    /// The opener's result, held until the machine says whether to attach it.
    opened: Option<Decoding>,
}

/// The loaded episode's audio.
struct Loaded {
    ring: Arc<Ring>,
    feeder: Feeder,
    /// The rodio player holding our source; None until sound is first wanted.
    sink_player: Option<rodio::Player>,
    /// A streamed VBR MP3's frame index, to be kept.
    frame_index: Option<KeptIndex>,
}

/// A streamed VBR MP3's frame index and what was last told of it.
struct KeptIndex {
    handle: frame_index::FrameIndexHandle,
    /// The URL the index is of (the load request's).
    url: String,
    /// Frames when last told, or when loaded.
    told_frames: u64,
    told_at: Instant,
    /// The episode's key, from its first position save.
    key: Option<String>,
}

/// Carries out the [`machine`]'s decisions on the device, the decoder and the network, and
/// measures them for it.
struct Actor {
    machine: Machine,
    http: HttpClient,
    runtime: tokio::runtime::Runtime,
    retry: RetryPolicy,
    /// For the opener threads and the device's error callback to reach the actor.
    to_self: Sender<Message>,
    on_event: EventSink,
    clock: Instant,
    device: Option<rodio::MixerDeviceSink>,
    /// Counts the devices opened, so that a loss reported late by one let go is told apart.
    device_number: u64,
    opening: Option<Opening>,
    loaded: Option<Loaded>,
    last_status: Option<PlayerStatus>,
    /// What the output drops (episode ms), kept for the next episode attached too.
    skip_ranges_ms: Vec<(u64, u64)>,
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
            machine: Machine::default(),
            http,
            runtime,
            retry,
            to_self,
            on_event,
            clock: Instant::now(),
            device: None,
            device_number: 0,
            opening: None,
            loaded: None,
            last_status: None,
            skip_ranges_ms: Vec::new(),
        }
    }

    fn run(&mut self, messages: Receiver<Message>) {
        loop {
            let (input, done, force) = match messages.recv_timeout(TICK) {
                Ok(Message::Shutdown(done)) => (Input::Shutdown, Some(done), true),
                Err(RecvTimeoutError::Disconnected) => (Input::Shutdown, None, true),
                Ok(Message::Command(command)) => (Input::Command(command), None, true),
                Ok(Message::Opened { request, result }) => {
                    (self.take_opened(request, *result), None, true)
                }
                // A loss reported by a device already let go (released while idle, then
                // opened again) is not about the device in use.
                Ok(Message::DeviceLost(_, number)) if number != self.device_number => continue,
                Ok(Message::DeviceLost(detail, _)) => (Input::DeviceLost { detail }, None, true),
                Err(RecvTimeoutError::Timeout) => (Input::Tick, None, false),
            };
            let quitting = input == Input::Shutdown;
            // Every message is followed by a tick, so a command's effect on the buffer is
            // seen (and reported) at once.
            let then_tick = !quitting && input != Input::Tick;
            // A bug of ours in carrying out one input must not leave the listener with a
            // player that silently does nothing: the episode fails, the player goes on.
            let step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.feed(input);
                if then_tick {
                    self.feed(Input::Tick);
                }
            }));
            if step.is_err() {
                tracing::error!("the player failed on an input; unloading the episode");
                self.feed(Input::Crashed);
            }
            if quitting {
                if let Some(done) = done {
                    let _ = done.send(());
                }
                return;
            }
            self.report(force);
        }
    }

    /// Holds an opener's decoding for the machine to attach (or not); returns the input.
    fn take_opened(&mut self, request: u64, result: Result<Decoding, PlayerError>) -> Input {
        let result = result.map(|decoding| {
            let rate = u64::from(decoding.sample_rate.max(1));
            let audio = OpenedAudio {
                duration_ms: decoding.duration_frames.map(|f| f * 1000 / rate),
            };
            match self.opening.as_mut() {
                Some(o) if o.request == request => o.opened = Some(decoding),
                _ => decoding.close(),
            }
            audio
        });
        Input::Opened { request, result }
    }

    /// Steps the machine with `input` and carries out what it decides, and what that leads
    /// to, in order.
    fn feed(&mut self, input: Input) {
        let mut inputs = VecDeque::from([input]);
        while let Some(input) = inputs.pop_front() {
            let seen = self.seen();
            for effect in self.machine.step(input, &seen) {
                if let Some(next) = self.carry_out(effect) {
                    inputs.push_back(next);
                }
            }
        }
        // An opened decoding the machine did not attach is stale.
        if let Some(decoding) = self.opening.as_mut().and_then(|o| o.opened.take()) {
            decoding.close();
        }
    }

    fn seen(&self) -> Seen {
        let now_ms = self.clock.elapsed().as_millis() as u64;
        let stalled = self.stream().is_some_and(|s| s.stats().outage.is_some());
        let Some(loaded) = &self.loaded else {
            return Seen {
                now_ms,
                stalled,
                ..Seen::default()
            };
        };
        let rate = u64::from(loaded.ring.sample_rate.max(1));
        let buffer = {
            let inner = loaded.ring.lock();
            Buffer {
                ended: inner.ended,
                empty: inner.samples.is_empty(),
                loading: inner.loading,
                starved: loaded.ring.starved.load(Ordering::Relaxed),
            }
        };
        Seen {
            now_ms,
            position_ms: loaded.ring.position_frame() * 1000 / rate,
            buffer,
            decoder_error: loaded.feeder.error(),
            stalled,
            silence_saved_ms: loaded.ring.silence_dropped_frames.load(Ordering::Relaxed) * 1000
                / rate,
            finding: loaded.feeder.finding(),
        }
    }

    /// Does one thing the machine decided; a failure comes back as the next input.
    fn carry_out(&mut self, effect: Effect) -> Option<Input> {
        match effect {
            Effect::Open {
                request,
                location,
                mime,
                frame_index,
            } => self
                .open(request, &location, mime, frame_index)
                .err()
                .map(|error| Input::Opened {
                    request,
                    result: Err(error),
                }),
            Effect::Unload => {
                if let Some(opening) = self.opening.take() {
                    // Its opener gives up once the stream is closed; its result will be stale.
                    if let Some(s) = opening.stream {
                        s.close();
                    }
                    if let Some(d) = opening.opened {
                        d.close();
                    }
                }
                // What the index grew by since it was last told is kept, however little.
                self.tell_frame_index(None, true);
                if let Some(mut loaded) = self.loaded.take() {
                    if let Some(p) = loaded.sink_player.take() {
                        p.stop();
                    }
                }
                None
            }
            Effect::Attach {
                request,
                start_ms,
                speed,
                sound,
            } => {
                let opening = self.opening.take().filter(|o| o.request == request)?;
                let decoding = opening.opened?;
                let rate = decoding.sample_rate;
                let ring = Arc::new(Ring::new(decoding.channels, rate));
                ring.set_speed(speed);
                ring.set_skip_ranges(&self.skip_ranges_ms);
                ring.set_sound(sound);
                let start_frame = start_ms * u64::from(rate) / 1000;
                // Only a stream's index is worth keeping: a local file is indexed whole, at
                // disk speed, on its first jump.
                let frame_index =
                    opening
                        .url
                        .clone()
                        .zip(decoding.frame_index())
                        .map(|(url, handle)| KeptIndex {
                            told_frames: handle.frames(),
                            told_at: Instant::now(),
                            handle,
                            url,
                            key: None,
                        });
                let index_fetcher = opening
                    .stream
                    .as_ref()
                    .map(|stream| self.index_fetcher(stream.url()));
                let feeder = Feeder::start(
                    decoding,
                    Arc::clone(&ring),
                    opening.stream,
                    start_frame,
                    index_fetcher,
                );
                self.loaded = Some(Loaded {
                    ring,
                    feeder,
                    sink_player: None,
                    frame_index,
                });
                None
            }
            Effect::OpenDevice => {
                if self.device.is_none() {
                    // A failure is reported by the Play that needs the device.
                    self.device = self.open_device().ok();
                }
                None
            }
            Effect::DropDevice => {
                if let Some(p) = self.loaded.as_mut().and_then(|l| l.sink_player.take()) {
                    p.stop();
                }
                self.device = None;
                None
            }
            Effect::StartOutput { gain } => match self.connect_output(gain) {
                Ok(()) => {
                    if let Some(p) = self.sink_player() {
                        p.play();
                    }
                    None
                }
                Err(error) => Some(Input::OutputFailed(error)),
            },
            Effect::PauseOutput => {
                if let Some(p) = self.sink_player() {
                    p.pause();
                }
                None
            }
            Effect::Seek { ms } => {
                if let Some(l) = &self.loaded {
                    l.feeder.seek(ms * u64::from(l.ring.sample_rate) / 1000);
                }
                None
            }
            Effect::SetSpeed(speed) => {
                if let Some(l) = &self.loaded {
                    l.ring.set_speed(speed);
                }
                None
            }
            Effect::SetGain(gain) => {
                if let Some(p) = self.sink_player() {
                    p.set_volume(gain);
                }
                None
            }
            Effect::Prefetch { ms } => {
                if let Some(l) = &self.loaded {
                    let rate = u64::from(l.ring.sample_rate);
                    l.feeder
                        .prefetch(ms.iter().map(|ms| ms * rate / 1000).collect());
                }
                None
            }
            Effect::SetSound(sound) => {
                if let Some(l) = &self.loaded {
                    l.ring.set_sound(sound);
                }
                None
            }
            Effect::SetSkipRanges(ranges) => {
                if let Some(l) = &self.loaded {
                    l.ring.set_skip_ranges(&ranges);
                }
                self.skip_ranges_ms = ranges;
                None
            }
            Effect::Skipped {
                key,
                reason,
                from_ms,
                to_ms,
            } => {
                (self.on_event)(PlayerEvent::Skipped {
                    key,
                    reason,
                    from_ms,
                    to_ms,
                });
                None
            }
            Effect::RetryNow => {
                if let Some(stream) = self.stream() {
                    stream.retry_now();
                }
                None
            }
            Effect::SavePosition {
                key,
                position_ms,
                finished,
                duration_ms,
            } => {
                (self.on_event)(PlayerEvent::SavePosition {
                    key: key.clone(),
                    position_ms,
                    finished,
                    duration_ms,
                });
                self.tell_frame_index(Some(key), false);
                None
            }
        }
    }

    /// Fetches parts of `url` for its frame index's background extension: one Range request
    /// each, which gives up after [`INDEX_FETCH_TIMEOUT`] (the index is a bonus; playback's
    /// own stream reports an outage) or as soon as the feeder calls it off.
    fn index_fetcher(&self, url: String) -> feeder::IndexFetcher {
        let runtime = self.runtime.handle().clone();
        let http = self.http.clone();
        Box::new(move |at: u64, len: usize, abort: &dyn Fn() -> bool| {
            runtime.block_on(async {
                let fetch =
                    tokio::time::timeout(INDEX_FETCH_TIMEOUT, http.get_range(&url, at, len as u64));
                let called_off = async {
                    while !abort() {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                };
                tokio::select! {
                    got = fetch => got.ok()?.ok().filter(|b| b.offset == at).map(|b| b.bytes),
                    () = called_off => None,
                }
            })
        })
    }

    /// Tells the loaded stream's frame index when it has grown enough to be worth keeping:
    /// by [`FRAME_INDEX_TELL_FRAMES`] (a jump's prefix read), at all once complete, at all
    /// after [`FRAME_INDEX_TELL_AFTER`] (playing on extends it a little at a time), or at all
    /// when `finally` (the episode is let go). `key` is the episode's, from a position save.
    fn tell_frame_index(&mut self, key: Option<String>, finally: bool) {
        let now = Instant::now();
        let Some(kept) = self.loaded.as_mut().and_then(|l| l.frame_index.as_mut()) else {
            return;
        };
        if let Some(key) = key {
            kept.key = Some(key);
        }
        let frames = kept.handle.frames();
        let grown = frames.saturating_sub(kept.told_frames);
        let worth_it = finally
            || grown >= FRAME_INDEX_TELL_FRAMES
            || now.duration_since(kept.told_at) >= FRAME_INDEX_TELL_AFTER
            || kept.handle.complete();
        let (Some(key), true) = (kept.key.clone(), grown > 0 && worth_it) else {
            return;
        };
        let Some(index) = kept.handle.saved() else {
            return;
        };
        kept.told_frames = frames;
        kept.told_at = now;
        let url = kept.url.clone();
        (self.on_event)(PlayerEvent::FrameIndex { key, url, index });
    }

    /// Starts opening `location` off this thread; the result comes back as a message.
    fn open(
        &mut self,
        request: u64,
        location: &MediaLocation,
        mime: Option<String>,
        frame_index: Option<frame_index::SavedFrameIndex>,
    ) -> Result<(), PlayerError> {
        let (input, stream) = match location {
            MediaLocation::File(path) => match std::fs::File::open(path) {
                Ok(file) => (MediaInput::File(file), None),
                Err(e) => {
                    return Err(PlayerError::Unreadable {
                        detail: format!("{}: {e}", path.display()),
                    })
                }
            },
            MediaLocation::Url(url) => {
                let stream =
                    RangeStream::start(self.runtime.handle(), self.http.clone(), url, self.retry)
                        .map_err(|e| PlayerError::from(&e))?;
                (MediaInput::Stream(stream.clone()), Some(stream))
            }
        };
        let to_self = self.to_self.clone();
        let opener = std::thread::Builder::new()
            .name("chaptercast-open".into())
            .spawn(move || {
                let result =
                    Decoding::open_with_index(input, mime.as_deref(), frame_index.as_ref())
                        .map_err(|e| {
                            tracing::info!(error = %e, "cannot open the audio");
                            PlayerError::from(&e)
                        });
                let _ = to_self.send(Message::Opened {
                    request,
                    result: Box::new(result),
                });
            });
        if let Err(e) = opener {
            if let Some(s) = &stream {
                s.close();
            }
            return Err(PlayerError::Unreadable {
                detail: e.to_string(),
            });
        }
        let url = match location {
            MediaLocation::Url(url) => Some(url.clone()),
            MediaLocation::File(_) => None,
        };
        self.opening = Some(Opening {
            request,
            stream,
            url,
            opened: None,
        });
        Ok(())
    }

    fn open_device(&mut self) -> Result<rodio::MixerDeviceSink, PlayerError> {
        let to_self = self.to_self.clone();
        self.device_number += 1;
        let number = self.device_number;
        output::open_device(move |detail| {
            let _ = to_self.send(Message::DeviceLost(detail, number));
        })
        .map_err(|e| PlayerError::NoDevice {
            detail: e.to_string(),
        })
    }

    /// Connects the loaded episode to the device, opening the device when needed (it may have
    /// appeared since the last try).
    fn connect_output(&mut self, gain: f32) -> Result<(), PlayerError> {
        if self.loaded.as_ref().is_none_or(|l| l.sink_player.is_some()) {
            return Ok(());
        }
        if self.device.is_none() {
            self.device = Some(self.open_device()?);
        }
        let (Some(device), Some(loaded)) = (&self.device, self.loaded.as_mut()) else {
            return Ok(());
        };
        let player = rodio::Player::connect_new(device.mixer());
        player.set_volume(gain);
        player.pause();
        player.append(output::RingSource::new(Arc::clone(&loaded.ring)));
        loaded.sink_player = Some(player);
        Ok(())
    }

    fn sink_player(&self) -> Option<&rodio::Player> {
        self.loaded.as_ref().and_then(|l| l.sink_player.as_ref())
    }

    /// The stream being opened or played, if it is one.
    fn stream(&self) -> Option<&RangeStream> {
        self.opening
            .as_ref()
            .and_then(|o| o.stream.as_ref())
            .or_else(|| self.loaded.as_ref().and_then(|l| l.feeder.stream()))
    }

    /// Reports the status when it changed (or always while playing, for the position).
    fn report(&mut self, force: bool) {
        let stats = self.stream().map(|s| s.stats()).unwrap_or_default();
        let network = stats.outage.as_ref().map(|o| NetworkStall {
            host: o.host.clone(),
            for_ms: o.since.elapsed().as_millis() as u64,
            attempts: o.attempts,
            had_answered: o.had_answered,
        });
        // Everything fetched for this episode: its stream's and its index's own requests.
        let index_bytes = self.loaded.as_ref().map_or(0, |l| l.feeder.index_bytes());
        let status = self.machine.status(
            &self.seen(),
            network,
            stats.progressive,
            stats.bytes_fetched + index_bytes,
        );
        if let Some(loaded) = &self.loaded {
            loaded
                .feeder
                .set_playing(status.state == PlaybackState::Playing);
        }
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

/// "Played" from this close to the end on: outros and ads are often skipped.
pub fn is_near_end(position_ms: u64, duration_ms: u64) -> bool {
    duration_ms > 0 && position_ms.saturating_add(30_000.min(duration_ms / 20)) >= duration_ms
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
