//! Pitch-preserving playback speed change (time stretching) for speech.
//!
//! Uses WSOLA (waveform-similarity overlap-add): the output is built from
//! short input segments laid end to end with a raised-cosine crossfade. Each
//! new segment is taken near its nominal input position (`output time ×
//! speed`) but shifted by up to ±12 ms to the spot whose waveform best matches
//! the natural continuation of the previous segment, so splices land in phase
//! and pitch is unchanged.
//!
//! Real-time friendly: every buffer is allocated in [`TimeStretch::new`], and
//! the input buffer is compacted in place, so steady-state `push`/`pull`
//! calls do not allocate (as long as less than ~1 s of input is buffered).

/// Slowest supported speed.
const MIN_SPEED: f32 = 0.5;
/// Fastest supported speed.
const MAX_SPEED: f32 = 3.0;
/// Crossfade length = synthesis hop (segment length is twice this). 15 ms is
/// ~1.5 pitch periods of a low voice: long enough for the correlation to lock
/// onto the pitch, short enough not to smear syllables or echo at 0.5×.
const HOP_SECONDS: f64 = 0.015;
/// Maximum shift from the nominal position when looking for a matching
/// splice point; must exceed one pitch period (≥ 80 Hz voices).
const SEEK_SECONDS: f64 = 0.012;
/// Rate at which the coarse correlation runs; speech periodicity is well
/// represented at 11 kHz, and it cuts the search cost by the decimation
/// factor squared.
const CORR_RATE: u32 = 11_025;
/// Input capacity preallocated beyond the working window, in seconds.
const PREALLOC_SECONDS: usize = 1;

/// Streaming WSOLA time stretcher for interleaved `f32` audio.
///
/// Position reporting: let `pushed` be the number of whole frames passed to
/// [`push`](Self::push) since `new`/[`reset`](Self::reset). The input frame
/// index of the audio that the next [`pull`](Self::pull) returns is
/// `pushed - buffered_input_frames()`. Subtract further the device latency
/// (in output frames) × speed to get what is audible right now.
#[derive(Debug)]
pub struct TimeStretch {
    channels: usize,
    speed: f32,
    /// Synthesis hop / crossfade length, frames.
    hop: usize,
    /// Search radius around the nominal position, frames.
    seek: usize,
    /// Length of the waveform compared at a splice (one segment), frames.
    corr_len: usize,
    /// Decimation factor for the coarse search.
    decim: usize,
    /// Crossfade gain of the incoming segment (rising half of a Hann window).
    fade_in: Vec<f32>,
    /// Interleaved input; `buf[0]` is absolute frame `base`.
    buf: Vec<f32>,
    base: u64,
    /// Absolute input frame where the previous segment naturally continues;
    /// in pass-through mode it is simply the read position.
    cursor: u64,
    /// Nominal input position (absolute frames) reached by the output
    /// generated so far: advances by `hop × speed` per segment.
    consumed: f64,
    finished: bool,
    /// Generated but not yet pulled output (one hop).
    outq: Vec<f32>,
    outq_len: usize,
    outq_pos: usize,
    outq_speed: f64,
    /// Scratch for the correlation search (mono, preallocated).
    tgt_dec: Vec<f32>,
    reg_dec: Vec<f32>,
    tgt_full: Vec<f32>,
    reg_full: Vec<f32>,
}

/// Where the next segment may be taken from.
struct Plan {
    lo: u64,
    hi: u64,
    /// Input frames (absolute) that must be buffered before searching.
    need: u64,
    /// `consumed` after this segment.
    after: f64,
}

/// Bounds-checked view of the input buffer; reads outside it yield silence,
/// which is what we want past the end of a finished stream.
struct Src<'a> {
    buf: &'a [f32],
    base: u64,
    channels: usize,
}

impl Src<'_> {
    fn frame(&self, abs: u64) -> Option<&[f32]> {
        let rel = usize::try_from(abs.checked_sub(self.base)?).ok()?;
        let start = rel.checked_mul(self.channels)?;
        self.buf.get(start..start.checked_add(self.channels)?)
    }

    fn sample(&self, abs: u64, ch: usize) -> f32 {
        self.frame(abs)
            .and_then(|f| f.get(ch))
            .copied()
            .unwrap_or(0.0)
    }

    /// Channel sum (scale is irrelevant for the correlation argmax).
    fn mono(&self, abs: u64) -> f32 {
        self.frame(abs).map_or(0.0, |f| f.iter().sum())
    }
}

/// Dot product with independent accumulators so LLVM can vectorise it.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for ((s, p), q) in acc.iter_mut().zip(x).zip(y) {
            *s += p * q;
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Index of the window of `region` (length `tgt.len()`) most similar to
/// `tgt`, by cross-correlation normalised by the candidate's energy.
/// Ties keep the earliest candidate.
fn best_match(region: &[f32], tgt: &[f32]) -> usize {
    let len = tgt.len().max(1);
    // Keeps the silent-input case from dividing by zero.
    let eps = 1e-12 * len as f64;
    let mut energy = 0.0f64;
    let mut prev_first: Option<f32> = None;
    let mut best = (f64::NEG_INFINITY, 0usize);
    for (k, win) in region.windows(len).enumerate() {
        // Sliding energy: add the new last sample, drop the old first one.
        match prev_first {
            None => energy = win.iter().map(|&x| f64::from(x * x)).sum(),
            Some(p) => {
                let last = win.last().copied().unwrap_or(0.0);
                energy += f64::from(last * last) - f64::from(p * p);
            }
        }
        prev_first = win.first().copied();
        let score = f64::from(dot(win, tgt)) / (energy.max(0.0) + eps).sqrt();
        if score > best.0 {
            best = (score, k);
        }
    }
    best.1
}

impl TimeStretch {
    /// Creates a stretcher at speed 1.0 (bit-exact pass-through).
    /// `channels` and `sample_rate` of 0 are treated as 1 / 8 kHz.
    pub fn new(channels: u16, sample_rate: u32) -> Self {
        let channels = usize::from(channels.max(1));
        let sr = sample_rate.max(8_000);
        let frames = |secs: f64| ((f64::from(sr) * secs).round() as usize).max(1);
        let hop = frames(HOP_SECONDS).max(16);
        let seek = frames(SEEK_SECONDS);
        let corr_len = 2 * hop;
        let decim = ((sr + CORR_RATE / 2) / CORR_RATE).max(1) as usize;
        let dec_len = (corr_len / decim).max(1);
        let max_lags = 2 * seek / decim + 2;
        let hann =
            |j: usize| (0.5 - 0.5 * (std::f64::consts::PI * j as f64 / hop as f64).cos()) as f32;
        let fade_in = (0..hop).map(hann).collect();
        let buf_frames = sr as usize * PREALLOC_SECONDS + 4 * (corr_len + 2 * seek);
        Self {
            channels,
            speed: 1.0,
            hop,
            seek,
            corr_len,
            decim,
            fade_in,
            buf: Vec::with_capacity(buf_frames * channels),
            base: 0,
            cursor: 0,
            consumed: 0.0,
            finished: false,
            outq: vec![0.0; hop * channels],
            outq_len: 0,
            outq_pos: 0,
            outq_speed: 1.0,
            tgt_dec: vec![0.0; dec_len],
            reg_dec: vec![0.0; max_lags + dec_len],
            tgt_full: vec![0.0; corr_len],
            reg_full: vec![0.0; corr_len + 2 * decim],
        }
    }

    /// Sets the playback speed, clamped to 0.5..=3.0; non-finite values are
    /// ignored. Takes effect at the next segment (≤ 15 ms), click-free.
    pub fn set_speed(&mut self, speed: f32) {
        if speed.is_finite() {
            self.speed = speed.clamp(MIN_SPEED, MAX_SPEED);
        }
    }

    /// Current speed.
    pub fn speed(&self) -> f32 {
        self.speed
    }

    /// Appends interleaved input samples. A trailing partial frame is kept
    /// until completed by the next push. Ignored after [`finish`](Self::finish).
    pub fn push(&mut self, input: &[f32]) {
        if self.finished || input.is_empty() {
            return;
        }
        self.compact(input.len());
        // Only grows (allocates) if one push exceeds the preallocated ~1 s.
        self.buf.extend_from_slice(input);
    }

    /// Writes up to `out.len()` samples (whole frames only) and returns how
    /// many were written. Returns less than requested when more input is
    /// needed (see [`input_frames_wanted`](Self::input_frames_wanted)) or
    /// the finished stream is drained.
    pub fn pull(&mut self, out: &mut [f32]) -> usize {
        let ch = self.channels;
        let want = out.len() / ch;
        let mut done = 0;
        while done < want {
            if self.outq_pos < self.outq_len {
                let n = (want - done).min(self.outq_len - self.outq_pos);
                let src = self.outq.iter().skip(self.outq_pos * ch).take(n * ch);
                for (d, s) in out.iter_mut().skip(done * ch).zip(src) {
                    *d = *s;
                }
                self.outq_pos += n;
                done += n;
            } else if self.speed == 1.0 {
                // Pass-through: copying from `cursor` is exactly the natural
                // continuation of the last segment, so entering this mode
                // mid-stream is seamless.
                self.consumed = self.cursor as f64;
                let avail = self.avail_frames().saturating_sub(self.cursor);
                let n = (want - done).min(usize::try_from(avail).unwrap_or(usize::MAX));
                if n == 0 {
                    break;
                }
                let rel =
                    usize::try_from(self.cursor.saturating_sub(self.base)).unwrap_or(usize::MAX);
                let src = self.buf.iter().skip(rel.saturating_mul(ch)).take(n * ch);
                for (d, s) in out.iter_mut().skip(done * ch).zip(src) {
                    *d = *s;
                }
                self.cursor += n as u64;
                self.consumed = self.cursor as f64;
                done += n;
            } else if !self.step() {
                break;
            }
        }
        done * ch
    }

    /// Input frames still needed before the next [`pull`](Self::pull) can
    /// produce output (0 if it already can, or after `finish`).
    pub fn input_frames_wanted(&self) -> usize {
        if self.finished || self.outq_pos < self.outq_len {
            return 0;
        }
        let avail = self.avail_frames();
        if self.speed == 1.0 {
            return usize::from(self.cursor >= avail);
        }
        usize::try_from(self.plan().need.saturating_sub(avail)).unwrap_or(usize::MAX)
    }

    /// Input frames pushed but not yet played out, measured in input time
    /// (the look-ahead and the pending output, scaled by speed).
    /// See the type docs for turning it into a playback position.
    pub fn buffered_input_frames(&self) -> usize {
        let avail = self.avail_frames();
        let pos = if self.outq_pos < self.outq_len {
            let pending = (self.outq_len - self.outq_pos) as f64 * self.outq_speed;
            self.consumed - pending
        } else if self.speed == 1.0 {
            self.cursor as f64
        } else {
            self.consumed
        };
        let pos = pos.round().clamp(0.0, avail as f64) as u64;
        usize::try_from(avail.saturating_sub(pos)).unwrap_or(usize::MAX)
    }

    /// Drops all buffered input and output (e.g. after a seek) and clears
    /// `finish`. Keeps the speed; frame counting restarts at 0.
    pub fn reset(&mut self) {
        self.buf.clear();
        self.base = 0;
        self.cursor = 0;
        self.consumed = 0.0;
        self.finished = false;
        self.outq_len = 0;
        self.outq_pos = 0;
    }

    /// Marks end of input: `pull` then drains everything, padding nothing.
    pub fn finish(&mut self) {
        self.finished = true;
    }

    /// Absolute index one past the last complete buffered frame.
    fn avail_frames(&self) -> u64 {
        self.base + (self.buf.len() / self.channels) as u64
    }

    /// Discards input that no future segment can reference. Amortised: only
    /// moves memory when it frees at least half the buffer or room is needed.
    fn compact(&mut self, incoming: usize) {
        let ch = self.channels;
        // The next search may start as early as consumed - hop/2 - seek (at
        // 0.5×), and the natural continuation starts at `cursor`.
        let anchor = self.cursor.min(self.consumed.max(0.0) as u64);
        let keep_from = anchor
            .saturating_sub((self.hop + self.seek) as u64)
            .max(self.base);
        let frames = usize::try_from(keep_from.saturating_sub(self.base)).unwrap_or(0);
        let drop = frames.saturating_mul(ch).min(self.buf.len() / ch * ch);
        if drop == 0 {
            return;
        }
        let needs_room = self.buf.len().saturating_add(incoming) > self.buf.capacity();
        if needs_room || drop * 2 >= self.buf.len() {
            self.buf.drain(..drop);
            self.base += (drop / ch) as u64;
        }
    }

    fn plan(&self) -> Plan {
        let hop = self.hop as f64;
        let after = self.consumed + hop * f64::from(self.speed);
        // Nominal start of the segment whose first half ends at `after`.
        let ana = (after - hop).round();
        let lo_f = (ana - self.seek as f64).max(self.base as f64);
        let hi_f = (ana + self.seek as f64).max(lo_f);
        let (mut lo, mut hi) = (lo_f as u64, hi_f as u64);
        if self.finished {
            // Keep whole segments inside the real input so the tail never
            // crossfades into padding; slide the window back rather than
            // collapsing it, so a similar splice point is still found.
            let limit = self
                .avail_frames()
                .saturating_sub(self.corr_len as u64)
                .max(self.base);
            if hi > limit {
                hi = limit;
                lo = lo
                    .min(limit.saturating_sub(2 * self.seek as u64))
                    .max(self.base);
            }
            lo = lo.min(hi);
        }
        let need = hi.max(self.cursor) + self.corr_len as u64;
        Plan {
            lo,
            hi,
            need,
            after,
        }
    }

    /// Generates one hop of output into `outq`; false if input is lacking.
    fn step(&mut self) -> bool {
        let total = self.avail_frames();
        if self.finished && self.consumed >= total as f64 {
            return false;
        }
        let plan = self.plan();
        if !self.finished && plan.need > total {
            return false;
        }
        let speed = f64::from(self.speed);
        let mut emit = self.hop;
        if self.finished && plan.after > total as f64 {
            // Last, partial hop: stop where the nominal position hits the end
            // so the output length is input / speed.
            let remaining = ((total as f64 - self.consumed) / speed).ceil();
            emit = (remaining as usize).clamp(1, self.hop);
        }
        let s = self.find_best(plan.lo, plan.hi);
        self.crossfade(s, emit);
        self.cursor = s + self.hop as u64;
        self.consumed = plan.after;
        self.outq_len = emit;
        self.outq_pos = 0;
        self.outq_speed = speed;
        true
    }

    /// Start in `lo..=hi` whose segment best continues the waveform at
    /// `cursor`: coarse search on a decimated mono mix, then refinement at
    /// full rate around the winner.
    fn find_best(&mut self, lo: u64, hi: u64) -> u64 {
        let src = Src {
            buf: &self.buf,
            base: self.base,
            channels: self.channels,
        };
        let d = self.decim;
        let d64 = d as u64;
        let cursor = self.cursor;
        let ld = self.tgt_dec.len();
        let span = usize::try_from(hi.saturating_sub(lo)).unwrap_or(usize::MAX);
        let lags = (span / d + 1).min(self.reg_dec.len() + 1 - ld);

        // Box-filter decimation: averaging (not just picking) every `d`
        // frames reduces aliasing of high-frequency energy into the match.
        let block = |start: u64| (0..d64).map(|k| src.mono(start + k)).sum::<f32>();
        for (m, t) in self.tgt_dec.iter_mut().enumerate() {
            *t = block(cursor + m as u64 * d64);
        }
        let region = self.reg_dec.get_mut(..lags + ld - 1).unwrap_or_default();
        for (k, r) in region.iter_mut().enumerate() {
            *r = block(lo + k as u64 * d64);
        }
        let coarse = lo + best_match(region, &self.tgt_dec) as u64 * d64;

        let f_lo = coarse.saturating_sub(d64 - 1).max(lo);
        let f_hi = (coarse + d64 - 1).min(hi);
        let n = (usize::try_from(f_hi.saturating_sub(f_lo)).unwrap_or(0) + self.corr_len)
            .min(self.reg_full.len());
        for (m, t) in self.tgt_full.iter_mut().enumerate() {
            *t = src.mono(cursor + m as u64);
        }
        let region = self.reg_full.get_mut(..n).unwrap_or_default();
        for (k, r) in region.iter_mut().enumerate() {
            *r = src.mono(f_lo + k as u64);
        }
        f_lo + best_match(region, &self.tgt_full) as u64
    }

    /// Fills `outq` with `emit` frames: the previous segment's continuation
    /// (from `cursor`) fading out while the segment at `s` fades in.
    fn crossfade(&mut self, s: u64, emit: usize) {
        let src = Src {
            buf: &self.buf,
            base: self.base,
            channels: self.channels,
        };
        let cursor = self.cursor;
        let frames = self.outq.chunks_exact_mut(self.channels).zip(&self.fade_in);
        for (j, (frame, &w)) in frames.take(emit).enumerate() {
            let j = j as u64;
            for (c, o) in frame.iter_mut().enumerate() {
                let old = src.sample(cursor + j, c);
                let new = src.sample(s + j, c);
                // Exact when old == new (e.g. s == cursor) or w == 0.
                *o = old + (new - old) * w;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts heap allocations per thread, to prove the hot path has none.
    mod alloc_count {
        use std::alloc::{GlobalAlloc, Layout, System};
        use std::cell::Cell;

        thread_local! {
            static COUNT: Cell<usize> = const { Cell::new(0) };
        }

        struct Counting;

        fn bump() {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        }

        // SAFETY: forwards every call unchanged to the system allocator.
        unsafe impl GlobalAlloc for Counting {
            unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
                bump();
                unsafe { System.alloc(layout) }
            }
            unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
                bump();
                unsafe { System.alloc_zeroed(layout) }
            }
            unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
                bump();
                unsafe { System.realloc(ptr, layout, size) }
            }
            unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
                unsafe { System.dealloc(ptr, layout) }
            }
        }

        #[global_allocator]
        static GLOBAL: Counting = Counting;

        pub fn count() -> usize {
            COUNT.with(Cell::get)
        }
    }

    const AMP: f32 = 0.5;

    /// Interleaved signal; channel `c` is `amp * sin(2π f_c t + phase_c)`.
    fn tones(tones: &[(f32, f32)], sr: u32, frames: usize) -> Vec<f32> {
        let mut v = Vec::with_capacity(frames * tones.len());
        for i in 0..frames {
            let t = i as f64 / f64::from(sr);
            for &(f, ph) in tones {
                v.push(
                    AMP * (2.0 * std::f64::consts::PI * f64::from(f) * t + f64::from(ph)).sin()
                        as f32,
                );
            }
        }
        v
    }

    /// Pushes `input` in `chunk`-sample pieces, pulling with `out_chunk`
    /// samples after each push, then finishes and drains.
    fn run(ts: &mut TimeStretch, input: &[f32], chunk: usize, out_chunk: usize) -> Vec<f32> {
        let mut out = Vec::new();
        let mut buf = vec![0.0; out_chunk];
        let mut drain = |ts: &mut TimeStretch, out: &mut Vec<f32>| loop {
            let n = ts.pull(&mut buf);
            assert!(n <= buf.len() && n.is_multiple_of(ts.channels));
            out.extend_from_slice(&buf[..n]);
            if n == 0 {
                break;
            }
        };
        for piece in input.chunks(chunk) {
            ts.push(piece);
            drain(ts, &mut out);
        }
        ts.finish();
        drain(ts, &mut out);
        out
    }

    fn stretch(channels: u16, sr: u32, speed: f32, input: &[f32]) -> Vec<f32> {
        let mut ts = TimeStretch::new(channels, sr);
        ts.set_speed(speed);
        run(&mut ts, input, 4096, 1024)
    }

    fn channel(x: &[f32], channels: usize, c: usize) -> Vec<f32> {
        x.iter().skip(c).step_by(channels).copied().collect()
    }

    /// Middle 80 %, away from start-up and end effects.
    fn middle(x: &[f32]) -> &[f32] {
        &x[x.len() / 10..x.len() * 9 / 10]
    }

    /// Frequency from interpolated rising zero crossings.
    fn zc_freq(x: &[f32], sr: u32) -> f64 {
        let mut first = None;
        let mut last = 0.0;
        let mut count = 0usize;
        for (i, w) in x.windows(2).enumerate() {
            let (a, b) = (f64::from(w[0]), f64::from(w[1]));
            if a < 0.0 && b >= 0.0 {
                let t = i as f64 + a / (a - b);
                first.get_or_insert(t);
                last = t;
                count += 1;
            }
        }
        let first = first.expect("signal has zero crossings");
        assert!(count > 10, "too few periods");
        (count - 1) as f64 / (last - first) * f64::from(sr)
    }

    /// Goertzel power at `f`, normalised per sample.
    fn goertzel(x: &[f32], f: f64, sr: u32) -> f64 {
        let w = 2.0 * std::f64::consts::PI * f / f64::from(sr);
        let coeff = 2.0 * w.cos();
        let (mut s1, mut s2) = (0.0f64, 0.0f64);
        for &v in x {
            let s0 = f64::from(v) + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (x.len() as f64).powi(2)
    }

    fn max_jump(x: &[f32]) -> f32 {
        x.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max)
    }

    /// Max per-channel sample-to-sample jump of interleaved audio.
    fn max_jump_ch(x: &[f32], channels: usize) -> f32 {
        (0..channels)
            .map(|c| max_jump(&channel(x, channels, c)))
            .fold(0.0, f32::max)
    }

    #[test]
    fn speed_one_is_bit_exact_passthrough() {
        // Non-periodic content so any resampling or crossfade would show.
        let mut seed = 1u32;
        let input: Vec<f32> = (0..30_001)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect();
        let mut ts = TimeStretch::new(1, 44_100);
        assert_eq!(ts.speed(), 1.0);
        assert_eq!(run(&mut ts, &input, 333, 100), input);
        let mut ts = TimeStretch::new(2, 44_100);
        let stereo = &input[..30_000];
        assert_eq!(run(&mut ts, stereo, 7, 4096), stereo);
    }

    #[test]
    fn length_and_pitch_preserved() {
        for &(channels, sr) in &[(2u16, 44_100u32), (1, 22_050)] {
            for &freq in &[440.0f32, 1000.0] {
                let frames = sr as usize * 2;
                let input = tones(&vec![(freq, 0.0); channels as usize], sr, frames);
                let in_jump = max_jump_ch(&input, channels as usize);
                for &speed in &[0.5f32, 0.75, 1.5, 2.0, 3.0] {
                    let out = stretch(channels, sr, speed, &input);
                    let ch = channels as usize;
                    let out_frames = out.len() / ch;
                    let expected = frames as f64 / f64::from(speed);
                    let ctx = format!("{channels}ch {sr}Hz {freq}Hz x{speed}");
                    assert!(
                        (out_frames as f64 - expected).abs() <= 2.0,
                        "{ctx}: {out_frames} frames, expected {expected}"
                    );
                    for c in 0..ch {
                        let got = zc_freq(middle(&channel(&out, ch, c)), sr);
                        let err = (got / f64::from(freq) - 1.0).abs();
                        assert!(err < 0.02, "{ctx}: ch{c} freq {got}");
                    }
                    let jump = max_jump_ch(&out, ch);
                    assert!(jump < 2.0 * in_jump, "{ctx}: jump {jump} vs {in_jump}");
                }
            }
        }
    }

    #[test]
    fn splices_are_phase_aligned() {
        // A pure sine should come out with constant amplitude: a splice off
        // by k samples dips it by cos(k·ω/2) mid-crossfade (≥ 1.1 samples at
        // 1 kHz: > 0.3 %), so this checks sample-accurate alignment.
        let sr = 44_100;
        for &freq in &[440.0f32, 1000.0] {
            let input = tones(&[(freq, 0.0)], sr, sr as usize);
            for &speed in &[0.5f32, 1.5, 3.0] {
                let out = stretch(1, sr, speed, &input);
                // Every peak, refined by parabolic interpolation.
                let worst = middle(&out)
                    .windows(3)
                    .filter(|w| w[1].abs() >= w[0].abs() && w[1].abs() > w[2].abs())
                    .map(|w| {
                        let (a, b, c) = (w[0].abs(), w[1].abs(), w[2].abs());
                        b - (c - a).powi(2) / (8.0 * (c - 2.0 * b + a))
                    })
                    .fold(f32::MAX, f32::min);
                assert!(worst > AMP * 0.997, "{freq}Hz x{speed}: dips to {worst}");
            }
        }
    }

    #[test]
    fn search_finds_exact_lag() {
        // On noise the only good match for the natural continuation is the
        // continuation itself; it must be found to the sample even when it
        // falls between the coarse (decimated) search grid points.
        let mut seed = 3u32;
        let noise: Vec<f32> = (0..2 * 20_000)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect();
        let mut ts = TimeStretch::new(2, 44_100);
        ts.push(&noise);
        for (target, before) in [
            (5_001u64, 300u64),
            (5_002, 17),
            (5_003, 1_000),
            (9_999, 521),
        ] {
            ts.cursor = target;
            let lo = target - before;
            assert_eq!(ts.find_best(lo, lo + 2 * ts.seek as u64), target);
        }
    }

    #[test]
    fn crossfade_smooths_imperfect_splices() {
        // Inharmonic two-tone: no splice point matches exactly, so only the
        // crossfade keeps the residual mismatch from becoming a click.
        let sr = 44_100;
        let input: Vec<f32> = tones(&[(440.0, 0.0)], sr, sr as usize)
            .iter()
            .zip(tones(&[(1414.2, 0.5)], sr, sr as usize))
            .map(|(a, b)| 0.5 * (a + b))
            .collect();
        let in_jump = max_jump(&input);
        for &speed in &[0.5f32, 0.75, 2.0, 3.0] {
            let jump = max_jump(&stretch(1, sr, speed, &input));
            assert!(jump < 1.2 * in_jump, "x{speed}: jump {jump} vs {in_jump}");
        }
    }

    #[test]
    fn speed_changes_mid_stream_are_click_free() {
        let sr = 44_100;
        let input = tones(&[(440.0, 0.0), (440.0, 0.0)], sr, sr as usize * 3);
        let in_jump = max_jump_ch(&input, 2);
        let mut ts = TimeStretch::new(2, sr);
        let mut out = Vec::new();
        let mut buf = vec![0.0; 512];
        let speeds = [1.0f32, 2.0, 0.5, 1.0, 3.0, 0.75, 1.0, 1.7];
        for (i, piece) in input.chunks(4000).enumerate() {
            ts.set_speed(speeds[i % speeds.len()]);
            ts.push(piece);
            loop {
                let n = ts.pull(&mut buf);
                out.extend_from_slice(&buf[..n]);
                if n == 0 {
                    break;
                }
            }
        }
        assert!(out.len() > input.len() / 3);
        let jump = max_jump_ch(&out, 2);
        assert!(jump < 2.0 * in_jump, "jump {jump} vs {in_jump}");
        // Both channels got identical input, so they must stay identical.
        assert_eq!(channel(&out, 2, 0), channel(&out, 2, 1));
    }

    #[test]
    fn reset_discards_old_audio() {
        let sr = 44_100;
        let old = tones(&[(440.0, 0.0)], sr, 20_000);
        let new = tones(&[(1000.0, 1.0)], sr, 40_000);
        for &speed in &[1.0f32, 1.5] {
            let mut ts = TimeStretch::new(1, sr);
            ts.set_speed(speed);
            ts.push(&old);
            let mut buf = vec![0.0; 3000];
            assert!(ts.pull(&mut buf) > 0);
            ts.reset();
            assert_eq!(ts.buffered_input_frames(), 0);
            let out = run(&mut ts, &new, 1000, 1000);
            assert_eq!(out[0], new[0], "x{speed}: output must start with new input");
            let expected = new.len() as f64 / f64::from(speed);
            assert!((out.len() as f64 - expected).abs() <= 2.0, "x{speed}");
            let p_old = goertzel(&out, 440.0, sr);
            let p_new = goertzel(&out, 1000.0, sr);
            assert!(p_old < p_new * 1e-3, "x{speed}: old tone leaked");
        }
    }

    #[test]
    fn chunking_does_not_change_output() {
        let sr = 44_100;
        let input = tones(&[(440.0, 0.0), (1000.0, 0.3)], sr, 30_000);
        for &speed in &[0.75f32, 2.0] {
            let reference = stretch(2, sr, speed, &input);
            for &(chunk, out_chunk) in &[(1, 5), (7, 3), (333, 4096), (4096, 7)] {
                let mut ts = TimeStretch::new(2, sr);
                ts.set_speed(speed);
                let out = run(&mut ts, &input, chunk, out_chunk);
                assert!(out == reference, "x{speed} chunks {chunk}/{out_chunk}");
            }
        }
    }

    #[test]
    fn stereo_channels_stay_aligned() {
        let sr = 44_100;
        // Different tones: each channel must keep its own frequency.
        let input = tones(&[(440.0, 0.0), (1000.0, 0.0)], sr, sr as usize * 2);
        let out = stretch(2, sr, 1.6, &input);
        for (c, f) in [(0, 440.0), (1, 1000.0)] {
            let got = zc_freq(middle(&channel(&out, 2, c)), sr);
            assert!((got / f - 1.0).abs() < 0.02, "ch{c}: {got}");
        }
        // Quadrature pair: sin² + cos² stays constant only if both channels
        // are cut at the same frames (a one-frame skew breaks it by ~14 %).
        let q = std::f32::consts::FRAC_PI_2;
        let input = tones(&[(1000.0, 0.0), (1000.0, q)], sr, sr as usize);
        for &speed in &[0.6f32, 2.5] {
            let out = stretch(2, sr, speed, &input);
            for f in middle(&out).chunks_exact(2) {
                let r = (f[0] * f[0] + f[1] * f[1]).sqrt() / AMP;
                assert!((r - 1.0).abs() < 0.03, "x{speed}: radius {r}");
            }
        }
    }

    #[test]
    fn speed_setter_clamps_and_ignores_non_finite() {
        let mut ts = TimeStretch::new(2, 48_000);
        ts.set_speed(10.0);
        assert_eq!(ts.speed(), MAX_SPEED);
        ts.set_speed(0.1);
        assert_eq!(ts.speed(), MIN_SPEED);
        ts.set_speed(f32::NAN);
        ts.set_speed(f32::INFINITY);
        assert_eq!(ts.speed(), MIN_SPEED);
        ts.set_speed(1.25);
        assert_eq!(ts.speed(), 1.25);
    }

    #[test]
    fn input_frames_wanted_is_exact() {
        let sr = 22_050;
        let input = tones(&[(300.0, 0.0)], sr, sr as usize * 2);
        for &speed in &[0.5f32, 1.0, 3.0] {
            let mut ts = TimeStretch::new(1, sr);
            ts.set_speed(speed);
            let mut pos = 0;
            let mut buf = vec![0.0; 256];
            for _ in 0..40 {
                let want = ts.input_frames_wanted();
                if want > 0 {
                    // One frame short must not be enough ...
                    ts.push(&input[pos..pos + want - 1]);
                    assert_eq!(ts.pull(&mut buf), 0, "x{speed}");
                    assert_eq!(ts.input_frames_wanted(), 1, "x{speed}");
                    ts.push(&input[pos + want - 1..pos + want]);
                    pos += want;
                }
                // ... and the wanted amount must be.
                assert!(ts.pull(&mut buf) > 0, "x{speed}");
            }
        }
    }

    #[test]
    fn buffered_frames_track_position() {
        let sr = 44_100;
        let input = tones(&[(440.0, 0.0), (440.0, 0.0)], sr, sr as usize * 2);
        for &speed in &[0.5f32, 1.0, 2.0] {
            let mut ts = TimeStretch::new(2, sr);
            ts.set_speed(speed);
            let mut out_frames = 0usize;
            let mut pushed = 0usize;
            let mut buf = vec![0.0; 2 * 300];
            for piece in input.chunks(2 * 1000) {
                ts.push(piece);
                pushed += piece.len() / 2;
                out_frames += ts.pull(&mut buf) / 2;
                let pos = pushed - ts.buffered_input_frames();
                let nominal = out_frames as f64 * f64::from(speed);
                // Splice search may run ahead/behind by up to one seek.
                assert!(
                    (pos as f64 - nominal).abs() <= ts.seek as f64 + 1.0,
                    "x{speed}"
                );
            }
        }
    }

    /// Speech-like test signal: gliding 90–220 Hz glottal harmonics with a
    /// syllable-rate envelope and a little noise.
    fn speechlike(sr: u32, frames: usize) -> Vec<f32> {
        let mut v = Vec::with_capacity(frames * 2);
        let mut phase = 0.0f64;
        let mut seed = 7u32;
        for i in 0..frames {
            let t = i as f64 / f64::from(sr);
            let f0 = 155.0 + 65.0 * (2.0 * std::f64::consts::PI * 0.7 * t).sin();
            phase += f0 / f64::from(sr);
            let env = 0.5 + 0.5 * (2.0 * std::f64::consts::PI * 4.0 * t).sin();
            let voiced: f64 = (1..12)
                .map(|h| (2.0 * std::f64::consts::PI * phase * f64::from(h)).sin() / f64::from(h))
                .sum();
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = f64::from(seed >> 8) / f64::from(1u32 << 24) - 0.5;
            let x = (0.3 * env * voiced + 0.02 * noise) as f32;
            v.push(x);
            v.push(x * 0.8);
        }
        v
    }

    /// Mimics an audio callback: fills `out` completely, pushing exactly
    /// what the stretcher asks for. Returns samples written.
    fn callback(ts: &mut TimeStretch, input: &[f32], pos: &mut usize, out: &mut [f32]) -> usize {
        let mut filled = 0;
        while filled < out.len() {
            let n = ts.pull(&mut out[filled..]);
            filled += n;
            if n == 0 {
                if *pos >= input.len() {
                    if ts.finished {
                        break;
                    }
                    ts.finish();
                    continue;
                }
                let end = (*pos + ts.input_frames_wanted().max(1) * 2).min(input.len());
                ts.push(&input[*pos..end]);
                *pos = end;
            }
        }
        filled
    }

    #[test]
    fn steady_state_does_not_allocate() {
        let sr = 44_100;
        let input = speechlike(sr, sr as usize * 4);
        let mut ts = TimeStretch::new(2, sr);
        let mut out = vec![0.0; 2 * 512];
        let mut pos = 0;
        ts.set_speed(2.0);
        // Warm-up (first second) may fill the preallocated buffers.
        while pos < input.len() / 4 {
            callback(&mut ts, &input, &mut pos, &mut out);
        }
        let before = alloc_count::count();
        let speeds = [0.5f32, 1.0, 3.0, 1.3, 2.0];
        let mut i = 0;
        while callback(&mut ts, &input, &mut pos, &mut out) == out.len() {
            ts.set_speed(speeds[(i / 50) % speeds.len()]);
            i += 1;
        }
        assert_eq!(alloc_count::count(), before, "allocated in steady state");
    }

    #[test]
    fn real_time_factor() {
        let sr = 44_100;
        // Short in debug builds, where the timing is meaningless anyway.
        let secs = if cfg!(debug_assertions) { 2 } else { 30 };
        let input = speechlike(sr, sr as usize * secs);
        let mut ts = TimeStretch::new(2, sr);
        ts.set_speed(2.0);
        let mut out = vec![0.0; 2 * 512];
        let mut pos = 0;
        let mut produced = 0;
        let start = std::time::Instant::now();
        loop {
            let n = callback(&mut ts, &input, &mut pos, &mut out);
            produced += n / 2;
            if n < out.len() {
                break;
            }
        }
        let elapsed = start.elapsed().as_secs_f64();
        let played = produced as f64 / f64::from(sr);
        let rtf = elapsed / played;
        eprintln!("44.1 kHz stereo x2: {played:.1} s output in {elapsed:.4} s, RTF {rtf:.5}");
        assert!((played - secs as f64 / 2.0).abs() < 0.01);
        if !cfg!(debug_assertions) {
            assert!(rtf < 0.05, "too slow: RTF {rtf}");
        }
    }
}
#[cfg(test)]
mod diag {
    use super::*;
    #[test]
    fn diag_dip() {
        let sr = 44_100u32;
        let freq = 1000.0f64;
        let input: Vec<f32> = (0..44_100)
            .map(|i| (0.5 * (2.0 * std::f64::consts::PI * freq * i as f64 / 44_100.0).sin()) as f32)
            .collect();
        let mut ts = TimeStretch::new(1, sr);
        ts.set_speed(1.5);
        ts.push(&input);
        let mut out = vec![0.0f32; 20000];
        let n = ts.pull(&mut out);
        let tsw = 2.0 * (2.0 * std::f32::consts::PI * freq as f32 / sr as f32).sin();
        let amp: Vec<f32> = out[..n]
            .windows(3)
            .map(|w| (w[1] * w[1] + ((w[2] - w[0]) / tsw).powi(2)).sqrt() / 0.5)
            .collect();
        let inamp = input
            .windows(3)
            .map(|w| (w[1] * w[1] + ((w[2] - w[0]) / tsw).powi(2)).sqrt() / 0.5)
            .fold(f32::MAX, f32::min);
        eprintln!("input min amp {inamp} hop {}", ts.hop);
        for blk in 2..12 {
            let r = &amp[blk * ts.hop..(blk + 1) * ts.hop];
            let (i, m) = r
                .iter()
                .enumerate()
                .fold((0, f32::MAX), |a, (i, &v)| if v < a.1 { (i, v) } else { a });
            eprintln!("blk {blk} min {m} at {i}");
        }
    }
}
