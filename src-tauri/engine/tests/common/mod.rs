//! Shared by the corpus tests: where `../shared/corpus` is.

use std::path::{Path, PathBuf};

/// The corpus folder when the shared data is there (`CHAPTERCAST_SHARED_DIR` overrides where);
/// under `CI=true` its absence is a failure, elsewhere a skip that says so.
pub fn corpus_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("CHAPTERCAST_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let corpus = shared.join("corpus");
    if corpus.is_dir() {
        return Some(corpus);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the corpus is missing at {} (CI=true requires it)",
        corpus.display()
    );
    eprintln!("SKIPPED: corpus absent at {}", corpus.display());
    None
}
