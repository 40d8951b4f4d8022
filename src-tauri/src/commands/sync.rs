//! Sync with a gpodder API server: log in (checked first), sync now, log out, and the status
//! the sidebar shows.

use chaptercast_engine::messages::sync_message;
use chaptercast_engine::sync::{AccountCheck, PasswordStore, SyncAccount};
use serde::Serialize;
use specta::Type;
use tauri::State;

use crate::error::{CommandError, ErrorKind};
use crate::state::AppState;

/// Sync as the sidebar and the Sync dialog show it; sent as `sync-update` after every sync.
#[derive(Debug, Clone, Serialize, serde::Deserialize, Type, tauri_specta::Event)]
#[tauri_specta(event_name = "sync-update")]
pub struct SyncView {
    /// Null when sync is not set up.
    pub account: Option<SyncAccountView>,
    /// Shows, positions or played states changed in the last sync: the lists need reloading.
    pub library_changed: bool,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, Type)]
pub struct SyncAccountView {
    pub server_url: String,
    pub username: String,
    pub device_id: String,
    /// RFC 3339, UTC; null before the first sync.
    pub last_synced_at: Option<String>,
    /// Why the last sync failed, in one sentence; null after a good one.
    pub last_error: Option<String>,
}

impl SyncView {
    pub fn new(account: Option<&SyncAccount>, library_changed: bool) -> Self {
        SyncView {
            account: account.map(|a| SyncAccountView {
                server_url: a.server_url.clone(),
                username: a.username.clone(),
                device_id: a.device_id.clone(),
                last_synced_at: a.last_synced_at.and_then(|s| {
                    chrono::DateTime::from_timestamp(s, 0)
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                }),
                last_error: a.last_error.clone(),
            }),
            library_changed,
        }
    }
}

/// What logging in found out, for the dialog to say.
#[derive(Debug, Clone, Serialize, Type)]
pub struct SyncLoginView {
    pub device_id: String,
    /// The account's device ids, when the server lists them; null when it cannot.
    pub devices: Option<Vec<String>>,
    /// "keyring", or the file the password is in (readable only by the user).
    pub password_kept_in: String,
    /// Plain http to another computer: the password crosses the network unencrypted.
    pub insecure: bool,
}

fn failed(error: chaptercast_engine::sync::SyncError) -> CommandError {
    use chaptercast_engine::sync::{gpodder::GpodderError as G, SyncError as S};
    tracing::warn!(error = ?error, "sync failed");
    let kind = match &error {
        S::BadServer { .. } | S::BadDevice { .. } | S::Server(G::Unauthorized) => {
            ErrorKind::BadInput
        }
        e if e.is_transient() => ErrorKind::Offline,
        S::Library(_) | S::Credentials(_) => ErrorKind::Storage,
        _ => ErrorKind::NotAFeed,
    };
    CommandError::new(kind, sync_message(&error))
}

/// The sync status.
#[tauri::command]
#[specta::specta]
pub async fn sync_status(app: State<'_, AppState>) -> Result<SyncView, CommandError> {
    let account = app.engine.sync_account().await?;
    Ok(SyncView::new(account.as_ref(), false))
}

/// What "Test" found: the server answers and takes the password; its devices if it lists them.
#[derive(Debug, Clone, Serialize, Type)]
pub struct SyncCheckView {
    pub device_id: String,
    pub devices: Option<Vec<String>>,
    pub insecure: bool,
}

impl From<AccountCheck> for SyncCheckView {
    fn from(checked: AccountCheck) -> Self {
        SyncCheckView {
            device_id: checked.device_id,
            devices: checked
                .devices
                .map(|list| list.into_iter().map(|d| d.id).collect()),
            insecure: checked.insecure,
        }
    }
}

/// Checks an account without keeping anything.
#[tauri::command]
#[specta::specta]
pub async fn sync_check(
    app: State<'_, AppState>,
    server_url: String,
    username: String,
    password: String,
    device_id: Option<String>,
) -> Result<SyncCheckView, CommandError> {
    let checked = app
        .engine
        .sync_check(&server_url, &username, &password, device_id.as_deref())
        .await
        .map_err(failed)?;
    Ok(checked.into())
}

/// Checks the account on the server, then keeps it and syncs in the background. Nothing is
/// kept when the server refuses.
#[tauri::command]
#[specta::specta]
pub async fn sync_login(
    app: State<'_, AppState>,
    server_url: String,
    username: String,
    password: String,
    device_id: Option<String>,
) -> Result<SyncLoginView, CommandError> {
    let report = app
        .engine
        .sync_login(&server_url, &username, &password, device_id.as_deref())
        .await
        .map_err(failed)?;
    app.engine.sync_soon();
    let SyncCheckView {
        device_id,
        devices,
        insecure,
    } = report.checked.into();
    Ok(SyncLoginView {
        device_id,
        devices,
        password_kept_in: match report.password_store {
            PasswordStore::Keyring => "keyring".into(),
            PasswordStore::File(path) => path.display().to_string(),
        },
        insecure,
    })
}

/// Syncs now; the outcome also arrives as `sync-update`.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(app: State<'_, AppState>) -> Result<SyncView, CommandError> {
    let result = app.engine.sync_now().await;
    let account = app.engine.sync_account().await?;
    match result {
        Ok(report) => Ok(SyncView::new(account.as_ref(), report.changed_library())),
        Err(error) => Err(failed(error)),
    }
}

/// Logs out and forgets the password; the library stays.
#[tauri::command]
#[specta::specta]
pub async fn sync_logout(app: State<'_, AppState>) -> Result<(), CommandError> {
    app.engine.sync_logout().await.map_err(failed)
}
