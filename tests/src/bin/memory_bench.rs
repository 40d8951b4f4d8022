//! `make bench-memory`: the window's memory, as all its processes' PSS (the app, its
//! WebKitWebProcess and WebKitNetworkProcess), next to the floor (an empty Tauri window of the
//! same crates) and gPodder with the same 455-episode feed, in one run, under Xvfb:
//! - 10 s after start, launched as a user would;
//! - after 200 episodes were opened one after another (through WebDriver: the leak check);
//! - while playing;
//! - and each Chaptercast row with WebKit's hardware acceleration on demand, to show what the
//!   default (never) saves.
//!
//! Prints a Markdown table for BENCHMARKS.md. PSS splits shared pages with any other WebKit
//! process, so nothing else WebKit-based may run meanwhile.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chaptercast_e2e::app::{app_binary, app_env, key, AppSession};
use chaptercast_e2e::audio::long_quiet_mp3;
use chaptercast_e2e::server::{Route, TestServer};

const SETTLE: Duration = Duration::from_secs(10);
const OPENS: usize = 200;
const WAIT: Duration = Duration::from_secs(20);

/// PSS in MB of one process tree, by kind of process.
#[derive(Debug, Default, Clone, Copy)]
struct Pss {
    main: f64,
    web: f64,
    network: f64,
    other: f64,
}

impl Pss {
    fn total(&self) -> f64 {
        self.main + self.web + self.network + self.other
    }

    fn row(&self, what: &str, note: &str) -> String {
        format!(
            "| {what} | {:.0} | {:.0} | {:.0} | **{:.0}** | {note} |",
            self.main,
            self.web,
            self.network + self.other,
            self.total()
        )
    }
}

fn pss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse().ok())
        })
        .unwrap_or(0)
}

/// Every process and its parent.
fn parents() -> HashMap<u32, u32> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid …": the name may hold spaces and parentheses.
        if let Some(ppid) = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse().ok())
        {
            out.insert(pid, ppid);
        }
    }
    out
}

fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// The PSS of `root` and all its descendants, split by kind.
fn measure(root: u32) -> Pss {
    let parents = parents();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, &p)| p == parent)
                .map(|(&c, _)| c),
        );
        i += 1;
    }
    let mut pss = Pss::default();
    for pid in tree {
        let mb = pss_kb(pid) as f64 / 1024.0;
        let name = comm(pid);
        if pid == root {
            pss.main += mb;
        } else if name.starts_with("WebKitWebProces") {
            pss.web += mb;
        } else if name.starts_with("WebKitNetworkPr") {
            pss.network += mb;
        } else {
            pss.other += mb;
        }
    }
    pss
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(program: &Path, env: &[(&str, String)]) -> anyhow::Result<Running> {
    let mut command = Command::new(program);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    Ok(Running(command.spawn().with_context(|| {
        format!("starting {}", program.display())
    })?))
}

/// Starts `program`, waits [`SETTLE`], measures, and ends it (and its web processes).
fn settled(program: &Path, env: &[(&str, String)]) -> anyhow::Result<Pss> {
    let running = start(program, env)?;
    std::thread::sleep(SETTLE);
    let pss = measure(running.0.id());
    drop(running);
    // Let the web processes go before the next measure shares pages with them.
    std::thread::sleep(Duration::from_secs(2));
    Ok(pss)
}

/// The app process WebDriver started on the library in `data_dir`.
fn app_pid_for(data_dir: &Path) -> Option<u32> {
    let wanted = format!("CHAPTERCAST_DATA_DIR={}", data_dir.display());
    parents().keys().copied().find(|&pid| {
        comm(pid).starts_with("chaptercast")
            && std::fs::read(format!("/proc/{pid}/environ"))
                .map(|env| env.split(|&b| b == 0).any(|kv| kv == wanted.as_bytes()))
                .unwrap_or(false)
    })
}

fn main() -> anyhow::Result<()> {
    // scripts/test-env.sh turns compositing off for every test; here the webview's own
    // setting is what is measured. Before any thread starts.
    std::env::remove_var("WEBKIT_DISABLE_COMPOSITING_MODE");
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    if std::env::var_os("DISPLAY").is_none() {
        bail!("run inside scripts/test-env.sh (it needs Xvfb and PulseAudio)");
    }
    let shared = chaptercast_engine::testkit::shared_dir().context("../shared is not there")?;
    let feed_path = shared.join("corpus/feeds/LARGE_simplecast_critical-role_2026-07-21.xml");
    let feed = std::fs::read_to_string(&feed_path)
        .with_context(|| format!("reading {}", feed_path.display()))?;
    let server = TestServer::start().await?;
    let work = tempfile::tempdir()?;
    let audio = long_quiet_mp3(work.path(), "episode", 600)?;
    server.route(
        "/audio.mp3",
        Route::file("audio/mpeg", std::fs::read(&audio)?),
    );
    // Every episode plays the local file: the bench has no internet.
    let feed = rewrite_enclosures(&feed, &server.url("/audio.mp3"));
    server.route("/feed.xml", Route::ok("application/rss+xml", feed));
    let feed_url = server.url("/feed.xml");

    let app = app_binary()?;
    let floor = app
        .parent()
        .context("the app's folder")?
        .join("empty_window");
    let gpodder = which("gpodder");

    let mut rows = Vec::new();
    let mut scrolling = Vec::new();
    // MEMORY_BENCH_DEFAULT_ONLY=1: only the default settings (a quicker look while working).
    let settings: &[&str] = if std::env::var_os("MEMORY_BENCH_DEFAULT_ONLY").is_some() {
        &["never"]
    } else {
        &["never", "on-demand"]
    };
    for &acceleration in settings {
        let accel = (
            "CHAPTERCAST_HARDWARE_ACCELERATION",
            acceleration.to_string(),
        );
        let note = if acceleration == "never" {
            "default"
        } else {
            "`CHAPTERCAST_HARDWARE_ACCELERATION=on-demand`"
        };
        let empty = settled(&floor, std::slice::from_ref(&accel))?;
        rows.push(empty.row("empty Tauri window (the floor)", note));

        let data = tempfile::tempdir()?;
        let mut env = app_env(data.path(), &feed_url, "5");
        env.push(accel.clone());
        let started = settled(&app, &env)?;
        rows.push(started.row(
            "Chaptercast, 455 episodes, 10 s after start",
            &format!(
                "{note}; +{:.0} MB over the floor",
                started.total() - empty.total()
            ),
        ));

        // Relaunched on the same library under WebDriver: open episodes one after another.
        let session = AppSession::launch(&env).await?;
        session
            .wait_for_count("[data-testid=episode-item]", 10, WAIT)
            .await?;
        tokio::time::sleep(SETTLE).await;
        let pid = app_pid_for(data.path()).context("the app's process")?;
        let before = measure(pid);
        let opens = std::env::var("MEMORY_BENCH_OPENS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(OPENS);
        let took = open_episodes(&session, opens, pid).await?;
        // Time for the script engine to collect what the opens left behind.
        tokio::time::sleep(SETTLE).await;
        let after = measure(pid);
        rows.push(before.row("… under WebDriver, before opening episodes", note));
        rows.push(after.row(
            &format!("… after opening {opens} episodes one after another"),
            &format!(
                "{note}; {:+.1} MB (target ≤ +10); {:.0} ms per open",
                after.total() - before.total(),
                took.as_secs_f64() * 1000.0 / opens as f64
            ),
        ));
        session
            .click_nth("[data-testid=play-episode]", 0, WAIT)
            .await?;
        let playing_title = title(&session).await?;
        session
            .wait_for_text("[data-testid=now-playing-title]", &playing_title, WAIT)
            .await?;
        tokio::time::sleep(SETTLE).await;
        let playing = measure(pid);
        rows.push(playing.row("… while playing", note));
        // After the memory rows, so that it does not count in them.
        let scroll = scroll_smoothness(&session).await?;
        scrolling.push(scroll.row(note));
        drop(session);
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    match gpodder {
        Some(gpodder) => {
            let home = tempfile::tempdir()?;
            let env = [
                ("GPODDER_HOME", home.path().to_string_lossy().into_owned()),
                (
                    "GPODDER_DOWNLOAD_DIR",
                    home.path().join("dl").to_string_lossy().into_owned(),
                ),
            ];
            let gpo = gpodder.with_file_name("gpo");
            let mut subscribe = Command::new(&gpo);
            subscribe
                .args(["subscribe", &feed_url])
                .stdout(Stdio::null());
            for (k, v) in &env {
                subscribe.env(k, v);
            }
            let status = subscribe.status().context("gpo subscribe")?;
            anyhow::ensure!(status.success(), "gpo subscribe failed: {status}");
            let env: Vec<(&str, String)> = env.to_vec();
            let peer = settled(&gpodder, &env)?;
            rows.push(peer.row("gPodder (GTK), same feed, 10 s after start", "the peer"));
        }
        None => rows
            .push("| gPodder | – | – | – | – | not installed (`apt-get install gpodder`) |".into()),
    }

    println!(
        "| PSS (MB), all processes | main | WebKitWebProcess | network + other | total | note |"
    );
    println!("|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    println!(
        "\nScrolling the 455-episode list while playing, {SCROLL_PX} px a frame for {} s:\n",
        SCROLL_MS / 1000
    );
    println!(
        "| settings | frames | frame time, median | 95th percentile | longest | frames over 33 ms | frames with rows missing in view |"
    );
    println!("|---|---|---|---|---|---|---|");
    for row in scrolling {
        println!("{row}");
    }
    Ok(())
}

/// Pixels the list is scrolled by at each animation frame, and for how long.
const SCROLL_PX: u32 = 40;
const SCROLL_MS: u32 = 3000;

/// Frame times while the episode list scrolls, from the page's own animation frames.
struct Scroll {
    gaps_ms: Vec<f64>,
    /// Frames at which the rows drawn did not cover the list's view.
    blank: u32,
}

impl Scroll {
    fn row(&self, note: &str) -> String {
        let mut gaps = self.gaps_ms.clone();
        gaps.sort_by(f64::total_cmp);
        let at = |q: f64| {
            gaps.get(((gaps.len() as f64 - 1.0) * q).round() as usize)
                .copied()
                .unwrap_or(f64::NAN)
        };
        let slow = gaps.iter().filter(|g| **g > 33.4).count();
        format!(
            "| {note} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {slow} ({:.1} %) | {} |",
            gaps.len(),
            at(0.5),
            at(0.95),
            at(1.0),
            slow as f64 * 100.0 / gaps.len().max(1) as f64,
            self.blank
        )
    }
}

/// Scrolls the episode list from the top by [`SCROLL_PX`] at each animation frame for
/// [`SCROLL_MS`], noting each frame's time and whether rows covered the view.
async fn scroll_smoothness(session: &AppSession) -> anyhow::Result<Scroll> {
    let started: String = session
        .eval(
            &format!(
                "const list = document.querySelector('[data-testid=episode-list]');
                 if (!list) return 'no episode list';
                 list.scrollTop = 0;
                 window.__scroll = null;
                 const gaps = []; let blank = 0; let last = null; let t0 = null;
                 const step = (now) => {{
                   if (t0 === null) t0 = now;
                   if (last !== null) gaps.push(now - last);
                   last = now;
                   const view = list.getBoundingClientRect();
                   let top = Infinity, bottom = -Infinity;
                   for (const r of list.querySelectorAll('[role=option]')) {{
                     const b = r.getBoundingClientRect();
                     if (b.bottom > view.top && b.top < view.bottom) {{
                       top = Math.min(top, b.top); bottom = Math.max(bottom, b.bottom);
                     }}
                   }}
                   if (top > view.top + 16 || bottom < view.bottom - 16) blank++;
                   if (now - t0 < {SCROLL_MS}) {{
                     list.scrollTop += {SCROLL_PX};
                     requestAnimationFrame(step);
                   }} else {{
                     window.__scroll = {{ gaps, blank }};
                   }}
                 }};
                 setTimeout(() => requestAnimationFrame(step), 300);
                 return 'started';"
            ),
            vec![],
        )
        .await?;
    anyhow::ensure!(started == "started", "scrolling: {started}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let done: Option<serde_json::Value> =
            session.eval("return window.__scroll;", vec![]).await?;
        if let Some(done) = done.filter(|d| !d.is_null()) {
            let gaps_ms = done["gaps"]
                .as_array()
                .context("frame times")?
                .iter()
                .filter_map(serde_json::Value::as_f64)
                .collect();
            let blank = done["blank"].as_u64().unwrap_or(0) as u32;
            return Ok(Scroll { gaps_ms, blank });
        }
        if Instant::now() > deadline {
            bail!("the scroll did not finish");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Opens `count` episodes one after another from the keyboard (↓ then Enter), each time
/// waiting until its notes are shown.
async fn open_episodes(session: &AppSession, count: usize, pid: u32) -> anyhow::Result<Duration> {
    use fantoccini::key::Key;
    session
        .click_nth("[data-testid=episode-item]", 0, WAIT)
        .await?;
    let began = Instant::now();
    for i in 0..count {
        if i % 50 == 0 {
            // The curve, for telling a leak (still climbing) from a warm-up (flattening).
            eprintln!("after {i} opens: {:.1} MB", measure(pid).total());
        }
        let before = title(session).await?;
        session
            .type_keys(&format!("{}{}", key(Key::Down), key(Key::Enter)))
            .await?;
        let deadline = Instant::now() + WAIT;
        while title(session).await? == before {
            if Instant::now() > deadline {
                bail!("episode {i} did not open (still {before:?})");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    Ok(began.elapsed())
}

async fn title(session: &AppSession) -> anyhow::Result<String> {
    let value = session
        .client
        .execute(
            "const h = document.querySelector('[data-testid=episode-view] .episode-heading');
             return h ? h.textContent : '';",
            vec![],
        )
        .await?;
    Ok(value.as_str().unwrap_or_default().to_string())
}

fn rewrite_enclosures(feed: &str, url: &str) -> String {
    let mut out = String::with_capacity(feed.len());
    let mut rest = feed;
    while let Some(at) = rest.find("<enclosure") {
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        let end = tail.find('>').map_or(tail.len(), |e| e + 1);
        let tag = &tail[..end];
        let rewritten = match tag.find("url=\"") {
            Some(u) => {
                let start = u + 5;
                let stop = tag[start..].find('"').map_or(tag.len(), |s| start + s);
                format!("{}{url}{}", &tag[..start], &tag[stop..])
            }
            None => tag.to_string(),
        };
        out.push_str(&rewritten);
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    })
}
