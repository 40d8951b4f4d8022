//! `kill -9` in the middle of a refresh (a 20,000-episode merge) or a run of position saves
//! leaves the SQLite library consistent (`PRAGMA integrity_check` ok) with everything committed
//! before the kill still there. Each round kills at a different moment.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use chaptercast_engine::{EpisodeId, Library};

const FIRST_POSITION_MS: u64 = 123_456;

#[test]
fn kill_9_during_writes_loses_nothing_committed() -> anyhow::Result<()> {
    let writer = env!("CARGO_BIN_EXE_library_writer");
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("library.sqlite3");
    for round in 0..8u64 {
        let mut child = Command::new(writer)
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let first: i64 = line
            .trim()
            .strip_prefix("committed ")
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("writer said {line:?}"))?;
        // Somewhere inside a merge or a run of saves: rounds spread over ~1.5 s.
        std::thread::sleep(Duration::from_millis(150 + round * 170));
        child.kill()?; // SIGKILL
        child.wait()?;

        let library = Library::open(&path)?;
        assert!(
            library.is_consistent()?,
            "round {round}: integrity_check failed"
        );
        let show = library
            .shows()?
            .first()
            .map(|s| s.id)
            .ok_or_else(|| anyhow::anyhow!("show lost"))?;
        let episodes = library.episodes(show)?;
        assert_eq!(episodes.len(), 20_000, "round {round}: episodes lost");
        let kept = library.episode(EpisodeId(first))?;
        assert_eq!(
            kept.summary.position_ms, FIRST_POSITION_MS,
            "round {round}: position lost"
        );
        // Every stored title is one whole version of the feed, never a torn row.
        assert!(
            episodes.iter().all(|e| e.title.starts_with("Episode ")),
            "round {round}"
        );
    }
    Ok(())
}
