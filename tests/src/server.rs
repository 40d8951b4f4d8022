//! A local HTTP/1.1 server on 127.0.0.1 for tests: routes with fixed answers, conditional GET,
//! delays and a request log. Written by hand (not a framework) so tests can make it misbehave
//! in exactly the ways real podcast hosts do.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A one-time misbehaviour, used by the next request to the route.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Send this many body bytes, then drop the connection.
    ResetAfter(u64),
    /// Answer this status (with a short body) instead.
    Status(u16),
    /// Declare a `Content-Length` this much larger than what is sent, then close.
    ShortBody(u64),
    /// Answer `200` with the whole body even to a `Range` request.
    IgnoreRange,
}

/// How a route answers.
#[derive(Debug, Clone)]
pub struct Route {
    pub status: u16,
    pub content_type: String,
    /// Shared, so big bodies are not copied per request.
    pub body: Arc<Vec<u8>>,
    /// Misbehaviours for the next requests, first first.
    pub faults: std::collections::VecDeque<Fault>,
    /// Sent as `ETag`; a request with a matching `If-None-Match` gets `304`.
    pub etag: Option<String>,
    /// Extra headers, e.g. `Location` for redirects.
    pub headers: Vec<(String, String)>,
    /// Wait this long before answering (to provoke timeouts).
    pub delay: Option<Duration>,
    /// Answer `Range` requests with `206 Partial Content`; otherwise ignore them (`200`).
    pub supports_range: bool,
    /// Send the body at most this fast (bytes per second), like a slow link.
    pub throttle_bytes_per_s: Option<u64>,
    /// Misbehave: answer every Range request with `206` but the bytes from 0 (and say so).
    pub lie_about_range: bool,
    /// Send no `Content-Length`: the body ends when the connection closes.
    pub close_delimited: bool,
    /// A network round trip: each answer starts this long after its request, and a new
    /// connection's first answer one round trip later again (its handshake).
    pub round_trip: Option<Duration>,
    /// The link all of this route's answers share (bytes per second), beside each one's own
    /// `throttle_bytes_per_s`: one connection slower than the link.
    pub link: Option<Arc<LinkPacer>>,
}

/// Paces bytes over a link shared by several connections: each piece is given the next free
/// slot of the link's rate.
#[derive(Debug)]
pub struct LinkPacer {
    bytes_per_s: u64,
    next_free: Mutex<Option<tokio::time::Instant>>,
}

impl LinkPacer {
    /// When a piece of `len` bytes may go, the link's time for it taken.
    fn slot(&self, len: usize) -> tokio::time::Instant {
        let mut next = self.next_free.lock().unwrap_or_else(|p| p.into_inner());
        let now = tokio::time::Instant::now();
        let at = next.map_or(now, |n| n.max(now));
        *next = Some(at + Duration::from_secs_f64(len as f64 / self.bytes_per_s as f64));
        at
    }
}

impl Route {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Route {
            status: 200,
            content_type: content_type.to_string(),
            body: Arc::new(body.into()),
            faults: Default::default(),
            etag: None,
            headers: Vec::new(),
            delay: None,
            supports_range: false,
            throttle_bytes_per_s: None,
            lie_about_range: false,
            close_delimited: false,
            round_trip: None,
            link: None,
        }
    }

    /// A file served with `Range` support, as podcast CDNs do.
    pub fn file(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Route {
            supports_range: true,
            ..Route::ok(content_type, body)
        }
    }

    pub fn status(status: u16) -> Self {
        Route {
            status,
            ..Route::ok("text/plain", format!("status {status}"))
        }
    }

    pub fn redirect(to: &str) -> Self {
        let mut route = Route::status(302);
        route.headers.push(("Location".into(), to.into()));
        route
    }

    pub fn with_etag(mut self, etag: &str) -> Self {
        self.etag = Some(etag.to_string());
        self
    }

    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// The next requests misbehave in these ways, one each.
    pub fn with_faults(mut self, faults: impl IntoIterator<Item = Fault>) -> Self {
        self.faults.extend(faults);
        self
    }

    pub fn with_throttle(mut self, bytes_per_s: u64) -> Self {
        self.throttle_bytes_per_s = Some(bytes_per_s.max(1));
        self
    }

    /// Answers after a round trip of `rtt` (two on a new connection: its handshake).
    pub fn with_round_trip(mut self, rtt: Duration) -> Self {
        self.round_trip = Some(rtt);
        self
    }

    /// All answers of this route share a link of `bytes_per_s`.
    pub fn with_link(mut self, bytes_per_s: u64) -> Self {
        self.link = Some(Arc::new(LinkPacer {
            bytes_per_s: bytes_per_s.max(1),
            next_free: Mutex::new(None),
        }));
        self
    }

    /// An extra response header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// No `Content-Length`: the body ends when the server closes the connection.
    pub fn close_delimited(mut self) -> Self {
        self.close_delimited = true;
        self
    }
}

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub status: u16,
    /// Body bytes the server meant to send in its answer.
    pub body_bytes: u64,
    /// Body bytes actually written to the connection (less when the client hung up early).
    pub sent_bytes: u64,
    /// When the request came in.
    pub received_at: std::time::Instant,
    /// When its answer ended: all sent, cut off, or the client gone (`None` while sending).
    pub ended_at: Option<std::time::Instant>,
}

#[derive(Default)]
struct Shared {
    routes: HashMap<String, Route>,
    log: Vec<SeenRequest>,
    /// While set and in the future, the host is "down": connections are reset at once and
    /// transfers in flight are cut.
    down_until: Option<std::time::Instant>,
}

impl Shared {
    fn is_down(&self) -> bool {
        self.down_until
            .is_some_and(|until| std::time::Instant::now() < until)
    }
}

/// A running server; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Starts on an ephemeral port of 127.0.0.1.
    pub async fn start() -> std::io::Result<TestServer> {
        Self::start_on(0).await
    }

    /// Starts on a given port of 127.0.0.1 (0 = any), e.g. to come back on the same URL.
    pub async fn start_on(port: u16) -> std::io::Result<TestServer> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Mutex::new(Shared::default()));
        let for_task = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                if lock(&for_task).is_down() {
                    reset(stream);
                    continue;
                }
                let shared = Arc::clone(&for_task);
                tokio::spawn(async move {
                    let _ = serve_connection(stream, shared).await;
                });
            }
        });
        Ok(TestServer { addr, shared, task })
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url(), path)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn route(&self, path: &str, route: Route) {
        lock(&self.shared).routes.insert(path.to_string(), route);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<SeenRequest> {
        lock(&self.shared).log.clone()
    }

    /// The most requests for `path` that were being answered at one time.
    pub fn most_at_once(&self, path: &str) -> usize {
        let log = self.requests();
        let spans: Vec<_> = log
            .iter()
            .filter(|r| r.path == path)
            .map(|r| (r.received_at, r.ended_at))
            .collect();
        spans
            .iter()
            .map(|&(at, _)| {
                spans
                    .iter()
                    .filter(|&&(from, to)| from <= at && to.is_none_or(|to| to > at))
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// Takes the host down (`true`) until brought back up: every connection is reset as it
    /// arrives, and transfers in flight are cut mid-body, as when a network drops.
    pub fn set_down(&self, down: bool) {
        lock(&self.shared).down_until =
            down.then(|| std::time::Instant::now() + Duration::from_secs(365 * 24 * 3600));
    }

    /// Down for `duration` from now, then up by itself.
    pub fn down_for(&self, duration: Duration) {
        lock(&self.shared).down_until = Some(std::time::Instant::now() + duration);
    }

    /// Stops accepting connections (the port is closed: clients see "connection refused").
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Drops a connection with a TCP reset, not a polite close.
fn reset(stream: TcpStream) {
    // Deprecated because a non-zero linger blocks on drop; a zero one resets at once.
    #[allow(deprecated)]
    let _ = stream.set_linger(Some(Duration::ZERO));
    drop(stream);
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

async fn serve_connection(stream: TcpStream, shared: Arc<Mutex<Shared>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut new_connection = true;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).await? == 0 {
            return Ok(());
        }
        let received_at = std::time::Instant::now();
        if lock(&shared).is_down() {
            if let Ok(stream) = reader.into_inner().reunite(write) {
                reset(stream);
            }
            return Ok(());
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        let mut headers = HashMap::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let (route, fault) = {
            let mut shared = lock(&shared);
            match shared.routes.get_mut(&path) {
                Some(route) => {
                    let fault = route.faults.pop_front();
                    (route.clone(), fault)
                }
                None => (Route::status(404), None),
            }
        };
        let route = match fault {
            Some(Fault::Status(status)) => Route::status(status),
            _ => route,
        };
        // If-Range: a validator that is not the current one means "send it all".
        let if_range_stale = headers
            .get("if-range")
            .is_some_and(|v| route.etag.as_ref() != Some(v));
        if let Some(delay) = route.delay {
            tokio::time::sleep(delay).await;
        }
        if let Some(rtt) = route.round_trip {
            tokio::time::sleep(if new_connection { rtt * 2 } else { rtt }).await;
        }
        new_connection = false;
        let not_modified =
            route.etag.is_some() && headers.get("if-none-match") == route.etag.as_ref();
        let range = headers
            .get("range")
            .filter(|_| route.supports_range && route.status == 200 && !not_modified)
            .filter(|_| !if_range_stale && fault != Some(Fault::IgnoreRange))
            .and_then(|r| parse_range(r, route.body.len() as u64))
            .map(|(start, end)| {
                if route.lie_about_range {
                    (0, end - start)
                } else {
                    (start, end)
                }
            });
        let status = match (not_modified, range) {
            (true, _) => 304,
            (false, Some(_)) => 206,
            (false, None) => route.status,
        };
        let body: &[u8] = match range {
            _ if not_modified => &[],
            Some((start, end)) => &route.body[start as usize..=end as usize],
            None => &route.body,
        };
        let log_index = {
            let mut seen = lock(&shared);
            seen.log.push(SeenRequest {
                path,
                headers,
                status,
                body_bytes: body.len() as u64,
                sent_bytes: 0,
                received_at,
                ended_at: None,
            });
            seen.log.len() - 1
        };
        let _ended = MarkEnded {
            shared: &shared,
            log_index,
        };

        let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
        if let Some((start, end)) = range {
            head.push_str(&format!(
                "Content-Range: bytes {start}-{end}/{}\r\n",
                route.body.len()
            ));
        }
        if route.supports_range {
            head.push_str("Accept-Ranges: bytes\r\n");
        }
        head.push_str(&format!("Content-Type: {}\r\n", route.content_type));
        if let Some(etag) = &route.etag {
            head.push_str(&format!("ETag: {etag}\r\n"));
        }
        for (k, v) in &route.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        let (body, declared) = match fault {
            Some(Fault::ResetAfter(n)) => {
                (&body[..(n as usize).min(body.len())], body.len() as u64)
            }
            Some(Fault::ShortBody(extra)) => (body, body.len() as u64 + extra),
            _ => (body, body.len() as u64),
        };
        if route.close_delimited {
            head.push_str("Connection: close\r\n\r\n");
        } else {
            head.push_str(&format!("Content-Length: {declared}\r\n\r\n"));
        }
        write.write_all(head.as_bytes()).await?;
        // In small pieces, counted as they go: tests check how much of a file was really sent.
        let started = tokio::time::Instant::now();
        let mut sent = 0u64;
        for piece in body.chunks(16 << 10) {
            if let Some(rate) = route.throttle_bytes_per_s {
                let due = started + Duration::from_secs_f64(sent as f64 / rate as f64);
                tokio::time::sleep_until(due).await;
            }
            if let Some(link) = &route.link {
                tokio::time::sleep_until(link.slot(piece.len())).await;
            }
            if lock(&shared).is_down() {
                // The network went away mid-transfer.
                if let Ok(stream) = reader.into_inner().reunite(write) {
                    reset(stream);
                }
                return Ok(());
            }
            write.write_all(piece).await?;
            sent += piece.len() as u64;
            if let Some(seen) = lock(&shared).log.get_mut(log_index) {
                seen.sent_bytes = sent;
            }
        }
        write.flush().await?;
        if route.close_delimited {
            // The end of the body is the end of the connection.
            return Ok(());
        }
        if matches!(fault, Some(Fault::ResetAfter(_) | Fault::ShortBody(_))) {
            // Cut the connection with the body unfinished.
            return Ok(());
        }
    }
}

/// Notes when an answer ended, however it ended.
struct MarkEnded<'a> {
    shared: &'a Mutex<Shared>,
    log_index: usize,
}

impl Drop for MarkEnded<'_> {
    fn drop(&mut self) {
        if let Some(seen) = lock(self.shared).log.get_mut(self.log_index) {
            seen.ended_at.get_or_insert_with(std::time::Instant::now);
        }
    }
}

/// `bytes=START-END` or `bytes=START-` within a body of `len` bytes, clamped to it.
fn parse_range(value: &str, len: u64) -> Option<(u64, u64)> {
    let spec = value.trim().strip_prefix("bytes=")?;
    let (start, end) = spec.split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end: u64 = match end.trim() {
        "" => len.checked_sub(1)?,
        e => e.parse::<u64>().ok()?.min(len.checked_sub(1)?),
    };
    (start <= end).then_some((start, end))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    }
}
