//! `CommandError { kind, message }`: what the UI is told when a command fails. The engine's
//! errors become a kind the UI can branch on and one sentence for the user; the full chain is
//! logged once, here.

use chaptercast_engine::{feed::FeedError, LibraryError, NetError, RefreshError};
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

/// One sentence for a person, shared by the GUI and the command line.
pub fn user_message(error: &RefreshError) -> String {
    match error {
        RefreshError::Net(net) => match net {
            NetError::InvalidUrl { url, .. } => format!("\"{url}\" is not a valid web address."),
            NetError::UnsupportedScheme { scheme, .. } => {
                format!("Only http:// and https:// feeds are supported, not {scheme}://.")
            }
            NetError::Status { url, status } if *status == 404 || *status == 410 => {
                format!("No feed at {url} (HTTP {status}).")
            }
            NetError::Status { url, status } => {
                format!("{url} answered with an error (HTTP {status}).")
            }
            NetError::Busy {
                url, retry_after, ..
            } => format!(
                "{url} is busy and asks to try again in {} minutes.",
                retry_after.as_secs().div_ceil(60)
            ),
            NetError::Timeout { url } => format!("{url} did not answer in time."),
            NetError::Connect { host, .. } => {
                format!("Could not connect to {host}. Are you offline?")
            }
            NetError::TooLarge { url, limit_bytes } => format!(
                "{url} is larger than {} MB; that is not a podcast feed.",
                limit_bytes / (1024 * 1024)
            ),
            NetError::TooManyRedirects { url } => format!("{url} redirects too many times."),
            NetError::Transfer { url, .. } => format!("The download from {url} broke off."),
            NetError::RangeIgnored { url } | NetError::WrongRange { url, .. } => {
                format!("{url} cannot send part of the file.")
            }
        },
        RefreshError::Feed { url, source } => match source {
            FeedError::Empty => format!("{url} returned an empty document, not a feed."),
            FeedError::NotAFeed { found } => format!("{url} is {found}, not a podcast feed."),
            FeedError::Malformed { detail } => format!("The feed at {url} is broken: {detail}."),
            FeedError::UnknownEncoding { label } => {
                format!("The feed at {url} is written in an encoding Chaptercast cannot read ({label}).")
            }
        },
        RefreshError::Library(e) => format!("The library could not be written: {e}."),
        RefreshError::Link(e) => format!("{}.", capitalized(&e.to_string())),
        RefreshError::HttpsFailed { http, source, .. } => format!(
            "{} It may only be on plain http, unencrypted: {http}",
            user_message(source)
        ),
    }
}

/// The sentence as it starts a message.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What the listener reads when an episode cannot play.
pub fn player_error_message(error: &chaptercast_engine::player::PlayerError) -> String {
    use chaptercast_engine::player::PlayerError as E;
    match error {
        E::Unreachable { host } => format!("Can't reach {host}. Are you offline?"),
        E::Http {
            status: status @ (404 | 410),
        } => format!("The episode's audio is gone from its server (HTTP {status})."),
        E::Http {
            status: status @ (401 | 403),
        } => format!("The server refuses to send this episode's audio (HTTP {status})."),
        E::Http { status } => format!("The server answered with an error (HTTP {status})."),
        E::WrongRange => {
            "The server sent a different part of the file than asked for; not playing it.".into()
        }
        E::BadUrl { detail } => format!("The episode's address cannot work: {detail}."),
        E::Unsupported => "This is not audio Chaptercast can play.".into(),
        E::Damaged { detail } => format!("The audio is damaged: {detail}."),
        E::Unreadable { detail } => format!("The audio could not be read: {detail}."),
        E::NoDevice { detail } => detail.clone(),
    }
}

/// What the session did on its own, in one quiet sentence.
pub fn session_notice_message(notice: &chaptercast_engine::events::SessionNotice) -> String {
    use chaptercast_engine::events::SessionNotice;
    match notice {
        SessionNotice::SkippedOffline { titles } => match titles.as_slice() {
            [] => "Offline: playing the next downloaded episode.".into(),
            [one] => format!("Offline: skipped \u{201c}{one}\u{201d}, which is not downloaded. It stays in Up Next."),
            many => format!(
                "Offline: skipped {} episodes that are not downloaded. They stay in Up Next.",
                many.len()
            ),
        },
        SessionNotice::Skipped {
            what,
            from_ms,
            to_ms,
            ..
        } => skipped_message(what, *from_ms, *to_ms),
    }
}

/// "Skipped: Sponsor (1:30)": a stretch the show's profile skips, for the app and the terminal.
pub fn skipped_message(
    what: &chaptercast_engine::player::skips::SkipReason,
    from_ms: u64,
    to_ms: u64,
) -> String {
    use chaptercast_engine::player::skips::SkipReason;
    let seconds = to_ms.saturating_sub(from_ms).div_ceil(1000);
    let length = format!("{}:{:02}", seconds / 60, seconds % 60);
    match what {
        SkipReason::Chapter(title) => format!("Skipped: {title} ({length})"),
        SkipReason::Intro => format!("Skipped the intro ({length})"),
        SkipReason::Outro => format!("Skipped the outro ({length})"),
    }
}

/// One sentence for a sync failure, shared by the GUI and the command line.
pub fn sync_message(error: &chaptercast_engine::sync::SyncError) -> String {
    use chaptercast_engine::sync::{gpodder::GpodderError as G, SyncError as S};
    match error {
        S::NotLoggedIn => "Sync is not set up. Log in to a gpodder server first.".into(),
        S::NoPassword { username, .. } => {
            format!("The password for {username} is no longer stored. Log in again.")
        }
        S::BadServer { url, .. } => format!("\"{url}\" is not a server address (http or https)."),
        S::BadDevice { device } => {
            format!("\"{device}\" cannot be a device name: use letters, digits, '-' and '_'.")
        }
        S::Server(G::Unauthorized) => {
            "The server refused the user name or password. Nothing was changed.".into()
        }
        S::Server(G::Busy { status, .. }) => {
            format!("The sync server is busy or failing (HTTP {status}); trying again later.")
        }
        S::Server(G::Status { what, status }) if *status == 404 => {
            format!("The server has no gpodder API here (HTTP 404 for {what}). Check the address.")
        }
        S::Server(G::Status { what, status }) => {
            format!("The sync server answered HTTP {status} to {what}.")
        }
        S::Server(G::Redirected { what }) => format!(
            "The sync server redirected {what} elsewhere. Check the server address (https?)."
        ),
        S::Server(G::Malformed { what, .. }) => {
            format!("The sync server's answer to {what} is not the gpodder API's.")
        }
        S::Server(G::Net(NetError::Connect { host, .. })) => {
            format!("Could not connect to {host}. Are you offline?")
        }
        S::Server(G::Net(NetError::Timeout { url })) => format!("{url} did not answer in time."),
        S::Server(G::Net(e)) => format!("Sync failed: {e}."),
        S::Library(e) => format!("The library could not be read or written: {e}."),
        S::Credentials(
            chaptercast_engine::sync::credentials::CredentialsError::KeyringUnavailable,
        ) => "The desktop's keyring is locked or not answering; sync will try again.".into(),
        S::Credentials(e) => format!("The sync password could not be read or kept: {e}."),
    }
}
