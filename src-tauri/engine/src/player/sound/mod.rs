//! Sound processing for playback: loudness measurement and normalisation, a true-peak limiter
//! and skip-silence. Pure DSP on interleaved `f32` blocks: no I/O, no threads, no clocks.
//!
//! One job per file:
//! - [`loudness`]: measures a whole file (EBU R128 integrated loudness and true peak, through
//!   the `ebur128` crate) and turns a measurement into a normalising gain.
//! - [`running`]: follows the loudness of a stream that has no stored measurement while it
//!   plays, and slews the gain toward the target without audible jumps.
//! - [`limiter`]: look-ahead true-peak limiter, so that normalisation and boost never clip.
//! - [`silence`]: shortens long pauses (skip silence).
//! - `tests.rs`: fixtures (deterministic noise and tones) and the tests of all of the above,
//!   including the CPU measurement of the whole chain.
//!
//! Chain order, as the player wires it: decoded episode frames → [`SilenceSkipper`] (it counts
//! episode frames, so it comes before any time stretching) → [`AdaptiveGain`] → [`TruePeakLimiter`].
//! Boost needs no stage of its own: it is extra dB on the gain (raise the target given to
//! [`AdaptiveGain::set_target`], or add it to the gain given to [`AdaptiveGain::set_fixed`]) and
//! the limiter catches the peaks it creates.
//!
//! Conventions: samples are interleaved `f32`, nominally in [-1, 1]; `channels` 1..=8;
//! `sample_rate` 8000..=192000. Non-finite samples (NaN, ±inf) are treated as 0, so that one
//! corrupt decoded frame cannot poison a filter's state for the rest of the episode. Mono is
//! measured as dual mono (counted on both speakers), because the player plays mono on both
//! channels and listeners hear it at that level; a stereo capture of the output then measures
//! the same loudness as the mono source did.

pub mod limiter;
pub mod loudness;
pub mod running;
pub mod silence;

#[cfg(test)]
mod tests;

pub use limiter::TruePeakLimiter;
pub use loudness::{normalising_gain_db, LoudnessMeter, LoudnessReport, PeakKind};
pub use running::{AdaptiveGain, MAX_SLEW_DB_PER_S};
pub use silence::{SilenceSkipper, SkipSilence};

/// Why a sound stage could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SoundError {
    #[error("unsupported audio format: {channels} channels at {sample_rate} Hz")]
    UnsupportedFormat { channels: u16, sample_rate: u32 },
    #[error("loudness meter: {0}")]
    Meter(#[source] ebur128::Error),
}

/// Channel counts the stages are built and tested for.
pub(crate) const MAX_CHANNELS: u16 = 8;
/// Sample rates the stages are built and tested for.
pub(crate) const MIN_SAMPLE_RATE: u32 = 8_000;
pub(crate) const MAX_SAMPLE_RATE: u32 = 192_000;

/// Linear amplitude factor for a gain in dB.
///
/// NaN gives unity (a broken gain must not mute or blast the episode); the dB value is clamped
/// to ±200 dB so that the result is always a finite `f32` (−inf dB still gives 0).
pub fn db_to_gain(db: f64) -> f32 {
    if db.is_nan() {
        return 1.0;
    }
    if db == f64::NEG_INFINITY {
        return 0.0;
    }
    10f64.powf(db.clamp(-200.0, 200.0) / 20.0) as f32
}

/// A sample as the stages use it: non-finite values count as silence.
#[inline(always)]
pub(crate) fn finite(sample: f32) -> f32 {
    if sample.is_finite() {
        sample
    } else {
        0.0
    }
}

/// Whole frames of `len` samples; a trailing partial frame is the caller's mistake and the
/// stages leave it out of any measurement rather than misalign every channel after it.
#[inline]
pub(crate) fn whole_frames(len: usize, channels: usize) -> usize {
    len / channels.max(1)
}
