//! Skip silence: shortens pauses longer than a threshold, keeping a natural gap.
//!
//! The input is cut into 10 ms analysis windows; a window is silent when its RMS over all
//! channels is below −50 dBFS. A run of silent windows is a pause. Of a pause, the first
//! `head` frames play straight away; the rest is held back until the pause is known to be
//! short (the speech resumes: all of it plays) or long (it reaches the threshold: from then
//! on only the latest `tail` frames are kept, the middle is dropped). When the speech
//! resumes after a long pause, the end of the head and the start of the tail are crossfaded
//! over 3 ms, so even a pause with room tone or hum joins without a click.
//!
//! Only silent frames are ever dropped; the kept gap is `head + tail − crossfade`.

use std::collections::VecDeque;

use super::finite;

/// How much silence to cut.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SkipSilence {
    Off,
    /// Pauses over 1.0 s become 0.6 s: only dead air goes, the pacing stays.
    Mild,
    /// Pauses over 0.35 s become 0.25 s: brisk, still a breath between sentences.
    Strong,
}

/// Analysis window: short enough to find the edges of speech within a few ms, long enough
/// to average over a cycle of low-pitched hum (≥ 100 Hz).
const WINDOW_SECONDS: f64 = 0.010;
/// Windows quieter than this (RMS over all channels) are silence: well under speech (−20 to
/// −30 dBFS) and breaths, above the noise floor of a decent recording.
const SILENCE_DBFS: f64 = -50.0;
/// Crossfade where frames are dropped.
const CROSSFADE_SECONDS: f64 = 0.003;

/// A level's thresholds, in seconds.
struct Timing {
    /// Pauses longer than this are shortened.
    threshold: f64,
    /// Silence kept after the speech stops.
    head: f64,
    /// Silence kept before the speech resumes.
    tail: f64,
}

fn timing(level: SkipSilence) -> Option<Timing> {
    match level {
        SkipSilence::Off => None,
        SkipSilence::Mild => Some(Timing {
            threshold: 1.0,
            head: 0.3,
            tail: 0.3,
        }),
        SkipSilence::Strong => Some(Timing {
            threshold: 0.35,
            head: 0.125,
            tail: 0.125,
        }),
    }
}

/// A level's thresholds in frames.
#[derive(Debug, Clone, Copy)]
struct Frames {
    threshold: u64,
    head: u64,
    tail: usize,
}

/// Shortens pauses longer than a threshold, keeping a natural gap. Works on blocks as they
/// come; decides per 10 ms analysis window by RMS below −50 dBFS. Mild: pauses > 1.0 s are
/// cut to 0.6 s; Strong: pauses > 0.35 s are cut to 0.25 s. Only silent frames are dropped,
/// so the junction is silence to silence, and a 3 ms crossfade smooths it.
///
/// Position: the next frame `process` outputs is input frame `fed − held_frames()`, where
/// `fed` counts frames given to `process` since construction or `reset`.
pub struct SilenceSkipper {
    channels: usize,
    sample_rate: f64,
    level: SkipSilence,
    /// A level change waits for the next `process`, which can emit what the old one held.
    next_level: Option<SkipSilence>,
    frames: Option<Frames>,
    window: usize,
    crossfade: usize,
    /// Mean square (over a window's samples) below which it is silent.
    silence_power: f64,
    /// The window being filled, interleaved (it may end inside a frame).
    pending: Vec<f32>,
    /// Frames of the current pause so far (whole windows).
    run: u64,
    /// Whether the current pause is long (being shortened).
    long: bool,
    /// Held silent frames, interleaved: the undecided part of a pause, or its tail.
    held: VecDeque<f32>,
    /// The last `crossfade` frames of a long pause's head, to fade out into the tail.
    head_end: Vec<f32>,
    /// Frames dropped since construction or `take_dropped`.
    dropped: u64,
}

impl std::fmt::Debug for SilenceSkipper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SilenceSkipper")
            .field("level", &self.level)
            .field("run", &self.run)
            .field("long", &self.long)
            .field("held_frames", &self.held_frames())
            .finish_non_exhaustive()
    }
}

impl SilenceSkipper {
    pub fn new(channels: u16, sample_rate: u32, level: SkipSilence) -> Self {
        let channels = usize::from(channels.max(1));
        let rate = f64::from(sample_rate.max(1));
        let window = ((WINDOW_SECONDS * rate).round() as usize).max(1);
        let crossfade = ((CROSSFADE_SECONDS * rate).round() as usize).max(1);
        // Room for the most any level holds (see `held_frames`), so nothing grows later.
        let most_held = [SkipSilence::Mild, SkipSilence::Strong]
            .into_iter()
            .filter_map(timing)
            .map(|t| (t.threshold - t.head).max(t.tail) * rate)
            .fold(0.0, f64::max) as usize
            + window
            + crossfade;
        let mut skipper = Self {
            channels,
            sample_rate: rate,
            level,
            next_level: None,
            frames: None,
            window,
            crossfade,
            silence_power: 10f64.powf(SILENCE_DBFS / 10.0),
            pending: Vec::with_capacity(window * channels),
            run: 0,
            long: false,
            held: VecDeque::with_capacity(most_held * channels),
            head_end: Vec::with_capacity(crossfade * channels),
            dropped: 0,
        };
        skipper.apply_level(level);
        skipper
    }

    /// Changes the level from the next `process` on (it first lets out what was held).
    pub fn set_level(&mut self, level: SkipSilence) {
        self.next_level = (level != self.level).then_some(level);
    }

    /// Takes `input` (episode frames, continuing the previous call) and appends what is kept
    /// to `out`. Returns the number of input frames dropped in this call. Non-finite samples
    /// become 0. `out` grows by at most `input.len()` plus what was held; reserve that to keep
    /// the call allocation-free.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) -> u64 {
        let dropped_before = self.dropped;
        if let Some(level) = self.next_level.take() {
            self.end_pause(out);
            self.apply_level(level);
        }
        if self.frames.is_none() {
            out.append(&mut self.pending);
            out.extend(input.iter().copied().map(finite));
            // A level change may have just ended a shortened pause.
            return self.dropped - dropped_before;
        }
        let window_samples = self.window * self.channels;
        let mut rest = input;
        while !rest.is_empty() {
            let take = (window_samples - self.pending.len()).min(rest.len());
            self.pending
                .extend(rest[..take].iter().copied().map(finite));
            rest = &rest[take..];
            if self.pending.len() == window_samples {
                self.window_done(out);
            }
        }
        self.dropped - dropped_before
    }

    /// End of the episode: lets out everything held (a pause in progress keeps its tail).
    pub fn flush(&mut self, out: &mut Vec<f32>) {
        self.end_pause(out);
        out.append(&mut self.pending);
    }

    /// Frames dropped since construction / last `take_dropped` (for "time saved").
    pub fn take_dropped(&mut self) -> u64 {
        std::mem::take(&mut self.dropped)
    }

    /// Input frames taken in but not yet output or dropped. At most the level's threshold
    /// (Mild ≈ 0.72 s, Strong ≈ 0.24 s) plus one window.
    pub fn held_frames(&self) -> usize {
        let head_end = if self.long { self.crossfade } else { 0 };
        (self.pending.len() + self.held.len()) / self.channels + head_end
    }

    /// After a seek: what was held belongs to the old position and is discarded (not counted
    /// as dropped: it was not skipped, just never reached).
    pub fn reset(&mut self) {
        self.pending.clear();
        self.held.clear();
        self.head_end.clear();
        self.run = 0;
        self.long = false;
    }

    fn apply_level(&mut self, level: SkipSilence) {
        self.level = level;
        let rate = self.sample_rate;
        self.frames = timing(level).map(|t| Frames {
            threshold: (t.threshold * rate).round() as u64,
            head: (t.head * rate).round() as u64,
            tail: (t.tail * rate).round() as usize,
        });
    }

    /// Classifies the full window in `pending` and moves it on.
    fn window_done(&mut self, out: &mut Vec<f32>) {
        let Some(frames) = self.frames else {
            out.append(&mut self.pending);
            return;
        };
        let power = self
            .pending
            .iter()
            .map(|&s| f64::from(s) * f64::from(s))
            .sum::<f64>()
            / self.pending.len() as f64;
        if power >= self.silence_power {
            self.end_pause(out);
            out.append(&mut self.pending);
            return;
        }

        // Silence: the frames of the pause before `head − crossfade` play at once (they are
        // kept however long the pause turns out), the rest wait.
        let channels = self.channels;
        let play_now = frames.head.saturating_sub(self.crossfade as u64);
        let immediate = play_now.saturating_sub(self.run).min(self.window as u64) as usize;
        out.extend_from_slice(&self.pending[..immediate * channels]);
        self.held.extend(&self.pending[immediate * channels..]);
        self.pending.clear();
        self.run += self.window as u64;

        if !self.long && self.run > frames.threshold {
            // Long after all: keep the end of the head for the crossfade, drop the middle.
            self.long = true;
            self.head_end.clear();
            let head_end = (self.crossfade * channels).min(self.held.len());
            self.head_end.extend(self.held.drain(..head_end));
        }
        if self.long {
            let keep = frames.tail.max(self.crossfade) * channels;
            let excess = self.held.len().saturating_sub(keep);
            self.held.drain(..excess);
            self.dropped += (excess / channels) as u64;
        }
    }

    /// The pause (if any) is over: let out what was held, joining a shortened pause's head
    /// and tail with a crossfade.
    fn end_pause(&mut self, out: &mut Vec<f32>) {
        if self.long {
            let channels = self.channels;
            let frames = (self.head_end.len() / channels).min(self.held.len() / channels);
            for i in 0..frames {
                // Complementary raised-cosine weights: they sum to 1, so a steady hum or DC
                // offset in the pause passes the joint unchanged.
                let fade_in =
                    0.5 - 0.5 * (std::f32::consts::PI * (i as f32 + 0.5) / frames as f32).cos();
                for c in 0..channels {
                    let tail = self.held.pop_front().unwrap_or(0.0);
                    let head = self.head_end[i * channels + c];
                    out.push(head * (1.0 - fade_in) + tail * fade_in);
                }
            }
            // The two overlapped stretches play as one.
            self.dropped += frames as u64;
            self.head_end.clear();
        }
        out.extend(self.held.drain(..));
        self.run = 0;
        self.long = false;
    }
}
