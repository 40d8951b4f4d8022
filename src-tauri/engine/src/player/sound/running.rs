//! Loudness normalisation for streams without a stored measurement: measure while playing,
//! and move the gain toward the target slowly enough that nobody hears it move.
//!
//! The estimate is BS.1770 gated loudness (absolute gate −70 LUFS, relative gate −10 LU) of the
//! 400 ms momentary blocks (100 ms hop, K-weighted by `ebur128`) of the last
//! [`WINDOW_SECONDS`] of what has played. A sliding window rather than the whole history so a
//! show whose level changes (a loud intro, a quieter guest) is followed; gating keeps pauses
//! out of it, as in a whole-file measurement.
//!
//! The start of playback, when nothing is known yet:
//! - 0 to 3 s: the initial gain plays, except that a stream already measured (from its first
//!   400 ms block on) as too loud is turned down at once. Lowering cannot hurt the listener and
//!   cannot wait: 3 s of a −8 LUFS stream at 0 dB outweighs a whole short clip at −16.
//!   Raising waits for 3 s of audio, since a first syllable often reads louder than the whole.
//! - At 3 s of measured audio, if playback is not older than [`JUMP_START_DEADLINE_SECONDS`],
//!   the gain goes to the estimate once, by a fast (200 dB/s) click-free ramp.
//! - From then on (and for anything that starts later), the gain only slews, at most
//!   [`MAX_SLEW_DB_PER_S`].

use ebur128::{EbuR128, Mode};

use super::loudness::{new_meter, normalising_gain_db};
use super::{db_to_gain, finite, whole_frames};

/// Fastest the gain moves once playback is under way. Slow enough to be inaudible on speech.
pub const MAX_SLEW_DB_PER_S: f64 = 1.0;
/// Audio measured (gating blocks above the absolute gate) before the first estimate is
/// trusted. Three seconds of speech gives an estimate within a couple of dB; less is noisy.
pub const FIRST_ESTIMATE_SECONDS: f64 = 3.0;
/// The first estimate may be applied at once (by a fast, click-free ramp) only while playback
/// is this young: the listener has barely started and has no level to get used to yet, and
/// waiting 14 s for a slewed 14 dB correction would play the start far too loud or quiet.
/// Later, every change is slewed.
pub const JUMP_START_DEADLINE_SECONDS: f64 = 3.5;
/// Length of the sliding window the estimate is computed over: long enough that the gated
/// loudness of speech in it is steady within about 1 LU (no gain riding on every sentence),
/// short enough that a lasting change of level is followed within half a minute.
pub const WINDOW_SECONDS: f64 = 20.0;

/// Speed of the start-up ramps: a 14 dB correction in 70 ms, far shorter than a syllable yet
/// long enough not to click.
const JUMP_RAMP_DB_PER_S: f64 = 200.0;
/// The largest gain change between consecutive samples (any rate down to 8 kHz), so that even
/// the jump-start ramp is a smooth fade and never a step.
const MAX_STEP_DB_PER_SAMPLE: f64 = 0.02;
/// Frames over which a moving gain is interpolated linearly: computing `powf` per sample would
/// cost more than the rest of the stage, and 64 frames (1.5 ms) keeps each step tiny.
const RAMP_CHUNK_FRAMES: usize = 64;
/// Before the first estimate, a provisional one turns the gain down only when it is at least
/// this far too loud: smaller errors wait for the real estimate rather than move twice.
const PROVISIONAL_MIN_CUT_DB: f64 = 2.0;
/// BS.1770 gates.
const ABSOLUTE_GATE_LUFS: f64 = -70.0;
const RELATIVE_GATE_LU: f64 = -10.0;
/// BS.1770's offset between mean square and loudness: L = −0.691 + 10·log10(energy).
const LOUDNESS_OFFSET: f64 = -0.691;

/// How the gain is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Control {
    /// Follow the measured loudness toward `target_lufs`.
    Adaptive,
    /// A stored measurement gave the gain; nothing is measured.
    Fixed,
}

/// Follows a stream's loudness as it plays and proposes a gain: starts from `initial_gain_db`
/// (the show's stored loudness or 0), estimates from what has played (gated loudness of the
/// last [`WINDOW_SECONDS`] of momentary blocks), and moves the applied gain toward the target
/// by at most [`MAX_SLEW_DB_PER_S`] — no audible jumps.
///
/// Before [`FIRST_ESTIMATE_SECONDS`] of audio have been measured, the output stays at the
/// initial gain unless it is measurably too loud (then it is turned down at once). When the
/// first estimate arrives within [`JUMP_START_DEADLINE_SECONDS`] of playback, the gain goes to
/// it once by a fast (70 ms for 14 dB) ramp; every later change is slewed. Every change, fast
/// or slow, is a ramp: consecutive samples never differ in gain by more than 0.02 dB.
pub struct AdaptiveGain {
    channels: usize,
    control: Control,
    target_lufs: f64,
    /// `None` when `ebur128` refused the format: the gain then stays where it was put.
    meter: Option<EbuR128>,
    /// Frames in ebur128's 100 ms hop (its own rounding, so our block boundaries are its own).
    hop_frames: usize,
    /// Frames still to feed before the meter completes its next gating block.
    frames_to_block: usize,
    /// Energies (mean square, K-weighted) of the last momentary blocks: a ring.
    block_energy: Box<[f64]>,
    block_next: usize,
    block_filled: usize,
    /// Blocks above the absolute gate measured so far, toward the first estimate.
    loud_blocks: usize,
    /// The first estimate needs this many loud blocks.
    first_estimate_blocks: usize,
    /// The latest estimate, LUFS.
    estimate_lufs: Option<f64>,
    /// Whether the first estimate has been taken (the jump-start is a one-time thing).
    first_estimate_done: bool,
    /// Frames processed since construction: the age of playback, for the jump-start deadline.
    played_frames: u64,
    jump_deadline_frames: u64,
    /// Gain applied at the end of the last processed frame, and the gain it is moving to.
    current_db: f64,
    goal_db: f64,
    current_gain: f32,
    /// Whether a start-up ramp (provisional cut or jump-start) is under way; ends on arrival.
    jumping: bool,
    slew_db_per_frame: f64,
    jump_db_per_frame: f64,
}

impl std::fmt::Debug for AdaptiveGain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdaptiveGain")
            .field("control", &self.control)
            .field("target_lufs", &self.target_lufs)
            .field("estimate_lufs", &self.estimate_lufs)
            .field("current_db", &self.current_db)
            .field("goal_db", &self.goal_db)
            .finish_non_exhaustive()
    }
}

impl AdaptiveGain {
    pub fn new(
        channels: u16,
        sample_rate: u32,
        target_lufs: f64,
        initial_gain_db: Option<f64>,
    ) -> Self {
        let channels = channels.max(1);
        let rate = sample_rate.max(1);
        let meter = new_meter(channels, rate, Mode::M).ok();
        // ebur128's own hop length, rounded as it rounds it.
        let hop_frames = ((rate as usize + 5) / 10).max(1);
        let block_frames = hop_frames * 4;
        let rate_f = f64::from(rate);
        let window_blocks = (WINDOW_SECONDS * 10.0).round() as usize;
        // The first block covers 400 ms and each further one 100 ms more.
        let first_estimate_blocks = ((FIRST_ESTIMATE_SECONDS - 0.4) * 10.0).round() as usize + 1;
        let initial = initial_gain_db.filter(|g| g.is_finite()).unwrap_or(0.0);
        let slew = MAX_SLEW_DB_PER_S / rate_f;
        Self {
            channels: usize::from(channels),
            control: Control::Adaptive,
            target_lufs: if target_lufs.is_finite() {
                target_lufs
            } else {
                -16.0
            },
            meter,
            hop_frames,
            frames_to_block: block_frames,
            block_energy: vec![0.0; window_blocks].into_boxed_slice(),
            block_next: 0,
            block_filled: 0,
            loud_blocks: 0,
            first_estimate_blocks,
            estimate_lufs: None,
            first_estimate_done: false,
            played_frames: 0,
            jump_deadline_frames: (JUMP_START_DEADLINE_SECONDS * rate_f) as u64,
            current_db: initial,
            goal_db: initial,
            current_gain: db_to_gain(initial),
            jumping: false,
            slew_db_per_frame: slew,
            jump_db_per_frame: (JUMP_RAMP_DB_PER_S / rate_f).min(MAX_STEP_DB_PER_SAMPLE),
        }
    }

    /// Changes the loudness aimed at. The gain follows by slewing.
    pub fn set_target(&mut self, target_lufs: f64) {
        if !target_lufs.is_finite() {
            return;
        }
        let shift = target_lufs - self.target_lufs;
        self.target_lufs = target_lufs;
        if self.control == Control::Fixed {
            return;
        }
        match self.estimate_lufs {
            Some(estimate) => self.goal_db = normalising_gain_db(estimate, target_lufs),
            // Still on the initial gain: it was chosen for the old target, so move it along.
            None => self.goal_db += shift,
        }
        self.jumping = false;
    }

    /// Fixed gain (a file with a stored measurement): no adaptation. Applied at once before
    /// anything has played, otherwise slewed (a measurement arriving mid-episode must not jump).
    pub fn set_fixed(&mut self, gain_db: f64) {
        let gain_db = if gain_db.is_finite() { gain_db } else { 0.0 };
        self.control = Control::Fixed;
        self.goal_db = gain_db;
        self.jumping = false;
        if self.played_frames == 0 {
            self.current_db = gain_db;
            self.current_gain = db_to_gain(gain_db);
        }
    }

    /// Multiplies the block in place by the current gain (ramped in 64-frame pieces, never
    /// stepping more than 0.02 dB between consecutive samples) and updates the estimate from the
    /// *unprocessed* input. Non-finite samples become 0.
    pub fn process(&mut self, interleaved: &mut [f32]) {
        let channels = self.channels;
        let frames = whole_frames(interleaved.len(), channels);
        let (body, rest) = interleaved.split_at_mut(frames * channels);
        for sample in body.iter_mut() {
            *sample = finite(*sample);
        }
        let mut start = 0;
        while start < frames {
            let measuring = self.control == Control::Adaptive && self.meter.is_some();
            // Cut at the meter's block boundaries, so each completed block is read exactly once.
            let n = if measuring {
                (frames - start).min(self.frames_to_block)
            } else {
                frames - start
            };
            let chunk = &mut body[start * channels..(start + n) * channels];
            if measuring {
                self.measure(chunk, n);
            }
            self.apply_gain(chunk);
            self.played_frames += n as u64;
            start += n;
        }
        // A trailing partial frame is not measured but must not escape the gain.
        for sample in rest.iter_mut() {
            *sample = finite(*sample) * self.current_gain;
        }
    }

    /// The gain applied to the last processed frame, dB.
    pub fn current_gain_db(&self) -> f64 {
        self.current_db
    }

    /// After a seek: keep the estimate and gain (same episode), drop partial blocks, so that a
    /// gating block never straddles the jump.
    pub fn reset_position(&mut self) {
        if let Some(meter) = self.meter.as_mut() {
            meter.reset();
        }
        self.frames_to_block = self.hop_frames * 4;
    }

    fn measure(&mut self, chunk: &[f32], frames: usize) {
        let Some(meter) = self.meter.as_mut() else {
            return;
        };
        // Only a meter without channels can fail; `new` never builds one.
        let _ = meter.add_frames_f32(chunk);
        self.frames_to_block -= frames;
        if self.frames_to_block > 0 {
            return;
        }
        self.frames_to_block = self.hop_frames;
        let lufs = meter.loudness_momentary().unwrap_or(f64::NEG_INFINITY);
        let energy = if lufs.is_finite() {
            10f64.powf((lufs - LOUDNESS_OFFSET) / 10.0)
        } else {
            0.0
        };
        self.block_energy[self.block_next] = energy;
        self.block_next = (self.block_next + 1) % self.block_energy.len();
        self.block_filled = (self.block_filled + 1).min(self.block_energy.len());
        if energy > lufs_to_energy(ABSOLUTE_GATE_LUFS) {
            self.loud_blocks += 1;
        }
        self.update_goal();
    }

    fn update_goal(&mut self) {
        // Let a start-up ramp finish before the goal moves again: it is short (≤ 0.2 s).
        if self.jumping {
            return;
        }
        let Some(estimate) = gated_loudness(&self.block_energy[..self.block_filled]) else {
            return; // Only silence in the window: keep going where we were going.
        };
        let goal = normalising_gain_db(estimate, self.target_lufs);
        let young = self.played_frames <= self.jump_deadline_frames;
        if self.loud_blocks < self.first_estimate_blocks {
            // Provisional: only turns a far too loud start down (see the module docs).
            if young && goal < self.goal_db - PROVISIONAL_MIN_CUT_DB {
                self.goal_db = goal;
                self.jumping = true;
            }
            return;
        }
        self.estimate_lufs = Some(estimate);
        self.goal_db = goal;
        self.jumping = !self.first_estimate_done && young && self.current_db != goal;
        self.first_estimate_done = true;
    }

    fn apply_gain(&mut self, chunk: &mut [f32]) {
        let channels = self.channels;
        if self.current_db == self.goal_db {
            // The steady state: one multiply per sample, none at unity.
            if self.current_gain != 1.0 {
                let gain = self.current_gain;
                chunk.iter_mut().for_each(|s| *s *= gain);
            }
            return;
        }
        for piece in chunk.chunks_mut(RAMP_CHUNK_FRAMES * channels) {
            let frames = piece.len() / channels;
            let rate = if self.jumping {
                self.jump_db_per_frame
            } else {
                self.slew_db_per_frame
            };
            let max_move = rate * frames as f64;
            let next_db = if (self.goal_db - self.current_db).abs() <= max_move {
                self.goal_db
            } else {
                self.current_db + max_move.copysign(self.goal_db - self.current_db)
            };
            let from = self.current_gain;
            let to = db_to_gain(next_db);
            let step = (to - from) / frames as f32;
            for (i, frame) in piece.chunks_exact_mut(channels).enumerate() {
                let gain = from + step * (i + 1) as f32;
                frame.iter_mut().for_each(|s| *s *= gain);
            }
            self.current_db = next_db;
            self.current_gain = to;
        }
        if self.current_db == self.goal_db {
            // Arrived: the one-time fast ramp is spent.
            self.jumping = false;
        }
    }

    #[cfg(test)]
    pub(crate) fn estimate_lufs(&self) -> Option<f64> {
        self.estimate_lufs
    }
}

fn lufs_to_energy(lufs: f64) -> f64 {
    10f64.powf((lufs - LOUDNESS_OFFSET) / 10.0)
}

/// BS.1770 gated loudness of block energies; `None` if no block passes the absolute gate.
fn gated_loudness(energies: &[f64]) -> Option<f64> {
    let absolute = lufs_to_energy(ABSOLUTE_GATE_LUFS);
    let (sum, count) = energies
        .iter()
        .filter(|&&e| e > absolute)
        .fold((0.0, 0usize), |(s, n), &e| (s + e, n + 1));
    if count == 0 {
        return None;
    }
    let relative = (sum / count as f64) * 10f64.powf(RELATIVE_GATE_LU / 10.0);
    let gate = relative.max(absolute);
    let (sum, count) = energies
        .iter()
        .filter(|&&e| e > gate)
        .fold((0.0, 0usize), |(s, n), &e| (s + e, n + 1));
    if count == 0 {
        return None;
    }
    Some(LOUDNESS_OFFSET + 10.0 * (sum / count as f64).log10())
}
