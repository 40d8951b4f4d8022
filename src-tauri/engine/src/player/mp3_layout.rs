//! Byte layout of MP3 streams for seeking: frame headers, ID3v2 skipping,
//! Xing/Info/LAME/VBRI tags, seek estimates and an exact frame index that is
//! built incrementally from streamed bytes.
//!
//! Sample indices here are *raw*: counted from the first audio frame,
//! including the encoder delay (see [`Mp3Layout::start_skip_samples`]).

/// MPEG audio version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MpegVersion {
    Mpeg1,
    Mpeg2,
    Mpeg25,
}

/// MPEG audio layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Layer1,
    Layer2,
    Layer3,
}

/// A decoded 4-byte MPEG audio frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    pub version: MpegVersion,
    pub layer: Layer,
    pub bitrate_kbps: u32,
    pub sample_rate: u32,
    pub channels: u16,
    pub padding: bool,
    /// Whole frame length in bytes, header included.
    pub frame_len: usize,
    pub samples_per_frame: u32,
}

impl FrameHeader {
    /// Bytes of Layer III side info, which precede a Xing/Info tag.
    fn side_info_len(&self) -> usize {
        match (self.version, self.channels) {
            (MpegVersion::Mpeg1, 1) => 17,
            (MpegVersion::Mpeg1, _) => 32,
            (_, 1) => 9,
            _ => 17,
        }
    }

    /// Same stream parameters; bitrate, padding and channel mode may vary.
    fn compatible(&self, other: &FrameHeader) -> bool {
        self.version == other.version
            && self.layer == other.layer
            && self.sample_rate == other.sample_rate
    }
}

const BITRATES_KBPS: [[u16; 14]; 5] = [
    // MPEG1 layer I
    [
        32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
    ],
    // MPEG1 layer II
    [
        32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
    ],
    // MPEG1 layer III
    [
        32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ],
    // MPEG2/2.5 layer I
    [
        32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
    ],
    // MPEG2/2.5 layer II and III
    [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];

/// Parses an MPEG 1/2/2.5 layer I/II/III frame header. Rejects reserved
/// fields and free-format frames (their length is not in the header).
pub fn parse_frame_header(b: [u8; 4]) -> Option<FrameHeader> {
    if b[0] != 0xFF || b[1] & 0xE0 != 0xE0 {
        return None;
    }
    let (version, rate_shift) = match (b[1] >> 3) & 3 {
        0 => (MpegVersion::Mpeg25, 2),
        2 => (MpegVersion::Mpeg2, 1),
        3 => (MpegVersion::Mpeg1, 0),
        _ => return None,
    };
    let layer = match (b[1] >> 1) & 3 {
        1 => Layer::Layer3,
        2 => Layer::Layer2,
        3 => Layer::Layer1,
        _ => return None,
    };
    let bitrate_index = usize::from(b[2] >> 4);
    let rate_index = usize::from((b[2] >> 2) & 3);
    // Reserved emphasis value: rejecting it cuts false syncs in random data.
    if bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 || b[3] & 3 == 2 {
        return None;
    }
    let table = match (version, layer) {
        (MpegVersion::Mpeg1, Layer::Layer1) => 0,
        (MpegVersion::Mpeg1, Layer::Layer2) => 1,
        (MpegVersion::Mpeg1, Layer::Layer3) => 2,
        (_, Layer::Layer1) => 3,
        _ => 4,
    };
    let bitrate_kbps = u32::from(BITRATES_KBPS[table][bitrate_index - 1]);
    let sample_rate = [44100u32, 48000, 32000][rate_index] >> rate_shift;
    let samples_per_frame = match (layer, version) {
        (Layer::Layer1, _) => 384,
        (Layer::Layer3, MpegVersion::Mpeg2 | MpegVersion::Mpeg25) => 576,
        _ => 1152,
    };
    let padding = b[2] & 2 != 0;
    let bps = bitrate_kbps * 1000;
    let frame_len = match layer {
        // Layer I counts in 4-byte slots.
        Layer::Layer1 => (12 * bps / sample_rate + u32::from(padding)) * 4,
        _ => samples_per_frame / 8 * bps / sample_rate + u32::from(padding),
    };
    Some(FrameHeader {
        version,
        layer,
        bitrate_kbps,
        sample_rate,
        channels: if b[3] >> 6 == 3 { 1 } else { 2 },
        padding,
        frame_len: usize::try_from(frame_len).ok()?,
        samples_per_frame,
    })
}

fn header_at(bytes: &[u8], at: usize) -> Option<FrameHeader> {
    let raw: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    parse_frame_header(raw)
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let raw: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(raw))
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    let raw: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(u16::from_be_bytes(raw))
}

/// Tags that legitimately follow the last frame, so a chain of frames ending
/// there is not a false sync.
fn is_trailer(bytes: &[u8]) -> bool {
    bytes.starts_with(b"TAG") || bytes.starts_with(b"APETAGEX") || bytes.starts_with(b"LYRICS")
}

enum Chain {
    Ok,
    Bad,
    /// Need bytes up to this index (exclusive) to decide.
    Short(usize),
}

/// Checks that `headers` consecutive compatible frames start at `start`.
fn check_chain(
    bytes: &[u8],
    start: usize,
    first: &FrameHeader,
    headers: usize,
    at_eof: bool,
) -> Chain {
    let mut p = start.saturating_add(first.frame_len);
    for seen in 1..headers {
        match header_at(bytes, p) {
            Some(h) if h.compatible(first) => p = p.saturating_add(h.frame_len),
            _ if p.saturating_add(4) > bytes.len() => {
                // A frame running into the end of the file is fine, but one
                // lone header is too weak; partial trailing bytes are junk.
                return if !at_eof {
                    Chain::Short(p.saturating_add(4))
                } else if p >= bytes.len() && seen >= 2 {
                    Chain::Ok
                } else {
                    Chain::Bad
                };
            }
            _ => {
                return match bytes.get(p..) {
                    Some(rest) if is_trailer(rest) => Chain::Ok,
                    _ => Chain::Bad,
                };
            }
        }
    }
    Chain::Ok
}

fn resync_impl(bytes: &[u8], base: u64, from: u64, like: Option<&FrameHeader>) -> Option<u64> {
    let start = usize::try_from(from.saturating_sub(base)).ok()?;
    let tail = bytes.get(start..)?;
    for (i, _) in tail.iter().enumerate().filter(|(_, b)| **b == 0xFF) {
        let at = start + i;
        let Some(h) = header_at(bytes, at) else {
            continue;
        };
        if like.is_some_and(|l| !l.compatible(&h)) {
            continue;
        }
        // Two following headers when available: one check alone still lets
        // through the odd false sync inside compressed data.
        if !matches!(check_chain(bytes, at, &h, 3, false), Chain::Bad) {
            return Some(base + at as u64);
        }
    }
    None
}

/// Finds the first valid frame header at or after absolute offset `from`
/// within `bytes` (which start at absolute offset `base`). The next two
/// headers must be valid and compatible (same version/layer/sample rate)
/// where they lie within `bytes`, or be followed by an end tag. Returns the
/// absolute offset.
pub fn resync(bytes: &[u8], base: u64, from: u64) -> Option<u64> {
    resync_impl(bytes, base, from, None)
}

/// Length of an ID3v2 tag (header, body and footer) at the start of `b`.
fn id3v2_len(b: &[u8]) -> Option<u64> {
    if b.len() < 10 || &b[..3] != b"ID3" || b[3] == 0xFF || b[4] == 0xFF {
        return None;
    }
    let mut size = 0u64;
    for &x in &b[6..10] {
        if x & 0x80 != 0 {
            return None;
        }
        size = (size << 7) | u64::from(x);
    }
    let footer = if b[5] & 0x10 != 0 { 10 } else { 0 };
    Some(10 + size + footer)
}

/// How the stream's bitrate is laid out.
#[derive(Debug, Clone, PartialEq)]
pub enum Mp3Kind {
    /// Constant bitrate. `from_tag` is true when an Info tag says so;
    /// otherwise CBR is only inferred from identical bitrates in the head.
    Cbr {
        frame_bytes_avg: f64,
        bitrate_kbps: u32,
        from_tag: bool,
    },
    /// Variable bitrate, with whatever a Xing or VBRI tag provided.
    /// `bytes` counts from the tag frame (`audio_start`).
    Vbr {
        toc: Option<[u8; 100]>,
        frames: Option<u32>,
        bytes: Option<u32>,
    },
}

/// What the head of the file tells us.
#[derive(Debug, Clone, PartialEq)]
pub struct Mp3Layout {
    /// Offset of the first frame, after any ID3v2 tags and junk.
    pub audio_start: u64,
    /// First frame carrying audio: after the Xing/Info/VBRI frame if any.
    pub first_audio_frame: u64,
    pub version: MpegVersion,
    pub layer: Layer,
    pub sample_rate: u32,
    pub channels: u16,
    pub samples_per_frame: u32,
    pub kind: Mp3Kind,
    /// Audio frames (tag frame excluded), from a Xing/VBRI tag.
    pub total_frames: Option<u64>,
    pub encoder_delay: u32,
    pub encoder_padding: u32,
    /// A LAME-style tag (LAME/Lavf/Lavc) gave delay and padding.
    pub has_lame_tag: bool,
    /// Mean frame size over the frames seen in the head (up to 64); the
    /// only clue for untagged VBR, so pass a generous head for those.
    pub head_avg_frame_bytes: f64,
    pub file_len: Option<u64>,
}

/// Why [`Mp3Layout::from_head`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutError {
    /// Call again with at least the first `needed_len` bytes of the file.
    NeedMoreData {
        needed_len: u64,
    },
    NotMp3,
}

/// Where to start reading to reach a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    /// Resync forward from here to the next valid header.
    pub byte: u64,
    /// Raw sample the frame found by that resync starts with.
    pub frame_first_sample: u64,
    /// True when `frame_first_sample` is exact (tagged CBR), not a guess.
    pub exact: bool,
}

/// Bytes requested after an ID3v2 tag: enough for junk, the tag frame and
/// a few frames at any bitrate.
const AFTER_TAG: u64 = 16 * 1024;
/// How far past the tags we look for the first frame.
const MAX_JUNK: u64 = 64 * 1024;
/// Frames scanned in the head to guess CBR versus untagged VBR.
const HEAD_SCAN_FRAMES: usize = 64;
/// Extra samples decoders output beyond the LAME delay (MDCT/filterbank),
/// as ffmpeg counts them.
const DECODER_DELAY: u64 = 529;

struct Head<'a> {
    bytes: &'a [u8],
    file_len: Option<u64>,
}

impl Head<'_> {
    fn at_eof(&self) -> bool {
        self.file_len.is_some_and(|l| l <= self.bytes.len() as u64)
    }

    fn more(&self, needed: u64) -> LayoutError {
        let needed = self.file_len.map_or(needed, |l| needed.min(l));
        if needed > self.bytes.len() as u64 {
            LayoutError::NeedMoreData { needed_len: needed }
        } else {
            LayoutError::NotMp3
        }
    }
}

/// Fields of a Xing/Info tag and the LAME extension after it.
struct InfoTag {
    cbr: bool,
    frames: Option<u32>,
    bytes: Option<u32>,
    toc: Option<[u8; 100]>,
    lame: Option<(u32, u32)>,
}

fn parse_xing(frame: &[u8], h: &FrameHeader) -> Option<InfoTag> {
    if h.layer != Layer::Layer3 {
        return None;
    }
    let at = 4 + h.side_info_len();
    let id = frame.get(at..at + 4)?;
    let cbr = match id {
        b"Xing" => false,
        b"Info" => true,
        _ => return None,
    };
    let flags = be32(frame, at + 4)?;
    let mut p = at + 8;
    let mut tag = InfoTag {
        cbr,
        frames: None,
        bytes: None,
        toc: None,
        lame: None,
    };
    if flags & 1 != 0 {
        tag.frames = be32(frame, p);
        p += 4;
    }
    if flags & 2 != 0 {
        tag.bytes = be32(frame, p);
        p += 4;
    }
    if flags & 4 != 0 {
        tag.toc = frame.get(p..p + 100).and_then(|t| t.try_into().ok());
        p += 100;
    }
    if flags & 8 != 0 {
        p += 4;
    }
    // The LAME extension directly follows the present Xing fields (0x9C
    // into a stereo MPEG1 frame, 0x8D mono). Same encoder list as ffmpeg.
    let version = frame.get(p..p + 4);
    if matches!(version, Some(b"LAME" | b"Lavf" | b"Lavc")) {
        // 9 version + 1 revision + 1 lowpass + 4 peak + 2 + 2 gains
        // + 1 flags + 1 bitrate, then 12 bits delay and 12 bits padding.
        if let Some(d) = frame.get(p + 21..p + 24) {
            let v = (u32::from(d[0]) << 16) | (u32::from(d[1]) << 8) | u32::from(d[2]);
            tag.lame = Some((v >> 12, v & 0xFFF));
        }
    }
    Some(tag)
}

/// Frames and bytes of a Fraunhofer VBRI tag; its TOC is ignored.
fn parse_vbri(frame: &[u8]) -> Option<(u32, u32)> {
    if frame.get(36..40)? != b"VBRI" || be16(frame, 40)? != 1 {
        return None;
    }
    Some((be32(frame, 50)?, be32(frame, 46)?))
}

impl Mp3Layout {
    /// Parses the head of the file (`head` = its first bytes). If an ID3v2
    /// tag or junk runs past `head`, asks for the first `needed_len` bytes.
    pub fn from_head(head: &[u8], file_len: Option<u64>) -> Result<Mp3Layout, LayoutError> {
        let hd = Head {
            bytes: head,
            file_len,
        };
        let len = head.len() as u64;
        // Several ID3v2 tags in a row occur in the wild.
        let mut pos = 0u64;
        loop {
            let Some(rest) = usize::try_from(pos).ok().and_then(|p| head.get(p..)) else {
                return Err(hd.more(pos + AFTER_TAG));
            };
            if rest.len() < 10 {
                if b"ID3".starts_with(&rest[..rest.len().min(3)]) && !hd.at_eof() {
                    return Err(hd.more(pos + AFTER_TAG));
                }
                break;
            }
            match id3v2_len(rest) {
                Some(tag_len) => pos += tag_len,
                None => break,
            }
        }
        let tag_end = pos;

        // First header that starts a chain of three compatible frames.
        let mut i = usize::try_from(tag_end).map_err(|_| LayoutError::NotMp3)?;
        let (start, h0) = loop {
            if i as u64 >= tag_end + MAX_JUNK {
                return Err(LayoutError::NotMp3);
            }
            if i + 4 > head.len() {
                return Err(hd.more(len + AFTER_TAG));
            }
            if let Some(h) = header_at(head, i) {
                match check_chain(head, i, &h, 3, hd.at_eof()) {
                    Chain::Ok => break (i, h),
                    Chain::Bad => {}
                    Chain::Short(need) => return Err(hd.more(need as u64)),
                }
            }
            i += 1;
        };
        let frame0 = &head[start..head.len().min(start + h0.frame_len)];

        let xing = parse_xing(frame0, &h0);
        let vbri = if xing.is_none() {
            parse_vbri(frame0)
        } else {
            None
        };
        let tagged = xing.is_some() || vbri.is_some();
        let first = if tagged { start + h0.frame_len } else { start };
        let h1 = header_at(head, first)
            .filter(|h| h.compatible(&h0))
            .unwrap_or(h0);

        // Walk the frames available in the head for CBR detection and a
        // mean frame size.
        let (mut p, mut n, mut sum, mut same_rate) = (first, 0usize, 0usize, true);
        while n < HEAD_SCAN_FRAMES {
            match header_at(head, p) {
                Some(h) if h.compatible(&h1) => {
                    same_rate &= h.bitrate_kbps == h1.bitrate_kbps;
                    sum += h.frame_len;
                    n += 1;
                    p += h.frame_len;
                }
                _ => break,
            }
        }
        let head_avg_frame_bytes = if n > 0 {
            sum as f64 / n as f64
        } else {
            h1.frame_len as f64
        };

        let cbr = |from_tag| Mp3Kind::Cbr {
            frame_bytes_avg: frame_bytes_num(h1.samples_per_frame, h1.bitrate_kbps) as f64
                / f64::from(h1.sample_rate),
            bitrate_kbps: h1.bitrate_kbps,
            from_tag,
        };
        let mut layout = Mp3Layout {
            audio_start: start as u64,
            first_audio_frame: first as u64,
            version: h1.version,
            layer: h1.layer,
            sample_rate: h1.sample_rate,
            channels: h1.channels,
            samples_per_frame: h1.samples_per_frame,
            kind: if same_rate {
                cbr(false)
            } else {
                vbr_untagged()
            },
            total_frames: None,
            encoder_delay: 0,
            encoder_padding: 0,
            has_lame_tag: false,
            head_avg_frame_bytes,
            file_len,
        };
        if let Some(x) = xing {
            layout.kind = if x.cbr {
                cbr(true)
            } else {
                Mp3Kind::Vbr {
                    toc: x.toc,
                    frames: x.frames,
                    bytes: x.bytes,
                }
            };
            layout.total_frames = x.frames.map(u64::from);
            if let Some((delay, padding)) = x.lame {
                layout.encoder_delay = delay;
                layout.encoder_padding = padding;
                layout.has_lame_tag = true;
            }
        } else if let Some((frames, bytes)) = vbri {
            layout.kind = Mp3Kind::Vbr {
                toc: None,
                frames: Some(frames),
                bytes: Some(bytes),
            };
            layout.total_frames = Some(u64::from(frames));
        }
        Ok(layout)
    }

    /// Samples the decoder outputs before real audio time 0, as ffmpeg
    /// counts them: LAME delay + 529 when a LAME tag is present, else 0.
    pub fn start_skip_samples(&self) -> u64 {
        if self.has_lame_tag {
            u64::from(self.encoder_delay) + DECODER_DELAY
        } else {
            0
        }
    }

    /// Raw samples in all audio frames: exact from a tag, else estimated
    /// from the file length for CBR.
    fn raw_frames(&self) -> Option<u64> {
        if self.total_frames.is_some() {
            return self.total_frames;
        }
        let Mp3Kind::Cbr { .. } = self.kind else {
            return None;
        };
        let audio = self.file_len?.checked_sub(self.first_audio_frame)?;
        let (num, den) = self.cbr_ratio()?;
        // Rounded: frame k starts at about floor(k * avg).
        let frames = (u128::from(audio) * u128::from(den) + u128::from(num / 2)) / u128::from(num);
        u64::try_from(frames).ok()
    }

    /// Playable samples (delay and padding trimmed as ffmpeg does), if known.
    pub fn duration_samples(&self) -> Option<u64> {
        let raw = self
            .raw_frames()?
            .checked_mul(u64::from(self.samples_per_frame))?;
        let trim = if self.has_lame_tag {
            u64::from(self.encoder_delay) + u64::from(self.encoder_padding)
        } else {
            0
        };
        Some(raw.saturating_sub(trim))
    }

    /// Average CBR frame size as a fraction (bytes numerator, sample rate).
    fn cbr_ratio(&self) -> Option<(u64, u64)> {
        match self.kind {
            Mp3Kind::Cbr { bitrate_kbps, .. } => Some((
                frame_bytes_num(self.samples_per_frame, bitrate_kbps).max(1),
                u64::from(self.sample_rate).max(1),
            )),
            Mp3Kind::Vbr { .. } => None,
        }
    }

    /// Estimates the byte offset to resync from to reach the frame holding
    /// raw sample `raw_sample` (counted from `first_audio_frame`).
    ///
    /// CBR: exact arithmetic from the average frame size; the returned byte
    /// sits a few bytes before the frame so a forward resync lands on it.
    /// VBR with a Xing TOC: TOC interpolation, an estimate whose error is up
    /// to about `file_len / 256` bytes. Otherwise linear in bytes/frames.
    pub fn estimate(&self, raw_sample: u64) -> Estimate {
        let spf = u64::from(self.samples_per_frame.max(1));
        let mut frame = raw_sample / spf;
        if let Some(total) = self.raw_frames() {
            frame = frame.min(total.saturating_sub(1));
        }
        let first = self.first_audio_frame;
        let (byte, exact) = match &self.kind {
            Mp3Kind::Cbr { from_tag, .. } => {
                let (num, den) = self.cbr_ratio().unwrap_or((1, 1));
                let off = u128::from(frame) * u128::from(num) / u128::from(den);
                // Padding patterns differ by encoder (LAME: floor(k * avg) or
                // one byte later); backing off a few bytes, well under a
                // frame, makes the forward resync land on this frame.
                let back = if frame == 0 { 0 } else { CBR_BACKOFF };
                let off = u64::try_from(off).unwrap_or(u64::MAX).saturating_sub(back);
                (first.saturating_add(off), *from_tag)
            }
            Mp3Kind::Vbr { toc, frames, bytes } => {
                let span = bytes
                    .map(u64::from)
                    .or_else(|| self.file_len.and_then(|l| l.checked_sub(self.audio_start)));
                let frames = frames.filter(|&f| f > 0);
                let tag_len = first.saturating_sub(self.audio_start);
                let off = match (toc, frames, span) {
                    (Some(toc), Some(frames), Some(span)) => {
                        let total = f64::from(frames) * spf as f64;
                        let pct = (raw_sample as f64 / total * 100.0).clamp(0.0, 100.0);
                        (toc_fraction(toc, pct) * span as f64) as u64
                    }
                    (_, Some(frames), Some(span)) => {
                        let audio = span.saturating_sub(tag_len);
                        let off = u128::from(frame) * u128::from(audio) / u128::from(frames);
                        tag_len.saturating_add(u64::try_from(off).unwrap_or(u64::MAX))
                    }
                    _ => tag_len.saturating_add((frame as f64 * self.head_avg_frame_bytes) as u64),
                };
                let mut byte = self.audio_start.saturating_add(off);
                if let Some(span) = span {
                    let avg =
                        frames.map_or(self.head_avg_frame_bytes, |f| span as f64 / f64::from(f));
                    // Keep clear of the last frames so a forward resync
                    // still finds a header.
                    let end = self.audio_start.saturating_add(span);
                    byte = byte.min(end.saturating_sub((2.0 * avg) as u64));
                }
                (byte, false)
            }
        };
        let mut byte = byte.max(first);
        if let Some(len) = self.file_len {
            byte = byte.min(len);
        }
        Estimate {
            byte,
            frame_first_sample: frame * spf,
            exact,
        }
    }

    /// Like [`resync`], but only accepts headers compatible with this stream.
    pub fn resync(&self, bytes: &[u8], base: u64, from: u64) -> Option<u64> {
        let like = self.like_header();
        resync_impl(bytes, base, from, Some(&like))
    }

    /// The frames of this stream just before `to`, a frame start known from elsewhere (a
    /// chapter's byte offset): the start in `bytes` (which begin at absolute offset `base`)
    /// from which compatible headers lead frame by frame exactly to `to`, and how many frames
    /// that is. Of the starts that do, the nearest one with at least `want` frames and `reach`
    /// bytes before `to` (else the farthest there is): a start inside audio data that happens
    /// to chain is likelier the farther back it lies. `(to, 0)` when nothing leads there;
    /// `None` when `to` is not a compatible header within `bytes`.
    pub fn frames_leading_to(
        &self,
        bytes: &[u8],
        base: u64,
        to: u64,
        want: u64,
        reach: u64,
    ) -> Option<(u64, u64)> {
        let like = self.like_header();
        let header_at = |at: u64| {
            let i = usize::try_from(at.checked_sub(base)?).ok()?;
            let b = bytes.get(i..i.checked_add(4)?)?;
            parse_frame_header([b[0], b[1], b[2], b[3]]).filter(|h| h.compatible(&like))
        };
        header_at(to)?;
        let mut best: Option<(u64, u64)> = None;
        for start in base..to {
            let mut at = start;
            let mut frames = 0;
            while at < to {
                let Some(h) = header_at(at) else { break };
                at += h.frame_len as u64;
                frames += 1;
            }
            if at != to || frames == 0 {
                continue;
            }
            let enough = |start: u64, frames: u64| frames >= want && to - start >= reach;
            let better = match best {
                None => true,
                Some((had_start, had)) if !enough(had_start, had) => frames > had,
                Some((_, had)) => enough(start, frames) && frames < had,
            };
            if better {
                best = Some((start, frames));
            }
        }
        Some(best.unwrap_or((to, 0)))
    }

    fn like_header(&self) -> FrameHeader {
        FrameHeader {
            version: self.version,
            layer: self.layer,
            bitrate_kbps: 0,
            sample_rate: self.sample_rate,
            channels: self.channels,
            padding: false,
            frame_len: 0,
            samples_per_frame: self.samples_per_frame,
        }
    }
}

fn vbr_untagged() -> Mp3Kind {
    Mp3Kind::Vbr {
        toc: None,
        frames: None,
        bytes: None,
    }
}

/// Mean frame size times the sample rate (bytes * Hz), exact for any layer.
fn frame_bytes_num(samples_per_frame: u32, bitrate_kbps: u32) -> u64 {
    u64::from(samples_per_frame / 8) * u64::from(bitrate_kbps) * 1000
}

/// Bytes the CBR estimate backs off before the computed frame start.
const CBR_BACKOFF: u64 = 4;

/// Fraction (0..=1) of the stream bytes at `pct` percent of the duration,
/// interpolated linearly between TOC entries (each in 1/256 of the bytes).
fn toc_fraction(toc: &[u8; 100], pct: f64) -> f64 {
    let i = (pct.floor() as usize).min(99);
    let a = f64::from(toc[i]);
    let b = toc.get(i + 1).map_or(256.0, |&v| f64::from(v));
    (a + (b - a) * (pct - i as f64)) / 256.0
}

/// Frames between two kept frame starts of a [`FrameIndex`]. A jump starts decoding at the
/// kept start before its preroll (at most 15 frames more than the two of the preroll, 0.4 s:
/// decoded, then dropped), and the index costs a quarter of a byte per frame: 35 KB for an
/// hour, in memory and saved.
pub const FRAME_INDEX_STRIDE: u32 = 16;

/// Frame start offsets, built from bytes as they stream by: every
/// [`FRAME_INDEX_STRIDE`]-th start is kept. Only the region contiguous from the first audio
/// frame is indexed; bytes past a gap are ignored (feed them again once the gap is filled).
/// Kept between sessions through [`FrameIndex::to_saved`], so a second jump, or a resume after
/// a relaunch, needs no prefix read.
#[derive(Debug, Clone)]
pub struct FrameIndex {
    first: u64,
    like: FrameHeader,
    stride: u32,
    /// Starts of frames 0, stride, 2·stride, …, relative to `first`.
    kept: Vec<u32>,
    /// Frames indexed.
    frames: u64,
    /// Absolute offset of the next expected header.
    next: u64,
    /// Bytes from `next` when a header straddles chunks (< 4 bytes).
    carry: Vec<u8>,
    stopped: bool,
}

/// What marks a saved frame index, and its layout's version.
const SAVED_INDEX_MAGIC: &[u8; 6] = b"CCFI1\0";

impl FrameIndex {
    pub fn new(layout: &Mp3Layout) -> Self {
        Self::with_stride(layout, FRAME_INDEX_STRIDE)
    }

    /// An index of the frames from absolute offset `first` on, which must be a frame start
    /// (a chapter's, known from its ID3 `CHAP` frame): its samples count from that frame.
    /// Not for keeping: [`FrameIndex::from_saved`] takes only indexes from the first frame.
    pub fn from_frame(layout: &Mp3Layout, first: u64) -> Self {
        FrameIndex {
            first,
            next: first,
            ..Self::new(layout)
        }
    }

    fn with_stride(layout: &Mp3Layout, stride: u32) -> Self {
        FrameIndex {
            first: layout.first_audio_frame,
            like: layout.like_header(),
            stride: stride.max(1),
            kept: Vec::new(),
            frames: 0,
            next: layout.first_audio_frame,
            carry: Vec::new(),
            stopped: false,
        }
    }

    /// Feeds bytes starting at absolute file offset `offset`. Indexing stops
    /// for good at the first invalid or incompatible header (end tags,
    /// garbage); frames before it stay indexed.
    pub fn feed(&mut self, offset: u64, bytes: &[u8]) {
        if self.stopped {
            return;
        }
        let have_end = self.next + self.carry.len() as u64;
        let end = offset.saturating_add(bytes.len() as u64);
        if offset > have_end || end <= have_end {
            return;
        }
        let Some(new) = usize::try_from(have_end - offset)
            .ok()
            .and_then(|skip| bytes.get(skip..))
        else {
            return;
        };
        loop {
            let mut hdr = [0u8; 4];
            let mut n = 0;
            while n < 4 {
                let p = self.next + n as u64;
                let byte = if p < have_end {
                    self.carry.get((p - self.next) as usize)
                } else {
                    usize::try_from(p - have_end).ok().and_then(|i| new.get(i))
                };
                let Some(&b) = byte else { break };
                hdr[n] = b;
                n += 1;
            }
            if n < 4 {
                self.carry = hdr[..n].to_vec();
                return;
            }
            self.carry.clear();
            let rel = u32::try_from(self.next - self.first);
            match (parse_frame_header(hdr), rel) {
                (Some(h), Ok(rel)) if h.compatible(&self.like) => {
                    if self.frames.is_multiple_of(u64::from(self.stride)) {
                        self.kept.push(rel);
                    }
                    self.frames += 1;
                    self.next += h.frame_len as u64;
                }
                _ => {
                    self.stopped = true;
                    return;
                }
            }
        }
    }

    /// Frames known so far (contiguous from the first audio frame).
    pub fn frames_indexed(&self) -> u64 {
        self.frames
    }

    /// Absolute offset to continue feeding from, or None once stopped.
    pub fn next_offset(&self) -> Option<u64> {
        (!self.stopped).then_some(self.next + self.carry.len() as u64)
    }

    /// Exact (byte offset, first raw sample) of a frame at or before the one holding
    /// `raw_sample` (at most `stride - 1` frames before it), if that frame is indexed.
    pub fn locate(&self, raw_sample: u64) -> Option<(u64, u64)> {
        let spf = u64::from(self.like.samples_per_frame.max(1));
        let k = raw_sample / spf;
        if k >= self.frames {
            return None;
        }
        let kept = k / u64::from(self.stride);
        let rel = *self.kept.get(usize::try_from(kept).ok()?)?;
        Some((
            self.first + u64::from(rel),
            kept * u64::from(self.stride) * spf,
        ))
    }

    /// The index as it is kept between sessions (see [`FrameIndex::from_saved`]).
    pub fn to_saved(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(40 + self.kept.len() * 4);
        out.extend_from_slice(SAVED_INDEX_MAGIC);
        out.extend_from_slice(&self.first.to_le_bytes());
        out.extend_from_slice(&self.like.sample_rate.to_le_bytes());
        out.extend_from_slice(&self.like.samples_per_frame.to_le_bytes());
        out.extend_from_slice(&self.stride.to_le_bytes());
        out.extend_from_slice(&self.frames.to_le_bytes());
        // Where to go on: the header straddling the last feed is read again.
        out.extend_from_slice(&self.next.to_le_bytes());
        out.push(u8::from(self.stopped));
        for k in &self.kept {
            out.extend_from_slice(&k.to_le_bytes());
        }
        out
    }

    /// The frames a saved index covers, read from its header.
    pub fn saved_frames(saved: &[u8]) -> Option<u64> {
        let rest = saved.strip_prefix(SAVED_INDEX_MAGIC.as_slice())?;
        let rest = rest.get(8 + 4 + 4 + 4..)?;
        take_u64(rest).map(|(frames, _)| frames)
    }

    /// An index saved by [`FrameIndex::to_saved`] for this layout; `None` when the bytes are
    /// not one, or were saved for another file (another first frame or format).
    pub fn from_saved(layout: &Mp3Layout, saved: &[u8]) -> Option<FrameIndex> {
        let rest = saved.strip_prefix(SAVED_INDEX_MAGIC.as_slice())?;
        let (first, rest) = take_u64(rest)?;
        let (sample_rate, rest) = take_u32(rest)?;
        let (samples_per_frame, rest) = take_u32(rest)?;
        let (stride, rest) = take_u32(rest)?;
        let (frames, rest) = take_u64(rest)?;
        let (next, rest) = take_u64(rest)?;
        let (&stopped, rest) = rest.split_first()?;
        let like = layout.like_header();
        // Strides are this build's or finer; a damaged huge one would make jumps decode from
        // near the start.
        if first != layout.first_audio_frame
            || sample_rate != like.sample_rate
            || samples_per_frame != like.samples_per_frame
            || !(1..=FRAME_INDEX_STRIDE).contains(&stride)
            || rest.len() % 4 != 0
        {
            return None;
        }
        let kept: Vec<u32> = rest
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        // Consistent, or not used: one start per stride of frames, rising, before `next`.
        let expected = frames.div_ceil(u64::from(stride));
        let rising = kept.first().is_none_or(|&k| k == 0) && kept.windows(2).all(|w| w[0] < w[1]);
        let before_next = kept.last().is_none_or(|&k| first + u64::from(k) < next);
        if kept.len() as u64 != expected || !rising || !before_next || next < first {
            return None;
        }
        Some(FrameIndex {
            first,
            like,
            stride,
            kept,
            frames,
            next,
            carry: Vec::new(),
            stopped: stopped != 0,
        })
    }
}

fn take_u64(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let (head, rest) = bytes.split_first_chunk::<8>()?;
    Some((u64::from_le_bytes(*head), rest))
}

fn take_u32(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let (head, rest) = bytes.split_first_chunk::<4>()?;
    Some((u32::from_le_bytes(*head), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CBR128: [u8; 4] = [0xFF, 0xFB, 0x90, 0x64];
    const CBR128_PAD: [u8; 4] = [0xFF, 0xFB, 0x92, 0x64];
    const CBR64: [u8; 4] = [0xFF, 0xFB, 0x50, 0x64];

    fn frame(h: [u8; 4]) -> Vec<u8> {
        let len = parse_frame_header(h).unwrap().frame_len;
        let mut v = vec![0u8; len];
        v[..4].copy_from_slice(&h);
        v
    }

    /// 128 kbps 44.1 kHz stereo frames padded so frame k starts at
    /// floor(k * 417.96) like LAME output.
    fn cbr_frames(n: u64) -> Vec<u8> {
        let mut out = vec![];
        for k in 0..n {
            let len = (k + 1) * 144 * 128_000 / 44_100 - k * 144 * 128_000 / 44_100;
            out.extend(frame(if len > 417 { CBR128_PAD } else { CBR128 }));
        }
        out
    }

    fn id3(body: usize, footer: bool) -> Vec<u8> {
        let mut v = b"ID3\x04\x00".to_vec();
        v.push(if footer { 0x10 } else { 0 });
        v.extend((0..4).rev().map(|i| ((body >> (7 * i)) & 0x7F) as u8));
        v.extend(vec![0u8; body]);
        if footer {
            v.extend(b"3DI\x04\x00\x10\x00\x00\x00\x00");
        }
        v
    }

    fn xing_frame(
        hdr: [u8; 4],
        id: &[u8; 4],
        frames: u32,
        bytes: u32,
        toc: &[u8; 100],
        lame: Option<(u32, u32)>,
    ) -> Vec<u8> {
        let h = parse_frame_header(hdr).unwrap();
        let mut f = frame(hdr);
        let mut t = id.to_vec();
        t.extend(0x0Fu32.to_be_bytes());
        t.extend(frames.to_be_bytes());
        t.extend(bytes.to_be_bytes());
        t.extend(toc);
        t.extend(75u32.to_be_bytes());
        if let Some((delay, padding)) = lame {
            t.extend(b"LAME3.100");
            t.extend([0u8; 12]);
            t.extend(&((delay << 12) | padding).to_be_bytes()[1..]);
        }
        let at = 4 + h.side_info_len();
        f[at..at + t.len()].copy_from_slice(&t);
        f
    }

    fn linear_toc() -> [u8; 100] {
        std::array::from_fn(|i| (i * 256 / 100) as u8)
    }

    #[test]
    fn parses_headers() {
        let h = parse_frame_header(CBR128).unwrap();
        assert_eq!(
            h,
            FrameHeader {
                version: MpegVersion::Mpeg1,
                layer: Layer::Layer3,
                bitrate_kbps: 128,
                sample_rate: 44100,
                channels: 2,
                padding: false,
                frame_len: 417,
                samples_per_frame: 1152,
            }
        );
        assert_eq!(parse_frame_header(CBR128_PAD).unwrap().frame_len, 418);
        let m2 = parse_frame_header([0xFF, 0xF3, 0xB0, 0xC4]).unwrap();
        assert_eq!(
            (m2.version, m2.bitrate_kbps, m2.sample_rate, m2.channels),
            (MpegVersion::Mpeg2, 112, 22050, 1)
        );
        assert_eq!((m2.frame_len, m2.samples_per_frame), (365, 576));
        let m25 = parse_frame_header([0xFF, 0xE3, 0x48, 0xC4]).unwrap();
        assert_eq!(
            (m25.version, m25.sample_rate, m25.frame_len),
            (MpegVersion::Mpeg25, 8000, 288)
        );
        let l2 = parse_frame_header([0xFF, 0xFD, 0x90, 0x04]).unwrap();
        assert_eq!(
            (l2.layer, l2.bitrate_kbps, l2.frame_len),
            (Layer::Layer2, 160, 522)
        );
        let l1 = parse_frame_header([0xFF, 0xFF, 0x90, 0x00]).unwrap();
        assert_eq!(
            (l1.layer, l1.frame_len, l1.samples_per_frame),
            (Layer::Layer1, 312, 384)
        );
    }

    #[test]
    fn rejects_bad_headers() {
        for h in [
            [0, 0, 0, 0],
            [0xFF, 0xFB, 0x00, 0x64], // free format
            [0xFF, 0xFB, 0xF0, 0x64], // bad bitrate
            [0xFF, 0xEB, 0x90, 0x64], // reserved version
            [0xFF, 0xF9, 0x90, 0x64], // reserved layer
            [0xFF, 0xFB, 0x9C, 0x64], // reserved sample rate
            [0xFF, 0xFB, 0x90, 0x66], // reserved emphasis
            [0xFE, 0xFB, 0x90, 0x64],
        ] {
            assert_eq!(parse_frame_header(h), None, "{h:02x?}");
        }
    }

    #[test]
    fn layout_through_id3_with_info_and_lame_tag() {
        for footer in [false, true] {
            let tag = id3(1000, footer);
            let mut f = tag.clone();
            f.extend(xing_frame(
                CBR128,
                b"Info",
                50,
                0,
                &linear_toc(),
                Some((576, 1000)),
            ));
            f.extend(cbr_frames(50));
            let l = Mp3Layout::from_head(&f, Some(f.len() as u64)).unwrap();
            assert_eq!(l.audio_start, tag.len() as u64);
            assert_eq!(l.first_audio_frame, tag.len() as u64 + 417);
            assert!(matches!(
                l.kind,
                Mp3Kind::Cbr {
                    bitrate_kbps: 128,
                    from_tag: true,
                    ..
                }
            ));
            assert_eq!(
                (l.sample_rate, l.channels, l.samples_per_frame),
                (44100, 2, 1152)
            );
            assert_eq!(l.total_frames, Some(50));
            assert_eq!((l.encoder_delay, l.encoder_padding), (576, 1000));
            assert_eq!(l.start_skip_samples(), 1105);
            assert_eq!(l.duration_samples(), Some(50 * 1152 - 1576));
        }
    }

    #[test]
    fn mpeg2_mono_xing_tag() {
        let hdr = [0xFF, 0xF3, 0xB0, 0xC4];
        let mut f = xing_frame(hdr, b"Xing", 30, 31 * 365, &linear_toc(), Some((576, 300)));
        for _ in 0..30 {
            f.extend(frame(hdr));
        }
        let l = Mp3Layout::from_head(&f, None).unwrap();
        assert_eq!((l.first_audio_frame, l.samples_per_frame), (365, 576));
        assert_eq!(l.version, MpegVersion::Mpeg2);
        assert!(matches!(
            l.kind,
            Mp3Kind::Vbr {
                frames: Some(30),
                ..
            }
        ));
        assert_eq!(l.start_skip_samples(), 1105);
    }

    #[test]
    fn no_tag_means_no_skip() {
        let f = cbr_frames(20);
        let l = Mp3Layout::from_head(&f, Some(f.len() as u64)).unwrap();
        assert_eq!((l.audio_start, l.first_audio_frame), (0, 0));
        assert!(matches!(
            l.kind,
            Mp3Kind::Cbr {
                from_tag: false,
                ..
            }
        ));
        assert_eq!(l.start_skip_samples(), 0);
        assert_eq!(l.duration_samples(), Some(20 * 1152));
        assert!(!l.estimate(5000).exact);
    }

    #[test]
    fn need_more_data_for_big_tag() {
        let mut f = id3(100_000, false);
        f.extend(cbr_frames(10));
        let tag_end = 100_010;
        assert_eq!(
            Mp3Layout::from_head(&f[..4096], None),
            Err(LayoutError::NeedMoreData {
                needed_len: tag_end + AFTER_TAG
            })
        );
        let len = f.len() as u64;
        assert_eq!(
            Mp3Layout::from_head(&f[..4096], Some(len)),
            Err(LayoutError::NeedMoreData { needed_len: len })
        );
        assert_eq!(
            Mp3Layout::from_head(&f[..2], None),
            Err(LayoutError::NeedMoreData {
                needed_len: AFTER_TAG
            })
        );
        // Tag ends in the head but the frames do not.
        assert!(matches!(
            Mp3Layout::from_head(&f[..100_500], None),
            Err(LayoutError::NeedMoreData { needed_len }) if needed_len > 100_500
        ));
        assert_eq!(
            Mp3Layout::from_head(&f, Some(len)).unwrap().audio_start,
            tag_end
        );
    }

    #[test]
    fn not_mp3() {
        let text = b"this is plainly not an mp3 file \xFF\xFB\x90 at all".repeat(10);
        let len = Some(text.len() as u64);
        assert_eq!(Mp3Layout::from_head(&text, len), Err(LayoutError::NotMp3));
        let junk = vec![0u8; (MAX_JUNK + 10) as usize];
        assert_eq!(Mp3Layout::from_head(&junk, None), Err(LayoutError::NotMp3));
    }

    #[test]
    fn cbr_estimate_arithmetic_and_resync() {
        let mut f = xing_frame(CBR128, b"Info", 200, 0, &linear_toc(), None);
        let starts: Vec<u64> = (0..200).map(|k| 417 + k * 144 * 128_000 / 44_100).collect();
        f.extend(cbr_frames(200));
        let l = Mp3Layout::from_head(&f, Some(f.len() as u64)).unwrap();
        let e = l.estimate(100 * 1152 + 7);
        assert_eq!(e.byte, 417 + 41_795 - CBR_BACKOFF);
        assert_eq!(e.frame_first_sample, 100 * 1152);
        assert!(e.exact);
        for (k, &start) in starts.iter().enumerate() {
            for j in [0, 1, 600, 1151] {
                let e = l.estimate(k as u64 * 1152 + j);
                assert_eq!(e.frame_first_sample, k as u64 * 1152);
                assert_eq!(l.resync(&f, 0, e.byte), Some(start), "frame {k}");
            }
        }
        assert_eq!(l.estimate(u64::MAX).frame_first_sample, 199 * 1152);
    }

    #[test]
    fn toc_interpolation() {
        let toc: [u8; 100] =
            std::array::from_fn(|i| (if i <= 50 { i * 2 } else { 100 + (i - 50) * 3 }) as u8);
        assert_eq!(toc_fraction(&toc, 25.0), 50.0 / 256.0);
        assert_eq!(toc_fraction(&toc, 62.5), 137.5 / 256.0);
        assert_eq!(toc_fraction(&toc, 99.5), 251.5 / 256.0);
        assert_eq!(toc_fraction(&toc, 100.0), 1.0);

        let mut f = xing_frame(CBR64, b"Xing", 1000, 256_000, &toc, None);
        for i in 0..6 {
            f.extend(frame(if i % 2 == 0 { CBR128 } else { CBR64 }));
        }
        let l = Mp3Layout::from_head(&f, None).unwrap();
        assert_eq!(l.first_audio_frame, 208);
        let at = |pct: f64| l.estimate((pct / 100.0 * 1_152_000.0) as u64);
        assert_eq!(at(25.0).byte, 50_000);
        assert_eq!(at(62.5).byte, 137_500);
        assert_eq!(at(99.5).byte, 251_500);
        assert_eq!(at(0.0).byte, 208);
        assert!(!at(25.0).exact);
        assert_eq!(at(25.0).frame_first_sample, 250 * 1152);
        // Never inside the last two (average) frames.
        assert_eq!(l.estimate(u64::MAX).byte, 256_000 - 512);
    }

    #[test]
    fn vbr_linear_without_toc_and_vbri() {
        let mut f = frame(CBR128);
        f[36..40].copy_from_slice(b"VBRI");
        f[40..42].copy_from_slice(&1u16.to_be_bytes());
        f[46..50].copy_from_slice(&(417 + 100 * 300u32).to_be_bytes());
        f[50..54].copy_from_slice(&100u32.to_be_bytes());
        for i in 0..4 {
            f.extend(frame(if i % 2 == 0 { CBR128 } else { CBR64 }));
        }
        let l = Mp3Layout::from_head(&f, None).unwrap();
        assert_eq!(l.first_audio_frame, 417);
        assert_eq!(l.total_frames, Some(100));
        assert_eq!(l.start_skip_samples(), 0);
        assert_eq!(l.estimate(10 * 1152).byte, 417 + 3000);
    }

    #[test]
    fn untagged_vbr_detected() {
        let mut f = vec![];
        for i in 0..10 {
            f.extend(frame(if i % 3 == 0 { CBR64 } else { CBR128 }));
        }
        let l = Mp3Layout::from_head(&f, Some(f.len() as u64)).unwrap();
        assert_eq!(
            l.kind,
            Mp3Kind::Vbr {
                toc: None,
                frames: None,
                bytes: None
            }
        );
        assert_eq!(l.duration_samples(), None);
        let e = l.estimate(3 * 1152);
        assert!(!e.exact && e.byte > 0 && e.byte < f.len() as u64);
    }

    /// ID3 + Xing + VBR frames + ID3v1, with the expected frame starts.
    fn small_stream() -> (Vec<u8>, Mp3Layout, Vec<u64>) {
        let mut f = id3(20, false);
        f.extend(xing_frame(
            CBR64,
            b"Xing",
            12,
            0,
            &linear_toc(),
            Some((576, 0)),
        ));
        let mut starts = vec![];
        for i in 0..12 {
            starts.push(f.len() as u64);
            f.extend(frame([CBR128, CBR64, CBR128_PAD][i % 3]));
        }
        f.extend(b"TAG");
        f.extend([0u8; 125]);
        let l = Mp3Layout::from_head(&f, Some(f.len() as u64)).unwrap();
        (f, l, starts)
    }

    fn check_index(idx: &FrameIndex, starts: &[u64]) {
        assert_eq!(idx.frames_indexed(), starts.len() as u64);
        let stride = idx.stride as usize;
        for (k, _) in starts.iter().enumerate() {
            let kept = k - k % stride;
            assert_eq!(
                idx.locate(k as u64 * 1152 + 77),
                Some((starts[kept], kept as u64 * 1152))
            );
        }
        assert_eq!(idx.locate(starts.len() as u64 * 1152), None);
        assert_eq!(idx.next_offset(), None, "stops at the ID3v1 tag");
    }

    #[test]
    fn frame_index_at_every_split() {
        let (f, l, starts) = small_stream();
        assert_eq!(l.first_audio_frame, starts[0]);
        for stride in [1, 5, FRAME_INDEX_STRIDE] {
            for s in 0..=f.len() {
                let mut idx = FrameIndex::with_stride(&l, stride);
                idx.feed(0, &f[..s]);
                idx.feed(s as u64, &f[s..]);
                check_index(&idx, &starts);
                // Overlapping re-feeds are harmless.
                let mut idx = FrameIndex::with_stride(&l, stride);
                idx.feed(0, &f[..s]);
                idx.feed(s as u64 / 2, &f[s / 2..]);
                check_index(&idx, &starts);
            }
        }
        let mut idx = FrameIndex::with_stride(&l, 1);
        for (i, b) in f.iter().enumerate() {
            idx.feed(i as u64, std::slice::from_ref(b));
        }
        check_index(&idx, &starts);
    }

    #[test]
    fn a_saved_index_goes_on_where_it_stopped() {
        let (f, l, starts) = small_stream();
        for stride in [1, 5] {
            for s in [0, 300, 900, 1500, f.len()] {
                let mut idx = FrameIndex::with_stride(&l, stride);
                idx.feed(0, &f[..s]);
                let saved = idx.to_saved();
                assert_eq!(FrameIndex::saved_frames(&saved), Some(idx.frames_indexed()));
                let mut again = FrameIndex::from_saved(&l, &saved).expect("restored");
                assert_eq!(again.frames_indexed(), idx.frames_indexed());
                assert_eq!(again.next_offset(), idx.next_offset());
                // Fed again from the saved point (a header may straddle it).
                again.feed(0, &f);
                check_index(&again, &starts);
            }
        }
    }

    #[test]
    fn a_damaged_or_foreign_saved_index_is_not_used() {
        let (f, l, _) = small_stream();
        let mut idx = FrameIndex::with_stride(&l, 5);
        idx.feed(0, &f);
        let saved = idx.to_saved();
        for n in 0..saved.len() {
            assert!(
                FrameIndex::from_saved(&l, &saved[..n]).is_none(),
                "cut at {n}"
            );
        }
        // Another file's first frame, or starts that do not rise.
        let mut moved = l.clone();
        moved.first_audio_frame += 1;
        assert!(FrameIndex::from_saved(&moved, &saved).is_none());
        // A stride coarser than this build's (a damaged row).
        // (consistent otherwise: one kept start for its 12 frames).
        let mut coarse = saved[..43 + 4].to_vec();
        coarse[22..26].copy_from_slice(&1000u32.to_le_bytes());
        assert!(FrameIndex::from_saved(&l, &coarse).is_none());
        coarse[22..26].copy_from_slice(&FRAME_INDEX_STRIDE.to_le_bytes());
        assert!(
            FrameIndex::from_saved(&l, &coarse).is_some(),
            "the same at this build's stride"
        );
        let mut falling = saved.clone();
        let last = falling.len() - 4;
        falling[last..].copy_from_slice(&0u32.to_le_bytes());
        assert!(FrameIndex::from_saved(&l, &falling).is_none());
        // Any byte changed: refused or consistent, never a panic.
        for i in 0..saved.len() {
            let mut bent = saved.clone();
            bent[i] ^= 0xA5;
            if let Some(i) = FrameIndex::from_saved(&l, &bent) {
                let _ = i.locate(u64::MAX);
                let _ = i.locate(5 * 1152);
            }
        }
    }

    #[test]
    fn an_index_from_a_frame_counts_its_samples_from_there() {
        let (f, l, starts) = small_stream();
        let from = 3;
        let mut idx = FrameIndex::from_frame(&l, starts[from]);
        idx.feed(0, &f);
        assert_eq!(idx.frames_indexed(), (starts.len() - from) as u64);
        assert_eq!(idx.locate(77), Some((starts[from], 0)));
        assert_eq!(idx.locate(1152), Some((starts[from], 0)));
    }

    #[test]
    fn the_frames_leading_to_a_known_start_are_found_behind_it() {
        let (f, l, starts) = small_stream();
        let to = starts[6];
        // The fewest frames that give the preroll asked for.
        for want in [1, 2, 4] {
            assert_eq!(
                l.frames_leading_to(&f, 0, to, want, 0),
                Some((starts[6 - want as usize], want)),
                "want {want}"
            );
        }
        // Enough bytes before it too (a low bitrate's reservoir reaches back several frames).
        let reach = to - starts[3];
        assert_eq!(
            l.frames_leading_to(&f, 0, to, 1, reach),
            Some((starts[3], 3))
        );
        assert_eq!(
            l.frames_leading_to(&f, 0, to, 1, reach + 1),
            Some((starts[2], 4))
        );
        // From bytes that start mid-frame: what lies within them.
        let from = starts[5] - 10;
        assert_eq!(
            l.frames_leading_to(&f[from as usize..], from, to, 3, 0),
            Some((starts[5], 1))
        );
        // Bytes ending before the start, or a start that is not a frame's.
        assert_eq!(
            l.frames_leading_to(&f[..to as usize + 2], 0, to, 2, 0),
            None
        );
        assert_eq!(l.frames_leading_to(&f, 0, to + 1, 2, 0), None);
        // The first audio frame has nothing before it (in the bytes from there).
        let first = starts[0] as usize;
        assert_eq!(
            l.frames_leading_to(&f[first..], starts[0], starts[0], 2, 0),
            Some((starts[0], 0))
        );
    }

    #[test]
    fn frame_index_ignores_gaps() {
        let (f, l, starts) = small_stream();
        let mut idx = FrameIndex::new(&l);
        idx.feed(1000, &f[1000..]);
        assert_eq!(idx.frames_indexed(), 0);
        idx.feed(0, &f[..900]);
        let partial = idx.frames_indexed();
        assert!(partial > 0 && partial < starts.len() as u64);
        let next = idx.next_offset().unwrap() as usize;
        assert_eq!(next as u64, starts[partial as usize]);
        idx.feed(next as u64 + 1, &f[next + 1..]);
        assert_eq!(idx.frames_indexed(), partial, "header byte missing");
        idx.feed(900, &f[900..]);
        check_index(&idx, &starts);
    }

    #[test]
    fn frame_index_stops_on_other_stream() {
        let mut f = cbr_frames(3);
        f.extend(frame([0xFF, 0xF3, 0xB0, 0xC4]));
        f.extend(cbr_frames(3));
        let l = Mp3Layout::from_head(&f[..417 * 3], Some(f.len() as u64)).unwrap();
        let mut idx = FrameIndex::new(&l);
        idx.feed(0, &f);
        assert_eq!(idx.frames_indexed(), 3);
        assert_eq!(idx.next_offset(), None);
    }

    #[test]
    fn resync_over_junk() {
        let mut f = b"hello".to_vec();
        f.extend(CBR128); // false sync: its successor is not a header
        f.extend([0u8; 100]);
        let real = f.len() as u64;
        f.extend(cbr_frames(5));
        assert_eq!(resync(&f, 1000, 0), Some(1000 + real));
        assert_eq!(resync(&f, 1000, 1000), Some(1000 + real));
        assert_eq!(resync(&f, 1000, 1001 + real), Some(1000 + real + 417));
        // Accepted: the successor lies beyond the bytes given.
        assert_eq!(resync(&f[..20], 0, 0), Some(5));
        assert_eq!(resync(&f, 0, f.len() as u64 + 5), None);
        // Last frame followed by an end tag still counts.
        let mut end = frame(CBR128);
        end.extend(b"TAG");
        assert_eq!(resync(&end, 0, 0), Some(0));
        let l = Mp3Layout::from_head(&f, Some(f.len() as u64)).unwrap();
        assert_eq!(l.audio_start, real);
    }

    #[test]
    fn garbage_never_panics() {
        let mut x = 0x1234_5678u32;
        let mut buf = vec![0u8; 50_000];
        for b in buf.iter_mut() {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *b = if x.is_multiple_of(7) { 0xFF } else { x as u8 };
        }
        for n in [0, 1, 3, 4, 10, 100, 5000, 50_000] {
            let _ = Mp3Layout::from_head(&buf[..n], Some(n as u64));
            let _ = Mp3Layout::from_head(&buf[..n], None);
            let _ = resync(&buf[..n], 7, 3);
        }
        let (_, l, _) = small_stream();
        let mut idx = FrameIndex::new(&l);
        idx.feed(l.first_audio_frame, &buf);
        let _ = l.estimate(u64::MAX);
    }
}
