//! The real app, launched under Xvfb through tauri-driver (which drives Debian's
//! WebKitWebDriver), and driven with fantoccini.

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use fantoccini::error::NewSessionError;
use fantoccini::{Client, ClientBuilder, Locator};

/// One app at a time: two windows on one Xvfb display overlap, and WebKitWebDriver's
/// screenshots and clicks on a covered window stall.
static ONE_APP_AT_A_TIME: LazyLock<Arc<tokio::sync::Mutex<()>>> =
    LazyLock::new(|| Arc::new(tokio::sync::Mutex::new(())));

/// A running app session. Dropping it ends the app, WebKitWebDriver and tauri-driver.
pub struct AppSession {
    pub client: Client,
    driver: Child,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

/// Where the desktop app's binary is: `CHAPTERCAST_APP_BIN`, else the workspace's debug build
/// of `chaptercast-app` (what the desktop entry starts).
pub fn app_binary() -> anyhow::Result<PathBuf> {
    built_binary("CHAPTERCAST_APP_BIN", "chaptercast-app")
}

/// Where the command line's binary is: `CHAPTERCAST_CLI_BIN`, else the workspace's debug build
/// of `chaptercast` (no GTK; with no subcommand it execs the app beside it).
pub fn cli_binary() -> anyhow::Result<PathBuf> {
    built_binary("CHAPTERCAST_CLI_BIN", "chaptercast")
}

/// `$override_var`, else `name` in the workspace's debug build.
fn built_binary(override_var: &str, name: &str) -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os(override_var) {
        return Ok(PathBuf::from(path));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = target.join("debug").join(name);
    if !path.exists() {
        bail!("{} does not exist: build it first (`cargo build --workspace --all-targets`, `make test` does)", path.display());
    }
    Ok(path.canonicalize()?)
}

/// The environment that points the app at a fresh library and a local feed, with a short
/// HTTP timeout so offline paths are quick.
pub fn app_env(
    data_dir: &Path,
    feed_url: &str,
    http_timeout_s: &str,
) -> Vec<(&'static str, String)> {
    vec![
        (
            "CHAPTERCAST_DATA_DIR",
            data_dir.to_string_lossy().into_owned(),
        ),
        ("CHAPTERCAST_DEFAULT_FEED", feed_url.to_string()),
        ("CHAPTERCAST_HTTP_TIMEOUT_S", http_timeout_s.to_string()),
        // The webview's own storage (the theme and skip lengths in localStorage) with the
        // library, so that one test's choices cannot leak into the next.
        (
            "XDG_DATA_HOME",
            data_dir.join("xdg-data").to_string_lossy().into_owned(),
        ),
    ]
}

/// `chaptercast ARGS…` with no display, on the library in `data_dir`, with a short HTTP
/// timeout; waits for it to end.
pub async fn run_cli_in(data_dir: &Path, args: &[&str]) -> std::process::Output {
    let binary = cli_binary().expect("cli binary");
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let dir = data_dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .args(&args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("CHAPTERCAST_DATA_DIR", &dir)
            .env("CHAPTERCAST_HTTP_TIMEOUT_S", "2")
            .output()
            .expect("run chaptercast")
    })
    .await
    .expect("join")
}

/// The JSON a command printed; it must have succeeded.
pub fn ok_json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// Ctrl+`key` as WebDriver keys.
pub fn ctrl(key: char) -> String {
    use fantoccini::key::Key;
    format!("{}{key}{}", char::from(Key::Control), char::from(Key::Null))
}

/// One special key (Enter, Tab, Escape, an arrow…) as WebDriver keys.
pub fn key(key: fantoccini::key::Key) -> String {
    char::from(key).to_string()
}

/// Shift held with `key`, as WebDriver keys.
pub fn shift(key: fantoccini::key::Key) -> String {
    use fantoccini::key::Key;
    format!(
        "{}{}{}",
        char::from(Key::Shift),
        char::from(key),
        char::from(Key::Null)
    )
}

/// The pause between two tries of a WebDriver query.
async fn pause_before_retry() {
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Folder for screenshots and logs: `<workspace>/artifacts/e2e`.
pub fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts/e2e");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn tauri_driver() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return Ok(PathBuf::from(path));
    }
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin")));
    for dir in candidates {
        let path = dir.join("tauri-driver");
        if path.is_file() {
            return Ok(path);
        }
    }
    bail!("tauri-driver is not installed (`cargo install tauri-driver --locked`; `make test` does it)")
}

/// Two distinct free ports. Both listeners are held while asking: a port given back could be
/// handed out again at once, and tauri-driver told to proxy to its own port loops forever.
fn two_free_ports() -> anyhow::Result<(u16, u16)> {
    let first = std::net::TcpListener::bind("127.0.0.1:0")?;
    let second = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok((first.local_addr()?.port(), second.local_addr()?.port()))
}

impl AppSession {
    /// Starts the app with these extra environment variables (e.g. `CHAPTERCAST_DATA_DIR`).
    pub async fn launch(env: &[(&str, String)]) -> anyhow::Result<AppSession> {
        if std::env::var_os("DISPLAY").is_none() {
            bail!("DISPLAY is not set: the end-to-end tests need Xvfb (`make test` starts it)");
        }
        // Two rustls crypto backends are linked in (fantoccini's and reqwest's): pick one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let app = app_binary()?;
        let turn = Arc::clone(&ONE_APP_AT_A_TIME).lock_owned().await;
        let (port, native_port) = two_free_ports()?;
        let log = std::fs::File::create(artifacts_dir().join(format!("tauri-driver-{port}.log")))?;
        let mut command = Command::new(tauri_driver()?);
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            // Its own process group, so the driver, WebKitWebDriver and the app end together.
            .process_group(0);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut driver = command.spawn().context("starting tauri-driver")?;
        // tauri-driver listens at once but starts WebKitWebDriver (on the native port) in the
        // background; a session asked for before that one listens fails with "client error
        // (Connect)", which a busy machine makes likely. Wait for both.
        let deadline = Instant::now() + Duration::from_secs(20);
        for (what, p) in [("tauri-driver", port), ("WebKitWebDriver", native_port)] {
            while TcpStream::connect(("127.0.0.1", p)).is_err() {
                if Instant::now() > deadline {
                    kill_group(&mut driver);
                    bail!("{what} did not listen on port {p}");
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.to_string_lossy() }),
        );
        caps.insert("browserName".into(), serde_json::json!("wry"));
        // Listening is not quite serving yet: a dropped first request is tried again.
        let mut attempt = 1;
        let client = loop {
            let client = ClientBuilder::rustls()
                .context("webdriver client")?
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match client {
                Err(
                    error @ (NewSessionError::Failed(_)
                    | NewSessionError::FailedC(_)
                    | NewSessionError::Lost(_)),
                ) if attempt < 3 => {
                    eprintln!("WebDriver session request {attempt} failed ({error}); again");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                other => break other,
            }
        };
        match client {
            Ok(client) => Ok(AppSession {
                client,
                driver,
                _turn: turn,
            }),
            Err(e) => {
                kill_group(&mut driver);
                Err(e).context("starting the app through WebDriver")
            }
        }
    }

    /// Waits until `css` matches at least `count` elements.
    pub async fn wait_for_count(
        &self,
        css: &str,
        count: usize,
        timeout: Duration,
    ) -> anyhow::Result<Vec<fantoccini::elements::Element>> {
        let deadline = Instant::now() + timeout;
        loop {
            // A page that reloads (the UI starting over on a fresh library) cuts a query short
            // ("Callback was not called before the unload event"): ask again until the
            // deadline, and report the last answer if it never comes.
            let found = match self.client.find_all(Locator::Css(css)).await {
                Ok(found) if found.len() >= count => return Ok(found),
                Ok(found) => format!("found {}", found.len()),
                Err(e) if Instant::now() <= deadline => format!("{e}"),
                Err(e) => return Err(e.into()),
            };
            if Instant::now() > deadline {
                bail!("timed out waiting for {count} × `{css}` ({found})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `css` matches an element, and returns it.
    pub async fn wait_for(
        &self,
        css: &str,
        timeout: Duration,
    ) -> anyhow::Result<fantoccini::elements::Element> {
        let mut found = self.wait_for_count(css, 1, timeout).await?;
        found.pop().context("element vanished")
    }

    /// Clicks the `index`-th element matching `css`, finding it afresh on every try: the UI
    /// re-renders lists after a refresh, which leaves earlier element handles stale.
    pub async fn click_nth(
        &self,
        css: &str,
        index: usize,
        timeout: Duration,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = match self.client.find_all(Locator::Css(css)).await {
                Ok(found) => found,
                // A reloading page cuts queries short: try again (see `wait_for_count`).
                Err(_) if Instant::now() <= deadline => {
                    pause_before_retry().await;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let error = match found.get(index) {
                Some(element) => match element.clone().click().await {
                    Ok(()) => return Ok(()),
                    Err(e) => e.to_string(),
                },
                None => format!("only {} × `{css}`", found.len()),
            };
            if Instant::now() > deadline {
                bail!("could not click `{css}` #{index}: {error}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The trimmed `textContent` of every element matching `css` (rows scrolled out of view
    /// count too), read in one script so that a list the UI re-renders meanwhile cannot leave
    /// a stale element.
    pub async fn texts(&self, css: &str) -> anyhow::Result<Vec<String>> {
        let value = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent.trim());",
                vec![serde_json::json!(css)],
            )
            .await?;
        Ok(serde_json::from_value(value)?)
    }

    /// Waits until the text of the first element matching `css` contains `needle`, finding the
    /// element afresh each time. Returns the text.
    pub async fn wait_for_text(
        &self,
        css: &str,
        needle: &str,
        timeout: Duration,
    ) -> anyhow::Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let mut text = String::new();
            if let Some(element) = self.client.find_all(Locator::Css(css)).await?.first() {
                text = element
                    .prop("textContent")
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                if text.contains(needle) {
                    return Ok(text);
                }
            }
            if Instant::now() > deadline {
                bail!("`{css}` never contained {needle:?}; it had {text:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a screenshot of the X display as `artifacts/e2e/<name>.png` (ImageMagick's
    /// `import`): WebKitWebDriver's own screenshot waits for a frame that an idle window under
    /// Xvfb may never paint.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let path = artifacts_dir().join(format!("{name}.png"));
        let target = path.clone();
        let status = tokio::task::spawn_blocking(move || {
            Command::new("import")
                .args(["-window", "root"])
                .arg(&target)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
        })
        .await?
        .context("running ImageMagick's import (package imagemagick)")?;
        anyhow::ensure!(
            status.success(),
            "import failed to take a screenshot: {status}"
        );
        Ok(path)
    }

    /// Resizes the app's window to `width`×`height` CSS pixels and waits until the page has
    /// its new size. WebDriver's Set Window Rect first; where the driver cannot (WebKitWebDriver
    /// with a Tauri window may not), xdotool on the test's X display, which has no window
    /// manager and so no decorations: the window's size is the page's.
    pub async fn resize(&self, width: u32, height: u32) -> anyhow::Result<()> {
        let size = || async {
            let v = self
                .client
                .execute("return [window.innerWidth, window.innerHeight];", vec![])
                .await?;
            anyhow::Ok(serde_json::from_value::<(u32, u32)>(v)?)
        };
        if self.client.set_window_size(width, height).await.is_err()
            || size().await? != (width, height)
        {
            let out = Command::new("xdotool")
                .args(["search", "--onlyvisible", "--name", "^Chaptercast$"])
                .output()
                .context("running xdotool (install it: scripts/install-deps.sh --test)")?;
            let listed = String::from_utf8_lossy(&out.stdout);
            let window = listed
                .lines()
                .last()
                .context("no Chaptercast window for xdotool")?;
            let status = Command::new("xdotool")
                .args([
                    "windowsize",
                    "--sync",
                    window,
                    &width.to_string(),
                    &height.to_string(),
                ])
                .status()?;
            anyhow::ensure!(status.success(), "xdotool windowsize failed: {status}");
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = size().await?;
            if got == (width, height) {
                // One more frame for layout that follows the resize (media queries, lists).
                tokio::time::sleep(Duration::from_millis(300)).await;
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the window is {}×{}, not {width}×{height}", got.0, got.1);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Keys typed into whatever has the focus, as a listener types them (`ctrl`, `shift` and
    /// `key` make the special ones).
    pub async fn type_keys(&self, keys: &str) -> anyhow::Result<()> {
        self.client.active_element().await?.send_keys(keys).await?;
        Ok(())
    }

    /// Runs a script in the page and returns what it returns.
    pub async fn eval<T: serde::de::DeserializeOwned>(
        &self,
        script: &str,
        args: Vec<serde_json::Value>,
    ) -> anyhow::Result<T> {
        let value = self.client.execute(script, args).await?;
        serde_json::from_value(value).with_context(|| format!("the script's answer to {script:?}"))
    }

    /// Ends the WebDriver session (closing the app) and the driver.
    pub async fn close(mut self) -> anyhow::Result<()> {
        let result = self.client.clone().close().await;
        self.stop_driver();
        result.context("closing the session")
    }

    fn stop_driver(&mut self) {
        kill_group(&mut self.driver);
    }
}

/// Ends a process group started with `process_group(0)` (its id is the leader's pid).
fn kill_group(leader: &mut Child) {
    let group = format!("-{}", leader.id());
    let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
    let _ = leader.kill();
    let _ = leader.wait();
}

impl Drop for AppSession {
    fn drop(&mut self) {
        self.stop_driver();
    }
}

/// Runs a command with `stdin` written to its standard input and both output streams captured.
pub fn output_with_stdin(
    command: &mut std::process::Command,
    stdin: &str,
) -> std::io::Result<std::process::Output> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes())?;
    }
    child.wait_with_output()
}

/// The stdout of a run of the binary that must have succeeded; else a failure showing its exit
/// code and both streams.
pub fn succeeded(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Which native file dialog to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileDialog {
    /// An open dialog: the path goes into its location field (Ctrl+L).
    Open,
    /// A save dialog: the path replaces the suggested name.
    Save,
}

/// Answers the app's native (GTK) file dialog titled `title` with `path`, as a listener would:
/// the page never names a file, so the test types it into the dialog. Uses `xdotool` on the
/// test's X display.
pub async fn answer_file_dialog(title: &str, kind: FileDialog, path: &Path) -> anyhow::Result<()> {
    let xdotool = |args: &[&str]| -> anyhow::Result<String> {
        let out = Command::new("xdotool")
            .args(args)
            .output()
            .context("running xdotool (install it: scripts/install-deps.sh --test)")?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let window = loop {
        let found = xdotool(&["search", "--onlyvisible", "--name", title])?;
        if let Some(id) = found.lines().last().filter(|l| !l.is_empty()) {
            break id.to_string();
        }
        if Instant::now() > deadline {
            bail!("no \"{title}\" dialog appeared");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    xdotool(&["windowfocus", "--sync", &window])?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let first = match kind {
        FileDialog::Open => "ctrl+l",
        FileDialog::Save => "ctrl+a",
    };
    xdotool(&["key", "--clearmodifiers", first])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    xdotool(&["type", "--delay", "15", &path.to_string_lossy()])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    xdotool(&["key", "--clearmodifiers", "Return"])?;
    Ok(())
}
