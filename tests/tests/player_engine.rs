//! The playback engine without a sound device: the Range stream against misbehaving servers,
//! and decoding after a seek, checked sample by sample on tone fixtures.

use std::io::{Read, Seek, SeekFrom};
use std::sync::OnceLock;

use chaptercast_e2e::audio::{goertzel, tone_mp3, Encoding, ToneFixture};
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::net::HttpClient;
use chaptercast_engine::player::decode::Decoding;
use chaptercast_engine::player::input::MediaInput;
use chaptercast_engine::player::stream::{RangeStream, READ_AHEAD_BYTES};
use chaptercast_engine::{Config, Library};

const FREQS: [f64; 4] = [330.0, 550.0, 770.0, 990.0];
const CHAPTER_S: f64 = 20.0;

fn ffmpeg_ready() -> bool {
    let ok = std::process::Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let message =
            "ffmpeg is missing: the player tests need it (scripts/install-deps.sh --test)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message}");
        }
        eprintln!("SKIPPED (not CI): {message}");
    }
    ok
}

fn fixture(encoding: Encoding) -> &'static ToneFixture {
    static CBR: OnceLock<ToneFixture> = OnceLock::new();
    static VBR: OnceLock<ToneFixture> = OnceLock::new();
    static VBR_LOW: OnceLock<ToneFixture> = OnceLock::new();
    let (cell, name) = match encoding {
        Encoding::Cbr128 => (&CBR, "cbr"),
        Encoding::Vbr => (&VBR, "vbr"),
        Encoding::VbrLow => (&VBR_LOW, "vbr-low"),
    };
    cell.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("chaptercast-engine-tones-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        tone_mp3(&dir, name, &FREQS, CHAPTER_S, encoding).expect("fixture")
    })
}

fn http() -> HttpClient {
    HttpClient::new(&Config::new(std::env::temp_dir())).expect("client")
}

/// A runtime for the stream's fetcher, separate from the test's.
fn net_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

/// The first byte a request's `Range` header asks for.
fn range_start(request: &chaptercast_e2e::server::SeenRequest) -> Option<u64> {
    request
        .headers
        .get("range")
        .and_then(|v| v.strip_prefix("bytes="))
        .and_then(|v| v.split('-').next())
        .and_then(|v| v.parse::<u64>().ok())
}

/// Deterministic bytes that differ at every offset's neighbourhood.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 7 + i / 251) % 256) as u8).collect()
}

fn read_exact_at(stream: &mut RangeStream, at: u64, len: usize) -> std::io::Result<Vec<u8>> {
    stream.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0u8; len];
    stream.read_exact(&mut buf)?;
    Ok(buf)
}

#[tokio::test(flavor = "multi_thread")]
async fn random_seeks_read_exactly_the_file_and_fetch_only_near_them() {
    let body = pattern(12 << 20);
    let server = TestServer::start().await.expect("server");
    server.route("/a.mp3", Route::file("audio/mpeg", body.clone()));
    let url = server.url("/a.mp3");
    let (sent, total) = tokio::task::spawn_blocking(move || {
        let rt = net_runtime();
        let mut stream = RangeStream::open(rt.handle(), http(), &url).expect("open");
        assert_eq!(stream.byte_len(), Some(body.len() as u64));
        stream.start_read_ahead();
        for &at in &[
            9_000_000u64,
            100,
            5_000_000,
            11_999_000,
            3_333_333,
            9_000_500,
        ] {
            let len = 1000.min(body.len() - at as usize);
            let got = read_exact_at(&mut stream, at, len).expect("read");
            assert_eq!(got, body[at as usize..at as usize + len], "bytes at {at}");
        }
        let stats = stream.stats();
        stream.close();
        (stats.bytes_fetched, body.len() as u64)
    })
    .await
    .expect("join");
    // Six spots, each with at most a read-ahead window: far less than the whole file.
    assert!(sent < total / 2, "fetched {sent} of {total}");
    let _ = server.requests();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_ignoring_range_is_read_progressively_and_still_right() {
    let body = pattern(3 << 20);
    let server = TestServer::start().await.expect("server");
    server.route("/a.mp3", Route::ok("audio/mpeg", body.clone()));
    let url = server.url("/a.mp3");
    tokio::task::spawn_blocking(move || {
        let rt = net_runtime();
        let mut stream = RangeStream::open(rt.handle(), http(), &url).expect("open");
        stream.start_read_ahead();
        for &at in &[2_500_000u64, 10, 2_999_000] {
            let got = read_exact_at(&mut stream, at, 1000).expect("read");
            assert_eq!(got, body[at as usize..at as usize + 1000], "bytes at {at}");
        }
        assert!(stream.stats().progressive);
        stream.close();
    })
    .await
    .expect("join");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_answering_the_wrong_range_fails_instead_of_giving_wrong_bytes() {
    let body = pattern(3 << 20);
    let server = TestServer::start().await.expect("server");
    let mut route = Route::file("audio/mpeg", body.clone());
    route.lie_about_range = true;
    server.route("/a.mp3", route);
    let url = server.url("/a.mp3");
    tokio::task::spawn_blocking(move || {
        let rt = net_runtime();
        let mut stream = RangeStream::open(rt.handle(), http(), &url).expect("open");
        stream.start_read_ahead();
        let error = read_exact_at(&mut stream, 2_000_000, 1000).expect_err("must refuse");
        assert!(error.to_string().contains("different part"), "{error}");
        stream.close();
    })
    .await
    .expect("join");
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_are_followed_once_then_the_final_url_is_used() {
    let body = pattern(2 << 20);
    let server = TestServer::start().await.expect("server");
    server.route("/cdn/a.mp3", Route::file("audio/mpeg", body.clone()));
    server.route("/track/a.mp3", Route::redirect(&server.url("/cdn/a.mp3")));
    let url = server.url("/track/a.mp3");
    tokio::task::spawn_blocking(move || {
        let rt = net_runtime();
        let mut stream = RangeStream::open(rt.handle(), http(), &url).expect("open");
        stream.start_read_ahead();
        let got = read_exact_at(&mut stream, 1_500_000, 4096).expect("read");
        assert_eq!(got, body[1_500_000..1_504_096]);
        stream.close();
    })
    .await
    .expect("join");
    let tracker_hits = server
        .requests()
        .iter()
        .filter(|r| r.path == "/track/a.mp3")
        .count();
    assert_eq!(tracker_hits, 1, "later ranges go straight to the final URL");
}

#[tokio::test(flavor = "multi_thread")]
async fn streaming_a_long_file_keeps_memory_flat() {
    // 48 MB here (a debug build); the 200 MB run is in the playback benchmark.
    let body = pattern(48 << 20);
    let server = TestServer::start().await.expect("server");
    server.route("/big.mp3", Route::file("audio/mpeg", body));
    let url = server.url("/big.mp3");
    let peak = tokio::task::spawn_blocking(move || {
        let rt = net_runtime();
        let mut stream = RangeStream::open(rt.handle(), http(), &url).expect("open");
        stream.start_read_ahead();
        let mut buf = vec![0u8; 64 << 10];
        let mut peak = 0;
        let mut total = 0u64;
        loop {
            let n = stream.read(&mut buf).expect("read");
            if n == 0 {
                break;
            }
            total += n as u64;
            peak = peak.max(stream.cached_bytes());
        }
        assert_eq!(total, 48 << 20);
        stream.close();
        peak
    })
    .await
    .expect("join");
    assert!(
        peak < 8 * READ_AHEAD_BYTES,
        "up to {peak} bytes were held in memory"
    );
}

/// Decodes from `at_s` and finds where the tone changes to `next_freq`, in seconds of decoded
/// audio (10 ms resolution).
fn seconds_until_tone(decoding: &mut Decoding, at_s: f64, next_freq: f64, prev_freq: f64) -> f64 {
    let rate = decoding.sample_rate;
    let channels = usize::from(decoding.channels);
    decoding
        .seek((at_s * f64::from(rate)) as u64)
        .expect("seek");
    let mut mono = Vec::new();
    let mut first_frame = None;
    while mono.len() < rate as usize * 3 {
        let Some(chunk) = decoding.next_chunk().expect("decode") else {
            break;
        };
        first_frame.get_or_insert(chunk.frame);
        mono.extend(
            decoding
                .samples(chunk)
                .chunks(channels)
                .map(|f| f64::from(f[0])),
        );
    }
    let first = first_frame.expect("decoded something");
    assert_eq!(
        first,
        (at_s * f64::from(rate)) as u64,
        "decoding starts at the asked frame"
    );
    let window = rate as usize / 100;
    for (i, w) in mono.chunks(window).enumerate() {
        let rate = f64::from(rate);
        if goertzel(w, next_freq, rate) > goertzel(w, prev_freq, rate) {
            return i as f64 * 0.01;
        }
    }
    panic!("the tone never changed to {next_freq} Hz");
}

/// The left channel of the first `seconds` decoded after a jump to episode frame `frame`.
fn left_channel_from(decoding: &mut Decoding, frame: u64, seconds: f64) -> Vec<f64> {
    decoding.seek(frame).expect("seek");
    let channels = usize::from(decoding.channels);
    let wanted = (seconds * f64::from(decoding.sample_rate)) as usize;
    let mut left = Vec::new();
    while left.len() < wanted {
        let Some(chunk) = decoding.next_chunk().expect("decode") else {
            break;
        };
        left.extend(
            decoding
                .samples(chunk)
                .chunks(channels)
                .map(|f| f64::from(f[0])),
        );
    }
    left
}

fn rms(samples: &[f64]) -> f64 {
    (samples.iter().map(|x| x * x).sum::<f64>() / samples.len().max(1) as f64).sqrt()
}

fn assert_seek_accuracy(input: impl Fn() -> MediaInput, label: &str) {
    let mut decoding = Decoding::open(input(), Some("audio/mpeg")).expect("open");
    for (chapter, lead) in [(1usize, 0.5), (3, 1.0), (2, 0.25), (1, 2.0)] {
        let change = chapter as f64 * CHAPTER_S;
        let heard = seconds_until_tone(
            &mut decoding,
            change - lead,
            FREQS[chapter],
            FREQS[chapter - 1],
        );
        assert!(
            (heard - lead).abs() <= 0.03,
            "{label}: seeking to {:.2} s, the tone changed after {heard:.2} s instead of {lead:.2} s",
            change - lead
        );
    }
}

#[test]
fn seeks_in_local_files_land_on_the_sample() {
    if !ffmpeg_ready() {
        return;
    }
    for encoding in [Encoding::Cbr128, Encoding::Vbr] {
        let path = fixture(encoding).path.clone();
        assert_seek_accuracy(
            || MediaInput::File(std::fs::File::open(&path).expect("open")),
            &format!("{encoding:?} file"),
        );
    }
}

/// A jump into a low-bitrate MP3 sounds from its first sample, wherever the target falls
/// among the frame index's kept starts: decoding starts far enough before it that the frames
/// there have the audio data they keep in earlier frames (the bit reservoir).
#[test]
fn a_jump_into_a_low_bitrate_file_sounds_from_its_first_sample() {
    if !ffmpeg_ready() {
        return;
    }
    let path = fixture(Encoding::VbrLow).path.clone();
    let mut decoding = Decoding::open(
        MediaInput::File(std::fs::File::open(&path).expect("open")),
        Some("audio/mpeg"),
    )
    .expect("open");
    let rate = u64::from(decoding.sample_rate);
    let mut quiet = Vec::new();
    // Targets one frame apart, over more than the index's stride, in the middle of a tone.
    for k in 0..20u64 {
        let at = (2.5 * CHAPTER_S) as u64 * rate + k * 1152;
        let left = left_channel_from(&mut decoding, at, 0.5);
        let window = rate as usize / 50;
        let (first, later) = (rms(&left[..window]), rms(&left[window * 10..window * 11]));
        if first < 0.7 * later {
            quiet.push(format!("+{k} frames: {first:.3} RMS, then {later:.3}"));
        }
    }
    assert!(
        quiet.is_empty(),
        "jumps whose first 20 ms are too quiet: {quiet:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn seeks_in_streams_land_within_30_ms() {
    if !ffmpeg_ready() {
        return;
    }
    for encoding in [Encoding::Cbr128, Encoding::Vbr] {
        let fixture = fixture(encoding);
        let server = TestServer::start().await.expect("server");
        server.route(
            "/t.mp3",
            Route::file("audio/mpeg", fixture.bytes().expect("bytes")),
        );
        let url = server.url("/t.mp3");
        tokio::task::spawn_blocking(move || {
            let rt = net_runtime();
            let stream = RangeStream::open(rt.handle(), http(), &url).expect("open");
            stream.start_read_ahead();
            assert_seek_accuracy(
                || MediaInput::Stream(stream.clone()),
                &format!("{encoding:?} stream"),
            );
            stream.close();
        })
        .await
        .expect("join");
    }
}

/// The player itself (a device may or may not be there: nothing here is listened to).
fn spawn_player() -> (
    chaptercast_engine::player::PlayerHandle,
    std::sync::mpsc::Receiver<chaptercast_engine::player::PlayerEvent>,
) {
    use chaptercast_engine::player;
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = player::spawn(
        http(),
        player::RetryPolicy::default(),
        Box::new(move |e| {
            let _ = tx.send(e);
        }),
    )
    .expect("player");
    (handle, rx)
}

fn load(key: &str, url: String, start_ms: u64) -> chaptercast_engine::player::Command {
    use chaptercast_engine::player::{Command, LoadRequest, MediaLocation};
    Command::Load(Box::new(LoadRequest {
        key: key.into(),
        location: MediaLocation::Url(url),
        mime: None,
        start_ms,
        chapters: Vec::new(),
        autoplay: false,
        skips: Default::default(),
        sound: Default::default(),
        frame_index: None,
    }))
}

/// The last status within `wait`, or the first that `done` accepts.
fn status_until(
    rx: &std::sync::mpsc::Receiver<chaptercast_engine::player::PlayerEvent>,
    wait: std::time::Duration,
    done: impl Fn(&chaptercast_engine::player::PlayerStatus) -> bool,
) -> Option<chaptercast_engine::player::PlayerStatus> {
    use chaptercast_engine::player::PlayerEvent;
    let until = std::time::Instant::now() + wait;
    let mut last = None;
    while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(PlayerEvent::Status(s)) => {
                let stop = done(&s);
                last = Some(s);
                if stop {
                    break;
                }
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    last
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_older_load_never_replaces_the_newer_one() {
    use chaptercast_engine::player::PlaybackState;
    if !ffmpeg_ready() {
        return;
    }
    let bytes = fixture(Encoding::Cbr128).bytes().expect("bytes");
    let server = TestServer::start().await.expect("server");
    server.route(
        "/slow.mp3",
        Route::file("audio/mpeg", bytes.clone()).with_delay(std::time::Duration::from_millis(1500)),
    );
    server.route("/fast.mp3", Route::file("audio/mpeg", bytes));
    let (slow, fast) = (server.url("/slow.mp3"), server.url("/fast.mp3"));
    tokio::task::spawn_blocking(move || {
        let (player, rx) = spawn_player();
        player.send(load("old", slow, 0));
        player.send(load("new", fast, 25_000));
        // Long enough for the slow answer to arrive after the fast one.
        let last =
            status_until(&rx, std::time::Duration::from_secs(4), |_| false).expect("statuses");
        assert_eq!(last.key.as_deref(), Some("new"), "{last:?}");
        assert_eq!(last.state, PlaybackState::Paused, "{last:?}");
        assert!(last.position_ms.abs_diff(25_000) < 100, "{last:?}");
        player.shutdown(std::time::Duration::from_secs(2));
    })
    .await
    .expect("join");
}

#[tokio::test(flavor = "multi_thread")]
async fn pause_and_a_new_load_answer_at_once_while_a_host_is_unreachable() {
    use chaptercast_engine::player::{Command, PlaybackState};
    let server = TestServer::start().await.expect("server");
    server.route("/gone.mp3", Route::file("audio/mpeg", vec![0u8; 1000]));
    server.set_down(true);
    let url = server.url("/gone.mp3");
    tokio::task::spawn_blocking(move || {
        let (player, rx) = spawn_player();
        player.send(load("saved-at-12-s", url, 12_000));
        // Loading, retrying, saying so — and showing where it will start.
        let stalled = status_until(&rx, std::time::Duration::from_secs(5), |s| {
            s.network.as_ref().is_some_and(|n| n.attempts >= 2)
        })
        .expect("a status");
        let network = stalled.network.clone().expect("the outage is reported");
        assert_eq!(network.host, "127.0.0.1");
        assert!(!network.had_answered);
        assert_eq!(stalled.state, PlaybackState::Loading);
        assert_eq!(stalled.position_ms, 12_000, "the saved position is shown");
        // The actor is not blocked on the network: a Stop is taken at once.
        let asked = std::time::Instant::now();
        player.send(Command::Stop);
        let idle = status_until(&rx, std::time::Duration::from_secs(2), |s| {
            s.state == PlaybackState::Idle
        })
        .expect("a status");
        assert_eq!(idle.state, PlaybackState::Idle);
        assert!(asked.elapsed() < std::time::Duration::from_millis(500));
        assert!(idle.network.is_none(), "{idle:?}");
        player.shutdown(std::time::Duration::from_secs(2));
    })
    .await
    .expect("join");
}

/// A video episode (H.264 video and AAC audio in MP4): opened for its audio track, with the
/// audio's length, and no error.
#[tokio::test(flavor = "multi_thread")]
async fn a_video_episode_opens_for_its_audio_track() {
    use chaptercast_engine::player::{Command, LoadRequest, MediaLocation, PlaybackState};
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("video.mp4");
    let made = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args([
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=160x120:rate=10:duration=4",
        ])
        .args([
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=4:sample_rate=44100",
        ])
        .args([
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
        ])
        .arg(&path)
        .status()
        .expect("ffmpeg");
    assert!(made.success(), "ffmpeg could not make the video");
    let (player, events) = spawn_player();
    player.send(Command::Load(Box::new(LoadRequest {
        key: "video".into(),
        location: MediaLocation::File(path),
        mime: Some("video/mp4".into()),
        start_ms: 0,
        chapters: Vec::new(),
        autoplay: false,
        skips: Default::default(),
        sound: Default::default(),
        frame_index: None,
    })));
    let status = tokio::task::spawn_blocking(move || {
        status_until(&events, std::time::Duration::from_secs(10), |s| {
            s.state != PlaybackState::Loading && s.state != PlaybackState::Idle
        })
    })
    .await
    .expect("join")
    .expect("a status");
    assert_eq!(status.state, PlaybackState::Paused, "{status:?}");
    assert_eq!(status.error, None);
    let length = status.duration_ms.expect("the audio's length");
    assert!(length.abs_diff(4_000) < 200, "{length} ms");
    player.shutdown(std::time::Duration::from_secs(2));
}

/// A jump into a VBR MP3 over a slow link reads the frames before its target; meanwhile it
/// says how far it has got (the bar's "Finding 34:10… 45 %"), in steps that only grow, and
/// stops saying so when the jump is done.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_vbr_jump_says_how_far_it_has_read() {
    if !ffmpeg_ready() {
        return;
    }
    let fixture = fixture(Encoding::Vbr);
    let bytes = fixture.bytes().expect("bytes");
    let server = TestServer::start().await.expect("server");
    // About three seconds for the prefix of a 70 s jump.
    let rate = bytes.len() as u64 / 3;
    server.route(
        "/t.mp3",
        Route::file("audio/mpeg", bytes).with_throttle(rate),
    );
    let url = server.url("/t.mp3");
    tokio::task::spawn_blocking(move || {
        let rt = net_runtime();
        let stream = RangeStream::open(rt.handle(), http(), &url).expect("open");
        let mut decoding =
            Decoding::open(MediaInput::Stream(stream.clone()), Some("audio/mpeg")).expect("open");
        let progress = decoding.scan_progress();
        assert_eq!(progress.fraction(), None, "nothing is read before a jump");
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let watcher = {
            let progress = std::sync::Arc::clone(&progress);
            let done = std::sync::Arc::clone(&done);
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    if let Some(f) = progress.fraction() {
                        if seen.last() != Some(&f) {
                            seen.push(f);
                        }
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                seen
            })
        };
        let target = (3.5 * CHAPTER_S * f64::from(decoding.sample_rate)) as u64;
        decoding.seek(target).expect("seek");
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        let seen = watcher.join().expect("watcher");
        assert_eq!(progress.fraction(), None, "the jump is done");
        assert!(seen.len() >= 3, "steps seen: {seen:?}");
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "steps: {seen:?}");
        assert!(
            seen.iter().all(|f| (0.0..=1.0).contains(f)),
            "steps: {seen:?}"
        );
        assert!(seen.last().is_some_and(|f| *f >= 0.5), "steps: {seen:?}");
        stream.close();
    })
    .await
    .expect("join");
}

/// One connection slower than the link, and a round trip per request: a long VBR jump fetches
/// the frames before its target in parts at once (each byte once), and still lands on the
/// sample; a part cut off midway is asked again from where it stopped.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_vbr_jump_fetches_its_prefix_in_parts_at_once() {
    use chaptercast_e2e::server::Fault;
    if !ffmpeg_ready() {
        return;
    }
    let fixture = fixture(Encoding::Vbr);
    let bytes = fixture.bytes().expect("bytes");
    let file_len = bytes.len() as u64;
    let server = TestServer::start().await.expect("server");
    // One connection would take four seconds over the whole file; the link is twice as fast.
    let link = Route::file("audio/mpeg", bytes)
        .with_throttle(file_len / 4)
        .with_link(file_len / 2)
        .with_round_trip(std::time::Duration::from_millis(40));
    let route = move || link.clone();
    server.route("/t.mp3", route());
    server.route("/cut.mp3", route());
    server.route("/whole.mp3", route());
    let server = std::sync::Arc::new(server);
    let for_test = std::sync::Arc::clone(&server);
    tokio::task::spawn_blocking(move || {
        let server = for_test;
        let rt = net_runtime();
        let (change, lead) = (3.0 * CHAPTER_S, 1.0);
        for (path, faults) in [
            ("/t.mp3", vec![]),
            ("/cut.mp3", vec![Fault::ResetAfter(64 << 10)]),
            // Every part answered with the whole file: refused at once, read the ordinary way.
            ("/whole.mp3", vec![Fault::IgnoreRange; 4]),
        ] {
            let stream = RangeStream::open(rt.handle(), http(), &server.url(path)).expect("open");
            let mut decoding =
                Decoding::open(MediaInput::Stream(stream.clone()), Some("audio/mpeg"))
                    .expect("open");
            // The next request (one of the parts) is cut off.
            server.route(path, route().with_faults(faults.clone()));
            let heard = seconds_until_tone(&mut decoding, change - lead, FREQS[3], FREQS[2]);
            assert!(
                (heard - lead).abs() <= 0.03,
                "{path}: jumping to {:.1} s, the change came after {heard:.3} s",
                change - lead
            );
            stream.close();
            let seen: Vec<_> = server
                .requests()
                .into_iter()
                .filter(|r| r.path == path)
                .collect();
            let sent: u64 = seen.iter().map(|r| r.sent_bytes).sum();
            for r in &seen {
                eprintln!(
                    "  {:?} {} B sent, {:?}",
                    r.headers.get("range"),
                    r.sent_bytes,
                    r.ended_at.map(|e| e.duration_since(r.received_at))
                );
            }
            eprintln!(
                "{path}: {} requests, at most {} at once, {sent} of {file_len} bytes sent",
                seen.len(),
                server.most_at_once(path)
            );
            if path == "/whole.mp3" {
                // Whole answers are cut off by the client, after however much was on its way.
                continue;
            }
            assert!(
                server.most_at_once(path) >= 3,
                "{path}: the prefix came by one request at a time ({} requests)",
                seen.len()
            );
            assert!(
                sent <= file_len,
                "{path}: {sent} bytes sent for a {file_len}-byte file: some twice"
            );
            if path == "/cut.mp3" {
                // The part cut off was asked again from the byte it stopped at.
                let cut = seen
                    .iter()
                    .find(|r| r.sent_bytes == 64 << 10 && r.body_bytes > 64 << 10)
                    .expect("a part was cut off after 64 KB");
                let resumed = range_start(cut).map(|s| s + (64 << 10));
                assert!(
                    seen.iter().any(|r| range_start(r) == resumed),
                    "{path}: nothing asked again from {resumed:?}"
                );
            }
        }
    })
    .await
    .expect("join");
}

/// A chapter whose ID3 `CHAP` frame gives its byte offset is reached without reading the frames
/// before it: besides the head, the jump asks only for bytes from just before that chapter's
/// first frame, and lands on the sample, at the chapter and a second before the next. Offsets
/// that are not frame starts are not used: the jump reads its prefix, and is as exact.
#[tokio::test(flavor = "multi_thread")]
async fn a_chapter_whose_id3_frame_gives_its_byte_offset_is_reached_without_its_prefix() {
    use chaptercast_e2e::audio::with_chapter_offsets;
    if !ffmpeg_ready() {
        return;
    }
    // At a low bitrate, where a frame's audio data may begin several frames before it.
    let fixture = fixture(Encoding::VbrLow);
    let plain = fixture.bytes().expect("bytes");
    let (anchored, offsets) = with_chapter_offsets(&plain, 0).expect("offsets");
    let (bent, _) = with_chapter_offsets(&plain, 1).expect("offsets");
    assert_eq!(offsets.len(), FREQS.len(), "a CHAP frame per tone");
    let server = TestServer::start().await.expect("server");
    server.route(
        "/at-chapter.mp3",
        Route::file("audio/mpeg", anchored.clone()),
    );
    server.route("/before-next.mp3", Route::file("audio/mpeg", anchored));
    server.route("/bent.mp3", Route::file("audio/mpeg", bent));
    // (path, jump to, the chapter whose offset serves, when the change of tone comes)
    let chapter = 3.0 * CHAPTER_S;
    let jumps = [
        ("/at-chapter.mp3", chapter, Some(3), 0.0),
        ("/before-next.mp3", chapter - 1.0, Some(2), 1.0),
        ("/bent.mp3", chapter - 1.0, None, 1.0),
    ];
    let server = std::sync::Arc::new(server);
    let for_test = std::sync::Arc::clone(&server);
    tokio::task::spawn_blocking(move || {
        let server = for_test;
        let rt = net_runtime();
        for (path, at_s, served_by, change_after) in jumps {
            let stream = RangeStream::open(rt.handle(), http(), &server.url(path)).expect("open");
            let mut decoding =
                Decoding::open(MediaInput::Stream(stream.clone()), Some("audio/mpeg"))
                    .expect("open");
            let heard = seconds_until_tone(&mut decoding, at_s, FREQS[3], FREQS[2]);
            stream.close();
            assert!(
                (heard - change_after).abs() <= 0.03,
                "{path}: jumping to {at_s:.1} s, the change came after {heard:.3} s, not {change_after} s"
            );
            let starts: Vec<u64> = server
                .requests()
                .into_iter()
                .filter(|r| r.path == path)
                .filter_map(|r| range_start(&r))
                .collect();
            eprintln!("{path}: requests from {starts:?}; chapters at {offsets:?}");
            if let Some(chapter) = served_by {
                let lead_in = offsets[chapter] - (16 << 10);
                assert!(
                    starts.iter().all(|&s| s == 0 || s >= lead_in),
                    "{path}: bytes before chapter {chapter}'s lead-in ({lead_in}) were asked for: {starts:?}"
                );
            }
        }
        // The chapter's first moments sound as loud as the rest of it: the frames decoded before
        // its first one brought the audio data its first frames keep in the bit reservoir.
        let stream =
            RangeStream::open(rt.handle(), http(), &server.url("/at-chapter.mp3")).expect("open");
        let mut decoding =
            Decoding::open(MediaInput::Stream(stream.clone()), Some("audio/mpeg")).expect("open");
        let rate = decoding.sample_rate as usize;
        let left = left_channel_from(&mut decoding, (chapter * rate as f64) as u64, 1.0);
        stream.close();
        let (first, later) = (rms(&left[..rate / 50]), rms(&left[rate / 2..rate / 2 + rate / 50]));
        assert!(
            first >= 0.7 * later,
            "the chapter's first 20 ms are at {first:.3} RMS, the rest at {later:.3}"
        );
    })
    .await
    .expect("join");
}

/// The frame index a long VBR jump built, kept in the library and loaded again (as the session
/// does between sessions), makes the next session's jump exact without reading the prefix:
/// the second jump costs the bytes at its target, not the file up to it.
#[tokio::test(flavor = "multi_thread")]
async fn a_kept_frame_index_makes_the_next_sessions_jump_exact_without_the_prefix() {
    if !ffmpeg_ready() {
        return;
    }
    let fixture = fixture(Encoding::Vbr);
    let bytes = fixture.bytes().expect("bytes");
    let file_len = bytes.len() as u64;
    let server = TestServer::start().await.expect("server");
    server.route("/t.mp3", Route::file("audio/mpeg", bytes));
    let url = server.url("/t.mp3");
    let dir = tempfile::tempdir().expect("dir");
    let library_path = dir.path().join("library.db");
    tokio::task::spawn_blocking(move || {
        let rt = net_runtime();
        // The episode, in a library on disk.
        let feed = format!(
            "<rss version=\"2.0\"><channel><title>Tones</title><item><title>Tones</title>\
             <guid>tones</guid><enclosure url=\"{url}\" type=\"audio/mpeg\" length=\"1\"/>\
             </item></channel></rss>"
        );
        let episode = {
            let mut library = Library::open(&library_path).expect("library");
            let (show, _) = library
                .subscribe("https://example.com/tones.xml")
                .expect("show");
            let parsed = chaptercast_engine::feed::parse(feed.as_bytes(), None).expect("feed");
            library
                .apply_feed(show, &parsed, &Default::default())
                .expect("store");
            library.episodes(show).expect("episodes")[0].id
        };
        let (change, lead) = (3.0 * CHAPTER_S, 1.0);

        // First session: the jump reads the frames before its target.
        let first = RangeStream::open(rt.handle(), http(), &url).expect("open");
        let mut decoding =
            Decoding::open(MediaInput::Stream(first.clone()), Some("audio/mpeg")).expect("open");
        // What the jump fetched, past what opening read (the file's head).
        let opened = first.stats().bytes_fetched;
        let heard = seconds_until_tone(&mut decoding, change - lead, FREQS[3], FREQS[2]);
        assert!((heard - lead).abs() <= 0.03, "first jump: {heard:.3} s");
        let first_fetched = first.stats().bytes_fetched - opened;
        let kept = decoding
            .frame_index()
            .and_then(|i| i.saved())
            .expect("an MP3 stream has a frame index");
        first.close();
        {
            let mut library = Library::open(&library_path).expect("library");
            library
                .save_frame_index(episode, &url, &kept)
                .expect("keep");
        }

        // Relaunch: the session's load request carries the index back.
        let library = Library::open(&library_path).expect("library");
        let request =
            chaptercast_engine::session::load_request(&library, episode, None).expect("request");
        let loaded = request
            .frame_index
            .expect("the load request carries the kept index");
        assert_eq!(loaded, kept);
        assert!(
            loaded.bytes.len() < 4096,
            "an 80 s index is small: {} bytes",
            loaded.bytes.len()
        );
        let second = RangeStream::open(rt.handle(), http(), &url).expect("open");
        let mut decoding = Decoding::open_with_index(
            MediaInput::Stream(second.clone()),
            Some("audio/mpeg"),
            Some(&loaded),
        )
        .expect("open");
        let opened = second.stats().bytes_fetched;
        let heard = seconds_until_tone(&mut decoding, change - lead, FREQS[3], FREQS[2]);
        assert!(
            (heard - lead).abs() <= 0.03,
            "after the index was kept and loaded, the jump to {:.1} s heard the change after \
             {heard:.3} s instead of {lead:.1} s",
            change - lead
        );
        let second_fetched = second.stats().bytes_fetched - opened;
        eprintln!(
            "file {file_len} B; first jump fetched {first_fetched} B, the next session's \
             {second_fetched} B"
        );
        assert!(
            first_fetched > file_len / 3,
            "the first jump reads the prefix: {first_fetched} of {file_len} B"
        );
        // The first reads the prefix (in parts at once, each byte once: no read-ahead past
        // its target any more, so it reads less than before, when this was a third); the
        // second only the request at its target, still running when this is read.
        assert!(
            second_fetched * 2 < first_fetched,
            "the next session's jump read {second_fetched} B, the first {first_fetched} B"
        );
        second.close();

        // An index kept for another file (another length) is not used: the jump is still
        // exact, by reading the prefix.
        let other = chaptercast_engine::player::frame_index::SavedFrameIndex {
            byte_len: file_len + 1,
            bytes: loaded.bytes.clone(),
        };
        let third = RangeStream::open(rt.handle(), http(), &url).expect("open");
        let mut decoding = Decoding::open_with_index(
            MediaInput::Stream(third.clone()),
            Some("audio/mpeg"),
            Some(&other),
        )
        .expect("open");
        let heard = seconds_until_tone(&mut decoding, change - lead, FREQS[3], FREQS[2]);
        assert!((heard - lead).abs() <= 0.03, "foreign index: {heard:.3} s");
        assert!(third.stats().bytes_fetched > file_len / 2);
        third.close();
    })
    .await
    .expect("join");
}

/// Once the listener has jumped, the frame index goes on growing in the background while the
/// episode plays, to the end of the file, and is told for keeping. It rests while paused, and
/// it fetches each byte at most once (its own 64 KB requests never overlap), and nothing that
/// playback's stream held when it needed it.
#[tokio::test(flavor = "multi_thread")]
async fn after_a_jump_the_index_grows_to_the_end_while_playing_and_rests_while_paused() {
    use chaptercast_engine::player::{Command, PlayerEvent};
    use std::time::{Duration, Instant};
    if !ffmpeg_ready() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    // 300 s, about 3 MB: more than playback's read-ahead (1 MB) past a jump to 100 s, a jump
    // long enough (over a minute read) to ask for the rest of the index.
    let fixture = tone_mp3(dir.path(), "long", &FREQS, 75.0, Encoding::Vbr).expect("fixture");
    let bytes = fixture.bytes().expect("bytes");
    let file_len = bytes.len() as u64;
    let all_frames = {
        let decoding = Decoding::open(
            MediaInput::File(std::fs::File::open(&fixture.path).expect("file")),
            Some("audio/mpeg"),
        )
        .expect("open");
        decoding.duration_frames.expect("length") / 1152
    };
    let server = TestServer::start().await.expect("server");
    server.route("/long.mp3", Route::file("audio/mpeg", bytes));
    let url = server.url("/long.mp3");
    let server = std::sync::Arc::new(server);
    let served = {
        let server = std::sync::Arc::clone(&server);
        move || -> u64 {
            server
                .requests()
                .iter()
                .filter(|r| r.path == "/long.mp3")
                .map(|r| r.sent_bytes)
                .sum()
        }
    };
    // The index's own requests: 64 KB ranges (playback asks for 128 and 512 KB).
    let index_ranges = move || -> Vec<(u64, u64)> {
        server
            .requests()
            .iter()
            .filter(|r| r.path == "/long.mp3")
            .filter_map(|r| {
                let range = r.headers.get("range")?.strip_prefix("bytes=")?.to_string();
                let (a, b) = range.split_once('-')?;
                let (a, b) = (a.parse::<u64>().ok()?, b.parse::<u64>().ok()?);
                (b + 1 - a == 64 << 10).then_some((a, b.min(file_len - 1)))
            })
            .collect()
    };
    tokio::task::spawn_blocking(move || {
        let (player, rx) = spawn_player();
        player.send(load("long", url.clone(), 0));
        player.send(Command::Play);
        let playing = status_until(&rx, Duration::from_secs(15), |s| {
            s.state == chaptercast_engine::player::PlaybackState::Playing
        })
        .expect("a status");
        assert!(playing.error.is_none(), "{:?}", playing.error);
        // The jump (a load's own start is no jump).
        player.send(Command::SeekTo(100_000));
        let playing = status_until(&rx, Duration::from_secs(15), |s| {
            s.state == chaptercast_engine::player::PlaybackState::Playing
                && s.position_ms >= 100_000
        })
        .expect("a status");
        assert!(playing.error.is_none(), "{:?}", playing.error);
        std::thread::sleep(Duration::from_millis(300));

        // Paused, the index rests: once playback's read-ahead has settled, nothing is fetched.
        player.send(Command::Pause);
        std::thread::sleep(Duration::from_millis(1500));
        let settled = served();
        std::thread::sleep(Duration::from_millis(2500));
        assert_eq!(served(), settled, "bytes fetched while paused");

        // Playing on, it reaches the end of the file and is told.
        player.send(Command::Play);
        let deadline = Instant::now() + Duration::from_secs(40);
        let mut told = 0;
        let mut status_bytes = 0;
        while told < all_frames * 99 / 100 {
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("the index reached {told} of {all_frames} frames"));
            match rx.recv_timeout(left) {
                Ok(PlayerEvent::FrameIndex {
                    key,
                    url: told_url,
                    index,
                }) => {
                    assert_eq!(key, "long");
                    assert_eq!(told_url, url);
                    assert_eq!(index.byte_len, file_len);
                    told = index.frames().expect("a saved index");
                }
                Ok(PlayerEvent::Status(s)) => {
                    assert!(s.error.is_none(), "{:?}", s.error);
                    status_bytes = s.bytes_fetched;
                }
                Ok(_) => {}
                Err(_) => panic!("the index reached {told} of {all_frames} frames"),
            }
        }
        let fetched = served();
        let mut own = index_ranges();
        own.sort_unstable();
        let own_bytes: u64 = own.iter().map(|(a, b)| b + 1 - a).sum();
        eprintln!(
            "file {file_len} B; {fetched} B served, {own_bytes} B of them in {} requests of the \
             index's own; index {told} of {all_frames} frames",
            own.len()
        );
        assert!(!own.is_empty(), "the index read past playback's cache");
        assert!(
            own.windows(2).all(|w| w[0].1 < w[1].0),
            "the index fetched bytes twice: {own:?}"
        );
        assert!(
            own_bytes <= file_len,
            "{own_bytes} B for a {file_len} B file"
        );
        // Playback's stream fetches again what the index read ahead of it, as it reaches it;
        // the file still comes over less than twice.
        assert!(
            fetched < 2 * file_len,
            "{fetched} B served for a {file_len} B file"
        );
        // The status counts the index's requests too (within a request in flight).
        assert!(
            status_bytes + (512 << 10) >= fetched,
            "the status said {status_bytes} B fetched; {fetched} B were served"
        );
        player.shutdown(Duration::from_secs(2));
    })
    .await
    .expect("join");
}
