//! Chapters from MP4 / M4A / M4B files: QuickTime chapter text tracks and the Nero `chpl` atom.
//!
//! API:
//! - [`read`]`(bytes, file_offset, file_len)`: one call, for when `bytes` is the whole file
//!   (`file_offset` 0) or at least holds the `moov` box and the chapter samples. Same as
//!   `Mp4Reader::new(file_len).read_at(file_offset, bytes)`.
//! - [`Mp4Reader`] for a streamed file: `let mut r = Mp4Reader::new(file_len)`, then
//!   `r.read_at(offset, bytes)` with the file's head; on [`ReadOutcome::NeedRange`]`{offset, len}`
//!   fetch that range (a shorter answer at the end of the file is fine) and call
//!   `r.read_at(offset, fetched)` again, until it gives `Chapters` or an error. Each call makes
//!   progress or ends: asking twice for the same range means the file is truncated, which gives
//!   what can be read (see below) or a [`ChapterError::Corrupt`].
//!
//! Steps: top-level boxes are walked from the first byte given; a `moov` past the given bytes
//! (after `mdat`) is asked for by its offset and size (or, before its header is seen, by a probe
//! of the rest of the file when that is at most 4 MiB, else 64 KiB). In `moov`: `mvhd` (the
//! duration, ending the last Nero chapter), `udta/chpl` (Nero: 100 ns start times and UTF-8
//! titles; its u8 count wraps past 255, so entries are read to the end of the atom) and every
//! track's `tkhd`, `tref/chap`, `mdia/mdhd`, `mdia/hdlr` and `minf/stbl`. The chapter tracks are
//! the ones named by `tref/chap` of the sound tracks (else of any track): `text`/`sbtl` tracks
//! give titles and links, `vide` tracks chapter images. Each text sample is located with
//! `stsc` + `stco`/`co64` + `stsz` and timed with `stts` and the track's timescale (edit lists
//! are ignored). Samples outside the given bytes are asked for as ranges of at most 1 MiB
//! covering neighbouring samples. A sample is a big-endian u16 length, the text (UTF-8, or
//! UTF-16 after a BOM) and optional atoms, of which `href` gives the link (`encd` is ignored).
//!
//! Merging follows ffmpeg, so results match `ffprobe -show_chapters`: Nero chapters first, then
//! each text track in `tref` order replaces the chapter at the same index (so when a file has a
//! title track and a URL track, the last one's texts win); a sample that cannot be read (beyond
//! the end of a truncated file) leaves the chapter from `chpl` in place, else gives an untitled
//! chapter at the sample's time. Chapters are sorted by start; a chapter ends where its sample
//! ends (Nero: where the next starts, the last at the movie's duration), cut to the movie's
//! duration; an image sample covering a chapter's start sets `has_image`.

use super::embedded::{
    clean_title, fill_missing_ends, ticks_to_ms, ChapterError, EmbeddedChapter, ReadOutcome,
};

const CONTAINER: &str = "MP4";
/// A larger `moov` is refused as corrupt.
const MAX_MOOV: u64 = 64 << 20;
/// Bytes asked for to see the next top-level box header.
const PROBE_LEN: u64 = 64 << 10;
/// When the rest of the file is at most this long, it is asked for whole instead of probed.
const WHOLE_TAIL_MAX: u64 = 4 << 20;
/// Largest range asked for at once for chapter samples.
const MAX_SAMPLE_SPAN: u64 = 1 << 20;
/// Samples read per chapter track at most.
const MAX_SAMPLES: usize = 100_000;
/// Chapter track references followed at most.
const MAX_CHAPTER_TRACKS: usize = 16;

/// Reads the chapters when `bytes` (starting at `file_offset` of a file of `file_len` bytes,
/// when known) hold everything needed; otherwise says what to fetch. To go on after a
/// [`ReadOutcome::NeedRange`], use an [`Mp4Reader`] (see the module docs).
pub fn read(
    bytes: &[u8],
    file_offset: u64,
    file_len: Option<u64>,
) -> Result<ReadOutcome, ChapterError> {
    Mp4Reader::new(file_len).read_at(file_offset, bytes)
}

/// Reads MP4 chapters over several calls, one per fetched range. See the module docs.
#[derive(Debug, Clone)]
pub struct Mp4Reader {
    file_len: Option<u64>,
    stage: Stage,
    /// The range asked for last.
    asked: Option<(u64, u64)>,
}

#[derive(Debug, Clone)]
enum Stage {
    /// Walking top-level boxes; `next_box` is where the next box header is, once known.
    FindMoov {
        next_box: Option<u64>,
    },
    /// `moov` read; waiting for chapter text samples.
    Samples(Box<MoovInfo>),
    Done(Vec<EmbeddedChapter>),
}

impl Mp4Reader {
    /// A reader for a file of `file_len` bytes (`None` when unknown).
    pub fn new(file_len: Option<u64>) -> Self {
        Mp4Reader {
            file_len,
            stage: Stage::FindMoov { next_box: None },
            asked: None,
        }
    }

    /// Takes `bytes` found at `offset` in the file: the file's head first, then each range
    /// asked for. Returns the chapters, or the next range to fetch.
    pub fn read_at(&mut self, offset: u64, bytes: &[u8]) -> Result<ReadOutcome, ChapterError> {
        offset
            .checked_add(bytes.len() as u64)
            .ok_or_else(|| corrupt("range beyond 2^64"))?;
        match &mut self.stage {
            Stage::FindMoov { next_box } => {
                let next_box = *next_box;
                self.find_moov(next_box.unwrap_or(offset), offset, bytes)
            }
            Stage::Samples(info) => {
                take_samples(info, offset, bytes, self.asked);
                self.next_samples()
            }
            Stage::Done(chapters) => Ok(ReadOutcome::Chapters(chapters.clone())),
        }
    }

    /// Walks top-level boxes from `pos` (a box boundary); `bytes` start at `offset`.
    fn find_moov(
        &mut self,
        mut pos: u64,
        offset: u64,
        bytes: &[u8],
    ) -> Result<ReadOutcome, ChapterError> {
        loop {
            if let Some(len) = self.file_len {
                if pos >= len {
                    return Err(if pos == 0 {
                        ChapterError::WrongFormat {
                            expected: CONTAINER,
                        }
                    } else {
                        corrupt("no moov box")
                    });
                }
            }
            self.stage = Stage::FindMoov {
                next_box: Some(pos),
            };
            let rest = pos
                .checked_sub(offset)
                .and_then(|r| usize::try_from(r).ok())
                .and_then(|r| bytes.get(r..));
            let Some(rest) = rest else {
                return self.ask(pos, self.probe_len(pos));
            };
            let (kind, size, header_len) = match box_header(rest) {
                Header::Incomplete => return self.ask(pos, self.probe_len(pos)),
                Header::Invalid => return Err(self.bad_box(pos, "a box size below its header")),
                Header::Box {
                    kind,
                    size,
                    header_len,
                } => (kind, size, header_len),
            };
            if !kind.iter().all(|c| (0x20..0x7F).contains(c)) {
                return Err(self.bad_box(pos, "a box type that is not text"));
            }
            let size = match (size, self.file_len) {
                (Some(size), _) => size,
                (None, Some(len)) => len - pos,
                (None, None) if &kind == b"moov" => rest.len() as u64,
                (None, None) => return Err(corrupt("no moov box")),
            };
            if &kind != b"moov" {
                pos = pos
                    .checked_add(size)
                    .ok_or_else(|| corrupt("box size beyond 2^64"))?;
                continue;
            }
            if size > MAX_MOOV {
                return Err(corrupt(format!("moov box of {size} bytes")));
            }
            // `size` <= MAX_MOOV, so it fits in usize.
            let size_usize = size as usize;
            if let Some(moov) = rest.get(header_len..size_usize) {
                return self.enter_samples(parse_moov(moov), offset, bytes);
            }
            let available = self.file_len.map_or(size, |len| size.min(len - pos));
            let have_all_there_is = rest.len() as u64 >= available;
            if have_all_there_is || self.asked == Some((pos, available)) {
                // The file ends inside moov: read what there is.
                let partial = rest.get(header_len..).unwrap_or_default();
                let info = parse_moov(partial);
                if info.is_empty() {
                    return Err(corrupt("the file ends inside the moov box"));
                }
                return self.enter_samples(info, offset, bytes);
            }
            return self.ask(pos, available);
        }
    }

    fn bad_box(&self, pos: u64, what: &str) -> ChapterError {
        if pos == 0 {
            ChapterError::WrongFormat {
                expected: CONTAINER,
            }
        } else {
            corrupt(format!("{what} at byte {pos}"))
        }
    }

    /// How much to ask for to see the top-level box at `pos`.
    fn probe_len(&self, pos: u64) -> u64 {
        match self.file_len {
            Some(len) if len.saturating_sub(pos) <= WHOLE_TAIL_MAX => len.saturating_sub(pos),
            _ => PROBE_LEN,
        }
    }

    /// Asks for a range, clipped to the file; asking twice for one range means the caller could
    /// not supply it, so the file ends early.
    fn ask(&mut self, offset: u64, len: u64) -> Result<ReadOutcome, ChapterError> {
        let len = match self.file_len {
            Some(file_len) if offset >= file_len => {
                return Err(corrupt(format!(
                    "the file ends at byte {file_len}, before byte {offset}"
                )))
            }
            Some(file_len) => len.min(file_len - offset),
            None => len,
        };
        if self.asked == Some((offset, len)) {
            return Err(corrupt(format!(
                "the file ends before byte {}",
                offset.saturating_add(len)
            )));
        }
        self.asked = Some((offset, len));
        Ok(ReadOutcome::NeedRange { offset, len })
    }

    fn enter_samples(
        &mut self,
        mut info: MoovInfo,
        offset: u64,
        bytes: &[u8],
    ) -> Result<ReadOutcome, ChapterError> {
        self.asked = None;
        if let Some(file_len) = self.file_len {
            for sample in info.text_tracks.iter_mut().flatten() {
                if sample
                    .offset
                    .checked_add(sample.size)
                    .is_none_or(|end| end > file_len)
                {
                    sample.state = SampleState::Missing;
                }
            }
        }
        take_samples(&mut info, offset, bytes, None);
        self.stage = Stage::Samples(Box::new(info));
        self.next_samples()
    }

    /// Asks for the next group of unread samples, or finishes.
    fn next_samples(&mut self) -> Result<ReadOutcome, ChapterError> {
        let Stage::Samples(info) = &mut self.stage else {
            return Err(corrupt("reader out of step"));
        };
        loop {
            let mut pending: Vec<(u64, u64)> = info
                .text_tracks
                .iter()
                .flatten()
                .filter(|s| matches!(s.state, SampleState::Pending))
                .map(|s| (s.offset, s.offset.saturating_add(s.size)))
                .collect();
            pending.sort_unstable();
            let Some(&(start, first_end)) = pending.first() else {
                break;
            };
            let mut end = first_end;
            for &(_, sample_end) in &pending[1..] {
                if sample_end - start > MAX_SAMPLE_SPAN {
                    break;
                }
                end = end.max(sample_end);
            }
            let range = (start, end - start);
            if self.asked == Some(range) {
                // Asked before and not supplied: give those samples up.
                mark_missing(info, range);
                continue;
            }
            self.asked = Some(range);
            return Ok(ReadOutcome::NeedRange {
                offset: range.0,
                len: range.1,
            });
        }
        let chapters = info.chapters();
        self.stage = Stage::Done(chapters.clone());
        Ok(ReadOutcome::Chapters(chapters))
    }
}

fn corrupt(detail: impl Into<String>) -> ChapterError {
    ChapterError::Corrupt {
        container: CONTAINER,
        detail: detail.into(),
    }
}

/// Decodes every pending sample that lies wholly in `bytes` (found at `offset`). When `bytes`
/// answer the range `asked`, pending samples in that range that were not covered are missing.
fn take_samples(info: &mut MoovInfo, offset: u64, bytes: &[u8], asked: Option<(u64, u64)>) {
    for sample in info.text_tracks.iter_mut().flatten() {
        if !matches!(sample.state, SampleState::Pending) {
            continue;
        }
        let data = sample
            .offset
            .checked_sub(offset)
            .and_then(|start| usize::try_from(start).ok())
            .and_then(|start| Some(start..start.checked_add(usize::try_from(sample.size).ok()?)?))
            .and_then(|range| bytes.get(range));
        if let Some(data) = data {
            sample.state = decode_text_sample(data);
        }
    }
    if let Some(range) = asked.filter(|&(asked_offset, _)| asked_offset == offset) {
        mark_missing(info, range);
    }
}

/// Gives up the pending samples that start in `range`.
fn mark_missing(info: &mut MoovInfo, (offset, len): (u64, u64)) {
    for sample in info.text_tracks.iter_mut().flatten() {
        let inside = sample.offset >= offset && sample.offset - offset < len.max(1);
        if inside && matches!(sample.state, SampleState::Pending) {
            sample.state = SampleState::Missing;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Boxes

enum Header {
    Incomplete,
    Invalid,
    /// `size` is `None` for a box that runs to the end of the file (size field 0).
    Box {
        kind: [u8; 4],
        size: Option<u64>,
        header_len: usize,
    },
}

fn box_header(b: &[u8]) -> Header {
    let Some(&[s0, s1, s2, s3, k0, k1, k2, k3]) = b.get(..8) else {
        return Header::Incomplete;
    };
    let kind = [k0, k1, k2, k3];
    match u32::from_be_bytes([s0, s1, s2, s3]) {
        0 => Header::Box {
            kind,
            size: None,
            header_len: 8,
        },
        1 => match b.get(8..16).and_then(be_u64) {
            None => Header::Incomplete,
            Some(size) if size < 16 => Header::Invalid,
            Some(size) => Header::Box {
                kind,
                size: Some(size),
                header_len: 16,
            },
        },
        size if size < 8 => Header::Invalid,
        size => Header::Box {
            kind,
            size: Some(u64::from(size)),
            header_len: 8,
        },
    }
}

/// The child boxes of a box's payload. A child running past the end is cut to it (lenient on
/// truncated files); a malformed header ends the walk.
fn children(data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut rest = data;
    std::iter::from_fn(move || {
        let Header::Box {
            kind,
            size,
            header_len,
        } = box_header(rest)
        else {
            return None;
        };
        let end = size
            .and_then(|s| usize::try_from(s).ok())
            .map_or(rest.len(), |s| s.min(rest.len()));
        let payload = rest.get(header_len..end)?;
        rest = rest.get(end..).unwrap_or_default();
        Some((kind, payload))
    })
}

fn child<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    children(data)
        .find(|(k, _)| k == kind)
        .map(|(_, payload)| payload)
}

fn be_u32(b: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(..4)?.try_into().ok()?))
}

fn be_u64(b: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(..8)?.try_into().ok()?))
}

/// A full box's (version 0 or 1) timescale and duration: `mvhd` and `mdhd` share the layout.
fn timescale_and_duration(payload: &[u8]) -> Option<(u64, Option<u64>)> {
    match *payload.first()? {
        1 => {
            let timescale = be_u32(payload.get(20..)?)?;
            let duration = be_u64(payload.get(24..)?).filter(|&d| d != u64::MAX);
            Some((u64::from(timescale), duration))
        }
        _ => {
            let timescale = be_u32(payload.get(12..)?)?;
            let duration = be_u32(payload.get(16..)?).filter(|&d| d != u32::MAX);
            Some((u64::from(timescale), duration.map(u64::from)))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// moov

#[derive(Debug, Clone, Default)]
struct MoovInfo {
    duration_ms: Option<u64>,
    /// Nero chapters: start (ms) and title.
    chpl: Vec<(u64, String)>,
    /// Referenced text tracks, in `tref` order.
    text_tracks: Vec<Vec<TextSample>>,
    /// Spans (ms) of the samples of referenced image tracks.
    images: Vec<(u64, u64)>,
}

#[derive(Debug, Clone)]
struct TextSample {
    offset: u64,
    size: u64,
    start_ms: u64,
    end_ms: u64,
    state: SampleState,
}

#[derive(Debug, Clone)]
enum SampleState {
    Pending,
    Missing,
    Read { title: String, url: Option<String> },
}

/// What one `trak` says, borrowed from the `moov` bytes.
struct Trak<'a> {
    id: Option<u32>,
    handler: [u8; 4],
    chapter_refs: Vec<u32>,
    timescale: u64,
    stbl: Option<&'a [u8]>,
}

impl MoovInfo {
    fn is_empty(&self) -> bool {
        self.chpl.is_empty() && self.text_tracks.iter().all(Vec::is_empty)
    }

    /// The chapters, merged as the module docs say.
    fn chapters(&self) -> Vec<EmbeddedChapter> {
        let mut slots: Vec<Option<EmbeddedChapter>> = self
            .chpl
            .iter()
            .map(|(start_ms, title)| {
                Some(EmbeddedChapter {
                    start_ms: *start_ms,
                    end_ms: None,
                    title: clean_title(title),
                    url: None,
                    has_image: false,
                })
            })
            .collect();
        for track in &self.text_tracks {
            for (i, sample) in track.iter().enumerate() {
                if slots.len() <= i {
                    slots.resize(i + 1, None);
                }
                let slot = &mut slots[i];
                let end_ms = (sample.end_ms > sample.start_ms).then_some(sample.end_ms);
                match &sample.state {
                    SampleState::Read { title, url } => {
                        let earlier_url = slot.as_ref().and_then(|c| c.url.clone());
                        *slot = Some(EmbeddedChapter {
                            start_ms: sample.start_ms,
                            end_ms,
                            title: title.clone(),
                            url: url.clone().or(earlier_url),
                            has_image: false,
                        });
                    }
                    SampleState::Missing | SampleState::Pending => {
                        if slot.is_none() {
                            *slot = Some(EmbeddedChapter {
                                start_ms: sample.start_ms,
                                end_ms,
                                title: String::new(),
                                url: None,
                                has_image: false,
                            });
                        }
                    }
                }
            }
        }
        let mut chapters: Vec<EmbeddedChapter> = slots.into_iter().flatten().collect();
        chapters.sort_by_key(|c| c.start_ms);
        fill_missing_ends(&mut chapters, self.duration_ms);
        for chapter in &mut chapters {
            let start = chapter.start_ms;
            // A last sample may run past the movie (ffprobe cuts it there too).
            if let (Some(end), Some(duration)) = (chapter.end_ms, self.duration_ms) {
                if end > duration && start < duration {
                    chapter.end_ms = Some(duration);
                }
            }
            chapter.has_image = self.images.iter().any(|&(s, e)| s <= start && start < e);
        }
        chapters
    }
}

fn parse_moov(moov: &[u8]) -> MoovInfo {
    let mut info = MoovInfo::default();
    let mut traks = Vec::new();
    for (kind, payload) in children(moov) {
        match &kind {
            b"mvhd" => {
                info.duration_ms = timescale_and_duration(payload)
                    .and_then(|(scale, duration)| ticks_to_ms(duration?, scale));
            }
            b"udta" => {
                if let Some(chpl) = child(payload, b"chpl") {
                    info.chpl = parse_chpl(chpl);
                }
            }
            b"trak" => traks.push(parse_trak(payload)),
            _ => {}
        }
    }
    // Chapter references of the sound tracks first, then of any other track.
    let mut refs: Vec<u32> = Vec::new();
    let sound_first = traks
        .iter()
        .filter(|t| &t.handler == b"soun")
        .chain(traks.iter().filter(|t| &t.handler != b"soun"));
    for trak in sound_first {
        for &id in &trak.chapter_refs {
            if !refs.contains(&id) && refs.len() < MAX_CHAPTER_TRACKS {
                refs.push(id);
            }
        }
    }
    for id in refs {
        let Some(trak) = traks.iter().find(|t| t.id == Some(id)) else {
            continue;
        };
        let Some(samples) = trak
            .stbl
            .and_then(|stbl| sample_table(stbl, trak.timescale))
        else {
            continue;
        };
        match &trak.handler {
            b"text" | b"sbtl" => info.text_tracks.push(
                samples
                    .into_iter()
                    .map(|s| TextSample {
                        offset: s.offset,
                        size: s.size,
                        start_ms: s.start_ms,
                        end_ms: s.end_ms,
                        // Too short for a length, or too long for a text sample.
                        state: if s.size < 2 || s.size > MAX_SAMPLE_SPAN {
                            SampleState::Missing
                        } else {
                            SampleState::Pending
                        },
                    })
                    .collect(),
            ),
            b"vide" => info.images.extend(
                samples
                    .iter()
                    .filter(|s| s.size > 0)
                    .map(|s| (s.start_ms, s.end_ms)),
            ),
            _ => {}
        }
    }
    info
}

fn parse_trak(trak: &[u8]) -> Trak<'_> {
    let mut out = Trak {
        id: None,
        handler: [0; 4],
        chapter_refs: Vec::new(),
        timescale: 0,
        stbl: None,
    };
    for (kind, payload) in children(trak) {
        match &kind {
            b"tkhd" => {
                let at = if payload.first() == Some(&1) { 20 } else { 12 };
                out.id = payload.get(at..).and_then(be_u32);
            }
            b"tref" => {
                if let Some(chap) = child(payload, b"chap") {
                    out.chapter_refs = chap
                        .chunks_exact(4)
                        .take(MAX_CHAPTER_TRACKS)
                        .filter_map(be_u32)
                        .collect();
                }
            }
            b"mdia" => {
                for (kind, payload) in children(payload) {
                    match &kind {
                        b"mdhd" => {
                            out.timescale =
                                timescale_and_duration(payload).map_or(0, |(scale, _)| scale);
                        }
                        b"hdlr" => {
                            if let Some(handler) = payload.get(8..12) {
                                out.handler.copy_from_slice(handler);
                            }
                        }
                        b"minf" => out.stbl = child(payload, b"stbl"),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Nero `chpl`: version/flags, a reserved u32 in version 1, a u8 count, then per chapter a
/// u64 start in 100 ns units, a u8 title length and the UTF-8 title. The count wraps past 255,
/// so entries are read while they fit, then cut to the longest run whose length matches the
/// count modulo 256 (dropping trailing padding that happens to parse).
fn parse_chpl(chpl: &[u8]) -> Vec<(u64, String)> {
    let Some(&version) = chpl.first() else {
        return Vec::new();
    };
    let count_at = if version >= 1 { 8 } else { 4 };
    let Some(&count) = chpl.get(count_at) else {
        return Vec::new();
    };
    let mut rest = chpl.get(count_at + 1..).unwrap_or_default();
    let mut entries = Vec::new();
    while let Some(start) = be_u64(rest) {
        let Some(&len) = rest.get(8) else { break };
        let Some(title) = rest.get(9..9 + usize::from(len)) else {
            break;
        };
        entries.push((start / 10_000, String::from_utf8_lossy(title).into_owned()));
        rest = &rest[9 + usize::from(len)..];
    }
    let count = usize::from(count);
    if entries.len() > count {
        let keep = count + (entries.len() - count) / 256 * 256;
        entries.truncate(keep);
    }
    entries
}

/// One sample of a chapter track: where it is and when it plays.
struct SampleRef {
    offset: u64,
    size: u64,
    start_ms: u64,
    end_ms: u64,
}

/// Locates and times the samples of a track from its `stbl` (at most [`MAX_SAMPLES`]).
fn sample_table(stbl: &[u8], timescale: u64) -> Option<Vec<SampleRef>> {
    if timescale == 0 {
        return None;
    }
    let stsz = child(stbl, b"stsz")?;
    let uniform = be_u32(stsz.get(4..)?)?;
    let count = usize::try_from(be_u32(stsz.get(8..)?)?)
        .ok()?
        .min(MAX_SAMPLES);
    let sizes: Vec<u64> = if uniform != 0 {
        vec![u64::from(uniform); count]
    } else {
        stsz.get(12..)?
            .chunks_exact(4)
            .take(count)
            .filter_map(be_u32)
            .map(u64::from)
            .collect()
    };
    let chunk_offsets: Vec<u64> = if let Some(stco) = child(stbl, b"stco") {
        table(stco, 4).filter_map(be_u32).map(u64::from).collect()
    } else {
        table(child(stbl, b"co64")?, 8).filter_map(be_u64).collect()
    };
    let runs: Vec<(u32, u32)> = table(child(stbl, b"stsc")?, 12)
        .filter_map(|e| Some((be_u32(e)?, be_u32(e.get(4..)?)?)))
        .collect();
    // Offsets: chunk by chunk, each holding the samples-per-chunk of the last stsc run that
    // starts at or before it (chunks are numbered from 1).
    let mut offsets = Vec::with_capacity(sizes.len());
    let mut run = 0;
    'chunks: for (index, &chunk_offset) in chunk_offsets.iter().enumerate() {
        let chunk_number = index as u64 + 1;
        while runs
            .get(run + 1)
            .is_some_and(|&(first, _)| u64::from(first) <= chunk_number)
        {
            run += 1;
        }
        let per_chunk = runs.get(run).map_or(0, |&(_, n)| n);
        let mut offset = chunk_offset;
        for _ in 0..per_chunk {
            let Some(&size) = sizes.get(offsets.len()) else {
                break 'chunks;
            };
            offsets.push((offset, size));
            offset = offset.checked_add(size)?;
        }
    }
    // Times: stts runs of (count, delta) in track ticks.
    let mut samples = Vec::with_capacity(offsets.len());
    let mut ticks: u64 = 0;
    'runs: for entry in table(child(stbl, b"stts")?, 8) {
        let (Some(n), Some(delta)) = (be_u32(entry), be_u32(entry.get(4..)?)) else {
            break;
        };
        for _ in 0..n {
            let Some(&(offset, size)) = offsets.get(samples.len()) else {
                break 'runs;
            };
            let end = ticks.saturating_add(u64::from(delta));
            samples.push(SampleRef {
                offset,
                size,
                start_ms: ticks_to_ms(ticks, timescale)?,
                end_ms: ticks_to_ms(end, timescale)?,
            });
            ticks = end;
        }
    }
    Some(samples)
}

/// The entries of a full box holding a u32 count then `entry_len`-byte entries, as far as the
/// box holds them.
fn table(payload: &[u8], entry_len: usize) -> impl Iterator<Item = &[u8]> {
    let count = payload.get(4..).and_then(be_u32).unwrap_or(0);
    let entries = payload.get(8..).unwrap_or_default();
    entries
        .chunks_exact(entry_len)
        .take(usize::try_from(count).unwrap_or(usize::MAX))
}

/// A QuickTime text sample: u16 length, text, then atoms (`href` gives the link).
fn decode_text_sample(sample: &[u8]) -> SampleState {
    let Some((len, rest)) = sample.split_first_chunk::<2>() else {
        return SampleState::Missing;
    };
    let len = usize::from(u16::from_be_bytes(*len)).min(rest.len());
    let (text, mut atoms) = rest.split_at(len);
    let mut url = None;
    while let Some(size) = be_u32(atoms) {
        let Some(payload) = usize::try_from(size)
            .ok()
            .filter(|&s| s >= 8)
            .and_then(|s| atoms.get(8..s))
        else {
            break;
        };
        if atoms.get(4..8) == Some(b"href") {
            // start u16, end u16, length u8, URL.
            if let Some(&url_len) = payload.get(4) {
                let end = (5 + usize::from(url_len)).min(payload.len());
                let link = String::from_utf8_lossy(&payload[5..end]);
                let link = link.trim_matches(|c: char| c == '\0' || c.is_whitespace());
                if !link.is_empty() && url.is_none() {
                    url = Some(link.to_string());
                }
            }
        }
        atoms = &atoms[8 + payload.len()..];
    }
    SampleState::Read {
        title: clean_title(&decode_text(text)),
        url,
    }
}

/// Text as QuickTime writes it: UTF-16 after a BOM, else UTF-8 (Latin-1 when not valid UTF-8),
/// up to a NUL.
fn decode_text(text: &[u8]) -> String {
    let utf16 = |bytes: &[u8], big_endian: bool| {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|p| {
                if big_endian {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .take_while(|&u| u != 0)
            .collect();
        String::from_utf16_lossy(&units)
    };
    match text {
        [0xFE, 0xFF, rest @ ..] => utf16(rest, true),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, false),
        _ => {
            let text = &text[..text.iter().position(|&b| b == 0).unwrap_or(text.len())];
            match std::str::from_utf8(text) {
                Ok(s) => s.to_string(),
                Err(_) => text.iter().map(|&b| char::from(b)).collect(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::embedded::test_support::*;
    use super::*;

    // --- fixture builders --------------------------------------------------------------------

    fn mp4_box(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut out = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(payload);
        out
    }

    /// A box with a 64-bit size field.
    fn large_box(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut out = 1u32.to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend(((payload.len() + 16) as u64).to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    /// A full box: version, zero flags, then the fields as big-endian u32s.
    fn full_box(kind: &[u8; 4], fields: &[u32]) -> Vec<u8> {
        let payload: Vec<u8> = [0u32]
            .iter()
            .chain(fields)
            .flat_map(|f| f.to_be_bytes())
            .collect();
        mp4_box(kind, &payload)
    }

    fn container(kind: &[u8; 4], children: &[Vec<u8>]) -> Vec<u8> {
        mp4_box(kind, &children.concat())
    }

    fn ftyp() -> Vec<u8> {
        mp4_box(b"ftyp", b"M4A \0\0\0\0M4A mp42isom")
    }

    /// `mvhd` (version 0) with a 1000 Hz timescale.
    fn mvhd(duration_ms: u32) -> Vec<u8> {
        let mut fields = vec![0, 0, 1000, duration_ms];
        fields.extend([0; 21]);
        full_box(b"mvhd", &fields)
    }

    fn chpl(chapters: &[(u64, &str)]) -> Vec<u8> {
        let mut payload = vec![1, 0, 0, 0, 0, 0, 0, 0, chapters.len() as u8];
        for (ms, title) in chapters {
            payload.extend((ms * 10_000).to_be_bytes());
            payload.push(title.len() as u8);
            payload.extend_from_slice(title.as_bytes());
        }
        mp4_box(b"chpl", &payload)
    }

    /// A text sample: length, UTF-8 text, an `encd` atom, and an `href` atom when given a link.
    fn text_sample(title: &str, href: Option<&str>) -> Vec<u8> {
        let mut out = (title.len() as u16).to_be_bytes().to_vec();
        out.extend_from_slice(title.as_bytes());
        out.extend(mp4_box(b"encd", &[0, 0, 1, 0]));
        if let Some(url) = href {
            let mut payload = vec![0, 0, 0, 10, url.len() as u8];
            payload.extend_from_slice(url.as_bytes());
            payload.push(0);
            out.extend(mp4_box(b"href", &payload));
        }
        out
    }

    /// A track: `tkhd` id, optional `tref/chap`, handler, 1000 Hz timescale, and a sample table
    /// with one sample per chunk at `offsets` (`co64` when `wide`).
    struct TrackSpec<'a> {
        id: u32,
        handler: &'a [u8; 4],
        chap_refs: &'a [u32],
        durations: &'a [u32],
        sizes: &'a [u32],
        offsets: &'a [u64],
        wide: bool,
    }

    fn trak(spec: &TrackSpec<'_>) -> Vec<u8> {
        let mut tkhd = vec![0, 0, spec.id, 0, 0];
        tkhd.extend([0; 15]);
        let mut stts = vec![spec.durations.len() as u32];
        for &d in spec.durations {
            stts.extend([1, d]);
        }
        let mut stsz = vec![0, spec.sizes.len() as u32];
        stsz.extend(spec.sizes);
        let chunks = if spec.wide {
            let mut payload = vec![0, 0, 0, 0];
            payload.extend((spec.offsets.len() as u32).to_be_bytes());
            payload.extend(spec.offsets.iter().flat_map(|o| o.to_be_bytes()));
            mp4_box(b"co64", &payload)
        } else {
            let mut fields = vec![spec.offsets.len() as u32];
            fields.extend(spec.offsets.iter().map(|&o| o as u32));
            full_box(b"stco", &fields)
        };
        let stbl = container(
            b"stbl",
            &[
                full_box(b"stts", &stts),
                full_box(b"stsc", &[1, 1, 1, 1]),
                full_box(b"stsz", &stsz),
                chunks,
            ],
        );
        let handler = u32::from_be_bytes(*spec.handler);
        let mdia = container(
            b"mdia",
            &[
                full_box(b"mdhd", &[0, 0, 1000, spec.durations.iter().sum(), 0]),
                full_box(b"hdlr", &[0, handler, 0, 0, 0, 0]),
                container(b"minf", &[stbl]),
            ],
        );
        let mut children = vec![full_box(b"tkhd", &tkhd)];
        if !spec.chap_refs.is_empty() {
            let refs: Vec<u8> = spec
                .chap_refs
                .iter()
                .flat_map(|r| r.to_be_bytes())
                .collect();
            children.push(container(b"tref", &[mp4_box(b"chap", &refs)]));
        }
        children.push(mdia);
        container(b"trak", &children)
    }

    /// One chapter of a built file: duration (ms), title, link.
    type Spec<'a> = (u32, &'a str, Option<&'a str>);

    struct Layout {
        moov_first: bool,
        with_chpl: bool,
        with_text_track: bool,
        wide: bool,
        /// Also a chapter image track (id 9) with one image covering the first 2.5 s.
        with_image: bool,
    }

    const PLAIN: Layout = Layout {
        moov_first: true,
        with_chpl: false,
        with_text_track: true,
        wide: false,
        with_image: false,
    };

    const MOOV_LAST: Layout = Layout {
        moov_first: false,
        ..PLAIN
    };

    fn moov(chapters: &[Spec<'_>], layout: &Layout, sample_offsets: &[u64]) -> Vec<u8> {
        let samples: Vec<Vec<u8>> = chapters
            .iter()
            .map(|&(_, t, u)| text_sample(t, u))
            .collect();
        let durations: Vec<u32> = chapters.iter().map(|c| c.0).collect();
        let sizes: Vec<u32> = samples.iter().map(|s| s.len() as u32).collect();
        let mut children = vec![mvhd(durations.iter().sum())];
        let mut refs = Vec::new();
        if layout.with_text_track {
            refs.push(2);
        }
        if layout.with_image {
            refs.push(9);
        }
        children.push(trak(&TrackSpec {
            id: 1,
            handler: b"soun",
            chap_refs: &refs,
            durations: &[durations.iter().sum()],
            sizes: &[4],
            offsets: &[0],
            wide: false,
        }));
        if layout.with_text_track {
            children.push(trak(&TrackSpec {
                id: 2,
                handler: b"text",
                chap_refs: &[],
                durations: &durations,
                sizes: &sizes,
                offsets: sample_offsets,
                wide: layout.wide,
            }));
        }
        if layout.with_image {
            children.push(trak(&TrackSpec {
                id: 9,
                handler: b"vide",
                chap_refs: &[],
                durations: &[2500],
                sizes: &[100],
                offsets: &[0],
                wide: false,
            }));
        }
        if layout.with_chpl {
            // Nero titles differ from the text track's, to tell which one a result came from.
            let mut start = 0u64;
            let entries: Vec<(u64, String)> = chapters
                .iter()
                .map(|&(d, t, _)| {
                    let entry = (start, format!("Nero {}", t.trim()));
                    start += u64::from(d);
                    entry
                })
                .collect();
            let refs: Vec<(u64, &str)> = entries.iter().map(|(ms, t)| (*ms, t.as_str())).collect();
            children.push(container(b"udta", &[chpl(&refs)]));
        }
        container(b"moov", &children)
    }

    /// A whole file: ftyp, then moov and mdat in the order `layout` says; mdat holds the text
    /// samples after 1000 bytes of "audio".
    fn build_m4a(chapters: &[Spec<'_>], layout: &Layout) -> Vec<u8> {
        let samples: Vec<u8> = chapters
            .iter()
            .flat_map(|&(_, t, u)| text_sample(t, u))
            .collect();
        let mut mdat_payload = vec![0xAA; 1000];
        mdat_payload.extend(&samples);
        let mdat = mp4_box(b"mdat", &mdat_payload);
        let offsets_from = |mdat_at: usize| -> Vec<u64> {
            let mut at = (mdat_at + 8 + 1000) as u64;
            chapters
                .iter()
                .map(|&(_, t, u)| {
                    let here = at;
                    at += text_sample(t, u).len() as u64;
                    here
                })
                .collect()
        };
        let head = ftyp();
        if layout.moov_first {
            let moov_len = moov(chapters, layout, &offsets_from(0)).len();
            let moov = moov(chapters, layout, &offsets_from(head.len() + moov_len));
            [head, moov, mdat].concat()
        } else {
            let moov = moov(chapters, layout, &offsets_from(head.len()));
            [head, mdat, moov].concat()
        }
    }

    const THREE: [Spec<'static>; 3] = [
        (1000, "One", Some("https://example.com/1")),
        (2000, "\n\t\tTwo", None),
        (3000, "Three ❤️", Some("https://example.com/3")),
    ];

    fn whole(file: &[u8]) -> Result<ReadOutcome, ChapterError> {
        read(file, 0, Some(file.len() as u64))
    }

    /// Reads `file` as a streamed client would: the first `head` bytes, then each range asked
    /// for (cut at the end of the file). Returns the outcome and the number of calls.
    fn streamed(
        file: &[u8],
        head: usize,
        file_len: Option<u64>,
    ) -> (Result<ReadOutcome, ChapterError>, usize) {
        let mut reader = Mp4Reader::new(file_len);
        let mut outcome = reader.read_at(0, &file[..head.min(file.len())]);
        for calls in 1..20 {
            let Ok(ReadOutcome::NeedRange { offset, len }) = outcome else {
                return (outcome, calls);
            };
            let start = (offset as usize).min(file.len());
            let end = (offset.saturating_add(len) as usize).min(file.len());
            outcome = reader.read_at(offset, &file[start..end]);
        }
        panic!("no end after 20 calls: {outcome:?}");
    }

    fn titles(chapters: &[EmbeddedChapter]) -> Vec<&str> {
        chapters.iter().map(|c| c.title.as_str()).collect()
    }

    // --- hand-built files --------------------------------------------------------------------

    #[test]
    fn reads_quicktime_chapter_track_with_times_links_and_trimmed_titles() {
        let file = build_m4a(&THREE, &PLAIN);
        let got = chapters(whole(&file).unwrap());
        assert_eq!(titles(&got), ["One", "Two", "Three ❤️"]);
        let times: Vec<_> = got.iter().map(|c| (c.start_ms, c.end_ms)).collect();
        assert_eq!(
            times,
            [(0, Some(1000)), (1000, Some(3000)), (3000, Some(6000))]
        );
        assert_eq!(got[0].url.as_deref(), Some("https://example.com/1"));
        assert_eq!(got[1].url, None);
        assert!(got.iter().all(|c| !c.has_image));
    }

    #[test]
    fn moov_after_mdat_asks_for_the_moov_range() {
        let file = build_m4a(&THREE, &MOOV_LAST);
        let moov_at = file.len() - moov(&THREE, &MOOV_LAST, &[0, 0, 0]).len();
        let moov_len = (file.len() - moov_at) as u64;
        // Head: ftyp and the mdat header only. With the file length known, the rest of the file
        // (under 4 MiB) is asked for; without it, a 64 KiB probe at the box after mdat.
        let head = &file[..60];
        let mut reader = Mp4Reader::new(Some(file.len() as u64));
        assert_eq!(
            reader.read_at(0, head).unwrap(),
            ReadOutcome::NeedRange {
                offset: moov_at as u64,
                len: moov_len
            }
        );
        // moov read; the samples sit in mdat, before it: asked for as one range.
        let ReadOutcome::NeedRange { offset, len } =
            reader.read_at(moov_at as u64, &file[moov_at..]).unwrap()
        else {
            panic!("expected the sample range")
        };
        assert_eq!(
            offset + len,
            moov_at as u64,
            "samples end where moov starts"
        );
        let samples = &file[offset as usize..(offset + len) as usize];
        let got = chapters(reader.read_at(offset, samples).unwrap());
        assert_eq!(titles(&got), ["One", "Two", "Three ❤️"]);

        let mut unknown_len = Mp4Reader::new(None);
        assert_eq!(
            unknown_len.read_at(0, head).unwrap(),
            ReadOutcome::NeedRange {
                offset: moov_at as u64,
                len: PROBE_LEN
            }
        );
        // The probe brought only the moov header: now the exact moov range is asked for.
        assert_eq!(
            unknown_len
                .read_at(moov_at as u64, &file[moov_at..moov_at + 8])
                .unwrap(),
            ReadOutcome::NeedRange {
                offset: moov_at as u64,
                len: moov_len
            }
        );
    }

    #[test]
    fn samples_outside_the_given_bytes_are_asked_for_in_one_range() {
        let file = build_m4a(&THREE, &PLAIN);
        let mdat_at = file.len()
            - 8
            - 1000
            - THREE
                .iter()
                .map(|&(_, t, u)| text_sample(t, u).len())
                .sum::<usize>();
        let first_sample = (mdat_at + 8 + 1000) as u64;
        let mut reader = Mp4Reader::new(Some(file.len() as u64));
        let outcome = reader.read_at(0, &file[..mdat_at]).unwrap();
        assert_eq!(
            outcome,
            ReadOutcome::NeedRange {
                offset: first_sample,
                len: file.len() as u64 - first_sample
            }
        );
        let got = chapters(
            reader
                .read_at(first_sample, &file[first_sample as usize..])
                .unwrap(),
        );
        assert_eq!(titles(&got), ["One", "Two", "Three ❤️"]);
        // A finished reader keeps its answer.
        assert_eq!(chapters(reader.read_at(0, &[]).unwrap()).len(), 3);
    }

    #[test]
    fn streamed_reads_finish_in_few_calls_for_both_layouts() {
        for moov_first in [true, false] {
            let file = build_m4a(
                &THREE,
                &Layout {
                    moov_first,
                    ..PLAIN
                },
            );
            for file_len in [Some(file.len() as u64), None] {
                let (outcome, calls) = streamed(&file, 40, file_len);
                assert_eq!(
                    titles(&chapters(outcome.unwrap())),
                    ["One", "Two", "Three ❤️"]
                );
                assert!(
                    calls <= 4,
                    "{calls} calls (moov first: {moov_first}, len {file_len:?})"
                );
            }
        }
    }

    #[test]
    fn nero_chpl_alone_gives_chapters_ending_at_the_movie_duration() {
        let file = build_m4a(
            &THREE,
            &Layout {
                with_chpl: true,
                with_text_track: false,
                ..PLAIN
            },
        );
        let got = chapters(whole(&file).unwrap());
        assert_eq!(titles(&got), ["Nero One", "Nero Two", "Nero Three ❤️"]);
        let ends: Vec<_> = got.iter().map(|c| c.end_ms).collect();
        assert_eq!(ends, [Some(1000), Some(3000), Some(6000)]);
    }

    #[test]
    fn chpl_count_wraps_past_255() {
        let entries: Vec<(u64, String)> = (0..300).map(|i| (i * 1000, format!("{i:03}"))).collect();
        let refs: Vec<(u64, &str)> = entries.iter().map(|(ms, t)| (*ms, t.as_str())).collect();
        let mut atom = chpl(&refs);
        assert_eq!(atom[16], 300u32 as u8); // the count byte holds 44
        atom.extend([0; 9]); // padding that parses as one more entry
        let len = atom.len() as u32;
        atom[..4].copy_from_slice(&len.to_be_bytes());
        let file = [
            ftyp(),
            container(b"moov", &[mvhd(400_000), container(b"udta", &[atom])]),
        ]
        .concat();
        let got = chapters(whole(&file).unwrap());
        assert_eq!(got.len(), 300);
        assert_eq!(got[299].title, "299");
    }

    #[test]
    fn text_track_wins_over_chpl_and_unreadable_samples_fall_back_to_it() {
        let layout = Layout {
            with_chpl: true,
            ..PLAIN
        };
        let mut file = build_m4a(&[(1000, "QT one", None), (1000, "QT two", None)], &layout);
        assert_eq!(
            titles(&chapters(whole(&file).unwrap())),
            ["QT one", "QT two"]
        );
        // Cut the file inside the last sample, then inside both: chpl stands in for what is
        // gone, as for a truncated file.
        file.truncate(file.len() - 3);
        assert_eq!(
            titles(&chapters(whole(&file).unwrap())),
            ["QT one", "Nero QT two"]
        );
        file.truncate(file.len() - 20);
        assert_eq!(
            titles(&chapters(whole(&file).unwrap())),
            ["Nero QT one", "Nero QT two"]
        );
    }

    #[test]
    fn unreadable_samples_without_chpl_give_untitled_chapters_at_their_times() {
        let mut file = build_m4a(&THREE, &PLAIN);
        file.truncate(file.len() - 5);
        let got = chapters(whole(&file).unwrap());
        assert_eq!(titles(&got), ["One", "Two", ""]);
        assert_eq!(got[2].start_ms, 3000);
    }

    #[test]
    fn streamed_truncated_file_ends_with_what_it_has() {
        let mut file = build_m4a(
            &THREE,
            &Layout {
                with_chpl: true,
                ..PLAIN
            },
        );
        file.truncate(file.len() - 5);
        // The length is unknown: the reader asks for the samples, gets fewer bytes, and stops.
        let (outcome, calls) = streamed(&file, 300, None);
        assert_eq!(
            titles(&chapters(outcome.unwrap())),
            ["One", "Two", "Nero Three ❤️"]
        );
        assert!(calls <= 4);
    }

    #[test]
    fn moov_cut_by_the_end_of_the_file_is_a_clean_error_or_partial_read() {
        let file = build_m4a(&THREE, &MOOV_LAST);
        let cut = &file[..file.len() - 30];
        assert!(matches!(
            whole(cut),
            Err(ChapterError::Corrupt { .. }) | Ok(ReadOutcome::Chapters(_))
        ));
        let (outcome, _) = streamed(cut, 64, None);
        assert!(matches!(
            outcome,
            Err(ChapterError::Corrupt { .. }) | Ok(ReadOutcome::Chapters(_))
        ));
    }

    #[test]
    fn large_sizes_and_co64_are_read() {
        let layout = Layout {
            wide: true,
            ..PLAIN
        };
        let file = build_m4a(&THREE, &layout);
        let got = chapters(whole(&file).unwrap());
        assert_eq!(got.len(), 3);
        // The same chapters behind a 64-bit-size free box.
        let padded = [
            ftyp(),
            large_box(b"free", &[0; 32]),
            file[ftyp().len()..].to_vec(),
        ]
        .concat();
        let shifted = whole(&padded);
        assert!(
            matches!(shifted, Ok(ReadOutcome::Chapters(_))),
            "{shifted:?}"
        );
    }

    #[test]
    fn utf16_text_samples_are_decoded() {
        let mut sample: Vec<u8> = vec![0xFE, 0xFF];
        sample.extend("Überschrift 爱".encode_utf16().flat_map(u16::to_be_bytes));
        let mut bytes = (sample.len() as u16).to_be_bytes().to_vec();
        bytes.extend(&sample);
        let SampleState::Read { title, url } = decode_text_sample(&bytes) else {
            panic!("not read")
        };
        assert_eq!(title, "Überschrift 爱");
        assert_eq!(url, None);
        let SampleState::Read { title, .. } = decode_text_sample(b"\x00\x04Caf\xe9") else {
            panic!("not read")
        };
        assert_eq!(title, "Café");
    }

    #[test]
    fn last_text_track_gives_titles_and_links_are_kept() {
        // Hindenburg's layout: a title track, then a link track whose texts are link titles.
        let titles_track = [text_sample("Marker 1", None), text_sample("Marker 2", None)];
        let links_track = [
            text_sample("Link 1", Some("https://a")),
            text_sample("Link 2", None),
        ];
        let mdat_at = 1000u64;
        let mut offsets = Vec::new();
        let mut at = mdat_at + 8;
        for s in titles_track.iter().chain(&links_track) {
            offsets.push(at);
            at += s.len() as u64;
        }
        let track = |id, samples: &[Vec<u8>], offsets: &[u64]| {
            trak(&TrackSpec {
                id,
                handler: b"text",
                chap_refs: &[],
                durations: &[500, 500],
                sizes: &samples.iter().map(|s| s.len() as u32).collect::<Vec<_>>(),
                offsets,
                wide: false,
            })
        };
        let sound = trak(&TrackSpec {
            id: 1,
            handler: b"soun",
            chap_refs: &[3, 2],
            durations: &[1000],
            sizes: &[4],
            offsets: &[0],
            wide: false,
        });
        let moov = container(
            b"moov",
            &[
                mvhd(1000),
                track(2, &links_track, &offsets[2..]),
                sound,
                track(3, &titles_track, &offsets[..2]),
            ],
        );
        let mut file = [ftyp(), moov].concat();
        file.resize(mdat_at as usize, 0);
        file.extend(mp4_box(
            b"mdat",
            &[titles_track.concat(), links_track.concat()].concat(),
        ));
        let got = chapters(whole(&file).unwrap());
        assert_eq!(titles(&got), ["Link 1", "Link 2"]);
        assert_eq!(got[0].url.as_deref(), Some("https://a"));
    }

    #[test]
    fn image_track_marks_chapters_with_images() {
        let file = build_m4a(
            &THREE,
            &Layout {
                with_image: true,
                ..PLAIN
            },
        );
        let got = chapters(whole(&file).unwrap());
        let images: Vec<bool> = got.iter().map(|c| c.has_image).collect();
        assert_eq!(images, [true, true, false]);
    }

    #[test]
    fn non_mp4_bytes_are_wrong_format() {
        assert!(matches!(
            whole(b"ID3\x03\0\0\0\0\0\x10"),
            Err(ChapterError::WrongFormat { .. })
        ));
        assert!(matches!(whole(b""), Err(ChapterError::WrongFormat { .. })));
        assert!(matches!(
            whole(&[0, 0, 0, 4, b'f', b't', b'y', b'p']),
            Err(ChapterError::WrongFormat { .. })
        ));
    }

    #[test]
    fn file_without_moov_is_corrupt() {
        let file = [ftyp(), mp4_box(b"mdat", &[0; 64])].concat();
        assert!(matches!(whole(&file), Err(ChapterError::Corrupt { .. })));
        let (outcome, _) = streamed(&file, 16, None);
        assert!(
            matches!(outcome, Err(ChapterError::Corrupt { .. })),
            "{outcome:?}"
        );
    }

    #[test]
    fn random_garbage_never_panics() {
        let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
        for round in 0..2000 {
            let len = (rng.next_u64() % 400) as usize;
            let mut bytes = rng.bytes(len);
            if round % 2 == 0 && bytes.len() >= 8 {
                bytes[4..8].copy_from_slice(b"ftyp");
            }
            let _ = whole(&bytes);
            let _ = read(&bytes, rng.next_u64() % 1000, None);
        }
    }

    #[test]
    fn mutated_valid_files_never_panic() {
        let base = build_m4a(
            &THREE,
            &Layout {
                with_chpl: true,
                ..PLAIN
            },
        );
        let mut rng = XorShift(7);
        for _ in 0..3000 {
            let mut file = base.clone();
            for _ in 0..1 + rng.next_u64() % 4 {
                let at = (rng.next_u64() % file.len() as u64) as usize;
                file[at] = rng.next_u64() as u8;
            }
            let _ = whole(&file);
            let _ = streamed(&file, 64, None);
        }
    }

    // --- the shared corpus -------------------------------------------------------------------

    fn corpus_chapters(rel: &str) -> Option<Vec<EmbeddedChapter>> {
        let file = corpus_file(rel)?;
        Some(chapters(
            whole(&file).unwrap_or_else(|e| panic!("{rel}: {e}")),
        ))
    }

    #[test]
    fn auphonic_m4a_gives_four_chapters_with_links_and_images() {
        let Some(got) = corpus_chapters("antennapod/auphonic.m4a") else {
            return;
        };
        assert_starts_and_titles(&got, &AUPHONIC);
        assert!(got
            .iter()
            .all(|c| c.url.as_deref() == Some("https://example.com") && c.has_image));
    }

    #[test]
    fn hindenburg_m4a_gives_the_link_track_titles_trimmed() {
        let Some(got) = corpus_chapters("antennapod/hindenburg-journalist-pro.m4a") else {
            return;
        };
        assert_starts_and_titles(
            &got,
            &[
                (0.0, "URL Title for Chapter 1"),
                (5.005, "URL Title for Chapter 2"),
            ],
        );
        assert_eq!(
            got[1].url.as_deref(),
            Some("https://example.com/chapter2url")
        );
        assert_eq!(got[1].end_ms, Some(10_053));
    }

    #[test]
    fn nero_chapters_m4a_gives_four_chapters() {
        let Some(got) = corpus_chapters("antennapod/nero-chapters.m4a") else {
            return;
        };
        assert_starts_and_titles(&got, &AUPHONIC);
        assert_eq!(got[3].end_ms, Some(9_999));
    }

    #[test]
    fn mutagen_ep7_and_ep9_give_one_chapter() {
        for rel in ["mutagen/ep7.m4b", "mutagen/ep9.m4b"] {
            let Some(got) = corpus_chapters(rel) else {
                return;
            };
            assert_starts_and_titles(&got, &[(0.0, "Chapter 1")]);
        }
    }

    #[test]
    fn truncated_nero_m4b_gives_all_112_chpl_chapters() {
        let Some(got) = corpus_chapters("mutagen/nero-chapters.m4b") else {
            return;
        };
        assert_eq!(got.len(), 112);
        let want: Vec<String> = (1..=112).map(|i| format!("{i:03}")).collect();
        assert_eq!(titles(&got), want);
        assert_starts_and_titles(
            &got[..3],
            &[(0.0, "001"), (17.507, "002"), (1111.632, "003")],
        );
        assert_eq!(got[111].start_ms, 168_998_359);
        assert_eq!(got[111].end_ms, Some(169_022_694));
        // Its text track's sample lies 14.6 MB in, beyond the 80 KB left: streamed with the
        // length unknown, the reader asks for it once, gets nothing, and keeps the chpl titles.
        let file = corpus_file("mutagen/nero-chapters.m4b").unwrap();
        let (outcome, calls) = streamed(&file, 4096, None);
        assert_eq!(chapters(outcome.unwrap()), got);
        assert!(calls <= 4, "{calls} calls");
    }

    #[test]
    fn corpus_files_stream_to_the_same_chapters_in_few_calls() {
        let Some(files) = corpus_files() else { return };
        for (name, file) in files
            .iter()
            .filter(|(n, _)| n.ends_with(".m4a") || n.ends_with(".m4b") || n.ends_with(".mp4"))
        {
            let whole_result = whole(file);
            for (head, len) in [(4096, Some(file.len() as u64)), (4096, None), (512, None)] {
                let (outcome, calls) = streamed(file, head, len);
                assert!(calls <= 5, "{name}: {calls} calls");
                match (&whole_result, &outcome) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{name}"),
                    (Err(_), Err(_)) => {}
                    _ => panic!("{name}: whole {whole_result:?}, streamed {outcome:?}"),
                }
            }
        }
    }

    #[test]
    fn other_corpus_files_give_no_chapters_or_a_clean_error() {
        let Some(files) = corpus_files() else { return };
        let with_chapters = [
            "auphonic.m4a",
            "hindenburg-journalist-pro.m4a",
            "nero-chapters.m4a",
            "ep7.m4b",
            "ep9.m4b",
            "nero-chapters.m4b",
        ];
        for (name, file) in &files {
            if with_chapters.iter().any(|f| name.ends_with(f)) {
                continue;
            }
            match whole(file) {
                Ok(ReadOutcome::Chapters(list)) => assert!(list.is_empty(), "{name}: {list:?}"),
                Ok(other) => panic!("{name}: {other:?}"),
                Err(_) => {}
            }
        }
    }

    #[test]
    fn corpus_prefixes_never_panic() {
        for rel in [
            "antennapod/auphonic.m4a",
            "antennapod/hindenburg-journalist-pro.m4a",
            "antennapod/nero-chapters.m4a",
            "mutagen/ep7.m4b",
            "mutagen/ep9.m4b",
            "mutagen/nero-chapters.m4b",
        ] {
            let Some(file) = corpus_file(rel) else { return };
            for len in prefix_lengths(file.len()) {
                let prefix = &file[..len];
                let _ = read(prefix, 0, Some(len as u64));
                let _ = read(prefix, 0, None);
                let _ = read(prefix, 0, Some(file.len() as u64));
            }
            for len in [100, 1000, 5000, file.len() / 2] {
                let _ = streamed(&file[..len], 64, Some(len as u64));
                let _ = streamed(&file[..len], 64, None);
            }
        }
    }
}
