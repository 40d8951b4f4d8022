//! The sound chain of one episode, in the one order the player uses: decode → skip silence →
//! time-stretch → loudness gain → limiter → volume → device. This file holds the stages around
//! the time-stretch (the output owns the stretch itself, and rodio the volume) and builds them
//! from the episode's [`SoundSettings`].

use super::sound::{
    normalising_gain_db, AdaptiveGain, SilenceSkipper, SkipSilence, TruePeakLimiter,
};
use super::{Normalize, SoundSettings};
use crate::sound_profile::SilenceLevel;

/// True peaks stay at or below this (EBU R128's streaming recommendation).
pub const CEILING_DBTP: f64 = -1.0;

pub struct SoundChain {
    channels: u16,
    sample_rate: u32,
    settings: SoundSettings,
    skipper: SilenceSkipper,
    gain: AdaptiveGain,
    limiter: TruePeakLimiter,
    /// No gain and no limiter: the episode as mastered (normalise off, no boost).
    bypass: bool,
}

fn skip_level(level: SilenceLevel) -> SkipSilence {
    match level {
        SilenceLevel::Off => SkipSilence::Off,
        SilenceLevel::Mild => SkipSilence::Mild,
        SilenceLevel::Strong => SkipSilence::Strong,
    }
}

impl SoundChain {
    pub fn new(channels: u16, sample_rate: u32, settings: SoundSettings) -> SoundChain {
        let gain = build_gain(channels, sample_rate, &settings);
        SoundChain {
            channels,
            sample_rate,
            skipper: SilenceSkipper::new(channels, sample_rate, skip_level(settings.skip_silence)),
            gain,
            limiter: TruePeakLimiter::new(channels, sample_rate, CEILING_DBTP),
            bypass: is_bypass(&settings),
            settings,
        }
    }

    /// New settings while playing (the listener changed the show's profile): skip silence and
    /// the target change in place; the gain keeps what it learned of this episode.
    pub fn apply(&mut self, settings: SoundSettings) {
        if settings == self.settings {
            return;
        }
        self.skipper.set_level(skip_level(settings.skip_silence));
        let same_source = matches!(
            (&settings.normalize, &self.settings.normalize),
            (Some(a), Some(b)) if a.measured_lufs == b.measured_lufs
        );
        match (&settings.normalize, same_source) {
            (Some(n), true) => match n.measured_lufs {
                Some(lufs) => self
                    .gain
                    .set_fixed(normalising_gain_db(lufs, n.target_lufs) + settings.boost_db),
                None => self.gain.set_target(n.target_lufs + settings.boost_db),
            },
            _ => self.gain = build_gain(self.channels, self.sample_rate, &settings),
        }
        self.bypass = is_bypass(&settings);
        self.settings = settings;
    }

    /// Before the time-stretch: long pauses shortened. Appends what is kept to `out` and
    /// returns the episode frames dropped.
    pub fn before_stretch(&mut self, input: &[f32], out: &mut Vec<f32>) -> u64 {
        self.skipper.process(input, out)
    }

    /// After the time-stretch: the loudness gain, then the limiter.
    pub fn after_stretch(&mut self, block: &mut [f32]) {
        if self.bypass {
            return;
        }
        self.gain.process(block);
        self.limiter.process(block);
    }

    /// Episode frames the skipper holds back while it decides whether a pause is long.
    pub fn held_frames(&self) -> u64 {
        self.skipper.held_frames() as u64
    }

    /// After a jump: nothing from before it may be played after it.
    pub fn reset(&mut self) {
        self.skipper.reset();
        self.gain.reset_position();
        self.limiter.reset();
    }
}

fn is_bypass(settings: &SoundSettings) -> bool {
    settings.normalize.is_none() && settings.boost_db <= 0.0
}

fn build_gain(channels: u16, sample_rate: u32, settings: &SoundSettings) -> AdaptiveGain {
    let boost = settings.boost_db.max(0.0);
    match &settings.normalize {
        Some(Normalize {
            target_lufs,
            measured_lufs: Some(measured),
            ..
        }) => {
            let mut gain = AdaptiveGain::new(channels, sample_rate, *target_lufs, None);
            gain.set_fixed(normalising_gain_db(*measured, *target_lufs) + boost);
            gain
        }
        Some(Normalize {
            target_lufs,
            start_lufs,
            ..
        }) => AdaptiveGain::new(
            channels,
            sample_rate,
            target_lufs + boost,
            start_lufs.map(|l| normalising_gain_db(l, *target_lufs) + boost),
        ),
        None => {
            let mut gain = AdaptiveGain::new(channels, sample_rate, 0.0, None);
            gain.set_fixed(boost);
            gain
        }
    }
}
