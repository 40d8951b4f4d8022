//! What the desktop hands the app to open: a browser's subscribe link (`podcast://…`, `itpc://…`,
//! `feed:https://…`), a feed URL, or a file from a file manager (an OPML list, a saved feed), on
//! the command line of the first launch or of a second one, which passes it to the running
//! window. The window asks first ("Subscribe to …?"); the page names a file by its request's
//! number, never by its path.

use std::path::PathBuf;
use std::sync::Mutex;

use chaptercast_engine::feed_link::{feed_file_self_url, MAX_FEED_FILE_BYTES};
use chaptercast_engine::launch::Opened;
use chaptercast_engine::messages::user_message;
use chaptercast_engine::RefreshError;
use serde::Serialize;
use specta::Type;
use tauri::State;

use crate::error::{CommandError, ErrorKind};
use crate::state::AppState;
use crate::wire::OpmlImportReport;

/// Sent when a second launch handed over something to open: the window takes it with
/// `take_open_requests`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, Type, tauri_specta::Event)]
#[tauri_specta(event_name = "open-requested")]
pub struct OpenRequested {
    pub count: u32,
}

/// Requests waiting for the window, numbered as they came. One owner: the UI takes them.
#[derive(Default)]
pub struct OpenedQueue {
    inner: Mutex<(u32, Vec<(u32, Opened)>)>,
}

impl OpenedQueue {
    pub fn push(&self, opened: Opened) {
        if let Ok(mut guard) = self.inner.lock() {
            let (next, items) = &mut *guard;
            *next += 1;
            items.push((*next, opened));
        }
    }

    fn take_all(&self) -> Vec<(u32, Opened)> {
        self.inner
            .lock()
            .map(|mut guard| std::mem::take(&mut guard.1))
            .unwrap_or_default()
    }
}

/// Files taken by the page, kept here until it answers: the page only ever sees their names.
#[derive(Default)]
pub struct OpenedFiles(Mutex<Vec<(u32, PathBuf)>>);

/// What the window is asked to open.
#[derive(Debug, Clone, Serialize, Type)]
pub struct OpenRequest {
    pub id: u32,
    /// "feed": `link` is a feed's link or URL to preview and subscribe to; "opml": `name` is an
    /// OPML file to import; "error": `problem` says why the file cannot be opened.
    pub kind: String,
    pub link: Option<String>,
    pub name: Option<String>,
    pub problem: Option<String>,
}

/// A feed looked up before subscribing.
#[derive(Debug, Clone, Serialize, Type)]
pub struct FeedPreview {
    /// The URL that answered (https for a link that did not say).
    pub url: String,
    pub title: String,
    pub episode_count: u32,
}

/// What opening a link found: the feed, or that https failed and plain http might work.
#[derive(Debug, Clone, Serialize, Type)]
pub struct LinkPreview {
    pub feed: Option<FeedPreview>,
    /// Why https failed, when `http_fallback` is offered.
    pub https_problem: Option<String>,
    /// The same feed over plain http: only used if the listener agrees.
    pub http_fallback: Option<String>,
}

/// The requests that arrived since the last call (at start: the launch's own).
#[tauri::command]
#[specta::specta]
pub async fn take_open_requests(
    queue: State<'_, OpenedQueue>,
    files: State<'_, OpenedFiles>,
) -> Result<Vec<OpenRequest>, CommandError> {
    let mut out = Vec::new();
    for (id, opened) in queue.take_all() {
        out.push(match opened {
            Opened::Link(link) => OpenRequest {
                id,
                kind: "feed".into(),
                link: Some(link),
                name: None,
                problem: None,
            },
            Opened::File(path) => request_for_file(id, path, &files).await,
        });
    }
    Ok(out)
}

/// A file: OPML is imported (kept here by number); a saved feed is subscribed at the address
/// it names; anything else is a sentence saying why not.
async fn request_for_file(id: u32, path: PathBuf, files: &OpenedFiles) -> OpenRequest {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let problem = |problem: String| OpenRequest {
        id,
        kind: "error".into(),
        link: None,
        name: Some(name.clone()),
        problem: Some(problem),
    };
    let size = match tokio::fs::metadata(&path).await {
        Ok(meta) => meta.len(),
        Err(e) => return problem(format!("Could not read {name}: {e}.")),
    };
    if size > MAX_FEED_FILE_BYTES {
        return problem(format!(
            "{name} is too large for a feed or a subscription list."
        ));
    }
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(e) => return problem(format!("Could not read {name}: {e}.")),
    };
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    if head.contains("<opml") {
        if let Ok(mut kept) = files.0.lock() {
            kept.push((id, path));
        }
        return OpenRequest {
            id,
            kind: "opml".into(),
            link: None,
            name: Some(name),
            problem: None,
        };
    }
    match feed_file_self_url(&bytes) {
        Some(url) => OpenRequest {
            id,
            kind: "feed".into(),
            link: Some(url.to_string()),
            name: Some(name),
            problem: None,
        },
        None => problem(format!(
            "{name} does not say where its feed is online, so its episodes could not stay up to date: subscribe with the feed's web address instead."
        )),
    }
}

/// Looks a link's feed up without subscribing.
#[tauri::command]
#[specta::specta]
pub async fn preview_feed_link(
    app: State<'_, AppState>,
    link: String,
) -> Result<LinkPreview, CommandError> {
    match app.engine.preview_feed(&link).await {
        Ok((url, feed)) => Ok(LinkPreview {
            feed: Some(FeedPreview {
                url,
                title: feed.title,
                episode_count: u32::try_from(feed.episodes.len()).unwrap_or(u32::MAX),
            }),
            https_problem: None,
            http_fallback: None,
        }),
        Err(RefreshError::HttpsFailed { http, source, .. }) => Ok(LinkPreview {
            feed: None,
            https_problem: Some(user_message(&source)),
            http_fallback: Some(http),
        }),
        Err(other) => Err(other.into()),
    }
}

/// Imports an OPML file the desktop opened (by its request's number).
#[tauri::command]
#[specta::specta]
pub async fn import_opened_opml(
    app: State<'_, AppState>,
    files: State<'_, OpenedFiles>,
    request_id: u32,
) -> Result<OpmlImportReport, CommandError> {
    let path = files
        .0
        .lock()
        .ok()
        .and_then(|mut kept| {
            let at = kept.iter().position(|(id, _)| *id == request_id)?;
            Some(kept.remove(at).1)
        })
        .ok_or_else(|| {
            CommandError::new(
                ErrorKind::BadInput,
                "That file was already imported or dismissed.",
            )
        })?;
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        CommandError::new(
            ErrorKind::BadInput,
            format!("Could not read {}: {e}.", path.display()),
        )
    })?;
    let report = app
        .engine
        .import_opml(&bytes)
        .await
        .map_err(|e| CommandError::new(ErrorKind::BadInput, format!("{e}.")))?;
    Ok(report.into())
}
