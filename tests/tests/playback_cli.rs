//! `chaptercast play`, heard: the real binary plays chaptered tone MP3s from the local server
//! into the PulseAudio null sink, and the recording of its monitor is analysed by frequency.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

use chaptercast_e2e::app::{cli_binary, succeeded};
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
    static VBR_LOW: OnceLock<ToneFixture> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("chaptercast-tones-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("fixture dir");
        dir
    });
    let cell = match encoding {
        Encoding::Cbr128 => &CBR,
        Encoding::Vbr => &VBR,
        Encoding::VbrLow => &VBR_LOW,
    };
    cell.get_or_init(|| {
        let name = match encoding {
            Encoding::Cbr128 => "tones-cbr",
            Encoding::Vbr => "tones-vbr",
            Encoding::VbrLow => "tones-vbr-low",
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
    let (out, recording, _) = spawn_play(server.url("/tones.mp3"), args)
        .await
        .expect("join");
    (out, recording)
}

/// `chaptercast play SOURCE ARGS…` with no audio device (a PulseAudio socket that is not
/// there), for the ways playback must fail: one line on stderr, exit 1.
async fn play_without_device(source: String, args: &[&str]) -> Output {
    let binary = cli_binary().expect("cli binary");
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .arg("play")
            .arg(source)
            .args(&args)
            .env_remove("DISPLAY")
            .env("PULSE_SERVER", "unix:/nonexistent/chaptercast-no-pulse")
            .output()
            .expect("run chaptercast play")
    })
    .await
    .expect("join")
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
    succeeded(&out);
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
    succeeded(&out);
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
    succeeded(&out);
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
    succeeded(&out);
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
    succeeded(&out);
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
    let out = play_without_device(server.url("/tones.mp3"), &["--for", "1"]).await;
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
    let binary = cli_binary().expect("cli binary");
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

/// Thirty half-second tones, each its own frequency: any skipped or repeated stretch of audio
/// shows as a step missing from, or back in, the order heard.
const STEPS: usize = 30;
const STEP_S: f64 = 0.5;

fn step_freqs() -> Vec<f64> {
    (0..STEPS).map(|i| 400.0 + 90.0 * i as f64).collect()
}

fn steps_fixture() -> &'static ToneFixture {
    static STEPS_FIXTURE: OnceLock<ToneFixture> = OnceLock::new();
    STEPS_FIXTURE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("chaptercast-steps-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("fixture dir");
        tone_mp3(&dir, "steps", &step_freqs(), STEP_S, Encoding::Cbr128).expect("steps fixture")
    })
}

/// Starts `chaptercast play URL args…` on the served `/tones.mp3` with the sink recording;
/// the returned task ends with its output and the recording.
fn spawn_play(
    url: String,
    args: &[&str],
) -> tokio::task::JoinHandle<(Output, Recording, std::time::Instant)> {
    let binary = cli_binary().expect("cli binary");
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let capture = Capture::start().expect("start parec");
        let launched = std::time::Instant::now();
        let out = Command::new(binary)
            .arg("play")
            .arg(url)
            .args(&args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .output()
            .expect("run chaptercast play");
        std::thread::sleep(Duration::from_millis(300));
        (out, capture.stop().since(launched), launched)
    })
}

/// The tone steps heard in order, each once: silence dropped, repeats of the same step merged.
fn step_sequence(recording: &Recording, freqs: &[f64]) -> Vec<usize> {
    let mut steps: Vec<usize> = Vec::new();
    let mut run: Option<(usize, usize)> = None;
    for tone in recording.windows(50, freqs).into_iter().map(|w| w.tone) {
        let Some(f) = tone else { continue };
        let Some(i) = freqs.iter().position(|x| *x == f) else {
            continue;
        };
        // A step counts once heard in two windows in a row (an onset window can mislead).
        run = match run {
            Some((j, n)) if j == i => Some((i, n + 1)),
            _ => Some((i, 1)),
        };
        if let Some((i, 2)) = run {
            if steps.last() != Some(&i) {
                steps.push(i);
            }
        }
    }
    steps
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_resetting_every_connection_for_3_s_is_heard_within_6_s() {
    if !audio_env_ready("reset for 3 s") {
        return;
    }
    let _audio = audio_lock().await;
    let tones = fixture(Encoding::Cbr128);
    let server = serve(tones, ranged).await;
    server.down_for(Duration::from_secs(3));
    let (out, recording, launched) = spawn_play(server.url("/tones.mp3"), &["--for", "1.5"])
        .await
        .expect("join");
    succeeded(&out);
    let first = recording.first_sound().expect("sound after the resets");
    let after = first.duration_since(launched).as_secs_f64();
    assert!(
        after <= 6.0,
        "the first sound came {after:.2} s after the start"
    );
    assert!(
        after >= 3.0,
        "sound at {after:.2} s: the server was down until 3 s"
    );
    assert_only_tone(&recording, FREQS[0], 8);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("reconnecting to 127.0.0.1"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_that_loses_its_server_for_5_s_goes_on_without_a_gap_or_a_repeat() {
    if !audio_env_ready("5 s outage") {
        return;
    }
    let _audio = audio_lock().await;
    let steps = steps_fixture();
    let freqs = step_freqs();
    let bytes = steps.bytes().expect("bytes");
    // 1.5 times as fast as it plays (128 kbit/s is 16 kB/s): the buffer stays short, so the
    // outage is really heard as a stall.
    let server = TestServer::start().await.expect("server");
    server.route(
        "/tones.mp3",
        Route::file("audio/mpeg", bytes).with_throttle(24_000),
    );
    let play = spawn_play(server.url("/tones.mp3"), &[]);
    tokio::time::sleep(Duration::from_secs(4)).await;
    server.set_down(true);
    tokio::time::sleep(Duration::from_secs(5)).await;
    server.set_down(false);
    let (out, recording, _) = play.await.expect("join");
    succeeded(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("reconnecting to"),
        "the outage was not noticed: {stdout}"
    );
    assert!(stdout.contains("end "), "played to the end: {stdout}");
    let heard = step_sequence(&recording, &freqs);
    let expected: Vec<usize> = (0..STEPS).collect();
    assert_eq!(
        heard, expected,
        "every half-second step once, in order (a skip or a repeat breaks the run)"
    );
    let ranges: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|r| r.headers.get("range").cloned())
        .collect();
    assert!(
        ranges.len() >= 2,
        "a new request after the outage: {ranges:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_that_stays_unreachable_ends_play_with_one_line_within_20_s() {
    let server = TestServer::start().await.expect("server");
    server.route("/tones.mp3", Route::file("audio/mpeg", vec![0u8; 1000]));
    server.set_down(true);
    let started = std::time::Instant::now();
    let out = play_without_device(server.url("/tones.mp3"), &[]).await;
    let took = started.elapsed().as_secs_f64();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("Can't reach 127.0.0.1"), "{stderr}");
    assert!(took <= 20.0, "gave up after {took:.1} s");
    assert!(
        took >= 10.0,
        "gave up after only {took:.1} s: the host deserved retries"
    );
}

/// An M4A whose `stsc` claims `count` entries (see the engine's fuzz regressions): symphonia
/// 0.5 asked for 64 GiB on the first and the process aborted (exit 134).
fn m4a_with_stsc_count(count: u32) -> Vec<u8> {
    fn mp4_box(t: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(t);
        out.extend_from_slice(body);
        out
    }
    let mut stsc = vec![0, 0, 0, 0];
    stsc.extend(count.to_be_bytes());
    stsc.extend([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    let stbl = mp4_box(b"stbl", &mp4_box(b"stsc", &stsc));
    let trak = mp4_box(b"trak", &mp4_box(b"mdia", &mp4_box(b"minf", &stbl)));
    let mut file = mp4_box(b"ftyp", b"M4A \x00\x00\x02\x00M4A mp42isom");
    file.extend(mp4_box(b"moov", &trak));
    file.extend(mp4_box(b"mdat", &[0u8; 16]));
    file
}

#[tokio::test(flavor = "multi_thread")]
async fn crafted_mp4_tables_end_play_with_one_line_not_an_abort() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start().await.expect("server");
    for count in [0xFFFF_FFFFu32, 0x0FFF_FFFF] {
        let file = m4a_with_stsc_count(count);
        let path = dir.path().join(format!("stsc-{count:x}.m4a"));
        std::fs::write(&path, &file).expect("write");
        let route = format!("/stsc-{count:x}.m4a");
        server.route(&route, Route::file("audio/mp4", file));
        for source in [path.display().to_string(), server.url(&route)] {
            let shown = source.clone();
            let out = play_without_device(source, &["--for", "1"]).await;
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{shown}: {stderr}");
            assert_eq!(stderr.trim().lines().count(), 1, "{shown}: {stderr}");
            assert!(stderr.contains("damaged"), "{shown}: {stderr}");
        }
    }
}
