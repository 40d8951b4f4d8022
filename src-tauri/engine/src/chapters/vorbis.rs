//! Chapters from the Vorbis comment header of Ogg Vorbis and Ogg Opus files, in the
//! `CHAPTERxxx=HH:MM:SS.mmm`, `CHAPTERxxxNAME=…`, `CHAPTERxxxURL=…` convention.
//!
//! API: [`read`]`(head: &[u8]) -> Result<ReadOutcome, ChapterError>`, `head` being the first
//! bytes of the file.
//! - The Ogg pages are read up to the end of the comment packet (the second packet of the first
//!   Vorbis or Opus logical stream; other streams' pages are skipped). The packet may span many
//!   pages (cover art in `METADATA_BLOCK_PICTURE` makes it large). When `head` ends before the
//!   packet does, the answer is [`ReadOutcome::NeedBytes`]`(n)`: call again with at least the
//!   first `n` bytes. `n` is estimated from the page and comment lengths already seen, so a
//!   large packet takes one or two more calls, not one per page. When `head` was already the
//!   whole file, the file is truncated.
//! - A packet or need above 16 MiB is [`ChapterError::Corrupt`]; bytes that are not an Ogg
//!   Vorbis/Opus stream are [`ChapterError::WrongFormat`]. Page checksums are not verified.
//!
//! Keys are matched without regard to case; the number may have any count of digits. Times are
//! `[[H:]M:]S[.fraction]`; chapters without a valid time are dropped. Chapters are sorted by
//! start (then number); a chapter ends where the next begins, and the last has no end. The
//! comment header has no per-chapter images, so `has_image` is always false.

use std::collections::BTreeMap;

use super::embedded::{clean_title, fill_missing_ends, ChapterError, EmbeddedChapter, ReadOutcome};

const CONTAINER: &str = "Ogg";
/// Largest comment packet, and largest head asked for.
const MAX_BYTES: u64 = 16 << 20;
const PAGE_HEADER_LEN: usize = 27;
/// Largest page header (27 bytes and 255 lacing values).
const MAX_PAGE_HEADER: u64 = 27 + 255;
/// Page payload assumed when estimating page overhead (libogg flushes header pages at 4 KiB).
const TYPICAL_PAGE_PAYLOAD: u64 = 4096;

/// Reads the chapters of the Vorbis comment header at the start of `head`. See the module docs.
pub fn read(head: &[u8]) -> Result<ReadOutcome, ChapterError> {
    if !head.starts_with(b"OggS") {
        return if b"OggS".starts_with(head) {
            Ok(ReadOutcome::NeedBytes(MAX_PAGE_HEADER))
        } else {
            Err(ChapterError::WrongFormat {
                expected: "Ogg Vorbis or Opus",
            })
        };
    }
    let mut stream: Option<Stream> = None;
    let mut packet: Vec<u8> = Vec::new();
    let mut packets_done = 0usize;
    let mut pos = 0usize;
    loop {
        let page = match Page::parse(head, pos)? {
            Ok(page) => page,
            Err(need) => return need_more(need, stream, &packet, packets_done),
        };
        let body = head.get(page.body_start..page.body_end);
        match stream {
            None => {
                // Looking for the first Vorbis/Opus stream among the opening (BOS) pages.
                if !page.bos {
                    return Err(ChapterError::WrongFormat {
                        expected: "Ogg Vorbis or Opus",
                    });
                }
                let Some(body) = body else {
                    return need_more(page.body_end as u64, stream, &packet, packets_done);
                };
                stream = Stream::from_ident(page.serial, body);
                if stream.is_some() {
                    packets_done = 1; // the identification header is alone on its page
                }
            }
            Some(s) if s.serial == page.serial => {
                let Some(body) = body else {
                    // Count the segments this page will bring, to estimate the need.
                    let incoming = page.lacing.iter().map(|&l| u64::from(l)).sum::<u64>();
                    let have = packet.len() as u64 + incoming;
                    return need_more_with(page.body_end as u64, s, &packet, have);
                };
                let mut at = 0usize;
                for &lace in page.lacing {
                    let seg = body.get(at..at + usize::from(lace)).unwrap_or_default();
                    at += usize::from(lace);
                    if packets_done >= 2 {
                        break;
                    }
                    packet.extend_from_slice(seg);
                    if packet.len() as u64 > MAX_BYTES {
                        return Err(corrupt("comment header larger than 16 MiB"));
                    }
                    if lace < 255 {
                        packets_done += 1;
                        if packets_done == 2 {
                            return comments_to_chapters(s, &packet);
                        }
                        packet.clear();
                    }
                }
            }
            Some(_) => {}
        }
        pos = page.body_end;
    }
}

fn corrupt(detail: impl Into<String>) -> ChapterError {
    ChapterError::Corrupt {
        container: CONTAINER,
        detail: detail.into(),
    }
}

/// The logical stream being read.
#[derive(Debug, Clone, Copy)]
struct Stream {
    serial: u32,
    opus: bool,
}

impl Stream {
    fn from_ident(serial: u32, packet: &[u8]) -> Option<Stream> {
        if packet.starts_with(b"OpusHead") {
            Some(Stream { serial, opus: true })
        } else if packet.starts_with(b"\x01vorbis") {
            Some(Stream {
                serial,
                opus: false,
            })
        } else {
            None
        }
    }

    /// The comment packet's signature.
    fn magic(self) -> &'static [u8] {
        if self.opus {
            b"OpusTags"
        } else {
            b"\x03vorbis"
        }
    }
}

/// An Ogg page header.
struct Page<'a> {
    bos: bool,
    serial: u32,
    lacing: &'a [u8],
    body_start: usize,
    body_end: usize,
}

impl<'a> Page<'a> {
    /// The page at `pos`; `Ok(Err(n))` when its header needs the first `n` bytes.
    fn parse(head: &'a [u8], pos: usize) -> Result<Result<Page<'a>, u64>, ChapterError> {
        let Some(header) = head.get(pos..pos + PAGE_HEADER_LEN) else {
            return Ok(Err(pos as u64 + MAX_PAGE_HEADER));
        };
        if &header[..4] != b"OggS" || header[4] != 0 {
            return Err(corrupt(format!("no Ogg page at byte {pos}")));
        }
        let segments = usize::from(header[26]);
        let body_start = pos + PAGE_HEADER_LEN + segments;
        let Some(lacing) = head.get(pos + PAGE_HEADER_LEN..body_start) else {
            return Ok(Err(body_start as u64));
        };
        let body_len: usize = lacing.iter().map(|&l| usize::from(l)).sum();
        Ok(Ok(Page {
            bos: header[5] & 0x02 != 0,
            serial: u32::from_le_bytes([header[14], header[15], header[16], header[17]]),
            lacing,
            body_start,
            body_end: body_start + body_len,
        }))
    }
}

/// `NeedBytes` when the head ends at or before `known_need`, with the comment packet so far.
fn need_more(
    known_need: u64,
    stream: Option<Stream>,
    packet: &[u8],
    packets_done: usize,
) -> Result<ReadOutcome, ChapterError> {
    match stream {
        Some(s) if packets_done == 1 => need_more_with(known_need, s, packet, packet.len() as u64),
        // Before the comment packet starts: ask for a typical header page too.
        _ => cap(known_need.saturating_add(TYPICAL_PAGE_PAYLOAD + MAX_PAGE_HEADER)),
    }
}

/// `known_need`: bytes the current page needs; `have`: bytes of the comment packet that the
/// head holds or the current page will bring. Adds what the packet's own lengths say is still
/// missing, with room for page headers.
fn need_more_with(
    known_need: u64,
    stream: Stream,
    packet: &[u8],
    have: u64,
) -> Result<ReadOutcome, ChapterError> {
    let missing = min_comment_len(stream, packet).saturating_sub(have);
    let pages = missing.div_ceil(TYPICAL_PAGE_PAYLOAD);
    let need = known_need
        .saturating_add(missing)
        .saturating_add(pages.saturating_mul(MAX_PAGE_HEADER));
    cap(need)
}

fn cap(need: u64) -> Result<ReadOutcome, ChapterError> {
    if need > MAX_BYTES {
        Err(corrupt("comment header larger than 16 MiB"))
    } else {
        Ok(ReadOutcome::NeedBytes(need))
    }
}

/// The least length the comment packet can have, judging by the lengths in its first bytes.
fn min_comment_len(stream: Stream, packet: &[u8]) -> u64 {
    let le_u32 = |at: u64| -> Option<u64> {
        let at = usize::try_from(at).ok()?;
        let b = packet.get(at..at.checked_add(4)?)?;
        Some(u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
    };
    let mut pos = stream.magic().len() as u64;
    let Some(vendor_len) = le_u32(pos) else {
        return pos + 8;
    };
    pos += 4 + vendor_len;
    let Some(count) = le_u32(pos) else {
        return pos + 4;
    };
    pos += 4;
    let mut left = count;
    while left > 0 {
        let Some(len) = le_u32(pos) else {
            return pos.saturating_add(left.saturating_mul(4));
        };
        pos = pos.saturating_add(4 + len);
        left -= 1;
        if pos > packet.len() as u64 {
            return pos.saturating_add(left.saturating_mul(4));
        }
    }
    pos
}

/// Parses a complete comment packet into chapters.
fn comments_to_chapters(stream: Stream, packet: &[u8]) -> Result<ReadOutcome, ChapterError> {
    let data = packet
        .strip_prefix(stream.magic())
        .ok_or_else(|| corrupt("the second packet is not a comment header"))?;
    let mut fields: BTreeMap<u64, Fields> = BTreeMap::new();
    for comment in comments(data) {
        let Some(eq) = comment.iter().position(|&b| b == b'=') else {
            continue;
        };
        let (key, value) = (&comment[..eq], &comment[eq + 1..]);
        let Some((number, part)) = chapter_key(key) else {
            continue;
        };
        let value = String::from_utf8_lossy(value);
        let entry = fields.entry(number).or_default();
        match part {
            Part::Time => entry.start_ms = entry.start_ms.or_else(|| parse_time(&value)),
            Part::Name => entry.title = entry.title.take().or_else(|| Some(clean_title(&value))),
            Part::Url => {
                let url = value.trim();
                if entry.url.is_none() && !url.is_empty() {
                    entry.url = Some(url.to_string());
                }
            }
        }
    }
    let mut chapters: Vec<EmbeddedChapter> = fields
        .into_values()
        .filter_map(|f| {
            Some(EmbeddedChapter {
                start_ms: f.start_ms?,
                end_ms: None,
                title: f.title.unwrap_or_default(),
                url: f.url,
                has_image: false,
            })
        })
        .collect();
    chapters.sort_by_key(|c| c.start_ms);
    fill_missing_ends(&mut chapters, None);
    Ok(ReadOutcome::Chapters(chapters))
}

#[derive(Default)]
struct Fields {
    start_ms: Option<u64>,
    title: Option<String>,
    url: Option<String>,
}

enum Part {
    Time,
    Name,
    Url,
}

/// The comments of a comment header (after its signature): vendor, count, then length-prefixed
/// comments. Stops at the first length that overruns the packet.
fn comments(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let take = |rest: &mut &[u8]| -> Option<u32> {
        let (len, tail) = rest.split_first_chunk::<4>()?;
        *rest = tail;
        Some(u32::from_le_bytes(*len))
    };
    let mut rest = data;
    let count = take(&mut rest)
        .and_then(|vendor_len| {
            rest = rest.get(usize::try_from(vendor_len).ok()?..)?;
            take(&mut rest)
        })
        .unwrap_or(0);
    (0..count).map_while(move |_| {
        let len = usize::try_from(take(&mut rest)?).ok()?;
        let comment = rest.get(..len)?;
        rest = &rest[len..];
        Some(comment)
    })
}

/// `CHAPTER<digits>`, `CHAPTER<digits>NAME`, `CHAPTER<digits>URL`, any case.
fn chapter_key(key: &[u8]) -> Option<(u64, Part)> {
    let prefix = key.get(..7)?;
    if !prefix.eq_ignore_ascii_case(b"CHAPTER") {
        return None;
    }
    let rest = &key[7..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let number = rest[..digits]
        .iter()
        .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
    let suffix = &rest[digits..];
    let part = if suffix.is_empty() {
        Part::Time
    } else if suffix.eq_ignore_ascii_case(b"NAME") {
        Part::Name
    } else if suffix.eq_ignore_ascii_case(b"URL") {
        Part::Url
    } else {
        return None;
    };
    Some((number, part))
}

/// `[[H:]M:]S[.fraction]` (`,` also separates the fraction) to milliseconds.
fn parse_time(value: &str) -> Option<u64> {
    let value = value.trim();
    let (clock, fraction) = match value.find(['.', ',']) {
        Some(i) => (&value[..i], &value[i + 1..]),
        None => (value, ""),
    };
    let fields: Vec<&str> = clock.split(':').collect();
    if fields.len() > 3 || fraction.len() > 9 {
        return None;
    }
    let number = |s: &str| -> Option<u64> {
        if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let mut seconds: u64 = 0;
    for field in &fields {
        seconds = seconds.checked_mul(60)?.checked_add(number(field)?)?;
    }
    let millis = if fraction.is_empty() {
        0
    } else {
        let digits: String = fraction.chars().chain("000".chars()).take(3).collect();
        number(&digits)?
    };
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    seconds.checked_mul(1000)?.checked_add(millis)
}

#[cfg(test)]
mod tests {
    use super::super::embedded::test_support::*;
    use super::*;

    // --- fixture builders --------------------------------------------------------------------

    fn ident(opus: bool) -> Vec<u8> {
        if opus {
            b"OpusHead\x01\x02\x38\x01\x80\xbb\0\0\0\0\0".to_vec()
        } else {
            let mut p = b"\x01vorbis".to_vec();
            p.extend([0; 22]);
            p.push(1);
            p
        }
    }

    fn comment_packet(opus: bool, comments: &[&str]) -> Vec<u8> {
        let mut p = if opus {
            b"OpusTags".to_vec()
        } else {
            b"\x03vorbis".to_vec()
        };
        let vendor = b"test vendor";
        p.extend((vendor.len() as u32).to_le_bytes());
        p.extend_from_slice(vendor);
        p.extend((comments.len() as u32).to_le_bytes());
        for c in comments {
            p.extend((c.len() as u32).to_le_bytes());
            p.extend_from_slice(c.as_bytes());
        }
        if !opus {
            p.push(1); // framing bit
        }
        p
    }

    /// One Ogg page (checksum left zero: the reader does not check it).
    fn page(serial: u32, seq: u32, flags: u8, lacing: &[u8], body: &[u8]) -> Vec<u8> {
        let mut out = b"OggS\0".to_vec();
        out.push(flags);
        out.extend(0u64.to_le_bytes());
        out.extend(serial.to_le_bytes());
        out.extend(seq.to_le_bytes());
        out.extend([0; 4]);
        out.push(lacing.len() as u8);
        out.extend_from_slice(lacing);
        out.extend_from_slice(body);
        out
    }

    /// Pages for `packets` of one stream: the first alone on a BOS page, the rest laced into
    /// pages of at most `max_body` bytes (a multiple of 255), continued across pages as needed.
    fn ogg_stream(serial: u32, packets: &[Vec<u8>], max_body: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut seq = 0;
        let laces = |packet: &[u8]| {
            let mut l = vec![255u8; packet.len() / 255];
            l.push((packet.len() % 255) as u8);
            l
        };
        let first = &packets[0];
        out.extend(page(serial, seq, 0x02, &laces(first), first));
        seq += 1;
        let mut segments: Vec<(u8, Vec<u8>)> = Vec::new();
        for packet in &packets[1..] {
            let mut at = 0;
            for lace in laces(packet) {
                segments.push((lace, packet[at..at + usize::from(lace)].to_vec()));
                at += usize::from(lace);
            }
        }
        let mut continued = false;
        let mut rest = segments.as_slice();
        while !rest.is_empty() {
            let mut take = 0;
            let mut size = 0;
            while take < rest.len() && take < 255 && size + usize::from(rest[take].0) <= max_body {
                size += usize::from(rest[take].0);
                take += 1;
            }
            let take = take.max(1);
            let (now, later) = rest.split_at(take);
            let lacing: Vec<u8> = now.iter().map(|s| s.0).collect();
            let body: Vec<u8> = now.iter().flat_map(|s| s.1.clone()).collect();
            out.extend(page(
                serial,
                seq,
                if continued { 0x01 } else { 0 },
                &lacing,
                &body,
            ));
            seq += 1;
            continued = lacing.last() == Some(&255);
            rest = later;
        }
        out
    }

    /// A file: identification, comment and a fake setup/audio packet.
    fn ogg_file(opus: bool, comments: &[&str], max_body: usize) -> Vec<u8> {
        let packets = [
            ident(opus),
            comment_packet(opus, comments),
            vec![0x55; 3000],
        ];
        ogg_stream(0x1234, &packets, max_body)
    }

    const CHAPTERS: [&str; 7] = [
        "TITLE=Episode",
        "CHAPTER002=00:00:03.000",
        "CHAPTER002NAME=Second",
        "CHAPTER001=00:00:00.000",
        "CHAPTER001NAME=\n\t\tFirst",
        "CHAPTER001URL=https://example.com/1",
        "chapter003=0:01:02.5",
    ];

    fn read_chapters(bytes: &[u8]) -> Vec<EmbeddedChapter> {
        chapters(read(bytes).expect("readable"))
    }

    /// Calls `read` with the first 4 KiB, then as many bytes as asked for, until it answers.
    fn streamed(file: &[u8]) -> (Result<ReadOutcome, ChapterError>, usize) {
        let mut len = 4096.min(file.len());
        for calls in 1..50 {
            match read(&file[..len]) {
                Ok(ReadOutcome::NeedBytes(n)) if (n as usize) > len && len < file.len() => {
                    len = (n as usize).min(file.len());
                }
                outcome => return (outcome, calls),
            }
        }
        panic!("no answer after 50 calls");
    }

    // --- hand-built streams ------------------------------------------------------------------

    #[test]
    fn reads_chapter_comments_from_vorbis_and_opus() {
        for opus in [false, true] {
            let got = read_chapters(&ogg_file(opus, &CHAPTERS, 4080));
            let summary: Vec<_> = got
                .iter()
                .map(|c| (c.start_ms, c.end_ms, c.title.as_str()))
                .collect();
            assert_eq!(
                summary,
                [
                    (0, Some(3000), "First"),
                    (3000, Some(62_500), "Second"),
                    (62_500, None, "")
                ],
                "opus: {opus}"
            );
            assert_eq!(got[0].url.as_deref(), Some("https://example.com/1"));
            assert!(got.iter().all(|c| !c.has_image));
        }
    }

    #[test]
    fn comment_packet_spanning_many_pages_is_assembled() {
        let picture = format!("METADATA_BLOCK_PICTURE={}", "A".repeat(50_000));
        let mut comments = vec![picture.as_str()];
        comments.extend(CHAPTERS);
        let file = ogg_file(false, &comments, 255 * 16);
        assert_eq!(read_chapters(&file).len(), 3);
    }

    #[test]
    fn short_head_asks_for_more_and_few_calls_reach_a_large_packet() {
        let picture = format!("METADATA_BLOCK_PICTURE={}", "B".repeat(200_000));
        let mut comments = vec![picture.as_str()];
        comments.extend(CHAPTERS);
        for max_body in [255 * 16, 255 * 255] {
            let file = ogg_file(true, &comments, max_body);
            let (outcome, calls) = streamed(&file);
            assert_eq!(chapters(outcome.unwrap()).len(), 3);
            assert!(calls <= 3, "{calls} calls with pages of {max_body} bytes");
        }
    }

    #[test]
    fn every_prefix_asks_for_more_than_it_has() {
        let file = ogg_file(false, &CHAPTERS, 255);
        let whole = read_chapters(&file);
        for len in 0..file.len() {
            match read(&file[..len]) {
                Ok(ReadOutcome::NeedBytes(n)) => {
                    assert!(n > len as u64, "prefix {len}: NeedBytes({n})")
                }
                Ok(ReadOutcome::Chapters(got)) => assert_eq!(got, whole, "prefix {len}"),
                other => panic!("prefix {len}: {other:?}"),
            }
        }
    }

    #[test]
    fn comment_header_over_16_mib_is_corrupt() {
        // A comment claiming 20 MB: the need estimate passes the cap.
        let mut packet = comment_packet(false, &[]);
        packet.truncate(packet.len() - 5); // drop count and framing bit
        packet.extend(1u32.to_le_bytes());
        packet.extend(20_000_000u32.to_le_bytes());
        packet.extend([b'x'; 5000]);
        let file = ogg_stream(1, &[ident(false), packet], 255 * 4);
        assert!(matches!(
            read(&file[..3000]),
            Err(ChapterError::Corrupt { .. })
        ));
        // Complete but inconsistent, the packet gives what it holds: no chapters.
        assert_eq!(read(&file).unwrap(), ReadOutcome::Chapters(vec![]));
    }

    #[test]
    fn other_logical_streams_are_skipped() {
        let theora_ident = b"\x80theora-ident".to_vec();
        let theora_bos_len = 27 + 1 + theora_ident.len();
        let theora = ogg_stream(7, &[theora_ident, b"\x81theora-comment".to_vec()], 4080);
        let vorbis = ogg_file(false, &CHAPTERS, 4080);
        // Theora's BOS page first, then Vorbis's, then Theora's comment page between.
        let vorbis_bos_len = 27 + 1 + ident(false).len();
        let file = [
            &theora[..theora_bos_len],
            &vorbis[..vorbis_bos_len],
            &theora[theora_bos_len..],
            &vorbis[vorbis_bos_len..],
        ]
        .concat();
        assert_eq!(read_chapters(&file).len(), 3);
    }

    #[test]
    fn non_vorbis_ogg_and_other_bytes_are_wrong_format() {
        let flac = ogg_stream(3, &[b"\x7fFLAC\x01\x00".to_vec(), vec![0; 10]], 4080);
        assert!(matches!(read(&flac), Err(ChapterError::WrongFormat { .. })));
        assert!(matches!(
            read(b"ID3\x03"),
            Err(ChapterError::WrongFormat { .. })
        ));
        assert_eq!(read(b"").unwrap(), ReadOutcome::NeedBytes(MAX_PAGE_HEADER));
        let mut bad = ogg_file(false, &CHAPTERS, 4080);
        bad[60..64].copy_from_slice(b"junk");
        assert!(matches!(read(&bad), Err(ChapterError::Corrupt { .. })));
    }

    #[test]
    fn file_without_chapters_gives_none() {
        let file = ogg_file(
            true,
            &["TITLE=x", "DESCRIPTION=Summary", "CHAPTERS=no"],
            4080,
        );
        assert_eq!(read_chapters(&file), vec![]);
    }

    #[test]
    fn keys_and_times_in_other_shapes() {
        let got = read_chapters(&ogg_file(
            false,
            &[
                "Chapter1=1:00:00",
                "chapter1name=Hour",
                "CHAPTER0002=05:30,25",
                "CHAPTER0002Name= Comma ",
                "CHAPTER3=bad",
                "CHAPTER3NAME=Dropped",
                "CHAPTER4NAME=No time",
                "CHAPTER5=12",
                "CHAPTER5URL=",
                "CHAPTER99999999999=00:00:01",
                "CHAPTERX=00:00:02",
            ],
            4080,
        ));
        let summary: Vec<_> = got
            .iter()
            .map(|c| (c.start_ms, c.title.as_str(), c.url.is_some()))
            .collect();
        assert_eq!(
            summary,
            [
                (12_000, "", false),
                (330_250, "Comma", false),
                (3_600_000, "Hour", false)
            ]
        );
    }

    #[test]
    fn parse_time_reads_clock_shapes() {
        assert_eq!(parse_time("00:00:03.000"), Some(3000));
        assert_eq!(parse_time("01:02:03.4"), Some(3_723_400));
        assert_eq!(parse_time("2:03"), Some(123_000));
        assert_eq!(parse_time("7.123456"), Some(7123));
        assert_eq!(parse_time("1:2:3:4"), None);
        assert_eq!(parse_time("00:00:0x"), None);
        assert_eq!(parse_time("00:00:01.5a"), None);
        assert_eq!(parse_time(""), None);
        assert_eq!(
            parse_time("999999999999:99:99"),
            Some(3_600_000_000_002_439_000)
        );
        assert_eq!(parse_time("9999999999999:00"), None);
    }

    #[test]
    fn random_garbage_never_panics() {
        let mut rng = XorShift(0xDEAD_BEEF_CAFE_F00D);
        for round in 0..3000 {
            let len = (rng.next_u64() % 500) as usize;
            let mut bytes = rng.bytes(len);
            if round % 2 == 0 && bytes.len() >= 6 {
                bytes[..6].copy_from_slice(b"OggS\0\x02");
            }
            let _ = read(&bytes);
        }
    }

    #[test]
    fn mutated_valid_streams_never_panic() {
        let base = ogg_file(false, &CHAPTERS, 255);
        let mut rng = XorShift(99);
        for _ in 0..3000 {
            let mut file = base.clone();
            for _ in 0..1 + rng.next_u64() % 4 {
                let at = (rng.next_u64() % file.len() as u64) as usize;
                file[at] = rng.next_u64() as u8;
            }
            let _ = read(&file);
        }
    }

    // --- the shared corpus -------------------------------------------------------------------

    #[test]
    fn auphonic_ogg_and_opus_give_four_chapters_with_links() {
        for rel in ["antennapod/auphonic.ogg", "antennapod/auphonic.opus"] {
            let Some(file) = corpus_file(rel) else { return };
            let got = read_chapters(&file);
            assert_starts_and_titles(&got, &AUPHONIC);
            assert!(
                got.iter()
                    .all(|c| c.url.as_deref() == Some("https://example.com")),
                "{rel}"
            );
            assert_eq!(got[0].end_ms, Some(3000));
        }
    }

    #[test]
    fn other_corpus_files_give_no_chapters_or_a_clean_error() {
        let Some(files) = corpus_files() else { return };
        for (name, file) in &files {
            if name.ends_with("auphonic.ogg") || name.ends_with("auphonic.opus") {
                continue;
            }
            match read(file) {
                Ok(ReadOutcome::Chapters(list)) => assert!(list.is_empty(), "{name}: {list:?}"),
                Ok(ReadOutcome::NeedBytes(n)) => {
                    assert!(n > file.len() as u64, "{name}: NeedBytes({n})")
                }
                Ok(other) => panic!("{name}: {other:?}"),
                Err(_) => {}
            }
        }
    }

    #[test]
    fn corpus_prefixes_never_panic() {
        for rel in [
            "antennapod/auphonic.ogg",
            "antennapod/auphonic.opus",
            "antennapod/opus-comment.opus",
        ] {
            let Some(file) = corpus_file(rel) else { return };
            for len in prefix_lengths(file.len()) {
                match read(&file[..len]) {
                    Ok(ReadOutcome::NeedBytes(n)) => assert!(n > len as u64, "{rel}[..{len}]"),
                    Ok(ReadOutcome::Chapters(_)) | Err(_) => {}
                    Ok(other) => panic!("{rel}[..{len}]: {other:?}"),
                }
            }
            let (outcome, calls) = streamed(&file);
            assert!(
                outcome.is_ok() && calls <= 3,
                "{rel}: {outcome:?} after {calls} calls"
            );
        }
    }
}
