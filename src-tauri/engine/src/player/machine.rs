//! What the player does, decided without touching anything.
//!
//! A [`Phase`] that carries its data, and [`Machine::step`]: one input, plus what the actor
//! measured of the world just before it ([`Seen`]), gives the next phase and a list of
//! [`Effect`]s. No threads, devices, clocks or network here. The actor (the parent module)
//! measures, feeds inputs in order and carries the effects out. Every transition is tested by
//! table below. The model is psst's player: opening is tagged with a request id, and a result
//! for a request that is no longer current is dropped.

use super::skips::{range_at, skip_ranges, SkipRange, SkipReason, Skips};
use super::sleep::{SleepState, SleepStep};
use super::{
    is_near_end, mime_from_location, Command, LoadRequest, MediaLocation, NetworkStall,
    PlaybackState, PlayerError, PlayerStatus, SleepStatus, SoundSettings, MAX_SPEED, MIN_SPEED,
};
use crate::chapters::{chapter_at, chapter_step_target, visible_index, Chapter};

/// Chapter starts are prefetched once this much has played without a jump: a listener who is
/// skipping around pays only for what they hear.
const PREFETCH_AFTER_MS: u64 = 5_000;
/// How often the position is handed over for saving while playing.
const SAVE_EVERY_MS: u64 = 5_000;
/// "Previous chapter" restarts the current one when more than this far into it.
const RESTART_CHAPTER_AFTER_MS: u64 = 3_000;
/// While the listener waits for sound and the host does not answer, it is tried at least this
/// often, whatever the stream's own backoff (which grows to 15 s): a network that comes back is
/// heard within about a second, not a quarter of a minute. A try that fails costs nothing
/// noticeable (a refused connection, a failed name lookup).
const NUDGE_EVERY_MS: u64 = 1_000;
/// After this long waiting, tries every [`NUDGE_LATER_MS`] are enough.
const NUDGE_FAST_FOR_MS: u64 = 30_000;
const NUDGE_LATER_MS: u64 = 5_000;
/// The audio device is let go after this long without sound wanted (paused, stopped, ended,
/// failed), as desktop players do: the sound server can suspend the card and other programs
/// get it, and the next Play opens it again (~0.1 s).
pub const RELEASE_DEVICE_AFTER_MS: u64 = 3 * 60 * 1000;

/// What the actor measured just before an input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Seen {
    /// A monotonic clock in milliseconds.
    pub now_ms: u64,
    /// Where the loaded episode's sound is (ignored while nothing is loaded).
    pub position_ms: u64,
    pub buffer: Buffer,
    /// The decoder stopped on this error.
    pub decoder_error: Option<PlayerError>,
    /// The stream's host is not answering (it retries by itself).
    pub stalled: bool,
    /// Episode time skip silence has left out since the episode was opened.
    pub silence_saved_ms: u64,
    /// A jump is reading the frames before its target: how far, 0–1.
    pub finding: Option<f32>,
}

/// The decoded audio waiting for the device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Buffer {
    /// The decoder reached the end of the audio.
    pub ended: bool,
    /// Nothing decoded is waiting.
    pub empty: bool,
    /// Still waiting for the first audio after a load or a jump.
    pub loading: bool,
    /// The device asked for audio and there was none.
    pub starved: bool,
}

/// What the audio turned out to be once opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenedAudio {
    pub duration_ms: Option<u64>,
}

/// Everything that can happen to the player, in the order it happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// What the listener (or the session) asked for.
    Command(Command),
    /// Quitting: remember where the listener is and let go of everything.
    Shutdown,
    /// An opener finished the request with this id.
    Opened {
        request: u64,
        result: Result<OpenedAudio, PlayerError>,
    },
    /// The device could not be opened or connected when sound was wanted.
    OutputFailed(PlayerError),
    /// The device went away while in use (unplugged, the sound server stopped).
    DeviceLost { detail: String },
    /// Time passed (the actor ticks about ten times a second).
    Tick,
    /// Carrying out the last input failed inside the actor (a bug of ours): the episode
    /// fails, the player goes on.
    Crashed,
}

/// What the actor is to do, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Open `location` off the actor thread; the result comes back as [`Input::Opened`].
    Open {
        request: u64,
        location: MediaLocation,
        mime: Option<String>,
        /// The file's frame index from an earlier stream of it.
        frame_index: Option<super::frame_index::SavedFrameIndex>,
    },
    /// Let go of the episode being opened and of the loaded one.
    Unload,
    /// Start decoding the opened audio of `request` from `start_ms`.
    Attach {
        request: u64,
        start_ms: u64,
        speed: f32,
        sound: SoundSettings,
    },
    /// The loaded episode's sound chain settings changed.
    SetSound(SoundSettings),
    /// Open the device ahead of the first Play.
    OpenDevice,
    /// Forget the device (it went away): the next Play opens it again.
    DropDevice,
    /// Connect the loaded episode to the device (opening it if needed) at `gain`, and start
    /// the sound. A failure comes back as [`Input::OutputFailed`].
    StartOutput {
        gain: f32,
    },
    PauseOutput,
    Seek {
        ms: u64,
    },
    SetSpeed(f32),
    /// The output's volume: the listener's times the sleep timer's fade.
    SetGain(f32),
    /// Drop whatever reaches the output inside these ranges of episode time (ms).
    SetSkipRanges(Vec<(u64, u64)>),
    /// Jumped over a skipped range of `key`: the listener hears about it (and may undo it).
    Skipped {
        key: String,
        reason: SkipReason,
        from_ms: u64,
        to_ms: u64,
    },
    /// Fetch these positions' first seconds ahead, likeliest first.
    Prefetch {
        ms: Vec<u64>,
    },
    RetryNow,
    /// Remember where the listener is in `key`.
    SavePosition {
        key: String,
        position_ms: u64,
        finished: bool,
        duration_ms: Option<u64>,
    },
}

/// Where the player is.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Idle,
    /// Waiting for the opener of `request`.
    Opening {
        request: u64,
        load: Box<LoadRequest>,
    },
    Ready(Ready),
    /// The episode could not be opened. The bar still names it, and Play tries again.
    Failed {
        key: Option<String>,
        retry: Option<Box<LoadRequest>>,
        error: PlayerError,
    },
}

/// An opened episode.
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    pub key: String,
    pub duration_ms: Option<u64>,
    pub streaming: bool,
    pub mode: Mode,
    /// A problem that leaves the episode loaded (no device), shown until the next Play.
    pub notice: Option<PlayerError>,
    /// Since when (clock ms) it has played without a jump.
    pub playing_since: Option<u64>,
    pub prefetched: bool,
}

/// What an opened episode is doing.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Paused,
    Playing,
    /// Sound is wanted, and the decoder has none ready yet.
    Buffering,
    /// Played to the end (and reported as finished).
    Ended,
    /// The decoder stopped on an error; a jump or Play tries again from there.
    Failed {
        error: PlayerError,
        wanted_play: bool,
    },
}

/// The player's state and the listener's settings that outlive an episode.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    phase: Phase,
    /// The current episode's chapters.
    chapters: Vec<Chapter>,
    /// When the current episode's transcript cues start, in order.
    cue_starts_ms: Vec<u64>,
    /// How the current episode should sound (its show's profile).
    sound: SoundSettings,
    /// What the listener skips in the current episode, and what of it they chose to hear.
    skips: Skips,
    skip_allowed: Vec<u64>,
    /// Where the current episode's load started (the intro is skipped only from before it).
    load_start_ms: u64,
    /// The ranges the output was last told to drop.
    told_ranges: Vec<(u64, u64)>,
    /// The last jump over a skipped range (for Undo).
    last_skip: Option<SkipRange>,
    speed: f32,
    volume: f32,
    /// The sleep timer's fade, 1.0 when none.
    fade: f32,
    sleep: Option<SleepState>,
    last_request: u64,
    last_save_ms: u64,
    last_tick_ms: Option<u64>,
    last_nudge_ms: u64,
    /// Since when the listener has waited for sound from a host that does not answer.
    waiting_since_ms: Option<u64>,
    /// The device is open (or asked to be): it was opened or started, and not dropped since.
    device_held: bool,
    /// Since when no sound has been wanted while the device is held.
    quiet_since_ms: Option<u64>,
    /// When the episode being opened was asked for.
    opening_since_ms: u64,
}

impl Default for Machine {
    fn default() -> Self {
        Machine {
            phase: Phase::Idle,
            chapters: Vec::new(),
            cue_starts_ms: Vec::new(),
            sound: SoundSettings::default(),
            skips: Skips::default(),
            skip_allowed: Vec::new(),
            load_start_ms: 0,
            told_ranges: Vec::new(),
            last_skip: None,
            speed: 1.0,
            volume: 1.0,
            fade: 1.0,
            sleep: None,
            last_request: 0,
            last_save_ms: 0,
            last_tick_ms: None,
            last_nudge_ms: 0,
            waiting_since_ms: None,
            device_held: false,
            quiet_since_ms: None,
            opening_since_ms: 0,
        }
    }
}

impl Machine {
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    pub fn speed(&self) -> f32 {
        self.speed
    }

    /// Whether the listener wants sound (rather than a pause).
    pub fn wants_play(&self) -> bool {
        match &self.phase {
            Phase::Opening { load, .. } => load.autoplay,
            Phase::Ready(r) => matches!(r.mode, Mode::Playing | Mode::Buffering),
            Phase::Idle | Phase::Failed { .. } => false,
        }
    }

    /// Where the listener is: the start asked for while opening, the sound once loaded.
    pub fn position_ms(&self, seen: &Seen) -> u64 {
        match &self.phase {
            Phase::Opening { load, .. } => load.start_ms,
            Phase::Ready(_) => seen.position_ms,
            Phase::Idle | Phase::Failed { .. } => 0,
        }
    }

    /// Takes one input; returns what to do, in order.
    pub fn step(&mut self, input: Input, seen: &Seen) -> Vec<Effect> {
        let mut out = self.decide(input, seen);
        for effect in &out {
            match effect {
                Effect::OpenDevice | Effect::StartOutput { .. } => self.device_held = true,
                Effect::DropDevice => self.device_held = false,
                _ => {}
            }
        }
        self.release_idle_device(seen, &mut out);
        out
    }

    /// Lets the device go once no sound has been wanted for [`RELEASE_DEVICE_AFTER_MS`], or
    /// an episode to play has been opening that long (offline, its host retried): the device
    /// opened for it at once, and opens again when it has sound to give.
    fn release_idle_device(&mut self, seen: &Seen, out: &mut Vec<Effect>) {
        let opening_for_long = matches!(self.phase, Phase::Opening { .. })
            && seen.now_ms.saturating_sub(self.opening_since_ms) >= RELEASE_DEVICE_AFTER_MS;
        if !self.device_held || (self.wants_play() && !opening_for_long) {
            self.quiet_since_ms = None;
            return;
        }
        let quiet_from = if opening_for_long {
            self.opening_since_ms
        } else {
            seen.now_ms
        };
        let since = *self.quiet_since_ms.get_or_insert(quiet_from);
        if seen.now_ms.saturating_sub(since) >= RELEASE_DEVICE_AFTER_MS {
            out.push(Effect::DropDevice);
            self.device_held = false;
            self.quiet_since_ms = None;
        }
    }

    fn decide(&mut self, input: Input, seen: &Seen) -> Vec<Effect> {
        let mut out = Vec::new();
        match input {
            Input::Command(command) => self.command(command, seen, &mut out),
            Input::Shutdown => {
                self.save(seen, &mut out);
                out.push(Effect::Unload);
                self.phase = Phase::Idle;
            }
            Input::Opened { request, result } => self.opened(request, result, seen, &mut out),
            Input::OutputFailed(error) => {
                if let Phase::Ready(r) = &mut self.phase {
                    if matches!(r.mode, Mode::Playing | Mode::Buffering) {
                        r.mode = Mode::Paused;
                    }
                    r.notice = Some(error);
                }
            }
            Input::DeviceLost { detail } => {
                let was_playing = self.wants_play();
                out.push(Effect::DropDevice);
                if let Phase::Ready(r) = &mut self.phase {
                    if was_playing {
                        r.mode = Mode::Paused;
                        r.notice = Some(PlayerError::NoDevice { detail });
                    }
                }
                if was_playing {
                    self.save(seen, &mut out);
                }
            }
            Input::Tick => self.tick(seen, &mut out),
            Input::Crashed => {
                let key = self.key();
                out.push(Effect::Unload);
                self.phase = Phase::Failed {
                    key,
                    retry: None,
                    error: PlayerError::Damaged {
                        detail: "the player failed".into(),
                    },
                };
            }
        }
        out
    }

    /// What the listener (or the session) asked for.
    fn command(&mut self, command: Command, seen: &Seen, out: &mut Vec<Effect>) {
        match command {
            Command::Load(load) => self.load(load, seen, out),
            Command::Play => self.play(seen, out),
            Command::Pause => self.pause(seen, out),
            Command::Toggle => {
                if self.wants_play() {
                    self.pause(seen, out)
                } else {
                    self.play(seen, out)
                }
            }
            Command::SeekTo(ms) => self.listener_seek(ms, out),
            Command::SeekBy(delta) => {
                let now = self.position_ms(seen) as i64;
                self.listener_seek(now.saturating_add(delta).max(0) as u64, out)
            }
            Command::ChapterStep(step) => {
                let at = self.position_ms(seen);
                if let Some(ms) =
                    chapter_step_target(&self.chapters, at, step, RESTART_CHAPTER_AFTER_MS)
                {
                    self.listener_seek(ms, out)
                }
            }
            Command::SetSkips { key, skips } => {
                if self.key().as_deref() == Some(key.as_str()) {
                    self.skips = skips;
                    self.update_skip_ranges(out);
                }
            }
            Command::SetSound { key, sound } => {
                if self.key().as_deref() == Some(key.as_str()) {
                    self.sound = sound.clone();
                    out.push(Effect::SetSound(sound));
                }
            }
            Command::UndoSkip => {
                if let Some(skipped) = self.last_skip.take() {
                    self.skip_allowed.push(skipped.from_ms);
                    self.update_skip_ranges(out);
                    self.seek(skipped.from_ms, out);
                }
            }
            Command::SetSpeed(speed) => {
                if speed.is_finite() {
                    self.speed = speed.clamp(MIN_SPEED, MAX_SPEED);
                    out.push(Effect::SetSpeed(self.speed));
                }
            }
            Command::SetVolume(volume) => {
                if volume.is_finite() {
                    self.volume = volume.clamp(0.0, 1.0);
                    out.push(Effect::SetGain(self.gain()));
                }
            }
            Command::SetChapters(chapters) => {
                self.chapters = chapters;
                if let Phase::Ready(r) = &mut self.phase {
                    r.prefetched = false;
                }
                self.update_skip_ranges(out);
            }
            Command::SetCues { key, starts_ms } => {
                if self.key().as_deref() == Some(key.as_str()) {
                    self.cue_starts_ms = starts_ms;
                }
            }
            Command::SetSleepTimer(timer) => {
                let end = self.chapter_end_ms(self.position_ms(seen));
                self.sleep = timer.map(|t| SleepState::new(t, end));
                self.fade = 1.0;
                out.push(Effect::SetGain(self.gain()));
            }
            Command::PrepareOutput => out.push(Effect::OpenDevice),
            // After a final error, Retry means "try to play it again".
            Command::RetryNow => match &self.phase {
                Phase::Failed { retry: Some(_), .. } => self.play(seen, out),
                _ => out.push(Effect::RetryNow),
            },
            Command::Stop => {
                self.save(seen, out);
                out.push(Effect::Unload);
                self.phase = Phase::Idle;
            }
        }
    }

    fn gain(&self) -> f32 {
        self.volume * self.fade
    }

    fn key(&self) -> Option<String> {
        match &self.phase {
            Phase::Idle => None,
            Phase::Opening { load, .. } => Some(load.key.clone()),
            Phase::Ready(r) => Some(r.key.clone()),
            Phase::Failed { key, .. } => key.clone(),
        }
    }

    fn load(&mut self, load: Box<LoadRequest>, seen: &Seen, out: &mut Vec<Effect>) {
        self.save(seen, out);
        out.push(Effect::Unload);
        self.last_request += 1;
        let mime = load
            .mime
            .clone()
            .or_else(|| mime_from_location(&load.location));
        out.push(Effect::Open {
            request: self.last_request,
            location: load.location.clone(),
            mime,
            frame_index: load.frame_index.clone(),
        });
        if load.autoplay && !self.device_held {
            // The device opens while the episode's first bytes are on their way, not after.
            out.push(Effect::OpenDevice);
        }
        self.opening_since_ms = seen.now_ms;
        self.chapters = load.chapters.clone();
        self.sound = load.sound.clone();
        if self.key().as_deref() != Some(load.key.as_str()) {
            self.cue_starts_ms.clear();
            self.skips = load.skips.clone();
            self.skip_allowed.clear();
            self.last_skip = None;
            self.load_start_ms = load.start_ms;
        }
        self.last_save_ms = seen.now_ms;
        self.phase = Phase::Opening {
            request: self.last_request,
            load,
        };
    }

    /// An opener's result: dropped unless it answers the request being opened.
    fn opened(
        &mut self,
        request: u64,
        result: Result<OpenedAudio, PlayerError>,
        seen: &Seen,
        out: &mut Vec<Effect>,
    ) {
        let Phase::Opening {
            request: current,
            load,
        } = &self.phase
        else {
            return;
        };
        if *current != request {
            return;
        }
        let load = load.clone();
        match result {
            Err(error) => {
                out.push(Effect::Unload);
                self.phase = Phase::Failed {
                    key: Some(load.key.clone()),
                    retry: Some(load),
                    error,
                };
            }
            Ok(audio) => {
                let start_ms = match audio.duration_ms {
                    Some(d) if load.start_ms >= d => 0,
                    _ => load.start_ms,
                };
                out.push(Effect::Attach {
                    request,
                    start_ms,
                    speed: self.speed,
                    sound: self.sound.clone(),
                });
                let mode = if load.autoplay {
                    out.push(Effect::StartOutput { gain: self.gain() });
                    Mode::Buffering
                } else {
                    Mode::Paused
                };
                self.last_save_ms = seen.now_ms;
                self.phase = Phase::Ready(Ready {
                    key: load.key,
                    duration_ms: audio.duration_ms,
                    streaming: matches!(load.location, MediaLocation::Url(_)),
                    mode,
                    notice: None,
                    playing_since: None,
                    prefetched: false,
                });
            }
        }
    }

    fn play(&mut self, seen: &Seen, out: &mut Vec<Effect>) {
        let gain = self.gain();
        match &mut self.phase {
            Phase::Idle => {}
            Phase::Opening { load, .. } => load.autoplay = true,
            Phase::Failed { retry, .. } => {
                if let Some(load) = retry.take() {
                    let mut load = load;
                    load.autoplay = true;
                    self.load(load, seen, out);
                }
            }
            Phase::Ready(r) => {
                let restart_at = match &r.mode {
                    Mode::Playing | Mode::Buffering => return,
                    Mode::Paused => None,
                    Mode::Ended => Some(0),
                    Mode::Failed { .. } => Some(seen.position_ms),
                };
                r.notice = None;
                if let Some(ms) = restart_at {
                    r.playing_since = None;
                    out.push(Effect::Seek { ms });
                }
                r.mode = Mode::Playing;
                out.push(Effect::StartOutput { gain });
            }
        }
    }

    fn pause(&mut self, seen: &Seen, out: &mut Vec<Effect>) {
        match &mut self.phase {
            Phase::Opening { load, .. } => load.autoplay = false,
            Phase::Ready(r) => {
                match &mut r.mode {
                    Mode::Playing | Mode::Buffering => r.mode = Mode::Paused,
                    Mode::Failed { wanted_play, .. } => *wanted_play = false,
                    Mode::Paused | Mode::Ended => {}
                }
                r.playing_since = None;
                out.push(Effect::PauseOutput);
                self.save(seen, out);
            }
            Phase::Idle | Phase::Failed { .. } => {}
        }
    }

    fn seek(&mut self, ms: u64, out: &mut Vec<Effect>) {
        let gain = self.gain();
        let duration_ms = self.duration_ms();
        let chapters = &self.chapters;
        match &mut self.phase {
            Phase::Opening { load, .. } => load.start_ms = ms,
            Phase::Failed {
                retry: Some(load), ..
            } => load.start_ms = ms,
            Phase::Idle | Phase::Failed { retry: None, .. } => {}
            Phase::Ready(r) => {
                let ms = match r.duration_ms {
                    Some(d) => ms.min(d.saturating_sub(1)),
                    None => ms,
                };
                out.push(Effect::Seek { ms });
                let end = chapter_end_ms(chapters, duration_ms, ms);
                if let Some(sleep) = self.sleep.as_mut() {
                    sleep.rearm(end);
                }
                r.playing_since = None;
                match r.mode {
                    Mode::Ended => r.mode = Mode::Paused,
                    Mode::Failed { wanted_play, .. } => {
                        if wanted_play {
                            r.mode = Mode::Buffering;
                            out.push(Effect::StartOutput { gain });
                        } else {
                            r.mode = Mode::Paused;
                        }
                    }
                    Mode::Paused | Mode::Playing | Mode::Buffering => {}
                }
            }
        }
    }

    fn tick(&mut self, seen: &Seen, out: &mut Vec<Effect>) {
        let played_ms = self
            .last_tick_ms
            .map_or(0, |t| seen.now_ms.saturating_sub(t));
        self.last_tick_ms = Some(seen.now_ms);
        let waiting_for_sound = match &self.phase {
            Phase::Opening { load, .. } => load.autoplay,
            Phase::Ready(r) => r.mode == Mode::Buffering,
            Phase::Idle | Phase::Failed { .. } => false,
        };
        if !(waiting_for_sound && seen.stalled) {
            self.last_nudge_ms = seen.now_ms;
            self.waiting_since_ms = None;
        } else {
            let since = *self.waiting_since_ms.get_or_insert(seen.now_ms);
            let every = if seen.now_ms.saturating_sub(since) < NUDGE_FAST_FOR_MS {
                NUDGE_EVERY_MS
            } else {
                NUDGE_LATER_MS
            };
            if seen.now_ms.saturating_sub(self.last_nudge_ms) >= every {
                self.last_nudge_ms = seen.now_ms;
                out.push(Effect::RetryNow);
            }
        }
        let Phase::Ready(r) = &mut self.phase else {
            return;
        };
        if let Some(error) = &seen.decoder_error {
            if !matches!(r.mode, Mode::Failed { .. } | Mode::Ended) {
                let wanted_play = matches!(r.mode, Mode::Playing | Mode::Buffering);
                r.mode = Mode::Failed {
                    error: error.clone(),
                    wanted_play,
                };
                r.playing_since = None;
                out.push(Effect::PauseOutput);
            }
            return;
        }
        if !matches!(r.mode, Mode::Playing | Mode::Buffering) {
            if r.mode == Mode::Ended {
                self.sleep = None;
                self.fade = 1.0;
            }
            return;
        }
        let buffer = seen.buffer;
        if buffer.ended && buffer.empty {
            r.mode = Mode::Ended;
            r.playing_since = None;
            out.push(Effect::PauseOutput);
            out.push(Effect::SavePosition {
                key: r.key.clone(),
                position_ms: r.duration_ms.unwrap_or(seen.position_ms),
                finished: true,
                duration_ms: r.duration_ms,
            });
            self.sleep = None;
            if self.fade != 1.0 {
                self.fade = 1.0;
                out.push(Effect::SetGain(self.gain()));
            }
            return;
        }
        if buffer.loading || (buffer.starved && buffer.empty) {
            r.mode = Mode::Buffering;
            return;
        }
        r.mode = Mode::Playing;
        if self.skip_if_inside(seen, out) {
            return;
        }
        let Phase::Ready(r) = &mut self.phase else {
            return;
        };
        let since = *r.playing_since.get_or_insert(seen.now_ms);
        if r.streaming && !r.prefetched && seen.now_ms.saturating_sub(since) >= PREFETCH_AFTER_MS {
            r.prefetched = true;
            let mut starts: Vec<u64> = self.chapters.iter().map(|c| c.start_ms).collect();
            // The chapters next to where the listener is come first: the likeliest jumps.
            starts.sort_by_key(|s| s.abs_diff(seen.position_ms));
            out.push(Effect::Prefetch { ms: starts });
        }
        if seen.now_ms.saturating_sub(self.last_save_ms) >= SAVE_EVERY_MS {
            self.save(seen, out);
        }
        self.tick_sleep(played_ms, seen, out);
    }

    /// A jump the listener asked for. Into a skipped range, it means "play this after all".
    fn listener_seek(&mut self, ms: u64, out: &mut Vec<Effect>) {
        if let Some(range) = range_at(&self.skip_ranges(), ms) {
            self.skip_allowed.push(range.from_ms);
            self.update_skip_ranges(out);
        }
        self.seek(ms, out);
    }

    fn skip_ranges(&self) -> Vec<SkipRange> {
        if self.skips.is_empty() {
            return Vec::new();
        }
        skip_ranges(
            &self.skips,
            &self.chapters,
            self.duration_ms(),
            self.load_start_ms < self.skips.intro_ms,
            &self.skip_allowed,
        )
    }

    /// Tells the output what to drop when the ranges changed (new skips, chapters, length);
    /// returns them.
    fn update_skip_ranges(&mut self, out: &mut Vec<Effect>) -> Vec<SkipRange> {
        let ranges = self.skip_ranges();
        let spans: Vec<(u64, u64)> = ranges.iter().map(|r| (r.from_ms, r.to_ms)).collect();
        if spans != self.told_ranges {
            self.told_ranges = spans.clone();
            out.push(Effect::SetSkipRanges(spans));
        }
        ranges
    }

    /// Playing inside a skipped range: jumps to its end and says so. The output has dropped
    /// what it reached of the range meanwhile, so none of it is heard.
    fn skip_if_inside(&mut self, seen: &Seen, out: &mut Vec<Effect>) -> bool {
        let ranges = self.update_skip_ranges(out);
        let Some(range) = range_at(&ranges, seen.position_ms).cloned() else {
            return false;
        };
        let Some(key) = self.key() else {
            return false;
        };
        self.seek(range.to_ms, out);
        out.push(Effect::Skipped {
            key,
            reason: range.reason.clone(),
            from_ms: range.from_ms,
            to_ms: range.to_ms,
        });
        self.last_skip = Some(range);
        true
    }

    /// Runs the sleep timer for `played_ms` of listening.
    fn tick_sleep(&mut self, played_ms: u64, seen: &Seen, out: &mut Vec<Effect>) {
        let Some(sleep) = self.sleep.as_mut() else {
            return;
        };
        let played = std::time::Duration::from_millis(played_ms);
        match sleep.advance(played, seen.position_ms) {
            SleepStep::Play(fade) => {
                if fade != self.fade {
                    self.fade = fade;
                    out.push(Effect::SetGain(self.gain()));
                }
            }
            SleepStep::Stop => {
                self.sleep = None;
                self.pause(seen, out);
                self.fade = 1.0;
                out.push(Effect::SetGain(self.gain()));
            }
        }
    }

    /// Hands the position over for saving (an opened episode that has not ended only).
    fn save(&mut self, seen: &Seen, out: &mut Vec<Effect>) {
        self.last_save_ms = seen.now_ms;
        let Phase::Ready(r) = &self.phase else {
            return;
        };
        if r.mode == Mode::Ended {
            return;
        }
        out.push(Effect::SavePosition {
            key: r.key.clone(),
            position_ms: seen.position_ms,
            finished: r
                .duration_ms
                .is_some_and(|d| is_near_end(seen.position_ms, d)),
            duration_ms: r.duration_ms,
        });
    }

    fn duration_ms(&self) -> Option<u64> {
        match &self.phase {
            Phase::Ready(r) => r.duration_ms,
            _ => None,
        }
    }

    fn chapter_end_ms(&self, position_ms: u64) -> Option<u64> {
        chapter_end_ms(&self.chapters, self.duration_ms(), position_ms)
    }

    /// What the bar shows. `network` and the byte counts come from the stream.
    pub fn status(
        &self,
        seen: &Seen,
        network: Option<NetworkStall>,
        progressive: bool,
        bytes_fetched: u64,
    ) -> PlayerStatus {
        let position_ms = self.position_ms(seen);
        let (state, error) = match &self.phase {
            Phase::Idle => (PlaybackState::Idle, None),
            Phase::Opening { .. } => (PlaybackState::Loading, None),
            Phase::Failed { error, .. } => (PlaybackState::Error, Some(error.clone())),
            Phase::Ready(r) => match &r.mode {
                Mode::Paused => (PlaybackState::Paused, r.notice.clone()),
                Mode::Playing => (PlaybackState::Playing, r.notice.clone()),
                Mode::Buffering => (PlaybackState::Buffering, r.notice.clone()),
                Mode::Ended => (PlaybackState::Ended, None),
                Mode::Failed { error, .. } => (PlaybackState::Error, Some(error.clone())),
            },
        };
        let streaming = match &self.phase {
            Phase::Opening { load, .. } => matches!(load.location, MediaLocation::Url(_)),
            Phase::Ready(r) => r.streaming,
            Phase::Idle | Phase::Failed { .. } => false,
        };
        let loaded = matches!(self.phase, Phase::Ready(_));
        let chapter = loaded
            .then(|| chapter_at(&self.chapters, position_ms))
            .flatten();
        let duration_ms = self.duration_ms();
        PlayerStatus {
            key: self.key(),
            state,
            wants_play: self.wants_play(),
            position_ms,
            duration_ms,
            chapter,
            visible_chapter: chapter.and_then(|i| visible_index(&self.chapters, i)),
            cue: loaded
                .then(|| cue_at(&self.cue_starts_ms, position_ms))
                .flatten(),
            silence_saved_ms: if loaded { seen.silence_saved_ms } else { 0 },
            finding: if loaded { seen.finding } else { None },
            speed: self.speed,
            volume: self.volume,
            streaming,
            progressive,
            bytes_fetched,
            error,
            network,
            sleep: self.sleep.as_ref().map(|s| SleepStatus {
                timer: s.timer,
                remaining_ms: s
                    .remaining(position_ms, duration_ms)
                    .map(|d| d.as_millis() as u64),
            }),
        }
    }
}

/// The cue being said at `position_ms`: the last to start at or before it. A pause between
/// cues keeps the one just said (the reader's place), like a karaoke line.
fn cue_at(starts_ms: &[u64], position_ms: u64) -> Option<usize> {
    starts_ms
        .partition_point(|&s| s <= position_ms)
        .checked_sub(1)
}

/// Where the chapter at `position_ms` ends: its own end, the next one's start, or the episode's.
fn chapter_end_ms(chapters: &[Chapter], duration_ms: Option<u64>, position_ms: u64) -> Option<u64> {
    let i = chapter_at(chapters, position_ms)?;
    chapters[i]
        .end_ms
        .or_else(|| chapters.get(i + 1).map(|c| c.start_ms))
        .or(duration_ms)
}

#[cfg(test)]
mod tests;
