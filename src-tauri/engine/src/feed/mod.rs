//! RSS/Atom bytes -> plain structs. No I/O, no SQL.
//!
//! The XML itself is read by the rust-syndication crates (`rss` for RSS 0.9x/1.0/2.0 with its
//! iTunes extension, `atom_syndication` for Atom); this module maps what they found onto the
//! podcast model: which items are episodes, their guid, duration, dates, show notes and the
//! Podcasting 2.0 / Podlove extensions the crates keep as raw extension elements.

mod atom;
mod decode;
mod fields;
pub mod limits;
mod rss;
pub mod sanitize;

use chrono::{DateTime, Utc};
use serde::Serialize;
use url::Url;

pub use fields::{parse_duration_s, parse_published};

/// Namespace URIs of the Podcasting 2.0 namespace: the current one and the older GitHub one
/// that many feeds still declare.
pub const PODCAST_NAMESPACES: [&str; 2] = [
    "https://podcastindex.org/namespace/1.0",
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
];
/// Namespace URI of Podlove Simple Chapters.
pub const PODLOVE_NAMESPACE: &str = "http://podlove.org/simple-chapters";
/// Namespace URI of Media RSS.
pub const MEDIA_NAMESPACE: &str = "http://search.yahoo.com/mrss/";
/// Namespace URI of Apple's iTunes podcast extension.
pub const ITUNES_NAMESPACE: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";

/// A feed as parsed: the show and its episodes, in feed order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedFeed {
    pub title: String,
    pub link: Option<String>,
    /// Show artwork URL (`itunes:image` preferred over `<image>`).
    pub image: Option<String>,
    /// Sanitized HTML (see [`sanitize::show_notes_html`]).
    pub description_html: String,
    #[serde(skip)]
    pub author: Option<String>,
    /// Items with an audio enclosure; other items are not episodes.
    pub episodes: Vec<ParsedEpisode>,
}

/// One episode of a feed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedEpisode {
    /// The item's guid, or its enclosure URL when it has none.
    pub guid: String,
    pub title: String,
    /// Publication time in UTC, serialized as RFC 3339.
    #[serde(serialize_with = "serialize_rfc3339")]
    pub published: Option<DateTime<Utc>>,
    /// `itunes:duration` in whole seconds.
    pub duration_s: Option<u32>,
    pub enclosure: Enclosure,
    /// Sanitized show notes HTML (`content:encoded` preferred over `description`).
    pub description_html: String,
    pub link: Option<String>,
    pub image: Option<String>,
    pub season: Option<u32>,
    pub episode: Option<u32>,
    /// `podcast:chapters` URL (Podcasting 2.0 JSON chapters).
    pub chapters_url: Option<String>,
    /// `podcast:transcript` references.
    pub transcripts: Vec<TranscriptRef>,
    /// `psc:chapters` entries, as written in the feed.
    #[serde(skip)]
    pub podlove_chapters: Vec<PodloveChapterRef>,
}

/// The media file of an episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enclosure {
    pub url: String,
    #[serde(rename = "type")]
    pub mime_type: Option<String>,
    /// Size in bytes as the feed states it (often wrong or zero; informational only).
    pub length: Option<u64>,
}

/// A `podcast:transcript` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TranscriptRef {
    pub url: String,
    #[serde(rename = "type")]
    pub mime_type: Option<String>,
    /// The transcript's language (BCP 47), when the feed says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// `captions` for timed captions; absent for a transcript.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rel: Option<String>,
}

/// A `psc:chapter` element, raw: `start` is Normal Play Time text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PodloveChapterRef {
    pub start: String,
    pub title: String,
    pub href: Option<String>,
    pub image: Option<String>,
}

impl PodloveChapterRef {
    /// A `psc:chapter` from its attributes; `None` without a `start`.
    pub(crate) fn from_attrs(attrs: &std::collections::BTreeMap<String, String>) -> Option<Self> {
        let attr = |name: &str| fields::non_empty(attrs.get(name).map(String::as_str));
        Some(PodloveChapterRef {
            start: attr("start")?,
            title: attrs
                .get("title")
                .map(|t| t.trim().to_string())
                .unwrap_or_default(),
            href: attr("href"),
            image: attr("image"),
        })
    }
}

/// Why bytes could not be read as a feed.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("the document is empty")]
    Empty,
    #[error("not a podcast feed: the document is {found}, not RSS or Atom")]
    NotAFeed { found: String },
    #[error("the feed is not well-formed XML: {detail}")]
    Malformed { detail: String },
    /// The document names a character encoding nothing here can read.
    #[error("the feed is written in an encoding Chaptercast cannot read ({label})")]
    UnknownEncoding { label: String },
}

/// Parses a feed. `http_charset` is the charset from the HTTP `Content-Type`, if any; the
/// document's own BOM or XML declaration takes precedence over it.
pub fn parse(bytes: &[u8], http_charset: Option<&str>) -> Result<ParsedFeed, FeedError> {
    parse_with_base(bytes, http_charset, None)
}

/// Like [`parse`], resolving relative enclosure, image and chapter URLs against `base` (the
/// URL the feed was fetched from).
pub fn parse_with_base(
    bytes: &[u8],
    http_charset: Option<&str>,
    base: Option<&Url>,
) -> Result<ParsedFeed, FeedError> {
    Ok(convert(read_document(bytes, http_charset)?, base))
}

/// Like [`parse_with_base`], letting the document's bytes go as soon as the XML is read:
/// a large feed is then not held twice (its bytes and its episodes) while it is converted.
pub fn parse_owned(
    bytes: Vec<u8>,
    http_charset: Option<&str>,
    base: Option<&Url>,
) -> Result<ParsedFeed, FeedError> {
    let document = read_document(&bytes, http_charset)?;
    drop(bytes);
    Ok(convert(document, base))
}

/// A document read by the XML crates, before it is made a podcast.
enum ReadDocument {
    Rss(Box<::rss::Channel>),
    Atom(Box<atom_syndication::Feed>),
}

fn read_document(bytes: &[u8], http_charset: Option<&str>) -> Result<ReadDocument, FeedError> {
    if let Some(label) = decode::unknown_encoding(bytes, http_charset) {
        return Err(FeedError::UnknownEncoding { label });
    }
    let text = decode::to_utf8(bytes, http_charset);
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if text.trim().is_empty() {
        return Err(FeedError::Empty);
    }
    limits::check_nesting(text)?;
    let unprefixed = own_prefix_dropped(text);
    let text = unprefixed.as_deref().unwrap_or(text);
    match decode::root_element(text) {
        Some(root) if root.eq_ignore_ascii_case("rss") || root.ends_with("RDF") => {
            Ok(ReadDocument::Rss(Box::new(rss::read(text)?)))
        }
        Some(root) if root == "feed" => Ok(ReadDocument::Atom(Box::new(atom::read(text)?))),
        Some(root) => Err(FeedError::NotAFeed {
            found: describe_root(&root),
        }),
        None => Err(FeedError::NotAFeed {
            found: "not XML".to_string(),
        }),
    }
}

fn convert(document: ReadDocument, base: Option<&Url>) -> ParsedFeed {
    let mut feed = match document {
        ReadDocument::Rss(channel) => rss::convert(*channel, base),
        ReadDocument::Atom(feed) => atom::convert(*feed, base),
    };
    // (Each episode was finished this way as it was converted: see `finished_episode`.)
    if let Some(base) = base {
        resolve_relative_show_urls(&mut feed, base);
    }
    keep_only_web_show_urls(&mut feed);
    strip_show_control_characters(&mut feed);
    feed
}

/// Items converted to episodes on every core, in feed order (`None`s dropped).
///
/// Sanitizing show notes (html5ever parsing, then serializing) is half of a parse of a
/// 455-item feed, and each item's notes are independent. The items go in blocks: the threads
/// convert a block by reference and this thread then drops it, so each item is let go soon
/// after it is converted (a 200,000-item feed is not held twice), and everything the XML
/// reader allocated is freed by the thread that allocated it (freeing it from the helpers
/// contended for the allocator's lock and made the parse slower than on one core). (Atom
/// entries come by reference: the crate's feed is held whole while they are converted.) The
/// threads are gone when the parse is: an idle app keeps no pool.
fn episodes_in_parallel<T: Sync>(
    items: Vec<T>,
    base: Option<&Url>,
    convert: impl Fn(&T) -> Option<ParsedEpisode> + Sync,
) -> Vec<ParsedEpisode> {
    let convert = |item: &T| finished_episode(convert(item)?, base);
    /// Items a thread takes at a time, and items per block.
    const BATCH: usize = 8;
    const BLOCK: usize = 1024;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    if threads < 2 || items.len() < 4 * BATCH {
        return items.iter().filter_map(&convert).collect();
    }
    let mut out = Vec::with_capacity(items.len());
    let mut rest = items.into_iter();
    loop {
        let block: Vec<T> = rest.by_ref().take(BLOCK).collect();
        if block.is_empty() {
            return out;
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            loop {
                let from = next.fetch_add(BATCH, std::sync::atomic::Ordering::Relaxed);
                let Some(batch) = block.get(from..(from + BATCH).min(block.len())) else {
                    return done;
                };
                if batch.is_empty() {
                    return done;
                }
                done.extend(
                    (from..)
                        .zip(batch)
                        .filter_map(|(i, t)| Some((i, convert(t)?))),
                );
            }
        };
        let per_thread: Vec<Vec<(usize, ParsedEpisode)>> = std::thread::scope(|scope| {
            // A thread the system refuses leaves its share to the others.
            let helpers: Vec<_> = (1..threads)
                .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
                .collect();
            let mut all = vec![work()];
            // A panic in a helper is the caller's, as it would be on one thread.
            all.extend(helpers.into_iter().map(|h| match h.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            }));
            all
        });
        // Each thread's list is in feed order: merge them.
        let mut heads: Vec<_> = per_thread
            .into_iter()
            .map(|l| l.into_iter().peekable())
            .collect();
        while let Some((_, k)) = heads
            .iter_mut()
            .enumerate()
            .filter_map(|(k, h)| h.peek().map(|(i, _)| (*i, k)))
            .min()
        {
            if let Some((_, e)) = heads.get_mut(k).and_then(Iterator::next) {
                out.push(e);
            }
        }
        drop(block);
    }
}

/// Namespaces of RSS 1.0 and 0.90 (whose elements live under `rdf:RDF`).
const RDF_RSS_NAMESPACES: [&str; 2] = [
    "http://purl.org/rss/1.0/",
    "http://my.netscape.com/rdf/simple/0.9/",
];

/// The document with the prefix of the feed's own elements dropped, when it writes them with
/// one (`<r:rss xmlns:r="http://backend.userland.com/rss2"><r:channel>`, `<a:feed>`,
/// `<rss:item>` under `rdf:RDF`): the XML crates match element names as written. `None` when
/// the feed's elements have no prefix (the usual case, which costs a look at the root).
/// The prefix the root element binds to a namespace `wanted` accepts.
fn root_namespace_prefix(text: &str, wanted: impl Fn(&str) -> bool) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => {
                return e.attributes().with_checks(false).flatten().find_map(|a| {
                    let key = std::str::from_utf8(a.key.as_ref()).ok()?;
                    let prefix = key.strip_prefix("xmlns:")?;
                    let value = std::str::from_utf8(&a.value).ok()?;
                    wanted(value).then(|| prefix.to_string())
                });
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

fn own_prefix_dropped(text: &str) -> Option<String> {
    use quick_xml::events::{BytesEnd, BytesStart, Event};
    let root = decode::root_element(text)?;
    let (root_prefix, local) = root.split_once(':')?;
    let prefix = if local.eq_ignore_ascii_case("rss") || local == "feed" {
        root_prefix.to_string()
    } else if local == "RDF" {
        // RSS 1.0's own prefix is declared on the root, like `rdf`: read the root's start tag
        // (past any declaration, comment or stylesheet before it).
        root_namespace_prefix(text, |uri| RDF_RSS_NAMESPACES.contains(&uri.trim()))?
    } else {
        return None;
    };
    let qualified = format!("{prefix}:");
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(text.len()));
    let unprefixed = |name: &[u8]| -> Option<String> {
        let name = std::str::from_utf8(name).ok()?;
        name.strip_prefix(&qualified).map(str::to_string)
    };
    let renamed = |e: &BytesStart<'_>| -> Option<BytesStart<'static>> {
        let local = unprefixed(e.name().as_ref())?;
        let mut out = BytesStart::new(local);
        out.extend_attributes(e.attributes().with_checks(false).flatten());
        Some(out.into_owned())
    };
    loop {
        let event = match reader.read_event().ok()? {
            Event::Eof => break,
            Event::Start(e) => Event::Start(renamed(&e).unwrap_or_else(|| e.into_owned())),
            Event::Empty(e) => Event::Empty(renamed(&e).unwrap_or_else(|| e.into_owned())),
            Event::End(e) => match unprefixed(e.name().as_ref()) {
                Some(local) => Event::End(BytesEnd::new(local)),
                None => Event::End(e),
            },
            other => other,
        };
        writer.write_event(event).ok()?;
    }
    String::from_utf8(writer.into_inner()).ok()
}

/// C0 and C1 control characters come out of every text a feed gives: in a title, an escape
/// sequence would retitle a terminal (`list`) and make an OPML export unreadable XML. Line
/// breaks and tabs stay in show notes; in one-line fields they become spaces. This is the
/// show's part; [`strip_episode_control_characters`] each episode's.
fn strip_show_control_characters(feed: &mut ParsedFeed) {
    line(&mut feed.title);
    opt_line(&mut feed.author);
    opt_line(&mut feed.link);
    opt_line(&mut feed.image);
    notes(&mut feed.description_html);
}

fn strip_episode_control_characters(episode: &mut ParsedEpisode) {
    line(&mut episode.guid);
    line(&mut episode.title);
    line(&mut episode.enclosure.url);
    opt_line(&mut episode.enclosure.mime_type);
    notes(&mut episode.description_html);
    opt_line(&mut episode.link);
    opt_line(&mut episode.image);
    opt_line(&mut episode.chapters_url);
    for t in &mut episode.transcripts {
        line(&mut t.url);
        opt_line(&mut t.mime_type);
        opt_line(&mut t.language);
        opt_line(&mut t.rel);
    }
    for c in &mut episode.podlove_chapters {
        line(&mut c.start);
        line(&mut c.title);
        opt_line(&mut c.href);
        opt_line(&mut c.image);
    }
}

/// A quick look at the bytes first: C0 controls and DEL are single bytes, and every C1
/// control starts with 0xC2 in UTF-8; decoding the chars of 3 MB of notes cost more.
fn may_have_controls(text: &str) -> bool {
    text.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2)
}

/// A one-line field: controls dropped, line breaks and tabs made spaces.
fn line(text: &mut String) {
    if may_have_controls(text) && text.chars().any(char::is_control) {
        *text = text
            .chars()
            .filter_map(|c| match c {
                '\t' | '\n' | '\r' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
    }
}

fn opt_line(text: &mut Option<String>) {
    if let Some(t) = text {
        line(t);
    }
}

/// Show notes: controls dropped, line breaks and tabs kept.
fn notes(text: &mut String) {
    let kept = |c: char| !c.is_control() || matches!(c, '\t' | '\n' | '\r');
    if may_have_controls(text) && !text.chars().all(kept) {
        text.retain(kept);
    }
}

/// Every URL a feed gives is resolved against the URL it was fetched from (`cover.jpg`,
/// `/ep/1`), so that the web-only rule below drops what is not on the web, not what is merely
/// relative. This is the show's part; [`resolve_relative_episode_urls`] each episode's.
fn resolve_relative_show_urls(feed: &mut ParsedFeed, base: &Url) {
    resolve_opt(&mut feed.image, base);
    resolve_opt(&mut feed.link, base);
}

fn resolve_relative_episode_urls(episode: &mut ParsedEpisode, base: &Url) {
    // (The enclosure was resolved as the episode was read: its guid may be that URL.)
    let resolve = |url: &mut String| *url = resolve_url(Some(base), url);
    resolve_opt(&mut episode.image, base);
    resolve_opt(&mut episode.link, base);
    resolve_opt(&mut episode.chapters_url, base);
    for transcript in &mut episode.transcripts {
        resolve(&mut transcript.url);
    }
    for chapter in &mut episode.podlove_chapters {
        resolve_opt(&mut chapter.href, base);
        resolve_opt(&mut chapter.image, base);
    }
}

fn resolve_opt(url: &mut Option<String>, base: &Url) {
    if let Some(u) = url {
        *u = resolve_url(Some(base), u);
    }
}

/// Enclosures, artwork, links, chapter files and transcripts must be http(s): a `file:`,
/// `javascript:` or `data:` URL from a feed is dropped here, once, not kept and refused later.
/// This is the show's part; [`keep_only_web_episode_urls`] each episode's.
fn keep_only_web_show_urls(feed: &mut ParsedFeed) {
    web_only(&mut feed.image);
    web_only(&mut feed.link);
}

/// The episode with its non-web URLs dropped; `None` when its audio is not on the web.
fn keep_only_web_episode_urls(mut episode: ParsedEpisode) -> Option<ParsedEpisode> {
    // An episode is its audio: one that points at a `javascript:`, `file:` or `data:` URL is
    // not an episode Chaptercast could ever play, so it is not listed (nor printed).
    if !is_web_url(&episode.enclosure.url) {
        return None;
    }
    web_only(&mut episode.image);
    web_only(&mut episode.link);
    web_only(&mut episode.chapters_url);
    episode.transcripts.retain(|t| is_web_url(&t.url));
    for chapter in &mut episode.podlove_chapters {
        web_only(&mut chapter.href);
        web_only(&mut chapter.image);
    }
    Some(episode)
}

fn web_only(url: &mut Option<String>) {
    if url.as_deref().is_some_and(|u| !is_web_url(u)) {
        *url = None;
    }
}

/// An episode as a feed module converted it, made what every episode must be: its URLs
/// resolved against the feed's and web-only, its text free of control characters. Runs in
/// [`episodes_in_parallel`], before duplicates are dropped, so a duplicate guid is judged on
/// what is listed.
fn finished_episode(mut episode: ParsedEpisode, base: Option<&Url>) -> Option<ParsedEpisode> {
    if let Some(base) = base {
        resolve_relative_episode_urls(&mut episode, base);
    }
    let mut episode = keep_only_web_episode_urls(episode)?;
    strip_episode_control_characters(&mut episode);
    Some(episode)
}

/// An absolute http(s) URL.
pub fn is_web_url(url: &str) -> bool {
    Url::parse(url.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// Any XML document's bytes as text, decoded as [`parse`] decodes feeds (BOM, declaration).
pub(crate) fn decode_document(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    decode::to_utf8(bytes, None)
}

fn describe_root(root: &str) -> String {
    if root.eq_ignore_ascii_case("html") {
        "an HTML page".to_string()
    } else {
        format!("a <{root}> document")
    }
}

fn serialize_rfc3339<S: serde::Serializer>(
    value: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(t) => serializer.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        None => serializer.serialize_none(),
    }
}

/// True when an enclosure is audio: an `audio/*` type, or a missing/generic type with an audio
/// file extension (some hosts send `application/octet-stream`).
pub fn is_audio_enclosure(url: &str, mime_type: Option<&str>) -> bool {
    let mime = mime_type.map(|m| m.trim().to_ascii_lowercase());
    match mime.as_deref() {
        Some(m) if m.starts_with("audio/") => true,
        None | Some("") | Some("application/octet-stream") | Some("binary/octet-stream") => {
            has_audio_extension(url)
        }
        _ => false,
    }
}

/// Resolves a possibly relative URL against the feed's own URL; without a base it stays as
/// written.
pub(crate) fn resolve_url(base: Option<&Url>, url: &str) -> String {
    let url = url.trim();
    match base {
        Some(base) if Url::parse(url).is_err() => base
            .join(url)
            .map(String::from)
            .unwrap_or_else(|_| url.to_string()),
        _ => url.to_string(),
    }
}

/// The title of an episode whose item has none: the enclosure's file name without extension,
/// as podcastparser and most apps show it.
pub(crate) fn title_from_url(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let decoded: String = url::form_urlencoded::parse(stem.as_bytes())
        .map(|(k, v)| {
            if v.is_empty() {
                k.into_owned()
            } else {
                format!("{k}={v}")
            }
        })
        .collect();
    if decoded.is_empty() {
        stem.to_string()
    } else {
        decoded
    }
}

/// True when an enclosure is a video: a `video/*` type, or a missing/generic type with a video
/// file extension. Video episodes are listed; their audio track plays when the engine can
/// decode it.
pub fn is_video_enclosure(url: &str, mime_type: Option<&str>) -> bool {
    let mime = mime_type.map(|m| m.trim().to_ascii_lowercase());
    let ext = || {
        let path = url.split(['?', '#']).next().unwrap_or(url);
        let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        matches!(ext.as_deref(), Some("mp4" | "m4v" | "mov" | "webm" | "mkv"))
    };
    match mime.as_deref() {
        Some(m) if m.starts_with("video/") => true,
        None | Some("") | Some("application/octet-stream") | Some("binary/octet-stream") => ext(),
        _ => false,
    }
}

fn has_audio_extension(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some("mp3" | "m4a" | "m4b" | "aac" | "ogg" | "oga" | "opus" | "flac" | "wav")
    )
}

#[cfg(test)]
mod tests;
