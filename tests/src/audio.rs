//! Real audio for tests: tone fixtures made with ffmpeg, and what the PulseAudio null sink
//! played, recorded with `parec` and analysed by frequency.
//!
//! `scripts/test-env.sh` starts the PulseAudio server and exports `PULSE_SERVER` and
//! `CHAPTERCAST_NULL_SINK`. Under `CI=true` a missing tool or server is a failure, not a skip.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// Capture rate: mono, 16-bit.
pub const CAPTURE_RATE: u32 = 44_100;

/// One audio test at a time: they share the null sink.
pub async fn audio_lock() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

/// True when the audio test environment is there. Without it: under CI a panic, otherwise a
/// loud note and `false` (run the tests through `make test` or `scripts/test-env.sh`).
pub fn audio_env_ready(test: &str) -> bool {
    let missing: Vec<&str> = [
        ("PULSE_SERVER", std::env::var_os("PULSE_SERVER").is_some()),
        ("parec", which("parec")),
        ("ffmpeg", which("ffmpeg")),
    ]
    .into_iter()
    .filter(|(_, ok)| !ok)
    .map(|(name, _)| name)
    .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!(
        "{test}: the audio test environment is missing {missing:?}; run it through `make test` (scripts/test-env.sh starts PulseAudio)"
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("SKIPPED (not CI): {message}");
    false
}

fn which(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// How a fixture is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Cbr128,
    Vbr,
    /// LAME's lowest VBR quality (`-q:a 9`): small frames, whose bit reservoir reaches back
    /// several of them.
    VbrLow,
}

/// A chaptered tone file: chapter `i` is a pure tone at `freqs[i]` lasting `seconds` each.
pub struct ToneFixture {
    pub path: PathBuf,
    pub freqs: Vec<f64>,
    pub chapter_seconds: f64,
}

impl ToneFixture {
    pub fn chapter_start(&self, i: usize) -> f64 {
        i as f64 * self.chapter_seconds
    }

    pub fn bytes(&self) -> anyhow::Result<Vec<u8>> {
        std::fs::read(&self.path).with_context(|| format!("reading {}", self.path.display()))
    }
}

/// Makes an MP3 (44.1 kHz stereo) whose chapters are distinct tones, with ID3 chapters
/// written by ffmpeg from an FFMETADATA file.
pub fn tone_mp3(
    dir: &Path,
    name: &str,
    freqs: &[f64],
    chapter_seconds: f64,
    encoding: Encoding,
) -> anyhow::Result<ToneFixture> {
    make_tone_mp3(dir, name, freqs, chapter_seconds, encoding, true)
}

/// The same tones with no chapters in the file: the show notes are then the only source.
pub fn tone_mp3_without_chapters(
    dir: &Path,
    name: &str,
    freqs: &[f64],
    chapter_seconds: f64,
) -> anyhow::Result<ToneFixture> {
    make_tone_mp3(dir, name, freqs, chapter_seconds, Encoding::Cbr128, false)
}

/// A CBR MP3 of tones whose ID3 chapters carry `titles` (one per tone).
pub fn tone_mp3_titled(
    dir: &Path,
    name: &str,
    freqs: &[f64],
    titles: &[&str],
    chapter_seconds: f64,
) -> anyhow::Result<PathBuf> {
    let titles: Vec<String> = titles.iter().map(|t| t.to_string()).collect();
    make_tone_mp3_with(
        dir,
        name,
        freqs,
        chapter_seconds,
        Encoding::Cbr128,
        Some(&titles),
    )
    .map(|f| f.path)
}

fn make_tone_mp3(
    dir: &Path,
    name: &str,
    freqs: &[f64],
    chapter_seconds: f64,
    encoding: Encoding,
    with_chapters: bool,
) -> anyhow::Result<ToneFixture> {
    let titles: Vec<String> = freqs
        .iter()
        .map(|f| format!("Tone {} Hz", *f as u64))
        .collect();
    make_tone_mp3_with(
        dir,
        name,
        freqs,
        chapter_seconds,
        encoding,
        with_chapters.then_some(&titles),
    )
}

fn make_tone_mp3_with(
    dir: &Path,
    name: &str,
    freqs: &[f64],
    chapter_seconds: f64,
    encoding: Encoding,
    titles: Option<&Vec<String>>,
) -> anyhow::Result<ToneFixture> {
    let with_chapters = titles.is_some();
    let mut metadata = String::from(";FFMETADATA1\ntitle=Tone chapters\n");
    for (i, title) in titles.into_iter().flatten().enumerate() {
        let start = (i as f64 * chapter_seconds * 1000.0) as u64;
        let end = ((i + 1) as f64 * chapter_seconds * 1000.0) as u64;
        metadata.push_str(&format!(
            "[CHAPTER]\nTIMEBASE=1/1000\nSTART={start}\nEND={end}\ntitle={title}\n"
        ));
    }
    let meta_path = dir.join(format!("{name}.ffmeta"));
    std::fs::write(&meta_path, metadata)?;
    let path = dir.join(format!("{name}.mp3"));
    let mut command = Command::new("ffmpeg");
    command.args(["-hide_banner", "-loglevel", "error", "-y"]);
    for f in freqs {
        command.args([
            "-f",
            "lavfi",
            "-i",
            &format!("sine=frequency={f}:duration={chapter_seconds}:sample_rate=44100"),
        ]);
    }
    command.arg("-i").arg(&meta_path);
    let inputs: String = (0..freqs.len()).map(|i| format!("[{i}:a]")).collect();
    command.args([
        "-filter_complex",
        &format!(
            "{inputs}concat=n={}:v=0:a=1,volume=4,aformat=channel_layouts=stereo[out]",
            freqs.len()
        ),
        "-map",
        "[out]",
        "-map_metadata",
        &freqs.len().to_string(),
        "-map_chapters",
        &if with_chapters {
            freqs.len().to_string()
        } else {
            "-1".to_string()
        },
        "-c:a",
        "libmp3lame",
        "-id3v2_version",
        "3",
    ]);
    match encoding {
        Encoding::Cbr128 => command.args(["-b:a", "128k"]),
        Encoding::Vbr => command.args(["-q:a", "2"]),
        Encoding::VbrLow => command.args(["-q:a", "9"]),
    };
    let status = command.arg(&path).status().context("running ffmpeg")?;
    if !status.success() {
        bail!("ffmpeg failed making {}", path.display());
    }
    Ok(ToneFixture {
        path,
        freqs: freqs.to_vec(),
        chapter_seconds,
    })
}

/// Reads from parec, each stamped with when it arrived.
type StampedReads = Arc<Mutex<Vec<(Instant, Vec<i16>)>>>;

/// A recording in progress from the null sink's monitor.
pub struct Capture {
    child: Child,
    reads: StampedReads,
    reader: Option<std::thread::JoinHandle<()>>,
    pub started: Instant,
}

/// Samples with the monotonic time each arrived.
pub struct Recording {
    pub samples: Vec<i16>,
    /// When sample `i` was read: the stamp of its read, less what followed it in that read.
    pub times: Vec<Instant>,
    pub started: Instant,
}

impl Capture {
    /// Starts `parec` on the null sink's monitor (reads stamped as they arrive).
    pub fn start() -> anyhow::Result<Capture> {
        let sink =
            std::env::var("CHAPTERCAST_NULL_SINK").unwrap_or_else(|_| "@DEFAULT_SINK@".into());
        let mut child = Command::new("parec")
            .args([
                "--raw",
                "--format=s16le",
                &format!("--rate={CAPTURE_RATE}"),
                "--channels=1",
                "--latency-msec=10",
                &format!("--device={sink}.monitor"),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting parec")?;
        let mut stdout = child.stdout.take().context("parec stdout")?;
        let reads = Arc::new(Mutex::new(Vec::new()));
        let sink_reads = Arc::clone(&reads);
        let reader = std::thread::spawn(move || {
            let mut buf = vec![0u8; 4096];
            let mut carry: Option<u8> = None;
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let at = Instant::now();
                let mut bytes: Vec<u8> = carry.take().into_iter().collect();
                bytes.extend_from_slice(&buf[..n]);
                if bytes.len() % 2 == 1 {
                    carry = bytes.pop();
                }
                let samples = bytes
                    .chunks_exact(2)
                    .map(|b| i16::from_le_bytes([b[0], b[1]]))
                    .collect();
                if let Ok(mut r) = sink_reads.lock() {
                    r.push((at, samples));
                }
            }
        });
        // parec needs a moment to connect; drop what it sends before we start listening.
        std::thread::sleep(Duration::from_millis(300));
        Ok(Capture {
            child,
            reads,
            reader: Some(reader),
            started: Instant::now(),
        })
    }

    pub fn stop(mut self) -> Recording {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        let reads = std::mem::take(&mut *self.reads.lock().unwrap_or_else(|p| p.into_inner()));
        Self::assemble(reads, self.started)
    }

    /// What has been recorded so far, without stopping.
    pub fn snapshot(&self) -> Recording {
        let reads = self.reads.lock().unwrap_or_else(|p| p.into_inner()).clone();
        Self::assemble(reads, self.started)
    }

    fn assemble(reads: Vec<(Instant, Vec<i16>)>, started: Instant) -> Recording {
        let mut samples = Vec::new();
        let mut times = Vec::new();
        let per_sample = Duration::from_secs_f64(1.0 / f64::from(CAPTURE_RATE));
        for (at, chunk) in reads {
            let n = chunk.len() as u32;
            for (i, s) in chunk.into_iter().enumerate() {
                samples.push(s);
                times.push(at.checked_sub(per_sample * (n - i as u32)).unwrap_or(at));
            }
        }
        Recording {
            samples,
            times,
            started,
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One analysis window of a recording.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Seconds from the start of the recording's samples.
    pub at_s: f64,
    pub time: Instant,
    pub rms: f64,
    /// The candidate frequency with the most energy, when the window is not silent.
    pub tone: Option<f64>,
}

/// RMS below this (of 32768) is silence.
const SILENCE_RMS: f64 = 300.0;

impl Recording {
    /// Only what was heard from `from` on (drops anything still sounding from before).
    pub fn since(mut self, from: Instant) -> Recording {
        let cut = self.times.partition_point(|t| *t < from);
        self.samples.drain(..cut);
        self.times.drain(..cut);
        self.started = from;
        self
    }

    /// Cuts the recording into `window_ms` windows and names the loudest candidate tone in each.
    pub fn windows(&self, window_ms: u32, candidates: &[f64]) -> Vec<Window> {
        let len = (CAPTURE_RATE * window_ms / 1000) as usize;
        self.samples
            .chunks(len)
            .enumerate()
            .filter(|(_, c)| c.len() == len)
            .map(|(i, chunk)| {
                let floats: Vec<f64> = chunk.iter().map(|&s| f64::from(s)).collect();
                let rms = (floats.iter().map(|x| x * x).sum::<f64>() / floats.len() as f64).sqrt();
                let tone = (rms > SILENCE_RMS)
                    .then(|| {
                        candidates
                            .iter()
                            .copied()
                            .map(|f| (f, goertzel(&floats, f, f64::from(CAPTURE_RATE))))
                            .max_by(|a, b| a.1.total_cmp(&b.1))
                            .map(|(f, _)| f)
                    })
                    .flatten();
                Window {
                    at_s: (i * len) as f64 / f64::from(CAPTURE_RATE),
                    time: self.times[i * len],
                    rms,
                    tone,
                }
            })
            .collect()
    }

    /// The first sample louder than silence, as a time.
    /// The tones among `candidates` heard in settled 100 ms windows from `from` on (onsets
    /// skipped).
    pub fn tones_since(self, from: Instant, candidates: &[f64]) -> Vec<f64> {
        self.since(from)
            .windows(100, candidates)
            .into_iter()
            .filter_map(|w| w.tone)
            .collect()
    }

    pub fn first_sound(&self) -> Option<Instant> {
        let threshold = (SILENCE_RMS * 2.0) as i16;
        self.samples
            .iter()
            .position(|s| s.saturating_abs() > threshold)
            .map(|i| self.times[i])
    }

    /// The pitch of the loudest stretch, by counting zero crossings over `seconds` of sound.
    pub fn measured_pitch(&self, seconds: f64) -> Option<f64> {
        let start = self
            .samples
            .iter()
            .position(|s| s.saturating_abs() > (SILENCE_RMS * 2.0) as i16)?;
        // Skip the first 100 ms (the device's ramp), then count.
        let from = start + (CAPTURE_RATE / 10) as usize;
        let n = (seconds * f64::from(CAPTURE_RATE)) as usize;
        let part = self.samples.get(from..from + n)?;
        let crossings = part.windows(2).filter(|w| (w[0] < 0) != (w[1] < 0)).count();
        Some(crossings as f64 / 2.0 / seconds)
    }
}

/// Energy of `freq` in `x` (Goertzel).
pub fn goertzel(x: &[f64], freq: f64, rate: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / rate;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &v in x {
        let s0 = v + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    s1 * s1 + s2 * s2 - coeff * s1 * s2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goertzel_picks_the_tone_present() {
        let rate = 44_100.0;
        let x: Vec<f64> = (0..4410)
            .map(|i| (2.0 * std::f64::consts::PI * 550.0 * i as f64 / rate).sin())
            .collect();
        let best = [440.0, 550.0, 660.0]
            .into_iter()
            .max_by(|a, b| goertzel(&x, *a, rate).total_cmp(&goertzel(&x, *b, rate)));
        assert_eq!(best, Some(550.0));
    }
}

/// What ffmpeg's EBU R128 meter (`-af ebur128=peak=true`) says of a recording: an independent
/// meter for the player's loudness normalisation.
#[derive(Debug, Clone)]
pub struct EbuReport {
    pub integrated_lufs: f64,
    pub true_peak_dbtp: f64,
    /// Short-term loudness (3 s window) every 100 ms: (seconds, LUFS).
    pub short_term: Vec<(f64, f64)>,
}

impl Recording {
    /// The samples as a mono 16-bit WAV file.
    pub fn write_wav(&self, path: &Path) -> anyhow::Result<()> {
        let data_len = (self.samples.len() * 2) as u32;
        let mut bytes = Vec::with_capacity(44 + data_len as usize);
        bytes.extend_from_slice(b"RIFF");
        bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
        bytes.extend_from_slice(b"WAVEfmt ");
        bytes.extend_from_slice(&16u32.to_le_bytes());
        bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
        bytes.extend_from_slice(&1u16.to_le_bytes()); // mono
        bytes.extend_from_slice(&CAPTURE_RATE.to_le_bytes());
        bytes.extend_from_slice(&(CAPTURE_RATE * 2).to_le_bytes());
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&16u16.to_le_bytes());
        bytes.extend_from_slice(b"data");
        bytes.extend_from_slice(&data_len.to_le_bytes());
        for s in &self.samples {
            bytes.extend_from_slice(&s.to_le_bytes());
        }
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
    }

    /// Only the part from the first sound on (what was played, not the wait before it).
    pub fn from_first_sound(self) -> Recording {
        match self.first_sound() {
            Some(at) => self.since(at),
            None => self,
        }
    }
}

/// Measures an audio file with ffmpeg's ebur128 filter. A mono file is measured as dual mono
/// (both speakers), which is how the player plays mono and how it measures: the null sink's
/// monitor is recorded in mono, so this gives the loudness of the stereo output.
pub fn ebur128_of(path: &Path) -> anyhow::Result<EbuReport> {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args([
            "-af",
            "aformat=channel_layouts=mono,pan=stereo|c0=c0|c1=c0,ebur128=peak=true:framelog=info",
            "-f",
            "null",
            "-",
        ])
        .output()
        .context("running ffmpeg")?;
    let log = String::from_utf8_lossy(&out.stderr);
    let number_after = |line: &str, key: &str| -> Option<f64> {
        let rest = &line[line.find(key)? + key.len()..];
        rest.split_whitespace().next()?.parse::<f64>().ok()
    };
    let mut short_term = Vec::new();
    for line in log
        .lines()
        .filter(|l| l.contains(" t: ") && l.contains(" S: "))
    {
        if let (Some(t), Some(s)) = (number_after(line, " t: "), number_after(line, " S: ")) {
            short_term.push((t, s));
        }
    }
    // The summary at the end: "I: -16.0 LUFS" under "Integrated loudness:", "Peak: -1.2 dBFS"
    // under "True peak:".
    let summary = log
        .rfind("Summary:")
        .map(|i| &log[i..])
        .context("ffmpeg printed no ebur128 summary")?;
    let integrated = summary
        .lines()
        .find_map(|l| number_after(l, "I:"))
        .context("no integrated loudness")?;
    let peak = summary
        .lines()
        .find_map(|l| number_after(l, "Peak:"))
        .context("no true peak")?;
    Ok(EbuReport {
        integrated_lufs: integrated,
        true_peak_dbtp: peak,
        short_term,
    })
}

/// Makes a test signal with ffmpeg: `spec` is a lavfi source graph producing mono audio (e.g.
/// a tone mixed with pink noise), scaled so ffmpeg's own meter reads `lufs` integrated
/// (measured, then corrected once). Written as 16-bit WAV, `seconds` long.
pub fn signal_at_loudness(
    dir: &Path,
    name: &str,
    spec: &str,
    seconds: f64,
    lufs: f64,
) -> anyhow::Result<PathBuf> {
    let path = dir.join(format!("{name}.wav"));
    let make = |gain_db: f64| -> anyhow::Result<()> {
        let status = Command::new("ffmpeg")
            .args([
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
            ])
            .arg(format!("{spec},atrim=0:{seconds},volume={gain_db}dB"))
            .args(["-ac", "1", "-ar", "44100", "-c:a", "pcm_s16le"])
            .arg(&path)
            .status()
            .context("running ffmpeg")?;
        anyhow::ensure!(status.success(), "ffmpeg failed making {}", path.display());
        Ok(())
    };
    make(0.0)?;
    let first = ebur128_of(&path)?.integrated_lufs;
    make(lufs - first)?;
    let got = ebur128_of(&path)?;
    anyhow::ensure!(
        (got.integrated_lufs - lufs).abs() < 0.5,
        "{name}: wanted {lufs} LUFS, made {} LUFS",
        got.integrated_lufs
    );
    Ok(path)
}

impl Recording {
    /// The candidate tones heard in order, as runs of `window_ms` windows naming the same one:
    /// (frequency, ms). Silent windows are left out.
    pub fn tone_runs(&self, window_ms: u32, candidates: &[f64]) -> Vec<(f64, u64)> {
        let mut runs: Vec<(f64, u64)> = Vec::new();
        for w in self.windows(window_ms, candidates) {
            let Some(tone) = w.tone else { continue };
            match runs.last_mut() {
                Some((f, ms)) if *f == tone => *ms += u64::from(window_ms),
                _ => runs.push((tone, u64::from(window_ms))),
            }
        }
        runs
    }
}

/// How long `freq` sounded in runs of at least `min_ms`: one window across a jump (the end of
/// one tone and the start of the next) can look like any frequency between them.
pub fn heard_ms(runs: &[(f64, u64)], freq: f64, min_ms: u64) -> u64 {
    runs.iter()
        .filter(|(f, ms)| *f == freq && *ms >= min_ms)
        .map(|(_, ms)| ms)
        .sum()
}

/// A long, quiet MP3 (a soft 220 Hz tone, 8 kHz mono at 8 kbit/s: about 1 MB an hour) for
/// episodes that must be as long as their show notes say, as in the README's screenshots.
pub fn long_quiet_mp3(dir: &Path, name: &str, seconds: u32) -> anyhow::Result<PathBuf> {
    let path = dir.join(format!("{name}.mp3"));
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("sine=frequency=220:duration={seconds}"))
        .args([
            "-af",
            "volume=0.05",
            "-ac",
            "1",
            "-ar",
            "8000",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "8k",
        ])
        .arg(&path)
        .status()
        .context("running ffmpeg")?;
    anyhow::ensure!(
        status.success(),
        "ffmpeg could not make {}: {status}",
        path.display()
    );
    Ok(path)
}

/// `mp3` (MPEG-1 Layer III at 44.1 kHz, an ID3v2 tag with `CHAP` frames, as [`tone_mp3`]
/// makes it) with each `CHAP` frame's start offset set to where its chapter's first frame
/// starts, plus `shift` bytes (ffmpeg leaves the offsets "not given"). The first frame is the one the chapter's
/// start time falls in, counted from the frame after the Xing/Info frame. Returns the bytes
/// and each chapter's offset (unshifted), in tag order.
pub fn with_chapter_offsets(mp3: &[u8], shift: u32) -> anyhow::Result<(Vec<u8>, Vec<u64>)> {
    let synchsafe = |b: &[u8]| {
        b.iter()
            .fold(0usize, |n, &x| (n << 7) | usize::from(x & 0x7F))
    };
    if !mp3.starts_with(b"ID3") || mp3.len() < 10 {
        bail!("no ID3v2 tag");
    }
    let tag_len = 10 + synchsafe(&mp3[6..10]);
    // Frame starts, by MPEG-1 Layer III header arithmetic.
    const KBPS: [usize; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const RATES: [usize; 3] = [44_100, 48_000, 32_000];
    let mut starts = Vec::new();
    let mut at = tag_len;
    while let Some(h) = mp3.get(at..at + 4) {
        if h[0] != 0xFF || h[1] & 0xFE != 0xFA {
            break;
        }
        let kbps = KBPS.get(usize::from(h[2] >> 4)).copied().unwrap_or(0);
        let rate = RATES
            .get(usize::from((h[2] >> 2) & 3))
            .copied()
            .unwrap_or(0);
        if kbps == 0 || rate == 0 {
            break;
        }
        starts.push(at as u64);
        at += 144 * kbps * 1000 / rate + usize::from((h[2] >> 1) & 1);
    }
    let first = mp3.get(tag_len..tag_len + 64).unwrap_or_default();
    if first.windows(4).any(|w| w == b"Xing" || w == b"Info") {
        starts.remove(0);
    }
    let mut out = mp3.to_vec();
    let mut offsets = Vec::new();
    let mut pos = 10;
    while pos + 10 < tag_len {
        let id = &mp3[pos..pos + 4];
        let size =
            u32::from_be_bytes([mp3[pos + 4], mp3[pos + 5], mp3[pos + 6], mp3[pos + 7]]) as usize;
        if id == [0, 0, 0, 0] || size == 0 {
            break;
        }
        let data = pos + 10;
        if id == b"CHAP" {
            let id_end = mp3[data..]
                .iter()
                .position(|&b| b == 0)
                .context("CHAP element id")?;
            let times = data + id_end + 1;
            let start_ms =
                u32::from_be_bytes([mp3[times], mp3[times + 1], mp3[times + 2], mp3[times + 3]]);
            let frame = (f64::from(start_ms) * 44.1 / 1152.0).round() as usize;
            let offset = *starts.get(frame).context("a chapter past the audio")?;
            out[times + 8..times + 12].copy_from_slice(&(offset as u32 + shift).to_be_bytes());
            offsets.push(offset);
        }
        pos = data + size;
    }
    if offsets.is_empty() {
        bail!("no CHAP frames in the tag");
    }
    Ok((out, offsets))
}
