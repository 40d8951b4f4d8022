//! A seekable reader over an HTTP media file: Range requests, bounded read-ahead, a small
//! sparse cache, and a progressive fallback for servers that ignore Range.
//!
//! The decoder reads with plain blocking `Read + Seek` on its own thread; a tokio task fetches.
//! The two meet in [`Shared`]: cached byte extents, the reader's position, and what it waits for.
//! A seek outside what is cached starts a new Range request there instead of downloading up to
//! it. Every `206` is checked for its `Content-Range` (in [`HttpClient::open_media`]); a `200`
//! to a ranged request switches to progressive mode, where the file comes from byte 0 and a
//! seek ahead waits for it: never the wrong bytes.

use std::collections::BTreeMap;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::net::{body_error, HttpClient, NetError};

/// How far ahead of the reader the fetcher runs (a minute of a 128 kbit/s episode, about).
pub const READ_AHEAD_BYTES: u64 = 1 << 20;
/// How much already-read audio is kept, for short skips back.
const KEEP_BEHIND_BYTES: u64 = 1 << 20;
/// The head of the file (tags, headers, an MP4 `moov` often) is always kept.
const KEEP_HEAD_BYTES: u64 = 256 << 10;
/// A wanted byte this close ahead of the running request is waited for, not re-requested.
const SKIP_AHEAD_TOLERANCE: u64 = 128 << 10;
/// Bytes asked for per request: servers send exactly what is asked, nothing lost on a seek.
const REQUEST_BYTES: u64 = 512 << 10;
/// The first request: the tags and first frames, before the player knows where it starts.
const HEAD_REQUEST_BYTES: u64 = 128 << 10;
/// Range requests at once for a long read-through ([`RangeStream::read_span`]).
const SPAN_REQUESTS: u64 = 4;
/// The least a span request asks for: below this a request's round trip costs more than
/// another connection saves.
const SPAN_MIN_REQUEST: u64 = 256 << 10;
/// A span request that sends nothing for this long is ended (cut off: asked again from where
/// it stopped, or, opening, given up: the caller reads on the ordinary way, with its retries
/// and outage reports).
const SPAN_STALL: Duration = Duration::from_secs(10);
/// Requests in a row that bring nothing before a span's part is given up.
const SPAN_PART_TRIES: u32 = 3;
/// The first wait after a failed request; it doubles with each failure in a row...
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// ...up to this, so a host that comes back is found again within this long.
const MAX_BACKOFF: Duration = Duration::from_secs(15);

/// How a stream rides out a network that comes and goes: failed and dropped requests are
/// retried with backoff, from the byte that is missing, until this says to give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RetryPolicy {
    /// Give up once the host has been unreachable this long; `None` keeps trying (the app,
    /// where the listener sees the outage and can leave).
    pub give_up_after: Option<Duration>,
}

/// Why the stream cannot give the bytes asked for.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StreamError {
    /// A definite answer: retrying would get the same (404, 410, 403...).
    #[error("{url} answered HTTP {status}")]
    Http { url: Arc<str>, status: u16 },
    /// The host did not answer (refused, reset, timed out) for as long as the policy allows.
    #[error("could not reach {host}")]
    Unreachable { host: Arc<str> },
    /// The URL itself is unusable (scheme, syntax, redirect loop).
    #[error("{0}")]
    BadUrl(Arc<str>),
    #[error("the server sent a different part of the file than asked for")]
    WrongRange,
    #[error("the stream was closed")]
    Closed,
    #[error("the read was interrupted for a seek")]
    Interrupted,
}

impl StreamError {
    /// The stream's error behind an I/O error from its reader, if that is what it is.
    pub fn from_io(error: &io::Error) -> Option<&StreamError> {
        error.get_ref()?.downcast_ref::<StreamError>()
    }
}

/// What a failed request means for the stream.
enum Failure {
    /// Try again later: the network or the host may come back.
    Transient,
    /// Stop: the answer will not change.
    Permanent(StreamError),
}

fn classify_failure(e: &NetError) -> Failure {
    match e {
        NetError::WrongRange { .. } => Failure::Permanent(StreamError::WrongRange),
        // Busy, rate-limited and server errors pass; a request timeout too.
        NetError::Status { url, status }
            if (400..500).contains(status) && !matches!(status, 408 | 425 | 429) =>
        {
            Failure::Permanent(StreamError::Http {
                url: url.as_str().into(),
                status: *status,
            })
        }
        NetError::InvalidUrl { .. }
        | NetError::UnsupportedScheme { .. }
        | NetError::TooManyRedirects { .. } => {
            Failure::Permanent(StreamError::BadUrl(e.to_string().into()))
        }
        _ => Failure::Transient,
    }
}

/// The host part of `url`, for "can't reach ..." (the URL itself when it has none).
fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| url.to_string())
}

/// A run of failed requests, from the first failure until bytes arrive again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outage {
    pub host: String,
    pub since: Instant,
    /// Failed requests in this outage.
    pub attempts: u32,
    /// Whether the host had answered this stream before the outage (a drop mid-episode) or
    /// never (offline from the start).
    pub had_answered: bool,
}

/// What the player shows about the stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamStats {
    /// Bytes received from the network so far.
    pub bytes_fetched: u64,
    /// The file's size when known.
    pub total_len: Option<u64>,
    /// True once the server ignored a Range request: seeks ahead wait for data.
    pub progressive: bool,
    /// Requests made.
    pub requests: u32,
    /// Set while the host cannot be reached and the stream is retrying.
    pub outage: Option<Outage>,
}

#[derive(Default)]
struct State {
    /// Non-overlapping cached extents: start offset -> bytes.
    extents: BTreeMap<u64, Vec<u8>>,
    /// Total bytes in `extents`, kept up to date by `store` and `evict`.
    cached: u64,
    /// Extents asked for by [`RangeStream::prefetch`]: never evicted.
    pinned: Vec<(u64, u64)>,
    total_len: Option<u64>,
    /// The reader's position: the read-ahead and eviction are measured from here.
    read_pos: u64,
    /// Set while the reader is blocked on a byte that is not cached.
    want: Option<u64>,
    /// Byte ranges to prefetch when the fetcher is otherwise idle.
    prefetch_queue: Vec<(u64, u64)>,
    progressive: bool,
    /// No read-ahead until the player says where it starts (so a start at a chapter does not
    /// fetch the file's beginning first).
    read_ahead_paused: bool,
    error: Option<StreamError>,
    closed: bool,
    url: String,
    stats: StreamStats,
    /// The server has answered a request (its length and Range support are known).
    answered: bool,
    /// The bytes the fetcher's request now running asks for: a span read waits for them
    /// rather than asking again.
    in_flight: Option<(u64, u64)>,
    /// A span read ([`RangeStream::read_span`]) is fetching: the read-ahead waits.
    span_running: bool,
}

impl State {
    /// The first byte at or after `pos` that is not cached (`pos` itself when it is missing).
    fn next_missing(&self, pos: u64) -> u64 {
        let mut at = pos;
        if let Some((start, bytes)) = self.extents.range(..=at).next_back() {
            let end = start + bytes.len() as u64;
            if end > at {
                at = end;
            }
        }
        // Extents are not merged, so walk the ones that follow contiguously.
        while let Some(bytes) = self.extents.get(&at) {
            if bytes.is_empty() {
                break;
            }
            at += bytes.len() as u64;
        }
        at
    }

    /// Copies cached bytes at `pos` into `buf`; 0 when `pos` is not cached.
    fn copy_out(&self, pos: u64, buf: &mut [u8]) -> usize {
        let Some((start, bytes)) = self.extents.range(..=pos).next_back() else {
            return 0;
        };
        let end = start + bytes.len() as u64;
        if pos >= end {
            return 0;
        }
        let from = (pos - start) as usize;
        let n = buf.len().min(bytes.len() - from);
        buf[..n].copy_from_slice(&bytes[from..from + n]);
        n
    }

    fn at_end(&self, pos: u64) -> bool {
        self.total_len.is_some_and(|len| pos >= len)
    }

    /// Appends `data` received for offset `at`, skipping what is already cached.
    fn store(&mut self, at: u64, data: &[u8]) {
        self.stats.bytes_fetched += data.len() as u64;
        let mut at = at;
        let mut data = data;
        while !data.is_empty() {
            let covered = self.next_missing(at);
            if covered > at {
                let skip = (covered - at).min(data.len() as u64) as usize;
                data = &data[skip..];
                at += skip as u64;
                continue;
            }
            // Room until the next extent begins.
            let room = self
                .extents
                .range(at + 1..)
                .next()
                .map(|(start, _)| start - at)
                .unwrap_or(u64::MAX);
            let n = (data.len() as u64).min(room) as usize;
            let appended = match self.extents.range_mut(..at).next_back() {
                Some((start, bytes)) if start + bytes.len() as u64 == at => {
                    bytes.extend_from_slice(&data[..n]);
                    true
                }
                _ => false,
            };
            if !appended {
                self.extents.insert(at, data[..n].to_vec());
            }
            self.cached += n as u64;
            data = &data[n..];
            at += n as u64;
        }
    }

    /// Drops cached bytes far from the reader, keeping the head and prefetched chapter starts,
    /// so memory stays flat however long the episode.
    fn evict(&mut self) {
        let mut keep: Vec<(u64, u64)> = vec![
            (0, KEEP_HEAD_BYTES),
            (
                self.read_pos.saturating_sub(KEEP_BEHIND_BYTES),
                self.read_pos + READ_AHEAD_BYTES + REQUEST_BYTES * 2,
            ),
        ];
        keep.extend(self.pinned.iter().copied());
        let extents = std::mem::take(&mut self.extents);
        self.cached = 0;
        for (start, bytes) in extents {
            let end = start + bytes.len() as u64;
            for &(ks, ke) in &keep {
                let (s, e) = (start.max(ks), end.min(ke));
                if s < e {
                    let piece = &bytes[(s - start) as usize..(e - start) as usize];
                    // Overlapping keep ranges: store() skips what is already there.
                    self.store_quietly(s, piece);
                }
            }
        }
    }

    /// `store` without counting the bytes as fetched.
    fn store_quietly(&mut self, at: u64, data: &[u8]) {
        let fetched = self.stats.bytes_fetched;
        self.store(at, data);
        self.stats.bytes_fetched = fetched;
    }

    fn cached_bytes(&self) -> u64 {
        self.cached
    }
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the reader when bytes arrive or the stream fails.
    arrived: Condvar,
    /// Wakes the fetcher when the reader moves or wants something.
    wake_fetcher: Notify,
    /// Cuts a retry's backoff short ([`RangeStream::retry_now`], or closing).
    retry_now: Notify,
    closed: AtomicBool,
    read_pos_hint: AtomicU64,
    /// Set by [`RangeStream::interrupt`]: a read waiting for bytes gives up so the decoder can
    /// seek; cleared by [`RangeStream::clear_interrupt`] once it has.
    interrupted: AtomicBool,
    /// For [`RangeStream::read_span`]'s own requests, beside the fetcher's.
    runtime: tokio::runtime::Handle,
    http: HttpClient,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // No invariant spans a panic here: the state is plain data.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The blocking reader half. Cloning gives another reader over the same cache (the chapter
/// prefetcher and the decoder share bytes this way).
pub struct RangeStream {
    shared: Arc<Shared>,
    pos: u64,
}

impl RangeStream {
    /// Starts fetching `url` on `runtime` and returns at once; the first request (the file's
    /// head) is made, and retried as `policy` says, in the background. Reads wait for it.
    /// Only a URL that can never work fails here.
    pub fn start(
        runtime: &tokio::runtime::Handle,
        http: HttpClient,
        url: &str,
        policy: RetryPolicy,
    ) -> Result<RangeStream, StreamError> {
        let parsed = crate::net::parse_web_url(url)
            .map_err(|e| StreamError::BadUrl(e.to_string().into()))?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                read_ahead_paused: true,
                url: parsed.to_string(),
                ..State::default()
            }),
            arrived: Condvar::new(),
            wake_fetcher: Notify::new(),
            retry_now: Notify::new(),
            closed: AtomicBool::new(false),
            read_pos_hint: AtomicU64::new(0),
            interrupted: AtomicBool::new(false),
            runtime: runtime.clone(),
            http: http.clone(),
        });
        runtime.spawn(fetch_loop(Arc::clone(&shared), http, policy));
        Ok(RangeStream { shared, pos: 0 })
    }

    /// [`RangeStream::start`], then waits for the server's first answer, so a bad URL or a
    /// missing file fails here with a clear error (and an unreachable host after the
    /// default policy's retries).
    pub fn open(
        runtime: &tokio::runtime::Handle,
        http: HttpClient,
        url: &str,
    ) -> Result<RangeStream, StreamError> {
        let policy = RetryPolicy {
            give_up_after: Some(Duration::from_secs(15)),
        };
        let stream = RangeStream::start(runtime, http, url, policy)?;
        stream.wait_answered()?;
        Ok(stream)
    }

    /// Blocks until the server has answered the first request, or the stream failed.
    fn wait_answered(&self) -> Result<(), StreamError> {
        let mut state = self.shared.lock();
        loop {
            if state.answered {
                return Ok(());
            }
            if let Some(error) = &state.error {
                return Err(error.clone());
            }
            if state.closed {
                return Err(StreamError::Closed);
            }
            if self.shared.interrupted.load(Ordering::SeqCst) {
                return Err(StreamError::Interrupted);
            }
            state = self
                .shared
                .arrived
                .wait_timeout(state, Duration::from_millis(200))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// The URL the bytes come from (the final one, after redirects).
    pub fn url(&self) -> String {
        self.shared.lock().url.clone()
    }

    /// Retries at once when the stream is waiting out a backoff (the listener pressed Retry).
    pub fn retry_now(&self) {
        self.shared.retry_now.notify_one();
        self.shared.wake_fetcher.notify_one();
    }

    /// The file's length, when the server said it (waiting for its first answer).
    pub fn byte_len(&self) -> Option<u64> {
        if self.wait_answered().is_err() {
            return None;
        }
        self.shared.lock().total_len
    }

    pub fn stats(&self) -> StreamStats {
        let state = self.shared.lock();
        StreamStats {
            total_len: state.total_len,
            progressive: state.progressive,
            ..state.stats.clone()
        }
    }

    /// Bytes held in memory now.
    pub fn cached_bytes(&self) -> u64 {
        self.shared.lock().cached_bytes()
    }

    /// True when `start..end` is all in memory.
    pub fn is_cached(&self, start: u64, end: u64) -> bool {
        self.shared.lock().next_missing(start) >= end
    }

    /// The `len` bytes at `pos` (fewer at the end of the file) when all are in memory, read
    /// without moving this stream's reader or waiting: for the frame index's background
    /// extension, which must not steer the read-ahead.
    pub fn cached_at(&self, pos: u64, len: usize) -> Option<Vec<u8>> {
        let state = self.shared.lock();
        let end = state
            .total_len
            .map_or(pos + len as u64, |total| (pos + len as u64).min(total));
        if end <= pos || state.next_missing(pos) < end {
            return None;
        }
        copy_cached(&state, pos, end)
    }

    /// Asks the fetcher to bring `start..end` into memory and keep it there (chapter starts),
    /// after the read-ahead is full. Ignored in progressive mode: it cannot seek.
    pub fn prefetch(&self, ranges: &[(u64, u64)]) {
        let mut state = self.shared.lock();
        if state.progressive {
            return;
        }
        for &(s, e) in ranges {
            let e = state.total_len.map_or(e, |len| e.min(len));
            if s < e {
                state.pinned.push((s, e));
                state.prefetch_queue.push((s, e));
            }
        }
        drop(state);
        self.shared.wake_fetcher.notify_one();
    }

    /// Makes a read that is waiting for bytes return an error now (the player wants to seek
    /// elsewhere rather than wait).
    pub fn interrupt(&self) {
        self.shared.interrupted.store(true, Ordering::SeqCst);
        self.shared.arrived.notify_all();
    }

    pub fn clear_interrupt(&self) {
        self.shared.interrupted.store(false, Ordering::SeqCst);
    }

    /// Lets the fetcher read ahead of the reader (the player has found its start).
    pub fn start_read_ahead(&self) {
        self.shared.lock().read_ahead_paused = false;
        self.shared.wake_fetcher.notify_one();
    }

    /// Stops the fetcher; pending reads fail with [`StreamError::Closed`].
    pub fn close(&self) {
        self.shared.closed.store(true, Ordering::SeqCst);
        self.shared.lock().closed = true;
        self.shared.arrived.notify_all();
        self.shared.wake_fetcher.notify_one();
        self.shared.retry_now.notify_one();
    }

    /// Reads `start..end` (clamped to the file) through `take`, in file order, fetching it with
    /// up to [`SPAN_REQUESTS`] Range requests at once, one part each. For a VBR jump's frame
    /// scan, which must read megabytes before the first sound: one connection is often slower
    /// than the link (its window over the round trip), and the ordinary fetcher asks for
    /// [`REQUEST_BYTES`] at a time, one round trip each. `received` is told each piece's size
    /// as it arrives, in any order (for the progress shown). `take` returns false to stop early.
    ///
    /// Returns the offset up to which bytes were handed over: short of `end` when a part
    /// failed, the reader was interrupted, the stream closed, or the server cannot do Range.
    /// The caller reads on from there the ordinary way (retries, outage reports). The last
    /// [`REQUEST_BYTES`] handed over stay in the cache, and the reader's position moves there:
    /// playback starts reading in them.
    pub fn read_span(
        &self,
        start: u64,
        end: u64,
        take: &mut dyn FnMut(u64, &[u8]) -> bool,
        received: &dyn Fn(u64),
    ) -> u64 {
        let mut tail = Tail::default();
        let mut give = |at: u64, bytes: &[u8]| {
            // In pieces, so that a stop early in a big buffered part is where `take` stopped;
            // the tail keeps up to half its size past the stop (playback starts just before
            // it and reads on), not all the rest of the part.
            let mut at = at;
            let mut stopped_at = None;
            for piece in bytes.chunks(64 << 10) {
                if stopped_at.is_some_and(|s| at - s >= REQUEST_BYTES / 2) {
                    break;
                }
                tail.push(at, piece);
                if stopped_at.is_none() && !take(at, piece) {
                    stopped_at = Some(at + piece.len() as u64);
                }
                at += piece.len() as u64;
            }
            stopped_at.is_none()
        };
        let (at, _) = self.read_span_into(start, end, &mut give, received);
        if let Some((offset, bytes)) = tail.bytes() {
            let mut state = self.shared.lock();
            state.store_quietly(offset, bytes);
            self.set_read_pos(&mut state, offset);
            drop(state);
            self.shared.arrived.notify_all();
            self.shared.wake_fetcher.notify_one();
        }
        at
    }

    /// [`RangeStream::read_span`] without the tail: where it got to, and whether `take` said
    /// to stop.
    fn read_span_into(
        &self,
        start: u64,
        end: u64,
        take: &mut dyn FnMut(u64, &[u8]) -> bool,
        received: &dyn Fn(u64),
    ) -> (u64, bool) {
        let usable = |state: &State| {
            state.answered
                && !state.progressive
                && state.error.is_none()
                && !state.closed
                && state.stats.outage.is_none()
                && !self.shared.interrupted.load(Ordering::SeqCst)
        };
        let (url, end) = {
            let state = self.shared.lock();
            let end = state.total_len.map_or(end, |len| end.min(len));
            if !usable(&state) || end <= start {
                return (start, false);
            }
            (state.url.clone(), end)
        };
        // What is in memory already (the head, often) is handed over before any request.
        let mut at = start;
        if self.hand_over_cached(&mut at, end, take, received) == Handed::Stop {
            return (at, true);
        }
        if at >= end {
            return (at, false);
        }
        let (url, parts_from) = {
            let mut state = self.shared.lock();
            if !usable(&state) {
                return (at, false);
            }
            // A request in flight over the first missing byte (the head, after a launch at a
            // chapter) brings those bytes anyway: the parts start after it.
            let parts_from = state
                .in_flight
                .filter(|&(s, e)| s <= at && at < e)
                .map_or(at, |(_, e)| e.min(end));
            // The fetcher's read-ahead waits meanwhile: it would fetch what the parts bring.
            state.span_running = true;
            (url, parts_from)
        };
        let _span = SpanRunning(&self.shared);
        let span = end - parts_from;
        let parts = SPAN_REQUESTS.min(span.div_ceil(SPAN_MIN_REQUEST));
        let part_len = span.div_ceil(parts.max(1));
        let bounds: Vec<(u64, u64)> = (0..parts)
            .map(|i| {
                let from = parts_from + i * part_len;
                (from, (from + part_len).min(end))
            })
            .filter(|(s, e)| s < e)
            .collect();
        let (tx, rx) = std::sync::mpsc::channel::<SpanPiece>();
        let tasks = SpanTasks(
            bounds
                .iter()
                .enumerate()
                .map(|(part, &(s, e))| {
                    self.shared.runtime.spawn(fetch_span_part(
                        Arc::clone(&self.shared),
                        url.clone(),
                        part,
                        s,
                        e,
                        tx.clone(),
                    ))
                })
                .collect(),
        );
        drop(tx);

        // The bytes on their way from the request in flight, while the parts come.
        let (reached, stopped) = self.hand_over_arriving(at, parts_from, take, received);
        at = reached;
        if stopped || at < parts_from {
            return (at, stopped);
        }

        // Parts ahead of the one being handed over wait here; each part's bytes in order.
        let mut waiting: Vec<Vec<u8>> = vec![Vec::new(); bounds.len()];
        let mut finished = vec![false; bounds.len()];
        let mut failed = vec![false; bounds.len()];
        let mut current = 0;
        while current < bounds.len() {
            if self.stopping() {
                break;
            }
            // Short waits: a jump elsewhere (`interrupt`) is noticed within one.
            let piece = match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(piece) => piece,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                // The parts' tasks ended without a word (the runtime is shutting down).
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            };
            match piece {
                SpanPiece::Bytes(part, bytes) => {
                    received(bytes.len() as u64);
                    if part == current {
                        if !hand_on(take, &mut at, &bytes) {
                            return (at, true);
                        }
                    } else if let Some(w) = waiting.get_mut(part) {
                        w.extend_from_slice(&bytes);
                    }
                }
                SpanPiece::Done(part) => {
                    if let Some(f) = finished.get_mut(part) {
                        *f = true;
                    }
                }
                SpanPiece::Failed(part) => {
                    if let Some(f) = failed.get_mut(part) {
                        *f = true;
                    }
                }
            }
            // Hand over the parts that are complete, and what has come of the next one; a
            // failed part ends the read where its bytes end (the parts before it are used).
            while current < bounds.len() && (finished[current] || failed[current]) {
                if failed[current] || at != bounds[current].1 {
                    drop(tasks);
                    return (at, false);
                }
                current += 1;
                if let Some(w) = waiting.get_mut(current) {
                    let bytes = std::mem::take(w);
                    if !bytes.is_empty() && !hand_on(take, &mut at, &bytes) {
                        return (at, true);
                    }
                }
            }
        }
        (at, false)
    }

    /// Hands over what of `*at..to` is in the cache from `*at` on, without waiting, and moves
    /// `*at` past it.
    fn hand_over_cached(
        &self,
        at: &mut u64,
        to: u64,
        take: &mut dyn FnMut(u64, &[u8]) -> bool,
        received: &dyn Fn(u64),
    ) -> Handed {
        let bytes = {
            // Copied under the lock that found them: an eviction cannot come between.
            let state = self.shared.lock();
            let have = state.next_missing(*at).min(to);
            copy_cached(&state, *at, have)
        };
        let Some(bytes) = bytes else {
            return Handed::Lost;
        };
        if bytes.is_empty() {
            return Handed::Nothing;
        }
        received(bytes.len() as u64);
        if hand_on(take, at, &bytes) {
            Handed::GoOn
        } else {
            Handed::Stop
        }
    }

    /// Hands `from..to` over to `take` as it comes into the cache from the request in flight,
    /// without moving the reader; what that request does not bring is read the ordinary way.
    /// Returns where it got to, and whether `take` said to stop.
    fn hand_over_arriving(
        &self,
        from: u64,
        to: u64,
        take: &mut dyn FnMut(u64, &[u8]) -> bool,
        received: &dyn Fn(u64),
    ) -> (u64, bool) {
        let mut at = from;
        while at < to {
            if self.stopping() {
                return (at, false);
            }
            match self.hand_over_cached(&mut at, to, take, received) {
                Handed::Stop => return (at, true),
                Handed::Lost => return (at, false),
                Handed::GoOn => continue,
                Handed::Nothing => {}
            }
            let state = self.shared.lock();
            if state.next_missing(at) > at {
                // Arrived since it was looked for.
                continue;
            }
            if state.in_flight.is_some_and(|(s, e)| s <= at && at < e) {
                drop(
                    self.shared
                        .arrived
                        .wait_timeout(state, Duration::from_millis(200))
                        .unwrap_or_else(|p| p.into_inner()),
                );
                continue;
            }
            drop(state);
            let mut reader = self.clone();
            reader.pos = at;
            let mut buf = vec![0u8; (to - at).min(64 << 10) as usize];
            let Ok(n) = reader.read(&mut buf) else {
                return (at, false);
            };
            if n == 0 {
                return (at, false);
            }
            received(n as u64);
            if !hand_on(take, &mut at, &buf[..n]) {
                return (at, true);
            }
        }
        (at, false)
    }

    /// The stream was closed, or the reader interrupted by a jump elsewhere.
    fn stopping(&self) -> bool {
        self.shared.closed.load(Ordering::SeqCst) || self.shared.interrupted.load(Ordering::SeqCst)
    }

    fn set_read_pos(&self, state: &mut State, pos: u64) {
        state.read_pos = pos;
        self.shared.read_pos_hint.store(pos, Ordering::Relaxed);
    }
}

impl Clone for RangeStream {
    fn clone(&self) -> Self {
        RangeStream {
            shared: Arc::clone(&self.shared),
            pos: self.pos,
        }
    }
}

impl Read for RangeStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut state = self.shared.lock();
        loop {
            if state.closed {
                return Err(io::Error::other(StreamError::Closed));
            }
            let n = state.copy_out(self.pos, buf);
            if n > 0 {
                self.pos += n as u64;
                let pos = self.pos;
                let moved = pos > state.read_pos + (64 << 10) || pos < state.read_pos;
                self.set_read_pos(&mut state, pos);
                state.want = None;
                drop(state);
                if moved || n >= 4096 {
                    // Let the fetcher follow the reader and top up the read-ahead.
                    self.shared.wake_fetcher.notify_one();
                }
                return Ok(n);
            }
            if state.at_end(self.pos) {
                return Ok(0);
            }
            if let Some(error) = state.error.clone() {
                return Err(io::Error::other(error));
            }
            if self.shared.interrupted.load(Ordering::SeqCst) {
                return Err(io::Error::other(StreamError::Interrupted));
            }
            if state.want != Some(self.pos) {
                state.want = Some(self.pos);
                let pos = self.pos;
                self.set_read_pos(&mut state, pos);
                self.shared.wake_fetcher.notify_one();
            }
            let (guard, _) = self
                .shared
                .arrived
                .wait_timeout(state, Duration::from_millis(200))
                .unwrap_or_else(|p| p.into_inner());
            state = guard;
        }
    }
}

impl Seek for RangeStream {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let len = self.byte_len();
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => match len {
                Some(len) => len.checked_add_signed(d),
                None => {
                    return Err(io::Error::new(
                        io::ErrorKind::Unsupported,
                        "the server did not say how long the file is",
                    ))
                }
            },
        };
        let Some(target) = target else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start",
            ));
        };
        self.pos = target;
        Ok(target)
    }
}

/// What the fetcher should do next.
enum Next {
    /// Fetch from this offset, up to (not including) the end when given.
    Fetch(u64, Option<u64>),
    Wait,
    Stop,
}

fn decide(state: &mut State) -> Next {
    if state.closed || state.error.is_some() {
        return Next::Stop;
    }
    if !state.answered {
        // The head first: tags, headers, the length and whether Range works.
        return Next::Fetch(0, Some(HEAD_REQUEST_BYTES));
    }
    // A want already satisfied (the reader has not woken yet) is no want.
    let want = state.want.filter(|w| state.next_missing(*w) == *w);
    let from = want.unwrap_or(state.read_pos);
    let missing = state.next_missing(from);
    if (state.read_ahead_paused || state.span_running) && want.is_none() {
        return Next::Wait;
    }
    if !state.at_end(missing) && (want.is_some() || missing < from + READ_AHEAD_BYTES) {
        return Next::Fetch(missing, None);
    }
    if state.progressive {
        return Next::Wait;
    }
    while let Some((s, e)) = state.prefetch_queue.first().copied() {
        let missing = state.next_missing(s);
        if missing < e && !state.at_end(missing) {
            return Next::Fetch(missing, Some(e));
        }
        state.prefetch_queue.remove(0);
    }
    Next::Wait
}

/// The fetcher: one request at a time, from where the reader needs bytes. A failed request or
/// a transfer cut short is an outage: retried with backoff from the first missing byte (so
/// nothing is skipped or repeated), until bytes flow again or the policy gives up.
async fn fetch_loop(shared: Arc<Shared>, http: HttpClient, policy: RetryPolicy) {
    let mut backoff = FIRST_BACKOFF;
    loop {
        let next = decide(&mut shared.lock());
        let (offset, end) = match next {
            Next::Stop => return,
            Next::Wait => {
                let _ = tokio::time::timeout(
                    Duration::from_millis(250),
                    shared.wake_fetcher.notified(),
                )
                .await;
                continue;
            }
            Next::Fetch(offset, end) => (offset, end),
        };
        let (url, progressive) = {
            let s = shared.lock();
            tracing::debug!(offset, ?end, read_pos = s.read_pos, "range request");
            (s.url.clone(), s.progressive)
        };
        // Progressive servers only ever give the file from 0.
        let (ask, len) = if progressive {
            (0, None)
        } else {
            let len = end.map_or(REQUEST_BYTES, |e| e.saturating_sub(offset).max(1));
            (offset, Some(len.min(REQUEST_BYTES)))
        };
        {
            let mut s = shared.lock();
            s.stats.requests += 1;
            s.in_flight = len.map(|len| (ask, ask + len));
        }
        let failure = match http.open_media(&url, ask, len).await {
            Ok(response) => {
                take_answer(&shared, &response);
                pump(&shared, response).await.err()
            }
            Err(e) => Some(e),
        };
        shared.lock().in_flight = None;
        shared.arrived.notify_all();
        let Some(e) = failure else {
            backoff = FIRST_BACKOFF;
            continue;
        };
        if let Failure::Permanent(error) = classify_failure(&e) {
            tracing::warn!(error = %e, "stream failed");
            fail(&shared, error);
            return;
        }
        let outage = note_outage(&shared, &url);
        if outage.attempts == 1 {
            // A new outage (bytes flowed since the last one): start from a short wait again.
            backoff = FIRST_BACKOFF;
        }
        if !outage.had_answered || outage.attempts == 1 {
            tracing::info!(error = %e, host = %outage.host, "stream interrupted: retrying");
        }
        if policy
            .give_up_after
            .is_some_and(|limit| outage.since.elapsed() >= limit)
        {
            tracing::warn!(error = %e, "host unreachable: giving up");
            fail(
                &shared,
                StreamError::Unreachable {
                    host: outage.host.as_str().into(),
                },
            );
            return;
        }
        // Short of the policy's limit, so the last try comes just before it.
        let wait = match policy.give_up_after {
            Some(limit) => backoff
                .min(limit.saturating_sub(outage.since.elapsed()) + Duration::from_millis(10)),
            None => backoff,
        };
        let _ = tokio::time::timeout(wait, shared.retry_now.notified()).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// What a part of [`RangeStream::read_span`] sends back.
enum SpanPiece {
    Bytes(usize, Vec<u8>),
    Done(usize),
    Failed(usize),
}

/// The span's requests: ended when the read is over, however it ends.
struct SpanTasks(Vec<tokio::task::JoinHandle<()>>);

impl Drop for SpanTasks {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// The last bytes handed over by a span read, kept for playback, which starts reading there.
#[derive(Default)]
struct Tail {
    offset: u64,
    bytes: Vec<u8>,
}

impl Tail {
    fn push(&mut self, at: u64, data: &[u8]) {
        if self.offset + self.bytes.len() as u64 != at {
            self.offset = at;
            self.bytes.clear();
        }
        self.bytes.extend_from_slice(data);
        // Trimmed once it holds twice what is kept, so each byte is moved about once.
        let keep = REQUEST_BYTES as usize;
        if self.bytes.len() >= 2 * keep {
            let over = self.bytes.len() - keep;
            self.bytes.drain(..over);
            self.offset += over as u64;
        }
    }

    fn bytes(&self) -> Option<(u64, &[u8])> {
        let over = self.bytes.len().saturating_sub(REQUEST_BYTES as usize);
        (over < self.bytes.len()).then(|| (self.offset + over as u64, &self.bytes[over..]))
    }
}

/// One part of a span read: `start..end`, its bytes sent on as they come. A request cut off
/// is asked again from where it stopped; [`SPAN_PART_TRIES`] in a row that bring nothing, or
/// an answer that will not change (no Range, another range, 404...), end the part.
async fn fetch_span_part(
    shared: Arc<Shared>,
    url: String,
    part: usize,
    start: u64,
    end: u64,
    tx: std::sync::mpsc::Sender<SpanPiece>,
) {
    let mut at = start;
    let mut fruitless = 0;
    loop {
        shared.lock().stats.requests += 1;
        match fetch_span_request(&shared, &url, part, at, end, &tx).await {
            SpanRequest::Reached(reached) if reached >= end => {
                let _ = tx.send(SpanPiece::Done(part));
                return;
            }
            SpanRequest::Reached(reached) if reached > at => {
                at = reached;
                fruitless = 0;
            }
            SpanRequest::Reached(_) => fruitless += 1,
            SpanRequest::Refused => break,
            SpanRequest::NobodyListens => return,
        }
        if fruitless >= SPAN_PART_TRIES {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = tx.send(SpanPiece::Failed(part));
}

/// How one Range request of a span's part went.
enum SpanRequest {
    /// Its bytes came up to here (maybe none: a transient failure).
    Reached(u64),
    /// An answer that asking again will not change.
    Refused,
    /// The read is over: nobody takes the bytes.
    NobodyListens,
}

async fn fetch_span_request(
    shared: &Shared,
    url: &str,
    part: usize,
    start: u64,
    end: u64,
    tx: &std::sync::mpsc::Sender<SpanPiece>,
) -> SpanRequest {
    let opening = shared.http.open_media(url, start, Some(end - start));
    let mut response = match tokio::time::timeout(SPAN_STALL, opening).await {
        Ok(Ok(media)) if media.ranged && media.offset == start => media.response,
        Ok(Ok(_)) | Err(_) => return SpanRequest::Refused,
        Ok(Err(e)) => {
            return match classify_failure(&e) {
                Failure::Permanent(_) => SpanRequest::Refused,
                Failure::Transient => SpanRequest::Reached(start),
            }
        }
    };
    let mut at = start;
    while at < end {
        match tokio::time::timeout(SPAN_STALL, response.chunk()).await {
            Ok(Ok(Some(chunk))) => {
                // A server sending more than asked is held to what was asked.
                let n = (end - at).min(chunk.len() as u64) as usize;
                at += n as u64;
                shared.lock().stats.bytes_fetched += n as u64;
                if tx
                    .send(SpanPiece::Bytes(part, chunk[..n].to_vec()))
                    .is_err()
                {
                    return SpanRequest::NobodyListens;
                }
            }
            Ok(Ok(None)) | Ok(Err(_)) | Err(_) => break,
        }
    }
    SpanRequest::Reached(at)
}

/// Marks a span read as running (the fetcher's read-ahead waits) until dropped.
struct SpanRunning<'a>(&'a Shared);

impl Drop for SpanRunning<'_> {
    fn drop(&mut self) {
        self.0.lock().span_running = false;
        self.0.wake_fetcher.notify_one();
    }
}

/// The cached bytes `from..to`, when all are there.
/// What [`RangeStream::hand_over_cached`] found in the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Handed {
    /// Nothing at the offset asked.
    Nothing,
    /// The bytes were there but could not be copied.
    Lost,
    /// Handed over; `take` said to go on.
    GoOn,
    /// Handed over; `take` said to stop.
    Stop,
}

/// Gives `bytes`, which start at `*at`, to `take` and moves `*at` past them; false when `take`
/// says to stop.
fn hand_on(take: &mut dyn FnMut(u64, &[u8]) -> bool, at: &mut u64, bytes: &[u8]) -> bool {
    let go_on = take(*at, bytes);
    *at += bytes.len() as u64;
    go_on
}

fn copy_cached(state: &State, from: u64, to: u64) -> Option<Vec<u8>> {
    let mut out = vec![0u8; to.saturating_sub(from) as usize];
    let mut filled = 0;
    while filled < out.len() {
        let n = state.copy_out(from + filled as u64, &mut out[filled..]);
        if n == 0 {
            return None;
        }
        filled += n;
    }
    Some(out)
}

/// Takes in what a response says about the file: its length, Range support, final URL.
fn take_answer(shared: &Shared, response: &crate::net::MediaResponse) {
    let mut s = shared.lock();
    if !s.answered {
        s.answered = true;
        s.url = response.final_url.clone();
        s.progressive = !response.ranged;
        if !response.ranged {
            tracing::info!(url = %s.url, "server ignores Range: playing progressively");
        }
    } else if !response.ranged && !s.progressive {
        tracing::info!("server ignored Range: switching to progressive");
        s.progressive = true;
    }
    if s.progressive {
        s.prefetch_queue.clear();
    }
    if s.total_len.is_none() {
        s.total_len = response.total_len;
    }
    s.stats.total_len = s.total_len;
    s.stats.progressive = s.progressive;
    drop(s);
    shared.arrived.notify_all();
}

/// Counts a failed request into the current outage (starting one), and returns it.
fn note_outage(shared: &Shared, url: &str) -> Outage {
    let mut s = shared.lock();
    let had_answered = s.answered;
    let outage = s.stats.outage.get_or_insert_with(|| Outage {
        host: host_of(url),
        since: Instant::now(),
        attempts: 0,
        had_answered,
    });
    outage.attempts += 1;
    outage.clone()
}

fn fail(shared: &Shared, error: StreamError) {
    shared.lock().error = Some(error);
    shared.arrived.notify_all();
}

/// Reads one response into the cache until it ends, the reader wants bytes elsewhere, or the
/// read-ahead is full.
async fn pump(shared: &Shared, media: crate::net::MediaResponse) -> Result<(), NetError> {
    let url = media.final_url.clone();
    let mut response = media.response;
    let mut at = media.offset;
    let start = at;
    loop {
        // Decide before reading more: the reader may have jumped elsewhere.
        {
            let state = shared.lock();
            if state.closed {
                return Ok(());
            }
            if let Some(want) = state.want {
                let this_run = start..at + SKIP_AHEAD_TOLERANCE;
                if !this_run.contains(&want) && !state.progressive {
                    return Ok(());
                }
                if state.progressive && want < at && state.next_missing(want) == want {
                    // Evicted bytes behind: progressive servers need a fresh start from 0.
                    return Ok(());
                }
            }
            // Ranged requests are bounded (REQUEST_BYTES): each runs to its end, and `decide`
            // keeps the read-ahead bounded by not starting the next one.
        }
        // Progressive: hold the connection while far ahead instead of re-downloading from 0.
        loop {
            let pause = {
                let state = shared.lock();
                state.progressive
                    && state.want.is_none()
                    && !state.closed
                    && at.saturating_sub(state.read_pos) > READ_AHEAD_BYTES
            };
            if !pause {
                break;
            }
            let _ =
                tokio::time::timeout(Duration::from_millis(250), shared.wake_fetcher.notified())
                    .await;
        }
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => {
                let mut state = shared.lock();
                if state.total_len.is_none() {
                    state.total_len = Some(at);
                }
                drop(state);
                shared.arrived.notify_all();
                return Ok(());
            }
            Err(e) => return Err(body_error(&url, e)),
        };
        {
            let mut state = shared.lock();
            if state.stats.outage.take().is_some() {
                tracing::info!("stream reconnected");
            }
            state.store(at, &chunk);
            at += chunk.len() as u64;
            if state.cached_bytes() > READ_AHEAD_BYTES * 4 {
                state.evict();
            }
        }
        shared.arrived.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_with(extents: &[(u64, &[u8])]) -> State {
        let mut s = State::default();
        for (at, bytes) in extents {
            s.store(*at, bytes);
        }
        s
    }

    #[test]
    fn store_merges_contiguous_and_skips_overlap() {
        let mut s = state_with(&[(0, b"abcd"), (10, b"klmn")]);
        s.store(2, b"cdefghijklmnop");
        let mut out = [0u8; 16];
        let mut pos = 0;
        let mut text = Vec::new();
        while pos < 16 {
            let n = s.copy_out(pos, &mut out);
            assert!(n > 0, "hole at {pos}");
            text.extend_from_slice(&out[..n]);
            pos += n as u64;
        }
        assert_eq!(&text, b"abcdefghijklmnop");
        assert_eq!(s.next_missing(0), 16);
    }

    #[test]
    fn next_missing_finds_holes() {
        let s = state_with(&[(0, b"abcd"), (8, b"ijkl")]);
        assert_eq!(s.next_missing(0), 4);
        assert_eq!(s.next_missing(5), 5);
        assert_eq!(s.next_missing(8), 12);
        assert_eq!(s.copy_out(5, &mut [0u8; 4]), 0);
    }

    #[test]
    fn eviction_keeps_head_reader_window_and_pins() {
        let mut s = State::default();
        let block = vec![7u8; 64 << 10];
        for i in 0..200u64 {
            s.store(i * (64 << 10), &block);
        }
        s.pinned.push((5 << 20, (5 << 20) + 1000));
        s.read_pos = 10 << 20;
        s.evict();
        assert!(s.next_missing(0) >= KEEP_HEAD_BYTES, "head kept");
        assert!(s.copy_out(5 << 20, &mut [0u8; 8]) > 0, "pinned kept");
        assert!(
            s.copy_out(10 << 20, &mut [0u8; 8]) > 0,
            "reader window kept"
        );
        assert_eq!(s.copy_out(2 << 20, &mut [0u8; 8]), 0, "old bytes dropped");
        assert!(s.cached_bytes() < 4 << 20, "{} cached", s.cached_bytes());
    }
}
