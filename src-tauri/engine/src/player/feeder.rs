//! The decoder thread of one loaded episode: keeps the ring topped up, seeks on request.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::decode::{Decoding, ScanProgress};
use super::frame_index::IndexStep;
use super::ring::Ring;
use super::stream::RangeStream;
use super::PlayerError;

/// What the player asks of the decoder thread, and what it reports back.
#[derive(Default)]
struct Control {
    /// (episode frame, ring generation) of the newest seek not yet carried out.
    pending_seek: Mutex<Option<(u64, u64)>>,
    /// Chapter starts (episode frames) whose first seconds should be fetched ahead.
    prefetch: Mutex<Vec<u64>>,
    /// Set with `prefetch`, so the decode loop need not lock it for every packet.
    prefetch_asked: AtomicBool,
    error: Mutex<Option<PlayerError>>,
    stop: AtomicBool,
    /// The listener is listening (not paused or stopped): the index may be extended.
    playing: AtomicBool,
    /// Bytes the background index extension fetched with its own requests.
    index_bytes: AtomicU64,
}

/// Fetches `len` bytes of the episode's file at an offset, for its frame index, with a Range
/// request of its own; gives up (None) on a failure, or as soon as `abort` says so.
pub type IndexFetcher = Box<dyn Fn(u64, usize, &dyn Fn() -> bool) -> Option<Vec<u8>> + Send>;

/// The pause after a background index step that fetched: 64 KB each half second (1 Mbit/s,
/// eight times a 128 kbit/s episode's own rate), so an hour's file is indexed in about eight
/// minutes of listening and playback's own fetches keep the link. Steps served from
/// playback's cache do not wait.
const INDEX_STEP_EVERY: Duration = Duration::from_millis(500);

pub struct Feeder {
    control: Arc<Control>,
    ring: Arc<Ring>,
    scan: Arc<ScanProgress>,
    stream: Option<RangeStream>,
    thread: Option<JoinHandle<()>>,
}

/// Seconds of each chapter's start fetched ahead: enough to start from memory while the
/// read-ahead catches up; small enough that sixty chapters cost ~2.5 % of an hour's file.
const PREFETCH_SECONDS: f64 = 1.5;

impl Feeder {
    /// Starts decoding `decoding` at episode frame `start_frame` into `ring`.
    ///
    /// With `index_fetcher`, a VBR MP3's frame index is extended in the background while the
    /// listener listens, once they have jumped (or an earlier session's index was loaded), so
    /// that later jumps anywhere read no prefix.
    pub fn start(
        decoding: Decoding,
        ring: Arc<Ring>,
        stream: Option<RangeStream>,
        start_frame: u64,
        index_fetcher: Option<IndexFetcher>,
    ) -> Feeder {
        let control = Arc::new(Control::default());
        let scan = decoding.scan_progress();
        let generation = ring.restart_at(start_frame);
        if let Ok(mut pending) = control.pending_seek.lock() {
            *pending = Some((start_frame, generation));
        }
        let thread = {
            let control = Arc::clone(&control);
            let ring = Arc::clone(&ring);
            let stream = stream.clone();
            std::thread::Builder::new()
                .name("chaptercast-decode".into())
                .spawn(move || run(decoding, ring, control, stream, index_fetcher))
                .ok()
        };
        Feeder {
            control,
            ring,
            scan,
            stream,
            thread,
        }
    }

    /// Jumps to `frame`: what plays now is dropped at once, and the decoder starts there.
    pub fn seek(&self, frame: u64) {
        // The jump is a new try: an error from before it must not be seen after it.
        if let Ok(mut e) = self.control.error.lock() {
            *e = None;
        }
        let generation = self.ring.restart_at(frame);
        if let Ok(mut pending) = self.control.pending_seek.lock() {
            *pending = Some((frame, generation));
        }
        if let Some(stream) = &self.stream {
            stream.interrupt();
        }
        self.ring.room.notify_all();
    }

    /// Bytes the background index extension fetched with its own requests (the stream's own
    /// are in its stats).
    pub fn index_bytes(&self) -> u64 {
        self.control.index_bytes.load(Ordering::Relaxed)
    }

    /// Whether the listener is listening: the index is extended only then.
    pub fn set_playing(&self, playing: bool) {
        self.control.playing.store(playing, Ordering::SeqCst);
    }

    pub fn prefetch(&self, frames: Vec<u64>) {
        if let Ok(mut p) = self.control.prefetch.lock() {
            *p = frames;
        }
        self.control.prefetch_asked.store(true, Ordering::SeqCst);
        self.ring.room.notify_all();
    }

    /// The decoder's error, once it has stopped on one.
    pub fn error(&self) -> Option<PlayerError> {
        self.control.error.lock().ok().and_then(|e| e.clone())
    }

    /// How far a jump has read towards its target, while it reads (VBR MP3 over the network).
    pub fn finding(&self) -> Option<f32> {
        self.scan.fraction()
    }

    pub fn stream(&self) -> Option<&RangeStream> {
        self.stream.as_ref()
    }
}

impl Drop for Feeder {
    fn drop(&mut self) {
        self.control.stop.store(true, Ordering::SeqCst);
        if let Some(stream) = &self.stream {
            stream.close();
        }
        self.ring.room.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A jump that read this many frames before its target (about 53 s of audio), or one past
/// what may be read, starts the background extension; a skip of the intro or of 30 s does not.
const JUMP_FRAMES: u64 = 2048;

/// Fetches called off in a row because the ring ran low before the extension gives up: the
/// link is too slow to index on the side.
const RING_LOW_GIVE_UP: u32 = 3;

/// The background extension of the frame index (see [`Feeder::start`]).
struct IndexExtension {
    fetch: IndexFetcher,
    /// Started: the listener jumped far, or the index came from an earlier session.
    wanted: bool,
    /// Nothing more to do (complete, or a fetch failed: extension is a bonus, not retried).
    over: bool,
    next_step: Instant,
    /// Fetches in a row called off because playback needed the time.
    ring_low: u32,
}

impl IndexExtension {
    /// One step, when one is due.
    fn step(&mut self, decoding: &Decoding, control: &Control, ring: &Ring) {
        if self.over
            || !self.wanted
            || !control.playing.load(Ordering::SeqCst)
            || Instant::now() < self.next_step
        {
            return;
        }
        self.next_step = Instant::now() + INDEX_STEP_EVERY;
        if !decoding.index_extends() {
            self.over = true;
            return;
        }
        // A jump, a pause or an unload calls a fetch off at once, and so does the ring running
        // low: this thread must be back to decode before the sound runs out.
        let ring_low = || ring.lock().samples.len() < ring.capacity_samples() / 2;
        let abort = || {
            control.stop.load(Ordering::SeqCst)
                || !control.playing.load(Ordering::SeqCst)
                || control.pending_seek.lock().is_ok_and(|p| p.is_some())
                || ring_low()
        };
        let fetch = &self.fetch;
        let mut fetch = |at: u64, len: usize| {
            let got = fetch(at, len, &abort);
            if let Some(bytes) = &got {
                control
                    .index_bytes
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
            got
        };
        match decoding.extend_index(&mut fetch) {
            // From memory: the rate limit is for the network.
            IndexStep::More { fetched: false } => self.next_step = Instant::now(),
            IndexStep::More { fetched: true } => self.ring_low = 0,
            IndexStep::Failed if ring_low() => {
                self.ring_low += 1;
                self.over = self.ring_low >= RING_LOW_GIVE_UP;
            }
            // Called off otherwise: the next step asks again.
            IndexStep::Failed if abort() => {}
            IndexStep::Failed | IndexStep::Done => self.over = true,
        }
    }
}

fn run(
    mut decoding: Decoding,
    ring: Arc<Ring>,
    control: Arc<Control>,
    stream: Option<RangeStream>,
    index_fetcher: Option<IndexFetcher>,
) {
    let mut generation = u64::MAX;
    let mut finished = false;
    let mut extension = index_fetcher.map(|fetch| IndexExtension {
        fetch,
        wanted: decoding.index_restored(),
        over: false,
        next_step: Instant::now(),
        ring_low: 0,
    });
    // The first seek is where the episode starts, not a jump.
    let mut first_seek = true;
    loop {
        if control.stop.load(Ordering::SeqCst) {
            return;
        }
        let seek = control.pending_seek.lock().ok().and_then(|mut p| p.take());
        if let Some((frame, new_generation)) = seek {
            if let Some(stream) = &stream {
                stream.clear_interrupt();
            }
            generation = new_generation;
            finished = false;
            if let Ok(mut e) = control.error.lock() {
                *e = None;
            }
            let indexed_before = decoding.frame_index().map_or(0, |i| i.frames());
            let sought = decoding.seek(frame);
            // A far jump (not the episode's start) asks for the rest of the index.
            if !std::mem::take(&mut first_seek) {
                let read = decoding
                    .frame_index()
                    .map_or(0, |i| i.frames())
                    .saturating_sub(indexed_before);
                if let Some(x) = extension.as_mut() {
                    x.wanted |= read >= JUMP_FRAMES || !decoding.index_covers(frame);
                }
            }
            if let Err(e) = sought {
                if control.pending_seek.lock().is_ok_and(|p| p.is_some()) {
                    continue;
                }
                fail(&ring, &control, PlayerError::from(&e));
                finished = true;
            }
            if let Some(stream) = &stream {
                stream.start_read_ahead();
            }
            continue;
        }
        let prefetch = if control.prefetch_asked.swap(false, Ordering::SeqCst) {
            control
                .prefetch
                .lock()
                .ok()
                .map(|mut p| std::mem::take(&mut *p))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        if let (Some(stream), false) = (&stream, prefetch.is_empty()) {
            let ranges: Vec<(u64, u64)> = prefetch
                .iter()
                .filter_map(|&f| decoding.byte_range_for(f, PREFETCH_SECONDS))
                .collect();
            stream.prefetch(&ranges);
        }
        {
            let inner = ring.lock();
            if finished || inner.samples.len() >= ring.capacity_samples() {
                drop(ring.wait_for_room(inner, Duration::from_millis(50)));
                // The ring is full: time to spare for the index.
                if let Some(x) = extension.as_mut() {
                    x.step(&decoding, &control, &ring);
                }
                continue;
            }
        }
        match decoding.next_chunk() {
            Ok(Some(chunk)) => {
                let mut inner = ring.lock();
                if inner.generation != generation {
                    continue;
                }
                if inner.samples.is_empty() {
                    inner.head_frame = chunk.frame;
                }
                inner
                    .samples
                    .extend(decoding.samples(chunk).iter().copied());
                inner.loading = false;
            }
            Ok(None) => {
                let mut inner = ring.lock();
                if inner.generation == generation {
                    inner.ended = true;
                    inner.loading = false;
                }
                finished = true;
            }
            Err(e) => {
                if control.pending_seek.lock().is_ok_and(|p| p.is_some()) {
                    continue; // interrupted for a seek
                }
                tracing::warn!(error = %e, "decoding stopped");
                fail(&ring, &control, PlayerError::from(&e));
                finished = true;
            }
        }
    }
}

fn fail(ring: &Ring, control: &Control, error: PlayerError) {
    if let Ok(mut e) = control.error.lock() {
        *e = Some(error);
    }
    let mut inner = ring.lock();
    inner.loading = false;
}
