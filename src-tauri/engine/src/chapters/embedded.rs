//! Types shared by the readers of chapters embedded in audio files: [`super::id3`] (MP3),
//! [`super::mp4`] (M4A/M4B) and [`super::vorbis`] (Ogg Vorbis and Ogg Opus).
//!
//! Every reader takes bytes and returns a [`ReadOutcome`]; none does I/O. A reader that needs
//! more of the file says so ([`ReadOutcome::NeedBytes`], [`ReadOutcome::NeedRange`]), so a
//! streamed episode can be read with a few HTTP Range requests:
//!
//! ```text
//! let outcome = match sniff(head) {
//!     Some(AudioKind::Mp3) => id3::read(head),           // NeedBytes(n): fetch 0..n, call again
//!     Some(AudioKind::OggVorbis | AudioKind::OggOpus) => vorbis::read(head),       // the same
//!     Some(AudioKind::Mp4) => reader.read_at(0, head),    // reader = Mp4Reader::new(file_len);
//!                                // NeedRange { offset, len }: fetch it, reader.read_at(offset, ..)
//!     None => /* no chapters */,
//! };
//! ```
//!
//! Give a reader that asks for bytes past the end of the file what there is; if it asks again,
//! the file is truncated: stop there. Titles are cleaned with [`clean_title`]; chapters come back in play order.

/// A chapter read from an audio file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedChapter {
    /// Start, in milliseconds from the start of the audio.
    pub start_ms: u64,
    /// End, when the file gives one or the next chapter's start implies it.
    pub end_ms: Option<u64>,
    /// Title, trimmed (see [`clean_title`]); empty when the file gives none.
    pub title: String,
    /// The chapter's link, when the file gives one.
    pub url: Option<String>,
    /// The file holds an image for this chapter (the image bytes are not kept).
    pub has_image: bool,
}

/// What a reader needs next when the bytes it was given end too early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadOutcome {
    /// The chapters, in play order. Empty when the file has none.
    Chapters(Vec<EmbeddedChapter>),
    /// The chapter data continues beyond the given bytes: call again with at least this many
    /// bytes from the start of the file, or the whole file when it is shorter (the Ogg reader's
    /// figure is an estimate that may overshoot). An answer of `NeedBytes` to the whole file
    /// means the file is truncated.
    NeedBytes(u64),
    /// Chapter data lies further into the file (an MP4 `moov` after `mdat`, or the chapter text
    /// samples inside `mdat`): fetch `len` bytes at `offset` and pass them to
    /// [`super::mp4::Mp4Reader::read_at`] on the same reader. Fewer bytes (the file ends) are fine.
    NeedRange { offset: u64, len: u64 },
}

/// Why a reader gave up.
#[derive(Debug, thiserror::Error)]
pub enum ChapterError {
    #[error("not a {expected} file")]
    WrongFormat { expected: &'static str },
    #[error("the {container} data is corrupt: {detail}")]
    Corrupt {
        container: &'static str,
        detail: String,
    },
}

/// The kinds of audio file that can carry embedded chapters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioKind {
    /// MPEG audio, possibly behind an ID3v2 tag: [`super::id3::read`].
    Mp3,
    /// ISO base media / QuickTime (M4A, M4B, MP4): [`super::mp4`].
    Mp4,
    /// Ogg with a Vorbis stream: [`super::vorbis::read`].
    OggVorbis,
    /// Ogg with an Opus stream: [`super::vorbis::read`].
    OggOpus,
}

/// Tells the kind of audio file from its first bytes (a few dozen are enough): an ID3v2 tag or
/// an MPEG audio frame header, an MP4 `ftyp` (or a bare `moov`/`mdat`/`wide`) box, or an Ogg page
/// whose first packet is an Opus or Vorbis identification header. `None` for anything else.
pub fn sniff(head: &[u8]) -> Option<AudioKind> {
    if head.starts_with(b"ID3") || is_mpeg_audio_frame(head) {
        return Some(AudioKind::Mp3);
    }
    if let Some(kind) = head.get(4..8) {
        if matches!(kind, b"ftyp" | b"moov" | b"mdat" | b"wide") {
            return Some(AudioKind::Mp4);
        }
    }
    if head.starts_with(b"OggS") {
        let segments = usize::from(*head.get(26)?);
        let packet = head.get(27 + segments..)?;
        if packet.starts_with(b"OpusHead") {
            return Some(AudioKind::OggOpus);
        }
        if packet.starts_with(b"\x01vorbis") {
            return Some(AudioKind::OggVorbis);
        }
    }
    None
}

/// True when `b` starts with a plausible MPEG audio (Layer I–III) frame header: 11 sync bits,
/// a known version and layer, a bitrate index other than "bad" and a known sample rate.
pub(super) fn is_mpeg_audio_frame(b: &[u8]) -> bool {
    let Some(&[b0, b1, b2, _]) = b.get(..4) else {
        return false;
    };
    let sync = b0 == 0xFF && b1 & 0xE0 == 0xE0;
    let version_ok = (b1 >> 3) & 0b11 != 0b01;
    let layer_ok = (b1 >> 1) & 0b11 != 0b00;
    let bitrate_ok = b2 >> 4 != 0b1111;
    let rate_ok = (b2 >> 2) & 0b11 != 0b11;
    sync && version_ok && layer_ok && bitrate_ok && rate_ok
}

/// Tidies a title as tools write it: trims whitespace and NULs at both ends, and turns each run
/// of whitespace holding a line break or tab (the `"\n\t\t\t\t"` indentation Hindenburg puts in
/// its titles) into one space. Other text is kept as it is.
pub fn clean_title(raw: &str) -> String {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    let mut out = String::with_capacity(trimmed.len());
    let mut run = String::new();
    for c in trimmed.chars() {
        if c.is_whitespace() {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            if run.contains(['\n', '\r', '\t']) {
                out.push(' ');
            } else {
                out.push_str(&run);
            }
            run.clear();
        }
        out.push(c);
    }
    out
}

/// Gives each chapter without an end the next chapter's start, when that lies after its own
/// start; the last one gets `last_end` under the same condition.
pub(super) fn fill_missing_ends(chapters: &mut [EmbeddedChapter], last_end: Option<u64>) {
    let starts: Vec<u64> = chapters.iter().map(|c| c.start_ms).collect();
    for (i, chapter) in chapters.iter_mut().enumerate() {
        if chapter.end_ms.is_some() {
            continue;
        }
        let next = starts.get(i + 1).copied().or(last_end);
        chapter.end_ms = next.filter(|&end| end > chapter.start_ms);
    }
}

/// Converts `ticks` of a `1/timescale` clock to milliseconds, rounding down; `None` for a zero
/// timescale or a result beyond `u64`.
pub(super) fn ticks_to_ms(ticks: u64, timescale: u64) -> Option<u64> {
    if timescale == 0 {
        return None;
    }
    u64::try_from(u128::from(ticks) * 1000 / u128::from(timescale)).ok()
}

/// Test helpers shared by the readers' tests: the shared corpus, prefixes, pseudo-random bytes.
#[cfg(test)]
pub(super) mod test_support {
    use super::{EmbeddedChapter, ReadOutcome};
    use std::path::{Path, PathBuf};

    /// The shared test data folder: `CHAPTERCAST_SHARED_DIR`, else `<workspace root>/../shared`,
    /// which is `../../../shared` from this crate's `CARGO_MANIFEST_DIR` (`src-tauri/engine`).
    /// `None` (after printing "skipped: corpus absent") when it is missing, except under
    /// `CI=true`, where a missing folder is a failure.
    pub fn shared_dir() -> Option<PathBuf> {
        let dir = std::env::var_os("CHAPTERCAST_SHARED_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
        if dir.join("corpus/audio").is_dir() {
            return Some(dir);
        }
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "shared audio corpus missing at {} (CI=true)",
            dir.display()
        );
        eprintln!("skipped: corpus absent (looked at {})", dir.display());
        None
    }

    /// The bytes of `corpus/audio/<rel>`, or `None` when the corpus is absent.
    pub fn corpus_file(rel: &str) -> Option<Vec<u8>> {
        let path = shared_dir()?.join("corpus/audio").join(rel);
        Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
    }

    /// Every file of `corpus/audio/*/`, as (`folder/name`, bytes), sorted by name.
    pub fn corpus_files() -> Option<Vec<(String, Vec<u8>)>> {
        let root = shared_dir()?.join("corpus/audio");
        let mut files = Vec::new();
        for folder in std::fs::read_dir(&root).expect("corpus/audio is readable") {
            let folder = folder.expect("corpus/audio entry").path();
            if !folder.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&folder).expect("corpus folder is readable") {
                let path = file.expect("corpus entry").path();
                let rel = path.strip_prefix(&root).expect("under root");
                let bytes = std::fs::read(&path).expect("corpus file is readable");
                files.push((rel.to_string_lossy().replace('\\', "/"), bytes));
            }
        }
        files.sort();
        Some(files)
    }

    /// The prefix lengths the truncation tests feed: every length up to 4 KiB, then a few more.
    pub fn prefix_lengths(len: usize) -> Vec<usize> {
        let mut lengths: Vec<usize> = (0..=len.min(4096)).collect();
        for n in [
            8192,
            16_384,
            65_536,
            len / 4,
            len / 2,
            len * 3 / 4,
            len.saturating_sub(1),
            len,
        ] {
            if n <= len && !lengths.contains(&n) {
                lengths.push(n);
            }
        }
        lengths
    }

    /// Fixed-seed xorshift64 for the garbage tests.
    pub struct XorShift(pub u64);

    impl XorShift {
        pub fn next_u64(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        /// `len` pseudo-random bytes.
        pub fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| self.next_u64() as u8).collect()
        }
    }

    /// The chapters of an outcome, panicking on anything else.
    pub fn chapters(outcome: ReadOutcome) -> Vec<EmbeddedChapter> {
        match outcome {
            ReadOutcome::Chapters(chapters) => chapters,
            other => panic!("expected chapters, got {other:?}"),
        }
    }

    /// Checks starts (to 10 ms) and titles (exactly) against `want`, as (seconds, title).
    pub fn assert_starts_and_titles(got: &[EmbeddedChapter], want: &[(f64, &str)]) {
        let got_pairs: Vec<(u64, &str)> =
            got.iter().map(|c| (c.start_ms, c.title.as_str())).collect();
        assert_eq!(got.len(), want.len(), "chapter count: got {got_pairs:?}");
        for (chapter, &(secs, title)) in got.iter().zip(want) {
            let want_ms = (secs * 1000.0).round() as u64;
            assert!(
                chapter.start_ms.abs_diff(want_ms) <= 10,
                "start of {title:?}: got {} ms, want {want_ms} ms",
                chapter.start_ms
            );
            assert_eq!(chapter.title, title);
        }
    }

    /// The four chapters of AntennaPod's `auphonic.*` files.
    pub const AUPHONIC: [(f64, &str); 4] = [
        (0.0, "Chapter 1 - ❤️😊"),
        (3.0, "Chapter 2 - ßöÄ"),
        (6.0, "Chapter 3 - 爱"),
        (9.0, "Chapter 4"),
    ];
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    fn chapter(start_ms: u64, end_ms: Option<u64>) -> EmbeddedChapter {
        EmbeddedChapter {
            start_ms,
            end_ms,
            title: String::new(),
            url: None,
            has_image: false,
        }
    }

    #[test]
    fn sniff_tells_id3_and_bare_mpeg_frames_as_mp3() {
        assert_eq!(
            sniff(b"ID3\x04\x00\x00\x00\x00\x00\x00"),
            Some(AudioKind::Mp3)
        );
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0xC4]), Some(AudioKind::Mp3));
        // ADTS AAC shares the sync word but has layer 00.
        assert_eq!(sniff(&[0xFF, 0xF1, 0x50, 0x80]), None);
    }

    #[test]
    fn sniff_tells_mp4_and_ogg_kinds() {
        assert_eq!(sniff(b"\0\0\0\x20ftypM4A "), Some(AudioKind::Mp4));
        let mut page = b"OggS\0\x02".to_vec();
        page.extend_from_slice(&[0; 20]);
        page.push(1);
        page.push(19);
        let mut opus = page.clone();
        opus.extend_from_slice(b"OpusHead\x01\x02");
        assert_eq!(sniff(&opus), Some(AudioKind::OggOpus));
        page.extend_from_slice(b"\x01vorbis\0\0\0\0");
        assert_eq!(sniff(&page), Some(AudioKind::OggVorbis));
        assert_eq!(sniff(b"OggS"), None);
    }

    #[test]
    fn sniff_gives_none_for_short_or_unknown_bytes() {
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(sniff(&[0xFF]), None);
    }

    #[test]
    fn clean_title_trims_and_folds_tool_indentation() {
        assert_eq!(
            clean_title("\n\t\t\t\tURL Title for Chapter 1"),
            "URL Title for Chapter 1"
        );
        assert_eq!(clean_title("  Intro \0"), "Intro");
        assert_eq!(clean_title("Part one\n\t\tcontinued"), "Part one continued");
        assert_eq!(clean_title("Keeps  double spaces"), "Keeps  double spaces");
        assert_eq!(clean_title(" \n\t "), "");
    }

    #[test]
    fn fill_missing_ends_uses_next_start_and_last_end() {
        let mut list = vec![chapter(0, None), chapter(5, Some(7)), chapter(9, None)];
        fill_missing_ends(&mut list, Some(20));
        let ends: Vec<_> = list.iter().map(|c| c.end_ms).collect();
        assert_eq!(ends, [Some(5), Some(7), Some(20)]);
        let mut backwards = vec![chapter(10, None), chapter(5, None)];
        fill_missing_ends(&mut backwards, Some(3));
        assert_eq!(backwards[0].end_ms, None);
        assert_eq!(backwards[1].end_ms, None);
    }

    #[test]
    fn ticks_to_ms_survives_extreme_values() {
        assert_eq!(ticks_to_ms(3003, 600), Some(5005));
        assert_eq!(ticks_to_ms(1, 0), None);
        assert_eq!(ticks_to_ms(u64::MAX, 1), None);
        assert_eq!(ticks_to_ms(u64::MAX, u64::MAX), Some(1000));
    }

    #[test]
    fn sniff_reads_every_corpus_file_by_its_extension() {
        let Some(files) = corpus_files() else { return };
        for (name, bytes) in &files {
            let kind = sniff(&bytes[..bytes.len().min(64)]);
            let want = match name.rsplit('.').next() {
                Some("mp3") if bytes.is_empty() => None,
                Some("mp3") => Some(AudioKind::Mp3),
                Some("m4a" | "m4b" | "mp4") => Some(AudioKind::Mp4),
                Some("ogg") => Some(AudioKind::OggVorbis),
                Some("opus") => Some(AudioKind::OggOpus),
                _ => continue,
            };
            assert_eq!(kind, want, "{name}");
        }
    }

    // --- the README table, read through every reader ----------------------------------------

    /// One row of `corpus/audio/README.md`: file, chapter count, and the chapters it lists as
    /// (seconds, title) — all of them, or for long lists the first few and the last.
    struct Row {
        file: String,
        count: usize,
        listed: Vec<(f64, String)>,
        elided: bool,
    }

    /// Parses the chapters cell: `none`, `N: 0.000 'A'; 3.000 'B'` or
    /// `N chapters: 0.000 '001'; ... 9.5 '112'`. Titles keep their `\n`/`\t` escapes decoded.
    fn parse_row(line: &str) -> Option<Row> {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let file = cells.get(1)?.to_string();
        let chapters = *cells.get(5)?;
        if !file.contains('/') || !file.contains('.') {
            return None;
        }
        if chapters == "none" {
            return Some(Row {
                file,
                count: 0,
                listed: Vec::new(),
                elided: false,
            });
        }
        let digits: String = chapters.chars().take_while(char::is_ascii_digit).collect();
        let count = digits.parse().ok()?;
        let mut listed = Vec::new();
        let mut rest = chapters[digits.len()..]
            .trim_start_matches(" chapters")
            .trim_start_matches(':');
        while let Some(open) = rest.find('\'') {
            let secs = rest[..open].split_whitespace().last()?.parse().ok()?;
            let close = open + 1 + rest[open + 1..].find('\'')?;
            let title = rest[open + 1..close]
                .replace("\\n", "\n")
                .replace("\\t", "\t");
            listed.push((secs, title));
            rest = &rest[close + 1..];
        }
        Some(Row {
            file,
            count,
            listed,
            elided: chapters.contains("..."),
        })
    }

    /// Reads a file as the engine would stream it: sniff, a 4 KiB head, then what is asked for.
    fn read_like_the_engine(file: &[u8]) -> Result<ReadOutcome, ChapterError> {
        use super::super::{id3, mp4, vorbis};
        let head = &file[..file.len().min(4096)];
        let kind = sniff(head);
        let mut mp4_reader = mp4::Mp4Reader::new(Some(file.len() as u64));
        let mut outcome = match kind {
            None => return Ok(ReadOutcome::Chapters(Vec::new())),
            Some(AudioKind::Mp3) => id3::read(head),
            Some(AudioKind::Mp4) => mp4_reader.read_at(0, head),
            Some(_) => vorbis::read(head),
        };
        for _ in 0..10 {
            outcome = match outcome {
                Ok(ReadOutcome::NeedBytes(n)) if (n as usize) <= file.len() => {
                    let head = &file[..n as usize];
                    if kind == Some(AudioKind::Mp3) {
                        id3::read(head)
                    } else {
                        vorbis::read(head)
                    }
                }
                Ok(ReadOutcome::NeedRange { offset, len }) => {
                    let start = (offset as usize).min(file.len());
                    let end = (offset.saturating_add(len) as usize).min(file.len());
                    mp4_reader.read_at(offset, &file[start..end])
                }
                done => return done,
            };
        }
        panic!("no answer after 10 calls");
    }

    #[test]
    fn every_corpus_file_reads_as_the_readme_table_says() {
        let Some(dir) = shared_dir() else { return };
        let readme =
            std::fs::read_to_string(dir.join("corpus/audio/README.md")).expect("README.md");
        let rows: Vec<Row> = readme.lines().filter_map(parse_row).collect();
        assert!(
            rows.len() >= 27,
            "only {} rows in the README table",
            rows.len()
        );
        for row in &rows {
            let file =
                std::fs::read(dir.join("corpus/audio").join(&row.file)).expect("listed file");
            let outcome = read_like_the_engine(&file);
            if row.count == 0 {
                match outcome {
                    Ok(ReadOutcome::Chapters(list)) => {
                        assert!(list.is_empty(), "{}: {list:?}", row.file)
                    }
                    Ok(ReadOutcome::NeedBytes(n)) => assert!(n > file.len() as u64, "{}", row.file),
                    Ok(other) => panic!("{}: {other:?}", row.file),
                    Err(_) => {}
                }
                continue;
            }
            let got = match outcome {
                Ok(ReadOutcome::Chapters(list)) => list,
                other => panic!("{}: {other:?}", row.file),
            };
            assert_eq!(got.len(), row.count, "{}", row.file);
            let want: Vec<(f64, String)> = row
                .listed
                .iter()
                .map(|(s, t)| (*s, clean_title(t)))
                .collect();
            let pairs: Vec<(f64, &str)> = want.iter().map(|(s, t)| (*s, t.as_str())).collect();
            if row.elided {
                let (last, first) = pairs.split_last().expect("listed chapters");
                assert_starts_and_titles(&got[..first.len()], first);
                assert_starts_and_titles(&got[got.len() - 1..], std::slice::from_ref(last));
            } else {
                assert_starts_and_titles(&got, &pairs);
            }
        }
    }
}
