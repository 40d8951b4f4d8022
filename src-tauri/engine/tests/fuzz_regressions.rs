//! Replays the inputs in `tests/fuzz_regressions/` that once crashed, hung or exhausted the
//! memory of a fuzz target (`fuzz/`, run by `scripts/fuzz.sh`). Each file is named
//! `<target>-<short-name>.bin` and goes through exactly the calls of that target: the harness
//! in `fuzz/src/lib.rs` is compiled in here. Every call must return; the harness bounds its
//! own read loops (`MAX_READS`), so a hang shows up as a test that never ends.

use std::path::Path;

#[path = "../../../fuzz/src/lib.rs"]
mod harness;

#[test]
fn saved_fuzz_inputs_no_longer_fail() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "bin"))
        .collect();
    files.sort();
    for path in &files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let run = harness::TARGETS
            .iter()
            .find(|(target, _)| {
                name.strip_prefix(target)
                    .is_some_and(|rest| rest.starts_with('-'))
            })
            .map(|(_, run)| run)
            .unwrap_or_else(|| panic!("{name}: no fuzz target matches the file name prefix"));
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        eprintln!("replaying {name} ({} bytes)", data.len());
        run(&data);
    }
    eprintln!("{} saved fuzz inputs replayed", files.len());
}

/// The hand-written hostile feeds that seed the feed target (`fuzz/seeds/feed/`) go through
/// its calls and return, so a seed that breaks the parser fails here without a fuzzing run.
#[test]
fn hand_written_feed_seeds_return() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/feed");
    let mut seeds = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        harness::feed(&data);
        seeds += 1;
    }
    assert!(seeds > 0, "no seeds in {}", dir.display());
}

/// The harness itself works in this test build: every target takes the inputs fuzzers start
/// from and the edge cases that break hand-written parsers, and returns. (Until a crasher is
/// saved, this is what keeps the test above from passing by having nothing to do.)
#[test]
fn every_target_returns_on_edge_cases() {
    let mut deep = String::from("<rss><channel><item>");
    deep.push_str(&"<a>".repeat(10_000));
    let inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        vec![0],
        vec![0xFF; 4096],
        b"\xEF\xBB\xBF".to_vec(),
        b"\xFF\xFE<\x00r\x00".to_vec(),
        b"<".to_vec(),
        deep.into_bytes(),
        b"ID3\x04\x00\x00\x7F\x7F\x7F\x7F".to_vec(),
        b"\x00\x00\x00\x08ftyp\x00\x00\x00\xFFmoov".to_vec(),
        b"OggS\x00\x02".to_vec(),
        b"{\"version\":\"1.2.0\",\"chapters\":[{\"startTime\":1e308}]}".to_vec(),
        b"99999999999:59:59|x\n-1|y\n".to_vec(),
        "Intro 0:06 Who is Steve? 1:49 \u{0}\u{202E} 99:99:99"
            .as_bytes()
            .to_vec(),
    ];
    for (name, run) in harness::TARGETS {
        for input in &inputs {
            run(input);
        }
        eprintln!("{name}: {} edge cases returned", inputs.len());
    }
}

mod common;

/// An MP4 box.
fn mp4_box(box_type: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(box_type);
    out.extend_from_slice(body);
    out
}

/// A small M4A whose `stsc` (the first table symphonia reads) claims `entry_count` entries but
/// holds one. symphonia 0.5 reserves `entry_count × 16` bytes before reading any.
fn m4a_with_stsc_count(entry_count: u32) -> Vec<u8> {
    let mut stsc = vec![0, 0, 0, 0];
    stsc.extend(entry_count.to_be_bytes());
    stsc.extend([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    let mut stts = vec![0, 0, 0, 0, 0, 0, 0, 1];
    stts.extend([0, 0, 0, 1, 0, 0, 4, 0]);
    let stbl = mp4_box(
        b"stbl",
        &[mp4_box(b"stsc", &stsc), mp4_box(b"stts", &stts)].concat(),
    );
    let minf = mp4_box(b"minf", &stbl);
    let mut hdlr = vec![0u8; 8];
    hdlr.extend(b"soun");
    hdlr.extend([0u8; 13]);
    let mdia = mp4_box(b"mdia", &[mp4_box(b"hdlr", &hdlr), minf].concat());
    let trak = mp4_box(b"trak", &mdia);
    let moov = mp4_box(b"moov", &trak);
    let mut file = mp4_box(b"ftyp", b"M4A \x00\x00\x02\x00M4A mp42isom");
    file.extend(moov);
    file.extend(mp4_box(b"mdat", &[0u8; 16]));
    file
}

/// The 156-byte kind of file that made symphonia ask for 64 GiB (the process aborted, exit
/// 134), and its sibling with a smaller count. Both must come back as damaged audio.
#[test]
fn mp4_tables_claiming_billions_of_entries_are_refused_not_allocated() {
    use chaptercast_engine::player::decode::{DecodeError, Decoding};
    use chaptercast_engine::player::input::MediaInput;
    for count in [0xFFFF_FFFF, 0x0FFF_FFFF] {
        let file = m4a_with_stsc_count(count);
        harness::audio(&file);
        match Decoding::open(MediaInput::memory(file.clone()), Some("audio/mp4")) {
            Err(DecodeError::Damaged(why)) => assert!(why.contains("stsc"), "{why}"),
            Err(other) => panic!("{count:#x}: {other:?}"),
            Ok(_) => panic!("{count:#x}: a file with a bogus stsc opened"),
        }
    }
}

/// A tiny xorshift: the same mutations on every run, so a failure is reproducible by index.
struct Mutator(u64);

impl Mutator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// One of: random bytes flipped, a 32-bit field stomped with a huge count (after a box
    /// type or anywhere), a cut, or a block repeated.
    fn mutate(&mut self, original: &[u8]) -> Vec<u8> {
        let mut data = original.to_vec();
        if data.is_empty() {
            return data;
        }
        match self.below(5) {
            0 => {
                for _ in 0..1 + self.below(16) {
                    let i = self.below(data.len());
                    data[i] ^= 1 << self.below(8);
                }
            }
            1 => {
                let huge = [0xFFFF_FFFFu32, 0x0FFF_FFFF, 0x7FFF_FFFF, 0x0001_0000];
                let value = huge[self.below(huge.len())].to_be_bytes();
                // Prefer the count field of a table box, where real files break readers.
                let tables: Vec<usize> = data
                    .windows(4)
                    .enumerate()
                    .filter(|(_, w)| {
                        [
                            b"stsc", b"stts", b"stsz", b"stco", b"co64", b"ctts", b"elst", b"stsd",
                        ]
                        .iter()
                        .any(|t| w == *t)
                    })
                    .map(|(i, _)| i + 8)
                    .collect();
                let at = if tables.is_empty() || self.below(3) == 0 {
                    self.below(data.len())
                } else {
                    tables[self.below(tables.len())]
                };
                for (k, b) in value.iter().enumerate() {
                    if let Some(slot) = data.get_mut(at + k) {
                        *slot = *b;
                    }
                }
            }
            2 => data.truncate(self.below(data.len())),
            3 => {
                let from = self.below(data.len());
                let len = self.below(4096).min(data.len() - from);
                let block = data[from..from + len].to_vec();
                let at = self.below(data.len());
                data.splice(at..at, block);
            }
            _ => {
                let at = self.below(data.len());
                let end = (at + self.below(64)).min(data.len());
                for b in &mut data[at..end] {
                    *b = 0;
                }
            }
        }
        data
    }
}

/// Every corpus audio file, whole and in seeded mutations, through the player's decoding: each
/// call returns (an abort or a hang would end or stall the test binary).
#[test]
fn mutations_of_every_corpus_audio_file_return() {
    let Some(corpus) = common::corpus_dir() else {
        return;
    };
    let mut files: Vec<_> = walk(&corpus.join("audio"))
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| {
                ["mp3", "m4a", "m4b", "mp4", "ogg", "opus", "flac"]
                    .contains(&e.to_string_lossy().to_ascii_lowercase().as_str())
            })
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 20,
        "expected the corpus audio, found {files:?}"
    );
    let mut runs = 0;
    for (n, path) in files.iter().enumerate() {
        let original = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        harness::audio(&original);
        let mut mutator = Mutator(0x9E37_79B9_7F4A_7C15 ^ (n as u64 + 1));
        for _ in 0..32 {
            harness::audio(&mutator.mutate(&original));
            runs += 1;
        }
    }
    eprintln!("{} files, {runs} mutations decoded", files.len());
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}
