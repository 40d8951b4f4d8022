//! Listening-session benchmark: a network that comes and goes, and going on to the next
//! episode. Chaptercast next to ffplay and mpv (each with its own reconnect options on), same
//! local fault-injecting server, same PulseAudio null sink, one run. Run it with
//! `make bench-session` (release build, inside scripts/test-env.sh).
//!
//! Prints a Markdown table for BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chaptercast_e2e::audio::{tone_mp3, Capture, Encoding, Recording};
use chaptercast_e2e::server::{Route, TestServer};
use chaptercast_engine::testkit::{FeedBuilder, ItemBuilder};

const FIRST_HZ: f64 = 500.0;
const SECOND_HZ: f64 = 900.0;
const CANDIDATES: [f64; 2] = [FIRST_HZ, SECOND_HZ];
/// Runs per measure; the median is reported.
const RUNS: usize = 3;

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(run())
}

struct Killer(Child);
impl Drop for Killer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// How each player is asked to play `urls` in order, reconnecting where it can.
fn player_args(name: &str, app: &Path, urls: &[String]) -> Option<(PathBuf, Vec<String>)> {
    let reconnect =
        "reconnect=1,reconnect_streamed=1,reconnect_on_network_error=1,reconnect_delay_max=15";
    match name {
        "chaptercast" => Some((
            app.to_path_buf(),
            vec!["play".into(), urls.first()?.clone()],
        )),
        "ffplay" if urls.len() == 1 => Some((
            PathBuf::from("ffplay"),
            [
                "-nodisp",
                "-autoexit",
                "-loglevel",
                "quiet",
                "-reconnect",
                "1",
                "-reconnect_streamed",
                "1",
                "-reconnect_on_network_error",
                "1",
                "-reconnect_delay_max",
                "15",
            ]
            .iter()
            .map(|s| s.to_string())
            .chain(urls.iter().cloned())
            .collect(),
        )),
        "mpv" => Some((
            PathBuf::from("mpv"),
            ["--no-video", "--really-quiet", "--no-config"]
                .iter()
                .map(|s| s.to_string())
                .chain([format!("--stream-lavf-o={reconnect}")])
                .chain(urls.iter().cloned())
                .collect(),
        )),
        _ => None,
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(values[values.len() / 2])
}

fn cell(value: Option<f64>, unit: &str) -> String {
    match value {
        Some(v) if unit == "ms" => format!("{v:.0} ms"),
        Some(v) => format!("{v:.2} {unit}"),
        None => "not heard".into(),
    }
}

async fn run() -> anyhow::Result<()> {
    if std::env::var_os("PULSE_SERVER").is_none() {
        bail!("run inside scripts/test-env.sh (needs the PulseAudio null sink)");
    }
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/chaptercast");
    if !app.exists() {
        bail!("build the release binary first: cargo build --release -p chaptercast");
    }
    let dir = tempfile::tempdir()?;
    let long = tone_mp3(dir.path(), "long", &[FIRST_HZ], 30.0, Encoding::Cbr128)?;
    let first = tone_mp3(dir.path(), "first", &[FIRST_HZ], 3.0, Encoding::Cbr128)?;
    let second = tone_mp3(dir.path(), "second", &[SECOND_HZ], 3.0, Encoding::Cbr128)?;
    let players = ["chaptercast", "ffplay", "mpv"];

    println!("| measure | Chaptercast | ffplay | mpv |");
    println!("|---|---|---|---|");

    // Warm-up: a fresh PulseAudio answers its first client late.
    {
        let server = TestServer::start().await?;
        server.route("/a.mp3", Route::file("audio/mpeg", first.bytes()?));
        let _ = play_and_record(
            &app,
            "chaptercast",
            &[server.url("/a.mp3")],
            Duration::from_secs(4),
        )
        .await;
    }

    // 1. Sound when the server resets every connection for its first 3 s (from launch).
    let mut row = Vec::new();
    for name in players {
        let mut times = Vec::new();
        for _ in 0..RUNS {
            let server = TestServer::start().await?;
            server.route("/a.mp3", Route::file("audio/mpeg", long.bytes()?));
            server.down_for(Duration::from_secs(3));
            let (recording, launched) =
                play_and_record(&app, name, &[server.url("/a.mp3")], Duration::from_secs(12))
                    .await?;
            if let Some(at) = first_tone(&recording, launched, FIRST_HZ) {
                times.push(at.duration_since(launched).as_secs_f64() * 1000.0);
            }
        }
        row.push(cell(median(times), "ms"));
    }
    println!("| first sound, server resetting every connection for its first 3 s (from launch; median of {RUNS}) | {} |", row.join(" | "));

    // 2. A stream throttled to 1.5× its bitrate loses its server from 4 s to 9 s after
    // launch: how long after the server is back the sound comes back, and whether any of the
    // audio was skipped (seconds heard of the 30 s).
    let mut resumed = Vec::new();
    let mut heard = Vec::new();
    for name in players {
        let server = TestServer::start().await?;
        server.route(
            "/a.mp3",
            Route::file("audio/mpeg", long.bytes()?).with_throttle(24_000),
        );
        let back = std::sync::Arc::new(std::sync::Mutex::new(None::<Instant>));
        let (recording, launched) = {
            let server = std::sync::Arc::new(server);
            let url = server.url("/a.mp3");
            let s2 = std::sync::Arc::clone(&server);
            let b2 = std::sync::Arc::clone(&back);
            let outage = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(4)).await;
                s2.set_down(true);
                tokio::time::sleep(Duration::from_secs(5)).await;
                s2.set_down(false);
                *b2.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
            });
            let result = play_and_record(&app, name, &[url], Duration::from_secs(50)).await?;
            let _ = outage.await;
            result
        };
        let back = back
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .unwrap_or(launched);
        let windows = recording.windows(50, &CANDIDATES);
        let after_back = windows
            .iter()
            .filter(|w| w.time >= back)
            .find(|w| w.tone == Some(FIRST_HZ))
            .map(|w| w.time);
        // Still sounding when the server came back (the buffer outlasted the outage): 0.
        let sounding_at_back = windows
            .iter()
            .filter(|w| w.time >= back.checked_sub(Duration::from_millis(150)).unwrap_or(back))
            .take(3)
            .all(|w| w.tone == Some(FIRST_HZ));
        resumed.push(match (sounding_at_back, after_back) {
            (true, _) => Some(0.0),
            (false, Some(at)) => Some(at.duration_since(back).as_secs_f64() * 1000.0),
            (false, None) => None,
        });
        heard.push(windows.iter().filter(|w| w.tone == Some(FIRST_HZ)).count() as f64 * 0.05);
        let _ = launched;
    }
    println!(
        "| a 5 s outage mid-stream (1.5× throttle): sound again after the server is back | {} |",
        resumed
            .iter()
            .map(|r| cell(*r, "ms"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!(
        "| … audio heard of the 30 s episode (less: skipped; more: repeated) | {} |",
        heard
            .iter()
            .map(|h| format!("{h:.1} s"))
            .collect::<Vec<_>>()
            .join(" | ")
    );

    // 3. Going on to the next episode: two 3 s episodes, the gap between the first's last
    // sound and the second's first (Chaptercast through Up Next, mpv through a playlist).
    let server = TestServer::start().await?;
    server.route("/1.mp3", Route::file("audio/mpeg", first.bytes()?));
    server.route("/2.mp3", Route::file("audio/mpeg", second.bytes()?));
    let feed = FeedBuilder::new("Bench")
        .item(ItemBuilder::audio("Second", "g2", &server.url("/2.mp3")))
        .item(ItemBuilder::audio("First", "g1", &server.url("/1.mp3")));
    server.route("/feed.xml", Route::ok("application/rss+xml", feed.to_xml()));
    let urls = vec![server.url("/1.mp3"), server.url("/2.mp3")];
    let mut row = Vec::new();
    for name in players {
        let mut gaps = Vec::new();
        if name == "ffplay" {
            row.push("– (no playlist)".to_string());
            continue;
        }
        for _ in 0..RUNS {
            let data = tempfile::tempdir()?;
            let (recording, _) = if name == "chaptercast" {
                let cli = |args: &[&str]| -> anyhow::Result<()> {
                    let status = Command::new(&app)
                        .args(args)
                        .env("CHAPTERCAST_DATA_DIR", data.path())
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status()?;
                    anyhow::ensure!(status.success(), "chaptercast {args:?} failed");
                    Ok(())
                };
                cli(&["subscribe", &server.url("/feed.xml")])?;
                cli(&["queue", "add", "g1", "g2"])?;
                let data_dir = data.path().to_path_buf();
                record_process(
                    Command::new(&app)
                        .args(["queue", "play"])
                        .env("CHAPTERCAST_DATA_DIR", data_dir),
                    Duration::from_secs(12),
                )
                .await?
            } else {
                play_and_record(&app, name, &urls, Duration::from_secs(12)).await?
            };
            let windows = recording.windows(20, &CANDIDATES);
            let last_first = windows.iter().rposition(|w| w.tone == Some(FIRST_HZ));
            let first_second = windows.iter().position(|w| w.tone == Some(SECOND_HZ));
            if let (Some(a), Some(b)) = (last_first, first_second) {
                if b > a {
                    gaps.push((windows[b].at_s - windows[a].at_s) * 1000.0);
                }
            }
        }
        row.push(cell(median(gaps), "ms"));
    }
    println!("| next episode: gap between the first's last sound and the second's first (median of {RUNS}) | {} |", row.join(" | "));
    Ok(())
}

fn first_tone(recording: &Recording, after: Instant, tone: f64) -> Option<Instant> {
    recording
        .windows(10, &CANDIDATES)
        .into_iter()
        .find(|w| w.time >= after && w.tone == Some(tone))
        .map(|w| w.time)
}

/// Plays `urls` with `name`, recording the sink until it exits or `limit` passes.
async fn play_and_record(
    app: &Path,
    name: &str,
    urls: &[String],
    limit: Duration,
) -> anyhow::Result<(Recording, Instant)> {
    let Some((program, args)) = player_args(name, app, urls) else {
        bail!("{name} cannot play {urls:?}");
    };
    let mut command = Command::new(&program);
    command.args(&args);
    record_process(&mut command, limit).await
}

async fn record_process(
    command: &mut Command,
    limit: Duration,
) -> anyhow::Result<(Recording, Instant)> {
    command
        .env("CHAPTERCAST_LOG", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let capture = tokio::task::spawn_blocking(Capture::start).await??;
    let launched = Instant::now();
    let child = command.spawn().context("starting the player")?;
    let mut child = Killer(child);
    let deadline = launched + limit;
    loop {
        if child.0.try_wait()?.is_some() || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(child);
    let recording = tokio::task::spawn_blocking(move || capture.stop()).await?;
    Ok((recording, launched))
}
