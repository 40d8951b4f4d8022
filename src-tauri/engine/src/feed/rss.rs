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
    let channel = Channel::read_from(text.as_bytes()).map_err(|e| FeedError::Malformed {
        detail: e.to_string(),
    })?;
    let namespaces = channel.namespaces();
    let channel_itunes = channel.itunes_ext();
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
        .or_else(|| channel.image().and_then(|i| non_empty(Some(i.url()))));
    let description = non_empty(Some(channel.description()))
        .or_else(|| channel_itunes.and_then(|i| non_empty(i.summary())))
        .unwrap_or_default();
    let author = channel_itunes.and_then(|i| non_empty(i.author()));

    let mut seen_guids = HashSet::new();
    let episodes = channel
        .items()
        .iter()
        .filter_map(|item| episode(item, namespaces, base))
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

fn episode(
    item: &Item,
    namespaces: &BTreeMap<String, String>,
    base: Option<&Url>,
) -> Option<ParsedEpisode> {
    let ext = item.extensions();
    let (url, mime_type, length) = audio_enclosure(item, namespaces)?;
    let url = resolve_url(base, &url);
    let url = url.as_str();
    let itunes = item.itunes_ext();
    // Feeds that use the `itunes:` prefix without declaring it end up in the raw extensions.
    let itunes_raw = |name: &str| ext_value(ext, namespaces, &[ITUNES_NAMESPACE], "itunes", name);

    let guid = non_empty(item.guid().map(|g| g.value())).unwrap_or_else(|| url.to_string());
    let title = non_empty(item.title())
        .or_else(|| itunes_raw("title"))
        .unwrap_or_else(|| title_from_url(url));
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
        link: non_empty(item.link()),
        image,
        season,
        episode: episode_number,
        chapters_url,
        transcripts,
        podlove_chapters,
    })
}

/// The item's audio file: its `<enclosure>`, else the first audio `media:content` (also
/// inside `media:group`), as Media RSS feeds write it.
fn audio_enclosure(
    item: &Item,
    namespaces: &BTreeMap<String, String>,
) -> Option<(String, Option<String>, Option<u64>)> {
    if let Some(enclosure) = item.enclosure() {
        let url = enclosure.url().trim();
        let mime_type = non_empty(Some(enclosure.mime_type()));
        if !url.is_empty() && is_audio_enclosure(url, mime_type.as_deref()) {
            let length = enclosure.length().trim().parse().ok().filter(|l| *l > 0);
            return Some((url.to_string(), mime_type, length));
        }
    }
    let ext = item.extensions();
    let direct = ext_elements(ext, namespaces, &[MEDIA_NAMESPACE], "media", "content");
    let grouped = ext_elements(ext, namespaces, &[MEDIA_NAMESPACE], "media", "group")
        .flat_map(|g| g.children.get("content").into_iter().flatten());
    direct.chain(grouped).find_map(|content| {
        let url = non_empty(content.attrs.get("url").map(String::as_str))?;
        let mime_type = non_empty(content.attrs.get("type").map(String::as_str));
        if !is_audio_enclosure(&url, mime_type.as_deref()) {
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
