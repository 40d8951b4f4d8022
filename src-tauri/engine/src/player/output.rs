//! The audio device and the source the device pulls: samples from the [`Ring`], time-stretched
//! to the chosen speed, silence when the decoder has nothing ready.

use std::num::NonZero;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rodio::{ChannelCount, DeviceSinkBuilder, MixerDeviceSink, SampleRate, Source};

use super::chain::SoundChain;
use super::ring::Ring;
use super::time_stretch::TimeStretch;

/// Samples moved per refill: small, so a seek is heard within a few milliseconds.
const REFILL_FRAMES: usize = 512;

/// Why there is no sound. The system's own reason is logged, not shown: it is rarely useful
/// to a listener.
#[derive(Debug, Clone, thiserror::Error)]
#[error("no audio output device is available: connect speakers or headphones, then press Play")]
pub struct DeviceError(pub String);

static QUIET_NATIVE_ERRORS: AtomicBool = AtomicBool::new(false);

/// When set, what the system's audio libraries print to stderr while the device is opened
/// (ALSA's "cannot connect" lines) is dropped: the command line reports one clear line instead.
pub fn quiet_native_errors(quiet: bool) {
    QUIET_NATIVE_ERRORS.store(quiet, Ordering::Relaxed);
}

/// Device buffer in frames (~23 ms; PulseAudio keeps two): small for a quick start and quick
/// jumps, safe because our callback never waits. 512 frames starts 20 ms sooner but wakes
/// twice as often (5.7 % of a core against the 5 % budget). `CHAPTERCAST_AUDIO_BUFFER_FRAMES`
/// overrides it.
const DEVICE_BUFFER_FRAMES: u32 = 1024;

/// Opens the default output device. `on_lost` hears when it goes away while open (unplugged,
/// or the sound server stopped), with the system's reason.
pub fn open_device(
    on_lost: impl Fn(String) + Send + 'static,
) -> Result<MixerDeviceSink, DeviceError> {
    let _quiet = QUIET_NATIVE_ERRORS
        .load(Ordering::Relaxed)
        .then(StderrSilenced::new)
        .flatten();
    let frames = std::env::var("CHAPTERCAST_AUDIO_BUFFER_FRAMES")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|f| *f == 0 || (64..=65536).contains(f))
        .unwrap_or(DEVICE_BUFFER_FRAMES);
    let buffer = if frames == 0 {
        rodio::cpal::BufferSize::Default
    } else {
        rodio::cpal::BufferSize::Fixed(frames)
    };
    let on_error = move |error: rodio::cpal::Error| {
        tracing::warn!(%error, "audio output error");
        if matches!(
            error.kind(),
            rodio::cpal::ErrorKind::DeviceNotAvailable | rodio::cpal::ErrorKind::HostUnavailable
        ) {
            on_lost(error.to_string());
        }
    };
    let mut sink = DeviceSinkBuilder::from_default_device()
        .map(|b| b.with_buffer_size(buffer).with_error_callback(on_error))
        .and_then(|b| b.open_stream())
        .or_else(|_| DeviceSinkBuilder::open_default_sink())
        .map_err(|e| {
            tracing::warn!(error = %e, "no audio output");
            DeviceError(e.to_string())
        })?;
    sink.log_on_drop(false);
    Ok(sink)
}

/// Points the process's stderr at /dev/null until dropped.
struct StderrSilenced {
    #[cfg(unix)]
    saved: libc::c_int,
}

impl StderrSilenced {
    #[cfg(unix)]
    fn new() -> Option<StderrSilenced> {
        let null = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            .ok()?;
        // SAFETY: plain descriptor calls on descriptors we own or on stderr; failure is
        // checked and leaves stderr as it was.
        unsafe {
            let saved = libc::dup(2);
            if saved < 0 {
                return None;
            }
            if libc::dup2(std::os::fd::AsRawFd::as_raw_fd(&null), 2) < 0 {
                libc::close(saved);
                return None;
            }
            Some(StderrSilenced { saved })
        }
    }

    #[cfg(not(unix))]
    fn new() -> Option<StderrSilenced> {
        None
    }
}

impl Drop for StderrSilenced {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: restores the descriptor saved in `new`.
        unsafe {
            libc::dup2(self.saved, 2);
            libc::close(self.saved);
        }
    }
}

/// The endless source for one episode: it plays what the ring holds, or silence.
pub struct RingSource {
    ring: Arc<Ring>,
    chain: SoundChain,
    /// The ring's `sound_version` the chain was last set up for.
    sound_version: u64,
    /// Scratch: what skip silence kept of `input`.
    kept: Vec<f32>,
    stretch: TimeStretch,
    /// Samples ready for the device.
    out: Vec<f32>,
    out_pos: usize,
    /// Scratch for samples taken from the ring.
    input: Vec<f32>,
    generation: u64,
    /// Episode frame of the next sample taken from the ring.
    next_frame: u64,
    channels: ChannelCount,
    sample_rate: SampleRate,
}

impl RingSource {
    pub fn new(ring: Arc<Ring>) -> RingSource {
        let channels = NonZero::new(ring.channels.max(1)).unwrap_or(NonZero::<u16>::MIN);
        let sample_rate = NonZero::new(ring.sample_rate.max(1)).unwrap_or(NonZero::<u32>::MIN);
        let stretch = TimeStretch::new(ring.channels.max(1), ring.sample_rate.max(1));
        let generation = ring.lock().generation;
        let sound_version = ring.sound_version.load(Ordering::Acquire);
        let chain = SoundChain::new(ring.channels.max(1), ring.sample_rate.max(1), ring.sound());
        RingSource {
            chain,
            sound_version,
            kept: Vec::with_capacity(REFILL_FRAMES * usize::from(ring.channels.max(1)) * 4),
            stretch,
            out: vec![0.0; REFILL_FRAMES * usize::from(ring.channels.max(1)) * 4],
            out_pos: 0,
            input: Vec::with_capacity(REFILL_FRAMES * usize::from(ring.channels.max(1)) * 4),
            generation,
            next_frame: 0,
            channels,
            sample_rate,
            ring,
        }
    }

    /// Refills `out`; never blocks on the decoder.
    fn refill(&mut self) {
        let channels = usize::from(self.channels.get());
        let speed = self.ring.speed();
        self.stretch.set_speed(speed);
        let version = self.ring.sound_version.load(Ordering::Acquire);
        if version != self.sound_version {
            self.sound_version = version;
            self.chain.apply(self.ring.sound());
        }
        let want = REFILL_FRAMES * channels;
        self.out.resize(want, 0.0);
        let mut produced = 0;
        // Frames taken and dropped (inside a skipped range): silence then, not starvation.
        let mut skipping = false;
        // Take from the ring until the stretcher gives a block (or the ring runs dry).
        for _ in 0..8 {
            produced = self.stretch.pull(&mut self.out[..want]);
            if produced > 0 {
                break;
            }
            let frames_wanted = self.stretch.input_frames_wanted().max(REFILL_FRAMES);
            self.input.clear();
            {
                let mut inner = self.ring.lock();
                if inner.generation != self.generation {
                    self.generation = inner.generation;
                    self.stretch.reset();
                    self.chain.reset();
                }
                self.next_frame = inner.head_frame;
                let n = (frames_wanted * channels).min(inner.samples.len());
                let n = n - n % channels;
                self.input.extend(inner.samples.drain(..n));
                inner.head_frame += (n / channels) as u64;
                self.next_frame = inner.head_frame;
            }
            self.ring.room.notify_all();
            let taken = (self.input.len() / channels) as u64;
            self.ring
                .drop_skipped(self.next_frame - taken, &mut self.input);
            if self.input.is_empty() {
                if taken > 0 {
                    skipping = true;
                    continue;
                }
                break;
            }
            self.kept.clear();
            let dropped = self.chain.before_stretch(&self.input, &mut self.kept);
            if dropped > 0 {
                self.ring
                    .silence_dropped_frames
                    .fetch_add(dropped, Ordering::Relaxed);
            }
            if self.kept.is_empty() {
                // All of it was a pause being shortened (or held while it is measured).
                skipping = true;
                continue;
            }
            self.stretch.push(&self.kept);
        }
        if produced == 0 {
            // Starved: silence keeps the device running; the player shows "buffering".
            self.out[..want].fill(0.0);
            produced = want;
            self.ring.starved.store(!skipping, Ordering::Relaxed);
        } else {
            self.ring.starved.store(false, Ordering::Relaxed);
        }
        self.out.truncate(produced);
        self.chain.after_stretch(&mut self.out);
        self.out_pos = 0;
        let buffered = self.stretch.buffered_input_frames() as u64 + self.chain.held_frames();
        let playing = self.next_frame.saturating_sub(buffered);
        self.ring.played_frame.store(playing, Ordering::Relaxed);
    }
}

impl Iterator for RingSource {
    type Item = f32;

    #[inline]
    fn next(&mut self) -> Option<f32> {
        if self.out_pos >= self.out.len() {
            self.refill();
        }
        let sample = self.out.get(self.out_pos).copied().unwrap_or(0.0);
        self.out_pos += 1;
        Some(sample)
    }
}

impl Source for RingSource {
    fn current_span_len(&self) -> Option<usize> {
        None
    }

    fn channels(&self) -> ChannelCount {
        self.channels
    }

    fn sample_rate(&self) -> SampleRate {
        self.sample_rate
    }

    fn total_duration(&self) -> Option<Duration> {
        None
    }
}
