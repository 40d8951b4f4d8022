//! `chaptercast feed <URL|FILE> [--json] [--fetch-chapters]`: a feed parsed and printed, without
//! touching the library.

use std::path::Path;

use chaptercast_engine::chapter_fetch::fetch_json_chapters;
use chaptercast_engine::chapters::{self, Chapter};
use chaptercast_engine::feed::{self, ParsedFeed};
use chaptercast_engine::messages::user_message;
use chaptercast_engine::net::CacheValidators;
use chaptercast_engine::refresh::fetch_and_parse;

use crate::chapters::chapters_json;
use crate::engine_access::{http_client, is_url, runtime};
use crate::output::{print_text, write_json};

pub fn feed_command(source: &str, json: bool, fetch_chapters: bool) -> Result<(), String> {
    let feed = load_feed(source)?;
    if json {
        // Fetched chapter files replace the feed's own lists; without fetching, each episode's
        // list is worked out as it is written, so a 200,000-item feed never holds them all.
        let mut fetched: Vec<Option<Vec<Chapter>>> = Vec::new();
        if fetch_chapters {
            fetched = vec![None; feed.episodes.len()];
            let http = http_client()?;
            runtime()?.block_on(async {
                for (episode, slot) in feed.episodes.iter().zip(fetched.iter_mut()) {
                    let Some(url) = &episode.chapters_url else {
                        continue;
                    };
                    match fetch_json_chapters(&http, url).await {
                        Ok(list) => {
                            let duration_ms = episode.duration_s.map(|s| u64::from(s) * 1000);
                            let own = chapters::from_feed_episode(episode);
                            *slot = Some(chapters::merge(vec![list, own], duration_ms));
                        }
                        Err(e) => tracing::warn!(%url, error = ?e, "chapters file failed"),
                    }
                }
            });
        }
        write_json(&FeedJson {
            feed: &feed,
            fetched: &fetched,
        })
    } else {
        let mut text = format!("{} ({} episodes)\n", feed.title, feed.episodes.len());
        for episode in &feed.episodes {
            let date = episode
                .published
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            text.push_str(&format!("{date:10}  {}\n", episode.title));
        }
        print_text(&text)
    }
}

/// `feed --json`: the parsed feed with each episode's chapters, written as it is serialized.
struct FeedJson<'a> {
    feed: &'a ParsedFeed,
    /// Per episode, the list from a fetched chapters file (empty when none were fetched).
    fetched: &'a [Option<Vec<Chapter>>],
}

impl serde::Serialize for FeedJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        struct Episodes<'a>(&'a FeedJson<'a>);
        impl serde::Serialize for Episodes<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #[derive(serde::Serialize)]
                struct Episode<'a> {
                    #[serde(flatten)]
                    episode: &'a feed::ParsedEpisode,
                    chapters: serde_json::Value,
                }
                let feed = self.0;
                let mut seq = serializer.serialize_seq(Some(feed.feed.episodes.len()))?;
                for (i, episode) in feed.feed.episodes.iter().enumerate() {
                    let chapters = match feed.fetched.get(i) {
                        Some(Some(list)) => chapters_json(list),
                        _ => chapters_json(&chapters::from_feed_episode(episode)),
                    };
                    seq.serialize_element(&Episode { episode, chapters })?;
                }
                seq.end()
            }
        }
        let feed = self.feed;
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("title", &feed.title)?;
        map.serialize_entry("link", &feed.link)?;
        map.serialize_entry("image", &feed.image)?;
        map.serialize_entry("description_html", &feed.description_html)?;
        map.serialize_entry("episodes", &Episodes(self))?;
        map.end()
    }
}

fn load_feed(source: &str) -> Result<ParsedFeed, String> {
    if !is_url(source) {
        let path = Path::new(source);
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {source}: {e}"))?;
        return feed::parse_owned(bytes, None, None)
            .map_err(|e| format!("{source} is not a usable feed: {e}"));
    }
    // `feed` must not touch the user's library: only the HTTP client is needed.
    let http = http_client()?;
    runtime()?.block_on(async {
        match fetch_and_parse(&http, source, &CacheValidators::default()).await {
            Ok(Some((feed, _))) => Ok(feed),
            Ok(None) => Err(format!(
                "{source} answered 304 Not Modified to a plain request"
            )),
            Err(e) => Err(user_message(&e)),
        }
    })
}
