//! `CommandError { kind, message }`: what the UI is told when a command fails. The engine's
//! errors become a kind the UI can branch on and one sentence for the user; the full chain is
//! logged once, here.

use chaptercast_engine::messages::user_message;
use chaptercast_engine::{LibraryError, NetError, RefreshError};
use serde::Serialize;
use specta::Type;

/// What kind of failure, for the UI to choose how to show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
pub enum ErrorKind {
    /// The user's input was not acceptable (a malformed or non-web URL).
    BadInput,
    /// The network seems to be missing.
    Offline,
    /// The server answered, but with an error or something that is not a feed.
    NotAFeed,
    /// The id does not exist (any more).
    NotFound,
    /// The library on disk failed.
    Storage,
}

/// A failed command.
#[derive(Debug, Clone, Serialize, Type, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
}

impl CommandError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CommandError {
            kind,
            message: message.into(),
        }
    }

    /// An id from the UI that is not one of ours.
    pub fn bad_id(id: &str) -> Self {
        CommandError::new(ErrorKind::BadInput, format!("\"{id}\" is not a valid id"))
    }
}

impl From<LibraryError> for CommandError {
    fn from(error: LibraryError) -> Self {
        tracing::warn!(error = ?error, "library error");
        match error {
            LibraryError::NotFound { what, .. } => CommandError::new(
                ErrorKind::NotFound,
                format!("That {what} is no longer in the library."),
            ),
            // About the words typed, not the library: said as such.
            LibraryError::Search { .. } => CommandError::new(
                ErrorKind::BadInput,
                "That search could not be run; try other words.".to_string(),
            ),
            other => CommandError::new(
                ErrorKind::Storage,
                format!("The library could not be read or written: {other}."),
            ),
        }
    }
}

impl From<RefreshError> for CommandError {
    fn from(error: RefreshError) -> Self {
        tracing::warn!(error = ?error, "refresh error");
        let message = user_message(&error);
        let kind = match &error {
            RefreshError::Net(NetError::InvalidUrl { .. } | NetError::UnsupportedScheme { .. }) => {
                ErrorKind::BadInput
            }
            RefreshError::Net(e) if e.is_offline() => ErrorKind::Offline,
            RefreshError::Net(_) | RefreshError::Feed { .. } => ErrorKind::NotAFeed,
            RefreshError::Library(_) => ErrorKind::Storage,
            RefreshError::Link(_) => ErrorKind::BadInput,
            RefreshError::HttpsFailed { source, .. } if source.is_offline() => ErrorKind::Offline,
            RefreshError::HttpsFailed { .. } => ErrorKind::NotAFeed,
        };
        CommandError::new(kind, message)
    }
}
