//! Episode transcripts (`podcast:transcript`, sidecar files): bytes in, timed cues out.
//!
//! - `mod.rs`: the public API, decoding, sniffing, and the cleanup every reader's cues get.
//! - `vtt.rs`: WebVTT.
//! - `srt.rs`: SubRip.
//! - `json.rs`: Podcast Index JSON, word-level segments merged into sentences.
//! - `html.rs`: the Podcasting 2.0 HTML style (`<cite>`, `<time>`, `<p>`), by a tag scanner.
//! - `text.rs`: plain text, paragraphs without times.
//! - `tests.rs`: unit tests, including the spec's example files from the shared corpus.
//!
//! Pure functions: no I/O. Every reader is linear in its input and never panics, whatever
//! the bytes (the `transcript` fuzz target holds them to that).

use std::fmt;

mod html;
mod json;
mod srt;
mod text;
mod vtt;

#[cfg(test)]
mod tests;

/// Largest transcript read. Hour-long word-level JSON is around 1 MB.
pub const MAX_TRANSCRIPT_BYTES: usize = 5 * 1024 * 1024;

/// How long a cue lasts when its source gives no end and no later cue does either.
const DEFAULT_CUE_MS: u64 = 5_000;

/// One stretch of speech.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cue {
    pub start_ms: u64,
    /// Never before `start_ms`.
    pub end_ms: u64,
    pub speaker: Option<String>,
    /// Single-spaced, trimmed, never empty.
    pub text: String,
}

/// The transcript formats of `podcast:transcript`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    Vtt,
    Srt,
    Html,
    Text,
}

impl Format {
    /// From a `podcast:transcript` type attribute (MIME), case-insensitive, parameters
    /// (`; charset=utf-8`) ignored. None when unknown.
    pub fn from_mime(mime: &str) -> Option<Format> {
        let essence = mime.split(';').next().unwrap_or_default().trim();
        let essence = essence.to_ascii_lowercase();
        Some(match essence.as_str() {
            "application/json" | "text/json" | "application/x-json" => Format::Json,
            "text/vtt" | "text/webvtt" | "application/vtt" | "application/x-vtt" => Format::Vtt,
            "application/x-subrip"
            | "application/srt"
            | "application/x-srt"
            | "text/srt"
            | "text/x-srt"
            | "text/x-subrip" => Format::Srt,
            "text/html" | "application/xhtml+xml" => Format::Html,
            "text/plain" => Format::Text,
            _ => return None,
        })
    }

    /// From a CLI `--type` word or a file extension (a leading dot is fine).
    pub fn from_name(name: &str) -> Option<Format> {
        let name = name.trim();
        let name = name.strip_prefix('.').unwrap_or(name).to_ascii_lowercase();
        Some(match name.as_str() {
            "json" => Format::Json,
            "vtt" | "webvtt" => Format::Vtt,
            "srt" => Format::Srt,
            "html" | "htm" => Format::Html,
            "text" | "txt" => Format::Text,
            _ => return None,
        })
    }

    /// The word used in the CLI and in storage; [`Format::from_name`] reads it back.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Vtt => "vtt",
            Format::Srt => "srt",
            Format::Html => "html",
            Format::Text => "text",
        }
    }

    /// Preference when a feed offers several: lower is better. JSON has speakers and the
    /// finest times; plain text has no times at all.
    pub fn rank(self) -> u8 {
        match self {
            Format::Json => 0,
            Format::Vtt => 1,
            Format::Srt => 2,
            Format::Html => 3,
            Format::Text => 4,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A read transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    /// In order of start, never empty.
    pub cues: Vec<Cue>,
    /// False when the source carries no times (plain text, HTML without times): shown, not
    /// clickable. Cues then have `start_ms = end_ms = 0`.
    pub timed: bool,
}

/// Why a transcript could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error("transcript is larger than {limit_bytes} bytes")]
    TooLarge { limit_bytes: usize },
    #[error("not a text file")]
    NotText,
    #[error("transcript is empty")]
    Empty,
    #[error("no cues in the {format} transcript")]
    NoCues { format: Format },
    #[error("invalid JSON transcript: {0}")]
    Json(String),
}

/// Guesses the format from content (BOM-tolerant): a `WEBVTT` header is VTT, a leading `{` or
/// `[{` JSON, `-->` timing lines SRT, a leading tag HTML, anything else text.
pub fn sniff(bytes: &[u8]) -> Format {
    // The head is enough, and a cut through a UTF-8 sequence only costs a replacement char.
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let text = match utf16_encoding(head) {
        Some((encoding, skip)) => encoding
            .decode_without_bom_handling(head.get(skip..).unwrap_or_default())
            .0
            .into_owned(),
        None => String::from_utf8_lossy(head).into_owned(),
    };
    sniff_text(&text)
}

/// Reads a transcript. `format` None means [`sniff`]. A declared format that does not fit the
/// content gives way to what sniffing finds (feeds mislabel types), tried once.
pub fn parse(bytes: &[u8], format: Option<Format>) -> Result<Transcript, TranscriptError> {
    if bytes.len() > MAX_TRANSCRIPT_BYTES {
        return Err(TranscriptError::TooLarge {
            limit_bytes: MAX_TRANSCRIPT_BYTES,
        });
    }
    let text = decode(bytes)?;
    // One line ending for every reader; `\r` alone is an old Mac file.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if text.trim().is_empty() {
        return Err(TranscriptError::Empty);
    }
    let sniffed = sniff_text(head(&text, SNIFF_BYTES));
    let declared = format.unwrap_or(sniffed);
    let mut first_error = None;
    for format in attempts(declared, sniffed) {
        match read(format, &text) {
            Ok(transcript) => return Ok(transcript),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Err(first_error.unwrap_or(TranscriptError::NoCues { format: declared }))
}

/// The formats to try, in order. A sniffed format only counts where its signal is structural
/// (a `WEBVTT` header, a JSON opening, `-->` lines, or tags where text was declared); it goes
/// first when it is unambiguous or the declared type is the vague one.
fn attempts(declared: Format, sniffed: Format) -> Vec<Format> {
    if sniffed == declared {
        return vec![declared];
    }
    let strong = matches!(sniffed, Format::Vtt | Format::Srt | Format::Json)
        || (sniffed == Format::Html && declared == Format::Text);
    if !strong {
        return vec![declared];
    }
    if matches!(sniffed, Format::Vtt | Format::Json)
        || matches!(declared, Format::Text | Format::Html)
    {
        vec![sniffed, declared]
    } else {
        vec![declared, sniffed]
    }
}

fn read(format: Format, text: &str) -> Result<Transcript, TranscriptError> {
    let (raw, timed) = match format {
        Format::Vtt => (vtt::read(text), true),
        Format::Srt => (srt::read(text), true),
        Format::Json => (json::read(text)?, true),
        Format::Html => html::read(text),
        Format::Text => (text::read(text), false),
    };
    let cues = finish(raw, timed);
    if cues.is_empty() {
        return Err(TranscriptError::NoCues { format });
    }
    Ok(Transcript { cues, timed })
}

/// A cue as a reader finds it, before cleanup.
#[derive(Debug, Default)]
struct RawCue {
    start_ms: u64,
    end_ms: Option<u64>,
    speaker: Option<String>,
    text: String,
}

/// Cleans text and speakers, drops empty cues, orders by start and fills in missing ends.
fn finish(raw: Vec<RawCue>, timed: bool) -> Vec<Cue> {
    let mut cues: Vec<(Cue, Option<u64>)> = raw
        .into_iter()
        .filter_map(|c| {
            let text = collapse_whitespace(&c.text);
            if text.is_empty() {
                return None;
            }
            let speaker = c
                .speaker
                .map(|s| collapse_whitespace(&s))
                .filter(|s| !s.is_empty());
            let (start_ms, end_ms) = if timed {
                (c.start_ms, c.end_ms)
            } else {
                (0, Some(0))
            };
            let cue = Cue {
                start_ms,
                end_ms: start_ms,
                speaker,
                text,
            };
            Some((cue, end_ms.filter(|end| *end >= start_ms)))
        })
        .collect();
    cues.sort_by_key(|(c, _)| c.start_ms);
    // Walking back: an open cue ends where the next later-starting cue starts.
    let mut next_later: Option<u64> = None;
    let mut following: Option<u64> = None;
    for (cue, end) in cues.iter_mut().rev() {
        if let Some(following) = following.filter(|f| *f > cue.start_ms) {
            next_later = Some(following);
        }
        cue.end_ms = end.unwrap_or_else(|| {
            next_later.unwrap_or_else(|| cue.start_ms.saturating_add(DEFAULT_CUE_MS))
        });
        following = Some(cue.start_ms);
    }
    cues.into_iter().map(|(c, _)| c).collect()
}

// ---- decoding ---------------------------------------------------------------------------------

const SNIFF_BYTES: usize = 4096;

/// Text from bytes: UTF-8 (BOM stripped), UTF-16 with a BOM (or plainly ASCII-in-UTF-16),
/// else windows-1252, which every byte string is. Binary input is refused by its share of
/// control characters, which text, whatever its script, hardly has.
fn decode(bytes: &[u8]) -> Result<String, TranscriptError> {
    if let Some((encoding, skip)) = utf16_encoding(bytes) {
        let body = bytes.get(skip..).unwrap_or_default();
        let text = encoding.decode_without_bom_handling(body).0.into_owned();
        if too_many_strange(&text) {
            return Err(TranscriptError::NotText);
        }
        return check_text(text);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(text) => check_text(text.to_string()),
        Err(_) => {
            // Checked on the bytes first: a big binary file is refused before it is decoded.
            let controls = body.iter().filter(|b| **b < 0x20 || **b == 0x7F);
            if too_many_controls(
                body.len(),
                controls.filter(|b| !is_text_control(**b)).count(),
            ) {
                return Err(TranscriptError::NotText);
            }
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(body);
            check_text(text.into_owned())
        }
    }
}

fn check_text(text: String) -> Result<String, TranscriptError> {
    // Counted on the bytes, which is quick: characters are the bytes that do not continue
    // one, and the C1 controls (U+0080..U+009F) are 0xC2 then 0x80..0x9F.
    let bytes = text.as_bytes();
    let total = bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count();
    let c0 = bytes
        .iter()
        .filter(|b| (**b < 0x20 && !is_text_control(**b)) || **b == 0x7F)
        .count();
    let c1 = bytes
        .windows(2)
        .filter(|w| w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1]))
        .count();
    if too_many_controls(total, c0 + c1) {
        return Err(TranscriptError::NotText);
    }
    Ok(text)
}

/// Control characters that text has: tab, line breaks, form feed.
fn is_text_control(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)
}

/// More than one in twenty characters a control character.
fn too_many_controls(total: usize, controls: usize) -> bool {
    controls.saturating_mul(20) > total
}

/// Binary read as UTF-16 decodes to something in every script, but also to lone surrogates
/// (replaced) and private-use characters, about one in eight; text has next to none.
fn too_many_strange(text: &str) -> bool {
    let (mut total, mut strange) = (0usize, 0usize);
    for c in text.chars() {
        total += 1;
        if matches!(c, '\u{fffd}' | '\u{e000}'..='\u{f8ff}') {
            strange += 1;
        }
    }
    too_many_controls(total, strange)
}

/// UTF-16 by its BOM, or by the zero bytes of ASCII text in the first bytes; with the number of
/// BOM bytes to skip.
fn utf16_encoding(bytes: &[u8]) -> Option<(&'static encoding_rs::Encoding, usize)> {
    match bytes {
        [0xFF, 0xFE, ..] => return Some((encoding_rs::UTF_16LE, 2)),
        [0xFE, 0xFF, ..] => return Some((encoding_rs::UTF_16BE, 2)),
        _ => {}
    }
    let pairs: Vec<&[u8]> = bytes.chunks_exact(2).take(64).collect();
    if pairs.len() < 2 {
        return None;
    }
    let ascii = |unit: &[u8], zero: usize| unit[zero] == 0 && unit[1 - zero] != 0;
    let le = pairs.iter().filter(|p| ascii(p, 1)).count();
    let be = pairs.iter().filter(|p| ascii(p, 0)).count();
    let most = pairs.len() * 9 / 10;
    if le >= most {
        Some((encoding_rs::UTF_16LE, 0))
    } else if be >= most {
        Some((encoding_rs::UTF_16BE, 0))
    } else {
        None
    }
}

/// At most `max` bytes of `text`, cut at a character boundary.
fn head(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

// ---- sniffing ---------------------------------------------------------------------------------

fn sniff_text(text: &str) -> Format {
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if let Some(rest) = text.strip_prefix("WEBVTT") {
        if rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r']) {
            return Format::Vtt;
        }
    }
    if text.starts_with('{') {
        return Format::Json;
    }
    if let Some(rest) = text.strip_prefix('[') {
        let rest = rest.trim_start();
        if rest.starts_with('{') || rest.starts_with(']') {
            return Format::Json;
        }
    }
    // A timing line among the first few: SRT, or a VTT that lost its header (the SRT reader
    // takes dots as well as commas).
    let mut lines = text.lines().filter(|l| !l.trim().is_empty()).take(4);
    if lines.any(|l| timing_line(l).is_some()) {
        return Format::Srt;
    }
    let mut chars = text.chars();
    if chars.next() == Some('<')
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '!')
    {
        return Format::Html;
    }
    Format::Text
}

// ---- shared by the readers ---------------------------------------------------------------------

/// A `start --> end [settings]` line: start and, if it reads, end.
fn timing_line(line: &str) -> Option<(u64, Option<u64>)> {
    let (start, rest) = line.split_once("-->")?;
    let start = parse_timestamp(start.trim())?;
    let end = rest.split_whitespace().next().and_then(parse_timestamp);
    Some((start, end))
}

/// `[h…:]mm:ss[.fff]` (or `,fff`) in milliseconds; any number of hour digits, 1 or 2 digits
/// for minutes and seconds are fine, fractions past milliseconds are cut. Saturates rather
/// than overflows.
fn parse_timestamp(s: &str) -> Option<u64> {
    let (clock, fraction) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut parts = clock.split(':');
    let mut fields = [0u64; 3];
    let mut count = 0;
    for part in parts.by_ref() {
        if count == 3 {
            return None;
        }
        fields[count] = digits(part)?;
        count += 1;
    }
    let (h, m, sec) = match count {
        2 => (0, fields[0], fields[1]),
        3 => (fields[0], fields[1], fields[2]),
        _ => return None,
    };
    let mut ms = h
        .saturating_mul(3_600_000)
        .saturating_add(m.saturating_mul(60_000))
        .saturating_add(sec.saturating_mul(1000));
    if let Some(fraction) = fraction {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut scale = 100;
        for b in fraction.bytes().take(3) {
            ms = ms.saturating_add(u64::from(b - b'0') * scale);
            scale /= 10;
        }
    }
    Some(ms)
}

/// A non-empty run of ASCII digits as a number, saturating.
fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0u64, |n, b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

/// Whitespace runs (and stray control characters) as one space, trimmed.
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let gap = if c.is_ascii() {
            c.is_ascii_whitespace() || c.is_ascii_control()
        } else {
            c.is_whitespace() || c.is_control() || c == '\u{feff}'
        };
        if gap {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Decodes character references: the named ones transcripts use and every numeric one.
/// Anything unknown stays as written.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // Names are short: looking a few bytes ahead keeps this linear.
        let window = head(rest, 34);
        let decoded = window
            .find(';')
            .and_then(|end| entity(&window[1..end]).map(|c| (c, end + 1)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) if !hex.is_empty() && hex.len() <= 8 => u32::from_str_radix(hex, 16).ok()?,
            Some(_) => return None,
            None if !number.is_empty() && number.len() <= 10 => number.parse::<u32>().ok()?,
            None => return None,
        };
        return Some(match code {
            0 => '\u{fffd}',
            // What browsers do with the C1 range: the windows-1252 characters.
            0x80..=0x9F => {
                let byte = [code as u8];
                encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(&byte)
                    .0
                    .chars()
                    .next()
                    .unwrap_or('\u{fffd}')
            }
            _ => char::from_u32(code).unwrap_or('\u{fffd}'),
        });
    }
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "lrm" => '\u{200e}',
        "rlm" => '\u{200f}',
        "zwj" => '\u{200d}',
        "zwnj" => '\u{200c}',
        "shy" => '\u{ad}',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "deg" => '°',
        "middot" => '·',
        "bull" => '•',
        "eacute" => 'é',
        "egrave" => 'è',
        "aacute" => 'á',
        "agrave" => 'à',
        "iacute" => 'í',
        "oacute" => 'ó',
        "uacute" => 'ú',
        "ntilde" => 'ñ',
        "ccedil" => 'ç',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        "euro" => '€',
        "pound" => '£',
        _ => return None,
    })
}

/// Words that open a line with a colon without being anyone's name.
const NOT_SPEAKERS: [&str; 16] = [
    "note",
    "notes",
    "edit",
    "update",
    "warning",
    "example",
    "chapter",
    "part",
    "source",
    "sources",
    "link",
    "links",
    "transcript",
    "summary",
    "caption",
    "captions",
];

/// Splits a leading `Speaker: ` off cue text, conservatively: one to three capitalised words
/// (`Dr. Jane Doe`, `JANE`), a colon, then a space; never a time (`12:30`) or a URL.
fn split_speaker(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    let colon = head(text, 40).find(':')?;
    let (name, rest) = (&text[..colon], &text[colon + 1..]);
    if !rest.starts_with(char::is_whitespace) || rest.trim().is_empty() {
        return None;
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.is_empty() || words.len() > 3 || name.len() > 32 {
        return None;
    }
    let plausible = |w: &&str| {
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '\'' | '’' | '-'))
            && w.chars().any(char::is_alphabetic)
    };
    if !words.iter().all(plausible) {
        return None;
    }
    if words.len() == 1 && NOT_SPEAKERS.contains(&words[0].to_lowercase().as_str()) {
        return None;
    }
    Some((name.trim(), rest.trim_start()))
}

/// Subtitle markup to text: tags `<…>` go (each handed to `tag`, without brackets), and with
/// `ass` also `{\…}` overrides; entities are decoded in the text between. A `<` that does not
/// open like a tag, or is never closed, stays as text.
fn markup(s: &str, ass: bool, mut tag: impl FnMut(&str)) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    // Once a closer is missing from some point on, it is missing from every later point:
    // remembering that keeps a run of unclosed `<` linear.
    let (mut no_gt, mut no_brace) = (false, false);
    let openers: &[char] = if ass { &['<', '{'] } else { &['<'] };
    loop {
        let Some(i) = rest.find(openers) else {
            out.push_str(&decode_entities(rest));
            break;
        };
        out.push_str(&decode_entities(&rest[..i]));
        let tail = &rest[i..];
        let after = &tail[1..];
        let angle = tail.starts_with('<');
        let (close, missing) = if angle {
            ('>', &mut no_gt)
        } else {
            ('}', &mut no_brace)
        };
        let is_tag = if angle {
            after.starts_with(|c: char| c.is_alphanumeric() || c == '/' || c == '.')
        } else {
            after.starts_with('\\')
        };
        let end = if is_tag && !*missing {
            after.find(close)
        } else {
            None
        };
        if is_tag && end.is_none() {
            *missing = true;
        }
        match end {
            Some(end) => {
                if angle {
                    tag(&after[..end]);
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&tail[..1]);
                rest = after;
            }
        }
    }
    out
}
