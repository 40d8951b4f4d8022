//! Maps an `atom_syndication::Feed` onto [`ParsedFeed`]. Atom podcasts are rare; this covers
//! enclosure links, dates, content and the iTunes/Podcasting 2.0 elements that matter.

use std::collections::{BTreeMap, HashSet};

use atom_syndication::extension::{Extension, ExtensionMap};
use atom_syndication::{Entry, Feed, Link};
use chrono::Utc;
use url::Url;

use super::fields::{non_empty, parse_count, parse_duration_s};
use super::sanitize::show_notes_html;
use super::{
    is_audio_enclosure, resolve_url, title_from_url, Enclosure, FeedError, ParsedEpisode,
    ParsedFeed, PodloveChapterRef, ITUNES_NAMESPACE, PODCAST_NAMESPACES, PODLOVE_NAMESPACE,
};

/// Reads the document into the `atom_syndication` crate's structs, which own their text: the
/// document can be let go before they are converted.
pub fn read(text: &str) -> Result<Feed, FeedError> {
    // atom_syndication refuses the whole feed for one text construct whose `type` is not
    // exactly text/html/xhtml (`text/html`, `text/plain`, empty...), and keeps a base64 body
    // (Atom 0.3's `mode="base64"`) as base64. Rather than parse Atom ourselves, the few
    // documents that need it are said the way Atom 1.0 spells them (a quick-xml pass that
    // touches only those attributes and bodies) and read by the crate as usual.
    let respelled = if text.contains("base64") {
        text_types_normalised(text)
    } else {
        None
    };
    let text = respelled.as_deref().unwrap_or(text);
    let feed = match Feed::read_from(text.as_bytes()) {
        Ok(feed) => feed,
        Err(first) => match text_types_normalised(text) {
            Some(fixed) => Feed::read_from(fixed.as_bytes()),
            None => Err(first),
        }
        .map_err(|e| FeedError::Malformed {
            detail: e.to_string(),
        })?,
    };
    Ok(feed)
}

/// The podcast in a feed [`read`] gave.
pub fn convert(feed: Feed, base: Option<&Url>) -> ParsedFeed {
    let namespaces = feed.namespaces();
    let lookup = Lookup { namespaces };
    let mut seen = HashSet::new();
    let entries: Vec<_> = feed.entries().iter().collect();
    let episodes =
        super::episodes_in_parallel(entries, base, |entry| episode(entry, &lookup, base))
            .into_iter()
            .filter(|e| seen.insert(e.guid.clone()))
            .collect();
    let description = feed
        .subtitle()
        .map(|s| s.as_str().to_string())
        .or_else(|| lookup.value(feed.extensions(), &[ITUNES_NAMESPACE], "itunes", "summary"))
        .unwrap_or_default();
    ParsedFeed {
        title: plain_text(feed.title()),
        link: alternate_link(feed.links()),
        image: lookup
            .attr(
                feed.extensions(),
                &[ITUNES_NAMESPACE],
                "itunes",
                "image",
                "href",
            )
            .or_else(|| non_empty(feed.logo()))
            .or_else(|| non_empty(feed.icon())),
        description_html: show_notes_html(&description),
        author: feed.authors().first().map(|a| a.name().to_string()),
        episodes,
    }
}

/// The Atom text constructs whose `type` atom_syndication checks.
const TEXT_CONSTRUCTS: &[&[u8]] = &[b"title", b"subtitle", b"summary", b"rights", b"tagline"];

/// What a text construct shows, as text: an html or xhtml title is read for its words.
fn plain_text(text: &atom_syndication::Text) -> String {
    match text.r#type {
        atom_syndication::TextType::Text => text.as_str().trim().to_string(),
        _ => super::sanitize::html_to_text(text.as_str()),
    }
}

/// The document with every text construct's `type` said the way Atom spells it: MIME-style
/// values by their meaning (`text/html` is html, `application/xhtml+xml` xhtml, anything else
/// text), and a base64 body (Atom 0.3's `mode="base64"`, or `type="base64"`) decoded to text,
/// in `content` too. `None` when nothing needed saying differently.
fn text_types_normalised(text: &str) -> Option<String> {
    use base64::Engine as _;
    use quick_xml::events::{BytesStart, BytesText, Event};
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(text.len()));
    let mut changed = false;
    // Inside a text construct whose body is base64.
    let mut decode_body = false;
    let is_text_construct = |e: &BytesStart<'_>| {
        let name = e.local_name();
        TEXT_CONSTRUCTS.contains(&name.as_ref()) || name.as_ref() == b"content"
    };
    loop {
        let (element, is_empty) = match reader.read_event().ok()? {
            Event::Eof => break,
            Event::Start(e) if is_text_construct(&e) => (e, false),
            Event::Empty(e) if is_text_construct(&e) => (e, true),
            Event::Text(t) if decode_body => {
                decode_body = false;
                let raw = t.decode().ok()?;
                let cleaned: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(cleaned)
                    .ok()?;
                let decoded = String::from_utf8_lossy(&decoded).into_owned();
                writer
                    .write_event(Event::Text(BytesText::new(&decoded)))
                    .ok()?;
                continue;
            }
            other => {
                writer.write_event(other).ok()?;
                continue;
            }
        };
        let is_content = element.local_name().as_ref() == b"content";
        let mut kind: Option<String> = None;
        let mut base64_mode = false;
        let mut rest = Vec::new();
        for attr in element.attributes().with_checks(false).flatten() {
            let value = String::from_utf8_lossy(&attr.value)
                .trim()
                .to_ascii_lowercase();
            match attr.key.local_name().as_ref() {
                b"type" => kind = Some(value),
                b"mode" => base64_mode = value == "base64",
                _ => rest.push(attr),
            }
        }
        let body_is_base64 =
            base64_mode || matches!(kind.as_deref(), Some("base64" | "application/octet-stream"));
        // The type as Atom 1.0 says it. A decoded base64 body is a string: markup for content
        // and html kinds, else text. Otherwise content may have any MIME type and keeps it.
        let kind = kind.as_deref();
        let spelled = if body_is_base64 {
            Some(match kind {
                Some("html" | "text/html" | "xhtml" | "application/xhtml+xml") => "html",
                None | Some("" | "base64" | "application/octet-stream") if is_content => "html",
                _ => "text",
            })
        } else if is_content {
            None
        } else {
            match kind {
                None | Some("text" | "html" | "xhtml") => None,
                Some("text/html") => Some("html"),
                Some("application/xhtml+xml") => Some("xhtml"),
                _ => Some("text"),
            }
        };
        let Some(spelled) = spelled else {
            let same = if is_empty {
                Event::Empty(element)
            } else {
                Event::Start(element)
            };
            writer.write_event(same).ok()?;
            continue;
        };
        changed = true;
        decode_body = body_is_base64 && !is_empty;
        let name = String::from_utf8_lossy(element.name().as_ref()).into_owned();
        let mut start = BytesStart::new(name);
        start.extend_attributes(rest);
        start.push_attribute(("type", spelled));
        let event = if is_empty {
            Event::Empty(start)
        } else {
            Event::Start(start)
        };
        writer.write_event(event).ok()?;
    }
    changed.then(|| String::from_utf8_lossy(&writer.into_inner()).into_owned())
}

fn episode(entry: &Entry, lookup: &Lookup, base: Option<&Url>) -> Option<ParsedEpisode> {
    let enclosure = [is_audio_enclosure, super::is_video_enclosure]
        .iter()
        .find_map(|wanted| {
            entry
                .links()
                .iter()
                .find(|l| l.rel() == "enclosure" && wanted(l.href().trim(), l.mime_type()))
        })?;
    let url = resolve_url(base, enclosure.href());
    if url.is_empty() {
        return None;
    }
    let ext = entry.extensions();
    let notes = entry
        .content()
        .and_then(|c| non_empty(c.value()))
        .or_else(|| entry.summary().map(|s| s.as_str().to_string()))
        .unwrap_or_default();
    let published = entry
        .published()
        .copied()
        .unwrap_or(*entry.updated())
        .with_timezone(&Utc);
    Some(ParsedEpisode {
        guid: non_empty(Some(entry.id())).unwrap_or_else(|| url.clone()),
        title: non_empty(Some(&plain_text(entry.title()))).unwrap_or_else(|| title_from_url(&url)),
        // atom_syndication fills a missing <updated> with the epoch: treat that as unknown.
        published: (published.timestamp() != 0).then_some(published),
        duration_s: lookup
            .value(ext, &[ITUNES_NAMESPACE], "itunes", "duration")
            .and_then(|d| parse_duration_s(&d)),
        enclosure: Enclosure {
            url,
            mime_type: non_empty(enclosure.mime_type()),
            length: enclosure
                .length()
                .and_then(|l| l.trim().parse().ok())
                .filter(|l| *l > 0),
        },
        description_html: show_notes_html(&notes),
        link: alternate_link(entry.links()),
        image: lookup.attr(ext, &[ITUNES_NAMESPACE], "itunes", "image", "href"),
        season: lookup
            .value(ext, &[ITUNES_NAMESPACE], "itunes", "season")
            .and_then(|s| parse_count(&s)),
        episode: lookup
            .value(ext, &[ITUNES_NAMESPACE], "itunes", "episode")
            .and_then(|s| parse_count(&s)),
        chapters_url: lookup
            .attr(ext, &PODCAST_NAMESPACES, "podcast", "chapters", "url")
            .map(|u| resolve_url(base, &u)),
        transcripts: Vec::new(),
        podlove_chapters: lookup.podlove_chapters(ext),
    })
}

fn alternate_link(links: &[Link]) -> Option<String> {
    links
        .iter()
        .find(|l| l.rel() == "alternate")
        .and_then(|l| non_empty(Some(l.href())))
}

/// Finds extension elements by namespace URI (or the usual prefix when it is undeclared).
struct Lookup<'a> {
    namespaces: &'a BTreeMap<String, String>,
}

impl Lookup<'_> {
    fn first<'e>(
        &self,
        ext: &'e ExtensionMap,
        uris: &[&str],
        prefix: &str,
        name: &str,
    ) -> Option<&'e Extension> {
        ext.iter()
            .filter(|(p, _)| match self.namespaces.get(p.as_str()) {
                Some(uri) => uris.iter().any(|u| u.eq_ignore_ascii_case(uri.trim())),
                None => p.as_str() == prefix,
            })
            .find_map(|(_, elements)| elements.get(name).and_then(|v| v.first()))
    }

    /// The first `psc:chapters` list (the spec allows one; later ones are ignored).
    fn podlove_chapters(&self, ext: &ExtensionMap) -> Vec<PodloveChapterRef> {
        let Some(list) = self.first(ext, &[PODLOVE_NAMESPACE], "psc", "chapters") else {
            return Vec::new();
        };
        list.children
            .get("chapter")
            .into_iter()
            .flatten()
            .filter_map(|c| PodloveChapterRef::from_attrs(&c.attrs))
            .collect()
    }

    fn value(&self, ext: &ExtensionMap, uris: &[&str], prefix: &str, name: &str) -> Option<String> {
        self.first(ext, uris, prefix, name)
            .and_then(|e| non_empty(e.value.as_deref()))
    }

    fn attr(
        &self,
        ext: &ExtensionMap,
        uris: &[&str],
        prefix: &str,
        name: &str,
        attr: &str,
    ) -> Option<String> {
        self.first(ext, uris, prefix, name)
            .and_then(|e| non_empty(e.attrs.get(attr).map(String::as_str)))
    }
}
