//! One file, downloaded so that nothing incomplete ever sits at its final path.
//!
//! Bytes go to `<dest>.part`, with what is needed to resume in `<dest>.part.json` (the URL,
//! the total size, the validator of the first answer). A resume asks `Range: bytes=N-` with
//! `If-Range`; only a `206` whose `Content-Range` starts at N and has the same total is
//! appended, a `200` restarts the file from 0, anything else is retried or fails. At the end
//! the size must match the total, the file is fsynced and renamed into place.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use crate::net::{body_error, parse_content_range, validators_of, HttpClient, NetError};

/// Why a download did not finish.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error(transparent)]
    Net(#[from] NetError),
    /// Nothing answered the request at all (offline, or the host is down).
    #[error(transparent)]
    Unanswered(NetError),
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the server sent {got} bytes of {expected}")]
    Incomplete { got: u64, expected: u64 },
    #[error("{url} sent more than {limit} bytes, more than the episode can be")]
    TooLarge { url: String, limit: u64 },
    #[error("not enough free space in {}: {needed} bytes needed, {free} free", dir.display())]
    DiskFull {
        dir: PathBuf,
        needed: u64,
        free: u64,
    },
    #[error("paused")]
    Paused,
    #[error("cancelled")]
    Cancelled,
}

impl DownloadError {
    /// Nothing answered: no network, or the host is down.
    fn is_unreachable(&self) -> bool {
        matches!(self, DownloadError::Unanswered(_))
    }

    /// Worth another try after a pause (network trouble, a server error).
    fn is_transient(&self) -> bool {
        match self {
            DownloadError::Unanswered(_) => true,
            DownloadError::Net(e) => !matches!(
                e,
                NetError::InvalidUrl { .. } | NetError::UnsupportedScheme { .. }
            ),
            DownloadError::Status { status, .. } => {
                *status >= 500 || *status == 408 || *status == 429
            }
            DownloadError::Incomplete { .. } => true,
            _ => false,
        }
    }
}

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub first_backoff: Duration,
    /// How long to wait for a network that does not answer at all before such failures count
    /// as tries: `None` waits as long as it takes (the app), a script gives up.
    pub wait_offline: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 6,
            first_backoff: Duration::from_millis(500),
            wait_offline: None,
        }
    }
}

/// Bounds on what one download may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The size the feed gives for the file (the enclosure's `length`), when plausible.
    pub expected_len: Option<u64>,
    /// The most a download may write when neither the server nor the feed says how long it is.
    pub cap_without_length: u64,
    /// Space always left free on the download's disk.
    pub keep_free: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            expected_len: None,
            cap_without_length: 2 << 30,
            keep_free: 64 << 20,
        }
    }
}

impl Limits {
    /// The most the file may be: the larger of what the server and the feed say, plus a margin
    /// (feeds' lengths are often stale), else the cap for files of unknown length.
    fn cap(&self, content_total: Option<u64>) -> u64 {
        match content_total.max(self.expected_len) {
            Some(len) => len.saturating_add((len / 2).max(16 << 20)),
            None => self.cap_without_length,
        }
    }
}

/// Run, pause or cancel, shared with whoever controls the download.
#[derive(Debug, Clone, Default)]
pub struct TransferControl(Arc<AtomicU8>);

const RUN: u8 = 0;
const PAUSE: u8 = 1;
const CANCEL: u8 = 2;

impl TransferControl {
    pub fn pause(&self) {
        self.0.store(PAUSE, Ordering::SeqCst);
    }
    pub fn cancel(&self) {
        self.0.store(CANCEL, Ordering::SeqCst);
    }
    pub fn resume(&self) {
        self.0.store(RUN, Ordering::SeqCst);
    }
    fn check(&self) -> Result<(), DownloadError> {
        match self.0.load(Ordering::SeqCst) {
            PAUSE => Err(DownloadError::Paused),
            CANCEL => Err(DownloadError::Cancelled),
            _ => Ok(()),
        }
    }
}

/// How far along a download is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub downloaded: u64,
    pub total: Option<u64>,
    /// Averaged over the last few seconds.
    pub bytes_per_s: f64,
    /// The host cannot be reached: waiting for the network, which does not count as a try.
    pub offline: bool,
}

/// What a resume needs, kept next to the `.part` file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
struct PartMeta {
    url: String,
    total: Option<u64>,
    validator: Option<String>,
}

/// The `.part` file of `dest`.
pub fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".part");
    dest.with_file_name(name)
}

fn meta_path(dest: &Path) -> PathBuf {
    let mut name = dest
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".part.json");
    dest.with_file_name(name)
}

/// Removes a download's leftovers (`.part` and its notes).
pub fn discard_part(dest: &Path) {
    let _ = std::fs::remove_file(part_path(dest));
    let _ = std::fs::remove_file(meta_path(dest));
}

/// Bytes already in `dest`'s `.part` file.
pub fn partial_len(dest: &Path) -> u64 {
    std::fs::metadata(part_path(dest)).map_or(0, |m| m.len())
}

/// Progress reports at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// Buffered writes: large enough for throughput, flushed often enough to resume close by.
const WRITE_BUFFER: usize = 256 << 10;
/// Written bytes handed to the disk as the download goes, not all at the final fsync.
const WRITEBACK_EVERY: u64 = 8 << 20;

/// Downloads `url` to `dest`, resuming a `.part` file left by an earlier run. Returns the
/// size. On any error the `.part` file stays for a later resume (except on cancel).
pub async fn download(
    http: &HttpClient,
    url: &str,
    dest: &Path,
    retry: RetryPolicy,
    limits: Limits,
    control: &TransferControl,
    mut on_progress: impl FnMut(Progress) + Send,
) -> Result<u64, DownloadError> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|source| DownloadError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut failures = 0u32;
    let mut offline_waits = 0u32;
    let mut offline_since: Option<Instant> = None;
    let mut speed = Speed::new();
    loop {
        match attempt(
            http,
            url,
            dest,
            &limits,
            control,
            &mut speed,
            &mut on_progress,
        )
        .await
        {
            Ok(size) => return Ok(size),
            Err(DownloadError::Cancelled) => {
                discard_part(dest);
                return Err(DownloadError::Cancelled);
            }
            // Not the episode (a decompression bomb, an endless stream): nothing worth keeping.
            Err(e @ DownloadError::TooLarge { .. }) => {
                discard_part(dest);
                return Err(e);
            }
            // No answer at all (offline, or the host is down): wait for the network for as
            // long as it takes, like a listener who asked for it before a train ride would
            // want. Pause and Cancel still work meanwhile.
            Err(e)
                if e.is_unreachable()
                    && retry.wait_offline.is_none_or(|limit| {
                        offline_since.get_or_insert_with(Instant::now).elapsed() < limit
                    }) =>
            {
                let wait = retry.first_backoff * 2u32.saturating_pow(offline_waits.min(16));
                offline_waits += 1;
                tracing::info!(error = %e, ?wait, "download waiting for the network");
                on_progress(Progress {
                    downloaded: partial_len(dest),
                    total: read_meta(dest).and_then(|m| m.total),
                    bytes_per_s: 0.0,
                    offline: true,
                });
                sleep_unless_stopped(wait.min(MAX_OFFLINE_WAIT), control, dest).await?;
            }
            Err(e) if e.is_transient() && failures + 1 < retry.attempts => {
                failures += 1;
                offline_waits = 0;
                offline_since = None;
                let wait = retry.first_backoff * 2u32.saturating_pow(failures - 1);
                tracing::info!(error = %e, failures, ?wait, "download interrupted; retrying");
                sleep_unless_stopped(wait.min(Duration::from_secs(30)), control, dest).await?;
            }
            Err(e) => return Err(e),
        }
    }
}

/// The longest wait between two looks at a network that is down.
const MAX_OFFLINE_WAIT: Duration = Duration::from_secs(15);

/// Sleeps `wait`, returning early with the reason when the download is paused or cancelled
/// (a cancelled one's part file goes).
async fn sleep_unless_stopped(
    wait: Duration,
    control: &TransferControl,
    dest: &Path,
) -> Result<(), DownloadError> {
    let until = Instant::now() + wait;
    loop {
        if let Err(stopped) = control.check() {
            if matches!(stopped, DownloadError::Cancelled) {
                discard_part(dest);
            }
            return Err(stopped);
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        tokio::time::sleep(left.min(Duration::from_millis(200))).await;
    }
}

async fn attempt(
    http: &HttpClient,
    url: &str,
    dest: &Path,
    limits: &Limits,
    control: &TransferControl,
    speed: &mut Speed,
    on_progress: &mut (impl FnMut(Progress) + Send),
) -> Result<u64, DownloadError> {
    control.check()?;
    let part = part_path(dest);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DownloadError::Io { path, source }
    };
    let meta = read_meta(dest).filter(|m| m.url == url);
    let have = match &meta {
        Some(_) => partial_len(dest),
        None => 0,
    };
    if let Some(total) = meta.as_ref().and_then(|m| m.total) {
        if have == total {
            return finish(dest, total);
        }
    }
    let resume = (have > 0).then(|| (have, meta.as_ref().and_then(|m| m.validator.as_deref())));
    let response = http.get_download(url, resume).await.map_err(|e| match e {
        // Refused, reset or dropped before any answer: the network, not the file.
        NetError::Connect { .. } | NetError::Transfer { .. } => DownloadError::Unanswered(e),
        other => DownloadError::Net(other),
    })?;
    let status = response.status();
    let (start, total) = match status {
        StatusCode::PARTIAL_CONTENT if have > 0 => {
            let range = response
                .headers()
                .get(reqwest::header::CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_content_range);
            let known_total = meta.as_ref().and_then(|m| m.total);
            match range {
                Some((s, _, t)) if s == have && (known_total.is_none() || t == known_total) => {
                    (have, t.or(known_total))
                }
                _ => {
                    // Not the part we asked for: start over rather than append it.
                    tracing::warn!(url, "resume answered with the wrong range; restarting");
                    discard_part(dest);
                    return Err(DownloadError::Incomplete {
                        got: 0,
                        expected: known_total.unwrap_or(0),
                    });
                }
            }
        }
        StatusCode::OK => (0, response.content_length()),
        StatusCode::RANGE_NOT_SATISFIABLE if have > 0 => {
            // Nothing after what we have: either complete (checked above) or the file changed.
            discard_part(dest);
            return Err(DownloadError::Incomplete {
                got: have,
                expected: 0,
            });
        }
        other => {
            return Err(DownloadError::Status {
                url: url.to_string(),
                status: other.as_u16(),
            })
        }
    };
    let cap = limits.cap(total);
    if let Some(total) = total.filter(|t| *t > cap) {
        return Err(DownloadError::TooLarge {
            url: url.to_string(),
            limit: cap.min(total),
        });
    }
    ensure_free_space(
        dir_of(dest),
        total
            .or(limits.expected_len)
            .map(|t| t.saturating_sub(start)),
        limits.keep_free,
    )?;
    if start == 0 {
        let validator = validator_of(response.headers());
        write_meta(
            dest,
            &PartMeta {
                url: url.to_string(),
                total,
                validator,
            },
        )?;
    }
    let file = no_follow(
        std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(start > 0)
            .truncate(start == 0),
    )
    .open(&part)
    .map_err(io(&part))?;
    let mut writer = std::io::BufWriter::with_capacity(WRITE_BUFFER, file);
    let mut downloaded = start;
    let mut writeback_from = start;
    let mut response = response;
    let mut last_report = Instant::now() - PROGRESS_EVERY;
    let outcome: Result<(), DownloadError> = loop {
        if let Err(e) = control.check() {
            break Err(e);
        }
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if let Err(source) = writer.write_all(&chunk) {
                    break Err(DownloadError::Io {
                        path: part.clone(),
                        source,
                    });
                }
                downloaded += chunk.len() as u64;
                speed.add(chunk.len() as u64);
                if downloaded > cap {
                    break Err(DownloadError::TooLarge {
                        url: url.to_string(),
                        limit: cap,
                    });
                }
                if downloaded - writeback_from >= WRITEBACK_EVERY {
                    // Start writing to disk now, so the final fsync has little left to wait for.
                    if writer.flush().is_ok() {
                        start_writeback(writer.get_ref(), writeback_from, downloaded);
                        writeback_from = downloaded;
                    }
                    if let Err(full) = ensure_free_space(dir_of(dest), None, limits.keep_free) {
                        break Err(full);
                    }
                }
                if last_report.elapsed() >= PROGRESS_EVERY {
                    last_report = Instant::now();
                    on_progress(Progress {
                        downloaded,
                        total,
                        bytes_per_s: speed.rate(),
                        offline: false,
                    });
                }
            }
            Ok(None) => break Ok(()),
            Err(e) => break Err(body_error(url, e).into()),
        }
    };
    // Whatever arrived is kept safely for a resume, on success or not.
    let flushed = writer
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all());
    if let Err(source) = flushed {
        return Err(DownloadError::Io { path: part, source });
    }
    outcome?;
    on_progress(Progress {
        downloaded,
        total,
        bytes_per_s: speed.rate(),
        offline: false,
    });
    match total {
        Some(total) if downloaded != total => {
            if downloaded > total {
                discard_part(dest);
            }
            Err(DownloadError::Incomplete {
                got: downloaded,
                expected: total,
            })
        }
        _ => finish(dest, downloaded),
    }
}

/// Asks the kernel to start writing `from..to` of `file` to disk without waiting (Linux).
#[cfg(target_os = "linux")]
fn start_writeback(file: &std::fs::File, from: u64, to: u64) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain syscall on a descriptor we own; it only starts writeback of dirty pages.
    unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            from as libc::off64_t,
            (to - from) as libc::off64_t,
            libc::SYNC_FILE_RANGE_WRITE,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &std::fs::File, _from: u64, _to: u64) {}

/// Moves the complete `.part` into place (atomically) and makes the rename durable.
fn finish(dest: &Path, size: u64) -> Result<u64, DownloadError> {
    let part = part_path(dest);
    let on_disk = std::fs::metadata(&part)
        .map_err(|source| DownloadError::Io {
            path: part.clone(),
            source,
        })?
        .len();
    if on_disk != size {
        return Err(DownloadError::Incomplete {
            got: on_disk,
            expected: size,
        });
    }
    std::fs::rename(&part, dest).map_err(|source| DownloadError::Io {
        path: dest.to_path_buf(),
        source,
    })?;
    if let Some(dir) = dest.parent() {
        // The rename itself must survive a crash.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    let _ = std::fs::remove_file(meta_path(dest));
    Ok(size)
}

fn read_meta(dest: &Path) -> Option<PartMeta> {
    let bytes = std::fs::read(meta_path(dest)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn write_meta(dest: &Path, meta: &PartMeta) -> Result<(), DownloadError> {
    let path = meta_path(dest);
    let bytes = serde_json::to_vec(meta).unwrap_or_default();
    no_follow(
        std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true),
    )
    .open(&path)
    .and_then(|mut f| f.write_all(&bytes))
    .map_err(|source| DownloadError::Io { path, source })
}

/// Opens without following a symbolic link at the path: a link planted where a `.part` file
/// goes (in a shared or synced download folder) must not make a download write elsewhere.
fn no_follow(options: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options
}

fn dir_of(dest: &Path) -> &Path {
    dest.parent().unwrap_or(Path::new("."))
}

/// Free bytes for an unprivileged user on the file system holding `dir`; `None` when the
/// system will not say.
pub fn free_space(dir: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
        let mut stat = std::mem::MaybeUninit::<libc::statvfs>::zeroed();
        // SAFETY: `path` is a valid C string and `stat` points to writable memory of the right
        // type; the result is read only when the call succeeds.
        let done = unsafe { libc::statvfs(path.as_ptr(), stat.as_mut_ptr()) };
        if done != 0 {
            return None;
        }
        // SAFETY: statvfs returned 0, so it filled `stat`.
        let stat = unsafe { stat.assume_init() };
        // The field types differ between platforms (32-bit ones have narrower ones).
        #[allow(clippy::unnecessary_cast)]
        let free = (stat.f_bavail as u64).saturating_mul(stat.f_frsize as u64);
        Some(free)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// Fails with [`DownloadError::DiskFull`] when writing `more` bytes (or, unknown, any at all)
/// would leave less than `keep_free` on the disk.
fn ensure_free_space(dir: &Path, more: Option<u64>, keep_free: u64) -> Result<(), DownloadError> {
    let Some(free) = free_space(dir) else {
        return Ok(());
    };
    let needed = more.unwrap_or(0).saturating_add(keep_free);
    if free < needed {
        return Err(DownloadError::DiskFull {
            dir: dir.to_path_buf(),
            needed,
            free,
        });
    }
    Ok(())
}

/// A strong ETag, else Last-Modified: what `If-Range` may carry.
fn validator_of(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let validators = validators_of(headers);
    validators
        .etag
        .filter(|e| !e.starts_with("W/"))
        .or(validators.last_modified)
}

/// Bytes per second over a sliding few seconds.
struct Speed {
    samples: std::collections::VecDeque<(Instant, u64)>,
}

impl Speed {
    fn new() -> Self {
        Speed {
            samples: std::collections::VecDeque::new(),
        }
    }

    fn add(&mut self, bytes: u64) {
        let now = Instant::now();
        self.samples.push_back((now, bytes));
        while self
            .samples
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > Duration::from_secs(3))
        {
            self.samples.pop_front();
        }
    }

    fn rate(&self) -> f64 {
        let (Some(first), Some(last)) = (self.samples.front(), self.samples.back()) else {
            return 0.0;
        };
        let span = last.0.duration_since(first.0).as_secs_f64().max(0.25);
        self.samples.iter().map(|(_, b)| *b).sum::<u64>() as f64 / span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_files_sit_next_to_the_destination() {
        let dest = Path::new("/tmp/x/Show/ep-1.mp3");
        assert_eq!(part_path(dest), Path::new("/tmp/x/Show/ep-1.mp3.part"));
        assert_eq!(meta_path(dest), Path::new("/tmp/x/Show/ep-1.mp3.part.json"));
    }

    #[test]
    fn only_strong_etags_guard_a_resume() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::ETAG, "W/\"weak\"".parse().unwrap());
        h.insert(
            reqwest::header::LAST_MODIFIED,
            "Tue, 01 Oct 2024 10:00:00 GMT".parse().unwrap(),
        );
        assert_eq!(
            validator_of(&h).as_deref(),
            Some("Tue, 01 Oct 2024 10:00:00 GMT")
        );
        h.insert(reqwest::header::ETAG, "\"strong\"".parse().unwrap());
        assert_eq!(validator_of(&h).as_deref(), Some("\"strong\""));
    }

    #[test]
    fn transient_errors_are_retried_and_others_not() {
        let status = |s| DownloadError::Status {
            url: String::new(),
            status: s,
        };
        assert!(status(503).is_transient());
        assert!(!status(404).is_transient());
        assert!(DownloadError::Incomplete {
            got: 1,
            expected: 2
        }
        .is_transient());
        assert!(!DownloadError::Cancelled.is_transient());
    }
}
