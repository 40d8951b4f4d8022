//! Tests of the sound stages on generated fixtures: deterministic noise (xorshift) and sine
//! tones, measured with our own `LoudnessMeter` (itself checked against EBU Tech 3341's sine
//! reference first). Speed tests print their numbers and assert loose bounds in release only.

use std::f64::consts::PI;
use std::time::Instant;

use super::*;

const RATE: u32 = 44_100;
const STEREO: u16 = 2;
/// Block size the player's feeder hands out, roughly.
const BLOCK_FRAMES: usize = 1024;

/// xorshift64: a tiny deterministic noise source.
struct Noise(u64);

impl Noise {
    fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// Uniform in [-1, 1).
    fn next(&mut self) -> f32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        ((x >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

/// A sine of `amplitude` at `freq` Hz on every channel.
fn tone(channels: u16, rate: u32, seconds: f64, freq: f64, amplitude: f64) -> Vec<f32> {
    let frames = (seconds * f64::from(rate)).round() as usize;
    let mut out = Vec::with_capacity(frames * usize::from(channels));
    for n in 0..frames {
        let s = (amplitude * (2.0 * PI * freq * n as f64 / f64::from(rate)).sin()) as f32;
        out.extend(std::iter::repeat_n(s, usize::from(channels)));
    }
    out
}

/// Independent white noise per channel plus a 1 kHz tone common to all: a stand-in for
/// programme material, with plenty of high-frequency content for intersample peaks.
fn noise_tone(channels: u16, rate: u32, seconds: f64, seed: u64) -> Vec<f32> {
    let mut noise = Noise::new(seed);
    let frames = (seconds * f64::from(rate)).round() as usize;
    let mut out = Vec::with_capacity(frames * usize::from(channels));
    for n in 0..frames {
        let t = (0.4 * (2.0 * PI * 1000.0 * n as f64 / f64::from(rate)).sin()) as f32;
        for _ in 0..channels {
            out.push(t + 0.4 * noise.next());
        }
    }
    out
}

fn measure(signal: &[f32], channels: u16, rate: u32) -> Option<LoudnessReport> {
    let mut meter = LoudnessMeter::new(channels, rate).ok()?;
    for block in signal.chunks(BLOCK_FRAMES * usize::from(channels)) {
        meter.add(block);
    }
    meter.finish()
}

fn lufs(signal: &[f32], channels: u16, rate: u32) -> f64 {
    measure(signal, channels, rate).map_or(f64::NEG_INFINITY, |r| r.integrated_lufs)
}

/// Scales the signal so that it measures `target` LUFS.
fn at_lufs(mut signal: Vec<f32>, channels: u16, rate: u32, target: f64) -> Vec<f32> {
    let gain = db_to_gain(target - lufs(&signal, channels, rate));
    signal.iter_mut().for_each(|s| *s *= gain);
    signal
}

fn seconds_to_samples(seconds: f64, channels: u16) -> usize {
    (seconds * f64::from(RATE)).round() as usize * usize::from(channels)
}

fn release_build() -> bool {
    !cfg!(debug_assertions)
}

mod loudness_tests {
    use super::*;

    #[test]
    fn stereo_sine_at_minus_23_dbfs_measures_minus_23_lufs() {
        // EBU Tech 3341 case 1: 1 kHz sine at −23 dBFS on both channels reads −23.0 ±0.1 LUFS.
        let signal = tone(STEREO, 48_000, 20.0, 1000.0, db_to_gain(-23.0).into());
        let report = measure(&signal, STEREO, 48_000).expect("measurable");
        assert!((report.integrated_lufs + 23.0).abs() < 0.1, "{report:?}");
        assert!((report.true_peak_dbtp + 23.0).abs() < 0.1, "{report:?}");
    }

    #[test]
    fn mono_is_measured_as_dual_mono() {
        let signal = tone(1, 48_000, 10.0, 1000.0, db_to_gain(-23.0).into());
        let mono = lufs(&signal, 1, 48_000);
        assert!((mono + 23.0).abs() < 0.1, "mono read {mono} LUFS");
    }

    #[test]
    fn silence_and_too_short_give_no_report() {
        assert_eq!(measure(&vec![0.0; 88_200 * 2], STEREO, RATE), None);
        // 300 ms: less than one 400 ms gating block.
        let short = tone(STEREO, RATE, 0.3, 1000.0, 0.5);
        assert_eq!(measure(&short, STEREO, RATE), None);
    }

    #[test]
    fn true_peak_finds_intersample_peaks() {
        // fs/4 at 45° phase: every sample is at ±0.707 of the wave's real peak (−3 dB).
        let frames = 44_100;
        let signal: Vec<f32> = (0..frames)
            .flat_map(|n| {
                let s = (0.9 * (PI / 2.0 * n as f64 + PI / 4.0).sin()) as f32;
                [s, s]
            })
            .collect();
        let report = measure(&signal, STEREO, RATE).expect("measurable");
        let real_peak = 20.0 * 0.9f64.log10();
        assert!(
            (report.true_peak_dbtp - real_peak).abs() < 0.3,
            "true peak {} dBTP, real {real_peak}",
            report.true_peak_dbtp
        );
    }

    #[test]
    fn non_finite_samples_count_as_silence() {
        let clean = noise_tone(STEREO, RATE, 10.0, 7);
        let mut dirty = clean.clone();
        for (i, s) in dirty.iter_mut().enumerate().step_by(997) {
            *s = if i % 2 == 0 { f32::NAN } else { f32::INFINITY };
        }
        let clean = measure(&clean, STEREO, RATE).expect("measurable");
        let dirty = measure(&dirty, STEREO, RATE).expect("measurable");
        assert!(dirty.integrated_lufs.is_finite() && dirty.true_peak_dbtp.is_finite());
        assert!((dirty.integrated_lufs - clean.integrated_lufs).abs() < 0.05);
    }

    #[test]
    fn unsupported_formats_are_refused() {
        for (channels, rate) in [(0, RATE), (9, RATE), (2, 7_999), (2, 192_001)] {
            assert!(matches!(
                LoudnessMeter::new(channels, rate),
                Err(SoundError::UnsupportedFormat { .. })
            ));
        }
        for (channels, rate) in [(1, 8_000), (8, 192_000), (6, 96_000)] {
            assert!(LoudnessMeter::new(channels, rate).is_ok());
        }
    }

    #[test]
    fn normalising_gain_is_clamped() {
        assert_eq!(normalising_gain_db(-23.0, -16.0), 7.0);
        assert_eq!(normalising_gain_db(-8.0, -16.0), -8.0);
        assert_eq!(normalising_gain_db(-76.0, -16.0), 20.0);
        assert_eq!(normalising_gain_db(10.0, -16.0), -20.0);
        assert_eq!(normalising_gain_db(f64::NEG_INFINITY, -16.0), 0.0);
        assert_eq!(normalising_gain_db(f64::NAN, -16.0), 0.0);
    }

    #[test]
    fn db_to_gain_is_safe() {
        assert_eq!(db_to_gain(0.0), 1.0);
        assert!((db_to_gain(-6.0) - 0.501_187).abs() < 1e-6);
        assert_eq!(db_to_gain(f64::NAN), 1.0);
        assert_eq!(db_to_gain(f64::NEG_INFINITY), 0.0);
        assert!(db_to_gain(f64::INFINITY).is_finite());
    }

    #[test]
    fn sample_peak_meter_reads_samples_only() {
        // fs/4 at 45°: samples at −3 dB of the real peak.
        let signal: Vec<f32> = (0..44_100)
            .flat_map(|n| {
                let s = (0.9 * (PI / 2.0 * n as f64 + PI / 4.0).sin()) as f32;
                [s, s]
            })
            .collect();
        let mut meter = LoudnessMeter::with_peak(STEREO, RATE, PeakKind::Sample).expect("ok");
        meter.add(&signal);
        let report = meter.finish().expect("measurable");
        let sample_peak = 20.0 * (0.9 * std::f64::consts::FRAC_1_SQRT_2).log10();
        assert!(
            (report.true_peak_dbtp - sample_peak).abs() < 0.01,
            "{report:?}"
        );
        assert!((report.integrated_lufs - lufs(&signal, STEREO, RATE)).abs() < 1e-9);
    }

    /// How long measuring an hour of 44.1 kHz stereo takes (integrated loudness with true
    /// peak, and with sample peak): ten minutes of audio are timed, scaled to an hour.
    #[test]
    fn meter_speed_one_hour_extrapolated() {
        let piece = noise_tone(STEREO, RATE, 10.0, 3);
        let repeats = if release_build() { 60 } else { 2 };
        for kind in [PeakKind::True, PeakKind::Sample] {
            let mut meter = LoudnessMeter::with_peak(STEREO, RATE, kind).expect("supported");
            let started = Instant::now();
            for _ in 0..repeats {
                for block in piece.chunks(4096 * 2) {
                    meter.add(block);
                }
            }
            let elapsed = started.elapsed().as_secs_f64();
            assert!(meter.finish().is_some());
            let per_hour = elapsed * 3600.0 / (10.0 * repeats as f64);
            println!(
                "LoudnessMeter ({kind:?} peak): {elapsed:.3} s for {} s of 44.1 kHz stereo → \
                 {per_hour:.1} s per hour ({})",
                10 * repeats,
                if release_build() { "release" } else { "debug" }
            );
            if release_build() {
                assert!(per_hour < 30.0, "measuring an hour takes {per_hour:.1} s");
            }
        }
    }
}

mod running_tests {
    use super::*;

    /// Runs `signal` through `gain` in player-sized blocks, recording the gain after each.
    fn run(gain: &mut AdaptiveGain, signal: &mut [f32], channels: u16) -> Vec<f64> {
        signal
            .chunks_mut(BLOCK_FRAMES * usize::from(channels))
            .map(|block| {
                gain.process(block);
                gain.current_gain_db()
            })
            .collect()
    }

    /// The largest gain change between consecutive frames, dB, seen on channel 0 wherever
    /// the input is far enough from zero for out/in to be exact.
    fn max_step_db(input: &[f32], output: &[f32], channels: usize) -> f64 {
        let mut previous: Option<f64> = None;
        let mut worst = 0.0f64;
        for (i, o) in input
            .iter()
            .step_by(channels)
            .zip(output.iter().step_by(channels))
        {
            if i.abs() < 0.01 {
                previous = None;
                continue;
            }
            let db = 20.0 * f64::from(o / i).log10();
            if let Some(p) = previous {
                worst = worst.max((db - p).abs());
            }
            previous = Some(db);
        }
        worst
    }

    /// The fastest the gain moved between blocks after `after_s`, dB per second.
    fn max_slew(gains: &[f64], after_s: f64) -> f64 {
        let block_s = BLOCK_FRAMES as f64 / f64::from(RATE);
        let skip = (after_s / block_s) as usize;
        gains[skip..]
            .windows(2)
            .map(|w| (w[1] - w[0]).abs() / block_s)
            .fold(0.0, f64::max)
    }

    fn converges_from(input_lufs: f64, seconds: f64) {
        let input = at_lufs(
            noise_tone(STEREO, RATE, seconds, 11),
            STEREO,
            RATE,
            input_lufs,
        );
        let mut output = input.clone();
        let mut gain = AdaptiveGain::new(STEREO, RATE, -16.0, None);
        let gains = run(&mut gain, &mut output, STEREO);

        // Jump-started: by 3.6 s the gain is (nearly) the whole correction.
        let at_3_6 = gains[(3.6 * f64::from(RATE)) as usize / BLOCK_FRAMES];
        assert!(
            (at_3_6 - (-16.0 - input_lufs)).abs() < 1.0,
            "gain at 3.6 s: {at_3_6} dB"
        );
        // Afterwards only slewed.
        let slew = max_slew(&gains, 3.7);
        assert!(slew <= MAX_SLEW_DB_PER_S + 1e-6, "slewed {slew} dB/s");
        assert!(max_step_db(&input, &output, 2) <= 0.05);

        let converged = lufs(&output[seconds_to_samples(4.0, STEREO)..], STEREO, RATE);
        let whole = lufs(&output, STEREO, RATE);
        println!("{input_lufs} LUFS in → {converged:.2} LUFS after 4 s, {whole:.2} LUFS whole");
        assert!(
            (converged + 16.0).abs() <= 0.5,
            "converged at {converged} LUFS"
        );
        assert!(
            (whole + 16.0).abs() <= 1.0,
            "whole playback at {whole} LUFS"
        );
        assert!(gain.estimate_lufs().is_some());
    }

    /// 14 s clips, measured whole from the first sample as the end-to-end test hears them.
    #[test]
    fn quiet_stream_comes_out_at_target() {
        converges_from(-30.0, 14.0);
    }

    /// Turned down from its first 400 ms block on, so the loud start barely counts.
    #[test]
    fn loud_stream_comes_out_at_target() {
        converges_from(-8.0, 14.0);
    }

    #[test]
    fn long_loud_stream_stays_at_target() {
        converges_from(-8.0, 60.0);
    }

    #[test]
    fn step_up_is_followed_by_slewing_without_a_jump() {
        // As the end-to-end test plays it: 20 s at −26 LUFS, then the same 6 dB louder.
        let quiet = at_lufs(noise_tone(STEREO, RATE, 20.0, 5), STEREO, RATE, -26.0);
        let loud = at_lufs(noise_tone(STEREO, RATE, 30.0, 6), STEREO, RATE, -20.0);
        let input = [quiet, loud].concat();
        let mut output = input.clone();
        let mut gain = AdaptiveGain::new(STEREO, RATE, -16.0, None);
        let gains = run(&mut gain, &mut output, STEREO);

        let slew = max_slew(&gains, 3.7);
        assert!(slew <= MAX_SLEW_DB_PER_S + 1e-6, "slewed {slew} dB/s");
        assert!(max_step_db(&input, &output, 2) <= 0.05);
        let segment = |from: f64, to: f64| {
            lufs(
                &output[seconds_to_samples(from, STEREO)..seconds_to_samples(to, STEREO)],
                STEREO,
                RATE,
            )
        };
        let before = segment(5.0, 20.0);
        let at_40 = segment(37.0, 40.0);
        let end = segment(45.0, 50.0);
        println!("step: {before:.2} LUFS before, {at_40:.2} at 37–40 s, {end:.2} at 45–50 s");
        assert!(
            (before + 16.0).abs() <= 0.5,
            "before the step: {before} LUFS"
        );
        assert!(
            (at_40 + 16.0).abs() <= 1.0,
            "20 s after the step: {at_40} LUFS"
        );
        assert!((end + 16.0).abs() <= 0.5, "at the end: {end} LUFS");
        // The step itself is heard (no instant correction) and then taken back gradually.
        let just_after = gains[(21.0 * f64::from(RATE)) as usize / BLOCK_FRAMES];
        assert!(just_after > 8.0, "gain 1 s after the step: {just_after} dB");
    }

    #[test]
    fn late_first_estimate_is_slewed_not_jumped() {
        // 3 s of silence first: the estimate arrives at ~6 s, past the jump-start deadline.
        let mut input = vec![0.0; seconds_to_samples(3.0, STEREO)];
        input.extend(at_lufs(
            noise_tone(STEREO, RATE, 12.0, 9),
            STEREO,
            RATE,
            -30.0,
        ));
        let mut output = input.clone();
        let mut gain = AdaptiveGain::new(STEREO, RATE, -16.0, Some(2.0));
        let gains = run(&mut gain, &mut output, STEREO);
        assert_eq!(gains[0], 2.0, "starts at the initial gain");
        let slew = max_slew(&gains, 0.0);
        assert!(slew <= MAX_SLEW_DB_PER_S + 1e-6, "slewed {slew} dB/s");
        let last = gains[gains.len() - 1];
        assert!(last > 2.0 + 7.0 && last < 14.0, "gain after 15 s: {last}");
    }

    #[test]
    fn fixed_gain_is_applied_exactly_and_not_adapted() {
        let input = noise_tone(STEREO, RATE, 5.0, 2);
        let mut output = input.clone();
        let mut gain = AdaptiveGain::new(STEREO, RATE, -16.0, None);
        gain.set_fixed(-6.0);
        run(&mut gain, &mut output, STEREO);
        let g = db_to_gain(-6.0);
        assert!(input
            .iter()
            .zip(&output)
            .all(|(i, o)| (i * g - o).abs() < 1e-6));
        assert_eq!(gain.current_gain_db(), -6.0);
        assert_eq!(gain.estimate_lufs(), None);
    }

    #[test]
    fn seek_keeps_the_gain() {
        let mut input = at_lufs(noise_tone(STEREO, RATE, 8.0, 4), STEREO, RATE, -26.0);
        let mut gain = AdaptiveGain::new(STEREO, RATE, -16.0, None);
        run(&mut gain, &mut input, STEREO);
        let before = gain.current_gain_db();
        gain.reset_position();
        assert_eq!(gain.current_gain_db(), before);
        assert!((before - 10.0).abs() < 1.0, "gain {before}");
        let mut more = at_lufs(noise_tone(STEREO, RATE, 2.0, 8), STEREO, RATE, -26.0);
        run(&mut gain, &mut more, STEREO);
        assert!((gain.current_gain_db() - before).abs() < 1.0);
    }

    #[test]
    fn target_change_is_slewed() {
        let mut input = at_lufs(noise_tone(STEREO, RATE, 6.0, 4), STEREO, RATE, -20.0);
        let mut gain = AdaptiveGain::new(STEREO, RATE, -16.0, None);
        run(&mut gain, &mut input, STEREO);
        assert!((gain.current_gain_db() - 4.0).abs() < 0.5);
        gain.set_target(-20.0);
        let mut more = at_lufs(noise_tone(STEREO, RATE, 2.0, 8), STEREO, RATE, -20.0);
        let gains = run(&mut gain, &mut more, STEREO);
        assert!(max_slew(&gains, 0.0) <= MAX_SLEW_DB_PER_S + 1e-6);
        let last = gains[gains.len() - 1];
        assert!((last - 2.0).abs() < 0.3, "after 2 s of slewing: {last} dB");
    }

    #[test]
    fn non_finite_input_does_not_poison_the_estimate() {
        let mut input = at_lufs(noise_tone(STEREO, RATE, 8.0, 4), STEREO, RATE, -26.0);
        for s in input.iter_mut().step_by(1013) {
            *s = f32::NAN;
        }
        input[1000] = f32::INFINITY;
        let mut gain = AdaptiveGain::new(STEREO, RATE, -16.0, None);
        run(&mut gain, &mut input, STEREO);
        assert!(input.iter().all(|s| s.is_finite()));
        assert!((gain.current_gain_db() - 10.0).abs() < 1.0);
    }

    #[test]
    fn mono_and_odd_block_sizes_work() {
        let input = at_lufs(noise_tone(1, 22_050, 8.0, 4), 1, 22_050, -20.0);
        let mut output = input.clone();
        let mut gain = AdaptiveGain::new(1, 22_050, -16.0, None);
        for block in output.chunks_mut(333) {
            gain.process(block);
        }
        assert!((gain.current_gain_db() - 4.0).abs() < 0.5);
        let tail = lufs(&output[22_050 * 4..], 1, 22_050);
        assert!((tail + 16.0).abs() < 0.5, "{tail}");
    }
}

mod limiter_tests {
    use super::*;

    fn limit(signal: &mut [f32], channels: u16, rate: u32) -> usize {
        let mut limiter = TruePeakLimiter::new(channels, rate, -1.0);
        for block in signal.chunks_mut(BLOCK_FRAMES * usize::from(channels)) {
            limiter.process(block);
        }
        limiter.latency_frames()
    }

    #[test]
    fn hot_signal_stays_under_the_ceiling() {
        // Peak-normalised noise+tone, then +12 dB.
        let mut signal = noise_tone(STEREO, RATE, 20.0, 21);
        let peak = signal.iter().fold(0.0f32, |p, s| p.max(s.abs()));
        let gain = db_to_gain(12.0) / peak;
        signal.iter_mut().for_each(|s| *s *= gain);
        let before = measure(&signal, STEREO, RATE).expect("measurable");
        limit(&mut signal, STEREO, RATE);
        let after = measure(&signal, STEREO, RATE).expect("measurable");
        println!(
            "limiter: {:.2} dBTP in → {:.3} dBTP out",
            before.true_peak_dbtp, after.true_peak_dbtp
        );
        assert!(before.true_peak_dbtp > 11.0);
        assert!(after.true_peak_dbtp <= -1.0, "{after:?}");
        // And not needlessly low.
        assert!(after.true_peak_dbtp > -2.0, "{after:?}");
    }

    #[test]
    fn intersample_peaks_are_caught() {
        // fs/4 at 45°: samples at −1.5 dBFS, true peak at +1.5 dBTP.
        let amplitude = db_to_gain(1.5) as f64;
        let mut signal: Vec<f32> = (0..RATE as usize * 5)
            .flat_map(|n| {
                let s = (amplitude * (PI / 2.0 * n as f64 + PI / 4.0).sin()) as f32;
                [s, s]
            })
            .collect();
        limit(&mut signal, STEREO, RATE);
        let after = measure(&signal, STEREO, RATE).expect("measurable");
        assert!(after.true_peak_dbtp <= -1.0, "{after:?}");
        assert!(after.true_peak_dbtp > -1.5, "{after:?}");
    }

    #[test]
    fn high_tones_near_nyquist_stay_under_the_ceiling() {
        for (freq, rate) in [(15_000.0, 44_100), (19_000.0, 44_100), (11_000.0, 22_050)] {
            let mut signal = tone(STEREO, rate, 3.0, freq, 2.0);
            limit(&mut signal, STEREO, rate);
            let after = measure(&signal, STEREO, rate).expect("measurable");
            println!("{freq} Hz at {rate}: {:.3} dBTP", after.true_peak_dbtp);
            assert!(after.true_peak_dbtp <= -1.0, "{freq} Hz: {after:?}");
        }
    }

    #[test]
    fn detector_reads_the_peak_between_samples() {
        // fs/4 at 45°: samples at 0.707 of the real peak. Faded in and out over 10 ms, as
        // an abrupt start rings in any interpolator.
        let signal: Vec<f32> = (0..4800)
            .map(|n| {
                let fade = (n.min(4799 - n) as f64 / 480.0).min(1.0);
                let fade = 0.5 - 0.5 * (PI * fade).cos();
                (fade * 0.5 * (PI / 2.0 * n as f64 + PI / 4.0).sin()) as f32
            })
            .collect();
        let peak = limiter::detector_peak(&signal, 1);
        assert!((peak - 0.5).abs() < 0.003, "read {peak}");
        // A quiet tone reads its amplitude (no interpolation overshoot).
        let quiet = tone(1, 48_000, 0.1, 1000.0, 0.1);
        let peak = limiter::detector_peak(&quiet, 1);
        assert!((peak - 0.1).abs() < 0.001, "read {peak}");
    }

    #[test]
    fn quiet_signal_passes_unchanged_after_the_latency() {
        let input = at_lufs(noise_tone(STEREO, RATE, 5.0, 13), STEREO, RATE, -24.0);
        let input_peak = measure(&input, STEREO, RATE)
            .expect("measurable")
            .true_peak_dbtp;
        assert!(input_peak < -2.0, "fixture too hot: {input_peak}");
        let mut output = input.clone();
        let latency = limit(&mut output, STEREO, RATE);
        // 5 ms look-ahead, plus half the detector's long filter and the hold.
        assert_eq!(latency, 260);
        let shift = latency * 2;
        assert!(output[..shift].iter().all(|&s| s == 0.0));
        let worst = input
            .iter()
            .zip(&output[shift..])
            .map(|(i, o)| (i - o).abs())
            .fold(0.0f32, f32::max);
        assert!(worst <= 1e-6, "differs by {worst}");
    }

    #[test]
    fn gain_moves_smoothly() {
        // Quiet, then a sudden burst 12 dB over the ceiling, then quiet again.
        let mut input = tone(STEREO, RATE, 1.0, 220.0, 0.3);
        input.extend(tone(STEREO, RATE, 1.0, 220.0, 3.5));
        input.extend(tone(STEREO, RATE, 1.0, 220.0, 0.3));
        let mut output = input.clone();
        let latency = limit(&mut output, STEREO, RATE);
        let mut worst = 0.0f32;
        let mut previous: Option<f32> = None;
        for (i, o) in input
            .iter()
            .step_by(2)
            .zip(output[latency * 2..].iter().step_by(2))
        {
            if i.abs() < 0.05 {
                previous = None;
                continue;
            }
            let g = o / i;
            if let Some(p) = previous {
                worst = worst.max((g - p).abs());
            }
            previous = Some(g);
        }
        // A drop to −13 dB spread over the 5 ms look-ahead: about 0.004 per sample.
        assert!(worst < 0.01, "gain stepped by {worst}");
    }

    #[test]
    fn non_finite_and_reset() {
        let mut limiter = TruePeakLimiter::new(STEREO, RATE, -1.0);
        let mut block = vec![f32::NAN; 2048];
        block[7] = f32::INFINITY;
        limiter.process(&mut block);
        assert!(block.iter().all(|s| s.is_finite()));
        limiter.reset();
        let input = tone(STEREO, RATE, 0.5, 440.0, 0.5);
        let mut output = input.clone();
        limiter.process(&mut output);
        let shift = limiter.latency_frames() * 2;
        assert!(input
            .iter()
            .zip(&output[shift..])
            .all(|(i, o)| (i - o).abs() <= 1e-6));
    }
}

mod silence_tests {
    use super::*;

    /// Six 2 s tones (440 Hz, −20 dBFS, whole cycles so they start and end at zero) with 3 s
    /// gaps of digital silence or of −70 dBFS noise.
    fn tones_and_gaps(noisy_gaps: bool) -> Vec<f32> {
        let burst = tone(STEREO, RATE, 2.0, 440.0, db_to_gain(-20.0).into());
        let mut noise = Noise::new(99);
        // Uniform noise of peak a has RMS a/√3.
        let noise_peak = db_to_gain(-70.0) * 3f32.sqrt();
        let mut out = Vec::new();
        for i in 0..6 {
            if i > 0 {
                let gap = seconds_to_samples(3.0, STEREO);
                if noisy_gaps {
                    out.extend((0..gap).map(|_| noise_peak * noise.next()));
                } else {
                    out.extend(std::iter::repeat_n(0.0, gap));
                }
            }
            out.extend_from_slice(&burst);
        }
        out
    }

    fn skip(input: &[f32], level: SkipSilence, block: usize) -> (Vec<f32>, u64, usize) {
        let mut skipper = SilenceSkipper::new(STEREO, RATE, level);
        let mut out = Vec::with_capacity(input.len());
        let mut dropped = 0;
        let mut most_held = 0;
        for piece in input.chunks(block) {
            dropped += skipper.process(piece, &mut out);
            most_held = most_held.max(skipper.held_frames());
        }
        skipper.flush(&mut out);
        assert_eq!(skipper.take_dropped(), dropped);
        assert_eq!(skipper.take_dropped(), 0);
        (out, dropped, most_held)
    }

    fn seconds(samples: usize) -> f64 {
        samples as f64 / 2.0 / f64::from(RATE)
    }

    /// Frames of tone: louder than −50 dBFS, or next to such a frame (the tone's zero
    /// crossings are quieter than that for less than a sample).
    fn sounding_frames(signal: &[f32]) -> usize {
        let floor = db_to_gain(-50.0);
        let loud: Vec<bool> = signal
            .chunks(2)
            .map(|f| f.iter().any(|s| s.abs() > floor))
            .collect();
        (0..loud.len())
            .filter(|&i| loud[i] || loud.get(i + 1) == Some(&true) || (i > 0 && loud[i - 1]))
            .count()
    }

    fn max_jump(signal: &[f32]) -> f32 {
        signal
            .chunks(2)
            .zip(signal.chunks(2).skip(1))
            .map(|(a, b)| (a[0] - b[0]).abs().max((a[1] - b[1]).abs()))
            .fold(0.0, f32::max)
    }

    fn check_level(noisy: bool) {
        let input = tones_and_gaps(noisy);
        let input_sounding = sounding_frames(&input);
        let (strong, strong_dropped, strong_held) = skip(&input, SkipSilence::Strong, 4096);
        let (mild, mild_dropped, mild_held) = skip(&input, SkipSilence::Mild, 4096);
        let (off, off_dropped, _) = skip(&input, SkipSilence::Off, 4096);
        println!(
            "skip silence ({}): in {:.3} s, Strong {:.3} s, Mild {:.3} s; held at most {:.3} s / {:.3} s",
            if noisy { "noisy gaps" } else { "digital silence" },
            seconds(input.len()),
            seconds(strong.len()),
            seconds(mild.len()),
            strong_held as f64 / f64::from(RATE),
            mild_held as f64 / f64::from(RATE),
        );

        // Every tone sample kept: 12 s of sound, within 10 ms.
        let tolerance = (0.010 * f64::from(RATE)) as usize;
        for out in [&strong, &mild] {
            assert!(sounding_frames(out).abs_diff(input_sounding) <= tolerance);
            assert!(sounding_frames(out).abs_diff(12 * RATE as usize) <= tolerance);
        }
        assert!(
            seconds(strong.len()) <= 13.5,
            "Strong: {}",
            seconds(strong.len())
        );
        assert!(seconds(mild.len()) <= 15.5, "Mild: {}", seconds(mild.len()));
        assert!(mild.len() > strong.len());
        // Frames in = frames out + dropped.
        assert_eq!(strong.len() / 2 + strong_dropped as usize, input.len() / 2);
        assert_eq!(mild.len() / 2 + mild_dropped as usize, input.len() / 2);
        // Bounded hold-back: under the level's threshold.
        assert!(strong_held as f64 <= 0.35 * f64::from(RATE));
        assert!(mild_held as f64 <= 1.0 * f64::from(RATE));
        // Off changes nothing.
        assert_eq!(off_dropped, 0);
        assert_eq!(off, input);
        // No clicks: nothing jumps more than the input itself does.
        let limit = max_jump(&input) + 1e-6;
        assert!(
            max_jump(&strong) <= limit,
            "{} > {limit}",
            max_jump(&strong)
        );
        assert!(max_jump(&mild) <= limit, "{} > {limit}", max_jump(&mild));
    }

    #[test]
    fn tones_in_digital_silence() {
        check_level(false);
    }

    #[test]
    fn tones_in_quiet_noise() {
        check_level(true);
    }

    #[test]
    fn block_size_does_not_matter() {
        let input = tones_and_gaps(true);
        let (whole, _, _) = skip(&input, SkipSilence::Strong, input.len());
        for block in [1, 7, 441, 1000, 4096] {
            if block < 100 {
                // Sample-sized blocks are slow in debug; a prefix is enough.
                let prefix = &input[..seconds_to_samples(6.0, STEREO)];
                let (a, _, _) = skip(prefix, SkipSilence::Strong, prefix.len());
                let (b, _, _) = skip(prefix, SkipSilence::Strong, block);
                assert_eq!(a, b, "block {block}");
            } else {
                let (out, _, _) = skip(&input, SkipSilence::Strong, block);
                assert_eq!(out, whole, "block {block}");
            }
        }
    }

    #[test]
    fn short_pauses_are_kept_whole() {
        // 0.3 s pauses: under Strong's threshold.
        let burst = tone(STEREO, RATE, 1.0, 440.0, 0.1);
        let mut input = Vec::new();
        for _ in 0..4 {
            input.extend_from_slice(&burst);
            input.extend(std::iter::repeat_n(0.0, seconds_to_samples(0.3, STEREO)));
        }
        input.extend_from_slice(&burst);
        let (out, dropped, _) = skip(&input, SkipSilence::Strong, 1024);
        assert_eq!(dropped, 0);
        assert_eq!(out, input);
    }

    #[test]
    fn level_change_and_seek() {
        let input = tones_and_gaps(false);
        let mut skipper = SilenceSkipper::new(STEREO, RATE, SkipSilence::Strong);
        let mut out = Vec::new();
        let half = seconds_to_samples(8.5, STEREO); // inside the second gap
        skipper.process(&input[..half], &mut out);
        assert!(skipper.held_frames() > 0);
        skipper.set_level(SkipSilence::Off);
        let before = out.len();
        skipper.process(&input[half..], &mut out);
        assert_eq!(skipper.held_frames(), 0);
        // Off from here on: the rest passes whole after what was held.
        assert!(out.len() - before >= input.len() - half);
        assert!(out[out.len() - (input.len() - half)..] == input[half..]);

        skipper.set_level(SkipSilence::Mild);
        skipper.process(&input[..half], &mut out);
        skipper.reset();
        assert_eq!(skipper.held_frames(), 0);
        let mut fresh = Vec::new();
        skipper.process(&[f32::NAN; 64], &mut fresh);
        skipper.flush(&mut fresh);
        assert!(fresh.iter().all(|s| *s == 0.0) && fresh.len() == 64);
    }
}

/// The whole chain's CPU cost: skipper → adaptive gain → limiter over 60 s of 44.1 kHz stereo
/// programme with pauses. At 2× speed the chain sees 60 s of audio every 30 s.
#[test]
fn chain_cpu_at_double_speed() {
    let mut input = Vec::new();
    let speech = at_lufs(noise_tone(STEREO, RATE, 3.0, 31), STEREO, RATE, -24.0);
    while input.len() < seconds_to_samples(60.0, STEREO) {
        input.extend_from_slice(&speech);
        input.extend(std::iter::repeat_n(0.0, seconds_to_samples(1.0, STEREO)));
    }
    input.truncate(seconds_to_samples(60.0, STEREO));

    let mut skipper = SilenceSkipper::new(STEREO, RATE, SkipSilence::Strong);
    let mut gain = AdaptiveGain::new(STEREO, RATE, -16.0, None);
    gain.set_target(-16.0 + 6.0); // boost on, so the limiter works too
    let mut limiter = TruePeakLimiter::new(STEREO, RATE, -1.0);
    let mut block = Vec::with_capacity(BLOCK_FRAMES * 2 * 2);
    let mut played = 0usize;

    let started = Instant::now();
    for piece in input.chunks(BLOCK_FRAMES * 2) {
        block.clear();
        skipper.process(piece, &mut block);
        gain.process(&mut block);
        limiter.process(&mut block);
        played += block.len();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let percent = elapsed / 30.0 * 100.0;
    println!(
        "chain: {:.1} ms for 60 s of 44.1 kHz stereo ({:.1} s played) → {percent:.2} % of a core at 2× ({})",
        elapsed * 1000.0,
        played as f64 / 2.0 / f64::from(RATE),
        if release_build() { "release" } else { "debug" }
    );
    assert!(played > 0);
    if release_build() {
        assert!(percent < 5.0, "chain needs {percent:.2} % of a core at 2×");
    }
}
