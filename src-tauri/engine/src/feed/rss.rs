//! Maps an `rss::Channel` onto [`ParsedFeed`].

use std::collections::{BTreeMap, HashSet};

use ::rss::extension::{Extension, ExtensionMap};
use ::rss::{Channel, Item};

use super::fields::{non_empty, parse_count, parse_duration_s, parse_published};
use super::sanitize::show_notes_html;
use super::{
    is_audio_enclosure, resolve_url, title_from_url, Enclosure, FeedError, ParsedEpisode,
    ParsedFeed, PodloveChapterRef, TranscriptRef, ITUNES_NAMESPACE, MEDIA_NAMESPACE,
    PODCAST_NAMESPACES, PODLOVE_NAMESPACE,
};
use url::Url;

/// Reads the document into the `rss` crate's structs, which own their text: the document can
/// be let go before they are converted.
pub fn read(text: &str) -> Result<Channel, FeedError> {
    // The core elements in another letter case (`<Item>`, `<TITLE>`) are read as what they are.
    let respelled = core_names_respelled(text);
    let text = respelled.as_deref().unwrap_or(text);
    let respelled = itunes_images_respelled(text);
    let text = respelled.as_deref().unwrap_or(text);
    Channel::read_from(text.as_bytes()).map_err(|e| FeedError::Malformed {
        detail: e.to_string(),
    })
}

/// The podcast in a channel [`read`] gave.
pub fn convert(mut channel: Channel, base: Option<&Url>) -> ParsedFeed {
    // Taken out, so each item is let go as soon as it is converted: a 200,000-item feed is not
    // held twice.
    let items = std::mem::take(&mut channel.items);
    let namespaces = channel.namespaces();
    let channel_itunes = channel.itunes_ext();
    // (`<itunes:image url=…>` and the old `<itunes:link rel="image">` were said as
    // `<itunes:image href=…>` by the pre-pass.)
    let image = channel_itunes
        .and_then(|i| non_empty(i.image()))
        .or_else(|| {
            ext_attr(
                channel.extensions(),
                namespaces,
                &[ITUNES_NAMESPACE],
                "itunes",
                "image",
                "href",
            )
        })
        .or_else(|| channel.image().and_then(|i| non_empty(Some(i.url()))))
        // An old-style `<atom:link rel="image">`.
        .or_else(|| {
            ext_elements(
                channel.extensions(),
                namespaces,
                &["http://www.w3.org/2005/Atom"],
                "atom",
                "link",
            )
            .find(|l| {
                l.attrs
                    .get("rel")
                    .is_some_and(|r| r.eq_ignore_ascii_case("image"))
            })
            .and_then(|l| non_empty(l.attrs.get("href").map(String::as_str)))
        });
    let description = non_empty(Some(channel.description()))
        .or_else(|| channel_itunes.and_then(|i| non_empty(i.summary())))
        .unwrap_or_default();
    let author = channel_itunes.and_then(|i| non_empty(i.author()));

    let mut seen_guids = HashSet::new();
    let episodes = super::episodes_in_parallel(items, base, |item| episode(item, namespaces, base))
        .into_iter()
        .filter(|e| seen_guids.insert(e.guid.clone()))
        .collect();

    ParsedFeed {
        title: show_title(&channel, namespaces),
        link: non_empty(Some(channel.link())),
        image,
        description_html: show_notes_html(&description),
        author,
        episodes,
    }
}

/// The show's `<title>`, else its Dublin Core or Media RSS title, as podcastparser and feedparser
/// read them.
fn show_title(channel: &Channel, namespaces: &BTreeMap<String, String>) -> String {
    non_empty(Some(channel.title()))
        .or_else(|| {
            channel
                .dublin_core_ext()
                .and_then(|dc| dc.titles().iter().find_map(|t| non_empty(Some(t))))
        })
        .or_else(|| {
            ext_value(
                channel.extensions(),
                namespaces,
                &[MEDIA_NAMESPACE],
                "media",
                "title",
            )
        })
        .unwrap_or_default()
}

/// RSS's own elements, as the spec spells them.
const CORE_NAMES: &[&str] = &[
    "rss",
    "channel",
    "item",
    "title",
    "link",
    "description",
    "enclosure",
    "guid",
    "pubDate",
    "lastBuildDate",
    "author",
    "category",
    "comments",
    "image",
    "url",
    "language",
    "copyright",
    "ttl",
    "source",
    "width",
    "height",
];

/// The attributes of RSS's own elements, as the spec spells them.
const CORE_ATTRIBUTES: &[&str] = &["url", "type", "length", "isPermaLink", "domain", "version"];

/// The document with RSS's unprefixed core element names and their attributes in their spec
/// spelling (`<ENCLOSURE URL=…>`, `<guid isPermaLink="FALSE">`), when any is written in another
/// letter case; `None` when all are as they should be (the usual case, which costs one scan).
fn core_names_respelled(text: &str) -> Option<String> {
    // (start, end, replacement) of each respelling, in document order.
    let mut edits: Vec<(usize, usize, &'static str)> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(offset) = memchr::memchr(b'<', &bytes[i..]) {
        let start = i + offset + 1;
        let is_end = bytes.get(start) == Some(&b'/');
        let name_start = if is_end { start + 1 } else { start };
        let name_end = bytes[name_start.min(bytes.len())..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(text.len(), |n| name_start + n);
        i = name_end.max(start);
        let name = &text[name_start..name_end];
        // A prefixed name ("itunes:title") is another vocabulary: left as it is.
        if name.is_empty() || bytes.get(name_end) == Some(&b':') {
            continue;
        }
        if !CORE_NAMES.iter().any(|c| c.eq_ignore_ascii_case(name)) {
            continue;
        }
        if let Some(spelled) = canonical(CORE_NAMES, name) {
            edits.push((name_start, name_end, spelled));
        }
        // Only the elements whose attributes the `rss` crate reads.
        let has_attributes = ["enclosure", "guid", "source", "category", "rss"]
            .iter()
            .any(|e| e.eq_ignore_ascii_case(name));
        if !is_end && has_attributes {
            i = core_attributes_respelled(text, name_end, &mut edits);
        }
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end, spelled) in edits {
        out.push_str(&text[copied..start]);
        out.push_str(spelled);
        copied = end;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// `name` in the spelling of `names` when it is one of them in another letter case.
fn canonical(names: &[&'static str], name: &str) -> Option<&'static str> {
    names
        .iter()
        .find(|c| c.eq_ignore_ascii_case(name))
        .copied()
        .filter(|c| *c != name)
}

/// Reads the attributes of a tag from `at` (just after its name), noting respellings;
/// returns where it stopped.
fn core_attributes_respelled(
    text: &str,
    mut at: usize,
    edits: &mut Vec<(usize, usize, &'static str)>,
) -> usize {
    let bytes = text.as_bytes();
    let skip_space = |mut at: usize| {
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        at
    };
    loop {
        at = skip_space(at);
        let name_start = at;
        while bytes
            .get(at)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-'))
        {
            at += 1;
        }
        let name = &text[name_start..at];
        at = skip_space(at);
        if name.is_empty() || bytes.get(at) != Some(&b'=') {
            return at;
        }
        at = skip_space(at + 1);
        let Some(quote) = bytes.get(at).copied().filter(|q| matches!(q, b'"' | b'\'')) else {
            return at;
        };
        let value_start = at + 1;
        let Some(len) = text[value_start..].find(quote as char) else {
            return value_start;
        };
        at = value_start + len + 1;
        if let Some(spelled) = canonical(CORE_ATTRIBUTES, name) {
            edits.push((name_start, name_start + name.len(), spelled));
        }
        if name.eq_ignore_ascii_case("isPermaLink") {
            let value = &text[value_start..value_start + len];
            if let Some(spelled) = canonical(&["true", "false"], value.trim()) {
                edits.push((value_start, value_start + len, spelled));
            }
        }
    }
}

/// iTunes artwork said the way the iTunes extension reads it, `<itunes:image href="…">`, when
/// a feed says it another way: `url` instead of `href` (some hosts), or the first iTunes spec's
/// `<itunes:link rel="image" href="…">` (feedparser reads it too), which counts only where the
/// element has no `itunes:image` of its own. Any prefix bound to the iTunes namespace counts.
/// `None` when nothing needs saying differently (the usual case, which costs one scan).
///
/// A rewrite before the `rss` crate rather than a lookup after it: the crate takes iTunes
/// elements out of the extension map and keeps only `image`'s `href`.
fn itunes_images_respelled(text: &str) -> Option<String> {
    use quick_xml::events::{BytesStart, Event};
    let prefixes = itunes_prefixes(text);
    if !prefixes.iter().any(|p| needs_image_respelling(text, p)) {
        return None;
    }
    let local = |e: &BytesStart<'_>, wanted: &str| {
        let name = e.name();
        let name = std::str::from_utf8(name.as_ref()).unwrap_or("");
        name.split_once(':')
            .is_some_and(|(p, l)| l == wanted && prefixes.iter().any(|q| q == p))
    };
    /// An attribute's value as written (still escaped).
    fn attr(e: &BytesStart<'_>, key: &str) -> Option<Vec<u8>> {
        e.attributes()
            .with_checks(false)
            .flatten()
            .find(|a| a.key.as_ref() == key.as_bytes())
            .map(|a| a.value.into_owned())
    }
    // An `<itunes:link rel="image">`, said as the `itunes:image` it means.
    let as_image = |e: &BytesStart<'_>| -> Option<BytesStart<'static>> {
        let rel = attr(e, "rel")?;
        if !rel.trim_ascii().eq_ignore_ascii_case(b"image") {
            return None;
        }
        let href = attr(e, "href")?;
        let name = String::from_utf8_lossy(e.name().as_ref()).replace(":link", ":image");
        let mut image = BytesStart::new(name);
        image.push_attribute(quick_xml::events::attributes::Attribute {
            key: quick_xml::name::QName(b"href"),
            value: href.into(),
        });
        Some(image)
    };
    // `url` said as `href` on an `itunes:image` without one.
    let with_href = |e: BytesStart<'_>| -> BytesStart<'static> {
        if attr(&e, "href").is_some() || attr(&e, "url").is_none() {
            return e.into_owned();
        }
        let mut out = BytesStart::new(String::from_utf8_lossy(e.name().as_ref()).into_owned());
        for mut a in e.attributes().with_checks(false).flatten() {
            if a.key.as_ref() == b"url" {
                a.key = quick_xml::name::QName(b"href");
            }
            out.push_attribute(a);
        }
        out.into_owned()
    };
    /// Per open element: whether it has an `itunes:image`, and an old-style link if it had one.
    #[derive(Default)]
    struct Frame {
        has_image: bool,
        old_link: Option<BytesStart<'static>>,
    }
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(text.len() + 256));
    let mut frames: Vec<Frame> = vec![Frame::default()];
    loop {
        let (element, is_empty) = match reader.read_event().ok()? {
            Event::Eof => break,
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(end) => {
                let frame = frames.pop().unwrap_or_default();
                if let Some(image) = frame.old_link.filter(|_| !frame.has_image) {
                    writer.write_event(Event::Empty(image)).ok()?;
                }
                writer.write_event(Event::End(end)).ok()?;
                continue;
            }
            other => {
                writer.write_event(other).ok()?;
                continue;
            }
        };
        if local(&element, "link") {
            if let Some(image) = as_image(&element) {
                let parent = frames.last_mut()?;
                parent.old_link.get_or_insert(image);
                // The link and its caption go; the image it stood for is written at the end
                // of its parent.
                if !is_empty {
                    reader.read_to_end(element.name()).ok()?;
                }
                continue;
            }
        }
        let element = if local(&element, "image") {
            frames.last_mut()?.has_image = true;
            with_href(element)
        } else {
            element.into_owned()
        };
        if is_empty {
            writer.write_event(Event::Empty(element)).ok()?;
        } else {
            frames.push(Frame::default());
            writer.write_event(Event::Start(element)).ok()?;
        }
    }
    String::from_utf8(writer.into_inner()).ok()
}

/// At most the first `max` bytes of `text`, cut at a character boundary.
fn head_of(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The prefixes a document binds to the iTunes namespace (in any letter case, as the `rss`
/// crate accepts it), and `itunes`, which feeds also use without declaring it.
fn itunes_prefixes(text: &str) -> Vec<String> {
    let mut prefixes = vec!["itunes".to_string()];
    let mut rest = text;
    let finder = memchr::memmem::Finder::new("xmlns:");
    while let Some(at) = finder.find(rest.as_bytes()) {
        rest = &rest[at + "xmlns:".len()..];
        // A declaration is short: looking no further than this keeps a hostile feed (one
        // `=` at its end, "xmlns:" everywhere before) linear.
        let Some((prefix, after)) = head_of(rest, 512).split_once('=') else {
            continue;
        };
        let after = after.trim_start();
        let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let value = after[1..].split(quote).next().unwrap_or("");
        let prefix = prefix.trim();
        if value.trim().eq_ignore_ascii_case(ITUNES_NAMESPACE)
            && !prefixes.iter().any(|p| p == prefix)
        {
            prefixes.push(prefix.to_string());
        }
    }
    prefixes
}

/// Whether `text` has an `<prefix:image>` without `href` or a `<prefix:link>` that may be an
/// image: a quick look before a rewrite.
fn needs_image_respelling(text: &str, prefix: &str) -> bool {
    ["image", "link"].iter().any(|name| {
        let open = format!("<{prefix}:{name}");
        memchr::memmem::find_iter(text.as_bytes(), &open).any(|at| {
            // Tags are short; a bounded look keeps "<itunes:link" repeated a million times
            // (in a comment, say) linear.
            let tag = head_of(&text[at + open.len()..], 1024);
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            let whole_name =
                tag.starts_with(|c: char| c.is_whitespace() || c == '/') || tag.is_empty();
            whole_name
                && match *name {
                    "image" => !tag.contains("href"),
                    _ => tag.to_ascii_lowercase().contains("image"),
                }
        })
    })
}

fn episode(
    item: &Item,
    namespaces: &BTreeMap<String, String>,
    base: Option<&Url>,
) -> Option<ParsedEpisode> {
    let ext = item.extensions();
    let (url, mime_type, length) = media_enclosure(item, namespaces, is_audio_enclosure)
        .or_else(|| media_enclosure(item, namespaces, super::is_video_enclosure))?;
    let url = resolve_url(base, &url);
    let url = url.as_str();
    let itunes = item.itunes_ext();
    // Feeds that use the `itunes:` prefix without declaring it end up in the raw extensions.
    let itunes_raw = |name: &str| ext_value(ext, namespaces, &[ITUNES_NAMESPACE], "itunes", name);

    let guid = non_empty(item.guid().map(|g| g.value())).unwrap_or_else(|| url.to_string());
    let title = non_empty(item.title())
        .or_else(|| itunes_raw("title"))
        .or_else(|| {
            item.dublin_core_ext()
                .and_then(|dc| dc.titles().iter().find_map(|t| non_empty(Some(t))))
        })
        .or_else(|| ext_value(ext, namespaces, &[MEDIA_NAMESPACE], "media", "title"))
        .unwrap_or_else(|| title_from_url(url));
    // A permalink guid (isPermaLink true, or absent, which means true) is the episode's page
    // when the item has no `<link>`.
    let link = non_empty(item.link()).or_else(|| {
        item.guid()
            .filter(|g| g.is_permalink())
            .map(|g| g.value().trim())
            .filter(|v| super::is_web_url(v))
            .map(str::to_string)
    });
    let notes = non_empty(item.content())
        .or_else(|| non_empty(item.description()))
        .or_else(|| itunes.and_then(|i| non_empty(i.summary())))
        .or_else(|| itunes_raw("summary"))
        .unwrap_or_default();
    let published = item.pub_date().and_then(parse_published).or_else(|| {
        item.dublin_core_ext()
            .and_then(|dc| dc.dates().first().and_then(|d| parse_published(d)))
    });
    let duration_s = itunes
        .and_then(|i| i.duration().map(str::to_string))
        .or_else(|| itunes_raw("duration"))
        .and_then(|d| parse_duration_s(&d));
    // (`<itunes:image url=…>` and the old `<itunes:link rel="image">` were said as
    // `<itunes:image href=…>` by the pre-pass.)
    let image = itunes.and_then(|i| non_empty(i.image())).or_else(|| {
        ext_attr(
            ext,
            namespaces,
            &[ITUNES_NAMESPACE],
            "itunes",
            "image",
            "href",
        )
    });
    let season = itunes
        .and_then(|i| i.season().map(str::to_string))
        .or_else(|| itunes_raw("season"))
        .and_then(|s| parse_count(&s));
    let episode_number = itunes
        .and_then(|i| i.episode().map(str::to_string))
        .or_else(|| itunes_raw("episode"))
        .and_then(|s| parse_count(&s));

    let chapters_url = ext_attr(
        ext,
        namespaces,
        &PODCAST_NAMESPACES,
        "podcast",
        "chapters",
        "url",
    );
    let transcripts = ext_elements(
        ext,
        namespaces,
        &PODCAST_NAMESPACES,
        "podcast",
        "transcript",
    )
    .filter_map(|e| {
        Some(TranscriptRef {
            url: non_empty(e.attrs.get("url").map(String::as_str))?,
            mime_type: non_empty(e.attrs.get("type").map(String::as_str)),
            language: non_empty(e.attrs.get("language").map(String::as_str)),
            rel: non_empty(e.attrs.get("rel").map(String::as_str)),
        })
    })
    .collect();
    let podlove_chapters = ext_elements(ext, namespaces, &[PODLOVE_NAMESPACE], "psc", "chapters")
        .take(1) // the spec allows one list per item; later ones are ignored like feedparser does
        .flat_map(|list| list.children.get("chapter").into_iter().flatten())
        .filter_map(|c| PodloveChapterRef::from_attrs(&c.attrs))
        .collect();

    Some(ParsedEpisode {
        guid,
        title,
        published,
        duration_s,
        enclosure: Enclosure {
            url: url.to_string(),
            mime_type,
            length,
        },
        description_html: show_notes_html(&notes),
        link,
        image,
        season,
        episode: episode_number,
        chapters_url,
        transcripts,
        podlove_chapters,
    })
}

/// The item's media file of the kind `wanted` accepts (audio first, else video): its
/// `<enclosure>`, else RSS 1.0's `enc:enclosure`, else the first matching `media:content` (also
/// inside `media:group`), as Media RSS feeds write it.
fn media_enclosure(
    item: &Item,
    namespaces: &BTreeMap<String, String>,
    wanted: fn(&str, Option<&str>) -> bool,
) -> Option<(String, Option<String>, Option<u64>)> {
    if let Some(enclosure) = item.enclosure() {
        let url = enclosure.url().trim();
        let mime_type = non_empty(Some(enclosure.mime_type()));
        if !url.is_empty() && wanted(url, mime_type.as_deref()) {
            let length = enclosure.length().trim().parse().ok().filter(|l| *l > 0);
            return Some((url.to_string(), mime_type, length));
        }
    }
    let ext = item.extensions();
    // RSS 1.0's mod_enclosure: `<enc:enclosure rdf:resource="…" enc:type="…" enc:length="…"/>`.
    let attr = |attrs: &BTreeMap<String, String>, name: &str| {
        attrs
            .iter()
            .find(|(k, _)| k.rsplit(':').next() == Some(name))
            .and_then(|(_, v)| non_empty(Some(v.as_str())))
    };
    let rss1 = ext_elements(
        ext,
        namespaces,
        &["http://purl.oclc.org/net/rss_2.0/enc#"],
        "enc",
        "enclosure",
    )
    .find_map(|e| {
        let url = attr(&e.attrs, "resource").or_else(|| attr(&e.attrs, "url"))?;
        let mime_type = attr(&e.attrs, "type");
        wanted(&url, mime_type.as_deref()).then(|| {
            let length = attr(&e.attrs, "length").and_then(|l| l.trim().parse().ok());
            (url, mime_type, length)
        })
    });
    if rss1.is_some() {
        return rss1;
    }
    let direct = ext_elements(ext, namespaces, &[MEDIA_NAMESPACE], "media", "content");
    let grouped = ext_elements(ext, namespaces, &[MEDIA_NAMESPACE], "media", "group")
        .flat_map(|g| g.children.get("content").into_iter().flatten());
    direct.chain(grouped).find_map(|content| {
        let url = non_empty(content.attrs.get("url").map(String::as_str))?;
        let mime_type = non_empty(content.attrs.get("type").map(String::as_str));
        if !wanted(&url, mime_type.as_deref()) {
            return None;
        }
        let length = content
            .attrs
            .get("fileSize")
            .and_then(|l| l.trim().parse().ok());
        Some((url, mime_type, length))
    })
}

/// Extension elements named `name` in any of the namespaces `uris`. A prefix that the feed uses
/// without declaring counts when it is the namespace's usual one (`default_prefix`).
fn ext_elements<'a>(
    ext: &'a ExtensionMap,
    namespaces: &'a BTreeMap<String, String>,
    uris: &'a [&'a str],
    default_prefix: &'a str,
    name: &'a str,
) -> impl Iterator<Item = &'a Extension> + 'a {
    ext.iter()
        .filter(move |(prefix, _)| match namespaces.get(prefix.as_str()) {
            Some(uri) => uris.iter().any(|u| u.eq_ignore_ascii_case(uri.trim())),
            None => prefix.as_str() == default_prefix,
        })
        .filter_map(move |(_, elements)| elements.get(name))
        .flatten()
}

fn ext_value(
    ext: &ExtensionMap,
    namespaces: &BTreeMap<String, String>,
    uris: &[&str],
    default_prefix: &str,
    name: &str,
) -> Option<String> {
    ext_elements(ext, namespaces, uris, default_prefix, name)
        .find_map(|e| non_empty(e.value.as_deref()))
}

fn ext_attr(
    ext: &ExtensionMap,
    namespaces: &BTreeMap<String, String>,
    uris: &[&str],
    default_prefix: &str,
    name: &str,
    attr: &str,
) -> Option<String> {
    ext_elements(ext, namespaces, uris, default_prefix, name)
        .find_map(|e| non_empty(e.attrs.get(attr).map(String::as_str)))
}
