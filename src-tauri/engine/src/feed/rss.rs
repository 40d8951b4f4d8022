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

pub fn parse(text: &str, base: Option<&Url>) -> Result<ParsedFeed, FeedError> {
    // The core elements in another letter case (`<Item>`, `<TITLE>`) are read as what they are.
    let respelled = core_names_respelled(text);
    let text = respelled.as_deref().unwrap_or(text);
    let respelled = itunes_image_href_respelled(text);
    let text = respelled.as_deref().unwrap_or(text);
    let mut channel = Channel::read_from(text.as_bytes()).map_err(|e| FeedError::Malformed {
        detail: e.to_string(),
    })?;
    // Taken out, so each item is let go as soon as it is converted: a 200,000-item feed is not
    // held twice.
    let items = std::mem::take(&mut channel.items);
    let namespaces = channel.namespaces();
    let channel_itunes = channel.itunes_ext();
    // (`<itunes:image url=…>`, as some hosts write it, was said as `href` by the pre-pass.)
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
    let episodes = items
        .into_iter()
        .filter_map(|item| episode(&item, namespaces, base))
        .filter(|e| seen_guids.insert(e.guid.clone()))
        .collect();

    Ok(ParsedFeed {
        title: channel.title().trim().to_string(),
        link: non_empty(Some(channel.link())),
        image,
        description_html: show_notes_html(&description),
        author,
        episodes,
    })
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

/// The document with RSS's unprefixed core element names in their spec spelling, when any is
/// written in another letter case; `None` when all are as they should be (the usual case, which
/// costs one scan).
fn core_names_respelled(text: &str) -> Option<String> {
    let canonical = |name: &str| {
        CORE_NAMES
            .iter()
            .find(|c| c.eq_ignore_ascii_case(name))
            .copied()
    };
    let mut out: Option<String> = None;
    let mut copied = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(offset) = text[i..].find('<') {
        let start = i + offset + 1;
        let name_start = if bytes.get(start) == Some(&b'/') {
            start + 1
        } else {
            start
        };
        let name_end = text[name_start..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(text.len(), |n| name_start + n);
        i = name_end.max(start);
        let name = &text[name_start..name_end];
        // A prefixed name ("itunes:title") is another vocabulary: left as it is.
        if name.is_empty() || bytes.get(name_end) == Some(&b':') {
            continue;
        }
        if let Some(spelled) = canonical(name).filter(|c| *c != name) {
            let buffer = out.get_or_insert_with(|| String::with_capacity(text.len()));
            buffer.push_str(&text[copied..name_start]);
            buffer.push_str(spelled);
            copied = name_end;
        }
    }
    out.map(|mut buffer| {
        buffer.push_str(&text[copied..]);
        buffer
    })
}

/// `<itunes:image url="…">` said as `href`, which is what Apple specifies and what the iTunes
/// extension reads (some hosts write `url`). `None` when there is none.
fn itunes_image_href_respelled(text: &str) -> Option<String> {
    const TAG: &str = "<itunes:image";
    if !text.contains(TAG) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find(TAG) {
        let tag_end = rest[at..].find('>').map_or(rest.len(), |n| at + n);
        let tag = &rest[at..tag_end];
        out.push_str(&rest[..at]);
        if !tag.contains("href=") {
            if let Some(url_at) = tag.find(" url=") {
                out.push_str(&tag[..url_at]);
                out.push_str(" href=");
                out.push_str(&tag[url_at + " url=".len()..]);
                changed = true;
                rest = &rest[tag_end..];
                continue;
            }
        }
        out.push_str(tag);
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    changed.then_some(out)
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
    // (`<itunes:image url=…>` was said as `href` by the pre-pass.)
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
