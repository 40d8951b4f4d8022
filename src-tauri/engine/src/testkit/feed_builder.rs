//! `FeedBuilder`: an RSS 2.0 podcast feed as a string.

use std::fmt::Write;

/// Builds an RSS 2.0 feed with the iTunes and Podcasting 2.0 namespaces declared.
#[derive(Debug, Clone, Default)]
pub struct FeedBuilder {
    pub title: String,
    pub link: String,
    pub description: String,
    pub image: Option<String>,
    pub items: Vec<ItemBuilder>,
}

/// One `<item>`. Fields are written verbatim (escape or CDATA them yourself where a test needs
/// that), except `notes_html`, which goes into a CDATA section.
#[derive(Debug, Clone, Default)]
pub struct ItemBuilder {
    pub title_xml: String,
    pub guid: Option<String>,
    pub pub_date: Option<String>,
    pub duration: Option<String>,
    pub enclosure: Option<(String, String)>,
    pub notes_html: Option<String>,
    pub link: Option<String>,
    pub chapters_url: Option<String>,
    pub season: Option<String>,
    pub episode: Option<String>,
    /// Raw XML appended inside the item.
    pub extra_xml: String,
}

impl ItemBuilder {
    /// An item with an audio enclosure at `url` and the given guid.
    pub fn audio(title: &str, guid: &str, url: &str) -> Self {
        ItemBuilder {
            title_xml: escape(title),
            guid: Some(guid.to_string()),
            enclosure: Some((url.to_string(), "audio/mpeg".to_string())),
            ..Default::default()
        }
    }
}

impl FeedBuilder {
    pub fn new(title: &str) -> Self {
        FeedBuilder {
            title: title.to_string(),
            link: "https://example.com/show".to_string(),
            description: format!("<p>{} — a test show.</p>", escape(title)),
            ..Default::default()
        }
    }

    pub fn item(mut self, item: ItemBuilder) -> Self {
        self.items.push(item);
        self
    }

    pub fn to_xml(&self) -> String {
        let mut out = String::with_capacity(4096 + self.items.len() * 1024);
        out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
"#);
        let _ = writeln!(out, "<title>{}</title>", escape(&self.title));
        let _ = writeln!(out, "<link>{}</link>", escape(&self.link));
        let _ = writeln!(
            out,
            "<description><![CDATA[{}]]></description>",
            self.description
        );
        if let Some(image) = &self.image {
            let _ = writeln!(out, "<itunes:image href=\"{}\"/>", escape(image));
        }
        for item in &self.items {
            out.push_str("<item>\n");
            let _ = writeln!(out, "<title>{}</title>", item.title_xml);
            if let Some(guid) = &item.guid {
                let _ = writeln!(out, "<guid isPermaLink=\"false\">{}</guid>", escape(guid));
            }
            if let Some(date) = &item.pub_date {
                let _ = writeln!(out, "<pubDate>{date}</pubDate>");
            }
            if let Some(duration) = &item.duration {
                let _ = writeln!(out, "<itunes:duration>{duration}</itunes:duration>");
            }
            if let Some((url, mime)) = &item.enclosure {
                let _ = writeln!(
                    out,
                    "<enclosure url=\"{}\" length=\"1000\" type=\"{}\"/>",
                    escape(url),
                    escape(mime)
                );
            }
            if let Some(notes) = &item.notes_html {
                let _ = writeln!(out, "<description><![CDATA[{notes}]]></description>");
                let _ = writeln!(
                    out,
                    "<content:encoded><![CDATA[{notes}]]></content:encoded>"
                );
            }
            if let Some(link) = &item.link {
                let _ = writeln!(out, "<link>{}</link>", escape(link));
            }
            if let Some(url) = &item.chapters_url {
                let _ = writeln!(
                    out,
                    "<podcast:chapters url=\"{}\" type=\"application/json+chapters\"/>",
                    escape(url)
                );
            }
            if let Some(season) = &item.season {
                let _ = writeln!(out, "<itunes:season>{season}</itunes:season>");
            }
            if let Some(episode) = &item.episode {
                let _ = writeln!(out, "<itunes:episode>{episode}</itunes:episode>");
            }
            out.push_str(&item.extra_xml);
            out.push_str("</item>\n");
        }
        out.push_str("</channel>\n</rss>\n");
        out
    }
}

/// Escapes text for XML element content and attribute values.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Titles and timestamp lists in the Meta Tech Podcast's style (written for these tests).
const TOPICS: [(&str, &str); 8] = [
    ("Building a mixed reality headset", "Intro 0:06 Guest introduction 1:40 Who do you work with? 3:23 Choosing displays 10:18 Outro 41:02"),
    ("Rust at scale", "Intro 0:06 Why Rust? 2:06 cxx vs bindgen 17:49 Async Rust and C++ 19:04 Outro 43:04"),
    ("Shipping Threads for web", "Intro 0:06 Meet the team 1:44 Tech stack 19:15 Challenges 30:57 Outtakes 39:18"),
    ("HDR photos everywhere", "Intro 0:06 The scale of images 5:10 HDR file formats 19:02 Partnering with vendors 30:40 Outro 36:22"),
    ("Python 3.12 and Cinder", "Intro 0:06 Immortal objects 8:57 How to upstream 16:19 Free threading 34:10 Outro 37:08"),
    ("Post-quantum crypto", "Intro 0:06 What is PQC? 2:10 Choosing an algorithm 18:06 Working with NIST 32:59 Outro 34:30"),
    ("Meta Open Source 101", "Intro 0:00 PyTorch 2.0 4:12 100% test coverage? 12:30 Intro: Cameron 20:01 Outro 1:03:35"),
    ("DotSlash and binaries", "Intro 0:05 What is DotSlash? 5:30 DotSlash vs LFS 6:04 Cache Eviction 36:59 Bloopers 40:15"),
];

const DURATION_FORMATS: [&str; 6] = ["2462", "41:02", "1:03:35", "0:45:10", "2711.4", "5:07"];

/// A feed modelled on the Meta Tech Podcast: `episodes` audio episodes (newest first; episode
/// `n` published 2024-01-04 plus `n - 1` weeks), HTML show notes ending in a title-first `Timestamps` list,
/// durations written in every format, enclosures under `media_base` (e.g. `http://127.0.0.1:PORT`).
/// Episode `n` (1 = oldest) has guid `mtp-n` and enclosure `{media_base}/audio/ep{n}.mp3`.
pub fn meta_tech_like_feed(media_base: &str, episodes: usize) -> FeedBuilder {
    let mut feed = FeedBuilder::new("Meta Tech Podcast");
    feed.link = "https://insidefacebookmobile.libsyn.com".to_string();
    feed.description = "<p>Brought to you by Meta. Engineers talk about their work, from \
        low-level frameworks to end-user features.</p>"
        .to_string();
    feed.image = Some(format!("{media_base}/art/show.png"));
    let first = chrono::NaiveDate::from_ymd_opt(2024, 1, 4).unwrap_or_default();
    for n in (1..=episodes).rev() {
        let (topic, stamps) = TOPICS[n % TOPICS.len()];
        let date = first + chrono::Duration::weeks(n as i64 - 1);
        let mut item = ItemBuilder::audio(
            &format!("{n}: {topic}"),
            &format!("mtp-{n}"),
            &format!("{media_base}/audio/ep{n}.mp3"),
        );
        item.pub_date = Some(format!("{} 16:00:00 +0000", date.format("%a, %d %b %Y")));
        item.duration = Some(DURATION_FORMATS[n % DURATION_FORMATS.len()].to_string());
        item.episode = Some(n.to_string());
        item.link = Some(format!("https://example.com/episodes/{n}"));
        item.notes_html = Some(format!(
            "<p>In episode {n}, Pascal talks about {topic}. Got feedback? Send it to us on \
             <a href=\"https://threads.net/@metatechpod\">Threads</a>.</p>\
             <p>Links</p><ul><li><a href=\"https://engineering.fb.com/\">Engineering blog</a></li></ul>\
             <p>Timestamps</p><p>{stamps}</p>"
        ));
        feed.items.push(item);
    }
    feed
}
