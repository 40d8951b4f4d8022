//! `chaptercast play`, heard: the real binary plays chaptered tone MP3s from the local server
//! into the PulseAudio null sink, and the recording of its monitor is analysed by frequency.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

use chaptercast_e2e::app::app_binary;
use chaptercast_e2e::audio::{
    audio_env_ready, audio_lock, tone_mp3, Capture, Encoding, Recording, ToneFixture,
};
use chaptercast_e2e::server::{Route, TestServer};

/// Six one-minute chapters, each its own tone.
const FREQS: [f64; 6] = [300.0, 420.0, 560.0, 700.0, 860.0, 1000.0];
const CHAPTER_S: f64 = 60.0;

fn fixture(encoding: Encoding) -> &'static ToneFixture {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    static CBR: OnceLock<ToneFixture> = OnceLock::new();
    static VBR: OnceLock<ToneFixture> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("chaptercast-tones-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("fixture dir");
        dir
    });
    let cell = match encoding {
        Encoding::Cbr128 => &CBR,
        Encoding::Vbr => &VBR,
    };
    cell.get_or_init(|| {
        let name = match encoding {
            Encoding::Cbr128 => "tones-cbr",
            Encoding::Vbr => "tones-vbr",
        };
        tone_mp3(dir, name, &FREQS, CHAPTER_S, encoding).expect("make tone fixture")
    })
}

async fn serve(fixture: &ToneFixture, route: fn(Vec<u8>) -> Route) -> TestServer {
    let server = TestServer::start().await.expect("server");
    server.route("/tones.mp3", route(fixture.bytes().expect("fixture bytes")));
    server
}

fn ranged(body: Vec<u8>) -> Route {
    Route::file("audio/mpeg", body)
}

/// Plays the served fixture with `chaptercast play <url> <args>` while recording the sink.
async fn play_and_record(server: &TestServer, args: &[&str]) -> (Output, Recording) {
    let binary = app_binary().expect("app binary");
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    args.insert(0, server.url("/tones.mp3"));
    tokio::task::spawn_blocking(move || {
        let capture = Capture::start().expect("start parec");
        let launched = std::time::Instant::now();
        let out = Command::new(binary)
            .arg("play")
            .args(&args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .output()
            .expect("run chaptercast play");
        std::thread::sleep(Duration::from_millis(300));
        (out, capture.stop().since(launched))
    })
    .await
    .expect("join")
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The tones heard, in 100 ms windows (silence left out).
fn tones_heard(recording: &Recording) -> Vec<f64> {
    recording
        .windows(100, &FREQS)
        .into_iter()
        .filter_map(|w| w.tone)
        .collect()
}

/// All sound heard was `freq` (at least `min_windows` windows of it, nothing else).
fn assert_only_tone(recording: &Recording, freq: f64, min_windows: usize) {
    let heard = tones_heard(recording);
    let others: Vec<f64> = heard.iter().copied().filter(|f| *f != freq).collect();
    assert!(
        heard.len() >= min_windows && others.is_empty(),
        "expected only {freq} Hz (>= {min_windows} windows), heard {heard:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn play_chapter_plays_that_chapter_and_fetches_little_of_the_file() {
    if !audio_env_ready("play --chapter") {
        return;
    }
    let _audio = audio_lock().await;
    let tones = fixture(Encoding::Cbr128);
    let server = serve(tones, ranged).await;
    let (out, recording) = play_and_record(&server, &["--chapter", "4", "--for", "2"]).await;
    assert_ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("chapter 4 3:00.0 Tone 700 Hz"), "{stdout}");
    assert_only_tone(&recording, FREQS[3], 12);
    let sent: u64 = server.requests().iter().map(|r| r.sent_bytes).sum();
    let size = tones.bytes().expect("bytes").len() as u64;
    assert!(
        sent * 100 < size * 40,
        "sent {sent} of {size} bytes: {:?}",
        server
            .requests()
            .iter()
            .map(|r| (r.headers.get("range").cloned(), r.sent_bytes))
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn play_at_a_clock_time_plays_what_is_there() {
    if !audio_env_ready("play --at") {
        return;
    }
    let _audio = audio_lock().await;
    let tones = fixture(Encoding::Cbr128);
    let server = serve(tones, ranged).await;
    let (out, recording) = play_and_record(&server, &["--at", "2:30", "--for", "1.5"]).await;
    assert_ok(&out);
    assert_only_tone(&recording, FREQS[2], 8);
}

/// Starts one second before chapter 4's tone change: the change must come 1.0 ± 0.25 s after
/// the first sound.
async fn assert_jump_is_accurate(encoding: Encoding) {
    let _audio = audio_lock().await;
    let tones = fixture(encoding);
    let server = serve(tones, ranged).await;
    let change = tones.chapter_start(3);
    let (out, recording) = play_and_record(
        &server,
        &["--at", &format!("{:.3}", change - 1.0), "--for", "2.5"],
    )
    .await;
    assert_ok(&out);
    let windows = recording.windows(20, &FREQS);
    let first_index = windows
        .iter()
        .position(|w| w.tone.is_some())
        .expect("some sound");
    let first = &windows[first_index];
    // The onset window is part silence; judge the tone a little later.
    let settled: Vec<Option<f64>> = windows[first_index..]
        .iter()
        .take(10)
        .map(|w| w.tone)
        .collect();
    assert!(
        settled[2..].iter().all(|t| *t == Some(FREQS[2])),
        "{encoding:?}: the first sound should be chapter 3's tone: {settled:?}"
    );
    let switch = windows
        .iter()
        .find(|w| w.tone == Some(FREQS[3]))
        .expect("chapter 4's tone heard");
    let heard_before_change = switch.at_s - first.at_s;
    assert!(
        (heard_before_change - 1.0).abs() <= 0.25,
        "{encoding:?}: the tone changed {heard_before_change:.3} s after the start, not 1.0 s"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_jump_in_a_cbr_stream_lands_within_a_quarter_second() {
    if !audio_env_ready("cbr jump accuracy") {
        return;
    }
    assert_jump_is_accurate(Encoding::Cbr128).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_jump_in_a_vbr_stream_lands_within_a_quarter_second() {
    if !audio_env_ready("vbr jump accuracy") {
        return;
    }
    assert_jump_is_accurate(Encoding::Vbr).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn double_speed_keeps_the_pitch() {
    if !audio_env_ready("speed") {
        return;
    }
    let _audio = audio_lock().await;
    let tones = fixture(Encoding::Cbr128);
    let server = serve(tones, ranged).await;
    let (out, recording) =
        play_and_record(&server, &["--at", "10", "--speed", "2", "--for", "2"]).await;
    assert_ok(&out);
    let pitch = recording.measured_pitch(1.0).expect("sound to measure");
    assert!(
        (pitch - FREQS[0]).abs() / FREQS[0] < 0.03,
        "pitch at 2x was {pitch:.1} Hz, the tone is {} Hz",
        FREQS[0]
    );
    // And it really ran at twice the speed: about 4 s of audio in 2 s.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("position 0:"))
        .filter_map(|t| t.parse::<f64>().ok())
        .fold(0.0, f64::max);
    assert!(
        last >= 13.0,
        "position only reached 0:{last} at 2x: {stdout}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_without_range_support_still_plays_the_right_audio() {
    if !audio_env_ready("no range") {
        return;
    }
    let _audio = audio_lock().await;
    let tones = fixture(Encoding::Cbr128);
    let server = serve(tones, |body| Route::ok("audio/mpeg", body)).await;
    let (out, recording) = play_and_record(&server, &["--chapter", "3", "--for", "1.5"]).await;
    assert_ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("the server cannot seek"), "{stdout}");
    assert_only_tone(&recording, FREQS[2], 8);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_sending_the_wrong_range_is_refused_not_played() {
    if !audio_env_ready("wrong range") {
        return;
    }
    let _audio = audio_lock().await;
    let tones = fixture(Encoding::Cbr128);
    let server = serve(tones, |body| {
        let mut route = Route::file("audio/mpeg", body);
        route.lie_about_range = true;
        route
    })
    .await;
    let (out, recording) = play_and_record(&server, &["--chapter", "3", "--for", "1.5"]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("different part of the file"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    let heard = tones_heard(&recording);
    assert!(heard.is_empty(), "wrong audio was played: {heard:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_audio_device_is_one_clear_line() {
    if !audio_env_ready("no device") {
        return;
    }
    let tones = fixture(Encoding::Cbr128);
    let server = serve(tones, ranged).await;
    let binary = app_binary().expect("app binary");
    let url = server.url("/tones.mp3");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .args(["play", &url, "--for", "1"])
            .env_remove("DISPLAY")
            .env("PULSE_SERVER", "unix:/nonexistent/chaptercast-no-pulse")
            .output()
            .expect("run")
    })
    .await
    .expect("join");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no audio output device"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unplayable_input_exits_1_with_one_line() {
    let server = TestServer::start().await.expect("server");
    server.route(
        "/notes.mp3",
        Route::file("audio/mpeg", b"<html>not audio</html>".repeat(100)),
    );
    server.route("/gone.mp3", Route::status(404));
    let binary = app_binary().expect("app binary");
    for path in ["/notes.mp3", "/gone.mp3"] {
        let url = server.url(path);
        let binary = binary.clone();
        let out = tokio::task::spawn_blocking(move || {
            Command::new(binary)
                .args(["play", &url, "--for", "1"])
                .env_remove("DISPLAY")
                .output()
                .expect("run")
        })
        .await
        .expect("join");
        assert_eq!(out.status.code(), Some(1), "{path}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{path}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
