//! A real gpodder API server for the sync tests: podsync (`cargo install podsync`, which
//! `make test` does), on 127.0.0.1 with a data folder of its own; and mygpoclient, gPodder's
//! client library, as a second client.
//!
//! Under `CI=true` a missing tool is a failure; elsewhere the test says it skipped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// The user every test logs in as.
pub const USER: &str = "listener";
pub const PASSWORD: &str = "correct horse";

/// A running podsync. Dropping it stops it.
pub struct Podsync {
    child: Option<Child>,
    data: tempfile::TempDir,
    port: u16,
}

fn ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// The podsync binary, or `None` (a skip) outside CI when it is not installed.
fn podsync_binary() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PODSYNC_BIN").map(PathBuf::from),
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/podsync")),
    ];
    let found = candidates
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
        .or_else(|| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join("podsync"))
                    .find(|p| p.is_file())
            })
        });
    if found.is_none() {
        assert!(
            !ci(),
            "podsync is not installed (CI=true requires it; `make test-deps` installs it)"
        );
        eprintln!("SKIPPED: podsync is not installed (cargo install podsync --locked)");
    }
    found
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Podsync {
    /// Starts podsync with one user ([`USER`], [`PASSWORD`]); `None` when skipped.
    pub fn start() -> Option<Podsync> {
        let binary = podsync_binary()?;
        let data = tempfile::tempdir().expect("podsync data dir");
        let user_dir = data.path().join("users").join(USER);
        std::fs::create_dir_all(&user_dir).expect("user dir");
        let hash = hex(&Sha256::digest(PASSWORD.as_bytes()));
        std::fs::write(user_dir.join("creds.txt"), format!("pwhash: {hash}\n")).expect("creds");
        // podsync 1.0.5's file backend keeps each user's lists beside their credentials.
        for file in ["devices.txt", "subs.txt", "episodes.txt"] {
            std::fs::write(user_dir.join(file), "").expect("podsync file");
        }
        let mut server = Podsync {
            child: None,
            data,
            port: free_port(),
        };
        server.resume_with(&binary);
        Some(server)
    }

    fn resume_with(&mut self, binary: &Path) {
        let child = Command::new(binary)
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string(), "-d"])
            .arg(self.data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start podsync");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "podsync did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The server's address as a listener types it.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the server (the network is "down"); [`Podsync::resume`] starts it again with the
    /// same data on the same port.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn resume(&mut self) {
        let binary = podsync_binary().expect("podsync");
        self.resume_with(&binary);
    }

    /// Changes the user's password on the server (as if changed from another device).
    pub fn set_password(&self, password: &str) {
        let hash = hex(&Sha256::digest(password.as_bytes()));
        std::fs::write(
            self.data.path().join("users").join(USER).join("creds.txt"),
            format!("pwhash: {hash}\n"),
        )
        .expect("creds");
    }
}

impl Drop for Podsync {
    fn drop(&mut self) {
        self.stop();
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The Python that Debian's `python3-mygpoclient` is installed for: the system's, not one
/// earlier in PATH (pyenv).
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").is_file() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// Runs `tests/mygpo_client.py` (mygpoclient) against the server; `None` (a skip) outside CI
/// when mygpoclient is not installed.
pub fn mygpo(server: &Podsync, args: &[&str], stdin: Option<&str>) -> Option<serde_json::Value> {
    let available = Command::new(python())
        .args(["-c", "import mygpoclient"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            !ci(),
            "mygpoclient is not installed (CI=true requires it; Debian: python3-mygpoclient)"
        );
        eprintln!("SKIPPED: mygpoclient is not installed (python3-mygpoclient)");
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("mygpo_client.py");
    let out: Output = crate::app::output_with_stdin(
        Command::new(python())
            .arg(script)
            .args([server.url().as_str(), USER, PASSWORD])
            .args(args),
        stdin.unwrap_or(""),
    )
    .expect("run mygpo_client.py");
    assert!(
        out.status.success(),
        "mygpo_client.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("mygpo_client.py printed JSON"))
}
