//! The gpodder.net API v2, as far as sync needs it: login, devices, subscriptions and episode
//! actions. Spoken by gpodder.net, mygpo, podsync and opodsync.
//!
//! Everything goes through the engine's one HTTP client. A session cookie from `login.json` is
//! used when the server gives one, Basic auth on each request when it does not; a `401` on the
//! cookie logs in again once.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::net::{ApiRequest, HttpClient, NetError};

/// Largest answer read: podsync's file backend lists every episode action ever uploaded.
const MAX_ANSWER_BYTES: u64 = 32 * 1024 * 1024;

/// Why a request to the sync server failed.
#[derive(Debug, thiserror::Error)]
pub enum GpodderError {
    #[error("the server refused the user name or password")]
    Unauthorized,
    #[error("the server is busy (HTTP {status})")]
    Busy {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("the server answered HTTP {status} to {what}")]
    Status { what: &'static str, status: u16 },
    #[error("the server's answer to {what} is not the gpodder API's: {detail}")]
    Malformed { what: &'static str, detail: String },
    /// A redirected POST arrives as a GET: the upload would seem done without being made.
    #[error("the server redirected {what} elsewhere; check the server address")]
    Redirected { what: &'static str },
    #[error(transparent)]
    Net(#[from] NetError),
}

impl GpodderError {
    /// Worth trying again later by itself (no network, a busy or failing server).
    pub fn is_transient(&self) -> bool {
        match self {
            GpodderError::Busy { .. } => true,
            GpodderError::Net(e) => e.is_offline() || matches!(e, NetError::Timeout { .. }),
            _ => false,
        }
    }
}

/// A device on the account, as the server lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Device {
    pub id: String,
    #[serde(default)]
    pub caption: String,
    #[serde(default, rename = "type")]
    pub kind: String,
}

/// The subscription changes for a device since a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SubscriptionChanges {
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
    #[serde(default)]
    pub timestamp: i64,
}

/// What an upload returned: the server's time, the URLs it rewrote (old, new), and those it
/// refused (rewritten to nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uploaded {
    pub timestamp: i64,
    pub update_urls: Vec<(String, String)>,
    pub rejected: Vec<String>,
}

#[derive(Deserialize)]
struct UploadedJson {
    #[serde(default)]
    timestamp: i64,
    /// `[old, new]`; mygpo writes a refused URL as `[old, ""]` or `[old, null]`.
    #[serde(default)]
    update_urls: Vec<Vec<Option<String>>>,
}

/// An episode action on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeAction {
    pub podcast: String,
    pub episode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    pub action: String,
    /// `YYYY-MM-DDTHH:MM:SS`, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

/// Episode actions since a time, and the time to ask from next.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EpisodeActions {
    pub actions: Vec<EpisodeAction>,
    /// Entries that were not episode actions (skipped, counted).
    pub skipped: usize,
    pub timestamp: i64,
}

/// The gpodder API's time format (UTC, no zone: podsync refuses one).
pub fn format_timestamp(unix_s: i64) -> String {
    chrono::DateTime::from_timestamp(unix_s, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// Reads a timestamp as servers write them: with or without `Z`, an offset or fractions.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    let naive = text.trim_end_matches(['Z', 'z']);
    chrono::NaiveDateTime::parse_from_str(naive, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

/// One account on one server.
pub struct GpodderClient<'a> {
    http: &'a HttpClient,
    root: Url,
    user: String,
    password: String,
    /// `sessionid=…` once logged in; `None` means Basic auth on each request.
    cookie: Option<String>,
}

impl<'a> GpodderClient<'a> {
    /// `root` is the server's address (`https://gpodder.net/`, or a path under which the API
    /// lives).
    pub fn new(http: &'a HttpClient, root: Url, user: &str, password: &str) -> Self {
        GpodderClient {
            http,
            root,
            user: user.to_string(),
            password: password.to_string(),
            cookie: None,
        }
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.root.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Logs in for a session cookie. A server without the login route (or one that sets no
    /// cookie) gets Basic auth on every request instead.
    pub async fn login(&mut self) -> Result<(), GpodderError> {
        self.cookie = None;
        let url = self.url(&["api", "2", "auth", &self.user, "login.json"]);
        let answer = self
            .http
            .api(ApiRequest {
                method: reqwest::Method::POST,
                url: &url,
                basic_auth: Some((&self.user, &self.password)),
                cookie: None,
                json: None,
                limit_bytes: 64 * 1024,
            })
            .await?;
        match answer.status {
            200..=299 => {
                self.cookie = answer
                    .set_cookies
                    .iter()
                    .filter_map(|c| c.split(';').next())
                    .map(str::trim)
                    .find(|c| c.starts_with("sessionid="))
                    .map(str::to_string);
                Ok(())
            }
            401 | 403 => Err(GpodderError::Unauthorized),
            404 | 405 => Ok(()),
            status => Err(status_error("login", status, answer.retry_after)),
        }
    }

    /// Ends the session on the server (best effort: the password is forgotten here anyway).
    pub async fn logout(&mut self) -> Result<(), GpodderError> {
        let url = self.url(&["api", "2", "auth", &self.user, "logout.json"]);
        let _ = self
            .send("logout", reqwest::Method::POST, &url, None)
            .await?;
        self.cookie = None;
        Ok(())
    }

    /// The account's devices, or `None` when the server does not list them (podsync's file
    /// backend answers 500 once any device is registered).
    pub async fn devices(&mut self) -> Result<Option<Vec<Device>>, GpodderError> {
        let url = self.url(&["api", "2", "devices", &format!("{}.json", self.user)]);
        match self.send("devices", reqwest::Method::GET, &url, None).await {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
            Err(GpodderError::Status { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The device's subscription changes since `since` (0: the whole list).
    pub async fn subscriptions(
        &mut self,
        device: &str,
        since: i64,
    ) -> Result<SubscriptionChanges, GpodderError> {
        let mut url = self.url(&[
            "api",
            "2",
            "subscriptions",
            &self.user,
            &format!("{device}.json"),
        ]);
        url.query_pairs_mut()
            .append_pair("since", &since.to_string());
        let bytes = match self
            .send("the subscription list", reqwest::Method::GET, &url, None)
            .await
        {
            Ok(bytes) => bytes,
            // Logged in (so the API is there), and gpodder.net answers 404 for a device it has
            // not seen yet: its list is empty until the first upload creates it.
            Err(GpodderError::Status { status: 404, .. }) if self.cookie.is_some() => {
                return Ok(SubscriptionChanges::default())
            }
            Err(e) => return Err(e),
        };
        serde_json::from_slice(&bytes).map_err(|e| GpodderError::Malformed {
            what: "the subscription list",
            detail: e.to_string(),
        })
    }

    /// Sends subscription changes for the device.
    pub async fn upload_subscriptions(
        &mut self,
        device: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<Uploaded, GpodderError> {
        let url = self.url(&[
            "api",
            "2",
            "subscriptions",
            &self.user,
            &format!("{device}.json"),
        ]);
        let body = serde_json::json!({ "add": add, "remove": remove });
        let bytes = self
            .send(
                "the subscription changes",
                reqwest::Method::POST,
                &url,
                Some(body.to_string().into_bytes()),
            )
            .await?;
        uploaded("the subscription changes", &bytes)
    }

    /// Episode actions of every device since `since`.
    pub async fn episode_actions(&mut self, since: i64) -> Result<EpisodeActions, GpodderError> {
        let mut url = self.url(&["api", "2", "episodes", &format!("{}.json", self.user)]);
        url.query_pairs_mut()
            .append_pair("since", &since.to_string());
        let bytes = self
            .send("the episode actions", reqwest::Method::GET, &url, None)
            .await?;
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            actions: Vec<serde_json::Value>,
            #[serde(default)]
            timestamp: i64,
        }
        let answer: Answer =
            serde_json::from_slice(&bytes).map_err(|e| GpodderError::Malformed {
                what: "the episode actions",
                detail: e.to_string(),
            })?;
        // One odd entry (another client's extension, a bad field) must not block the rest.
        let total = answer.actions.len();
        let actions: Vec<EpisodeAction> = answer
            .actions
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect();
        Ok(EpisodeActions {
            skipped: total - actions.len(),
            actions,
            timestamp: answer.timestamp,
        })
    }

    /// Sends episode actions.
    pub async fn upload_episode_actions(
        &mut self,
        actions: &[EpisodeAction],
    ) -> Result<Uploaded, GpodderError> {
        let url = self.url(&["api", "2", "episodes", &format!("{}.json", self.user)]);
        let body = serde_json::to_vec(actions).map_err(|e| GpodderError::Malformed {
            what: "the episode actions",
            detail: e.to_string(),
        })?;
        let bytes = self
            .send(
                "the episode actions",
                reqwest::Method::POST,
                &url,
                Some(body),
            )
            .await?;
        uploaded("the episode actions", &bytes)
    }

    /// Sends a request with the session (or Basic auth); a `401` on the session logs in once
    /// more and tries again.
    async fn send(
        &mut self,
        what: &'static str,
        method: reqwest::Method,
        url: &Url,
        json: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, GpodderError> {
        let mut relogged = false;
        loop {
            let answer = self
                .http
                .api(ApiRequest {
                    method: method.clone(),
                    url,
                    basic_auth: match self.cookie {
                        Some(_) => None,
                        None => Some((&self.user, &self.password)),
                    },
                    cookie: self.cookie.as_deref(),
                    json: json.clone(),
                    limit_bytes: MAX_ANSWER_BYTES,
                })
                .await?;
            match answer.status {
                200..=299 if answer.redirected && method == reqwest::Method::POST => {
                    return Err(GpodderError::Redirected { what })
                }
                200..=299 => return Ok(answer.bytes),
                401 | 403 if self.cookie.is_some() && !relogged => {
                    relogged = true;
                    self.login().await?;
                }
                401 | 403 => return Err(GpodderError::Unauthorized),
                status => return Err(status_error(what, status, answer.retry_after)),
            }
        }
    }
}

fn status_error(what: &'static str, status: u16, retry_after: Option<Duration>) -> GpodderError {
    if status == 429 || status >= 500 {
        GpodderError::Busy {
            status,
            retry_after,
        }
    } else {
        GpodderError::Status { what, status }
    }
}

fn uploaded(what: &'static str, bytes: &[u8]) -> Result<Uploaded, GpodderError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Uploaded::default());
    }
    let json: UploadedJson =
        serde_json::from_slice(bytes).map_err(|e| GpodderError::Malformed {
            what,
            detail: e.to_string(),
        })?;
    let mut answer = Uploaded {
        timestamp: json.timestamp,
        ..Uploaded::default()
    };
    for pair in json.update_urls {
        match pair.as_slice() {
            [Some(from), Some(to)] if !to.is_empty() && from != to => {
                answer.update_urls.push((from.clone(), to.clone()));
            }
            [Some(_), Some(to)] if !to.is_empty() => {}
            [Some(from), _] => answer.rejected.push(from.clone()),
            _ => {}
        }
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_written_without_a_zone_and_read_in_every_form() {
        assert_eq!(format_timestamp(1_700_000_000), "2023-11-14T22:13:20");
        for text in [
            "2023-11-14T22:13:20",
            "2023-11-14T22:13:20Z",
            "2023-11-14T22:13:20.250",
            "2023-11-14T23:13:20+01:00",
        ] {
            assert_eq!(parse_timestamp(text), Some(1_700_000_000), "{text}");
        }
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn an_upload_answer_keeps_real_renames_and_says_what_was_refused() {
        let answer = br#"{"timestamp": 12, "update_urls": [["a", "b"], ["c", "c"], ["d"], ["e", ""], ["f", null]]}"#;
        assert_eq!(
            uploaded("x", answer).unwrap(),
            Uploaded {
                timestamp: 12,
                update_urls: vec![("a".into(), "b".into())],
                rejected: vec!["e".into(), "f".into()],
            }
        );
        assert_eq!(uploaded("x", b"").unwrap(), Uploaded::default());
        assert!(uploaded("x", b"<html>").is_err());
    }
}
