//! Whole-file loudness measurement (EBU R128 / ITU-R BS.1770): integrated loudness and true
//! peak, through the `ebur128` crate (the Rust port of libebur128), and the normalising gain
//! derived from it.
//!
//! Cost: the 4× true-peak interpolation is about half the work. [`PeakKind::Sample`] trades it
//! for the sample peak where measuring speed matters more (see `tests.rs`,
//! `meter_speed_one_hour_extrapolated`, for the time per hour of each).

use ebur128::{Channel, EbuR128, Mode};

use super::{finite, whole_frames, SoundError, MAX_CHANNELS, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE};

/// The largest correction a normalising gain may make, either way. A near-silent file (room
/// tone, a broken encode) must not be raised by +60 dB, and nothing real needs more than this.
pub const MAX_NORMALISING_GAIN_DB: f64 = 20.0;

/// Which peak a [`LoudnessMeter`] measures.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PeakKind {
    /// True peak, 4× oversampled (BS.1770 Annex 2 style): what the limiter's ceiling means.
    True,
    /// Sample peak: cheaper, and a lower bound of the true peak (by up to ~3 dB on content
    /// near Nyquist, typically a few tenths of a dB).
    Sample,
}

/// The result of measuring a whole file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoudnessReport {
    /// Gated integrated loudness (BS.1770-4), LUFS.
    pub integrated_lufs: f64,
    /// Highest true peak over all channels (4× oversampled below 96 kHz), dBTP; the sample
    /// peak (dBFS) for a meter built with [`PeakKind::Sample`].
    pub true_peak_dbtp: f64,
}

/// Whole-file measurement: feed decoded blocks, then finish. Integrated loudness (mode I) +
/// true peak (mode TRUE_PEAK).
pub struct LoudnessMeter {
    meter: EbuR128,
    channels: usize,
    peak: PeakKind,
    /// Where a block with non-finite samples is cleaned before measuring; the meter's filters
    /// would carry a NaN forever. Only used for such blocks, so normal blocks are not copied.
    scratch: Vec<f32>,
}

impl std::fmt::Debug for LoudnessMeter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoudnessMeter")
            .field("channels", &self.channels)
            .field("sample_rate", &self.meter.rate())
            .finish_non_exhaustive()
    }
}

impl LoudnessMeter {
    /// Integrated loudness and true peak.
    pub fn new(channels: u16, sample_rate: u32) -> Result<Self, SoundError> {
        Self::with_peak(channels, sample_rate, PeakKind::True)
    }

    /// Integrated loudness and the chosen kind of peak.
    pub fn with_peak(channels: u16, sample_rate: u32, peak: PeakKind) -> Result<Self, SoundError> {
        if !(1..=MAX_CHANNELS).contains(&channels)
            || !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&sample_rate)
        {
            return Err(SoundError::UnsupportedFormat {
                channels,
                sample_rate,
            });
        }
        let peak_mode = match peak {
            PeakKind::True => Mode::TRUE_PEAK,
            PeakKind::Sample => Mode::SAMPLE_PEAK,
        };
        let meter = new_meter(channels, sample_rate, Mode::I | peak_mode)?;
        Ok(Self {
            meter,
            channels: usize::from(channels),
            peak,
            scratch: Vec::new(),
        })
    }

    /// Adds interleaved frames. A trailing partial frame is ignored.
    pub fn add(&mut self, interleaved: &[f32]) {
        let block = &interleaved[..whole_frames(interleaved.len(), self.channels) * self.channels];
        // The only error add_frames can return is for a meter without channels, which `new`
        // rules out; there is nothing useful to do with it per block.
        if block.iter().all(|s| s.is_finite()) {
            let _ = self.meter.add_frames_f32(block);
        } else {
            self.scratch.clear();
            self.scratch.extend(block.iter().copied().map(finite));
            let _ = self.meter.add_frames_f32(&self.scratch);
        }
    }

    /// The measurement of everything added so far; `None` when nothing passed the absolute
    /// gate (digital silence, or less than one 400 ms gating block of audio).
    pub fn finish(&self) -> Option<LoudnessReport> {
        let integrated_lufs = self.meter.loudness_global().ok()?;
        if !integrated_lufs.is_finite() {
            return None;
        }
        let peak = (0..self.channels as u32)
            .filter_map(|c| match self.peak {
                PeakKind::True => self.meter.true_peak(c).ok(),
                PeakKind::Sample => self.meter.sample_peak(c).ok(),
            })
            .fold(0.0f64, f64::max);
        Some(LoudnessReport {
            integrated_lufs,
            true_peak_dbtp: 20.0 * peak.log10(),
        })
    }
}

/// The gain (dB) that brings `integrated_lufs` to `target_lufs`, clamped to [-20, +20] dB (a
/// near-silent file must not get +60 dB). A non-finite measurement (no audio) gives 0 dB:
/// there is nothing to correct.
pub fn normalising_gain_db(integrated_lufs: f64, target_lufs: f64) -> f64 {
    let gain = target_lufs - integrated_lufs;
    if !gain.is_finite() {
        return 0.0;
    }
    gain.clamp(-MAX_NORMALISING_GAIN_DB, MAX_NORMALISING_GAIN_DB)
}

/// An `ebur128` meter for our channel layouts; shared with the running estimate so both
/// measure the same way.
pub(crate) fn new_meter(
    channels: u16,
    sample_rate: u32,
    mode: Mode,
) -> Result<EbuR128, SoundError> {
    let mut meter =
        EbuR128::new(u32::from(channels), sample_rate, mode).map_err(SoundError::Meter)?;
    if channels == 1 {
        // Mono is played on both speakers, so it is heard (and a stereo capture measures it)
        // 3 dB louder than BS.1770's single-channel sum: count it twice (see the module docs).
        meter
            .set_channel(0, Channel::DualMono)
            .map_err(SoundError::Meter)?;
    }
    Ok(meter)
}
