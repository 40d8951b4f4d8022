//! Fixture builders for tests: feeds written as strings, so a test reads like the spec.
//! Compiled for this crate's tests and, through the `testkit` feature, for the e2e crate.

mod feed_builder;

pub use feed_builder::{escape, meta_tech_like_feed, FeedBuilder, ItemBuilder};

/// The shared test data folder, `<workspace root>/../shared`. This crate lives at
/// `<workspace root>/src-tauri/engine`, so that is `../../../shared` from
/// `CARGO_MANIFEST_DIR`; the `CHAPTERCAST_SHARED_DIR` environment variable overrides it.
/// When the folder is absent the caller skips its test, except under `CI=true`.
pub fn shared_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("CHAPTERCAST_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
        });
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "shared test data folder missing at {} (CI=true)",
        dir.display()
    );
    eprintln!("skipped: ../shared absent (looked at {})", dir.display());
    None
}
