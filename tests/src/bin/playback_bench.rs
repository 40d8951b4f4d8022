//! Playback benchmark: Chaptercast next to ffplay and mpv, on the same local URL and the same
//! PulseAudio null sink, in one run. Run it with `make bench-playback` (release build, inside
//! scripts/test-env.sh). Sound is timed from the capture itself: parec reads are stamped with a
//! monotonic clock as they arrive.
//!
//! Prints a Markdown table for BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chaptercast_e2e::audio::{Capture, Recording};
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::chapters::{Chapter, ChapterSource};
use chaptercast_engine::net::HttpClient;
use chaptercast_engine::player::{
    self, Command as PlayerCommand, LoadRequest, MediaLocation, PlayerEvent,
};
use chaptercast_engine::Config;

/// Minute `m` of the benchmark episode is a tone of `tone_of_minute(m)` Hz.
fn tone_of_minute(m: u64) -> f64 {
    [300.0, 450.0, 600.0, 750.0, 900.0, 1050.0][(m % 6) as usize]
}

const CANDIDATES: [f64; 6] = [300.0, 450.0, 600.0, 750.0, 900.0, 1050.0];
const MINUTES: u64 = 60;
const VBR_MINUTES: u64 = 30;
const THROTTLE: u64 = 2_000_000;
/// The link the VBR runs share among all their connections: four times one connection.
const LINK: u64 = 8_000_000;

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    if std::env::var_os("PULSE_SERVER").is_none() {
        bail!("run inside scripts/test-env.sh (needs the PulseAudio null sink)");
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-audio");
    std::fs::create_dir_all(&dir)?;
    let episode = make_episode(&dir)?;
    let bytes = std::fs::read(&episode)?;
    let size = bytes.len() as u64;
    let server = TestServer::start().await?;
    server.route("/ep.mp3", Route::file("audio/mpeg", bytes.clone()));
    server.route(
        "/slow.mp3",
        Route::file("audio/mpeg", bytes.clone()).with_throttle(THROTTLE),
    );
    let fast = server.url("/ep.mp3");
    let slow = server.url("/slow.mp3");
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/chaptercast");
    if !app.exists() {
        bail!("build the release binary first: cargo build --release -p chaptercast");
    }

    println!(
        "Episode: {MINUTES} min, CBR 128 kbit/s, {size} bytes; throttled route {} MB/s.\n",
        THROTTLE / 1_000_000
    );
    println!("| measure | Chaptercast | ffplay | mpv |");
    println!("|---|---|---|---|");

    let players = |url: &str, at_s: u64| -> Vec<(&'static str, Vec<String>, PathBuf)> {
        vec![
            (
                "chaptercast",
                vec![
                    "play".into(),
                    url.into(),
                    "--at".into(),
                    at_s.to_string(),
                    "--for".into(),
                    "4".into(),
                ],
                app.clone(),
            ),
            (
                "ffplay",
                vec![
                    "-nodisp".into(),
                    "-autoexit".into(),
                    "-loglevel".into(),
                    "quiet".into(),
                    "-ss".into(),
                    at_s.to_string(),
                    url.into(),
                ],
                PathBuf::from("ffplay"),
            ),
            (
                "mpv",
                vec![
                    "--no-video".into(),
                    "--really-quiet".into(),
                    format!("--start={at_s}"),
                    url.into(),
                ],
                PathBuf::from("mpv"),
            ),
        ]
    };

    // A fresh PulseAudio answers its first client ~1 s late: warm it up so no player pays it.
    let _ = time_to_tone(&app, &players(&fast, 0)[0].1, tone_of_minute(0)).await;
    if std::env::var("PLAYBACK_BENCH_ONLY").is_ok_and(|v| v == "vbr") {
        // The VBR section alone (PLAYBACK_BENCH_ONLY=vbr), to measure a change to jumps.
        return vbr_jumps(&server, &dir, &players).await;
    }

    for (label, url, at_s) in [
        ("first audio (start at 0:00)", &fast, 0u64),
        ("jump to 30:00 (start there)", &fast, 1800),
        ("jump to 30:00, server at 2 MB/s", &slow, 1800),
    ] {
        let mut latency = Vec::new();
        let mut fetched = Vec::new();
        for (name, args, program) in players(url, at_s) {
            // Three runs each, median reported.
            let mut times = Vec::new();
            let mut bytes = Vec::new();
            let mut failure = None;
            for _ in 0..3 {
                let before = sent(&server);
                match time_to_tone(&program, &args, tone_of_minute(at_s / 60)).await {
                    Ok(ms) => times.push(ms),
                    Err(e) => failure = Some(e.to_string()),
                }
                bytes.push(sent(&server) - before);
            }
            times.sort_by(f64::total_cmp);
            bytes.sort_unstable();
            latency.push(match (times.get(times.len() / 2), failure) {
                (Some(ms), None) => format!("{ms:.0} ms"),
                (Some(ms), Some(_)) => format!("{ms:.0} ms (some runs > 10 s)"),
                (None, _) => "> 10 s (not heard in 10 s)".to_string(),
            });
            fetched.push(format!("{:.1} %", bytes[1] as f64 * 100.0 / size as f64));
            eprintln!("{label}: {name} done");
        }
        println!(
            "| {label}: time to the right sound (median of 3) | {} |",
            latency.join(" | ")
        );
        if at_s > 0 {
            println!(
                "| {label}: bytes fetched (jump + ~3 s of play) | {} |",
                fetched.join(" | ")
            );
        }
    }

    // In-process jumps while playing: a chapter start (prefetched) and a point mid-chapter.
    for (label, url) in [("unthrottled", &fast), ("server at 2 MB/s", &slow)] {
        let (chapter_ms, mid_ms, jump_bytes) = in_process_jumps(url).await?;
        println!(
            "| chapter jump while playing, {label}: prefetched chapter start / mid-chapter point | {chapter_ms:.0} ms / {mid_ms:.0} ms ({:.1} % of the file fetched for the jump + 3 s) | – | – |",
            jump_bytes as f64 * 100.0 / size as f64
        );
    }

    vbr_jumps(&server, &dir, &players).await?;

    let cpu = cpu_while_playing(&app, &fast).await?;
    println!("| CPU while playing (10 s, % of one core) | {cpu:.1} % | – | – |");
    let (rss_min, rss_max) = memory_while_streaming(&server, &episode).await?;
    println!(
        "| memory while streaming a 200 MB episode at 3× with 10 jumps (bench process RSS, min–max over 15 s; includes the server's copy of the file) | {:.1}–{:.1} MB | – | – |",
        rss_min as f64 / 1e6,
        rss_max as f64 / 1e6,
    );
    Ok(())
}

fn sent(server: &TestServer) -> u64 {
    server.requests().iter().map(|r| r.sent_bytes).sum()
}

/// Makes (once) the hour-long episode with one chapter a minute, each minute its own tone.
fn make_episode(dir: &Path) -> anyhow::Result<PathBuf> {
    make_tone_episode(dir, "hour", MINUTES, &["-b:a", "128k"])
}

/// The same minute tones, 30 minutes, LAME VBR at its smallest quality (about 40 kbit/s for
/// tones): a jump into it must read the frames before its target, as most VBR podcasts do.
fn make_vbr_episode(dir: &Path) -> anyhow::Result<PathBuf> {
    make_tone_episode(dir, "vbr-half-hour", VBR_MINUTES, &["-q:a", "9"])
}

fn make_tone_episode(
    dir: &Path,
    name: &str,
    minutes: u64,
    rate_args: &[&str],
) -> anyhow::Result<PathBuf> {
    let path = dir.join(format!("{name}.mp3"));
    if path.exists() {
        return Ok(path);
    }
    let mut meta = String::from(";FFMETADATA1\ntitle=Benchmark hour\n");
    for m in 0..minutes {
        meta.push_str(&format!(
            "[CHAPTER]\nTIMEBASE=1/1000\nSTART={}\nEND={}\ntitle=Minute {m}\n",
            m * 60_000,
            (m + 1) * 60_000
        ));
    }
    let meta_path = dir.join(format!("{name}.ffmeta"));
    std::fs::write(&meta_path, meta)?;
    // A phase-continuous tone whose frequency steps every minute (aevalsrc integrates nothing,
    // so build the phase from whole minutes).
    let expr = "0.5*sin(2*PI*(300+150*mod(floor(t/60)\\,6))*t)";
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
        .arg(format!("aevalsrc={expr}:s=44100:d={}", minutes * 60))
        .arg("-i")
        .arg(&meta_path)
        .args([
            "-map_metadata",
            "1",
            "-map_chapters",
            "1",
            "-ac",
            "2",
            "-c:a",
            "libmp3lame",
        ])
        .args(rate_args)
        .args(["-id3v2_version", "3"])
        .arg(&path)
        .status()
        .context("ffmpeg")?;
    if !status.success() {
        bail!("ffmpeg failed");
    }
    Ok(path)
}

struct Killer(Child);
impl Drop for Killer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Launches a player and returns the milliseconds until `tone` is heard.
async fn time_to_tone(program: &Path, args: &[String], tone: f64) -> anyhow::Result<f64> {
    let program = program.to_path_buf();
    let args = args.to_vec();
    tokio::task::spawn_blocking(move || {
        let capture = Capture::start()?;
        let launched = Instant::now();
        let child = Command::new(&program)
            .args(&args)
            .env("CHAPTERCAST_LOG", "off")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let _child = Killer(child);
        // Up to 10 s for the sound, then ~3 s of play.
        let deadline = launched + Duration::from_secs(10);
        let mut heard = None;
        while heard.is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
            heard = first_tone_after(&capture.snapshot(), launched, tone);
        }
        let Some(at) = heard else {
            bail!("{tone} Hz never heard");
        };
        std::thread::sleep(Duration::from_secs(3));
        Ok(at.duration_since(launched).as_secs_f64() * 1000.0)
    })
    .await?
}

fn first_tone_after(recording: &Recording, after: Instant, tone: f64) -> Option<Instant> {
    recording
        .windows(10, &CANDIDATES)
        .into_iter()
        .find(|w| w.time >= after && w.tone == Some(tone))
        .map(|w| w.time)
}

/// Plays in this process through the engine, then jumps: to a chapter start (prefetched while
/// playing) and to a point in the middle of a chapter. Returns both latencies and the bytes
/// fetched from the second jump until 3 s later.
async fn in_process_jumps(url: &str) -> anyhow::Result<(f64, f64, u64)> {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let (handle, rx) = spawn_player()?;
        let chapters: Vec<Chapter> = (0..MINUTES)
            .map(|m| Chapter::new(m * 60_000, format!("Minute {m}"), ChapterSource::Id3))
            .collect();
        handle.send(PlayerCommand::Load(Box::new(LoadRequest {
            key: "bench".into(),
            location: MediaLocation::Url(url),
            mime: None,
            start_ms: 0,
            chapters,
            autoplay: true,
            skips: Default::default(),
            sound: Default::default(),
            frame_index: None,
        })));
        // Play a while: after 5 s the chapter starts are prefetched.
        std::thread::sleep(Duration::from_secs(8));
        let capture = Capture::start()?;
        let asked = Instant::now();
        // Minute 33's tone differs from minute 0's, which is playing.
        handle.send(PlayerCommand::SeekTo(33 * 60_000));
        std::thread::sleep(Duration::from_secs(2));
        let rec = capture.stop();
        let chapter = first_tone_after(&rec, asked, tone_of_minute(33)).context("chapter tone")?;
        let bytes_before = last_bytes(&rx);
        let capture = Capture::start()?;
        let asked_mid = Instant::now();
        handle.send(PlayerCommand::SeekTo(47 * 60_000 + 25_000));
        std::thread::sleep(Duration::from_secs(3));
        let rec = capture.stop();
        let mid = first_tone_after(&rec, asked_mid, tone_of_minute(47)).context("mid tone")?;
        let bytes_after = last_bytes(&rx);
        handle.shutdown(Duration::from_secs(2));
        Ok((
            chapter.duration_since(asked).as_secs_f64() * 1000.0,
            mid.duration_since(asked_mid).as_secs_f64() * 1000.0,
            bytes_after.saturating_sub(bytes_before),
        ))
    })
    .await?
}

/// A player in this process, its events on a channel.
fn spawn_player() -> anyhow::Result<(player::PlayerHandle, std::sync::mpsc::Receiver<PlayerEvent>)>
{
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = player::spawn(
        HttpClient::new(&Config::new(std::env::temp_dir()))?,
        player::RetryPolicy::default(),
        Box::new(move |e| {
            let _ = tx.send(e);
        }),
    )?;
    Ok((handle, rx))
}

fn last_bytes(rx: &std::sync::mpsc::Receiver<PlayerEvent>) -> u64 {
    let mut last = 0;
    while let Ok(event) = rx.try_recv() {
        if let PlayerEvent::Status(s) = event {
            last = s.bytes_fetched;
        }
    }
    last
}

/// CPU time of the command line player over 10 s of playing, as % of one core.
async fn cpu_while_playing(app: &Path, url: &str) -> anyhow::Result<f64> {
    let mut child = Killer(
        Command::new(app)
            .args(["play", url, "--at", "600", "--for", "14"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = child.0.id();
    let t0 = (Instant::now(), cpu_ticks(pid)?);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let t1 = (Instant::now(), cpu_ticks(pid)?);
    let _ = child.0.kill();
    let ticks_per_s = 100.0; // USER_HZ on Linux
    let cpu_s = (t1.1 - t0.1) as f64 / ticks_per_s;
    Ok(cpu_s * 100.0 / t1.0.duration_since(t0.0).as_secs_f64())
}

fn cpu_ticks(pid: u32) -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit(')').next().context("stat")?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat; after "pid (comm)" they are 12 and 13.
    let utime: u64 = fields.get(11).context("utime")?.parse()?;
    let stime: u64 = fields.get(12).context("stime")?.parse()?;
    Ok(utime + stime)
}

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

/// Streams a 200 MB episode (the hour, concatenated) through the engine at 3× with jumps,
/// sampling this process's RSS (the server's copy of the body is allocated before sampling).
async fn memory_while_streaming(server: &TestServer, episode: &Path) -> anyhow::Result<(u64, u64)> {
    let one = std::fs::read(episode)?;
    let mut body = Vec::with_capacity(210 << 20);
    while body.len() < 200 << 20 {
        body.extend_from_slice(&one);
    }
    let total_ms = (body.len() as u64 * 8) / 128;
    server.route("/big.mp3", Route::file("audio/mpeg", body));
    let url = server.url("/big.mp3");
    tokio::task::spawn_blocking(move || {
        let (handle, rx) = spawn_player()?;
        handle.send(PlayerCommand::SetSpeed(3.0));
        handle.send(PlayerCommand::Load(Box::new(LoadRequest {
            key: "big".into(),
            location: MediaLocation::Url(url),
            mime: None,
            start_ms: 0,
            chapters: Vec::new(),
            autoplay: true,
            skips: Default::default(),
            sound: Default::default(),
            frame_index: None,
        })));
        std::thread::sleep(Duration::from_secs(2));
        let (mut min, mut max) = (u64::MAX, 0);
        for step in 1..=10u64 {
            handle.send(PlayerCommand::SeekTo(total_ms * step / 11));
            for _ in 0..15 {
                std::thread::sleep(Duration::from_millis(100));
                let rss = rss_bytes();
                min = min.min(rss);
                max = max.max(rss);
            }
        }
        let _ = last_bytes(&rx);
        handle.shutdown(Duration::from_secs(2));
        Ok((min, max))
    })
    .await?
}

/// A player's name, arguments and program.
type Launch = (&'static str, Vec<String>, PathBuf);

/// A jump to 15:00 of a 30-minute VBR episode at 2 MB/s: the three players launched there,
/// then Chaptercast in-process, a first time (the frames before 15:00 are read) and in a new
/// session with the frame index the first one told for keeping, as after a relaunch.
async fn vbr_jumps(
    server: &TestServer,
    dir: &Path,
    players: &dyn Fn(&str, u64) -> Vec<Launch>,
) -> anyhow::Result<()> {
    let episode = make_vbr_episode(dir)?;
    let bytes = std::fs::read(&episode)?;
    let size = bytes.len() as u64;
    let at_s = 15 * 60;
    println!(
        "\nVBR episode: {VBR_MINUTES} min, LAME -q:a 9, {size} bytes; launched at 15:00. Each \
         connection at most {} MB/s, the link (all connections together) {} MB/s; each answer \
         comes a round trip after its request, a new connection's one more (its handshake).\n",
        THROTTLE / 1_000_000,
        LINK / 1_000_000
    );
    println!("| launched at 15:00 of the VBR episode | Chaptercast | ffplay | mpv | Chaptercast ÷ ffplay |");
    println!("|---|---|---|---|---|");
    let mut engine_url = String::new();
    // The same file with each chapter's byte offset in its ID3 `CHAP` frame: a jump to 15:00
    // (a chapter) then reads from that chapter's frames, not all the frames before them.
    let (with_offsets, _) = chaptercast_e2e::audio::with_chapter_offsets(&bytes, 0)?;
    let files = [("", &bytes), (", CHAP byte offsets", &with_offsets)];
    for ((variant, file), rtt_ms) in files
        .iter()
        .flat_map(|f| [0u64, 40, 150].map(|rtt| (f, rtt)))
    {
        let path = format!(
            "/vbr{}-{rtt_ms}.mp3",
            if variant.is_empty() { "" } else { "-chap" }
        );
        let mut route = Route::file("audio/mpeg", (*file).clone())
            .with_throttle(THROTTLE)
            .with_link(LINK);
        if rtt_ms > 0 {
            route = route.with_round_trip(Duration::from_millis(rtt_ms));
        }
        server.route(&path, route);
        let url = server.url(&path);
        if rtt_ms == 0 && variant.is_empty() {
            engine_url = url.clone();
        }
        let launches = players(&url, at_s);
        // Rounds of one run each, alternating, so the machine's load falls on each alike.
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); launches.len()];
        let mut fetched: Vec<Vec<u64>> = vec![Vec::new(); launches.len()];
        for _ in 0..3 {
            for (i, (_, args, program)) in launches.iter().enumerate() {
                let before = sent(server);
                if let Ok(ms) = time_to_tone(program, args, tone_of_minute(15)).await {
                    times[i].push(ms);
                }
                fetched[i].push(sent(server) - before);
            }
        }
        let medians: Vec<Option<f64>> = times
            .iter_mut()
            .map(|t| {
                t.sort_by(f64::total_cmp);
                (t.len() == 3).then(|| t[1])
            })
            .collect();
        let cells: Vec<String> = medians
            .iter()
            .map(|m| m.map_or("> 10 s (not heard)".into(), |ms| format!("{ms:.0} ms")))
            .collect();
        let ratio = match (medians[0], medians[1]) {
            (Some(ours), Some(theirs)) => format!("{:.2}", ours / theirs),
            _ => "–".into(),
        };
        println!(
            "| round trip {rtt_ms} ms{variant}: time to the right sound (median of 3) | {} | {ratio} |",
            cells.join(" | ")
        );
        let shares: Vec<String> = fetched
            .iter_mut()
            .map(|f| {
                f.sort_unstable();
                format!("{:.1} %", f[f.len() / 2] as f64 * 100.0 / size as f64)
            })
            .collect();
        println!(
            "| … bytes fetched (jump + ~3 s of play) | {} | – |",
            shares.join(" | ")
        );
        eprintln!("VBR launch at {rtt_ms} ms round trip{variant} done");
    }
    // In-process, the session's start alone (no process launch): at one connection's rate,
    // and unthrottled (the kept index's start is one request at the target).
    server.route("/vbr-open.mp3", Route::file("audio/mpeg", bytes.clone()));
    let open_url = server.url("/vbr-open.mp3");
    for (label, url) in [
        ("at 2 MB/s a connection", engine_url),
        ("unthrottled", open_url),
    ] {
        engine_rows(label, url, at_s, size).await?;
    }
    // The jump alone, without the sound's way out (ring, device buffer, capture windows), which
    // every start above pays alike.
    server.route("/vbr-decode.mp3", Route::file("audio/mpeg", bytes.clone()));
    let url = server.url("/vbr-decode.mp3");
    let (first_ms, first_requests, kept) = decode_start_at(server, &url, at_s, None).await?;
    let kept = kept.context("the first jump kept no frame index")?;
    let mut kept_runs = Vec::new();
    for _ in 0..3 {
        kept_runs.push(decode_start_at(server, &url, at_s, Some(kept.clone())).await?);
    }
    kept_runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (kept_ms, kept_requests, _) = &kept_runs[1];
    println!(
        "| in-process, unthrottled, the jump alone (open, jump to 15:00, first decoded samples; no device): first time / with the kept index (median of 3) | {first_ms:.1} ms, {first_requests} requests / {kept_ms:.1} ms, {kept_requests} requests | – | – | – |"
    );
    Ok(())
}

/// Opens `url` in the engine's decoder (no player, no device), jumps to `at_s` and decodes the
/// first samples: the time that takes, the requests it made, and the frame index it built.
async fn decode_start_at(
    server: &TestServer,
    url: &str,
    at_s: u64,
    saved: Option<player::frame_index::SavedFrameIndex>,
) -> anyhow::Result<(f64, usize, Option<player::frame_index::SavedFrameIndex>)> {
    use chaptercast_engine::player::decode::Decoding;
    use chaptercast_engine::player::input::MediaInput;
    use chaptercast_engine::player::stream::RangeStream;
    let before = server.requests().len();
    let url = url.to_string();
    let (ms, kept) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let net = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let http = HttpClient::new(&Config::new(std::env::temp_dir()))?;
        let asked = Instant::now();
        let stream = RangeStream::open(net.handle(), http, &url)?;
        let mut decoding = Decoding::open_with_index(
            MediaInput::Stream(stream.clone()),
            Some("audio/mpeg"),
            saved.as_ref(),
        )?;
        decoding.seek(at_s * u64::from(decoding.sample_rate))?;
        decoding
            .next_chunk()?
            .context("nothing decoded after the jump")?;
        let ms = asked.elapsed().as_secs_f64() * 1000.0;
        let kept = decoding.frame_index().and_then(|i| i.saved());
        stream.close();
        Ok((ms, kept))
    })
    .await??;
    Ok((ms, server.requests().len() - before, kept))
}

/// A first start at `at_s` in a new player, then the next session's with the index it kept.
async fn engine_rows(label: &str, url: String, at_s: u64, size: u64) -> anyhow::Result<()> {
    let url_for_engine = url;
    let (first_ms, first_bytes, kept) =
        engine_start_at(url_for_engine.clone(), at_s * 1000, None).await?;
    let kept = kept.context("the first session told no frame index")?;
    let (second_ms, second_bytes, _) =
        engine_start_at(url_for_engine, at_s * 1000, Some(kept.clone())).await?;
    println!(
        "| in-process, {label}, start at 15:00: first time / next session with the kept index ({} bytes) | {first_ms:.0} ms / {second_ms:.0} ms | – | – | – |",
        kept.bytes.len()
    );
    println!(
        "| … bytes fetched (start + ~3 s of play) | {:.1} % / {:.1} % | – | – | – |",
        first_bytes as f64 * 100.0 / size as f64,
        second_bytes as f64 * 100.0 / size as f64
    );
    Ok(())
}

/// Loads `url` at `start_ms` in a fresh player, with `frame_index` if given: the time from the
/// load to the right tone, the bytes fetched by ~3 s after it, and the frame index the player
/// told (waited for up to 10 s).
async fn engine_start_at(
    url: String,
    start_ms: u64,
    frame_index: Option<player::frame_index::SavedFrameIndex>,
) -> anyhow::Result<(f64, u64, Option<player::frame_index::SavedFrameIndex>)> {
    tokio::task::spawn_blocking(move || {
        let (handle, rx) = spawn_player()?;
        handle.send(PlayerCommand::PrepareOutput);
        std::thread::sleep(Duration::from_millis(500));
        let capture = Capture::start()?;
        let asked = Instant::now();
        handle.send(PlayerCommand::Load(Box::new(LoadRequest {
            key: "vbr".into(),
            location: MediaLocation::Url(url),
            mime: None,
            start_ms,
            chapters: Vec::new(),
            autoplay: true,
            skips: Default::default(),
            sound: Default::default(),
            frame_index,
        })));
        let tone = tone_of_minute(start_ms / 60_000);
        let deadline = asked + Duration::from_secs(10);
        let mut heard = None;
        while heard.is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
            heard = first_tone_after(&capture.snapshot(), asked, tone);
        }
        let heard = heard.context("the tone was never heard")?;
        std::thread::sleep(Duration::from_secs(3));
        drop(capture.stop());
        // What came by now: the bytes of the start and ~3 s of play, maybe the index.
        let mut bytes = 0;
        let mut told = None;
        while let Ok(event) = rx.try_recv() {
            match event {
                PlayerEvent::Status(s) => bytes = s.bytes_fetched,
                PlayerEvent::FrameIndex { index, .. } => told = Some(index),
                _ => {}
            }
        }
        let until = Instant::now() + Duration::from_secs(10);
        while told.is_none() {
            let Some(left) = until.checked_duration_since(Instant::now()) else {
                break;
            };
            match rx.recv_timeout(left) {
                Ok(PlayerEvent::FrameIndex { index, .. }) => told = Some(index),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        handle.shutdown(Duration::from_secs(2));
        Ok((
            heard.duration_since(asked).as_secs_f64() * 1000.0,
            bytes,
            told,
        ))
    })
    .await?
}
