//! Checks an MP4's sample tables before symphonia reads them.
//!
//! symphonia 0.5's MP4 reader reserves memory for a table from the entry count the file
//! claims (`Vec::with_capacity(entry_count)`), before reading a single entry. A 156-byte file
//! whose `stsc` claims 0xFFFFFFFF entries makes it ask for 64 GiB, and the process aborts: an
//! allocation failure is not a panic, so nothing can catch it. Other fields (a `stsc` first
//! chunk of 0, a `trun` of four billion empty samples) panic or spin. 0.6 rewrote the reader
//! but still sizes its tables from the counts, so upgrading alone would not close this.
//!
//! So before symphonia sees the file, this walks its boxes and checks every table it reads
//! against the bytes that are really there: an entry count times the entry size must fit in
//! the box, and a box must fit in its parent and in the file. A file that fails is damaged, and
//! says why. The walk reads box headers and the `moov`/`moof` boxes only (a few hundred KiB
//! for an hour of audio), never the media data.

use std::io::{self, Read, Seek, SeekFrom};

/// The largest `moov` or `moof` read whole to be checked (an hour of AAC has ~1 MiB of tables).
const MAX_TABLE_BOX: u64 = 64 << 20;
/// Top-level boxes walked at most: a real file has a handful (fragmented ones, a few thousand).
const MAX_TOP_LEVEL_BOXES: usize = 100_000;
/// Nesting followed at most (a real file nests 7 deep).
const MAX_DEPTH: usize = 16;
/// A `trun` without per-sample fields costs nothing per sample to store but symphonia still
/// loops over each; more samples than this in one run is no real file.
const MAX_EMPTY_TRUN_SAMPLES: u64 = 1 << 22;

/// Why an MP4 was refused.
#[derive(Debug, thiserror::Error)]
pub enum Mp4GuardError {
    #[error("the MP4 could not be read")]
    Io(#[from] io::Error),
    #[error("the MP4's `{box_type}` box is malformed: {why}")]
    Malformed { box_type: String, why: String },
}

/// Containers symphonia descends into whose children hold tables.
const CONTAINERS: [&[u8; 4]; 11] = [
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"mvex", b"moof", b"traf", b"udta",
    b"dinf",
];

/// True when `head` (the file's first bytes) looks like an ISO base media file (MP4, M4A, M4B,
/// 3GP): a known box type in the first box header.
pub fn looks_like_mp4(head: &[u8]) -> bool {
    head.get(4..8).is_some_and(|t| {
        matches!(
            t,
            b"ftyp" | b"moov" | b"mdat" | b"free" | b"skip" | b"wide" | b"styp" | b"pdin"
        )
    })
}

/// Walks the top-level boxes of the file in `input` (`len` bytes long when known) from byte
/// `base`, checking `moov` and every `moof`. `whole_file` false stops after `moov` when the file
/// is not fragmented, so a stream is not read to its end just to be checked.
pub fn check<R: Read + Seek>(
    input: &mut R,
    base: u64,
    len: Option<u64>,
    whole_file: bool,
) -> Result<(), Mp4GuardError> {
    let mut at = base;
    let mut fragmented = false;
    for _ in 0..MAX_TOP_LEVEL_BOXES {
        if len.is_some_and(|l| at >= l) {
            return Ok(());
        }
        input.seek(SeekFrom::Start(at))?;
        let Some(header) = read_header(input, len.map(|l| l - at))? else {
            return Ok(()); // the end (or trailing bytes too short for a header)
        };
        let box_type = header.box_type;
        if &box_type == b"moov" || &box_type == b"moof" {
            let body_len = header.size - header.header_len;
            if body_len > MAX_TABLE_BOX {
                return Err(malformed(
                    &box_type,
                    format!("{body_len} bytes is too large"),
                ));
            }
            let mut body = vec![0u8; body_len as usize];
            input.read_exact(&mut body).map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => malformed(&box_type, "it is cut short".into()),
                _ => Mp4GuardError::Io(e),
            })?;
            check_children(&body, 1)?;
            if &box_type == b"moov" {
                fragmented = contains_box(&body, b"mvex");
                if !fragmented && !whole_file {
                    return Ok(());
                }
            }
        }
        if header.to_end {
            return Ok(());
        }
        at = at.saturating_add(header.size);
    }
    if fragmented || whole_file {
        return Err(malformed(b"file", "it has too many boxes".into()));
    }
    Ok(())
}

struct Header {
    box_type: [u8; 4],
    /// The whole box, header included.
    size: u64,
    header_len: u64,
    /// Size 0: the box runs to the end of the file.
    to_end: bool,
}

/// Reads a box header at the reader's position; `None` at the end. `room` bounds the box.
fn read_header<R: Read>(input: &mut R, room: Option<u64>) -> Result<Option<Header>, Mp4GuardError> {
    let mut small = [0u8; 8];
    let got = read_up_to(input, &mut small)?;
    if got < 8 {
        return Ok(None);
    }
    let box_type = [small[4], small[5], small[6], small[7]];
    let size32 = u32::from_be_bytes([small[0], small[1], small[2], small[3]]);
    let (size, header_len, to_end) = match size32 {
        0 => (room.unwrap_or(8).max(8), 8, true),
        1 => {
            let mut large = [0u8; 8];
            if read_up_to(input, &mut large)? < 8 {
                return Err(malformed(&box_type, "its 64-bit size is cut short".into()));
            }
            (u64::from_be_bytes(large), 16, false)
        }
        n => (u64::from(n), 8, false),
    };
    if size < header_len {
        return Err(malformed(&box_type, format!("it claims {size} bytes")));
    }
    if let Some(room) = room {
        if size > room && (&box_type == b"moov" || &box_type == b"moof") {
            return Err(malformed(
                &box_type,
                format!("it claims {size} bytes but {room} are left"),
            ));
        }
    }
    Ok(Some(Header {
        box_type,
        size,
        header_len,
        to_end,
    }))
}

fn read_up_to<R: Read>(input: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A child box: its type and body.
type Child<'a> = ([u8; 4], &'a [u8]);

/// The boxes in `bytes`; an error when one overruns its parent.
fn children(bytes: &[u8]) -> Result<Vec<Child<'_>>, Mp4GuardError> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while rest.len() >= 8 {
        let box_type = [rest[4], rest[5], rest[6], rest[7]];
        let size32 = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as u64;
        let (size, header_len) = match size32 {
            0 => (rest.len() as u64, 8),
            1 => {
                let Some(large) = rest.get(8..16) else {
                    return Err(malformed(&box_type, "its 64-bit size is cut short".into()));
                };
                let mut b = [0u8; 8];
                b.copy_from_slice(large);
                (u64::from_be_bytes(b), 16)
            }
            n => (n, 8),
        };
        if size < header_len || size > rest.len() as u64 {
            return Err(malformed(
                &box_type,
                format!(
                    "it claims {size} bytes but its parent has {} left",
                    rest.len()
                ),
            ));
        }
        let size = size as usize;
        out.push((box_type, &rest[header_len as usize..size]));
        rest = &rest[size..];
    }
    Ok(out)
}

fn contains_box(bytes: &[u8], wanted: &[u8; 4]) -> bool {
    children(bytes).is_ok_and(|c| c.iter().any(|(t, _)| t == wanted))
}

fn check_children(bytes: &[u8], depth: usize) -> Result<(), Mp4GuardError> {
    if depth > MAX_DEPTH {
        return Err(malformed(b"moov", "its boxes nest too deep".into()));
    }
    for (box_type, body) in children(bytes)? {
        if CONTAINERS.contains(&&box_type) {
            check_children(body, depth + 1)?;
        } else if &box_type == b"meta" {
            // A full box (version and flags) holding boxes; some writers leave those 4 bytes
            // out (QuickTime style), so only what parses is followed.
            if let Some(inner) = body.get(4..) {
                if children(inner).is_ok() {
                    check_children(inner, depth + 1)?;
                }
            }
        } else {
            check_table(&box_type, body)?;
        }
    }
    Ok(())
}

/// Checks one leaf box's entry count against its size.
fn check_table(box_type: &[u8; 4], body: &[u8]) -> Result<(), Mp4GuardError> {
    let u32_at = |at: usize| -> Option<u64> {
        let b = body.get(at..at + 4)?;
        Some(u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
    };
    let cut = || malformed(box_type, "it is cut short".into());
    // (offset of the count, bytes before the entries, bytes per entry)
    let (count, entries_at, entry_len): (u64, usize, u64) = match box_type {
        b"stts" | b"ctts" => (u32_at(4).ok_or_else(cut)?, 8, 8),
        b"stsc" => {
            let count = u32_at(4).ok_or_else(cut)?;
            fits(box_type, body, count, 8, 12)?;
            return check_stsc(box_type, &body[8..], count);
        }
        b"stco" | b"stss" => (u32_at(4).ok_or_else(cut)?, 8, 4),
        b"co64" => (u32_at(4).ok_or_else(cut)?, 8, 8),
        b"stsz" => {
            let sample_size = u32_at(4).ok_or_else(cut)?;
            let count = u32_at(8).ok_or_else(cut)?;
            // A fixed size: symphonia stores no table.
            let entry_len = if sample_size == 0 { 4 } else { 0 };
            (count, 12, entry_len)
        }
        b"stz2" => {
            let field_bits = u64::from(*body.get(7).ok_or_else(cut)?);
            if !matches!(field_bits, 4 | 8 | 16) {
                return Err(malformed(
                    box_type,
                    format!("a {field_bits}-bit field size"),
                ));
            }
            let count = u32_at(8).ok_or_else(cut)?;
            let needed = (count * field_bits).div_ceil(8);
            if needed > body.len().saturating_sub(12) as u64 {
                return Err(too_many(box_type, count, body.len()));
            }
            return Ok(());
        }
        b"elst" => {
            let version = *body.first().ok_or_else(cut)?;
            (
                u32_at(4).ok_or_else(cut)?,
                8,
                if version == 1 { 20 } else { 12 },
            )
        }
        b"stsd" => (u32_at(4).ok_or_else(cut)?, 8, 8),
        b"sidx" => {
            let version = *body.first().ok_or_else(cut)?;
            let at = if version == 0 { 22 } else { 30 };
            let b = body.get(at..at + 2).ok_or_else(cut)?;
            (u64::from(u16::from_be_bytes([b[0], b[1]])), at + 2, 12)
        }
        b"trun" => {
            let flags = u32_at(0).ok_or_else(cut)? & 0x00ff_ffff;
            let count = u32_at(4).ok_or_else(cut)?;
            let optional = [0x1, 0x4].iter().filter(|f| flags & *f != 0).count();
            let per_sample = [0x100, 0x200, 0x400, 0x800]
                .iter()
                .filter(|f| flags & *f != 0)
                .count() as u64
                * 4;
            if per_sample == 0 && count > MAX_EMPTY_TRUN_SAMPLES {
                return Err(too_many(box_type, count, body.len()));
            }
            (count, 8 + optional * 4, per_sample)
        }
        _ => return Ok(()),
    };
    fits(box_type, body, count, entries_at, entry_len)
}

fn fits(
    box_type: &[u8; 4],
    body: &[u8],
    count: u64,
    entries_at: usize,
    entry_len: u64,
) -> Result<(), Mp4GuardError> {
    let room = body.len().saturating_sub(entries_at) as u64;
    if body.len() < entries_at || count.saturating_mul(entry_len) > room {
        return Err(too_many(box_type, count, body.len()));
    }
    Ok(())
}

/// symphonia numbers chunks from `first_chunk - 1` and adds up `chunks × samples_per_chunk`
/// in 32 bits, so a 0 or an overflow would panic in it.
fn check_stsc(box_type: &[u8; 4], entries: &[u8], count: u64) -> Result<(), Mp4GuardError> {
    let mut first_sample: u64 = 0;
    let mut previous: Option<(u64, u64)> = None;
    for entry in entries.chunks_exact(12).take(count as usize) {
        let first_chunk = u64::from(u32::from_be_bytes([entry[0], entry[1], entry[2], entry[3]]));
        let per_chunk = u64::from(u32::from_be_bytes([entry[4], entry[5], entry[6], entry[7]]));
        if first_chunk == 0 {
            return Err(malformed(box_type, "a chunk numbered 0".into()));
        }
        if let Some((prev_chunk, prev_per_chunk)) = previous {
            if first_chunk < prev_chunk {
                return Err(malformed(box_type, "chunks out of order".into()));
            }
            first_sample += (first_chunk - prev_chunk) * prev_per_chunk;
            if first_sample > u64::from(u32::MAX) {
                return Err(malformed(box_type, "more than 2^32 samples".into()));
            }
        }
        previous = Some((first_chunk, per_chunk));
    }
    Ok(())
}

fn too_many(box_type: &[u8; 4], count: u64, body_len: usize) -> Mp4GuardError {
    malformed(
        box_type,
        format!("it claims {count} entries in {body_len} bytes"),
    )
}

fn malformed(box_type: &[u8], why: String) -> Mp4GuardError {
    Mp4GuardError::Malformed {
        box_type: String::from_utf8_lossy(box_type).into_owned(),
        why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn bx(box_type: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(box_type);
        out.extend_from_slice(body);
        out
    }

    fn full(box_type: &[u8; 4], flags: u32, rest: &[u8]) -> Vec<u8> {
        let mut body = flags.to_be_bytes().to_vec();
        body.extend_from_slice(rest);
        bx(box_type, &body)
    }

    /// ftyp + moov/trak/mdia/minf/stbl holding `tables`.
    fn file_with(tables: &[Vec<u8>]) -> Vec<u8> {
        let stbl = bx(b"stbl", &tables.concat());
        let minf = bx(b"minf", &stbl);
        let mdia = bx(b"mdia", &minf);
        let trak = bx(b"trak", &mdia);
        let moov = bx(b"moov", &trak);
        let mut file = bx(b"ftyp", b"M4A \0\0\0\0M4A isom");
        file.extend(moov);
        file.extend(bx(b"mdat", &[0u8; 32]));
        file
    }

    fn stsc(entries: &[(u32, u32)], claimed: u32) -> Vec<u8> {
        let mut rest = claimed.to_be_bytes().to_vec();
        for (first_chunk, per_chunk) in entries {
            rest.extend(first_chunk.to_be_bytes());
            rest.extend(per_chunk.to_be_bytes());
            rest.extend(1u32.to_be_bytes());
        }
        full(b"stsc", 0, &rest)
    }

    fn run(file: &[u8]) -> Result<(), Mp4GuardError> {
        check(&mut Cursor::new(file), 0, Some(file.len() as u64), true)
    }

    #[test]
    fn sound_tables_pass() {
        let stts = full(b"stts", 0, &[0, 0, 0, 1, 0, 0, 0, 10, 0, 0, 4, 0]);
        let file = file_with(&[stsc(&[(1, 5), (3, 2)], 2), stts]);
        run(&file).expect("a sound file passes");
        assert!(looks_like_mp4(&file));
    }

    #[test]
    fn a_huge_stsc_count_is_refused_before_any_allocation() {
        for claimed in [0xFFFF_FFFF, 0x0FFF_FFFF, 2] {
            let file = file_with(&[stsc(&[(1, 5)], claimed)]);
            let err = run(&file).expect_err("refused");
            assert!(err.to_string().contains("stsc"), "{err}");
        }
    }

    #[test]
    fn stsc_values_that_panic_symphonia_are_refused() {
        assert!(run(&file_with(&[stsc(&[(0, 5)], 1)])).is_err());
        assert!(run(&file_with(&[stsc(&[(5, 5), (2, 1)], 2)])).is_err());
        assert!(run(&file_with(&[stsc(&[(1, 0xFFFF_FFFF), (3, 1)], 2)])).is_err());
    }

    #[test]
    fn every_table_is_bounded_by_its_box() {
        let big = 0x1000_0000u32.to_be_bytes();
        for table in [
            full(b"stts", 0, &big),
            full(b"ctts", 0, &big),
            full(b"stco", 0, &big),
            full(b"co64", 0, &big),
            full(b"stss", 0, &big),
            full(b"stsd", 0, &big),
            full(b"stsz", 0, &[0, 0, 0, 0, 0x10, 0, 0, 0]),
            full(b"elst", 0, &big),
            full(b"trun", 0x100, &big),
            full(b"trun", 0, &big),
        ] {
            let err = run(&file_with(std::slice::from_ref(&table))).expect_err("refused");
            assert!(err.to_string().contains("entries"), "{err}");
        }
        // A fixed sample size needs no table.
        run(&file_with(&[full(
            b"stsz",
            0,
            &[0, 0, 1, 0, 0x10, 0, 0, 0],
        )]))
        .expect("fixed size");
    }

    #[test]
    fn boxes_overrunning_their_parent_or_the_file_are_refused() {
        let mut file = file_with(&[stsc(&[(1, 5)], 1)]);
        // Grow the moov's declared size past the end of the file.
        let moov_at = 24;
        assert_eq!(&file[moov_at + 4..moov_at + 8], b"moov");
        file[moov_at..moov_at + 4].copy_from_slice(&0x7fff_0000u32.to_be_bytes());
        assert!(run(&file).is_err());
        let mut inner = file_with(&[stsc(&[(1, 5)], 1)]);
        let trak_at = moov_at + 8;
        inner[trak_at..trak_at + 4].copy_from_slice(&0x7fffu32.to_be_bytes());
        assert!(run(&inner).is_err());
    }

    #[test]
    fn a_stream_stops_after_an_unfragmented_moov() {
        let mut file = file_with(&[stsc(&[(1, 5)], 1)]);
        // Junk after the moov that a full walk would refuse.
        file.extend(bx(
            b"moof",
            &full(b"trun", 0, &0xFFFF_FFFFu32.to_be_bytes()),
        ));
        check(&mut Cursor::new(&file), 0, Some(file.len() as u64), false).expect("stops early");
        assert!(run(&file).is_err(), "a file is walked to its end");
    }
}
