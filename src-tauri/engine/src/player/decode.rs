//! Decoding with symphonia, and seeking that lands on the asked sample.
//!
//! MP3 is positioned by us: the frame holding the target comes from an exact frame index when
//! the bytes before it have been seen (a downloaded file, or what has streamed by), else from
//! CBR arithmetic or the Xing table of contents. Decoding then starts earlier, by at least two
//! frames and 1.5 KB of them (the filter bank and the bit reservoir need them), and drops
//! samples up to the target, so the first sample heard is the asked one. Other formats use symphonia's accurate seek (MP4 sample
//! tables, Ogg bisection), also followed by dropping samples up to the target.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{Decoder, DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::{FormatOptions, FormatReader, SeekMode, SeekTo};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;
use symphonia::core::units::Time;

use super::frame_index::{FrameIndexHandle, IndexStep, SavedFrameIndex};
use super::input::{MediaInput, Window};
use super::mp3_layout::{FrameIndex, LayoutError, Mp3Kind, Mp3Layout};
use super::mp4_guard;
use crate::chapters::id3;

/// Frames decoded before the target frame and thrown away, at least (the filter bank's
/// overlap); low bitrates need more (see [`PREROLL_BYTES`]).
const MP3_PREROLL_FRAMES: u64 = 2;
/// Bytes of frames decoding starts before a target, at least: a frame's audio data may begin
/// up to 511 bytes before its header (the bit reservoir), which at a low bitrate is several
/// frames back, and the preroll's own frames need theirs too. Fewer, and a jump's first frames
/// come out silent.
const PREROLL_BYTES: u64 = 1536;
/// The most frames decoded and thrown away before a target (a tiny mean frame size).
const MAX_PREROLL_FRAMES: u64 = 64;
/// Most bytes read just to make a VBR jump exact (see [`Decoding::index_towards`]).
const VBR_SCAN_BUDGET: u64 = 8 << 20;
/// The head read to recognise an MP3 and its Xing/LAME tag.
const HEAD_BYTES: usize = 64 << 10;
/// A scan this long is fetched by several requests at once
/// ([`super::stream::RangeStream::read_span`]);
/// shorter ones cost a round trip or two the ordinary way.
const PARALLEL_SCAN_MIN: u64 = 512 << 10;
/// Bytes read before a chapter's first frame for the frames that lead to it (its preroll).
const ANCHOR_LEAD_IN_BYTES: u64 = 8 << 10;
/// Bytes one background step of [`Decoding::extend_index`] reads.
pub const INDEX_STEP_BYTES: usize = 64 << 10;

/// Why audio could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("the audio could not be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("this is not audio Chaptercast can play")]
    Unsupported,
    #[error("the audio is damaged: {0}")]
    Damaged(String),
    /// The decoder panicked on these bytes; the episode is treated as damaged and nothing
    /// else is affected.
    #[error("the audio is damaged (the decoder failed: {0})")]
    DecoderPanic(String),
}

/// Runs a call into symphonia so that a panic in it becomes an error for this episode. The
/// player, the app and the other episodes go on: a file must never take them down.
fn contained<T>(call: impl FnOnce() -> Result<T, DecodeError>) -> Result<T, DecodeError> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_string());
            tracing::warn!(%message, "the decoder panicked");
            Err(DecodeError::DecoderPanic(message))
        }
    }
}

impl From<mp4_guard::Mp4GuardError> for DecodeError {
    fn from(e: mp4_guard::Mp4GuardError) -> Self {
        match e {
            mp4_guard::Mp4GuardError::Io(io) => DecodeError::Io(io),
            malformed => DecodeError::Damaged(malformed.to_string()),
        }
    }
}

impl From<SymphoniaError> for DecodeError {
    fn from(e: SymphoniaError) -> Self {
        match e {
            SymphoniaError::IoError(io) => DecodeError::Io(io),
            SymphoniaError::Unsupported(_) => DecodeError::Unsupported,
            other => DecodeError::Damaged(other.to_string()),
        }
    }
}

/// How positions map to bytes for this file.
enum Layout {
    Mp3 {
        layout: Box<Mp3Layout>,
        index: Arc<Mutex<FrameIndex>>,
        /// The index went on from one saved by an earlier session.
        restored: bool,
        /// Chapters' first frames, from the ID3 tag's `CHAP` byte offsets, by time.
        anchors: Vec<Anchor>,
        /// The frames indexed from one of `anchors` for the last jump that used it.
        anchored: Option<AnchoredIndex>,
    },
    Other,
}

/// A chapter's first frame, where its ID3 `CHAP` frame says it starts: a jump at or after it
/// reads the frames from there instead of all those before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Anchor {
    byte: u64,
    /// Its first sample, counted as the frame index counts (from the first audio frame).
    raw_sample: u64,
}

/// Frames indexed from a frame other than the first (an anchor's lead-in).
struct AnchoredIndex {
    first_raw_sample: u64,
    index: FrameIndex,
}

impl AnchoredIndex {
    /// Like [`FrameIndex::locate`] for the frame holding `preroll` (at most the preroll before
    /// `raw`), from this index's first frame on.
    fn locate(&self, preroll: u64, raw: u64) -> Option<(u64, u64)> {
        if raw < self.first_raw_sample {
            return None;
        }
        let from = preroll.max(self.first_raw_sample) - self.first_raw_sample;
        let (byte, sample) = self.index.locate(from)?;
        Some((byte, sample + self.first_raw_sample))
    }
}

/// Where decoding starts to reach a sample.
struct Located {
    byte: u64,
    /// The raw sample the frame at `byte` starts with.
    first_sample: u64,
    /// From an index (a frame start); else an estimate to resync from.
    exact: bool,
}

/// One episode being decoded.
pub struct Decoding {
    input: MediaInput,
    layout: Layout,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn Decoder>,
    track_id: u32,
    pub sample_rate: u32,
    pub channels: u16,
    /// Length in frames when known.
    pub duration_frames: Option<u64>,
    /// Episode frame of packet timestamp 0 in the current MP3 window (negative: the skipped
    /// encoder delay lies before it).
    window_frame0: i64,
    /// Samples before this episode frame are decoded but not output (after a seek).
    drop_before: u64,
    time_base: Option<symphonia::core::units::TimeBase>,
    buffer: Option<SampleBuffer<f32>>,
    /// Set once the decoder has panicked: its state is unknown, so it is not used again.
    broken: bool,
    /// How far a jump has read towards its target (see [`ScanProgress`]).
    scan: Arc<ScanProgress>,
}

/// How far a jump into a VBR MP3 without a usable seek table has read the frames before its
/// target: MP3 frames carry no timestamps, so the bytes up to the target are read (their
/// headers only are kept). Shared with the player, which shows it ("Finding 34:10… 45 %"), so
/// a jump that reads megabytes over a slow link never looks frozen.
#[derive(Debug, Default)]
pub struct ScanProgress {
    done: AtomicU64,
    /// Bytes the scan must read; 0 while no scan runs.
    total: AtomicU64,
}

impl ScanProgress {
    /// The share read so far, while a scan runs.
    pub fn fraction(&self) -> Option<f32> {
        let total = self.total.load(Ordering::Acquire);
        (total > 0).then(|| {
            (self.done.load(Ordering::Acquire) as f64 / total as f64).clamp(0.0, 1.0) as f32
        })
    }

    fn begin(&self, total: u64) -> ScanRunning<'_> {
        self.done.store(0, Ordering::Release);
        self.total.store(total.max(1), Ordering::Release);
        ScanRunning(self)
    }
}

/// A running scan; dropping it (at the end, on an error, on a newer jump) ends the report.
struct ScanRunning<'a>(&'a ScanProgress);

impl ScanRunning<'_> {
    fn read(&self, bytes: u64) {
        self.0.done.fetch_add(bytes, Ordering::AcqRel);
    }
}

impl Drop for ScanRunning<'_> {
    fn drop(&mut self) {
        self.0.total.store(0, Ordering::Release);
    }
}

/// Where the last decoded run of samples is: the episode frame of its first sample, and
/// where that sample sits in the decode buffer ([`Decoding::samples`]).
#[derive(Debug, Clone, Copy)]
pub struct Chunk {
    pub frame: u64,
    from: usize,
}

impl Decoding {
    /// Recognises the audio and gets ready to decode from the start.
    pub fn open(input: MediaInput, mime: Option<&str>) -> Result<Decoding, DecodeError> {
        Decoding::open_with_index(input, mime, None)
    }

    /// Like [`Decoding::open`], going on from a frame index saved for this file (ignored when
    /// it is not this file's), so jumps into what it covers read no prefix.
    pub fn open_with_index(
        mut input: MediaInput,
        mime: Option<&str>,
        saved: Option<&SavedFrameIndex>,
    ) -> Result<Decoding, DecodeError> {
        let len = input.byte_len();
        let mut head = input.read_at(0, HEAD_BYTES)?;
        let mut mp3 = Mp3Layout::from_head(&head, len);
        if let Err(LayoutError::NeedMoreData { needed_len }) = mp3 {
            // A big ID3 tag (cover art): read past it, within reason.
            if needed_len <= 16 << 20 {
                head = input.read_at(0, needed_len as usize + HEAD_BYTES)?;
                mp3 = Mp3Layout::from_head(&head, len);
            }
        }
        let looks_mp3 = mime.is_none_or(|m| m.contains("mpeg") || m.contains("mp3"))
            || mime.is_some_and(|m| m.starts_with("application/"));
        // Anything symphonia's MP4 reader may see is checked first (see `mp4_guard`): an MP4
        // box at the start, or an `ftyp` marker its probe would find, unless this is taken
        // as MP3.
        let as_mp3 = mp3.is_ok() && looks_mp3;
        let mp4_at = if mp4_guard::looks_like_mp4(&head) {
            Some(0)
        } else {
            mp4_marker(&head).filter(|_| !as_mp3)
        };
        if let Some(base) = mp4_at {
            let whole_file = input.is_local();
            mp4_guard::check(&mut input.try_clone()?, base, len, whole_file)?;
        }
        match mp3 {
            Ok(layout) if looks_mp3 || !probe_other(&mut input)? => {
                let restored = saved
                    .filter(|s| Some(s.byte_len) == len)
                    .and_then(|s| FrameIndex::from_saved(&layout, &s.bytes));
                if let Some(r) = &restored {
                    tracing::debug!(frames = r.frames_indexed(), "frame index restored");
                }
                let index_restored = restored.is_some();
                let anchors = chapter_anchors(&head, &layout, len);
                let index = Arc::new(Mutex::new(
                    restored.unwrap_or_else(|| FrameIndex::new(&layout)),
                ));
                let window = Window::new(
                    input.try_clone()?,
                    layout.first_audio_frame,
                    false,
                    Some(Arc::clone(&index)),
                )?;
                let (format, decoder, track_id, _) = open_reader(window, Some("mp3"))?;
                let skip = layout.start_skip_samples() as i64;
                let duration_frames = layout
                    .duration_samples()
                    .map(|d| d.saturating_sub(skip as u64));
                Ok(Decoding {
                    sample_rate: layout.sample_rate,
                    channels: layout.channels,
                    duration_frames,
                    layout: Layout::Mp3 {
                        layout: Box::new(layout),
                        index,
                        restored: index_restored,
                        anchors,
                        anchored: None,
                    },
                    input,
                    format,
                    decoder,
                    track_id,
                    window_frame0: -skip,
                    drop_before: 0,
                    time_base: None,
                    buffer: None,
                    broken: false,
                    scan: Arc::default(),
                })
            }
            _ => {
                let window = Window::new(input.try_clone()?, 0, true, None)?;
                let hint = mime.and_then(extension_for_mime);
                let (format, decoder, track_id, info) = open_reader(window, hint)?;
                Ok(Decoding {
                    sample_rate: info.sample_rate,
                    channels: info.channels,
                    duration_frames: info.duration_frames,
                    layout: Layout::Other,
                    input,
                    format,
                    decoder,
                    track_id,
                    window_frame0: 0,
                    drop_before: 0,
                    time_base: info.time_base,
                    buffer: None,
                    broken: false,
                    scan: Arc::default(),
                })
            }
        }
    }

    /// How far the current jump has read towards its target (shared: read it from any thread).
    pub fn scan_progress(&self) -> Arc<ScanProgress> {
        Arc::clone(&self.scan)
    }

    /// The frame index of a VBR MP3 of known length, for the player to keep (CBR positions
    /// are computed exactly: their index is not worth keeping).
    pub fn frame_index(&self) -> Option<FrameIndexHandle> {
        match &self.layout {
            Layout::Mp3 { layout, index, .. } if matches!(layout.kind, Mp3Kind::Vbr { .. }) => {
                Some(FrameIndexHandle::new(
                    Arc::clone(index),
                    self.input.byte_len()?,
                ))
            }
            _ => None,
        }
    }

    /// Whether the frame index (of a VBR MP3) places episode frame `frame` exactly.
    pub fn index_covers(&self, frame: u64) -> bool {
        match &self.layout {
            Layout::Mp3 { layout, index, .. } => index
                .lock()
                .is_ok_and(|i| i.locate(frame + layout.start_skip_samples()).is_some()),
            Layout::Other => false,
        }
    }

    /// Whether the frame index went on from one an earlier session saved.
    pub fn index_restored(&self) -> bool {
        matches!(self.layout, Layout::Mp3 { restored: true, .. })
    }

    /// Whether [`Decoding::extend_index`] has work: a VBR MP3 over the network whose index
    /// does not reach its end (CBR positions are computed exactly, local files are indexed
    /// whole on their first jump).
    pub fn index_extends(&self) -> bool {
        match &self.layout {
            Layout::Mp3 { layout, .. } if !self.input.is_local() => {
                matches!(layout.kind, Mp3Kind::Vbr { .. })
                    && self.frame_index().is_some_and(|i| !i.complete())
            }
            _ => false,
        }
    }

    /// Indexes the next [`INDEX_STEP_BYTES`] past the indexed region: from playback's cache
    /// when they are there, else through `fetch` (offset, length → bytes; one Range request
    /// of its own, so playback's cache and read-ahead are left alone). Each byte is read once:
    /// the step starts where the index ends.
    pub fn extend_index(&self, fetch: &mut dyn FnMut(u64, usize) -> Option<Vec<u8>>) -> IndexStep {
        let Layout::Mp3 { index, .. } = &self.layout else {
            return IndexStep::Done;
        };
        let Some(at) = index.lock().ok().and_then(|i| i.next_offset()) else {
            return IndexStep::Done;
        };
        // What playback's own stream holds (its read-ahead) is not fetched a second time.
        let cached = match &self.input {
            MediaInput::Stream(own) => own.cached_at(at, INDEX_STEP_BYTES),
            _ => None,
        };
        let fetched = cached.is_none();
        let Some(bytes) = cached.or_else(|| fetch(at, INDEX_STEP_BYTES)) else {
            return IndexStep::Failed;
        };
        if bytes.is_empty() {
            return IndexStep::Done;
        }
        if let Ok(mut i) = index.lock() {
            i.feed(at, &bytes);
        }
        if self.index_extends() {
            IndexStep::More { fetched }
        } else {
            IndexStep::Done
        }
    }

    /// Stops the stream under this decoding, if any (a result nobody wants any more).
    pub fn close(&self) {
        if let MediaInput::Stream(stream) = &self.input {
            stream.close();
        }
    }

    /// Frames indexed exactly so far (MP3), for tests and the status line.
    pub fn indexed_frames(&self) -> Option<u64> {
        match &self.layout {
            Layout::Mp3 { index, .. } => index.lock().ok().map(|i| i.frames_indexed()),
            Layout::Other => None,
        }
    }

    /// The byte range to prefetch so a jump to `frame` plays from memory (MP3 only).
    pub fn byte_range_for(&self, frame: u64, seconds: f64) -> Option<(u64, u64)> {
        let Layout::Mp3 { layout, .. } = &self.layout else {
            return None;
        };
        let Located {
            byte: start,
            first_sample,
            ..
        } = self.locate_mp3(frame)?;
        let bytes_per_second = layout_bytes_per_second(layout, self.input.byte_len());
        // Decoding starts up to a stride and the preroll before the target: those too.
        let early = (frame + layout.start_skip_samples()).saturating_sub(first_sample) as f64
            / f64::from(layout.sample_rate.max(1));
        let end = start + (bytes_per_second * (seconds + early)) as u64 + 4096;
        Some((start.saturating_sub(4096), end))
    }

    /// Where to start decoding an MP3 to reach episode frame `frame` (the preroll before it):
    /// from the frame index, else from a chapter's anchored frames, else an estimate.
    fn locate_mp3(&self, frame: u64) -> Option<Located> {
        let Layout::Mp3 {
            layout,
            index,
            anchored,
            ..
        } = &self.layout
        else {
            return None;
        };
        let raw = frame + layout.start_skip_samples();
        let spf = u64::from(layout.samples_per_frame.max(1));
        let preroll = raw.saturating_sub(preroll_frames(layout, self.input.byte_len()) * spf);
        let indexed = index.lock().ok().and_then(|i| i.locate(preroll));
        if let Some((byte, first_sample)) =
            indexed.or_else(|| anchored.as_ref()?.locate(preroll, raw))
        {
            return Some(Located {
                byte,
                first_sample,
                exact: true,
            });
        }
        let estimate = layout.estimate(preroll);
        Some(Located {
            byte: estimate.byte,
            first_sample: estimate.frame_first_sample,
            exact: false,
        })
    }

    /// Makes the next chunk start exactly at episode frame `frame`.
    pub fn seek(&mut self, frame: u64) -> Result<(), DecodeError> {
        self.guarded(|d| d.seek_unguarded(frame))
    }

    /// Decodes the next packet. `None` at the end of the audio.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, DecodeError> {
        self.guarded(Decoding::next_chunk_unguarded)
    }

    fn guarded<T>(
        &mut self,
        call: impl FnOnce(&mut Decoding) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        if self.broken {
            return Err(DecodeError::DecoderPanic("it failed before".into()));
        }
        let result = contained(|| call(self));
        if matches!(result, Err(DecodeError::DecoderPanic(_))) {
            self.broken = true;
        }
        result
    }

    fn seek_unguarded(&mut self, frame: u64) -> Result<(), DecodeError> {
        self.drop_before = frame;
        match &self.layout {
            Layout::Mp3 { .. } => {
                if self.input.is_local() {
                    self.index_whole_file()?;
                } else {
                    self.index_towards(frame)?;
                }
                let Some(Located {
                    mut byte,
                    first_sample,
                    exact,
                }) = self.locate_mp3(frame)
                else {
                    return Ok(());
                };
                let Layout::Mp3 { layout, index, .. } = &self.layout else {
                    return Ok(());
                };
                if !exact {
                    // An estimate: step forward onto the frame header it points before.
                    let mut scratch = self.input.try_clone()?;
                    let bytes = scratch.read_at(byte, 8192)?;
                    if let Some(found) = layout.resync(&bytes, byte, byte) {
                        byte = found;
                    }
                }
                let window = Window::new(
                    self.input.try_clone()?,
                    byte,
                    false,
                    Some(Arc::clone(index)),
                )?;
                let skip = layout.start_skip_samples() as i64;
                let (format, decoder, track_id, _) = open_reader(window, Some("mp3"))?;
                self.format = format;
                self.decoder = decoder;
                self.track_id = track_id;
                self.window_frame0 = first_sample as i64 - skip;
                Ok(())
            }
            Layout::Other => {
                let seconds = frame as f64 / f64::from(self.sample_rate.max(1));
                let time = Time::new(seconds.trunc() as u64, seconds.fract());
                self.format.seek(
                    SeekMode::Accurate,
                    SeekTo::Time {
                        time,
                        track_id: Some(self.track_id),
                    },
                )?;
                self.decoder.reset();
                Ok(())
            }
        }
    }

    /// VBR over the network: the Xing table can be seconds off, so when the target lies within
    /// [`VBR_SCAN_BUDGET`] bytes of what is indexed, those bytes are read (only their frame
    /// headers are kept) and the jump is exact. Farther jumps use the estimate. A chapter whose
    /// ID3 `CHAP` frame gives its byte offset shortens this: a jump at or after it reads from
    /// there (see [`Decoding::index_from_anchor`]).
    fn index_towards(&mut self, frame: u64) -> Result<(), DecodeError> {
        let Layout::Mp3 { layout, index, .. } = &self.layout else {
            return Ok(());
        };
        if !matches!(layout.kind, Mp3Kind::Vbr { .. }) {
            return Ok(());
        }
        let raw = frame + layout.start_skip_samples();
        let (indexed_end, located) = match index.lock() {
            Ok(i) => (i.next_offset(), i.locate(raw).is_some()),
            Err(_) => return Ok(()),
        };
        let Some(at) = indexed_end.filter(|_| !located) else {
            return Ok(());
        };
        if self.index_from_anchor(raw, at)? {
            return Ok(());
        }
        let Layout::Mp3 { layout, index, .. } = &self.layout else {
            return Ok(());
        };
        let target = layout.estimate(raw).byte + (64 << 10);
        let mut feed = |offset: u64, bytes: &[u8]| {
            let Ok(mut i) = index.lock() else {
                return true;
            };
            i.feed(offset, bytes);
            i.locate(raw).is_some()
        };
        scan(&self.input, at, target, &self.scan, &mut feed)
    }

    /// A jump past what is indexed, at or after a chapter whose first frame lies past it too
    /// (an [`Anchor`]): the frames are indexed from a little before that chapter (its
    /// preroll) instead of from the end of the index. False when no anchor serves (none, or its
    /// offset is not a frame start here): the caller reads from the end of the index.
    fn index_from_anchor(&mut self, raw: u64, indexed_end: u64) -> Result<bool, DecodeError> {
        let Layout::Mp3 {
            layout,
            anchors,
            anchored,
            ..
        } = &mut self.layout
        else {
            return Ok(false);
        };
        let spf = u64::from(layout.samples_per_frame.max(1));
        let preroll = raw.saturating_sub(preroll_frames(layout, self.input.byte_len()) * spf);
        if anchored.as_ref().is_some_and(|a| {
            a.locate(preroll, raw).is_some() && a.index.locate(raw - a.first_raw_sample).is_some()
        }) {
            return Ok(true);
        }
        let Some(anchor) = anchors
            .iter()
            .rev()
            .find(|a| a.raw_sample <= raw && a.byte > indexed_end)
            .copied()
        else {
            return Ok(false);
        };
        // The frames before the chapter's first, for the preroll.
        let from = anchor
            .byte
            .saturating_sub(ANCHOR_LEAD_IN_BYTES)
            .max(layout.first_audio_frame)
            .max(indexed_end);
        let head = self
            .input
            .try_clone()?
            .read_at(from, (anchor.byte - from) as usize + (64 << 10))?;
        let Some((first, frames)) =
            layout.frames_leading_to(&head, from, anchor.byte, MP3_PREROLL_FRAMES, PREROLL_BYTES)
        else {
            tracing::debug!(
                byte = anchor.byte,
                "a chapter's offset is not a frame start"
            );
            return Ok(false);
        };
        let Some(first_raw_sample) = anchor.raw_sample.checked_sub(frames * spf) else {
            return Ok(false);
        };
        let mut index = FrameIndex::from_frame(layout, first);
        index.feed(from, &head);
        let at = from + head.len() as u64;
        let found = index.locate(raw - first_raw_sample).is_some();
        // Read on towards the target as the index's end does: the estimate past the chapter.
        let target = layout.estimate(raw).byte.max(anchor.byte) + (64 << 10);
        let mut in_progress = AnchoredIndex {
            first_raw_sample,
            index,
        };
        if !found {
            let mut feed = |offset: u64, bytes: &[u8]| {
                in_progress.index.feed(offset, bytes);
                in_progress.index.locate(raw - first_raw_sample).is_some()
            };
            scan(&self.input, at, target, &self.scan, &mut feed)?;
        }
        let Layout::Mp3 { anchored, .. } = &mut self.layout else {
            return Ok(false);
        };
        *anchored = Some(in_progress);
        Ok(true)
    }

    /// Reads every frame header of a local file once, so seeks in it are exact.
    fn index_whole_file(&mut self) -> Result<(), DecodeError> {
        let Layout::Mp3 { layout, index, .. } = &self.layout else {
            return Ok(());
        };
        let Some(len) = self.input.byte_len() else {
            return Ok(());
        };
        let already = index.lock().map(|i| i.frames_indexed()).unwrap_or(0);
        if layout.total_frames.is_some_and(|t| already >= t) {
            return Ok(());
        }
        let mut scratch = self.input.try_clone()?;
        let mut fresh = FrameIndex::new(layout);
        let mut at = layout.first_audio_frame;
        while at < len {
            let bytes = scratch.read_at(at, 1 << 20)?;
            if bytes.is_empty() {
                break;
            }
            fresh.feed(at, &bytes);
            at += bytes.len() as u64;
        }
        if let Ok(mut index) = index.lock() {
            if fresh.frames_indexed() > index.frames_indexed() {
                *index = fresh;
            }
        }
        Ok(())
    }

    /// The samples of `chunk`, the last one decoded.
    pub fn samples(&self, chunk: Chunk) -> &[f32] {
        self.buffer
            .as_ref()
            .and_then(|b| b.samples().get(chunk.from..))
            .unwrap_or(&[])
    }

    fn next_chunk_unguarded(&mut self) -> Result<Option<Chunk>, DecodeError> {
        loop {
            let packet = match self.format.next_packet() {
                Ok(p) => p,
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    return Ok(None)
                }
                Err(SymphoniaError::ResetRequired) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            if packet.track_id() != self.track_id {
                continue;
            }
            let ts = packet.ts();
            let decoded = match self.decoder.decode(&packet) {
                Ok(d) => d,
                // A damaged frame (or one missing its bit reservoir after a seek): skip it.
                Err(SymphoniaError::DecodeError(why)) => {
                    tracing::trace!(why, "skipping undecodable packet");
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let spec = *decoded.spec();
            let frames = decoded.frames();
            if frames == 0 {
                continue;
            }
            let needs_new = self
                .buffer
                .as_ref()
                .is_none_or(|b| b.capacity() < frames * spec.channels.count());
            if needs_new {
                self.buffer = Some(SampleBuffer::new(frames as u64, spec));
            }
            let Some(buffer) = self.buffer.as_mut() else {
                continue;
            };
            buffer.copy_interleaved_ref(decoded);
            let channels = usize::from(self.channels.max(1));
            let start = match (&self.layout, self.time_base) {
                (Layout::Mp3 { .. }, _) => self.window_frame0 + ts as i64,
                (Layout::Other, Some(tb)) => {
                    let t = tb.calc_time(ts);
                    ((t.seconds as f64 + t.frac) * f64::from(self.sample_rate)).round() as i64
                }
                (Layout::Other, None) => ts as i64,
            };
            let end = start + frames as i64;
            let keep_from = (self.drop_before as i64).max(0);
            if end <= keep_from {
                continue;
            }
            let skip_frames = (keep_from - start).max(0) as usize;
            let from = (skip_frames * channels).min(buffer.samples().len());
            let frame = (start + skip_frames as i64) as u64;
            return Ok(Some(Chunk { frame, from }));
        }
    }
}

/// Reads `at..target` of `input` (when within [`VBR_SCAN_BUDGET`]) and gives the bytes, in
/// order, to `feed` until it says it found what it looks for. A long read is fetched in parts
/// at once and handed over in order; whatever that could not fetch is read the ordinary way.
fn scan(
    input: &MediaInput,
    mut at: u64,
    target: u64,
    progress: &ScanProgress,
    feed: &mut dyn FnMut(u64, &[u8]) -> bool,
) -> Result<(), DecodeError> {
    // The table's estimate may fall before what is indexed: nothing to read then.
    let need = target.saturating_sub(at);
    if need == 0 || need > VBR_SCAN_BUDGET {
        return Ok(());
    }
    let mut scratch = input.try_clone()?;
    let running = progress.begin(need);
    if let MediaInput::Stream(stream) = &scratch {
        if need >= PARALLEL_SCAN_MIN {
            let mut found = false;
            let mut take = |offset: u64, bytes: &[u8]| {
                found = feed(offset, bytes);
                !found
            };
            at = stream.read_span(at, target, &mut take, &|n| running.read(n));
            if found {
                return Ok(());
            }
        }
    }
    while at < target {
        // 64 KB at a time: the progress moves every ~0.3 s even at 200 KB/s.
        let bytes = scratch.read_at(at, 64 << 10)?;
        if bytes.is_empty() || feed(at, &bytes) {
            break;
        }
        at += bytes.len() as u64;
        running.read(bytes.len() as u64);
    }
    Ok(())
}

/// The chapters' first frames that the ID3 tag in `head` gives byte offsets for, rising in
/// time and in bytes (any that do not are dropped: the offsets only make jumps cheaper), each
/// placed on the frame its start time falls in.
fn chapter_anchors(head: &[u8], layout: &Mp3Layout, len: Option<u64>) -> Vec<Anchor> {
    let spf = u64::from(layout.samples_per_frame.max(1));
    let rate = u64::from(layout.sample_rate);
    let mut anchors: Vec<Anchor> = Vec::new();
    for offset in id3::start_offsets(head) {
        if offset.byte <= layout.first_audio_frame || len.is_some_and(|l| offset.byte >= l) {
            continue;
        }
        let frames = (offset.start_ms * rate + 500 * spf) / (1000 * spf);
        let raw_sample = frames * spf;
        if anchors
            .last()
            .is_some_and(|a| a.byte >= offset.byte || a.raw_sample >= raw_sample)
        {
            continue;
        }
        anchors.push(Anchor {
            byte: offset.byte,
            raw_sample,
        });
    }
    anchors
}

struct TrackInfo {
    sample_rate: u32,
    channels: u16,
    duration_frames: Option<u64>,
    time_base: Option<symphonia::core::units::TimeBase>,
}

type Opened = (Box<dyn FormatReader>, Box<dyn Decoder>, u32, TrackInfo);

fn open_reader(window: Window, hint_ext: Option<&str>) -> Result<Opened, DecodeError> {
    contained(|| open_reader_unguarded(window, hint_ext))
}

fn open_reader_unguarded(window: Window, hint_ext: Option<&str>) -> Result<Opened, DecodeError> {
    let stream = MediaSourceStream::new(Box::new(window), MediaSourceStreamOptions::default());
    let mut hint = Hint::new();
    if let Some(ext) = hint_ext {
        hint.with_extension(ext);
    }
    let format_options = FormatOptions {
        enable_gapless: false,
        ..FormatOptions::default()
    };
    let probed = symphonia::default::get_probe().format(
        &hint,
        stream,
        &format_options,
        &MetadataOptions::default(),
    )?;
    let format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL && t.codec_params.sample_rate.is_some())
        .ok_or(DecodeError::Unsupported)?;
    let params = &track.codec_params;
    let info = TrackInfo {
        sample_rate: params.sample_rate.unwrap_or(44_100),
        channels: params.channels.map(|c| c.count() as u16).unwrap_or(2),
        duration_frames: params.n_frames,
        time_base: params.time_base,
    };
    let decoder = symphonia::default::get_codecs().make(params, &DecoderOptions::default())?;
    let track_id = track.id;
    Ok((format, decoder, track_id, info))
}

/// True when symphonia recognises the bytes as some format (used when an MP3-looking head
/// came with a non-MP3 content type).
fn probe_other(input: &mut MediaInput) -> Result<bool, DecodeError> {
    let window = Window::new(input.try_clone()?, 0, true, None)?;
    Ok(open_reader(window, None).is_ok())
}

/// Where symphonia's probe would find an MP4's `ftyp` marker while scanning past junk.
fn mp4_marker(head: &[u8]) -> Option<u64> {
    head.windows(4)
        .position(|w| w == b"ftyp")
        .filter(|&i| i >= 4)
        .map(|i| (i - 4) as u64)
}

fn extension_for_mime(mime: &str) -> Option<&'static str> {
    let mime = mime.to_ascii_lowercase();
    if mime.contains("mp4") || mime.contains("m4a") || mime.contains("aac") {
        Some("m4a")
    } else if mime.contains("ogg") || mime.contains("opus") {
        Some("ogg")
    } else if mime.contains("flac") {
        Some("flac")
    } else if mime.contains("wav") {
        Some("wav")
    } else {
        None
    }
}

/// Frames decoding starts before a target: [`PREROLL_BYTES`] at this stream's mean frame size
/// (the smaller of the head's and the whole file's, when known), and at least
/// [`MP3_PREROLL_FRAMES`].
fn preroll_frames(layout: &Mp3Layout, file_len: Option<u64>) -> u64 {
    let spf = f64::from(layout.samples_per_frame.max(1));
    let whole = match (layout.duration_samples(), file_len) {
        (Some(samples), Some(len)) if samples > 0 => {
            Some(len.saturating_sub(layout.audio_start) as f64 / (samples as f64 / spf))
        }
        _ => None,
    };
    let head = Some(layout.head_avg_frame_bytes);
    let mean = [head, whole]
        .into_iter()
        .flatten()
        .filter(|m| m.is_finite() && *m >= 1.0)
        .reduce(f64::min);
    match mean {
        Some(mean) => ((PREROLL_BYTES as f64 / mean).ceil() as u64)
            .clamp(MP3_PREROLL_FRAMES, MAX_PREROLL_FRAMES),
        None => MP3_PREROLL_FRAMES,
    }
}

fn layout_bytes_per_second(layout: &Mp3Layout, file_len: Option<u64>) -> f64 {
    let rate = f64::from(layout.sample_rate.max(1));
    match (layout.duration_samples(), file_len) {
        (Some(samples), Some(len)) if samples > 0 => {
            (len.saturating_sub(layout.audio_start)) as f64 / (samples as f64 / rate)
        }
        _ => 40_000.0,
    }
}
