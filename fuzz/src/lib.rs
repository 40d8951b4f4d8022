//! What each fuzz target does with its input, one function per target (`fuzz_targets/<name>.rs`
//! calls the function of the same name). The same file is compiled into the engine's
//! regression test (`src-tauri/engine/tests/fuzz_regressions.rs`), so a saved crasher is
//! replayed through exactly the calls that found it.
//!
//! Every function must return normally for any input: a panic, a hang or an allocation failure
//! is a bug in the engine. The loops that emulate a streamed read (the reader asks for more
//! bytes, we hand over what the input has) are bounded by [`MAX_READS`].

use chaptercast_engine::chapters::embedded::{
    self, AudioKind, ChapterError, EmbeddedChapter, ReadOutcome,
};
use chaptercast_engine::chapters::{self, id3, json, mp4, podlove, shownotes, vorbis, Chapter};
use chaptercast_engine::feed::{self, sanitize, PodloveChapterRef};
use chaptercast_engine::transcripts;

/// A target's name and what it does with an input.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name: the file names of saved crashers start with `<name>-`.
pub const TARGETS: [Target; 10] = [
    ("feed", feed),
    ("shownotes", shownotes),
    ("chapters_json", chapters_json),
    ("podlove", podlove),
    ("id3", id3),
    ("vorbis", vorbis),
    ("mp4", mp4),
    ("audio", audio),
    ("transcript", transcript),
    ("picture", picture),
];

/// Packets decoded at most per position: enough to cross a few frames and a seek.
pub const MAX_PACKETS: usize = 48;

/// Reads an emulated streamed file asks for at most (the app stops after 8).
pub const MAX_READS: usize = 64;

/// HTTP charsets tried next to none; the input's first byte picks one.
const CHARSETS: [&str; 8] = [
    "iso-8859-1",
    "utf-8",
    "iso-8859-1",
    "windows-1252",
    "utf-16le",
    "shift_jis",
    "iso-8859-1",
    "no-such-charset",
];

/// One hour: the episode duration the show-notes target assumes.
const HOUR_MS: u64 = 3_600_000;

/// `feed::parse` without and with an HTTP charset, then the feed's own chapters of each episode.
pub fn feed(data: &[u8]) {
    let charset = CHARSETS[usize::from(data.first().copied().unwrap_or(0)) % CHARSETS.len()];
    for http_charset in [None, Some(charset)] {
        if let Ok(parsed) = feed::parse(data, http_charset) {
            for episode in &parsed.episodes {
                let _ = chapters::from_feed_episode(episode);
            }
        }
    }
}

/// Show-notes chapters, every whitespace token as a timestamp, and the sanitizer (whose output
/// is what the app reads chapters from).
pub fn shownotes(data: &[u8]) {
    let notes = String::from_utf8_lossy(data);
    let _ = chapters::from_show_notes(&notes, Some(HOUR_MS));
    for token in notes.split_whitespace() {
        let _ = shownotes::parse_timestamp(token);
    }
    let html = sanitize::show_notes_html(&notes);
    let _ = chapters::from_show_notes(&html, Some(HOUR_MS));
}

/// Podcasting 2.0 JSON chapters, merged and looked up as the player does.
pub fn chapters_json(data: &[u8]) {
    if let Ok(list) = json::parse(data) {
        use_chapters(list, Some(HOUR_MS));
    }
}

/// Podlove chapters from input lines `start|title|href|image`, directly and through a feed.
/// Items of the generated feed are separated by `---` lines; input starting with `!` goes into
/// the XML unescaped.
pub fn podlove(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (raw, text) = match text.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, &*text),
    };
    let refs: Vec<PodloveChapterRef> = text
        .split('\n')
        .filter(|line| *line != "---")
        .map(podlove_ref)
        .collect();
    for r in &refs {
        let _ = podlove::parse_npt(&r.start);
    }
    use_chapters(podlove::chapters(&refs), None);

    let feed_xml = podlove_feed(text, raw);
    if let Ok(parsed) = feed::parse(feed_xml.as_bytes(), None) {
        for episode in &parsed.episodes {
            let _ = chapters::from_feed_episode(episode);
        }
    }
}

/// ID3v2 chapters (MP3).
pub fn id3(data: &[u8]) {
    embedded_audio(data, AudioKind::Mp3, id3::read);
    // The chapters' byte offsets, which the player reads from a stream's head.
    let _ = id3::start_offsets(data);
}

/// Vorbis comment chapters (Ogg Vorbis / Opus).
pub fn vorbis(data: &[u8]) {
    embedded_audio(data, AudioKind::OggVorbis, vorbis::read);
}

/// MP4 chapters: one call with the whole input, then two emulated streamed reads (file length
/// known, whole input as the head; length unknown, half the input as the head).
pub fn mp4(data: &[u8]) {
    let _ = embedded::sniff(data);
    let _ = mp4::read(data, 0, None);
    for (file_len, head_len) in [
        (Some(data.len() as u64), data.len()),
        (None, data.len() / 2),
    ] {
        if let Some(list) = mp4_streamed(data, file_len, head_len) {
            use_chapters(chapters::from_embedded(AudioKind::Mp4, list), None);
        }
    }
}

fn mp4_streamed(
    data: &[u8],
    file_len: Option<u64>,
    head_len: usize,
) -> Option<Vec<EmbeddedChapter>> {
    let mut reader = mp4::Mp4Reader::new(file_len);
    let mut outcome = reader.read_at(0, &data[..head_len]);
    for _ in 0..MAX_READS {
        let (offset, len) = match outcome.ok()? {
            ReadOutcome::Chapters(list) => return Some(list),
            ReadOutcome::NeedRange { offset, len } => (offset, len),
            ReadOutcome::NeedBytes(len) => (0, len),
        };
        outcome = reader.read_at(offset, slice(data, offset, len));
    }
    None
}

/// `read` on the whole input, then as a streamed read that starts with half of it and grows
/// the head as asked (like `chapter_fetch::read_embedded_chapters`).
fn embedded_audio(
    data: &[u8],
    kind: AudioKind,
    read: fn(&[u8]) -> Result<ReadOutcome, ChapterError>,
) {
    let _ = embedded::sniff(data);
    if let Ok(ReadOutcome::Chapters(list)) = read(data) {
        use_chapters(chapters::from_embedded(kind, list), None);
    }
    let mut have = data.len() / 2;
    for _ in 0..MAX_READS {
        match read(&data[..have]) {
            Ok(ReadOutcome::NeedBytes(n)) => {
                let n = usize::try_from(n).unwrap_or(usize::MAX).min(data.len());
                if n <= have {
                    return;
                }
                have = n;
            }
            Ok(ReadOutcome::Chapters(list)) => {
                use_chapters(chapters::from_embedded(kind, list), None);
                return;
            }
            Ok(ReadOutcome::NeedRange { .. }) | Err(_) => return,
        }
    }
}

/// What the app does with a chapter list: merge it and find the chapter at a few positions.
fn use_chapters(list: Vec<Chapter>, duration_ms: Option<u64>) {
    let probes: Vec<u64> = list.iter().map(|c| c.start_ms).take(8).collect();
    let merged = chapters::merge(vec![list], duration_ms);
    for position in probes.into_iter().chain([0, u64::MAX]) {
        let _ = chapters::chapter_at(&merged, position);
    }
}

/// The bytes of `data` at `offset..offset + len`, cut to the input (empty past its end).
fn slice(data: &[u8], offset: u64, len: u64) -> &[u8] {
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(data.len());
    let end = usize::try_from(offset.saturating_add(len))
        .unwrap_or(usize::MAX)
        .min(data.len());
    &data[start..end]
}

fn podlove_ref(line: &str) -> PodloveChapterRef {
    let mut fields = line.split('|');
    let mut next = || fields.next().unwrap_or_default().to_string();
    let start = next();
    let title = next();
    let href = Some(next()).filter(|h| !h.is_empty());
    let image = Some(next()).filter(|i| !i.is_empty());
    PodloveChapterRef {
        start,
        title,
        href,
        image,
    }
}

/// An RSS feed with one episode per `---`-separated block of lines, each line a `psc:chapter`;
/// the show notes list the same chapters, so the two sources meet in `merge`.
fn podlove_feed(text: &str, raw: bool) -> String {
    let attr = |s: &str| if raw { s.to_string() } else { escape_attr(s) };
    let mut xml = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<rss version="2.0" xmlns:psc="http://podlove.org/simple-chapters" "#,
        r#"xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Fuzz</title>"#,
    ));
    for (i, block) in text.split("\n---\n").enumerate() {
        xml.push_str(&format!(
            "<item><guid>ep{i}</guid><title>Episode {i}</title>\
             <enclosure url=\"https://example.com/{i}.mp3\" type=\"audio/mpeg\" length=\"1\"/>\
             <itunes:duration>1:00:00</itunes:duration>\
             <psc:chapters version=\"1.2\">"
        ));
        let mut notes = String::new();
        for line in block.split('\n') {
            let r = podlove_ref(line);
            xml.push_str(&format!(
                "<psc:chapter start=\"{}\" title=\"{}\"",
                attr(&r.start),
                attr(&r.title)
            ));
            if let Some(href) = &r.href {
                xml.push_str(&format!(" href=\"{}\"", attr(href)));
            }
            if let Some(image) = &r.image {
                xml.push_str(&format!(" image=\"{}\"", attr(image)));
            }
            xml.push_str("/>");
            notes.push_str(&format!("{} {}<br>", r.start, r.title));
        }
        xml.push_str("</psc:chapters><description>");
        xml.push_str(&if raw { notes } else { escape_attr(&notes) });
        xml.push_str("</description></item>");
    }
    xml.push_str("</channel></rss>");
    xml
}

fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Not allowed in XML 1.0 at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The player's decoding path (MP3 layout and index, the MP4 guard, symphonia's demuxers and
/// decoders): open as each content type the feeds give, decode, jump to the middle and near the
/// end, decode again. A panic inside symphonia is contained by the engine and is no failure
/// here; an abort (an allocation of what a table claims), a hang or a panic of ours is.
pub fn audio(data: &[u8]) {
    use chaptercast_engine::player::decode::Decoding;
    use chaptercast_engine::player::input::MediaInput;
    let bytes: std::sync::Arc<[u8]> = data.into();
    let mime = [
        None,
        Some("audio/mpeg"),
        Some("audio/mp4"),
        Some("audio/ogg"),
    ][usize::from(data.get(9).copied().unwrap_or(0)) % 4];
    let Ok(mut decoding) = Decoding::open(MediaInput::memory(bytes), mime) else {
        return;
    };
    let decode_some = |d: &mut Decoding| {
        for _ in 0..MAX_PACKETS {
            match d.next_chunk() {
                Ok(Some(chunk)) => {
                    let _ = d.samples(chunk).len();
                }
                _ => break,
            }
        }
    };
    decode_some(&mut decoding);
    let frames = decoding.duration_frames.unwrap_or(0);
    for target in [frames / 2, frames.saturating_sub(1), 0] {
        if decoding.seek(target).is_ok() {
            decode_some(&mut decoding);
        }
    }
}

/// The transcript formats a feed may declare.
const TRANSCRIPT_FORMATS: [transcripts::Format; 5] = [
    transcripts::Format::Json,
    transcripts::Format::Vtt,
    transcripts::Format::Srt,
    transcripts::Format::Html,
    transcripts::Format::Text,
];

/// A transcript sniffed, then read as each format (and as sniffed), what comes back held to
/// what `transcripts::parse` promises: sorted, ends not before starts, trimmed non-empty text,
/// untimed cues at 0.
pub fn transcript(data: &[u8]) {
    let _ = transcripts::sniff(data);
    if let Ok(word) = std::str::from_utf8(data) {
        let _ = transcripts::Format::from_mime(word);
        let _ = transcripts::Format::from_name(word);
    }
    for format in std::iter::once(None).chain(TRANSCRIPT_FORMATS.map(Some)) {
        if let Ok(t) = transcripts::parse(data, format) {
            assert!(!t.cues.is_empty());
            assert!(t.cues.windows(2).all(|w| w[0].start_ms <= w[1].start_ms));
            for cue in &t.cues {
                assert!(cue.end_ms >= cue.start_ms);
                assert!(!cue.text.is_empty() && cue.text.trim() == cue.text);
                assert!(cue.speaker.as_deref().is_none_or(|s| !s.is_empty()));
                if !t.timed {
                    assert_eq!((cue.start_ms, cue.end_ms), (0, 0));
                }
            }
        }
    }
}

/// The pictures the window shows (artwork, note images): decoded within limits and scaled into
/// a box. A picture that comes out is a web format the engine can read again, within its box
/// unless passed on as it came.
pub fn picture(data: &[u8]) {
    use chaptercast_engine::images::{fit, Fitted};
    for fit_px in [64, 2048] {
        if let Ok(Fitted::Picture(out)) = fit("fuzz", data, fit_px) {
            assert!(out.mime.starts_with("image/"));
            if out.bytes != data {
                let Some((w, h)) = chaptercast_engine::images::dimensions(&out.bytes) else {
                    panic!("a scaled picture that does not read back");
                };
                assert!(w <= fit_px && h <= fit_px, "{w}x{h} in a {fit_px} box");
            }
        }
    }
}
