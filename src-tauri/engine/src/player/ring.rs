//! The hand-over between the decoder thread and the audio callback: decoded samples tagged
//! with where they are in the episode.
//!
//! The audio callback must never wait on the network, so it only ever takes what is here and
//! plays silence (reporting "buffering") when the decoder has fallen behind. A seek bumps the
//! generation: the callback then drops whatever it still holds from before.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::SoundSettings;

/// Decoded audio kept ahead of the output: small, so a seek or speed change is heard at once.
pub const RING_SECONDS: f64 = 0.75;

pub struct Ring {
    inner: Mutex<RingInner>,
    /// Signalled when the output takes samples (room for the decoder) or on seek/stop.
    pub room: Condvar,
    pub channels: u16,
    pub sample_rate: u32,
    capacity_samples: usize,
    /// Output-side position: the frame now playing (after time-stretch buffering).
    pub played_frame: AtomicU64,
    /// Set by the output when it had to play silence for want of samples.
    pub starved: AtomicBool,
    /// Speed as f32 bits, read by the output on each refill.
    speed_bits: AtomicU32,
    /// Episode frame ranges the output drops (skipped chapters, intro, outro), sorted.
    skip_frames: Mutex<Vec<(u64, u64)>>,
    /// The sound chain's settings, and a count bumped on each change (the output looks at
    /// the count on every refill, the settings only when it moved).
    sound: Mutex<SoundSettings>,
    pub sound_version: AtomicU64,
    /// Episode frames skip silence has left out since the episode was attached.
    pub silence_dropped_frames: AtomicU64,
}

pub struct RingInner {
    pub samples: VecDeque<f32>,
    /// Episode frame (sample-rate frames from the start) of `samples.front()`.
    pub head_frame: u64,
    pub generation: u64,
    /// The decoder reached the end of the audio: no more samples will come.
    pub ended: bool,
    /// The decoder is waiting for bytes (a seek or slow network).
    pub loading: bool,
}

impl Ring {
    pub fn new(channels: u16, sample_rate: u32) -> Ring {
        let capacity_samples =
            ((f64::from(sample_rate) * RING_SECONDS) as usize).max(1024) * usize::from(channels);
        Ring {
            inner: Mutex::new(RingInner {
                samples: VecDeque::with_capacity(capacity_samples + 8192),
                head_frame: 0,
                generation: 0,
                ended: false,
                loading: true,
            }),
            room: Condvar::new(),
            channels,
            sample_rate,
            capacity_samples,
            played_frame: AtomicU64::new(0),
            starved: AtomicBool::new(false),
            speed_bits: AtomicU32::new(1.0f32.to_bits()),
            skip_frames: Mutex::new(Vec::new()),
            sound: Mutex::new(SoundSettings::default()),
            sound_version: AtomicU64::new(0),
            silence_dropped_frames: AtomicU64::new(0),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, RingInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn capacity_samples(&self) -> usize {
        self.capacity_samples
    }

    /// Empties the ring for audio that starts at `frame` (a seek), returning the new generation.
    pub fn restart_at(&self, frame: u64) -> u64 {
        let mut inner = self.lock();
        inner.samples.clear();
        inner.head_frame = frame;
        inner.generation += 1;
        inner.ended = false;
        inner.loading = true;
        self.played_frame.store(frame, Ordering::Relaxed);
        let generation = inner.generation;
        drop(inner);
        self.room.notify_all();
        generation
    }

    /// Waits until there is room for more samples or `timeout` passes.
    pub fn wait_for_room<'a>(
        &self,
        guard: MutexGuard<'a, RingInner>,
        timeout: Duration,
    ) -> MutexGuard<'a, RingInner> {
        self.room
            .wait_timeout(guard, timeout)
            .map(|(g, _)| g)
            .unwrap_or_else(|p| p.into_inner().0)
    }

    pub fn set_speed(&self, speed: f32) {
        self.speed_bits.store(speed.to_bits(), Ordering::Relaxed);
    }

    pub fn speed(&self) -> f32 {
        f32::from_bits(self.speed_bits.load(Ordering::Relaxed))
    }

    pub fn set_sound(&self, settings: SoundSettings) {
        *self.sound.lock().unwrap_or_else(|p| p.into_inner()) = settings;
        self.sound_version.fetch_add(1, Ordering::Release);
    }

    pub fn sound(&self) -> SoundSettings {
        self.sound.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The stretches (episode ms) the output must not play.
    pub fn set_skip_ranges(&self, ranges_ms: &[(u64, u64)]) {
        let rate = u64::from(self.sample_rate);
        let mut frames: Vec<(u64, u64)> = ranges_ms
            .iter()
            .map(|(from, to)| (from * rate / 1000, to * rate / 1000))
            .filter(|(from, to)| to > from)
            .collect();
        frames.sort_unstable();
        *self.skip_frames.lock().unwrap_or_else(|p| p.into_inner()) = frames;
    }

    /// Takes out of `samples` (interleaved, starting at episode frame `first_frame`) the
    /// frames inside a skipped range. The machine jumps over a range as soon as it sees the
    /// position inside it; this makes sure nothing of it is heard before that jump lands.
    pub fn drop_skipped(&self, first_frame: u64, samples: &mut Vec<f32>) {
        let channels = usize::from(self.channels.max(1));
        let frames = (samples.len() / channels) as u64;
        let last = first_frame + frames;
        let ranges = self.skip_frames.lock().unwrap_or_else(|p| p.into_inner());
        if !ranges
            .iter()
            .any(|(from, to)| *from < last && *to > first_frame)
        {
            return;
        }
        let mut keep = 0;
        for (i, frame) in (first_frame..last).enumerate() {
            let skipped = ranges
                .iter()
                .any(|(from, to)| *from <= frame && frame < *to);
            if !skipped {
                let at = i * channels;
                samples.copy_within(at..at + channels, keep * channels);
                keep += 1;
            }
        }
        samples.truncate(keep * channels);
    }

    /// The frame now being heard.
    pub fn position_frame(&self) -> u64 {
        self.played_frame.load(Ordering::Relaxed)
    }
}
