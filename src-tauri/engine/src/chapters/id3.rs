//! Chapters from an ID3v2 tag at the start of an MP3: `CHAP` frames, ordered by a `CTOC` frame
//! when there is one (ID3v2 Chapter Frame Addendum 1.0).
//!
//! API: [`read`]`(head: &[u8]) -> Result<ReadOutcome, ChapterError>`, `head` being the first
//! bytes of the file.
//! - The 10-byte tag header gives the tag's size. When `head` is shorter than the whole tag the
//!   answer is [`ReadOutcome::NeedBytes`]`(n)`: call again with at least the first `n` bytes
//!   (fewer than 10 bytes give `NeedBytes(10)`). When `head` was already the whole file, the
//!   file is truncated.
//! - A file that starts with an MPEG audio frame instead of a tag has no chapters:
//!   `Chapters(vec![])`. Anything else is [`ChapterError::WrongFormat`].
//! - ID3v2.3 and v2.4 are read, with tag-wide (v2.3) and per-frame (v2.4) unsynchronisation, the
//!   extended header, grouping and data-length frame flags, and v2.4 tags whose frame sizes were
//!   written as plain integers instead of synchsafe ones (an old iTunes bug). ID3v2.2 defines no
//!   chapter frames, so a v2.2 tag gives no chapters (without needing the rest of the tag).
//!   Compressed and encrypted frames are skipped; a tag appended at the end of the file is not
//!   looked for.
//!
//! Each `CHAP` gives start and end times (its byte offsets: see [`start_offsets`]) and, from its
//! sub-frames, the title (`TIT2`, else `TIT3`), the link (`WXXX`, else any other `W***`) and
//! whether an image is attached (`APIC`). Text in encodings 0–3 (ISO-8859-1, UTF-16 with BOM,
//! UTF-16BE, UTF-8) is decoded. Order: the entries of the top-level, ordered `CTOC` (child
//! `CTOC`s expanded), then any chapter it leaves out by start; without such a `CTOC`, by start.
//! A chapter's end is its `CHAP` end time when that lies after its start, else the next
//! chapter's start.

use std::borrow::Cow;
use std::collections::HashMap;

use super::embedded::{
    clean_title, fill_missing_ends, is_mpeg_audio_frame, ChapterError, EmbeddedChapter, ReadOutcome,
};

const CONTAINER: &str = "ID3v2";
const HEADER_LEN: usize = 10;

/// Reads the chapters of the ID3v2 tag at the start of `head`. See the module docs.
pub fn read(head: &[u8]) -> Result<ReadOutcome, ChapterError> {
    Ok(match read_tag(head, chapters_from_frames)? {
        Tag::Read(chapters) => ReadOutcome::Chapters(chapters),
        Tag::NeedBytes(n) => ReadOutcome::NeedBytes(n),
    })
}

/// Where a chapter's audio starts in the file, as its `CHAP` frame says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChapterOffset {
    pub start_ms: u64,
    /// Bytes from the start of the file to the first byte of the chapter's first audio frame.
    pub byte: u64,
}

/// The chapters of the tag at the start of `head` whose `CHAP` frame gives a start offset
/// (most writers leave it `0xFFFFFFFF`, "not given"), by start time. Nothing when `head` does
/// not hold the whole tag or the tag cannot be read: the offsets only make jumps cheaper.
pub fn start_offsets(head: &[u8]) -> Vec<ChapterOffset> {
    let offsets = |frames: &[Frame<'_>], version: u8| {
        let mut offsets: Vec<ChapterOffset> = frames
            .iter()
            .filter(|f| &f.id == b"CHAP")
            .filter_map(|f| parse_chap(&f.data, version))
            .filter(|c| c.start_offset != u32::MAX)
            .map(|c| ChapterOffset {
                start_ms: u64::from(c.start_ms),
                byte: u64::from(c.start_offset),
            })
            .collect();
        offsets.sort_by_key(|o| (o.start_ms, o.byte));
        offsets
    };
    match read_tag(head, offsets) {
        Ok(Tag::Read(offsets)) => offsets,
        _ => Vec::new(),
    }
}

/// What [`read_tag`] came to.
enum Tag<T> {
    Read(T),
    NeedBytes(u64),
}

/// Finds the tag's frames and gives them to `read` (nothing when the file starts with audio
/// or has a v2.2 tag, which defines no chapter frames).
fn read_tag<T: Default>(
    head: &[u8],
    read: impl FnOnce(&[Frame<'_>], u8) -> T,
) -> Result<Tag<T>, ChapterError> {
    if !head.starts_with(b"ID3") {
        if b"ID3".starts_with(head) {
            return Ok(Tag::NeedBytes(HEADER_LEN as u64));
        }
        if is_mpeg_audio_frame(head) {
            return Ok(Tag::Read(T::default()));
        }
        if head.len() < 4 && head.first() == Some(&0xFF) {
            return Ok(Tag::NeedBytes(4));
        }
        return Err(ChapterError::WrongFormat { expected: "MP3" });
    }
    let Some(header) = head.get(..HEADER_LEN) else {
        return Ok(Tag::NeedBytes(HEADER_LEN as u64));
    };
    let version = header[3];
    let flags = header[5];
    let size = synchsafe(&header[6..10]).ok_or_else(|| corrupt("tag size is not synchsafe"))?;
    match version {
        2 => return Ok(Tag::Read(T::default())),
        3 | 4 => {}
        _ => return Err(corrupt(format!("unsupported version 2.{version}"))),
    }
    let total = HEADER_LEN as u64 + u64::from(size);
    let Some(body) = usize::try_from(total)
        .ok()
        .and_then(|end| head.get(HEADER_LEN..end))
    else {
        return Ok(Tag::NeedBytes(total));
    };
    let tag_unsync = flags & 0x80 != 0;
    let body: Cow<[u8]> = if version == 3 && tag_unsync {
        Cow::Owned(remove_unsync(body))
    } else {
        Cow::Borrowed(body)
    };
    let frames_start = if flags & 0x40 != 0 {
        extended_header_len(&body, version)?
    } else {
        0
    };
    let frames_region = body.get(frames_start..).unwrap_or_default();
    let frames = parse_frames(frames_region, version, version == 4 && tag_unsync);
    Ok(Tag::Read(read(&frames, version)))
}

fn corrupt(detail: impl Into<String>) -> ChapterError {
    ChapterError::Corrupt {
        container: CONTAINER,
        detail: detail.into(),
    }
}

/// A 28-bit synchsafe integer from 4 bytes, `None` when a byte has its top bit set.
fn synchsafe(b: &[u8]) -> Option<u32> {
    let bytes: [u8; 4] = b.try_into().ok()?;
    if bytes.iter().any(|&x| x & 0x80 != 0) {
        return None;
    }
    Some(bytes.iter().fold(0, |acc, &x| (acc << 7) | u32::from(x)))
}

fn be_u32(b: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(b.try_into().ok()?))
}

/// Undoes unsynchronisation: every `FF 00` becomes `FF`.
fn remove_unsync(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut previous_ff = false;
    for &b in data {
        if !(previous_ff && b == 0) {
            out.push(b);
        }
        previous_ff = b == 0xFF;
    }
    out
}

/// Bytes the extended header takes at the start of the tag body.
fn extended_header_len(body: &[u8], version: u8) -> Result<usize, ChapterError> {
    let size_bytes = body
        .get(..4)
        .ok_or_else(|| corrupt("extended header cut short"))?;
    let len = if version == 3 {
        // v2.3: the size excludes its own 4 bytes.
        be_u32(size_bytes).and_then(|n| n.checked_add(4))
    } else {
        // v2.4: synchsafe, and includes itself.
        synchsafe(size_bytes).filter(|&n| n >= 6)
    };
    len.and_then(|n| usize::try_from(n).ok())
        .filter(|&n| n <= body.len())
        .ok_or_else(|| corrupt("bad extended header size"))
}

/// One frame: its 4-character id and its data, with flags undone.
struct Frame<'a> {
    id: [u8; 4],
    data: Cow<'a, [u8]>,
}

/// Reads frames until the padding, the end of `data`, or anything that is not a frame header.
/// `all_unsync`: the v2.4 tag header says every frame is unsynchronised.
fn parse_frames(data: &[u8], version: u8, all_unsync: bool) -> Vec<Frame<'_>> {
    let mut frames = Vec::new();
    let mut pos = 0usize;
    while let Some(header) = data.get(pos..pos + HEADER_LEN) {
        let id: [u8; 4] = [header[0], header[1], header[2], header[3]];
        if !is_frame_id(&id) {
            break;
        }
        let start = pos + HEADER_LEN;
        let size = if version == 4 {
            v24_frame_size(data, pos)
        } else {
            be_u32(&header[4..8])
        };
        let Some(end) = size
            .and_then(|s| usize::try_from(s).ok())
            .and_then(|s| start.checked_add(s))
            .filter(|&end| end <= data.len())
        else {
            break;
        };
        let raw = &data[start..end];
        if let Some(data) = undo_frame_flags(raw, version, header[9], all_unsync) {
            frames.push(Frame { id, data });
        }
        pos = end;
    }
    frames
}

fn is_frame_id(id: &[u8]) -> bool {
    id.iter()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The size of the v2.4 frame at `pos`: synchsafe as the standard says, unless the bytes cannot
/// be synchsafe or only the plain reading lands on a next frame (tags written by old iTunes).
fn v24_frame_size(data: &[u8], pos: usize) -> Option<u32> {
    let raw = data.get(pos + 4..pos + 8)?;
    let plain = be_u32(raw)?;
    let Some(safe) = synchsafe(raw) else {
        return Some(plain);
    };
    if safe == plain {
        return Some(safe);
    }
    let lands_well = |size: u32| {
        let next = usize::try_from(size)
            .ok()
            .and_then(|s| (pos + HEADER_LEN).checked_add(s));
        match next {
            Some(n) if n == data.len() => true,
            Some(n) => match data.get(n..n + 4) {
                Some(id) => id[0] == 0 || is_frame_id(id),
                None => false,
            },
            None => false,
        }
    };
    if !lands_well(safe) && lands_well(plain) {
        Some(plain)
    } else {
        Some(safe)
    }
}

/// The frame's data with grouping byte, data length indicator and unsynchronisation undone;
/// `None` for compressed or encrypted frames.
fn undo_frame_flags(
    raw: &[u8],
    version: u8,
    format_flags: u8,
    all_unsync: bool,
) -> Option<Cow<'_, [u8]>> {
    if version == 3 {
        if format_flags & 0xC0 != 0 {
            return None; // compressed or encrypted
        }
        let skip = if format_flags & 0x20 != 0 { 1 } else { 0 };
        return raw.get(skip..).map(Cow::Borrowed);
    }
    if format_flags & 0x0C != 0 {
        return None; // compressed or encrypted
    }
    let mut skip = 0;
    if format_flags & 0x40 != 0 {
        skip += 1; // group identifier
    }
    if format_flags & 0x01 != 0 {
        skip += 4; // data length indicator
    }
    let data = raw.get(skip..)?;
    if all_unsync || format_flags & 0x02 != 0 {
        Some(Cow::Owned(remove_unsync(data)))
    } else {
        Some(Cow::Borrowed(data))
    }
}

/// A `CHAP` frame, read.
struct Chap {
    element_id: Vec<u8>,
    start_ms: u32,
    end_ms: u32,
    /// `u32::MAX`: not given.
    start_offset: u32,
    title: Option<String>,
    subtitle: Option<String>,
    link: Option<String>,
    other_link: Option<String>,
    has_image: bool,
}

/// A `CTOC` frame, read.
struct Ctoc {
    element_id: Vec<u8>,
    top_level: bool,
    ordered: bool,
    entries: Vec<Vec<u8>>,
}

fn chapters_from_frames(frames: &[Frame<'_>], version: u8) -> Vec<EmbeddedChapter> {
    let mut chaps = Vec::new();
    let mut tocs = Vec::new();
    for frame in frames {
        match &frame.id {
            b"CHAP" => chaps.extend(parse_chap(&frame.data, version)),
            b"CTOC" => tocs.extend(parse_ctoc(&frame.data)),
            _ => {}
        }
    }
    let order = play_order(&chaps, &tocs);
    let mut chapters: Vec<EmbeddedChapter> = order
        .into_iter()
        .filter_map(|i| chaps.get(i))
        .map(|chap| EmbeddedChapter {
            start_ms: u64::from(chap.start_ms),
            end_ms: (chap.end_ms != u32::MAX && chap.end_ms > chap.start_ms)
                .then_some(u64::from(chap.end_ms)),
            title: clean_title(
                chap.title
                    .as_deref()
                    .or(chap.subtitle.as_deref())
                    .unwrap_or(""),
            ),
            url: chap.link.clone().or_else(|| chap.other_link.clone()),
            has_image: chap.has_image,
        })
        .collect();
    fill_missing_ends(&mut chapters, None);
    chapters
}

/// Indexes into `chaps` in play order.
fn play_order(chaps: &[Chap], tocs: &[Ctoc]) -> Vec<usize> {
    let mut by_start: Vec<usize> = (0..chaps.len()).collect();
    by_start.sort_by_key(|&i| chaps[i].start_ms);
    let Some(root) = tocs.iter().position(|t| t.top_level && t.ordered) else {
        return by_start;
    };
    // First frame wins when element ids repeat.
    let mut toc_ids = HashMap::new();
    for (i, toc) in tocs.iter().enumerate() {
        toc_ids.entry(toc.element_id.as_slice()).or_insert(i);
    }
    let mut walk = TocWalk {
        chap_ids: HashMap::new(),
        toc_ids,
        tocs,
        placed: vec![false; chaps.len()],
        visited: vec![false; tocs.len()],
        order: Vec::new(),
    };
    for (i, chap) in chaps.iter().enumerate().rev() {
        walk.chap_ids.insert(chap.element_id.as_slice(), i);
    }
    walk.visited[root] = true;
    walk.expand(&tocs[root], 0);
    let TocWalk {
        mut order, placed, ..
    } = walk;
    order.extend(by_start.into_iter().filter(|&i| !placed[i]));
    order
}

/// State for expanding a table of contents into chapter indexes.
struct TocWalk<'a> {
    chap_ids: HashMap<&'a [u8], usize>,
    toc_ids: HashMap<&'a [u8], usize>,
    tocs: &'a [Ctoc],
    placed: Vec<bool>,
    visited: Vec<bool>,
    order: Vec<usize>,
}

impl<'a> TocWalk<'a> {
    /// Tables of contents nested deeper than this are ignored.
    const MAX_DEPTH: usize = 16;

    /// Appends the chapters `toc` lists, child tables of contents expanded in place.
    fn expand(&mut self, toc: &'a Ctoc, depth: usize) {
        if depth > Self::MAX_DEPTH {
            return;
        }
        for entry in &toc.entries {
            if let Some(&i) = self.chap_ids.get(entry.as_slice()) {
                if !self.placed[i] {
                    self.placed[i] = true;
                    self.order.push(i);
                }
            } else if let Some(&t) = self.toc_ids.get(entry.as_slice()) {
                if !self.visited[t] {
                    self.visited[t] = true;
                    let tocs = self.tocs;
                    self.expand(&tocs[t], depth + 1);
                }
            }
        }
    }
}

/// Splits a NUL-terminated byte string off the front of `data`.
fn take_cstr(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let nul = data.iter().position(|&b| b == 0)?;
    Some((&data[..nul], &data[nul + 1..]))
}

fn parse_chap(data: &[u8], version: u8) -> Option<Chap> {
    let (element_id, rest) = take_cstr(data)?;
    let times = rest.get(..16)?;
    let mut chap = Chap {
        element_id: element_id.to_vec(),
        start_ms: be_u32(&times[0..4])?,
        end_ms: be_u32(&times[4..8])?,
        start_offset: be_u32(&times[8..12])?,
        title: None,
        subtitle: None,
        link: None,
        other_link: None,
        has_image: false,
    };
    for sub in parse_frames(&rest[16..], version, false) {
        match &sub.id {
            b"TIT2" => chap.title = chap.title.or_else(|| Some(decode_text_frame(&sub.data))),
            b"TIT3" => chap.subtitle = chap.subtitle.or_else(|| Some(decode_text_frame(&sub.data))),
            b"WXXX" => chap.link = chap.link.or_else(|| wxxx_url(&sub.data)),
            b"APIC" => chap.has_image = true,
            [b'W', ..] => chap.other_link = chap.other_link.or_else(|| url_text(&sub.data)),
            _ => {}
        }
    }
    Some(chap)
}

fn parse_ctoc(data: &[u8]) -> Option<Ctoc> {
    let (element_id, rest) = take_cstr(data)?;
    let (&flags, rest) = rest.split_first()?;
    let (&count, mut rest) = rest.split_first()?;
    let mut entries = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let Some((entry, tail)) = take_cstr(rest) else {
            break;
        };
        entries.push(entry.to_vec());
        rest = tail;
    }
    Some(Ctoc {
        element_id: element_id.to_vec(),
        top_level: flags & 0x02 != 0,
        ordered: flags & 0x01 != 0,
        entries,
    })
}

/// The first string of a text frame (encoding byte, then text).
fn decode_text_frame(data: &[u8]) -> String {
    match data.split_first() {
        Some((&encoding, text)) => decode_text(encoding, text).0,
        None => String::new(),
    }
}

/// `WXXX`: encoding, description in that encoding, then the URL in ISO-8859-1.
fn wxxx_url(data: &[u8]) -> Option<String> {
    let (&encoding, rest) = data.split_first()?;
    let (_, consumed) = decode_text(encoding, rest);
    url_text(rest.get(consumed..)?)
}

/// A URL frame's ISO-8859-1 text, up to a NUL; `None` when empty.
fn url_text(data: &[u8]) -> Option<String> {
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let url = latin1(&data[..end]);
    let url = url.trim();
    (!url.is_empty()).then(|| url.to_string())
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Decodes one NUL-terminated string in ID3 encoding `encoding` from the front of `data`.
/// Returns the text and the bytes consumed, terminator included.
fn decode_text(encoding: u8, data: &[u8]) -> (String, usize) {
    match encoding {
        1 | 2 => {
            let mut units = data.chunks_exact(2).map(|p| [p[0], p[1]]);
            let end = units.position(|u| u == [0, 0]);
            let text_len = end.map_or(data.len() & !1, |i| i * 2);
            let consumed = end.map_or(data.len(), |i| i * 2 + 2);
            let text = &data[..text_len];
            let (big_endian, text) = match text {
                [0xFE, 0xFF, rest @ ..] => (true, rest),
                [0xFF, 0xFE, rest @ ..] => (false, rest),
                _ => (encoding == 2, text),
            };
            let units: Vec<u16> = text
                .chunks_exact(2)
                .map(|p| {
                    let pair = [p[0], p[1]];
                    if big_endian {
                        u16::from_be_bytes(pair)
                    } else {
                        u16::from_le_bytes(pair)
                    }
                })
                .collect();
            (String::from_utf16_lossy(&units), consumed)
        }
        _ => {
            let end = data.iter().position(|&b| b == 0);
            let text = &data[..end.unwrap_or(data.len())];
            let consumed = end.map_or(data.len(), |i| i + 1);
            let text = if encoding == 3 {
                String::from_utf8_lossy(text).into_owned()
            } else {
                latin1(text)
            };
            (text, consumed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::embedded::test_support::*;
    use super::*;

    // --- fixture builders --------------------------------------------------------------------

    fn synchsafe_bytes(n: u32) -> [u8; 4] {
        [
            (n >> 21) as u8 & 0x7F,
            (n >> 14) as u8 & 0x7F,
            (n >> 7) as u8 & 0x7F,
            n as u8 & 0x7F,
        ]
    }

    /// A frame with a header for `version` (3: plain size, 4: synchsafe size).
    fn frame(version: u8, id: &str, data: &[u8]) -> Vec<u8> {
        frame_with_flags(version, id, 0, data)
    }

    fn frame_with_flags(version: u8, id: &str, format_flags: u8, data: &[u8]) -> Vec<u8> {
        let len = data.len() as u32;
        let mut out = id.as_bytes().to_vec();
        out.extend(if version == 4 {
            synchsafe_bytes(len)
        } else {
            len.to_be_bytes()
        });
        out.extend([0, format_flags]);
        out.extend_from_slice(data);
        out
    }

    /// A whole tag: header, frames, some padding.
    fn id3_tag(version: u8, frames: &[Vec<u8>]) -> Vec<u8> {
        tag_with_flags(version, 0, frames)
    }

    fn tag_with_flags(version: u8, flags: u8, frames: &[Vec<u8>]) -> Vec<u8> {
        let mut body: Vec<u8> = frames.concat();
        body.extend([0; 16]);
        let mut out = b"ID3".to_vec();
        out.extend([version, 0, flags]);
        out.extend(synchsafe_bytes(body.len() as u32));
        out.extend(body);
        out
    }

    /// `TIT2` in UTF-8.
    fn tit2(version: u8, title: &str) -> Vec<u8> {
        let mut data = vec![3];
        data.extend_from_slice(title.as_bytes());
        frame(version, "TIT2", &data)
    }

    fn chap(version: u8, id: &str, start: u32, end: u32, subframes: &[Vec<u8>]) -> Vec<u8> {
        chap_at(version, id, [start, end, u32::MAX], subframes)
    }

    /// A `CHAP` frame with its start time, end time and start offset.
    fn chap_at(version: u8, id: &str, times: [u32; 3], subframes: &[Vec<u8>]) -> Vec<u8> {
        let mut data = id.as_bytes().to_vec();
        data.push(0);
        for n in [times[0], times[1], times[2], u32::MAX] {
            data.extend(n.to_be_bytes());
        }
        data.extend(subframes.concat());
        frame(version, "CHAP", &data)
    }

    /// A titled chapter.
    fn titled(version: u8, id: &str, start: u32, end: u32, title: &str) -> Vec<u8> {
        chap(version, id, start, end, &[tit2(version, title)])
    }

    fn ctoc(version: u8, id: &str, flags: u8, entries: &[&str]) -> Vec<u8> {
        let mut data = id.as_bytes().to_vec();
        data.extend([0, flags, entries.len() as u8]);
        for entry in entries {
            data.extend_from_slice(entry.as_bytes());
            data.push(0);
        }
        frame(version, "CTOC", &data)
    }

    fn read_chapters(bytes: &[u8]) -> Vec<EmbeddedChapter> {
        chapters(read(bytes).expect("readable tag"))
    }

    fn titles(chapters: &[EmbeddedChapter]) -> Vec<&str> {
        chapters.iter().map(|c| c.title.as_str()).collect()
    }

    // --- hand-built tags ---------------------------------------------------------------------

    #[test]
    fn reads_v23_chapters_with_plain_frame_sizes() {
        // 200-byte titles make frame sizes >= 128, where plain and synchsafe sizes differ.
        let long = "x".repeat(200);
        let tag = id3_tag(
            3,
            &[
                titled(3, "c1", 0, 1000, &long),
                titled(3, "c2", 1000, 2000, "Two"),
            ],
        );
        let got = read_chapters(&tag);
        assert_eq!(titles(&got), [long.as_str(), "Two"]);
        assert_eq!(got[0].end_ms, Some(1000));
    }

    #[test]
    fn reads_v24_chapters_with_synchsafe_frame_sizes() {
        let long = "y".repeat(300);
        let tag = id3_tag(
            4,
            &[
                titled(4, "c1", 0, 1000, &long),
                titled(4, "c2", 1000, 2000, "Two"),
            ],
        );
        assert_eq!(titles(&read_chapters(&tag)), [long.as_str(), "Two"]);
    }

    #[test]
    fn reads_v24_tag_written_with_plain_sizes() {
        let long = "z".repeat(300);
        // Frames built with v2.3 (plain) sizes inside a v2.4 tag, as old iTunes wrote them.
        let tag = id3_tag(
            4,
            &[
                titled(3, "c1", 0, 1000, &long),
                titled(3, "c2", 1000, 2000, "Two"),
            ],
        );
        assert_eq!(titles(&read_chapters(&tag)), [long.as_str(), "Two"]);
    }

    #[test]
    fn tag_cut_short_asks_for_the_whole_tag() {
        let tag = id3_tag(3, &[titled(3, "c1", 0, 1000, "One")]);
        let total = tag.len() as u64;
        for cut in [0, 2, 5, 9] {
            assert_eq!(
                read(&tag[..cut]).unwrap(),
                ReadOutcome::NeedBytes(10),
                "cut at {cut}"
            );
        }
        for cut in [10, 30, tag.len() - 1] {
            assert_eq!(
                read(&tag[..cut]).unwrap(),
                ReadOutcome::NeedBytes(total),
                "cut at {cut}"
            );
        }
        assert_eq!(read_chapters(&tag).len(), 1);
    }

    #[test]
    fn decodes_the_four_text_encodings() {
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Grüße 😊".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let utf16be_bom: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Ünïcode".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let utf16be: Vec<u8> = "爱 BE".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let cases: [(u8, Vec<u8>, &str); 5] = [
            (0, b"Caf\xe9".to_vec(), "Café"),
            (1, utf16le, "Grüße 😊"),
            (1, utf16be_bom, "Ünïcode"),
            (2, utf16be, "爱 BE"),
            (3, "Chapter 2 - ßöÄ".as_bytes().to_vec(), "Chapter 2 - ßöÄ"),
        ];
        for (encoding, text, want) in cases {
            let mut data = vec![encoding];
            data.extend(text);
            data.extend([0, 0]);
            let tag = id3_tag(3, &[chap(3, "c", 0, 10, &[frame(3, "TIT2", &data)])]);
            assert_eq!(read_chapters(&tag)[0].title, want, "encoding {encoding}");
        }
    }

    #[test]
    fn ctoc_order_wins_over_file_order() {
        let tag = id3_tag(
            4,
            &[
                ctoc(4, "toc", 0x03, &["b", "a", "c"]),
                titled(4, "a", 0, 1000, "A"),
                titled(4, "b", 5000, 6000, "B"),
                titled(4, "c", 2000, 3000, "C"),
            ],
        );
        assert_eq!(titles(&read_chapters(&tag)), ["B", "A", "C"]);
    }

    #[test]
    fn without_ordered_ctoc_chapters_sort_by_start() {
        let frames = [
            titled(3, "late", 9000, u32::MAX, "Late"),
            titled(3, "early", 0, u32::MAX, "Early"),
        ];
        let unordered_toc = ctoc(3, "toc", 0x02, &["late", "early"]);
        let plain = read_chapters(&id3_tag(3, &frames));
        assert_eq!(titles(&plain), ["Early", "Late"]);
        let with_toc = read_chapters(&id3_tag(
            3,
            &[unordered_toc, frames[0].clone(), frames[1].clone()],
        ));
        assert_eq!(titles(&with_toc), ["Early", "Late"]);
    }

    #[test]
    fn nested_ctoc_expands_and_unlisted_chapters_follow() {
        let tag = id3_tag(
            3,
            &[
                ctoc(3, "root", 0x03, &["part2", "a"]),
                ctoc(3, "part2", 0x01, &["c", "b"]),
                titled(3, "a", 0, 0, "A"),
                titled(3, "b", 2000, 0, "B"),
                titled(3, "c", 3000, 0, "C"),
                titled(3, "d", 1000, 0, "D"),
            ],
        );
        assert_eq!(titles(&read_chapters(&tag)), ["C", "B", "A", "D"]);
    }

    #[test]
    fn end_comes_from_chap_or_next_start() {
        let tag = id3_tag(
            3,
            &[
                titled(3, "a", 0, 2500, "A"),
                titled(3, "b", 3000, u32::MAX, "B"),
                titled(3, "c", 7000, 0, "C"),
            ],
        );
        let ends: Vec<_> = read_chapters(&tag).iter().map(|c| c.end_ms).collect();
        assert_eq!(ends, [Some(2500), Some(7000), None]);
    }

    #[test]
    fn ctoc_cycles_and_deep_nesting_end() {
        let mut frames = vec![
            ctoc(3, "root", 0x03, &["loop", "a"]),
            ctoc(3, "loop", 0x01, &["root", "b"]),
        ];
        // A chain of 500 nested tables of contents, past the depth limit.
        for i in 0..500 {
            let child = format!("t{}", i + 1);
            frames.push(ctoc(3, &format!("t{i}"), 0x01, &[child.as_str()]));
        }
        frames[0] = ctoc(3, "root", 0x03, &["loop", "a", "t0"]);
        frames.push(titled(3, "a", 0, 0, "A"));
        frames.push(titled(3, "b", 1000, 0, "B"));
        frames.push(titled(3, "t500", 500, 0, "Deep"));
        assert_eq!(
            titles(&read_chapters(&id3_tag(3, &frames))),
            ["B", "A", "Deep"]
        );
    }

    #[test]
    fn many_chapters_in_a_ctoc_are_ordered_quickly() {
        let n = 20_000;
        let ids: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        let reversed: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
        let mut frames = Vec::new();
        for chunk in reversed.chunks(255).enumerate() {
            frames.push(ctoc(4, &format!("part{}", chunk.0), 0x01, chunk.1));
        }
        let parts: Vec<String> = (0..frames.len()).map(|i| format!("part{i}")).collect();
        let part_refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        frames.insert(0, ctoc(4, "root", 0x03, &part_refs));
        for (i, id) in ids.iter().enumerate() {
            frames.push(titled(4, id, i as u32 * 10, 0, id));
        }
        let got = read_chapters(&id3_tag(4, &frames));
        assert_eq!(got.len(), n);
        assert_eq!(got[0].title, format!("c{}", n - 1));
        assert_eq!(got[n - 1].title, "c0");
    }

    #[test]
    fn chap_subframes_give_url_and_image() {
        let mut wxxx = vec![0];
        wxxx.extend_from_slice(b"desc\0https://example.com/a");
        let apic = frame(3, "APIC", b"\0image/png\0\x03\0\x89PNG");
        let tag = id3_tag(
            3,
            &[
                chap(3, "a", 0, 0, &[tit2(3, "A"), frame(3, "WXXX", &wxxx), apic]),
                chap(
                    3,
                    "b",
                    10,
                    0,
                    &[tit2(3, "B"), frame(3, "WOAR", b"https://example.com/b")],
                ),
            ],
        );
        let got = read_chapters(&tag);
        assert_eq!(got[0].url.as_deref(), Some("https://example.com/a"));
        assert!(got[0].has_image);
        assert_eq!(got[1].url.as_deref(), Some("https://example.com/b"));
        assert!(!got[1].has_image);
    }

    #[test]
    fn utf16_wxxx_description_is_skipped_before_the_url() {
        let mut wxxx = vec![1, 0xFF, 0xFE, b'd', 0, 0, 0];
        wxxx.extend_from_slice(b"https://example.com/u");
        let tag = id3_tag(4, &[chap(4, "a", 0, 0, &[frame(4, "WXXX", &wxxx)])]);
        let got = read_chapters(&tag);
        assert_eq!(got[0].url.as_deref(), Some("https://example.com/u"));
        assert_eq!(got[0].title, "");
    }

    #[test]
    fn titles_are_trimmed() {
        let tag = id3_tag(3, &[titled(3, "a", 0, 0, "\n\t\t\t\tIndented title  ")]);
        assert_eq!(read_chapters(&tag)[0].title, "Indented title");
    }

    #[test]
    fn v23_tag_unsynchronisation_is_undone() {
        // A start time of 0x0000FF00 holds FF 00, which unsynchronisation turns into FF 00 00.
        let tag = id3_tag(3, &[titled(3, "a", 0xFF00, 0, "Ünsync")]);
        let (header, body) = tag.split_at(10);
        let mut escaped = Vec::new();
        for &b in body {
            escaped.push(b);
            if b == 0xFF {
                escaped.push(0);
            }
        }
        let mut unsynced = b"ID3\x03\x00\x80".to_vec();
        unsynced.extend(synchsafe_bytes(escaped.len() as u32));
        unsynced.extend(escaped);
        assert_eq!(&header[..3], b"ID3");
        let got = read_chapters(&unsynced);
        assert_eq!(got[0].start_ms, 0xFF00);
        assert_eq!(got[0].title, "Ünsync");
    }

    #[test]
    fn v24_frame_unsynchronisation_and_data_length_are_undone() {
        let chap_frame = titled(4, "a", 0xFF00, 0, "Frame flags");
        let data = &chap_frame[10..];
        let mut escaped = (data.len() as u32).to_be_bytes().to_vec(); // data length indicator
        for &b in data {
            escaped.push(b);
            if b == 0xFF {
                escaped.push(0);
            }
        }
        let tag = id3_tag(4, &[frame_with_flags(4, "CHAP", 0x03, &escaped)]);
        let got = read_chapters(&tag);
        assert_eq!(got[0].start_ms, 0xFF00);
        assert_eq!(got[0].title, "Frame flags");
    }

    #[test]
    fn extended_header_is_skipped_in_both_versions() {
        let chap_frame = titled(3, "a", 0, 0, "After ext");
        let mut v23 = vec![0, 0, 0, 6, 0, 0, 0, 0, 0, 0];
        v23.extend(&chap_frame);
        assert_eq!(
            read_chapters(&tag_with_flags(3, 0x40, &[v23]))[0].title,
            "After ext"
        );
        let mut v24 = vec![0, 0, 0, 6, 1, 0];
        v24.extend(titled(4, "a", 0, 0, "After ext"));
        assert_eq!(
            read_chapters(&tag_with_flags(4, 0x40, &[v24]))[0].title,
            "After ext"
        );
        let bad = tag_with_flags(3, 0x40, &[vec![0x7F, 0, 0, 0]]);
        assert!(matches!(read(&bad), Err(ChapterError::Corrupt { .. })));
    }

    #[test]
    fn compressed_and_encrypted_frames_are_skipped() {
        let tag = id3_tag(
            3,
            &[
                frame_with_flags(3, "CHAP", 0x80, b"a\0garbage"),
                titled(3, "b", 5, 0, "Kept"),
            ],
        );
        assert_eq!(titles(&read_chapters(&tag)), ["Kept"]);
    }

    #[test]
    fn mp3_without_tag_has_no_chapters_and_other_bytes_are_wrong_format() {
        assert_eq!(
            read(&[0xFF, 0xFB, 0x90, 0xC4, 0, 0]).unwrap(),
            ReadOutcome::Chapters(vec![])
        );
        assert!(matches!(
            read(b"OggS\0\x02"),
            Err(ChapterError::WrongFormat { .. })
        ));
        assert_eq!(read(b"").unwrap(), ReadOutcome::NeedBytes(10));
    }

    #[test]
    fn v22_and_unknown_versions_are_handled() {
        assert_eq!(
            read(b"ID3\x02\x00\x00\x00\x00\x10\x00").unwrap(),
            ReadOutcome::Chapters(vec![])
        );
        assert!(matches!(
            read(b"ID3\x05\x00\x00\x00\x00\x00\x00"),
            Err(ChapterError::Corrupt { .. })
        ));
        assert!(matches!(
            read(b"ID3\x03\x00\x00\x80\x00\x00\x00"),
            Err(ChapterError::Corrupt { .. })
        ));
    }

    #[test]
    fn malformed_frames_never_panic() {
        let chap_frame = titled(4, "a", 0, 1000, "Title");
        // Every cut of the CHAP frame's data, announced with its true (shorter) size.
        for cut in 0..chap_frame.len() - 10 {
            let tag = id3_tag(4, &[frame(4, "CHAP", &chap_frame[10..10 + cut])]);
            let _ = read(&tag);
        }
        // Sizes that overrun the tag.
        let mut overrun = chap_frame.clone();
        overrun[4..8].copy_from_slice(&[0x7F, 0x7F, 0x7F, 0x7F]);
        assert_eq!(read_chapters(&id3_tag(4, &[overrun])), vec![]);
    }

    #[test]
    fn random_garbage_never_panics() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for round in 0..3000 {
            let len = (rng.next_u64() % 600) as usize;
            let mut bytes = rng.bytes(len);
            if round % 2 == 0 {
                // A valid header over garbage frames, so the frame parser is reached.
                let mut tag = b"ID3".to_vec();
                tag.extend([3 + (round % 4 == 0) as u8, 0, (rng.next_u64() as u8) & 0xC0]);
                tag.extend(synchsafe_bytes(len as u32));
                tag.append(&mut bytes);
                bytes = tag;
            }
            let _ = read(&bytes);
        }
    }

    #[test]
    fn random_garbage_inside_chap_frames_never_panics() {
        let mut rng = XorShift(42);
        for _ in 0..2000 {
            let len = (rng.next_u64() % 120) as usize;
            let mut data = b"id\0".to_vec();
            data.extend(rng.bytes(len));
            let version = 3 + (rng.next_u64() % 2) as u8;
            let _ = read(&id3_tag(
                version,
                &[frame(version, "CHAP", &data), frame(version, "CTOC", &data)],
            ));
        }
    }

    // --- the shared corpus -------------------------------------------------------------------

    #[test]
    fn auphonic_mp3_gives_four_chapters_with_links_and_images() {
        let Some(file) = corpus_file("antennapod/auphonic.mp3") else {
            return;
        };
        let got = read_chapters(&file);
        assert_starts_and_titles(&got, &AUPHONIC);
        for chapter in &got {
            assert_eq!(chapter.url.as_deref(), Some("https://example.com"));
            assert!(chapter.has_image);
        }
        assert_eq!(got[0].end_ms, Some(3000));
    }

    #[test]
    fn hindenburg_mp3_gives_two_chapters_with_links() {
        let Some(file) = corpus_file("antennapod/hindenburg-journalist-pro.mp3") else {
            return;
        };
        let got = read_chapters(&file);
        assert_starts_and_titles(
            &got,
            &[(0.0, "Chapter Marker 1"), (5.006, "Chapter Marker 2")],
        );
        assert_eq!(
            got[0].url.as_deref(),
            Some("https://example.com/chapter1url")
        );
        assert_eq!(
            got[1].url.as_deref(),
            Some("https://example.com/chapter2url")
        );
        assert!(got.iter().all(|c| c.has_image));
    }

    #[test]
    fn mp3chaps_py_v24_tag_with_extended_header_gives_four_chapters() {
        let Some(file) = corpus_file("antennapod/mp3chaps-py.mp3") else {
            return;
        };
        let got = read_chapters(&file);
        assert_starts_and_titles(
            &got,
            &[
                (0.0, "Start"),
                (7.0, "Chapter 1"),
                (9.0, "Chapter 2"),
                (11.0, "Chapter 3"),
            ],
        );
    }

    #[test]
    fn head_shorter_than_the_tag_asks_for_the_exact_tag_size() {
        // Hindenburg pads its tag to 64 KiB.
        let Some(file) = corpus_file("antennapod/hindenburg-journalist-pro.mp3") else {
            return;
        };
        let ReadOutcome::NeedBytes(n) = read(&file[..4096]).unwrap() else {
            panic!("expected NeedBytes")
        };
        assert_eq!(n, 10 + 0xFFF6);
        assert_eq!(read(&file[..n as usize]).map(chapters).unwrap().len(), 2);
    }

    #[test]
    fn other_corpus_files_give_no_chapters_or_a_clean_error() {
        let Some(files) = corpus_files() else { return };
        let with_chapters = [
            "auphonic.mp3",
            "hindenburg-journalist-pro.mp3",
            "mp3chaps-py.mp3",
        ];
        for (name, bytes) in &files {
            let outcome = read(bytes);
            if with_chapters.iter().any(|f| name.ends_with(f)) {
                continue;
            }
            match outcome {
                Ok(ReadOutcome::Chapters(list)) => assert!(list.is_empty(), "{name}: {list:?}"),
                Ok(ReadOutcome::NeedBytes(n)) => {
                    assert!(n > bytes.len() as u64, "{name}: NeedBytes({n})")
                }
                Ok(other) => panic!("{name}: {other:?}"),
                Err(_) => {}
            }
        }
    }

    #[test]
    fn corpus_prefixes_never_panic() {
        for name in [
            "auphonic.mp3",
            "hindenburg-journalist-pro.mp3",
            "mp3chaps-py.mp3",
        ] {
            let Some(file) = corpus_file(&format!("antennapod/{name}")) else {
                return;
            };
            for len in prefix_lengths(file.len()) {
                match read(&file[..len]) {
                    Ok(ReadOutcome::NeedBytes(n)) => assert!(n > len as u64, "{name}[..{len}]"),
                    Ok(ReadOutcome::Chapters(_)) | Err(_) => {}
                    Ok(other) => panic!("{name}[..{len}]: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn start_offsets_are_the_chaps_that_give_one_by_start() {
        for version in [3, 4] {
            let tag = id3_tag(
                version,
                &[
                    chap_at(version, "c2", [60_000, 90_000, 901_234], &[]),
                    chap(version, "c0", 0, 30_000, &[]),
                    chap_at(version, "c1", [30_000, 60_000, 450_000], &[]),
                ],
            );
            assert_eq!(
                start_offsets(&tag),
                vec![
                    ChapterOffset {
                        start_ms: 30_000,
                        byte: 450_000
                    },
                    ChapterOffset {
                        start_ms: 60_000,
                        byte: 901_234
                    },
                ],
                "v2.{version}"
            );
            // A head short of the whole tag gives none (and never panics).
            assert!(start_offsets(&tag[..tag.len() - 1]).is_empty());
        }
        assert!(start_offsets(b"not a tag").is_empty());
        // Any byte changed: whatever is read, never a panic.
        let tag = id3_tag(4, &[chap_at(4, "c1", [30_000, 60_000, 450_000], &[])]);
        for i in 0..tag.len() {
            for flip in [0x01, 0x80, 0xFF] {
                let mut bent = tag.clone();
                bent[i] ^= flip;
                let _ = start_offsets(&bent);
            }
        }
    }
}
