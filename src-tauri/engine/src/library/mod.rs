//! The library: shows, episodes and the user's state, in SQLite. No HTTP, no parsing.
//!
//! Functions are blocking; the engine calls them inside `spawn_blocking`.

mod chapters;
mod downloads;
mod episodes;
mod frame_index;
mod queue;
mod search;
mod shows;
mod sound;
mod sync;
mod transcripts;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use chapters::FetchedChaptersKind;
pub use downloads::{DownloadRecord, DownloadState};
pub use episodes::{Episode, EpisodeId, EpisodeSummary, MergeReport};
pub use queue::QueuePlace;
pub use search::{HitKind, SearchHit, TextRun, MAX_RESULTS};
pub use shows::{Show, ShowId};
pub use sound::MeasuredLoudness;
pub use sync::{
    AppliedActions, AppliedSubscriptions, Change, PendingChange, ReceivedAction, SyncAccount,
};
pub use transcripts::StoredTranscript;

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
/// Append-only: never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_chapters.sql"),
    include_str!("migrations/0003_downloads.sql"),
    include_str!("migrations/0004_search.sql"),
    include_str!("migrations/0005_refresh_schedule.sql"),
    include_str!("migrations/0006_audio_length.sql"),
    include_str!("migrations/0007_queue.sql"),
    include_str!("migrations/0008_search_marks.sql"),
    include_str!("migrations/0009_transcripts.sql"),
    include_str!("migrations/0010_sound.sql"),
    include_str!("migrations/0011_sync.sql"),
    include_str!("migrations/0012_frame_index.sql"),
];

/// Why a library operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("cannot open the library at {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the library folder {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the library was written by a newer Chaptercast (schema {found}, this one knows {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error("the library file was not written by Chaptercast (schema version {found})")]
    NotOurs { found: i64 },
    #[error("library migration {index} failed")]
    Migrate {
        index: usize,
        #[source]
        source: rusqlite::Error,
    },
    #[error("library query failed")]
    Query(#[from] rusqlite::Error),
    /// The search index could not run this search (a problem with the query, not the library).
    #[error("this search cannot be run: {detail}")]
    Search { detail: String },
    #[error("the library worker stopped unexpectedly")]
    Worker {
        #[source]
        source: tokio::task::JoinError,
    },
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: i64 },
}

/// An open library database.
pub struct Library {
    conn: Connection,
}

impl Library {
    /// Opens (creating if needed) the library at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, LibraryError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| LibraryError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| LibraryError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::prepare(conn).map_err(|e| match e {
            LibraryError::Query(source) => LibraryError::Open {
                path: path.to_path_buf(),
                source,
            },
            other => other,
        })
    }

    /// A library that lives in memory only: for tests.
    pub fn open_in_memory() -> Result<Self, LibraryError> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(conn: Connection) -> Result<Self, LibraryError> {
        // WAL: readers never wait for a refresh; synchronous=NORMAL is durable across app
        // crashes (only an OS crash can lose the last transaction).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut library = Library { conn };
        library.migrate()?;
        Ok(library)
    }

    fn migrate(&mut self) -> Result<(), LibraryError> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        // A negative version was never written by Chaptercast: some other program's file, or a
        // damaged one. Skipping every migration would run on a schema we know nothing of.
        if version < 0 {
            return Err(LibraryError::NotOurs { found: version });
        }
        if version > known {
            return Err(LibraryError::TooNew {
                found: version,
                known,
            });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)
                .and_then(|()| tx.pragma_update(None, "user_version", index as i64 + 1))
                .map_err(|source| LibraryError::Migrate {
                    index: index + 1,
                    source,
                })?;
            tx.commit()?;
        }
        Ok(())
    }

    /// `PRAGMA integrity_check` passed.
    pub fn is_consistent(&self) -> Result<bool, LibraryError> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(result == "ok")
    }
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests;
