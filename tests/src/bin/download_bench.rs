//! Download benchmark: `chaptercast download` next to `curl` on the same 200 MB loopback URL,
//! alternating, three runs each; and the downloader's memory while it runs (VmRSS sampled
//! every 20 ms). Run with `make bench-download` (release build). Prints Markdown rows.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chaptercast_e2e::server::{Route, TestServer};

const SIZE: usize = 200 << 20;

fn main() -> anyhow::Result<()> {
    tokio::runtime::Runtime::new()?.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/chaptercast");
    if !app.exists() {
        bail!("build the release binary first: cargo build --release -p chaptercast");
    }
    let body: Vec<u8> = (0..SIZE)
        .map(|i| (i.wrapping_mul(2654435761) >> 11) as u8)
        .collect();
    let server = TestServer::start().await?;
    server.route("/big.mp3", Route::file("audio/mpeg", body));
    let url = server.url("/big.mp3");
    let dir = tempfile::tempdir()?;

    let mut ours = Vec::new();
    let mut curl = Vec::new();
    let mut curl_synced = Vec::new();
    let mut growth = Vec::new();
    for run in 0..3 {
        let out = dir.path().join(format!("c{run}.mp3"));
        let (secs, rss_growth) = timed(
            Command::new(&app)
                .args(["download", &url, "--out"])
                .arg(&out),
            Some(&out),
        )
        .await?;
        check_size(&out)?;
        ours.push(secs);
        growth.push(rss_growth);
        std::fs::remove_file(&out)?;
        let out = dir.path().join(format!("curl{run}.mp3"));
        let (secs, _) = timed(
            Command::new("curl").args(["-sS", "-o"]).arg(&out).arg(&url),
            None,
        )
        .await?;
        check_size(&out)?;
        curl.push(secs);
        std::fs::remove_file(&out)?;
        // The same durability as ours: curl, then fsync of its file (coreutils `sync FILE`).
        let out = dir.path().join(format!("curlsync{run}.mp3"));
        let script = format!(
            "curl -sS -o '{}' '{url}' && sync '{}'",
            out.display(),
            out.display()
        );
        let (secs, _) = timed(Command::new("sh").args(["-c", &script]), None).await?;
        check_size(&out)?;
        curl_synced.push(secs);
        std::fs::remove_file(&out)?;
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (ours_s, curl_s) = (median(&mut ours), median(&mut curl));
    let synced_s = median(&mut curl_synced);
    let mb = SIZE as f64 / 1e6;
    println!("| measure | Chaptercast (fsynced, renamed) | curl | curl + fsync of its file |");
    println!("|---|---|---|---|");
    println!(
        "| 200 MB over loopback, median of 3 (time, throughput) | {ours_s:.2} s, {:.0} MB/s | {curl_s:.2} s, {:.0} MB/s | {synced_s:.2} s, {:.0} MB/s |",
        mb / ours_s,
        mb / curl_s,
        mb / synced_s
    );
    println!(
        "| throughput relative to curl / to curl + fsync | {:.0} % / {:.0} % | 100 % | – |",
        curl_s / ours_s * 100.0,
        synced_s / ours_s * 100.0
    );
    let max_growth = growth.iter().copied().fold(0u64, u64::max);
    println!(
        "| memory growth while downloading (VmRSS max − VmRSS once 1 MB is on disk, worst of 3) | {:.1} MB | – | – |",
        max_growth as f64 / 1e6
    );
    Ok(())
}

fn check_size(path: &Path) -> anyhow::Result<()> {
    let len = std::fs::metadata(path).context("output")?.len();
    if len != SIZE as u64 {
        bail!("{} has {len} bytes", path.display());
    }
    Ok(())
}

/// Runs the command to completion; returns seconds and the growth of its VmRSS from the moment
/// its `.part` file (next to `out`) passed 1 MB, i.e. once the transfer is under way: the
/// process's start-up (its shared libraries) is not download memory.
async fn timed(command: &mut Command, out: Option<&Path>) -> anyhow::Result<(f64, u64)> {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let pid = child.id();
    let part = out.map(|o| {
        let mut name = o.file_name().unwrap_or_default().to_os_string();
        name.push(".part");
        o.with_file_name(name)
    });
    let mut first = None;
    let mut max = 0;
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                bail!("{command:?} failed: {status}");
            }
            break;
        }
        let under_way = part
            .as_ref()
            .and_then(|p| std::fs::metadata(p).ok())
            .is_some_and(|m| m.len() > 1 << 20);
        if let (true, Some(rss)) = (under_way, vm_rss(pid)) {
            first.get_or_insert(rss);
            max = max.max(rss);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok((
        started.elapsed().as_secs_f64(),
        max.saturating_sub(first.unwrap_or(max)),
    ))
}

fn vm_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
