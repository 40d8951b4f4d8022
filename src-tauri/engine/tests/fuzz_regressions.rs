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
