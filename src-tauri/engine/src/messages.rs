//! The sentences a person reads when something fails or happens on its own: one owner for the
//! app (which puts them in `CommandError`s and events) and the command line (which prints them),
//! so the two binaries say the same thing. Pure text from engine values; nothing here is logged
//! or decided.

use crate::{feed::FeedError, NetError, RefreshError};

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
pub fn player_error_message(error: &crate::player::PlayerError) -> String {
    use crate::player::PlayerError as E;
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
pub fn session_notice_message(notice: &crate::events::SessionNotice) -> String {
    use crate::events::SessionNotice;
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
    what: &crate::player::skips::SkipReason,
    from_ms: u64,
    to_ms: u64,
) -> String {
    use crate::player::skips::SkipReason;
    let seconds = to_ms.saturating_sub(from_ms).div_ceil(1000);
    let length = format!("{}:{:02}", seconds / 60, seconds % 60);
    match what {
        SkipReason::Chapter(title) => format!("Skipped: {title} ({length})"),
        SkipReason::Intro => format!("Skipped the intro ({length})"),
        SkipReason::Outro => format!("Skipped the outro ({length})"),
    }
}

/// One sentence for a sync failure, shared by the GUI and the command line.
pub fn sync_message(error: &crate::sync::SyncError) -> String {
    use crate::sync::{gpodder::GpodderError as G, SyncError as S};
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
        S::Credentials(crate::sync::credentials::CredentialsError::KeyringUnavailable) => {
            "The desktop's keyring is locked or not answering; sync will try again.".into()
        }
        S::Credentials(e) => format!("The sync password could not be read or kept: {e}."),
    }
}
