//! Where the sync password is kept: the desktop's Secret Service keyring (GNOME Keyring,
//! KWallet) when one answers, else a file in the data folder that only the user can read.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The keyring entry's service name.
const KEYRING_SERVICE: &str = "chaptercast-sync";
/// The fallback file, in the data folder.
const PASSWORD_FILE: &str = "sync-password.json";
/// A keyring that does not answer in this time is treated as absent (a locked session bus).
const KEYRING_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the password went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordStore {
    Keyring,
    /// A file readable only by the user (mode 0600).
    File(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("cannot write the password file {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the password file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The keyring is there but did not answer (locked, or slow at session start).
    #[error("the desktop's keyring did not hand out the password")]
    KeyringUnavailable,
}

#[derive(Serialize, Deserialize)]
struct StoredPassword {
    server_url: String,
    username: String,
    password: String,
}

fn keyring_user(server_url: &str, username: &str) -> String {
    format!("{username}@{server_url}")
}

/// Runs a keyring call on its own thread, giving up after [`KEYRING_TIMEOUT`]: a session bus
/// whose keyring never answers must not hang sync.
fn with_keyring<T: Send + 'static>(
    keyring: bool,
    job: impl FnOnce(&keyring_core::Entry) -> keyring_core::Result<T> + Send + 'static,
    server_url: &str,
    username: &str,
) -> Option<keyring_core::Result<T>> {
    if !keyring {
        return None;
    }
    let user = keyring_user(server_url, username);
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let result = zbus_secret_service_keyring_store::Store::new().and_then(|store| {
                let store: std::sync::Arc<keyring_core::CredentialStore> = store;
                let entry = keyring_core::Entry::new_in_store(&store, KEYRING_SERVICE, &user)?;
                job(&entry)
            });
            let _ = tx.send(result);
        })
        .ok()?;
    rx.recv_timeout(KEYRING_TIMEOUT).ok()
}

/// Keeps the password: in the keyring if `keyring` allows it and it takes it, else in the file.
pub fn save(
    keyring: bool,
    data_dir: &Path,
    server_url: &str,
    username: &str,
    password: &str,
) -> Result<PasswordStore, CredentialsError> {
    let secret = password.to_string();
    match with_keyring(
        keyring,
        move |e| e.set_password(&secret),
        server_url,
        username,
    ) {
        Some(Ok(())) => {
            // A file from an earlier login without a keyring is no longer needed.
            let _ = std::fs::remove_file(data_dir.join(PASSWORD_FILE));
            Ok(PasswordStore::Keyring)
        }
        Some(Err(error)) => {
            tracing::info!(%error, "no keyring for the sync password; keeping it in a file");
            save_file(data_dir, server_url, username, password)
        }
        None => save_file(data_dir, server_url, username, password),
    }
}

/// The password for the account, from wherever [`save`] put it.
pub fn load(
    keyring: bool,
    data_dir: &Path,
    server_url: &str,
    username: &str,
) -> Result<Option<String>, CredentialsError> {
    let from_keyring = with_keyring(keyring, |e| e.get_password(), server_url, username);
    if let Some(Ok(password)) = from_keyring {
        return Ok(Some(password));
    }
    // A keyring that is there but timed out or is locked: try again later, not "log in again".
    // No keyring at all (a platform failure) or no entry: the file is the place.
    let keyring_failed = keyring
        && matches!(
            from_keyring,
            None | Some(Err(keyring_core::Error::NoStorageAccess(_)))
        );
    let path = data_dir.join(PASSWORD_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return if keyring_failed {
                Err(CredentialsError::KeyringUnavailable)
            } else {
                Ok(None)
            };
        }
        Err(source) => return Err(CredentialsError::Read { path, source }),
    };
    Ok(serde_json::from_slice::<StoredPassword>(&bytes)
        .ok()
        .filter(|s| s.server_url == server_url && s.username == username)
        .map(|s| s.password))
}

/// Forgets the password everywhere it may be.
pub fn forget(keyring: bool, data_dir: &Path, server_url: &str, username: &str) {
    let _ = with_keyring(keyring, |e| e.delete_credential(), server_url, username);
    let _ = std::fs::remove_file(data_dir.join(PASSWORD_FILE));
}

fn save_file(
    data_dir: &Path,
    server_url: &str,
    username: &str,
    password: &str,
) -> Result<PasswordStore, CredentialsError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let path = data_dir.join(PASSWORD_FILE);
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(data_dir)?;
        let json = serde_json::to_vec(&StoredPassword {
            server_url: server_url.to_string(),
            username: username.to_string(),
            password: password.to_string(),
        })?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)?;
        // A file made before (or by hand) keeps its mode on open: set it.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(&json)?;
        file.sync_all()
    };
    write().map_err(|source| CredentialsError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(PasswordStore::File(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_keyring_the_password_is_in_a_file_only_the_user_reads() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = save(false, dir.path(), "https://s.example/", "ann", "pw 1").unwrap();
        let PasswordStore::File(path) = store else {
            panic!("the keyring was off")
        };
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            load(false, dir.path(), "https://s.example/", "ann")
                .unwrap()
                .as_deref(),
            Some("pw 1")
        );
        // Another account's password is not handed out.
        assert_eq!(
            load(false, dir.path(), "https://s.example/", "bob").unwrap(),
            None
        );
        forget(false, dir.path(), "https://s.example/", "ann");
        assert_eq!(
            load(false, dir.path(), "https://s.example/", "ann").unwrap(),
            None
        );
    }
}
