//! The sound chain, heard: `chaptercast play` with `--normalize`, `--skip-silence` and
//! `--skip-chapters`, recorded from the null sink's monitor and measured with ffmpeg's own
//! EBU R128 meter (an independent one) and by frequency.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chaptercast_e2e::app::{cli_binary, succeeded};
use chaptercast_e2e::audio::{
    audio_env_ready, audio_lock, ebur128_of, heard_ms, signal_at_loudness, Capture, Recording,
};
use chaptercast_e2e::server::{Route, TestServer};

/// A tone with pink noise under it: speech-like enough for a loudness meter.
const NOISE_AND_TONE: &str =
    "sine=frequency=440:sample_rate=44100[t];anoisesrc=color=pink:amplitude=0.3:sample_rate=44100[n];[t][n]amix=inputs=2:normalize=0";

/// Runs `chaptercast ARGS…` to its end while the sink is recorded.
async fn play_recorded(args: Vec<String>) -> anyhow::Result<(Output, Recording)> {
    let binary = cli_binary()?;
    tokio::task::spawn_blocking(move || {
        let capture = Capture::start()?;
        let out = Command::new(binary)
            .args(&args)
            .env_remove("DISPLAY")
            .stdin(Stdio::null())
            .output()?;
        std::thread::sleep(Duration::from_millis(300));
        Ok((out, capture.stop()))
    })
    .await?
}

fn check(out: &Output) -> anyhow::Result<()> {
    anyhow::ensure!(
        out.status.success(),
        "chaptercast failed: {}",
        succeeded(out)
    );
    Ok(())
}

fn measured(
    recording: Recording,
    dir: &Path,
    name: &str,
) -> anyhow::Result<chaptercast_e2e::audio::EbuReport> {
    let wav = dir.join(format!("{name}-heard.wav"));
    recording.from_first_sound().write_wav(&wav)?;
    ebur128_of(&wav)
}

#[tokio::test(flavor = "multi_thread")]
async fn quiet_and_loud_files_play_at_the_target_with_peaks_below_the_ceiling() -> anyhow::Result<()>
{
    if !audio_env_ready("loudness") {
        return Ok(());
    }
    let _audio = audio_lock().await;
    let dir = tempfile::tempdir()?;
    for (name, lufs) in [("quiet", -30.0), ("loud", -8.0)] {
        let file = signal_at_loudness(dir.path(), name, NOISE_AND_TONE, 14.0, lufs)?;
        // The CLI's own meter agrees with ffmpeg's on the file.
        let out = Command::new(cli_binary()?)
            .args(["loudness", &file.to_string_lossy(), "--json"])
            .output()?;
        check(&out)?;
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        let own = json["integrated_lufs"].as_f64().unwrap_or(f64::NAN);
        anyhow::ensure!(
            (own - lufs).abs() <= 0.5,
            "{name}: loudness says {own}, ffmpeg {lufs}"
        );
        anyhow::ensure!(
            (json["gain_db"].as_f64().unwrap_or(f64::NAN) - (-16.0 - own)).abs() < 0.05,
            "{json}"
        );

        let (out, recording) = play_recorded(vec![
            "play".into(),
            file.to_string_lossy().into_owned(),
            "--normalize".into(),
        ])
        .await?;
        check(&out)?;
        let heard = measured(recording, dir.path(), name)?;
        anyhow::ensure!(
            (heard.integrated_lufs - -16.0).abs() <= 1.0,
            "{name} ({lufs} LUFS) was heard at {} LUFS, not -16 ± 1",
            heard.integrated_lufs
        );
        anyhow::ensure!(
            heard.true_peak_dbtp <= -1.0,
            "{name}: true peak {} dBTP over -1",
            heard.true_peak_dbtp
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_that_steps_up_6_db_converges_without_a_jump() -> anyhow::Result<()> {
    if !audio_env_ready("loudness step") {
        return Ok(());
    }
    let _audio = audio_lock().await;
    let dir = tempfile::tempdir()?;
    // 20 s at -26 LUFS, then the same 6 dB louder: a stream with no stored measurement.
    let quiet = signal_at_loudness(dir.path(), "step-a", NOISE_AND_TONE, 20.0, -26.0)?;
    let stepped = dir.path().join("step.wav");
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-i"])
        .arg(&quiet)
        .arg("-i")
        .arg(&quiet)
        .args([
            "-filter_complex",
            "[1:a]volume=6dB[b];[0:a][b]concat=n=2:v=0:a=1",
            "-c:a",
            "pcm_s16le",
        ])
        .arg(&stepped)
        .status()?;
    anyhow::ensure!(status.success(), "ffmpeg could not make the step");
    let server = TestServer::start().await?;
    server.route(
        "/step.wav",
        Route::file("audio/wav", std::fs::read(&stepped)?),
    );
    let (out, recording) = play_recorded(vec![
        "play".into(),
        server.url("/step.wav"),
        "--normalize".into(),
    ])
    .await?;
    check(&out)?;
    let heard = measured(recording, dir.path(), "step")?;
    // Short-term loudness once the first estimate is in (after 6 s) and after the step's own
    // rise (the step itself is in the source): it never falls faster than the 1 dB/s slew
    // allows (plus the meter's 3 s window smearing), and ends at the target.
    let series: Vec<(f64, f64)> = heard
        .short_term
        .iter()
        .copied()
        .filter(|(t, s)| *t >= 6.0 && s.is_finite() && *s > -70.0)
        .collect();
    anyhow::ensure!(
        series.len() > 200,
        "too little heard: {} points",
        series.len()
    );
    let before: Vec<f64> = series
        .iter()
        .filter(|(t, _)| *t < 19.0)
        .map(|(_, s)| *s)
        .collect();
    let settled = before.iter().rev().take(20).sum::<f64>() / 20.0;
    anyhow::ensure!(
        (settled + 16.0).abs() <= 1.0,
        "before the step it settled at {settled} LUFS"
    );
    let mut worst_fall = 0.0f64;
    for pair in series.windows(10) {
        let (t0, s0) = pair[0];
        let (t1, s1) = pair[9];
        if t0 > 24.0 {
            worst_fall = worst_fall.max((s0 - s1) / (t1 - t0));
        }
    }
    anyhow::ensure!(
        worst_fall <= 1.6,
        "after the step the loudness fell {worst_fall} LU/s: a jump"
    );
    let end = series.iter().rev().take(10).map(|(_, s)| *s).sum::<f64>() / 10.0;
    anyhow::ensure!(
        end > -17.5 && end < -14.0,
        "it ended at {end} LUFS, not converging to -16"
    );
    Ok(())
}

/// Six 2 s tones, each its own frequency, with 3 s of silence between them (27 s in all).
const GAP_TONES: [f64; 6] = [300.0, 420.0, 560.0, 700.0, 860.0, 1000.0];

fn tones_with_gaps(dir: &Path) -> anyhow::Result<PathBuf> {
    let path = dir.join("gaps.wav");
    let mut command = Command::new("ffmpeg");
    command.args(["-hide_banner", "-loglevel", "error", "-y"]);
    let mut graph = String::new();
    for (i, f) in GAP_TONES.iter().enumerate() {
        command.args([
            "-f",
            "lavfi",
            "-i",
            &format!("sine=frequency={f}:duration=2:sample_rate=44100"),
        ]);
        graph.push_str(&format!("[{i}:a]volume=0.5[t{i}];"));
    }
    command.args(["-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono:d=3"]);
    let silence = GAP_TONES.len();
    graph.push_str(&format!("[{silence}:a]asplit={}", GAP_TONES.len() - 1));
    for i in 0..GAP_TONES.len() - 1 {
        graph.push_str(&format!("[s{i}]"));
    }
    graph.push(';');
    for i in 0..GAP_TONES.len() {
        graph.push_str(&format!("[t{i}]"));
        if i + 1 < GAP_TONES.len() {
            graph.push_str(&format!("[s{i}]"));
        }
    }
    graph.push_str(&format!(
        "concat=n={}:v=0:a=1[out]",
        GAP_TONES.len() * 2 - 1
    ));
    command.args([
        "-filter_complex",
        &graph,
        "-map",
        "[out]",
        "-ac",
        "1",
        "-c:a",
        "pcm_s16le",
    ]);
    let status = command.arg(&path).status()?;
    anyhow::ensure!(status.success(), "ffmpeg could not make the gaps fixture");
    Ok(path)
}

/// The tones heard in order (runs of 20 ms windows), with how long each sounded (ms).
fn tone_runs(recording: &Recording) -> Vec<(f64, u64)> {
    let mut runs = recording.tone_runs(20, &GAP_TONES);
    // A window straddling a tone's edge can name a neighbour: keep runs of 100 ms or more.
    runs.retain(|(_, ms)| *ms >= 100);
    runs
}

#[tokio::test(flavor = "multi_thread")]
async fn strong_skip_silence_plays_six_tones_in_18_s_and_seeks_in_episode_time(
) -> anyhow::Result<()> {
    if !audio_env_ready("skip silence") {
        return Ok(());
    }
    let _audio = audio_lock().await;
    let dir = tempfile::tempdir()?;
    let file = tones_with_gaps(dir.path())?.to_string_lossy().into_owned();
    let started = Instant::now();
    let (out, recording) = play_recorded(vec![
        "play".into(),
        file.clone(),
        "--skip-silence".into(),
        "strong".into(),
    ])
    .await?;
    check(&out)?;
    let recording = recording.from_first_sound();
    let heard_s = recording.samples.len() as f64 / 44_100.0;
    let runs = tone_runs(&recording);
    let order: Vec<f64> = runs.iter().map(|(f, _)| *f).collect();
    anyhow::ensure!(order == GAP_TONES, "heard {runs:?}");
    for (f, ms) in &runs {
        anyhow::ensure!(
            ms.abs_diff(2_000) <= 60,
            "{f} Hz sounded {ms} ms, not all of its 2 s"
        );
    }
    // From the first tone to the end of the last one.
    let last_sound = recording
        .windows(20, &GAP_TONES)
        .iter()
        .rev()
        .find(|w| w.tone.is_some())
        .map(|w| w.at_s)
        .unwrap_or(heard_s);
    anyhow::ensure!(
        last_sound <= 18.0,
        "six tones took {last_sound:.1} s (27 s without skipping)"
    );
    anyhow::ensure!(
        started.elapsed() < Duration::from_secs(26),
        "the run took {:?}",
        started.elapsed()
    );

    // A jump to the 4th tone's start in episode time (3 × 5 s = 15 s): that tone, whole.
    let (out, recording) = play_recorded(vec![
        "play".into(),
        file,
        "--skip-silence".into(),
        "strong".into(),
        "--at".into(),
        "15".into(),
        "--for".into(),
        "4".into(),
    ])
    .await?;
    check(&out)?;
    let runs = tone_runs(&recording.from_first_sound());
    anyhow::ensure!(
        runs.first()
            .is_some_and(|(f, ms)| *f == GAP_TONES[3] && ms.abs_diff(2_000) <= 50),
        "after --at 15 the sink heard {runs:?}"
    );
    Ok(())
}

/// Chapters Intro / Sponsor / Main / Ad break / Outro, 3 s each, each its own tone.
const CHAPTER_TONES: [f64; 5] = [300.0, 420.0, 560.0, 700.0, 860.0];

#[tokio::test(flavor = "multi_thread")]
async fn skipped_chapters_are_never_heard() -> anyhow::Result<()> {
    if !audio_env_ready("skip chapters") {
        return Ok(());
    }
    let _audio = audio_lock().await;
    let dir = tempfile::tempdir()?;
    let fixture = chaptercast_e2e::audio::tone_mp3_titled(
        dir.path(),
        "sponsored",
        &CHAPTER_TONES,
        &["Intro", "Sponsor", "Main", "Ad break", "Outro"],
        3.0,
    )?;
    let (out, recording) = play_recorded(vec![
        "play".into(),
        fixture.to_string_lossy().into_owned(),
        "--skip-chapters".into(),
        "Sponsor, ad break".into(),
    ])
    .await?;
    check(&out)?;
    // Runs of at least two 20 ms windows: one window across a jump (the end of one tone and
    // the start of the next in 20 ms) can look like any frequency between them; a sponsor
    // heard at all would be one tick of the player (~100 ms) or more.
    let runs = recording.from_first_sound().tone_runs(20, &CHAPTER_TONES);
    let heard = |f: f64| heard_ms(&runs, f, 40);
    anyhow::ensure!(heard(420.0) == 0, "the Sponsor tone was heard: {runs:?}");
    anyhow::ensure!(heard(700.0) == 0, "the Ad break tone was heard: {runs:?}");
    for f in [300.0, 560.0, 860.0] {
        anyhow::ensure!(
            heard(f) >= 2_500,
            "{f} Hz was heard only {} ms: {runs:?}",
            heard(f)
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(stdout.contains("Skipped: Sponsor"), "stdout: {stdout}");
    Ok(())
}
