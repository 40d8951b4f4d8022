//! Look-ahead true-peak limiter: the last stage, so that loudness normalisation and boost
//! never push the output over the ceiling, between samples included.
//!
//! Per frame, the detector interpolates each channel between two samples and takes the
//! largest magnitude over channels and interpolated points (stereo-linked). The gain that
//! peak needs, `ceiling / peak`, goes through a sliding minimum, an instant-attack /
//! exponential-release follower, and a moving average as long as the look-ahead. The audio is
//! delayed so that the averaged gain has fully arrived when the peak plays: an average of
//! values that are each ≤ the needed gain is ≤ it too, so the ceiling holds by construction
//! (not approximately, as with a smoothed attack), and the attack is a smooth ramp over the
//! look-ahead instead of a click.
//!
//! Why three interpolators: meters disagree between samples wherever the signal has energy
//! near Nyquist (a low-pass 4× meter reads *higher* than a flat one where those components
//! cancel the peak). A limiter trusting one of them lets peaks through that another finds,
//! because it flattens every peak to exactly its own reading. So the detector takes the
//! largest reading of the ITU-R BS.1770-4 Annex 2 filter (what compliant meters use),
//! libebur128's windowed sinc (what [`LoudnessMeter`](super::LoudnessMeter) and many tools
//! use), and a long Kaiser-windowed sinc at 8× (close to the band-limited signal itself, as
//! read by meters that resample, e.g. ffmpeg's).
//!
//! Cost: the filters only run where a sample loud enough to matter is within their reach, and
//! the long one only where the short ones read within 3 dB of the ceiling, so quiet passages
//! cost almost nothing and normalised speech little (see `tests.rs` for the numbers).

use std::f64::consts::PI;

use super::{finite, whole_frames};

/// Time the gain has to come down before a peak: long enough for a smooth ramp (no click),
/// short enough that the dip before a peak is not heard as a pump.
const LOOKAHEAD_SECONDS: f64 = 0.005;
/// Time constant of the return to unity after a peak: short enough not to duck the next
/// syllable, long enough not to distort low frequencies by modulating within their cycles.
const RELEASE_SECONDS: f64 = 0.150;
/// Points interpolated per sample by the long filter: with the band-limited reconstruction
/// sampled every 1/8 frame, a peak is at most 1/16 frame from a point (≤ 0.15 dB low at
/// 0.9 × Nyquist).
const OVERSAMPLE: usize = 8;
/// Taps per phase of the long filter: 64 frames keep its transition band narrow enough to
/// read within 0.1 dB of the band-limited signal even for white noise up to Nyquist.
const TAPS: usize = 64;
/// Kaiser window shape of the long filter (side lobes near −80 dB).
const KAISER_BETA: f64 = 8.0;
/// Taps per phase of the two 4× filters (both 48 taps long).
const SHORT_TAPS: usize = 12;
/// Where the 4× filters' 12 taps start in the history, so that all three interpolate the
/// same interval (between the frames `TAPS / 2` and `TAPS / 2 − 1` old).
const SHORT_OFFSET: usize = TAPS / 2 - SHORT_TAPS / 2;
/// Frames either side of a peak's interval over which the gain is held fully down: the
/// interpolated value also depends on neighbouring samples, and they must not carry more gain
/// than the peak's own.
const HOLD: usize = 8;
/// The long filter costs five times the two short ones, so it only runs where they read
/// within 3 dB of the ceiling: on white noise up to Nyquist it reads at most about 1 dB over
/// them, and on real programme less than 0.1 dB.
const LONG_FILTER_FROM: f32 = 0.708;
/// Headroom below the ceiling for what other meters' interpolators still find. On programme
/// low-passed like any decoded podcast (≤ 16–19 kHz), libebur128, ffmpeg and a 16× reference
/// all read within 0.03 dB of the detector; on white noise up to Nyquist, ffmpeg's resampling
/// meter reads up to 0.2 dB over it. 0.25 dB keeps that torture case under the ceiling too.
const DETECTION_MARGIN_DB: f64 = 0.25;

/// ITU-R BS.1770-4 Annex 2 interpolation filter: 48 taps as 4 phases of 12, phase p weighting
/// the sample k frames old by `BS1770[p][k]`. Phases 2 and 3 are 1 and 0 reversed.
const BS1770: [[f64; SHORT_TAPS]; 2] = [
    [
        0.0017089843750,
        0.0109863281250,
        -0.0196533203125,
        0.0332031250000,
        -0.0594482421875,
        0.1373291015625,
        0.9721679687500,
        -0.1022949218750,
        0.0476074218750,
        -0.0266113281250,
        0.0148925781250,
        -0.0083007812500,
    ],
    [
        -0.0291748046875,
        0.0292968750000,
        -0.0517578125000,
        0.0891113281250,
        -0.1665039062500,
        0.4650878906250,
        0.7797851562500,
        -0.2003173828125,
        0.1015625000000,
        -0.0582275390625,
        0.0330810546875,
        -0.0189208984375,
    ],
];

/// Look-ahead limiter keeping true peaks at or below `ceiling_dbtp` (e.g. −1.0), as read by
/// BS.1770 Annex 2 4× polyphase interpolation, libebur128's 4× interpolation and an 8×
/// long-sinc one (see the module docs). Stereo-linked (one gain for all channels).
/// Look-ahead 5 ms so the gain is down before the peak arrives; release 150 ms; no clicks.
/// Adds a fixed latency of the look-ahead plus the detector's centre, 5.9 ms in all (see
/// [`latency_frames`](Self::latency_frames)). No allocation after `new`.
pub struct TruePeakLimiter {
    channels: usize,
    /// The detector's filters, tap-major: `[k][lane]` weighs the sample `k` frames old (from
    /// the filter's first tap) for one interpolated point, so each tap is one SIMD
    /// multiply-add over all points. `short`: BS.1770's 4 phases then libebur128's 4.
    long: [[f32; OVERSAMPLE]; TAPS],
    short: [[f32; 8]; SHORT_TAPS],
    /// Below this sample magnitude no interpolated point can exceed the ceiling (the ceiling
    /// over the largest sum of a phase's absolute weights).
    quiet_below: f32,
    /// Frame time until which a sample at or above `quiet_below` is still in the history;
    /// until then the filters must run, after it they can be skipped.
    loud_until: u64,
    /// Short-filter reading above which the long filter runs too.
    long_from: f32,
    /// Linear ceiling the detector enforces (the requested one less the margin).
    ceiling: f32,
    /// Length of the gain's attack ramp (the moving average), frames.
    lookahead: usize,
    /// Audio delay, frames: the look-ahead plus what the detector lags.
    delay: usize,
    /// Span of the sliding minimum, frames.
    window: usize,
    /// Per channel, the last `TAPS` samples twice over (`2 * TAPS` slots), so that the newest
    /// `TAPS` are always contiguous at `history_pos` without shifting.
    history: Box<[f32]>,
    history_pos: usize,
    /// Interleaved delay line of `delay` frames; `delay_pos` is the oldest.
    delay_line: Box<[f32]>,
    delay_pos: usize,
    /// Monotonic queue (a ring) for the sliding minimum of the needed gain: frame time and
    /// value, values increasing from `min_head`.
    min_time: Box<[u64]>,
    min_value: Box<[f32]>,
    min_head: usize,
    min_len: usize,
    /// Frames seen since `new`/`reset`.
    now: u64,
    /// Per-frame release coefficient and the follower's state (a gain, ≤ 1).
    release_coef: f64,
    released: f64,
    /// Moving average of the follower over `lookahead` frames: a ring and its sum.
    average: Box<[f64]>,
    average_pos: usize,
    average_sum: f64,
}

impl std::fmt::Debug for TruePeakLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TruePeakLimiter")
            .field("channels", &self.channels)
            .field("ceiling", &self.ceiling)
            .field("latency_frames", &self.delay)
            .finish_non_exhaustive()
    }
}

impl TruePeakLimiter {
    pub fn new(channels: u16, sample_rate: u32, ceiling_dbtp: f64) -> Self {
        let channels = usize::from(channels.max(1));
        let rate = f64::from(sample_rate.max(1));
        let ceiling_dbtp = if ceiling_dbtp.is_finite() {
            ceiling_dbtp.min(0.0)
        } else {
            -1.0
        };
        let lookahead = ((LOOKAHEAD_SECONDS * rate).round() as usize).max(1);
        let ceiling = 10f64.powf((ceiling_dbtp - DETECTION_MARGIN_DB) / 20.0) as f32;
        let long = kaiser_interpolator();
        let short = short_interpolators();
        let largest_gain = (0..OVERSAMPLE)
            .map(|p| long.iter().map(|taps| taps[p].abs()).sum::<f32>())
            .chain((0..8).map(|p| short.iter().map(|taps| taps[p].abs()).sum::<f32>()))
            .fold(1.0f32, f32::max);
        // The detection made when frame j arrives covers the interval from frame j − TAPS/2
        // to the next (for all three filters). So the gain of output frame q must be ≤ what
        // detections j in q + FIRST ..= q + LAST asked for: both intervals next to q, widened
        // by HOLD (the interpolated peak also depends on neighbours, whose gain should be down
        // too). Output lags input by `delay`; the moving average reaches back `lookahead − 1`
        // frames, each of which took the minimum over `window` frames; both must cover that
        // range.
        const FIRST: usize = TAPS / 2 - 1 - HOLD;
        const LAST: usize = TAPS / 2 + HOLD;
        let delay = lookahead - 1 + LAST;
        let window = lookahead + LAST - FIRST;
        let mut limiter = Self {
            channels,
            long,
            short,
            quiet_below: ceiling / largest_gain,
            loud_until: 0,
            long_from: ceiling * LONG_FILTER_FROM,
            ceiling,
            lookahead,
            delay,
            window,
            history: vec![0.0; channels * 2 * TAPS].into_boxed_slice(),
            history_pos: 0,
            delay_line: vec![0.0; delay * channels].into_boxed_slice(),
            delay_pos: 0,
            min_time: vec![0; window + 1].into_boxed_slice(),
            min_value: vec![1.0; window + 1].into_boxed_slice(),
            min_head: 0,
            min_len: 0,
            now: 0,
            release_coef: 1.0 - (-1.0 / (RELEASE_SECONDS * rate)).exp(),
            released: 1.0,
            average: vec![1.0; lookahead].into_boxed_slice(),
            average_pos: 0,
            average_sum: lookahead as f64,
        };
        limiter.reset();
        limiter
    }

    /// Limits the block in place. Output lags input by [`latency_frames`](Self::latency_frames);
    /// non-finite samples become 0.
    pub fn process(&mut self, interleaved: &mut [f32]) {
        let channels = self.channels;
        let frames = whole_frames(interleaved.len(), channels);
        let (body, rest) = interleaved.split_at_mut(frames * channels);
        for frame in body.chunks_exact_mut(channels) {
            let peak = self.detect(frame);
            let gain = self.gain_for(peak);
            let slot = self.delay_pos * channels;
            for (sample, delayed) in frame
                .iter_mut()
                .zip(&mut self.delay_line[slot..slot + channels])
            {
                let input = *sample;
                *sample = *delayed * gain;
                *delayed = input;
            }
            self.delay_pos += 1;
            if self.delay_pos == self.delay {
                self.delay_pos = 0;
            }
        }
        // A trailing partial frame cannot go through the delay line; silence it rather than let
        // it through unlimited and out of time.
        rest.fill(0.0);
    }

    /// Frames between a sample going in and coming out.
    pub fn latency_frames(&self) -> usize {
        self.delay
    }

    /// After a seek: forget the old position's audio and gain.
    pub fn reset(&mut self) {
        self.history.fill(0.0);
        self.history_pos = 0;
        self.delay_line.fill(0.0);
        self.delay_pos = 0;
        self.min_head = 0;
        self.min_len = 0;
        self.now = 0;
        self.loud_until = 0;
        self.released = 1.0;
        self.average.fill(1.0);
        self.average_pos = 0;
        self.average_sum = self.lookahead as f64;
    }

    /// Cleans the frame in place and returns its true peak over all channels: the largest
    /// interpolated magnitude between the frames `TAPS / 2` and `TAPS / 2 − 1` old.
    ///
    /// Written as plain loops over fixed arrays: besides vectorising in release builds, that
    /// keeps debug builds (which the app and its end-to-end tests also play with) well within
    /// real time, where iterator adaptors would cost a call per multiply-add.
    #[inline]
    fn detect(&mut self, frame: &mut [f32]) -> f32 {
        self.history_pos = if self.history_pos == 0 {
            TAPS - 1
        } else {
            self.history_pos - 1
        };
        let pos = self.history_pos;
        let mut loudest = 0.0f32;
        for (c, sample) in frame.iter_mut().enumerate() {
            let x = finite(*sample);
            *sample = x;
            loudest = loudest.max(x.abs());
            let slot = c * 2 * TAPS + pos;
            self.history[slot] = x;
            self.history[slot + TAPS] = x;
        }
        if loudest >= self.quiet_below {
            self.loud_until = self.now + TAPS as u64;
        }
        if self.now > self.loud_until {
            // Nothing in the filters' reach can interpolate over the ceiling.
            return 0.0;
        }
        let mut peak = 0.0f32;
        for c in 0..frame.len() {
            let start = c * 2 * TAPS + pos;
            let recent: &[f32; TAPS] = match self.history[start..start + TAPS].try_into() {
                Ok(recent) => recent,
                Err(_) => continue, // cannot happen: the slice is TAPS long
            };
            let mut short = [0.0f32; 8];
            let mut k = 0;
            while k < SHORT_TAPS {
                multiply_add(&mut short, &self.short[k], recent[SHORT_OFFSET + k]);
                k += 1;
            }
            let short_peak = largest_magnitude(&short);
            peak = peak.max(short_peak);
            if short_peak > self.long_from {
                let mut long = [0.0f32; OVERSAMPLE];
                let mut k = 0;
                while k < TAPS {
                    multiply_add(&mut long, &self.long[k], recent[k]);
                    k += 1;
                }
                peak = peak.max(largest_magnitude(&long));
            }
        }
        peak
    }

    /// The gain for the frame leaving the delay line now, given the newest detection.
    #[inline]
    fn gain_for(&mut self, peak: f32) -> f32 {
        let needed = if peak > self.ceiling {
            self.ceiling / peak
        } else {
            1.0
        };

        // Sliding minimum over the last `window` frames (monotonic queue, O(1) amortised).
        let cap = self.min_time.len();
        while self.min_len > 0 {
            let back = wrap(self.min_head + self.min_len - 1, cap);
            if self.min_value[back] < needed {
                break;
            }
            self.min_len -= 1;
        }
        let slot = wrap(self.min_head + self.min_len, cap);
        self.min_time[slot] = self.now;
        self.min_value[slot] = needed;
        self.min_len += 1;
        while self.min_time[self.min_head] + self.window as u64 <= self.now {
            self.min_head = wrap(self.min_head + 1, cap);
            self.min_len -= 1;
        }
        let minimum = f64::from(self.min_value[self.min_head]);
        self.now += 1;

        // Instant attack (never above the minimum), exponential release toward unity; snap to
        // exactly 1 at the end so that unlimited audio passes bit for bit.
        let released = self.released + (1.0 - self.released) * self.release_coef;
        self.released = if released > 1.0 - 1e-9 { 1.0 } else { released }.min(minimum);

        // Moving average over the look-ahead: the attack ramp. Re-summed once per turn of
        // the ring so rounding cannot build up over hours.
        self.average_sum += self.released - self.average[self.average_pos];
        self.average[self.average_pos] = self.released;
        self.average_pos += 1;
        if self.average_pos == self.lookahead {
            self.average_pos = 0;
            self.average_sum = self.average.iter().sum();
        }
        (self.average_sum / self.lookahead as f64) as f32
    }
}

/// `index % len` for an index below `2 * len`, without a division per frame.
#[inline(always)]
fn wrap(index: usize, len: usize) -> usize {
    if index >= len {
        index - len
    } else {
        index
    }
}

/// `acc += coefs * x`, lane by lane.
#[inline(always)]
fn multiply_add(acc: &mut [f32; 8], coefs: &[f32; 8], x: f32) {
    acc[0] += coefs[0] * x;
    acc[1] += coefs[1] * x;
    acc[2] += coefs[2] * x;
    acc[3] += coefs[3] * x;
    acc[4] += coefs[4] * x;
    acc[5] += coefs[5] * x;
    acc[6] += coefs[6] * x;
    acc[7] += coefs[7] * x;
}

#[inline(always)]
fn largest_magnitude(lanes: &[f32; 8]) -> f32 {
    let a = lanes[0].abs().max(lanes[1].abs());
    let b = lanes[2].abs().max(lanes[3].abs());
    let c = lanes[4].abs().max(lanes[5].abs());
    let d = lanes[6].abs().max(lanes[7].abs());
    a.max(b).max(c.max(d))
}

/// Kaiser-windowed sinc interpolator, `OVERSAMPLE` phases of `TAPS` taps. Phase `p`
/// interpolates the point `p / OVERSAMPLE` of a frame after the frame `TAPS / 2` old (phase 0
/// is that frame itself). Each phase is normalised to unity gain at DC, so a steady level
/// reads the same at every phase.
fn kaiser_interpolator() -> [[f32; OVERSAMPLE]; TAPS] {
    let half = (TAPS / 2) as f64;
    let mut filter = [[0.0f32; OVERSAMPLE]; TAPS];
    for p in 0..OVERSAMPLE {
        let fraction = p as f64 / OVERSAMPLE as f64;
        let weight = |k: usize| {
            // Distance from the interpolated point to the sample `k` frames old.
            let d = half - k as f64 - fraction;
            let u = (d / half).clamp(-1.0, 1.0);
            sinc(d) * bessel_i0(KAISER_BETA * (1.0 - u * u).sqrt()) / bessel_i0(KAISER_BETA)
        };
        let sum: f64 = (0..TAPS).map(weight).sum();
        for (k, taps) in filter.iter_mut().enumerate() {
            taps[p] = (weight(k) / sum) as f32;
        }
    }
    filter
}

/// The two 4× interpolators, 12 taps each, both covering the interval between the frames 6
/// and 5 taps old: lanes 0–3 are BS.1770 Annex 2, lanes 4–7 libebur128's (a 48-tap
/// Hann-windowed sinc, points at 0, ¼, ½, ¾ of the interval).
fn short_interpolators() -> [[f32; 8]; SHORT_TAPS] {
    let mut filter = [[0.0f32; 8]; SHORT_TAPS];
    for (k, taps) in filter.iter_mut().enumerate() {
        let mirrored = SHORT_TAPS - 1 - k;
        taps[0] = BS1770[0][k] as f32;
        taps[1] = BS1770[1][k] as f32;
        taps[2] = BS1770[1][mirrored] as f32;
        taps[3] = BS1770[0][mirrored] as f32;
        for (p, tap) in taps[4..].iter_mut().enumerate() {
            // libebur128: coefficient j = 4k + p of a 48-tap sinc at 4×, Hann-windowed.
            let j = (4 * k + p) as f64;
            let hann = 0.5 * (1.0 - (2.0 * PI * j / 48.0).cos());
            *tap = (hann * sinc((j - 24.0) / 4.0)) as f32;
        }
    }
    filter
}

fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-12 {
        1.0
    } else {
        (PI * x).sin() / (PI * x)
    }
}

/// Modified Bessel function of the first kind, order 0 (for the Kaiser window).
fn bessel_i0(x: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..50 {
        term *= (x / (2.0 * k as f64)).powi(2);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// The detector's reading of a whole signal, linear (for tests: what the limiter believes the
/// true peak is).
#[cfg(test)]
pub(crate) fn detector_peak(signal: &[f32], channels: u16) -> f32 {
    let mut limiter = TruePeakLimiter::new(channels, 48_000, 0.0);
    // Every filter on every frame.
    limiter.quiet_below = 0.0;
    limiter.long_from = 0.0;
    let channels = usize::from(channels);
    let mut frame = vec![0.0; channels];
    let mut peak = 0.0f32;
    // Then half a filter of silence, so that the last interval is read too.
    let padding = vec![0.0; TAPS * channels];
    for chunk in signal
        .chunks_exact(channels)
        .chain(padding.chunks_exact(channels))
    {
        frame.copy_from_slice(chunk);
        peak = peak.max(limiter.detect(&mut frame));
    }
    peak
}
