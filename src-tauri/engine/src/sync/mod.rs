//! Sync with a gpodder API server: subscriptions, positions and played state across a
//! listener's devices.
//!
//! One sync:
//! 1. the server's whole subscription list for this device is read (some servers never list
//!    removals, so removals are found by comparing with the list seen last time), applied
//!    here, and the changes made here are sent;
//! 2. episode actions made here are sent, then those since the last sync are read and
//!    applied by [`rules`]; actions for episodes not in the library yet wait for their feed;
//! 3. shows subscribed because of another device are fetched, and the waiting actions tried
//!    again.
//!
//! Changes made here are queued by the library's triggers whatever made them (the app, the
//! command line, the player), so offline changes are sent on the next sync, in order, once.

pub mod credentials;
pub mod enclosure_key;
pub mod gpodder;
pub mod rules;

use std::collections::BTreeSet;
use std::time::Duration;

use url::Url;

pub use crate::library::SyncAccount;
use crate::library::{AppliedActions, AppliedSubscriptions, Change, PendingChange, ReceivedAction};
use crate::{Engine, LibraryError};
pub use credentials::PasswordStore;
use gpodder::{EpisodeAction, GpodderClient, GpodderError};

/// Why sync could not run or finish.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("sync is not set up: log in to a server first")]
    NotLoggedIn,
    #[error("the password for {username} on {server_url} is not stored any more: log in again")]
    NoPassword {
        server_url: String,
        username: String,
    },
    #[error("\"{url}\" is not a server address: {reason}")]
    BadServer { url: String, reason: String },
    #[error("\"{device}\" cannot be a device id: use letters, digits, '-' and '_'")]
    BadDevice { device: String },
    #[error(transparent)]
    Server(#[from] GpodderError),
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Credentials(#[from] credentials::CredentialsError),
}

impl SyncError {
    /// Worth trying again by itself later (offline, a busy server).
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Server(e) => e.is_transient(),
            SyncError::Credentials(credentials::CredentialsError::KeyringUnavailable) => true,
            _ => false,
        }
    }
}

/// What checking an account found out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountCheck {
    pub device_id: String,
    /// The account's devices, when the server lists them.
    pub devices: Option<Vec<gpodder::Device>>,
    /// Plain http to a host other than this computer: the password crosses the network
    /// unencrypted.
    pub insecure: bool,
}

/// What logging in found out: the check it began with, and where the password went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginReport {
    pub checked: AccountCheck,
    pub password_store: PasswordStore,
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Subscriptions sent: added and removed here.
    pub sent_subscribed: Vec<String>,
    pub sent_unsubscribed: Vec<String>,
    /// Subscriptions changed here because of another device.
    pub received: AppliedSubscriptions,
    /// Feeds the server moved to a new address (old, new).
    pub renamed: Vec<(String, String)>,
    /// Episode actions sent.
    pub sent_actions: usize,
    /// Episode actions read from the server.
    pub received_actions: usize,
    /// What they changed here.
    pub applied: AppliedActions,
    /// Newly subscribed shows fetched.
    pub fetched_shows: usize,
}

impl SyncReport {
    /// Shows, positions or played states here changed.
    pub fn changed_library(&self) -> bool {
        !self.received.added.is_empty()
            || !self.received.removed.is_empty()
            || !self.received.kept.is_empty()
            || !self.renamed.is_empty()
            || self.applied.changed > 0
    }
}

/// The longest episode a position from a server is believed for: a week, in seconds.
const MAX_EPISODE_S: i64 = 7 * 24 * 3600;
/// Episode actions sent per request: a first sync may have thousands, and servers and proxies
/// cap request bodies.
const ACTIONS_PER_UPLOAD: usize = 200;
/// Shows subscribed because of other devices fetched in one sync; the rest on the next.
const SHOWS_FETCHED_PER_SYNC: usize = 100;

/// A device id servers accept in a URL path: podsync refuses dots and spaces.
pub fn valid_device_id(device: &str) -> bool {
    !device.is_empty()
        && device.len() <= 64
        && device
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// This computer's name as a device id (`chaptercast` when it has none that fits).
pub fn default_device_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let id: String = host
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(48)
        .collect();
    let id = id.trim_matches('-');
    if id.is_empty() {
        "chaptercast".to_string()
    } else {
        id.to_string()
    }
}

/// A feed URL in the form the library stores it; `None` for one that is not a web URL.
fn normalized(url: &str) -> Option<String> {
    crate::net::parse_web_url(url.trim()).ok().map(String::from)
}

fn parse_server(url: &str) -> Result<(Url, bool), SyncError> {
    let parsed = crate::net::parse_web_url(url.trim()).map_err(|e| SyncError::BadServer {
        url: url.to_string(),
        reason: e.to_string(),
    })?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    let insecure = parsed.scheme() == "http" && !loopback;
    Ok((parsed, insecure))
}

fn action_for(change: &PendingChange, device: &str) -> Option<EpisodeAction> {
    let timestamp = Some(gpodder::format_timestamp(change.changed_at));
    match &change.change {
        Change::Play {
            feed_url,
            guid,
            enclosure_url,
            started_s,
            position_s,
            total_s,
        } => {
            // The API wants all three; an unknown length is sent as 0, which readers ignore.
            let total = total_s.unwrap_or(0);
            Some(EpisodeAction {
                podcast: feed_url.clone(),
                episode: enclosure_url.clone(),
                guid: Some(guid.clone()).filter(|g| !g.is_empty()),
                action: "play".into(),
                timestamp,
                started: Some((*started_s).min(*position_s) as i64),
                position: Some(*position_s as i64),
                total: Some(total as i64),
                device: Some(device.to_string()),
            })
        }
        Change::New {
            feed_url,
            guid,
            enclosure_url,
        } => Some(EpisodeAction {
            podcast: feed_url.clone(),
            episode: enclosure_url.clone(),
            guid: Some(guid.clone()).filter(|g| !g.is_empty()),
            action: "new".into(),
            timestamp,
            started: None,
            position: None,
            total: None,
            device: Some(device.to_string()),
        }),
        Change::Subscribe { .. } | Change::Unsubscribe { .. } => None,
    }
}

/// A server's action as the rules read it; `download`, `delete` and unknown kinds say nothing
/// about listening.
fn received(action: EpisodeAction) -> Option<ReceivedAction> {
    // Numbers from a server are held to what an episode can be.
    let seconds = |v: i64| v.clamp(0, MAX_EPISODE_S) as u64;
    let kind = match action.action.to_ascii_lowercase().as_str() {
        "play" => rules::RemoteKind::Play {
            position_s: seconds(action.position?),
            total_s: action.total.filter(|&t| t > 0).map(seconds),
        },
        "new" => rules::RemoteKind::New,
        _ => return None,
    };
    // A clock years ahead must not make this episode's state unchangeable until then.
    let latest = chrono::Utc::now().timestamp() + rules::CLOCK_SKEW_S;
    let timestamp = action
        .timestamp
        .as_deref()
        .and_then(gpodder::parse_timestamp)
        .unwrap_or(0)
        .clamp(0, latest);
    Some(ReceivedAction {
        podcast: action.podcast,
        episode: action.episode,
        guid: action.guid.filter(|g| !g.is_empty()),
        kind,
        timestamp,
    })
}

/// Between background syncs while the app runs.
pub const SYNC_EVERY: Duration = Duration::from_secs(15 * 60);
/// After a pause or a refresh, further changes are gathered this long before syncing.
pub const SYNC_DEBOUNCE: Duration = Duration::from_secs(10);
/// The first wait after a sync failed for want of a network or a working server; it doubles
/// up to [`SYNC_EVERY`].
const FIRST_BACKOFF: Duration = Duration::from_secs(60);
/// The longest a server's `Retry-After` is waited for.
const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

impl Engine {
    /// Asks the background schedule for a sync soon (after a pause, a refresh).
    pub fn sync_soon(&self) {
        self.inner.sync_wake.notify_one();
    }

    /// The background schedule, for as long as the app runs: a sync at start, then every
    /// [`SYNC_EVERY`], and [`SYNC_DEBOUNCE`] after [`Engine::sync_soon`]; backing off while
    /// offline or the server is failing. Idle while not logged in.
    pub async fn run_sync_schedule(&self) {
        let mut wait = Duration::ZERO;
        let mut backoff = FIRST_BACKOFF;
        let mut backing_off = false;
        loop {
            if backing_off {
                // A failing or busy server is not asked again early because of a pause.
                tokio::time::sleep(wait).await;
            } else {
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = self.inner.sync_wake.notified() => tokio::time::sleep(SYNC_DEBOUNCE).await,
                }
            }
            wait = SYNC_EVERY;
            backing_off = false;
            if !matches!(self.sync_account().await, Ok(Some(_))) {
                continue;
            }
            match self.sync_now().await {
                Ok(_) => backoff = FIRST_BACKOFF,
                Err(error) if error.is_transient() => {
                    let asked = match &error {
                        SyncError::Server(GpodderError::Busy { retry_after, .. }) => *retry_after,
                        _ => None,
                    };
                    wait = asked.map_or(backoff, |a| a.max(backoff)).min(MAX_BACKOFF);
                    tracing::info!(%error, retry_in_s = wait.as_secs(), "sync failed");
                    backing_off = true;
                    backoff = (backoff * 2).min(SYNC_EVERY);
                }
                Err(error) => tracing::warn!(%error, "sync failed"),
            }
        }
    }

    /// The account this library syncs with, if any.
    pub async fn sync_account(&self) -> Result<Option<SyncAccount>, LibraryError> {
        self.with_library(|l| l.sync_account()).await
    }

    /// Checks the account on the server, then remembers it (the password in the keyring or a
    /// file) and queues the whole library to be sent on the first sync. Nothing is stored when
    /// the server refuses.
    pub async fn sync_login(
        &self,
        server_url: &str,
        username: &str,
        password: &str,
        device_id: Option<&str>,
    ) -> Result<LoginReport, SyncError> {
        // Not while a sync of the old account is writing its state.
        let _one_at_a_time = self.inner.sync_lock.lock().await;
        let checked = self
            .sync_check(server_url, username, password, device_id)
            .await?;
        let (root, _) = parse_server(server_url)?;
        let username = username.trim().to_string();
        let server = root.to_string();
        let store = {
            let (dir, keyring) = (self.config().data_dir.clone(), self.config().use_keyring);
            let (server, username, password) =
                (server.clone(), username.clone(), password.to_string());
            tokio::task::spawn_blocking(move || {
                credentials::save(keyring, &dir, &server, &username, &password)
            })
            .await
            .map_err(|source| LibraryError::Worker { source })??
        };
        {
            let (server, username, device_id) =
                (server.clone(), username.clone(), checked.device_id.clone());
            self.with_library(move |l| l.sync_login(&server, &username, &device_id))
                .await?;
        }
        Ok(LoginReport {
            checked,
            password_store: store,
        })
    }

    /// Checks an account without keeping anything: the server answers, takes the password,
    /// and lists its devices if it can ("Test" in the app).
    pub async fn sync_check(
        &self,
        server_url: &str,
        username: &str,
        password: &str,
        device_id: Option<&str>,
    ) -> Result<AccountCheck, SyncError> {
        let (root, insecure) = parse_server(server_url)?;
        let device_id = device_id
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map_or_else(default_device_id, str::to_string);
        if !valid_device_id(&device_id) {
            return Err(SyncError::BadDevice { device: device_id });
        }
        let username = username.trim();
        let mut client = GpodderClient::new(&self.inner.http, root, username, password);
        client.login().await?;
        // Reading this device's list proves the account works even where login is a no-op.
        client.subscriptions(&device_id, 0).await?;
        let devices = client.devices().await?;
        Ok(AccountCheck {
            device_id,
            devices,
            insecure,
        })
    }

    /// Stops syncing: ends the session on the server (if it answers), forgets the password and
    /// the account. The library stays as it is.
    pub async fn sync_logout(&self) -> Result<(), SyncError> {
        let _one_at_a_time = self.inner.sync_lock.lock().await;
        let Some(account) = self.sync_account().await? else {
            return Ok(());
        };
        let password = self.sync_password(&account).await.ok().flatten();
        if let (Some(password), Ok((root, _))) = (password, parse_server(&account.server_url)) {
            let mut client =
                GpodderClient::new(&self.inner.http, root, &account.username, &password);
            if let Err(error) = client.logout().await {
                tracing::info!(%error, "the server did not take the logout; forgetting anyway");
            }
        }
        let (dir, keyring) = (self.config().data_dir.clone(), self.config().use_keyring);
        let (server, username) = (account.server_url.clone(), account.username.clone());
        tokio::task::spawn_blocking(move || credentials::forget(keyring, &dir, &server, &username))
            .await
            .map_err(|source| LibraryError::Worker { source })?;
        self.with_library(|l| l.sync_logout()).await?;
        Ok(())
    }

    async fn sync_password(&self, account: &SyncAccount) -> Result<Option<String>, SyncError> {
        let (dir, keyring) = (self.config().data_dir.clone(), self.config().use_keyring);
        let (server, username) = (account.server_url.clone(), account.username.clone());
        Ok(tokio::task::spawn_blocking(move || {
            credentials::load(keyring, &dir, &server, &username)
        })
        .await
        .map_err(|source| LibraryError::Worker { source })??)
    }

    /// Runs one sync now (one at a time: a second caller waits for the first). The outcome is
    /// recorded on the account for the sidebar, and announced as [`crate::EngineEvent::Sync`].
    pub async fn sync_now(&self) -> Result<SyncReport, SyncError> {
        let _one_at_a_time = self.inner.sync_lock.lock().await;
        let Some(account) = self.sync_account().await? else {
            return Err(SyncError::NotLoggedIn);
        };
        let result = self.sync_once(&account).await;
        let (since, error) = match &result {
            Ok((_, since)) => (Some(*since), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let account = self
            .with_library(move |l| {
                l.sync_record(since, error.as_deref())?;
                l.sync_account()
            })
            .await?;
        if let Some(account) = account {
            let library_changed = result.as_ref().is_ok_and(|(r, _)| r.changed_library());
            self.emit(crate::EngineEvent::Sync {
                account,
                library_changed,
            });
        }
        result.map(|(report, _)| report)
    }

    async fn sync_once(&self, account: &SyncAccount) -> Result<(SyncReport, i64), SyncError> {
        let password = self
            .sync_password(account)
            .await?
            .ok_or_else(|| SyncError::NoPassword {
                server_url: account.server_url.clone(),
                username: account.username.clone(),
            })?;
        let (root, _) = parse_server(&account.server_url)?;
        let device = account.device_id.clone();
        let mut client = GpodderClient::new(&self.inner.http, root, &account.username, &password);
        client.login().await?;
        let mut report = SyncReport::default();

        // 1. Subscriptions.
        let listed = client.subscriptions(&device, 0).await?;
        // Compared in the form the library stores (`HTTP://Host/a` is `http://host/a`); sent
        // back in the server's own form, which is what it matches a removal against.
        let mut server_form = std::collections::BTreeMap::new();
        let removed_there: BTreeSet<String> =
            listed.remove.iter().filter_map(|u| normalized(u)).collect();
        let remote: BTreeSet<String> = listed
            .add
            .iter()
            .filter_map(|u| {
                let n = normalized(u)?;
                server_form.entry(n.clone()).or_insert_with(|| u.clone());
                Some(n)
            })
            .filter(|u| !removed_there.contains(u))
            .collect();
        let (known, local, pending) = self
            .with_library(|l| {
                Ok((
                    l.sync_remote_subscriptions()?,
                    l.sync_local_subscriptions()?,
                    l.sync_pending()?,
                ))
            })
            .await?;
        let mut pending_subscribe = BTreeSet::new();
        let mut pending_unsubscribe = BTreeSet::new();
        for change in &pending {
            match &change.change {
                Change::Subscribe { feed_url } => {
                    pending_subscribe.insert(feed_url.clone());
                }
                Change::Unsubscribe { feed_url } => {
                    pending_unsubscribe.insert(feed_url.clone());
                }
                _ => {}
            }
        }
        let add_here: Vec<String> = remote
            .iter()
            .filter(|u| !known.contains(*u) && !local.contains(*u))
            .filter(|u| !pending_unsubscribe.contains(*u))
            .cloned()
            .collect();
        let remove_here: Vec<String> = known
            .iter()
            .filter(|u| !remote.contains(*u) && local.contains(*u))
            .filter(|u| !pending_subscribe.contains(*u))
            .cloned()
            .collect();
        // Sent: what changed here, and anything here the server does not list yet.
        let send_add: Vec<String> = pending_subscribe
            .iter()
            .filter(|u| local.contains(*u) && !remote.contains(*u))
            .cloned()
            .collect();
        let send_remove: Vec<String> = pending_unsubscribe
            .iter()
            .filter(|u| !local.contains(*u) && remote.contains(*u))
            .map(|u| server_form.get(u).cloned().unwrap_or_else(|| u.clone()))
            .collect();
        let mut rejected: Vec<String> = Vec::new();
        if !send_add.is_empty() || !send_remove.is_empty() {
            let uploaded = client
                .upload_subscriptions(&device, &send_add, &send_remove)
                .await?;
            report.renamed = uploaded.update_urls;
            rejected = uploaded.rejected;
        }
        let sent_subscriptions: Vec<PendingChange> = pending
            .iter()
            .filter(|c| {
                matches!(
                    c.change,
                    Change::Subscribe { .. } | Change::Unsubscribe { .. }
                )
            })
            .cloned()
            .collect();
        let mut now_listed = remote.clone();
        now_listed.extend(send_add.iter().cloned());
        // Removed, or refused by the server (so not listed there: not "removed elsewhere").
        for url in send_remove
            .iter()
            .chain(&rejected)
            .filter_map(|u| normalized(u))
        {
            now_listed.remove(&url);
        }
        report.renamed = report
            .renamed
            .iter()
            .filter_map(|(from, to)| Some((normalized(from)?, normalized(to)?)))
            .filter(|(from, to)| from != to)
            .collect();
        for (from, to) in &report.renamed {
            if now_listed.remove(from) {
                now_listed.insert(to.clone());
            }
        }
        report.sent_subscribed = send_add;
        report.sent_unsubscribed = send_remove;
        {
            let renamed = report.renamed.clone();
            report.received = self
                .with_library(move |l| {
                    for (from, to) in &renamed {
                        l.sync_rename_feed(from, to)?;
                    }
                    let applied = l.sync_apply_subscriptions(&add_here, &remove_here)?;
                    l.sync_sent(&sent_subscriptions)?;
                    l.set_sync_remote_subscriptions(&now_listed)?;
                    Ok(applied)
                })
                .await?;
        }

        // 2. Episode actions: ours first, then everyone's since last time.
        let to_send: Vec<(PendingChange, EpisodeAction)> = pending
            .into_iter()
            .filter_map(|c| action_for(&c, &device).map(|a| (c, a)))
            .collect();
        for chunk in to_send.chunks(ACTIONS_PER_UPLOAD) {
            let actions: Vec<EpisodeAction> = chunk.iter().map(|(_, a)| a.clone()).collect();
            client.upload_episode_actions(&actions).await?;
            report.sent_actions += actions.len();
            let sent: Vec<PendingChange> = chunk.iter().map(|(c, _)| c.clone()).collect();
            self.with_library(move |l| l.sync_sent(&sent)).await?;
        }
        let downloaded = client.episode_actions(account.episodes_since).await?;
        if downloaded.skipped > 0 {
            tracing::info!(
                skipped = downloaded.skipped,
                "episode actions that were not readable"
            );
        }
        let actions: Vec<ReceivedAction> = downloaded
            .actions
            .into_iter()
            .filter_map(received)
            .collect();
        report.received_actions = actions.len();
        report.applied = self
            .with_library(move |l| {
                l.sync_receive_actions(&actions)?;
                l.sync_apply_inbox()
            })
            .await?;

        // 3. Shows another device subscribed to: fetched now, so their positions apply.
        for (show, url) in report
            .received
            .added
            .clone()
            .into_iter()
            .take(SHOWS_FETCHED_PER_SYNC)
        {
            match self.refresh_show(show).await {
                Ok(_) => report.fetched_shows += 1,
                Err(error) => tracing::warn!(%url, %error, "could not fetch a show from sync"),
            }
        }
        if report.fetched_shows > 0 {
            let applied = self.with_library(|l| l.sync_apply_inbox()).await?;
            report.applied.changed += applied.changed;
            report.applied.kept += applied.kept;
            report.applied.waiting = applied.waiting;
        }
        Ok((report, downloaded.timestamp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_ids_are_what_servers_take_in_a_path() {
        assert!(valid_device_id("desk-01_a"));
        for bad in ["", "my.phone", "two words", "a/b", &"x".repeat(65)] {
            assert!(!valid_device_id(bad), "{bad:?}");
        }
        assert!(valid_device_id(&default_device_id()));
    }

    #[test]
    fn plain_http_is_insecure_except_on_this_computer() {
        assert!(!parse_server("http://127.0.0.1:8123").unwrap().1);
        assert!(!parse_server("http://localhost/").unwrap().1);
        assert!(!parse_server("https://gpodder.net").unwrap().1);
        assert!(parse_server("http://sync.example.org").unwrap().1);
        assert!(matches!(
            parse_server("ftp://x"),
            Err(SyncError::BadServer { .. })
        ));
    }

    #[test]
    fn actions_that_say_nothing_about_listening_are_set_aside() {
        let action = |kind: &str, position: Option<i64>| EpisodeAction {
            podcast: "https://f/rss".into(),
            episode: "https://f/1.mp3".into(),
            guid: Some(String::new()),
            action: kind.into(),
            timestamp: Some("2024-01-01T00:00:00".into()),
            started: None,
            position,
            total: Some(0),
            device: None,
        };
        assert!(received(action("download", None)).is_none());
        assert!(received(action("delete", None)).is_none());
        assert!(
            received(action("play", None)).is_none(),
            "a play without a position"
        );
        let play = received(action("PLAY", Some(61))).unwrap();
        assert_eq!(
            play.kind,
            rules::RemoteKind::Play {
                position_s: 61,
                total_s: None
            }
        );
        assert_eq!(play.guid, None);
        assert_eq!(play.timestamp, 1_704_067_200);
    }
}
