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
